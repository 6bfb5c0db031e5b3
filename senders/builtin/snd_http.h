/*
 * snd_http: the reference sender's HTTPS client: libcurl's multi
 * interface driven by the event loop (curl_multi_socket_action, its
 * sockets as loop fds, its timers as loop timers), for the MTA-STS policy
 * fetch (RFC 8461 3.3) and the TLSRPT POST (RFC 8460 5.4).
 *
 * What a sender must see is all it sees: curl connects to the address
 * the sender's own DNS lookup gave (CURLOPT_RESOLVE; curl never resolves
 * names), from the sender's source address, speaks HTTP/1.1 over TLS with
 * SNI, never follows redirects (a 3xx is handed back as it is), uses no
 * proxy, and verifies the certificate (chain and host name) against the
 * trust store of the sender's TLS context only, at the loop's wall clock
 * (X509_VERIFY_PARAM_set_time in CURLOPT_SSL_CTX_FUNCTION).  Connections
 * are never reused and TLS sessions never resumed, so each request is
 * one connection and the bytes are the same from run to run.
 *
 * Limits: the time limit is a timer on the loop's virtual clock (so a
 * stalled or trickling server costs no real time under LOOP_SKIP); the
 * body limit stops the transfer as soon as it is passed.
 *
 * Capture: curl's sockets are not conns, so they do not report to the
 * loop's wiretap; in the world every peer of the sender (policy host,
 * TLSRPT receiver, attacker) is a conn that does, which puts those
 * connections and their TLS secrets in capture.pcap and keylog.txt from
 * the server's side.
 *
 * Ownership: the request's strings are copied.  The response given to
 * the callback is valid during the call only.  Every started request ends
 * with exactly one callback, from the loop, never synchronously, unless
 * it is cancelled or the client is freed first.  The callback may start
 * and cancel requests; it must not free the client.
 */
#ifndef MXSIM_SND_HTTP_H
#define MXSIM_SND_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <openssl/ssl.h>

#include "core/loop.h"

#define SND_HTTP_MAX_BODY   (64u << 10)  /* RFC 8461 3.3 suggests 64 KiB */
#define SND_HTTP_TIMEOUT_MS 60000        /* virtual */

enum snd_http_err {
	SND_HTTP_OK,        /* a response arrived (any status) */
	SND_HTTP_CONNECT,   /* connect refused, reset, closed early */
	SND_HTTP_CERT,      /* the certificate failed verification */
	SND_HTTP_TLS,       /* any other TLS failure */
	SND_HTTP_TIMEOUT,   /* the time limit passed */
	SND_HTTP_TOO_BIG,   /* the body passed the size limit */
	SND_HTTP_PROTO,     /* not HTTP, or anything else curl reports */
};

struct snd_http_req {
	const char *method;        /* "GET" (default) or "POST" */
	const char *url;           /* "https://host/path" */
	const char *host;          /* the url's host, for CURLOPT_RESOLVE */
	const char *addr;          /* IPv4 address to connect to */
	uint16_t port;             /* 0 = 443 */
	const char *src_ip;        /* may be NULL */
	const void *body;          /* POST */
	size_t body_len;
	const char *content_type;  /* POST */
	size_t max_body;           /* 0 = SND_HTTP_MAX_BODY */
	uint64_t timeout_ms;       /* 0 = SND_HTTP_TIMEOUT_MS */
	bool no_verify;            /* accept any certificate (TLSRPT MAY) */
};

struct snd_http_resp {
	enum snd_http_err err;
	int status;                /* HTTP status, 0 without a response */
	const char *content_type;  /* as sent, or NULL */
	const char *location;      /* Location of a redirect, or NULL */
	const char *body;          /* NUL-terminated (not counted) */
	size_t body_len;
	const char *why;           /* one line for logs and reports */
};

struct snd_http;

typedef void snd_http_cb(const struct snd_http_resp *r, void *arg);

/* trust: the context whose certificate store is the trust anchor set
 * (borrowed, must outlive the client).  NULL when libcurl cannot be
 * initialised. */
struct snd_http *snd_http_new(struct loop *l, SSL_CTX *trust);
/* Cancels every request without callbacks.  NULL is a no-op. */
void snd_http_free(struct snd_http *h);

/* Start a request.  Returns its id (never 0), or 0 for a request that
 * cannot be made (no url, host or address). */
uint64_t snd_http_start(struct snd_http *h, const struct snd_http_req *rq,
	snd_http_cb *cb, void *arg) __attribute__((warn_unused_result));
/* Unknown or finished ids are a no-op. */
void snd_http_cancel(struct snd_http *h, uint64_t id);
size_t snd_http_pending(const struct snd_http *h);

const char *snd_http_err_name(enum snd_http_err e);  /* "ok", "timeout", ... */

#endif
