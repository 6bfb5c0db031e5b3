/*
 * smtp_cmd: the SMTP command and reply parser (RFC 5321 2.4, 4.1, 4.2).
 *
 * Sans-I/O and allocation-free except for struct smtp_reply, which owns
 * copies of its lines.  Shared by the fake MX (commands in), the attacker's
 * proxy (both directions) and the reference sender (replies in).  Nothing
 * here logs: the callers decide what a malformed line means.
 */
#include "fake-mx/smtp.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/util.h"

static const struct {
	const char *name;
	enum smtp_verb verb;
} smtp_verbs[] = {
	{ "EHLO", SMTP_V_EHLO },
	{ "HELO", SMTP_V_HELO },
	{ "MAIL", SMTP_V_MAIL },
	{ "RCPT", SMTP_V_RCPT },
	{ "DATA", SMTP_V_DATA },
	{ "BDAT", SMTP_V_BDAT },
	{ "RSET", SMTP_V_RSET },
	{ "NOOP", SMTP_V_NOOP },
	{ "QUIT", SMTP_V_QUIT },
	{ "STARTTLS", SMTP_V_STARTTLS },
	{ "VRFY", SMTP_V_VRFY },
	{ "HELP", SMTP_V_HELP },
	{ "AUTH", SMTP_V_AUTH },
};

static enum smtp_verb
verb_lookup_n(const char *name, size_t n)
{
	for (size_t i = 0; i < ARRAY_LEN(smtp_verbs); i++) {
		if (strlen(smtp_verbs[i].name) == n &&
		    strncasecmp(smtp_verbs[i].name, name, n) == 0)
			return smtp_verbs[i].verb;
	}
	return SMTP_V_UNKNOWN;
}

enum smtp_verb
smtp_verb_lookup(const char *name)
{
	if (name == NULL)
		return SMTP_V_UNKNOWN;
	return verb_lookup_n(name, strlen(name));
}

const char *
smtp_verb_name(enum smtp_verb v)
{
	for (size_t i = 0; i < ARRAY_LEN(smtp_verbs); i++) {
		if (smtp_verbs[i].verb == v)
			return smtp_verbs[i].name;
	}
	return "?";
}

int
smtp_cmd_parse(const char *line, size_t len, struct smtp_cmd *out)
{
	size_t n, i;

	out->verb = SMTP_V_UNKNOWN;
	out->arg = "";
	out->arglen = 0;
	if (line == NULL || len == 0 || memchr(line, '\0', len) != NULL)
		return -1;
	for (n = 0; n < len && line[n] != ' '; n++)
		;
	if (n == 0 || n > SMTP_VERB_MAX)
		return -1;
	out->verb = verb_lookup_n(line, n);
	for (i = n; i < len && line[i] == ' '; i++)
		;
	if (i < len) {
		out->arg = line + i;
		out->arglen = len - i;
	}
	return 0;
}

int
smtp_path_parse(const char *arg, const char *keyword, bool allow_empty,
    const char **path, size_t *pathlen, const char **params)
{
	size_t klen = strlen(keyword), n;
	const char *p, *close;

	if (strncasecmp(arg, keyword, klen) != 0)
		return -1;
	p = arg + klen;
	while (*p == ' ')       /* not RFC 5321, but common and harmless */
		p++;
	if (*p++ != '<' || (close = strchr(p, '>')) == NULL)
		return -1;
	n = (size_t)(close - p);
	if (n == 0 && !allow_empty)
		return -1;
	for (size_t i = 0; i < n; i++)
		if (p[i] == ' ' || p[i] == '<' || (unsigned char)p[i] < 0x20 ||
		    (unsigned char)p[i] == 0x7f)
			return -1;
	if (n > 0 && memchr(p, '@', n) == NULL &&
	    !(n == 10 && strncasecmp(p, "postmaster", 10) == 0))
		return -1;
	if (close[1] != '\0' && close[1] != ' ')
		return -1;
	if (path != NULL)
		*path = p;
	if (pathlen != NULL)
		*pathlen = n;
	for (close++; *close == ' '; close++)
		;
	if (params != NULL)
		*params = close;
	return 0;
}

int
smtp_reply_parse(const char *line, size_t len, int *code, bool *last,
    const char **text)
{
	if (line == NULL || len < 3)
		return -1;
	if (line[0] < '1' || line[0] > '5' || line[1] < '0' || line[1] > '9' ||
	    line[2] < '0' || line[2] > '9')
		return -1;
	if (len > 3 && line[3] != ' ' && line[3] != '-')
		return -1;
	*code = (line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0');
	*last = len == 3 || line[3] == ' ';
	/* "250" alone: the line need not be NUL-terminated, so no line + 3 */
	*text = len > 3 ? line + 4 : "";
	return 0;
}

void
smtp_reply_init(struct smtp_reply *r)
{
	memset(r, 0, sizeof(*r));
}

void
smtp_reply_clear(struct smtp_reply *r)
{
	for (size_t i = 0; i < r->nlines; i++)
		free(r->lines[i]);
	free(r->lines);
	smtp_reply_init(r);
}

int
smtp_reply_feed(struct smtp_reply *r, const char *line, size_t len)
{
	const char *text;
	bool last;
	int code;

	if (r->done)
		smtp_reply_clear(r);
	if (smtp_reply_parse(line, len, &code, &last, &text) < 0)
		return -1;
	if (r->nlines > 0 && code != r->code)
		return -1;
	if (r->nlines >= SMTP_REPLY_MAX_LINES)
		return -1;
	r->code = code;
	r->lines = xrealloc(r->lines, (r->nlines + 1) * sizeof(*r->lines));
	r->lines[r->nlines++] = xstrndup(line, len);
	if (last) {
		r->done = true;
		return 1;
	}
	return 0;
}

bool
smtp_reply_has_capa(const struct smtp_reply *r, const char *capa)
{
	size_t clen = strlen(capa);

	if (r->code != 250 || clen == 0)
		return false;
	for (size_t i = 1; i < r->nlines; i++) {
		const char *text;
		bool last;
		int code;
		size_t n;

		if (smtp_reply_parse(r->lines[i], strlen(r->lines[i]), &code,
		    &last, &text) < 0)
			continue;
		n = strcspn(text, " =");
		if (n == clen && strncasecmp(text, capa, clen) == 0)
			return true;
	}
	return false;
}
