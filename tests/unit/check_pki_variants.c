/*
 * check_pki_variants: the certificate variants of core/pki_variant.c.
 *
 * Each variant is issued for a host, then verified twice: with OpenSSL's
 * X509_verify_cert (through pki_verify, the verdict's check, at security
 * level 2) and with the real `openssl verify` command (root as CAfile,
 * the served chain as -untrusted, -verify_hostname, -auth_level 2), and
 * both must give the expected answer.  Same seed, same bytes; the served
 * chains have the expected shape; the server contexts load (weak keys
 * and SHA-1 included).
 */
#include "core/pki.h"
#include "core/util.h"
#include "tests/unit/testutil.h"

#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/pem.h>
#include <openssl/x509v3.h>

#define CLOCK 1780272000    /* 2026-06-01 */

static char dir[256];

static void
setup(void)
{
	snprintf(dir, sizeof(dir), "/tmp/check_pkiv.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
}

static void
teardown(void)
{
	char cmd[512];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
}

static struct pki_cert *
issue(struct pki *p, const char *variant, const char *host)
{
	struct pki_spec spec = { .variant = variant, .host = host,
	    .domain = "example.test" };
	struct pki_cert *c = NULL;
	char err[256];

	ck_assert_msg(pki_issue(p, &spec, &c, err, sizeof(err)) == 0, "%s: %s",
	    variant, err);
	return c;
}

static size_t
der_of(X509 *x, uint8_t **out)
{
	unsigned char *d = NULL;
	int n = i2d_X509(x, &d);

	ck_assert_int_gt(n, 0);
	*out = xmalloc((size_t)n);
	memcpy(*out, d, (size_t)n);
	OPENSSL_free(d);
	return (size_t)n;
}

/* pki_verify with the served chain. */
static const char *
verify_api(struct pki *p, struct pki_cert *c, const char *host)
{
	STACK_OF(X509) *chain = pki_cert_chain(c);
	struct buf b;
	uint8_t *leaf;
	size_t n = der_of(pki_cert_x509(c), &leaf);
	const char *r;

	buf_init(&b);
	for (int i = 0; i < sk_X509_num(chain); i++) {
		uint8_t *d;
		size_t k = der_of(sk_X509_value(chain, i), &d);
		buf_append(&b, d, k);
		free(d);
	}
	r = pki_verify(p, leaf, n, b.data, b.len, host, CLOCK);
	free(leaf);
	buf_free(&b);
	return r;
}

static void
write_pem(const char *path, X509 *x, bool append)
{
	FILE *f = fopen(path, append ? "a" : "w");

	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(PEM_write_X509(f, x), 1);
	fclose(f);
}

/* `openssl verify`: 0 when it says OK; its output in out. */
static int
verify_cli(struct pki *p, struct pki_cert *c, const char *host, char *out,
    size_t outlen)
{
	char root[300], leaf[300], chain[300], cmd[1400];
	STACK_OF(X509) *ch = pki_cert_chain(c);
	FILE *f;
	size_t n;
	int rc;

	snprintf(root, sizeof(root), "%s/root.pem", dir);
	snprintf(leaf, sizeof(leaf), "%s/leaf.pem", dir);
	snprintf(chain, sizeof(chain), "%s/chain.pem", dir);
	f = fopen(root, "w");
	ck_assert_ptr_nonnull(f);
	fputs(pki_root_pem(p), f);
	fclose(f);
	write_pem(leaf, pki_cert_x509(c), false);
	unlink(chain);
	for (int i = 0; i < sk_X509_num(ch); i++)
		write_pem(chain, sk_X509_value(ch, i), true);
	snprintf(cmd, sizeof(cmd), "openssl verify -CAfile %s %s%s -attime %d "
	    "-purpose sslserver -auth_level 2 -verify_hostname %s %s 2>&1",
	    root, sk_X509_num(ch) > 0 ? "-untrusted " : "",
	    sk_X509_num(ch) > 0 ? chain : "", CLOCK, host, leaf);
	f = popen(cmd, "r");
	ck_assert_ptr_nonnull(f);
	n = fread(out, 1, outlen - 1, f);
	out[n] = '\0';
	rc = pclose(f);
	return rc == 0 && strstr(out, ": OK") != NULL ? 0 : -1;
}

static const struct {
	const char *variant, *host;
	const char *api;       /* pki_verify's answer, NULL: valid */
	const char *cli;       /* in openssl verify's output when it fails */
	int chain;             /* certificates served beyond the leaf */
} cases[] = {
	{ "bad-signature", "mx1.example.test", "certificate-not-trusted",
	  "certificate signature failure", 0 },
	{ "leaf-as-ca", "mx1.example.test", "certificate-not-trusted",
	  "invalid CA certificate", 1 },
	{ "intermediate", "mx1.example.test", NULL, NULL, 1 },
	{ "missing-intermediate", "mx1.example.test", "certificate-not-trusted",
	  "unable to get local issuer certificate", 0 },
	{ "wrong-chain-order", "mx1.example.test", NULL, NULL, 2 },
	{ "wildcard", "mx1.example.test", NULL, NULL, 0 },
	{ "wildcard-two-labels", "mx1.sub.example.test",
	  "certificate-host-mismatch", "hostname mismatch", 0 },
	/* `openssl verify -verify_hostname` still falls back to the subject
	 * CN when there is no SAN (it has no option for OpenSSL's
	 * X509_CHECK_FLAG_NEVER_CHECK_SUBJECT); RFC 6125 6.4.4 checkers,
	 * pki_verify and the reference sender, do not */
	{ "cn-only", "mx1.example.test", "certificate-host-mismatch", NULL, 0 },
	{ "weak-rsa", "mx1.example.test", "validation-failure",
	  "key too weak", 0 },
	{ "sha1", "mx1.example.test", "validation-failure",
	  "digest algorithm too weak", 0 },
	{ "domain-only", "mx1.example.test", "certificate-host-mismatch",
	  "hostname mismatch", 0 },
	{ "valid", "mx1.example.test", NULL, NULL, 0 },
};

START_TEST(each_variant)
{
	struct pki *p = pki_new(1, CLOCK);
	char out[2048];

	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		struct pki_cert *c = issue(p, cases[i].variant, cases[i].host);
		const char *r = verify_api(p, c, cases[i].host);
		int cli = verify_cli(p, c, cases[i].host, out, sizeof(out));
		SSL_CTX *ctx;

		ck_assert_msg(cases[i].api == NULL ? r == NULL :
		    r != NULL && strcmp(r, cases[i].api) == 0,
		    "%s: pki_verify says %s, want %s", cases[i].variant,
		    r ? r : "valid", cases[i].api ? cases[i].api : "valid");
		if (cases[i].cli == NULL)
			ck_assert_msg(cli == 0, "%s: openssl verify: %s",
			    cases[i].variant, out);
		else
			ck_assert_msg(cli < 0 && strstr(out, cases[i].cli) != NULL,
			    "%s: openssl verify: want \"%s\", got %s", cases[i].variant,
			    cases[i].cli, out);
		ck_assert_int_eq(sk_X509_num(pki_cert_chain(c)), cases[i].chain);
		ctx = pki_server_ctx(c);
		ck_assert_msg(ctx != NULL, "%s: no server context", cases[i].variant);
		SSL_CTX_free(ctx);
		pki_cert_free(c);
	}
	pki_free(p);
}
END_TEST

START_TEST(shapes)
{
	struct pki *p = pki_new(1, CLOCK);
	struct pki_cert *c;
	STACK_OF(X509) *ch;
	char name[256];

	/* wrong-chain-order serves CA 1 then CA 2; CA 2 issued the leaf */
	c = issue(p, "wrong-chain-order", "mx1.example.test");
	ch = pki_cert_chain(c);
	X509_NAME_get_text_by_NID(X509_get_subject_name(sk_X509_value(ch, 0)),
	    NID_commonName, name, sizeof(name));
	ck_assert_str_eq(name, "mxsim test intermediate CA");
	ck_assert_int_eq(X509_check_issued(sk_X509_value(ch, 1), pki_cert_x509(c)),
	    X509_V_OK);
	pki_cert_free(c);
	/* the leaf used as a CA is no CA */
	c = issue(p, "leaf-as-ca", "mx1.example.test");
	ck_assert_int_eq(X509_check_ca(sk_X509_value(pki_cert_chain(c), 0)), 0);
	pki_cert_free(c);
	/* weak-rsa: 1024 bits; sha1: SHA-1 */
	c = issue(p, "weak-rsa", "mx1.example.test");
	ck_assert_int_eq(EVP_PKEY_get_bits(pki_cert_key(c)), 1024);
	pki_cert_free(c);
	c = issue(p, "sha1", "mx1.example.test");
	ck_assert_int_eq(X509_get_signature_nid(pki_cert_x509(c)),
	    NID_ecdsa_with_SHA1);
	pki_cert_free(c);
	/* bad-signature: the server's key is the one in the certificate */
	c = issue(p, "bad-signature", "mx1.example.test");
	ck_assert_int_eq(X509_check_private_key(pki_cert_x509(c), pki_cert_key(c)), 1);
	pki_cert_free(c);
	pki_free(p);
}
END_TEST

START_TEST(errors)
{
	struct pki *p = pki_new(1, CLOCK);
	struct pki_spec spec = { .variant = "wildcard-two-labels",
	    .host = "mx1.example.test" };
	struct pki_cert *c = NULL;
	char err[256];

	ck_assert_int_eq(pki_issue(p, &spec, &c, err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "too few labels"));
	spec.variant = "domain-only";
	spec.host = "test";
	ck_assert_int_eq(pki_issue(p, &spec, &c, err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "needs the recipient domain"));
	ck_assert_ptr_null(c);
	/* without a domain: the host's parent */
	spec.host = "mta-sts.example.test";
	ck_assert_int_eq(pki_issue(p, &spec, &c, err, sizeof(err)), 0);
	ck_assert_int_eq(X509_check_host(pki_cert_x509(c), "example.test", 0, 0, NULL), 1);
	ck_assert_int_ne(X509_check_host(pki_cert_x509(c), "mta-sts.example.test", 0,
	    0, NULL), 1);
	pki_cert_free(c);
	pki_free(p);
}
END_TEST

START_TEST(deterministic)
{
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		uint8_t *a, *b;
		size_t na, nb;
		struct pki *p1, *p2;
		struct pki_cert *c1, *c2;

		pki_rand_reset(7, "t");
		p1 = pki_new(7, CLOCK);
		c1 = issue(p1, cases[i].variant, cases[i].host);
		pki_rand_reset(7, "t");
		p2 = pki_new(7, CLOCK);
		c2 = issue(p2, cases[i].variant, cases[i].host);
		na = der_of(pki_cert_x509(c1), &a);
		nb = der_of(pki_cert_x509(c2), &b);
		ck_assert_msg(na == nb && memcmp(a, b, na) == 0, "%s differs",
		    cases[i].variant);
		free(a);
		free(b);
		for (int k = 0; k < sk_X509_num(pki_cert_chain(c1)); k++)
			ck_assert_int_eq(X509_cmp(sk_X509_value(pki_cert_chain(c1), k),
			    sk_X509_value(pki_cert_chain(c2), k)), 0);
		pki_cert_free(c1);
		pki_cert_free(c2);
		pki_free(p1);
		pki_free(p2);
		pki_rand_restore();
	}
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("pki_variants");
	TCase *tc = tcase_create("variants");

	tcase_set_timeout(tc, 120);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, each_variant);
	tcase_add_test(tc, shapes);
	tcase_add_test(tc, errors);
	tcase_add_test(tc, deterministic);
	suite_add_tcase(s, tc);
	return s;
}

TEST_MAIN(suite)
