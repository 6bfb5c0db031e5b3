/*
 * rp_tls: handshake reading and TLS 1.3 decryption of captured
 * connections.  See rp_tls.h.
 *
 * Per direction: the handshake reassembler (messages may span records
 * and records may hold several), and in TLS 1.3 the traffic secret in
 * force with its key, IV and record sequence number.
 */
#include "replay/rp_tls.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/kdf.h>

/* ---- the key log ---- */

#define SECRET_MAX 64

struct kl_entry {
	uint8_t cr[32];
	char label[40];
	uint8_t secret[SECRET_MAX];
	size_t slen;
};

struct rp_keylog {
	struct kl_entry *e;
	size_t n, bad;
};

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* Hex of exactly 2*n digits (or up to max bytes when n is 0) into out;
 * the number of bytes, or -1. */
static long
unhex(const char *s, size_t slen, uint8_t *out, size_t max)
{
	if (slen == 0 || slen % 2 != 0 || slen / 2 > max)
		return -1;
	for (size_t i = 0; i < slen / 2; i++) {
		int a = hexval((unsigned char)s[2 * i]), b = hexval((unsigned char)s[2 * i + 1]);
		if (a < 0 || b < 0)
			return -1;
		out[i] = (uint8_t)(a << 4 | b);
	}
	return (long)(slen / 2);
}

static int
kl_cmp(const void *a, const void *b)
{
	const struct kl_entry *x = a, *y = b;
	int c = memcmp(x->cr, y->cr, 32);

	return c != 0 ? c : strcmp(x->label, y->label);
}

/* One line: 1 taken, 0 skipped (comment, blank), -1 malformed. */
static int
kl_line(struct rp_keylog *k, const char *ln, size_t len)
{
	const char *sp1, *sp2, *end = ln + len;
	struct kl_entry e;

	while (len > 0 && (ln[len - 1] == '\r' || ln[len - 1] == ' '))
		end = ln + --len;
	if (len == 0 || ln[0] == '#')
		return 0;
	memset(&e, 0, sizeof(e));
	sp1 = memchr(ln, ' ', len);
	if (sp1 == NULL || (size_t)(sp1 - ln) >= sizeof(e.label))
		return -1;
	sp2 = memchr(sp1 + 1, ' ', (size_t)(end - sp1 - 1));
	if (sp2 == NULL)
		return -1;
	memcpy(e.label, ln, (size_t)(sp1 - ln));
	if (unhex(sp1 + 1, (size_t)(sp2 - sp1 - 1), e.cr, 32) != 32)
		return -1;
	long n = unhex(sp2 + 1, (size_t)(end - sp2 - 1), e.secret, SECRET_MAX);
	if (n <= 0)
		return -1;
	e.slen = (size_t)n;
	k->e = xrealloc(k->e, (k->n + 1) * sizeof(*k->e));
	k->e[k->n++] = e;
	return 1;
}

struct rp_keylog *
rp_keylog_parse(const char *text, size_t len)
{
	struct rp_keylog *k = xcalloc(1, sizeof(*k));
	size_t i = 0;

	while (i < len) {
		const char *nl = memchr(text + i, '\n', len - i);
		size_t ll = nl ? (size_t)(nl - (text + i)) : len - i;
		if (kl_line(k, text + i, ll) < 0)
			k->bad++;
		i += ll + 1;
	}
	if (k->n > 1)
		qsort(k->e, k->n, sizeof(*k->e), kl_cmp);
	return k;
}

int
rp_keylog_load(const char *path, struct rp_keylog **out, char *err, size_t errlen)
{
	FILE *f = fopen(path, "r");
	struct buf b = { 0 };
	char chunk[8192];
	size_t n;

	*out = NULL;
	if (f == NULL) {
		snprintf(err, errlen, "%s: cannot read the key log", path);
		return -1;
	}
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		buf_append(&b, chunk, n);
	bool bad = ferror(f) != 0;
	fclose(f);
	if (bad) {
		snprintf(err, errlen, "%s: read error", path);
		buf_free(&b);
		return -1;
	}
	*out = rp_keylog_parse(b.data ? (const char *)b.data : "", b.len);
	buf_free(&b);
	return 0;
}

size_t
rp_keylog_count(const struct rp_keylog *k)
{
	return k ? k->n : 0;
}

size_t
rp_keylog_bad(const struct rp_keylog *k)
{
	return k ? k->bad : 0;
}

size_t
rp_keylog_find(const struct rp_keylog *k, const char *label, const uint8_t cr[32],
    uint8_t *out, size_t outmax)
{
	struct kl_entry key;
	const struct kl_entry *e;

	if (k == NULL || k->n == 0 || strlen(label) >= sizeof(key.label))
		return 0;
	memset(&key, 0, sizeof(key));
	memcpy(key.cr, cr, 32);
	strcpy(key.label, label);
	e = bsearch(&key, k->e, k->n, sizeof(*k->e), kl_cmp);
	if (e == NULL)
		return 0;
	memcpy(out, e->secret, e->slen < outmax ? e->slen : outmax);
	return e->slen;
}

void
rp_keylog_free(struct rp_keylog *k)
{
	if (k == NULL)
		return;
	free(k->e);
	free(k);
}

/* ---- TLS 1.3 key schedule (RFC 8446 7.1, 7.3) ---- */

int
rp_tls13_expand_label(const uint8_t *secret, size_t hash_len, const char *label,
    uint8_t *out, size_t outlen)
{
	uint8_t info[2 + 1 + 255 + 1];
	size_t ll = strlen(label), n = 0;
	EVP_PKEY_CTX *ctx;
	int rc = -1;

	if (6 + ll > 255 || outlen > 255 * hash_len)
		return -1;
	info[n++] = (uint8_t)(outlen >> 8);
	info[n++] = (uint8_t)outlen;
	info[n++] = (uint8_t)(6 + ll);
	memcpy(info + n, "tls13 ", 6);
	n += 6;
	memcpy(info + n, label, ll);
	n += ll;
	info[n++] = 0;   /* empty context */
	ctx = EVP_PKEY_CTX_new_id(EVP_PKEY_HKDF, NULL);
	if (ctx != NULL && EVP_PKEY_derive_init(ctx) > 0 &&
	    EVP_PKEY_CTX_hkdf_mode(ctx, EVP_PKEY_HKDEF_MODE_EXPAND_ONLY) > 0 &&
	    EVP_PKEY_CTX_set_hkdf_md(ctx, hash_len == 48 ? EVP_sha384() :
	    EVP_sha256()) > 0 &&
	    EVP_PKEY_CTX_set1_hkdf_key(ctx, secret, (int)hash_len) > 0 &&
	    EVP_PKEY_CTX_add1_hkdf_info(ctx, info, (int)n) > 0 &&
	    EVP_PKEY_derive(ctx, out, &outlen) > 0)
		rc = 0;
	EVP_PKEY_CTX_free(ctx);
	return rc;
}

/* ---- one connection ---- */

enum { KEYS_NONE, KEYS_HS, KEYS_APP };

struct dirst {
	struct buf hs;          /* handshake bytes not yet a whole message */
	bool hs_stop;           /* no more handshake reading (1.2 after CCS) */
	int keys;               /* KEYS_* in force */
	bool dead;              /* decryption failed: nothing more */
	uint8_t secret[SECRET_MAX];
	uint8_t key[32], iv[12];
	uint64_t seq;
};

struct rp_tls {
	const struct rp_keylog *kl;
	rp_tls_cb *cb;
	void *arg;
	uint8_t cr[32];
	bool have_cr, sh;
	int version;
	uint16_t cipher;
	struct dirst d[2];
	struct buf leaf, chain;
	bool have_cert;
	char status[160];
};

static const uint8_t hrr_random[32] = {
	0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11, 0xbe, 0x1d, 0x8c, 0x02,
	0x1e, 0x65, 0xb8, 0x91, 0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb, 0x8c, 0x5e,
	0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c,
};

static size_t
hash_len_of(uint16_t cipher)
{
	return cipher == 0x1302 ? 48 : 32;
}

static const EVP_CIPHER *
aead_of(uint16_t cipher, size_t *keylen)
{
	switch (cipher) {
	case 0x1301: *keylen = 16; return EVP_aes_128_gcm();
	case 0x1302: *keylen = 32; return EVP_aes_256_gcm();
	case 0x1303: *keylen = 32; return EVP_chacha20_poly1305();
	default: *keylen = 0; return NULL;
	}
}

static void
set_status(struct rp_tls *t, const char *s)
{
	if (!t->have_cert)
		snprintf(t->status, sizeof(t->status), "%s", s);
}

/* Keys from the secret in d->secret. */
static int
derive(struct rp_tls *t, struct dirst *d)
{
	size_t hl = hash_len_of(t->cipher), kl;

	if (aead_of(t->cipher, &kl) == NULL ||
	    rp_tls13_expand_label(d->secret, hl, "key", d->key, kl) < 0 ||
	    rp_tls13_expand_label(d->secret, hl, "iv", d->iv, 12) < 0)
		return -1;
	d->seq = 0;
	return 0;
}

static const char *const secret_labels[2][2] = {
	{ "CLIENT_HANDSHAKE_TRAFFIC_SECRET", "CLIENT_TRAFFIC_SECRET_0" },
	{ "SERVER_HANDSHAKE_TRAFFIC_SECRET", "SERVER_TRAFFIC_SECRET_0" },
};

/* Install the handshake (app false) or application secrets of dir. */
static void
install(struct rp_tls *t, int dir, bool app)
{
	struct dirst *d = &t->d[dir];
	size_t kl, n;

	d->keys = KEYS_NONE;
	if (t->kl == NULL || !t->have_cr || aead_of(t->cipher, &kl) == NULL)
		return;
	n = rp_keylog_find(t->kl, secret_labels[dir][app], t->cr, d->secret,
	    sizeof(d->secret));
	if (n != hash_len_of(t->cipher)) {
		if (!app && dir == 1)
			set_status(t, "certificate not visible (TLS 1.3, no key log "
			    "entry for this session)");
		return;
	}
	if (derive(t, d) < 0) {
		set_status(t, "certificate not visible (TLS 1.3, key derivation "
		    "failed)");
		return;
	}
	d->keys = app ? KEYS_APP : KEYS_HS;
	buf_reset(&d->hs);
}

static void
server_hello(struct rp_tls *t, const uint8_t *m, size_t n)
{
	size_t off;

	if (n < 4 + 2 + 32 + 1)
		return;
	if (memcmp(m + 6, hrr_random, 32) == 0)
		return;   /* HelloRetryRequest: the real ServerHello follows */
	t->sh = true;
	t->version = m[4] << 8 | m[5];
	off = 4 + 2 + 32;
	off += 1 + (size_t)m[off];
	if (off + 3 > n)
		return;
	t->cipher = (uint16_t)(m[off] << 8 | m[off + 1]);
	off += 3;
	if (off + 2 <= n) {
		size_t end = off + 2 + (size_t)(m[off] << 8 | m[off + 1]);
		off += 2;
		if (end > n)
			end = n;
		while (off + 4 <= end) {
			int type = m[off] << 8 | m[off + 1];
			size_t len = (size_t)(m[off + 2] << 8 | m[off + 3]);
			off += 4;
			if (type == 43 && len == 2 && off + 2 <= end)
				t->version = m[off] << 8 | m[off + 1];
			off += len;
		}
	}
	if (t->version != 0x0304)
		return;
	if (t->kl == NULL) {
		set_status(t, "certificate not visible (TLS 1.3, no key log)");
		return;
	}
	size_t kl;
	if (aead_of(t->cipher, &kl) == NULL) {
		char s[120];
		snprintf(s, sizeof(s), "certificate not visible (TLS 1.3, cipher suite "
		    "0x%04x not supported by replay)", t->cipher);
		set_status(t, s);
		return;
	}
	set_status(t, "certificate not visible (TLS 1.3: no Certificate message "
	    "decrypted)");
	install(t, 1, false);
	install(t, 0, false);
}

static uint32_t
u24(const uint8_t *p)
{
	return (uint32_t)p[0] << 16 | (uint32_t)p[1] << 8 | p[2];
}

/* The Certificate message body (after its 4-byte header). */
static void
certificate(struct rp_tls *t, const uint8_t *m, size_t n, bool tls13)
{
	size_t off = 0, end;

	if (t->have_cert)
		return;
	if (tls13) {
		if (n < 1 || 1 + (size_t)m[0] > n)
			return;
		off = 1 + m[0];   /* certificate_request_context */
	}
	if (off + 3 > n)
		return;
	end = off + 3 + u24(m + off);
	off += 3;
	if (end > n)
		return;
	buf_reset(&t->leaf);
	buf_reset(&t->chain);
	for (unsigned i = 0; off + 3 <= end; i++) {
		size_t len = u24(m + off);
		off += 3;
		if (len == 0 || off + len > end)
			return;
		buf_append(i == 0 ? &t->leaf : &t->chain, m + off, len);
		off += len;
		if (tls13) {
			if (off + 2 > end)
				return;
			off += 2 + (size_t)(m[off] << 8 | m[off + 1]);
		}
	}
	if (t->leaf.len == 0)
		return;
	t->have_cert = true;
	snprintf(t->status, sizeof(t->status), "%s", tls13 ?
	    "decrypted with the key log (TLS 1.3)" : "seen in clear (TLS 1.2 or below)");
	t->cb(t->arg, RP_TLS_CERT, 1, t->leaf.data, t->leaf.len);
}

/* One whole handshake message of dir; encrypted: it came inside TLS 1.3
 * protection. */
static void
hs_message(struct rp_tls *t, int dir, const uint8_t *m, size_t n, bool encrypted)
{
	struct dirst *d = &t->d[dir];

	switch (m[0]) {
	case 1:   /* ClientHello */
		if (dir == 0 && !t->have_cr && n >= 4 + 2 + 32) {
			memcpy(t->cr, m + 6, 32);
			t->have_cr = true;
		}
		break;
	case 2:
		if (dir == 1 && !encrypted && !t->sh)
			server_hello(t, m, n);
		break;
	case 11:
		if (dir == 1)
			certificate(t, m + 4, n - 4, encrypted);
		break;
	case 20:  /* Finished */
		if (encrypted && d->keys == KEYS_HS) {
			install(t, dir, true);
			t->cb(t->arg, RP_TLS_FINISHED, dir, NULL, 0);
		}
		break;
	case 24:  /* KeyUpdate: the next generation of this direction's secret */
		if (encrypted && d->keys == KEYS_APP) {
			uint8_t next[SECRET_MAX];
			size_t hl = hash_len_of(t->cipher);
			if (rp_tls13_expand_label(d->secret, hl, "traffic upd", next,
			    hl) < 0) {
				d->dead = true;
				break;
			}
			memcpy(d->secret, next, hl);
			if (derive(t, d) < 0)
				d->dead = true;
		}
		break;
	default:
		break;
	}
}

static void
hs_feed(struct rp_tls *t, int dir, const uint8_t *p, size_t len, bool encrypted)
{
	struct dirst *d = &t->d[dir];

	if (d->hs_stop)
		return;
	buf_append(&d->hs, p, len);
	size_t off = 0;
	while (d->hs.len - off >= 4) {
		const uint8_t *m = d->hs.data + off;
		size_t mlen = 4 + u24(m + 1);
		if (mlen > RP_TLS_HS_MAX) {
			d->hs_stop = true;
			break;
		}
		if (d->hs.len - off < mlen)
			break;
		int keys = d->keys;
		hs_message(t, dir, m, mlen, encrypted);
		off += mlen;
		if (d->keys != keys) {   /* new keys: what is left is not ours */
			off = d->hs.len;
			break;
		}
	}
	if (d->hs_stop)
		buf_reset(&d->hs);
	else if (off > 0)
		buf_consume(&d->hs, off);
}

/* Decrypt a TLS 1.3 record of dir in place into out (inner plaintext);
 * -1 when it does not authenticate. */
static long
open_record(struct rp_tls *t, struct dirst *d, const uint8_t hdr[5],
    const uint8_t *body, size_t len, uint8_t *out)
{
	size_t kl;
	const EVP_CIPHER *c = aead_of(t->cipher, &kl);
	EVP_CIPHER_CTX *ctx;
	uint8_t nonce[12];
	int n1 = 0, n2 = 0;
	long rc = -1;

	if (c == NULL || len < 17)
		return -1;
	memcpy(nonce, d->iv, 12);
	for (int i = 0; i < 8; i++)
		nonce[11 - i] ^= (uint8_t)(d->seq >> (8 * i));
	ctx = EVP_CIPHER_CTX_new();
	if (ctx != NULL &&
	    EVP_DecryptInit_ex(ctx, c, NULL, NULL, NULL) == 1 &&
	    EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_IVLEN, 12, NULL) == 1 &&
	    EVP_DecryptInit_ex(ctx, NULL, NULL, d->key, nonce) == 1 &&
	    EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_TAG, 16,
	    (void *)(body + len - 16)) == 1 &&
	    EVP_DecryptUpdate(ctx, NULL, &n1, hdr, 5) == 1 &&
	    EVP_DecryptUpdate(ctx, out, &n1, body, (int)(len - 16)) == 1 &&
	    EVP_DecryptFinal_ex(ctx, out + n1, &n2) == 1)
		rc = n1 + n2;
	EVP_CIPHER_CTX_free(ctx);
	d->seq++;
	return rc;
}

static void
encrypted_record(struct rp_tls *t, int dir, const uint8_t hdr[5],
    const uint8_t *body, size_t len)
{
	struct dirst *d = &t->d[dir];
	uint8_t *pt;
	long n;

	if (d->dead || d->keys == KEYS_NONE)
		return;
	pt = xmalloc(len + 1);
	n = open_record(t, d, hdr, body, len, pt);
	if (n < 0) {
		d->dead = true;
		set_status(t, "certificate not visible (TLS 1.3, decryption failed: "
		    "the key log does not match this session)");
		free(pt);
		return;
	}
	while (n > 0 && pt[n - 1] == 0)
		n--;   /* padding */
	if (n == 0) {
		free(pt);
		return;   /* no content type: malformed, ignore */
	}
	uint8_t type = pt[--n];
	if (type == 22)
		hs_feed(t, dir, pt, (size_t)n, true);
	else if (type == 23 && d->keys == KEYS_APP && n > 0)
		t->cb(t->arg, RP_TLS_APP, dir, pt, (size_t)n);
	else if (type == 21 && n >= 2)
		t->cb(t->arg, RP_TLS_ALERT, dir, pt, 2);
	free(pt);
}

struct rp_tls *
rp_tls_new(const struct rp_keylog *keylog, rp_tls_cb *cb, void *arg)
{
	struct rp_tls *t = xcalloc(1, sizeof(*t));

	t->kl = keylog;
	t->cb = cb;
	t->arg = arg;
	snprintf(t->status, sizeof(t->status), "certificate not visible (no "
	    "Certificate message in the capture)");
	return t;
}

void
rp_tls_record(struct rp_tls *t, int dir, const uint8_t hdr[5],
    const uint8_t *body, size_t len)
{
	uint8_t type = hdr[0];
	bool tls13 = t->sh && t->version == 0x0304;

	if (dir != 0 && dir != 1)
		return;
	if (type == 20) {   /* ChangeCipherSpec: TLS 1.2 encrypts after it */
		if (!tls13)
			t->d[dir].hs_stop = true;
		return;
	}
	if (type == 22 && !(tls13 && t->d[dir].keys != KEYS_NONE)) {
		hs_feed(t, dir, body, len, false);
		return;
	}
	if (type == 23 && tls13)
		encrypted_record(t, dir, hdr, body, len);
}

void
rp_tls_free(struct rp_tls *t)
{
	if (t == NULL)
		return;
	buf_free(&t->d[0].hs);
	buf_free(&t->d[1].hs);
	buf_free(&t->leaf);
	buf_free(&t->chain);
	OPENSSL_cleanse(t->d, sizeof(t->d));
	free(t);
}

int
rp_tls_version(const struct rp_tls *t)
{
	return t->sh ? t->version : 0;
}

uint16_t
rp_tls_cipher(const struct rp_tls *t)
{
	return t->cipher;
}

bool
rp_tls_decrypting(const struct rp_tls *t, int dir)
{
	return t->d[dir].keys == KEYS_APP && !t->d[dir].dead;
}

const uint8_t *
rp_tls_cert(const struct rp_tls *t, size_t *len, const uint8_t **chain,
    size_t *chain_len)
{
	*len = t->have_cert ? t->leaf.len : 0;
	*chain = t->have_cert && t->chain.len ? t->chain.data : NULL;
	*chain_len = t->have_cert ? t->chain.len : 0;
	return t->have_cert ? t->leaf.data : NULL;
}

const char *
rp_tls_cert_status(const struct rp_tls *t)
{
	return t->status;
}
