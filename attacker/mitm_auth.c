/*
 * mitm_auth: SMTP AUTH (RFC 4954) as the attacker's path reads it.
 *
 * The path only reads what is in clear text on it, or inside the TLS the
 * attacker terminates itself; what it reads of an AUTH exchange there,
 * the attacker has: the sender's session records auth_sent/auth_tls, and
 * cred_leak when an attack (or the attacker's own leg) is in force on the
 * session.  The user name is decoded for the transcript (PLAIN: from the
 * initial or first response; LOGIN: the first response); the password is
 * never written out, only that the attacker holds it.
 *
 * SASL responses are no commands: after a 334 reply to AUTH the next line
 * of the sender is one (mitm_smtp.c sets sasl_expect from the reply and
 * routes the line here first).  Logs: one '!' line per session when the
 * credentials are read.
 */
#include "attacker/mitm_int.h"

#include <string.h>
#include <strings.h>

/* The attacker holds the credentials (noted once per session). */
static void
leak(struct msess *ms, const char *user)
{
	struct rec_session *s = ms->s;

	if (!mitm_own_leg(ms) && !mitm_attacked(ms))
		return;   /* no attacker on this path: nobody reads it */
	s->cred_leak = true;
	if (ms->cred_noted || user == NULL)
		return;
	ms->cred_noted = true;
	mitm_note(ms, "read the submission credentials (AUTH %s, user \"%s\", "
	    "and the password) %s", ms->sasl_login ? "LOGIN" : "PLAIN", user,
	    mitm_tls_with_sender(ms) ? "inside its own TLS" : "in clear text");
}

void
mitm_auth_cmd(struct msess *ms, const struct smtp_cmd *cmd)
{
	struct rec_session *s = ms->s;
	char user[SMTP_AUTH_FIELD_MAX + 1], pass[SMTP_AUTH_FIELD_MAX + 1];
	const char *ir;
	size_t n = strcspn(cmd->arg, " ");

	s->auth_sent = true;
	s->auth_tls = mitm_tls_with_sender(ms);
	ms->sasl_n = 0;
	ms->sasl_login = n == 5 && strncasecmp(cmd->arg, "LOGIN", 5) == 0;
	ir = cmd->arg + n;
	while (*ir == ' ')
		ir++;
	if (*ir == '\0') {
		leak(ms, NULL);   /* the responses will carry them */
		return;
	}
	ms->sasl_n = 1;
	if (ms->sasl_login)
		leak(ms, smtp_auth_unb64(ir, strlen(ir), user, sizeof(user)) >= 0 ?
		    user : "?");
	else
		leak(ms, smtp_auth_plain_decode(ir, strlen(ir), user, pass) == 0 ?
		    user : "?");
}

void
mitm_auth_response(struct msess *ms, const char *line, size_t len)
{
	char user[SMTP_AUTH_FIELD_MAX + 1], pass[SMTP_AUTH_FIELD_MAX + 1];
	bool first = ms->sasl_n++ == 0;

	ms->sasl_expect = false;
	if (len == 1 && line[0] == '*')
		return;   /* the sender cancelled */
	if (!first) {
		leak(ms, "?");
		return;
	}
	if (ms->sasl_login)
		leak(ms, smtp_auth_unb64(line, len, user, sizeof(user)) >= 0 ?
		    user : "?");
	else
		leak(ms, smtp_auth_plain_decode(line, len, user, pass) == 0 ?
		    user : "?");
}
