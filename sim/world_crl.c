/*
 * world_crl: the world's CRL host.  See world_crl.h.  Owns the CRL bytes
 * (the server borrows them) and the server; logs each request.
 */
#include "sim/world_crl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "fake-https/https.h"

struct world_crl {
	uint8_t *der;
	size_t len;
	struct https_srv *srv;
};

bool
world_crl_wanted(const struct scn_world *sw)
{
	for (size_t i = 0; i < sw->nmx; i++)
		if (sw->mx[i].cert.variant != NULL &&
		    strcmp(sw->mx[i].cert.variant, "revoked") == 0)
			return true;
	return false;
}

static void
log_req(const struct https_log *ev, void *arg)
{
	(void)arg;
	log_info("world", "crl: %s %s from %s:%u: %d (%zu bytes)%s%s",
	    ev->method ? ev->method : "-", ev->target ? ev->target : "-",
	    ev->client_ip, ev->client_port, ev->status, ev->body_sent,
	    ev->error ? ": " : "", ev->error ? ev->error : "");
}

struct world_crl *
world_crl_new(struct loop *l, struct pki *p, char *err, size_t errlen)
{
	struct world_crl *wc = xcalloc(1, sizeof(*wc));
	char e[256];

	if (pki_crl_der(p, &wc->der, &wc->len) < 0) {
		snprintf(err, errlen, "%s: cannot build the root's CRL", PKI_CRL_HOST);
		free(wc);
		return NULL;
	}
	struct https_route rt = { PKI_CRL_HOST, PKI_CRL_PATH, HTTPS_GET,
		{ .status = 200, .content_type = "application/pkix-crl",
		  .body = (const char *)wc->der, .body_len = wc->len } };
	struct https_srv_config sc = {
		.addr = WORLD_CRL_ADDR, .port_http = 80, .routes = &rt,
		.nroutes = 1, .log = log_req,
	};
	wc->srv = https_srv_new(l, &sc, e, sizeof(e));
	if (wc->srv == NULL) {
		snprintf(err, errlen, "%s: CRL server: %s", PKI_CRL_HOST, e);
		world_crl_free(wc);
		return NULL;
	}
	return wc;
}

void
world_crl_free(struct world_crl *wc)
{
	if (wc == NULL)
		return;
	https_srv_free(wc->srv);
	free(wc->der);
	free(wc);
}
