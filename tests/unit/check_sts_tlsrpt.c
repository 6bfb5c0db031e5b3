/*
 * Tests for fake-https/tlsrpt_parse.c: received RFC 8460 reports parsed
 * into the results model, validated like reports/tlsrpt.schema.json
 * (cross-checked against python3-jsonschema, a validator nobody here
 * wrote, over the same documents), mxsim's own reports read back, and
 * the gunzip of application/tlsrpt+gzip bodies.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zlib.h>

#include "fake-https/sts.h"
#include "reports/report.h"
#include "testutil.h"

#define HEAD "{\"organization-name\":\"Example Inc\",\"date-range\":{\"start-datetime\":" \
	"\"2026-06-01T00:00:00Z\",\"end-datetime\":\"2026-06-01T23:59:59Z\"}," \
	"\"contact-info\":\"tlsrpt@example.org\",\"report-id\":\"r1\",\"policies\":["
#define STS_POL "{\"policy\":{\"policy-type\":\"sts\",\"policy-string\":[\"version: STSv1\"," \
	"\"mode: enforce\",\"mx: mx1.example.test\",\"max_age: 604800\"],\"policy-domain\":" \
	"\"example.test\",\"mx-host\":[\"mx1.example.test\"]},\"summary\":{" \
	"\"total-successful-session-count\":5,\"total-failure-session-count\":3}"
#define FAIL1 "{\"result-type\":\"certificate-expired\",\"sending-mta-ip\":\"127.1.0.1\"," \
	"\"receiving-mx-hostname\":\"mx1.example.test\",\"receiving-ip\":\"127.25.0.11\"," \
	"\"failed-session-count\":2}"
#define FAIL2 "{\"result-type\":\"validation-failure\",\"receiving-mx-hostname\":\"mx2.example.test\"," \
	"\"failed-session-count\":1,\"failure-reason-code\":\"X509_V_ERR_CERT_UNTRUSTED\"," \
	"\"receiving-mx-helo\":\"mx2\",\"additional-information\":\"https://x.test/i\"," \
	"\"receiving-ip\":\"2001:db8::1\"}"
#define GOODDOC HEAD STS_POL ",\"failure-details\":[" FAIL1 "," FAIL2 "]}]}"

struct doc {
	const char *json;
	bool strict_ok;       /* sts_tlsrpt_report_parse(lenient = false) */
	bool lenient_ok;
	bool xcheck;          /* jsonschema must agree with strict_ok */
	const char *needle;   /* in the error, when rejected strictly */
};

static const struct doc docs[] = {
	{ GOODDOC, true, true, true, NULL },
	{ HEAD "{\"policy\":{\"policy-type\":\"no-policy-found\",\"policy-domain\":\"example.test\"},"
	  "\"summary\":{\"total-successful-session-count\":1,\"total-failure-session-count\":0}}]}",
	  true, true, true, NULL },
	{ HEAD "{\"policy\":{\"policy-type\":\"tlsa\",\"policy-string\":[\"3 1 1 ABCDEF0123\"],"
	  "\"policy-domain\":\"mx1.example.test\"},\"summary\":{\"total-successful-session-count\":1,"
	  "\"total-failure-session-count\":0}}]}", true, true, true, NULL },
	/* RFC 8460 Appendix B form: mx-host as a bare string (ambiguity P.2) */
	{ HEAD "{\"policy\":{\"policy-type\":\"sts\",\"policy-domain\":\"example.test\",\"mx-host\":"
	  "\"*.example.test\"},\"summary\":{\"total-successful-session-count\":1,"
	  "\"total-failure-session-count\":0}}]}", false, true, true, "mx-host: not an array" },
	{ HEAD STS_POL ",\"bogus\":1}]}", false, false, true, "policies[0]: unknown member \"bogus\"" },
	{ HEAD "]}", false, false, true, "policies: empty" },
	{ "{\"organization-name\":\"x\"}", false, false, true, "missing member" },
	{ HEAD STS_POL ",\"failure-details\":[{\"result-type\":\"sts-bogus\",\"failed-session-count\":1}]}]}",
	  false, false, true, "policies[0].failure-details[0].result-type: \"sts-bogus\" is not a registered" },
	{ HEAD STS_POL ",\"failure-details\":[{\"result-type\":\"dane-required\"}]}]}",
	  false, false, true, "missing member \"failed-session-count\"" },
	{ HEAD STS_POL ",\"failure-details\":[{\"result-type\":\"dane-required\",\"failed-session-count\":-1}]}]}",
	  false, false, true, "out of range" },
	{ HEAD STS_POL ",\"failure-details\":[{\"result-type\":\"dane-required\",\"failed-session-count\":1,"
	  "\"sending-mta-ip\":\"127.001.0.1\"}]}]}", false, false, true, "not an IP address" },
	{ HEAD STS_POL ",\"failure-details\":[{\"result-type\":\"dane-required\",\"failed-session-count\":1,"
	  "\"receiving-ip\":\"256.1.1.1\"}]}]}", false, false, true, "not an IP address" },
	{ HEAD "{\"policy\":{\"policy-type\":\"no-policy-found\",\"policy-domain\":\"example.test\","
	  "\"mx-host\":[\"mx1.example.test\"]},\"summary\":{\"total-successful-session-count\":1,"
	  "\"total-failure-session-count\":0}}]}", false, false, true, "no-policy-found with" },
	{ HEAD "{\"policy\":{\"policy-type\":\"tlsa\",\"policy-string\":[\"3 1 1 not-hex\"],"
	  "\"policy-domain\":\"mx1.example.test\"},\"summary\":{\"total-successful-session-count\":1,"
	  "\"total-failure-session-count\":0}}]}", false, false, true, "TLSA record" },
	{ HEAD "{\"policy\":{\"policy-type\":\"dane\",\"policy-domain\":\"example.test\"},"
	  "\"summary\":{\"total-successful-session-count\":1,\"total-failure-session-count\":0}}]}",
	  false, false, true, "sts, tlsa or no-policy-found" },
	{ HEAD "{\"policy\":{\"policy-type\":\"sts\",\"policy-domain\":\"caf\xc3\xa9.test\"},"
	  "\"summary\":{\"total-successful-session-count\":1,\"total-failure-session-count\":0}}]}",
	  false, false, true, "A-labels" },
	{ HEAD "{\"policy\":{\"policy-type\":\"sts\",\"policy-domain\":\"example.test\",\"mx-host\":"
	  "[\"mx*.example.test\"]},\"summary\":{\"total-successful-session-count\":1,"
	  "\"total-failure-session-count\":0}}]}", false, false, true, "MX pattern" },
	{ HEAD "{\"policy\":{\"policy-type\":\"sts\",\"policy-domain\":\"example.test\"},"
	  "\"summary\":{\"total-successful-session-count\":\"1\",\"total-failure-session-count\":0}}]}",
	  false, false, true, "not an integer" },
	{ "{\"organization-name\":\"x\",\"date-range\":{\"start-datetime\":\"2026-06-01 00:00:00\","
	  "\"end-datetime\":\"2026-06-01T23:59:59Z\"},\"contact-info\":\"a@b\",\"report-id\":\"r\","
	  "\"policies\":[" STS_POL "}]}", false, false, true, "RFC 3339" },
	{ "{\"organization-name\":\"x\",\"date-range\":{\"start-datetime\":\"2026-06-01T00:00:00.5+02:00\","
	  "\"end-datetime\":\"2026-06-01T23:59:59z\"},\"contact-info\":\"a@b\",\"report-id\":\"r\","
	  "\"policies\":[" STS_POL "}]}", true, true, true, NULL },
	{ "{\"organization-name\":\"x\",\"date-range\":{\"start-datetime\":\"2026-06-01T00:00:00Z\","
	  "\"end-datetime\":\"2026-06-01T23:59:59Z\"},\"contact-info\":\"no-at-sign\",\"report-id\":\"r\","
	  "\"policies\":[" STS_POL "}]}", false, false, true, "contact-info" },
	{ "{\"organization-name\":\"\",\"date-range\":{\"start-datetime\":\"2026-06-01T00:00:00Z\","
	  "\"end-datetime\":\"2026-06-01T23:59:59Z\"},\"contact-info\":\"a@b\",\"report-id\":\"r\","
	  "\"policies\":[" STS_POL "}]}", false, false, true, "organization-name: empty" },
	/* beyond the schema: ranges of dates, I-JSON's unique keys, syntax */
	{ "{\"organization-name\":\"x\",\"date-range\":{\"start-datetime\":\"2026-13-01T00:00:00Z\","
	  "\"end-datetime\":\"2026-06-01T23:59:59Z\"},\"contact-info\":\"a@b\",\"report-id\":\"r\","
	  "\"policies\":[" STS_POL "}]}", false, false, false, "RFC 3339" },
	{ HEAD STS_POL "}], \"report-id\":\"r2\"}", false, false, false, "not JSON" },
	{ HEAD STS_POL "}", false, false, false, "not JSON" },
	{ "[]", false, false, true, "not an object" },
};

START_TEST(documents)
{
	for (size_t i = 0; i < ARRAY_LEN(docs); i++) {
		const struct doc *d = &docs[i];
		struct sts_tlsrpt_report *r = (void *)1;
		char err[512] = "";
		int rc = sts_tlsrpt_report_parse(d->json, strlen(d->json), false, &r, err,
		    sizeof(err));

		ck_assert_msg((rc == 0) == d->strict_ok, "doc %zu strict: rc %d (%s)", i, rc, err);
		if (rc < 0) {
			ck_assert_ptr_null(r);
			ck_assert_msg(strstr(err, d->needle) != NULL,
			    "doc %zu: error \"%s\" lacks \"%s\"", i, err, d->needle);
		}
		sts_tlsrpt_report_free(r);
		rc = sts_tlsrpt_report_parse(d->json, strlen(d->json), true, &r, err, sizeof(err));
		ck_assert_msg((rc == 0) == d->lenient_ok, "doc %zu lenient: rc %d (%s)", i, rc, err);
		if (rc == 0)
			ck_assert(r->mx_host_string == (d->lenient_ok && !d->strict_ok));
		sts_tlsrpt_report_free(r);
	}
}
END_TEST

START_TEST(fields)
{
	struct sts_tlsrpt_report *r;
	char err[256];

	ck_assert_int_eq(sts_tlsrpt_report_parse(GOODDOC, strlen(GOODDOC), false, &r, err,
	    sizeof(err)), 0);
	ck_assert_str_eq(r->org, "Example Inc");
	ck_assert_str_eq(r->contact, "tlsrpt@example.org");
	ck_assert_str_eq(r->report_id, "r1");
	ck_assert_int_eq(r->start, 1780272000);          /* 2026-06-01T00:00:00Z */
	ck_assert_int_eq(r->end - r->start, 86399);
	ck_assert_uint_eq(r->npolicies, 1);
	const struct res_policy *p = &r->policies[0];
	ck_assert_str_eq(p->type, "sts");
	ck_assert_str_eq(p->domain, "example.test");
	ck_assert_uint_eq(p->nstrings, 4);
	ck_assert_str_eq(p->strings[2], "mx: mx1.example.test");
	ck_assert_uint_eq(p->nmx_patterns, 1);
	ck_assert_uint_eq(p->success, 5);
	ck_assert_uint_eq(p->failure, 3);
	ck_assert_uint_eq(p->nfailures, 2);
	ck_assert_str_eq(p->failures[0].result_type, "certificate-expired");
	ck_assert_str_eq(p->failures[0].sending_ip, "127.1.0.1");
	ck_assert_str_eq(p->failures[0].receiving_ip, "127.25.0.11");
	ck_assert_ptr_null(p->failures[0].reason_code);
	ck_assert_uint_eq(p->failures[0].count, 2);
	ck_assert_str_eq(p->failures[1].reason_code, "X509_V_ERR_CERT_UNTRUSTED");
	ck_assert_ptr_null(p->failures[1].sending_ip);
	sts_tlsrpt_report_free(r);
}
END_TEST

/* mxsim's own writer, read back: the comparison of a sender's report
 * with mxsim's works on the same model */
START_TEST(own_report_round_trip)
{
	struct res_scenario s;
	struct res_policy pol[2];
	struct res_failure f = { "starttls-not-supported", "127.1.0.1", "mx2.example.test",
		"127.25.0.12", NULL, 1 };
	char *strings[] = { "version: STSv1", "mode: enforce", "mx: *.example.test",
		"max_age: 86400" };
	char *mx[] = { "*.example.test" };
	struct sts_tlsrpt_report *r;
	char err[256], *json;

	memset(&s, 0, sizeof(s));
	memset(pol, 0, sizeof(pol));
	pol[0] = (struct res_policy){ "sts", "example.test", strings, 4, mx, 1, 7, 1, &f, 1 };
	pol[1] = (struct res_policy){ "no-policy-found", "example.test", NULL, 0, NULL, 0, 2, 0,
		NULL, 0 };
	s.id = "mta-sts/x";
	s.clock = 1780272000 + 3600;
	s.policies = pol;
	s.npolicies = 2;
	json = report_tlsrpt_json(&s, "example.test");
	ck_assert_ptr_nonnull(json);
	ck_assert_msg(sts_tlsrpt_report_parse(json, strlen(json), false, &r, err,
	    sizeof(err)) == 0, "%s\n%s", err, json);
	ck_assert_int_eq(r->start, 1780272000);
	ck_assert_uint_eq(r->npolicies, 2);
	for (size_t i = 0; i < 2; i++) {
		const struct res_policy *a = &pol[i], *b = &r->policies[i];
		ck_assert_str_eq(a->type, b->type);
		ck_assert_str_eq(a->domain, b->domain);
		ck_assert_uint_eq(a->nstrings, b->nstrings);
		for (size_t k = 0; k < a->nstrings; k++)
			ck_assert_str_eq(a->strings[k], b->strings[k]);
		ck_assert_uint_eq(a->nmx_patterns, b->nmx_patterns);
		ck_assert_uint_eq(a->success, b->success);
		ck_assert_uint_eq(a->failure, b->failure);
		ck_assert_uint_eq(a->nfailures, b->nfailures);
	}
	ck_assert_str_eq(r->policies[0].failures[0].receiving_mx, "mx2.example.test");
	ck_assert_str_eq(r->policies[0].failures[0].receiving_ip, "127.25.0.12");
	sts_tlsrpt_report_free(r);
	free(json);
}
END_TEST

/* The hand-written checks agree with jsonschema over the schema file. */
START_TEST(agrees_with_jsonschema)
{
	char dir[] = "/tmp/mxsim-tlsrpt-XXXXXX", path[256], out[256];
	FILE *f;
	int n = 0;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	for (size_t i = 0; i < ARRAY_LEN(docs); i++) {
		if (!docs[i].xcheck)
			continue;
		snprintf(path, sizeof(path), "%s/%02zu.json", dir, i);
		f = fopen(path, "w");
		ck_assert_ptr_nonnull(f);
		fputs(docs[i].json, f);
		fclose(f);
		n++;
	}
	snprintf(out, sizeof(out), "%s/verdicts", dir);
	char *cmd = xasprintf("python3 -c '\n"
	    "import json, sys, glob, os, jsonschema\n"
	    "schema = json.load(open(sys.argv[1]))\n"
	    "v = jsonschema.Draft202012Validator(schema)\n"
	    "for p in sorted(glob.glob(sys.argv[2] + \"/*.json\")):\n"
	    "    ok = v.is_valid(json.load(open(p)))\n"
	    "    print(os.path.basename(p)[:2], 1 if ok else 0)\n"
	    "' %s %s > %s", tu_path("reports/tlsrpt.schema.json"), dir, out);
	int rc = system(cmd);
	free(cmd);
	if (WIFEXITED(rc) && WEXITSTATUS(rc) != 0) {
		fprintf(stderr, "python3-jsonschema not usable: skipped\n");
	} else {
		f = fopen(out, "r");
		ck_assert_ptr_nonnull(f);
		unsigned idx, ok;
		int seen = 0;
		while (fscanf(f, "%u %u", &idx, &ok) == 2) {
			ck_assert_msg((bool)ok == docs[idx].strict_ok,
			    "doc %u: jsonschema says %s, the parser %s", idx, ok ? "valid" : "invalid",
			    docs[idx].strict_ok ? "valid" : "invalid");
			seen++;
		}
		fclose(f);
		ck_assert_int_eq(seen, n);
	}
	cmd = xasprintf("rm -rf %s", dir);
	ck_assert_int_eq(system(cmd), 0);
	free(cmd);
}
END_TEST

static size_t
gzip_mem(const char *in, size_t len, uint8_t *out, size_t cap)
{
	z_stream zs;

	memset(&zs, 0, sizeof(zs));
	ck_assert_int_eq(deflateInit2(&zs, 9, Z_DEFLATED, 16 + MAX_WBITS, 8,
	    Z_DEFAULT_STRATEGY), Z_OK);
	zs.next_in = (Bytef *)(uintptr_t)in;
	zs.avail_in = (uInt)len;
	zs.next_out = out;
	zs.avail_out = (uInt)cap;
	ck_assert_int_eq(deflate(&zs, Z_FINISH), Z_STREAM_END);
	size_t n = cap - zs.avail_out;
	deflateEnd(&zs);
	return n;
}

START_TEST(gunzip)
{
	static uint8_t gz[1 << 16], two[1 << 17];
	char *out, err[128];
	size_t n = gzip_mem(GOODDOC, strlen(GOODDOC), gz, sizeof(gz)), outlen;

	ck_assert_int_eq(sts_gunzip(gz, n, 1 << 20, &out, &outlen, err, sizeof(err)), 0);
	ck_assert_uint_eq(outlen, strlen(GOODDOC));
	ck_assert_str_eq(out, GOODDOC);
	free(out);
	/* two members, concatenated (RFC 1952 2.2) */
	memcpy(two, gz, n);
	memcpy(two + n, gz, n);
	ck_assert_int_eq(sts_gunzip(two, 2 * n, 1 << 20, &out, &outlen, err, sizeof(err)), 0);
	ck_assert_uint_eq(outlen, 2 * strlen(GOODDOC));
	free(out);
	/* truncated, corrupt, not gzip, over the cap */
	ck_assert_int_lt(sts_gunzip(gz, n - 5, 1 << 20, &out, &outlen, err, sizeof(err)), 0);
	ck_assert_ptr_nonnull(strstr(err, "truncated"));
	ck_assert_ptr_null(out);
	memcpy(two, gz, n);
	two[n / 2] ^= 0x55;
	ck_assert_int_lt(sts_gunzip(two, n, 1 << 20, &out, &outlen, err, sizeof(err)), 0);
	ck_assert_int_lt(sts_gunzip((const uint8_t *)GOODDOC, 40, 1 << 20, &out, &outlen, err,
	    sizeof(err)), 0);
	ck_assert_ptr_nonnull(strstr(err, "not gzip"));
	ck_assert_int_lt(sts_gunzip(gz, n, 100, &out, &outlen, err, sizeof(err)), 0);
	ck_assert_ptr_nonnull(strstr(err, "more than 100"));
	/* a bomb: 64 MiB of zeros is stopped at the cap */
	char *zeros = xcalloc(1, 64 << 20);
	n = gzip_mem(zeros, 64 << 20, two, sizeof(two));
	free(zeros);
	ck_assert_uint_lt(n, sizeof(two));
	ck_assert_int_lt(sts_gunzip(two, n, 1 << 20, &out, &outlen, err, sizeof(err)), 0);
	/* empty input */
	ck_assert_int_lt(sts_gunzip(gz, 0, 1 << 20, &out, &outlen, err, sizeof(err)), 0);
}
END_TEST

/* Mutated reports: never a crash; an accepted one is whole. */
START_TEST(mutations)
{
	static const char alphabet[] = "{}[]\",:0-1aZ \\\xc3";
	uint64_t x = 88172645463325252ull;
	unsigned ok = 0;
	char buf[2048];

	for (unsigned it = 0; it < 5000; it++) {
		size_t len = strlen(GOODDOC);
		memcpy(buf, GOODDOC, len);
		for (unsigned k = 0; k < 1 + it % 3; k++) {
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			size_t at = x % len;
			if (x >> 60 < 8)
				buf[at] = alphabet[(x >> 20) % (sizeof(alphabet) - 1)];
			else
				memmove(buf + at, buf + at + 1, --len - at);
		}
		struct sts_tlsrpt_report *r;
		char err[256];
		if (sts_tlsrpt_report_parse(buf, len, (x & 1) != 0, &r, err, sizeof(err)) == 0) {
			if (r->npolicies == 0 || r->policies[0].type == NULL ||
			    r->policies[0].domain == NULL || r->org == NULL)
				ck_abort_msg("accepted a broken report");
			ok++;
			sts_tlsrpt_report_free(r);
		} else if (r != NULL || err[0] == '\0') {
			ck_abort_msg("rejected without an error");
		}
	}
	ck_assert_uint_gt(ok, 50);
}
END_TEST

static Suite *
tlsrpt_suite(void)
{
	Suite *s = suite_create("sts_tlsrpt");
	TCase *tc = tcase_create("reports");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, documents);
	tcase_add_test(tc, fields);
	tcase_add_test(tc, own_report_round_trip);
	tcase_add_test(tc, agrees_with_jsonschema);
	tcase_add_test(tc, gunzip);
	tcase_add_test(tc, mutations);
	suite_add_tcase(s, tc);
	return s;
}

TEST_MAIN(tlsrpt_suite)
