/*
 * report_junit: junit.xml for CI dashboards.
 *
 *   <testsuites name="mxsim" tests failures errors time>
 *     <testsuite name="mxsim.<sender>" (same counts, and skipped)>
 *       <properties> seed, sender </properties>
 *       <testcase classname="<folder of the id, '/' as '.'>"
 *                 name="<id>: <title>" time="<virtual seconds>">
 *         <failure message="reason" type="fail">what happened</failure>
 *         | <error message type="error">...</error>
 *         | <skipped message="reason"/>
 *         <system-out>session transcripts (failures and errors)</system-out>
 *       </testcase> ...
 *
 * The failure body explains the verdict from the wire: each phase with what
 * was expected and judged, each message's delivery, and one line per session
 * (host:port, STARTTLS offered/issued, TLS result and certificate, where the
 * message data went).  Times are virtual seconds, so the file is the same
 * bytes on every rerun.  Every piece of model text goes through
 * report_xml_escape(): XML 1.0 cannot carry most control characters even as
 * character references, so those are written as the visible text \xNN.
 * The file validates against the Jenkins xUnit plugin's junit-10.xsd
 * (tests/e2e/junit-10.xsd), which allows "skipped" on <testsuite> only.
 */
#include "reports/report.h"

#include <stdlib.h>
#include <string.h>

char *
report_xml_escape(const char *s, bool attr)
{
	struct buf b = { 0 };
	uint32_t cp;
	size_t n;

	if (s == NULL)
		s = "";
	while (*s != '\0') {
		n = report_utf8_len(s, &cp);
		if (n == 0) {  /* not UTF-8 */
			buf_appendf(&b, "\\x%02x", (unsigned char)*s);
			s++;
			continue;
		}
		switch (cp) {
		case '&':
			buf_appendf(&b, "&amp;");
			break;
		case '<':
			buf_appendf(&b, "&lt;");
			break;
		case '>':
			buf_appendf(&b, "&gt;");
			break;
		case '"':
			buf_appendf(&b, "&quot;");
			break;
		case '\'':
			buf_appendf(&b, "&apos;");
			break;
		case '\r':
			buf_appendf(&b, "&#13;");
			break;
		case '\n':
		case '\t':
			if (attr)
				buf_appendf(&b, "&#%u;", (unsigned)cp);
			else
				buf_append(&b, s, 1);
			break;
		default:
			if (cp < 0x20 || cp == 0xfffe || cp == 0xffff) {
				/* not a legal XML 1.0 Char at all */
				if (cp < 0x80)
					buf_appendf(&b, "\\x%02x", (unsigned)cp);
				else
					buf_appendf(&b, "\\u%04x", (unsigned)cp);
			} else {
				buf_append(&b, s, n);
			}
			break;
		}
		s += n;
	}
	return buf_cstr(&b);
}

/* Append escaped text. */
static void
put(struct buf *b, const char *s, bool attr)
{
	char *e = report_xml_escape(s, attr);

	buf_appendf(b, "%s", e);
	free(e);
}

static void
put_attr(struct buf *b, const char *name, const char *value)
{
	buf_appendf(b, " %s=\"", name);
	put(b, value, true);
	buf_append(b, "\"", 1);
}

static const struct rec_session *
find_session(const struct res_scenario *s, unsigned id)
{
	size_t i, n = s->rec != NULL ? rec_count(s->rec) : 0;
	const struct rec_session *rs;

	for (i = 0; i < n; i++) {
		rs = rec_get(s->rec, i);
		if (rs->id == id)
			return rs;
	}
	return NULL;
}

/* One line: what the session did on the wire (plain text, escaped later). */
static void
session_line(struct buf *b, const struct rec_session *rs)
{
	buf_appendf(b, "session %u %s:%u", rs->id,
	    rs->host != NULL ? rs->host : "?", (unsigned)rs->port);
	if (rs->addr != NULL)
		buf_appendf(b, " (%s)", rs->addr);
	if (rs->attack != NULL)
		buf_appendf(b, " attack=%s", rs->attack);
	if (rs->via != 0)
		buf_appendf(b, " attacker leg of session %u", rs->via);
	buf_appendf(b, ":");
	if (!rs->connected) {
		buf_appendf(b, " not connected");
	} else if (rs->implicit_tls) {
		buf_appendf(b, " implicit TLS");
	} else {
		buf_appendf(b, " starttls %s, %s",
		    rs->starttls_offered ? "offered" : "not offered",
		    rs->starttls_issued ? "issued" : "not issued");
		if (rs->starttls_issued && rs->starttls_reply != 0)
			buf_appendf(b, " (reply %d)", rs->starttls_reply);
	}
	switch (rs->tls) {
	case REC_TLS_OK:
		buf_appendf(b, "; tls ok");
		if (rs->tls_version != NULL)
			buf_appendf(b, " %s", rs->tls_version);
		if (rs->tls_by != NULL)
			buf_appendf(b, " by %s", rs->tls_by);
		if (rs->cert_label != NULL)
			buf_appendf(b, ", cert %s", rs->cert_label);
		break;
	case REC_TLS_FAILED:
		buf_appendf(b, "; tls failed");
		if (rs->tls_error != NULL)
			buf_appendf(b, " (%s)", rs->tls_error);
		if (rs->cert_label != NULL)
			buf_appendf(b, ", cert %s", rs->cert_label);
		break;
	case REC_TLS_NONE:
		buf_appendf(b, "; no tls");
		break;
	}
	if (rs->data_sent)
		buf_appendf(b, "; data %s to %s",
		    rs->data_tls ? "over tls" : "in plaintext",
		    rs->data_to != NULL ? rs->data_to : "?");
	else
		buf_appendf(b, "; no data");
	if (rs->delivered)
		buf_appendf(b, ", delivered");
	if (rs->leak)
		buf_appendf(b, ", LEAK");
	if (rs->end != NULL)
		buf_appendf(b, "; end %s", rs->end);
	buf_append(b, "\n", 1);
}

static void
strv_line(struct buf *b, char *const *v, size_t n, const char *sep)
{
	size_t i;

	for (i = 0; i < n; i++)
		buf_appendf(b, "%s%s", i > 0 ? sep : "", v[i]);
	if (n == 0)
		buf_appendf(b, "-");
}

/* The failure/error body, unescaped. */
static void
explain(struct buf *b, const struct res_scenario *s)
{
	const struct res_phase *p;
	const struct res_message *m;
	const struct rec_session *rs;
	size_t i, j, k, n;
	bool seen;

	buf_appendf(b, "%s: %s\n", s->verdict != NULL ? s->verdict : "error",
	    s->reason != NULL ? s->reason : "no reason given");
	if (s->domain != NULL || s->sender != NULL)
		buf_appendf(b, "domain %s, sender %s\n",
		    s->domain != NULL ? s->domain : "-",
		    s->sender != NULL ? s->sender : "-");
	for (i = 0; i < s->nphases; i++) {
		p = &s->phases[i];
		buf_appendf(b, "phase %u: expect ", p->index);
		strv_line(b, p->expect, p->nexpect, "|");
		if (p->nexpect_tlsrpt > 0) {
			buf_appendf(b, ", tlsrpt ");
			strv_line(b, p->expect_tlsrpt, p->nexpect_tlsrpt, ",");
		}
		buf_appendf(b, " -> %s", p->verdict != NULL ? p->verdict : "?");
		if (p->reason != NULL)
			buf_appendf(b, ": %s", p->reason);
		buf_append(b, "\n", 1);
		for (j = 0; j < p->nmsgs; j++) {
			m = &p->msgs[j];
			buf_appendf(b, "  message %u: %s", m->index,
			    m->delivery != NULL ? m->delivery : "?");
			if (m->mx_host != NULL)
				buf_appendf(b, " via %s", m->mx_host);
			if (m->data_to != NULL)
				buf_appendf(b, " (data to %s)", m->data_to);
			if (m->leak)
				buf_appendf(b, " LEAK");
			if (m->reason != NULL)
				buf_appendf(b, ": %s", m->reason);
			buf_append(b, "\n", 1);
			for (k = 0; k < m->nsessions; k++) {
				buf_appendf(b, "    ");
				rs = find_session(s, m->sessions[k]);
				if (rs != NULL)
					session_line(b, rs);
				else
					buf_appendf(b, "session %u: not "
					    "recorded\n", m->sessions[k]);
			}
		}
	}
	/* sessions no message claims (e.g. policy fetches, stray probes) */
	n = s->rec != NULL ? rec_count(s->rec) : 0;
	for (k = 0, seen = false; k < n; k++) {
		rs = rec_get(s->rec, k);
		bool claimed = false;
		for (i = 0; i < s->nphases && !claimed; i++)
			for (j = 0; j < s->phases[i].nmsgs && !claimed; j++) {
				m = &s->phases[i].msgs[j];
				for (size_t x = 0; x < m->nsessions; x++)
					if (m->sessions[x] == rs->id)
						claimed = true;
			}
		if (claimed)
			continue;
		if (!seen)
			buf_appendf(b, "other sessions:\n");
		seen = true;
		buf_appendf(b, "    ");
		session_line(b, rs);
	}
}

static void
transcripts(struct buf *b, const struct res_scenario *s)
{
	const struct rec_session *rs;
	struct buf t = { 0 };
	size_t i, j, n = s->rec != NULL ? rec_count(s->rec) : 0;

	if (n == 0)
		return;
	for (i = 0; i < n; i++) {
		rs = rec_get(s->rec, i);
		buf_appendf(&t, "== session %u %s:%u\n", rs->id,
		    rs->host != NULL ? rs->host : "?", (unsigned)rs->port);
		for (j = 0; j < rs->nlines; j++)
			buf_appendf(&t, "t=%llu %c %s\n",
			    (unsigned long long)rs->lines[j].t_ms,
			    rs->lines[j].dir,
			    rs->lines[j].text != NULL ? rs->lines[j].text : "");
	}
	buf_appendf(b, "      <system-out>");
	put(b, buf_cstr(&t), false);
	buf_appendf(b, "</system-out>\n");
	buf_free(&t);
}

static void
testcase(struct buf *b, const struct res_scenario *s)
{
	const char *id = s->id != NULL ? s->id : "?";
	const char *v = s->verdict != NULL ? s->verdict : "error";
	const char *slash = strrchr(id, '/');
	char *cls, *name, *p;
	struct buf body = { 0 };

	cls = slash != NULL ? xstrndup(id, (size_t)(slash - id)) :
	    xstrdup("mxsim");
	for (p = cls; *p != '\0'; p++)
		if (*p == '/')
			*p = '.';
	if (s->title != NULL && s->title[0] != '\0')
		name = xasprintf("%s: %s", id, s->title);
	else
		name = xstrdup(id);
	buf_appendf(b, "    <testcase");
	put_attr(b, "classname", cls);
	put_attr(b, "name", name);
	buf_appendf(b, " time=\"%llu.%03llu\"",
	    (unsigned long long)(s->virtual_ms / 1000),
	    (unsigned long long)(s->virtual_ms % 1000));
	free(cls);
	free(name);

	if (strcmp(v, "pass") == 0 && s->ntlsrpt_findings == 0) {
		buf_appendf(b, "/>\n");
		return;
	}
	buf_appendf(b, ">\n");
	if (strcmp(v, "pass") == 0)
		;   /* only the TLSRPT findings below */
	else if (strcmp(v, "unsupported") == 0) {
		buf_appendf(b, "      <skipped");
		put_attr(b, "message", s->reason != NULL ? s->reason :
		    "the sender does not claim a feature this scenario needs");
		buf_appendf(b, "/>\n");
	} else {
		bool fail = strcmp(v, "fail") == 0;
		const char *el = fail ? "failure" : "error";
		buf_appendf(b, "      <%s", el);
		put_attr(b, "message", s->reason != NULL ? s->reason : v);
		put_attr(b, "type", fail ? "fail" : "error");
		buf_append(b, ">", 1);
		explain(&body, s);
		put(b, buf_cstr(&body), false);
		buf_appendf(b, "</%s>\n", el);
		transcripts(b, s);
	}
	if (s->ntlsrpt_findings > 0) {
		/* the sender's TLSRPT reports disagree with the wire */
		struct buf f = { 0 };
		for (size_t i = 0; i < s->ntlsrpt_findings; i++)
			buf_appendf(&f, "TLSRPT finding: %s\n", s->tlsrpt_findings[i]);
		buf_appendf(b, "      <system-err>");
		put(b, buf_cstr(&f), false);
		buf_appendf(b, "</system-err>\n");
		buf_free(&f);
	}
	buf_appendf(b, "    </testcase>\n");
	buf_free(&body);
}

static void
counts_attrs(struct buf *b, const struct report_counts *c, uint64_t ms,
    bool skipped)
{
	buf_appendf(b, " tests=\"%u\" failures=\"%u\" errors=\"%u\"", c->total,
	    c->fail, c->error);
	if (skipped)
		buf_appendf(b, " skipped=\"%u\"", c->unsupported);
	buf_appendf(b, " time=\"%llu.%03llu\"", (unsigned long long)(ms / 1000),
	    (unsigned long long)(ms % 1000));
}

int
report_junit(const struct res_run *run, const char *path)
{
	struct report_counts c;
	struct buf b = { 0 };
	uint64_t ms = 0;
	char *name, seed[24];
	size_t i;
	int rc;

	report_count(run, &c);
	for (i = 0; i < run->nscenarios; i++)
		ms += run->scenarios[i]->virtual_ms;
	buf_appendf(&b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
	buf_appendf(&b, "<testsuites name=\"mxsim\"");
	counts_attrs(&b, &c, ms, false);
	buf_appendf(&b, ">\n");
	name = xasprintf("mxsim.%s", run->sender != NULL ? run->sender : "?");
	buf_appendf(&b, "  <testsuite");
	put_attr(&b, "name", name);
	counts_attrs(&b, &c, ms, true);
	buf_appendf(&b, ">\n");
	free(name);
	snprintf(seed, sizeof(seed), "%llu", (unsigned long long)run->seed);
	buf_appendf(&b, "    <properties>\n      <property name=\"seed\"");
	put_attr(&b, "value", seed);
	buf_appendf(&b, "/>\n      <property name=\"sender\"");
	put_attr(&b, "value", run->sender);
	buf_appendf(&b, "/>\n    </properties>\n");
	for (i = 0; i < run->nscenarios; i++)
		testcase(&b, run->scenarios[i]);
	buf_appendf(&b, "  </testsuite>\n</testsuites>\n");

	rc = report_write_atomic(path, b.data, b.len);
	buf_free(&b);
	return rc;
}
