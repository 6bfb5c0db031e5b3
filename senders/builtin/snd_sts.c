/*
 * snd_sts: MTA-STS (RFC 8461) in the reference sender: policy discovery,
 * the fetch, the cache and how the policy in force applies to each MX.
 *
 * Who: a relay in strict or no-verify mode, for messages without
 * "TLS-Required: No" (RFC 8689 4.2.2).  The opportunistic mode ignores
 * MTA-STS, as a sender without it would.  No-verify applies it except
 * for the certificate check: STARTTLS is mandatory and MX hosts outside
 * the policy are not used, but any certificate is taken.
 *
 * Discovery (after the MX lookup, RFC 8461 3.1, 5.1):
 *   TXT _mta-sts.<domain>, exactly one record starting v=STSv1 with a
 *   valid id (fake-https/sts_txt.c); anything else (none, several,
 *   malformed, NXDOMAIN, SERVFAIL, timeout) means: keep the cached
 *   policy if there is an unexpired one, else no policy.
 *   Same id as the cached policy, unexpired: use the cache, no fetch.
 *   New id (or nothing cached): A lookup of mta-sts.<domain> with the
 *   sender's resolver, GET https://mta-sts.<domain>/.well-known/mta-sts.txt
 *   (snd_http.c: no redirects, 64 KiB, 60 s, the world's CA at the
 *   scenario clock), 200 with text/plain, then the body must parse
 *   (fake-https/sts_policy.c).  A failed fetch keeps an unexpired cached
 *   policy (RFC 8461 3.3, 5.1) and is reported (TLSRPT sts:
 *   sts-policy-fetch-error, sts-webpki-invalid, sts-policy-invalid).
 *   A good one replaces the cache entry; max_age runs from the fetch.
 *   Same id, but the entry was fetched a day ago or more: fetched again
 *   (proactive refresh, RFC 8461 3.3 and 10.2), so max_age runs from
 *   the refresh; a failed refresh keeps the entry.
 *   Retry pacing (3.3): a fetch that failed for an id is not tried
 *   again for that id within 5 minutes (the cached policy, if any,
 *   applies meanwhile, and nothing new is reported).
 *   The policy domain is the job's domain: the recipient's, or the
 *   smart host's when the sender relays through one (3.4); an address
 *   literal has none (snd_smtp.c never gets here for one).
 *
 * Before giving up (RFC 8461 5.1): when every MX failed and an enforce
 * policy was in force, the TXT record is looked up once more; with a
 * new id the new policy is fetched and, if it differs from the one the
 * hosts failed under, the host list is tried again under it (a new
 * mode testing or none, or new mx patterns, may let the message go).
 *
 * Application, per MX host, after DANE has been decided for it (DANE
 * wins where a TLSA RRset applies, RFC 8461 2):
 *   mode none      as if there were no policy (RFC 8461 5)
 *   enforce        a host that matches no mx pattern (4.1) is not used;
 *                  a matching one needs STARTTLS and a certificate that
 *                  chains to the trust store and names the MX host (4.2),
 *                  else that host is given up with no plaintext retry;
 *                  with no host left the message is deferred, never
 *                  bounced (5.1)
 *   testing        the same checks, failures logged and reported only
 * Every decision is logged with log_info("sender").
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "senders/builtin/snd_int.h"

#define STS_HOST_PREFIX "mta-sts."

static bool
sts_wanted(const struct job *j)
{
	const struct sender *s = j->s;

	return !s->submit && s->cfg.mode != SND_OPPORTUNISTIC &&
	    !j->tls_optional && s->http != NULL && !j->no_report;
}

/* The re-check before giving up found what j->sts now holds. */
static void
recheck_done(struct job *j)
{
	struct snd_sts_pol *before = j->sts_before;

	j->sts_recheck = false;
	j->sts_before = NULL;
	if (j->sts == before) {
		snd_sts_pol_unref(before);
		log_info("sender", "%s: MTA-STS re-check: no new policy; the "
		    "failures stand", j->domain);
		snd_job_exhausted(j);
		return;
	}
	log_info("sender", "%s: MTA-STS re-check: the policy changed (id %s -> "
	    "%s): the MX hosts are tried again under it (RFC 8461 5.1)",
	    j->domain, before->id, j->sts != NULL ? j->sts->id : "(none)");
	snd_sts_pol_unref(before);
	snd_job_retry_hosts(j);
}

/* The policy is known (or known to be absent): go on with the hosts. */
static void
sts_apply(struct job *j)
{
	const struct sts_policy *p;

	if (j->sts == NULL) {
		if (j->sts_recheck)
			recheck_done(j);
		else
			snd_job_hosts_ready(j);
		return;
	}
	p = j->sts->p;
	if (p->mode == STS_MODE_NONE) {
		log_info("sender", "%s: MTA-STS mode none (id %s): as if there "
		    "were no policy (RFC 8461 5)", j->domain, j->sts->id);
		snd_sts_pol_unref(j->sts);
		j->sts = NULL;
	} else {
		log_info("sender", "%s: MTA-STS policy id %s in force: mode %s, "
		    "%zu mx pattern%s, max_age %u, until %lld", j->domain,
		    j->sts->id, sts_mode_name(p->mode), p->nmx,
		    p->nmx == 1 ? "" : "s", p->max_age,
		    (long long)j->sts->expires);
	}
	if (j->sts_recheck)
		recheck_done(j);
	else
		snd_job_hosts_ready(j);
}

/* No (new) policy could be had: the cached one, if any and unexpired. */
static void
use_cached(struct job *j, const char *why)
{
	struct snd_sts_pol *e = snd_sts_cache_get(j->s->state->cache, j->domain,
	    loop_wallclock(j->s->l));

	if (e != NULL) {
		log_info("sender", "%s: MTA-STS: %s; the cached policy (id %s) "
		    "stays in force (RFC 8461 5.1)", j->domain, why, e->id);
		j->sts = snd_sts_pol_ref(e);
	} else {
		log_info("sender", "%s: MTA-STS: %s; no cached policy: delivering "
		    "as if the domain had none (RFC 8461 5.1)", j->domain, why);
	}
	sts_apply(j);
}

static void
fetch_failed(struct job *j, const char *result_type, const char *why)
{
	if (j->sts_txt_id[0] != '\0')   /* retry pacing (RFC 8461 3.3) */
		snd_sts_cache_failed(j->s->state->cache, j->domain, j->sts_txt_id,
		    loop_wallclock(j->s->l));
	snd_rpt_policy_failure(j, "sts", result_type, why);
	use_cached(j, why);
}

static void
on_policy(const struct snd_http_resp *r, void *arg)
{
	struct job *j = arg;
	struct sts_policy *p = NULL;
	struct snd_sts_pol *e;
	char why[512], err[256];

	j->httpq = 0;
	if (r->err == SND_HTTP_CERT) {
		snprintf(why, sizeof(why), "policy host certificate rejected: %s",
		    r->why);
		fetch_failed(j, "sts-webpki-invalid", why);
		return;
	}
	if (r->err != SND_HTTP_OK) {
		snprintf(why, sizeof(why), "policy fetch failed: %s", r->why);
		fetch_failed(j, "sts-policy-fetch-error", why);
		return;
	}
	if (r->status != 200) {
		snprintf(why, sizeof(why), "policy fetch answered HTTP %d%s%s%s",
		    r->status, r->location ? " (redirect to " : "",
		    r->location ? r->location : "",
		    r->location ? ", not followed: RFC 8461 3.3)" : "");
		fetch_failed(j, "sts-policy-fetch-error", why);
		return;
	}
	if (!snd_sts_ctype_ok(r->content_type)) {
		snprintf(why, sizeof(why), "policy served as \"%s\", not text/plain "
		    "(RFC 8461 3.2)", r->content_type ? r->content_type : "");
		fetch_failed(j, "sts-policy-invalid", why);
		return;
	}
	if (strlen(r->body) != r->body_len) {
		fetch_failed(j, "sts-policy-invalid", "policy body has NUL bytes");
		return;
	}
	if (sts_policy_parse(r->body, r->body_len, &p, err, sizeof(err)) < 0) {
		snprintf(why, sizeof(why), "invalid policy: %s", err);
		fetch_failed(j, "sts-policy-invalid", why);
		return;
	}
	if (p->warning[0] != '\0')
		log_info("sender", "%s: MTA-STS policy: %s", j->domain, p->warning);
	e = snd_sts_cache_put(j->s->state->cache, j->domain, j->sts_txt_id, p,
	    loop_wallclock(j->s->l));
	log_info("sender", "%s: MTA-STS policy id %s fetched and cached",
	    j->domain, e->id);
	j->sts = snd_sts_pol_ref(e);
	sts_apply(j);
}

static void
on_policy_host(const struct snd_dns_answer *a, void *arg)
{
	struct job *j = arg;
	struct sender *s = j->s;
	char url[600], why[512];
	struct snd_http_req rq;

	j->dnsq = 0;
	if (a->rcode != SND_DNS_NOERROR || a->nrdata == 0) {
		snprintf(why, sizeof(why), "no address for %s (%s)", a->qname,
		    a->rcode == SND_DNS_NOERROR ? "no A record" : a->why);
		fetch_failed(j, "sts-policy-fetch-error", why);
		return;
	}
	snprintf(url, sizeof(url), "https://%s%s", a->qname, STS_POLICY_PATH);
	memset(&rq, 0, sizeof(rq));
	rq.url = url;
	rq.host = a->qname;
	rq.addr = a->rdata[0];
	rq.port = s->cfg.https_port;
	rq.src_ip = s->cfg.src_ip;
	j->httpq = snd_http_start(s->http, &rq, on_policy, j);
	if (j->httpq == 0)
		fetch_failed(j, "sts-policy-fetch-error", "cannot fetch the policy");
}

static void
on_txt(const struct snd_dns_answer *a, void *arg)
{
	struct job *j = arg;
	struct snd_sts_pol *e;
	char id[STS_ID_MAX + 1], err[256], why[400], *host;
	enum sts_txt_result r;
	time_t now = loop_wallclock(j->s->l);
	long ago;

	j->dnsq = 0;
	if (a->rcode != SND_DNS_NOERROR || a->nrdata == 0) {
		snprintf(why, sizeof(why), "TXT %s: %s", a->qname,
		    a->rcode == SND_DNS_NOERROR ? "no record" : a->why);
		use_cached(j, why);
		return;
	}
	r = sts_txt_select((const char *const *)a->rdata, a->nrdata, id, err,
	    sizeof(err));
	if (r != STS_TXT_OK) {
		snprintf(why, sizeof(why), "TXT %s: %s", a->qname,
		    r == STS_TXT_NONE ? "no v=STSv1 record" :
		    r == STS_TXT_MANY ? "several v=STSv1 records (RFC 8461 3.1)" :
		    err);
		use_cached(j, why);
		return;
	}
	e = snd_sts_cache_get(j->s->state->cache, j->domain, now);
	if (e != NULL && strcmp(e->id, id) == 0 && !snd_sts_cache_stale(e, now)) {
		log_info("sender", "%s: MTA-STS id %s unchanged: the cached policy "
		    "applies", j->domain, id);
		j->sts = snd_sts_pol_ref(e);
		sts_apply(j);
		return;
	}
	ago = snd_sts_cache_paced(j->s->state->cache, j->domain, id, now);
	if (ago >= 0) {
		snprintf(why, sizeof(why), "the fetch for id %s failed %lds ago: "
		    "not tried again within %ds (RFC 8461 3.3)", id, ago,
		    SND_STS_RETRY_S);
		use_cached(j, why);
		return;
	}
	if (e != NULL && strcmp(e->id, id) == 0)
		log_info("sender", "%s: MTA-STS id %s unchanged, but the policy was "
		    "fetched %llds ago: refreshing it (RFC 8461 3.3, 10.2)",
		    j->domain, id, (long long)(now - e->fetched));
	else
		log_info("sender", "%s: MTA-STS id %s %s: fetching the policy",
		    j->domain, id, e != NULL ? "differs from the cached one" :
		    "and nothing cached");
	snprintf(j->sts_txt_id, sizeof(j->sts_txt_id), "%s", id);
	host = xasprintf(STS_HOST_PREFIX "%s", j->domain);
	j->dnsq = snd_dns_query(j->s->dns, host, SND_DNS_A, on_policy_host, j);
	free(host);
	if (j->dnsq == 0)
		fetch_failed(j, "sts-policy-fetch-error",
		    "the policy host name is not valid");
}

/* Ask for the _mta-sts TXT record of the job's domain. */
static void
ask_txt(struct job *j)
{
	char *name = xasprintf("_mta-sts.%s", j->domain);

	j->st = J_RESOLVE;
	j->dnsq = snd_dns_query(j->s->dns, name, SND_DNS_TXT, on_txt, j);
	free(name);
	if (j->dnsq == 0)
		use_cached(j, "no valid _mta-sts name");
}

void
snd_sts_begin(struct job *j)
{
	if (!sts_wanted(j)) {
		snd_job_hosts_ready(j);
		return;
	}
	ask_txt(j);
}

bool
snd_sts_recheck(struct job *j)
{
	bool enforced = j->sts_nomatch;

	for (size_t i = 0; i < j->nhosts; i++)
		enforced |= j->hosts[i].sts_enforce;
	if (j->sts == NULL || j->sts_rechecked || !enforced ||
	    j->sts->p->mode != STS_MODE_ENFORCE || j->st == J_DONE)
		return false;
	j->sts_rechecked = true;
	log_info("sender", "%s: every MX host failed under the enforce MTA-STS "
	    "policy id %s: checking for a new policy first (RFC 8461 5.1)",
	    j->domain, j->sts->id);
	j->sts_before = j->sts;   /* the reference moves */
	j->sts = NULL;
	j->sts_recheck = true;
	j->sts_txt_id[0] = '\0';
	ask_txt(j);
	return true;
}

bool
snd_sts_host_ok(struct job *j)
{
	struct host *h = &j->hosts[j->ihost];
	const struct sts_policy *p;

	if (h->sts_gated)
		return true;
	h->sts_gated = true;
	if (j->sts == NULL)
		return true;
	if (h->dane) {
		log_info("sender", "%s: DANE applies: MTA-STS is not used for it "
		    "(RFC 8461 2)", h->name);
		return true;
	}
	p = j->sts->p;
	if (snd_sts_mx_ok(p, h->name)) {
		h->sts = true;
		h->sts_enforce = p->mode == STS_MODE_ENFORCE;
		log_info("sender", "%s: matches the MTA-STS policy (%s): STARTTLS "
		    "and a valid certificate for %s %s", h->name,
		    sts_mode_name(p->mode), h->name, h->sts_enforce ?
		    "are required" : "are checked and reported");
		return true;
	}
	snd_rpt_session(j, "validation-failure", "mx-not-in-policy");
	if (p->mode == STS_MODE_TESTING) {
		h->sts = true;
		log_info("sender", "%s: no MTA-STS mx pattern matches (testing: "
		    "used anyway, reported)", h->name);
		return true;
	}
	j->sts_nomatch = true;
	j->soft = true;
	snd_job_log(j, "%s: no mx pattern of the enforce MTA-STS policy matches: "
	    "the host is not used (RFC 8461 4.1, 5)", h->name);
	return false;
}

void
snd_sts_job_clear(struct job *j)
{
	snd_http_cancel(j->s->http, j->httpq);
	j->httpq = 0;
	snd_sts_pol_unref(j->sts);
	j->sts = NULL;
	snd_sts_pol_unref(j->sts_before);
	j->sts_before = NULL;
}
