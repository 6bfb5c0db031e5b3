/*
 * util: allocation, buffers, logging.  See util.h.
 */
#include "core/util.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static FILE *log_sink;
static FILE *log_file;
static enum log_level log_min = LOG_WARN;

void *
xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (p == NULL)
		fatal("out of memory (%zu bytes)", n);
	return p;
}

void *
xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);
	if (p == NULL)
		fatal("out of memory (%zu x %zu bytes)", n, size);
	return p;
}

void *
xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);
	if (q == NULL)
		fatal("out of memory (%zu bytes)", n);
	return q;
}

char *
xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}

char *
xstrndup(const char *s, size_t n)
{
	char *p = xmalloc(n + 1);
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *
xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		fatal("out of memory in xasprintf");
	va_end(ap);
	return s;
}

void
fatal(const char *fmt, ...)
{
	va_list ap;

	fputs("mxsim: fatal: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	abort();
}

void
buf_init(struct buf *b)
{
	memset(b, 0, sizeof(*b));
}

void
buf_free(struct buf *b)
{
	free(b->data);
	memset(b, 0, sizeof(*b));
}

void
buf_reserve(struct buf *b, size_t extra)
{
	size_t need = b->len + extra + 1;

	if (need <= b->cap)
		return;
	size_t cap = b->cap ? b->cap : 256;
	while (cap < need)
		cap *= 2;
	b->data = xrealloc(b->data, cap);
	b->cap = cap;
}

void
buf_append(struct buf *b, const void *p, size_t n)
{
	if (n == 0)
		return;
	buf_reserve(b, n);
	memcpy(b->data + b->len, p, n);
	b->len += n;
}

void
buf_appendf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	char *s;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (n < 0)
		fatal("out of memory in buf_appendf");
	buf_append(b, s, (size_t)n);
	free(s);
}

void
buf_consume(struct buf *b, size_t n)
{
	if (n >= b->len) {
		b->len = 0;
		return;
	}
	memmove(b->data, b->data + n, b->len - n);
	b->len -= n;
}

void
buf_reset(struct buf *b)
{
	b->len = 0;
}

char *
buf_cstr(struct buf *b)
{
	buf_reserve(b, 1);
	b->data[b->len] = '\0';
	return (char *)b->data;
}

void
log_set(FILE *sink, enum log_level min)
{
	log_sink = sink;
	log_min = min;
}

void
log_add_file(FILE *f)
{
	log_file = f;
}

void
log_msg(enum log_level lvl, const char *where, const char *fmt, ...)
{
	static const char *names[] = { "debug", "info", "warn", "error" };
	FILE *sink = log_sink ? log_sink : stderr;
	va_list ap;

	if (lvl >= log_min) {
		fprintf(sink, "mxsim: %s [%s] ", names[lvl], where ? where : "-");
		va_start(ap, fmt);
		vfprintf(sink, fmt, ap);
		va_end(ap);
		fputc('\n', sink);
	}
	if (log_file != NULL && lvl >= LOG_INFO) {
		fprintf(log_file, "%s [%s] ", names[lvl], where ? where : "-");
		va_start(ap, fmt);
		vfprintf(log_file, fmt, ap);
		va_end(ap);
		fputc('\n', log_file);
	}
}

void
str_sanitize(char *dst, size_t dstlen, const void *src, size_t n)
{
	const unsigned char *s = src;
	size_t o = 0;

	if (dstlen == 0)
		return;
	for (size_t i = 0; i < n && o + 5 < dstlen; i++) {
		if (s[i] >= 0x20 && s[i] < 0x7f && s[i] != '\\')
			dst[o++] = (char)s[i];
		else
			o += (size_t)snprintf(dst + o, dstlen - o, "\\x%02x", s[i]);
	}
	if (o + 5 >= dstlen && o + 4 < dstlen && n > 0) {
		memcpy(dst + o, "...", 3);
		o += 3;
	}
	dst[o < dstlen ? o : dstlen - 1] = '\0';
}

int
str_casecmp_prefix(const char *s, const char *prefix)
{
	return strncasecmp(s, prefix, strlen(prefix));
}
