/*
 * sandbox: a Lua 5.4 state for untrusted scenario files.  See sandbox.h.
 *
 * The state is built with lua_newstate() and a counting allocator: an
 * allocation that would take the state past mem_limit is refused,
 * shrinking never fails.  A refusal is not yet an error: Lua collects
 * garbage and asks again, and only raises its memory error when the
 * second request is refused too.  pcall and xpcall are replaced by
 * versions that re-raise a memory error instead of returning it, so once
 * a run is out of memory it fails even if the script tried to catch it.
 *
 * The instruction cap is a count hook every SANDBOX_HOOK_STEP
 * instructions.  When the budget is spent the hook re-arms itself for
 * every single instruction and raises an error each time, so a script
 * that catches the first error with pcall cannot execute one more
 * instruction: the error reaches sandbox_run_*.  The budget is per
 * sandbox, not per run; a sandbox that exhausted it stays dead.
 * Allocations are charged to the same budget, one instruction per
 * SANDBOX_ALLOC_COST bytes, because library functions do work in
 * proportion to what they allocate (string.rep, .., table.concat) and a
 * loop of them under the memory cap must not run for hours.  The hook
 * only looks every SANDBOX_HOOK_STEP instructions, so once allocations
 * have spent the budget the allocator refuses to grow anything
 * (work_hit) and the run fails with the instruction limit's message.
 *
 * Libraries: base (minus load, loadfile, dofile, require,
 * collectgarbage; pcall and xpcall replaced as above), string (minus
 * dump; find, match, gmatch and gsub bounded by core/sandbox_str.c,
 * since the count hook does not run inside the pattern matcher), table,
 * math, utf8.  The string
 * metatable gets a __metatable field so getmetatable("") returns a
 * sentinel instead of the table whose __index is the string library.
 *
 * Calls back into a loaded state (sandbox_call, for hooks) get their own
 * instruction budget: the load's count is saved, the budget set, the
 * hook re-armed, and the load's count restored afterwards.  Their errors
 * are reported against the last chunk that loaded; the first one is kept
 * (sandbox_error) and later calls are refused, so a scenario whose hook
 * failed stays failed.
 *
 * Chunks are loaded in text mode only ("t"), named "@path", so Lua's own
 * messages read "path:line: message".  Lua shortens long chunk names to
 * "...tail"; the full path is put back before the message is returned.
 * This module does not log.
 */
#include "core/sandbox.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <lauxlib.h>
#include <lualib.h>

#include "core/sandbox_int.h"
#include "core/util.h"

#define SANDBOX_HOOK_STEP 1000
#define SANDBOX_ALLOC_COST 16
#define SANDBOX_FILE_MAX (1u << 20)

struct sandbox {
	lua_State *L;
	size_t used;
	size_t limit;
	uint64_t insns;
	uint64_t insn_limit;
	bool running;           /* inside sandbox_run_*: note refusals' lines */
	bool insn_hit;
	int insn_line;          /* where the budget ran out */
	char insn_src[LUA_IDSIZE];
	bool mem_hit;           /* this run raised a memory error */
	bool work_hit;          /* ... because allocations spent the budget */
	int refused_line;       /* line of the last refused allocation */
	int mem_line;           /* line of the memory error, 0 unknown */
	const char *chunk;      /* "@name" of the running chunk */
	char *main_chunk;       /* "@name" of the last chunk that loaded */
	char *fail;             /* the first error of a sandbox_call */
};

static struct sandbox *
sb_of(lua_State *L)
{
	void *ud;

	lua_getallocf(L, &ud);
	return ud;
}

/* Line of the innermost active function of the running chunk, or 0. */
static int
chunk_line(lua_State *L, const char *chunk, char *src, size_t srclen)
{
	lua_Debug ar;

	for (int level = 0; lua_getstack(L, level, &ar); level++) {
		if (lua_getinfo(L, "Sl", &ar) == 0 || ar.currentline <= 0)
			continue;
		if (chunk != NULL && strcmp(ar.source, chunk) != 0)
			continue;
		if (src != NULL)
			snprintf(src, srclen, "%s", ar.short_src);
		return ar.currentline;
	}
	return 0;
}

/*
 * The allocator.  ptr == NULL means osize is a type tag, not a size.
 * Called for lua_newstate too, before sb->L is set.  Finding the line on
 * refusal only reads CallInfo and Proto fields (lua_getstack/getinfo with
 * "Sl" allocate nothing), which are consistent whenever Lua allocates.
 */
static void *
sb_alloc(void *ud, void *ptr, size_t osize, size_t nsize)
{
	struct sandbox *sb = ud;
	size_t old = ptr != NULL ? osize : 0;
	void *p;

	if (nsize == 0) {
		free(ptr);
		sb->used -= old;
		return NULL;
	}
	if (nsize > old && sb->running && !sb->insn_hit &&
	    sb->insns >= sb->insn_limit)
		sb->work_hit = true;
	if (nsize > old && (nsize - old > sb->limit ||
	    sb->used + (nsize - old) > sb->limit || sb->work_hit)) {
		if (sb->running)
			sb->refused_line = chunk_line(sb->L, sb->chunk, NULL, 0);
		return NULL;
	}
	p = realloc(ptr, nsize);
	if (p == NULL) {
		if (nsize <= old)
			return ptr;     /* a failed shrink keeps the old block */
		return NULL;
	}
	sb->used = sb->used - old + nsize;
	if (nsize > old)
		sb->insns += (nsize - old) / SANDBOX_ALLOC_COST;
	return p;
}

static void
sb_hook(lua_State *L, lua_Debug *ar)
{
	struct sandbox *sb = sb_of(L);
	char msg[64];

	(void)ar;
	if (!sb->insn_hit) {
		sb->insns += SANDBOX_HOOK_STEP;
		if (sb->insns < sb->insn_limit)
			return;
		sb->insn_hit = true;
		sb->insn_line = chunk_line(L, NULL, sb->insn_src,
		    sizeof(sb->insn_src));
		/* from now on every instruction fails: pcall cannot swallow it */
		lua_sethook(L, sb_hook, LUA_MASKCOUNT, 1);
	}
	/* lua_pushfstring knows no %llu */
	snprintf(msg, sizeof(msg), "instruction limit (%llu) exceeded",
	    (unsigned long long)sb->insn_limit);
	/* not luaL_error: it would prepend the position of level 1, the
	 * caller of the function that ran out (a metamethod's caller) */
	if (sb->insn_line > 0)
		lua_pushfstring(L, "%s:%d: %s", sb->insn_src, sb->insn_line, msg);
	else
		lua_pushstring(L, msg);
	lua_error(L);
}

static int
sb_finish(lua_State *L, int status, int extra)
{
	struct sandbox *sb = sb_of(L);

	if (status == LUA_OK)
		return lua_gettop(L) - extra;
	if (status == LUA_ERRMEM || sb->mem_hit) {
		if (!sb->mem_hit) {
			sb->mem_hit = true;
			sb->mem_line = sb->refused_line;
		}
		return lua_error(L);        /* the error object is on top */
	}
	lua_pushboolean(L, 0);
	lua_pushvalue(L, -2);
	return 2;
}

/* [-(n), +(r), -] pcall(f, ...) as in lbaselib.c, see sb_finish. */
static int
sb_pcall(lua_State *L)
{
	luaL_checkany(L, 1);
	lua_pushboolean(L, 1);
	lua_insert(L, 1);
	return sb_finish(L, lua_pcall(L, lua_gettop(L) - 2, LUA_MULTRET, 0), 0);
}

/* [-(n), +(r), -] xpcall(f, msgh, ...) as in lbaselib.c. */
static int
sb_xpcall(lua_State *L)
{
	int n = lua_gettop(L);

	luaL_checktype(L, 2, LUA_TFUNCTION);
	lua_pushboolean(L, 1);
	lua_pushvalue(L, 1);
	lua_rotate(L, 3, 2);
	return sb_finish(L, lua_pcall(L, n - 2, LUA_MULTRET, 2), 2);
}

static int
sb_panic(lua_State *L)
{
	const char *msg = lua_tostring(L, -1);

	fatal("sandbox: unprotected Lua error: %s", msg ? msg : "?");
}

/* [-0, +0, m] Opens the allowed libraries and removes the rest. */
static int
sb_open(lua_State *L)
{
	static const luaL_Reg libs[] = {
		{ LUA_GNAME, luaopen_base },
		{ LUA_STRLIBNAME, luaopen_string },
		{ LUA_TABLIBNAME, luaopen_table },
		{ LUA_MATHLIBNAME, luaopen_math },
		{ LUA_UTF8LIBNAME, luaopen_utf8 },
	};
	static const char *const drop[] = {
		"load", "loadfile", "dofile", "require", "collectgarbage",
	};

	for (size_t i = 0; i < ARRAY_LEN(libs); i++) {
		luaL_requiref(L, libs[i].name, libs[i].func, 1);
		lua_pop(L, 1);
	}
	for (size_t i = 0; i < ARRAY_LEN(drop); i++) {
		lua_pushnil(L);
		lua_setglobal(L, drop[i]);
	}
	lua_pushcfunction(L, sb_pcall);
	lua_setglobal(L, "pcall");
	lua_pushcfunction(L, sb_xpcall);
	lua_setglobal(L, "xpcall");
	lua_getglobal(L, LUA_STRLIBNAME);
	lua_pushnil(L);
	lua_setfield(L, -2, "dump");
	lua_pop(L, 1);
	sandbox_guard_strings(L);

	/* getmetatable("") now returns this string, not the metatable */
	lua_pushliteral(L, "");
	if (lua_getmetatable(L, -1)) {
		lua_pushliteral(L, "string");
		lua_setfield(L, -2, "__metatable");
		lua_pop(L, 1);
	}
	lua_pop(L, 1);
	return 0;
}

struct sandbox *
sandbox_new(size_t mem_limit, uint64_t insn_limit)
{
	struct sandbox *sb = xcalloc(1, sizeof(*sb));

	sb->limit = mem_limit ? mem_limit : SANDBOX_MEM_DEFAULT;
	sb->insn_limit = insn_limit ? insn_limit : SANDBOX_INSNS_DEFAULT;
	sb->L = lua_newstate(sb_alloc, sb);
	if (sb->L == NULL) {
		free(sb);
		return NULL;        /* mem_limit below what an empty state needs */
	}
	lua_atpanic(sb->L, sb_panic);
	lua_pushcfunction(sb->L, sb_open);
	if (lua_pcall(sb->L, 0, 0, 0) != LUA_OK) {
		lua_close(sb->L);
		free(sb);
		return NULL;
	}
	lua_sethook(sb->L, sb_hook, LUA_MASKCOUNT, SANDBOX_HOOK_STEP);
	return sb;
}

void
sandbox_free(struct sandbox *sb)
{
	if (sb == NULL)
		return;
	lua_close(sb->L);
	free(sb->main_chunk);
	free(sb->fail);
	free(sb);
}

lua_State *
sandbox_lua(struct sandbox *sb)
{
	return sb->L;
}

size_t
sandbox_mem_used(const struct sandbox *sb)
{
	return sb->used;
}

/*
 * [-1, +1, -] Message handler: no traceback, but make sure the message
 * is a string that starts with "chunk:line:".  Never calls metamethods.
 */
static int
sb_msgh(lua_State *L)
{
	struct sandbox *sb = sb_of(L);
	char src[LUA_IDSIZE], pfx[LUA_IDSIZE + 2];
	const char *msg;
	int line;

	if (lua_type(L, 1) == LUA_TSTRING || lua_type(L, 1) == LUA_TNUMBER)
		msg = lua_tostring(L, 1);
	else
		msg = lua_pushfstring(L, "(error object is a %s value)",
		    luaL_typename(L, 1));
	line = chunk_line(L, sb->chunk, src, sizeof(src));
	if (line <= 0)
		return 1;
	snprintf(pfx, sizeof(pfx), "%s:", src);
	if (strncmp(msg, pfx, strlen(pfx)) == 0)
		return 1;           /* already "chunk:line: ..." */
	lua_pushfstring(L, "%s:%d: %s", src, line, msg);
	return 1;
}

/* Copies msg to err, replacing Lua's shortened "...tail" chunk name at
 * the start with the full name, or adding the name when there is none. */
static void
sb_set_error(char *err, size_t errlen, const char *name, const char *msg)
{
	size_t nlen = strlen(name);

	if (strncmp(msg, "...", 3) == 0) {
		for (const char *c = msg + 3; *c != '\0'; c++) {
			size_t tail = (size_t)(c - (msg + 3));
			if (*c != ':')
				continue;
			if (tail <= nlen &&
			    memcmp(name + nlen - tail, msg + 3, tail) == 0) {
				snprintf(err, errlen, "%s%s", name, c);
				return;
			}
			break;
		}
	}
	/* messages Lua raises without a position (the parser's "C stack
	 * overflow" on deep nesting) still name the file */
	if (strncmp(msg, name, nlen) != 0 || msg[nlen] != ':')
		snprintf(err, errlen, "%s: %s", name, msg);
	else
		snprintf(err, errlen, "%s", msg);
}

/* The message of a failed run or call (error object on the stack top). */
static void
sb_error(struct sandbox *sb, int rc, const char *name, char *err,
	size_t errlen)
{
	lua_State *L = sb->L;

	if (sb->mem_hit && sb->work_hit)
		snprintf(err, errlen, "%s:%d: instruction limit (%llu) exceeded "
		    "(allocations count, one per %d bytes)", name,
		    sb->mem_line > 0 ? sb->mem_line : 1,
		    (unsigned long long)sb->insn_limit, SANDBOX_ALLOC_COST);
	else if (sb->mem_hit && sb->mem_line > 0)
		snprintf(err, errlen, "%s:%d: memory limit (%zu bytes) exceeded",
		    name, sb->mem_line, sb->limit);
	else if (sb->mem_hit)
		snprintf(err, errlen, "%s: memory limit (%zu bytes) exceeded",
		    name, sb->limit);
	else if (rc == LUA_ERRERR)
		snprintf(err, errlen, "%s: error in error handling (%s)", name,
		    lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : "?");
	else if (lua_type(L, -1) == LUA_TSTRING)
		sb_set_error(err, errlen, name, lua_tostring(L, -1));
	else
		snprintf(err, errlen, "%s: error (no message)", name);
}

int
sandbox_run_string(struct sandbox *sb, const char *name, const char *src,
	size_t len, char *err, size_t errlen)
{
	lua_State *L = sb->L;
	char *chunk = xasprintf("@%s", name);
	int base = lua_gettop(L), rc;

	if (len >= 1 && src[0] == LUA_SIGNATURE[0]) {
		snprintf(err, errlen, "%s:1: binary chunks (bytecode) are not "
		    "allowed, only Lua source", name);
		free(chunk);
		return -1;
	}
	sb->chunk = chunk;
	sb->mem_hit = false;
	sb->work_hit = false;
	sb->mem_line = 0;
	sb->refused_line = 0;
	sb->running = true;
	lua_pushcfunction(L, sb_msgh);
	rc = luaL_loadbufferx(L, src, len, chunk, "t");
	if (rc == LUA_OK)
		rc = lua_pcall(L, 0, 1, base + 1);
	sb->running = false;
	if (rc == LUA_ERRMEM && !sb->mem_hit) {
		sb->mem_hit = true;
		sb->mem_line = sb->refused_line;
	}
	if (rc == LUA_OK && !sb->mem_hit) {
		lua_remove(L, base + 1);    /* the handler; leaves the result */
		sb->chunk = NULL;
		free(sb->main_chunk);       /* later calls report against it */
		sb->main_chunk = chunk;
		return 0;
	}
	sb_error(sb, rc, name, err, errlen);
	lua_settop(L, base);
	sb->chunk = NULL;
	free(chunk);
	return -1;
}

int
sandbox_run_file(struct sandbox *sb, const char *path, char *err,
	size_t errlen)
{
	struct stat st;
	char *text;
	ssize_t n;
	size_t len = 0;
	int fd, rc;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "%s: not a regular file", path);
		close(fd);
		return -1;
	}
	text = xmalloc(SANDBOX_FILE_MAX + 1);
	/* read one byte past the cap to tell "exactly 1 MiB" from "larger" */
	while ((n = read(fd, text + len, SANDBOX_FILE_MAX + 1 - len)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			snprintf(err, errlen, "%s: %s", path, strerror(errno));
			goto fail;
		}
		len += (size_t)n;
		if (len > SANDBOX_FILE_MAX) {
			snprintf(err, errlen, "%s: file is larger than %u bytes "
			    "(1 MiB), refusing to load it", path, SANDBOX_FILE_MAX);
			goto fail;
		}
	}
	close(fd);
	rc = sandbox_run_string(sb, path, text, len, err, errlen);
	free(text);
	return rc;
fail:
	close(fd);
	free(text);
	return -1;
}

/* ---- calling back into a loaded scenario ---- */

int
sandbox_ref(struct sandbox *sb, int idx)
{
	lua_State *L = sb->L;

	if (lua_type(L, idx) != LUA_TFUNCTION)
		return 0;
	lua_pushvalue(L, idx);
	return luaL_ref(L, LUA_REGISTRYINDEX);
}

const char *
sandbox_error(const struct sandbox *sb)
{
	return sb->fail;
}

void
sandbox_fail(struct sandbox *sb, const char *msg)
{
	if (sb->fail == NULL)
		sb->fail = xstrdup(msg);
}

int
sandbox_call(struct sandbox *sb, int ref, int nargs, int nres,
	uint64_t insns, const char *what, char *err, size_t errlen)
{
	lua_State *L = sb->L;
	int base = lua_gettop(L) - nargs, rc;
	uint64_t saved_insns = sb->insns, saved_limit = sb->insn_limit;
	const char *name = sb->main_chunk != NULL ? sb->main_chunk + 1 : "(scenario)";
	char msg[1024];

	if (sb->fail != NULL) {
		lua_settop(L, base);
		snprintf(err, errlen, "%s", sb->fail);
		return -1;
	}
	lua_pushcfunction(L, sb_msgh);
	if (lua_rawgeti(L, LUA_REGISTRYINDEX, ref) != LUA_TFUNCTION) {
		lua_settop(L, base);
		snprintf(err, errlen, "%s: %s is not a function", name,
		    what ? what : "the hook");
		return -1;
	}
	lua_rotate(L, base + 1, 2);     /* handler, function, args */
	sb->chunk = sb->main_chunk;
	sb->mem_hit = false;
	sb->work_hit = false;
	sb->mem_line = 0;
	sb->refused_line = 0;
	sb->insns = 0;
	sb->insn_limit = insns ? insns : SANDBOX_CALL_INSNS;
	sb->insn_hit = false;
	lua_sethook(L, sb_hook, LUA_MASKCOUNT, SANDBOX_HOOK_STEP);
	sb->running = true;
	rc = lua_pcall(L, nargs, nres, base + 1);
	sb->running = false;
	if (rc == LUA_ERRMEM && !sb->mem_hit) {
		sb->mem_hit = true;
		sb->mem_line = sb->refused_line;
	}
	if (rc == LUA_OK && !sb->mem_hit) {
		lua_remove(L, base + 1);
	} else {
		sb_error(sb, rc, name, msg, sizeof(msg));
		lua_settop(L, base);
		snprintf(err, errlen, "%s (in %s)", msg, what ? what : "a hook");
		sb->fail = xstrdup(err);
	}
	/* the load's budget is not the calls' */
	sb->insns = saved_insns;
	sb->insn_limit = saved_limit;
	sb->insn_hit = false;
	lua_sethook(L, sb_hook, LUA_MASKCOUNT, SANDBOX_HOOK_STEP);
	sb->chunk = NULL;
	return sb->fail != NULL ? -1 : 0;
}
