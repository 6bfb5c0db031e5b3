/*
 * snd_reqtls: REQUIRETLS (RFC 8689, text of draft -09) and the
 * "TLS-Required: No" header field in the reference sender.
 *
 * A message flagged requiretls (the MAIL FROM parameter it arrived
 * with, snd_send_opt) is relayed only (4.2.1):
 *   - to an MX host whose name is authenticated: DANE applies to it, or
 *     it matches an enforce MTA-STS policy, or the MX RRset was
 *     DNSSEC-validated (step 2); other hosts are not used (a submission
 *     client's server is named by its configuration: 4.3);
 *   - over STARTTLS, never in plaintext, with a certificate that DANE or
 *     the WebPKI (for the MX host name) accepts (steps 3, 4);
 *   - to a server whose EHLO reply inside TLS lists REQUIRETLS (step 5:
 *     before TLS it proves nothing), with "MAIL FROM:<...> REQUIRETLS";
 *     the parameter is never sent outside TLS (2).
 * When every MX fails the message is bounced (5.7.30 "REQUIRETLS support
 * required" when an MX lacked the extension, 5.7.10 "Encryption needed"
 * otherwise); the bounce is the delivery's result, no NDN message is
 * generated here (the caller owns the reverse path).
 *
 * "TLS-Required: No" (4.2.2), unless the message also has REQUIRETLS
 * (4.1: the parameter wins): DANE and MTA-STS are not applied, STARTTLS
 * is still used when offered, certificate failures do not stop delivery
 * (the local policy still does).
 *
 * The opportunistic mode ignores REQUIRETLS (a sender without it); the
 * no-verify mode keeps every rule but the certificate check.
 */
#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "core/util.h"
#include "senders/builtin/snd_int.h"

bool
snd_reqtls_host_ok(struct job *j)
{
	struct host *h = &j->hosts[j->ihost];

	if (!j->requiretls)
		return true;
	/* a submission client names its server itself (RFC 8689 4.3) */
	if (h->dane || h->sts_enforce || j->mx_secure || j->s->submit)
		return true;
	j->reqtls_unvalidated = true;
	j->soft = true;
	snd_job_log(j, "%s: REQUIRETLS: the MX host is not authenticated (no "
	    "DNSSEC-validated MX, no DANE, no enforce MTA-STS policy): not used "
	    "(RFC 8689 4.2.1)", h->name);
	return false;
}

bool
snd_reqtls_ehlo_ok(struct job *j)
{
	if (!j->requiretls || smtp_reply_has_capa(&j->rep, "REQUIRETLS"))
		return true;
	j->reqtls_missing = true;
	snd_job_fail(j, true, "%s: REQUIRETLS not offered after STARTTLS "
	    "(RFC 8689 4.2.1)", j->peer);
	return false;
}

bool
snd_reqtls_exhausted(struct job *j)
{
	char last[sizeof(j->why)];

	if (!j->requiretls)
		return false;
	memcpy(last, j->why, sizeof(last));
	snd_job_log(j, "%s: %s: the REQUIRETLS message cannot be relayed (%s); "
	    "bouncing", j->domain, j->reqtls_missing ?
	    "5.7.30 REQUIRETLS support required" : "5.7.10 Encryption needed",
	    last);
	snd_job_finish(j, SND_BOUNCED);
	return true;
}

/* Whether the header section of body has "TLS-Required: No" (field
 * name and value case-insensitive, surrounding white space ignored). */
bool
snd_reqtls_header_no(const char *body)
{
	const char *p = body;

	while (*p != '\0' && *p != '\n' && !(p[0] == '\r' && p[1] == '\n')) {
		const char *nl = strchr(p, '\n');
		size_t n = nl != NULL ? (size_t)(nl - p) : strlen(p);
		if (n > 13 && strncasecmp(p, "TLS-Required:", 13) == 0) {
			const char *v = p + 13, *e = p + n;
			while (v < e && (*v == ' ' || *v == '\t'))
				v++;
			while (e > v && isspace((unsigned char)e[-1]))
				e--;
			if (e - v == 2 && strncasecmp(v, "No", 2) == 0)
				return true;
		}
		if (nl == NULL)
			break;
		p = nl + 1;
	}
	return false;
}
