/*
 * world: builds the private internet of one scenario phase inside the
 * current network namespace: the DNS server (authoritative for ".",
 * "test." and every zone the scenario names, answering recursive queries
 * for the world), one fake MX per MX host on its backend address, and the
 * path to each host (attacker/mitm) on its public address.
 *
 * Address plan (all in 127.0.0.0/8):
 *   127.53.0.1      DNS
 *   127.25.0.(10+i) public address of the i-th MX (what DNS says)
 *   127.26.0.(10+i) its backend, where the real MX listens
 *   127.66.0.1      the attacker's own address (evil.attacker.test)
 *   127.1.0.1       the sender
 */
#ifndef MXSIM_WORLD_H
#define MXSIM_WORLD_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "core/loop.h"
#include "core/pki.h"
#include "core/record.h"
#include "sim/scenario.h"

#define WORLD_DNS_ADDR "127.53.0.1"
#define WORLD_SENDER_ADDR "127.1.0.1"
#define WORLD_ATTACKER_ADDR "127.66.0.1"

struct world;

/* Build the world of one phase.  pki and rec are borrowed.  NULL with a
 * message in err (bad RR, address in use, certificate spec errors). */
struct world *world_new(struct loop *l, struct pki *p, struct rec *r,
	const struct scenario *scn, const struct scn_world *w, char *err,
	size_t errlen);
void world_free(struct world *w);
/* Live sessions on every path and server (0 = the world is quiet). */
unsigned world_busy(const struct world *w);
/* Public address of an MX host, or NULL. */
const char *world_addr_of(const struct world *w, const char *host);
/* DANE, per MX host i < world_dane_count(): the TLSA RRset published at
 * _25._tcp.<host> ("3 1 1 HEX"; none when *n is 0) and the DNSSEC state
 * a validating resolver gives the host's lookups: "secure", "insecure"
 * or "bogus" (the MX RRset's state counts too).  Borrowed from w. */
size_t world_dane_count(const struct world *w);
const char *world_dane_host(const struct world *w, size_t i);
const char *const *world_dane_rrs(const struct world *w, size_t i, size_t *n);
const char *world_dane_state(const struct world *w, size_t i);
/* Print the zones (mxsim zone). */
void world_print_zones(const struct world *w, FILE *f);
/* Print the trust anchor of "." as a BIND trust-anchors clause (delv -a,
 * named.conf) when bind, else as zone-file DS records (unbound, drill
 * -k); -1 when "." is not signed. */
int world_print_anchor(const struct world *w, bool bind, FILE *f);

/* Build a pki_spec from a scenario certificate for host (pointers into c). */
void world_cert_spec(const struct scn_cert *c, const char *host, struct pki_spec *spec,
	const char *san_buf[], size_t nsan_buf);

#endif
