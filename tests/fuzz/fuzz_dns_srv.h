/*
 * fuzz_dns_srv: the world's DNS server on the wire (fake-dns/dns_srv.c):
 * UDP datagrams and RFC 1035 length-framed TCP streams from a hostile
 * client, over loopback in a private network namespace, on the virtual
 * clock.  The db is fuzz_dns's (signed ".", "test." and three domains).
 *
 * Input: frames (fuzz_common.h), split at FDS_SPLIT:
 *   c < FDS_SPLIT        a UDP datagram of c bytes
 *   FDS_SPLIT <= c < 0xf0  c - FDS_SPLIT bytes written to the current TCP
 *                        connection (opened on first use)
 *   0xf0                 a new TCP connection (the old one stays open)
 *   0xf1                 the virtual clock passes the TCP idle timeout
 *   0xf2 / 0xf3          the current TCP connection closes (FIN / RST)
 *   0xf4                 the client reads its UDP answers
 *   other controls       no-ops
 *
 * Invariants: every TCP session ends by the idle timeout at the latest
 * (only the server's two sockets are left on the loop); afterwards the
 * server still answers a UDP and a TCP query for example.test. SOA with
 * the query's id; no fd or timer is left once it is freed.
 */
#ifndef MXSIM_FUZZ_DNS_SRV_H
#define MXSIM_FUZZ_DNS_SRV_H

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "tests/fuzz/fuzz_dns.h"

#define FDS_ADDR "127.53.0.1"
#define FDS_SPLIT 0x78
#define FDS_MAX_TCP 8

static void
fds_init(void)
{
	(void)fdn_one;      /* fuzz_dns's body: not used here */
	fdn_init();
	fuzz_setup(true);
}

/* A UDP socket bound to a fresh source address. */
static int
fds_udp_socket(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	FUZZ_CHECK(fd >= 0);
	FUZZ_CHECK(inet_pton(AF_INET, fuzz_src_addr(95), &a.sin_addr) == 1);
	FUZZ_CHECK(bind(fd, (struct sockaddr *)&a, sizeof(a)) == 0);
	return fd;
}

static void
fds_udp_send(int fd, const uint8_t *d, size_t n)
{
	struct sockaddr_in to = { .sin_family = AF_INET, .sin_port = htons(53) };

	FUZZ_CHECK(inet_pton(AF_INET, FDS_ADDR, &to.sin_addr) == 1);
	(void)sendto(fd, d, n, 0, (struct sockaddr *)&to, sizeof(to));
}

/* Reads every pending datagram; returns the id of an answer (QR set)
 * of at least a header, or -1. */
static int
fds_udp_drain(int fd)
{
	uint8_t b[65536];
	ssize_t n;
	int id = -1;

	while ((n = recv(fd, b, sizeof(b), 0)) >= 0 || errno == EINTR)
		if (n >= 12 && (b[2] & 0x80))
			id = b[0] << 8 | b[1];
	return id;
}

/* example.test. SOA with id, as wire; *len set. */
static uint8_t *
fds_probe_query(uint16_t id, size_t *len)
{
	ldns_rdf *name = ldns_dname_new_frm_str("example.test.");
	ldns_pkt *q = ldns_pkt_query_new(name, LDNS_RR_TYPE_SOA,
	    LDNS_RR_CLASS_IN, LDNS_RD);
	uint8_t *wire = NULL;

	FUZZ_CHECK(q != NULL);
	ldns_pkt_set_id(q, id);
	FUZZ_CHECK(ldns_pkt2wire(&wire, q, len) == LDNS_STATUS_OK);
	ldns_pkt_free(q);
	return wire;
}

static bool
fds_only_server(void *arg)
{
	/* the server's UDP and listening TCP sockets */
	return loop_nfds(arg) <= 2;
}

static bool
fds_quiet(void *arg)
{
	return loop_nfds(arg) == 0 && loop_ntimers(arg) == 0;
}

static void
fds_probe(struct loop *l, int ufd)
{
	struct fuzz_peer p;
	uint8_t *q, frame[2];
	size_t qlen;

	/* UDP: the answer carries the query's id */
	(void)fds_udp_drain(ufd);
	q = fds_probe_query(0x5151, &qlen);
	fds_udp_send(ufd, q, qlen);
	fuzz_idle(l);
	FUZZ_CHECK(fds_udp_drain(ufd) == 0x5151);
	free(q);

	/* TCP: an answer of at least a header comes back */
	q = fds_probe_query(0x5252, &qlen);
	fuzz_peer_connect(&p, l, fuzz_src_addr(96), FDS_ADDR, 53);
	fuzz_idle(l);
	FUZZ_CHECK(p.connected);
	frame[0] = (uint8_t)(qlen >> 8);
	frame[1] = (uint8_t)qlen;
	fuzz_peer_write(&p, frame, 2);
	fuzz_peer_write(&p, q, qlen);
	fuzz_idle(l);
	FUZZ_CHECK(p.got >= 14);
	FUZZ_CHECK((uint8_t)p.head[2] == 0x52 && (uint8_t)p.head[3] == 0x52);
	fuzz_peer_close(&p, false);
	free(q);
}

static void
fds_one(const uint8_t *data, size_t size)
{
	struct fuzz_in in = { data, size };
	struct fuzz_peer tcp[FDS_MAX_TCP];
	struct dns_srv *srv;
	struct loop *l;
	const uint8_t *d;
	size_t n, ntcp = 0;
	char err[256];
	int c, ufd;

	l = loop_new(LOOP_SKIP, FDN_CLOCK);
	srv = dns_srv_new(l, fdn_db, FDS_ADDR, 53, err, sizeof(err));
	if (srv == NULL)
		fprintf(stderr, "fuzz: %s\n", err);
	FUZZ_CHECK(srv != NULL);
	ufd = fds_udp_socket();

	while ((c = fuzz_frame(&in, FDS_SPLIT, &d, &n)) >= 0) {
		struct fuzz_peer *cur = ntcp > 0 ? &tcp[ntcp - 1] : NULL;

		if (c < FDS_SPLIT) {
			fds_udp_send(ufd, d, n);
		} else if (c < FUZZ_CTL || c == 0xf0) {
			if ((cur == NULL || c == 0xf0) && ntcp < FDS_MAX_TCP) {
				cur = &tcp[ntcp++];
				fuzz_peer_connect(cur, l, fuzz_src_addr(97),
				    FDS_ADDR, 53);
				fuzz_idle(l);
			}
			if (c < FUZZ_CTL && cur != NULL)
				fuzz_peer_write(cur, d, n);
		} else if (c == 0xf1) {
			(void)loop_run_until(l, fuzz_never, NULL,
			    loop_now(l) + DNS_TCP_IDLE_MS + 1000);
		} else if ((c == 0xf2 || c == 0xf3) && cur != NULL) {
			fuzz_peer_close(cur, c == 0xf3);
		} else if (c == 0xf4) {
			(void)fds_udp_drain(ufd);
		}
		fuzz_idle(l);
	}
	for (size_t i = 0; i < ntcp; i++)
		fuzz_peer_close(&tcp[i], false);
	/* every TCP session ends, by the idle timeout at the latest */
	(void)loop_run_until(l, fds_only_server, l,
	    loop_now(l) + 3 * DNS_TCP_IDLE_MS);
	FUZZ_CHECK(loop_nfds(l) == 2);

	fds_probe(l, ufd);
	(void)loop_run_until(l, fds_only_server, l,
	    loop_now(l) + 3 * DNS_TCP_IDLE_MS);
	FUZZ_CHECK(loop_nfds(l) == 2);

	dns_srv_free(srv);
	close(ufd);
	(void)loop_run_until(l, fds_quiet, l, loop_now(l) + 3 * DNS_TCP_IDLE_MS);
	FUZZ_CHECK(loop_nfds(l) == 0 && loop_ntimers(l) == 0);
	loop_free(l);
}

#endif
