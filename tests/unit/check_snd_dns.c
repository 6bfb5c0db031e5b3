/*
 * Tests for senders/builtin/snd_dns.c, the reference sender's stub
 * resolver: answers from the fake DNS (MX, CNAME chains, NXDOMAIN,
 * NODATA, SERVFAIL, truncation and the TCP retry, timeouts), cancelling,
 * and a hand-made responder that sends garbage and a wrong id before the
 * real answer.  Private network namespace, skipping virtual clock; each
 * test checks that the loop has no fds and no timers left.
 */
#include <arpa/inet.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <ldns/ldns.h>

#include "core/loop.h"
#include "core/util.h"
#include "fake-dns/dns.h"
#include "senders/builtin/snd_dns.h"
#include "tests/unit/testutil.h"

#define T0 1767225600
#define SRC "127.1.0.1"
#define DNS_ADDR "127.53.0.1"
#define FAKE_DNS_ADDR "127.54.0.1"
#define MX1_ADDR "127.25.0.11"

struct world {
	struct loop *l;
	struct dns_db *db;
	struct dns_srv *dns;
};

static struct world W;

static void
add_rr(struct world *w, const char *rr)
{
	char err[256];

	ck_assert_msg(dns_db_add_rr(w->db, rr, err, sizeof(err)) == 0,
	    "%s: %s", rr, err);
}

static struct world *
world_new(void)
{
	struct world *w = &W;
	char err[256];

	tu_netns();
	log_set(stderr, getenv("TEST_VERBOSE") ? LOG_DEBUG : LOG_WARN);
	memset(w, 0, sizeof(*w));
	w->l = loop_new(LOOP_SKIP, T0);
	w->db = dns_db_new();
	ck_assert_msg(dns_db_add_zone(w->db, "test.", DNS_ADDR, err,
	    sizeof(err)) == 0, "%s", err);
	ck_assert_msg(dns_db_add_zone(w->db, "example.test.", DNS_ADDR, err,
	    sizeof(err)) == 0, "%s", err);
	add_rr(w, "mx1.example.test. A " MX1_ADDR);
	add_rr(w, "alias.example.test. CNAME mx1.example.test.");
	w->dns = dns_srv_new(w->l, w->db, DNS_ADDR, 53, err, sizeof(err));
	ck_assert_msg(w->dns != NULL, "dns_srv_new: %s", err);
	return w;
}

static void
world_free(struct world *w)
{
	dns_srv_free(w->dns);
	dns_db_free(w->db);
	loop_free(w->l);
	memset(w, 0, sizeof(*w));
}

static void
world_fini(struct world *w)
{
	dns_srv_free(w->dns);
	w->dns = NULL;
	ck_assert_uint_eq(loop_nfds(w->l), 0);
	ck_assert_uint_eq(loop_ntimers(w->l), 0);
	world_free(w);
}

static void
teardown(void)
{
	if (W.l != NULL)
		world_free(&W);
}

struct qres {
	bool done;
	int rcode;
	bool tcp;
	size_t n;
	char first[2048];
	char cname[256];
	char mx[4][128];
	uint16_t pref[4];
	size_t nmx;
	size_t total;
};

static void
on_answer(const struct snd_dns_answer *a, void *arg)
{
	struct qres *r = arg;

	r->done = true;
	r->rcode = a->rcode;
	r->tcp = a->tcp;
	r->n = a->nrdata;
	if (a->nrdata > 0)
		snprintf(r->first, sizeof(r->first), "%s", a->rdata[0]);
	for (size_t i = 0; i < a->nrdata; i++)
		r->total += strlen(a->rdata[i]);
	if (a->cname != NULL)
		snprintf(r->cname, sizeof(r->cname), "%s", a->cname);
	for (size_t i = 0; i < a->nmx && i < 4; i++) {
		snprintf(r->mx[i], sizeof(r->mx[i]), "%s", a->mx[i].host);
		r->pref[i] = a->mx[i].pref;
	}
	r->nmx = a->nmx;
}

static bool
q_done(void *arg)
{
	return ((struct qres *)arg)->done;
}

static struct qres
ask(struct world *w, struct snd_dns *d, const char *name, uint16_t type)
{
	struct qres r;

	memset(&r, 0, sizeof(r));
	uint64_t id = snd_dns_query(d, name, type, on_answer, &r);
	ck_assert_uint_ne(id, 0);
	ck_assert(!r.done);
	ck_assert_int_eq(loop_run_until(w->l, q_done, &r,
	    loop_now(w->l) + 60000), 0);
	return r;
}

START_TEST(test_dns_answers)
{
	struct world *w = world_new();
	struct snd_dns *d = snd_dns_new(w->l, SRC, DNS_ADDR, 53);
	char err[256], line[160];
	struct qres r;

	ck_assert_ptr_nonnull(d);
	add_rr(w, "example.test. MX 20 mx2.example.test.");
	add_rr(w, "example.test. MX 10 MX1.Example.Test.");
	r = ask(w, d, "example.test", SND_DNS_MX);
	ck_assert_int_eq(r.rcode, SND_DNS_NOERROR);
	ck_assert_uint_eq(r.nmx, 2);
	for (size_t i = 0; i < 2; i++) {
		if (r.pref[i] == 10)
			ck_assert_str_eq(r.mx[i], "mx1.example.test");
		else
			ck_assert_str_eq(r.mx[i], "mx2.example.test");
	}
	/* a CNAME is followed inside the answer, not by a new query */
	r = ask(w, d, "alias.example.test.", SND_DNS_A);
	ck_assert_int_eq(r.rcode, SND_DNS_NOERROR);
	ck_assert_uint_eq(r.n, 1);
	ck_assert_str_eq(r.first, MX1_ADDR);
	ck_assert_str_eq(r.cname, "mx1.example.test");
	ck_assert(!r.tcp);
	r = ask(w, d, "nowhere.example.test", SND_DNS_A);
	ck_assert_int_eq(r.rcode, SND_DNS_NXDOMAIN);
	r = ask(w, d, "mx1.example.test", SND_DNS_MX);   /* NODATA */
	ck_assert_int_eq(r.rcode, SND_DNS_NOERROR);
	ck_assert_uint_eq(r.n, 0);
	/* too big for 1232 bytes of UDP: TC, then TCP */
	for (int i = 0; i < 40; i++) {
		snprintf(line, sizeof(line), "big.example.test. TXT \"record %02d "
		    "of the forty that overflow a UDP answer\"", i);
		add_rr(w, line);
	}
	r = ask(w, d, "big.example.test", SND_DNS_TXT);
	ck_assert_int_eq(r.rcode, SND_DNS_NOERROR);
	ck_assert(r.tcp);
	ck_assert_uint_eq(r.n, 40);
	ck_assert_ptr_nonnull(strstr(r.first, "of the forty that overflow"));
	ck_assert(dns_db_add_fault(w->db, "broken.example.test", 0,
	    DNS_FAIL_SERVFAIL, err, sizeof(err)) == 0);
	r = ask(w, d, "broken.example.test", SND_DNS_MX);
	ck_assert_int_eq(r.rcode, SND_DNS_SERVFAIL);
	ck_assert_uint_eq(snd_dns_pending(d), 0);
	snd_dns_free(d);
	world_fini(w);
}
END_TEST

START_TEST(test_dns_timeout_and_cancel)
{
	struct world *w = world_new();
	struct snd_dns *d = snd_dns_new(w->l, SRC, DNS_ADDR, 53);
	char err[256];
	struct qres r, never;

	ck_assert(dns_db_add_fault(w->db, "slow.example.test", 0,
	    DNS_FAIL_TIMEOUT, err, sizeof(err)) == 0);
	uint64_t t0 = loop_now(w->l);
	r = ask(w, d, "slow.example.test", SND_DNS_A);
	ck_assert_int_eq(r.rcode, SND_DNS_TIMEOUT);
	ck_assert_uint_eq(loop_now(w->l) - t0, SND_DNS_TRIES * SND_DNS_TRY_MS);
	/* cancel: no callback, nothing left on the loop */
	memset(&never, 0, sizeof(never));
	uint64_t id = snd_dns_query(d, "slow.example.test", SND_DNS_A,
	    on_answer, &never);
	ck_assert_uint_ne(id, 0);
	ck_assert_uint_eq(snd_dns_pending(d), 1);
	snd_dns_cancel(d, id);
	ck_assert_uint_eq(snd_dns_pending(d), 0);
	/* bad names are refused at once */
	ck_assert_uint_eq(snd_dns_query(d, "", SND_DNS_A, on_answer, &never), 0);
	/* free with a query in flight: no callback after */
	id = snd_dns_query(d, "slow.example.test", SND_DNS_A, on_answer, &never);
	ck_assert_uint_ne(id, 0);
	ck_assert_int_eq(loop_run_once(w->l), 0);   /* sent */
	snd_dns_free(d);
	ck_assert(!never.done);
	world_fini(w);
}
END_TEST

/* A hand-made responder that first sends garbage and an answer with the
 * wrong id, then the real answer: the query must take only the last. */
static void
spoof_send(int fd, const ldns_pkt *q, uint16_t id, const char *rrtext,
    const struct sockaddr_storage *to, socklen_t tolen)
{
	ldns_pkt *a = ldns_pkt_new();
	ldns_rr *rr = NULL;
	uint8_t *wire = NULL;
	size_t wlen = 0;

	ldns_pkt_set_id(a, id);
	ldns_pkt_set_qr(a, true);
	ldns_pkt_set_rd(a, true);
	ldns_pkt_set_ra(a, true);
	ldns_pkt_push_rr(a, LDNS_SECTION_QUESTION,
	    ldns_rr_clone(ldns_rr_list_rr(ldns_pkt_question(q), 0)));
	ck_assert(ldns_rr_new_frm_str(&rr, rrtext, 0, NULL, NULL) ==
	    LDNS_STATUS_OK);
	ldns_pkt_push_rr(a, LDNS_SECTION_ANSWER, rr);
	ck_assert(ldns_pkt2wire(&wire, a, &wlen) == LDNS_STATUS_OK);
	(void)sendto(fd, wire, wlen, 0, (const struct sockaddr *)to, tolen);
	free(wire);
	ldns_pkt_free(a);
}

static void
spoof_rx(int fd, uint32_t events, void *arg)
{
	uint8_t buf[1500];
	struct sockaddr_storage from;
	socklen_t flen = sizeof(from);
	ssize_t n = recvfrom(fd, buf, sizeof(buf), 0, (struct sockaddr *)&from,
	    &flen);
	ldns_pkt *q = NULL;

	if (n <= 0 || ldns_wire2pkt(&q, buf, (size_t)n) != LDNS_STATUS_OK)
		return;
	(*(int *)arg)++;
	ck_assert(ldns_pkt_edns(q));
	ck_assert_uint_eq(ldns_pkt_edns_udp_size(q), SND_DNS_UDP_SIZE);
	ck_assert(ldns_pkt_rd(q));
	(void)sendto(fd, "junk", 4, 0, (struct sockaddr *)&from, flen);
	spoof_send(fd, q, (uint16_t)(ldns_pkt_id(q) + 1),
	    "x.test. 60 IN A 10.9.9.9", &from, flen);
	spoof_send(fd, q, ldns_pkt_id(q), "x.test. 60 IN A 10.1.2.3", &from,
	    flen);
	ldns_pkt_free(q);
}

START_TEST(test_dns_ignores_strays)
{
	struct world *w = world_new();
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(53) };
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	struct snd_dns *d;
	struct qres r;
	int nq = 0;

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(inet_pton(AF_INET, FAKE_DNS_ADDR, &sa.sin_addr), 1);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	ck_assert_int_eq(loop_add_fd(w->l, fd, EPOLLIN, spoof_rx, &nq), 0);
	d = snd_dns_new(w->l, SRC, FAKE_DNS_ADDR, 53);
	ck_assert_ptr_nonnull(d);
	r = ask(w, d, "x.test", SND_DNS_A);
	ck_assert_int_eq(r.rcode, SND_DNS_NOERROR);
	ck_assert_str_eq(r.first, "10.1.2.3");
	ck_assert_int_eq(nq, 1);   /* answered on the first try */
	snd_dns_free(d);
	loop_del_fd(w->l, fd);
	close(fd);
	world_fini(w);
}
END_TEST

START_TEST(test_rcode_names)
{
	ck_assert_str_eq(snd_dns_rcode_name(SND_DNS_NXDOMAIN), "NXDOMAIN");
	ck_assert_str_eq(snd_dns_rcode_name(SND_DNS_TIMEOUT), "timeout");
	ck_assert_str_eq(snd_dns_rcode_name(SND_DNS_NETERR), "network error");
	ck_assert_str_eq(snd_dns_rcode_name(99), "unknown rcode");
	ck_assert_ptr_null(snd_dns_new(NULL, SRC, "not-an-ip", 53));
	ck_assert_ptr_null(snd_dns_new(NULL, "::1", DNS_ADDR, 53));
}
END_TEST

static Suite *
snd_dns_suite(void)
{
	Suite *s = suite_create("snd_dns");
	TCase *tc = tcase_create("resolver");

	tcase_set_timeout(tc, 60);
	tcase_add_checked_fixture(tc, NULL, teardown);
	tcase_add_test(tc, test_dns_answers);
	tcase_add_test(tc, test_dns_timeout_and_cancel);
	tcase_add_test(tc, test_dns_ignores_strays);
	tcase_add_test(tc, test_rcode_names);
	suite_add_tcase(s, tc);
	return s;
}

TEST_MAIN(snd_dns_suite)
