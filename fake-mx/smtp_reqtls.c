/*
 * smtp_reqtls: REQUIRETLS (RFC 8689) in the fake MX and for whoever
 * parses MAIL FROM (the attacker's proxy records what the sender sent).
 *
 * RFC 8689 2: a server advertises REQUIRETLS only in the EHLO reply
 * inside TLS, and a client puts the REQUIRETLS parameter on MAIL FROM
 * only in a TLS session.  The fake MX can be configured to break the
 * first rule (advertise it before STARTTLS too, or only there) so that
 * scenarios can check the second one on the sender: a parameter the
 * server did not advertise in this state is refused with 555 (RFC 5321
 * 4.1.1.11), one it did advertise is accepted and recorded.  Pure
 * functions, no state, nothing logged.
 */
#include "fake-mx/smtp.h"

#include <string.h>
#include <strings.h>

bool
smtp_reqtls_offered(enum smtp_reqtls mode, bool tls)
{
	switch (mode) {
	case SMTP_REQTLS_TLS:
		return tls;
	case SMTP_REQTLS_PLAIN:
		return !tls;
	case SMTP_REQTLS_BOTH:
		return true;
	case SMTP_REQTLS_OFF:
		break;
	}
	return false;
}

const char *
smtp_reqtls_name(enum smtp_reqtls mode)
{
	switch (mode) {
	case SMTP_REQTLS_TLS:
		return "tls";
	case SMTP_REQTLS_OFF:
		return "off";
	case SMTP_REQTLS_PLAIN:
		return "plaintext";
	case SMTP_REQTLS_BOTH:
		return "both";
	}
	return "?";
}

bool
smtp_mail_requiretls(const char *arg)
{
	const char *p;

	if (smtp_path_parse(arg, "FROM:", true, NULL, NULL, &p) < 0)
		return false;
	while (*p != '\0') {
		size_t n;

		while (*p == ' ' || *p == '\t')
			p++;
		n = strcspn(p, " \t");
		if (n == 10 && strncasecmp(p, "REQUIRETLS", 10) == 0)
			return true;
		p += n;
	}
	return false;
}
