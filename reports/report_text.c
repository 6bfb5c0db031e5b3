/*
 * report_text: the human table printed on stdout after a run.
 *
 *   PASS   starttls/strip-none        plaintext
 *   FAIL   mta-sts/enforce-strip      plaintext,refused  LEAK  plaintext ...
 *   UNSUP  dane/rollover              -                  the sender ...
 *   ERROR  broken/syntax              -                  broken.lua:3: ...
 *   2 passed, 1 failed, 1 unsupported, 1 errors
 *
 * One line per scenario: verdict, id, the delivery of each phase (phases
 * joined with ',', several messages of one phase with '/', '-' for none),
 * LEAK when the attacker saw message content, CREDENTIALS LEAKED when it
 * read AUTH, and a short reason for
 * anything but a pass.  The last line starts with "N passed, N failed" and
 * never carries colour: CI scripts read it.  ANSI colour (verdict word only)
 * when asked.  Model text is printed with control characters replaced, so a
 * scenario title cannot drive the terminal.
 */
#include "reports/report.h"

#include <stdlib.h>
#include <string.h>

#define ID_MAX 48       /* id column width cap */
#define DELIV_MAX 32    /* deliveries column width cap */
#define REASON_MAX 100  /* characters of reason shown */

/* Copy safe for a terminal: valid UTF-8, no C0/C1 controls or DEL, at most
 * max characters (then "..."). */
static char *
term_clean(const char *s, size_t max)
{
	struct buf b = { 0 };
	size_t n, chars = 0;
	uint32_t cp;

	if (s == NULL)
		s = "";
	while (*s != '\0') {
		if (chars == max) {
			buf_appendf(&b, "...");
			break;
		}
		n = report_utf8_len(s, &cp);
		if (n == 0) {
			buf_append(&b, "?", 1);
			n = 1;
		} else if (cp < 0x20 || (cp >= 0x7f && cp < 0xa0)) {
			buf_append(&b, " ", 1);
		} else {
			buf_append(&b, s, n);
		}
		s += n;
		chars++;
	}
	return buf_cstr(&b);
}

/* What the leaks of s showed the attacker: "" (not said), "exposed"
 * (any message readable) or "protected" (all S/MIME ciphertext). */
static const char *
leak_content(const struct res_scenario *s)
{
	const char *c = "";

	for (size_t i = 0; i < s->nphases; i++)
		for (size_t j = 0; j < s->phases[i].nmsgs; j++) {
			const struct res_message *m = &s->phases[i].msgs[j];
			if (!m->leak || m->content == NULL)
				continue;
			if (strcmp(m->content, "exposed") == 0)
				return "exposed";
			c = "protected";
		}
	return c;
}

/* The attacker read submission credentials in some message of s. */
static bool
cred_leak(const struct res_scenario *s)
{
	for (size_t i = 0; i < s->nphases; i++)
		for (size_t j = 0; j < s->phases[i].nmsgs; j++)
			if (s->phases[i].msgs[j].cred_leak)
				return true;
	return false;
}

static void
deliveries(struct buf *b, const struct res_scenario *s, bool *leak)
{
	const struct res_phase *p;
	size_t i, j;

	*leak = false;
	for (i = 0; i < s->nphases; i++) {
		p = &s->phases[i];
		if (i > 0)
			buf_append(b, ",", 1);
		if (p->nmsgs == 0)
			buf_append(b, "-", 1);
		for (j = 0; j < p->nmsgs; j++) {
			if (j > 0)
				buf_append(b, "/", 1);
			buf_appendf(b, "%s", p->msgs[j].delivery != NULL ?
			    p->msgs[j].delivery : "?");
			if (p->msgs[j].leak)
				*leak = true;
		}
	}
	if (s->nphases == 0)
		buf_append(b, "-", 1);
}

static void
verdict_word(const char *v, const char **word, const char **color)
{
	if (v != NULL && strcmp(v, "pass") == 0)
		*word = "PASS", *color = "\033[32m";
	else if (v != NULL && strcmp(v, "fail") == 0)
		*word = "FAIL", *color = "\033[1;31m";
	else if (v != NULL && strcmp(v, "unsupported") == 0)
		*word = "UNSUP", *color = "\033[33m";
	else
		*word = "ERROR", *color = "\033[1;35m";
}

void
report_text(const struct res_run *run, FILE *out, bool color)
{
	const struct res_scenario *s;
	struct report_counts c;
	const char *word, *col;
	struct buf d = { 0 }, line = { 0 };
	size_t i, idw = 2, dw = 1, len;
	char *id, *reason, *dl;
	bool leak;

	/* column widths from the data, so the table is the same every run */
	for (i = 0; i < run->nscenarios; i++) {
		s = run->scenarios[i];
		len = s->id != NULL ? strlen(s->id) : 1;
		if (len > idw)
			idw = len;
		buf_reset(&d);
		deliveries(&d, s, &leak);
		if (d.len > dw)
			dw = d.len;
	}
	idw = idw > ID_MAX ? ID_MAX : idw;
	dw = dw > DELIV_MAX ? DELIV_MAX : dw;

	for (i = 0; i < run->nscenarios; i++) {
		s = run->scenarios[i];
		verdict_word(s->verdict, &word, &col);
		id = term_clean(s->id != NULL ? s->id : "?", ID_MAX);
		buf_reset(&d);
		deliveries(&d, s, &leak);
		dl = term_clean(buf_cstr(&d), DELIV_MAX);
		buf_reset(&line);
		if (color)
			buf_appendf(&line, "%s%-5s\033[0m", col, word);
		else
			buf_appendf(&line, "%-5s", word);
		buf_appendf(&line, "  %-*s  %-*s", (int)idw, id, (int)dw, dl);
		if (leak) {
			const char *lc = leak_content(s);
			buf_appendf(&line, color ? "  \033[1;31mLEAK\033[0m" :
			    "  LEAK");
			if (lc[0] != '\0')
				buf_appendf(&line, " (content %s)", lc);
		}
		if (cred_leak(s))
			buf_appendf(&line, color ? "  \033[1;31mCREDENTIALS LEAKED\033[0m" :
			    "  CREDENTIALS LEAKED");
		if (strcmp(word, "PASS") != 0 && s->reason != NULL) {
			reason = term_clean(s->reason, REASON_MAX);
			buf_appendf(&line, "  %s", reason);
			free(reason);
		}
		/* no trailing blanks from the padding of the last column */
		while (line.len > 0 && line.data[line.len - 1] == ' ')
			line.len--;
		fprintf(out, "%s\n", buf_cstr(&line));
		for (size_t k = 0; k < s->ntlsrpt_findings; k++) {
			char *f = term_clean(s->tlsrpt_findings[k], REASON_MAX);
			fprintf(out, "       TLSRPT finding: %s\n", f);
			free(f);
		}
		free(id);
		free(dl);
	}
	buf_free(&d);
	buf_free(&line);

	report_count(run, &c);
	fprintf(out, "%u passed, %u failed, %u unsupported, %u errors\n",
	    c.pass, c.fail, c.unsupported, c.error);
}
