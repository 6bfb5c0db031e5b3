/*
 * verdict_revoke: revoked certificates in the verdict engine.
 *
 * A certificate of the variant "revoked" is valid by PKIX alone: only a
 * sender that checks revocation sees it.  When the MX staples the OCSP
 * response that says so (cert = { variant = "revoked", staple = true }),
 * every sender that validates certificates has the answer in the
 * handshake, so a delivery over that session does not satisfy a PKIX
 * policy (it is `tls`, not `verified`).  Without a staple the verdict
 * does not hold revocation against the sender (MTAs do not fetch CRLs;
 * scenarios accept either outcome).  DANE ignores revocation (RFC 7671
 * 5.1): the DANE branch of the verdict never asks.
 */
#ifndef MXSIM_VERDICT_REVOKE_H
#define MXSIM_VERDICT_REVOKE_H

#include <stdbool.h>

#include "core/record.h"
#include "sim/scenario.h"

/* Whether session s saw its MX's own revoked certificate with the
 * stapled response (scn NULL: never). */
bool verdict_revoked_stapled(const struct scenario *scn,
	const struct rec_session *s);

#endif
