/*
 * snd_tlsrpt: SMTP TLS reporting (RFC 8460) in the reference sender:
 * the results it keeps from its own view of its sessions and policy
 * lookups (never from mxsim's verdict), the report it builds from them,
 * and the report's delivery (snd_report, sender.h).
 *
 * Results are grouped by recipient domain (the report goes to that
 * domain's _smtp._tls rua) and, inside, by policy: "sts" (policy domain
 * the recipient domain, policy-string the policy lines as served, mx-host
 * the patterns), "tlsa" (policy domain the TLSA base domain, RFC 8460
 * 1.1, policy-string the records) or "no-policy-found".  A session counts
 * once: success when TLS was established and the certificate satisfied
 * the policy in force (or, with no policy, the WebPKI), else one failure
 * with the result type of CONFORMANCE.md section O.  Policy lookups that
 * fail count as failures of the sts policy without an MX.
 *
 * Delivery: for each domain, TXT _smtp._tls.<domain> (exactly one
 * v=TLSRPTv1 record), then each rua in order: https: by POST of
 * application/tlsrpt+gzip through snd_http.c (certificate errors are
 * ignored, RFC 8460 5.4 allows it), mailto: as a multipart/report message
 * (RFC 8460 5.3) sent by this sender with "TLS-Required: No" and without
 * being counted in the next report.  One endpoint at a time; done is
 * called once from the loop.  Logs: log_info("sender").
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <zlib.h>

#include "core/util.h"
#include "reports/report.h"
#include "senders/builtin/snd_int.h"

#define DAY 86400
#define RPT_MAX_JSON (4u << 20)

struct rpt_dom {
	char *domain;
	struct res_policy *pol;
	size_t npol;
	time_t first, last;
};

struct snd_rpt {
	struct rpt_dom *v;
	size_t n;
	EVP_PKEY *dkim;   /* signs report mail (snd_tlsrpt_send.c), or NULL */
};

/* ---- results ---- */

struct snd_rpt *
snd_rpt_new(void)
{
	return xcalloc(1, sizeof(struct snd_rpt));
}

static void
policy_clear(struct res_policy *p)
{
	free(p->type);
	free(p->domain);
	res_strv_free(p->strings, p->nstrings);
	res_strv_free(p->mx_patterns, p->nmx_patterns);
	for (size_t i = 0; i < p->nfailures; i++) {
		struct res_failure *f = &p->failures[i];
		free(f->result_type);
		free(f->sending_ip);
		free(f->receiving_mx);
		free(f->receiving_ip);
		free(f->reason_code);
	}
	free(p->failures);
}

static void
dom_clear(struct rpt_dom *d)
{
	for (size_t i = 0; i < d->npol; i++)
		policy_clear(&d->pol[i]);
	free(d->pol);
	free(d->domain);
}

void
snd_rpt_free(struct snd_rpt *r)
{
	if (r == NULL)
		return;
	for (size_t i = 0; i < r->n; i++)
		dom_clear(&r->v[i]);
	free(r->v);
	EVP_PKEY_free(r->dkim);
	free(r);
}

void
snd_state_set_dkim(struct snd_state *st, EVP_PKEY *key)
{
	EVP_PKEY_free(st->rpt->dkim);
	st->rpt->dkim = key;
}

EVP_PKEY *
snd_rpt_dkim(const struct snd_rpt *r)
{
	return r->dkim;
}

static bool
same(const char *a, const char *b)
{
	return (a == NULL && b == NULL) ||
	    (a != NULL && b != NULL && strcmp(a, b) == 0);
}

static char *
dup0(const char *s)
{
	return s != NULL ? xstrdup(s) : NULL;
}

void
snd_rpt_add(struct snd_rpt *r, const char *rcpt_domain, const char *type,
    const char *pol_domain, const char *const *strings, size_t nstrings,
    const char *const *mx, size_t nmx, const char *result_type,
    const char *sending_ip, const char *mx_host, const char *mx_ip,
    const char *reason, time_t now)
{
	struct rpt_dom *d = NULL;
	struct res_policy *p = NULL;
	size_t i;

	for (i = 0; i < r->n; i++)
		if (strcasecmp(r->v[i].domain, rcpt_domain) == 0)
			d = &r->v[i];
	if (d == NULL) {
		r->v = xrealloc(r->v, (r->n + 1) * sizeof(*r->v));
		d = &r->v[r->n++];
		memset(d, 0, sizeof(*d));
		d->domain = xstrdup(rcpt_domain);
		d->first = now;
	}
	d->last = now;
	for (i = 0; i < d->npol; i++)
		if (strcmp(d->pol[i].type, type) == 0 &&
		    strcasecmp(d->pol[i].domain, pol_domain) == 0)
			p = &d->pol[i];
	if (p == NULL) {
		d->pol = xrealloc(d->pol, (d->npol + 1) * sizeof(*d->pol));
		p = &d->pol[d->npol++];
		memset(p, 0, sizeof(*p));
		p->type = xstrdup(type);
		p->domain = xstrdup(pol_domain);
	}
	if (p->nstrings == 0)
		for (i = 0; i < nstrings; i++)
			res_strv_push(&p->strings, &p->nstrings, strings[i]);
	if (p->nmx_patterns == 0)
		for (i = 0; i < nmx; i++)
			res_strv_push(&p->mx_patterns, &p->nmx_patterns, mx[i]);
	if (result_type == NULL) {
		p->success++;
		return;
	}
	p->failure++;
	for (i = 0; i < p->nfailures; i++) {
		struct res_failure *f = &p->failures[i];
		if (strcmp(f->result_type, result_type) == 0 &&
		    same(f->sending_ip, sending_ip) && same(f->receiving_mx, mx_host) &&
		    same(f->receiving_ip, mx_ip) && same(f->reason_code, reason)) {
			f->count++;
			return;
		}
	}
	p->failures = xrealloc(p->failures, (p->nfailures + 1) *
	    sizeof(*p->failures));
	p->failures[p->nfailures++] = (struct res_failure){
		xstrdup(result_type), dup0(sending_ip), dup0(mx_host), dup0(mx_ip),
		dup0(reason), 1 };
}

size_t
snd_rpt_domains(const struct snd_rpt *r)
{
	return r->n;
}

const char *
snd_rpt_domain(const struct snd_rpt *r, size_t i)
{
	return i < r->n ? r->v[i].domain : NULL;
}

void
snd_rpt_range(const struct snd_rpt *r, size_t i, time_t *start, time_t *end)
{
	const struct rpt_dom *d = &r->v[i];

	*start = d->first - (((d->first % DAY) + DAY) % DAY);
	*end = d->last - (((d->last % DAY) + DAY) % DAY) + DAY;
}

void
snd_rpt_forget(struct snd_rpt *r, size_t i)
{
	if (i >= r->n)
		return;
	dom_clear(&r->v[i]);
	memmove(&r->v[i], &r->v[i + 1], (r->n - i - 1) * sizeof(*r->v));
	r->n--;
}

static void
fmt_time(time_t t, char *out, size_t len)
{
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(out, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static void
jset(json_t *o, const char *k, json_t *v)
{
	if (v == NULL || json_object_set_new(o, k, v) < 0)
		fatal("sender: cannot build the TLSRPT report (%s)", k);
}

char *
snd_rpt_json(const struct snd_rpt *r, size_t i)
{
	const struct rpt_dom *d;
	json_t *doc, *range, *pols;
	char start[32], end[32], *id, *text, *out;
	time_t t0, t1;

	if (i >= r->n)
		return NULL;
	d = &r->v[i];
	snd_rpt_range(r, i, &t0, &t1);
	fmt_time(t0, start, sizeof(start));
	fmt_time(t1, end, sizeof(end));
	id = xasprintf("%s_%s@%s", start, d->domain, SND_RPT_SUBMITTER);
	doc = json_object();
	jset(doc, "organization-name", json_string(SND_RPT_ORG));
	range = json_object();
	jset(range, "start-datetime", json_string(start));
	jset(range, "end-datetime", json_string(end));
	jset(doc, "date-range", range);
	jset(doc, "contact-info", json_string(SND_RPT_CONTACT));
	jset(doc, "report-id", json_string(id));
	pols = json_array();
	for (size_t k = 0; k < d->npol; k++)
		json_array_append_new(pols, report_tlsrpt_policy_json(&d->pol[k]));
	jset(doc, "policies", pols);
	free(id);
	text = json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	json_decref(doc);
	if (text == NULL)
		fatal("sender: cannot serialise the TLSRPT report");
	out = xasprintf("%s\n", text);
	free(text);
	return out;
}

/* ---- what the delivery engine tells us ---- */

void
snd_rpt_session(struct job *j, const char *result_type, const char *reason)
{
	struct sender *s = j->s;
	struct host *h = &j->hosts[j->ihost];
	const char *addr = j->iaddr < j->naddrs ? j->addrs[j->iaddr] : NULL;

	if (j->no_report || s->submit)
		return;
	if (h->dane) {
		char **v = xcalloc(h->ntlsa + 1, sizeof(*v));
		for (size_t i = 0; i < h->ntlsa; i++)
			v[i] = tlsa_rr_str(&h->tlsa[i]);
		snd_rpt_add(s->state->rpt, j->domain, "tlsa", h->dane_base,
		    (const char *const *)v, h->ntlsa, NULL, 0, result_type,
		    s->cfg.src_ip, h->name, addr, reason, loop_wallclock(s->l));
		res_strv_free(v, h->ntlsa);
	} else if (j->sts != NULL) {
		const struct sts_policy *p = j->sts->p;
		snd_rpt_add(s->state->rpt, j->domain, "sts", j->domain,
		    (const char *const *)p->strings, p->nstrings,
		    (const char *const *)p->mx, p->nmx, result_type,
		    s->cfg.src_ip, h->name, addr, reason, loop_wallclock(s->l));
	} else {
		snd_rpt_add(s->state->rpt, j->domain, "no-policy-found", j->domain,
		    NULL, 0, NULL, 0, result_type, s->cfg.src_ip, h->name, addr,
		    reason, loop_wallclock(s->l));
	}
}

void
snd_rpt_host_failure(struct job *j, const char *result_type)
{
	struct sender *s = j->s;
	const char *host = j->hosts[j->ihost].name;

	/* RFC 8460 4.3.2.1: the TLSA policy of the host could not be had
	 * (dnssec-invalid) or is missing where DANE is required
	 * (dane-required): policy-domain is the TLSA base domain, the MX
	 * host (CONFORMANCE ambiguity 9), with no policy-string */
	if (j->no_report || s->submit)
		return;
	snd_rpt_add(s->state->rpt, j->domain, "tlsa", host, NULL, 0, NULL, 0,
	    result_type, s->cfg.src_ip, host, NULL, NULL, loop_wallclock(s->l));
}

void
snd_rpt_policy_failure(struct job *j, const char *type,
    const char *result_type, const char *reason)
{
	struct sender *s = j->s;

	/* the reason is the log's business: no failure-reason-code token */
	(void)reason;
	if (j->no_report)
		return;
	snd_rpt_add(s->state->rpt, j->domain, type, j->domain, NULL, 0, NULL, 0,
	    result_type, s->cfg.src_ip, NULL, NULL, NULL, loop_wallclock(s->l));
}
