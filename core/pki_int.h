/*
 * pki_int: what the files of the PKI share (not for other modules).
 *   pki.c          the CAs, issuing, contexts, verification
 *   pki_variant.c  the certificate variants that need more than a name
 *                  and dates: broken signatures, chains through
 *                  intermediates (served, missing, out of order), a leaf
 *                  used as a CA, wildcards, CN-only, weak keys, SHA-1,
 *                  the recipient domain's name
 */
#ifndef MXSIM_PKI_INT_H
#define MXSIM_PKI_INT_H

#include <stdbool.h>
#include <stdint.h>
#include <openssl/evp.h>
#include <openssl/sha.h>
#include <openssl/x509.h>
#include <openssl/asn1.h>

#include "core/pki.h"

struct pki_count {
	uint8_t id[SHA256_DIGEST_LENGTH];  /* hash of a spec's label */
	unsigned n;                        /* certificates issued with it */
};

struct pki {
	uint64_t seed;
	time_t clock;
	X509 *root, *untrusted;
	EVP_PKEY *root_key, *untrusted_key;
	X509_STORE *store;
	char *root_pem;
	struct pki_count *counts;
	size_t ncounts;
	/* pki_variant.c, made on first use: root -> inter -> inter2 */
	X509 *inter, *inter2, *leaf_ca;
	EVP_PKEY *inter_key, *inter2_key, *leaf_ca_key;
	/* pki_revoke.c: serials of the revoked certificates, in issue order */
	ASN1_INTEGER **revoked;
	size_t nrevoked;
};

struct pki_cert {
	X509 *x509;
	EVP_PKEY *key;
	STACK_OF(X509) *chain;
	char *label;
};

enum issuer { ISS_ROOT, ISS_UNTRUSTED, ISS_SELF };

/* Everything needed to build one certificate. */
struct certreq {
	const char *cn;
	const char *org;                 /* or NULL */
	X509 *issuer;                    /* NULL: self-signed */
	EVP_PKEY *issuer_key;            /* ignored when self-signed */
	EVP_PKEY *key;
	const uint8_t *serial;           /* 16 bytes */
	time_t nb, na;
	bool ca;
	const char *const *san;          /* NULL-terminated, NULL/empty: none */
	const EVP_MD *md;                /* signature digest, NULL: SHA-256 */
	const char *crl_url;             /* CRL distribution point
	                                  * ("URI:http://..."), or NULL */
};

/* Variants of pki_variant.c (the flag column of pki.c's table). */
enum pki_vflag {
	PV_NONE,
	PV_BAD_SIGNATURE,      /* public key replaced after signing */
	PV_LEAF_AS_CA,         /* issued by a CA:FALSE leaf, served with it */
	PV_INTERMEDIATE,       /* root -> inter -> leaf, inter served */
	PV_MISSING_INTER,      /* the same, inter not served */
	PV_WRONG_ORDER,        /* root -> inter -> inter2 -> leaf, served
	                        * inter, inter2 (reversed) */
	PV_WILDCARD,           /* *.<parent of host> */
	PV_WILDCARD_TWO,       /* *.<grandparent of host>: two labels off */
	PV_CN_ONLY,            /* the host only in the CN, no SAN */
	PV_WEAK_RSA,           /* RSA 1024 */
	PV_SHA1,               /* SHA-1 signature */
	PV_DOMAIN_ONLY,        /* the recipient domain's name, not the host */
	PV_REVOKED,            /* names the root's CRL, which lists it
	                        * (pki_revoke.c) */
};

/* pki.c */
EVP_PKEY *pki_int_key(bool rsa, int bits);   /* bits 0: the default */
X509 *pki_int_cert(const struct certreq *r, char *err, size_t errlen);
void pki_int_serial(uint8_t out[16], uint64_t seed, const void *label, size_t len);
void pki_int_err(char *err, size_t errlen, const char *what);

/* pki_variant.c.  Before the leaf is built (its key made, inside the
 * leaf's random stream): changes r (names, issuer, digest) and c (key,
 * chain); names go to buf (2 x 300 bytes).  After: the changes to the
 * built certificate.  Both return 0 or -1 with err. */
int pki_variant_before(struct pki *p, const struct pki_spec *spec,
	enum pki_vflag f, struct certreq *r, struct pki_cert *c,
	char buf[2][300], const char *san[2], char *err, size_t errlen);
int pki_variant_after(struct pki *p, enum pki_vflag f, struct pki_cert *c,
	char *err, size_t errlen);
void pki_variant_free(struct pki *p);

/* pki_revoke.c: remember c as revoked by the root; free the list. */
void pki_revoke_note(struct pki *p, const struct pki_cert *c);
void pki_revoke_free(struct pki *p);

#endif
