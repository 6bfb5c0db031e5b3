/*
 * mitm_dns_hook: the scenario's Lua hook on DNS answers.
 *
 *   { "dns_hook", name = ..., type = ..., at = "upstream" | "last-mile",
 *     on_dns_answer = function(q, a) ... end }
 *
 * q = { name = "_25._tcp.mx1.example.test.", type = "TLSA" }
 * a = { rcode = "NOERROR", aa = bool, ad = bool,
 *       answer = { "zone-file line", ... }, authority = {...},
 *       additional = {...} }
 * The function returns nil or true (the answer passes as it is), false
 * (it is dropped) or a table shaped like a: the answer it becomes (a
 * missing field keeps its value).  Records that do not parse, unknown
 * rcodes and wrong types end the hook with an error at the function's
 * file:line (sandbox_fail), like a Lua error in it.
 *
 * The call goes through core/sandbox (sandbox_call: its own instruction
 * budget, the scenario's memory cap, errors as "file:line: message"); the
 * tables are built and read in protected calls of their own so that a
 * memory error in them cannot unwind through the event loop.  The first
 * error stops the hook for good (sandbox_error has it, the runner reports
 * it against the scenario) and the answer passes unchanged.
 *
 * Logs: a hook error at warn level.  Every error leaves that answer as
 * it was and switches the hook off.
 */
#include "attacker/mitm_dns_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lauxlib.h>
#include <lua.h>

#include "core/sandbox.h"
#include "core/util.h"

#define MAX_RRS 256

static const char *const sec_keys[NSECS] = { "answer", "authority",
	"additional" };

/* [-0, +1, m] A list of the records of l as zone-file lines. */
static void
push_rrs(lua_State *L, const ldns_rr_list *l)
{
	lua_createtable(L, (int)ldns_rr_list_rr_count(l), 0);
	for (size_t i = 0; i < ldns_rr_list_rr_count(l); i++) {
		char *s = ldns_rr2str(ldns_rr_list_rr(l, i));

		if (s == NULL)
			continue;
		s[strcspn(s, "\n")] = '\0';
		for (char *c = s; *c; c++)
			if (*c == '\t')
				*c = ' ';
		lua_pushstring(L, s);
		free(s);
		lua_rawseti(L, -2, (lua_Integer)i + 1);
	}
}

/* [-1, +2, m] lua_CFunction: the message (light userdata, never shown to
 * the scenario) becomes q and a. */
static int
build_args(lua_State *L)
{
	const struct dmsg *m = lua_touserdata(L, 1);
	char *s;

	lua_createtable(L, 0, 2);
	s = ldns_rdf2str(m->qname);
	lua_pushstring(L, s ? s : "");
	free(s);
	lua_setfield(L, -2, "name");
	s = ldns_rr_type2str(m->qtype);
	lua_pushstring(L, s ? s : "");
	free(s);
	lua_setfield(L, -2, "type");

	lua_createtable(L, 0, 6);
	s = ldns_pkt_rcode2str(m->rcode);
	lua_pushstring(L, s ? s : "");
	free(s);
	lua_setfield(L, -2, "rcode");
	lua_pushboolean(L, m->aa);
	lua_setfield(L, -2, "aa");
	lua_pushboolean(L, m->ad);
	lua_setfield(L, -2, "ad");
	for (int i = 0; i < NSECS; i++) {
		push_rrs(L, m->sec[i]);
		lua_setfield(L, -2, sec_keys[i]);
	}
	return 2;
}

/* The raw value of t[key] pushed; its type. */
static int
raw_field(lua_State *L, int t, const char *key)
{
	lua_pushstring(L, key);
	return lua_rawget(L, t);
}

/* [-0, +0, e] Read one section list at stack index idx into *out. */
static void
read_rrs(lua_State *L, int idx, const char *key, ldns_rr_list **out)
{
	ldns_rr_list *l = ldns_rr_list_new();
	lua_Integer n = (lua_Integer)lua_rawlen(L, idx);

	if (n > MAX_RRS) {
		ldns_rr_list_deep_free(l);
		luaL_error(L, "on_dns_answer: %s has %d records (at most %d)",
		    key, (int)n, MAX_RRS);
	}
	for (lua_Integer i = 1; i <= n; i++) {
		ldns_rr *rr = NULL;
		ldns_status st;

		if (lua_rawgeti(L, idx, i) != LUA_TSTRING) {
			ldns_rr_list_deep_free(l);
			luaL_error(L, "on_dns_answer: %s[%d] is not a string "
			    "(a record in zone-file syntax)", key, (int)i);
		}
		st = ldns_rr_new_frm_str(&rr, lua_tostring(L, -1),
		    DNS_DEFAULT_TTL, NULL, NULL);
		lua_pop(L, 1);
		if (st != LDNS_STATUS_OK) {
			ldns_rr_list_deep_free(l);
			luaL_error(L, "on_dns_answer: %s[%d] does not parse: %s",
			    key, (int)i, ldns_get_errorstr_by_id(st));
		}
		ldns_rr_list_push_rr(l, rr);
	}
	ldns_rr_list_deep_free(*out);
	*out = l;
}

/* [-2, +0, e] lua_CFunction: the returned table (arg 2) into the
 * message (light userdata, arg 1). */
static int
read_result(lua_State *L)
{
	struct dmsg *m = lua_touserdata(L, 1);
	ldns_lookup_table *lt;

	switch (raw_field(L, 2, "rcode")) {
	case LUA_TNIL:
		break;
	case LUA_TSTRING:
		lt = ldns_lookup_by_name(ldns_rcodes, lua_tostring(L, -1));
		if (lt == NULL || lt->id > 15)
			luaL_error(L, "on_dns_answer: unknown rcode \"%s\" "
			    "(NOERROR, SERVFAIL, NXDOMAIN, REFUSED, ...)",
			    lua_tostring(L, -1));
		m->rcode = (ldns_pkt_rcode)lt->id;
		break;
	default:
		luaL_error(L, "on_dns_answer: rcode must be a string");
	}
	lua_pop(L, 1);
	for (int i = 0; i < 2; i++) {
		const char *k = i == 0 ? "aa" : "ad";
		int t = raw_field(L, 2, k);

		if (t == LUA_TBOOLEAN)
			*(i == 0 ? &m->aa : &m->ad) = lua_toboolean(L, -1);
		else if (t != LUA_TNIL)
			luaL_error(L, "on_dns_answer: %s must be a boolean", k);
		lua_pop(L, 1);
	}
	for (int i = 0; i < NSECS; i++) {
		int t = raw_field(L, 2, sec_keys[i]);

		if (t == LUA_TTABLE)
			read_rrs(L, lua_gettop(L), sec_keys[i], &m->sec[i]);
		else if (t != LUA_TNIL)
			luaL_error(L, "on_dns_answer: %s must be a list of "
			    "records", sec_keys[i]);
		lua_pop(L, 1);
	}
	return 0;
}

/* A hook whose result cannot be used has failed: "path:line" of the
 * function, the message, kept as the sandbox's first error (the runner
 * fails the scenario with it) and logged. */
static void
hook_failed(const struct mitm_dns_attack *a, const char *msg)
{
	lua_State *L = sandbox_lua(a->sb);
	lua_Debug ar;
	char *err;

	lua_rawgeti(L, LUA_REGISTRYINDEX, a->ref);
	if (lua_getinfo(L, ">S", &ar) && ar.source[0] == '@')
		err = xasprintf("%s:%d: %s", ar.source + 1, ar.linedefined, msg);
	else
		err = xasprintf("(on_dns_answer): %s", msg);
	sandbox_fail(a->sb, err);
	log_warn("dns attacker", "%s", err);
	free(err);
}

/* Run a protected C function with the message and nargs values already
 * on the stack above it; -1 with the message in note. */
static int
protected(lua_State *L, lua_CFunction f, struct dmsg *m, int nargs,
	int nres, char *note, size_t notelen)
{
	lua_pushcfunction(L, f);
	lua_pushlightuserdata(L, m);
	if (nargs > 0) {
		lua_rotate(L, -(nargs + 2), 2);   /* f, m, args */
	}
	if (lua_pcall(L, nargs + 1, nres, 0) != LUA_OK) {
		snprintf(note, notelen, "%s", lua_type(L, -1) == LUA_TSTRING ?
		    lua_tostring(L, -1) : "error in the hook's tables");
		lua_pop(L, 1);
		return -1;
	}
	return 0;
}

enum dact
mitm_dns_hook_run(const struct mitm_dns_attack *a, struct dmsg *m,
	char *note, size_t notelen)
{
	lua_State *L = sandbox_lua(a->sb);
	int top = lua_gettop(L), t;
	char err[1024], before[256], after[256];
	enum dact r = DACT_NONE;
	struct dmsg copy;

	if (sandbox_error(a->sb) != NULL)
		return DACT_NONE;       /* failed before: stays off */
	if (protected(L, build_args, m, 0, 2, note, notelen) < 0) {
		lua_settop(L, top);
		return DACT_NONE;
	}
	if (sandbox_call(a->sb, a->ref, 2, 1, 0, "on_dns_answer", err,
	    sizeof(err)) < 0) {
		log_warn("dns attacker", "%s", err);
		lua_settop(L, top);
		return DACT_NONE;
	}
	t = lua_type(L, -1);
	if (t == LUA_TNIL || (t == LUA_TBOOLEAN && lua_toboolean(L, -1))) {
		lua_settop(L, top);
		return DACT_NONE;
	}
	if (t == LUA_TBOOLEAN) {
		lua_settop(L, top);
		snprintf(note, notelen, "on_dns_answer dropped the answer");
		return DACT_DROP;
	}
	if (t != LUA_TTABLE) {
		snprintf(note, notelen, "on_dns_answer returned a %s (nil, "
		    "false or an answer table)", lua_typename(L, t));
		lua_settop(L, top);
		hook_failed(a, note);
		return DACT_NONE;
	}
	/* read into a copy: a bad table leaves the message as it was */
	memset(&copy, 0, sizeof(copy));
	copy = *m;
	for (int i = 0; i < NSECS; i++)
		copy.sec[i] = ldns_rr_list_clone(m->sec[i]);
	if (protected(L, read_result, &copy, 1, 0, note, notelen) < 0) {
		hook_failed(a, note);
		for (int i = 0; i < NSECS; i++)
			ldns_rr_list_deep_free(copy.sec[i]);
		lua_settop(L, top);
		return DACT_NONE;
	}
	mitm_dns_rrs_text(m->sec[SEC_AN], 0, before, sizeof(before));
	mitm_dns_rrs_text(copy.sec[SEC_AN], 0, after, sizeof(after));
	for (int i = 0; i < NSECS; i++) {
		ldns_rr_list_deep_free(m->sec[i]);
		m->sec[i] = copy.sec[i];
	}
	m->rcode = copy.rcode;
	m->aa = copy.aa;
	m->ad = copy.ad;
	r = DACT_CHANGED;
	{
		char *text = xasprintf("on_dns_answer rewrote the answer: %s "
		    "-> %s", before, after);

		snprintf(note, notelen, "%s", text);
		free(text);
	}
	lua_settop(L, top);
	return r;
}
