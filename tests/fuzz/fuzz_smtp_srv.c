/*
 * libFuzzer entry point for the fake MX server state machine; the body is
 * in fuzz_smtp_srv.h.
 */
#include "tests/fuzz/fuzz_smtp_srv.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	fss_init();
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fss_one(data, size);
	return 0;
}
