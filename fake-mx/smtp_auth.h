/*
 * smtp_auth: SMTP AUTH (RFC 4954) with the PLAIN (RFC 4616) and LOGIN
 * mechanisms, sans I/O: the fake MX's side of the exchange, and the
 * base64 encodings the reference sender sends and the attacker reads.
 *
 * The server accepts any non-empty user name and password (a test
 * server: what matters is where the credentials went, not whether they
 * were right).  Replies are static strings.
 */
#ifndef MXSIM_SMTP_AUTH_H
#define MXSIM_SMTP_AUTH_H

#include <stdbool.h>
#include <stddef.h>

#define SMTP_AUTH_FIELD_MAX 256   /* user name, password, without NUL */

enum smtp_auth_state {
	SMTP_AUTH_IDLE,        /* no exchange in progress */
	SMTP_AUTH_PLAIN,       /* 334 sent, waiting for the PLAIN response */
	SMTP_AUTH_LOGIN_USER,  /* 334 Username: sent */
	SMTP_AUTH_LOGIN_PASS,  /* 334 Password: sent */
	SMTP_AUTH_DONE,        /* authenticated */
};

struct smtp_auth {
	enum smtp_auth_state st;
	char user[SMTP_AUTH_FIELD_MAX + 1];  /* the authenticated (or given) user */
};

/* The server's answer to "AUTH <arg>" (arg: mechanism and optional
 * initial response). */
const char *smtp_auth_start(struct smtp_auth *a, const char *arg);
/* The server's answer to one response line while an exchange is in
 * progress (smtp_auth_busy). */
const char *smtp_auth_step(struct smtp_auth *a, const char *line, size_t len);
/* An exchange is in progress: the next client line is a response. */
bool smtp_auth_busy(const struct smtp_auth *a);

/* base64 of "\0user\0pass" (the PLAIN response, RFC 4616 2) into out
 * (NUL-terminated).  -1 when a field is too long or out too small. */
int smtp_auth_plain_encode(const char *user, const char *pass, char *out,
	size_t outlen) __attribute__((warn_unused_result));
/* base64 of s into out (NUL-terminated).  -1 when out is too small. */
int smtp_auth_b64(const char *s, char *out, size_t outlen)
	__attribute__((warn_unused_result));
/* Decode a PLAIN response (base64 of "authzid\0authcid\0passwd") into user
 * and pass (NUL-terminated, each SMTP_AUTH_FIELD_MAX + 1 bytes).  -1 when
 * it is no such thing. */
int smtp_auth_plain_decode(const char *b64, size_t len, char *user, char *pass)
	__attribute__((warn_unused_result));
/* Decode base64 text into out (NUL-terminated, outlen bytes with the NUL);
 * -1 when it is not base64 or does not fit or holds a NUL. */
int smtp_auth_unb64(const char *b64, size_t len, char *out, size_t outlen)
	__attribute__((warn_unused_result));

#endif
