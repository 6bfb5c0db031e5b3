/*
 * world_sts: the MTA-STS and TLSRPT side of a world.  See world_sts.h.
 *
 * Built from the phase's scn_world alone, so the same scenario and seed
 * give the same records, certificates and bodies.  Ownership: the
 * struct world_sts owns its servers, certificates, the path and the
 * bodies it serves (the servers borrow them).  Every request to the
 * policy host or the receiver is logged (host, path, SNI, status).
 *
 * What the variants serve (scn_sts.variant) is data: one struct
 * https_resp per variant, applied by fake-https's one mechanism.
 *
 * The policy domain is mta_sts.domain (default the recipient domain):
 * the TXT record, the policy host and its certificate are published
 * for it.  With mta_sts.cname, _mta-sts.<policy domain> is a CNAME to
 * that name, which holds the TXT record (RFC 8461 3.1, 8.2).
 *
 * Evidence for the verdict: every request the real policy host answers
 * becomes a recorder exchange (REC_HTTPS, role "policy host", phase and
 * message of the moment), which is how expect.fetches is judged; the
 * attacker's path notes each tamper_policy action (mitm_policy.h).
 */
#include "sim/world_sts.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "attacker/mitm_policy.h"
#include "core/util.h"
#include "fake-https/sts.h"
#include "sim/world.h"

#define RR_TXT 16
#define MAX_RUA_HOSTS 10
#define OVERSIZE (64u * 1024 + 4096)   /* just over the 64 KiB senders use (RFC 8461 3.3) */
#define SLOW_MS 2000

struct world_sts {
	struct loop *l;
	struct rec *rec;              /* evidence; NULL: none */
	const char *pd;               /* the policy domain (borrowed) */
	struct pki *pki;
	struct dns_db *db;
	const struct scenario *scn;
	char *host;                   /* mta-sts.<domain> */
	char *body;                   /* the genuine policy */
	char *location;
	struct pki_cert *cert;        /* the policy host's */
	struct pki_cert *evil_cert;   /* tamper_policy's */
	struct https_srv *real;
	struct mitm_policy *path;
	struct https_srv *rcv;        /* the TLSRPT receiver */
	struct pki_cert *rcv_certs[MAX_RUA_HOSTS];
	size_t nrcv_certs;
};

static const char *const cache_headers[] = {
	"Cache-Control: max-age=31536000",
	"ETag: \"mxsim-policy\"",
	"Expires: Thu, 01 Jan 2037 00:00:00 GMT",
	"Last-Modified: Mon, 01 Jun 2026 00:00:00 GMT",
	NULL,
};

static int
add_rr(struct dns_db *db, char *err, size_t errlen, const char *fmt, ...)
	PRINTF(4, 5);

static int
add_rr(struct dns_db *db, char *err, size_t errlen, const char *fmt, ...)
{
	char rr[2048], e[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(rr, sizeof(rr), fmt, ap);
	va_end(ap);
	if (dns_db_add_rr(db, rr, e, sizeof(e)) < 0) {
		snprintf(err, errlen, "DNS record \"%s\": %s", rr, e);
		return -1;
	}
	return 0;
}

/* Whether name is the scenario's domain or below it. */
static bool
in_domain(const char *name, const char *domain)
{
	size_t n = strlen(name), d = strlen(domain);

	return strcasecmp(name, domain) == 0 || (n > d + 1 &&
	    name[n - d - 1] == '.' && strcasecmp(name + n - d, domain) == 0);
}

/* The zone for a name outside the scenario's domain: the name's parent
 * ("r.provider.test" -> "provider.test."), added unless it exists. */
static int
zone_for(struct world_sts *ws, const char *name, char *err, size_t errlen)
{
	const char *dot = strchr(name, '.');
	char apex[300], e[512];

	if (in_domain(name, ws->scn->domain) || dot == NULL)
		return 0;
	snprintf(apex, sizeof(apex), "%s.", dot + 1);
	if (strcasecmp(apex, "test.") == 0)
		snprintf(apex, sizeof(apex), "%s.", name);
	if (dns_db_add_zone(ws->db, apex, WORLD_DNS_ADDR, e, sizeof(e)) == 0 ||
	    strstr(e, "exist") != NULL || strstr(e, "already") != NULL ||
	    strstr(e, "duplicate") != NULL)
		return 0;
	snprintf(err, errlen, "zone %s: %s", apex, e);
	return -1;
}

static int
issue(struct world_sts *ws, const struct scn_cert *c, const char *host,
    struct pki_cert **out, char *err, size_t errlen)
{
	const char *sans[16];
	struct pki_spec spec;
	char e[256];

	world_cert_spec(c, host, &spec, sans, ARRAY_LEN(sans));
	if (pki_issue(ws->pki, &spec, out, e, sizeof(e)) < 0) {
		snprintf(err, errlen, "%s: certificate: %s", host, e);
		return -1;
	}
	return 0;
}

static void
log_req(const struct https_log *ev, void *arg)
{
	const char *who = arg;

	log_info(who, "%s %s:%u %s %s%s host %s sni %s -> %d%s%s",
	    ev->tls ? "https" : "http", ev->client_ip, ev->client_port,
	    ev->method ? ev->method : "-", ev->target ? ev->target : "",
	    ev->tls_error ? " (handshake failed)" : "",
	    ev->host ? ev->host : "-", ev->sni ? ev->sni : "-", ev->status,
	    ev->error ? ": " : "", ev->error ? ev->error :
	    ev->tls_error ? ev->tls_error : "");
}

/* A request the real policy host answered: logged, and evidence. */
static void
log_policy_req(const struct https_log *ev, void *arg)
{
	struct world_sts *ws = arg;
	struct rec_session *x;

	log_req(ev, ws->host);
	if (ws->rec == NULL || ev->method == NULL)
		return;   /* a handshake that failed asked for nothing */
	x = rec_exchange_new(ws->rec, REC_HTTPS, ws->host, WORLD_STS_BACK, 443);
	if (x == NULL)
		return;   /* the recorder's cap */
	rec_set(&x->x.role, "policy host");
	rec_set(&x->x.client, ev->client_ip);
	rec_set(&x->x.sni, ev->sni);
	char *req = xasprintf("%s %s", ev->method, ev->target ? ev->target : "");
	rec_set(&x->x.request, req);
	free(req);
	x->x.status = ev->status;
	rec_line(ws->rec, x, '>', "%s %s (SNI %s)", ev->method,
	    ev->target ? ev->target : "", ev->sni ? ev->sni : "-");
	rec_line(ws->rec, x, '<', "%d", ev->status);
	rec_set(&x->end, ev->error ? ev->error : "answered");
}

/* ---- the TXT records ---- */

static const struct scn_attack *
txt_attack(const struct scn_world *sw, const char *name)
{
	for (size_t i = 0; i < sw->nattacks; i++)
		if (strcmp(sw->attacks[i].name, "tamper_txt") == 0 &&
		    strcasecmp(sw->attacks[i].host, name) == 0)
			return &sw->attacks[i];
	return NULL;
}

static bool
signed_zone(const struct scn_world *sw)
{
	return sw->dnssec != NULL && strcmp(sw->dnssec, "insecure") != 0;
}

/*
 * Publish the TXT RRs of name, through a tamper_txt attack if one is
 * aimed at it: a DNS fault (block = no answer, nxdomain, servfail), or a
 * rewrite, which in a signed zone the validating resolver sees as bogus
 * (SERVFAIL), and in an unsigned one is simply what the sender gets.
 */
static int
publish_txt(struct world_sts *ws, const struct scn_world *sw, const char *name,
    char *const *rrs, size_t n, char *err, size_t errlen)
{
	const struct scn_attack *a = txt_attack(sw, name);
	enum dns_fault f = DNS_FAIL_NONE;
	char e[256];

	if (a != NULL) {
		log_info(ws->host, "attacker: tamper_txt %s on %s", a->mode, name);
		if (strcmp(a->mode, "block") == 0)
			f = DNS_FAIL_TIMEOUT;
		else if (strcmp(a->mode, "nxdomain") == 0)
			f = DNS_FAIL_NXDOMAIN;
		else if (strcmp(a->mode, "servfail") == 0 || signed_zone(sw))
			f = DNS_FAIL_SERVFAIL;
		else {
			rrs = a->set;
			n = 0;
			while (rrs != NULL && rrs[n] != NULL)
				n++;
		}
	}
	for (size_t i = 0; i < n; i++)
		if (add_rr(ws->db, err, errlen, "%s. 300 IN TXT %s", name, rrs[i]) < 0)
			return -1;
	if (f != DNS_FAIL_NONE &&
	    dns_db_add_fault(ws->db, name, RR_TXT, f, e, sizeof(e)) < 0) {
		snprintf(err, errlen, "tamper_txt on %s: %s", name, e);
		return -1;
	}
	return 0;
}

/* A character-string in zone-file syntax (no quotes or backslashes can
 * occur: ids and URIs are checked by the loader). */
static char *
quoted(const char *s)
{
	return xasprintf("\"%s\"", s);
}

static int
build_txts(struct world_sts *ws, const struct scn_world *sw, char *err,
    size_t errlen)
{
	const char *d = ws->scn->domain;
	char name[300], *dflt[2] = { NULL, NULL };
	int r = 0;

	if (sw->sts != NULL) {
		snprintf(name, sizeof(name), "_mta-sts.%s", ws->pd);
		if (zone_for(ws, name, err, errlen) < 0)
			return -1;
		if (sw->sts->cname != NULL) {
			/* the record lives at the CNAME target (RFC 8461 3.1) */
			if (add_rr(ws->db, err, errlen, "%s. 300 IN CNAME %s.", name,
			    sw->sts->cname) < 0 ||
			    zone_for(ws, sw->sts->cname, err, errlen) < 0)
				return -1;
			snprintf(name, sizeof(name), "%s", sw->sts->cname);
		}
		if (sw->sts->txt_set)
			r = publish_txt(ws, sw, name, sw->sts->txt, sw->sts->ntxt, err,
			    errlen);
		else {
			char *rec = xasprintf("v=STSv1; id=%s", sw->sts->id);
			dflt[0] = quoted(rec);
			free(rec);
			r = publish_txt(ws, sw, name, dflt, 1, err, errlen);
			free(dflt[0]);
		}
		if (r < 0)
			return -1;
	}
	if (sw->ntlsrpt_rua == 0 && !sw->tlsrpt_txt_set)
		return 0;
	snprintf(name, sizeof(name), "_smtp._tls.%s", d);
	if (sw->tlsrpt_txt_set)
		return publish_txt(ws, sw, name, sw->tlsrpt_txt, sw->ntlsrpt_txt,
		    err, errlen);
	struct buf b = { 0 };
	buf_appendf(&b, "v=TLSRPTv1; rua=");
	for (size_t i = 0; i < sw->ntlsrpt_rua; i++)
		buf_appendf(&b, "%s%s", i ? "," : "", sw->tlsrpt_rua[i]);
	char *rec = buf_cstr(&b);
	dflt[0] = quoted(rec);
	free(rec);
	r = publish_txt(ws, sw, name, dflt, 1, err, errlen);
	free(dflt[0]);
	return r;
}

/* ---- the policy host ---- */

char *
world_sts_policy_text(const struct scn_sts *s)
{
	struct sts_policy_spec spec = {
		.mode = s->mode,
		.max_age = s->max_age,
		.mx = (const char *const *)s->mx,
		.lf = strcmp(s->variant, "lf") == 0,
	};

	if (s->body != NULL)
		return xstrdup(s->body);
	return sts_policy_text(&spec);
}

/* The answer of the policy route for a variant; *extra: a second route
 * (the redirect target). */
static struct https_resp
variant_resp(struct world_sts *ws, const char *v, bool *extra)
{
	struct https_resp r = {
		.status = 200, .content_type = STS_CONTENT_TYPE,
		.body = ws->body, .body_len = strlen(ws->body),
	};

	*extra = false;
	if (strcmp(v, "content-type") == 0)
		r.content_type = "text/html";
	else if (strcmp(v, "charset") == 0)
		r.content_type = "text/plain; charset=utf-8";
	else if (strcmp(v, "no-content-type") == 0)
		r.content_type = "";
	else if (strncmp(v, "redirect", 8) == 0) {
		r.status = v[8] == '\0' ? 301 : atoi(v + 9);
		r.location = ws->location;
		r.body = "moved\n";
		r.body_len = 6;
		*extra = true;
	} else if (strcmp(v, "404") == 0 || strcmp(v, "500") == 0) {
		r.status = atoi(v);
		r.body = r.status == 404 ? "not found\n" : "server error\n";
		r.body_len = strlen(r.body);
	} else if (strcmp(v, "204") == 0 || strcmp(v, "304") == 0) {
		r.status = atoi(v);
		r.body = NULL;
		r.body_len = 0;
	} else if (strcmp(v, "slow") == 0)
		r.trickle_ms = SLOW_MS;
	else if (strcmp(v, "stall") == 0)
		r.stall = true;
	else if (strcmp(v, "oversize") == 0)
		r.oversize = OVERSIZE;
	else if (strcmp(v, "cache-headers") == 0)
		r.headers = cache_headers;
	else if (strcmp(v, "reset") == 0)
		r.drop = true;
	return r;
}

static const struct scn_attack *
policy_attack(const struct scn_world *sw, const char *host)
{
	for (size_t i = 0; i < sw->nattacks; i++)
		if (strcmp(sw->attacks[i].name, "tamper_policy") == 0 &&
		    strcasecmp(sw->attacks[i].host, host) == 0)
			return &sw->attacks[i];
	return NULL;
}

static int
build_policy_host(struct world_sts *ws, const struct scn_world *sw, char *err,
    size_t errlen)
{
	const struct scn_sts *s = sw->sts;
	const struct scn_attack *a = policy_attack(sw, ws->host);
	bool listening = strcmp(s->variant, "unreachable") != 0, extra;
	char e[512];

	ws->body = world_sts_policy_text(s);
	if (strcmp(s->variant, "no-host") == 0)
		return 0;   /* no A record: nothing to reach */
	if (zone_for(ws, ws->host, err, errlen) < 0 ||
	    add_rr(ws->db, err, errlen, "%s. 300 IN A %s", ws->host,
	    WORLD_STS_PUB) < 0)
		return -1;
	if (issue(ws, &s->cert, ws->host, &ws->cert, err, errlen) < 0)
		return -1;
	ws->location = xasprintf("https://%s/policy.txt", ws->host);
	if (listening) {
		struct https_route rt[2] = {
			{ ws->host, STS_POLICY_PATH, HTTPS_GET,
			  variant_resp(ws, s->variant, &extra) },
			{ ws->host, "/policy.txt", HTTPS_GET,
			  { .status = 200, .content_type = STS_CONTENT_TYPE,
			    .body = ws->body, .body_len = strlen(ws->body) } },
		};
		struct https_cert hc = { ws->host, ws->cert };
		struct https_srv_config sc = {
			.addr = WORLD_STS_BACK, .port_https = 443, .cert = ws->cert,
			.certs = &hc, .ncerts = 1, .routes = rt,
			.nroutes = extra ? 2 : 1, .log = log_policy_req, .log_arg = ws,
		};
		ws->real = https_srv_new(ws->l, &sc, e, sizeof(e));
		if (ws->real == NULL) {
			snprintf(err, errlen, "%s: policy host: %s", ws->host, e);
			return -1;
		}
	}
	if (a != NULL && strcmp(a->mode, "block") != 0 &&
	    issue(ws, &a->cert, ws->host, &ws->evil_cert, err, errlen) < 0)
		return -1;
	struct mitm_policy_config mc = {
		.host = ws->host,
		.listen_addr = WORLD_STS_PUB,
		.port = 443,
		.upstream_addr = listening ? WORLD_STS_BACK : NULL,
		.src_addr = WORLD_ATTACKER_ADDR,
		.mode = a != NULL ? a->mode : NULL,
		.nth = a != NULL && a->nth > 0 ? (unsigned)a->nth : 0,
		.body = ws->body,
		.text = a != NULL ? a->text : NULL,
		.cert = ws->evil_cert,
		.evil_addr = WORLD_STS_EVIL,
		.rec = ws->rec,
	};
	ws->path = mitm_policy_new(ws->l, &mc, e, sizeof(e));
	if (ws->path == NULL) {
		snprintf(err, errlen, "%s: path: %s", ws->host, e);
		return -1;
	}
	return 0;
}

/* ---- TLSRPT: the receiver and mailto: domains ---- */

/* "https://host[:port]/path" -> host, path (xmalloc'd). */
static int
split_https(const char *uri, char **host, char **path)
{
	const char *h = uri + 8, *slash = strchr(h, '/');
	size_t hl = slash ? (size_t)(slash - h) : strlen(h);
	const char *colon = memchr(h, ':', hl);

	if (colon != NULL)
		hl = (size_t)(colon - h);
	if (hl == 0 || hl > 253)
		return -1;
	for (size_t i = 0; i < hl; i++) {
		char c = (char)(h[i] | 0x20);
		if (!(h[i] == '.' || h[i] == '-' || (h[i] >= '0' && h[i] <= '9') ||
		    (c >= 'a' && c <= 'z')))
			return -1;
	}
	*host = xstrndup(h, hl);
	*path = xstrdup(slash != NULL ? slash : "/");
	return 0;
}

static int
build_receiver(struct world_sts *ws, const struct scn_world *sw, char *err,
    size_t errlen)
{
	struct https_route routes[MAX_RUA_HOSTS];
	struct https_cert certs[MAX_RUA_HOSTS];
	char *hosts[MAX_RUA_HOSTS], *paths[MAX_RUA_HOSTS], e[512];
	size_t n = 0;
	int rc = -1;

	for (size_t i = 0; i < sw->ntlsrpt_rua && n < MAX_RUA_HOSTS; i++) {
		const char *u = sw->tlsrpt_rua[i];
		if (strncmp(u, "https://", 8) != 0)
			continue;
		if (split_https(u, &hosts[n], &paths[n]) < 0) {
			snprintf(err, errlen, "tlsrpt rua \"%s\": not https://host/path",
			    u);
			goto out;
		}
		n++;
	}
	if (n == 0)
		return 0;
	for (size_t i = 0; i < n; i++) {
		bool seen = false;
		for (size_t k = 0; k < i; k++)
			seen |= strcasecmp(hosts[k], hosts[i]) == 0;
		routes[i] = (struct https_route){ hosts[i], paths[i], HTTPS_TLSRPT,
			{ .status = 0 } };
		if (seen)
			continue;
		if (zone_for(ws, hosts[i], err, errlen) < 0 ||
		    add_rr(ws->db, err, errlen, "%s. 300 IN A %s", hosts[i],
		    WORLD_TLSRPT_ADDR) < 0)
			goto out;
		struct scn_cert valid = { .variant = "valid" };
		if (issue(ws, sw->tlsrpt_cert.variant ? &sw->tlsrpt_cert : &valid,
		    hosts[i], &ws->rcv_certs[ws->nrcv_certs], err, errlen) < 0)
			goto out;
		certs[ws->nrcv_certs] = (struct https_cert){ hosts[i],
			ws->rcv_certs[ws->nrcv_certs] };
		ws->nrcv_certs++;
	}
	struct https_srv_config sc = {
		.addr = WORLD_TLSRPT_ADDR, .port_https = 443,
		.certs = certs, .ncerts = ws->nrcv_certs, .routes = routes,
		.nroutes = n, .log = log_req, .log_arg = "tlsrpt-receiver",
		.keep_alive = true,
	};
	ws->rcv = https_srv_new(ws->l, &sc, e, sizeof(e));
	if (ws->rcv == NULL) {
		snprintf(err, errlen, "TLSRPT receiver: %s", e);
	} else {
		/* the report POSTs get their lane in the ladder */
		if (ws->rec != NULL)
			https_srv_set_rec(ws->rcv, ws->rec, "TLSRPT receiver", NULL);
		rc = 0;
	}
out:
	for (size_t i = 0; i < n; i++) {
		free(hosts[i]);
		free(paths[i]);
	}
	return rc;
}

/* A mailto: rua domain other than the scenario's gets the first MX. */
static int
build_mailto(struct world_sts *ws, const struct scn_world *sw, char *err,
    size_t errlen)
{
	for (size_t i = 0; i < sw->ntlsrpt_rua; i++) {
		const char *u = sw->tlsrpt_rua[i], *at;
		if (strncmp(u, "mailto:", 7) != 0)
			continue;
		at = strrchr(u, '@');
		if (at == NULL || at[1] == '\0' || strpbrk(at + 1, " \"\\;,") != NULL) {
			snprintf(err, errlen, "tlsrpt rua \"%s\": not mailto:user@domain", u);
			return -1;
		}
		if (strcasecmp(at + 1, ws->scn->domain) == 0 || sw->nmx == 0)
			continue;
		if (zone_for(ws, at + 1, err, errlen) < 0 ||
		    add_rr(ws->db, err, errlen, "%s. 300 IN MX 10 %s.", at + 1,
		    sw->mx[0].host) < 0)
			return -1;
	}
	return 0;
}

struct world_sts *
world_sts_new(struct loop *l, struct pki *p, struct dns_db *db,
    struct rec *rec, const struct scenario *scn, const struct scn_world *sw,
    char *err, size_t errlen)
{
	struct world_sts *ws = xcalloc(1, sizeof(*ws));

	ws->l = l;
	ws->pki = p;
	ws->db = db;
	ws->rec = rec;
	ws->scn = scn;
	ws->pd = scn_sts_domain(scn, sw->sts);
	ws->host = xasprintf("mta-sts.%s", ws->pd);
	if (build_txts(ws, sw, err, errlen) < 0 ||
	    (sw->sts != NULL && build_policy_host(ws, sw, err, errlen) < 0) ||
	    build_receiver(ws, sw, err, errlen) < 0 ||
	    build_mailto(ws, sw, err, errlen) < 0) {
		world_sts_free(ws);
		return NULL;
	}
	return ws;
}

void
world_sts_free(struct world_sts *ws)
{
	if (ws == NULL)
		return;
	mitm_policy_free(ws->path);
	https_srv_free(ws->real);
	https_srv_free(ws->rcv);
	pki_cert_free(ws->cert);
	pki_cert_free(ws->evil_cert);
	for (size_t i = 0; i < ws->nrcv_certs; i++)
		pki_cert_free(ws->rcv_certs[i]);
	free(ws->host);
	free(ws->body);
	free(ws->location);
	free(ws);
}

unsigned
world_sts_busy(const struct world_sts *ws)
{
	unsigned n = 0;

	if (ws == NULL)
		return 0;
	if (ws->path != NULL)
		n += mitm_policy_sessions(ws->path);
	if (ws->real != NULL)
		n += https_srv_conns(ws->real);
	if (ws->rcv != NULL)
		n += https_srv_conns(ws->rcv);
	return n;
}

const char *
world_sts_body(const struct world_sts *ws)
{
	return ws != NULL && ws->body != NULL ? ws->body : "";
}

size_t
world_sts_nreports(const struct world_sts *ws)
{
	return ws != NULL && ws->rcv != NULL ? https_srv_nreports(ws->rcv) : 0;
}

const struct https_report *
world_sts_report(const struct world_sts *ws, size_t i)
{
	return https_srv_report(ws->rcv, i);
}
