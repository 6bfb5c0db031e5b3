/*
 * check_dane: DANE in the reference sender (senders/builtin/snd_dane.c,
 * RFC 7672) against fake MX servers and a hand-made validating resolver:
 * a UDP responder that answers every query from the fake DNS database
 * and sets the AD bit for the names a test declares secure (everything
 * but the `insecure` list), as a validating recursive resolver would.  It
 * checks that every query asks for DNSSEC (EDNS0 DO) and logs the names
 * asked, so tests can tell which TLSA lookups happened.  The MX servers
 * note the SNI they were sent.  Private network namespace, skipping
 * virtual clock; each test checks that nothing is left on the loop.
 * The verdict's side of DANE is in check_verdict_dane.c.
 */
#include <arpa/inet.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <ldns/ldns.h>
#include <openssl/pem.h>

#include "core/conn.h"
#include "core/loop.h"
#include "core/pki.h"
#include "core/record.h"
#include "core/tlsa.h"
#include "fake-dns/dns.h"
#include "fake-mx/smtp.h"
#include "senders/builtin/sender.h"
#include "tests/unit/testutil.h"

#define T0 1767225600          /* 2026-01-01 */
#define SRC "127.1.0.1"
#define RESOLVER "127.54.0.1"
#define MX1 "mx1.example.test"
#define MX2 "mx2.example.test"
#define MX1_ADDR "127.25.0.11"
#define MX2_ADDR "127.25.0.12"
#define DEADLINE_MS (4 * 3600 * 1000ull)
#define MSG "Subject: dane\n\nhello\n"
#define MAXQ 64

enum mx_kind { MX_OFF, MX_VALID, MX_SELF, MX_EXPIRED, MX_WRONGHOST,
	MX_NOSTARTTLS, MX_BADTLS };

struct mx {
	enum mx_kind kind;
	struct pki_cert *cert;
	SSL_CTX *sctx;
	uint8_t *der;
	struct smtp_srv *srv;
	char sni[256];
};

struct world {
	struct loop *l;
	struct pki *pki;
	X509 *root;
	SSL_CTX *cctx;
	struct dns_db *db;
	int rfd;                     /* the resolver's socket */
	const char *insecure[8];     /* names (and their subdomains) without AD */
	char *queries[MAXQ];         /* "name type" of every query */
	size_t nq;
	size_t no_do;                /* queries without the DO bit */
	struct rec *rec;
	struct mx mx[2];
	struct sender *snd;
	bool done;
	enum snd_result res;
	char why[512];
};

static struct world W;

/* ---- the resolver ---- */

static bool
is_insecure(const struct world *w, const char *name)
{
	size_t n = strlen(name);

	for (size_t i = 0; i < ARRAY_LEN(w->insecure) && w->insecure[i]; i++) {
		const char *e = w->insecure[i];
		bool exact = e[0] == '=';
		size_t k;
		e += exact;
		k = strlen(e);
		if (strcasecmp(name, e) == 0 || (!exact && n > k &&
		    name[n - k - 1] == '.' && strcasecmp(name + n - k, e) == 0))
			return true;
	}
	return false;
}

static void
resolver_rx(int fd, uint32_t events, void *arg)
{
	struct world *w = arg;
	uint8_t buf[1500], *resp = NULL;
	struct sockaddr_storage from;
	socklen_t flen = sizeof(from);
	ssize_t n = recvfrom(fd, buf, sizeof(buf), 0, (struct sockaddr *)&from,
	    &flen);
	ldns_pkt *q = NULL;
	size_t rlen = 0;
	char name[300];

	if (n <= 0 || ldns_wire2pkt(&q, buf, (size_t)n) != LDNS_STATUS_OK)
		return;
	const ldns_rr *qr = ldns_rr_list_rr(ldns_pkt_question(q), 0);
	char *owner = ldns_rdf2str(ldns_rr_owner(qr));
	snprintf(name, sizeof(name), "%s", owner);
	free(owner);
	if (name[strlen(name) - 1] == '.')
		name[strlen(name) - 1] = '\0';
	if (!ldns_pkt_edns(q) || !ldns_pkt_edns_do(q))
		w->no_do++;
	if (w->nq < MAXQ)
		w->queries[w->nq++] = xasprintf("%s %u", name,
		    (unsigned)ldns_rr_get_type(qr));
	ldns_pkt_free(q);
	if (dns_db_answer(w->db, buf, (size_t)n, false, &resp, &rlen, NULL) != 0)
		return;
	/* AD is bit 5 of the fourth header byte (RFC 4035 3.2.3); only
	 * NOERROR and NXDOMAIN answers can be authenticated */
	if (is_insecure(w, name) || ((resp[3] & 0x0f) != 0 &&
	    (resp[3] & 0x0f) != 3))
		resp[3] &= (uint8_t)~0x20;
	else
		resp[3] |= 0x20;
	(void)sendto(fd, resp, rlen, 0, (struct sockaddr *)&from, flen);
	free(resp);
}

static bool
asked(const struct world *w, const char *name, unsigned type)
{
	char q[320];

	snprintf(q, sizeof(q), "%s %u", name, type);
	for (size_t i = 0; i < w->nq; i++)
		if (strcasecmp(w->queries[i], q) == 0)
			return true;
	return false;
}

/* ---- the world ---- */

static int
sni_cb(SSL *ssl, int *al, void *arg)
{
	struct mx *m = arg;
	const char *n = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name);

	snprintf(m->sni, sizeof(m->sni), "%s", n ? n : "");
	return SSL_TLSEXT_ERR_OK;
}

static void
mx_start(struct world *w, struct mx *m, const char *host, const char *addr)
{
	static const char *const no_tls_ehlo[] = { "PIPELINING", NULL };
	struct pki_spec spec = { .variant = "valid", .host = host };
	struct smtp_srv_config cfg;
	char err[256];
	int len;

	if (m->kind == MX_OFF)
		return;
	memset(&cfg, 0, sizeof(cfg));
	spec.variant = m->kind == MX_SELF ? "self-signed" :
	    m->kind == MX_EXPIRED ? "expired" :
	    m->kind == MX_WRONGHOST ? "wrong-host" : "valid";
	ck_assert_msg(pki_issue(w->pki, &spec, &m->cert, err, sizeof(err)) == 0,
	    "%s", err);
	len = i2d_X509(pki_cert_x509(m->cert), &m->der);
	ck_assert_int_gt(len, 0);
	if (m->kind == MX_BADTLS) {
		m->sctx = SSL_CTX_new(TLS_server_method());   /* no certificate */
	} else {
		m->sctx = pki_server_ctx(m->cert);
		/* the TA is served, as RFC 7671 5.2.2 asks of DANE-TA servers */
		if (strcmp(spec.variant, "self-signed") != 0)
			ck_assert_int_eq(SSL_CTX_add1_chain_cert(m->sctx, w->root), 1);
	}
	SSL_CTX_set_tlsext_servername_callback(m->sctx, sni_cb);
	SSL_CTX_set_tlsext_servername_arg(m->sctx, m);
	cfg.host = host;
	cfg.addr = addr;
	cfg.port_smtp = 25;
	cfg.tls = m->sctx;
	cfg.cert_label = spec.variant;
	cfg.cert_der = m->der;
	cfg.cert_len = (size_t)len;
	cfg.rec = w->rec;
	if (m->kind == MX_NOSTARTTLS)
		cfg.ehlo = no_tls_ehlo;
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

/* example.test MX 10 mx1, MX 20 mx2 (for the kinds not MX_OFF), A
 * records; insecure.test is another zone. */
static struct world *
world_new(enum mx_kind k1, enum mx_kind k2)
{
	struct world *w = &W;
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(53) };
	char err[256];
	BIO *b;

	tu_netns();
	log_set(stderr, getenv("TEST_VERBOSE") ? LOG_DEBUG : LOG_WARN);
	memset(w, 0, sizeof(*w));
	w->l = loop_new(LOOP_SKIP, T0);
	w->pki = pki_new(1, T0);
	b = BIO_new_mem_buf(pki_root_pem(w->pki), -1);
	w->root = PEM_read_bio_X509(b, NULL, NULL, NULL);
	BIO_free(b);
	ck_assert_ptr_nonnull(w->root);
	w->cctx = pki_client_ctx(w->pki);
	w->rec = rec_new(w->l);
	w->db = dns_db_new();
	ck_assert_msg(dns_db_add_zone(w->db, "test.", NULL, err, sizeof(err)) == 0,
	    "%s", err);
	ck_assert_msg(dns_db_add_zone(w->db, "example.test.", NULL, err,
	    sizeof(err)) == 0, "%s", err);
	ck_assert_msg(dns_db_add_zone(w->db, "insecure.test.", NULL, err,
	    sizeof(err)) == 0, "%s", err);
	add_rr(w, MX1 ". A " MX1_ADDR);
	add_rr(w, MX2 ". A " MX2_ADDR);
	if (k1 != MX_OFF)
		add_rr(w, "example.test. MX 10 " MX1 ".");
	if (k2 != MX_OFF)
		add_rr(w, "example.test. MX 20 " MX2 ".");
	w->rfd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	ck_assert_int_ge(w->rfd, 0);
	ck_assert_int_eq(inet_pton(AF_INET, RESOLVER, &sa.sin_addr), 1);
	ck_assert_int_eq(bind(w->rfd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	ck_assert_int_eq(loop_add_fd(w->l, w->rfd, EPOLLIN, resolver_rx, w), 0);
	w->mx[0].kind = k1;
	w->mx[1].kind = k2;
	mx_start(w, &w->mx[0], MX1, MX1_ADDR);
	mx_start(w, &w->mx[1], MX2, MX2_ADDR);
	return w;
}

/* Publish "_25._tcp.<owner> TLSA u s m <data of cert>". */
static void
add_tlsa(struct world *w, const char *owner, unsigned u, unsigned s,
    unsigned m, X509 *cert)
{
	struct tlsa_rr r = { u, s, m, NULL, 0 };
	char *txt, *rr;

	ck_assert_int_eq(tlsa_rr_compute(&r, cert), 0);
	txt = tlsa_rr_str(&r);
	rr = xasprintf("_25._tcp.%s. TLSA %s", owner, txt);
	add_rr(w, rr);
	free(rr);
	free(txt);
	tlsa_rr_clear(&r);
}

static void
world_free(struct world *w)
{
	snd_free(w->snd);
	for (int i = 0; i < 2; i++) {
		smtp_srv_free(w->mx[i].srv);
		SSL_CTX_free(w->mx[i].sctx);
		OPENSSL_free(w->mx[i].der);
		pki_cert_free(w->mx[i].cert);
	}
	if (w->rfd > 0) {
		loop_del_fd(w->l, w->rfd);
		close(w->rfd);
	}
	for (size_t i = 0; i < w->nq; i++)
		free(w->queries[i]);
	dns_db_free(w->db);
	rec_free(w->rec);
	SSL_CTX_free(w->cctx);
	X509_free(w->root);
	pki_free(w->pki);
	loop_free(w->l);
	memset(w, 0, sizeof(*w));
}

static void
world_fini(struct world *w)
{
	snd_free(w->snd);
	w->snd = NULL;
	for (int i = 0; i < 2; i++) {
		smtp_srv_free(w->mx[i].srv);
		w->mx[i].srv = NULL;
	}
	loop_del_fd(w->l, w->rfd);
	close(w->rfd);
	w->rfd = -1;
	ck_assert_uint_eq(w->no_do, 0);   /* every query asked for DNSSEC */
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

static void
on_done(enum snd_result res, const char *why, void *arg)
{
	struct world *w = arg;

	w->done = true;
	w->res = res;
	snprintf(w->why, sizeof(w->why), "%s", why);
}

static bool
is_done(void *arg)
{
	return ((struct world *)arg)->done;
}

static enum snd_result
deliver(struct world *w, enum snd_mode mode, const char *local_tls)
{
	struct snd_config c;

	memset(&c, 0, sizeof(c));
	c.mode = mode;
	c.src_ip = SRC;
	c.resolver_ip = RESOLVER;
	c.local_tls = local_tls;
	c.tls = w->cctx;
	w->done = false;
	snd_free(w->snd);
	w->snd = snd_new(w->l, &c);
	ck_assert_ptr_nonnull(w->snd);
	ck_assert_int_eq(snd_send(w->snd, "alice@sender.test", "bob@example.test",
	    MSG, on_done, w), 0);
	ck_assert_int_eq(loop_run_until(w->l, is_done, w,
	    loop_now(w->l) + DEADLINE_MS), 0);
	return w->res;
}

/* Sessions to host (sender sessions only), and how many carried data. */
static size_t
sessions(const struct world *w, const char *host, size_t *with_data,
    size_t *plain_data)
{
	size_t n = 0, d = 0, p = 0;

	for (size_t i = 0; i < rec_count(w->rec); i++) {
		const struct rec_session *s = rec_get(w->rec, i);
		if (strcmp(s->host, host) != 0)
			continue;
		n++;
		d += s->data_sent;
		p += s->data_sent && !s->data_tls;
	}
	if (with_data)
		*with_data = d;
	if (plain_data)
		*plain_data = p;
	return n;
}

#define TLSA_TYPE 52

/* ---- DANE-EE ---- */

START_TEST(test_dane_ee_ignores_names_and_dates)
{
	static const enum mx_kind kinds[] = { MX_SELF, MX_EXPIRED, MX_WRONGHOST };

	for (size_t i = 0; i < ARRAY_LEN(kinds); i++) {
		struct world *w = world_new(kinds[i], MX_OFF);
		size_t data;
		add_tlsa(w, MX1, 3, 1, 1, pki_cert_x509(w->mx[0].cert));
		/* PKIX would refuse each of these ("secure"); DANE-EE does not */
		ck_assert_int_eq(deliver(w, SND_STRICT, "secure"), SND_DELIVERED);
		ck_assert_uint_eq(sessions(w, MX1, &data, NULL), 1);
		ck_assert_uint_eq(data, 1);
		ck_assert_ptr_nonnull(strstr(w->why, "certificate verified"));
		ck_assert(asked(w, "_25._tcp." MX1, TLSA_TYPE));
		ck_assert_str_eq(w->mx[0].sni, MX1);
		world_fini(w);
	}
}
END_TEST

START_TEST(test_wrong_tlsa_next_mx)
{
	struct world *w = world_new(MX_VALID, MX_VALID);
	struct pki_spec spec = { .variant = "valid", .host = MX1 };
	struct pki_cert *other;
	char err[256];
	size_t data;

	ck_assert(pki_issue(w->pki, &spec, &other, err, sizeof(err)) == 0);
	/* a valid PKIX certificate does not rescue a TLSA mismatch */
	add_tlsa(w, MX1, 3, 1, 1, pki_cert_x509(other));
	ck_assert_int_eq(deliver(w, SND_STRICT, "may"), SND_DELIVERED);
	ck_assert_uint_eq(sessions(w, MX1, &data, NULL), 1);
	ck_assert_uint_eq(data, 0);
	const struct rec_session *s = rec_get(w->rec, 0);
	ck_assert_int_eq(s->tls, REC_TLS_OK);
	ck_assert(!s->mail_from);   /* QUIT right after the handshake */
	ck_assert_uint_eq(sessions(w, MX2, &data, NULL), 1);
	ck_assert_uint_eq(data, 1);
	ck_assert_str_eq(w->mx[1].sni, MX2);   /* no DANE there: the MX name */
	/* no-verify keeps TLS mandatory but takes any certificate */
	ck_assert_int_eq(deliver(w, SND_NO_VERIFY, "may"), SND_DELIVERED);
	ck_assert_uint_eq(sessions(w, MX1, &data, NULL), 2);
	ck_assert_uint_eq(data, 1);
	pki_cert_free(other);
	world_fini(w);
}
END_TEST

START_TEST(test_only_mx_mismatch_defers)
{
	struct world *w = world_new(MX_SELF, MX_OFF);
	size_t data;

	add_rr(w, "_25._tcp." MX1 ". TLSA 3 1 1 "
	    "0011223344556677889900112233445566778899001122334455667788990011");
	ck_assert_int_eq(deliver(w, SND_STRICT, "may"), SND_DEFERRED);
	ck_assert_uint_eq(sessions(w, MX1, &data, NULL), 1);   /* no plaintext retry */
	ck_assert_uint_eq(data, 0);
	ck_assert_ptr_nonnull(strstr(w->why, "DANE: no TLSA record matches"));
	/* the opportunistic mode ignores DANE: not even a TLSA lookup */
	for (size_t i = 0; i < W.nq; i++)
		free(W.queries[i]);
	w->nq = 0;
	ck_assert_int_eq(deliver(w, SND_OPPORTUNISTIC, "may"), SND_DELIVERED);
	ck_assert(!asked(w, "_25._tcp." MX1, TLSA_TYPE));
	world_fini(w);
}
END_TEST

/* ---- TLS is mandatory ---- */

START_TEST(test_no_plaintext_under_dane)
{
	static const enum mx_kind kinds[] = { MX_NOSTARTTLS, MX_BADTLS };

	for (size_t i = 0; i < ARRAY_LEN(kinds); i++) {
		struct world *w = world_new(kinds[i], MX_OFF);
		size_t data;
		add_tlsa(w, MX1, 3, 1, 1, pki_cert_x509(w->mx[0].cert));
		ck_assert_int_eq(deliver(w, SND_STRICT, "may"), SND_DEFERRED);
		ck_assert_uint_eq(sessions(w, MX1, &data, NULL), 1);
		ck_assert_uint_eq(data, 0);
		/* no-verify still requires TLS under DANE */
		ck_assert_int_eq(deliver(w, SND_NO_VERIFY, "may"), SND_DEFERRED);
		/* without TLSA, local policy "may" goes on in plaintext */
		world_fini(w);
		w = world_new(kinds[i], MX_OFF);
		ck_assert_int_eq(deliver(w, SND_STRICT, "may"), SND_DELIVERED);
		ck_assert_uint_eq(sessions(w, MX1, &data, NULL), i == 0 ? 1 : 2);
		ck_assert_uint_eq(data, 1);
		world_fini(w);
	}
}
END_TEST

START_TEST(test_unusable_tlsa_tls_required)
{
	struct world *w = world_new(MX_SELF, MX_OFF);
	size_t data;

	/* only PKIX usages: unusable for SMTP, TLS without authentication */
	add_tlsa(w, MX1, 0, 0, 1, w->root);
	add_tlsa(w, MX1, 1, 1, 1, pki_cert_x509(w->mx[0].cert));
	ck_assert_int_eq(deliver(w, SND_STRICT, "may"), SND_DELIVERED);
	ck_assert_uint_eq(sessions(w, MX1, &data, NULL), 1);
	ck_assert_int_eq(rec_get(w->rec, 0)->tls, REC_TLS_OK);
	ck_assert_ptr_nonnull(strstr(w->why, "not verified"));
	world_fini(w);

	w = world_new(MX_NOSTARTTLS, MX_OFF);
	add_tlsa(w, MX1, 0, 0, 1, w->root);
	ck_assert_int_eq(deliver(w, SND_STRICT, "may"), SND_DEFERRED);
	ck_assert_uint_eq(sessions(w, MX1, &data, NULL), 1);
	ck_assert_uint_eq(data, 0);
	world_fini(w);
}
END_TEST

/* ---- DANE-TA ---- */

START_TEST(test_dane_ta_names)
{
	struct world *w = world_new(MX_VALID, MX_OFF);
	size_t data;

	add_tlsa(w, MX1, 2, 0, 1, w->root);
	ck_assert_int_eq(deliver(w, SND_STRICT, "may"), SND_DELIVERED);
	ck_assert_ptr_nonnull(strstr(w->why, "certificate verified"));
	world_fini(w);

	/* usage 2 checks names: a certificate for another host fails ... */
	w = world_new(MX_WRONGHOST, MX_OFF);
	add_tlsa(w, MX1, 2, 0, 1, w->root);
	ck_assert_int_eq(deliver(w, SND_STRICT, "may"), SND_DEFERRED);
	ck_assert_ptr_nonnull(strstr(w->why, "DANE-TA name mismatch"));
	ck_assert_uint_eq(sessions(w, MX1, &data, NULL), 1);
	ck_assert_uint_eq(data, 0);
	world_fini(w);
	/* ... which usage 3 for the same certificate does not */
	w = world_new(MX_WRONGHOST, MX_OFF);
	add_tlsa(w, MX1, 3, 0, 1, pki_cert_x509(w->mx[0].cert));
	ck_assert_int_eq(deliver(w, SND_STRICT, "may"), SND_DELIVERED);
	world_fini(w);
	/* and dates count for usage 2 */
	w = world_new(MX_EXPIRED, MX_OFF);
	add_tlsa(w, MX1, 2, 1, 1, w->root);
	ck_assert_int_eq(deliver(w, SND_STRICT, "may"), SND_DEFERRED);
	ck_assert_ptr_nonnull(strstr(w->why, "out of date"));
	world_fini(w);
}
END_TEST

/* ---- DNSSEC states ---- */

START_TEST(test_insecure_tlsa_ignored)
{
	struct world *w = world_new(MX_NOSTARTTLS, MX_OFF);
	size_t data, plain;

	add_tlsa(w, MX1, 3, 1, 1, pki_cert_x509(w->mx[0].cert));
	w->insecure[0] = "_tcp." MX1;   /* the TLSA answer lacks AD */
	ck_assert_int_eq(deliver(w, SND_STRICT, "may"), SND_DELIVERED);
	ck_assert(asked(w, "_25._tcp." MX1, TLSA_TYPE));
	ck_assert_uint_eq(sessions(w, MX1, &data, &plain), 1);
	ck_assert_uint_eq(plain, 1);
	world_fini(w);
}
END_TEST

START_TEST(test_insecure_address_no_tlsa_query)
{
	struct world *w = world_new(MX_OFF, MX_OFF);
	char err[256];
	size_t data;

	/* the MX host lives in an unsigned zone whose servers fail TLSA
	 * queries: no TLSA query at all, no deferral (RFC 7672 2.2.2) */
	add_rr(w, "example.test. MX 10 mx.insecure.test.");
	add_rr(w, "mx.insecure.test. A " MX1_ADDR);
	ck_assert(dns_db_add_fault(w->db, "_25._tcp.mx.insecure.test", 0,
	    DNS_FAIL_SERVFAIL, err, sizeof(err)) == 0);
	w->insecure[0] = "insecure.test";
	w->mx[0].kind = MX_NOSTARTTLS;
	mx_start(w, &w->mx[0], "mx.insecure.test", MX1_ADDR);
	ck_assert_int_eq(deliver(w, SND_STRICT, "may"), SND_DELIVERED);
	ck_assert(asked(w, "mx.insecure.test", 1));
	ck_assert(!asked(w, "_25._tcp.mx.insecure.test", TLSA_TYPE));
	ck_assert_uint_eq(sessions(w, "mx.insecure.test", &data, NULL), 1);
	ck_assert_uint_eq(data, 1);
	world_fini(w);
}
END_TEST

START_TEST(test_insecure_mx_no_dane)
{
	struct world *w = world_new(MX_SELF, MX_OFF);

	add_rr(w, "_25._tcp." MX1 ". TLSA 3 1 1 "
	    "0011223344556677889900112233445566778899001122334455667788990011");
	w->insecure[0] = "=example.test";   /* the MX answer only */
	ck_assert_int_eq(deliver(w, SND_STRICT, "may"), SND_DELIVERED);
	ck_assert(!asked(w, "_25._tcp." MX1, TLSA_TYPE));
	world_fini(w);
}
END_TEST

START_TEST(test_tlsa_lookup_failure_skips_host)
{
	static const enum dns_fault faults[] = { DNS_FAIL_SERVFAIL,
		DNS_FAIL_TIMEOUT };

	for (size_t i = 0; i < ARRAY_LEN(faults); i++) {
		struct world *w = world_new(MX_VALID, MX_VALID);
		char err[256];
		size_t data;
		ck_assert(dns_db_add_fault(w->db, "_25._tcp." MX1, 52, faults[i],
		    err, sizeof(err)) == 0);
		/* mx1 is never contacted; mx2 (no TLSA) delivers */
		ck_assert_int_eq(deliver(w, SND_STRICT, "may"), SND_DELIVERED);
		ck_assert_uint_eq(sessions(w, MX1, NULL, NULL), 0);
		ck_assert_uint_eq(sessions(w, MX2, &data, NULL), 1);
		ck_assert_uint_eq(data, 1);
		world_fini(w);
		/* with mx1 alone: deferred, never bounced, nothing sent */
		w = world_new(MX_VALID, MX_OFF);
		ck_assert(dns_db_add_fault(w->db, "_25._tcp." MX1, 52, faults[i],
		    err, sizeof(err)) == 0);
		ck_assert_int_eq(deliver(w, SND_STRICT, "may"), SND_DEFERRED);
		ck_assert_uint_eq(rec_count(w->rec), 0);
		ck_assert_ptr_nonnull(strstr(w->why, "TLSA lookup"));
		world_fini(w);
	}
}
END_TEST

START_TEST(test_secure_denial_no_dane)
{
	struct world *w = world_new(MX_NOSTARTTLS, MX_OFF);
	size_t data, plain;

	/* NXDOMAIN for the TLSA owner: DANE does not apply, "may" allows
	 * plaintext */
	ck_assert_int_eq(deliver(w, SND_STRICT, "may"), SND_DELIVERED);
	ck_assert(asked(w, "_25._tcp." MX1, TLSA_TYPE));
	ck_assert_uint_eq(sessions(w, MX1, &data, &plain), 1);
	ck_assert_uint_eq(plain, 1);
	world_fini(w);
}
END_TEST

START_TEST(test_cname_base_domain)
{
	struct world *w = world_new(MX_OFF, MX_OFF);

	/* MX -> alias, CNAME mx1: the expanded name is the base domain */
	add_rr(w, "example.test. MX 10 alias.example.test.");
	add_rr(w, "alias.example.test. CNAME " MX1 ".");
	w->mx[0].kind = MX_SELF;
	mx_start(w, &w->mx[0], MX1, MX1_ADDR);
	add_tlsa(w, MX1, 3, 1, 1, pki_cert_x509(w->mx[0].cert));
	ck_assert_int_eq(deliver(w, SND_STRICT, "may"), SND_DELIVERED);
	ck_assert(asked(w, "_25._tcp." MX1, TLSA_TYPE));
	ck_assert(!asked(w, "_25._tcp.alias.example.test", TLSA_TYPE));
	ck_assert_str_eq(w->mx[0].sni, MX1);
	ck_assert_ptr_nonnull(strstr(w->why, "certificate verified"));
	world_fini(w);

	/* no TLSA at the expanded name: the original name is next */
	w = world_new(MX_OFF, MX_OFF);
	add_rr(w, "example.test. MX 10 alias.example.test.");
	add_rr(w, "alias.example.test. CNAME " MX1 ".");
	w->mx[0].kind = MX_SELF;
	mx_start(w, &w->mx[0], MX1, MX1_ADDR);
	add_tlsa(w, "alias.example.test", 3, 1, 1, pki_cert_x509(w->mx[0].cert));
	ck_assert_int_eq(deliver(w, SND_STRICT, "may"), SND_DELIVERED);
	ck_assert(asked(w, "_25._tcp." MX1, TLSA_TYPE));
	ck_assert(asked(w, "_25._tcp.alias.example.test", TLSA_TYPE));
	ck_assert_str_eq(w->mx[0].sni, "alias.example.test");
	ck_assert_ptr_nonnull(strstr(w->why, "certificate verified"));
	world_fini(w);
}
END_TEST

START_TEST(test_dane_required)
{
	struct world *w = world_new(MX_VALID, MX_SELF);
	size_t data;

	/* local policy "dane": mx1 (no TLSA) is not used, mx2 (DANE) is */
	add_tlsa(w, MX2, 3, 1, 1, pki_cert_x509(w->mx[1].cert));
	ck_assert_int_eq(deliver(w, SND_STRICT, "dane"), SND_DELIVERED);
	ck_assert_uint_eq(sessions(w, MX1, NULL, NULL), 0);
	ck_assert_uint_eq(sessions(w, MX2, &data, NULL), 1);
	ck_assert_uint_eq(data, 1);
	ck_assert_ptr_nonnull(strstr(w->why, "certificate verified"));
	/* no-verify does not require DANE (only TLS): mx1 first */
	ck_assert_int_eq(deliver(w, SND_NO_VERIFY, "dane"), SND_DELIVERED);
	ck_assert_uint_eq(sessions(w, MX1, &data, NULL), 1);
	ck_assert_uint_eq(data, 1);
	world_fini(w);

	/* nothing validated: deferred, nothing sent */
	w = world_new(MX_VALID, MX_OFF);
	add_tlsa(w, MX1, 3, 1, 1, pki_cert_x509(w->mx[0].cert));
	w->insecure[0] = "example.test";
	ck_assert_int_eq(deliver(w, SND_STRICT, "dane"), SND_DEFERRED);
	ck_assert_uint_eq(rec_count(w->rec), 0);
	ck_assert_ptr_nonnull(strstr(w->why, "requires DANE"));
	world_fini(w);
}
END_TEST

static Suite *
dane_suite(void)
{
	Suite *s = suite_create("dane");
	TCase *tc = tcase_create("sender");

	tcase_set_timeout(tc, 60);
	tcase_add_checked_fixture(tc, NULL, teardown);
	tcase_add_test(tc, test_dane_ee_ignores_names_and_dates);
	tcase_add_test(tc, test_wrong_tlsa_next_mx);
	tcase_add_test(tc, test_only_mx_mismatch_defers);
	tcase_add_test(tc, test_no_plaintext_under_dane);
	tcase_add_test(tc, test_unusable_tlsa_tls_required);
	tcase_add_test(tc, test_dane_ta_names);
	tcase_add_test(tc, test_insecure_tlsa_ignored);
	tcase_add_test(tc, test_insecure_address_no_tlsa_query);
	tcase_add_test(tc, test_insecure_mx_no_dane);
	tcase_add_test(tc, test_tlsa_lookup_failure_skips_host);
	tcase_add_test(tc, test_secure_denial_no_dane);
	tcase_add_test(tc, test_cname_base_domain);
	tcase_add_test(tc, test_dane_required);
	suite_add_tcase(s, tc);
	return s;
}

TEST_MAIN(dane_suite)
