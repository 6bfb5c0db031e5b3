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
#include <time.h>

#include <openssl/pem.h>
#include <openssl/sha.h>

#include "attacker/mitm.h"
#include "core/tlsa.h"
#include "core/util.h"
#include "fake-dns/dns.h"
#include "fake-mx/smtp.h"
#include "sim/world_crl.h"
#include "sim/world_dns.h"
#include "sim/world_sts.h"
#include "sim/world_mail.h"

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
	/* DANE (build_tlsa, at the end of this file) */
	char **tlsa;          /* its TLSA RRset as published ("3 1 1 HEX") */
	size_t ntlsa;
	X509 *serve_ca;       /* a "ca" trust anchor it serves (borrowed) */
	uint8_t *chain_der;   /* what it serves beyond the leaf, DER; or NULL */
	size_t chain_len;
};

struct world {
	struct loop *l;
	struct pki *pki;
	struct rec *rec;
	struct dns_db *db;
	struct dns_srv *dns;
	SSL_CTX *up_tls;
	X509 *root;           /* the root CA, for "ca" TLSA data (lazy) */
	char *domain_zone;    /* "example.test.", for DANE states */
	struct world_mx *mx;
	size_t nmx;
	struct world_dns *dnsw; /* faults, DNS attacks (world_dns.c) */
	struct sandbox *lua;  /* the scenario's Lua state, for hooks (borrowed) */
	const char *domain;   /* the recipient domain (borrowed) */
	struct world_sts *sts;  /* MTA-STS and TLSRPT (world_sts.c) */
	struct world_mail *mail; /* TLSRPT by mail (world_mail.c) */
	struct world_crl *crl;  /* the CRL host, when a cert is revoked */
};

static int build_tlsa(struct world *w, const struct scenario *scn,
	const struct scn_world *sw, char *err, size_t errlen);
static void serve_chain(struct world_mx *wm);

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
	spec->key_id = c->key_id;
}

static int
issue(struct world *w, const struct scn_cert *c, const char *host,
    struct pki_cert **out, char *err, size_t errlen)
{
	const char *sans[WORLD_MAX_SAN];
	struct pki_spec spec;

	world_cert_spec(c, host, &spec, sans, ARRAY_LEN(sans));
	spec.domain = w->domain;
	return pki_issue(w->pki, &spec, out, err, errlen);
}

/* Whether a dns_faults entry makes name a CNAME (it then has no A). */
static bool
is_cname(const struct scn_world *sw, const char *name)
{
	for (size_t i = 0; i < sw->ndns_faults; i++)
		if (strncmp(sw->dns_faults[i].fault, "cname:", 6) == 0 &&
		    strcasecmp(sw->dns_faults[i].name, name) == 0)
			return true;
	return false;
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

/*
 * The DNSSEC seed: the run seed as the PKI holds it, read through the root
 * CA's key (drawn from the seed alone, unlike the certificate, whose dates
 * follow the scenario clock), so every scenario of a run has the same keys
 * and one trust anchor for ".".
 */
static uint64_t
dnssec_seed(const struct pki *p)
{
	BIO *b = BIO_new_mem_buf(pki_root_pem(p), -1);
	X509 *x = b ? PEM_read_bio_X509(b, NULL, NULL, NULL) : NULL;
	unsigned char *der = NULL, md[SHA256_DIGEST_LENGTH];
	int len = x ? i2d_PUBKEY(X509_get0_pubkey(x), &der) : -1;
	uint64_t seed = 0;

	if (len <= 0)
		fatal("world: cannot read the root CA's key");
	SHA256(der, (size_t)len, md);
	for (int i = 0; i < 8; i++)
		seed = seed << 8 | md[i];
	OPENSSL_free(der);
	X509_free(x);
	BIO_free(b);
	return seed;
}

/*
 * Sign the tree: ".", "test." and "attacker.test." are always secure; the
 * scenario's domain and the zones of its MX hosts take the scenario's
 * `dnssec` ("insecure" when unset; "bogus" or "bogus:KIND" with a kind
 * of dns.h).  Insecure scenarios are signed too: a validating sender
 * must see a signed root that proves the delegation unsigned.
 */
static int
sign_dns(struct world *w, const struct scenario *scn, const struct scn_world *sw,
    char *err, size_t errlen)
{
	const char *mode = sw->dnssec ? sw->dnssec : "insecure";
	enum dns_sec_state st = DNS_SEC_INSECURE;
	const char *kind = NULL;
	char e[512];

	if (strcmp(mode, "secure") == 0) {
		st = DNS_SEC_SECURE;
	} else if (strncmp(mode, "bogus", 5) == 0 && (mode[5] == '\0' ||
	    mode[5] == ':')) {
		st = DNS_SEC_BOGUS;
		kind = mode[5] == ':' ? mode + 6 : NULL;
	} else if (strcmp(mode, "insecure") != 0) {
		snprintf(err, errlen, "dnssec: unknown state \"%s\"", mode);
		return -1;
	}
	for (size_t i = 0; i <= sw->nmx; i++) {
		char *z = i == 0 ? xasprintf("%s.", scn->domain) :
		    parent_zone(sw->mx[i - 1].host);
		int r = 0;

		if (strcmp(z, ".") != 0 && strcasecmp(z, "test.") != 0 &&
		    strcasecmp(z, "attacker.test.") != 0)
			r = dns_db_set_state(w->db, z, st, kind, e, sizeof(e));
		free(z);
		if (r < 0) {
			snprintf(err, errlen, "%s", e);
			return -1;
		}
	}
	if (world_dns_states(w->db, sw, err, errlen) < 0)
		return -1;
	if (dns_db_sign(w->db, dnssec_seed(w->pki), loop_wallclock(w->l), e,
	    sizeof(e)) < 0) {
		snprintf(err, errlen, "%s", e);
		return -1;
	}
	return 0;
}

static int
build_dns(struct world *w, const struct scenario *scn, const struct scn_world *sw,
    char *err, size_t errlen)
{
	struct timespec t0, t1;
	char *z;

	clock_gettime(CLOCK_MONOTONIC, &t0);
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
	if (world_crl_wanted(sw) && add_rr(w, err, errlen, "%s. 300 IN A %s",
	    PKI_CRL_HOST, WORLD_CRL_ADDR) < 0)   /* world_crl.c */
		return -1;
	for (size_t i = 0; i < sw->nmx; i++) {
		if (sw->submit == NULL &&
		    add_rr(w, err, errlen, "%s. 300 IN MX %d %s.", scn->domain,
		    sw->mx[i].pref, sw->mx[i].host) < 0)
			return -1;
		if (!is_cname(sw, sw->mx[i].host) &&
		    add_rr(w, err, errlen, "%s. 300 IN A %s", sw->mx[i].host,
		    w->mx[i].pub) < 0)
			return -1;   /* a CNAME'd MX: its target has the address */
	}
	for (size_t i = 0; i < sw->ndns; i++)
		if (add_rr(w, err, errlen, "%s", sw->dns[i]) < 0)
			return -1;
	if (build_tlsa(w, scn, sw, err, errlen) < 0)
		return -1;
	if (world_dns_data(w->db, sw, WORLD_DNS_ADDR, err, errlen) < 0)
		return -1;
	w->sts = world_sts_new(w->l, w->pki, w->db, w->rec, scn, sw, err,
	    errlen);
	if (w->sts == NULL)
		return -1;
	w->mail = world_mail_new(w->pki, w->db, sw, err, errlen);
	if (w->mail == NULL)
		return -1;
	if (sign_dns(w, scn, sw, err, errlen) < 0)
		return -1;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	/* for tests/bench/zone_bench.sh: real time, so the log only */
	log_info("world", "%s: zones built and signed in %.3f ms", scn->id,
	    (double)(t1.tv_sec - t0.tv_sec) * 1e3 +
	    (double)(t1.tv_nsec - t0.tv_nsec) / 1e6);
	w->dns = dns_srv_new(w->l, w->db, WORLD_DNS_ADDR, 53, err, errlen);
	if (w->dns == NULL)
		return -1;
	dns_srv_set_rec(w->dns, w->rec);   /* the report's DNS lane */
	w->dnsw = world_dns_new(w->l, w->pki, w->rec, w->db, w->dns, scn, sw,
	    err, errlen);
	return w->dnsw ? 0 : -1;
}

/* cert = { staple = true }: the root's OCSP response for the MX's
 * certificate goes with every handshake that asks (pki_revoke.c). */
static int
staple(struct world *w, struct world_mx *wm, char *err, size_t errlen)
{
	uint8_t *der;
	size_t len;
	int r;

	if (pki_ocsp_der(w->pki, wm->cert, &der, &len) < 0) {
		snprintf(err, errlen, "%s: staple = true needs a certificate the "
		    "root issued (this one is %s)", wm->host,
		    pki_cert_label(wm->cert));
		return -1;
	}
	r = pki_ctx_staple(wm->ctx, der, len);
	free(der);
	if (r < 0)
		snprintf(err, errlen, "%s: cannot staple the OCSP response", wm->host);
	return r;
}

/* mx[i].tls: what TLS the MX offers (CONFORMANCE G68).  TLS 1.0 only,
 * or TLS 1.2 with nothing but eNULL suites (no sender offers them):
 * either way the handshake fails with an alert. */
static int
mx_tls(SSL_CTX *ctx, const struct scn_mx *sm, char *err, size_t errlen)
{
	int ok = 1;

	switch (sm->tls) {
	case SCN_MX_TLS_DEFAULT:
		return 0;
	case SCN_MX_TLS_10:
		ok = SSL_CTX_set_min_proto_version(ctx, TLS1_VERSION) == 1 &&
		    SSL_CTX_set_max_proto_version(ctx, TLS1_VERSION) == 1 &&
		    SSL_CTX_set_cipher_list(ctx, "DEFAULT:@SECLEVEL=0") == 1;
		break;
	case SCN_MX_TLS_NO_CIPHER:
		ok = SSL_CTX_set_max_proto_version(ctx, TLS1_2_VERSION) == 1 &&
		    SSL_CTX_set_cipher_list(ctx, "eNULL:@SECLEVEL=0") == 1;
		break;
	}
	if (!ok)
		snprintf(err, errlen, "%s: cannot restrict its TLS as asked", sm->host);
	return ok ? 0 : -1;
}

static int
build_mx(struct world *w, size_t i, const struct scn_world *sw, char *err,
    size_t errlen)
{
	static const uint16_t ports[] = { 25, 587, 465 };
	const struct scn_mx *sm = &sw->mx[i];
	struct world_mx *wm = &w->mx[i];
	struct smtp_override ov[256];   /* replay --as-server: one per reply */
	struct mitm_attack atk[16];
	size_t nov = 0, natk = 0;
	char e[512];
	int len;

	if (wm->cert == NULL &&   /* build_tlsa may have issued it */
	    issue(w, &sm->cert, sm->host, &wm->cert, e, sizeof(e)) < 0) {
		snprintf(err, errlen, "%s: certificate: %s", sm->host, e);
		return -1;
	}
	wm->ctx = pki_server_ctx(wm->cert);
	if (mx_tls(wm->ctx, sm, err, errlen) < 0)
		return -1;
	if (sm->cert.staple && staple(w, wm, err, errlen) < 0)
		return -1;
	serve_chain(wm);
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
		.chain_der = wm->chain_der,
		.chain_len = wm->chain_len,
		.overrides = ov,
		.noverrides = nov,
		.ehlo = (const char *const *)sm->ehlo,
		.rec = w->rec,
		/* the two enums list the same modes in the same order */
		.requiretls = (enum smtp_reqtls)sm->requiretls,
		.on_message = world_mail_capture(w->mail),  /* report mail */
		.msg_arg = w->mail,
	};
	_Static_assert((int)SCN_REQTLS_OFF == (int)SMTP_REQTLS_OFF &&
	    (int)SCN_REQTLS_PLAIN == (int)SMTP_REQTLS_PLAIN &&
	    (int)SCN_REQTLS_BOTH == (int)SMTP_REQTLS_BOTH, "requiretls modes");
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
		a->step = sa->step;
		a->set = (const char *const *)sa->set;
		a->add = (const char *const *)sa->add;
		a->remove = (const char *const *)sa->remove;
		a->nth = sa->nth > 0 ? (unsigned)sa->nth : 0;
		a->after_verified = sa->after_verified;
		a->lua = w->lua;
		a->on_client_line = sa->on_client_line;
		a->on_server_line = sa->on_server_line;
		a->on_tls = sa->on_tls;
		if (a->kind == MITM_SWAP_CERT || a->kind == MITM_HOOK ||
		    a->kind == MITM_TLS_SPLIT) {
			struct scn_cert c = sa->cert;
			struct pki_cert *pc;
			if (c.variant == NULL)
				c.variant = "attacker";
			if (issue(w, &c, sm->host, &pc, e, sizeof(e)) < 0) {
				snprintf(err, errlen, "%s: %s certificate: %s", sm->host,
				    sa->name, e);
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
	w->lua = scn->lua;
	w->domain = scn->domain;
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
	if (world_crl_wanted(sw) &&   /* after the certificates: it lists them */
	    (w->crl = world_crl_new(l, p, err, errlen)) == NULL)
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
		for (size_t k = 0; k < wm->ntlsa; k++)
			free(wm->tlsa[k]);
		free(wm->tlsa);
		free(wm->chain_der);
	}
	free(w->mx);
	world_crl_free(w->crl);
	world_sts_free(w->sts);
	world_mail_free(w->mail);   /* after the MX servers: they call it */
	X509_free(w->root);
	world_dns_free(w->dnsw);
	dns_srv_free(w->dns);
	free(w->domain_zone);
	dns_db_free(w->db);
	SSL_CTX_free(w->up_tls);
	free(w);
}

unsigned
world_busy(const struct world *w)
{
	unsigned n = world_sts_busy(w->sts) + world_dns_busy(w->dnsw);

	for (size_t i = 0; i < w->nmx; i++) {
		if (w->mx[i].path)
			n += mitm_sessions(w->mx[i].path);
		if (w->mx[i].srv)
			n += smtp_srv_sessions(w->mx[i].srv);
	}
	return n;
}

struct world_mail *
world_mail_of(const struct world *w)
{
	return w->mail;
}

struct world_sts *
world_sts_of(const struct world *w)
{
	return w->sts;
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
	fprintf(f, "; trust anchor for . (unbound trust-anchor-file, "
	    "ldns-verify-zone -k, drill -k)\n");
	if (dns_db_print_anchor(w->db, DNS_ANCHOR_ZONEFILE, f) < 0)
		fprintf(f, "; none: . is not signed\n");
}

int
world_print_anchor(const struct world *w, bool bind, FILE *f)
{
	return dns_db_print_anchor(w->db, bind ? DNS_ANCHOR_BIND :
	    DNS_ANCHOR_ZONEFILE, f);
}

/* ---- DANE: TLSA records from the world (RFC 7672) ---- */

/* The certificate that issued the MX's certificate: the CA it is served
 * with, itself when self-signed, else the root. */
static X509 *
issuer_of(struct world *w, const struct world_mx *wm)
{
	X509 *leaf = pki_cert_x509(wm->cert);
	STACK_OF(X509) *chain = pki_cert_chain(wm->cert);
	BIO *b;

	if (sk_X509_num(chain) > 0)
		return sk_X509_value(chain, 0);
	if (X509_NAME_cmp(X509_get_subject_name(leaf),
	    X509_get_issuer_name(leaf)) == 0)
		return leaf;   /* self-issued */
	if (w->root == NULL) {
		b = BIO_new_mem_buf(pki_root_pem(w->pki), -1);
		w->root = b ? PEM_read_bio_X509(b, NULL, NULL, NULL) : NULL;
		BIO_free(b);
		if (w->root == NULL)
			fatal("world: cannot read the root CA");
	}
	return w->root;
}

/*
 * Publish `_<25>._tcp.<mx>. TLSA ...` for every MX host the scenario's
 * tlsa names: "auto" from the MX's certificate (issued here, early, for
 * that), "ca" from its issuer, hex as given.  An MX with a DANE-TA(2)
 * "ca" record serves that CA in its chain, as RFC 7671 5.2.2 asks of a
 * DANE-TA server.  Called by build_dns before the zones are signed.
 */
static int
build_tlsa(struct world *w, const struct scenario *scn,
    const struct scn_world *sw, char *err, size_t errlen)
{
	char e[512];

	w->domain_zone = xasprintf("%s.", scn->domain);
	for (size_t i = 0; i < sw->ntlsa; i++) {
		const struct scn_tlsa *st = &sw->tlsa[i];
		struct world_mx *wm = NULL;
		size_t k;
		for (k = 0; k < sw->nmx && wm == NULL; k++)
			if (strcasecmp(sw->mx[k].host, st->host) == 0)
				wm = &w->mx[k];
		if (wm == NULL) {
			snprintf(err, errlen, "tlsa: %s is not an MX host", st->host);
			return -1;
		}
		k--;
		if (wm->cert == NULL && issue(w, &sw->mx[k].cert, sw->mx[k].host,
		    &wm->cert, e, sizeof(e)) < 0) {
			snprintf(err, errlen, "%s: certificate: %s", st->host, e);
			return -1;
		}
		wm->tlsa = xcalloc(st->nrrs + 1, sizeof(*wm->tlsa));
		for (size_t r = 0; r < st->nrrs; r++) {
			struct tlsa_rr rr;
			enum tlsa_src src;
			X509 *from = NULL;
			char *keyed = NULL;
			int kr = world_dns_tlsa_key(w->pki, st->rrs[r], &keyed, e,
			    sizeof(e));
			if (kr <= 0) {   /* "U 1 M key:ID": a named key's data */
				if (kr < 0) {
					snprintf(err, errlen, "tlsa %s: %s", st->host, e);
					return -1;
				}
				wm->tlsa[wm->ntlsa++] = keyed;
				if (add_rr(w, err, errlen, "_25._tcp.%s. 300 IN TLSA %s",
				    wm->host, keyed) < 0)
					return -1;
				continue;
			}
			if (tlsa_parse(st->rrs[r], &rr, &src, e, sizeof(e)) < 0) {
				snprintf(err, errlen, "tlsa %s \"%s\": %s", st->host,
				    st->rrs[r], e);
				return -1;
			}
			if (src == TLSA_SRC_AUTO)
				from = pki_cert_x509(wm->cert);
			else if (src == TLSA_SRC_CA) {
				from = issuer_of(w, wm);
				if (rr.usage == TLSA_DANE_TA &&
				    from != pki_cert_x509(wm->cert))
					wm->serve_ca = from;
			}
			if (from != NULL && tlsa_rr_compute(&rr, from) < 0) {
				snprintf(err, errlen, "tlsa %s \"%s\": cannot compute "
				    "the association data", st->host, st->rrs[r]);
				tlsa_rr_clear(&rr);
				return -1;
			}
			wm->tlsa[wm->ntlsa++] = tlsa_rr_str(&rr);
			tlsa_rr_clear(&rr);
			if (add_rr(w, err, errlen, "_25._tcp.%s. 300 IN TLSA %s",
			    wm->host, wm->tlsa[wm->ntlsa - 1]) < 0)
				return -1;
		}
	}
	return 0;
}

/* The chain an MX with a DANE-TA "ca" record serves (and the recorder
 * notes): its PKI chain, plus the CA when it is not already there. */
static void
serve_chain(struct world_mx *wm)
{
	STACK_OF(X509) *chain = pki_cert_chain(wm->cert);
	struct buf b;
	bool have = false;

	/* the recorder keeps what is served beyond the leaf, for the verdict */
	if (wm->serve_ca == NULL && sk_X509_num(chain) == 0)
		return;
	buf_init(&b);
	for (int i = 0; i < sk_X509_num(chain); i++) {
		X509 *x = sk_X509_value(chain, i);
		unsigned char *der = NULL;
		int n = i2d_X509(x, &der);
		if (n > 0)
			buf_append(&b, der, (size_t)n);
		OPENSSL_free(der);
		have |= wm->serve_ca != NULL && X509_cmp(x, wm->serve_ca) == 0;
	}
	if (!have && wm->serve_ca != NULL) {
		unsigned char *der = NULL;
		int n = i2d_X509(wm->serve_ca, &der);
		if (n > 0)
			buf_append(&b, der, (size_t)n);
		OPENSSL_free(der);
		if (SSL_CTX_add1_chain_cert(wm->ctx, wm->serve_ca) != 1)
			fatal("world: cannot add the CA to the served chain");
	}
	wm->chain_der = b.data;
	wm->chain_len = b.len;
}

size_t
world_dane_count(const struct world *w)
{
	return w->nmx;
}

const char *
world_dane_host(const struct world *w, size_t i)
{
	return w->mx[i].host;
}

const char *const *
world_dane_rrs(const struct world *w, size_t i, size_t *n)
{
	*n = w->mx[i].ntlsa;
	return (const char *const *)w->mx[i].tlsa;
}

/* What a validating resolver makes of the MX RRset (the domain's zone)
 * and of the host's address and TLSA lookups (its zone). */
const char *
world_dane_state(const struct world *w, size_t i)
{
	char *z = parent_zone(w->mx[i].host);
	enum dns_sec_state d = w->domain_zone != NULL ?
	    dns_db_state(w->db, w->domain_zone) : DNS_SEC_INSECURE;
	enum dns_sec_state h = dns_db_state(w->db, z);

	free(z);
	if (d == DNS_SEC_BOGUS || h == DNS_SEC_BOGUS)
		return "bogus";
	if (d == DNS_SEC_INSECURE || h == DNS_SEC_INSECURE)
		return "insecure";
	/* faults and DNS attacks that break the host's lookups */
	return w->domain_zone != NULL ? world_dns_host_state(w->dnsw,
	    w->domain_zone, w->mx[i].host, w->mx[i].ntlsa, "secure") :
	    "secure";
}
