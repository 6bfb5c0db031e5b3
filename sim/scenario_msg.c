/*
 * scenario_msg: the `message` table (what the messages the sender is
 * given ask for: RFC 8689 REQUIRETLS and "TLS-Required: No") and the
 * `requiretls` key of an MX (where it advertises REQUIRETLS).  Both are
 * plain data without allocations, so a schema error in the middle
 * leaves nothing to free.  See the schema in scenario.h.
 */
#include <string.h>

#include "sim/scenario_int.h"

static void conv_rcpt(struct cv *cv, int idx, struct scn_msg *m);

static const char *const msg_keys[] = {
	"requiretls", "tls_required_no", "smime", "rcpt", NULL,
};

void
conv_message(struct cv *cv, int idx, struct scn_msg *m)
{
	int t = lua_absindex(cv->L, idx);

	cv_table(cv, t, "a message table { requiretls = true }");
	cv_keys(cv, t, msg_keys, 0);
	if (cv_field(cv, t, "requiretls") != LUA_TNIL)
		m->requiretls = cv_boolean(cv, -1) != 0;
	cv_leave(cv);
	if (cv_field(cv, t, "tls_required_no") != LUA_TNIL)
		m->tls_required_no = cv_boolean(cv, -1) != 0;
	cv_leave(cv);
	if (cv_field(cv, t, "smime") != LUA_TNIL)
		m->smime = cv_boolean(cv, -1) != 0;
	cv_leave(cv);
	if (cv_field(cv, t, "rcpt") != LUA_TNIL)
		conv_rcpt(cv, -1, m);
	cv_leave(cv);
}

/* "local@domain" or "local@[a.b.c.d]": one address, no spaces, quotes,
 * angle brackets or controls (it goes into RCPT TO:<...>). */
static void
conv_rcpt(struct cv *cv, int idx, struct scn_msg *m)
{
	const char *s = cv_cstring(cv, idx), *at = strrchr(s, '@');
	size_t n = strlen(s);

	if (n >= sizeof(m->rcpt) || at == NULL || at == s || at[1] == '\0')
		cv_fail(cv, NULL, "expected an address \"user@domain\" or "
		    "\"user@[127.25.0.11]\" of at most %zu bytes",
		    sizeof(m->rcpt) - 1);
	for (const char *p = s; *p; p++)
		if ((unsigned char)*p <= ' ' || (unsigned char)*p >= 0x7f ||
		    strchr("<>\"\\,;", *p) != NULL)
			cv_fail(cv, NULL, "an address without spaces, quotes, "
			    "brackets <> or controls");
	memcpy(m->rcpt, s, n + 1);
}

enum scn_mx_tls
conv_mx_tls(struct cv *cv, int idx)
{
	const char *s = cv_cstring(cv, idx);

	if (strcmp(s, "tls1.0") == 0)
		return SCN_MX_TLS_10;
	if (strcmp(s, "no-shared-cipher") == 0)
		return SCN_MX_TLS_NO_CIPHER;
	cv_fail(cv, NULL, "bad value (allowed: \"tls1.0\", "
	    "\"no-shared-cipher\")");
}

enum scn_reqtls
conv_mx_reqtls(struct cv *cv, int idx)
{
	const char *s;

	if (lua_type(cv->L, idx) == LUA_TBOOLEAN)
		return lua_toboolean(cv->L, idx) ? SCN_REQTLS_TLS : SCN_REQTLS_OFF;
	if (lua_type(cv->L, idx) != LUA_TSTRING)
		cv_fail(cv, NULL, "expected true, false, \"plaintext\" or \"both\", "
		    "got %s", cv_typename(cv, idx));
	s = cv_cstring(cv, idx);
	if (strcmp(s, "plaintext") == 0)
		return SCN_REQTLS_PLAIN;
	if (strcmp(s, "both") == 0)
		return SCN_REQTLS_BOTH;
	cv_fail(cv, NULL, "bad value (allowed: true, false, \"plaintext\", "
	    "\"both\")");
}
