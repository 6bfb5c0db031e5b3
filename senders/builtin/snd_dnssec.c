/*
 * snd_dnssec: the reference sender validates DNSSEC itself.  See
 * snd_dnssec.h for the contract.
 *
 * The walk.  For a name N the zone that holds it, and whether that zone
 * is secure, is found from the root down: the root's DNSKEY RRset must be
 * signed by a key that matches the trust anchor; then for each suffix C
 * of N, shortest first, "C DS" is asked.  A DS RRset signed by the keys
 * of the zone above makes C a secure cut: "C DNSKEY" is asked and must be
 * signed by a key that matches the DS.  A signed NSEC at C without DS
 * but with NS (and no SOA) proves an unsigned delegation: everything
 * below is insecure.  A signed NSEC at C without NS, or one that covers
 * C (an empty non-terminal), says C is no cut; NXDOMAIN ends the walk.
 * Anything else (no signatures, no proof, SERVFAIL, no answer) is bogus.
 * What each step learned is remembered by name in the validator, so a
 * sender asks each question once.
 *
 * Then the answer: every RRset of the answer section must verify with
 * the keys of its zone when that zone is secure; a negative answer needs
 * the SOA and the NSEC records of a secure zone, signed, and the NSEC
 * logic of RFC 4035 5.4 (NODATA: an NSEC at the name without the type or
 * CNAME; NXDOMAIN: NSECs covering the name and the wildcard at the
 * closest encloser).  Signature times are checked at the loop's wall
 * clock, the scenario's.
 *
 * Logs: each walk step at debug level under "sender".
 */
#include "senders/builtin/snd_dnssec.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "fake-dns/dns_proof.h"
#include "senders/builtin/snd_dns.h"

#define WHY_LEN 256
#define MAX_NAMES 32

enum cut { CUT_SECURE, CUT_NONE, CUT_INSECURE, CUT_NXDOMAIN, CUT_BOGUS };

/* What the walks learned about one name. */
struct known {
	ldns_rdf *name;
	enum cut cut;
	ldns_rr_list *keys;     /* CUT_SECURE: the zone's DNSKEYs */
	char why[WHY_LEN];
};

struct snd_val {
	ldns_rr_list *anchor;   /* DS and DNSKEY records of "." */
	ldns_rdf *root;
	struct known *k;
	size_t nk;
};

/* Where the walk of one name stands (pointers into the validator). */
struct zt {
	enum snd_sec sec;
	const ldns_rr_list *keys;   /* the keys of the deepest secure zone */
	char why[WHY_LEN];
};

struct snd_vjob {
	struct snd_dns *d;
	struct snd_val *v;
	ldns_pkt *p;
	ldns_rdf *qname;
	uint16_t qtype;
	snd_vjob_cb *cb;
	void *arg;
	ldns_rdf *names[MAX_NAMES];  /* the names whose zone matters */
	struct zt zt[MAX_NAMES];
	size_t nnames, iname;
	unsigned step;               /* labels of names[iname] walked */
	uint64_t qid;                /* the walk's query in flight */
	ldns_rdf *asked;             /* its name */
	ldns_rr_list *ds;            /* a verified DS RRset, keys asked */
};

static void PRINTF(3, 4)
say(char *why, size_t whylen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, whylen, fmt, ap);
	va_end(ap);
}

static char *
name_str(const ldns_rdf *n)
{
	char *s = ldns_rdf2str(n);
	char *r = xstrdup(s ? s : "?");

	free(s);
	return r;
}

static bool
name_eq(const ldns_rdf *a, const ldns_rdf *b)
{
	return ldns_dname_compare(a, b) == 0;
}

/* --- the validator --- */

struct snd_val *
snd_val_new(const char *anchor, char *err, size_t errlen)
{
	struct snd_val *v = xcalloc(1, sizeof(*v));
	const char *p = anchor;

	v->anchor = ldns_rr_list_new();
	v->root = ldns_dname_new_frm_str(".");
	while (p != NULL && *p != '\0') {
		const char *e = strchr(p, '\n');
		size_t n = e ? (size_t)(e - p) : strlen(p);
		char *line = xstrndup(p, n);
		ldns_rr *rr = NULL;

		p = e ? e + 1 : NULL;
		if (line[strspn(line, " \t\r")] == '\0' || line[0] == ';') {
			free(line);
			continue;
		}
		if (ldns_rr_new_frm_str(&rr, line, 0, NULL, NULL) !=
		    LDNS_STATUS_OK || (ldns_rr_get_type(rr) != LDNS_RR_TYPE_DS &&
		    ldns_rr_get_type(rr) != LDNS_RR_TYPE_DNSKEY) ||
		    !name_eq(ldns_rr_owner(rr), v->root)) {
			say(err, errlen, "trust anchor: not a DS or DNSKEY of "
			    "\".\": %s", line);
			ldns_rr_free(rr);
			free(line);
			snd_val_free(v);
			return NULL;
		}
		ldns_rr_list_push_rr(v->anchor, rr);
		free(line);
	}
	if (ldns_rr_list_rr_count(v->anchor) == 0) {
		say(err, errlen, "trust anchor: no DS or DNSKEY record");
		snd_val_free(v);
		return NULL;
	}
	return v;
}

void
snd_val_free(struct snd_val *v)
{
	if (v == NULL)
		return;
	for (size_t i = 0; i < v->nk; i++) {
		ldns_rdf_deep_free(v->k[i].name);
		ldns_rr_list_deep_free(v->k[i].keys);
	}
	free(v->k);
	ldns_rr_list_deep_free(v->anchor);
	ldns_rdf_deep_free(v->root);
	free(v);
}

size_t
snd_val_known(const struct snd_val *v)
{
	return v->nk;
}

static struct known *
known_find(struct snd_val *v, const ldns_rdf *name)
{
	for (size_t i = 0; i < v->nk; i++)
		if (name_eq(v->k[i].name, name))
			return &v->k[i];
	return NULL;
}

/* Remember what name is; keys are taken. */
static void
known_add(struct snd_val *v, const ldns_rdf *name, enum cut cut,
    ldns_rr_list *keys, const char *why)
{
	static const char *cuts[] = { "secure zone", "no zone cut",
		"unsigned delegation", "does not exist", "bogus" };
	char *s = name_str(name);
	struct known *k;

	log_debug("sender", "dnssec: %s: %s%s%s", s, cuts[cut],
	    why[0] ? ": " : "", why);
	free(s);
	v->k = xrealloc(v->k, (v->nk + 1) * sizeof(*v->k));
	k = &v->k[v->nk++];
	k->name = ldns_rdf_clone(name);
	k->cut = cut;
	k->keys = keys;
	snprintf(k->why, sizeof(k->why), "%s", why);
}

/* --- checking records --- */

/* The records of l at owner of type t (borrowed); with sigs, the RRSIGs
 * that cover t instead. */
/* Does RRset (owner, t) of l verify with its RRSIGs in l and keys? */
static bool
verify(const ldns_rr_list *l, const ldns_rdf *owner, ldns_rr_type t,
    const ldns_rr_list *keys, time_t now, char *why, size_t whylen)
{
	ldns_rr_list *set = dns_proof_pick(l, owner, t, false);
	ldns_rr_list *sigs = dns_proof_pick(l, owner, t, true);
	ldns_status st = LDNS_STATUS_CRYPTO_NO_RRSIG;

	if (ldns_rr_list_rr_count(set) > 0 && ldns_rr_list_rr_count(sigs) > 0 &&
	    keys != NULL && ldns_rr_list_rr_count(keys) > 0)
		st = ldns_verify_time(set, sigs, keys, now, NULL);
	if (st != LDNS_STATUS_OK) {
		char *n = name_str(owner);
		char *ts = ldns_rr_type2str(t);
		say(why, whylen, "%s/%s: %s", n, ts ? ts : "?",
		    ldns_get_errorstr_by_id(st));
		free(ts);
		free(n);
	}
	ldns_rr_list_free(set);
	ldns_rr_list_free(sigs);
	return st == LDNS_STATUS_OK;
}

/* Every NSEC RRset of l verifies with keys; *n counts them. */
static bool
verify_nsecs(const ldns_rr_list *l, const ldns_rr_list *keys, time_t now,
    size_t *n, char *why, size_t whylen)
{
	*n = 0;
	for (size_t i = 0; i < ldns_rr_list_rr_count(l); i++) {
		const ldns_rr *rr = ldns_rr_list_rr(l, i);

		if (ldns_rr_get_type(rr) != LDNS_RR_TYPE_NSEC)
			continue;
		(*n)++;
		if (!verify(l, ldns_rr_owner(rr), LDNS_RR_TYPE_NSEC, keys, now,
		    why, whylen))
			return false;
	}
	return true;
}

/* The NSEC at name in l, or NULL. */
static const ldns_rr *
nsec_at(const ldns_rr_list *l, const ldns_rdf *name)
{
	for (size_t i = 0; i < ldns_rr_list_rr_count(l); i++) {
		const ldns_rr *rr = ldns_rr_list_rr(l, i);

		if (ldns_rr_get_type(rr) == LDNS_RR_TYPE_NSEC &&
		    ldns_rr_rd_count(rr) >= 2 && name_eq(ldns_rr_owner(rr), name))
			return rr;
	}
	return NULL;
}

/* The DNSKEY RRset of owner in p, if one of its keys matches a DS (or is
 * an anchor DNSKEY) of ds and signs it: a copy, else NULL. */
static ldns_rr_list *
trusted_keys(const ldns_pkt *p, const ldns_rdf *owner, const ldns_rr_list *ds,
    time_t now, char *why, size_t whylen)
{
	const ldns_rr_list *an = p ? ldns_pkt_answer(p) : NULL;
	ldns_rr_list *set, *match, *out = NULL;
	char *n = name_str(owner);

	if (p == NULL || ldns_pkt_get_rcode(p) != LDNS_RCODE_NOERROR) {
		say(why, whylen, "no DNSKEY answer for %s (%s)", n, p == NULL ?
		    "no answer" : snd_dns_rcode_name(ldns_pkt_get_rcode(p)));
		free(n);
		return NULL;
	}
	set = dns_proof_pick(an, owner, LDNS_RR_TYPE_DNSKEY, false);
	match = ldns_rr_list_new();
	for (size_t i = 0; i < ldns_rr_list_rr_count(set); i++) {
		ldns_rr *key = ldns_rr_list_rr(set, i);
		for (size_t j = 0; j < ldns_rr_list_rr_count(ds); j++) {
			const ldns_rr *d = ldns_rr_list_rr(ds, j);
			if (ldns_rr_get_type(d) == LDNS_RR_TYPE_DS ?
			    ldns_rr_compare_ds(key, d) :
			    ldns_rr_compare(key, d) == 0) {
				ldns_rr_list_push_rr(match, key);
				break;
			}
		}
	}
	if (ldns_rr_list_rr_count(set) == 0)
		say(why, whylen, "%s has no DNSKEY", n);
	else if (ldns_rr_list_rr_count(match) == 0)
		say(why, whylen, "no DNSKEY of %s matches its DS", n);
	else if (verify(an, owner, LDNS_RR_TYPE_DNSKEY, match, now, why, whylen))
		out = ldns_rr_list_clone(set);
	ldns_rr_list_free(set);
	ldns_rr_list_free(match);
	free(n);
	return out;
}

/* --- the walk --- */

static void on_walk(const ldns_pkt *p, void *arg);

static void
ask(struct snd_vjob *j, const ldns_rdf *name, uint16_t type)
{
	if (j->asked != name) {
		ldns_rdf_deep_free(j->asked);
		j->asked = ldns_rdf_clone(name);
	}
	j->qid = snd_dns_query_raw(j->d, j->asked, type, on_walk, j);
	if (j->qid == 0) {
		ldns_rr_list_deep_free(j->ds);
		j->ds = NULL;
		known_add(j->v, j->asked, CUT_BOGUS, NULL, "cannot ask");
	}
}

/* Walk on until every name is placed (true) or a question is out. */
static bool
drive(struct snd_vjob *j)
{
	while (j->iname < j->nnames) {
		struct zt *z = &j->zt[j->iname];
		const ldns_rdf *name = j->names[j->iname];
		unsigned labels = ldns_dname_label_count(name);
		ldns_rdf *c;
		struct known *k;

		if (z->sec != SND_SEC_SECURE || j->step > labels) {
			if (z->sec == SND_SEC_BOGUS)
				return true;   /* the answer is bogus already */
			j->iname++;
			j->step = 0;
			continue;
		}
		c = j->step == 0 ? ldns_rdf_clone(j->v->root) :
		    ldns_dname_clone_from(name, (uint16_t)(labels - j->step));
		k = known_find(j->v, c);
		if (k == NULL) {
			ask(j, c, j->step == 0 ? SND_DNS_DNSKEY : SND_DNS_DS);
			ldns_rdf_deep_free(c);
			if (j->qid != 0)
				return false;
			continue;   /* known now, as bogus */
		}
		ldns_rdf_deep_free(c);
		switch (k->cut) {
		case CUT_SECURE:
			z->keys = k->keys;
			break;
		case CUT_NONE:
			break;
		case CUT_INSECURE:
			z->sec = SND_SEC_INSECURE;
			snprintf(z->why, sizeof(z->why), "%s", k->why);
			break;
		case CUT_NXDOMAIN:
			j->step = labels;   /* nothing below */
			break;
		case CUT_BOGUS:
			z->sec = SND_SEC_BOGUS;
			snprintf(z->why, sizeof(z->why), "%s", k->why);
			break;
		}
		j->step++;
	}
	return true;
}

/* The answer to "asked DS", checked with the keys of the zone above. */
static void
walk_ds(struct snd_vjob *j, const ldns_pkt *p)
{
	const ldns_rr_list *pkeys = j->zt[j->iname].keys;
	const ldns_rdf *c = j->asked;
	time_t now = snd_dns_wallclock(j->d);
	char why[WHY_LEN] = "";
	char *n = name_str(c);
	ldns_rr_list *ds;
	size_t nn;

	if (p == NULL || (ldns_pkt_get_rcode(p) != LDNS_RCODE_NOERROR &&
	    ldns_pkt_get_rcode(p) != LDNS_RCODE_NXDOMAIN)) {
		say(why, sizeof(why), "DS query for %s: %s", n, p == NULL ?
		    "no answer" : snd_dns_rcode_name(ldns_pkt_get_rcode(p)));
		known_add(j->v, c, CUT_BOGUS, NULL, why);
		free(n);
		return;
	}
	ds = dns_proof_pick(ldns_pkt_answer(p), c, LDNS_RR_TYPE_DS, false);
	if (ldns_rr_list_rr_count(ds) > 0) {
		if (verify(ldns_pkt_answer(p), c, LDNS_RR_TYPE_DS, pkeys, now,
		    why, sizeof(why))) {
			j->ds = ldns_rr_list_clone(ds);
			ask(j, c, SND_DNS_DNSKEY);
		} else {
			known_add(j->v, c, CUT_BOGUS, NULL, why);
		}
	} else if (!verify_nsecs(ldns_pkt_authority(p), pkeys, now, &nn, why,
	    sizeof(why))) {
		known_add(j->v, c, CUT_BOGUS, NULL, why);
	} else if (nn == 0) {
		say(why, sizeof(why), "no DS for %s and no NSEC that proves "
		    "there is none", n);
		known_add(j->v, c, CUT_BOGUS, NULL, why);
	} else if (ldns_pkt_get_rcode(p) == LDNS_RCODE_NXDOMAIN) {
		known_add(j->v, c, CUT_NXDOMAIN, NULL, "");
	} else {
		const ldns_rr *at = nsec_at(ldns_pkt_authority(p), c);
		const ldns_rdf *bm = at ? ldns_rr_rdf(at, 1) : NULL;

		if (bm != NULL && ldns_nsec_bitmap_covers_type(bm, LDNS_RR_TYPE_DS)) {
			say(why, sizeof(why), "the NSEC at %s lists a DS that "
			    "the answer lacks", n);
			known_add(j->v, c, CUT_BOGUS, NULL, why);
		} else if (bm != NULL &&
		    ldns_nsec_bitmap_covers_type(bm, LDNS_RR_TYPE_NS) &&
		    !ldns_nsec_bitmap_covers_type(bm, LDNS_RR_TYPE_SOA)) {
			say(why, sizeof(why), "%s is an unsigned delegation", n);
			known_add(j->v, c, CUT_INSECURE, NULL, why);
		} else {
			known_add(j->v, c, CUT_NONE, NULL, "");
		}
	}
	ldns_rr_list_free(ds);
	free(n);
}

static void finish(struct snd_vjob *j);

static void
on_walk(const ldns_pkt *p, void *arg)
{
	struct snd_vjob *j = arg;
	time_t now = snd_dns_wallclock(j->d);
	char why[WHY_LEN] = "";
	ldns_rr_list *keys;

	j->qid = 0;
	if (j->step == 0) {
		/* the root's keys, against the anchor */
		keys = trusted_keys(p, j->asked, j->v->anchor, now, why,
		    sizeof(why));
		known_add(j->v, j->asked, keys ? CUT_SECURE : CUT_BOGUS, keys,
		    why);
	} else if (j->ds != NULL) {
		keys = trusted_keys(p, j->asked, j->ds, now, why, sizeof(why));
		ldns_rr_list_deep_free(j->ds);
		j->ds = NULL;
		known_add(j->v, j->asked, keys ? CUT_SECURE : CUT_BOGUS, keys,
		    why);
	} else {
		walk_ds(j, p);
		if (j->qid != 0)
			return;   /* asked for the DNSKEYs */
	}
	if (drive(j))
		finish(j);
}

/* --- the answer --- */

static const struct zt *
zt_of(const struct snd_vjob *j, const ldns_rdf *name)
{
	for (size_t i = 0; i < j->nnames; i++)
		if (name_eq(j->names[i], name))
			return &j->zt[i];
	return NULL;
}

static void
add_name(struct snd_vjob *j, const ldns_rdf *name)
{
	if (zt_of(j, name) != NULL || j->nnames == MAX_NAMES)
		return;
	j->names[j->nnames] = ldns_rdf_clone(name);
	j->zt[j->nnames].sec = SND_SEC_SECURE;
	j->nnames++;
}

/* Where the CNAME chain from qname ends in the answer, and whether the
 * type asked for is there. */
static const ldns_rdf *
chain_end(const ldns_pkt *p, const ldns_rdf *qname, uint16_t qtype,
    bool *answered)
{
	const ldns_rr_list *an = ldns_pkt_answer(p);
	const ldns_rdf *name = qname;

	*answered = false;
	for (int hop = 0; hop <= 16; hop++) {
		const ldns_rdf *next = NULL;
		for (size_t i = 0; i < ldns_rr_list_rr_count(an); i++) {
			const ldns_rr *rr = ldns_rr_list_rr(an, i);
			if (!name_eq(ldns_rr_owner(rr), name))
				continue;
			if (ldns_rr_get_type(rr) == (ldns_rr_type)qtype)
				*answered = true;
			else if (ldns_rr_get_type(rr) == LDNS_RR_TYPE_CNAME &&
			    ldns_rr_rd_count(rr) == 1)
				next = ldns_rr_rdf(rr, 0);
		}
		if (*answered || next == NULL)
			break;
		name = next;
	}
	return name;
}

static enum snd_sec
weaker(enum snd_sec a, enum snd_sec b)
{
	return a > b ? a : b;   /* secure < insecure < bogus */
}

/* The denial of (name, qtype) in the authority section. */
static enum snd_sec
check_denial(const struct snd_vjob *j, const ldns_rdf *name, time_t now,
    char *why, size_t whylen)
{
	const ldns_rr_list *ns = ldns_pkt_authority(j->p);
	const struct zt *z = zt_of(j, name);
	const ldns_rr *soa = NULL;
	size_t nn;

	if (z == NULL || z->sec != SND_SEC_SECURE) {
		say(why, whylen, "%s", z ? z->why : "too many names");
		return z ? z->sec : SND_SEC_BOGUS;
	}
	for (size_t i = 0; i < ldns_rr_list_rr_count(ns) && soa == NULL; i++)
		if (ldns_rr_get_type(ldns_rr_list_rr(ns, i)) == LDNS_RR_TYPE_SOA)
			soa = ldns_rr_list_rr(ns, i);
	if (soa == NULL) {
		say(why, whylen, "a denial in a signed zone without an SOA");
		return SND_SEC_BOGUS;
	}
	if (!verify(ns, ldns_rr_owner(soa), LDNS_RR_TYPE_SOA, z->keys, now, why,
	    whylen) || !verify_nsecs(ns, z->keys, now, &nn, why, whylen))
		return SND_SEC_BOGUS;
	if (!dns_proof_denial(ns, name, (ldns_rr_type)j->qtype,
	    ldns_pkt_get_rcode(j->p) == LDNS_RCODE_NXDOMAIN)) {
		char *n = name_str(name);
		say(why, whylen, "%s: no valid NSEC proof of %s", n,
		    ldns_pkt_get_rcode(j->p) == LDNS_RCODE_NXDOMAIN ?
		    "NXDOMAIN" : "NODATA");
		free(n);
		return SND_SEC_BOGUS;
	}
	return SND_SEC_SECURE;
}

static enum snd_sec
check_answer(const struct snd_vjob *j, char *why, size_t whylen)
{
	const ldns_rr_list *an = ldns_pkt_answer(j->p);
	time_t now = snd_dns_wallclock(j->d);
	enum snd_sec s = SND_SEC_SECURE, rs;
	char w[WHY_LEN] = "";
	bool answered;
	const ldns_rdf *end;

	why[0] = '\0';
	for (size_t i = 0; i < ldns_rr_list_rr_count(an); i++) {
		const ldns_rr *rr = ldns_rr_list_rr(an, i);
		const struct zt *z;

		if (ldns_rr_get_type(rr) == LDNS_RR_TYPE_RRSIG ||
		    !dns_proof_first_of_set(an, i))
			continue;
		z = zt_of(j, ldns_rr_owner(rr));
		if (z == NULL) {
			rs = SND_SEC_BOGUS;
			say(w, sizeof(w), "too many names to validate");
		} else if (z->sec != SND_SEC_SECURE) {
			rs = z->sec;
			say(w, sizeof(w), "%s", z->why);
		} else {
			rs = verify(an, ldns_rr_owner(rr), ldns_rr_get_type(rr),
			    z->keys, now, w, sizeof(w)) ? SND_SEC_SECURE :
			    SND_SEC_BOGUS;
		}
		if (rs > s)
			say(why, whylen, "%s", w);
		s = weaker(s, rs);
		if (s == SND_SEC_BOGUS)
			return s;
	}
	end = chain_end(j->p, j->qname, j->qtype, &answered);
	if (!answered) {
		rs = check_denial(j, end, now, w, sizeof(w));
		if (rs > s)
			say(why, whylen, "%s", w);
		s = weaker(s, rs);
	}
	return s;
}

static void
job_free(struct snd_vjob *j)
{
	for (size_t i = 0; i < j->nnames; i++)
		ldns_rdf_deep_free(j->names[i]);
	ldns_rr_list_deep_free(j->ds);
	ldns_rdf_deep_free(j->asked);
	ldns_rdf_deep_free(j->qname);
	ldns_pkt_free(j->p);
	free(j);
}

static void
finish(struct snd_vjob *j)
{
	char why[WHY_LEN];
	enum snd_sec s = check_answer(j, why, sizeof(why));
	snd_vjob_cb *cb = j->cb;
	void *arg = j->arg;

	job_free(j);
	cb(s, why, arg);
}

struct snd_vjob *
snd_vjob_start(struct snd_dns *d, struct snd_val *v, const ldns_pkt *p,
    const ldns_rdf *qname, uint16_t qtype, snd_vjob_cb *cb, void *arg,
    enum snd_sec *sec, char *why, size_t whylen)
{
	struct snd_vjob *j = xcalloc(1, sizeof(*j));
	const ldns_rr_list *an = ldns_pkt_answer(p);
	bool answered;

	j->d = d;
	j->v = v;
	j->p = ldns_pkt_clone(p);
	j->qname = ldns_rdf_clone(qname);
	j->qtype = qtype;
	j->cb = cb;
	j->arg = arg;
	for (size_t i = 0; i < ldns_rr_list_rr_count(an); i++) {
		const ldns_rr *rr = ldns_rr_list_rr(an, i);
		if (ldns_rr_get_type(rr) != LDNS_RR_TYPE_RRSIG)
			add_name(j, ldns_rr_owner(rr));
	}
	add_name(j, chain_end(j->p, j->qname, qtype, &answered));
	if (!drive(j))
		return j;
	*sec = check_answer(j, why, whylen);
	job_free(j);
	return NULL;
}

void
snd_vjob_cancel(struct snd_vjob *j)
{
	if (j == NULL)
		return;
	if (j->qid != 0)
		snd_dns_cancel(j->d, j->qid);
	job_free(j);
}
