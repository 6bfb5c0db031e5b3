/*
 * check_verdict_dane: the verdict's DANE extension (sim/verdict.c, the
 * *_ctx functions) on hand-made sessions: "verified" under a secure TLSA
 * RRset means a TLSA match (PKIX does not matter, an insecure RRset is
 * not in force), the result types of DANE-EE and DANE-TA failures, the
 * TLSRPT tlsa policy entries (policy-domain the MX host, policy-string
 * the RRset, dnssec-invalid for bogus hosts) and the phase expectation of
 * dnssec-invalid.
 */
#include <string.h>

#include <openssl/pem.h>

#include "core/pki.h"
#include "core/record.h"
#include "core/result.h"
#include "core/tlsa.h"
#include "sim/verdict.h"
#include "tests/unit/testutil.h"

#define MX1 "mx1.example.test"
#define MX2 "mx2.example.test"
#define MX1_ADDR "127.25.0.11"

#define VCLOCK 1780272000   /* 2026-06-01 */

static struct pki_cert *
v_issue(struct pki *p, const char *variant)
{
	struct pki_spec spec = { .variant = variant, .host = MX1 };
	struct pki_cert *c;
	char err[256];

	ck_assert_msg(pki_issue(p, &spec, &c, err, sizeof(err)) == 0, "%s", err);
	return c;
}

/* A sender session (phase 1, message index) that saw c (+ extra in the
 * chain) over TLS terminated by `by`, and sent the message. */
static struct rec_session *
v_session(struct rec *r, unsigned index, struct pki_cert *c, X509 *extra,
    const char *by)
{
	struct rec_session *s;
	unsigned char *der = NULL, *cder = NULL;
	int len = i2d_X509(pki_cert_x509(c), &der), clen = 0;

	rec_set_message(r, 1, index);
	s = rec_session_new(r, MX1, MX1_ADDR, 25);
	if (extra != NULL)
		clen = i2d_X509(extra, &cder);
	s->connected = s->banner = s->starttls_offered = s->starttls_issued = true;
	s->starttls_reply = 220;
	s->tls = REC_TLS_OK;
	rec_set(&s->tls_by, by);
	rec_set_cert(s, pki_cert_label(c), der, (size_t)len, cder,
	    clen > 0 ? (size_t)clen : 0);
	s->mail_from = s->data_sent = s->data_tls = true;
	rec_set(&s->data_to, by);
	OPENSSL_free(der);
	OPENSSL_free(cder);
	return s;
}

static char *
rr_for(unsigned u, unsigned sel, unsigned m, X509 *x)
{
	struct tlsa_rr r = { u, sel, m, NULL, 0 };
	char *t;

	ck_assert_int_eq(tlsa_rr_compute(&r, x), 0);
	t = tlsa_rr_str(&r);
	tlsa_rr_clear(&r);
	return t;
}

static void
msg_free(struct res_message *m)
{
	free(m->delivery);
	free(m->reason);
	free(m->mx_host);
	free(m->data_to);
	free(m->content);
	free(m->sessions);
	memset(m, 0, sizeof(*m));
}

START_TEST(test_verdict_dane)
{
	struct pki *p = pki_new(1, VCLOCK);
	struct rec *r = rec_new(NULL);
	struct pki_cert *self = v_issue(p, "self-signed");
	struct pki_cert *wrong = v_issue(p, "wrong-host");
	BIO *b = BIO_new_mem_buf(pki_root_pem(p), -1);
	X509 *root = PEM_read_bio_X509(b, NULL, NULL, NULL);
	char *ee = rr_for(3, 1, 1, pki_cert_x509(self));
	char *ta = rr_for(2, 0, 1, root);
	const char *set_ee[] = { ee }, *set_ta[] = { ta };
	struct verdict_dane d = { 1, MX1, set_ee, 1, "secure", false };
	struct verdict_ctx vc = { "example.test", &d, 1, NULL };
	struct res_message m = { 0 };
	const char *reason;

	BIO_free(b);
	/* 1: the self-signed certificate of the TLSA record */
	struct rec_session *s1 = v_session(r, 1, self, NULL, "mx");
	verdict_message(p, r, VCLOCK, 1, 1, &m);
	ck_assert_str_eq(m.delivery, "tls");            /* PKIX: not trusted */
	msg_free(&m);
	verdict_message_ctx(p, r, VCLOCK, 1, 1, &vc, &m);
	ck_assert_str_eq(m.delivery, "verified");       /* DANE-EE: matches */
	ck_assert_ptr_nonnull(strstr(m.reason, "authenticated by DANE"));
	msg_free(&m);
	ck_assert_ptr_null(verdict_result_type_ctx(p, s1, VCLOCK, &vc, &reason));
	d.state = "insecure";                           /* not in force */
	verdict_message_ctx(p, r, VCLOCK, 1, 1, &vc, &m);
	ck_assert_str_eq(m.delivery, "tls");
	msg_free(&m);
	d.state = "secure";

	/* 2: a PKIX-valid certificate of another key, to the attacker */
	struct pki_cert *valid = v_issue(p, "valid");
	struct rec_session *s2 = v_session(r, 2, valid, NULL, "attacker");
	ck_assert_ptr_null(verdict_result_type(p, s2, VCLOCK, &reason));
	ck_assert_str_eq(verdict_result_type_ctx(p, s2, VCLOCK, &vc, &reason),
	    "tlsa-invalid");
	verdict_message_ctx(p, r, VCLOCK, 1, 2, &vc, &m);
	ck_assert_str_eq(m.delivery, "tls");
	msg_free(&m);

	/* 3: DANE-TA, the chain to the root served, the leaf for another
	 * host: names count */
	struct rec_session *s3 = v_session(r, 3, wrong, root, "mx");
	d.rrs = set_ta;
	ck_assert_str_eq(verdict_result_type_ctx(p, s3, VCLOCK, &vc, &reason),
	    "certificate-host-mismatch");
	struct rec_session *s4 = v_session(r, 4, valid, root, "mx");
	ck_assert_ptr_null(verdict_result_type_ctx(p, s4, VCLOCK, &vc, &reason));
	verdict_message_ctx(p, r, VCLOCK, 1, 4, &vc, &m);
	ck_assert_str_eq(m.delivery, "verified");
	msg_free(&m);

	/* TLSRPT: the sessions go under policy-type tlsa, per RRset; a
	 * bogus host of a later phase adds dnssec-invalid per message */
	struct verdict_dane ds[2] = { { 1, MX1, set_ta, 1, "secure", false },
		{ 2, MX2, NULL, 0, "bogus", false } };
	struct verdict_ctx vc2 = { "example.test", ds, 2, NULL };
	struct res_scenario rs = { 0 };
	rs.nphases = 2;
	rs.phases = calloc(2, sizeof(*rs.phases));
	rs.phases[0].nmsgs = 4;
	rs.phases[0].msgs = calloc(4, sizeof(*rs.phases[0].msgs));
	rs.phases[1].nmsgs = 3;
	rs.phases[1].msgs = calloc(3, sizeof(*rs.phases[1].msgs));
	verdict_tlsrpt_ctx(p, r, VCLOCK, &vc2, "127.1.0.1", &rs);
	ck_assert_uint_eq(rs.npolicies, 2);   /* no empty no-policy-found */
	ck_assert_str_eq(rs.policies[0].type, "tlsa");
	ck_assert_str_eq(rs.policies[0].domain, MX1);
	ck_assert_uint_eq(rs.policies[0].nstrings, 1);
	ck_assert_str_eq(rs.policies[0].strings[0], ta);
	ck_assert_uint_eq(rs.policies[0].success, 1);   /* s4 */
	ck_assert_uint_eq(rs.policies[0].failure, 3);
	ck_assert_uint_eq(rs.policies[0].nfailures, 2);
	ck_assert_str_eq(rs.policies[0].failures[0].result_type,
	    "certificate-host-mismatch");
	ck_assert_str_eq(rs.policies[0].failures[1].result_type, "tlsa-invalid");
	ck_assert_uint_eq(rs.policies[0].failures[1].count, 2);   /* s1, s2 */
	ck_assert_str_eq(rs.policies[1].type, "tlsa");
	ck_assert_str_eq(rs.policies[1].domain, MX2);
	ck_assert_uint_eq(rs.policies[1].nstrings, 0);
	ck_assert_uint_eq(rs.policies[1].failure, 3);
	ck_assert_str_eq(rs.policies[1].failures[0].result_type, "dnssec-invalid");
	ck_assert_ptr_null(rs.policies[1].failures[0].receiving_ip);
	ck_assert_uint_eq(rs.policies[1].failures[0].count, 3);

	/* the phase expectation sees dnssec-invalid from the bogus host */
	struct scn_expect e = { 0 };
	char *want[] = { "refused" }, *types[] = { "dnssec-invalid" };
	struct res_phase ph = { .index = 2 };
	e.delivery = want;
	e.ndelivery = 1;
	e.tlsrpt = types;
	e.ntlsrpt = 1;
	e.leak = -1;
	verdict_phase_ctx(p, r, VCLOCK, &e, &vc2, &ph);
	ck_assert_str_eq(ph.verdict, "pass");
	free(ph.verdict);
	free(ph.reason);
	ph.verdict = ph.reason = NULL;
	verdict_phase(p, r, VCLOCK, &e, "example.test", &ph);
	ck_assert_str_eq(ph.verdict, "fail");
	res_strv_free(ph.expect, ph.nexpect);
	res_strv_free(ph.expect_tlsrpt, ph.nexpect_tlsrpt);
	free(ph.verdict);
	free(ph.reason);
	res_scenario_free(&rs);

	/* DANE required: a host without a secure TLSA RRset must not get
	 * the message; a compliant sender reports dane-required */
	struct verdict_dane dr = { 1, MX1, NULL, 0, "secure", true };
	struct verdict_ctx vc3 = { "example.test", &dr, 1, NULL };
	ck_assert_str_eq(verdict_result_type_ctx(p, s4, VCLOCK, &vc3, &reason),
	    "dane-required");
	verdict_message_ctx(p, r, VCLOCK, 1, 4, &vc3, &m);
	ck_assert_str_eq(m.delivery, "tls");   /* PKIX-valid, but not DANE */
	ck_assert_ptr_nonnull(strstr(m.reason, "DANE is required"));
	msg_free(&m);
	memset(&rs, 0, sizeof(rs));
	rs.nphases = 1;
	rs.phases = calloc(1, sizeof(*rs.phases));
	rs.phases[0].nmsgs = 1;
	rs.phases[0].msgs = calloc(1, sizeof(*rs.phases[0].msgs));
	verdict_tlsrpt_ctx(p, r, VCLOCK, &vc3, "127.1.0.1", &rs);
	ck_assert_uint_eq(rs.npolicies, 1);
	ck_assert_str_eq(rs.policies[0].type, "tlsa");
	ck_assert_uint_eq(rs.policies[0].nfailures, 2);
	ck_assert_str_eq(rs.policies[0].failures[0].result_type, "dane-required");
	ck_assert_ptr_null(rs.policies[0].failures[0].receiving_ip);
	ck_assert_uint_eq(rs.policies[0].failures[0].count, 1);   /* the message */
	ck_assert_str_eq(rs.policies[0].failures[1].result_type, "dane-required");
	ck_assert_uint_eq(rs.policies[0].failures[1].count, 4);   /* the sessions */
	ck_assert_uint_eq(rs.policies[0].failure, 5);
	res_scenario_free(&rs);
	dr.required = false;   /* without the requirement: PKIX as usual */
	ck_assert_ptr_null(verdict_result_type_ctx(p, s4, VCLOCK, &vc3, &reason));

	free(ee);
	free(ta);
	X509_free(root);
	pki_cert_free(self);
	pki_cert_free(wrong);
	pki_cert_free(valid);
	rec_free(r);
	pki_free(p);
}
END_TEST

static Suite *
verdict_dane_suite(void)
{
	Suite *s = suite_create("verdict_dane");
	TCase *tc = tcase_create("verdict");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_verdict_dane);
	suite_add_tcase(s, tc);
	return s;
}

TEST_MAIN(verdict_dane_suite)
