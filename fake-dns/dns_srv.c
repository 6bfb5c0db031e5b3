/*
 * dns_srv: the DNS server on the event loop, UDP and TCP on one address.
 *
 * UDP is a raw non-blocking socket on the loop; each datagram is answered
 * at once with dns_db_answer().  TCP uses core/conn: a listening socket
 * whose readiness callback accepts, one conn per client, RFC 1035 4.2.2
 * two-byte length framing, any number of queries per connection
 * (pipelined queries are answered in order), and an idle timeout of
 * DNS_TCP_IDLE_MS virtual milliseconds.  A client that does not read its
 * answers gets its input paused until its output drains.
 *
 * Ownership: the server borrows the loop and the db.  Sessions belong to
 * the server; dns_srv_free() drops them.  A session is freed by the
 * server when its conn reports EOF, an error or the timeout (the conn
 * itself is freed by core/conn after dispatch).
 *
 * Answers are validated at the loop's wall clock (the scenario's clock in
 * virtual time).  With a last-mile tap (dns_srv_set_tap) each answer goes
 * through the attacker before it is sent, and the capture sees what was
 * sent.
 *
 * Logs: hostile or broken input (short, malformed, non-QUERY messages,
 * zero-length or unfinished TCP frames, too many connections) at warn
 * level with the peer; bogus answers at info level with the reason; each
 * query at debug level; each query also goes to the log callback, when
 * one is set.
 */
#include "fake-dns/dns.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/conn.h"
#include "core/record.h"
#include "core/util.h"
#include "fake-dns/dns_int.h"

#define UDP_BURST 64                /* datagrams handled per readiness event */
#define TCP_MAX_SESSIONS 128
#define TCP_MAX_PENDING (256 * 1024) /* unsent output before input pauses */
#define PEER_LEN (INET_ADDRSTRLEN + 8)

struct tcp_sess {
	struct dns_srv *srv;
	struct conn *c;
	struct tcp_sess *prev, *next;
	char peer[PEER_LEN];
	unsigned queries;
	bool paused;
};

struct dns_srv {
	struct loop *l;
	struct dns_db *db;
	int udp_fd, tcp_fd;
	struct sockaddr_in udp_addr;  /* for the wiretap (capture) */
	char where[PEER_LEN + 8]; /* "dns 127.53.0.1:53" for logs */
	dns_log_cb *log_cb;
	void *log_arg;
	dns_tap_cb *tap;          /* the attacker on the last mile, or NULL */
	void *tap_arg;
	struct rec *rec;          /* borrowed, or NULL (dns_rec.c) */
	char addr[INET_ADDRSTRLEN];
	struct tcp_sess *sessions;
	unsigned nsessions;
	uint8_t udp_buf[65536];
};

/* The answer goes through the last-mile tap: 0 = send *resp (replaced
 * or not), 1 = send nothing. */
static int
tap_answer(struct dns_srv *s, uint8_t **resp, size_t *resplen)
{
	uint8_t *out = NULL;
	size_t outlen = 0;

	switch (s->tap(s->tap_arg, *resp, *resplen, &out, &outlen)) {
	case DNS_TAP_PASS:
		return 0;
	case DNS_TAP_REPLACE:
		if (out != NULL && outlen > 0 && outlen <= 65535) {
			free(*resp);
			*resp = out;
			*resplen = outlen;
			return 0;
		}
		free(out);
		return 0;
	case DNS_TAP_DROP:
		break;
	}
	free(out);
	free(*resp);
	*resp = NULL;
	*resplen = 0;
	return 1;
}

/* Answer one message and report it; returns dns_db_answer()'s result
 * after the last-mile tap (1: send nothing). */
static int
srv_answer(struct dns_srv *s, const uint8_t *q, size_t qlen, bool tcp,
	const char *peer, uint8_t **resp, size_t *resplen)
{
	struct dns_qinfo info;
	struct rec_session *x = NULL;
	size_t natk = 0;
	int rc;

	if (s->rec != NULL) {
		natk = rec_count(s->rec);
		x = dns_rec_query(s->rec, s->addr,
		    ntohs(s->udp_addr.sin_port), q, qlen, peer, tcp);
	}
	rc = dns_db_answer_at(s->db, loop_wallclock(s->l), q, qlen, tcp,
	    resp, resplen, &info);

	if (rc < 0)
		log_err(s->where, "%s: cannot build an answer for %s type %d",
		    peer, info.qname, info.qtype);
	if (info.problem != NULL)
		log_warn(s->where, "%s (%s, %zu bytes): %s%s%s%s", peer,
		    tcp ? "tcp" : "udp", qlen, info.problem,
		    info.qname[0] ? " (" : "", info.qname,
		    info.qname[0] ? ")" : "");
	if (info.validated && info.sec == DNS_SEC_BOGUS)
		log_info(s->where, "%s: %s type %d is bogus: %s", peer,
		    info.qname, info.qtype, info.why);
	log_debug(s->where, "%s %s: %s type %d -> rcode %d%s%s%s", peer,
	    tcp ? "tcp" : "udp", info.qname, info.qtype, info.rcode,
	    info.fault != DNS_FAIL_NONE ? " (fault)" : "",
	    info.validated ? ", dnssec " : "",
	    info.validated ? dns_sec_state_name(info.sec) : "");
	if (s->log_cb != NULL)
		s->log_cb(info.qname, info.qtype, info.rcode, peer, tcp,
		    s->log_arg);
	if (rc == 0 && s->tap != NULL)
		rc = tap_answer(s, resp, resplen);
	if (x != NULL)
		dns_rec_answer(s->rec, x, natk, rc == 0 ? *resp : NULL,
		    rc == 0 ? *resplen : 0);
	return rc;
}

static void
udp_readable(int fd, uint32_t events, void *arg)
{
	struct dns_srv *s = arg;

	for (int i = 0; i < UDP_BURST; i++) {
		struct sockaddr_in sa;
		socklen_t salen = sizeof(sa);
		char peer[PEER_LEN], ip[INET_ADDRSTRLEN];
		uint8_t *resp = NULL;
		size_t resplen = 0;
		ssize_t n;

		n = recvfrom(fd, s->udp_buf, sizeof(s->udp_buf), 0,
		    (struct sockaddr *)&sa, &salen);
		if (n < 0) {
			if (errno != EAGAIN && errno != EWOULDBLOCK &&
			    errno != EINTR)
				log_warn(s->where, "udp recvfrom: %s",
				    strerror(errno));
			return;
		}
		if (inet_ntop(AF_INET, &sa.sin_addr, ip, sizeof(ip)) == NULL)
			snprintf(ip, sizeof(ip), "?");
		snprintf(peer, sizeof(peer), "%s:%u", ip,
		    (unsigned)ntohs(sa.sin_port));
		conn_wire_dgram(s->l, &sa, &s->udp_addr, true, s->udp_buf,
		    (size_t)n);
		if (srv_answer(s, s->udp_buf, (size_t)n, false, peer, &resp,
		    &resplen) == 0) {
			if (sendto(fd, resp, resplen, 0, (struct sockaddr *)&sa,
			    salen) < 0)
				log_warn(s->where, "%s: udp answer of %zu bytes lost: %s",
				    peer, resplen, strerror(errno));
			else
				conn_wire_dgram(s->l, &sa, &s->udp_addr, false,
				    resp, resplen);
		}
		free(resp);
	}
}

static void
sess_free(struct tcp_sess *t)
{
	struct dns_srv *s = t->srv;

	if (t->prev != NULL)
		t->prev->next = t->next;
	else
		s->sessions = t->next;
	if (t->next != NULL)
		t->next->prev = t->prev;
	s->nsessions--;
	free(t);
}

/* Answer every complete framed query in the input buffer. */
static void
tcp_data(struct tcp_sess *t)
{
	struct dns_srv *s = t->srv;

	for (;;) {
		size_t len, mlen, resplen;
		const uint8_t *p = conn_peek(t->c, &len);
		uint8_t *resp;

		if (len < 2)
			return;
		mlen = (size_t)p[0] << 8 | p[1];
		if (mlen == 0) {
			log_warn(s->where, "%s (tcp): zero-length message; "
			    "closing the connection", t->peer);
			conn_close(t->c);
			sess_free(t);
			return;
		}
		if (len < 2 + mlen)
			return; /* the rest may come; the idle timeout bounds it */
		t->queries++;
		if (srv_answer(s, p + 2, mlen, true, t->peer, &resp,
		    &resplen) == 0) {
			uint8_t hdr[2] = { resplen >> 8, resplen & 0xff };

			/* dns_db_answer caps TCP answers at 65535 bytes */
			conn_write(t->c, hdr, sizeof(hdr));
			conn_write(t->c, resp, resplen);
			free(resp);
		}
		conn_consume(t->c, 2 + mlen);
		if (conn_pending_out(t->c) > TCP_MAX_PENDING) {
			/* The client does not read: wait for CONN_DRAINED. */
			conn_pause_read(t->c, true);
			t->paused = true;
			return;
		}
	}
}

static void
tcp_event(struct conn *c, enum conn_ev ev, void *arg)
{
	struct tcp_sess *t = arg;
	struct dns_srv *s = t->srv;
	size_t left;

	switch (ev) {
	case CONN_DATA:
		tcp_data(t);
		return;
	case CONN_DRAINED:
		if (t->paused) {
			t->paused = false;
			conn_pause_read(c, false);
		}
		return;
	case CONN_TIMEOUT:
	case CONN_EOF:
		(void)conn_peek(c, &left);
		if (left > 0)
			log_warn(s->where, "%s (tcp): %s with %zu bytes of an "
			    "unfinished message; closing", t->peer,
			    ev == CONN_EOF ? "connection closed" :
			    "idle timeout", left);
		else
			log_debug(s->where, "%s (tcp): %s after %u queries",
			    t->peer, ev == CONN_EOF ? "closed" : "idle",
			    t->queries);
		conn_close(c);
		sess_free(t);
		return;
	case CONN_ERROR:
		log_info(s->where, "%s (tcp): %s", t->peer, conn_errstr(c));
		conn_abort(c);
		sess_free(t);
		return;
	case CONN_CONNECTED:
	case CONN_TLS_OK:
	case CONN_TLS_FAILED:
		return; /* not on a server connection without TLS */
	}
}

static void
tcp_acceptable(int fd, uint32_t events, void *arg)
{
	struct dns_srv *s = arg;

	for (;;) {
		struct sockaddr_in sa;
		socklen_t salen = sizeof(sa);
		char ip[INET_ADDRSTRLEN];
		struct tcp_sess *t;
		int cfd;

		cfd = accept4(fd, (struct sockaddr *)&sa, &salen,
		    SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (cfd < 0) {
			if (errno != EAGAIN && errno != EWOULDBLOCK &&
			    errno != EINTR && errno != ECONNABORTED)
				log_warn(s->where, "tcp accept: %s",
				    strerror(errno));
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			return;
		}
		if (inet_ntop(AF_INET, &sa.sin_addr, ip, sizeof(ip)) == NULL)
			snprintf(ip, sizeof(ip), "?");
		if (s->nsessions >= TCP_MAX_SESSIONS) {
			log_warn(s->where, "%s:%u (tcp): %u connections open "
			    "already; refusing this one", ip,
			    (unsigned)ntohs(sa.sin_port), s->nsessions);
			close(cfd);
			continue;
		}
		t = xcalloc(1, sizeof(*t));
		t->srv = s;
		snprintf(t->peer, sizeof(t->peer), "%s:%u", ip,
		    (unsigned)ntohs(sa.sin_port));
		t->next = s->sessions;
		if (s->sessions != NULL)
			s->sessions->prev = t;
		s->sessions = t;
		s->nsessions++;
		t->c = conn_new(s->l, cfd, tcp_event, t);
		conn_set_timeout(t->c, DNS_TCP_IDLE_MS);
		conn_set_progress_timeout(t->c, true);
	}
}

static int
udp_bind(const char *addr, uint16_t port, char *err, size_t errlen)
{
	struct sockaddr_in sa;
	int fd;

	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons(port);
	if (inet_pton(AF_INET, addr, &sa.sin_addr) != 1) {
		snprintf(err, errlen, "dns: bad IPv4 address \"%s\"", addr);
		return -1;
	}
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		snprintf(err, errlen, "dns: udp socket: %s", strerror(errno));
		return -1;
	}
	/* No SO_REUSEADDR: on UDP it would let two servers share a port. */
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		snprintf(err, errlen, "dns: cannot bind udp %s:%u: %s", addr,
		    (unsigned)port, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

struct dns_srv *
dns_srv_new(struct loop *l, struct dns_db *db, const char *addr,
	uint16_t port, char *err, size_t errlen)
{
	struct dns_srv *s;
	int ufd, tfd;

	if ((ufd = udp_bind(addr, port, err, errlen)) < 0)
		return NULL;
	if ((tfd = conn_listen(addr, port)) < 0) {
		snprintf(err, errlen, "dns: cannot listen on tcp %s:%u: %s",
		    addr, (unsigned)port, strerror(errno));
		close(ufd);
		return NULL;
	}
	s = xcalloc(1, sizeof(*s));
	s->l = l;
	s->db = db;
	s->udp_fd = ufd;
	s->tcp_fd = tfd;
	s->udp_addr.sin_family = AF_INET;
	s->udp_addr.sin_port = htons(port);
	(void)inet_pton(AF_INET, addr, &s->udp_addr.sin_addr);
	snprintf(s->where, sizeof(s->where), "dns %s:%u", addr, (unsigned)port);
	snprintf(s->addr, sizeof(s->addr), "%s", addr);
	if (loop_add_fd(l, ufd, EPOLLIN, udp_readable, s) < 0 ||
	    loop_add_fd(l, tfd, EPOLLIN, tcp_acceptable, s) < 0) {
		snprintf(err, errlen, "dns: cannot watch the sockets of %s:%u",
		    addr, (unsigned)port);
		loop_del_fd(l, ufd);
		close(ufd);
		close(tfd);
		free(s);
		return NULL;
	}
	log_debug(s->where, "listening (udp, tcp)");
	return s;
}

void
dns_srv_free(struct dns_srv *s)
{
	if (s == NULL)
		return;
	while (s->sessions != NULL) {
		conn_abort(s->sessions->c);
		sess_free(s->sessions);
	}
	loop_del_fd(s->l, s->udp_fd);
	loop_del_fd(s->l, s->tcp_fd);
	close(s->udp_fd);
	close(s->tcp_fd);
	free(s);
}

void
dns_srv_set_log(struct dns_srv *s, dns_log_cb *cb, void *arg)
{
	s->log_cb = cb;
	s->log_arg = arg;
}

void
dns_srv_set_tap(struct dns_srv *s, dns_tap_cb *cb, void *arg)
{
	s->tap = cb;
	s->tap_arg = arg;
}

void
dns_srv_set_rec(struct dns_srv *s, struct rec *r)
{
	s->rec = r;
}
