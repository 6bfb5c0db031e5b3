/*
 * snd_dnssec: local DNSSEC validation in the reference sender's stub
 * resolver (snd_dns.c), so that an attacker between the validating
 * resolver and the sender (the "last mile") cannot downgrade signed data
 * to insecure by stripping RRSIGs and the AD bit (RFC 7672 2.1.1, RFC
 * 4035 4.9.3: a security-aware stub may validate itself).
 *
 * Internal to senders/builtin.  A validator (snd_val) holds the trust
 * anchor of "." and what its walks learned, per zone cut: the DNSKEYs of
 * each secure zone, the proven unsigned delegations, the names that are
 * no cut.  A job (snd_vjob) validates one answer: for the owner of each
 * RRset of the answer section, and for the name a negative answer
 * denies, it walks down from the root one label at a time (DS query,
 * then DNSKEY query at each secure cut, every record checked against the
 * keys of the zone above), then checks the RRsets (ldns_verify_time at
 * the loop's wall clock) and the NSEC proofs of denials.  Unsigned data
 * in a zone the walk proved signed is bogus, not insecure.
 *
 * Ownership: the validator copies the anchor; a job clones the packet.
 * A job's callback comes exactly once, from the loop, unless the job is
 * cancelled first; snd_val_free() must come after every job is over.
 */
#ifndef MXSIM_SND_DNSSEC_H
#define MXSIM_SND_DNSSEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <ldns/ldns.h>

struct snd_dns;

enum snd_sec { SND_SEC_SECURE, SND_SEC_INSECURE, SND_SEC_BOGUS };

struct snd_val;

/* anchor: DS (and/or DNSKEY) records of "." as zone-file lines.  NULL
 * with err filled when no record parses or one is not for ".". */
struct snd_val *snd_val_new(const char *anchor, char *err, size_t errlen);
void snd_val_free(struct snd_val *v);   /* NULL is a no-op */
/* Zone cuts the validator knows (tests). */
size_t snd_val_known(const struct snd_val *v);

struct snd_vjob;
typedef void snd_vjob_cb(enum snd_sec sec, const char *why, void *arg);

/* Validate p, the answer to (qname, qtype).  When the outcome is known at
 * once it is returned in *sec and why and the result is NULL; else the
 * job calls cb once, later. */
struct snd_vjob *snd_vjob_start(struct snd_dns *d, struct snd_val *v,
	const ldns_pkt *p, const ldns_rdf *qname, uint16_t qtype,
	snd_vjob_cb *cb, void *arg, enum snd_sec *sec, char *why,
	size_t whylen);
/* No callback after this; NULL is a no-op. */
void snd_vjob_cancel(struct snd_vjob *j);

/* The stub's raw queries, for the walks (snd_dns.c): p is the answer
 * (NULL: none came, timeout or network error), borrowed for the call. */
typedef void snd_dns_raw_cb(const ldns_pkt *p, void *arg);
uint64_t snd_dns_query_raw(struct snd_dns *d, const ldns_rdf *name,
	uint16_t qtype, snd_dns_raw_cb *cb, void *arg);
/* The wall clock signatures are checked at. */
time_t snd_dns_wallclock(const struct snd_dns *d);

#endif
