/*
 * fuzz_snd_dns: the reference sender's stub resolver
 * (senders/builtin/snd_dns.c) reading hostile answers.  Its parsing is
 * not a function of its own (udp_cb/tcp_cb -> q_matches -> q_answer), so
 * the answers come over the wire: a scripted resolver of this harness on
 * 127.53.0.1:53, UDP and TCP, in a private network namespace, on the
 * virtual clock.
 *
 * Input: one byte choosing the query (low 3 bits: example.test MX,
 * mx1.example.test A, AAAA, _mta-sts.example.test TXT,
 * _25._tcp.mx1.example.test TLSA, www.example.test A, CNAME, MX), then
 * messages, each a 16-bit big-endian length and that many bytes.  Each
 * message is the resolver's next answer: over TCP once the sender has
 * connected (after a truncated answer), else as a UDP datagram to the
 * last query; its first two bytes are replaced by the id of the query it
 * answers, so that the fuzzer need not guess it.
 *
 * Invariants: exactly one callback, with an rcode or a transport failure;
 * MX hosts are lower case without a trailing dot; nothing is left
 * pending; no fd or timer is left.
 */
#ifndef MXSIM_FUZZ_SND_DNS_H
#define MXSIM_FUZZ_SND_DNS_H

#include <arpa/inet.h>
#include <ctype.h>
#include <netinet/in.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "senders/builtin/snd_dns.h"
#include "tests/fuzz/fuzz_common.h"

#define FSD_ADDR "127.53.0.1"
#define FSD_CLOCK 1780272000

static void
fsd_init(void)
{
	fuzz_setup(true);
}

struct fsd_run {
	struct loop *l;
	int ufd, tfd;
	struct sockaddr_in client;   /* where the last UDP query came from */
	bool have_client;
	uint8_t uid[2];              /* its id */
	struct fuzz_peer tcp;        /* the sender's TCP connection */
	bool have_tcp;
	int ncb;
};

static void
fsd_udp(int fd, uint32_t events, void *arg)
{
	struct fsd_run *r = arg;
	uint8_t buf[4096];
	socklen_t alen = sizeof(r->client);
	ssize_t n;

	while ((n = recvfrom(fd, buf, sizeof(buf), 0,
	    (struct sockaddr *)&r->client, &alen)) >= 0) {
		if (n >= 2) {
			r->uid[0] = buf[0];
			r->uid[1] = buf[1];
			r->have_client = true;
		}
		alen = sizeof(r->client);
	}
}

static void
fsd_accept(int fd, uint32_t events, void *arg)
{
	struct fsd_run *r = arg;
	int s;

	while ((s = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0) {
		if (r->have_tcp) {
			close(s);
			continue;
		}
		fuzz_peer_adopt(&r->tcp, r->l, s);
		r->have_tcp = true;
	}
}

static void
fsd_check_host(const char *h)
{
	size_t n;

	FUZZ_CHECK(h != NULL);
	n = strlen(h);
	FUZZ_CHECK(n == 0 || h[n - 1] != '.');
	for (const char *p = h; *p != '\0'; p++)
		FUZZ_CHECK(!isupper((unsigned char)*p));
}

static void
fsd_cb(const struct snd_dns_answer *a, void *arg)
{
	struct fsd_run *r = arg;

	r->ncb++;
	if (getenv("FUZZ_DEBUG") != NULL)
		fprintf(stderr, "answer: %s rcode %d (%s) tcp %d cname %s, "
		    "%zu rdata%s%s, %zu mx\n", a->qname, a->rcode, a->why,
		    (int)a->tcp, a->cname ? a->cname : "-", a->nrdata,
		    a->nrdata ? ", first " : "", a->nrdata ? a->rdata[0] : "",
		    a->nmx);
	FUZZ_CHECK(a->rcode >= SND_DNS_NETERR && a->rcode <= 0xfff);
	FUZZ_CHECK(a->qname != NULL && a->why != NULL);
	if (a->cname != NULL)
		fsd_check_host(a->cname);
	for (size_t i = 0; i < a->nmx; i++)
		fsd_check_host(a->mx[i].host);
	for (size_t i = 0; i < a->nrdata; i++)
		FUZZ_CHECK(a->rdata[i] != NULL);
	if (a->rcode < 0)
		FUZZ_CHECK(a->nrdata == 0 && a->nmx == 0);
}

static bool
fsd_done(void *arg)
{
	return ((struct fsd_run *)arg)->ncb > 0;
}

static bool
fsd_quiet(void *arg)
{
	struct loop *l = arg;

	return loop_nfds(l) == 0 && loop_ntimers(l) == 0;
}

static void
fsd_one(const uint8_t *data, size_t size)
{
	static const struct {
		const char *name;
		uint16_t type;
	} qs[8] = {
		{ "example.test", SND_DNS_MX },
		{ "mx1.example.test", SND_DNS_A },
		{ "mx1.example.test", SND_DNS_AAAA },
		{ "_mta-sts.example.test", SND_DNS_TXT },
		{ "_25._tcp.mx1.example.test", SND_DNS_TLSA },
		{ "www.example.test", SND_DNS_A },
		{ "www.example.test", SND_DNS_CNAME },
		{ "Example.Test.", SND_DNS_MX },
	};
	struct fuzz_in in = { data, size };
	uint8_t sel = fuzz_byte(&in) & 7;
	struct snd_dns *d;
	struct fsd_run r;
	struct sockaddr_in sa;
	int one = 1;

	memset(&r, 0, sizeof(r));
	r.l = loop_new(LOOP_SKIP, FSD_CLOCK);
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons(53);
	inet_pton(AF_INET, FSD_ADDR, &sa.sin_addr);
	r.ufd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	FUZZ_CHECK(r.ufd >= 0);
	(void)setsockopt(r.ufd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	FUZZ_CHECK(bind(r.ufd, (struct sockaddr *)&sa, sizeof(sa)) == 0);
	FUZZ_CHECK(loop_add_fd(r.l, r.ufd, EPOLLIN, fsd_udp, &r) == 0);
	r.tfd = conn_listen(FSD_ADDR, 53);
	FUZZ_CHECK(r.tfd >= 0);
	FUZZ_CHECK(loop_add_fd(r.l, r.tfd, EPOLLIN, fsd_accept, &r) == 0);

	d = snd_dns_new(r.l, fuzz_src_addr(94), FSD_ADDR, 53);
	FUZZ_CHECK(d != NULL);
	FUZZ_CHECK(snd_dns_query(d, qs[sel].name, qs[sel].type, fsd_cb,
	    &r) != 0);
	fuzz_idle(r.l);
	while (in.n >= 2 && r.ncb == 0) {
		size_t len = (size_t)in.p[0] << 8 | in.p[1];
		uint8_t *msg;

		in.p += 2;
		in.n -= 2;
		len = len < in.n ? len : in.n;
		msg = xmalloc(len + 2);
		memcpy(msg + 2, in.p, len);
		in.p += len;
		in.n -= len;
		if (r.have_tcp && fuzz_peer_live(&r.tcp)) {
			/* the TCP query: 2 bytes of length, then its id */
			msg[0] = (uint8_t)(len >> 8);
			msg[1] = (uint8_t)len;
			if (len >= 2 && r.tcp.got >= 4) {
				msg[2] = (uint8_t)r.tcp.head[2];
				msg[3] = (uint8_t)r.tcp.head[3];
			}
			fuzz_peer_write(&r.tcp, msg, len + 2);
		} else if (r.have_client) {
			if (len >= 2) {
				msg[2] = r.uid[0];
				msg[3] = r.uid[1];
			}
			(void)sendto(r.ufd, msg + 2, len, 0,
			    (struct sockaddr *)&r.client, sizeof(r.client));
		}
		free(msg);
		fuzz_idle(r.l);
	}
	/* every query ends with one callback: the tries time out */
	(void)loop_run_until(r.l, fsd_done, &r, loop_now(r.l) +
	    4 * SND_DNS_TRY_MS * SND_DNS_TRIES);
	FUZZ_CHECK(r.ncb == 1);
	FUZZ_CHECK(snd_dns_pending(d) == 0);
	snd_dns_free(d);
	fuzz_peer_close(&r.tcp, false);
	loop_del_fd(r.l, r.ufd);
	close(r.ufd);
	loop_del_fd(r.l, r.tfd);
	close(r.tfd);
	(void)loop_run_until(r.l, fsd_quiet, r.l, loop_now(r.l) + 60000);
	FUZZ_CHECK(loop_nfds(r.l) == 0 && loop_ntimers(r.l) == 0);
	loop_free(r.l);
}

#endif
