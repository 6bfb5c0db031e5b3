/*
 * tlsrpt_parse: received RFC 8460 aggregate reports.  Parses the JSON with
 * jansson, checks it against reports/tlsrpt.schema.json (written out by
 * hand: required keys, types, no unknown keys, the result-type registry,
 * the patterns of dates, domains, MX patterns, IPs and TLSA strings, the
 * policy-type rules) and turns it into the results model's res_policy
 * entries so that a sender's own report can be compared with mxsim's.
 * Also the gunzip of application/tlsrpt+gzip bodies.  See sts.h.
 *
 * Errors carry the JSON path of the offending member:
 * "policies[0].failure-details[1].result-type: \"bogus\" is not a
 * registered result-type".  Dates are also range-checked (month 1-12 and
 * so on), which the schema's pattern leaves to "format".
 */
#include "fake-https/sts.h"

#include <arpa/inet.h>
#include <jansson.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "core/util.h"

struct ctx {
	char *err;
	size_t errlen;
	bool lenient;
	bool mx_host_string;
	char path[160];
};

static int
fail(struct ctx *c, const char *fmt, ...) PRINTF(2, 3);

static int
fail(struct ctx *c, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (c->err != NULL && c->errlen > 0)
		snprintf(c->err, c->errlen, "%s%s%s", c->path,
		    c->path[0] != '\0' ? ": " : "", msg);
	return -1;
}

/* Path bookkeeping: push returns the old length to pop back to. */
static size_t
push(struct ctx *c, const char *key, long index)
{
	size_t n = strlen(c->path);

	if (key != NULL)
		snprintf(c->path + n, sizeof(c->path) - n, "%s%s", n ? "." : "", key);
	else
		snprintf(c->path + n, sizeof(c->path) - n, "[%ld]", index);
	return n;
}

static void
pop(struct ctx *c, size_t n)
{
	c->path[n] = '\0';
}

/* Unknown keys and missing required keys of an object. */
static int
check_keys(struct ctx *c, json_t *o, const char *const *allowed,
    const char *const *required)
{
	const char *k;
	json_t *v;

	if (!json_is_object(o))
		return fail(c, "not an object");
	json_object_foreach(o, k, v) {
		size_t i;
		for (i = 0; allowed[i] != NULL; i++)
			if (strcmp(allowed[i], k) == 0)
				break;
		if (allowed[i] == NULL)
			return fail(c, "unknown member \"%.40s\"", k);
	}
	for (size_t i = 0; required[i] != NULL; i++)
		if (json_object_get(o, required[i]) == NULL)
			return fail(c, "missing member \"%s\"", required[i]);
	return 0;
}

typedef bool str_rule(const char *s);

/* A string member (absent allowed when !req); *out borrowed. */
static int
get_str(struct ctx *c, json_t *o, const char *key, bool req, size_t minlen,
    str_rule *rule, const char *what, const char **out)
{
	json_t *v = json_object_get(o, key);
	size_t old;
	int rc = 0;

	*out = NULL;
	if (v == NULL)
		return req ? fail(c, "missing member \"%s\"", key) : 0;
	old = push(c, key, 0);
	if (!json_is_string(v))
		rc = fail(c, "not a string");
	else if (strlen(json_string_value(v)) < minlen)
		rc = fail(c, "empty string");
	else if (rule != NULL && !rule(json_string_value(v)))
		rc = fail(c, "\"%.60s\" is not %s", json_string_value(v), what);
	else
		*out = json_string_value(v);
	pop(c, old);
	return rc;
}

static int
get_count(struct ctx *c, json_t *o, const char *key, unsigned *out)
{
	json_t *v = json_object_get(o, key);
	size_t old = push(c, key, 0);
	int rc = 0;

	if (!json_is_integer(v))
		rc = fail(c, "not an integer");
	else if (json_integer_value(v) < 0 || json_integer_value(v) > UINT_MAX)
		rc = fail(c, "%lld is out of range", (long long)json_integer_value(v));
	else
		*out = (unsigned)json_integer_value(v);
	pop(c, old);
	return rc;
}

/* ---- the schema's string rules ---- */

static bool
is_alnum_us(int ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
	    (ch >= '0' && ch <= '9') || ch == '_';
}

/* $defs/aLabelDomain without maxLength: labels of [A-Za-z0-9_-] that
 * neither begin nor end with '-', an optional final dot. */
static bool
alabel_domain(const char *s)
{
	size_t n = strlen(s), start = 0;

	if (n > 0 && s[n - 1] == '.')
		n--;
	if (n == 0)
		return false;
	for (size_t i = 0; i <= n; i++) {
		if (i < n && s[i] != '.') {
			if (!is_alnum_us(s[i]) && s[i] != '-')
				return false;
			continue;
		}
		if (i == start || s[start] == '-' || s[i - 1] == '-')
			return false;
		start = i + 1;
	}
	return true;
}

static bool
policy_domain(const char *s)
{
	return strlen(s) <= 253 && alabel_domain(s);
}

static bool
mx_pattern(const char *s)
{
	return alabel_domain(s[0] == '*' && s[1] == '.' ? s + 2 : s);
}

static bool
ipv4(const char *s)
{
	for (int i = 0; i < 4; i++) {
		unsigned v = 0, nd = 0;
		while (s[nd] >= '0' && s[nd] <= '9' && nd < 4)
			v = v * 10 + (unsigned)(s[nd++] - '0');
		if (nd == 0 || nd > 3 || v > 255 || (nd > 1 && s[0] == '0'))
			return false;
		s += nd;
		if (i < 3 && *s++ != '.')
			return false;
	}
	return *s == '\0';
}

static bool
ip_address(const char *s)
{
	struct in6_addr a6;

	return ipv4(s) || (strchr(s, ':') != NULL && inet_pton(AF_INET6, s, &a6) == 1);
}

static bool
contact(const char *s)
{
	const char *at = strrchr(s, '@');

	if (at == NULL || at == s || at[1] == '\0')
		return false;
	for (const char *p = at + 1; *p != '\0'; p++)
		if (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n' ||
		    *p == '\f' || *p == '\v')
			return false;
	return true;
}

static bool
tlsa_string(const char *s)
{
	for (int f = 0; f < 3; f++) {
		int nd = 0;
		while (s[nd] >= '0' && s[nd] <= '9')
			nd++;
		if (nd < 1 || nd > 3 || s[nd] != ' ')
			return false;
		s += nd + 1;
	}
	if (*s == '\0')
		return false;
	for (; *s != '\0'; s++)
		if (!strchr("0123456789abcdefABCDEF", *s))
			return false;
	return true;
}

static const char *const result_types[] = {
	"starttls-not-supported", "certificate-host-mismatch",
	"certificate-expired", "certificate-not-trusted", "validation-failure",
	"tlsa-invalid", "dnssec-invalid", "dane-required",
	"sts-policy-fetch-error", "sts-policy-invalid", "sts-webpki-invalid",
	NULL,
};

static bool
result_type(const char *s)
{
	for (size_t i = 0; result_types[i] != NULL; i++)
		if (strcmp(result_types[i], s) == 0)
			return true;
	return false;
}

static bool
policy_type(const char *s)
{
	return strcmp(s, "sts") == 0 || strcmp(s, "tlsa") == 0 ||
	    strcmp(s, "no-policy-found") == 0;
}

static int
digits(const char *s, int n)
{
	int v = 0;

	for (int i = 0; i < n; i++)
		v = v * 10 + (s[i] - '0');
	return v;
}

/* RFC 3339 date-time (the schema's pattern, plus ranges) to time_t. */
static bool
parse_datetime(const char *s, time_t *out)
{
	static const char shape[] = "dddd-dd-ddTdd:dd:dd";
	struct tm tm = { 0 };
	const char *p = s;
	long off = 0;
	size_t i;

	for (i = 0; i < sizeof(shape) - 1; i++) {
		if (p[i] == '\0')
			return false;
		if (shape[i] == 'd' ? !(p[i] >= '0' && p[i] <= '9') :
		    shape[i] == 'T' ? (p[i] != 'T' && p[i] != 't') : p[i] != shape[i])
			return false;
	}
	tm.tm_year = digits(p, 4) - 1900;
	tm.tm_mon = digits(p + 5, 2) - 1;
	tm.tm_mday = digits(p + 8, 2);
	tm.tm_hour = digits(p + 11, 2);
	tm.tm_min = digits(p + 14, 2);
	tm.tm_sec = digits(p + 17, 2);
	if (tm.tm_mon < 0 || tm.tm_mon > 11 || tm.tm_mday < 1 || tm.tm_mday > 31 ||
	    tm.tm_hour > 23 || tm.tm_min > 59 || tm.tm_sec > 60)
		return false;
	p += i;
	if (*p == '.') {
		if (!(p[1] >= '0' && p[1] <= '9'))
			return false;
		for (p++; *p >= '0' && *p <= '9'; p++)
			;
	}
	if (*p == 'Z' || *p == 'z') {
		p++;
	} else if ((*p == '+' || *p == '-') && p[1] >= '0' && p[1] <= '9' &&
	    p[2] >= '0' && p[2] <= '9' && p[3] == ':' && p[4] >= '0' &&
	    p[4] <= '9' && p[5] >= '0' && p[5] <= '9') {
		int h = digits(p + 1, 2), m = digits(p + 4, 2);
		if (h > 23 || m > 59)
			return false;
		off = (h * 3600L + m * 60L) * (*p == '-' ? -1 : 1);
		p += 6;
	} else {
		return false;
	}
	if (*p != '\0')
		return false;
	*out = timegm(&tm) - off;
	return true;
}

static bool
datetime(const char *s)
{
	time_t t;

	return parse_datetime(s, &t);
}

/* ---- the document ---- */

static int
string_array(struct ctx *c, json_t *o, const char *key, str_rule *rule,
    const char *what, char ***out, size_t *n)
{
	json_t *a = json_object_get(o, key), *v;
	size_t old = push(c, key, 0), i;

	if (!json_is_array(a)) {
		if (!(c->lenient && json_is_string(a) && strcmp(key, "mx-host") == 0)) {
			int rc = fail(c, "not an array");
			pop(c, old);
			return rc;
		}
		if (rule != NULL && !rule(json_string_value(a))) {
			int rc = fail(c, "\"%.60s\" is not %s", json_string_value(a), what);
			pop(c, old);
			return rc;
		}
		c->mx_host_string = true;   /* ambiguity P.2 */
		res_strv_push(out, n, json_string_value(a));
		pop(c, old);
		return 0;
	}
	json_array_foreach(a, i, v) {
		size_t o2 = push(c, NULL, (long)i);
		if (!json_is_string(v) ||
		    (rule != NULL && !rule(json_string_value(v)))) {
			int rc = json_is_string(v) ?
			    fail(c, "\"%.60s\" is not %s", json_string_value(v), what) :
			    fail(c, "not a string");
			pop(c, old);
			return rc;
		}
		res_strv_push(out, n, json_string_value(v));
		pop(c, o2);
	}
	pop(c, old);
	return 0;
}

static int
parse_failure(struct ctx *c, json_t *f, struct res_failure *rf)
{
	static const char *const allowed[] = { "result-type", "sending-mta-ip",
		"receiving-mx-hostname", "receiving-mx-helo", "receiving-ip",
		"failed-session-count", "additional-information",
		"failure-reason-code", NULL };
	static const char *const required[] = { "result-type",
		"failed-session-count", NULL };
	const char *rt, *sip, *mx, *helo, *rip, *info, *code;

	if (check_keys(c, f, allowed, required) < 0 ||
	    get_str(c, f, "result-type", true, 0, result_type,
	    "a registered result-type", &rt) < 0 ||
	    get_str(c, f, "sending-mta-ip", false, 0, ip_address, "an IP address",
	    &sip) < 0 ||
	    get_str(c, f, "receiving-mx-hostname", false, 1, NULL, NULL, &mx) < 0 ||
	    get_str(c, f, "receiving-mx-helo", false, 0, NULL, NULL, &helo) < 0 ||
	    get_str(c, f, "receiving-ip", false, 0, ip_address, "an IP address",
	    &rip) < 0 ||
	    get_str(c, f, "additional-information", false, 0, NULL, NULL, &info) < 0 ||
	    get_str(c, f, "failure-reason-code", false, 0, NULL, NULL, &code) < 0 ||
	    get_count(c, f, "failed-session-count", &rf->count) < 0)
		return -1;
	rf->result_type = xstrdup(rt);
	rf->sending_ip = sip != NULL ? xstrdup(sip) : NULL;
	rf->receiving_mx = mx != NULL ? xstrdup(mx) : NULL;
	rf->receiving_ip = rip != NULL ? xstrdup(rip) : NULL;
	rf->reason_code = code != NULL ? xstrdup(code) : NULL;
	return 0;
}

static int
parse_entry(struct ctx *c, json_t *e, struct res_policy *p)
{
	static const char *const e_allowed[] = { "policy", "summary",
		"failure-details", NULL };
	static const char *const e_required[] = { "policy", "summary", NULL };
	static const char *const p_allowed[] = { "policy-type", "policy-string",
		"policy-domain", "mx-host", NULL };
	static const char *const p_required[] = { "policy-type", "policy-domain",
		NULL };
	static const char *const s_keys[] = { "total-successful-session-count",
		"total-failure-session-count", NULL };
	json_t *pol, *sum, *fd, *f;
	const char *type, *dom;
	size_t old, i;

	if (check_keys(c, e, e_allowed, e_required) < 0)
		return -1;
	pol = json_object_get(e, "policy");
	old = push(c, "policy", 0);
	if (check_keys(c, pol, p_allowed, p_required) < 0 ||
	    get_str(c, pol, "policy-type", true, 0, policy_type,
	    "sts, tlsa or no-policy-found", &type) < 0 ||
	    get_str(c, pol, "policy-domain", true, 0, policy_domain,
	    "a domain in A-labels", &dom) < 0)
		return -1;
	p->type = xstrdup(type);
	p->domain = xstrdup(dom);
	if (strcmp(type, "no-policy-found") == 0 &&
	    (json_object_get(pol, "policy-string") != NULL ||
	    json_object_get(pol, "mx-host") != NULL))
		return fail(c, "no-policy-found with a policy-string or mx-host");
	if (json_object_get(pol, "policy-string") != NULL &&
	    string_array(c, pol, "policy-string",
	    strcmp(type, "tlsa") == 0 ? tlsa_string : NULL,
	    "a TLSA record \"u s m HEX\"", &p->strings, &p->nstrings) < 0)
		return -1;
	if (json_object_get(pol, "mx-host") != NULL &&
	    string_array(c, pol, "mx-host", mx_pattern, "an MX pattern",
	    &p->mx_patterns, &p->nmx_patterns) < 0)
		return -1;
	pop(c, old);

	sum = json_object_get(e, "summary");
	old = push(c, "summary", 0);
	if (check_keys(c, sum, s_keys, s_keys) < 0 ||
	    get_count(c, sum, s_keys[0], &p->success) < 0 ||
	    get_count(c, sum, s_keys[1], &p->failure) < 0)
		return -1;
	pop(c, old);

	fd = json_object_get(e, "failure-details");
	if (fd == NULL)
		return 0;
	old = push(c, "failure-details", 0);
	if (!json_is_array(fd))
		return fail(c, "not an array");
	p->failures = xcalloc(json_array_size(fd) + 1, sizeof(*p->failures));
	json_array_foreach(fd, i, f) {
		size_t o2 = push(c, NULL, (long)i);
		p->nfailures++;
		if (parse_failure(c, f, &p->failures[i]) < 0)
			return -1;
		pop(c, o2);
	}
	pop(c, old);
	return 0;
}

static void
policy_clear(struct res_policy *p)
{
	free(p->type);
	free(p->domain);
	res_strv_free(p->strings, p->nstrings);
	res_strv_free(p->mx_patterns, p->nmx_patterns);
	for (size_t i = 0; i < p->nfailures; i++) {
		free(p->failures[i].result_type);
		free(p->failures[i].sending_ip);
		free(p->failures[i].receiving_mx);
		free(p->failures[i].receiving_ip);
		free(p->failures[i].reason_code);
	}
	free(p->failures);
}

void
sts_tlsrpt_report_free(struct sts_tlsrpt_report *r)
{
	if (r == NULL)
		return;
	for (size_t i = 0; i < r->npolicies; i++)
		policy_clear(&r->policies[i]);
	free(r->policies);
	free(r->org);
	free(r->contact);
	free(r->report_id);
	free(r);
}

int
sts_tlsrpt_report_parse(const char *json, size_t len, bool lenient,
    struct sts_tlsrpt_report **out, char *err, size_t errlen)
{
	static const char *const keys[] = { "organization-name", "date-range",
		"contact-info", "report-id", "policies", NULL };
	static const char *const range_keys[] = { "start-datetime",
		"end-datetime", NULL };
	struct ctx c = { err, errlen, lenient, false, "" };
	struct sts_tlsrpt_report *r = xcalloc(1, sizeof(*r));
	const char *org, *cont, *id, *start, *end;
	json_t *doc, *range, *pols, *e;
	json_error_t je;
	size_t old, i;

	*out = NULL;
	doc = json_loadb(json, len, JSON_REJECT_DUPLICATES, &je);
	if (doc == NULL) {
		fail(&c, "not JSON (line %d: %s)", je.line, je.text);
		goto bad;
	}
	if (check_keys(&c, doc, keys, keys) < 0 ||
	    get_str(&c, doc, "organization-name", true, 1, NULL, NULL, &org) < 0 ||
	    get_str(&c, doc, "contact-info", true, 0, contact,
	    "an address local@domain", &cont) < 0 ||
	    get_str(&c, doc, "report-id", true, 1, NULL, NULL, &id) < 0)
		goto bad;
	range = json_object_get(doc, "date-range");
	old = push(&c, "date-range", 0);
	if (check_keys(&c, range, range_keys, range_keys) < 0 ||
	    get_str(&c, range, "start-datetime", true, 0, datetime,
	    "an RFC 3339 date-time", &start) < 0 ||
	    get_str(&c, range, "end-datetime", true, 0, datetime,
	    "an RFC 3339 date-time", &end) < 0)
		goto bad;
	pop(&c, old);
	(void)parse_datetime(start, &r->start);
	(void)parse_datetime(end, &r->end);
	r->org = xstrdup(org);
	r->contact = xstrdup(cont);
	r->report_id = xstrdup(id);

	pols = json_object_get(doc, "policies");
	old = push(&c, "policies", 0);
	if (!json_is_array(pols) || json_array_size(pols) == 0) {
		fail(&c, json_is_array(pols) ? "empty (at least one policy is "
		    "required)" : "not an array");
		goto bad;
	}
	r->policies = xcalloc(json_array_size(pols), sizeof(*r->policies));
	json_array_foreach(pols, i, e) {
		size_t o2 = push(&c, NULL, (long)i);
		r->npolicies++;
		if (parse_entry(&c, e, &r->policies[i]) < 0)
			goto bad;
		pop(&c, o2);
	}
	pop(&c, old);
	r->mx_host_string = c.mx_host_string;
	json_decref(doc);
	*out = r;
	return 0;
bad:
	json_decref(doc);
	sts_tlsrpt_report_free(r);
	return -1;
}

int
sts_gunzip(const uint8_t *in, size_t len, size_t max, char **out,
    size_t *outlen, char *err, size_t errlen)
{
	z_stream zs;
	struct buf b = { 0 };
	uint8_t chunk[16384];
	int zr = Z_OK;

	*out = NULL;
	*outlen = 0;
	memset(&zs, 0, sizeof(zs));
	if (inflateInit2(&zs, 16 + MAX_WBITS) != Z_OK) {
		snprintf(err, errlen, "inflateInit2 failed");
		return -1;
	}
	zs.next_in = (Bytef *)(uintptr_t)in;
	zs.avail_in = (uInt)len;
	if (len > UINT_MAX) {
		snprintf(err, errlen, "gzip body too large");
		goto fail;
	}
	for (;;) {
		zs.next_out = chunk;
		zs.avail_out = sizeof(chunk);
		zr = inflate(&zs, Z_NO_FLUSH);
		if (zr == Z_BUF_ERROR && zs.avail_in == 0) {
			snprintf(err, errlen, "truncated gzip data");
			goto fail;
		}
		if (zr != Z_OK && zr != Z_STREAM_END) {
			snprintf(err, errlen, "not gzip or corrupt (%s)",
			    zs.msg != NULL ? zs.msg : zError(zr));
			goto fail;
		}
		size_t got = sizeof(chunk) - zs.avail_out;
		if (b.len + got > max) {
			snprintf(err, errlen, "inflates to more than %zu bytes", max);
			goto fail;
		}
		buf_append(&b, chunk, got);
		if (zr == Z_STREAM_END) {
			if (zs.avail_in == 0)
				break;
			/* another gzip member follows (RFC 1952 2.2) */
			if (inflateReset(&zs) != Z_OK)
				goto fail;
			continue;
		}
		if (zs.avail_in == 0 && got == 0) {
			snprintf(err, errlen, "truncated gzip data");
			goto fail;
		}
	}
	inflateEnd(&zs);
	*out = b.data != NULL ? buf_cstr(&b) : xstrdup("");
	*outlen = b.len;
	return 0;
fail:
	inflateEnd(&zs);
	buf_free(&b);
	return -1;
}
