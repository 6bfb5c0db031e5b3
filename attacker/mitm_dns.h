/*
 * mitm_dns: the attacker on the world's DNS paths.
 *
 * Where it sits.  The world's DNS is one in-process database (fake-dns)
 * that is at once every authoritative server and the validating
 * resolver face the sender asks; there is no packet between the two.
 * The attacker therefore sits on the two taps fake-dns/dns.h offers:
 *
 *   upstream   (dns_db_set_transit_tap) between the resolver face and the
 *              authoritative data: it reads and rewrites each answer as
 *              the authoritative servers send it (RRSIGs and NSEC proofs
 *              included), before the resolver face validates it.  In a
 *              signed zone any change it makes is caught there: the
 *              signatures no longer verify, the answer is bogus and the
 *              sender gets SERVFAIL (RFC 4035 5, RFC 7672 2.1.1).  In an
 *              unsigned zone the change goes through.
 *   last-mile  (dns_srv_set_tap) between the resolver face and the
 *              sender: it rewrites the validated answers on the wire
 *              (UDP and TCP, so the capture shows them).  Nothing
 *              validates after it: a sender that trusts the AD bit of
 *              an untrusted channel believes what it says.
 *
 * Attacks (each limited by a query name and type, and to the nth
 * matching answer):
 *   poison_tlsa   replace the TLSA RRset at the name (or add one to a
 *                 denial) with data ("U S M HEX"); RRSIGs are left as
 *                 they were.  Default: upstream.
 *   spoof_mx      replace the MX RRset with data ("PREF HOST.").
 *   spoof_a       replace the A RRset with data (addresses).
 *   strip_dnssec  remove RRSIG, NSEC, NSEC3, DNSKEY and DS records and
 *                 clear AD.  Default: last-mile (the DANE downgrade of a
 *                 sender that trusts AD); upstream the resolver face sees
 *                 unsigned data in a signed zone: bogus.
 *   block         drop the answer (the client times out; upstream: the
 *                 resolver face answers SERVFAIL) or, servfail, answer
 *                 SERVFAIL.  Default: last-mile.
 *   dns_hook      call the scenario's on_dns_answer(q, a) (core/sandbox,
 *                 with its caps): q = { name, type }, a = { rcode, aa, ad,
 *                 answer, authority, additional } with records as
 *                 zone-file lines.  It returns nil (pass), false (drop)
 *                 or a table like a (the answer it becomes).  An error
 *                 stops the hook for good (sandbox_error) and the answer
 *                 passes.  Default: upstream.
 *
 * Every answer the attacker changes is recorded: a session with dns set
 * (host = query name, port 53, attack = the kind), a '>' line with the
 * question and a '!' line saying what was changed where, so results.json
 * and capture.json show it.
 *
 * Ownership: mitm_dns_new copies the configuration (strings and lists);
 * rec and the sandboxes are borrowed and must outlive it.
 */
#ifndef MXSIM_MITM_DNS_H
#define MXSIM_MITM_DNS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/record.h"
#include "fake-dns/dns.h"

struct sandbox;

enum mitm_dns_kind {
	MITM_DNS_POISON_TLSA,
	MITM_DNS_SPOOF_MX,
	MITM_DNS_SPOOF_A,
	MITM_DNS_STRIP_DNSSEC,
	MITM_DNS_BLOCK,
	MITM_DNS_HOOK,
};

enum mitm_dns_at { MITM_DNS_UPSTREAM, MITM_DNS_LAST_MILE };

struct mitm_dns_attack {
	enum mitm_dns_kind kind;
	enum mitm_dns_at at;
	const char *name;          /* query name ("a.b." or "a.b"), NULL = any */
	uint16_t type;             /* query type, 0 = any */
	const char *const *data;   /* poison/spoof rdata, NULL-terminated */
	bool servfail;             /* block: answer SERVFAIL instead of drop */
	unsigned nth;              /* only the nth matching answer; 0 = all */
	struct sandbox *sb;        /* dns_hook: the scenario's sandbox */
	int ref;                   /* dns_hook: on_dns_answer's ref */
};

struct mitm_dns_config {
	const struct mitm_dns_attack *attacks;
	size_t nattacks;
	struct rec *rec;           /* may be NULL (no records) */
	const char *server_addr;   /* the resolver face, for the records */
};

struct mitm_dns;

/* NULL with a message in err (bad data for the kind). */
struct mitm_dns *mitm_dns_new(const struct mitm_dns_config *cfg, char *err,
	size_t errlen);
void mitm_dns_free(struct mitm_dns *d);   /* NULL is a no-op */

/* Whether some attack sits at that position (install the tap then). */
bool mitm_dns_at(const struct mitm_dns *d, enum mitm_dns_at at);

/* The taps, arg = the struct mitm_dns. */
dns_tap_cb mitm_dns_upstream_tap;
dns_tap_cb mitm_dns_last_mile_tap;

/* Answers changed so far (tests, logs). */
unsigned mitm_dns_changed(const struct mitm_dns *d);

const char *mitm_dns_kind_name(enum mitm_dns_kind k);
/* "poison_tlsa" -> kind; -1 when unknown. */
int mitm_dns_kind_lookup(const char *name);

#endif
