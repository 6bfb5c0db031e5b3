/*
 * check_verdict_sts: sim/verdict_sts.c, the compliant MTA-STS sender's
 * view of each phase: discovery (TXT variants, tamper_txt), the fetch
 * (variants, policy host certificates, tamper_policy), the body parse,
 * and the cache (kept while the TXT id stays, refreshed on a new id,
 * kept over an invalid update or a blocked discovery, gone after
 * max_age, switched off by mode none).
 */
#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "sim/scenario.h"
#include "sim/verdict_sts.h"
#include "testutil.h"

static struct scenario *
load(const char *phases)
{
	char err[1024];
	struct scenario *s = NULL;
	char *src = xasprintf("return { title = \"t\", refs = {}, domain = \"example.test\",\n"
	    " mx = { { host = \"mx1.example.test\" } },\n phases = {\n%s\n} }\n", phases);

	ck_assert_msg(scenario_load_string("v.lua", src, strlen(src), &s, err,
	    sizeof(err)) == 0, "%s", err);
	free(src);
	return s;
}

/* Phase ph's mode ("-" for none) and discovery ("-" for none). */
static void
want(const struct scenario *s, unsigned ph, const char *mode, const char *disc)
{
	struct verdict_sts v;

	verdict_sts_at(s, ph, &v);
	ck_assert_msg(strcmp(v.mode ? v.mode : "-", mode) == 0,
	    "phase %u: mode %s, want %s (%s)", ph, v.mode ? v.mode : "-", mode, v.why);
	ck_assert_msg(strcmp(v.discovery ? v.discovery : "-", disc) == 0,
	    "phase %u: discovery %s, want %s (%s)", ph,
	    v.discovery ? v.discovery : "-", disc, v.why);
	verdict_sts_clear(&v);
}

#define E(x) "{ " x " expect = { delivery = \"verified\" } },\n"

START_TEST(discovery_and_fetch)
{
	struct scenario *s = load(
	    E("set = { mta_sts = { id = \"a\" } },")
	    E("set = { mta_sts = false },")
	    E("set = { mta_sts = { txt = { \"v=STSv1; id=a\", \"v=STSv1; id=b\" } } },")
	    E("set = { mta_sts = { id = \"c\", variant = \"redirect\" } },")
	    E("set = { mta_sts = { id = \"d\", cert = \"expired\" } },")
	    E("set = { mta_sts = { id = \"e\", variant = \"content-type\" } },")
	    E("set = { mta_sts = { id = \"f\", mode = \"Enforce\" } },")
	    E("set = { mta_sts = { id = \"g\", mode = \"testing\" } },"));
	/* the first enforce policy stays cached through all that follows */
	want(s, 1, "enforce", "-");
	want(s, 2, "enforce", "-");   /* no record: the cache still holds */
	want(s, 3, "enforce", "-");   /* two records: no discovery */
	want(s, 4, "enforce", "sts-policy-fetch-error");
	want(s, 5, "enforce", "sts-webpki-invalid");
	want(s, 6, "enforce", "sts-policy-invalid");
	want(s, 7, "enforce", "sts-policy-invalid");
	want(s, 8, "testing", "-");
	scenario_free(s);
}
END_TEST

START_TEST(no_cache)
{
	struct scenario *s = load(
	    E("set = { mta_sts = { id = \"a\", variant = \"404\" } },")
	    E("set = { mta_sts = { id = \"b\", cert = { san = { \"*.example.test\" } } } },"));
	want(s, 1, "-", "sts-policy-fetch-error");
	want(s, 2, "enforce", "-");
	scenario_free(s);
}
END_TEST

START_TEST(cache_expiry_and_none)
{
	struct scenario *s = load(
	    E("set = { mta_sts = { id = \"a\", max_age = 120 } },")
	    E("advance = \"1m\", set = { mta_sts = { id = \"a\", txt = {}, variant = \"404\" } },")
	    E("advance = \"10m\",")
	    E("set = { mta_sts = { id = \"b\", mode = \"none\" } },"));
	want(s, 1, "enforce", "-");
	want(s, 2, "enforce", "-");
	want(s, 3, "-", "-");
	want(s, 4, "-", "-");
	scenario_free(s);
}
END_TEST

START_TEST(attacks)
{
	struct scenario *s = load(
	    E("set = { mta_sts = { id = \"a\" }, attack = { { \"tamper_txt\" } } },")
	    E("set = { attack = { { \"tamper_policy\", mode = \"none\" } } },")
	    E("advance = \"10m\", set = { attack = { { \"tamper_policy\", mode = \"testing\", cert = \"valid\" } } },")
	    E("set = { mta_sts = { id = \"b\" }, attack = { { \"tamper_policy\" } } },"));
	want(s, 1, "-", "-");                      /* TXT blocked: first contact */
	want(s, 2, "-", "sts-webpki-invalid");     /* the attacker's cert */
	want(s, 3, "testing", "-");                /* a CA gave it a valid one */
	want(s, 4, "testing", "sts-policy-fetch-error");
	scenario_free(s);
}
END_TEST

/* Retry pacing (5 minutes per failed id) and the daily proactive
 * refresh, which re-arms max_age. */
START_TEST(pacing_and_refresh)
{
	struct scenario *s = load(
	    E("set = { mta_sts = { id = \"a\", variant = \"500\", max_age = 172800 } },")
	    E("advance = \"4m\", set = { mta_sts = { id = \"a\", max_age = 172800 } },")
	    E("advance = \"2m\",")
	    E("advance = \"23h\",")
	    E("advance = \"2h\", set = { mta_sts = { id = \"a\", variant = \"404\" } },")
	    E("advance = \"20h\", set = { mta_sts = { id = \"a\", txt = {} } },")
	    E("advance = \"5h\","));
	want(s, 1, "-", "sts-policy-fetch-error");
	want(s, 2, "-", "-");                       /* paced: not fetched */
	want(s, 3, "enforce", "-");                 /* 6 min on: fetched */
	want(s, 4, "enforce", "-");                 /* 23 h: the cache */
	want(s, 5, "enforce", "sts-policy-fetch-error"); /* 25 h: refresh fails */
	want(s, 6, "enforce", "-");                 /* kept: 45 h after phase 3 */
	want(s, 7, "-", "-");                       /* not re-armed: gone at 48 h */
	scenario_free(s);
	s = load(
	    E("set = { mta_sts = { id = \"a\", max_age = 172800 } },")
	    E("advance = \"25h\",")
	    E("advance = \"25h\", set = { mta_sts = { id = \"a\", txt = {} } },"));
	want(s, 3, "enforce", "-");   /* the refresh at 25 h re-armed it */
	scenario_free(s);
}
END_TEST

/* The policy domain: a relay's, none for an address literal, never the
 * parent of a subdomain recipient. */
START_TEST(policy_domain)
{
	struct scenario *s = load(
	    E("set = { mta_sts = { id = \"a\", domain = \"smarthost.test\" } },")
	    E("set = { relay = \"smarthost.test\" },")
	    E("set = { relay = false, mta_sts = { id = \"b\" },"
	      " message = { rcpt = \"u@[127.25.0.11]\" } },")
	    E("set = { message = { rcpt = \"u@sub.example.test\" } },")
	    E("set = { message = { rcpt = \"u@example.test\" } },"));
	want(s, 1, "-", "-");          /* published for another domain */
	want(s, 2, "enforce", "-");    /* relaying through it */
	want(s, 3, "-", "-");          /* a literal: no policy domain */
	want(s, 4, "-", "-");          /* sub.example.test: never the parent's */
	want(s, 5, "enforce", "-");    /* id b fetched for example.test */
	scenario_free(s);
}
END_TEST

static Suite *
verdict_sts_suite(void)
{
	Suite *s = suite_create("verdict_sts");
	TCase *tc = tcase_create("model");

	tcase_add_test(tc, discovery_and_fetch);
	tcase_add_test(tc, no_cache);
	tcase_add_test(tc, cache_expiry_and_none);
	tcase_add_test(tc, attacks);
	tcase_add_test(tc, pacing_and_refresh);
	tcase_add_test(tc, policy_domain);
	suite_add_tcase(s, tc);
	return s;
}

TEST_MAIN(verdict_sts_suite)
