/*
 * https_srv: the world's web server.  See https.h.
 *
 * One struct https_srv owns its listeners, its TLS context and its
 * connections; each struct https_hc owns its conn and its request parser.
 * A connection reads requests (HTTP/1.1, optionally kept alive), answers
 * each from the route table and goes back to reading.  The answer is the
 * route's struct https_resp, written by respond() alone: that is where
 * the faults (drop, stall, trickle, oversize, LF head lines) apply.
 * Hconns are freed at the end of the callback that ended them (conn
 * callback or timer), after conn_close/conn_reset, never in the middle.
 *
 * Time: every request must be complete within timeout_ms of its first
 * byte (slowloris gets a 408), and a connection idle for timeout_ms is
 * closed; both on the loop's virtual clock.  While an answer is being
 * trickled or stalled the idle timeout is off; a stall ends after
 * stall_ms.
 *
 * TLS: the context presents the default certificate; a certificate
 * callback swaps in the one configured for the client's SNI name.  ALPN
 * selects http/1.1 when offered.
 *
 * Logs: info for every request (host, path, SNI, status) and failed
 * handshake; the log callback gets the same, as data (struct https_log).
 */
#include "fake-https/https.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/conn.h"
#include "core/util.h"
#include "fake-https/https_int.h"
#include "fake-https/sts.h"

static void hc_read(struct https_hc *h);

/* ---- logging ---- */

void
https_hc_log(struct https_hc *h, int status, const char *error)
{
	const struct https_req *r = https_parser_req(h->p);
	struct https_srv *s = h->srv;
	struct https_log ev = { 0 };

	if (h->logged)
		return;
	h->logged = true;
	if (r->method != NULL) {
		s->nrequests++;
		h->nreq++;
	}
	ev.t_ms = loop_now(s->l);
	ev.client_ip = conn_peer_ip(h->c);
	ev.client_port = conn_peer_port(h->c);
	ev.local_ip = conn_local_ip(h->c);
	ev.port = conn_local_port(h->c);
	ev.tls = h->tls;
	ev.sni = h->sni;
	ev.cert_label = h->tls ? h->cert_label : NULL;
	ev.tls_error = h->tls_error;
	ev.method = r->method;
	ev.target = r->target;
	ev.path = r->path;
	ev.host = r->host;
	ev.headers = r->headers;
	ev.nheaders = r->nheaders;
	ev.req_body_len = r->body_len;
	ev.status = status;
	ev.body_sent = h->body_sent;
	ev.content_type = h->answered ? h->resp_ctype : NULL;
	ev.error = error;
	if (r->method != NULL)
		log_info(h->where, "%s %s%s%.200s -> %d%s%s (sni %s)", r->method,
		    r->host != NULL ? r->host : "", r->target[0] == '/' ? "" : " ",
		    r->target, status, error ? ": " : "", error ? error : "",
		    h->sni ? h->sni : "none");
	else
		log_info(h->where, "no request%s%s", error ? ": " : "", error ? error : "");
	if (s->log != NULL)
		s->log(&ev, s->log_arg);
	if (s->rec != NULL)
		https_rec_event(s, &ev);
	h->answered = false;
}

/* ---- ending a connection ---- */

static void
hc_end(struct https_hc *h, bool reset)
{
	h->close = true;
	h->reset = h->reset || reset;
}

static void
hc_free(struct https_hc *h)
{
	struct https_srv *s = h->srv;
	struct https_hc **pp;

	for (pp = &s->conns; *pp != NULL; pp = &(*pp)->next) {
		if (*pp == h) {
			*pp = h->next;
			break;
		}
	}
	s->nconns--;
	loop_timer_cancel(s->l, h->req_timer);
	loop_timer_cancel(s->l, h->resp_timer);
	https_parser_free(h->p);
	buf_free(&h->out_body);
	free(h->sni);
	free(h->tls_error);
	free(h);
}

/* Called at the end of every callback: closes and frees a finished connection. */
static void
hc_finish(struct https_hc *h)
{
	if (!h->close)
		return;
	if (h->reset)
		conn_reset(h->c);
	else
		conn_close(h->c);
	hc_free(h);
}

/* ---- the response ---- */

/* Back to reading after an answer, or close. */
static void
hc_answered(struct https_hc *h)
{
	h->writing = false;
	loop_timer_cancel(h->srv->l, h->resp_timer);
	h->resp_timer = 0;
	buf_free(&h->out_body);
	if (!h->keep) {
		hc_end(h, false);
		return;
	}
	https_parser_reset(h->p);
	h->keep = false;
	h->why = NULL;
	h->logged = false;
	h->body_sent = 0;
	conn_set_timeout(h->c, h->srv->timeout_ms);
	if (!h->in_read)
		hc_read(h);   /* else the reading loop below goes on */
}

static void
trickle(void *arg)
{
	struct https_hc *h = arg;

	h->resp_timer = 0;
	if (h->body_sent < h->out_body.len) {
		conn_write(h->c, h->out_body.data + h->body_sent, 1);
		h->body_sent++;
	}
	if (h->body_sent < h->out_body.len) {
		h->resp_timer = loop_timer_add(h->srv->l, h->trickle_ms, trickle, h);
		return;
	}
	https_hc_log(h, h->status, h->why);
	hc_answered(h);
	hc_finish(h);
}

static void
stall_over(void *arg)
{
	struct https_hc *h = arg;

	h->resp_timer = 0;
	https_hc_log(h, h->status, "stalled answer ended by the server");
	hc_end(h, false);
	hc_finish(h);
}

/* The whole response body: body, then filler lines up to oversize (valid
 * policy extension fields, so only the size is wrong). */
static void
build_body(struct buf *b, const struct https_resp *r)
{
	const char *eol = r->body != NULL && memmem(r->body, r->body_len, "\r\n", 2) ?
	    "\r\n" : "\n";
	static const char pad[] = "x-padding: xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
	    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx";

	buf_reset(b);
	if (r->body != NULL)
		buf_append(b, r->body, r->body_len);
	while (b->len < r->oversize) {
		size_t want = r->oversize - b->len;
		size_t line = sizeof(pad) - 1 + strlen(eol);
		if (want >= line) {
			buf_appendf(b, "%s%s", pad, eol);
		} else {
			/* the tail: a short run of 'x' */
			while (b->len < r->oversize)
				buf_append(b, "x", 1);
		}
	}
}

static void
http_date(struct loop *l, char *out, size_t len)
{
	time_t t = loop_wallclock(l);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(out, len, "%a, %d %b %Y %H:%M:%S GMT", &tm);
}

void
https_hc_respond(struct https_hc *h, const struct https_resp *r, int dflt_status,
    const char *allow)
{
	const struct https_req *req = https_parser_req(h->p);
	int status = r->status ? r->status : dflt_status;
	const char *eol = r->lf ? "\n" : "\r\n";
	bool head_only = req->method != NULL && strcmp(req->method, "HEAD") == 0;
	bool no_body = head_only || (status >= 100 && status < 200) ||
	    status == 204 || status == 304;
	struct buf head = { 0 };
	char date[64];

	if (r->drop) {
		https_hc_log(h, 0, "connection reset instead of an answer (scenario)");
		hc_end(h, true);
		return;
	}
	h->status = status;
	h->answered = true;
	snprintf(h->resp_ctype, sizeof(h->resp_ctype), "%s",
	    r->content_type != NULL ? r->content_type : "text/plain");
	h->keep = h->keep && h->srv->keep_alive && req->keep_alive && !r->stall;
	build_body(&h->out_body, r);
	http_date(h->srv->l, date, sizeof(date));
	buf_appendf(&head, "HTTP/1.1 %d %s%s", status, r->reason ? r->reason :
	    https_reason(status), eol);
	buf_appendf(&head, "Date: %s%sServer: mxsim%s", date, eol, eol);
	if (r->content_type == NULL)
		buf_appendf(&head, "Content-Type: text/plain%s", eol);
	else if (r->content_type[0] != '\0')
		buf_appendf(&head, "Content-Type: %s%s", r->content_type, eol);
	if (r->location != NULL)
		buf_appendf(&head, "Location: %s%s", r->location, eol);
	if (allow != NULL)
		buf_appendf(&head, "Allow: %s%s", allow, eol);
	for (const char *const *x = r->headers; x != NULL && *x != NULL; x++)
		buf_appendf(&head, "%s%s", *x, eol);
	if (!(status >= 100 && status < 200) && status != 204)
		buf_appendf(&head, "Content-Length: %zu%s", h->out_body.len, eol);
	if (!h->keep)
		buf_appendf(&head, "Connection: close%s", eol);
	buf_append(&head, eol, strlen(eol));
	conn_write(h->c, head.data, head.len);
	buf_free(&head);
	if (no_body)
		buf_reset(&h->out_body);
	h->writing = true;
	h->body_sent = 0;
	if (r->stall) {
		conn_set_timeout(h->c, 0);
		h->resp_timer = loop_timer_add(h->srv->l, h->srv->stall_ms, stall_over, h);
		return;
	}
	if (r->trickle_ms > 0 && h->out_body.len > 0) {
		conn_set_timeout(h->c, 0);
		h->trickle_ms = r->trickle_ms;
		h->resp_timer = loop_timer_add(h->srv->l, r->trickle_ms, trickle, h);
		return;
	}
	conn_write(h->c, h->out_body.data, h->out_body.len);
	h->body_sent = h->out_body.len;
	https_hc_log(h, status, h->why);
	hc_answered(h);
}

/* A short answer of the server's own (errors): text body, maybe close. */
void
https_hc_simple(struct https_hc *h, int status, const char *allow, bool close,
    const char *why)
{
	struct https_resp r = { 0 };
	char body[192];

	snprintf(body, sizeof(body), "%d %s%s%s\n", status, https_reason(status),
	    why ? ": " : "", why ? why : "");
	r.status = status;
	r.body = body;
	r.body_len = strlen(body);
	if (close)
		h->keep = false;
	h->why = why;     /* for the log, written before respond returns */
	https_hc_respond(h, &r, status, allow);
	h->why = NULL;
}

/* ---- reading requests ---- */

static void
req_deadline(void *arg)
{
	struct https_hc *h = arg;

	h->req_timer = 0;
	if (h->writing)
		return;
	https_hc_simple(h, 408, NULL, true, "request not complete in time");
	hc_finish(h);
}

static void
hc_read(struct https_hc *h)
{
	h->in_read = true;
	while (!h->close && !h->writing) {
		size_t n, used;
		const uint8_t *d = conn_peek(h->c, &n);
		enum https_parse r;

		if (n == 0)
			break;
		if (!https_parser_started(h->p) && h->req_timer == 0)
			h->req_timer = loop_timer_add(h->srv->l, h->srv->timeout_ms,
			    req_deadline, h);
		r = https_parser_feed(h->p, d, n, &used);
		conn_consume(h->c, used);
		if (r == HTTPS_P_MORE)
			break;
		switch (r) {
		case HTTPS_P_MORE:
			break;
		case HTTPS_P_ERROR:
			loop_timer_cancel(h->srv->l, h->req_timer);
			h->req_timer = 0;
			https_hc_simple(h, https_parser_status(h->p), NULL, true,
			    https_parser_error(h->p));
			break;
		case HTTPS_P_HEAD:
			https_route_head(h);
			break;
		case HTTPS_P_DONE:
			loop_timer_cancel(h->srv->l, h->req_timer);
			h->req_timer = 0;
			h->keep = true;
			https_route_request(h);
			break;
		}
	}
	h->in_read = false;
}

static void
hc_cb(struct conn *c, enum conn_ev ev, void *arg)
{
	struct https_hc *h = arg;

	switch (ev) {
	case CONN_DATA:
		if (!h->writing)
			hc_read(h);
		break;
	case CONN_TLS_OK:
		h->tls = true;
		{
			const char *sni = SSL_get_servername(conn_ssl(c),
			    TLSEXT_NAMETYPE_host_name);
			if (sni != NULL && h->sni == NULL)
				h->sni = xstrdup(sni);
		}
		hc_read(h);
		break;
	case CONN_TLS_FAILED:
		h->tls = true;
		h->tls_error = xstrdup(conn_tls_error(c));
		https_hc_log(h, 0, "TLS handshake failed");
		hc_end(h, false);
		break;
	case CONN_TIMEOUT:
		if (https_parser_started(h->p))
			https_hc_simple(h, 408, NULL, true, "idle timeout in a request");
		else if (h->nreq == 0)
			https_hc_log(h, 0, "timeout: no request");
		hc_end(h, false);
		break;
	case CONN_EOF:
	case CONN_ERROR:
		if (h->writing)
			https_hc_log(h, h->status, "client closed during the answer");
		else if (https_parser_started(h->p))
			https_hc_log(h, 0, "client closed in the middle of a request");
		else if (h->nreq == 0 && !h->tls_error)
			https_hc_log(h, 0, "client closed without a request");
		hc_end(h, ev == CONN_ERROR);
		break;
	case CONN_CONNECTED:
	case CONN_DRAINED:
		break;
	}
	hc_finish(h);
}

/* SNI: present the certificate configured for the name. */
static int
cert_cb(SSL *ssl, void *arg)
{
	struct https_srv *s = arg;
	struct conn *c = SSL_get_app_data(ssl);
	struct https_hc *h = c != NULL ? conn_arg(c) : NULL;
	const char *sni = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name);
	const struct srv_cert *pick = NULL;

	for (size_t i = 0; sni != NULL && i < s->ncerts; i++)
		if (strcasecmp(s->certs[i].host, sni) == 0)
			pick = &s->certs[i];
	if (h != NULL) {
		free(h->sni);
		h->sni = sni != NULL ? xstrdup(sni) : NULL;
		h->cert_label = pick != NULL ? pick->label : s->dflt_label;
	}
	if (pick == NULL || pick->cert == s->dflt)
		return 1;
	SSL_certs_clear(ssl);
	if (SSL_use_certificate(ssl, pki_cert_x509(pick->cert)) != 1 ||
	    SSL_use_PrivateKey(ssl, pki_cert_key(pick->cert)) != 1 ||
	    SSL_set1_chain(ssl, pki_cert_chain(pick->cert)) != 1)
		return 0;
	return 1;
}

static int
alpn_cb(SSL *ssl, const unsigned char **out, unsigned char *outlen,
    const unsigned char *in, unsigned inlen, void *arg)
{
	static const unsigned char h11[] = "\x08http/1.1";

	if (SSL_select_next_proto((unsigned char **)out, outlen, h11,
	    sizeof(h11) - 1, in, inlen) == OPENSSL_NPN_NEGOTIATED)
		return SSL_TLSEXT_ERR_OK;
	return SSL_TLSEXT_ERR_NOACK;
}

static void
hc_new(struct https_listener *lst, int fd)
{
	struct https_srv *s = lst->srv;
	struct https_hc *h = xcalloc(1, sizeof(*h));

	h->srv = s;
	h->p = https_parser_new(s->max_head, s->max_body);
	h->c = conn_new(s->l, fd, hc_cb, h);
	h->next = s->conns;
	s->conns = h;
	s->nconns++;
	snprintf(h->where, sizeof(h->where), "https %s:%u <- %s:%u", s->addr,
	    lst->port, conn_peer_ip(h->c), conn_peer_port(h->c));
	conn_set_timeout(h->c, s->timeout_ms);
	if (lst->tls && conn_starttls(h->c, s->tls, true, NULL) < 0) {
		log_warn(h->where, "cannot start TLS");
		hc_end(h, true);
	}
	hc_finish(h);
}

static void
accept_cb(int fd, uint32_t events, void *arg)
{
	struct https_listener *lst = arg;

	for (;;) {
		int cfd = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

		if (cfd < 0) {
			if (errno == EINTR)
				continue;
			if (errno != EAGAIN && errno != EWOULDBLOCK)
				log_warn("https", "accept on %s:%u: %s", lst->srv->addr,
				    lst->port, strerror(errno));
			return;
		}
		hc_new(lst, cfd);
	}
}

/* ---- the server ---- */

static SSL_CTX *
make_tls(struct https_srv *s, char *err, size_t errlen)
{
	SSL_CTX *ctx = pki_server_ctx(s->dflt);

	if (ctx == NULL) {
		snprintf(err, errlen, "https %s: cannot make a TLS context", s->addr);
		return NULL;
	}
	SSL_CTX_set_cert_cb(ctx, cert_cb, s);
	SSL_CTX_set_alpn_select_cb(ctx, alpn_cb, NULL);
	return ctx;
}

struct https_srv *
https_srv_new(struct loop *l, const struct https_srv_config *cfg, char *err,
    size_t errlen)
{
	struct https_srv *s;
	const struct {
		uint16_t port;
		bool tls;
	} ports[] = { { cfg->port_https, true }, { cfg->port_http, false } };

	if (cfg->addr == NULL) {
		snprintf(err, errlen, "https server needs an address");
		return NULL;
	}
	s = xcalloc(1, sizeof(*s));
	s->l = l;
	s->addr = xstrdup(cfg->addr);
	s->timeout_ms = cfg->timeout_ms ? cfg->timeout_ms : 30000;
	s->stall_ms = cfg->stall_ms ? cfg->stall_ms : 600000;
	s->max_head = cfg->max_head ? cfg->max_head : HTTPS_MAX_HEAD;
	s->max_body = cfg->max_body ? cfg->max_body : HTTPS_MAX_BODY;
	s->keep_alive = cfg->keep_alive;
	s->log = cfg->log;
	s->log_arg = cfg->log_arg;
	s->report = cfg->report;
	s->report_arg = cfg->report_arg;
	if (https_routes_copy(s, cfg, err, errlen) < 0)
		goto fail;
	if (cfg->port_https != 0) {
		if (s->dflt == NULL) {
			snprintf(err, errlen, "https %s: port %u needs a certificate",
			    s->addr, cfg->port_https);
			goto fail;
		}
		if ((s->tls = make_tls(s, err, errlen)) == NULL)
			goto fail;
	}
	for (size_t i = 0; i < ARRAY_LEN(ports); i++) {
		struct https_listener *lst = &s->lst[s->nlst];

		if (ports[i].port == 0)
			continue;
		lst->srv = s;
		lst->port = ports[i].port;
		lst->tls = ports[i].tls;
		lst->fd = conn_listen(s->addr, lst->port);
		if (lst->fd < 0) {
			snprintf(err, errlen, "https: cannot listen on %s:%u: %s",
			    s->addr, lst->port, strerror(errno));
			goto fail;
		}
		if (loop_add_fd(l, lst->fd, EPOLLIN, accept_cb, lst) < 0) {
			close(lst->fd);
			snprintf(err, errlen, "https: cannot watch fd");
			goto fail;
		}
		s->nlst++;
	}
	log_info("https", "web server on %s (%zu ports, %zu routes)", s->addr,
	    s->nlst, s->nroutes);
	return s;
fail:
	https_srv_free(s);
	return NULL;
}

void
https_srv_free(struct https_srv *s)
{
	if (s == NULL)
		return;
	for (size_t i = 0; i < s->nlst; i++) {
		loop_del_fd(s->l, s->lst[i].fd);
		close(s->lst[i].fd);
	}
	while (s->conns != NULL) {
		struct https_hc *h = s->conns;
		conn_abort(h->c);
		hc_free(h);
	}
	SSL_CTX_free(s->tls);
	https_routes_free(s);
	for (size_t i = 0; i < s->nreports; i++) {
		struct https_report *r = &s->reports[i];
		free(r->client_ip);
		free(r->host);
		free(r->path);
		free(r->content_type);
		free(r->json);
		free(r->parse_error);
	}
	free(s->reports);
	free(s->addr);
	free(s->rec_role);
	free(s->rec_attack);
	free(s);
}

unsigned https_srv_conns(const struct https_srv *s) { return s->nconns; }
unsigned https_srv_requests(const struct https_srv *s) { return s->nrequests; }
size_t https_srv_nreports(const struct https_srv *s) { return s->nreports; }

const struct https_report *
https_srv_report(const struct https_srv *s, size_t i)
{
	return i < s->nreports ? &s->reports[i] : NULL;
}

void
https_srv_set_rec(struct https_srv *s, struct rec *r, const char *role,
    const char *attack)
{
	s->rec = r;
	free(s->rec_role);
	free(s->rec_attack);
	s->rec_role = role != NULL ? xstrdup(role) : NULL;
	s->rec_attack = attack != NULL ? xstrdup(attack) : NULL;
}
