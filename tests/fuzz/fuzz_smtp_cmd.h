/*
 * fuzz_smtp_cmd: the SMTP command and reply parsers of fake-mx/smtp_cmd.c
 * (smtp_cmd_parse, smtp_path_parse, smtp_reply_parse, smtp_reply_feed,
 * smtp_reply_has_capa, smtp_verb_lookup).
 *
 * The input is cut into lines at LF (a CR before it is dropped, as
 * conn_getline() does).  Every line goes through every parser, in a heap
 * block of exactly its length (so ASan sees a read past the end), once
 * without and once with a NUL terminator, the way the callers hand lines
 * over.  Replies accumulate across lines in one struct smtp_reply.
 * Invariants: pointers handed back stay inside the line, parsed codes are
 * 100-599, a reply never holds more than SMTP_REPLY_MAX_LINES lines and
 * they all carry its code.
 */
#ifndef MXSIM_FUZZ_SMTP_CMD_H
#define MXSIM_FUZZ_SMTP_CMD_H

#include "fake-mx/smtp.h"
#include "tests/fuzz/fuzz_common.h"

static void
fsc_init(void)
{
	fuzz_setup(false);
}

static bool
fsc_inside(const char *p, const char *line, size_t len)
{
	return p >= line && p <= line + len;
}

static void
fsc_path(const char *z, size_t len)
{
	static const char *const kw[] = { "FROM:", "TO:", "" };
	const char *path, *params;
	size_t pathlen;

	for (size_t k = 0; k < ARRAY_LEN(kw); k++) {
		for (int empty = 0; empty <= 1; empty++) {
			if (smtp_path_parse(z, kw[k], empty, &path, &pathlen,
			    &params) < 0)
				continue;
			FUZZ_CHECK(fsc_inside(path, z, len));
			FUZZ_CHECK(path + pathlen <= z + len);
			FUZZ_CHECK(fsc_inside(params, z, len));
			FUZZ_CHECK(pathlen > 0 || empty);
			FUZZ_CHECK(memchr(path, ' ', pathlen) == NULL);
		}
	}
}

static void
fsc_line(struct smtp_reply *r, const uint8_t *p, size_t len)
{
	char *raw = xmalloc(len ? len : 1), *z = xmalloc(len + 1);
	struct smtp_cmd cmd;
	const char *text;
	bool last;
	int code, f;

	memcpy(raw, p, len);
	memcpy(z, p, len);
	z[len] = '\0';

	if (smtp_cmd_parse(raw, len, &cmd) == 0) {
		FUZZ_CHECK(len > 0 && memchr(raw, '\0', len) == NULL);
		if (cmd.arglen > 0) {
			FUZZ_CHECK(fsc_inside(cmd.arg, raw, len));
			FUZZ_CHECK(cmd.arg + cmd.arglen == raw + len);
		}
		if (cmd.verb != SMTP_V_UNKNOWN)
			FUZZ_CHECK(smtp_verb_lookup(smtp_verb_name(cmd.verb)) ==
			    cmd.verb);
	} else {
		FUZZ_CHECK(cmd.verb == SMTP_V_UNKNOWN && cmd.arglen == 0);
	}
	if (smtp_cmd_parse(z, len, &cmd) == 0 &&
	    (cmd.verb == SMTP_V_MAIL || cmd.verb == SMTP_V_RCPT))
		fsc_path(cmd.arg, strlen(cmd.arg));
	fsc_path(z, strlen(z));
	(void)smtp_verb_lookup(z);

	if (smtp_reply_parse(raw, len, &code, &last, &text) == 0) {
		FUZZ_CHECK(code >= 100 && code <= 599);
		FUZZ_CHECK(last == (len == 3 || raw[3] == ' '));
		if (len > 3)
			FUZZ_CHECK(text == raw + 4);
	}
	f = smtp_reply_feed(r, raw, len);
	FUZZ_CHECK(f >= -1 && f <= 1);
	FUZZ_CHECK(r->nlines <= SMTP_REPLY_MAX_LINES);
	for (size_t i = 0; i < r->nlines; i++) {
		FUZZ_CHECK(smtp_reply_parse(r->lines[i], strlen(r->lines[i]),
		    &code, &last, &text) == 0);
		FUZZ_CHECK(code == r->code);
	}
	if (f == 1) {
		FUZZ_CHECK(r->done && r->nlines > 0);
		(void)smtp_reply_has_capa(r, "STARTTLS");
		(void)smtp_reply_has_capa(r, "SIZE");
		(void)smtp_reply_has_capa(r, "");
	}
	if (f < 0)
		smtp_reply_clear(r);
	free(raw);
	free(z);
}

static void
fsc_one(const uint8_t *data, size_t size)
{
	struct smtp_reply r;
	size_t i = 0;

	smtp_reply_init(&r);
	while (i < size) {
		const uint8_t *nl = memchr(data + i, '\n', size - i);
		size_t end = nl != NULL ? (size_t)(nl - data) : size;
		size_t len = end - i;

		if (len > 0 && data[i + len - 1] == '\r')
			len--;
		fsc_line(&r, data + i, len);
		i = end + 1;
	}
	smtp_reply_clear(&r);
}

#endif
