/*
 * sts_policy: the MTA-STS policy body (RFC 8461 3.2), MX patterns and
 * matching (RFC 8461 4.1), and the rendering of a policy from a spec.
 * See sts.h.  Sans-I/O, no logging: every problem is an error string or
 * the policy's warning.
 *
 * The ABNF in brief (RFC 8461 3.2):
 *   record = field *WSP *(term field *WSP) [term]     term = LF / CRLF
 *   field  = version / mode / max_age / 0*(mx *WSP term) / extension
 *   delim  = ":" *WSP
 *   name   = (ALPHA / DIGIT) *31(ALPHA / DIGIT / "_" / "-" / ".")
 *   value  = vchar [*(SP / vchar) vchar]   (vchar: %x21-7E or UTF-8)
 * Field names and the values STSv1, enforce, testing, none are %s
 * literals: case-sensitive.  A known field with a bad value would still
 * fit the extension rule; we read it as a bad value of the known field,
 * which is what "Enforce" or "max_age: -1" mean to the people writing
 * them, and what CONFORMANCE D37-D39 expect.
 */
#include "fake-https/sts.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/util.h"

#define NAME_MAX_LEN 32
#define LABEL_MAX 63
#define DOMAIN_MAX 253

static void
seterr(char *err, size_t errlen, const char *fmt, ...) PRINTF(3, 4);

static void
seterr(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL || errlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

static bool
is_alpha(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool
is_digit(int c)
{
	return c >= '0' && c <= '9';
}

static bool
is_wsp(int c)
{
	return c == ' ' || c == '\t';
}

/* Length of the well-formed UTF-8 sequence (2-4 bytes, RFC 3629) at p,
 * or 0. */
static size_t
utf8_len(const unsigned char *p, size_t n)
{
	unsigned char c = p[0];
	size_t need, i;

	if (c >= 0xc2 && c <= 0xdf)
		need = 2;
	else if (c >= 0xe0 && c <= 0xef)
		need = 3;
	else if (c >= 0xf0 && c <= 0xf4)
		need = 4;
	else
		return 0;
	if (n < need)
		return 0;
	for (i = 1; i < need; i++)
		if ((p[i] & 0xc0) != 0x80)
			return 0;
	/* no overlong forms, no surrogates, nothing above U+10FFFF */
	if ((c == 0xe0 && p[1] < 0xa0) || (c == 0xed && p[1] > 0x9f) ||
	    (c == 0xf0 && p[1] < 0x90) || (c == 0xf4 && p[1] > 0x8f))
		return 0;
	return need;
}

/* sts-policy-ext-value: vchar [*(SP / vchar) vchar].  The caller has cut
 * leading and trailing WSP, so only the inside is left to check. */
static const char *
ext_value_problem(const char *v, size_t n)
{
	const unsigned char *p = (const unsigned char *)v;
	size_t i = 0, k;

	if (n == 0)
		return "has no value";
	while (i < n) {
		if (p[i] >= 0x21 && p[i] <= 0x7e) {
			i++;
		} else if (p[i] == ' ') {
			i++;
		} else if (p[i] == '\t') {
			return "has a TAB inside its value";
		} else if (p[i] < 0x20 || p[i] == 0x7f) {
			return "has a control character in its value";
		} else if ((k = utf8_len(p + i, n - i)) > 0) {
			i += k;
		} else {
			return "has a byte that is not UTF-8 in its value";
		}
	}
	return NULL;
}

/* ---- domains and MX patterns ---- */

/* RFC 5321 Domain: sub-domain *("." sub-domain), LDH labels. */
static bool
domain_valid(const char *s, size_t n)
{
	size_t i, start = 0;

	if (n == 0 || n > DOMAIN_MAX)
		return false;
	for (i = 0; i <= n; i++) {
		if (i < n && s[i] != '.') {
			if (!is_alpha(s[i]) && !is_digit(s[i]) && s[i] != '-')
				return false;
			continue;
		}
		size_t len = i - start;
		if (len == 0 || len > LABEL_MAX || s[start] == '-' || s[i - 1] == '-')
			return false;
		start = i + 1;
	}
	return true;
}

bool
sts_mx_pattern_valid(const char *pattern)
{
	if (pattern == NULL)
		return false;
	if (pattern[0] == '*' && pattern[1] == '.')
		pattern += 2;
	return domain_valid(pattern, strlen(pattern));
}

bool
sts_mx_match(const char *pattern, const char *host)
{
	size_t hn, pn;
	const char *dot;

	if (!sts_mx_pattern_valid(pattern) || host == NULL)
		return false;
	hn = strlen(host);
	if (hn > 0 && host[hn - 1] == '.')
		hn--;
	if (!domain_valid(host, hn))
		return false;
	if (pattern[0] == '*') {
		/* exactly one label in place of the '*' */
		pattern += 2;
		dot = memchr(host, '.', hn);
		if (dot == NULL)
			return false;
		hn -= (size_t)(dot + 1 - host);
		host = dot + 1;
	}
	pn = strlen(pattern);
	return pn == hn && strncasecmp(pattern, host, hn) == 0;
}

bool
sts_policy_match(const struct sts_policy *p, const char *host)
{
	for (size_t i = 0; p != NULL && i < p->nmx; i++)
		if (sts_mx_match(p->mx[i], host))
			return true;
	return false;
}

/* ---- the policy body ---- */

const char *
sts_mode_name(enum sts_mode m)
{
	switch (m) {
	case STS_MODE_ENFORCE:
		return "enforce";
	case STS_MODE_TESTING:
		return "testing";
	case STS_MODE_NONE:
		return "none";
	}
	return "?";
}

void
sts_policy_free(struct sts_policy *p)
{
	if (p == NULL)
		return;
	res_strv_free(p->mx, p->nmx);
	res_strv_free(p->strings, p->nstrings);
	free(p);
}

static void
warn(struct sts_policy *p, const char *fmt, ...) PRINTF(2, 3);

static void
warn(struct sts_policy *p, const char *fmt, ...)
{
	va_list ap;

	if (p->warning[0] != '\0')
		return;
	va_start(ap, fmt);
	vsnprintf(p->warning, sizeof(p->warning), fmt, ap);
	va_end(ap);
}

static void
push_n(char ***v, size_t *n, const char *s, size_t len)
{
	*v = xrealloc(*v, (*n + 1) * sizeof(**v));
	(*v)[(*n)++] = xstrndup(s, len);
}

enum field { F_VERSION, F_MODE, F_MAX_AGE, F_MX, F_OTHER };

static enum field
field_of(const char *name, size_t n)
{
	static const struct {
		const char *name;
		enum field f;
	} known[] = {
		{ "version", F_VERSION },
		{ "mode", F_MODE },
		{ "max_age", F_MAX_AGE },
		{ "mx", F_MX },
	};

	for (size_t i = 0; i < ARRAY_LEN(known); i++)
		if (strlen(known[i].name) == n && memcmp(known[i].name, name, n) == 0)
			return known[i].f;
	return F_OTHER;
}

/* The value of a known field, checked.  Returns NULL or the problem. */
static const char *
set_field(struct sts_policy *p, enum field f, const char *v, size_t n)
{
	char num[16];

	switch (f) {
	case F_VERSION:
		if (n != 5 || memcmp(v, "STSv1", 5) != 0)
			return "is not STSv1";
		return NULL;
	case F_MODE:
		if (n == 7 && memcmp(v, "enforce", 7) == 0)
			p->mode = STS_MODE_ENFORCE;
		else if (n == 7 && memcmp(v, "testing", 7) == 0)
			p->mode = STS_MODE_TESTING;
		else if (n == 4 && memcmp(v, "none", 4) == 0)
			p->mode = STS_MODE_NONE;
		else
			return "is not enforce, testing or none";
		return NULL;
	case F_MAX_AGE:
		if (n == 0 || n > 10)
			return "is not 1 to 10 digits";
		for (size_t i = 0; i < n; i++)
			if (!is_digit(v[i]))
				return "is not 1 to 10 digits";
		memcpy(num, v, n);
		num[n] = '\0';
		unsigned long long age = strtoull(num, NULL, 10);
		if (age > STS_MAX_AGE_CAP) {
			p->capped = true;
			warn(p, "max_age %llu capped at %u", age, STS_MAX_AGE_CAP);
			age = STS_MAX_AGE_CAP;
		}
		p->max_age = (uint32_t)age;
		return NULL;
	case F_MX:
	case F_OTHER:
		break;
	}
	return NULL;
}

int
sts_policy_parse(const char *body, size_t len, struct sts_policy **out,
    char *err, size_t errlen)
{
	struct sts_policy *p = xcalloc(1, sizeof(*p));
	bool seen[F_OTHER] = { false };
	const char *line = body, *end = body + len, *lf, *why;
	unsigned lineno = 0;
	char buf[DOMAIN_MAX + 8];

	*out = NULL;
	if (memchr(body, '\0', len) != NULL) {
		seterr(err, errlen, "the policy contains a NUL byte");
		goto fail;
	}
	for (; line < end; line = lf + 1) {
		const char *name, *v, *vend;
		size_t n, nlen;
		enum field f;

		lineno++;
		lf = memchr(line, '\n', (size_t)(end - line));
		if (lf == NULL)
			lf = end;
		n = (size_t)(lf - line);
		if (lf < end && n > 0 && line[n - 1] == '\r')
			n--;              /* CRLF */
		vend = line + n;
		while (vend > line && is_wsp(vend[-1]))
			vend--;
		if (vend == line)
			continue;         /* empty (or only WSP) */
		push_n(&p->strings, &p->nstrings, line, n);

		name = line;
		if (!is_alpha(*name) && !is_digit(*name)) {
			seterr(err, errlen, "line %u: expected \"name: value\"", lineno);
			goto fail;
		}
		for (v = name + 1; v < vend && (is_alpha(*v) || is_digit(*v) ||
		    *v == '_' || *v == '-' || *v == '.'); v++)
			;
		nlen = (size_t)(v - name);
		if (v == vend || *v != ':') {
			seterr(err, errlen, "line %u: expected \"name: value\"%s",
			    lineno, v < vend && is_wsp(*v) ?
			    " (no space before the colon)" : "");
			goto fail;
		}
		if (nlen > NAME_MAX_LEN) {
			seterr(err, errlen, "line %u: field name longer than %d characters",
			    lineno, NAME_MAX_LEN);
			goto fail;
		}
		for (v++; v < vend && is_wsp(*v); v++)
			;
		f = field_of(name, nlen);
		if ((why = ext_value_problem(v, (size_t)(vend - v))) != NULL) {
			seterr(err, errlen, "line %u: %.*s %s", lineno, (int)nlen, name, why);
			goto fail;
		}
		if (f == F_MX) {
			size_t vn = (size_t)(vend - v);
			push_n(&p->mx, &p->nmx, v, vn);
			if (!sts_mx_pattern_valid(p->mx[p->nmx - 1])) {
				p->nmx_bad++;
				snprintf(buf, sizeof(buf), "%.*s", (int)(vn > DOMAIN_MAX ?
				    DOMAIN_MAX : vn), v);
				warn(p, "line %u: mx \"%s\" is not a valid pattern "
				    "and never matches", lineno, buf);
			}
			continue;
		}
		if (f == F_OTHER)
			continue;         /* extension: ignored */
		if (seen[f]) {
			warn(p, "line %u: %.*s repeated; the first one counts",
			    lineno, (int)nlen, name);
			continue;
		}
		seen[f] = true;
		if ((why = set_field(p, f, v, (size_t)(vend - v))) != NULL) {
			size_t vn = (size_t)(vend - v);
			seterr(err, errlen, "line %u: %.*s: \"%.*s\" %s", lineno,
			    (int)nlen, name, (int)(vn > 40 ? 40 : vn), v, why);
			goto fail;
		}
	}
	if (!seen[F_VERSION]) {
		seterr(err, errlen, "no version field (version: STSv1 is required)");
		goto fail;
	}
	if (!seen[F_MODE]) {
		seterr(err, errlen, "no mode field (enforce, testing or none is required)");
		goto fail;
	}
	if (!seen[F_MAX_AGE]) {
		seterr(err, errlen, "no max_age field");
		goto fail;
	}
	if (p->nmx == 0 && p->mode != STS_MODE_NONE) {
		seterr(err, errlen, "mode %s needs at least one mx", sts_mode_name(p->mode));
		goto fail;
	}
	*out = p;
	return 0;
fail:
	sts_policy_free(p);
	return -1;
}

char *
sts_policy_text(const struct sts_policy_spec *s)
{
	const char *eol = s->lf ? "\n" : "\r\n";
	struct buf b = { 0 };

#define LINE(val, dflt, fmt)                                           \
	do {                                                           \
		const char *x_ = (val) != NULL ? (val) : (dflt);       \
		if (x_[0] != '\0')                                     \
			buf_appendf(&b, fmt "%s", x_, eol);            \
	} while (0)

	LINE(s->version, "STSv1", "version: %s");
	LINE(s->mode, "enforce", "mode: %s");
	for (const char *const *m = s->mx; m != NULL && *m != NULL; m++)
		buf_appendf(&b, "mx: %s%s", *m, eol);
	LINE(s->max_age, "604800", "max_age: %s");
	for (const char *const *e = s->extra; e != NULL && *e != NULL; e++)
		buf_appendf(&b, "%s%s", *e, eol);
#undef LINE
	if (b.data == NULL)
		return xstrdup("");
	return buf_cstr(&b);
}
