/*
 * dns_proof: DNSSEC proof checks on plain lists of records (no zone
 * database, only ldns), shared by the resolver face (dns_resolver.c) and
 * the reference sender's own validator (senders/builtin/snd_dnssec.c), so
 * that both judge an answer by the same rules.
 */
#ifndef MXSIM_DNS_PROOF_H
#define MXSIM_DNS_PROOF_H

#include <stdbool.h>
#include <stddef.h>

#include <ldns/ldns.h>

/* The records of l at owner of type t (borrowed: free the list with
 * ldns_rr_list_free); with sigs, the RRSIGs covering t instead. */
ldns_rr_list *dns_proof_pick(const ldns_rr_list *l, const ldns_rdf *owner,
	ldns_rr_type t, bool sigs);

/* Is record i of l the first of its RRset (owner, type) in l? */
bool dns_proof_first_of_set(const ldns_rr_list *l, size_t i);

/*
 * Do the NSEC records of ns deny (name, qtype) (RFC 4035 5.4)?  NODATA:
 * an NSEC at the name without the type or a CNAME (and not the parent's
 * side of a cut, unless the question is DS), or one that covers an empty
 * non-terminal.  NXDOMAIN: an NSEC that covers the name, and one that
 * covers the wildcard at the closest encloser.  Signatures are not
 * checked here.
 */
bool dns_proof_denial(const ldns_rr_list *ns, const ldns_rdf *name,
	ldns_rr_type qtype, bool nxdomain);

#endif
