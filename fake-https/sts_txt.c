/*
 * sts_txt: the two TXT records of the policy domain, `_mta-sts` (RFC 8461
 * 3.1) and `_smtp._tls` (RFC 8460 3), and discovery over several TXT
 * records.  See sts.h.  Sans-I/O, no logging.
 *
 * Both records share one shape, parsed by walk_record():
 *   record = version 1*(sep field) [sep]        sep = *WSP ";" *WSP
 *   field  = name "=" value
 *   name   = (ALPHA / DIGIT) *31(ALPHA / DIGIT / "_" / "-" / ".")
 *   value  = 1*(%x21-3A / %x3C / %x3E-7E)   (no "=", ";", SP or CTL)
 * with one required field (id=, 1*32 ALPHA / DIGIT; rua=, URIs separated
 * by *WSP "," *WSP).  The version and field names are %s literals
 * (case-sensitive); a record with WSP at its very end does not fit the
 * ABNF and is rejected.  Of a repeated required field the first counts.
 */
#include "fake-https/sts.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/util.h"

#define NAME_MAX_LEN 32

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
is_alnum(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9');
}

static bool
is_wsp(int c)
{
	return c == ' ' || c == '\t';
}

/* Whether rec begins with version, then *WSP ";" (the record selection
 * of RFC 8461 3.1 and RFC 8460 3, read with the ABNF's sts-sep). */
static bool
has_version(const char *rec, const char *version)
{
	size_t n = strlen(version);

	if (strncmp(rec, version, n) != 0)
		return false;
	rec += n;
	while (is_wsp(*rec))
		rec++;
	return *rec == ';';
}

/* Called for each field: name, value (not NUL-terminated).  Returns NULL
 * or a problem that makes the record invalid. */
typedef const char *field_fn(const char *name, size_t nlen, const char *v,
	size_t vlen, void *arg);

static int
walk_record(const char *rec, const char *version, field_fn *fn, void *arg,
    char *err, size_t errlen)
{
	const char *p = rec + strlen(version), *name, *eq, *v, *end, *why;
	unsigned nfields = 0;

	/* has_version() saw *WSP ";" here: split at every ";" (no value
	 * may hold one), cutting the WSP of each sep */
	for (;;) {
		while (is_wsp(*p))
			p++;
		p++;                      /* the ";" */
		while (is_wsp(*p))
			p++;
		if (*p == '\0') {
			if (nfields == 0) {
				seterr(err, errlen, "the record has no field after %s",
				    version);
				return -1;
			}
			return 0;         /* [sep] at the end */
		}
		end = strchr(p, ';');
		if (end == NULL)
			end = p + strlen(p);
		v = end;
		while (v > p && is_wsp(v[-1]))
			v--;
		if (*end == '\0' && v < end) {
			seterr(err, errlen, "white space at the end of the record");
			return -1;
		}
		name = p;
		if (!is_alnum(*p)) {
			seterr(err, errlen, "bad field name at \"%.20s\"", p);
			return -1;
		}
		for (p++; is_alnum(*p) || *p == '_' || *p == '-' || *p == '.'; p++)
			;
		eq = p;
		if (*eq != '=') {
			seterr(err, errlen, "field \"%.*s\" has no \"=\"",
			    (int)(eq - name > 32 ? 32 : eq - name), name);
			return -1;
		}
		if (eq - name > NAME_MAX_LEN) {
			seterr(err, errlen, "field name longer than %d characters",
			    NAME_MAX_LEN);
			return -1;
		}
		if (v == eq + 1) {
			seterr(err, errlen, "field \"%.*s\" has an empty value",
			    (int)(eq - name), name);
			return -1;
		}
		why = fn(name, (size_t)(eq - name), eq + 1, (size_t)(v - eq - 1), arg);
		if (why != NULL) {
			seterr(err, errlen, "%.*s: %s", (int)(eq - name), name, why);
			return -1;
		}
		nfields++;
		if (*end == '\0')
			return 0;
		p = end;
	}
}

/* sts-ext-value / tlsrpt-ext-value: 1*(%x21-3A / %x3C / %x3E-7E). */
static const char *
plain_value(const char *v, size_t vlen)
{
	for (size_t i = 0; i < vlen; i++) {
		unsigned char c = (unsigned char)v[i];
		if (c == '=')
			return "\"=\" inside the value";
		if (c <= 0x20 || c >= 0x7f)
			return "space, control or non-ASCII character in the value";
	}
	return NULL;
}

/* ---- _mta-sts ---- */

struct sts_acc {
	char *id;
	bool have_id;
};

static const char *
sts_field(const char *name, size_t nlen, const char *v, size_t vlen, void *arg)
{
	struct sts_acc *a = arg;
	const char *why = plain_value(v, vlen);

	if (why != NULL)
		return why;
	if (nlen != 2 || memcmp(name, "id", 2) != 0 || a->have_id)
		return NULL;      /* extension, or a later id: ignored */
	if (vlen > STS_ID_MAX)
		return "longer than 32 characters";
	for (size_t i = 0; i < vlen; i++)
		if (!is_alnum(v[i]))
			return "not only letters and digits";
	memcpy(a->id, v, vlen);
	a->id[vlen] = '\0';
	a->have_id = true;
	return NULL;
}

int
sts_txt_parse(const char *rec, char id[STS_ID_MAX + 1], char *err, size_t errlen)
{
	struct sts_acc a = { id, false };

	id[0] = '\0';
	if (!has_version(rec, "v=STSv1")) {
		seterr(err, errlen, "the record does not begin with \"v=STSv1;\"");
		return -1;
	}
	if (walk_record(rec, "v=STSv1", sts_field, &a, err, errlen) < 0) {
		id[0] = '\0';
		return -1;
	}
	if (!a.have_id) {
		seterr(err, errlen, "the record has no id field");
		return -1;
	}
	return 0;
}

/* Discovery: one record must begin with the version; then parse it. */
static enum sts_txt_result
select_one(const char *const *recs, size_t n, const char *version,
    const char **one, char *err, size_t errlen)
{
	size_t count = 0;

	*one = NULL;
	for (size_t i = 0; i < n; i++) {
		if (recs[i] != NULL && has_version(recs[i], version)) {
			count++;
			*one = recs[i];
		}
	}
	if (count == 0) {
		seterr(err, errlen, "no TXT record begins with \"%s;\"", version);
		return STS_TXT_NONE;
	}
	if (count > 1) {
		seterr(err, errlen, "%zu TXT records begin with \"%s;\" (exactly one "
		    "is allowed)", count, version);
		return STS_TXT_MANY;
	}
	return STS_TXT_OK;
}

enum sts_txt_result
sts_txt_select(const char *const *recs, size_t n, char id[STS_ID_MAX + 1],
    char *err, size_t errlen)
{
	const char *one;
	enum sts_txt_result r = select_one(recs, n, "v=STSv1", &one, err, errlen);

	id[0] = '\0';
	if (r != STS_TXT_OK)
		return r;
	return sts_txt_parse(one, id, err, errlen) == 0 ? STS_TXT_OK : STS_TXT_INVALID;
}

/* ---- _smtp._tls ---- */

struct rpt_acc {
	struct sts_tlsrpt_txt *t;
	bool have_rua;
};

/* RFC 3986 characters minus "," and "!" (RFC 8460 3: they MUST be
 * percent-encoded) and ";" (the field separator). */
static bool
uri_char(int c)
{
	return is_alnum(c) || strchr("-._~:/?#[]@$&'()*+=%", c) != NULL;
}

static const char *
check_uri(const char *u, size_t n, bool *usable)
{
	size_t i = 0;

	*usable = false;
	if (n == 0)
		return "empty URI in rua";
	if (!((u[0] >= 'a' && u[0] <= 'z') || (u[0] >= 'A' && u[0] <= 'Z')))
		return "a rua URI must begin with a scheme";
	for (i = 1; i < n && u[i] != ':'; i++)
		if (!is_alnum(u[i]) && u[i] != '+' && u[i] != '-' && u[i] != '.')
			return "bad URI scheme in rua";
	if (i == n)
		return "a rua URI has no scheme";
	for (size_t k = 0; k < n; k++) {
		if (!uri_char((unsigned char)u[k]))
			return "bad character in a rua URI (\",\" and \"!\" must be "
			    "percent-encoded)";
		if (u[k] == '%' && (k + 2 >= n || !strchr("0123456789abcdefABCDEF",
		    u[k + 1]) || !strchr("0123456789abcdefABCDEF", u[k + 2])))
			return "bad percent-encoding in a rua URI";
	}
	if (n > 7 && strncasecmp(u, "mailto:", 7) == 0) {
		const char *at = memchr(u + 7, '@', n - 7);
		if (at == NULL || at == u + 7 || at == u + n - 1)
			return "a mailto: rua needs an address local@domain";
		*usable = true;
	} else if (n >= 8 && strncasecmp(u, "https://", 8) == 0) {
		if (n == 8 || u[8] == '/')
			return "an https: rua needs a host";
		*usable = true;
	}
	return NULL;
}

static const char *
rpt_field(const char *name, size_t nlen, const char *v, size_t vlen, void *arg)
{
	struct rpt_acc *a = arg;
	const char *p = v, *end = v + vlen, *why;
	char **uris = NULL;
	size_t nuris = 0, ignored = 0;

	if (nlen != 3 || memcmp(name, "rua", 3) != 0 || a->have_rua)
		return plain_value(v, vlen);
	while (p < end) {
		const char *u = p, *ue;
		bool usable;

		while (p < end && *p != ',' && !is_wsp(*p))
			p++;
		ue = p;
		if ((why = check_uri(u, (size_t)(ue - u), &usable)) != NULL) {
			res_strv_free(uris, nuris);
			return why;
		}
		if (usable) {
			uris = xrealloc(uris, (nuris + 1) * sizeof(*uris));
			uris[nuris++] = xstrndup(u, (size_t)(ue - u));
		} else {
			ignored++;
		}
		while (p < end && is_wsp(*p))
			p++;
		if (p == end)
			break;
		if (*p != ',') {
			res_strv_free(uris, nuris);
			return "URIs must be separated by \",\"";
		}
		for (p++; p < end && is_wsp(*p); p++)
			;
		if (p == end) {
			res_strv_free(uris, nuris);
			return "\",\" at the end of rua";
		}
	}
	a->t->rua = uris;
	a->t->nrua = nuris;
	a->t->nignored = ignored;
	a->have_rua = true;
	return NULL;
}

void
sts_tlsrpt_txt_free(struct sts_tlsrpt_txt *t)
{
	if (t == NULL)
		return;
	res_strv_free(t->rua, t->nrua);
	free(t);
}

int
sts_tlsrpt_txt_parse(const char *rec, struct sts_tlsrpt_txt **out, char *err,
    size_t errlen)
{
	struct sts_tlsrpt_txt *t = xcalloc(1, sizeof(*t));
	struct rpt_acc a = { t, false };

	*out = NULL;
	if (!has_version(rec, "v=TLSRPTv1")) {
		seterr(err, errlen, "the record does not begin with \"v=TLSRPTv1;\"");
		goto fail;
	}
	if (walk_record(rec, "v=TLSRPTv1", rpt_field, &a, err, errlen) < 0)
		goto fail;
	if (!a.have_rua) {
		seterr(err, errlen, "the record has no rua field");
		goto fail;
	}
	if (t->nrua == 0) {
		seterr(err, errlen, "rua has no mailto: or https: URI");
		goto fail;
	}
	*out = t;
	return 0;
fail:
	sts_tlsrpt_txt_free(t);
	return -1;
}

enum sts_txt_result
sts_tlsrpt_txt_select(const char *const *recs, size_t n,
    struct sts_tlsrpt_txt **out, char *err, size_t errlen)
{
	const char *one;
	enum sts_txt_result r = select_one(recs, n, "v=TLSRPTv1", &one, err, errlen);

	*out = NULL;
	if (r != STS_TXT_OK)
		return r;
	return sts_tlsrpt_txt_parse(one, out, err, errlen) == 0 ? STS_TXT_OK :
	    STS_TXT_INVALID;
}
