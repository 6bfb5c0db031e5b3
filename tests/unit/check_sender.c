/*
 * Tests for the reference sender (senders/builtin) against the fake DNS,
 * fake MX servers and a scripted MX that checks the exact dialogue, in a
 * private network namespace on the skipping virtual clock.  Each test
 * frees everything and checks that the loop has no fds and no timers
 * left.  The stub resolver has its own suite, check_snd_dns.c.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "core/conn.h"
#include "core/loop.h"
#include "core/pki.h"
#include "core/record.h"
#include "fake-dns/dns.h"
#include "fake-mx/smtp.h"
#include "senders/builtin/sender.h"
#include "tests/unit/testutil.h"

#define T0 1767225600          /* 2026-01-01: loop epoch and PKI clock */
#define SRC "127.1.0.1"
#define DNS_ADDR "127.53.0.1"
#define MX1_HOST "mx1.example.test"
#define MX2_HOST "mx2.example.test"
#define MX1_ADDR "127.25.0.11"
#define MX2_ADDR "127.25.0.12"
#define DEADLINE_MS (4 * 3600 * 1000ull)
#define MSG "Subject: test\n\nhello\n.leading dot\n"

enum mx_kind {
	MX_ABSENT,      /* not in the DNS */
	MX_NONE,        /* in the DNS, nothing listening */
	MX_VALID,
	MX_BLACKHOLE,   /* accepts and never speaks */
	MX_SELFSIGNED,
	MX_NOSTARTTLS,  /* EHLO without STARTTLS */
	MX_RCPT550,
	MX_BADTLS,      /* offers STARTTLS, every handshake fails */
	MX_WRONGHOST,
	MX_EXPIRED,
};

struct mx {
	enum mx_kind kind;
	struct pki_cert *cert;
	SSL_CTX *sctx;
	uint8_t *der;
	struct smtp_srv *srv;
	int bh_fd;
	int bh_conns[8];
	int nbh;
};

struct world {
	struct loop *l;
	struct pki *pki;
	SSL_CTX *cctx;
	struct dns_db *db;
	struct dns_srv *dns;
	struct rec *rec;
	struct mx mx[2];
	struct sender *snd;
	bool done;
	enum snd_result res;
	char why[512];
};

static struct world W;

static void
bh_accept(int fd, uint32_t events, void *arg)
{
	struct mx *m = arg;
	int c = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

	if (c >= 0 && m->nbh < (int)ARRAY_LEN(m->bh_conns))
		m->bh_conns[m->nbh++] = c;
	else if (c >= 0)
		close(c);
}

static void
mx_start(struct world *w, struct mx *m, const char *host, const char *addr)
{
	static const char *const no_tls_ehlo[] = { "PIPELINING", "8BITMIME", NULL };
	static const struct smtp_override rcpt550[] = {
		{ "RCPT", "550 5.1.1 no such user here" },
	};
	struct pki_spec spec = { .variant = "valid", .host = host };
	struct smtp_srv_config cfg;
	char err[256];
	int len = 0;

	m->bh_fd = -1;
	if (m->kind == MX_ABSENT || m->kind == MX_NONE)
		return;
	if (m->kind == MX_BLACKHOLE) {
		m->bh_fd = conn_listen(addr, 25);
		ck_assert_int_ge(m->bh_fd, 0);
		ck_assert_int_eq(loop_add_fd(w->l, m->bh_fd, EPOLLIN, bh_accept, m), 0);
		return;
	}
	memset(&cfg, 0, sizeof(cfg));
	if (m->kind == MX_BADTLS) {
		m->sctx = SSL_CTX_new(TLS_server_method());  /* no certificate */
	} else {
		if (m->kind == MX_SELFSIGNED)
			spec.variant = "self-signed";
		else if (m->kind == MX_WRONGHOST)
			spec.variant = "wrong-host";
		else if (m->kind == MX_EXPIRED)
			spec.variant = "expired";
		ck_assert_msg(pki_issue(w->pki, &spec, &m->cert, err,
		    sizeof(err)) == 0, "%s", err);
		m->sctx = pki_server_ctx(m->cert);
		len = i2d_X509(pki_cert_x509(m->cert), &m->der);
		ck_assert_int_gt(len, 0);
		cfg.cert_label = spec.variant;
		cfg.cert_der = m->der;
		cfg.cert_len = (size_t)len;
	}
	ck_assert_ptr_nonnull(m->sctx);
	cfg.host = host;
	cfg.addr = addr;
	cfg.port_smtp = 25;
	cfg.port_submission = 587;
	cfg.port_smtps = 465;
	cfg.tls = m->sctx;
	cfg.rec = w->rec;
	if (m->kind == MX_NOSTARTTLS)
		cfg.ehlo = no_tls_ehlo;
	if (m->kind == MX_RCPT550) {
		cfg.overrides = rcpt550;
		cfg.noverrides = ARRAY_LEN(rcpt550);
	}
	m->srv = smtp_srv_new(w->l, &cfg, err, sizeof(err));
	ck_assert_msg(m->srv != NULL, "smtp_srv_new: %s", err);
}

static void
add_rr(struct world *w, const char *rr)
{
	char err[256];

	ck_assert_msg(dns_db_add_rr(w->db, rr, err, sizeof(err)) == 0,
	    "%s: %s", rr, err);
}

/* The world: DNS with example.test (MX 10 mx1, MX 20 mx2), two MXs. */
static struct world *
world_new(enum mx_kind k1, enum mx_kind k2)
{
	struct world *w = &W;
	char err[256];

	tu_netns();
	log_set(stderr, getenv("TEST_VERBOSE") ? LOG_DEBUG : LOG_WARN);
	memset(w, 0, sizeof(*w));
	w->l = loop_new(LOOP_SKIP, T0);
	w->pki = pki_new(1, T0);
	ck_assert_ptr_nonnull(w->pki);
	w->cctx = pki_client_ctx(w->pki);
	ck_assert_ptr_nonnull(w->cctx);
	w->rec = rec_new(w->l);
	w->db = dns_db_new();
	ck_assert_msg(dns_db_add_zone(w->db, "test.", DNS_ADDR, err,
	    sizeof(err)) == 0, "%s", err);
	ck_assert_msg(dns_db_add_zone(w->db, "example.test.", DNS_ADDR, err,
	    sizeof(err)) == 0, "%s", err);
	add_rr(w, "mx1.example.test. A " MX1_ADDR);
	add_rr(w, "mx2.example.test. A " MX2_ADDR);
	add_rr(w, "alias.example.test. CNAME mx1.example.test.");
	add_rr(w, "implicit.test. A " MX1_ADDR);
	if (k1 != MX_ABSENT)
		add_rr(w, "example.test. MX 10 mx1.example.test.");
	if (k2 != MX_ABSENT)
		add_rr(w, "example.test. MX 20 mx2.example.test.");
	w->dns = dns_srv_new(w->l, w->db, DNS_ADDR, 53, err, sizeof(err));
	ck_assert_msg(w->dns != NULL, "dns_srv_new: %s", err);
	w->mx[0].kind = k1;
	w->mx[1].kind = k2;
	mx_start(w, &w->mx[0], MX1_HOST, MX1_ADDR);
	mx_start(w, &w->mx[1], MX2_HOST, MX2_ADDR);
	return w;
}

static struct snd_config
relay_config(enum snd_mode mode, const char *local_tls)
{
	struct snd_config c;

	memset(&c, 0, sizeof(c));
	c.mode = mode;
	c.src_ip = SRC;
	c.resolver_ip = DNS_ADDR;
	c.resolver_port = 53;
	c.local_tls = local_tls;
	c.tls = W.cctx;
	c.helo = "sender.mxsim.test";
	c.smtp_port = 25;
	c.connect_timeout_ms = 30000;
	c.cmd_timeout_ms = 300000;
	return c;
}

static void
on_done(enum snd_result res, const char *why, void *arg)
{
	struct world *w = arg;

	ck_assert(!w->done);
	w->done = true;
	w->res = res;
	snprintf(w->why, sizeof(w->why), "%s", why);
}

static bool
is_done(void *arg)
{
	return ((struct world *)arg)->done;
}

/* Start the sender and deliver one message to rcpt; returns the result. */
static enum snd_result
deliver(struct world *w, const struct snd_config *cfg, const char *rcpt)
{
	w->snd = snd_new(w->l, cfg);
	ck_assert_ptr_nonnull(w->snd);
	ck_assert_int_eq(snd_send(w->snd, "alice@sender.test", rcpt, MSG,
	    on_done, w), 0);
	ck_assert(!w->done);   /* never synchronous */
	ck_assert_int_eq(loop_run_until(w->l, is_done, w,
	    loop_now(w->l) + DEADLINE_MS), 0);
	ck_assert_uint_eq(snd_pending(w->snd), 0);
	return w->res;
}

static void
mx_stop(struct world *w, struct mx *m)
{
	smtp_srv_free(m->srv);
	m->srv = NULL;
	if (m->bh_fd >= 0) {
		loop_del_fd(w->l, m->bh_fd);
		close(m->bh_fd);
		m->bh_fd = -1;
	}
	for (int i = 0; i < m->nbh; i++)
		close(m->bh_conns[i]);
	m->nbh = 0;
}

static void
world_free(struct world *w)
{
	snd_free(w->snd);
	w->snd = NULL;
	for (int i = 0; i < 2; i++) {
		mx_stop(w, &w->mx[i]);
		SSL_CTX_free(w->mx[i].sctx);
		OPENSSL_free(w->mx[i].der);
		pki_cert_free(w->mx[i].cert);
	}
	dns_srv_free(w->dns);
	w->dns = NULL;
	dns_db_free(w->db);
	rec_free(w->rec);
	SSL_CTX_free(w->cctx);
	pki_free(w->pki);
	loop_free(w->l);
	memset(w, 0, sizeof(*w));
}

/* Free everything; nothing may be left on the loop. */
static void
world_fini(struct world *w)
{
	snd_free(w->snd);
	w->snd = NULL;
	mx_stop(w, &w->mx[0]);
	mx_stop(w, &w->mx[1]);
	dns_srv_free(w->dns);
	w->dns = NULL;
	ck_assert_uint_eq(loop_nfds(w->l), 0);
	ck_assert_uint_eq(loop_ntimers(w->l), 0);
	world_free(w);
}

static size_t
sessions_to(const struct world *w, const char *host, uint16_t port)
{
	size_t n = 0;

	for (size_t i = 0; i < rec_count(w->rec); i++) {
		const struct rec_session *s = rec_get(w->rec, i);
		if (strcmp(s->host, host) == 0 && s->port == port)
			n++;
	}
	return n;
}

static const struct rec_session *
last_session(const struct world *w)
{
	size_t n = rec_count(w->rec);

	ck_assert_uint_gt(n, 0);
	return rec_get(w->rec, n - 1);
}

/* ---- the sender ---- */

START_TEST(test_secure_delivery)
{
	struct world *w = world_new(MX_VALID, MX_VALID);
	struct snd_config c = relay_config(SND_STRICT, "secure");

	ck_assert_int_eq(deliver(w, &c, "bob@example.test"), SND_DELIVERED);
	ck_assert_uint_eq(rec_count(w->rec), 1);
	const struct rec_session *s = last_session(w);
	ck_assert_str_eq(s->host, MX1_HOST);
	ck_assert(s->starttls_offered && s->starttls_issued);
	ck_assert_int_eq(s->tls, REC_TLS_OK);
	ck_assert(s->ehlo_after_tls);
	ck_assert(s->mail_from && s->data_sent && s->data_tls && s->delivered);
	ck_assert_uint_eq(smtp_srv_messages(w->mx[0].srv), 1);
	ck_assert_ptr_nonnull(strstr(w->why, "certificate verified"));
	world_fini(w);
}
END_TEST

START_TEST(test_refused_falls_back)
{
	struct world *w = world_new(MX_NONE, MX_VALID);
	struct snd_config c = relay_config(SND_STRICT, "secure");

	ck_assert_int_eq(deliver(w, &c, "bob@example.test"), SND_DELIVERED);
	ck_assert_uint_eq(rec_count(w->rec), 1);
	ck_assert_str_eq(last_session(w)->host, MX2_HOST);
	ck_assert(last_session(w)->delivered);
	ck_assert_uint_eq(smtp_srv_messages(w->mx[1].srv), 1);
	world_fini(w);
}
END_TEST

START_TEST(test_blackhole_falls_back)
{
	struct world *w = world_new(MX_BLACKHOLE, MX_VALID);
	struct snd_config c = relay_config(SND_STRICT, "may");
	struct timespec a, b;

	clock_gettime(CLOCK_MONOTONIC, &a);
	ck_assert_int_eq(deliver(w, &c, "bob@example.test"), SND_DELIVERED);
	clock_gettime(CLOCK_MONOTONIC, &b);
	ck_assert_int_eq(w->mx[0].nbh, 1);
	ck_assert_uint_ge(loop_now(w->l), 300000);
	ck_assert_uint_lt(loop_now(w->l), 310000);
	double real = (double)(b.tv_sec - a.tv_sec) +
	    (double)(b.tv_nsec - a.tv_nsec) / 1e9;
	ck_assert_msg(real < 1.0, "took %.3f s of real time", real);
	ck_assert_uint_eq(smtp_srv_messages(w->mx[1].srv), 1);
	world_fini(w);
}
END_TEST

START_TEST(test_selfsigned_secure_defers)
{
	struct world *w = world_new(MX_SELFSIGNED, MX_SELFSIGNED);
	struct snd_config c = relay_config(SND_STRICT, "secure");

	ck_assert_int_eq(deliver(w, &c, "bob@example.test"), SND_DEFERRED);
	ck_assert_uint_eq(rec_count(w->rec), 2);
	for (size_t i = 0; i < rec_count(w->rec); i++) {
		const struct rec_session *s = rec_get(w->rec, i);
		ck_assert_int_eq(s->tls, REC_TLS_OK);
		ck_assert(!s->mail_from);
		ck_assert(!s->data_sent);
	}
	ck_assert_msg(strstr(w->why, "certificate not trusted") != NULL, "%s",
	    w->why);
	world_fini(w);
}
END_TEST

START_TEST(test_selfsigned_opportunistic_delivers)
{
	struct world *w = world_new(MX_SELFSIGNED, MX_ABSENT);
	struct snd_config c = relay_config(SND_OPPORTUNISTIC, "secure");

	ck_assert_int_eq(deliver(w, &c, "bob@example.test"), SND_DELIVERED);
	ck_assert_uint_eq(rec_count(w->rec), 1);
	ck_assert(last_session(w)->data_tls && last_session(w)->delivered);
	world_fini(w);
}
END_TEST

START_TEST(test_no_verify_accepts_selfsigned)
{
	struct world *w = world_new(MX_SELFSIGNED, MX_ABSENT);
	struct snd_config c = relay_config(SND_NO_VERIFY, "secure");

	ck_assert_int_eq(deliver(w, &c, "bob@example.test"), SND_DELIVERED);
	ck_assert(last_session(w)->data_tls);
	world_fini(w);
}
END_TEST

START_TEST(test_nostarttls_encrypt_defers)
{
	struct world *w = world_new(MX_NOSTARTTLS, MX_NOSTARTTLS);
	struct snd_config c = relay_config(SND_STRICT, "encrypt");

	ck_assert_int_eq(deliver(w, &c, "bob@example.test"), SND_DEFERRED);
	ck_assert_uint_eq(rec_count(w->rec), 2);
	for (size_t i = 0; i < rec_count(w->rec); i++) {
		ck_assert(!rec_get(w->rec, i)->mail_from);
		ck_assert(!rec_get(w->rec, i)->starttls_issued);
	}
	ck_assert_ptr_nonnull(strstr(w->why, "STARTTLS not offered"));
	world_fini(w);
}
END_TEST

START_TEST(test_nostarttls_may_plaintext)
{
	struct world *w = world_new(MX_NOSTARTTLS, MX_VALID);
	struct snd_config c = relay_config(SND_STRICT, "may");

	ck_assert_int_eq(deliver(w, &c, "bob@example.test"), SND_DELIVERED);
	ck_assert_uint_eq(rec_count(w->rec), 1);
	const struct rec_session *s = last_session(w);
	ck_assert_str_eq(s->host, MX1_HOST);
	ck_assert(!s->starttls_issued);
	ck_assert(s->data_sent && !s->data_tls && s->delivered);
	world_fini(w);
}
END_TEST

START_TEST(test_badtls_may_plaintext_pass)
{
	struct world *w = world_new(MX_BADTLS, MX_BADTLS);
	struct snd_config c = relay_config(SND_STRICT, "may");

	ck_assert_int_eq(deliver(w, &c, "bob@example.test"), SND_DELIVERED);
	/* mx1 and mx2 fail at TLS, then mx1 again without STARTTLS */
	ck_assert_uint_eq(rec_count(w->rec), 3);
	ck_assert_int_eq(rec_get(w->rec, 0)->tls, REC_TLS_FAILED);
	ck_assert_str_eq(rec_get(w->rec, 1)->host, MX2_HOST);
	ck_assert_int_eq(rec_get(w->rec, 1)->tls, REC_TLS_FAILED);
	const struct rec_session *s = last_session(w);
	ck_assert_str_eq(s->host, MX1_HOST);
	ck_assert(!s->starttls_issued);
	ck_assert(s->data_sent && !s->data_tls);
	world_fini(w);
}
END_TEST

START_TEST(test_badtls_encrypt_defers)
{
	struct world *w = world_new(MX_BADTLS, MX_BADTLS);
	struct snd_config c = relay_config(SND_STRICT, "encrypt");

	ck_assert_int_eq(deliver(w, &c, "bob@example.test"), SND_DEFERRED);
	ck_assert_uint_eq(rec_count(w->rec), 2);
	for (size_t i = 0; i < rec_count(w->rec); i++)
		ck_assert(!rec_get(w->rec, i)->data_sent);
	world_fini(w);
}
END_TEST

START_TEST(test_badtls_opportunistic_same_mx)
{
	struct world *w = world_new(MX_BADTLS, MX_VALID);
	struct snd_config c = relay_config(SND_OPPORTUNISTIC, "may");

	ck_assert_int_eq(deliver(w, &c, "bob@example.test"), SND_DELIVERED);
	ck_assert_uint_eq(sessions_to(w, MX1_HOST, 25), 2);
	ck_assert_uint_eq(sessions_to(w, MX2_HOST, 25), 0);
	ck_assert(last_session(w)->data_sent && !last_session(w)->data_tls);
	world_fini(w);
}
END_TEST

START_TEST(test_submission_implicit)
{
	struct world *w = world_new(MX_VALID, MX_ABSENT);
	struct snd_config c = relay_config(SND_STRICT, NULL);

	c.submit_host = MX1_HOST;
	c.submit_port = 465;
	c.submit_tls = "implicit";
	ck_assert_int_eq(deliver(w, &c, "carol@elsewhere.test"), SND_DELIVERED);
	ck_assert_uint_eq(rec_count(w->rec), 1);
	const struct rec_session *s = last_session(w);
	ck_assert_uint_eq(s->port, 465);
	ck_assert_int_eq(s->tls, REC_TLS_OK);
	ck_assert(!s->starttls_issued);
	ck_assert(s->data_tls && s->delivered);
	world_fini(w);
}
END_TEST

START_TEST(test_submission_starttls_selfsigned)
{
	struct world *w = world_new(MX_SELFSIGNED, MX_ABSENT);
	struct snd_config c = relay_config(SND_STRICT, NULL);

	c.submit_host = MX1_HOST;
	c.submit_port = 587;
	c.submit_tls = "starttls";
	ck_assert_int_eq(deliver(w, &c, "carol@elsewhere.test"), SND_DEFERRED);
	ck_assert_uint_eq(rec_count(w->rec), 1);
	ck_assert_uint_eq(last_session(w)->port, 587);
	ck_assert(!last_session(w)->mail_from);
	world_fini(w);
}
END_TEST

START_TEST(test_certificate_checks)
{
	struct world *w = world_new(MX_WRONGHOST, MX_EXPIRED);
	struct snd_config c = relay_config(SND_STRICT, "secure");

	ck_assert_int_eq(deliver(w, &c, "bob@example.test"), SND_DEFERRED);
	ck_assert_msg(strstr(w->why, "certificate expired") != NULL, "%s", w->why);
	ck_assert(!rec_get(w->rec, 0)->mail_from && !rec_get(w->rec, 1)->mail_from);
	world_fini(w);

	w = world_new(MX_WRONGHOST, MX_ABSENT);
	c = relay_config(SND_STRICT, "secure");
	ck_assert_int_eq(deliver(w, &c, "bob@example.test"), SND_DEFERRED);
	ck_assert_msg(strstr(w->why, "certificate host mismatch") != NULL, "%s",
	    w->why);
	world_fini(w);

	/* the check runs at the loop's clock: two years on, "valid" expired */
	w = world_new(MX_VALID, MX_ABSENT);
	c = relay_config(SND_STRICT, "secure");
	loop_advance(w->l, 2 * 366 * 86400ull * 1000);
	ck_assert_int_eq(deliver(w, &c, "bob@example.test"), SND_DEFERRED);
	ck_assert_msg(strstr(w->why, "certificate expired") != NULL, "%s", w->why);
	world_fini(w);
}
END_TEST

START_TEST(test_addresses_in_order)
{
	struct world *w = world_new(MX_VALID, MX_ABSENT);
	struct snd_config c = relay_config(SND_STRICT, "may");

	add_rr(w, "multi.test. MX 10 mxm.multi.test.");
	add_rr(w, "mxm.multi.test. A 127.25.0.13");   /* nothing there */
	add_rr(w, "mxm.multi.test. A " MX1_ADDR);
	ck_assert_int_eq(deliver(w, &c, "bob@multi.test"), SND_DELIVERED);
	ck_assert_uint_eq(smtp_srv_messages(w->mx[0].srv), 1);
	world_fini(w);
}
END_TEST

START_TEST(test_null_mx_bounces)
{
	struct world *w = world_new(MX_VALID, MX_ABSENT);
	struct snd_config c = relay_config(SND_STRICT, "may");

	add_rr(w, "nullmx.test. MX 0 .");
	ck_assert_int_eq(deliver(w, &c, "bob@nullmx.test"), SND_BOUNCED);
	ck_assert_uint_eq(rec_count(w->rec), 0);
	ck_assert_ptr_nonnull(strstr(w->why, "null MX"));
	world_fini(w);
}
END_TEST

START_TEST(test_nxdomain_bounces)
{
	struct world *w = world_new(MX_VALID, MX_VALID);
	struct snd_config c = relay_config(SND_STRICT, "may");

	ck_assert_int_eq(deliver(w, &c, "bob@nowhere.test"), SND_BOUNCED);
	ck_assert_uint_eq(rec_count(w->rec), 0);
	ck_assert_ptr_nonnull(strstr(w->why, "NXDOMAIN"));
	world_fini(w);
}
END_TEST

START_TEST(test_servfail_defers)
{
	struct world *w = world_new(MX_VALID, MX_VALID);
	struct snd_config c = relay_config(SND_STRICT, "may");
	char err[256];

	ck_assert(dns_db_add_fault(w->db, "example.test", 0, DNS_FAIL_SERVFAIL,
	    err, sizeof(err)) == 0);
	ck_assert_int_eq(deliver(w, &c, "bob@example.test"), SND_DEFERRED);
	ck_assert_uint_eq(rec_count(w->rec), 0);
	world_fini(w);
}
END_TEST

START_TEST(test_implicit_mx)
{
	struct world *w = world_new(MX_VALID, MX_ABSENT);
	struct snd_config c = relay_config(SND_STRICT, "may");

	ck_assert_int_eq(deliver(w, &c, "bob@implicit.test"), SND_DELIVERED);
	ck_assert_uint_eq(sessions_to(w, MX1_HOST, 25), 1);
	world_fini(w);
}
END_TEST

START_TEST(test_rcpt_550_bounces)
{
	struct world *w = world_new(MX_RCPT550, MX_VALID);
	struct snd_config c = relay_config(SND_STRICT, "may");

	ck_assert_int_eq(deliver(w, &c, "bob@example.test"), SND_BOUNCED);
	ck_assert_uint_eq(rec_count(w->rec), 1);
	const struct rec_session *s = last_session(w);
	ck_assert(s->mail_from && !s->data_sent && !s->delivered);
	ck_assert_ptr_nonnull(strstr(w->why, "550"));
	world_fini(w);
}
END_TEST

/* ---- a scripted MX for the exact wire dialogue ---- */

struct rule {
	const char *prefix;   /* command prefix, any case; "." ends the data */
	const char *reply;    /* lines separated by CRLF, without the last one */
};

struct scr {
	bool active;
	struct loop *l;
	int lfd;
	struct conn *c;
	const struct rule *rules;
	size_t nrules;
	SSL_CTX *tls;         /* STARTTLS on a 220 reply when set */
	bool in_data;
	struct buf lines;     /* every line received, "\n"-separated */
	struct buf raw;       /* every plaintext byte received */
	int sessions;
};

static struct scr S;

static const char *
scr_reply(const struct scr *x, const char *line)
{
	for (size_t i = 0; i < x->nrules; i++) {
		size_t n = strlen(x->rules[i].prefix);
		if (strncasecmp(line, x->rules[i].prefix, n) == 0)
			return x->rules[i].reply;
	}
	if (strncasecmp(line, "DATA", 4) == 0)
		return "354 go ahead";
	if (strncasecmp(line, "QUIT", 4) == 0)
		return "221 bye";
	return "250 ok";
}

static void
scr_cb(struct conn *c, enum conn_ev ev, void *arg)
{
	struct scr *x = arg;
	char *line;
	size_t len;

	if (ev == CONN_EOF || ev == CONN_ERROR || ev == CONN_TIMEOUT ||
	    ev == CONN_TLS_FAILED) {
		conn_close(c);
		x->c = NULL;
		return;
	}
	if (ev != CONN_DATA)
		return;
	while (x->c == c && conn_getline(c, &line, &len) == 1) {
		buf_appendf(&x->lines, "%s\n", line);
		if (x->in_data) {
			if (strcmp(line, ".") != 0)
				continue;
			x->in_data = false;
		}
		const char *r = strcmp(line, ".") == 0 ? scr_reply(x, ".") :
		    scr_reply(x, line);
		conn_printf(c, "%s\r\n", r);
		if (strncmp(r, "354", 3) == 0)
			x->in_data = true;
		if (strncmp(r, "421", 3) == 0 || strncasecmp(line, "QUIT", 4) == 0) {
			conn_close(c);
			x->c = NULL;
		} else if (strncmp(r, "220", 3) == 0 && x->tls != NULL) {
			ck_assert_int_eq(conn_starttls(c, x->tls, true, NULL), 0);
			return;
		}
	}
}

static void
scr_tap(struct conn *c, enum conn_dir dir, const uint8_t *p, size_t n,
    void *arg)
{
	struct scr *x = arg;

	if (dir == CONN_IN && !conn_is_tls(c) && conn_ssl(c) == NULL)
		buf_append(&x->raw, p, n);
}

static void
scr_accept(int fd, uint32_t events, void *arg)
{
	struct scr *x = arg;
	int cfd = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

	if (cfd < 0)
		return;
	if (x->c != NULL) {   /* one session at a time */
		close(cfd);
		return;
	}
	x->sessions++;
	x->in_data = false;
	x->c = conn_new(x->l, cfd, scr_cb, x);
	conn_set_tap(x->c, scr_tap, x);
	conn_printf(x->c, "%s\r\n", scr_reply(x, "banner"));
}

static struct scr *
scr_start(struct world *w, const struct rule *rules, size_t n, SSL_CTX *tls)
{
	struct scr *x = &S;

	memset(x, 0, sizeof(*x));
	x->active = true;
	x->l = w->l;
	x->rules = rules;
	x->nrules = n;
	x->tls = tls;
	x->lfd = conn_listen(MX1_ADDR, 25);
	ck_assert_int_ge(x->lfd, 0);
	ck_assert_int_eq(loop_add_fd(w->l, x->lfd, EPOLLIN, scr_accept, x), 0);
	return x;
}

static void
scr_stop(struct scr *x)
{
	if (!x->active)
		return;
	x->active = false;
	if (x->c != NULL)
		conn_abort(x->c);
	x->c = NULL;
	if (x->lfd >= 0) {
		loop_del_fd(x->l, x->lfd);
		close(x->lfd);
	}
	x->lfd = -1;
	buf_free(&x->lines);
	buf_free(&x->raw);
}

static const char *
scr_lines(struct scr *x)
{
	return buf_cstr(&x->lines);
}

#define DIALOGUE_MAIL "MAIL FROM:<alice@sender.test>\n" \
	"RCPT TO:<bob@example.test>\nDATA\n" \
	"Subject: test\n\nhello\n..leading dot\n.\nQUIT\n"

START_TEST(test_wire_dialogue)
{
	static const struct rule rules[] = {
		{ "banner", "220-mx1.example.test hello\r\n220 more" },
		{ "EHLO", "250-mx1.example.test\r\n250-PIPELINING\r\n250 8BITMIME" },
	};
	struct world *w = world_new(MX_NONE, MX_ABSENT);
	struct snd_config c = relay_config(SND_STRICT, "may");
	struct scr *x = scr_start(w, rules, ARRAY_LEN(rules), NULL);

	ck_assert_int_eq(deliver(w, &c, "bob@example.test"), SND_DELIVERED);
	ck_assert_str_eq(scr_lines(x), "EHLO sender.mxsim.test\n" DIALOGUE_MAIL);
	/* CRLF everywhere, the leading dot doubled, the final dot */
	ck_assert_ptr_nonnull(strstr(buf_cstr(&x->raw),
	    "\r\nhello\r\n..leading dot\r\n.\r\nQUIT\r\n"));
	scr_stop(x);
	world_fini(w);
}
END_TEST

START_TEST(test_helo_fallback)
{
	static const struct rule rules[] = {
		{ "banner", "220 mx1.example.test" },
		{ "EHLO", "502 5.5.1 what is EHLO" },
	};
	struct world *w = world_new(MX_NONE, MX_ABSENT);
	struct snd_config c = relay_config(SND_STRICT, "may");
	struct scr *x = scr_start(w, rules, ARRAY_LEN(rules), NULL);

	ck_assert_int_eq(deliver(w, &c, "bob@example.test"), SND_DELIVERED);
	ck_assert_str_eq(scr_lines(x), "EHLO sender.mxsim.test\n"
	    "HELO sender.mxsim.test\n" DIALOGUE_MAIL);
	scr_stop(x);
	snd_free(w->snd);
	w->snd = NULL;
	w->done = false;
	/* TLS required: no HELO, QUIT */
	c = relay_config(SND_STRICT, "encrypt");
	x = scr_start(w, rules, ARRAY_LEN(rules), NULL);
	ck_assert_int_eq(deliver(w, &c, "bob@example.test"), SND_DEFERRED);
	ck_assert_str_eq(scr_lines(x), "EHLO sender.mxsim.test\nQUIT\n");
	scr_stop(x);
	world_fini(w);
}
END_TEST

START_TEST(test_421_and_4xx_next_mx)
{
	static const struct rule r421[] = {
		{ "banner", "220 mx1.example.test" },
		{ "MAIL", "421 4.3.0 going down" },
	};
	static const struct rule r450[] = {
		{ "banner", "220 mx1.example.test" },
		{ "RCPT", "450 4.2.0 mailbox busy" },
	};
	struct world *w = world_new(MX_NONE, MX_VALID);
	struct snd_config c = relay_config(SND_STRICT, "may");
	struct scr *x = scr_start(w, r421, ARRAY_LEN(r421), NULL);

	/* 421: no QUIT, straight to mx2 */
	ck_assert_int_eq(deliver(w, &c, "bob@example.test"), SND_DELIVERED);
	ck_assert_str_eq(scr_lines(x), "EHLO sender.mxsim.test\n"
	    "MAIL FROM:<alice@sender.test>\n");
	ck_assert_uint_eq(smtp_srv_messages(w->mx[1].srv), 1);
	scr_stop(x);
	snd_free(w->snd);
	w->snd = NULL;
	w->done = false;
	/* 450 to RCPT: QUIT, then mx2 */
	x = scr_start(w, r450, ARRAY_LEN(r450), NULL);
	ck_assert_int_eq(deliver(w, &c, "bob@example.test"), SND_DELIVERED);
	ck_assert_str_eq(scr_lines(x), "EHLO sender.mxsim.test\n"
	    "MAIL FROM:<alice@sender.test>\nRCPT TO:<bob@example.test>\nQUIT\n");
	ck_assert_uint_eq(smtp_srv_messages(w->mx[1].srv), 2);
	scr_stop(x);
	world_fini(w);
}
END_TEST

START_TEST(test_starttls_refused)
{
	static const struct rule rules[] = {
		{ "banner", "220 mx1.example.test" },
		{ "EHLO", "250-mx1.example.test\r\n250 STARTTLS" },
		{ "STARTTLS", "454 4.7.0 TLS not available" },
	};
	struct world *w = world_new(MX_NONE, MX_ABSENT);
	struct snd_config c = relay_config(SND_STRICT, "may");
	struct scr *x = scr_start(w, rules, ARRAY_LEN(rules), NULL);

	/* may: plaintext on the same connection */
	ck_assert_int_eq(deliver(w, &c, "bob@example.test"), SND_DELIVERED);
	ck_assert_str_eq(scr_lines(x), "EHLO sender.mxsim.test\nSTARTTLS\n"
	    DIALOGUE_MAIL);
	ck_assert_int_eq(x->sessions, 1);
	scr_stop(x);
	snd_free(w->snd);
	w->snd = NULL;
	w->done = false;
	/* encrypt: QUIT */
	c = relay_config(SND_STRICT, "encrypt");
	x = scr_start(w, rules, ARRAY_LEN(rules), NULL);
	ck_assert_int_eq(deliver(w, &c, "bob@example.test"), SND_DEFERRED);
	ck_assert_str_eq(scr_lines(x), "EHLO sender.mxsim.test\nSTARTTLS\nQUIT\n");
	scr_stop(x);
	world_fini(w);
}
END_TEST

START_TEST(test_starttls_injection_discarded)
{
	/* a reply injected behind the 220 must not answer the EHLO that
	 * follows the handshake (RFC 3207 4.2) */
	static const struct rule rules[] = {
		{ "banner", "220 mx1.example.test" },
		{ "EHLO", "250-mx1.example.test\r\n250 STARTTLS" },
		{ "STARTTLS", "220 go ahead\r\n250-injected\r\n250 STARTTLS" },
	};
	struct world *w = world_new(MX_VALID, MX_ABSENT);
	struct snd_config c = relay_config(SND_STRICT, "secure");

	/* mx1's server stands aside: the script takes its address */
	mx_stop(w, &w->mx[0]);
	struct scr *x = scr_start(w, rules, ARRAY_LEN(rules), w->mx[0].sctx);
	ck_assert_int_eq(deliver(w, &c, "bob@example.test"), SND_DELIVERED);
	ck_assert_str_eq(scr_lines(x), "EHLO sender.mxsim.test\nSTARTTLS\n"
	    "EHLO sender.mxsim.test\n" DIALOGUE_MAIL);
	scr_stop(x);
	world_fini(w);
}
END_TEST

static void
free_in_done(enum snd_result res, const char *why, void *arg)
{
	struct world *w = arg;

	w->done = true;
	snd_free(w->snd);
	w->snd = NULL;
}

START_TEST(test_free_in_flight_and_in_done)
{
	struct world *w = world_new(MX_BLACKHOLE, MX_VALID);
	struct snd_config c = relay_config(SND_STRICT, "may");

	/* freed while connected to the blackhole: no callback after */
	w->snd = snd_new(w->l, &c);
	ck_assert_ptr_nonnull(w->snd);
	ck_assert_int_eq(snd_send(w->snd, "a@b.test", "bob@example.test", MSG,
	    on_done, w), 0);
	ck_assert_int_eq(snd_send(w->snd, "a@b.test", "nobody", MSG, on_done,
	    w), -1);
	ck_assert_int_eq(loop_run_until(w->l, is_done, w, loop_now(w->l) + 1000),
	    -1);
	ck_assert_int_eq(w->mx[0].nbh, 1);
	snd_free(w->snd);
	w->snd = NULL;
	ck_assert(!w->done);
	/* the done callback frees the sender */
	w->snd = snd_new(w->l, &c);
	ck_assert_int_eq(snd_send(w->snd, "a@b.test", "bob@nowhere.test", MSG,
	    free_in_done, w), 0);
	ck_assert_int_eq(loop_run_until(w->l, is_done, w, loop_now(w->l) +
	    DEADLINE_MS), 0);
	ck_assert_ptr_null(w->snd);
	world_fini(w);
}
END_TEST

START_TEST(test_modes)
{
	enum snd_mode m;

	ck_assert_int_eq(snd_mode_parse("", &m), 0);
	ck_assert_int_eq(m, SND_STRICT);
	ck_assert_int_eq(snd_mode_parse("strict", &m), 0);
	ck_assert_int_eq(m, SND_STRICT);
	ck_assert_int_eq(snd_mode_parse("opportunistic", &m), 0);
	ck_assert_int_eq(m, SND_OPPORTUNISTIC);
	ck_assert_int_eq(snd_mode_parse("no-verify", &m), 0);
	ck_assert_int_eq(m, SND_NO_VERIFY);
	ck_assert_int_eq(snd_mode_parse("sloppy", &m), -1);
	ck_assert_str_eq(snd_mode_name(SND_NO_VERIFY), "no-verify");
	ck_assert_str_eq(snd_result_name(SND_BOUNCED), "bounced");
}
END_TEST

/* After a failed test: free what is left so the next test can bind. */
static void
teardown(void)
{
	scr_stop(&S);
	if (W.l != NULL)
		world_free(&W);
}

static Suite *
sender_suite(void)
{
	Suite *s = suite_create("sender");
	TCase *tc = tcase_create("smtp");
	tcase_set_timeout(tc, 60);
	tcase_add_checked_fixture(tc, NULL, teardown);
	tcase_add_test(tc, test_secure_delivery);
	tcase_add_test(tc, test_refused_falls_back);
	tcase_add_test(tc, test_blackhole_falls_back);
	tcase_add_test(tc, test_selfsigned_secure_defers);
	tcase_add_test(tc, test_selfsigned_opportunistic_delivers);
	tcase_add_test(tc, test_no_verify_accepts_selfsigned);
	tcase_add_test(tc, test_nostarttls_encrypt_defers);
	tcase_add_test(tc, test_nostarttls_may_plaintext);
	tcase_add_test(tc, test_badtls_may_plaintext_pass);
	tcase_add_test(tc, test_badtls_encrypt_defers);
	tcase_add_test(tc, test_badtls_opportunistic_same_mx);
	tcase_add_test(tc, test_submission_implicit);
	tcase_add_test(tc, test_submission_starttls_selfsigned);
	tcase_add_test(tc, test_nxdomain_bounces);
	tcase_add_test(tc, test_certificate_checks);
	tcase_add_test(tc, test_addresses_in_order);
	tcase_add_test(tc, test_null_mx_bounces);
	tcase_add_test(tc, test_servfail_defers);
	tcase_add_test(tc, test_implicit_mx);
	tcase_add_test(tc, test_rcpt_550_bounces);
	tcase_add_test(tc, test_free_in_flight_and_in_done);
	tcase_add_test(tc, test_wire_dialogue);
	tcase_add_test(tc, test_helo_fallback);
	tcase_add_test(tc, test_421_and_4xx_next_mx);
	tcase_add_test(tc, test_starttls_refused);
	tcase_add_test(tc, test_starttls_injection_discarded);
	tcase_add_test(tc, test_modes);
	suite_add_tcase(s, tc);
	return s;
}

TEST_MAIN(sender_suite)
