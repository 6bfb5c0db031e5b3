/*
 * Unit tests for attacker/mitm.c: a scripted client talks through the path
 * to a real fake MX (fake-mx) and checks what each attack does to the
 * dialogue and what the recorder keeps.  The skeleton's attacks; the
 * STARTTLS catalogue is in check_mitm_starttls.c, the harness in
 * mitm_harness.h.
 */
#include "mitm_harness.h"

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
