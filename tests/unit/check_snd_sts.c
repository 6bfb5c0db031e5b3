/*
 * Tests for the reference sender's MTA-STS cache and TLSRPT store
 * (senders/builtin/snd_sts_cache.c, snd_tlsrpt.c) and its
 * "TLS-Required: No" detection (snd_reqtls.c): id change, expiry at
 * max_age on the scenario clock, references that survive a refresh, MX
 * matching (RFC 8461 4.1), the Content-Type rule, and the report the
 * sender builds, checked against reports/tlsrpt.schema.json with
 * python3 -m jsonschema (skipped when that is not installed) and parsed
 * back with fake-https's strict report parser.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fake-https/sts.h"
#include "senders/builtin/snd_int.h"
#include "senders/builtin/snd_sts.h"
#include "tests/unit/testutil.h"

#define T0 1780272000   /* 2026-06-01T00:00:00Z */
#define POL "version: STSv1\nmode: enforce\nmx: mx1.example.test\nmx: *.b.example.test\nmax_age: 3600\n"

static struct sts_policy *
parse(const char *text)
{
	struct sts_policy *p;
	char err[256];

	ck_assert_msg(sts_policy_parse(text, strlen(text), &p, err, sizeof(err)) == 0,
	    "%s", err);
	return p;
}

START_TEST(test_cache_expiry_and_id)
{
	struct snd_sts_cache *c = snd_sts_cache_new();
	struct snd_sts_pol *e, *held;

	ck_assert_ptr_null(snd_sts_cache_get(c, "example.test", T0));
	e = snd_sts_cache_put(c, "Example.TEST", "id1", parse(POL), T0);
	ck_assert_str_eq(e->domain, "example.test");
	ck_assert_int_eq(e->expires, T0 + 3600);
	ck_assert_ptr_eq(snd_sts_cache_get(c, "example.test", T0 + 3599), e);
	/* a delivery holds it while a refresh (new id) replaces it */
	held = snd_sts_pol_ref(e);
	e = snd_sts_cache_put(c, "example.test", "id2", parse(POL), T0 + 100);
	ck_assert_ptr_ne(e, held);
	ck_assert_str_eq(held->id, "id1");
	ck_assert_str_eq(e->id, "id2");
	ck_assert_uint_eq(snd_sts_cache_count(c), 1);
	snd_sts_pol_unref(held);
	/* max_age runs from the last fetch: gone at T0 + 100 + 3600 */
	ck_assert_ptr_nonnull(snd_sts_cache_get(c, "example.test", T0 + 3699));
	ck_assert_ptr_null(snd_sts_cache_get(c, "example.test", T0 + 3700));
	ck_assert_uint_eq(snd_sts_cache_count(c), 0);
	snd_sts_cache_free(c);
}
END_TEST

/* Retry pacing (RFC 8461 3.3) and the daily proactive refresh. */
START_TEST(test_cache_pacing_and_refresh)
{
	struct snd_sts_cache *c = snd_sts_cache_new();
	struct snd_sts_pol *e;

	ck_assert_int_eq(snd_sts_cache_paced(c, "example.test", "a", T0), -1);
	snd_sts_cache_failed(c, "Example.Test", "a", T0);
	ck_assert_int_eq(snd_sts_cache_paced(c, "example.test", "a", T0), 0);
	ck_assert_int_eq(snd_sts_cache_paced(c, "example.test", "a", T0 + 299), 299);
	ck_assert_int_eq(snd_sts_cache_paced(c, "example.test", "a", T0 + 300), -1);
	ck_assert_int_eq(snd_sts_cache_paced(c, "example.test", "b", T0 + 1), -1);
	ck_assert_int_eq(snd_sts_cache_paced(c, "other.test", "a", T0 + 1), -1);
	ck_assert_int_eq(snd_sts_cache_paced(c, "example.test", "a", T0 - 1), -1);
	/* another failure of another id replaces it */
	snd_sts_cache_failed(c, "example.test", "b", T0 + 10);
	ck_assert_int_eq(snd_sts_cache_paced(c, "example.test", "a", T0 + 11), -1);
	ck_assert_int_eq(snd_sts_cache_paced(c, "example.test", "b", T0 + 11), 1);
	/* a good fetch ends the pacing */
	e = snd_sts_cache_put(c, "example.test", "b", parse(POL), T0 + 20);
	ck_assert_int_eq(snd_sts_cache_paced(c, "example.test", "b", T0 + 21), -1);
	ck_assert(!snd_sts_cache_stale(e, T0 + 20 + SND_STS_REFRESH_S - 1));
	ck_assert(snd_sts_cache_stale(e, T0 + 20 + SND_STS_REFRESH_S));
	snd_sts_cache_free(c);
}
END_TEST

START_TEST(test_state_survives)
{
	struct snd_state *st = snd_state_new();

	ck_assert_uint_eq(snd_state_policies(st), 0);
	(void)snd_sts_cache_put(st->cache, "example.test", "1", parse(POL), T0);
	ck_assert_uint_eq(snd_state_policies(st), 1);
	snd_state_free(st);
	snd_state_free(NULL);
}
END_TEST

START_TEST(test_mx_match)
{
	struct sts_policy *p = parse(POL);

	ck_assert(snd_sts_mx_ok(p, "mx1.example.test"));
	ck_assert(snd_sts_mx_ok(p, "MX1.Example.Test."));
	ck_assert(snd_sts_mx_ok(p, "x.b.example.test"));
	ck_assert(!snd_sts_mx_ok(p, "b.example.test"));      /* not the base */
	ck_assert(!snd_sts_mx_ok(p, "y.x.b.example.test"));  /* one label */
	ck_assert(!snd_sts_mx_ok(p, "mx2.example.test"));
	ck_assert(!snd_sts_mx_ok(NULL, "mx1.example.test"));
	sts_policy_free(p);
	p = parse("version: STSv1\nmode: enforce\nmx: mx*.example.test\nmax_age: 60\n");
	ck_assert(!snd_sts_mx_ok(p, "mx1.example.test"));   /* never matches */
	sts_policy_free(p);
}
END_TEST

START_TEST(test_content_type)
{
	ck_assert(snd_sts_ctype_ok("text/plain"));
	ck_assert(snd_sts_ctype_ok("Text/Plain; charset=utf-8"));
	ck_assert(!snd_sts_ctype_ok("text/html"));
	ck_assert(!snd_sts_ctype_ok("text/plainx"));
	ck_assert(!snd_sts_ctype_ok(NULL));
}
END_TEST

START_TEST(test_tls_required_header)
{
	ck_assert(snd_reqtls_header_no("Subject: x\nTLS-Required: No\n\nbody\n"));
	ck_assert(snd_reqtls_header_no("tls-required:   no  \r\n\r\n"));
	ck_assert(!snd_reqtls_header_no("Subject: x\n\nTLS-Required: No\n"));
	ck_assert(!snd_reqtls_header_no("TLS-Required: Yes\n\n"));
	ck_assert(!snd_reqtls_header_no(""));
}
END_TEST

static int
schema_check(const char *json)
{
	char path[] = "/tmp/snd-tlsrpt-XXXXXX";
	char cmd[1024];
	int fd = mkstemp(path), rc;

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, json, strlen(json)), (ssize_t)strlen(json));
	close(fd);
	snprintf(cmd, sizeof(cmd), "python3 -m jsonschema -i %s %s >/dev/null 2>&1",
	    path, tu_path("reports/tlsrpt.schema.json"));
	rc = system(cmd);
	unlink(path);
	return rc;
}

START_TEST(test_report)
{
	struct snd_rpt *r = snd_rpt_new();
	struct sts_policy *p = parse(POL);
	const char *tlsa[] = { "3 1 1 AABB" };
	struct sts_tlsrpt_report *rep;
	char *json, err[256];
	time_t a, b;

	snd_rpt_add(r, "example.test", "sts", "example.test",
	    (const char *const *)p->strings, p->nstrings,
	    (const char *const *)p->mx, p->nmx, NULL, "127.1.0.1",
	    "mx1.example.test", "127.25.0.11", NULL, T0 + 10);
	for (int i = 0; i < 2; i++)
		snd_rpt_add(r, "example.test", "sts", "example.test", NULL, 0, NULL,
		    0, "certificate-expired", "127.1.0.1", "mx1.example.test",
		    "127.25.0.11", NULL, T0 + 20);
	snd_rpt_add(r, "example.test", "sts", "example.test", NULL, 0, NULL, 0,
	    "sts-policy-fetch-error", "127.1.0.1", NULL, NULL, NULL, T0 + 30);
	snd_rpt_add(r, "example.test", "tlsa", "mx2.example.test", tlsa, 1, NULL,
	    0, NULL, "127.1.0.1", "mx2.example.test", "127.25.0.12", NULL,
	    T0 + 86400 + 5);
	snd_rpt_add(r, "other.test", "no-policy-found", "other.test", NULL, 0,
	    NULL, 0, "starttls-not-supported", "127.1.0.1", "mx.other.test",
	    NULL, NULL, T0);
	ck_assert_uint_eq(snd_rpt_domains(r), 2);
	snd_rpt_range(r, 0, &a, &b);
	ck_assert_int_eq(a, T0);
	ck_assert_int_eq(b, T0 + 2 * 86400);   /* whole UTC days */
	json = snd_rpt_json(r, 0);
	ck_assert_ptr_nonnull(json);
	ck_assert_msg(sts_tlsrpt_report_parse(json, strlen(json), false, &rep, err,
	    sizeof(err)) == 0, "%s\n%s", err, json);
	ck_assert_uint_eq(rep->npolicies, 2);
	ck_assert_str_eq(rep->policies[0].type, "sts");
	ck_assert_uint_eq(rep->policies[0].success, 1);
	ck_assert_uint_eq(rep->policies[0].failure, 3);
	ck_assert_uint_eq(rep->policies[0].nfailures, 2);
	ck_assert_uint_eq(rep->policies[0].failures[0].count, 2);
	ck_assert_uint_eq(rep->policies[0].nstrings, 5);   /* as served */
	ck_assert_str_eq(rep->policies[0].strings[2], "mx: mx1.example.test");
	ck_assert_uint_eq(rep->policies[0].nmx_patterns, 2);
	ck_assert_str_eq(rep->policies[1].type, "tlsa");
	ck_assert_str_eq(rep->policies[1].domain, "mx2.example.test");
	sts_tlsrpt_report_free(rep);
	if (system("python3 -c 'import jsonschema' >/dev/null 2>&1") == 0)
		ck_assert_msg(schema_check(json) == 0, "schema rejects:\n%s", json);
	free(json);
	json = snd_rpt_json(r, 1);
	ck_assert_ptr_nonnull(strstr(json, "\"no-policy-found\""));
	ck_assert_ptr_null(strstr(json, "policy-string"));
	free(json);
	snd_rpt_forget(r, 0);
	ck_assert_uint_eq(snd_rpt_domains(r), 1);
	ck_assert_str_eq(snd_rpt_domain(r, 0), "other.test");
	ck_assert_ptr_null(snd_rpt_json(r, 1));
	sts_policy_free(p);
	snd_rpt_free(r);
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("snd_sts");
	TCase *tc = tcase_create("cache");

	tcase_add_test(tc, test_cache_expiry_and_id);
	tcase_add_test(tc, test_state_survives);
	tcase_add_test(tc, test_cache_pacing_and_refresh);
	tcase_add_test(tc, test_mx_match);
	tcase_add_test(tc, test_content_type);
	tcase_add_test(tc, test_tls_required_header);
	tcase_add_test(tc, test_report);
	suite_add_tcase(s, tc);
	return s;
}

TEST_MAIN(suite)
