/*
 * world_dns: faults, zone states, the DNS attacker and its mail host,
 * TLSA data of named keys, and the lookup states they cause.  See
 * world_dns.h.
 *
 * The attacker's mail host: a spoofed MX or A record sends the sender to
 * evil.attacker.test (127.66.0.1) unless the scenario says otherwise; a
 * path (attacker/mitm) listens there on 25, 465 and 587 with a swap_cert
 * that keeps the mail (relay = false) and the attacker's certificate, so
 * what the sender gives it is recorded as given to the attacker.
 *
 * Ownership: a world_dns owns the DNS attacker, the mail host, their
 * certificates and client context; everything given to world_dns_new is
 * borrowed.  world_dns_free takes the taps off the db and the server.
 */
#include "sim/world_dns.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <ldns/ldns.h>
#include <openssl/evp.h>

#include "attacker/mitm.h"
#include "attacker/mitm_dns.h"
#include "core/tlsa.h"
#include "core/util.h"
#include "sim/world.h"

#define MAX_TLSA_SPEC 512

/* Something that breaks lookups of (name, type): a fault or an attack. */
struct breaker {
	char *name;           /* NULL = every name */
	int type;             /* 0 = every type */
	bool denial;          /* a denial (nxdomain/nodata fault) */
	char *cname;          /* a cname:TARGET fault: look there instead */
};

struct world_dns {
	struct dns_db *db;
	struct dns_srv *srv;
	struct mitm_dns *atk;
	struct mitm *evil;          /* the attacker's mail host, or NULL */
	struct pki_cert *evil_cert;
	struct pki_cert **certs;    /* poison_tlsa certificates */
	size_t ncerts;
	SSL_CTX *up_tls;
	struct breaker *br;
	size_t nbr;
};

static int
rrtype(const char *name)
{
	return name != NULL ? (int)ldns_get_rr_type_by_name(name) : 0;
}

int
world_dns_data(struct dns_db *db, const struct scn_world *sw,
	const char *ns_addr, char *err, size_t errlen)
{
	char e[512];

	for (size_t i = 0; i < sw->nzones; i++) {
		char *apex = xasprintf("%s.", sw->zones[i].apex);
		int r = dns_db_add_zone(db, apex, ns_addr, e, sizeof(e));

		free(apex);
		/* a zone the world made already (the domain's, an MX's) */
		if (r < 0 && strstr(e, "exist") == NULL &&
		    strstr(e, "already") == NULL) {
			snprintf(err, errlen, "zones: %s: %s", sw->zones[i].apex,
			    e);
			return -1;
		}
	}
	for (size_t i = 0; i < sw->ndns_faults; i++) {
		const struct scn_dns_fault *f = &sw->dns_faults[i];
		static const struct {
			const char *name;
			enum dns_fault f;
		} kinds[] = {
			{ "servfail", DNS_FAIL_SERVFAIL },
			{ "timeout", DNS_FAIL_TIMEOUT },
			{ "nxdomain", DNS_FAIL_NXDOMAIN },
			{ "nodata", DNS_FAIL_NODATA },
		};
		int r = -1;

		if (strncmp(f->fault, "cname:", 6) == 0) {
			char *rr = xasprintf("%s. 300 IN CNAME %s.", f->name,
			    f->fault + 6);

			r = dns_db_add_rr(db, rr, e, sizeof(e));
			free(rr);
		}
		for (size_t k = 0; k < ARRAY_LEN(kinds); k++)
			if (strcmp(f->fault, kinds[k].name) == 0)
				r = dns_db_add_fault(db, f->name, rrtype(f->type),
				    kinds[k].f, e, sizeof(e));
		if (r < 0) {
			snprintf(err, errlen, "dns_faults: %s %s %s: %s", f->name,
			    f->type ? f->type : "(every type)", f->fault, e);
			return -1;
		}
	}
	return 0;
}

int
world_dns_states(struct dns_db *db, const struct scn_world *sw, char *err,
	size_t errlen)
{
	char e[512];

	for (size_t i = 0; i < sw->nzones; i++) {
		const char *st = sw->zones[i].state;
		enum dns_sec_state s = DNS_SEC_SECURE;
		const char *kind = NULL;
		char *apex = xasprintf("%s.", sw->zones[i].apex);
		int r;

		if (strcmp(st, "insecure") == 0) {
			s = DNS_SEC_INSECURE;
		} else if (strncmp(st, "bogus", 5) == 0) {
			s = DNS_SEC_BOGUS;
			kind = st[5] == ':' ? st + 6 : NULL;
		}
		r = dns_db_set_state(db, apex, s, kind, e, sizeof(e));
		free(apex);
		if (r < 0) {
			snprintf(err, errlen, "zones: %s: %s", sw->zones[i].apex,
			    e);
			return -1;
		}
	}
	return 0;
}

/* ---- TLSA data ---- */

/* "U S M HEX" of the SPKI der for the spec's usage and matching type. */
static int
spki_tlsa(const uint8_t *der, size_t len, unsigned usage, unsigned mtype,
	char **out)
{
	struct tlsa_rr r = { usage, 1, mtype, NULL, 0 };
	unsigned int n = 0;
	uint8_t md[EVP_MAX_MD_SIZE];

	if (mtype == 0) {
		r.data = xmalloc(len);
		memcpy(r.data, der, len);
		r.len = len;
	} else if (mtype == 1 || mtype == 2) {
		if (EVP_Digest(der, len, md, &n, mtype == 1 ? EVP_sha256() :
		    EVP_sha512(), NULL) != 1)
			return -1;
		r.data = xmalloc(n);
		memcpy(r.data, md, n);
		r.len = n;
	} else {
		return -1;
	}
	*out = tlsa_rr_str(&r);
	tlsa_rr_clear(&r);
	return 0;
}

int
world_dns_tlsa_key(struct pki *p, const char *spec, char **out, char *err,
	size_t errlen)
{
	const char *last = strrchr(spec, ' ');
	char head[MAX_TLSA_SPEC], *auto_spec;
	struct tlsa_rr rr;
	enum tlsa_src src;
	uint8_t *der = NULL;
	size_t len = 0;
	unsigned usage, selector, mtype;
	int rc;

	if (last == NULL || strncmp(last + 1, "key:", 4) != 0)
		return 1;
	if ((size_t)(last - spec) >= sizeof(head) || last[5] == '\0') {
		snprintf(err, errlen, "\"%s\": key:ID names a key", spec);
		return -1;
	}
	memcpy(head, spec, (size_t)(last - spec));
	head[last - spec] = '\0';
	auto_spec = xasprintf("%s auto", head);
	rc = tlsa_parse(auto_spec, &rr, &src, err, errlen);
	free(auto_spec);
	if (rc < 0)
		return -1;
	usage = rr.usage;
	selector = rr.selector;
	mtype = rr.mtype;
	tlsa_rr_clear(&rr);   /* zeroes it */
	if (selector != 1) {
		snprintf(err, errlen, "\"%s\": key:ID data is a public key: "
		    "selector 1 (SPKI)", spec);
		return -1;
	}
	if (pki_key_spki(p, last + 5, NULL, &der, &len) < 0 ||
	    spki_tlsa(der, len, usage, mtype, out) < 0) {
		snprintf(err, errlen, "\"%s\": cannot compute the data (matching "
		    "types 0, 1, 2)", spec);
		free(der);
		return -1;
	}
	free(der);
	return 0;
}

/* poison_tlsa data: "U S M auto" from the attack's certificate, key:ID
 * from the named key, hex as given. */
static char *
poison_data(struct world_dns *wd, struct pki *p, const struct scn_dns_attack *a,
	const char *spec, char *err, size_t errlen)
{
	struct tlsa_rr rr;
	enum tlsa_src src;
	char *out = NULL;
	int rc = world_dns_tlsa_key(p, spec, &out, err, errlen);

	if (rc <= 0)
		return rc == 0 ? out : NULL;
	if (tlsa_parse(spec, &rr, &src, err, errlen) < 0)
		return NULL;
	if (src != TLSA_SRC_HEX) {
		const char *sans[16];
		struct pki_spec ps;
		struct pki_cert *c;

		world_cert_spec(&a->cert, a->host, &ps, sans, ARRAY_LEN(sans));
		if (pki_issue(p, &ps, &c, err, errlen) < 0) {
			tlsa_rr_clear(&rr);
			return NULL;
		}
		wd->certs = xrealloc(wd->certs, (wd->ncerts + 1) *
		    sizeof(*wd->certs));
		wd->certs[wd->ncerts++] = c;
		if (tlsa_rr_compute(&rr, pki_cert_x509(c)) < 0) {
			snprintf(err, errlen, "cannot compute \"%s\"", spec);
			tlsa_rr_clear(&rr);
			return NULL;
		}
	}
	out = tlsa_rr_str(&rr);
	tlsa_rr_clear(&rr);
	return out;
}

/* ---- the attacker ---- */

static void
add_breaker(struct world_dns *wd, const char *name, int type, bool denial)
{
	wd->br = xrealloc(wd->br, (wd->nbr + 1) * sizeof(*wd->br));
	wd->br[wd->nbr++] = (struct breaker){ name ? xstrdup(name) : NULL,
		type, denial, NULL };
}

/* The attacker's mail host on 127.66.0.1, keeping every message. */
static int
start_evil(struct world_dns *wd, struct loop *l, struct pki *p,
	struct rec *r, char *err, size_t errlen)
{
	static const uint16_t ports[] = { 25, 587, 465 };
	struct pki_spec ps = { .variant = "attacker", .host = PKI_ATTACKER_NAME };
	struct mitm_attack keep = { .kind = MITM_SWAP_CERT, .relay = false };
	struct mitm_config mc = {
		.host = PKI_ATTACKER_NAME,
		.listen_addr = WORLD_ATTACKER_ADDR,
		.upstream_addr = WORLD_ATTACKER_ADDR,
		.src_addr = WORLD_ATTACKER_ADDR,
		.ports = ports,
		.nports = ARRAY_LEN(ports),
		.implicit_tls_port = 465,
		.attacks = &keep,
		.nattacks = 1,
		.rec = r,
	};
	char e[512];

	if (pki_issue(p, &ps, &wd->evil_cert, e, sizeof(e)) < 0) {
		snprintf(err, errlen, "the attacker's certificate: %s", e);
		return -1;
	}
	keep.cert = wd->evil_cert;
	wd->up_tls = pki_client_ctx(p);
	mc.upstream_tls = wd->up_tls;
	wd->evil = mitm_new(l, &mc, e, sizeof(e));
	if (wd->evil == NULL) {
		snprintf(err, errlen, "the attacker's mail host: %s", e);
		return -1;
	}
	return 0;
}

static int
build_attacks(struct world_dns *wd, struct pki *p, struct rec *r,
	const struct scenario *scn, const struct scn_world *sw, char *err,
	size_t errlen)
{
	struct mitm_dns_attack *v = xcalloc(sw->ndns_attacks + 1, sizeof(*v));
	char ***data = xcalloc(sw->ndns_attacks + 1, sizeof(*data));
	struct mitm_dns_config cfg = { v, sw->ndns_attacks, r, WORLD_DNS_ADDR };
	char e[512];
	int rc = -1;

	for (size_t i = 0; i < sw->ndns_attacks; i++) {
		const struct scn_dns_attack *a = &sw->dns_attacks[i];
		int kind = mitm_dns_kind_lookup(a->name);

		v[i].kind = (enum mitm_dns_kind)kind;
		v[i].at = strcmp(a->at, "last-mile") == 0 ?
		    MITM_DNS_LAST_MILE : MITM_DNS_UPSTREAM;
		v[i].name = a->qname;
		v[i].type = (uint16_t)rrtype(a->qtype);
		v[i].servfail = a->mode != NULL && strcmp(a->mode, "servfail") == 0;
		v[i].nth = a->nth > 0 ? (unsigned)a->nth : 0;
		v[i].sb = scn->lua;
		v[i].ref = a->on_dns_answer;
		data[i] = xcalloc(a->ndata + 1, sizeof(**data));
		for (size_t k = 0; k < a->ndata; k++) {
			data[i][k] = v[i].kind == MITM_DNS_POISON_TLSA ?
			    poison_data(wd, p, a, a->data[k], e, sizeof(e)) :
			    xstrdup(a->data[k]);
			if (data[i][k] == NULL) {
				snprintf(err, errlen, "%s (line %d): %s", a->name,
				    a->line, e);
				goto out;
			}
		}
		v[i].data = (const char *const *)data[i];
		if (kind < 0) {
			snprintf(err, errlen, "unknown DNS attack %s", a->name);
			goto out;
		}
		if (v[i].at == MITM_DNS_UPSTREAM || v[i].kind == MITM_DNS_BLOCK)
			if (v[i].kind != MITM_DNS_HOOK)
				add_breaker(wd, a->qname, v[i].type, false);
	}
	wd->atk = mitm_dns_new(&cfg, e, sizeof(e));
	if (wd->atk == NULL) {
		snprintf(err, errlen, "DNS attacker: %s", e);
		goto out;
	}
	rc = 0;
out:
	for (size_t i = 0; i < sw->ndns_attacks; i++) {
		for (size_t k = 0; data[i] != NULL && data[i][k] != NULL; k++)
			free(data[i][k]);
		free(data[i]);
	}
	free(data);
	free(v);
	return rc;
}

struct world_dns *
world_dns_new(struct loop *l, struct pki *p, struct rec *r, struct dns_db *db,
	struct dns_srv *srv, const struct scenario *scn,
	const struct scn_world *sw, char *err, size_t errlen)
{
	struct world_dns *wd = xcalloc(1, sizeof(*wd));
	bool spoof = false;

	wd->db = db;
	wd->srv = srv;
	for (size_t i = 0; i < sw->ndns_faults; i++) {
		const struct scn_dns_fault *f = &sw->dns_faults[i];
		bool denial = strcmp(f->fault, "nxdomain") == 0 ||
		    strcmp(f->fault, "nodata") == 0;

		if (denial || strcmp(f->fault, "servfail") == 0 ||
		    strcmp(f->fault, "timeout") == 0)
			add_breaker(wd, f->name, rrtype(f->type), denial);
		if (strncmp(f->fault, "cname:", 6) == 0) {
			add_breaker(wd, f->name, 0, false);
			wd->br[wd->nbr - 1].cname = xstrdup(f->fault + 6);
		}
	}
	if (sw->ndns_attacks == 0)
		return wd;
	if (build_attacks(wd, p, r, scn, sw, err, errlen) < 0)
		goto fail;
	if (mitm_dns_at(wd->atk, MITM_DNS_UPSTREAM))
		dns_db_set_transit_tap(db, mitm_dns_upstream_tap, wd->atk);
	if (mitm_dns_at(wd->atk, MITM_DNS_LAST_MILE) && srv != NULL)
		dns_srv_set_tap(srv, mitm_dns_last_mile_tap, wd->atk);
	for (size_t i = 0; i < sw->ndns_attacks; i++)
		spoof |= strncmp(sw->dns_attacks[i].name, "spoof_", 6) == 0;
	if (spoof && start_evil(wd, l, p, r, err, errlen) < 0)
		goto fail;
	return wd;
fail:
	world_dns_free(wd);
	return NULL;
}

void
world_dns_free(struct world_dns *wd)
{
	if (wd == NULL)
		return;
	if (wd->atk != NULL && wd->db != NULL)
		dns_db_set_transit_tap(wd->db, NULL, NULL);
	if (wd->atk != NULL && wd->srv != NULL)
		dns_srv_set_tap(wd->srv, NULL, NULL);
	mitm_dns_free(wd->atk);
	mitm_free(wd->evil);
	pki_cert_free(wd->evil_cert);
	for (size_t i = 0; i < wd->ncerts; i++)
		pki_cert_free(wd->certs[i]);
	free(wd->certs);
	SSL_CTX_free(wd->up_tls);
	for (size_t i = 0; i < wd->nbr; i++) {
		free(wd->br[i].name);
		free(wd->br[i].cname);
	}
	free(wd->br);
	free(wd);
}

unsigned
world_dns_busy(const struct world_dns *wd)
{
	return wd != NULL && wd->evil != NULL ? mitm_sessions(wd->evil) : 0;
}

/* Names equal, case aside, with or without the trailing dot. */
static bool
name_eq(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);

	la -= la > 0 && a[la - 1] == '.';
	lb -= lb > 0 && b[lb - 1] == '.';
	return la == lb && strncasecmp(a, b, la) == 0;
}

/* Is the lookup (name, type) broken?  1 = failing, 2 = denied, 0 = no.
 * A CNAME fault sends the lookup on to its target (depth: loops). */
static int
broken(const struct world_dns *wd, const char *name, int type, int depth)
{
	int r = 0;

	for (size_t i = 0; i < wd->nbr; i++) {
		const struct breaker *b = &wd->br[i];

		if ((b->name != NULL && !name_eq(b->name, name)) ||
		    (b->type != 0 && b->type != type))
			continue;
		if (b->cname != NULL) {
			int c = depth < DNS_MAX_CNAME_HOPS ?
			    broken(wd, b->cname, type, depth + 1) : 1;

			if (c == 1)
				return 1;
			r = c > r ? c : r;
			continue;
		}
		if (!b->denial)
			return 1;
		r = 2;
	}
	return r;
}

const char *
world_dns_host_state(const struct world_dns *wd, const char *domain,
	const char *host, size_t ntlsa, const char *base)
{
	char tlsa[300];
	int t;

	if (wd == NULL || strcmp(base, "secure") != 0)
		return base;
	snprintf(tlsa, sizeof(tlsa), "_25._tcp.%s", host);
	if (broken(wd, domain, LDNS_RR_TYPE_MX, 0) == 1 ||
	    broken(wd, host, LDNS_RR_TYPE_A, 0) == 1)
		return "bogus";
	t = broken(wd, tlsa, LDNS_RR_TYPE_TLSA, 0);
	if (t == 1 || (t == 2 && ntlsa > 0))
		return "bogus";   /* a lookup error, or a forged denial */
	return base;
}
