/*
 * Unit tests for core/pcap.c (frame builders, libpcap writer) and
 * core/capture.c (TCP/UDP framing synthesized from the conns of a loop):
 * checksums recomputed here independently, sequence and acknowledgement
 * arithmetic, handshake, MSS splitting, FIN, RST (conn_reset, unread
 * input, data to a closed socket, refused connect), an outside peer, the
 * UDP port map, the key log and the notes sidecar, byte-identical files
 * for the same exchange.  Files are read back with libpcap's reader.
 */
#include <arpa/inet.h>
#include <jansson.h>
#include <pcap/pcap.h>
#include <stdint.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/capture.h"
#include "core/conn.h"
#include "core/loop.h"
#include "core/pcap.h"
#include "core/pki.h"
#include "core/record.h"
#include "testutil.h"

#define EPOCH 1780272000   /* 2026-06-01T00:00:00Z */
#define SRV_IP "127.9.0.1"
#define CLI_IP "127.1.0.1"
#define MAXFR 256

/* --- reading frames back --- */

struct fr {
	uint64_t ts_us;
	uint8_t proto;
	uint32_t src, dst;
	uint16_t sport, dport;
	uint32_t seq, ack;
	uint8_t flags;
	uint16_t win;
	size_t hlen;            /* TCP header length */
	size_t plen;            /* payload length */
	char payload[64];
	bool csum_ok;
};

static uint16_t
get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t
get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* The checksum, computed the textbook way (not with pcap_inet_csum). */
static uint32_t
naive_sum(const uint8_t *p, size_t n)
{
	uint32_t s = 0;

	for (size_t i = 0; i < n; i++)
		s += (i % 2 == 0) ? (uint32_t)p[i] << 8 : p[i];
	return s;
}

static bool
sum_ok(uint32_t s)
{
	while (s > 0xffff)
		s = (s & 0xffff) + (s >> 16);
	return s == 0xffff;
}

/* Parse one Ethernet/IPv4 frame; checks lengths and every checksum. */
static void
parse(const uint8_t *f, size_t len, struct fr *r)
{
	const uint8_t *ip = f + 14, *l4;
	size_t iplen, l4len;
	uint32_t ps;

	memset(r, 0, sizeof(*r));
	ck_assert_uint_ge(len, 34);
	ck_assert_uint_eq(get16(f + 12), 0x0800);
	ck_assert_uint_eq(ip[0], 0x45);
	iplen = get16(ip + 2);
	ck_assert_uint_eq(iplen + 14, len);
	r->proto = ip[9];
	r->src = get32(ip + 12);
	r->dst = get32(ip + 16);
	/* the MACs follow the addresses */
	ck_assert_uint_eq(get32(f + 2), r->dst);
	ck_assert_uint_eq(get32(f + 8), r->src);
	r->csum_ok = sum_ok(naive_sum(ip, 20));
	l4 = ip + 20;
	l4len = iplen - 20;
	ps = (r->src >> 16) + (r->src & 0xffff) + (r->dst >> 16) + (r->dst & 0xffff) +
	    r->proto + (uint32_t)l4len;
	r->csum_ok = r->csum_ok && sum_ok(ps + naive_sum(l4, l4len));
	r->sport = get16(l4);
	r->dport = get16(l4 + 2);
	if (r->proto == 6) {
		r->seq = get32(l4 + 4);
		r->ack = get32(l4 + 8);
		r->hlen = (size_t)(l4[12] >> 4) * 4;
		r->flags = l4[13];
		r->win = get16(l4 + 14);
	} else {
		ck_assert_uint_eq(r->proto, 17);
		ck_assert_uint_eq(get16(l4 + 4), l4len);
		r->hlen = 8;
	}
	r->plen = l4len - r->hlen;
	memcpy(r->payload, l4 + r->hlen, r->plen < sizeof(r->payload) - 1 ?
	    r->plen : sizeof(r->payload) - 1);
}

static int
read_frames(const char *path, struct fr *out, int max)
{
	char err[PCAP_ERRBUF_SIZE];
	pcap_t *p = pcap_open_offline(path, err);
	struct pcap_pkthdr *h;
	const u_char *d;
	int n = 0;

	ck_assert_msg(p != NULL, "%s", err);
	ck_assert_int_eq(pcap_datalink(p), DLT_EN10MB);
	while (pcap_next_ex(p, &h, &d) == 1) {
		ck_assert_int_lt(n, max);
		ck_assert_uint_eq(h->caplen, h->len);
		parse(d, h->caplen, &out[n]);
		out[n].ts_us = (uint64_t)h->ts.tv_sec * 1000000 + (uint64_t)h->ts.tv_usec;
		n++;
	}
	pcap_close(p);
	return n;
}

#define F_S PCAP_TCP_SYN
#define F_A PCAP_TCP_ACK
#define F_F PCAP_TCP_FIN
#define F_R PCAP_TCP_RST
#define F_P PCAP_TCP_PSH

/* Frame i goes from the client (to_srv) or the server, with these flags,
 * seq and ack relative to the two initial sequence numbers, and plen
 * bytes of payload. */
static void
expect(const struct fr *f, int i, bool to_srv, uint8_t flags, uint32_t cisn,
    uint32_t sisn, uint32_t rseq, uint32_t rack, size_t plen)
{
	const struct fr *x = &f[i];
	uint32_t my = to_srv ? cisn : sisn, peer = to_srv ? sisn : cisn;

	ck_assert_msg(x->proto == 6, "frame %d: not TCP", i + 1);
	ck_assert_msg(x->csum_ok, "frame %d: bad checksum", i + 1);
	ck_assert_msg(x->flags == flags, "frame %d: flags 0x%02x, want 0x%02x",
	    i + 1, x->flags, flags);
	ck_assert_msg((x->dport == 2525) == to_srv, "frame %d: direction", i + 1);
	ck_assert_msg(x->seq - my == rseq, "frame %d: relative seq %u, want %u",
	    i + 1, x->seq - my, rseq);
	if (flags & F_A)
		ck_assert_msg(x->ack - peer == rack, "frame %d: relative ack %u, want %u",
		    i + 1, x->ack - peer, rack);
	ck_assert_msg(x->plen == plen, "frame %d: %zu bytes, want %zu", i + 1,
	    x->plen, plen);
}

/* --- frame builders --- */

START_TEST(frames_have_valid_checksums_and_layout)
{
	static uint8_t buf[PCAP_FRAME_MAX];
	const uint8_t pay[] = "odd length!";   /* 12 bytes with the NUL: make it 11 */
	struct pcap_tcp_hdr h = {
		.src = 0x7f010001, .dst = 0x7f190b0b, .sport = 40000, .dport = 25,
		.seq = 0xfffffff0u, .ack = 12345, .flags = F_S | F_A, .win = 65535,
		.syn_opts = true, .ip_id = 7,
	};
	struct fr r;
	size_t n;

	n = pcap_frame_tcp(buf, sizeof(buf), &h, pay, 11);
	ck_assert_uint_eq(n, 14 + 20 + 28 + 11);
	parse(buf, n, &r);
	ck_assert(r.csum_ok);
	ck_assert_uint_eq(r.hlen, 28);
	ck_assert_uint_eq(r.seq, 0xfffffff0u);
	ck_assert_uint_eq(r.ack, 12345);
	ck_assert_uint_eq(r.flags, F_S | F_A);
	ck_assert_mem_eq(buf + 14 + 20 + 20, "\x02\x04\x05\xb4\x01\x03\x03\x07", 8);
	ck_assert_mem_eq(r.payload, "odd length!", 11);
	ck_assert_uint_eq(get16(buf + 14 + 6), 0x4000);     /* DF */
	/* one flipped bit is caught */
	buf[n - 1] ^= 1;
	parse(buf, n, &r);
	ck_assert(!r.csum_ok);

	n = pcap_frame_udp(buf, sizeof(buf), 0x7f350001, 53, 0x7f010001, 33000, 1,
	    pay, 11);
	ck_assert_uint_eq(n, 14 + 20 + 8 + 11);
	parse(buf, n, &r);
	ck_assert(r.csum_ok);
	ck_assert_uint_eq(r.sport, 53);
	ck_assert_uint_eq(r.plen, 11);
	ck_assert_uint_ne(get16(buf + 14 + 20 + 6), 0);     /* a checksum is set */

	/* what cannot fit is refused, not truncated */
	ck_assert_uint_eq(pcap_frame_udp(buf, sizeof(buf), 1, 1, 2, 2, 0, buf,
	    PCAP_UDP_MAX + 1), 0);
	ck_assert_uint_eq(pcap_frame_tcp(buf, 100, &h, buf, 200), 0);
	ck_assert_uint_eq(pcap_inet_csum((const uint8_t *)"\x45\x00", 2, 0), 0xbaff);
}
END_TEST

START_TEST(writer_round_trip)
{
	static uint8_t buf[PCAP_FRAME_MAX];
	char path[] = "/tmp/check_pcap_XXXXXX", err[256];
	struct pcap_writer *w;
	struct pcap_tcp_hdr h = { .src = 1, .dst = 2, .sport = 3, .dport = 4,
	    .flags = F_A, .win = 10 };
	struct fr f[4];
	int fd = mkstemp(path);
	size_t n;

	ck_assert_int_ge(fd, 0);
	close(fd);
	ck_assert_int_eq(pcap_writer_open(&w, path, err, sizeof(err)), 0);
	n = pcap_frame_tcp(buf, sizeof(buf), &h, NULL, 0);
	ck_assert_uint_eq(pcap_writer_put(w, 1500000123456ull, buf, n), 1);
	ck_assert_uint_eq(pcap_writer_put(w, 1500000123457ull, buf, n), 2);
	ck_assert_uint_eq(pcap_writer_frames(w), 2);
	ck_assert_int_eq(pcap_writer_close(w, err, sizeof(err)), 0);
	ck_assert_int_eq(read_frames(path, f, 4), 2);
	ck_assert_uint_eq(f[0].ts_us, 1500000123456ull);
	ck_assert_uint_eq(f[1].ts_us, 1500000123457ull);
	unlink(path);
	ck_assert_int_eq(pcap_writer_close(NULL, err, sizeof(err)), 0);
	ck_assert_int_eq(pcap_writer_open(&w, "/nonexistent/x.pcap", err, sizeof(err)), -1);
	ck_assert_ptr_null(w);
	ck_assert_ptr_nonnull(strstr(err, "/nonexistent/x.pcap"));
}
END_TEST

/* --- a client and a server on one loop, captured --- */

enum srv_mode {
	SRV_REPLY,      /* read "hello", answer 3000 bytes, close after the client */
	SRV_RESET,      /* RST at once */
	SRV_BANNER,     /* send a banner and close at once */
	SRV_DEAF,       /* never read; close after 1 s with input unread */
	SRV_ECHO_TLS,   /* TLS server: answer one line, close after the client */
};

struct env {
	struct loop *l;
	struct capture *cap;
	struct rec *rec;
	struct rec_session *sess;
	int lfd;
	enum srv_mode mode;
	struct conn *srv, *cli;
	size_t got;
	bool cli_done, srv_done;
	SSL_CTX *sctx, *cctx;
	char dir[64], pcap[96], keylog[96], notes[96];
};

static void
srv_gone(struct env *e, struct conn *c)
{
	conn_close(c);
	e->srv = NULL;
	e->srv_done = true;
}

static void
deaf_close(void *arg)
{
	struct env *e = arg;

	srv_gone(e, e->srv);
}

static void
srv_cb(struct conn *c, enum conn_ev ev, void *arg)
{
	struct env *e = arg;
	char *line;
	size_t n;

	switch (ev) {
	case CONN_DATA:
		if (e->mode == SRV_ECHO_TLS) {
			while (conn_getline(c, &line, &n) == 1)
				conn_printf(c, "250 %s\r\n", line);
			break;
		}
		(void)conn_peek(c, &n);
		conn_consume(c, n);
		if (e->mode == SRV_REPLY) {
			static char big[3000];
			memset(big, 'y', sizeof(big));
			if (e->rec != NULL)
				rec_line(e->rec, e->sess, '!', "attacker: changed the reply");
			conn_write(c, big, sizeof(big));
		}
		break;
	case CONN_EOF:
	case CONN_ERROR:
	case CONN_TIMEOUT:
	case CONN_TLS_FAILED:
		srv_gone(e, c);
		break;
	default:
		break;
	}
}

static void
accept_cb(int fd, uint32_t events, void *arg)
{
	struct env *e = arg;
	int s = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

	if (s < 0)
		return;
	e->srv = conn_new(e->l, s, srv_cb, e);
	switch (e->mode) {
	case SRV_RESET:
		conn_reset(e->srv);
		e->srv = NULL;
		e->srv_done = true;
		break;
	case SRV_BANNER:
		conn_printf(e->srv, "220 hi\r\n");
		srv_gone(e, e->srv);
		break;
	case SRV_DEAF:
		conn_pause_read(e->srv, true);
		loop_timer_add(e->l, 1000, deaf_close, e);
		break;
	case SRV_ECHO_TLS:
		ck_assert_int_eq(conn_starttls(e->srv, e->sctx, true, NULL), 0);
		break;
	default:
		break;
	}
}

static void
cli_cb(struct conn *c, enum conn_ev ev, void *arg)
{
	struct env *e = arg;
	size_t n;

	switch (ev) {
	case CONN_CONNECTED:
		if (e->mode == SRV_ECHO_TLS)
			ck_assert_int_eq(conn_starttls(c, e->cctx, false, "mx.test"), 0);
		else if (e->mode != SRV_BANNER)
			conn_write(c, "hello", 5);
		break;
	case CONN_TLS_OK:
		conn_printf(c, "MAIL FROM:<a@b.test>\r\n");
		break;
	case CONN_DATA:
		(void)conn_peek(c, &n);
		conn_consume(c, n);
		e->got += n;
		if (e->mode == SRV_BANNER) {
			conn_write(c, "QUIT\r\n", 6);   /* to a closed socket */
			break;
		}
		if ((e->mode == SRV_REPLY && e->got == 3000) ||
		    (e->mode == SRV_ECHO_TLS && e->got == 26)) {
			conn_close(c);
			e->cli = NULL;
			e->cli_done = true;
		}
		break;
	case CONN_EOF:
	case CONN_ERROR:
	case CONN_TIMEOUT:
	case CONN_TLS_FAILED:
		conn_close(c);
		e->cli = NULL;
		e->cli_done = true;
		break;
	default:
		break;
	}
}

static bool
both_done(void *arg)
{
	struct env *e = arg;
	return e->cli_done && e->srv_done && loop_nfds(e->l) == 1 &&
	    loop_ntimers(e->l) == 0;
}

static bool
flag_cli(void *arg)
{
	struct env *e = arg;
	return e->cli_done && loop_nfds(e->l) == 0 && loop_ntimers(e->l) == 0;
}

static void
env_open(struct env *e, enum srv_mode mode, bool listen)
{
	char err[256];

	tu_netns();
	memset(e, 0, sizeof(*e));
	e->mode = mode;
	snprintf(e->dir, sizeof(e->dir), "/tmp/check_pcap_XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(e->dir));
	snprintf(e->pcap, sizeof(e->pcap), "%s/c.pcap", e->dir);
	snprintf(e->keylog, sizeof(e->keylog), "%s/keylog.txt", e->dir);
	snprintf(e->notes, sizeof(e->notes), "%s/c.json", e->dir);
	ck_assert_int_eq(capture_open(&e->cap, e->pcap, e->keylog, e->notes, err,
	    sizeof(err)), 0);
	e->l = loop_new(LOOP_SKIP, EPOCH);
	e->rec = rec_new(e->l);
	e->sess = rec_session_new(e->rec, "mx.test", SRV_IP, 2525);
	capture_begin(e->cap, e->l, e->rec, "test/scenario");
	e->lfd = -1;
	if (listen) {
		e->lfd = conn_listen(SRV_IP, 2525);
		ck_assert_int_ge(e->lfd, 0);
		ck_assert_int_eq(loop_add_fd(e->l, e->lfd, EPOLLIN, accept_cb, e), 0);
	}
}

static void
env_run(struct env *e)
{
	e->cli = conn_connect(e->l, CLI_IP, SRV_IP, 2525, cli_cb, e);
	ck_assert_ptr_nonnull(e->cli);
	if (e->lfd < 0) {
		e->srv_done = true;
		ck_assert_int_eq(loop_run_until(e->l, flag_cli, e, 10000), 0);
	} else {
		ck_assert_int_eq(loop_run_until(e->l, both_done, e, 10000), 0);
	}
}

static void
env_close(struct env *e)
{
	char err[256];

	if (e->lfd >= 0) {
		loop_del_fd(e->l, e->lfd);
		close(e->lfd);
	}
	ck_assert_uint_eq(loop_nfds(e->l), 0);
	capture_end(e->cap);
	ck_assert_int_eq(capture_close(e->cap, err, sizeof(err)), 0);
	rec_free(e->rec);
	loop_free(e->l);
}

static void
env_rm(struct env *e)
{
	unlink(e->pcap);
	unlink(e->keylog);
	unlink(e->notes);
	rmdir(e->dir);
}

/* Initial sequence numbers: from the SYN and the SYN/ACK. */
static void
isns(const struct fr *f, uint32_t *c, uint32_t *s)
{
	ck_assert_uint_eq(f[0].flags, F_S);
	*c = f[0].seq;
	*s = f[1].flags == (F_S | F_A) ? f[1].seq : 0;
}

START_TEST(handshake_data_split_fin)
{
	struct env e;
	struct fr f[MAXFR];
	uint32_t c, s;
	int n;

	env_open(&e, SRV_REPLY, true);
	env_run(&e);
	env_close(&e);
	n = read_frames(e.pcap, f, MAXFR);
	isns(f, &c, &s);
	ck_assert_int_eq(n, 13);
	expect(f, 0, true, F_S, c, s, 0, 0, 0);
	ck_assert_uint_eq(f[0].hlen, 28);                  /* MSS, window scale */
	ck_assert_uint_eq(f[0].src, 0x7f010001);
	ck_assert_uint_eq(f[0].sport, 32768);              /* rewritten port */
	ck_assert_uint_eq(f[0].ts_us, (uint64_t)EPOCH * 1000000);
	expect(f, 1, false, F_S | F_A, c, s, 0, 1, 0);
	expect(f, 2, true, F_A, c, s, 1, 1, 0);
	expect(f, 3, true, F_P | F_A, c, s, 1, 1, 5);
	ck_assert_mem_eq(f[3].payload, "hello", 5);
	expect(f, 4, false, F_A, c, s, 1, 6, 0);
	expect(f, 5, false, F_A, c, s, 1, 6, 1460);        /* MSS split */
	expect(f, 6, false, F_A, c, s, 1461, 6, 1460);
	expect(f, 7, false, F_P | F_A, c, s, 2921, 6, 80);
	expect(f, 8, true, F_A, c, s, 6, 3001, 0);
	expect(f, 9, true, F_F | F_A, c, s, 6, 3001, 0);   /* client closes first */
	expect(f, 10, false, F_A, c, s, 3001, 7, 0);
	expect(f, 11, false, F_F | F_A, c, s, 3001, 7, 0);
	expect(f, 12, true, F_A, c, s, 7, 3002, 0);
	for (int i = 0; i < n; i++)
		ck_assert_uint_eq(f[i].sport == 2525 ? f[i].dport : f[i].sport, 32768);
	env_rm(&e);
}
END_TEST

START_TEST(reset_gives_rst_ack)
{
	struct env e;
	struct fr f[MAXFR];
	uint32_t c, s;

	env_open(&e, SRV_RESET, true);
	env_run(&e);
	env_close(&e);
	ck_assert_int_eq(read_frames(e.pcap, f, MAXFR), 4);
	isns(f, &c, &s);
	expect(f, 3, false, F_R | F_A, c, s, 1, 1, 0);
	env_rm(&e);
}
END_TEST

START_TEST(refused_connect_gives_syn_then_rst)
{
	struct env e;
	struct fr f[MAXFR];

	env_open(&e, SRV_REPLY, false);
	env_run(&e);
	env_close(&e);
	ck_assert_int_eq(read_frames(e.pcap, f, MAXFR), 2);
	ck_assert_uint_eq(f[0].flags, F_S);
	ck_assert_uint_eq(f[1].flags, F_R | F_A);
	ck_assert_uint_eq(f[1].seq, 0);
	ck_assert_uint_eq(f[1].ack, f[0].seq + 1);
	ck_assert_uint_eq(f[1].win, 0);
	ck_assert(f[1].csum_ok);
	env_rm(&e);
}
END_TEST

START_TEST(data_to_a_closed_socket_gets_rst)
{
	struct env e;
	struct fr f[MAXFR];
	uint32_t c, s;

	env_open(&e, SRV_BANNER, true);
	env_run(&e);
	env_close(&e);
	ck_assert_int_eq(read_frames(e.pcap, f, MAXFR), 9);
	isns(f, &c, &s);
	expect(f, 3, false, F_P | F_A, c, s, 1, 1, 8);
	expect(f, 4, true, F_A, c, s, 1, 9, 0);
	expect(f, 5, false, F_F | F_A, c, s, 9, 1, 0);
	expect(f, 6, true, F_A, c, s, 1, 10, 0);
	expect(f, 7, true, F_P | F_A, c, s, 1, 10, 6);
	expect(f, 8, false, F_R, c, s, 10, 0, 0);      /* seq = the ack it got */
	env_rm(&e);
}
END_TEST

START_TEST(close_with_unread_input_is_rst)
{
	struct env e;
	struct fr f[MAXFR];
	uint32_t c, s;
	int n;

	env_open(&e, SRV_DEAF, true);
	env_run(&e);
	env_close(&e);
	n = read_frames(e.pcap, f, MAXFR);
	isns(f, &c, &s);
	ck_assert_int_eq(n, 6);
	expect(f, 3, true, F_P | F_A, c, s, 1, 1, 5);
	expect(f, 4, false, F_A, c, s, 1, 6, 0);
	expect(f, 5, false, F_R | F_A, c, s, 1, 6, 0);
	ck_assert_uint_eq(f[5].ts_us, (uint64_t)EPOCH * 1000000 + 1000000);  /* 1 s later */
	env_rm(&e);
}
END_TEST

/* A client that is not a conn of the loop (an outside program): what it
 * sent is rebuilt from what the server read. */
START_TEST(outside_client_rebuilt_from_the_server_side)
{
	struct env e;
	struct fr f[MAXFR];
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(2525) };
	uint32_t c, s;
	int fd, n;

	env_open(&e, SRV_REPLY, true);
	inet_pton(AF_INET, SRV_IP, &sa.sin_addr);
	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	ck_assert_int_eq(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	ck_assert_int_eq(send(fd, "hello", 5, 0), 5);
	for (int i = 0; i < 10000 && e.got < 3000; i++) {
		char b[4096];
		ssize_t r;
		(void)loop_run_once(e.l);
		r = recv(fd, b, sizeof(b), MSG_DONTWAIT);
		if (r > 0)
			e.got += (size_t)r;
	}
	ck_assert_uint_eq(e.got, 3000);
	close(fd);
	e.cli_done = true;
	ck_assert_int_eq(loop_run_until(e.l, both_done, &e, 10000), 0);
	env_close(&e);
	n = read_frames(e.pcap, f, MAXFR);
	isns(f, &c, &s);
	ck_assert_int_eq(n, 13);
	expect(f, 3, true, F_P | F_A, c, s, 1, 1, 5);
	expect(f, 4, false, F_A, c, s, 1, 6, 0);
	expect(f, 7, false, F_P | F_A, c, s, 2921, 6, 80);
	expect(f, 8, true, F_A, c, s, 6, 3001, 0);
	expect(f, 9, true, F_F | F_A, c, s, 6, 3001, 0);
	expect(f, 11, false, F_F | F_A, c, s, 3001, 7, 0);
	expect(f, 12, true, F_A, c, s, 7, 3002, 0);
	env_rm(&e);
}
END_TEST

START_TEST(udp_port_map_follows_the_socket)
{
	struct env e;
	struct fr f[MAXFR];
	struct sockaddr_in cli = { .sin_family = AF_INET }, srv = {
		.sin_family = AF_INET, .sin_port = htons(53) };
	socklen_t len = sizeof(cli);
	int fd;

	env_open(&e, SRV_REPLY, false);
	inet_pton(AF_INET, CLI_IP, &cli.sin_addr);
	inet_pton(AF_INET, "127.53.0.1", &srv.sin_addr);
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&cli, sizeof(cli)), 0);
	ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&cli, &len), 0);
	conn_wire_dgram(e.l, &cli, &srv, true, "query1", 6);
	conn_wire_dgram(e.l, &cli, &srv, false, "answer1", 7);
	conn_wire_dgram(e.l, &cli, &srv, true, "q2", 2);
	conn_wire_dgram_closed(e.l, fd);
	conn_wire_dgram(e.l, &cli, &srv, true, "q3", 2);     /* a new socket */
	close(fd);
	env_close(&e);
	ck_assert_int_eq(read_frames(e.pcap, f, MAXFR), 4);
	for (int i = 0; i < 4; i++) {
		ck_assert_uint_eq(f[i].proto, 17);
		ck_assert(f[i].csum_ok);
	}
	ck_assert_uint_eq(f[0].sport, 32768);
	ck_assert_uint_eq(f[0].dport, 53);
	ck_assert_mem_eq(f[0].payload, "query1", 6);
	ck_assert_uint_eq(f[1].sport, 53);
	ck_assert_uint_eq(f[1].dport, 32768);
	ck_assert_uint_eq(f[1].src, 0x7f350001);
	ck_assert_uint_eq(f[2].sport, 32768);
	ck_assert_uint_eq(f[3].sport, 32769);
	env_rm(&e);
}
END_TEST

static int
count_lines(const char *path, int *labels)
{
	char line[512];
	FILE *fp = fopen(path, "r");
	int n = 0;

	ck_assert_ptr_nonnull(fp);
	*labels = 0;
	while (fgets(line, sizeof(line), fp) != NULL) {
		n++;
		if (strncmp(line, "CLIENT_HANDSHAKE_TRAFFIC_SECRET ", 32) == 0 ||
		    strncmp(line, "SERVER_TRAFFIC_SECRET_0 ", 24) == 0)
			(*labels)++;
	}
	fclose(fp);
	return n;
}

START_TEST(keylog_once_per_secret)
{
	struct env e;
	struct pki *p;
	struct pki_cert *cert;
	struct pki_spec spec = { .variant = "valid", .host = "mx.test" };
	char err[256];
	int labels;

	env_open(&e, SRV_ECHO_TLS, true);
	p = pki_new(1, EPOCH);
	ck_assert_int_eq(pki_issue(p, &spec, &cert, err, sizeof(err)), 0);
	e.sctx = pki_server_ctx(cert);
	e.cctx = pki_client_ctx(p);
	env_run(&e);
	env_close(&e);
	/* both ends log the five TLS 1.3 secrets: each is written once */
	ck_assert_int_eq(count_lines(e.keylog, &labels), 5);
	ck_assert_int_eq(labels, 2);
	SSL_CTX_free(e.sctx);
	SSL_CTX_free(e.cctx);
	pki_cert_free(cert);
	pki_free(p);
	env_rm(&e);
}
END_TEST

START_TEST(notes_point_at_the_next_frame)
{
	struct env e;
	json_t *j, *notes, *sc;
	json_error_t jerr;

	env_open(&e, SRV_REPLY, true);
	env_run(&e);
	rec_line(e.rec, e.sess, '!', "late note");
	rec_line(e.rec, e.sess, '>', "not a note");
	env_close(&e);
	j = json_load_file(e.notes, 0, &jerr);
	ck_assert_msg(j != NULL, "%s", jerr.text);
	ck_assert_str_eq(json_string_value(json_object_get(j, "pcap")), "c.pcap");
	ck_assert_int_eq(json_integer_value(json_object_get(j, "frames")), 13);
	sc = json_array_get(json_object_get(j, "scenarios"), 0);
	ck_assert_str_eq(json_string_value(json_object_get(sc, "id")), "test/scenario");
	ck_assert_int_eq(json_integer_value(json_object_get(sc, "first_frame")), 1);
	ck_assert_int_eq(json_integer_value(json_object_get(sc, "last_frame")), 13);
	notes = json_object_get(j, "notes");
	ck_assert_uint_eq(json_array_size(notes), 2);
	/* made just before the 3000-byte reply: its first segment, frame 6 */
	ck_assert_int_eq(json_integer_value(json_object_get(json_array_get(notes, 0),
	    "frame")), 6);
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(notes, 0),
	    "text")), "attacker: changed the reply");
	/* made after the last frame: points at it */
	ck_assert_int_eq(json_integer_value(json_object_get(json_array_get(notes, 1),
	    "frame")), 13);
	json_decref(j);
	env_rm(&e);
}
END_TEST

static void
slurp(const char *path, char **data, size_t *len)
{
	FILE *fp = fopen(path, "rb");
	struct stat st;

	ck_assert_ptr_nonnull(fp);
	ck_assert_int_eq(fstat(fileno(fp), &st), 0);
	*len = (size_t)st.st_size;
	*data = malloc(*len + 1);
	ck_assert_uint_eq(fread(*data, 1, *len, fp), *len);
	fclose(fp);
}

START_TEST(same_exchange_same_bytes)
{
	struct env a, b;
	char *da, *db;
	size_t la, lb;

	/* the kernel picks other ports each time: the file must not care */
	env_open(&a, SRV_REPLY, true);
	env_run(&a);
	env_close(&a);
	env_open(&b, SRV_REPLY, true);
	env_run(&b);
	env_close(&b);
	slurp(a.pcap, &da, &la);
	slurp(b.pcap, &db, &lb);
	ck_assert_uint_eq(la, lb);
	ck_assert_uint_gt(la, 24);
	ck_assert(memcmp(da, db, la) == 0);
	free(da);
	free(db);
	env_rm(&a);
	env_rm(&b);
}
END_TEST

START_TEST(no_wiretap_no_events)
{
	struct env e;
	struct fr f[MAXFR];

	/* a loop without the capture: nothing is written */
	env_open(&e, SRV_REPLY, true);
	capture_end(e.cap);
	env_run(&e);
	env_close(&e);
	ck_assert_int_eq(read_frames(e.pcap, f, MAXFR), 0);
	env_rm(&e);
}
END_TEST

static Suite *
pcap_suite(void)
{
	Suite *s = suite_create("pcap");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, frames_have_valid_checksums_and_layout);
	tcase_add_test(tc, writer_round_trip);
	tcase_add_test(tc, handshake_data_split_fin);
	tcase_add_test(tc, reset_gives_rst_ack);
	tcase_add_test(tc, refused_connect_gives_syn_then_rst);
	tcase_add_test(tc, data_to_a_closed_socket_gets_rst);
	tcase_add_test(tc, close_with_unread_input_is_rst);
	tcase_add_test(tc, outside_client_rebuilt_from_the_server_side);
	tcase_add_test(tc, udp_port_map_follows_the_socket);
	tcase_add_test(tc, keylog_once_per_secret);
	tcase_add_test(tc, notes_point_at_the_next_frame);
	tcase_add_test(tc, same_exchange_same_bytes);
	tcase_add_test(tc, no_wiretap_no_events);
	suite_add_tcase(s, tc);
	return s;
}

TEST_MAIN(pcap_suite)
