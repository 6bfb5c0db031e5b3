/*
 * scenario_sweep: one scenario file that expands into a family, the NO
 * STARTTLS reply-code sweep (scenario.h has the schema):
 *
 *   sweep = { step = { "banner", "EHLO", "STARTTLS", ... },
 *             code = { 220, 421, 454, 554 }, host = "mx1.example.test" },
 *   expect_for = function(step, code) return { delivery = ... } end,
 *                -- or a table: ["EHLO-454"], ["EHLO-4xx"], [454],
 *                -- ["4xx"], ["EHLO"], default (first match wins)
 *
 * Each (step, code) of the product is a scenario of its own, with the id
 * "<file id>#<STEP>-<CODE>" and a reply attack { "reply", host = host,
 * step = step, code = code } added to the file's attack list; its expect
 * comes from expect_for (the file's own expect, if any, is the fallback).
 * A 354 to DATA is left out of the product: the reply attack refuses it
 * (an attacker's 354 would take the message; that is swap_cert's job).
 *
 * scn_sweep_expand (called by scenario_find) turns each sweep file in the
 * list into one entry per variant; scn_sweep_apply (called by the loader
 * before the schema walk) rewrites the returned table for the variant
 * that the id names, or the first one when it names none.  Errors name
 * the file and line like the rest of the loader.  Nothing here logs.
 */
#include "sim/scenario_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <lauxlib.h>

#include "core/sandbox.h"

#define SWEEP_MAX 64            /* steps, and codes */

static const char *const sweep_steps[] = {
	"banner", "EHLO", "HELO", "STARTTLS", "MAIL", "RCPT", "DATA", "DOT",
	"RSET", "NOOP", "QUIT", "AUTH", NULL,
};

struct sweep {
	const char *step[SWEEP_MAX];  /* from sweep_steps */
	int code[SWEEP_MAX];
	size_t nstep, ncode;
};

static bool
skipped(const char *step, int code)
{
	return strcmp(step, "DATA") == 0 && code == 354;
}

/* Fails with "name:line: sweep...: msg". */
static int
sweep_err(const char *name, const struct scn_src *src, const char *key,
    long index, char *err, size_t errlen, const char *msg)
{
	struct scn_key path[3] = { { "sweep", 0 }, { key, 0 }, { NULL, index } };
	size_t n = key == NULL ? 1 : index > 0 ? 3 : 2;
	int line = src != NULL ? scn_src_line(src, path, n) : 0;

	if (index > 0)
		snprintf(err, errlen, "%s:%d: sweep.%s[%ld]: %s", name, line, key,
		    index, msg);
	else
		snprintf(err, errlen, "%s:%d: sweep%s%s: %s", name, line, key ? "." : "",
		    key ? key : "", msg);
	return -1;
}

/* [-0, +0, -] Reads t.sweep (t at index t) raw.  Returns 1 when there is
 * a sweep, 0 when not, -1 with err. */
static int
read_sweep(lua_State *L, int t, const char *name, const struct scn_src *src,
    struct sweep *sw, char *err, size_t errlen)
{
	int top = lua_gettop(L), s;

	memset(sw, 0, sizeof(*sw));
	lua_pushliteral(L, "sweep");
	if (lua_rawget(L, t) == LUA_TNIL) {
		lua_settop(L, top);
		return 0;
	}
	s = lua_gettop(L);
	if (lua_type(L, s) != LUA_TTABLE) {
		lua_settop(L, top);
		return sweep_err(name, src, NULL, 0, err, errlen,
		    "expected a table { step = { ... }, code = { ... } }");
	}
	lua_pushnil(L);
	while (lua_next(L, s) != 0) {
		const char *k = lua_type(L, -2) == LUA_TSTRING ? lua_tostring(L, -2) : "";
		lua_pop(L, 1);
		if (strcmp(k, "step") != 0 && strcmp(k, "code") != 0 &&
		    strcmp(k, "host") != 0) {
			lua_settop(L, top);
			return sweep_err(name, src, NULL, 0, err, errlen,
			    "unknown key (allowed: step, code, host)");
		}
	}
	for (int pass = 0; pass < 2; pass++) {
		const char *key = pass == 0 ? "step" : "code";
		lua_Integer n;
		lua_pushstring(L, key);
		if (lua_rawget(L, s) != LUA_TTABLE) {
			lua_settop(L, top);
			return sweep_err(name, src, key, 0, err, errlen,
			    "missing or not a list");
		}
		n = (lua_Integer)lua_rawlen(L, -1);
		if (n < 1 || n > SWEEP_MAX) {
			lua_settop(L, top);
			return sweep_err(name, src, key, 0, err, errlen,
			    "a list of 1 to 64 entries");
		}
		for (lua_Integer i = 1; i <= n; i++) {
			lua_rawgeti(L, -1, i);
			if (pass == 0) {
				const char *v = lua_type(L, -1) == LUA_TSTRING ?
				    lua_tostring(L, -1) : "";
				const char *found = NULL;
				for (size_t k = 0; sweep_steps[k] != NULL; k++)
					if (strcasecmp(v, sweep_steps[k]) == 0)
						found = sweep_steps[k];
				if (found == NULL) {
					lua_settop(L, top);
					return sweep_err(name, src, key, (long)i, err, errlen,
					    "a step: banner, EHLO, HELO, STARTTLS, MAIL, RCPT, "
					    "DATA, DOT, RSET, NOOP, QUIT or AUTH");
				}
				sw->step[sw->nstep++] = found;
			} else {
				int isnum;
				lua_Integer c = lua_tointegerx(L, -1, &isnum);
				if (!isnum || c < 200 || c > 599) {
					lua_settop(L, top);
					return sweep_err(name, src, key, (long)i, err, errlen,
					    "a reply code from 200 to 599");
				}
				sw->code[sw->ncode++] = (int)c;
			}
			lua_pop(L, 1);
		}
		lua_pop(L, 1);
	}
	lua_settop(L, top);
	return 1;
}

/* ---- the loader's side ---- */

struct apply {
	const char *name;
	const struct scn_src *src;
	const char *variant;      /* "EHLO-454", or NULL: the first */
	char *label;              /* out: the variant applied */
	char *err;
	size_t errlen;
	bool failed;
};

/* [-0, +1, e] The expectation for (step, code) from expect_for at idx. */
static void
expect_for(lua_State *L, struct apply *ap, int t, int ef, const char *step, int code)
{
	char keys[5][32];

	if (lua_type(L, ef) == LUA_TFUNCTION) {
		lua_pushvalue(L, ef);
		lua_pushstring(L, step);
		lua_pushinteger(L, code);
		lua_call(L, 2, 1);        /* errors carry their own file:line */
		if (lua_type(L, -1) != LUA_TTABLE) {
			ap->failed = true;
			snprintf(ap->err, ap->errlen, "%s: expect_for(\"%s\", %d) returned "
			    "a %s, not an expect table", ap->name, step, code,
			    luaL_typename(L, -1));
			lua_error(L);
		}
		return;
	}
	snprintf(keys[0], sizeof(keys[0]), "%s-%d", step, code);
	snprintf(keys[1], sizeof(keys[1]), "%s-%dxx", step, code / 100);
	snprintf(keys[2], sizeof(keys[2]), "%d", code);
	snprintf(keys[3], sizeof(keys[3]), "%dxx", code / 100);
	snprintf(keys[4], sizeof(keys[4]), "%s", step);
	for (size_t i = 0; i < 5; i++) {
		if (i == 2 && lua_rawgeti(L, ef, code) != LUA_TNIL)
			return;
		if (i == 2)
			lua_pop(L, 1);
		lua_pushstring(L, keys[i]);
		if (lua_rawget(L, ef) != LUA_TNIL)
			return;
		lua_pop(L, 1);
	}
	lua_pushliteral(L, "default");
	if (lua_rawget(L, ef) != LUA_TNIL)
		return;
	lua_pop(L, 1);
	lua_pushliteral(L, "expect");
	if (lua_rawget(L, t) != LUA_TNIL)
		return;
	ap->failed = true;
	snprintf(ap->err, ap->errlen, "%s: expect_for has no entry for %s (keys "
	    "tried: %s, %s, %d, %s, %s, default) and there is no expect", ap->name,
	    keys[0], keys[0], keys[1], code, keys[3], keys[4]);
	lua_error(L);
}

/* [-2, +0, e] Protected: ap (light userdata), the scenario table. */
static int
apply_main(lua_State *L)
{
	struct apply *ap = lua_touserdata(L, 1);
	struct sweep sw;
	const char *step = NULL;
	int code = 0, ef, at, host;
	char label[64];

	if (lua_type(L, 2) != LUA_TTABLE)
		return 0;               /* the schema walk reports it */
	if (read_sweep(L, 2, ap->name, ap->src, &sw, ap->err, ap->errlen) <= 0) {
		ap->failed = ap->err[0] != '\0';
		if (ap->failed)
			lua_error(L);
		return 0;
	}
	for (size_t i = 0; i < sw.nstep && step == NULL; i++)
		for (size_t k = 0; k < sw.ncode && step == NULL; k++) {
			if (skipped(sw.step[i], sw.code[k]))
				continue;
			snprintf(label, sizeof(label), "%s-%d", sw.step[i], sw.code[k]);
			if (ap->variant == NULL || strcmp(ap->variant, label) == 0) {
				step = sw.step[i];
				code = sw.code[k];
			}
		}
	if (step == NULL) {
		ap->failed = true;
		snprintf(ap->err, ap->errlen, "%s: the sweep has no variant \"%s\"",
		    ap->name, ap->variant ? ap->variant : "(any)");
		lua_error(L);
	}
	ap->label = xstrdup(label);
	lua_pushliteral(L, "phases");
	if (lua_rawget(L, 2) != LUA_TNIL) {
		ap->failed = true;
		snprintf(ap->err, ap->errlen, "%s: a sweep makes single-phase "
		    "scenarios: use expect (or expect_for), not phases", ap->name);
		lua_error(L);
	}
	lua_pop(L, 1);
	/* expect_for -> expect */
	lua_pushliteral(L, "expect_for");
	lua_rawget(L, 2);
	ef = lua_gettop(L);
	if (lua_type(L, ef) == LUA_TFUNCTION || lua_type(L, ef) == LUA_TTABLE) {
		expect_for(L, ap, 2, ef, step, code);
		lua_pushliteral(L, "expect");
		lua_insert(L, -2);
		lua_rawset(L, 2);
	} else if (lua_type(L, ef) != LUA_TNIL) {
		ap->failed = true;
		snprintf(ap->err, ap->errlen, "%s: expect_for: expected a function "
		    "(step, code) or a table, got %s", ap->name, luaL_typename(L, ef));
		lua_error(L);
	}
	lua_settop(L, 2);
	lua_pushliteral(L, "expect_for");
	lua_pushnil(L);
	lua_rawset(L, 2);
	/* the reply attack, on sweep.host or the first MX (left out when
	 * neither is a string: the schema walk reports the missing host) */
	lua_pushliteral(L, "attack");
	if (lua_rawget(L, 2) != LUA_TTABLE) {
		lua_pop(L, 1);
		lua_newtable(L);
		lua_pushliteral(L, "attack");
		lua_pushvalue(L, -2);
		lua_rawset(L, 2);
	}
	at = lua_gettop(L);
	lua_pushliteral(L, "sweep");
	lua_rawget(L, 2);
	lua_pushliteral(L, "host");
	lua_rawget(L, -2);
	if (lua_type(L, -1) != LUA_TSTRING) {
		lua_pushliteral(L, "mx");
		if (lua_rawget(L, 2) == LUA_TTABLE && lua_rawgeti(L, -1, 1) == LUA_TTABLE) {
			lua_pushliteral(L, "host");
			lua_rawget(L, -2);
		}
	}
	host = lua_type(L, -1) == LUA_TSTRING ? lua_gettop(L) : 0;
	lua_createtable(L, 1, 3);
	lua_pushliteral(L, "reply");
	lua_rawseti(L, -2, 1);
	lua_pushstring(L, step);
	lua_setfield(L, -2, "step");
	lua_pushinteger(L, code);
	lua_setfield(L, -2, "code");
	if (host != 0) {
		lua_pushvalue(L, host);
		lua_setfield(L, -2, "host");
	}
	lua_rawseti(L, at, (lua_Integer)lua_rawlen(L, at) + 1);
	lua_settop(L, 2);
	lua_pushliteral(L, "sweep");
	lua_pushnil(L);
	lua_rawset(L, 2);
	/* the title names the variant */
	lua_pushliteral(L, "title");
	if (lua_rawget(L, 2) == LUA_TSTRING) {
		lua_pushfstring(L, "%s [%s %d]", lua_tostring(L, -1), step, code);
		lua_pushliteral(L, "title");
		lua_insert(L, -2);
		lua_rawset(L, 2);
	}
	return 0;
}

int
scn_sweep_apply(lua_State *L, const char *name, const struct scn_src *src,
	const char *variant, char **label, char *err, size_t errlen)
{
	struct apply ap = { name, src, variant, NULL, err, errlen, false };
	int rc;

	*label = NULL;
	err[0] = '\0';
	lua_pushcfunction(L, apply_main);
	lua_pushlightuserdata(L, &ap);
	lua_pushvalue(L, -3);
	rc = lua_pcall(L, 2, 0, 0);
	if (rc != LUA_OK) {
		if (!ap.failed)
			snprintf(err, errlen, "%s", lua_type(L, -1) == LUA_TSTRING ?
			    lua_tostring(L, -1) : "error in expect_for");
		lua_pop(L, 1);
		free(ap.label);
		return -1;
	}
	*label = ap.label;
	return 0;
}

/* ---- scenario_find's side ---- */

/* The variant labels of a sweep file (NULL-terminated), or NULL when it
 * is none or does not load (the loader reports that later). */
static char **
variants(const char *path)
{
	struct sandbox *sb;
	struct sweep sw;
	char err[512], **v = NULL;
	size_t n = 0;
	FILE *f = fopen(path, "rb");
	char buf[4096];
	bool maybe = false;
	size_t got;

	if (f == NULL)
		return NULL;
	while (!maybe && (got = fread(buf, 1, sizeof(buf) - 1, f)) > 0) {
		buf[got] = '\0';
		maybe = strstr(buf, "sweep") != NULL;   /* cheap: most files are not */
		if (!maybe && got > 8)
			fseek(f, -8, SEEK_CUR);          /* a word across the edge */
		if (got < sizeof(buf) - 1)
			break;
	}
	fclose(f);
	if (!maybe || (sb = sandbox_new(0, 0)) == NULL)
		return NULL;
	if (sandbox_run_file(sb, path, err, sizeof(err)) == 0 &&
	    lua_type(sandbox_lua(sb), -1) == LUA_TTABLE &&
	    read_sweep(sandbox_lua(sb), lua_gettop(sandbox_lua(sb)), path, NULL,
	    &sw, err, sizeof(err)) == 1) {
		v = xcalloc(sw.nstep * sw.ncode + 1, sizeof(*v));
		for (size_t i = 0; i < sw.nstep; i++)
			for (size_t k = 0; k < sw.ncode; k++)
				if (!skipped(sw.step[i], sw.code[k]))
					v[n++] = xasprintf("%s-%d", sw.step[i], sw.code[k]);
	}
	sandbox_free(sb);
	return v;
}

int
scn_sweep_expand(char ***files, char ***ids, int n)
{
	char **f = *files, **id = *ids, **nf, **nid;
	size_t cap = (size_t)n, out = 0;

	if (n <= 0)
		return n;
	nf = xcalloc(cap, sizeof(*nf));
	nid = xcalloc(cap, sizeof(*nid));
	for (int i = 0; i < n; i++) {
		char **v = variants(f[i]);
		size_t nv = 0;
		while (v != NULL && v[nv] != NULL)
			nv++;
		if (nv == 0) {
			nf[out] = f[i];
			nid[out++] = id[i];
			free(v);
			continue;
		}
		cap += nv - 1;
		nf = xrealloc(nf, cap * sizeof(*nf));
		nid = xrealloc(nid, cap * sizeof(*nid));
		for (size_t k = 0; k < nv; k++) {
			nf[out] = xstrdup(f[i]);
			nid[out++] = xasprintf("%s#%s", id[i], v[k]);
			free(v[k]);
		}
		free(v);
		free(f[i]);
		free(id[i]);
	}
	free(f);
	free(id);
	*files = nf;
	*ids = nid;
	return (int)out;
}
