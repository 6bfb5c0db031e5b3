/*
 * Unit tests for the STARTTLS attack catalogue of attacker/: a scripted
 * client talks through the path to a real fake MX (mitm_harness.h) and
 * checks what each vector does on the wire and in the record: STARTTLS
 * answered with any code, ehlo_reject, reply (421 at each step),
 * starttls_inject both ways, caps, handshake_fail, and the nth and
 * after_verified filters.
 */
#include "mitm_harness.h"

static const char *const mail_dialogue[] = {
	"MAIL FROM:<a@t.test>", "RCPT TO:<u@example.test>", "DATA",
};

/* MAIL, RCPT, DATA, a message, its end: the codes expected at each. */
static void
client_send_mail(struct client *k)
{
	ck_assert_int_eq(client_cmd(k, mail_dialogue[0]), 250);
	ck_assert_int_eq(client_cmd(k, mail_dialogue[1]), 250);
	ck_assert_int_eq(client_cmd(k, mail_dialogue[2]), 354);
	conn_printf(k->c, "Subject: x\r\n\r\nsecret\r\n");
	ck_assert_int_eq(client_cmd(k, "."), 250);
}

START_TEST(starttls_answered_with_any_code)
{
	static const int codes[] = { 200, 354, 454, 502, 554 };
	struct env e;
	struct client k;

	for (size_t i = 0; i < ARRAY_LEN(codes); i++) {
		struct mitm_attack a = { .kind = MITM_STARTTLS_ERROR, .code = codes[i] };
		char note[64];
		env_up(&e, &a, 1);
		client_open(&k, &e, 25);
		ck_assert_int_eq(client_wait(&k), 220);
		ck_assert_int_eq(client_cmd(&k, "EHLO t.test"), 250);
		ck_assert_int_eq(client_cmd(&k, "STARTTLS"), codes[i]);
		/* the MX never saw STARTTLS: the session goes on in plaintext */
		ck_assert_int_eq(client_cmd(&k, "NOOP"), 250);
		client_close(&k);
		const struct rec_session *s = rec_get(e.rec, 0);
		ck_assert_int_eq(s->starttls_reply, codes[i]);
		ck_assert(s->starttls_issued);
		snprintf(note, sizeof(note), "answered STARTTLS with %d itself", codes[i]);
		ck_assert(transcript_has(&e, 0, '!', note));
		env_down(&e);
	}
}
END_TEST

START_TEST(starttls_421_and_close_end_the_session)
{
	struct mitm_attack c421 = { .kind = MITM_STARTTLS_ERROR, .code = 421 };
	struct mitm_attack close454 = { .kind = MITM_STARTTLS_ERROR, .code = 454,
		.mode = "close" };
	const struct mitm_attack *v[] = { &c421, &close454 };
	struct env e;
	struct client k;

	for (size_t i = 0; i < ARRAY_LEN(v); i++) {
		env_up(&e, v[i], 1);
		client_open(&k, &e, 25);
		ck_assert_int_eq(client_wait(&k), 220);
		ck_assert_int_eq(client_cmd(&k, "EHLO t.test"), 250);
		ck_assert_int_eq(client_cmd(&k, "STARTTLS"), v[i]->code);
		client_wait_closed(&k);
		ck_assert(k.closed);
		ck_assert_str_eq(rec_get(e.rec, 0)->end, "closed by attacker");
		client_close(&k);
		env_down(&e);
	}
}
END_TEST

START_TEST(starttls_220_without_tls)
{
	struct mitm_attack plain = { .kind = MITM_STARTTLS_ERROR, .code = 220 };
	struct mitm_attack shut = { .kind = MITM_STARTTLS_ERROR, .code = 220,
		.mode = "close" };
	struct env e;
	struct client k;

	/* 220, then the ClientHello reaches the MX in plaintext, which
	 * answers it with a plaintext 500: the handshake fails */
	env_up(&e, &plain, 1);
	client_open(&k, &e, 25);
	ck_assert_int_eq(client_wait(&k), 220);
	ck_assert_int_eq(client_cmd(&k, "EHLO t.test"), 250);
	client_starttls(&k);
	ck_assert(k.tls_failed || k.closed);
	ck_assert(!k.tls_ok);
	client_close(&k);
	(void)loop_run_until(e.l, idle, &e, loop_now(e.l) + 60000);
	ck_assert(transcript_has(&e, 0, '!', "said 220 but starts no TLS"));
	ck_assert(transcript_has(&e, 0, '!', "before STARTTLS"));   /* the MX's view */
	ck_assert_int_eq(rec_get(e.rec, 0)->starttls_reply, 220);
	env_down(&e);

	/* 220, then the connection closes */
	env_up(&e, &shut, 1);
	client_open(&k, &e, 25);
	ck_assert_int_eq(client_wait(&k), 220);
	ck_assert_int_eq(client_cmd(&k, "EHLO t.test"), 250);
	ck_assert_int_eq(client_cmd(&k, "STARTTLS"), 220);
	client_wait_closed(&k);
	ck_assert(k.closed);
	client_close(&k);
	env_down(&e);
}
END_TEST

START_TEST(ehlo_reject_forces_helo)
{
	struct mitm_attack a = { .kind = MITM_EHLO_REJECT };
	struct mitm_attack a550 = { .kind = MITM_EHLO_REJECT, .code = 550,
		.text = "5.7.1 go away" };
	struct env e;
	struct client k;

	env_up(&e, &a, 1);
	client_open(&k, &e, 25);
	ck_assert_int_eq(client_wait(&k), 220);
	ck_assert_int_eq(client_cmd(&k, "EHLO t.test"), 502);
	ck_assert_int_eq(client_cmd(&k, "HELO t.test"), 250);   /* from the MX */
	client_send_mail(&k);
	client_close(&k);
	const struct rec_session *s = rec_get(e.rec, 0);
	ck_assert(!s->starttls_offered);
	ck_assert(s->leak);
	ck_assert(transcript_has(&e, 0, '!', "answered EHLO with 502 itself"));
	env_down(&e);

	env_up(&e, &a550, 1);
	client_open(&k, &e, 25);
	ck_assert_int_eq(client_wait(&k), 220);
	ck_assert_int_eq(client_cmd(&k, "EHLO t.test"), 550);
	ck_assert_str_eq(k.last, "550 5.7.1 go away|");
	client_close(&k);
	env_down(&e);
}
END_TEST

/* Drive a plaintext dialogue up to step; returns the code there. */
static int
run_to_step(struct client *k, const char *step)
{
	int code = client_wait(k);

	if (strcmp(step, "banner") == 0 || code != 220)
		return code;
	code = client_cmd(k, "EHLO t.test");
	if (strcmp(step, "EHLO") == 0 || code != 250)
		return code;
	if (strcmp(step, "STARTTLS") == 0)
		return client_cmd(k, "STARTTLS");
	for (size_t i = 0; i < ARRAY_LEN(mail_dialogue); i++) {
		code = client_cmd(k, mail_dialogue[i]);
		if (strncmp(mail_dialogue[i], step, strlen(step)) == 0 || code >= 400)
			return code;
	}
	conn_printf(k->c, "secret\r\n");
	return client_cmd(k, ".");
}

START_TEST(reply_421_at_each_step)
{
	static const char *const steps[] = {
		"banner", "EHLO", "STARTTLS", "MAIL", "RCPT", "DATA", "DOT",
	};
	struct env e;
	struct client k;

	for (size_t i = 0; i < ARRAY_LEN(steps); i++) {
		struct mitm_attack a = { .kind = MITM_REPLY, .step = steps[i] };
		env_up(&e, &a, 1);
		client_open(&k, &e, 25);
		ck_assert_msg(run_to_step(&k, steps[i]) == 421, "step %s: %s", steps[i],
		    k.last);
		client_wait_closed(&k);
		ck_assert_msg(k.closed, "step %s: still open after 421", steps[i]);
		client_close(&k);
		(void)loop_run_until(e.l, idle, &e, loop_now(e.l) + 60000);
		/* only at the end of data had the MX the whole message */
		ck_assert_uint_eq(smtp_srv_messages(e.srv), strcmp(steps[i], "DOT") == 0);
		ck_assert_str_eq(rec_get(e.rec, 0)->attack, "reply");
		env_down(&e);
	}
}
END_TEST

START_TEST(reply_other_codes_go_on)
{
	struct mitm_attack a = { .kind = MITM_REPLY, .step = "RCPT", .code = 550,
		.text = "5.1.1 no such user (says the attacker)" };
	struct env e;
	struct client k;

	env_up(&e, &a, 1);
	client_open(&k, &e, 25);
	ck_assert_int_eq(client_wait(&k), 220);
	ck_assert_int_eq(client_cmd(&k, "EHLO t.test"), 250);
	ck_assert_int_eq(client_cmd(&k, "MAIL FROM:<a@t.test>"), 250);
	ck_assert_int_eq(client_cmd(&k, "RCPT TO:<u@example.test>"), 550);
	ck_assert_str_eq(k.last, "550 5.1.1 no such user (says the attacker)|");
	ck_assert_int_eq(client_cmd(&k, "RSET"), 250);   /* from the MX, in step */
	ck_assert_int_eq(client_cmd(&k, "QUIT"), 221);
	client_close(&k);
	env_down(&e);
}
END_TEST

START_TEST(inject_reply_after_220_in_one_segment)
{
	struct mitm_attack a = { .kind = MITM_STARTTLS_INJECT };
	struct env e;
	struct client k;

	env_up(&e, &a, 1);
	client_open(&k, &e, 25);
	ck_assert_int_eq(client_wait(&k), 220);
	ck_assert_int_eq(client_cmd(&k, "EHLO t.test"), 250);
	/* this client is the buggy one: it reads what follows the 220, all
	 * of it in the same read */
	ck_assert_int_eq(client_cmd(&k, "STARTTLS"), 250);
	ck_assert_ptr_nonnull(strstr(k.all, "#220 2.0.0 Ready to start TLS|"
	    "250-evil.attacker.test|250 PIPELINING|"));
	ck_assert_int_eq(conn_starttls(k.c, e.cli_ctx, false, "mx1.example.test"), 0);
	client_wait_tls(&k);
	ck_assert(k.tls_ok);
	ck_assert_str_eq(k.peer_cn, "mx1.example.test");   /* the real MX */
	ck_assert_int_eq(client_cmd(&k, "EHLO t.test"), 250);
	/* inside TLS only the MX speaks */
	ck_assert_ptr_null(strstr(k.last, "evil"));
	ck_assert_ptr_nonnull(strstr(k.last, "REQUIRETLS"));
	client_send_mail(&k);
	ck_assert_int_eq(client_cmd(&k, "QUIT"), 221);
	client_close(&k);
	(void)loop_run_until(e.l, idle, &e, loop_now(e.l) + 60000);
	const struct rec_session *s = rec_get(e.rec, 0);
	ck_assert(transcript_has(&e, 0, '!', "injected 40 bytes of plaintext replies "
	    "right behind the 220"));
	ck_assert(transcript_has(&e, 0, '<', "250-evil.attacker.test"));
	ck_assert(s->data_tls);
	ck_assert(s->delivered);
	ck_assert(!s->leak);
	env_down(&e);
}
END_TEST

START_TEST(inject_refusal_curl_980)
{
	struct mitm_attack a = { .kind = MITM_STARTTLS_INJECT, .code = 454 };
	struct env e;
	struct client k;

	env_up(&e, &a, 1);
	client_open(&k, &e, 25);
	ck_assert_int_eq(client_wait(&k), 220);
	ck_assert_int_eq(client_cmd(&k, "EHLO t.test"), 250);
	(void)client_cmd(&k, "STARTTLS");
	ck_assert_ptr_nonnull(strstr(k.all, "#454 4.7.0 TLS not available due to "
	    "local problem|250 2.1.0 Sender ok|250 2.1.5 Recipient ok|354 "));
	/* a client that ignores the 454 takes the injected replies as its
	 * answers and sends the message at once, in plaintext */
	conn_printf(k.c, "MAIL FROM:<a@t.test>\r\nRCPT TO:<u@example.test>\r\n"
	    "DATA\r\nSubject: x\r\n\r\nsecret\r\n.\r\nQUIT\r\n");
	client_wait_closed(&k);
	client_close(&k);
	(void)loop_run_until(e.l, idle, &e, loop_now(e.l) + 60000);
	const struct rec_session *s = rec_get(e.rec, 0);
	ck_assert_int_eq(s->starttls_reply, 454);
	ck_assert(transcript_has(&e, 0, '!', "takes the injected 354 as the reply to DATA"));
	ck_assert(transcript_has(&e, 0, '!', "takes the injected 250 as the reply to "
	    "the end of data"));
	ck_assert(transcript_has(&e, 0, '>', "[message: "));
	ck_assert(s->data_sent);
	ck_assert(!s->data_tls);
	ck_assert(s->leak);
	ck_assert_uint_eq(smtp_srv_messages(e.srv), 1);   /* in plaintext */
	env_down(&e);
}
END_TEST

START_TEST(inject_commands_behind_starttls)
{
	struct mitm_attack a = { .kind = MITM_STARTTLS_INJECT, .mode = "command",
		.text = "RSET\nMAIL FROM:<evil@attacker.test>" };
	struct smtp_override no_tls = { "STARTTLS", "454 4.7.0 TLS not available" };
	struct env e;
	struct client k;

	/* the MX discards them at the switch (RFC 3207 4.2) */
	env_up(&e, &a, 1);
	client_open(&k, &e, 25);
	ck_assert_int_eq(client_wait(&k), 220);
	ck_assert_int_eq(client_cmd(&k, "EHLO t.test"), 250);
	client_starttls(&k);
	ck_assert(k.tls_ok);
	ck_assert_int_eq(client_cmd(&k, "EHLO t.test"), 250);
	ck_assert_ptr_nonnull(strstr(k.last, "250-mx1.example.test"));
	/* no open transaction: the injected MAIL was not executed */
	ck_assert_int_eq(client_cmd(&k, "MAIL FROM:<a@t.test>"), 250);
	ck_assert_int_eq(client_cmd(&k, "QUIT"), 221);
	client_close(&k);
	(void)loop_run_until(e.l, idle, &e, loop_now(e.l) + 60000);
	ck_assert(transcript_has(&e, 0, '!', "injected 2 command lines (38 bytes) "
	    "towards the MX right behind the sender's STARTTLS, in the same "
	    "segment (CVE-2011-0411): RSET | MAIL FROM:<evil@attacker.test>"));
	ck_assert(transcript_has(&e, 0, '!', "plaintext pipelined after STARTTLS "
	    "discarded (38 bytes)"));
	env_down(&e);

	/* an MX that refuses STARTTLS answers them in plaintext: the path
	 * keeps those replies from the sender, which stays in step */
	env_up_ov(&e, &a, 1, &no_tls, 1);
	client_open(&k, &e, 25);
	ck_assert_int_eq(client_wait(&k), 220);
	ck_assert_int_eq(client_cmd(&k, "EHLO t.test"), 250);
	ck_assert_int_eq(client_cmd(&k, "STARTTLS"), 454);
	ck_assert_int_eq(client_cmd(&k, "NOOP"), 250);
	ck_assert_str_eq(k.last, "250 2.0.0 Ok|");
	client_close(&k);
	(void)loop_run_until(e.l, idle, &e, loop_now(e.l) + 60000);
	ck_assert(transcript_has(&e, 0, '!', "answered an injected RSET with 250"));
	ck_assert(transcript_has(&e, 0, '!', "answered an injected MAIL with 250"));
	env_down(&e);
}
END_TEST

START_TEST(caps_rewrites_ehlo)
{
	static const char *const set[] = { "SIZE 1000", NULL };
	static const char *const none[] = { NULL };
	static const char *const rm[] = { "pipelining", "SIZE", NULL };
	static const char *const add[] = { "AUTH PLAIN", NULL };
	struct mitm_attack post[] = {
		{ .kind = MITM_SWAP_CERT, .relay = true },
		{ .kind = MITM_CAPS, .set = set },
	};
	struct mitm_attack empty[] = {
		{ .kind = MITM_SWAP_CERT, .relay = false },
		{ .kind = MITM_CAPS, .set = none },
	};
	struct mitm_attack pre = { .kind = MITM_CAPS, .mode = "plain", .remove = rm,
		.add = add };
	struct env e;
	struct client k;

	/* post-TLS list replaced; the plaintext one untouched */
	env_up(&e, post, 2);
	client_open(&k, &e, 25);
	ck_assert_int_eq(client_wait(&k), 220);
	ck_assert_int_eq(client_cmd(&k, "EHLO t.test"), 250);
	ck_assert_ptr_nonnull(strstr(k.last, "PIPELINING"));
	ck_assert_ptr_nonnull(strstr(k.last, "STARTTLS"));
	client_starttls(&k);
	ck_assert(k.tls_ok);
	ck_assert_int_eq(client_cmd(&k, "EHLO t.test"), 250);
	ck_assert_str_eq(k.last, "250-mx1.example.test|250 SIZE 1000|");
	client_close(&k);
	ck_assert_str_eq(rec_get(e.rec, 0)->attack, "swap_cert+caps");
	ck_assert(transcript_has(&e, 0, '!', "rewrote the post-TLS EHLO capabilities: "
	    "SIZE 1000"));
	env_down(&e);

	/* the attacker keeping the mail: no capabilities at all inside */
	env_up(&e, empty, 2);
	client_open(&k, &e, 25);
	ck_assert_int_eq(client_wait(&k), 220);
	ck_assert_int_eq(client_cmd(&k, "EHLO t.test"), 250);
	client_starttls(&k);
	ck_assert_int_eq(client_cmd(&k, "EHLO t.test"), 250);
	ck_assert_str_eq(k.last, "250 mx1.example.test|");
	client_close(&k);
	env_down(&e);

	/* plaintext: removed by keyword (any case, with arguments), added */
	env_up(&e, &pre, 1);
	client_open(&k, &e, 25);
	ck_assert_int_eq(client_wait(&k), 220);
	ck_assert_int_eq(client_cmd(&k, "EHLO t.test"), 250);
	ck_assert_str_eq(k.last, "250-mx1.example.test|250-8BITMIME|"
	    "250-ENHANCEDSTATUSCODES|250-STARTTLS|250 AUTH PLAIN|");
	ck_assert(rec_get(e.rec, 0)->starttls_offered);
	client_close(&k);
	env_down(&e);
}
END_TEST

/* STARTTLS answered 220 by the attacker, then the client's handshake. */
static void
hsfail_client(struct env *e, struct client *k, const char *mode)
{
	struct mitm_attack a = { .kind = MITM_HANDSHAKE_FAIL, .mode = mode };

	env_up(e, &a, 1);
	client_open(k, e, 25);
	ck_assert_int_eq(client_wait(k), 220);
	ck_assert_int_eq(client_cmd(k, "EHLO t.test"), 250);
	client_starttls(k);
	ck_assert(!k->tls_ok);
}

START_TEST(handshake_fail_modes)
{
	static const struct {
		const char *mode, *end, *error;
	} v[] = {
		{ "alert", "handshake failed by attacker", "fatal handshake_failure alert" },
		{ "reset", "reset by attacker", "connection reset" },
		{ "close", "closed by attacker", "connection closed" },
		{ "garbage", NULL, "garbage" },
	};
	struct env e;
	struct client k;

	for (size_t i = 0; i < ARRAY_LEN(v); i++) {
		hsfail_client(&e, &k, v[i].mode);
		ck_assert_msg(k.tls_failed || k.closed, "%s", v[i].mode);
		if (strcmp(v[i].mode, "alert") == 0)
			ck_assert_ptr_nonnull(strstr(k.tls_error, "handshake failure"));
		client_close(&k);
		(void)loop_run_until(e.l, idle, &e, loop_now(e.l) + 60000);
		const struct rec_session *s = rec_get(e.rec, 0);
		ck_assert_int_eq(s->tls, REC_TLS_FAILED);
		ck_assert_str_eq(s->tls_by, "attacker");
		ck_assert_ptr_nonnull(strstr(s->tls_error, v[i].error));
		if (v[i].end != NULL)
			ck_assert_str_eq(s->end, v[i].end);
		ck_assert(transcript_has(&e, 0, '!', "answered STARTTLS with 220 itself"));
		env_down(&e);
	}
	/* hang: the handshake never completes */
	hsfail_client(&e, &k, "hang");
	ck_assert(!k.tls_failed && !k.closed);
	ck_assert(transcript_has(&e, 0, '!', "will never answer it"));
	client_close(&k);
	env_down(&e);
}
END_TEST

START_TEST(handshake_fail_garbage_bytes_and_465)
{
	struct mitm_attack g = { .kind = MITM_HANDSHAKE_FAIL, .mode = "garbage",
		.text = "HELLO\x01\x02" };
	struct mitm_attack imp = { .kind = MITM_HANDSHAKE_FAIL, .port = 465 };
	struct env e;
	struct client k;

	env_up(&e, &g, 1);
	client_open(&k, &e, 25);
	ck_assert_int_eq(client_wait(&k), 220);
	ck_assert_int_eq(client_cmd(&k, "EHLO t.test"), 250);
	ck_assert_int_eq(client_cmd(&k, "STARTTLS"), 220);
	k.rawmode = true;
	k.got = false;
	conn_write(k.c, "\x16\x03\x01\x00\x04junk", 9);
	(void)loop_run_until(e.l, client_ready, &k, loop_now(e.l) + 60000);
	ck_assert_uint_eq(k.nraw, 7);
	ck_assert(memcmp(k.raw, "HELLO\x01\x02", 7) == 0);
	client_close(&k);
	env_down(&e);

	/* implicit TLS: the MX never hears of the connection */
	env_up(&e, &imp, 1);
	client_open(&k, &e, 465);
	ck_assert_int_eq(conn_starttls(k.c, e.cli_ctx, false, "mx1.example.test"), 0);
	client_wait_tls(&k);
	ck_assert(k.tls_failed || k.closed);
	ck_assert(!k.tls_ok);
	client_close(&k);
	(void)loop_run_until(e.l, idle, &e, loop_now(e.l) + 60000);
	ck_assert_uint_eq(rec_count(e.rec), 1);
	ck_assert_int_eq(rec_get(e.rec, 0)->tls, REC_TLS_FAILED);
	ck_assert(transcript_has(&e, 0, '!', "fatal handshake_failure alert"));
	env_down(&e);
}
END_TEST

static bool
ehlo_offers_starttls(struct env *e)
{
	struct client k;
	bool offered;

	client_open(&k, e, 25);
	ck_assert_int_eq(client_wait(&k), 220);
	ck_assert_int_eq(client_cmd(&k, "EHLO t.test"), 250);
	offered = strstr(k.last, "STARTTLS") != NULL;
	ck_assert_int_eq(client_cmd(&k, "QUIT"), 221);
	client_close(&k);
	(void)loop_run_until(e->l, idle, e, loop_now(e->l) + 60000);
	return offered;
}

START_TEST(nth_connection_only)
{
	struct mitm_attack a = { .kind = MITM_STRIP_STARTTLS, .nth = 2 };
	struct mitm_attack refuse = { .kind = MITM_BLOCK, .mode = "refuse", .nth = 1 };
	struct env e;
	struct client k;

	env_up(&e, &a, 1);
	ck_assert(ehlo_offers_starttls(&e));
	ck_assert(!ehlo_offers_starttls(&e));
	ck_assert(ehlo_offers_starttls(&e));
	ck_assert_ptr_null(rec_get(e.rec, 0)->attack);
	ck_assert_str_eq(rec_get(e.rec, 1)->attack, "strip_starttls");
	ck_assert_ptr_null(rec_get(e.rec, 2)->attack);
	ck_assert(transcript_has(&e, 0, '!', "strip_starttls stands aside: this is "
	    "connection 1 on its ports, it takes number 2"));
	env_down(&e);

	/* a refusal of one connection: the path listens and resets it */
	env_up(&e, &refuse, 1);
	client_open(&k, &e, 25);
	ck_assert_int_eq(client_wait(&k), 0);
	ck_assert(k.closed);
	client_close(&k);
	ck_assert(ehlo_offers_starttls(&e));
	ck_assert_str_eq(rec_get(e.rec, 0)->end, "reset by attacker");
	env_down(&e);
}
END_TEST

START_TEST(after_verified_delivery)
{
	struct mitm_attack a = { .kind = MITM_STRIP_STARTTLS, .after_verified = true };
	struct env e;
	struct client k, k2;

	env_up(&e, &a, 1);
	/* a plaintext delivery does not count */
	client_open(&k, &e, 25);
	ck_assert_int_eq(client_wait(&k), 220);
	ck_assert_int_eq(client_cmd(&k, "EHLO t.test"), 250);
	client_send_mail(&k);
	ck_assert_int_eq(client_cmd(&k, "QUIT"), 221);
	client_close(&k);
	(void)loop_run_until(e.l, idle, &e, loop_now(e.l) + 60000);
	ck_assert(transcript_has(&e, 0, '!', "stands aside: no message has reached "
	    "the MX over TLS"));
	/* a delivery over the MX's TLS, still open when the next one comes */
	client_open(&k, &e, 25);
	ck_assert_int_eq(client_wait(&k), 220);
	ck_assert_int_eq(client_cmd(&k, "EHLO t.test"), 250);
	ck_assert_ptr_nonnull(strstr(k.last, "STARTTLS"));
	client_starttls(&k);
	ck_assert(k.tls_ok);
	ck_assert_int_eq(client_cmd(&k, "EHLO t.test"), 250);
	client_send_mail(&k);
	client_open(&k2, &e, 25);
	ck_assert_int_eq(client_wait(&k2), 220);
	ck_assert_int_eq(client_cmd(&k2, "EHLO t.test"), 250);
	ck_assert_ptr_null(strstr(k2.last, "STARTTLS"));
	client_close(&k2);
	ck_assert_int_eq(client_cmd(&k, "QUIT"), 221);
	client_close(&k);
	(void)loop_run_until(e.l, idle, &e, loop_now(e.l) + 60000);
	/* remembered once every session has ended */
	ck_assert(!ehlo_offers_starttls(&e));
	ck_assert(transcript_has(&e, rec_count(e.rec) - 1, '!', "strip_starttls in "
	    "force: an earlier session delivered over the MX's TLS"));
	env_down(&e);
}
END_TEST

static Suite *
mitm_starttls_suite(void)
{
	Suite *s = suite_create("mitm_starttls");
	TCase *tc = tcase_create("vectors");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, starttls_answered_with_any_code);
	tcase_add_test(tc, starttls_421_and_close_end_the_session);
	tcase_add_test(tc, starttls_220_without_tls);
	tcase_add_test(tc, ehlo_reject_forces_helo);
	tcase_add_test(tc, reply_421_at_each_step);
	tcase_add_test(tc, reply_other_codes_go_on);
	tcase_add_test(tc, inject_reply_after_220_in_one_segment);
	tcase_add_test(tc, inject_refusal_curl_980);
	tcase_add_test(tc, inject_commands_behind_starttls);
	tcase_add_test(tc, caps_rewrites_ehlo);
	tcase_add_test(tc, handshake_fail_modes);
	tcase_add_test(tc, handshake_fail_garbage_bytes_and_465);
	tcase_add_test(tc, nth_connection_only);
	tcase_add_test(tc, after_verified_delivery);
	suite_add_tcase(s, tc);
	return s;
}

TEST_MAIN(mitm_starttls_suite)
