/*
 * mail_dkim: DKIM (RFC 6376) with relaxed/relaxed canonicalisation
 * (3.4.2, 3.4.4), rsa-sha256 (3.3.1) and ed25519-sha256 (RFC 8463: the
 * Ed25519 signature of the SHA-256 hash of the header data).  See mail.h.
 *
 * libopendkim could do this too, but it wants a library handle with its
 * own DNS resolver and clock; this file is the part mxsim needs, on the
 * bytes it received, with OpenSSL only, and is cross-checked against
 * dkimpy in tests/unit/check_mail.c.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <openssl/sha.h>
#include <openssl/x509.h>

#include "core/util.h"
#include "fake-mx/mail.h"

#define WSP(c) ((c) == ' ' || (c) == '\t')

/* ---- canonicalisation ---- */

/* Relaxed header canonicalisation (3.4.2) of one raw field, into b,
 * CRLF-terminated when crlf. */
static void
canon_header(struct buf *b, const char *raw, size_t n, bool crlf)
{
	const char *colon = memchr(raw, ':', n), *p, *end = raw + n;
	size_t nl = colon ? (size_t)(colon - raw) : n;
	bool sp = false;

	while (nl > 0 && WSP(raw[nl - 1]))
		nl--;
	for (size_t i = 0; i < nl; i++) {
		char c = raw[i];
		c = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
		buf_append(b, &c, 1);
	}
	buf_append(b, ":", 1);
	p = colon ? colon + 1 : end;
	while (p < end && (WSP(*p) || *p == '\r' || *p == '\n'))
		p++;
	for (; p < end; p++) {
		if (*p == '\r' || *p == '\n')
			continue;       /* unfold */
		if (WSP(*p)) {
			sp = true;
			continue;
		}
		if (sp)
			buf_append(b, " ", 1);
		sp = false;
		buf_append(b, p, 1);
	}
	if (crlf)
		buf_append(b, "\r\n", 2);
}

/* Relaxed body canonicalisation (3.4.4) of body, into b. */
static void
canon_body(struct buf *b, const char *body, size_t n)
{
	const char *p = body, *end = body + n;
	size_t blank = 0;   /* empty lines held back: trailing ones vanish */

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end;
		struct buf line = { 0 };
		bool sp = false;

		if (le > p && le[-1] == '\r')
			le--;
		for (const char *q = p; q < le; q++) {
			if (WSP(*q)) {
				sp = true;
				continue;
			}
			if (sp)
				buf_append(&line, " ", 1);
			sp = false;
			buf_append(&line, q, 1);
		}
		if (line.len == 0) {
			blank++;
		} else {
			for (; blank > 0; blank--)
				buf_append(b, "\r\n", 2);
			buf_append(b, line.data, line.len);
			buf_append(b, "\r\n", 2);
		}
		buf_free(&line);
		p = nl ? nl + 1 : end;
	}
}

/* ---- tags ---- */

struct tag {
	char name[16];
	char *value;     /* trimmed; FWS removed for b= and bh= */
};

/* tag=value; ... into t (at most max); -1 on a syntax error or a
 * duplicate tag (RFC 6376 3.2). */
static int
parse_tags(const char *s, struct tag *t, size_t max, size_t *n)
{
	*n = 0;
	while (*s != '\0') {
		const char *ns, *vs, *ve;
		size_t nlen;

		while (WSP(*s) || *s == '\r' || *s == '\n')
			s++;
		if (*s == '\0')
			break;
		ns = s;
		while ((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		    (*s >= '0' && *s <= '9') || *s == '_')
			s++;
		nlen = (size_t)(s - ns);
		while (WSP(*s) || *s == '\r' || *s == '\n')
			s++;
		if (nlen == 0 || nlen >= sizeof(t->name) || *s != '=' || *n == max)
			return -1;
		vs = ++s;
		ve = strchr(vs, ';');
		if (ve == NULL)
			ve = vs + strlen(vs);
		s = *ve ? ve + 1 : ve;
		for (size_t i = 0; i < *n; i++)
			if (strlen(t[i].name) == nlen &&
			    strncmp(t[i].name, ns, nlen) == 0)
				return -1;
		memcpy(t[*n].name, ns, nlen);
		t[*n].name[nlen] = '\0';
		struct buf v = { 0 };
		bool strip = strcmp(t[*n].name, "b") == 0 ||
		    strcmp(t[*n].name, "bh") == 0 || strcmp(t[*n].name, "p") == 0;
		for (const char *q = vs; q < ve; q++)
			if (!(strip && (WSP(*q) || *q == '\r' || *q == '\n')))
				buf_append(&v, q, 1);
		char *val = buf_cstr(&v), *e = val + v.len;
		while (*val != '\0' && (WSP(*val) || *val == '\r' || *val == '\n'))
			val++;
		while (e > val && (WSP(e[-1]) || e[-1] == '\r' || e[-1] == '\n'))
			e--;
		t[*n].value = xstrndup(val, (size_t)(e - val));
		buf_free(&v);
		(*n)++;
	}
	return 0;
}

static const char *
tag_get(const struct tag *t, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(t[i].name, name) == 0)
			return t[i].value;
	return NULL;
}

static void
tags_free(struct tag *t, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(t[i].value);
}

/* ---- the signed data ---- */

/* The header fields h= names, relaxed, bottom-up per name (5.4.2), into
 * b; then sig (the DKIM-Signature field, raw) without its b= value and
 * without the final CRLF. */
static void
header_data(struct buf *b, const struct mail_hdr *h, const char *heads,
    const char *sigraw, size_t siglen)
{
	bool *used = xcalloc(h->n ? h->n : 1, sizeof(*used));
	const char *p = heads;

	while (*p != '\0') {
		size_t n = strcspn(p, ":");
		char name[128];
		const char *s = p;
		size_t e = n;

		while (e > 0 && (WSP(s[e - 1]) || s[e - 1] == '\r' || s[e - 1] == '\n'))
			e--;
		while (e > 0 && (WSP(*s) || *s == '\r' || *s == '\n'))
			s++, e--;
		if (e > 0 && e < sizeof(name)) {
			memcpy(name, s, e);
			name[e] = '\0';
			for (size_t i = h->n; i-- > 0;)
				if (!used[i] && strcasecmp(h->f[i].name, name) == 0) {
					used[i] = true;
					canon_header(b, h->f[i].raw, h->f[i].rawlen, true);
					break;
				}
		}
		p += n;
		if (*p == ':')
			p++;
	}
	free(used);
	/* the signature field with an empty b= (3.7): find "b=" at a tag start */
	struct buf cut = { 0 };
	const char *q = memchr(sigraw, ':', siglen) + 1, *end = sigraw + siglen;
	bool tag_start = true;
	buf_append(&cut, sigraw, (size_t)(q - sigraw));
	while (q < end) {
		if (tag_start && *q == 'b') {
			const char *r = q + 1;
			while (r < end && (WSP(*r) || *r == '\r' || *r == '\n'))
				r++;
			if (r < end && *r == '=') {
				buf_append(&cut, q, (size_t)(r + 1 - q));
				q = memchr(r, ';', (size_t)(end - r));
				if (q == NULL)
					q = end;
				tag_start = false;
				continue;
			}
		}
		if (*q == ';')
			tag_start = true;
		else if (!(WSP(*q) || *q == '\r' || *q == '\n'))
			tag_start = false;
		buf_append(&cut, q, 1);
		q++;
	}
	canon_header(b, (const char *)cut.data, cut.len, false);
	buf_free(&cut);
}

static void
body_hash(const struct mail_hdr *h, long limit, unsigned char out[32])
{
	struct buf b = { 0 };
	size_t n;

	canon_body(&b, h->body, h->bodylen);
	n = b.len;
	if (limit >= 0 && (size_t)limit < n)
		n = (size_t)limit;
	SHA256(b.data ? b.data : (const unsigned char *)"", n, out);
	buf_free(&b);
}

static char *
b64(const unsigned char *p, size_t n)
{
	char *out = xmalloc(4 * ((n + 2) / 3) + 1);

	EVP_EncodeBlock((unsigned char *)out, p, (int)n);
	return out;
}

/* ---- signing ---- */

static bool
is_ed25519(EVP_PKEY *k)
{
	return EVP_PKEY_get_id(k) == EVP_PKEY_ED25519;
}

char *
mail_dkim_txt(EVP_PKEY *key)
{
	unsigned char raw[64], *der = NULL;
	size_t rl = sizeof(raw);
	char *p, *out;
	int n;

	if (is_ed25519(key)) {
		if (EVP_PKEY_get_raw_public_key(key, raw, &rl) != 1)
			return NULL;
		p = b64(raw, rl);
	} else {
		n = i2d_PUBKEY(key, &der);
		if (n <= 0)
			return NULL;
		p = b64(der, (size_t)n);
		OPENSSL_free(der);
	}
	out = xasprintf("v=DKIM1; k=%s; s=tlsrpt; p=%s",
	    is_ed25519(key) ? "ed25519" : "rsa", p);
	free(p);
	return out;
}

/* Sign data (the header data) with key per the algorithm of the key. */
static int
sign_data(EVP_PKEY *key, const unsigned char *data, size_t len,
    unsigned char **sig, size_t *siglen)
{
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	unsigned char h[32];
	const EVP_MD *alg = is_ed25519(key) ? NULL : EVP_sha256();
	int ok;

	if (is_ed25519(key)) {
		SHA256(data, len, h);
		data = h;
		len = sizeof(h);
	}
	ok = md != NULL && EVP_DigestSignInit(md, NULL, alg, NULL, key) == 1 &&
	    EVP_DigestSign(md, NULL, siglen, data, len) == 1;
	*sig = ok ? xmalloc(*siglen) : NULL;
	ok = ok && EVP_DigestSign(md, *sig, siglen, data, len) == 1;
	EVP_MD_CTX_free(md);
	if (!ok) {
		free(*sig);
		*sig = NULL;
	}
	return ok ? 0 : -1;
}

char *
mail_dkim_sign(const char *msg, size_t len, EVP_PKEY *key, const char *domain,
    const char *selector, const char *heads, time_t when, char *err,
    size_t errlen)
{
	struct mail_hdr h;
	struct buf data = { 0 }, out = { 0 };
	unsigned char bh[32], *sig;
	size_t siglen;
	char *bh64, *sig64, *field;

	if (key == NULL || (!is_ed25519(key) && EVP_PKEY_get_id(key) != EVP_PKEY_RSA)) {
		snprintf(err, errlen, "DKIM: the key is neither RSA nor Ed25519");
		return NULL;
	}
	mail_hdr_parse(msg, len, &h);
	body_hash(&h, -1, bh);
	bh64 = b64(bh, sizeof(bh));
	field = xasprintf("DKIM-Signature: v=1; a=%s; c=relaxed/relaxed; d=%s; "
	    "s=%s; t=%lld; h=%s; bh=%s; b=", is_ed25519(key) ? "ed25519-sha256" :
	    "rsa-sha256", domain, selector, (long long)when, heads, bh64);
	free(bh64);
	header_data(&data, &h, heads, field, strlen(field));
	mail_hdr_free(&h);
	if (sign_data(key, data.data, data.len, &sig, &siglen) < 0) {
		snprintf(err, errlen, "DKIM: signing failed");
		buf_free(&data);
		free(field);
		return NULL;
	}
	buf_free(&data);
	sig64 = b64(sig, siglen);
	free(sig);
	/* fold after each "; " and every 64 characters of b= */
	for (const char *p = field; *p != '\0'; p++) {
		if (p[0] == ';' && p[1] == ' ') {
			buf_append(&out, ";\r\n\t", 4);
			p++;
		} else {
			buf_append(&out, p, 1);
		}
	}
	for (size_t i = 0, n = strlen(sig64); i < n; i += 64) {
		if (i > 0)
			buf_append(&out, "\r\n\t ", 4);
		buf_append(&out, sig64 + i, n - i < 64 ? n - i : 64);
	}
	buf_append(&out, "\r\n", 2);
	free(sig64);
	free(field);
	return buf_cstr(&out);
}

/* ---- verification ---- */

const char *
mail_dkim_status_name(enum mail_dkim_status s)
{
	static const char *const names[] = { "none", "pass", "fail",
		"body-hash-mismatch", "permerror", "no-key" };
	return (size_t)s < ARRAY_LEN(names) ? names[s] : "?";
}

static void
result(struct mail_dkim_result *r, enum mail_dkim_status st, const char *why)
{
	r->status = st;
	snprintf(r->why, sizeof(r->why), "%s", why);
}

/* The public key of a key record, for algorithm ed (Ed25519) or RSA;
 * NULL with why. */
static EVP_PKEY *
record_key(const char *txt, bool ed, char *why, size_t wl)
{
	struct tag t[16];
	size_t n;
	const char *v, *k, *p, *s;
	unsigned char *raw = NULL;
	size_t rl;
	EVP_PKEY *key = NULL;

	if (parse_tags(txt, t, ARRAY_LEN(t), &n) < 0) {
		snprintf(why, wl, "key record syntax");
		tags_free(t, n);
		return NULL;
	}
	v = tag_get(t, n, "v");
	k = tag_get(t, n, "k");
	p = tag_get(t, n, "p");
	s = tag_get(t, n, "s");
	if ((v != NULL && (strcmp(v, "DKIM1") != 0 || strcmp(t[0].name, "v") != 0)) ||
	    p == NULL)
		snprintf(why, wl, "key record without v=DKIM1 first or without p=");
	else if (p[0] == '\0')
		snprintf(why, wl, "the key is revoked (empty p=)");
	else if ((k == NULL ? !ed : strcmp(k, ed ? "ed25519" : "rsa") == 0) == false)
		snprintf(why, wl, "key type k=%s does not fit the algorithm",
		    k ? k : "rsa");
	else if (s != NULL && strstr(s, "*") == NULL && strstr(s, "email") == NULL &&
	    strstr(s, "tlsrpt") == NULL)
		snprintf(why, wl, "service type s=%s excludes email", s);
	else if (mail_b64_decode(p, strlen(p), &raw, &rl) < 0)
		snprintf(why, wl, "p= is not base64");
	else if (ed) {
		key = rl == 32 ? EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL,
		    raw, rl) : NULL;
		if (key == NULL)
			snprintf(why, wl, "p= is not an Ed25519 key");
	} else {
		const unsigned char *q = raw;
		key = d2i_PUBKEY(NULL, &q, (long)rl);
		if (key == NULL) {
			q = raw;
			key = d2i_PublicKey(EVP_PKEY_RSA, NULL, &q, (long)rl);
		}
		if (key == NULL || EVP_PKEY_get_id(key) != EVP_PKEY_RSA) {
			EVP_PKEY_free(key);
			key = NULL;
			snprintf(why, wl, "p= is not an RSA key");
		}
	}
	free(raw);
	tags_free(t, n);
	return key;
}

static bool
verify_data(EVP_PKEY *key, bool ed, const unsigned char *data, size_t len,
    const unsigned char *sig, size_t siglen)
{
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	unsigned char h[32];
	bool ok;

	if (ed) {
		SHA256(data, len, h);
		data = h;
		len = sizeof(h);
	}
	ok = md != NULL && EVP_DigestVerifyInit(md, NULL, ed ? NULL : EVP_sha256(),
	    NULL, key) == 1 && EVP_DigestVerify(md, sig, siglen, data, len) == 1;
	EVP_MD_CTX_free(md);
	return ok;
}

/* Whether the colon-separated list names name. */
static bool
list_has(const char *list, const char *name)
{
	size_t nl = strlen(name);

	for (const char *p = list; *p != '\0';) {
		size_t n = strcspn(p, ":");
		const char *s = p;
		size_t e = n;
		while (e > 0 && WSP(s[e - 1]))
			e--;
		while (e > 0 && WSP(*s))
			s++, e--;
		if (e == nl && strncasecmp(s, name, nl) == 0)
			return true;
		p += n;
		if (*p == ':')
			p++;
	}
	return false;
}

static void
verify_sig(const struct mail_hdr *h, const struct mail_field *sf,
    mail_dkim_key_cb *lookup, void *arg, struct mail_dkim_result *r)
{
	struct tag t[24];
	size_t n;
	const char *a, *b, *bh, *c, *d, *hh, *s, *l, *v;
	unsigned char *sig = NULL, *want = NULL, got[32];
	size_t siglen, wantlen;
	bool ed;
	char why[160], *txt;
	EVP_PKEY *key;
	struct buf data = { 0 };

	if (parse_tags(sf->value, t, ARRAY_LEN(t), &n) < 0) {
		result(r, MAIL_DKIM_PERMERROR, "DKIM-Signature tag syntax");
		tags_free(t, n);
		return;
	}
	v = tag_get(t, n, "v");
	a = tag_get(t, n, "a");
	b = tag_get(t, n, "b");
	bh = tag_get(t, n, "bh");
	c = tag_get(t, n, "c");
	d = tag_get(t, n, "d");
	hh = tag_get(t, n, "h");
	s = tag_get(t, n, "s");
	l = tag_get(t, n, "l");
	snprintf(r->domain, sizeof(r->domain), "%s", d ? d : "");
	snprintf(r->selector, sizeof(r->selector), "%s", s ? s : "");
	snprintf(r->algo, sizeof(r->algo), "%s", a ? a : "");
	snprintf(r->heads, sizeof(r->heads), "%s", hh ? hh : "");
	for (char *q = r->heads; *q; q++)
		if (*q >= 'A' && *q <= 'Z')
			*q = (char)(*q + 32);
	r->has_l = l != NULL;
	ed = a != NULL && strcmp(a, "ed25519-sha256") == 0;
	if (v == NULL || strcmp(v, "1") != 0 || !a || !b || !bh || !d || !hh || !s)
		result(r, MAIL_DKIM_PERMERROR, "a required tag (v=1, a, b, bh, d, "
		    "h, s) is missing");
	else if (!ed && strcmp(a, "rsa-sha256") != 0)
		result(r, MAIL_DKIM_PERMERROR, "unsupported algorithm");
	else if (c == NULL || strcmp(c, "relaxed/relaxed") != 0)
		result(r, MAIL_DKIM_PERMERROR, "mxsim verifies c=relaxed/relaxed "
		    "only");
	else if (!list_has(hh, "from"))
		result(r, MAIL_DKIM_PERMERROR, "h= does not sign From (RFC 6376 5.4)");
	else if (mail_b64_decode(b, strlen(b), &sig, &siglen) < 0 ||
	    mail_b64_decode(bh, strlen(bh), &want, &wantlen) < 0)
		result(r, MAIL_DKIM_PERMERROR, "b= or bh= is not base64");
	else {
		body_hash(h, l ? strtol(l, NULL, 10) : -1, got);
		if (wantlen != sizeof(got) || memcmp(want, got, sizeof(got)) != 0)
			result(r, MAIL_DKIM_BODY, "the body hash does not match");
		else if ((txt = lookup(d, s, arg)) == NULL)
			result(r, MAIL_DKIM_NOKEY, "no key record");
		else {
			key = record_key(txt, ed, why, sizeof(why));
			free(txt);
			if (key == NULL)
				result(r, MAIL_DKIM_PERMERROR, why);
			else {
				header_data(&data, h, hh, sf->raw, sf->rawlen);
				if (verify_data(key, ed, data.data, data.len, sig, siglen))
					result(r, MAIL_DKIM_PASS, "signature verified");
				else
					result(r, MAIL_DKIM_FAIL, "the signature does not "
					    "verify");
				buf_free(&data);
				EVP_PKEY_free(key);
			}
		}
	}
	free(sig);
	free(want);
	tags_free(t, n);
}

void
mail_dkim_verify(const char *msg, size_t len, mail_dkim_key_cb *lookup,
    void *arg, struct mail_dkim_result *out)
{
	struct mail_hdr h;

	memset(out, 0, sizeof(*out));
	mail_hdr_parse(msg, len, &h);
	for (size_t i = 0; i < h.n; i++)
		if (strcasecmp(h.f[i].name, "DKIM-Signature") == 0) {
			verify_sig(&h, &h.f[i], lookup, arg, out);
			mail_hdr_free(&h);
			return;
		}
	result(out, MAIL_DKIM_NONE, "no DKIM-Signature");
	mail_hdr_free(&h);
}
