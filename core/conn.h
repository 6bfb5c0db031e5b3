/*
 * conn: one non-blocking TCP connection with buffered I/O and optional TLS
 * (OpenSSL over memory BIOs, so every byte on the wire passes through here).
 *
 * Ownership: conn_new() takes the fd.  The owner gets every event through
 * one callback.  conn_close() never frees at once: the conn is freed after
 * the current dispatch, and no callback is made after conn_close().
 *
 * Reading: CONN_DATA means new plaintext bytes are in the input buffer;
 * take them with conn_getline() or conn_peek()/conn_consume().  Unconsumed
 * bytes stay for the next event.
 *
 * TLS: conn_starttls() starts a handshake in either role; bytes already
 * buffered in plaintext are discarded (and counted: conn_discarded()),
 * as RFC 3207 4.2 asks.  The result arrives as CONN_TLS_OK or
 * CONN_TLS_FAILED.  Certificate verification is the owner's business:
 * the SSL is reachable with conn_ssl().
 *
 * Wiretap: a loop may carry one struct conn_wiretap (loop_set_wiretap).
 * Every conn on that loop then reports what happens on its wire (accept,
 * connect, bytes sent and read, FIN and RST either way) and the TLS
 * secrets of its handshakes (NSS key log lines); UDP sockets of the world
 * report their datagrams with conn_wire_dgram().  The capture (core/
 * capture.h) is the wiretap.  Without one, nothing of this costs more
 * than a NULL test.
 */
#ifndef MXSIM_CONN_H
#define MXSIM_CONN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <openssl/ssl.h>

#include "core/loop.h"

struct conn;

enum conn_ev {
	CONN_CONNECTED,  /* outgoing connect finished */
	CONN_DATA,       /* plaintext input available */
	CONN_DRAINED,    /* output buffer flushed to the socket */
	CONN_TLS_OK,     /* handshake completed */
	CONN_TLS_FAILED, /* handshake failed: conn_tls_error() says why */
	CONN_TIMEOUT,    /* no input for the idle timeout */
	CONN_EOF,        /* peer closed (after all buffered input was given) */
	CONN_ERROR,      /* connect refused, reset, I/O error: conn_errstr() */
};

enum conn_dir { CONN_IN, CONN_OUT };

typedef void conn_cb(struct conn *c, enum conn_ev ev, void *arg);
/* Sees every raw byte on the wire (ciphertext when TLS is on). */
typedef void conn_tap_cb(struct conn *c, enum conn_dir dir, const uint8_t *p,
	size_t n, void *arg);

/* What a conn reports to the wiretap of its loop. */
enum conn_wire_ev {
	CONN_WIRE_ACCEPTED,   /* conn_new(): this side accepted the connection */
	CONN_WIRE_CONNECTING, /* conn_connect(): SYN sent, both addresses known */
	CONN_WIRE_CONNECTED,  /* the connect completed */
	CONN_WIRE_FAILED,     /* the connect failed (err = errno) */
	CONN_WIRE_SENT,       /* p, n: raw bytes the kernel took from this side */
	CONN_WIRE_RECEIVED,   /* p, n: raw bytes this side read */
	CONN_WIRE_PEER_FIN,   /* a read returned end of file */
	CONN_WIRE_PEER_RST,   /* a read or send failed: the peer reset (err) */
	CONN_WIRE_FIN,        /* this side closed its socket with a FIN */
	CONN_WIRE_RST,        /* this side closed its socket with a RST (conn_reset,
	                       * or unread input left in the kernel) */
};

struct conn_wire {
	enum conn_wire_ev ev;
	const uint8_t *p;
	size_t n;
	int err;
};

struct sockaddr_in;
/* *state is the wiretap's own pointer for this conn (NULL at first). */
typedef void conn_wire_cb(struct conn *c, const struct conn_wire *w,
	void **state, void *arg);
/* A UDP datagram between a client and a server, to_server telling the
 * direction; p == NULL: the client socket is closing (server is NULL). */
typedef void conn_dgram_cb(const struct sockaddr_in *client,
	const struct sockaddr_in *server, bool to_server, const uint8_t *p,
	size_t n, void *arg);
/* One line of NSS key log (no newline). */
typedef void conn_keylog_cb(const char *line, void *arg);

struct conn_wiretap {
	conn_wire_cb *wire;
	conn_dgram_cb *dgram;
	conn_keylog_cb *keylog;
	void *arg;
};

/* Report a UDP datagram to the wiretap of l (if any).  Servers call it for
 * what they receive and send, so each datagram is reported once. */
void conn_wire_dgram(struct loop *l, const struct sockaddr_in *client,
	const struct sockaddr_in *server, bool to_server, const void *p,
	size_t n);
/* A UDP client socket of the world is about to be closed: the wiretap
 * forgets its port (call before close(fd)). */
void conn_wire_dgram_closed(struct loop *l, int fd);

#define CONN_MAX_LINE_DEFAULT 4096

struct conn *conn_new(struct loop *l, int fd, conn_cb *cb, void *arg);
/* Non-blocking connect from src_ip (may be NULL) to ip:port; the result
 * comes as CONN_CONNECTED or CONN_ERROR.  Returns NULL only for bad
 * addresses or socket() failure. */
struct conn *conn_connect(struct loop *l, const char *src_ip, const char *ip,
	uint16_t port, conn_cb *cb, void *arg);
void conn_set_cb(struct conn *c, conn_cb *cb, void *arg);
void conn_set_tap(struct conn *c, conn_tap_cb *tap, void *arg);

void conn_write(struct conn *c, const void *p, size_t n);
void conn_printf(struct conn *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
size_t conn_pending_out(const struct conn *c);

/* Line reading.  Returns 1 and sets *line (NUL-terminated, CR/LF stripped,
 * valid until the next call) and *len; 0 when no full line is buffered;
 * -1 when a line exceeds the maximum (the over-long line is then skipped
 * up to its LF, and reading may go on). */
int conn_getline(struct conn *c, char **line, size_t *len);
void conn_set_max_line(struct conn *c, size_t max);
const uint8_t *conn_peek(struct conn *c, size_t *len);
void conn_consume(struct conn *c, size_t n);
void conn_pause_read(struct conn *c, bool pause);

/* Idle timeout in virtual ms (0 = none), re-armed by every input. */
void conn_set_timeout(struct conn *c, uint64_t ms);
/* With progress on, bytes arriving no longer restart the idle timer; only
 * input the owner takes does (a line from conn_getline(), or bytes
 * consumed), so a peer trickling an unfinished line or frame one byte at
 * a time (slowloris) still meets the timeout.  Off by default. */
void conn_set_progress_timeout(struct conn *c, bool on);

int conn_starttls(struct conn *c, SSL_CTX *ctx, bool server, const char *sni)
	__attribute__((warn_unused_result));
bool conn_is_tls(const struct conn *c);
SSL *conn_ssl(struct conn *c);
const char *conn_tls_error(const struct conn *c);
/* Server side: did the handshake send our certificate?  After a failed
 * handshake, true means the peer saw it (and likely refused it). */
bool conn_tls_cert_sent(const struct conn *c);
size_t conn_discarded(const struct conn *c);

/* Flush pending output, then close (FIN).  No more callbacks. */
void conn_close(struct conn *c);
/* Close at once with a TCP RST (SO_LINGER 0).  No more callbacks. */
void conn_reset(struct conn *c);
/* Close at once with FIN, dropping pending output.  No more callbacks. */
void conn_abort(struct conn *c);

const char *conn_errstr(const struct conn *c);
const char *conn_peer_ip(const struct conn *c);
uint16_t conn_peer_port(const struct conn *c);
const char *conn_local_ip(const struct conn *c);
uint16_t conn_local_port(const struct conn *c);
struct loop *conn_loop(const struct conn *c);
void *conn_arg(const struct conn *c);

/* Listening socket on ip:port (SO_REUSEADDR, non-blocking). Returns fd or -1
 * with errno set. */
int conn_listen(const char *ip, uint16_t port) __attribute__((warn_unused_result));

#endif
