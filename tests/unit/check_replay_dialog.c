/*
 * check_replay_dialog: the dialogue queue of replay --as-server
 * (replay/rp_dialog.c): commands paired with their replies in order,
 * pipelined or not, multi-line replies, the per-step occurrence numbers
 * the fake MX overrides are keyed on, the MX-side view of a session, and
 * where a live dialogue diverges from the recorded one.
 */
#include <string.h>

#include "core/record.h"
#include "replay/rp_dialog.h"
#include "testutil.h"

/* Feeds "dir text" lines ('>' or '<' first). */
static void
feed(struct rp_dialog *d, const char *const *lines)
{
	for (size_t i = 0; lines[i] != NULL; i++)
		rp_dialog_feed(d, lines[i][0], lines[i] + 2);
}

static const char *const starttls_dialogue[] = {
	"< 220 mx ESMTP",
	"> EHLO a.test",
	"< 250-mx pre",
	"< 250 STARTTLS",
	"> STARTTLS",
	"< 220 go",
	"> EHLO a.test",
	"< 250-mx post",
	"< 250 PIPELINING",
	/* pipelined: four commands, then their four replies */
	"> MAIL FROM:<s@a.test>",
	"> RCPT TO:<x@b.test>",
	"> RCPT TO:<y@b.test>",
	"> RCPT TO:<z@b.test>",
	"< 250 sender ok",
	"< 250 rcpt 1",
	"< 550 rcpt 2 unknown",
	"< 250 rcpt 3",
	"> DATA",
	"< 354 go on",
	"> [message content: 3 lines, 40 bytes]",
	"> .",
	"< 250 queued",
	"> RSET",
	"< 250 reset",
	"> XFOO",
	"< 502 no",
	"> QUIT",
	"< 221 bye",
	NULL
};

START_TEST(test_pairs_in_order)
{
	struct rp_dialog d;
	static const struct { const char *cmd, *reply, *step; unsigned nth; } want[] = {
		{ "EHLO a.test", "250-mx pre\n250 STARTTLS", "EHLO", 1 },
		{ "STARTTLS", "220 go", "STARTTLS", 1 },
		{ "EHLO a.test", "250-mx post\n250 PIPELINING", "EHLO", 2 },
		{ "MAIL FROM:<s@a.test>", "250 sender ok", "MAIL", 1 },
		{ "RCPT TO:<x@b.test>", "250 rcpt 1", "RCPT", 1 },
		{ "RCPT TO:<y@b.test>", "550 rcpt 2 unknown", "RCPT", 2 },
		{ "RCPT TO:<z@b.test>", "250 rcpt 3", "RCPT", 3 },
		{ "DATA", "354 go on", "DATA", 1 },
		{ ".", "250 queued", "DOT", 1 },
		{ "RSET", "250 reset", "RSET", 1 },
		{ "XFOO", "502 no", "error", 1 },
		{ "QUIT", "221 bye", "QUIT", 1 },
	};

	rp_dialog_init(&d);
	feed(&d, starttls_dialogue);
	ck_assert_str_eq(d.banner, "220 mx ESMTP");
	ck_assert_uint_eq(d.n, ARRAY_LEN(want));
	for (size_t i = 0; i < d.n; i++) {
		ck_assert_str_eq(d.t[i].cmd, want[i].cmd);
		ck_assert_ptr_nonnull(d.t[i].reply);
		ck_assert_str_eq(d.t[i].reply, want[i].reply);
		ck_assert_str_eq(d.t[i].step, want[i].step);
		ck_assert_uint_eq(d.t[i].nth, want[i].nth);
	}
	rp_dialog_free(&d);
}
END_TEST

START_TEST(test_unanswered_and_garbage)
{
	static const char *const lines[] = {
		"< 220-mx",
		"< 220 ESMTP",
		"> EHLO a.test",
		"< 250-mx",
		"< garbage in the middle",  /* the reply starts over */
		"< 250 ok",
		"> MAIL FROM:<s@a.test>",   /* the capture ends: no reply */
		NULL
	};
	static const char *const extra[] = {
		"< 221 nobody asked",       /* dropped: nothing waits */
		NULL
	};
	struct rp_dialog d;

	rp_dialog_init(&d);
	feed(&d, lines);
	ck_assert_str_eq(d.banner, "220-mx\n220 ESMTP");
	ck_assert_uint_eq(d.n, 2);
	ck_assert_str_eq(d.t[0].reply, "250 ok");
	ck_assert_ptr_null(d.t[1].reply);
	rp_dialog_feed(&d, '!', "a note: ignored");
	ck_assert_ptr_null(d.t[1].reply);
	rp_dialog_free(&d);

	rp_dialog_init(&d);
	rp_dialog_feed(&d, '<', "220 mx");
	feed(&d, extra);
	ck_assert_uint_eq(d.n, 0);
	rp_dialog_free(&d);
}
END_TEST

START_TEST(test_mx_side_session)
{
	struct rec *r = rec_new(NULL);
	struct rec_session *s = rec_session_new(r, "mx", "127.25.0.11", 25);
	struct rp_dialog d;

	rec_line(r, s, '<', "220 mx");             /* the sender's side... */
	rec_line(r, s, '{', "220 mx");             /* ...and the MX's */
	rec_line(r, s, '}', "EHLO a.test");
	rec_line(r, s, '{', "250 mx");
	rec_line(r, s, '!', "TLS established");
	rec_line(r, s, '}', "DATA");
	rec_line(r, s, '{', "354 go");
	rec_line(r, s, '}', "[message: 12 bytes]");
	rec_line(r, s, '{', "250 queued");

	rp_dialog_init(&d);
	rp_dialog_from_session(s, true, &d);
	ck_assert_str_eq(d.banner, "220 mx");
	ck_assert_uint_eq(d.n, 3);
	ck_assert_str_eq(d.t[2].cmd, ".");
	ck_assert_str_eq(d.t[2].step, "DOT");
	ck_assert_str_eq(d.t[2].reply, "250 queued");
	rp_dialog_free(&d);

	rp_dialog_init(&d);
	rp_dialog_from_session(s, false, &d);   /* the sender's side: banner only */
	ck_assert_str_eq(d.banner, "220 mx");
	ck_assert_uint_eq(d.n, 0);
	rp_dialog_free(&d);
	rec_free(r);
}
END_TEST

START_TEST(test_diverge)
{
	struct rp_dialog rec, live;
	char msg[256];
	static const char *const same_verbs[] = {
		"< 220 other", "> EHLO other.host", "< 250 x", "> STARTTLS", "< 220 x",
		"> EHLO other.host", "< 250 x", "> MAIL FROM:<o@o.test>", "< 250 x",
		"> RCPT TO:<1@b.test>", "> RCPT TO:<2@b.test>", "> RCPT TO:<3@b.test>",
		"< 250 x", "< 250 x", "< 250 x", "> DATA", "< 354 x", "> .", "< 250 x",
		"> RSET", "< 250 x", "> XBAR", "< 500 x", "> QUIT", "< 221 x", NULL
	};
	static const char *const one_rcpt[] = {
		"< 220 other", "> EHLO o", "< 250 x", "> STARTTLS", "< 220 x",
		"> EHLO o", "< 250 x", "> MAIL FROM:<o@o.test>", "< 250 x",
		"> RCPT TO:<1@b.test>", "< 250 x", "> DATA", "< 354 x", NULL
	};
	static const char *const longer[] = {
		"< 220 other", "> EHLO o", "< 250 x", "> STARTTLS", "< 220 x",
		"> EHLO o", "< 250 x", "> MAIL FROM:<o@o.test>", "< 250 x",
		"> RCPT TO:<1@b.test>", "> RCPT TO:<2@b.test>", "> RCPT TO:<3@b.test>",
		"> DATA", "> .", "> RSET", "> XBAR", "> QUIT", "> NOOP", NULL
	};

	rp_dialog_init(&rec);
	feed(&rec, starttls_dialogue);

	/* other arguments, other replies, same commands: no divergence */
	rp_dialog_init(&live);
	feed(&live, same_verbs);
	ck_assert_uint_eq(rp_dialog_diverge(&rec, &live, msg, sizeof(msg)), 0);
	ck_assert_str_eq(msg, "");
	rp_dialog_free(&live);

	rp_dialog_init(&live);
	feed(&live, one_rcpt);
	ck_assert_uint_eq(rp_dialog_diverge(&rec, &live, msg, sizeof(msg)), 6);
	ck_assert_str_eq(msg, "diverged at command 6: client sent DATA, "
	    "recording has RCPT TO:<y@b.test>");
	rp_dialog_free(&live);

	/* the live client goes on past the recording */
	rp_dialog_init(&live);
	feed(&live, longer);
	ck_assert_uint_eq(rp_dialog_diverge(&rec, &live, msg, sizeof(msg)), 13);
	ck_assert_str_eq(msg, "diverged at command 13: client sent NOOP, "
	    "recording has nothing (the recorded session ended)");
	/* and the other way round */
	ck_assert_uint_eq(rp_dialog_diverge(&live, &rec, msg, sizeof(msg)), 13);
	ck_assert_str_eq(msg, "diverged at command 13: client sent nothing "
	    "(the session ended), recording has NOOP");
	rp_dialog_free(&live);
	rp_dialog_free(&rec);
}
END_TEST

START_TEST(test_step_names)
{
	ck_assert_str_eq(rp_dialog_step("."), "DOT");
	ck_assert_str_eq(rp_dialog_step("ehlo x"), "EHLO");
	ck_assert_str_eq(rp_dialog_step("StartTLS"), "STARTTLS");
	ck_assert_str_eq(rp_dialog_step("XFORWARD NAME=x"), "error");
	ck_assert_str_eq(rp_dialog_step(""), "error");
	ck_assert_str_eq(rp_dialog_step("AVERBLONGERTHANSIXTEEN x"), "error");
}
END_TEST

static Suite *
dialog_suite(void)
{
	Suite *s = suite_create("replay_dialog");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_pairs_in_order);
	tcase_add_test(tc, test_unanswered_and_garbage);
	tcase_add_test(tc, test_mx_side_session);
	tcase_add_test(tc, test_diverge);
	tcase_add_test(tc, test_step_names);
	suite_add_tcase(s, tc);
	return s;
}

TEST_MAIN(dialog_suite)
