/*
 * hostile_smtp: the SMTP abuses of the hostile sender (see hostile.h).
 * Each function opens its own connections to one listener, misbehaves,
 * and checks what the server must do (answer with an error, close, time
 * out); the driver checks afterwards that a normal delivery still works
 * and that every connection was recorded and judged.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/bio.h>
#include <openssl/err.h>

#include "tests/hostile/hostile.h"

#define MIN_MS 60000ull
#define REPLY_MS 30000ull
#define SERVER_IDLE_MS 300000ull  /* fake MX idle timeout (smtp_srv.c) */

/* The attacker's path (public MX address), not the MX itself. */
static bool
on_path(const struct htarget *t)
{
	return strncmp(t->ip, "127.25.", 7) == 0;
}

/* Banner (after TLS on 465); false when there is none. */
static bool
greet(struct hctx *h, struct hpeer *p, const struct htarget *t)
{
	if (!hp_open(h, p, t))
		return false;
	return hp_reply(h, p, REPLY_MS) == 220;
}

void
hs_long_line(struct hctx *h, const struct htarget *t)
{
	struct hpeer p;
	size_t n = 1u << 20;
	char *line = xmalloc(n + 2);
	int code;

	if (greet(h, &p, t)) {
		memset(line, 'A', n);
		memcpy(line + n, "\r\n", 2);
		hp_write(&p, line, n + 2);
		hp_send(&p, "NOOP\r\n");
		code = hp_reply(h, &p, REPLY_MS);
		/* the MX answers 500; the attacker's path drops an over-long
		 * line (with a note) and relays the NOOP */
		HCHECK(h, code == -1 || (code >= 500 && code < 600) ||
		    (on_path(t) && code == 250),
		    "%s: 1 MiB line: reply %d, want 5xx or a close", t->name, code);
		/* if it kept the connection, it still understands NOOP */
		if (code != -1 && !p.closed) {
			code = hp_reply(h, &p, REPLY_MS);
			HCHECK(h, code == 250 || code == -1 || code == 421,
			    "%s: NOOP after the long line: %d", t->name, code);
		}
		HCHECK(h, p.got < 64 * 1024, "%s: %zu bytes of replies to one "
		    "long line", t->name, p.got);
		hp_send(&p, "QUIT\r\n");
		hp_wait_closed(h, &p, REPLY_MS);
	}
	hp_free(&p);
	free(line);
}

void
hs_nul_crlf(struct hctx *h, const struct htarget *t)
{
	static const char junk[] = "EHLO a\0b.test\r\nNOOP\rNOOP\r\n\nMAIL FROM:"
	    "<a\0@b.test>\r\n\r\n\r\r\r\n\x7f\x80\xff\r\nRCPT TO:<\0>\n";
	struct hpeer p;

	if (greet(h, &p, t)) {
		hp_write(&p, junk, sizeof(junk) - 1);
		hp_send(&p, "QUIT\r\n");
		HCHECK(h, hp_wait_closed(h, &p, REPLY_MS),
		    "%s: NUL/bare CR/LF then QUIT: connection not closed", t->name);
		HCHECK(h, p.got > 0, "%s: no reply at all", t->name);
	}
	hp_free(&p);
}

void
hs_many_rcpts(struct hctx *h, const struct htarget *t)
{
	struct hpeer p;
	struct buf b;
	unsigned ok = 0, bad = 0;
	int code;

	buf_init(&b);
	if (greet(h, &p, t)) {
		hp_send(&p, "EHLO many.test\r\n");
		code = hp_reply(h, &p, REPLY_MS);
		hp_send(&p, "MAIL FROM:<many@sender.test>\r\n");
		code = hp_reply(h, &p, REPLY_MS);
		HCHECK(h, code == 250, "%s: MAIL: %d", t->name, code);
		for (unsigned i = 0; i < 10000; i++)
			buf_appendf(&b, "RCPT TO:<user%u@example.test>\r\n", i);
		hp_write(&p, b.data, b.len);
		for (unsigned i = 0; i < 10000; i++) {
			code = hp_reply(h, &p, REPLY_MS);
			if (code == -1)
				break;
			if (code == 250)
				ok++;
			else
				bad++;
		}
		/* the MX caps recipients; the path may drop a session that
		 * pipelines this much ("pipelining overflow") */
		HCHECK(h, (ok > 0 && ok <= 10000) || (on_path(t) && p.closed),
		    "%s: 10,000 RCPTs: %u accepted", t->name, ok);
		if (h->verbose)
			printf("   %s: 10,000 RCPT: %u accepted, %u refused\n",
			    t->name, ok, bad);
		hp_send(&p, "DATA\r\n");
		code = hp_reply(h, &p, REPLY_MS);
		if (code == 354) {
			hp_send(&p, "Subject: many\r\n\r\nhello\r\n.\r\n");
			code = hp_reply(h, &p, REPLY_MS);
			HCHECK(h, code == 250, "%s: end of data: %d", t->name, code);
		}
		hp_send(&p, "QUIT\r\n");
		hp_wait_closed(h, &p, REPLY_MS);
	}
	buf_free(&b);
	hp_free(&p);
}

/* One byte a minute of "EHLO slow.test": the server's timeout must end
 * it even though bytes keep coming. */
void
hs_slowloris(struct hctx *h, const struct htarget *t)
{
	static const char cmd[] = "EHLO slowloris.example.test and more and more";
	struct hpeer p;
	unsigned minutes = 0;

	if (greet(h, &p, t)) {
		while (!p.closed && minutes < 60) {
			hp_write(&p, cmd + minutes % (sizeof(cmd) - 1), 1);
			hp_run(h, MIN_MS);
			minutes++;
		}
		HCHECK(h, p.closed, "%s: slowloris: still open after %u virtual "
		    "minutes", t->name, minutes);
		HCHECK(h, minutes * MIN_MS <= SERVER_IDLE_MS + 2 * MIN_MS,
		    "%s: slowloris lasted %u minutes (idle timeout %llu s)",
		    t->name, minutes, SERVER_IDLE_MS / 1000);
		if (h->verbose)
			printf("   %s: slowloris cut after %u virtual minutes\n",
			    t->name, minutes);
	}
	hp_free(&p);
}

void
hs_idle(struct hctx *h, const struct htarget *t)
{
	struct hpeer p;

	hp_connect(h, &p, t);       /* no TLS, no byte: just sit there */
	HCHECK(h, hp_wait_closed(h, &p, 2 * SERVER_IDLE_MS + MIN_MS),
	    "%s: a silent client was never timed out", t->name);
	hp_free(&p);
}

/* A command and a FIN while still reading; a connect and nothing else
 * but a FIN. */
void
hs_half_open(struct hctx *h, const struct htarget *t)
{
	static const char cmds[] = "EHLO half.test\r\nMAIL FROM:<h@half.test>\r\n";
	int fd = hp_raw_connect(h, t);
	char buf[4096];
	ssize_t n;
	bool eof = false;

	if (fd < 0)
		return;
	if (!t->implicit_tls)
		(void)!write(fd, cmds, sizeof(cmds) - 1);
	shutdown(fd, SHUT_WR);
	for (unsigned i = 0; i < 100 && !eof; i++) {
		hp_run(h, 1000);
		while ((n = read(fd, buf, sizeof(buf))) > 0)
			;
		eof = n == 0;
	}
	HCHECK(h, eof, "%s: half-closed client: server never closed", t->name);
	close(fd);
}

/* Resets: right after connecting, in the middle of a command, in the
 * middle of DATA. */
void
hs_reset(struct hctx *h, const struct htarget *t)
{
	static const char *const parts[] = {
		"", "MAIL FROM:<res",
		"EHLO r.test\r\nMAIL FROM:<r@r.test>\r\nRCPT TO:<u@example.test>\r\n"
		    "DATA\r\nSubject: cut\r\n\r\nhalf a mes",
	};

	for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++) {
		struct linger lg = { 1, 0 };
		int fd = hp_raw_connect(h, t);

		if (fd < 0)
			continue;
		hp_run(h, 100);
		if (parts[i][0] != '\0' && !t->implicit_tls)
			(void)!write(fd, parts[i], strlen(parts[i]));
		hp_run(h, 100);
		setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
		close(fd);          /* RST */
		hp_run(h, 100);
	}
}

static void
random_bytes(uint8_t *p, size_t n, uint32_t seed)
{
	for (size_t i = 0; i < n; i++) {
		seed = seed * 1103515245u + 12345u;
		p[i] = (uint8_t)(seed >> 16);
	}
}

/* Garbage where a TLS handshake is due: on 465 at once, elsewhere after
 * STARTTLS. */
void
hs_tls_garbage(struct hctx *h, const struct htarget *t)
{
	uint8_t junk[4096];
	struct hpeer p;
	int code;

	random_bytes(junk, sizeof(junk), 8);
	junk[0] = 0x16;             /* looks like a handshake record */
	hp_connect(h, &p, t);
	hp_idle(h);
	if (!t->implicit_tls) {
		code = hp_reply(h, &p, REPLY_MS);
		hp_send(&p, "EHLO g.test\r\n");
		code = hp_reply(h, &p, REPLY_MS);
		hp_send(&p, "STARTTLS\r\n");
		code = hp_reply(h, &p, REPLY_MS);
		if (code != 220) {
			hp_free(&p);
			return;     /* stripped path: no TLS to abuse */
		}
	}
	hp_write(&p, junk, sizeof(junk));
	HCHECK(h, hp_wait_closed(h, &p, REPLY_MS),
	    "%s: TLS garbage: connection not closed", t->name);
	hp_free(&p);
}

/* The first bytes of a real ClientHello, then silence (the server must
 * time out), or then a close. */
void
hs_tls_truncated(struct hctx *h, const struct htarget *t)
{
	SSL *ssl = SSL_new(h->cctx);
	BIO *rb = BIO_new(BIO_s_mem()), *wb = BIO_new(BIO_s_mem());
	char *hello;
	long len;

	SSL_set_bio(ssl, rb, wb);
	SSL_set_connect_state(ssl);
	(void)SSL_do_handshake(ssl);
	len = BIO_get_mem_data(wb, &hello);
	for (int k = 0; k < 2 && len > 10; k++) {
		struct hpeer p;
		int code;

		hp_connect(h, &p, t);
		hp_idle(h);
		if (!t->implicit_tls) {
			(void)hp_reply(h, &p, REPLY_MS);
			hp_send(&p, "EHLO trunc.test\r\n");
			(void)hp_reply(h, &p, REPLY_MS);
			hp_send(&p, "STARTTLS\r\n");
			code = hp_reply(h, &p, REPLY_MS);
			if (code != 220) {
				hp_free(&p);
				break;
			}
		}
		hp_write(&p, hello, (size_t)len / 2);
		if (k == 1)
			hp_close(&p, false);
		else
			HCHECK(h, hp_wait_closed(h, &p, 2 * SERVER_IDLE_MS + MIN_MS),
			    "%s: half a ClientHello: never timed out", t->name);
		hp_run(h, 100);
		hp_free(&p);
	}
	ERR_clear_error();
	SSL_free(ssl);
}

void
hs_starttls_twice(struct hctx *h, const struct htarget *t)
{
	struct hpeer p;
	int code;

	if (t->implicit_tls || !greet(h, &p, t)) {
		if (!t->implicit_tls)
			hp_free(&p);
		return;
	}
	hp_send(&p, "EHLO twice.test\r\n");
	(void)hp_reply(h, &p, REPLY_MS);
	hp_send(&p, "STARTTLS\r\n");
	code = hp_reply(h, &p, REPLY_MS);
	if (code == 220 && hp_starttls(h, &p)) {
		hp_send(&p, "EHLO twice.test\r\n");
		(void)hp_reply(h, &p, REPLY_MS);
		hp_send(&p, "STARTTLS\r\n");
		code = hp_reply(h, &p, REPLY_MS);
		HCHECK(h, code >= 500 && code < 600,
		    "%s: STARTTLS inside TLS: reply %d, want 5xx", t->name, code);
	}
	hp_send(&p, "QUIT\r\n");
	hp_wait_closed(h, &p, REPLY_MS);
	hp_free(&p);
}

/* Commands pipelined behind STARTTLS in the same packet must be thrown
 * away (RFC 3207 4.2, CVE-2011-0411): nothing may answer them inside TLS. */
void
hs_pipelined_starttls(struct hctx *h, const struct htarget *t)
{
	struct hpeer p;
	int code;

	if (t->implicit_tls || !greet(h, &p, t)) {
		if (!t->implicit_tls)
			hp_free(&p);
		return;
	}
	hp_send(&p, "EHLO pipe.test\r\n");
	(void)hp_reply(h, &p, REPLY_MS);
	hp_send(&p, "STARTTLS\r\nMAIL FROM:<evil@pipe.test>\r\n"
	    "RCPT TO:<victim@example.test>\r\nSTARTTLS\r\n");
	code = hp_reply(h, &p, REPLY_MS);
	if (code == 220 && hp_starttls(h, &p)) {
		hp_run(h, 1000);
		HCHECK(h, p.got == p.tls_at, "%s: %zu bytes answered the "
		    "commands injected behind STARTTLS", t->name, p.got - p.tls_at);
		hp_send(&p, "EHLO pipe.test\r\n");
		code = hp_reply(h, &p, REPLY_MS);
		HCHECK(h, code == 250, "%s: EHLO inside TLS: %d", t->name, code);
	}
	hp_send(&p, "QUIT\r\n");
	hp_wait_closed(h, &p, REPLY_MS);
	hp_free(&p);
}

bool
hs_deliver(struct hctx *h, const struct htarget *t)
{
	static const char *const steps[][2] = {
		{ "EHLO good.test\r\n", "250" },
		{ "MAIL FROM:<good@sender.test>\r\n", "250" },
		{ "RCPT TO:<user@example.test>\r\n", "250" },
		{ "DATA\r\n", "354" },
		{ "Subject: still serving\r\n\r\nhello\r\n.\r\n", "250" },
		{ "QUIT\r\n", "221" },
	};
	struct hpeer p;
	bool ok = greet(h, &p, t);

	for (size_t i = 0; ok && i < sizeof(steps) / sizeof(steps[0]); i++) {
		hp_send(&p, steps[i][0]);
		ok = hp_reply(h, &p, REPLY_MS) == atoi(steps[i][1]);
	}
	hp_wait_closed(h, &p, REPLY_MS);
	hp_free(&p);
	return ok;
}

static bool
all_closed(void *arg)
{
	struct hpeer *v = ((struct hpeer **)arg)[0];
	size_t n = (size_t)(uintptr_t)((void **)arg)[1];

	for (size_t i = 0; i < n; i++)
		if (!v[i].closed)
			return false;
	return true;
}

static bool
all_greeted(void *arg)
{
	struct hpeer *v = ((struct hpeer **)arg)[0];
	size_t n = (size_t)(uintptr_t)((void **)arg)[1];

	for (size_t i = 0; i < n; i++)
		if (!v[i].closed && v[i].got < 4)
			return false;
	return true;
}

unsigned
hs_parallel(struct hctx *h, const struct htarget *t, unsigned n)
{
	struct hpeer *v = xcalloc(n, sizeof(*v));
	void *arg[2] = { v, (void *)(uintptr_t)n };
	unsigned greeted = 0;

	for (unsigned i = 0; i < n; i++)
		hp_connect(h, &v[i], t);
	(void)loop_run_until(h->l, all_greeted, arg, loop_now(h->l) + REPLY_MS);
	for (unsigned i = 0; i < n; i++) {
		if (v[i].got >= 4 && memcmp(v[i].in.data, "220", 3) == 0)
			greeted++;
		hp_send(&v[i], "QUIT\r\n");
	}
	(void)loop_run_until(h->l, all_closed, arg, loop_now(h->l) + REPLY_MS);
	for (unsigned i = 0; i < n; i++) {
		HCHECK(h, v[i].closed, "%s: parallel connection %u not closed "
		    "after QUIT", t->name, i);
		hp_free(&v[i]);
	}
	free(v);
	return greeted;
}
