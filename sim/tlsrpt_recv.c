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
#include "sim/world_sts.h"

#define MAX_TYPES 32

void
tlsrpt_recv_collect(const struct world *w, struct res_scenario *rs)
{
	const struct world_sts *ws = world_sts_of(w);

	for (size_t i = 0; i < world_sts_nreports(ws); i++) {
		const struct https_report *r = world_sts_report(ws, i);
		char *via = xasprintf("https://%s%s %s", r->host, r->path,
		    r->content_type ? r->content_type : "-");
		res_strv_push(&rs->tlsrpt_received, &rs->ntlsrpt_received, r->json);
		res_strv_push(&rs->tlsrpt_via, &rs->ntlsrpt_via, via);
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
		for (size_t k = 0; k < nf; k++) {
			char *line = xasprintf("report %zu (%s): %s", i + 1,
			    rs->tlsrpt_via[i], f[k]);
			res_strv_push(&rs->tlsrpt_findings, &rs->ntlsrpt_findings, line);
			free(line);
		}
		res_strv_free(f, nf);
	}
}
