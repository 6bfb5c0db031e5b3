/*
 * snd_sender: the public face of the reference sender (sender.h): the
 * configuration and its TLS policy, the list of deliveries in flight, the
 * message preparation (dot-stuffing) and the mode names.
 *
 * The policy is fixed at snd_new():
 *   relay, local_tls may       STARTTLS if offered, any certificate
 *   relay, local_tls encrypt   STARTTLS required, any certificate
 *   relay, local_tls secure    STARTTLS required, certificate verified
 *   relay, local_tls dane      only hosts where DANE applies (RFC 7672 6),
 *                              authenticated by their TLSA records
 *   submit, tls implicit       TLS on connect (465), verified
 *   submit, tls starttls       STARTTLS required (587), verified
 *   submit, tls optional       like "may"
 * SND_NO_VERIFY keeps the requirement but never verifies (nor requires
 * DANE);
 * SND_OPPORTUNISTIC never verifies and requires nothing (implicit TLS
 * stays TLS: there is no plaintext on 465).
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/util.h"
#include "senders/builtin/snd_int.h"

#define SND_DEFAULT_HELO "sender.mxsim.test"
#define SND_MAX_PATH 256   /* RFC 5321 4.5.3.1.3 */

static const char *mode_names[] = {
	[SND_STRICT] = "strict",
	[SND_OPPORTUNISTIC] = "opportunistic",
	[SND_NO_VERIFY] = "no-verify",
};

const char *
snd_mode_name(enum snd_mode m)
{
	if ((size_t)m < ARRAY_LEN(mode_names))
		return mode_names[m];
	return "?";
}

int
snd_mode_parse(const char *s, enum snd_mode *out)
{
	if (s == NULL || s[0] == '\0') {
		*out = SND_STRICT;
		return 0;
	}
	for (size_t i = 0; i < ARRAY_LEN(mode_names); i++) {
		if (strcmp(s, mode_names[i]) == 0) {
			*out = (enum snd_mode)i;
			return 0;
		}
	}
	return -1;
}

const char *
snd_result_name(enum snd_result r)
{
	switch (r) {
	case SND_DELIVERED:
		return "delivered";
	case SND_DEFERRED:
		return "deferred";
	case SND_BOUNCED:
		return "bounced";
	}
	return "?";
}

static char *
dup_or_null(const char *s)
{
	return s != NULL ? xstrdup(s) : NULL;
}

/* Fill s->req and s->verify from the configuration and the mode. */
static int
set_policy(struct sender *s)
{
	const struct snd_config *c = &s->cfg;
	const char *kw;

	if (s->submit) {
		kw = c->submit_tls != NULL ? c->submit_tls : "starttls";
		if (strcmp(kw, "implicit") == 0) {
			s->req = TLS_IMPLICIT;
			s->verify = true;
		} else if (strcmp(kw, "starttls") == 0) {
			s->req = TLS_ENCRYPT;
			s->verify = true;
		} else if (strcmp(kw, "optional") == 0) {
			s->req = TLS_MAY;
			s->verify = false;
		} else {
			log_err("sender", "unknown submission TLS \"%s\"", kw);
			return -1;
		}
	} else {
		kw = c->local_tls != NULL ? c->local_tls : "may";
		if (strcmp(kw, "may") == 0) {
			s->req = TLS_MAY;
			s->verify = false;
		} else if (strcmp(kw, "encrypt") == 0) {
			s->req = TLS_ENCRYPT;
			s->verify = false;
		} else if (strcmp(kw, "secure") == 0) {
			s->req = TLS_ENCRYPT;
			s->verify = true;
		} else if (strcmp(kw, "dane") == 0) {
			s->req = TLS_ENCRYPT;
			s->verify = false;   /* DANE authenticates, not PKIX */
			s->dane_required = c->mode == SND_STRICT;
		} else {
			log_err("sender", "unknown local TLS policy \"%s\"", kw);
			return -1;
		}
	}
	if (c->mode != SND_STRICT)
		s->verify = false;
	if (c->mode == SND_OPPORTUNISTIC && s->req == TLS_ENCRYPT)
		s->req = TLS_MAY;
	if (s->req != TLS_MAY && c->tls == NULL) {
		log_err("sender", "TLS is required but there is no TLS context");
		return -1;
	}
	return 0;
}

struct sender *
snd_new(struct loop *l, const struct snd_config *cfg)
{
	struct sender *s = xcalloc(1, sizeof(*s));
	struct snd_config *c = &s->cfg;
	struct in_addr ia;

	s->l = l;
	*c = *cfg;
	c->src_ip = s->src_ip = dup_or_null(cfg->src_ip);
	c->resolver_ip = s->resolver_ip = dup_or_null(cfg->resolver_ip);
	c->local_tls = s->local_tls = dup_or_null(cfg->local_tls);
	c->submit_host = s->submit_host = dup_or_null(cfg->submit_host);
	c->relay = s->relay = dup_or_null(cfg->relay);
	c->submit_tls = s->submit_tls = dup_or_null(cfg->submit_tls);
	c->auth_user = s->auth_user = dup_or_null(cfg->auth_user);
	c->auth_pass = s->auth_pass = dup_or_null(cfg->auth_pass);
	c->auth_mech = s->auth_mech = dup_or_null(cfg->auth_mech);
	c->helo = s->helo = xstrdup(cfg->helo ? cfg->helo : SND_DEFAULT_HELO);
	if (c->resolver_port == 0)
		c->resolver_port = 53;
	if (c->smtp_port == 0)
		c->smtp_port = 25;
	if (c->connect_timeout_ms == 0)
		c->connect_timeout_ms = 30000;
	if (c->cmd_timeout_ms == 0)
		c->cmd_timeout_ms = 300000;
	s->submit = c->submit_host != NULL;
	if (set_policy(s) < 0)
		goto fail;
	if (s->submit) {
		s->port = c->submit_port ? c->submit_port :
		    s->req == TLS_IMPLICIT ? 465 : 587;
	} else {
		s->port = c->smtp_port;
	}
	if ((c->auth_user == NULL) != (c->auth_pass == NULL) ||
	    (c->auth_mech != NULL && strcasecmp(c->auth_mech, "plain") != 0 &&
	    strcasecmp(c->auth_mech, "login") != 0)) {
		log_err("sender", "bad AUTH settings (user and pass together; "
		    "mech \"plain\" or \"login\")");
		goto fail;
	}
	if (c->src_ip != NULL && inet_pton(AF_INET, c->src_ip, &ia) != 1) {
		log_err("sender", "bad source address \"%s\"", c->src_ip);
		goto fail;
	}
	if (c->resolver_ip == NULL ||
	    (s->dns = snd_dns_new(l, c->src_ip, c->resolver_ip,
	    c->resolver_port)) == NULL) {
		log_err("sender", "bad resolver address \"%s\"",
		    c->resolver_ip ? c->resolver_ip : "(none)");
		goto fail;
	}
	if (c->dns_anchor != NULL) {   /* local DNSSEC validation */
		char err[256];
		if (snd_dns_set_anchor(s->dns, c->dns_anchor, err,
		    sizeof(err)) < 0) {
			log_err("sender", "%s", err);
			goto fail;
		}
		c->dns_anchor = NULL;   /* copied into the validator */
	}
	if (c->tls != NULL)
		snd_ocsp_request(c->tls);   /* status_request (snd_ocsp.c) */
	s->state = cfg->state;
	if (s->state == NULL)
		s->state = s->own_state = snd_state_new();
	if (c->tls != NULL && !s->submit &&
	    (s->http = snd_http_new(l, c->tls)) == NULL)
		log_warn("sender", "no HTTPS client: MTA-STS and TLSRPT over "
		    "HTTPS are off");
	log_info("sender", "%s sender, mode %s, %s TLS %s%s, from %s",
	    s->submit ? "submission" : "relay", snd_mode_name(c->mode),
	    s->submit ? "submission" : "local",
	    s->req == TLS_MAY ? "may" : s->req == TLS_ENCRYPT ? "required" :
	    "implicit", s->verify ? " (verified)" : "",
	    c->src_ip ? c->src_ip : "any address");
	return s;
fail:
	snd_free(s);
	return NULL;
}

void
snd_free(struct sender *s)
{
	if (s == NULL)
		return;
	while (s->jobs != NULL) {
		struct job *j = s->jobs;
		s->jobs = j->next;
		snd_job_free(j);
	}
	snd_rpt_run_free(s->reporting);
	snd_http_free(s->http);
	snd_state_free(s->own_state);
	snd_dns_free(s->dns);
	free(s->src_ip);
	free(s->resolver_ip);
	free(s->local_tls);
	free(s->submit_host);
	free(s->relay);
	free(s->submit_tls);
	free(s->auth_user);
	free(s->auth_pass);
	free(s->auth_mech);
	free(s->helo);
	free(s);
}

size_t
snd_pending(const struct sender *s)
{
	size_t n = 0;

	for (const struct job *j = s->jobs; j != NULL; j = j->next)
		n++;
	return n;
}

/* CRLF line ends, a '.' doubled at the start of a line (RFC 5321
 * 4.5.2), the terminating ".\r\n". */
static char *
dot_stuff(const char *body)
{
	struct buf b;
	const char *p = body;

	buf_init(&b);
	while (*p != '\0') {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		size_t take = n;
		if (take > 0 && p[take - 1] == '\r')
			take--;
		if (p[0] == '.')
			buf_append(&b, ".", 1);
		buf_append(&b, p, take);
		buf_append(&b, "\r\n", 2);
		p += n + (nl ? 1 : 0);
	}
	buf_append(&b, ".\r\n", 3);
	char *r = xstrdup(buf_cstr(&b));
	buf_free(&b);
	return r;
}

static bool
path_ok(const char *s)
{
	if (strlen(s) > SND_MAX_PATH)
		return false;
	for (const char *p = s; *p; p++) {
		if ((unsigned char)*p <= ' ' || *p == '<' || *p == '>' ||
		    *p == 0x7f)
			return false;
	}
	return true;
}

int
snd_send(struct sender *s, const char *from, const char *rcpt,
    const char *body, snd_done_cb *done, void *arg)
{
	return snd_send_opt(s, from, rcpt, body, NULL, done, arg);
}

int
snd_send_opt(struct sender *s, const char *from, const char *rcpt,
    const char *body, const struct snd_msg_opts *o, snd_done_cb *done,
    void *arg)
{
	const char *at = rcpt != NULL ? strrchr(rcpt, '@') : NULL;
	struct job *j;

	if (from == NULL || at == NULL || at == rcpt || at[1] == '\0' ||
	    !path_ok(from) || !path_ok(rcpt) || done == NULL) {
		log_warn("sender", "refusing to send: bad envelope <%s> -> <%s>",
		    from ? from : "", rcpt ? rcpt : "");
		return -1;
	}
	j = xcalloc(1, sizeof(*j));
	j->s = s;
	j->from = xstrdup(from);
	j->rcpt = xstrdup(rcpt);
	/* the next hop's domain: the smart host's when relaying through one,
	 * which is then also the MTA-STS policy domain (RFC 8461 3.4) */
	j->domain = xstrdup(s->relay != NULL && !s->submit ? s->relay : at + 1);
	for (char *p = j->domain; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	size_t n = strlen(j->domain);
	if (n > 1 && j->domain[n - 1] == '.')
		j->domain[n - 1] = '\0';
	j->body = dot_stuff(body != NULL ? body : "");
	j->done = done;
	j->arg = arg;
	j->st = J_RESOLVE;
	j->no_report = s->internal_send;
	if (o != NULL && o->requiretls) {
		if (s->cfg.mode == SND_OPPORTUNISTIC)
			log_info("sender", "REQUIRETLS ignored (mode %s)",
			    snd_mode_name(s->cfg.mode));
		else
			j->requiretls = true;
	}
	if (!j->requiretls && ((o != NULL && o->tls_optional) ||
	    snd_reqtls_header_no(body != NULL ? body : "")))
		j->tls_optional = true;
	smtp_reply_init(&j->rep);
	j->next = s->jobs;
	s->jobs = j;
	log_info("sender", "new message <%s> -> <%s> (%zu bytes)%s%s", from,
	    rcpt, strlen(j->body), j->requiretls ? ", REQUIRETLS" : "",
	    j->tls_optional ? ", TLS-Required: No" : "");
	snd_job_start(j);
	return 0;
}
