/*
 * report_html: report.html, the page people read.
 *
 * One self-contained file: inline CSS, inline SVG, a few lines of inline
 * JavaScript (expand/collapse all, failures only); no external reference of
 * any kind, so it opens from a CI artifact store or a mail attachment and
 * never calls home.  Layout:
 *
 *   header     sender, seed, tallies, a verdict bar (SVG)
 *   summary    one row per scenario: verdict, id and title (a link to its
 *              section), deliveries, reason, RFC references
 *   scenarios  one <details> each (open unless it passed in a run of many):
 *              the verdict box (verdict, reason, refs), facts, the phases
 *              with each message's delivery and why, the TLSRPT policies,
 *              and per sender session a ladder diagram
 *   ladder     lifelines sender | path | MX (report_ladder() merges the
 *              attacker-to-MX legs in and classifies every line): arrows
 *              with the line text, virtual time on the left, notes on the
 *              lifeline of whoever wrote them; what the attacker changed,
 *              answered itself or dropped is drawn in red with a tag saying
 *              so (and, for a change, what it received); lines inside TLS
 *              the path relays untouched go from sender to MX in green.
 *
 * Every piece of model text (titles, reasons, transcripts: hostile senders
 * write those) goes through report_xml_escape(), in text and in attributes.
 * Element ids are indexes, never model text.  The bytes depend on the model
 * only (virtual times, the scenario clock; no wall time), so the same run
 * gives the same file.  Nothing here logs.
 */
#include "reports/report.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>


static const char css[] =
    ":root{--pass:#1a7f37;--fail:#c62828;--unsup:#9a6700;--err:#8250df;"
    "--ink:#1f2328;--mute:#656d76;--line:#d0d7de;--bg:#f6f8fa;"
    "--atk:#c62828;--atkbg:#ffebe9;--enc:#1a7f37;--encbg:#e6f4ea}\n"
    "*{box-sizing:border-box}\n"
    "body{margin:0;font:14px/1.45 system-ui,-apple-system,'Segoe UI',"
    "Roboto,'DejaVu Sans',sans-serif;color:var(--ink);background:var(--bg)}\n"
    "header,main,footer{max-width:1400px;margin:0 auto;padding:0 24px}\n"
    "header{padding-top:20px}\n"
    "h1{font-size:24px;margin:0 0 4px}\n"
    "h2{font-size:18px;margin:24px 0 8px}\n"
    "h3{font-size:15px;margin:20px 0 8px}\n"
    ".meta{margin:0 0 10px;color:var(--mute)}\n"
    ".tally{display:flex;gap:8px;margin-bottom:8px}\n"
    "svg.bar{display:block;width:100%;height:10px;border-radius:5px;"
    "background:var(--line)}\n"
    "svg.bar .pass{fill:var(--pass)}svg.bar .fail{fill:var(--fail)}"
    "svg.bar .unsupported{fill:var(--unsup)}svg.bar .error{fill:var(--err)}\n"
    ".tools{margin:10px 0 0;display:flex;gap:8px;align-items:center;"
    "color:var(--mute)}\n"
    ".tools button{font:inherit;padding:2px 10px;border:1px solid "
    "var(--line);border-radius:6px;background:#fff;cursor:pointer}\n"
    ".badge{display:inline-block;padding:1px 8px;border-radius:10px;"
    "font-size:12px;font-weight:700;letter-spacing:.03em;color:#fff;"
    "white-space:nowrap}\n"
    ".badge.pass{background:var(--pass)}.badge.fail{background:var(--fail)}"
    ".badge.unsupported{background:var(--unsup)}"
    ".badge.error{background:var(--err)}\n"
    "table{border-collapse:collapse;width:100%;background:#fff;"
    "border:1px solid var(--line)}\n"
    "th,td{text-align:left;vertical-align:top;padding:6px 10px;"
    "border-bottom:1px solid var(--line)}\n"
    "th{background:#eef1f4;font-size:12px;text-transform:uppercase;"
    "letter-spacing:.04em;color:var(--mute)}\n"
    "td.n{color:var(--mute);text-align:right}\n"
    "a{color:#0969da;text-decoration:none}a:hover{text-decoration:underline}\n"
    ".sid{font-family:ui-monospace,'DejaVu Sans Mono',monospace;"
    "font-weight:600}\n"
    ".st,.sub{color:var(--mute);font-size:13px}\n"
    "td.why{min-width:300px;overflow-wrap:anywhere}\n"
    ".clamp{display:-webkit-box;-webkit-line-clamp:3;"
    "-webkit-box-orient:vertical;overflow:hidden}\n"
    "tr.pr td{color:var(--mute);font-size:13px;background:#fafbfc}\n"
    ".ref{display:inline-block;margin:0 4px 2px 0;padding:0 6px;"
    "border:1px solid var(--line);border-radius:4px;background:#fff;"
    "font-size:12px;white-space:nowrap}\n"
    ".none{color:var(--mute)}\n"
    ".dl{font-family:ui-monospace,'DejaVu Sans Mono',monospace;"
    "font-weight:600}\n"
    ".d-verified{color:var(--pass)}.d-tls{color:var(--unsup)}"
    ".d-plaintext{color:var(--fail)}.d-refused{color:#0550ae}\n"
    ".sep{color:var(--mute);margin:0 2px}\n"
    ".leak{background:var(--fail);color:#fff;font-weight:700;"
    "font-size:11px;padding:0 5px;border-radius:3px}\n"
    "section.scn{margin:14px 0;background:#fff;border:1px solid "
    "var(--line);border-left:6px solid var(--mute);border-radius:6px}\n"
    "section.v-pass{border-left-color:var(--pass)}"
    "section.v-fail{border-left-color:var(--fail)}"
    "section.v-unsupported{border-left-color:var(--unsup)}"
    "section.v-error{border-left-color:var(--err)}\n"
    "body.only-bad section.v-pass,body.only-bad tr.v-pass{display:none}\n"
    "summary{cursor:pointer;padding:10px 14px;display:flex;gap:10px;"
    "align-items:baseline;flex-wrap:wrap}\n"
    "summary .sid{font-size:15px}\n"
    ".body{padding:0 14px 14px}\n"
    ".verdict{display:flex;gap:14px;align-items:center;padding:10px 14px;"
    "border-radius:6px;margin-bottom:10px}\n"
    ".verdict.pass{background:#dafbe1}.verdict.fail{background:#ffebe9}"
    ".verdict.unsupported{background:#fff8c5}"
    ".verdict.error{background:#fbefff}\n"
    ".vw{font-size:22px;font-weight:800;letter-spacing:.04em}\n"
    ".verdict.pass .vw{color:var(--pass)}.verdict.fail .vw{color:var(--fail)}"
    ".verdict.unsupported .vw{color:var(--unsup)}"
    ".verdict.error .vw{color:var(--err)}\n"
    ".vr{margin:0 0 4px;overflow-wrap:anywhere}.verdict .refs{margin:0}\n"
    "dl.facts{display:flex;flex-wrap:wrap;gap:4px 18px;margin:0 0 10px;"
    "color:var(--mute);font-size:13px}\n"
    "dl.facts dt{font-weight:600}dl.facts dt::after{content:':'}"
    "dl.facts dd{margin:0 0 0 -12px;color:var(--ink)}\n"
    "table.ph{margin:8px 0}\n"
    ".sess{margin:14px 0 6px;border:1px solid var(--line);border-radius:6px}\n"
    ".sess h4{margin:0;padding:8px 12px;font-size:14px;background:#eef1f4;"
    "border-bottom:1px solid var(--line);border-radius:6px 6px 0 0}\n"
    ".chips{display:flex;flex-wrap:wrap;gap:4px 6px;padding:8px 12px 0;"
    "margin:0;list-style:none;font-size:12px}\n"
    ".chips li{padding:1px 7px;border-radius:10px;background:#eef1f4}\n"
    ".chips li.bad{background:var(--atkbg);color:var(--atk);font-weight:600}\n"
    ".chips li.good{background:var(--encbg);color:var(--enc)}\n"
    ".lad{margin:8px 12px 12px;font:12px/1.35 ui-monospace,"
    "'DejaVu Sans Mono',monospace}\n"
    ".lad .r{display:flex;min-height:22px}\n"
    ".lad .t{flex:0 0 78px;text-align:right;padding:4px 10px 0 0;"
    "color:var(--mute)}\n"
    ".lad .ln{flex:1;position:relative;padding:2px 0;background:"
    "linear-gradient(#aab4c0,#aab4c0) 12% 0/2px 100% no-repeat,"
    "linear-gradient(#aab4c0,#aab4c0) 50% 0/2px 100% no-repeat,"
    "linear-gradient(#aab4c0,#aab4c0) 88% 0/2px 100% no-repeat}\n"
    ".lad .hd .ln{background:none;display:flex;padding-bottom:6px}\n"
    ".act{position:absolute;transform:translateX(-50%);text-align:center;"
    "font:600 12px/1.3 system-ui,'DejaVu Sans',sans-serif;background:#fff;"
    "border:1px solid var(--line);border-radius:6px;padding:3px 10px;"
    "max-width:30%;overflow-wrap:anywhere}\n"
    ".act small{display:block;font-weight:400;color:var(--mute)}\n"
    ".act.s{left:12%}.act.p{left:50%}.act.m{left:88%}\n"
    ".act.p.atk{border-color:var(--atk);color:var(--atk)}\n"
    ".lad .hd{height:52px}\n"
    ".a{position:relative;padding:0 10px 1px;border-bottom:2px solid "
    "var(--c,#57606a);--c:#57606a;text-align:center;overflow-wrap:anywhere;"
    "white-space:pre-wrap}\n"
    ".a::after{content:'';position:absolute;bottom:-6px;border:5px solid "
    "transparent}\n"
    ".a.rt::after{right:-1px;border-left:9px solid var(--c);"
    "border-right:0}\n"
    ".a.lt::after{left:-1px;border-right:9px solid var(--c);border-left:0}\n"
    ".a.sp{margin:0 50% 0 12%}.a.pm{margin:0 12% 0 50%}"
    ".a.sm{margin:0 12% 0 12%}\n"
    ".a.x-mx{--c:#0550ae}\n"
    ".a.enc{--c:var(--enc);color:#0f5323}\n"
    ".a.h-changed,.a.h-forged{--c:var(--atk);color:var(--atk);"
    "font-weight:700;background:var(--atkbg)}\n"
    ".a.h-dropped{--c:var(--atk);border-bottom-style:dashed;"
    "color:var(--atk);background:var(--atkbg)}\n"
    ".a.h-original{--c:#bc4c00;border-bottom-style:dashed}\n"
    ".tag{display:inline-block;margin-left:6px;padding:0 5px;"
    "border-radius:3px;font:600 10px/1.5 system-ui,'DejaVu Sans',"
    "sans-serif;background:var(--atk);color:#fff;white-space:nowrap;"
    "vertical-align:1px}\n"
    ".tag.o{background:#bc4c00}.tag.e{background:var(--enc)}\n"
    ".was{display:block;font-weight:400;font-size:11px;color:#6e3a00}\n"
    ".nz.sp{margin:0 50% 0 12%}.nz.pm{margin:0 12% 0 50%}"
    ".nz.sm{margin:0 12%}.nz.p{margin:0 20%}.nz.m{margin-left:50%}\n"
    ".nt{display:table;margin:1px auto;padding:1px 8px;"
    "border:1px solid var(--line);border-radius:4px;background:#f6f8fa;"
    "color:#424a53;font-size:11.5px;overflow-wrap:anywhere}\n"
    ".nz.m .nt{margin-right:0}\n"
    ".nt.atk{background:var(--atkbg);border-color:#ff8182;color:var(--atk);"
    "font-weight:700}\n"
    ".nt.tls{background:var(--encbg);border-color:#8fd19e;color:#0f5323}\n"
    ".nt.tls.atk{background:var(--atkbg);border-color:#ff8182;"
    "color:var(--atk)}\n"
    ".lad .sp-note{color:var(--mute);font-style:italic}\n"
    /* five lanes: DNS resolver | sender | path | MX | web host */
    ".lad.w5 .ln{background:"
    "linear-gradient(#aab4c0,#aab4c0) 8% 0/2px 100% no-repeat,"
    "linear-gradient(#aab4c0,#aab4c0) 29% 0/2px 100% no-repeat,"
    "linear-gradient(#aab4c0,#aab4c0) 50% 0/2px 100% no-repeat,"
    "linear-gradient(#aab4c0,#aab4c0) 71% 0/2px 100% no-repeat,"
    "linear-gradient(#aab4c0,#aab4c0) 92% 0/2px 100% no-repeat}\n"
    ".lad.w5 .hd .ln{background:none}\n"
    ".w5 .act{max-width:20%}.w5 .act.r{left:8%}.w5 .act.s{left:29%}"
    ".w5 .act.m{left:71%}.w5 .act.w{left:92%}\n"
    ".w5 .a.sp,.w5 .nz.sp{margin:0 50% 0 29%}"
    ".w5 .a.pm,.w5 .nz.pm{margin:0 29% 0 50%}"
    ".w5 .a.sm,.w5 .nz.sm{margin:0 29%}.w5 .nz.p{margin:0 34%}"
    ".w5 .nz.m{margin:0 29% 0 40%}\n"
    ".a.rs,.nz.rs{margin:0 71% 0 8%}.a.sh,.nz.sh{margin:0 8% 0 29%}\n"
    ".a.x-dns{--c:#8250df}.a.x-web{--c:#0550ae}"
    ".a.h-changed.x-dns,.a.h-changed.x-web{--c:var(--atk)}\n"
    "footer{color:var(--mute);font-size:12px;padding:20px 24px 40px}\n"
    "code{font-family:ui-monospace,'DejaVu Sans Mono',monospace}\n";

/* A passing scenario's section starts closed in runs larger than this. */
#define OPEN_ALL_MAX 8
/* Sessions of one scenario drawn as full ladders; past it only the
 * remarkable ones (an attack, a leak, a phase that did not pass) are, the
 * others get one row each in a table, so a 1,000-session run stays a
 * page a browser opens (results.json keeps every line). */
#define LADDERS_MAX 40

static void
h(struct buf *b, const char *s)
{
	char *e = report_xml_escape(s, false);

	buf_appendf(b, "%s", e);
	free(e);
}

static void
ha(struct buf *b, const char *s)
{
	char *e = report_xml_escape(s, true);

	buf_appendf(b, "%s", e);
	free(e);
}

static const char *
vclass(const char *v)
{
	if (v != NULL && (strcmp(v, "pass") == 0 || strcmp(v, "fail") == 0 ||
	    strcmp(v, "unsupported") == 0))
		return v;
	return "error";
}

static bool
is_atk_tls(const struct rec_session *rs)
{
	return rs->tls_by != NULL && strcmp(rs->tls_by, "attacker") == 0;
}

static const char *
vword(const char *v)
{
	v = vclass(v);
	if (strcmp(v, "pass") == 0)
		return "PASS";
	if (strcmp(v, "fail") == 0)
		return "FAIL";
	if (strcmp(v, "unsupported") == 0)
		return "UNSUPPORTED";
	return "ERROR";
}

static void
badge(struct buf *b, const char *v)
{
	buf_appendf(b, "<span class=\"badge %s\">%s</span>", vclass(v),
	    vword(v));
}

static void
delivery_tag(struct buf *b, const char *d)
{
	buf_appendf(b, "<span class=\"dl d-");
	ha(b, d != NULL && strspn(d, "abcdefghijklmnopqrstuvwxyz") ==
	    strlen(d) ? d : "unknown");
	buf_appendf(b, "\">");
	h(b, d != NULL ? d : "?");
	buf_appendf(b, "</span>");
}

static void
ms_time(struct buf *b, uint64_t ms)
{
	buf_appendf(b, "%llu.%03llu", (unsigned long long)(ms / 1000),
	    (unsigned long long)(ms % 1000));
}

static void
refs_list(struct buf *b, const struct res_scenario *s)
{
	size_t i;

	for (i = 0; i < s->nrefs; i++) {
		buf_appendf(b, "<span class=\"ref\">");
		h(b, s->refs[i]);
		buf_appendf(b, "</span>");
	}
	if (s->nrefs == 0)
		buf_appendf(b, "<span class=\"none\">none</span>");
}

static void
strv(struct buf *b, char *const *v, size_t n, const char *sep)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (i > 0)
			buf_appendf(b, "%s", sep);
		h(b, v[i]);
	}
	if (n == 0)
		buf_appendf(b, "-");
}

/* Why a scenario got its verdict, in one sentence (plain, unescaped). */
static void
why(struct buf *b, const struct res_scenario *s)
{
	const struct res_phase *p;
	size_t i, j;

	if (s->reason != NULL) {
		h(b, s->reason);
		return;
	}
	if (s->nphases == 0) {
		buf_appendf(b, "no phases were judged");
		return;
	}
	for (i = 0; i < s->nphases; i++) {
		p = &s->phases[i];
		if (i > 0)
			buf_appendf(b, "; ");
		if (s->nphases > 1)
			buf_appendf(b, "phase %u: ", p->index);
		buf_appendf(b, "expected ");
		strv(b, p->expect, p->nexpect, " or ");
		buf_appendf(b, ", observed ");
		for (j = 0; j < p->nmsgs; j++) {
			if (j > 0)
				buf_appendf(b, ", ");
			h(b, p->msgs[j].delivery != NULL ?
			    p->msgs[j].delivery : "?");
		}
		if (p->nmsgs == 0)
			buf_appendf(b, "nothing");
	}
}

static bool
leaks(const struct res_scenario *s)
{
	size_t i, j;

	for (i = 0; i < s->nphases; i++)
		for (j = 0; j < s->phases[i].nmsgs; j++)
			if (s->phases[i].msgs[j].leak)
				return true;
	return false;
}

static void
header(struct buf *b, const struct res_run *run,
    const struct report_counts *c)
{
	static const char *const names[] = { "pass", "fail", "unsupported",
	    "error" };
	const unsigned vals[] = { c->pass, c->fail, c->unsupported, c->error };
	unsigned x = 0, w, cum = 0, i;
	char seed[24];

	buf_appendf(b, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n"
	    "<meta charset=\"utf-8\">\n<meta name=\"viewport\" "
	    "content=\"width=device-width, initial-scale=1\">\n"
	    "<title>mxsim report: %u passed, %u failed, %u unsupported, "
	    "%u errors</title>\n<style>\n%s</style>\n</head>\n<body>\n",
	    c->pass, c->fail, c->unsupported, c->error, css);
	snprintf(seed, sizeof(seed), "%llu", (unsigned long long)run->seed);
	buf_appendf(b, "<header>\n<h1>mxsim report</h1>\n<p class=\"meta\">"
	    "sender <b>");
	h(b, run->sender);
	buf_appendf(b, "</b> &#183; seed <b>%s</b> &#183; %u scenario%s "
	    "&#183; mxsim %s</p>\n", seed, c->total, c->total == 1 ? "" : "s",
	    REPORT_VERSION);
	buf_appendf(b, "<div class=\"tally\">");
	for (i = 0; i < 4; i++)
		buf_appendf(b, "<span class=\"badge %s\">%u %s</span>",
		    names[i], vals[i], i == 0 ? "passed" : i == 1 ? "failed" :
		    i == 2 ? "unsupported" : "errors");
	buf_appendf(b, "</div>\n<svg class=\"bar\" viewBox=\"0 0 1000 12\" "
	    "preserveAspectRatio=\"none\" role=\"img\" aria-label=\"verdicts\">");
	for (i = 0; i < 4 && c->total > 0; i++) {
		cum += vals[i];
		w = (unsigned)(1000ull * cum / c->total) - x;
		if (w > 0)
			buf_appendf(b, "<rect class=\"%s\" x=\"%u\" y=\"0\" "
			    "width=\"%u\" height=\"12\"><title>%u %s</title>"
			    "</rect>", names[i], x, w, vals[i], names[i]);
		x += w;
	}
	buf_appendf(b, "</svg>\n<div class=\"tools\"><button type=\"button\" "
	    "data-act=\"open\">expand all</button><button type=\"button\" "
	    "data-act=\"close\">collapse all</button><label><input "
	    "type=\"checkbox\" id=\"only-bad\"> failures only</label></div>\n"
	    "</header>\n");
}

static void
deliveries(struct buf *b, const struct res_scenario *s)
{
	size_t i, j;

	for (i = 0; i < s->nphases; i++) {
		if (i > 0)
			buf_appendf(b, "<span class=\"sep\">,</span>");
		for (j = 0; j < s->phases[i].nmsgs; j++) {
			if (j > 0)
				buf_appendf(b, "<span class=\"sep\">/</span>");
			delivery_tag(b, s->phases[i].msgs[j].delivery);
		}
		if (s->phases[i].nmsgs == 0)
			buf_appendf(b, "-");
	}
	if (s->nphases == 0)
		buf_appendf(b, "-");
	if (leaks(s))
		buf_appendf(b, " <span class=\"leak\">LEAK</span>");
}

static void
summary(struct buf *b, const struct res_run *run)
{
	const struct res_scenario *s;
	size_t i;

	buf_appendf(b, "<section id=\"summary\">\n<h2>Summary</h2>\n"
	    "<table class=\"sum\">\n<thead><tr><th>#</th><th>verdict</th>"
	    "<th>scenario</th><th>delivery</th><th>why</th><th>references</th>"
	    "</tr></thead>\n<tbody>\n");
	for (i = 0; i < run->nscenarios; i++) {
		s = run->scenarios[i];
		buf_appendf(b, "<tr class=\"v-%s\"><td class=\"n\">%zu</td><td>",
		    vclass(s->verdict), i + 1);
		badge(b, s->verdict);
		buf_appendf(b, "</td><td><a href=\"#s%zu\" class=\"sid\">", i + 1);
		h(b, s->id != NULL ? s->id : "?");
		buf_appendf(b, "</a><div class=\"st\">");
		h(b, s->title);
		buf_appendf(b, "</div></td><td class=\"dls\">");
		deliveries(b, s);
		buf_appendf(b, "</td><td class=\"why\"><div class=\"clamp\">");
		why(b, s);
		buf_appendf(b, "</div></td><td class=\"refs\">");
		refs_list(b, s);
		buf_appendf(b, "</td></tr>\n");
	}
	buf_appendf(b, "</tbody>\n</table>\n</section>\n");
}

static void
facts(struct buf *b, const struct res_scenario *s)
{
	char date[32] = "-";
	struct tm tm;
	time_t t = s->clock;

	if (gmtime_r(&t, &tm) != NULL)
		strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%SZ", &tm);
	buf_appendf(b, "<dl class=\"facts\"><dt>domain</dt><dd>");
	h(b, s->domain != NULL ? s->domain : "-");
	buf_appendf(b, "</dd><dt>sender</dt><dd>");
	h(b, s->sender != NULL ? s->sender : "-");
	buf_appendf(b, "</dd><dt>clock</dt><dd>%s</dd><dt>virtual time</dt>"
	    "<dd>", date);
	ms_time(b, s->virtual_ms);
	buf_appendf(b, " s</dd></dl>\n");
}

static void
session_links(struct buf *b, size_t si, const struct res_message *m)
{
	size_t k;

	for (k = 0; k < m->nsessions; k++)
		buf_appendf(b, "%s<a href=\"#s%zu-%u\">%u</a>", k > 0 ? ", " : "",
		    si + 1, m->sessions[k], m->sessions[k]);
	if (m->nsessions == 0)
		buf_appendf(b, "-");
}

static void
phases(struct buf *b, const struct res_scenario *s, size_t si)
{
	const struct res_phase *p;
	const struct res_message *m;
	size_t i, j;

	if (s->nphases == 0)
		return;
	buf_appendf(b, "<table class=\"ph\">\n<thead><tr><th>phase</th>"
	    "<th>expected</th><th>verdict</th><th>message</th><th>delivery</th>"
	    "<th>why</th><th>sessions</th></tr></thead>\n<tbody>\n");
	for (i = 0; i < s->nphases; i++) {
		p = &s->phases[i];
		for (j = 0; j < p->nmsgs || j == 0; j++) {
			buf_appendf(b, "<tr>");
			if (j == 0) {
				unsigned span = p->nmsgs > 0 ? (unsigned)p->nmsgs : 1;
				buf_appendf(b, "<td rowspan=\"%u\">%u</td><td "
				    "rowspan=\"%u\">", span, p->index, span);
				strv(b, p->expect, p->nexpect, " | ");
				if (p->nexpect_tlsrpt > 0) {
					buf_appendf(b, "<div class=\"sub\">TLSRPT: ");
					strv(b, p->expect_tlsrpt, p->nexpect_tlsrpt,
					    ", ");
					buf_appendf(b, "</div>");
				}
				buf_appendf(b, "</td><td rowspan=\"%u\">", span);
				badge(b, p->verdict);
				buf_appendf(b, "</td>");
			}
			if (p->nmsgs == 0) {
				buf_appendf(b, "<td colspan=\"4\">no message</td>"
				    "</tr>\n");
				break;
			}
			m = &p->msgs[j];
			buf_appendf(b, "<td>%u</td><td>", m->index);
			delivery_tag(b, m->delivery);
			if (m->leak)
				buf_appendf(b, " <span class=\"leak\">LEAK</span>"
				    "<div class=\"sub\">content %s</div>",
				    m->content != NULL && strcmp(m->content, "protected") == 0 ?
				    "protected (S/MIME): the attacker saw ciphertext" :
				    "exposed: the attacker read the message");
			if (m->mx_host != NULL) {
				buf_appendf(b, "<div class=\"sub\">via ");
				h(b, m->mx_host);
				if (m->data_to != NULL) {
					buf_appendf(b, ", data to ");
					h(b, m->data_to);
				}
				buf_appendf(b, "</div>");
			}
			buf_appendf(b, "</td><td class=\"why\">");
			h(b, m->reason != NULL ? m->reason : "-");
			buf_appendf(b, "</td><td>");
			session_links(b, si, m);
			buf_appendf(b, "</td></tr>\n");
		}
		/* one phase: its reason is the scenario's, shown above */
		if (s->nphases > 1 && p->reason != NULL) {
			buf_appendf(b, "<tr class=\"pr\"><td></td><td colspan="
			    "\"6\">phase %u: ", p->index);
			h(b, p->reason);
			buf_appendf(b, "</td></tr>\n");
		}
	}
	buf_appendf(b, "</tbody>\n</table>\n");
}

static void
policies(struct buf *b, const struct res_scenario *s)
{
	const struct res_policy *p;
	size_t i, k;

	if (s->npolicies == 0)
		return;
	buf_appendf(b, "<table class=\"ph pol\">\n<thead><tr><th>TLSRPT policy"
	    "</th><th>domain</th><th>sessions ok</th><th>failed</th>"
	    "<th>failure details</th></tr></thead>\n<tbody>\n");
	for (i = 0; i < s->npolicies; i++) {
		p = &s->policies[i];
		buf_appendf(b, "<tr><td>");
		h(b, p->type);
		buf_appendf(b, "</td><td>");
		h(b, p->domain);
		buf_appendf(b, "</td><td>%u</td><td>%u</td><td>", p->success,
		    p->failure);
		for (k = 0; k < p->nfailures; k++) {
			buf_appendf(b, "<div><code>");
			h(b, p->failures[k].result_type);
			buf_appendf(b, "</code> &#215;%u ", p->failures[k].count);
			h(b, p->failures[k].receiving_mx);
			if (p->failures[k].receiving_ip != NULL) {
				buf_appendf(b, " (");
				h(b, p->failures[k].receiving_ip);
				buf_appendf(b, ")");
			}
			buf_appendf(b, "</div>");
		}
		if (p->nfailures == 0)
			buf_appendf(b, "-");
		buf_appendf(b, "</td></tr>\n");
	}
	buf_appendf(b, "</tbody>\n</table>\n");
}

static bool
remarkable(const struct res_scenario *s, const struct rec_session *rs)
{
	size_t i;

	if (rs->attack != NULL || rs->leak || is_atk_tls(rs))
		return true;
	for (i = 0; i < s->nphases; i++)
		if (s->phases[i].index == rs->phase)
			return strcmp(vclass(s->phases[i].verdict), "pass") != 0;
	return false;
}

/* One table row for a session not drawn in full. */
static void
session_row(struct buf *b, size_t si, const struct rec_session *rs)
{
	buf_appendf(b, "<tr id=\"s%zu-%u\"><td>%u</td><td>%u/%u</td><td>", si + 1,
	    rs->id, rs->id, rs->phase, rs->message);
	h(b, rs->host != NULL ? rs->host : "?");
	buf_appendf(b, ":%u</td><td>%s</td><td>%s</td><td>", (unsigned)rs->port,
	    rs->tls == REC_TLS_OK ? "TLS ok" : rs->tls == REC_TLS_FAILED ?
	    "TLS failed" : "no TLS", !rs->data_sent ? "no data" :
	    rs->data_tls ? "data over TLS" : "data in plaintext");
	h(b, rs->end != NULL ? rs->end : "-");
	buf_appendf(b, "</td></tr>\n");
}

static void
scenario(struct buf *b, const struct res_run *run, size_t si)
{
	const struct res_scenario *s = run->scenarios[si];
	const struct rec_session *rs;
	const char *vc = vclass(s->verdict);
	size_t k, n = s->rec != NULL ? rec_count(s->rec) : 0;
	struct report_lanes *lx = report_lanes_new(s);
	unsigned drawn = 0, rows = 0;
	bool open = strcmp(vc, "pass") != 0 || run->nscenarios <= OPEN_ALL_MAX;

	buf_appendf(b, "<section class=\"scn v-%s\" id=\"s%zu\">\n<details "
	    "class=\"scn-d\"%s>\n<summary>", vc, si + 1, open ? " open" : "");
	badge(b, s->verdict);
	buf_appendf(b, "<span class=\"sid\">");
	h(b, s->id != NULL ? s->id : "?");
	buf_appendf(b, "</span><span class=\"st\">");
	h(b, s->title);
	buf_appendf(b, "</span></summary>\n<div class=\"body\">\n"
	    "<div class=\"verdict %s\"><div class=\"vw\">%s</div><div>"
	    "<p class=\"vr\">", vc, vword(s->verdict));
	why(b, s);
	buf_appendf(b, "</p><p class=\"refs\">");
	refs_list(b, s);
	buf_appendf(b, "</p></div></div>\n");
	facts(b, s);
	phases(b, s, si);
	policies(b, s);
	if (n > 0 || report_lanes_count(lx) > 0)
		buf_appendf(b, "<h3>Sessions</h3>\n");
	for (k = 0; k < n; k++) {
		rs = rec_get(s->rec, k);
		if (rs->via != 0 && rs->via <= n)
			continue;  /* drawn in the ladder of the session it carries */
		if (rs->dns)
			continue;  /* an attacker's note: drawn in a lane */
		if (drawn >= LADDERS_MAX && !remarkable(s, rs)) {
			if (rows++ == 0)
				buf_appendf(b, "<table class=\"ph rows\">\n<caption>"
				    "Sessions past the first %d, without an attack "
				    "or a failure: one row each (results.json has "
				    "their transcripts)</caption>\n<thead><tr><th>"
				    "session</th><th>phase/msg</th><th>host</th><th>"
				    "TLS</th><th>data</th><th>end</th></tr></thead>\n"
				    "<tbody>\n", LADDERS_MAX);
			session_row(b, si, rs);
			continue;
		}
		if (rows > 0) {
			buf_appendf(b, "</tbody>\n</table>\n");
			rows = 0;
		}
		drawn++;
		report_html_session(b, s, si, rs, lx);
	}
	if (rows > 0)
		buf_appendf(b, "</tbody>\n</table>\n");
	report_lanes_rest(b, lx, s, si);
	report_lanes_free(lx);
	buf_appendf(b, "</div>\n</details>\n</section>\n");
}

static const char script[] =
    "<script>\n"
    "(function () {\n"
    "  var all = document.querySelectorAll('details.scn-d');\n"
    "  document.querySelectorAll('button[data-act]').forEach(function (b) {\n"
    "    b.addEventListener('click', function () {\n"
    "      var o = b.getAttribute('data-act') === 'open';\n"
    "      all.forEach(function (d) { d.open = o; });\n"
    "    });\n"
    "  });\n"
    "  var f = document.getElementById('only-bad');\n"
    "  f.addEventListener('change', function () {\n"
    "    document.body.classList.toggle('only-bad', f.checked);\n"
    "  });\n"
    "  document.querySelectorAll('a[href^=\"#s\"]').forEach(function (a) {\n"
    "    a.addEventListener('click', function () {\n"
    "      var t = document.getElementById(a.getAttribute('href').slice(1));\n"
    "      while (t) { if (t.tagName === 'DETAILS') t.open = true; "
    "t = t.parentElement; }\n"
    "    });\n"
    "  });\n"
    "  document.documentElement.setAttribute('data-js', 'ok');\n"
    "})();\n"
    "</script>\n";

char *
report_html_text(const struct res_run *run)
{
	struct report_counts c;
	struct buf b = { 0 };
	size_t i;

	report_count(run, &c);
	header(&b, run, &c);
	buf_appendf(&b, "<main>\n");
	summary(&b, run);
	for (i = 0; i < run->nscenarios; i++)
		scenario(&b, run, i);
	buf_appendf(&b, "</main>\n<footer>Generated by mxsim %s from the "
	    "recorded sessions; times are virtual seconds since the scenario "
	    "started.</footer>\n%s</body>\n</html>\n", REPORT_VERSION, script);
	return buf_cstr(&b);
}

int
report_html(const struct res_run *run, const char *path)
{
	char *text = report_html_text(run);
	int rc = report_write_atomic(path, text, strlen(text));

	free(text);
	return rc;
}
