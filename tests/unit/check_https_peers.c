/*
 * The web server with real peers nobody here wrote: Debian's curl fetches
 * the MTA-STS policy (and does not follow a redirect it was not told to
 * follow), POSTs TLSRPT reports gzip'd and chunked, and openssl s_client
 * verifies the policy host's certificate against the world's root (and
 * rejects an expired variant chosen by SNI).  The loop runs in real time
 * while the tool runs in a child process.  Also prints policy fetches per
 * second with curl (a figure, not an assertion).
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
#include "core/util.h"
#include "fake-https/https.h"
#include "fake-https/sts.h"
#include "testutil.h"

#define ADDR "127.43.0.1"
#define HOST "mta-sts.example.test"
#define POLICY "version: STSv1\r\nmode: enforce\r\nmx: mx1.example.test\r\n" \
	"mx: *.backup.example.test\r\nmax_age: 604800\r\n"
#define REPORT "{\"organization-name\":\"curl\",\"date-range\":{\"start-datetime\":" \
	"\"2026-06-01T00:00:00Z\",\"end-datetime\":\"2026-06-01T23:59:59Z\"}," \
	"\"contact-info\":\"tlsrpt@sender.test\",\"report-id\":\"curl-1\",\"policies\":[{" \
	"\"policy\":{\"policy-type\":\"sts\",\"policy-string\":[\"version: STSv1\"," \
	"\"mode: enforce\",\"mx: mx1.example.test\",\"max_age: 604800\"],\"policy-domain\":" \
	"\"example.test\",\"mx-host\":[\"mx1.example.test\"]},\"summary\":{" \
	"\"total-successful-session-count\":3,\"total-failure-session-count\":1}," \
	"\"failure-details\":[{\"result-type\":\"starttls-not-supported\",\"sending-mta-ip\":" \
	"\"127.1.0.1\",\"receiving-mx-hostname\":\"mx1.example.test\",\"receiving-ip\":" \
	"\"127.25.0.11\",\"failed-session-count\":1}]}]}"

struct fx {
	char dir[64], ca[128], out[128], gz[128], json[128];
	struct loop *l;
	struct pki *pki;
	struct pki_cert *valid, *expired, *redirect, *tlsrpt;
	struct https_srv *srv;
	unsigned nlog;
	char ua[64];
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

/* Run argv (stdin /dev/null, stdout+stderr into outpath) while the loop
 * serves.  Returns the exit status (-1 if killed). */
static int
run_tool(struct loop *l, char *const argv[], const char *outpath, int secs)
{
	struct child c = { 0 };

	c.pid = fork();
	ck_assert_int_ge(c.pid, 0);
	if (c.pid == 0) {
		int fd = open(outpath, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		int nul = open("/dev/null", O_RDONLY);
		dup2(nul, 0);
		dup2(fd, 1);
		dup2(fd, 2);
		execvp(argv[0], argv);
		_exit(127);
	}
	if (loop_run_until(l, child_done, &c, loop_now(l) + (uint64_t)secs * 1000) < 0) {
		kill(c.pid, SIGKILL);
		waitpid(c.pid, &c.status, 0);
		return -1;
	}
	return WIFEXITED(c.status) ? WEXITSTATUS(c.status) : -1;
}

static char *
slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	struct buf b = { 0 };
	char tmp[4096];
	size_t n;

	if (f != NULL) {
		while ((n = fread(tmp, 1, sizeof(tmp), f)) > 0)
			buf_append(&b, tmp, n);
		fclose(f);
	}
	if (len != NULL)
		*len = b.len;
	return buf_cstr(&b);
}

static void
on_log(const struct https_log *ev, void *arg)
{
	struct fx *f = arg;
	const char *ua = NULL;

	f->nlog++;
	for (size_t i = 0; i < ev->nheaders; i++)
		if (strcasecmp(ev->headers[i].name, "User-Agent") == 0)
			ua = ev->headers[i].value;
	if (ua != NULL)
		snprintf(f->ua, sizeof(f->ua), "%s", ua);
}

static struct pki_cert *
issue(struct pki *p, const char *variant, const char *host)
{
	struct pki_spec spec = { .variant = variant, .host = host };
	struct pki_cert *c;
	char err[256];

	ck_assert_msg(pki_issue(p, &spec, &c, err, sizeof(err)) == 0, "%s", err);
	return c;
}

static void
setup(struct fx *f)
{
	char err[256];
	time_t now = time(NULL);   /* the tools check against the real clock */

	tu_netns();
	memset(f, 0, sizeof(*f));
	snprintf(f->dir, sizeof(f->dir), "/tmp/mxsim-https-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(f->dir));
	snprintf(f->ca, sizeof(f->ca), "%s/root.pem", f->dir);
	snprintf(f->out, sizeof(f->out), "%s/out.txt", f->dir);
	snprintf(f->gz, sizeof(f->gz), "%s/report.json.gz", f->dir);
	snprintf(f->json, sizeof(f->json), "%s/report.json", f->dir);
	f->l = loop_new(LOOP_REAL, now);
	f->pki = pki_new(1, now);
	f->valid = issue(f->pki, "valid", HOST);
	f->expired = issue(f->pki, "expired", "mta-sts.expired.test");
	f->redirect = issue(f->pki, "valid", "mta-sts.redirect.test");
	f->tlsrpt = issue(f->pki, "valid", "tlsrpt.example.test");
	ck_assert_int_eq(pki_write_root(f->pki, f->ca), 0);

	static const struct https_route routes[] = {
		{ HOST, STS_POLICY_PATH, HTTPS_GET, { .body = POLICY, .body_len = sizeof(POLICY) - 1 } },
		{ "mta-sts.redirect.test", STS_POLICY_PATH, HTTPS_GET, { .status = 301,
		    .location = "https://" HOST STS_POLICY_PATH } },
		{ "tlsrpt.example.test", "/v1", HTTPS_TLSRPT, { 0 } },
	};
	struct https_cert certs[] = {
		{ "mta-sts.expired.test", f->expired },
		{ "mta-sts.redirect.test", f->redirect },
		{ "tlsrpt.example.test", f->tlsrpt },
	};
	struct https_srv_config cfg = {
		.addr = ADDR, .port_https = 443, .port_http = 80, .cert = f->valid,
		.certs = certs, .ncerts = ARRAY_LEN(certs), .routes = routes,
		.nroutes = ARRAY_LEN(routes), .log = on_log, .log_arg = f,
	};
	f->srv = https_srv_new(f->l, &cfg, err, sizeof(err));
	ck_assert_msg(f->srv != NULL, "%s", err);

	/* the report, plain and gzip'd */
	FILE *j = fopen(f->json, "w");
	ck_assert_ptr_nonnull(j);
	fputs(REPORT, j);
	fclose(j);
	gzFile g = gzopen(f->gz, "wb9");
	ck_assert_ptr_nonnull(g);
	ck_assert_int_eq(gzputs(g, REPORT), (int)strlen(REPORT));
	ck_assert_int_eq(gzclose(g), Z_OK);
}

static void
teardown(struct fx *f)
{
	https_srv_free(f->srv);
	while (loop_nfds(f->l) > 0 || loop_ntimers(f->l) > 0)
		if (loop_run_once(f->l) < 0)
			break;
	ck_assert_uint_eq(loop_nfds(f->l), 0);
	pki_cert_free(f->valid);
	pki_cert_free(f->expired);
	pki_cert_free(f->redirect);
	pki_cert_free(f->tlsrpt);
	pki_free(f->pki);
	loop_free(f->l);
	char *cmd = xasprintf("rm -rf %s", f->dir);
	ck_assert_int_eq(system(cmd), 0);
	free(cmd);
}

START_TEST(curl_fetches_the_policy)
{
	struct fx f;
	char body[160];

	setup(&f);
	snprintf(body, sizeof(body), "%s/body.txt", f.dir);
	char *argv[] = { "curl", "-sS", "--max-time", "20", "--cacert", f.ca, "--resolve",
		HOST ":443:" ADDR, "-o", body, "-w", "%{http_code} %{content_type} %{ssl_verify_result}",
		"https://" HOST STS_POLICY_PATH, NULL };
	int rc = run_tool(f.l, argv, f.out, 30);
	char *out = slurp(f.out, NULL), *got = slurp(body, NULL);
	ck_assert_msg(rc == 0, "curl exit %d: %s", rc, out);
	ck_assert_str_eq(out, "200 text/plain 0");
	ck_assert_str_eq(got, POLICY);
	ck_assert_uint_eq(f.nlog, 1);
	ck_assert_msg(strncmp(f.ua, "curl/", 5) == 0, "%s", f.ua);
	/* what curl got is a valid policy */
	struct sts_policy *p;
	char err[128];
	ck_assert_int_eq(sts_policy_parse(got, strlen(got), &p, err, sizeof(err)), 0);
	ck_assert(sts_policy_match(p, "mx9.backup.example.test"));
	sts_policy_free(p);
	free(out);
	free(got);
	teardown(&f);
}
END_TEST

START_TEST(curl_does_not_follow_the_redirect)
{
	struct fx f;

	setup(&f);
	char *argv[] = { "curl", "-sS", "--max-time", "20", "--cacert", f.ca, "--resolve",
		"mta-sts.redirect.test:443:" ADDR, "-o", "/dev/null", "-w",
		"%{http_code} %{redirect_url} %{num_redirects}",
		"https://mta-sts.redirect.test" STS_POLICY_PATH, NULL };
	int rc = run_tool(f.l, argv, f.out, 30);
	char *out = slurp(f.out, NULL);
	ck_assert_msg(rc == 0, "curl exit %d: %s", rc, out);
	ck_assert_str_eq(out, "301 https://" HOST STS_POLICY_PATH " 0");
	ck_assert_uint_eq(f.nlog, 1);    /* one request: nothing followed */
	free(out);
	teardown(&f);
}
END_TEST

START_TEST(s_client_verifies_the_policy_host)
{
	struct fx f;

	setup(&f);
	char *argv[] = { "openssl", "s_client", "-connect", ADDR ":443", "-servername", HOST,
		"-verify_hostname", HOST, "-CAfile", f.ca, "-verify_return_error", NULL };
	int rc = run_tool(f.l, argv, f.out, 30);
	char *out = slurp(f.out, NULL);
	ck_assert_msg(rc == 0, "s_client exit %d:\n%s", rc, out);
	ck_assert_msg(strstr(out, "Verify return code: 0 (ok)") != NULL, "%s", out);
	ck_assert_msg(strstr(out, "CN = " HOST) != NULL, "%s", out);
	free(out);

	/* the expired variant, chosen by SNI, is rejected */
	char *argv2[] = { "openssl", "s_client", "-connect", ADDR ":443", "-servername",
		"mta-sts.expired.test", "-verify_hostname", "mta-sts.expired.test", "-CAfile", f.ca,
		"-verify_return_error", NULL };
	rc = run_tool(f.l, argv2, f.out, 30);
	out = slurp(f.out, NULL);
	ck_assert_msg(rc != 0, "s_client accepted an expired certificate:\n%s", out);
	ck_assert_msg(strstr(out, "certificate has expired") != NULL, "%s", out);
	free(out);
	teardown(&f);
}
END_TEST

static void
post(struct fx *f, const char *file, const char *ct, const char *extra, const char *want)
{
	char data[160], hdr[96];

	snprintf(data, sizeof(data), "@%s", file);
	snprintf(hdr, sizeof(hdr), "Content-Type: %s", ct);
	char *argv[] = { "curl", "-sS", "--max-time", "20", "--cacert", f->ca, "--resolve",
		"tlsrpt.example.test:443:" ADDR, "--data-binary", data, "-H", hdr, "-H",
		(char *)extra, "-o", "/dev/null", "-w", "%{http_code}",
		"https://tlsrpt.example.test/v1", NULL };
	int rc = run_tool(f->l, argv, f->out, 30);
	char *out = slurp(f->out, NULL);
	ck_assert_msg(rc == 0, "curl exit %d: %s", rc, out);
	ck_assert_str_eq(out, want);
	free(out);
}

START_TEST(curl_posts_reports)
{
	struct fx f;
	struct sts_tlsrpt_report *r;
	char err[256];

	setup(&f);
	post(&f, f.gz, HTTPS_TLSRPT_GZIP, "X-Test: gzip", "201");
	post(&f, f.json, HTTPS_TLSRPT_JSON, "Transfer-Encoding: chunked", "201");
	post(&f, f.json, "application/json", "X-Test: wrong type", "415");
	ck_assert_uint_eq(https_srv_nreports(f.srv), 2);

	const struct https_report *rep = https_srv_report(f.srv, 0);
	ck_assert(rep->gzip);
	ck_assert_str_eq(rep->json, REPORT);
	ck_assert_ptr_null(rep->parse_error);
	ck_assert_int_eq(sts_tlsrpt_report_parse(rep->json, rep->json_len, false, &r, err,
	    sizeof(err)), 0);
	ck_assert_str_eq(r->report_id, "curl-1");
	ck_assert_str_eq(r->policies[0].type, "sts");
	ck_assert_uint_eq(r->policies[0].success, 3);
	ck_assert_str_eq(r->policies[0].failures[0].result_type, "starttls-not-supported");
	sts_tlsrpt_report_free(r);
	rep = https_srv_report(f.srv, 1);
	ck_assert(!rep->gzip);
	ck_assert_str_eq(rep->json, REPORT);
	teardown(&f);
}
END_TEST

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* A figure, not an assertion: policy fetches per second over TLS. */
START_TEST(fetches_per_second)
{
	struct fx f;
	const int n = 200;

	setup(&f);
	char *script = xasprintf("for i in $(seq %d); do curl -sS --fail --cacert %s "
	    "--resolve " HOST ":443:" ADDR " -o /dev/null https://" HOST STS_POLICY_PATH
	    " || exit 1; done", n / 4, f.ca);
	char *argv[] = { "sh", "-c", script, NULL };
	double t0 = now_s();
	int rc = run_tool(f.l, argv, f.out, 120);
	double t1 = now_s();
	ck_assert_msg(rc == 0, "curl loop failed: %s", slurp(f.out, NULL));
	free(script);

	/* one curl process, one new TLS connection per URL (no keep-alive) */
	struct buf urls = { 0 };
	for (int i = 0; i < n; i++)
		buf_appendf(&urls, "url = \"https://" HOST STS_POLICY_PATH "\"\noutput = \"/dev/null\"\n");
	char cfgpath[160];
	snprintf(cfgpath, sizeof(cfgpath), "%s/curl.cfg", f.dir);
	FILE *c = fopen(cfgpath, "w");
	ck_assert_ptr_nonnull(c);
	fwrite(urls.data, 1, urls.len, c);
	fclose(c);
	buf_free(&urls);
	char *argv2[] = { "curl", "-sS", "--fail", "--cacert", f.ca, "--resolve",
		HOST ":443:" ADDR, "-K", cfgpath, NULL };
	double t2 = now_s();
	rc = run_tool(f.l, argv2, f.out, 120);
	double t3 = now_s();
	ck_assert_msg(rc == 0, "curl -K failed: %s", slurp(f.out, NULL));
	ck_assert_uint_eq(f.nlog, (unsigned)(n / 4 + n));
	fprintf(stderr, "policy fetches/s over TLS: %.0f (a curl process per fetch, %d), "
	    "%.0f (one curl, a connection per fetch, %d)\n", (n / 4) / (t1 - t0), n / 4,
	    n / (t3 - t2), n);
	teardown(&f);
}
END_TEST

static Suite *
peers_suite(void)
{
	Suite *s = suite_create("https_peers");
	TCase *tc = tcase_create("real peers");

	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, curl_fetches_the_policy);
	tcase_add_test(tc, curl_does_not_follow_the_redirect);
	tcase_add_test(tc, s_client_verifies_the_policy_host);
	tcase_add_test(tc, curl_posts_reports);
	tcase_add_test(tc, fetches_per_second);
	suite_add_tcase(s, tc);
	return s;
}

TEST_MAIN(peers_suite)
