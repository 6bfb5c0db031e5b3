/*
 * mitm_policy: the network path to the MTA-STS policy host, and the
 * attacker on it (tamper_policy, DESIGN.md "Attacker").
 *
 * The path listens on the policy host's public address (443) and relays
 * each connection, byte for byte, to the real host's backend address
 * (the attacker's legs start from src_addr).  It never sees inside the
 * TLS: an attacker who wants to change the policy must terminate TLS
 * itself, so every mode but "block" sends the connection to the
 * attacker's own policy server instead, which presents `cert` (by
 * default an "attacker" certificate: valid chain, the attacker's name):
 *
 *   block    reset the connection (the fetch fails)
 *   replace  serve `text` as the policy
 *   none     serve the genuine policy with "mode: none"
 *   testing  serve the genuine policy with "mode: testing"
 *   cert     serve the genuine policy unchanged
 *
 * nth limits the attack to the nth connection (from 1); the others are
 * relayed.  Each action is logged (what, which connection) and, with a
 * recorder, noted as evidence: a session (dns = true: not a sender's
 * SMTP session; host the policy host, port 443, attack "tamper_policy")
 * whose '!' line says what the attacker did, so the capture's notes
 * (core/capture.h) point at the frames of that fetch.
 */
#ifndef MXSIM_MITM_POLICY_H
#define MXSIM_MITM_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/loop.h"
#include "core/pki.h"
#include "core/record.h"

struct mitm_policy_config {
	const char *host;          /* the policy host's name (mta-sts.<domain>) */
	const char *listen_addr;   /* its public address */
	uint16_t port;             /* 443 */
	const char *upstream_addr; /* the real host; NULL = nothing listens
	                            * there (a relayed connection is reset) */
	const char *src_addr;      /* the attacker's own address */
	const char *mode;          /* NULL: no attack, a transparent path */
	unsigned nth;              /* 0 = every connection */
	const char *body;          /* the genuine policy (none/testing/cert) */
	const char *text;          /* replace: the body served */
	const struct pki_cert *cert; /* the attacker's certificate (borrowed) */
	const char *evil_addr;     /* where the attacker's server listens */
	uint64_t timeout_ms;       /* idle timeout of each side; 0 = 600000 */
	struct rec *rec;           /* evidence of each attack; NULL: none
	                            * (borrowed, must outlive the path) */
};

struct mitm_policy;

/* Copies the strings (not cert).  NULL with a message in err. */
struct mitm_policy *mitm_policy_new(struct loop *l,
	const struct mitm_policy_config *cfg, char *err, size_t errlen);
void mitm_policy_free(struct mitm_policy *m);   /* NULL is a no-op */
unsigned mitm_policy_sessions(const struct mitm_policy *m);
unsigned mitm_policy_attacked(const struct mitm_policy *m); /* so far */

/* The genuine policy with its mode line(s) set to mode ("none",
 * "testing"); line ends kept.  xmalloc'd. */
char *mitm_policy_downgrade(const char *body, const char *mode);

#endif
