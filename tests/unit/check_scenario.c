/*
 * check_scenario: sim/scenario*.c.  The good fixtures under
 * tests/data/scenarios/good convert field by field (values, defaults,
 * phase worlds deep-copied with `set` applied, source lines); every bad
 * fixture under tests/data/scenarios/bad fails with the message its
 * first line names ("-- expect: file.lua:LINE: ..."); durations, clock
 * strings, finding files and ids; and every file of the repository's
 * scenarios/ library loads (skipped while there is none).
 */
#include "sim/scenario.h"
#include "core/util.h"
#include "tests/unit/testutil.h"

#include <ctype.h>
#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define GOOD "tests/data/scenarios/good/"
#define BAD "tests/data/scenarios/bad"

static struct scenario *
load_ok(const char *rel)
{
	struct scenario *s = NULL;
	char err[1024] = "";

	ck_assert_msg(scenario_load(tu_path(rel), NULL, &s, err, sizeof(err)) == 0,
	    "%s: %s", rel, err);
	ck_assert_ptr_nonnull(s);
	return s;
}

static void
strv_eq(char *const *v, size_t n, const char *const *want, size_t nwant)
{
	ck_assert_uint_eq(n, nwant);
	for (size_t i = 0; i < n; i++)
		ck_assert_str_eq(v[i], want[i]);
	ck_assert_ptr_null(v[n]);
}

#define STRV_EQ(v, n, ...) do {                                         \
	static const char *const want_[] = { __VA_ARGS__ };             \
	strv_eq((v), (n), want_, ARRAY_LEN(want_));                     \
} while (0)

START_TEST(test_full)
{
	struct scenario *s = load_ok(GOOD "full.lua");
	const struct scn_world *w;
	const struct scn_mx *m;
	const struct scn_attack *a;

	ck_assert_str_eq(s->id, "full");
	ck_assert_str_eq(s->path, tu_path(GOOD "full.lua"));
	ck_assert_str_eq(s->title, "Every field");
	STRV_EQ(s->refs, s->nrefs, "RFC 3207 4", "RFC 8460 4.3");
	ck_assert_str_eq(s->domain, "example.test");
	ck_assert_int_eq(s->clock, 1772600767);
	ck_assert_uint_eq(s->timeout_s, 7200);
	ck_assert_uint_eq(s->nphases, 1);
	ck_assert_int_eq(s->phases[0].deliver, 3);
	ck_assert_uint_eq(s->phases[0].advance_s, 0);
	ck_assert_int_eq(s->phases[0].line, 2);
	STRV_EQ(s->phases[0].expect.delivery, s->phases[0].expect.ndelivery,
	    "plaintext", "refused");
	STRV_EQ(s->phases[0].expect.tlsrpt, s->phases[0].expect.ntlsrpt,
	    "starttls-not-supported", "certificate-expired");
	ck_assert_int_eq(s->phases[0].expect.leak, 1);

	w = &s->phases[0].world;
	ck_assert_str_eq(w->dnssec, "insecure");
	ck_assert_str_eq(w->sender_tls, "encrypt");
	ck_assert_ptr_null(w->submit);
	STRV_EQ(w->dns, w->ndns, "www.example.test. 300 IN A 127.0.0.80");
	STRV_EQ(w->tlsrpt_rua, w->ntlsrpt_rua, "mailto:tlsrpt@example.test",
	    "https://r.example.test/v1");
	ck_assert_uint_eq(w->nmx, 3);

	m = &w->mx[0];
	ck_assert_str_eq(m->host, "mx1.example.test");
	ck_assert_int_eq(m->pref, 5);
	ck_assert_str_eq(m->addr, "127.25.1.1");
	ck_assert_str_eq(m->cert.variant, "wrong-host");
	ck_assert_ptr_null(m->cert.san);
	ck_assert_int_eq(m->line, 11);
	/* replies in the fixed step order, steps in their canonical case */
	ck_assert_uint_eq(m->nreplies, 4);
	ck_assert_str_eq(m->replies[0].step, "banner");
	ck_assert_str_eq(m->replies[0].text, "220-first\n220 second");
	ck_assert_str_eq(m->replies[1].step, "STARTTLS");
	ck_assert_str_eq(m->replies[1].text, "454 4.7.0 not now");
	ck_assert_str_eq(m->replies[2].step, "RCPT");
	ck_assert_str_eq(m->replies[2].text, "");
	ck_assert_str_eq(m->replies[3].step, "QUIT");
	ck_assert_ptr_null(m->replies[3].text);
	STRV_EQ(m->ehlo, 2, "PIPELINING", "SIZE 1000");

	m = &w->mx[1];
	ck_assert_int_eq(m->pref, 20);
	ck_assert_ptr_null(m->addr);
	ck_assert_int_eq(m->line, 16);
	ck_assert_str_eq(m->cert.variant, "custom");
	STRV_EQ(m->cert.san, 2, "*.example.test", "mx2.example.test");
	ck_assert_str_eq(m->cert.cn, "mx2");
	ck_assert(!m->cert.no_san);
	ck_assert_int_eq(m->cert.not_before, 1767225600);
	ck_assert_int_eq(m->cert.not_after, 1798761600);
	ck_assert_str_eq(m->cert.key, "rsa");
	ck_assert_str_eq(m->cert.issuer, "untrusted");
	ck_assert_ptr_null(m->ehlo);

	m = &w->mx[2];
	ck_assert_int_eq(m->pref, 30);
	ck_assert_str_eq(m->cert.variant, "expired");
	ck_assert_ptr_null(m->cert.key);
	ck_assert_ptr_nonnull(m->ehlo);     /* an empty override, not none */
	ck_assert_ptr_null(m->ehlo[0]);
	ck_assert_uint_eq(m->nreplies, 0);

	ck_assert_uint_eq(w->nattacks, 8);
	a = w->attacks;
	ck_assert_str_eq(a[0].name, "strip_starttls");
	ck_assert_str_eq(a[0].host, "mx1.example.test");
	ck_assert_int_eq(a[0].port, 0);
	ck_assert_ptr_null(a[0].mode);
	ck_assert(a[0].relay);
	ck_assert_ptr_null(a[0].cert.variant);
	ck_assert_int_eq(a[0].line, 26);
	ck_assert_str_eq(a[1].mode, "reply");
	ck_assert_int_eq(a[1].code, 454);
	ck_assert_int_eq(a[1].port, 25);
	ck_assert_ptr_null(a[1].text);
	ck_assert_int_eq(a[2].code, 530);
	ck_assert_str_eq(a[2].text, "5.7.0 go away");
	ck_assert_str_eq(a[3].mode, "drop");
	ck_assert_int_eq(a[3].code, 0);
	ck_assert_str_eq(a[4].name, "swap_cert");
	ck_assert_str_eq(a[4].cert.variant, "attacker");
	ck_assert(a[4].relay);
	ck_assert(!a[5].relay);
	ck_assert_int_eq(a[5].port, 587);
	ck_assert_str_eq(a[5].cert.variant, "custom");
	ck_assert(a[5].cert.no_san);
	ck_assert_str_eq(a[5].cert.cn, "evil");
	ck_assert_str_eq(a[6].name, "block");
	ck_assert_str_eq(a[6].mode, "refuse");
	ck_assert_str_eq(a[7].mode, "blackhole");
	ck_assert_str_eq(a[7].host, "MX3.example.test");
	ck_assert_int_eq(a[7].port, 465);
	ck_assert_int_eq(a[7].line, 35);
	scenario_free(s);
	scenario_free(NULL);
}
END_TEST

START_TEST(test_defaults)
{
	struct scenario *s = load_ok(GOOD "minimal.lua");
	const struct scn_world *w = &s->phases[0].world;

	ck_assert_str_eq(s->id, "minimal");
	ck_assert_uint_eq(s->nrefs, 0);
	ck_assert_ptr_nonnull(s->refs);
	ck_assert_int_eq(s->clock, 1780272000);
	ck_assert_uint_eq(s->timeout_s, 3600);
	ck_assert_uint_eq(s->nphases, 1);
	ck_assert_int_eq(s->phases[0].deliver, 1);
	ck_assert_int_eq(s->phases[0].expect.leak, -1);
	ck_assert_uint_eq(s->phases[0].expect.ntlsrpt, 0);
	STRV_EQ(s->phases[0].expect.delivery, s->phases[0].expect.ndelivery,
	    "verified");
	ck_assert_str_eq(w->dnssec, "insecure");
	ck_assert_str_eq(w->sender_tls, "may");
	ck_assert_ptr_null(w->submit);
	ck_assert_uint_eq(w->ndns, 0);
	ck_assert_uint_eq(w->nattacks, 0);
	ck_assert_uint_eq(w->ntlsrpt_rua, 0);
	ck_assert_uint_eq(w->nmx, 2);
	for (size_t i = 0; i < 2; i++) {
		ck_assert_int_eq(w->mx[i].pref, (int)(10 * (i + 1)));
		ck_assert_str_eq(w->mx[i].cert.variant, "valid");
		ck_assert_ptr_null(w->mx[i].addr);
		ck_assert_ptr_null(w->mx[i].ehlo);
		ck_assert_uint_eq(w->mx[i].nreplies, 0);
		ck_assert_int_eq(w->mx[i].line, 6);
	}
	scenario_free(s);

	s = load_ok(GOOD "submit.lua");
	w = &s->phases[0].world;
	ck_assert_uint_eq(s->timeout_s, 600);
	ck_assert_ptr_nonnull(w->submit);
	ck_assert_str_eq(w->submit->host, "mx1.example.test");
	ck_assert_str_eq(w->submit->tls, "implicit");
	ck_assert_int_eq(w->submit->port, 465);
	ck_assert_uint_eq(w->nmx, 1);   /* the submit host stands in for mx */
	ck_assert_str_eq(w->mx[0].host, "mx1.example.test");
	ck_assert_str_eq(w->mx[0].cert.variant, "valid");
	ck_assert_int_eq(w->mx[0].line, 6);
	scenario_free(s);

	s = load_ok(GOOD "helpers.lua");
	w = &s->phases[0].world;
	ck_assert_str_eq(s->title, "Built by code");
	ck_assert_uint_eq(w->nmx, 2);
	ck_assert_str_eq(w->mx[1].host, "mx2.example.test");
	ck_assert_int_eq(w->mx[1].pref, 20);
	ck_assert_str_eq(w->mx[0].cert.variant, "valid");
	ck_assert_str_eq(w->mx[1].cert.variant, "expired");
	scenario_free(s);
}
END_TEST

START_TEST(test_phases)
{
	struct scenario *s = load_ok(GOOD "phases.lua");
	const struct scn_world *w0, *w1, *w2, *w3;

	ck_assert_uint_eq(s->nphases, 4);
	w0 = &s->phases[0].world;
	w1 = &s->phases[1].world;
	w2 = &s->phases[2].world;
	w3 = &s->phases[3].world;
	ck_assert_int_eq(s->phases[0].line, 11);
	ck_assert_int_eq(s->phases[1].line, 12);
	ck_assert_int_eq(s->phases[3].line, 22);

	/* phase 1: the top-level world */
	ck_assert_int_eq(s->phases[0].deliver, 2);
	ck_assert_uint_eq(s->phases[0].advance_s, 0);
	ck_assert_int_eq(s->phases[0].expect.leak, 0);
	ck_assert_uint_eq(w0->nmx, 2);
	ck_assert_uint_eq(w0->nattacks, 1);
	ck_assert_str_eq(w0->attacks[0].mode, "reset");
	ck_assert_str_eq(w0->sender_tls, "may");
	ck_assert_uint_eq(w0->ndns, 0);
	STRV_EQ(w0->tlsrpt_rua, w0->ntlsrpt_rua, "https://tlsrpt.example.test/v1");

	/* phase 2: mx, attack, sender_tls, dns replaced; tlsrpt kept */
	ck_assert_uint_eq(s->phases[1].advance_s, 7200);
	ck_assert_int_eq(s->phases[1].deliver, 1);
	ck_assert_uint_eq(w1->nmx, 1);
	ck_assert_str_eq(w1->mx[0].host, "mx3.example.test");
	ck_assert_int_eq(w1->mx[0].pref, 5);
	ck_assert_str_eq(w1->mx[0].cert.variant, "expired");
	ck_assert_uint_eq(w1->nattacks, 0);
	ck_assert_str_eq(w1->sender_tls, "secure");
	STRV_EQ(w1->dns, w1->ndns, "extra.example.test. 60 IN TXT \"x\"");
	STRV_EQ(w1->tlsrpt_rua, w1->ntlsrpt_rua, "https://tlsrpt.example.test/v1");
	ck_assert_ptr_ne(w1->tlsrpt_rua[0], w0->tlsrpt_rua[0]);
	STRV_EQ(s->phases[1].expect.tlsrpt, s->phases[1].expect.ntlsrpt,
	    "certificate-expired");

	/* phase 3: attack and submit set, the rest from phase 2 */
	ck_assert_uint_eq(s->phases[2].advance_s, 90);
	ck_assert_uint_eq(w2->nattacks, 1);
	ck_assert_str_eq(w2->attacks[0].name, "strip_starttls");
	ck_assert_ptr_nonnull(w2->submit);
	ck_assert_str_eq(w2->submit->tls, "optional");
	ck_assert_int_eq(w2->submit->port, 587);
	ck_assert_str_eq(w2->sender_tls, "secure");
	ck_assert_uint_eq(w2->ndns, 1);
	ck_assert_str_eq(w2->mx[0].host, "mx3.example.test");
	ck_assert_ptr_ne(w2->mx[0].host, w1->mx[0].host);
	STRV_EQ(s->phases[2].expect.delivery, s->phases[2].expect.ndelivery,
	    "plaintext", "refused");

	/* phase 4: no set, a deep copy of phase 3 */
	ck_assert_uint_eq(s->phases[3].advance_s, 3 * 86400);
	ck_assert_uint_eq(w3->nmx, 1);
	ck_assert_str_eq(w3->mx[0].cert.variant, "expired");
	ck_assert_ptr_ne(w3->mx[0].cert.variant, w2->mx[0].cert.variant);
	ck_assert_ptr_nonnull(w3->submit);
	ck_assert_ptr_ne(w3->submit, w2->submit);
	ck_assert_str_eq(w3->submit->host, "mx3.example.test");
	ck_assert_ptr_ne(w3->attacks, w2->attacks);
	ck_assert_str_eq(w3->attacks[0].host, "mx3.example.test");
	ck_assert_int_eq(w3->attacks[0].line, w2->attacks[0].line);
	STRV_EQ(s->phases[3].expect.delivery, s->phases[3].expect.ndelivery, "tls");
	scenario_free(s);
}
END_TEST

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* "path:LINE: ..." with the path exactly as given. */
static void
assert_located(const char *path, const char *err)
{
	size_t n = strlen(path), i;

	ck_assert_msg(strncmp(err, path, n) == 0 && err[n] == ':',
	    "no path prefix: %s", err);
	for (i = n + 1; isdigit((unsigned char)err[i]); i++)
		;
	ck_assert_msg(i > n + 1 && err[i] == ':', "no line number: %s", err);
}

START_TEST(test_tlsa)
{
	struct scenario *s = load_ok(GOOD "dane.lua");
	const struct scn_world *w = &s->phases[0].world;

	ck_assert_str_eq(w->dnssec, "secure");
	ck_assert_uint_eq(w->ntlsa, 2);
	ck_assert_str_eq(w->tlsa[0].host, "mx1.example.test");
	STRV_EQ(w->tlsa[0].rrs, w->tlsa[0].nrrs, "3 1 1 auto",
	    "DANE-EE SPKI SHA2-256 abababababababababababababababababababab"
	    "abababababababababababab");
	ck_assert_str_eq(w->tlsa[1].host, "mx2.example.test");
	STRV_EQ(w->tlsa[1].rrs, w->tlsa[1].nrrs, "2 0 1 ca");
	/* phase 2: a deep copy, dnssec replaced */
	w = &s->phases[1].world;
	ck_assert_str_eq(w->dnssec, "bogus");
	ck_assert_uint_eq(w->ntlsa, 2);
	ck_assert_ptr_ne(w->tlsa, s->phases[0].world.tlsa);
	ck_assert_ptr_ne(w->tlsa[0].rrs[0], s->phases[0].world.tlsa[0].rrs[0]);
	ck_assert_str_eq(w->tlsa[1].rrs[0], "2 0 1 ca");
	/* phase 3: every TLSA RRset withdrawn */
	w = &s->phases[2].world;
	ck_assert_uint_eq(w->ntlsa, 0);
	ck_assert_ptr_null(w->tlsa);
	ck_assert_str_eq(w->dnssec, "bogus");
	scenario_free(s);
}
END_TEST

START_TEST(test_bad_fixtures)
{
	DIR *d = opendir(tu_path(BAD));
	struct dirent *de;
	char **names = NULL;
	size_t n = 0;

	ck_assert_ptr_nonnull(d);
	while ((de = readdir(d)) != NULL) {
		size_t len = strlen(de->d_name);
		if (len > 4 && strcmp(de->d_name + len - 4, ".lua") == 0) {
			names = xrealloc(names, (n + 1) * sizeof(*names));
			names[n++] = xstrdup(de->d_name);
		}
	}
	closedir(d);
	qsort(names, n, sizeof(*names), cmp_str);
	ck_assert_uint_ge(n, 15);
	for (size_t i = 0; i < n; i++) {
		char rel[512], line[512], err[2048] = "", *want;
		struct scenario *s = (void *)1;
		const char *path;
		FILE *f;

		snprintf(rel, sizeof(rel), BAD "/%s", names[i]);
		path = tu_path(rel);
		f = fopen(path, "r");
		ck_assert_ptr_nonnull(f);
		ck_assert_ptr_nonnull(fgets(line, sizeof(line), f));
		fclose(f);
		line[strcspn(line, "\n")] = '\0';
		ck_assert_msg(strncmp(line, "-- expect: ", 11) == 0,
		    "%s: first line must be \"-- expect: ...\"", names[i]);
		want = line + 11;
		ck_assert_msg(strstr(want, ".lua:") != NULL,
		    "%s: the expectation must name file:line", names[i]);
		ck_assert_msg(scenario_load(path, "bad", &s, err, sizeof(err)) == -1,
		    "%s loaded", names[i]);
		ck_assert_ptr_null(s);
		ck_assert_msg(strstr(err, want) != NULL, "%s:\n  want: %s\n  got:  %s",
		    names[i], want, err);
		assert_located(path, err);
		free(names[i]);
	}
	free(names);
}
END_TEST

START_TEST(test_load_string)
{
	static const char good[] =
	    "return { title = 't', refs = {}, domain = 'a.test',\n"
	    "  mx = { { host = 'mx.a.test' } },\n"
	    "  expect = { delivery = 'refused' } }";
	static const struct {
		const char *src;
		const char *want;
	} bad[] = {
		/* a call form: return f { ... } */
		{ "local function scenario(t) return t end\nreturn scenario {\n"
		  "  title = 1,\n}", "mem.lua:3: title: expected string, got number" },
		/* raw access: a metatable cannot supply required fields */
		{ "return setmetatable({}, { __index = function() error('x') end })",
		  "mem.lua:1: title: missing required field" },
		/* the smallest of several unknown keys, every time */
		{ "return {\n  zeta = 1,\n  title = 't',\n  alpha = 2,\n}",
		  "mem.lua:4: unknown key \"alpha\"" },
		{ "return { title = 't', refs = { 'a', 7 } }",
		  "mem.lua:1: refs[2]: expected string, got number" },
		{ "return { title = 't', refs = { [1] = 'a', [3] = 'c' } }",
		  "refs: not a proper list" },
		{ "return { title = 't', refs = {}, domain = 'a.test',\n"
		  "  mx = { { host = 'mx.a.test', addr = '127.53.0.1' } },\n"
		  "  expect = { delivery = 'refused' } }",
		  "mem.lua:2: mx[1].addr: 127.53.0.1 is reserved" },
		{ "return { title = 't', refs = {}, domain = 'a.test',\n"
		  "  mx = { { host = 'a.a.test' }, { host = 'b.a.test',\n"
		  "    addr = '127.25.0.11' } },\n"
		  "  expect = { delivery = 'refused' } }",
		  "mem.lua:3: mx[2].addr: address 127.25.0.11 is also the address of "
		  "mx[1]" },
		{ "return { title = 't', refs = {}, domain = 'a.test',\n"
		  "  mx = { { host = 'mx.a.test' } },\n"
		  "  expect = { delivery = {} } }",
		  "mem.lua:3: expect.delivery: needs at least 1 value" },
	};
	struct scenario *s;
	char err[1024];

	ck_assert_int_eq(scenario_load_string("dir/mem.lua", good, strlen(good),
	    &s, err, sizeof(err)), 0);
	ck_assert_str_eq(s->id, "mem");
	ck_assert_str_eq(s->path, "dir/mem.lua");
	scenario_free(s);
	for (size_t i = 0; i < ARRAY_LEN(bad); i++)
		for (int k = 0; k < 3; k++) {
			ck_assert_int_eq(scenario_load_string("mem.lua", bad[i].src,
			    strlen(bad[i].src), &s, err, sizeof(err)), -1);
			ck_assert_ptr_null(s);
			ck_assert_msg(strstr(err, bad[i].want) != NULL,
			    "case %zu: want \"%s\", got \"%s\"", i, bad[i].want, err);
		}
}
END_TEST

START_TEST(test_duration_time)
{
	static const char *const bad_dur[] = {
		"", "h", "2x", "-5", "2 h", "1.5h", "2hh", " 2h", "2H",
		"99999999999999999999", "9999999999999999d",
	};
	static const char *const bad_time[] = {
		"2026-02-29T00:00:00Z", "2100-02-29T00:00:00Z",
		"2026-13-01T00:00:00Z", "2026-00-10T00:00:00Z",
		"2026-06-01 00:00:00Z", "2026-06-01T00:00:00z",
		"2026-06-01T24:00:00Z", "2026-06-01T00:60:00Z",
		"2026-06-01T00:00:60Z", "2026-06-01T00:00:00Z ",
		"1969-12-31T23:59:59Z", "2026-6-01T00:00:00Z", "",
		"2026-06-31T00:00:00Z", "+026-06-01T00:00:00Z",
	};

	ck_assert_int_eq(scenario_parse_duration("30s"), 30);
	ck_assert_int_eq(scenario_parse_duration("5m"), 300);
	ck_assert_int_eq(scenario_parse_duration("2h"), 7200);
	ck_assert_int_eq(scenario_parse_duration("3d"), 259200);
	ck_assert_int_eq(scenario_parse_duration("90"), 90);
	ck_assert_int_eq(scenario_parse_duration("0"), 0);
	ck_assert_int_eq(scenario_parse_duration(NULL), -1);
	for (size_t i = 0; i < ARRAY_LEN(bad_dur); i++)
		ck_assert_msg(scenario_parse_duration(bad_dur[i]) == -1,
		    "\"%s\" parsed", bad_dur[i]);

	ck_assert_int_eq(scenario_parse_time("2026-06-01T00:00:00Z"), 1780272000);
	ck_assert_int_eq(scenario_parse_time("2028-02-29T12:00:00Z"), 1835438400);
	ck_assert_int_eq(scenario_parse_time("2000-02-29T00:00:00Z"), 951782400);
	ck_assert_int_eq(scenario_parse_time("1970-01-01T00:00:00Z"), 0);
	ck_assert_int_eq(scenario_parse_time(NULL), -1);
	for (size_t i = 0; i < ARRAY_LEN(bad_time); i++)
		ck_assert_msg(scenario_parse_time(bad_time[i]) == -1,
		    "\"%s\" parsed", bad_time[i]);
}
END_TEST

static char tmpdir[256];

static void
touch(const char *rel)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", tmpdir, rel);
	for (char *p = path + strlen(tmpdir) + 1; (p = strchr(p, '/')) != NULL; p++) {
		*p = '\0';
		mkdir(path, 0755);
		*p = '/';
	}
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fclose(f);
}

static void
free_list(char **v, int n)
{
	for (int i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

START_TEST(test_find)
{
	char *args[3], a[300], b[300], c[300], err[512];
	char **files, **ids;
	int n;

	snprintf(tmpdir, sizeof(tmpdir), "/tmp/check_scenario.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
	touch("lib/x.lua");
	touch("lib/b.lua");
	touch("lib/sub/y.lua");
	touch("lib/sub/deeper/z.lua");
	touch("lib/_skip/z.lua");
	touch("lib/.hidden/z.lua");
	touch("lib/_template.lua");
	touch("lib/.swap.lua");
	touch("lib/readme.txt");
	touch("empty/readme.txt");
	touch("scenarios/starttls/one.lua");

	/* a folder: sorted by path, ids relative to it, hidden ones skipped */
	snprintf(a, sizeof(a), "%s/lib/", tmpdir);
	args[0] = a;
	n = scenario_find(args, 1, &files, &ids, err, sizeof(err));
	ck_assert_int_eq(n, 4);
	snprintf(b, sizeof(b), "%s/lib/b.lua", tmpdir);
	ck_assert_str_eq(files[0], b);
	ck_assert_str_eq(ids[0], "b");
	ck_assert_str_eq(ids[1], "sub/deeper/z");
	ck_assert_str_eq(ids[2], "sub/y");
	ck_assert_str_eq(ids[3], "x");
	free_list(files, n);
	free_list(ids, n);

	/* single files: base name, or the part after scenarios/; the same
	 * file twice is listed once */
	snprintf(b, sizeof(b), "%s/lib/x.lua", tmpdir);
	snprintf(c, sizeof(c), "%s/scenarios/starttls/one.lua", tmpdir);
	args[0] = b;
	args[1] = c;
	args[2] = a;
	n = scenario_find(args, 3, &files, &ids, err, sizeof(err));
	ck_assert_int_eq(n, 5);
	ck_assert_str_eq(ids[0], "x");
	ck_assert_str_eq(ids[1], "starttls/one");
	ck_assert_str_eq(ids[2], "b");
	ck_assert_str_eq(files[0], b);
	free_list(files, n);
	free_list(ids, n);

	/* nothing found; a missing path */
	snprintf(a, sizeof(a), "%s/empty", tmpdir);
	args[0] = a;
	ck_assert_int_eq(scenario_find(args, 1, &files, &ids, err, sizeof(err)), 0);
	ck_assert_ptr_null(files);
	ck_assert_ptr_null(ids);
	snprintf(a, sizeof(a), "%s/nope", tmpdir);
	ck_assert_int_eq(scenario_find(args, 1, &files, &ids, err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, "nope") != NULL && strstr(err, "No such") != NULL,
	    "%s", err);
	ck_assert_ptr_null(files);

	snprintf(a, sizeof(a), "rm -rf '%s'", tmpdir);
	ck_assert_int_eq(system(a), 0);
}
END_TEST

/* Every scenario of the library loads, and its id is its path below
 * scenarios/.  Skipped while the library is empty. */
START_TEST(test_library)
{
	char *args[1], err[1024];
	char **files, **ids;
	struct stat st;
	int n;

	args[0] = (char *)tu_path("scenarios");
	if (stat(args[0], &st) < 0 || !S_ISDIR(st.st_mode))
		return;
	n = scenario_find(args, 1, &files, &ids, err, sizeof(err));
	ck_assert_msg(n >= 0, "%s", err);
	for (int i = 0; i < n; i++) {
		struct scenario *s;
		/* a sweep's variants (file#STEP-CODE) share their file */
		size_t len = strcspn(ids[i], "#");
		ck_assert_msg(scenario_load(files[i], ids[i], &s, err,
		    sizeof(err)) == 0, "%s", err);
		ck_assert_str_eq(s->id, ids[i]);
		ck_assert_msg(strncmp(files[i] + strlen(files[i]) - len - 4, ids[i],
		    len) == 0, "id %s of %s", ids[i], files[i]);
		ck_assert_uint_ge(s->nphases, 1);
		for (size_t p = 0; p < s->nphases; p++) {
			ck_assert_uint_ge(s->phases[p].expect.ndelivery, 1);
			ck_assert_uint_ge(s->phases[p].world.nmx, 1);
		}
		scenario_free(s);
	}
	free_list(files, n);
	free_list(ids, n);
}
END_TEST

static Suite *
scenario_suite(void)
{
	Suite *s = suite_create("scenario");
	TCase *tc = tcase_create("scenario");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_full);
	tcase_add_test(tc, test_defaults);
	tcase_add_test(tc, test_phases);
	tcase_add_test(tc, test_tlsa);
	tcase_add_test(tc, test_bad_fixtures);
	tcase_add_test(tc, test_load_string);
	tcase_add_test(tc, test_duration_time);
	tcase_add_test(tc, test_find);
	tcase_add_test(tc, test_library);
	suite_add_tcase(s, tc);
	return s;
}

TEST_MAIN(scenario_suite)
