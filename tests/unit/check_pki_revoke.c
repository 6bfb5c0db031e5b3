/*
 * Tests for core/pki_revoke.c: the "revoked" variant, the root's CRL
 * and OCSP responses, stapling and the OCSP check.  Real peers judge
 * what we make: `openssl verify -crl_check` with the CRL, `openssl
 * ocsp` with a response, and `openssl s_client -status` against the
 * fake MX with a stapled response.
 */
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "core/loop.h"
#include "core/pki.h"
#include "core/record.h"
#include "fake-mx/smtp.h"
#include "tests/unit/testutil.h"

#define HOST "mx1.example.test"
#define MX_ADDR "127.26.0.11"

static time_t now;

static struct pki_cert *
issue(struct pki *p, const char *variant)
{
	struct pki_spec spec = { .variant = variant, .host = HOST };
	struct pki_cert *c;
	char err[256];

	ck_assert_msg(pki_issue(p, &spec, &c, err, sizeof(err)) == 0, "%s", err);
	return c;
}

/* A temporary file name (the file exists, empty). */
static char *
tmpname(void)
{
	static char names[8][40];
	static int i;
	char *n = names[i++ % 8];
	int fd;

	strcpy(n, "/tmp/mxsim-revoke-XXXXXX");
	fd = mkstemp(n);
	ck_assert_int_ge(fd, 0);
	close(fd);
	return n;
}

static void
write_cert(const struct pki_cert *c, const char *path)
{
	FILE *f = fopen(path, "w");

	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(PEM_write_X509(f, pki_cert_x509(c)), 1);
	fclose(f);
}

static void
write_bytes(const char *path, const uint8_t *b, size_t n)
{
	FILE *f = fopen(path, "w");

	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fwrite(b, 1, n, f), n);
	fclose(f);
}

/* Runs cmd (a shell line) and returns its output and exit status. */
static char *
run(const char *cmd, int *status)
{
	static char out[8192];
	FILE *f = popen(cmd, "r");
	size_t n;

	ck_assert_ptr_nonnull(f);
	n = fread(out, 1, sizeof(out) - 1, f);
	out[n] = '\0';
	*status = pclose(f);
	return out;
}

START_TEST(test_cdp)
{
	struct pki *p = pki_new(1, now);
	struct pki_cert *r = issue(p, "revoked"), *v = issue(p, "valid");
	STACK_OF(DIST_POINT) *dps = X509_get_ext_d2i(pki_cert_x509(r),
	    NID_crl_distribution_points, NULL, NULL);
	GENERAL_NAME *gn;

	ck_assert_ptr_nonnull(dps);
	ck_assert_int_eq(sk_DIST_POINT_num(dps), 1);
	gn = sk_GENERAL_NAME_value(sk_DIST_POINT_value(dps, 0)->distpoint->name.fullname, 0);
	ck_assert_int_eq(gn->type, GEN_URI);
	ck_assert_str_eq((const char *)ASN1_STRING_get0_data(gn->d.uniformResourceIdentifier),
	    PKI_CRL_URL);
	sk_DIST_POINT_pop_free(dps, DIST_POINT_free);
	ck_assert_ptr_null(X509_get_ext_d2i(pki_cert_x509(v),
	    NID_crl_distribution_points, NULL, NULL));
	ck_assert(pki_cert_revoked(p, r));
	ck_assert(!pki_cert_revoked(p, v));
	/* otherwise valid: PKIX alone does not see the revocation */
	uint8_t *der = NULL;
	int len = i2d_X509(pki_cert_x509(r), &der);
	ck_assert_ptr_null(pki_verify(p, der, (size_t)len, NULL, 0, HOST, now));
	OPENSSL_free(der);
	pki_cert_free(r);
	pki_cert_free(v);
	pki_free(p);
}
END_TEST

START_TEST(test_crl_openssl_verify)
{
	struct pki *p = pki_new(1, now);
	struct pki_cert *r = issue(p, "revoked"), *v = issue(p, "valid");
	char *root = tmpname(), *crl = tmpname(), *crlpem = tmpname();
	char *rc = tmpname(), *vc = tmpname(), cmd[1024], *out;
	uint8_t *der;
	size_t len;
	int st;

	ck_assert_int_eq(pki_write_root(p, root), 0);
	ck_assert_int_eq(pki_crl_der(p, &der, &len), 0);
	write_bytes(crl, der, len);
	free(der);
	write_cert(r, rc);
	write_cert(v, vc);
	snprintf(cmd, sizeof(cmd), "openssl crl -inform DER -in %s -out %s 2>&1 && "
	    "openssl crl -in %s -noout -text 2>&1", crl, crlpem, crlpem);
	out = run(cmd, &st);
	ck_assert_msg(st == 0, "openssl crl: %s", out);
	ck_assert_msg(strstr(out, "Issuer: CN = mxsim test root") ||
	    strstr(out, "mxsim test root"), "%s", out);
	ck_assert_msg(strstr(out, "Revoked Certificates:") != NULL, "%s", out);
	/* the revoked certificate fails with the CRL, passes without */
	snprintf(cmd, sizeof(cmd), "openssl verify -attime %lld -crl_check -CAfile %s "
	    "-CRLfile %s %s 2>&1", (long long)now, root, crlpem, rc);
	out = run(cmd, &st);
	ck_assert_msg(st != 0 && strstr(out, "certificate revoked") != NULL,
	    "revoked cert: %s", out);
	snprintf(cmd, sizeof(cmd), "openssl verify -attime %lld -CAfile %s %s 2>&1",
	    (long long)now, root, rc);
	out = run(cmd, &st);
	ck_assert_msg(st == 0, "without the CRL: %s", out);
	snprintf(cmd, sizeof(cmd), "openssl verify -attime %lld -crl_check -CAfile %s "
	    "-CRLfile %s %s 2>&1", (long long)now, root, crlpem, vc);
	out = run(cmd, &st);
	ck_assert_msg(st == 0 && strstr(out, ": OK") != NULL, "valid cert: %s", out);
	for (char *f[] = { root, crl, crlpem, rc, vc }, **q = f; q < f + 5; q++)
		unlink(*q);
	pki_cert_free(r);
	pki_cert_free(v);
	pki_free(p);
}
END_TEST

START_TEST(test_deterministic)
{
	uint8_t *a[2], *o[2];
	size_t al[2], ol[2];

	for (int i = 0; i < 2; i++) {
		struct pki *p = pki_new(7, 1780272000);
		struct pki_cert *v = issue(p, "valid"), *r = issue(p, "revoked");
		ck_assert_int_eq(pki_crl_der(p, &a[i], &al[i]), 0);
		ck_assert_int_eq(pki_ocsp_der(p, r, &o[i], &ol[i]), 0);
		pki_cert_free(v);
		pki_cert_free(r);
		pki_free(p);
	}
	ck_assert_uint_eq(al[0], al[1]);
	ck_assert(memcmp(a[0], a[1], al[0]) == 0);
	ck_assert_uint_eq(ol[0], ol[1]);
	ck_assert(memcmp(o[0], o[1], ol[0]) == 0);
	for (int i = 0; i < 2; i++) {
		free(a[i]);
		free(o[i]);
	}
}
END_TEST

START_TEST(test_ocsp)
{
	struct pki *p = pki_new(1, now), *other = pki_new(2, now);
	struct pki_cert *r = issue(p, "revoked"), *v = issue(p, "valid");
	struct pki_cert *s = issue(p, "self-signed"), *x = issue(other, "revoked");
	char *root = tmpname(), *resp = tmpname(), *rc = tmpname(), cmd[1024];
	char why[128], *out;
	uint8_t *der, *vder, *xder;
	size_t len, vlen, xlen;
	int st;

	ck_assert_int_eq(pki_ocsp_der(p, r, &der, &len), 0);
	ck_assert_int_eq(pki_ocsp_der(p, v, &vder, &vlen), 0);
	ck_assert_int_eq(pki_ocsp_der(other, x, &xder, &xlen), 0);
	ck_assert_int_eq(pki_ocsp_der(p, s, &xder, &xlen), -1);  /* not the root's */
	ck_assert_int_eq(pki_ocsp_check(pki_store(p), der, len, pki_cert_x509(r),
	    NULL, now, why, sizeof(why)), PKI_OCSP_REVOKED);
	ck_assert_ptr_nonnull(strstr(why, "keyCompromise") ? why : strstr(why, "Key Compromise"));
	ck_assert_int_eq(pki_ocsp_check(pki_store(p), vder, vlen, pki_cert_x509(v),
	    NULL, now, why, sizeof(why)), PKI_OCSP_GOOD);
	/* the response for another certificate says nothing about this one */
	ck_assert_int_eq(pki_ocsp_check(pki_store(p), vder, vlen, pki_cert_x509(r),
	    NULL, now, why, sizeof(why)), PKI_OCSP_UNKNOWN);
	/* too late, garbage, signed by a root we do not trust */
	ck_assert_int_eq(pki_ocsp_check(pki_store(p), der, len, pki_cert_x509(r),
	    NULL, now + 30 * 86400, why, sizeof(why)), PKI_OCSP_INVALID);
	ck_assert_int_eq(pki_ocsp_check(pki_store(p), (const uint8_t *)"junk", 4,
	    pki_cert_x509(r), NULL, now, why, sizeof(why)), PKI_OCSP_INVALID);
	ck_assert_str_eq(why, "not an OCSP response");
	ck_assert_int_eq(pki_ocsp_check(pki_store(p), xder, xlen, pki_cert_x509(x),
	    NULL, now, why, sizeof(why)), PKI_OCSP_INVALID);
	ck_assert_str_eq(pki_ocsp_name(PKI_OCSP_REVOKED), "revoked");

	/* the real openssl ocsp reads it the same way */
	ck_assert_int_eq(pki_write_root(p, root), 0);
	write_bytes(resp, der, len);
	write_cert(r, rc);
	snprintf(cmd, sizeof(cmd), "openssl ocsp -respin %s -CAfile %s -issuer %s "
	    "-cert %s 2>&1", resp, root, root, rc);
	out = run(cmd, &st);
	ck_assert_msg(strstr(out, "Response verify OK") != NULL &&
	    strstr(out, ": revoked") != NULL, "openssl ocsp: %s", out);
	unlink(root);
	unlink(resp);
	unlink(rc);
	free(der);
	free(vder);
	free(xder);
	pki_cert_free(r);
	pki_cert_free(v);
	pki_cert_free(s);
	pki_cert_free(x);
	pki_free(p);
	pki_free(other);
}
END_TEST

/* ---- stapling: openssl s_client -status against the fake MX ---- */

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

static bool
srv_idle(void *arg)
{
	return smtp_srv_sessions(arg) == 0;
}

/* s_client output against an MX presenting c, with staple (or none). */
static char *
s_client_status(struct pki *p, struct pki_cert *c, bool staple)
{
	static char buf[32768];
	struct loop *l = loop_new(LOOP_REAL, now);
	SSL_CTX *ctx = pki_server_ctx(c);
	struct smtp_srv_config cfg;
	struct smtp_srv *srv;
	struct child ch = { 0 };
	char *root = tmpname(), *out = tmpname(), err[256];
	uint8_t *der;
	size_t len;
	int ofd, pfd, in[2];
	ssize_t n;

	tu_netns();
	if (staple) {
		ck_assert_int_eq(pki_ocsp_der(p, c, &der, &len), 0);
		ck_assert_int_eq(pki_ctx_staple(ctx, der, len), 0);
		free(der);
	}
	memset(&cfg, 0, sizeof(cfg));
	cfg.host = HOST;
	cfg.addr = MX_ADDR;
	cfg.port_smtp = 25;
	cfg.tls = ctx;
	srv = smtp_srv_new(l, &cfg, err, sizeof(err));
	ck_assert_msg(srv != NULL, "%s", err);
	ck_assert_int_eq(pki_write_root(p, root), 0);
	ofd = open(out, O_RDWR);
	ck_assert_int_ge(ofd, 0);
	ck_assert_int_eq(pipe(in), 0);
	ck_assert_int_eq(write(in[1], "QUIT\n", 5), 5);
	close(in[1]);
	ch.pid = fork();
	ck_assert_int_ge(ch.pid, 0);
	if (ch.pid == 0) {
		dup2(in[0], 0);
		dup2(ofd, 1);
		dup2(ofd, 2);
		execlp("openssl", "openssl", "s_client", "-starttls", "smtp",
		    "-connect", MX_ADDR ":25", "-CAfile", root, "-status",
		    "-servername", HOST, (char *)NULL);
		_exit(127);
	}
	close(in[0]);
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
	n = pread(ofd, buf, sizeof(buf) - 1, 0);
	buf[n > 0 ? n : 0] = '\0';
	close(ofd);
	(void)loop_run_until(l, srv_idle, srv, loop_now(l) + 5000);
	smtp_srv_free(srv);
	ck_assert_uint_eq(loop_nfds(l), 0);
	SSL_CTX_free(ctx);
	loop_free(l);
	unlink(root);
	unlink(out);
	return buf;
}

START_TEST(test_staple_s_client)
{
	struct pki *p = pki_new(1, now);
	struct pki_cert *r = issue(p, "revoked"), *v = issue(p, "valid");
	char *out;

	out = s_client_status(p, r, true);
	ck_assert_msg(strstr(out, "OCSP Response Status: successful") != NULL &&
	    strstr(out, "Cert Status: revoked") != NULL, "s_client: %s", out);
	out = s_client_status(p, v, true);
	ck_assert_msg(strstr(out, "Cert Status: good") != NULL, "s_client: %s", out);
	out = s_client_status(p, r, false);
	ck_assert_msg(strstr(out, "OCSP response: no response sent") != NULL,
	    "s_client: %s", out);
	pki_cert_free(r);
	pki_cert_free(v);
	pki_free(p);
}
END_TEST

static Suite *
pki_revoke_suite(void)
{
	Suite *s = suite_create("pki_revoke");
	TCase *tc = tcase_create("revocation");

	now = time(NULL);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_cdp);
	tcase_add_test(tc, test_crl_openssl_verify);
	tcase_add_test(tc, test_deterministic);
	tcase_add_test(tc, test_ocsp);
	tcase_add_test(tc, test_staple_s_client);
	suite_add_tcase(s, tc);
	return s;
}

TEST_MAIN(pki_revoke_suite)
