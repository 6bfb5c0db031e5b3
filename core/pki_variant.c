/*
 * pki_variant: the certificate variants that need more than a name and
 * validity dates (pki.h lists them; pki_int.h has the split with pki.c).
 *
 * pki_issue builds every leaf the same way; for these variants it calls
 * pki_variant_before (inside the leaf's own random stream, after the key
 * is drawn) to change the request and the served chain, and
 * pki_variant_after to break the built certificate.  Whatever they draw
 * comes from that stream, so the same seed gives the same bytes.
 *
 * The extra CAs are made once per struct pki, on first use, each from
 * its own stream ("pki-intermediate", "pki-leaf-as-ca"), so they do not
 * depend on which leaf asked first:
 *   "mxsim test intermediate CA"    CA:TRUE, signed by the root
 *   "mxsim test intermediate CA 2"  CA:TRUE, signed by the first
 *   "mxsim leaf (not a CA)"         CA:FALSE, serverAuth, signed by the
 *                                   root: a real leaf that a broken
 *                                   verifier would accept as an issuer
 * This module does not log.
 */
#include "core/pki_int.h"

#include <stdio.h>
#include <string.h>

#include "core/pki_rand.h"
#include "core/util.h"

#define DAY 86400L
#define INTER_YEARS (5 * 365 * DAY)

/* One extra issuer from its own stream. */
static int
make_issuer(struct pki *p, const char *label, const char *cn, bool ca,
    X509 *iss, EVP_PKEY *iss_key, X509 **out, EVP_PKEY **key, char *err,
    size_t errlen)
{
	const char *san[2] = { cn, NULL };
	uint8_t serial[16];
	struct certreq r;

	pki_rand_push(p->seed, label, strlen(label));
	pki_int_serial(serial, p->seed, label, strlen(label));
	*key = pki_int_key(false, 0);
	if (*key == NULL) {
		pki_rand_pop();
		pki_int_err(err, errlen, "issuer key generation");
		return -1;
	}
	memset(&r, 0, sizeof(r));
	r.cn = cn;
	r.org = "mxsim";
	r.issuer = iss;
	r.issuer_key = iss_key;
	r.key = *key;
	r.serial = serial;
	r.nb = p->clock - INTER_YEARS;
	r.na = p->clock + INTER_YEARS;
	r.ca = ca;
	r.san = ca ? NULL : san;
	*out = pki_int_cert(&r, err, errlen);
	pki_rand_pop();
	return *out != NULL ? 0 : -1;
}

static int
ensure_inter(struct pki *p, char *err, size_t errlen)
{
	if (p->inter == NULL &&
	    make_issuer(p, "pki-intermediate", "mxsim test intermediate CA", true,
	    p->root, p->root_key, &p->inter, &p->inter_key, err, errlen) < 0)
		return -1;
	if (p->inter2 == NULL &&
	    make_issuer(p, "pki-intermediate-2", "mxsim test intermediate CA 2",
	    true, p->inter, p->inter_key, &p->inter2, &p->inter2_key, err,
	    errlen) < 0)
		return -1;
	return 0;
}

static int
ensure_leaf_ca(struct pki *p, char *err, size_t errlen)
{
	if (p->leaf_ca == NULL &&
	    make_issuer(p, "pki-leaf-as-ca", "leaf-not-a-ca.mxsim.test", false,
	    p->root, p->root_key, &p->leaf_ca, &p->leaf_ca_key, err, errlen) < 0)
		return -1;
	return 0;
}

static void
serve(struct pki_cert *c, X509 *x)
{
	if (X509_up_ref(x) != 1 || sk_X509_push(c->chain, x) <= 0)
		fatal("pki: out of memory");
}

/* The name n labels up from host ("mx1.example.test", 1: "example.test"),
 * or NULL when host has too few labels for it to be a domain. */
static const char *
up(const char *host, int n)
{
	const char *s = host;

	for (int i = 0; i < n; i++) {
		s = strchr(s, '.');
		if (s == NULL)
			return NULL;
		s++;
	}
	return strchr(s, '.') != NULL ? s : NULL;   /* not a bare TLD */
}

/* The certificate is for name alone (CN and the one SAN). */
static int
name_is(struct certreq *r, const char *name, char buf[300], const char *san[2],
    char *err, size_t errlen)
{
	if (strlen(name) >= 300) {
		snprintf(err, errlen, "certificate name too long");
		return -1;
	}
	memcpy(buf, name, strlen(name) + 1);   /* < 300: checked above */
	r->cn = buf;
	san[0] = buf;
	san[1] = NULL;
	r->san = san;
	return 0;
}

int
pki_variant_before(struct pki *p, const struct pki_spec *spec,
	enum pki_vflag f, struct certreq *r, struct pki_cert *c,
	char buf[2][300], const char *san[2], char *err, size_t errlen)
{
	const char *d;

	switch (f) {
	case PV_LEAF_AS_CA:
		if (ensure_leaf_ca(p, err, errlen) < 0)
			return -1;
		r->issuer = p->leaf_ca;
		r->issuer_key = p->leaf_ca_key;
		serve(c, p->leaf_ca);
		return 0;
	case PV_INTERMEDIATE:
	case PV_MISSING_INTER:
		if (ensure_inter(p, err, errlen) < 0)
			return -1;
		r->issuer = p->inter;
		r->issuer_key = p->inter_key;
		if (f == PV_INTERMEDIATE)
			serve(c, p->inter);
		return 0;
	case PV_WRONG_ORDER:
		if (ensure_inter(p, err, errlen) < 0)
			return -1;
		r->issuer = p->inter2;
		r->issuer_key = p->inter2_key;
		serve(c, p->inter);       /* the right order is inter2, inter */
		serve(c, p->inter2);
		return 0;
	case PV_WILDCARD:
	case PV_WILDCARD_TWO:
		d = up(spec->host, f == PV_WILDCARD ? 1 : 2);
		if (d == NULL) {
			snprintf(err, errlen, "variant %s: host \"%s\" has too few labels "
			    "for a wildcard %s above it (%s)", spec->variant, spec->host,
			    f == PV_WILDCARD ? "one label" : "two labels",
			    f == PV_WILDCARD ? "e.g. mx1.example.test" :
			    "e.g. mx1.sub.example.test gets *.example.test");
			return -1;
		}
		snprintf(buf[1], 300, "*.%s", d);
		return name_is(r, buf[1], buf[0], san, err, errlen);
	case PV_CN_ONLY:
		r->san = NULL;
		return 0;
	case PV_WEAK_RSA:
		EVP_PKEY_free(c->key);
		c->key = pki_int_key(true, 1024);
		if (c->key == NULL) {
			pki_int_err(err, errlen, "RSA 1024 key generation");
			return -1;
		}
		r->key = c->key;
		return 0;
	case PV_SHA1:
		r->md = EVP_sha1();
		return 0;
	case PV_DOMAIN_ONLY:
		/* without the recipient domain: the host's parent
		 * (mta-sts.example.test -> example.test) */
		d = spec->domain != NULL && spec->domain[0] != '\0' ? spec->domain :
		    up(spec->host, 1);
		if (d == NULL) {
			snprintf(err, errlen, "variant domain-only needs the recipient "
			    "domain (host \"%s\" has no parent domain)", spec->host);
			return -1;
		}
		return name_is(r, d, buf[0], san, err, errlen);
	case PV_REVOKED:
		r->crl_url = "URI:" PKI_CRL_URL;
		return 0;
	case PV_BAD_SIGNATURE:
	case PV_NONE:
		return 0;
	}
	return 0;
}

int
pki_variant_after(struct pki *p, enum pki_vflag f, struct pki_cert *c,
	char *err, size_t errlen)
{
	EVP_PKEY *k;

	if (f == PV_REVOKED)
		pki_revoke_note(p, c);   /* its serial goes on the CRL */
	if (f != PV_BAD_SIGNATURE)
		return 0;
	/* Another key in the signed certificate: the issuer's signature no
	 * longer covers what is there, and the server holds the new key, so
	 * the handshake itself works. */
	k = pki_int_key(EVP_PKEY_get_base_id(c->key) == EVP_PKEY_RSA, 0);
	if (k == NULL || X509_set_pubkey(c->x509, k) != 1) {
		EVP_PKEY_free(k);
		pki_int_err(err, errlen, "replacing the public key");
		return -1;
	}
	EVP_PKEY_free(c->key);
	c->key = k;
	return 0;
}

void
pki_variant_free(struct pki *p)
{
	X509_free(p->inter);
	X509_free(p->inter2);
	X509_free(p->leaf_ca);
	EVP_PKEY_free(p->inter_key);
	EVP_PKEY_free(p->inter2_key);
	EVP_PKEY_free(p->leaf_ca_key);
	pki_revoke_free(p);
}
