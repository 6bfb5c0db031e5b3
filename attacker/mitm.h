/*
 * mitm: the network path to one host, and the attacker sitting on it.
 *
 * Every host of the world is reached through a struct mitm: it listens on
 * the host's public address and relays to the real server on its backend
 * address.  With no attack it is a transparent, SMTP-aware relay (it reads
 * the plaintext dialogue to record what the sender saw, and turns into a
 * byte pipe once TLS starts).  Attacks change what crosses it:
 *
 *   strip_starttls   remove STARTTLS from EHLO replies; answer 502 to it
 *   starttls_error   answer STARTTLS itself (mode "reply": code/text,
 *                    default 454) or drop the connection (mode "drop")
 *   swap_cert        terminate TLS towards the sender with another
 *                    certificate; relay to the MX (relay = true, over the
 *                    attacker's own TLS) or keep the mail (relay = false)
 *   block            "refuse" (nothing listens), "reset" (RST after
 *                    accept), "blackhole" (accept, never answer)
 *
 * Each sender connection becomes a session in the recorder; legs the
 * attacker opens to the MX itself are sessions with `via` set.
 */
#ifndef MXSIM_MITM_H
#define MXSIM_MITM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <openssl/ssl.h>

#include "core/loop.h"
#include "core/pki.h"
#include "core/record.h"

enum mitm_kind {
	MITM_NONE,
	MITM_STRIP_STARTTLS,
	MITM_STARTTLS_ERROR,
	MITM_SWAP_CERT,
	MITM_BLOCK,
};

struct mitm_attack {
	enum mitm_kind kind;
	uint16_t port;             /* 0 = every port */
	const char *mode;          /* starttls_error: "reply"|"drop"; block: "refuse"|"reset"|"blackhole" */
	int code;                  /* starttls_error reply code (0 = 454) */
	const char *text;          /* starttls_error reply text (NULL = default) */
	const struct pki_cert *cert; /* swap_cert: the certificate to present (borrowed) */
	bool relay;                /* swap_cert: relay to the real MX */
};

struct mitm_config {
	const char *host;          /* host name of the server behind */
	const char *listen_addr;   /* public address (what DNS says) */
	const char *upstream_addr; /* backend address of the real server */
	const char *src_addr;      /* address the path connects upstream from */
	const uint16_t *ports;     /* ports to serve */
	size_t nports;
	uint16_t implicit_tls_port; /* port on which TLS starts at once (465) */
	const struct mitm_attack *attacks;
	size_t nattacks;
	SSL_CTX *upstream_tls;     /* client context for the attacker's TLS to the MX */
	struct rec *rec;
	uint64_t timeout_ms;       /* idle timeout of each side; 0 = 600000 */
};

struct mitm;

/* Copies cfg (the attacks' certificates, upstream_tls and rec must
 * outlive it).  NULL with a message in err. */
struct mitm *mitm_new(struct loop *l, const struct mitm_config *cfg, char *err,
	size_t errlen);
void mitm_free(struct mitm *m);   /* NULL is a no-op; closes live sessions */
unsigned mitm_sessions(const struct mitm *m);

const char *mitm_kind_name(enum mitm_kind k);
/* "strip_starttls" -> MITM_STRIP_STARTTLS; MITM_NONE when unknown. */
enum mitm_kind mitm_kind_lookup(const char *name);

#endif
