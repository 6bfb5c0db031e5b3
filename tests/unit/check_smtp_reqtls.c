/*
 * Tests for REQUIRETLS (RFC 8689) in the fake MX (fake-mx/smtp_reqtls.c
 * and its use in smtp_srv.c): where the server advertises it, which
 * MAIL FROM parameters it accepts, and what it records about the
 * sender.  Peers: the real openssl s_client for the TLS side, and a
 * forked blocking client that talks plain SMTP (neither is our sender).
 * Each test runs the MX on a real-time loop in a private namespace and
 * ends with no fds and no timers left.
 */
#include <arpa/inet.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <netinet/in.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core/loop.h"
#include "core/pki.h"
#include "core/record.h"
#include "fake-mx/smtp.h"
#include "sim/scenario.h"
#include "sim/world.h"
#include "tests/unit/testutil.h"

#define MX_ADDR "127.26.0.11"
#define MX_HOST "mx1.example.test"

/* ---- pure functions ---- */

START_TEST(test_offered)
{
	ck_assert(smtp_reqtls_offered(SMTP_REQTLS_TLS, true));
	ck_assert(!smtp_reqtls_offered(SMTP_REQTLS_TLS, false));
	ck_assert(!smtp_reqtls_offered(SMTP_REQTLS_OFF, true));
	ck_assert(!smtp_reqtls_offered(SMTP_REQTLS_OFF, false));
	ck_assert(!smtp_reqtls_offered(SMTP_REQTLS_PLAIN, true));
	ck_assert(smtp_reqtls_offered(SMTP_REQTLS_PLAIN, false));
	ck_assert(smtp_reqtls_offered(SMTP_REQTLS_BOTH, true));
	ck_assert(smtp_reqtls_offered(SMTP_REQTLS_BOTH, false));
	ck_assert_str_eq(smtp_reqtls_name(SMTP_REQTLS_PLAIN), "plaintext");
	ck_assert_str_eq(smtp_reqtls_name(SMTP_REQTLS_TLS), "tls");
}
END_TEST

START_TEST(test_mail_param)
{
	ck_assert(smtp_mail_requiretls("FROM:<a@b.test> REQUIRETLS"));
	ck_assert(smtp_mail_requiretls("FROM:<a@b.test> SIZE=10 requiretls"));
	ck_assert(smtp_mail_requiretls("FROM:<> BODY=8BITMIME REQUIRETLS SIZE=1"));
	ck_assert(smtp_mail_requiretls("from: <a@b.test>  REQUIRETLS"));
	ck_assert(!smtp_mail_requiretls("FROM:<a@b.test>"));
	ck_assert(!smtp_mail_requiretls("FROM:<a@b.test> REQUIRETLSX"));
	ck_assert(!smtp_mail_requiretls("FROM:<a@b.test> XREQUIRETLS"));
	ck_assert(!smtp_mail_requiretls("FROM:<a@b.test> ENVID=REQUIRETLS"));
	ck_assert(!smtp_mail_requiretls("FROM:<REQUIRETLS@b.test>"));
	ck_assert(!smtp_mail_requiretls("TO:<a@b.test> REQUIRETLS"));
	ck_assert(!smtp_mail_requiretls(""));
}
END_TEST

/* ---- one MX on a real-time loop ---- */

struct mxw;
static struct mxw *live;   /* for the teardown after a failed test */

struct mxw {
	struct loop *l;
	struct pki *pki;
	struct pki_cert *cert;
	SSL_CTX *sctx;
	struct rec *rec;
	struct smtp_srv *srv;
	char root[32];
};

static void
mxw_init(struct mxw *w, enum smtp_reqtls mode)
{
	struct pki_spec spec = { .variant = "valid", .host = MX_HOST };
	struct smtp_srv_config cfg;
	char err[256];
	time_t now = time(NULL);
	int fd;

	tu_netns();
	memset(w, 0, sizeof(*w));
	w->l = loop_new(LOOP_REAL, now);
	w->pki = pki_new(1, now);
	ck_assert_ptr_nonnull(w->pki);
	ck_assert_int_eq(pki_issue(w->pki, &spec, &w->cert, err, sizeof(err)), 0);
	w->sctx = pki_server_ctx(w->cert);
	w->rec = rec_new(w->l);
	strcpy(w->root, "/tmp/mxsim-rtls-XXXXXX");
	fd = mkstemp(w->root);
	ck_assert_int_ge(fd, 0);
	close(fd);
	ck_assert_int_eq(pki_write_root(w->pki, w->root), 0);
	memset(&cfg, 0, sizeof(cfg));
	cfg.host = MX_HOST;
	cfg.addr = MX_ADDR;
	cfg.port_smtp = 25;
	cfg.tls = w->sctx;
	cfg.cert_label = "valid";
	cfg.rec = w->rec;
	cfg.requiretls = mode;
	live = w;
	w->srv = smtp_srv_new(w->l, &cfg, err, sizeof(err));
	ck_assert_msg(w->srv != NULL, "smtp_srv_new: %s", err);
}

static bool
srv_idle(void *arg)
{
	return smtp_srv_sessions(arg) == 0;
}

static void
mxw_free(struct mxw *w)
{
	live = NULL;
	smtp_srv_free(w->srv);
	rec_free(w->rec);
	SSL_CTX_free(w->sctx);
	pki_cert_free(w->cert);
	pki_free(w->pki);
	loop_free(w->l);
	unlink(w->root);
}

static void
mxw_fini(struct mxw *w)
{
	(void)loop_run_until(w->l, srv_idle, w->srv, loop_now(w->l) + 5000);
	smtp_srv_free(w->srv);
	w->srv = NULL;
	ck_assert_uint_eq(loop_nfds(w->l), 0);
	ck_assert_uint_eq(loop_ntimers(w->l), 0);
	mxw_free(w);
}

static void
teardown(void)
{
	if (live != NULL)
		mxw_free(live);
}

/* ---- peers: children the loop waits for ---- */

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

/* Runs the loop until the child exits; returns what it wrote to out. */
static char *
wait_child(struct loop *l, struct child *ch, int ofd)
{
	static char buf[32768];
	int pfd = (int)syscall(SYS_pidfd_open, ch->pid, 0);
	ssize_t n;

	ck_assert_int_ge(pfd, 0);
	ck_assert_int_eq(loop_add_fd(l, pfd, EPOLLIN, child_exited, ch), 0);
	(void)loop_run_until(l, child_done, ch, loop_now(l) + 60000);
	loop_del_fd(l, pfd);
	close(pfd);
	if (!ch->done) {
		kill(ch->pid, SIGKILL);
		waitpid(ch->pid, &ch->status, 0);
	}
	ck_assert(ch->done);
	n = pread(ofd, buf, sizeof(buf) - 1, 0);
	ck_assert_int_ge(n, 0);
	buf[n] = '\0';
	close(ofd);
	for (char *r = buf, *o = buf;; r++)   /* s_client keeps the CRs */
		if (*r != '\r' && (*o++ = *r) == '\0')
			break;
	return buf;
}

/* Reads one SMTP reply (through its last line) from fd and copies it
 * to out; false at EOF. */
static bool
read_reply(int fd, FILE *out)
{
	char line[1024];
	size_t n = 0;
	char c;

	for (;;) {
		if (read(fd, &c, 1) != 1)
			return false;
		if (c != '\n') {
			if (c != '\r' && n + 1 < sizeof(line))
				line[n++] = c;
			continue;
		}
		line[n] = '\0';
		fprintf(out, "%s\n", line);
		if (n < 4 || line[3] == ' ')
			return true;
		n = 0;
	}
}

/* A plain SMTP client in a child: banner, then each command of script
 * (lines separated by '\n') and its reply, into the file ofd. */
static char *
plain_client_at(struct loop *l, const char *addr, const char *script)
{
	char out[] = "/tmp/mxsim-rtls-out-XXXXXX";
	struct child ch = { 0 };
	int ofd = mkstemp(out);

	ck_assert_int_ge(ofd, 0);
	unlink(out);
	ch.pid = fork();
	ck_assert_int_ge(ch.pid, 0);
	if (ch.pid == 0) {
		struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(25) };
		int fd = socket(AF_INET, SOCK_STREAM, 0);
		FILE *o = fdopen(ofd, "w");

		inet_pton(AF_INET, addr, &sa.sin_addr);
		if (fd < 0 || o == NULL ||
		    connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
			_exit(2);
		if (!read_reply(fd, o))
			_exit(3);
		for (const char *p = script; *p != '\0';) {
			size_t len = strcspn(p, "\n");
			if (write(fd, p, len) != (ssize_t)len || write(fd, "\r\n", 2) != 2)
				_exit(4);
			fprintf(o, "> %.*s\n", (int)len, p);
			if (!read_reply(fd, o))
				break;
			p += len + (p[len] == '\n');
		}
		fclose(o);
		_exit(0);
	}
	return wait_child(l, &ch, ofd);
}

static char *
plain_client(struct mxw *w, const char *script)
{
	return plain_client_at(w->l, MX_ADDR, script);
}

/* openssl s_client -starttls smtp, then script inside TLS. */
static char *
tls_client(struct mxw *w, const char *script)
{
	char out[] = "/tmp/mxsim-rtls-out-XXXXXX";
	struct child ch = { 0 };
	int ofd = mkstemp(out), in[2];
	size_t len = strlen(script);

	ck_assert_int_ge(ofd, 0);
	unlink(out);
	ck_assert_int_eq(pipe(in), 0);
	ck_assert_int_eq(write(in[1], script, len), (ssize_t)len);
	close(in[1]);
	ch.pid = fork();
	ck_assert_int_ge(ch.pid, 0);
	if (ch.pid == 0) {
		dup2(in[0], 0);
		dup2(ofd, 1);
		dup2(ofd, 2);
		execlp("openssl", "openssl", "s_client", "-starttls", "smtp",
		    "-connect", MX_ADDR ":25", "-CAfile", w->root,
		    "-verify_hostname", MX_HOST, "-verify_return_error",
		    "-crlf", "-ign_eof", "-quiet", (char *)NULL);
		_exit(127);
	}
	close(in[0]);
	return wait_child(w->l, &ch, ofd);
}

/* The part of s_client's output from our EHLO inside TLS on (s_client
 * prints the last line of the EHLO reply it got before STARTTLS). */
static const char *
after_tls(const char *out)
{
	const char *p = strstr(out, "250-" MX_HOST "\n");

	ck_assert_msg(p != NULL, "no EHLO reply inside TLS:\n%s", out);
	return p;
}

static const struct rec_session *
only_session(struct mxw *w)
{
	ck_assert_uint_eq(rec_count(w->rec), 1);
	return rec_get(w->rec, 0);
}

#define TLS_SCRIPT(mail) "EHLO client.example.org\n" mail "\nQUIT\n"

START_TEST(test_tls_default)
{
	static struct mxw w;   /* teardown may reach it after a failure */
	const struct rec_session *s;
	char *out;

	mxw_init(&w, SMTP_REQTLS_TLS);
	out = tls_client(&w, TLS_SCRIPT("MAIL FROM:<a@example.org> REQUIRETLS"));
	ck_assert_msg(strstr(after_tls(out), "250 REQUIRETLS\n") != NULL,
	    "no REQUIRETLS inside TLS:\n%s", out);
	ck_assert_msg(strstr(out, "250 2.1.0 Ok") != NULL, "MAIL refused:\n%s", out);
	(void)loop_run_until(w.l, srv_idle, w.srv, loop_now(w.l) + 5000);
	s = only_session(&w);
	ck_assert_int_eq(s->tls, REC_TLS_OK);
	ck_assert(s->mail_from && s->mail_requiretls && !s->mail_requiretls_clear);
	mxw_fini(&w);

	/* before TLS: not offered, and refused on MAIL FROM */
	mxw_init(&w, SMTP_REQTLS_TLS);
	out = plain_client(&w, "EHLO client.example.org\n"
	    "MAIL FROM:<a@example.org> REQUIRETLS\nQUIT");
	ck_assert_msg(strstr(out, "250-REQUIRETLS") == NULL &&
	    strstr(out, "250 REQUIRETLS") == NULL, "offered in clear:\n%s", out);
	ck_assert_msg(strstr(out, "555 5.5.4") != NULL, "accepted in clear:\n%s", out);
	(void)loop_run_until(w.l, srv_idle, w.srv, loop_now(w.l) + 5000);
	s = only_session(&w);
	ck_assert(s->mail_requiretls && s->mail_requiretls_clear);
	ck_assert(!s->mail_from);   /* the transaction never opened */
	mxw_fini(&w);
}
END_TEST

START_TEST(test_off)
{
	static struct mxw w;   /* teardown may reach it after a failure */
	const struct rec_session *s;
	char *out;

	mxw_init(&w, SMTP_REQTLS_OFF);
	out = tls_client(&w, TLS_SCRIPT("MAIL FROM:<a@example.org> REQUIRETLS"));
	ck_assert_msg(strstr(after_tls(out), "REQUIRETLS\n") == NULL,
	    "offered:\n%s", out);
	ck_assert_msg(strstr(out, "555 5.5.4 Unsupported option") != NULL,
	    "REQUIRETLS accepted although not offered:\n%s", out);
	(void)loop_run_until(w.l, srv_idle, w.srv, loop_now(w.l) + 5000);
	s = only_session(&w);
	ck_assert(s->mail_requiretls && !s->mail_requiretls_clear);
	mxw_fini(&w);

	/* a MAIL FROM without it is fine, and nothing is recorded */
	mxw_init(&w, SMTP_REQTLS_OFF);
	out = tls_client(&w, TLS_SCRIPT("MAIL FROM:<a@example.org>"));
	ck_assert_msg(strstr(out, "250 2.1.0 Ok") != NULL, "MAIL refused:\n%s", out);
	(void)loop_run_until(w.l, srv_idle, w.srv, loop_now(w.l) + 5000);
	s = only_session(&w);
	ck_assert(s->mail_from && !s->mail_requiretls && !s->mail_requiretls_clear);
	mxw_fini(&w);
}
END_TEST

START_TEST(test_plaintext_only)
{
	static struct mxw w;   /* teardown may reach it after a failure */
	const struct rec_session *s;
	char *out;

	/* CONFORMANCE L124: offered before STARTTLS, not after */
	mxw_init(&w, SMTP_REQTLS_PLAIN);
	out = plain_client(&w, "EHLO client.example.org\n"
	    "MAIL FROM:<a@example.org> REQUIRETLS\nQUIT");
	ck_assert_msg(strstr(out, "250-REQUIRETLS") || strstr(out, "250 REQUIRETLS"),
	    "not offered in clear:\n%s", out);
	ck_assert_msg(strstr(out, "250 2.1.0 Ok") != NULL, "MAIL refused:\n%s", out);
	(void)loop_run_until(w.l, srv_idle, w.srv, loop_now(w.l) + 5000);
	s = only_session(&w);
	/* the MX took it, and recorded the sender's mistake (RFC 8689 2) */
	ck_assert(s->mail_from && s->mail_requiretls && s->mail_requiretls_clear);
	ck_assert_int_eq(s->tls, REC_TLS_NONE);
	bool noted = false;
	for (size_t i = 0; i < s->nlines; i++)
		if (s->lines[i].dir == '!' &&
		    strstr(s->lines[i].text, "REQUIRETLS on MAIL FROM outside TLS"))
			noted = true;
	ck_assert(noted);
	mxw_fini(&w);

	mxw_init(&w, SMTP_REQTLS_PLAIN);
	out = tls_client(&w, TLS_SCRIPT("MAIL FROM:<a@example.org> REQUIRETLS"));
	ck_assert_msg(strstr(after_tls(out), "REQUIRETLS\n") == NULL,
	    "offered in TLS:\n%s", out);
	ck_assert_msg(strstr(out, "555 ") != NULL, "accepted in TLS:\n%s", out);
	mxw_fini(&w);
}
END_TEST

START_TEST(test_both)
{
	static struct mxw w;   /* teardown may reach it after a failure */
	char *out;

	mxw_init(&w, SMTP_REQTLS_BOTH);
	out = plain_client(&w, "EHLO client.example.org\nQUIT");
	ck_assert_msg(strstr(out, "REQUIRETLS\n") != NULL, "not in clear:\n%s", out);
	ck_assert_msg(strstr(out, "STARTTLS\n") != NULL, "no STARTTLS:\n%s", out);
	mxw_fini(&w);
	mxw_init(&w, SMTP_REQTLS_BOTH);
	out = tls_client(&w, TLS_SCRIPT("MAIL FROM:<a@example.org> REQUIRETLS"));
	ck_assert_msg(strstr(after_tls(out), "REQUIRETLS\n") != NULL,
	    "not in TLS:\n%s", out);
	ck_assert_msg(strstr(out, "250 2.1.0 Ok") != NULL, "MAIL refused:\n%s", out);
	mxw_fini(&w);
}
END_TEST

/* Through the world's path (attacker/mitm_smtp.c records the sender's
 * side of a linked session): REQUIRETLS in clear is noted there too. */
START_TEST(test_path_records)
{
	const char *src = "return { title = 't', refs = {}, domain = 'example.test',\n"
	    "  mx = { { host = 'mx1.example.test', requiretls = 'plaintext' } },\n"
	    "  expect = { delivery = 'refused' } }\n";
	struct scenario *scn;
	struct world *w;
	char err[512], *out;
	time_t now = time(NULL);

	tu_netns();
	ck_assert_int_eq(scenario_load_string("t.lua", src, strlen(src), &scn, err,
	    sizeof(err)), 0);
	struct loop *l = loop_new(LOOP_REAL, now);
	struct pki *p = pki_new(1, now);
	struct rec *r = rec_new(l);
	w = world_new(l, p, r, scn, &scn->phases[0].world, err, sizeof(err));
	ck_assert_msg(w != NULL, "%s", err);
	out = plain_client_at(l, "127.25.0.11", "EHLO client.example.org\n"
	    "MAIL FROM:<a@example.org> REQUIRETLS\nQUIT");
	ck_assert_msg(strstr(out, "250 REQUIRETLS") != NULL ||
	    strstr(out, "250-REQUIRETLS") != NULL, "not offered:\n%s", out);
	ck_assert_msg(strstr(out, "250 2.1.0 Ok") != NULL, "refused:\n%s", out);
	world_free(w);
	while (loop_nfds(l) > 0 || loop_ntimers(l) > 0)
		if (loop_run_once(l) < 0)
			break;
	bool seen = false;
	for (size_t i = 0; i < rec_count(r); i++) {
		const struct rec_session *s = rec_get(r, i);
		if (s->via == 0 && !s->dns && s->mail_from) {
			ck_assert(s->mail_requiretls && s->mail_requiretls_clear);
			seen = true;
		}
	}
	ck_assert(seen);
	rec_free(r);
	pki_free(p);
	loop_free(l);
	pki_rand_restore();
	scenario_free(scn);
}
END_TEST

static Suite *
smtp_reqtls_suite(void)
{
	Suite *s = suite_create("smtp_reqtls");
	TCase *tc = tcase_create("requiretls");

	tcase_set_timeout(tc, 120);
	tcase_add_checked_fixture(tc, NULL, teardown);
	tcase_add_test(tc, test_offered);
	tcase_add_test(tc, test_mail_param);
	tcase_add_test(tc, test_tls_default);
	tcase_add_test(tc, test_off);
	tcase_add_test(tc, test_plaintext_only);
	tcase_add_test(tc, test_both);
	tcase_add_test(tc, test_path_records);
	suite_add_tcase(s, tc);
	return s;
}

TEST_MAIN(smtp_reqtls_suite)
