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
 * More (core/pki_variant.c): bad-signature (public key replaced after
 * signing), leaf-as-ca (issued by a CA:FALSE leaf of the root, served
 * with it), intermediate (root -> intermediate CA -> leaf, served with
 * the intermediate), missing-intermediate (the same, not served),
 * wrong-chain-order (two intermediates, served in reverse order: valid
 * to a lenient path builder such as OpenSSL's), wildcard
 * (*.<parent of host>), wildcard-two-labels (*.<grandparent>: covers
 * one label, the host is two below), cn-only (no SAN), weak-rsa (RSA
 * 1024), sha1 (SHA-1 signature), domain-only (the recipient domain's
 * name, spec->domain, not the host).
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
	const char *domain;      /* the recipient domain (variant domain-only;
	                          * NULL: the host's parent domain) */
	const char *key_id;      /* NULL: a fresh key for each certificate
	                          * (each issue draws a new one, so a phase
	                          * that re-issues rotates it); else the key
	                          * named key_id, the same in every cert of
	                          * the run that names it (rotation is a new
	                          * key_id).  The attacker variant defaults to
	                          * PKI_ATTACKER_KEY: the attacker has one key. */
};

#define PKI_ATTACKER_KEY "attacker"

/* The public key (SubjectPublicKeyInfo, DER, malloc'd) of key_id of
 * type key ("ec" default | "rsa"), as pki_issue would use it; -1 on
 * error.  For TLSA data of a key that no served certificate has yet. */
int pki_key_spki(struct pki *p, const char *key_id, const char *key,
	uint8_t **der, size_t *len) __attribute__((warn_unused_result));

/* The private key key_id of type key ("ec" default | "rsa" | "ed25519"),
 * the same for the same seed and key_id (pki_key_spki's for ec and rsa);
 * the caller frees it.  NULL on error.  For DKIM keys (sim/world_mail.c). */
EVP_PKEY *pki_named_key(struct pki *p, const char *key_id, const char *key);

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

/*
 * Revocation (core/pki_revoke.c).  The variant "revoked" is a leaf of the
 * root, valid in every other way, whose CRL distribution point is
 * PKI_CRL_URL; the root's CRL lists every revoked certificate the pki
 * has issued.  The world serves the CRL over plain HTTP at that URL.
 * OCSP: the root itself signs responses (RFC 6960 4.2.2.2: the issuing
 * CA may), which a server staples (RFC 6066 8) when asked.
 */
#define PKI_CRL_HOST "crl.test"
#define PKI_CRL_PATH "/root.crl"
#define PKI_CRL_URL "http://" PKI_CRL_HOST PKI_CRL_PATH

/* Whether c is a revoked certificate of p. */
bool pki_cert_revoked(const struct pki *p, const struct pki_cert *c);
/* The root's CRL (DER, malloc'd): this update at the clock - 1 day,
 * next update + 7 days; the same bytes for the same seed and list.
 * Returns 0 or -1. */
int pki_crl_der(struct pki *p, uint8_t **der, size_t *len)
	__attribute__((warn_unused_result));
/* The root's OCSP response (DER, malloc'd) for c: "revoked" (key
 * compromise, at the clock - 1 day) when it is, "good" otherwise;
 * produced at the clock, valid 7 days.  0 or -1 (c not issued by the
 * root). */
int pki_ocsp_der(struct pki *p, const struct pki_cert *c, uint8_t **der,
	size_t *len) __attribute__((warn_unused_result));
/* Make ctx staple resp (copied; freed with ctx) to clients that ask. */
int pki_ctx_staple(SSL_CTX *ctx, const uint8_t *resp, size_t len)
	__attribute__((warn_unused_result));

enum pki_ocsp { PKI_OCSP_GOOD, PKI_OCSP_REVOKED, PKI_OCSP_UNKNOWN,
	PKI_OCSP_INVALID };
/* Check an OCSP response for leaf: signed by leaf's issuer (found in
 * store or chain) or a responder it delegated to, status for leaf's
 * id, this/next update around `at` (5 minutes of leeway).  why gets
 * the reason for INVALID and UNKNOWN. */
enum pki_ocsp pki_ocsp_check(X509_STORE *store, const uint8_t *resp,
	size_t len, X509 *leaf, STACK_OF(X509) *chain, time_t at, char *why,
	size_t whylen);
const char *pki_ocsp_name(enum pki_ocsp s);   /* "good", "revoked", ... */

#endif
