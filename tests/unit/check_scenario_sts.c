/*
 * check_scenario_sts: sim/scenario_sts.c.  The good fixture
 * tests/data/scenarios/good/mta-sts.lua converts field by field (the
 * defaults, the TXT records as zone-file rdata, the policy attacks,
 * phases that change or remove the policy); the bad fixtures of the
 * MTA-STS keys are checked with every other bad fixture by
 * check_scenario.c; here a few more errors are checked from strings.
 */
#include "sim/scenario.h"
#include "core/util.h"
#include "tests/unit/testutil.h"

#include <stdlib.h>
#include <string.h>

static struct scenario *
load_ok(const char *rel)
{
	struct scenario *s = NULL;
	char err[1024] = "";

	ck_assert_msg(scenario_load(tu_path(rel), NULL, &s, err, sizeof(err)) == 0,
	    "%s: %s", rel, err);
	return s;
}

START_TEST(test_fixture)
{
	struct scenario *s = load_ok("tests/data/scenarios/good/mta-sts.lua");
	const struct scn_world *w = &s->phases[0].world;
	const struct scn_sts *st = w->sts;
	const struct scn_attack *a;

	ck_assert_uint_eq(s->nphases, 3);
	ck_assert_ptr_nonnull(st);
	ck_assert_str_eq(st->mode, "testing");
	ck_assert_str_eq(st->max_age, "86400");
	ck_assert_str_eq(st->id, "mxsim1");
	ck_assert_str_eq(st->variant, "ok");
	ck_assert_str_eq(st->cert.variant, "valid");
	ck_assert_ptr_null(st->body);
	ck_assert(!st->txt_set);
	/* mx defaults to the MX hosts */
	ck_assert_uint_eq(st->nmx, 2);
	ck_assert_str_eq(st->mx[0], "mx1.example.test");
	ck_assert_str_eq(st->mx[1], "mx2.example.test");
	ck_assert_ptr_null(st->mx[2]);
	ck_assert_uint_eq(w->ntlsrpt_rua, 2);
	ck_assert(!w->tlsrpt_txt_set);

	ck_assert_uint_eq(w->nattacks, 2);
	a = &w->attacks[0];
	ck_assert_str_eq(a->name, "tamper_policy");
	ck_assert_str_eq(a->host, "mta-sts.example.test");
	ck_assert_str_eq(a->mode, "replace");
	ck_assert_str_eq(a->text, "version: STSv1\nmode: none\nmax_age: 1\n");
	ck_assert_str_eq(a->cert.variant, "attacker");
	ck_assert_int_eq(a->nth, 1);
	a = &w->attacks[1];
	ck_assert_str_eq(a->name, "tamper_txt");
	ck_assert_str_eq(a->host, "_mta-sts.example.test");
	ck_assert_str_eq(a->mode, "rewrite");
	ck_assert_str_eq(a->set[0], "\"v=STSv1; id=evil\"");
	ck_assert_str_eq(a->set[1], "\"v=spf1\" \" -all\"");
	ck_assert_ptr_null(a->set[2]);

	w = &s->phases[1].world;
	st = w->sts;
	ck_assert_str_eq(st->mode, "enforce");     /* a new table: defaults */
	ck_assert_str_eq(st->id, "two");
	ck_assert_str_eq(st->max_age, "1e6");
	ck_assert_str_eq(st->variant, "redirect-307");
	ck_assert_str_eq(st->cert.variant, "expired");
	ck_assert_str_eq(st->body, "version: STSv1\r\nmode: enforce\r\n");
	ck_assert_uint_eq(st->nmx, 2);
	ck_assert_str_eq(st->mx[1], "mx*.example.test");
	ck_assert(st->txt_set);
	ck_assert_uint_eq(st->ntxt, 2);
	ck_assert_str_eq(st->txt[0], "\"v=STSv1; id=two\"");
	ck_assert_str_eq(st->txt[1], "\"v=STSv1; \" \"id=x\\\"y\"");
	ck_assert_uint_eq(w->nattacks, 0);
	ck_assert(w->tlsrpt_txt_set);
	ck_assert_uint_eq(w->ntlsrpt_rua, 0);
	ck_assert_str_eq(w->tlsrpt_txt[0], "\"v=TLSRPTv1;rua=mailto:a@example.test\"");

	ck_assert_ptr_null(s->phases[2].world.sts);
	/* the earlier phase keeps its own copy */
	ck_assert_str_eq(s->phases[0].world.sts->mode, "testing");
	scenario_free(s);
}
END_TEST

static void
bad(const char *body, const char *want)
{
	char src[2048], err[1024] = "";
	struct scenario *s = NULL;

	snprintf(src, sizeof(src), "return {\n title = \"x\", refs = {},\n"
	    " domain = \"example.test\",\n mx = { { host = \"mx1.example.test\" } },\n"
	    "%s,\n expect = { delivery = \"verified\" } }\n", body);
	ck_assert_int_eq(scenario_load_string("s.lua", src, strlen(src), &s, err,
	    sizeof(err)), -1);
	ck_assert_ptr_null(s);
	ck_assert_msg(strstr(err, want) != NULL, "want: %s\ngot:  %s", want, err);
}

START_TEST(test_errors)
{
	bad(" mta_sts = { mx = { \"a\", 5 } }", "s.lua:5: mta_sts.mx[2]: ");
	bad(" mta_sts = { body = 5 }", "s.lua:5: mta_sts.body: expected the policy text");
	bad(" mta_sts = { max_age = true }", "s.lua:5: mta_sts.max_age: expected seconds");
	bad(" mta_sts = { mx = { \"mx1\\r\" } }", "s.lua:5: mta_sts.mx[1]: one line");
	bad(" mta_sts = { txt = { {} } }", "s.lua:5: mta_sts.txt[1]: a record needs");
	bad(" mta_sts = {}, attack = { { \"tamper_policy\", host = \"evil.test\" } }",
	    "s.lua:5: attack[1].host: tamper_policy targets \"evil.test\"");
	bad(" mta_sts = {}, attack = { { \"tamper_policy\", port = 443 } }",
	    "s.lua:5: attack[1].port: tamper_policy takes no port");
	bad(" attack = { { \"tamper_txt\", mode = \"rewrite\" } }",
	    "s.lua:5: attack[1].text: mode \"rewrite\" needs text");
	bad(" mta_sts = { cname = \"a..b\" }", "s.lua:5: mta_sts.cname: not a DNS name");
	bad(" mta_sts = { cname = \"_x.provider.test\", txt = {} }",
	    "s.lua:5: mta_sts.cname: a CNAME to no TXT record");
	bad(" mta_sts = { domain = \"_bad\" }", "s.lua:5: mta_sts.domain: ");
	bad(" relay = 5", "s.lua:5: relay: ");
	bad(" message = { rcpt = \"nobody\" }", "s.lua:5: message.rcpt: expected an address");
	bad(" message = { rcpt = \"a b@c.test\" }", "s.lua:5: message.rcpt: an address without");
	bad(" mx = { { host = \"mx1.example.test\", tls = \"ssl3\" } }",
	    "s.lua:5: mx[1].tls: bad value");
	bad(" phases = { { set = { mta_sts = false, attack = { { \"tamper_policy\" } } },"
	    " expect = { delivery = \"verified\" } } }, x = 1",
	    "unknown key \"x\"");
}
END_TEST

START_TEST(test_set_keeps_policy_attack)
{
	const char *src = "return { title = \"x\", refs = {}, domain = \"example.test\",\n"
	    " mx = { { host = \"mx1.example.test\" } },\n"
	    " mta_sts = { id = \"a\" },\n"
	    " phases = { { expect = { delivery = \"verified\" } },\n"
	    "   { set = { mta_sts = false }, expect = { delivery = \"verified\" } },\n"
	    "   { set = { attack = { { \"tamper_policy\" } } },\n"
	    "     expect = { delivery = \"verified\" } } } }\n";
	struct scenario *s = NULL;
	char err[1024] = "";

	/* phase 3 attacks a policy host that phase 2 took away */
	ck_assert_int_eq(scenario_load_string("p.lua", src, strlen(src), &s, err,
	    sizeof(err)), -1);
	ck_assert_msg(strstr(err, "p.lua:6: ") != NULL &&
	    strstr(err, "tamper_policy needs a policy host") != NULL, "%s", err);
}
END_TEST

/* The keys of issue 4: mta_sts.domain and cname, relay, message.rcpt,
 * mx.tls and expect.fetches, and how phases carry them. */
START_TEST(test_new_keys)
{
	const char *src = "return { title = \"x\", refs = {}, domain = \"example.test\",\n"
	    " relay = \"smarthost.test\",\n"
	    " mx = { { host = \"relay.smarthost.test\", tls = \"tls1.0\" },\n"
	    "        { host = \"mx2.example.test\", tls = \"no-shared-cipher\" },\n"
	    "        { host = \"mx3.example.test\" } },\n"
	    " mta_sts = { domain = \"smarthost.test\", cname = \"_mta-sts.p.test\" },\n"
	    " message = { rcpt = \"user@[127.25.0.11]\" },\n"
	    " phases = { { expect = { delivery = \"verified\", fetches = 1 } },\n"
	    "   { set = { relay = false, mta_sts = { domain = \"example.test\" },\n"
	    "             message = { rcpt = \"u@example.test\" } },\n"
	    "     expect = { delivery = \"verified\", fetches = \"2+\" } },\n"
	    "   { expect = { delivery = \"verified\" } } } }\n";
	struct scenario *s = NULL;
	char err[1024] = "";
	const struct scn_world *w;

	ck_assert_msg(scenario_load_string("k.lua", src, strlen(src), &s, err,
	    sizeof(err)) == 0, "%s", err);
	w = &s->phases[0].world;
	ck_assert_str_eq(w->relay, "smarthost.test");
	ck_assert_int_eq(w->mx[0].tls, SCN_MX_TLS_10);
	ck_assert_int_eq(w->mx[1].tls, SCN_MX_TLS_NO_CIPHER);
	ck_assert_int_eq(w->mx[2].tls, SCN_MX_TLS_DEFAULT);
	ck_assert_str_eq(w->sts->domain, "smarthost.test");
	ck_assert_str_eq(w->sts->cname, "_mta-sts.p.test");
	ck_assert_str_eq(scn_sts_domain(s, w->sts), "smarthost.test");
	ck_assert_str_eq(w->message.rcpt, "user@[127.25.0.11]");
	ck_assert_int_eq(s->phases[0].expect.fetches_min, 1);
	ck_assert_int_eq(s->phases[0].expect.fetches_max, 1);
	w = &s->phases[1].world;
	ck_assert_str_eq(w->relay, "");
	ck_assert_ptr_null(w->sts->domain);   /* the recipient domain, said */
	ck_assert_ptr_null(w->sts->cname);
	ck_assert_str_eq(scn_sts_domain(s, w->sts), "example.test");
	ck_assert_str_eq(w->message.rcpt, "u@example.test");
	ck_assert_int_eq(s->phases[1].expect.fetches_min, 2);
	ck_assert_int_eq(s->phases[1].expect.fetches_max, -1);
	/* phase 3 keeps phase 2's world; no fetches expectation */
	ck_assert_str_eq(s->phases[2].world.message.rcpt, "u@example.test");
	ck_assert_int_eq(s->phases[2].expect.fetches_min, -1);
	scenario_free(s);
	/* a count or "N+", nothing else */
	src = "return { title = \"x\", refs = {}, domain = \"example.test\",\n"
	    " mx = { { host = \"mx1.example.test\" } },\n"
	    " expect = { delivery = \"verified\", fetches = \"1-2\" } }\n";
	s = NULL;
	ck_assert_int_eq(scenario_load_string("f.lua", src, strlen(src), &s, err,
	    sizeof(err)), -1);
	ck_assert_msg(strstr(err, "f.lua:3: expect.fetches: expected a count") !=
	    NULL, "%s", err);
}
END_TEST

static Suite *
scenario_sts_suite(void)
{
	Suite *s = suite_create("scenario_sts");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_fixture);
	tcase_add_test(tc, test_errors);
	tcase_add_test(tc, test_set_keeps_policy_attack);
	tcase_add_test(tc, test_new_keys);
	suite_add_tcase(s, tc);
	return s;
}

TEST_MAIN(scenario_sts_suite)
