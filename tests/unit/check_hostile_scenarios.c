/*
 * check_hostile_scenarios: the hostile scenario suite
 * (tests/hostile/scenarios/).  Each file tries to escape or exhaust the
 * sandbox (files, commands, load/string.dump/bytecode, metatable and
 * _ENV tricks, debug, infinite and coroutine loops, pattern-matching
 * bombs, memory bombs, deep recursion, giant strings) and says in its
 * header what the loader must answer:
 *
 *   -- expect: LINE: TEXT     the error starts with "PATH:LINE:" and
 *                             contains TEXT
 *   -- expect: TEXT           the error starts with "PATH:" and contains
 *                             TEXT (the line is not fixed)
 *
 * Every file is loaded through scenario_load() (the run's own path) with
 * the default limits; the time and the process's peak RSS are printed
 * (figures, not asserts), and a generous wall-clock bound catches a
 * sandbox that no longer interrupts something.  Then a good scenario
 * still loads in the same process.
 */
#include <ctype.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "core/util.h"
#include "sim/scenario.h"
#include "testutil.h"

#define HOSTILE_DIR "tests/hostile/scenarios"
#define HOSTILE_MAX_SECONDS 60.0   /* per file; a hang, not a slow run */

static int
name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The "-- expect: ..." header of a file into want (line or -1). */
static void
read_expect(const char *path, int *line, char *want, size_t wantlen)
{
	FILE *f = fopen(path, "rb");
	char buf[512];

	*line = -1;
	want[0] = '\0';
	ck_assert_msg(f != NULL, "cannot open %s", path);
	while (fgets(buf, sizeof(buf), f) != NULL) {
		char *p = strstr(buf, "-- expect: ");
		char *end;
		long n;

		if (p == NULL)
			continue;
		p += 11;
		p[strcspn(p, "\r\n")] = '\0';
		n = strtol(p, &end, 10);
		if (end != p && *end == ':') {
			*line = (int)n;
			p = end + 1;
			while (*p == ' ')
				p++;
		}
		snprintf(want, wantlen, "%s", p);
		break;
	}
	fclose(f);
}

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static long
peak_rss_kb(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_maxrss;
}

/* The bytecode file has no text header: its expectation is fixed here. */
static void
expect_of(const char *name, const char *path, int *line, char *want,
	size_t wantlen)
{
	if (strcmp(name, "bytecode.lua") == 0) {
		*line = 1;
		snprintf(want, wantlen, "binary chunks (bytecode) are not allowed");
		return;
	}
	read_expect(path, line, want, wantlen);
}

START_TEST(test_hostile_files)
{
	DIR *dh = opendir(tu_path(HOSTILE_DIR));
	struct dirent *de;
	char **names = NULL;
	size_t n = 0;
	int bad;

	ck_assert_ptr_nonnull(dh);
	while ((de = readdir(dh)) != NULL) {
		size_t len = strlen(de->d_name);

		if (len > 4 && strcmp(de->d_name + len - 4, ".lua") == 0) {
			names = xrealloc(names, (n + 1) * sizeof(*names));
			names[n++] = xstrdup(de->d_name);
		}
	}
	closedir(dh);
	qsort(names, n, sizeof(*names), name_cmp);
	ck_assert_uint_ge(n, 30);

	printf("%-28s %8s %9s  %s\n", "hostile scenario", "seconds", "rss KiB",
	    "error");
	bad = 0;
	for (size_t i = 0; i < n; i++) {
		char path[4096], want[256], err[1024], pfx[4200];
		struct scenario *s = NULL;
		double t0, dt;
		int line, rc;

		snprintf(path, sizeof(path), "%s/%s", tu_path(HOSTILE_DIR), names[i]);
		expect_of(names[i], path, &line, want, sizeof(want));
		ck_assert_msg(want[0] != '\0' || line >= 0,
		    "%s: no \"-- expect:\" header", path);
		t0 = now_s();
		rc = scenario_load(path, names[i], &s, err, sizeof(err));
		dt = now_s() - t0;
		printf("%-28s %8.3f %9ld  %s\n", names[i], dt, peak_rss_kb(),
		    err + (strncmp(err, path, strlen(path)) == 0 ?
		    strlen(path) : 0));
		if (line >= 0)
			snprintf(pfx, sizeof(pfx), "%s:%d:", path, line);
		else
			snprintf(pfx, sizeof(pfx), "%s:", path);
		if (rc == 0) {
			printf("  FAIL: %s loaded\n", names[i]);
			bad++;
			scenario_free(s);
		} else if (strncmp(err, pfx, strlen(pfx)) != 0 ||
		    strstr(err, want) == NULL) {
			printf("  FAIL: %s: want \"%s ... %s\"\n", names[i], pfx, want);
			bad++;
		}
		if (dt >= HOSTILE_MAX_SECONDS) {
			printf("  FAIL: %s took %.1f s\n", names[i], dt);
			bad++;
		}
		free(names[i]);
	}
	free(names);
	ck_assert_msg(bad == 0, "%d hostile scenarios not refused as expected", bad);
}
END_TEST

/* After every bomb, a good scenario loads in the same process. */
START_TEST(test_good_still_loads)
{
	struct scenario *s = NULL;
	char err[1024];

	ck_assert_msg(scenario_load(tu_path("tests/data/scenarios/good/full.lua"),
	    "full.lua", &s, err, sizeof(err)) == 0, "%s", err);
	scenario_free(s);
}
END_TEST

/* Patterns that are fine: the guard must not refuse ordinary use. */
START_TEST(test_patterns_still_work)
{
	static const char src[] =
	    "local s = ('mx1.example.test'):rep(10)\n"
	    "assert(s:find('example', 1, true) == 5)\n"
	    "assert(('a=b'):match('^(%w+)=(%w+)$') == 'a')\n"
	    "local n = 0\n"
	    "for w in ('a b c d'):gmatch('%a+') do n = n + 1 end\n"
	    "assert(n == 4)\n"
	    "assert((('x y  z'):gsub('%s+', ' ')) == 'x y z')\n"
	    "assert(string.find(('a'):rep(100), ('a*'):rep(2) .. 'b') == nil)\n"
	    "local t = table.move({ 1, 2, 3 }, 1, 3, 2)\n"
	    "assert(t[4] == 3)\n"
	    "return { title = 't', refs = {}, domain = 'example.test',\n"
	    "  mx = { { host = 'mx1.example.test' } },\n"
	    "  expect = { delivery = 'verified' } }\n";
	struct scenario *s = NULL;
	char err[1024];

	ck_assert_msg(scenario_load_string("ok.lua", src, strlen(src), &s, err,
	    sizeof(err)) == 0, "%s", err);
	scenario_free(s);
}
END_TEST

static Suite *
hostile_suite(void)
{
	Suite *s = suite_create("hostile_scenarios");
	TCase *tc = tcase_create("sandbox");

	tcase_set_timeout(tc, 0);   /* each file has its own bound */
	tcase_add_test(tc, test_hostile_files);
	tcase_add_test(tc, test_good_still_loads);
	tcase_add_test(tc, test_patterns_still_work);
	suite_add_tcase(s, tc);
	return s;
}

TEST_MAIN(hostile_suite)
