/*
 * verdict_sts: the compliant MTA-STS sender's view of each phase.  See
 * verdict_sts.h.
 *
 * The model walks the phases from the first to the one asked for (each
 * call starts afresh: no state survives between calls), holding the
 * cache a compliant sender holds: the last valid policy with its id and
 * expiry.  Per phase: expire the cache; look up the TXT record; with a
 * usable record whose id differs from the cached one, fetch (variant,
 * certificate, attack) and parse; a valid policy replaces the cache.
 * Time is the phase's start on the scenario clock (deliveries within a
 * phase happen at virtual milliseconds from it).
 *
 * As the reference sender does (senders/builtin/snd_sts.h): an entry
 * fetched a day ago or more is fetched again under the same id and
 * re-armed (proactive refresh); after a failed fetch the same id is not
 * fetched again within 5 minutes (retry pacing).  The policy domain is
 * the relay's (smart host) when the world has one, none for an address
 * literal recipient, else the recipient's; the published records only
 * count when they are that domain's (mta_sts.domain).
 */
#include "sim/verdict_sts.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "attacker/mitm_policy.h"
#include "core/util.h"
#include "fake-https/sts.h"
#include "sim/world_sts.h"

#define FETCH_MAX_BYTES (64u << 10)
#define FETCH_MAX_MS 60000u
#define REFRESH_S 86400   /* proactive refresh: daily */
#define RETRY_S 300       /* retry pacing: 5 minutes */

#define MAX_DOMAINS 8     /* policy domains a scenario's phases use */

/* One policy domain's entry: the compliant sender's cache is keyed by
 * the policy domain (a relay's, the recipient's). */
struct cache {
	char domain[256];         /* "" = unused slot */
	bool valid;
	char id[STS_ID_MAX + 1];
	struct sts_policy *policy;
	time_t fetched;
	time_t expires;
	char failed_id[STS_ID_MAX + 1];   /* the last failed fetch */
	time_t failed_at;
};

/* The policy domain a compliant sender uses for the phase's messages,
 * or NULL (an address literal: none). */
static const char *
policy_domain(const struct scenario *scn, const struct scn_world *w)
{
	const char *rcpt = w->message.rcpt, *at = strrchr(rcpt, '@');

	if (w->relay[0] != '\0')
		return w->relay;
	if (rcpt[0] == '\0' || at == NULL)
		return scn->domain;
	return at[1] == '[' ? NULL : at + 1;
}

/* ---- the TXT record as a resolver returns it ---- */

/* Zone-file rdata ("\"v=STSv1; \" \"id=a\"") to the joined string. */
static char *
txt_join(const char *rdata)
{
	struct buf b = { 0 };
	const char *p = rdata;
	bool in = false;

	for (; *p != '\0'; p++) {
		if (*p == '"') {
			in = !in;
			continue;
		}
		if (!in)
			continue;
		if (*p == '\\' && p[1] >= '0' && p[1] <= '9' && p[2] && p[3]) {
			char c = (char)((p[1] - '0') * 100 + (p[2] - '0') * 10 + (p[3] - '0'));
			buf_append(&b, &c, 1);
			p += 3;
		} else if (*p == '\\' && p[1] != '\0') {
			buf_append(&b, p + 1, 1);
			p++;
		} else
			buf_append(&b, p, 1);
	}
	return buf_cstr(&b);
}

static const struct scn_attack *
attack_on(const struct scn_world *w, const char *name, const char *host)
{
	for (size_t i = 0; i < w->nattacks; i++)
		if (strcmp(w->attacks[i].name, name) == 0 &&
		    strcasecmp(w->attacks[i].host, host) == 0)
			return &w->attacks[i];
	return NULL;
}

/* STS_TXT_OK with id, or why not (*why). */
static enum sts_txt_result
discover(const struct scenario *scn, const struct scn_world *w,
    char id[STS_ID_MAX + 1], char *why, size_t whylen)
{
	char name[300], err[160], *dflt = NULL;
	char *const *rrs;
	size_t n = 0;
	const struct scn_attack *a;
	enum sts_txt_result r;

	const char *pd = policy_domain(scn, w);

	if (pd == NULL) {
		snprintf(why, whylen, "an address literal: no policy domain, no "
		    "lookup (RFC 8461 3.4)");
		return STS_TXT_NONE;
	}
	if (w->sts == NULL || strcasecmp(pd, scn_sts_domain(scn, w->sts)) != 0) {
		snprintf(why, whylen, "no _mta-sts record for %.120s", pd);
		return STS_TXT_NONE;
	}
	snprintf(name, sizeof(name), "_mta-sts.%s", pd);
	a = attack_on(w, "tamper_txt", name);
	if (a != NULL && (strcmp(a->mode, "rewrite") != 0 ||
	    (w->dnssec != NULL && strcmp(w->dnssec, "insecure") != 0))) {
		snprintf(why, whylen, "the TXT lookup fails (tamper_txt %s)", a->mode);
		return STS_TXT_NONE;
	}
	if (a != NULL)
		rrs = a->set;
	else if (w->sts->txt_set)
		rrs = w->sts->txt;
	else {
		char *rec = xasprintf("\"v=STSv1; id=%s\"", w->sts->id);
		dflt = rec;
		rrs = &dflt;
		n = 1;
	}
	if (n == 0)
		while (rrs != NULL && rrs[n] != NULL)
			n++;
	char **joined = xcalloc(n + 1, sizeof(*joined));
	for (size_t i = 0; i < n; i++)
		joined[i] = txt_join(rrs[i]);
	r = sts_txt_select((const char *const *)joined, n, id, err, sizeof(err));
	for (size_t i = 0; i < n; i++)
		free(joined[i]);
	free(joined);
	free(dflt);
	if (r != STS_TXT_OK)
		snprintf(why, whylen, "no usable _mta-sts record: %s",
		    r == STS_TXT_MANY ? "more than one" : r == STS_TXT_NONE ?
		    "none begins with v=STSv1" : err);
	return r;
}

/* ---- the fetch ---- */

/* Would a sender accept this certificate for host at time t? */
static bool
cert_ok(const struct scn_cert *c, const char *host, time_t t)
{
	const char *v = c->variant != NULL ? c->variant : "valid";
	bool named = c->san == NULL;

	if (strcmp(v, "valid") == 0)
		return true;
	if (strcmp(v, "custom") != 0 || c->no_san ||
	    (c->issuer != NULL && strcmp(c->issuer, "root") != 0) ||
	    (c->not_before != 0 && t < c->not_before) ||
	    (c->not_after != 0 && t > c->not_after))
		return false;
	for (size_t i = 0; c->san != NULL && c->san[i] != NULL; i++)
		named |= sts_mx_match(c->san[i], host);
	return named;
}

/* The policy text the sender gets, or NULL with *type and why. */
static char *
fetch(const struct scenario *scn, const struct scn_world *w, time_t t,
    const char **type, char *why, size_t whylen)
{
	const struct scn_sts *s = w->sts;
	const char *v = s->variant;
	char host[300];
	const struct scn_attack *a;
	char *body;

	snprintf(host, sizeof(host), "mta-sts.%s", scn_sts_domain(scn, s));
	*type = "sts-policy-fetch-error";
	if (strcmp(v, "no-host") == 0 || strcmp(v, "unreachable") == 0) {
		snprintf(why, whylen, "the policy host is %s", strcmp(v, "no-host") == 0 ?
		    "not in the DNS" : "unreachable");
		return NULL;
	}
	a = attack_on(w, "tamper_policy", host);
	if (a != NULL && a->nth > 1)
		a = NULL;   /* one fetch a phase: only the first connection */
	if (a != NULL && strcmp(a->mode, "block") == 0) {
		snprintf(why, whylen, "the attacker blocks the fetch");
		return NULL;
	}
	if (a != NULL) {
		if (!cert_ok(&a->cert, host, t)) {
			*type = "sts-webpki-invalid";
			snprintf(why, whylen, "the attacker answers with a %s certificate",
			    a->cert.variant);
			return NULL;
		}
		body = world_sts_policy_text(s);
		if (strcmp(a->mode, "replace") == 0) {
			free(body);
			return xstrdup(a->text != NULL ? a->text : "");
		}
		if (strcmp(a->mode, "cert") != 0) {
			char *d = mitm_policy_downgrade(body, a->mode);
			free(body);
			return d;
		}
		return body;
	}
	if (!cert_ok(&s->cert, host, t)) {
		*type = "sts-webpki-invalid";
		snprintf(why, whylen, "the policy host presents a %s certificate",
		    s->cert.variant);
		return NULL;
	}
	if (strncmp(v, "redirect", 8) == 0 || strcmp(v, "404") == 0 ||
	    strcmp(v, "500") == 0 || strcmp(v, "204") == 0 ||
	    strcmp(v, "304") == 0 || strcmp(v, "reset") == 0 ||
	    strcmp(v, "stall") == 0 || strcmp(v, "slow") == 0) {
		snprintf(why, whylen, "the fetch fails (%s)", v);
		return NULL;
	}
	if (strcmp(v, "content-type") == 0 || strcmp(v, "oversize") == 0) {
		*type = "sts-policy-invalid";
		snprintf(why, whylen, "the policy is %s", v[0] == 'c' ?
		    "served as text/html" : "larger than 64 KiB");
		return NULL;
	}
	return world_sts_policy_text(s);
}

/* The entry of the phase's policy domain (a fresh one the first time),
 * or NULL: an address literal, or more domains than slots. */
static struct cache *
entry(struct cache *cs, const struct scenario *scn, const struct scn_world *w)
{
	const char *pd = policy_domain(scn, w);
	size_t i;

	if (pd == NULL)
		return NULL;
	for (i = 0; i < MAX_DOMAINS && cs[i].domain[0] != '\0'; i++)
		if (strcasecmp(cs[i].domain, pd) == 0)
			return &cs[i];
	if (i == MAX_DOMAINS)
		return NULL;
	snprintf(cs[i].domain, sizeof(cs[i].domain), "%s", pd);
	return &cs[i];
}

/* One phase of discovery on top of the cache. */
static void
step(const struct scenario *scn, const struct scn_world *w, time_t t,
    struct cache *cs, struct verdict_sts *out)
{
	char id[STS_ID_MAX + 1], err[160], *body;
	struct sts_policy *p;
	struct cache *c = entry(cs, scn, w);

	out->discovery = NULL;
	out->why[0] = '\0';
	if (c == NULL) {
		snprintf(out->why, sizeof(out->why), "no policy domain (an address "
		    "literal): no MTA-STS");
		return;
	}
	if (c->valid && t >= c->expires) {
		sts_policy_free(c->policy);
		c->policy = NULL;
		c->valid = false;
	}
	if (discover(scn, w, id, out->why, sizeof(out->why)) != STS_TXT_OK)
		return;
	if (c->valid && strcmp(id, c->id) == 0 && t - c->fetched < REFRESH_S) {
		snprintf(out->why, sizeof(out->why), "id %s: the cached policy", id);
		return;
	}
	if (strcmp(id, c->failed_id) == 0 && t >= c->failed_at &&
	    t - c->failed_at < RETRY_S) {
		snprintf(out->why, sizeof(out->why), "id %s: its fetch failed %llds "
		    "ago, not retried within 5 minutes", id,
		    (long long)(t - c->failed_at));
		return;
	}
	body = fetch(scn, w, t, &out->discovery, out->why, sizeof(out->why));
	if (body != NULL &&
	    sts_policy_parse(body, strlen(body), &p, err, sizeof(err)) < 0) {
		out->discovery = "sts-policy-invalid";
		snprintf(out->why, sizeof(out->why), "invalid policy: %s", err);
		free(body);
		body = NULL;
	}
	if (body == NULL) {
		snprintf(c->failed_id, sizeof(c->failed_id), "%s", id);
		c->failed_at = t;
		return;
	}
	c->failed_id[0] = '\0';
	free(body);
	out->discovery = NULL;
	snprintf(out->why, sizeof(out->why), "id %s: fetched a %s policy", id,
	    sts_mode_name(p->mode));
	sts_policy_free(c->policy);
	c->valid = true;
	snprintf(c->id, sizeof(c->id), "%s", id);
	c->policy = p;
	c->fetched = t;
	c->expires = t + (time_t)p->max_age;
}

void
verdict_sts_at(const struct scenario *scn, unsigned phase,
    struct verdict_sts *out)
{
	struct cache cs[MAX_DOMAINS], *c = NULL;
	time_t t = scn->clock;

	memset(out, 0, sizeof(*out));
	memset(cs, 0, sizeof(cs));
	for (unsigned i = 0; i < phase && i < scn->nphases; i++) {
		t += (time_t)scn->phases[i].advance_s;
		step(scn, &scn->phases[i].world, t, cs, out);
		c = entry(cs, scn, &scn->phases[i].world);
	}
	if (c != NULL && c->valid && c->policy->mode != STS_MODE_NONE) {
		struct sts_policy *p = c->policy;
		out->mode = sts_mode_name(p->mode);
		out->policy = p;
		out->strings = xcalloc(p->nstrings + 1, sizeof(*out->strings));
		for (size_t i = 0; i < p->nstrings; i++)
			out->strings[out->nstrings++] = xstrdup(p->strings[i]);
		out->mx = xcalloc(p->nmx + 1, sizeof(*out->mx));
		for (size_t i = 0; i < p->nmx; i++)
			if (sts_mx_pattern_valid(p->mx[i]))
				out->mx[out->nmx++] = xstrdup(p->mx[i]);
		c->policy = NULL;
	}
	for (size_t i = 0; i < MAX_DOMAINS; i++)
		sts_policy_free(cs[i].policy);
}

void
verdict_sts_clear(struct verdict_sts *v)
{
	for (size_t i = 0; i < v->nstrings; i++)
		free(v->strings[i]);
	free(v->strings);
	for (size_t i = 0; i < v->nmx; i++)
		free(v->mx[i]);
	free(v->mx);
	sts_policy_free(v->policy);
	memset(v, 0, sizeof(*v));
}

bool
verdict_sts_match(const struct verdict_sts *v, const char *host)
{
	return v->policy != NULL && sts_policy_match(v->policy, host);
}

/* Policy fetches of phase seen by the policy host and the attacker. */
static unsigned
fetches_in(const struct rec *r, unsigned phase)
{
	unsigned n = 0;

	for (size_t i = 0; i < rec_nexchanges(r); i++) {
		const struct rec_session *x = rec_exchange(r, i);
		if (x->kind == REC_HTTPS && x->phase == phase &&
		    x->x.role != NULL && strcmp(x->x.role, "policy host") == 0 &&
		    x->x.request != NULL && strncmp(x->x.request, "GET ", 4) == 0)
			n++;
	}
	for (size_t i = 0; i < rec_count(r); i++) {
		const struct rec_session *s = rec_get(r, i);
		if (s->dns && s->phase == phase && s->attack != NULL &&
		    strcmp(s->attack, "tamper_policy") == 0)
			n++;
	}
	return n;
}

bool
verdict_sts_fetches(const struct rec *r, const struct scn_expect *e,
    unsigned phase, char *why, size_t whylen)
{
	unsigned n;

	if (e->fetches_min < 0)
		return true;
	n = fetches_in(r, phase);
	if (n >= (unsigned)e->fetches_min &&
	    (e->fetches_max < 0 || n <= (unsigned)e->fetches_max))
		return true;
	if (e->fetches_max < 0)
		snprintf(why, whylen, "MTA-STS: %u policy fetch%s reached the policy "
		    "host in this phase, expected at least %d", n, n == 1 ? "" :
		    "es", e->fetches_min);
	else
		snprintf(why, whylen, "MTA-STS: %u policy fetch%s reached the policy "
		    "host in this phase, expected %d", n, n == 1 ? "" : "es",
		    e->fetches_min);
	return false;
}
