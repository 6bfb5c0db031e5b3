/*
 * pki: the deterministic test PKI.  See pki.h.
 *
 * A struct pki owns two CAs (the trusted "mxsim test root CA" and the
 * "mxsim untrusted CA" that no sender trusts), an X509_STORE trusting only
 * the root, and the root in PEM.  A struct pki_cert owns a leaf, its key
 * and the chain it is served with; it does not reference its pki, so it may
 * outlive it.
 *
 * Every key and signature is drawn from the seeded RNG (pki_rand.c), one
 * stream per object: "pki" for the CAs, and for a leaf a label made of all
 * the fields of its spec plus how many identical specs this pki has issued
 * before.  The stream in force before a call is saved and restored, so
 * certificates do not depend on the order they are issued in, nor on what
 * else drew random bytes, and other modules' streams are not disturbed.
 * Serial numbers are a hash of the same label.
 *
 * Logs: errors of pki_server_ctx / pki_client_ctx (which have no err out
 * parameter), at LOG_ERR.
 */
#include "core/pki.h"
#include "core/pki_int.h"
#include "core/pki_rand.h"
#include "core/util.h"

#include <stdio.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/sha.h>
#include <openssl/x509v3.h>

#define DAY 86400L
#define CA_YEARS (10 * 365 * DAY)
#define WRONG_HOST_NAME "wrong-host.invalid"
#define VARIANT_LIST "valid, expired, not-yet-valid, wrong-host, " \
	"self-signed, untrusted-ca, attacker, bad-signature, leaf-as-ca, " \
	"intermediate, missing-intermediate, wrong-chain-order, wildcard, " \
	"wildcard-two-labels, cn-only, weak-rsa, sha1, domain-only, revoked, " \
	"custom"

/* The named variants; name NULL means "the spec's host". */
static const struct variant {
	const char *variant;
	enum issuer issuer;
	long nb_days, na_days;  /* validity, relative to the clock */
	const char *name;
	enum pki_vflag flag;    /* the rest is pki_variant.c's */
} variants[] = {
	{ "valid",         ISS_ROOT,      -30,  365, NULL, PV_NONE },
	{ "expired",       ISS_ROOT,      -400, -1,  NULL, PV_NONE },
	{ "not-yet-valid", ISS_ROOT,      1,    400, NULL, PV_NONE },
	{ "wrong-host",    ISS_ROOT,      -30,  365, WRONG_HOST_NAME, PV_NONE },
	{ "self-signed",   ISS_SELF,      -30,  365, NULL, PV_NONE },
	{ "untrusted-ca",  ISS_UNTRUSTED, -30,  365, NULL, PV_NONE },
	{ "attacker",      ISS_ROOT,      -30,  365, PKI_ATTACKER_NAME, PV_NONE },
	{ "bad-signature", ISS_ROOT,      -30,  365, NULL, PV_BAD_SIGNATURE },
	{ "leaf-as-ca",    ISS_ROOT,      -30,  365, NULL, PV_LEAF_AS_CA },
	{ "intermediate",  ISS_ROOT,      -30,  365, NULL, PV_INTERMEDIATE },
	{ "missing-intermediate", ISS_ROOT, -30, 365, NULL, PV_MISSING_INTER },
	{ "wrong-chain-order", ISS_ROOT,  -30,  365, NULL, PV_WRONG_ORDER },
	{ "wildcard",      ISS_ROOT,      -30,  365, NULL, PV_WILDCARD },
	{ "wildcard-two-labels", ISS_ROOT, -30, 365, NULL, PV_WILDCARD_TWO },
	{ "cn-only",       ISS_ROOT,      -30,  365, NULL, PV_CN_ONLY },
	{ "weak-rsa",      ISS_ROOT,      -30,  365, NULL, PV_WEAK_RSA },
	{ "sha1",          ISS_ROOT,      -30,  365, NULL, PV_SHA1 },
	{ "domain-only",   ISS_ROOT,      -30,  365, NULL, PV_DOMAIN_ONLY },
	{ "revoked",       ISS_ROOT,      -30,  365, NULL, PV_REVOKED },
};

static void
ossl_err(char *err, size_t errlen, const char *what)
{
	unsigned long e = ERR_get_error();
	char buf[256];

	if (e != 0) {
		ERR_error_string_n(e, buf, sizeof(buf));
		snprintf(err, errlen, "%s: %s", what, buf);
	} else {
		snprintf(err, errlen, "%s failed", what);
	}
	ERR_clear_error();
}

static void
make_serial(uint8_t out[16], uint64_t seed, const void *label, size_t len)
{
	uint8_t h[SHA256_DIGEST_LENGTH], s[8];
	SHA256_CTX c;

	for (int i = 0; i < 8; i++)
		s[i] = (uint8_t)(seed >> (56 - 8 * i));
	SHA256_Init(&c);
	SHA256_Update(&c, "mxsim-serial", 12);
	SHA256_Update(&c, s, sizeof(s));
	SHA256_Update(&c, label, len);
	SHA256_Final(h, &c);
	memcpy(out, h, 16);
	out[0] = (out[0] & 0x7f) | 0x40;  /* positive, always 16 octets */
}

static EVP_PKEY *
make_key(bool rsa)
{
	if (rsa)
		return EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);
	return EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
}

EVP_PKEY *
pki_int_key(bool rsa, int bits)
{
	if (rsa && bits > 0)
		return EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)bits);
	return make_key(rsa);
}

void
pki_int_serial(uint8_t out[16], uint64_t seed, const void *label, size_t len)
{
	make_serial(out, seed, label, len);
}

void
pki_int_err(char *err, size_t errlen, const char *what)
{
	ossl_err(err, errlen, what);
}

static int
add_ext(X509 *x, X509V3_CTX *v3, int nid, const char *value)
{
	X509_EXTENSION *ext = X509V3_EXT_nconf_nid(NULL, v3, nid, value);
	int ok;

	if (ext == NULL)
		return -1;
	ok = X509_add_ext(x, ext, -1);
	X509_EXTENSION_free(ext);
	return ok == 1 ? 0 : -1;
}

static int
add_san(X509 *x, const char *const *san)
{
	GENERAL_NAMES *gens = sk_GENERAL_NAME_new_null();
	int ok;

	if (gens == NULL)
		return -1;
	for (; *san != NULL; san++) {
		GENERAL_NAME *gn = GENERAL_NAME_new();
		ASN1_IA5STRING *s = ASN1_IA5STRING_new();

		if (gn == NULL || s == NULL ||
		    ASN1_STRING_set(s, *san, (int)strlen(*san)) != 1) {
			GENERAL_NAME_free(gn);
			ASN1_IA5STRING_free(s);
			GENERAL_NAMES_free(gens);
			return -1;
		}
		GENERAL_NAME_set0_value(gn, GEN_DNS, s);
		if (sk_GENERAL_NAME_push(gens, gn) <= 0) {
			GENERAL_NAME_free(gn);
			GENERAL_NAMES_free(gens);
			return -1;
		}
	}
	ok = X509_add1_ext_i2d(x, NID_subject_alt_name, gens, 0, X509V3_ADD_DEFAULT);
	GENERAL_NAMES_free(gens);
	return ok == 1 ? 0 : -1;
}

static int
name_add(X509_NAME *n, int nid, const char *value)
{
	/* V_ASN1_UTF8STRING rather than MBSTRING_UTF8: no 64-octet limit on
	 * the CN, test names may be as long as DNS allows. */
	return X509_NAME_add_entry_by_NID(n, nid, V_ASN1_UTF8STRING,
	    (const unsigned char *)value, -1, -1, 0) == 1 ? 0 : -1;
}

/* Build and sign a certificate; NULL with a message in err. */
static X509 *
make_cert(const struct certreq *r, char *err, size_t errlen)
{
	X509 *x = X509_new();
	X509_NAME *subj = X509_NAME_new();
	BIGNUM *bn = BN_bin2bn(r->serial, 16, NULL);
	X509 *iss = r->issuer != NULL ? r->issuer : x;
	EVP_PKEY *ikey = r->issuer != NULL ? r->issuer_key : r->key;
	bool rsa = EVP_PKEY_get_base_id(r->key) == EVP_PKEY_RSA;
	X509V3_CTX v3;
	const char *what = "building the certificate";

	if (x == NULL || subj == NULL || bn == NULL)
		goto fail;
	if (X509_set_version(x, X509_VERSION_3) != 1 ||
	    BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(x)) == NULL)
		goto fail;
	what = "setting the validity dates";
	if (ASN1_TIME_set(X509_getm_notBefore(x), r->nb) == NULL ||
	    ASN1_TIME_set(X509_getm_notAfter(x), r->na) == NULL)
		goto fail;
	what = "setting the names";
	if ((r->org != NULL && name_add(subj, NID_organizationName, r->org) < 0) ||
	    name_add(subj, NID_commonName, r->cn) < 0 ||
	    X509_set_subject_name(x, subj) != 1 ||
	    X509_set_issuer_name(x, X509_get_subject_name(iss)) != 1 ||
	    X509_set_pubkey(x, r->key) != 1)
		goto fail;

	what = "adding the extensions";
	X509V3_set_ctx(&v3, iss, x, NULL, NULL, 0);
	if (X509V3_set_issuer_pkey(&v3, ikey) != 1)
		goto fail;
	if (r->ca) {
		if (add_ext(x, &v3, NID_basic_constraints, "critical,CA:TRUE") < 0 ||
		    add_ext(x, &v3, NID_key_usage, "critical,keyCertSign,cRLSign") < 0)
			goto fail;
	} else {
		if (add_ext(x, &v3, NID_basic_constraints, "critical,CA:FALSE") < 0 ||
		    add_ext(x, &v3, NID_key_usage, rsa ?
		    "critical,digitalSignature,keyEncipherment" :
		    "critical,digitalSignature") < 0 ||
		    add_ext(x, &v3, NID_ext_key_usage, "serverAuth") < 0)
			goto fail;
	}
	if (r->san != NULL && r->san[0] != NULL && add_san(x, r->san) < 0)
		goto fail;
	if (r->crl_url != NULL &&   /* pki_revoke.c */
	    add_ext(x, &v3, NID_crl_distribution_points, r->crl_url) < 0)
		goto fail;
	if (add_ext(x, &v3, NID_subject_key_identifier, "hash") < 0 ||
	    add_ext(x, &v3, NID_authority_key_identifier, "keyid:always") < 0)
		goto fail;

	what = "signing the certificate";
	if (X509_sign(x, ikey, r->md != NULL ? r->md : EVP_sha256()) <= 0)
		goto fail;
	X509_NAME_free(subj);
	BN_free(bn);
	return x;
fail:
	ossl_err(err, errlen, what);
	X509_free(x);
	X509_NAME_free(subj);
	BN_free(bn);
	return NULL;
}

X509 *
pki_int_cert(const struct certreq *r, char *err, size_t errlen)
{
	return make_cert(r, err, errlen);
}

static int
make_ca(struct pki *p, const char *cn, X509 **cert, EVP_PKEY **key)
{
	uint8_t serial[16];
	struct certreq r;
	char err[256];

	make_serial(serial, p->seed, cn, strlen(cn));
	*key = make_key(false);
	if (*key == NULL) {
		ossl_err(err, sizeof(err), "CA key generation");
		log_err("pki", "%s: %s", cn, err);
		return -1;
	}
	memset(&r, 0, sizeof(r));
	r.cn = cn;
	r.org = "mxsim";
	r.key = *key;
	r.serial = serial;
	r.nb = p->clock - CA_YEARS;
	r.na = p->clock + CA_YEARS;
	r.ca = true;
	*cert = make_cert(&r, err, sizeof(err));
	if (*cert == NULL) {
		log_err("pki", "%s: %s", cn, err);
		return -1;
	}
	return 0;
}

static char *
cert_pem(X509 *x)
{
	BIO *b = BIO_new(BIO_s_mem());
	char *data, *s = NULL;
	long n;

	if (b == NULL)
		fatal("pki: out of memory");
	if (PEM_write_bio_X509(b, x) == 1) {
		n = BIO_get_mem_data(b, &data);
		s = xstrndup(data, (size_t)n);
	}
	BIO_free(b);
	return s;
}

struct pki *
pki_new(uint64_t seed, time_t clock)
{
	struct pki *p = xcalloc(1, sizeof(*p));
	int rc;

	p->seed = seed;
	p->clock = clock;
	pki_rand_push(seed, "pki", 3);
	rc = make_ca(p, "mxsim test root CA", &p->root, &p->root_key);
	if (rc == 0)
		rc = make_ca(p, "mxsim untrusted CA", &p->untrusted,
		    &p->untrusted_key);
	pki_rand_pop();
	if (rc < 0)
		goto fail;
	p->store = X509_STORE_new();
	if (p->store == NULL || X509_STORE_add_cert(p->store, p->root) != 1)
		goto fail;
	p->root_pem = cert_pem(p->root);
	if (p->root_pem == NULL)
		goto fail;
	return p;
fail:
	ERR_clear_error();
	pki_free(p);
	return NULL;
}

void
pki_free(struct pki *p)
{
	if (p == NULL)
		return;
	X509_free(p->root);
	X509_free(p->untrusted);
	EVP_PKEY_free(p->root_key);
	EVP_PKEY_free(p->untrusted_key);
	X509_STORE_free(p->store);
	pki_variant_free(p);
	free(p->root_pem);
	free(p->counts);
	free(p);
}

time_t
pki_clock(const struct pki *p)
{
	return p->clock;
}

/* The key named id: drawn from its own stream (seed, "key", id, type),
 * so every certificate that names it has the same key. */
static EVP_PKEY *
named_key(struct pki *p, const char *id, bool rsa)
{
	struct buf label;
	EVP_PKEY *k;

	buf_init(&label);
	buf_append(&label, "key", 4);
	buf_append(&label, id, strlen(id) + 1);
	buf_append(&label, rsa ? "rsa" : "ec", rsa ? 4 : 3);
	pki_rand_push(p->seed, (const char *)label.data, label.len);
	buf_free(&label);
	k = make_key(rsa);
	pki_rand_pop();
	return k;
}

EVP_PKEY *
pki_named_key(struct pki *p, const char *key_id, const char *key)
{
	struct buf label;
	EVP_PKEY *k;

	if (key == NULL || strcmp(key, "ed25519") != 0)
		return named_key(p, key_id, key != NULL && strcmp(key, "rsa") == 0);
	buf_init(&label);
	buf_append(&label, "key", 4);
	buf_append(&label, key_id, strlen(key_id) + 1);
	buf_append(&label, "ed25519", 8);
	pki_rand_push(p->seed, (const char *)label.data, label.len);
	buf_free(&label);
	k = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	pki_rand_pop();
	return k;
}

int
pki_key_spki(struct pki *p, const char *key_id, const char *key,
	uint8_t **der, size_t *len)
{
	EVP_PKEY *k = named_key(p, key_id, key != NULL &&
	    strcmp(key, "rsa") == 0);
	unsigned char *d = NULL;
	int n = k != NULL ? i2d_PUBKEY(k, &d) : -1;

	EVP_PKEY_free(k);
	if (n <= 0)
		return -1;
	*der = xmalloc((size_t)n);
	memcpy(*der, d, (size_t)n);
	*len = (size_t)n;
	OPENSSL_free(d);
	return 0;
}

/* Append a field and its terminating NUL to the label. */
static void
label_add(struct buf *b, const char *s)
{
	buf_append(b, s != NULL ? s : "", strlen(s != NULL ? s : "") + 1);
}

/* How many certificates with this label were issued before (and count
 * this one). */
static unsigned
label_count(struct pki *p, const struct buf *label)
{
	uint8_t id[SHA256_DIGEST_LENGTH];

	SHA256(label->data, label->len, id);
	for (size_t i = 0; i < p->ncounts; i++)
		if (memcmp(p->counts[i].id, id, sizeof(id)) == 0)
			return p->counts[i].n++;
	p->counts = xrealloc(p->counts, (p->ncounts + 1) * sizeof(*p->counts));
	memcpy(p->counts[p->ncounts].id, id, sizeof(id));
	p->counts[p->ncounts].n = 1;
	p->ncounts++;
	return 0;
}

static int
parse_issuer(const char *s, enum issuer *out)
{
	if (s == NULL || strcmp(s, "root") == 0)
		*out = ISS_ROOT;
	else if (strcmp(s, "untrusted") == 0)
		*out = ISS_UNTRUSTED;
	else if (strcmp(s, "self") == 0)
		*out = ISS_SELF;
	else
		return -1;
	return 0;
}

int
pki_issue(struct pki *p, const struct pki_spec *spec, struct pki_cert **out,
	char *err, size_t errlen)
{
	const struct variant *v = NULL;
	const char *one_san[2] = { NULL, NULL }, *vsan[2];
	char vbuf[2][300];
	struct pki_cert *c;
	struct certreq r;
	struct buf label;
	enum issuer iss;
	uint8_t serial[16];
	bool custom, rsa;
	char num[64];
	const char *key_id;

	*out = NULL;
	if (spec->variant == NULL) {
		snprintf(err, errlen, "certificate spec without a variant "
		    "(valid: " VARIANT_LIST ")");
		return -1;
	}
	custom = strcmp(spec->variant, "custom") == 0;
	for (size_t i = 0; i < ARRAY_LEN(variants) && !custom; i++)
		if (strcmp(spec->variant, variants[i].variant) == 0)
			v = &variants[i];
	if (v == NULL && !custom) {
		snprintf(err, errlen, "unknown certificate variant \"%s\" "
		    "(valid: " VARIANT_LIST ")", spec->variant);
		return -1;
	}
	if (spec->key != NULL && strcmp(spec->key, "ec") != 0 &&
	    strcmp(spec->key, "rsa") != 0) {
		snprintf(err, errlen, "unknown key type \"%s\" (valid: ec, rsa)",
		    spec->key);
		return -1;
	}
	rsa = spec->key != NULL && strcmp(spec->key, "rsa") == 0;

	memset(&r, 0, sizeof(r));
	if (custom) {
		if (parse_issuer(spec->issuer, &iss) < 0) {
			snprintf(err, errlen, "unknown certificate issuer \"%s\" "
			    "(valid: root, untrusted, self)", spec->issuer);
			return -1;
		}
		r.cn = spec->cn != NULL ? spec->cn : spec->host;
		if (r.cn == NULL && spec->san != NULL)
			r.cn = spec->san[0];
		r.nb = spec->not_before != 0 ? spec->not_before : p->clock - 30 * DAY;
		r.na = spec->not_after != 0 ? spec->not_after : p->clock + 365 * DAY;
		/* Default SAN: the host.  no_san: the name only in the CN. */
		one_san[0] = spec->host;
		r.san = spec->no_san ? NULL : spec->san != NULL ? spec->san : one_san;
		if (r.na < r.nb) {
			snprintf(err, errlen, "certificate not_after is before "
			    "not_before");
			return -1;
		}
	} else {
		iss = v->issuer;
		r.cn = v->name != NULL ? v->name : spec->host;
		r.nb = p->clock + v->nb_days * DAY;
		r.na = p->clock + v->na_days * DAY;
		r.san = one_san;
		one_san[0] = r.cn;
	}
	if (r.cn == NULL || r.cn[0] == '\0') {
		snprintf(err, errlen, "certificate spec (%s) without a host name",
		    spec->variant);
		return -1;
	}

	/* The stream label: every field that shapes the certificate. */
	buf_init(&label);
	label_add(&label, "cert");
	label_add(&label, spec->variant);
	label_add(&label, spec->host);
	label_add(&label, rsa ? "rsa" : "ec");
	if (custom) {
		label_add(&label, spec->cn);
		for (const char *const *s = spec->san; s != NULL && *s != NULL; s++)
			label_add(&label, *s);
		label_add(&label, spec->no_san ? "no_san" : "san");
		snprintf(num, sizeof(num), "%lld %lld", (long long)r.nb,
		    (long long)r.na);
		label_add(&label, num);
		label_add(&label, iss == ISS_ROOT ? "root" :
		    iss == ISS_UNTRUSTED ? "untrusted" : "self");
	}
	snprintf(num, sizeof(num), "#%u", label_count(p, &label));
	label_add(&label, num);
	make_serial(serial, p->seed, label.data, label.len);

	c = xcalloc(1, sizeof(*c));
	c->label = xstrdup(spec->variant);
	c->chain = sk_X509_new_null();
	if (c->chain == NULL)
		fatal("pki: out of memory");
	key_id = spec->key_id != NULL ? spec->key_id :
	    !custom && strcmp(spec->variant, "attacker") == 0 ?
	    PKI_ATTACKER_KEY : NULL;
	if (key_id != NULL)
		c->key = named_key(p, key_id, rsa);
	pki_rand_push(p->seed, (const char *)label.data, label.len);
	buf_free(&label);
	if (key_id == NULL)
		c->key = make_key(rsa);
	if (c->key == NULL) {
		pki_rand_pop();
		ossl_err(err, errlen, "key generation");
		pki_cert_free(c);
		return -1;
	}
	r.key = c->key;
	r.serial = serial;
	if (iss == ISS_ROOT) {
		r.issuer = p->root;
		r.issuer_key = p->root_key;
	} else if (iss == ISS_UNTRUSTED) {
		r.issuer = p->untrusted;
		r.issuer_key = p->untrusted_key;
	}
	if (v != NULL && v->flag != PV_NONE &&
	    pki_variant_before(p, spec, v->flag, &r, c, vbuf, vsan, err, errlen) < 0) {
		pki_rand_pop();
		pki_cert_free(c);
		return -1;
	}
	c->x509 = make_cert(&r, err, errlen);
	if (c->x509 != NULL && v != NULL && v->flag != PV_NONE &&
	    pki_variant_after(p, v->flag, c, err, errlen) < 0) {
		X509_free(c->x509);
		c->x509 = NULL;
	}
	pki_rand_pop();
	if (c->x509 == NULL) {
		pki_cert_free(c);
		return -1;
	}
	if (iss == ISS_UNTRUSTED) {
		/* Served like a real intermediate would be: the sender sees a
		 * complete chain that ends in a CA it does not trust. */
		if (X509_up_ref(p->untrusted) != 1 ||
		    sk_X509_push(c->chain, p->untrusted) <= 0)
			fatal("pki: out of memory");
	}
	*out = c;
	return 0;
}

void
pki_cert_free(struct pki_cert *c)
{
	if (c == NULL)
		return;
	X509_free(c->x509);
	EVP_PKEY_free(c->key);
	sk_X509_pop_free(c->chain, X509_free);
	free(c->label);
	free(c);
}

X509 *
pki_cert_x509(const struct pki_cert *c)
{
	return c->x509;
}

EVP_PKEY *
pki_cert_key(const struct pki_cert *c)
{
	return c->key;
}

STACK_OF(X509) *
pki_cert_chain(const struct pki_cert *c)
{
	return c->chain;
}

const char *
pki_cert_label(const struct pki_cert *c)
{
	return c->label;
}

SSL_CTX *
pki_server_ctx(const struct pki_cert *c)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
	char err[256];

	if (ctx == NULL ||
	    SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION) != 1)
		goto fail;
	SSL_CTX_set_options(ctx, SSL_OP_NO_TICKET);
	/* With NO_TICKET a TLS 1.3 server still sends stateful tickets
	 * unless told to send none: they would be random bytes on the wire
	 * that nobody uses. */
	if (SSL_CTX_set_num_tickets(ctx, 0) != 1)
		goto fail;
	SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
	SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);
	/* the world serves what the scenario says, weak keys and SHA-1
	 * included: judging them is the sender's job */
	SSL_CTX_set_security_level(ctx, 0);
	if (SSL_CTX_use_certificate(ctx, c->x509) != 1 ||
	    SSL_CTX_use_PrivateKey(ctx, c->key) != 1 ||
	    SSL_CTX_check_private_key(ctx) != 1 ||
	    SSL_CTX_set1_chain(ctx, c->chain) != 1)
		goto fail;
	return ctx;
fail:
	ossl_err(err, sizeof(err), "server TLS context");
	log_err("pki", "%s (certificate %s)", err, c->label);
	SSL_CTX_free(ctx);
	return NULL;
}

SSL_CTX *
pki_client_ctx(const struct pki *p)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
	char err[256];

	if (ctx == NULL)
		goto fail;
	SSL_CTX_set_options(ctx, SSL_OP_NO_TICKET);
	SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
	SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);
	SSL_CTX_set1_cert_store(ctx, p->store);
	return ctx;
fail:
	ossl_err(err, sizeof(err), "client TLS context");
	log_err("pki", "%s", err);
	return NULL;
}

const char *
pki_root_pem(const struct pki *p)
{
	return p->root_pem;
}

int
pki_write_root(const struct pki *p, const char *path)
{
	FILE *f = fopen(path, "w");
	size_t n = strlen(p->root_pem);

	if (f == NULL)
		return -1;
	if (fwrite(p->root_pem, 1, n, f) != n) {
		fclose(f);
		return -1;
	}
	return fclose(f) == 0 ? 0 : -1;
}

X509_STORE *
pki_store(const struct pki *p)
{
	return p->store;
}

/* Verification failures, by class; the lowest bit set wins. */
enum {
	VF_TRUST = 1 << 0,
	VF_DATE = 1 << 1,
	VF_OTHER = 1 << 2,
};

static unsigned
verify_class(int e)
{
	switch (e) {
	case X509_V_ERR_CERT_HAS_EXPIRED:
	case X509_V_ERR_CERT_NOT_YET_VALID:
		return VF_DATE;
	case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
	case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
	case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
	case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
	case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
	case X509_V_ERR_CERT_UNTRUSTED:
	case X509_V_ERR_CERT_REJECTED:
	case X509_V_ERR_INVALID_CA:
	case X509_V_ERR_CERT_SIGNATURE_FAILURE:
	case X509_V_ERR_UNABLE_TO_DECRYPT_CERT_SIGNATURE:
	case X509_V_ERR_UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY:
	case X509_V_ERR_SUBJECT_ISSUER_MISMATCH:
	case X509_V_ERR_AKID_SKID_MISMATCH:
	case X509_V_ERR_AKID_ISSUER_SERIAL_MISMATCH:
		/* The chain does not lead to the root: a signature that
		 * does not verify means the named issuer did not sign. */
		return VF_TRUST;
	default:
		return VF_OTHER;
	}
}

/* Record every error and carry on, so that all classes are seen and the
 * precedence (trust, dates, the rest) does not depend on OpenSSL's order. */
static int
verify_collect(int ok, X509_STORE_CTX *ctx)
{
	unsigned *mask = X509_STORE_CTX_get_app_data(ctx);

	if (!ok)
		*mask |= verify_class(X509_STORE_CTX_get_error(ctx));
	return 1;
}

const char *
pki_verify(const struct pki *p, const uint8_t *der, size_t len,
	const uint8_t *chain, size_t chain_len, const char *host, time_t at)
{
	const unsigned int flags = X509_CHECK_FLAG_NEVER_CHECK_SUBJECT |
	    X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS;
	STACK_OF(X509) *inter = sk_X509_new_null();
	X509_STORE_CTX *ctx = X509_STORE_CTX_new();
	const unsigned char *q = der;
	const char *res = "validation-failure";
	unsigned mask = 0;
	X509 *leaf;
	int rc;

	leaf = d2i_X509(NULL, &q, (long)len);
	if (leaf == NULL || q != der + len || inter == NULL || ctx == NULL)
		goto out;
	for (q = chain; chain != NULL && q < chain + chain_len;) {
		X509 *x = d2i_X509(NULL, &q, (long)(chain + chain_len - q));

		if (x == NULL)
			goto out;
		if (sk_X509_push(inter, x) <= 0) {
			X509_free(x);
			goto out;
		}
	}
	if (X509_STORE_CTX_init(ctx, p->store, leaf, inter) != 1)
		goto out;
	X509_STORE_CTX_set_time(ctx, 0, at);
	X509_STORE_CTX_set_purpose(ctx, X509_PURPOSE_SSL_SERVER);
	/* weak keys and SHA-1 signatures do not satisfy a policy */
	X509_VERIFY_PARAM_set_auth_level(X509_STORE_CTX_get0_param(ctx), 2);
	X509_STORE_CTX_set_app_data(ctx, &mask);
	X509_STORE_CTX_set_verify_cb(ctx, verify_collect);
	rc = X509_verify_cert(ctx);
	if (mask & VF_TRUST)
		res = "certificate-not-trusted";
	else if (mask & VF_DATE)
		res = "certificate-expired";
	else if (mask != 0 || rc != 1)
		res = "validation-failure";
	else if (host != NULL &&
	    X509_check_host(leaf, host, strlen(host), flags, NULL) != 1)
		res = "certificate-host-mismatch";
	else
		res = NULL;
out:
	ERR_clear_error();
	X509_STORE_CTX_free(ctx);
	sk_X509_pop_free(inter, X509_free);
	X509_free(leaf);
	return res;
}
