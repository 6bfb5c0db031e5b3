/*
 * check_report: the results model (core/result.c) and its writers
 * (reports/): results.json, RFC 8460 reports checked by the real jsonschema
 * validator, junit.xml checked by a real XML parser, the text table, the
 * escapers and determinism (same model, same bytes).
 */
#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <jansson.h>

#include "core/record.h"
#include "core/result.h"
#include "reports/report.h"
#include "testutil.h"

#define T0 1767243600  /* 2026-01-01T05:00:00Z */

static char tmpdir[64];

static const char *
tmp(const char *name)
{
	static char buf[4][256];
	static int i;

	i = (i + 1) % 4;
	snprintf(buf[i], sizeof(buf[i]), "%s/%s", tmpdir, name);
	return buf[i];
}

static void
setup(void)
{
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/check_report.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
}

static void
teardown(void)
{
	char *cmd = xasprintf("rm -rf '%s'", tmpdir);

	ck_assert_int_eq(system(cmd), 0);
	free(cmd);
}

static char *
slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	struct buf b = { 0 };
	char chunk[4096];
	size_t n;

	ck_assert_msg(f != NULL, "cannot open %s", path);
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		buf_append(&b, chunk, n);
	fclose(f);
	return buf_cstr(&b);
}

/* Exit status of a shell command. */
static int
run(const char *fmt, ...) PRINTF(1, 2);
static int
run(const char *fmt, ...)
{
	va_list ap;
	char *cmd;
	int st;

	va_start(ap, fmt);
	ck_assert_int_ge(vasprintf(&cmd, fmt, ap), 0);
	va_end(ap);
	st = system(cmd);
	free(cmd);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* The real validator: 0 valid, 3 invalid, anything else a broken setup.
 * With want, the report must be invalid for that reason (printed by the
 * validator) and 3 becomes 0. */
static int
validate(const char *report, const char *want)
{
	int rc;

	rc = run("python3 -c 'import json,sys,jsonschema\n"
	    "v=jsonschema.Draft202012Validator(json.load(open(sys.argv[1])))\n"
	    "e=list(v.iter_errors(json.load(open(sys.argv[2]))))\n"
	    "[print(\"schema:\", x.message) for x in e]\n"
	    "sys.exit(3 if e else 0)' '%s' '%s' >'%s'",
	    tu_path("reports/tlsrpt.schema.json"), report, tmp("schema.out"));
	if (want == NULL || rc != 3)
		return rc;
	return run("grep -qF \"%s\" '%s'", want, tmp("schema.out"));
}

static struct res_policy *
add_policy(struct res_scenario *s, const char *type, const char *domain)
{
	struct res_policy *p;

	s->policies = xrealloc(s->policies,
	    (s->npolicies + 1) * sizeof(*s->policies));
	p = &s->policies[s->npolicies++];
	memset(p, 0, sizeof(*p));
	p->type = xstrdup(type);
	p->domain = xstrdup(domain);
	return p;
}

static struct res_message *
add_phase(struct res_scenario *s, const char *expect, const char *verdict,
    const char *delivery)
{
	struct res_phase *p;
	struct res_message *m;

	s->phases = xrealloc(s->phases, (s->nphases + 1) * sizeof(*s->phases));
	p = &s->phases[s->nphases++];
	memset(p, 0, sizeof(*p));
	p->index = (unsigned)s->nphases;
	res_strv_push(&p->expect, &p->nexpect, expect);
	p->verdict = xstrdup(verdict);
	p->msgs = xcalloc(1, sizeof(*p->msgs));
	p->nmsgs = 1;
	m = &p->msgs[0];
	m->phase = p->index;
	m->index = 1;
	m->delivery = xstrdup(delivery);
	return m;
}

/* Four scenarios: a failure with hostile text, a pass over two phases, an
 * unsupported one whose id tries to leave the output folder, a load error. */
static struct res_run *
build(void)
{
	struct res_run *r = res_run_new(7, "builtin");
	struct res_scenario *s;
	struct res_message *m;
	struct res_policy *p;
	struct res_failure *f;
	struct rec_session *rs;
	static const uint8_t der[] = { 1, 2, 3 };

	s = res_run_add(r);
	s->id = xstrdup("starttls/strip-enforce");
	s->title = xstrdup("STARTTLS <stripped> & \"quoted\" 'x' caf\xc3\xa9 \xff");
	res_strv_push(&s->refs, &s->nrefs, "RFC 8461 5");
	res_strv_push(&s->refs, &s->nrefs, "RFC 8460 4.3");
	s->domain = xstrdup("example.test");
	s->sender = xstrdup("builtin");
	s->verdict = xstrdup("fail");
	s->reason = xstrdup("plaintext <delivery> & \"enforce\"\x01\x1b[31m");
	s->clock = T0;
	s->virtual_ms = 1500;
	s->real_ms = 12.5;
	m = add_phase(s, "refused", "fail", "plaintext");
	res_strv_push(&s->phases[0].expect_tlsrpt,
	    &s->phases[0].nexpect_tlsrpt, "starttls-not-supported");
	s->phases[0].reason = xstrdup("plaintext under enforce");
	m->reason = xstrdup("data in clear text");
	m->mx_host = xstrdup("mx1.example.test");
	m->data_to = xstrdup("attacker");
	m->leak = true;
	m->sessions = xcalloc(1, sizeof(unsigned));
	m->sessions[0] = 1;
	m->nsessions = 1;
	p = add_policy(s, "sts", "example.test");
	res_strv_push(&p->strings, &p->nstrings, "version: STSv1");
	res_strv_push(&p->strings, &p->nstrings, "mode: enforce");
	res_strv_push(&p->strings, &p->nstrings, "mx: mx1.example.test");
	res_strv_push(&p->strings, &p->nstrings, "max_age: 604800");
	res_strv_push(&p->mx_patterns, &p->nmx_patterns, "mx1.example.test");
	p->failure = 1;
	p->failures = f = xcalloc(1, sizeof(*f));
	p->nfailures = 1;
	f->result_type = xstrdup("starttls-not-supported");
	f->sending_ip = xstrdup("127.0.0.2");
	f->receiving_mx = xstrdup("mx1.example.test");
	f->receiving_ip = xstrdup("127.25.0.11");
	f->count = 1;
	p = add_policy(s, "tlsa", "mx1.example.test");
	res_strv_push(&p->strings, &p->nstrings, "3 1 1 AB12cd");
	p->success = 2;

	s->rec = rec_new(NULL);
	rec_set_message(s->rec, 1, 1);
	rs = rec_session_new(s->rec, "mx1.example.test", "127.25.0.11", 25);
	rec_set(&rs->attack, "strip_starttls");
	rs->connected = rs->banner = rs->mail_from = true;
	rs->data_sent = rs->leak = true;
	rec_set(&rs->data_to, "attacker");
	rec_set(&rs->end, "quit");
	rec_line(s->rec, rs, '>', "EHLO %s", "sender.test");
	rec_line(s->rec, rs, '<', "250 mx1.example.test");
	rs = rec_session_new(s->rec, "mta-sts.example.test", "127.44.0.1", 443);
	rs->connected = true;
	rs->tls = REC_TLS_OK;
	rec_set(&rs->tls_by, "mx");
	rec_set(&rs->tls_version, "TLSv1.3");
	rec_set(&rs->tls_error, "odd\x02<error>");
	rec_set_cert(rs, "valid", der, sizeof(der), NULL, 0);
	rs = rec_session_new(s->rec, "mx1.example.test", "127.25.0.11", 25);
	rs->via = 1;
	rs->connected = rs->banner = rs->starttls_offered = true;

	s = res_run_add(r);
	s->id = xstrdup("seed-cases/dane/rollover");
	s->title = xstrdup("DANE rollover");
	s->domain = xstrdup("example.test");
	s->verdict = xstrdup("pass");
	s->clock = T0;
	s->virtual_ms = 7200000;
	add_phase(s, "verified", "pass", "verified");
	add_phase(s, "verified", "pass", "verified");
	s->rec = rec_new(NULL);

	s = res_run_add(r);
	s->id = xstrdup("../escape/x");
	s->title = xstrdup("unsupported");
	s->verdict = xstrdup("unsupported");
	s->reason = xstrdup("the sender does not claim REQUIRETLS");
	s->clock = -1;  /* 1969-12-31T23:59:59Z: the day floor goes down */
	add_policy(s, "no-policy-found", "other.test");

	s = res_run_add(r);
	s->id = xstrdup("broken/syntax");
	s->verdict = xstrdup("error");
	s->reason = xstrdup("broken/syntax.lua:3: unexpected symbol");
	return r;
}

START_TEST(test_model)
{
	struct res_run *r = build();
	char **v = NULL;
	size_t n = 0;

	res_run_count(r);
	ck_assert_uint_eq(r->npass, 1);
	ck_assert_uint_eq(r->nfail, 1);
	ck_assert_uint_eq(r->nunsupported, 1);
	ck_assert_uint_eq(r->nerror, 1);
	ck_assert_int_eq(res_run_exit_code(r), 2);
	free(r->scenarios[3]->verdict);
	r->scenarios[3]->verdict = xstrdup("pass");
	ck_assert_int_eq(res_run_exit_code(r), 1);
	free(r->scenarios[0]->verdict);
	r->scenarios[0]->verdict = xstrdup("pass");
	ck_assert_int_eq(res_run_exit_code(r), 0);  /* unsupported is fine */
	free(r->scenarios[1]->verdict);
	r->scenarios[1]->verdict = NULL;             /* no verdict: error */
	ck_assert_int_eq(res_run_exit_code(r), 2);
	res_scenario_free(r->scenarios[1]);
	ck_assert_ptr_null(r->scenarios[1]->id);
	res_scenario_free(NULL);
	res_run_free(r);
	res_run_free(NULL);

	r = res_run_new(1, NULL);
	ck_assert_str_eq(r->sender, "builtin");
	ck_assert_int_eq(res_run_exit_code(r), 0);
	res_run_free(r);

	res_strv_push(&v, &n, "a");
	res_strv_push(&v, &n, NULL);
	ck_assert_uint_eq(n, 2);
	ck_assert_str_eq(v[0], "a");
	ck_assert_str_eq(v[1], "");
	res_strv_free(v, n);
	res_strv_free(NULL, 0);
}
END_TEST

START_TEST(test_results_json)
{
	struct res_run *r = build();
	json_t *doc, *s, *ph, *ms, *se;
	json_error_t err;
	char *a, *b;
	const char *p;

	ck_assert_int_eq(report_results_json(r, tmp("results.json")), 0);
	doc = json_load_file(tmp("results.json"), 0, &err);
	ck_assert_msg(doc != NULL, "results.json: %s", err.text);
	ck_assert_str_eq(json_string_value(json_object_get(
	    json_object_get(doc, "mxsim"), "version")), "0.1");
	ck_assert_int_eq(json_integer_value(json_object_get(doc, "seed")), 7);
	ck_assert_str_eq(json_string_value(json_object_get(doc, "sender")),
	    "builtin");
	se = json_object_get(doc, "summary");
	ck_assert_int_eq(json_integer_value(json_object_get(se, "total")), 4);
	ck_assert_int_eq(json_integer_value(json_object_get(se, "fail")), 1);
	ck_assert_int_eq(json_integer_value(json_object_get(se, "error")), 1);
	ck_assert_uint_eq(json_array_size(json_object_get(doc, "scenarios")), 4);

	s = json_array_get(json_object_get(doc, "scenarios"), 0);
	ck_assert_str_eq(json_string_value(json_object_get(s, "id")),
	    "starttls/strip-enforce");
	/* the invalid byte survives as text, the UTF-8 as UTF-8 */
	ck_assert_str_eq(json_string_value(json_object_get(s, "title")),
	    "STARTTLS <stripped> & \"quoted\" 'x' caf\xc3\xa9 \\xff");
	ck_assert_str_eq(json_string_value(json_array_get(
	    json_object_get(s, "refs"), 1)), "RFC 8460 4.3");
	ck_assert_str_eq(json_string_value(json_object_get(s, "verdict")),
	    "fail");
	ck_assert_int_eq(json_integer_value(json_object_get(s, "virtual_ms")),
	    1500);
	ph = json_array_get(json_object_get(s, "phases"), 0);
	ck_assert_str_eq(json_string_value(json_array_get(
	    json_object_get(ph, "expect_tlsrpt"), 0)), "starttls-not-supported");
	ms = json_array_get(json_object_get(ph, "messages"), 0);
	ck_assert_str_eq(json_string_value(json_object_get(ms, "delivery")),
	    "plaintext");
	ck_assert(json_is_true(json_object_get(ms, "leak")));
	ck_assert_int_eq(json_integer_value(json_array_get(
	    json_object_get(ms, "sessions"), 0)), 1);

	se = json_array_get(json_object_get(s, "sessions"), 0);
	ck_assert_int_eq(json_integer_value(json_object_get(se, "port")), 25);
	ck_assert_str_eq(json_string_value(json_object_get(se, "tls")), "none");
	ck_assert_str_eq(json_string_value(json_object_get(se, "attack")),
	    "strip_starttls");
	ck_assert(json_is_null(json_object_get(se, "starttls_reply")));
	ck_assert(json_is_null(json_object_get(se, "cert")));
	ck_assert_str_eq(json_string_value(json_array_get(
	    json_object_get(se, "transcript"), 0)), "t=0 > EHLO sender.test");
	se = json_array_get(json_object_get(s, "sessions"), 1);
	ck_assert_str_eq(json_string_value(json_object_get(se, "tls")), "ok");
	ck_assert(json_is_null(json_object_get(se, "via")));
	ck_assert_str_eq(json_string_value(json_object_get(se, "cert")), "valid");
	ck_assert_str_eq(json_string_value(json_object_get(se, "cert_sha256")),
	    "039058c6f2c0cb492c533b0a4d14ef77cc0f78abccced5287d84a1a2011cfb81");
	se = json_array_get(json_object_get(s, "sessions"), 2);
	ck_assert_int_eq(json_integer_value(json_object_get(se, "via")), 1);
	ck_assert_uint_eq(json_array_size(json_object_get(s, "tlsrpt")), 2);
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(
	    json_array_get(json_object_get(s, "tlsrpt"), 1), "policy"),
	    "policy-type")), "tlsa");

	s = json_array_get(json_object_get(doc, "scenarios"), 1);
	ck_assert(json_is_null(json_object_get(s, "reason")));
	ck_assert_uint_eq(json_array_size(json_object_get(s, "phases")), 2);
	s = json_array_get(json_object_get(doc, "scenarios"), 3);
	ck_assert_uint_eq(json_array_size(json_object_get(s, "sessions")), 0);
	json_decref(doc);

	/* fixed key order, newline at the end, no wall time */
	a = slurp(tmp("results.json"));
	p = strstr(a, "\"mxsim\"");
	ck_assert_ptr_nonnull(p);
	ck_assert_ptr_nonnull(strstr(p, "\"seed\""));
	ck_assert_ptr_nonnull(strstr(strstr(p, "\"seed\""), "\"summary\""));
	ck_assert_ptr_nonnull(strstr(strstr(a, "\"summary\""), "\"scenarios\""));
	ck_assert_ptr_nonnull(strstr(strstr(a, "\"phases\""), "\"sessions\""));
	ck_assert_ptr_null(strstr(a, "real_ms"));
	ck_assert_int_eq(a[strlen(a) - 1], '\n');

	/* determinism: the same run twice, and a rebuilt identical model */
	ck_assert_int_eq(report_results_json(r, tmp("again.json")), 0);
	b = slurp(tmp("again.json"));
	ck_assert_str_eq(a, b);
	free(b);
	res_run_free(r);
	r = build();
	r->scenarios[0]->real_ms = 99999;  /* wall time must not matter */
	b = report_results_json_text(r);
	ck_assert_str_eq(a, b);
	free(a);
	free(b);

	/* no half-written files, and a failure is reported */
	ck_assert_int_eq(run("ls -A '%s' | grep -q tmp", tmpdir), 1);
	ck_assert_int_eq(report_results_json(r, tmp("no/such/dir/r.json")), -1);
	res_run_free(r);
}
END_TEST

START_TEST(test_tlsrpt)
{
	struct res_run *r = build();
	json_t *doc, *pol, *fd;
	json_error_t err;
	char *a, *b;
	const char **doms;

	/* the tlsa entry folds into the recipient domain's report */
	ck_assert_int_eq(report_tlsrpt(r, tmp("tlsrpt")), 2);
	ck_assert_int_eq(access(tmp("tlsrpt/starttls/strip-enforce/"
	    "mx1.example.test.json"), F_OK), -1);
	doc = json_load_file(tmp("tlsrpt/starttls/strip-enforce/example.test.json"),
	    0, &err);
	ck_assert_msg(doc != NULL, "%s", err.text);
	ck_assert_str_eq(json_string_value(json_object_get(doc,
	    "organization-name")), "mxsim");
	ck_assert_str_eq(json_string_value(json_object_get(doc,
	    "contact-info")), "tlsrpt@mxsim.test");
	ck_assert_str_eq(json_string_value(json_object_get(doc, "report-id")),
	    "2026-01-01.starttls.strip-enforce.example.test@mxsim.test");
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(doc,
	    "date-range"), "start-datetime")), "2026-01-01T00:00:00Z");
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(doc,
	    "date-range"), "end-datetime")), "2026-01-02T00:00:00Z");
	ck_assert_uint_eq(json_array_size(json_object_get(doc, "policies")), 2);
	pol = json_array_get(json_object_get(doc, "policies"), 0);
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(pol,
	    "policy"), "policy-type")), "sts");
	ck_assert_uint_eq(json_array_size(json_object_get(json_object_get(pol,
	    "policy"), "policy-string")), 4);
	ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(pol,
	    "summary"), "total-failure-session-count")), 1);
	fd = json_array_get(json_object_get(pol, "failure-details"), 0);
	ck_assert_str_eq(json_string_value(json_object_get(fd, "result-type")),
	    "starttls-not-supported");
	ck_assert_str_eq(json_string_value(json_object_get(fd, "receiving-ip")),
	    "127.25.0.11");
	ck_assert_ptr_null(json_object_get(fd, "failure-reason-code"));
	json_decref(doc);

	/* the tlsa entry: in example.test's report, policy-domain the TLSA
	 * base domain (RFC 8460 1.1), no mx-host */
	doc = json_load_file(
	    tmp("tlsrpt/starttls/strip-enforce/example.test.json"), 0, &err);
	ck_assert_msg(doc != NULL, "%s", err.text);
	pol = json_array_get(json_object_get(doc, "policies"), 1);
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(pol,
	    "policy"), "policy-type")), "tlsa");
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(pol,
	    "policy"), "policy-domain")), "mx1.example.test");
	ck_assert_ptr_null(json_object_get(json_object_get(pol, "policy"),
	    "mx-host"));
	ck_assert_ptr_null(json_object_get(pol, "failure-details"));
	json_decref(doc);

	/* the hostile id stays inside the folder; the day floors to 1969 */
	doc = json_load_file(tmp("tlsrpt/_/escape/x/other.test.json"), 0, &err);
	ck_assert_msg(doc != NULL, "%s", err.text);
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(doc,
	    "date-range"), "start-datetime")), "1969-12-31T00:00:00Z");
	json_decref(doc);

	/* the real validator accepts all three ... */
	ck_assert_int_eq(validate(tmp("tlsrpt/starttls/strip-enforce/"
	    "example.test.json"), NULL), 0);
	ck_assert_int_eq(validate(tmp("tlsrpt/_/escape/x/other.test.json"),
	    NULL), 0);
	/* ... and rejects a report without policies, or with a bad type */
	doc = json_load_file(tmp("tlsrpt/_/escape/x/other.test.json"), 0, &err);
	json_object_del(doc, "policies");
	ck_assert_int_eq(json_dump_file(doc, tmp("broken.json"), 0), 0);
	json_decref(doc);
	ck_assert_int_eq(validate(tmp("broken.json"), NULL), 3);
	ck_assert_int_eq(validate(tmp("broken.json"),
	    "'policies' is a required property"), 0);
	free(r->scenarios[0]->policies[0].type);
	r->scenarios[0]->policies[0].type = xstrdup("mta-sts");
	a = report_tlsrpt_json(r->scenarios[0], "example.test");
	ck_assert_int_eq(report_write_atomic(tmp("broken2.json"), a,
	    strlen(a)), 0);
	free(a);
	ck_assert_int_eq(validate(tmp("broken2.json"),
	    "'mta-sts' is not one of"), 0);
	res_run_free(r);

	/* determinism and the per-scenario API */
	r = build();
	ck_assert_uint_eq(report_tlsrpt_domains(r->scenarios[0], &doms), 1);
	ck_assert_str_eq(doms[0], "example.test");
	free(doms);
	ck_assert_ptr_null(report_tlsrpt_json(r->scenarios[0],
	    "mx1.example.test"));
	ck_assert_ptr_null(report_tlsrpt_json(r->scenarios[0], "nope.test"));
	ck_assert_int_eq(report_tlsrpt_scenario(r->scenarios[1],
	    tmp("none")), 0);
	ck_assert_int_eq(report_tlsrpt_scenario(r->scenarios[0],
	    tmp("one")), 1);
	a = slurp(tmp("one/example.test.json"));
	b = slurp(tmp("tlsrpt/starttls/strip-enforce/example.test.json"));
	ck_assert_str_eq(a, b);
	ck_assert_int_eq(a[strlen(a) - 1], '\n');
	free(b);
	b = report_tlsrpt_json(r->scenarios[0], "example.test");
	ck_assert_str_eq(a, b);
	free(a);
	free(b);
	res_run_free(r);
}
END_TEST

START_TEST(test_xml_escape)
{
	struct { const char *in; bool attr; const char *out; } v[] = {
		{ "<>&\"'", false, "&lt;&gt;&amp;&quot;&apos;" },
		{ "a\x01" "b\x1f" "c", false, "a\\x01b\\x1fc" },
		{ "\t\n", true, "&#9;&#10;" },
		{ "\t\n", false, "\t\n" },
		{ "\r", false, "&#13;" },
		{ "\xff\xc3", true, "\\xff\\xc3" },
		{ "caf\xc3\xa9", true, "caf\xc3\xa9" },
		{ "\xef\xbf\xbe!", false, "\\ufffe!" },
		{ "\xed\xa0\x80", false, "\\xed\\xa0\\x80" },  /* a surrogate */
		{ "\xc0\xaf", false, "\\xc0\\xaf" },           /* overlong '/' */
		{ "]]>", false, "]]&gt;" },
		{ NULL, false, "" },
	};
	char all[40], *e;
	uint32_t cp;
	size_t i;
	FILE *f;

	for (i = 0; i < ARRAY_LEN(v); i++) {
		e = report_xml_escape(v[i].in, v[i].attr);
		ck_assert_msg(strcmp(e, v[i].out) == 0, "case %zu: got %s", i, e);
		free(e);
	}
	ck_assert_uint_eq(report_utf8_len("\xf0\x9f\x93\xa7", &cp), 4);
	ck_assert_uint_eq(cp, 0x1f4e7);
	ck_assert_uint_eq(report_utf8_len("\xf4\x90\x80\x80", &cp), 0);
	ck_assert_uint_eq(report_utf8_len("\xe2\x82", &cp), 0);
	e = report_utf8_clean("ok\xfe");
	ck_assert_str_eq(e, "ok\\xfe");
	free(e);

	/* every control character, through a real parser */
	for (i = 1; i < 32; i++)
		all[i - 1] = (char)i;
	all[31] = '\0';
	f = fopen(tmp("ctl.xml"), "w");
	ck_assert_ptr_nonnull(f);
	e = report_xml_escape(all, true);
	fprintf(f, "<a b=\"%s\">", e);
	free(e);
	e = report_xml_escape(all, false);
	fprintf(f, "%s</a>\n", e);
	free(e);
	fclose(f);
	ck_assert_int_eq(run("python3 -c 'import xml.dom.minidom,sys; "
	    "xml.dom.minidom.parse(sys.argv[1])' '%s'", tmp("ctl.xml")), 0);
	/* and the check can fail: a raw control character is rejected */
	f = fopen(tmp("bad.xml"), "w");
	fprintf(f, "<a>\x01</a>\n");
	fclose(f);
	ck_assert_int_ne(run("python3 -c 'import xml.dom.minidom,sys; "
	    "xml.dom.minidom.parse(sys.argv[1])' '%s' 2>/dev/null",
	    tmp("bad.xml")), 0);
}
END_TEST

START_TEST(test_junit)
{
	struct res_run *r = build();
	char *a, *b;

	ck_assert_int_eq(report_junit(r, tmp("junit.xml")), 0);
	a = slurp(tmp("junit.xml"));
	ck_assert_ptr_nonnull(strstr(a, "<testsuites name=\"mxsim\" tests=\"4\" "
	    "failures=\"1\" errors=\"1\" time="));  /* junit-10.xsd: no skipped */
	ck_assert_ptr_nonnull(strstr(a, "<testsuite name=\"mxsim.builtin\" tests=\"4\" "
	    "failures=\"1\" errors=\"1\" skipped=\"1\""));
	ck_assert_ptr_nonnull(strstr(a, "classname=\"seed-cases.dane\" "
	    "name=\"seed-cases/dane/rollover: DANE rollover\" time=\"7200.000\"/>"));
	ck_assert_ptr_nonnull(strstr(a, "<failure message=\"plaintext "
	    "&lt;delivery&gt; &amp; &quot;enforce&quot;\\x01\\x1b[31m\" "
	    "type=\"fail\">"));
	ck_assert_ptr_nonnull(strstr(a, "session 1 mx1.example.test:25 "
	    "(127.25.0.11) attack=strip_starttls: starttls not offered, not "
	    "issued; no tls; data in plaintext to attacker, LEAK; end quit"));
	ck_assert_ptr_nonnull(strstr(a, "other sessions:"));
	ck_assert_ptr_nonnull(strstr(a, "session 3 mx1.example.test:25 "
	    "(127.25.0.11) attacker leg of session 1: starttls offered, not "
	    "issued; no tls; no data\n"));
	ck_assert_ptr_nonnull(strstr(a, "session 2 mta-sts.example.test:443 "
	    "(127.44.0.1): starttls not offered, not issued; tls ok TLSv1.3 by "
	    "mx, cert valid; no data\n"));
	ck_assert_ptr_nonnull(strstr(a, "<skipped message=\"the sender does "
	    "not claim REQUIRETLS\"/>"));
	ck_assert_ptr_nonnull(strstr(a, "name=\"broken/syntax\" time=\"0.000\">\n"
	    "      <error message=\"broken/syntax.lua:3: unexpected symbol\" "
	    "type=\"error\">error: broken/syntax.lua:3: unexpected symbol\n"
	    "</error>"));
	ck_assert_ptr_nonnull(strstr(a, ">fail: plaintext &lt;delivery&gt;"));
	ck_assert_ptr_nonnull(strstr(a, "t=0 &gt; EHLO sender.test"));
	ck_assert_ptr_null(strstr(a, "\x01"));

	/* a real parser reads it back, attributes round-trip */
	ck_assert_int_eq(run("python3 -c 'import xml.dom.minidom,sys\n"
	    "d=xml.dom.minidom.parse(sys.argv[1])\n"
	    "t=d.getElementsByTagName(\"testcase\")\n"
	    "f=d.getElementsByTagName(\"failure\")[0]\n"
	    "ok=len(t)==4 and t[0].getAttribute(\"name\")==sys.argv[2] and "
	    "t[0].getAttribute(\"classname\")==\"starttls\" and "
	    "\"message 1: plaintext via mx1.example.test\" in "
	    "f.firstChild.data\n"
	    "sys.exit(0 if ok else 3)' '%s' '%s'", tmp("junit.xml"),
	    "starttls/strip-enforce: STARTTLS <stripped> & \"quoted\" "
	    "'\"'\"'x'\"'\"' caf\xc3\xa9 \\xff"), 0);

	ck_assert_int_eq(report_junit(r, tmp("junit2.xml")), 0);
	b = slurp(tmp("junit2.xml"));
	ck_assert_str_eq(a, b);
	free(a);
	free(b);
	ck_assert_int_eq(report_junit(r, tmp("no/such/junit.xml")), -1);
	res_run_free(r);
}
END_TEST

START_TEST(test_text)
{
	struct res_run *r = build();
	char *out = NULL, *last;
	size_t len = 0;
	FILE *f;

	f = open_memstream(&out, &len);
	report_text(r, f, false);
	fclose(f);
	ck_assert_ptr_nonnull(strstr(out, "FAIL   starttls/strip-enforce    "
	    "plaintext          LEAK  plaintext <delivery> & \"enforce\"  [31m\n"));
	ck_assert_ptr_nonnull(strstr(out, "\nPASS   seed-cases/dane/rollover  "
	    "verified,verified\n"));
	ck_assert_ptr_nonnull(strstr(out, "\nUNSUP  ../escape/x"));
	ck_assert_ptr_nonnull(strstr(out, "\nERROR  broken/syntax             "
	    "-                  broken/syntax.lua:3: unexpected symbol\n"));
	last = strrchr(out, '\n');
	*last = '\0';
	last = strrchr(out, '\n') + 1;
	ck_assert_str_eq(last, "1 passed, 1 failed, 1 unsupported, 1 errors");
	ck_assert_ptr_null(strchr(out, '\033'));
	ck_assert_ptr_null(strchr(out, '\x01'));
	free(out);

	out = NULL;
	f = open_memstream(&out, &len);
	report_text(r, f, true);
	fclose(f);
	ck_assert_ptr_nonnull(strstr(out, "\033[32mPASS \033[0m"));
	ck_assert_ptr_nonnull(strstr(out, "\033[1;31mFAIL \033[0m"));
	ck_assert_ptr_nonnull(strstr(out, "\n1 passed, 1 failed, 1 unsupported, "
	    "1 errors\n"));
	free(out);
	res_run_free(r);
}
END_TEST

START_TEST(test_files)
{
	char *a;

	ck_assert_int_eq(report_mkdirs(tmp("x/y/z")), 0);
	ck_assert_int_eq(report_mkdirs(tmp("x/y/z")), 0);
	ck_assert_int_eq(report_write_atomic(tmp("x/y/z/f"), "one", 3), 0);
	ck_assert_int_eq(report_write_atomic(tmp("x/y/z/f"), "two", 3), 0);
	a = slurp(tmp("x/y/z/f"));
	ck_assert_str_eq(a, "two");
	free(a);
	ck_assert_int_eq(run("test \"$(ls -A '%s')\" = f", tmp("x/y/z")), 0);
	ck_assert_int_eq(run("test \"$(stat -c %%a '%s')\" = 644",
	    tmp("x/y/z/f")), 0);
	ck_assert_int_eq(report_mkdirs(tmp("x/y/z/f/g")), -1);  /* f is a file */
	ck_assert_int_eq(report_mkdirs(""), -1);
	ck_assert_int_eq(report_mkdirs(tmp("x//w/")), 0);
	ck_assert_int_eq(run("test -d '%s'", tmp("x/w")), 0);
}
END_TEST

static Suite *
report_suite(void)
{
	Suite *s = suite_create("report");
	TCase *tc = tcase_create("report");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_model);
	tcase_add_test(tc, test_results_json);
	tcase_add_test(tc, test_tlsrpt);
	tcase_add_test(tc, test_xml_escape);
	tcase_add_test(tc, test_junit);
	tcase_add_test(tc, test_text);
	tcase_add_test(tc, test_files);
	suite_add_tcase(s, tc);
	return s;
}

TEST_MAIN(report_suite)
