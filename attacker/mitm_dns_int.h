/*
 * mitm_dns_int: what the files of the DNS attacker share.
 *   mitm_dns.c       the taps, matching, the built-in attacks, records
 *   mitm_dns_hook.c  the Lua hook on DNS answers (on_dns_answer)
 * Not for use outside attacker/.
 */
#ifndef MXSIM_MITM_DNS_INT_H
#define MXSIM_MITM_DNS_INT_H

#include <stdbool.h>
#include <stddef.h>

#include <ldns/ldns.h>

#include "attacker/mitm_dns.h"

enum { SEC_AN, SEC_NS, SEC_AR, NSECS };

/* A DNS response being changed: the parsed packet (header, question,
 * EDNS) and working copies of its sections and flags. */
struct dmsg {
	ldns_pkt *p;
	ldns_rr_list *sec[NSECS];  /* clones, owned */
	ldns_pkt_rcode rcode;
	bool aa, ad;
	const ldns_rdf *qname;     /* borrowed from p */
	ldns_rr_type qtype;
};

/* What an attack did to a message. */
enum dact { DACT_NONE, DACT_CHANGED, DACT_DROP };

/* mitm_dns_hook.c: run the attack's on_dns_answer on m; note says what
 * changed (or why nothing did). */
enum dact mitm_dns_hook_run(const struct mitm_dns_attack *a, struct dmsg *m,
	char *note, size_t notelen);

/* mitm_dns.c: a record list in zone-file lines, joined by "; " into buf
 * (only records of type t unless t is 0). */
void mitm_dns_rrs_text(const ldns_rr_list *l, ldns_rr_type t, char *buf,
	size_t len);

#endif
