/*
 * The world's revocation services, judged by real tools: dig finds the
 * CRL host in the world's DNS, curl fetches the CRL over plain HTTP,
 * openssl s_client -status sees the MX's stapled "revoked" response
 * through the path, and openssl verify -crl_check rejects the MX's
 * certificate with the fetched CRL.  The loop runs in real time while a
 * tool runs in a child process.
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
#include "sim/world.h"
#include "sim/world_crl.h"
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

/* argv with stdin from input, stdout+stderr to outpath, while the loop
 * serves the world.  The exit status, -1 if killed. */
static int
run_tool(struct loop *l, char *const argv[], const char *input,
    const char *outpath)
{
	struct child c = { 0 };
	int in[2];

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
	if (loop_run_until(l, child_done, &c, loop_now(l) + 30000) < 0 || !c.done) {
		kill(c.pid, SIGKILL);
		waitpid(c.pid, &c.status, 0);
		return -1;
	}
	return WIFEXITED(c.status) ? WEXITSTATUS(c.status) : -1;
}

static char *
slurp(const char *path)
{
	static char buf[1 << 16];
	FILE *f = fopen(path, "r");
	size_t n = 0;

	if (f != NULL) {
		n = fread(buf, 1, sizeof(buf) - 1, f);
		fclose(f);
	}
	buf[n] = '\0';
	return buf;
}

START_TEST(test_crl_host)
{
	char src[1024], err[512], clock[32], dir[] = "/tmp/mxsim-crl-XXXXXX";
	char ca[64], out[64], der[64], pem[64], leaf[64];
	time_t now = time(NULL);
	struct scenario *scn;
	struct tm tm;
	char *o, *b, *e;

	tu_netns();
	/* the tools check dates against the real clock */
	gmtime_r(&now, &tm);
	strftime(clock, sizeof(clock), "%Y-%m-%dT%H:%M:%SZ", &tm);
	snprintf(src, sizeof(src),
	    "return { title = 't', refs = {}, domain = 'example.test', clock = '%s',\n"
	    "  mx = { { host = 'mx1.example.test',\n"
	    "           cert = { variant = 'revoked', staple = true } } },\n"
	    "  expect = { delivery = 'tls' } }\n", clock);
	ck_assert_msg(scenario_load_string("crl.lua", src, strlen(src), &scn, err,
	    sizeof(err)) == 0, "%s", err);
	ck_assert(world_crl_wanted(&scn->phases[0].world));
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(ca, sizeof(ca), "%s/ca.pem", dir);
	snprintf(out, sizeof(out), "%s/out.txt", dir);
	snprintf(der, sizeof(der), "%s/root.crl", dir);
	snprintf(pem, sizeof(pem), "%s/crl.pem", dir);
	snprintf(leaf, sizeof(leaf), "%s/leaf.pem", dir);

	struct loop *l = loop_new(LOOP_REAL, scn->clock);
	struct pki *p = pki_new(1, scn->clock);
	struct rec *r = rec_new(l);
	struct world *w = world_new(l, p, r, scn, &scn->phases[0].world, err,
	    sizeof(err));
	ck_assert_msg(w != NULL, "%s", err);
	ck_assert_int_eq(pki_write_root(p, ca), 0);

	/* dig: the CRL host's address in the world's DNS */
	char *dig[] = { "dig", "+short", "@127.53.0.1", PKI_CRL_HOST, "A", NULL };
	ck_assert_int_eq(run_tool(l, dig, NULL, out), 0);
	ck_assert_msg(strstr(slurp(out), WORLD_CRL_ADDR) != NULL, "dig: %s",
	    slurp(out));

	/* curl: the CRL over plain HTTP, as application/pkix-crl */
	char *curl[] = { "curl", "-sS", "--resolve", PKI_CRL_HOST ":80:"
	    WORLD_CRL_ADDR, "-o", der, "-w", "%{http_code} %{content_type}",
	    PKI_CRL_URL, NULL };
	ck_assert_int_eq(run_tool(l, curl, NULL, out), 0);
	ck_assert_msg(strcmp(slurp(out), "200 application/pkix-crl") == 0,
	    "curl: %s", slurp(out));
	char *conv[] = { "openssl", "crl", "-inform", "DER", "-in", der, "-out",
	    pem, NULL };
	ck_assert_int_eq(run_tool(l, conv, NULL, out), 0);

	/* s_client through the path: the staple says revoked */
	char *sc[] = { "openssl", "s_client", "-starttls", "smtp", "-connect",
	    "127.25.0.11:25", "-servername", "mx1.example.test", "-CAfile", ca,
	    "-status", NULL };
	ck_assert_int_eq(run_tool(l, sc, "QUIT\n", out), 0);
	o = slurp(out);
	ck_assert_msg(strstr(o, "Cert Status: revoked") != NULL, "s_client: %s", o);
	/* the leaf (the staple's text has the root's certificate first) */
	b = strstr(o, "Server certificate\n");
	b = b != NULL ? strstr(b, "-----BEGIN CERTIFICATE-----") : NULL;
	e = b != NULL ? strstr(b, "-----END CERTIFICATE-----") : NULL;
	ck_assert_msg(e != NULL, "no certificate in: %s", o);
	FILE *f = fopen(leaf, "w");
	ck_assert_ptr_nonnull(f);
	fprintf(f, "%.*s-----END CERTIFICATE-----\n", (int)(e - b), b);
	fclose(f);

	/* verify with the fetched CRL: revoked; without it: fine */
	char *v1[] = { "openssl", "verify", "-crl_check", "-CAfile", ca,
	    "-CRLfile", pem, leaf, NULL };
	ck_assert_int_ne(run_tool(l, v1, NULL, out), 0);
	ck_assert_msg(strstr(slurp(out), "certificate revoked") != NULL,
	    "verify: %s", slurp(out));
	char *v2[] = { "openssl", "verify", "-CAfile", ca, leaf, NULL };
	ck_assert_msg(run_tool(l, v2, NULL, out) == 0, "verify: %s", slurp(out));

	world_free(w);
	while (loop_nfds(l) > 0 || loop_ntimers(l) > 0)
		if (loop_run_once(l) < 0)
			break;
	ck_assert_uint_eq(loop_nfds(l), 0);
	rec_free(r);
	pki_free(p);
	loop_free(l);
	pki_rand_restore();
	scenario_free(scn);
	for (const char *x[] = { ca, out, der, pem, leaf }, **q = x; q < x + 5; q++)
		unlink(*q);
	rmdir(dir);
}
END_TEST

START_TEST(test_no_crl_host)
{
	const char *src = "return { title = 't', refs = {}, domain = 'example.test',\n"
	    "  mx = { { host = 'mx1.example.test', cert = 'valid' } },\n"
	    "  expect = { delivery = 'verified' } }\n";
	struct scenario *scn;
	char err[256];

	ck_assert_int_eq(scenario_load_string("t.lua", src, strlen(src), &scn, err,
	    sizeof(err)), 0);
	ck_assert(!world_crl_wanted(&scn->phases[0].world));
	scenario_free(scn);
}
END_TEST

static Suite *
world_crl_suite(void)
{
	Suite *s = suite_create("world_crl");
	TCase *tc = tcase_create("crl");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_crl_host);
	tcase_add_test(tc, test_no_crl_host);
	suite_add_tcase(s, tc);
	return s;
}

TEST_MAIN(world_crl_suite)
