/*
 * scenario_conv: typed readers of Lua values for the scenario loader, and
 * its error reporting.  See scenario_int.h for the contract: every
 * reader either returns a checked value or raises through cv_fail(),
 * which writes "name:line: key.path: message".
 *
 * Values are only read raw (lua_rawget, lua_rawgeti, lua_next, no
 * lua_tostring on keys during traversal), so no metamethod of the
 * scenario runs and lua_next is never confused.  User strings quoted in
 * messages are sanitized and cut short.
 */
#include "sim/scenario_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lauxlib.h>

#include "core/sandbox.h"

#define CV_QUOTE_MAX 80

static const char *const no_keys[] = { NULL };

static void
path_str(const struct cv *cv, char *buf, size_t len)
{
	size_t off = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < cv->depth && off < len; i++) {
		const struct scn_key *k = &cv->path[i];
		int n;
		if (k->name != NULL)
			n = snprintf(buf + off, len - off, "%s%s", i ? "." : "",
			    k->name);
		else
			n = snprintf(buf + off, len - off, "[%ld]", k->index);
		if (n < 0)
			break;
		off += (size_t)n;
	}
}

int
cv_line(struct cv *cv, const struct scn_key *extra)
{
	struct scn_key path[CV_MAX_PATH + 1];
	size_t n = cv->depth;

	memcpy(path, cv->path, n * sizeof(*path));
	if (extra != NULL)
		path[n++] = *extra;
	return scn_src_line(cv->src, path, n);
}

void
cv_fail(struct cv *cv, const struct scn_key *extra, const char *fmt, ...)
{
	char msg[1024], where[256];
	va_list ap;
	int line = cv_line(cv, extra);

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	path_str(cv, where, sizeof(where));
	if (where[0] != '\0')
		snprintf(cv->err, cv->errlen, "%s:%d: %s: %s", cv->name, line,
		    where, msg);
	else
		snprintf(cv->err, cv->errlen, "%s:%d: %s", cv->name, line, msg);
	cv->failed = true;
	lua_pushliteral(cv->L, "scenario schema error");
	lua_error(cv->L);
	abort();        /* not reached: lua_error does not return */
}

void
cv_push_key(struct cv *cv, const char *name, long index)
{
	if (cv->depth == CV_MAX_PATH)
		fatal("scenario: key path deeper than %d", CV_MAX_PATH);
	cv->path[cv->depth].name = name;
	cv->path[cv->depth].index = index;
	cv->depth++;
}

int
cv_field(struct cv *cv, int t, const char *key)
{
	t = lua_absindex(cv->L, t);
	cv_push_key(cv, key, 0);
	lua_pushstring(cv->L, key);
	return lua_rawget(cv->L, t);
}

int
cv_index(struct cv *cv, int t, size_t i)
{
	t = lua_absindex(cv->L, t);
	cv_push_key(cv, NULL, (long)i);
	return lua_rawgeti(cv->L, t, (lua_Integer)i);
}

void
cv_leave(struct cv *cv)
{
	lua_pop(cv->L, 1);
	cv->depth--;
}

const char *
cv_typename(struct cv *cv, int idx)
{
	return luaL_typename(cv->L, idx);
}

const char *
cv_join(struct cv *cv, const char *const *list)
{
	luaL_Buffer b;

	luaL_buffinit(cv->L, &b);
	for (size_t i = 0; list[i] != NULL; i++) {
		if (i > 0)
			luaL_addstring(&b, ", ");
		luaL_addstring(&b, list[i]);
	}
	luaL_pushresult(&b);
	return lua_tostring(cv->L, -1);
}

void
cv_table(struct cv *cv, int idx, const char *what)
{
	if (lua_type(cv->L, idx) != LUA_TTABLE)
		cv_fail(cv, NULL, "expected %s, got %s", what, cv_typename(cv, idx));
}

static bool
in_list(const char *s, const char *const *list)
{
	for (size_t i = 0; list[i] != NULL; i++)
		if (strcmp(s, list[i]) == 0)
			return true;
	return false;
}

/* The smallest key of a table outside (allowed, 1..npos): integers
 * first, then strings, then other types, so the report is stable. */
struct badkey {
	int cls;                /* 0 integer, 1 string, 2 other, 3 none */
	lua_Integer i;
	char s[64];
	const char *type;
	size_t count;           /* keys seen */
};

static void
scan_keys(struct cv *cv, int idx, const char *const *allowed,
	lua_Integer npos, struct badkey *bk)
{
	lua_State *L = cv->L;

	memset(bk, 0, sizeof(*bk));
	bk->cls = 3;
	idx = lua_absindex(L, idx);
	lua_pushnil(L);
	while (lua_next(L, idx) != 0) {
		int kt = lua_type(L, -2);
		bk->count++;
		if (kt == LUA_TSTRING) {
			size_t len;
			const char *k = lua_tolstring(L, -2, &len);
			if ((strlen(k) != len || !in_list(k, allowed)) &&
			    (bk->cls > 1 || (bk->cls == 1 && strcmp(k, bk->s) < 0))) {
				bk->cls = 1;
				str_sanitize(bk->s, sizeof(bk->s), k, len);
			}
		} else if (kt == LUA_TNUMBER && lua_isinteger(L, -2)) {
			lua_Integer k = lua_tointeger(L, -2);
			if ((k < 1 || k > npos) && (bk->cls > 0 || k < bk->i)) {
				bk->cls = 0;
				bk->i = k;
			}
		} else if (bk->cls > 2 || (bk->cls == 2 &&
		    strcmp(lua_typename(L, kt), bk->type) < 0)) {
			bk->cls = 2;
			bk->type = lua_typename(L, kt);
		}
		lua_pop(L, 1);
	}
}

void
cv_keys(struct cv *cv, int idx, const char *const *allowed, lua_Integer npos)
{
	struct badkey bk;
	struct scn_key k = { NULL, 0 };

	scan_keys(cv, idx, allowed, npos, &bk);
	switch (bk.cls) {
	case 0:
		k.index = (long)bk.i;
		cv_fail(cv, &k, "unexpected list element [%lld] (allowed keys: %s)",
		    (long long)bk.i, cv_join(cv, allowed));
		break;
	case 1:
		k.name = bk.s;
		cv_fail(cv, &k, "unknown key \"%s\" (allowed keys: %s)", bk.s,
		    cv_join(cv, allowed));
		break;
	case 2:
		cv_fail(cv, NULL, "unexpected %s key (allowed keys: %s)", bk.type,
		    cv_join(cv, allowed));
		break;
	default:
		break;
	}
}

size_t
cv_list(struct cv *cv, int idx, size_t max)
{
	struct badkey bk;
	struct scn_key k = { NULL, 0 };
	size_t n;

	cv_table(cv, idx, "a list { ... }");
	n = lua_rawlen(cv->L, idx);
	scan_keys(cv, idx, no_keys, (lua_Integer)n, &bk);
	switch (bk.cls) {
	case 0:
		k.index = (long)bk.i;
		cv_fail(cv, &k, "not a proper list: element [%lld] after a nil "
		    "(hole) or below 1", (long long)bk.i);
		break;
	case 1:
		k.name = bk.s;
		cv_fail(cv, &k, "expected a list { ... }, got a table with key "
		    "\"%s\" (a list of one table is written { { %s = ... } })",
		    bk.s, bk.s);
		break;
	case 2:
		cv_fail(cv, NULL, "expected a list { ... }, got a table with a %s "
		    "key", bk.type);
		break;
	default:
		break;
	}
	if (bk.count != n)
		cv_fail(cv, NULL, "not a proper list: it has holes (nil elements)");
	if (n > max)
		cv_fail(cv, NULL, "too many entries (%zu; at most %zu)", n, max);
	return n;
}

const char *
cv_cstring(struct cv *cv, int idx)
{
	const char *s;
	size_t len;

	if (lua_type(cv->L, idx) != LUA_TSTRING)
		cv_fail(cv, NULL, "expected string, got %s", cv_typename(cv, idx));
	s = lua_tolstring(cv->L, idx, &len);
	if (strlen(s) != len)
		cv_fail(cv, NULL, "string contains a NUL byte");
	return s;
}

char *
cv_string(struct cv *cv, int idx, bool allow_empty)
{
	const char *s = cv_cstring(cv, idx);

	if (!allow_empty && s[0] == '\0')
		cv_fail(cv, NULL, "must not be empty");
	return xstrdup(s);
}

static bool
valid_hostname(const char *s)
{
	size_t label = 0, n = strlen(s);

	if (n == 0 || n > 253)
		return false;
	for (size_t i = 0; i <= n; i++) {
		char c = s[i];
		if (c == '.' || c == '\0') {
			if (label == 0 || label > 63 || s[i - 1] == '-')
				return false;
			label = 0;
			continue;
		}
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || (c == '-' && label > 0)))
			return false;
		label++;
	}
	return true;
}

char *
cv_hostname(struct cv *cv, int idx)
{
	const char *s = cv_cstring(cv, idx);
	char q[CV_QUOTE_MAX];

	if (!valid_hostname(s)) {
		str_sanitize(q, sizeof(q), s, strlen(s));
		cv_fail(cv, NULL, "\"%s\" is not a valid host name (dot-separated "
		    "labels of letters, digits and hyphens, no trailing dot)", q);
	}
	return xstrdup(s);
}

char *
cv_enum(struct cv *cv, int idx, const char *const *allowed)
{
	const char *s = cv_cstring(cv, idx);
	char q[CV_QUOTE_MAX];

	if (!in_list(s, allowed)) {
		str_sanitize(q, sizeof(q), s, strlen(s));
		cv_fail(cv, NULL, "bad value \"%s\" (allowed: %s)", q,
		    cv_join(cv, allowed));
	}
	return xstrdup(s);
}

lua_Integer
cv_integer(struct cv *cv, int idx, lua_Integer min, lua_Integer max)
{
	lua_Integer v;
	int ok;

	if (lua_type(cv->L, idx) != LUA_TNUMBER)
		cv_fail(cv, NULL, "expected integer, got %s", cv_typename(cv, idx));
	v = lua_tointegerx(cv->L, idx, &ok);
	if (!ok)
		cv_fail(cv, NULL, "expected integer, got %g",
		    (double)lua_tonumber(cv->L, idx));
	if (v < min || v > max)
		cv_fail(cv, NULL, "%lld is out of range (%lld to %lld)",
		    (long long)v, (long long)min, (long long)max);
	return v;
}

int
cv_function(struct cv *cv, int idx)
{
	int ref;

	if (lua_type(cv->L, idx) != LUA_TFUNCTION)
		cv_fail(cv, NULL, "expected a function, got %s", cv_typename(cv, idx));
	ref = sandbox_ref(cv->sb, idx);
	cv->keep = true;
	return ref;
}

int
cv_boolean(struct cv *cv, int idx)
{
	if (lua_type(cv->L, idx) != LUA_TBOOLEAN)
		cv_fail(cv, NULL, "expected boolean (true or false), got %s",
		    cv_typename(cv, idx));
	return lua_toboolean(cv->L, idx);
}

void
cv_string_list(struct cv *cv, int idx, size_t min, size_t max, char ***out,
	size_t *n)
{
	size_t len;

	idx = lua_absindex(cv->L, idx);
	len = cv_list(cv, idx, max);
	if (len < min)
		cv_fail(cv, NULL, "needs at least %zu entr%s", min,
		    min == 1 ? "y" : "ies");
	*out = xcalloc(len + 1, sizeof(**out));
	*n = len;
	for (size_t i = 0; i < len; i++) {
		cv_index(cv, idx, i + 1);
		(*out)[i] = cv_string(cv, -1, false);
		cv_leave(cv);
	}
}

void
cv_enum_list(struct cv *cv, int idx, const char *const *allowed, size_t min,
	size_t max, char ***out, size_t *n)
{
	size_t len;

	idx = lua_absindex(cv->L, idx);
	if (lua_type(cv->L, idx) == LUA_TSTRING) {
		*out = xcalloc(2, sizeof(**out));
		*n = 1;
		(*out)[0] = cv_enum(cv, idx, allowed);
		return;
	}
	if (lua_type(cv->L, idx) != LUA_TTABLE)
		cv_fail(cv, NULL, "expected a string or a list of strings, got %s "
		    "(allowed: %s)", cv_typename(cv, idx), cv_join(cv, allowed));
	len = cv_list(cv, idx, max);
	if (len < min)
		cv_fail(cv, NULL, "needs at least %zu value%s (allowed: %s)", min,
		    min == 1 ? "" : "s", cv_join(cv, allowed));
	*out = xcalloc(len + 1, sizeof(**out));
	*n = len;
	for (size_t i = 0; i < len; i++) {
		cv_index(cv, idx, i + 1);
		(*out)[i] = cv_enum(cv, -1, allowed);
		cv_leave(cv);
	}
}
