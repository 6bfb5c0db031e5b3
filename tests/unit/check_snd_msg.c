/*
 * check_snd_msg: senders/builtin/snd_msg.c, S/MIME-encrypted messages.
 * The recipient's key decrypts the envelope back to the original header
 * fields and body; nothing of the body is in the clear; the routing
 * fields are; the same seed gives the same bytes; bad input is an error.
 */
#include "core/pki.h"
#include "core/util.h"
#include "senders/builtin/snd_msg.h"
#include "tests/unit/testutil.h"

#include <string.h>

#include <openssl/cms.h>

#define CLOCK 1780272000

static const char msg[] = "From: <sender@mxsim.test>\nTo: <user@example.test>\n"
	"Subject: the secret plan\nDate: Mon, 1 Jun 2026 00:00:00 +0000\n"
	"Message-ID: <1@mxsim.test>\n\nmeet at dawn\n.leading dot\n";

static struct pki_cert *
rcpt(struct pki *p)
{
	struct pki_spec spec = { .variant = "valid", .host = "example.test", .key = "rsa" };
	struct pki_cert *c;
	char err[256];

	ck_assert_msg(pki_issue(p, &spec, &c, err, sizeof(err)) == 0, "%s", err);
	return c;
}

START_TEST(roundtrip)
{
	struct pki *p = pki_new(1, CLOCK);
	struct pki_cert *c = rcpt(p);
	char err[256], *enc, *data;
	BIO *in, *out = BIO_new(BIO_s_mem());
	CMS_ContentInfo *cms;
	long n;

	enc = snd_msg_smime(msg, pki_cert_x509(c), err, sizeof(err));
	ck_assert_msg(enc != NULL, "%s", err);
	ck_assert_ptr_null(strstr(enc, "meet at dawn"));
	ck_assert_ptr_null(strstr(enc, "secret plan"));
	ck_assert_ptr_nonnull(strstr(enc, "To: <user@example.test>\n"));
	ck_assert_ptr_nonnull(strstr(enc, "Message-ID: <1@mxsim.test>\n"));
	ck_assert_ptr_nonnull(strstr(enc, "Content-Type: application/pkcs7-mime; "
	    "smime-type=enveloped-data"));
	ck_assert_ptr_null(strchr(enc, '\r'));
	/* decrypt with the recipient's key */
	in = BIO_new_mem_buf(strstr(enc, "MIME-Version"), -1);
	cms = SMIME_read_CMS(in, NULL);
	ck_assert_ptr_nonnull(cms);
	ck_assert_int_eq(CMS_decrypt(cms, pki_cert_key(c), pki_cert_x509(c), NULL,
	    out, CMS_BINARY), 1);
	n = BIO_get_mem_data(out, &data);
	ck_assert_ptr_nonnull(memmem(data, (size_t)n, "Subject: the secret plan\n", 25));
	ck_assert_ptr_nonnull(memmem(data, (size_t)n, "\n\nmeet at dawn\n.leading dot\n", 28));
	CMS_ContentInfo_free(cms);
	BIO_free(in);
	BIO_free(out);
	free(enc);
	pki_cert_free(c);
	pki_free(p);
}
END_TEST

START_TEST(deterministic)
{
	char *a, *b, err[256];
	struct pki *p;

	pki_rand_reset(3, "m");
	p = pki_new(3, CLOCK);
	a = snd_msg_smime_for(p, "example.test", msg, err, sizeof(err));
	pki_free(p);
	pki_rand_reset(3, "m");
	p = pki_new(3, CLOCK);
	b = snd_msg_smime_for(p, "example.test", msg, err, sizeof(err));
	pki_free(p);
	pki_rand_restore();
	ck_assert_ptr_nonnull(a);
	ck_assert_ptr_nonnull(b);
	ck_assert_str_eq(a, b);
	free(a);
	free(b);
}
END_TEST

START_TEST(bad_input)
{
	struct pki *p = pki_new(1, CLOCK);
	struct pki_cert *c = rcpt(p);
	char err[256];

	ck_assert_ptr_null(snd_msg_smime("no header end", pki_cert_x509(c), err,
	    sizeof(err)));
	ck_assert_ptr_nonnull(strstr(err, "no header/body split"));
	pki_cert_free(c);
	pki_free(p);
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("snd_msg");
	TCase *tc = tcase_create("smime");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, roundtrip);
	tcase_add_test(tc, deterministic);
	tcase_add_test(tc, bad_input);
	suite_add_tcase(s, tc);
	return s;
}

TEST_MAIN(suite)
