/*
 * check_tlsrpt_recv: sim/tlsrpt_recv.c, the comparison of a TLSRPT report
 * a sender sent with what mxsim saw.  The same report agrees with itself;
 * each kind of difference (counts, result types, policy-string, missing
 * and unexpected policies, an invalid report) is one finding.
 */
#include <stdlib.h>
#include <string.h>

#include "core/result.h"
#include "core/util.h"
#include "sim/tlsrpt_recv.h"
#include "testutil.h"

#define HEAD "{\"organization-name\":\"s\",\"date-range\":{\"start-datetime\":" \
	"\"2026-06-01T00:00:00Z\",\"end-datetime\":\"2026-06-01T23:59:59Z\"}," \
	"\"contact-info\":\"t@s.test\",\"report-id\":\"r\",\"policies\":["
#define STS(strings, ok, bad, details) "{\"policy\":{\"policy-type\":\"sts\"," \
	"\"policy-string\":[" strings "],\"policy-domain\":\"example.test\"," \
	"\"mx-host\":[\"mx1.example.test\"]},\"summary\":{" \
	"\"total-successful-session-count\":" #ok ",\"total-failure-session-count\":" \
	#bad "}" details "}"
#define FAIL(type, n) ",\"failure-details\":[{\"result-type\":\"" type "\"," \
	"\"sending-mta-ip\":\"127.1.0.1\",\"receiving-mx-hostname\":" \
	"\"mx1.example.test\",\"failed-session-count\":" #n "}]"
#define STRINGS "\"version: STSv1\",\"mode: enforce\",\"mx: mx1.example.test\"," \
	"\"max_age: 604800\""

static struct res_policy exp_pol;
static struct res_failure exp_fail;

static void
expected(void)
{
	static char *strings[] = { "version: STSv1", "mode: enforce",
		"mx: mx1.example.test", "max_age: 604800" };
	static char *mx[] = { "mx1.example.test" };

	memset(&exp_pol, 0, sizeof(exp_pol));
	exp_fail = (struct res_failure){ "starttls-not-supported", "127.1.0.1",
		"mx1.example.test", "127.25.0.11", NULL, 1 };
	exp_pol.type = "sts";
	exp_pol.domain = "example.test";
	exp_pol.strings = strings;
	exp_pol.nstrings = 4;
	exp_pol.mx_patterns = mx;
	exp_pol.nmx_patterns = 1;
	exp_pol.success = 2;
	exp_pol.failure = 1;
	exp_pol.failures = &exp_fail;
	exp_pol.nfailures = 1;
}

static size_t
findings(const char *json, char ***out)
{
	size_t n = 0;

	*out = NULL;
	tlsrpt_recv_findings(json, &exp_pol, 1, out, &n);
	return n;
}

static void
want(const char *json, size_t nwant, const char *needle)
{
	char **f;
	size_t n = findings(json, &f);
	struct buf all = { 0 };

	for (size_t i = 0; i < n; i++)
		buf_appendf(&all, "%s\n", f[i]);
	ck_assert_msg(n == nwant, "%zu findings, want %zu:\n%s", n, nwant,
	    all.data ? (char *)buf_cstr(&all) : "");
	if (needle != NULL)
		ck_assert_msg(all.data != NULL && strstr(buf_cstr(&all), needle) != NULL,
		    "no \"%s\" in:\n%s", needle, buf_cstr(&all));
	buf_free(&all);
	res_strv_free(f, n);
}

START_TEST(agrees)
{
	expected();
	want(HEAD STS(STRINGS, 2, 1, FAIL("starttls-not-supported", 1)) "]}", 0, NULL);
}
END_TEST

START_TEST(differences)
{
	expected();
	want(HEAD STS(STRINGS, 3, 1, FAIL("starttls-not-supported", 1)) "]}", 1,
	    "counts 3 successful and 1 failed sessions, mxsim saw 2 and 1");
	want(HEAD STS(STRINGS, 2, 1, FAIL("certificate-expired", 1)) "]}", 2,
	    "0 session(s) reported as starttls-not-supported, mxsim saw 1");
	want(HEAD STS("\"version: STSv1\",\"mode: testing\",\"mx: mx1.example.test\","
	    "\"max_age: 604800\"", 2, 1, FAIL("starttls-not-supported", 1)) "]}", 1,
	    "policy-string");
	want(HEAD "{\"policy\":{\"policy-type\":\"no-policy-found\",\"policy-domain\":"
	    "\"example.test\"},\"summary\":{\"total-successful-session-count\":3,"
	    "\"total-failure-session-count\":0}}]}", 2, "no sts policy for example.test");
	want("{\"organization-name\":\"s\"}", 1, "invalid report");
	want("not json", 1, "invalid report");
}
END_TEST

static Suite *
tlsrpt_recv_suite(void)
{
	Suite *s = suite_create("tlsrpt_recv");
	TCase *tc = tcase_create("compare");

	tcase_add_test(tc, agrees);
	tcase_add_test(tc, differences);
	suite_add_tcase(s, tc);
	return s;
}

TEST_MAIN(tlsrpt_recv_suite)
