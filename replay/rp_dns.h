/*
 * rp_dns: what `mxsim replay` learns from the DNS answers in a capture.
 * Each UDP payload from port 53 is parsed with ldns; TXT answers at
 * _smtp._tls.<domain> (RFC 8460 3) give the TLSRPT rua mailto:
 * addresses, so that the judge can tell the sender's report mail (sent
 * to one of them) from the scenario's messages.
 *
 * TLSA answers (RFC 7672 2.2) are kept as observations: the host, the
 * DNSSEC state the validating resolver gave (AD bit: "secure", SERVFAIL:
 * "bogus", else "insecure"), the RRset as "U S M HEX", and when.
 *
 * Bounded: at most RP_DNS_MAX_RUA addresses and RP_DNS_MAX_TLSA
 * observations are kept; what does not parse is skipped.
 */
#ifndef MXSIM_RP_DNS_H
#define MXSIM_RP_DNS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define RP_DNS_MAX_RUA 64
#define RP_DNS_MAX_TLSA 256

struct rp_tlsa_obs {
	char *host;             /* the TLSA base domain, no trailing dot */
	const char *state;      /* "secure" | "insecure" | "bogus" */
	char **rrs;             /* "3 1 1 ABCD..." */
	size_t nrrs;
	uint64_t ts_us;
};

struct rp_dns;

struct rp_dns *rp_dns_new(void);
/* A DNS message (a UDP payload from port 53). */
void rp_dns_feed(struct rp_dns *d, const uint8_t *p, size_t len, uint64_t ts_us);
/* Is addr ("user@domain", no angle brackets) a rua mailto: address seen
 * in the answers?  Case-insensitive. */
bool rp_dns_is_rua(const struct rp_dns *d, const char *addr);
size_t rp_dns_rua_count(const struct rp_dns *d);
size_t rp_dns_tlsa_count(const struct rp_dns *d);
const struct rp_tlsa_obs *rp_dns_tlsa(const struct rp_dns *d, size_t i);
void rp_dns_free(struct rp_dns *d);

#endif
