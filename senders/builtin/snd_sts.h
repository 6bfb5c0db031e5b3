/*
 * snd_sts: the reference sender's MTA-STS policy cache (RFC 8461 3.3,
 * 5.1) and TLSRPT result store (RFC 8460 4), the parts of struct
 * snd_state that tests look at directly.  Times are wall-clock seconds
 * of the loop (the scenario clock), never real time.
 *
 * Cache: one entry per policy domain (lower case), holding the TXT id
 * the policy was fetched under, the parsed policy and its expiry (fetch
 * time + max_age).  Entries are reference-counted: a delivery holds the
 * policy it started with even if a refresh replaces it meanwhile.
 *
 * Results: per recipient domain (where the report goes), a list of
 * res_policy entries (core/result.h: policy-type, domain, strings,
 * mx-host, counts, failure-details) filled from the sender's own view of
 * its sessions; snd_rpt_json() lays one domain's out as an RFC 8460
 * report with reports/'s policy writer.
 */
#ifndef MXSIM_SND_STS_H
#define MXSIM_SND_STS_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>
#include <openssl/evp.h>

#include "core/result.h"
#include "fake-https/sts.h"

/* ---- the policy cache ---- */

struct snd_sts_pol {
	unsigned refs;
	char *domain;
	char id[STS_ID_MAX + 1];
	struct sts_policy *p;      /* owned */
	time_t fetched;            /* last successful fetch (or id check) */
	time_t expires;            /* fetched + max_age */
};

struct snd_sts_cache;

struct snd_sts_cache *snd_sts_cache_new(void);
void snd_sts_cache_free(struct snd_sts_cache *c);   /* NULL is a no-op */
/* The unexpired entry of domain at now, or NULL (an expired one is
 * dropped).  Borrowed: take a reference with snd_sts_pol_ref to keep it. */
struct snd_sts_pol *snd_sts_cache_get(struct snd_sts_cache *c,
	const char *domain, time_t now);
/* Store a freshly fetched policy (taken) under id, replacing any entry
 * of the domain; returns the new entry (borrowed). */
struct snd_sts_pol *snd_sts_cache_put(struct snd_sts_cache *c,
	const char *domain, const char *id, struct sts_policy *p, time_t now);
/* The TXT id still matches: the entry's max_age runs from now again
 * (RFC 8461 3.3 lets a sender treat an unchanged id as a fresh fetch). */
void snd_sts_cache_touch(struct snd_sts_pol *e, time_t now);
size_t snd_sts_cache_count(const struct snd_sts_cache *c);
struct snd_sts_pol *snd_sts_pol_ref(struct snd_sts_pol *e);
void snd_sts_pol_unref(struct snd_sts_pol *e);   /* NULL is a no-op */

/* Proactive refresh (RFC 8461 3.3, 10.2: "for example, daily"): an
 * entry fetched this long ago is fetched again even though the TXT id
 * did not change, and max_age runs from that fetch. */
#define SND_STS_REFRESH_S 86400
/* Retry pacing (RFC 8461 3.3): after a failed fetch for an id, that id
 * is not fetched again for this long. */
#define SND_STS_RETRY_S 300

/* Whether the entry is due for a proactive refresh at now. */
bool snd_sts_cache_stale(const struct snd_sts_pol *e, time_t now);
/* A fetch of the policy for (domain, id) failed at now: remember it
 * (one per domain; a successful snd_sts_cache_put forgets it). */
void snd_sts_cache_failed(struct snd_sts_cache *c, const char *domain,
	const char *id, time_t now);
/* Seconds since a fetch for (domain, id) failed, when that was less
 * than SND_STS_RETRY_S ago; -1 otherwise (fetch). */
long snd_sts_cache_paced(const struct snd_sts_cache *c, const char *domain,
	const char *id, time_t now);

/* Whether the MX host matches the policy (RFC 8461 4.1; malformed
 * patterns never match). */
bool snd_sts_mx_ok(const struct sts_policy *p, const char *host);
/* Whether Content-Type is text/plain (parameters allowed, RFC 8461 3.3). */
bool snd_sts_ctype_ok(const char *ctype);

/* ---- TLSRPT results ---- */

struct snd_rpt;

struct snd_rpt *snd_rpt_new(void);
void snd_rpt_free(struct snd_rpt *r);     /* NULL is a no-op */

/* Count one session (result_type NULL: success) or one policy-level
 * failure (mx NULL) for the report of rcpt_domain, under the policy
 * (type "sts" | "tlsa" | "no-policy-found", policy domain, strings and
 * mx patterns; the first call for a policy fixes them).  now widens the
 * report's date range. */
void snd_rpt_add(struct snd_rpt *r, const char *rcpt_domain, const char *type,
	const char *pol_domain, const char *const *strings, size_t nstrings,
	const char *const *mx, size_t nmx, const char *result_type,
	const char *sending_ip, const char *mx_host, const char *mx_ip,
	const char *reason, time_t now);
/* Recipient domains with results, in order of first appearance. */
size_t snd_rpt_domains(const struct snd_rpt *r);
const char *snd_rpt_domain(const struct snd_rpt *r, size_t i);
/* The RFC 8460 report for domain i: I-JSON text (xmalloc'd, ends with a
 * newline), report-id unique per domain and range.  NULL if i is out of
 * range. */
char *snd_rpt_json(const struct snd_rpt *r, size_t i);
/* The date range of domain i's report: whole UTC days (start, end). */
void snd_rpt_range(const struct snd_rpt *r, size_t i, time_t *start,
	time_t *end);
/* Forget domain i's results (after reporting). */
void snd_rpt_forget(struct snd_rpt *r, size_t i);
/* The DKIM key report mail is signed with (snd_state_set_dkim), or NULL. */
EVP_PKEY *snd_rpt_dkim(const struct snd_rpt *r);

#define SND_RPT_ORG "mxsim reference sender"
#define SND_RPT_CONTACT "tlsrpt@sender.mxsim.test"
#define SND_RPT_SUBMITTER "sender.mxsim.test"

#endif
