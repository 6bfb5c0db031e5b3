/*
 * verdict: judging a phase from the wire (DESIGN.md "Verdicts").
 *
 * For each message, the sessions the sender opened for it are classified:
 * message data that left the sender in clear text is `plaintext`; inside
 * TLS whose certificate does not satisfy the policy (PKIX chain to the
 * world's root and DNS-ID match for the MX host, at the scenario clock),
 * or inside TLS terminated by the attacker, it is `tls`; inside TLS that
 * satisfies it, `verified`; no data at all is `refused`.  When several
 * sessions carried data the worst one counts.  Sessions the attacker opened
 * itself (via != 0) are evidence, not the sender's doing, and are skipped.
 *
 * The TLSRPT side: what a compliant sender must report about the sessions
 * (RFC 8460 4.3 result types), per policy domain.
 */
#ifndef MXSIM_VERDICT_H
#define MXSIM_VERDICT_H

#include "core/pki.h"
#include "core/record.h"
#include "core/result.h"
#include "sim/scenario.h"

/* Classify one message: fills m (delivery, reason, mx_host, data_to, leak,
 * sessions) from the sender sessions of (phase, index) in r. */
void verdict_message(const struct pki *p, const struct rec *r, time_t clock,
	unsigned phase, unsigned index, struct res_message *m);

/* The RFC 8460 result type a compliant sender reports for session s, or
 * NULL when the session counts as successful, or "" when it is not a TLS
 * negotiation at all (connection refused, timed out before EHLO).  *reason
 * gets a failure-reason-code or NULL. */
const char *verdict_result_type(const struct pki *p, const struct rec_session *s,
	time_t clock, const char **reason);

/* Judge a phase: compares the messages with the expectation. */
void verdict_phase(const struct pki *p, const struct rec *r, time_t clock,
	const struct scn_expect *e, const char *domain, struct res_phase *ph);

/* Build the no-policy-found policy entries of the scenario from every
 * sender session (sorted, deterministic). */
void verdict_tlsrpt(const struct pki *p, const struct rec *r, time_t clock,
	const char *domain, const char *sender_ip, struct res_scenario *s);

#endif
