/* Unit tests for sim/verdict.c: classification from recorded sessions. */
#include <string.h>

#include "core/pki.h"
#include "core/record.h"
#include "core/result.h"
#include "sim/verdict.h"
#include "testutil.h"

#define CLOCK 1780272000 /* 2026-06-01T00:00:00Z */

static struct pki *pki;
static struct rec *rec;

static void
setup(void)
{
	pki = pki_new(1, CLOCK);
	rec = rec_new(NULL);
	rec_set_message(rec, 1, 1);
}

static void
teardown(void)
{
	rec_free(rec);
	pki_free(pki);
	pki_rand_restore();
}

/* A session that completed TLS with a certificate of variant v. */
static struct rec_session *
tls_session(const char *host, const char *variant, const char *by)
{
	struct pki_spec spec = { .variant = variant, .host = host };
	struct pki_cert *c;
	unsigned char *der = NULL;
	char err[256];
	struct rec_session *s = rec_session_new(rec, host, "127.25.0.11", 25);

	ck_assert_int_eq(pki_issue(pki, &spec, &c, err, sizeof(err)), 0);
	int len = i2d_X509(pki_cert_x509(c), &der);
	s->connected = s->banner = s->starttls_offered = s->starttls_issued = true;
	s->starttls_reply = 220;
	s->tls = REC_TLS_OK;
	rec_set(&s->tls_by, by);
	rec_set_cert(s, variant, der, (size_t)len, NULL, 0);
	OPENSSL_free(der);
	pki_cert_free(c);
	return s;
}

static void
data(struct rec_session *s, bool tls, const char *to)
{
	s->mail_from = s->data_sent = true;
	s->data_tls = tls;
	rec_set(&s->data_to, to);
}

static void
free_msg(struct res_message *m)
{
	free(m->delivery);
	free(m->reason);
	free(m->mx_host);
	free(m->data_to);
	free(m->content);
	free(m->sessions);
}

START_TEST(verified_tls_and_plaintext)
{
	struct res_message m = { 0 };

	data(tls_session("mx1.example.test", "valid", "mx"), true, "mx");
	verdict_message(pki, rec, CLOCK, 1, 1, &m);
	ck_assert_str_eq(m.delivery, "verified");
	ck_assert_str_eq(m.mx_host, "mx1.example.test");
	ck_assert_uint_eq(m.nsessions, 1);
	free_msg(&m);

	/* a second message: TLS with an expired certificate is only "tls" */
	rec_set_message(rec, 1, 2);
	memset(&m, 0, sizeof(m));
	data(tls_session("mx1.example.test", "expired", "mx"), true, "mx");
	verdict_message(pki, rec, CLOCK, 1, 2, &m);
	ck_assert_str_eq(m.delivery, "tls");
	ck_assert_ptr_nonnull(strstr(m.reason, "certificate-expired"));
	free_msg(&m);

	/* a third: plaintext beats everything else in the same message */
	rec_set_message(rec, 1, 3);
	memset(&m, 0, sizeof(m));
	data(tls_session("mx1.example.test", "valid", "mx"), true, "mx");
	struct rec_session *p = rec_session_new(rec, "mx2.example.test", "127.25.0.12", 25);
	p->banner = true;
	rec_set(&p->attack, "strip_starttls");
	data(p, false, "mx");
	p->leak = true;
	verdict_message(pki, rec, CLOCK, 1, 3, &m);
	ck_assert_str_eq(m.delivery, "plaintext");
	ck_assert_str_eq(m.mx_host, "mx2.example.test");
	ck_assert(m.leak);
	ck_assert_uint_eq(m.nsessions, 2);
	free_msg(&m);
}
END_TEST

START_TEST(attacker_tls_is_not_verified_even_with_a_valid_chain)
{
	struct res_message m = { 0 };
	/* the attacker's certificate chains to the trusted root but names
	 * evil.attacker.test; and even a (hypothetically) matching one is
	 * "tls" when the attacker terminated the session */
	data(tls_session("mx1.example.test", "valid", "attacker"), true, "attacker");
	verdict_message(pki, rec, CLOCK, 1, 1, &m);
	ck_assert_str_eq(m.delivery, "tls");
	free_msg(&m);
}
END_TEST

START_TEST(refused_and_attacker_legs_ignored)
{
	struct res_message m = { 0 };
	struct rec_session *s = tls_session("mx1.example.test", "self-signed", "attacker");
	/* the sender quit after the handshake; the attacker's own leg to the
	 * MX carried nothing from the sender */
	rec_set(&s->end, "quit");
	struct rec_session *leg = tls_session("mx1.example.test", "valid", "mx");
	leg->via = s->id;
	data(leg, true, "mx");
	verdict_message(pki, rec, CLOCK, 1, 1, &m);
	ck_assert_str_eq(m.delivery, "refused");
	ck_assert_uint_eq(m.nsessions, 1);
	ck_assert_ptr_nonnull(strstr(m.reason, "no message data"));
	free_msg(&m);
}
END_TEST

START_TEST(result_types)
{
	const char *reason;
	struct rec_session *s;

	s = tls_session("mx1.example.test", "valid", "mx");
	ck_assert_ptr_null(verdict_result_type(pki, s, CLOCK, &reason));
	s = tls_session("mx1.example.test", "expired", "mx");
	ck_assert_str_eq(verdict_result_type(pki, s, CLOCK, &reason), "certificate-expired");
	s = tls_session("mx1.example.test", "untrusted-ca", "attacker");
	ck_assert_str_eq(verdict_result_type(pki, s, CLOCK, &reason), "certificate-not-trusted");
	s = tls_session("mx1.example.test", "wrong-host", "attacker");
	ck_assert_str_eq(verdict_result_type(pki, s, CLOCK, &reason), "certificate-host-mismatch");

	s = rec_session_new(rec, "mx1.example.test", "127.25.0.11", 25);
	s->banner = true;
	s->mail_from = true;   /* stripped: no STARTTLS offered */
	ck_assert_str_eq(verdict_result_type(pki, s, CLOCK, &reason), "starttls-not-supported");

	s = rec_session_new(rec, "mx1.example.test", "127.25.0.11", 25);
	s->banner = s->starttls_offered = s->starttls_issued = true;
	s->starttls_reply = 454;
	ck_assert_str_eq(verdict_result_type(pki, s, CLOCK, &reason), "starttls-not-supported");
	ck_assert_str_eq(reason, "starttls-refused");

	s = rec_session_new(rec, "mx1.example.test", "127.25.0.11", 25);
	s->banner = s->starttls_offered = s->starttls_issued = true;
	s->starttls_reply = 220;
	s->tls = REC_TLS_FAILED;
	rec_set(&s->tls_error, "peer sent alert: bad certificate");
	ck_assert_str_eq(verdict_result_type(pki, s, CLOCK, &reason), "validation-failure");

	/* a handshake the sender broke off after seeing the certificate is
	 * named after that certificate's problem; a good one is still a
	 * validation failure (the sender refused it for reasons of its own) */
	s = tls_session("mx1.example.test", "expired", "mx");
	s->tls = REC_TLS_FAILED;
	rec_set(&s->tls_error, "peer sent alert: certificate expired");
	ck_assert_str_eq(verdict_result_type(pki, s, CLOCK, &reason), "certificate-expired");
	ck_assert_str_eq(reason, "peer sent alert: certificate expired");
	s = tls_session("mx1.example.test", "untrusted-ca", "attacker");
	s->tls = REC_TLS_FAILED;
	ck_assert_str_eq(verdict_result_type(pki, s, CLOCK, &reason), "certificate-not-trusted");
	s = tls_session("mx1.example.test", "valid", "mx");
	s->tls = REC_TLS_FAILED;
	ck_assert_str_eq(verdict_result_type(pki, s, CLOCK, &reason), "validation-failure");

	/* connection refused / blackholed: not a TLS negotiation at all */
	s = rec_session_new(rec, "mx1.example.test", "127.25.0.11", 25);
	s->connected = true;
	ck_assert_str_eq(verdict_result_type(pki, s, CLOCK, &reason), "");
}
END_TEST

START_TEST(phase_verdicts)
{
	struct scn_expect e = { 0 };
	char *want[] = { "refused" };
	char *types[] = { "certificate-expired" };
	struct res_phase ph = { .index = 1 };

	e.delivery = want;
	e.ndelivery = 1;
	e.tlsrpt = types;
	e.ntlsrpt = 1;
	e.leak = 0;
	struct rec_session *s = tls_session("mx1.example.test", "expired", "mx");
	rec_set(&s->end, "quit");
	ph.nmsgs = 1;
	ph.msgs = calloc(1, sizeof(*ph.msgs));
	verdict_message(pki, rec, CLOCK, 1, 1, &ph.msgs[0]);
	verdict_phase(pki, rec, CLOCK, &e, "example.test", &ph);
	ck_assert_str_eq(ph.verdict, "pass");

	/* the same sessions, but the scenario wanted a TLSRPT type that no
	 * session shows */
	struct res_phase ph2 = { .index = 1 };
	char *types2[] = { "starttls-not-supported" };
	e.tlsrpt = types2;
	ph2.nmsgs = 1;
	ph2.msgs = calloc(1, sizeof(*ph2.msgs));
	verdict_message(pki, rec, CLOCK, 1, 1, &ph2.msgs[0]);
	verdict_phase(pki, rec, CLOCK, &e, "example.test", &ph2);
	ck_assert_str_eq(ph2.verdict, "fail");
	ck_assert_ptr_nonnull(strstr(ph2.reason, "starttls-not-supported"));

	/* and a delivery outside the expectation */
	struct res_phase ph3 = { .index = 1 };
	char *want3[] = { "verified", "tls" };
	e.delivery = want3;
	e.ndelivery = 2;
	e.ntlsrpt = 0;
	ph3.nmsgs = 1;
	ph3.msgs = calloc(1, sizeof(*ph3.msgs));
	verdict_message(pki, rec, CLOCK, 1, 1, &ph3.msgs[0]);
	verdict_phase(pki, rec, CLOCK, &e, "example.test", &ph3);
	ck_assert_str_eq(ph3.verdict, "fail");
	ck_assert_ptr_nonnull(strstr(ph3.reason, "refused delivery, expected verified or tls"));

	struct res_scenario rs = { 0 };
	rs.nphases = 3;
	rs.phases = calloc(3, sizeof(*rs.phases));
	rs.phases[0] = ph;
	rs.phases[1] = ph2;
	rs.phases[2] = ph3;
	verdict_tlsrpt(pki, rec, CLOCK, "example.test", "127.1.0.1", &rs);
	ck_assert_uint_eq(rs.npolicies, 1);
	ck_assert_str_eq(rs.policies[0].type, "no-policy-found");
	ck_assert_uint_eq(rs.policies[0].failure, 1);
	ck_assert_uint_eq(rs.policies[0].nfailures, 1);
	ck_assert_str_eq(rs.policies[0].failures[0].result_type, "certificate-expired");
	ck_assert_uint_eq(rs.policies[0].failures[0].count, 1);
	res_scenario_free(&rs);
}
END_TEST

static Suite *
verdict_suite(void)
{
	Suite *s = suite_create("verdict");
	TCase *tc = tcase_create("verdict");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, verified_tls_and_plaintext);
	tcase_add_test(tc, attacker_tls_is_not_verified_even_with_a_valid_chain);
	tcase_add_test(tc, refused_and_attacker_legs_ignored);
	tcase_add_test(tc, result_types);
	tcase_add_test(tc, phase_verdicts);
	suite_add_tcase(s, tc);
	return s;
}

TEST_MAIN(verdict_suite)
