/*
 * sandbox_str: guards around Lua's pattern matching for the sandbox.
 *
 * Lua's count hook never runs inside a C function, and lstrlib's
 * matcher (str_find_aux, gmatch, gsub) backtracks: string.find(("a"):rep(30),
 * ("a*"):rep(30) .. "b") runs for longer than the universe, and a plain
 * find of a long needle in a 60 MiB subject takes seconds, all without a
 * single Lua instruction.  So string.find, match, gmatch and gsub (also
 * reached as s:find(...), through the string metatable's __index, which is
 * this same table) are replaced by wrappers that bound the matcher's worst
 * case before calling the original:
 *
 *   cost = starts * m * 2^opt * (n + 1)^rep
 *
 * where n is the subject's length, m the pattern's, starts 1 for an
 * anchored find/match/gsub and n + 1 otherwise, rep the number of items
 * that can repeat (*, +, -, and %b, which scans), opt the number of
 * optional items (?).  A plain find (or a pattern without special
 * characters) costs n * m.  A call whose bound is over
 * SANDBOX_PATTERN_COST fails with "pattern too complex for the sandbox
 * (...)", which the sandbox reports as "file:line: ..." like any error.
 * The bound is crude but only refuses patterns with several repetitions
 * over long subjects; scenario files match short strings.
 *
 * setmetatable refuses metatables with a __gc field: finalizers run with
 * hooks off, out of the instruction limit's reach (see g_setmetatable).
 *
 * table.move is bounded the same way: SANDBOX_MOVE_MAX elements at most
 * (its loop over empty slots neither allocates nor counts).
 *
 * The originals are kept as upvalues of the wrappers (not reachable from
 * Lua).  Numbers are accepted where Lua accepts them (string coercion);
 * anything else is left to the original to reject with its own message.
 * This module does not log.
 */
#include <math.h>
#include <stdbool.h>
#include <string.h>

#include <lauxlib.h>
#include <lua.h>
#include <lualib.h>

#include "core/sandbox_int.h"

struct pat_shape {
	unsigned rep;       /* items that may repeat */
	unsigned opt;       /* optional items */
	bool special;       /* any magic character at all */
	bool anchored;      /* leading ^ */
};

/* Skips a character class at p[i] ('%x', '[set]' or one char); returns
 * the index after it.  Mirrors lstrlib's classEnd, without raising:
 * malformed patterns are left to the original to reject. */
static size_t
class_end(const char *p, size_t m, size_t i)
{
	if (p[i] == '%')
		return i + 2 <= m ? i + 2 : m;
	if (p[i] != '[')
		return i + 1;
	i++;
	if (i < m && p[i] == '^')
		i++;
	do {                    /* the first ']' is literal */
		if (i >= m)
			return m;
		if (p[i++] == '%' && i < m)
			i++;
	} while (i < m && p[i] != ']');
	return i < m ? i + 1 : m;
}

static void
pattern_shape(const char *p, size_t m, struct pat_shape *sh)
{
	size_t i = 0;

	memset(sh, 0, sizeof(*sh));
	if (m > 0 && p[0] == '^') {
		sh->anchored = true;
		sh->special = true;
		i = 1;
	}
	while (i < m) {
		size_t e;

		if (p[i] != '\0' && strchr("^$*+?.([%-)]", p[i]) != NULL)
			sh->special = true;
		if (p[i] == '(' || p[i] == ')') {
			i++;
			continue;
		}
		if (p[i] == '%' && i + 1 < m && p[i + 1] == 'b') {
			sh->rep++;      /* %bxy scans to the balancing end */
			i += 4;
			continue;
		}
		if (p[i] == '%' && i + 1 < m && p[i + 1] == 'f') {
			i = class_end(p, m, i + 2);   /* %f[set] */
			continue;
		}
		e = class_end(p, m, i);
		if (e < m && p[e] != '\0' && strchr("*+-", p[e]) != NULL) {
			sh->rep++;
			sh->special = true;
			e++;
		} else if (e < m && p[e] == '?') {
			sh->opt++;
			sh->special = true;
			e++;
		}
		i = e;
	}
}

/* The worst-case bound of one call (see the top of the file). */
static double
pattern_cost(size_t n, const char *p, size_t m, bool plain, bool anchor_ok)
{
	struct pat_shape sh;
	double starts;

	pattern_shape(p, m, &sh);
	if (plain || !sh.special)
		return (double)n * (double)(m ? m : 1);
	starts = sh.anchored && anchor_ok ? 1.0 : (double)n + 1.0;
	return starts * (double)(m ? m : 1) * pow(2.0, sh.opt) *
	    pow((double)n + 1.0, sh.rep);
}

/* [-0, +0, e] Raises when the call's bound is over the cap. */
static void
check_cost(lua_State *L, const char *fn, bool plain, bool anchor_ok)
{
	size_t n, m;
	const char *s, *p;
	double cost;

	if (!lua_isstring(L, 1) || !lua_isstring(L, 2))
		return;         /* the original rejects it */
	s = lua_tolstring(L, 1, &n);
	p = lua_tolstring(L, 2, &m);
	(void)s;
	cost = pattern_cost(n, p, m, plain, anchor_ok);
	if (cost > (double)SANDBOX_PATTERN_COST) {
		char msg[256];

		/* lua_pushfstring knows no %g: format here */
		snprintf(msg, sizeof(msg), "pattern too complex for the sandbox "
		    "(string.%s: subject of %zu bytes, pattern of %zu bytes: "
		    "worst case %.3g steps, limit %.3g)", fn, n, m, cost,
		    (double)SANDBOX_PATTERN_COST);
		lua_pushstring(L, msg);
		lua_error(L);
	}
}

/* [-(n), +(r), e] Calls the original (upvalue 1) with every argument. */
static int
call_original(lua_State *L)
{
	int n = lua_gettop(L);

	lua_pushvalue(L, lua_upvalueindex(1));
	lua_insert(L, 1);
	lua_call(L, n, LUA_MULTRET);
	return lua_gettop(L);
}

/* [-(n), +(r), e] string.find(s, pattern [, init [, plain]]) */
static int
g_find(lua_State *L)
{
	check_cost(L, "find", lua_toboolean(L, 4), true);
	return call_original(L);
}

/* [-(n), +(r), e] string.match(s, pattern [, init]) */
static int
g_match(lua_State *L)
{
	check_cost(L, "match", false, true);
	return call_original(L);
}

/* [-(n), +1, e] string.gmatch(s, pattern [, init]): no anchor */
static int
g_gmatch(lua_State *L)
{
	check_cost(L, "gmatch", false, false);
	return call_original(L);
}

/* [-(n), +2, e] string.gsub(s, pattern, repl [, n]) */
static int
g_gsub(lua_State *L)
{
	check_cost(L, "gsub", false, true);
	return call_original(L);
}

/* [-(n), +1, e] table.move(a1, f, e, t [, a2]): its C loop runs e - f + 1
 * times without an instruction or (for nil slots) an allocation. */
static int
g_move(lua_State *L)
{
	lua_Integer f = luaL_checkinteger(L, 2), e = luaL_checkinteger(L, 3);

	if (e >= f && (f <= 0 ? e >= SANDBOX_MOVE_MAX + f :
	    e - f >= SANDBOX_MOVE_MAX))
		luaL_error(L, "table.move of more than %d elements refused by "
		    "the sandbox (asked for %I..%I)", SANDBOX_MOVE_MAX, f, e);
	return call_original(L);
}

/* [-(n), +1, e] setmetatable(t, mt): refuses a metatable with a __gc
 * field.  Lua runs finalizers with hooks off (lgc.c GCTM sets
 * allowhook = 0), so a __gc that loops would hang the process at the next
 * collection or at lua_close, beyond the instruction limit's reach.  Only
 * a __gc present at setmetatable time marks an object for finalization,
 * so checking here is enough. */
static int
g_setmetatable(lua_State *L)
{
	luaL_checktype(L, 1, LUA_TTABLE);   /* named in the message */
	if (lua_type(L, 2) == LUA_TTABLE) {
		lua_pushliteral(L, "__gc");
		if (lua_rawget(L, 2) != LUA_TNIL)
			luaL_error(L, "__gc metamethods are not allowed in the "
			    "sandbox (finalizers run beyond the instruction limit)");
		lua_pop(L, 1);
	}
	return call_original(L);
}

void
sandbox_guard_strings(lua_State *L)
{
	static const luaL_Reg guards[] = {
		{ "find", g_find },
		{ "match", g_match },
		{ "gmatch", g_gmatch },
		{ "gsub", g_gsub },
	};

	lua_getglobal(L, LUA_STRLIBNAME);
	for (size_t i = 0; i < sizeof(guards) / sizeof(guards[0]); i++) {
		lua_getfield(L, -1, guards[i].name);
		lua_pushcclosure(L, guards[i].func, 1);
		lua_setfield(L, -2, guards[i].name);
	}
	lua_pop(L, 1);
	lua_getglobal(L, LUA_TABLIBNAME);
	lua_getfield(L, -1, "move");
	lua_pushcclosure(L, g_move, 1);
	lua_setfield(L, -2, "move");
	lua_pop(L, 1);
	lua_getglobal(L, "setmetatable");
	lua_pushcclosure(L, g_setmetatable, 1);
	lua_setglobal(L, "setmetatable");
}
