/*
 * scenario_msg: the `message` table (what the messages the sender is
 * given ask for: RFC 8689 REQUIRETLS and "TLS-Required: No") and the
 * `requiretls` key of an MX (where it advertises REQUIRETLS).  Both are
 * plain data without allocations, so a schema error in the middle
 * leaves nothing to free.  See the schema in scenario.h.
 */
#include <string.h>

#include "sim/scenario_int.h"

static const char *const msg_keys[] = {
	"requiretls", "tls_required_no", "smime", NULL,
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
