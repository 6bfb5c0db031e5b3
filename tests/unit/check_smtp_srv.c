/*
 * Tests for fake-mx/smtp_srv.c: the fake MX driven by a scripted client on
 * conn_connect (and once by the real openssl s_client), in a private
 * network namespace, on the virtual clock.  Each test ends by checking
 * that the loop has no fds and no timers left.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <string.h>
#include <netinet/in.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core/conn.h"
#include "core/loop.h"
#include "core/pki.h"
#include "core/record.h"
#include "fake-mx/smtp.h"
#include "tests/unit/testutil.h"

#define MX_ADDR "127.26.0.11"
#define MX_HOST "mx1.example.test"
#define WAIT_MS 30000   /* virtual: how long a step may take */

/* ---- the world: one loop, one PKI, one MX ---- */

struct world {
	struct loop *l;
	struct pki *pki;
	struct pki_cert *cert;
	SSL_CTX *sctx, *cctx;
	struct rec *rec;
	struct smtp_srv *srv;
	uint8_t *der;
	int derlen;
};

static struct world *live;   /* for the teardown after a failed test */

static void
world_init(struct world *w, enum loop_mode mode, struct smtp_srv_config *cfg)
{
	struct pki_spec spec = { .variant = "valid", .host = MX_HOST };
	char err[256];
	time_t now = time(NULL);

	tu_netns();
	memset(w, 0, sizeof(*w));
	w->l = loop_new(mode, now);
	w->pki = pki_new(1, now);
	ck_assert_ptr_nonnull(w->pki);
	ck_assert_int_eq(pki_issue(w->pki, &spec, &w->cert, err, sizeof(err)), 0);
	w->sctx = pki_server_ctx(w->cert);
	w->cctx = pki_client_ctx(w->pki);
	ck_assert_ptr_nonnull(w->sctx);
	ck_assert_ptr_nonnull(w->cctx);
	w->der = NULL;
	w->derlen = i2d_X509(pki_cert_x509(w->cert), &w->der);
	ck_assert_int_gt(w->derlen, 0);
	w->rec = rec_new(w->l);

	cfg->host = MX_HOST;
	cfg->addr = MX_ADDR;
	cfg->port_smtp = 25;
	cfg->port_submission = 587;
	cfg->port_smtps = 465;
	cfg->tls = w->sctx;
	cfg->cert_label = "valid";
	cfg->cert_der = w->der;
	cfg->cert_len = (size_t)w->derlen;
	cfg->rec = w->rec;
	live = w;
	w->srv = smtp_srv_new(w->l, cfg, err, sizeof(err));
	ck_assert_msg(w->srv != NULL, "smtp_srv_new: %s", err);
}

static void
world_free(struct world *w)
{
	live = NULL;
	smtp_srv_free(w->srv);
	rec_free(w->rec);
	SSL_CTX_free(w->sctx);
	SSL_CTX_free(w->cctx);
	OPENSSL_free(w->der);
	pki_cert_free(w->cert);
	pki_free(w->pki);
	loop_free(w->l);
}

static void
world_fini(struct world *w)
{
	smtp_srv_free(w->srv);
	w->srv = NULL;
	ck_assert_uint_eq(loop_nfds(w->l), 0);
	ck_assert_uint_eq(loop_ntimers(w->l), 0);
	world_free(w);
}

/* After a failed test: free what is left so the next test can bind (the
 * client's conns leak; they hold no listening port). */
static void
teardown(void)
{
	if (live != NULL)
		world_free(live);
}

static struct smtp_srv_config
config(void)
{
	struct smtp_srv_config cfg;

	memset(&cfg, 0, sizeof(cfg));
	return cfg;
}

/* Whether the session's transcript has a line with dir and text prefix. */
static bool
has_line(const struct rec_session *s, char dir, const char *prefix)
{
	for (size_t i = 0; i < s->nlines; i++)
		if (s->lines[i].dir == dir &&
		    strncmp(s->lines[i].text, prefix, strlen(prefix)) == 0)
			return true;
	return false;
}

/* ---- the scripted client ---- */

#define TC_QUEUE 64

struct tc {
	struct world *w;
	struct conn *c;
	bool tls_ok, tls_failed, closed;
	bool junk;                     /* a line that was no reply */
	struct smtp_reply cur;
	struct smtp_reply q[TC_QUEUE];
	size_t qh, qt;
	struct smtp_reply last;        /* the reply tc_next returned */
};

static void
tc_cb(struct conn *c, enum conn_ev ev, void *arg)
{
	struct tc *t = arg;
	char *line;
	size_t len;
	int r;

	switch (ev) {
	case CONN_DATA:
		while ((r = conn_getline(c, &line, &len)) != 0) {
			if (r < 0 || smtp_reply_feed(&t->cur, line, len) < 0) {
				t->junk = true;
				continue;
			}
			if (!t->cur.done)
				continue;
			ck_assert_uint_lt(t->qt - t->qh, TC_QUEUE);
			t->q[t->qt++ % TC_QUEUE] = t->cur;
			smtp_reply_init(&t->cur);
		}
		break;
	case CONN_TLS_OK:
		t->tls_ok = true;
		break;
	case CONN_TLS_FAILED:
		t->tls_failed = true;
		/* FALLTHROUGH */
	case CONN_EOF:
	case CONN_ERROR:
		t->closed = true;
		t->c = NULL;
		conn_close(c);
		break;
	default:
		break;
	}
}

static void
tc_open(struct tc *t, struct world *w, uint16_t port)
{
	memset(t, 0, sizeof(*t));
	t->w = w;
	t->c = conn_connect(w->l, NULL, MX_ADDR, port, tc_cb, t);
	ck_assert_ptr_nonnull(t->c);
	conn_set_max_line(t->c, 1 << 20);
}

static void
tc_close(struct tc *t)
{
	if (t->c != NULL)
		conn_abort(t->c);
	t->c = NULL;
	while (t->qh < t->qt)
		smtp_reply_clear(&t->q[t->qh++ % TC_QUEUE]);
	smtp_reply_clear(&t->cur);
	smtp_reply_clear(&t->last);
}

static bool
tc_has_reply(void *arg)
{
	struct tc *t = arg;

	return t->qh < t->qt || t->closed;
}

static bool
tc_is_closed(void *arg)
{
	return ((struct tc *)arg)->closed;
}

/* The next reply, or NULL when the connection closed first. */
static struct smtp_reply *
tc_next_within(struct tc *t, uint64_t ms)
{
	struct loop *l = t->w->l;

	(void)loop_run_until(l, tc_has_reply, t, loop_now(l) + ms);
	smtp_reply_clear(&t->last);
	if (t->qh == t->qt)
		return NULL;
	t->last = t->q[t->qh++ % TC_QUEUE];
	return &t->last;
}

static struct smtp_reply *
tc_expect(struct tc *t, const char *prefix)
{
	struct smtp_reply *r = tc_next_within(t, WAIT_MS);

	ck_assert_msg(r != NULL, "expected \"%s\", got no reply (%s)", prefix,
	    t->closed ? "closed" : "timeout");
	ck_assert_msg(strncmp(r->lines[0], prefix, strlen(prefix)) == 0,
	    "expected \"%s\", got \"%s\"", prefix, r->lines[0]);
	return r;
}

static void PRINTF(2, 3)
tc_send(struct tc *t, const char *fmt, ...)
{
	va_list ap;
	char *s;
	int n;

	ck_assert_ptr_nonnull(t->c);
	va_start(ap, fmt);
	n = vasprintf(&s, fmt, ap);
	va_end(ap);
	ck_assert_int_ge(n, 0);
	conn_write(t->c, s, (size_t)n);
	conn_write(t->c, "\r\n", 2);
	free(s);
}

static void
tc_wait_closed(struct tc *t)
{
	struct loop *l = t->w->l;

	(void)loop_run_until(l, tc_is_closed, t, loop_now(l) + WAIT_MS);
	ck_assert_msg(t->closed, "the server did not close the connection");
}

static bool
tc_tls_done(void *arg)
{
	struct tc *t = arg;

	return t->tls_ok || t->closed;
}

static void
tc_starttls(struct tc *t)
{
	struct loop *l = t->w->l;

	ck_assert_int_eq(conn_starttls(t->c, t->w->cctx, false, MX_HOST), 0);
	(void)loop_run_until(l, tc_tls_done, t, loop_now(l) + WAIT_MS);
	ck_assert_msg(t->tls_ok, "TLS handshake failed");
}

static bool
srv_idle(void *arg)
{
	return smtp_srv_sessions(arg) == 0;
}

static struct rec_session *
only_session(struct world *w)
{
	ck_assert_uint_eq(rec_count(w->rec), 1);
	return rec_get(w->rec, 0);
}

/* ---- tests ---- */

START_TEST(test_plaintext_transaction)
{
	struct smtp_srv_config cfg = config();
	struct rec_session *s;
	struct smtp_reply *r;
	struct world w;
	struct tc t;

	world_init(&w, LOOP_SKIP, &cfg);
	tc_open(&t, &w, 25);
	tc_expect(&t, "220 " MX_HOST " ESMTP mxsim");
	tc_send(&t, "MAIL FROM:<a@example.org>");
	tc_expect(&t, "503 5.5.1");
	tc_send(&t, "EHLO client.example.org");
	r = tc_expect(&t, "250-" MX_HOST);
	ck_assert(smtp_reply_has_capa(r, "PIPELINING"));
	ck_assert(smtp_reply_has_capa(r, "SIZE"));
	ck_assert(smtp_reply_has_capa(r, "8BITMIME"));
	ck_assert(smtp_reply_has_capa(r, "ENHANCEDSTATUSCODES"));
	ck_assert(smtp_reply_has_capa(r, "STARTTLS"));
	ck_assert(!smtp_reply_has_capa(r, "REQUIRETLS"));
	ck_assert_str_eq(r->lines[2], "250-SIZE 10485760");
	tc_send(&t, "HELP");
	tc_expect(&t, "214 ");
	tc_send(&t, "VRFY postmaster");
	tc_expect(&t, "252 ");
	tc_send(&t, "BDAT 10 LAST");
	tc_expect(&t, "502 ");
	tc_send(&t, "XYZZY");
	tc_expect(&t, "500 5.5.2");
	tc_send(&t, "RCPT TO:<b@example.test>");
	tc_expect(&t, "503 5.5.1 Error: need MAIL");
	tc_send(&t, "MAIL FROM:a@example.org");
	tc_expect(&t, "501 ");
	tc_send(&t, "MAIL FROM:<a@example.org> SIZE=99999999");
	tc_expect(&t, "552 ");
	tc_send(&t, "MAIL FROM:<a@example.org> REQUIRETLS");
	tc_expect(&t, "555 ");
	tc_send(&t, "MAIL FROM:<a@example.org> BODY=8BITMIME SIZE=100");
	tc_expect(&t, "250 2.1.0");
	tc_send(&t, "MAIL FROM:<a@example.org>");
	tc_expect(&t, "503 5.5.1 Error: nested");
	tc_send(&t, "DATA");
	tc_expect(&t, "503 5.5.1 Error: need RCPT");
	tc_send(&t, "RCPT TO:<>");
	tc_expect(&t, "501 ");
	tc_send(&t, "RCPT TO:<b@example.test>");
	tc_expect(&t, "250 2.1.5");
	tc_send(&t, "DATA");
	tc_expect(&t, "354 ");
	/* 12 + 2 + 6 + 6 = 26 bytes after dot-unstuffing */
	tc_send(&t, "Subject: x\r\n\r\n..dot\r\nbody\r\n.");
	tc_expect(&t, "250 2.0.0 Ok: queued as 1");
	ck_assert_uint_eq(smtp_srv_messages(w.srv), 1);
	tc_send(&t, "RSET");
	tc_expect(&t, "250 ");
	tc_send(&t, "NOOP");
	tc_expect(&t, "250 ");
	ck_assert_uint_eq(smtp_srv_sessions(w.srv), 1);
	tc_send(&t, "QUIT");
	tc_expect(&t, "221 ");
	tc_wait_closed(&t);
	ck_assert(!t.junk);
	ck_assert_uint_eq(smtp_srv_sessions(w.srv), 0);

	s = only_session(&w);
	ck_assert_str_eq(s->host, MX_HOST);
	ck_assert_uint_eq(s->port, 25);
	ck_assert(s->connected && s->banner && s->starttls_offered);
	ck_assert(!s->starttls_issued);
	ck_assert_int_eq(s->tls, REC_TLS_NONE);
	ck_assert(s->mail_from && s->data_sent && !s->data_tls && s->delivered);
	ck_assert_str_eq(s->data_to, "mx");
	ck_assert_str_eq(s->end, "quit");
	ck_assert(has_line(s, '}', "[message: 26 bytes]"));
	ck_assert(has_line(s, '}', "EHLO client.example.org"));
	ck_assert(has_line(s, '{', "250 2.0.0 Ok: queued as 1"));
	ck_assert(!has_line(s, '}', "Subject"));
	ck_assert(!has_line(s, '}', ".dot"));
	tc_close(&t);
	world_fini(&w);
}
END_TEST

/* ---- message capture (on_message) ---- */

struct captured {
	unsigned n;
	char from[64], rcpts[128], data[256];
	size_t len;
	bool tls;
};

static void
capture_cb(const struct smtp_msg *m, void *arg)
{
	struct captured *c = arg;

	c->n++;
	snprintf(c->from, sizeof(c->from), "%s", m->mail_from);
	c->rcpts[0] = '\0';
	for (size_t i = 0; i < m->nrcpts; i++)
		snprintf(c->rcpts + strlen(c->rcpts), sizeof(c->rcpts) -
		    strlen(c->rcpts), "%s%s", i ? "," : "", m->rcpts[i]);
	snprintf(c->data, sizeof(c->data), "%s", m->data);
	c->len = m->len;
	c->tls = m->tls;
	ck_assert_str_eq(m->mx, MX_HOST);
}

START_TEST(test_message_capture)
{
	struct smtp_srv_config cfg = config();
	struct captured cap = { 0 };
	struct world w;
	struct tc t;

	cfg.on_message = capture_cb;
	cfg.msg_arg = &cap;
	cfg.max_size = 64;
	world_init(&w, LOOP_SKIP, &cfg);
	tc_open(&t, &w, 25);
	tc_expect(&t, "220 ");
	tc_send(&t, "EHLO client.example.org");
	tc_expect(&t, "250-");
	/* accepted: envelope, dot-unstuffed CRLF content, no final dot */
	tc_send(&t, "MAIL FROM:<a@example.org>");
	tc_expect(&t, "250 ");
	tc_send(&t, "RCPT TO:<b@example.test>");
	tc_expect(&t, "250 ");
	tc_send(&t, "RCPT TO:<c@example.test>");
	tc_expect(&t, "250 ");
	tc_send(&t, "DATA");
	tc_expect(&t, "354 ");
	tc_send(&t, "Subject: x\r\n\r\n..dot\r\nbody\r\n.");
	tc_expect(&t, "250 2.0.0");
	ck_assert_uint_eq(cap.n, 1);
	ck_assert_str_eq(cap.from, "a@example.org");
	ck_assert_str_eq(cap.rcpts, "b@example.test,c@example.test");
	ck_assert_str_eq(cap.data, "Subject: x\r\n\r\n.dot\r\nbody\r\n");
	ck_assert_uint_eq(cap.len, 26);
	ck_assert(!cap.tls);
	/* a transaction reset before DATA hands nothing over, and the next
	 * one does not inherit its recipients */
	tc_send(&t, "MAIL FROM:<>");
	tc_expect(&t, "250 ");
	tc_send(&t, "RCPT TO:<gone@example.test>");
	tc_expect(&t, "250 ");
	tc_send(&t, "RSET");
	tc_expect(&t, "250 ");
	ck_assert_uint_eq(cap.n, 1);
	/* too big for max_size: 552, nothing handed over */
	tc_send(&t, "MAIL FROM:<a@example.org>");
	tc_expect(&t, "250 ");
	tc_send(&t, "RCPT TO:<d@example.test>");
	tc_expect(&t, "250 ");
	tc_send(&t, "DATA");
	tc_expect(&t, "354 ");
	tc_send(&t, "%0100d\r\n.", 0);
	tc_expect(&t, "552 ");
	ck_assert_uint_eq(cap.n, 1);
	/* inside TLS, <> reverse-path */
	tc_send(&t, "STARTTLS");
	tc_expect(&t, "220 ");
	tc_starttls(&t);
	tc_send(&t, "EHLO client.example.org");
	tc_expect(&t, "250-");
	tc_send(&t, "MAIL FROM:<>");
	tc_expect(&t, "250 ");
	tc_send(&t, "RCPT TO:<e@example.test>");
	tc_expect(&t, "250 ");
	tc_send(&t, "DATA");
	tc_expect(&t, "354 ");
	tc_send(&t, "\r\n.");
	tc_expect(&t, "250 ");
	ck_assert_uint_eq(cap.n, 2);
	ck_assert_str_eq(cap.from, "");
	ck_assert_str_eq(cap.rcpts, "e@example.test");
	ck_assert_str_eq(cap.data, "\r\n");
	ck_assert(cap.tls);
	tc_send(&t, "QUIT");
	tc_expect(&t, "221 ");
	tc_wait_closed(&t);
	tc_close(&t);
	world_fini(&w);
}
END_TEST

START_TEST(test_starttls)
{
	struct smtp_srv_config cfg = config();
	struct rec_session *s;
	struct smtp_reply *r;
	struct world w;
	struct tc t;
	X509 *peer;

	world_init(&w, LOOP_SKIP, &cfg);
	tc_open(&t, &w, 587);
	tc_expect(&t, "220 ");
	tc_send(&t, "STARTTLS");
	tc_expect(&t, "503 5.5.1 Error: send HELO/EHLO");
	tc_send(&t, "EHLO client.example.org");
	tc_expect(&t, "250-");
	tc_send(&t, "STARTTLS now");
	tc_expect(&t, "501 ");
	tc_send(&t, "STARTTLS");
	tc_expect(&t, "220 2.0.0 Ready to start TLS");
	tc_starttls(&t);
	peer = SSL_get1_peer_certificate(conn_ssl(t.c));
	ck_assert_ptr_nonnull(peer);
	ck_assert_int_eq(X509_cmp(peer, pki_cert_x509(w.cert)), 0);
	X509_free(peer);

	/* RFC 3207 4.2: the state is forgotten, EHLO again */
	tc_send(&t, "MAIL FROM:<a@example.org>");
	tc_expect(&t, "503 5.5.1 Error: send HELO/EHLO");
	tc_send(&t, "EHLO client.example.org");
	r = tc_expect(&t, "250-");
	ck_assert(!smtp_reply_has_capa(r, "STARTTLS"));
	ck_assert(smtp_reply_has_capa(r, "REQUIRETLS"));
	tc_send(&t, "STARTTLS");
	tc_expect(&t, "503 ");
	tc_send(&t, "MAIL FROM:<a@example.org> REQUIRETLS");
	tc_expect(&t, "250 ");
	tc_send(&t, "RCPT TO:<b@example.test>");
	tc_expect(&t, "250 ");
	tc_send(&t, "DATA");
	tc_expect(&t, "354 ");
	tc_send(&t, "hello\r\n.");
	tc_expect(&t, "250 2.0.0 Ok: queued");
	tc_send(&t, "QUIT");
	tc_expect(&t, "221 ");
	tc_wait_closed(&t);

	s = only_session(&w);
	ck_assert_uint_eq(s->port, 587);
	ck_assert(s->starttls_offered && s->starttls_issued);
	ck_assert_int_eq(s->starttls_reply, 220);
	ck_assert_int_eq(s->tls, REC_TLS_OK);
	ck_assert_str_eq(s->tls_by, "mx");
	ck_assert_str_eq(s->tls_version, "TLSv1.3");
	ck_assert_str_eq(s->cert_label, "valid");
	ck_assert_uint_eq(s->cert_len, (size_t)w.derlen);
	ck_assert(memcmp(s->cert_der, w.der, s->cert_len) == 0);
	ck_assert(s->ehlo_after_tls && !s->implicit_tls);
	ck_assert(s->data_sent && s->data_tls && s->delivered);
	ck_assert_str_eq(s->end, "quit");
	tc_close(&t);
	world_fini(&w);
}
END_TEST

START_TEST(test_implicit_tls)
{
	struct smtp_srv_config cfg = config();
	struct rec_session *s;
	struct smtp_reply *r;
	struct world w;
	struct tc t;

	world_init(&w, LOOP_SKIP, &cfg);
	tc_open(&t, &w, 465);
	tc_starttls(&t);
	tc_expect(&t, "220 " MX_HOST);
	tc_send(&t, "EHLO client.example.org");
	r = tc_expect(&t, "250-");
	ck_assert(!smtp_reply_has_capa(r, "STARTTLS"));
	ck_assert(smtp_reply_has_capa(r, "REQUIRETLS"));
	tc_send(&t, "STARTTLS");
	tc_expect(&t, "503 ");
	/* pipelined transaction */
	tc_send(&t, "MAIL FROM:<a@example.org>\r\nRCPT TO:<b@example.test>\r\n"
	    "RCPT TO:<c@example.test>\r\nDATA");
	tc_expect(&t, "250 ");
	tc_expect(&t, "250 ");
	tc_expect(&t, "250 ");
	tc_expect(&t, "354 ");
	tc_send(&t, "x\r\n.\r\nQUIT");
	tc_expect(&t, "250 ");
	tc_expect(&t, "221 ");
	tc_wait_closed(&t);

	s = only_session(&w);
	ck_assert_uint_eq(s->port, 465);
	ck_assert(s->implicit_tls && s->banner);
	ck_assert(!s->starttls_offered && !s->starttls_issued);
	ck_assert(!s->ehlo_after_tls);
	ck_assert_int_eq(s->tls, REC_TLS_OK);
	ck_assert(s->data_sent && s->data_tls && s->delivered);
	tc_close(&t);
	world_fini(&w);
}
END_TEST

START_TEST(test_overrides)
{
	static const struct smtp_override ov[] = {
		{ "banner", "220-" MX_HOST " custom banner\n220 second line" },
		{ "STARTTLS", "454 4.7.0 TLS not available now" },
		{ "MAIL", NULL },
	};
	static const char *const ehlo[] = { "PIPELINING", "STARTTLS", NULL };
	struct smtp_srv_config cfg = config();
	struct rec_session *s;
	struct smtp_reply *r;
	struct world w;
	struct tc t;

	cfg.overrides = ov;
	cfg.noverrides = ARRAY_LEN(ov);
	cfg.ehlo = ehlo;
	world_init(&w, LOOP_SKIP, &cfg);
	tc_open(&t, &w, 25);
	r = tc_expect(&t, "220-" MX_HOST " custom banner");
	ck_assert_uint_eq(r->nlines, 2);
	ck_assert_str_eq(r->lines[1], "220 second line");
	tc_send(&t, "EHLO client.example.org");
	r = tc_expect(&t, "250-" MX_HOST);
	ck_assert_uint_eq(r->nlines, 3);
	ck_assert_str_eq(r->lines[2], "250 STARTTLS");
	tc_send(&t, "STARTTLS");
	tc_expect(&t, "454 4.7.0 TLS not available now");
	/* no TLS started: the session goes on in plaintext */
	tc_send(&t, "NOOP");
	tc_expect(&t, "250 ");
	tc_send(&t, "MAIL FROM:<a@example.org>");
	ck_assert_ptr_null(tc_next_within(&t, WAIT_MS));
	ck_assert(t.closed);

	s = only_session(&w);
	ck_assert(s->starttls_issued && s->starttls_offered);
	ck_assert_int_eq(s->starttls_reply, 454);
	ck_assert_int_eq(s->tls, REC_TLS_NONE);
	ck_assert(!s->mail_from);
	ck_assert_str_eq(s->end, "dropped");
	ck_assert(has_line(s, '!', "connection dropped at MAIL"));
	tc_close(&t);
	world_fini(&w);
}
END_TEST

START_TEST(test_overrides_refuse)
{
	static const struct smtp_override ov[] = {
		{ "banner", "554 5.3.2 " MX_HOST " no service" },
		{ "QUIT", "221 2.0.0 see you" },
	};
	static const struct smtp_override ov421[] = {
		{ "RCPT", "421 4.3.0 going away" },
	};
	struct smtp_srv_config cfg = config();
	struct world w;
	struct tc t;

	/* RFC 5321 3.1: after a 554 greeting only QUIT (and NOOP) work */
	cfg.overrides = ov;
	cfg.noverrides = ARRAY_LEN(ov);
	world_init(&w, LOOP_SKIP, &cfg);
	tc_open(&t, &w, 25);
	tc_expect(&t, "554 5.3.2");
	tc_send(&t, "EHLO client.example.org");
	tc_expect(&t, "503 5.5.1 Error: no valid greeting");
	tc_send(&t, "MAIL FROM:<a@example.org>");
	tc_expect(&t, "503 5.5.1 Error: no valid greeting");
	tc_send(&t, "QUIT");
	tc_expect(&t, "221 2.0.0 see you");
	tc_wait_closed(&t);
	ck_assert(!only_session(&w)->banner);
	tc_close(&t);
	world_fini(&w);

	/* a 421 override closes the connection after the reply */
	cfg = config();
	cfg.overrides = ov421;
	cfg.noverrides = ARRAY_LEN(ov421);
	world_init(&w, LOOP_SKIP, &cfg);
	tc_open(&t, &w, 25);
	tc_expect(&t, "220 ");
	tc_send(&t, "HELO client.example.org");
	tc_expect(&t, "250 " MX_HOST);
	tc_send(&t, "MAIL FROM:<>");
	tc_expect(&t, "250 ");
	tc_send(&t, "RCPT TO:<b@example.test>");
	tc_expect(&t, "421 4.3.0 going away");
	tc_wait_closed(&t);
	ck_assert_str_eq(only_session(&w)->end, "dropped");
	tc_close(&t);
	world_fini(&w);
}
END_TEST

START_TEST(test_long_lines)
{
	struct smtp_srv_config cfg = config();
	struct rec_session *s;
	struct world w;
	struct tc t;
	char *big;
	size_t n = 1u << 20;

	cfg.max_size = 2000;
	world_init(&w, LOOP_SKIP, &cfg);
	tc_open(&t, &w, 25);
	tc_expect(&t, "220 ");
	tc_send(&t, "EHLO client.example.org");
	tc_expect(&t, "250-");

	/* 1 MiB command line: one 500, then the session is still usable */
	big = xmalloc(n + 1);
	memset(big, 'x', n);
	memcpy(big, "NOOP ", 5);
	big[n] = '\0';
	tc_send(&t, "%s", big);
	tc_expect(&t, "500 5.5.2 Line too long");
	tc_send(&t, "NOOP");
	tc_expect(&t, "250 ");

	/* the limit is 512 octets with the CRLF */
	big[510] = '\0';
	tc_send(&t, "%s", big);
	tc_expect(&t, "250 ");
	big[510] = 'x';
	big[511] = '\0';
	tc_send(&t, "%s", big);
	tc_expect(&t, "500 5.5.2 Line too long");

	/* a text line over 1000 octets: refused after the dot */
	tc_send(&t, "MAIL FROM:<a@example.org>\r\nRCPT TO:<b@example.test>\r\nDATA");
	tc_expect(&t, "250 ");
	tc_expect(&t, "250 ");
	tc_expect(&t, "354 ");
	memset(big, 'y', 1200);
	big[1200] = '\0';
	tc_send(&t, "short\r\n%s\r\nshort\r\n.", big);
	tc_expect(&t, "500 5.5.2 Line too long");
	/* 998 octets and the CRLF are fine */
	tc_send(&t, "MAIL FROM:<a@example.org>\r\nRCPT TO:<b@example.test>\r\nDATA");
	tc_expect(&t, "250 ");
	tc_expect(&t, "250 ");
	tc_expect(&t, "354 ");
	big[998] = '\0';
	tc_send(&t, "%s\r\n.", big);
	tc_expect(&t, "250 2.0.0 Ok");

	/* over SIZE: 552 after the dot, and the session goes on */
	tc_send(&t, "MAIL FROM:<a@example.org>\r\nRCPT TO:<b@example.test>\r\nDATA");
	tc_expect(&t, "250 ");
	tc_expect(&t, "250 ");
	tc_expect(&t, "354 ");
	big[500] = '\0';
	for (int i = 0; i < 10; i++)
		tc_send(&t, "%s", big);
	tc_send(&t, ".");
	tc_expect(&t, "552 5.3.4");
	tc_send(&t, "NOOP");
	tc_expect(&t, "250 ");
	ck_assert_uint_eq(smtp_srv_messages(w.srv), 1);
	tc_send(&t, "QUIT");
	tc_expect(&t, "221 ");
	tc_wait_closed(&t);
	s = only_session(&w);
	ck_assert(has_line(s, '!', "command line too long"));
	free(big);
	tc_close(&t);
	world_fini(&w);
}
END_TEST

START_TEST(test_nul_bytes)
{
	struct smtp_srv_config cfg = config();
	struct world w;
	struct tc t;

	world_init(&w, LOOP_SKIP, &cfg);
	tc_open(&t, &w, 25);
	tc_expect(&t, "220 ");
	conn_write(t.c, "NO\0OP\r\n", 7);
	tc_expect(&t, "500 5.5.2 Error: bad syntax");
	conn_write(t.c, "EHLO a\0b\r\n", 10);
	tc_expect(&t, "500 5.5.2 Error: bad syntax");
	conn_write(t.c, "\r\n", 2);
	tc_expect(&t, "500 5.5.2 Error: bad syntax");
	tc_send(&t, "NOOP");
	tc_expect(&t, "250 ");
	ck_assert(has_line(only_session(&w), '!', "NUL bytes in a command line"));
	tc_close(&t);
	world_fini(&w);
}
END_TEST

static uint64_t
mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

START_TEST(test_idle_timeout)
{
	struct smtp_srv_config cfg = config();
	struct rec_session *s;
	struct world w;
	struct tc t;
	uint64_t v0, r0;

	world_init(&w, LOOP_SKIP, &cfg);
	tc_open(&t, &w, 25);
	tc_expect(&t, "220 ");
	tc_send(&t, "EHLO client.example.org");
	tc_expect(&t, "250-");
	v0 = loop_now(w.l);
	r0 = mono_ms();
	ck_assert_ptr_nonnull(tc_next_within(&t, 400000));
	ck_assert_str_eq(t.last.lines[0],
	    "421 4.4.2 " MX_HOST " Error: timeout exceeded");
	tc_wait_closed(&t);
	ck_assert_uint_ge(loop_now(w.l) - v0, 300000);
	ck_assert_uint_lt(loop_now(w.l) - v0, 310000);
	ck_assert_uint_lt(mono_ms() - r0, 5000);
	s = only_session(&w);
	ck_assert_str_eq(s->end, "timeout");
	tc_close(&t);
	world_fini(&w);
}
END_TEST

START_TEST(test_pipelined_after_starttls)
{
	struct smtp_srv_config cfg = config();
	struct rec_session *s;
	struct world w;
	struct tc t;

	world_init(&w, LOOP_SKIP, &cfg);
	tc_open(&t, &w, 25);
	tc_expect(&t, "220 ");
	/* the classic STARTTLS injection: the MAIL must not survive TLS */
	tc_send(&t, "EHLO client.example.org\r\nSTARTTLS\r\nMAIL FROM:<a@b.test>");
	tc_expect(&t, "250-");
	tc_expect(&t, "220 ");
	tc_starttls(&t);
	tc_send(&t, "EHLO client.example.org");
	tc_expect(&t, "250-");
	tc_send(&t, "RCPT TO:<b@example.test>");
	tc_expect(&t, "503 5.5.1 Error: need MAIL");
	tc_send(&t, "QUIT");
	tc_expect(&t, "221 ");
	tc_wait_closed(&t);
	s = only_session(&w);
	ck_assert(has_line(s, '!',
	    "plaintext pipelined after STARTTLS discarded (22 bytes)"));
	ck_assert(!s->mail_from);
	ck_assert_int_eq(s->tls, REC_TLS_OK);
	tc_close(&t);
	world_fini(&w);
}
END_TEST

START_TEST(test_garbage)
{
	struct smtp_srv_config cfg = config();
	struct rec_session *s;
	struct world w;
	struct tc t;

	world_init(&w, LOOP_SKIP, &cfg);
	tc_open(&t, &w, 25);
	tc_expect(&t, "220 ");
	for (int i = 0; i < 9; i++)
		tc_send(&t, i % 2 ? "garbage %d" : "\x80\xff\x01garbage %d", i);
	for (int i = 0; i < 9; i++)
		tc_expect(&t, "500 ");
	tc_send(&t, "NOOP");       /* good commands do not reset the count */
	tc_expect(&t, "250 ");
	tc_send(&t, "more garbage");
	tc_expect(&t, "500 ");
	tc_expect(&t, "421 4.7.0 " MX_HOST " Error: too many errors");
	tc_wait_closed(&t);
	s = only_session(&w);
	ck_assert_str_eq(s->end, "dropped");
	tc_close(&t);
	world_fini(&w);
}
END_TEST

START_TEST(test_tls_on_plaintext_port)
{
	struct smtp_srv_config cfg = config();
	struct world w;
	struct tc t;
	uint8_t blob[5 + 64];

	world_init(&w, LOOP_SKIP, &cfg);

	/* a TLS-record-looking blob, with line ends inside */
	tc_open(&t, &w, 25);
	tc_expect(&t, "220 ");
	blob[0] = 0x16;
	blob[1] = 0x03;
	blob[2] = 0x01;
	blob[3] = 0x00;
	blob[4] = 64;
	for (size_t i = 5; i < sizeof(blob); i++)
		blob[i] = (uint8_t)(i * 37 % 256);
	blob[20] = '\n';
	blob[40] = '\0';
	conn_write(t.c, blob, sizeof(blob));
	tc_expect(&t, "500 5.5.1 Error: TLS handshake on a plaintext port");
	tc_send(&t, "NOOP");           /* the record was swallowed whole */
	tc_expect(&t, "250 ");
	ck_assert(has_line(rec_get(w.rec, 0), '!', "TLS handshake record (69 bytes)"));
	tc_send(&t, "QUIT");
	tc_expect(&t, "221 ");
	tc_wait_closed(&t);
	tc_close(&t);

	/* a real ClientHello sent at once on port 25: the client's TLS
	 * fails on our plaintext banner, the server survives */
	tc_open(&t, &w, 25);
	ck_assert_int_eq(conn_starttls(t.c, w.cctx, false, MX_HOST), 0);
	(void)loop_run_until(w.l, tc_is_closed, &t, loop_now(w.l) + WAIT_MS);
	ck_assert(t.tls_failed);
	ck_assert_uint_eq(rec_count(w.rec), 2);
	(void)loop_run_until(w.l, srv_idle, w.srv, loop_now(w.l) + WAIT_MS);
	ck_assert_uint_eq(smtp_srv_sessions(w.srv), 0);
	ck_assert(has_line(rec_get(w.rec, 1), '!', "TLS handshake record"));
	ck_assert_str_eq(rec_get(w.rec, 1)->end, "eof");
	tc_close(&t);

	/* and still serves */
	tc_open(&t, &w, 25);
	tc_expect(&t, "220 ");
	tc_close(&t);
	world_fini(&w);
}
END_TEST

START_TEST(test_tls_failure_recorded)
{
	struct smtp_srv_config cfg = config();
	struct rec_session *s;
	struct world w;
	struct tc t;

	world_init(&w, LOOP_SKIP, &cfg);
	tc_open(&t, &w, 465);
	tc_send(&t, "EHLO plaintext.example.org");  /* no TLS on 465 */
	tc_wait_closed(&t);
	(void)loop_run_until(w.l, srv_idle, w.srv, loop_now(w.l) + WAIT_MS);
	s = only_session(&w);
	ck_assert_int_eq(s->tls, REC_TLS_FAILED);
	ck_assert_str_eq(s->tls_by, "mx");
	ck_assert_ptr_nonnull(s->tls_error);
	ck_assert(s->implicit_tls);
	ck_assert_ptr_null(s->cert_der);   /* it never got to the certificate */
	ck_assert(has_line(s, '!', "TLS handshake failed"));
	ck_assert_uint_eq(smtp_srv_sessions(w.srv), 0);
	tc_close(&t);
	world_fini(&w);
}
END_TEST

START_TEST(test_limits)
{
	struct smtp_srv_config cfg = config(), cfg2;
	struct smtp_srv *second;
	struct world w;
	struct tc t;
	char err[256];

	world_init(&w, LOOP_SKIP, &cfg);

	/* the same address and port cannot be served twice */
	cfg2 = cfg;
	cfg2.port_submission = cfg2.port_smtps = 0;
	second = smtp_srv_new(w.l, &cfg2, err, sizeof(err));
	ck_assert_ptr_null(second);
	ck_assert_msg(strstr(err, "cannot listen on " MX_ADDR ":25") != NULL,
	    "%s", err);
	cfg2.host = NULL;
	ck_assert_ptr_null(smtp_srv_new(w.l, &cfg2, err, sizeof(err)));

	tc_open(&t, &w, 25);
	tc_expect(&t, "220 ");
	tc_send(&t, "EHLO");
	tc_expect(&t, "501 ");
	tc_send(&t, "HELO");
	tc_expect(&t, "501 ");
	tc_send(&t, "HELO client.example.org");
	tc_expect(&t, "250 " MX_HOST);
	tc_send(&t, "MAIL FROM:<a@example.org>");
	tc_expect(&t, "250 ");
	/* RFC 5321 4.5.3.1.8: at least 100 recipients; we take 1000 */
	for (int i = 0; i < 1000; i += 50) {
		for (int j = 0; j < 50; j++)
			tc_send(&t, "RCPT TO:<r%d@example.test>", i + j);
		for (int j = 0; j < 50; j++)
			tc_expect(&t, "250 ");
	}
	tc_send(&t, "RCPT TO:<one-more@example.test>");
	tc_expect(&t, "452 4.5.3");
	tc_send(&t, "DATA");
	tc_expect(&t, "354 ");
	tc_send(&t, ".");                   /* an empty message */
	tc_expect(&t, "250 ");
	tc_send(&t, "QUIT");
	tc_expect(&t, "221 ");
	tc_wait_closed(&t);
	ck_assert(only_session(&w)->delivered);
	tc_close(&t);
	world_fini(&w);
}
END_TEST

/* The MITM proxy links its upstream connection (by local port) to the
 * sender's session: the MX must fill that one, and leave alone what the
 * attacker owns. */
START_TEST(test_linked_session)
{
	struct smtp_srv_config cfg = config();
	struct sockaddr_in sa = { .sin_family = AF_INET };
	socklen_t slen = sizeof(sa);
	struct rec_session *rs;
	struct world w;
	struct tc t;
	int fd;

	world_init(&w, LOOP_SKIP, &cfg);
	rs = rec_session_new(w.rec, MX_HOST, "127.0.0.1", 25);
	rs->tls = REC_TLS_OK;
	rec_set(&rs->tls_by, "attacker");
	rec_set(&rs->end, "quit");

	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	ck_assert_int_ge(fd, 0);
	inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&sa, &slen), 0);
	rec_link(w.rec, ntohs(sa.sin_port), rs);
	sa.sin_port = htons(25);
	inet_pton(AF_INET, MX_ADDR, &sa.sin_addr);
	ck_assert_int_eq(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	memset(&t, 0, sizeof(t));
	t.w = &w;
	t.c = conn_new(w.l, fd, tc_cb, &t);

	tc_expect(&t, "220 ");
	tc_send(&t, "EHLO attacker.example.org");
	tc_expect(&t, "250-");
	tc_send(&t, "STARTTLS");
	tc_expect(&t, "220 ");
	tc_starttls(&t);
	tc_send(&t, "EHLO attacker.example.org\r\nMAIL FROM:<a@example.org>\r\n"
	    "RCPT TO:<b@example.test>\r\nDATA");
	tc_expect(&t, "250-");
	tc_expect(&t, "250 ");
	tc_expect(&t, "250 ");
	tc_expect(&t, "354 ");
	tc_send(&t, "secret\r\n.");
	tc_expect(&t, "250 ");
	tc_close(&t);
	(void)loop_run_until(w.l, srv_idle, w.srv, loop_now(w.l) + WAIT_MS);

	ck_assert_uint_eq(rec_count(w.rec), 1);
	/* what the attacker recorded stays */
	ck_assert_str_eq(rs->tls_by, "attacker");
	ck_assert_ptr_null(rs->tls_version);
	ck_assert_ptr_null(rs->cert_der);
	ck_assert(!rs->ehlo_after_tls);
	ck_assert_str_eq(rs->end, "quit");
	/* the sender-side view is the proxy's business */
	ck_assert(!rs->banner && !rs->starttls_offered && !rs->starttls_issued);
	/* what only the MX knows */
	ck_assert(rs->mail_from && rs->data_sent && rs->data_tls && rs->delivered);
	ck_assert_str_eq(rs->data_to, "mx");
	ck_assert(has_line(rs, '}', "MAIL FROM:<a@example.org>"));
	ck_assert(!has_line(rs, '}', "secret"));
	world_fini(&w);
}
END_TEST

/* ---- the real openssl s_client ---- */

struct child {
	pid_t pid;
	int status;
	bool done;
};

static void
child_exited(int fd, uint32_t events, void *arg)
{
	struct child *ch = arg;

	if (waitpid(ch->pid, &ch->status, WNOHANG) == ch->pid)
		ch->done = true;
}

static bool
child_done(void *arg)
{
	return ((struct child *)arg)->done;
}

/* openssl s_client -starttls smtp against the server of w, the world's
 * root as its trust anchor or (trust false) only the system's; its
 * output in buf, its wait status returned. */
static int
s_client(struct world *w, bool trust, char *buf, size_t len)
{
	char root[] = "/tmp/mxsim-root-XXXXXX", out[] = "/tmp/mxsim-out-XXXXXX";
	struct child ch = { 0 };
	int pfd, ofd, in[2];
	ssize_t n;

	ck_assert_int_ge(mkstemp(root), 0);
	ofd = mkstemp(out);
	ck_assert_int_ge(ofd, 0);
	if (trust)
		ck_assert_int_eq(pki_write_root(w->pki, root), 0);
	ck_assert_int_eq(pipe(in), 0);
	ck_assert_int_eq(write(in[1], "QUIT\n", 5), 5);
	close(in[1]);

	ch.pid = fork();
	ck_assert_int_ge(ch.pid, 0);
	if (ch.pid == 0) {
		dup2(in[0], 0);
		dup2(ofd, 1);
		dup2(ofd, 2);
		/* untrusted: the system's store, which has no world CA */
		execlp("openssl", "openssl", "s_client", "-starttls", "smtp",
		    "-connect", MX_ADDR ":25", trust ? "-CAfile" : "-verify",
		    trust ? root : "9", "-verify_hostname", MX_HOST,
		    "-verify_return_error", (char *)NULL);
		_exit(127);
	}
	close(in[0]);
	pfd = (int)syscall(SYS_pidfd_open, ch.pid, 0);
	ck_assert_int_ge(pfd, 0);
	ck_assert_int_eq(loop_add_fd(w->l, pfd, EPOLLIN, child_exited, &ch), 0);
	(void)loop_run_until(w->l, child_done, &ch, loop_now(w->l) + 60000);
	loop_del_fd(w->l, pfd);
	close(pfd);
	if (!ch.done) {
		kill(ch.pid, SIGKILL);
		waitpid(ch.pid, &ch.status, 0);
	}
	ck_assert(ch.done);

	n = pread(ofd, buf, len - 1, 0);
	ck_assert_int_gt(n, 0);
	buf[n] = '\0';
	close(ofd);
	unlink(root);
	unlink(out);
	return ch.status;
}

START_TEST(test_openssl_s_client)
{
	struct smtp_srv_config cfg = config();
	struct world w;
	char buf[16384];
	int status;

	world_init(&w, LOOP_REAL, &cfg);
	status = s_client(&w, true, buf, sizeof(buf));
	ck_assert_msg(strstr(buf, "Verify return code: 0 (ok)") != NULL,
	    "s_client said:\n%s", buf);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	    "s_client failed:\n%s", buf);
	/* the server side saw a completed handshake */
	(void)loop_run_until(w.l, srv_idle, w.srv, loop_now(w.l) + 5000);
	ck_assert_uint_ge(rec_count(w.rec), 1);
	ck_assert_int_eq(rec_get(w.rec, 0)->tls, REC_TLS_OK);
	world_fini(&w);
}
END_TEST

/* A client that refuses the certificate in the handshake: the session
 * records the failure and the certificate it was shown (the judge names
 * the failure after it); a handshake that never got that far records
 * none (test_tls_failure_recorded). */
START_TEST(test_refused_certificate_recorded)
{
	struct smtp_srv_config cfg = config();
	struct rec_session *s;
	struct world w;
	char buf[16384];
	int status;

	world_init(&w, LOOP_REAL, &cfg);
	status = s_client(&w, false, buf, sizeof(buf));
	ck_assert_msg(!WIFEXITED(status) || WEXITSTATUS(status) != 0,
	    "s_client accepted a certificate it cannot verify:\n%s", buf);
	(void)loop_run_until(w.l, srv_idle, w.srv, loop_now(w.l) + 5000);
	ck_assert_msg(rec_count(w.rec) >= 1, "no session; s_client said:\n%s", buf);
	s = rec_get(w.rec, 0);
	ck_assert_int_eq(s->tls, REC_TLS_FAILED);
	ck_assert_ptr_nonnull(s->cert_der);
	ck_assert_uint_gt(s->cert_len, 0);
	ck_assert_str_eq(s->cert_label, cfg.cert_label);
	world_fini(&w);
}
END_TEST

static Suite *
smtp_srv_suite(void)
{
	Suite *s = suite_create("smtp_srv");
	TCase *tc = tcase_create("server");

	tcase_set_timeout(tc, 60);
	tcase_add_checked_fixture(tc, NULL, teardown);
	tcase_add_test(tc, test_plaintext_transaction);
	tcase_add_test(tc, test_starttls);
	tcase_add_test(tc, test_message_capture);
	tcase_add_test(tc, test_implicit_tls);
	tcase_add_test(tc, test_overrides);
	tcase_add_test(tc, test_overrides_refuse);
	tcase_add_test(tc, test_long_lines);
	tcase_add_test(tc, test_nul_bytes);
	tcase_add_test(tc, test_idle_timeout);
	tcase_add_test(tc, test_pipelined_after_starttls);
	tcase_add_test(tc, test_garbage);
	tcase_add_test(tc, test_tls_on_plaintext_port);
	tcase_add_test(tc, test_tls_failure_recorded);
	tcase_add_test(tc, test_limits);
	tcase_add_test(tc, test_linked_session);
	tcase_add_test(tc, test_openssl_s_client);
	tcase_add_test(tc, test_refused_certificate_recorded);
	suite_add_tcase(s, tc);
	return s;
}

TEST_MAIN(smtp_srv_suite)
