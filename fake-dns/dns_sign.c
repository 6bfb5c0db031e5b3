/*
 * dns_sign: the DNSSEC signer of the world's zones.
 *
 * One key per zone, a combined signing key (CSK: flags 257, the SEP bit,
 * signing the DNSKEY RRset and the data alike), Ed25519 (algorithm 15, RFC
 * 8080), because its signatures are deterministic and its private key is
 * any 32 bytes: the key of a zone is SHA-256 of (a fixed label, the seed,
 * a role, the apex in canonical wire form), so the same seed always gives
 * the same keys and, with the same data and clock, byte-identical signed
 * zones.  The signing is ldns_sign_public() over each RRset.
 *
 * Each signed zone's served list (dns_zone.signed_rrs) is its data in
 * insertion order, then its DNSKEY, then a delegation for each child zone
 * (the child's apex NS RRset, glue addresses for name servers below the
 * cut, a DS with SHA-256 when the child is signed), then the NSEC chain
 * over every name that is not below a cut (RFC 4034 4), then the RRSIGs
 * over every authoritative RRset (not the NS of a delegation, not glue)
 * in the order the RRsets first appear.  Unsigned (insecure) zones are
 * served as they are; their parent's NSEC at the cut proves there is no DS.
 *
 * Bogus zones are signed and then broken in one of the ways dns.h lists.
 * The DS and DNSKEY of "." are kept as the trust anchor.
 *
 * Logs: nothing; errors go back in err.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/evp.h>

#include "core/util.h"
#include "fake-dns/dns_int.h"

#define DAY 86400
#define CSK_FLAGS 257 /* zone key + secure entry point */

static const char *const bogus_kinds[] = {
	"signature", "wrong-key", "expired", "not-yet-valid", "ds-mismatch",
	"missing-rrsig",
};

/* The keys of one zone while the db is being signed. */
struct zkeys {
	ldns_key_list *csk;   /* the zone's key, alone in a list */
	ldns_key_list *rogue; /* another key, for wrong-key and ds-mismatch */
	ldns_rr *dnskey, *rogue_dnskey;
};

const char *
dns_sec_state_name(enum dns_sec_state s)
{
	switch (s) {
	case DNS_SEC_SECURE:
		return "secure";
	case DNS_SEC_INSECURE:
		return "insecure";
	case DNS_SEC_BOGUS:
		return "bogus";
	}
	return "?";
}

static bool
kind_is(const struct dns_zone *z, const char *kind)
{
	return z->state == DNS_SEC_BOGUS && strcmp(z->bogus_kind, kind) == 0;
}

/* The Ed25519 key of (seed, apex, role), with its DNSKEY in *rr. */
static ldns_key_list *
derive_key(uint64_t seed, const ldns_rdf *apex, const char *role,
	ldns_rr **rr)
{
	static const char label[] = "mxsim dnssec key v1";
	unsigned char sb[8], priv[32];
	unsigned int plen = sizeof(priv);
	ldns_rdf *canon = ldns_rdf_clone(apex);
	ldns_key_list *list = ldns_key_list_new();
	ldns_key *k = ldns_key_new();
	EVP_PKEY *pk;

	for (int i = 0; i < 8; i++)
		sb[i] = (unsigned char)(seed >> (56 - 8 * i));
	ldns_dname2canonical(canon);
	{
		EVP_MD_CTX *md = EVP_MD_CTX_new();

		if (md == NULL || EVP_DigestInit_ex(md, EVP_sha256(), NULL) != 1 ||
		    EVP_DigestUpdate(md, label, sizeof(label)) != 1 ||
		    EVP_DigestUpdate(md, sb, sizeof(sb)) != 1 ||
		    EVP_DigestUpdate(md, role, strlen(role) + 1) != 1 ||
		    EVP_DigestUpdate(md, ldns_rdf_data(canon),
		    ldns_rdf_size(canon)) != 1 ||
		    EVP_DigestFinal_ex(md, priv, &plen) != 1)
			fatal("dns_sign: SHA-256 failed");
		EVP_MD_CTX_free(md);
	}
	ldns_rdf_deep_free(canon);
	pk = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL, priv,
	    sizeof(priv));
	OPENSSL_cleanse(priv, sizeof(priv));
	if (pk == NULL)
		fatal("dns_sign: cannot make an Ed25519 key");
	ldns_key_set_algorithm(k, LDNS_SIGN_ED25519);
	ldns_key_set_evp_key(k, pk);
	ldns_key_set_flags(k, CSK_FLAGS);
	ldns_key_set_pubkey_owner(k, ldns_rdf_clone(apex));
	*rr = ldns_key2rr(k);
	if (*rr == NULL)
		fatal("dns_sign: ldns_key2rr failed");
	ldns_rr_set_ttl(*rr, DNS_DEFAULT_TTL);
	ldns_key_set_keytag(k, ldns_calc_keytag(*rr));
	ldns_key_list_push_key(list, k);
	return list;
}

static void
zkeys_free(struct zkeys *k)
{
	if (k->csk != NULL) /* ldns_key_list_free(NULL) crashes */
		ldns_key_list_free(k->csk);
	if (k->rogue != NULL)
		ldns_key_list_free(k->rogue);
	ldns_rr_free(k->dnskey);
	ldns_rr_free(k->rogue_dnskey);
}

static void
push_once(ldns_rr_list *l, const ldns_rr *rr)
{
	if (!ldns_rr_list_contains_rr(l, rr))
		ldns_rr_list_push_rr(l, ldns_rr_clone(rr));
}

/* The zone directly above z, or NULL for a top zone. */
static struct dns_zone *
parent_of(const struct dns_db *db, const struct dns_zone *z)
{
	struct dns_zone *p = dns_zone_for(db, z->apex, true);

	return p == z ? NULL : p;
}

/* Is name below a zone cut of z (glue, occluded data)? */
static bool
occluded(const struct dns_db *db, const struct dns_zone *z,
	const ldns_rdf *name)
{
	for (size_t i = 0; i < db->nzones; i++) {
		const ldns_rdf *cut = db->zones[i]->apex;

		if (db->zones[i] != z && ldns_dname_is_subdomain(cut, z->apex) &&
		    ldns_dname_is_subdomain(name, cut))
			return true;
	}
	return false;
}

/* The delegation of child c in its parent's list l. */
static void
add_delegation(const struct dns_db *db, ldns_rr_list *l,
	const struct dns_zone *c, const struct zkeys *ck)
{
	ldns_rr_list *ns = dns_rrset_get(c, c->apex, LDNS_RR_TYPE_NS);

	for (size_t i = 0; ns != NULL && i < ldns_rr_list_rr_count(ns); i++) {
		const ldns_rr *rr = ldns_rr_list_rr(ns, i);
		const ldns_rdf *target = ldns_rr_rdf(rr, 0);
		const struct dns_zone *tz;

		push_once(l, rr);
		if (!dns_name_at_or_below(target, c->apex) ||
		    (tz = dns_zone_for(db, target, false)) == NULL)
			continue;
		for (size_t j = 0; j < ldns_rr_list_rr_count(tz->rrs); j++) {
			const ldns_rr *g = ldns_rr_list_rr(tz->rrs, j);

			if ((ldns_rr_get_type(g) == LDNS_RR_TYPE_A ||
			    ldns_rr_get_type(g) == LDNS_RR_TYPE_AAAA) &&
			    dns_name_eq(ldns_rr_owner(g), target))
				push_once(l, g);
		}
	}
	ldns_rr_list_free(ns);
	if (c->state != DNS_SEC_INSECURE) {
		ldns_rr *ds = ldns_key_rr2ds(kind_is(c, "ds-mismatch") ?
		    ck->rogue_dnskey : ck->dnskey, LDNS_SHA256);

		if (ds == NULL)
			fatal("dns_sign: ldns_key_rr2ds failed");
		ldns_rr_set_ttl(ds, DNS_DEFAULT_TTL);
		push_once(l, ds);
		ldns_rr_free(ds);
	}
}

static int
name_cmp(const void *a, const void *b)
{
	return ldns_dname_compare(*(ldns_rdf *const *)a,
	    *(ldns_rdf *const *)b);
}

/* The NSEC chain over the names of l that z is authoritative for. */
static void
add_nsec_chain(const struct dns_db *db, const struct dns_zone *z,
	ldns_rr_list *l)
{
	size_t n = 0, count = ldns_rr_list_rr_count(l);
	ldns_rdf **names = xcalloc(count ? count : 1, sizeof(*names));
	ldns_rr_type *types = xcalloc(count + 2, sizeof(*types));
	ldns_rr_list *nsecs = ldns_rr_list_new();

	for (size_t i = 0; i < count; i++) {
		ldns_rdf *owner = ldns_rr_owner(ldns_rr_list_rr(l, i));

		if (!occluded(db, z, owner))
			names[n++] = owner;
	}
	qsort(names, n, sizeof(*names), name_cmp);
	for (size_t i = 0, m = 0; i < n; i = m) {
		size_t nt = 0;
		ldns_rr *nsec;
		ldns_rdf *next;

		for (m = i + 1; m < n && ldns_dname_compare(names[m],
		    names[i]) == 0; m++)
			;
		next = m < n ? names[m] : z->apex;
		for (size_t j = 0; j < count; j++) {
			const ldns_rr *rr = ldns_rr_list_rr(l, j);
			ldns_rr_type t = ldns_rr_get_type(rr);
			size_t k;

			if (!dns_name_eq(ldns_rr_owner(rr), names[i]))
				continue;
			for (k = 0; k < nt && types[k] != t; k++)
				;
			if (k == nt)
				types[nt++] = t;
		}
		types[nt++] = LDNS_RR_TYPE_RRSIG;
		types[nt++] = LDNS_RR_TYPE_NSEC;
		nsec = ldns_rr_new();
		ldns_rr_set_type(nsec, LDNS_RR_TYPE_NSEC);
		ldns_rr_set_class(nsec, LDNS_RR_CLASS_IN);
		ldns_rr_set_ttl(nsec, DNS_DEFAULT_TTL); /* = the SOA minimum */
		ldns_rr_set_owner(nsec, ldns_rdf_clone(names[i]));
		ldns_rr_push_rdf(nsec, ldns_rdf_clone(next));
		ldns_rr_push_rdf(nsec, ldns_dnssec_create_nsec_bitmap(types, nt,
		    LDNS_RR_TYPE_NSEC));
		ldns_rr_list_push_rr(nsecs, nsec);
	}
	for (size_t i = 0; i < ldns_rr_list_rr_count(nsecs); i++)
		ldns_rr_list_push_rr(l, ldns_rr_list_rr(nsecs, i));
	ldns_rr_list_free(nsecs);
	free(names);
	free(types);
}

/* Sign one RRset of z into sigs, the bogus kinds applied. */
static void
sign_rrset(const struct dns_zone *z, const struct zkeys *k, time_t clock,
	ldns_rr_list *set, ldns_rr_list *sigs)
{
	bool keyset = ldns_rr_get_type(ldns_rr_list_rr(set, 0)) ==
	    LDNS_RR_TYPE_DNSKEY;
	ldns_key_list *keys = k->csk;
	time_t inc = clock - DAY, exp = clock + 30 * DAY;
	ldns_rr_list *made;

	if (kind_is(z, "expired")) {
		inc = clock - 31 * DAY;
		exp = clock - DAY;
	} else if (kind_is(z, "not-yet-valid")) {
		inc = clock + DAY;
		exp = clock + 31 * DAY;
	} else if (!keyset && kind_is(z, "missing-rrsig")) {
		return;
	} else if (!keyset && kind_is(z, "wrong-key")) {
		keys = k->rogue;
	}
	ldns_key_set_inception(ldns_key_list_key(keys, 0), (uint32_t)inc);
	ldns_key_set_expiration(ldns_key_list_key(keys, 0), (uint32_t)exp);
	made = ldns_sign_public(set, keys);
	if (made == NULL)
		fatal("dns_sign: ldns_sign_public failed");
	for (size_t i = 0; i < ldns_rr_list_rr_count(made); i++) {
		ldns_rr *sig = ldns_rr_list_rr(made, i);

		if (!keyset && kind_is(z, "signature")) {
			ldns_rdf *s = ldns_rr_rdf(sig, 8);

			ldns_rdf_data(s)[ldns_rdf_size(s) / 2] ^= 0x5a;
		}
		ldns_rr_list_push_rr(sigs, sig);
	}
	ldns_rr_list_free(made);
}

/* Every RRset of l that z signs (not a delegation's NS, not glue). */
static void
add_signatures(const struct dns_db *db, const struct dns_zone *z,
	const struct zkeys *k, ldns_rr_list *l)
{
	size_t count = ldns_rr_list_rr_count(l);
	ldns_rr_list *sigs = ldns_rr_list_new();

	for (size_t i = 0; i < count; i++) {
		const ldns_rr *rr = ldns_rr_list_rr(l, i);
		const ldns_rdf *owner = ldns_rr_owner(rr);
		ldns_rr_type t = ldns_rr_get_type(rr);
		ldns_rr_list *set;
		size_t j;

		if (t == LDNS_RR_TYPE_RRSIG || occluded(db, z, owner) ||
		    (t == LDNS_RR_TYPE_NS && !dns_name_eq(owner, z->apex)))
			continue;
		for (j = 0; j < i; j++)
			if (ldns_rr_get_type(ldns_rr_list_rr(l, j)) == t &&
			    dns_name_eq(ldns_rr_owner(ldns_rr_list_rr(l, j)),
			    owner))
				break;
		if (j < i)
			continue; /* this RRset is signed already */
		set = ldns_rr_list_new();
		for (j = i; j < count; j++)
			if (ldns_rr_get_type(ldns_rr_list_rr(l, j)) == t &&
			    dns_name_eq(ldns_rr_owner(ldns_rr_list_rr(l, j)),
			    owner))
				ldns_rr_list_push_rr(set, ldns_rr_list_rr(l, j));
		sign_rrset(z, k, db->clock, set, sigs);
		ldns_rr_list_free(set);
	}
	for (size_t i = 0; i < ldns_rr_list_rr_count(sigs); i++)
		ldns_rr_list_push_rr(l, ldns_rr_list_rr(sigs, i));
	ldns_rr_list_free(sigs);
}

void
dns_sign_forget(struct dns_db *db)
{
	for (size_t i = 0; i < db->nzones; i++) {
		ldns_rr_list_deep_free(db->zones[i]->signed_rrs);
		db->zones[i]->signed_rrs = NULL;
	}
	ldns_rr_free(db->anchor_ds);
	ldns_rr_free(db->anchor_key);
	db->anchor_ds = db->anchor_key = NULL;
}

int
dns_sign_all(struct dns_db *db, char *err, size_t errlen)
{
	struct zkeys *keys = xcalloc(db->nzones ? db->nzones : 1,
	    sizeof(*keys));
	ldns_rdf *root = ldns_dname_new_frm_str(".");
	struct dns_zone *rz;

	dns_sign_forget(db);
	for (size_t i = 0; i < db->nzones; i++) {
		struct dns_zone *z = db->zones[i];

		if (z->state == DNS_SEC_INSECURE)
			continue;
		keys[i].csk = derive_key(db->seed, z->apex, "csk",
		    &keys[i].dnskey);
		if (kind_is(z, "wrong-key") || kind_is(z, "ds-mismatch"))
			keys[i].rogue = derive_key(db->seed, z->apex, "rogue",
			    &keys[i].rogue_dnskey);
	}
	for (size_t i = 0; i < db->nzones; i++) {
		struct dns_zone *z = db->zones[i];
		ldns_rr_list *l;

		if (z->state == DNS_SEC_INSECURE)
			continue;
		l = ldns_rr_list_clone(z->rrs);
		push_once(l, keys[i].dnskey);
		for (size_t c = 0; c < db->nzones; c++)
			if (parent_of(db, db->zones[c]) == z)
				add_delegation(db, l, db->zones[c], &keys[c]);
		add_nsec_chain(db, z, l);
		add_signatures(db, z, &keys[i], l);
		z->signed_rrs = l;
	}
	rz = dns_zone_exact(db, root);
	if (rz != NULL && rz->state != DNS_SEC_INSECURE) {
		size_t ri = 0;

		while (db->zones[ri] != rz)
			ri++;
		/* for "." the anchor plays the DS: a mismatch there is an
		 * anchor of another key */
		db->anchor_key = ldns_rr_clone(kind_is(rz, "ds-mismatch") ?
		    keys[ri].rogue_dnskey : keys[ri].dnskey);
		db->anchor_ds = ldns_key_rr2ds(db->anchor_key, LDNS_SHA256);
		ldns_rr_set_ttl(db->anchor_ds, DNS_DEFAULT_TTL);
	}
	for (size_t i = 0; i < db->nzones; i++)
		zkeys_free(&keys[i]);
	free(keys);
	ldns_rdf_deep_free(root);
	db->gen++;
	return 0;
}

int
dns_db_sign(struct dns_db *db, uint64_t seed, time_t clock, char *err,
	size_t errlen)
{
	if (clock < 31 * DAY || (uint64_t)clock + 31 * DAY > UINT32_MAX) {
		dns_seterr(err, errlen, "dnssec: clock %lld is outside what "
		    "RRSIG times can say", (long long)clock);
		return -1;
	}
	db->is_signed = true;
	db->seed = seed;
	db->clock = clock;
	return dns_sign_all(db, err, errlen);
}

int
dns_db_set_state(struct dns_db *db, const char *apex_text,
	enum dns_sec_state state, const char *bogus_kind, char *err,
	size_t errlen)
{
	ldns_rdf *apex = apex_text && *apex_text ?
	    ldns_dname_new_frm_str(apex_text) : NULL;
	struct dns_zone *z = apex ? dns_zone_exact(db, apex) : NULL;
	const char *kind = NULL;

	ldns_rdf_deep_free(apex);
	if (z == NULL) {
		dns_seterr(err, errlen, "dnssec: no zone \"%s\"",
		    apex_text ? apex_text : "(null)");
		return -1;
	}
	if (state != DNS_SEC_SECURE && state != DNS_SEC_INSECURE &&
	    state != DNS_SEC_BOGUS) {
		dns_seterr(err, errlen, "dnssec: zone %s: bad state %d",
		    apex_text, (int)state);
		return -1;
	}
	if (state == DNS_SEC_BOGUS) {
		for (size_t i = 0; i < ARRAY_LEN(bogus_kinds); i++)
			if (bogus_kind == NULL ||
			    strcasecmp(bogus_kind, bogus_kinds[i]) == 0) {
				kind = bogus_kinds[i];
				break;
			}
		if (kind == NULL) {
			dns_seterr(err, errlen, "dnssec: zone %s: unknown bogus "
			    "kind \"%s\" (signature, wrong-key, expired, "
			    "not-yet-valid, ds-mismatch, missing-rrsig)",
			    apex_text, bogus_kind);
			return -1;
		}
	} else if (bogus_kind != NULL) {
		dns_seterr(err, errlen, "dnssec: zone %s: a bogus kind for a "
		    "zone that is not bogus", apex_text);
		return -1;
	}
	z->state = state;
	z->bogus_kind = kind;
	db->gen++;
	return db->is_signed ? dns_sign_all(db, err, errlen) : 0;
}

enum dns_sec_state
dns_db_state(const struct dns_db *db, const char *apex_text)
{
	ldns_rdf *apex = apex_text ? ldns_dname_new_frm_str(apex_text) : NULL;
	struct dns_zone *z = apex ? dns_zone_exact(db, apex) : NULL;

	ldns_rdf_deep_free(apex);
	return z != NULL ? z->state : DNS_SEC_SECURE;
}

int
dns_db_print_anchor(const struct dns_db *db, enum dns_anchor_fmt fmt,
	FILE *f)
{
	const ldns_rr *k = db->anchor_key;
	char *b64;

	if (k == NULL || db->anchor_ds == NULL)
		return -1;
	if (fmt == DNS_ANCHOR_ZONEFILE) {
		ldns_rr_print(f, db->anchor_ds);
		ldns_rr_print(f, k);
		return 0;
	}
	b64 = ldns_rdf2str(ldns_rr_rdf(k, 3));
	fprintf(f, "trust-anchors {\n\t. static-key %u %u %u \"%s\";\n};\n",
	    (unsigned)ldns_rdf2native_int16(ldns_rr_rdf(k, 0)),
	    (unsigned)ldns_rdf2native_int8(ldns_rr_rdf(k, 1)),
	    (unsigned)ldns_rdf2native_int8(ldns_rr_rdf(k, 2)), b64);
	free(b64);
	return 0;
}
