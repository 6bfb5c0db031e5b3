/*
 * Unit tests for attacker/mitm.c: a scripted client talks through the path
 * to a real fake MX (fake-mx) and checks what each attack does to the
 * dialogue and what the recorder keeps.
 */
#include <string.h>
#include <sys/epoll.h>

#include "attacker/mitm.h"
#include "core/conn.h"
#include "core/loop.h"
#include "core/pki.h"
#include "core/record.h"
#include "fake-mx/smtp.h"
#include "testutil.h"

#define CLOCK 1780272000
#define PUB "127.25.0.11"
#define BACK "127.26.0.11"

struct env {
	struct loop *l;
	struct pki *pki;
	struct rec *rec;
	struct pki_cert *mxcert, *evil;
	SSL_CTX *mxctx, *upctx, *cli_ctx;
	struct smtp_srv *srv;
	struct mitm *path;
};

static void
env_up(struct env *e, const struct mitm_attack *atk, size_t natk)
{
	static const uint16_t ports[] = { 25, 465 };
	struct pki_spec spec = { .variant = "valid", .host = "mx1.example.test" };
	struct pki_spec evil = { .variant = "attacker", .host = "mx1.example.test" };
	char err[256];

	tu_netns();
	memset(e, 0, sizeof(*e));
	e->l = loop_new(LOOP_SKIP, CLOCK);
	e->pki = pki_new(1, CLOCK);
	e->rec = rec_new(e->l);
	ck_assert_int_eq(pki_issue(e->pki, &spec, &e->mxcert, err, sizeof(err)), 0);
	ck_assert_int_eq(pki_issue(e->pki, &evil, &e->evil, err, sizeof(err)), 0);
	e->mxctx = pki_server_ctx(e->mxcert);
	e->upctx = pki_client_ctx(e->pki);
	e->cli_ctx = pki_client_ctx(e->pki);
	struct smtp_srv_config sc = { .host = "mx1.example.test", .addr = BACK,
		.port_smtp = 25, .port_smtps = 465, .tls = e->mxctx, .cert_label = "valid",
		.rec = e->rec };
	e->srv = smtp_srv_new(e->l, &sc, err, sizeof(err));
	ck_assert_msg(e->srv != NULL, "%s", err);
	struct mitm_attack a[4];
	for (size_t i = 0; i < natk; i++) {
		a[i] = atk[i];
		if (a[i].kind == MITM_SWAP_CERT)
			a[i].cert = e->evil;
	}
	struct mitm_config mc = { .host = "mx1.example.test", .listen_addr = PUB,
		.upstream_addr = BACK, .src_addr = "127.66.0.1", .ports = ports, .nports = 2,
		.implicit_tls_port = 465, .attacks = a, .nattacks = natk,
		.upstream_tls = e->upctx, .rec = e->rec };
	e->path = mitm_new(e->l, &mc, err, sizeof(err));
	ck_assert_msg(e->path != NULL, "%s", err);
}

static bool
idle(void *arg)
{
	struct env *e = arg;
	return mitm_sessions(e->path) == 0 && smtp_srv_sessions(e->srv) == 0;
}

static void
env_down(struct env *e)
{
	(void)loop_run_until(e->l, idle, e, loop_now(e->l) + 60000);
	mitm_free(e->path);
	smtp_srv_free(e->srv);
	while (loop_nfds(e->l) > 0 || loop_ntimers(e->l) > 0)
		if (loop_run_once(e->l) < 0)
			break;
	ck_assert_uint_eq(loop_nfds(e->l), 0);
	ck_assert_uint_eq(loop_ntimers(e->l), 0);
	SSL_CTX_free(e->mxctx);
	SSL_CTX_free(e->upctx);
	SSL_CTX_free(e->cli_ctx);
	pki_cert_free(e->mxcert);
	pki_cert_free(e->evil);
	rec_free(e->rec);
	pki_free(e->pki);
	loop_free(e->l);
	pki_rand_restore();
}

/* --- a scripted client: send a line, wait for a reply, record it --- */

struct client {
	struct env *e;
	struct conn *c;
	struct smtp_reply r;
	char last[4096];      /* last complete reply, lines joined by '|' */
	int code;
	bool got;
	bool closed;
	bool tls_ok;
	bool tls_failed;
	char peer_cn[256];
};

static void
client_cb(struct conn *c, enum conn_ev ev, void *arg)
{
	struct client *k = arg;
	char *line;
	size_t len;
	int r;

	switch (ev) {
	case CONN_DATA:
		while ((r = conn_getline(c, &line, &len)) == 1) {
			if (smtp_reply_feed(&k->r, line, len) == 1) {
				k->last[0] = '\0';
				for (size_t i = 0; i < k->r.nlines; i++) {
					strncat(k->last, k->r.lines[i], sizeof(k->last) - strlen(k->last) - 2);
					strcat(k->last, "|");
				}
				k->code = k->r.code;
				k->got = true;
			}
		}
		break;
	case CONN_TLS_OK: {
		X509 *x = SSL_get1_peer_certificate(conn_ssl(c));
		k->tls_ok = true;
		if (x != NULL) {
			X509_NAME_get_text_by_NID(X509_get_subject_name(x), NID_commonName,
			    k->peer_cn, sizeof(k->peer_cn));
			X509_free(x);
		}
		break;
	}
	case CONN_TLS_FAILED:
		k->tls_failed = true;
		break;
	case CONN_EOF:
	case CONN_ERROR:
	case CONN_TIMEOUT:
		k->closed = true;
		conn_close(c);
		k->c = NULL;
		break;
	default:
		break;
	}
}

static bool
client_ready(void *arg)
{
	struct client *k = arg;
	return k->got || k->closed;
}

static bool
client_tls_done(void *arg)
{
	struct client *k = arg;
	return k->tls_ok || k->tls_failed || k->closed;
}

static void
client_wait_tls(struct client *k)
{
	(void)loop_run_until(k->e->l, client_tls_done, k, loop_now(k->e->l) + 60000);
}

static void
client_open(struct client *k, struct env *e, uint16_t port)
{
	memset(k, 0, sizeof(*k));
	k->e = e;
	smtp_reply_init(&k->r);
	k->c = conn_connect(e->l, "127.1.0.1", PUB, port, client_cb, k);
	ck_assert_ptr_nonnull(k->c);
	conn_set_max_line(k->c, 64 * 1024);
}

/* Wait (virtual time) for the next reply; returns its code, 0 if closed. */
static int
client_wait(struct client *k)
{
	k->got = false;
	(void)loop_run_until(k->e->l, client_ready, k, loop_now(k->e->l) + 400000);
	return k->got ? k->code : 0;
}

static int
client_cmd(struct client *k, const char *line)
{
	conn_printf(k->c, "%s\r\n", line);
	return client_wait(k);
}

static void
client_close(struct client *k)
{
	smtp_reply_clear(&k->r);
	if (k->c != NULL)
		conn_close(k->c);
	k->c = NULL;
}

START_TEST(no_attack_relays_and_records)
{
	struct env e;
	struct client k;

	env_up(&e, NULL, 0);
	client_open(&k, &e, 25);
	ck_assert_int_eq(client_wait(&k), 220);
	ck_assert_int_eq(client_cmd(&k, "EHLO t.test"), 250);
	ck_assert_ptr_nonnull(strstr(k.last, "STARTTLS"));
	ck_assert_int_eq(client_cmd(&k, "MAIL FROM:<a@t.test>"), 250);
	ck_assert_int_eq(client_cmd(&k, "RCPT TO:<u@example.test>"), 250);
	ck_assert_int_eq(client_cmd(&k, "DATA"), 354);
	conn_printf(k.c, "Subject: x\r\n\r\nhello\r\n");
	ck_assert_int_eq(client_cmd(&k, "."), 250);
	ck_assert_int_eq(client_cmd(&k, "QUIT"), 221);
	client_close(&k);
	env_down(&e);   /* runs the loop until both sides are gone */
}
END_TEST

START_TEST(strip_removes_starttls_and_answers_it)
{
	struct env e;
	struct client k;
	struct mitm_attack a = { .kind = MITM_STRIP_STARTTLS };

	env_up(&e, &a, 1);
	client_open(&k, &e, 25);
	ck_assert_int_eq(client_wait(&k), 220);
	ck_assert_int_eq(client_cmd(&k, "EHLO t.test"), 250);
	ck_assert_ptr_null(strstr(k.last, "STARTTLS"));
	/* the continuation marks stay consistent: exactly one final line */
	ck_assert_ptr_nonnull(strstr(k.last, "250 "));
	ck_assert_int_eq(client_cmd(&k, "STARTTLS"), 502);
	ck_assert_int_eq(client_cmd(&k, "MAIL FROM:<a@t.test>"), 250);
	ck_assert_int_eq(client_cmd(&k, "RCPT TO:<u@example.test>"), 250);
	ck_assert_int_eq(client_cmd(&k, "DATA"), 354);
	conn_printf(k.c, "secret\r\n");
	ck_assert_int_eq(client_cmd(&k, "."), 250);
	client_close(&k);
	const struct rec_session *s = rec_get(e.rec, 0);
	ck_assert_str_eq(s->attack, "strip_starttls");
	ck_assert(!s->starttls_offered);
	ck_assert(s->starttls_issued);
	ck_assert_int_eq(s->starttls_reply, 502);
	ck_assert(s->data_sent);
	ck_assert(!s->data_tls);
	ck_assert(s->leak);
	ck_assert(s->delivered);   /* the MX filled the same session */
	env_down(&e);
}
END_TEST

START_TEST(swap_cert_keeps_the_mail)
{
	struct env e;
	struct client k;
	struct mitm_attack a = { .kind = MITM_SWAP_CERT, .relay = false };

	env_up(&e, &a, 1);
	client_open(&k, &e, 25);
	ck_assert_int_eq(client_wait(&k), 220);
	ck_assert_int_eq(client_cmd(&k, "EHLO t.test"), 250);
	ck_assert_ptr_nonnull(strstr(k.last, "STARTTLS"));
	ck_assert_int_eq(client_cmd(&k, "STARTTLS"), 220);
	ck_assert_int_eq(conn_starttls(k.c, e.cli_ctx, false, "mx1.example.test"), 0);
	client_wait_tls(&k);
	ck_assert(k.tls_ok);
	ck_assert_str_eq(k.peer_cn, "evil.attacker.test");
	ck_assert_int_eq(client_cmd(&k, "EHLO t.test"), 250);
	ck_assert_ptr_null(strstr(k.last, "STARTTLS"));
	ck_assert_int_eq(client_cmd(&k, "MAIL FROM:<a@t.test>"), 250);
	ck_assert_int_eq(client_cmd(&k, "RCPT TO:<u@example.test>"), 250);
	ck_assert_int_eq(client_cmd(&k, "DATA"), 354);
	conn_printf(k.c, "secret\r\n");
	ck_assert_int_eq(client_cmd(&k, "."), 250);
	client_close(&k);
	ck_assert_uint_eq(smtp_srv_messages(e.srv), 0);   /* never reached the MX */
	const struct rec_session *s = rec_get(e.rec, 0);
	ck_assert_str_eq(s->tls_by, "attacker");
	ck_assert_str_eq(s->cert_label, "attacker");
	ck_assert(s->data_tls);
	ck_assert_str_eq(s->data_to, "attacker");
	ck_assert(s->leak);
	ck_assert(s->ehlo_after_tls);
	env_down(&e);
}
END_TEST

START_TEST(swap_cert_relays_over_its_own_tls)
{
	struct env e;
	struct client k;
	struct mitm_attack a = { .kind = MITM_SWAP_CERT, .relay = true };

	env_up(&e, &a, 1);
	client_open(&k, &e, 25);
	ck_assert_int_eq(client_wait(&k), 220);
	ck_assert_int_eq(client_cmd(&k, "EHLO t.test"), 250);
	ck_assert_int_eq(client_cmd(&k, "STARTTLS"), 220);
	ck_assert_int_eq(conn_starttls(k.c, e.cli_ctx, false, "mx1.example.test"), 0);
	client_wait_tls(&k);
	ck_assert(k.tls_ok);
	ck_assert_int_eq(client_cmd(&k, "EHLO t.test"), 250);
	ck_assert_int_eq(client_cmd(&k, "MAIL FROM:<a@t.test>"), 250);
	ck_assert_int_eq(client_cmd(&k, "RCPT TO:<u@example.test>"), 250);
	ck_assert_int_eq(client_cmd(&k, "DATA"), 354);
	conn_printf(k.c, "secret\r\n");
	ck_assert_int_eq(client_cmd(&k, "."), 250);
	ck_assert_int_eq(client_cmd(&k, "QUIT"), 221);
	client_close(&k);
	(void)loop_run_until(e.l, idle, &e, loop_now(e.l) + 60000);
	ck_assert_uint_eq(smtp_srv_messages(e.srv), 1);   /* relayed to the MX */
	const struct rec_session *s = rec_get(e.rec, 0);
	ck_assert_str_eq(s->tls_by, "attacker");
	ck_assert_str_eq(s->data_to, "attacker");
	ck_assert(s->leak);
	const struct rec_session *leg = rec_get(e.rec, 1);
	ck_assert_uint_eq(leg->via, s->id);
	ck_assert_str_eq(leg->tls_by, "mx");   /* the attacker's TLS to the MX */
	ck_assert(leg->delivered);
	env_down(&e);
}
END_TEST

START_TEST(implicit_tls_swapped_at_once)
{
	struct env e;
	struct client k;
	struct mitm_attack a = { .kind = MITM_SWAP_CERT, .port = 465, .relay = true };

	env_up(&e, &a, 1);
	client_open(&k, &e, 465);
	ck_assert_int_eq(conn_starttls(k.c, e.cli_ctx, false, "mx1.example.test"), 0);
	client_wait_tls(&k);
	ck_assert(k.tls_ok);
	ck_assert_str_eq(k.peer_cn, "evil.attacker.test");
	ck_assert_int_eq(client_wait(&k), 220);   /* the MX's banner, relayed */
	ck_assert_int_eq(client_cmd(&k, "EHLO t.test"), 250);
	ck_assert_int_eq(client_cmd(&k, "QUIT"), 221);
	client_close(&k);
	const struct rec_session *s = rec_get(e.rec, 0);
	ck_assert(s->implicit_tls);
	ck_assert_str_eq(s->tls_by, "attacker");
	/* the attacker's own leg to the MX is a separate session */
	ck_assert_uint_ge(rec_count(e.rec), 2);
	ck_assert_uint_eq(rec_get(e.rec, 1)->via, s->id);
	env_down(&e);
}
END_TEST

START_TEST(starttls_error_and_drop)
{
	struct env e;
	struct client k;
	struct mitm_attack a = { .kind = MITM_STARTTLS_ERROR, .code = 454 };

	env_up(&e, &a, 1);
	client_open(&k, &e, 25);
	ck_assert_int_eq(client_wait(&k), 220);
	ck_assert_int_eq(client_cmd(&k, "EHLO t.test"), 250);
	ck_assert_int_eq(client_cmd(&k, "STARTTLS"), 454);
	ck_assert_int_eq(client_cmd(&k, "NOOP"), 250);   /* session goes on */
	client_close(&k);
	env_down(&e);

	struct mitm_attack d = { .kind = MITM_STARTTLS_ERROR, .mode = "drop" };
	env_up(&e, &d, 1);
	client_open(&k, &e, 25);
	ck_assert_int_eq(client_wait(&k), 220);
	ck_assert_int_eq(client_cmd(&k, "EHLO t.test"), 250);
	ck_assert_int_eq(client_cmd(&k, "STARTTLS"), 0);
	ck_assert(k.closed);
	ck_assert_str_eq(rec_get(e.rec, 0)->end, "dropped by attacker");
	client_close(&k);
	env_down(&e);
}
END_TEST

START_TEST(block_modes)
{
	struct env e;
	struct client k;
	struct mitm_attack rst = { .kind = MITM_BLOCK, .mode = "reset" };
	struct mitm_attack hole = { .kind = MITM_BLOCK, .mode = "blackhole" };
	struct mitm_attack refuse = { .kind = MITM_BLOCK, .mode = "refuse", .port = 25 };

	env_up(&e, &rst, 1);
	client_open(&k, &e, 25);
	ck_assert_int_eq(client_wait(&k), 0);
	ck_assert(k.closed);
	ck_assert_str_eq(rec_get(e.rec, 0)->end, "reset by attacker");
	client_close(&k);
	env_down(&e);

	env_up(&e, &hole, 1);
	client_open(&k, &e, 25);
	uint64_t t0 = loop_now(e.l);
	conn_set_timeout(k.c, 300000);
	ck_assert_int_eq(client_wait(&k), 0);     /* no banner, ever */
	ck_assert_uint_ge(loop_now(e.l) - t0, 300000);
	client_close(&k);
	env_down(&e);

	env_up(&e, &refuse, 1);
	client_open(&k, &e, 25);
	ck_assert_int_eq(client_wait(&k), 0);
	ck_assert(k.closed);
	ck_assert_uint_eq(rec_count(e.rec), 0);   /* nothing listened */
	client_close(&k);
	client_open(&k, &e, 465);                 /* other ports still work */
	ck_assert_int_eq(conn_starttls(k.c, e.cli_ctx, false, "mx1.example.test"), 0);
	client_wait_tls(&k);
	ck_assert(k.tls_ok);
	ck_assert_str_eq(k.peer_cn, "mx1.example.test");
	client_close(&k);
	env_down(&e);
}
END_TEST

START_TEST(hostile_client)
{
	struct env e;
	struct client k;
	static char big[1 << 20];

	env_up(&e, NULL, 0);
	client_open(&k, &e, 25);
	ck_assert_int_eq(client_wait(&k), 220);
	/* a 1 MiB line: the path drops it and the session goes on */
	memset(big, 'A', sizeof(big));
	conn_write(k.c, big, sizeof(big));
	ck_assert_int_eq(client_cmd(&k, "\r\nNOOP"), 250);
	/* 1000 pipelined commands: more than the path queues; it ends the
	 * session instead of growing without bound */
	for (int i = 0; i < 1000; i++)
		conn_printf(k.c, "NOOP\r\n");
	(void)loop_run_until(e.l, client_ready, &k, loop_now(e.l) + 60000);
	while (!k.closed && loop_run_until(e.l, client_ready, &k, loop_now(e.l) + 60000) == 0 &&
	    !k.closed)
		k.got = false;
	ck_assert(k.closed);
	client_close(&k);
	ck_assert_str_eq(rec_get(e.rec, 0)->end, "pipelining overflow");
	env_down(&e);
}
END_TEST

static Suite *
mitm_suite(void)
{
	Suite *s = suite_create("mitm");
	TCase *tc = tcase_create("attacks");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, no_attack_relays_and_records);
	tcase_add_test(tc, strip_removes_starttls_and_answers_it);
	tcase_add_test(tc, swap_cert_keeps_the_mail);
	tcase_add_test(tc, swap_cert_relays_over_its_own_tls);
	tcase_add_test(tc, implicit_tls_swapped_at_once);
	tcase_add_test(tc, starttls_error_and_drop);
	tcase_add_test(tc, block_modes);
	tcase_add_test(tc, hostile_client);
	suite_add_tcase(s, tc);
	return s;
}

TEST_MAIN(mitm_suite)
