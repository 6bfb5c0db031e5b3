/*
 * hostile_dns: the DNS abuses of the hostile sender (see hostile.h):
 * garbage datagrams, garbage and never-finished TCP frames, a slowloris
 * on TCP, more TCP connections than the server takes.  hd_works() is the
 * "still serving" check: a real query answered over UDP and TCP.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <ldns/ldns.h>

#include "fake-dns/dns.h"
#include "tests/hostile/hostile.h"

static uint8_t *
query(uint16_t id, size_t *len)
{
	ldns_rdf *name = ldns_dname_new_frm_str("example.test.");
	ldns_pkt *q = ldns_pkt_query_new(name, LDNS_RR_TYPE_SOA,
	    LDNS_RR_CLASS_IN, LDNS_RD);
	uint8_t *wire = NULL;

	ldns_pkt_set_id(q, id);
	if (ldns_pkt2wire(&wire, q, len) != LDNS_STATUS_OK)
		wire = NULL;
	ldns_pkt_free(q);
	return wire;
}

static int
udp_socket(const struct htarget *t, struct sockaddr_in *to)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	memset(to, 0, sizeof(*to));
	to->sin_family = AF_INET;
	to->sin_port = htons(t->port);
	inet_pton(AF_INET, t->ip, &to->sin_addr);
	inet_pton(AF_INET, hp_src_addr(), &a.sin_addr);
	if (fd >= 0 && bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0) {
		close(fd);
		fd = -1;
	}
	return fd;
}

/* The id of the last answer waiting on fd, or -1. */
static int
udp_drain(int fd)
{
	uint8_t b[65536];
	ssize_t n;
	int id = -1;

	while ((n = recv(fd, b, sizeof(b), 0)) >= 0 || errno == EINTR)
		if (n >= 12 && (b[2] & 0x80))
			id = b[0] << 8 | b[1];
	return id;
}

bool
hd_works(struct hctx *h, const struct htarget *t)
{
	struct sockaddr_in to;
	struct hpeer p;
	size_t qlen;
	uint8_t *q = query(0x4242, &qlen), frame[2];
	int fd = udp_socket(t, &to), id;
	bool ok;

	if (q == NULL || fd < 0) {
		free(q);
		if (fd >= 0)
			close(fd);
		return false;
	}
	(void)!sendto(fd, q, qlen, 0, (struct sockaddr *)&to, sizeof(to));
	hp_run(h, 10);
	id = udp_drain(fd);
	close(fd);
	ok = id == 0x4242;

	hp_connect(h, &p, t);
	hp_idle(h);
	frame[0] = (uint8_t)(qlen >> 8);
	frame[1] = (uint8_t)qlen;
	hp_write(&p, frame, 2);
	hp_write(&p, q, qlen);
	hp_run(h, 10);
	ok = ok && p.got >= 14 && (uint8_t)p.in.data[2] == 0x42 &&
	    (uint8_t)p.in.data[3] == 0x42;
	hp_close(&p, false);
	hp_run(h, 10);
	hp_free(&p);
	free(q);
	return ok;
}

void
hd_udp_garbage(struct hctx *h, const struct htarget *t)
{
	struct sockaddr_in to;
	int fd = udp_socket(t, &to);
	uint8_t *b = xmalloc(65507);
	uint32_t seed = 53;

	HCHECK(h, fd >= 0, "udp socket");
	if (fd < 0) {
		free(b);
		return;
	}
	for (unsigned i = 0; i < 2000; i++) {
		size_t n = i == 0 ? 65507 : (size_t)(seed >> 8) % 1500;

		for (size_t k = 0; k < n; k++) {
			seed = seed * 1103515245u + 12345u;
			b[k] = (uint8_t)(seed >> 16);
		}
		if (n >= 3 && i % 2)
			b[2] &= 0x7f;   /* half of them look like queries */
		(void)!sendto(fd, b, n, 0, (struct sockaddr *)&to, sizeof(to));
		if (i % 64 == 0) {
			hp_idle(h);
			(void)udp_drain(fd);
		}
	}
	hp_idle(h);
	(void)udp_drain(fd);
	close(fd);
	free(b);
}

/* A megabyte of frames that never end, and a zero-length frame. */
void
hd_tcp_garbage(struct hctx *h, const struct htarget *t)
{
	struct hpeer p;
	uint8_t *b = xmalloc(1u << 20);

	memset(b, 0xff, 1u << 20);
	hp_connect(h, &p, t);
	hp_idle(h);
	hp_write(&p, b, 1u << 20);
	HCHECK(h, hp_wait_closed(h, &p, 3 * DNS_TCP_IDLE_MS),
	    "%s: 1 MiB of unfinished frames: not closed", t->name);
	hp_free(&p);

	hp_connect(h, &p, t);
	hp_idle(h);
	hp_write(&p, "\0\0\0\0", 4);
	HCHECK(h, hp_wait_closed(h, &p, 3 * DNS_TCP_IDLE_MS),
	    "%s: zero-length frames: not closed", t->name);
	hp_free(&p);
	free(b);
}

/* A frame of 300 bytes announced, one byte a minute. */
void
hd_tcp_slowloris(struct hctx *h, const struct htarget *t)
{
	struct hpeer p;
	unsigned minutes = 0;

	hp_connect(h, &p, t);
	hp_idle(h);
	hp_write(&p, "\x01\x2c", 2);
	while (!p.closed && minutes < 30) {
		hp_write(&p, "x", 1);
		hp_run(h, 60000);
		minutes++;
	}
	HCHECK(h, p.closed && minutes <= 1, "%s: TCP slowloris lasted %u "
	    "virtual minutes (idle timeout %u s)", t->name, minutes,
	    DNS_TCP_IDLE_MS / 1000);
	hp_free(&p);
}

/* More connections than the server keeps (it refuses the rest), all
 * open at once, each with half a frame. */
void
hd_tcp_flood(struct hctx *h, const struct htarget *t)
{
	enum { N = 300 };
	struct hpeer *v = xcalloc(N, sizeof(*v));
	unsigned closed = 0;

	for (unsigned i = 0; i < N; i++)
		hp_connect(h, &v[i], t);
	hp_run(h, 10);
	for (unsigned i = 0; i < N; i++)
		hp_write(&v[i], "\0\x20zz", 4);
	hp_run(h, 3 * DNS_TCP_IDLE_MS);
	for (unsigned i = 0; i < N; i++) {
		closed += v[i].closed;
		hp_close(&v[i], false);
	}
	HCHECK(h, closed == N, "%s: %u of %d flooding connections still open "
	    "after the idle timeout", t->name, N - closed, N);
	hp_run(h, 10);
	for (unsigned i = 0; i < N; i++)
		hp_free(&v[i]);
	free(v);
}
