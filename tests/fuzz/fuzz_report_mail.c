/*
 * libFuzzer entry point for the TLSRPT report mail reader; the body is
 * in fuzz_report_mail.h.
 */
#include "tests/fuzz/fuzz_report_mail.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	fmail_init();
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fmail_one(data, size);
	return 0;
}
