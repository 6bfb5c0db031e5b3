/*
 * Tests for fake-https/sts_policy.c and sts_txt.c: the MTA-STS policy
 * body (CONFORMANCE.md section D), the _mta-sts TXT record (section B),
 * MX pattern matching (section F) and the _smtp._tls TXT record (section
 * N 144-146).
 */
#include <stdlib.h>
#include <string.h>

#include "fake-https/sts.h"
#include "testutil.h"

static struct sts_policy *
ok_policy(const char *body)
{
	struct sts_policy *p;
	char err[256] = "";

	ck_assert_msg(sts_policy_parse(body, strlen(body), &p, err, sizeof(err)) == 0,
	    "rejected: %s\n%s", err, body);
	ck_assert_ptr_nonnull(p);
	return p;
}

/* Rejected, with an error mentioning `needle`. */
static void
bad_policy(const char *body, const char *needle)
{
	struct sts_policy *p = (void *)1;
	char err[256] = "";

	ck_assert_msg(sts_policy_parse(body, strlen(body), &p, err, sizeof(err)) < 0,
	    "accepted:\n%s", body);
	ck_assert_ptr_null(p);
	ck_assert_msg(strstr(err, needle) != NULL, "error \"%s\" lacks \"%s\"", err,
	    needle);
}

#define GOOD "version: STSv1\r\nmode: enforce\r\nmx: mx1.example.test\r\nmax_age: 604800\r\n"

START_TEST(policy_valid_crlf)
{
	struct sts_policy *p = ok_policy(GOOD);

	ck_assert_int_eq(p->mode, STS_MODE_ENFORCE);
	ck_assert_uint_eq(p->max_age, 604800);
	ck_assert(!p->capped);
	ck_assert_uint_eq(p->nmx, 1);
	ck_assert_str_eq(p->mx[0], "mx1.example.test");
	ck_assert_uint_eq(p->nmx_bad, 0);
	/* RFC 8460 4.5: one policy-string entry per line, as served */
	ck_assert_uint_eq(p->nstrings, 4);
	ck_assert_str_eq(p->strings[0], "version: STSv1");
	ck_assert_str_eq(p->strings[2], "mx: mx1.example.test");
	ck_assert_str_eq(p->warning, "");
	sts_policy_free(p);
	sts_policy_free(NULL);
}
END_TEST

/* D36: bare LF; also no final terminator, and mixed line ends */
START_TEST(policy_lf_and_mixed)
{
	struct sts_policy *p = ok_policy("version: STSv1\nmode: testing\nmx: a.test\nmax_age: 86400");

	ck_assert_int_eq(p->mode, STS_MODE_TESTING);
	ck_assert_uint_eq(p->max_age, 86400);
	sts_policy_free(p);
	p = ok_policy("version: STSv1\r\nmode: none\nmax_age: 1\r\n");
	ck_assert_int_eq(p->mode, STS_MODE_NONE);
	ck_assert_uint_eq(p->nmx, 0);
	sts_policy_free(p);
	/* a bare CR is a control character, not a line end */
	bad_policy("version: STSv1\rmode: enforce\nmx: a.test\nmax_age: 1\n", "control");
}
END_TEST

/* D37: version */
START_TEST(policy_version)
{
	bad_policy("version: STSv2\nmode: enforce\nmx: a.test\nmax_age: 1\n", "STSv1");
	bad_policy("mode: enforce\nmx: a.test\nmax_age: 1\n", "no version");
	bad_policy("version: stsv1\nmode: enforce\nmx: a.test\nmax_age: 1\n", "STSv1");
	/* field names are case-sensitive: "Version" is an extension */
	bad_policy("Version: STSv1\nmode: enforce\nmx: a.test\nmax_age: 1\n", "no version");
	/* any order: version last is fine */
	struct sts_policy *p = ok_policy("mode: enforce\nmx: a.test\nmax_age: 1\nversion: STSv1\n");
	sts_policy_free(p);
}
END_TEST

/* D38: mode */
START_TEST(policy_mode)
{
	bad_policy("version: STSv1\nmode: Enforce\nmx: a.test\nmax_age: 1\n",
	    "not enforce, testing or none");
	bad_policy("version: STSv1\nmode: strict\nmx: a.test\nmax_age: 1\n", "mode");
	bad_policy("version: STSv1\nmx: a.test\nmax_age: 1\n", "no mode");
}
END_TEST

/* D39: max_age */
START_TEST(policy_max_age)
{
	bad_policy("version: STSv1\nmode: enforce\nmx: a.test\n", "no max_age");
	bad_policy("version: STSv1\nmode: enforce\nmx: a.test\nmax_age: -1\n", "digits");
	bad_policy("version: STSv1\nmode: enforce\nmx: a.test\nmax_age: 1e6\n", "digits");
	bad_policy("version: STSv1\nmode: enforce\nmx: a.test\nmax_age: 12345678901\n",
	    "digits");
	bad_policy("version: STSv1\nmode: enforce\nmx: a.test\nmax_age: 0x10\n", "digits");
	/* ambiguity P.10: at most 10 digits but over the cap: capped */
	struct sts_policy *p = ok_policy("version: STSv1\nmode: enforce\nmx: a.test\n"
	    "max_age: 99999999\n");
	ck_assert_uint_eq(p->max_age, STS_MAX_AGE_CAP);
	ck_assert(p->capped);
	ck_assert_ptr_nonnull(strstr(p->warning, "capped"));
	sts_policy_free(p);
	p = ok_policy("version: STSv1\nmode: enforce\nmx: a.test\nmax_age: 9999999999\n");
	ck_assert_uint_eq(p->max_age, STS_MAX_AGE_CAP);
	sts_policy_free(p);
	p = ok_policy("version: STSv1\nmode: enforce\nmx: a.test\nmax_age: 31557600\n");
	ck_assert(!p->capped);
	sts_policy_free(p);
}
END_TEST

/* D40: mx required unless mode none */
START_TEST(policy_mx_required)
{
	bad_policy("version: STSv1\nmode: enforce\nmax_age: 1\n", "at least one mx");
	bad_policy("version: STSv1\nmode: testing\nmax_age: 1\n", "at least one mx");
	struct sts_policy *p = ok_policy("version: STSv1\nmode: none\nmax_age: 1\n");
	sts_policy_free(p);
}
END_TEST

/* D41, D42: first non-mx field wins; every mx line counts */
START_TEST(policy_duplicates)
{
	struct sts_policy *p = ok_policy("version: STSv1\nmode: testing\nmx: mx1.example.test\n"
	    "mode: enforce\nmax_age: 100\nmax_age: 200\nmx: *.backup.test\n");

	ck_assert_int_eq(p->mode, STS_MODE_TESTING);
	ck_assert_uint_eq(p->max_age, 100);
	ck_assert_uint_eq(p->nmx, 2);
	ck_assert_str_eq(p->mx[1], "*.backup.test");
	ck_assert(sts_policy_match(p, "mx1.example.test"));
	ck_assert(sts_policy_match(p, "x.backup.test"));
	ck_assert(!sts_policy_match(p, "mx2.example.test"));
	ck_assert_ptr_nonnull(strstr(p->warning, "repeated"));
	sts_policy_free(p);
	/* the first one counts even when it is the bad one */
	bad_policy("version: STSv1\nmode: strict\nmode: enforce\nmx: a.test\nmax_age: 1\n",
	    "strict");
}
END_TEST

/* D43: unknown keys ignored, but they must fit the extension syntax */
START_TEST(policy_unknown_keys)
{
	struct sts_policy *p = ok_policy("version: STSv1\nfoo_bar: baz\nmode: enforce\n"
	    "mx: a.test\nmax_age: 1\nx.y-z: caf\xc3\xa9 au lait\n");

	ck_assert_str_eq(p->warning, "");
	ck_assert_uint_eq(p->nstrings, 6);
	sts_policy_free(p);
	bad_policy(GOOD "foo:\n", "no value");
	bad_policy(GOOD "this line has no colon\n", "name: value");
	bad_policy(GOOD "_foo: bar\n", "name: value");
	bad_policy(GOOD "foo : bar\n", "no space before the colon");
	bad_policy(GOOD "foo: a\tb\n", "TAB");
	bad_policy(GOOD "foo: \xff\n", "UTF-8");
	bad_policy(GOOD "foo: \xc0\xaf\n", "UTF-8");   /* overlong */
	bad_policy(GOOD "abcdefghijabcdefghijabcdefghijabc: x\n", "longer than 32");
	struct sts_policy *q = (void *)1;
	char err[128];
	static const char nul[] = "version: STSv1\0\nmode: none\nmax_age: 1\n";
	ck_assert_int_lt(sts_policy_parse(nul, sizeof(nul) - 1, &q, err, sizeof(err)), 0);
	ck_assert_ptr_nonnull(strstr(err, "NUL"));
	ck_assert_ptr_null(q);
}
END_TEST

/* D44: whitespace */
START_TEST(policy_whitespace)
{
	struct sts_policy *p = ok_policy("version:STSv1\nmode:enforce   \nmx:\t mx1.example.test \t\n"
	    "max_age:  86400\t\n");

	ck_assert_int_eq(p->mode, STS_MODE_ENFORCE);
	ck_assert_str_eq(p->mx[0], "mx1.example.test");
	ck_assert_uint_eq(p->max_age, 86400);
	/* policy-string keeps the line as served */
	ck_assert_str_eq(p->strings[1], "mode:enforce   ");
	sts_policy_free(p);
	/* empty and blank lines */
	p = ok_policy("\nversion: STSv1\n\n  \nmode: none\nmax_age: 5\n\n");
	ck_assert_uint_eq(p->nstrings, 3);
	sts_policy_free(p);
	/* leading white space is not part of the grammar */
	bad_policy(" version: STSv1\nmode: none\nmax_age: 5\n", "name: value");
}
END_TEST

/* D45, F57, ambiguity P.11: invalid patterns are kept and never match */
START_TEST(policy_bad_mx_patterns)
{
	const char *bad[] = { "mx*.example.test", "*mx.example.test", "mx.*.example.test",
		"*", "*.", "caf\xc3\xa9.example.test", "-a.test", "a-.test", "a..test",
		"mx1.example.test.", "a_b.test" };

	for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
		char body[256];
		snprintf(body, sizeof(body), "version: STSv1\nmode: enforce\nmx: %s\nmax_age: 1\n",
		    bad[i]);
		struct sts_policy *p = ok_policy(body);
		ck_assert_uint_eq(p->nmx, 1);
		ck_assert_uint_eq(p->nmx_bad, 1);
		ck_assert_msg(strstr(p->warning, "never matches") != NULL, "%s", p->warning);
		ck_assert(!sts_policy_match(p, "mx1.example.test"));
		ck_assert(!sts_policy_match(p, "mx.example.test"));
		ck_assert(!sts_mx_pattern_valid(bad[i]));
		sts_policy_free(p);
	}
	ck_assert(sts_mx_pattern_valid("xn--caf-dma.example.test"));
	ck_assert(sts_mx_match("xn--caf-dma.example.test", "XN--CAF-DMA.example.test."));
	ck_assert(!sts_mx_match("xn--caf-dma.example.test", "caf\xc3\xa9.example.test"));
}
END_TEST

/* F53-F56 */
START_TEST(mx_matching)
{
	ck_assert(sts_mx_match("mx1.example.test", "MX1.Example.Test."));
	ck_assert(sts_mx_match("MX1.EXAMPLE.TEST", "mx1.example.test"));
	ck_assert(sts_mx_match("*.example.test", "mx1.example.test"));
	ck_assert(sts_mx_match("*.example.test", "MX1.EXAMPLE.TEST."));
	ck_assert(!sts_mx_match("*.example.test", "example.test"));
	ck_assert(!sts_mx_match("*.example.test", "a.b.example.test"));
	ck_assert(!sts_mx_match("*.example.test", "mx1.example.test.evil.test"));
	ck_assert(!sts_mx_match("*.example.test", "mx1example.test"));
	ck_assert(!sts_mx_match("mx1.example.test", "mx1.example.tes"));
	ck_assert(!sts_mx_match("mx1.example.test", "xmx1.example.test"));
	ck_assert(!sts_mx_match("mx1.example.test", "mx1.example.test.."));
	ck_assert(!sts_mx_match("mx1.example.test", ""));
	ck_assert(!sts_mx_match("mx1.example.test", NULL));
	ck_assert(!sts_mx_match(NULL, "mx1.example.test"));
	ck_assert(!sts_mx_match("*.test", "test"));
	ck_assert(sts_mx_match("*.test", "example.test"));
	/* label and name lengths */
	char label64[80], host[300];
	memset(label64, 'a', 64);
	label64[64] = '\0';
	snprintf(host, sizeof(host), "%s.test", label64);
	ck_assert(!sts_mx_pattern_valid(host));
	label64[63] = '\0';
	snprintf(host, sizeof(host), "%s.test", label64);
	ck_assert(sts_mx_pattern_valid(host));
	ck_assert(sts_mx_match("*.test", host));
}
END_TEST

START_TEST(policy_text_roundtrip)
{
	const char *mx[] = { "mx1.example.test", "*.backup.test", NULL };
	const char *extra[] = { "foo: bar", NULL };
	struct sts_policy_spec spec = { .mode = "testing", .max_age = "86400", .mx = mx,
		.extra = extra };
	char *text = sts_policy_text(&spec);
	struct sts_policy *p;

	ck_assert_str_eq(text, "version: STSv1\r\nmode: testing\r\nmx: mx1.example.test\r\n"
	    "mx: *.backup.test\r\nmax_age: 86400\r\nfoo: bar\r\n");
	p = ok_policy(text);
	ck_assert_int_eq(p->mode, STS_MODE_TESTING);
	ck_assert_uint_eq(p->nmx, 2);
	sts_policy_free(p);
	free(text);
	/* "" drops a line, lf switches line ends; bad values are data */
	struct sts_policy_spec bad = { .version = "", .mode = "Enforce", .mx = mx, .lf = true };
	text = sts_policy_text(&bad);
	ck_assert_str_eq(text, "mode: Enforce\nmx: mx1.example.test\nmx: *.backup.test\n"
	    "max_age: 604800\n");
	bad_policy(text, "\"Enforce\" is not enforce");
	free(text);
}
END_TEST

/* ---- _mta-sts TXT (section B) ---- */

static void
txt_ok(const char *rec, const char *id)
{
	char got[STS_ID_MAX + 1], err[256] = "";

	ck_assert_msg(sts_txt_parse(rec, got, err, sizeof(err)) == 0, "\"%s\": %s", rec, err);
	ck_assert_str_eq(got, id);
}

static void
txt_bad(const char *rec, const char *needle)
{
	char got[STS_ID_MAX + 1], err[256] = "";

	ck_assert_msg(sts_txt_parse(rec, got, err, sizeof(err)) < 0, "accepted \"%s\"", rec);
	ck_assert_str_eq(got, "");
	ck_assert_msg(strstr(err, needle) != NULL, "\"%s\": error \"%s\" lacks \"%s\"", rec,
	    err, needle);
}

START_TEST(txt_records)
{
	txt_ok("v=STSv1; id=20240101T000000;", "20240101T000000");    /* B13 */
	txt_ok("v=STSv1; id=abc", "abc");
	txt_ok("v=STSv1;id=abc", "abc");
	txt_ok("v=STSv1 ;\tid=abc ; ", "abc");
	txt_ok("v=STSv1; id=abc; ext=1;", "abc");                       /* B19 */
	txt_ok("v=STSv1; ext=1; id=abc", "abc");
	txt_ok("v=STSv1; id=abc; id=def", "abc");
	txt_ok("v=STSv1; id=abcdefghijabcdefghijabcdefghij12", "abcdefghijabcdefghijabcdefghij12");
	txt_bad("v=STSv1; id=abcdefghijabcdefghijabcdefghij123", "longer than 32"); /* B17 */
	txt_bad("v=STSv1; id=abc-def", "letters and digits");
	txt_bad("v=STSv1; id=abc_def", "letters and digits");
	txt_bad("v=STSv1;", "no field");
	txt_bad("v=STSv1; ext=1", "no id");
	txt_bad("v=STSv2; id=abc", "begin");
	txt_bad("v=stsv1; id=abc", "begin");
	txt_bad("id=abc; v=STSv1", "begin");                             /* B16 */
	txt_bad("v=STSv1", "begin");
	txt_bad("v=STSv10; id=abc", "begin");
	txt_bad("v=STSv1; id=", "empty value");
	txt_bad("v=STSv1; id=abc; ;", "bad field name");
	txt_bad("v=STSv1; id=abc ", "white space at the end");
	txt_bad("v=STSv1; id=abc; ext=a b", "space");
	txt_bad("v=STSv1; id=abc; ext=a=b", "=");
	txt_bad("v=STSv1; id abc", "no \"=\"");
}
END_TEST

START_TEST(txt_selection)
{
	char id[STS_ID_MAX + 1], err[256];
	/* B14: one STS among others */
	const char *two[] = { "v=spf1 -all", "v=STSv1; id=abc" };
	ck_assert_int_eq(sts_txt_select(two, 2, id, err, sizeof(err)), STS_TXT_OK);
	ck_assert_str_eq(id, "abc");
	/* B15: two STS records */
	const char *dup[] = { "v=STSv1; id=a", "v=STSv1; id=b" };
	ck_assert_int_eq(sts_txt_select(dup, 2, id, err, sizeof(err)), STS_TXT_MANY);
	ck_assert_str_eq(id, "");
	ck_assert_ptr_nonnull(strstr(err, "2 TXT records"));
	/* a broken second STS record still counts */
	const char *dup2[] = { "v=STSv1; id=a", "v=STSv1; bogus" };
	ck_assert_int_eq(sts_txt_select(dup2, 2, id, err, sizeof(err)), STS_TXT_MANY);
	/* B16 and none at all */
	const char *rev[] = { "id=abc; v=STSv1", "v=spf1 -all" };
	ck_assert_int_eq(sts_txt_select(rev, 2, id, err, sizeof(err)), STS_TXT_NONE);
	ck_assert_int_eq(sts_txt_select(NULL, 0, id, err, sizeof(err)), STS_TXT_NONE);
	/* B17: one, malformed */
	const char *bad[] = { "v=STSv1; id=a-b" };
	ck_assert_int_eq(sts_txt_select(bad, 1, id, err, sizeof(err)), STS_TXT_INVALID);
	/* B18: the strings of a TXT RR joined without spaces */
	const char *joined[] = { "v=STSv1; " "id=abc123" };
	ck_assert_int_eq(sts_txt_select(joined, 1, id, err, sizeof(err)), STS_TXT_OK);
	ck_assert_str_eq(id, "abc123");
}
END_TEST

/* ---- _smtp._tls TXT (section N) ---- */

START_TEST(tlsrpt_txt)
{
	struct sts_tlsrpt_txt *t;
	char err[256];

	ck_assert_int_eq(sts_tlsrpt_txt_parse("v=TLSRPTv1; rua=mailto:tlsrpt@example.test",
	    &t, err, sizeof(err)), 0);
	ck_assert_uint_eq(t->nrua, 1);
	ck_assert_str_eq(t->rua[0], "mailto:tlsrpt@example.test");
	sts_tlsrpt_txt_free(t);
	/* N145: joined strings, unknown fields */
	ck_assert_int_eq(sts_tlsrpt_txt_parse("v=TLSRPTv1;" "rua=https://r.example.test/v1",
	    &t, err, sizeof(err)), 0);
	ck_assert_str_eq(t->rua[0], "https://r.example.test/v1");
	sts_tlsrpt_txt_free(t);
	ck_assert_int_eq(sts_tlsrpt_txt_parse("v=TLSRPTv1; rua=mailto:a@x.test; foo=bar",
	    &t, err, sizeof(err)), 0);
	sts_tlsrpt_txt_free(t);
	/* N146: several URIs, with and without white space; others ignored */
	ck_assert_int_eq(sts_tlsrpt_txt_parse("v=TLSRPTv1; rua=mailto:a@x.test , "
	    "https://r.example.test/tlsrpt,ftp://f.test/x", &t, err, sizeof(err)), 0);
	ck_assert_uint_eq(t->nrua, 2);
	ck_assert_str_eq(t->rua[1], "https://r.example.test/tlsrpt");
	ck_assert_uint_eq(t->nignored, 1);
	sts_tlsrpt_txt_free(t);
	ck_assert_int_eq(sts_tlsrpt_txt_parse("v=TLSRPTv1; rua=https://r.test/a%2Cb", &t,
	    err, sizeof(err)), 0);
	sts_tlsrpt_txt_free(t);

	const char *bad[] = { "rua=mailto:a@x.test; v=TLSRPTv1", "v=TLSRPTv1;",
		"v=TLSRPTv1; foo=bar", "v=TLSRPTv1; rua=ftp://x.test/",
		"v=TLSRPTv1; rua=mailto:", "v=TLSRPTv1; rua=mailto:a@x.test,",
		"v=TLSRPTv1; rua=https://r.test/a!b", "v=TLSRPTv1; rua=https://r.test/%zz",
		"v=TLSRPTv1; rua=mailto:a@x.test https://r.test/", "v=tlsrptv1; rua=mailto:a@x.test",
		"v=TLSRPTv1; rua=https:///path" };
	for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
		t = (void *)1;
		ck_assert_msg(sts_tlsrpt_txt_parse(bad[i], &t, err, sizeof(err)) < 0,
		    "accepted \"%s\"", bad[i]);
		ck_assert_ptr_null(t);
	}
}
END_TEST

/* N144 */
START_TEST(tlsrpt_txt_selection)
{
	struct sts_tlsrpt_txt *t;
	char err[256];
	const char *one[] = { "v=TLSRPTv1; rua=mailto:tlsrpt@example.test" };
	const char *two[] = { "v=TLSRPTv1; rua=mailto:a@example.test",
		"v=TLSRPTv1; rua=mailto:b@example.test" };
	const char *spf[] = { "v=spf1 -all", "v=TLSRPTv1; rua=mailto:a@example.test" };
	const char *rev[] = { "rua=mailto:a@example.test; v=TLSRPTv1" };

	ck_assert_int_eq(sts_tlsrpt_txt_select(one, 1, &t, err, sizeof(err)), STS_TXT_OK);
	sts_tlsrpt_txt_free(t);
	ck_assert_int_eq(sts_tlsrpt_txt_select(two, 2, &t, err, sizeof(err)), STS_TXT_MANY);
	ck_assert_ptr_null(t);
	ck_assert_int_eq(sts_tlsrpt_txt_select(spf, 2, &t, err, sizeof(err)), STS_TXT_OK);
	ck_assert_str_eq(t->rua[0], "mailto:a@example.test");
	sts_tlsrpt_txt_free(t);
	ck_assert_int_eq(sts_tlsrpt_txt_select(rev, 1, &t, err, sizeof(err)), STS_TXT_NONE);
	sts_tlsrpt_txt_free(NULL);
}
END_TEST

/* ---- mutations: no crash, and what is accepted keeps the invariants ---- */

static uint64_t rng_state = 0x2545f4914f6cdd1dull;

static uint32_t
rnd(uint32_t n)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (uint32_t)(rng_state % n);
}

static size_t
mutate(char *s, size_t len, size_t cap)
{
	static const char alphabet[] = "\r\n :;=*.-_\tv0aZ\xc3\xa9";

	for (unsigned k = 1 + rnd(3); k > 0 && len > 0; k--) {
		size_t at = rnd((uint32_t)len);
		char c = alphabet[rnd(sizeof(alphabet) - 1)];
		switch (rnd(3)) {
		case 0:
			s[at] = c;
			break;
		case 1:
			if (len + 1 < cap) {
				memmove(s + at + 1, s + at, len - at);
				s[at] = c;
				len++;
			}
			break;
		default:
			memmove(s + at, s + at + 1, len - at - 1);
			len--;
		}
	}
	s[len] = '\0';
	return len;
}

START_TEST(mutations)
{
	static const char *const policies[] = { GOOD, "version: STSv1\nmode: testing\n"
		"mx: *.example.test\nmx: mx2.example.test\nmax_age: 86400\nx: y\n" };
	static const char *const txts[] = { "v=STSv1; id=20240101T000000;",
		"v=TLSRPTv1; rua=mailto:a@x.test,https://r.example.test/v1; e=1" };
	unsigned ok = 0, bad = 0;
	char buf[512], err[256], id[STS_ID_MAX + 1];

	for (unsigned it = 0; it < 20000; it++) {
		const char *seed = policies[rnd(2)];
		size_t len = mutate(memcpy(buf, seed, strlen(seed)), strlen(seed), sizeof(buf));
		struct sts_policy *p;

		if (sts_policy_parse(buf, len, &p, err, sizeof(err)) < 0) {
			if (p != NULL || err[0] == '\0')
				ck_abort_msg("rejected without an error: %s", buf);
			bad++;
			continue;
		}
		ok++;
		if (p->max_age > STS_MAX_AGE_CAP || p->nmx_bad > p->nmx ||
		    (p->nmx == 0 && p->mode != STS_MODE_NONE) || p->nstrings < 3)
			ck_abort_msg("accepted with broken invariants: %s", buf);
		for (size_t i = 0; i < p->nmx; i++)
			(void)sts_policy_match(p, p->mx[i]);
		sts_policy_free(p);

		seed = txts[rnd(2)];
		len = mutate(memcpy(buf, seed, strlen(seed) + 1), strlen(seed), sizeof(buf));
		if (sts_txt_parse(buf, id, err, sizeof(err)) == 0) {
			size_t n = strlen(id);
			if (n == 0 || n > STS_ID_MAX || strncmp(buf, "v=STSv1", 7) != 0)
				ck_abort_msg("bad id from %s", buf);
		}
		struct sts_tlsrpt_txt *t;
		if (sts_tlsrpt_txt_parse(buf, &t, err, sizeof(err)) == 0) {
			if (t->nrua == 0)
				ck_abort_msg("no rua from %s", buf);
			sts_tlsrpt_txt_free(t);
		}
	}
	ck_assert_uint_gt(ok, 1000);
	ck_assert_uint_gt(bad, 1000);
}
END_TEST

static Suite *
sts_suite(void)
{
	Suite *s = suite_create("sts");
	TCase *p = tcase_create("policy");
	TCase *t = tcase_create("txt");

	tcase_add_test(p, policy_valid_crlf);
	tcase_add_test(p, policy_lf_and_mixed);
	tcase_add_test(p, policy_version);
	tcase_add_test(p, policy_mode);
	tcase_add_test(p, policy_max_age);
	tcase_add_test(p, policy_mx_required);
	tcase_add_test(p, policy_duplicates);
	tcase_add_test(p, policy_unknown_keys);
	tcase_add_test(p, policy_whitespace);
	tcase_add_test(p, policy_bad_mx_patterns);
	tcase_add_test(p, mx_matching);
	tcase_add_test(p, policy_text_roundtrip);
	tcase_add_test(t, txt_records);
	tcase_add_test(t, txt_selection);
	tcase_add_test(t, tlsrpt_txt);
	tcase_add_test(t, tlsrpt_txt_selection);
	tcase_add_test(t, mutations);
	suite_add_tcase(s, p);
	suite_add_tcase(s, t);
	return s;
}

TEST_MAIN(sts_suite)
