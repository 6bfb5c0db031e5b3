/*
 * snd_ocsp: the stapled OCSP response (RFC 6066 8, RFC 6960) in the
 * reference sender.
 *
 * The sender asks every server for the status of its certificate (the
 * status_request extension: snd_ocsp_request() on the client context at
 * snd_new()).  When a certificate it checks by PKIX comes with a staple,
 * the response is checked (core/pki.h pki_ocsp_check: signed by the
 * certificate's issuer or its delegate, current at the virtual clock);
 * "revoked" makes the certificate unacceptable, like any other PKIX
 * failure.  A staple that cannot be used (bad signature, stale, no
 * status for this certificate) and no staple at all say nothing: the
 * sender does not fetch CRLs or ask responders itself (what MTAs do).
 * DANE does not look here: DANE-EE ignores revocation (RFC 7671 5.1).
 * Decisions are logged with log_info("sender").
 */
#include <openssl/ssl.h>

#include "core/conn.h"
#include "core/pki.h"
#include "core/util.h"
#include "senders/builtin/snd_int.h"

void
snd_ocsp_request(SSL_CTX *ctx)
{
	(void)SSL_CTX_set_tlsext_status_type(ctx, TLSEXT_STATUSTYPE_ocsp);
}

const char *
snd_ocsp_check(struct job *j, char *det, size_t detlen)
{
	SSL *ssl = conn_ssl(j->c);
	const unsigned char *resp = NULL;
	long len = SSL_get_tlsext_status_ocsp_resp(ssl, &resp);
	char why[160];
	enum pki_ocsp st;

	if (len <= 0 || resp == NULL)
		return NULL;   /* no staple */
	st = pki_ocsp_check(SSL_CTX_get_cert_store(j->s->cfg.tls), resp,
	    (size_t)len, SSL_get0_peer_certificate(ssl),
	    SSL_get_peer_cert_chain(ssl), loop_wallclock(j->s->l), why,
	    sizeof(why));
	if (st == PKI_OCSP_REVOKED) {
		snprintf(det, detlen, "stapled OCSP response: %s", why);
		return "certificate revoked";
	}
	log_info("sender", "%s: stapled OCSP response: %s%s%s", j->peer,
	    pki_ocsp_name(st), why[0] ? ": " : "", why);
	return NULL;
}
