/*
 * fuzz_replay: the capture reader, the TCP reassembler and the SMTP
 * session extractor of `mxsim replay` (replay/rp_pkt.c, rp_tcp.c,
 * rp_smtp.c), from a capture file in memory.
 *
 * Input: the bytes of a pcap (or pcapng) file; the seed corpus holds
 * small captures of mxsim runs and of hand-made conversations
 * (tests/fuzz/mkseeds_replay.py).
 *
 * Invariants: the reader never returns more packets than frames; every
 * payload lies inside its frame; each connection is opened once and
 * closed once, in that order; data events carry bytes; the reassembler
 * never hands out more bytes than the packets carried (plus what it
 * declared missing); the recorder holds at most one session per
 * connection.
 */
#ifndef MXSIM_FUZZ_REPLAY_H
#define MXSIM_FUZZ_REPLAY_H

#include "replay/rp_pkt.h"
#include "replay/rp_smtp.h"
#include "replay/rp_tcp.h"
#include "tests/fuzz/fuzz_common.h"

struct frp_state {
	struct rp_smtp *smtp;
	uint64_t opens, closes, bytes;
};

static void
frp_init(void)
{
	fuzz_setup(false);
}

static void
frp_cb(struct rp_flow *f, enum rp_tcp_ev ev, int dir, const uint8_t *data,
    size_t len, uint64_t ts, void *arg)
{
	struct frp_state *st = arg;

	FUZZ_CHECK(dir == 0 || dir == 1);
	if (ev == RP_TCP_OPEN) {
		FUZZ_CHECK(f->user == NULL);
		st->opens++;
	} else if (ev == RP_TCP_CLOSE) {
		st->closes++;
		FUZZ_CHECK(st->closes <= st->opens);
	} else if (ev == RP_TCP_DATA) {
		FUZZ_CHECK(data != NULL && len > 0);
		st->bytes += len;
	}
	rp_smtp_tcp_cb(f, ev, dir, data, len, ts, st->smtp);
}

static void
frp_one(const uint8_t *data, size_t size)
{
	struct rp_reader *rd;
	struct rp_pkt p;
	char err[512];
	uint64_t n = 0, payload = 0;
	int rc;

	if (rp_reader_open_mem(&rd, data, size, err, sizeof(err)) < 0) {
		FUZZ_CHECK(err[0] != '\0');
		return;
	}
	struct loop *l = loop_new(LOOP_SKIP, 1700000000);
	struct rec *rec = rec_new(l);
	struct frp_state st = { rp_smtp_new(rec, l, 1700000000000000ull), 0, 0, 0 };
	struct rp_tcp *t = rp_tcp_new(frp_cb, &st);

	while ((rc = rp_reader_next(rd, &p, err, sizeof(err))) == 1) {
		n++;
		FUZZ_CHECK(p.proto == 6 || p.proto == 17);
		FUZZ_CHECK(p.len <= p.wire_len || p.wire_len == 0 || p.proto == 17);
		if (p.len > 0)
			FUZZ_CHECK(p.payload != NULL);
		if (p.proto == 6) {
			payload += p.len;
			rp_tcp_packet(t, &p);
		}
	}
	FUZZ_CHECK(rc == 0 || err[0] != '\0');
	FUZZ_CHECK(n <= rp_reader_stats(rd)->frames);
	rp_tcp_finish(t, 0);
	FUZZ_CHECK(st.opens == st.closes);
	FUZZ_CHECK(st.bytes <= payload);
	FUZZ_CHECK(rec_count(rec) <= rp_tcp_flows(t));
	fuzz_dump_rec(rec);
	rp_tcp_free(t);
	rp_smtp_free(st.smtp);
	rec_free(rec);
	loop_free(l);
	rp_reader_free(rd);
}

#endif
