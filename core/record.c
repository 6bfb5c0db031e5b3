/*
 * record: the session recorder.  See record.h.
 *
 * Transcripts are bounded per session (REC_MAX_LINES lines, REC_MAX_BYTES
 * bytes) so a hostile sender cannot grow memory without limit; what is cut
 * is counted in a final note.  Exchanges (DNS queries, HTTPS requests)
 * are capped at REC_MAX_EXCHANGES per recorder for the same reason:
 * past it rec_exchange_new() returns NULL and rec_exchanges_dropped()
 * counts them.  Every line gets the recorder's next sequence number.
 */
#include "core/record.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#define REC_MAX_LINES 2000
#define REC_MAX_BYTES (256u << 10)
#define REC_MAX_LINE 512
#define REC_MAX_EXCHANGES 20000

struct rec_link {
	uint16_t port;
	struct rec_session *s;
};

struct rec {
	struct loop *l;
	unsigned phase, message;
	uint64_t seq;             /* lines recorded so far */
	struct rec_session **v;
	size_t n, cap;
	struct rec_session **x;   /* exchanges */
	size_t nx, capx;
	unsigned long xdropped;   /* exchanges past REC_MAX_EXCHANGES */
	struct rec_link *links;
	size_t nlinks, caplinks;
};

struct rec *
rec_new(struct loop *l)
{
	struct rec *r = xcalloc(1, sizeof(*r));

	r->l = l;
	return r;
}

static void
session_free(struct rec_session *s)
{
	free(s->host);
	free(s->addr);
	free(s->attack);
	free(s->tls_by);
	free(s->tls_version);
	free(s->tls_error);
	free(s->cert_label);
	free(s->cert_der);
	free(s->chain_der);
	free(s->data_to);
	free(s->end);
	free(s->x.role);
	free(s->x.client);
	free(s->x.qtype);
	free(s->x.rcode);
	free(s->x.answer);
	free(s->x.sni);
	free(s->x.request);
	free(s->x.content_type);
	for (size_t i = 0; i < s->nlines; i++)
		free(s->lines[i].text);
	free(s->lines);
	free(s);
}

void
rec_free(struct rec *r)
{
	if (r == NULL)
		return;
	for (size_t i = 0; i < r->n; i++)
		session_free(r->v[i]);
	for (size_t i = 0; i < r->nx; i++)
		session_free(r->x[i]);
	free(r->v);
	free(r->x);
	free(r->links);
	free(r);
}

void
rec_set_message(struct rec *r, unsigned phase, unsigned message)
{
	r->phase = phase;
	r->message = message;
}

/* A new item at the end of the list *v (n, cap), numbered from 1. */
static struct rec_session *
item_new(struct rec *r, struct rec_session ***v, size_t *n, size_t *cap,
    const char *host, const char *addr, uint16_t port)
{
	struct rec_session *s = xcalloc(1, sizeof(*s));

	if (*n == *cap) {
		*cap = *cap ? *cap * 2 : 16;
		*v = xrealloc(*v, *cap * sizeof(**v));
	}
	(*v)[(*n)++] = s;
	s->id = (unsigned)*n;
	s->phase = r->phase;
	s->message = r->message;
	rec_set(&s->host, host);
	rec_set(&s->addr, addr);
	s->port = port;
	return s;
}

struct rec_session *
rec_session_new(struct rec *r, const char *host, const char *addr, uint16_t port)
{
	return item_new(r, &r->v, &r->n, &r->cap, host, addr, port);
}

struct rec_session *
rec_exchange_new(struct rec *r, enum rec_kind kind, const char *host,
    const char *addr, uint16_t port)
{
	struct rec_session *s;

	if (r->nx >= REC_MAX_EXCHANGES) {
		r->xdropped++;
		return NULL;
	}
	s = item_new(r, &r->x, &r->nx, &r->capx, host, addr, port);
	s->kind = kind;
	return s;
}

size_t
rec_nexchanges(const struct rec *r)
{
	return r->nx;
}

unsigned long
rec_exchanges_dropped(const struct rec *r)
{
	return r->xdropped;
}

struct rec_session *
rec_exchange(const struct rec *r, size_t i)
{
	return i < r->nx ? r->x[i] : NULL;
}

size_t
rec_count(const struct rec *r)
{
	return r->n;
}

struct rec_session *
rec_get(const struct rec *r, size_t i)
{
	return i < r->n ? r->v[i] : NULL;
}

void
rec_set(char **field, const char *value)
{
	free(*field);
	*field = value ? xstrdup(value) : NULL;
}

void
rec_set_cert(struct rec_session *s, const char *label, const uint8_t *der,
    size_t len, const uint8_t *chain, size_t chain_len)
{
	rec_set(&s->cert_label, label);
	free(s->cert_der);
	free(s->chain_der);
	s->cert_der = NULL;
	s->chain_der = NULL;
	s->cert_len = s->chain_len = 0;
	if (der != NULL && len > 0) {
		s->cert_der = xmalloc(len);
		memcpy(s->cert_der, der, len);
		s->cert_len = len;
	}
	if (chain != NULL && chain_len > 0) {
		s->chain_der = xmalloc(chain_len);
		memcpy(s->chain_der, chain, chain_len);
		s->chain_len = chain_len;
	}
}

static void
push_line(struct rec *r, struct rec_session *s, char dir, char *text)
{
	uint64_t t = r != NULL && r->l != NULL ? loop_now(r->l) : 0;
	uint64_t seq = r != NULL ? ++r->seq : 0;

	if (s->nlines == s->caplines) {
		s->caplines = s->caplines ? s->caplines * 2 : 32;
		s->lines = xrealloc(s->lines, s->caplines * sizeof(*s->lines));
	}
	s->lines[s->nlines++] = (struct rec_line){ t, seq, dir, text };
	s->line_bytes += strlen(text);
}

void
rec_line(struct rec *r, struct rec_session *s, char dir, const char *fmt, ...)
{
	char raw[REC_MAX_LINE * 2], clean[REC_MAX_LINE];
	va_list ap;
	int n;

	if (s == NULL)
		return;
	if (s->nlines >= REC_MAX_LINES || s->line_bytes >= REC_MAX_BYTES) {
		if (s->nlines > 0 && strcmp(s->lines[s->nlines - 1].text,
		    "[transcript truncated]") != 0 && s->nlines < REC_MAX_LINES + 1)
			push_line(r, s, '!', xstrdup("[transcript truncated]"));
		return;
	}
	va_start(ap, fmt);
	n = vsnprintf(raw, sizeof(raw), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	str_sanitize(clean, sizeof(clean), raw,
	    (size_t)n < sizeof(raw) ? (size_t)n : sizeof(raw) - 1);
	push_line(r, s, dir, xstrdup(clean));
}

void
rec_link(struct rec *r, uint16_t upstream_port, struct rec_session *s)
{
	for (size_t i = 0; i < r->nlinks; i++) {
		if (r->links[i].port == upstream_port) {
			r->links[i].s = s;
			return;
		}
	}
	if (r->nlinks == r->caplinks) {
		r->caplinks = r->caplinks ? r->caplinks * 2 : 16;
		r->links = xrealloc(r->links, r->caplinks * sizeof(*r->links));
	}
	r->links[r->nlinks++] = (struct rec_link){ upstream_port, s };
}

void
rec_unlink(struct rec *r, uint16_t upstream_port)
{
	for (size_t i = 0; i < r->nlinks; i++) {
		if (r->links[i].port == upstream_port) {
			r->links[i] = r->links[--r->nlinks];
			return;
		}
	}
}

struct rec_session *
rec_by_upstream(const struct rec *r, uint16_t upstream_port)
{
	for (size_t i = 0; i < r->nlinks; i++)
		if (r->links[i].port == upstream_port)
			return r->links[i].s;
	return NULL;
}
