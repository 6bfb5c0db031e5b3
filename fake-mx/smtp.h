/*
 * smtp: the SMTP command and reply parser (sans-I/O, shared by the fake MX,
 * the attacker's proxy and the reference sender) and the fake MX server.
 *
 * Parser: lines are given without their CRLF.  Pointers handed back (an
 * argument, a reply text) point into the caller's line; they are
 * NUL-terminated when the line is (conn_getline() lines are).
 *
 * Server: one struct smtp_srv listens on up to three ports of one address
 * (25 and 587 with STARTTLS, 465 with implicit TLS) on a struct loop and
 * records every session in a struct rec.  See smtp_srv.c for the protocol.
 */
#ifndef MXSIM_SMTP_H
#define MXSIM_SMTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <openssl/ssl.h>

#include "core/loop.h"
#include "core/record.h"

/* ---- commands ---- */

enum smtp_verb {
	SMTP_V_UNKNOWN,
	SMTP_V_EHLO,
	SMTP_V_HELO,
	SMTP_V_MAIL,
	SMTP_V_RCPT,
	SMTP_V_DATA,
	SMTP_V_BDAT,
	SMTP_V_RSET,
	SMTP_V_NOOP,
	SMTP_V_QUIT,
	SMTP_V_STARTTLS,
	SMTP_V_VRFY,
	SMTP_V_HELP,
	SMTP_V_AUTH,
};

#define SMTP_VERB_MAX 16        /* longer first words are syntax errors */
#define SMTP_CMD_LINE_MAX 512   /* RFC 5321 4.5.3.1.4, CRLF included */
#define SMTP_TEXT_LINE_MAX 1000 /* RFC 5321 4.5.3.1.6, CRLF included */
#define SMTP_REPLY_MAX_LINES 100

struct smtp_cmd {
	enum smtp_verb verb;  /* SMTP_V_UNKNOWN for a well-formed unknown verb */
	const char *arg;      /* into the line, after the verb and spaces; "" if none */
	size_t arglen;        /* bytes of arg up to the end of the line */
};

/* Splits a command line.  Returns 0, or -1 for a syntax error: NUL bytes,
 * an empty line, a verb longer than SMTP_VERB_MAX.  Verbs are
 * case-insensitive; a verb ends at a space (or the end of the line). */
int smtp_cmd_parse(const char *line, size_t len, struct smtp_cmd *out)
	__attribute__((warn_unused_result));
/* "STARTTLS" for SMTP_V_STARTTLS; "?" for SMTP_V_UNKNOWN. */
const char *smtp_verb_name(enum smtp_verb v);
/* Case-insensitive; SMTP_V_UNKNOWN when not a verb of the table. */
enum smtp_verb smtp_verb_lookup(const char *name);

/* The path argument of MAIL and RCPT: arg "FROM:<a@b.test> SIZE=10" with
 * keyword "FROM:" (case-insensitive; a space after the colon is
 * tolerated).  The path must be in angle brackets, without spaces or
 * controls, with an '@' (or be "postmaster"); "<>" only if allow_empty.
 * Returns 0 and sets *path and *pathlen (inside the brackets), *params
 * (after the path and its spaces, "" if none); any of them may be NULL.
 * Returns -1 for a syntax error. */
int smtp_path_parse(const char *arg, const char *keyword, bool allow_empty,
	const char **path, size_t *pathlen, const char **params)
	__attribute__((warn_unused_result));

/* ---- replies ---- */

/* "250-PIPELINING" -> code 250, last false, text "PIPELINING".  Returns 0,
 * or -1 when not a reply line: it needs 3 digits (first one 1-5) then ' ',
 * '-' or the end of the line ("250" alone is a last line, text ""). */
int smtp_reply_parse(const char *line, size_t len, int *code, bool *last,
	const char **text) __attribute__((warn_unused_result));

/* One multi-line reply, accumulated from lines. */
struct smtp_reply {
	int code;       /* 0 until the first line */
	char **lines;   /* the full raw lines without CRLF, owned */
	size_t nlines;
	bool done;      /* the last line was seen */
};

void smtp_reply_init(struct smtp_reply *r);
void smtp_reply_clear(struct smtp_reply *r);  /* frees lines, back to init */
/* Feeds one line.  Returns 1 when the reply is complete, 0 when more lines
 * are needed, -1 for a malformed line, a code that changes mid-reply or
 * more than SMTP_REPLY_MAX_LINES lines (the line is not kept).  Feeding a
 * complete reply starts a new one (the old lines are freed). */
int smtp_reply_feed(struct smtp_reply *r, const char *line, size_t len)
	__attribute__((warn_unused_result));
/* Whether a (250) EHLO reply lists the keyword capa (case-insensitive:
 * "STARTTLS", "SIZE").  The first line is the greeting and is skipped. */
bool smtp_reply_has_capa(const struct smtp_reply *r, const char *capa);

/* ---- the fake MX server ---- */

/* Reply override.  step: "banner", "EHLO", "HELO", "STARTTLS", "MAIL",
 * "RCPT", "DATA", "DOT" (after the message), "RSET", "NOOP", "QUIT" (and
 * any other verb name: "VRFY", "HELP", "BDAT", "AUTH"), "error" (the 500s
 * to bad input), "errors" (the 421 after 10 of them), "timeout" (the 421
 * at the idle timeout).  It replaces every reply to that step, the error
 * replies (503 bad sequence, 501 syntax) included.  text: the full
 * reply, lines separated by "\n" ("250-a\n250 b"); its code decides what
 * the server does next (a 454 to STARTTLS starts no TLS, a 550 to MAIL
 * opens no transaction, 421 closes).  text "": no reply at all (the
 * client waits into its timeout).  text NULL: drop the connection at that
 * step without a reply.  A step "RCPT#3" (STEP#N, N from 1) is only the
 * N-th reply to that step in a session (counted per session, over
 * STARTTLS: the post-TLS EHLO is "EHLO#2"), and wins over an override of
 * plain "RCPT" (replay --as-server serves a recorded dialogue this way). */
struct smtp_override {
	const char *step;
	const char *text;
};

/* Where the server advertises REQUIRETLS (RFC 8689 2; smtp_reqtls.c):
 * inside TLS only (the default, as the RFC has it), nowhere, only
 * before STARTTLS (a broken server: CONFORMANCE L124), or in both. */
enum smtp_reqtls {
	SMTP_REQTLS_TLS,
	SMTP_REQTLS_OFF,
	SMTP_REQTLS_PLAIN,
	SMTP_REQTLS_BOTH,
};

/* Whether mode advertises (and accepts) REQUIRETLS in a session that is
 * (tls) or is not inside TLS. */
bool smtp_reqtls_offered(enum smtp_reqtls mode, bool tls);
/* "tls", "off", "plaintext", "both". */
const char *smtp_reqtls_name(enum smtp_reqtls mode);
/* Whether the MAIL FROM argument ("FROM:<a@b> SIZE=1 REQUIRETLS")
 * carries the REQUIRETLS parameter (keyword case-insensitive).  False
 * when the argument does not parse. */
bool smtp_mail_requiretls(const char *arg);

/* One accepted message (smtp_srv_config.on_message): the envelope and
 * the content as received, dot-unstuffed, CRLF line ends, without the
 * final ".".  Everything is borrowed for the call only. */
struct smtp_msg {
	const char *mail_from;       /* reverse-path inside <>, "" for <> */
	const char *const *rcpts;    /* forward-paths accepted, in order */
	size_t nrcpts;
	const char *data;            /* NUL-terminated too */
	size_t len;
	bool tls;                    /* DATA came inside TLS */
	const char *mx;              /* the server's host name */
};
typedef void smtp_msg_cb(const struct smtp_msg *m, void *arg);

struct smtp_srv_config {
	const char *host;            /* MX host name: banner and EHLO greeting */
	const char *addr;            /* address to bind */
	uint16_t port_smtp;          /* 25: STARTTLS; 0 = don't listen */
	uint16_t port_submission;    /* 587: STARTTLS; 0 = don't listen */
	uint16_t port_smtps;         /* 465: implicit TLS; 0 = don't listen */
	SSL_CTX *tls;                /* borrowed; NULL: no STARTTLS, no 465 */
	const char *cert_label;      /* recorded with the session */
	const uint8_t *cert_der;     /* the leaf the context presents */
	size_t cert_len;
	const uint8_t *chain_der;    /* concatenated DER of the chain */
	size_t chain_len;
	const struct smtp_override *overrides;
	size_t noverrides;
	const char *const *ehlo;     /* capabilities (NULL-terminated) or NULL */
	struct rec *rec;             /* may be NULL */
	size_t max_size;             /* SIZE; 0 = 10 MiB */
	uint64_t timeout_ms;         /* idle timeout; 0 = 300000 */
	enum smtp_reqtls requiretls; /* default: advertised inside TLS */
	smtp_msg_cb *on_message;     /* NULL: message contents are counted,
	                              * never kept; else each message accepted
	                              * (max_size bytes at most) is kept for
	                              * the call and handed over after its 250 */
	void *msg_arg;
};

struct smtp_srv;

/* Binds and listens.  Copies everything it needs from cfg except tls and
 * rec, which must outlive the server.  NULL with a message in err. */
struct smtp_srv *smtp_srv_new(struct loop *l, const struct smtp_srv_config *cfg,
	char *err, size_t errlen);
/* Closes listeners and aborts live sessions (their record keeps no end:
 * the sender never finished).  NULL is a no-op. */
void smtp_srv_free(struct smtp_srv *s);
unsigned smtp_srv_messages(const struct smtp_srv *s);  /* accepted so far */
unsigned smtp_srv_sessions(const struct smtp_srv *s);  /* live sessions */

#endif
