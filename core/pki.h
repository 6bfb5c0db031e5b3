/*
 * pki: the deterministic test PKI.
 *
 * Everything is derived from the run seed: a trusted root CA ("mxsim test
 * root"), a second CA the senders do not trust, and every leaf certificate.
 * pki_rand_reset() installs a seeded RAND_METHOD (OpenSSL 3.0 honours
 * RAND_set_rand_method for RAND_bytes_ex/RAND_priv_bytes_ex) so keys,
 * ECDSA signatures and TLS handshakes are reproducible: same seed and label,
 * same bytes.  Keys are ECDSA P-256 unless a spec asks for RSA.
 *
 * Variants (DESIGN.md): valid, expired, not-yet-valid, wrong-host,
 * self-signed, untrusted-ca, attacker; plus custom specs (SANs, CN, dates,
 * key type).  Validity windows come from the scenario clock passed in.
 */
#ifndef MXSIM_PKI_H
#define MXSIM_PKI_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

struct pki;
struct pki_cert;

#define PKI_ATTACKER_NAME "evil.attacker.test"

struct pki_spec {
	const char *variant;     /* one of the variants above, or "custom" */
	const char *host;        /* the name the certificate is meant for */
	const char *const *san;  /* custom: DNS SANs (NULL-terminated), or NULL */
	const char *cn;          /* custom: subject CN, or NULL (= host) */
	bool no_san;             /* custom: name only in the CN */
	time_t not_before;       /* custom: 0 = clock - 30 days */
	time_t not_after;        /* custom: 0 = clock + 365 days */
	const char *key;         /* "ec" (default) | "rsa" */
	const char *issuer;      /* custom: "root" (default) | "untrusted" | "self" */
};

/* Reset the process-wide deterministic RNG to the stream of (seed, label).
 * Call before building a scenario's world so its bytes do not depend on
 * what ran before. */
void pki_rand_reset(uint64_t seed, const char *label);
/* Restore OpenSSL's default RNG. */
void pki_rand_restore(void);

/* CAs from the seed; clock is the scenario clock (CA validity is
 * clock - 10 years .. clock + 10 years). */
struct pki *pki_new(uint64_t seed, time_t clock);
void pki_free(struct pki *p);
time_t pki_clock(const struct pki *p);

/* Issue a certificate.  Returns 0 or -1 with a message in err. */
int pki_issue(struct pki *p, const struct pki_spec *spec, struct pki_cert **out,
	char *err, size_t errlen) __attribute__((warn_unused_result));
void pki_cert_free(struct pki_cert *c);
X509 *pki_cert_x509(const struct pki_cert *c);          /* borrowed */
EVP_PKEY *pki_cert_key(const struct pki_cert *c);       /* borrowed */
STACK_OF(X509) *pki_cert_chain(const struct pki_cert *c); /* borrowed, may be empty */
const char *pki_cert_label(const struct pki_cert *c);   /* e.g. "expired" */

/* A TLS server context presenting the certificate and its chain (TLS 1.2
 * and 1.3, no session tickets, keylog callback left to the caller). */
SSL_CTX *pki_server_ctx(const struct pki_cert *c);
/* A TLS client context that trusts the root CA (verify mode left NONE: the
 * caller checks the result with SSL_get_verify_result or pki_verify). */
SSL_CTX *pki_client_ctx(const struct pki *p);

/* The root CA, PEM, NUL-terminated (borrowed). */
const char *pki_root_pem(const struct pki *p);
int pki_write_root(const struct pki *p, const char *path) __attribute__((warn_unused_result));
X509_STORE *pki_store(const struct pki *p);  /* borrowed: trusts the root */

/* Verify a leaf (DER) with its chain (concatenated DER, may be empty)
 * against the root at time `at` for host name `host` (RFC 6125 DNS-ID,
 * wildcard only as the whole left-most label; no CN fallback).  Returns
 * NULL when valid, else the RFC 8460 result-type that describes the
 * failure: "certificate-expired", "certificate-not-trusted",
 * "certificate-host-mismatch" or "validation-failure". */
const char *pki_verify(const struct pki *p, const uint8_t *der, size_t len,
	const uint8_t *chain, size_t chain_len, const char *host, time_t at);

#endif
