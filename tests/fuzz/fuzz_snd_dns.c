/*
 * libFuzzer entry point for the reference sender's stub resolver; the body is
 * in fuzz_snd_dns.h.
 */
#include "tests/fuzz/fuzz_snd_dns.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	fsd_init();
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fsd_one(data, size);
	return 0;
}
