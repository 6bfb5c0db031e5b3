/*
 * World tests with real peers nobody here wrote: openssl s_client and swaks
 * (Debian's) talk to a fake MX through the path inside the world and
 * verify its certificate against the world's CA.  The loop runs in real
 * time while the external tool runs in a child process.
 */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core/loop.h"
#include "core/pki.h"
#include "core/record.h"
#include "sim/scenario.h"
#include "sim/world.h"
#include "testutil.h"

struct child {
	pid_t pid;
	int status;
	bool done;
};

static bool
child_done(void *arg)
{
	struct child *c = arg;

	if (!c->done && waitpid(c->pid, &c->status, WNOHANG) == c->pid)
		c->done = true;
	return c->done;
}

/* Run argv with stdin from `input`, stdout+stderr into `outpath`, while
 * the loop serves the world.  Returns the exit status (-1 if killed). */
static int
run_tool(struct loop *l, char *const argv[], const char *input, const char *outpath)
{
	int in[2];
	struct child c = { 0 };

	ck_assert_int_eq(pipe(in), 0);
	c.pid = fork();
	ck_assert_int_ge(c.pid, 0);
	if (c.pid == 0) {
		int fd = open(outpath, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		dup2(in[0], 0);
		dup2(fd, 1);
		dup2(fd, 2);
		close(in[1]);
		execvp(argv[0], argv);
		_exit(127);
	}
	close(in[0]);
	if (input != NULL)
		(void)!write(in[1], input, strlen(input));
	close(in[1]);
	if (loop_run_until(l, child_done, &c, loop_now(l) + 30000) < 0) {
		kill(c.pid, SIGKILL);
		waitpid(c.pid, &c.status, 0);
		return -1;
	}
	return WIFEXITED(c.status) ? WEXITSTATUS(c.status) : -1;
}

static char *
slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	static char buf[1 << 16];
	size_t n;

	if (f == NULL)
		return xstrdup("");
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return xstrdup(buf);
}

struct fixture {
	char dir[64];
	char ca[128];
	char out[128];
	struct scenario *scn;
	struct loop *l;
	struct pki *pki;
	struct rec *rec;
	struct world *w;
};

static void
setup(struct fixture *f, const char *attack)
{
	char src[2048], err[512], clock[32];
	time_t now = time(NULL);
	struct tm tm;

	tu_netns();
	memset(f, 0, sizeof(*f));
	/* certificates valid around the real date: these tools check against
	 * the real clock */
	gmtime_r(&now, &tm);
	strftime(clock, sizeof(clock), "%Y-%m-%dT%H:%M:%SZ", &tm);
	snprintf(src, sizeof(src),
	    "return { title = 't', refs = {}, domain = 'example.test', clock = '%s',\n"
	    "  mx = { { host = 'mx1.example.test', pref = 10 } },\n"
	    "  %s\n"
	    "  expect = { delivery = 'verified' } }\n", clock, attack);
	ck_assert_msg(scenario_load_string("world-test.lua", src, strlen(src), &f->scn,
	    err, sizeof(err)) == 0, "%s", err);
	snprintf(f->dir, sizeof(f->dir), "/tmp/mxsim-world-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(f->dir));
	snprintf(f->ca, sizeof(f->ca), "%s/ca.pem", f->dir);
	snprintf(f->out, sizeof(f->out), "%s/out.txt", f->dir);
	f->l = loop_new(LOOP_REAL, f->scn->clock);
	f->pki = pki_new(1, f->scn->clock);
	f->rec = rec_new(f->l);
	f->w = world_new(f->l, f->pki, f->rec, f->scn, &f->scn->phases[0].world, err,
	    sizeof(err));
	ck_assert_msg(f->w != NULL, "%s", err);
	ck_assert_int_eq(pki_write_root(f->pki, f->ca), 0);
}

static void
teardown(struct fixture *f)
{
	world_free(f->w);
	while (loop_nfds(f->l) > 0 || loop_ntimers(f->l) > 0)
		if (loop_run_once(f->l) < 0)
			break;
	ck_assert_uint_eq(loop_nfds(f->l), 0);
	rec_free(f->rec);
	pki_free(f->pki);
	loop_free(f->l);
	pki_rand_restore();
	scenario_free(f->scn);
	unlink(f->ca);
	unlink(f->out);
	rmdir(f->dir);
}

static const struct rec_session *
last_session(const struct rec *r)
{
	size_t n = rec_count(r);
	return n ? rec_get(r, n - 1) : NULL;
}

START_TEST(s_client_verifies_the_mx)
{
	struct fixture f;

	setup(&f, "");
	char *argv[] = { "openssl", "s_client", "-starttls", "smtp", "-connect",
		"127.25.0.11:25", "-CAfile", f.ca, "-verify_hostname", "mx1.example.test",
		"-verify_return_error", "-servername", "mx1.example.test", NULL };
	int rc = run_tool(f.l, argv, "QUIT\n", f.out);
	char *out = slurp(f.out);
	ck_assert_msg(rc == 0, "s_client exit %d:\n%s", rc, out);
	ck_assert_msg(strstr(out, "Verify return code: 0 (ok)") != NULL, "%s", out);
	const struct rec_session *s = last_session(f.rec);
	ck_assert_ptr_nonnull(s);
	ck_assert(s->starttls_offered);
	ck_assert(s->starttls_issued);
	ck_assert_int_eq(s->tls, REC_TLS_OK);
	ck_assert_str_eq(s->tls_by, "mx");
	free(out);
	teardown(&f);
}
END_TEST

START_TEST(s_client_rejects_a_swapped_certificate)
{
	struct fixture f;

	setup(&f, "attack = { { 'swap_cert', host = 'mx1.example.test', cert = 'self-signed' } },");
	char *argv[] = { "openssl", "s_client", "-starttls", "smtp", "-connect",
		"127.25.0.11:25", "-CAfile", f.ca, "-verify_hostname", "mx1.example.test",
		"-verify_return_error", NULL };
	int rc = run_tool(f.l, argv, "QUIT\n", f.out);
	char *out = slurp(f.out);
	ck_assert_msg(rc != 0, "s_client accepted the attacker's certificate:\n%s", out);
	ck_assert_msg(strstr(out, "self-signed") != NULL || strstr(out, "self signed") != NULL,
	    "%s", out);
	const struct rec_session *s = rec_get(f.rec, 0);
	ck_assert_ptr_nonnull(s);
	ck_assert_str_eq(s->attack, "swap_cert");
	free(out);
	teardown(&f);
}
END_TEST

START_TEST(swaks_delivers_over_verified_tls)
{
	struct fixture f;

	setup(&f, "");
	char *argv[] = { "swaks", "--server", "127.25.0.11", "--port", "25",
		"--to", "user@example.test", "--from", "swaks@mxsim.test",
		"--ehlo", "swaks.mxsim.test", "--tls", "--tls-verify", "--tls-ca-path", f.ca,
		"--timeout", "20", NULL };
	int rc = run_tool(f.l, argv, NULL, f.out);
	char *out = slurp(f.out);
	ck_assert_msg(rc == 0, "swaks exit %d:\n%s", rc, out);
	/* the first session is swaks's: through the path to the MX */
	const struct rec_session *s = rec_get(f.rec, 0);
	ck_assert_ptr_nonnull(s);
	ck_assert(s->starttls_offered);
	ck_assert_int_eq(s->tls, REC_TLS_OK);
	ck_assert(s->data_sent);
	ck_assert(s->data_tls);
	ck_assert(s->delivered);
	ck_assert(!s->leak);
	free(out);
	teardown(&f);
}
END_TEST

START_TEST(swaks_sees_the_strip)
{
	struct fixture f;

	setup(&f, "attack = { { 'strip_starttls', host = 'mx1.example.test' } },");
	char *argv[] = { "swaks", "--server", "127.25.0.11", "--port", "25",
		"--to", "user@example.test", "--from", "swaks@mxsim.test",
		"--tls", "--timeout", "20", NULL };
	int rc = run_tool(f.l, argv, NULL, f.out);
	char *out = slurp(f.out);
	/* swaks --tls requires TLS: it gives up without sending the message */
	ck_assert_msg(rc != 0, "swaks delivered despite the strip:\n%s", out);
	const struct rec_session *s = rec_get(f.rec, 0);
	ck_assert_ptr_nonnull(s);
	ck_assert(!s->starttls_offered);
	ck_assert(!s->data_sent);
	free(out);
	teardown(&f);
}
END_TEST

static Suite *
world_suite(void)
{
	Suite *s = suite_create("world");
	TCase *tc = tcase_create("real peers");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, s_client_verifies_the_mx);
	tcase_add_test(tc, s_client_rejects_a_swapped_certificate);
	tcase_add_test(tc, swaks_delivers_over_verified_tls);
	tcase_add_test(tc, swaks_sees_the_strip);
	suite_add_tcase(s, tc);
	return s;
}

TEST_MAIN(world_suite)
