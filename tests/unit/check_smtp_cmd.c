/*
 * Tests for fake-mx/smtp_cmd.c: command lines, reply lines, multi-line
 * replies and EHLO capabilities.
 */
#include <string.h>

#include "fake-mx/smtp.h"
#include "tests/unit/testutil.h"

static int
parse(const char *line, struct smtp_cmd *c)
{
	return smtp_cmd_parse(line, strlen(line), c);
}

START_TEST(test_verbs)
{
	static const struct {
		const char *name;
		enum smtp_verb v;
	} all[] = {
		{ "EHLO", SMTP_V_EHLO }, { "HELO", SMTP_V_HELO },
		{ "MAIL", SMTP_V_MAIL }, { "RCPT", SMTP_V_RCPT },
		{ "DATA", SMTP_V_DATA }, { "BDAT", SMTP_V_BDAT },
		{ "RSET", SMTP_V_RSET }, { "NOOP", SMTP_V_NOOP },
		{ "QUIT", SMTP_V_QUIT }, { "STARTTLS", SMTP_V_STARTTLS },
		{ "VRFY", SMTP_V_VRFY }, { "HELP", SMTP_V_HELP },
		{ "AUTH", SMTP_V_AUTH },
	};
	struct smtp_cmd c;

	for (size_t i = 0; i < ARRAY_LEN(all); i++) {
		ck_assert_int_eq(smtp_verb_lookup(all[i].name), all[i].v);
		ck_assert_str_eq(smtp_verb_name(all[i].v), all[i].name);
		ck_assert_int_eq(parse(all[i].name, &c), 0);
		ck_assert_int_eq(c.verb, all[i].v);
		ck_assert_str_eq(c.arg, "");
		ck_assert_uint_eq(c.arglen, 0);
	}
	ck_assert_int_eq(smtp_verb_lookup("starttls"), SMTP_V_STARTTLS);
	ck_assert_int_eq(smtp_verb_lookup("StartTls"), SMTP_V_STARTTLS);
	ck_assert_int_eq(smtp_verb_lookup("START"), SMTP_V_UNKNOWN);
	ck_assert_int_eq(smtp_verb_lookup("STARTTLSX"), SMTP_V_UNKNOWN);
	ck_assert_int_eq(smtp_verb_lookup(""), SMTP_V_UNKNOWN);
	ck_assert_int_eq(smtp_verb_lookup(NULL), SMTP_V_UNKNOWN);
	ck_assert_str_eq(smtp_verb_name(SMTP_V_UNKNOWN), "?");
}
END_TEST

START_TEST(test_args)
{
	struct smtp_cmd c;

	ck_assert_int_eq(parse("ehlo client.example.test", &c), 0);
	ck_assert_int_eq(c.verb, SMTP_V_EHLO);
	ck_assert_str_eq(c.arg, "client.example.test");
	ck_assert_uint_eq(c.arglen, strlen("client.example.test"));

	ck_assert_int_eq(parse("MaIl FROM:<a@b.test> SIZE=100", &c), 0);
	ck_assert_int_eq(c.verb, SMTP_V_MAIL);
	ck_assert_str_eq(c.arg, "FROM:<a@b.test> SIZE=100");

	/* several spaces after the verb are skipped, trailing ones kept */
	ck_assert_int_eq(parse("RCPT    TO:<x@y.test> ", &c), 0);
	ck_assert_int_eq(c.verb, SMTP_V_RCPT);
	ck_assert_str_eq(c.arg, "TO:<x@y.test> ");

	/* a verb followed by spaces only has an empty argument */
	ck_assert_int_eq(parse("QUIT   ", &c), 0);
	ck_assert_int_eq(c.verb, SMTP_V_QUIT);
	ck_assert_str_eq(c.arg, "");

	/* unknown but well-formed */
	ck_assert_int_eq(parse("XCLIENT NAME=foo", &c), 0);
	ck_assert_int_eq(c.verb, SMTP_V_UNKNOWN);
	ck_assert_str_eq(c.arg, "NAME=foo");

	/* the verb ends at a space only: "MAIL:" is not MAIL */
	ck_assert_int_eq(parse("MAIL:FROM", &c), 0);
	ck_assert_int_eq(c.verb, SMTP_V_UNKNOWN);

	/* a length shorter than the string: only that much is parsed */
	ck_assert_int_eq(smtp_cmd_parse("DATAXYZ", 4, &c), 0);
	ck_assert_int_eq(c.verb, SMTP_V_DATA);
	ck_assert_uint_eq(c.arglen, 0);
	ck_assert_int_eq(smtp_cmd_parse("HELO abcdef", 7, &c), 0);
	ck_assert_int_eq(c.verb, SMTP_V_HELO);
	ck_assert_uint_eq(c.arglen, 2);
	ck_assert_int_eq(strncmp(c.arg, "ab", c.arglen), 0);
}
END_TEST

START_TEST(test_syntax_errors)
{
	struct smtp_cmd c;
	char buf[64];

	ck_assert_int_eq(parse("", &c), -1);
	ck_assert_int_eq(smtp_cmd_parse(NULL, 0, &c), -1);
	ck_assert_int_eq(parse(" EHLO x", &c), -1);
	ck_assert_int_eq(parse("ABCDEFGHIJKLMNOPQ", &c), -1);   /* 17 */
	ck_assert_int_eq(parse("ABCDEFGHIJKLMNOP", &c), 0);     /* 16 */
	ck_assert_int_eq(c.verb, SMTP_V_UNKNOWN);

	memcpy(buf, "EHLO a\0b", 8);
	ck_assert_int_eq(smtp_cmd_parse(buf, 8, &c), -1);
	memcpy(buf, "\0QUIT", 5);
	ck_assert_int_eq(smtp_cmd_parse(buf, 5, &c), -1);
	memcpy(buf, "QUIT\0", 5);
	ck_assert_int_eq(smtp_cmd_parse(buf, 5, &c), -1);
	ck_assert_int_eq(smtp_cmd_parse(buf, 4, &c), 0);
	ck_assert_int_eq(c.verb, SMTP_V_QUIT);

	/* binary without NULs is a well-formed unknown verb */
	ck_assert_int_eq(parse("\x16\x03\x01\xff", &c), 0);
	ck_assert_int_eq(c.verb, SMTP_V_UNKNOWN);
}
END_TEST

START_TEST(test_paths)
{
	const char *path, *params;
	size_t n;

	ck_assert_int_eq(smtp_path_parse("FROM:<a@b.test> SIZE=10 BODY=8BITMIME",
	    "FROM:", true, &path, &n, &params), 0);
	ck_assert_uint_eq(n, 8);
	ck_assert_int_eq(strncmp(path, "a@b.test", n), 0);
	ck_assert_str_eq(params, "SIZE=10 BODY=8BITMIME");

	ck_assert_int_eq(smtp_path_parse("from: <a@b.test>", "FROM:", true,
	    &path, &n, &params), 0);
	ck_assert_str_eq(params, "");
	ck_assert_int_eq(smtp_path_parse("FROM:<>", "FROM:", true, &path, &n,
	    &params), 0);
	ck_assert_uint_eq(n, 0);
	ck_assert_int_eq(smtp_path_parse("TO:<>", "TO:", false, NULL, NULL,
	    NULL), -1);
	ck_assert_int_eq(smtp_path_parse("TO:<Postmaster>", "TO:", false, NULL,
	    NULL, NULL), 0);
	ck_assert_int_eq(smtp_path_parse("TO:<postmasterx>", "TO:", false, NULL,
	    NULL, NULL), -1);
	ck_assert_int_eq(smtp_path_parse("TO:<@r.test:u@d.test>", "TO:", false,
	    &path, &n, NULL), 0);
	ck_assert_uint_eq(n, 16);

	/* syntax errors */
	ck_assert_int_eq(smtp_path_parse("FROM:a@b.test", "FROM:", true, NULL,
	    NULL, NULL), -1);
	ck_assert_int_eq(smtp_path_parse("FROM:<a@b.test", "FROM:", true, NULL,
	    NULL, NULL), -1);
	ck_assert_int_eq(smtp_path_parse("FROM:<a b@c.test>", "FROM:", true,
	    NULL, NULL, NULL), -1);
	ck_assert_int_eq(smtp_path_parse("FROM:<a@b.test>X", "FROM:", true,
	    NULL, NULL, NULL), -1);
	ck_assert_int_eq(smtp_path_parse("FROM:<user>", "FROM:", true, NULL,
	    NULL, NULL), -1);
	ck_assert_int_eq(smtp_path_parse("FROM:<a\x01@b.test>", "FROM:", true,
	    NULL, NULL, NULL), -1);
	ck_assert_int_eq(smtp_path_parse("TO:<a@b.test>", "FROM:", true, NULL,
	    NULL, NULL), -1);
	ck_assert_int_eq(smtp_path_parse("", "TO:", true, NULL, NULL, NULL), -1);
}
END_TEST

static int
rparse(const char *line, int *code, bool *last, const char **text)
{
	return smtp_reply_parse(line, strlen(line), code, last, text);
}

START_TEST(test_reply_parse)
{
	const char *text;
	bool last;
	int code;

	ck_assert_int_eq(rparse("250-PIPELINING", &code, &last, &text), 0);
	ck_assert_int_eq(code, 250);
	ck_assert(!last);
	ck_assert_str_eq(text, "PIPELINING");

	ck_assert_int_eq(rparse("220 mx1.example.test ESMTP", &code, &last,
	    &text), 0);
	ck_assert_int_eq(code, 220);
	ck_assert(last);
	ck_assert_str_eq(text, "mx1.example.test ESMTP");

	ck_assert_int_eq(rparse("354", &code, &last, &text), 0);
	ck_assert_int_eq(code, 354);
	ck_assert(last);
	ck_assert_str_eq(text, "");
	ck_assert_int_eq(smtp_reply_parse("421xx", 3, &code, &last, &text), 0);
	ck_assert_int_eq(code, 421);
	ck_assert_str_eq(text, "");

	ck_assert_int_eq(rparse("250 ", &code, &last, &text), 0);
	ck_assert_str_eq(text, "");

	code = 7;
	ck_assert_int_eq(rparse("", &code, &last, &text), -1);
	ck_assert_int_eq(rparse("25", &code, &last, &text), -1);
	ck_assert_int_eq(rparse("25x ok", &code, &last, &text), -1);
	ck_assert_int_eq(rparse("2500 ok", &code, &last, &text), -1);
	ck_assert_int_eq(rparse("250:ok", &code, &last, &text), -1);
	ck_assert_int_eq(rparse("650 ok", &code, &last, &text), -1);
	ck_assert_int_eq(rparse("050 ok", &code, &last, &text), -1);
	ck_assert_int_eq(rparse(" 250 ok", &code, &last, &text), -1);
	ck_assert_int_eq(rparse("EHLO x", &code, &last, &text), -1);
	ck_assert_int_eq(code, 7);  /* untouched on error */
}
END_TEST

static int
feed(struct smtp_reply *r, const char *line)
{
	return smtp_reply_feed(r, line, strlen(line));
}

START_TEST(test_reply_multiline)
{
	struct smtp_reply r;

	smtp_reply_init(&r);
	ck_assert_int_eq(feed(&r, "250-mx1.example.test"), 0);
	ck_assert_int_eq(feed(&r, "250-PIPELINING"), 0);
	ck_assert_int_eq(feed(&r, "250-SIZE 10485760"), 0);
	ck_assert_int_eq(feed(&r, "250-starttls"), 0);
	ck_assert(!r.done);
	ck_assert_int_eq(feed(&r, "250 ENHANCEDSTATUSCODES"), 1);
	ck_assert(r.done);
	ck_assert_int_eq(r.code, 250);
	ck_assert_uint_eq(r.nlines, 5);
	ck_assert_str_eq(r.lines[0], "250-mx1.example.test");
	ck_assert_str_eq(r.lines[4], "250 ENHANCEDSTATUSCODES");

	ck_assert(smtp_reply_has_capa(&r, "STARTTLS"));
	ck_assert(smtp_reply_has_capa(&r, "size"));
	ck_assert(smtp_reply_has_capa(&r, "PIPELINING"));
	ck_assert(smtp_reply_has_capa(&r, "EnhancedStatusCodes"));
	ck_assert(!smtp_reply_has_capa(&r, "START"));
	ck_assert(!smtp_reply_has_capa(&r, "SIZE 10485760"));
	ck_assert(!smtp_reply_has_capa(&r, "REQUIRETLS"));
	ck_assert(!smtp_reply_has_capa(&r, "mx1.example.test"));
	ck_assert(!smtp_reply_has_capa(&r, ""));

	/* feeding a complete reply starts the next one */
	ck_assert_int_eq(feed(&r, "221 2.0.0 Bye"), 1);
	ck_assert_uint_eq(r.nlines, 1);
	ck_assert_int_eq(r.code, 221);
	ck_assert(!smtp_reply_has_capa(&r, "STARTTLS"));
	smtp_reply_clear(&r);
	ck_assert_uint_eq(r.nlines, 0);
	ck_assert_ptr_null(r.lines);
	smtp_reply_clear(&r);  /* twice is fine */

	/* a non-250 reply has no capabilities */
	ck_assert_int_eq(feed(&r, "550-x"), 0);
	ck_assert_int_eq(feed(&r, "550 STARTTLS"), 1);
	ck_assert(!smtp_reply_has_capa(&r, "STARTTLS"));
	smtp_reply_clear(&r);

	/* "AUTH=LOGIN" style keywords */
	ck_assert_int_eq(feed(&r, "250-h"), 0);
	ck_assert_int_eq(feed(&r, "250 AUTH=LOGIN PLAIN"), 1);
	ck_assert(smtp_reply_has_capa(&r, "AUTH"));
	smtp_reply_clear(&r);
}
END_TEST

START_TEST(test_reply_malformed)
{
	struct smtp_reply r;
	char line[32];

	smtp_reply_init(&r);
	ck_assert_int_eq(feed(&r, "hello"), -1);
	ck_assert_uint_eq(r.nlines, 0);

	ck_assert_int_eq(feed(&r, "250-a"), 0);
	ck_assert_int_eq(feed(&r, "251 b"), -1);  /* code changed */
	ck_assert_uint_eq(r.nlines, 1);
	ck_assert(!r.done);
	ck_assert_int_eq(feed(&r, "250 b"), 1);   /* still usable */
	smtp_reply_clear(&r);

	ck_assert_int_eq(feed(&r, "250-a"), 0);
	ck_assert_int_eq(feed(&r, "250+b"), -1);
	smtp_reply_clear(&r);

	/* the line cap */
	for (int i = 0; i < SMTP_REPLY_MAX_LINES; i++) {
		snprintf(line, sizeof(line), "250-line %d", i);
		ck_assert_int_eq(feed(&r, line), 0);
	}
	ck_assert_uint_eq(r.nlines, SMTP_REPLY_MAX_LINES);
	ck_assert_int_eq(feed(&r, "250 one too many"), -1);
	ck_assert_uint_eq(r.nlines, SMTP_REPLY_MAX_LINES);
	smtp_reply_clear(&r);

	/* a single "354" line completes a reply */
	ck_assert_int_eq(smtp_reply_feed(&r, "354 go", 3), 1);
	ck_assert_str_eq(r.lines[0], "354");
	smtp_reply_clear(&r);
}
END_TEST

static Suite *
smtp_cmd_suite(void)
{
	Suite *s = suite_create("smtp_cmd");
	TCase *tc = tcase_create("parse");

	tcase_add_test(tc, test_verbs);
	tcase_add_test(tc, test_args);
	tcase_add_test(tc, test_syntax_errors);
	tcase_add_test(tc, test_paths);
	tcase_add_test(tc, test_reply_parse);
	tcase_add_test(tc, test_reply_multiline);
	tcase_add_test(tc, test_reply_malformed);
	suite_add_tcase(s, tc);
	return s;
}

TEST_MAIN(smtp_cmd_suite)
