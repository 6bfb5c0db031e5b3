/*
 * world_mail: the TLSRPT receiver by mail of a world.  See world_mail.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/util.h"
#include "senders/builtin/sender.h"
#include "sim/world.h"
#include "sim/world_mail.h"

#define MAX_REPORTS 32   /* report mails kept per world */

struct world_mail {
	char **rua;               /* the mailto: addresses */
	size_t nrua;
	char *txt;                /* the key record published, or NULL */
	struct world_mail_report rep[MAX_REPORTS];
	size_t nrep;
};

static int
add_rr(struct dns_db *db, const char *rr, char *err, size_t errlen)
{
	char e[512];

	if (dns_db_add_rr(db, rr, e, sizeof(e)) < 0) {
		snprintf(err, errlen, "DNS record \"%.200s\": %s", rr, e);
		return -1;
	}
	return 0;
}

/* The key record, as TXT strings of at most 255 bytes (RSA keys are
 * longer than one string). */
static int
publish(struct world_mail *wm, struct dns_db *db, char *err, size_t errlen)
{
	const char *name = SND_DKIM_SELECTOR "._domainkey." SND_DKIM_DOMAIN;
	char e[512];
	struct buf rr = { 0 };
	int rc;

	/* the zone of the reference sender's domain (a duplicate is fine:
	 * a scenario may already have it) */
	if (dns_db_add_zone(db, SND_DKIM_DOMAIN ".", WORLD_DNS_ADDR, e,
	    sizeof(e)) < 0 && strstr(e, "exist") == NULL &&
	    strstr(e, "already") == NULL && strstr(e, "duplicate") == NULL) {
		snprintf(err, errlen, "zone %s: %s", SND_DKIM_DOMAIN, e);
		return -1;
	}
	buf_appendf(&rr, "%s. 300 IN TXT", name);
	for (size_t i = 0, n = strlen(wm->txt); i < n; i += 255)
		buf_appendf(&rr, " \"%.255s\"", wm->txt + i);
	rc = add_rr(db, buf_cstr(&rr), err, errlen);
	buf_free(&rr);
	return rc;
}

struct world_mail *
world_mail_new(struct pki *p, struct dns_db *db, const struct scn_world *sw,
    char *err, size_t errlen)
{
	struct world_mail *wm = xcalloc(1, sizeof(*wm));
	EVP_PKEY *key;

	for (size_t i = 0; i < sw->ntlsrpt_rua; i++) {
		const char *u = sw->tlsrpt_rua[i];
		if (strncasecmp(u, "mailto:", 7) != 0)
			continue;
		wm->rua = xrealloc(wm->rua, (wm->nrua + 1) * sizeof(*wm->rua));
		wm->rua[wm->nrua++] = xstrndup(u + 7, strcspn(u + 7, "?"));
	}
	if (wm->nrua == 0)
		return wm;
	key = pki_named_key(p, SND_DKIM_KEY_ID, "ed25519");
	wm->txt = key ? mail_dkim_txt(key) : NULL;
	EVP_PKEY_free(key);
	if (wm->txt == NULL) {
		snprintf(err, errlen, "DKIM: cannot make the reference sender's key");
		world_mail_free(wm);
		return NULL;
	}
	if (publish(wm, db, err, errlen) < 0) {
		world_mail_free(wm);
		return NULL;
	}
	return wm;
}

void
world_mail_free(struct world_mail *wm)
{
	if (wm == NULL)
		return;
	for (size_t i = 0; i < wm->nrua; i++)
		free(wm->rua[i]);
	free(wm->rua);
	for (size_t i = 0; i < wm->nrep; i++) {
		free(wm->rep[i].rcpt);
		free(wm->rep[i].mx);
		mail_rpt_free(wm->rep[i].rpt);
	}
	free(wm->txt);
	free(wm);
}

bool
world_mail_is_rua(const struct world_mail *wm, const char *rcpt)
{
	for (size_t i = 0; wm != NULL && i < wm->nrua; i++)
		if (strcasecmp(wm->rua[i], rcpt) == 0)
			return true;
	return false;
}

/* The key of d/s: the world publishes the reference sender's only. */
static char *
key_lookup(const char *d, const char *s, void *arg)
{
	const struct world_mail *wm = arg;

	if (wm->txt == NULL || strcasecmp(d, SND_DKIM_DOMAIN) != 0 ||
	    strcmp(s, SND_DKIM_SELECTOR) != 0)
		return NULL;
	return xstrdup(wm->txt);
}

static void
on_message(const struct smtp_msg *m, void *arg)
{
	struct world_mail *wm = arg;
	struct world_mail_report *r;
	const char *rcpt = NULL;

	for (size_t i = 0; i < m->nrcpts && rcpt == NULL; i++)
		if (world_mail_is_rua(wm, m->rcpts[i]))
			rcpt = m->rcpts[i];
	if (rcpt == NULL)
		return;   /* ordinary mail: not kept */
	if (wm->nrep == MAX_REPORTS) {
		log_warn("tlsrpt-mail", "more than %d report mails: the rest are "
		    "not read", MAX_REPORTS);
		return;
	}
	r = &wm->rep[wm->nrep++];
	r->rcpt = xstrdup(rcpt);
	r->mx = xstrdup(m->mx);
	r->tls = m->tls;
	r->rpt = mail_rpt_parse(m->data, m->len);
	mail_dkim_verify(m->data, m->len, key_lookup, wm, &r->dkim);
	log_info("tlsrpt-mail", "report mail to %s via %s: %zu bytes, %zu "
	    "format finding(s), DKIM %s", rcpt, m->mx, m->len, r->rpt->nfindings,
	    mail_dkim_status_name(r->dkim.status));
}

smtp_msg_cb *
world_mail_capture(const struct world_mail *wm)
{
	return wm != NULL && wm->nrua > 0 ? on_message : NULL;
}

size_t
world_mail_nreports(const struct world_mail *wm)
{
	return wm != NULL ? wm->nrep : 0;
}

const struct world_mail_report *
world_mail_report(const struct world_mail *wm, size_t i)
{
	return i < world_mail_nreports(wm) ? &wm->rep[i] : NULL;
}
