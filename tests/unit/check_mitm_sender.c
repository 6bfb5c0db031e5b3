/*
 * The STARTTLS attack catalogue seen from the scenario side: the loader's
 * attack parameters (names, defaults, errors naming file and line, deep
 * copies across phases), and whole scenarios run in process with the
 * reference sender in each mode through the world builder (sim/world.c
 * maps the scenario's attacks onto the path): it must not take injected
 * plaintext for replies inside TLS, must not go on in plaintext after a
 * refusal padded with injected replies, and the nth and after_verified
 * filters hold across the messages of a phase.
 */
#include <stdlib.h>
#include <string.h>

#include "core/record.h"
#include "core/result.h"
#include "sim/runner.h"
#include "sim/scenario.h"
#include "testutil.h"

#define HEAD "return { title = 't', refs = {}, domain = 'example.test',\n" \
	"  mx = { { host = 'mx1.example.test' } },\n"
#define TAIL "  expect = { delivery = 'refused' } }"

static struct scenario *
load(const char *src)
{
	struct scenario *s = NULL;
	char err[1024] = "";

	ck_assert_msg(scenario_load_string("mem.lua", src, strlen(src), &s, err,
	    sizeof(err)) == 0, "%s", err);
	return s;
}

START_TEST(loader_reads_the_new_parameters)
{
	struct scenario *s = load(HEAD
	    "  attack = {\n"
	    "    { 'starttls_error', host = 'mx1.example.test', code = 220, mode = 'close' },\n"
	    "    { 'ehlo_reject', host = 'mx1.example.test', nth = 3 },\n"
	    "    { 'reply', host = 'mx1.example.test', step = 'mail' },\n"
	    "    { 'swap_cert', host = 'mx1.example.test' },\n"
	    "    { 'caps', host = 'mx1.example.test', set = {}, add = { 'AUTH PLAIN' } },\n"
	    "    { 'starttls_inject', host = 'mx1.example.test', after_verified = true },\n"
	    "    { 'starttls_inject', host = 'mx1.example.test', mode = 'command',\n"
	    "      text = 'RSET\\nNOOP' },\n"
	    "    { 'handshake_fail', host = 'mx1.example.test', port = 465 },\n"
	    "  },\n"
	    "  phases = { { expect = { delivery = 'refused' } },\n"
	    "             { set = { dnssec = 'insecure' }, expect = { delivery = 'refused' } } },\n"
	    "}");
	const struct scn_world *w = &s->phases[0].world, *w1 = &s->phases[1].world;
	const struct scn_attack *a = w->attacks;

	ck_assert_uint_eq(w->nattacks, 8);
	ck_assert_str_eq(a[0].mode, "close");
	ck_assert_int_eq(a[0].code, 220);
	ck_assert_int_eq(a[1].code, 502);
	ck_assert_int_eq(a[1].nth, 3);
	ck_assert_str_eq(a[2].step, "MAIL");
	ck_assert_int_eq(a[2].code, 421);
	ck_assert_str_eq(a[4].mode, "tls");
	ck_assert_ptr_nonnull(a[4].set);
	ck_assert_ptr_null(a[4].set[0]);
	ck_assert_str_eq(a[4].add[0], "AUTH PLAIN");
	ck_assert_ptr_null(a[4].remove);
	ck_assert_str_eq(a[5].mode, "reply");
	ck_assert_int_eq(a[5].code, 0);
	ck_assert(a[5].after_verified);
	ck_assert_str_eq(a[6].text, "RSET\nNOOP");
	ck_assert_str_eq(a[7].mode, "alert");
	/* phase 2 has its own deep copy */
	ck_assert_uint_eq(w1->nattacks, 8);
	ck_assert_ptr_ne(w1->attacks[4].add, a[4].add);
	ck_assert_str_eq(w1->attacks[4].add[0], "AUTH PLAIN");
	ck_assert_ptr_ne(w1->attacks[2].step, a[2].step);
	ck_assert_str_eq(w1->attacks[2].step, "MAIL");
	ck_assert(w1->attacks[5].after_verified);
	scenario_free(s);
}
END_TEST

START_TEST(loader_rejects_bad_parameters)
{
	static const struct {
		const char *attack, *want;
	} bad[] = {
		{ "{ 'strip_starttls', host = 'mx1.example.test', nth = 0 }",
		  "mem.lua:4: attack[1].nth: 0 is out of range (1 to 1000)" },
		{ "{ 'strip_starttls', host = 'mx1.example.test', after_verified = 'yes' }",
		  "attack[1].after_verified: expected boolean" },
		{ "{ 'strip_starttls', host = 'mx1.example.test', step = 'MAIL' }",
		  "attack[1].step: strip_starttls takes no step (its parameters: host, "
		  "port, nth, after_verified)" },
		{ "{ 'starttls_error', host = 'mx1.example.test', code = 199 }",
		  "attack[1].code: 199 is out of range (200 to 599)" },
		{ "{ 'ehlo_reject', host = 'mx1.example.test', code = 450 }",
		  "attack[1].code: 450 is out of range (500 to 599)" },
		{ "{ 'reply', host = 'mx1.example.test' }",
		  "attack[1].step: missing required field" },
		{ "{ 'reply', host = 'mx1.example.test', step = 'VRFY' }",
		  "attack[1].step: unknown step \"VRFY\"" },
		{ "{ 'reply', host = 'mx1.example.test', step = 'DATA', code = 354 }",
		  "attack[1].code: a 354 to DATA from the attacker would take the message" },
		{ "{ 'starttls_inject', host = 'mx1.example.test', mode = 'command', code = 454 }",
		  "attack[1].code: only with mode \"reply\"" },
		{ "{ 'starttls_inject', host = 'mx1.example.test', text = '250 ok\\nevil' }",
		  "attack[1].text: line 2 \"evil\" is not a reply line" },
		{ "{ 'starttls_inject', host = 'mx1.example.test', text = '250-a\\n250-b' }",
		  "attack[1].text: the last line continues a reply" },
		{ "{ 'starttls_inject', host = 'mx1.example.test', mode = 'command', "
		  "text = 'RSET\\n\\nNOOP' }", "attack[1].text: line 2 is empty" },
		{ "{ 'handshake_fail', host = 'mx1.example.test', text = 'x' }",
		  "attack[1].text: handshake_fail in mode \"alert\" sends no text" },
		{ "{ 'handshake_fail', host = 'mx1.example.test', mode = 'explode' }",
		  "attack[1].mode: bad value \"explode\" (allowed: alert, reset, garbage, "
		  "close, hang)" },
		{ "{ 'caps', host = 'mx1.example.test' }",
		  "attack[1]: caps needs set, remove or add" },
		{ "{ 'caps', host = 'mx1.example.test', remove = { 'PIPELINING' } }",
		  "attack[1]: caps in mode \"tls\" rewrites the EHLO inside the attacker's "
		  "own TLS: add a swap_cert attack on mx1.example.test" },
		{ "{ 'caps', host = 'mx1.example.test', mode = 'plain', add = { 'A\\nB' } }",
		  "attack[1].add[1]: a capability is one non-empty line" },
	};
	char src[2048], err[1024];
	struct scenario *s;

	for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
		snprintf(src, sizeof(src), HEAD "  attack = {\n    %s } ,\n" TAIL,
		    bad[i].attack);
		s = NULL;
		ck_assert_msg(scenario_load_string("mem.lua", src, strlen(src), &s, err,
		    sizeof(err)) == -1, "case %zu loaded", i);
		ck_assert_ptr_null(s);
		ck_assert_msg(strstr(err, bad[i].want) != NULL, "case %zu:\n  want %s\n  "
		    "got  %s", i, bad[i].want, err);
	}
}
END_TEST

/* --- scenarios with the reference sender --- */

struct run {
	struct res_scenario rs;
	struct scenario *scn;
};

static void
run(struct run *r, const char *sender, const char *src)
{
	struct run_opts o = { .seed = 1, .sender = sender };

	tu_netns();
	memset(r, 0, sizeof(*r));
	r->scn = load(src);
	ck_assert_int_eq(runner_run(r->scn, &o, &r->rs), 0);
}

static void
run_free(struct run *r)
{
	res_scenario_free(&r->rs);
	scenario_free(r->scn);
}

static const char *
delivery(const struct run *r, size_t msg)
{
	ck_assert_uint_gt(r->rs.phases[0].nmsgs, msg);
	return r->rs.phases[0].msgs[msg].delivery;
}

/* Whether any sender session's transcript has dir+needle. */
static bool
said(const struct run *r, char dir, const char *needle)
{
	for (size_t i = 0; i < rec_count(r->rs.rec); i++) {
		const struct rec_session *s = rec_get(r->rs.rec, i);
		for (size_t k = 0; k < s->nlines; k++)
			if (s->lines[k].dir == dir && strstr(s->lines[k].text, needle))
				return true;
	}
	return false;
}

#define SECURE "return { title = 't', refs = {}, domain = 'example.test',\n" \
	"  sender_tls = 'secure', mx = { { host = 'mx1.example.test' } },\n"

static const char *const modes[] = {
	"builtin", "builtin:opportunistic", "builtin:no-verify",
};

START_TEST(sender_discards_injected_replies)
{
	struct run r;

	/* every mode discards what follows the 220 (conn_starttls) */
	for (size_t i = 0; i < ARRAY_LEN(modes); i++) {
		run(&r, modes[i], SECURE
		    "  attack = { { 'starttls_inject', host = 'mx1.example.test',\n"
		    "    text = '250-evil.attacker.test\\n250 PIPELINING' } },\n"
		    "  expect = { delivery = 'verified', leak = false } }");
		ck_assert_msg(strcmp(r.rs.verdict, "pass") == 0, "%s: %s", modes[i],
		    r.rs.reason);
		ck_assert_str_eq(delivery(&r, 0), "verified");
		ck_assert(said(&r, '<', "250-evil.attacker.test"));
		ck_assert(said(&r, '!', "right behind the 220, in the same segment"));
		const struct rec_session *s = rec_get(r.rs.rec, 0);
		ck_assert(s->ehlo_after_tls);   /* a real EHLO inside TLS, answered by the MX */
		ck_assert(s->delivered);
		ck_assert(s->data_tls);
		run_free(&r);
	}
}
END_TEST

START_TEST(sender_stops_at_a_padded_refusal)
{
	static const char src[] = SECURE
	    "  attack = { { 'starttls_inject', host = 'mx1.example.test', code = 454 } },\n"
	    "  expect = { delivery = 'refused', leak = false } }";
	struct run r;

	run(&r, "builtin", src);
	ck_assert_str_eq(r.rs.verdict, "pass");
	/* it stops at the 454: its QUIT is all that meets an injected reply */
	ck_assert(said(&r, '!', "the sender takes the injected 250 as the reply to QUIT"));
	ck_assert(!said(&r, '!', "as the reply to MAIL"));
	ck_assert(!rec_get(r.rs.rec, 0)->mail_from);
	run_free(&r);
	/* a sender that goes on in plaintext reads the injected replies as
	 * its answers: the message leaves before the MX has said a word */
	run(&r, "builtin:opportunistic", src);
	ck_assert_str_eq(r.rs.verdict, "fail");
	ck_assert_str_eq(delivery(&r, 0), "plaintext");
	ck_assert(r.rs.phases[0].msgs[0].leak);
	ck_assert(said(&r, '!', "the sender takes the injected 354 as the reply to DATA"));
	run_free(&r);
}
END_TEST

START_TEST(handshake_failure_then_next_connection)
{
	static const char src[] = SECURE
	    "  attack = { { 'handshake_fail', host = 'mx1.example.test', nth = 1 } },\n"
	    "  messages = 2,\n"
	    "  expect = { delivery = { 'refused', 'verified' }, leak = false } }";
	struct run r;

	run(&r, "builtin", src);
	ck_assert_str_eq(r.rs.verdict, "pass");
	ck_assert_str_eq(delivery(&r, 0), "refused");
	ck_assert_str_eq(delivery(&r, 1), "verified");
	ck_assert_int_eq(rec_get(r.rs.rec, 0)->tls, REC_TLS_FAILED);
	run_free(&r);
	/* opportunistic: a plaintext retry of message 1 on connection 2 */
	run(&r, "builtin:opportunistic", src);
	ck_assert_str_eq(delivery(&r, 0), "plaintext");
	ck_assert_str_eq(r.rs.verdict, "fail");
	ck_assert(said(&r, '!', "handshake_fail stands aside: this is connection 2"));
	run_free(&r);
}
END_TEST

START_TEST(strip_after_verified_delivery)
{
	static const char src[] = SECURE
	    "  attack = { { 'strip_starttls', host = 'mx1.example.test',\n"
	    "               after_verified = true } },\n"
	    "  messages = 3,\n"
	    "  expect = { delivery = { 'verified', 'refused' }, leak = false } }";
	struct run r;

	run(&r, "builtin", src);
	ck_assert_str_eq(r.rs.verdict, "pass");
	ck_assert_str_eq(delivery(&r, 0), "verified");
	ck_assert_str_eq(delivery(&r, 1), "refused");
	ck_assert_str_eq(delivery(&r, 2), "refused");
	run_free(&r);
	run(&r, "builtin:opportunistic", src);
	ck_assert_str_eq(delivery(&r, 0), "verified");
	ck_assert_str_eq(delivery(&r, 1), "plaintext");
	ck_assert_str_eq(r.rs.verdict, "fail");
	run_free(&r);
}
END_TEST

static Suite *
mitm_sender_suite(void)
{
	Suite *s = suite_create("mitm_sender");
	TCase *tl = tcase_create("loader");
	TCase *tc = tcase_create("sender");

	tcase_add_test(tl, loader_reads_the_new_parameters);
	tcase_add_test(tl, loader_rejects_bad_parameters);
	suite_add_tcase(s, tl);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, sender_discards_injected_replies);
	tcase_add_test(tc, sender_stops_at_a_padded_refusal);
	tcase_add_test(tc, handshake_failure_then_next_connection);
	tcase_add_test(tc, strip_after_verified_delivery);
	suite_add_tcase(s, tc);
	return s;
}

TEST_MAIN(mitm_sender_suite)
