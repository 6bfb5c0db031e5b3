/*
 * snd_dns: asynchronous stub resolver of the reference sender.  See
 * snd_dns.h for the contract.
 *
 * Each query owns a connected UDP socket bound to the sender's source
 * address, so the kernel drops datagrams from anyone but the resolver; an
 * answer must also carry the query's id and question, anything else is
 * ignored (a spoofed or stray datagram does not end the query).  Message
 * ids come from a fixed sequence so that runs are reproducible.  A
 * truncated answer (TC=1) switches the query to TCP through core/conn.
 *
 * Local validation (snd_dnssec.c, with an anchor): an answer with rcode
 * NOERROR or NXDOMAIN is handed to a validation job before the callback;
 * the query keeps its place in the list (so cancel and free find it) but
 * no transport while the job asks its own raw queries.
 *
 * The callback is the last thing a query does: the query is unlinked and
 * its socket, connection and timer are gone before it runs, so the
 * callback may free the resolver.  Logs at debug level under "sender".
 */
#include "senders/builtin/snd_dns.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <ldns/ldns.h>

#include "core/conn.h"
#include "core/util.h"
#include "senders/builtin/snd_dnssec.h"

struct dns_q {
	struct snd_dns *d;
	struct dns_q *next;
	uint64_t id;
	char *name;
	ldns_rdf *qname;
	uint16_t qtype;
	snd_dns_cb *cb;
	void *arg;

	int fd;               /* UDP socket, -1 when none */
	struct conn *tcp;     /* TCP retry, NULL when none */
	uint16_t msgid;
	int tries;            /* UDP tries made */
	uint64_t timer;
	uint8_t *wire;        /* the current query message */
	size_t wirelen;
	snd_dns_raw_cb *raw;  /* a validator's query: the packet, no checks */
	struct snd_vjob *vj;  /* validating this answer */
	ldns_pkt *pkt;        /* the answer, while vj runs */
	bool pkt_tcp;
};

struct snd_dns {
	struct loop *l;
	char *src_ip;
	char *server_ip;
	uint16_t port;
	struct sockaddr_storage src, srv;
	socklen_t srclen, srvlen;
	struct dns_q *queries;
	uint64_t next_id;
	uint32_t msgseq;
	struct snd_val *val;  /* local DNSSEC validation, NULL: trust AD */
};

static int
parse_addr(const char *ip, uint16_t port, struct sockaddr_storage *ss,
    socklen_t *len)
{
	struct sockaddr_in *sin = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, ip, &sin->sin_addr) == 1) {
		sin->sin_family = AF_INET;
		sin->sin_port = htons(port);
		*len = sizeof(*sin);
		return 0;
	}
	if (inet_pton(AF_INET6, ip, &sin6->sin6_addr) == 1) {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(port);
		*len = sizeof(*sin6);
		return 0;
	}
	return -1;
}

struct snd_dns *
snd_dns_new(struct loop *l, const char *src_ip, const char *server_ip,
    uint16_t server_port)
{
	struct snd_dns *d = xcalloc(1, sizeof(*d));

	d->l = l;
	d->port = server_port;
	d->next_id = 1;
	if (parse_addr(server_ip, server_port, &d->srv, &d->srvlen) < 0 ||
	    (src_ip != NULL &&
	    (parse_addr(src_ip, 0, &d->src, &d->srclen) < 0 ||
	    d->src.ss_family != d->srv.ss_family))) {
		free(d);
		return NULL;
	}
	d->server_ip = xstrdup(server_ip);
	d->src_ip = src_ip ? xstrdup(src_ip) : NULL;
	return d;
}

const char *
snd_dns_rcode_name(int rcode)
{
	static const char *names[] = { "NOERROR", "FORMERR", "SERVFAIL",
		"NXDOMAIN", "NOTIMP", "REFUSED", "YXDOMAIN", "YXRRSET",
		"NXRRSET", "NOTAUTH", "NOTZONE" };

	if (rcode == SND_DNS_TIMEOUT)
		return "timeout";
	if (rcode == SND_DNS_NETERR)
		return "network error";
	if (rcode >= 0 && (size_t)rcode < ARRAY_LEN(names))
		return names[rcode];
	return "unknown rcode";
}

/* --- query lifecycle --- */

static void
q_stop_transport(struct dns_q *q)
{
	struct loop *l = q->d->l;

	if (q->fd >= 0) {
		loop_del_fd(l, q->fd);
		conn_wire_dgram_closed(l, q->fd);   /* the capture's port map */
		close(q->fd);
		q->fd = -1;
	}
	if (q->tcp != NULL) {
		conn_abort(q->tcp);
		q->tcp = NULL;
	}
	loop_timer_cancel(l, q->timer);
	q->timer = 0;
	snd_vjob_cancel(q->vj);
	q->vj = NULL;
}

static void
q_unlink(struct dns_q *q)
{
	struct dns_q **pp;

	for (pp = &q->d->queries; *pp != NULL; pp = &(*pp)->next) {
		if (*pp == q) {
			*pp = q->next;
			break;
		}
	}
	q->next = NULL;
}

static void
q_free(struct dns_q *q)
{
	free(q->name);
	ldns_rdf_deep_free(q->qname);
	free(q->wire);
	ldns_pkt_free(q->pkt);
	free(q);
}

static void
answer_clear(struct snd_dns_answer *a)
{
	for (size_t i = 0; i < a->nrdata; i++)
		free(a->rdata[i]);
	free(a->rdata);
	for (size_t i = 0; i < a->nmx; i++)
		free(a->mx[i].host);
	free(a->mx);
	free((char *)a->cname);
}

/* End the query: everything is released before the callback runs. */
static void
q_finish(struct dns_q *q, struct snd_dns_answer *a)
{
	snd_dns_cb *cb = q->cb;
	void *arg = q->arg;

	q_stop_transport(q);
	q_unlink(q);
	if (q->raw != NULL) {   /* no answer for the validator */
		log_debug("sender", "dns %s type %u: %s", q->name, q->qtype,
		    a->why ? a->why : snd_dns_rcode_name(a->rcode));
		q->raw(NULL, arg);
		answer_clear(a);
		q_free(q);
		return;
	}
	a->qname = q->name;
	a->qtype = q->qtype;
	if (a->why == NULL)
		a->why = snd_dns_rcode_name(a->rcode);
	log_debug("sender", "dns %s type %u: %s (%zu records%s)", q->name,
	    q->qtype, a->why, a->nrdata, a->ad ? ", AD" : "");
	cb(a, arg);
	answer_clear(a);
	q_free(q);
}

static void
q_fail(struct dns_q *q, int rcode, const char *why)
{
	struct snd_dns_answer a;

	memset(&a, 0, sizeof(a));
	a.rcode = rcode;
	a.why = why;
	q_finish(q, &a);
}

/* --- building and reading messages --- */

static int
q_build(struct dns_q *q)
{
	struct snd_dns *d = q->d;
	ldns_pkt *p;
	uint8_t *wire = NULL;
	size_t len = 0;
	ldns_status st;

	p = ldns_pkt_query_new(ldns_rdf_clone(q->qname), (ldns_rr_type)q->qtype,
	    LDNS_RR_CLASS_IN, LDNS_RD | LDNS_AD);
	if (p == NULL)
		return -1;
	/* A fixed, well-mixed sequence: reproducible runs. */
	d->msgseq++;
	q->msgid = (uint16_t)((d->msgseq * 40503u) ^ 0x5a3cu);
	ldns_pkt_set_id(p, q->msgid);
	ldns_pkt_set_edns_udp_size(p, SND_DNS_UDP_SIZE);
	ldns_pkt_set_edns_do(p, true);   /* DNSSEC OK: AD for secure data */
	st = ldns_pkt2wire(&wire, p, &len);
	ldns_pkt_free(p);
	if (st != LDNS_STATUS_OK)
		return -1;
	free(q->wire);
	q->wire = wire;
	q->wirelen = len;
	return 0;
}

static void
add_str(char ***v, size_t *n, char *s)
{
	*v = xrealloc(*v, (*n + 1) * sizeof(**v));
	(*v)[(*n)++] = s;
}

/* ldns strings come from malloc; copy to our allocator's world anyway. */
static char *
rdf_str(const ldns_rdf *rdf)
{
	char *s = ldns_rdf2str(rdf);
	char *r = xstrdup(s ? s : "");

	free(s);
	return r;
}

static char *
host_str(const ldns_rdf *rdf)
{
	char *s = rdf_str(rdf);
	size_t n = strlen(s);

	if (n > 0 && s[n - 1] == '.')
		s[n - 1] = '\0';
	for (char *p = s; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	return s;
}

static char *
rr_rdata_str(const ldns_rr *rr, uint16_t type)
{
	struct buf b;

	buf_init(&b);
	for (size_t i = 0; i < ldns_rr_rd_count(rr); i++) {
		const ldns_rdf *rdf = ldns_rr_rdf(rr, i);
		if (type == SND_DNS_TXT) {
			/* character-strings, concatenated unquoted */
			const uint8_t *p = ldns_rdf_data(rdf);
			size_t n = ldns_rdf_size(rdf);
			if (n > 0 && (size_t)p[0] + 1 <= n)
				buf_append(&b, p + 1, p[0]);
			continue;
		}
		/* names (MX exchange, CNAME target) without the dot */
		char *s = ldns_rdf_get_type(rdf) == LDNS_RDF_TYPE_DNAME ?
		    host_str(rdf) : rdf_str(rdf);
		if (i > 0)
			buf_append(&b, " ", 1);
		buf_append(&b, s, strlen(s));
		free(s);
	}
	char *r = xstrdup(buf_cstr(&b));
	buf_free(&b);
	return r;
}

/* Does pkt answer q?  (id, QR, question) */
static bool
q_matches(const struct dns_q *q, const ldns_pkt *p)
{
	const ldns_rr_list *qs = ldns_pkt_question(p);

	if (ldns_pkt_id(p) != q->msgid || !ldns_pkt_qr(p))
		return false;
	if (qs == NULL || ldns_rr_list_rr_count(qs) == 0)
		return ldns_pkt_get_rcode(p) != LDNS_RCODE_NOERROR;
	if (ldns_rr_list_rr_count(qs) != 1)
		return false;
	const ldns_rr *qr = ldns_rr_list_rr(qs, 0);
	return ldns_rr_get_type(qr) == (ldns_rr_type)q->qtype &&
	    ldns_rr_get_class(qr) == LDNS_RR_CLASS_IN &&
	    ldns_dname_compare(ldns_rr_owner(qr), q->qname) == 0;
}

/* The answer to the caller; sec is the local validation's outcome (NULL:
 * none, the resolver's AD stands). */
static void
q_deliver(struct dns_q *q, const ldns_pkt *p, bool tcp, const enum snd_sec *sec,
    const char *secwhy)
{
	struct snd_dns_answer a;
	const ldns_rr_list *an = ldns_pkt_answer(p);
	size_t n = an ? ldns_rr_list_rr_count(an) : 0;
	const ldns_rdf *cur = q->qname;
	char why[320];

	if (sec != NULL && *sec == SND_SEC_BOGUS) {
		log_info("sender", "dns %s type %u: bogus, validated by the "
		    "sender: %s", q->name, q->qtype, secwhy);
		snprintf(why, sizeof(why), "bogus (local validation): %s", secwhy);
		q_fail(q, SND_DNS_SERVFAIL, why);
		return;
	}
	memset(&a, 0, sizeof(a));
	a.rcode = (int)ldns_pkt_get_rcode(p);
	a.ad = sec != NULL ? *sec == SND_SEC_SECURE : ldns_pkt_ad(p);
	a.tcp = tcp;
	/* Follow the CNAME chain inside the answer section (bounded). */
	for (int hop = 0; hop < 16 && q->qtype != SND_DNS_CNAME; hop++) {
		const ldns_rdf *next = NULL;
		for (size_t i = 0; i < n; i++) {
			const ldns_rr *rr = ldns_rr_list_rr(an, i);
			if (ldns_rr_get_type(rr) == LDNS_RR_TYPE_CNAME &&
			    ldns_rr_rd_count(rr) == 1 &&
			    ldns_dname_compare(ldns_rr_owner(rr), cur) == 0) {
				next = ldns_rr_rdf(rr, 0);
				break;
			}
		}
		if (next == NULL)
			break;
		cur = next;
	}
	if (cur != q->qname)
		a.cname = host_str(cur);
	for (size_t i = 0; i < n; i++) {
		const ldns_rr *rr = ldns_rr_list_rr(an, i);
		if (ldns_rr_get_type(rr) != (ldns_rr_type)q->qtype ||
		    ldns_rr_get_class(rr) != LDNS_RR_CLASS_IN ||
		    ldns_dname_compare(ldns_rr_owner(rr), cur) != 0)
			continue;
		if (q->qtype == SND_DNS_MX) {
			if (ldns_rr_rd_count(rr) != 2)
				continue;
			a.mx = xrealloc(a.mx, (a.nmx + 1) * sizeof(*a.mx));
			a.mx[a.nmx].pref = ldns_rdf2native_int16(ldns_rr_rdf(rr, 0));
			a.mx[a.nmx].host = host_str(ldns_rr_rdf(rr, 1));
			a.nmx++;
		}
		add_str(&a.rdata, &a.nrdata, rr_rdata_str(rr, q->qtype));
	}
	q_finish(q, &a);
}

static void
q_validated(enum snd_sec sec, const char *why, void *arg)
{
	struct dns_q *q = arg;
	ldns_pkt *p = q->pkt;

	q->vj = NULL;
	q->pkt = NULL;
	q_deliver(q, p, q->pkt_tcp, &sec, why);
	ldns_pkt_free(p);
}

static void
q_answer(struct dns_q *q, const ldns_pkt *p, bool tcp)
{
	ldns_pkt_rcode rc = ldns_pkt_get_rcode(p);
	enum snd_sec sec;
	char why[256];
	snd_dns_raw_cb *raw = q->raw;
	void *arg = q->arg;

	if (raw != NULL) {
		log_debug("sender", "dns %s type %u: %s%s", q->name, q->qtype,
		    snd_dns_rcode_name((int)rc), ldns_pkt_ad(p) ? ", AD" : "");
		q_stop_transport(q);
		q_unlink(q);
		raw(p, arg);
		q_free(q);
		return;
	}
	if (q->d->val == NULL ||
	    (rc != LDNS_RCODE_NOERROR && rc != LDNS_RCODE_NXDOMAIN)) {
		q_deliver(q, p, tcp, NULL, NULL);
		return;
	}
	q_stop_transport(q);
	q->vj = snd_vjob_start(q->d, q->d->val, p, q->qname, q->qtype,
	    q_validated, q, &sec, why, sizeof(why));
	if (q->vj != NULL) {
		q->pkt = ldns_pkt_clone(p);
		q->pkt_tcp = tcp;
		return;
	}
	q_deliver(q, p, tcp, &sec, why);
}

/* --- TCP --- */

static void
tcp_cb(struct conn *c, enum conn_ev ev, void *arg)
{
	struct dns_q *q = arg;
	const uint8_t *p;
	size_t have, need;
	ldns_pkt *pkt = NULL;
	uint8_t hdr[2];

	switch (ev) {
	case CONN_CONNECTED:
		hdr[0] = (uint8_t)(q->wirelen >> 8);
		hdr[1] = (uint8_t)q->wirelen;
		conn_write(c, hdr, 2);
		conn_write(c, q->wire, q->wirelen);
		break;
	case CONN_DATA:
		p = conn_peek(c, &have);
		if (have < 2)
			break;
		need = 2 + ((size_t)p[0] << 8 | p[1]);
		if (have < need)
			break;
		if (ldns_wire2pkt(&pkt, p + 2, need - 2) != LDNS_STATUS_OK ||
		    !q_matches(q, pkt)) {
			ldns_pkt_free(pkt);
			q_fail(q, SND_DNS_NETERR, "bad answer over TCP");
			return;
		}
		q_answer(q, pkt, true);
		ldns_pkt_free(pkt);
		break;
	case CONN_DRAINED:
	case CONN_TLS_OK:
	case CONN_TLS_FAILED:
		break;
	case CONN_TIMEOUT:
	case CONN_EOF:
	case CONN_ERROR:
		q_fail(q, SND_DNS_NETERR, ev == CONN_ERROR ?
		    "TCP connection failed" : "TCP connection closed");
		break;
	}
}

static void q_timeout(void *arg);

static void
q_start_tcp(struct dns_q *q)
{
	struct snd_dns *d = q->d;

	q_stop_transport(q);
	q->tcp = conn_connect(d->l, d->src_ip, d->server_ip, d->port, tcp_cb, q);
	if (q->tcp == NULL) {
		q_fail(q, SND_DNS_NETERR, "cannot open a TCP socket");
		return;
	}
	q->timer = loop_timer_add(d->l, SND_DNS_TRY_MS, q_timeout, q);
}

/* --- UDP --- */

static void q_try(struct dns_q *q);

static void
udp_cb(int fd, uint32_t events, void *arg)
{
	struct dns_q *q = arg;
	uint8_t buf[65536];

	for (;;) {
		ssize_t n = recv(fd, buf, sizeof(buf), 0);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return;
			/* ICMP unreachable and the like: this try failed */
			log_debug("sender", "dns %s: %s", q->name, strerror(errno));
			if (q->tries >= SND_DNS_TRIES) {
				q_fail(q, SND_DNS_NETERR, "resolver unreachable");
				return;
			}
			q_try(q);
			return;
		}
		ldns_pkt *pkt = NULL;
		if (ldns_wire2pkt(&pkt, buf, (size_t)n) != LDNS_STATUS_OK)
			continue;   /* garbage: keep waiting */
		if (!q_matches(q, pkt)) {
			ldns_pkt_free(pkt);
			continue;
		}
		if (ldns_pkt_tc(pkt)) {
			ldns_pkt_free(pkt);
			log_debug("sender", "dns %s: truncated, retrying over TCP",
			    q->name);
			q_start_tcp(q);
			return;
		}
		q_answer(q, pkt, false);
		ldns_pkt_free(pkt);
		return;
	}
}

/* One UDP try: fresh id, fresh socket (a late answer to an earlier try is
 * dropped), timer. */
static void
q_try(struct dns_q *q)
{
	struct snd_dns *d = q->d;

	q_stop_transport(q);
	q->tries++;
	if (q_build(q) < 0) {
		q_fail(q, SND_DNS_NETERR, "cannot build the query");
		return;
	}
	q->fd = socket(d->srv.ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (q->fd < 0 ||
	    (d->src_ip != NULL &&
	    bind(q->fd, (struct sockaddr *)&d->src, d->srclen) < 0) ||
	    connect(q->fd, (struct sockaddr *)&d->srv, d->srvlen) < 0 ||
	    loop_add_fd(d->l, q->fd, EPOLLIN, udp_cb, q) < 0) {
		log_warn("sender", "dns %s: socket: %s", q->name, strerror(errno));
		if (q->fd >= 0)
			close(q->fd);
		q->fd = -1;
		q_fail(q, SND_DNS_NETERR, "cannot open a UDP socket");
		return;
	}
	/* A failed send is a lost datagram: the timer retries. */
	if (send(q->fd, q->wire, q->wirelen, 0) < 0)
		log_debug("sender", "dns %s: send: %s", q->name, strerror(errno));
	q->timer = loop_timer_add(d->l, SND_DNS_TRY_MS, q_timeout, q);
}

static void
q_timeout(void *arg)
{
	struct dns_q *q = arg;

	q->timer = 0;
	if (q->tcp == NULL && q->tries < SND_DNS_TRIES) {
		q_try(q);
		return;
	}
	q_fail(q, SND_DNS_TIMEOUT, NULL);
}

static void
q_first(void *arg)
{
	struct dns_q *q = arg;

	q->timer = 0;
	q_try(q);
}

uint64_t
snd_dns_query_raw(struct snd_dns *d, const ldns_rdf *name, uint16_t qtype,
    snd_dns_raw_cb *cb, void *arg)
{
	char *s = ldns_rdf2str(name);
	uint64_t id = 0;

	if (s != NULL)
		id = snd_dns_query(d, s, qtype, NULL, arg);
	free(s);
	for (struct dns_q *q = d->queries; id != 0 && q != NULL; q = q->next)
		if (q->id == id)
			q->raw = cb;
	return id;
}

time_t
snd_dns_wallclock(const struct snd_dns *d)
{
	return loop_wallclock(d->l);
}

int
snd_dns_set_anchor(struct snd_dns *d, const char *anchor, char *err,
    size_t errlen)
{
	struct snd_val *v = snd_val_new(anchor, err, errlen);

	if (v == NULL)
		return -1;
	snd_val_free(d->val);
	d->val = v;
	return 0;
}

uint64_t
snd_dns_query(struct snd_dns *d, const char *name, uint16_t qtype,
    snd_dns_cb *cb, void *arg)
{
	struct dns_q *q;
	ldns_rdf *qname = ldns_dname_new_frm_str(name);

	if (qname == NULL || name[0] == '\0')  {
		ldns_rdf_deep_free(qname);
		return 0;
	}
	q = xcalloc(1, sizeof(*q));
	q->d = d;
	q->id = d->next_id++;
	q->name = xstrdup(name);
	q->qname = qname;
	q->qtype = qtype;
	q->cb = cb;
	q->arg = arg;
	q->fd = -1;
	q->next = d->queries;
	d->queries = q;
	/* Send from the loop, never call back synchronously. */
	q->timer = loop_timer_add(d->l, 0, q_first, q);
	return q->id;
}

void
snd_dns_cancel(struct snd_dns *d, uint64_t id)
{
	struct dns_q *q;

	if (d == NULL || id == 0)
		return;
	for (q = d->queries; q != NULL; q = q->next) {
		if (q->id == id) {
			q_stop_transport(q);
			q_unlink(q);
			q_free(q);
			return;
		}
	}
}

size_t
snd_dns_pending(const struct snd_dns *d)
{
	size_t n = 0;

	for (const struct dns_q *q = d->queries; q != NULL; q = q->next)
		n++;
	return n;
}

void
snd_dns_free(struct snd_dns *d)
{
	if (d == NULL)
		return;
	while (d->queries != NULL) {
		struct dns_q *q = d->queries;
		q_stop_transport(q);
		d->queries = q->next;
		q_free(q);
	}
	snd_val_free(d->val);
	free(d->src_ip);
	free(d->server_ip);
	free(d);
}
