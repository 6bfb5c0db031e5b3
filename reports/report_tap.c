/*
 * report_tap: report.tap, the Test Anything Protocol (version 13) view of a
 * run, for harnesses that read TAP (prove, tap.py, CI plugins).
 *
 *   TAP version 13
 *   1..3
 *   not ok 1 - starttls/strip-enforce: STARTTLS stripped
 *     ---
 *     verdict: "fail"
 *     reason: "plaintext delivery under an MTA-STS enforce policy"
 *     refs:
 *       - "RFC 8461 5"
 *     deliveries:
 *       - phase: 1
 *         message: 1
 *         expect: "refused"
 *         delivery: "plaintext"
 *         leak: true
 *         mx: "mx1.example.test"
 *         reason: "data in clear text"
 *     ...
 *   ok 2 - starttls/baseline: ...
 *   ok 3 - dane/rollover: ... # SKIP the sender does not claim DANE
 *
 * One test per scenario, in run order.  Errors are "not ok" (verdict
 * "error").  The description is one line: controls become blanks, '#' and
 * '\' are escaped as TAP wants.  YAML scalars are double-quoted with '"',
 * '\' and C0 controls escaped (\xNN, which both YAML 1.1 parsers and TAP's
 * YAMLish reader understand); characters YAML may not carry even escaped
 * by YAMLish (C1 controls, U+FFFE, U+FFFF, DEL) and invalid UTF-8 become
 * the visible text \uNNNN / \xNN.  Deterministic: no times or paths.
 */
#include "reports/report.h"

#include <stdlib.h>
#include <string.h>

/* One-line TAP description text. */
static void
desc(struct buf *b, const char *s)
{
	uint32_t cp;
	size_t n;

	if (s == NULL)
		return;
	while (*s != '\0') {
		n = report_utf8_len(s, &cp);
		if (n == 0) {
			buf_appendf(b, "\\\\x%02x", (unsigned char)*s);
			s++;
			continue;
		}
		if (cp == '#' || cp == '\\')
			buf_appendf(b, "\\%c", (char)cp);
		else if (cp < 0x20 || (cp >= 0x7f && cp < 0xa0))
			buf_append(b, " ", 1);
		else
			buf_append(b, s, n);
		s += n;
	}
}

/* A double-quoted YAML scalar. */
static void
yq(struct buf *b, const char *s)
{
	uint32_t cp;
	size_t n;

	buf_append(b, "\"", 1);
	while (s != NULL && *s != '\0') {
		n = report_utf8_len(s, &cp);
		if (n == 0) {
			buf_appendf(b, "\\\\x%02x", (unsigned char)*s);
			s++;
			continue;
		}
		if (cp == '"' || cp == '\\')
			buf_appendf(b, "\\%c", (char)cp);
		else if (cp < 0x20)
			buf_appendf(b, "\\x%02x", (unsigned)cp);
		else if ((cp >= 0x7f && cp < 0xa0) || cp == 0xfffe ||
		    cp == 0xffff)
			buf_appendf(b, "\\\\u%04x", (unsigned)cp);
		else
			buf_append(b, s, n);
		s += n;
	}
	buf_append(b, "\"", 1);
}

static void
ykv(struct buf *b, const char *indent, const char *key, const char *value)
{
	buf_appendf(b, "%s%s: ", indent, key);
	if (value == NULL)
		buf_appendf(b, "~");
	else
		yq(b, value);
	buf_append(b, "\n", 1);
}

/* A list of strings: one value inline, several as a block sequence. */
static void
ylist(struct buf *b, const char *indent, const char *key, char *const *v,
    size_t n)
{
	size_t i;

	if (n == 0) {
		buf_appendf(b, "%s%s: []\n", indent, key);
		return;
	}
	if (n == 1) {
		ykv(b, indent, key, v[0]);
		return;
	}
	buf_appendf(b, "%s%s:\n", indent, key);
	for (i = 0; i < n; i++) {
		buf_appendf(b, "%s  - ", indent);
		yq(b, v[i]);
		buf_append(b, "\n", 1);
	}
}

static void
diagnostics(struct buf *b, const struct res_scenario *s, const char *v)
{
	const struct res_phase *p;
	const struct res_message *m;
	size_t i, j;
	bool any = false;

	buf_appendf(b, "  ---\n");
	ykv(b, "  ", "verdict", v);
	ykv(b, "  ", "reason", s->reason);
	ylist(b, "  ", "refs", s->refs, s->nrefs);
	if (s->sender != NULL)
		ykv(b, "  ", "sender", s->sender);
	for (i = 0; i < s->nphases; i++) {
		p = &s->phases[i];
		for (j = 0; j < p->nmsgs; j++) {
			m = &p->msgs[j];
			if (!any)
				buf_appendf(b, "  deliveries:\n");
			any = true;
			buf_appendf(b, "    - phase: %u\n", p->index);
			buf_appendf(b, "      message: %u\n", m->index);
			ylist(b, "      ", "expect", p->expect, p->nexpect);
			ykv(b, "      ", "delivery", m->delivery);
			buf_appendf(b, "      leak: %s\n", m->leak ? "true" :
			    "false");
			if (m->mx_host != NULL)
				ykv(b, "      ", "mx", m->mx_host);
			if (m->data_to != NULL)
				ykv(b, "      ", "data_to", m->data_to);
			ykv(b, "      ", "reason", m->reason);
			if (p->verdict != NULL && strcmp(p->verdict, "pass") != 0)
				ykv(b, "      ", "phase_reason", p->reason);
		}
	}
	if (!any)
		buf_appendf(b, "  deliveries: []\n");
	buf_appendf(b, "  ...\n");
}

char *
report_tap_text(const struct res_run *run)
{
	const struct res_scenario *s;
	struct buf b = { 0 };
	const char *v;
	size_t i;

	buf_appendf(&b, "TAP version 13\n1..%zu\n", run->nscenarios);
	for (i = 0; i < run->nscenarios; i++) {
		s = run->scenarios[i];
		v = s->verdict != NULL ? s->verdict : "error";
		if (strcmp(v, "pass") != 0 && strcmp(v, "fail") != 0 &&
		    strcmp(v, "unsupported") != 0)
			v = "error";
		buf_appendf(&b, "%s %zu - ", strcmp(v, "pass") == 0 ||
		    strcmp(v, "unsupported") == 0 ? "ok" : "not ok", i + 1);
		desc(&b, s->id != NULL ? s->id : "?");
		if (s->title != NULL && s->title[0] != '\0') {
			buf_appendf(&b, ": ");
			desc(&b, s->title);
		}
		if (strcmp(v, "unsupported") == 0) {
			buf_appendf(&b, " # SKIP ");
			desc(&b, s->reason != NULL ? s->reason :
			    "the sender does not claim a feature this "
			    "scenario needs");
			buf_append(&b, "\n", 1);
			continue;
		}
		buf_append(&b, "\n", 1);
		diagnostics(&b, s, v);
	}
	return buf_cstr(&b);
}

int
report_tap(const struct res_run *run, const char *path)
{
	char *text = report_tap_text(run);
	int rc = report_write_atomic(path, text, strlen(text));

	free(text);
	return rc;
}
