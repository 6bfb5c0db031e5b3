/*
 * verdict: the verdict engine.  See verdict.h.
 *
 * Reads the recorder only: what crossed the wire, never what the sender
 * says about itself.
 */
#include "sim/verdict.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/tlsa.h"
#include "core/util.h"
#include "sim/verdict_reqtls.h"
#include "sim/verdict_revoke.h"
#include "sim/verdict_sts.h"

enum rank { R_REFUSED, R_VERIFIED, R_TLS, R_PLAINTEXT };

static const char *const rank_names[] = {
	[R_REFUSED] = "refused",
	[R_VERIFIED] = "verified",
	[R_TLS] = "tls",
	[R_PLAINTEXT] = "plaintext",
};

static bool
is_sender_session(const struct rec_session *s, unsigned phase, unsigned index)
{
	return s->via == 0 && !s->dns && s->phase == phase &&
	    s->message == index;
}

/* Why the certificate of a TLS session does not satisfy the policy, or
 * NULL when it does. */
static const char *
cert_problem(const struct pki *p, const struct rec_session *s, time_t clock)
{
	if (s->cert_der == NULL)
		return "validation-failure";
	return pki_verify(p, s->cert_der, s->cert_len, s->chain_der, s->chain_len,
	    s->host, clock);
}

/* ---- DANE (RFC 7672): the extension of the *_ctx functions ---- */

static const struct verdict_dane *
dane_of(const struct verdict_ctx *vc, unsigned phase, const char *host)
{
	for (size_t i = 0; vc != NULL && i < vc->ndane; i++) {
		const struct verdict_dane *d = &vc->dane[i];
		if (d->phase == phase && strcasecmp(d->host, host) == 0)
			return d;
	}
	return NULL;
}

/* The TLSA RRset in force for the session, or NULL: DANE does not apply. */
static const struct verdict_dane *
dane_in_force(const struct verdict_ctx *vc, const struct rec_session *s)
{
	const struct verdict_dane *d = dane_of(vc, s->phase, s->host);

	return d != NULL && d->nrrs > 0 && strcmp(d->state, "secure") == 0 ?
	    d : NULL;
}

/* NULL when the certificate the session saw satisfies the RRset, else
 * the RFC 8460 result type; det says why. */
static const char *
dane_problem(const struct verdict_dane *d, const struct rec_session *s,
    const char *domain, time_t clock, char *det, size_t detlen)
{
	struct tlsa_rr *rrs = xcalloc(d->nrrs, sizeof(*rrs));
	const char *names[2] = { s->host, domain };
	size_t n = 0;
	char err[128];
	enum tlsa_auth a;

	for (size_t i = 0; i < d->nrrs; i++)
		if (tlsa_parse(d->rrs[i], &rrs[n], NULL, err, sizeof(err)) == 0)
			n++;   /* what does not parse is unusable anyway */
	a = tlsa_verify_der(rrs, n, s->cert_der, s->cert_len, s->chain_der,
	    s->chain_len, names, domain != NULL &&
	    strcasecmp(domain, s->host) != 0 ? 2 : 1, clock, det, detlen);
	for (size_t i = 0; i < n; i++)
		tlsa_rr_clear(&rrs[i]);
	free(rrs);
	switch (a) {
	case TLSA_AUTH_OK:
	case TLSA_AUTH_NO_USABLE:   /* TLS is all it asks (RFC 7672 2.2) */
		return NULL;
	case TLSA_AUTH_NAME:
		return "certificate-host-mismatch";
	case TLSA_AUTH_EXPIRED:
		return "certificate-expired";
	case TLSA_AUTH_CHAIN:
		return "certificate-not-trusted";
	case TLSA_AUTH_NO_MATCH:
		break;
	}
	return "tlsa-invalid";
}

/* DANE is required, the host has no secure TLSA RRset, and its lookups
 * are not bogus (that is dnssec-invalid). */
static bool
dane_unmet(const struct verdict_dane *d)
{
	return d != NULL && d->required && strcmp(d->state, "bogus") != 0 &&
	    !(d->nrrs > 0 && strcmp(d->state, "secure") == 0);
}

/* Does some host of the phase fail its lookups ("dnssec-invalid") or
 * DANE's requirement ("dane-required")? */
static bool
dane_type_in_phase(const struct verdict_ctx *vc, unsigned phase,
    const char *type)
{
	for (size_t i = 0; vc != NULL && i < vc->ndane; i++) {
		const struct verdict_dane *d = &vc->dane[i];
		if (phase != 0 && d->phase != phase)
			continue;
		if (strcmp(type, "dnssec-invalid") == 0 &&
		    strcmp(d->state, "bogus") == 0)
			return true;
		if (strcmp(type, "dane-required") == 0 && dane_unmet(d))
			return true;
	}
	return false;
}

/* ---- MTA-STS (RFC 8461): the extension through vc->scn ---- */

/* The compliant sender's view of phase; false (v cleared) without one. */
static bool
sts_of(const struct verdict_ctx *vc, unsigned phase, struct verdict_sts *v)
{
	memset(v, 0, sizeof(*v));
	if (vc == NULL || vc->scn == NULL || phase == 0)
		return false;
	verdict_sts_at(vc->scn, phase, v);
	return true;
}

/* An enforce or testing policy is in force for the session's phase and
 * does not list its host. */
static bool
sts_unlisted(const struct verdict_ctx *vc, const struct rec_session *s,
    const char **mode)
{
	struct verdict_sts v;
	bool r;

	*mode = NULL;
	if (!sts_of(vc, s->phase, &v))
		return false;
	r = v.mode != NULL && !verdict_sts_match(&v, s->host);
	*mode = v.mode;
	verdict_sts_clear(&v);
	return r;
}

static bool
sts_type_in_phase(const struct verdict_ctx *vc, unsigned phase,
    const char *type)
{
	struct verdict_sts v;
	unsigned last;
	bool r = false;

	if (vc == NULL || vc->scn == NULL || strncmp(type, "sts-", 4) != 0)
		return false;
	last = phase ? phase : (unsigned)vc->scn->nphases;
	for (unsigned ph = phase ? phase : 1; ph <= last && !r; ph++) {
		sts_of(vc, ph, &v);
		r = v.discovery != NULL && strcmp(v.discovery, type) == 0;
		verdict_sts_clear(&v);
	}
	return r;
}

/* ---- judging ---- */

static enum rank
rank_wire(const struct pki *p, const struct rec_session *s, time_t clock,
    const struct verdict_ctx *vc, char *why, size_t whylen)
{
	const struct verdict_dane *d;
	const char *prob;
	char det[256];

	if (!s->data_sent)
		return R_REFUSED;
	if (!s->data_tls) {
		snprintf(why, whylen, "message data sent in plaintext to %s:%u%s%s%s",
		    s->host, s->port, s->attack ? " (attack: " : "",
		    s->attack ? s->attack : "", s->attack ? ")" : "");
		return R_PLAINTEXT;
	}
	if ((s->tls_by && strcmp(s->tls_by, "attacker") == 0) ||
	    (s->data_to && strcmp(s->data_to, "attacker") == 0)) {
		snprintf(why, whylen, "message data sent over TLS to the attacker on the "
		    "path to %s:%u (certificate %s)", s->host, s->port,
		    s->cert_label ? s->cert_label : "?");
		return R_TLS;
	}
	if ((d = dane_in_force(vc, s)) != NULL) {
		prob = dane_problem(d, s, vc->domain, clock, det, sizeof(det));
		if (prob != NULL) {
			snprintf(why, whylen, "message data sent over TLS to %s:%u whose "
			    "certificate (%s) the TLSA RRset does not authenticate "
			    "(DANE, RFC 7672 3): %s: %s", s->host, s->port,
			    s->cert_label ? s->cert_label : "?", prob, det);
			return R_TLS;
		}
		snprintf(why, whylen, "message data sent over TLS to %s:%u, certificate "
		    "(%s) authenticated by DANE: %s", s->host, s->port,
		    s->cert_label ? s->cert_label : "?", det);
		return R_VERIFIED;
	}
	if (dane_unmet(dane_of(vc, s->phase, s->host))) {
		snprintf(why, whylen, "message data sent over TLS to %s:%u, which has "
		    "no secure TLSA RRset, although DANE is required (RFC 7672 6)",
		    s->host, s->port);
		return R_TLS;
	}
	const char *mode;
	if (sts_unlisted(vc, s, &mode)) {
		snprintf(why, whylen, "message data sent over TLS to %s:%u, which the "
		    "MTA-STS %s policy in force does not list (RFC 8461 4.1)",
		    s->host, s->port, mode);
		return R_TLS;
	}
	prob = cert_problem(p, s, clock);
	if (prob != NULL) {
		snprintf(why, whylen, "message data sent over TLS to %s:%u whose certificate "
		    "(%s) fails validation: %s", s->host, s->port,
		    s->cert_label ? s->cert_label : "?", prob);
		return R_TLS;
	}
	if (verdict_revoked_stapled(vc != NULL ? vc->scn : NULL, s)) {
		snprintf(why, whylen, "message data sent over TLS to %s:%u whose "
		    "certificate is revoked, as the stapled OCSP response said "
		    "(RFC 6960, RFC 6066 8)", s->host, s->port);
		return R_TLS;
	}
	snprintf(why, whylen, "message data sent over TLS to %s:%u with a certificate "
	    "that validates (%s)", s->host, s->port, s->cert_label ? s->cert_label : "?");
	return R_VERIFIED;
}

/* An enforce MTA-STS policy in force lists the session's host. */
static bool
sts_enforced(const struct verdict_ctx *vc, const struct rec_session *s)
{
	struct verdict_sts v;
	bool r;

	if (!sts_of(vc, s->phase, &v))
		return false;
	r = v.mode != NULL && strcmp(v.mode, "enforce") == 0 &&
	    verdict_sts_match(&v, s->host);
	verdict_sts_clear(&v);
	return r;
}

/* rank_wire, then what REQUIRETLS (verdict_reqtls.h) asks on top. */
static enum rank
rank_of(const struct pki *p, const struct rec_session *s, time_t clock,
    const struct verdict_ctx *vc, char *why, size_t whylen)
{
	enum rank r = rank_wire(p, s, clock, vc, why, whylen);
	const struct scenario *scn = vc != NULL ? vc->scn : NULL;
	bool auth;

	if (r == R_PLAINTEXT)
		return r;
	auth = dane_in_force(vc, s) != NULL || sts_enforced(vc, s);
	switch (verdict_reqtls_check(scn, s, r == R_VERIFIED, auth, why, whylen)) {
	case VR_CLEAR:
		return R_PLAINTEXT;
	case VR_NO_PARAM:
	case VR_UNAUTH_MX:
		return R_TLS;
	case VR_OK:
		break;
	}
	return r;
}

/* The attacker's own leg to the MX that carried the data of sender
 * session ws (swap_cert, tls_split), if any: append to why how the MX
 * got it (the MX's view can differ from the sender's). */
static void
relayed_how(const struct rec *r, const struct rec_session *ws, char *why,
    size_t whylen)
{
	size_t n = strlen(why);

	for (size_t i = 0; i < rec_count(r) && n < whylen; i++) {
		const struct rec_session *u = rec_get(r, i);
		if (u->via != ws->id || !u->data_sent)
			continue;
		if (u->data_tls)
			snprintf(why + n, whylen - n, "; the attacker relayed it to "
			    "the MX inside its own TLS (the MX logs TLS)");
		else
			snprintf(why + n, whylen - n, "; the attacker relayed it to "
			    "the MX in clear text (port %u)", u->port);
		return;
	}
}

void
verdict_message(const struct pki *p, const struct rec *r, time_t clock,
    unsigned phase, unsigned index, struct res_message *m)
{
	verdict_message_ctx(p, r, clock, phase, index, NULL, m);
}

void
verdict_message_ctx(const struct pki *p, const struct rec *r, time_t clock,
    unsigned phase, unsigned index, const struct verdict_ctx *vc,
    struct res_message *m)
{
	enum rank worst = R_REFUSED;
	const struct rec_session *ws = NULL, *last = NULL;
	char why[512], worst_why[512] = "";
	size_t n = rec_count(r);

	m->phase = phase;
	m->index = index;
	for (size_t i = 0; i < n; i++) {
		const struct rec_session *s = rec_get(r, i);
		if (!is_sender_session(s, phase, index))
			continue;
		m->sessions = xrealloc(m->sessions, (m->nsessions + 1) * sizeof(*m->sessions));
		m->sessions[m->nsessions++] = s->id;
		last = s;
		if (s->leak) {
			/* exposed in any session is exposed */
			bool prot = s->content_protected &&
			    (m->content == NULL || strcmp(m->content, "protected") == 0);
			m->leak = true;
			rec_set(&m->content, prot ? "protected" : "exposed");
		}
		if (s->cred_leak)
			m->cred_leak = true;
		enum rank rk = rank_of(p, s, clock, vc, why, sizeof(why));
		if (rk > worst) {
			worst = rk;
			ws = s;
			snprintf(worst_why, sizeof(worst_why), "%s", why);
		}
	}
	rec_set(&m->delivery, rank_names[worst]);
	if (ws != NULL) {
		rec_set(&m->mx_host, ws->host);
		rec_set(&m->data_to, ws->data_to);
		relayed_how(r, ws, worst_why, sizeof(worst_why));
		rec_set(&m->reason, worst_why);
	} else if (last != NULL) {
		snprintf(why, sizeof(why), "no message data left the sender in %zu session%s "
		    "(last: %s:%u, %s)", m->nsessions, m->nsessions == 1 ? "" : "s",
		    last->host, last->port, last->end ? last->end : "open");
		rec_set(&m->reason, why);
	} else {
		rec_set(&m->reason, "no message data left the sender: it opened no session");
	}
}

const char *
verdict_result_type(const struct pki *p, const struct rec_session *s, time_t clock,
    const char **reason)
{
	return verdict_result_type_ctx(p, s, clock, NULL, reason);
}

const char *
verdict_result_type_ctx(const struct pki *p, const struct rec_session *s,
    time_t clock, const struct verdict_ctx *vc, const char **reason)
{
	const struct verdict_dane *d;
	char det[256];

	*reason = NULL;
	if (dane_unmet(dane_of(vc, s->phase, s->host)))
		return "dane-required";
	if (s->tls == REC_TLS_OK && (d = dane_in_force(vc, s)) != NULL)
		return dane_problem(d, s, vc->domain, clock, det, sizeof(det));
	if (s->tls == REC_TLS_OK) {
		const char *mode, *prob;
		if (s->tls_by && strcmp(s->tls_by, "attacker") == 0 && s->cert_der == NULL)
			return "validation-failure";
		prob = cert_problem(p, s, clock);
		if (prob == NULL && verdict_revoked_stapled(vc != NULL ?
		    vc->scn : NULL, s)) {
			*reason = "certificate-revoked";
			return "validation-failure";
		}
		if (prob == NULL && sts_unlisted(vc, s, &mode)) {
			*reason = "mx-not-in-policy";
			return "validation-failure";
		}
		return prob;
	}
	if (s->tls == REC_TLS_FAILED) {
		/* the sender saw the certificate and refused it: a problem of
		 * that certificate is the reason (a real sender refuses in the
		 * handshake; the reference sender after it, TLS_OK above) */
		const char *prob = NULL;
		if (s->cert_der != NULL) {
			prob = (d = dane_in_force(vc, s)) != NULL ?
			    dane_problem(d, s, vc->domain, clock, det, sizeof(det)) :
			    cert_problem(p, s, clock);
		}
		*reason = s->tls_error;
		return prob != NULL ? prob : "validation-failure";
	}
	if (s->implicit_tls)
		return "";   /* no TLS attempt happened at all: not a negotiation */
	if (s->starttls_issued) {
		if (s->starttls_reply != 220) {
			*reason = s->starttls_reply ? "starttls-refused" : "starttls-no-reply";
			return "starttls-not-supported";
		}
		*reason = "handshake-not-completed";
		return "validation-failure";
	}
	if (s->banner && !s->starttls_offered && (s->mail_from || s->end != NULL))
		return "starttls-not-supported";
	return "";
}

/* Result types of the sessions of one phase (or every phase: phase 0). */
static bool
phase_has_type(const struct pki *p, const struct rec *r, time_t clock,
    const struct verdict_ctx *vc, unsigned phase, const char *type)
{
	if (dane_type_in_phase(vc, phase, type) ||
	    sts_type_in_phase(vc, phase, type))
		return true;
	for (size_t i = 0; i < rec_count(r); i++) {
		const struct rec_session *s = rec_get(r, i);
		const char *reason, *t;
		if (s->via != 0 || s->dns || (phase != 0 && s->phase != phase))
			continue;
		t = verdict_result_type_ctx(p, s, clock, vc, &reason);
		if (t != NULL && strcmp(t, type) == 0)
			return true;
	}
	return false;
}

/* expect.content against what the attacker read of message m (its
 * content: "exposed" when some session showed it in clear, "protected"
 * when all it read was S/MIME ciphertext, NULL without a leak).  false
 * with the reason in why. */
static bool
content_as_expected(const struct res_message *m, enum scn_content want,
    char *why, size_t whylen)
{
	bool exposed = m->leak && m->content != NULL &&
	    strcmp(m->content, "exposed") == 0;

	if (want == SCN_CONTENT_PROTECTED && exposed) {
		snprintf(why, whylen, "message %u: the attacker read the content in "
		    "clear (expected content protected)", m->index);
		return false;
	}
	if (want == SCN_CONTENT_EXPOSED && !exposed) {
		snprintf(why, whylen, "message %u: expected the attacker to read the "
		    "content in clear, %s", m->index, m->leak ? "it read only "
		    "S/MIME ciphertext (content protected)" : "it saw no content");
		return false;
	}
	return true;
}

void
verdict_phase(const struct pki *p, const struct rec *r, time_t clock,
    const struct scn_expect *e, const char *domain, struct res_phase *ph)
{
	struct verdict_ctx vc = { domain, NULL, 0, NULL };

	verdict_phase_ctx(p, r, clock, e, &vc, ph);
}

void
verdict_phase_ctx(const struct pki *p, const struct rec *r, time_t clock,
    const struct scn_expect *e, const struct verdict_ctx *vc,
    struct res_phase *ph)
{
	char why[1024];

	for (size_t i = 0; i < e->ndelivery; i++)
		res_strv_push(&ph->expect, &ph->nexpect, e->delivery[i]);
	for (size_t i = 0; i < e->ntlsrpt; i++)
		res_strv_push(&ph->expect_tlsrpt, &ph->nexpect_tlsrpt, e->tlsrpt[i]);
	for (size_t i = 0; i < ph->nmsgs; i++) {
		const struct res_message *m = &ph->msgs[i];
		bool ok = false;
		for (size_t k = 0; k < e->ndelivery; k++)
			if (strcmp(m->delivery, e->delivery[k]) == 0)
				ok = true;
		if (!ok) {
			char exp[256] = "";
			for (size_t k = 0; k < e->ndelivery; k++)
				snprintf(exp + strlen(exp), sizeof(exp) - strlen(exp), "%s%s",
				    k ? " or " : "", e->delivery[k]);
			snprintf(why, sizeof(why), "message %u: %s delivery, expected %s: %s",
			    m->index, m->delivery, exp, m->reason);
			rec_set(&ph->verdict, "fail");
			rec_set(&ph->reason, why);
			return;
		}
		if (m->leak && e->leak == 0) {
			snprintf(why, sizeof(why), "message %u: the attacker saw the message content",
			    m->index);
			rec_set(&ph->verdict, "fail");
			rec_set(&ph->reason, why);
			return;
		}
		if (!m->leak && e->leak == 1) {
			snprintf(why, sizeof(why), "message %u: expected the attacker to see the "
			    "content, it did not", m->index);
			rec_set(&ph->verdict, "fail");
			rec_set(&ph->reason, why);
			return;
		}
		if (m->cred_leak) {
			snprintf(why, sizeof(why), "message %u: the attacker read the "
			    "submission credentials (AUTH outside TLS, or inside the "
			    "attacker's TLS: RFC 8314 5.2)", m->index);
			rec_set(&ph->verdict, "fail");
			rec_set(&ph->reason, why);
			return;
		}
		if (!content_as_expected(m, e->content, why, sizeof(why))) {
			rec_set(&ph->verdict, "fail");
			rec_set(&ph->reason, why);
			return;
		}
	}
	for (size_t k = 0; k < e->ntlsrpt; k++) {
		if (!phase_has_type(p, r, clock, vc, ph->index, e->tlsrpt[k])) {
			snprintf(why, sizeof(why), "TLSRPT: no session of this phase reports %s",
			    e->tlsrpt[k]);
			rec_set(&ph->verdict, "fail");
			rec_set(&ph->reason, why);
			return;
		}
	}
	if (!verdict_sts_fetches(r, e, ph->index, why, sizeof(why))) {
		rec_set(&ph->verdict, "fail");   /* expect.fetches (verdict_sts.h) */
		rec_set(&ph->reason, why);
		return;
	}
	rec_set(&ph->verdict, "pass");
}

static int
failure_cmp(const void *a, const void *b)
{
	const struct res_failure *x = a, *y = b;
	int c;

	if ((c = strcmp(x->result_type, y->result_type)) != 0)
		return c;
	if ((c = strcmp(x->receiving_mx, y->receiving_mx)) != 0)
		return c;
	if ((c = strcmp(x->receiving_ip ? x->receiving_ip : "",
	    y->receiving_ip ? y->receiving_ip : "")) != 0)
		return c;
	return strcmp(x->reason_code ? x->reason_code : "", y->reason_code ? y->reason_code : "");
}

/* The index of rs's policy entry (type, domain, strings) among those from
 * `first` on, created on first use. */
static size_t
policy_for(struct res_scenario *rs, size_t first, const char *type,
    const char *domain, const char *const *strs, size_t nstrs)
{
	struct res_policy *pol;

	for (size_t i = first; i < rs->npolicies; i++) {
		pol = &rs->policies[i];
		bool same = strcmp(pol->type, type) == 0 &&
		    strcmp(pol->domain, domain) == 0 && pol->nstrings == nstrs;
		for (size_t k = 0; same && k < nstrs; k++)
			same = strcmp(pol->strings[k], strs[k]) == 0;
		if (same)
			return i;
	}
	rs->policies = xrealloc(rs->policies, (rs->npolicies + 1) * sizeof(*rs->policies));
	pol = &rs->policies[rs->npolicies];
	memset(pol, 0, sizeof(*pol));
	rec_set(&pol->type, type);
	rec_set(&pol->domain, domain);
	for (size_t k = 0; k < nstrs; k++)
		res_strv_push(&pol->strings, &pol->nstrings, strs[k]);
	return rs->npolicies++;
}

static void
add_failure(struct res_policy *pol, const char *t, const char *sender_ip,
    const char *mx, const char *ip, const char *reason, unsigned n)
{
	struct res_failure key = { (char *)t, (char *)sender_ip, (char *)mx,
		(char *)ip, (char *)reason, 0 };
	size_t k;

	pol->failure += n;
	for (k = 0; k < pol->nfailures; k++)
		if (failure_cmp(&pol->failures[k], &key) == 0)
			break;
	if (k == pol->nfailures) {
		pol->failures = xrealloc(pol->failures,
		    (pol->nfailures + 1) * sizeof(*pol->failures));
		struct res_failure *f = &pol->failures[pol->nfailures++];
		memset(f, 0, sizeof(*f));
		rec_set(&f->result_type, t);
		rec_set(&f->sending_ip, sender_ip);
		rec_set(&f->receiving_mx, mx);
		rec_set(&f->receiving_ip, ip);
		rec_set(&f->reason_code, reason);
	}
	pol->failures[k].count += n;
}

void
verdict_tlsrpt(const struct pki *p, const struct rec *r, time_t clock,
    const char *domain, const char *sender_ip, struct res_scenario *rs)
{
	struct verdict_ctx vc = { domain, NULL, 0, NULL };

	verdict_tlsrpt_ctx(p, r, clock, &vc, sender_ip, rs);
}

/* The sts entry of policy v (its strings, its valid mx patterns). */
static size_t
sts_entry(struct res_scenario *rs, size_t first, const char *domain,
    const struct verdict_sts *v)
{
	size_t k = policy_for(rs, first, "sts", domain,
	    (const char *const *)v->strings, v->nstrings);
	struct res_policy *pol = &rs->policies[k];

	if (pol->nmx_patterns == 0)
		for (size_t i = 0; i < v->nmx; i++)
			res_strv_push(&pol->mx_patterns, &pol->nmx_patterns, v->mx[i]);
	return k;
}

/* The entry a session counts under: tlsa, sts or no-policy-found. */
static size_t
session_entry(struct res_scenario *rs, size_t first,
    const struct verdict_ctx *vc, const struct rec_session *s)
{
	const struct verdict_dane *d = dane_in_force(vc, s);
	struct verdict_sts v;
	size_t k;

	if (d != NULL)
		return policy_for(rs, first, "tlsa", d->host, d->rrs, d->nrrs);
	if (dane_unmet(dane_of(vc, s->phase, s->host)))
		return policy_for(rs, first, "tlsa", s->host, NULL, 0);
	if (sts_of(vc, s->phase, &v) && v.mode != NULL)
		k = sts_entry(rs, first, vc->domain, &v);
	else
		k = policy_for(rs, first, "no-policy-found", vc->domain, NULL, 0);
	verdict_sts_clear(&v);
	return k;
}

/* MTA-STS discovery errors: one failure in each phase that had one. */
static void
sts_discovery_failures(struct res_scenario *rs, size_t first,
    const struct verdict_ctx *vc, const char *sender_ip)
{
	struct verdict_sts v;
	char host[300];
	size_t k;

	if (vc->scn == NULL)
		return;
	snprintf(host, sizeof(host), "mta-sts.%s", vc->domain);
	for (unsigned ph = 1; ph <= rs->nphases && ph <= vc->scn->nphases; ph++) {
		sts_of(vc, ph, &v);
		if (v.discovery != NULL) {
			k = v.mode != NULL ? sts_entry(rs, first, vc->domain, &v) :
			    policy_for(rs, first, "sts", vc->domain, NULL, 0);
			add_failure(&rs->policies[k], v.discovery, sender_ip, host,
			    NULL, NULL, 1);
		}
		verdict_sts_clear(&v);
	}
}

void
verdict_tlsrpt_ctx(const struct pki *p, const struct rec *r, time_t clock,
    const struct verdict_ctx *vc, const char *sender_ip, struct res_scenario *rs)
{
	size_t first = rs->npolicies;

	(void)policy_for(rs, first, "no-policy-found", vc->domain, NULL, 0);
	for (size_t i = 0; i < rec_count(r); i++) {
		const struct rec_session *s = rec_get(r, i);
		const char *reason, *t;
		struct res_policy *pol;
		size_t k;
		if (s->via != 0 || s->dns || s->message == 0)
			continue;   /* message 0: the sender's report deliveries
			             * (RFC 8460 3: not counted) */
		t = verdict_result_type_ctx(p, s, clock, vc, &reason);
		if (t != NULL && t[0] == '\0')
			continue;
		k = session_entry(rs, first, vc, s);
		pol = &rs->policies[k];   /* after policy_for's realloc */
		if (t == NULL)
			pol->success++;
		else
			add_failure(pol, t, sender_ip, s->host, s->addr, reason, 1);
	}
	sts_discovery_failures(rs, first, vc, sender_ip);
	/* DANE: bogus lookups, or a required DANE that the host does not
	 * offer, stop a compliant sender before any session */
	for (size_t i = 0; vc->dane != NULL && i < vc->ndane; i++) {
		const struct verdict_dane *d = &vc->dane[i];
		size_t nmsgs = d->phase >= 1 && d->phase <= rs->nphases ?
		    rs->phases[d->phase - 1].nmsgs : 0;
		const char *t = strcmp(d->state, "bogus") == 0 ? "dnssec-invalid" :
		    dane_unmet(d) ? "dane-required" : NULL;
		if (t == NULL || nmsgs == 0)
			continue;
		size_t k = policy_for(rs, first, "tlsa", d->host, NULL, 0);
		add_failure(&rs->policies[k], t, sender_ip, d->host, NULL, NULL,
		    (unsigned)nmsgs);
	}
	/* no-policy-found stays only when something counts there, or alone */
	if (rs->npolicies > first + 1 && rs->policies[first].success == 0 &&
	    rs->policies[first].failure == 0) {
		struct res_policy *pol = &rs->policies[first];
		free(pol->type);
		free(pol->domain);
		memmove(pol, pol + 1, (rs->npolicies - first - 1) * sizeof(*pol));
		rs->npolicies--;
	}
	for (size_t i = first; i < rs->npolicies; i++) {
		struct res_policy *pol = &rs->policies[i];
		if (pol->nfailures > 1)
			qsort(pol->failures, pol->nfailures, sizeof(*pol->failures),
			    failure_cmp);
	}
}
