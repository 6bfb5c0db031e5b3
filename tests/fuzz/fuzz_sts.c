/*
 * libFuzzer entry point for the MTA-STS and TLSRPT parsers; the body is
 * in fuzz_sts.h.
 */
#include "tests/fuzz/fuzz_sts.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	fst_init();
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fst_one(data, size);
	return 0;
}
