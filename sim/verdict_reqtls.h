/*
 * verdict_reqtls: REQUIRETLS (RFC 8689) in the verdict engine.
 *
 * A message the scenario marks requiretls (scenario.h `message`) may be
 * relayed only over TLS that satisfies the policy, to an MX whose name
 * is authenticated (a DNSSEC-validated MX RRset, DANE, or an enforce
 * MTA-STS policy listing it: 4.2.1 step 2), with REQUIRETLS on a MAIL
 * FROM inside that TLS session (4.2.1 step 5).  Anything else a
 * compliant sender bounces (a `refused` delivery).  REQUIRETLS on MAIL
 * FROM outside TLS is wrong for every message (2): it counts as
 * plaintext even when no data followed.
 */
#ifndef MXSIM_VERDICT_REQTLS_H
#define MXSIM_VERDICT_REQTLS_H

#include <stdbool.h>
#include <stddef.h>

#include "core/record.h"
#include "sim/scenario.h"

/* Whether the messages of phase (1-based) of scn require TLS. */
bool verdict_reqtls_message(const struct scenario *scn, unsigned phase);
/* Whether the recipient domain's zone is signed (secure) in phase. */
bool verdict_reqtls_mx_secure(const struct scenario *scn, unsigned phase);

enum verdict_reqtls_fault {
	VR_OK,           /* nothing to add */
	VR_CLEAR,        /* REQUIRETLS on MAIL FROM outside TLS */
	VR_NO_PARAM,     /* a requiretls message without REQUIRETLS */
	VR_UNAUTH_MX,    /* a requiretls message to an MX not authenticated */
};

/* What REQUIRETLS adds to session s of a message of (scn, s->phase):
 * verified is whether the certificate already satisfied the policy,
 * authenticated whether DANE or an enforce MTA-STS policy covers the
 * host (the DNSSEC state is looked up here).  Fills why on a fault. */
enum verdict_reqtls_fault verdict_reqtls_check(const struct scenario *scn,
	const struct rec_session *s, bool verified, bool authenticated,
	char *why, size_t whylen);

#endif
