/*
 * libFuzzer entry point for the HTTP request parser; the body is
 * in fuzz_http.h.
 */
#include "tests/fuzz/fuzz_http.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	fht_init();
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fht_one(data, size);
	return 0;
}
