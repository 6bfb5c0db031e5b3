/*
 * Tests for fake-https/http_parse.c: the HTTP/1.1 request parser, fed
 * whole and byte by byte, with hostile input (oversized heads, NUL bytes,
 * bare CRs, smuggling shapes, bad chunked framing).
 */
#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "fake-https/https.h"
#include "testutil.h"

/* Feed everything (in pieces of `step` bytes, 0 = at once), going on
 * after HEAD.  Returns the final result; *used_total the bytes taken. */
static enum https_parse
feed_all(struct https_parser *p, const char *s, size_t len, size_t step,
    size_t *used_total, bool *saw_head)
{
	size_t off = 0;
	enum https_parse r = HTTPS_P_MORE;

	*saw_head = false;
	while (off < len) {
		size_t n = step ? (len - off < step ? len - off : step) : len - off, used;
		r = https_parser_feed(p, (const uint8_t *)s + off, n, &used);
		/* plain tests: every Check assertion costs a write() */
		if (used > n)
			ck_abort_msg("used %zu of %zu", used, n);
		off += used;
		if (r == HTTPS_P_HEAD) {
			*saw_head = true;
			continue;
		}
		if (r != HTTPS_P_MORE)
			break;
		if (used != n)
			ck_abort_msg("MORE after using %zu of %zu", used, n);
	}
	*used_total = off;
	return r;
}

static struct https_parser *
parse_ok(const char *s, size_t step)
{
	struct https_parser *p = https_parser_new(0, 0);
	size_t used;
	bool head;
	enum https_parse r = feed_all(p, s, strlen(s), step, &used, &head);

	ck_assert_msg(r == HTTPS_P_DONE, "result %d (%d %s) for:\n%s", r,
	    https_parser_status(p), https_parser_error(p), s);
	ck_assert_uint_eq(used, strlen(s));
	return p;
}

static void
parse_bad(const char *s, size_t len, int status, const char *needle)
{
	for (size_t step = 0; step <= 1; step++) {
		struct https_parser *p = https_parser_new(0, 0);
		size_t used;
		bool head;
		enum https_parse r = feed_all(p, s, len, step, &used, &head);

		ck_assert_msg(r == HTTPS_P_ERROR, "accepted (%d, step %zu):\n%.200s", r, step, s);
		ck_assert_int_eq(https_parser_status(p), status);
		ck_assert_msg(strstr(https_parser_error(p), needle) != NULL,
		    "error \"%s\" lacks \"%s\"", https_parser_error(p), needle);
		/* an errored parser stays errored */
		ck_assert_int_eq(https_parser_feed(p, (const uint8_t *)"x", 1, &used),
		    HTTPS_P_ERROR);
		https_parser_free(p);
	}
}

#define BAD(s, status, needle) parse_bad(s, sizeof(s) - 1, status, needle)

START_TEST(simple_get)
{
	static const char req[] = "GET /.well-known/mta-sts.txt?x=1 HTTP/1.1\r\n"
	    "Host: MTA-STS.Example.Test:443\r\nUser-Agent: t\r\nAccept: */*\r\n\r\n";

	for (size_t step = 0; step <= 3; step++) {
		struct https_parser *p = parse_ok(req, step);
		const struct https_req *r = https_parser_req(p);
		ck_assert_str_eq(r->method, "GET");
		ck_assert_str_eq(r->target, "/.well-known/mta-sts.txt?x=1");
		ck_assert_str_eq(r->path, "/.well-known/mta-sts.txt");
		ck_assert_str_eq(r->host, "mta-sts.example.test");
		ck_assert_int_eq(r->minor, 1);
		ck_assert(r->keep_alive);
		ck_assert_uint_eq(r->nheaders, 3);
		ck_assert_str_eq(https_req_header(r, "user-agent"), "t");
		ck_assert_ptr_null(https_req_header(r, "Cookie"));
		ck_assert_uint_eq(r->body_len, 0);
		ck_assert_ptr_nonnull(r->body);
		https_parser_free(p);
	}
	https_parser_free(NULL);
}
END_TEST

START_TEST(forms_and_versions)
{
	struct https_parser *p = parse_ok("\r\n\nGET https://mta-sts.example.test HTTP/1.0\n"
	    "Connection: keep-alive\n\n", 0);
	const struct https_req *r = https_parser_req(p);
	ck_assert_str_eq(r->host, "mta-sts.example.test");   /* no Host needed in 1.0 */
	ck_assert_str_eq(r->path, "/");
	ck_assert(r->keep_alive);
	ck_assert_int_eq(r->minor, 0);
	https_parser_free(p);
	p = parse_ok("GET /x HTTP/1.1\r\nHost: a.test\r\nConnection: foo, Close\r\n\r\n", 0);
	ck_assert(!https_parser_req(p)->keep_alive);
	/* reset, then a second request on the same parser */
	https_parser_reset(p);
	ck_assert(!https_parser_started(p));
	size_t used;
	ck_assert_int_eq(https_parser_feed(p, (const uint8_t *)"OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n",
	    31, &used), HTTPS_P_DONE);
	ck_assert_str_eq(https_parser_req(p)->path, "*");
	https_parser_free(p);
	p = parse_ok("GET http://[::1]:80/p?q HTTP/1.1\r\nHost: ignored.test\r\n\r\n", 0);
	ck_assert_str_eq(https_parser_req(p)->host, "[::1]");
	ck_assert_str_eq(https_parser_req(p)->path, "/p");
	https_parser_free(p);

	BAD("GET /x HTTP/2.0\r\nHost: a\r\n\r\n", 505, "not supported");
	BAD("GET /x HTTP/1.1 \r\nHost: a\r\n\r\n", 400, "version");
	BAD("GET /x HTTP/1.12\r\nHost: a\r\n\r\n", 400, "version");
	BAD("GET  /x HTTP/1.1\r\nHost: a\r\n\r\n", 400, "request line");
	BAD("GET /x\r\n\r\n", 400, "request line");
	BAD("G(T /x HTTP/1.1\r\nHost: a\r\n\r\n", 400, "method");
	BAD("GET x HTTP/1.1\r\nHost: a\r\n\r\n", 400, "target form");
	BAD("GET * HTTP/1.1\r\nHost: a\r\n\r\n", 400, "OPTIONS");
	BAD("GET /\x7f HTTP/1.1\r\nHost: a\r\n\r\n", 400, "target");
	BAD("GET /\xc3\xa9 HTTP/1.1\r\nHost: a\r\n\r\n", 400, "target");
	BAD("GET http://a b/ HTTP/1.1\r\nHost: a\r\n\r\n", 400, "");
	BAD("GET http://u@a/ HTTP/1.1\r\nHost: a\r\n\r\n", 400, "authority");
	BAD("\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n", 400, "empty lines");
}
END_TEST

START_TEST(headers)
{
	BAD("GET / HTTP/1.1\r\n\r\n", 400, "no Host");
	BAD("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400, "more than one Host");
	BAD("GET / HTTP/1.1\r\nHost: a/b\r\n\r\n", 400, "bad Host");
	BAD("GET / HTTP/1.1\r\nHost : a\r\n\r\n", 400, "before a header's colon");
	BAD("GET / HTTP/1.1\r\nHost: a\r\nX-A: b\r\n c\r\n\r\n", 400, "folding");
	BAD("GET / HTTP/1.1\r\nHost: a\r\nNoColon\r\n\r\n", 400, "name and colon");
	BAD("GET / HTTP/1.1\r\nHost: a\r\n: empty\r\n\r\n", 400, "name and colon");
	BAD("GET / HTTP/1.1\r\nHost: a\r\nX-A: b\x01" "c\r\n\r\n", 400, "control");
	BAD("GET / HTTP/1.1\r\nHost: a\r\nX-A: b\rc\r\n\r\n", 400, "bare CR");
	BAD("GET / HTTP/1.1\r\nHost: a\r\nExpect: 200-ok\r\n\r\n", 417, "expectation");
	/* NUL bytes anywhere in the head */
	static const char nul[] = "GET / HTTP/1.1\r\nHost: a\r\nX-A: b\0c\r\n\r\n";
	parse_bad(nul, sizeof(nul) - 1, 400, "NUL");
	static const char nul2[] = "GET /\0 HTTP/1.1\r\nHost: a\r\n\r\n";
	parse_bad(nul2, sizeof(nul2) - 1, 400, "NUL");
	/* values: OWS trimmed, obs-text and tabs allowed inside */
	struct https_parser *p = parse_ok("GET / HTTP/1.1\r\nHost:a\r\nX-A: \t b\tc \xe9 \t\r\n\r\n", 0);
	ck_assert_str_eq(https_req_header(https_parser_req(p), "x-a"), "b\tc \xe9");
	https_parser_free(p);
	/* too many fields */
	struct buf b = { 0 };
	buf_appendf(&b, "GET / HTTP/1.1\r\nHost: a\r\n");
	for (int i = 0; i < HTTPS_MAX_HEADERS; i++)
		buf_appendf(&b, "X%d: y\r\n", i);
	buf_appendf(&b, "\r\n");
	parse_bad((const char *)b.data, b.len, 431, "more than");
	buf_free(&b);
}
END_TEST

START_TEST(oversized)
{
	/* a 1 MiB header line: 431 as soon as the head passes 8 KiB */
	size_t big = 1 << 20;
	char *s = xmalloc(big + 64);
	int n = snprintf(s, 64, "GET / HTTP/1.1\r\nHost: a\r\nX-Big: ");
	memset(s + n, 'a', big);
	memcpy(s + n + big, "\r\n\r\n", 4);
	struct https_parser *p = https_parser_new(0, 0);
	size_t used;
	ck_assert_int_eq(https_parser_feed(p, (const uint8_t *)s, (size_t)n + big + 4, &used),
	    HTTPS_P_ERROR);
	ck_assert_int_eq(https_parser_status(p), 431);
	ck_assert_uint_le(used, HTTPS_MAX_HEAD);
	https_parser_free(p);
	parse_bad(s, (size_t)n + 9000, 431, "request head longer");
	/* a 1 MiB request line: 414 */
	memcpy(s, "GET /", 5);
	memset(s + 5, 'a', big);
	memcpy(s + 5 + big, " HTTP/1.1\r\n\r\n", 13);
	parse_bad(s, 5 + big + 13, 414, "request line longer");
	/* a line with no LF at all also stops at the limit */
	memset(s, 'G', big);
	parse_bad(s, big, 414, "request line");
	free(s);
	/* exactly at the limit is fine */
	char ok[80];
	snprintf(ok, sizeof(ok), "GET / HTTP/1.1\r\nHost: a\r\nX: %032d\r\n\r\n", 7);
	ck_assert_uint_eq(strlen(ok), 64);
	p = https_parser_new(64, 0);
	ck_assert_int_eq(https_parser_feed(p, (const uint8_t *)ok, 64, &used), HTTPS_P_DONE);
	https_parser_free(p);
	p = https_parser_new(63, 0);
	ck_assert_int_eq(https_parser_feed(p, (const uint8_t *)ok, 64, &used), HTTPS_P_ERROR);
	ck_assert_int_eq(https_parser_status(p), 431);
	https_parser_free(p);
}
END_TEST

START_TEST(content_length)
{
	static const char req[] = "POST /r HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhelloGET";

	for (size_t step = 0; step <= 1; step++) {
		struct https_parser *p = https_parser_new(0, 0);
		size_t used, total = 0;
		bool head;
		enum https_parse r = feed_all(p, req, sizeof(req) - 1 - 3, step, &used, &head);
		ck_assert_int_eq(r, HTTPS_P_DONE);
		ck_assert(head);
		total = used;
		/* the bytes after the body are not taken */
		r = https_parser_feed(p, (const uint8_t *)req + total, 3, &used);
		ck_assert_int_eq(r, HTTPS_P_DONE);
		ck_assert_uint_eq(used, 0);
		const struct https_req *q = https_parser_req(p);
		ck_assert_uint_eq(q->body_len, 5);
		ck_assert_str_eq((const char *)q->body, "hello");
		ck_assert(q->has_length);
		https_parser_free(p);
	}
	struct https_parser *p = parse_ok("POST /r HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n"
	    "Content-Length: 3\r\n\r\nabc", 0);
	https_parser_free(p);
	p = parse_ok("POST /r HTTP/1.1\r\nHost: a\r\nContent-Length: 3, 3\r\n\r\nabc", 0);
	https_parser_free(p);
	p = parse_ok("POST /r HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\nExpect: 100-continue\r\n\r\n", 0);
	ck_assert(https_parser_req(p)->expect_continue);
	https_parser_free(p);
	BAD("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd",
	    400, "conflicting");
	BAD("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3, 4\r\n\r\nabcd", 400, "conflicting");
	BAD("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: -1\r\n\r\n", 400, "Content-Length");
	BAD("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 0x10\r\n\r\n", 400, "Content-Length");
	BAD("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1048577\r\n\r\n", 413, "more than");
	BAD("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 99999999999999999999999\r\n\r\n", 413,
	    "larger");
	BAD("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n",
	    400, "both");
}
END_TEST

START_TEST(chunked)
{
	static const char req[] = "POST /r HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: Chunked\r\n\r\n"
	    "5;ext=1\r\nhello\r\nA \r\n, world!!!\r\n0\r\nX-Trailer: t\r\n\r\n";

	for (size_t step = 0; step <= 2; step++) {
		struct https_parser *p = parse_ok(req, step);
		const struct https_req *q = https_parser_req(p);
		ck_assert(q->chunked);
		ck_assert_uint_eq(q->body_len, 15);
		ck_assert_str_eq((const char *)q->body, "hello, world!!!");
		/* trailers are not headers */
		ck_assert_ptr_null(https_req_header(q, "X-Trailer"));
		https_parser_free(p);
	}
	struct https_parser *p = parse_ok("POST /r HTTP/1.1\nHost: a\nTransfer-Encoding: chunked\n\n"
	    "3\nabc\n0\n\n", 0);
	ck_assert_uint_eq(https_parser_req(p)->body_len, 3);
	https_parser_free(p);

#define CH "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
	BAD(CH "zz\r\nabc\r\n0\r\n\r\n", 400, "chunk size");
	BAD(CH "3x\r\nabc\r\n0\r\n\r\n", 400, "chunk size");
	BAD(CH "\r\nabc\r\n0\r\n\r\n", 400, "chunk size");
	BAD(CH "3\r\nabcd\r\n0\r\n\r\n", 400, "longer than its size");
	BAD(CH "3\r\nabc0\r\n\r\n", 400, "longer than its size");
	BAD(CH "ffffffffffffffffff\r\n", 413, "too large");
	BAD(CH "100001\r\n", 413, "larger than");
	BAD(CH "3;\x01\r\nabc\r\n0\r\n\r\n", 400, "control");
	BAD("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", 501,
	    "not supported");
	BAD("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked, gzip\r\n\r\n", 501,
	    "not supported");
	BAD("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n"
	    "\r\n", 400, "repeated");
	BAD("POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n", 400, "HTTP/1.0");
	/* a chunk-size line without end */
	char *s = xmalloc(4096);
	int n = snprintf(s, 4096, CH "5");
	memset(s + n, ';', 2000);
	parse_bad(s, (size_t)n + 2000, 400, "chunk size line longer");
	free(s);
#undef CH
}
END_TEST

/* The 1 MiB body limit is the sum of the chunks. */
START_TEST(chunked_sum_limit)
{
	struct https_parser *p = https_parser_new(0, 1000);
	struct buf b = { 0 };
	size_t used;
	bool head;

	buf_appendf(&b, "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n");
	for (int i = 0; i < 11; i++) {
		buf_appendf(&b, "64\r\n");
		for (int k = 0; k < 100; k++)
			buf_append(&b, "x", 1);
		buf_appendf(&b, "\r\n");
	}
	buf_appendf(&b, "0\r\n\r\n");
	ck_assert_int_eq(feed_all(p, (const char *)b.data, b.len, 0, &used, &head), HTTPS_P_ERROR);
	ck_assert(head);
	ck_assert_int_eq(https_parser_status(p), 413);
	buf_free(&b);
	https_parser_free(p);
}
END_TEST

/* ---- mutations: no crash, and the same verdict fed at once or byte
 * by byte (a differential check of the incremental state machine) ---- */

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint32_t
rnd(uint32_t n)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (uint32_t)(rng_state % n);
}

static void
mutate(struct buf *b)
{
	static const char alphabet[] = "\0\r\n :;,0aF\t/\x80\xff-";
	unsigned n = 1 + rnd(4);

	for (unsigned k = 0; k < n && b->len > 0; k++) {
		size_t at = rnd((uint32_t)b->len);
		char c = rnd(2) ? (char)rnd(256) : alphabet[rnd(sizeof(alphabet) - 1)];
		switch (rnd(5)) {
		case 0:
			b->data[at] = (uint8_t)c;
			break;
		case 1:
			buf_append(b, "", 1);
			memmove(b->data + at + 1, b->data + at, b->len - at - 1);
			b->data[at] = (uint8_t)c;
			break;
		case 2:
			memmove(b->data + at, b->data + at + 1, b->len - at - 1);
			b->len--;
			break;
		case 3:
			b->len = at;
			break;
		default: {
			size_t len = rnd((uint32_t)(b->len - at)) + 1;
			uint8_t *copy = xmalloc(len);
			memcpy(copy, b->data + at, len);
			buf_append(b, copy, len);
			free(copy);
		}
		}
	}
}

START_TEST(mutations)
{
	static const char *const seeds[] = {
		"GET /.well-known/mta-sts.txt HTTP/1.1\r\nHost: mta-sts.example.test\r\n"
		"User-Agent: x\r\n\r\n",
		"POST /v1 HTTP/1.1\r\nHost: r.test\r\nContent-Type: application/tlsrpt+json\r\n"
		"Content-Length: 11\r\n\r\n{\"a\": true}",
		"POST /v1 HTTP/1.1\r\nHost: r.test\r\nTransfer-Encoding: chunked\r\n\r\n"
		"4;x=y\r\nabcd\r\n2\r\nef\r\n0\r\nT: 1\r\n\r\n",
		"GET http://a.test:80/x?y HTTP/1.0\nConnection: keep-alive\n\n",
	};
	unsigned done = 0, errors = 0;

	for (unsigned it = 0; it < 20000; it++) {
		struct buf b = { 0 };
		const char *seed = seeds[rnd(ARRAY_LEN(seeds))];
		size_t mh = rnd(3) ? 0 : 32 + rnd(64), mb = rnd(3) ? 0 : rnd(12);
		buf_append(&b, seed, strlen(seed));
		mutate(&b);
		struct https_parser *a = https_parser_new(mh, mb), *z = https_parser_new(mh, mb);
		size_t ua, uz;
		bool ha, hz;
		enum https_parse ra = feed_all(a, (const char *)b.data, b.len, 0, &ua, &ha);
		enum https_parse rz = feed_all(z, (const char *)b.data, b.len, 1, &uz, &hz);
		if (ra == rz && https_parser_status(a) == https_parser_status(z) && ha == hz &&
		    ra != HTTPS_P_DONE) {
			errors += ra == HTTPS_P_ERROR;
			https_parser_free(a);
			https_parser_free(z);
			buf_free(&b);
			continue;
		}
		ck_assert_msg(ra == rz, "iteration %u: %d at once, %d byte by byte (%s / %s)", it,
		    ra, rz, https_parser_error(a), https_parser_error(z));
		ck_assert_int_eq(https_parser_status(a), https_parser_status(z));
		ck_assert(ha == hz);
		if (ra == HTTPS_P_DONE) {
			const struct https_req *qa = https_parser_req(a), *qz = https_parser_req(z);
			ck_assert_uint_eq(ua, uz);
			ck_assert_str_eq(qa->method, qz->method);
			ck_assert_str_eq(qa->path, qz->path);
			ck_assert_str_eq(qa->host, qz->host);
			ck_assert_uint_eq(qa->body_len, qz->body_len);
			ck_assert(memcmp(qa->body, qz->body, qa->body_len) == 0);
			ck_assert_uint_eq(qa->nheaders, qz->nheaders);
			done++;
		} else if (ra == HTTPS_P_ERROR) {
			ck_assert_int_ge(https_parser_status(a), 400);
			errors++;
		}
		https_parser_free(a);
		https_parser_free(z);
		buf_free(&b);
	}
	/* the mutations reach both sides */
	ck_assert_uint_gt(done, 1000);
	ck_assert_uint_gt(errors, 1000);
}
END_TEST

START_TEST(reasons)
{
	ck_assert_str_eq(https_reason(404), "Not Found");
	ck_assert_str_eq(https_reason(415), "Unsupported Media Type");
	ck_assert_str_eq(https_reason(299), "Unknown");
}
END_TEST

static Suite *
parse_suite(void)
{
	Suite *s = suite_create("https_parse");
	TCase *tc = tcase_create("parser");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, simple_get);
	tcase_add_test(tc, forms_and_versions);
	tcase_add_test(tc, headers);
	tcase_add_test(tc, oversized);
	tcase_add_test(tc, content_length);
	tcase_add_test(tc, chunked);
	tcase_add_test(tc, chunked_sum_limit);
	tcase_add_test(tc, mutations);
	tcase_add_test(tc, reasons);
	suite_add_tcase(s, tc);
	return s;
}

TEST_MAIN(parse_suite)
