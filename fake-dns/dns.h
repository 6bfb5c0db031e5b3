/*
 * dns: the world's DNS.  A database of zones (dns_db, built from
 * zone-file presentation lines, answering wire-format queries without any
 * I/O) and a server that puts it on the event loop over UDP and TCP
 * (dns_srv).
 *
 * Every zone of the world lives in one dns_db, so the server is at once
 * the authoritative server of each zone and the resolver face senders are
 * pointed at: with RD set it answers recursively from its own data (RA
 * set), following CNAME chains across zones.  A query is answered from the
 * closest enclosing zone (a DS query at a zone apex from its parent).
 *
 * Names are absolute whether or not they end in a dot; matching is
 * case-insensitive.  Wildcards are not interpreted.
 *
 * DNSSEC (dns_sign.c, dns_resolver.c): dns_db_sign() signs every zone whose
 * state is secure or bogus with one Ed25519 key per zone (a CSK, flags 257,
 * algorithm 15) derived from the run seed, adds the delegations (NS, glue,
 * DS) to each signed parent and an NSEC chain, and makes the DS of "." the
 * trust anchor.  Authoritative answers (RD clear) carry RRSIGs and NSEC
 * denial proofs when the query sets DO.  Recursive answers (RD set) are
 * validated against the trust anchor, as a validating resolver does: AD
 * for secure data when the query sets DO or AD, SERVFAIL for bogus data
 * unless it sets CD.  A db that was never signed has no trust anchor and
 * answers as before, with AD clear.
 */
#ifndef MXSIM_DNS_H
#define MXSIM_DNS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include "core/loop.h"

#define DNS_EDNS_UDP_SIZE 1232 /* advertised, and the cap of UDP answers */
#define DNS_DEFAULT_TTL 300
#define DNS_MAX_CNAME_HOPS 8
#define DNS_TCP_IDLE_MS 10000

struct dns_db;

/* Per-name failure directives (faults are data). */
enum dns_fault {
	DNS_FAIL_NONE,
	DNS_FAIL_SERVFAIL, /* answer SERVFAIL */
	DNS_FAIL_TIMEOUT,  /* send nothing at all */
	DNS_FAIL_NXDOMAIN, /* the name does not exist (SOA in authority) */
	DNS_FAIL_NODATA,   /* the name exists, the type does not */
};

/* The DNSSEC state of a zone, and the outcome of validating an answer. */
enum dns_sec_state {
	DNS_SEC_SECURE,   /* signed, with a DS in the signed parent */
	DNS_SEC_INSECURE, /* unsigned, the parent proves there is no DS */
	DNS_SEC_BOGUS,    /* signed, but the chain or the signatures are bad */
};

/* What one query was, and what was done about it (for logs and records). */
struct dns_qinfo {
	char qname[1024];     /* presentation form, "" when unreadable */
	int qtype;            /* 0 when unreadable */
	int rcode;            /* rcode sent (BADVERS is 16); -1 = nothing sent */
	enum dns_fault fault; /* directive applied, DNS_FAIL_NONE otherwise */
	const char *problem;  /* static text: why the query was bad, or NULL */
	bool validated;       /* the resolver face validated the answer */
	enum dns_sec_state sec; /* its outcome, when validated */
	char why[256];        /* why it is bogus (or insecure), "" otherwise */
};

struct dns_db *dns_db_new(void);
void dns_db_free(struct dns_db *db); /* NULL is a no-op */

/* Add the zone `apex` ("example.test.", "test.", "." all work) with its SOA
 * and NS ns1.<apex>, and ns1.<apex> A (or AAAA) ns_addr when ns_addr is not
 * NULL.  Records already added to an enclosing zone that fall inside the
 * new zone move into it. */
int dns_db_add_zone(struct dns_db *db, const char *apex, const char *ns_addr,
	char *err, size_t errlen) __attribute__((warn_unused_result));

/* Add one RR in presentation syntax, "mx1.example.test. 300 IN A 127.25.0.11"
 * or "example.test. MX 10 mx1.example.test." (TTL 300 and class IN by
 * default; only class IN).  It goes into the closest enclosing zone (a DS
 * at a zone apex into the parent); error if there is none, or if it makes
 * a CNAME share its name with other data.  Duplicates are ignored. */
int dns_db_add_rr(struct dns_db *db, const char *rr, char *err, size_t errlen)
	__attribute__((warn_unused_result));

/* Fail queries for (name, rrtype); rrtype 0 = every type.  A rule for the
 * exact type wins over a rule for every type.  Applies at every step of a
 * CNAME chain, and to names outside every zone.  In a signed zone an
 * NXDOMAIN or NODATA fault comes with the NSEC proof the zone has: good
 * for data that is not there, bogus (SERVFAIL at the resolver face) for
 * data that is, as a forged denial would be.  The resolver face's own
 * DNSKEY and DS fetches ignore faults. */
int dns_db_add_fault(struct dns_db *db, const char *name, int rrtype,
	enum dns_fault f, char *err, size_t errlen)
	__attribute__((warn_unused_result));

/* Answer one wire-format query.  On 0, *resp (free() it) holds the wire
 * response; 1 means send nothing (timeout fault, a message too short to
 * carry a header, or a response sent to us); -1 means an internal error.
 * Malformed queries with a readable header get FORMERR, opcodes other than
 * QUERY NOTIMP, names outside every zone REFUSED.  UDP answers larger
 * than the client's limit (512, or its EDNS size capped at
 * DNS_EDNS_UDP_SIZE) come back truncated with TC set.  info may be NULL. */
int dns_db_answer(struct dns_db *db, const uint8_t *q, size_t qlen, bool tcp,
	uint8_t **resp, size_t *resplen, struct dns_qinfo *info)
	__attribute__((warn_unused_result));

/* Like dns_db_answer(), validating signatures at time `now` (the world's
 * clock); dns_db_answer() validates at the clock given to dns_db_sign(). */
int dns_db_answer_at(struct dns_db *db, time_t now, const uint8_t *q,
	size_t qlen, bool tcp, uint8_t **resp, size_t *resplen,
	struct dns_qinfo *info) __attribute__((warn_unused_result));

/* Every zone in presentation format, zones in the order they were added;
 * a signed zone with its DNSSEC records and delegations. */
void dns_db_print(const struct dns_db *db, FILE *f);

/*
 * DNSSEC state of the zone `apex` (secure by default).  For
 * DNS_SEC_BOGUS, bogus_kind says how (NULL = "signature"):
 *   signature      data RRSIGs whose signature bytes are corrupted
 *   wrong-key      data signed by a key that is not in the DNSKEY RRset
 *   expired        every RRSIG expired a day before the clock
 *   not-yet-valid  every RRSIG starts a day after the clock
 *   ds-mismatch    the parent's DS is the digest of another key
 *   missing-rrsig  only the DNSKEY RRset is signed
 * The DNSKEY RRset itself is signed correctly except for expired and
 * not-yet-valid.  Takes effect at the next dns_db_sign() (at once when
 * the db is signed already).
 */
int dns_db_set_state(struct dns_db *db, const char *apex,
	enum dns_sec_state state, const char *bogus_kind, char *err,
	size_t errlen) __attribute__((warn_unused_result));

/* Sign the db: keys from seed, RRSIGs valid from clock - 1 day to clock +
 * 30 days.  Same seed and data: byte-identical zones.  Once signed, every
 * later change (dns_db_add_zone, dns_db_add_rr, dns_db_set_state) signs
 * again.  Error when a zone cannot be signed (never for worlds built with
 * this API, short of running out of memory). */
int dns_db_sign(struct dns_db *db, uint64_t seed, time_t clock, char *err,
	size_t errlen) __attribute__((warn_unused_result));

/* Trust anchor formats: zone-file lines (DS and DNSKEY of ".", for
 * unbound's trust-anchor-file, drill -k, ldns-verify-zone -k), or a BIND
 * trust-anchors clause (delv -a, named.conf). */
enum dns_anchor_fmt { DNS_ANCHOR_ZONEFILE, DNS_ANCHOR_BIND };

/* Print the trust anchor for "."; -1 when "." is not signed. */
int dns_db_print_anchor(const struct dns_db *db, enum dns_anchor_fmt fmt,
	FILE *f);

/* The DNSSEC state set for a zone (DNS_SEC_SECURE for unknown apexes). */
enum dns_sec_state dns_db_state(const struct dns_db *db, const char *apex);

const char *dns_sec_state_name(enum dns_sec_state s); /* "secure", ... */

/*
 * Taps: where an on-path attacker (attacker/mitm_dns.h) reads and changes
 * DNS responses.  A tap gets one response in wire format and returns
 * DNS_TAP_PASS (unchanged), DNS_TAP_REPLACE (*out, malloc'd, is sent in
 * its place; the tap owns nothing afterwards) or DNS_TAP_DROP (nothing
 * arrives).  Two positions:
 *   transit    between the resolver face and the authoritative data: the
 *              answer to every recursive query as the authoritative
 *              servers give it (RRSIGs and NSEC proofs included, AA set,
 *              nothing validated yet).  What the tap returns is what the
 *              resolver face validates, so changed data in a signed zone
 *              is bogus (SERVFAIL) and in an unsigned one goes through.
 *              A dropped answer is an upstream timeout: SERVFAIL.
 *   last mile  the server's answers on their way to the client (dns_srv,
 *              UDP and TCP), after validation: what the sender reads.
 * The db and the server borrow arg; NULL cb removes the tap.
 */
enum dns_tap_verdict { DNS_TAP_PASS, DNS_TAP_REPLACE, DNS_TAP_DROP };

typedef enum dns_tap_verdict dns_tap_cb(void *arg, const uint8_t *resp,
	size_t len, uint8_t **out, size_t *outlen);

void dns_db_set_transit_tap(struct dns_db *db, dns_tap_cb *cb, void *arg);

/*
 * The server: UDP and TCP on addr:port (53 in the world).  TCP takes
 * several length-framed queries per connection and closes it after
 * DNS_TCP_IDLE_MS of (virtual) silence.  The db is borrowed: it must
 * outlive the server, and may be changed between queries.
 */
struct dns_srv;

/* Called for each query answered or dropped: rcode -1 = nothing sent. */
typedef void dns_log_cb(const char *qname, int qtype, int rcode,
	const char *peer, bool tcp, void *arg);

struct dns_srv *dns_srv_new(struct loop *l, struct dns_db *db,
	const char *addr, uint16_t port, char *err, size_t errlen);
void dns_srv_free(struct dns_srv *s); /* NULL is a no-op; drops connections */
void dns_srv_set_log(struct dns_srv *s, dns_log_cb *cb, void *arg);
/* The last-mile tap (see above); NULL cb removes it. */
void dns_srv_set_tap(struct dns_srv *s, dns_tap_cb *cb, void *arg);
/* Record every query in r (borrowed; NULL stops): one exchange of kind
 * REC_DNS each (core/record.h) with the question, the answer as sent
 * (rcode, AD, answer RRs) and the attack that changed it, if any. */
struct rec;
void dns_srv_set_rec(struct dns_srv *s, struct rec *r);

#endif
