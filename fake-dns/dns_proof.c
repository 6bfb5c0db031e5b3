/*
 * dns_proof: DNSSEC proof checks on lists of records.  See dns_proof.h.
 */
#include "fake-dns/dns_proof.h"

#include <string.h>

#include "core/util.h"
#include "fake-dns/dns_int.h"

ldns_rr_list *
dns_proof_pick(const ldns_rr_list *l, const ldns_rdf *owner, ldns_rr_type t,
	bool sigs)
{
	ldns_rr_list *out = ldns_rr_list_new();

	for (size_t i = 0; i < ldns_rr_list_rr_count(l); i++) {
		ldns_rr *rr = ldns_rr_list_rr(l, i);

		if (!dns_name_eq(ldns_rr_owner(rr), owner))
			continue;
		if (sigs ? dns_rrsig_covered(rr) == t :
		    ldns_rr_get_type(rr) == t)
			ldns_rr_list_push_rr(out, rr);
	}
	return out;
}

bool
dns_proof_first_of_set(const ldns_rr_list *l, size_t i)
{
	const ldns_rr *rr = ldns_rr_list_rr(l, i);

	for (size_t j = 0; j < i; j++)
		if (ldns_rr_get_type(ldns_rr_list_rr(l, j)) ==
		    ldns_rr_get_type(rr) && dns_name_eq(ldns_rr_owner(
		    ldns_rr_list_rr(l, j)), ldns_rr_owner(rr)))
			return false;
	return true;
}

bool
dns_proof_denial(const ldns_rr_list *ns, const ldns_rdf *name, ldns_rr_type qtype,
	bool nxdomain)
{
	const ldns_rr *cover = NULL;
	ldns_rdf *ce = NULL, *wild;
	char *ce_str, *wild_str;
	bool ok = false;

	for (size_t i = 0; i < ldns_rr_list_rr_count(ns); i++) {
		const ldns_rr *rr = ldns_rr_list_rr(ns, i);
		const ldns_rdf *bm;

		if (ldns_rr_get_type(rr) != LDNS_RR_TYPE_NSEC ||
		    ldns_rr_rd_count(rr) < 2)
			continue;
		bm = ldns_rr_rdf(rr, 1);
		if (dns_name_eq(ldns_rr_owner(rr), name)) {
			if (nxdomain)
				return false; /* the name exists */
			return !ldns_nsec_bitmap_covers_type(bm, qtype) &&
			    !ldns_nsec_bitmap_covers_type(bm,
			    LDNS_RR_TYPE_CNAME) &&
			    (qtype == LDNS_RR_TYPE_DS ||
			    !ldns_nsec_bitmap_covers_type(bm, LDNS_RR_TYPE_NS) ||
			    ldns_nsec_bitmap_covers_type(bm, LDNS_RR_TYPE_SOA));
		}
		if (dns_nsec_covers(rr, name)) {
			if (!nxdomain && ldns_dname_is_subdomain(
			    ldns_rr_rdf(rr, 0), name))
				return true; /* an empty non-terminal */
			cover = rr;
		}
	}
	if (!nxdomain || cover == NULL)
		return false;
	for (ce = ldns_dname_left_chop(name); ce != NULL;) {
		ldns_rdf *up;

		if (dns_name_at_or_below(ldns_rr_owner(cover), ce) ||
		    dns_name_at_or_below(ldns_rr_rdf(cover, 0), ce))
			break;
		up = ldns_dname_label_count(ce) > 0 ?
		    ldns_dname_left_chop(ce) : NULL;
		ldns_rdf_deep_free(ce);
		ce = up;
	}
	if (ce == NULL)
		return false;
	ce_str = ldns_rdf2str(ce);
	wild_str = strcmp(ce_str, ".") == 0 ? xstrdup("*.") :
	    xasprintf("*.%s", ce_str);
	wild = ldns_dname_new_frm_str(wild_str);
	for (size_t i = 0; wild != NULL && i < ldns_rr_list_rr_count(ns); i++) {
		const ldns_rr *rr = ldns_rr_list_rr(ns, i);

		if (ldns_rr_get_type(rr) == LDNS_RR_TYPE_NSEC &&
		    ldns_rr_rd_count(rr) >= 2 && dns_nsec_covers(rr, wild))
			ok = true;
	}
	ldns_rdf_deep_free(wild);
	ldns_rdf_deep_free(ce);
	free(ce_str);
	free(wild_str);
	return ok;
}
