/*
 * tlsa: DANE TLSA associations (RFC 6698 2, RFC 7671, RFC 7672 3): the
 * presentation form "U S M HEX", the association data of a certificate,
 * and the authentication of a presented chain against a TLSA RRset as an
 * SMTP client must do it.
 *
 * Usable records (RFC 7672 3.1, RFC 7671 9) are usage DANE-TA(2) or
 * DANE-EE(3), selector Cert(0) or SPKI(1), matching type Full(0),
 * SHA2-256(1) with 32 bytes or SHA2-512(2) with 64 bytes; PKIX-TA(0) and
 * PKIX-EE(1) are unusable for SMTP (RFC 7672 3.1.3).  Digest agility
 * (RFC 7671 9): for each (usage, selector) only the strongest digest
 * published is used; Full(0) records always are.
 *
 * Authentication (tlsa_verify):
 *   DANE-EE(3)  the leaf matches; names and dates are ignored (RFC 7672
 *               3.1.1, 3.2.1).
 *   DANE-TA(2)  an issuer certificate the server presented (never the
 *               leaf itself) matches; the chain from the leaf to it must
 *               verify, in date at `now`, with one of the reference
 *               identifiers as a DNS-ID, or the subject CN when there is
 *               no DNS-ID (RFC 7672 3.2.2, 3.2.3: wildcards only as the
 *               whole left-most label).  Local trust anchors play no part.
 *
 * Everything here is pure computation (no I/O, no logging); every string
 * and buffer handed out is the caller's to free.
 */
#ifndef MXSIM_TLSA_H
#define MXSIM_TLSA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>
#include <openssl/x509.h>

enum tlsa_usage { TLSA_PKIX_TA = 0, TLSA_PKIX_EE = 1, TLSA_DANE_TA = 2,
	TLSA_DANE_EE = 3 };
enum tlsa_selector { TLSA_SEL_CERT = 0, TLSA_SEL_SPKI = 1 };
enum tlsa_mtype { TLSA_FULL = 0, TLSA_SHA256 = 1, TLSA_SHA512 = 2 };

/* Where the association data of a scenario's TLSA spec comes from. */
enum tlsa_src {
	TLSA_SRC_HEX,    /* given in the text */
	TLSA_SRC_AUTO,   /* "auto": the MX host's own certificate */
	TLSA_SRC_CA,     /* "ca": the certificate that issued it */
};

struct tlsa_rr {
	unsigned usage, selector, mtype;   /* 0..255 as published */
	uint8_t *data;                     /* NULL for "auto" / "ca" specs */
	size_t len;
};

/* Parse "U S M HEX": three numbers 0..255 (or the RFC 7218 mnemonics
 * PKIX-TA, PKIX-EE, DANE-TA, DANE-EE / Cert, SPKI / Full, SHA2-256,
 * SHA2-512, any case), then hex digits, which may be split by blanks as
 * in zone files.  Unusable parameters parse (they are published data).
 * With src non-NULL the data may instead be "auto" or "ca" (a scenario
 * spec): then data stays NULL, and the selector and matching type must be
 * ones tlsa_data() can compute.  Returns 0, or -1 with a message in err;
 * *out is zeroed first and owns data on success. */
int tlsa_parse(const char *text, struct tlsa_rr *out, enum tlsa_src *src,
	char *err, size_t errlen) __attribute__((warn_unused_result));
void tlsa_rr_clear(struct tlsa_rr *r);   /* frees data, zeroes; NULL-safe */

/* "3 1 1 0A1B..." (upper-case hex, RFC 8460 policy-string form). */
char *tlsa_rr_str(const struct tlsa_rr *r);

/* The association data of cert for a selector and matching type.
 * Returns 0 and a malloc'd *out, or -1 for parameters it cannot compute. */
int tlsa_data(X509 *cert, unsigned selector, unsigned mtype, uint8_t **out,
	size_t *len) __attribute__((warn_unused_result));
/* Fill r->data for cert from r's selector and matching type (spec
 * "auto"/"ca" resolution).  Returns 0 or -1. */
int tlsa_rr_compute(struct tlsa_rr *r, X509 *cert)
	__attribute__((warn_unused_result));

/* Usable for SMTP (RFC 7672 3.1, RFC 6698 4.1: known parameters and a
 * digest of the right length). */
bool tlsa_usable(const struct tlsa_rr *r);

enum tlsa_auth {
	TLSA_AUTH_OK,          /* a usable record authenticates the server */
	TLSA_AUTH_NO_USABLE,   /* no usable record: TLS is still mandatory,
	                        * without authentication (RFC 7672 2.2) */
	TLSA_AUTH_NO_MATCH,    /* usable records, none matches */
	TLSA_AUTH_NAME,        /* a DANE-TA matched; no reference identifier fits */
	TLSA_AUTH_EXPIRED,     /* a DANE-TA matched; a certificate is out of date */
	TLSA_AUTH_CHAIN,       /* a DANE-TA matched; the chain to it is broken */
};

/* Authenticate leaf (+ chain, the rest of what the server sent, may be
 * NULL) against rrs.  names: the reference identifiers for DANE-TA (the
 * TLSA base domain first, then e.g. the next-hop domain).  detail gets a
 * short explanation (which record matched, or why none did). */
enum tlsa_auth tlsa_verify(const struct tlsa_rr *rrs, size_t n, X509 *leaf,
	STACK_OF(X509) *chain, const char *const *names, size_t nnames,
	time_t now, char *detail, size_t detlen);
/* The same from DER: the leaf, and the chain as concatenated DER (may be
 * empty).  A leaf that does not decode is TLSA_AUTH_NO_MATCH (or
 * NO_USABLE when nothing is usable). */
enum tlsa_auth tlsa_verify_der(const struct tlsa_rr *rrs, size_t n,
	const uint8_t *der, size_t len, const uint8_t *chain, size_t chain_len,
	const char *const *names, size_t nnames, time_t now, char *detail,
	size_t detlen);
/* "authenticated", "no usable TLSA record", "no TLSA record matches", ... */
const char *tlsa_auth_name(enum tlsa_auth a);

#endif
