/*
 * libFuzzer entry point for the SMTP command and reply parsers; the body
 * is in fuzz_smtp_cmd.h.
 */
#include "tests/fuzz/fuzz_smtp_cmd.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	fsc_init();
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fsc_one(data, size);
	return 0;
}
