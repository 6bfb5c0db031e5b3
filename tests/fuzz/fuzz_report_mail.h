/*
 * fuzz_report_mail: the TLSRPT report mail reader and DKIM verifier
 * (fake-mx/mail_hdr.c, mail_rpt.c, mail_dkim.c), sans I/O: what the
 * world's MX hands over of a message it accepted.
 *
 * Input: one byte of flags (bit 0: also verify DKIM against a fixed
 * Ed25519 key record; bit 1: verify against a fixed RSA-looking record
 * that does not parse), then the message, any bytes.
 *
 * Invariants: parsing always returns a result; a report read back is
 * NUL-terminated, of its length, within MAIL_MAX_REPORT; every finding
 * is a non-empty sentence; a report part implies a gzip flag only for
 * +gzip; DKIM gives one of the statuses, with a reason, and never PASS
 * for a key record that does not parse; mail_is_tlsrpt agrees with the
 * absence of the top-level type finding when it says yes.
 */
#ifndef MXSIM_FUZZ_REPORT_MAIL_H
#define MXSIM_FUZZ_REPORT_MAIL_H

#include "fake-mx/mail.h"
#include "tests/fuzz/fuzz_common.h"

static const char *fmail_key;

static void
fmail_init(void)
{
	fuzz_setup(false);
}

static char *
fmail_lookup(const char *d, const char *s, void *arg)
{
	(void)d;
	(void)s;
	(void)arg;
	return fmail_key ? xstrdup(fmail_key) : NULL;
}

static void
fmail_one(const uint8_t *data, size_t size)
{
	struct mail_rpt *r;
	const char *msg;
	uint8_t flags;

	if (size == 0)
		return;
	flags = data[0];
	msg = (const char *)data + 1;
	size--;
	r = mail_rpt_parse(msg, size);
	FUZZ_CHECK(r != NULL);
	if (r->json != NULL) {
		FUZZ_CHECK(r->json_len <= MAIL_MAX_REPORT);
		FUZZ_CHECK(strlen(r->json) == r->json_len);
	}
	for (size_t i = 0; i < r->nfindings; i++)
		FUZZ_CHECK(r->findings[i] != NULL && r->findings[i][0] != '\0');
	if (mail_is_tlsrpt(msg, size))
		for (size_t i = 0; i < r->nfindings; i++)
			FUZZ_CHECK(strncmp(r->findings[i], "the message is ", 15) != 0);
	mail_rpt_free(r);
	if (flags & 3) {
		struct mail_dkim_result res;
		fmail_key = (flags & 2) ? "v=DKIM1; k=rsa; p=!!notbase64" :
		    "v=DKIM1; k=ed25519; s=tlsrpt; "
		    "p=StCEU+9wgfkRViU+KiVX/uYdutUqdbSuwAMBPwHbJ+g=";
		mail_dkim_verify(msg, size, fmail_lookup, NULL, &res);
		FUZZ_CHECK((int)res.status >= MAIL_DKIM_NONE &&
		    res.status <= MAIL_DKIM_NOKEY);
		FUZZ_CHECK(res.why[0] != '\0');
		if (flags & 2)
			FUZZ_CHECK(res.status != MAIL_DKIM_PASS);
		FUZZ_CHECK(strcmp(mail_dkim_status_name(res.status), "?") != 0);
	}
}

#endif
