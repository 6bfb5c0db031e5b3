/*
 * record: the session recorder.  One struct rec per scenario run holds
 * every session a sender opened towards the world, as seen on the wire by
 * the path (attacker/proxy) and the fake servers.  Sessions are plain data:
 * the actors fill the fields, the verdict engine and the reports read them.
 *
 * Strings in a session are owned by it (set them with rec_set()); the
 * certificate is kept as DER.  rec_free() frees everything.
 */
#ifndef MXSIM_RECORD_H
#define MXSIM_RECORD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/loop.h"
#include "core/util.h"

enum rec_tls { REC_TLS_NONE, REC_TLS_OK, REC_TLS_FAILED };

/* dir: '>' sender to server, '<' server to sender, '}' attacker to MX,
 * '{' MX to attacker, '!' a note (what an attacker changed, errors). */
struct rec_line {
	uint64_t t_ms;
	char dir;
	char *text;
};

struct rec_session {
	unsigned id;          /* 1-based, in order of connection */
	unsigned phase;       /* phase and message the sender was working on */
	unsigned message;
	char *host;           /* host name the address belongs to */
	char *addr;
	uint16_t port;
	char *attack;         /* attack on this path, NULL if none */
	bool implicit_tls;    /* port 465 style */
	unsigned via;         /* 0: a sender's session; else the id of the
	                       * sender session this attacker-to-MX leg carries */
	bool dns;             /* a DNS exchange an attacker changed (attacker/
	                       * mitm_dns.c): evidence, not an SMTP session;
	                       * host is the query name, port 53 */

	bool connected;       /* TCP established */
	bool banner;          /* sender got a 220 greeting */
	bool starttls_offered; /* the EHLO reply the sender got listed STARTTLS */
	bool starttls_issued; /* the sender sent STARTTLS */
	int starttls_reply;   /* reply code the sender got to STARTTLS */
	bool ehlo_after_tls;  /* sender re-issued EHLO inside TLS */
	enum rec_tls tls;
	char *tls_by;         /* "mx" or "attacker": who terminated TLS */
	char *tls_version;
	char *tls_error;      /* why the handshake failed */
	char *cert_label;     /* the certificate variant presented */
	uint8_t *cert_der;    /* the leaf presented, DER */
	size_t cert_len;
	uint8_t *chain_der;   /* concatenated DER of the rest of the chain */
	size_t chain_len;

	bool mail_from;       /* sender issued MAIL FROM */
	bool mail_requiretls; /* ... with the REQUIRETLS parameter (RFC 8689) */
	bool mail_requiretls_clear; /* ... outside TLS (forbidden: RFC 8689 2) */
	bool data_sent;       /* message content left the sender */
	bool data_tls;        /* ... inside TLS */
	char *data_to;        /* "mx" or "attacker" */
	bool delivered;       /* an MX accepted the message (250 after DATA) */
	bool leak;            /* the attacker saw message content */
	bool content_protected; /* the content's header says S/MIME
	                         * enveloped-data (application/pkcs7-mime) */
	char *end;            /* "quit", "eof", "reset", "timeout", "refused", ... */

	struct rec_line *lines;
	size_t nlines;
	size_t caplines;
	size_t line_bytes;    /* bounded transcript */
};

struct rec;

struct rec *rec_new(struct loop *l);
void rec_free(struct rec *r);

/* The phase and message that new sessions are attributed to. */
void rec_set_message(struct rec *r, unsigned phase, unsigned message);

struct rec_session *rec_session_new(struct rec *r, const char *host,
	const char *addr, uint16_t port);
size_t rec_count(const struct rec *r);
struct rec_session *rec_get(const struct rec *r, size_t i);

/* Transcript line, truncated and sanitised (bounded per session). */
void rec_line(struct rec *r, struct rec_session *s, char dir, const char *fmt, ...)
	PRINTF(4, 5);
void rec_set(char **field, const char *value);
void rec_set_cert(struct rec_session *s, const char *label, const uint8_t *der,
	size_t len, const uint8_t *chain, size_t chain_len);

/* Link an upstream connection (its local port, as the server sees it as
 * the peer port) to the session it carries, so the MX can find it. */
void rec_link(struct rec *r, uint16_t upstream_port, struct rec_session *s);
void rec_unlink(struct rec *r, uint16_t upstream_port);
struct rec_session *rec_by_upstream(const struct rec *r, uint16_t upstream_port);

#endif
