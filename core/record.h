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

/* What a recorded item is.  Sessions (rec_session_new) are REC_SMTP; the
 * DNS queries and HTTPS requests a sender makes are exchanges
 * (rec_exchange_new), kept in a list of their own so that everything
 * that reads sessions (verdicts, TLSRPT, capture notes, replay) never
 * sees them. */
enum rec_kind { REC_SMTP, REC_DNS, REC_HTTPS };

/* dir: '>' sender to server, '<' server to sender, '}' attacker to MX,
 * '{' MX to attacker, '!' a note (what an attacker changed, errors).
 * seq numbers every line of a recorder, sessions and exchanges alike,
 * in the order they were recorded (from 1): the exact order of lines
 * across sessions. */
struct rec_line {
	uint64_t t_ms;
	uint64_t seq;
	char dir;
	char *text;
};

/* The facts of one exchange (kind REC_DNS or REC_HTTPS); strings owned. */
struct rec_exch {
	char *role;           /* who answered: "resolver", "policy host",
	                       * "attacker", "TLSRPT receiver" */
	char *client;         /* the client's address */
	/* DNS */
	char *qtype;          /* "MX", "TLSA", ... */
	char *rcode;          /* "NOERROR", ...; NULL: nothing was sent */
	bool ad;              /* AD bit of the answer sent */
	char *answer;         /* the answer RRs, short ("10 mx1.example.test.") */
	/* HTTPS */
	char *sni;
	char *request;        /* request line, "GET /path HTTP/1.1" */
	int status;           /* 0: no answer */
	char *content_type;   /* of the answer */
	uint64_t body_len;    /* bytes of answer body sent */
};

struct rec_session {
	unsigned id;          /* 1-based, in order of connection (exchanges
	                       * are numbered in their own list) */
	enum rec_kind kind;
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
	bool auth_sent;       /* the sender issued AUTH (RFC 4954) */
	bool auth_tls;        /* ... inside TLS (with whoever terminated it) */
	bool cred_leak;       /* the attacker read the credentials: AUTH in
	                       * clear on its path, or inside its own TLS */
	char *end;            /* "quit", "eof", "reset", "timeout", "refused", ... */
	struct rec_exch x;    /* exchanges only */

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

/* A DNS query or an HTTPS request a sender made (kind REC_DNS or
 * REC_HTTPS), attributed like sessions to the current phase and message;
 * owned by the recorder, numbered 1, 2, ... in a list of its own.  NULL
 * once the recorder holds its cap (20,000) of them: a flood of queries
 * cannot grow memory without limit (rec_line() takes a NULL session). */
struct rec_session *rec_exchange_new(struct rec *r, enum rec_kind kind,
	const char *host, const char *addr, uint16_t port);
size_t rec_nexchanges(const struct rec *r);
unsigned long rec_exchanges_dropped(const struct rec *r);  /* past the cap */
struct rec_session *rec_exchange(const struct rec *r, size_t i);

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
