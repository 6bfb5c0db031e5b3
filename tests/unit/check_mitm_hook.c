/*
 * check_mitm_hook: attacker/mitm_hook.c, the Lua hooks on the attacker's
 * path, with the reference sender in a private namespace.
 *
 * - The two built-in attacks re-written as hooks in scenarios/examples/
 *   give the same verdicts (every sender mode) and the same lines on the
 *   wire (sender <-> path and path <-> MX; the attacker's '!' notes and
 *   the message size, since the body names its scenario, aside)
 *   as the built-ins in scenarios/starttls/.
 * - Each verb of the hook API: rewrite, drop, inject towards either side,
 *   delay on the virtual clock, close, on_tls terminate and fail.
 * - Hostile hooks: endless loops (also under pcall), memory bombs, errors,
 *   wrong return types, ctx kept past its call: the scenario fails with
 *   "file:line: message (in HOOK)", the run goes on.
 * - Loader errors for malformed hook attacks.
 */
#include "core/record.h"
#include "core/sandbox.h"
#include "core/util.h"
#include "sim/runner.h"
#include "sim/scenario.h"
#include "tests/unit/testutil.h"

#include <string.h>

static const char *const modes[] = {
	"builtin", "builtin:opportunistic", "builtin:no-verify",
};

struct run {
	struct res_scenario rs;
	struct scenario *scn;
};

static void
run_scn(struct run *r, const char *sender, struct scenario *scn)
{
	struct run_opts o = { .seed = 1, .sender = sender };

	tu_netns();
	memset(r, 0, sizeof(*r));
	r->scn = scn;
	(void)runner_run(r->scn, &o, &r->rs);
}

static void
run_file(struct run *r, const char *sender, const char *rel)
{
	struct scenario *s = NULL;
	char err[1024];

	ck_assert_msg(scenario_load(tu_path(rel), NULL, &s, err, sizeof(err)) == 0,
	    "%s", err);
	run_scn(r, sender, s);
}

static void
run_src(struct run *r, const char *sender, const char *src)
{
	struct scenario *s = NULL;
	char err[1024];

	ck_assert_msg(scenario_load_string("t.lua", src, strlen(src), &s, err,
	    sizeof(err)) == 0, "%s", err);
	run_scn(r, sender, s);
}

static void
run_free(struct run *r)
{
	res_scenario_free(&r->rs);
	scenario_free(r->scn);
}

/* Every wire line of every session, "dir text\n", notes left out. */
static char *
wire(const struct run *r)
{
	struct buf b;

	buf_init(&b);
	for (size_t i = 0; i < rec_count(r->rs.rec); i++) {
		const struct rec_session *s = rec_get(r->rs.rec, i);
		buf_appendf(&b, "-- session %zu %s:%u\n", i + 1, s->host, s->port);
		for (size_t k = 0; k < s->nlines; k++) {
			const char *t = s->lines[k].text;
			if (s->lines[k].dir == '!')
				continue;
			/* the body names its scenario: sizes differ */
			if (strncmp(t, "[message: ", 10) == 0)
				t = "[message]";
			buf_appendf(&b, "%c %s\n", s->lines[k].dir, t);
		}
	}
	char *w = xstrdup(buf_cstr(&b));
	buf_free(&b);
	return w;
}

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

static const char *
delivery(const struct run *r)
{
	ck_assert_uint_gt(r->rs.phases[0].nmsgs, 0);
	return r->rs.phases[0].msgs[0].delivery;
}

/* --- the examples give what the built-ins give --- */

static void
same_as_builtin(const char *builtin, const char *hook)
{
	for (size_t m = 0; m < ARRAY_LEN(modes); m++) {
		struct run a, b;
		char *wa, *wb;

		run_file(&a, modes[m], builtin);
		run_file(&b, modes[m], hook);
		ck_assert_msg(strcmp(a.rs.verdict, b.rs.verdict) == 0, "%s: %s %s, "
		    "hook %s (%s)", modes[m], builtin, a.rs.verdict, b.rs.verdict,
		    b.rs.reason ? b.rs.reason : "");
		ck_assert_str_eq(delivery(&a), delivery(&b));
		wa = wire(&a);
		wb = wire(&b);
		ck_assert_msg(strcmp(wa, wb) == 0, "%s: wire differs\n-- built-in:\n%s"
		    "-- hook:\n%s", modes[m], wa, wb);
		free(wa);
		free(wb);
		run_free(&a);
		run_free(&b);
	}
}

START_TEST(example_strip_starttls)
{
	same_as_builtin("scenarios/starttls/strip-secure.lua",
	    "scenarios/examples/hook-strip-starttls.lua");
}
END_TEST

START_TEST(example_inject_reply)
{
	same_as_builtin("scenarios/starttls/inject-reply.lua",
	    "scenarios/examples/hook-inject-reply.lua");
}
END_TEST

/* --- the API --- */

#define HEAD "return { title = 't', refs = {}, domain = 'example.test',\n" \
	"  sender_tls = 'secure', mx = { { host = 'mx1.example.test' } },\n" \
	"  attack = { { 'hook', host = 'mx1.example.test',\n"
#define TAIL "  } },\n  expect = { delivery = 'verified' },\n}\n"

START_TEST(hook_rewrites_and_injects)
{
	struct run r;

	run_src(&r, "builtin", HEAD
	    "    on_client_line = function(line, ctx)\n"
	    "      if line:match('^EHLO') then\n"
	    "        ctx:inject_server('NOOP')\n"
	    "        return 'EHLO rewritten.mxsim.test'\n"
	    "      end\n"
	    "    end,\n"
	    "    on_server_line = function(line, ctx)\n"
	    "      if ctx.command == 'banner' then return '220 rewritten.test ESMTP' end\n"
	    "    end,\n" TAIL);
	ck_assert_msg(strcmp(r.rs.verdict, "pass") == 0, "%s", r.rs.reason);
	/* the MX got the rewritten command and the injected NOOP */
	ck_assert(said(&r, '}', "EHLO rewritten.mxsim.test"));
	ck_assert(said(&r, '}', "NOOP"));
	ck_assert(said(&r, '<', "220 rewritten.test ESMTP"));
	run_free(&r);
}
END_TEST

START_TEST(hook_drops_and_answers)
{
	struct run r;

	/* STARTTLS answered 454 by the hook: a secure sender refuses */
	run_src(&r, "builtin", "return { title = 't', refs = {}, domain = "
	    "'example.test',\n  sender_tls = 'secure', mx = { { host = "
	    "'mx1.example.test' } },\n  attack = { { 'hook', host = "
	    "'mx1.example.test',\n"
	    "    on_client_line = function(line, ctx)\n"
	    "      if line == 'STARTTLS' then\n"
	    "        ctx:inject_client('454 4.7.0 not now') return false\n"
	    "      end\n"
	    "    end } },\n  expect = { delivery = 'refused' },\n}\n");
	ck_assert_msg(strcmp(r.rs.verdict, "pass") == 0, "%s", r.rs.reason);
	ck_assert(said(&r, '<', "454 4.7.0 not now"));
	ck_assert(!said(&r, '}', "STARTTLS"));
	ck_assert_int_eq(rec_get(r.rs.rec, 0)->starttls_reply, 454);
	run_free(&r);
}
END_TEST

START_TEST(hook_delays_on_the_virtual_clock)
{
	struct run r;

	run_src(&r, "builtin", HEAD
	    "    on_server_line = function(line, ctx)\n"
	    "      if ctx.command == 'EHLO' then ctx:delay(120) end\n"
	    "    end,\n"
	    "    on_client_line = function(line, ctx)\n"
	    "      if line == 'QUIT' then ctx:delay(7.5) end\n"
	    "    end,\n" TAIL);
	ck_assert_msg(strcmp(r.rs.verdict, "pass") == 0, "%s", r.rs.reason);
	/* the plaintext EHLO reply held 120 s (inside TLS the path only
	 * relays); QUIT goes inside TLS too */
	ck_assert_uint_ge(r.rs.virtual_ms, 120000);
	ck_assert_uint_lt(r.rs.virtual_ms, 240000);
	run_free(&r);
}
END_TEST

START_TEST(hook_closes)
{
	struct run r;

	run_src(&r, "builtin", "return { title = 't', refs = {}, domain = "
	    "'example.test',\n  mx = { { host = 'mx1.example.test' } },\n"
	    "  attack = { { 'hook', host = 'mx1.example.test',\n"
	    "    on_client_line = function(line, ctx)\n"
	    "      if line:match('^EHLO') then ctx:close() end\n"
	    "    end } },\n  expect = { delivery = 'refused' },\n}\n");
	ck_assert_msg(strcmp(r.rs.verdict, "pass") == 0, "%s", r.rs.reason);
	ck_assert_str_eq(rec_get(r.rs.rec, 0)->end, "closed by attacker");
	run_free(&r);
}
END_TEST

START_TEST(hook_on_tls_terminates)
{
	struct run r;

	/* the attacker's own TLS with a certificate for its own name: a
	 * no-verify sender hands it the message */
	run_src(&r, "builtin:no-verify", "return { title = 't', refs = {}, domain = "
	    "'example.test',\n  sender_tls = 'secure', mx = { { host = "
	    "'mx1.example.test' } },\n  attack = { { 'hook', host = "
	    "'mx1.example.test', cert = 'attacker',\n"
	    "    on_tls = function(ctx) return 'terminate' end,\n"
	    "    on_client_line = function(line, ctx)\n"
	    "      if ctx.tls and line:match('^EHLO') then ctx:note('saw EHLO in TLS') end\n"
	    "    end } },\n  expect = { delivery = 'refused', leak = false },\n}\n");
	ck_assert_str_eq(r.rs.verdict, "fail");
	ck_assert_str_eq(delivery(&r), "tls");
	ck_assert_str_eq(rec_get(r.rs.rec, 0)->tls_by, "attacker");
	ck_assert(said(&r, '!', "hook: saw EHLO in TLS"));
	run_free(&r);
}
END_TEST

START_TEST(hook_on_tls_fails)
{
	struct run r;

	run_src(&r, "builtin", "return { title = 't', refs = {}, domain = "
	    "'example.test',\n  sender_tls = 'secure', mx = { { host = "
	    "'mx1.example.test' } },\n  attack = { { 'hook', host = "
	    "'mx1.example.test',\n"
	    "    on_tls = function(ctx)\n"
	    "      if ctx.conn == 1 then return 'fail', 'reset' end\n"
	    "    end } },\n  messages = 1,\n"
	    "  expect = { delivery = { 'verified', 'refused' } },\n}\n");
	ck_assert_msg(strcmp(r.rs.verdict, "pass") == 0, "%s", r.rs.reason);
	ck_assert_str_eq(rec_get(r.rs.rec, 0)->tls_error,
	    "attacker: connection reset instead of a ServerHello");
	run_free(&r);
}
END_TEST

/* --- hostile hooks --- */

static void
hostile(const char *body, const char *want1, const char *want2)
{
	char src[2048];
	struct run r;

	snprintf(src, sizeof(src), HEAD "%s" TAIL, body);
	run_src(&r, "builtin", src);
	ck_assert_str_eq(r.rs.verdict, "error");
	ck_assert_ptr_nonnull(r.rs.reason);
	ck_assert_msg(strstr(r.rs.reason, want1) != NULL, "want %s\n got %s", want1,
	    r.rs.reason);
	ck_assert_msg(strstr(r.rs.reason, want2) != NULL, "want %s\n got %s", want2,
	    r.rs.reason);
	ck_assert_ptr_nonnull(sandbox_error(r.scn->lua));
	run_free(&r);
}

START_TEST(hostile_loop)
{
	hostile("    on_client_line = function(line, ctx)\n"
	    "      while true do end\n"
	    "    end,\n", "t.lua:5: instruction limit", "(in on_client_line)");
	/* pcall cannot catch the budget */
	hostile("    on_server_line = function(line, ctx)\n"
	    "      for i = 1, 100 do pcall(function() while true do end end) end\n"
	    "    end,\n", "instruction limit", "(in on_server_line)");
}
END_TEST

START_TEST(hostile_memory)
{
	hostile("    on_client_line = function(line, ctx)\n"
	    "      local t = {} for i = 1, 1e9 do t[i] = line:rep(1000) .. i end\n"
	    "    end,\n", "t.lua:", "limit");
}
END_TEST

START_TEST(hostile_error_and_types)
{
	hostile("    on_client_line = function(line, ctx)\n"
	    "      error('boom')\n"
	    "    end,\n", "t.lua:5: boom", "(in on_client_line)");
	hostile("    on_server_line = function(line, ctx)\n"
	    "      return 42\n"
	    "    end,\n", "t.lua:4: on_server_line returned a number", "want nil");
	hostile("    on_tls = function(ctx) return 'maybe' end,\n",
	    "t.lua:4: on_tls returned \"maybe\"", "terminate");
	hostile("    on_client_line = function(line, ctx)\n"
	    "      ctx:inject_client('a\\rb')\n"
	    "    end,\n", "t.lua:5:", "without CR");
	hostile("    on_client_line = function(line, ctx)\n"
	    "      ctx:delay(-1)\n"
	    "    end,\n", "t.lua:5:", "seconds from 0");
}
END_TEST

START_TEST(hostile_kept_ctx)
{
	hostile("    on_client_line = function(line, ctx)\n"
	    "      if saved then return saved.host end\n"
	    "      saved = ctx\n"
	    "    end,\n", "t.lua:5: ctx used after its hook returned",
	    "(in on_client_line)");
}
END_TEST

/* --- the loader --- */

START_TEST(loader_errors)
{
	static const struct { const char *attack, *want; } bad[] = {
		{ "{ 'hook', host = 'mx1.example.test' }",
		  "t.lua:3: attack[1]: a hook needs at least one of on_client_line" },
		{ "{ 'hook', host = 'mx1.example.test', on_tls = 'relay' }",
		  "attack[1].on_tls: expected a function, got string" },
		{ "{ 'strip_starttls', host = 'mx1.example.test', on_tls = function() end }",
		  "strip_starttls takes no on_tls" },
	};
	char src[1024], err[1024];
	struct scenario *s;

	for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
		snprintf(src, sizeof(src), "return { title = 't', refs = {}, domain = "
		    "'example.test', mx = { { host = 'mx1.example.test' } },\n\n"
		    "  attack = { %s },\n  expect = { delivery = 'verified' } }\n",
		    bad[i].attack);
		s = NULL;
		ck_assert_msg(scenario_load_string("t.lua", src, strlen(src), &s, err,
		    sizeof(err)) == -1, "case %zu loaded", i);
		ck_assert_msg(strstr(err, bad[i].want) != NULL, "case %zu:\n want %s\n "
		    "got  %s", i, bad[i].want, err);
	}
	/* a scenario without hooks does not keep its state */
	snprintf(src, sizeof(src), "return { title = 't', refs = {}, domain = "
	    "'example.test', mx = { { host = 'mx1.example.test' } },\n"
	    "  expect = { delivery = 'verified' } }\n");
	ck_assert_int_eq(scenario_load_string("t.lua", src, strlen(src), &s, err,
	    sizeof(err)), 0);
	ck_assert_ptr_null(s->lua);
	scenario_free(s);
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("mitm_hook");
	TCase *tc = tcase_create("hook");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, example_strip_starttls);
	tcase_add_test(tc, example_inject_reply);
	tcase_add_test(tc, hook_rewrites_and_injects);
	tcase_add_test(tc, hook_drops_and_answers);
	tcase_add_test(tc, hook_delays_on_the_virtual_clock);
	tcase_add_test(tc, hook_closes);
	tcase_add_test(tc, hook_on_tls_terminates);
	tcase_add_test(tc, hook_on_tls_fails);
	tcase_add_test(tc, hostile_loop);
	tcase_add_test(tc, hostile_memory);
	tcase_add_test(tc, hostile_error_and_types);
	tcase_add_test(tc, hostile_kept_ctx);
	tcase_add_test(tc, loader_errors);
	suite_add_tcase(s, tc);
	return s;
}

TEST_MAIN(suite)
