/*
 * libFuzzer entry point for the attacker SMTP path; the body is
 * in fuzz_mitm.h.
 */
#include "tests/fuzz/fuzz_mitm.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	fmi_init();
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fmi_one(data, size);
	return 0;
}
