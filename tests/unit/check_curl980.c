/*
 * check_curl980: the curl test 980 pattern against the real curl.
 *
 * curl's own test 980 has a server answer STARTTLS with 454 and pipeline
 * the replies of a whole transaction behind it in the same segment; curl
 * must stop with CURLE_WEIRD_SERVER_REPLY (exit 8) without sending MAIL
 * FROM or data.  Here the attacker's starttls_inject (code 454, the
 * default injected replies) does that to the world's MX, Debian's curl
 * runs inside the world's namespace with --ssl-reqd (and --ssl), and the
 * verdict engine judges the recorded session: "refused", no leak.  A
 * plain 454 (starttls_error) gives CURLE_USE_SSL_FAILED (64) with
 * --ssl-reqd; the control, --ssl against the plain 454, falls back to
 * plaintext and the verdict records the plaintext delivery and the
 * exposed content, so the checks can fail.
 */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core/loop.h"
#include "core/pki.h"
#include "core/record.h"
#include "sim/scenario.h"
#include "sim/verdict.h"
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

/* argv with stdout+stderr into outpath while the loop serves the world;
 * the exit status, -1 if killed. */
static int
run_tool(struct loop *l, char *const argv[], const char *outpath)
{
	struct child c = { 0 };

	c.pid = fork();
	ck_assert_int_ge(c.pid, 0);
	if (c.pid == 0) {
		int fd = open(outpath, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		int nul = open("/dev/null", O_RDONLY);
		dup2(nul, 0);
		dup2(fd, 1);
		dup2(fd, 2);
		execvp(argv[0], argv);
		_exit(127);
	}
	if (loop_run_until(l, child_done, &c, loop_now(l) + 30000) < 0) {
		kill(c.pid, SIGKILL);
		waitpid(c.pid, &c.status, 0);
		return -1;
	}
	return WIFEXITED(c.status) ? WEXITSTATUS(c.status) : -1;
}

static bool
never(void *arg)
{
	(void)arg;
	return false;
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
	char dir[64], ca[128], out[128], mail[128];
	struct scenario *scn;
	struct loop *l;
	struct pki *pki;
	struct rec *rec;
	struct world *w;
};

static void
setup(struct fixture *f, const char *attack)
{
	char src[1024], err[512], clock[32];
	time_t now = time(NULL);
	struct tm tm;
	FILE *m;

	tu_netns();
	memset(f, 0, sizeof(*f));
	gmtime_r(&now, &tm);
	strftime(clock, sizeof(clock), "%Y-%m-%dT%H:%M:%SZ", &tm);
	snprintf(src, sizeof(src),
	    "return { title = 'curl 980', refs = {}, domain = 'example.test',\n"
	    "  clock = '%s', mx = { { host = 'mx1.example.test', pref = 10 } },\n"
	    "  attack = { %s },\n"
	    "  expect = { delivery = 'refused' } }\n", clock, attack);
	ck_assert_msg(scenario_load_string("curl980.lua", src, strlen(src), &f->scn,
	    err, sizeof(err)) == 0, "%s", err);
	snprintf(f->dir, sizeof(f->dir), "/tmp/mxsim-curl980-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(f->dir));
	snprintf(f->ca, sizeof(f->ca), "%s/ca.pem", f->dir);
	snprintf(f->out, sizeof(f->out), "%s/out.txt", f->dir);
	snprintf(f->mail, sizeof(f->mail), "%s/mail.txt", f->dir);
	m = fopen(f->mail, "w");
	ck_assert_ptr_nonnull(m);
	fputs("From: <sender@mxsim.test>\r\nTo: <user@example.test>\r\n"
	    "Subject: curl 980\r\n\r\nsecret body\r\n", m);
	fclose(m);
	f->l = loop_new(LOOP_REAL, f->scn->clock);
	f->pki = pki_new(1, f->scn->clock);
	f->rec = rec_new(f->l);
	rec_set_message(f->rec, 1, 1);
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
	rec_free(f->rec);
	pki_free(f->pki);
	loop_free(f->l);
	pki_rand_restore();
	scenario_free(f->scn);
	unlink(f->ca);
	unlink(f->out);
	unlink(f->mail);
	rmdir(f->dir);
}

static int
curl(struct fixture *f, const char *tls_flag, char **out)
{
	char *argv[] = { "curl", "-sS", "-v", (char *)tls_flag, "--cacert", f->ca,
		"--mail-from", "sender@mxsim.test", "--mail-rcpt", "user@example.test",
		"-T", f->mail, "--connect-timeout", "10", "-m", "20",
		"smtp://127.25.0.11:25/sender.mxsim.test", NULL };
	int rc = run_tool(f->l, argv, f->out);

	/* let the path see the connection end */
	(void)loop_run_until(f->l, never, NULL, loop_now(f->l) + 200);
	*out = slurp(f->out);
	return rc;
}

#define INJECT "{ 'starttls_inject', host = 'mx1.example.test', code = 454 }"
#define REFUSE "{ 'starttls_error', host = 'mx1.example.test', code = 454 }"

static void
msg_clear(struct res_message *m)
{
	free(m->delivery);
	free(m->reason);
	free(m->mx_host);
	free(m->data_to);
	free(m->content);
	free(m->sessions);
}

/* Runs curl with tls_flag against attack; checks the exit code and the
 * verdict's delivery. */
static void
case_run(const char *attack, const char *tls_flag, int want_rc,
    const char *want_delivery)
{
	struct fixture f;
	struct res_message m = { 0 };
	const struct rec_session *s;
	char *out;
	int rc;

	setup(&f, attack);
	rc = curl(&f, tls_flag, &out);
	verdict_message(f.pki, f.rec, loop_wallclock(f.l), 1, 1, &m);
	s = rec_get(f.rec, 0);
	ck_assert_ptr_nonnull(s);
	ck_assert(s->starttls_issued);
	ck_assert_int_eq(s->starttls_reply, 454);
	ck_assert_msg(rc == want_rc && strcmp(m.delivery, want_delivery) == 0,
	    "curl %s: exit %d (want %d), delivery %s (want %s: %s):\n%s", tls_flag,
	    rc, want_rc, m.delivery, want_delivery, m.reason, out);
	if (strcmp(want_delivery, "refused") == 0) {
		ck_assert(!s->mail_from);
		ck_assert(!s->data_sent);
		ck_assert(!m.leak);
	} else {
		ck_assert(m.leak);
		ck_assert_str_eq(m.content, "exposed");
	}
	msg_clear(&m);
	free(out);
	teardown(&f);
}

/* curl's test 980: 454 with a pipelined transaction behind it.  curl
 * detects the extra data and stops with CURLE_WEIRD_SERVER_REPLY (8),
 * as that test expects, before MAIL FROM: nothing left in clear. */
START_TEST(test980_ssl_reqd)
{
	case_run(INJECT, "--ssl-reqd", 8, "refused");
}
END_TEST

/* the same injection with TLS merely wanted: curl still stops */
START_TEST(test980_ssl_try)
{
	case_run(INJECT, "--ssl", 8, "refused");
}
END_TEST

/* a plain 454: --ssl-reqd gives CURLE_USE_SSL_FAILED (64) */
START_TEST(refusal_ssl_reqd)
{
	case_run(REFUSE, "--ssl-reqd", 64, "refused");
}
END_TEST

/* the control: --ssl falls back to plaintext, the verdict says so and
 * records the leak (so these checks can fail) */
START_TEST(refusal_ssl_try_falls_back)
{
	case_run(REFUSE, "--ssl", 0, "plaintext");
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("curl980");
	TCase *tc = tcase_create("curl");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test980_ssl_reqd);
	tcase_add_test(tc, test980_ssl_try);
	tcase_add_test(tc, refusal_ssl_reqd);
	tcase_add_test(tc, refusal_ssl_try_falls_back);
	suite_add_tcase(s, tc);
	return s;
}

TEST_MAIN(suite)
