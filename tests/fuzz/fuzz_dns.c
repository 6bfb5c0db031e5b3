/*
 * libFuzzer entry point for the DNS query path; the body is
 * in fuzz_dns.h.
 */
#include "tests/fuzz/fuzz_dns.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	fdn_init();
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fdn_one(data, size);
	return 0;
}
