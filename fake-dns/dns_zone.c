/*
 * dns_zone: the zone database, with no I/O.
 *
 * A dns_db is a list of zones, each an apex and a flat ldns_rr_list of its
 * records in insertion order (so answers come out in a stable order, and
 * the signer walks a zone as one list).  A signed zone also has a second
 * list, its data plus delegations and DNSSEC records, which is what it
 * serves (dns_zone_data).  The worlds are small (tens of records), so
 * lookups are linear scans with ldns's case-insensitive name comparisons.
 * Fault rules are a separate list, consulted before the data at every
 * step of a resolution.  The answering logic is in dns_answer.c.
 *
 * Every change bumps the db's generation (the resolver face's cache key)
 * and, once the db has been signed, signs it again.
 *
 * Logs: nothing; errors go back in err.
 */
#include "fake-dns/dns.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <ldns/ldns.h>

#include "core/util.h"
#include "fake-dns/dns_int.h"

struct dns_fault_rule {
	ldns_rdf *name;
	uint16_t type; /* 0 = every type */
	enum dns_fault fault;
};

void
dns_seterr(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL || errlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

bool
dns_name_eq(const ldns_rdf *a, const ldns_rdf *b)
{
	return ldns_dname_compare(a, b) == 0;
}

bool
dns_name_at_or_below(const ldns_rdf *name, const ldns_rdf *top)
{
	return dns_name_eq(name, top) || ldns_dname_is_subdomain(name, top);
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
		ldns_rr_list_deep_free(db->zones[i]->signed_rrs);
		free(db->zones[i]);
	}
	for (size_t i = 0; i < db->nfaults; i++)
		ldns_rdf_deep_free(db->faults[i].name);
	ldns_rr_free(db->anchor_ds);
	ldns_rr_free(db->anchor_key);
	dns_trust_cache_free(db->cache);
	free(db->zones);
	free(db->faults);
	free(db);
}

/*
 * The zone that holds `name`: the one with the longest apex at or above
 * it.  Data of type DS at a zone apex belongs to the parent zone, when the
 * world has one.
 */
struct dns_zone *
dns_zone_for(const struct dns_db *db, const ldns_rdf *name, bool ds)
{
	struct dns_zone *best = NULL, *above = NULL;

	for (size_t i = 0; i < db->nzones; i++) {
		struct dns_zone *z = db->zones[i];

		if (!dns_name_at_or_below(name, z->apex))
			continue;
		if (best == NULL || ldns_dname_label_count(z->apex) >
		    ldns_dname_label_count(best->apex))
			best = z;
		if (!dns_name_eq(name, z->apex) && (above == NULL ||
		    ldns_dname_label_count(z->apex) >
		    ldns_dname_label_count(above->apex)))
			above = z;
	}
	if (ds && best != NULL && dns_name_eq(name, best->apex) && above != NULL)
		return above;
	return best;
}

struct dns_zone *
dns_zone_exact(const struct dns_db *db, const ldns_rdf *apex)
{
	for (size_t i = 0; i < db->nzones; i++)
		if (dns_name_eq(db->zones[i]->apex, apex))
			return db->zones[i];
	return NULL;
}

const ldns_rr_list *
dns_zone_data(const struct dns_zone *z)
{
	return z->signed_rrs != NULL ? z->signed_rrs : z->rrs;
}

ldns_rr_type
dns_rrsig_covered(const ldns_rr *rr)
{
	if (ldns_rr_get_type(rr) != LDNS_RR_TYPE_RRSIG ||
	    ldns_rr_rd_count(rr) < 1)
		return 0;
	return ldns_rdf2rr_type(ldns_rr_rrsig_typecovered(rr));
}

/* The records of z at name that are of `type` (any type for ANY) or, with
 * covered != 0, RRSIGs covering `covered`. */
static ldns_rr_list *
collect(const struct dns_zone *z, const ldns_rdf *name, ldns_rr_type type,
	ldns_rr_type covered)
{
	const ldns_rr_list *data = dns_zone_data(z);
	ldns_rr_list *set = NULL;

	for (size_t i = 0; i < ldns_rr_list_rr_count(data); i++) {
		ldns_rr *rr = ldns_rr_list_rr(data, i);

		if (type != LDNS_RR_TYPE_ANY && ldns_rr_get_type(rr) != type)
			continue;
		if (covered != 0 && dns_rrsig_covered(rr) != covered)
			continue;
		if (!dns_name_eq(ldns_rr_owner(rr), name))
			continue;
		if (set == NULL)
			set = ldns_rr_list_new();
		ldns_rr_list_push_rr(set, rr);
	}
	return set;
}

ldns_rr_list *
dns_rrset_get(const struct dns_zone *z, const ldns_rdf *name, ldns_rr_type type)
{
	return collect(z, name, type, 0);
}

ldns_rr_list *
dns_rrsigs_get(const struct dns_zone *z, const ldns_rdf *name,
	ldns_rr_type covered)
{
	return collect(z, name, LDNS_RR_TYPE_RRSIG, covered);
}

/* Does `name` exist in z: owns data, or has data or a zone cut below it
 * (an empty non-terminal)? */
bool
dns_name_exists(const struct dns_db *db, const struct dns_zone *z,
	const ldns_rdf *name)
{
	const ldns_rr_list *data = dns_zone_data(z);

	for (size_t i = 0; i < ldns_rr_list_rr_count(data); i++)
		if (dns_name_at_or_below(ldns_rr_owner(ldns_rr_list_rr(data, i)),
		    name))
			return true;
	for (size_t i = 0; i < db->nzones; i++)
		if (db->zones[i] != z && dns_name_at_or_below(db->zones[i]->apex, name))
			return true;
	return false;
}

bool
dns_is_dnssec_type(ldns_rr_type t)
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
	struct dns_zone *z = dns_zone_for(db, ldns_rr_owner(rr),
	    type == LDNS_RR_TYPE_DS);

	if (z == NULL) {
		dns_seterr(err, errlen, "no zone encloses \"%s\"", text);
		return -1;
	}
	for (size_t i = 0; i < ldns_rr_list_rr_count(z->rrs); i++) {
		ldns_rr *old = ldns_rr_list_rr(z->rrs, i);
		ldns_rr_type ot = ldns_rr_get_type(old);

		if (!dns_name_eq(ldns_rr_owner(old), ldns_rr_owner(rr)))
			continue;
		if (ot == type && ldns_rr_compare(old, rr) == 0)
			return 0; /* duplicate: an RRset is a set */
		if ((type == LDNS_RR_TYPE_CNAME && !dns_is_dnssec_type(ot)) ||
		    (ot == LDNS_RR_TYPE_CNAME && !dns_is_dnssec_type(type))) {
			dns_seterr(err, errlen, "\"%s\": a CNAME cannot share its "
			    "name with other data", text);
			return -1;
		}
	}
	ldns_rr_list_push_rr(z->rrs, ldns_rr_clone(rr));
	return 0;
}

/* The data changed: new generation, and new signatures once signed. */
static int
changed(struct dns_db *db, char *err, size_t errlen)
{
	db->gen++;
	return db->is_signed ? dns_sign_all(db, err, errlen) : 0;
}

static int
add_rr_text(struct dns_db *db, const char *text, char *err, size_t errlen)
{
	const char *s = text;
	ldns_rr *rr = NULL;
	ldns_status st;
	int rc;

	while (isspace((unsigned char)*s))
		s++;
	if (*s == '\0' || *s == '@' || *s == '$' || *s == ';') {
		dns_seterr(err, errlen, "\"%s\": a record must start with its "
		    "owner name written out", text);
		return -1;
	}
	st = ldns_rr_new_frm_str(&rr, s, DNS_DEFAULT_TTL, NULL, NULL);
	if (st != LDNS_STATUS_OK) {
		dns_seterr(err, errlen, "cannot parse record \"%s\": %s", text,
		    ldns_get_errorstr_by_id(st));
		return -1;
	}
	if (ldns_rr_get_class(rr) != LDNS_RR_CLASS_IN) {
		dns_seterr(err, errlen, "\"%s\": only class IN is served", text);
		ldns_rr_free(rr);
		return -1;
	}
	if (is_meta_type(ldns_rr_get_type(rr))) {
		dns_seterr(err, errlen, "\"%s\": not a data record type", text);
		ldns_rr_free(rr);
		return -1;
	}
	rc = zone_add(db, rr, text, err, errlen);
	ldns_rr_free(rr);
	return rc;
}

int
dns_db_add_rr(struct dns_db *db, const char *text, char *err, size_t errlen)
{
	if (add_rr_text(db, text, err, errlen) < 0)
		return -1;
	return changed(db, err, errlen);
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
		dns_seterr(err, errlen, "bad zone apex \"%s\"",
		    apex_text ? apex_text : "(null)");
		return -1;
	}
	if (ns_addr != NULL && inet_pton(AF_INET, ns_addr, sa) != 1) {
		if (inet_pton(AF_INET6, ns_addr, sa) != 1) {
			dns_seterr(err, errlen, "zone %s: bad name server address "
			    "\"%s\"", apex_text, ns_addr);
			ldns_rdf_deep_free(apex);
			return -1;
		}
		v6 = true;
	}
	if (dns_zone_exact(db, apex) != NULL) {
		dns_seterr(err, errlen, "zone %s already exists", apex_text);
		ldns_rdf_deep_free(apex);
		return -1;
	}
	parent = dns_zone_for(db, apex, false);
	z = xcalloc(1, sizeof(*z));
	z->apex = apex;
	z->rrs = ldns_rr_list_new();
	z->state = DNS_SEC_SECURE;
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
			rc = add_rr_text(db, line[i], err, errlen);

	/* Records of the parent that now fall inside this zone move in,
	 * after the SOA and NS so that the zone reads in the usual order. */
	if (parent != NULL) {
		ldns_rr_list *keep = ldns_rr_list_new();

		for (size_t i = 0; i < ldns_rr_list_rr_count(parent->rrs); i++) {
			ldns_rr *rr = ldns_rr_list_rr(parent->rrs, i);
			bool ds_at_apex = ldns_rr_get_type(rr) ==
			    LDNS_RR_TYPE_DS && dns_name_eq(ldns_rr_owner(rr), apex);

			if (!dns_name_at_or_below(ldns_rr_owner(rr), apex) ||
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
	return rc == 0 ? changed(db, err, errlen) : rc;
}

int
dns_db_add_fault(struct dns_db *db, const char *name_text, int rrtype,
	enum dns_fault f, char *err, size_t errlen)
{
	ldns_rdf *name = parse_name(name_text);
	size_t i;

	if (name == NULL) {
		dns_seterr(err, errlen, "fault: bad name \"%s\"",
		    name_text ? name_text : "(null)");
		return -1;
	}
	if (rrtype < 0 || rrtype > 65535 || f < DNS_FAIL_NONE ||
	    f > DNS_FAIL_NODATA) {
		dns_seterr(err, errlen, "fault for %s: bad type %d or fault %d",
		    name_text, rrtype, (int)f);
		ldns_rdf_deep_free(name);
		return -1;
	}
	db->gen++;
	for (i = 0; i < db->nfaults; i++)
		if (db->faults[i].type == rrtype &&
		    dns_name_eq(db->faults[i].name, name))
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
	db->faults[db->nfaults++] = (struct dns_fault_rule){ name, rrtype, f };
	return 0;
}

enum dns_fault
dns_fault_for(const struct dns_db *db, const ldns_rdf *name, ldns_rr_type type)
{
	enum dns_fault any = DNS_FAIL_NONE;

	for (size_t i = 0; i < db->nfaults; i++) {
		if (!dns_name_eq(db->faults[i].name, name))
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

		if (db->is_signed)
			fprintf(f, "; zone %s (dnssec %s%s%s)\n", apex,
			    dns_sec_state_name(db->zones[i]->state),
			    db->zones[i]->state == DNS_SEC_BOGUS ? ": " : "",
			    db->zones[i]->state == DNS_SEC_BOGUS ?
			    db->zones[i]->bogus_kind : "");
		else
			fprintf(f, "; zone %s\n", apex);
		ldns_rr_list_print(f, dns_zone_data(db->zones[i]));
		free(apex);
	}
}

