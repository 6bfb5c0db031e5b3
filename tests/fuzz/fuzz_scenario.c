/*
 * libFuzzer entry point for the scenario loader; the body is
 * in fuzz_scenario.h.
 */
#include "tests/fuzz/fuzz_scenario.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	fsn_init();
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fsn_one(data, size);
	return 0;
}
