/*
 * https_int: what the files of fake-https/ share about the server (not
 * for use outside the module).  https_srv.c owns connections, TLS and
 * responses; https_route.c owns the route table, request dispatch and
 * the TLSRPT receiver.
 */
#ifndef MXSIM_HTTPS_INT_H
#define MXSIM_HTTPS_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <openssl/ssl.h>

#include "core/conn.h"
#include "core/loop.h"
#include "core/util.h"
#include "fake-https/https.h"

struct https_listener {
	struct https_srv *srv;
	int fd;
	uint16_t port;
	bool tls;
};

/* A route with its strings copied (the body stays borrowed). */
struct srv_route {
	char *host;
	char *path;
	enum https_kind kind;
	struct https_resp resp;   /* reason, content_type, location and
	                           * headers point to owned copies */
	char **headers;           /* owned, NULL-terminated */
};

struct srv_cert {
	char *host;
	const struct pki_cert *cert;
	char *label;
};

struct https_srv {
	struct loop *l;
	char *addr;
	SSL_CTX *tls;
	const struct pki_cert *dflt;
	char *dflt_label;
	struct srv_cert *certs;
	size_t ncerts;
	struct srv_route *routes;
	size_t nroutes;
	uint64_t timeout_ms, stall_ms;
	size_t max_head, max_body;
	bool keep_alive;
	https_log_cb *log;
	void *log_arg;
	https_report_cb *report;
	void *report_arg;
	struct https_listener lst[2];
	size_t nlst;
	struct https_hc *conns;
	unsigned nconns;
	unsigned nrequests;
	struct https_report *reports;
	size_t nreports;
	struct rec *rec;          /* borrowed, or NULL (https_rec.c) */
	char *rec_role, *rec_attack;
};

/* One connection. */
struct https_hc {
	struct https_srv *srv;
	struct https_hc *next;
	struct conn *c;
	struct https_parser *p;
	char where[96];
	bool tls;
	char *sni;
	const char *cert_label;   /* the srv's string */
	char *tls_error;
	unsigned nreq;            /* requests read on this connection */
	uint64_t req_timer;       /* the current request's deadline */
	uint64_t resp_timer;      /* trickle or stall */
	bool writing;             /* an answer is under way */
	bool keep;                /* the connection may go on after it */
	bool logged;              /* the current request was reported */
	bool in_read;             /* inside the reading loop */
	int status;
	const char *why;          /* what the log says about this answer */
	struct buf out_body;
	size_t body_sent;
	char resp_ctype[128];     /* content type of the answer, for the log */
	bool answered;            /* resp_ctype is this request's */
	uint64_t trickle_ms;
	bool close, reset;        /* end after this callback */
};

/* https_srv.c */
void https_hc_log(struct https_hc *h, int status, const char *error);
/* Answer with r (status 0 takes dflt_status); allow: an Allow header. */
void https_hc_respond(struct https_hc *h, const struct https_resp *r,
	int dflt_status, const char *allow);
/* The server's own short answer; why is logged; close ends the connection. */
void https_hc_simple(struct https_hc *h, int status, const char *allow,
	bool close, const char *why);

/* https_rec.c: one exchange in s->rec for a log event. */
void https_rec_event(struct https_srv *s, const struct https_log *ev);

/* https_route.c */
int https_routes_copy(struct https_srv *s, const struct https_srv_config *cfg,
	char *err, size_t errlen);
void https_routes_free(struct https_srv *s);
/* The head is in and a body follows: answer early if the request cannot
 * succeed (404, 405, 415), else send 100 Continue if asked. */
void https_route_head(struct https_hc *h);
/* A complete request: answer it. */
void https_route_request(struct https_hc *h);

#endif
