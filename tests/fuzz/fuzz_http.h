/*
 * fuzz_http: the HTTP/1.1 request parser of the policy host and the
 * TLSRPT receiver (fake-https/http_parse.c), sans I/O.
 *
 * Input: one byte choosing the limits (bit 0: small head and body
 * limits) and how the bytes are cut (bits 1-7: the size of each feed, 0
 * meaning all at once), then the bytes a client sends: one request or
 * several pipelined ones.  After each complete request the parser is
 * reset and fed the rest, as the server does on a keep-alive connection.
 *
 * Invariants: a feed never takes more than it was given; MORE means it
 * took everything; a complete request has a method, a target, a path and
 * a host, and a NUL-terminated body of its Content-Length; an error has a
 * 4xx/5xx status and a message; requests are never complete twice.
 */
#ifndef MXSIM_FUZZ_HTTP_H
#define MXSIM_FUZZ_HTTP_H

#include "fake-https/https.h"
#include "tests/fuzz/fuzz_common.h"

static void
fht_init(void)
{
	fuzz_setup(false);
}

static void
fht_check_req(const struct https_req *r)
{
	FUZZ_CHECK(r != NULL);
	FUZZ_CHECK(r->method != NULL && r->target != NULL);
	FUZZ_CHECK(r->path != NULL && r->host != NULL);
	FUZZ_CHECK(r->nheaders <= HTTPS_MAX_HEADERS);
	for (size_t i = 0; i < r->nheaders; i++)
		FUZZ_CHECK(r->headers[i].name != NULL &&
		    r->headers[i].value != NULL);
	(void)https_req_header(r, "Content-Type");
	(void)https_req_header(r, "host");
}

static void
fht_one(const uint8_t *data, size_t size)
{
	struct fuzz_in in = { data, size };
	uint8_t conf = fuzz_byte(&in);
	size_t step = conf >> 1, off = 0, rounds = 0;
	struct https_parser *p = conf & 1 ? https_parser_new(256, 512) :
	    https_parser_new(0, 0);
	/* an exact-size copy: ASan sees any read past the end */
	uint8_t *buf = xmalloc(in.n ? in.n : 1);

	memcpy(buf, in.p, in.n);
	while (off < in.n) {
		size_t n = step == 0 || step > in.n - off ? in.n - off : step;
		size_t used = 0;
		enum https_parse r = https_parser_feed(p, buf + off, n, &used);

		FUZZ_CHECK(++rounds < 100000);
		FUZZ_CHECK(used <= n);
		if (r == HTTPS_P_ERROR) {
			int st = https_parser_status(p);

			FUZZ_CHECK(st >= 400 && st <= 599);
			FUZZ_CHECK(https_parser_error(p) != NULL);
			(void)https_reason(st);
			break;
		}
		off += used;
		if (r == HTTPS_P_MORE) {
			FUZZ_CHECK(used == n);
			continue;
		}
		fht_check_req(https_parser_req(p));
		if (r == HTTPS_P_DONE) {
			const struct https_req *q = https_parser_req(p);

			if (q->has_length && !q->chunked)
				FUZZ_CHECK(q->body_len == q->length);
			if (q->body != NULL)
				FUZZ_CHECK(q->body[q->body_len] == '\0');
			https_parser_reset(p);
			FUZZ_CHECK(!https_parser_started(p));
		}
	}
	https_parser_free(p);
	free(buf);
}

#endif
