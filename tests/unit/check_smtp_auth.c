/*
 * Tests for fake-mx/smtp_auth.c (SMTP AUTH PLAIN and LOGIN, sans I/O) and
 * for AUTH on the fake MX's submission ports, driven by the real swaks
 * (--auth PLAIN / LOGIN, with and without STARTTLS) in a private network
 * namespace: the record says whether AUTH came inside TLS.
 */
#include <signal.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core/loop.h"
#include "core/pki.h"
#include "core/record.h"
#include "fake-mx/smtp.h"
#include "fake-mx/smtp_auth.h"
#include "tests/unit/testutil.h"

#define MX_ADDR "127.26.0.11"
#define MX_HOST "mx1.example.test"

/* ---- the codec ---- */

START_TEST(plain_round_trip)
{
	char b64[128], user[SMTP_AUTH_FIELD_MAX + 1], pass[SMTP_AUTH_FIELD_MAX + 1];

	ck_assert_int_eq(smtp_auth_plain_encode("alice", "s3cret", b64, sizeof(b64)), 0);
	ck_assert_str_eq(b64, "AGFsaWNlAHMzY3JldA==");   /* RFC 4616: \0alice\0s3cret */
	ck_assert_int_eq(smtp_auth_plain_decode(b64, strlen(b64), user, pass), 0);
	ck_assert_str_eq(user, "alice");
	ck_assert_str_eq(pass, "s3cret");
	/* plain base64 of one field (AUTH LOGIN) */
	ck_assert_int_eq(smtp_auth_b64("admin", b64, sizeof(b64)), 0);
	ck_assert_str_eq(b64, "YWRtaW4=");
	/* too small an output */
	ck_assert_int_eq(smtp_auth_plain_encode("alice", "s3cret", b64, 8), -1);
}
END_TEST

START_TEST(decode_rejects_garbage)
{
	char user[SMTP_AUTH_FIELD_MAX + 1], pass[SMTP_AUTH_FIELD_MAX + 1], out[64];
	static const char *const bad[] = {
		"", "abc", "AGFsaWNl!HMzY3JldA==", "AG=saWNlAHMzY3JldA==",
		"YWxpY2U=",        /* no NUL separators */
		"AGFsaWNl",        /* one NUL only */
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(smtp_auth_plain_decode(bad[i], strlen(bad[i]), user,
		    pass) < 0, "accepted \"%s\"", bad[i]);
	ck_assert_int_eq(smtp_auth_unb64("YWxpY2U=", 8, out, sizeof(out)), 5);
	ck_assert_str_eq(out, "alice");
	ck_assert_int_eq(smtp_auth_unb64("YWxpY2U=", 8, out, 5), -1);   /* no room */
	ck_assert_int_eq(smtp_auth_unb64("AGE=", 4, out, sizeof(out)), -1); /* NUL */
	ck_assert_int_eq(smtp_auth_unb64("YW=x", 4, out, sizeof(out)), -1);
}
END_TEST

START_TEST(server_exchanges)
{
	struct smtp_auth a = { 0 };

	/* PLAIN with an initial response */
	ck_assert_str_eq(smtp_auth_start(&a, "PLAIN AGFsaWNlAHMzY3JldA=="),
	    "235 2.7.0 Authentication successful");
	ck_assert_str_eq(a.user, "alice");
	ck_assert(!smtp_auth_busy(&a));
	ck_assert_str_eq(smtp_auth_start(&a, "PLAIN"), "503 5.5.1 Error: already authenticated");

	/* PLAIN after an empty challenge */
	memset(&a, 0, sizeof(a));
	ck_assert_str_eq(smtp_auth_start(&a, "plain"), "334 ");
	ck_assert(smtp_auth_busy(&a));
	ck_assert_str_eq(smtp_auth_step(&a, "AGFsaWNlAHMzY3JldA==", 20),
	    "235 2.7.0 Authentication successful");

	/* LOGIN: user, then password */
	memset(&a, 0, sizeof(a));
	ck_assert_str_eq(smtp_auth_start(&a, "LOGIN"), "334 VXNlcm5hbWU6");
	ck_assert_str_eq(smtp_auth_step(&a, "YWxpY2U=", 8), "334 UGFzc3dvcmQ6");
	ck_assert_str_eq(a.user, "alice");
	ck_assert_str_eq(smtp_auth_step(&a, "czNjcmV0", 8),
	    "235 2.7.0 Authentication successful");

	/* LOGIN with the user as initial response */
	memset(&a, 0, sizeof(a));
	ck_assert_str_eq(smtp_auth_start(&a, "LOGIN YWxpY2U="), "334 UGFzc3dvcmQ6");

	/* the client cancels; bad input; unknown mechanism; empty password */
	memset(&a, 0, sizeof(a));
	ck_assert_str_eq(smtp_auth_start(&a, "LOGIN"), "334 VXNlcm5hbWU6");
	ck_assert_str_eq(smtp_auth_step(&a, "*", 1), "501 5.7.0 Authentication cancelled");
	ck_assert(!smtp_auth_busy(&a));
	ck_assert_str_eq(smtp_auth_start(&a, "PLAIN"), "334 ");
	ck_assert_str_eq(smtp_auth_step(&a, "%%%", 3), "501 5.5.2 Cannot decode the response");
	ck_assert_str_eq(smtp_auth_start(&a, "CRAM-MD5"), "504 5.5.4 Unrecognized authentication type");
	ck_assert_str_eq(smtp_auth_start(&a, ""), "501 5.5.4 Syntax: AUTH mechanism [initial-response]");
	ck_assert_str_eq(smtp_auth_start(&a, "PLAIN AGFsaWNlAA=="),   /* \0alice\0 */
	    "535 5.7.8 Authentication credentials invalid");
}
END_TEST

/* ---- the fake MX with the real swaks ---- */

struct child {
	pid_t pid;
	int status;
	bool done;
};

static void
child_exited(int fd, uint32_t events, void *arg)
{
	struct child *ch = arg;

	if (waitpid(ch->pid, &ch->status, WNOHANG) == ch->pid)
		ch->done = true;
}

static bool
child_done(void *arg)
{
	return ((struct child *)arg)->done;
}

/* Run swaks with args against the MX on port 587 (the loop serves it);
 * its output goes to out. */
static int
run_swaks(struct loop *l, char *const *argv, char *out, size_t outlen)
{
	char path[] = "/tmp/mxsim-swaks-XXXXXX";
	struct child ch = { 0 };
	int ofd = mkstemp(path), pfd;
	ssize_t n;

	ck_assert_int_ge(ofd, 0);
	ch.pid = fork();
	ck_assert_int_ge(ch.pid, 0);
	if (ch.pid == 0) {
		dup2(ofd, 1);
		dup2(ofd, 2);
		execvp("swaks", argv);
		_exit(127);
	}
	pfd = (int)syscall(SYS_pidfd_open, ch.pid, 0);
	ck_assert_int_ge(pfd, 0);
	ck_assert_int_eq(loop_add_fd(l, pfd, EPOLLIN, child_exited, &ch), 0);
	(void)loop_run_until(l, child_done, &ch, loop_now(l) + 60000);
	loop_del_fd(l, pfd);
	close(pfd);
	if (!ch.done) {
		kill(ch.pid, SIGKILL);
		waitpid(ch.pid, &ch.status, 0);
	}
	n = pread(ofd, out, outlen - 1, 0);
	out[n > 0 ? n : 0] = '\0';
	close(ofd);
	unlink(path);
	return ch.done && WIFEXITED(ch.status) ? WEXITSTATUS(ch.status) : -1;
}

static bool
srv_idle(void *arg)
{
	return smtp_srv_sessions(arg) == 0;
}

/* swaks with auth mech, with or without STARTTLS; returns the session. */
static void
swaks_case(const char *mech, bool tls)
{
	struct pki_spec spec = { .variant = "valid", .host = MX_HOST };
	struct smtp_srv_config cfg = { 0 };
	struct pki_cert *cert;
	char err[256], out[32768];
	time_t now = time(NULL);
	struct loop *l;
	struct pki *pki;
	struct rec *rec;
	struct smtp_srv *srv;
	SSL_CTX *sctx;
	char *argv[] = {
		"swaks", "--server", MX_ADDR, "--port", "587", "--from",
		"alice@example.test", "--to", "bob@example.test", "--auth",
		(char *)mech, "--auth-user", "alice", "--auth-password", "s3cret",
		"--timeout", "20", tls ? "--tls" : "--quit-after", tls ? NULL : "RCPT",
		NULL,
	};

	tu_netns();
	l = loop_new(LOOP_REAL, now);
	pki = pki_new(1, now);
	ck_assert_int_eq(pki_issue(pki, &spec, &cert, err, sizeof(err)), 0);
	sctx = pki_server_ctx(cert);
	rec = rec_new(l);
	cfg.host = MX_HOST;
	cfg.addr = MX_ADDR;
	cfg.port_smtp = 25;
	cfg.port_submission = 587;
	cfg.port_smtps = 465;
	cfg.tls = sctx;
	cfg.cert_label = "valid";
	cfg.rec = rec;
	srv = smtp_srv_new(l, &cfg, err, sizeof(err));
	ck_assert_msg(srv != NULL, "smtp_srv_new: %s", err);

	int rc = run_swaks(l, argv, out, sizeof(out));
	(void)loop_run_until(l, srv_idle, srv, loop_now(l) + 5000);
	ck_assert_msg(rc == 0, "swaks exited %d:\n%s", rc, out);
	ck_assert_msg(strstr(out, "235 2.7.0 Authentication successful") != NULL,
	    "swaks said:\n%s", out);
	ck_assert_msg(strstr(out, "AUTH PLAIN LOGIN") != NULL, "no AUTH offered:\n%s", out);
	ck_assert_uint_ge(rec_count(rec), 1);
	const struct rec_session *s = rec_get(rec, 0);
	ck_assert(s->auth_sent);
	ck_assert(s->auth_tls == tls);
	if (!tls) {
		bool noted = false;
		for (size_t i = 0; i < s->nlines; i++)
			if (s->lines[i].dir == '!' && strstr(s->lines[i].text, "AUTH in clear"))
				noted = true;
		ck_assert(noted);
	}
	smtp_srv_free(srv);
	rec_free(rec);
	SSL_CTX_free(sctx);
	pki_cert_free(cert);
	pki_free(pki);
	loop_free(l);
}

START_TEST(swaks_plain_over_starttls)
{
	swaks_case("PLAIN", true);
}
END_TEST

START_TEST(swaks_login_over_starttls)
{
	swaks_case("LOGIN", true);
}
END_TEST

START_TEST(swaks_login_in_clear_is_recorded)
{
	swaks_case("LOGIN", false);
}
END_TEST

static Suite *
smtp_auth_suite(void)
{
	Suite *s = suite_create("smtp_auth");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, plain_round_trip);
	tcase_add_test(tc, decode_rejects_garbage);
	tcase_add_test(tc, server_exchanges);
	tcase_add_test(tc, swaks_plain_over_starttls);
	tcase_add_test(tc, swaks_login_over_starttls);
	tcase_add_test(tc, swaks_login_in_clear_is_recorded);
	suite_add_tcase(s, tc);
	return s;
}

TEST_MAIN(smtp_auth_suite)
