/*
 * check_replay: the capture reader (replay/rp_pkt.c), the TCP reassembler
 * (replay/rp_tcp.c) and --judge on small synthesized captures
 * (replay/rp_smtp.c, rp_judge.c): retransmission, reordering, overlap,
 * gaps, mid-stream starts, sequence wrap, resets, truncated and garbage
 * files, link types.
 */
#include <arpa/inet.h>
#include <pcap/pcap.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/pcap.h"
#include "core/record.h"
#include "core/result.h"
#include "core/util.h"
#include "replay/rp_int.h"
#include "replay/rp_pkt.h"
#include "replay/rp_tcp.h"
#include "testutil.h"

/* ---- a collector of reassembler events ---- */

struct col {
	struct buf data[2];
	size_t gaps[2], ngap[2];
	int fins[2], rsts, opens, closes;
	unsigned last_flow;
	int client_port;
};

static void
col_cb(struct rp_flow *f, enum rp_tcp_ev ev, int dir, const uint8_t *data,
    size_t len, uint64_t ts, void *arg)
{
	struct col *c = arg;

	switch (ev) {
	case RP_TCP_OPEN:
		c->opens++;
		c->last_flow = f->id;
		c->client_port = f->port[0];
		break;
	case RP_TCP_DATA:
		ck_assert_uint_gt(len, 0);
		buf_append(&c->data[dir], data, len);
		break;
	case RP_TCP_GAP:
		c->gaps[dir] += len;
		c->ngap[dir]++;
		buf_append(&c->data[dir], "#", 1);   /* mark the hole */
		break;
	case RP_TCP_FIN:
		c->fins[dir]++;
		break;
	case RP_TCP_RST:
		c->rsts++;
		break;
	case RP_TCP_CLOSE:
		c->closes++;
		break;
	}
}

static void
col_free(struct col *c)
{
	buf_free(&c->data[0]);
	buf_free(&c->data[1]);
}

static const char *
col_str(struct col *c, int dir)
{
	return buf_cstr(&c->data[dir]);
}

#define CLI 0x7f010101u
#define SRV 0x7f190b0bu

static uint64_t frame_no;

/* A packet from the client (dir 0) or server (dir 1). */
static struct rp_pkt
pkt(int dir, uint32_t seq, uint32_t ack, uint8_t flags, const char *payload)
{
	struct rp_pkt p;
	uint32_t a = htonl(dir == 0 ? CLI : SRV), b = htonl(dir == 0 ? SRV : CLI);

	memset(&p, 0, sizeof(p));
	p.frame = ++frame_no;
	p.ts_us = 1700000000000000ull + frame_no * 1000;
	p.af = 4;
	memcpy(p.src, &a, 4);
	memcpy(p.dst, &b, 4);
	p.proto = 6;
	p.sport = dir == 0 ? 40000 : 25;
	p.dport = dir == 0 ? 25 : 40000;
	p.seq = seq;
	p.ack = ack;
	p.flags = flags;
	p.payload = (const uint8_t *)payload;
	p.len = p.wire_len = payload ? strlen(payload) : 0;
	return p;
}

static void
feed(struct rp_tcp *t, struct rp_pkt p)
{
	rp_tcp_packet(t, &p);
}

/* handshake: client ISN ci, server ISN si */
static void
handshake(struct rp_tcp *t, uint32_t ci, uint32_t si)
{
	feed(t, pkt(0, ci, 0, RP_F_SYN, NULL));
	feed(t, pkt(1, si, ci + 1, RP_F_SYN | RP_F_ACK, NULL));
	feed(t, pkt(0, ci + 1, si + 1, RP_F_ACK, NULL));
}

START_TEST(test_in_order)
{
	struct col c = { 0 };
	struct rp_tcp *t = rp_tcp_new(col_cb, &c);

	handshake(t, 1000, 5000);
	feed(t, pkt(1, 5001, 1001, RP_F_ACK, "220 hi\r\n"));
	feed(t, pkt(0, 1001, 5009, RP_F_ACK, "EHLO x\r\n"));
	feed(t, pkt(0, 1009, 5009, RP_F_ACK | RP_F_FIN, NULL));
	feed(t, pkt(1, 5009, 1010, RP_F_ACK | RP_F_FIN, NULL));
	ck_assert_int_eq(c.closes, 1);   /* both FINs: closed right away */
	rp_tcp_free(t);
	ck_assert_str_eq(col_str(&c, 0), "EHLO x\r\n");
	ck_assert_str_eq(col_str(&c, 1), "220 hi\r\n");
	ck_assert_int_eq(c.fins[0], 1);
	ck_assert_int_eq(c.fins[1], 1);
	ck_assert_int_eq(c.opens, 1);
	ck_assert_int_eq(c.closes, 1);
	ck_assert_uint_eq(c.gaps[0] + c.gaps[1], 0);
	col_free(&c);
}
END_TEST

START_TEST(test_retransmission)
{
	struct col c = { 0 };
	struct rp_tcp *t = rp_tcp_new(col_cb, &c);

	handshake(t, 1000, 5000);
	feed(t, pkt(0, 1001, 5001, RP_F_ACK, "abc"));
	feed(t, pkt(0, 1001, 5001, RP_F_ACK, "abc"));   /* again */
	feed(t, pkt(0, 1004, 5001, RP_F_ACK, "def"));
	feed(t, pkt(0, 1001, 5001, RP_F_ACK, "abc"));   /* late copy */
	rp_tcp_free(t);
	ck_assert_str_eq(col_str(&c, 0), "abcdef");
	ck_assert_uint_eq(c.gaps[0], 0);
	col_free(&c);
}
END_TEST

START_TEST(test_reorder)
{
	struct col c = { 0 };
	struct rp_tcp *t = rp_tcp_new(col_cb, &c);

	handshake(t, 1000, 5000);
	feed(t, pkt(0, 1007, 5001, RP_F_ACK, "ghi"));
	feed(t, pkt(0, 1004, 5001, RP_F_ACK, "def"));
	ck_assert_uint_eq(c.data[0].len, 0);          /* held: the hole is first */
	feed(t, pkt(0, 1001, 5001, RP_F_ACK, "abc"));
	ck_assert_str_eq(col_str(&c, 0), "abcdefghi"); /* all at once, in order */
	rp_tcp_free(t);
	ck_assert_uint_eq(c.gaps[0], 0);
	col_free(&c);
}
END_TEST

START_TEST(test_overlap)
{
	struct col c = { 0 };
	struct rp_tcp *t = rp_tcp_new(col_cb, &c);

	handshake(t, 1000, 5000);
	feed(t, pkt(0, 1001, 5001, RP_F_ACK, "abcdef"));
	feed(t, pkt(0, 1004, 5001, RP_F_ACK, "defghi"));    /* 3 old, 3 new */
	feed(t, pkt(0, 1012, 5001, RP_F_ACK, "lmn"));       /* ahead */
	feed(t, pkt(0, 1010, 5001, RP_F_ACK, "jklm"));      /* fills, overlaps the held */
	rp_tcp_free(t);
	ck_assert_str_eq(col_str(&c, 0), "abcdefghijklmn");
	col_free(&c);
}
END_TEST

START_TEST(test_gap)
{
	struct col c = { 0 };
	struct rp_tcp *t = rp_tcp_new(col_cb, &c);

	handshake(t, 1000, 5000);
	feed(t, pkt(0, 1001, 5001, RP_F_ACK, "abc"));
	feed(t, pkt(0, 1009, 5001, RP_F_ACK, "xyz"));   /* 5 bytes never seen */
	rp_tcp_finish(t, 0);
	ck_assert_str_eq(col_str(&c, 0), "abc#xyz");
	ck_assert_uint_eq(c.gaps[0], 5);
	ck_assert_uint_eq(c.ngap[0], 1);
	/* the tail the server acknowledged but the capture lost */
	rp_tcp_free(t);
	col_free(&c);

	struct col d = { 0 };
	t = rp_tcp_new(col_cb, &d);
	handshake(t, 1000, 5000);
	feed(t, pkt(0, 1001, 5001, RP_F_ACK, "abc"));
	feed(t, pkt(1, 5001, 1011, RP_F_ACK, NULL));   /* acks 7 bytes more */
	rp_tcp_free(t);
	ck_assert_str_eq(col_str(&d, 0), "abc#");
	ck_assert_uint_eq(d.gaps[0], 7);
	col_free(&d);
}
END_TEST

START_TEST(test_midstream)
{
	struct col c = { 0 };
	struct rp_tcp *t = rp_tcp_new(col_cb, &c);

	/* first packet seen: the server's reply; then the client */
	feed(t, pkt(1, 77777, 123, RP_F_ACK, "250 ok\r\n"));
	feed(t, pkt(0, 123, 77785, RP_F_ACK, "QUIT\r\n"));
	feed(t, pkt(0, 129, 77785, RP_F_ACK, NULL));   /* bare ACK: nothing */
	rp_tcp_free(t);
	ck_assert_int_eq(c.opens, 1);
	ck_assert_int_eq(c.client_port, 40000);   /* port 25 is the server */
	ck_assert_str_eq(col_str(&c, 1), "250 ok\r\n");
	ck_assert_str_eq(col_str(&c, 0), "QUIT\r\n");
	col_free(&c);
}
END_TEST

START_TEST(test_wrap_and_reset)
{
	struct col c = { 0 };
	struct rp_tcp *t = rp_tcp_new(col_cb, &c);

	handshake(t, 0xfffffffdu, 5000);   /* data crosses 2^32 */
	feed(t, pkt(0, 0xfffffffeu, 5001, RP_F_ACK, "abcd"));
	feed(t, pkt(0, 2, 5001, RP_F_ACK, "ef"));
	feed(t, pkt(1, 5001, 4, RP_F_RST, NULL));
	ck_assert_int_eq(c.rsts, 1);
	ck_assert_int_eq(c.closes, 1);
	feed(t, pkt(0, 4, 5001, RP_F_ACK, "late"));   /* after the reset: ignored */
	rp_tcp_free(t);
	ck_assert_str_eq(col_str(&c, 0), "abcdef");
	ck_assert_int_eq(c.opens, 1);
	/* the same ports again with a new SYN: a second connection */
	struct col d = { 0 };
	t = rp_tcp_new(col_cb, &d);
	handshake(t, 1000, 5000);
	feed(t, pkt(0, 1001, 5001, RP_F_ACK, "one"));
	feed(t, pkt(0, 1004, 5001, RP_F_ACK | RP_F_FIN, NULL));
	feed(t, pkt(1, 5001, 1005, RP_F_ACK | RP_F_FIN, NULL));
	handshake(t, 9000, 7000);
	feed(t, pkt(0, 9001, 7001, RP_F_ACK, "two"));
	rp_tcp_free(t);
	ck_assert_int_eq(d.opens, 2);
	ck_assert_int_eq(d.closes, 2);
	ck_assert_str_eq(col_str(&d, 0), "onetwo");
	col_free(&c);
	col_free(&d);
}
END_TEST

/* ---- the decoder ---- */

START_TEST(test_decode_links)
{
	uint8_t f[256], g[300];
	struct pcap_tcp_hdr h = { CLI, SRV, 40000, 25, 1, 2, PCAP_TCP_ACK | PCAP_TCP_PSH,
		512, false, 7 };
	size_t n = pcap_frame_tcp(f, sizeof(f), &h, (const uint8_t *)"EHLO a\r\n", 8);
	struct rp_pkt p;

	ck_assert_uint_gt(n, 0);
	ck_assert_int_eq(rp_decode(DLT_EN10MB, f, n, &p), RP_OK);
	ck_assert_uint_eq(p.sport, 40000);
	ck_assert_uint_eq(p.dport, 25);
	ck_assert_uint_eq(p.len, 8);
	ck_assert(memcmp(p.payload, "EHLO a\r\n", 8) == 0);
	/* raw IP: the Ethernet header off */
	ck_assert_int_eq(rp_decode(DLT_RAW, f + 14, n - 14, &p), RP_OK);
	ck_assert_uint_eq(p.len, 8);
	/* Linux cooked v2: 20 bytes, protocol first */
	memset(g, 0, 20);
	g[0] = 0x08;
	memcpy(g + 20, f + 14, n - 14);
	ck_assert_int_eq(rp_decode(DLT_LINUX_SLL2, g, n + 6, &p), RP_OK);
	ck_assert_uint_eq(p.seq, 1);
	/* Linux cooked v1: protocol at 14 */
	memset(g, 0, 16);
	g[14] = 0x08;
	memcpy(g + 16, f + 14, n - 14);
	ck_assert_int_eq(rp_decode(DLT_LINUX_SLL, g, n + 2, &p), RP_OK);
	/* loopback */
	memset(g, 0, 4);
	g[0] = 2;
	memcpy(g + 4, f + 14, n - 14);
	ck_assert_int_eq(rp_decode(DLT_NULL, g, n - 10, &p), RP_OK);
	/* lies and short frames */
	ck_assert_int_eq(rp_decode(DLT_EN10MB, f, 20, &p), RP_SKIP_SHORT);
	ck_assert_int_eq(rp_decode(DLT_EN10MB, f, 14 + 20 + 10, &p), RP_SKIP_SHORT);
	memcpy(g, f, n);
	g[14] = 0x44;   /* IHL 4: below the minimum */
	ck_assert_int_eq(rp_decode(DLT_EN10MB, g, n, &p), RP_SKIP_BAD);
	memcpy(g, f, n);
	g[14 + 20 + 12] = 0x20;   /* TCP data offset 2 */
	ck_assert_int_eq(rp_decode(DLT_EN10MB, g, n, &p), RP_SKIP_BAD);
	memcpy(g, f, n);
	g[12] = 0x08;
	g[13] = 0x06;   /* ARP */
	ck_assert_int_eq(rp_decode(DLT_EN10MB, g, n, &p), RP_SKIP_LINK);
	ck_assert(!rp_dlt_supported(DLT_IEEE802_11));
}
END_TEST

/* ---- files ---- */

struct conv {
	uint32_t cseq, sseq;
	uint64_t ts;
	struct pcap_writer *w;
};

static void
put(struct conv *cv, int dir, uint8_t flags, const char *payload)
{
	uint8_t f[2048];
	size_t n = payload ? strlen(payload) : 0;
	struct pcap_tcp_hdr h = {
		dir == 0 ? CLI : SRV, dir == 0 ? SRV : CLI,
		dir == 0 ? 40000 : 25, dir == 0 ? 25 : 40000,
		dir == 0 ? cv->cseq : cv->sseq, dir == 0 ? cv->sseq : cv->cseq,
		flags, 512, (flags & PCAP_TCP_SYN) != 0, 1 };
	size_t len = pcap_frame_tcp(f, sizeof(f), &h, (const uint8_t *)payload, n);

	ck_assert_uint_gt(len, 0);
	(void)pcap_writer_put(cv->w, cv->ts += 1000, f, len);
	uint32_t adv = (uint32_t)n + ((flags & (PCAP_TCP_SYN | PCAP_TCP_FIN)) ? 1 : 0);
	if (dir == 0)
		cv->cseq += adv;
	else
		cv->sseq += adv;
}

/* A plaintext delivery as a capture file; with_tls: STARTTLS then a
 * ClientHello the server answers with an alert. */
static void
write_conv(const char *path, bool deliver)
{
	struct conv cv = { 1000, 5000, 1700000000000000ull, NULL };
	char err[256];

	ck_assert_int_eq(pcap_writer_open(&cv.w, path, err, sizeof(err)), 0);
	put(&cv, 0, PCAP_TCP_SYN, NULL);
	put(&cv, 1, PCAP_TCP_SYN | PCAP_TCP_ACK, NULL);
	put(&cv, 0, PCAP_TCP_ACK, NULL);
	put(&cv, 1, PCAP_TCP_ACK, "220 mx.example.test ESMTP\r\n");
	put(&cv, 0, PCAP_TCP_ACK, "EHLO c.test\r\n");
	put(&cv, 1, PCAP_TCP_ACK, "250-mx.example.test\r\n250 PIPELINING\r\n");
	put(&cv, 0, PCAP_TCP_ACK, "MAIL FROM:<a@c.test>\r\nRCPT TO:<b@example.test>\r\n");
	put(&cv, 1, PCAP_TCP_ACK, "250 ok\r\n250 ok\r\n");
	if (deliver) {
		put(&cv, 0, PCAP_TCP_ACK, "DATA\r\n");
		put(&cv, 1, PCAP_TCP_ACK, "354 go\r\n");
		put(&cv, 0, PCAP_TCP_ACK, "Subject: x\r\n\r\nhello\r\n.\r\n");
		put(&cv, 1, PCAP_TCP_ACK, "250 queued\r\n");
	}
	put(&cv, 0, PCAP_TCP_ACK, "QUIT\r\n");
	put(&cv, 1, PCAP_TCP_ACK, "221 bye\r\n");
	put(&cv, 1, PCAP_TCP_ACK | PCAP_TCP_FIN, NULL);
	put(&cv, 0, PCAP_TCP_ACK | PCAP_TCP_FIN, NULL);
	ck_assert_int_eq(pcap_writer_close(cv.w, err, sizeof(err)), 0);
}

static struct res_run *
judge(const char *path, const char *expect, int *rc, char *err, size_t errlen)
{
	struct rp_judge_opts o = { .capture = path, .expect = expect, .quiet = true };
	struct res_run *run = res_run_new(0, "replay");

	*rc = rp_judge(&o, run, err, errlen);
	return run;
}

START_TEST(test_judge_plaintext)
{
	char path[] = "/tmp/check_replay_XXXXXX", err[512];
	int fd = mkstemp(path), rc;

	ck_assert_int_ge(fd, 0);
	close(fd);
	write_conv(path, true);
	struct res_run *run = judge(path, "plaintext", &rc, err, sizeof(err));
	ck_assert_msg(rc == 0, "%s", err);
	ck_assert_uint_eq(run->nscenarios, 1);
	struct res_scenario *s = run->scenarios[0];
	ck_assert_str_eq(s->domain, "example.test");
	ck_assert_uint_eq(s->phases[0].nmsgs, 1);
	ck_assert_str_eq(s->phases[0].msgs[0].delivery, "plaintext");
	ck_assert_str_eq(s->verdict, "pass");
	struct rec_session *rs = rec_get(s->rec, 0);
	ck_assert(rs->banner && !rs->starttls_offered && rs->mail_from);
	ck_assert(rs->data_sent && !rs->data_tls && rs->delivered);
	ck_assert_str_eq(rs->host, "mx.example.test");
	ck_assert_str_eq(rs->end, "quit");
	res_run_free(run);

	/* without DATA: refused, and an expectation of plaintext fails */
	write_conv(path, false);
	run = judge(path, "plaintext", &rc, err, sizeof(err));
	ck_assert_int_eq(rc, 0);
	ck_assert_str_eq(run->scenarios[0]->phases[0].msgs[0].delivery, "refused");
	ck_assert_str_eq(run->scenarios[0]->verdict, "fail");
	res_run_free(run);
	unlink(path);
}
END_TEST

START_TEST(test_bad_files)
{
	char path[] = "/tmp/check_replay_XXXXXX", err[512];
	int fd = mkstemp(path), rc;
	struct rp_reader *rd;
	struct rp_pkt p;

	ck_assert_int_ge(fd, 0);
	close(fd);
	/* zero-length, garbage */
	ck_assert_int_lt(rp_reader_open(&rd, path, err, sizeof(err)), 0);
	FILE *f = fopen(path, "w");
	fputs("this is not a capture at all, just some text\n", f);
	fclose(f);
	ck_assert_int_lt(rp_reader_open(&rd, path, err, sizeof(err)), 0);
	struct res_run *run = judge(path, NULL, &rc, err, sizeof(err));
	ck_assert_int_lt(rc, 0);
	res_run_free(run);
	/* truncated in the middle of a frame: what came before stays */
	write_conv(path, true);
	f = fopen(path, "r+");
	fseek(f, 0, SEEK_END);
	long size = ftell(f);
	fclose(f);
	ck_assert_int_eq(truncate(path, size - 30), 0);
	ck_assert_int_eq(rp_reader_open(&rd, path, err, sizeof(err)), 0);
	int n = 0, r;
	while ((r = rp_reader_next(rd, &p, err, sizeof(err))) == 1)
		n++;
	ck_assert_int_eq(r, -1);
	ck_assert(rp_reader_truncated(rd));
	ck_assert_int_eq(n, 15);   /* of 16: the last one is cut */
	rp_reader_free(rd);
	run = judge(path, "plaintext", &rc, err, sizeof(err));
	ck_assert_int_eq(rc, 0);
	ck_assert_str_eq(run->scenarios[0]->phases[0].msgs[0].delivery, "plaintext");
	res_run_free(run);
	/* a link type replay does not read */
	pcap_t *dead = pcap_open_dead(DLT_IEEE802_11, 65535);
	pcap_dumper_t *d = pcap_dump_open(dead, path);
	pcap_dump_close(d);
	pcap_close(dead);
	ck_assert_int_lt(rp_reader_open(&rd, path, err, sizeof(err)), 0);
	ck_assert(strstr(err, "not supported") != NULL);
	/* only non-SMTP traffic */
	unlink(path);
}
END_TEST

static Suite *
replay_suite(void)
{
	Suite *s = suite_create("replay");
	TCase *tc = tcase_create("replay");

	tcase_add_test(tc, test_in_order);
	tcase_add_test(tc, test_retransmission);
	tcase_add_test(tc, test_reorder);
	tcase_add_test(tc, test_overlap);
	tcase_add_test(tc, test_gap);
	tcase_add_test(tc, test_midstream);
	tcase_add_test(tc, test_wrap_and_reset);
	tcase_add_test(tc, test_decode_links);
	tcase_add_test(tc, test_judge_plaintext);
	tcase_add_test(tc, test_bad_files);
	suite_add_tcase(s, tc);
	return s;
}

TEST_MAIN(replay_suite)
