/*
 * dns_resolver: the validating resolver face.
 *
 * A recursive answer (dns_answer.c builds it whole, with RRSIGs and NSEC
 * proofs) is validated here the way a validating resolver validates what
 * it fetched (RFC 4035 5): each RRset of the answer section against the
 * DNSKEYs of the zone that holds it, a negative answer through its SOA
 * and NSEC records and the denial logic of RFC 4035 5.4, and each zone's
 * DNSKEYs through the chain of trust from the trust anchor of ".": the
 * DNSKEY RRset signed by a key that matches the DS in the parent (the
 * anchor for "."), the DS signed by the parent's keys, or an NSEC of the
 * parent, signed, that proves there is no DS (an insecure delegation).
 * The DS and DNSKEY RRsets are fetched from the db with dns_lookup(), as
 * the authoritative servers would give them, so the validator sees only
 * what is on the wire.  Cryptography and signature times are ldns's
 * (ldns_verify_time), at the time the caller gives.
 *
 * Outcome: secure, insecure (a zone on the way has no DS, proven), or
 * bogus (anything else), with the reason.  Additional-section RRsets that
 * are bogus are dropped; they never make the answer bogus.
 *
 * The chain of trust of each zone and each verification are cached in
 * the db (dns_trust_cache) until the data change (the db's generation),
 * and used while the clock is inside the validity of every signature
 * they rest on (a failure: within the same second).
 *
 * Logs: nothing; the reason goes back to the caller.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ldns/ldns.h>

#include "core/util.h"
#include "fake-dns/dns_int.h"
#include "fake-dns/dns_proof.h"

#define WHY_LEN 256
#define MEMO_MAX 1024 /* verifications remembered */

/* When a result holds: the signature validity it rests on.  A failure
 * holds for the second it was found in. */
struct window {
	time_t from, until;
};

#define WINDOW_ALWAYS ((struct window){ 0, INT64_MAX })

struct trust {
	const struct dns_zone *z;
	enum dns_sec_state state;
	ldns_rr_list *keys; /* the zone's DNSKEYs (clones), when secure */
	struct window w;
	char why[WHY_LEN];
};

/* A verification done already: the keys (by address: they live as long
 * as the generation), the RRset and its RRSIGs in canonical wire form;
 * the outcome and when it holds. */
struct memo {
	uint8_t *key;
	size_t len;
	bool ok;
	struct window w;
	char why[WHY_LEN];
};

struct dns_trust_cache {
	uint64_t gen;
	struct trust *t;
	size_t n;
	struct memo *m;
	size_t nm;
};

static void
memo_clear(struct dns_trust_cache *c)
{
	for (size_t i = 0; i < c->nm; i++)
		free(c->m[i].key);
	free(c->m);
	c->m = NULL;
	c->nm = 0;
}

static void
cache_clear(struct dns_trust_cache *c)
{
	for (size_t i = 0; i < c->n; i++)
		ldns_rr_list_deep_free(c->t[i].keys);
	free(c->t);
	c->t = NULL;
	c->n = 0;
	memo_clear(c);
}

void
dns_trust_cache_free(struct dns_trust_cache *c)
{
	if (c == NULL)
		return;
	cache_clear(c);
	free(c);
}

/* The db's cache, emptied when the data changed. */
static struct dns_trust_cache *
cache_of(struct dns_db *db)
{
	if (db->cache == NULL)
		db->cache = xcalloc(1, sizeof(*db->cache));
	if (db->cache->gen != db->gen) {
		cache_clear(db->cache);
		db->cache->gen = db->gen;
	}
	return db->cache;
}

static bool
in_window(struct window w, time_t now)
{
	return now >= w.from && now <= w.until;
}

static struct window
narrower(struct window a, struct window b)
{
	return (struct window){ a.from > b.from ? a.from : b.from,
	    a.until < b.until ? a.until : b.until };
}

static void PRINTF(3, 4)
say(char *why, size_t whylen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, whylen, fmt, ap);
	va_end(ap);
}

/* "name/TYPE" for messages. */
static void
rrset_label(char *out, size_t len, const ldns_rdf *owner, ldns_rr_type t)
{
	char *n = ldns_rdf2str(owner);
	char *ts = ldns_rr_type2str(t);

	snprintf(out, len, "%s/%s", n ? n : "?", ts ? ts : "?");
	free(n);
	free(ts);
}

/* Verify (owner, t) of list l with its RRSIGs from l and keys; *w says
 * when the outcome holds (every signature's window, for a success). */
static bool
verify(const ldns_rr_list *l, const ldns_rdf *owner, ldns_rr_type t,
	const ldns_rr_list *keys, time_t now, struct window *w, char *why,
	size_t whylen)
{
	ldns_rr_list *set = dns_proof_pick(l, owner, t, false);
	ldns_rr_list *sigs = dns_proof_pick(l, owner, t, true);
	char label[300];
	ldns_status st = LDNS_STATUS_CRYPTO_NO_RRSIG;

	*w = (struct window){ now, now };
	if (ldns_rr_list_rr_count(sigs) > 0 && ldns_rr_list_rr_count(set) > 0)
		st = ldns_verify_time(set, sigs, keys, now, NULL);
	if (st != LDNS_STATUS_OK) {
		rrset_label(label, sizeof(label), owner, t);
		say(why, whylen, "%s: %s", label, ldns_get_errorstr_by_id(st));
	} else {
		*w = WINDOW_ALWAYS;
		for (size_t i = 0; i < ldns_rr_list_rr_count(sigs); i++) {
			const ldns_rr *sig = ldns_rr_list_rr(sigs, i);

			*w = narrower(*w, (struct window){
			    ldns_rdf2native_int32(ldns_rr_rrsig_inception(sig)),
			    ldns_rdf2native_int32(ldns_rr_rrsig_expiration(sig))
			});
		}
	}
	ldns_rr_list_free(set);
	ldns_rr_list_free(sigs);
	return st == LDNS_STATUS_OK;
}

/*
 * verify() through the memo: the answers of a world repeat, and what
 * costs is not the Ed25519 arithmetic but OpenSSL decoding the DNSKEY
 * again for every signature (about 0.4 ms an RRset).
 */
static bool
verify_memo(struct dns_db *db, const ldns_rr_list *l, const ldns_rdf *owner,
	ldns_rr_type t, const ldns_rr_list *keys, time_t now, struct window *w,
	char *why, size_t whylen)
{
	struct dns_trust_cache *c = cache_of(db);
	ldns_rr_list *set = dns_proof_pick(l, owner, t, false);
	ldns_rr_list *sigs = dns_proof_pick(l, owner, t, true);
	ldns_buffer *b = ldns_buffer_new(512);
	struct memo *m;
	bool ok;

	ldns_buffer_write(b, &keys, sizeof(keys));
	for (size_t i = 0; i < ldns_rr_list_rr_count(set); i++)
		(void)ldns_rr2buffer_wire_canonical(b, ldns_rr_list_rr(set, i),
		    LDNS_SECTION_ANSWER);
	for (size_t i = 0; i < ldns_rr_list_rr_count(sigs); i++)
		(void)ldns_rr2buffer_wire_canonical(b,
		    ldns_rr_list_rr(sigs, i), LDNS_SECTION_ANSWER);
	ldns_rr_list_free(set);
	ldns_rr_list_free(sigs);
	for (size_t i = 0; i < c->nm; i++) {
		m = &c->m[i];
		if (m->len == ldns_buffer_position(b) && in_window(m->w, now) &&
		    memcmp(m->key, ldns_buffer_begin(b), m->len) == 0) {
			ldns_buffer_free(b);
			say(why, whylen, "%s", m->why);
			*w = m->w;
			return m->ok;
		}
	}
	ok = verify(l, owner, t, keys, now, w, why, whylen);
	if (c->nm == MEMO_MAX)
		memo_clear(c);
	c->m = xrealloc(c->m, (c->nm + 1) * sizeof(*c->m));
	m = &c->m[c->nm++];
	m->len = ldns_buffer_position(b);
	m->key = xmalloc(m->len);
	memcpy(m->key, ldns_buffer_begin(b), m->len);
	m->ok = ok;
	m->w = *w;
	snprintf(m->why, sizeof(m->why), "%s", ok ? "" : why);
	ldns_buffer_free(b);
	return ok;
}

/* Trust the DNSKEYs of z through one of ds (DS RRs, or the anchor). */
static enum dns_sec_state
trust_keys(const struct dns_db *db, const struct dns_zone *z,
	const ldns_rr_list *ds, time_t now, ldns_rr_list **keys,
	struct window *w, char *why, size_t whylen)
{
	struct dns_reply r;
	ldns_rr_list *set, *match;
	enum dns_sec_state s = DNS_SEC_BOGUS;
	char *apex = ldns_rdf2str(z->apex);

	dns_reply_init(&r);
	dns_lookup(db, z->apex, LDNS_RR_TYPE_DNSKEY, &r);
	set = dns_proof_pick(r.an, z->apex, LDNS_RR_TYPE_DNSKEY, false);
	match = ldns_rr_list_new();
	for (size_t i = 0; i < ldns_rr_list_rr_count(set); i++)
		for (size_t j = 0; j < ldns_rr_list_rr_count(ds); j++)
			if (ldns_rr_compare_ds(ldns_rr_list_rr(set, i),
			    ldns_rr_list_rr(ds, j))) {
				ldns_rr_list_push_rr(match,
				    ldns_rr_list_rr(set, i));
				break;
			}
	*w = (struct window){ now, now };
	if (ldns_rr_list_rr_count(set) == 0)
		say(why, whylen, "%s has no DNSKEY", apex);
	else if (ldns_rr_list_rr_count(match) == 0)
		say(why, whylen, "no DNSKEY of %s matches its DS", apex);
	else if (verify(r.an, z->apex, LDNS_RR_TYPE_DNSKEY, match, now, w, why,
	    whylen)) {
		*keys = ldns_rr_list_clone(set);
		s = DNS_SEC_SECURE;
	}
	ldns_rr_list_free(set);
	ldns_rr_list_free(match);
	dns_reply_free(&r);
	free(apex);
	return s;
}

static struct trust *trust_of(struct dns_db *db, const struct dns_zone *z,
	time_t now, int depth);

/* The chain of trust of z below its parent p; *w narrows to when it
 * holds. */
static enum dns_sec_state
trust_below(struct dns_db *db, const struct dns_zone *z,
	const struct dns_zone *p, time_t now, int depth, ldns_rr_list **keys,
	struct window *w, char *why, size_t whylen)
{
	struct trust *pt = trust_of(db, p, now, depth + 1);
	enum dns_sec_state s = pt->state;
	ldns_rr_list *pkeys = pt->keys, *ds, *nsec;
	struct window vw, kw;
	struct dns_reply r;
	char *apex;

	*w = pt->w;
	if (s != DNS_SEC_SECURE) {
		say(why, whylen, "%s", pt->why);
		return s;
	}
	dns_reply_init(&r);
	dns_lookup(db, z->apex, LDNS_RR_TYPE_DS, &r);
	ds = dns_proof_pick(r.an, z->apex, LDNS_RR_TYPE_DS, false);
	nsec = dns_proof_pick(r.ns, z->apex, LDNS_RR_TYPE_NSEC, false);
	apex = ldns_rdf2str(z->apex);
	s = DNS_SEC_BOGUS;
	if (ldns_rr_list_rr_count(ds) > 0) {
		if (verify(r.an, z->apex, LDNS_RR_TYPE_DS, pkeys, now, &vw, why,
		    whylen)) {
			s = trust_keys(db, z, ds, now, keys, &kw, why, whylen);
			vw = narrower(vw, kw);
		}
	} else if (ldns_rr_list_rr_count(nsec) != 1) {
		vw = (struct window){ now, now };
		say(why, whylen, "no DS for %s and no NSEC that proves there "
		    "is none", apex);
	} else if (verify(r.ns, z->apex, LDNS_RR_TYPE_NSEC, pkeys, now, &vw,
	    why, whylen)) {
		const ldns_rdf *bm = ldns_rr_rdf(ldns_rr_list_rr(nsec, 0), 1);

		if (bm != NULL &&
		    ldns_nsec_bitmap_covers_type(bm, LDNS_RR_TYPE_NS) &&
		    !ldns_nsec_bitmap_covers_type(bm, LDNS_RR_TYPE_DS) &&
		    !ldns_nsec_bitmap_covers_type(bm, LDNS_RR_TYPE_SOA)) {
			s = DNS_SEC_INSECURE;
			say(why, whylen, "%s is an unsigned delegation", apex);
		} else {
			say(why, whylen, "the NSEC at %s does not prove an "
			    "unsigned delegation", apex);
		}
	}
	*w = s == DNS_SEC_BOGUS ? (struct window){ now, now } :
	    narrower(*w, vw);
	free(apex);
	ldns_rr_list_free(ds);
	ldns_rr_list_free(nsec);
	dns_reply_free(&r);
	return s;
}

/*
 * The chain of trust of z at now, from the cache or worked out.  The
 * pointer is good until the next call (the cache may grow).
 */
static struct trust *
trust_of(struct dns_db *db, const struct dns_zone *z, time_t now, int depth)
{
	struct dns_trust_cache *c = cache_of(db);
	const struct dns_zone *p;
	struct trust t = { .z = z };
	size_t i;
	char *apex;

	for (i = 0; i < c->n; i++)
		if (c->t[i].z == z && in_window(c->t[i].w, now))
			return &c->t[i];
	p = dns_zone_for(db, z->apex, true);
	if (p == z)
		p = NULL;
	apex = ldns_rdf2str(z->apex);
	if (depth > 64) {
		t.state = DNS_SEC_BOGUS; /* cannot happen: zones nest */
		t.w = (struct window){ now, now };
		say(t.why, sizeof(t.why), "chain of trust too deep at %s", apex);
	} else if (p != NULL) {
		t.state = trust_below(db, z, p, now, depth, &t.keys, &t.w,
		    t.why, sizeof(t.why));
	} else if (ldns_dname_label_count(z->apex) == 0) {
		ldns_rr_list *anchor = ldns_rr_list_new();

		ldns_rr_list_push_rr(anchor, db->anchor_ds);
		t.state = trust_keys(db, z, anchor, now, &t.keys, &t.w, t.why,
		    sizeof(t.why));
		ldns_rr_list_free(anchor);
	} else {
		t.state = DNS_SEC_INSECURE;
		t.w = WINDOW_ALWAYS;
		say(t.why, sizeof(t.why), "no trust anchor above %s", apex);
	}
	free(apex);
	/* trust_below may have grown the cache: look again, then replace
	 * the entry that ran out of time or add one */
	for (i = 0; i < c->n && c->t[i].z != z; i++)
		;
	if (i == c->n) {
		c->t = xrealloc(c->t, (c->n + 1) * sizeof(*c->t));
		c->n++;
	} else {
		/* its keys may be what the memo knows by address: forget */
		ldns_rr_list_deep_free(c->t[i].keys);
		memo_clear(c);
	}
	c->t[i] = t;
	return &c->t[i];
}

/* The state of RRset (owner, t) of list l, signed by zone z (NULL: the
 * zone that holds it). */
static enum dns_sec_state
check_rrset(struct dns_db *db, const ldns_rr_list *l, const ldns_rdf *owner,
	ldns_rr_type t, const struct dns_zone *z, time_t now, char *why,
	size_t whylen)
{
	struct trust *zt;
	struct window w;

	if (z == NULL)
		z = dns_zone_for(db, owner, t == LDNS_RR_TYPE_DS);
	if (z == NULL) {
		say(why, whylen, "outside every zone");
		return DNS_SEC_INSECURE;
	}
	zt = trust_of(db, z, now, 0);
	if (zt->state != DNS_SEC_SECURE) {
		say(why, whylen, "%s", zt->why);
		return zt->state;
	}
	return verify_memo(db, l, owner, t, zt->keys, now, &w, why, whylen) ?
	    DNS_SEC_SECURE : DNS_SEC_BOGUS;
}

/* The weaker of two states: bogus < insecure < secure. */
static enum dns_sec_state
weaker(enum dns_sec_state a, enum dns_sec_state b)
{
	if (a == DNS_SEC_BOGUS || b == DNS_SEC_BOGUS)
		return DNS_SEC_BOGUS;
	if (a == DNS_SEC_INSECURE || b == DNS_SEC_INSECURE)
		return DNS_SEC_INSECURE;
	return DNS_SEC_SECURE;
}

/* The negative part of an answer: SOA and NSEC of the zone that denies. */
static enum dns_sec_state
check_denial(struct dns_db *db, const struct dns_reply *r,
	const ldns_rdf *name, ldns_rr_type qtype, time_t now, char *why,
	size_t whylen)
{
	const ldns_rr *soa = NULL;
	const struct dns_zone *z;
	enum dns_sec_state s;
	char label[300];

	for (size_t i = 0; i < ldns_rr_list_rr_count(r->ns) && !soa; i++)
		if (ldns_rr_get_type(ldns_rr_list_rr(r->ns, i)) ==
		    LDNS_RR_TYPE_SOA)
			soa = ldns_rr_list_rr(r->ns, i);
	if (soa == NULL) {
		say(why, whylen, "an empty answer without an SOA");
		return DNS_SEC_INSECURE;
	}
	/* the zone of the SOA signs the NSECs too, also the one at a cut */
	z = dns_zone_exact(db, ldns_rr_owner(soa));
	if (z == NULL) {
		say(why, whylen, "an SOA that is no zone's");
		return DNS_SEC_BOGUS;
	}
	s = check_rrset(db, r->ns, ldns_rr_owner(soa), LDNS_RR_TYPE_SOA, z,
	    now, why, whylen);
	if (s != DNS_SEC_SECURE)
		return s;
	for (size_t i = 0; i < ldns_rr_list_rr_count(r->ns); i++) {
		const ldns_rr *rr = ldns_rr_list_rr(r->ns, i);

		if (ldns_rr_get_type(rr) == LDNS_RR_TYPE_NSEC &&
		    dns_proof_first_of_set(r->ns, i) && (s = check_rrset(db, r->ns,
		    ldns_rr_owner(rr), LDNS_RR_TYPE_NSEC, z, now, why,
		    whylen)) != DNS_SEC_SECURE)
			return s;
	}
	if (!dns_proof_denial(r->ns, name, qtype,
	    r->rcode == LDNS_RCODE_NXDOMAIN)) {
		rrset_label(label, sizeof(label), name, qtype);
		say(why, whylen, "%s: no valid NSEC proof of %s", label,
		    r->rcode == LDNS_RCODE_NXDOMAIN ? "NXDOMAIN" : "NODATA");
		return DNS_SEC_BOGUS;
	}
	return DNS_SEC_SECURE;
}

/* Drop the additional RRsets that do not validate.  The records of bad
 * are still in r->ar while the second loop compares with them: what is
 * dropped is freed only at the end. */
static void
filter_additional(struct dns_db *db, struct dns_reply *r, time_t now)
{
	ldns_rr_list *bad = ldns_rr_list_new(), *keep = ldns_rr_list_new();
	ldns_rr_list *gone = ldns_rr_list_new();
	char why[WHY_LEN];

	for (size_t i = 0; i < ldns_rr_list_rr_count(r->ar); i++) {
		ldns_rr *rr = ldns_rr_list_rr(r->ar, i);

		if (ldns_rr_get_type(rr) != LDNS_RR_TYPE_RRSIG &&
		    dns_proof_first_of_set(r->ar, i) && check_rrset(db, r->ar,
		    ldns_rr_owner(rr), ldns_rr_get_type(rr), NULL, now, why,
		    sizeof(why)) == DNS_SEC_BOGUS)
			ldns_rr_list_push_rr(bad, rr);
	}
	for (size_t i = 0; i < ldns_rr_list_rr_count(r->ar); i++) {
		ldns_rr *rr = ldns_rr_list_rr(r->ar, i);
		ldns_rr_type t = ldns_rr_get_type(rr) == LDNS_RR_TYPE_RRSIG ?
		    dns_rrsig_covered(rr) : ldns_rr_get_type(rr);
		bool drop = false;

		for (size_t j = 0; j < ldns_rr_list_rr_count(bad) && !drop; j++)
			drop = ldns_rr_get_type(ldns_rr_list_rr(bad, j)) == t &&
			    dns_name_eq(ldns_rr_owner(ldns_rr_list_rr(bad, j)),
			    ldns_rr_owner(rr));
		ldns_rr_list_push_rr(drop ? gone : keep, rr);
	}
	ldns_rr_list_deep_free(gone);
	ldns_rr_list_free(bad);
	ldns_rr_list_free(r->ar);
	r->ar = keep;
}

enum dns_sec_state
dns_validate(struct dns_db *db, const ldns_rdf *qname, ldns_rr_type qtype,
	struct dns_reply *r, time_t now, char *why, size_t whylen)
{
	enum dns_sec_state s = DNS_SEC_SECURE;
	const ldns_rdf *name = qname;
	bool answered = false;
	char w[WHY_LEN] = "";

	why[0] = '\0';
	for (size_t i = 0; i < ldns_rr_list_rr_count(r->an); i++) {
		const ldns_rr *rr = ldns_rr_list_rr(r->an, i);
		enum dns_sec_state rs;

		if (ldns_rr_get_type(rr) == LDNS_RR_TYPE_RRSIG ||
		    !dns_proof_first_of_set(r->an, i))
			continue;
		rs = check_rrset(db, r->an, ldns_rr_owner(rr),
		    ldns_rr_get_type(rr), NULL, now, w, sizeof(w));
		if (rs != DNS_SEC_SECURE && s == DNS_SEC_SECURE)
			say(why, whylen, "%s", w);
		if (rs == DNS_SEC_BOGUS) {
			say(why, whylen, "%s", w);
			return DNS_SEC_BOGUS;
		}
		s = weaker(s, rs);
	}
	/* Where the CNAME chain ends, and whether that has an answer. */
	for (int hop = 0; hop <= DNS_MAX_CNAME_HOPS; hop++) {
		const ldns_rdf *next = NULL;

		for (size_t i = 0; i < ldns_rr_list_rr_count(r->an); i++) {
			const ldns_rr *rr = ldns_rr_list_rr(r->an, i);
			ldns_rr_type t = ldns_rr_get_type(rr);

			if (!dns_name_eq(ldns_rr_owner(rr), name))
				continue;
			if (t == qtype || qtype == LDNS_RR_TYPE_ANY)
				answered = true;
			else if (t == LDNS_RR_TYPE_CNAME)
				next = ldns_rr_rdf(rr, 0);
		}
		if (answered || next == NULL)
			break;
		name = next;
	}
	if (!answered) {
		enum dns_sec_state ns = check_denial(db, r, name, qtype, now, w,
		    sizeof(w));

		if (ns != DNS_SEC_SECURE && s == DNS_SEC_SECURE)
			say(why, whylen, "%s", w);
		if (ns == DNS_SEC_BOGUS)
			say(why, whylen, "%s", w);
		s = weaker(s, ns);
	}
	if (s != DNS_SEC_BOGUS)
		filter_additional(db, r, now);
	return s;
}
