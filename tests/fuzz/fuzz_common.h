/*
 * fuzz_common: what the fuzz targets share.  Each target keeps its body
 * in tests/fuzz/fuzz_<name>.h as static functions, so that the libFuzzer
 * entry point (tests/fuzz/fuzz_<name>.c) and the regression replay
 * (tests/unit/check_fuzz_regress.c) run exactly the same code.
 *
 * A body never returns an error: an input either runs to the end or
 * breaks an invariant, and FUZZ_CHECK() then aborts with a message, which
 * libFuzzer reports as a crash and the replay as a failed test.
 *
 * Inputs for the network targets are a list of frames read with
 * fuzz_frame(): one control byte c, then a payload of c bytes when c is
 * below FUZZ_CTL (a target with two kinds of data frames splits that range
 * in two), or no payload when c >= FUZZ_CTL (a control action the target
 * defines).
 */
#ifndef MXSIM_FUZZ_COMMON_H
#define MXSIM_FUZZ_COMMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/conn.h"
#include "core/loop.h"
#include "core/netns.h"
#include "core/record.h"
#include "core/util.h"

#define FUZZ_CHECK(cond)                                                   \
	do {                                                               \
		if (!(cond)) {                                             \
			fprintf(stderr, "%s:%d: fuzz invariant broken: %s\n", \
			    __FILE__, __LINE__, #cond);                    \
			abort();                                           \
		}                                                          \
	} while (0)

#define FUZZ_CTL 0xf0   /* control bytes from here up carry no payload */

struct fuzz_in {
	const uint8_t *p;
	size_t n;
};

/* Next frame: returns -1 at the end of the input, else the control byte.
 * For c < FUZZ_CTL, *data and *len get the payload: c bytes when c is
 * below split, c - split bytes otherwise (two kinds of data frames), cut
 * short when the input ends first. */
static inline int
fuzz_frame(struct fuzz_in *in, int split, const uint8_t **data, size_t *len)
{
	size_t want;
	int c;

	if (in->n == 0)
		return -1;
	c = in->p[0];
	in->p++;
	in->n--;
	*data = in->p;
	*len = 0;
	if (c < FUZZ_CTL) {
		want = (size_t)(c < split ? c : c - split);
		*len = want < in->n ? want : in->n;
		in->p += *len;
		in->n -= *len;
	}
	return c;
}

/* One byte of configuration, 0 when the input is empty. */
static inline uint8_t
fuzz_byte(struct fuzz_in *in)
{
	uint8_t b;

	if (in->n == 0)
		return 0;
	b = in->p[0];
	in->p++;
	in->n--;
	return b;
}

/* Once per process: logs go nowhere but are still formatted (the format
 * strings see hostile bytes too; FUZZ_DEBUG=1 in the environment shows
 * them), and the network targets live in a private network namespace. */
static inline void
fuzz_setup(bool netns)
{
	static bool logs, ns;
	char err[256];

	if (!logs && getenv("FUZZ_DEBUG") != NULL) {
		log_set(stderr, LOG_DEBUG);   /* to see what an input does */
		logs = true;
	}
	if (!logs) {
		FILE *null = fopen("/dev/null", "w");

		FUZZ_CHECK(null != NULL);
		log_set(null, LOG_DEBUG);
		logs = true;
	}
	if (netns && !ns) {
		if (netns_enter(err, sizeof(err)) < 0) {
			fprintf(stderr, "fuzz: cannot enter a network namespace: "
			    "%s\n", err);
			exit(77);
		}
		ns = true;
	}
}

/* With FUZZ_DEBUG set: the transcripts of a recorder, to stderr. */
static inline void
fuzz_dump_rec(const struct rec *rec)
{
	if (rec == NULL || getenv("FUZZ_DEBUG") == NULL)
		return;
	for (size_t i = 0; i < rec_count(rec); i++) {
		const struct rec_session *s = rec_get(rec, i);

		fprintf(stderr, "-- session %u (via %u) %s:%u end %s tls %d\n",
		    s->id, s->via, s->host, s->port, s->end ? s->end : "-",
		    (int)s->tls);
		for (size_t k = 0; k < s->nlines; k++)
			fprintf(stderr, "   %c %s\n", s->lines[k].dir,
			    s->lines[k].text);
	}
}

static inline bool
fuzz_never(void *arg)
{
	(void)arg;
	return false;
}

/* Run the loop until nothing is ready, moving the virtual clock by 1 ms
 * only (no idle timeout fires). */
static inline void
fuzz_idle(struct loop *l)
{
	(void)loop_run_until(l, fuzz_never, NULL, loop_now(l) + 1);
}

/* A fresh client source address per connection, so that thousands of
 * executions do not run out of ephemeral ports to TIME_WAIT. */
static inline const char *
fuzz_src_addr(uint8_t net)
{
	static char buf[32];
	static unsigned n;

	n++;
	snprintf(buf, sizeof(buf), "127.%u.%u.%u", net, (n >> 8) & 0xff,
	    (n & 0xff) == 0 ? 1 : n & 0xff);
	return buf;
}

/*
 * A scripted peer on a conn: it swallows whatever it receives (keeping the
 * first bytes for checks) and closes when the other side closes, its TLS
 * fails or an error comes.  c is NULL once closed.
 */
struct fuzz_peer {
	struct conn *c;
	bool connected, tls_ok, tls_failed, closed;
	size_t got;             /* plaintext bytes received */
	char head[64];          /* the first of them, NUL-terminated */
};

static inline void
fuzz_peer_cb(struct conn *c, enum conn_ev ev, void *arg)
{
	struct fuzz_peer *p = arg;
	const uint8_t *d;
	size_t n, k;

	switch (ev) {
	case CONN_CONNECTED:
		p->connected = true;
		break;
	case CONN_DATA:
		d = conn_peek(c, &n);
		k = p->got < sizeof(p->head) - 1 ? sizeof(p->head) - 1 - p->got : 0;
		k = k < n ? k : n;
		if (k > 0)
			memcpy(p->head + p->got, d, k);
		p->got += n;
		conn_consume(c, n);
		break;
	case CONN_TLS_OK:
		p->tls_ok = true;
		break;
	case CONN_DRAINED:
		break;
	case CONN_TLS_FAILED:
		p->tls_failed = true;
		/* FALLTHROUGH */
	case CONN_TIMEOUT:
	case CONN_EOF:
	case CONN_ERROR:
		p->closed = true;
		p->c = NULL;
		conn_close(c);
		break;
	}
}

static inline void
fuzz_peer_connect(struct fuzz_peer *p, struct loop *l, const char *src,
    const char *ip, uint16_t port)
{
	memset(p, 0, sizeof(*p));
	p->c = conn_connect(l, src, ip, port, fuzz_peer_cb, p);
	FUZZ_CHECK(p->c != NULL);
}

static inline void
fuzz_peer_adopt(struct fuzz_peer *p, struct loop *l, int fd)
{
	memset(p, 0, sizeof(*p));
	p->c = conn_new(l, fd, fuzz_peer_cb, p);
	p->connected = true;
}

static inline bool
fuzz_peer_live(const struct fuzz_peer *p)
{
	return p->c != NULL && p->connected;
}

static inline void
fuzz_peer_write(struct fuzz_peer *p, const uint8_t *d, size_t n)
{
	if (fuzz_peer_live(p) && n > 0)
		conn_write(p->c, d, n);
}

static inline void
fuzz_peer_starttls(struct fuzz_peer *p, SSL_CTX *ctx, bool server)
{
	if (!fuzz_peer_live(p) || conn_ssl(p->c) != NULL)
		return;     /* a second start is a no-op */
	if (conn_starttls(p->c, ctx, server, server ? NULL :
	    "mx1.example.test") < 0) {
		p->closed = true;
		conn_abort(p->c);
		p->c = NULL;
	}
}

/* FIN (reset false) or RST. */
static inline void
fuzz_peer_close(struct fuzz_peer *p, bool reset)
{
	if (p->c == NULL)
		return;
	if (reset)
		conn_reset(p->c);
	else
		conn_close(p->c);
	p->c = NULL;
	p->closed = true;
}

#endif
