/*
 * libFuzzer entry point for the DNS server on the wire (UDP and TCP
 * framing); the body is in fuzz_dns_srv.h.
 */
#include "tests/fuzz/fuzz_dns_srv.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	fds_init();
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fds_one(data, size);
	return 0;
}
