/*
 * world: build and tear down the world of one scenario phase.  See world.h.
 *
 * Everything here is derived from the scenario and the PKI: the same
 * scenario and seed give the same zones, certificates and addresses.
 */
#include "sim/world.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "attacker/mitm.h"
#include "core/util.h"
#include "fake-dns/dns.h"
#include "fake-mx/smtp.h"

#define WORLD_MAX_SAN 16

struct world_mx {
	char *host;
	char pub[32];
	char back[32];
	struct pki_cert *cert;
	SSL_CTX *ctx;
	uint8_t *der;
	size_t derlen;
	struct smtp_srv *srv;
	struct mitm *path;
	struct pki_cert **attack_certs;
	size_t nattack_certs;
};

struct world {
	struct loop *l;
	struct pki *pki;
	struct rec *rec;
	struct dns_db *db;
	struct dns_srv *dns;
	SSL_CTX *up_tls;
	struct world_mx *mx;
	size_t nmx;
};

void
world_cert_spec(const struct scn_cert *c, const char *host, struct pki_spec *spec,
    const char *san_buf[], size_t nsan_buf)
{
	memset(spec, 0, sizeof(*spec));
	spec->variant = c->variant ? c->variant : "valid";
	spec->host = host;
	if (c->san != NULL) {
		size_t i;
		for (i = 0; c->san[i] != NULL && i + 1 < nsan_buf; i++)
			san_buf[i] = c->san[i];
		san_buf[i] = NULL;
		spec->san = san_buf;
	}
	spec->cn = c->cn;
	spec->no_san = c->no_san;
	spec->not_before = c->not_before;
	spec->not_after = c->not_after;
	spec->key = c->key;
	spec->issuer = c->issuer;
}

static int
issue(struct world *w, const struct scn_cert *c, const char *host,
    struct pki_cert **out, char *err, size_t errlen)
{
	const char *sans[WORLD_MAX_SAN];
	struct pki_spec spec;

	world_cert_spec(c, host, &spec, sans, ARRAY_LEN(sans));
	return pki_issue(w->pki, &spec, out, err, errlen);
}

/* The zone a host name belongs to: its parent ("mx1.example.test." ->
 * "example.test."). */
static char *
parent_zone(const char *host)
{
	const char *dot = strchr(host, '.');
	return xasprintf("%s.", dot ? dot + 1 : host);
}

static int
add_zone_once(struct world *w, const char *apex, char *err, size_t errlen)
{
	char probe[512];

	/* dns_db_add_zone fails for duplicates; a harmless probe: try it and
	 * accept "exists" errors by checking the message */
	if (dns_db_add_zone(w->db, apex, WORLD_DNS_ADDR, probe, sizeof(probe)) == 0)
		return 0;
	if (strstr(probe, "exist") != NULL || strstr(probe, "already") != NULL ||
	    strstr(probe, "duplicate") != NULL)
		return 0;
	snprintf(err, errlen, "zone %s: %s", apex, probe);
	return -1;
}

static int
add_rr(struct world *w, char *err, size_t errlen, const char *fmt, ...)
	PRINTF(4, 5);

static int
add_rr(struct world *w, char *err, size_t errlen, const char *fmt, ...)
{
	char rr[1024], e[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(rr, sizeof(rr), fmt, ap);
	va_end(ap);
	if (dns_db_add_rr(w->db, rr, e, sizeof(e)) < 0) {
		snprintf(err, errlen, "DNS record \"%s\": %s", rr, e);
		return -1;
	}
	return 0;
}

static int
build_dns(struct world *w, const struct scenario *scn, const struct scn_world *sw,
    char *err, size_t errlen)
{
	char *z;

	w->db = dns_db_new();
	if (add_zone_once(w, ".", err, errlen) < 0 ||
	    add_zone_once(w, "test.", err, errlen) < 0 ||
	    add_zone_once(w, "attacker.test.", err, errlen) < 0)
		return -1;
	z = xasprintf("%s.", scn->domain);
	if (add_zone_once(w, z, err, errlen) < 0) {
		free(z);
		return -1;
	}
	free(z);
	for (size_t i = 0; i < sw->nmx; i++) {
		z = parent_zone(sw->mx[i].host);
		int r = add_zone_once(w, z, err, errlen);
		free(z);
		if (r < 0)
			return -1;
	}
	if (add_rr(w, err, errlen, "%s. 300 IN A %s", PKI_ATTACKER_NAME,
	    WORLD_ATTACKER_ADDR) < 0)
		return -1;
	for (size_t i = 0; i < sw->nmx; i++) {
		if (sw->submit == NULL &&
		    add_rr(w, err, errlen, "%s. 300 IN MX %d %s.", scn->domain,
		    sw->mx[i].pref, sw->mx[i].host) < 0)
			return -1;
		if (add_rr(w, err, errlen, "%s. 300 IN A %s", sw->mx[i].host,
		    w->mx[i].pub) < 0)
			return -1;
	}
	for (size_t i = 0; i < sw->ndns; i++)
		if (add_rr(w, err, errlen, "%s", sw->dns[i]) < 0)
			return -1;
	w->dns = dns_srv_new(w->l, w->db, WORLD_DNS_ADDR, 53, err, errlen);
	return w->dns ? 0 : -1;
}

static int
build_mx(struct world *w, size_t i, const struct scn_world *sw, char *err,
    size_t errlen)
{
	static const uint16_t ports[] = { 25, 587, 465 };
	const struct scn_mx *sm = &sw->mx[i];
	struct world_mx *wm = &w->mx[i];
	struct smtp_override ov[32];
	struct mitm_attack atk[16];
	size_t nov = 0, natk = 0;
	char e[512];
	int len;

	if (issue(w, &sm->cert, sm->host, &wm->cert, e, sizeof(e)) < 0) {
		snprintf(err, errlen, "%s: certificate: %s", sm->host, e);
		return -1;
	}
	wm->ctx = pki_server_ctx(wm->cert);
	len = i2d_X509(pki_cert_x509(wm->cert), &wm->der);
	wm->derlen = len > 0 ? (size_t)len : 0;
	for (size_t k = 0; k < sm->nreplies && nov < ARRAY_LEN(ov); k++)
		ov[nov++] = (struct smtp_override){ sm->replies[k].step, sm->replies[k].text };
	struct smtp_srv_config sc = {
		.host = sm->host,
		.addr = wm->back,
		.port_smtp = 25,
		.port_submission = 587,
		.port_smtps = 465,
		.tls = wm->ctx,
		.cert_label = pki_cert_label(wm->cert),
		.cert_der = wm->der,
		.cert_len = wm->derlen,
		.overrides = ov,
		.noverrides = nov,
		.ehlo = (const char *const *)sm->ehlo,
		.rec = w->rec,
	};
	wm->srv = smtp_srv_new(w->l, &sc, e, sizeof(e));
	if (wm->srv == NULL) {
		snprintf(err, errlen, "%s: MX server: %s", sm->host, e);
		return -1;
	}

	wm->attack_certs = xcalloc(sw->nattacks ? sw->nattacks : 1, sizeof(*wm->attack_certs));
	for (size_t k = 0; k < sw->nattacks && natk < ARRAY_LEN(atk); k++) {
		const struct scn_attack *sa = &sw->attacks[k];
		if (strcasecmp(sa->host, sm->host) != 0)
			continue;
		struct mitm_attack *a = &atk[natk++];
		memset(a, 0, sizeof(*a));
		a->kind = mitm_kind_lookup(sa->name);
		a->port = (uint16_t)sa->port;
		a->mode = sa->mode;
		a->code = sa->code;
		a->text = sa->text;
		a->relay = sa->relay;
		if (a->kind == MITM_SWAP_CERT) {
			struct scn_cert c = sa->cert;
			struct pki_cert *pc;
			if (c.variant == NULL)
				c.variant = "attacker";
			if (issue(w, &c, sm->host, &pc, e, sizeof(e)) < 0) {
				snprintf(err, errlen, "%s: swap_cert certificate: %s", sm->host, e);
				return -1;
			}
			wm->attack_certs[wm->nattack_certs++] = pc;
			a->cert = pc;
		}
	}
	struct mitm_config mc = {
		.host = sm->host,
		.listen_addr = wm->pub,
		.upstream_addr = wm->back,
		.src_addr = WORLD_ATTACKER_ADDR,
		.ports = ports,
		.nports = ARRAY_LEN(ports),
		.implicit_tls_port = 465,
		.attacks = atk,
		.nattacks = natk,
		.upstream_tls = w->up_tls,
		.rec = w->rec,
	};
	wm->path = mitm_new(w->l, &mc, e, sizeof(e));
	if (wm->path == NULL) {
		snprintf(err, errlen, "%s: path: %s", sm->host, e);
		return -1;
	}
	return 0;
}

struct world *
world_new(struct loop *l, struct pki *p, struct rec *r, const struct scenario *scn,
    const struct scn_world *sw, char *err, size_t errlen)
{
	struct world *w = xcalloc(1, sizeof(*w));

	w->l = l;
	w->pki = p;
	w->rec = r;
	w->up_tls = pki_client_ctx(p);
	w->nmx = sw->nmx;
	w->mx = xcalloc(sw->nmx ? sw->nmx : 1, sizeof(*w->mx));
	for (size_t i = 0; i < sw->nmx; i++) {
		w->mx[i].host = xstrdup(sw->mx[i].host);
		if (sw->mx[i].addr != NULL)
			snprintf(w->mx[i].pub, sizeof(w->mx[i].pub), "%s", sw->mx[i].addr);
		else
			snprintf(w->mx[i].pub, sizeof(w->mx[i].pub), "127.25.0.%zu", 10 + i + 1);
		snprintf(w->mx[i].back, sizeof(w->mx[i].back), "127.26.0.%zu", 10 + i + 1);
	}
	if (build_dns(w, scn, sw, err, errlen) < 0)
		goto fail;
	for (size_t i = 0; i < sw->nmx; i++)
		if (build_mx(w, i, sw, err, errlen) < 0)
			goto fail;
	return w;
fail:
	world_free(w);
	return NULL;
}

void
world_free(struct world *w)
{
	if (w == NULL)
		return;
	for (size_t i = 0; i < w->nmx; i++) {
		struct world_mx *wm = &w->mx[i];
		mitm_free(wm->path);
		smtp_srv_free(wm->srv);
		SSL_CTX_free(wm->ctx);
		OPENSSL_free(wm->der);
		pki_cert_free(wm->cert);
		for (size_t k = 0; k < wm->nattack_certs; k++)
			pki_cert_free(wm->attack_certs[k]);
		free(wm->attack_certs);
		free(wm->host);
	}
	free(w->mx);
	dns_srv_free(w->dns);
	dns_db_free(w->db);
	SSL_CTX_free(w->up_tls);
	free(w);
}

unsigned
world_busy(const struct world *w)
{
	unsigned n = 0;

	for (size_t i = 0; i < w->nmx; i++) {
		if (w->mx[i].path)
			n += mitm_sessions(w->mx[i].path);
		if (w->mx[i].srv)
			n += smtp_srv_sessions(w->mx[i].srv);
	}
	return n;
}

const char *
world_addr_of(const struct world *w, const char *host)
{
	for (size_t i = 0; i < w->nmx; i++)
		if (strcasecmp(w->mx[i].host, host) == 0)
			return w->mx[i].pub;
	return NULL;
}

void
world_print_zones(const struct world *w, FILE *f)
{
	dns_db_print(w->db, f);
}
