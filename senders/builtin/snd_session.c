/*
 * snd_session: the SMTP dialogue of the reference sender on one
 * connection: what each reply means in each state (a table of handlers),
 * STARTTLS (RFC 3207) and implicit TLS (RFC 8314), and the certificate
 * check.
 *
 * TLS policy, per connection: STARTTLS is issued when the server offers it
 * and the connection is not a plaintext retry, never twice; after the
 * handshake EHLO is sent again and the pre-TLS capabilities are forgotten
 * (RFC 3207 4.2).  When TLS is required (local_tls encrypt/secure,
 * submission starttls/implicit, DANE; not in opportunistic mode), a missing or
 * refused STARTTLS or a failed handshake loses that server.  When the
 * certificate must be verified, the chain is checked against the trust
 * store of the client context at the loop's wall clock, with the host name
 * as a DNS-ID (RFC 6125: no partial wildcards, never the subject CN); a
 * failure sends QUIT at once, before any MAIL (RFC 3207 4.1).
 *
 * AUTH (a submission client with credentials): PLAIN with an initial
 * response, or LOGIN, as the post-TLS EHLO offers, before MAIL; never
 * outside TLS (RFC 8314 5.2: the connection is lost instead), except in
 * the opportunistic mode, which authenticates wherever AUTH is offered.
 * A 5xx to AUTH bounces the message.
 *
 * Handlers run from conn callbacks; they never free anything (see
 * snd_smtp.c for lifetimes).
 */
#include <openssl/err.h>
#include <openssl/x509v3.h>
#include <arpa/inet.h>
#include <string.h>
#include <strings.h>

#include "core/util.h"
#include "fake-mx/smtp_auth.h"
#include "senders/builtin/snd_int.h"

static bool
tls_required(const struct job *j)
{
	const struct host *h = &j->hosts[j->ihost];

	return j->s->req != TLS_MAY || h->dane || h->sts_enforce ||
	    j->requiretls;
}

/* The reply, one line, printable, for logs and `why`. */
static const char *
reply_text(const struct job *j, char *out, size_t n)
{
	const struct smtp_reply *r = &j->rep;

	if (r->nlines == 0) {
		snprintf(out, n, "%d", r->code);
		return out;
	}
	const char *last = r->lines[r->nlines - 1];
	str_sanitize(out, n, last, strlen(last));
	return out;
}

static void
send_mail(struct job *j)
{
	/* RFC 8689 2: never REQUIRETLS outside TLS */
	snd_send_cmd(j, J_MAIL, "MAIL FROM:<%s>%s", j->from,
	    j->requiretls && j->tls_on ? " REQUIRETLS" : "");
}

/* --- AUTH (RFC 4954, PLAIN RFC 4616, LOGIN) for a submission client --- */

static void refused(struct job *j, int code, const char *step, bool permanent);

/* Whether the EHLO reply in j->rep lists SASL mechanism mech ("AUTH
 * PLAIN LOGIN", or the old "AUTH=PLAIN"). */
static bool
ehlo_offers_mech(const struct job *j, const char *mech)
{
	size_t n = strlen(mech);

	for (size_t i = 1; i < j->rep.nlines; i++) {
		const char *p = j->rep.lines[i];
		if (strlen(p) < 9 || strncasecmp(p + 4, "AUTH", 4) != 0 ||
		    (p[8] != ' ' && p[8] != '='))
			continue;
		for (p += 9; *p != '\0'; p += strcspn(p, " ")) {
			p += strspn(p, " ");
			if (strncasecmp(p, mech, n) == 0 && (p[n] == ' ' || p[n] == '\0'))
				return true;
		}
	}
	return false;
}

/* The credentials go only inside TLS (RFC 8314 5.2, RFC 4954 4; the
 * pre-TLS EHLO is forgotten, RFC 3207 4.2); the opportunistic mode
 * authenticates wherever AUTH is offered.  Then MAIL. */
static void
auth_or_mail(struct job *j)
{
	struct sender *s = j->s;
	const char *want = s->cfg.auth_mech;
	char ir[2 * 4 * (SMTP_AUTH_FIELD_MAX + 2) / 3 + 8];
	bool plain, login;

	if (!s->submit || s->cfg.auth_user == NULL || j->authed) {
		send_mail(j);
		return;
	}
	if (!j->tls_on && s->cfg.mode != SND_OPPORTUNISTIC) {
		snd_job_fail(j, true, "%s: no TLS on this connection, and the "
		    "submission credentials never go in clear text (RFC 8314 "
		    "5.2)", j->peer);
		return;
	}
	plain = ehlo_offers_mech(j, "PLAIN") &&
	    (want == NULL || strcasecmp(want, "plain") == 0);
	login = ehlo_offers_mech(j, "LOGIN") &&
	    (want == NULL || strcasecmp(want, "login") == 0);
	if (!plain && !login) {
		log_info("sender", "%s: AUTH %s not offered; submitting without "
		    "authentication", j->peer, want ? want : "PLAIN or LOGIN");
		send_mail(j);
		return;
	}
	j->auth_login = !plain;
	j->auth_step = 0;
	if (j->auth_login) {
		snd_send_cmd(j, J_AUTH, "AUTH LOGIN");
		return;
	}
	if (smtp_auth_plain_encode(s->cfg.auth_user, s->cfg.auth_pass, ir,
	    sizeof(ir)) < 0) {
		snd_job_fail(j, true, "%s: credentials too long", j->peer);
		return;
	}
	j->auth_step = 1;
	snd_send_cmd(j, J_AUTH, "AUTH PLAIN %s", ir);   /* RFC 4954 4 */
}

static void
on_auth(struct job *j, int code)
{
	struct sender *s = j->s;
	char b64[4 * (SMTP_AUTH_FIELD_MAX + 2) / 3 + 8], t[256];
	const char *field;

	if (code == 235) {
		j->authed = true;
		log_info("sender", "%s: authenticated as %s (AUTH %s%s)", j->peer,
		    s->cfg.auth_user, j->auth_login ? "LOGIN" : "PLAIN",
		    j->tls_on ? "" : ", in clear text");
		send_mail(j);
		return;
	}
	if (code == 334 && j->auth_login && j->auth_step < 2) {
		field = j->auth_step == 0 ? s->cfg.auth_user : s->cfg.auth_pass;
		if (smtp_auth_b64(field, b64, sizeof(b64)) < 0) {
			snd_job_fail(j, true, "%s: credentials too long", j->peer);
			return;
		}
		j->auth_step++;
		snd_send_cmd(j, J_AUTH, "%s", b64);
		return;
	}
	if (code == 334) {   /* nothing more to say: cancel (RFC 4954 4) */
		snd_send_cmd(j, J_AUTH, "*");
		return;
	}
	if (code >= 500 && code < 600) {
		j->result = SND_BOUNCED;
		snd_job_log(j, "%s: authentication failed: %s; bouncing", j->peer,
		    reply_text(j, t, sizeof(t)));
		snd_quit(j, true);
		return;
	}
	refused(j, code, "AUTH", false);
}

static void
send_ehlo(struct job *j)
{
	snd_send_cmd(j, J_EHLO, "EHLO %s", j->s->helo);
}

/* A permanent refusal of the message: QUIT, then bounce. */
static void
bounce(struct job *j, const char *step)
{
	char t[256];

	j->result = SND_BOUNCED;
	snd_job_log(j, "%s: %s rejected: %s; bouncing", j->peer, step,
	    reply_text(j, t, sizeof(t)));
	snd_quit(j, true);
}

/* Anything but the expected success: a 5xx to the message bounces it,
 * the rest loses this server. */
static void
refused(struct job *j, int code, const char *step, bool permanent)
{
	char t[256];

	if (permanent && code >= 500 && code < 600) {
		bounce(j, step);
		return;
	}
	snd_job_fail(j, true, "%s: %s answered %s", j->peer, step,
	    reply_text(j, t, sizeof(t)));
}

static void
on_banner(struct job *j, int code)
{
	char t[256];

	if (code != 220) {
		snd_job_fail(j, true, "%s: greeting %s", j->peer,
		    reply_text(j, t, sizeof(t)));
		return;
	}
	send_ehlo(j);
}

/* The EHLO reply lacks STARTTLS. */
static void
plain_or_fail(struct job *j)
{
	if (tls_required(j)) {
		snd_job_fail(j, true, "%s: STARTTLS not offered, and TLS is "
		    "required", j->peer);
		return;
	}
	log_info("sender", "%s: STARTTLS not offered; going on in plaintext",
	    j->peer);
	auth_or_mail(j);
}

static void
on_ehlo(struct job *j, int code)
{
	struct sender *s = j->s;
	char t[256];

	if (code == 250) {
		bool offered = smtp_reply_has_capa(&j->rep, "STARTTLS");
		if (j->tls_on) {
			if (snd_reqtls_ehlo_ok(j))
				auth_or_mail(j);
		} else if (offered && !j->plain_only && !j->starttls_sent &&
		    s->cfg.tls != NULL) {
			j->starttls_sent = true;
			snd_send_cmd(j, J_STARTTLS, "STARTTLS");
		} else if (!offered && !j->plain_only) {
			snd_rpt_session(j, "starttls-not-supported", NULL);
			plain_or_fail(j);
		} else if (tls_required(j)) {
			snd_job_fail(j, true, "%s: STARTTLS not usable, and TLS "
			    "is required", j->peer);
		} else {
			log_info("sender", "%s: %s; going on in plaintext", j->peer,
			    j->plain_only ? "plaintext retry" :
			    "STARTTLS not offered");
			auth_or_mail(j);
		}
		return;
	}
	if (code >= 500 && code < 600 && !j->helo &&
	    (j->tls_on || !tls_required(j))) {
		log_info("sender", "%s: EHLO refused (%s); trying HELO", j->peer,
		    reply_text(j, t, sizeof(t)));
		j->helo = true;
		snd_send_cmd(j, J_HELO, "HELO %s", s->helo);
		return;
	}
	refused(j, code, "EHLO", false);
}

static void
on_helo(struct job *j, int code)
{
	if (code != 250) {
		refused(j, code, "HELO", false);
		return;
	}
	auth_or_mail(j);
}

static void
on_starttls(struct job *j, int code)
{
	char t[256];

	if (code == 220) {
		snd_tls_start(j);   /* failures are handled inside */
		return;
	}
	snd_rpt_session(j, "starttls-not-supported", "starttls-refused");
	if (tls_required(j)) {
		snd_job_fail(j, true, "%s: STARTTLS refused (%s), and TLS is "
		    "required", j->peer, reply_text(j, t, sizeof(t)));
		return;
	}
	log_info("sender", "%s: STARTTLS refused (%s); going on in plaintext",
	    j->peer, reply_text(j, t, sizeof(t)));
	auth_or_mail(j);
}

static void
on_mail(struct job *j, int code)
{
	if (code != 250) {
		refused(j, code, "MAIL FROM", true);
		return;
	}
	snd_send_cmd(j, J_RCPT, "RCPT TO:<%s>", j->rcpt);
}

static void
on_rcpt(struct job *j, int code)
{
	if (code != 250 && code != 251) {
		refused(j, code, "RCPT TO", true);
		return;
	}
	snd_send_cmd(j, J_DATA, "DATA");
}

static void
on_data(struct job *j, int code)
{
	if (code != 354) {
		refused(j, code, "DATA", true);
		return;
	}
	log_debug("sender", "%s: > (%zu bytes of message)", j->peer,
	    strlen(j->body));
	conn_write(j->c, j->body, strlen(j->body));
	j->st = J_DOT;
	snd_arm(j, j->s->cfg.cmd_timeout_ms);
}

static void
on_dot(struct job *j, int code)
{
	char t[256];

	if (code != 250) {
		refused(j, code, "end of data", true);
		return;
	}
	j->result = SND_DELIVERED;
	if (j->tls_on)
		snd_job_log(j, "%s: delivered over %s (certificate %s): %s",
		    j->peer, SSL_get_version(conn_ssl(j->c)),
		    j->tls_verified ? "verified" : "not verified",
		    reply_text(j, t, sizeof(t)));
	else
		snd_job_log(j, "%s: delivered in plaintext: %s", j->peer,
		    reply_text(j, t, sizeof(t)));
	snd_quit(j, true);
}

static void
on_quit(struct job *j, int code)
{
	snd_quit_done(j);
}

static const struct {
	enum job_state st;
	const char *name;
	void (*fn)(struct job *, int);
} steps[] = {
	{ J_BANNER, "greeting", on_banner },
	{ J_EHLO, "EHLO", on_ehlo },
	{ J_HELO, "HELO", on_helo },
	{ J_STARTTLS, "STARTTLS", on_starttls },
	{ J_AUTH, "AUTH", on_auth },
	{ J_MAIL, "MAIL FROM", on_mail },
	{ J_RCPT, "RCPT TO", on_rcpt },
	{ J_DATA, "DATA", on_data },
	{ J_DOT, "end of data", on_dot },
	{ J_QUIT, "QUIT", on_quit },
};

const char *
snd_step_name(enum job_state st)
{
	for (size_t i = 0; i < ARRAY_LEN(steps); i++) {
		if (steps[i].st == st)
			return steps[i].name;
	}
	return st == J_CONNECT ? "connect" : st == J_TLS ? "TLS handshake" : "?";
}

/* A complete reply arrived in j->rep. */
void
snd_on_reply(struct job *j)
{
	int code = j->rep.code;
	char t[256];

	if (code == 421 && j->st != J_QUIT) {
		/* the server is closing the channel: no QUIT (RFC 5321 3.8) */
		snd_job_fail(j, false, "%s: %s answered %s", j->peer,
		    snd_step_name(j->st), reply_text(j, t, sizeof(t)));
		return;
	}
	for (size_t i = 0; i < ARRAY_LEN(steps); i++) {
		if (steps[i].st == j->st) {
			steps[i].fn(j, code);
			return;
		}
	}
	snd_job_fail(j, true, "%s: unexpected reply %s", j->peer,
	    reply_text(j, t, sizeof(t)));
}

/* --- TLS --- */

void
snd_tls_start(struct job *j)
{
	struct sender *s = j->s;
	const char *host = snd_dane_sni(j) ? snd_dane_sni(j) :
	    j->hosts[j->ihost].name;
	struct in_addr ia;
	bool ip = inet_pton(AF_INET, host, &ia) == 1;

	if (s->cfg.tls == NULL ||
	    conn_starttls(j->c, s->cfg.tls, false, ip ? NULL : host) < 0) {
		snd_tls_failed(j, "cannot start TLS");
		return;
	}
	if (conn_discarded(j->c) > 0)
		log_info("sender", "%s: discarded %zu bytes received before the "
		    "TLS handshake (RFC 3207 4.2)", j->peer, conn_discarded(j->c));
	smtp_reply_clear(&j->rep);
	j->st = J_TLS;
	snd_arm(j, s->cfg.cmd_timeout_ms);
}

/* NULL when the certificate is acceptable for hosts[ihost], else the
 * category ("certificate not trusted", ...) with the detail in det. */
static const char *
cert_check(struct job *j, char *det, size_t detlen)
{
	struct sender *s = j->s;
	const char *host = j->hosts[j->ihost].name;
	SSL *ssl = conn_ssl(j->c);
	X509 *leaf = SSL_get0_peer_certificate(ssl);
	STACK_OF(X509) *chain = SSL_get_peer_cert_chain(ssl);
	X509_STORE *store = SSL_CTX_get_cert_store(s->cfg.tls);
	X509_STORE_CTX *ctx;
	X509_VERIFY_PARAM *vp;
	struct in_addr ia;
	int ok, err;

	snprintf(det, detlen, "%s", "");
	if (leaf == NULL) {
		snprintf(det, detlen, "no certificate presented");
		return "certificate not trusted";
	}
	ctx = X509_STORE_CTX_new();
	if (ctx == NULL || X509_STORE_CTX_init(ctx, store, leaf, chain) != 1)
		fatal("X509_STORE_CTX: out of memory");
	(void)X509_STORE_CTX_set_default(ctx, "ssl_server");
	vp = X509_STORE_CTX_get0_param(ctx);
	X509_VERIFY_PARAM_set_time(vp, loop_wallclock(s->l));
	/* security level 2 (112 bits): RSA 1024 keys and SHA-1 signatures
	 * fail, as in a TLS library at its default level */
	X509_VERIFY_PARAM_set_auth_level(vp, 2);
	X509_VERIFY_PARAM_set_hostflags(vp, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS |
	    X509_CHECK_FLAG_NEVER_CHECK_SUBJECT);
	if (inet_pton(AF_INET, host, &ia) == 1)
		(void)X509_VERIFY_PARAM_set1_ip_asc(vp, host);
	else
		(void)X509_VERIFY_PARAM_set1_host(vp, host, 0);
	ERR_clear_error();
	ok = X509_verify_cert(ctx);
	err = X509_STORE_CTX_get_error(ctx);
	X509_STORE_CTX_free(ctx);
	ERR_clear_error();
	if (ok == 1)
		return NULL;
	snprintf(det, detlen, "%s", X509_verify_cert_error_string(err));
	switch (err) {
	case X509_V_ERR_HOSTNAME_MISMATCH:
	case X509_V_ERR_IP_ADDRESS_MISMATCH:
		return "certificate host mismatch";
	case X509_V_ERR_CERT_HAS_EXPIRED:
		return "certificate expired";
	case X509_V_ERR_CERT_NOT_YET_VALID:
		return "certificate not yet valid";
	case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
	case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
	case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
	case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
	case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
	case X509_V_ERR_CERT_UNTRUSTED:
	case X509_V_ERR_CERT_REJECTED:
		return "certificate not trusted";
	default:
		return "certificate validation failed";
	}
}

const char *
snd_cert_result_type(const char *category)
{
	if (strcmp(category, "certificate not trusted") == 0)
		return "certificate-not-trusted";
	if (strcmp(category, "certificate host mismatch") == 0)
		return "certificate-host-mismatch";
	if (strcmp(category, "certificate expired") == 0 ||
	    strcmp(category, "certificate not yet valid") == 0)
		return "certificate-expired";
	return "validation-failure";
}

static const char *
dane_result_type(const char *bad)
{
	if (strcmp(bad, "DANE-TA name mismatch") == 0)
		return "certificate-host-mismatch";
	if (strcmp(bad, "DANE-TA certificate out of date") == 0)
		return "certificate-expired";
	if (strcmp(bad, "DANE-TA chain invalid") == 0)
		return "certificate-not-trusted";
	return "tlsa-invalid";
}

/* The certificate of a host without DANE: checked in strict mode (for
 * the report too); a failure loses the host when the local policy,
 * MTA-STS enforce or REQUIRETLS asks for a valid one.  Returns false
 * when the job has been failed over. */
static bool
pkix_ok(struct job *j)
{
	struct sender *s = j->s;
	struct host *h = &j->hosts[j->ihost];
	bool strict = s->cfg.mode == SND_STRICT;
	bool must = s->verify || (strict && (h->sts_enforce || j->requiretls));
	const char *bad;
	char det[256];

	if (!strict) {
		snd_rpt_session(j, NULL, NULL);
		return true;
	}
	bad = cert_check(j, det, sizeof(det));
	if (bad == NULL)
		bad = snd_ocsp_check(j, det, sizeof(det));   /* a stapled "revoked" */
	snd_rpt_session(j, bad != NULL ? snd_cert_result_type(bad) : NULL,
	    bad != NULL ? det : NULL);   /* failure-reason-code (RFC 8460 4.3) */
	if (bad == NULL) {
		j->tls_verified = true;
		return true;
	}
	if (must) {
		snd_job_fail(j, true, "%s: %s (%s)%s", j->peer, bad, det,
		    h->sts_enforce && !s->verify ? " under the enforce MTA-STS "
		    "policy (RFC 8461 4.2)" : "");
		return false;
	}
	if (h->sts)
		log_info("sender", "%s: %s (%s): MTA-STS testing: reported, "
		    "delivery goes on (RFC 8461 5)", j->peer, bad, det);
	return true;
}

void
snd_tls_ok(struct job *j)
{
	struct sender *s = j->s;
	const char *version = SSL_get_version(conn_ssl(j->c));
	char det[256];

	j->tls_on = true;
	j->tls_verified = false;
	if (j->hosts[j->ihost].dane) {
		/* DANE replaces PKIX (RFC 7672 3): snd_dane.c */
		const char *bad = snd_dane_check(j, det, sizeof(det));
		snd_rpt_session(j, bad != NULL ? dane_result_type(bad) : NULL,
		    NULL);
		if (bad != NULL) {
			snd_job_fail(j, true, "%s: DANE: %s (%s)", j->peer, bad, det);
			return;
		}
		log_info("sender", "%s: DANE: %s", j->peer, det);
	} else if (!pkix_ok(j)) {
		return;
	}
	log_info("sender", "%s: TLS established (%s), certificate %s", j->peer,
	    version, j->tls_verified ? "verified" : "not checked");
	if (s->req == TLS_IMPLICIT) {
		j->st = J_BANNER;
		snd_arm(j, s->cfg.cmd_timeout_ms);
		return;
	}
	/* RFC 3207 4.2: forget what was learnt before TLS, EHLO again */
	j->helo = false;
	send_ehlo(j);
}

void
snd_tls_failed(struct job *j, const char *why)
{
	struct sender *s = j->s;

	j->any_tls_failed = true;
	j->hosts[j->ihost].tls_failed = true;
	snd_rpt_session(j, "validation-failure", "tls-handshake-failed");
	if (s->cfg.mode == SND_OPPORTUNISTIC && s->req != TLS_IMPLICIT &&
	    !j->opp_plain)
		j->opp_retry = true;
	snd_job_fail(j, false, "%s: TLS handshake failed (%s)", j->peer,
	    why != NULL && why[0] != '\0' ? why : "unknown error");
}
