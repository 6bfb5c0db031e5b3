/*
 * check_report_html: report.html (reports/report_html.c), its ladders
 * (reports/report_ladder.c) and report.tap (reports/report_tap.c), on
 * models built by hand: how the path's treatment of every line is
 * classified (relayed, changed, forged, dropped, unreadable inside TLS),
 * how attacker-to-MX legs are merged in, that hostile text is escaped
 * (checked with Python's HTML parser: one script element, no event
 * handler attributes, no external reference), determinism, and TAP read
 * back by Perl's TAP::Parser, the consumer behind prove.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/record.h"
#include "core/result.h"
#include "reports/report.h"
#include "testutil.h"

static char tmpdir[64];

static const char *
tmp(const char *name)
{
	static char buf[4][256];
	static int i;

	i = (i + 1) % 4;
	snprintf(buf[i], sizeof(buf[i]), "%s/%s", tmpdir, name);
	return buf[i];
}

static void
setup(void)
{
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/check_report_html.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
}

static void
teardown(void)
{
	char *cmd = xasprintf("rm -rf '%s'", tmpdir);

	ck_assert_int_eq(system(cmd), 0);
	free(cmd);
}

static char *
slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	struct buf b = { 0 };
	char chunk[4096];
	size_t n;

	ck_assert_msg(f != NULL, "cannot open %s", path);
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		buf_append(&b, chunk, n);
	fclose(f);
	return buf_cstr(&b);
}

static int
run(const char *fmt, ...) PRINTF(1, 2);
static int
run(const char *fmt, ...)
{
	va_list ap;
	char *cmd;
	int st;

	va_start(ap, fmt);
	ck_assert_int_ge(vasprintf(&cmd, fmt, ap), 0);
	va_end(ap);
	st = system(cmd);
	free(cmd);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static size_t
count(const char *hay, const char *needle)
{
	size_t n = 0;

	for (const char *p = hay; (p = strstr(p, needle)) != NULL; p++)
		n++;
	return n;
}

/* Transcript lines from a compact script: "dir text" per entry. */
static void
script(struct rec *r, struct rec_session *s, const char *const *lines)
{
	for (; *lines != NULL; lines++)
		rec_line(r, s, (*lines)[0], "%s", *lines + 2);
}

static const char *const ehlo_mx[] = {
	"{ 250-mx1.example.test", "{ 250-PIPELINING",
	"{ 250-ENHANCEDSTATUSCODES", "{ 250 STARTTLS", NULL };

/* A strip session as the path and the MX record it. */
static struct rec_session *
strip_session(struct rec *r)
{
	static const char *const a[] = { "! mx mx1.example.test accepted a "
	    "connection on port 25", "{ 220 mx1.example.test ESMTP",
	    "< 220 mx1.example.test ESMTP", "> EHLO sender.test",
	    "} EHLO sender.test", NULL };
	static const char *const b[] = {
	    "! attacker: removed STARTTLS from the EHLO reply",
	    "< 250-mx1.example.test", "< 250-PIPELINING",
	    "< 250 ENHANCEDSTATUSCODES", "> QUIT", "} QUIT", "{ 221 Bye",
	    "< 221 Bye", NULL };
	struct rec_session *s = rec_session_new(r, "mx1.example.test",
	    "127.25.0.11", 25);

	rec_set(&s->attack, "strip_starttls");
	s->connected = s->banner = true;
	rec_set(&s->end, "quit");
	script(r, s, a);
	script(r, s, ehlo_mx);
	script(r, s, b);
	return s;
}

static struct res_scenario *
add_scenario(struct res_run *run, const char *id, const char *title,
    const char *verdict, const char *reason)
{
	struct res_scenario *s = res_run_add(run);
	struct res_phase *p;

	s->id = xstrdup(id);
	s->title = xstrdup(title);
	s->verdict = xstrdup(verdict);
	s->reason = reason != NULL ? xstrdup(reason) : NULL;
	s->domain = xstrdup("example.test");
	s->sender = xstrdup("builtin");
	s->clock = 1780272000;  /* 2026-06-01T00:00:00Z */
	res_strv_push(&s->refs, &s->nrefs, "RFC 3207 6");
	s->phases = p = xcalloc(1, sizeof(*p));
	s->nphases = 1;
	p->index = 1;
	res_strv_push(&p->expect, &p->nexpect, "refused");
	p->verdict = xstrdup(strcmp(verdict, "error") == 0 ? "fail" : verdict);
	p->msgs = xcalloc(1, sizeof(*p->msgs));
	p->nmsgs = 1;
	p->msgs[0].phase = p->msgs[0].index = 1;
	p->msgs[0].delivery = xstrdup(strcmp(verdict, "pass") == 0 ?
	    "refused" : "plaintext");
	p->msgs[0].reason = xstrdup("no message data left the sender");
	p->msgs[0].sessions = xcalloc(1, sizeof(unsigned));
	p->msgs[0].sessions[0] = 1;
	p->msgs[0].nsessions = 1;
	s->rec = rec_new(NULL);
	rec_set_message(s->rec, 1, 1);
	return s;
}

/* The run the page tests use: a strip that passed, a hostile failure, an
 * unsupported one and a load error. */
static struct res_run *
build(void)
{
	struct res_run *r = res_run_new(3, "builtin");
	struct res_scenario *s;
	struct rec_session *rs;

	s = add_scenario(r, "starttls/strip-secure", "STARTTLS stripped",
	    "pass", NULL);
	strip_session(s->rec);

	s = add_scenario(r, "evil/<script>alert(1)</script>",
	    "<script>alert('title')</script> & \"q\" \x01\xff",
	    "fail", "reason <img src=x onerror=alert(2)> \"quoted\"");
	res_strv_push(&s->refs, &s->nrefs, "<b onclick=\"x()\">RFC</b>");
	free(s->phases[0].msgs[0].delivery);
	s->phases[0].msgs[0].delivery = xstrdup("x\" onmouseover=\"alert(3)");
	s->phases[0].msgs[0].leak = true;
	rs = rec_session_new(s->rec, "mx1.example.test\"><script>x</script>",
	    "127.25.0.11", 25);
	rec_set(&rs->attack, "<i>attack</i>");
	rec_set(&rs->tls_error, "<svg onload=alert(4)>");
	rs->tls = REC_TLS_FAILED;
	rec_line(s->rec, rs, '>', "<script>alert('transcript')</script>");
	rec_line(s->rec, rs, '!', "attacker: <a href=\"https://evil.test/\">x</a>");
	rec_line(s->rec, rs, '<', "250 </div></details><script>y</script>");

	s = add_scenario(r, "req/unsupported", "REQUIRETLS", "unsupported",
	    "the sender does not claim REQUIRETLS");
	s = add_scenario(r, "broken/syntax", "", "error",
	    "broken/syntax.lua:3: unexpected symbol");
	rec_free(s->rec);
	s->rec = NULL;
	return r;
}

START_TEST(test_ladder_strip)
{
	struct res_run *r = res_run_new(1, NULL);
	struct res_scenario *s = add_scenario(r, "x", "x", "pass", NULL);
	struct rec_session *rs = strip_session(s->rec);
	struct report_ladder_line *v;
	size_t n, i;

	n = report_ladder(s, rs, &v);
	ck_assert_uint_eq(n, rs->nlines);  /* no legs: the order is kept */
	for (i = 0; i < n; i++) {
		const char *t = v[i].line->text;
		ck_assert_ptr_eq(v[i].line, &rs->lines[i]);
		ck_assert(!v[i].direct);
		ck_assert_uint_eq(v[i].session, 1);
		if (strcmp(t, "250 STARTTLS") == 0)
			ck_assert_int_eq(v[i].hop, REPORT_HOP_DROPPED);
		else if (strcmp(t, "250 ENHANCEDSTATUSCODES") == 0) {
			ck_assert_int_eq(v[i].hop, REPORT_HOP_CHANGED);
			ck_assert_str_eq(v[v[i].ref].line->text,
			    "250-ENHANCEDSTATUSCODES");
			ck_assert_int_eq(v[v[i].ref].hop, REPORT_HOP_ORIGINAL);
			ck_assert_uint_eq(v[v[i].ref].ref, i);
		} else if (strcmp(t, "250-ENHANCEDSTATUSCODES") == 0)
			ck_assert_int_eq(v[i].hop, REPORT_HOP_ORIGINAL);
		else if (v[i].line->dir == '!')
			ck_assert_int_eq(v[i].hop, REPORT_HOP_NONE);
		else {
			ck_assert_msg(v[i].hop == REPORT_HOP_RELAYED,
			    "line %zu %s: hop %d", i, t, v[i].hop);
			ck_assert_str_eq(v[v[i].ref].line->text, t);
		}
	}
	free(v);

	/* an attacker that answers STARTTLS itself and keeps the command */
	rs = rec_session_new(s->rec, "mx1.example.test", "127.25.0.11", 25);
	rec_line(s->rec, rs, '>', "STARTTLS");
	rec_line(s->rec, rs, '!', "attacker: answered STARTTLS with an error");
	rec_line(s->rec, rs, '<', "454 4.7.0 TLS not available");
	rec_line(s->rec, rs, '>', "QUIT");
	rec_line(s->rec, rs, '}', "QUIT");
	rec_line(s->rec, rs, '}', "NOOP");
	n = report_ladder(s, rs, &v);
	ck_assert_uint_eq(n, 6);
	ck_assert_int_eq(v[0].hop, REPORT_HOP_DROPPED);
	ck_assert_int_eq(v[2].hop, REPORT_HOP_FORGED);
	ck_assert_int_eq(v[3].hop, REPORT_HOP_RELAYED);
	ck_assert_int_eq(v[4].hop, REPORT_HOP_RELAYED);
	ck_assert_int_eq(v[5].hop, REPORT_HOP_FORGED);  /* injected */
	free(v);
	res_run_free(r);
}
END_TEST

START_TEST(test_ladder_legs)
{
	/* swap_cert: the sender's session with the attacker, and the
	 * attacker's own session to the MX, recorded separately */
	static const char *const snd[] = { "< 220 mx1 ESMTP",
	    "> EHLO s.test", "< 250 STARTTLS", "> STARTTLS",
	    "! attacker: starting its own TLS towards the MX",
	    "< 220 Ready", "! TLS established with the attacker (TLSv1.3)",
	    "> DATA", "< 354 go", "> [message: 12 bytes]", "> .",
	    "< 250 queued", "> QUIT", "< 221 Bye", NULL };
	static const char *const leg[] = { "! mx mx1 accepted a connection",
	    "{ 220 mx1 ESMTP", "} EHLO s.test", "{ 250 STARTTLS",
	    "} STARTTLS", "{ 220 Ready", "! TLS established (TLSv1.3)",
	    "} DATA", "{ 354 go", "} [message: 10 bytes]", "{ 250 queued",
	    "} QUIT", "{ 221 Bye", NULL };
	static const char *const want[] = { "mx mx1 accepted a connection",
	    "220 mx1 ESMTP", "220 mx1 ESMTP", "EHLO s.test", "EHLO s.test",
	    "250 STARTTLS", "250 STARTTLS", "STARTTLS", "STARTTLS",
	    "attacker: starting its own TLS towards the MX", "220 Ready",
	    "TLS established (TLSv1.3)", "220 Ready",
	    "TLS established with the attacker (TLSv1.3)", "DATA", "DATA",
	    "354 go", "354 go", "[message: 12 bytes]", "[message: 10 bytes]",
	    ".", "250 queued", "250 queued", "QUIT", "QUIT", "221 Bye",
	    "221 Bye" };
	struct res_run *r = res_run_new(1, NULL);
	struct res_scenario *s = add_scenario(r, "x", "x", "fail", "x");
	struct rec_session *a, *b, *c;
	struct report_ladder_line *v;
	size_t n, i;

	a = rec_session_new(s->rec, "mx1", "127.25.0.11", 25);
	b = rec_session_new(s->rec, "mx1", "127.25.0.11", 25);
	b->via = a->id;
	c = rec_session_new(s->rec, "mx2", "127.25.0.12", 25);  /* later */
	script(s->rec, a, snd);
	script(s->rec, b, leg);
	n = report_ladder(s, a, &v);
	ck_assert_uint_eq(n, ARRAY_LEN(want));
	for (i = 0; i < n; i++) {
		ck_assert_msg(strcmp(v[i].line->text, want[i]) == 0,
		    "line %zu: got %s, want %s", i, v[i].line->text, want[i]);
		ck_assert(v[i].leg == (v[i].session == b->id));
		ck_assert(!v[i].direct);
		/* everything passed on as received; the dot is no line the
		 * MX records, and message sizes are counted differently */
		if (v[i].line->dir != '!' && strcmp(want[i], ".") != 0)
			ck_assert_msg(v[i].hop == REPORT_HOP_RELAYED,
			    "line %zu %s: hop %d", i, want[i], v[i].hop);
	}
	ck_assert_int_eq(v[20].hop, REPORT_HOP_NONE);
	free(v);

	/* virtual time wins over the tie rules: a leg line from later goes
	 * after the sender's */
	for (i = 0; i < b->nlines; i++)
		b->lines[i].t_ms = 5000;
	n = report_ladder(s, a, &v);
	ck_assert_str_eq(v[0].line->text, "220 mx1 ESMTP");
	ck_assert_int_eq(v[0].line->dir, '<');
	ck_assert_int_eq(v[13].line->dir, '<');  /* all of a, then b */
	ck_assert_int_eq(v[14].line->dir, '!');
	ck_assert(v[14].leg);
	free(v);

	/* the leg on its own (no parent) is only the server's view */
	n = report_ladder(s, b, &v);
	ck_assert_uint_eq(n, b->nlines);
	for (i = 0; i < n; i++)
		ck_assert(v[i].direct && !v[i].enc);
	free(v);
	n = report_ladder(s, c, &v);
	ck_assert_uint_eq(n, 0);
	ck_assert_ptr_null(v);
	res_run_free(r);
}
END_TEST

START_TEST(test_ladder_tls)
{
	/* STARTTLS relayed untouched: from the TLS note on the path saw only
	 * ciphertext, so the MX's lines are drawn sender <-> MX */
	static const char *const lines[] = { "{ 220 mx1", "< 220 mx1",
	    "> STARTTLS", "} STARTTLS", "{ 220 Ready", "< 220 Ready",
	    "! TLS starts between sender and MX; the path relays it untouched",
	    "! TLS established (TLSv1.3)", "} EHLO s.test",
	    "{ 250 REQUIRETLS", "} QUIT", NULL };
	struct res_run *r = res_run_new(1, NULL);
	struct res_scenario *s = add_scenario(r, "x", "x", "pass", NULL);
	struct rec_session *rs = rec_session_new(s->rec, "mx1", "1.2.3.4", 25);
	struct report_ladder_line *v;
	size_t n, i;

	rs->tls = REC_TLS_OK;
	rec_set(&rs->tls_by, "mx");
	script(s->rec, rs, lines);
	n = report_ladder(s, rs, &v);
	ck_assert_uint_eq(n, 11);
	for (i = 0; i < 6; i++) {
		ck_assert(!v[i].direct);
		ck_assert_int_eq(v[i].hop, REPORT_HOP_RELAYED);
	}
	for (i = 8; i < 11; i++) {
		ck_assert(v[i].direct && v[i].enc);
		ck_assert_int_eq(v[i].hop, REPORT_HOP_NONE);
	}
	free(v);

	/* the same session terminated by the attacker: still the path's view */
	rec_set(&rs->tls_by, "attacker");
	n = report_ladder(s, rs, &v);
	ck_assert(!v[10].direct);
	ck_assert_int_eq(v[10].hop, REPORT_HOP_FORGED);
	free(v);

	/* implicit TLS with no path transcript at all */
	rs = rec_session_new(s->rec, "mx1", "1.2.3.4", 465);
	rs->tls = REC_TLS_OK;
	rs->implicit_tls = true;
	rec_set(&rs->tls_by, "mx");
	rec_line(s->rec, rs, '{', "220 mx1");
	rec_line(s->rec, rs, '}', "QUIT");
	n = report_ladder(s, rs, &v);
	ck_assert(v[0].direct && v[0].enc && v[1].direct && v[1].enc);
	ck_assert_int_eq(v[1].hop, REPORT_HOP_NONE);
	free(v);
	res_run_free(r);
}
END_TEST

/* Python's HTML parser: the page's structure, whatever the model said. */
static int
html_check(const char *path)
{
	return run("python3 -c 'import sys, html.parser\n"
	    "class P(html.parser.HTMLParser):\n"
	    "  def __init__(s):\n"
	    "    super().__init__(); s.scripts = 0; s.bad = []\n"
	    "  def handle_starttag(s, tag, attrs):\n"
	    "    if tag in (\"script\",): s.scripts += 1\n"
	    "    if tag in (\"img\", \"iframe\", \"object\", \"embed\", \"link\", "
	    "\"a\") and tag != \"a\": s.bad.append(tag)\n"
	    "    for k, v in attrs:\n"
	    "      if k.startswith(\"on\") or k in (\"src\", \"srcset\", "
	    "\"action\", \"formaction\"): s.bad.append(k)\n"
	    "      if k == \"href\" and not v.startswith(\"#\"): s.bad.append(v)\n"
	    "p = P(); p.feed(open(sys.argv[1], encoding=\"utf-8\").read())\n"
	    "if p.scripts != 1 or p.bad: print(p.scripts, p.bad); sys.exit(3)\n"
	    "' '%s'", path);
}

START_TEST(test_html_escape)
{
	struct res_run *r = build();
	char *a;
	FILE *f;

	ck_assert_int_eq(report_html(r, tmp("report.html")), 0);
	a = slurp(tmp("report.html"));
	/* hostile text comes out as text */
	ck_assert_ptr_nonnull(strstr(a, "&lt;script&gt;alert(&apos;transcript"
	    "&apos;)&lt;/script&gt;"));
	ck_assert_ptr_nonnull(strstr(a, "evil/&lt;script&gt;alert(1)&lt;/script"
	    "&gt;"));
	ck_assert_ptr_nonnull(strstr(a, "&lt;img src=x onerror=alert(2)&gt;"));
	ck_assert_ptr_nonnull(strstr(a, "250 &lt;/div&gt;&lt;/details&gt;"));
	ck_assert_ptr_nonnull(strstr(a, "&lt;svg onload=alert(4)&gt;"));
	ck_assert_ptr_nonnull(strstr(a, "\\x01\\xff"));
	ck_assert_ptr_null(strstr(a, "<script>alert"));
	ck_assert_ptr_null(strstr(a, "<img"));
	ck_assert_uint_eq(count(a, "<script"), 1);  /* the page's own */
	ck_assert_ptr_null(strstr(a, "\x01"));
	/* a delivery value cannot leave its class attribute */
	ck_assert_ptr_nonnull(strstr(a, "class=\"dl d-unknown\">x&quot; "
	    "onmouseover=&quot;alert(3)</span>"));
	/* nothing is fetched: no external reference at all except the
	 * escaped text of the hostile note */
	ck_assert_uint_eq(count(a, "https://"), 1);
	ck_assert_ptr_nonnull(strstr(a, "&lt;a href=&quot;https://evil.test/"));
	ck_assert_ptr_null(strstr(a, "http://"));
	ck_assert_int_eq(html_check(tmp("report.html")), 0);

	/* and the parser check can fail: a raw tag or handler is caught */
	f = fopen(tmp("bad.html"), "w");
	fprintf(f, "<p>%s<img src=x onerror=alert(1)></p><script></script>", a);
	fclose(f);
	ck_assert_int_eq(html_check(tmp("bad.html")), 3);
	free(a);
	res_run_free(r);
}
END_TEST

START_TEST(test_html_content)
{
	struct res_run *r = build();
	char *a, *p;

	a = report_html_text(r);
	ck_assert_ptr_nonnull(strstr(a, "<!DOCTYPE html>\n<html lang=\"en\">"));
	ck_assert_ptr_nonnull(strstr(a, "<title>mxsim report: 1 passed, 1 "
	    "failed, 1 unsupported, 1 errors</title>"));
	/* the summary: one row per scenario, linking to its section */
	p = strstr(a, "<table class=\"sum\">");
	ck_assert_ptr_nonnull(p);
	ck_assert_uint_eq(count(p, "<tr class=\"v-"), 4);
	ck_assert_ptr_nonnull(strstr(a, "<a href=\"#s1\" class=\"sid\">"
	    "starttls/strip-secure</a>"));
	ck_assert_ptr_nonnull(strstr(a, "<td class=\"why\"><div class=\"clamp\">"
	    "expected refused, observed refused</div>"));
	ck_assert_ptr_nonnull(strstr(a, "<span class=\"ref\">RFC 3207 6</span>"));
	ck_assert_ptr_nonnull(strstr(a, "<section class=\"scn v-unsupported\" "
	    "id=\"s3\">"));
	ck_assert_ptr_nonnull(strstr(a, "<span class=\"badge error\">ERROR"));
	ck_assert_ptr_nonnull(strstr(a, "broken/syntax.lua:3: unexpected "
	    "symbol"));
	ck_assert_ptr_nonnull(strstr(a, "<span class=\"leak\">LEAK</span>"));
	/* the verdict box of the strip, and its ladder */
	ck_assert_ptr_nonnull(strstr(a, "<div class=\"verdict pass\"><div "
	    "class=\"vw\">PASS</div>"));
	ck_assert_ptr_nonnull(strstr(a, "<div class=\"sess\" id=\"s1-1\">"));
	ck_assert_ptr_nonnull(strstr(a, "data-dir=\"{\" data-hop=\"dropped\">"
	    "<span class=\"tx\">250 STARTTLS</span><span class=\"tag\">dropped: "
	    "never passed on to the sender</span>"));
	ck_assert_ptr_nonnull(strstr(a, "<span class=\"tx\">250 "
	    "ENHANCEDSTATUSCODES</span><span class=\"tag\">changed by the "
	    "attacker</span><span class=\"was\">it received: "
	    "250-ENHANCEDSTATUSCODES</span>"));
	ck_assert_ptr_nonnull(strstr(a, "<div class=\"nz p\"><div class=\"nt "
	    "atk\">attacker: removed STARTTLS from the EHLO reply</div>"));
	ck_assert_ptr_nonnull(strstr(a, "<div class=\"nz m\"><div class=\"nt\">"
	    "mx mx1.example.test accepted"));
	ck_assert_ptr_nonnull(strstr(a, "<li class=\"bad\">attack: "
	    "strip_starttls</li>"));
	ck_assert_ptr_nonnull(strstr(a, "<rect class=\"pass\" x=\"0\" y=\"0\" "
	    "width=\"250\""));
	ck_assert_int_eq(a[strlen(a) - 1], '\n');
	free(a);
	res_run_free(r);
}
END_TEST

START_TEST(test_html_determinism)
{
	struct res_run *r = build();
	char *a, *b;

	ck_assert_int_eq(report_html(r, tmp("a.html")), 0);
	ck_assert_int_eq(report_html(r, tmp("b.html")), 0);
	a = slurp(tmp("a.html"));
	b = slurp(tmp("b.html"));
	ck_assert_str_eq(a, b);
	free(b);
	res_run_free(r);
	r = build();
	r->scenarios[0]->real_ms = 12345.6;  /* wall time must not matter */
	b = report_html_text(r);
	ck_assert_str_eq(a, b);
	free(b);
	/* and the model does matter */
	free(r->scenarios[0]->verdict);
	r->scenarios[0]->verdict = xstrdup("fail");
	b = report_html_text(r);
	ck_assert_str_ne(a, b);
	free(a);
	free(b);
	ck_assert_int_eq(report_html(r, tmp("no/such/dir/r.html")), -1);
	ck_assert_int_eq(run("ls -A '%s' | grep -q tmp", tmpdir), 1);
	res_run_free(r);
}
END_TEST

/* Perl's TAP::Parser reads the file back: plan, counts, directives, the
 * YAML diagnostics decoded. */
static int
tap_check(const char *path, const char *expr)
{
	return run("perl -MTAP::Parser -e '"
	    "my $p = TAP::Parser->new({ source => $ARGV[0] }); my @y; my @t;\n"
	    "while (my $r = $p->next) { push @y, $r->data if $r->is_yaml;\n"
	    "  push @t, $r if $r->is_test; }\n"
	    "my @e = $p->parse_errors; print \"@e\\n\" if @e;\n"
	    "exit(3) unless !@e && (%s);' '%s'", expr, path);
}

START_TEST(test_tap)
{
	struct res_run *r = build();
	char *a, *b, *want;

	ck_assert_int_eq(report_tap(r, tmp("report.tap")), 0);
	a = slurp(tmp("report.tap"));
	ck_assert_ptr_eq(strstr(a, "TAP version 13\n1..4\nok 1 - "
	    "starttls/strip-secure: STARTTLS stripped\n  ---\n"
	    "  verdict: \"pass\"\n  reason: ~\n  refs: \"RFC 3207 6\"\n"
	    "  sender: \"builtin\"\n  deliveries:\n    - phase: 1\n"
	    "      message: 1\n      expect: \"refused\"\n"
	    "      delivery: \"refused\"\n      leak: false\n"
	    "      reason: \"no message data left the sender\"\n  ...\n"), a);
	ck_assert_ptr_nonnull(strstr(a, "\nnot ok 2 - evil/<script>alert(1)"
	    "</script>: <script>alert('title')</script> & \"q\"  \\\\xff\n"));
	ck_assert_ptr_nonnull(strstr(a, "  reason: \"reason <img src=x "
	    "onerror=alert(2)> \\\"quoted\\\"\"\n"));
	ck_assert_ptr_nonnull(strstr(a, "  refs:\n    - \"RFC 3207 6\"\n"
	    "    - \"<b onclick=\\\"x()\\\">RFC</b>\"\n"));
	ck_assert_ptr_nonnull(strstr(a, "\nok 3 - req/unsupported: REQUIRETLS "
	    "# SKIP the sender does not claim REQUIRETLS\nnot ok 4 - "
	    "broken/syntax\n  ---\n  verdict: \"error\"\n"));
	ck_assert_int_eq(a[strlen(a) - 1], '\n');
	b = report_tap_text(r);
	ck_assert_str_eq(a, b);
	free(b);

	ck_assert_int_eq(tap_check(tmp("report.tap"),
	    "$p->plan eq \"1..4\" && $p->version == 13 && @t == 4 && "
	    "$p->passed == 2 && $p->failed == 2 && $p->skipped == 1 && "
	    "$t[2]->has_skip && $t[2]->explanation =~ /REQUIRETLS/ && "
	    "$t[1]->description =~ /<script>alert\\(1\\)/ && @y == 3 && "
	    "$y[1]{reason} eq \"reason <img src=x onerror=alert(2)> "
	    "\\\"quoted\\\"\" && $y[1]{deliveries}[0]{leak} eq \"true\" && "
	    "$y[1]{refs}[1] eq \"<b onclick=\\\"x()\\\">RFC</b>\" && "
	    "$y[2]{verdict} eq \"error\""), 0);
	/* the check can fail */
	ck_assert_int_eq(tap_check(tmp("report.tap"), "@t == 5"), 3);

	/* control characters and '#' in text: one line, escaped */
	free(r->scenarios[0]->title);
	r->scenarios[0]->title = xstrdup("a\nnot ok 9 # TODO\\x");
	free(r->scenarios[0]->phases[0].msgs[0].reason);
	r->scenarios[0]->phases[0].msgs[0].reason = xstrdup("tab\there\r\n"
	    "\xc2\x85 \xef\xbf\xbf end \x7f");
	free(a);
	a = report_tap_text(r);
	ck_assert_ptr_nonnull(strstr(a, "ok 1 - starttls/strip-secure: a not "
	    "ok 9 \\# TODO\\\\x\n"));
	ck_assert_ptr_nonnull(strstr(a, "reason: \"tab\\x09here\\x0d\\x0a"
	    "\\\\u0085 \\\\uffff end \\\\u007f\"\n"));
	ck_assert_int_eq(report_write_atomic(tmp("ctl.tap"), a, strlen(a)), 0);
	/* TAP::Parser keeps the escapes in the description, as TAP says */
	want = xasprintf("@t == 4 && $t[0]->description eq q{- "
	    "starttls/strip-secure: a not ok 9 \\# TODO\\\\\\\\x} && "
	    "!$t[0]->has_todo "
	    "&& $y[0]{deliveries}[0]{reason} eq \"tab\\there\\r\\n\\\\u0085 "
	    "\\\\uffff end \\\\u007f\"");
	ck_assert_int_eq(tap_check(tmp("ctl.tap"), want), 0);
	free(want);

	/* prove, the harness, accepts a passing run and rejects a failing one */
	ck_assert_int_ne(run("prove -e cat '%s' >/dev/null 2>&1",
	    tmp("report.tap")), 0);
	res_run_free(r);
	r = res_run_new(1, NULL);
	add_scenario(r, "a", "b", "pass", NULL);
	ck_assert_int_eq(report_tap(r, tmp("pass.tap")), 0);
	ck_assert_int_eq(run("prove -e cat '%s' >/dev/null 2>&1",
	    tmp("pass.tap")), 0);
	free(a);
	res_run_free(r);
}
END_TEST

static Suite *
report_html_suite(void)
{
	Suite *s = suite_create("report_html");
	TCase *tc = tcase_create("report_html");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_ladder_strip);
	tcase_add_test(tc, test_ladder_legs);
	tcase_add_test(tc, test_ladder_tls);
	tcase_add_test(tc, test_html_escape);
	tcase_add_test(tc, test_html_content);
	tcase_add_test(tc, test_html_determinism);
	tcase_add_test(tc, test_tap);
	suite_add_tcase(s, tc);
	return s;
}

TEST_MAIN(report_html_suite)
