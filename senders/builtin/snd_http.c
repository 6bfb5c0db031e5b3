/*
 * snd_http: libcurl on the event loop for the reference sender (see
 * snd_http.h for the contract).
 *
 * One CURLM per client.  CURLMOPT_SOCKETFUNCTION maps curl's sockets to
 * loop fds (registered ones are remembered with curl_multi_assign, and
 * in a small list so that nothing is left on the loop at the end);
 * CURLMOPT_TIMERFUNCTION maps curl's single timeout to one loop timer.
 * Neither callback calls back into curl.  Finished transfers are
 * collected after each curl_multi_socket_action and reported in order.
 *
 * curl measures its own timeouts in real time; under LOOP_SKIP its timer
 * may fire early in real terms, curl then simply asks again.  The limit
 * that counts is this file's per-transfer timer on the virtual clock.
 * Logs: log_info("sender") per request and per result.
 */
#include "senders/builtin/snd_http.h"

#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>

#include <curl/curl.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

#include "core/util.h"

struct xfer {
	struct snd_http *h;
	struct xfer *next;
	uint64_t id;
	CURL *easy;
	struct curl_slist *resolve, *headers;
	char *url, *body_out;
	char *host;              /* the reference identifier (NULL: no check) */
	struct buf in;
	size_t max_body;
	bool too_big, timed_out;
	uint64_t timer;
	snd_http_cb *cb;
	void *arg;
	char errbuf[CURL_ERROR_SIZE];
};

struct snd_http {
	struct loop *l;
	SSL_CTX *trust;
	CURLM *m;
	struct xfer *xfers;
	uint64_t next_id;
	uint64_t timer;          /* curl's timeout */
	int *fds;                /* fds registered on the loop */
	size_t nfds;
};

static int curl_inited;

const char *
snd_http_err_name(enum snd_http_err e)
{
	static const char *const names[] = {
		[SND_HTTP_OK] = "ok", [SND_HTTP_CONNECT] = "connect",
		[SND_HTTP_CERT] = "certificate", [SND_HTTP_TLS] = "tls",
		[SND_HTTP_TIMEOUT] = "timeout", [SND_HTTP_TOO_BIG] = "too big",
		[SND_HTTP_PROTO] = "protocol",
	};

	return (size_t)e < ARRAY_LEN(names) ? names[e] : "?";
}

/* --- the loop side --- */

static void check_done(struct snd_http *h);

static void
fds_forget(struct snd_http *h, int fd)
{
	for (size_t i = 0; i < h->nfds; i++) {
		if (h->fds[i] == fd) {
			h->fds[i] = h->fds[--h->nfds];
			return;
		}
	}
}

static void
fd_cb(int fd, uint32_t events, void *arg)
{
	struct snd_http *h = arg;
	int flags = 0, running;

	if (events & EPOLLIN)
		flags |= CURL_CSELECT_IN;
	if (events & EPOLLOUT)
		flags |= CURL_CSELECT_OUT;
	if (events & (EPOLLERR | EPOLLHUP))
		flags |= CURL_CSELECT_ERR;
	(void)curl_multi_socket_action(h->m, fd, flags, &running);
	check_done(h);
}

static int
socket_cb(CURL *e, curl_socket_t fd, int what, void *userp, void *socketp)
{
	struct snd_http *h = userp;
	uint32_t ev = 0;

	if (what == CURL_POLL_REMOVE) {
		if (socketp != NULL) {
			loop_del_fd(h->l, fd);
			fds_forget(h, fd);
			curl_multi_assign(h->m, fd, NULL);
		}
		return 0;
	}
	if (what & CURL_POLL_IN)
		ev |= EPOLLIN;
	if (what & CURL_POLL_OUT)
		ev |= EPOLLOUT;
	if (socketp != NULL) {
		loop_mod_fd(h->l, fd, ev);
		return 0;
	}
	if (loop_add_fd(h->l, fd, ev, fd_cb, h) < 0) {
		log_warn("sender", "https: cannot watch curl's socket %d", fd);
		return -1;
	}
	h->fds = xrealloc(h->fds, (h->nfds + 1) * sizeof(*h->fds));
	h->fds[h->nfds++] = fd;
	curl_multi_assign(h->m, fd, h);
	return 0;
}

static void
curl_timer_cb(void *arg)
{
	struct snd_http *h = arg;
	int running;

	h->timer = 0;
	(void)curl_multi_socket_action(h->m, CURL_SOCKET_TIMEOUT, 0, &running);
	check_done(h);
}

static int
timer_fn(CURLM *m, long ms, void *userp)
{
	struct snd_http *h = userp;

	loop_timer_cancel(h->l, h->timer);
	h->timer = 0;
	if (ms >= 0)
		h->timer = loop_timer_add(h->l, (uint64_t)ms, curl_timer_cb, h);
	return 0;
}

/* --- transfers --- */

static void
xfer_free(struct xfer *x)
{
	struct snd_http *h = x->h;

	loop_timer_cancel(h->l, x->timer);
	if (x->easy != NULL) {
		curl_multi_remove_handle(h->m, x->easy);
		curl_easy_cleanup(x->easy);
	}
	curl_slist_free_all(x->resolve);
	curl_slist_free_all(x->headers);
	free(x->url);
	free(x->host);
	free(x->body_out);
	buf_free(&x->in);
	free(x);
}

static void
xfer_unlink(struct xfer *x)
{
	for (struct xfer **pp = &x->h->xfers; *pp != NULL; pp = &(*pp)->next) {
		if (*pp == x) {
			*pp = x->next;
			return;
		}
	}
}

static size_t
write_cb(char *p, size_t size, size_t n, void *arg)
{
	struct xfer *x = arg;

	n *= size;
	if (x->in.len + n > x->max_body) {
		x->too_big = true;
		return 0;    /* curl stops with CURLE_WRITE_ERROR */
	}
	buf_append(&x->in, p, n);
	return n;
}

/* The certificate store of the sender's context, checked at the loop's
 * wall clock, replaces whatever curl loaded.  The host name is checked by
 * OpenSSL too, as a DNS-ID only (RFC 6125; RFC 8461 3.3: curl alone
 * would fall back to the subject CN when there is no SAN). */
static CURLcode
ssl_ctx_cb(CURL *e, void *sslctx, void *arg)
{
	struct xfer *x = arg;
	struct snd_http *h = x->h;
	SSL_CTX *ctx = sslctx;
	X509_VERIFY_PARAM *vp = SSL_CTX_get0_param(ctx);

	SSL_CTX_set1_cert_store(ctx, SSL_CTX_get_cert_store(h->trust));
	X509_VERIFY_PARAM_set_time(vp, loop_wallclock(h->l));
	if (x->host != NULL) {
		X509_VERIFY_PARAM_set_hostflags(vp,
		    X509_CHECK_FLAG_NEVER_CHECK_SUBJECT |
		    X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
		if (X509_VERIFY_PARAM_set1_host(vp, x->host, 0) != 1)
			return CURLE_SSL_CERTPROBLEM;
	}
	SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
	SSL_CTX_set_options(ctx, SSL_OP_NO_TICKET);
	return CURLE_OK;
}

static enum snd_http_err
classify(const struct xfer *x, CURLcode rc)
{
	if (x->timed_out)
		return SND_HTTP_TIMEOUT;
	if (x->too_big)
		return SND_HTTP_TOO_BIG;
	switch (rc) {
	case CURLE_OK:
		return SND_HTTP_OK;
	case CURLE_COULDNT_CONNECT:
	case CURLE_RECV_ERROR:
	case CURLE_SEND_ERROR:
	case CURLE_GOT_NOTHING:
	case CURLE_PARTIAL_FILE:
		return SND_HTTP_CONNECT;
	case CURLE_PEER_FAILED_VERIFICATION:
		return SND_HTTP_CERT;
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_SSL_CIPHER:
		return SND_HTTP_TLS;
	case CURLE_OPERATION_TIMEDOUT:
		return SND_HTTP_TIMEOUT;
	case CURLE_FILESIZE_EXCEEDED:
		return SND_HTTP_TOO_BIG;
	default:
		return SND_HTTP_PROTO;
	}
}

/* Report one finished (or timed-out) transfer and free it. */
static void
xfer_finish(struct xfer *x, CURLcode rc)
{
	struct snd_http_resp r;
	long status = 0;
	char *ctype = NULL, *loc = NULL, why[CURL_ERROR_SIZE + 64];

	memset(&r, 0, sizeof(r));
	r.err = classify(x, rc);
	if (r.err == SND_HTTP_OK) {
		(void)curl_easy_getinfo(x->easy, CURLINFO_RESPONSE_CODE, &status);
		(void)curl_easy_getinfo(x->easy, CURLINFO_CONTENT_TYPE, &ctype);
		(void)curl_easy_getinfo(x->easy, CURLINFO_REDIRECT_URL, &loc);
	}
	r.status = (int)status;
	r.content_type = ctype;
	r.location = loc;
	r.body = buf_cstr(&x->in);
	r.body_len = x->in.len;
	if (r.err == SND_HTTP_OK)
		snprintf(why, sizeof(why), "HTTP %ld", status);
	else if (r.err == SND_HTTP_TIMEOUT)
		snprintf(why, sizeof(why), "no complete response within the "
		    "time limit");
	else if (r.err == SND_HTTP_TOO_BIG)
		snprintf(why, sizeof(why), "the body exceeds %zu bytes",
		    x->max_body);
	else
		snprintf(why, sizeof(why), "%s", x->errbuf[0] ? x->errbuf :
		    curl_easy_strerror(rc));
	r.why = why;
	log_info("sender", "https: %s: %s (%s)", x->url, why,
	    snd_http_err_name(r.err));
	xfer_unlink(x);
	x->cb(&r, x->arg);
	xfer_free(x);
}

static void
check_done(struct snd_http *h)
{
	CURLMsg *msg;
	int left;

	while ((msg = curl_multi_info_read(h->m, &left)) != NULL) {
		struct xfer *x = NULL;

		if (msg->msg != CURLMSG_DONE)
			continue;
		(void)curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE,
		    (char **)&x);
		if (x != NULL)
			xfer_finish(x, msg->data.result);
	}
}

static void
xfer_timeout_cb(void *arg)
{
	struct xfer *x = arg;

	x->timer = 0;
	x->timed_out = true;
	xfer_finish(x, CURLE_OPERATION_TIMEDOUT);
}

#define SETOPT(x, opt, val) do {                                      \
	if (curl_easy_setopt((x)->easy, (opt), (val)) != CURLE_OK)     \
		fatal("curl_easy_setopt(%s) failed", #opt);            \
} while (0)

uint64_t
snd_http_start(struct snd_http *h, const struct snd_http_req *rq,
    snd_http_cb *cb, void *arg)
{
	struct xfer *x;
	uint16_t port = rq->port ? rq->port : 443;
	bool post = rq->method != NULL && strcmp(rq->method, "POST") == 0;
	char *s;

	if (rq->url == NULL || rq->host == NULL || rq->addr == NULL ||
	    cb == NULL || strchr(rq->host, ':') != NULL)
		return 0;
	x = xcalloc(1, sizeof(*x));
	x->h = h;
	x->id = ++h->next_id;
	x->cb = cb;
	x->arg = arg;
	x->url = xstrdup(rq->url);
	x->max_body = rq->max_body ? rq->max_body : SND_HTTP_MAX_BODY;
	buf_init(&x->in);
	if ((x->easy = curl_easy_init()) == NULL)
		fatal("curl_easy_init: out of memory");
	s = xasprintf("%s:%u:%s", rq->host, port, rq->addr);
	x->resolve = curl_slist_append(NULL, s);
	free(s);
	SETOPT(x, CURLOPT_URL, x->url);
	SETOPT(x, CURLOPT_RESOLVE, x->resolve);
	SETOPT(x, CURLOPT_PRIVATE, (char *)x);
	SETOPT(x, CURLOPT_ERRORBUFFER, x->errbuf);
	SETOPT(x, CURLOPT_PROTOCOLS_STR, "https");
	SETOPT(x, CURLOPT_FOLLOWLOCATION, 0L);
	SETOPT(x, CURLOPT_NOPROXY, "*");
	SETOPT(x, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_1_1);
	SETOPT(x, CURLOPT_FORBID_REUSE, 1L);
	SETOPT(x, CURLOPT_FRESH_CONNECT, 1L);
	SETOPT(x, CURLOPT_SSL_SESSIONID_CACHE, 0L);
	SETOPT(x, CURLOPT_NOSIGNAL, 1L);
	SETOPT(x, CURLOPT_SSL_VERIFYPEER, rq->no_verify ? 0L : 1L);
	SETOPT(x, CURLOPT_SSL_VERIFYHOST, rq->no_verify ? 0L : 2L);
	SETOPT(x, CURLOPT_CAINFO, (char *)NULL);
	SETOPT(x, CURLOPT_CAPATH, (char *)NULL);
	SETOPT(x, CURLOPT_SSL_CTX_FUNCTION, ssl_ctx_cb);
	SETOPT(x, CURLOPT_SSL_CTX_DATA, x);
	if (!rq->no_verify)
		x->host = xstrdup(rq->host);
	SETOPT(x, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)x->max_body);
	SETOPT(x, CURLOPT_WRITEFUNCTION, write_cb);
	SETOPT(x, CURLOPT_WRITEDATA, x);
	SETOPT(x, CURLOPT_USERAGENT, "mxsim-sender");
	/* a real-time backstop only: the virtual timer below decides */
	SETOPT(x, CURLOPT_TIMEOUT_MS, 600000L);
	if (rq->src_ip != NULL) {
		s = xasprintf("host!%s", rq->src_ip);
		SETOPT(x, CURLOPT_INTERFACE, s);   /* curl copies it */
		free(s);
	}
	if (post) {
		x->body_out = xmalloc(rq->body_len + 1);
		if (rq->body_len > 0)
			memcpy(x->body_out, rq->body, rq->body_len);
		x->body_out[rq->body_len] = '\0';
		SETOPT(x, CURLOPT_POST, 1L);
		SETOPT(x, CURLOPT_POSTFIELDS, x->body_out);
		SETOPT(x, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)rq->body_len);
		s = xasprintf("Content-Type: %s", rq->content_type ?
		    rq->content_type : "application/octet-stream");
		x->headers = curl_slist_append(NULL, s);
		free(s);
		x->headers = curl_slist_append(x->headers, "Expect:");
		SETOPT(x, CURLOPT_HTTPHEADER, x->headers);
	}
	x->timer = loop_timer_add(h->l, rq->timeout_ms ? rq->timeout_ms :
	    SND_HTTP_TIMEOUT_MS, xfer_timeout_cb, x);
	x->next = h->xfers;
	h->xfers = x;
	log_info("sender", "https: %s %s via %s:%u", post ? "POST" : "GET",
	    x->url, rq->addr, port);
	if (curl_multi_add_handle(h->m, x->easy) != CURLM_OK)
		fatal("curl_multi_add_handle failed");
	return x->id;
}

void
snd_http_cancel(struct snd_http *h, uint64_t id)
{
	if (h == NULL || id == 0)
		return;
	for (struct xfer *x = h->xfers; x != NULL; x = x->next) {
		if (x->id == id) {
			xfer_unlink(x);
			xfer_free(x);
			return;
		}
	}
}

size_t
snd_http_pending(const struct snd_http *h)
{
	size_t n = 0;

	for (const struct xfer *x = h->xfers; x != NULL; x = x->next)
		n++;
	return n;
}

struct snd_http *
snd_http_new(struct loop *l, SSL_CTX *trust)
{
	struct snd_http *h;

	if (trust == NULL)
		return NULL;
	if (!curl_inited) {
		if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
			return NULL;
		curl_inited = 1;
	}
	h = xcalloc(1, sizeof(*h));
	h->l = l;
	h->trust = trust;
	if ((h->m = curl_multi_init()) == NULL) {
		free(h);
		return NULL;
	}
	curl_multi_setopt(h->m, CURLMOPT_SOCKETFUNCTION, socket_cb);
	curl_multi_setopt(h->m, CURLMOPT_SOCKETDATA, h);
	curl_multi_setopt(h->m, CURLMOPT_TIMERFUNCTION, timer_fn);
	curl_multi_setopt(h->m, CURLMOPT_TIMERDATA, h);
	return h;
}

void
snd_http_free(struct snd_http *h)
{
	if (h == NULL)
		return;
	while (h->xfers != NULL) {
		struct xfer *x = h->xfers;
		h->xfers = x->next;
		xfer_free(x);
	}
	curl_multi_cleanup(h->m);
	loop_timer_cancel(h->l, h->timer);
	for (size_t i = 0; i < h->nfds; i++)
		loop_del_fd(h->l, h->fds[i]);
	free(h->fds);
	free(h);
}
