/*
 * util: allocation helpers that die on out-of-memory, a growable byte
 * buffer, and the logger.  No global mutable state except the log sink,
 * which the CLI sets once at start-up.
 */
#ifndef MXSIM_UTIL_H
#define MXSIM_UTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define PRINTF(a, b) __attribute__((format(printf, a, b)))
#define WUR __attribute__((warn_unused_result))
#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) PRINTF(1, 2);
void fatal(const char *fmt, ...) PRINTF(1, 2) __attribute__((noreturn));

/* Growable byte buffer.  Zero-initialise or use buf_init(). */
struct buf {
	uint8_t *data;
	size_t len;
	size_t cap;
};
void buf_init(struct buf *b);
void buf_free(struct buf *b);
void buf_reserve(struct buf *b, size_t extra);
void buf_append(struct buf *b, const void *p, size_t n);
void buf_appendf(struct buf *b, const char *fmt, ...) PRINTF(2, 3);
void buf_consume(struct buf *b, size_t n);  /* drop n bytes from the front */
void buf_reset(struct buf *b);
/* NUL-terminates (without counting it in len) and returns data. */
char *buf_cstr(struct buf *b);

/* Logging: "level [where] message".  Sink defaults to stderr at LOG_WARN. */
enum log_level { LOG_DEBUG, LOG_INFO, LOG_WARN, LOG_ERR };
void log_set(FILE *sink, enum log_level min);
void log_add_file(FILE *f);  /* second sink that gets everything >= LOG_INFO */
void log_msg(enum log_level lvl, const char *where, const char *fmt, ...)
	PRINTF(3, 4);
#define log_debug(w, ...) log_msg(LOG_DEBUG, w, __VA_ARGS__)
#define log_info(w, ...) log_msg(LOG_INFO, w, __VA_ARGS__)
#define log_warn(w, ...) log_msg(LOG_WARN, w, __VA_ARGS__)
#define log_err(w, ...) log_msg(LOG_ERR, w, __VA_ARGS__)

/* Printable, bounded copy of untrusted bytes for logs (escapes controls). */
void str_sanitize(char *dst, size_t dstlen, const void *src, size_t n);
int str_casecmp_prefix(const char *s, const char *prefix); /* 0 if s starts with prefix, any case */

#endif
