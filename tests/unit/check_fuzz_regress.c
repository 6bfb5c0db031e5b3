/*
 * Replays every fuzz input kept in the tree through the fuzz targets'
 * bodies (tests/fuzz/fuzz_*.h), without libFuzzer: the regression inputs
 * of crashes, hangs and leaks that were fixed (tests/fuzz/regress/<t>/)
 * and the seed corpora (tests/fuzz/corpus/<t>/).  So `make check` and
 * `make check-asan` keep every bug the fuzzers found fixed.
 *
 * A broken invariant aborts (FUZZ_CHECK), a memory error aborts under
 * ASan, and an input that runs longer than REPLAY_SECONDS is a hang: the
 * alarm names it and aborts.  Every target must have a non-empty corpus.
 */
#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "tests/fuzz/fuzz_dns.h"
#include "tests/fuzz/fuzz_dns_srv.h"
#include "tests/fuzz/fuzz_dns_zone.h"
#include "tests/fuzz/fuzz_http.h"
#include "tests/fuzz/fuzz_mitm.h"
#include "tests/fuzz/fuzz_scenario.h"
#include "tests/fuzz/fuzz_smtp_cmd.h"
#include "tests/fuzz/fuzz_smtp_srv.h"
#include "tests/fuzz/fuzz_snd_dns.h"
#include "tests/fuzz/fuzz_replay.h"
#include "tests/fuzz/fuzz_report_mail.h"
#include "tests/fuzz/fuzz_sts.h"
#include "testutil.h"

#define REPLAY_SECONDS 120   /* per input, sanitizers included */

static char replaying[4096];

static void
on_alarm(int sig)
{
	static const char msg[] = "fuzz replay: input hangs: ";

	(void)sig;
	/* only async-signal-safe calls */
	(void)write(2, msg, sizeof(msg) - 1);
	(void)write(2, replaying, strlen(replaying));
	(void)write(2, "\n", 1);
	abort();
}

static int
name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Replays every file of dir through one; returns how many. */
static size_t
replay_dir(const char *dir, void (*one)(const uint8_t *, size_t))
{
	DIR *dh = opendir(tu_path(dir));
	struct dirent *de;
	char **names = NULL;
	size_t n = 0;

	if (dh == NULL)
		return 0;
	while ((de = readdir(dh)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		names = xrealloc(names, (n + 1) * sizeof(*names));
		names[n++] = xstrdup(de->d_name);
	}
	closedir(dh);
	qsort(names, n, sizeof(*names), name_cmp);
	for (size_t i = 0; i < n; i++) {
		FILE *f;
		uint8_t *data;
		long len;

		snprintf(replaying, sizeof(replaying), "%s/%s", tu_path(dir),
		    names[i]);
		f = fopen(replaying, "rb");
		ck_assert_msg(f != NULL, "cannot open %s", replaying);
		ck_assert(fseek(f, 0, SEEK_END) == 0);
		len = ftell(f);
		ck_assert(len >= 0);
		rewind(f);
		data = xmalloc(len > 0 ? (size_t)len : 1);
		ck_assert(fread(data, 1, (size_t)len, f) == (size_t)len);
		fclose(f);
		alarm(REPLAY_SECONDS);
		one(data, (size_t)len);
		alarm(0);
		free(data);
		free(names[i]);
	}
	free(names);
	return n;
}

/* The regression inputs (may be none yet), then the corpus (not empty). */
static void
replay(const char *target, void (*init)(void),
    void (*one)(const uint8_t *, size_t))
{
	char dir[256];
	size_t nreg, ncorp;
	struct timespec t0, t1;

	signal(SIGALRM, on_alarm);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	init();
	snprintf(dir, sizeof(dir), "tests/fuzz/regress/%s", target);
	nreg = replay_dir(dir, one);
	snprintf(dir, sizeof(dir), "tests/fuzz/corpus/%s", target);
	ncorp = replay_dir(dir, one);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	printf("fuzz %-9s %3zu regression and %4zu corpus inputs in %.1f s\n",
	    target, nreg, ncorp, (double)(t1.tv_sec - t0.tv_sec) +
	    (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
	ck_assert_msg(ncorp > 0, "no corpus for fuzz target %s", target);
}

START_TEST(test_smtp_cmd)
{
	replay("smtp_cmd", fsc_init, fsc_one);
}
END_TEST

START_TEST(test_smtp_srv)
{
	replay("smtp_srv", fss_init, fss_one);
}
END_TEST

START_TEST(test_mitm)
{
	replay("mitm", fmi_init, fmi_one);
}
END_TEST

START_TEST(test_dns)
{
	replay("dns", fdn_init, fdn_one);
}
END_TEST

START_TEST(test_dns_srv)
{
	replay("dns_srv", fds_init, fds_one);
}
END_TEST

START_TEST(test_dns_zone)
{
	replay("dns_zone", fdz_init, fdz_one);
}
END_TEST

START_TEST(test_snd_dns)
{
	replay("snd_dns", fsd_init, fsd_one);
}
END_TEST

START_TEST(test_scenario)
{
	replay("scenario", fsn_init, fsn_one);
}
END_TEST

START_TEST(test_report_mail)
{
	replay("report_mail", fmail_init, fmail_one);
}
END_TEST

START_TEST(test_http)
{
	replay("http", fht_init, fht_one);
}
END_TEST

START_TEST(test_sts)
{
	replay("sts", fst_init, fst_one);
}
END_TEST

START_TEST(test_replay)
{
	replay("replay", frp_init, frp_one);
}
END_TEST

static Suite *
fuzz_regress_suite(void)
{
	Suite *s = suite_create("fuzz_regress");
	TCase *tc = tcase_create("replay");

	tcase_set_timeout(tc, 0);   /* the alarm watches each input */
	tcase_add_test(tc, test_smtp_cmd);
	tcase_add_test(tc, test_smtp_srv);
	tcase_add_test(tc, test_mitm);
	tcase_add_test(tc, test_dns);
	tcase_add_test(tc, test_dns_srv);
	tcase_add_test(tc, test_dns_zone);
	tcase_add_test(tc, test_snd_dns);
	tcase_add_test(tc, test_scenario);
	tcase_add_test(tc, test_http);
	tcase_add_test(tc, test_sts);
	tcase_add_test(tc, test_replay);
	tcase_add_test(tc, test_report_mail);
	suite_add_tcase(s, tc);
	return s;
}

TEST_MAIN(fuzz_regress_suite)
