/*
 * The harness of the attacker's unit tests (check_mitm*.c): a real fake MX
 * (fake-mx) on its backend address, the path (attacker/mitm) on the
 * public address, and a scripted client that sends lines and waits for
 * replies on the virtual clock.  Everything is static: each test binary
 * includes it once (the functions are static inline: a binary uses
 * what it needs).
 *
 * The client keeps the last complete reply (`last`, lines joined by '|')
 * and a log of every reply line it read (`all`), where '#' marks the start
 * of each read: "#220 Ready|250-evil|" means both replies came in one
 * read.  In raw mode it keeps the bytes as they come (`raw`).
 */
#ifndef MXSIM_MITM_HARNESS_H
#define MXSIM_MITM_HARNESS_H

#include <string.h>
#include <sys/epoll.h>

#include "attacker/mitm.h"
#include "core/conn.h"
#include "core/loop.h"
#include "core/pki.h"
#include "core/record.h"
#include "fake-mx/smtp.h"
#include "testutil.h"

#define CLOCK 1780272000
#define PUB "127.25.0.11"
#define BACK "127.26.0.11"
#define MAX_ATK 8

struct env {
	struct loop *l;
	struct pki *pki;
	struct rec *rec;
	struct pki_cert *mxcert, *evil;
	SSL_CTX *mxctx, *upctx, *cli_ctx;
	struct smtp_srv *srv;
	struct mitm *path;
};

/* The MX with reply overrides ov (may be NULL), the path with atk. */
static inline void
env_up_ov(struct env *e, const struct mitm_attack *atk, size_t natk,
    const struct smtp_override *ov, size_t nov)
{
	static const uint16_t ports[] = { 25, 465 };
	struct pki_spec spec = { .variant = "valid", .host = "mx1.example.test" };
	struct pki_spec evil = { .variant = "attacker", .host = "mx1.example.test" };
	struct mitm_attack a[MAX_ATK];
	char err[256];

	tu_netns();
	ck_assert_uint_le(natk, MAX_ATK);
	memset(e, 0, sizeof(*e));
	e->l = loop_new(LOOP_SKIP, CLOCK);
	e->pki = pki_new(1, CLOCK);
	e->rec = rec_new(e->l);
	ck_assert_int_eq(pki_issue(e->pki, &spec, &e->mxcert, err, sizeof(err)), 0);
	ck_assert_int_eq(pki_issue(e->pki, &evil, &e->evil, err, sizeof(err)), 0);
	e->mxctx = pki_server_ctx(e->mxcert);
	e->upctx = pki_client_ctx(e->pki);
	e->cli_ctx = pki_client_ctx(e->pki);
	struct smtp_srv_config sc = { .host = "mx1.example.test", .addr = BACK,
		.port_smtp = 25, .port_smtps = 465, .tls = e->mxctx, .cert_label = "valid",
		.overrides = ov, .noverrides = nov, .rec = e->rec };
	e->srv = smtp_srv_new(e->l, &sc, err, sizeof(err));
	ck_assert_msg(e->srv != NULL, "%s", err);
	for (size_t i = 0; i < natk; i++) {
		a[i] = atk[i];
		if (a[i].kind == MITM_SWAP_CERT)
			a[i].cert = e->evil;
	}
	struct mitm_config mc = { .host = "mx1.example.test", .listen_addr = PUB,
		.upstream_addr = BACK, .src_addr = "127.66.0.1", .ports = ports, .nports = 2,
		.implicit_tls_port = 465, .attacks = a, .nattacks = natk,
		.upstream_tls = e->upctx, .rec = e->rec };
	e->path = mitm_new(e->l, &mc, err, sizeof(err));
	ck_assert_msg(e->path != NULL, "%s", err);
}

static inline void
env_up(struct env *e, const struct mitm_attack *atk, size_t natk)
{
	env_up_ov(e, atk, natk, NULL, 0);
}

static inline bool
idle(void *arg)
{
	struct env *e = arg;
	return mitm_sessions(e->path) == 0 && smtp_srv_sessions(e->srv) == 0;
}

static inline void
env_down(struct env *e)
{
	(void)loop_run_until(e->l, idle, e, loop_now(e->l) + 60000);
	mitm_free(e->path);
	smtp_srv_free(e->srv);
	while (loop_nfds(e->l) > 0 || loop_ntimers(e->l) > 0)
		if (loop_run_once(e->l) < 0)
			break;
	ck_assert_uint_eq(loop_nfds(e->l), 0);
	ck_assert_uint_eq(loop_ntimers(e->l), 0);
	SSL_CTX_free(e->mxctx);
	SSL_CTX_free(e->upctx);
	SSL_CTX_free(e->cli_ctx);
	pki_cert_free(e->mxcert);
	pki_cert_free(e->evil);
	rec_free(e->rec);
	pki_free(e->pki);
	loop_free(e->l);
	pki_rand_restore();
}

/* Whether session i's transcript has a line of direction dir containing
 * needle. */
static inline bool
transcript_has(const struct env *e, size_t i, char dir, const char *needle)
{
	const struct rec_session *s = rec_get(e->rec, i);

	ck_assert_ptr_nonnull(s);
	for (size_t k = 0; k < s->nlines; k++)
		if (s->lines[k].dir == dir && strstr(s->lines[k].text, needle) != NULL)
			return true;
	return false;
}

/* --- a scripted client: send a line, wait for a reply, record it --- */

struct client {
	struct env *e;
	struct conn *c;
	struct smtp_reply r;
	char last[4096];      /* last complete reply, lines joined by '|' */
	char all[16384];      /* every reply line, '#' at each read */
	int code;
	bool got;
	bool closed;
	bool reset;           /* closed by an error (RST) */
	bool tls_ok;
	bool tls_failed;
	char tls_error[256];
	char peer_cn[256];
	bool rawmode;         /* keep bytes, do not parse lines */
	char raw[4096];
	size_t nraw;
};

static inline void
client_lines(struct client *k, struct conn *c)
{
	char *line;
	size_t len;

	strncat(k->all, "#", sizeof(k->all) - strlen(k->all) - 1);
	while (conn_getline(c, &line, &len) == 1) {
		strncat(k->all, line, sizeof(k->all) - strlen(k->all) - 2);
		strcat(k->all, "|");
		if (smtp_reply_feed(&k->r, line, len) == 1) {
			k->last[0] = '\0';
			for (size_t i = 0; i < k->r.nlines; i++) {
				strncat(k->last, k->r.lines[i], sizeof(k->last) - strlen(k->last) - 2);
				strcat(k->last, "|");
			}
			k->code = k->r.code;
			k->got = true;
		}
	}
}

static inline void
client_cb(struct conn *c, enum conn_ev ev, void *arg)
{
	struct client *k = arg;

	switch (ev) {
	case CONN_DATA:
		if (k->rawmode) {
			size_t n;
			const uint8_t *p = conn_peek(c, &n);
			size_t room = sizeof(k->raw) - k->nraw;
			memcpy(k->raw + k->nraw, p, n < room ? n : room);
			k->nraw += n < room ? n : room;
			conn_consume(c, n);
			k->got = true;
			break;
		}
		client_lines(k, c);
		break;
	case CONN_TLS_OK: {
		X509 *x = SSL_get1_peer_certificate(conn_ssl(c));
		k->tls_ok = true;
		if (x != NULL) {
			X509_NAME_get_text_by_NID(X509_get_subject_name(x), NID_commonName,
			    k->peer_cn, sizeof(k->peer_cn));
			X509_free(x);
		}
		break;
	}
	case CONN_TLS_FAILED:
		k->tls_failed = true;
		snprintf(k->tls_error, sizeof(k->tls_error), "%s", conn_tls_error(c));
		break;
	case CONN_EOF:
	case CONN_ERROR:
	case CONN_TIMEOUT:
		k->closed = true;
		k->reset = ev == CONN_ERROR;
		conn_close(c);
		k->c = NULL;
		break;
	default:
		break;
	}
}

static inline bool
client_ready(void *arg)
{
	struct client *k = arg;
	return k->got || k->closed;
}

static inline bool
client_tls_done(void *arg)
{
	struct client *k = arg;
	return k->tls_ok || k->tls_failed || k->closed;
}

static inline bool
client_gone(void *arg)
{
	return ((struct client *)arg)->closed;
}

static inline void
client_wait_tls(struct client *k)
{
	(void)loop_run_until(k->e->l, client_tls_done, k, loop_now(k->e->l) + 60000);
}

static inline void
client_wait_closed(struct client *k)
{
	(void)loop_run_until(k->e->l, client_gone, k, loop_now(k->e->l) + 700000);
}

static inline void
client_open(struct client *k, struct env *e, uint16_t port)
{
	memset(k, 0, sizeof(*k));
	k->e = e;
	smtp_reply_init(&k->r);
	k->c = conn_connect(e->l, "127.1.0.1", PUB, port, client_cb, k);
	ck_assert_ptr_nonnull(k->c);
	conn_set_max_line(k->c, 64 * 1024);
}

/* Wait (virtual time) for the next reply; returns its code, 0 if closed. */
static inline int
client_wait(struct client *k)
{
	k->got = false;
	(void)loop_run_until(k->e->l, client_ready, k, loop_now(k->e->l) + 400000);
	return k->got ? k->code : 0;
}

static inline int
client_cmd(struct client *k, const char *line)
{
	conn_printf(k->c, "%s\r\n", line);
	return client_wait(k);
}

/* EHLO, STARTTLS (220 expected), handshake with the sender's trust. */
static inline void
client_starttls(struct client *k)
{
	ck_assert_int_eq(client_cmd(k, "STARTTLS"), 220);
	ck_assert_int_eq(conn_starttls(k->c, k->e->cli_ctx, false, "mx1.example.test"), 0);
	client_wait_tls(k);
}

static inline void
client_close(struct client *k)
{
	smtp_reply_clear(&k->r);
	if (k->c != NULL)
		conn_close(k->c);
	k->c = NULL;
}

#endif
