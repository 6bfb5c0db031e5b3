/*
 * check_replay_tls: TLS in captures (replay/rp_tls.c): the key log
 * reader, HKDF-Expand-Label against RFC 8448, the certificate chain and
 * the decrypted SMTP dialogue of a TLS 1.3 connection made here with
 * mxsim's own PKI (known keys, its key log written by OpenSSL's
 * callback), and of captures tcpdump made of `openssl s_client` talking
 * to `openssl s_server` in TLS 1.2 and 1.3 inside a private namespace.
 */
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/pki.h"
#include "core/record.h"
#include "core/result.h"
#include "core/util.h"
#include "replay/rp_int.h"
#include "replay/rp_tls.h"
#include "testutil.h"

/* ---- HKDF-Expand-Label: RFC 8448 3, server handshake traffic keys ---- */

static void
unhex(const char *h, uint8_t *out)
{
	for (size_t i = 0; h[2 * i]; i++)
		sscanf(h + 2 * i, "%2hhx", &out[i]);
}

START_TEST(test_expand_label_rfc8448)
{
	uint8_t secret[32], key[16], iv[12], want_key[16], want_iv[12];

	unhex("b67b7d690cc16c4e75e54213cb2d37b4e9c912bcded9105d42befd59d391ad38", secret);
	unhex("3fce516009c21727d0f2e4e86ee403bc", want_key);
	unhex("5d313eb2671276ee13000b30", want_iv);
	ck_assert_int_eq(rp_tls13_expand_label(secret, 32, "key", key, 16), 0);
	ck_assert_int_eq(rp_tls13_expand_label(secret, 32, "iv", iv, 12), 0);
	ck_assert_mem_eq(key, want_key, 16);
	ck_assert_mem_eq(iv, want_iv, 12);
}
END_TEST

START_TEST(test_keylog_parse)
{
	const char *text =
	    "# comment\n\n"
	    "CLIENT_HANDSHAKE_TRAFFIC_SECRET 0102030405060708090a0b0c0d0e0f10"
	    "1112131415161718191a1b1c1d1e1f20 aabbcc\r\n"
	    "SERVER_TRAFFIC_SECRET_0 0102030405060708090a0b0c0d0e0f10"
	    "1112131415161718191a1b1c1d1e1f20 ddeeff00\n"
	    "BROKEN 0102 zz\n"
	    "CLIENT_RANDOM short 00\n"
	    "NOSPACES\n";
	struct rp_keylog *k = rp_keylog_parse(text, strlen(text));
	uint8_t cr[32], out[64];

	for (int i = 0; i < 32; i++)
		cr[i] = (uint8_t)(i + 1);
	ck_assert_uint_eq(rp_keylog_count(k), 2);
	ck_assert_uint_eq(rp_keylog_bad(k), 3);
	ck_assert_uint_eq(rp_keylog_find(k, "SERVER_TRAFFIC_SECRET_0", cr, out,
	    sizeof(out)), 4);
	ck_assert_uint_eq(out[0], 0xdd);
	ck_assert_uint_eq(rp_keylog_find(k, "CLIENT_HANDSHAKE_TRAFFIC_SECRET", cr,
	    out, sizeof(out)), 3);
	ck_assert_uint_eq(rp_keylog_find(k, "SERVER_HANDSHAKE_TRAFFIC_SECRET", cr,
	    out, sizeof(out)), 0);
	cr[0] = 9;
	ck_assert_uint_eq(rp_keylog_find(k, "SERVER_TRAFFIC_SECRET_0", cr, out,
	    sizeof(out)), 0);
	rp_keylog_free(k);
}
END_TEST

/* ---- a TLS 1.3 connection with mxsim's PKI, over memory BIOs ---- */

static struct buf g_keylog;

static void
keylog_cb(const SSL *ssl, const char *line)
{
	(void)ssl;
	buf_appendf(&g_keylog, "%s\n", line);
}

struct seen {
	struct buf app[2];
	bool cert, fin[2];
};

static void
seen_cb(void *arg, enum rp_tls_ev ev, int dir, const uint8_t *p, size_t len)
{
	struct seen *s = arg;

	if (ev == RP_TLS_APP)
		buf_append(&s->app[dir], p, len);
	else if (ev == RP_TLS_CERT)
		s->cert = true;
	else if (ev == RP_TLS_FINISHED)
		s->fin[dir] = true;
}

/* The order the flights went in: direction and end offset in its stream. */
static struct { int dir; size_t end; } g_flights[64];
static size_t g_nflights;

/* Move what one side wrote to the other, and to the stream of dir. */
static void
pump(BIO *from, BIO *to, struct buf *st, int dir)
{
	char b[16384];
	int n;

	while ((n = BIO_read(from, b, sizeof(b))) > 0) {
		buf_append(&st[dir], b, (size_t)n);
		BIO_write(to, b, n);
	}
	if (g_nflights < 64) {
		g_flights[g_nflights].dir = dir;
		g_flights[g_nflights++].end = st[dir].len;
	}
}

/* The records of a stream up to end, one by one, into t. */
static void
feed_records(struct rp_tls *t, int dir, const struct buf *st, size_t end,
    size_t *off)
{
	while (end - *off >= 5) {
		const uint8_t *h = st->data + *off;
		size_t len = (size_t)(h[3] << 8 | h[4]);
		if (end - *off < 5 + len)
			break;
		rp_tls_record(t, dir, h, h + 5, len);
		*off += 5 + len;
	}
}

static void
mxsim_tls13(bool with_keylog, struct seen *sn, struct rp_tls **tout,
    struct pki **pout, struct pki_cert **cout)
{
	struct pki *p = pki_new(7, 1700000000);
	struct pki_cert *c;
	struct pki_spec spec = { .variant = "intermediate", .host = "mx1.example.test" };
	char err[256];
	struct buf st[2] = { { 0 }, { 0 } };
	size_t off[2] = { 0, 0 };

	ck_assert_ptr_nonnull(p);
	ck_assert_int_eq(pki_issue(p, &spec, &c, err, sizeof(err)), 0);
	SSL_CTX *sctx = pki_server_ctx(c), *cctx = pki_client_ctx(p);
	SSL_CTX_set_keylog_callback(cctx, keylog_cb);
	SSL_CTX_set_min_proto_version(cctx, TLS1_3_VERSION);
	SSL *srv = SSL_new(sctx), *cli = SSL_new(cctx);
	BIO *srd = BIO_new(BIO_s_mem()), *swr = BIO_new(BIO_s_mem());
	BIO *crd = BIO_new(BIO_s_mem()), *cwr = BIO_new(BIO_s_mem());
	SSL_set_bio(srv, srd, swr);
	SSL_set_bio(cli, crd, cwr);
	SSL_set_accept_state(srv);
	SSL_set_connect_state(cli);
	SSL_set_tlsext_host_name(cli, "mx1.example.test");
	buf_reset(&g_keylog);
	g_nflights = 0;
	for (int i = 0; i < 10 && !(SSL_is_init_finished(cli) &&
	    SSL_is_init_finished(srv)); i++) {
		(void)SSL_do_handshake(cli);
		pump(cwr, srd, st, 0);
		(void)SSL_do_handshake(srv);
		pump(swr, crd, st, 1);
	}
	ck_assert(SSL_is_init_finished(cli));
	const char *ehlo = "EHLO sender.test\r\n";
	const char *ok = "250-mx1.example.test\r\n250 PIPELINING\r\n";
	ck_assert_int_gt(SSL_write(cli, ehlo, (int)strlen(ehlo)), 0);
	pump(cwr, srd, st, 0);
	char rb[256];
	ck_assert_int_gt(SSL_read(srv, rb, sizeof(rb)), 0);
	ck_assert_int_gt(SSL_write(srv, ok, (int)strlen(ok)), 0);
	pump(swr, crd, st, 1);
	ck_assert_int_gt(SSL_read(cli, rb, sizeof(rb)), 0);   /* tickets, reply */

	struct rp_keylog *kl = with_keylog ?
	    rp_keylog_parse((const char *)g_keylog.data, g_keylog.len) : NULL;
	struct rp_tls *t = rp_tls_new(kl, seen_cb, sn);
	/* the flights in the order they went */
	for (size_t i = 0; i < g_nflights; i++)
		feed_records(t, g_flights[i].dir, &st[g_flights[i].dir],
		    g_flights[i].end, &off[g_flights[i].dir]);
	*tout = t;
	*pout = p;
	*cout = c;
	SSL_free(srv);
	SSL_free(cli);
	SSL_CTX_free(sctx);
	SSL_CTX_free(cctx);
	buf_free(&st[0]);
	buf_free(&st[1]);
	if (kl != NULL) {
		/* rp_tls borrows it: keep it alive until the test frees t */
		static struct rp_keylog *keep;
		rp_keylog_free(keep);
		keep = kl;
	}
}

START_TEST(test_mxsim_tls13_with_keylog)
{
	struct seen sn = { 0 };
	struct rp_tls *t;
	struct pki *p;
	struct pki_cert *c;
	const uint8_t *leaf, *chain;
	size_t llen, clen;

	mxsim_tls13(true, &sn, &t, &p, &c);
	ck_assert_int_eq(rp_tls_version(t), 0x0304);
	ck_assert(sn.cert);
	ck_assert(sn.fin[0] && sn.fin[1]);
	ck_assert_str_eq(rp_tls_cert_status(t), "decrypted with the key log (TLS 1.3)");
	leaf = rp_tls_cert(t, &llen, &chain, &clen);
	ck_assert_ptr_nonnull(leaf);
	unsigned char *der = NULL;
	int dlen = i2d_X509(pki_cert_x509(c), &der);
	ck_assert_int_eq((int)llen, dlen);
	ck_assert_mem_eq(leaf, der, llen);
	OPENSSL_free(der);
	ck_assert_uint_gt(clen, 0);   /* the intermediate was served */
	/* the chain verifies against the root, for the host, at the clock */
	ck_assert_ptr_null(pki_verify(p, leaf, llen, chain, clen, "mx1.example.test",
	    1700000000));
	ck_assert_str_eq(pki_verify(p, leaf, llen, chain, clen, "other.test",
	    1700000000), "certificate-host-mismatch");
	/* the SMTP inside TLS, both ways */
	ck_assert_uint_eq(sn.app[0].len, strlen("EHLO sender.test\r\n"));
	ck_assert_mem_eq(sn.app[0].data, "EHLO sender.test\r\n", sn.app[0].len);
	ck_assert_ptr_nonnull(memmem(sn.app[1].data, sn.app[1].len, "250 PIPELINING", 14));
	ck_assert(rp_tls_decrypting(t, 0) && rp_tls_decrypting(t, 1));
	rp_tls_free(t);
	pki_cert_free(c);
	pki_free(p);
	buf_free(&sn.app[0]);
	buf_free(&sn.app[1]);
}
END_TEST

START_TEST(test_mxsim_tls13_without_keylog)
{
	struct seen sn = { 0 };
	struct rp_tls *t;
	struct pki *p;
	struct pki_cert *c;
	const uint8_t *chain;
	size_t llen, clen;

	mxsim_tls13(false, &sn, &t, &p, &c);
	ck_assert(!sn.cert);
	ck_assert_ptr_null(rp_tls_cert(t, &llen, &chain, &clen));
	ck_assert_str_eq(rp_tls_cert_status(t),
	    "certificate not visible (TLS 1.3, no key log)");
	ck_assert_uint_eq(sn.app[0].len, 0);
	rp_tls_free(t);
	pki_cert_free(c);
	pki_free(p);
}
END_TEST

/* A key log of another session: decryption fails, cleanly. */
START_TEST(test_tls13_wrong_keylog)
{
	struct seen sn = { 0 };
	uint8_t hdr[5] = { 23, 3, 3, 0, 40 }, body[40];
	const uint8_t sh_hdr[5] = { 22, 3, 3, 0, 0 };
	uint8_t ch[4 + 2 + 32 + 1] = { 1, 0, 0, 35, 3, 3 };
	/* ServerHello, TLS 1.3 (supported_versions), cipher 0x1301 */
	uint8_t sh[] = { 2, 0, 0, 46, 3, 3,
		1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18,
		19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32,
		0, 0x13, 0x01, 0, 0, 6, 0, 43, 0, 2, 3, 4 };
	char line[300];
	uint8_t ch_hdr[5] = { 22, 3, 1, 0, sizeof(ch) };
	uint8_t shh[5];

	memset(ch + 6, 0xab, 32);
	snprintf(line, sizeof(line), "SERVER_HANDSHAKE_TRAFFIC_SECRET %s %s\n",
	    "abababababababababababababababababababababababababababababababab",
	    "0000000000000000000000000000000000000000000000000000000000000000");
	struct rp_keylog *kl = rp_keylog_parse(line, strlen(line));
	struct rp_tls *t = rp_tls_new(kl, seen_cb, &sn);
	memcpy(shh, sh_hdr, 5);
	shh[4] = sizeof(sh);
	rp_tls_record(t, 0, ch_hdr, ch, sizeof(ch));
	rp_tls_record(t, 1, shh, sh, sizeof(sh));
	ck_assert_int_eq(rp_tls_version(t), 0x0304);
	memset(body, 0x5a, sizeof(body));
	rp_tls_record(t, 1, hdr, body, sizeof(body));
	ck_assert(!sn.cert);
	ck_assert_ptr_nonnull(strstr(rp_tls_cert_status(t), "decryption failed"));
	/* garbage after that is ignored */
	rp_tls_record(t, 1, hdr, body, sizeof(body));
	rp_tls_free(t);
	rp_keylog_free(kl);
}
END_TEST

/* ---- real peers: openssl s_client / s_server, captured by tcpdump ---- */

static const char real_script[] =
    "set -u\n"
    "D=$1; V=$2\n"
    "ip link set lo up\n"
    "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 30 "
    "-keyout $D/ca.key -out $D/ca.pem -subj /CN=test-ca >/dev/null 2>&1\n"
    "openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout $D/k.pem "
    "-out $D/r.csr -subj /CN=mx.example.test >/dev/null 2>&1\n"
    "printf 'subjectAltName=DNS:mx.example.test\\n' >$D/ext\n"
    "openssl x509 -req -in $D/r.csr -CA $D/ca.pem -CAkey $D/ca.key -CAcreateserial "
    "-days 30 -extfile $D/ext -out $D/c.pem >/dev/null 2>&1\n"
    "(printf '220 mx.example.test ESMTP\\r\\n'; sleep 1; printf '250 ok\\r\\n'; sleep 1) |"
    " openssl s_server -quiet -naccept 1 -accept 127.0.0.1:465 -cert $D/c.pem "
    "-key $D/k.pem -$V >/dev/null 2>&1 &\n"
    "tcpdump -i lo -w $D/$V.pcap -U -s 0 tcp port 465 2>$D/td.err &\n"
    "TD=$!\n"
    "i=0; while [ $i -lt 50 ] && ! grep -q listening $D/td.err; do sleep 0.1; i=$((i+1)); done\n"
    "sleep 0.3\n"
    "(sleep 0.5; printf 'EHLO client.test\\r\\n'; sleep 1.5) | openssl s_client -quiet "
    "-connect 127.0.0.1:465 -servername mx.example.test -$V -keylogfile $D/$V.keys "
    ">/dev/null 2>&1\n"
    "sleep 0.3; kill $TD; wait $TD 2>/dev/null\n";

static char g_dir[64];

static const char *
real_capture(const char *v)
{
	static char cmd[512];
	char path[128];

	if (g_dir[0] == '\0') {
		snprintf(g_dir, sizeof(g_dir), "/tmp/check_replay_tls.XXXXXX");
		ck_assert_ptr_nonnull(mkdtemp(g_dir));
		snprintf(path, sizeof(path), "%s/real.sh", g_dir);
		FILE *f = fopen(path, "w");
		ck_assert_ptr_nonnull(f);
		fputs(real_script, f);
		fclose(f);
	}
	snprintf(cmd, sizeof(cmd), "timeout 60 unshare -n sh %s/real.sh %s %s", g_dir,
	    g_dir, v);
	ck_assert_int_eq(system(cmd), 0);
	snprintf(cmd, sizeof(cmd), "%s/%s.pcap", g_dir, v);
	ck_assert_int_eq(access(cmd, R_OK), 0);
	return cmd;
}

/* Judge the capture; the first session's certificate and delivery. */
static void
judge_real(const char *v, bool keylog, bool ca, const char *want_status)
{
	char cap[600], kl[256], cap_pem[256], err[512];
	struct rp_judge_opts o = { .quiet = true, .expect = "verified" };
	struct res_run *run = res_run_new(0, "replay");

	snprintf(cap, sizeof(cap), "%s", real_capture(v));
	snprintf(kl, sizeof(kl), "%s/%s.keys", g_dir, v);
	snprintf(cap_pem, sizeof(cap_pem), "%s/ca.pem", g_dir);
	o.capture = cap;
	o.keylog = keylog ? kl : NULL;
	o.ca = ca ? cap_pem : NULL;
	ck_assert_msg(rp_judge(&o, run, err, sizeof(err)) == 0, "%s", err);
	ck_assert_uint_eq(run->nscenarios, 1);
	const struct rec *r = run->scenarios[0]->rec;
	ck_assert_uint_ge(rec_count(r), 1);
	const struct rec_session *s = rec_get(r, 0);
	ck_assert_str_eq(s->tls_version, strcmp(v, "tls1_3") == 0 ? "TLSv1.3" : "TLSv1.2");
	bool found = false;
	for (size_t i = 0; i < s->nlines; i++)
		if (strstr(s->lines[i].text, want_status) != NULL)
			found = true;
	ck_assert_msg(found, "no \"%s\" in the transcript", want_status);
	if (ca && (keylog || strcmp(v, "tls1_2") == 0)) {
		/* the certificate from the wire is the one s_server served */
		char pem[256];
		snprintf(pem, sizeof(pem), "%s/c.pem", g_dir);
		FILE *f = fopen(pem, "r");
		ck_assert_ptr_nonnull(f);
		X509 *x = PEM_read_X509(f, NULL, NULL, NULL);
		fclose(f);
		unsigned char *der = NULL;
		int dlen = i2d_X509(x, &der);
		ck_assert_ptr_nonnull(s->cert_der);
		ck_assert_int_eq((int)s->cert_len, dlen);
		ck_assert_mem_eq(s->cert_der, der, s->cert_len);
		OPENSSL_free(der);
		X509_free(x);
	}
	if (keylog) {
		/* the banner inside TLS was read: the host name, and the
		 * certificate verified for it against --ca */
		ck_assert_str_eq(s->host, "mx.example.test");
		ck_assert(s->ehlo_after_tls || s->banner);
		ck_assert_str_eq(run->scenarios[0]->phases[0].msgs[0].delivery, "refused");
	}
	res_run_free(run);
}

START_TEST(test_real_tls12_cert_in_clear)
{
	judge_real("tls1_2", false, true, "seen in clear (TLS 1.2 or below)");
}
END_TEST

START_TEST(test_real_tls13_keylog)
{
	judge_real("tls1_3", true, true, "decrypted with the key log (TLS 1.3)");
}
END_TEST

START_TEST(test_real_tls13_no_keylog)
{
	judge_real("tls1_3", false, true, "certificate not visible (TLS 1.3, no key log)");
}
END_TEST

static void
cleanup(void)
{
	char cmd[128];

	if (g_dir[0] != '\0') {
		snprintf(cmd, sizeof(cmd), "rm -rf %s", g_dir);
		(void)system(cmd);
		g_dir[0] = '\0';
	}
}

static Suite *
suite(void)
{
	Suite *s = suite_create("replay_tls");
	TCase *tc = tcase_create("tls");

	tcase_set_timeout(tc, 120);
	tcase_add_unchecked_fixture(tc, NULL, cleanup);
	tcase_add_test(tc, test_expand_label_rfc8448);
	tcase_add_test(tc, test_keylog_parse);
	tcase_add_test(tc, test_mxsim_tls13_with_keylog);
	tcase_add_test(tc, test_mxsim_tls13_without_keylog);
	tcase_add_test(tc, test_tls13_wrong_keylog);
	tcase_add_test(tc, test_real_tls12_cert_in_clear);
	tcase_add_test(tc, test_real_tls13_keylog);
	tcase_add_test(tc, test_real_tls13_no_keylog);
	suite_add_tcase(s, tc);
	return s;
}

TEST_MAIN(suite)
