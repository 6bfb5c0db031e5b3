/*
 * snd_dane: DANE for SMTP (RFC 7672) in the reference sender.
 *
 * DANE is looked at only by a relay in strict or no-verify mode (the
 * opportunistic mode ignores it, as a pre-DANE sender would), in the
 * first pass over the MX hosts, and only when the MX answer (or, for an
 * implicit MX, the NODATA answer to the MX query) was DNSSEC-validated
 * (RFC 7672 2.2.1; DANE for a host reached through an insecure MX RRset
 * is a MAY, not done here).  "Validated" is the answer's ad: the stub's
 * own validation from the world's trust anchor (snd_dnssec.c), so that
 * signatures stripped between the resolver and the sender make the data
 * bogus (SERVFAIL below), not insecure; only builtin:trust-ad takes the
 * resolver's AD bit instead.  Then, per host:
 *
 *   address records insecure   no TLSA query at all (RFC 7672 2.2.2);
 *                              local policy, as without DANE
 *   TLSA lookup fails          SERVFAIL (bogus data on a validating
 *                              resolver), timeout, other rcodes: the host
 *                              is not used, and if nothing else delivers
 *                              the message is deferred (RFC 7672 2.1.1,
 *                              2.1.2; RFC 6698 4.1)
 *   TLSA absent                NXDOMAIN or NODATA, secure or not: no DANE
 *   TLSA insecure              records without AD: ignored (RFC 6698 4.1)
 *   TLSA secure                DANE applies: STARTTLS is mandatory, with
 *                              no plaintext fallback of any kind; the SNI
 *                              is the TLSA base domain; with usable
 *                              records the certificate must match them
 *                              (core/tlsa.c: DANE-EE ignores names and
 *                              dates, DANE-TA checks the chain, the dates
 *                              and the names base domain, MX host and
 *                              next-hop domain, RFC 7672 3.2.2); without
 *                              usable records TLS is enough (2.2).
 *
 * With the local policy "dane" (strict mode), a host DANE does not apply
 * to, for any of the reasons above, is not used (RFC 7672 6).
 *
 * When the address answer came through a secure CNAME chain, the TLSA
 * base domain is the expanded name first, then the original one (RFC
 * 7672 2.2.3).  The TLSA query is for _<port>._tcp.<base>.  In no-verify
 * mode the TLS requirement stays and the certificate is not checked.
 * Every decision is logged with log_info("sender").
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/ssl.h>

#include "core/util.h"
#include "senders/builtin/snd_int.h"

void
snd_dane_host_clear(struct host *h)
{
	for (size_t i = 0; i < h->ntlsa; i++)
		tlsa_rr_clear(&h->tlsa[i]);
	free(h->tlsa);
	free(h->dane_base);
	h->tlsa = NULL;
	h->ntlsa = 0;
	h->dane_base = NULL;
	h->dane = false;
}

void
snd_dane_job_clear(struct job *j)
{
	for (size_t i = 0; i < j->ntlsa_base; i++)
		free(j->tlsa_base[i]);
	j->ntlsa_base = j->itlsa_base = 0;
}

/* Whether DANE is looked at at all (the MX set's security aside). */
static bool
dane_wanted(const struct job *j)
{
	const struct sender *s = j->s;

	return !s->submit && s->cfg.mode != SND_OPPORTUNISTIC && j->pass == 0 &&
	    !j->tls_optional;   /* TLS-Required: No (RFC 8689 4.2.2) */
}

/* DANE does not apply to hosts[ihost] (why): connect, unless the local
 * policy requires DANE (RFC 7672 6): then the host is not used. */
static void
no_dane(struct job *j, const char *why)
{
	struct host *h = &j->hosts[j->ihost];

	if (!j->s->dane_required) {
		log_info("sender", "%s: %s: DANE does not apply", h->name, why);
		snd_job_connect(j);
		return;
	}
	j->soft = true;
	snd_job_log(j, "%s: %s, and the local policy requires DANE: the host "
	    "is not used (RFC 7672 6)", h->name, why);
	snd_rpt_host_failure(j, "dane-required");   /* RFC 8460 4.3.2.1 */
	snd_job_skip_host(j);
}

static void on_tlsa(const struct snd_dns_answer *a, void *arg);

/* Ask for the TLSA RRset of tlsa_base[itlsa_base]. */
static void
tlsa_query(struct job *j)
{
	const char *base = j->tlsa_base[j->itlsa_base];
	char name[300];

	snprintf(name, sizeof(name), "_%u._tcp.%s", j->s->port, base);
	log_info("sender", "%s: TLSA lookup %s", j->hosts[j->ihost].name, name);
	j->st = J_RESOLVE;
	j->dnsq = snd_dns_query(j->s->dns, name, SND_DNS_TLSA, on_tlsa, j);
	if (j->dnsq == 0)   /* a base domain too long for a TLSA owner */
		no_dane(j, "no valid TLSA owner name");
}

void
snd_dane_addrs(struct job *j, const struct snd_dns_answer *a)
{
	struct host *h = &j->hosts[j->ihost];

	snd_dane_host_clear(h);
	snd_dane_job_clear(j);
	if (!dane_wanted(j)) {
		snd_job_connect(j);
		return;
	}
	if (!j->mx_secure) {
		no_dane(j, "the MX RRset is not DNSSEC-validated (RFC 7672 2.2.1)");
		return;
	}
	if (!a->ad) {
		no_dane(j, "address records not DNSSEC-validated, no TLSA lookup "
		    "(RFC 7672 2.2.2)");
		return;
	}
	if (a->cname != NULL && strcmp(a->cname, h->name) != 0)
		j->tlsa_base[j->ntlsa_base++] = xstrdup(a->cname);
	j->tlsa_base[j->ntlsa_base++] = xstrdup(h->name);
	tlsa_query(j);
}

/* A secure TLSA RRset for hosts[ihost]: DANE applies. */
static void
dane_on(struct job *j, const struct snd_dns_answer *a, const char *base)
{
	struct host *h = &j->hosts[j->ihost];
	size_t usable = 0;
	char err[128];

	h->dane = true;
	h->dane_base = xstrdup(base);
	h->tlsa = xcalloc(a->nrdata, sizeof(*h->tlsa));
	for (size_t i = 0; i < a->nrdata; i++) {
		struct tlsa_rr *r = &h->tlsa[h->ntlsa];
		if (tlsa_parse(a->rdata[i], r, NULL, err, sizeof(err)) < 0) {
			/* malformed: unusable (RFC 7672 2.2), nothing to keep */
			log_info("sender", "%s: TLSA record \"%.40s\" unusable: %s",
			    h->name, a->rdata[i], err);
			continue;
		}
		usable += tlsa_usable(r);
		h->ntlsa++;
	}
	log_info("sender", "%s: DANE applies: %zu secure TLSA record%s at "
	    "_%u._tcp.%s, %zu usable; TLS is mandatory%s (RFC 7672 2.2)",
	    h->name, a->nrdata, a->nrdata == 1 ? "" : "s", j->s->port, base,
	    usable, usable > 0 && j->s->cfg.mode == SND_STRICT ?
	    " and the certificate must match" : "");
}

static void
on_tlsa(const struct snd_dns_answer *a, void *arg)
{
	struct job *j = arg;
	struct host *h = &j->hosts[j->ihost];
	const char *base = j->tlsa_base[j->itlsa_base];

	j->dnsq = 0;
	if (a->rcode == SND_DNS_NOERROR && a->nrdata > 0) {
		if (!a->ad) {
			no_dane(j, "TLSA records not DNSSEC-validated, ignored (RFC "
			    "6698 4.1)");
			return;
		}
		dane_on(j, a, base);
		snd_job_connect(j);
		return;
	}
	if (a->rcode == SND_DNS_NOERROR || a->rcode == SND_DNS_NXDOMAIN) {
		if (j->itlsa_base + 1 < j->ntlsa_base) {
			j->itlsa_base++;
			log_info("sender", "%s: no TLSA records for %s; trying the "
			    "original name (RFC 7672 2.2.3)", h->name, base);
			tlsa_query(j);
			return;
		}
		no_dane(j, a->rcode == SND_DNS_NXDOMAIN ? a->ad ?
		    "no TLSA records (NXDOMAIN, DNSSEC-validated)" :
		    "no TLSA records (NXDOMAIN)" : a->ad ?
		    "no TLSA records (NODATA, DNSSEC-validated)" :
		    "no TLSA records (NODATA)");
		return;
	}
	j->soft = true;
	snd_job_log(j, "%s: TLSA lookup for %s failed (%s): the host is not "
	    "used (RFC 7672 2.1.1)", h->name, a->qname, a->why);
	snd_rpt_host_failure(j, "dnssec-invalid");   /* RFC 8460 4.3.2.1 */
	snd_job_skip_host(j);
}

const char *
snd_dane_sni(const struct job *j)
{
	const struct host *h = &j->hosts[j->ihost];

	return h->dane ? h->dane_base : NULL;
}

const char *
snd_dane_check(struct job *j, char *det, size_t detlen)
{
	struct sender *s = j->s;
	struct host *h = &j->hosts[j->ihost];
	SSL *ssl = conn_ssl(j->c);
	STACK_OF(X509) *peer = SSL_get_peer_cert_chain(ssl);
	STACK_OF(X509) *rest = sk_X509_new_null();
	const char *names[3];
	size_t nnames = 0;
	enum tlsa_auth a;

	snprintf(det, detlen, "%s", "");
	if (s->cfg.mode != SND_STRICT) {
		sk_X509_free(rest);
		snprintf(det, detlen, "not checked (mode %s)",
		    snd_mode_name(s->cfg.mode));
		return NULL;
	}
	if (rest == NULL)
		fatal("sender: out of memory");
	/* the client's peer chain starts with the leaf */
	for (int i = 1; peer != NULL && i < sk_X509_num(peer); i++)
		if (sk_X509_push(rest, sk_X509_value(peer, i)) <= 0)
			fatal("sender: out of memory");
	names[nnames++] = h->dane_base;
	if (strcmp(h->name, h->dane_base) != 0)
		names[nnames++] = h->name;
	if (strcmp(j->domain, h->dane_base) != 0 && strcmp(j->domain, h->name) != 0)
		names[nnames++] = j->domain;
	a = tlsa_verify(h->tlsa, h->ntlsa, SSL_get0_peer_certificate(ssl), rest,
	    names, nnames, loop_wallclock(s->l), det, detlen);
	sk_X509_free(rest);
	switch (a) {
	case TLSA_AUTH_OK:
		j->tls_verified = true;
		return NULL;
	case TLSA_AUTH_NO_USABLE:
		return NULL;   /* TLS without authentication (RFC 7672 2.2) */
	default:
		return tlsa_auth_name(a);
	}
}
