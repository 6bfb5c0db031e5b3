/*
 * rp_tcp: the TCP reassembler of `mxsim replay`.  Fed the TCP packets of
 * a capture in file order, it hands each connection's two byte streams
 * to one callback, in order and without duplicates, interleaved the way
 * the capture saw them.
 *
 * It copes with retransmissions (dropped), overlaps (only the new bytes
 * pass), reordering (held until the hole fills), a missing handshake (the
 * stream starts at the first byte seen: "mid-stream"; the server is the
 * end with the well-known port), missing segments (RP_TCP_GAP with the
 * number of bytes lost, then the stream goes on after the hole: the
 * stream is damaged and the consumer says so) and connections that never
 * close (closed at rp_tcp_finish()).  Sequence numbers wrap.
 *
 * Memory is bounded: at most RP_TCP_HOLD bytes wait for a hole per
 * direction (beyond that the hole is declared a gap), at most
 * RP_TCP_MAX_FLOWS live connections (the oldest is closed first).
 *
 * Callback contract: RP_TCP_OPEN once per connection (before any other
 * event of it; f->user may be set then), RP_TCP_DATA / RP_TCP_GAP /
 * RP_TCP_FIN per direction, RP_TCP_RST, and RP_TCP_CLOSE last (free what
 * f->user holds then; f is freed after the callback returns).
 */
#ifndef MXSIM_RP_TCP_H
#define MXSIM_RP_TCP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "replay/rp_pkt.h"

#define RP_TCP_HOLD (4u << 20)
#define RP_TCP_MAX_FLOWS 65536

enum rp_tcp_ev {
	RP_TCP_OPEN,
	RP_TCP_DATA,    /* data, len: the next bytes of direction dir */
	RP_TCP_GAP,     /* len bytes of direction dir are missing */
	RP_TCP_FIN,     /* direction dir ended */
	RP_TCP_RST,     /* reset (dir: who sent it) */
	RP_TCP_CLOSE,
};

/* dir 0: client to server, 1: server to client */
struct rp_flow {
	unsigned id;            /* 1-based, in order of appearance */
	int af;
	uint8_t addr[2][16];    /* [0] client, [1] server */
	uint16_t port[2];
	bool handshake;         /* a SYN was seen */
	bool synack;            /* the server answered it */
	uint64_t first_frame, last_frame;
	uint64_t t_open_us;
	uint64_t bytes[2];      /* delivered */
	uint64_t lost[2];       /* declared missing */
	uint64_t retrans[2], overlaps[2], reordered[2];
	void *user;
};

typedef void rp_tcp_cb(struct rp_flow *f, enum rp_tcp_ev ev, int dir,
	const uint8_t *data, size_t len, uint64_t ts_us, void *arg);

struct rp_tcp;

/* Mid-stream connections: the server is the end on port 25, 587 or 465,
 * else the end with the lower port. */
struct rp_tcp *rp_tcp_new(rp_tcp_cb *cb, void *arg);
/* A TCP packet (p->proto 6). */
void rp_tcp_packet(struct rp_tcp *t, const struct rp_pkt *p);
/* Declare what is still missing and close every connection. */
void rp_tcp_finish(struct rp_tcp *t, uint64_t ts_us);
unsigned rp_tcp_flows(const struct rp_tcp *t);  /* connections seen */
void rp_tcp_free(struct rp_tcp *t);  /* finishes first; NULL: no-op */

#endif
