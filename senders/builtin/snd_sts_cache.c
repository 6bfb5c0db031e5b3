/*
 * snd_sts_cache: the reference sender's MTA-STS policy cache (RFC 8461
 * 3.3, 5.1) and the persistent sender state that holds it with the
 * TLSRPT results (struct snd_state, sender.h).  See snd_sts.h.
 *
 * A small list: a sender talks to a handful of domains.  Entries are
 * reference-counted so that a delivery in flight keeps the policy it
 * started with when a refresh replaces the entry; the cache holds one
 * reference itself.  Nothing here logs: snd_sts.c says what it decided.
 */
#include "senders/builtin/snd_sts.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/util.h"
#include "senders/builtin/snd_int.h"

/* A failed fetch, for retry pacing. */
struct sts_fail {
	char *domain;
	char id[STS_ID_MAX + 1];
	time_t at;
};

struct snd_sts_cache {
	struct snd_sts_pol **v;
	size_t n;
	struct sts_fail *f;
	size_t nf;
};

struct snd_sts_cache *
snd_sts_cache_new(void)
{
	return xcalloc(1, sizeof(struct snd_sts_cache));
}

struct snd_sts_pol *
snd_sts_pol_ref(struct snd_sts_pol *e)
{
	e->refs++;
	return e;
}

void
snd_sts_pol_unref(struct snd_sts_pol *e)
{
	if (e == NULL || --e->refs > 0)
		return;
	sts_policy_free(e->p);
	free(e->domain);
	free(e);
}

void
snd_sts_cache_free(struct snd_sts_cache *c)
{
	if (c == NULL)
		return;
	for (size_t i = 0; i < c->n; i++)
		snd_sts_pol_unref(c->v[i]);
	free(c->v);
	for (size_t i = 0; i < c->nf; i++)
		free(c->f[i].domain);
	free(c->f);
	free(c);
}

static size_t
find(const struct snd_sts_cache *c, const char *domain)
{
	size_t i;

	for (i = 0; i < c->n; i++)
		if (strcasecmp(c->v[i]->domain, domain) == 0)
			break;
	return i;
}

static size_t
find_fail(const struct snd_sts_cache *c, const char *domain)
{
	size_t i;

	for (i = 0; i < c->nf; i++)
		if (strcasecmp(c->f[i].domain, domain) == 0)
			break;
	return i;
}

static void
drop(struct snd_sts_cache *c, size_t i)
{
	snd_sts_pol_unref(c->v[i]);
	c->v[i] = c->v[--c->n];
}

struct snd_sts_pol *
snd_sts_cache_get(struct snd_sts_cache *c, const char *domain, time_t now)
{
	size_t i = find(c, domain);

	if (i == c->n)
		return NULL;
	if (now >= c->v[i]->expires) {
		drop(c, i);
		return NULL;
	}
	return c->v[i];
}

struct snd_sts_pol *
snd_sts_cache_put(struct snd_sts_cache *c, const char *domain, const char *id,
    struct sts_policy *p, time_t now)
{
	size_t i = find(c, domain), k = find_fail(c, domain);
	struct snd_sts_pol *e = xcalloc(1, sizeof(*e));

	if (i < c->n)
		drop(c, i);
	if (k < c->nf) {   /* a good fetch ends the pacing */
		free(c->f[k].domain);
		c->f[k] = c->f[--c->nf];
	}
	e->refs = 1;
	e->domain = xstrdup(domain);
	for (char *q = e->domain; *q; q++)
		*q = (char)tolower((unsigned char)*q);
	snprintf(e->id, sizeof(e->id), "%s", id);
	e->p = p;
	snd_sts_cache_touch(e, now);
	c->v = xrealloc(c->v, (c->n + 1) * sizeof(*c->v));
	c->v[c->n++] = e;
	return e;
}

void
snd_sts_cache_touch(struct snd_sts_pol *e, time_t now)
{
	e->fetched = now;
	e->expires = now + (time_t)e->p->max_age;
}

bool
snd_sts_cache_stale(const struct snd_sts_pol *e, time_t now)
{
	return now - e->fetched >= SND_STS_REFRESH_S;
}

void
snd_sts_cache_failed(struct snd_sts_cache *c, const char *domain,
    const char *id, time_t now)
{
	size_t k = find_fail(c, domain);

	if (k == c->nf) {
		c->f = xrealloc(c->f, (c->nf + 1) * sizeof(*c->f));
		c->f[c->nf++].domain = xstrdup(domain);
	}
	snprintf(c->f[k].id, sizeof(c->f[k].id), "%s", id);
	c->f[k].at = now;
}

long
snd_sts_cache_paced(const struct snd_sts_cache *c, const char *domain,
    const char *id, time_t now)
{
	size_t k = find_fail(c, domain);

	if (k == c->nf || strcmp(c->f[k].id, id) != 0 || now < c->f[k].at ||
	    now - c->f[k].at >= SND_STS_RETRY_S)
		return -1;
	return (long)(now - c->f[k].at);
}

size_t
snd_sts_cache_count(const struct snd_sts_cache *c)
{
	return c->n;
}

bool
snd_sts_mx_ok(const struct sts_policy *p, const char *host)
{
	return p != NULL && sts_policy_match(p, host);
}

bool
snd_sts_ctype_ok(const char *ctype)
{
	size_t n = strlen("text/plain");

	if (ctype == NULL || strncasecmp(ctype, "text/plain", n) != 0)
		return false;
	ctype += n;
	while (*ctype == ' ' || *ctype == '\t')
		ctype++;
	return *ctype == '\0' || *ctype == ';';
}

/* --- the state a sender keeps across deliveries (sender.h) --- */

struct snd_state *
snd_state_new(void)
{
	struct snd_state *st = xcalloc(1, sizeof(*st));

	st->cache = snd_sts_cache_new();
	st->rpt = snd_rpt_new();
	return st;
}

void
snd_state_free(struct snd_state *st)
{
	if (st == NULL)
		return;
	snd_sts_cache_free(st->cache);
	snd_rpt_free(st->rpt);
	free(st);
}

size_t
snd_state_policies(const struct snd_state *st)
{
	return st != NULL ? snd_sts_cache_count(st->cache) : 0;
}
