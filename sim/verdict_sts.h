/*
 * verdict_sts: what a compliant MTA-STS sender (RFC 8461) knows in each
 * phase of a scenario, for the verdict engine.
 *
 * mxsim judges from the wire, and what is on the wire depends on the
 * policy a compliant sender holds: the model replays the scenario's
 * timeline as such a sender would see it (the _mta-sts TXT record after
 * any tamper_txt, the policy host's variant and certificate, the
 * tamper_policy attack, the policy body and its parse, the cache with
 * its max_age, refetch on a new id) and says, per phase, which policy is
 * in force and what the discovery reported.  It reads the scenario only.
 *
 * Modelling choices where RFC 8461 lets the sender choose: a body
 * trickled for longer than 60 s and one above 64 KiB are fetch errors
 * (3.3's suggestions), a missing Content-Type is accepted, max_age above
 * the cap is capped (ambiguity P10), a malformed mx pattern never
 * matches but does not void the policy (ambiguity P11).
 */
#ifndef MXSIM_VERDICT_STS_H
#define MXSIM_VERDICT_STS_H

#include <stdbool.h>
#include <stddef.h>

#include "core/record.h"
#include "sim/scenario.h"

struct verdict_sts {
	const char *mode;         /* "enforce" | "testing" (static); NULL: no
	                           * policy in force (none, expired, never) */
	char **strings;           /* policy-string of the policy in force */
	size_t nstrings;
	char **mx;                /* its mx patterns (valid ones) */
	size_t nmx;
	struct sts_policy *policy;
	const char *discovery;    /* the phase's discovery error as an RFC
	                           * 8460 result type (sts-policy-fetch-error,
	                           * sts-policy-invalid, sts-webpki-invalid),
	                           * or NULL (static) */
	char why[200];            /* what happened to the discovery */
};

/* The state of phase (1-based) of scn.  Fills out (clear it with
 * verdict_sts_clear). */
void verdict_sts_at(const struct scenario *scn, unsigned phase,
	struct verdict_sts *out);
void verdict_sts_clear(struct verdict_sts *v);
/* Whether the policy in force (if any) lists host. */
bool verdict_sts_match(const struct verdict_sts *v, const char *host);

/* expect.fetches of phase (1-based) against the evidence in r: the
 * requests the real policy host answered (recorder exchanges REC_HTTPS,
 * role "policy host", world_sts.c) plus the fetches the tamper_policy
 * attacker took over (its evidence sessions, mitm_policy.h).  true when
 * met or not asked; else false with why. */
bool verdict_sts_fetches(const struct rec *r, const struct scn_expect *e,
	unsigned phase, char *why, size_t whylen);

#endif
