/*
 * ext_scan: is the message in flight finished?  Read natively from the
 * sender's own logs (the profile's `evidence` files), without running a
 * command per poll: `queue_id` (an ERE with one group) finds the sender's
 * id for the message in a new line, then `finished` (an ERE that may use
 * ${QUEUE_ID}) says the sender is done with it.  Each poll reads only
 * the complete lines appended since the last one.
 *
 * Message variables (${MSGID}, ${FROM}, ${RCPT}, ${QUEUE_ID}) are
 * inserted into the patterns as literal text (regex-escaped); the
 * scenario's and phase's variables as they are.
 */
#include "senders/ext/ext.h"

#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "senders/ext/ext_int.h"

/* s with every ERE metacharacter escaped */
static char *
re_escape(const char *s)
{
	size_t n = strlen(s);
	char *o = xmalloc(2 * n + 1), *d = o;

	for (; *s; s++) {
		if (strchr(".[]{}()*+?^$|\\", *s) != NULL)
			*d++ = '\\';
		*d++ = *s;
	}
	*d = '\0';
	return o;
}

/* The message's variables, escaped, plus QUEUE_ID once known. */
static struct strv
escaped_vars(const struct ext *e)
{
	struct strv v = { 0 };

	for (size_t i = 0; i < e->msgv.n; i++) {
		const char *eq = strchr(e->msgv.v[i], '=');
		char *val = re_escape(eq + 1);
		char *kv = xasprintf("%.*s=%s", (int)(eq - e->msgv.v[i]), e->msgv.v[i], val);
		strv_push(&v, kv);
		free(kv);
		free(val);
	}
	if (e->queue_id != NULL) {
		char *val = re_escape(e->queue_id);
		ext_setvar(&v, "QUEUE_ID", val);
		free(val);
	}
	return v;
}

static bool
compile(struct ext *e, const char *tmpl, regex_t *re)
{
	struct strv v = escaped_vars(e);
	char *pat = ext_vexpand(e, tmpl, &v);
	int rc = regcomp(re, pat, REG_EXTENDED);

	if (rc != 0)
		log_warn("ext", "%s: bad pattern \"%s\"", e->p->path, pat);
	free(pat);
	strv_free(&v);
	return rc == 0;
}

/* One line: the id first (when the profile names one), then the end. */
static bool
scan_line(struct ext *e, const char *ln, regex_t *fin, bool *have_fin)
{
	if (e->p->queue_id != NULL && e->queue_id == NULL) {
		regex_t qre;
		regmatch_t m[2];
		if (!compile(e, e->p->queue_id, &qre))
			return false;
		if (regexec(&qre, ln, 2, m, 0) == 0 && m[1].rm_so >= 0) {
			e->queue_id = xasprintf("%.*s", (int)(m[1].rm_eo - m[1].rm_so),
			    ln + m[1].rm_so);
			log_debug("ext", "%s: the message is %s", e->p->name, e->queue_id);
		}
		regfree(&qre);
		return false;   /* the line that names the id does not end it */
	}
	if (e->p->queue_id != NULL && e->queue_id == NULL)
		return false;
	if (!*have_fin) {
		if (!compile(e, e->p->finished, fin))
			return false;
		*have_fin = true;
	}
	return regexec(fin, ln, 0, NULL, 0) == 0;
}

void
ext_scan_reset(struct ext *e)
{
	free(e->queue_id);
	e->queue_id = NULL;
	free(e->scan_off);
	e->scan_off = xcalloc(e->p->evidence.n ? e->p->evidence.n : 1, sizeof(*e->scan_off));
	for (size_t i = 0; i < e->p->evidence.n; i++)
		e->scan_off[i] = e->ev_off[i];
}

bool
ext_scan_finished(struct ext *e)
{
	regex_t fin;
	bool have_fin = false, done = false;

	for (size_t i = 0; i < e->p->evidence.n && !done; i++) {
		char *path = ext_evidence_path(e, i);
		FILE *f = fopen(path, "r");
		char *ln = NULL;
		size_t cap = 0;
		ssize_t n;

		free(path);
		if (f == NULL)
			continue;
		(void)fseeko(f, e->scan_off[i], SEEK_SET);
		/* whole lines only: a line still being written is read next time */
		while (!done && (n = getline(&ln, &cap, f)) > 0 && ln[n - 1] == '\n') {
			e->scan_off[i] += n;
			ln[n - 1] = '\0';
			done = scan_line(e, ln, &fin, &have_fin);
		}
		free(ln);
		fclose(f);
	}
	if (have_fin)
		regfree(&fin);
	return done;
}
