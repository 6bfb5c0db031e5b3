/*
 * tlsa: TLSA records and DANE authentication.  See tlsa.h.
 *
 * DANE-TA path checks run X509_verify_cert() against a store that holds
 * only the matched trust anchor (X509_V_FLAG_PARTIAL_CHAIN, so the anchor
 * need not be self-signed), with the presented chain as the untrusted
 * certificates, the reference identifiers as hosts and `now` as the
 * verification time.  A DANE-TA(2) SPKI(1) Full(0) record whose key is
 * not in any presented certificate does not match (the server omitted its
 * trust anchor certificate; RFC 7671 5.2.2 allows that, and it is not
 * supported here).
 */
#include "core/tlsa.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/evp.h>
#include <openssl/x509v3.h>

#include "core/util.h"

#define TLSA_MAX_DATA 65535   /* an RDATA is at most that long */

static const char *const usage_names[] = { "PKIX-TA", "PKIX-EE", "DANE-TA",
	"DANE-EE" };
static const char *const selector_names[] = { "Cert", "SPKI" };
static const char *const mtype_names[] = { "Full", "SHA2-256", "SHA2-512" };

void
tlsa_rr_clear(struct tlsa_rr *r)
{
	if (r == NULL)
		return;
	free(r->data);
	memset(r, 0, sizeof(*r));
}

/* A field: 0..255, or a mnemonic of names. */
static int
parse_field(const char *tok, const char *const *names, size_t nnames,
    unsigned *out)
{
	char *end;
	unsigned long v;

	for (size_t i = 0; i < nnames; i++) {
		if (strcasecmp(tok, names[i]) == 0) {
			*out = (unsigned)i;
			return 0;
		}
	}
	if (!isdigit((unsigned char)tok[0]))
		return -1;
	v = strtoul(tok, &end, 10);
	if (*end != '\0' || v > 255)
		return -1;
	*out = (unsigned)v;
	return 0;
}

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

int
tlsa_parse(const char *text, struct tlsa_rr *out, enum tlsa_src *src,
    char *err, size_t errlen)
{
	static const char *const what[] = { "usage", "selector", "matching type" };
	const char *const *names[] = { usage_names, selector_names, mtype_names };
	const size_t nnames[] = { ARRAY_LEN(usage_names),
		ARRAY_LEN(selector_names), ARRAY_LEN(mtype_names) };
	unsigned *fields[] = { &out->usage, &out->selector, &out->mtype };
	const char *p = text;
	char tok[32];
	struct buf b;
	int hi = -1;

	memset(out, 0, sizeof(*out));
	if (src != NULL)
		*src = TLSA_SRC_HEX;
	for (size_t f = 0; f < 3; f++) {
		size_t n;
		while (*p == ' ' || *p == '\t')
			p++;
		n = strcspn(p, " \t");
		if (n == 0) {
			snprintf(err, errlen, "missing %s (expected \"usage selector "
			    "matching-type data\", e.g. \"3 1 1 auto\")", what[f]);
			return -1;
		}
		if (n >= sizeof(tok) ||
		    (memcpy(tok, p, n), tok[n] = '\0',
		    parse_field(tok, names[f], nnames[f], fields[f]) < 0)) {
			snprintf(err, errlen, "bad %s \"%.*s\" (a number 0..255)",
			    what[f], (int)(n < 20 ? n : 20), p);
			return -1;
		}
		p += n;
	}
	while (*p == ' ' || *p == '\t')
		p++;
	if (*p == '\0') {
		snprintf(err, errlen, "missing association data (hex%s)",
		    src != NULL ? ", \"auto\" or \"ca\"" : "");
		return -1;
	}
	if (src != NULL && (strcasecmp(p, "auto") == 0 || strcasecmp(p, "ca") == 0)) {
		*src = tolower((unsigned char)p[0]) == 'a' ? TLSA_SRC_AUTO :
		    TLSA_SRC_CA;
		if (out->selector > TLSA_SEL_SPKI || out->mtype > TLSA_SHA512) {
			snprintf(err, errlen, "\"%s\" needs selector 0 or 1 and "
			    "matching type 0, 1 or 2 (got %u %u)", p,
			    out->selector, out->mtype);
			return -1;
		}
		return 0;
	}
	buf_init(&b);
	for (; *p != '\0'; p++) {
		int v;
		if (*p == ' ' || *p == '\t')
			continue;
		if ((v = hexval((unsigned char)*p)) < 0) {
			snprintf(err, errlen, "bad character '%c' in the association "
			    "data (hex digits%s)", isprint((unsigned char)*p) ? *p : '?',
			    src != NULL ? ", or \"auto\" or \"ca\"" : "");
			buf_free(&b);
			return -1;
		}
		if (hi < 0) {
			hi = v;
			continue;
		}
		uint8_t byte = (uint8_t)(hi << 4 | v);
		buf_append(&b, &byte, 1);
		hi = -1;
		if (b.len > TLSA_MAX_DATA) {
			snprintf(err, errlen, "association data longer than %u bytes",
			    TLSA_MAX_DATA);
			buf_free(&b);
			return -1;
		}
	}
	if (hi >= 0) {
		snprintf(err, errlen, "odd number of hex digits in the association "
		    "data");
		buf_free(&b);
		return -1;
	}
	out->data = b.data;   /* non-NULL: at least one byte went in */
	out->len = b.len;
	return 0;
}

char *
tlsa_rr_str(const struct tlsa_rr *r)
{
	struct buf b;
	char *s;

	buf_init(&b);
	buf_appendf(&b, "%u %u %u ", r->usage, r->selector, r->mtype);
	for (size_t i = 0; i < r->len; i++)
		buf_appendf(&b, "%02X", r->data[i]);
	if (r->len == 0)
		buf_appendf(&b, "-");
	s = xstrdup(buf_cstr(&b));
	buf_free(&b);
	return s;
}

int
tlsa_data(X509 *cert, unsigned selector, unsigned mtype, uint8_t **out,
    size_t *len)
{
	unsigned char *der = NULL;
	unsigned int mdlen = 0;
	uint8_t md[EVP_MAX_MD_SIZE];
	const EVP_MD *alg;
	int n;

	*out = NULL;
	*len = 0;
	if (cert == NULL)
		return -1;
	if (selector == TLSA_SEL_CERT)
		n = i2d_X509(cert, &der);
	else if (selector == TLSA_SEL_SPKI)
		n = i2d_X509_PUBKEY(X509_get_X509_PUBKEY(cert), &der);
	else
		return -1;
	if (n <= 0)
		return -1;
	if (mtype == TLSA_FULL) {
		*out = xmalloc((size_t)n);
		memcpy(*out, der, (size_t)n);
		*len = (size_t)n;
		OPENSSL_free(der);
		return 0;
	}
	alg = mtype == TLSA_SHA256 ? EVP_sha256() :
	    mtype == TLSA_SHA512 ? EVP_sha512() : NULL;
	if (alg == NULL || EVP_Digest(der, (size_t)n, md, &mdlen, alg, NULL) != 1) {
		OPENSSL_free(der);
		return -1;
	}
	OPENSSL_free(der);
	*out = xmalloc(mdlen);
	memcpy(*out, md, mdlen);
	*len = mdlen;
	return 0;
}

int
tlsa_rr_compute(struct tlsa_rr *r, X509 *cert)
{
	uint8_t *d;
	size_t n;

	if (tlsa_data(cert, r->selector, r->mtype, &d, &n) < 0)
		return -1;
	free(r->data);
	r->data = d;
	r->len = n;
	return 0;
}

bool
tlsa_usable(const struct tlsa_rr *r)
{
	if (r->usage != TLSA_DANE_TA && r->usage != TLSA_DANE_EE)
		return false;
	if (r->selector != TLSA_SEL_CERT && r->selector != TLSA_SEL_SPKI)
		return false;
	switch (r->mtype) {
	case TLSA_FULL:
		return r->len > 0;
	case TLSA_SHA256:
		return r->len == 32;
	case TLSA_SHA512:
		return r->len == 64;
	default:
		return false;
	}
}

/* Usable, and not set aside by digest agility (RFC 7671 9): a SHA2-256
 * record is ignored when a usable SHA2-512 record exists for the same
 * usage and selector. */
static bool
considered(const struct tlsa_rr *rrs, size_t n, size_t i)
{
	const struct tlsa_rr *r = &rrs[i];

	if (!tlsa_usable(r))
		return false;
	if (r->mtype != TLSA_SHA256)
		return true;
	for (size_t k = 0; k < n; k++) {
		if (rrs[k].usage == r->usage && rrs[k].selector == r->selector &&
		    rrs[k].mtype == TLSA_SHA512 && tlsa_usable(&rrs[k]))
			return false;
	}
	return true;
}

static bool
matches(const struct tlsa_rr *r, X509 *cert)
{
	uint8_t *d;
	size_t n;
	bool yes;

	if (tlsa_data(cert, r->selector, r->mtype, &d, &n) < 0)
		return false;
	yes = n == r->len && memcmp(d, r->data, n) == 0;
	free(d);
	return yes;
}

/* The chain from leaf to the trust anchor ta, at now, for names. */
static enum tlsa_auth
ta_path(X509 *leaf, STACK_OF(X509) *chain, X509 *ta, const char *const *names,
    size_t nnames, time_t now, char *det, size_t detlen)
{
	X509_STORE *store = X509_STORE_new();
	X509_STORE_CTX *ctx = X509_STORE_CTX_new();
	X509_VERIFY_PARAM *vp;
	int ok, err;

	if (store == NULL || ctx == NULL || X509_STORE_add_cert(store, ta) != 1 ||
	    X509_STORE_CTX_init(ctx, store, leaf, chain) != 1)
		fatal("tlsa: out of memory");
	(void)X509_STORE_CTX_set_default(ctx, "ssl_server");
	vp = X509_STORE_CTX_get0_param(ctx);
	X509_VERIFY_PARAM_set_time(vp, now);
	X509_VERIFY_PARAM_set_flags(vp, X509_V_FLAG_PARTIAL_CHAIN);
	X509_VERIFY_PARAM_set_hostflags(vp, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
	for (size_t i = 0; i < nnames; i++) {
		if (i == 0)
			(void)X509_VERIFY_PARAM_set1_host(vp, names[i], 0);
		else
			(void)X509_VERIFY_PARAM_add1_host(vp, names[i], 0);
	}
	ok = X509_verify_cert(ctx);
	err = X509_STORE_CTX_get_error(ctx);
	X509_STORE_CTX_free(ctx);
	X509_STORE_free(store);
	if (ok == 1)
		return TLSA_AUTH_OK;
	snprintf(det, detlen, "%s", X509_verify_cert_error_string(err));
	switch (err) {
	case X509_V_ERR_HOSTNAME_MISMATCH:
		if (nnames > 0)
			snprintf(det, detlen, "the certificate does not name %s%s%s",
			    names[0], nnames > 1 ? " or " : "",
			    nnames > 1 ? names[1] : "");
		return TLSA_AUTH_NAME;
	case X509_V_ERR_CERT_HAS_EXPIRED:
	case X509_V_ERR_CERT_NOT_YET_VALID:
		return TLSA_AUTH_EXPIRED;
	default:
		return TLSA_AUTH_CHAIN;
	}
}

enum tlsa_auth
tlsa_verify(const struct tlsa_rr *rrs, size_t n, X509 *leaf,
    STACK_OF(X509) *chain, const char *const *names, size_t nnames,
    time_t now, char *det, size_t detlen)
{
	enum tlsa_auth fail = TLSA_AUTH_NO_MATCH;
	char why[256] = "";
	bool usable = false;
	int depth = chain != NULL ? sk_X509_num(chain) : 0;

	snprintf(det, detlen, "%s", "");
	for (size_t i = 0; i < n; i++) {
		if (!considered(rrs, n, i))
			continue;
		usable = true;
		if (rrs[i].usage == TLSA_DANE_EE && leaf != NULL &&
		    matches(&rrs[i], leaf)) {
			snprintf(det, detlen, "the leaf matches DANE-EE record %zu "
			    "(%u %u %u)", i + 1, rrs[i].usage, rrs[i].selector,
			    rrs[i].mtype);
			return TLSA_AUTH_OK;
		}
	}
	for (size_t i = 0; i < n && leaf != NULL; i++) {
		if (!considered(rrs, n, i) || rrs[i].usage != TLSA_DANE_TA)
			continue;
		/* issuers only: the leaf is never its own trust anchor (as
		 * in OpenSSL's DANE, whose author wrote RFC 7671) */
		for (int d = 1; d <= depth; d++) {
			X509 *c = sk_X509_value(chain, d - 1);
			enum tlsa_auth a;
			if (!matches(&rrs[i], c))
				continue;
			a = ta_path(leaf, chain, c, names, nnames, now, why,
			    sizeof(why));
			if (a == TLSA_AUTH_OK) {
				snprintf(det, detlen, "the certificate at depth %d "
				    "matches DANE-TA record %zu (%u %u %u); the chain "
				    "to it verifies", d, i + 1, rrs[i].usage,
				    rrs[i].selector, rrs[i].mtype);
				return TLSA_AUTH_OK;
			}
			if (fail == TLSA_AUTH_NO_MATCH) {
				fail = a;
				snprintf(det, detlen, "DANE-TA record %zu matches the "
				    "certificate at depth %d, but %s", i + 1, d, why);
			}
		}
	}
	if (!usable) {
		snprintf(det, detlen, "none of the %zu TLSA record%s is usable "
		    "(usage 2 or 3, selector 0 or 1, matching type 0, 1 or 2 "
		    "with a digest of the right length)", n, n == 1 ? "" : "s");
		return TLSA_AUTH_NO_USABLE;
	}
	if (fail == TLSA_AUTH_NO_MATCH) {
		size_t k = 0;
		for (size_t i = 0; i < n; i++)
			k += considered(rrs, n, i);
		snprintf(det, detlen, "%s %zu usable TLSA record%s", leaf != NULL ?
		    "the presented certificate chain matches none of the" :
		    "no certificate presented to match against the", k,
		    k == 1 ? "" : "s");
	}
	return fail;
}

enum tlsa_auth
tlsa_verify_der(const struct tlsa_rr *rrs, size_t n, const uint8_t *der,
    size_t len, const uint8_t *chain, size_t chain_len,
    const char *const *names, size_t nnames, time_t now, char *det,
    size_t detlen)
{
	const uint8_t *q = der;
	X509 *leaf = der != NULL ? d2i_X509(NULL, &q, (long)len) : NULL;
	STACK_OF(X509) *sk = sk_X509_new_null();
	enum tlsa_auth a;

	if (sk == NULL)
		fatal("tlsa: out of memory");
	for (q = chain; chain != NULL && q < chain + chain_len;) {
		X509 *x = d2i_X509(NULL, &q, (long)(chain + chain_len - q));
		if (x == NULL)
			break;
		if (sk_X509_push(sk, x) <= 0)
			fatal("tlsa: out of memory");
	}
	a = tlsa_verify(rrs, n, leaf, sk, names, nnames, now, det, detlen);
	sk_X509_pop_free(sk, X509_free);
	X509_free(leaf);
	return a;
}

const char *
tlsa_auth_name(enum tlsa_auth a)
{
	switch (a) {
	case TLSA_AUTH_OK:
		return "authenticated";
	case TLSA_AUTH_NO_USABLE:
		return "no usable TLSA record";
	case TLSA_AUTH_NO_MATCH:
		return "no TLSA record matches";
	case TLSA_AUTH_NAME:
		return "DANE-TA name mismatch";
	case TLSA_AUTH_EXPIRED:
		return "DANE-TA certificate out of date";
	case TLSA_AUTH_CHAIN:
		return "DANE-TA chain invalid";
	}
	return "?";
}
