/*
 * https: the HTTP/1.1 request parser (sans-I/O) and the world's web
 * server: the MTA-STS policy host (RFC 8461 3.3), the TLSRPT report
 * receiver (RFC 8460 5.4) and, on plain HTTP, anything else a scenario
 * serves (CRLs).  The MTA-STS and TLSRPT formats are in fake-https/sts.h.
 *
 * Parser: bytes in, one request out; errors carry the status to answer
 * (400, 413, 414, 417, 431, 501, 505).  Fed incrementally, so a request
 * may arrive one byte at a time.
 *
 * Server: one struct https_srv listens on one address (443 with TLS, 80
 * in clear), on a struct loop, and answers from a table of routes.  What
 * a route answers is data (struct https_resp): status, headers, body and
 * the faults (trickle, stall, oversize, LF line ends, drop), applied by
 * one mechanism.  Certificates are chosen by SNI.  Every request, and
 * every TLS handshake that failed, is reported once to the log callback.
 */
#ifndef MXSIM_HTTPS_H
#define MXSIM_HTTPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/loop.h"
#include "core/pki.h"

#define HTTPS_MAX_HEAD (8u << 10)    /* request line + headers */
#define HTTPS_MAX_BODY (1u << 20)
#define HTTPS_MAX_HEADERS 100
#define HTTPS_TLSRPT_JSON "application/tlsrpt+json"
#define HTTPS_TLSRPT_GZIP "application/tlsrpt+gzip"

/* ---- the request parser ---- */

struct https_header {
	char *name;           /* as sent */
	char *value;          /* without surrounding white space */
};

struct https_req {
	char *method;         /* "GET" (case-sensitive, as sent) */
	char *target;         /* the request-target as sent */
	char *path;           /* target without query; "/" for absolute-form
	                       * without path; "*" for OPTIONS * */
	char *host;           /* lower case, without port: the absolute-form
	                       * authority, else the Host header; "" if none */
	int minor;            /* HTTP/1.minor */
	struct https_header *headers;
	size_t nheaders;
	bool chunked;
	bool has_length;
	uint64_t length;      /* Content-Length */
	bool keep_alive;      /* the connection may carry another request */
	bool expect_continue; /* Expect: 100-continue */
	uint8_t *body;        /* NUL-terminated (not counted) once done */
	size_t body_len;
};

enum https_parse {
	HTTPS_P_ERROR = -1,   /* https_parser_status() / _error() say why */
	HTTPS_P_MORE = 0,     /* everything given was used; feed more */
	HTTPS_P_HEAD = 1,     /* the head is complete and a body follows:
	                       * the caller may answer early (100, 413, 415)
	                       * before feeding the rest */
	HTTPS_P_DONE = 2,     /* a complete request */
};

struct https_parser;

/* Limits: 0 takes HTTPS_MAX_HEAD / HTTPS_MAX_BODY. */
struct https_parser *https_parser_new(size_t max_head, size_t max_body);
void https_parser_free(struct https_parser *p);
/* Feed bytes; *used says how many were taken (on HEAD and DONE the rest
 * belong to the body or to the next request). */
enum https_parse https_parser_feed(struct https_parser *p, const uint8_t *data,
	size_t len, size_t *used);
/* The request so far (valid from HEAD on, until reset or free). */
const struct https_req *https_parser_req(const struct https_parser *p);
int https_parser_status(const struct https_parser *p);   /* after an error */
const char *https_parser_error(const struct https_parser *p);
/* Whether any byte of a request has been seen since the last reset. */
bool https_parser_started(const struct https_parser *p);
/* Forget the request; the next feed starts a new one. */
void https_parser_reset(struct https_parser *p);
/* First header of that name (case-insensitive), or NULL. */
const char *https_req_header(const struct https_req *r, const char *name);
/* "Not Found" for 404; "Unknown" for codes without a phrase. */
const char *https_reason(int status);

/* ---- the server ---- */

/* A response, as data.  Bodies are borrowed (they must outlive the
 * server: the world builder owns them). */
struct https_resp {
	int status;               /* 0 = 200 (GET routes), 201 (TLSRPT) */
	const char *reason;       /* NULL = https_reason(status) */
	const char *content_type; /* NULL = "text/plain"; "" = no header */
	const char *location;     /* Location header (redirects) */
	const char *const *headers; /* extra "Name: value" lines, NULL-ended */
	const char *body;         /* may be NULL */
	size_t body_len;
	size_t oversize;          /* > body_len: the body is padded with
	                           * filler lines up to this many bytes */
	uint64_t trickle_ms;      /* body sent one byte every trickle_ms */
	bool stall;               /* head sent, then nothing: the client must
	                           * give up (the server closes after
	                           * stall_ms of the config) */
	bool drop;                /* no answer: the connection is reset */
	bool lf;                  /* head lines end with LF, not CRLF */
};

enum https_kind {
	HTTPS_GET,        /* GET and HEAD answered with resp */
	HTTPS_TLSRPT,     /* POST of a report: 415 unless application/
	                   * tlsrpt+json or +gzip, 400 for bad gzip, else
	                   * stored and answered with resp (201) */
};

struct https_route {
	const char *host;         /* Host (case-insensitive); NULL = any */
	const char *path;         /* exact path, query ignored */
	enum https_kind kind;
	struct https_resp resp;
};

/* A certificate for one SNI name (exact, case-insensitive). */
struct https_cert {
	const char *host;
	const struct pki_cert *cert;   /* borrowed */
};

/* What the log callback gets, once per request (or failed handshake).
 * Everything is borrowed for the duration of the call. */
struct https_log {
	uint64_t t_ms;            /* virtual time of the event */
	const char *client_ip;
	uint16_t client_port;
	const char *local_ip;
	uint16_t port;
	bool tls;
	const char *sni;          /* NULL if none was sent */
	const char *cert_label;   /* certificate presented, NULL without TLS */
	const char *tls_error;    /* the handshake failed: why (else NULL) */
	const char *method;       /* NULL when no request was read */
	const char *target;       /* as sent */
	const char *path;         /* target without query (see https_req) */
	const char *host;         /* request host (see https_req) */
	const struct https_header *headers;
	size_t nheaders;
	size_t req_body_len;
	int status;               /* answered; 0 = none (drop, error, stall
	                           * cut short, handshake failure) */
	size_t body_sent;         /* bytes of response body written */
	const char *content_type; /* of the answer ("" = no header), NULL
	                           * without an answer */
	const char *error;        /* what went wrong ("bad request: ...",
	                           * "timeout", "client closed") or NULL */
};

typedef void https_log_cb(const struct https_log *ev, void *arg);

/* A report received by a TLSRPT route. */
struct https_report {
	uint64_t t_ms;
	char *client_ip;
	char *host;
	char *path;
	char *content_type;       /* as sent */
	bool gzip;
	char *json;               /* the report (inflated), NUL-terminated */
	size_t json_len;
	char *parse_error;        /* sts_tlsrpt_report_parse's complaint, or NULL */
};

typedef void https_report_cb(const struct https_report *r, void *arg);

struct https_srv_config {
	const char *addr;               /* address to bind */
	uint16_t port_https;            /* 443; 0 = none */
	uint16_t port_http;             /* 80; 0 = none */
	const struct pki_cert *cert;    /* default certificate (no SNI or an
	                                 * unknown one); NULL = certs[0] */
	const char *cert_label;         /* NULL = pki_cert_label(cert) */
	const struct https_cert *certs; /* per SNI name */
	size_t ncerts;
	const struct https_route *routes;
	size_t nroutes;
	uint64_t timeout_ms;      /* idle, and whole request head+body;
	                           * 0 = 30000 */
	uint64_t stall_ms;        /* a stalled answer ends after; 0 = 600000 */
	size_t max_head;          /* 0 = HTTPS_MAX_HEAD */
	size_t max_body;          /* 0 = HTTPS_MAX_BODY */
	bool keep_alive;          /* allow more than one request a connection */
	https_log_cb *log;        /* may be NULL */
	void *log_arg;
	https_report_cb *report;  /* may be NULL (reports are kept anyway) */
	void *report_arg;
};

struct https_srv;

/* Binds and listens.  Copies the config (routes, their strings, but not
 * bodies and certificates, which are borrowed).  NULL with a message in
 * err. */
struct https_srv *https_srv_new(struct loop *l, const struct https_srv_config *cfg,
	char *err, size_t errlen);
/* Closes listeners and aborts live connections.  NULL is a no-op. */
void https_srv_free(struct https_srv *s);
/* Record every request (and failed handshake) in r (borrowed; NULL
 * stops) as an exchange of kind REC_HTTPS (core/record.h): SNI, the
 * certificate presented, the request line, status, content type and body
 * size of the answer.  role says who this server is ("policy host",
 * "TLSRPT receiver", "attacker"), attack names the attack it serves for,
 * or NULL; both copied. */
struct rec;
void https_srv_set_rec(struct https_srv *s, struct rec *r, const char *role,
	const char *attack);
unsigned https_srv_conns(const struct https_srv *s);     /* live */
unsigned https_srv_requests(const struct https_srv *s);  /* answered or not */
/* Reports received so far, in order; owned by the server. */
size_t https_srv_nreports(const struct https_srv *s);
const struct https_report *https_srv_report(const struct https_srv *s, size_t i);

#endif
