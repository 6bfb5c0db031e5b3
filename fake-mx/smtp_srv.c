/*
 * smtp_srv: the fake MX (RFC 5321, STARTTLS per RFC 3207, implicit TLS per
 * RFC 8314, REQUIRETLS advertised inside TLS per RFC 8689).
 *
 * One struct smtp_srv owns its listening sockets and its sessions; each
 * session owns its conn.  Commands are dispatched from a verb table
 * (verb, state needed, handler).  Every reply goes through reply(), the
 * single place where the scenario's overrides apply: the override for the
 * step replaces the reply text, and the handler acts on the code that was
 * actually sent (a 454 to STARTTLS starts no TLS); a NULL override drops
 * the connection; any 421 closes it.  Sessions are freed at the end of the
 * conn callback that ended them (after conn_close), never in the middle.
 *
 * Message content is counted, never stored.  Each session is recorded in
 * the struct rec (core/record.h): the session the MITM proxy linked to the
 * upstream port, or a new one.  In a linked session the MX leaves alone
 * what the proxy saw for the sender (banner, offer, STARTTLS issued) and
 * the TLS and data fields when the attacker terminated TLS or took the
 * data.  Logs: info for each session start and end, garbage input and TLS
 * failures; debug for every line.
 */
#include "fake-mx/smtp.h"
#include "fake-mx/smtp_auth.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/conn.h"
#include "core/util.h"

#define SMTP_MAX_RCPT 1000
#define SMTP_MAX_ERRORS 10
#define SMTP_DEFAULT_SIZE (10u << 20)
#define SMTP_DEFAULT_TIMEOUT 300000

struct smtp_ov {
	char *step;
	char *text;                   /* NULL: drop */
	unsigned nth;                 /* 0: every reply to step; else the nth */
};

#define SMTP_MAX_STEPS 24             /* distinct steps counted per session */

struct smtp_listener {
	struct smtp_srv *srv;
	int fd;
	uint16_t port;
	bool implicit;
	bool submission;              /* 587 or 465: AUTH offered */
};

struct smtp_srv {
	struct loop *l;
	char *host;
	char *addr;
	SSL_CTX *tls;
	char *cert_label;
	uint8_t *cert_der, *chain_der;
	size_t cert_len, chain_len;
	struct smtp_ov *ov;
	size_t nov;
	char **ehlo;                  /* NULL-terminated copy, or NULL */
	struct rec *rec;
	size_t max_size;
	uint64_t timeout_ms;
	enum smtp_reqtls requiretls;  /* where REQUIRETLS is advertised */
	smtp_msg_cb *on_message;      /* message capture (smtp.h), or NULL */
	void *msg_arg;
	struct smtp_listener lst[3];
	size_t nlst;
	struct smtp_sess *sessions;
	unsigned nsessions;
	unsigned nmessages;
	unsigned nqueued;             /* queue ids handed out */
};

/* How far the session got: commands need at least some level. */
enum smtp_level {
	LV_REFUSED,   /* greeting was not 220: only QUIT and NOOP */
	LV_GREETED,
	LV_HELO,
	LV_MAIL,
	LV_RCPT,
};

enum smtp_phase { PH_TLS_WAIT, PH_CMD, PH_DATA };

struct smtp_sess {
	struct smtp_srv *srv;
	struct smtp_sess *next;
	struct conn *c;
	struct rec_session *rs;
	bool own;                /* rs was created by us, not linked by a proxy */
	char where[96];
	bool implicit;
	bool submission;         /* on a submission port: AUTH (smtp_auth.c) */
	struct smtp_auth auth;
	enum smtp_phase phase;
	enum smtp_level level;
	bool starttls_done;      /* TLS came from STARTTLS (not 465) */
	bool long_line;          /* skipping the tail of an over-long line */
	size_t skip;             /* bytes of a plaintext TLS record to drop */
	unsigned nbad;
	unsigned nrcpt;
	size_t data_bytes;
	size_t data_lines;
	bool data_toolong;
	bool close;              /* end the session after this dispatch */
	struct {                 /* replies sent per step (static names) */
		const char *step;
		unsigned n;
	} seen[SMTP_MAX_STEPS];
	size_t nseen;
	const char *end;         /* why, for the record */
	/* message capture, only with srv->on_message */
	char *cap_from;
	char **cap_rcpts;        /* SMTP_MAX_RCPT at most */
	size_t ncap_rcpts;
	struct buf cap_body;     /* max_size bytes at most */
};

struct smtp_handler {
	enum smtp_verb verb;
	enum smtp_level need;
	void (*fn)(struct smtp_sess *, const struct smtp_cmd *);
};

/* ---- recording ---- */

#define REC(s, dir, ...)                                                 \
	do {                                                             \
		if ((s)->srv->rec != NULL && (s)->rs != NULL)            \
			rec_line((s)->srv->rec, (s)->rs, dir, __VA_ARGS__); \
	} while (0)

/* Whether the TLS fields of the record describe our TLS (not the
 * attacker's). */
static bool
rec_tls_ours(const struct smtp_sess *s)
{
	return s->rs != NULL &&
	    (s->rs->tls_by == NULL || strcmp(s->rs->tls_by, "mx") == 0);
}

static bool
rec_data_ours(const struct smtp_sess *s)
{
	return s->rs != NULL &&
	    (s->rs->data_to == NULL || strcmp(s->rs->data_to, "mx") == 0);
}

static void
sess_end(struct smtp_sess *s, const char *why)
{
	s->close = true;
	if (s->end == NULL)
		s->end = why;
}

/* ---- replies: the one place overrides apply ---- */

/* Counts one more reply to step in the session; returns its number (from
 * 1).  Steps past SMTP_MAX_STEPS distinct ones are all reply 1. */
static unsigned
step_count(struct smtp_sess *s, const char *step)
{
	for (size_t i = 0; i < s->nseen; i++)
		if (strcasecmp(s->seen[i].step, step) == 0)
			return ++s->seen[i].n;
	if (s->nseen < SMTP_MAX_STEPS) {
		s->seen[s->nseen].step = step;
		s->seen[s->nseen++].n = 1;
	}
	return 1;
}

/* The override for the nth reply to step: one for exactly that reply,
 * else one for every reply to step, else NULL. */
static const struct smtp_ov *
override_find(const struct smtp_srv *srv, const char *step, unsigned nth)
{
	const struct smtp_ov *any = NULL;

	for (size_t i = 0; i < srv->nov; i++) {
		if (strcasecmp(srv->ov[i].step, step) != 0)
			continue;
		if (srv->ov[i].nth == nth)
			return &srv->ov[i];
		if (srv->ov[i].nth == 0 && any == NULL)
			any = &srv->ov[i];
	}
	return any;
}

/* Sends the reply for step (the override's text if there is one, else
 * dflt; lines separated by '\n').  Returns the code sent, 0 for an
 * override text that is no reply, -1 when the connection is dropped.
 * *sent (if not NULL) gets the text that was sent. */
static int
reply_text(struct smtp_sess *s, const char *step, const char *dflt,
    const char **sent)
{
	const struct smtp_ov *ov = override_find(s->srv, step,
	    step_count(s, step));
	const char *text = dflt, *p, *nl, *t;
	int code = 0;
	bool last;

	if (ov != NULL && ov->text == NULL) {
		log_info(s->where, "dropping the connection at %s (override)", step);
		REC(s, '!', "connection dropped at %s (override)", step);
		sess_end(s, "dropped");
		return -1;
	}
	if (ov != NULL)
		text = ov->text;
	if (sent != NULL)
		*sent = text;
	for (p = text; *p != '\0'; p = nl + (*nl != '\0')) {
		size_t n;

		nl = strchr(p, '\n');
		if (nl == NULL)
			nl = p + strlen(p);
		n = (size_t)(nl - p);
		if (n > 0 && p[n - 1] == '\r')
			n--;
		if (p == text && smtp_reply_parse(p, n, &code, &last, &t) < 0)
			code = 0;
		conn_printf(s->c, "%.*s\r\n", (int)n, p);
		REC(s, '{', "%.*s", (int)n, p);
		log_debug(s->where, "sent: %.*s", (int)n, p);
	}
	if (code >= 500 && code <= 504)
		s->nbad++;
	if (code == 421)
		sess_end(s, "dropped");
	return code;
}

static int PRINTF(3, 4)
reply(struct smtp_sess *s, const char *step, const char *fmt, ...)
{
	va_list ap;
	char *text;
	int code;

	va_start(ap, fmt);
	if (vasprintf(&text, fmt, ap) < 0)
		fatal("out of memory in reply");
	va_end(ap);
	code = reply_text(s, step, text, NULL);
	free(text);
	return code;
}

/* ---- transaction state ---- */

/* Forget the captured envelope and content (a new transaction). */
static void
capture_reset(struct smtp_sess *s)
{
	free(s->cap_from);
	s->cap_from = NULL;
	for (size_t i = 0; i < s->ncap_rcpts; i++)
		free(s->cap_rcpts[i]);
	free(s->cap_rcpts);
	s->cap_rcpts = NULL;
	s->ncap_rcpts = 0;
	buf_free(&s->cap_body);
}

static void
reset_transaction(struct smtp_sess *s)
{
	if (s->level > LV_HELO)
		s->level = LV_HELO;
	s->nrcpt = 0;
	capture_reset(s);
}

/* ---- command handlers ---- */

/* Whether a reply text (lines separated by '\n') lists capa. */
static bool
text_has_capa(const char *text, const char *capa)
{
	struct smtp_reply r;
	bool yes;

	smtp_reply_init(&r);
	for (const char *p = text; *p != '\0';) {
		size_t n = strcspn(p, "\n");
		size_t m = n > 0 && p[n - 1] == '\r' ? n - 1 : n;

		if (smtp_reply_feed(&r, p, m) != 0)
			break;
		p += n + (p[n] != '\0');
	}
	yes = smtp_reply_has_capa(&r, capa);
	smtp_reply_clear(&r);
	return yes;
}

static void
do_ehlo(struct smtp_sess *s, const struct smtp_cmd *cmd)
{
	struct smtp_srv *srv = s->srv;
	const char *capa[8], *const *v = (const char *const *)srv->ehlo;
	const char *sent;
	char size[32];
	size_t n = 0;
	struct buf b;

	if (cmd->arglen == 0) {
		reply(s, "EHLO", "501 5.5.4 Syntax: EHLO hostname");
		return;
	}
	if (v == NULL) {
		snprintf(size, sizeof(size), "SIZE %zu", srv->max_size);
		capa[n++] = "PIPELINING";
		capa[n++] = size;
		capa[n++] = "8BITMIME";
		capa[n++] = "ENHANCEDSTATUSCODES";
		if (srv->tls != NULL && !conn_is_tls(s->c) && !s->implicit)
			capa[n++] = "STARTTLS";
		if (smtp_reqtls_offered(srv->requiretls, conn_is_tls(s->c)))
			capa[n++] = "REQUIRETLS";   /* RFC 8689 2 */
		if (s->submission)   /* before STARTTLS too, as Postfix's
		                      * smtpd_tls_auth_only = no */
			capa[n++] = "AUTH PLAIN LOGIN";
		capa[n] = NULL;
		v = capa;
	}
	for (n = 0; v[n] != NULL; n++)
		;
	buf_init(&b);
	buf_appendf(&b, "250%c%s", n > 0 ? '-' : ' ', srv->host);
	for (size_t i = 0; i < n; i++)
		buf_appendf(&b, "\n250%c%s", i + 1 < n ? '-' : ' ', v[i]);
	if (reply_text(s, "EHLO", buf_cstr(&b), &sent) == 250) {
		reset_transaction(s);
		s->level = LV_HELO;
		if (s->starttls_done && rec_tls_ours(s))
			s->rs->ehlo_after_tls = true;
		/* what the client saw, from the reply as it went out */
		if (s->own && !conn_is_tls(s->c))
			s->rs->starttls_offered = text_has_capa(sent, "STARTTLS");
	}
	buf_free(&b);
}

static void
do_helo(struct smtp_sess *s, const struct smtp_cmd *cmd)
{
	if (cmd->arglen == 0) {
		reply(s, "HELO", "501 5.5.4 Syntax: HELO hostname");
		return;
	}
	if (reply(s, "HELO", "250 %s", s->srv->host) == 250) {
		reset_transaction(s);
		s->level = LV_HELO;
		if (s->starttls_done && rec_tls_ours(s))
			s->rs->ehlo_after_tls = true;
	}
}

static void
do_starttls(struct smtp_sess *s, const struct smtp_cmd *cmd)
{
	struct smtp_srv *srv = s->srv;
	int code;

	if (s->own && !conn_is_tls(s->c))
		s->rs->starttls_issued = true;
	if (cmd->arglen > 0)
		code = reply(s, "STARTTLS", "501 5.5.4 Syntax: STARTTLS");
	else if (conn_is_tls(s->c))
		code = reply(s, "STARTTLS", "503 5.5.1 Error: TLS already active");
	else if (srv->tls == NULL || s->implicit)
		code = reply(s, "STARTTLS", "454 4.7.0 TLS not available");
	else if (s->level > LV_HELO)
		code = reply(s, "STARTTLS",
		    "503 5.5.1 Error: MAIL transaction in progress");
	else
		code = reply(s, "STARTTLS", "220 2.0.0 Ready to start TLS");
	if (s->own && !conn_is_tls(s->c))
		s->rs->starttls_reply = code;
	if (code != 220 || conn_is_tls(s->c) || srv->tls == NULL)
		return;
	if (conn_starttls(s->c, srv->tls, true, NULL) < 0) {
		log_warn(s->where, "cannot start TLS");
		sess_end(s, "dropped");
		return;
	}
	s->phase = PH_TLS_WAIT;
	s->level = LV_GREETED;   /* RFC 3207 4.2: forget everything, EHLO again */
	s->nrcpt = 0;
	memset(&s->auth, 0, sizeof(s->auth));
	capture_reset(s);
	if (conn_discarded(s->c) > 0) {
		log_info(s->where, "plaintext pipelined after STARTTLS discarded "
		    "(%zu bytes)", conn_discarded(s->c));
		REC(s, '!', "plaintext pipelined after STARTTLS discarded (%zu bytes)",
		    conn_discarded(s->c));
	}
}

/* MAIL FROM parameters (RFC 1870 SIZE, RFC 6152 BODY, RFC 8689
 * REQUIRETLS inside TLS; AUTH, ENVID, RET are accepted and ignored).
 * Returns NULL when acceptable, else the reply. */
static const char *
mail_param(const struct smtp_sess *s, const char *tok)
{
	static const char *const ignored[] = { "BODY=", "AUTH=", "ENVID=", "RET=" };

	if (str_casecmp_prefix(tok, "SIZE=") == 0) {
		char *end;
		unsigned long long n = strtoull(tok + 5, &end, 10);

		if (*end != '\0' || end == tok + 5)
			return "501 5.5.4 Bad SIZE parameter";
		if (n > s->srv->max_size)
			return "552 5.3.4 Message size exceeds fixed limit";
		return NULL;
	}
	if (strcasecmp(tok, "REQUIRETLS") == 0 &&
	    smtp_reqtls_offered(s->srv->requiretls, conn_is_tls(s->c)))
		return NULL;   /* only where advertised (smtp_reqtls.c) */
	for (size_t i = 0; i < ARRAY_LEN(ignored); i++)
		if (str_casecmp_prefix(tok, ignored[i]) == 0)
			return NULL;
	return "555 5.5.4 Unsupported option";
}

static void
do_mail(struct smtp_sess *s, const struct smtp_cmd *cmd)
{
	const char *params, *path;
	char *dup, *tok, *save;
	size_t pathlen;
	int code;

	if (s->level >= LV_MAIL) {
		reply(s, "MAIL", "503 5.5.1 Error: nested MAIL command");
		return;
	}
	if (smtp_path_parse(cmd->arg, "FROM:", true, &path, &pathlen,
	    &params) < 0) {
		reply(s, "MAIL", "501 5.5.4 Syntax: MAIL FROM:<address>");
		return;
	}
	if (s->rs != NULL && (s->own || (conn_is_tls(s->c) && rec_tls_ours(s))) &&
	    smtp_mail_requiretls(cmd->arg)) {
		/* what the sender did, where we see it: our own session, or
		 * TLS the path relays untouched (else the proxy records it) */
		s->rs->mail_requiretls = true;
		if (!conn_is_tls(s->c)) {
			s->rs->mail_requiretls_clear = true;
			REC(s, '!', "REQUIRETLS on MAIL FROM outside TLS "
			    "(RFC 8689 2)");
		}
	}
	dup = xstrdup(params);
	for (tok = strtok_r(dup, " ", &save); tok != NULL;
	    tok = strtok_r(NULL, " ", &save)) {
		const char *why = mail_param(s, tok);

		if (why != NULL) {
			reply(s, "MAIL", "%s", why);
			free(dup);
			return;
		}
	}
	free(dup);
	code = reply(s, "MAIL", "250 2.1.0 Ok");
	if (code >= 200 && code < 300) {
		s->level = LV_MAIL;
		s->nrcpt = 0;
		if (s->rs != NULL)
			s->rs->mail_from = true;
		capture_reset(s);
		if (s->srv->on_message != NULL)
			s->cap_from = xstrndup(path, pathlen);
	}
}

static void
do_rcpt(struct smtp_sess *s, const struct smtp_cmd *cmd)
{
	const char *params, *path;
	size_t pathlen;
	int code;

	if (smtp_path_parse(cmd->arg, "TO:", false, &path, &pathlen,
	    &params) < 0) {
		reply(s, "RCPT", "501 5.1.3 Bad recipient address syntax");
		return;
	}
	if (*params != '\0') {
		reply(s, "RCPT", "555 5.5.4 Unsupported option: %.64s", params);
		return;
	}
	if (s->nrcpt >= SMTP_MAX_RCPT) {
		reply(s, "RCPT", "452 4.5.3 Error: too many recipients");
		return;
	}
	code = reply(s, "RCPT", "250 2.1.5 Ok");
	if (code >= 200 && code < 300) {
		s->nrcpt++;
		s->level = LV_RCPT;
		if (s->srv->on_message != NULL) {
			s->cap_rcpts = xrealloc(s->cap_rcpts, (s->ncap_rcpts + 1) *
			    sizeof(*s->cap_rcpts));
			s->cap_rcpts[s->ncap_rcpts++] = xstrndup(path, pathlen);
		}
	}
}

static void
do_data(struct smtp_sess *s, const struct smtp_cmd *cmd)
{
	if (cmd->arglen > 0) {
		reply(s, "DATA", "501 5.5.4 Syntax: DATA");
		return;
	}
	if (reply(s, "DATA", "354 End data with <CR><LF>.<CR><LF>") != 354)
		return;
	s->phase = PH_DATA;
	s->data_bytes = 0;
	s->data_toolong = false;
	s->data_lines = 0;
	conn_set_max_line(s->c, SMTP_TEXT_LINE_MAX - 1);  /* CR counts, LF not */
}

static void
do_bdat(struct smtp_sess *s, const struct smtp_cmd *cmd)
{
	/* CHUNKING is not offered; the chunk that follows is read as
	 * commands and fails as such, which is what RFC 3030 clients that
	 * ignore the EHLO reply get from most servers. */
	reply(s, "BDAT", "502 5.5.1 Error: command not implemented");
}

static void
do_rset(struct smtp_sess *s, const struct smtp_cmd *cmd)
{
	if (cmd->arglen > 0) {
		reply(s, "RSET", "501 5.5.4 Syntax: RSET");
		return;
	}
	if (reply(s, "RSET", "250 2.0.0 Ok") == 250)
		reset_transaction(s);
}

static void
do_noop(struct smtp_sess *s, const struct smtp_cmd *cmd)
{
	reply(s, "NOOP", "250 2.0.0 Ok");
}

static void
do_quit(struct smtp_sess *s, const struct smtp_cmd *cmd)
{
	reply(s, "QUIT", "221 2.0.0 Bye");
	sess_end(s, "quit");
}

static void
do_vrfy(struct smtp_sess *s, const struct smtp_cmd *cmd)
{
	if (cmd->arglen == 0)
		reply(s, "VRFY", "501 5.5.4 Syntax: VRFY address");
	else
		reply(s, "VRFY", "252 2.0.0 Cannot VRFY user, but will accept "
		    "message and attempt delivery");
}

static void
do_help(struct smtp_sess *s, const struct smtp_cmd *cmd)
{
	reply(s, "HELP", "214 2.0.0 mxsim fake MX, see RFC 5321");
}

/* AUTH (RFC 4954) on the submission ports: PLAIN and LOGIN, any
 * non-empty credentials (smtp_auth.c); the record says whether the
 * client sent them inside TLS. */
static void
do_auth(struct smtp_sess *s, const struct smtp_cmd *cmd)
{
	if (!s->submission) {
		reply(s, "AUTH", "503 5.5.1 Error: authentication not enabled");
		return;
	}
	if (s->level > LV_HELO) {
		reply(s, "AUTH", "503 5.5.1 Error: MAIL transaction in progress");
		return;
	}
	if (s->rs != NULL && (s->own || (conn_is_tls(s->c) && rec_tls_ours(s)))) {
		s->rs->auth_sent = true;
		s->rs->auth_tls = conn_is_tls(s->c);
		if (!conn_is_tls(s->c))
			REC(s, '!', "AUTH in clear text (RFC 8314 5.2)");
	}
	reply(s, "AUTH", "%s", smtp_auth_start(&s->auth, cmd->arg));
}

static const struct smtp_handler smtp_handlers[] = {
	{ SMTP_V_EHLO, LV_GREETED, do_ehlo },
	{ SMTP_V_HELO, LV_GREETED, do_helo },
	{ SMTP_V_STARTTLS, LV_HELO, do_starttls },
	{ SMTP_V_MAIL, LV_HELO, do_mail },
	{ SMTP_V_RCPT, LV_MAIL, do_rcpt },
	{ SMTP_V_DATA, LV_RCPT, do_data },
	{ SMTP_V_BDAT, LV_GREETED, do_bdat },
	{ SMTP_V_RSET, LV_GREETED, do_rset },
	{ SMTP_V_NOOP, LV_REFUSED, do_noop },
	{ SMTP_V_QUIT, LV_REFUSED, do_quit },
	{ SMTP_V_VRFY, LV_GREETED, do_vrfy },
	{ SMTP_V_HELP, LV_GREETED, do_help },
	{ SMTP_V_AUTH, LV_HELO, do_auth },
};

static const char *const smtp_need_text[] = {
	[LV_REFUSED] = "",
	[LV_GREETED] = "503 5.5.1 Error: no valid greeting, send QUIT",
	[LV_HELO] = "503 5.5.1 Error: send HELO/EHLO first",
	[LV_MAIL] = "503 5.5.1 Error: need MAIL command",
	[LV_RCPT] = "503 5.5.1 Error: need RCPT command",
};

/* ---- input ---- */

static bool
is_binary(const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)p[i];

		if ((ch < 0x20 && ch != '\t') || ch >= 0x7f)
			return true;
	}
	return false;
}

static void
command(struct smtp_sess *s, const char *line, size_t len)
{
	const struct smtp_handler *h = NULL;
	struct smtp_cmd cmd;
	char clean[80];

	REC(s, '}', "%.*s", (int)len, line);
	log_debug(s->where, "received: %.*s", (int)len, line);
	if (smtp_cmd_parse(line, len, &cmd) < 0 || cmd.verb == SMTP_V_UNKNOWN) {
		if (is_binary(line, len)) {
			str_sanitize(clean, sizeof(clean), line, len);
			log_info(s->where, "binary garbage from the client "
			    "(%zu bytes): %s", len, clean);
		}
		if (len > 0 && memchr(line, '\0', len) != NULL)
			REC(s, '!', "NUL bytes in a command line (%zu bytes)", len);
		if (len == 0 || memchr(line, '\0', len) != NULL)
			reply(s, "error", "500 5.5.2 Error: bad syntax");
		else
			reply(s, "error", "500 5.5.2 Error: command not recognized");
		return;
	}
	for (size_t i = 0; i < ARRAY_LEN(smtp_handlers); i++)
		if (smtp_handlers[i].verb == cmd.verb)
			h = &smtp_handlers[i];
	if (h == NULL) {
		reply(s, "error", "502 5.5.1 Error: command not implemented");
		return;
	}
	if (s->level < h->need) {
		reply_text(s, smtp_verb_name(cmd.verb),
		    s->level == LV_REFUSED ? smtp_need_text[LV_GREETED] :
		    smtp_need_text[h->need], NULL);
		return;
	}
	h->fn(s, &cmd);
}

static void
data_end(struct smtp_sess *s)
{
	struct smtp_srv *srv = s->srv;
	int code;

	REC(s, '}', "[message: %zu bytes]", s->data_bytes);
	s->phase = PH_CMD;
	conn_set_max_line(s->c, SMTP_CMD_LINE_MAX - 1);
	if (s->data_toolong)
		code = reply(s, "DOT", "500 5.5.2 Line too long");
	else if (s->data_bytes > srv->max_size)
		code = reply(s, "DOT", "552 5.3.4 Error: message file too big");
	else
		code = reply(s, "DOT", "250 2.0.0 Ok: queued as %u",
		    srv->nqueued + 1);
	if (code >= 200 && code < 300) {
		srv->nqueued++;
		srv->nmessages++;
		if (s->rs != NULL)
			s->rs->delivered = true;
		log_info(s->where, "message %u accepted (%zu bytes, %s)",
		    srv->nqueued, s->data_bytes,
		    conn_is_tls(s->c) ? "TLS" : "plaintext");
		if (srv->on_message != NULL) {
			struct smtp_msg m = {
				.mail_from = s->cap_from ? s->cap_from : "",
				.rcpts = (const char *const *)s->cap_rcpts,
				.nrcpts = s->ncap_rcpts,
				.data = s->cap_body.len ? buf_cstr(&s->cap_body) : "",
				.len = s->cap_body.len,
				.tls = conn_is_tls(s->c),
				.mx = srv->host,
			};
			srv->on_message(&m, srv->msg_arg);
		}
	}
	reset_transaction(s);
}

static void
data_line(struct smtp_sess *s, const char *line, size_t len)
{
	if (s->data_lines++ == 0 && s->rs != NULL && rec_data_ours(s)) {
		/* content arrives (even an empty message's lone dot) */
		s->rs->data_sent = true;
		s->rs->data_tls = conn_is_tls(s->c);
		rec_set(&s->rs->data_to, "mx");
	}
	if (len == 1 && line[0] == '.') {
		data_end(s);
		return;
	}
	if (len > 0 && line[0] == '.') {
		line++;         /* RFC 5321 4.5.2 transparency */
		len--;
	}
	s->data_bytes += len + 2;   /* counted; kept only for on_message */
	if (s->srv->on_message != NULL && !s->data_toolong &&
	    s->data_bytes <= s->srv->max_size) {
		buf_append(&s->cap_body, line, len);
		buf_append(&s->cap_body, "\r\n", 2);
	}
}

/* A TLS record on a plaintext port: a client that expected implicit TLS
 * (or an attacker's probe).  Swallow the record as one bad command so the
 * client gets an answer at once instead of waiting for a line end.
 * Returns 1 when it did, 0 when the input is no TLS record, -1 when the
 * record header is not complete yet. */
static int
tls_record(struct smtp_sess *s)
{
	size_t n, reclen;
	const uint8_t *p = conn_peek(s->c, &n);

	if (n == 0 || p[0] != 0x16)
		return 0;
	if (n < 5)
		return memchr(p, '\n', n) != NULL ? 0 : -1;
	if (p[1] != 0x03 || p[2] > 0x04)
		return 0;
	reclen = 5 + ((size_t)p[3] << 8 | p[4]);
	log_info(s->where, "TLS handshake record (%zu bytes) on a plaintext "
	    "SMTP port: the client expected implicit TLS", reclen);
	REC(s, '!', "TLS handshake record (%zu bytes) before STARTTLS", reclen);
	if (reclen > n) {
		s->skip = reclen - n;
		reclen = n;
	}
	conn_consume(s->c, reclen);
	reply(s, "error", "500 5.5.1 Error: TLS handshake on a plaintext port, "
	    "use STARTTLS");
	return 1;
}

static void
sess_read(struct smtp_sess *s)
{
	char *line;
	size_t len;
	int r;

	while (!s->close && s->phase != PH_TLS_WAIT) {
		if (s->phase == PH_CMD && s->skip > 0) {
			size_t n;
			(void)conn_peek(s->c, &n);
			if (n == 0)
				break;
			n = n < s->skip ? n : s->skip;
			conn_consume(s->c, n);
			s->skip -= n;
			continue;
		}
		if (s->phase == PH_CMD && !s->long_line) {
			r = tls_record(s);
			if (r < 0)
				break;
			if (r > 0)
				goto check;
		}
		r = conn_getline(s->c, &line, &len);
		if (r == 0)
			break;
		if (r < 0) {
			s->long_line = true;
			if (s->phase == PH_DATA) {
				s->data_toolong = true;
				s->data_bytes += SMTP_TEXT_LINE_MAX;
				continue;
			}
			REC(s, '!', "command line too long (skipped)");
			log_info(s->where, "command line longer than %d octets",
			    SMTP_CMD_LINE_MAX);
			reply(s, "error", "500 5.5.2 Line too long");
			goto check;
		}
		s->long_line = false;
		if (s->phase == PH_DATA) {
			data_line(s, line, len);
		} else if (smtp_auth_busy(&s->auth)) {   /* a SASL response */
			REC(s, '}', "%.*s", (int)len, line);
			reply(s, "AUTH", "%s", smtp_auth_step(&s->auth, line, len));
		} else {
			command(s, line, len);
		}
check:
		if (s->nbad >= SMTP_MAX_ERRORS && !s->close) {
			log_info(s->where, "%u bad commands, closing", s->nbad);
			reply(s, "errors", "421 4.7.0 %s Error: too many errors",
			    s->srv->host);
			sess_end(s, "dropped");
		}
	}
}

/* ---- session life ---- */

static void
banner(struct smtp_sess *s)
{
	int code = reply(s, "banner", "220 %s ESMTP mxsim", s->srv->host);

	s->phase = PH_CMD;
	s->level = code == 220 ? LV_GREETED : LV_REFUSED;
	if (s->own && code == 220)
		s->rs->banner = true;
}

static void
tls_ok(struct smtp_sess *s)
{
	SSL *ssl = conn_ssl(s->c);
	struct smtp_srv *srv = s->srv;

	log_info(s->where, "TLS established (%s, %s)", SSL_get_version(ssl),
	    SSL_get_cipher_name(ssl));
	REC(s, '!', "TLS established (%s)", SSL_get_version(ssl));
	if (rec_tls_ours(s)) {
		s->rs->tls = REC_TLS_OK;
		rec_set(&s->rs->tls_by, "mx");
		rec_set(&s->rs->tls_version, SSL_get_version(ssl));
		rec_set_cert(s->rs, srv->cert_label, srv->cert_der,
		    srv->cert_len, srv->chain_der, srv->chain_len);
	}
	if (s->implicit) {
		banner(s);
	} else {
		s->starttls_done = true;
		s->phase = PH_CMD;
		s->level = LV_GREETED;
	}
}

static void
tls_failed(struct smtp_sess *s)
{
	const char *why = conn_tls_error(s->c);
	struct smtp_srv *srv = s->srv;

	log_info(s->where, "TLS handshake failed: %s", why);
	REC(s, '!', "TLS handshake failed: %s", why);
	if (rec_tls_ours(s)) {
		s->rs->tls = REC_TLS_FAILED;
		rec_set(&s->rs->tls_by, "mx");
		rec_set(&s->rs->tls_error, why);
		/* the sender saw the certificate it refused: the judge names
		 * the failure after it (RFC 8460 4.3.2) */
		if (conn_tls_cert_sent(s->c))
			rec_set_cert(s->rs, srv->cert_label, srv->cert_der,
			    srv->cert_len, srv->chain_der, srv->chain_len);
	}
	sess_end(s, "tls-failed");
}

static void
sess_free(struct smtp_sess *s)
{
	struct smtp_sess **pp;

	for (pp = &s->srv->sessions; *pp != NULL; pp = &(*pp)->next) {
		if (*pp == s) {
			*pp = s->next;
			break;
		}
	}
	s->srv->nsessions--;
	capture_reset(s);
	free(s);
}

/* Called at the end of a dispatch that ended the session. */
static void
sess_finish(struct smtp_sess *s)
{
	log_info(s->where, "session ends: %s", s->end ? s->end : "closed");
	if (s->rs != NULL && s->end != NULL && (s->own || s->rs->end == NULL))
		rec_set(&s->rs->end, s->end);
	conn_close(s->c);
	sess_free(s);
}

static void
sess_cb(struct conn *c, enum conn_ev ev, void *arg)
{
	struct smtp_sess *s = arg;

	switch (ev) {
	case CONN_DATA:
		sess_read(s);
		break;
	case CONN_TLS_OK:
		tls_ok(s);
		sess_read(s);   /* a client may pipeline EHLO into the handshake */
		break;
	case CONN_TLS_FAILED:
		tls_failed(s);
		break;
	case CONN_TIMEOUT:
		log_info(s->where, "idle timeout");
		REC(s, '!', "idle timeout");
		sess_end(s, "timeout");
		if (s->phase != PH_TLS_WAIT) {
			reply(s, "timeout", "421 4.4.2 %s Error: timeout exceeded",
			    s->srv->host);
		} else if (rec_tls_ours(s)) {
			s->rs->tls = REC_TLS_FAILED;
			rec_set(&s->rs->tls_by, "mx");
			rec_set(&s->rs->tls_error, "timeout during the TLS handshake");
		}
		break;
	case CONN_EOF:
		REC(s, '!', "client closed the connection");
		sess_end(s, "eof");
		break;
	case CONN_ERROR:
		REC(s, '!', "connection error: %s", conn_errstr(c));
		log_info(s->where, "connection error: %s", conn_errstr(c));
		sess_end(s, "reset");
		break;
	case CONN_CONNECTED:
	case CONN_DRAINED:
		break;
	}
	if (s->close)
		sess_finish(s);
}

static void
sess_new(struct smtp_listener *lst, int fd)
{
	struct smtp_srv *srv = lst->srv;
	struct smtp_sess *s = xcalloc(1, sizeof(*s));

	s->srv = srv;
	s->implicit = lst->implicit;
	s->submission = lst->submission;
	s->c = conn_new(srv->l, fd, sess_cb, s);
	conn_set_max_line(s->c, SMTP_CMD_LINE_MAX - 1);
	conn_set_timeout(s->c, srv->timeout_ms);
	conn_set_progress_timeout(s->c, true);   /* slowloris meets it too */
	snprintf(s->where, sizeof(s->where), "mx %s:%u <- %s:%u", srv->host,
	    lst->port, conn_peer_ip(s->c), conn_peer_port(s->c));
	s->next = srv->sessions;
	srv->sessions = s;
	srv->nsessions++;
	if (srv->rec != NULL) {
		s->rs = rec_by_upstream(srv->rec, conn_peer_port(s->c));
		if (s->rs == NULL) {
			s->own = true;
			s->rs = rec_session_new(srv->rec, srv->host,
			    conn_peer_ip(s->c), lst->port);
			s->rs->connected = true;
		}
		if (s->implicit)
			s->rs->implicit_tls = true;
	}
	log_info(s->where, "connection%s", s->implicit ? " (implicit TLS)" : "");
	REC(s, '!', "mx %s accepted a connection on port %u", srv->host,
	    lst->port);
	if (s->implicit) {
		s->phase = PH_TLS_WAIT;
		if (conn_starttls(s->c, srv->tls, true, NULL) < 0) {
			log_warn(s->where, "cannot start TLS");
			sess_end(s, "dropped");
		}
	} else {
		banner(s);
	}
	if (s->close)
		sess_finish(s);
}

static void
accept_cb(int fd, uint32_t events, void *arg)
{
	struct smtp_listener *lst = arg;

	for (;;) {
		int cfd = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

		if (cfd < 0) {
			if (errno == EINTR)
				continue;
			if (errno != EAGAIN && errno != EWOULDBLOCK)
				log_warn("smtp", "accept on %s:%u: %s",
				    lst->srv->addr, lst->port, strerror(errno));
			return;
		}
		sess_new(lst, cfd);
	}
}

/* ---- the server ---- */

static uint8_t *
dupmem(const uint8_t *p, size_t n, size_t *outlen)
{
	uint8_t *q;

	*outlen = p != NULL ? n : 0;
	if (*outlen == 0)
		return NULL;
	q = xmalloc(n);
	memcpy(q, p, n);
	return q;
}

struct smtp_srv *
smtp_srv_new(struct loop *l, const struct smtp_srv_config *cfg, char *err,
    size_t errlen)
{
	struct smtp_srv *s;
	const struct {
		uint16_t port;
		bool implicit;
	} ports[] = {
		{ cfg->port_smtp, false },
		{ cfg->port_submission, false },
		{ cfg->tls != NULL ? cfg->port_smtps : 0, true },
	};

	if (cfg->host == NULL || cfg->addr == NULL) {
		snprintf(err, errlen, "smtp server needs a host name and address");
		return NULL;
	}
	s = xcalloc(1, sizeof(*s));
	s->l = l;
	s->host = xstrdup(cfg->host);
	s->addr = xstrdup(cfg->addr);
	s->tls = cfg->tls;
	s->cert_label = cfg->cert_label ? xstrdup(cfg->cert_label) : NULL;
	s->cert_der = dupmem(cfg->cert_der, cfg->cert_len, &s->cert_len);
	s->chain_der = dupmem(cfg->chain_der, cfg->chain_len, &s->chain_len);
	s->ov = xcalloc(cfg->noverrides, sizeof(*s->ov));
	for (size_t i = 0; i < cfg->noverrides; i++) {
		if (cfg->overrides[i].step == NULL) {
			snprintf(err, errlen, "override %zu has no step", i + 1);
			smtp_srv_free(s);
			return NULL;
		}
		s->ov[i].step = xstrdup(cfg->overrides[i].step);
		s->ov[i].text = cfg->overrides[i].text ?
		    xstrdup(cfg->overrides[i].text) : NULL;
		s->nov++;
		char *hash = strchr(s->ov[i].step, '#'), *end;
		if (hash != NULL) {
			unsigned long n = strtoul(hash + 1, &end, 10);
			if (hash[1] < '1' || hash[1] > '9' || *end != '\0' || n > 1000000) {
				snprintf(err, errlen, "override %s: STEP#N wants N from 1",
				    s->ov[i].step);
				smtp_srv_free(s);
				return NULL;
			}
			*hash = '\0';
			s->ov[i].nth = (unsigned)n;
		}
	}
	if (cfg->ehlo != NULL) {
		size_t n = 0;
		while (cfg->ehlo[n] != NULL)
			n++;
		s->ehlo = xcalloc(n + 1, sizeof(*s->ehlo));
		for (size_t i = 0; i < n; i++)
			s->ehlo[i] = xstrdup(cfg->ehlo[i]);
	}
	s->rec = cfg->rec;
	s->max_size = cfg->max_size ? cfg->max_size : SMTP_DEFAULT_SIZE;
	s->timeout_ms = cfg->timeout_ms ? cfg->timeout_ms : SMTP_DEFAULT_TIMEOUT;
	s->requiretls = cfg->requiretls;
	s->on_message = cfg->on_message;
	s->msg_arg = cfg->msg_arg;
	for (size_t i = 0; i < ARRAY_LEN(ports); i++) {
		struct smtp_listener *lst = &s->lst[s->nlst];

		if (ports[i].port == 0)
			continue;
		lst->srv = s;
		lst->port = ports[i].port;
		lst->implicit = ports[i].implicit;
		lst->submission = i > 0;   /* 587 and 465 */
		lst->fd = conn_listen(s->addr, lst->port);
		if (lst->fd < 0) {
			snprintf(err, errlen, "smtp %s: cannot listen on %s:%u: %s",
			    s->host, s->addr, lst->port, strerror(errno));
			smtp_srv_free(s);
			return NULL;
		}
		if (loop_add_fd(l, lst->fd, EPOLLIN, accept_cb, lst) < 0) {
			close(lst->fd);
			snprintf(err, errlen, "smtp %s: cannot watch fd", s->host);
			smtp_srv_free(s);
			return NULL;
		}
		s->nlst++;
	}
	log_info("smtp", "mx %s listening on %s (%zu ports)", s->host, s->addr,
	    s->nlst);
	return s;
}

void
smtp_srv_free(struct smtp_srv *s)
{
	if (s == NULL)
		return;
	for (size_t i = 0; i < s->nlst; i++) {
		loop_del_fd(s->l, s->lst[i].fd);
		close(s->lst[i].fd);
	}
	while (s->sessions != NULL) {
		struct smtp_sess *sess = s->sessions;

		conn_abort(sess->c);
		sess_free(sess);
	}
	for (size_t i = 0; i < s->nov; i++) {
		free(s->ov[i].step);
		free(s->ov[i].text);
	}
	free(s->ov);
	if (s->ehlo != NULL)
		for (char **e = s->ehlo; *e != NULL; e++)
			free(*e);
	free(s->ehlo);
	free(s->host);
	free(s->addr);
	free(s->cert_label);
	free(s->cert_der);
	free(s->chain_der);
	free(s);
}

unsigned
smtp_srv_messages(const struct smtp_srv *s)
{
	return s->nmessages;
}

unsigned
smtp_srv_sessions(const struct smtp_srv *s)
{
	return s->nsessions;
}
