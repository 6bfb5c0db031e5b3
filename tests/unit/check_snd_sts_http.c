/*
 * Tests for senders/builtin/snd_http.c: libcurl on the event loop against
 * the world's policy host (fake-https/https_srv) in a private network
 * namespace, on the skipping virtual clock: a good fetch, wrong content
 * type passed through, redirect not followed, 404, oversize body,
 * stalled and trickling bodies (virtual time limit), certificates that
 * fail (expired, wrong name, untrusted), a POST to the TLSRPT receiver,
 * and the TLS secrets reaching the loop's wiretap (from the server side).
 * Each test ends with no fds and no timers left on the loop.
 */
#include <string.h>
#include <time.h>

#include "core/conn.h"
#include "core/loop.h"
#include "core/pki.h"
#include "core/util.h"
#include "fake-https/https.h"
#include "fake-https/sts.h"
#include "senders/builtin/snd_http.h"
#include "tests/unit/testutil.h"

#define ADDR "127.43.0.1"
#define HOST "mta-sts.example.test"
#define BADHOST "mta-sts.bad.test"
#define URL "https://" HOST STS_POLICY_PATH
#define POLICY "version: STSv1\r\nmode: enforce\r\nmx: mx1.example.test\r\nmax_age: 604800\r\n"
#define T0 1780272000   /* 2026-06-01 */

struct fx {
	struct loop *l;
	struct pki *pki;
	struct pki_cert *valid, *expired;
	SSL_CTX *cctx;
	struct https_srv *srv;
	struct snd_http *h;
	unsigned nkeylog;
};

struct got {
	bool done;
	enum snd_http_err err;
	int status;
	char ctype[64], location[128], why[256];
	size_t len;
	char body[512];
	uint64_t t;
};

static struct fx F;

static void
keylog(const char *line, void *arg)
{
	struct fx *f = arg;

	if (strncmp(line, "CLIENT_", 7) == 0 || strncmp(line, "SERVER_", 7) == 0)
		f->nkeylog++;
}

static const struct conn_wiretap wt = { NULL, NULL, keylog, &F };

static struct pki_cert *
issue(const char *variant, const char *host)
{
	struct pki_spec spec = { .variant = variant, .host = host };
	struct pki_cert *c;
	char err[256];

	ck_assert_msg(pki_issue(F.pki, &spec, &c, err, sizeof(err)) == 0, "%s", err);
	return c;
}

static void
fx_init(void)
{
	static const char *const big_hdr[] = { NULL };
	static struct https_route routes[] = {
		{ HOST, STS_POLICY_PATH, HTTPS_GET, { .body = POLICY, .body_len = sizeof(POLICY) - 1 } },
		{ HOST, "/html", HTTPS_GET, { .body = POLICY, .body_len = sizeof(POLICY) - 1,
			.content_type = "text/html" } },
		{ HOST, "/moved", HTTPS_GET, { .status = 302,
			.location = "https://evil.test/x" } },
		{ HOST, "/big", HTTPS_GET, { .body = POLICY, .body_len = sizeof(POLICY) - 1,
			.oversize = 100000 } },
		{ HOST, "/stall", HTTPS_GET, { .body = POLICY, .body_len = sizeof(POLICY) - 1, .stall = true } },
		{ HOST, "/trickle", HTTPS_GET, { .body = POLICY, .body_len = sizeof(POLICY) - 1,
			.trickle_ms = 1000 } },
		{ HOST, "/drop", HTTPS_GET, { .drop = true } },
		{ HOST, "/report", HTTPS_TLSRPT, { 0 } },
		{ BADHOST, STS_POLICY_PATH, HTTPS_GET, { .body = POLICY, .body_len = sizeof(POLICY) - 1 } },
	};
	struct https_srv_config cfg;
	struct https_cert certs[2];
	char err[256];

	(void)big_hdr;
	tu_netns();
	log_set(stderr, getenv("TEST_VERBOSE") ? LOG_DEBUG : LOG_WARN);
	memset(&F, 0, sizeof(F));
	F.l = loop_new(LOOP_SKIP, T0);
	loop_set_wiretap(F.l, &wt);
	F.pki = pki_new(1, T0);
	F.valid = issue("valid", HOST);
	F.expired = issue("expired", BADHOST);
	F.cctx = pki_client_ctx(F.pki);
	certs[0] = (struct https_cert){ HOST, F.valid };
	certs[1] = (struct https_cert){ BADHOST, F.expired };
	memset(&cfg, 0, sizeof(cfg));
	cfg.addr = ADDR;
	cfg.port_https = 443;
	cfg.certs = certs;
	cfg.ncerts = 2;
	cfg.routes = routes;
	cfg.nroutes = ARRAY_LEN(routes);
	F.srv = https_srv_new(F.l, &cfg, err, sizeof(err));
	ck_assert_msg(F.srv != NULL, "https_srv_new: %s", err);
	F.h = snd_http_new(F.l, F.cctx);
	ck_assert_ptr_nonnull(F.h);
}

static void
fx_fini(void)
{
	snd_http_free(F.h);
	https_srv_free(F.srv);
	while (loop_ntimers(F.l) > 0 || loop_nfds(F.l) > 0)
		if (loop_run_once(F.l) < 0)
			break;
	ck_assert_uint_eq(loop_nfds(F.l), 0);
	ck_assert_uint_eq(loop_ntimers(F.l), 0);
	SSL_CTX_free(F.cctx);
	pki_cert_free(F.valid);
	pki_cert_free(F.expired);
	pki_free(F.pki);
	loop_free(F.l);
	memset(&F, 0, sizeof(F));
}

/* After a failed test: free what is left so the next test can bind. */
static void
teardown(void)
{
	if (F.l == NULL)
		return;
	snd_http_free(F.h);
	https_srv_free(F.srv);
	SSL_CTX_free(F.cctx);
	pki_cert_free(F.valid);
	pki_cert_free(F.expired);
	pki_free(F.pki);
	loop_free(F.l);
	memset(&F, 0, sizeof(F));
}

static void
on_resp(const struct snd_http_resp *r, void *arg)
{
	struct got *g = arg;

	ck_assert(!g->done);
	g->done = true;
	g->err = r->err;
	g->status = r->status;
	g->len = r->body_len;
	g->t = loop_now(F.l);
	snprintf(g->ctype, sizeof(g->ctype), "%s", r->content_type ? r->content_type : "");
	snprintf(g->location, sizeof(g->location), "%s", r->location ? r->location : "");
	snprintf(g->why, sizeof(g->why), "%s", r->why);
	snprintf(g->body, sizeof(g->body), "%s", r->body);
}

static bool
got_done(void *arg)
{
	return ((struct got *)arg)->done;
}

static void
fetch(const char *host, const char *path, struct got *g, uint64_t timeout_ms)
{
	char url[256];
	struct snd_http_req rq = { .url = url, .host = host, .addr = ADDR,
		.src_ip = "127.1.0.1", .timeout_ms = timeout_ms };

	snprintf(url, sizeof(url), "https://%s%s", host, path);
	memset(g, 0, sizeof(*g));
	ck_assert_uint_ne(snd_http_start(F.h, &rq, on_resp, g), 0);
	ck_assert(!g->done);   /* never synchronous */
	ck_assert_int_eq(loop_run_until(F.l, got_done, g, loop_now(F.l) + 3600000), 0);
}

START_TEST(test_fetch_ok)
{
	struct got g;

	fx_init();
	fetch(HOST, STS_POLICY_PATH, &g, 0);
	ck_assert_msg(g.err == SND_HTTP_OK, "%s", g.why);
	ck_assert_int_eq(g.status, 200);
	ck_assert_str_eq(g.ctype, "text/plain");
	ck_assert_str_eq(g.body, POLICY);
	ck_assert_uint_eq(snd_http_pending(F.h), 0);
	ck_assert_uint_ge(F.nkeylog, 1);   /* the server's conn logged the keys */
	fx_fini();
}
END_TEST

START_TEST(test_content_type_redirect_404)
{
	struct got g;

	fx_init();
	fetch(HOST, "/html", &g, 0);
	ck_assert(g.err == SND_HTTP_OK);
	ck_assert_str_eq(g.ctype, "text/html");
	fetch(HOST, "/moved", &g, 0);
	ck_assert(g.err == SND_HTTP_OK);
	ck_assert_int_eq(g.status, 302);        /* not followed */
	ck_assert_str_eq(g.location, "https://evil.test/x");
	fetch(HOST, "/nothing-here", &g, 0);
	ck_assert(g.err == SND_HTTP_OK);
	ck_assert_int_eq(g.status, 404);
	fx_fini();
}
END_TEST

START_TEST(test_oversize)
{
	struct got g;

	fx_init();
	fetch(HOST, "/big", &g, 0);
	ck_assert_msg(g.err == SND_HTTP_TOO_BIG, "%s", g.why);
	ck_assert_uint_le(g.len, SND_HTTP_MAX_BODY);
	fx_fini();
}
END_TEST

START_TEST(test_stall_and_trickle)
{
	struct got g;
	uint64_t t0;

	fx_init();
	t0 = loop_now(F.l);
	fetch(HOST, "/stall", &g, 0);
	ck_assert_msg(g.err == SND_HTTP_TIMEOUT, "%s", g.why);
	ck_assert_uint_eq(g.t - t0, SND_HTTP_TIMEOUT_MS);   /* virtual time */
	t0 = loop_now(F.l);
	fetch(HOST, "/trickle", &g, 0);   /* 70 bytes at 1 s each */
	ck_assert_msg(g.err == SND_HTTP_TIMEOUT, "%s", g.why);
	/* with a longer limit the trickle gets through */
	fetch(HOST, "/trickle", &g, 200000);
	ck_assert_msg(g.err == SND_HTTP_OK, "%s", g.why);
	ck_assert_str_eq(g.body, POLICY);
	fx_fini();
}
END_TEST

START_TEST(test_bad_certs)
{
	struct got g;

	fx_init();
	fetch(BADHOST, STS_POLICY_PATH, &g, 0);   /* expired */
	ck_assert_msg(g.err == SND_HTTP_CERT, "%s", g.why);
	/* the right certificate, reached under another name */
	{
		struct snd_http_req rq = { .url = "https://other.example.test/x",
			.host = "other.example.test", .addr = ADDR };
		memset(&g, 0, sizeof(g));
		ck_assert_uint_ne(snd_http_start(F.h, &rq, on_resp, &g), 0);
		ck_assert_int_eq(loop_run_until(F.l, got_done, &g, loop_now(F.l) + 600000), 0);
		ck_assert_msg(g.err == SND_HTTP_CERT, "%s", g.why);
	}
	/* the clock moved past the certificate's end: expired now */
	loop_advance(F.l, 3ull * 366 * 86400 * 1000);
	fetch(HOST, STS_POLICY_PATH, &g, 0);
	ck_assert_msg(g.err == SND_HTTP_CERT, "%s", g.why);
	fx_fini();
}
END_TEST

START_TEST(test_untrusted_and_refused)
{
	struct got g;
	struct pki *other;
	SSL_CTX *octx;
	struct snd_http *h2;

	fx_init();
	/* a client trusting another root */
	other = pki_new(2, T0);
	octx = pki_client_ctx(other);
	h2 = snd_http_new(F.l, octx);
	{
		struct snd_http_req rq = { .url = URL, .host = HOST, .addr = ADDR };
		memset(&g, 0, sizeof(g));
		ck_assert_uint_ne(snd_http_start(h2, &rq, on_resp, &g), 0);
		ck_assert_int_eq(loop_run_until(F.l, got_done, &g, loop_now(F.l) + 600000), 0);
		ck_assert_msg(g.err == SND_HTTP_CERT, "%s", g.why);
		/* no_verify takes it (TLSRPT POSTs may ignore cert errors) */
		rq.no_verify = true;
		memset(&g, 0, sizeof(g));
		ck_assert_uint_ne(snd_http_start(h2, &rq, on_resp, &g), 0);
		ck_assert_int_eq(loop_run_until(F.l, got_done, &g, loop_now(F.l) + 600000), 0);
		ck_assert_msg(g.err == SND_HTTP_OK, "%s", g.why);
	}
	snd_http_free(h2);
	SSL_CTX_free(octx);
	pki_free(other);
	/* nothing listens there */
	{
		struct snd_http_req rq = { .url = URL, .host = HOST,
			.addr = "127.43.0.99" };
		memset(&g, 0, sizeof(g));
		ck_assert_uint_ne(snd_http_start(F.h, &rq, on_resp, &g), 0);
		ck_assert_int_eq(loop_run_until(F.l, got_done, &g, loop_now(F.l) + 600000), 0);
		ck_assert_msg(g.err == SND_HTTP_CONNECT, "%s", g.why);
	}
	fetch(HOST, "/drop", &g, 0);
	ck_assert_msg(g.err == SND_HTTP_CONNECT || g.err == SND_HTTP_PROTO, "%s", g.why);
	fx_fini();
}
END_TEST

START_TEST(test_post_and_cancel)
{
	static const char report[] = "{\"not\": \"checked here\"}";
	struct snd_http_req rq = { .method = "POST", .url = "https://" HOST "/report",
		.host = HOST, .addr = ADDR, .body = report,
		.body_len = sizeof(report) - 1, .content_type = HTTPS_TLSRPT_JSON };
	struct got g;
	uint64_t id;

	fx_init();
	memset(&g, 0, sizeof(g));
	ck_assert_uint_ne(snd_http_start(F.h, &rq, on_resp, &g), 0);
	ck_assert_int_eq(loop_run_until(F.l, got_done, &g, loop_now(F.l) + 600000), 0);
	ck_assert_msg(g.err == SND_HTTP_OK, "%s", g.why);
	ck_assert_int_eq(g.status, 201);
	ck_assert_uint_eq(https_srv_nreports(F.srv), 1);
	ck_assert_str_eq(https_srv_report(F.srv, 0)->json, report);
	ck_assert_str_eq(https_srv_report(F.srv, 0)->content_type, HTTPS_TLSRPT_JSON);
	/* a cancelled request never calls back */
	memset(&g, 0, sizeof(g));
	id = snd_http_start(F.h, &rq, on_resp, &g);
	ck_assert_uint_ne(id, 0);
	snd_http_cancel(F.h, id);
	ck_assert_uint_eq(snd_http_pending(F.h), 0);
	for (int i = 0; i < 50 && loop_run_once(F.l) == 0; i++)
		;
	ck_assert(!g.done);
	/* bad requests */
	rq.addr = NULL;
	ck_assert_uint_eq(snd_http_start(F.h, &rq, on_resp, &g), 0);
	fx_fini();
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("snd_http");
	TCase *tc = tcase_create("fetch");

	tcase_set_timeout(tc, 60);
	tcase_add_checked_fixture(tc, NULL, teardown);
	tcase_add_test(tc, test_fetch_ok);
	tcase_add_test(tc, test_content_type_redirect_404);
	tcase_add_test(tc, test_oversize);
	tcase_add_test(tc, test_stall_and_trickle);
	tcase_add_test(tc, test_bad_certs);
	tcase_add_test(tc, test_untrusted_and_refused);
	tcase_add_test(tc, test_post_and_cancel);
	suite_add_tcase(s, tc);
	return s;
}

TEST_MAIN(suite)
