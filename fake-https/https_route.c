/*
 * https_route: the route table of the web server, request dispatch and
 * the TLSRPT receiver (RFC 8460 5.4).  See https.h and https_int.h.
 *
 * A request is matched on its host (case-insensitive; a route without
 * host matches any) and its path (exact, query ignored).  No route: 404.
 * GET routes answer GET and HEAD with their response; TLSRPT routes take
 * POSTs whose media type is application/tlsrpt+json or +gzip (parameters
 * ignored), inflate gzip bodies (at most 16 times max_body), keep the
 * report with sts_tlsrpt_report_parse's verdict on it, and answer with
 * their response (201 by default).  Wrong method: 405 with Allow; wrong
 * media type: 415; bad gzip: 400.  A request that cannot succeed is
 * answered as soon as its head is in, and the connection is then closed
 * (its body is never read).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "fake-https/https_int.h"
#include "fake-https/sts.h"

#define GUNZIP_FACTOR 16

static char *
dup_or_null(const char *s)
{
	return s != NULL ? xstrdup(s) : NULL;
}

int
https_routes_copy(struct https_srv *s, const struct https_srv_config *cfg,
    char *err, size_t errlen)
{
	s->certs = xcalloc(cfg->ncerts + 1, sizeof(*s->certs));
	for (size_t i = 0; i < cfg->ncerts; i++) {
		const struct https_cert *c = &cfg->certs[i];
		if (c->host == NULL || c->cert == NULL) {
			snprintf(err, errlen, "https certificate %zu needs a host and "
			    "a certificate", i + 1);
			return -1;
		}
		s->certs[i].host = xstrdup(c->host);
		s->certs[i].cert = c->cert;
		s->certs[i].label = xstrdup(pki_cert_label(c->cert));
		s->ncerts++;
	}
	s->dflt = cfg->cert != NULL ? cfg->cert :
	    cfg->ncerts > 0 ? cfg->certs[0].cert : NULL;
	if (s->dflt != NULL)
		s->dflt_label = xstrdup(cfg->cert_label != NULL ? cfg->cert_label :
		    pki_cert_label(s->dflt));

	s->routes = xcalloc(cfg->nroutes + 1, sizeof(*s->routes));
	for (size_t i = 0; i < cfg->nroutes; i++) {
		const struct https_route *r = &cfg->routes[i];
		struct srv_route *d = &s->routes[i];
		size_t nh = 0;

		if (r->path == NULL || r->path[0] != '/') {
			snprintf(err, errlen, "https route %zu: the path must begin "
			    "with /", i + 1);
			return -1;
		}
		if (r->resp.status != 0 && (r->resp.status < 100 || r->resp.status > 599)) {
			snprintf(err, errlen, "https route %zu: status %d is not "
			    "100-599", i + 1, r->resp.status);
			return -1;
		}
		s->nroutes++;
		d->host = dup_or_null(r->host);
		d->path = xstrdup(r->path);
		d->kind = r->kind;
		d->resp = r->resp;
		d->resp.reason = dup_or_null(r->resp.reason);
		d->resp.content_type = dup_or_null(r->resp.content_type);
		d->resp.location = dup_or_null(r->resp.location);
		while (r->resp.headers != NULL && r->resp.headers[nh] != NULL)
			nh++;
		d->headers = xcalloc(nh + 1, sizeof(*d->headers));
		for (size_t k = 0; k < nh; k++)
			d->headers[k] = xstrdup(r->resp.headers[k]);
		d->resp.headers = (const char *const *)d->headers;
	}
	return 0;
}

void
https_routes_free(struct https_srv *s)
{
	for (size_t i = 0; i < s->ncerts; i++) {
		free(s->certs[i].host);
		free(s->certs[i].label);
	}
	free(s->certs);
	free(s->dflt_label);
	for (size_t i = 0; i < s->nroutes; i++) {
		struct srv_route *r = &s->routes[i];
		free(r->host);
		free(r->path);
		free((char *)r->resp.reason);
		free((char *)r->resp.content_type);
		free((char *)r->resp.location);
		for (char **h = r->headers; h != NULL && *h != NULL; h++)
			free(*h);
		free(r->headers);
	}
	free(s->routes);
}

static const struct srv_route *
find_route(const struct https_srv *s, const struct https_req *r)
{
	for (size_t i = 0; i < s->nroutes; i++) {
		const struct srv_route *rt = &s->routes[i];
		if (strcmp(rt->path, r->path) == 0 &&
		    (rt->host == NULL || strcasecmp(rt->host, r->host) == 0))
			return rt;
	}
	return NULL;
}

/* The media type of a Content-Type value (before ';', trimmed). */
static bool
media_is(const char *ct, const char *type)
{
	size_t n;

	if (ct == NULL)
		return false;
	n = strcspn(ct, ";");
	while (n > 0 && (ct[n - 1] == ' ' || ct[n - 1] == '\t'))
		n--;
	return n == strlen(type) && strncasecmp(ct, type, n) == 0;
}

/* NULL when the request may go on, else what to answer. */
static int
precheck(const struct srv_route *rt, const struct https_req *r,
    const char **allow, const char **why)
{
	const char *ct;

	*allow = NULL;
	if (rt == NULL) {
		*why = "no such host or path";
		return 404;
	}
	if (rt->kind == HTTPS_GET) {
		if (strcmp(r->method, "GET") != 0 && strcmp(r->method, "HEAD") != 0) {
			*allow = "GET, HEAD";
			*why = "method not allowed";
			return 405;
		}
		return 0;
	}
	if (strcmp(r->method, "POST") != 0) {
		*allow = "POST";
		*why = "reports are POSTed";
		return 405;
	}
	ct = https_req_header(r, "Content-Type");
	if (!media_is(ct, HTTPS_TLSRPT_JSON) && !media_is(ct, HTTPS_TLSRPT_GZIP)) {
		*why = "not application/tlsrpt+json or application/tlsrpt+gzip";
		return 415;
	}
	return 0;
}

void
https_route_head(struct https_hc *h)
{
	const struct https_req *r = https_parser_req(h->p);
	const struct srv_route *rt = find_route(h->srv, r);
	const char *allow, *why;
	int status = precheck(rt, r, &allow, &why);

	if (status != 0) {
		/* the body is left unread: the connection cannot go on */
		https_hc_simple(h, status, allow, true, why);
		return;
	}
	if (r->expect_continue)
		conn_printf(h->c, "HTTP/1.1 100 Continue\r\n\r\n");
}

static void
receive_report(struct https_hc *h, const struct srv_route *rt)
{
	const struct https_req *r = https_parser_req(h->p);
	struct https_srv *s = h->srv;
	const char *ct = https_req_header(r, "Content-Type");
	struct https_report *rep;
	struct sts_tlsrpt_report *parsed;
	bool gz = media_is(ct, HTTPS_TLSRPT_GZIP);
	char err[256], *json;
	size_t len;

	if (gz) {
		if (sts_gunzip(r->body, r->body_len, s->max_body * GUNZIP_FACTOR,
		    &json, &len, err, sizeof(err)) < 0) {
			char why[300];
			snprintf(why, sizeof(why), "bad gzip report: %s", err);
			https_hc_simple(h, 400, NULL, false, why);
			return;
		}
	} else {
		json = xmalloc(r->body_len + 1);
		memcpy(json, r->body, r->body_len);
		json[r->body_len] = '\0';
		len = r->body_len;
	}
	s->reports = xrealloc(s->reports, (s->nreports + 1) * sizeof(*s->reports));
	rep = &s->reports[s->nreports++];
	memset(rep, 0, sizeof(*rep));
	rep->t_ms = loop_now(s->l);
	rep->client_ip = xstrdup(conn_peer_ip(h->c));
	rep->host = xstrdup(r->host);
	rep->path = xstrdup(r->path);
	rep->content_type = xstrdup(ct);
	rep->gzip = gz;
	rep->json = json;
	rep->json_len = len;
	if (sts_tlsrpt_report_parse(json, len, false, &parsed, err, sizeof(err)) < 0)
		rep->parse_error = xstrdup(err);
	sts_tlsrpt_report_free(parsed);
	log_info(h->where, "TLSRPT report of %zu bytes%s%s%s", len,
	    gz ? " (gzip)" : "", rep->parse_error ? ", invalid: " : "",
	    rep->parse_error ? rep->parse_error : "");
	if (s->report != NULL)
		s->report(rep, s->report_arg);
	https_hc_respond(h, &rt->resp, 201, NULL);
}

void
https_route_request(struct https_hc *h)
{
	const struct https_req *r = https_parser_req(h->p);
	const struct srv_route *rt = find_route(h->srv, r);
	const char *allow, *why;
	int status = precheck(rt, r, &allow, &why);

	if (status != 0) {
		https_hc_simple(h, status, allow, false, why);
		return;
	}
	if (rt->kind == HTTPS_TLSRPT) {
		receive_report(h, rt);
		return;
	}
	https_hc_respond(h, &rt->resp, 200, NULL);
}
