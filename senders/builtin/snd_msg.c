/*
 * snd_msg: S/MIME-encrypting the reference sender's messages.  See
 * snd_msg.h.  Only OpenSSL's CMS code is used; nothing here logs.
 */
#include "senders/builtin/snd_msg.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <openssl/cms.h>
#include <openssl/err.h>

#include "core/pki.h"
#include "core/util.h"

/* Header fields that stay outside the envelope (the transport needs
 * them; they say nothing about the content). */
static const char *const outer[] = { "From:", "To:", "Date:", "Message-ID:" };

static bool
is_outer(const char *line, size_t len)
{
	for (size_t i = 0; i < ARRAY_LEN(outer); i++) {
		size_t n = strlen(outer[i]);
		if (len >= n && strncasecmp(line, outer[i], n) == 0)
			return true;
	}
	return false;
}

static void
ossl_err(char *err, size_t errlen, const char *what)
{
	unsigned long e = ERR_get_error();
	char buf[256];

	ERR_error_string_n(e, buf, sizeof(buf));
	snprintf(err, errlen, "S/MIME: %s: %s", what, e ? buf : "failed");
	ERR_clear_error();
}

char *
snd_msg_smime(const char *msg, X509 *rcpt, char *err, size_t errlen)
{
	const char *body = strstr(msg, "\n\n"), *p;
	STACK_OF(X509) *certs = NULL;
	CMS_ContentInfo *cms = NULL;
	BIO *in = NULL, *out = NULL;
	struct buf hdr, inner;
	char *res = NULL, *data;
	long n;

	if (body == NULL) {
		snprintf(err, errlen, "S/MIME: the message has no header/body split");
		return NULL;
	}
	buf_init(&hdr);
	buf_init(&inner);
	/* split the header: routing fields outside, the rest inside */
	for (p = msg; p < body + 1;) {
		const char *nl = strchr(p, '\n');
		size_t len = (size_t)(nl - p);
		if (is_outer(p, len))
			buf_append(&hdr, p, len + 1);
		else
			buf_append(&inner, p, len + 1);
		p = nl + 1;
	}
	buf_appendf(&inner, "Content-Type: text/plain; charset=utf-8\n\n%s", body + 2);
	buf_appendf(&hdr, "Subject: (encrypted message)\n");

	certs = sk_X509_new_null();
	in = BIO_new_mem_buf(inner.data, (int)inner.len);
	out = BIO_new(BIO_s_mem());
	if (certs == NULL || in == NULL || out == NULL || sk_X509_push(certs, rcpt) <= 0) {
		ossl_err(err, errlen, "setup");
		goto done;
	}
	cms = CMS_encrypt(certs, in, EVP_aes_256_cbc(), CMS_BINARY);
	if (cms == NULL) {
		ossl_err(err, errlen, "CMS_encrypt");
		goto done;
	}
	/* MIME-Version, Content-Type application/pkcs7-mime;
	 * smime-type=enveloped-data, base64 */
	if (SMIME_write_CMS(out, cms, NULL, CMS_BINARY) != 1) {
		ossl_err(err, errlen, "SMIME_write_CMS");
		goto done;
	}
	n = BIO_get_mem_data(out, &data);
	buf_append(&hdr, data, (size_t)n);
	/* one line end everywhere: the sender makes them CRLF */
	res = xmalloc(hdr.len + 1);
	{
		size_t k = 0;
		for (size_t i = 0; i < hdr.len; i++)
			if (hdr.data[i] != '\r')
				res[k++] = (char)hdr.data[i];
		res[k] = '\0';
	}
done:
	CMS_ContentInfo_free(cms);
	BIO_free(in);
	BIO_free(out);
	sk_X509_free(certs);
	buf_free(&hdr);
	buf_free(&inner);
	return res;
}

char *
snd_msg_smime_for(struct pki *p, const char *domain, const char *msg,
	char *err, size_t errlen)
{
	struct pki_spec spec = { .variant = "valid", .host = domain, .key = "rsa" };
	struct pki_cert *c;
	char *res;

	if (pki_issue(p, &spec, &c, err, errlen) < 0)
		return NULL;
	res = snd_msg_smime(msg, pki_cert_x509(c), err, errlen);
	pki_cert_free(c);
	return res;
}
