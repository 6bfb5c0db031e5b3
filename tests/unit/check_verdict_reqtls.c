/*
 * Unit tests for REQUIRETLS in the verdict (sim/verdict_reqtls.c through
 * verdict_message_ctx): recorded sessions, scenarios loaded from source
 * with the `message` and mx `requiretls` keys.
 */
#include <string.h>

#include "core/pki.h"
#include "core/record.h"
#include "core/result.h"
#include "sim/scenario.h"
#include "sim/verdict.h"
#include "sim/verdict_reqtls.h"
#include "testutil.h"

#define CLOCK 1780272000 /* 2026-06-01T00:00:00Z */

static struct pki *pki;
static struct rec *rec;
static struct scenario *scn;

static void
setup(void)
{
	pki = pki_new(1, CLOCK);
	rec = rec_new(NULL);
	rec_set_message(rec, 1, 1);
	scn = NULL;
}

static void
teardown(void)
{
	scenario_free(scn);
	rec_free(rec);
	pki_free(pki);
	pki_rand_restore();
}

static struct scenario *
load(const char *src)
{
	char err[512];
	struct scenario *s = NULL;

	ck_assert_msg(scenario_load_string("t.lua", src, strlen(src), &s, err,
	    sizeof(err)) == 0, "load: %s", err);
	return s;
}

/* A session over TLS with a valid certificate for host, data sent. */
static struct rec_session *
tls_delivery(const char *host, bool param)
{
	struct pki_spec spec = { .variant = "valid", .host = host };
	struct pki_cert *c;
	unsigned char *der = NULL;
	char err[256];
	struct rec_session *s = rec_session_new(rec, host, "127.25.0.11", 25);

	ck_assert_int_eq(pki_issue(pki, &spec, &c, err, sizeof(err)), 0);
	int len = i2d_X509(pki_cert_x509(c), &der);
	s->connected = s->banner = s->starttls_offered = s->starttls_issued = true;
	s->starttls_reply = 220;
	s->tls = REC_TLS_OK;
	rec_set(&s->tls_by, "mx");
	rec_set_cert(s, "valid", der, (size_t)len, NULL, 0);
	OPENSSL_free(der);
	pki_cert_free(c);
	s->mail_from = s->data_sent = s->data_tls = true;
	s->mail_requiretls = param;
	rec_set(&s->data_to, "mx");
	return s;
}

static void
judge(struct res_message *m)
{
	struct verdict_ctx vc = { scn->domain, NULL, 0, scn };

	memset(m, 0, sizeof(*m));
	verdict_message_ctx(pki, rec, CLOCK, 1, 1, &vc, m);
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

#define SCN(dnssec, extra)                                                   \
	"return { title = 't', refs = {}, domain = 'example.test',\n"        \
	"  dnssec = '" dnssec "',\n"                                          \
	"  mx = { { host = 'mx1.example.test' } },\n" extra                 \
	"  expect = { delivery = 'verified' } }\n"

START_TEST(loader_keys)
{
	scn = load("return { title = 't', refs = {}, domain = 'example.test',\n"
	    "  mx = { { host = 'mx1.example.test', requiretls = 'plaintext' },\n"
	    "         { host = 'mx2.example.test', requiretls = false },\n"
	    "         { host = 'mx3.example.test', requiretls = 'both' },\n"
	    "         { host = 'mx4.example.test' } },\n"
	    "  message = { requiretls = true },\n"
	    "  phases = { { expect = { delivery = 'refused' } },\n"
	    "    { set = { message = { tls_required_no = true } },\n"
	    "      expect = { delivery = 'refused' } },\n"
	    "    { set = { message = { requiretls = false } },\n"
	    "      expect = { delivery = 'refused' } } } }\n");
	ck_assert_int_eq(scn->phases[0].world.mx[0].requiretls, SCN_REQTLS_PLAIN);
	ck_assert_int_eq(scn->phases[0].world.mx[1].requiretls, SCN_REQTLS_OFF);
	ck_assert_int_eq(scn->phases[0].world.mx[2].requiretls, SCN_REQTLS_BOTH);
	ck_assert_int_eq(scn->phases[0].world.mx[3].requiretls, SCN_REQTLS_TLS);
	/* a phase's set changes only the keys it names */
	ck_assert(scn->phases[0].world.message.requiretls);
	ck_assert(!scn->phases[0].world.message.tls_required_no);
	ck_assert(scn->phases[1].world.message.requiretls);
	ck_assert(scn->phases[1].world.message.tls_required_no);
	ck_assert(!scn->phases[2].world.message.requiretls);
	ck_assert(scn->phases[2].world.message.tls_required_no);
	ck_assert(verdict_reqtls_message(scn, 1));
	ck_assert(!verdict_reqtls_message(scn, 3));
	ck_assert(!verdict_reqtls_message(scn, 4));   /* no such phase */
	ck_assert(!verdict_reqtls_mx_secure(scn, 1));
}
END_TEST

START_TEST(verified_needs_the_parameter)
{
	struct res_message m;

	scn = load(SCN("secure", "  message = { requiretls = true },\n"));
	tls_delivery("mx1.example.test", false);
	judge(&m);
	ck_assert_str_eq(m.delivery, "tls");
	ck_assert_ptr_nonnull(strstr(m.reason, "without REQUIRETLS on MAIL FROM"));
	free_msg(&m);
}
END_TEST

START_TEST(verified_with_the_parameter)
{
	struct res_message m;

	scn = load(SCN("secure", "  message = { requiretls = true },\n"));
	ck_assert(verdict_reqtls_mx_secure(scn, 1));
	tls_delivery("mx1.example.test", true);
	judge(&m);
	ck_assert_str_eq(m.delivery, "verified");
	free_msg(&m);
}
END_TEST

START_TEST(unauthenticated_mx)
{
	struct res_message m;

	scn = load(SCN("insecure", "  message = { requiretls = true },\n"));
	tls_delivery("mx1.example.test", true);
	judge(&m);
	ck_assert_str_eq(m.delivery, "tls");
	ck_assert_ptr_nonnull(strstr(m.reason, "nothing authenticates"));
	free_msg(&m);
}
END_TEST

START_TEST(sts_enforce_authenticates)
{
	struct res_message m;

	scn = load(SCN("insecure", "  message = { requiretls = true },\n"
	    "  mta_sts = { mode = 'enforce', mx = { 'mx1.example.test' } },\n"));
	tls_delivery("mx1.example.test", true);
	judge(&m);
	ck_assert_str_eq(m.delivery, "verified");
	free_msg(&m);
	scenario_free(scn);
	/* testing mode proves nothing about the MX name */
	scn = load(SCN("insecure", "  message = { requiretls = true },\n"
	    "  mta_sts = { mode = 'testing', mx = { 'mx1.example.test' } },\n"));
	judge(&m);
	ck_assert_str_eq(m.delivery, "tls");
	free_msg(&m);
}
END_TEST

START_TEST(zones_override)
{
	scn = load(SCN("insecure", "  zones = { ['example.test'] = 'secure' },\n"));
	ck_assert(verdict_reqtls_mx_secure(scn, 1));
}
END_TEST

START_TEST(clear_is_plaintext_without_data)
{
	struct res_message m;
	struct rec_session *s;

	/* any message: REQUIRETLS in clear is wrong (RFC 8689 2) */
	scn = load(SCN("secure", ""));
	s = rec_session_new(rec, "mx1.example.test", "127.25.0.11", 25);
	s->connected = s->banner = true;
	s->mail_requiretls = s->mail_requiretls_clear = true;
	rec_set(&s->end, "quit");
	judge(&m);
	ck_assert_str_eq(m.delivery, "plaintext");
	ck_assert_ptr_nonnull(strstr(m.reason, "outside TLS"));
	free_msg(&m);
}
END_TEST

START_TEST(other_messages_unchanged)
{
	struct res_message m;

	scn = load(SCN("insecure", ""));
	tls_delivery("mx1.example.test", false);
	judge(&m);
	ck_assert_str_eq(m.delivery, "verified");
	free_msg(&m);
}
END_TEST

static Suite *
verdict_reqtls_suite(void)
{
	Suite *s = suite_create("verdict_reqtls");
	TCase *tc = tcase_create("requiretls");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, loader_keys);
	tcase_add_test(tc, verified_needs_the_parameter);
	tcase_add_test(tc, verified_with_the_parameter);
	tcase_add_test(tc, unauthenticated_mx);
	tcase_add_test(tc, sts_enforce_authenticates);
	tcase_add_test(tc, zones_override);
	tcase_add_test(tc, clear_is_plaintext_without_data);
	tcase_add_test(tc, other_messages_unchanged);
	suite_add_tcase(s, tc);
	return s;
}

TEST_MAIN(verdict_reqtls_suite)
