/*
 * mail: what a received message says, for the world's TLSRPT receiver by
 * mail (RFC 8460 5.3) and the reference sender that writes such mail.
 *
 * mail_hdr.c: the header section of an RFC 5322 message split into
 * fields (unfolded), and MIME Content-Type parameters.
 * mail_rpt.c: a TLSRPT report mail taken apart: the multipart/report
 * structure, the RFC 8460 5.3 headers, Subject and filename rules, the
 * report part decoded (base64) and inflated (gzip, capped), and every
 * deviation as a finding sentence.
 * mail_dkim.c: DKIM (RFC 6376) signing and verification, relaxed/relaxed,
 * rsa-sha256 and ed25519-sha256 (RFC 8463), with OpenSSL EVP.
 *
 * Input is never trusted: any bytes, LF or CRLF line ends, give a result
 * or an error, bounded in time and memory (MAIL_MAX_* below).
 */
#ifndef MXSIM_MAIL_H
#define MXSIM_MAIL_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>
#include <openssl/evp.h>

#define MAIL_MAX_FIELDS 200        /* header fields looked at per section */
#define MAIL_MAX_FIELD (64 * 1024) /* bytes of one unfolded field */
#define MAIL_MAX_PARTS 16          /* MIME parts looked at */
#define MAIL_MAX_DEPTH 3           /* multipart nesting followed */
#define MAIL_MAX_REPORT (1024 * 1024) /* a report inflates to this at most */

/* ---- header fields (mail_hdr.c) ---- */

struct mail_field {
	char *name;       /* as written */
	char *value;      /* unfolded (CR and LF removed), leading WSP cut */
	const char *raw;  /* the field as received, into the message */
	size_t rawlen;    /* up to and including its last line end */
};

struct mail_hdr {
	struct mail_field *f;
	size_t n;
	const char *body;     /* after the empty line (or the end) */
	size_t bodylen;
	bool truncated;       /* more than MAIL_MAX_FIELDS, or a field too long */
	bool no_blank;        /* the header section did not end with an empty line */
};

/* Split msg (len bytes) into fields and body.  Lines that are neither a
 * field nor a continuation end the header section.  Never fails. */
void mail_hdr_parse(const char *msg, size_t len, struct mail_hdr *out);
void mail_hdr_free(struct mail_hdr *h);
/* The value of the first field named name (case-insensitive), or NULL;
 * *count the number of such fields when count is not NULL. */
const char *mail_hdr_get(const struct mail_hdr *h, const char *name,
	size_t *count);
/* Content-Type "multipart/report; report-type=tlsrpt; boundary=x": the
 * type/subtype lowercased (xmalloc'd, "" when unparseable) and the
 * parameter named param (unquoted, xmalloc'd), or NULL. */
char *mail_ct_type(const char *ct);
char *mail_ct_param(const char *ct, const char *param);

/* ---- report mail (mail_rpt.c) ---- */

struct mail_rpt {
	char *json;           /* the report part, decoded; NULL when none */
	size_t json_len;
	bool gzip;            /* it came as application/tlsrpt+gzip */
	char *domain;         /* TLS-Report-Domain or NULL */
	char *submitter;      /* TLS-Report-Submitter or NULL */
	char *subject;        /* or NULL */
	char *filename;       /* of the report part, or NULL */
	char **findings;      /* RFC 8460 5.3 deviations, one sentence each */
	size_t nfindings;
};

/* Take a received message apart as a TLSRPT report mail.  Returns the
 * result (xmalloc'd; json NULL when no report part could be read, with a
 * finding saying why). */
struct mail_rpt *mail_rpt_parse(const char *msg, size_t len);
void mail_rpt_free(struct mail_rpt *r);   /* NULL is a no-op */
/* Whether a message is a TLSRPT report mail by its top-level
 * Content-Type (multipart/report; report-type=tlsrpt): for replay and
 * anyone else who must tell report mail from ordinary mail. */
bool mail_is_tlsrpt(const char *msg, size_t len);
/* Decode base64 ignoring whitespace; -1 on any other byte or bad
 * padding.  *out is xmalloc'd. */
int mail_b64_decode(const char *in, size_t inlen, unsigned char **out,
	size_t *outlen);

/* ---- DKIM (mail_dkim.c) ---- */

/* The DKIM-Signature field ("DKIM-Signature: v=1; ...", folded, CRLF
 * ended) that signs msg with key (RSA: rsa-sha256; Ed25519:
 * ed25519-sha256), relaxed/relaxed, d=domain, s=selector, t=when, h= the
 * fields named in heads (colon-separated, each signed once per
 * occurrence), no l=.  NULL with err. */
char *mail_dkim_sign(const char *msg, size_t len, EVP_PKEY *key,
	const char *domain, const char *selector, const char *heads,
	time_t when, char *err, size_t errlen);
/* The key record to publish at <selector>._domainkey.<domain> (TXT). */
char *mail_dkim_txt(EVP_PKEY *key);

enum mail_dkim_status {
	MAIL_DKIM_NONE,       /* no DKIM-Signature */
	MAIL_DKIM_PASS,
	MAIL_DKIM_FAIL,       /* the signature does not verify */
	MAIL_DKIM_BODY,       /* the body hash does not match */
	MAIL_DKIM_PERMERROR,  /* bad tags, unknown algorithm, bad key */
	MAIL_DKIM_NOKEY,      /* no key record */
};

struct mail_dkim_result {
	enum mail_dkim_status status;
	char domain[256];     /* d= */
	char selector[64];    /* s= */
	char algo[32];        /* a= */
	char heads[512];      /* h=, lowercased, as given */
	bool has_l;           /* an l= tag (body length limit) was present */
	char why[256];
};

/* Fetch the TXT key record of selector._domainkey.domain (xmalloc'd), or
 * NULL when there is none. */
typedef char *mail_dkim_key_cb(const char *domain, const char *selector,
	void *arg);
/* Verify the first DKIM-Signature of msg. */
void mail_dkim_verify(const char *msg, size_t len, mail_dkim_key_cb *lookup,
	void *arg, struct mail_dkim_result *out);
const char *mail_dkim_status_name(enum mail_dkim_status s); /* "pass", ... */

#endif
