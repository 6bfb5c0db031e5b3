/*
 * dns_zone: the zone database and the answering logic, with no I/O.
 *
 * A dns_db is a list of zones, each an apex and a flat ldns_rr_list of its
 * records in insertion order (so answers come out in a stable order, and a
 * signer can later walk a zone as one list).  The worlds are small (tens of
 * records), so lookups are linear scans with ldns's case-insensitive name
 * comparisons.  Fault rules are a separate list, consulted before the data
 * at every step of a resolution.
 *
 * Queries are parsed and responses built with ldns (ldns_wire2pkt,
 * ldns_pkt2wire); the only bytes read by hand are the header fields of a
 * message ldns could not parse, through ldns's own LDNS_*_WIRE macros, to
 * answer it FORMERR or NOTIMP.
 *
 * Logs: nothing on the answer path; why a query was bad goes back in
 * struct dns_qinfo for the caller to log with the peer's address.
 */
#include "fake-dns/dns.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <ldns/ldns.h>

#include "core/util.h"

struct dns_zone {
	ldns_rdf *apex;
	ldns_rr_list *rrs; /* every record of the zone, in insertion order */
};

struct fault_rule {
	ldns_rdf *name;
	uint16_t type; /* 0 = every type */
	enum dns_fault fault;
};

struct dns_db {
	struct dns_zone **zones;
	size_t nzones;
	struct fault_rule *faults;
	size_t nfaults;
};

/* What an answer is made of before it becomes a packet. */
struct reply {
	ldns_pkt_rcode rcode;
	uint8_t ext_rcode; /* upper 8 bits of the 12-bit EDNS rcode */
	bool aa;
	ldns_rr_list *an, *ns, *ar; /* clones, owned */
};

static void PRINTF(3, 4)
seterr(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL || errlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

static bool
name_eq(const ldns_rdf *a, const ldns_rdf *b)
{
	return ldns_dname_compare(a, b) == 0;
}

static bool
name_at_or_below(const ldns_rdf *name, const ldns_rdf *top)
{
	return name_eq(name, top) || ldns_dname_is_subdomain(name, top);
}

/* Parse a domain name; absolute whether or not it ends in a dot. */
static ldns_rdf *
parse_name(const char *s)
{
	if (s == NULL || *s == '\0' || *s == '@')
		return NULL;
	return ldns_dname_new_frm_str(s);
}

struct dns_db *
dns_db_new(void)
{
	return xcalloc(1, sizeof(struct dns_db));
}

void
dns_db_free(struct dns_db *db)
{
	if (db == NULL)
		return;
	for (size_t i = 0; i < db->nzones; i++) {
		ldns_rdf_deep_free(db->zones[i]->apex);
		ldns_rr_list_deep_free(db->zones[i]->rrs);
		free(db->zones[i]);
	}
	for (size_t i = 0; i < db->nfaults; i++)
		ldns_rdf_deep_free(db->faults[i].name);
	free(db->zones);
	free(db->faults);
	free(db);
}

/*
 * The zone that holds `name`: the one with the longest apex at or above
 * it.  Data of type DS at a zone apex belongs to the parent zone, when the
 * world has one.
 */
static struct dns_zone *
zone_for(const struct dns_db *db, const ldns_rdf *name, bool ds)
{
	struct dns_zone *best = NULL, *above = NULL;

	for (size_t i = 0; i < db->nzones; i++) {
		struct dns_zone *z = db->zones[i];

		if (!name_at_or_below(name, z->apex))
			continue;
		if (best == NULL || ldns_dname_label_count(z->apex) >
		    ldns_dname_label_count(best->apex))
			best = z;
		if (!name_eq(name, z->apex) && (above == NULL ||
		    ldns_dname_label_count(z->apex) >
		    ldns_dname_label_count(above->apex)))
			above = z;
	}
	if (ds && best != NULL && name_eq(name, best->apex) && above != NULL)
		return above;
	return best;
}

static struct dns_zone *
zone_exact(const struct dns_db *db, const ldns_rdf *apex)
{
	for (size_t i = 0; i < db->nzones; i++)
		if (name_eq(db->zones[i]->apex, apex))
			return db->zones[i];
	return NULL;
}

/* The records of (name, type) in z, as a list of borrowed pointers (free
 * with ldns_rr_list_free), or NULL when there are none.  ANY takes all. */
static ldns_rr_list *
rrset_get(const struct dns_zone *z, const ldns_rdf *name, ldns_rr_type type)
{
	ldns_rr_list *set = NULL;

	for (size_t i = 0; i < ldns_rr_list_rr_count(z->rrs); i++) {
		ldns_rr *rr = ldns_rr_list_rr(z->rrs, i);

		if (type != LDNS_RR_TYPE_ANY && ldns_rr_get_type(rr) != type)
			continue;
		if (!name_eq(ldns_rr_owner(rr), name))
			continue;
		if (set == NULL)
			set = ldns_rr_list_new();
		ldns_rr_list_push_rr(set, rr);
	}
	return set;
}

/* Does `name` exist in z: owns data, or has data or a zone cut below it
 * (an empty non-terminal)? */
static bool
name_exists(const struct dns_db *db, const struct dns_zone *z,
	const ldns_rdf *name)
{
	for (size_t i = 0; i < ldns_rr_list_rr_count(z->rrs); i++)
		if (name_at_or_below(ldns_rr_owner(ldns_rr_list_rr(z->rrs, i)),
		    name))
			return true;
	for (size_t i = 0; i < db->nzones; i++)
		if (db->zones[i] != z && name_at_or_below(db->zones[i]->apex, name))
			return true;
	return false;
}

static bool
is_dnssec_type(ldns_rr_type t)
{
	return t == LDNS_RR_TYPE_RRSIG || t == LDNS_RR_TYPE_NSEC ||
	    t == LDNS_RR_TYPE_NSEC3;
}

/* Types that are not data: OPT, TKEY, TSIG and the query-only types. */
static bool
is_meta_type(ldns_rr_type t)
{
	return t == 0 || t == LDNS_RR_TYPE_OPT || (t >= 249 && t <= 255);
}

static int
zone_add(struct dns_db *db, ldns_rr *rr, const char *text, char *err,
	size_t errlen)
{
	ldns_rr_type type = ldns_rr_get_type(rr);
	struct dns_zone *z = zone_for(db, ldns_rr_owner(rr),
	    type == LDNS_RR_TYPE_DS);

	if (z == NULL) {
		seterr(err, errlen, "no zone encloses \"%s\"", text);
		return -1;
	}
	for (size_t i = 0; i < ldns_rr_list_rr_count(z->rrs); i++) {
		ldns_rr *old = ldns_rr_list_rr(z->rrs, i);
		ldns_rr_type ot = ldns_rr_get_type(old);

		if (!name_eq(ldns_rr_owner(old), ldns_rr_owner(rr)))
			continue;
		if (ot == type && ldns_rr_compare(old, rr) == 0)
			return 0; /* duplicate: an RRset is a set */
		if ((type == LDNS_RR_TYPE_CNAME && !is_dnssec_type(ot)) ||
		    (ot == LDNS_RR_TYPE_CNAME && !is_dnssec_type(type))) {
			seterr(err, errlen, "\"%s\": a CNAME cannot share its "
			    "name with other data", text);
			return -1;
		}
	}
	ldns_rr_list_push_rr(z->rrs, ldns_rr_clone(rr));
	return 0;
}

int
dns_db_add_rr(struct dns_db *db, const char *text, char *err, size_t errlen)
{
	const char *s = text;
	ldns_rr *rr = NULL;
	ldns_status st;
	int rc;

	while (isspace((unsigned char)*s))
		s++;
	if (*s == '\0' || *s == '@' || *s == '$' || *s == ';') {
		seterr(err, errlen, "\"%s\": a record must start with its "
		    "owner name written out", text);
		return -1;
	}
	st = ldns_rr_new_frm_str(&rr, s, DNS_DEFAULT_TTL, NULL, NULL);
	if (st != LDNS_STATUS_OK) {
		seterr(err, errlen, "cannot parse record \"%s\": %s", text,
		    ldns_get_errorstr_by_id(st));
		return -1;
	}
	if (ldns_rr_get_class(rr) != LDNS_RR_CLASS_IN) {
		seterr(err, errlen, "\"%s\": only class IN is served", text);
		ldns_rr_free(rr);
		return -1;
	}
	if (is_meta_type(ldns_rr_get_type(rr))) {
		seterr(err, errlen, "\"%s\": not a data record type", text);
		ldns_rr_free(rr);
		return -1;
	}
	rc = zone_add(db, rr, text, err, errlen);
	ldns_rr_free(rr);
	return rc;
}

/* "label." below apex, where the apex may be the root. */
static char *
name_below(const char *label, const char *apex)
{
	return strcmp(apex, ".") == 0 ? xasprintf("%s.", label) :
	    xasprintf("%s.%s", label, apex);
}

int
dns_db_add_zone(struct dns_db *db, const char *apex_text, const char *ns_addr,
	char *err, size_t errlen)
{
	unsigned char sa[sizeof(struct in6_addr)];
	bool v6 = false;
	ldns_rdf *apex = parse_name(apex_text);
	struct dns_zone *z, *parent;
	char *apex_str, *ns, *hm, *line[3] = { NULL, NULL, NULL };
	int rc = 0;

	if (apex == NULL) {
		seterr(err, errlen, "bad zone apex \"%s\"",
		    apex_text ? apex_text : "(null)");
		return -1;
	}
	if (ns_addr != NULL && inet_pton(AF_INET, ns_addr, sa) != 1) {
		if (inet_pton(AF_INET6, ns_addr, sa) != 1) {
			seterr(err, errlen, "zone %s: bad name server address "
			    "\"%s\"", apex_text, ns_addr);
			ldns_rdf_deep_free(apex);
			return -1;
		}
		v6 = true;
	}
	if (zone_exact(db, apex) != NULL) {
		seterr(err, errlen, "zone %s already exists", apex_text);
		ldns_rdf_deep_free(apex);
		return -1;
	}
	parent = zone_for(db, apex, false);
	z = xcalloc(1, sizeof(*z));
	z->apex = apex;
	z->rrs = ldns_rr_list_new();
	db->zones = xrealloc(db->zones, (db->nzones + 1) * sizeof(*db->zones));
	db->zones[db->nzones++] = z;

	apex_str = ldns_rdf2str(apex);
	ns = name_below("ns1", apex_str);
	hm = name_below("hostmaster", apex_str);
	line[0] = xasprintf("%s %d IN SOA %s %s 1 3600 600 86400 %d", apex_str,
	    DNS_DEFAULT_TTL, ns, hm, DNS_DEFAULT_TTL);
	line[1] = xasprintf("%s %d IN NS %s", apex_str, DNS_DEFAULT_TTL, ns);
	if (ns_addr != NULL)
		line[2] = xasprintf("%s %d IN %s %s", ns, DNS_DEFAULT_TTL,
		    v6 ? "AAAA" : "A", ns_addr);
	for (size_t i = 0; i < ARRAY_LEN(line) && rc == 0; i++)
		if (line[i] != NULL)
			rc = dns_db_add_rr(db, line[i], err, errlen);

	/* Records of the parent that now fall inside this zone move in,
	 * after the SOA and NS so that the zone reads in the usual order. */
	if (parent != NULL) {
		ldns_rr_list *keep = ldns_rr_list_new();

		for (size_t i = 0; i < ldns_rr_list_rr_count(parent->rrs); i++) {
			ldns_rr *rr = ldns_rr_list_rr(parent->rrs, i);
			bool ds_at_apex = ldns_rr_get_type(rr) ==
			    LDNS_RR_TYPE_DS && name_eq(ldns_rr_owner(rr), apex);

			if (!name_at_or_below(ldns_rr_owner(rr), apex) ||
			    ds_at_apex)
				ldns_rr_list_push_rr(keep, rr);
			else if (ldns_rr_list_contains_rr(z->rrs, rr))
				ldns_rr_free(rr);
			else
				ldns_rr_list_push_rr(z->rrs, rr);
		}
		ldns_rr_list_free(parent->rrs);
		parent->rrs = keep;
	}
	for (size_t i = 0; i < ARRAY_LEN(line); i++)
		free(line[i]);
	free(ns);
	free(hm);
	free(apex_str);
	return rc;
}

int
dns_db_add_fault(struct dns_db *db, const char *name_text, int rrtype,
	enum dns_fault f, char *err, size_t errlen)
{
	ldns_rdf *name = parse_name(name_text);
	size_t i;

	if (name == NULL) {
		seterr(err, errlen, "fault: bad name \"%s\"",
		    name_text ? name_text : "(null)");
		return -1;
	}
	if (rrtype < 0 || rrtype > 65535 || f < DNS_FAIL_NONE ||
	    f > DNS_FAIL_NODATA) {
		seterr(err, errlen, "fault for %s: bad type %d or fault %d",
		    name_text, rrtype, (int)f);
		ldns_rdf_deep_free(name);
		return -1;
	}
	for (i = 0; i < db->nfaults; i++)
		if (db->faults[i].type == rrtype &&
		    name_eq(db->faults[i].name, name))
			break;
	if (i < db->nfaults) {
		ldns_rdf_deep_free(name);
		if (f != DNS_FAIL_NONE) {
			db->faults[i].fault = f; /* the latest directive wins */
			return 0;
		}
		ldns_rdf_deep_free(db->faults[i].name);
		memmove(&db->faults[i], &db->faults[i + 1],
		    (db->nfaults - i - 1) * sizeof(*db->faults));
		db->nfaults--;
		return 0;
	}
	if (f == DNS_FAIL_NONE) {
		ldns_rdf_deep_free(name);
		return 0;
	}
	db->faults = xrealloc(db->faults, (db->nfaults + 1) *
	    sizeof(*db->faults));
	db->faults[db->nfaults++] = (struct fault_rule){ name, rrtype, f };
	return 0;
}

static enum dns_fault
fault_for(const struct dns_db *db, const ldns_rdf *name, ldns_rr_type type)
{
	enum dns_fault any = DNS_FAIL_NONE;

	for (size_t i = 0; i < db->nfaults; i++) {
		if (!name_eq(db->faults[i].name, name))
			continue;
		if (db->faults[i].type == type)
			return db->faults[i].fault;
		if (db->faults[i].type == 0)
			any = db->faults[i].fault;
	}
	return any;
}

void
dns_db_print(const struct dns_db *db, FILE *f)
{
	for (size_t i = 0; i < db->nzones; i++) {
		char *apex = ldns_rdf2str(db->zones[i]->apex);

		fprintf(f, "; zone %s\n", apex);
		ldns_rr_list_print(f, db->zones[i]->rrs);
		free(apex);
	}
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

/* The zone's SOA for a negative answer, its TTL capped by the SOA minimum
 * as RFC 2308 section 3 asks. */
static void
push_soa(struct reply *r, const struct dns_zone *z)
{
	ldns_rr_list *set = rrset_get(z, z->apex, LDNS_RR_TYPE_SOA);
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
}

/* Addresses of MX and NS targets that the world knows, as additional data. */
static void
add_additional(const struct dns_db *db, struct reply *r)
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
		if ((z = zone_for(db, target, false)) == NULL)
			continue;
		for (size_t t = 0; t < ARRAY_LEN(addr_types); t++) {
			ldns_rr_list *set;

			/* a failing name gives nothing away here either */
			if (fault_for(db, target, addr_types[t]) !=
			    DNS_FAIL_NONE)
				continue;
			set = rrset_get(z, target, addr_types[t]);

			for (size_t j = 0; set && j < ldns_rr_list_rr_count(set);
			    j++)
				if (!ldns_rr_list_contains_rr(r->ar,
				    ldns_rr_list_rr(set, j)))
					push_clone(r->ar,
					    ldns_rr_list_rr(set, j), NULL);
			ldns_rr_list_free(set);
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
 * zones.  Returns 1 when a timeout fault says nothing must be sent.
 */
static int
resolve(const struct dns_db *db, const ldns_rdf *qname, ldns_rr_type qtype,
	struct reply *r, struct dns_qinfo *info)
{
	const ldns_rdf *name = qname;
	ldns_rr_list *set;

	for (int hop = 0;; hop++) {
		enum dns_fault f = fault_for(db, name, qtype);
		struct dns_zone *z = zone_for(db, name,
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
			if (z != NULL)
				push_soa(r, z);
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
		if ((set = rrset_get(z, name, qtype)) != NULL) {
			for (size_t i = 0; i < ldns_rr_list_rr_count(set); i++)
				push_clone(r->an, ldns_rr_list_rr(set, i), owner);
			ldns_rr_list_free(set);
			add_additional(db, r);
			return 0;
		}
		if (qtype != LDNS_RR_TYPE_CNAME && qtype != LDNS_RR_TYPE_ANY &&
		    (set = rrset_get(z, name, LDNS_RR_TYPE_CNAME)) != NULL) {
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
			name = ldns_rr_rdf(cname, 0);
			continue;
		}
		r->rcode = name_exists(db, z, name) ? LDNS_RCODE_NOERROR :
		    LDNS_RCODE_NXDOMAIN;
		push_soa(r, z);
		return 0;
	}
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
reply_pkt(const ldns_pkt *q, const struct reply *r, int level)
{
	ldns_pkt *p = ldns_pkt_new();
	ldns_rr *question = ldns_rr_list_rr(ldns_pkt_question(q), 0);

	ldns_pkt_set_id(p, ldns_pkt_id(q));
	ldns_pkt_set_qr(p, true);
	ldns_pkt_set_opcode(p, LDNS_PACKET_QUERY);
	ldns_pkt_set_aa(p, r->aa);
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
reply_wire(const ldns_pkt *q, const struct reply *r, size_t limit,
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

static int
answer_pkt(const struct dns_db *db, const ldns_pkt *q, bool tcp,
	uint8_t **resp, size_t *resplen, struct dns_qinfo *info)
{
	ldns_rr *question = ldns_rr_list_rr(ldns_pkt_question(q), 0);
	ldns_rr_type qtype = ldns_rr_get_type(question);
	ldns_rr_class qclass = ldns_rr_get_class(question);
	struct reply r = { .rcode = LDNS_RCODE_NOERROR };
	size_t limit = LDNS_MAX_PACKETLEN;
	int rc = 0;

	r.an = ldns_rr_list_new();
	r.ns = ldns_rr_list_new();
	r.ar = ldns_rr_list_new();
	if (ldns_pkt_edns(q) && ldns_pkt_edns_version(q) != 0) {
		r.ext_rcode = 1; /* BADVERS (16), RFC 6891 6.1.3 */
		info->problem = "unsupported EDNS version";
	} else if (qclass != LDNS_RR_CLASS_IN && qclass != LDNS_RR_CLASS_ANY) {
		r.rcode = LDNS_RCODE_REFUSED;
	} else if (is_meta_type(qtype) && qtype != LDNS_RR_TYPE_ANY) {
		r.rcode = qtype == LDNS_RR_TYPE_AXFR || qtype == LDNS_RR_TYPE_IXFR ?
		    LDNS_RCODE_REFUSED : LDNS_RCODE_FORMERR;
	} else {
		rc = resolve(db, ldns_rr_owner(question), qtype, &r, info);
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
	ldns_rr_list_deep_free(r.an);
	ldns_rr_list_deep_free(r.ns);
	ldns_rr_list_deep_free(r.ar);
	return rc;
}

int
dns_db_answer(struct dns_db *db, const uint8_t *q, size_t qlen, bool tcp,
	uint8_t **resp, size_t *resplen, struct dns_qinfo *info)
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
	rc = answer_pkt(db, pkt, tcp, resp, resplen, info);
	ldns_pkt_free(pkt);
	return rc;
}
