/*
 * check_pki: core/pki.c and core/pki_rand.c.  The seeded RNG stream, byte
 * for byte determinism of CAs and leaves, every certificate variant and its
 * verification result-type, custom specs (wildcards, CN only, RSA, dates,
 * issuers), a real TLS handshake between pki_server_ctx and pki_client_ctx,
 * and the real `openssl verify` judging our certificates.  Prints how long
 * 100 EC leaves take to issue.
 */
#include "core/pki.h"
#include "core/util.h"
#include "tests/unit/testutil.h"

#include <stdarg.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>

#define T ((time_t)1767225600)  /* 2026-01-01T00:00:00Z */
#define DAY 86400L
#define HOST "mx1.example.test"

static struct pki_cert *
issue(struct pki *p, const char *variant, const char *host)
{
	struct pki_spec spec = { .variant = variant, .host = host };
	struct pki_cert *c;
	char err[256] = "";

	ck_assert_msg(pki_issue(p, &spec, &c, err, sizeof(err)) == 0,
	    "issue %s: %s", variant, err);
	ck_assert_str_eq(pki_cert_label(c), variant);
	return c;
}

static struct pki_cert *
issue_spec(struct pki *p, const struct pki_spec *spec)
{
	struct pki_cert *c;
	char err[256] = "";

	ck_assert_msg(pki_issue(p, spec, &c, err, sizeof(err)) == 0,
	    "issue %s: %s", spec->variant, err);
	return c;
}

/* Expect pki_issue to fail with a message containing `want`. */
static void
issue_fails(struct pki *p, const struct pki_spec *spec, const char *want)
{
	struct pki_cert *c = (struct pki_cert *)1;
	char err[256] = "";

	ck_assert_int_eq(pki_issue(p, spec, &c, err, sizeof(err)), -1);
	ck_assert_ptr_null(c);
	ck_assert_msg(strstr(err, want) != NULL, "error \"%s\" lacks \"%s\"",
	    err, want);
}

static void
der_x509(X509 *x, struct buf *b)
{
	unsigned char *d = NULL;
	int n = i2d_X509(x, &d);

	ck_assert_int_gt(n, 0);
	buf_init(b);
	buf_append(b, d, (size_t)n);
	OPENSSL_free(d);
}

/* Byte-identical DER? */
static bool
same_x509(X509 *x, X509 *y)
{
	struct buf a, b;
	bool eq;

	der_x509(x, &a);
	der_x509(y, &b);
	eq = a.len == b.len && memcmp(a.data, b.data, a.len) == 0;
	buf_free(&a);
	buf_free(&b);
	return eq;
}

static bool
same_key(EVP_PKEY *x, EVP_PKEY *y)
{
	unsigned char *a = NULL, *b = NULL;
	int na = i2d_PrivateKey(x, &a), nb = i2d_PrivateKey(y, &b);
	bool eq;

	ck_assert(na > 0 && nb > 0);
	eq = na == nb && memcmp(a, b, (size_t)na) == 0;
	OPENSSL_free(a);
	OPENSSL_free(b);
	return eq;
}

/* pki_verify with the chain the certificate is served with. */
static const char *
verify(struct pki *p, const struct pki_cert *c, const char *host, time_t at)
{
	STACK_OF(X509) *chain = pki_cert_chain(c);
	struct buf leaf, ch, one;
	const char *res;

	der_x509(pki_cert_x509(c), &leaf);
	buf_init(&ch);
	for (int i = 0; i < sk_X509_num(chain); i++) {
		der_x509(sk_X509_value(chain, i), &one);
		buf_append(&ch, one.data, one.len);
		buf_free(&one);
	}
	res = pki_verify(p, leaf.data, leaf.len, ch.data, ch.len, host, at);
	buf_free(&leaf);
	buf_free(&ch);
	return res;
}

static void
verify_is(struct pki *p, const struct pki_cert *c, const char *host, time_t at,
	const char *want)
{
	const char *got = verify(p, c, host, at);

	ck_assert_msg((got == NULL && want == NULL) ||
	    (got != NULL && want != NULL && strcmp(got, want) == 0),
	    "%s for %s at %lld: got %s, want %s", pki_cert_label(c),
	    host ? host : "(no host)", (long long)at, got ? got : "valid",
	    want ? want : "valid");
}

static time_t
asn1_time(const ASN1_TIME *t)
{
	struct tm tm;

	ck_assert_int_eq(ASN1_TIME_to_tm(t, &tm), 1);
	return timegm(&tm);
}

static void
assert_cn(X509 *x, const char *want)
{
	char cn[256];

	ck_assert_int_gt(X509_NAME_get_text_by_NID(X509_get_subject_name(x),
	    NID_commonName, cn, sizeof(cn)), 0);
	ck_assert_str_eq(cn, want);
}

/* The SAN is exactly the one DNS name `want` (NULL: no SAN at all). */
static void
assert_san(X509 *x, const char *want)
{
	GENERAL_NAMES *gens = X509_get_ext_d2i(x, NID_subject_alt_name, NULL, NULL);
	const GENERAL_NAME *gn;

	if (want == NULL) {
		ck_assert_ptr_null(gens);
		return;
	}
	ck_assert_ptr_nonnull(gens);
	ck_assert_int_eq(sk_GENERAL_NAME_num(gens), 1);
	gn = sk_GENERAL_NAME_value(gens, 0);
	ck_assert_int_eq(gn->type, GEN_DNS);
	ck_assert_str_eq((const char *)ASN1_STRING_get0_data(gn->d.dNSName), want);
	GENERAL_NAMES_free(gens);
}

static void
assert_issued_by(X509 *leaf, X509 *ca)
{
	const ASN1_OCTET_STRING *aki = X509_get0_authority_key_id(leaf);
	const ASN1_OCTET_STRING *ski = X509_get0_subject_key_id(ca);

	/* X509_check_issued also wants keyCertSign, which a self-signed
	 * leaf does not have. */
	if (X509_check_ca(ca))
		ck_assert_int_eq(X509_check_issued(ca, leaf), X509_V_OK);
	ck_assert_int_eq(X509_NAME_cmp(X509_get_issuer_name(leaf),
	    X509_get_subject_name(ca)), 0);
	ck_assert_int_eq(X509_verify(leaf, X509_get0_pubkey(ca)), 1);
	ck_assert_ptr_nonnull(aki);
	ck_assert_ptr_nonnull(ski);
	ck_assert_int_eq(ASN1_OCTET_STRING_cmp(aki, ski), 0);
}

static void
teardown(void)
{
	pki_rand_restore();
	ck_assert_ptr_eq(RAND_get_rand_method(), RAND_OpenSSL());
	ERR_clear_error();
}

START_TEST(test_rand_stream)
{
	uint8_t a[100], b[100], c[100];
	struct pki *p;

	pki_rand_reset(1, "a");
	ck_assert_int_eq(RAND_bytes(a, sizeof(a)), 1);
	pki_rand_reset(1, "a");
	ck_assert_int_eq(RAND_bytes(b, 7), 1);           /* any slicing */
	ck_assert_int_eq(RAND_priv_bytes(b + 7, 40), 1); /* priv: same stream */
	ck_assert_int_eq(RAND_bytes_ex(NULL, b + 47, 53, 256), 1);
	ck_assert_mem_eq(a, b, sizeof(a));

	pki_rand_reset(1, "b");
	ck_assert_int_eq(RAND_bytes(c, sizeof(c)), 1);
	ck_assert(memcmp(a, c, sizeof(a)) != 0);
	pki_rand_reset(2, "a");
	ck_assert_int_eq(RAND_bytes(c, sizeof(c)), 1);
	ck_assert(memcmp(a, c, sizeof(a)) != 0);

	/* pki_new and pki_issue neither depend on nor disturb the stream. */
	pki_rand_reset(5, "world");
	ck_assert_int_eq(RAND_bytes(a, 16), 1);
	pki_rand_reset(5, "world");
	p = pki_new(1, T);
	ck_assert_ptr_nonnull(p);
	pki_cert_free(issue(p, "valid", HOST));
	ck_assert_int_eq(RAND_bytes(b, 16), 1);
	ck_assert_mem_eq(a, b, 16);
	pki_free(p);

	/* Back to OpenSSL's RNG, and pki_new does not leave ours behind. */
	pki_rand_restore();
	ck_assert_ptr_eq(RAND_get_rand_method(), RAND_OpenSSL());
	p = pki_new(1, T);
	ck_assert_ptr_nonnull(p);
	ck_assert_ptr_eq(RAND_get_rand_method(), RAND_OpenSSL());
	ck_assert_int_eq(RAND_bytes(a, 32), 1);
	ck_assert_int_eq(RAND_bytes(b, 32), 1);
	ck_assert(memcmp(a, b, 32) != 0);
	pki_free(p);
}
END_TEST

START_TEST(test_determinism)
{
	struct pki *p1, *p2, *p3;
	struct pki_cert *l1, *l2, *l3, *x, *again, *u1, *u2;
	struct pki_spec cs = { .variant = "custom", .host = HOST,
	    .cn = "other.example.test" };

	pki_rand_reset(99, "before-1");      /* prior state must not matter */
	p1 = pki_new(42, T);
	l1 = issue(p1, "valid", HOST);
	pki_rand_restore();
	p2 = pki_new(42, T);
	/* Other certificates first: issuing order does not matter. */
	x = issue(p2, "expired", HOST);
	pki_cert_free(issue_spec(p2, &cs));
	l2 = issue(p2, "valid", HOST);
	ck_assert_ptr_nonnull(p1);
	ck_assert_ptr_nonnull(p2);

	ck_assert(same_x509(pki_cert_x509(l1), pki_cert_x509(l2)));
	ck_assert(same_key(pki_cert_key(l1), pki_cert_key(l2)));
	ck_assert_str_eq(pki_root_pem(p1), pki_root_pem(p2));

	/* Same spec again: a distinct certificate (serial and key). */
	again = issue(p2, "valid", HOST);
	ck_assert_int_ne(ASN1_INTEGER_cmp(X509_get0_serialNumber(
	    pki_cert_x509(again)), X509_get0_serialNumber(pki_cert_x509(l2))), 0);
	ck_assert_int_ne(EVP_PKEY_eq(pki_cert_key(again), pki_cert_key(l2)), 1);

	/* The untrusted CA is the same in both worlds too. */
	u1 = issue(p1, "untrusted-ca", HOST);
	u2 = issue(p2, "untrusted-ca", HOST);
	ck_assert_int_eq(sk_X509_num(pki_cert_chain(u1)), 1);
	ck_assert(same_x509(sk_X509_value(pki_cert_chain(u1), 0), sk_X509_value(pki_cert_chain(u2), 0)));
	ck_assert(same_x509(pki_cert_x509(u1), pki_cert_x509(u2)));

	/* Another seed: other CA, other leaf. */
	p3 = pki_new(43, T);
	ck_assert_ptr_nonnull(p3);
	l3 = issue(p3, "valid", HOST);
	ck_assert_str_ne(pki_root_pem(p1), pki_root_pem(p3));
	ck_assert(!same_x509(pki_cert_x509(l1), pki_cert_x509(l3)));
	ck_assert_int_ne(EVP_PKEY_eq(pki_cert_key(l1), pki_cert_key(l3)), 1);
	ck_assert_int_ne(ASN1_INTEGER_cmp(X509_get0_serialNumber(
	    pki_cert_x509(l1)), X509_get0_serialNumber(pki_cert_x509(l3))), 0);
	/* The other seed's root does not vouch for this seed's leaf. */
	verify_is(p3, l1, HOST, T, "certificate-not-trusted");

	pki_cert_free(l1);
	pki_cert_free(l2);
	pki_cert_free(l3);
	pki_cert_free(x);
	pki_cert_free(again);
	pki_cert_free(u1);
	pki_cert_free(u2);
	pki_free(p1);
	pki_free(p2);
	pki_free(p3);
}
END_TEST

START_TEST(test_ca)
{
	struct pki *p = pki_new(7, T);
	struct pki_cert *u;
	X509 *root, *ut, *fromfile;
	X509_EXTENSION *bc;
	char path[] = "/tmp/check_pki_root.XXXXXX";
	BIO *bio;
	FILE *f;
	int fd;

	ck_assert_ptr_nonnull(p);
	ck_assert_int_eq(pki_clock(p), T);
	bio = BIO_new_mem_buf(pki_root_pem(p), -1);
	root = PEM_read_bio_X509(bio, NULL, NULL, NULL);
	BIO_free(bio);
	ck_assert_ptr_nonnull(root);
	ck_assert(strncmp(pki_root_pem(p), "-----BEGIN CERTIFICATE-----\n", 28) == 0);

	assert_cn(root, "mxsim test root CA");
	ck_assert_int_eq(X509_get_version(root), X509_VERSION_3);
	ck_assert_int_eq(X509_check_ca(root), 1);
	bc = X509_get_ext(root, X509_get_ext_by_NID(root, NID_basic_constraints, -1));
	ck_assert_ptr_nonnull(bc);
	ck_assert_int_eq(X509_EXTENSION_get_critical(bc), 1);
	ck_assert_uint_eq(X509_get_key_usage(root), KU_KEY_CERT_SIGN | KU_CRL_SIGN);
	assert_issued_by(root, root);
	ck_assert_int_eq(X509_get_signature_nid(root), NID_ecdsa_with_SHA256);
	ck_assert_int_eq(EVP_PKEY_get_base_id(X509_get0_pubkey(root)), EVP_PKEY_EC);
	ck_assert_int_eq(asn1_time(X509_get0_notBefore(root)), T - 3650 * DAY);
	ck_assert_int_eq(asn1_time(X509_get0_notAfter(root)), T + 3650 * DAY);

	/* The store holds the root and nothing else. */
	ck_assert_int_eq(sk_X509_OBJECT_num(X509_STORE_get0_objects(pki_store(p))), 1);

	/* pki_write_root writes the same PEM. */
	fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	close(fd);
	ck_assert_int_eq(pki_write_root(p, path), 0);
	f = fopen(path, "r");
	ck_assert_ptr_nonnull(f);
	fromfile = PEM_read_X509(f, NULL, NULL, NULL);
	fclose(f);
	unlink(path);
	ck_assert_ptr_nonnull(fromfile);
	ck_assert_int_eq(X509_cmp(fromfile, root), 0);
	X509_free(fromfile);
	ck_assert_int_eq(pki_write_root(p, "/nonexistent/dir/root.pem"), -1);

	/* The untrusted CA: a CA like the root, but not in the store. */
	u = issue(p, "untrusted-ca", HOST);
	ut = sk_X509_value(pki_cert_chain(u), 0);
	assert_cn(ut, "mxsim untrusted CA");
	ck_assert_int_eq(X509_check_ca(ut), 1);
	ck_assert_int_ne(X509_cmp(ut, root), 0);
	assert_issued_by(ut, ut);
	assert_issued_by(pki_cert_x509(u), ut);

	pki_cert_free(u);
	X509_free(root);
	pki_free(p);
}
END_TEST

static const struct {
	const char *variant;
	const char *name;       /* in SAN and CN; NULL = HOST */
	long nb, na;            /* days from T */
	int issuer;             /* 0 root, 1 untrusted, 2 self */
	const char *result;     /* pki_verify for HOST at T */
} expect[] = {
	{ "valid",         NULL,                 -30,  365, 0, NULL },
	{ "expired",       NULL,                 -400, -1,  0, "certificate-expired" },
	{ "not-yet-valid", NULL,                 1,    400, 0, "certificate-expired" },
	{ "wrong-host",    "wrong-host.invalid", -30,  365, 0, "certificate-host-mismatch" },
	{ "self-signed",   NULL,                 -30,  365, 2, "certificate-not-trusted" },
	{ "untrusted-ca",  NULL,                 -30,  365, 1, "certificate-not-trusted" },
	{ "attacker",      PKI_ATTACKER_NAME,    -30,  365, 0, "certificate-host-mismatch" },
};

START_TEST(test_variants)
{
	struct pki *p = pki_new(3, T);
	struct pki_cert *c = NULL, *u = NULL;
	X509 *root;
	BIO *bio = BIO_new_mem_buf(pki_root_pem(p), -1);

	root = PEM_read_bio_X509(bio, NULL, NULL, NULL);
	BIO_free(bio);
	ck_assert_ptr_nonnull(root);
	for (size_t i = 0; i < ARRAY_LEN(expect); i++) {
		const char *name = expect[i].name ? expect[i].name : HOST;
		X509 *x;

		c = issue(p, expect[i].variant, HOST);
		x = pki_cert_x509(c);
		assert_cn(x, name);
		assert_san(x, name);
		ck_assert_int_eq(asn1_time(X509_get0_notBefore(x)), T + expect[i].nb * DAY);
		ck_assert_int_eq(asn1_time(X509_get0_notAfter(x)), T + expect[i].na * DAY);
		/* Leaf extensions, whatever the variant. */
		ck_assert_int_eq(X509_check_ca(x), 0);
		ck_assert_uint_eq(X509_get_key_usage(x), KU_DIGITAL_SIGNATURE);
		ck_assert_uint_eq(X509_get_extended_key_usage(x), XKU_SSL_SERVER);
		ck_assert_ptr_nonnull(X509_get0_subject_key_id(x));
		ck_assert_int_eq(X509_get_signature_nid(x), NID_ecdsa_with_SHA256);
		if (expect[i].issuer == 0)
			assert_issued_by(x, root);
		else if (expect[i].issuer == 2)
			assert_issued_by(x, x);
		ck_assert_int_eq(sk_X509_num(pki_cert_chain(c)), expect[i].issuer == 1);
		verify_is(p, c, HOST, T, expect[i].result);
		if (i == 0)
			u = c;
		else
			pki_cert_free(c);
	}

	/* The same certificates through other eyes. */
	c = issue(p, "attacker", HOST);
	verify_is(p, c, PKI_ATTACKER_NAME, T, NULL);
	pki_cert_free(c);
	c = issue(p, "wrong-host", HOST);
	verify_is(p, c, "wrong-host.invalid", T, NULL);
	pki_cert_free(c);
	c = issue(p, "untrusted-ca", HOST);
	{
		/* without the chain it is as untrusted as with it */
		struct buf leaf;

		der_x509(pki_cert_x509(c), &leaf);
		ck_assert_str_eq(pki_verify(p, leaf.data, leaf.len, NULL, 0, HOST, T),
		    "certificate-not-trusted");
		ck_assert_str_eq(pki_verify(p, leaf.data, leaf.len - 1, NULL, 0,
		    HOST, T), "validation-failure");
		ck_assert_str_eq(pki_verify(p, leaf.data, leaf.len, leaf.data, 10,
		    HOST, T), "validation-failure");
		buf_free(&leaf);
	}
	pki_cert_free(c);

	/* Time moves: the valid leaf expires, and was not valid yet before. */
	verify_is(p, u, HOST, T + 364 * DAY, NULL);
	verify_is(p, u, HOST, T + 366 * DAY, "certificate-expired");
	verify_is(p, u, HOST, T - 31 * DAY, "certificate-expired");
	verify_is(p, u, "MX1.Example.Test", T, NULL);
	verify_is(p, u, "mx2.example.test", T, "certificate-host-mismatch");
	verify_is(p, u, NULL, T, NULL);
	pki_cert_free(u);

	/* Dates are judged before names. */
	c = issue(p, "expired", "a.example.test");
	verify_is(p, c, HOST, T, "certificate-expired");
	pki_cert_free(c);

	X509_free(root);
	pki_free(p);
}
END_TEST

START_TEST(test_custom)
{
	struct pki *p = pki_new(4, T);
	struct pki_cert *c;
	const char *const wild[] = { "*.example.test", NULL };
	const char *const two[] = { "mx1.example.test", "mx2.example.org", NULL };
	const char *const partial[] = { "mx*.example.test", NULL };
	const char *const none[] = { NULL };
	struct pki_spec s;

	memset(&s, 0, sizeof(s));
	s.variant = "custom";
	s.host = HOST;
	s.san = wild;
	c = issue_spec(p, &s);
	ck_assert_str_eq(pki_cert_label(c), "custom");
	assert_cn(pki_cert_x509(c), HOST);
	assert_san(pki_cert_x509(c), "*.example.test");
	verify_is(p, c, "mx1.example.test", T, NULL);
	verify_is(p, c, "a.b.example.test", T, "certificate-host-mismatch");
	verify_is(p, c, "example.test", T, "certificate-host-mismatch");
	pki_cert_free(c);

	s.san = partial;  /* no partial-label wildcards */
	c = issue_spec(p, &s);
	verify_is(p, c, "mx1.example.test", T, "certificate-host-mismatch");
	pki_cert_free(c);

	s.san = two;
	c = issue_spec(p, &s);
	verify_is(p, c, "mx1.example.test", T, NULL);
	verify_is(p, c, "mx2.example.org", T, NULL);
	verify_is(p, c, "mx2.example.test", T, "certificate-host-mismatch");
	pki_cert_free(c);

	/* The name only in the CN: no CN fallback. */
	s.san = NULL;
	s.no_san = true;
	c = issue_spec(p, &s);
	assert_cn(pki_cert_x509(c), HOST);
	assert_san(pki_cert_x509(c), NULL);
	verify_is(p, c, HOST, T, "certificate-host-mismatch");
	verify_is(p, c, NULL, T, NULL);  /* the chain itself is fine */
	pki_cert_free(c);
	s.no_san = false;
	s.san = none;     /* an empty list: no SAN either */
	c = issue_spec(p, &s);
	assert_san(pki_cert_x509(c), NULL);
	pki_cert_free(c);

	/* CN and default SAN; explicit dates. */
	s.san = NULL;
	s.cn = "Some Name";
	s.not_before = T - 10 * DAY;
	s.not_after = T + 5 * DAY;
	c = issue_spec(p, &s);
	assert_cn(pki_cert_x509(c), "Some Name");
	assert_san(pki_cert_x509(c), HOST);
	ck_assert_int_eq(asn1_time(X509_get0_notBefore(pki_cert_x509(c))), T - 10 * DAY);
	ck_assert_int_eq(asn1_time(X509_get0_notAfter(pki_cert_x509(c))), T + 5 * DAY);
	verify_is(p, c, HOST, T, NULL);
	verify_is(p, c, HOST, T + 6 * DAY, "certificate-expired");
	pki_cert_free(c);

	/* A self-signed certificate that has also expired is not trusted
	 * first; so is an expired one from the untrusted CA. */
	s.cn = NULL;
	s.not_before = T - 100 * DAY;
	s.not_after = T - 50 * DAY;
	s.issuer = "self";
	c = issue_spec(p, &s);
	assert_issued_by(pki_cert_x509(c), pki_cert_x509(c));
	verify_is(p, c, HOST, T, "certificate-not-trusted");
	pki_cert_free(c);
	s.issuer = "untrusted";
	c = issue_spec(p, &s);
	ck_assert_int_eq(sk_X509_num(pki_cert_chain(c)), 1);
	verify_is(p, c, "other.test", T, "certificate-not-trusted");
	pki_cert_free(c);
	s.issuer = "root";
	c = issue_spec(p, &s);
	verify_is(p, c, "other.test", T, "certificate-expired");
	pki_cert_free(c);

	/* Errors name what is wrong and what is allowed. */
	memset(&s, 0, sizeof(s));
	s.variant = "bogus";
	s.host = HOST;
	issue_fails(p, &s, "unknown certificate variant \"bogus\"");
	issue_fails(p, &s, "valid, expired, not-yet-valid, wrong-host, "
	    "self-signed, untrusted-ca, attacker, bad-signature, leaf-as-ca, ");
	s.variant = NULL;
	issue_fails(p, &s, "without a variant");
	s.variant = "valid";
	s.key = "dsa";
	issue_fails(p, &s, "unknown key type \"dsa\"");
	s.key = NULL;
	s.host = NULL;
	issue_fails(p, &s, "without a host name");
	s.variant = "custom";
	s.host = HOST;
	s.issuer = "mallory";
	issue_fails(p, &s, "unknown certificate issuer \"mallory\"");
	s.issuer = NULL;
	s.not_before = T;
	s.not_after = T - 1;
	issue_fails(p, &s, "not_after is before not_before");
	pki_free(p);
}
END_TEST

START_TEST(test_rsa)
{
	struct pki *p1 = pki_new(5, T), *p2 = pki_new(5, T);
	struct pki_spec s = { .variant = "valid", .host = HOST, .key = "rsa" };
	struct pki_cert *c1 = issue_spec(p1, &s), *c2 = issue_spec(p2, &s);
	X509 *x = pki_cert_x509(c1);

	ck_assert_int_eq(EVP_PKEY_get_base_id(pki_cert_key(c1)), EVP_PKEY_RSA);
	ck_assert_int_eq(EVP_PKEY_get_bits(pki_cert_key(c1)), 2048);
	ck_assert_uint_eq(X509_get_key_usage(x),
	    KU_DIGITAL_SIGNATURE | KU_KEY_ENCIPHERMENT);
	ck_assert_int_eq(X509_get_signature_nid(x), NID_ecdsa_with_SHA256);
	verify_is(p1, c1, HOST, T, NULL);
	ck_assert(same_x509(x, pki_cert_x509(c2)));
	ck_assert(same_key(pki_cert_key(c1), pki_cert_key(c2)));
	pki_cert_free(c2);

	/* Self-signed RSA: signed with its own key, sha256WithRSAEncryption. */
	s.variant = "self-signed";
	c2 = issue_spec(p1, &s);
	ck_assert_int_eq(X509_get_signature_nid(pki_cert_x509(c2)),
	    NID_sha256WithRSAEncryption);
	verify_is(p1, c2, HOST, T, "certificate-not-trusted");
	pki_cert_free(c2);
	pki_cert_free(c1);
	pki_free(p1);
	pki_free(p2);
}
END_TEST

struct hs {
	long verify;            /* the client's SSL_get_verify_result */
	int version;
	int peer_chain;         /* certificates the server sent */
	uint8_t crand[SSL3_RANDOM_SIZE], srand[SSL3_RANDOM_SIZE];
	uint8_t ekm[32];        /* exported keying material (RFC 8446 7.5) */
};

static bool
hs_step(SSL *s, int rc, const char *who)
{
	int e;

	if (rc == 1)
		return true;
	e = SSL_get_error(s, rc);
	ck_assert_msg(e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE,
	    "%s handshake failed: SSL error %d, %s", who, e,
	    ERR_reason_error_string(ERR_peek_error()));
	return false;
}

/* A full handshake over a socketpair, both ends in this thread, stepped in
 * turn on non-blocking sockets (no waiting, no threads), then one record
 * of application data. */
static void
handshake(struct pki *p, struct pki_cert *c, const char *host, time_t at,
	struct hs *out)
{
	SSL_CTX *sctx = pki_server_ctx(c), *cctx = pki_client_ctx(p);
	bool cdone = false, sdone = false;
	uint8_t ekm[sizeof(out->ekm)];
	SSL *srv, *cli;
	char msg[8];
	int sv[2];

	ck_assert_ptr_nonnull(sctx);
	ck_assert_ptr_nonnull(cctx);
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, 0, sv), 0);
	srv = SSL_new(sctx);
	cli = SSL_new(cctx);
	ck_assert(srv != NULL && cli != NULL);
	ck_assert_int_eq(SSL_set_fd(srv, sv[0]), 1);
	ck_assert_int_eq(SSL_set_fd(cli, sv[1]), 1);
	ck_assert_int_eq(SSL_set_tlsext_host_name(cli, host), 1);
	ck_assert_int_eq(SSL_set1_host(cli, host), 1);
	X509_VERIFY_PARAM_set_time(SSL_get0_param(cli), at);
	for (int i = 0; i < 50 && !(cdone && sdone); i++) {
		if (!cdone)
			cdone = hs_step(cli, SSL_connect(cli), "client");
		if (!sdone)
			sdone = hs_step(srv, SSL_accept(srv), "server");
	}
	ck_assert(cdone && sdone);
	ck_assert_int_eq(SSL_write(cli, "ping", 4), 4);
	ck_assert_int_eq(SSL_read(srv, msg, sizeof(msg)), 4);
	ck_assert(memcmp(msg, "ping", 4) == 0);
	/* The reply also carries any post-handshake message: no tickets. */
	ck_assert_int_eq(SSL_write(srv, "pong", 4), 4);
	ck_assert_int_eq(SSL_read(cli, msg, sizeof(msg)), 4);
	ck_assert_int_eq(SSL_SESSION_has_ticket(SSL_get_session(cli)), 0);
	ck_assert_int_eq(X509_cmp(SSL_get0_peer_certificate(cli),
	    pki_cert_x509(c)), 0);

	out->verify = SSL_get_verify_result(cli);
	out->version = SSL_version(cli);
	out->peer_chain = sk_X509_num(SSL_get_peer_cert_chain(cli));
	SSL_get_client_random(cli, out->crand, sizeof(out->crand));
	SSL_get_server_random(cli, out->srand, sizeof(out->srand));
	ck_assert_int_eq(SSL_export_keying_material(cli, out->ekm,
	    sizeof(out->ekm), "EXPORTER-mxsim-test", 19, NULL, 0, 0), 1);
	ck_assert_int_eq(SSL_export_keying_material(srv, ekm, sizeof(ekm),
	    "EXPORTER-mxsim-test", 19, NULL, 0, 0), 1);
	ck_assert_mem_eq(out->ekm, ekm, sizeof(ekm));
	SSL_free(cli);
	SSL_free(srv);
	SSL_CTX_free(cctx);
	SSL_CTX_free(sctx);
	close(sv[0]);
	close(sv[1]);
}

START_TEST(test_handshake)
{
	struct pki *p;
	struct pki_cert *valid, *untrusted, *wrong, *expired, *rsa;
	struct pki_spec rs = { .variant = "valid", .host = HOST, .key = "rsa" };
	struct hs h1, h2;

	tu_netns();
	p = pki_new(8, T);
	valid = issue(p, "valid", HOST);
	untrusted = issue(p, "untrusted-ca", HOST);
	wrong = issue(p, "wrong-host", HOST);
	expired = issue(p, "expired", HOST);
	rsa = issue_spec(p, &rs);

	handshake(p, valid, HOST, T, &h1);
	ck_assert_int_eq(h1.verify, X509_V_OK);
	ck_assert_int_eq(h1.version, TLS1_3_VERSION);
	ck_assert_int_eq(h1.peer_chain, 1);
	handshake(p, valid, HOST, T + 400 * DAY, &h1);
	ck_assert_int_eq(h1.verify, X509_V_ERR_CERT_HAS_EXPIRED);
	handshake(p, rsa, HOST, T, &h1);
	ck_assert_int_eq(h1.verify, X509_V_OK);
	handshake(p, untrusted, HOST, T, &h1);
	ck_assert_int_eq(h1.verify, X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN);
	ck_assert_int_eq(h1.peer_chain, 2);
	handshake(p, wrong, HOST, T, &h1);
	ck_assert_int_eq(h1.verify, X509_V_ERR_HOSTNAME_MISMATCH);
	handshake(p, expired, HOST, T, &h1);
	ck_assert_int_eq(h1.verify, X509_V_ERR_CERT_HAS_EXPIRED);

	/* Seeded: the same handshake twice, the same randoms and secrets. */
	pki_rand_reset(9, "tls");
	handshake(p, valid, HOST, T, &h1);
	pki_rand_reset(9, "tls");
	handshake(p, valid, HOST, T, &h2);
	ck_assert_mem_eq(h1.crand, h2.crand, sizeof(h1.crand));
	ck_assert_mem_eq(h1.srand, h2.srand, sizeof(h1.srand));
	ck_assert_mem_eq(h1.ekm, h2.ekm, sizeof(h1.ekm));
	pki_rand_reset(10, "tls");
	handshake(p, valid, HOST, T, &h2);
	ck_assert(memcmp(h1.crand, h2.crand, sizeof(h1.crand)) != 0);
	ck_assert(memcmp(h1.ekm, h2.ekm, sizeof(h1.ekm)) != 0);

	pki_cert_free(valid);
	pki_cert_free(untrusted);
	pki_cert_free(wrong);
	pki_cert_free(expired);
	pki_cert_free(rsa);
	pki_free(p);
}
END_TEST

static void
write_pem(const char *dir, const char *name, X509 *x, STACK_OF(X509) *more)
{
	char *path = xasprintf("%s/%s", dir, name);
	FILE *f = fopen(path, "w");

	ck_assert_ptr_nonnull(f);
	if (x != NULL)
		ck_assert_int_eq(PEM_write_X509(f, x), 1);
	for (int i = 0; more != NULL && i < sk_X509_num(more); i++)
		ck_assert_int_eq(PEM_write_X509(f, sk_X509_value(more, i)), 1);
	ck_assert_int_eq(fclose(f), 0);
	free(path);
}

/* Run `openssl verify -CAfile root.pem ARGS` in dir and expect it to
 * succeed or fail (ok) with `want` in its output. */
static void PRINTF(4, 5)
openssl_verify(const char *dir, bool ok, const char *want, const char *fmt, ...)
{
	char *args, *cmd, chunk[512];
	struct buf out;
	va_list ap;
	size_t n;
	FILE *f;
	int st;

	va_start(ap, fmt);
	ck_assert_int_ge(vasprintf(&args, fmt, ap), 0);
	va_end(ap);
	cmd = xasprintf("cd '%s' && openssl verify -CAfile root.pem %s 2>&1",
	    dir, args);
	f = popen(cmd, "r");
	ck_assert_ptr_nonnull(f);
	buf_init(&out);
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		buf_append(&out, chunk, n);
	st = pclose(f);
	ck_assert(WIFEXITED(st));
	ck_assert_msg((WEXITSTATUS(st) == 0) == ok, "openssl verify %s: %s",
	    args, buf_cstr(&out));
	ck_assert_msg(strstr(buf_cstr(&out), want) != NULL, "openssl verify "
	    "%s: \"%s\" lacks \"%s\"", args, buf_cstr(&out), want);
	buf_free(&out);
	free(cmd);
	free(args);
}

START_TEST(test_openssl_verify)
{
	char dir[] = "/tmp/check_pki.XXXXXX";
	const char *files[] = { "root.pem", "valid.pem", "untrusted.pem",
	    "uchain.pem", "expired.pem", "wrong.pem" };
	struct pki *p = pki_new(12, T);
	struct pki_cert *valid, *untrusted, *expired, *wrong;
	char *path;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	valid = issue(p, "valid", HOST);
	untrusted = issue(p, "untrusted-ca", HOST);
	expired = issue(p, "expired", HOST);
	wrong = issue(p, "wrong-host", HOST);
	path = xasprintf("%s/root.pem", dir);
	ck_assert_int_eq(pki_write_root(p, path), 0);
	free(path);
	write_pem(dir, "valid.pem", pki_cert_x509(valid), NULL);
	write_pem(dir, "untrusted.pem", pki_cert_x509(untrusted), NULL);
	write_pem(dir, "uchain.pem", NULL, pki_cert_chain(untrusted));
	write_pem(dir, "expired.pem", pki_cert_x509(expired), NULL);
	write_pem(dir, "wrong.pem", pki_cert_x509(wrong), NULL);

	openssl_verify(dir, true, "root.pem: OK",
	    "-attime %lld -x509_strict root.pem", (long long)T);
	openssl_verify(dir, true, "valid.pem: OK", "-attime %lld -x509_strict "
	    "-purpose sslserver -verify_hostname %s valid.pem", (long long)T, HOST);
	openssl_verify(dir, false, "certificate has expired",
	    "-attime %lld valid.pem", (long long)(T + 400 * DAY));
	openssl_verify(dir, false, "self-signed certificate in certificate chain",
	    "-attime %lld -untrusted uchain.pem untrusted.pem", (long long)T);
	openssl_verify(dir, false, "unable to get local issuer certificate",
	    "-attime %lld untrusted.pem", (long long)T);
	openssl_verify(dir, false, "certificate has expired",
	    "-attime %lld expired.pem", (long long)T);
	openssl_verify(dir, false, "hostname mismatch",
	    "-attime %lld -verify_hostname %s wrong.pem", (long long)T, HOST);

	for (size_t i = 0; i < ARRAY_LEN(files); i++) {
		path = xasprintf("%s/%s", dir, files[i]);
		ck_assert_int_eq(unlink(path), 0);
		free(path);
	}
	ck_assert_int_eq(rmdir(dir), 0);
	pki_cert_free(valid);
	pki_cert_free(untrusted);
	pki_cert_free(expired);
	pki_cert_free(wrong);
	pki_free(p);
}
END_TEST

START_TEST(test_bench)
{
	struct pki *p = pki_new(13, T);
	ASN1_INTEGER *serial[100];
	struct timespec a, b;
	double ms;

	ck_assert_ptr_nonnull(p);
	pki_rand_reset(13, "bench");
	clock_gettime(CLOCK_MONOTONIC, &a);
	for (size_t i = 0; i < ARRAY_LEN(serial); i++) {
		struct pki_cert *c = issue(p, "valid", HOST);

		serial[i] = ASN1_INTEGER_dup(X509_get0_serialNumber(pki_cert_x509(c)));
		pki_cert_free(c);
	}
	clock_gettime(CLOCK_MONOTONIC, &b);
	ms = (double)(b.tv_sec - a.tv_sec) * 1e3 + (double)(b.tv_nsec - a.tv_nsec) / 1e6;
	printf("check_pki: issued %zu EC P-256 leaf certificates in %.1f ms "
	    "(%.3f ms each)\n", ARRAY_LEN(serial), ms, ms / ARRAY_LEN(serial));
	for (size_t i = 0; i < ARRAY_LEN(serial); i++)
		for (size_t j = i + 1; j < ARRAY_LEN(serial); j++)
			ck_assert_int_ne(ASN1_INTEGER_cmp(serial[i], serial[j]), 0);
	for (size_t i = 0; i < ARRAY_LEN(serial); i++)
		ASN1_INTEGER_free(serial[i]);
	pki_free(p);
}
END_TEST

static Suite *
pki_suite(void)
{
	Suite *s = suite_create("pki");
	TCase *tc = tcase_create("pki");

	tcase_add_checked_fixture(tc, NULL, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_rand_stream);
	tcase_add_test(tc, test_determinism);
	tcase_add_test(tc, test_ca);
	tcase_add_test(tc, test_variants);
	tcase_add_test(tc, test_custom);
	tcase_add_test(tc, test_rsa);
	tcase_add_test(tc, test_handshake);
	tcase_add_test(tc, test_openssl_verify);
	tcase_add_test(tc, test_bench);
	suite_add_tcase(s, tc);
	return s;
}

TEST_MAIN(pki_suite)
