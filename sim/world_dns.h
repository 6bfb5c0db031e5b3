/*
 * world_dns: the DNS side of a world beyond zones and records (world.c
 * builds those): per-name faults, per-zone DNSSEC states, the DNS
 * attacker (attacker/mitm_dns.h) on its taps, the attacker's own mail
 * host for spoofed MX and A records, TLSA data of named keys, and what
 * all that does to the DNSSEC state of each MX host's lookups (for the
 * verdict's DANE view).
 */
#ifndef MXSIM_WORLD_DNS_H
#define MXSIM_WORLD_DNS_H

#include <stddef.h>

#include "core/loop.h"
#include "core/pki.h"
#include "core/record.h"
#include "fake-dns/dns.h"
#include "sim/scenario.h"

struct world_dns;

/* Before signing: the faults of sw (cname:TARGET faults become CNAME
 * records) and the zones it names (created when missing).  -1 with a
 * message in err. */
int world_dns_data(struct dns_db *db, const struct scn_world *sw,
	const char *ns_addr, char *err, size_t errlen)
	__attribute__((warn_unused_result));
/* Before signing, after the scenario-wide states: each zones entry's
 * state. */
int world_dns_states(struct dns_db *db, const struct scn_world *sw,
	char *err, size_t errlen) __attribute__((warn_unused_result));

/* After the server is up: the DNS attacker and the attacker's mail host
 * (when some attack spoofs).  NULL with a message in err; an object
 * (perhaps idle) otherwise.  Everything passed is borrowed. */
struct world_dns *world_dns_new(struct loop *l, struct pki *p, struct rec *r,
	struct dns_db *db, struct dns_srv *srv, const struct scenario *scn,
	const struct scn_world *sw, char *err, size_t errlen);
void world_dns_free(struct world_dns *wd);   /* NULL is a no-op */
unsigned world_dns_busy(const struct world_dns *wd);

/* The state of host's lookups (MX of the domain, A of the host, TLSA at
 * _25._tcp.host) as a compliant validating sender finds them, given the
 * zones' state `base` and ntlsa published records: faults and upstream
 * attacks that break a lookup in a secure zone make it "bogus" (a lookup
 * error: the host cannot be used); a securely denied TLSA stays secure. */
const char *world_dns_host_state(const struct world_dns *wd,
	const char *domain, const char *host, size_t ntlsa, const char *base);

/* A TLSA spec "U 1 M key:ID" (selector 1: the key): *out gets
 * "U 1 M HEX" computed from key ID (of type "ec").  0 = done, 1 = not
 * such a spec, -1 = error in err. */
int world_dns_tlsa_key(struct pki *p, const char *spec, char **out,
	char *err, size_t errlen) __attribute__((warn_unused_result));

#endif
