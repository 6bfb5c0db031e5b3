/*
 * libFuzzer entry point for building the DNS from text; the body is
 * in fuzz_dns_zone.h.
 */
#include "tests/fuzz/fuzz_dns_zone.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	fdz_init();
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fdz_one(data, size);
	return 0;
}
