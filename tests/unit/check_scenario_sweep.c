/*
 * check_scenario_sweep: sim/scenario_sweep.c.  A sweep file expands in
 * scenario_find into one id per (step, code) (DATA-354 left out), each
 * variant loads with its reply attack, its title and its expectation
 * (expect_for as a function or a table, most specific key first, the
 * file's expect as the fallback), and bad sweeps fail with file:line.
 */
#include "core/util.h"
#include "sim/scenario.h"
#include "tests/unit/testutil.h"

#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char dir[256];

static void
setup(void)
{
	snprintf(dir, sizeof(dir), "/tmp/check_sweep.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
}

static void
teardown(void)
{
	char cmd[512];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
}

static const char *
write_file(const char *name, const char *text)
{
	static char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
	return path;
}

#define SWEEP_HEAD "return {\n  title = 'sweep', refs = {}, domain = 'example.test',\n" \
	"  mx = { { host = 'mx1.example.test' }, { host = 'mx2.example.test' } },\n"

static const char *const FN_SWEEP = SWEEP_HEAD
	"  sweep = { step = { 'banner', 'ehlo', 'DATA' }, code = { 354, 454 } },\n"
	"  expect_for = function(step, code)\n"
	"    if code == 454 and step == 'EHLO' then return { delivery = 'refused' } end\n"
	"    return { delivery = 'verified' }\n"
	"  end,\n"
	"}\n";

START_TEST(find_expands)
{
	char *paths[1], **files, **ids;
	int n;
	char err[512];

	write_file("a.lua", FN_SWEEP);
	write_file("b.lua", "return { title = 'plain', refs = {}, domain = 'x.test', "
	    "mx = { { host = 'mx1.x.test' } }, expect = { delivery = 'verified' } }\n");
	paths[0] = dir;
	n = scenario_find(paths, 1, &files, &ids, err, sizeof(err));
	/* 3 steps x 2 codes, minus DATA-354; then b */
	ck_assert_int_eq(n, 6);
	ck_assert_str_eq(ids[0], "a#banner-354");
	ck_assert_str_eq(ids[1], "a#banner-454");
	ck_assert_str_eq(ids[2], "a#EHLO-354");
	ck_assert_str_eq(ids[3], "a#EHLO-454");
	ck_assert_str_eq(ids[4], "a#DATA-454");
	ck_assert_str_eq(ids[5], "b");
	for (int i = 0; i < 5; i++)
		ck_assert_ptr_nonnull(strstr(files[i], "/a.lua"));
	for (int i = 0; i < n; i++) {
		free(files[i]);
		free(ids[i]);
	}
	free(files);
	free(ids);
}
END_TEST

START_TEST(variant_loads)
{
	const char *path = write_file("a.lua", FN_SWEEP);
	struct scenario *s;
	char err[512];
	const struct scn_world *w;

	ck_assert_msg(scenario_load(path, "t/a#EHLO-454", &s, err, sizeof(err)) == 0,
	    "%s", err);
	ck_assert_str_eq(s->id, "t/a#EHLO-454");
	ck_assert_str_eq(s->title, "sweep [EHLO 454]");
	w = &s->phases[0].world;
	ck_assert_uint_eq(w->nattacks, 1);
	ck_assert_str_eq(w->attacks[0].name, "reply");
	ck_assert_str_eq(w->attacks[0].step, "EHLO");
	ck_assert_int_eq(w->attacks[0].code, 454);
	ck_assert_str_eq(w->attacks[0].host, "mx1.example.test");
	ck_assert_str_eq(s->phases[0].expect.delivery[0], "refused");
	scenario_free(s);

	ck_assert_int_eq(scenario_load(path, "t/a#banner-354", &s, err, sizeof(err)), 0);
	ck_assert_str_eq(s->phases[0].expect.delivery[0], "verified");
	ck_assert_str_eq(s->phases[0].world.attacks[0].step, "banner");
	scenario_free(s);

	/* no variant named: the first, which then names the scenario */
	ck_assert_int_eq(scenario_load(path, NULL, &s, err, sizeof(err)), 0);
	ck_assert_str_eq(s->id, "a#banner-354");
	scenario_free(s);

	ck_assert_int_eq(scenario_load(path, "a#DATA-354", &s, err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "the sweep has no variant \"DATA-354\""));
}
END_TEST

START_TEST(table_and_host)
{
	const char *path = write_file("t.lua", SWEEP_HEAD
	    "  attack = { { 'strip_starttls', host = 'mx2.example.test' } },\n"
	    "  sweep = { step = { 'MAIL', 'RCPT', 'STARTTLS' }, code = { 421, 550 },\n"
	    "            host = 'mx2.example.test' },\n"
	    "  expect = { delivery = 'plaintext' },\n"
	    "  expect_for = { ['RCPT-550'] = { delivery = 'tls' }, ['RCPT-5xx'] = 1,\n"
	    "    [421] = { delivery = 'refused' }, MAIL = { delivery = 'verified' } },\n"
	    "}\n");
	static const struct { const char *id, *want; } v[] = {
		{ "t#RCPT-550", "tls" },        /* STEP-CODE first */
		{ "t#RCPT-421", "refused" },    /* then the code */
		{ "t#MAIL-550", "verified" },   /* then the step */
		{ "t#STARTTLS-550", "plaintext" }, /* the file's expect */
	};
	struct scenario *s;
	char err[512];

	for (size_t i = 0; i < ARRAY_LEN(v); i++) {
		ck_assert_msg(scenario_load(path, v[i].id, &s, err, sizeof(err)) == 0,
		    "%s: %s", v[i].id, err);
		ck_assert_str_eq(s->phases[0].expect.delivery[0], v[i].want);
		ck_assert_uint_eq(s->phases[0].world.nattacks, 2);
		ck_assert_str_eq(s->phases[0].world.attacks[1].host, "mx2.example.test");
		scenario_free(s);
	}
}
END_TEST

START_TEST(errors)
{
	static const struct { const char *body, *want; } bad[] = {
		{ "  sweep = { step = { 'HELLO' }, code = { 421 } },\n"
		  "  expect = { delivery = 'refused' },\n",
		  "t.lua:4: sweep.step[1]: a step: banner" },
		{ "  sweep = { step = { 'EHLO' }, code = { 421, 99 } },\n"
		  "  expect = { delivery = 'refused' },\n",
		  "t.lua:4: sweep.code[2]: a reply code from 200 to 599" },
		{ "  sweep = { step = { 'EHLO' }, code = { 421 }, codes = 1 },\n"
		  "  expect = { delivery = 'refused' },\n",
		  "t.lua:4: sweep: unknown key (allowed: step, code, host)" },
		{ "  sweep = { step = { }, code = { 421 } },\n"
		  "  expect = { delivery = 'refused' },\n",
		  "sweep.step: a list of 1 to 64 entries" },
		{ "  sweep = { step = { 'EHLO' }, code = { 421 } },\n"
		  "  expect_for = { MAIL = { delivery = 'refused' } },\n",
		  "t.lua: expect_for has no entry for EHLO-421" },
		{ "  sweep = { step = { 'EHLO' }, code = { 421 } },\n"
		  "  expect_for = function(s, c) return 'refused' end,\n",
		  "expect_for(\"EHLO\", 421) returned a string" },
		{ "  sweep = { step = { 'EHLO' }, code = { 421 } },\n"
		  "  expect_for = function(s, c) error('no idea') end,\n",
		  "t.lua:5: no idea" },
		{ "  sweep = { step = { 'EHLO' }, code = { 421 } },\n"
		  "  expect_for = function(s, c) return { delivery = 'maybe' } end,\n",
		  "expect.delivery: " },
		{ "  sweep = { step = { 'EHLO' }, code = { 421 } },\n"
		  "  phases = { { expect = { delivery = 'refused' } } },\n",
		  "a sweep makes single-phase scenarios" },
	};
	char src[1024], err[512];
	struct scenario *s;

	for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
		snprintf(src, sizeof(src), "%s%s}\n", SWEEP_HEAD, bad[i].body);
		s = NULL;
		ck_assert_msg(scenario_load_string("t.lua", src, strlen(src), &s, err,
		    sizeof(err)) == -1, "case %zu loaded", i);
		ck_assert_ptr_null(s);
		ck_assert_msg(strstr(err, bad[i].want) != NULL, "case %zu:\n want %s\n "
		    "got  %s", i, bad[i].want, err);
	}
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("scenario_sweep");
	TCase *tc = tcase_create("sweep");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, find_expands);
	tcase_add_test(tc, variant_loads);
	tcase_add_test(tc, table_and_host);
	tcase_add_test(tc, errors);
	suite_add_tcase(s, tc);
	return s;
}

TEST_MAIN(suite)
