/* Unit tests for core/proc.c: exit status, crash, deadline kill, bounded
 * output, private mounts, the loop serving meanwhile, no leftovers,
 * orphans killed while supervised children are spared. */
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/loop.h"
#include "core/proc.h"
#include "core/util.h"
#include "testutil.h"

static char tmpdir[256];

static const char *
tmp(const char *name)
{
	static char buf[4][512];
	static int i;

	if (tmpdir[0] == '\0') {
		snprintf(tmpdir, sizeof(tmpdir), "/tmp/check_proc.XXXXXX");
		ck_assert_ptr_nonnull(mkdtemp(tmpdir));
	}
	i = (i + 1) % 4;
	snprintf(buf[i], sizeof(buf[i]), "%s/%s", tmpdir, name);
	return buf[i];
}

static char *
slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	struct buf b = { 0 };
	char chunk[4096];
	size_t n;

	if (f == NULL)
		return xstrdup("");
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		buf_append(&b, chunk, n);
	fclose(f);
	buf_append(&b, "", 1);
	return (char *)b.data;
}

static int
run_sh(struct loop *l, const char *script, const char *out, uint64_t timeout_ms)
{
	const char *argv[] = { "sh", "-c", script, NULL };
	struct proc_spec s = { .argv = argv, .out_path = out, .timeout_ms = timeout_ms };
	char err[256];

	return proc_run(l, &s, err, sizeof(err));
}

START_TEST(exit_codes_and_output)
{
	struct loop *l = loop_new(LOOP_REAL, 0);
	const char *env[] = { "MXSIM_T=hello", NULL };
	const char *argv[] = { "sh", "-c", "echo out:$MXSIM_T; echo err >&2; exit 3", NULL };
	struct proc_spec s = { .argv = argv, .env = env, .out_path = tmp("o1") };
	char err[256];

	ck_assert_int_eq(proc_run(l, &s, err, sizeof(err)), 3);
	char *o = slurp(tmp("o1"));
	ck_assert_str_eq(o, "out:hello\nerr\n");
	free(o);
	/* exec failure: 127 and the reason in the output */
	const char *bad[] = { "/nonexistent/mxsim-no-such-binary", NULL };
	s.argv = bad;
	s.out_path = tmp("o2");
	ck_assert_int_eq(proc_run(l, &s, err, sizeof(err)), 127);
	o = slurp(tmp("o2"));
	ck_assert_ptr_nonnull(strstr(o, "exec /nonexistent/mxsim-no-such-binary"));
	free(o);
	ck_assert_uint_eq(loop_nfds(l), 0);
	ck_assert_uint_eq(loop_ntimers(l), 0);
	loop_free(l);
}
END_TEST

START_TEST(crash_is_reported)
{
	struct loop *l = loop_new(LOOP_REAL, 0);

	ck_assert_int_eq(run_sh(l, "kill -SEGV $$", NULL, 0), 128 + SIGSEGV);
	ck_assert_int_eq(run_sh(l, "kill -KILL $$", NULL, 0), 128 + SIGKILL);
	loop_free(l);
}
END_TEST

static void
tick(void *arg)
{
	(*(int *)arg)++;
}

START_TEST(deadline_kills_the_group_and_loop_keeps_serving)
{
	struct loop *l = loop_new(LOOP_REAL, 0);
	const char *argv[] = { "sh", "-c", "sleep 30 & sleep 30; echo never", NULL };
	struct proc_spec s = { .argv = argv, .out_path = tmp("o3"), .timeout_ms = 300 };
	struct proc *p;
	char err[256];
	int ticks = 0;

	ck_assert_int_eq(proc_subreaper(), 0);
	ck_assert_int_eq(proc_spawn(l, &s, NULL, NULL, &p, err, sizeof(err)), 0);
	loop_timer_add(l, 100, tick, &ticks);
	loop_timer_add(l, 200, tick, &ticks);
	uint64_t t0 = loop_now(l);
	while (!proc_done(p))
		(void)loop_run_once(l);
	ck_assert_int_eq(ticks, 2);   /* the world's timers ran meanwhile */
	ck_assert(proc_timed_out(p));
	ck_assert_int_eq(proc_status(p), 128 + SIGTERM);
	ck_assert_uint_ge(loop_now(l) - t0, 300);
	ck_assert_uint_lt(loop_now(l) - t0, 3000);
	/* the background sleep was in the group: gone too (its death and
	 * reaping by whoever reaps orphans take a moment) */
	for (int i = 0; i < 100 && kill(-proc_pid(p), 0) == 0; i++) {
		while (waitpid(-1, NULL, WNOHANG) > 0)
			;   /* we are its subreaper */
		usleep(10000);
	}
	ck_assert_int_eq(kill(-proc_pid(p), 0), -1);
	proc_free(p);
	char *o = slurp(tmp("o3"));
	ck_assert_ptr_null(strstr(o, "never"));
	free(o);
	ck_assert_uint_eq(loop_nfds(l), 0);
	ck_assert_uint_eq(loop_ntimers(l), 0);
	loop_free(l);
}
END_TEST

START_TEST(term_ignored_then_kill)
{
	struct loop *l = loop_new(LOOP_REAL, 0);
	const char *argv[] = { "sh", "-c", "trap '' TERM; echo ready; while :; do sleep 0.05; done",
		NULL };
	struct proc_spec s = { .argv = argv, .out_path = tmp("o7") };
	struct proc *p;
	char err[256];

	ck_assert_int_eq(proc_spawn(l, &s, NULL, NULL, &p, err, sizeof(err)), 0);
	/* wait (on the loop) until the trap is set, then ask it to stop */
	for (;;) {
		char *o = slurp(tmp("o7"));
		bool ready = strstr(o, "ready") != NULL;
		free(o);
		if (ready)
			break;
		(void)loop_run_once(l);
	}
	uint64_t t0 = loop_now(l);
	proc_kill(p);
	while (!proc_done(p))
		(void)loop_run_once(l);
	ck_assert_int_eq(proc_status(p), 128 + SIGKILL);
	ck_assert(!proc_timed_out(p));
	ck_assert_uint_ge(loop_now(l) - t0, PROC_GRACE_MS);
	proc_free(p);
	ck_assert_uint_eq(proc_kill_descendants(100), 0);
	loop_free(l);
}
END_TEST

START_TEST(output_flood_is_bounded)
{
	struct loop *l = loop_new(LOOP_REAL, 0);
	const char *argv[] = { "head", "-c", "20000000", "/dev/zero", NULL };
	struct proc_spec s = { .argv = argv, .out_path = tmp("o4"), .out_cap = 4096,
		.timeout_ms = 20000 };
	struct proc *p;
	struct stat st;
	char err[256];

	ck_assert_int_eq(proc_spawn(l, &s, NULL, NULL, &p, err, sizeof(err)), 0);
	while (!proc_done(p))
		(void)loop_run_once(l);
	ck_assert_int_eq(proc_status(p), 0);   /* never blocked on a full pipe */
	ck_assert_uint_eq(proc_dropped(p), 20000000 - 4096);
	ck_assert_int_eq(stat(tmp("o4"), &st), 0);
	ck_assert_int_lt(st.st_size, 4096 + 128);
	ck_assert_int_ge(st.st_size, 4096);
	proc_free(p);
	loop_free(l);
}
END_TEST

START_TEST(private_mounts)
{
	struct loop *l = loop_new(LOOP_REAL, 0);
	FILE *f = fopen(tmp("resolv.conf"), "w");
	char err[256];

	tu_netns();
	ck_assert_ptr_nonnull(f);
	fputs("nameserver 127.53.0.1\noptions trust-ad\n", f);
	fclose(f);
	char *before = slurp("/etc/resolv.conf");
	struct proc_mount m[] = {
		{ PROC_BIND, tmp("resolv.conf"), "/etc/resolv.conf" },
		{ PROC_TMPFS, NULL, "/dev/shm" },
	};
	const char *argv[] = { "sh", "-c", "cat /etc/resolv.conf; touch /dev/shm/mxsim-proc-test; "
		"ls /dev/shm", NULL };
	struct proc_spec s = { .argv = argv, .out_path = tmp("o5"), .mounts = m, .nmounts = 2 };
	ck_assert_int_eq(proc_run(l, &s, err, sizeof(err)), 0);
	char *o = slurp(tmp("o5"));
	ck_assert_str_eq(o, "nameserver 127.53.0.1\noptions trust-ad\nmxsim-proc-test\n");
	free(o);
	/* the caller's view did not change */
	char *after = slurp("/etc/resolv.conf");
	ck_assert_str_eq(before, after);
	ck_assert_int_ne(access("/dev/shm/mxsim-proc-test", F_OK), 0);
	free(before);
	free(after);
	/* a mount that cannot be made: 127 with the reason */
	struct proc_mount bad = { PROC_BIND, "/nonexistent-src", "/etc/hostname" };
	s.mounts = &bad;
	s.nmounts = 1;
	s.out_path = tmp("o6");
	ck_assert_int_eq(proc_run(l, &s, err, sizeof(err)), 127);
	o = slurp(tmp("o6"));
	ck_assert_ptr_nonnull(strstr(o, "mount /etc/hostname"));
	free(o);
	loop_free(l);
}
END_TEST

START_TEST(no_leftover_after_daemonising)
{
	struct loop *l = loop_new(LOOP_REAL, 0);
	char pidbuf[32] = "";

	ck_assert_int_eq(proc_subreaper(), 0);
	/* a daemon that leaves the group and the session, like postfix master */
	ck_assert_int_eq(run_sh(l, "setsid sh -c 'trap \"\" TERM; sleep 60' & exit 0",
	    NULL, 5000), 0);
	ck_assert_int_eq(run_sh(l, "setsid sleep 61 & echo $! > " "/tmp/check_proc.pid", NULL,
	    5000), 0);
	FILE *f = fopen("/tmp/check_proc.pid", "r");
	ck_assert_ptr_nonnull(f);
	ck_assert_ptr_nonnull(fgets(pidbuf, sizeof(pidbuf), f));
	fclose(f);
	unlink("/tmp/check_proc.pid");
	pid_t orphan = (pid_t)atoi(pidbuf);
	ck_assert_int_gt(orphan, 0);
	ck_assert_int_eq(kill(orphan, 0), 0);       /* still running, ours now */
	ck_assert_uint_ge(proc_kill_descendants(300), 2);
	ck_assert_int_eq(kill(orphan, 0), -1);      /* gone and reaped */
	ck_assert_uint_eq(proc_kill_descendants(100), 0);
	loop_free(l);
}
END_TEST

/* A child that is still supervised (a -j worker) and its subtree are
 * spared; only what is orphaned goes; a kept zombie is left for its
 * owner's waitpid (its status intact). */
START_TEST(orphans_spared_kept_children)
{
	struct loop *l = loop_new(LOOP_REAL, 0);
	const char *wpid = "/tmp/check_proc_worker.pid", *opid = "/tmp/check_proc_orphan.pid";
	int st;

	unlink(wpid);
	unlink(opid);
	ck_assert_int_eq(proc_subreaper(), 0);
	pid_t worker = fork();
	ck_assert_int_ge(worker, 0);
	if (worker == 0) {
		execlp("sh", "sh", "-c", "sleep 61 & echo $! >/tmp/check_proc_worker.pid; wait",
		    (char *)NULL);
		_exit(126);
	}
	pid_t dead = fork();   /* exits at once: a zombie we keep */
	ck_assert_int_ge(dead, 0);
	if (dead == 0)
		_exit(7);
	/* an orphan: a setsid daemon (and its child) whose parent is gone */
	ck_assert_int_eq(run_sh(l, "setsid sh -c 'trap \"\" TERM; sleep 62 & "
	    "echo $! >/tmp/check_proc_orphan.pid; wait' &", NULL, 5000), 0);
	pid_t orphan = 0, wsleep = 0;
	for (int i = 0; i < 500 && (orphan <= 0 || wsleep <= 0); i++) {
		char *a = slurp(opid), *b = slurp(wpid);
		orphan = (pid_t)atoi(a);
		wsleep = (pid_t)atoi(b);
		free(a);
		free(b);
		usleep(10 * 1000);
	}
	unlink(wpid);
	unlink(opid);
	ck_assert_int_gt(orphan, 0);
	ck_assert_int_gt(wsleep, 0);
	pid_t keep[] = { worker, dead };
	ck_assert_uint_eq(proc_kill_orphans(keep, 2, 300), 2);   /* sh (TERM ignored), sleep */
	ck_assert_int_eq(kill(orphan, 0), -1);
	ck_assert_int_eq(kill(worker, 0), 0);                    /* spared */
	ck_assert_int_eq(kill(wsleep, 0), 0);                    /* and its subtree */
	ck_assert_int_eq(waitpid(worker, &st, WNOHANG), 0);      /* not reaped */
	ck_assert_int_eq(waitpid(dead, &st, 0), dead);           /* ours to reap */
	ck_assert(WIFEXITED(st) && WEXITSTATUS(st) == 7);
	/* the worker dies: its sleep is an orphan now */
	ck_assert_int_eq(kill(worker, SIGKILL), 0);
	ck_assert_int_eq(waitpid(worker, &st, 0), worker);
	ck_assert_uint_eq(proc_kill_orphans(NULL, 0, 300), 1);
	ck_assert_int_eq(kill(wsleep, 0), -1);
	ck_assert_uint_eq(proc_kill_descendants(100), 0);
	loop_free(l);
}
END_TEST

/* A flood cut short by proc_free() (the deadline of a message) still
 * says how much was dropped. */
START_TEST(killed_flood_notes_dropped)
{
	struct loop *l = loop_new(LOOP_REAL, 0);
	const char *argv[] = { "yes", NULL };
	struct proc_spec s = { .argv = argv, .out_path = tmp("o7"), .out_cap = 1000 };
	struct proc *p;
	char err[256];

	ck_assert_int_eq(proc_spawn(l, &s, NULL, NULL, &p, err, sizeof(err)), 0);
	while (proc_dropped(p) < 1000000)
		(void)loop_run_once(l);
	proc_free(p);
	char *o = slurp(tmp("o7"));
	ck_assert_uint_ge(strlen(o), 1000);
	ck_assert_ptr_nonnull(strstr(o + 1000, "more bytes of output dropped]"));
	free(o);
	loop_free(l);
}
END_TEST

static Suite *
proc_suite(void)
{
	Suite *s = suite_create("proc");
	TCase *tc = tcase_create("proc");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, exit_codes_and_output);
	tcase_add_test(tc, crash_is_reported);
	tcase_add_test(tc, deadline_kills_the_group_and_loop_keeps_serving);
	tcase_add_test(tc, term_ignored_then_kill);
	tcase_add_test(tc, output_flood_is_bounded);
	tcase_add_test(tc, private_mounts);
	tcase_add_test(tc, no_leftover_after_daemonising);
	tcase_add_test(tc, orphans_spared_kept_children);
	tcase_add_test(tc, killed_flood_notes_dropped);
	suite_add_tcase(s, tc);
	return s;
}

TEST_MAIN(proc_suite)
