/*
 * http_parse: an incremental HTTP/1.1 request parser (RFC 9112), strict
 * where leniency has been a smuggling or injection vector.  See https.h.
 *
 * States: leading empty lines, the request line, header lines, then the
 * body (Content-Length bytes, or chunks with their sizes, data, CRLFs and
 * trailers).  Head lines are collected in a line buffer and end at LF (a
 * CR before it is dropped, RFC 9112 2.2); the whole head is bounded by
 * max_head, chunk-size lines and trailers too.  Rejected with 400: NUL
 * bytes or a bare CR in the head, obs-fold, white space before a header's
 * colon, a missing or repeated Host in HTTP/1.1, Content-Length with
 * Transfer-Encoding, differing Content-Lengths, bad chunk framing.  413
 * for bodies over max_body, 431 for heads over max_head (414 when the
 * request line alone is too long), 501 for transfer codings other than
 * chunked, 505 for HTTP versions other than 1.x, 417 for an Expect other
 * than 100-continue.  No logging.
 */
#include "fake-https/https.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/util.h"

#define MAX_EMPTY_LINES 8       /* RFC 9112 2.2: ignore at least one */
#define MAX_CHUNK_LINE 1024

enum state {
	S_LEAD, S_REQLINE, S_HEADERS, S_LENGTH, S_CHUNK_SIZE, S_CHUNK_DATA,
	S_CHUNK_END, S_TRAILERS, S_DONE, S_ERROR,
};

struct https_parser {
	size_t max_head, max_body;
	enum state st;
	bool started;
	struct buf line;          /* the head line being collected */
	size_t head_bytes;        /* of the head (or trailers) so far */
	unsigned empty_lines;
	uint64_t left;            /* body or chunk bytes still to come */
	struct buf body;
	struct https_req req;
	int status;
	char error[160];
};

static enum https_parse
perr(struct https_parser *p, int status, const char *fmt, ...) PRINTF(3, 4);

static enum https_parse
perr(struct https_parser *p, int status, const char *fmt, ...)
{
	va_list ap;

	p->st = S_ERROR;
	p->status = status;
	va_start(ap, fmt);
	vsnprintf(p->error, sizeof(p->error), fmt, ap);
	va_end(ap);
	return HTTPS_P_ERROR;
}

static void
req_clear(struct https_req *r)
{
	free(r->method);
	free(r->target);
	free(r->path);
	free(r->host);
	for (size_t i = 0; i < r->nheaders; i++) {
		free(r->headers[i].name);
		free(r->headers[i].value);
	}
	free(r->headers);
	memset(r, 0, sizeof(*r));
}

struct https_parser *
https_parser_new(size_t max_head, size_t max_body)
{
	struct https_parser *p = xcalloc(1, sizeof(*p));

	p->max_head = max_head ? max_head : HTTPS_MAX_HEAD;
	p->max_body = max_body ? max_body : HTTPS_MAX_BODY;
	return p;
}

void
https_parser_reset(struct https_parser *p)
{
	req_clear(&p->req);
	buf_reset(&p->line);
	buf_reset(&p->body);
	p->st = S_LEAD;
	p->started = false;
	p->head_bytes = 0;
	p->empty_lines = 0;
	p->left = 0;
	p->status = 0;
	p->error[0] = '\0';
}

void
https_parser_free(struct https_parser *p)
{
	if (p == NULL)
		return;
	req_clear(&p->req);
	buf_free(&p->line);
	buf_free(&p->body);
	free(p);
}

const struct https_req *https_parser_req(const struct https_parser *p) { return &p->req; }
int https_parser_status(const struct https_parser *p) { return p->status; }
const char *https_parser_error(const struct https_parser *p) { return p->error; }
bool https_parser_started(const struct https_parser *p) { return p->started; }

const char *
https_req_header(const struct https_req *r, const char *name)
{
	for (size_t i = 0; i < r->nheaders; i++)
		if (strcasecmp(r->headers[i].name, name) == 0)
			return r->headers[i].value;
	return NULL;
}

static bool
tchar(int c)
{
	return isalnum(c) || (c != 0 && strchr("!#$%&'*+-.^_`|~", c) != NULL);
}

static bool
ows(int c)
{
	return c == ' ' || c == '\t';
}

/* ---- the request line ---- */

static char *
lower_host(const char *s, size_t n)
{
	char *h;
	const char *colon;

	if (n > 0 && s[0] == '[') {            /* IP-literal */
		const char *rb = memchr(s, ']', n);
		n = rb != NULL ? (size_t)(rb - s) + 1 : n;
	} else if ((colon = memchr(s, ':', n)) != NULL) {
		n = (size_t)(colon - s);
	}
	h = xstrndup(s, n);
	for (char *q = h; *q != '\0'; q++)
		*q = (char)tolower((unsigned char)*q);
	return h;
}

/* uri-host [ ":" port ]: reg-name characters, or an IP-literal. */
static bool
authority_ok(const char *s, size_t n)
{
	size_t i = 0;

	if (n == 0)
		return false;
	if (s[0] == '[') {
		for (i = 1; i < n && s[i] != ']'; i++)
			if (!isxdigit((unsigned char)s[i]) && s[i] != ':' && s[i] != '.')
				return false;
		if (i == n)
			return false;
		i++;
	} else {
		for (; i < n && s[i] != ':'; i++)
			if (!isalnum((unsigned char)s[i]) && !strchr("-._~!$&'()*+,;=%", s[i]))
				return false;
	}
	if (i < n) {
		if (s[i] != ':')
			return false;
		for (i++; i < n; i++)
			if (!isdigit((unsigned char)s[i]))
				return false;
	}
	return true;
}

static enum https_parse
request_line(struct https_parser *p, const char *l, size_t n)
{
	const char *sp1 = memchr(l, ' ', n), *sp2, *t, *v;
	size_t tn;

	if (sp1 == NULL || sp1 == l)
		return perr(p, 400, "bad request line");
	for (const char *m = l; m < sp1; m++)
		if (!tchar((unsigned char)*m))
			return perr(p, 400, "bad method");
	if (sp1 - l > 32)
		return perr(p, 501, "method too long");
	t = sp1 + 1;
	sp2 = memchr(t, ' ', n - (size_t)(t - l));
	if (sp2 == NULL || sp2 == t)
		return perr(p, 400, "bad request line");
	tn = (size_t)(sp2 - t);
	for (size_t i = 0; i < tn; i++)
		if ((unsigned char)t[i] <= 0x20 || (unsigned char)t[i] >= 0x7f)
			return perr(p, 400, "bad character in the request target");
	v = sp2 + 1;
	if ((size_t)(v - l) + 8 != n || strncmp(v, "HTTP/", 5) != 0 ||
	    !isdigit((unsigned char)v[5]) || v[6] != '.' || !isdigit((unsigned char)v[7]))
		return perr(p, 400, "bad HTTP version");
	if (v[5] != '1')
		return perr(p, 505, "HTTP/%c.%c is not supported", v[5], v[7]);
	p->req.minor = v[7] - '0';
	p->req.method = xstrndup(l, (size_t)(sp1 - l));
	p->req.target = xstrndup(t, tn);
	if (t[0] == '/') {
		const char *q = memchr(t, '?', tn);
		p->req.path = xstrndup(t, q != NULL ? (size_t)(q - t) : tn);
	} else if (tn == 1 && t[0] == '*') {
		if (strcmp(p->req.method, "OPTIONS") != 0)
			return perr(p, 400, "\"*\" is only for OPTIONS");
		p->req.path = xstrdup("*");
	} else if ((tn > 7 && strncasecmp(t, "http://", 7) == 0) ||
	    (tn > 8 && strncasecmp(t, "https://", 8) == 0)) {
		const char *a = strstr(p->req.target, "://") + 3, *end;
		const char *e = p->req.target + tn;
		end = a;
		while (end < e && *end != '/' && *end != '?')
			end++;
		if (!authority_ok(a, (size_t)(end - a)))
			return perr(p, 400, "bad authority in the request target");
		p->req.host = lower_host(a, (size_t)(end - a));
		if (end == e || *end == '?') {
			p->req.path = xstrdup("/");
		} else {
			const char *q = memchr(end, '?', (size_t)(e - end));
			p->req.path = xstrndup(end, q != NULL ? (size_t)(q - end) :
			    (size_t)(e - end));
		}
	} else {
		return perr(p, 400, "unsupported request target form");
	}
	return HTTPS_P_MORE;
}

/* ---- header lines ---- */

static enum https_parse
header_line(struct https_parser *p, const char *l, size_t n, bool trailer)
{
	const char *colon, *v, *ve;

	if (ows(l[0]))
		return perr(p, 400, "obsolete line folding");
	colon = memchr(l, ':', n);
	if (colon == NULL || colon == l)
		return perr(p, 400, "header line without a name and colon");
	for (const char *c = l; c < colon; c++) {
		if (!tchar((unsigned char)*c))
			return perr(p, 400, ows(*c) ? "white space before a header's colon" :
			    "bad character in a header name");
	}
	for (v = colon + 1; v < l + n && ows(*v); v++)
		;
	for (ve = l + n; ve > v && ows(ve[-1]); ve--)
		;
	for (const char *c = v; c < ve; c++) {
		unsigned char ch = (unsigned char)*c;
		if ((ch < 0x20 && ch != '\t') || ch == 0x7f)
			return perr(p, 400, "control character in a header value");
	}
	if (trailer)
		return HTTPS_P_MORE;      /* trailers are read and dropped */
	if (p->req.nheaders >= HTTPS_MAX_HEADERS)
		return perr(p, 431, "more than %d header fields", HTTPS_MAX_HEADERS);
	p->req.headers = xrealloc(p->req.headers,
	    (p->req.nheaders + 1) * sizeof(*p->req.headers));
	p->req.headers[p->req.nheaders].name = xstrndup(l, (size_t)(colon - l));
	p->req.headers[p->req.nheaders].value = xstrndup(v, (size_t)(ve - v));
	p->req.nheaders++;
	return HTTPS_P_MORE;
}

/* Whether a comma-separated list holds token (case-insensitive). */
static bool
list_has(const char *list, const char *token)
{
	size_t tn = strlen(token);

	for (const char *s = list; *s != '\0';) {
		while (*s == ',' || ows(*s))
			s++;
		const char *e = s;
		while (*e != '\0' && *e != ',')
			e++;
		const char *te = e;
		while (te > s && ows(te[-1]))
			te--;
		if ((size_t)(te - s) == tn && strncasecmp(s, token, tn) == 0)
			return true;
		s = e;
	}
	return false;
}

/* The head is complete: work out host, framing and connection. */
static enum https_parse
head_done(struct https_parser *p)
{
	struct https_req *r = &p->req;
	const char *te = NULL, *cl = NULL, *conn, *exp;
	unsigned nhost = 0;
	const char *host = NULL;

	for (size_t i = 0; i < r->nheaders; i++) {
		const struct https_header *h = &r->headers[i];
		if (strcasecmp(h->name, "Host") == 0) {
			nhost++;
			host = h->value;
		} else if (strcasecmp(h->name, "Transfer-Encoding") == 0) {
			if (te != NULL)
				return perr(p, 400, "Transfer-Encoding repeated");
			te = h->value;
		} else if (strcasecmp(h->name, "Content-Length") == 0) {
			/* 1*DIGIT; repeated values (or lists) must agree */
			const char *s = h->value;
			do {
				const char *d = s;
				while (isdigit((unsigned char)*d))
					d++;
				if (d == s || (*d != '\0' && *d != ','))
					return perr(p, 400, "bad Content-Length");
				if (cl != NULL && ((size_t)(d - s) != strcspn(cl, ",") ||
				    strncmp(cl, s, (size_t)(d - s)) != 0))
					return perr(p, 400, "conflicting Content-Lengths");
				cl = s;
				s = d;
				while (*s == ',' || ows(*s))
					s++;
			} while (*s != '\0');
		}
	}
	if (r->minor >= 1 && nhost != 1)
		return perr(p, 400, nhost ? "more than one Host header" : "no Host header");
	if (nhost > 1)
		return perr(p, 400, "more than one Host header");
	if (host != NULL && host[0] != '\0' && !authority_ok(host, strlen(host)))
		return perr(p, 400, "bad Host header");
	if (r->host == NULL)
		r->host = host != NULL ? lower_host(host, strlen(host)) : xstrdup("");
	if (te != NULL && cl != NULL)
		return perr(p, 400, "both Transfer-Encoding and Content-Length");
	if (te != NULL) {
		const char *last = strrchr(te, ',');
		last = last != NULL ? last + 1 : te;
		while (ows(*last))
			last++;
		if (r->minor == 0)
			return perr(p, 400, "Transfer-Encoding in an HTTP/1.0 request");
		if (strcasecmp(last, "chunked") != 0 || strcasecmp(te, "chunked") != 0)
			return perr(p, 501, "transfer coding \"%.40s\" is not supported", te);
		r->chunked = true;
	} else if (cl != NULL) {
		size_t nd = strcspn(cl, ",");
		if (nd > 18)
			return perr(p, 413, "body larger than %zu bytes", p->max_body);
		r->has_length = true;
		r->length = strtoull(cl, NULL, 10);
		if (r->length > p->max_body)
			return perr(p, 413, "body of %llu bytes, more than %zu",
			    (unsigned long long)r->length, p->max_body);
	}
	conn = https_req_header(r, "Connection");
	r->keep_alive = r->minor >= 1;
	if (conn != NULL && list_has(conn, "close"))
		r->keep_alive = false;
	else if (conn != NULL && list_has(conn, "keep-alive"))
		r->keep_alive = true;
	exp = https_req_header(r, "Expect");
	if (exp != NULL) {
		if (strcasecmp(exp, "100-continue") != 0)
			return perr(p, 417, "expectation \"%.40s\" not supported", exp);
		r->expect_continue = r->minor >= 1;
	}
	if (r->chunked) {
		p->st = S_CHUNK_SIZE;
		return HTTPS_P_HEAD;
	}
	if (r->has_length && r->length > 0) {
		p->st = S_LENGTH;
		p->left = r->length;
		return HTTPS_P_HEAD;
	}
	p->st = S_DONE;
	return HTTPS_P_DONE;
}

/* ---- chunks ---- */

static enum https_parse
chunk_size(struct https_parser *p, const char *l, size_t n)
{
	uint64_t v = 0;
	size_t i = 0;

	for (; i < n && isxdigit((unsigned char)l[i]); i++) {
		if (i >= 15)
			return perr(p, 413, "chunk size too large");
		v = v * 16 + (uint64_t)(isdigit((unsigned char)l[i]) ? l[i] - '0' :
		    tolower((unsigned char)l[i]) - 'a' + 10);
	}
	if (i == 0)
		return perr(p, 400, "bad chunk size");
	while (i < n && ows(l[i]))
		i++;
	if (i < n && l[i] != ';')
		return perr(p, 400, "bad chunk size");
	for (; i < n; i++)   /* chunk extensions: ignored, no controls */
		if ((unsigned char)l[i] < 0x20 && l[i] != '\t')
			return perr(p, 400, "control character in a chunk extension");
	if (v > p->max_body - p->body.len)
		return perr(p, 413, "chunked body larger than %zu bytes", p->max_body);
	if (v == 0) {
		p->st = S_TRAILERS;
		p->head_bytes = 0;
	} else {
		p->st = S_CHUNK_DATA;
		p->left = v;
	}
	return HTTPS_P_MORE;
}

/* One complete line of the head, chunk sizes or trailers. */
static enum https_parse
on_line(struct https_parser *p, const char *l, size_t n)
{
	switch (p->st) {
	case S_LEAD:
		if (n == 0) {
			if (++p->empty_lines > MAX_EMPTY_LINES)
				return perr(p, 400, "too many empty lines before the request");
			return HTTPS_P_MORE;
		}
		p->st = S_REQLINE;
		/* fall through */
	case S_REQLINE:
		p->st = S_HEADERS;
		return request_line(p, l, n);
	case S_HEADERS:
		return n == 0 ? head_done(p) : header_line(p, l, n, false);
	case S_CHUNK_SIZE:
		return chunk_size(p, l, n);
	case S_CHUNK_END:
		if (n != 0)
			return perr(p, 400, "chunk data longer than its size");
		p->st = S_CHUNK_SIZE;
		return HTTPS_P_MORE;
	case S_TRAILERS:
		if (n == 0) {
			p->st = S_DONE;
			return HTTPS_P_DONE;
		}
		return header_line(p, l, n, true);
	default:
		return perr(p, 500, "parser in a bad state");
	}
}

static bool
in_line_state(enum state st)
{
	return st == S_LEAD || st == S_REQLINE || st == S_HEADERS ||
	    st == S_CHUNK_SIZE || st == S_CHUNK_END || st == S_TRAILERS;
}

enum https_parse
https_parser_feed(struct https_parser *p, const uint8_t *data, size_t len,
    size_t *used)
{
	size_t i = 0;
	enum https_parse r = HTTPS_P_MORE;

	*used = 0;
	if (p->st == S_ERROR)
		return HTTPS_P_ERROR;
	if (p->st == S_DONE)
		return HTTPS_P_DONE;
	if (len > 0)
		p->started = true;
	while (i < len) {
		if (p->st == S_LENGTH || p->st == S_CHUNK_DATA) {
			size_t take = len - i;
			if (take > p->left)
				take = (size_t)p->left;
			buf_append(&p->body, data + i, take);
			i += take;
			p->left -= take;
			if (p->left > 0)
				break;
			if (p->st == S_CHUNK_DATA) {
				p->st = S_CHUNK_END;
				continue;
			}
			p->st = S_DONE;
			r = HTTPS_P_DONE;
			break;
		}
		if (!in_line_state(p->st))
			break;
		/* collect a line up to LF */
		const uint8_t *lf = memchr(data + i, '\n', len - i);
		size_t take = lf != NULL ? (size_t)(lf - (data + i)) + 1 : len - i;
		bool head = p->st == S_LEAD || p->st == S_REQLINE || p->st == S_HEADERS;
		size_t limit = head || p->st == S_TRAILERS ? p->max_head : MAX_CHUNK_LINE;
		size_t have = head || p->st == S_TRAILERS ? p->head_bytes : p->line.len;

		size_t fits = have < limit ? limit - have : 0;

		/* NULs only where the limit still allows bytes: the same
		 * verdict whether the input comes at once or byte by byte */
		if (memchr(data + i, '\0', take < fits ? take : fits) != NULL) {
			*used = i;
			return perr(p, 400, "NUL byte in the request head");
		}
		if (have + take > limit) {
			*used = i;
			if (p->st == S_LEAD || p->st == S_REQLINE)
				return perr(p, 414, "request line longer than %zu bytes", limit);
			return perr(p, p->st == S_CHUNK_SIZE || p->st == S_CHUNK_END ? 400 : 431,
			    "%s longer than %zu bytes", p->st == S_TRAILERS ? "trailers" :
			    head ? "request head" : "chunk size line", limit);
		}
		buf_append(&p->line, data + i, take);
		if (head || p->st == S_TRAILERS)
			p->head_bytes += take;
		i += take;
		if (lf == NULL)
			break;
		size_t n = p->line.len - 1;          /* without the LF */
		if (n > 0 && p->line.data[n - 1] == '\r')
			n--;
		if (memchr(p->line.data, '\r', n) != NULL) {
			*used = i;
			return perr(p, 400, "bare CR in the request");
		}
		buf_cstr(&p->line);
		r = on_line(p, (const char *)p->line.data, n);
		buf_reset(&p->line);
		if (r != HTTPS_P_MORE)
			break;
	}
	*used = i;
	buf_cstr(&p->body);       /* allocated, NUL-terminated, even empty */
	p->req.body = p->body.data;
	p->req.body_len = p->body.len;
	return r;
}

const char *
https_reason(int status)
{
	static const struct {
		int code;
		const char *text;
	} tab[] = {
		{ 100, "Continue" }, { 200, "OK" }, { 201, "Created" },
		{ 202, "Accepted" }, { 204, "No Content" },
		{ 301, "Moved Permanently" }, { 302, "Found" },
		{ 303, "See Other" }, { 304, "Not Modified" },
		{ 307, "Temporary Redirect" }, { 308, "Permanent Redirect" },
		{ 400, "Bad Request" }, { 401, "Unauthorized" }, { 403, "Forbidden" },
		{ 404, "Not Found" }, { 405, "Method Not Allowed" },
		{ 408, "Request Timeout" }, { 410, "Gone" },
		{ 411, "Length Required" }, { 413, "Content Too Large" },
		{ 414, "URI Too Long" }, { 415, "Unsupported Media Type" },
		{ 417, "Expectation Failed" }, { 421, "Misdirected Request" },
		{ 429, "Too Many Requests" },
		{ 431, "Request Header Fields Too Large" },
		{ 500, "Internal Server Error" }, { 501, "Not Implemented" },
		{ 502, "Bad Gateway" }, { 503, "Service Unavailable" },
		{ 504, "Gateway Timeout" }, { 505, "HTTP Version Not Supported" },
	};

	for (size_t i = 0; i < ARRAY_LEN(tab); i++)
		if (tab[i].code == status)
			return tab[i].text;
	return "Unknown";
}
