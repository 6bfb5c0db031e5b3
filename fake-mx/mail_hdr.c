/*
 * mail_hdr: the header section of a message split into fields, and MIME
 * Content-Type parameters (RFC 5322 2.2, 3.2.2; RFC 2045 5.1).  See
 * mail.h.  Line ends are LF or CRLF; bytes are taken as they come.
 */
#include <string.h>
#include <strings.h>

#include "core/util.h"
#include "fake-mx/mail.h"

/* Length of the line at p (without its end) and, in *next, where the
 * next one starts. */
static size_t
line_at(const char *p, const char *end, const char **next)
{
	const char *nl = memchr(p, '\n', (size_t)(end - p));
	size_t n;

	if (nl == NULL) {
		*next = end;
		return (size_t)(end - p);
	}
	*next = nl + 1;
	n = (size_t)(nl - p);
	if (n > 0 && p[n - 1] == '\r')
		n--;
	return n;
}

/* The length of the field name of line p (before optional WSP and the
 * colon), or 0 when the line is no field. */
static size_t
field_name(const char *p, size_t n)
{
	size_t i = 0, k;

	while (i < n && p[i] > 32 && p[i] < 127 && p[i] != ':')
		i++;
	if (i == 0)
		return 0;
	k = i;
	while (k < n && (p[k] == ' ' || p[k] == '\t'))
		k++;
	return k < n && p[k] == ':' ? i : 0;
}

static void
add_field(struct mail_hdr *h, const char *start, const char *end,
    size_t namelen)
{
	struct mail_field *f;
	struct buf v = { 0 };
	const char *p = memchr(start, ':', (size_t)(end - start)) + 1;

	if (h->n == MAIL_MAX_FIELDS || (size_t)(end - start) > MAIL_MAX_FIELD) {
		h->truncated = true;
		return;
	}
	for (; p < end; p++)
		if (*p != '\r' && *p != '\n')
			buf_append(&v, p, 1);
	h->f = xrealloc(h->f, (h->n + 1) * sizeof(*h->f));
	f = &h->f[h->n++];
	f->name = xstrndup(start, namelen);
	p = buf_cstr(&v);
	while (*p == ' ' || *p == '\t')
		p++;
	f->value = xstrdup(p);
	buf_free(&v);
	f->raw = start;
	f->rawlen = (size_t)(end - start);
}

void
mail_hdr_parse(const char *msg, size_t len, struct mail_hdr *out)
{
	const char *p = msg, *end = msg + len, *next;
	const char *fstart = NULL;
	size_t fname = 0;
	bool dropping = false;   /* inside a field that was too long */

	memset(out, 0, sizeof(*out));
	out->no_blank = true;
	while (p < end) {
		size_t n = line_at(p, end, &next);
		bool cont = n > 0 && (p[0] == ' ' || p[0] == '\t');

		if (cont && (fstart != NULL || dropping)) {
			if (fstart != NULL &&
			    (size_t)(next - fstart) > MAIL_MAX_FIELD) {
				out->truncated = true;
				fstart = NULL;  /* dropped: too long to be honest */
				dropping = true;
			}
			p = next;
			continue;
		}
		dropping = false;
		if (fstart != NULL)
			add_field(out, fstart, p, fname);
		fstart = NULL;
		if (n == 0) {
			out->no_blank = false;
			p = next;
			break;
		}
		fname = field_name(p, n);
		if (fname == 0)
			break;            /* not a field: the body starts here */
		fstart = p;
		p = next;
	}
	if (fstart != NULL)
		add_field(out, fstart, p, fname);
	out->body = p;
	out->bodylen = (size_t)(end - p);
}

void
mail_hdr_free(struct mail_hdr *h)
{
	for (size_t i = 0; i < h->n; i++) {
		free(h->f[i].name);
		free(h->f[i].value);
	}
	free(h->f);
	memset(h, 0, sizeof(*h));
}

const char *
mail_hdr_get(const struct mail_hdr *h, const char *name, size_t *count)
{
	const char *v = NULL;
	size_t c = 0;

	for (size_t i = 0; i < h->n; i++)
		if (strcasecmp(h->f[i].name, name) == 0) {
			if (v == NULL)
				v = h->f[i].value;
			c++;
		}
	if (count != NULL)
		*count = c;
	return v;
}

/* RFC 2045 tspecials and controls end a token. */
static bool
tok_char(char c)
{
	return (unsigned char)c > 32 && (unsigned char)c < 127 &&
	    strchr("()<>@,;:\\\"/[]?=", c) == NULL;
}

/* Skip WSP and (nested) comments. */
static const char *
skip_cfws(const char *p)
{
	for (;;) {
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p != '(')
			return p;
		int depth = 0;
		do {
			if (*p == '\\' && p[1] != '\0')
				p++;
			else if (*p == '(')
				depth++;
			else if (*p == ')')
				depth--;
			p++;
		} while (*p != '\0' && depth > 0);
	}
}

char *
mail_ct_type(const char *ct)
{
	const char *p = skip_cfws(ct), *s = p;
	char *t;

	while (tok_char(*p))
		p++;
	if (p == s || *p != '/')
		return xstrdup("");
	p++;
	if (!tok_char(*p))
		return xstrdup("");
	while (tok_char(*p))
		p++;
	t = xstrndup(s, (size_t)(p - s));
	for (char *c = t; *c; c++)
		if (*c >= 'A' && *c <= 'Z')
			*c = (char)(*c + 32);
	return t;
}

char *
mail_ct_param(const char *ct, const char *param)
{
	const char *p = strchr(ct, ';');

	while (p != NULL && *p == ';') {
		const char *ns, *ne;
		struct buf v = { 0 };

		p = skip_cfws(p + 1);
		ns = p;
		while (tok_char(*p))
			p++;
		ne = p;
		p = skip_cfws(p);
		if (*p != '=')
			return NULL;
		p = skip_cfws(p + 1);
		if (*p == '"') {
			for (p++; *p != '\0' && *p != '"'; p++) {
				if (*p == '\\' && p[1] != '\0')
					p++;
				buf_append(&v, p, 1);
			}
			if (*p != '"') {
				buf_free(&v);
				return NULL;
			}
			p++;
		} else {
			const char *vs = p;
			while (tok_char(*p))
				p++;
			buf_append(&v, vs, (size_t)(p - vs));
		}
		if ((size_t)(ne - ns) == strlen(param) &&
		    strncasecmp(ns, param, (size_t)(ne - ns)) == 0) {
			char *out = xstrdup(buf_cstr(&v));
			buf_free(&v);
			return out;
		}
		buf_free(&v);
		p = skip_cfws(p);
	}
	return NULL;
}
