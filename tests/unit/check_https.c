/*
 * Tests for fake-https/https_srv.c and https_route.c: the policy host and
 * the TLSRPT receiver driven by an in-process client (conn_connect, TLS
 * with the world's CA) in a private network namespace, on the virtual
 * clock (LOOP_SKIP: a 100-second trickle costs no real time).  Each test
 * ends by checking that the loop has no fds and no timers left.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <zlib.h>

#include "core/conn.h"
#include "core/loop.h"
#include "core/pki.h"
#include "core/util.h"
#include "fake-https/https.h"
#include "fake-https/sts.h"
#include "testutil.h"

#define ADDR "127.43.0.1"
#define HOST "mta-sts.example.test"
#define POLICY "version: STSv1\r\nmode: enforce\r\nmx: mx1.example.test\r\nmax_age: 604800\r\n"
#define WAIT 400000     /* virtual ms a step may take */

/* ---- the world: loop, PKI, server, what the log callback saw ---- */

struct logged {
	int status;
	char method[16], sni[64], label[32], error[128], host[64];
	size_t body_sent, req_body;
	bool tls;
};

struct fx {
	struct loop *l;
	struct pki *pki;
	struct pki_cert *valid, *expired, *other;
	SSL_CTX *cctx;
	struct https_srv *srv;
	struct logged log[32];
	size_t nlog;
	unsigned nreports_cb;
};

static struct fx *live;

static void
on_log(const struct https_log *ev, void *arg)
{
	struct fx *f = arg;
	struct logged *g;

	ck_assert_uint_lt(f->nlog, ARRAY_LEN(f->log));
	g = &f->log[f->nlog++];
	memset(g, 0, sizeof(*g));
	g->status = ev->status;
	g->tls = ev->tls;
	g->body_sent = ev->body_sent;
	g->req_body = ev->req_body_len;
	snprintf(g->method, sizeof(g->method), "%s", ev->method ? ev->method : "");
	snprintf(g->sni, sizeof(g->sni), "%s", ev->sni ? ev->sni : "");
	snprintf(g->label, sizeof(g->label), "%s", ev->cert_label ? ev->cert_label : "");
	snprintf(g->error, sizeof(g->error), "%s", ev->error ? ev->error : "");
	snprintf(g->host, sizeof(g->host), "%s", ev->host ? ev->host : "");
}

static void
on_report(const struct https_report *r, void *arg)
{
	struct fx *f = arg;

	f->nreports_cb++;
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
fx_init(struct fx *f, struct https_srv_config *cfg)
{
	char err[256];
	time_t now = 1780272000;   /* 2026-06-01 */

	tu_netns();
	memset(f, 0, sizeof(*f));
	f->l = loop_new(LOOP_SKIP, now);
	f->pki = pki_new(1, now);
	f->valid = issue(f->pki, "valid", HOST);
	f->expired = issue(f->pki, "expired", HOST);
	f->other = issue(f->pki, "valid", "tlsrpt.example.test");
	f->cctx = pki_client_ctx(f->pki);
	SSL_CTX_set_verify(f->cctx, SSL_VERIFY_NONE, NULL);
	cfg->addr = ADDR;
	cfg->port_https = 443;
	cfg->port_http = 80;
	if (cfg->cert == NULL && cfg->ncerts == 0)
		cfg->cert = f->valid;
	cfg->log = on_log;
	cfg->log_arg = f;
	cfg->report = on_report;
	cfg->report_arg = f;
	live = f;
	f->srv = https_srv_new(f->l, cfg, err, sizeof(err));
	ck_assert_msg(f->srv != NULL, "https_srv_new: %s", err);
}

static void
fx_free(struct fx *f)
{
	live = NULL;
	https_srv_free(f->srv);
	SSL_CTX_free(f->cctx);
	pki_cert_free(f->valid);
	pki_cert_free(f->expired);
	pki_cert_free(f->other);
	pki_free(f->pki);
	loop_free(f->l);
}

static void
fx_fini(struct fx *f)
{
	https_srv_free(f->srv);
	f->srv = NULL;
	while (loop_ntimers(f->l) > 0 || loop_nfds(f->l) > 0)
		if (loop_run_once(f->l) < 0)
			break;
	ck_assert_uint_eq(loop_nfds(f->l), 0);
	ck_assert_uint_eq(loop_ntimers(f->l), 0);
	fx_free(f);
}

static void
teardown(void)
{
	if (live != NULL)
		fx_free(live);
}

/* ---- the client ---- */

struct client {
	struct fx *f;
	struct conn *c;
	const char *sni;
	bool tls;
	struct buf req;          /* written once connected (after TLS) */
	uint64_t trickle_ms;     /* > 0: write req one byte at a time */
	size_t trickled;
	uint64_t timer;
	struct buf got;
	unsigned ndata;
	bool done, eof, err, tls_failed;
	uint64_t t_done;
	X509 *peer;
};

static void
client_end(struct client *k, bool err)
{
	k->done = true;
	k->err = k->err || err;
	k->t_done = loop_now(k->f->l);
	loop_timer_cancel(k->f->l, k->timer);
	k->timer = 0;
	conn_close(k->c);
	k->c = NULL;
}

static void
drip(void *arg)
{
	struct client *k = arg;

	k->timer = 0;
	if (k->c == NULL || k->trickled >= k->req.len)
		return;
	conn_write(k->c, k->req.data + k->trickled++, 1);
	k->timer = loop_timer_add(k->f->l, k->trickle_ms, drip, k);
}

static void
client_send(struct client *k)
{
	if (k->trickle_ms > 0) {
		drip(k);
		return;
	}
	conn_write(k->c, k->req.data, k->req.len);
}

static void
client_cb(struct conn *c, enum conn_ev ev, void *arg)
{
	struct client *k = arg;
	const uint8_t *p;
	size_t n;

	switch (ev) {
	case CONN_CONNECTED:
		if (k->tls)
			ck_assert_int_eq(conn_starttls(c, k->f->cctx, false, k->sni), 0);
		else
			client_send(k);
		break;
	case CONN_TLS_OK:
		k->peer = SSL_get_peer_certificate(conn_ssl(c));
		client_send(k);
		break;
	case CONN_TLS_FAILED:
		k->tls_failed = true;
		client_end(k, true);
		break;
	case CONN_DATA:
		p = conn_peek(c, &n);
		buf_append(&k->got, p, n);
		buf_cstr(&k->got);   /* nth_response() uses string functions */
		conn_consume(c, n);
		k->ndata++;
		break;
	case CONN_EOF:
		k->eof = true;
		client_end(k, false);
		break;
	case CONN_ERROR:
	case CONN_TIMEOUT:
		client_end(k, true);
		break;
	case CONN_DRAINED:
		break;
	}
}

static bool
client_done(void *arg)
{
	return ((struct client *)arg)->done;
}

/* Connect, send req, read until the server closes. */
static void
client_run(struct fx *f, struct client *k, bool tls, const char *sni, const char *req,
    size_t reqlen)
{
	memset(&k->got, 0, sizeof(k->got));
	k->f = f;
	k->tls = tls;
	k->sni = sni;
	buf_append(&k->req, req, reqlen);
	k->c = conn_connect(f->l, "127.1.0.1", ADDR, tls ? 443 : 80, client_cb, k);
	ck_assert_ptr_nonnull(k->c);
	ck_assert_int_eq(loop_run_until(f->l, client_done, k, loop_now(f->l) + WAIT), 0);
}

static void
client_free(struct client *k)
{
	buf_free(&k->req);
	buf_free(&k->got);
	X509_free(k->peer);
}

/* The i-th response in what the client got: status, header, body. */
struct resp {
	int status;
	const char *head;
	size_t headlen;
	const char *body;
	size_t bodylen;
};

static bool
nth_response(const struct client *k, unsigned idx, struct resp *r)
{
	const char *p = (const char *)k->got.data, *end = p + k->got.len;

	for (unsigned i = 0; i <= idx; i++) {
		const char *he;
		if (p == NULL || p >= end || sscanf(p, "HTTP/1.1 %d", &r->status) != 1)
			return false;
		he = memmem(p, (size_t)(end - p), "\r\n\r\n", 4);
		size_t eol = 4;
		if (he == NULL) {
			he = memmem(p, (size_t)(end - p), "\n\n", 2);
			eol = 2;
		}
		if (he == NULL)
			return false;
		r->head = p;
		r->headlen = (size_t)(he - p) + eol;
		r->body = he + eol;
		const char *cl = strcasestr(p, "Content-Length:");
		r->bodylen = 0;
		if (cl != NULL && cl < he)
			r->bodylen = strtoul(cl + 15, NULL, 10);
		if (r->status == 100)
			r->bodylen = 0;
		if ((size_t)(end - r->body) < r->bodylen)
			r->bodylen = (size_t)(end - r->body);
		p = r->body + r->bodylen;
	}
	return true;
}

static bool
head_has(const struct resp *r, const char *line)
{
	char *h = xstrndup(r->head, r->headlen);
	bool yes = strstr(h, line) != NULL;

	free(h);
	return yes;
}

#define GET(path) "GET " path " HTTP/1.1\r\nHost: " HOST "\r\nConnection: close\r\n\r\n"

static struct https_route
policy_route(void)
{
	struct https_route r = { .host = HOST, .path = STS_POLICY_PATH, .kind = HTTPS_GET };

	r.resp.body = POLICY;
	r.resp.body_len = strlen(POLICY);
	return r;
}

/* ---- tests ---- */

START_TEST(policy_fetch)
{
	struct fx f;
	struct https_route routes[] = { policy_route() };
	struct https_srv_config cfg = { .routes = routes, .nroutes = 1 };
	struct client k = { 0 };
	struct resp r;

	fx_init(&f, &cfg);
	client_run(&f, &k, true, HOST, GET(STS_POLICY_PATH), strlen(GET(STS_POLICY_PATH)));
	ck_assert(k.eof);
	ck_assert(nth_response(&k, 0, &r));
	ck_assert_int_eq(r.status, 200);
	ck_assert(head_has(&r, "Content-Type: text/plain\r\n"));
	ck_assert(head_has(&r, "Connection: close\r\n"));
	ck_assert(head_has(&r, "Date: Mon, 01 Jun 2026 00:00:00 GMT\r\n"));
	ck_assert_uint_eq(r.bodylen, strlen(POLICY));
	ck_assert(memcmp(r.body, POLICY, r.bodylen) == 0);
	/* the body is what the parser accepts */
	struct sts_policy *pol;
	char err[128];
	ck_assert_int_eq(sts_policy_parse(r.body, r.bodylen, &pol, err, sizeof(err)), 0);
	sts_policy_free(pol);
	/* the server presented the policy host's certificate */
	ck_assert_int_eq(X509_cmp(k.peer, pki_cert_x509(f.valid)), 0);
	ck_assert_uint_eq(f.nlog, 1);
	ck_assert_int_eq(f.log[0].status, 200);
	ck_assert_str_eq(f.log[0].method, "GET");
	ck_assert_str_eq(f.log[0].sni, HOST);
	ck_assert_str_eq(f.log[0].host, HOST);
	ck_assert_str_eq(f.log[0].label, "valid");
	ck_assert(f.log[0].tls);
	ck_assert_uint_eq(f.log[0].body_sent, strlen(POLICY));
	ck_assert_uint_eq(https_srv_requests(f.srv), 1);
	client_free(&k);
	fx_fini(&f);
}
END_TEST

/* Faults are data: each variant is a different resp. */
START_TEST(variants)
{
	struct fx f;
	const char *extra[] = { "Cache-Control: max-age=31536000", "ETag: \"x\"", NULL };
	struct https_route routes[] = {
		{ HOST, "/ct", HTTPS_GET, { .content_type = "text/html", .body = POLICY,
		    .body_len = strlen(POLICY) } },
		{ HOST, "/noct", HTTPS_GET, { .content_type = "", .body = "x", .body_len = 1 } },
		{ HOST, "/redirect", HTTPS_GET, { .status = 301, .location =
		    "https://" HOST "/policy.txt" } },
		{ HOST, "/500", HTTPS_GET, { .status = 500, .reason = "Oops" } },
		{ HOST, "/204", HTTPS_GET, { .status = 204, .body = "ignored", .body_len = 7 } },
		{ HOST, "/big", HTTPS_GET, { .body = POLICY, .body_len = strlen(POLICY),
		    .oversize = 1 << 20 } },
		{ HOST, "/lf", HTTPS_GET, { .lf = true, .body = "a\nb\n", .body_len = 4,
		    .headers = extra } },
		{ NULL, "/anyhost", HTTPS_GET, { .body = "any", .body_len = 3 } },
	};
	struct https_srv_config cfg = { .routes = routes, .nroutes = ARRAY_LEN(routes) };
	struct resp r;

	fx_init(&f, &cfg);
	struct {
		const char *req;
		int status;
		const char *line;
		size_t bodylen;
	} cases[] = {
		{ GET("/ct"), 200, "Content-Type: text/html\r\n", strlen(POLICY) },
		{ GET("/noct"), 200, "Content-Length: 1\r\n", 1 },
		{ GET("/redirect"), 301, "Location: https://" HOST "/policy.txt\r\n", 0 },
		{ GET("/500"), 500, "HTTP/1.1 500 Oops\r\n", 0 },
		{ GET("/204"), 204, "HTTP/1.1 204 No Content\r\n", 0 },
		{ GET("/big"), 200, "Content-Length: 1048576\r\n", 1 << 20 },
		{ GET("/lf"), 200, "\nCache-Control: max-age=31536000\nETag: \"x\"\n", 4 },
		{ GET("/nothing"), 404, "HTTP/1.1 404 Not Found\r\n", 0 },
		{ "GET /anyhost HTTP/1.1\r\nHost: other.test\r\nConnection: close\r\n\r\n", 200,
		  "Content-Length: 3\r\n", 3 },
		{ "GET /ct HTTP/1.1\r\nHost: other.test\r\nConnection: close\r\n\r\n", 404, "", 0 },
		{ "POST /ct HTTP/1.1\r\nHost: " HOST "\r\nContent-Length: 0\r\n\r\n", 405,
		  "Allow: GET, HEAD\r\n", 0 },
		{ "HEAD /ct HTTP/1.1\r\nHost: " HOST "\r\nConnection: close\r\n\r\n", 200,
		  "Content-Length: 70\r\n", 0 },
	};
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		struct client k = { 0 };
		client_run(&f, &k, true, HOST, cases[i].req, strlen(cases[i].req));
		ck_assert_msg(nth_response(&k, 0, &r), "case %zu: no response", i);
		ck_assert_msg(r.status == cases[i].status, "case %zu: %d", i, r.status);
		ck_assert_msg(head_has(&r, cases[i].line), "case %zu: head lacks %s:\n%.*s", i,
		    cases[i].line, (int)r.headlen, r.head);
		if (cases[i].status < 400)
			ck_assert_msg(r.bodylen == cases[i].bodylen, "case %zu: body %zu", i, r.bodylen);
		ck_assert_msg(r.body + r.bodylen == (const char *)k.got.data + k.got.len,
		    "case %zu: trailing bytes", i);
		client_free(&k);
	}
	/* the oversized body is the policy, then extension lines */
	struct client k = { 0 };
	client_run(&f, &k, true, HOST, GET("/big"), strlen(GET("/big")));
	ck_assert(nth_response(&k, 0, &r));
	ck_assert(memcmp(r.body, POLICY, strlen(POLICY)) == 0);
	ck_assert(memmem(r.body, r.bodylen, "\r\nx-padding: xxx", 16) != NULL);
	client_free(&k);
	ck_assert_uint_eq(f.nlog, ARRAY_LEN(cases) + 1);
	fx_fini(&f);
}
END_TEST

START_TEST(trickle_and_stall)
{
	struct fx f;
	struct https_route routes[] = {
		{ HOST, "/slow", HTTPS_GET, { .body = POLICY, .body_len = strlen(POLICY),
		    .trickle_ms = 1000 } },
		{ HOST, "/stall", HTTPS_GET, { .body = POLICY, .body_len = strlen(POLICY),
		    .stall = true } },
	};
	struct https_srv_config cfg = { .routes = routes, .nroutes = 2, .stall_ms = 300000 };
	struct client k = { 0 };
	struct resp r;

	fx_init(&f, &cfg);
	uint64_t t0 = loop_now(f.l);
	client_run(&f, &k, false, NULL, GET("/slow"), strlen(GET("/slow")));
	/* 70 bytes, one a second: 70 s of virtual time, byte by byte */
	ck_assert_uint_ge(k.t_done - t0, 70000);
	ck_assert_uint_lt(k.t_done - t0, 75000);
	ck_assert_uint_ge(k.ndata, 70);
	ck_assert(nth_response(&k, 0, &r));
	ck_assert_uint_eq(r.bodylen, strlen(POLICY));
	ck_assert_int_eq(f.log[0].status, 200);
	ck_assert_uint_eq(f.log[0].body_sent, strlen(POLICY));
	client_free(&k);

	/* a stalled answer: the head, then nothing until the server gives up */
	memset(&k, 0, sizeof(k));
	t0 = loop_now(f.l);
	client_run(&f, &k, false, NULL, GET("/stall"), strlen(GET("/stall")));
	ck_assert_uint_ge(k.t_done - t0, 300000);
	ck_assert(nth_response(&k, 0, &r));
	ck_assert(head_has(&r, "Content-Length: 70\r\n"));
	ck_assert_uint_eq(r.bodylen, 0);
	ck_assert_str_eq(f.log[1].error, "stalled answer ended by the server");
	ck_assert_uint_eq(f.log[1].body_sent, 0);
	client_free(&k);
	fx_fini(&f);
}
END_TEST

static bool
got_some(void *arg)
{
	struct client *k = arg;
	return k->got.len > 0;
}

/* The client gives up on a trickle: logged with what was sent. */
START_TEST(client_gives_up)
{
	struct fx f;
	struct https_route routes[] = {
		{ HOST, "/slow", HTTPS_GET, { .body = POLICY, .body_len = strlen(POLICY),
		    .trickle_ms = 5000 } },
	};
	struct https_srv_config cfg = { .routes = routes, .nroutes = 1 };
	struct client k = { 0 };

	fx_init(&f, &cfg);
	k.f = &f;
	buf_append(&k.req, GET("/slow"), strlen(GET("/slow")));
	k.c = conn_connect(f.l, NULL, ADDR, 80, client_cb, &k);
	ck_assert_int_eq(loop_run_until(f.l, got_some, &k, loop_now(f.l) + WAIT), 0);
	/* 60 s like a sender's fetch timeout, then close */
	loop_run_until(f.l, client_done, &k, loop_now(f.l) + 60000);
	ck_assert(!k.done);
	client_end(&k, false);
	while (f.nlog == 0 && loop_run_once(f.l) == 0)
		;
	ck_assert_uint_eq(f.nlog, 1);
	ck_assert_str_eq(f.log[0].error, "client closed during the answer");
	ck_assert_uint_ge(f.log[0].body_sent, 11);
	ck_assert_uint_le(f.log[0].body_sent, 13);
	client_free(&k);
	fx_fini(&f);
}
END_TEST

/* Slowloris: a byte a second keeps the idle timer alive, not the request. */
START_TEST(slowloris)
{
	struct fx f;
	struct https_route routes[] = { policy_route() };
	struct https_srv_config cfg = { .routes = routes, .nroutes = 1, .timeout_ms = 30000 };
	struct client k = { .trickle_ms = 1000 };
	struct resp r;

	fx_init(&f, &cfg);
	uint64_t t0 = loop_now(f.l);
	client_run(&f, &k, true, HOST, GET(STS_POLICY_PATH), strlen(GET(STS_POLICY_PATH)));
	ck_assert(nth_response(&k, 0, &r));
	ck_assert_int_eq(r.status, 408);
	ck_assert_uint_ge(k.t_done - t0, 30000);
	ck_assert_uint_lt(k.t_done - t0, 32000);
	ck_assert_uint_lt(k.trickled, 40);
	ck_assert_int_eq(f.log[0].status, 408);
	client_free(&k);

	/* silence: closed at the idle timeout, logged as no request */
	memset(&k, 0, sizeof(k));
	t0 = loop_now(f.l);
	client_run(&f, &k, true, HOST, "", 0);
	ck_assert_uint_ge(k.t_done - t0, 30000);
	ck_assert_uint_eq(k.got.len, 0);
	ck_assert_str_eq(f.log[1].error, "timeout: no request");
	client_free(&k);
	fx_fini(&f);
}
END_TEST

START_TEST(hostile_requests)
{
	struct fx f;
	struct https_route routes[] = { policy_route() };
	struct https_srv_config cfg = { .routes = routes, .nroutes = 1 };
	struct resp r;
	size_t big = 1 << 20;
	char *s = xmalloc(big + 64);
	int n = snprintf(s, 64, "GET / HTTP/1.1\r\nHost: a\r\nX-Big: ");

	fx_init(&f, &cfg);
	memset(s + n, 'a', big);
	memcpy(s + n + big, "\r\n\r\n", 4);
	struct {
		const char *req;
		size_t len;
		int status;
	} cases[] = {
		{ s, (size_t)n + big + 4, 431 },
		{ "GET / HTTP/1.1\r\nHost: a\r\nX: \0\r\n\r\n", 32, 400 },
		{ "GET " STS_POLICY_PATH " HTTP/1.1\r\nHost: " HOST "\r\nTransfer-Encoding: "
		  "chunked\r\n\r\nzz\r\n", 101, 400 },
		{ "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello", 52, 404 },
		{ "GET / HTTP/3.0\r\nHost: a\r\n\r\n", 27, 505 },
		{ "\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", 11, 400 },  /* TLS on :80 */
	};
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		struct client k = { 0 };
		client_run(&f, &k, false, NULL, cases[i].req, cases[i].len);
		ck_assert_msg(nth_response(&k, 0, &r), "case %zu: no response (%zu bytes)", i,
		    k.got.len);
		ck_assert_msg(r.status == cases[i].status, "case %zu: %d", i, r.status);
		ck_assert(head_has(&r, "Connection: close\r\n"));
		ck_assert_int_eq(f.log[i].status, cases[i].status);
		client_free(&k);
	}
	free(s);
	fx_fini(&f);
}
END_TEST

START_TEST(keep_alive_pipelined)
{
	struct fx f;
	struct https_route routes[] = { policy_route() };
	struct https_srv_config cfg = { .routes = routes, .nroutes = 1, .keep_alive = true };
	struct client k = { 0 };
	struct resp r;
	const char *two = "GET " STS_POLICY_PATH " HTTP/1.1\r\nHost: " HOST "\r\n\r\n"
	    "GET /x HTTP/1.1\r\nHost: " HOST "\r\n\r\n"
	    "GET " STS_POLICY_PATH " HTTP/1.1\r\nHost: " HOST "\r\nConnection: close\r\n\r\n";

	fx_init(&f, &cfg);
	client_run(&f, &k, true, HOST, two, strlen(two));
	ck_assert(nth_response(&k, 0, &r));
	ck_assert_int_eq(r.status, 200);
	ck_assert(!head_has(&r, "Connection: close"));
	ck_assert(nth_response(&k, 1, &r));
	ck_assert_int_eq(r.status, 404);
	ck_assert(nth_response(&k, 2, &r));
	ck_assert_int_eq(r.status, 200);
	ck_assert(head_has(&r, "Connection: close\r\n"));
	ck_assert_uint_eq(f.nlog, 3);
	ck_assert_uint_eq(https_srv_requests(f.srv), 3);
	client_free(&k);
	fx_fini(&f);
}
END_TEST

/* Certificates by SNI: the policy host gets its variant, others the default. */
START_TEST(sni_selection)
{
	struct fx f;
	struct https_route routes[] = { policy_route() };
	struct https_srv_config cfg = { .routes = routes, .nroutes = 1 };
	struct https_cert certs[2];
	struct client k = { 0 };

	tu_netns();
	/* the certificates come from the fixture: set them after fx_init's
	 * PKI exists by building the server twice */
	fx_init(&f, &cfg);
	https_srv_free(f.srv);
	certs[0] = (struct https_cert){ HOST, f.expired };
	certs[1] = (struct https_cert){ "tlsrpt.example.test", f.other };
	cfg.cert = f.valid;
	cfg.certs = certs;
	cfg.ncerts = 2;
	char err[256];
	f.srv = https_srv_new(f.l, &cfg, err, sizeof(err));
	ck_assert_msg(f.srv != NULL, "%s", err);

	const struct {
		const char *sni;
		const struct pki_cert *want;
		const char *label;
	} cases[] = {
		{ HOST, f.expired, "expired" },
		{ "MTA-STS.EXAMPLE.TEST", f.expired, "expired" },
		{ "tlsrpt.example.test", f.other, "valid" },
		{ "unknown.example.test", f.valid, "valid" },
		{ NULL, f.valid, "valid" },
	};
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		memset(&k, 0, sizeof(k));
		client_run(&f, &k, true, cases[i].sni, GET(STS_POLICY_PATH),
		    strlen(GET(STS_POLICY_PATH)));
		ck_assert_ptr_nonnull(k.peer);
		ck_assert_msg(X509_cmp(k.peer, pki_cert_x509(cases[i].want)) == 0,
		    "case %zu: wrong certificate", i);
		ck_assert_str_eq(f.log[i].label, cases[i].label);
		ck_assert_str_eq(f.log[i].sni, cases[i].sni ? cases[i].sni : "");
		client_free(&k);
	}

	/* a client that verifies rejects the expired one: logged as a
	 * failed handshake */
	SSL_CTX_set_verify(f.cctx, SSL_VERIFY_PEER, NULL);
	memset(&k, 0, sizeof(k));
	client_run(&f, &k, true, HOST, GET(STS_POLICY_PATH), strlen(GET(STS_POLICY_PATH)));
	ck_assert(k.tls_failed);
	while (f.nlog < ARRAY_LEN(cases) + 1 && loop_run_once(f.l) == 0)
		;
	ck_assert_str_eq(f.log[ARRAY_LEN(cases)].error, "TLS handshake failed");
	ck_assert_int_eq(f.log[ARRAY_LEN(cases)].status, 0);
	client_free(&k);
	fx_fini(&f);
}
END_TEST

static size_t
gz(const char *in, uint8_t *out, size_t cap)
{
	z_stream zs;

	memset(&zs, 0, sizeof(zs));
	ck_assert_int_eq(deflateInit2(&zs, 6, Z_DEFLATED, 16 + MAX_WBITS, 8,
	    Z_DEFAULT_STRATEGY), Z_OK);
	zs.next_in = (Bytef *)(uintptr_t)in;
	zs.avail_in = (uInt)strlen(in);
	zs.next_out = out;
	zs.avail_out = (uInt)cap;
	ck_assert_int_eq(deflate(&zs, Z_FINISH), Z_STREAM_END);
	deflateEnd(&zs);
	return cap - zs.avail_out;
}

#define REPORT "{\"organization-name\":\"s\",\"date-range\":{\"start-datetime\":" \
	"\"2026-06-01T00:00:00Z\",\"end-datetime\":\"2026-06-01T23:59:59Z\"}," \
	"\"contact-info\":\"a@s.test\",\"report-id\":\"1\",\"policies\":[{\"policy\":{" \
	"\"policy-type\":\"no-policy-found\",\"policy-domain\":\"example.test\"},\"summary\":" \
	"{\"total-successful-session-count\":1,\"total-failure-session-count\":0}}]}"

START_TEST(tlsrpt_receiver)
{
	struct fx f;
	struct https_route routes[] = {
		{ "tlsrpt.example.test", "/v1", HTTPS_TLSRPT, { 0 } },
	};
	struct https_srv_config cfg = { .routes = routes, .nroutes = 1 };
	uint8_t zbuf[4096];
	size_t zn = gz(REPORT, zbuf, sizeof(zbuf));
	struct buf req = { 0 };
	struct resp r;

	fx_init(&f, &cfg);
#define POST_HEAD(ct, extra) "POST /v1 HTTP/1.1\r\nHost: tlsrpt.example.test\r\n" \
	"Content-Type: " ct "\r\nConnection: close\r\n" extra
	struct {
		const char *head;
		const void *body;
		size_t len;
		int status;
	} cases[] = {
		{ POST_HEAD(HTTPS_TLSRPT_JSON, ""), REPORT, strlen(REPORT), 201 },
		{ POST_HEAD("Application/TLSRPT+gzip; x=y", ""), zbuf, zn, 201 },
		{ POST_HEAD(HTTPS_TLSRPT_JSON, "Expect: 100-continue\r\n"), "{}", 2, 201 },
		{ POST_HEAD("application/json", ""), REPORT, strlen(REPORT), 415 },
		{ POST_HEAD(HTTPS_TLSRPT_GZIP, ""), REPORT, strlen(REPORT), 400 },
	};
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		struct client k = { 0 };
		buf_reset(&req);
		buf_appendf(&req, "%sContent-Length: %zu\r\n\r\n", cases[i].head, cases[i].len);
		buf_append(&req, cases[i].body, cases[i].len);
		client_run(&f, &k, true, "tlsrpt.example.test", (const char *)req.data, req.len);
		unsigned idx = 0;
		if (i == 2) {
			ck_assert(nth_response(&k, 0, &r));
			ck_assert_int_eq(r.status, 100);
			idx = 1;
		}
		ck_assert_msg(nth_response(&k, idx, &r), "case %zu", i);
		ck_assert_msg(r.status == cases[i].status, "case %zu: %d", i, r.status);
		client_free(&k);
	}
	/* chunked, and a GET: 405 */
	struct client k = { 0 };
	buf_reset(&req);
	buf_appendf(&req, POST_HEAD(HTTPS_TLSRPT_JSON, "Transfer-Encoding: chunked\r\n") "\r\n"
	    "10\r\n%.16s\r\n%zx\r\n%s\r\n0\r\n\r\n", REPORT, strlen(REPORT) - 16, REPORT + 16);
	client_run(&f, &k, true, "tlsrpt.example.test", (const char *)req.data, req.len);
	ck_assert(nth_response(&k, 0, &r));
	ck_assert_int_eq(r.status, 201);
	client_free(&k);
	memset(&k, 0, sizeof(k));
	const char *get = "GET /v1 HTTP/1.1\r\nHost: tlsrpt.example.test\r\n\r\n";
	client_run(&f, &k, true, NULL, get, strlen(get));
	ck_assert(nth_response(&k, 0, &r));
	ck_assert_int_eq(r.status, 405);
	ck_assert(head_has(&r, "Allow: POST\r\n"));
	client_free(&k);
	buf_free(&req);

	ck_assert_uint_eq(https_srv_nreports(f.srv), 4);
	ck_assert_uint_eq(f.nreports_cb, 4);
	const struct https_report *rep = https_srv_report(f.srv, 0);
	ck_assert_str_eq(rep->json, REPORT);
	ck_assert(!rep->gzip);
	ck_assert_ptr_null(rep->parse_error);
	ck_assert_str_eq(rep->host, "tlsrpt.example.test");
	rep = https_srv_report(f.srv, 1);
	ck_assert(rep->gzip);
	ck_assert_str_eq(rep->json, REPORT);
	ck_assert_ptr_null(rep->parse_error);
	rep = https_srv_report(f.srv, 2);
	ck_assert_ptr_nonnull(rep->parse_error);          /* "{}" is no report */
	ck_assert_str_eq(https_srv_report(f.srv, 3)->json, REPORT);
	ck_assert_ptr_null(https_srv_report(f.srv, 4));
	fx_fini(&f);
}
END_TEST

START_TEST(drop_and_plain_http)
{
	struct fx f;
	static const char crl[] = { 0x30, 0x00, 0x01, 0x02 };
	struct https_route routes[] = {
		{ HOST, "/drop", HTTPS_GET, { .drop = true } },
		{ NULL, "/root.crl", HTTPS_GET, { .content_type = "application/pkix-crl",
		    .body = crl, .body_len = sizeof(crl) } },
	};
	struct https_srv_config cfg = { .routes = routes, .nroutes = 2 };
	struct client k = { 0 };
	struct resp r;

	fx_init(&f, &cfg);
	client_run(&f, &k, true, HOST, GET("/drop"), strlen(GET("/drop")));
	ck_assert_uint_eq(k.got.len, 0);
	ck_assert(k.err);
	ck_assert_int_eq(f.log[0].status, 0);
	ck_assert_ptr_nonnull(strstr(f.log[0].error, "reset"));
	client_free(&k);
	memset(&k, 0, sizeof(k));
	client_run(&f, &k, false, NULL, "GET /root.crl HTTP/1.0\r\n\r\n", 26);
	ck_assert(nth_response(&k, 0, &r));
	ck_assert_int_eq(r.status, 200);
	ck_assert(head_has(&r, "Content-Type: application/pkix-crl\r\n"));
	ck_assert_uint_eq(r.bodylen, 4);
	ck_assert(memcmp(r.body, crl, 4) == 0);
	ck_assert(!f.log[1].tls);
	client_free(&k);
	fx_fini(&f);
}
END_TEST

START_TEST(config_errors)
{
	struct loop *l;
	char err[256];
	struct https_route bad[] = { { NULL, "nopath", HTTPS_GET, { 0 } } };
	struct https_srv_config cfg = { .addr = ADDR, .port_https = 443 };

	tu_netns();
	l = loop_new(LOOP_SKIP, 0);
	ck_assert_ptr_null(https_srv_new(l, &cfg, err, sizeof(err)));
	ck_assert_ptr_nonnull(strstr(err, "needs a certificate"));
	cfg.port_https = 0;
	cfg.port_http = 80;
	cfg.routes = bad;
	cfg.nroutes = 1;
	ck_assert_ptr_null(https_srv_new(l, &cfg, err, sizeof(err)));
	ck_assert_ptr_nonnull(strstr(err, "must begin with /"));
	cfg.nroutes = 0;
	cfg.addr = "10.0.0.300";
	ck_assert_ptr_null(https_srv_new(l, &cfg, err, sizeof(err)));
	ck_assert_uint_eq(loop_nfds(l), 0);
	https_srv_free(NULL);
	loop_free(l);
}
END_TEST

static Suite *
https_suite(void)
{
	Suite *s = suite_create("https");
	TCase *tc = tcase_create("server");

	tcase_set_timeout(tc, 60);
	tcase_add_checked_fixture(tc, NULL, teardown);
	tcase_add_test(tc, policy_fetch);
	tcase_add_test(tc, variants);
	tcase_add_test(tc, trickle_and_stall);
	tcase_add_test(tc, client_gives_up);
	tcase_add_test(tc, slowloris);
	tcase_add_test(tc, hostile_requests);
	tcase_add_test(tc, keep_alive_pipelined);
	tcase_add_test(tc, sni_selection);
	tcase_add_test(tc, tlsrpt_receiver);
	tcase_add_test(tc, drop_and_plain_http);
	tcase_add_test(tc, config_errors);
	suite_add_tcase(s, tc);
	return s;
}

TEST_MAIN(https_suite)
