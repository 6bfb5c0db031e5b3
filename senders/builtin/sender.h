/*
 * sender: mxsim's reference SMTP sender, in-process and asynchronous on the
 * event loop.
 *
 * As a relay (submit_host NULL) it looks up the MX records of the
 * recipient's domain through the configured resolver (implicit MX when
 * there are none, RFC 5321 5.1), tries each MX and each of its addresses
 * in order, and speaks SMTP with STARTTLS according to the local TLS
 * policy and the mode.  As a submission client (submit_host set) it talks
 * to that one host, with implicit TLS or STARTTLS (RFC 8314).
 *
 * A relay applies DANE (RFC 7672, snd_dane.c) where the resolver
 * authenticates the MX set, the host's addresses and its TLSA records:
 * TLS becomes mandatory and the certificate must match the TLSA RRset.
 *
 * Modes: SND_STRICT is an RFC-compliant sender; SND_OPPORTUNISTIC delivers
 * whatever happens (accepts any certificate, falls back to plaintext,
 * ignores DANE); SND_NO_VERIFY honours TLS requirements (DANE's too) but
 * accepts any certificate.
 *
 * Ownership: snd_new() copies the strings of cfg; cfg->tls is borrowed and
 * must outlive the sender.  snd_send() copies its arguments.  done is
 * called exactly once per snd_send(), from the loop, never synchronously;
 * `why` is valid during the call only.  The done callback may call
 * snd_send() or snd_free().  snd_free() cancels every delivery in flight
 * without calling done.  Decisions are logged with log_info("sender").
 */
#ifndef MXSIM_SENDER_H
#define MXSIM_SENDER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <openssl/ssl.h>

#include "core/loop.h"

enum snd_mode { SND_STRICT, SND_OPPORTUNISTIC, SND_NO_VERIFY };
enum snd_result { SND_DELIVERED, SND_DEFERRED, SND_BOUNCED };

struct snd_config {
	enum snd_mode mode;
	const char *src_ip;          /* bind address of every connection and query */
	const char *resolver_ip;     /* e.g. "127.53.0.1" */
	uint16_t resolver_port;      /* 0 = 53 */
	const char *local_tls;       /* relay: "may" | "encrypt" | "secure" | "dane"
	                              * (NULL = "may") */
	const char *submit_host;     /* NULL: relay as an MTA (MX lookup, port 25) */
	uint16_t submit_port;        /* 0 = 465 for "implicit", else 587 */
	const char *submit_tls;      /* "implicit" | "starttls" | "optional" (NULL = "starttls") */
	SSL_CTX *tls;                /* client context trusting the world's CA (borrowed) */
	const char *helo;            /* EHLO name; NULL = "sender.mxsim.test" */
	uint16_t smtp_port;          /* relay port; 0 = 25 */
	uint64_t connect_timeout_ms; /* 0 = 30000 */
	uint64_t cmd_timeout_ms;     /* 0 = 300000 (RFC 5321 4.5.3.2) */
};

struct sender;

typedef void snd_done_cb(enum snd_result res, const char *why, void *arg);

/* NULL (with a log line) when cfg is invalid: unknown TLS keywords, bad
 * addresses, no resolver, no TLS context. */
struct sender *snd_new(struct loop *l, const struct snd_config *cfg);
/* Cancels everything in flight; no callback after.  NULL is a no-op. */
void snd_free(struct sender *s);

/* One delivery attempt of one message: resolve, try each MX in order,
 * call done once.  body is the message (header and body), LF or CRLF line
 * ends; it is dot-stuffed and sent with CRLF.  Returns 0, or -1 for a
 * malformed address (done is then not called). */
int snd_send(struct sender *s, const char *from, const char *rcpt,
	const char *body, snd_done_cb *done, void *arg)
	__attribute__((warn_unused_result));
/* Deliveries in flight. */
size_t snd_pending(const struct sender *s);

const char *snd_mode_name(enum snd_mode m);
/* "" or "strict", "opportunistic", "no-verify".  Returns 0 or -1. */
int snd_mode_parse(const char *s, enum snd_mode *out)
	__attribute__((warn_unused_result));
const char *snd_result_name(enum snd_result r);  /* "delivered", ... */

#endif
