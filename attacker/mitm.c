/*
 * mitm: the path to one host and the attacks on it.  See mitm.h.
 *
 * A session (struct msess) pairs the sender's connection (cli) with the
 * connection to the real server (up), or with nothing when the attacker
 * keeps the mail.  While the dialogue is plaintext the path reads it line
 * by line: client commands are recorded and forwarded (or answered by the
 * attacker), server replies are collected whole, rewritten by the attack,
 * recorded and forwarded.  Replies come back in command order, so each
 * command leaves an entry in a FIFO; entries the attacker answers itself
 * carry their reply text and are released in order.  Once TLS starts
 * between the sender and the MX the path becomes a byte pipe; when the
 * attacker terminates TLS (swap_cert) it keeps reading lines, inside its
 * own TLS.
 *
 * Logs: every attack action is a '!' line in the session transcript.
 */
#include "attacker/mitm.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/conn.h"
#include "core/util.h"
#include "fake-mx/smtp.h"

#define MITM_MAX_PORTS 8
#define MITM_MAX_PENDING 256

enum after {
	AFTER_NONE,
	AFTER_CLI_TLS,      /* start TLS towards the sender after this reply */
	AFTER_CLOSE,        /* close after this reply */
};

struct pending {
	enum smtp_verb verb;    /* SMTP_V_UNKNOWN for the banner */
	bool banner;
	bool dot;               /* the reply to the end of the message */
	bool ours;              /* our own STARTTLS to the MX (swap_cert relay) */
	char *local;            /* reply the attacker gives, NULL = from upstream */
	enum after after;
};

struct msess;

struct mitm {
	struct loop *l;
	char *host, *listen_addr, *up_addr, *src_addr;
	uint16_t ports[MITM_MAX_PORTS];
	size_t nports;
	uint16_t implicit_port;
	struct mitm_attack *attacks;
	SSL_CTX **attack_ctx;   /* swap_cert server contexts, by attack index */
	size_t nattacks;
	SSL_CTX *up_tls;
	struct rec *rec;
	uint64_t timeout_ms;
	int lfd[MITM_MAX_PORTS];
	uint16_t lport[MITM_MAX_PORTS];
	size_t nlfd;
	struct msess *sessions;
	unsigned nsessions;
};

enum mode { M_LINE, M_RAW };

struct msess {
	struct mitm *m;
	struct msess *next, *prev;
	struct conn *cli, *up;
	struct rec_session *s;      /* the sender's session */
	struct rec_session *u;      /* the attacker's own leg to the MX */
	uint16_t port;
	const struct mitm_attack *atk;
	size_t atk_index;
	enum mode mode;
	bool term;                  /* attacker terminates the sender's TLS */
	bool local;                 /* no upstream: the attacker answers */
	bool blackhole;
	bool in_data;
	bool cli_tls;               /* TLS with the sender is up (term) */
	bool quit_seen;
	size_t data_bytes;
	struct smtp_reply reply;
	struct pending fifo[MITM_MAX_PENDING];
	size_t nfifo;
};

static void cli_cb(struct conn *c, enum conn_ev ev, void *arg);
static void up_cb(struct conn *c, enum conn_ev ev, void *arg);

static const char *const kind_names[] = {
	[MITM_NONE] = "none",
	[MITM_STRIP_STARTTLS] = "strip_starttls",
	[MITM_STARTTLS_ERROR] = "starttls_error",
	[MITM_SWAP_CERT] = "swap_cert",
	[MITM_BLOCK] = "block",
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

/* The block attack on a port, if any. */
static const struct mitm_attack *
find_block(const struct mitm *m, uint16_t port)
{
	for (size_t i = 0; i < m->nattacks; i++)
		if (m->attacks[i].kind == MITM_BLOCK &&
		    (m->attacks[i].port == 0 || m->attacks[i].port == port))
			return &m->attacks[i];
	return NULL;
}

/* The first dialogue attack on a port, if any. */
static const struct mitm_attack *
find_attack(const struct mitm *m, uint16_t port, size_t *index)
{
	for (size_t i = 0; i < m->nattacks; i++) {
		if (m->attacks[i].kind == MITM_BLOCK)
			continue;
		if (m->attacks[i].port == 0 || m->attacks[i].port == port) {
			*index = i;
			return &m->attacks[i];
		}
	}
	return NULL;
}

/* --- session life --- */

static void
note(struct msess *ms, const char *what)
{
	rec_line(ms->m->rec, ms->s, '!', "attacker: %s", what);
}

static void
set_end(struct rec_session *s, const char *why)
{
	if (s != NULL && s->end == NULL)
		rec_set(&s->end, why);
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
	for (size_t i = 0; i < ms->nfifo; i++)
		free(ms->fifo[i].local);
	smtp_reply_clear(&ms->reply);
	free(ms);
}

/* End the session: close both sides (flushing what is queued). */
static void
sess_end(struct msess *ms, const char *why)
{
	set_end(ms->s, why);
	set_end(ms->u, why);
	if (ms->up != NULL) {
		rec_unlink(ms->m->rec, conn_local_port(ms->up));
		conn_close(ms->up);
	}
	if (ms->cli != NULL)
		conn_close(ms->cli);
	sess_free(ms);
}

static bool
attacked(const struct msess *ms)
{
	return ms->s->attack != NULL;
}

/* --- writing to the sender --- */

/* Send reply text ("250-a\n250 b") to the sender, recording each line. */
static void
send_reply_text(struct msess *ms, const char *text)
{
	const char *p = text;

	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		rec_line(ms->m->rec, ms->s, '<', "%.*s", (int)n, p);
		conn_write(ms->cli, p, n);
		conn_write(ms->cli, "\r\n", 2);
		p += n;
		if (*p == '\n')
			p++;
	}
}

/* Returns false when the session ended (too many pipelined commands). */
static bool
push(struct msess *ms, struct pending p)
{
	if (ms->nfifo == MITM_MAX_PENDING) {
		free(p.local);
		note(ms, "too many pipelined commands; dropping the session");
		sess_end(ms, "pipelining overflow");
		return false;
	}
	ms->fifo[ms->nfifo++] = p;
	return true;
}

static void
pop_front(struct msess *ms)
{
	free(ms->fifo[0].local);
	memmove(ms->fifo, ms->fifo + 1, (ms->nfifo - 1) * sizeof(ms->fifo[0]));
	ms->nfifo--;
}

static bool start_cli_tls(struct msess *ms);

/* Release attacker replies at the head of the FIFO.  Returns false when
 * the session ended. */
static bool
flush_local(struct msess *ms)
{
	while (ms->nfifo > 0 && ms->fifo[0].local != NULL) {
		enum after after = ms->fifo[0].after;
		send_reply_text(ms, ms->fifo[0].local);
		pop_front(ms);
		if (after == AFTER_CLOSE) {
			sess_end(ms, ms->quit_seen ? "quit" : "closed by attacker");
			return false;
		}
		if (after == AFTER_CLI_TLS && !start_cli_tls(ms))
			return false;
	}
	return true;
}

static bool
reply_local(struct msess *ms, enum smtp_verb verb, const char *text, enum after after)
{
	if (!push(ms, (struct pending){ .verb = verb, .local = xstrdup(text),
	    .after = after }))
		return false;
	return flush_local(ms);
}

/* --- the attacker's own SMTP server (swap_cert without relay) --- */

static bool
local_answer(struct msess *ms, const struct smtp_cmd *cmd)
{
	char buf[512];
	const char *host = ms->m->host;

	switch (cmd->verb) {
	case SMTP_V_EHLO:
		snprintf(buf, sizeof(buf), "250-%s\n250-PIPELINING\n250-SIZE 10485760\n"
		    "250-8BITMIME\n%s", host, ms->cli_tls ? "250 ENHANCEDSTATUSCODES" :
		    "250-ENHANCEDSTATUSCODES\n250 STARTTLS");
		if (!ms->cli_tls)
			ms->s->starttls_offered = true;
		return reply_local(ms, cmd->verb, buf, AFTER_NONE);
	case SMTP_V_HELO:
		snprintf(buf, sizeof(buf), "250 %s", host);
		return reply_local(ms, cmd->verb, buf, AFTER_NONE);
	case SMTP_V_MAIL:
	case SMTP_V_RCPT:
	case SMTP_V_RSET:
	case SMTP_V_NOOP:
		return reply_local(ms, cmd->verb, "250 2.0.0 Ok", AFTER_NONE);
	case SMTP_V_DATA:
		ms->in_data = true;
		return reply_local(ms, cmd->verb, "354 End data with <CR><LF>.<CR><LF>",
		    AFTER_NONE);
	case SMTP_V_QUIT:
		return reply_local(ms, cmd->verb, "221 2.0.0 Bye", AFTER_CLOSE);
	default:
		return reply_local(ms, cmd->verb, "502 5.5.2 Error: command not recognized",
		    AFTER_NONE);
	}
}

/* --- TLS towards the sender (swap_cert) --- */

static bool
start_cli_tls(struct msess *ms)
{
	SSL_CTX *ctx = ms->m->attack_ctx[ms->atk_index];

	note(ms, "terminating TLS with its own certificate");
	if (conn_starttls(ms->cli, ctx, true, NULL) < 0) {
		sess_end(ms, "attacker TLS setup failed");
		return false;
	}
	return true;
}

static void
record_cli_tls(struct msess *ms, bool ok)
{
	struct rec_session *s = ms->s;
	const struct pki_cert *pc = ms->atk->cert;

	s->tls = ok ? REC_TLS_OK : REC_TLS_FAILED;
	rec_set(&s->tls_by, "attacker");
	if (ok) {
		unsigned char *der = NULL;
		int len = i2d_X509(pki_cert_x509(pc), &der);
		rec_set(&s->tls_version, SSL_get_version(conn_ssl(ms->cli)));
		rec_set_cert(s, pki_cert_label(pc), der, len > 0 ? (size_t)len : 0, NULL, 0);
		OPENSSL_free(der);
		rec_line(ms->m->rec, s, '!', "TLS established with the attacker (%s, certificate %s)",
		    s->tls_version, pki_cert_label(pc));
	} else {
		rec_set(&s->tls_error, conn_tls_error(ms->cli));
		rec_line(ms->m->rec, s, '!', "TLS with the attacker failed: %s",
		    conn_tls_error(ms->cli));
	}
}

/* --- server replies --- */

static bool
is_starttls_line(const char *line)
{
	const char *t = line + 4;
	return strlen(line) >= 12 && strncasecmp(t, "STARTTLS", 8) == 0 &&
	    (t[8] == '\0' || t[8] == ' ');
}

/* Remove STARTTLS from a 250 EHLO reply, fixing the continuation marks. */
static void
strip_starttls(struct msess *ms, struct smtp_reply *r)
{
	size_t o = 0;
	bool removed = false;

	for (size_t i = 0; i < r->nlines; i++) {
		if (i > 0 && is_starttls_line(r->lines[i])) {
			free(r->lines[i]);
			removed = true;
			continue;
		}
		r->lines[o++] = r->lines[i];
	}
	r->nlines = o;
	for (size_t i = 0; i < o; i++)
		if (strlen(r->lines[i]) >= 4)
			r->lines[i][3] = i + 1 < o ? '-' : ' ';
	if (removed)
		note(ms, "removed STARTTLS from the EHLO reply");
}

static void
forward_reply(struct msess *ms, const struct smtp_reply *r)
{
	for (size_t i = 0; i < r->nlines; i++) {
		rec_line(ms->m->rec, ms->s, '<', "%s", r->lines[i]);
		conn_write(ms->cli, r->lines[i], strlen(r->lines[i]));
		conn_write(ms->cli, "\r\n", 2);
	}
}

static void to_raw(struct msess *ms);

/* A whole reply from the MX.  Returns false when the session ended. */
static bool
on_reply(struct msess *ms, struct smtp_reply *r)
{
	struct pending p = { .verb = SMTP_V_UNKNOWN };
	struct rec_session *s = ms->s;

	if (ms->nfifo > 0 && ms->fifo[0].local == NULL) {
		p = ms->fifo[0];
		pop_front(ms);
	}
	if (p.ours) {
		/* reply to the attacker's own STARTTLS towards the MX */
		if (r->code == 220) {
			note(ms, "starting its own TLS towards the MX");
			if (conn_starttls(ms->up, ms->m->up_tls, false, ms->m->host) == 0)
				return true;   /* the 220 to the sender waits for TLS_OK */
		}
		note(ms, "the MX refused its STARTTLS; relaying in plaintext upstream");
		return reply_local(ms, SMTP_V_STARTTLS, "220 2.0.0 Ready to start TLS",
		    AFTER_CLI_TLS);
	}
	if (p.banner)
		s->banner = r->code == 220;
	if (p.verb == SMTP_V_EHLO && r->code == 250) {
		if ((ms->atk && ms->atk->kind == MITM_STRIP_STARTTLS) || ms->cli_tls)
			strip_starttls(ms, r);
		if (!ms->cli_tls && !conn_is_tls(ms->cli))
			s->starttls_offered = smtp_reply_has_capa(r, "STARTTLS");
	}
	forward_reply(ms, r);
	switch (p.verb) {
	case SMTP_V_STARTTLS:
		if (!ms->cli_tls) {
			s->starttls_reply = r->code;
			if (r->code == 220) {
				to_raw(ms);
				return true;
			}
		}
		break;
	case SMTP_V_DATA:
		if (r->code == 354)
			ms->in_data = true;
		break;
	case SMTP_V_UNKNOWN:
		break;
	default:
		break;
	}
	if (p.dot && r->code == 250 && ms->term)
		s->delivered = true;   /* the MX's own record sits on the attacker's leg */
	return flush_local(ms);
}

static void
on_up_data(struct msess *ms)
{
	char *line;
	size_t len;
	int rr;

	if (ms->mode == M_RAW) {
		size_t n;
		const uint8_t *p = conn_peek(ms->up, &n);
		conn_write(ms->cli, p, n);
		conn_consume(ms->up, n);
		return;
	}
	while ((rr = conn_getline(ms->up, &line, &len)) != 0) {
		if (rr < 0) {
			note(ms, "over-long reply line from the server dropped");
			continue;
		}
		int f = smtp_reply_feed(&ms->reply, line, len);
		if (f < 0) {
			note(ms, "malformed reply line from the server, passed on as is");
			rec_line(ms->m->rec, ms->s, '<', "%s", line);
			conn_write(ms->cli, line, len);
			conn_write(ms->cli, "\r\n", 2);
			smtp_reply_clear(&ms->reply);
			continue;
		}
		if (f == 0)
			continue;
		struct smtp_reply r = ms->reply;
		smtp_reply_init(&ms->reply);
		bool alive = on_reply(ms, &r);
		smtp_reply_clear(&r);
		if (!alive)
			return;
		if (ms->mode == M_RAW) {
			on_up_data(ms);   /* whatever followed the 220 */
			return;
		}
	}
}

/* --- client lines --- */

/* Returns false when the session ended. */
static bool
forward_cmd(struct msess *ms, const char *line, size_t len, enum smtp_verb verb)
{
	conn_write(ms->up, line, len);
	conn_write(ms->up, "\r\n", 2);
	return push(ms, (struct pending){ .verb = verb });
}

static bool
on_starttls(struct msess *ms, const char *line, size_t len)
{
	const struct mitm_attack *a = ms->atk;
	char buf[256];

	if (ms->cli_tls || conn_is_tls(ms->cli)) {
		/* a second STARTTLS, inside the attacker's TLS */
		if (ms->local)
			return reply_local(ms, SMTP_V_STARTTLS,
			    "554 5.5.1 Error: TLS already active", AFTER_NONE);
		return forward_cmd(ms, line, len, SMTP_V_STARTTLS);
	}
	ms->s->starttls_issued = true;
	if (a == NULL) {
		return forward_cmd(ms, line, len, SMTP_V_STARTTLS);
	}
	switch (a->kind) {
	case MITM_STRIP_STARTTLS:
		note(ms, "answered STARTTLS itself: not offered (stripped)");
		ms->s->starttls_reply = 502;
		return reply_local(ms, SMTP_V_STARTTLS,
		    "502 5.5.1 Error: command not implemented", AFTER_NONE);
	case MITM_STARTTLS_ERROR:
		if (mode_is(a, "drop", "reply")) {
			note(ms, "dropped the connection at STARTTLS");
			sess_end(ms, "dropped by attacker");
			return false;
		}
		ms->s->starttls_reply = a->code ? a->code : 454;
		snprintf(buf, sizeof(buf), "%d %s", ms->s->starttls_reply,
		    a->text ? a->text : "4.7.0 TLS not available due to local problem");
		note(ms, "answered STARTTLS with an error");
		return reply_local(ms, SMTP_V_STARTTLS, buf, AFTER_NONE);
	case MITM_SWAP_CERT:
		ms->s->starttls_reply = 220;
		if (ms->local)
			return reply_local(ms, SMTP_V_STARTTLS,
			    "220 2.0.0 Ready to start TLS", AFTER_CLI_TLS);
		/* relay: STARTTLS to the MX first, then TLS both ways */
		conn_write(ms->up, "STARTTLS\r\n", 10);
		return push(ms, (struct pending){ .verb = SMTP_V_STARTTLS, .ours = true });
	default:
		return forward_cmd(ms, line, len, SMTP_V_STARTTLS);
	}
}

/* Returns false when the session ended. */
static bool
on_cli_line(struct msess *ms, const char *line, size_t len)
{
	struct rec_session *s = ms->s;
	struct smtp_cmd cmd;

	if (ms->in_data) {
		bool dot = len == 1 && line[0] == '.';
		if (!dot) {
			if (ms->data_bytes == 0) {
				s->data_sent = true;
				s->data_tls = ms->cli_tls || conn_is_tls(ms->cli);
				rec_set(&s->data_to, ms->term ? "attacker" : "mx");
				if (ms->term || attacked(ms)) {
					s->leak = true;
					note(ms, "sees the message content");
				}
			}
			ms->data_bytes += len + 2;
		} else {
			ms->in_data = false;
			rec_line(ms->m->rec, s, '>', "[message: %zu bytes]", ms->data_bytes);
			rec_line(ms->m->rec, s, '>', ".");
		}
		if (ms->local) {
			if (!dot)
				return true;
			s->delivered = true;
			return reply_local(ms, SMTP_V_UNKNOWN,
			    "250 2.0.0 Ok: queued by the attacker", AFTER_NONE);
		}
		conn_write(ms->up, line, len);
		conn_write(ms->up, "\r\n", 2);
		if (!dot)
			return true;
		return push(ms, (struct pending){ .verb = SMTP_V_UNKNOWN, .dot = true });
	}
	rec_line(ms->m->rec, s, '>', "%.*s", (int)len, line);
	if (smtp_cmd_parse(line, len, &cmd) < 0)
		cmd.verb = SMTP_V_UNKNOWN;
	switch (cmd.verb) {
	case SMTP_V_STARTTLS:
		return on_starttls(ms, line, len);
	case SMTP_V_EHLO:
	case SMTP_V_HELO:
		if (ms->cli_tls || conn_is_tls(ms->cli))
			s->ehlo_after_tls = true;
		break;
	case SMTP_V_MAIL:
		s->mail_from = true;
		break;
	case SMTP_V_QUIT:
		ms->quit_seen = true;
		break;
	default:
		break;
	}
	if (ms->local)
		return local_answer(ms, &cmd);
	return forward_cmd(ms, line, len, cmd.verb);
}

static void
on_cli_data(struct msess *ms)
{
	char *line;
	size_t len;
	int r;

	if (ms->blackhole) {
		size_t n;
		(void)conn_peek(ms->cli, &n);
		conn_consume(ms->cli, n);
		return;
	}
	if (ms->mode == M_RAW) {
		size_t n;
		const uint8_t *p = conn_peek(ms->cli, &n);
		conn_write(ms->up, p, n);
		conn_consume(ms->cli, n);
		return;
	}
	while ((r = conn_getline(ms->cli, &line, &len)) != 0) {
		if (r < 0) {
			note(ms, "over-long line from the sender dropped");
			continue;
		}
		if (!on_cli_line(ms, line, len))
			return;
		if (ms->mode == M_RAW) {
			on_cli_data(ms);
			return;
		}
	}
}

static void
to_raw(struct msess *ms)
{
	ms->mode = M_RAW;
	rec_line(ms->m->rec, ms->s, '!', "TLS starts between sender and MX; the path relays it untouched");
	if (ms->cli != NULL) {
		size_t n;
		(void)conn_peek(ms->cli, &n);
		if (n > 0)
			on_cli_data(ms);
	}
}

/* --- connection events --- */

static void
cli_cb(struct conn *c, enum conn_ev ev, void *arg)
{
	struct msess *ms = arg;

	switch (ev) {
	case CONN_DATA:
		on_cli_data(ms);
		break;
	case CONN_TLS_OK:
		ms->cli_tls = true;
		record_cli_tls(ms, true);
		break;
	case CONN_TLS_FAILED:
		record_cli_tls(ms, false);
		sess_end(ms, "tls failed");
		break;
	case CONN_TIMEOUT:
		sess_end(ms, ms->blackhole ? "blackholed" : "timeout");
		break;
	case CONN_EOF:
		sess_end(ms, ms->quit_seen ? "quit" : ms->blackhole ? "blackholed" : "eof");
		break;
	case CONN_ERROR:
		sess_end(ms, "reset");
		break;
	default:
		break;
	}
}

static void
up_connected(struct msess *ms)
{
	if (ms->term && ms->port == ms->m->implicit_port) {
		if (conn_starttls(ms->up, ms->m->up_tls, false, ms->m->host) < 0)
			sess_end(ms, "attacker TLS setup failed");
	}
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
		on_up_data(ms);
		break;
	case CONN_TLS_OK:
		if (ms->port != ms->m->implicit_port)
			(void)reply_local(ms, SMTP_V_STARTTLS, "220 2.0.0 Ready to start TLS",
			    AFTER_CLI_TLS);
		break;
	case CONN_TLS_FAILED:
		note(ms, "its own TLS towards the MX failed; keeping the mail");
		rec_unlink(ms->m->rec, conn_local_port(c));
		conn_close(c);
		ms->up = NULL;
		ms->local = true;
		set_end(ms->u, "tls failed");
		if (ms->port != ms->m->implicit_port) {
			(void)reply_local(ms, SMTP_V_STARTTLS, "220 2.0.0 Ready to start TLS",
			    AFTER_CLI_TLS);
		} else {
			for (size_t i = 0; i < ms->nfifo; i++)
				if (ms->fifo[i].banner && ms->fifo[i].local == NULL) {
					ms->fifo[i].local = xasprintf("220 %s ESMTP", ms->m->host);
				}
			(void)flush_local(ms);
		}
		break;
	case CONN_ERROR:
		rec_line(ms->m->rec, ms->s, '!', "path: cannot reach the server: %s",
		    conn_errstr(c));
		sess_end(ms, "server unreachable");
		break;
	case CONN_EOF:
	case CONN_TIMEOUT:
		rec_line(ms->m->rec, ms->s, '!', "path: the server closed the connection");
		sess_end(ms, ms->quit_seen ? "quit" : "server closed");
		break;
	default:
		break;
	}
}

static void
on_accept(struct mitm *m, int fd, uint16_t port)
{
	const struct mitm_attack *blk = find_block(m, port);
	size_t idx = 0;
	const struct mitm_attack *atk = find_attack(m, port, &idx);
	struct rec_session *s = rec_session_new(m->rec, m->host, m->listen_addr, port);
	struct msess *ms;

	s->connected = true;
	s->implicit_tls = port == m->implicit_port;
	if (blk != NULL || atk != NULL)
		rec_set(&s->attack, mitm_kind_name(blk ? blk->kind : atk->kind));
	if (blk != NULL && mode_is(blk, "reset", "refuse")) {
		struct conn *c = conn_new(m->l, fd, cli_cb, NULL);
		rec_line(m->rec, s, '!', "attacker: reset the connection");
		set_end(s, "reset by attacker");
		conn_reset(c);
		return;
	}
	ms = xcalloc(1, sizeof(*ms));
	ms->m = m;
	ms->s = s;
	ms->port = port;
	ms->atk = blk ? NULL : atk;
	ms->atk_index = idx;
	smtp_reply_init(&ms->reply);
	ms->next = m->sessions;
	if (m->sessions)
		m->sessions->prev = ms;
	m->sessions = ms;
	m->nsessions++;
	ms->cli = conn_new(m->l, fd, cli_cb, ms);
	conn_set_max_line(ms->cli, 64 * 1024);
	conn_set_timeout(ms->cli, m->timeout_ms);
	if (blk != NULL) {
		ms->blackhole = true;
		note(ms, "blackhole: accepted the connection and will never answer");
		return;
	}
	ms->term = ms->atk && ms->atk->kind == MITM_SWAP_CERT;
	ms->local = ms->term && !ms->atk->relay;
	if (!ms->local) {
		ms->up = conn_connect(m->l, m->src_addr, m->up_addr, port, up_cb, ms);
		if (ms->up == NULL) {
			sess_end(ms, "server unreachable");
			return;
		}
		conn_set_max_line(ms->up, 64 * 1024);
		conn_set_timeout(ms->up, m->timeout_ms);
		if (ms->term) {
			ms->u = rec_session_new(m->rec, m->host, m->up_addr, port);
			ms->u->via = s->id;
			ms->u->implicit_tls = s->implicit_tls;
			rec_set(&ms->u->attack, "swap_cert");
			rec_link(m->rec, conn_local_port(ms->up), ms->u);
		} else {
			rec_link(m->rec, conn_local_port(ms->up), s);
		}
	}
	if (s->implicit_tls && !ms->term) {
		ms->mode = M_RAW;
		return;
	}
	if (!push(ms, (struct pending){ .verb = SMTP_V_UNKNOWN, .banner = true,
	    .local = ms->local ? xasprintf("220 %s ESMTP", m->host) : NULL }))
		return;
	if (s->implicit_tls && !start_cli_tls(ms))
		return;
	(void)flush_local(ms);
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

struct mitm *
mitm_new(struct loop *l, const struct mitm_config *cfg, char *err, size_t errlen)
{
	struct mitm *m = xcalloc(1, sizeof(*m));

	m->l = l;
	m->host = xstrdup(cfg->host);
	m->listen_addr = xstrdup(cfg->listen_addr);
	m->up_addr = xstrdup(cfg->upstream_addr);
	m->src_addr = cfg->src_addr ? xstrdup(cfg->src_addr) : NULL;
	m->implicit_port = cfg->implicit_tls_port;
	m->up_tls = cfg->upstream_tls;
	m->rec = cfg->rec;
	m->timeout_ms = cfg->timeout_ms ? cfg->timeout_ms : 600000;
	m->nattacks = cfg->nattacks;
	m->attacks = xcalloc(cfg->nattacks, sizeof(*m->attacks));
	m->attack_ctx = xcalloc(cfg->nattacks, sizeof(*m->attack_ctx));
	for (size_t i = 0; i < cfg->nattacks; i++) {
		m->attacks[i] = cfg->attacks[i];
		m->attacks[i].mode = cfg->attacks[i].mode ? xstrdup(cfg->attacks[i].mode) : NULL;
		m->attacks[i].text = cfg->attacks[i].text ? xstrdup(cfg->attacks[i].text) : NULL;
		if (m->attacks[i].kind == MITM_SWAP_CERT) {
			if (m->attacks[i].cert == NULL) {
				snprintf(err, errlen, "%s: swap_cert without a certificate", cfg->host);
				mitm_free(m);
				return NULL;
			}
			m->attack_ctx[i] = pki_server_ctx(m->attacks[i].cert);
		}
	}
	for (size_t i = 0; i < cfg->nports && m->nlfd < MITM_MAX_PORTS; i++) {
		uint16_t port = cfg->ports[i];
		const struct mitm_attack *blk = find_block(m, port);
		if (blk != NULL && mode_is(blk, "refuse", "refuse"))
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
		sess_end(m->sessions, "world torn down");
	for (size_t i = 0; i < m->nlfd; i++) {
		loop_del_fd(m->l, m->lfd[i]);
		close(m->lfd[i]);
	}
	for (size_t i = 0; i < m->nattacks; i++) {
		free((char *)m->attacks[i].mode);
		free((char *)m->attacks[i].text);
		SSL_CTX_free(m->attack_ctx[i]);
	}
	free(m->attacks);
	free(m->attack_ctx);
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
