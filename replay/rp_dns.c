/*
 * rp_dns: TLSRPT rua addresses out of captured DNS answers.  See
 * rp_dns.h.
 */
#include "replay/rp_dns.h"

#include <ldns/ldns.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/result.h"
#include "core/util.h"
#include "fake-https/sts.h"

struct rp_dns {
	char *rua[RP_DNS_MAX_RUA];
	size_t n;
	struct rp_tlsa_obs tlsa[RP_DNS_MAX_TLSA];
	size_t ntlsa;
};

struct rp_dns *
rp_dns_new(void)
{
	return xcalloc(1, sizeof(struct rp_dns));
}

static void
add_rua(struct rp_dns *d, const char *addr)
{
	if (d->n >= RP_DNS_MAX_RUA || rp_dns_is_rua(d, addr))
		return;
	d->rua[d->n++] = xstrdup(addr);
}

/* The TXT record's strings, concatenated (RFC 7208 3.3 style). */
static char *
txt_text(const ldns_rr *rr)
{
	struct buf b = { 0 };

	for (size_t i = 0; i < ldns_rr_rd_count(rr); i++) {
		const ldns_rdf *f = ldns_rr_rdf(rr, i);
		const uint8_t *p = ldns_rdf_data(f);
		size_t n = ldns_rdf_size(f);
		if (n >= 1 && (size_t)p[0] + 1 <= n)
			buf_append(&b, p + 1, p[0]);
	}
	char *s = xstrdup(b.len ? buf_cstr(&b) : "");
	buf_free(&b);
	return s;
}

static void
txt_rr(struct rp_dns *d, const ldns_rr *rr)
{
	char *owner = ldns_rdf2str(ldns_rr_owner(rr)), err[128];
	struct sts_tlsrpt_txt *t = NULL;

	if (owner == NULL || strncasecmp(owner, "_smtp._tls.", 11) != 0) {
		free(owner);
		return;
	}
	free(owner);
	char *text = txt_text(rr);
	if (sts_tlsrpt_txt_parse(text, &t, err, sizeof(err)) == 0) {
		for (size_t i = 0; i < t->nrua; i++)
			if (strncasecmp(t->rua[i], "mailto:", 7) == 0) {
				/* mailto:addr?query: the address only */
				char *a = xstrdup(t->rua[i] + 7);
				a[strcspn(a, "?")] = '\0';
				add_rua(d, a);
				free(a);
			}
		sts_tlsrpt_txt_free(t);
	}
	free(text);
}

/* "_25._tcp.mx1.example.test." -> "mx1.example.test", or NULL. */
static char *
tlsa_base(const ldns_rdf *qname)
{
	char *q = ldns_rdf2str(qname), *p;

	if (q == NULL || q[0] != '_' || (p = strstr(q, "._tcp.")) == NULL ||
	    p[6] == '\0') {
		free(q);
		return NULL;
	}
	char *h = xstrdup(p + 6);
	size_t n = strlen(h);
	if (n > 0 && h[n - 1] == '.')
		h[n - 1] = '\0';
	free(q);
	return h;
}

static void
tlsa_answer(struct rp_dns *d, const ldns_pkt *pkt, uint64_t ts_us)
{
	const ldns_rr_list *qs = ldns_pkt_question(pkt);
	const ldns_rr *q = ldns_rr_list_rr_count(qs) == 1 ? ldns_rr_list_rr(qs, 0) : NULL;
	char *host;

	if (q == NULL || ldns_rr_get_type(q) != LDNS_RR_TYPE_TLSA ||
	    d->ntlsa >= RP_DNS_MAX_TLSA || (host = tlsa_base(ldns_rr_owner(q))) == NULL)
		return;
	struct rp_tlsa_obs *o = &d->tlsa[d->ntlsa++];
	memset(o, 0, sizeof(*o));
	o->host = host;
	o->ts_us = ts_us;
	o->state = ldns_pkt_get_rcode(pkt) == LDNS_RCODE_SERVFAIL ? "bogus" :
	    ldns_pkt_ad(pkt) ? "secure" : "insecure";
	const ldns_rr_list *an = ldns_pkt_answer(pkt);
	for (size_t i = 0; i < ldns_rr_list_rr_count(an); i++) {
		const ldns_rr *rr = ldns_rr_list_rr(an, i);
		if (ldns_rr_get_type(rr) != LDNS_RR_TYPE_TLSA || ldns_rr_rd_count(rr) != 4)
			continue;
		struct buf b = { 0 };
		const ldns_rdf *data = ldns_rr_rdf(rr, 3);
		buf_appendf(&b, "%u %u %u ", ldns_rdf2native_int8(ldns_rr_rdf(rr, 0)),
		    ldns_rdf2native_int8(ldns_rr_rdf(rr, 1)),
		    ldns_rdf2native_int8(ldns_rr_rdf(rr, 2)));
		for (size_t k = 0; k < ldns_rdf_size(data); k++)
			buf_appendf(&b, "%02X", ldns_rdf_data(data)[k]);
		o->rrs = xrealloc(o->rrs, (o->nrrs + 1) * sizeof(*o->rrs));
		o->rrs[o->nrrs++] = xstrdup(buf_cstr(&b));
		buf_free(&b);
	}
}

void
rp_dns_feed(struct rp_dns *d, const uint8_t *p, size_t len, uint64_t ts_us)
{
	ldns_pkt *pkt = NULL;

	if (len < 12 || ldns_wire2pkt(&pkt, p, len) != LDNS_STATUS_OK)
		return;
	if (ldns_pkt_qr(pkt))
		tlsa_answer(d, pkt, ts_us);
	if (ldns_pkt_qr(pkt)) {
		ldns_rr_list *an = ldns_pkt_answer(pkt);
		for (size_t i = 0; i < ldns_rr_list_rr_count(an); i++) {
			const ldns_rr *rr = ldns_rr_list_rr(an, i);
			if (ldns_rr_get_type(rr) == LDNS_RR_TYPE_TXT)
				txt_rr(d, rr);
		}
	}
	ldns_pkt_free(pkt);
}

bool
rp_dns_is_rua(const struct rp_dns *d, const char *addr)
{
	for (size_t i = 0; d != NULL && i < d->n; i++)
		if (strcasecmp(d->rua[i], addr) == 0)
			return true;
	return false;
}

size_t
rp_dns_rua_count(const struct rp_dns *d)
{
	return d ? d->n : 0;
}

size_t
rp_dns_tlsa_count(const struct rp_dns *d)
{
	return d ? d->ntlsa : 0;
}

const struct rp_tlsa_obs *
rp_dns_tlsa(const struct rp_dns *d, size_t i)
{
	return d != NULL && i < d->ntlsa ? &d->tlsa[i] : NULL;
}

void
rp_dns_free(struct rp_dns *d)
{
	if (d == NULL)
		return;
	for (size_t i = 0; i < d->n; i++)
		free(d->rua[i]);
	for (size_t i = 0; i < d->ntlsa; i++) {
		free(d->tlsa[i].host);
		res_strv_free(d->tlsa[i].rrs, d->tlsa[i].nrrs);
	}
	free(d);
}
