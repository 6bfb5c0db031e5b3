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

#include "core/util.h"

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
	return s->via == 0 && s->phase == phase && s->message == index;
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

static enum rank
rank_of(const struct pki *p, const struct rec_session *s, time_t clock, char *why,
    size_t whylen)
{
	const char *prob;

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
	prob = cert_problem(p, s, clock);
	if (prob != NULL) {
		snprintf(why, whylen, "message data sent over TLS to %s:%u whose certificate "
		    "(%s) fails validation: %s", s->host, s->port,
		    s->cert_label ? s->cert_label : "?", prob);
		return R_TLS;
	}
	snprintf(why, whylen, "message data sent over TLS to %s:%u with a certificate "
	    "that validates (%s)", s->host, s->port, s->cert_label ? s->cert_label : "?");
	return R_VERIFIED;
}

void
verdict_message(const struct pki *p, const struct rec *r, time_t clock,
    unsigned phase, unsigned index, struct res_message *m)
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
		if (s->leak)
			m->leak = true;
		enum rank rk = rank_of(p, s, clock, why, sizeof(why));
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
	*reason = NULL;
	if (s->tls == REC_TLS_OK) {
		if (s->tls_by && strcmp(s->tls_by, "attacker") == 0 && s->cert_der == NULL)
			return "validation-failure";
		return cert_problem(p, s, clock);
	}
	if (s->tls == REC_TLS_FAILED) {
		*reason = s->tls_error;
		return "validation-failure";
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
    unsigned phase, const char *type)
{
	for (size_t i = 0; i < rec_count(r); i++) {
		const struct rec_session *s = rec_get(r, i);
		const char *reason, *t;
		if (s->via != 0 || (phase != 0 && s->phase != phase))
			continue;
		t = verdict_result_type(p, s, clock, &reason);
		if (t != NULL && strcmp(t, type) == 0)
			return true;
	}
	return false;
}

void
verdict_phase(const struct pki *p, const struct rec *r, time_t clock,
    const struct scn_expect *e, const char *domain, struct res_phase *ph)
{
	char why[1024];

	(void)domain;
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
	}
	for (size_t k = 0; k < e->ntlsrpt; k++) {
		if (!phase_has_type(p, r, clock, ph->index, e->tlsrpt[k])) {
			snprintf(why, sizeof(why), "TLSRPT: no session of this phase reports %s",
			    e->tlsrpt[k]);
			rec_set(&ph->verdict, "fail");
			rec_set(&ph->reason, why);
			return;
		}
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
	if ((c = strcmp(x->receiving_ip, y->receiving_ip)) != 0)
		return c;
	return strcmp(x->reason_code ? x->reason_code : "", y->reason_code ? y->reason_code : "");
}

void
verdict_tlsrpt(const struct pki *p, const struct rec *r, time_t clock,
    const char *domain, const char *sender_ip, struct res_scenario *rs)
{
	struct res_policy *pol;

	rs->policies = xrealloc(rs->policies, (rs->npolicies + 1) * sizeof(*rs->policies));
	pol = &rs->policies[rs->npolicies++];
	memset(pol, 0, sizeof(*pol));
	rec_set(&pol->type, "no-policy-found");
	rec_set(&pol->domain, domain);
	for (size_t i = 0; i < rec_count(r); i++) {
		const struct rec_session *s = rec_get(r, i);
		const char *reason, *t;
		if (s->via != 0)
			continue;
		t = verdict_result_type(p, s, clock, &reason);
		if (t == NULL) {
			pol->success++;
			continue;
		}
		if (t[0] == '\0')
			continue;
		pol->failure++;
		struct res_failure key = { (char *)t, (char *)sender_ip, s->host, s->addr,
			(char *)reason, 0 };
		size_t k;
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
			rec_set(&f->receiving_mx, s->host);
			rec_set(&f->receiving_ip, s->addr);
			rec_set(&f->reason_code, reason);
		}
		pol->failures[k].count++;
	}
	if (pol->nfailures > 1)
		qsort(pol->failures, pol->nfailures, sizeof(*pol->failures), failure_cmp);
}
