/*
 * conn: buffered non-blocking TCP with optional TLS.  See conn.h.
 *
 * TLS runs over a pair of memory BIOs: raw bytes read from the socket go
 * into rbio, SSL output is drained from wbio into the raw output buffer.
 * So every wire byte passes the tap, and the TLS engine never touches the
 * fd.  Lifetime: `busy` counts callbacks on the stack; conn_close() on a
 * busy conn only marks it dead, and the outermost dispatch frees it.  A
 * closing conn with unsent output lingers (no callbacks) until flushed or
 * until its linger timer fires.
 *
 * Wiretap: wire() reports to the loop's wiretap, if any (see conn.h);
 * the close of the fd in conn_free() is reported as RST when conn_reset()
 * asked for it or when unread input is left in the kernel (Linux then
 * sends a RST instead of a FIN), else as FIN.
 */
#include "core/conn.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/util.h"

#define LINGER_MS 5000
#define READ_CHUNK 16384
#define MAX_INBUF (4u << 20)   /* stop reading when the owner does not consume */

struct conn {
	struct loop *l;
	int fd;
	conn_cb *cb;
	void *arg;
	conn_tap_cb *tap;
	void *taparg;
	void *wstate;           /* the wiretap's pointer for this conn */
	bool rst_close;         /* conn_reset(): the close sends a RST */

	struct buf in;          /* plaintext input for the owner */
	struct buf out;         /* raw bytes waiting for the socket */
	struct buf tls_pending; /* plaintext written before the handshake ended */
	struct buf line;        /* last line returned by conn_getline */

	bool connecting;
	bool dead;              /* closed by the owner: no more callbacks */
	bool lingering;         /* dead, flushing output */
	bool eof;               /* peer sent FIN (or close_notify) */
	bool eof_told;
	bool paused;
	bool skipping;          /* discarding the tail of an over-long line */
	int busy;

	SSL *ssl;
	BIO *rbio, *wbio;
	bool handshaking;
	bool tls_on;
	bool server;
	char tls_err[256];
	char errstr[160];
	char alert[96];
	bool cert_sent;         /* server: the handshake wrote its Certificate */
	size_t discarded;

	size_t max_line;
	uint64_t timeout_ms;
	bool progress_timeout;  /* only taken input re-arms the timer */
	uint64_t timer;         /* idle timeout */
	uint64_t aux_timer;     /* deferred events (connect errors, kicks) */
	uint64_t linger_timer;
	int pending_err;        /* deferred connect error (errno) */

	char peer_ip[INET_ADDRSTRLEN];
	uint16_t peer_port;
	char local_ip[INET_ADDRSTRLEN];
	uint16_t local_port;
};

static void conn_io(int fd, uint32_t events, void *arg);
static void conn_free(struct conn *c);
static void flush_out(struct conn *c);

static void
wire(struct conn *c, enum conn_wire_ev ev, const uint8_t *p, size_t n, int err)
{
	const struct conn_wiretap *wt = loop_wiretap(c->l);
	struct conn_wire w = { ev, p, n, err };

	if (wt != NULL && wt->wire != NULL)
		wt->wire(c, &w, &c->wstate, wt->arg);
}

static void
fill_names(struct conn *c)
{
	struct sockaddr_in sa;
	socklen_t len = sizeof(sa);

	if (getpeername(c->fd, (struct sockaddr *)&sa, &len) == 0) {
		inet_ntop(AF_INET, &sa.sin_addr, c->peer_ip, sizeof(c->peer_ip));
		c->peer_port = ntohs(sa.sin_port);
	}
	len = sizeof(sa);
	if (getsockname(c->fd, (struct sockaddr *)&sa, &len) == 0) {
		inet_ntop(AF_INET, &sa.sin_addr, c->local_ip, sizeof(c->local_ip));
		c->local_port = ntohs(sa.sin_port);
	}
}

static struct conn *
conn_alloc(struct loop *l, int fd, conn_cb *cb, void *arg)
{
	struct conn *c = xcalloc(1, sizeof(*c));

	c->l = l;
	c->fd = fd;
	c->cb = cb;
	c->arg = arg;
	c->max_line = CONN_MAX_LINE_DEFAULT;
	return c;
}

struct conn *
conn_new(struct loop *l, int fd, conn_cb *cb, void *arg)
{
	struct conn *c = conn_alloc(l, fd, cb, arg);
	int one = 1;

	(void)fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
	(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	fill_names(c);
	if (loop_add_fd(l, fd, EPOLLIN | EPOLLRDHUP, conn_io, c) < 0)
		fatal("loop_add_fd(%d) failed", fd);
	wire(c, CONN_WIRE_ACCEPTED, NULL, 0, 0);
	return c;
}

/* Call the owner, unless it closed us.  Returns false when the conn is
 * dead afterwards (the caller must stop touching it, except through
 * the busy protocol handled by dispatch_end). */
static bool
emit(struct conn *c, enum conn_ev ev)
{
	if (c->dead)
		return false;
	c->busy++;
	c->cb(c, ev, c->arg);
	c->busy--;
	return !c->dead;
}

static void
maybe_free(struct conn *c)
{
	if (c->dead && c->busy == 0 && !c->lingering)
		conn_free(c);
}

static void
idle_timeout(void *arg)
{
	struct conn *c = arg;

	c->timer = 0;
	c->busy++;
	emit(c, CONN_TIMEOUT);
	c->busy--;
	maybe_free(c);
}

static void
arm_timer(struct conn *c)
{
	if (c->timer)
		loop_timer_cancel(c->l, c->timer);
	c->timer = 0;
	if (c->timeout_ms && !c->dead)
		c->timer = loop_timer_add(c->l, c->timeout_ms, idle_timeout, c);
}

void
conn_set_timeout(struct conn *c, uint64_t ms)
{
	c->timeout_ms = ms;
	arm_timer(c);
}

void
conn_set_progress_timeout(struct conn *c, bool on)
{
	c->progress_timeout = on;
}

static void
deferred_error(void *arg)
{
	struct conn *c = arg;

	c->aux_timer = 0;
	snprintf(c->errstr, sizeof(c->errstr), "connect: %s", strerror(c->pending_err));
	c->busy++;
	emit(c, CONN_ERROR);
	c->busy--;
	maybe_free(c);
}

struct conn *
conn_connect(struct loop *l, const char *src_ip, const char *ip, uint16_t port,
    conn_cb *cb, void *arg)
{
	struct sockaddr_in sa;
	struct conn *c;
	int fd, one = 1;

	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons(port);
	if (inet_pton(AF_INET, ip, &sa.sin_addr) != 1)
		return NULL;
	fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return NULL;
	(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (src_ip != NULL) {
		struct sockaddr_in src;
		memset(&src, 0, sizeof(src));
		src.sin_family = AF_INET;
		if (inet_pton(AF_INET, src_ip, &src.sin_addr) != 1 ||
		    bind(fd, (struct sockaddr *)&src, sizeof(src)) < 0) {
			close(fd);
			return NULL;
		}
	}
	c = conn_alloc(l, fd, cb, arg);
	snprintf(c->peer_ip, sizeof(c->peer_ip), "%s", ip);
	c->peer_port = port;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 && errno != EINPROGRESS) {
		struct sockaddr_in me;
		socklen_t len = sizeof(me);
		c->pending_err = errno;
		if (getsockname(fd, (struct sockaddr *)&me, &len) == 0) {
			inet_ntop(AF_INET, &me.sin_addr, c->local_ip, sizeof(c->local_ip));
			c->local_port = ntohs(me.sin_port);
		}
		c->fd = -1;
		close(fd);
		wire(c, CONN_WIRE_CONNECTING, NULL, 0, 0);
		wire(c, CONN_WIRE_FAILED, NULL, 0, c->pending_err);
		c->aux_timer = loop_timer_add(l, 0, deferred_error, c);
		return c;
	}
	c->connecting = true;
	{
		/* the local port is known now: the MITM links it before the
		 * server side can accept */
		struct sockaddr_in me;
		socklen_t len = sizeof(me);
		if (getsockname(fd, (struct sockaddr *)&me, &len) == 0) {
			inet_ntop(AF_INET, &me.sin_addr, c->local_ip, sizeof(c->local_ip));
			c->local_port = ntohs(me.sin_port);
		}
	}
	if (loop_add_fd(l, fd, EPOLLOUT | EPOLLIN | EPOLLRDHUP, conn_io, c) < 0)
		fatal("loop_add_fd(%d) failed", fd);
	wire(c, CONN_WIRE_CONNECTING, NULL, 0, 0);
	return c;
}

void
conn_set_cb(struct conn *c, conn_cb *cb, void *arg)
{
	c->cb = cb;
	c->arg = arg;
}

void
conn_set_tap(struct conn *c, conn_tap_cb *tap, void *arg)
{
	c->tap = tap;
	c->taparg = arg;
}

static void
update_events(struct conn *c)
{
	uint32_t ev = 0;

	if (c->fd < 0)
		return;
	if (!c->lingering && !c->eof && !c->paused && c->in.len < MAX_INBUF)
		ev |= EPOLLIN | EPOLLRDHUP;
	if (c->connecting || c->out.len > 0)
		ev |= EPOLLOUT;
	loop_mod_fd(c->l, c->fd, ev);
}

/* Move everything SSL produced into the raw output buffer. */
static void
drain_wbio(struct conn *c)
{
	char tmp[READ_CHUNK];
	int n;

	if (c->wbio == NULL)
		return;
	while ((n = BIO_read(c->wbio, tmp, sizeof(tmp))) > 0)
		buf_append(&c->out, tmp, (size_t)n);
}

static void
flush_out(struct conn *c)
{
	drain_wbio(c);
	while (c->fd >= 0 && c->out.len > 0 && !c->connecting) {
		ssize_t n = send(c->fd, c->out.data, c->out.len, MSG_NOSIGNAL);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno != EAGAIN && errno != EWOULDBLOCK) {
				if (errno == ECONNRESET || errno == EPIPE)
					wire(c, CONN_WIRE_PEER_RST, NULL, 0, errno);
				snprintf(c->errstr, sizeof(c->errstr), "send: %s", strerror(errno));
				c->out.len = 0;
				c->eof = true;
			}
			break;
		}
		if (c->tap)
			c->tap(c, CONN_OUT, c->out.data, (size_t)n, c->taparg);
		wire(c, CONN_WIRE_SENT, c->out.data, (size_t)n, 0);
		buf_consume(&c->out, (size_t)n);
	}
	update_events(c);
}

void
conn_write(struct conn *c, const void *p, size_t n)
{
	if (c->dead || n == 0)
		return;
	if (c->ssl != NULL) {
		if (c->handshaking) {
			buf_append(&c->tls_pending, p, n);
			return;
		}
		if (SSL_write(c->ssl, p, (int)n) <= 0) {
			snprintf(c->errstr, sizeof(c->errstr), "SSL_write failed");
			return;
		}
	} else {
		buf_append(&c->out, p, n);
	}
	flush_out(c);
}

void
conn_printf(struct conn *c, const char *fmt, ...)
{
	va_list ap;
	char *s;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (n < 0)
		fatal("out of memory in conn_printf");
	conn_write(c, s, (size_t)n);
	free(s);
}

size_t
conn_pending_out(const struct conn *c)
{
	return c->out.len + c->tls_pending.len;
}

int
conn_getline(struct conn *c, char **line, size_t *len)
{
	for (;;) {
		uint8_t *nl = c->in.len ? memchr(c->in.data, '\n', c->in.len) : NULL;
		if (c->skipping) {
			if (nl == NULL) {
				c->in.len = 0;
				return 0;
			}
			buf_consume(&c->in, (size_t)(nl - c->in.data) + 1);
			c->skipping = false;
			continue;
		}
		if (nl == NULL) {
			if (c->in.len > c->max_line) {
				c->in.len = 0;
				c->skipping = true;
				return -1;
			}
			return 0;
		}
		size_t n = (size_t)(nl - c->in.data);
		if (c->progress_timeout)
			arm_timer(c);   /* a line (or a bad one) is progress */
		if (n > c->max_line) {
			buf_consume(&c->in, n + 1);
			return -1;
		}
		size_t m = n;
		if (m > 0 && c->in.data[m - 1] == '\r')
			m--;
		buf_reset(&c->line);
		buf_append(&c->line, c->in.data, m);
		buf_consume(&c->in, n + 1);
		*line = buf_cstr(&c->line);
		*len = m;
		return 1;
	}
}

void
conn_set_max_line(struct conn *c, size_t max)
{
	c->max_line = max;
}

const uint8_t *
conn_peek(struct conn *c, size_t *len)
{
	*len = c->in.len;
	return c->in.data;
}

void
conn_consume(struct conn *c, size_t n)
{
	buf_consume(&c->in, n);
	if (c->progress_timeout && n > 0)
		arm_timer(c);
	update_events(c);
}

static void
kick(void *arg)
{
	struct conn *c = arg;

	c->aux_timer = 0;
	c->busy++;
	if (!c->paused && c->in.len > 0)
		emit(c, CONN_DATA);
	/* EOF follows the last input given, consumed or not (a partial line
	 * at the end will never be completed) */
	if (!c->dead && !c->paused && c->eof && !c->eof_told) {
		c->eof_told = true;
		emit(c, CONN_EOF);
	}
	c->busy--;
	maybe_free(c);
}

void
conn_pause_read(struct conn *c, bool pause)
{
	c->paused = pause;
	update_events(c);
	if (!pause && !c->dead && (c->in.len > 0 || c->eof) && c->aux_timer == 0)
		c->aux_timer = loop_timer_add(c->l, 0, kick, c);
}

static void
info_cb(const SSL *ssl, int where, int ret)
{
	struct conn *c = SSL_get_app_data(ssl);

	if (c != NULL && (where & SSL_CB_ALERT) && (where & SSL_CB_READ))
		snprintf(c->alert, sizeof(c->alert), "peer sent alert: %s",
		    SSL_alert_desc_string_long(ret));
	/* the loop callback comes as the state machine leaves a state: in
	 * TLS_ST_SW_CERT the Certificate message has just been written */
	if (c != NULL && (where & SSL_CB_ACCEPT_LOOP) == SSL_CB_ACCEPT_LOOP &&
	    SSL_get_state(ssl) == TLS_ST_SW_CERT)
		c->cert_sent = true;
}

/* TLS secrets of every handshake on a wiretapped loop.  The callback
 * belongs to the SSL_CTX (shared by many conns, maybe of other loops):
 * it finds its conn, and through it the wiretap, from the SSL. */
static void
keylog_cb(const SSL *ssl, const char *line)
{
	struct conn *c = SSL_get_app_data(ssl);
	const struct conn_wiretap *wt = c != NULL ? loop_wiretap(c->l) : NULL;

	if (wt != NULL && wt->keylog != NULL)
		wt->keylog(line, wt->arg);
}

int
conn_starttls(struct conn *c, SSL_CTX *ctx, bool server, const char *sni)
{
	if (c->ssl != NULL || c->dead)
		return -1;
	c->discarded += c->in.len;
	buf_reset(&c->in);
	c->skipping = false;
	c->ssl = SSL_new(ctx);
	if (c->ssl == NULL)
		return -1;
	if (loop_wiretap(c->l) != NULL)
		SSL_CTX_set_keylog_callback(ctx, keylog_cb);
	c->rbio = BIO_new(BIO_s_mem());
	c->wbio = BIO_new(BIO_s_mem());
	BIO_set_mem_eof_return(c->rbio, -1);
	SSL_set_bio(c->ssl, c->rbio, c->wbio);
	SSL_set_app_data(c->ssl, c);
	SSL_set_info_callback(c->ssl, info_cb);
	c->server = server;
	c->handshaking = true;
	if (server) {
		SSL_set_accept_state(c->ssl);
	} else {
		SSL_set_connect_state(c->ssl);
		if (sni != NULL)
			SSL_set_tlsext_host_name(c->ssl, sni);
		/* The ClientHello goes out when the loop next runs the
		 * handshake: do it now so it is on the wire at once. */
		ERR_clear_error();
		(void)SSL_do_handshake(c->ssl);
		flush_out(c);
	}
	return 0;
}

static void
tls_fail(struct conn *c, const char *why)
{
	unsigned long e = ERR_peek_last_error();

	if (c->alert[0])
		snprintf(c->tls_err, sizeof(c->tls_err), "%s", c->alert);
	else if (why != NULL)
		snprintf(c->tls_err, sizeof(c->tls_err), "%s", why);
	else if (e != 0)
		snprintf(c->tls_err, sizeof(c->tls_err), "%s",
		    ERR_reason_error_string(e) ? ERR_reason_error_string(e) : "TLS error");
	else
		snprintf(c->tls_err, sizeof(c->tls_err), "TLS handshake failed");
	ERR_clear_error();
	c->handshaking = false;
	flush_out(c);   /* send our alert, if any */
	emit(c, CONN_TLS_FAILED);
}

/* Drive the handshake; returns false when the conn died or failed. */
static bool
handshake(struct conn *c)
{
	ERR_clear_error();
	int r = SSL_do_handshake(c->ssl);
	flush_out(c);
	if (r == 1) {
		c->handshaking = false;
		c->tls_on = true;
		if (c->progress_timeout)
			arm_timer(c);
		if (c->tls_pending.len > 0) {
			(void)SSL_write(c->ssl, c->tls_pending.data, (int)c->tls_pending.len);
			buf_reset(&c->tls_pending);
			flush_out(c);
		}
		return emit(c, CONN_TLS_OK);
	}
	int e = SSL_get_error(c->ssl, r);
	if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) {
		if (c->eof) {
			tls_fail(c, "peer closed the connection during the TLS handshake");
			return false;
		}
		return true;
	}
	tls_fail(c, NULL);
	return false;
}

/* Pull plaintext out of SSL into c->in. */
static void
tls_read(struct conn *c)
{
	char tmp[READ_CHUNK];

	for (;;) {
		ERR_clear_error();
		int n = SSL_read(c->ssl, tmp, sizeof(tmp));
		if (n > 0) {
			buf_append(&c->in, tmp, (size_t)n);
			if (c->in.len >= MAX_INBUF)
				break;
			continue;
		}
		int e = SSL_get_error(c->ssl, n);
		if (e == SSL_ERROR_ZERO_RETURN) {
			c->eof = true;
		} else if (e != SSL_ERROR_WANT_READ && e != SSL_ERROR_WANT_WRITE) {
			unsigned long err = ERR_peek_last_error();
			snprintf(c->errstr, sizeof(c->errstr), "TLS: %s",
			    c->alert[0] ? c->alert :
			    err && ERR_reason_error_string(err) ? ERR_reason_error_string(err) :
			    "read error");
			ERR_clear_error();
			c->eof = true;
		}
		break;
	}
	flush_out(c);   /* key updates, alerts */
}

static void
handle_read(struct conn *c)
{
	uint8_t tmp[READ_CHUNK];
	bool got = false;

	while (c->fd >= 0 && !c->eof && c->in.len < MAX_INBUF) {
		ssize_t n = recv(c->fd, tmp, sizeof(tmp), 0);
		if (n > 0) {
			got = true;
			if (c->tap)
				c->tap(c, CONN_IN, tmp, (size_t)n, c->taparg);
			wire(c, CONN_WIRE_RECEIVED, tmp, (size_t)n, 0);
			if (c->ssl != NULL)
				BIO_write(c->rbio, tmp, (int)n);
			else
				buf_append(&c->in, tmp, (size_t)n);
			if ((size_t)n < sizeof(tmp))
				break;
			continue;
		}
		if (n == 0) {
			c->eof = true;
			wire(c, CONN_WIRE_PEER_FIN, NULL, 0, 0);
			update_events(c);   /* a FIN'd socket stays readable */
			break;
		}
		if (errno == EINTR)
			continue;
		if (errno == EAGAIN || errno == EWOULDBLOCK)
			break;
		if (errno == ECONNRESET)
			wire(c, CONN_WIRE_PEER_RST, NULL, 0, errno);
		snprintf(c->errstr, sizeof(c->errstr), "recv: %s", strerror(errno));
		c->eof = true;
		c->eof_told = true;
		c->busy++;
		emit(c, CONN_ERROR);
		c->busy--;
		return;
	}
	if (got && !c->progress_timeout)
		arm_timer(c);
	if (c->ssl != NULL && c->handshaking) {
		if (!handshake(c))
			return;
	}
	if (c->ssl != NULL && c->tls_on)
		tls_read(c);
	if (c->in.len > 0 && !c->paused) {
		if (!emit(c, CONN_DATA))
			return;
	}
	/* as in kick(): not only when the owner consumed everything, or a
	 * partial line before the FIN would hold the EOF back forever */
	if (c->eof && !c->eof_told && !c->paused &&
	    !(c->ssl != NULL && c->handshaking)) {
		c->eof_told = true;
		emit(c, CONN_EOF);
	} else if (c->eof && c->ssl != NULL && c->handshaking) {
		tls_fail(c, "peer closed the connection during the TLS handshake");
	}
}

static void
finish_close(struct conn *c)
{
	c->lingering = false;
	if (c->linger_timer) {
		loop_timer_cancel(c->l, c->linger_timer);
		c->linger_timer = 0;
	}
	maybe_free(c);
}

static void
conn_io(int fd, uint32_t events, void *arg)
{
	struct conn *c = arg;

	c->busy++;
	if (c->connecting && (events & (EPOLLOUT | EPOLLERR | EPOLLHUP))) {
		int err = 0;
		socklen_t len = sizeof(err);
		getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
		c->connecting = false;
		if (err != 0) {
			wire(c, CONN_WIRE_FAILED, NULL, 0, err);
			snprintf(c->errstr, sizeof(c->errstr), "connect: %s", strerror(err));
			c->eof = true;
			update_events(c);
			emit(c, CONN_ERROR);
			goto out;
		}
		fill_names(c);
		wire(c, CONN_WIRE_CONNECTED, NULL, 0, 0);
		arm_timer(c);
		update_events(c);
		if (!emit(c, CONN_CONNECTED))
			goto out;
	}
	if (events & EPOLLOUT) {
		bool had = c->out.len > 0;
		flush_out(c);
		if (c->lingering && c->out.len == 0) {
			c->busy--;
			finish_close(c);
			return;
		}
		if (had && c->out.len == 0 && !emit(c, CONN_DRAINED))
			goto out;
	}
	if (!c->dead && (events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)))
		handle_read(c);
	/* HUP and ERR are reported whatever the mask: once the owner has
	 * been told, stop watching so an unclosed conn cannot spin. */
	if (!c->dead && c->eof && c->eof_told && (events & (EPOLLHUP | EPOLLERR)) &&
	    c->out.len == 0)
		loop_del_fd(c->l, c->fd);
out:
	c->busy--;
	maybe_free(c);
}

static void
linger_expired(void *arg)
{
	struct conn *c = arg;

	c->linger_timer = 0;
	finish_close(c);
}

static void
mark_dead(struct conn *c)
{
	c->dead = true;
	if (c->timer)
		loop_timer_cancel(c->l, c->timer);
	if (c->aux_timer)
		loop_timer_cancel(c->l, c->aux_timer);
	c->timer = c->aux_timer = 0;
}

void
conn_close(struct conn *c)
{
	if (c == NULL || c->dead)
		return;
	mark_dead(c);
	if (c->ssl != NULL && c->tls_on) {
		(void)SSL_shutdown(c->ssl);
		ERR_clear_error();
	}
	flush_out(c);
	if (c->fd >= 0 && c->out.len > 0) {
		c->lingering = true;
		update_events(c);
		c->linger_timer = loop_timer_add(c->l, LINGER_MS, linger_expired, c);
		return;
	}
	maybe_free(c);
}

void
conn_abort(struct conn *c)
{
	if (c == NULL || c->dead)
		return;
	mark_dead(c);
	c->out.len = 0;
	maybe_free(c);
}

void
conn_reset(struct conn *c)
{
	struct linger lg = { 1, 0 };

	if (c == NULL || c->dead)
		return;
	if (c->fd >= 0) {
		(void)setsockopt(c->fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
		c->rst_close = true;
	}
	conn_abort(c);
}

static void
conn_free(struct conn *c)
{
	if (c->fd >= 0) {
		loop_del_fd(c->l, c->fd);
		if (loop_wiretap(c->l) != NULL) {
			int unread = 0;
			if (!c->rst_close && ioctl(c->fd, FIONREAD, &unread) < 0)
				unread = 0;
			wire(c, c->rst_close || unread > 0 ? CONN_WIRE_RST :
			    CONN_WIRE_FIN, NULL, 0, 0);
		}
		close(c->fd);
	}
	if (c->timer)
		loop_timer_cancel(c->l, c->timer);
	if (c->aux_timer)
		loop_timer_cancel(c->l, c->aux_timer);
	if (c->linger_timer)
		loop_timer_cancel(c->l, c->linger_timer);
	SSL_free(c->ssl);   /* frees the BIOs */
	buf_free(&c->in);
	buf_free(&c->out);
	buf_free(&c->tls_pending);
	buf_free(&c->line);
	free(c);
}

bool conn_is_tls(const struct conn *c) { return c->tls_on; }
SSL *conn_ssl(struct conn *c) { return c->ssl; }
const char *conn_tls_error(const struct conn *c) { return c->tls_err; }
size_t conn_discarded(const struct conn *c) { return c->discarded; }
bool conn_tls_cert_sent(const struct conn *c) { return c->cert_sent; }
const char *conn_errstr(const struct conn *c) { return c->errstr[0] ? c->errstr : "connection closed"; }
const char *conn_peer_ip(const struct conn *c) { return c->peer_ip; }
uint16_t conn_peer_port(const struct conn *c) { return c->peer_port; }
const char *conn_local_ip(const struct conn *c) { return c->local_ip; }
uint16_t conn_local_port(const struct conn *c) { return c->local_port; }
struct loop *conn_loop(const struct conn *c) { return c->l; }
void *conn_arg(const struct conn *c) { return c->arg; }

void
conn_wire_dgram(struct loop *l, const struct sockaddr_in *client,
    const struct sockaddr_in *server, bool to_server, const void *p, size_t n)
{
	const struct conn_wiretap *wt = loop_wiretap(l);

	if (wt != NULL && wt->dgram != NULL && p != NULL)
		wt->dgram(client, server, to_server, p, n, wt->arg);
}

void
conn_wire_dgram_closed(struct loop *l, int fd)
{
	const struct conn_wiretap *wt = loop_wiretap(l);
	struct sockaddr_in me;
	socklen_t len = sizeof(me);

	if (wt == NULL || wt->dgram == NULL || fd < 0 ||
	    getsockname(fd, (struct sockaddr *)&me, &len) < 0 ||
	    me.sin_family != AF_INET)
		return;
	wt->dgram(&me, NULL, false, NULL, 0, wt->arg);
}

int
conn_listen(const char *ip, uint16_t port)
{
	struct sockaddr_in sa;
	int fd, one = 1;

	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons(port);
	if (inet_pton(AF_INET, ip, &sa.sin_addr) != 1) {
		errno = EINVAL;
		return -1;
	}
	fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	(void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(fd, 1024) < 0) {
		int e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}
