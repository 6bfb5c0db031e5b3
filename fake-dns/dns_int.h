/*
 * dns_int: what the files of fake-dns/ share and nobody else sees: the
 * zone database (dns_zone.c), the answering logic (dns_answer.c), the
 * signer (dns_sign.c) and the validating resolver face (dns_resolver.c).
 *
 * Ownership: a zone owns its rr lists; the lists that lookups return hold
 * borrowed pointers (free them with ldns_rr_list_free, never deep); a
 * dns_reply owns clones.
 */
#ifndef MXSIM_DNS_INT_H
#define MXSIM_DNS_INT_H

#include <ldns/ldns.h>

#include "core/util.h"
#include "fake-dns/dns.h"

struct dns_zone {
	ldns_rdf *apex;
	ldns_rr_list *rrs;        /* the zone's data, in insertion order */
	ldns_rr_list *signed_rrs; /* rrs + delegations + DNSSEC records, or
				   * NULL while the zone is served unsigned */
	enum dns_sec_state state;
	const char *bogus_kind;   /* static, from dns_sign.c's table */
};

struct dns_fault_rule;
struct dns_trust_cache;

struct dns_db {
	struct dns_zone **zones;
	size_t nzones;
	struct dns_fault_rule *faults;
	size_t nfaults;
	bool is_signed;            /* dns_db_sign() was called: re-sign on change */
	uint64_t seed;
	time_t clock;
	ldns_rr *anchor_ds;        /* DS and DNSKEY of ".", NULL when unsigned */
	ldns_rr *anchor_key;
	uint64_t gen;              /* bumped on every change of the data */
	struct dns_trust_cache *cache; /* dns_resolver.c's */
	dns_tap_cb *transit;       /* the attacker in transit, or NULL */
	void *transit_arg;
};

/* An answer before it becomes a packet. */
struct dns_reply {
	ldns_pkt_rcode rcode;
	uint8_t ext_rcode; /* upper 8 bits of the 12-bit EDNS rcode */
	bool aa, ad;
	ldns_rr_list *an, *ns, *ar; /* clones, owned */
};

/* dns_zone.c */
bool dns_name_eq(const ldns_rdf *a, const ldns_rdf *b);
bool dns_name_at_or_below(const ldns_rdf *name, const ldns_rdf *top);
bool dns_is_dnssec_type(ldns_rr_type t);
/* The type an RRSIG covers, 0 for anything else. */
ldns_rr_type dns_rrsig_covered(const ldns_rr *rr);
struct dns_zone *dns_zone_for(const struct dns_db *db, const ldns_rdf *name,
	bool ds);
struct dns_zone *dns_zone_exact(const struct dns_db *db, const ldns_rdf *apex);
/* What the zone serves: the signed data when it is signed. */
const ldns_rr_list *dns_zone_data(const struct dns_zone *z);
/* Records of (name, type), borrowed, or NULL; ANY takes all. */
ldns_rr_list *dns_rrset_get(const struct dns_zone *z, const ldns_rdf *name,
	ldns_rr_type type);
/* RRSIGs at name covering type, borrowed, or NULL. */
ldns_rr_list *dns_rrsigs_get(const struct dns_zone *z, const ldns_rdf *name,
	ldns_rr_type covered);
bool dns_name_exists(const struct dns_db *db, const struct dns_zone *z,
	const ldns_rdf *name);
enum dns_fault dns_fault_for(const struct dns_db *db, const ldns_rdf *name,
	ldns_rr_type type);
void dns_seterr(char *err, size_t errlen, const char *fmt, ...) PRINTF(3, 4);

/* dns_answer.c */
void dns_reply_init(struct dns_reply *r);
void dns_reply_free(struct dns_reply *r);
/* The authoritative answer for (name, type) from the zone that holds it,
 * with RRSIGs and denial proofs, no faults, no CNAME chasing: how the
 * resolver face fetches DNSKEY and DS.  r must be initialised. */
void dns_lookup(const struct dns_db *db, const ldns_rdf *name,
	ldns_rr_type type, struct dns_reply *r);
/* Does the NSEC cover name, strictly between its owner and next name (the
 * last NSEC of a zone points back at the apex)? */
bool dns_nsec_covers(const ldns_rr *nsec, const ldns_rdf *name);

/* dns_sign.c */
int dns_sign_all(struct dns_db *db, char *err, size_t errlen);
void dns_sign_forget(struct dns_db *db);

/* dns_resolver.c: the DNSSEC state of an answer, validated at `now`
 * against the db's trust anchor; why says what failed. */
enum dns_sec_state dns_validate(struct dns_db *db, const ldns_rdf *qname,
	ldns_rr_type qtype, struct dns_reply *r, time_t now, char *why,
	size_t whylen);
void dns_trust_cache_free(struct dns_trust_cache *c);

/* dns_rec.c: the resolver face's records (dns_srv_set_rec).  The query
 * as it arrived (an exchange, NULL past the recorder's cap); then the
 * answer sent (resp NULL: nothing was sent), naming the attacks recorded
 * since session nbefore. */
struct rec;
struct rec_session;
struct rec_session *dns_rec_query(struct rec *r, const char *server,
	uint16_t port, const uint8_t *q, size_t len, const char *peer, bool tcp);
void dns_rec_answer(struct rec *r, struct rec_session *x, size_t nbefore,
	const uint8_t *resp, size_t len);

#endif
