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

/*
 * DANE (RFC 7672).  The *_ctx functions also know what each MX host
 * published in each phase; the plain ones judge as if DANE applied
 * nowhere.  With a secure, non-empty TLSA RRset in force for a session's
 * host, "verified" means the certificate the session saw matches the
 * RRset (core/tlsa.h: DANE-EE ignores PKIX, names and dates; DANE-TA
 * checks the chain, dates and names, the MX host and the recipient
 * domain; an RRset without usable records asks for TLS only), and a TLS
 * session it does not authenticate reports tlsa-invalid (DANE-TA:
 * certificate-host-mismatch, -expired, -not-trusted).  In TLSRPT those
 * sessions go under policy-type tlsa, policy-domain the TLSA base domain
 * (the MX host: RFC 8460 1.1, CONFORMANCE ambiguity 9), policy-string the
 * RRset.  A host whose lookups are bogus gets a tlsa entry with
 * dnssec-invalid, once for each message of the phase, since a compliant
 * sender cannot even try it; so does a host without a secure TLSA RRset
 * when DANE is required (dane-required, RFC 8460 4.3.2.1), and nothing
 * delivered to it counts as verified.
 */
struct verdict_dane {
	unsigned phase;           /* 1-based */
	const char *host;         /* MX host = TLSA base domain */
	const char *const *rrs;   /* its TLSA RRset, "3 1 1 HEX" */
	size_t nrrs;
	const char *state;        /* "secure" | "insecure" | "bogus" */
	bool required;            /* the sender is told to require DANE */
};

struct verdict_ctx {
	const char *domain;               /* the recipient domain */
	const struct verdict_dane *dane;  /* every phase's hosts */
	size_t ndane;
	const struct scenario *scn;       /* MTA-STS (verdict_sts.h): what a
	                                   * compliant sender holds in each
	                                   * phase; NULL: MTA-STS nowhere */
};

/*
 * MTA-STS (RFC 8461), with vc->scn: where DANE is not in force and an
 * enforce or testing policy is (verdict_sts.h), a session to an MX the
 * policy does not list is not "verified" and reports validation-failure
 * (reason mx-not-in-policy, CONFORMANCE ambiguity P6); the TLSRPT
 * entries go under policy-type sts with the policy's strings and mx
 * patterns, and a discovery that failed (sts-policy-fetch-error,
 * sts-policy-invalid, sts-webpki-invalid) is one failure of its phase.
 */

void verdict_message_ctx(const struct pki *p, const struct rec *r, time_t clock,
	unsigned phase, unsigned index, const struct verdict_ctx *vc,
	struct res_message *m);
const char *verdict_result_type_ctx(const struct pki *p,
	const struct rec_session *s, time_t clock, const struct verdict_ctx *vc,
	const char **reason);
void verdict_phase_ctx(const struct pki *p, const struct rec *r, time_t clock,
	const struct scn_expect *e, const struct verdict_ctx *vc,
	struct res_phase *ph);
void verdict_tlsrpt_ctx(const struct pki *p, const struct rec *r, time_t clock,
	const struct verdict_ctx *vc, const char *sender_ip,
	struct res_scenario *s);

#endif
