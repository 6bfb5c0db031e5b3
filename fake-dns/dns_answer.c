/*
 * dns_answer: answers to wire-format queries from the zone database, with
 * no I/O.
 *
 * Queries are parsed and responses built with ldns (ldns_wire2pkt,
 * ldns_pkt2wire); the only bytes read by hand are the header fields of a
 * message ldns could not parse, through ldns's own LDNS_*_WIRE macros, to
 * answer it FORMERR or NOTIMP.
 *
 * An answer is first built whole: the data, following CNAME chains across
 * zones, with the RRSIGs of every RRset and, for NXDOMAIN and NODATA, the
 * SOA and the NSEC records that prove the denial (RFC 4035 3.1.3), where
 * the zone is signed.  A recursive query (RD) then goes through the
 * resolver face (dns_resolver.c): validated against the trust anchor, AD
 * for secure data when the query set DO or AD (RFC 6840 5.7), SERVFAIL for
 * bogus data unless it set CD; when an attacker sits in transit
 * (dns_db_set_transit_tap), what it returns is what gets validated.
 * Last, the DNSSEC records are taken out
 * unless the query set DO (RFC 4035 3.2.1), and an answer too large for
 * the client's UDP buffer is cut down to TC.
 *
 * Logs: nothing on the answer path; why a query was bad or an answer
 * bogus goes back in struct dns_qinfo for the caller to log with the
 * peer's address.
 */
#include <stdlib.h>
#include <string.h>

#include <ldns/ldns.h>

#include "core/util.h"
#include "fake-dns/dns_int.h"

/* Query types that are not answered from data: OPT, TKEY, TSIG, IXFR,
 * AXFR, MAILB, MAILA (ANY is answered). */
static bool
is_meta_query(ldns_rr_type t)
{
	return t == 0 || t == LDNS_RR_TYPE_OPT || (t >= 249 && t <= 254);
}

void
dns_reply_init(struct dns_reply *r)
{
	memset(r, 0, sizeof(*r));
	r->rcode = LDNS_RCODE_NOERROR;
	r->an = ldns_rr_list_new();
	r->ns = ldns_rr_list_new();
	r->ar = ldns_rr_list_new();
}

void
dns_reply_free(struct dns_reply *r)
{
	ldns_rr_list_deep_free(r->an);
	ldns_rr_list_deep_free(r->ns);
	ldns_rr_list_deep_free(r->ar);
	r->an = r->ns = r->ar = NULL;
}

/* Put a clone of rr into list; with owner != NULL under that owner name
 * (the question's spelling, so the answer echoes the query's case). */
static void
push_clone(ldns_rr_list *list, const ldns_rr *rr, const ldns_rdf *owner)
{
	ldns_rr *c = ldns_rr_clone(rr);

	if (owner != NULL) {
		ldns_rdf_deep_free(ldns_rr_owner(c));
		ldns_rr_set_owner(c, ldns_rdf_clone(owner));
	}
	ldns_rr_list_push_rr(list, c);
}

/* Clones of every record of set into list, skipping those already there. */
static void
push_set(ldns_rr_list *list, ldns_rr_list *set, const ldns_rdf *owner)
{
	for (size_t i = 0; set != NULL && i < ldns_rr_list_rr_count(set); i++)
		if (owner != NULL || !ldns_rr_list_contains_rr(list,
		    ldns_rr_list_rr(set, i)))
			push_clone(list, ldns_rr_list_rr(set, i), owner);
	ldns_rr_list_free(set);
}

/* The RRSIGs over (name, covered) in z, when it is signed. */
static void
push_sigs(ldns_rr_list *list, const struct dns_zone *z, const ldns_rdf *name,
	ldns_rr_type covered, const ldns_rdf *owner)
{
	if (covered == LDNS_RR_TYPE_RRSIG || covered == LDNS_RR_TYPE_ANY)
		return; /* RRSIGs are not signed; ANY took them already */
	push_set(list, dns_rrsigs_get(z, name, covered), owner);
}

/* The zone's SOA for a negative answer, its TTL capped by the SOA minimum
 * as RFC 2308 section 3 asks, with its signature. */
static void
push_soa(struct dns_reply *r, const struct dns_zone *z)
{
	ldns_rr_list *set = dns_rrset_get(z, z->apex, LDNS_RR_TYPE_SOA);
	ldns_rr *soa;
	uint32_t min;

	if (set == NULL)
		return;
	soa = ldns_rr_clone(ldns_rr_list_rr(set, 0));
	ldns_rr_list_free(set);
	if (ldns_rr_rd_count(soa) == 7) {
		min = ldns_rdf2native_int32(ldns_rr_rdf(soa, 6));
		if (min < ldns_rr_ttl(soa))
			ldns_rr_set_ttl(soa, min);
	}
	ldns_rr_list_push_rr(r->ns, soa);
	push_sigs(r->ns, z, z->apex, LDNS_RR_TYPE_SOA, NULL);
}

/* Does the NSEC (owner, next) cover name, strictly between the two?  The
 * last NSEC of a zone points back at the apex. */
bool
dns_nsec_covers(const ldns_rr *nsec, const ldns_rdf *name)
{
	const ldns_rdf *owner = ldns_rr_owner(nsec);
	const ldns_rdf *next = ldns_rr_rdf(nsec, 0);

	if (ldns_dname_compare(name, owner) <= 0)
		return false;
	return ldns_dname_compare(owner, next) >= 0 ||
	    ldns_dname_compare(name, next) < 0;
}

/* The NSEC of z at name, or else the one that covers it; NULL when the
 * zone has no NSEC chain. */
static const ldns_rr *
nsec_for(const struct dns_zone *z, const ldns_rdf *name)
{
	const ldns_rr_list *data = dns_zone_data(z);
	const ldns_rr *cover = NULL;

	for (size_t i = 0; i < ldns_rr_list_rr_count(data); i++) {
		const ldns_rr *rr = ldns_rr_list_rr(data, i);

		if (ldns_rr_get_type(rr) != LDNS_RR_TYPE_NSEC ||
		    ldns_rr_rd_count(rr) < 2)
			continue;
		if (dns_name_eq(ldns_rr_owner(rr), name))
			return rr;
		if (dns_nsec_covers(rr, name))
			cover = rr;
	}
	return cover;
}

static void
push_nsec(struct dns_reply *r, const struct dns_zone *z, const ldns_rr *nsec)
{
	if (nsec == NULL || ldns_rr_list_contains_rr(r->ns, nsec))
		return;
	push_clone(r->ns, nsec, NULL);
	push_sigs(r->ns, z, ldns_rr_owner(nsec), LDNS_RR_TYPE_NSEC, NULL);
}

/*
 * The denial proof for name in z: for NODATA the NSEC at the name (or,
 * for an empty non-terminal, the one that covers it); for NXDOMAIN the
 * NSEC that covers the name and the one that covers the wildcard at its
 * closest encloser (RFC 4035 3.1.3.2).  A name that a fault denies but
 * that does exist gets the NSEC that shows it exists: a validator finds
 * that denial bogus, as it would a forged one.
 */
static void
push_denial(const struct dns_db *db, struct dns_reply *r,
	const struct dns_zone *z, const ldns_rdf *name, bool nxdomain)
{
	ldns_rdf *ce, *wild;
	char *ce_str, *wild_str;

	if (z->signed_rrs == NULL)
		return;
	push_nsec(r, z, nsec_for(z, name));
	if (!nxdomain)
		return;
	ce = ldns_dname_left_chop(name);
	while (ce != NULL && !dns_name_eq(ce, z->apex) &&
	    dns_name_at_or_below(ce, z->apex) && !dns_name_exists(db, z, ce)) {
		ldns_rdf *up = ldns_dname_left_chop(ce);

		ldns_rdf_deep_free(ce);
		ce = up;
	}
	if (ce == NULL || !dns_name_at_or_below(ce, z->apex)) {
		ldns_rdf_deep_free(ce);
		return;
	}
	ce_str = ldns_rdf2str(ce);
	wild_str = strcmp(ce_str, ".") == 0 ? xstrdup("*.") :
	    xasprintf("*.%s", ce_str);
	wild = ldns_dname_new_frm_str(wild_str);
	if (wild != NULL)
		push_nsec(r, z, nsec_for(z, wild));
	ldns_rdf_deep_free(wild);
	ldns_rdf_deep_free(ce);
	free(ce_str);
	free(wild_str);
}

/* Addresses of MX and NS targets that the world knows, as additional
 * data, with their signatures. */
static void
add_additional(const struct dns_db *db, struct dns_reply *r)
{
	static const ldns_rr_type addr_types[] = {
		LDNS_RR_TYPE_A, LDNS_RR_TYPE_AAAA
	};

	for (size_t i = 0; i < ldns_rr_list_rr_count(r->an); i++) {
		ldns_rr *rr = ldns_rr_list_rr(r->an, i);
		const ldns_rdf *target;
		struct dns_zone *z;

		if (ldns_rr_get_type(rr) == LDNS_RR_TYPE_MX &&
		    ldns_rr_rd_count(rr) == 2)
			target = ldns_rr_rdf(rr, 1);
		else if (ldns_rr_get_type(rr) == LDNS_RR_TYPE_NS &&
		    ldns_rr_rd_count(rr) == 1)
			target = ldns_rr_rdf(rr, 0);
		else
			continue;
		if ((z = dns_zone_for(db, target, false)) == NULL)
			continue;
		for (size_t t = 0; t < ARRAY_LEN(addr_types); t++) {
			ldns_rr_list *set;

			/* a failing name gives nothing away here either */
			if (dns_fault_for(db, target, addr_types[t]) !=
			    DNS_FAIL_NONE)
				continue;
			if ((set = dns_rrset_get(z, target, addr_types[t])) ==
			    NULL || ldns_rr_list_contains_rr(r->ar,
			    ldns_rr_list_rr(set, 0))) {
				ldns_rr_list_free(set);
				continue;
			}
			push_set(r->ar, set, NULL);
			push_sigs(r->ar, z, target, addr_types[t], NULL);
		}
	}
}

static void
clear_list(ldns_rr_list **l)
{
	ldns_rr_list_deep_free(*l);
	*l = ldns_rr_list_new();
}

/*
 * Resolve (qname, qtype) from the db into r, following CNAMEs across
 * zones, applying the fault rules when `faults`.  Returns 1 when a
 * timeout fault says nothing must be sent.
 */
static int
resolve(const struct dns_db *db, const ldns_rdf *qname, ldns_rr_type qtype,
	struct dns_reply *r, struct dns_qinfo *info, bool faults)
{
	const ldns_rdf *name = qname;
	ldns_rr_list *set;

	for (int hop = 0;; hop++) {
		enum dns_fault f = faults ? dns_fault_for(db, name, qtype) :
		    DNS_FAIL_NONE;
		struct dns_zone *z = dns_zone_for(db, name,
		    qtype == LDNS_RR_TYPE_DS);
		const ldns_rdf *owner = hop == 0 ? qname : NULL;

		if (z != NULL)
			r->aa = true;
		if (f != DNS_FAIL_NONE)
			info->fault = f;
		switch (f) {
		case DNS_FAIL_NONE:
			break;
		case DNS_FAIL_TIMEOUT:
			return 1;
		case DNS_FAIL_SERVFAIL:
			clear_list(&r->an);
			r->aa = false;
			r->rcode = LDNS_RCODE_SERVFAIL;
			return 0;
		case DNS_FAIL_NXDOMAIN:
		case DNS_FAIL_NODATA:
			r->rcode = f == DNS_FAIL_NXDOMAIN ? LDNS_RCODE_NXDOMAIN :
			    LDNS_RCODE_NOERROR;
			if (z != NULL) {
				push_soa(r, z);
				push_denial(db, r, z, name,
				    f == DNS_FAIL_NXDOMAIN);
			}
			return 0;
		}
		if (z == NULL) {
			/* Out of the world: refuse the question, or end a
			 * CNAME chain that leaves it where it leaves. */
			if (hop == 0) {
				r->rcode = LDNS_RCODE_REFUSED;
				r->aa = false;
			}
			return 0;
		}
		if ((set = dns_rrset_get(z, name, qtype)) != NULL) {
			push_set(r->an, set, owner);
			push_sigs(r->an, z, name, qtype, owner);
			add_additional(db, r);
			return 0;
		}
		if (qtype != LDNS_RR_TYPE_CNAME && qtype != LDNS_RR_TYPE_ANY &&
		    (set = dns_rrset_get(z, name, LDNS_RR_TYPE_CNAME)) != NULL) {
			ldns_rr *cname = ldns_rr_list_rr(set, 0);

			ldns_rr_list_free(set);
			if (hop == DNS_MAX_CNAME_HOPS) {
				/* A loop or an over-long chain: what a
				 * resolver reports is a failure. */
				clear_list(&r->an);
				r->rcode = LDNS_RCODE_SERVFAIL;
				info->problem = "CNAME chain too long or looping";
				return 0;
			}
			push_clone(r->an, cname, owner);
			push_sigs(r->an, z, name, LDNS_RR_TYPE_CNAME, owner);
			name = ldns_rr_rdf(cname, 0);
			continue;
		}
		r->rcode = dns_name_exists(db, z, name) ? LDNS_RCODE_NOERROR :
		    LDNS_RCODE_NXDOMAIN;
		push_soa(r, z);
		push_denial(db, r, z, name, r->rcode == LDNS_RCODE_NXDOMAIN);
		return 0;
	}
}

void
dns_lookup(const struct dns_db *db, const ldns_rdf *name, ldns_rr_type type,
	struct dns_reply *r)
{
	struct dns_qinfo scratch;

	memset(&scratch, 0, sizeof(scratch));
	(void)resolve(db, name, type, r, &scratch, false);
}

/* Take the DNSSEC records out of l, except those of type keep. */
static void
strip_dnssec(ldns_rr_list **l, ldns_rr_type keep)
{
	ldns_rr_list *out = ldns_rr_list_new();

	for (size_t i = 0; i < ldns_rr_list_rr_count(*l); i++) {
		ldns_rr *rr = ldns_rr_list_rr(*l, i);
		ldns_rr_type t = ldns_rr_get_type(rr);

		if (dns_is_dnssec_type(t) && t != keep)
			ldns_rr_free(rr);
		else
			ldns_rr_list_push_rr(out, rr);
	}
	ldns_rr_list_free(*l);
	*l = out;
}

static void
push_section(ldns_pkt *p, ldns_pkt_section sec, const ldns_rr_list *l)
{
	for (size_t i = 0; i < ldns_rr_list_rr_count(l); i++)
		ldns_pkt_push_rr(p, sec, ldns_rr_clone(ldns_rr_list_rr(l, i)));
}

/* The response packet for q; level 0 is everything, 1 drops the
 * additional section, 2 is a truncated (TC) answer with no records. */
static ldns_pkt *
reply_pkt(const ldns_pkt *q, const struct dns_reply *r, int level)
{
	ldns_pkt *p = ldns_pkt_new();
	ldns_rr *question = ldns_rr_list_rr(ldns_pkt_question(q), 0);

	ldns_pkt_set_id(p, ldns_pkt_id(q));
	ldns_pkt_set_qr(p, true);
	ldns_pkt_set_opcode(p, LDNS_PACKET_QUERY);
	ldns_pkt_set_aa(p, r->aa);
	ldns_pkt_set_ad(p, r->ad);
	ldns_pkt_set_rd(p, ldns_pkt_rd(q));
	ldns_pkt_set_cd(p, ldns_pkt_cd(q));
	ldns_pkt_set_ra(p, ldns_pkt_rd(q));
	ldns_pkt_set_rcode(p, r->rcode);
	ldns_pkt_push_rr(p, LDNS_SECTION_QUESTION, ldns_rr_clone(question));
	if (level < 2) {
		push_section(p, LDNS_SECTION_ANSWER, r->an);
		push_section(p, LDNS_SECTION_AUTHORITY, r->ns);
	} else {
		ldns_pkt_set_tc(p, true);
	}
	if (level < 1)
		push_section(p, LDNS_SECTION_ADDITIONAL, r->ar);
	if (ldns_pkt_edns(q)) {
		ldns_pkt_set_edns_udp_size(p, DNS_EDNS_UDP_SIZE);
		ldns_pkt_set_edns_version(p, 0);
		ldns_pkt_set_edns_do(p, ldns_pkt_edns_do(q));
		ldns_pkt_set_edns_extended_rcode(p, r->ext_rcode);
	}
	return p;
}

/* A header-only answer to a message ldns could not make sense of. */
static int
header_reply(const uint8_t *q, ldns_pkt_rcode rcode, uint8_t **resp,
	size_t *resplen)
{
	ldns_pkt *p = ldns_pkt_new();
	ldns_status st;

	ldns_pkt_set_id(p, LDNS_ID_WIRE(q));
	ldns_pkt_set_qr(p, true);
	ldns_pkt_set_opcode(p, (ldns_pkt_opcode)LDNS_OPCODE_WIRE(q));
	ldns_pkt_set_rd(p, LDNS_RD_WIRE(q) != 0);
	ldns_pkt_set_rcode(p, rcode);
	st = ldns_pkt2wire(resp, p, resplen);
	ldns_pkt_free(p);
	return st == LDNS_STATUS_OK ? 0 : -1;
}

/* Build the wire response, shrinking it until it fits in limit. */
static int
reply_wire(const ldns_pkt *q, const struct dns_reply *r, size_t limit,
	uint8_t **resp, size_t *resplen)
{
	for (int level = 0; level <= 2; level++) {
		ldns_pkt *p = reply_pkt(q, r, level);
		ldns_status st = ldns_pkt2wire(resp, p, resplen);

		ldns_pkt_free(p);
		if (st != LDNS_STATUS_OK)
			return -1;
		if (*resplen <= limit || level == 2)
			return 0;
		free(*resp);
		*resp = NULL;
	}
	return -1;
}

void
dns_db_set_transit_tap(struct dns_db *db, dns_tap_cb *cb, void *arg)
{
	db->transit = cb;
	db->transit_arg = arg;
}

/* Replace the sections of r with clones of those of p. */
static void
reply_from_pkt(struct dns_reply *r, const ldns_pkt *p)
{
	ldns_rr_list *secs[3];

	secs[0] = ldns_pkt_answer(p);
	secs[1] = ldns_pkt_authority(p);
	secs[2] = ldns_pkt_additional(p);
	dns_reply_free(r);
	r->an = ldns_rr_list_clone(secs[0]);
	r->ns = ldns_rr_list_clone(secs[1]);
	r->ar = ldns_rr_list_clone(secs[2]);
	r->rcode = ldns_pkt_get_rcode(p);
	r->aa = ldns_pkt_aa(p);
}

/*
 * The transit tap: the authoritative answer r, as the authoritative
 * servers would send it to the resolver face, goes through the attacker;
 * what comes back is what gets validated.  A message the tap makes that
 * does not parse is what a resolver drops as garbage: an upstream
 * failure, SERVFAIL, like a dropped one.
 */
static void
transit(struct dns_db *db, const ldns_pkt *q, struct dns_reply *r,
	struct dns_qinfo *info)
{
	ldns_pkt *p = reply_pkt(q, r, 0), *np = NULL;
	uint8_t *wire = NULL, *out = NULL;
	size_t len = 0, outlen = 0;
	enum dns_tap_verdict v = DNS_TAP_PASS;

	ldns_pkt_set_ra(p, false);
	if (ldns_pkt2wire(&wire, p, &len) == LDNS_STATUS_OK)
		v = db->transit(db->transit_arg, wire, len, &out, &outlen);
	ldns_pkt_free(p);
	free(wire);
	if (v == DNS_TAP_REPLACE && out != NULL &&
	    ldns_wire2pkt(&np, out, outlen) == LDNS_STATUS_OK) {
		reply_from_pkt(r, np);
	} else if (v != DNS_TAP_PASS) {
		dns_reply_free(r);
		dns_reply_init(r);
		r->rcode = LDNS_RCODE_SERVFAIL;
		info->problem = v == DNS_TAP_DROP ? "the upstream answer never "
		    "came (dropped in transit)" : "the upstream answer does not "
		    "parse (changed in transit)";
	}
	ldns_pkt_free(np);
	free(out);
}

/* The resolver face: validate a recursive answer and act on the outcome. */
static void
validate(struct dns_db *db, time_t now, const ldns_pkt *q,
	const ldns_rdf *qname, ldns_rr_type qtype, struct dns_reply *r,
	struct dns_qinfo *info)
{
	bool do_bit = ldns_pkt_edns(q) && ldns_pkt_edns_do(q);

	if (r->rcode != LDNS_RCODE_NOERROR && r->rcode != LDNS_RCODE_NXDOMAIN)
		return; /* a failure already: nothing to vouch for */
	info->validated = true;
	info->sec = dns_validate(db, qname, qtype, r, now, info->why,
	    sizeof(info->why));
	if (info->sec == DNS_SEC_BOGUS && !ldns_pkt_cd(q)) {
		clear_list(&r->an);
		clear_list(&r->ns);
		clear_list(&r->ar);
		r->rcode = LDNS_RCODE_SERVFAIL;
		r->aa = false;
	} else if (info->sec == DNS_SEC_SECURE && (do_bit || ldns_pkt_ad(q))) {
		r->ad = true;
	}
}

static int
answer_pkt(struct dns_db *db, time_t now, const ldns_pkt *q, bool tcp,
	uint8_t **resp, size_t *resplen, struct dns_qinfo *info)
{
	ldns_rr *question = ldns_rr_list_rr(ldns_pkt_question(q), 0);
	ldns_rr_type qtype = ldns_rr_get_type(question);
	ldns_rr_class qclass = ldns_rr_get_class(question);
	struct dns_reply r;
	size_t limit = LDNS_MAX_PACKETLEN;
	int rc = 0;

	dns_reply_init(&r);
	if (ldns_pkt_edns(q) && ldns_pkt_edns_version(q) != 0) {
		r.ext_rcode = 1; /* BADVERS (16), RFC 6891 6.1.3 */
		info->problem = "unsupported EDNS version";
	} else if (qclass != LDNS_RR_CLASS_IN && qclass != LDNS_RR_CLASS_ANY) {
		r.rcode = LDNS_RCODE_REFUSED;
	} else if (is_meta_query(qtype)) {
		r.rcode = qtype == LDNS_RR_TYPE_AXFR || qtype == LDNS_RR_TYPE_IXFR ?
		    LDNS_RCODE_REFUSED : LDNS_RCODE_FORMERR;
	} else {
		rc = resolve(db, ldns_rr_owner(question), qtype, &r, info, true);
		if (rc == 0 && ldns_pkt_rd(q) && db->transit != NULL)
			transit(db, q, &r, info);
		if (rc == 0 && ldns_pkt_rd(q) && db->anchor_ds != NULL)
			validate(db, now, q, ldns_rr_owner(question), qtype, &r,
			    info);
	}
	if (!ldns_pkt_edns(q) || !ldns_pkt_edns_do(q)) {
		strip_dnssec(&r.an, qtype);
		strip_dnssec(&r.ns, 0);
		strip_dnssec(&r.ar, 0);
	}
	if (!tcp) {
		limit = 512;
		if (ldns_pkt_edns(q) && ldns_pkt_edns_udp_size(q) > limit)
			limit = ldns_pkt_edns_udp_size(q);
		if (limit > DNS_EDNS_UDP_SIZE)
			limit = DNS_EDNS_UDP_SIZE;
	}
	if (rc == 0) {
		rc = reply_wire(q, &r, limit, resp, resplen);
		if (rc == 0)
			info->rcode = (r.ext_rcode << 4) | r.rcode;
	}
	dns_reply_free(&r);
	return rc;
}

int
dns_db_answer_at(struct dns_db *db, time_t now, const uint8_t *q, size_t qlen,
	bool tcp, uint8_t **resp, size_t *resplen, struct dns_qinfo *info)
{
	struct dns_qinfo scratch;
	ldns_pkt *pkt = NULL;
	ldns_rr *question;
	char *s;
	int rc;

	if (info == NULL)
		info = &scratch;
	memset(info, 0, sizeof(*info));
	info->rcode = -1;
	*resp = NULL;
	*resplen = 0;
	if (q == NULL || qlen < LDNS_HEADER_SIZE) {
		info->problem = "message shorter than a DNS header";
		return 1;
	}
	if (LDNS_QR_WIRE(q)) {
		info->problem = "a response, not a query";
		return 1;
	}
	if (LDNS_OPCODE_WIRE(q) != LDNS_PACKET_QUERY) {
		info->problem = "opcode not implemented";
		info->rcode = LDNS_RCODE_NOTIMPL;
		return header_reply(q, LDNS_RCODE_NOTIMPL, resp, resplen);
	}
	if (LDNS_QDCOUNT(q) != 1)
		info->problem = "question count is not 1";
	else if (ldns_wire2pkt(&pkt, q, qlen) != LDNS_STATUS_OK)
		info->problem = "malformed message";
	if (info->problem != NULL) {
		info->rcode = LDNS_RCODE_FORMERR;
		return header_reply(q, LDNS_RCODE_FORMERR, resp, resplen);
	}
	question = ldns_rr_list_rr(ldns_pkt_question(pkt), 0);
	s = ldns_rdf2str(ldns_rr_owner(question));
	if (s != NULL)
		str_sanitize(info->qname, sizeof(info->qname), s, strlen(s));
	free(s);
	info->qtype = ldns_rr_get_type(question);
	rc = answer_pkt(db, now, pkt, tcp, resp, resplen, info);
	ldns_pkt_free(pkt);
	return rc;
}

int
dns_db_answer(struct dns_db *db, const uint8_t *q, size_t qlen, bool tcp,
	uint8_t **resp, size_t *resplen, struct dns_qinfo *info)
{
	return dns_db_answer_at(db, db->clock, q, qlen, tcp, resp, resplen,
	    info);
}
