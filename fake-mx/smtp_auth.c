/*
 * smtp_auth: SMTP AUTH, PLAIN and LOGIN, sans I/O.  See smtp_auth.h.
 *
 * Base64 goes through OpenSSL's EVP_EncodeBlock / EVP_DecodeBlock; the
 * decoder's padding bytes are taken off by counting the '=' signs, and
 * anything that is not canonical base64 (bad length, stray characters) is
 * refused, as RFC 4954 4 asks ("501" for a response that cannot be
 * decoded).
 */
#include "fake-mx/smtp_auth.h"

#include <openssl/evp.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#define R_OK_AUTH  "235 2.7.0 Authentication successful"
#define R_PLAIN    "334 "
#define R_USER     "334 VXNlcm5hbWU6"      /* "Username:" */
#define R_PASS     "334 UGFzc3dvcmQ6"      /* "Password:" */
#define R_DECODE   "501 5.5.2 Cannot decode the response"
#define R_CANCEL   "501 5.7.0 Authentication cancelled"
#define R_SYNTAX   "501 5.5.4 Syntax: AUTH mechanism [initial-response]"
#define R_MECH     "504 5.5.4 Unrecognized authentication type"
#define R_AGAIN    "503 5.5.1 Error: already authenticated"
#define R_BAD      "535 5.7.8 Authentication credentials invalid"

#define RAW_MAX (2 * SMTP_AUTH_FIELD_MAX + 8)   /* a decoded response */

/* Canonical base64 (length a multiple of 4, '=' only at the end) decoded
 * into out; the number of bytes (NULs possible), or -1. */
static int
decode(const char *b64, size_t len, unsigned char *out, size_t outlen)
{
	unsigned char buf[3 * (4 * RAW_MAX / 3 + 4) / 4 + 3];
	size_t pad = 0;
	int n;

	if (len == 0 || len % 4 != 0 || len / 4 * 3 > sizeof(buf))
		return -1;
	for (size_t i = 0; i < len; i++) {
		char c = b64[i];
		bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') || c == '+' || c == '/' ||
		    (c == '=' && i + 2 >= len);
		if (!ok || (pad > 0 && c != '='))
			return -1;
		pad += c == '=';
	}
	n = EVP_DecodeBlock(buf, (const unsigned char *)b64, (int)len);
	if (n < 0 || (size_t)n < pad || (size_t)n - pad > outlen)
		return -1;
	memcpy(out, buf, (size_t)n - pad);
	return n - (int)pad;
}

int
smtp_auth_unb64(const char *b64, size_t len, char *out, size_t outlen)
{
	unsigned char raw[RAW_MAX];
	int n = decode(b64, len, raw, sizeof(raw));

	if (n < 0 || (size_t)n + 1 > outlen || memchr(raw, '\0', (size_t)n) != NULL)
		return -1;
	memcpy(out, raw, (size_t)n);
	out[n] = '\0';
	return n;
}

int
smtp_auth_b64(const char *s, char *out, size_t outlen)
{
	size_t n = strlen(s);

	if (4 * ((n + 2) / 3) + 1 > outlen || n > SMTP_AUTH_FIELD_MAX * 3)
		return -1;
	EVP_EncodeBlock((unsigned char *)out, (const unsigned char *)s, (int)n);
	return 0;
}

int
smtp_auth_plain_encode(const char *user, const char *pass, char *out,
    size_t outlen)
{
	unsigned char raw[2 * SMTP_AUTH_FIELD_MAX + 2];
	size_t u = strlen(user), p = strlen(pass), n = u + p + 2;

	if (u > SMTP_AUTH_FIELD_MAX || p > SMTP_AUTH_FIELD_MAX ||
	    4 * ((n + 2) / 3) + 1 > outlen)
		return -1;
	raw[0] = '\0';
	memcpy(raw + 1, user, u);
	raw[u + 1] = '\0';
	memcpy(raw + u + 2, pass, p);
	EVP_EncodeBlock((unsigned char *)out, raw, (int)n);
	return 0;
}

int
smtp_auth_plain_decode(const char *b64, size_t len, char *user, char *pass)
{
	unsigned char buf[RAW_MAX];
	const unsigned char *z, *u, *end;
	int n = decode(b64, len, buf, sizeof(buf));

	if (n < 0)
		return -1;
	end = buf + n;
	/* authzid NUL authcid NUL passwd (RFC 4616 2) */
	z = memchr(buf, '\0', (size_t)n);
	if (z == NULL)
		return -1;
	u = z + 1;
	z = memchr(u, '\0', (size_t)(end - u));
	if (z == NULL || (size_t)(z - u) > SMTP_AUTH_FIELD_MAX ||
	    (size_t)(end - z - 1) > SMTP_AUTH_FIELD_MAX ||
	    memchr(z + 1, '\0', (size_t)(end - z - 1)) != NULL)
		return -1;
	memcpy(user, u, (size_t)(z - u));
	user[z - u] = '\0';
	memcpy(pass, z + 1, (size_t)(end - z - 1));
	pass[end - z - 1] = '\0';
	return 0;
}

bool
smtp_auth_busy(const struct smtp_auth *a)
{
	return a->st == SMTP_AUTH_PLAIN || a->st == SMTP_AUTH_LOGIN_USER ||
	    a->st == SMTP_AUTH_LOGIN_PASS;
}

/* A PLAIN response (initial or after 334). */
static const char *
plain_response(struct smtp_auth *a, const char *r, size_t len)
{
	char user[SMTP_AUTH_FIELD_MAX + 1], pass[SMTP_AUTH_FIELD_MAX + 1];

	a->st = SMTP_AUTH_IDLE;
	if (smtp_auth_plain_decode(r, len, user, pass) < 0)
		return R_DECODE;
	if (user[0] == '\0' || pass[0] == '\0')
		return R_BAD;
	snprintf(a->user, sizeof(a->user), "%s", user);
	a->st = SMTP_AUTH_DONE;
	return R_OK_AUTH;
}

const char *
smtp_auth_start(struct smtp_auth *a, const char *arg)
{
	char mech[21];
	const char *ir;
	size_t n = strcspn(arg, " ");

	if (a->st == SMTP_AUTH_DONE)
		return R_AGAIN;
	if (n == 0 || n >= sizeof(mech))
		return n == 0 ? R_SYNTAX : R_MECH;
	memcpy(mech, arg, n);
	mech[n] = '\0';
	ir = arg + n;
	while (*ir == ' ')
		ir++;
	if (strcasecmp(mech, "PLAIN") == 0) {
		if (*ir == '\0') {
			a->st = SMTP_AUTH_PLAIN;
			return R_PLAIN;
		}
		if (strcmp(ir, "=") == 0)   /* an empty initial response */
			return R_BAD;
		return plain_response(a, ir, strlen(ir));
	}
	if (strcasecmp(mech, "LOGIN") == 0) {
		if (*ir == '\0') {
			a->st = SMTP_AUTH_LOGIN_USER;
			return R_USER;
		}
		if (smtp_auth_unb64(ir, strlen(ir), a->user, sizeof(a->user)) <= 0)
			return R_DECODE;
		a->st = SMTP_AUTH_LOGIN_PASS;
		return R_PASS;
	}
	return R_MECH;
}

const char *
smtp_auth_step(struct smtp_auth *a, const char *line, size_t len)
{
	char pass[SMTP_AUTH_FIELD_MAX + 1];

	if (len == 1 && line[0] == '*') {   /* RFC 4954 4: the client cancels */
		a->st = SMTP_AUTH_IDLE;
		return R_CANCEL;
	}
	switch (a->st) {
	case SMTP_AUTH_PLAIN:
		return plain_response(a, line, len);
	case SMTP_AUTH_LOGIN_USER:
		if (smtp_auth_unb64(line, len, a->user, sizeof(a->user)) <= 0) {
			a->st = SMTP_AUTH_IDLE;
			return R_DECODE;
		}
		a->st = SMTP_AUTH_LOGIN_PASS;
		return R_PASS;
	case SMTP_AUTH_LOGIN_PASS:
		if (smtp_auth_unb64(line, len, pass, sizeof(pass)) <= 0) {
			a->st = SMTP_AUTH_IDLE;
			return R_DECODE;
		}
		a->st = SMTP_AUTH_DONE;
		return R_OK_AUTH;
	default:
		break;
	}
	a->st = SMTP_AUTH_IDLE;
	return R_DECODE;
}
