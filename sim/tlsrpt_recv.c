/*
 * tlsrpt_recv: keep and judge the TLSRPT reports a sender sent.  See
 * tlsrpt_recv.h.
 *
 * The comparison is by policy entry, matched on (policy-type,
 * policy-domain): counts, the policy-string (sts and tlsa), and the
 * failed-session-count summed per result-type.  Order and grouping of
 * failure-details, IP addresses and failure-reason-codes are left to the
 * sender (RFC 8460 leaves them open or optional).
 */
#include "sim/tlsrpt_recv.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/util.h"
#include "fake-https/https.h"
#include "fake-https/sts.h"
#include "sim/world_mail.h"
#include "sim/world_sts.h"

#define MAX_TYPES 32

/* The findings of a report mail itself (RFC 8460 3, 5.3): its format
 * and its DKIM signature, onto rs's findings as "report N (via): ...". */
static void
mail_findings(const struct world_mail_report *m, const char *head,
    struct res_scenario *rs)
{
	const struct mail_dkim_result *d = &m->dkim;
	char **f = NULL;
	size_t nf = 0;

	for (size_t i = 0; i < m->rpt->nfindings; i++)
		res_strv_push(&f, &nf, m->rpt->findings[i]);
	if (d->status == MAIL_DKIM_NONE)
		res_strv_push(&f, &nf, "the report mail is not DKIM-signed (RFC "
		    "8460 3: a receiver may ignore it)");
	else if (d->status != MAIL_DKIM_PASS) {
		char *s = xasprintf("DKIM %s (d=%s s=%s): %s",
		    mail_dkim_status_name(d->status), d->domain, d->selector,
		    d->why);
		res_strv_push(&f, &nf, s);
		free(s);
	} else {
		if (strstr(d->heads, "tls-report-domain") == NULL ||
		    strstr(d->heads, "tls-report-submitter") == NULL)
			res_strv_push(&f, &nf, "the DKIM signature does not cover the "
			    "TLS-Report-Domain and TLS-Report-Submitter fields");
		if (d->has_l)
			res_strv_push(&f, &nf, "the DKIM signature has l= (RFC 8460 3: "
			    "must not)");
	}
	for (size_t i = 0; i < nf; i++) {
		char *line = xasprintf("%s: %s", head, f[i]);
		res_strv_push(&rs->tlsrpt_findings, &rs->ntlsrpt_findings, line);
		free(line);
	}
	res_strv_free(f, nf);
}

void
tlsrpt_recv_collect(const struct world *w, struct res_scenario *rs)
{
	const struct world_sts *ws = world_sts_of(w);
	const struct world_mail *wm = world_mail_of(w);

	for (size_t i = 0; i < world_sts_nreports(ws); i++) {
		const struct https_report *r = world_sts_report(ws, i);
		char *via = xasprintf("https://%s%s %s", r->host, r->path,
		    r->content_type ? r->content_type : "-");
		res_strv_push(&rs->tlsrpt_received, &rs->ntlsrpt_received, r->json);
		res_strv_push(&rs->tlsrpt_via, &rs->ntlsrpt_via, via);
		free(via);
	}
	for (size_t i = 0; i < world_mail_nreports(wm); i++) {
		const struct world_mail_report *m = world_mail_report(wm, i);
		char *via = xasprintf("mailto:%s via %s (%s) %s, DKIM %s", m->rcpt,
		    m->mx, m->tls ? "TLS" : "plaintext", m->rpt->json == NULL ?
		    "no report part" : m->rpt->gzip ? "application/tlsrpt+gzip" :
		    "application/tlsrpt+json", mail_dkim_status_name(m->dkim.status));
		char *head = xasprintf("report %zu (%s)", rs->ntlsrpt_received + 1,
		    via);
		res_strv_push(&rs->tlsrpt_received, &rs->ntlsrpt_received,
		    m->rpt->json ? m->rpt->json : "");
		res_strv_push(&rs->tlsrpt_via, &rs->ntlsrpt_via, via);
		mail_findings(m, head, rs);
		free(head);
		free(via);
	}
}

static void
finding(char ***out, size_t *n, const char *fmt, ...) PRINTF(3, 4);

static void
finding(char ***out, size_t *n, const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	res_strv_push(out, n, buf);
}

static const struct res_policy *
find(const struct res_policy *v, size_t n, const struct res_policy *key)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(v[i].type, key->type) == 0 &&
		    strcasecmp(v[i].domain, key->domain) == 0)
			return &v[i];
	return NULL;
}

/* failed-session-count per result type, into types/counts. */
static size_t
by_type(const struct res_policy *p, const char **types, unsigned *counts)
{
	size_t n = 0, k;

	for (size_t i = 0; i < p->nfailures; i++) {
		for (k = 0; k < n; k++)
			if (strcmp(types[k], p->failures[i].result_type) == 0)
				break;
		if (k == n) {
			if (n == MAX_TYPES)
				continue;
			types[n] = p->failures[i].result_type;
			counts[n++] = 0;
		}
		counts[k] += p->failures[i].count;
	}
	return n;
}

static void
compare_policy(const struct res_policy *e, const struct res_policy *g,
    char ***out, size_t *n)
{
	const char *et[MAX_TYPES], *gt[MAX_TYPES];
	unsigned ec[MAX_TYPES], gc[MAX_TYPES];
	size_t ne = by_type(e, et, ec), ng = by_type(g, gt, gc);
	bool same = e->nstrings == g->nstrings;

	if (e->success != g->success || e->failure != g->failure)
		finding(out, n, "%s %s: the report counts %u successful and %u failed "
		    "sessions, mxsim saw %u and %u", e->type, e->domain, g->success,
		    g->failure, e->success, e->failure);
	for (size_t i = 0; same && i < e->nstrings; i++)
		same = strcmp(e->strings[i], g->strings[i]) == 0;
	if (!same && strcmp(e->type, "no-policy-found") != 0)
		finding(out, n, "%s %s: the policy-string (%zu entries) is not the "
		    "policy as served (%zu entries%s%s)", e->type, e->domain,
		    g->nstrings, e->nstrings, e->nstrings ? ", first: " : "",
		    e->nstrings ? e->strings[0] : "");
	for (size_t i = 0; i < ne; i++) {
		unsigned got = 0;
		for (size_t k = 0; k < ng; k++)
			if (strcmp(gt[k], et[i]) == 0)
				got = gc[k];
		if (got != ec[i])
			finding(out, n, "%s %s: %u session(s) reported as %s, mxsim saw "
			    "%u", e->type, e->domain, got, et[i], ec[i]);
	}
	for (size_t k = 0; k < ng; k++) {
		bool known = false;
		for (size_t i = 0; i < ne; i++)
			known |= strcmp(gt[k], et[i]) == 0;
		if (!known)
			finding(out, n, "%s %s: %u session(s) reported as %s, mxsim saw "
			    "none", e->type, e->domain, gc[k], gt[k]);
	}
}

/* CONFORMANCE N149: certificate-not-trusted and validation-failure
 * details carry a failure-reason-code (RFC 8460 4.3.1, 4.3.3: SHOULD). */
static void
reason_codes(const struct sts_tlsrpt_report *rep, char ***out, size_t *n)
{
	for (size_t k = 0; k < rep->npolicies; k++) {
		const struct res_policy *p = &rep->policies[k];
		for (size_t i = 0; i < p->nfailures; i++) {
			const struct res_failure *f = &p->failures[i];
			if ((strcmp(f->result_type, "certificate-not-trusted") == 0 ||
			    strcmp(f->result_type, "validation-failure") == 0) &&
			    (f->reason_code == NULL || f->reason_code[0] == '\0'))
				finding(out, n, "%s %s: %s without a failure-reason-code "
				    "(RFC 8460 4.3.1, 4.3.3)", p->type, p->domain,
				    f->result_type);
		}
	}
}

void
tlsrpt_recv_findings(const char *json, const struct res_policy *exp,
    size_t nexp, char ***out, size_t *n)
{
	struct sts_tlsrpt_report *rep;
	char err[256];

	if (sts_tlsrpt_report_parse(json, strlen(json), false, &rep, err,
	    sizeof(err)) < 0) {
		finding(out, n, "invalid report (RFC 8460 4.4, tlsrpt.schema.json): %s",
		    err);
		return;
	}
	for (size_t i = 0; i < nexp; i++) {
		const struct res_policy *g = find(rep->policies, rep->npolicies, &exp[i]);
		if (g == NULL)
			finding(out, n, "no %s policy for %s in the report (mxsim saw %u "
			    "successful and %u failed sessions)", exp[i].type,
			    exp[i].domain, exp[i].success, exp[i].failure);
		else
			compare_policy(&exp[i], g, out, n);
	}
	for (size_t k = 0; k < rep->npolicies; k++)
		if (find(exp, nexp, &rep->policies[k]) == NULL)
			finding(out, n, "the report has a %s policy for %s that mxsim did "
			    "not see applied", rep->policies[k].type,
			    rep->policies[k].domain);
	reason_codes(rep, out, n);
	sts_tlsrpt_report_free(rep);
}

void
tlsrpt_recv_compare(struct res_scenario *rs)
{
	for (size_t i = 0; i < rs->ntlsrpt_received; i++) {
		char **f = NULL;
		size_t nf = 0;
		tlsrpt_recv_findings(rs->tlsrpt_received[i], rs->policies,
		    rs->npolicies, &f, &nf);
		if (strstr(rs->tlsrpt_via[i], "application/tlsrpt+json") != NULL)
			res_strv_push(&f, &nf, "the report is not gzip-compressed "
			    "(RFC 8460 5.3, 5.4: SHOULD)");
		for (size_t k = 0; k < nf; k++) {
			char *line = xasprintf("report %zu (%s): %s", i + 1,
			    rs->tlsrpt_via[i], f[k]);
			res_strv_push(&rs->tlsrpt_findings, &rs->ntlsrpt_findings, line);
			free(line);
		}
		res_strv_free(f, nf);
	}
}

void
tlsrpt_recv_judge(const struct scn_expect *e, struct res_scenario *rs)
{
	unsigned mail = 0, https = 0;
	char *why = NULL;

	if (!e->reports || rs->verdict == NULL || strcmp(rs->verdict, "pass") != 0)
		return;
	for (size_t i = 0; i < rs->ntlsrpt_via; i++) {
		if (strncmp(rs->tlsrpt_via[i], "mailto:", 7) == 0)
			mail++;
		else if (strncmp(rs->tlsrpt_via[i], "https://", 8) == 0)
			https++;
	}
	if (mail != (unsigned)e->reports_mail || https != (unsigned)e->reports_https)
		why = xasprintf("TLSRPT: %u report mail(s) and %u HTTPS report(s) "
		    "received, expected %d and %d (RFC 8460 3, 5)", mail, https,
		    e->reports_mail, e->reports_https);
	else if (rs->ntlsrpt_findings > 0)
		why = xasprintf("TLSRPT: %zu finding(s) in the reports received, "
		    "first: %s", rs->ntlsrpt_findings, rs->tlsrpt_findings[0]);
	if (why == NULL)
		return;
	rec_set(&rs->verdict, "fail");
	rec_set(&rs->reason, why);
	free(why);
}
