/*
 * libFuzzer entry point for the capture reader and TCP reassembler of
 * `mxsim replay`; the body is in fuzz_replay.h.
 */
#include "tests/fuzz/fuzz_replay.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	frp_init();
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	frp_one(data, size);
	return 0;
}
