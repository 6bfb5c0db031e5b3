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
 * A relay also applies MTA-STS (RFC 8461, snd_sts.c): the _mta-sts TXT
 * record, the policy fetched over HTTPS (snd_http.c) and cached by domain
 * (snd_sts_cache.c); under enforce only MX hosts matching the policy are
 * used, with STARTTLS and a certificate valid for the MX name; under
 * testing failures are only reported.  DANE wins where TLSA applies.
 * It keeps what it saw for TLSRPT (RFC 8460, snd_tlsrpt.c) and sends the
 * reports with snd_report().  REQUIRETLS (RFC 8689, snd_reqtls.c): a
 * message flagged requiretls goes only over TLS authenticated by DANE or
 * an enforce MTA-STS policy to an MX that advertises REQUIRETLS after
 * STARTTLS; a message with "TLS-Required: No" ignores DANE and MTA-STS.
 *
 * Modes: SND_STRICT is an RFC-compliant sender; SND_OPPORTUNISTIC delivers
 * whatever happens (accepts any certificate, falls back to plaintext,
 * ignores DANE and MTA-STS); SND_NO_VERIFY honours TLS requirements (DANE's
 * and MTA-STS's too: STARTTLS and MX matching) but accepts any
 * certificate.
 *
 * State: the MTA-STS cache and the TLSRPT results live in a struct
 * snd_state, which may outlive the sender (cfg.state: a runner keeps it
 * for a whole multi-phase scenario, while each phase has its own sender).
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

struct snd_state;

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
	const char *auth_user;       /* submission credentials (RFC 4954 AUTH);
	                              * NULL: no AUTH.  Sent only inside TLS
	                              * (RFC 8314 5.2), but in opportunistic
	                              * mode wherever AUTH is offered */
	const char *auth_pass;
	const char *auth_mech;       /* "plain" | "login"; NULL: PLAIN when
	                              * offered, else LOGIN */
	SSL_CTX *tls;                /* client context trusting the world's CA
	                              * (borrowed; snd_new makes it ask for
	                              * stapled OCSP responses) */
	const char *helo;            /* EHLO name; NULL = "sender.mxsim.test" */
	uint16_t smtp_port;          /* relay port; 0 = 25 */
	uint64_t connect_timeout_ms; /* 0 = 30000 */
	uint64_t cmd_timeout_ms;     /* 0 = 300000 (RFC 5321 4.5.3.2) */
	struct snd_state *state;     /* borrowed; NULL: the sender has its own */
	uint16_t https_port;         /* policy fetch and reports; 0 = 443 */
	const char *dns_anchor;      /* DS/DNSKEY records of "." (zone-file
	                              * lines): the sender validates DNSSEC
	                              * itself (snd_dnssec.c), so stripped
	                              * signatures are bogus, not insecure.
	                              * NULL: it trusts its resolver's AD bit */
	const char *relay;           /* relay: a smart host domain (its MX
	                              * hosts, implicit MX without) for every
	                              * message instead of the recipient's
	                              * domain; MTA-STS, DANE and TLSRPT then
	                              * apply to that domain (RFC 8461 3.4).
	                              * NULL: direct delivery */
};

/* What a sender remembers between deliveries: the MTA-STS policy cache
 * and the TLSRPT results not yet reported.  NULL-safe free. */
struct snd_state *snd_state_new(void);
void snd_state_free(struct snd_state *st);
/* Cached MTA-STS policies, expired ones included until next looked at. */
size_t snd_state_policies(const struct snd_state *st);

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
/* Message options (snd_send_opt). */
struct snd_msg_opts {
	bool requiretls;     /* MAIL FROM ... REQUIRETLS (RFC 8689 4.2.1) */
	bool tls_optional;   /* the message says "TLS-Required: No" (4.2.2);
	                      * also found in body's header section */
};
/* snd_send with options (NULL = none). */
int snd_send_opt(struct sender *s, const char *from, const char *rcpt,
	const char *body, const struct snd_msg_opts *o, snd_done_cb *done,
	void *arg) __attribute__((warn_unused_result));
/* Deliveries in flight. */
size_t snd_pending(const struct sender *s);

/* TLSRPT (RFC 8460): for each recipient domain with results, look up
 * _smtp._tls.<domain> and send the report of everything seen since the
 * last call to each https: rua (POST, application/tlsrpt+gzip) and each
 * mailto: rua (a multipart/report message, TLS-Required: No).  done is
 * called once, from the loop, with the number of reports an endpoint
 * accepted.  Results are forgotten once reported (or found unreportable). */
typedef void snd_report_cb(unsigned accepted, void *arg);
/* Report mail is DKIM-signed (RFC 6376, RFC 8460 3: ed25519-sha256 or
 * rsa-sha256, relaxed/relaxed, From, Subject and the TLS-Report-*
 * fields signed, no l=) with the key given here (owned by st from then
 * on; NULL: unsigned), as d=SND_DKIM_DOMAIN s=SND_DKIM_SELECTOR.  A
 * runner derives it from its PKI (pki_named_key(SND_DKIM_KEY_ID,
 * "ed25519")) and the world publishes its key record. */
#define SND_DKIM_DOMAIN "sender.mxsim.test"
#define SND_DKIM_SELECTOR "tlsrpt"
#define SND_DKIM_KEY_ID "dkim:sender.mxsim.test"
void snd_state_set_dkim(struct snd_state *st, EVP_PKEY *key);
int snd_report(struct sender *s, snd_report_cb *done, void *arg)
	__attribute__((warn_unused_result));

const char *snd_mode_name(enum snd_mode m);
/* "" or "strict", "opportunistic", "no-verify".  Returns 0 or -1. */
int snd_mode_parse(const char *s, enum snd_mode *out)
	__attribute__((warn_unused_result));
const char *snd_result_name(enum snd_result r);  /* "delivered", ... */

#endif
