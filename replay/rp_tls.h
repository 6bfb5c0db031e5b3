/*
 * rp_tls: TLS inside a capture, for `mxsim replay`.  Fed the complete
 * records of one connection (both directions, in order), it reads the
 * handshake: the ClientHello's random, the ServerHello (version, cipher
 * suite, HelloRetryRequest), and the server's certificate chain.
 *
 * TLS 1.2 and below send the Certificate message in clear; TLS 1.3
 * encrypts it.  With an NSS key log (SSLKEYLOGFILE format) holding the
 * connection's secrets (by its client random), TLS 1.3 records are
 * decrypted: HKDF-Expand-Label (RFC 8446 7.1) of the handshake and
 * application traffic secrets into key and IV, AEAD by OpenSSL EVP
 * (TLS_AES_128_GCM_SHA256, TLS_AES_256_GCM_SHA384,
 * TLS_CHACHA20_POLY1305_SHA256), KeyUpdate followed.  The handshake then
 * gives the certificate, and the application data (the SMTP dialogue
 * inside TLS) is handed to the caller.  TLS 1.2 application data is not
 * decrypted (the certificate is visible anyway).
 *
 * Bounded: a handshake message longer than RP_TLS_HS_MAX ends the
 * reading of that direction's handshake.  Bad input never crashes: a
 * record that does not decrypt stops decryption of its direction, and
 * rp_tls_cert_status() says why.
 *
 * Ownership: struct rp_tls borrows the key log; the DER it returns stays
 * valid until rp_tls_free().
 */
#ifndef MXSIM_RP_TLS_H
#define MXSIM_RP_TLS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/util.h"

#define RP_TLS_HS_MAX (256u << 10)

/* ---- the key log ---- */

struct rp_keylog;

/* Read an NSS key log file (lines "LABEL <client random hex> <secret
 * hex>"; comments and blank lines skipped, malformed lines counted).
 * -1 with a message in err when the file cannot be read. */
int rp_keylog_load(const char *path, struct rp_keylog **out, char *err,
	size_t errlen) WUR;
/* From text in memory (for tests). */
struct rp_keylog *rp_keylog_parse(const char *text, size_t len);
size_t rp_keylog_count(const struct rp_keylog *k);   /* usable lines */
size_t rp_keylog_bad(const struct rp_keylog *k);     /* malformed lines */
/* The secret of label for client random cr (32 bytes): its length (at
 * most outmax copied to out), or 0 when the log has none. */
size_t rp_keylog_find(const struct rp_keylog *k, const char *label,
	const uint8_t cr[32], uint8_t *out, size_t outmax);
void rp_keylog_free(struct rp_keylog *k);

/* HKDF-Expand-Label(secret, label, "", outlen) with SHA-256 (hash_len
 * 32) or SHA-384 (48).  0 or -1. */
int rp_tls13_expand_label(const uint8_t *secret, size_t hash_len,
	const char *label, uint8_t *out, size_t outlen) WUR;

/* ---- one connection ---- */

struct rp_tls;

/* What the caller is told as the records go. */
enum rp_tls_ev {
	RP_TLS_APP,       /* decrypted application data of direction dir */
	RP_TLS_ALERT,     /* a decrypted alert (2 bytes) */
	RP_TLS_CERT,      /* the server's certificate chain is known */
	RP_TLS_FINISHED,  /* direction dir finished its handshake (decrypted) */
};

typedef void rp_tls_cb(void *arg, enum rp_tls_ev ev, int dir,
	const uint8_t *p, size_t len);

/* keylog may be NULL (nothing is decrypted). */
struct rp_tls *rp_tls_new(const struct rp_keylog *keylog, rp_tls_cb *cb,
	void *arg);
/* One complete record: type, the body (len bytes), of direction dir (0
 * client, 1 server); hdr is its 5-byte header (the AEAD's additional
 * data). */
void rp_tls_record(struct rp_tls *t, int dir, const uint8_t hdr[5],
	const uint8_t *body, size_t len);
void rp_tls_free(struct rp_tls *t);

int rp_tls_version(const struct rp_tls *t);     /* 0x0304, ...; 0 unknown */
uint16_t rp_tls_cipher(const struct rp_tls *t);
bool rp_tls_decrypting(const struct rp_tls *t, int dir);  /* app data readable */
/* The leaf (DER) or NULL; chain: the rest, concatenated DER (may be
 * empty). */
const uint8_t *rp_tls_cert(const struct rp_tls *t, size_t *len,
	const uint8_t **chain, size_t *chain_len);
/* Why the certificate is (not) known: "seen in clear (TLS 1.2)",
 * "decrypted with the key log (TLS 1.3)", "certificate not visible (TLS
 * 1.3, no key log)", "... (no key log entry for this session)", "...
 * (decryption failed: ...)".  Never NULL. */
const char *rp_tls_cert_status(const struct rp_tls *t);

#endif
