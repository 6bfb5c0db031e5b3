/*
 * pki_revoke: revocation in the test PKI (pki.h "Revocation").
 *
 * The variant "revoked" (pki_variant.c) names PKI_CRL_URL as its CRL
 * distribution point and is noted here when issued; the root's CRL
 * lists every certificate noted so far, and the root signs OCSP
 * responses for its leaves.  Signatures are drawn from their own random
 * streams ("pki-crl", "pki-ocsp" + the serial), dates come from the
 * scenario clock, so the same seed gives the same bytes.  The checking
 * side (pki_ocsp_check) is for senders: it knows nothing of the pki.
 * Nothing here logs.
 */
#include "core/pki_int.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/ocsp.h>
#include <openssl/x509v3.h>

#include "core/pki_rand.h"
#include "core/util.h"

#define DAY 86400L
#define LEEWAY 300L       /* seconds of clock skew allowed on OCSP dates */

void
pki_revoke_note(struct pki *p, const struct pki_cert *c)
{
	ASN1_INTEGER *sn = ASN1_INTEGER_dup(X509_get0_serialNumber(c->x509));

	if (sn == NULL)
		fatal("pki: out of memory");
	p->revoked = xrealloc(p->revoked, (p->nrevoked + 1) * sizeof(*p->revoked));
	p->revoked[p->nrevoked++] = sn;
}

void
pki_revoke_free(struct pki *p)
{
	for (size_t i = 0; i < p->nrevoked; i++)
		ASN1_INTEGER_free(p->revoked[i]);
	free(p->revoked);
	p->revoked = NULL;
	p->nrevoked = 0;
}

bool
pki_cert_revoked(const struct pki *p, const struct pki_cert *c)
{
	const ASN1_INTEGER *sn = X509_get0_serialNumber(c->x509);

	if (X509_check_issued(p->root, c->x509) != X509_V_OK)
		return false;
	for (size_t i = 0; i < p->nrevoked; i++)
		if (ASN1_INTEGER_cmp(p->revoked[i], sn) == 0)
			return true;
	return false;
}

/* i2d output as a malloc'd copy. */
static int
copy_out(unsigned char *buf, int n, uint8_t **der, size_t *len)
{
	if (n <= 0 || buf == NULL)
		return -1;
	*der = xmalloc((size_t)n);
	memcpy(*der, buf, (size_t)n);
	*len = (size_t)n;
	OPENSSL_free(buf);
	return 0;
}

static int
crl_add_revoked(X509_CRL *crl, const ASN1_INTEGER *sn, const ASN1_TIME *when)
{
	X509_REVOKED *rv = X509_REVOKED_new();

	if (rv == NULL || X509_REVOKED_set_serialNumber(rv, (ASN1_INTEGER *)sn) != 1 ||
	    X509_REVOKED_set_revocationDate(rv, (ASN1_TIME *)when) != 1 ||
	    X509_CRL_add0_revoked(crl, rv) != 1) {
		X509_REVOKED_free(rv);
		return -1;
	}
	return 0;
}

static int
crl_extensions(struct pki *p, X509_CRL *crl)
{
	X509V3_CTX v3;
	X509_EXTENSION *aki;
	ASN1_INTEGER *num = ASN1_INTEGER_new();
	int ok;

	X509V3_set_ctx(&v3, p->root, NULL, NULL, crl, 0);
	aki = X509V3_EXT_conf_nid(NULL, &v3, NID_authority_key_identifier,
	    "keyid:always");
	ok = aki != NULL && num != NULL && ASN1_INTEGER_set(num, 1) == 1 &&
	    X509_CRL_add_ext(crl, aki, -1) == 1 &&
	    X509_CRL_add1_ext_i2d(crl, NID_crl_number, num, 0, 0) == 1;
	X509_EXTENSION_free(aki);
	ASN1_INTEGER_free(num);
	return ok ? 0 : -1;
}

int
pki_crl_der(struct pki *p, uint8_t **der, size_t *len)
{
	X509_CRL *crl = X509_CRL_new();
	ASN1_TIME *last = ASN1_TIME_set(NULL, p->clock - DAY);
	ASN1_TIME *next = ASN1_TIME_set(NULL, p->clock + 7 * DAY);
	unsigned char *buf = NULL;
	int ok = crl != NULL && last != NULL && next != NULL &&
	    X509_CRL_set_version(crl, X509_CRL_VERSION_2) == 1 &&
	    X509_CRL_set_issuer_name(crl, X509_get_subject_name(p->root)) == 1 &&
	    X509_CRL_set1_lastUpdate(crl, last) == 1 &&
	    X509_CRL_set1_nextUpdate(crl, next) == 1;
	int n = -1;

	for (size_t i = 0; ok && i < p->nrevoked; i++)
		ok = crl_add_revoked(crl, p->revoked[i], last) == 0;
	if (ok && X509_CRL_sort(crl) == 1 && crl_extensions(p, crl) == 0) {
		pki_rand_push(p->seed, "pki-crl", 7);
		if (X509_CRL_sign(crl, p->root_key, EVP_sha256()) > 0)
			n = i2d_X509_CRL(crl, &buf);
		pki_rand_pop();
	}
	X509_CRL_free(crl);
	ASN1_TIME_free(last);
	ASN1_TIME_free(next);
	return copy_out(buf, n, der, len);
}

/* The signed basic response for id; NULL on error. */
static OCSP_BASICRESP *
ocsp_basic(struct pki *p, OCSP_CERTID *id, bool revoked,
    const ASN1_INTEGER *sn)
{
	OCSP_BASICRESP *bs = OCSP_BASICRESP_new();
	ASN1_TIME *rev = ASN1_TIME_set(NULL, p->clock - DAY);
	ASN1_TIME *thisupd = ASN1_TIME_set(NULL, p->clock - 3600);
	ASN1_TIME *nextupd = ASN1_TIME_set(NULL, p->clock + 7 * DAY);
	unsigned char label[64] = "pki-ocsp";
	int sl = i2d_ASN1_INTEGER(sn, NULL);
	bool ok = bs != NULL && rev != NULL && thisupd != NULL && nextupd != NULL &&
	    sl > 0 && sl <= 40 &&
	    OCSP_basic_add1_status(bs, id, revoked ? V_OCSP_CERTSTATUS_REVOKED :
	    V_OCSP_CERTSTATUS_GOOD, revoked ? OCSP_REVOKED_STATUS_KEYCOMPROMISE :
	    -1, revoked ? rev : NULL, thisupd, nextupd) != NULL;

	if (ok) {
		/* producedAt from the scenario clock, not the wall clock
		 * (OCSP_NOTIME keeps what is set here) */
		ASN1_GENERALIZEDTIME *pa =
		    (ASN1_GENERALIZEDTIME *)OCSP_resp_get0_produced_at(bs);
		unsigned char *q = label + 8;
		i2d_ASN1_INTEGER(sn, &q);
		pki_rand_push(p->seed, (const char *)label, 8 + (size_t)sl);
		ok = ASN1_GENERALIZEDTIME_set(pa, p->clock) != NULL &&
		    OCSP_basic_sign(bs, p->root, p->root_key, EVP_sha256(), NULL,
		    OCSP_NOTIME) == 1;
		pki_rand_pop();
	}
	ASN1_TIME_free(rev);
	ASN1_TIME_free(thisupd);
	ASN1_TIME_free(nextupd);
	if (!ok) {
		OCSP_BASICRESP_free(bs);
		return NULL;
	}
	return bs;
}

int
pki_ocsp_der(struct pki *p, const struct pki_cert *c, uint8_t **der,
    size_t *len)
{
	OCSP_CERTID *id;
	OCSP_BASICRESP *bs;
	OCSP_RESPONSE *resp = NULL;
	unsigned char *buf = NULL;
	int n = -1;

	if (X509_check_issued(p->root, c->x509) != X509_V_OK)
		return -1;
	id = OCSP_cert_to_id(EVP_sha1(), c->x509, p->root);
	if (id == NULL)
		return -1;
	bs = ocsp_basic(p, id, pki_cert_revoked(p, c),
	    X509_get0_serialNumber(c->x509));
	if (bs != NULL)
		resp = OCSP_response_create(OCSP_RESPONSE_STATUS_SUCCESSFUL, bs);
	if (resp != NULL)
		n = i2d_OCSP_RESPONSE(resp, &buf);
	OCSP_RESPONSE_free(resp);
	OCSP_BASICRESP_free(bs);
	OCSP_CERTID_free(id);
	return copy_out(buf, n, der, len);
}

/* ---- stapling (RFC 6066 8) ---- */

struct staple {
	uint8_t *der;
	size_t len;
};

static void
staple_free(void *parent, void *ptr, CRYPTO_EX_DATA *ad, int idx, long argl,
    void *argp)
{
	struct staple *st = ptr;

	(void)parent, (void)ad, (void)idx, (void)argl, (void)argp;
	if (st != NULL)
		free(st->der);
	free(st);
}

/* The ex_data slot of SSL_CTX that holds the response: allocated once
 * per process, like OpenSSL's own indexes. */
static int
staple_index(void)
{
	static int idx = -1;

	if (idx < 0)
		idx = SSL_CTX_get_ex_new_index(0, NULL, NULL, NULL, staple_free);
	return idx;
}

/* The client asked for the status: hand OpenSSL its own copy. */
static int
staple_cb(SSL *ssl, void *arg)
{
	const struct staple *st = SSL_CTX_get_ex_data(SSL_get_SSL_CTX(ssl),
	    staple_index());
	unsigned char *copy;

	(void)arg;
	if (st == NULL)
		return SSL_TLSEXT_ERR_NOACK;
	copy = OPENSSL_memdup(st->der, st->len);
	if (copy == NULL)
		return SSL_TLSEXT_ERR_NOACK;
	SSL_set_tlsext_status_ocsp_resp(ssl, copy, (long)st->len);
	return SSL_TLSEXT_ERR_OK;
}

int
pki_ctx_staple(SSL_CTX *ctx, const uint8_t *resp, size_t len)
{
	struct staple *st;
	int idx = staple_index();

	if (idx < 0 || len == 0)
		return -1;
	st = xcalloc(1, sizeof(*st));
	st->der = xmalloc(len);
	memcpy(st->der, resp, len);
	st->len = len;
	if (SSL_CTX_set_ex_data(ctx, idx, st) != 1) {
		staple_free(NULL, st, NULL, 0, 0, NULL);
		return -1;
	}
	SSL_CTX_set_tlsext_status_cb(ctx, staple_cb);
	return 0;
}

/* ---- checking (senders) ---- */

static X509 *
find_issuer(X509_STORE *store, X509 *leaf, STACK_OF(X509) *chain)
{
	X509_STORE_CTX *sc;
	X509 *iss = NULL;

	for (int i = 0; chain != NULL && i < sk_X509_num(chain); i++) {
		X509 *c = sk_X509_value(chain, i);
		if (X509_check_issued(c, leaf) == X509_V_OK && X509_up_ref(c) == 1)
			return c;
	}
	sc = X509_STORE_CTX_new();
	if (sc != NULL && X509_STORE_CTX_init(sc, store, leaf, chain) == 1 &&
	    X509_STORE_CTX_get1_issuer(&iss, sc, leaf) != 1)
		iss = NULL;
	X509_STORE_CTX_free(sc);
	return iss;
}

static enum pki_ocsp
check_basic(X509_STORE *store, OCSP_BASICRESP *bs, X509 *leaf,
    STACK_OF(X509) *chain, time_t at, char *why, size_t whylen)
{
	ASN1_GENERALIZEDTIME *rev, *thisupd, *nextupd;
	int status, reason;
	X509 *iss = find_issuer(store, leaf, chain);
	OCSP_CERTID *id;
	bool found;

	if (iss == NULL) {
		snprintf(why, whylen, "the certificate's issuer is unknown");
		return PKI_OCSP_INVALID;
	}
	id = OCSP_cert_to_id(NULL, leaf, iss);
	X509_free(iss);
	if (OCSP_basic_verify(bs, chain, store, 0) <= 0) {
		OCSP_CERTID_free(id);
		snprintf(why, whylen, "the response's signature does not verify");
		return PKI_OCSP_INVALID;
	}
	found = id != NULL && OCSP_resp_find_status(bs, id, &status, &reason,
	    &rev, &thisupd, &nextupd) == 1;
	OCSP_CERTID_free(id);
	if (!found) {
		snprintf(why, whylen, "no status for this certificate");
		return PKI_OCSP_UNKNOWN;
	}
	if (ASN1_TIME_cmp_time_t(thisupd, at + LEEWAY) > 0 ||
	    (nextupd != NULL && ASN1_TIME_cmp_time_t(nextupd, at - LEEWAY) < 0)) {
		snprintf(why, whylen, "the response is not current");
		return PKI_OCSP_INVALID;
	}
	if (status == V_OCSP_CERTSTATUS_GOOD)
		return PKI_OCSP_GOOD;
	if (status == V_OCSP_CERTSTATUS_REVOKED) {
		snprintf(why, whylen, "revoked (%s)", OCSP_crl_reason_str(reason));
		return PKI_OCSP_REVOKED;
	}
	snprintf(why, whylen, "the responder does not know the certificate");
	return PKI_OCSP_UNKNOWN;
}

enum pki_ocsp
pki_ocsp_check(X509_STORE *store, const uint8_t *resp, size_t len, X509 *leaf,
    STACK_OF(X509) *chain, time_t at, char *why, size_t whylen)
{
	const unsigned char *q = resp;
	OCSP_RESPONSE *r;
	OCSP_BASICRESP *bs;
	enum pki_ocsp res;

	why[0] = '\0';
	if (len > LONG_MAX || (r = d2i_OCSP_RESPONSE(NULL, &q, (long)len)) == NULL) {
		snprintf(why, whylen, "not an OCSP response");
		return PKI_OCSP_INVALID;
	}
	if (OCSP_response_status(r) != OCSP_RESPONSE_STATUS_SUCCESSFUL) {
		snprintf(why, whylen, "responder status %s",
		    OCSP_response_status_str(OCSP_response_status(r)));
		OCSP_RESPONSE_free(r);
		return PKI_OCSP_INVALID;
	}
	bs = OCSP_response_get1_basic(r);
	OCSP_RESPONSE_free(r);
	if (bs == NULL) {
		snprintf(why, whylen, "no basic response");
		return PKI_OCSP_INVALID;
	}
	res = check_basic(store, bs, leaf, chain, at, why, whylen);
	OCSP_BASICRESP_free(bs);
	return res;
}

const char *
pki_ocsp_name(enum pki_ocsp s)
{
	switch (s) {
	case PKI_OCSP_GOOD:
		return "good";
	case PKI_OCSP_REVOKED:
		return "revoked";
	case PKI_OCSP_UNKNOWN:
		return "unknown";
	case PKI_OCSP_INVALID:
		break;
	}
	return "invalid";
}
