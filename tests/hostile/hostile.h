/*
 * hostile: a sender that misbehaves on purpose, against every listener of
 * a world built in-process (tests/hostile/hostile.c is the driver,
 * hostile_smtp.c the SMTP abuses, hostile_dns.c the DNS ones).
 *
 * A struct hpeer is one client connection on the world's loop (core/conn):
 * it keeps what it received (the first HP_KEEP bytes; the rest is counted)
 * and closes when the server does.  Everything runs on the virtual clock
 * (LOOP_SKIP): "a byte a minute" costs no real time, and the servers'
 * idle timeouts fire as they would in an hour of real time.
 */
#ifndef MXSIM_HOSTILE_H
#define MXSIM_HOSTILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <openssl/ssl.h>

#include "core/conn.h"
#include "core/loop.h"
#include "core/pki.h"
#include "core/record.h"
#include "core/util.h"

#define HP_KEEP (256u << 10)

struct hpeer {
	struct conn *c;
	bool connected, closed, tls_ok, tls_failed;
	size_t got;             /* plaintext bytes received */
	size_t tls_at;          /* got when the handshake finished */
	struct buf in;          /* the first HP_KEEP of them */
	size_t cursor;          /* replies before this offset are taken */
};

/* One listener under attack. */
struct htarget {
	const char *name;       /* "path:25", "backend:465", ... */
	const char *ip;
	uint16_t port;
	bool implicit_tls;
	bool smtp;              /* SMTP (else DNS) */
};

struct hctx {
	struct loop *l;
	struct pki *pki;
	struct rec *rec;
	SSL_CTX *cctx;
	unsigned abuse;         /* message number the abuse's sessions get */
	unsigned conns;         /* TCP connections of this abuse that connected */
	int failures;
	bool verbose;
};

/* ---- peers (hostile.c) ---- */
const char *hp_src_addr(void);
void hp_connect(struct hctx *h, struct hpeer *p, const struct htarget *t);
/* Connects, and for an implicit-TLS target also finishes the handshake;
 * false if that did not work. */
bool hp_open(struct hctx *h, struct hpeer *p, const struct htarget *t);
void hp_write(struct hpeer *p, const void *d, size_t n);
void hp_send(struct hpeer *p, const char *s);
bool hp_starttls(struct hctx *h, struct hpeer *p);
/* Waits (virtual time) for the next complete final reply line after the
 * cursor; returns its code, or -1 when the peer closed or the deadline
 * passed. */
int hp_reply(struct hctx *h, struct hpeer *p, uint64_t ms);
/* Runs the loop until p is closed or ms pass; true when closed. */
bool hp_wait_closed(struct hctx *h, struct hpeer *p, uint64_t ms);
void hp_close(struct hpeer *p, bool reset);
void hp_free(struct hpeer *p);
/* Lets the loop settle (1 virtual ms, no timeout fires). */
void hp_idle(struct hctx *h);
void hp_run(struct hctx *h, uint64_t ms);
/* A raw socket connected to t (not on the loop), or -1. */
int hp_raw_connect(struct hctx *h, const struct htarget *t);

#define HCHECK(h, cond, ...)                                               \
	do {                                                               \
		if (!(cond)) {                                             \
			fprintf(stderr, "hostile: FAIL %s:%d: ", __FILE__, \
			    __LINE__);                                     \
			fprintf(stderr, __VA_ARGS__);                      \
			fprintf(stderr, "\n");                             \
			(h)->failures++;                                   \
		}                                                          \
	} while (0)

/* ---- the abuses ---- */
typedef void habuse_fn(struct hctx *h, const struct htarget *t);

void hs_long_line(struct hctx *h, const struct htarget *t);
void hs_nul_crlf(struct hctx *h, const struct htarget *t);
void hs_many_rcpts(struct hctx *h, const struct htarget *t);
void hs_slowloris(struct hctx *h, const struct htarget *t);
void hs_idle(struct hctx *h, const struct htarget *t);
void hs_half_open(struct hctx *h, const struct htarget *t);
void hs_reset(struct hctx *h, const struct htarget *t);
void hs_tls_garbage(struct hctx *h, const struct htarget *t);
void hs_tls_truncated(struct hctx *h, const struct htarget *t);
void hs_starttls_twice(struct hctx *h, const struct htarget *t);
void hs_pipelined_starttls(struct hctx *h, const struct htarget *t);
/* A clean delivery; true when the message was accepted. */
bool hs_deliver(struct hctx *h, const struct htarget *t);
/* n connections at once: banners, QUIT, all closed.  Returns how many
 * got a banner. */
unsigned hs_parallel(struct hctx *h, const struct htarget *t, unsigned n);

void hd_udp_garbage(struct hctx *h, const struct htarget *t);
void hd_tcp_garbage(struct hctx *h, const struct htarget *t);
void hd_tcp_slowloris(struct hctx *h, const struct htarget *t);
void hd_tcp_flood(struct hctx *h, const struct htarget *t);
/* A query for example.test. SOA answered over UDP and TCP. */
bool hd_works(struct hctx *h, const struct htarget *t);

#endif
