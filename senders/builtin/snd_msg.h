/*
 * snd_msg: end-to-end protection of the reference sender's messages.
 *
 * snd_msg_smime turns a message (RFC 5322 text with "\n" line ends: a
 * header, a blank line, a body) into an S/MIME message (RFC 8551):
 * the routing fields (From, To, Date, Message-ID) stay in the clear,
 * the Subject is replaced, and the rest (the original header fields
 * and the body, as a text/plain part) becomes CMS enveloped-data for
 * rcpt (AES-256-CBC, the key transported with RSA or agreed with EC).
 * The content-encryption key comes from OpenSSL's RNG, so under
 * pki_rand_reset the bytes are deterministic.  Returns the new message
 * (allocated), or NULL with a message in err.
 */
#ifndef MXSIM_SND_MSG_H
#define MXSIM_SND_MSG_H

#include <stddef.h>
#include <openssl/x509.h>

char *snd_msg_smime(const char *msg, X509 *rcpt, char *err, size_t errlen);

struct pki;
/* The same, for the recipient of domain: its certificate is issued from
 * p (variant "valid" for the name domain, RSA key). */
char *snd_msg_smime_for(struct pki *p, const char *domain, const char *msg,
	char *err, size_t errlen);

#endif
