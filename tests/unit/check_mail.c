/*
 * check_mail: fake-mx/mail_*.c, the TLSRPT report mail reader (RFC 8460
 * 5.3) and DKIM (RFC 6376, RFC 8463).  A well-formed report mail reads
 * back without findings; each deviation (no boundary, no report-type,
 * nested report part, bad base64, gzip bomb, wrong Subject, filename,
 * submitter, missing headers, huge headers) is a finding, never a crash.
 * DKIM: ed25519-sha256 and rsa-sha256 signatures verify, tampering is
 * caught, and both directions are cross-checked with dkimpy (a real,
 * independent implementation: python3-dkim, in its RFC 8460 mode: the
 * key record says s=tlsrpt, no l=).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include "core/util.h"
#include "fake-mx/mail.h"
#include "fake-https/sts.h"
#include "testutil.h"

#define JSON "{\"organization-name\":\"s\",\"date-range\":{\"start-datetime\":" \
	"\"2026-06-01T00:00:00Z\",\"end-datetime\":\"2026-06-01T23:59:59Z\"}," \
	"\"contact-info\":\"tlsrpt@sender.test\",\"report-id\":\"r1\"," \
	"\"policies\":[]}"

static unsigned char *
gz(const void *in, size_t n, size_t *outlen)
{
	z_stream z;
	uLong bound;
	unsigned char *out;

	memset(&z, 0, sizeof(z));
	ck_assert_int_eq(deflateInit2(&z, 9, Z_DEFLATED, 15 + 16, 8,
	    Z_DEFAULT_STRATEGY), Z_OK);
	bound = deflateBound(&z, (uLong)n) + 32;
	out = xmalloc(bound);
	z.next_in = (Bytef *)in;
	z.avail_in = (uInt)n;
	z.next_out = out;
	z.avail_out = (uInt)bound;
	ck_assert_int_eq(deflate(&z, Z_FINISH), Z_STREAM_END);
	*outlen = z.total_out;
	deflateEnd(&z);
	return out;
}

static void
b64_lines(struct buf *b, const unsigned char *p, size_t n)
{
	for (size_t i = 0; i < n; i += 57) {
		unsigned char line[80];
		size_t k = n - i < 57 ? n - i : 57;
		int w = EVP_EncodeBlock(line, p + i, (int)k);
		buf_append(b, line, (size_t)w);
		buf_append(b, "\r\n", 2);
	}
}

/* Knobs for a report mail; zero = the well-formed default. */
struct knobs {
	const char *ct;        /* top Content-Type */
	const char *subject;
	const char *filename;
	const char *submitter;
	bool no_domain_hdr;
	const char *payload;   /* base64 text instead of the real one */
	const unsigned char *gzdata;
	size_t gzlen;
	bool nested;           /* the report part inside a multipart/mixed */
	const char *extra;     /* extra header fields */
};

static char *
mail(const struct knobs *k)
{
	struct buf b = { 0 };
	size_t zl;
	unsigned char *z = gz(JSON, strlen(JSON), &zl);
	const char *sub = k->submitter ? k->submitter : "sender.test";

	buf_appendf(&b, "From: <tlsrpt@sender.test>\r\nTo: <r@example.test>\r\n"
	    "Subject: %s\r\n%s%s",
	    k->subject ? k->subject : "Report Domain: example.test Submitter: "
	    "sender.test Report-ID: <1@sender.test>",
	    k->no_domain_hdr ? "" : "TLS-Report-Domain: example.test\r\n",
	    k->extra ? k->extra : "");
	buf_appendf(&b, "TLS-Report-Submitter: %s\r\nMIME-Version: 1.0\r\n"
	    "Content-Type: %s\r\n\r\n", sub, k->ct ? k->ct :
	    "multipart/report; report-type=\"tlsrpt\"; boundary=\"BB\"");
	buf_appendf(&b, "preamble\r\n--BB\r\nContent-Type: text/plain\r\n\r\n"
	    "A report.\r\n--BB\r\n");
	if (k->nested)
		buf_appendf(&b, "Content-Type: multipart/mixed; boundary=CC\r\n\r\n"
		    "--CC\r\n");
	buf_appendf(&b, "Content-Type: application/tlsrpt+gzip\r\n"
	    "Content-Transfer-Encoding: base64\r\nContent-Disposition: "
	    "attachment;\r\n filename=\"%s\"\r\n\r\n", k->filename ? k->filename :
	    "sender.test!example.test!1780272000!1780358399.json.gz");
	if (k->payload)
		buf_appendf(&b, "%s\r\n", k->payload);
	else if (k->gzdata)
		b64_lines(&b, k->gzdata, k->gzlen);
	else
		b64_lines(&b, z, zl);
	if (k->nested)
		buf_appendf(&b, "--CC--\r\n");
	buf_appendf(&b, "--BB--\r\nepilogue\r\n");
	free(z);
	return buf_cstr(&b);
}

static bool
has_finding(const struct mail_rpt *r, const char *needle)
{
	for (size_t i = 0; i < r->nfindings; i++)
		if (strstr(r->findings[i], needle) != NULL)
			return true;
	return false;
}

static struct mail_rpt *
parse(const struct knobs *k)
{
	char *m = mail(k);
	struct mail_rpt *r = mail_rpt_parse(m, strlen(m));
	free(m);
	return r;
}

START_TEST(good_mail)
{
	struct knobs k = { 0 };
	char *m = mail(&k);
	struct mail_rpt *r = mail_rpt_parse(m, strlen(m));

	for (size_t i = 0; i < r->nfindings; i++)
		fprintf(stderr, "finding: %s\n", r->findings[i]);
	ck_assert_uint_eq(r->nfindings, 0);
	ck_assert_ptr_nonnull(r->json);
	ck_assert_str_eq(r->json, JSON);
	ck_assert(r->gzip);
	ck_assert_str_eq(r->domain, "example.test");
	ck_assert_str_eq(r->submitter, "sender.test");
	ck_assert(mail_is_tlsrpt(m, strlen(m)));
	ck_assert(!mail_is_tlsrpt("Subject: hi\r\n\r\nbody\r\n", 20));
	mail_rpt_free(r);
	/* LF line ends read the same */
	struct buf lf = { 0 };
	for (const char *p = m; *p; p++)
		if (*p != '\r')
			buf_append(&lf, p, 1);
	r = mail_rpt_parse((const char *)lf.data, lf.len);
	ck_assert_uint_eq(r->nfindings, 0);
	ck_assert_str_eq(r->json, JSON);
	mail_rpt_free(r);
	buf_free(&lf);
	free(m);
}
END_TEST

START_TEST(format_findings)
{
	struct knobs k = { 0 };
	struct mail_rpt *r;

	k.ct = "multipart/report; report-type=tlsrpt";   /* no boundary */
	r = parse(&k);
	ck_assert(has_finding(r, "no MIME parts"));
	ck_assert(has_finding(r, "no application/tlsrpt+gzip"));
	ck_assert_ptr_null(r->json);
	mail_rpt_free(r);

	k.ct = "multipart/report; boundary=BB";
	r = parse(&k);
	ck_assert(has_finding(r, "report-type"));
	ck_assert_ptr_nonnull(r->json);
	mail_rpt_free(r);

	k.ct = "multipart/mixed; boundary=BB";
	r = parse(&k);
	ck_assert(has_finding(r, "not multipart/report"));
	mail_rpt_free(r);

	memset(&k, 0, sizeof(k));
	k.subject = "TLS report for example.test";
	k.filename = "report.json.gz";
	k.no_domain_hdr = true;
	r = parse(&k);
	ck_assert(has_finding(r, "the Subject is not"));
	ck_assert(has_finding(r, "is not submitter!policy-domain"));
	ck_assert(has_finding(r, "no TLS-Report-Domain"));
	mail_rpt_free(r);

	memset(&k, 0, sizeof(k));
	k.submitter = "other.test";
	r = parse(&k);
	ck_assert(has_finding(r, "not the domain of the report's contact-info"));
	ck_assert(has_finding(r, "Subject names submitter"));
	ck_assert(has_finding(r, "filename names submitter"));
	mail_rpt_free(r);

	memset(&k, 0, sizeof(k));
	k.filename = "sender.test!example.test!1!2.json";   /* gzip needs .gz */
	r = parse(&k);
	ck_assert(has_finding(r, "does not end in .json.gz"));
	mail_rpt_free(r);

	memset(&k, 0, sizeof(k));
	k.extra = "TLS-Report-Domain: example.test\r\n";   /* twice */
	r = parse(&k);
	ck_assert(has_finding(r, "2 TLS-Report-Domain headers"));
	mail_rpt_free(r);
}
END_TEST

START_TEST(hostile)
{
	struct knobs k = { 0 };
	struct mail_rpt *r;

	k.nested = true;
	r = parse(&k);
	ck_assert(has_finding(r, "nested"));
	ck_assert_str_eq(r->json, JSON);   /* still read */
	mail_rpt_free(r);

	memset(&k, 0, sizeof(k));
	k.payload = "H4sI!!!notbase64";
	r = parse(&k);
	ck_assert(has_finding(r, "not valid base64"));
	ck_assert_ptr_null(r->json);
	mail_rpt_free(r);

	k.payload = "aGVsbG8=";   /* base64 of "hello": not gzip */
	r = parse(&k);
	ck_assert(has_finding(r, "not gzip"));
	mail_rpt_free(r);

	/* gzip bomb: 64 MiB of zeros, about 64 KiB compressed */
	size_t big = 64u << 20, zl;
	char *zeros = xcalloc(1, big);
	unsigned char *z = gz(zeros, big, &zl);
	free(zeros);
	memset(&k, 0, sizeof(k));
	k.gzdata = z;
	k.gzlen = zl;
	r = parse(&k);
	ck_assert(has_finding(r, "inflates to more than"));
	ck_assert_ptr_null(r->json);
	mail_rpt_free(r);
	/* truncated gzip */
	k.gzlen = zl / 2;
	r = parse(&k);
	ck_assert(has_finding(r, "application/tlsrpt+gzip part"));
	mail_rpt_free(r);
	free(z);

	/* a 200 KiB header field and 1000 fields: bounded, no crash */
	struct buf b = { 0 };
	buf_appendf(&b, "X-Big: ");
	for (int i = 0; i < 200 * 1024 / 64; i++)
		buf_appendf(&b, "%063d\r\n ", i);
	buf_appendf(&b, "x\r\n");
	for (int i = 0; i < 1000; i++)
		buf_appendf(&b, "X-%d: y\r\n", i);
	memset(&k, 0, sizeof(k));
	k.extra = buf_cstr(&b);
	r = parse(&k);
	ck_assert(r->nfindings > 0);   /* the real headers are past the cap */
	mail_rpt_free(r);
	buf_free(&b);

	/* garbage and empties */
	r = mail_rpt_parse("", 0);
	ck_assert(has_finding(r, "not multipart/report"));
	mail_rpt_free(r);
	r = mail_rpt_parse("\0\0\0:\n--", 7);
	ck_assert(r->nfindings > 0);
	mail_rpt_free(r);
	const char *deep = "Content-Type: multipart/report; report-type=tlsrpt; "
	    "boundary=a\r\n\r\n--a\r\nContent-Type: multipart/mixed; boundary=a"
	    "\r\n\r\n--a\r\n--a\r\n--a--\r\n";
	r = mail_rpt_parse(deep, strlen(deep));   /* same boundary nested */
	ck_assert(r->nfindings > 0);
	mail_rpt_free(r);
}
END_TEST

START_TEST(b64_and_gunzip)
{
	unsigned char *o;
	size_t n;
	char *s, err[128];

	ck_assert_int_eq(mail_b64_decode("aGk=", 4, &o, &n), 0);
	ck_assert_uint_eq(n, 2);
	ck_assert(memcmp(o, "hi", 2) == 0);
	free(o);
	ck_assert_int_eq(mail_b64_decode("aG\r\nk=", 6, &o, &n), 0);
	free(o);
	ck_assert_int_eq(mail_b64_decode("aGk", 3, &o, &n), -1);
	ck_assert_int_eq(mail_b64_decode("a=Gk", 4, &o, &n), -1);
	ck_assert_int_eq(mail_b64_decode("aG===", 5, &o, &n), -1);
	ck_assert_int_eq(sts_gunzip((const unsigned char *)"xx", 2, 10, &s, &n,
	    err, sizeof(err)), -1);
	unsigned char *z = gz("abcdef", 6, &n);
	size_t zl = n;
	ck_assert_int_eq(sts_gunzip(z, zl, 6, &s, &n, err, sizeof(err)), 0);
	ck_assert_str_eq(s, "abcdef");
	free(s);
	ck_assert_int_eq(sts_gunzip(z, zl, 5, &s, &n, err, sizeof(err)), -1);
	free(z);
}
END_TEST

/* ---- DKIM ---- */

#define MSG "From: <tlsrpt@sender.test>\r\nTo: <r@example.test>\r\n" \
	"Subject:  Report   Domain: x\r\nTLS-Report-Domain: example.test\r\n" \
	"TLS-Report-Submitter:\tsender.test\r\n\r\nbody  line \t\r\n\r\nend\r\n\r\n\r\n"
#define HEADS "from:to:subject:tls-report-domain:tls-report-submitter"

static char *the_txt;

/* s with every "from" replaced by "to" (xmalloc'd). */
static char *
str_replace_all(const char *s, const char *from, const char *to)
{
	struct buf b = { 0 };
	const char *p;

	while ((p = strstr(s, from)) != NULL) {
		buf_append(&b, s, (size_t)(p - s));
		buf_appendf(&b, "%s", to);
		s = p + strlen(from);
	}
	buf_appendf(&b, "%s", s);
	return buf_cstr(&b);
}

static char *
lookup(const char *d, const char *s, void *arg)
{
	(void)arg;
	if (strcmp(d, "sender.test") != 0 || strcmp(s, "sel") != 0 || !the_txt)
		return NULL;
	return xstrdup(the_txt);
}

static char *
signed_msg(EVP_PKEY *k, const char *msg)
{
	char err[128];
	char *sig = mail_dkim_sign(msg, strlen(msg), k, "sender.test", "sel",
	    HEADS, 1780272000, err, sizeof(err));
	ck_assert_msg(sig != NULL, "%s", err);
	char *out = xasprintf("%s%s", sig, msg);
	free(sig);
	return out;
}

static enum mail_dkim_status
verify(const char *m, struct mail_dkim_result *res)
{
	mail_dkim_verify(m, strlen(m), lookup, NULL, res);
	return res->status;
}

static void
roundtrip(EVP_PKEY *k)
{
	struct mail_dkim_result res;
	char *m = signed_msg(k, MSG), *t;

	free(the_txt);
	the_txt = mail_dkim_txt(k);
	ck_assert_int_eq(verify(m, &res), MAIL_DKIM_PASS);
	ck_assert(strstr(res.heads, "tls-report-submitter") != NULL);
	ck_assert(!res.has_l);
	/* relaxed: more whitespace and folding in a signed header still pass */
	t = str_replace_all(m, "Subject:  Report", "Subject:\r\n   Report");
	ck_assert_int_eq(verify(t, &res), MAIL_DKIM_PASS);
	free(t);
	t = str_replace_all(m, "body  line", "body line!");
	ck_assert_int_eq(verify(t, &res), MAIL_DKIM_BODY);
	free(t);
	t = str_replace_all(m, "TLS-Report-Domain: example.test",
	    "TLS-Report-Domain: evil.test");
	ck_assert_int_eq(verify(t, &res), MAIL_DKIM_FAIL);
	free(t);
	t = str_replace_all(m, "d=sender.test", "d=other.test");
	ck_assert_int_eq(verify(t, &res), MAIL_DKIM_NOKEY);
	free(t);
	free(m);
}

START_TEST(dkim_roundtrip)
{
	EVP_PKEY *ed = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	EVP_PKEY *rsa = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);
	struct mail_dkim_result res;

	roundtrip(ed);
	roundtrip(rsa);
	/* the key record of the other algorithm does not fit */
	char *m = signed_msg(rsa, MSG);
	free(the_txt);
	the_txt = mail_dkim_txt(ed);
	ck_assert_int_eq(verify(m, &res), MAIL_DKIM_PERMERROR);
	free(m);
	ck_assert_int_eq(verify(MSG, &res), MAIL_DKIM_NONE);
	/* hostile signature fields */
	static const char *const bad[] = {
		"DKIM-Signature: v=1; a=rsa-sha256; a=rsa-sha256\r\n" MSG,
		"DKIM-Signature: v=1; a=rsa-sha1; c=relaxed/relaxed; d=sender.test; "
		"s=sel; h=from; bh=AAAA; b=AAAA\r\n" MSG,
		"DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=sender.test; "
		"s=sel; h=to; bh=AAAA; b=AAAA\r\n" MSG,
		"DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=sender.test; "
		"s=sel; h=from; bh=!!; b=AAAA\r\n" MSG,
		"DKIM-Signature: ;;;===\r\n" MSG,
		"DKIM-Signature:\r\n" MSG,
	};
	for (size_t i = 0; i < ARRAY_LEN(bad); i++)
		ck_assert_int_eq(verify(bad[i], &res), MAIL_DKIM_PERMERROR);
	free(the_txt);
	the_txt = NULL;
	EVP_PKEY_free(ed);
	EVP_PKEY_free(rsa);
}
END_TEST

/* ---- cross-check with dkimpy ---- */

static const char *PY =
	"import sys, base64, dkim\n"
	"mode, msgf, keyf = sys.argv[1:4]\n"
	"msg = open(msgf, 'rb').read(); key = open(keyf, 'rb').read()\n"
	"if mode == 'verify':\n"
	"    ok = dkim.verify(msg, dnsfunc=lambda name, timeout=5: key,\n"
	"        tlsrpt='strict')\n"
	"    sys.exit(0 if ok else 1)\n"
	"alg = b'ed25519-sha256' if mode == 'sign-ed' else b'rsa-sha256'\n"
	"sig = dkim.sign(msg, b'sel', b'sender.test', key.strip(),\n"
	"    canonicalize=(b'relaxed', b'relaxed'), signature_algorithm=alg,\n"
	"    include_headers=[b'from', b'to', b'subject', b'tls-report-domain'],\n"
	"    tlsrpt=True)\n"
	"sys.stdout.buffer.write(sig + msg)\n";

static char tmpd[64];

static char *
tmpfile_with(const char *name, const void *p, size_t n)
{
	char *path = xasprintf("%s/%s", tmpd, name);
	FILE *f = fopen(path, "wb");
	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fwrite(p, 1, n, f), n);
	fclose(f);
	return path;
}

/* Run dkimpy; stdout into *out when out. */
static int
py(const char *mode, const char *msgf, const char *keyf, char **out)
{
	char *script = tmpfile_with("x.py", PY, strlen(PY));
	char *cmd = out ? xasprintf("/usr/bin/python3 %s %s %s %s >%s/out", script,
	    mode, msgf, keyf, tmpd) : xasprintf("/usr/bin/python3 %s %s %s %s",
	    script, mode, msgf, keyf);
	int rc = system(cmd);
	free(cmd);
	free(script);
	if (out != NULL) {
		char *p = xasprintf("%s/out", tmpd);
		struct buf b = { 0 };
		FILE *f = fopen(p, "rb");
		char chunk[4096];
		size_t n;
		while (f && (n = fread(chunk, 1, sizeof(chunk), f)) > 0)
			buf_append(&b, chunk, n);
		if (f)
			fclose(f);
		free(p);
		*out = buf_cstr(&b);
	}
	return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

START_TEST(dkimpy_cross)
{
	EVP_PKEY *ed = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	EVP_PKEY *rsa = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);
	EVP_PKEY *keys[] = { ed, rsa };
	struct mail_dkim_result res;

	snprintf(tmpd, sizeof(tmpd), "/tmp/check_mail.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(tmpd));
	ck_assert_msg(system("/usr/bin/python3 -c 'import dkim, nacl' 2>/dev/null")
	    == 0, "python3-dkim and python3-nacl are needed (make deps)");
	for (size_t i = 0; i < 2; i++) {
		/* mxsim signs, dkimpy verifies */
		char *m = signed_msg(keys[i], MSG), *txt = mail_dkim_txt(keys[i]);
		char *mf = tmpfile_with("m", m, strlen(m));
		char *kf = tmpfile_with("k", txt, strlen(txt));
		ck_assert_msg(py("verify", mf, kf, NULL) == 0,
		    "dkimpy rejects mxsim's %s signature", i ? "rsa" : "ed25519");
		/* a tampered one it rejects too: the check can fail */
		char *t = str_replace_all(m, "example.test", "evil.test");
		free(mf);
		mf = tmpfile_with("m", t, strlen(t));
		ck_assert_int_ne(py("verify", mf, kf, NULL), 0);
		free(t);
		/* dkimpy signs, mxsim verifies */
		struct buf pk = { 0 };
		if (i == 0) {
			unsigned char raw[32];
			size_t rl = sizeof(raw);
			char b64[64];
			ck_assert(EVP_PKEY_get_raw_private_key(ed, raw, &rl) == 1);
			EVP_EncodeBlock((unsigned char *)b64, raw, 32);
			buf_appendf(&pk, "%s", b64);
		} else {
			BIO *bio = BIO_new(BIO_s_mem());
			char *pem;
			PEM_write_bio_PrivateKey_traditional(bio, rsa, NULL, NULL, 0,
			    NULL, NULL);
			long n = BIO_get_mem_data(bio, &pem);
			buf_append(&pk, pem, (size_t)n);
			BIO_free(bio);
		}
		char *pf = tmpfile_with("p", pk.data, pk.len);
		char *msgf = tmpfile_with("m", MSG, strlen(MSG)), *signedm;
		ck_assert_int_eq(py(i ? "sign-rsa" : "sign-ed", msgf, pf, &signedm), 0);
		free(the_txt);
		the_txt = txt;
		ck_assert_msg(verify(signedm, &res) == MAIL_DKIM_PASS,
		    "dkimpy's %s signature: %s (%s)", i ? "rsa" : "ed25519",
		    mail_dkim_status_name(res.status), res.why);
		the_txt = NULL;
		free(signedm);
		free(msgf);
		free(pf);
		buf_free(&pk);
		free(txt);
		free(kf);
		free(mf);
		free(m);
	}
	char *cmd = xasprintf("rm -rf %s", tmpd);
	ck_assert_int_eq(system(cmd), 0);
	free(cmd);
	EVP_PKEY_free(ed);
	EVP_PKEY_free(rsa);
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("mail");
	TCase *tc = tcase_create("mail");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, good_mail);
	tcase_add_test(tc, format_findings);
	tcase_add_test(tc, hostile);
	tcase_add_test(tc, b64_and_gunzip);
	tcase_add_test(tc, dkim_roundtrip);
	tcase_add_test(tc, dkimpy_cross);
	suite_add_tcase(s, tc);
	return s;
}

TEST_MAIN(suite)
