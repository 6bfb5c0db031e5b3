/*
 * check_world_sts: the MTA-STS and TLSRPT side of a world (sim/world_sts.c
 * and attacker/mitm_policy.c), with real peers nobody here wrote, inside
 * a private network namespace:
 *   dig asks the world's DNS for _mta-sts, _smtp._tls and the hosts;
 *   curl, with the world's CA, fetches the policy through the path (and
 *   does not get it when the attacker serves its own, or blocks);
 *   openssl s_client verifies the policy host's certificate;
 *   curl POSTs a gzip'd report to the receiver, which keeps it.
 * The worlds are built from scenario text, with the clock at real time
 * (the tools check certificates against the real clock); the loop runs
 * in real time while each tool runs in a child process.
 */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include "core/loop.h"
#include "core/pki.h"
#include "core/record.h"
#include "core/util.h"
#include "fake-https/https.h"
#include "fake-https/sts.h"
#include "sim/scenario.h"
#include "sim/world.h"
#include "sim/world_sts.h"
#include "testutil.h"

#define HOST "mta-sts.example.test"
#define URL "https://" HOST STS_POLICY_PATH
#define RESOLVE HOST ":443:" WORLD_STS_PUB
#define REPORT "{\"organization-name\":\"curl\",\"date-range\":{\"start-datetime\":" \
	"\"2026-06-01T00:00:00Z\",\"end-datetime\":\"2026-06-01T23:59:59Z\"}," \
	"\"contact-info\":\"tlsrpt@sender.test\",\"report-id\":\"w-1\",\"policies\":[{" \
	"\"policy\":{\"policy-type\":\"sts\",\"policy-string\":[\"version: STSv1\"," \
	"\"mode: enforce\",\"mx: mx1.example.test\",\"max_age: 604800\"],\"policy-domain\":" \
	"\"example.test\",\"mx-host\":[\"mx1.example.test\"]},\"summary\":{" \
	"\"total-successful-session-count\":1,\"total-failure-session-count\":0}}]}"

struct fx {
	char dir[64], ca[128], out[128];
	struct loop *l;
	struct pki *pki;
	struct rec *rec;
	struct scenario *scn;
	struct world *w;
};

struct child {
	pid_t pid;
	int status;
	bool done;
};

static bool
child_done(void *arg)
{
	struct child *c = arg;

	if (!c->done && waitpid(c->pid, &c->status, WNOHANG) == c->pid)
		c->done = true;
	return c->done;
}

static int
run_tool(struct fx *f, char *const argv[], int secs)
{
	struct child c = { 0 };

	c.pid = fork();
	ck_assert_int_ge(c.pid, 0);
	if (c.pid == 0) {
		int fd = open(f->out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		int nul = open("/dev/null", O_RDONLY);
		dup2(nul, 0);
		dup2(fd, 1);
		dup2(fd, 2);
		execvp(argv[0], argv);
		_exit(127);
	}
	if (loop_run_until(f->l, child_done, &c, loop_now(f->l) +
	    (uint64_t)secs * 1000) < 0) {
		kill(c.pid, SIGKILL);
		waitpid(c.pid, &c.status, 0);
		return -1;
	}
	return WIFEXITED(c.status) ? WEXITSTATUS(c.status) : -1;
}

static char *
slurp(const char *path)
{
	FILE *fp = fopen(path, "rb");
	struct buf b = { 0 };
	char tmp[4096];
	size_t n;

	if (fp != NULL) {
		while ((n = fread(tmp, 1, sizeof(tmp), fp)) > 0)
			buf_append(&b, tmp, n);
		fclose(fp);
	}
	return buf_cstr(&b);
}

/* A world from scenario fields (the lines between domain and expect). */
static void
setup(struct fx *f, const char *fields)
{
	char err[1024], clock[32], *src;
	time_t now = time(NULL);
	struct tm tm;

	tu_netns();
	memset(f, 0, sizeof(*f));
	snprintf(f->dir, sizeof(f->dir), "/tmp/mxsim-wsts-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(f->dir));
	snprintf(f->ca, sizeof(f->ca), "%s/root.pem", f->dir);
	snprintf(f->out, sizeof(f->out), "%s/out.txt", f->dir);
	gmtime_r(&now, &tm);
	strftime(clock, sizeof(clock), "%Y-%m-%dT%H:%M:%SZ", &tm);
	src = xasprintf("return { title = \"t\", refs = {}, domain = \"example.test\",\n"
	    " clock = \"%s\",\n mx = { { host = \"mx1.example.test\" } },\n%s,\n"
	    " expect = { delivery = \"verified\" } }\n", clock, fields);
	ck_assert_msg(scenario_load_string("w.lua", src, strlen(src), &f->scn, err,
	    sizeof(err)) == 0, "%s", err);
	free(src);
	f->l = loop_new(LOOP_REAL, f->scn->clock);
	f->pki = pki_new(1, f->scn->clock);
	f->rec = rec_new(f->l);
	ck_assert_int_eq(pki_write_root(f->pki, f->ca), 0);
	f->w = world_new(f->l, f->pki, f->rec, f->scn, &f->scn->phases[0].world,
	    err, sizeof(err));
	ck_assert_msg(f->w != NULL, "%s", err);
}

static void
teardown(struct fx *f)
{
	world_free(f->w);
	while (loop_nfds(f->l) > 0 || loop_ntimers(f->l) > 0)
		if (loop_run_once(f->l) < 0)
			break;
	ck_assert_uint_eq(loop_nfds(f->l), 0);
	rec_free(f->rec);
	pki_free(f->pki);
	loop_free(f->l);
	scenario_free(f->scn);
	char *cmd = xasprintf("rm -rf %s", f->dir);
	ck_assert_int_eq(system(cmd), 0);
	free(cmd);
}

/* dig +short NAME TYPE at the world's resolver face. */
static char *
dig(struct fx *f, const char *name, const char *type)
{
	char *argv[] = { "dig", "+short", "+tries=1", "+time=2", "@" WORLD_DNS_ADDR,
		(char *)name, (char *)type, NULL };

	ck_assert_int_eq(run_tool(f, argv, 20), 0);
	return slurp(f->out);
}

static void
want_dig(struct fx *f, const char *name, const char *type, const char *want)
{
	char *got = dig(f, name, type);

	ck_assert_msg(strcmp(got, want) == 0, "dig %s %s:\n got: %s\nwant: %s", name,
	    type, got, want);
	free(got);
}

/* curl the policy; returns curl's exit code, fills *out with the -w line
 * and *body with what it got. */
static int
curl_policy(struct fx *f, bool insecure, char **out, char **body)
{
	char bodyf[160];

	snprintf(bodyf, sizeof(bodyf), "%s/body.txt", f->dir);
	unlink(bodyf);
	char *argv[] = { "curl", "-sS", "--max-time", "10", "--cacert", f->ca,
		"--resolve", RESOLVE, "-o", bodyf, "-w", "%{http_code} %{content_type}",
		insecure ? "-k" : "--no-keepalive", URL, NULL };
	int rc = run_tool(f, argv, 20);
	*out = slurp(f->out);
	*body = slurp(bodyf);
	return rc;
}

START_TEST(dns_publishes_the_records)
{
	struct fx f;

	setup(&f, " mta_sts = { id = \"abc123\" },\n"
	    " tlsrpt = { rua = { \"https://tlsrpt.example.test/v1\", "
	    "\"mailto:r@reports.test\" } }");
	want_dig(&f, "_mta-sts.example.test", "TXT", "\"v=STSv1; id=abc123\"\n");
	want_dig(&f, "_smtp._tls.example.test", "TXT", "\"v=TLSRPTv1; "
	    "rua=https://tlsrpt.example.test/v1,mailto:r@reports.test\"\n");
	want_dig(&f, HOST, "A", WORLD_STS_PUB "\n");
	want_dig(&f, "tlsrpt.example.test", "A", WORLD_TLSRPT_ADDR "\n");
	want_dig(&f, "reports.test", "MX", "10 mx1.example.test.\n");
	teardown(&f);
}
END_TEST

START_TEST(dns_txt_variants)
{
	struct fx f;

	setup(&f, " mta_sts = { txt = { { \"v=STSv1; \", \"id=a\" }, \"v=spf1 -all\" } },\n"
	    " tlsrpt = { txt = \"v=TLSRPTv1;rua=mailto:x@example.test\" }");
	char *got = dig(&f, "_mta-sts.example.test", "TXT");
	ck_assert_msg(strstr(got, "\"v=STSv1; \" \"id=a\"\n") != NULL, "%s", got);
	ck_assert_msg(strstr(got, "\"v=spf1 -all\"\n") != NULL, "%s", got);
	free(got);
	want_dig(&f, "_smtp._tls.example.test", "TXT",
	    "\"v=TLSRPTv1;rua=mailto:x@example.test\"\n");
	teardown(&f);
}
END_TEST

START_TEST(curl_fetches_through_the_path)
{
	struct fx f;
	char *out, *body, err[128];
	struct sts_policy *p;

	setup(&f, " mta_sts = { mode = \"testing\", mx = { \"mx1.example.test\", "
	    "\"*.backup.test\" }, max_age = 86400 }");
	ck_assert_int_eq(curl_policy(&f, false, &out, &body), 0);
	ck_assert_str_eq(out, "200 text/plain");
	ck_assert_str_eq(body, world_sts_body(world_sts_of(f.w)));
	ck_assert_int_eq(sts_policy_parse(body, strlen(body), &p, err, sizeof(err)), 0);
	ck_assert_int_eq(p->mode, STS_MODE_TESTING);
	ck_assert_uint_eq(p->max_age, 86400);
	ck_assert(sts_policy_match(p, "mx7.backup.test"));
	sts_policy_free(p);
	free(out);
	free(body);
	teardown(&f);
}
END_TEST

START_TEST(curl_sees_the_variants)
{
	static const struct { const char *variant, *want; int rc; } v[] = {
		{ "content-type", "200 text/html", 0 },
		{ "redirect", "301 text/plain", 0 },
		{ "404", "404 text/plain", 0 },
		{ "reset", "000 ", 56 },
		{ "unreachable", "000 ", 35 },
	};

	for (size_t i = 0; i < ARRAY_LEN(v); i++) {
		struct fx f;
		char fields[128], *out, *body;
		snprintf(fields, sizeof(fields), " mta_sts = { variant = \"%s\" }",
		    v[i].variant);
		setup(&f, fields);
		int rc = curl_policy(&f, false, &out, &body);
		/* curl -sS puts its complaint before the -w line */
		ck_assert_msg(strstr(out, v[i].want) != NULL, "%s: %s", v[i].variant,
		    out);
		if (v[i].rc == 0)
			ck_assert_msg(rc == 0, "%s: curl exit %d", v[i].variant, rc);
		else
			ck_assert_msg(rc != 0, "%s: curl succeeded", v[i].variant);
		free(out);
		free(body);
		teardown(&f);
	}
}
END_TEST

START_TEST(s_client_checks_the_policy_host)
{
	struct fx f;

	setup(&f, " mta_sts = { id = \"a\" }");
	char *argv[] = { "openssl", "s_client", "-connect", WORLD_STS_PUB ":443",
		"-servername", HOST, "-CAfile", f.ca, "-verify_hostname", HOST,
		"-verify_return_error", "-brief", NULL };
	int rc = run_tool(&f, argv, 20);
	char *out = slurp(f.out);
	ck_assert_msg(rc == 0, "s_client exit %d: %s", rc, out);
	ck_assert_msg(strstr(out, "Verification: OK") != NULL, "%s", out);
	free(out);
	teardown(&f);

	setup(&f, " mta_sts = { id = \"a\", cert = \"expired\" }");
	rc = run_tool(&f, argv, 20);
	out = slurp(f.out);
	ck_assert_msg(rc != 0 && strstr(out, "expired") != NULL, "exit %d: %s", rc,
	    out);
	free(out);
	teardown(&f);
}
END_TEST

START_TEST(tamper_policy_attacker_cert)
{
	struct fx f;
	char *out, *body;

	setup(&f, " mta_sts = { mode = \"enforce\" },\n"
	    " attack = { { \"tamper_policy\", mode = \"testing\" } }");
	/* verified: the attacker's certificate is not for mta-sts.example.test */
	ck_assert_int_eq(curl_policy(&f, false, &out, &body), 60);
	free(out);
	free(body);
	/* not verified: the downgraded policy */
	ck_assert_int_eq(curl_policy(&f, true, &out, &body), 0);
	ck_assert_str_eq(out, "200 text/plain");
	ck_assert_msg(strstr(body, "mode: testing\r\n") != NULL, "%s", body);
	ck_assert_msg(strstr(body, "enforce") == NULL, "%s", body);
	free(out);
	free(body);
	teardown(&f);
}
END_TEST

START_TEST(tamper_policy_block_nth)
{
	struct fx f;
	char *out, *body;

	setup(&f, " mta_sts = { mode = \"enforce\" },\n"
	    " attack = { { \"tamper_policy\", mode = \"block\", nth = 2 } }");
	ck_assert_int_eq(curl_policy(&f, false, &out, &body), 0);
	free(out);
	free(body);
	ck_assert_int_ne(curl_policy(&f, false, &out, &body), 0);   /* reset */
	ck_assert_str_eq(body, "");
	free(out);
	free(body);
	ck_assert_int_eq(curl_policy(&f, false, &out, &body), 0);
	ck_assert_msg(strstr(body, "mode: enforce") != NULL, "%s", body);
	free(out);
	free(body);
	teardown(&f);
}
END_TEST

/* The recorder's evidence: each request the real policy host answered
 * (an exchange) and each fetch the attacker took over (a session with a
 * '!' note for capture.json), which expect.fetches counts. */
START_TEST(evidence_of_fetches_and_attacks)
{
	struct fx f;
	char *out, *body;
	unsigned notes = 0, asked = 0;

	setup(&f, " mta_sts = { mode = \"enforce\" },\n"
	    " attack = { { \"tamper_policy\", mode = \"block\", nth = 2 } }");
	for (int i = 0; i < 3; i++) {
		(void)curl_policy(&f, false, &out, &body);
		free(out);
		free(body);
	}
	for (size_t i = 0; i < rec_nexchanges(f.rec); i++) {
		const struct rec_session *x = rec_exchange(f.rec, i);
		if (x->kind == REC_HTTPS && x->x.role != NULL &&
		    strcmp(x->x.role, "policy host") == 0) {
			asked++;
			ck_assert_str_eq(x->x.request, "GET " STS_POLICY_PATH);
			ck_assert_str_eq(x->x.sni, HOST);
			ck_assert_int_eq(x->x.status, 200);
		}
	}
	for (size_t i = 0; i < rec_count(f.rec); i++) {
		const struct rec_session *s = rec_get(f.rec, i);
		ck_assert(s->dns);   /* evidence only: no SMTP session here */
		ck_assert_str_eq(s->attack, "tamper_policy");
		ck_assert_str_eq(s->host, HOST);
		ck_assert_uint_eq(s->port, 443);
		for (size_t k = 0; k < s->nlines; k++)
			if (s->lines[k].dir == '!' &&
			    strstr(s->lines[k].text, "tamper_policy block") != NULL)
				notes++;
	}
	ck_assert_uint_eq(asked, 2);
	ck_assert_uint_eq(rec_count(f.rec), 1);
	ck_assert_uint_eq(notes, 1);
	teardown(&f);
}
END_TEST

/* mta_sts.domain and mta_sts.cname: the records of another policy
 * domain, the TXT record behind a CNAME (RFC 8461 3.1). */
START_TEST(dns_policy_domain_and_cname)
{
	struct fx f;

	setup(&f, " mta_sts = { domain = \"smarthost.test\", id = \"c1\",\n"
	    "   cname = \"_mta-sts.provider.test\" }");
	want_dig(&f, "_mta-sts.smarthost.test", "TXT",
	    "_mta-sts.provider.test.\n\"v=STSv1; id=c1\"\n");
	want_dig(&f, "_mta-sts.provider.test", "TXT", "\"v=STSv1; id=c1\"\n");
	want_dig(&f, "mta-sts.smarthost.test", "A", WORLD_STS_PUB "\n");
	want_dig(&f, "_mta-sts.example.test", "TXT", "");
	teardown(&f);
}
END_TEST

START_TEST(tamper_txt_rewrite_and_block)
{
	struct fx f;

	setup(&f, " mta_sts = { id = \"real\" },\n"
	    " attack = { { \"tamper_txt\", mode = \"rewrite\", text = \"v=STSv1; id=evil\" } }");
	want_dig(&f, "_mta-sts.example.test", "TXT", "\"v=STSv1; id=evil\"\n");
	teardown(&f);
	/* in a signed zone forged data is bogus: the resolver face SERVFAILs */
	setup(&f, " dnssec = \"secure\", mta_sts = { id = \"real\" },\n"
	    " attack = { { \"tamper_txt\", mode = \"rewrite\", text = \"v=STSv1; id=evil\" } }");
	char *argv[] = { "dig", "+tries=1", "+time=2", "@" WORLD_DNS_ADDR,
		"_mta-sts.example.test", "TXT", NULL };
	ck_assert_int_eq(run_tool(&f, argv, 20), 0);
	char *out = slurp(f.out);
	ck_assert_msg(strstr(out, "status: SERVFAIL") != NULL, "%s", out);
	free(out);
	teardown(&f);
	setup(&f, " mta_sts = { id = \"real\" },\n"
	    " attack = { { \"tamper_txt\", mode = \"block\" } }");
	ck_assert_int_ne(run_tool(&f, argv, 20), 0);   /* dig times out */
	teardown(&f);
}
END_TEST

START_TEST(receiver_keeps_a_gzip_report)
{
	struct fx f;
	char gz[160];

	setup(&f, " tlsrpt = { rua = \"https://tlsrpt.example.test/v1\" }");
	snprintf(gz, sizeof(gz), "%s/r.json.gz", f.dir);
	gzFile g = gzopen(gz, "wb9");
	ck_assert_ptr_nonnull(g);
	ck_assert_int_eq(gzputs(g, REPORT), (int)strlen(REPORT));
	ck_assert_int_eq(gzclose(g), Z_OK);
	char *data = xasprintf("@%s", gz);
	char *argv[] = { "curl", "-sS", "--max-time", "10", "--cacert", f.ca,
		"--resolve", "tlsrpt.example.test:443:" WORLD_TLSRPT_ADDR, "-o",
		"/dev/null", "-w", "%{http_code}", "-H",
		"Content-Type: application/tlsrpt+gzip", "--data-binary", data,
		"https://tlsrpt.example.test/v1", NULL };
	ck_assert_int_eq(run_tool(&f, argv, 20), 0);
	char *out = slurp(f.out);
	ck_assert_str_eq(out, "201");
	ck_assert_uint_eq(world_sts_nreports(world_sts_of(f.w)), 1);
	const struct https_report *r = world_sts_report(world_sts_of(f.w), 0);
	ck_assert(r->gzip);
	ck_assert_str_eq(r->json, REPORT);
	ck_assert_ptr_null(r->parse_error);
	free(out);
	free(data);
	teardown(&f);
}
END_TEST

static Suite *
world_sts_suite(void)
{
	Suite *s = suite_create("world_sts");
	TCase *d = tcase_create("dns");
	TCase *h = tcase_create("https");

	tcase_set_timeout(d, 120);
	tcase_set_timeout(h, 120);
	tcase_add_test(d, dns_publishes_the_records);
	tcase_add_test(d, dns_txt_variants);
	tcase_add_test(d, tamper_txt_rewrite_and_block);
	tcase_add_test(d, dns_policy_domain_and_cname);
	tcase_add_test(h, curl_fetches_through_the_path);
	tcase_add_test(h, curl_sees_the_variants);
	tcase_add_test(h, s_client_checks_the_policy_host);
	tcase_add_test(h, tamper_policy_attacker_cert);
	tcase_add_test(h, tamper_policy_block_nth);
	tcase_add_test(h, evidence_of_fetches_and_attacks);
	tcase_add_test(h, receiver_keeps_a_gzip_report);
	suite_add_tcase(s, d);
	suite_add_tcase(s, h);
	return s;
}

TEST_MAIN(world_sts_suite)
