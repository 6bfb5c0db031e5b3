/*
 * check_tlsa: core/tlsa.c.  Parsing of published records and scenario
 * specs, the association data checked against ldns's own DANE code
 * (ldns_dane_cert2rdf), DANE-EE and DANE-TA authentication over the PKI's
 * certificate variants (names, dates, wildcards, CN fallback, chains,
 * unusable records, digest agility), and a matrix of cases judged both
 * by tlsa_verify and by OpenSSL's DANE verifier in a real in-memory TLS
 * handshake, which must agree.
 */
#include "core/tlsa.h"
#include "core/pki.h"
#include "core/util.h"
#include "tests/unit/testutil.h"

#include <string.h>

#include <ldns/ldns.h>
#include <openssl/err.h>
#include <openssl/pem.h>

#define T ((time_t)1767225600)  /* 2026-01-01T00:00:00Z */
#define HOST "mx1.example.test"
#define DOMAIN "example.test"

static struct pki *P;
static X509 *ROOT;

static void
setup(void)
{
	BIO *b;

	log_set(stderr, LOG_WARN);
	P = pki_new(1, T);
	ck_assert_ptr_nonnull(P);
	b = BIO_new_mem_buf(pki_root_pem(P), -1);
	ROOT = PEM_read_bio_X509(b, NULL, NULL, NULL);
	BIO_free(b);
	ck_assert_ptr_nonnull(ROOT);
}

static void
teardown(void)
{
	X509_free(ROOT);
	ROOT = NULL;
	pki_free(P);
	P = NULL;
}

static struct pki_cert *
issue(const char *variant)
{
	struct pki_spec spec = { .variant = variant, .host = HOST };
	struct pki_cert *c;
	char err[256];

	ck_assert_msg(pki_issue(P, &spec, &c, err, sizeof(err)) == 0, "%s", err);
	return c;
}

static struct pki_cert *
issue_custom(const char *const *san, const char *cn, bool no_san)
{
	struct pki_spec spec = { .variant = "custom", .host = HOST, .san = san,
		.cn = cn, .no_san = no_san };
	struct pki_cert *c;
	char err[256];

	ck_assert_msg(pki_issue(P, &spec, &c, err, sizeof(err)) == 0, "%s", err);
	return c;
}

/* A record "U S M" with the data of cert. */
static struct tlsa_rr
rr_of(unsigned u, unsigned s, unsigned m, X509 *cert)
{
	struct tlsa_rr r = { u, s, m, NULL, 0 };

	ck_assert_int_eq(tlsa_rr_compute(&r, cert), 0);
	return r;
}

static struct tlsa_rr
rr_text(const char *text)
{
	struct tlsa_rr r;
	char err[256];

	ck_assert_msg(tlsa_parse(text, &r, NULL, err, sizeof(err)) == 0,
	    "%s: %s", text, err);
	return r;
}

static void
rrs_clear(struct tlsa_rr *r, size_t n)
{
	for (size_t i = 0; i < n; i++)
		tlsa_rr_clear(&r[i]);
}

static enum tlsa_auth
verify(const struct tlsa_rr *rrs, size_t n, struct pki_cert *c, X509 *extra,
    const char *const *names, size_t nnames, time_t now)
{
	STACK_OF(X509) *sk = sk_X509_new_null();
	STACK_OF(X509) *served = pki_cert_chain(c);
	char det[512];
	enum tlsa_auth a;

	for (int i = 0; i < sk_X509_num(served); i++)
		sk_X509_push(sk, sk_X509_value(served, i));
	if (extra != NULL)
		sk_X509_push(sk, extra);
	a = tlsa_verify(rrs, n, pki_cert_x509(c), sk, names, nnames, now, det,
	    sizeof(det));
	ck_assert_msg(det[0] != '\0', "no detail");
	sk_X509_free(sk);
	return a;
}

static const char *const MXNAME[] = { HOST, DOMAIN };

START_TEST(test_parse)
{
	struct tlsa_rr r;
	enum tlsa_src src;
	char err[256], *s;

	r = rr_text("3 1 1 00Ab ff");
	ck_assert_uint_eq(r.usage, 3);
	ck_assert_uint_eq(r.len, 3);
	ck_assert_uint_eq(r.data[1], 0xab);
	s = tlsa_rr_str(&r);
	ck_assert_str_eq(s, "3 1 1 00ABFF");
	free(s);
	tlsa_rr_clear(&r);
	r = rr_text("dane-ta Cert SHA2-512 01");
	ck_assert_uint_eq(r.usage, 2);
	ck_assert_uint_eq(r.selector, 0);
	ck_assert_uint_eq(r.mtype, 2);
	ck_assert(!tlsa_usable(&r));   /* 1 byte is no SHA2-512 digest */
	tlsa_rr_clear(&r);
	r = rr_text("  4 1 1 00");    /* unknown usage: parses, unusable */
	ck_assert(!tlsa_usable(&r));
	tlsa_rr_clear(&r);

	ck_assert_int_eq(tlsa_parse("3 1 1 auto", &r, &src, err, sizeof(err)), 0);
	ck_assert_int_eq(src, TLSA_SRC_AUTO);
	ck_assert_ptr_null(r.data);
	ck_assert_int_eq(tlsa_parse("2 0 1 CA", &r, &src, err, sizeof(err)), 0);
	ck_assert_int_eq(src, TLSA_SRC_CA);
	ck_assert_int_eq(tlsa_parse("3 1 1 AB", &r, &src, err, sizeof(err)), 0);
	ck_assert_int_eq(src, TLSA_SRC_HEX);
	tlsa_rr_clear(&r);

	static const struct {
		const char *text;
		bool spec;
		const char *want;
	} bad[] = {
		{ "", false, "missing usage" },
		{ "3 1", false, "missing matching type" },
		{ "3 1 1", false, "missing association data" },
		{ "3 1 1   ", true, "\"auto\" or \"ca\"" },
		{ "256 1 1 00", false, "bad usage \"256\"" },
		{ "x 1 1 00", false, "bad usage" },
		{ "3 -1 1 00", false, "bad selector" },
		{ "3 1 1.5 00", false, "bad matching type" },
		{ "3 1 1 abc", false, "odd number of hex digits" },
		{ "3 1 1 zz", false, "bad character 'z'" },
		{ "3 1 1 auto", false, "bad character" },
		{ "3 2 1 auto", true, "needs selector 0 or 1" },
		{ "3 1 7 ca", true, "matching type 0, 1 or 2" },
	};
	for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
		memset(&r, 0xff, sizeof(r));
		ck_assert_int_eq(tlsa_parse(bad[i].text, &r, bad[i].spec ? &src :
		    NULL, err, sizeof(err)), -1);
		ck_assert_msg(strstr(err, bad[i].want) != NULL,
		    "\"%s\": want \"%s\", got \"%s\"", bad[i].text, bad[i].want, err);
		ck_assert_ptr_null(r.data);
	}
	tlsa_rr_clear(NULL);
}
END_TEST

/* ldns computes the same association data (an implementation we did
 * not write). */
START_TEST(test_data_matches_ldns)
{
	struct pki_cert *c = issue("valid");
	X509 *x = pki_cert_x509(c);

	for (unsigned s = 0; s <= 1; s++) {
		for (unsigned m = 0; m <= 2; m++) {
			ldns_rdf *rdf = NULL;
			uint8_t *d;
			size_t n;
			ck_assert_int_eq(ldns_dane_cert2rdf(&rdf, x,
			    (ldns_tlsa_selector)s, (ldns_tlsa_matching_type)m),
			    LDNS_STATUS_OK);
			/* ldns 1.8 takes a reference with X509_get_pubkey() for
			 * SPKI and never drops it: drop it for ldns */
			if (s == 1)
				EVP_PKEY_free(X509_get0_pubkey(x));
			ck_assert_int_eq(tlsa_data(x, s, m, &d, &n), 0);
			ck_assert_uint_eq(n, ldns_rdf_size(rdf));
			ck_assert(memcmp(d, ldns_rdf_data(rdf), n) == 0);
			free(d);
			ldns_rdf_deep_free(rdf);
		}
	}
	uint8_t *d;
	size_t n;
	ck_assert_int_eq(tlsa_data(x, 2, 1, &d, &n), -1);
	ck_assert_int_eq(tlsa_data(x, 1, 3, &d, &n), -1);
	ck_assert_int_eq(tlsa_data(NULL, 1, 1, &d, &n), -1);
	pki_cert_free(c);
}
END_TEST

START_TEST(test_dane_ee)
{
	static const char *const variants[] = { "valid", "expired",
		"self-signed", "wrong-host", "untrusted-ca", "not-yet-valid" };
	struct pki_cert *other = issue("valid");

	/* names and dates never matter for DANE-EE (RFC 7672 3.1.1) */
	for (size_t i = 0; i < ARRAY_LEN(variants); i++) {
		struct pki_cert *c = issue(variants[i]);
		X509 *x = pki_cert_x509(c);
		for (unsigned s = 0; s <= 1; s++) {
			for (unsigned m = 0; m <= 2; m++) {
				struct tlsa_rr r = rr_of(3, s, m, x);
				ck_assert_msg(verify(&r, 1, c, NULL, MXNAME, 1, T) ==
				    TLSA_AUTH_OK, "%s 3 %u %u", variants[i], s, m);
				ck_assert_int_eq(verify(&r, 1, other, NULL, MXNAME, 1,
				    T), TLSA_AUTH_NO_MATCH);
				tlsa_rr_clear(&r);
			}
		}
		/* a DANE-EE record of the issuer does not make it a TA */
		struct tlsa_rr r = rr_of(3, 0, 1, ROOT);
		ck_assert_int_eq(verify(&r, 1, c, ROOT, MXNAME, 2, T),
		    TLSA_AUTH_NO_MATCH);
		tlsa_rr_clear(&r);
		pki_cert_free(c);
	}
	pki_cert_free(other);
}
END_TEST

START_TEST(test_unusable_and_agility)
{
	struct pki_cert *c = issue("self-signed");
	X509 *x = pki_cert_x509(c);
	struct tlsa_rr rr[6];
	char det[512];

	/* only unusable records: TLS without authentication (RFC 7672 2.2) */
	rr[0] = rr_of(0, 0, 1, x);
	rr[1] = rr_of(1, 1, 1, x);
	rr[2] = rr_text("4 1 1 00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff");
	rr[3] = rr_of(3, 1, 1, x);
	rr[3].selector = 2;
	rr[4] = rr_of(3, 1, 1, x);
	rr[4].mtype = 9;
	rr[5] = rr_of(3, 1, 1, x);
	rr[5].len = 31;        /* a truncated digest */
	ck_assert_int_eq(verify(rr, 6, c, NULL, MXNAME, 1, T),
	    TLSA_AUTH_NO_USABLE);
	ck_assert_int_eq(tlsa_verify(rr, 6, NULL, NULL, NULL, 0, T, det,
	    sizeof(det)), TLSA_AUTH_NO_USABLE);
	ck_assert_ptr_nonnull(strstr(det, "none of the 6 TLSA records is usable"));
	rr[5].len = 32;        /* now usable and matching */
	ck_assert_int_eq(verify(rr, 6, c, NULL, MXNAME, 1, T), TLSA_AUTH_OK);
	rrs_clear(rr, 6);

	/* a usable record that does not match, beside PKIX ones: fails */
	rr[0] = rr_text("3 1 1 00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff");
	rr[1] = rr_of(0, 0, 1, x);
	ck_assert_int_eq(verify(rr, 2, c, NULL, MXNAME, 1, T), TLSA_AUTH_NO_MATCH);
	ck_assert_int_eq(tlsa_verify(rr, 2, NULL, NULL, NULL, 0, T, det,
	    sizeof(det)), TLSA_AUTH_NO_MATCH);
	rrs_clear(rr, 2);

	/* digest agility (RFC 7671 9): a SHA2-512 record hides the
	 * SHA2-256 ones of the same usage and selector */
	rr[0] = rr_of(3, 1, 1, x);
	rr[1] = rr_text("3 1 2 00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"
	    "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff");
	ck_assert_int_eq(verify(rr, 2, c, NULL, MXNAME, 1, T), TLSA_AUTH_NO_MATCH);
	rr[1].selector = 0;    /* another selector: no effect on 3 1 1 */
	ck_assert_int_eq(verify(rr, 2, c, NULL, MXNAME, 1, T), TLSA_AUTH_OK);
	rr[1].selector = 1;
	rr[1].len = 63;        /* unusable: no effect either */
	ck_assert_int_eq(verify(rr, 2, c, NULL, MXNAME, 1, T), TLSA_AUTH_OK);
	rrs_clear(rr, 2);
	/* Full(0) is never set aside */
	rr[0] = rr_of(3, 1, 0, x);
	rr[1] = rr_of(3, 1, 2, ROOT);
	ck_assert_int_eq(verify(rr, 2, c, NULL, MXNAME, 1, T), TLSA_AUTH_OK);
	rrs_clear(rr, 2);
	pki_cert_free(c);
}
END_TEST

START_TEST(test_dane_ta)
{
	static const char *const only_domain[] = { DOMAIN, NULL };
	static const char *const wild[] = { "*.example.test", NULL };
	static const char *const wild2[] = { "*.test", NULL };
	static const char *const partial[] = { "mx*.example.test", NULL };
	struct tlsa_rr ta = rr_of(2, 0, 1, ROOT);
	struct tlsa_rr ta_key = rr_of(2, 1, 1, ROOT);
	struct pki_cert *c;
	char det[512];

	c = issue("valid");
	/* the TA must be in the chain for a digest of it (RFC 7671 5.2.2) */
	ck_assert_int_eq(verify(&ta, 1, c, NULL, MXNAME, 2, T), TLSA_AUTH_NO_MATCH);
	ck_assert_int_eq(verify(&ta, 1, c, ROOT, MXNAME, 2, T), TLSA_AUTH_OK);
	ck_assert_int_eq(verify(&ta_key, 1, c, ROOT, MXNAME, 1, T), TLSA_AUTH_OK);
	/* dates count for DANE-TA (CONFORMANCE ambiguity 12) */
	ck_assert_int_eq(verify(&ta, 1, c, ROOT, MXNAME, 2, T + 400 * 86400L),
	    TLSA_AUTH_EXPIRED);
	/* the base domain is not in the certificate */
	static const char *const other[] = { "mx2.example.test" };
	ck_assert_int_eq(verify(&ta, 1, c, ROOT, other, 1, T), TLSA_AUTH_NAME);
	pki_cert_free(c);

	c = issue("wrong-host");
	ck_assert_int_eq(verify(&ta, 1, c, ROOT, MXNAME, 2, T), TLSA_AUTH_NAME);
	struct tlsa_rr ee = rr_of(3, 1, 1, pki_cert_x509(c));
	struct tlsa_rr both[2] = { ta, ee };
	/* the same certificate under DANE-EE: names do not matter */
	ck_assert_int_eq(verify(both, 2, c, ROOT, MXNAME, 2, T), TLSA_AUTH_OK);
	tlsa_rr_clear(&ee);
	pki_cert_free(c);

	c = issue("expired");
	ck_assert_int_eq(verify(&ta, 1, c, ROOT, MXNAME, 2, T), TLSA_AUTH_EXPIRED);
	pki_cert_free(c);

	/* the next-hop domain is a reference identifier too (RFC 7672 3.2.2) */
	c = issue_custom(only_domain, NULL, false);
	ck_assert_int_eq(verify(&ta, 1, c, ROOT, MXNAME, 2, T), TLSA_AUTH_OK);
	ck_assert_int_eq(verify(&ta, 1, c, ROOT, MXNAME, 1, T), TLSA_AUTH_NAME);
	pki_cert_free(c);
	/* wildcards: the whole left-most label only (RFC 7672 3.2.3) */
	c = issue_custom(wild, NULL, false);
	ck_assert_int_eq(verify(&ta, 1, c, ROOT, MXNAME, 1, T), TLSA_AUTH_OK);
	pki_cert_free(c);
	c = issue_custom(wild2, NULL, false);
	ck_assert_int_eq(verify(&ta, 1, c, ROOT, MXNAME, 1, T), TLSA_AUTH_NAME);
	pki_cert_free(c);
	c = issue_custom(partial, NULL, false);
	ck_assert_int_eq(verify(&ta, 1, c, ROOT, MXNAME, 1, T), TLSA_AUTH_NAME);
	pki_cert_free(c);
	/* CN-ID only when there is no DNS-ID */
	c = issue_custom(NULL, HOST, true);
	ck_assert_int_eq(verify(&ta, 1, c, ROOT, MXNAME, 1, T), TLSA_AUTH_OK);
	pki_cert_free(c);

	/* a CA the sender does not trust is fine as a DANE TA */
	c = issue("untrusted-ca");
	X509 *uca = sk_X509_value(pki_cert_chain(c), 0);
	struct tlsa_rr ta2 = rr_of(2, 0, 1, uca);
	ck_assert_int_eq(verify(&ta2, 1, c, NULL, MXNAME, 1, T), TLSA_AUTH_OK);
	ck_assert_int_eq(verify(&ta, 1, c, ROOT, MXNAME, 1, T), TLSA_AUTH_CHAIN);
	tlsa_rr_clear(&ta2);
	pki_cert_free(c);

	/* the leaf is never its own TA, not even a self-signed one */
	c = issue("self-signed");
	ta2 = rr_of(2, 0, 1, pki_cert_x509(c));
	ck_assert_int_eq(verify(&ta2, 1, c, NULL, MXNAME, 1, T),
	    TLSA_AUTH_NO_MATCH);
	tlsa_rr_clear(&ta2);
	pki_cert_free(c);

	/* DER entry point */
	c = issue("valid");
	unsigned char *der = NULL, *cder = NULL;
	int n = i2d_X509(pki_cert_x509(c), &der), cn = i2d_X509(ROOT, &cder);
	ck_assert_int_eq(tlsa_verify_der(&ta, 1, der, (size_t)n, cder, (size_t)cn,
	    MXNAME, 1, T, det, sizeof(det)), TLSA_AUTH_OK);
	ck_assert_ptr_nonnull(strstr(det, "depth 1"));
	ck_assert_int_eq(tlsa_verify_der(&ta, 1, der, (size_t)n, NULL, 0,
	    MXNAME, 1, T, det, sizeof(det)), TLSA_AUTH_NO_MATCH);
	ck_assert_int_eq(tlsa_verify_der(&ta, 1, (const uint8_t *)"junk", 4,
	    NULL, 0, MXNAME, 1, T, det, sizeof(det)), TLSA_AUTH_NO_MATCH);
	OPENSSL_free(der);
	OPENSSL_free(cder);
	pki_cert_free(c);
	ck_assert_str_eq(tlsa_auth_name(TLSA_AUTH_NAME), "DANE-TA name mismatch");
	tlsa_rr_clear(&ta);
	tlsa_rr_clear(&ta_key);
}
END_TEST

/* ---- OpenSSL's DANE verifier as the referee ---- */

/* A TLS handshake in memory; the client verifies with OpenSSL's DANE
 * (SSL_dane_enable, DANE-EE without name checks as RFC 7672 asks) at
 * time T.  Returns whether the verification succeeded. */
static bool
openssl_dane(struct pki_cert *c, X509 *extra, const struct tlsa_rr *rrs,
    size_t n, const char *const *names, size_t nnames)
{
	SSL_CTX *sctx = pki_server_ctx(c);
	SSL_CTX *cctx = SSL_CTX_new(TLS_client_method());
	SSL *srv, *cli;
	BIO *b1, *b2;
	long res;

	ck_assert_ptr_nonnull(sctx);
	ck_assert_ptr_nonnull(cctx);
	if (extra != NULL)
		ck_assert_int_eq(SSL_CTX_add1_chain_cert(sctx, extra), 1);
	ck_assert_int_gt(SSL_CTX_dane_enable(cctx), 0);
	SSL_CTX_dane_set_flags(cctx, DANE_FLAG_NO_DANE_EE_NAMECHECKS);
	srv = SSL_new(sctx);
	cli = SSL_new(cctx);
	ck_assert_int_eq(BIO_new_bio_pair(&b1, 0, &b2, 0), 1);
	SSL_set_bio(srv, b1, b1);
	SSL_set_bio(cli, b2, b2);
	SSL_set_accept_state(srv);
	SSL_set_connect_state(cli);
	ck_assert_int_gt(SSL_dane_enable(cli, names[0]), 0);
	for (size_t i = 1; i < nnames; i++)
		ck_assert_int_eq(SSL_add1_host(cli, names[i]), 1);
	X509_VERIFY_PARAM_set_time(SSL_get0_param(cli), T);
	for (size_t i = 0; i < n; i++)
		(void)SSL_dane_tlsa_add(cli, (uint8_t)rrs[i].usage,
		    (uint8_t)rrs[i].selector, (uint8_t)rrs[i].mtype, rrs[i].data,
		    rrs[i].len);
	for (int i = 0; i < 100; i++) {
		int a = SSL_do_handshake(cli), b = SSL_do_handshake(srv);
		if (a == 1 && b == 1)
			break;
	}
	ck_assert_int_eq(SSL_is_init_finished(cli), 1);
	res = SSL_get_verify_result(cli);
	SSL_free(cli);
	SSL_free(srv);
	SSL_CTX_free(cctx);
	SSL_CTX_free(sctx);
	ERR_clear_error();
	return res == X509_V_OK;
}

START_TEST(test_agrees_with_openssl)
{
	static const char *const variants[] = { "valid", "expired",
		"self-signed", "wrong-host", "untrusted-ca" };
	static const char *const other[] = { "mx2.example.test" };
	struct pki_cert *stranger = issue("valid");
	size_t ncases = 0;

	for (size_t v = 0; v < ARRAY_LEN(variants); v++) {
		struct pki_cert *c = issue(variants[v]);
		X509 *leaf = pki_cert_x509(c);
		X509 *ca = sk_X509_num(pki_cert_chain(c)) > 0 ?
		    sk_X509_value(pki_cert_chain(c), 0) : NULL;
		X509 *extra = ca == NULL && strcmp(variants[v], "self-signed") != 0 ?
		    ROOT : NULL;
		X509 *iss = ca != NULL ? ca : extra != NULL ? extra : leaf;
		struct tlsa_rr sets[][2] = {
			{ rr_of(3, 1, 1, leaf) },
			{ rr_of(3, 0, 2, leaf) },
			{ rr_of(3, 1, 1, pki_cert_x509(stranger)) },
			{ rr_of(2, 0, 1, iss) },
			{ rr_of(2, 1, 2, iss) },
			{ rr_of(2, 0, 1, pki_cert_x509(stranger)) },
			{ rr_of(2, 0, 1, iss), rr_of(3, 1, 1, leaf) },
			{ rr_of(3, 1, 1, leaf), rr_of(3, 1, 2, pki_cert_x509(stranger)) },
		};
		const size_t nin[] = { 1, 1, 1, 1, 1, 1, 2, 2 };
		for (size_t k = 0; k < ARRAY_LEN(sets); k++) {
			for (int nm = 0; nm < 2; nm++) {
				const char *const *names = nm ? other : MXNAME;
				bool ours = verify(sets[k], nin[k], c, extra, names,
				    1, T) == TLSA_AUTH_OK;
				bool theirs = openssl_dane(c, extra, sets[k], nin[k],
				    names, 1);
				ck_assert_msg(ours == theirs, "%s, set %zu, names %s: "
				    "tlsa_verify %d, OpenSSL %d", variants[v], k,
				    names[0], ours, theirs);
				ncases++;
			}
			rrs_clear(sets[k], nin[k]);
		}
		pki_cert_free(c);
	}
	ck_assert_uint_eq(ncases, 80);
	pki_cert_free(stranger);
}
END_TEST

static Suite *
tlsa_suite(void)
{
	Suite *s = suite_create("tlsa");
	TCase *tc = tcase_create("tlsa");

	tcase_set_timeout(tc, 60);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_parse);
	tcase_add_test(tc, test_data_matches_ldns);
	tcase_add_test(tc, test_dane_ee);
	tcase_add_test(tc, test_unusable_and_agility);
	tcase_add_test(tc, test_dane_ta);
	tcase_add_test(tc, test_agrees_with_openssl);
	suite_add_tcase(s, tc);
	return s;
}

TEST_MAIN(tlsa_suite)
