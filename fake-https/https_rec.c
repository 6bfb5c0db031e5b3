/*
 * https_rec: what a web server of the world puts in the session recorder
 * (https_srv_set_rec in https.h): one exchange (core/record.h, kind
 * REC_HTTPS) per request or failed handshake, from the log event the
 * server emits once for each: the TLS facts (SNI, the certificate it
 * presented, or why the handshake failed), the request line, and the
 * answer (status, content type, body bytes sent) or why there was none.
 *
 * The lines are written when the event fires (the answer is complete),
 * so request and answer share one virtual time; their sequence numbers
 * still place them exactly among the other records.  The client's port
 * is left out: the kernel picks it, and records must not vary from run
 * to run.  Nothing here logs.
 */
#include "fake-https/https_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/record.h"

static const char *
nz(const char *s)
{
	return s != NULL ? s : "";
}

static void
tls_line(struct rec *r, struct rec_session *x, const struct https_log *ev)
{
	if (ev->tls_error != NULL) {
		x->tls = REC_TLS_FAILED;
		rec_set(&x->tls_error, ev->tls_error);
		rec_line(r, x, '!', "TLS handshake failed: %s (SNI %s, "
		    "certificate %s)", ev->tls_error, ev->sni != NULL ? ev->sni :
		    "none", ev->cert_label != NULL ? ev->cert_label : "?");
		return;
	}
	x->tls = REC_TLS_OK;
	rec_line(r, x, '!', "TLS with the %s: SNI %s, certificate %s",
	    nz(x->tls_by), ev->sni != NULL ? ev->sni : "none",
	    ev->cert_label != NULL ? ev->cert_label : "?");
}

void
https_rec_event(struct https_srv *s, const struct https_log *ev)
{
	struct rec *r = s->rec;
	const char *host = ev->host != NULL && ev->host[0] != '\0' ? ev->host :
	    ev->sni != NULL ? ev->sni : ev->local_ip;
	struct rec_session *x = rec_exchange_new(r, REC_HTTPS, host,
	    ev->local_ip, ev->port);
	char *req;

	if (x == NULL)
		return;
	rec_set(&x->x.role, s->rec_role != NULL ? s->rec_role : "web server");
	rec_set(&x->x.client, ev->client_ip);
	rec_set(&x->x.sni, ev->sni);
	rec_set(&x->attack, s->rec_attack);
	rec_set(&x->tls_by, s->rec_attack != NULL ? "attacker" : "server");
	x->connected = true;
	if (ev->tls) {
		rec_set(&x->cert_label, ev->cert_label);
		tls_line(r, x, ev);
	}
	if (ev->method != NULL) {
		req = xasprintf("%s %s", ev->method, nz(ev->target));
		rec_set(&x->x.request, req);
		if (ev->req_body_len > 0)
			rec_line(r, x, '>', "%.300s (Host: %s, %zu bytes of body)",
			    req, nz(ev->host), ev->req_body_len);
		else
			rec_line(r, x, '>', "%.300s (Host: %s)", req, nz(ev->host));
		free(req);
	}
	x->x.status = ev->status;
	x->x.body_len = ev->body_sent;
	rec_set(&x->x.content_type, ev->content_type);
	if (ev->status != 0)
		rec_line(r, x, '<', "%d %s, %s, %zu bytes", ev->status,
		    https_reason(ev->status), ev->content_type == NULL ? "?" :
		    ev->content_type[0] == '\0' ? "no content type" :
		    ev->content_type, ev->body_sent);
	if (ev->error != NULL)
		rec_line(r, x, '!', "%s", ev->error);
	rec_set(&x->end, ev->error != NULL ? ev->error : "answered");
}
