/*
 * mitm: the path to one host and the attacks on it.  See mitm.h; the SMTP
 * dialogue is in mitm_smtp.c (mitm_int.h has the split).
 *
 * A session (struct msess) pairs the sender's connection (cli) with the
 * connection to the real server (up), or with nothing when the attacker
 * keeps the mail or fails an implicit-TLS handshake itself.  At accept the
 * path picks the attacks in force on that connection: those on its port,
 * filtered by nth (each attack counts the connections on its ports) and
 * after_verified (true once a session of this path got a message to the
 * MX over the MX's own TLS: checked on live sessions and remembered when
 * they end).  A block takes the connection whole; the others compose.
 *
 * Modes of a session: M_LINE (the path reads the SMTP dialogue, see
 * mitm_smtp.c), M_RAW (bytes relayed untouched: TLS between sender and MX,
 * or a 220 that started no TLS), M_HSFAIL (the attacker takes the sender's
 * ClientHello and fails the handshake itself).
 *
 * Logs: every attack action, and every attack that stands aside on a
 * connection, is a '!' line in the session transcript.
 */
#include "attacker/mitm_int.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/util.h"

static void cli_cb(struct conn *c, enum conn_ev ev, void *arg);
static void up_cb(struct conn *c, enum conn_ev ev, void *arg);

static const char *const kind_names[] = {
	[MITM_NONE] = "none",
	[MITM_STRIP_STARTTLS] = "strip_starttls",
	[MITM_STARTTLS_ERROR] = "starttls_error",
	[MITM_SWAP_CERT] = "swap_cert",
	[MITM_BLOCK] = "block",
	[MITM_STARTTLS_INJECT] = "starttls_inject",
	[MITM_EHLO_REJECT] = "ehlo_reject",
	[MITM_REPLY] = "reply",
	[MITM_CAPS] = "caps",
	[MITM_HANDSHAKE_FAIL] = "handshake_fail",
	[MITM_HOOK] = "hook",
	[MITM_TLS_SPLIT] = "tls_split",
};

const char *
mitm_kind_name(enum mitm_kind k)
{
	return (unsigned)k < ARRAY_LEN(kind_names) ? kind_names[k] : "?";
}

enum mitm_kind
mitm_kind_lookup(const char *name)
{
	for (size_t i = 1; i < ARRAY_LEN(kind_names); i++)
		if (strcmp(kind_names[i], name) == 0)
			return (enum mitm_kind)i;
	return MITM_NONE;
}

static bool
mode_is(const struct mitm_attack *a, const char *mode, const char *dflt)
{
	return strcmp(a->mode ? a->mode : dflt, mode) == 0;
}

/* --- session life --- */

void
mitm_note(struct msess *ms, const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	rec_line(ms->m->rec, ms->s, '!', "attacker: %s", buf);
}

void
mitm_set_end(struct rec_session *s, const char *why)
{
	if (s != NULL && s->end == NULL)
		rec_set(&s->end, why);
}

bool
mitm_attacked(const struct msess *ms)
{
	return ms->s->attack != NULL;
}

const struct mitm_attack *
mitm_active(const struct msess *ms, enum mitm_kind k)
{
	for (size_t i = 0; i < ms->nact; i++)
		if (ms->act[i]->kind == k)
			return ms->act[i];
	return NULL;
}

bool
mitm_tls_with_sender(const struct msess *ms)
{
	return ms->cli_tls || (ms->cli != NULL && conn_is_tls(ms->cli));
}

/* The message reached the MX inside the MX's own TLS. */
static bool
delivered_over_tls(const struct rec_session *s)
{
	return s->via == 0 && s->delivered && s->tls == REC_TLS_OK &&
	    s->tls_by != NULL && strcmp(s->tls_by, "mx") == 0;
}

static void
sess_free(struct msess *ms)
{
	struct mitm *m = ms->m;

	if (ms->prev)
		ms->prev->next = ms->next;
	else
		m->sessions = ms->next;
	if (ms->next)
		ms->next->prev = ms->prev;
	m->nsessions--;
	mitm_hook_clear(ms);
	mitm_split_clear(ms);
	mitm_clear_pending(ms);
	smtp_reply_clear(&ms->reply);
	free(ms);
}

/* End the session: close both sides (flushing what is queued). */
void
mitm_sess_end(struct msess *ms, const char *why)
{
	mitm_set_end(ms->s, why);
	mitm_set_end(ms->u, why);
	if (delivered_over_tls(ms->s))
		ms->m->tls_delivered = true;
	if (ms->up != NULL) {
		rec_unlink(ms->m->rec, conn_local_port(ms->up));
		conn_close(ms->up);
	}
	if (ms->cli != NULL)
		conn_close(ms->cli);
	sess_free(ms);
}

/* --- TLS towards the sender (swap_cert) --- */

bool
mitm_start_cli_tls(struct msess *ms)
{
	SSL_CTX *ctx = ms->m->attack_ctx[ms->swap_index];

	mitm_note(ms, "terminating TLS with its own certificate (%s)",
	    pki_cert_label(ms->swap->cert));
	if (conn_starttls(ms->cli, ctx, true, NULL) < 0) {
		mitm_sess_end(ms, "attacker TLS setup failed");
		return false;
	}
	return true;
}

static void
record_cli_tls(struct msess *ms, bool ok)
{
	struct rec_session *s = ms->s;
	const struct pki_cert *pc = ms->swap->cert;

	s->tls = ok ? REC_TLS_OK : REC_TLS_FAILED;
	rec_set(&s->tls_by, "attacker");
	/* a failed handshake that got as far as the certificate: the sender
	 * saw it and refused it, the judge names the failure after it */
	if (ok || conn_tls_cert_sent(ms->cli)) {
		unsigned char *der = NULL;
		int len = i2d_X509(pki_cert_x509(pc), &der);
		STACK_OF(X509) *chain = pki_cert_chain(pc);
		struct buf cb;
		buf_init(&cb);
		for (int i = 0; i < sk_X509_num(chain); i++) {   /* what it serves */
			unsigned char *d = NULL;
			int n = i2d_X509(sk_X509_value(chain, i), &d);
			if (n > 0)
				buf_append(&cb, d, (size_t)n);
			OPENSSL_free(d);
		}
		rec_set_cert(s, pki_cert_label(pc), der, len > 0 ? (size_t)len : 0,
		    cb.data, cb.len);
		buf_free(&cb);
		OPENSSL_free(der);
	}
	if (ok) {
		rec_set(&s->tls_version, SSL_get_version(conn_ssl(ms->cli)));
		rec_line(ms->m->rec, s, '!', "TLS established with the attacker (%s, certificate %s)",
		    s->tls_version, pki_cert_label(pc));
	} else {
		rec_set(&s->tls_error, conn_tls_error(ms->cli));
		rec_line(ms->m->rec, s, '!', "TLS with the attacker failed: %s",
		    conn_tls_error(ms->cli));
	}
}

/* --- raw relaying --- */

static void
raw_pump(struct conn *from, struct conn *to)
{
	size_t n;
	const uint8_t *p = conn_peek(from, &n);

	if (n == 0)
		return;
	if (to != NULL)
		conn_write(to, p, n);
	conn_consume(from, n);
}

bool
mitm_to_raw(struct msess *ms, const char *why)
{
	ms->mode = M_RAW;
	rec_line(ms->m->rec, ms->s, '!', "%s", why);
	if (ms->cli != NULL)
		raw_pump(ms->cli, ms->up);
	return true;
}

/* --- failing the sender's handshake (handshake_fail) --- */

/* A fatal alert record: TLS 1.2 framing, level fatal, handshake_failure. */
static const uint8_t fatal_alert[] = { 0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x28 };
#define GARBAGE_DEFAULT "mxsim attacker: this is no ServerHello\r\n"

/* The handshake_fail mode in force (a hook's on_tls may choose one). */
static bool
hs_mode_is(const struct msess *ms, const char *mode)
{
	if (ms->hsfail_mode != NULL)
		return strcmp(ms->hsfail_mode, mode) == 0;
	return mode_is(ms->hsfail, mode, "alert");
}

/* The sender's ClientHello (or whatever it sent) arrived.  Returns false
 * when the session ended. */
static bool
hsfail_act(struct msess *ms)
{
	const struct mitm_attack *a = ms->hsfail;
	struct rec_session *s = ms->s;
	const char *text;
	size_t n;

	(void)conn_peek(ms->cli, &n);
	conn_consume(ms->cli, n);
	if (ms->hs_done || n == 0)
		return true;
	ms->hs_done = true;
	s->tls = REC_TLS_FAILED;
	rec_set(&s->tls_by, "attacker");
	if (hs_mode_is(ms, "reset")) {
		rec_set(&s->tls_error, "attacker: connection reset instead of a ServerHello");
		mitm_note(ms, "reset the connection on the ClientHello (%zu bytes)", n);
		conn_reset(ms->cli);
		ms->cli = NULL;
		mitm_sess_end(ms, "reset by attacker");
		return false;
	}
	if (hs_mode_is(ms, "close")) {
		rec_set(&s->tls_error, "attacker: connection closed instead of a ServerHello");
		mitm_note(ms, "closed the connection on the ClientHello (%zu bytes)", n);
		mitm_sess_end(ms, "closed by attacker");
		return false;
	}
	if (hs_mode_is(ms, "garbage")) {
		text = a->text ? a->text : GARBAGE_DEFAULT;
		rec_set(&s->tls_error, "attacker: garbage instead of a ServerHello");
		mitm_note(ms, "answered the ClientHello (%zu bytes) with %zu bytes of garbage",
		    n, strlen(text));
		conn_write(ms->cli, text, strlen(text));
		return true;
	}
	if (hs_mode_is(ms, "hang")) {
		rec_set(&s->tls_error, "attacker: the ClientHello was never answered");
		mitm_note(ms, "took the ClientHello (%zu bytes) and will never answer it", n);
		return true;
	}
	rec_set(&s->tls_error, "attacker: fatal handshake_failure alert");
	mitm_note(ms, "answered the ClientHello (%zu bytes) with a fatal "
	    "handshake_failure alert", n);
	conn_write(ms->cli, fatal_alert, sizeof(fatal_alert));
	mitm_sess_end(ms, "handshake failed by attacker");
	return false;
}

bool
mitm_to_hsfail(struct msess *ms)
{
	ms->mode = M_HSFAIL;
	mitm_note(ms, "will fail the sender's TLS handshake (%s)",
	    ms->hsfail_mode ? ms->hsfail_mode : ms->hsfail->mode ? ms->hsfail->mode :
	    "alert");
	return hsfail_act(ms);
}

/* --- connection events --- */

void
mitm_on_cli_data(struct msess *ms)
{
	if (ms->blackhole) {
		size_t n;
		(void)conn_peek(ms->cli, &n);
		conn_consume(ms->cli, n);
		return;
	}
	switch (ms->mode) {
	case M_RAW:
		raw_pump(ms->cli, ms->up);
		break;
	case M_HSFAIL:
		(void)hsfail_act(ms);
		break;
	case M_LINE:
		mitm_line_cli_data(ms);
		break;
	}
}

void
mitm_on_up_data(struct msess *ms)
{
	switch (ms->mode) {
	case M_RAW:
		raw_pump(ms->up, ms->cli);
		break;
	case M_HSFAIL:
		raw_pump(ms->up, NULL);   /* the MX waits; nobody listens */
		break;
	case M_LINE:
		mitm_line_up_data(ms);
		break;
	}
}

static void
cli_cb(struct conn *c, enum conn_ev ev, void *arg)
{
	struct msess *ms = arg;

	switch (ev) {
	case CONN_DATA:
		mitm_on_cli_data(ms);
		break;
	case CONN_TLS_OK:
		ms->cli_tls = true;
		record_cli_tls(ms, true);
		break;
	case CONN_TLS_FAILED:
		record_cli_tls(ms, false);
		mitm_sess_end(ms, "tls failed");
		break;
	case CONN_TIMEOUT:
		mitm_sess_end(ms, ms->blackhole ? "blackholed" : "timeout");
		break;
	case CONN_EOF:
		mitm_sess_end(ms, ms->quit_seen ? "quit" : ms->blackhole ? "blackholed" : "eof");
		break;
	case CONN_ERROR:
		mitm_sess_end(ms, "reset");
		break;
	default:
		break;
	}
}

/* tls_split "sender-tls": TLS with the sender, clear text to the MX. */
static bool
split_sender(const struct msess *ms)
{
	return ms->swap != NULL && ms->swap->kind == MITM_TLS_SPLIT;
}

static void
up_connected(struct msess *ms)
{
	if (ms->term && ms->port == ms->m->implicit_port && !split_sender(ms)) {
		if (conn_starttls(ms->up, ms->m->up_tls, false, ms->m->host) < 0)
			mitm_sess_end(ms, "attacker TLS setup failed");
	}
}

static void
up_tls_failed(struct msess *ms, struct conn *c)
{
	mitm_note(ms, "its own TLS towards the MX failed; keeping the mail");
	rec_unlink(ms->m->rec, conn_local_port(c));
	conn_close(c);
	ms->up = NULL;
	ms->local = true;
	mitm_set_end(ms->u, "tls failed");
	if (ms->split_mx != NULL) {
		(void)mitm_split_release(ms);
		return;
	}
	if (ms->port != ms->m->implicit_port) {
		(void)mitm_local_starttls_ok(ms);
		return;
	}
	for (size_t i = 0; i < ms->nfifo; i++)
		if (ms->fifo[i].banner && ms->fifo[i].local == NULL)
			ms->fifo[i].local = xasprintf("220 %s ESMTP", ms->m->host);
	(void)mitm_flush_local(ms);
}

static void
up_cb(struct conn *c, enum conn_ev ev, void *arg)
{
	struct msess *ms = arg;

	switch (ev) {
	case CONN_CONNECTED:
		up_connected(ms);
		break;
	case CONN_DATA:
		mitm_on_up_data(ms);
		break;
	case CONN_TLS_OK:
		if (ms->split_mx != NULL)
			(void)mitm_split_up_tls_ok(ms);
		else if (ms->port != ms->m->implicit_port)
			(void)mitm_local_starttls_ok(ms);
		break;
	case CONN_TLS_FAILED:
		up_tls_failed(ms, c);
		break;
	case CONN_ERROR:
		rec_line(ms->m->rec, ms->s, '!', "path: cannot reach the server: %s",
		    conn_errstr(c));
		mitm_sess_end(ms, "server unreachable");
		break;
	case CONN_EOF:
	case CONN_TIMEOUT:
		rec_line(ms->m->rec, ms->s, '!', "path: the server closed the connection");
		mitm_sess_end(ms, ms->quit_seen ? "quit" : "server closed");
		break;
	default:
		break;
	}
}

/* --- accepting: which attacks are in force --- */

static bool
path_verified(const struct mitm *m)
{
	if (m->tls_delivered)
		return true;
	for (const struct msess *ms = m->sessions; ms != NULL; ms = ms->next)
		if (delivered_over_tls(ms->s))
			return true;
	return false;
}

/* Fill ms->act (and the swap_cert and handshake_fail in force) and name
 * the attacks on the session.  Returns the block in force, if any. */
static const struct mitm_attack *
choose(struct msess *ms)
{
	struct mitm *m = ms->m;
	bool verified = path_verified(m);
	const struct mitm_attack *blk = NULL;
	struct buf names;

	for (size_t i = 0; i < m->nattacks; i++) {
		const struct mitm_attack *a = &m->attacks[i];
		const char *name = mitm_kind_name(a->kind);
		if (a->port != 0 && a->port != ms->port)
			continue;
		unsigned n = ++m->nconn[i];
		if (a->nth != 0 && n != a->nth) {
			mitm_note(ms, "%s stands aside: this is connection %u on its "
			    "ports, it takes number %u", name, n, a->nth);
			continue;
		}
		if (a->after_verified && !verified) {
			mitm_note(ms, "%s stands aside: no message has reached the MX "
			    "over TLS on this path yet", name);
			continue;
		}
		if (a->after_verified)
			mitm_note(ms, "%s in force: an earlier session delivered over "
			    "the MX's TLS", name);
		if (a->kind == MITM_BLOCK) {
			if (blk == NULL)
				blk = a;
			continue;
		}
		if (ms->nact == MITM_MAX_ACTIVE)
			continue;
		ms->act[ms->nact++] = a;
		if (a->kind == MITM_SWAP_CERT && ms->swap == NULL) {
			ms->swap = a;
			ms->swap_index = i;
		}
		if (a->kind == MITM_HANDSHAKE_FAIL && ms->hsfail == NULL)
			ms->hsfail = a;
		if (a->kind == MITM_TLS_SPLIT && a->mode != NULL &&
		    strcmp(a->mode, "mx-tls") == 0) {
			if (ms->split_mx == NULL && ms->swap == NULL)
				ms->split_mx = a;
		} else if (a->kind == MITM_TLS_SPLIT && ms->swap == NULL &&
		    ms->split_mx == NULL) {
			ms->swap = a;      /* sender-tls: TLS as swap_cert's */
			ms->swap_index = i;
		}
	}
	if (blk != NULL) {
		rec_set(&ms->s->attack, mitm_kind_name(MITM_BLOCK));
		return blk;
	}
	mitm_hook_accept(ms);
	if (ms->nact == 0)
		return NULL;
	buf_init(&names);
	for (size_t i = 0; i < ms->nact; i++)
		buf_appendf(&names, "%s%s", i ? "+" : "", mitm_kind_name(ms->act[i]->kind));
	rec_set(&ms->s->attack, buf_cstr(&names));
	buf_free(&names);
	return NULL;
}

static void
link_session(struct mitm *m, struct msess *ms)
{
	ms->next = m->sessions;
	if (m->sessions)
		m->sessions->prev = ms;
	m->sessions = ms;
	m->nsessions++;
}

/* Connect to the MX for ms.  Returns false when the session ended. */
static bool
connect_up(struct mitm *m, struct msess *ms)
{
	struct rec_session *s = ms->s;
	uint16_t port = ms->port;

	if (split_sender(ms) && ms->port == m->implicit_port) {
		port = 587;   /* the MX's clear-text submission port */
		mitm_note(ms, "relays to the MX's port 587 in clear text");
	}
	ms->up = conn_connect(m->l, m->src_addr, m->up_addr, port, up_cb, ms);
	if (ms->up == NULL) {
		mitm_sess_end(ms, "server unreachable");
		return false;
	}
	conn_set_max_line(ms->up, 64 * 1024);
	conn_set_timeout(ms->up, m->timeout_ms);
	if (mitm_own_leg(ms)) {
		ms->u = rec_session_new(m->rec, m->host, m->up_addr, port);
		ms->u->via = s->id;
		ms->u->implicit_tls = s->implicit_tls && port == m->implicit_port;
		rec_set(&ms->u->attack, split_sender(ms) || ms->split_mx != NULL ?
		    "tls_split" : "swap_cert");
		rec_link(m->rec, conn_local_port(ms->up), ms->u);
	} else {
		rec_link(m->rec, conn_local_port(ms->up), s);
	}
	return true;
}

static void
on_accept(struct mitm *m, int fd, uint16_t port)
{
	struct rec_session *s = rec_session_new(m->rec, m->host, m->listen_addr, port);
	struct msess *ms = xcalloc(1, sizeof(*ms));
	const struct mitm_attack *blk;

	s->connected = true;
	s->implicit_tls = port == m->implicit_port;
	ms->m = m;
	ms->s = s;
	ms->port = port;
	ms->conn_no = ++m->naccepted;
	smtp_reply_init(&ms->reply);
	blk = choose(ms);
	if (blk != NULL && !mode_is(blk, "blackhole", "refuse")) {
		struct conn *c = conn_new(m->l, fd, cli_cb, NULL);
		rec_line(m->rec, s, '!', "attacker: %s the connection",
		    mode_is(blk, "reset", "refuse") ? "reset" :
		    "refused (reset at once: one refused connection needs a listener)");
		mitm_set_end(s, "reset by attacker");
		conn_reset(c);
		free(ms);
		return;
	}
	link_session(m, ms);
	ms->cli = conn_new(m->l, fd, cli_cb, ms);
	conn_set_max_line(ms->cli, 64 * 1024);
	conn_set_timeout(ms->cli, m->timeout_ms);
	if (blk != NULL) {
		ms->blackhole = true;
		mitm_note(ms, "blackhole: accepted the connection and will never answer");
		return;
	}
	ms->term = ms->swap != NULL;
	if (s->implicit_tls && !ms->term && ms->hsfail != NULL) {
		ms->local = true;      /* the MX never hears of it */
		(void)mitm_to_hsfail(ms);
		return;
	}
	ms->local = ms->term && !split_sender(ms) && !ms->swap->relay;
	if (!ms->local && !connect_up(m, ms))
		return;
	if (s->implicit_tls && !ms->term) {
		ms->mode = M_RAW;
		if (ms->nact > 0)
			mitm_note(ms, "%s cannot act: the sender's TLS with the MX starts "
			    "at once and the path only relays it", s->attack);
		return;
	}
	if (!mitm_start_banner(ms))
		return;
	if (s->implicit_tls && !mitm_start_cli_tls(ms))
		return;
	(void)mitm_flush_local(ms);
}

static void
accept_cb(int fd, uint32_t events, void *arg)
{
	struct mitm *m = arg;
	uint16_t port = 0;

	for (size_t i = 0; i < m->nlfd; i++)
		if (m->lfd[i] == fd)
			port = m->lport[i];
	for (int k = 0; k < 64; k++) {
		int s = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (s < 0) {
			if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
				log_warn(m->host, "accept: %s", strerror(errno));
			return;
		}
		on_accept(m, s, port);
	}
}

/* --- the path --- */

static const char *const *
strv_dup(const char *const *v)
{
	size_t n = 0;
	char **c;

	if (v == NULL)
		return NULL;
	while (v[n] != NULL)
		n++;
	c = xcalloc(n + 1, sizeof(*c));
	for (size_t i = 0; i < n; i++)
		c[i] = xstrdup(v[i]);
	return (const char *const *)c;
}

static void
strv_free(const char *const *v)
{
	if (v == NULL)
		return;
	for (size_t i = 0; v[i] != NULL; i++)
		free((char *)v[i]);
	free((void *)v);
}

static char *
dup_or_null(const char *s)
{
	return s != NULL ? xstrdup(s) : NULL;
}

/* Nothing listens on port: a block "refuse" for every connection there. */
static bool
refused_port(const struct mitm *m, uint16_t port)
{
	for (size_t i = 0; i < m->nattacks; i++) {
		const struct mitm_attack *a = &m->attacks[i];
		if (a->kind == MITM_BLOCK && (a->port == 0 || a->port == port) &&
		    mode_is(a, "refuse", "refuse") && a->nth == 0 && !a->after_verified)
			return true;
	}
	return false;
}

struct mitm *
mitm_new(struct loop *l, const struct mitm_config *cfg, char *err, size_t errlen)
{
	struct mitm *m = xcalloc(1, sizeof(*m));

	m->l = l;
	m->host = xstrdup(cfg->host);
	m->listen_addr = xstrdup(cfg->listen_addr);
	m->up_addr = xstrdup(cfg->upstream_addr);
	m->src_addr = dup_or_null(cfg->src_addr);
	m->implicit_port = cfg->implicit_tls_port;
	m->up_tls = cfg->upstream_tls;
	m->rec = cfg->rec;
	m->timeout_ms = cfg->timeout_ms ? cfg->timeout_ms : 600000;
	m->nattacks = cfg->nattacks;
	m->attacks = xcalloc(cfg->nattacks ? cfg->nattacks : 1, sizeof(*m->attacks));
	m->attack_ctx = xcalloc(cfg->nattacks ? cfg->nattacks : 1, sizeof(*m->attack_ctx));
	m->nconn = xcalloc(cfg->nattacks ? cfg->nattacks : 1, sizeof(*m->nconn));
	for (size_t i = 0; i < cfg->nattacks; i++) {
		struct mitm_attack *a = &m->attacks[i];
		*a = cfg->attacks[i];
		a->mode = dup_or_null(a->mode);
		a->text = dup_or_null(a->text);
		a->step = dup_or_null(a->step);
		a->set = strv_dup(a->set);
		a->add = strv_dup(a->add);
		a->remove = strv_dup(a->remove);
		if (a->kind == MITM_NONE || (unsigned)a->kind >= ARRAY_LEN(kind_names)) {
			snprintf(err, errlen, "%s: attack %zu has no known kind", cfg->host, i + 1);
			mitm_free(m);
			return NULL;
		}
		if (a->kind == MITM_REPLY && a->step == NULL) {
			snprintf(err, errlen, "%s: reply attack without a step", cfg->host);
			mitm_free(m);
			return NULL;
		}
		if (a->kind == MITM_HOOK && a->lua == NULL) {
			snprintf(err, errlen, "%s: hook without its Lua state", cfg->host);
			mitm_free(m);
			return NULL;
		}
		if ((a->kind == MITM_HOOK || a->kind == MITM_TLS_SPLIT) && a->cert != NULL)
			m->attack_ctx[i] = pki_server_ctx(a->cert);
		if (a->kind == MITM_TLS_SPLIT && a->cert == NULL &&
		    !(a->mode != NULL && strcmp(a->mode, "mx-tls") == 0)) {
			snprintf(err, errlen, "%s: tls_split without a certificate", cfg->host);
			mitm_free(m);
			return NULL;
		}
		if (a->kind == MITM_SWAP_CERT) {
			if (a->cert == NULL) {
				snprintf(err, errlen, "%s: swap_cert without a certificate", cfg->host);
				mitm_free(m);
				return NULL;
			}
			m->attack_ctx[i] = pki_server_ctx(a->cert);
		}
	}
	for (size_t i = 0; i < cfg->nports && m->nlfd < MITM_MAX_PORTS; i++) {
		uint16_t port = cfg->ports[i];
		if (refused_port(m, port))
			continue;   /* nothing listens: the sender's SYN gets a RST */
		int fd = conn_listen(m->listen_addr, port);
		if (fd < 0 || loop_add_fd(l, fd, EPOLLIN, accept_cb, m) < 0) {
			snprintf(err, errlen, "%s: cannot listen on %s:%u: %s", cfg->host,
			    m->listen_addr, port, strerror(errno));
			if (fd >= 0)
				close(fd);
			mitm_free(m);
			return NULL;
		}
		m->lfd[m->nlfd] = fd;
		m->lport[m->nlfd++] = port;
	}
	return m;
}

void
mitm_free(struct mitm *m)
{
	if (m == NULL)
		return;
	while (m->sessions != NULL)
		mitm_sess_end(m->sessions, "world torn down");
	for (size_t i = 0; i < m->nlfd; i++) {
		loop_del_fd(m->l, m->lfd[i]);
		close(m->lfd[i]);
	}
	for (size_t i = 0; i < m->nattacks; i++) {
		struct mitm_attack *a = &m->attacks[i];
		free((char *)a->mode);
		free((char *)a->text);
		free((char *)a->step);
		strv_free(a->set);
		strv_free(a->add);
		strv_free(a->remove);
		SSL_CTX_free(m->attack_ctx[i]);
	}
	free(m->attacks);
	free(m->attack_ctx);
	free(m->nconn);
	free(m->host);
	free(m->listen_addr);
	free(m->up_addr);
	free(m->src_addr);
	free(m);
}

unsigned
mitm_sessions(const struct mitm *m)
{
	return m->nsessions;
}
