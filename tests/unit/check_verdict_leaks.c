/*
 * Tests for what the attacker read, as the verdict judges it
 * (sim/verdict.c): expect.content ("protected" | "exposed"), credential
 * leaks (AUTH read by the attacker), the attacker's own leg in a
 * message's reason (tls_split, swap_cert); and the scenario keys behind
 * them (sim/scenario.c, scenario_world.c submit.auth,
 * scenario_attack.c tls_split), good and bad.
 */
#include <string.h>

#include "core/pki.h"
#include "core/record.h"
#include "core/result.h"
#include "sim/scenario.h"
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

/* A plaintext session through an attack: data sent, the attacker saw it. */
static struct rec_session *
plain_leak(bool smime)
{
	struct rec_session *s = rec_session_new(rec, "mx1.example.test",
	    "127.25.0.11", 25);

	s->connected = s->banner = s->mail_from = s->data_sent = true;
	rec_set(&s->attack, "strip_starttls");
	rec_set(&s->data_to, "mx");
	s->leak = true;
	s->content_protected = smime;
	return s;
}

/* Judge one message of phase 1 against e; the verdict ("pass"/"fail")
 * and reason land in ph (freed by the caller with res_scenario_free). */
static void
judge(const struct scn_expect *e, struct res_phase *ph)
{
	ph->index = 1;
	ph->nmsgs = 1;
	ph->msgs = calloc(1, sizeof(*ph->msgs));
	verdict_message(pki, rec, CLOCK, 1, 1, &ph->msgs[0]);
	verdict_phase(pki, rec, CLOCK, e, "example.test", ph);
}

static void
phase_free(struct res_phase *ph)
{
	struct res_scenario rs = { 0 };

	rs.phases = calloc(1, sizeof(*rs.phases));
	rs.phases[0] = *ph;
	rs.nphases = 1;
	res_scenario_free(&rs);
}

static struct scn_expect
expect(char **want, enum scn_content c)
{
	struct scn_expect e = { 0 };

	e.delivery = want;
	e.ndelivery = 1;
	e.leak = -1;
	e.content = c;
	return e;
}

START_TEST(content_expectations)
{
	char *plain[] = { "plaintext" };
	struct res_phase ph = { 0 };
	struct scn_expect e = expect(plain, SCN_CONTENT_PROTECTED);

	/* exposed content against "protected" */
	plain_leak(false);
	judge(&e, &ph);
	ck_assert_str_eq(ph.msgs[0].content, "exposed");
	ck_assert_str_eq(ph.verdict, "fail");
	ck_assert_ptr_nonnull(strstr(ph.reason, "read the content in clear"));
	phase_free(&ph);

	/* ... is what "exposed" wants */
	memset(&ph, 0, sizeof(ph));
	e.content = SCN_CONTENT_EXPOSED;
	judge(&e, &ph);
	ck_assert_str_eq(ph.verdict, "pass");
	phase_free(&ph);

	/* S/MIME: the attacker read ciphertext only */
	rec_free(rec);
	rec = rec_new(NULL);
	rec_set_message(rec, 1, 1);
	plain_leak(true);
	memset(&ph, 0, sizeof(ph));
	judge(&e, &ph);
	ck_assert_str_eq(ph.msgs[0].content, "protected");
	ck_assert_str_eq(ph.verdict, "fail");
	ck_assert_ptr_nonnull(strstr(ph.reason, "only S/MIME ciphertext"));
	phase_free(&ph);
	memset(&ph, 0, sizeof(ph));
	e.content = SCN_CONTENT_PROTECTED;
	judge(&e, &ph);
	ck_assert_str_eq(ph.verdict, "pass");
	phase_free(&ph);
}
END_TEST

START_TEST(content_without_a_leak)
{
	char *refused[] = { "refused" };
	struct res_phase ph = { 0 };
	struct scn_expect e = expect(refused, SCN_CONTENT_EXPOSED);
	struct rec_session *s = rec_session_new(rec, "mx1.example.test",
	    "127.25.0.11", 25);

	s->connected = s->banner = true;
	rec_set(&s->end, "quit");
	judge(&e, &ph);
	ck_assert_str_eq(ph.verdict, "fail");
	ck_assert_ptr_nonnull(strstr(ph.reason, "it saw no content"));
	phase_free(&ph);
	memset(&ph, 0, sizeof(ph));
	e.content = SCN_CONTENT_PROTECTED;   /* nothing read: protected */
	judge(&e, &ph);
	ck_assert_str_eq(ph.verdict, "pass");
	phase_free(&ph);
}
END_TEST

START_TEST(credential_leak_fails)
{
	char *refused[] = { "refused", "plaintext" };
	struct res_phase ph = { 0 };
	struct scn_expect e = expect(refused, SCN_CONTENT_ANY);
	struct rec_session *s = rec_session_new(rec, "mx1.example.test",
	    "127.25.0.11", 587);

	e.ndelivery = 2;
	s->connected = s->banner = true;
	rec_set(&s->attack, "strip_starttls");
	s->auth_sent = true;   /* AUTH in clear, then the sender gave up */
	s->cred_leak = true;
	judge(&e, &ph);
	ck_assert(ph.msgs[0].cred_leak);
	ck_assert_str_eq(ph.msgs[0].delivery, "refused");
	ck_assert_str_eq(ph.verdict, "fail");
	ck_assert_ptr_nonnull(strstr(ph.reason, "submission credentials"));
	phase_free(&ph);

	/* AUTH inside the MX's TLS is no leak */
	s->cred_leak = false;
	s->auth_tls = true;
	memset(&ph, 0, sizeof(ph));
	judge(&e, &ph);
	ck_assert(!ph.msgs[0].cred_leak);
	ck_assert_str_eq(ph.verdict, "pass");
	phase_free(&ph);
}
END_TEST

START_TEST(attacker_leg_in_the_reason)
{
	struct res_message m = { 0 };
	struct rec_session *s = rec_session_new(rec, "mx1.example.test",
	    "127.25.0.11", 465);
	struct rec_session *u;

	s->connected = s->banner = s->mail_from = s->data_sent = s->data_tls = true;
	s->tls = REC_TLS_OK;
	rec_set(&s->tls_by, "attacker");
	rec_set(&s->attack, "tls_split");
	rec_set(&s->data_to, "attacker");
	s->leak = true;
	u = rec_session_new(rec, "mx1.example.test", "127.26.0.11", 587);
	u->via = s->id;
	u->data_sent = true;
	rec_set(&u->data_to, "mx");
	verdict_message(pki, rec, CLOCK, 1, 1, &m);
	ck_assert_str_eq(m.delivery, "tls");
	ck_assert_msg(strstr(m.reason, "relayed it to the MX in clear text "
	    "(port 587)") != NULL, "%s", m.reason);
	free(m.delivery);
	free(m.reason);
	free(m.mx_host);
	free(m.data_to);
	free(m.content);
	free(m.sessions);

	/* the reverse: plaintext from the sender, TLS to the MX */
	memset(&m, 0, sizeof(m));
	s->data_tls = false;
	s->tls = REC_TLS_NONE;
	u->data_tls = true;
	verdict_message(pki, rec, CLOCK, 1, 1, &m);
	ck_assert_str_eq(m.delivery, "plaintext");
	ck_assert_ptr_nonnull(strstr(m.reason, "inside its own TLS (the MX logs TLS)"));
	ck_assert_uint_eq(m.nsessions, 1);   /* the leg is evidence only */
	free(m.delivery);
	free(m.reason);
	free(m.mx_host);
	free(m.data_to);
	free(m.content);
	free(m.sessions);
}
END_TEST

/* ---- the scenario keys ---- */

#define HEAD "return { title = 't', refs = {}, domain = 'a.test',\n" \
	"  mx = { { host = 'mx1.a.test' } },\n"

START_TEST(scenario_keys)
{
	static const char good[] = HEAD
	    "  submit = { host = 'mx1.a.test', port = 587, auth = { user = 'u',\n"
	    "    pass = 'p w', mech = 'login' } },\n"
	    "  attack = { { 'tls_split', host = 'mx1.a.test' },\n"
	    "             { 'tls_split', host = 'mx1.a.test', mode = 'mx-tls', nth = 2 } },\n"
	    "  expect = { delivery = 'refused', content = 'protected' } }";
	static const struct { const char *src, *want; } bad[] = {
		{ HEAD "  expect = { delivery = 'refused', content = 'hidden' } }",
		  "mem.lua:3: expect.content: bad value \"hidden\" (allowed: protected, exposed)" },
		{ HEAD "  expect = { delivery = 'refused', leak = false, content = 'exposed' } }",
		  "expect.content: \"exposed\" says the attacker reads the content" },
		{ HEAD "  attack = { { 'tls_split', host = 'mx1.a.test', mode = 'mx-tls',\n"
		  "    cert = 'self-signed' } },\n  expect = { delivery = 'refused' } }",
		  "presents no certificate" },
		{ HEAD "  attack = { { 'tls_split', host = 'mx1.a.test', mode = 'both' } },\n"
		  "  expect = { delivery = 'refused' } }",
		  "bad value \"both\" (allowed: sender-tls, mx-tls)" },
		{ HEAD "  attack = { { 'tls_split', host = 'mx1.a.test', relay = false } },\n"
		  "  expect = { delivery = 'refused' } }",
		  "tls_split takes no relay" },
		{ HEAD "  submit = { host = 'mx1.a.test', auth = { user = 'u' } },\n"
		  "  expect = { delivery = 'refused' } }",
		  "submit.auth.pass: missing required field" },
		{ HEAD "  submit = { host = 'mx1.a.test', auth = { user = 'u', pass = '' } },\n"
		  "  expect = { delivery = 'refused' } }",
		  "submit.auth.pass: must be 1 to 255 bytes" },
		{ HEAD "  submit = { host = 'mx1.a.test', auth = { user = 'u\\n', pass = 'p' } },\n"
		  "  expect = { delivery = 'refused' } }",
		  "submit.auth.user: no control characters" },
		{ HEAD "  submit = { host = 'mx1.a.test', auth = { user = 'u', pass = 'p',\n"
		  "    mech = 'cram-md5' } },\n  expect = { delivery = 'refused' } }",
		  "bad value \"cram-md5\" (allowed: plain, login)" },
		{ HEAD "  submit = { host = 'mx1.a.test', auth = { user = 'u', pass = 'p',\n"
		  "    realm = 'x' } },\n  expect = { delivery = 'refused' } }",
		  "realm" },
	};
	struct scenario *s;
	char err[1024];

	ck_assert_msg(scenario_load_string("mem.lua", good, strlen(good), &s, err,
	    sizeof(err)) == 0, "%s", err);
	const struct scn_world *w = &s->phases[0].world;
	ck_assert_str_eq(w->submit->auth_user, "u");
	ck_assert_str_eq(w->submit->auth_pass, "p w");
	ck_assert_str_eq(w->submit->auth_mech, "login");
	ck_assert_uint_eq(w->nattacks, 2);
	ck_assert_str_eq(w->attacks[0].mode, "sender-tls");
	ck_assert_str_eq(w->attacks[0].cert.variant, "attacker");
	ck_assert_str_eq(w->attacks[1].mode, "mx-tls");
	ck_assert_int_eq(s->phases[0].expect.content, SCN_CONTENT_PROTECTED);
	scenario_free(s);
	for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
		ck_assert_int_eq(scenario_load_string("mem.lua", bad[i].src,
		    strlen(bad[i].src), &s, err, sizeof(err)), -1);
		ck_assert_ptr_null(s);
		ck_assert_msg(strstr(err, bad[i].want) != NULL,
		    "case %zu: want \"%s\", got \"%s\"", i, bad[i].want, err);
	}
}
END_TEST

static Suite *
verdict_leaks_suite(void)
{
	Suite *s = suite_create("verdict_leaks");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, content_expectations);
	tcase_add_test(tc, content_without_a_leak);
	tcase_add_test(tc, credential_leak_fails);
	tcase_add_test(tc, attacker_leg_in_the_reason);
	tcase_add_test(tc, scenario_keys);
	suite_add_tcase(s, tc);
	return s;
}

TEST_MAIN(verdict_leaks_suite)
