/*
 * check_sandbox: core/sandbox.c.  The allow-list (what is gone, what is
 * left), the protected string metatable, the instruction cap (also when
 * the script wraps its loop in pcall), the memory cap (string doubling,
 * table growth, string.rep, also under pcall), deep recursion, bytecode
 * refused, "path:line:" on every kind of error (with long paths that Lua
 * would shorten), the file size cap, and the value left on the stack.
 */
#include "core/sandbox.h"
#include "core/util.h"
#include "tests/unit/testutil.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <lauxlib.h>

static char tmpdir[256];

static void
setup(void)
{
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/check_sandbox.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
}

static void
teardown(void)
{
	char cmd[512];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	ck_assert_int_eq(system(cmd), 0);
}

/* Runs src; returns the rc and leaves the message in err. */
static int
run(struct sandbox *sb, const char *src, char *err, size_t errlen)
{
	err[0] = '\0';
	return sandbox_run_string(sb, "t.lua", src, strlen(src), err, errlen);
}

/* Runs src, which must succeed and return a boolean true. */
static void
run_true(struct sandbox *sb, const char *src)
{
	lua_State *L = sandbox_lua(sb);
	int top = lua_gettop(L);
	char err[512];

	ck_assert_msg(run(sb, src, err, sizeof(err)) == 0, "%s: %s", src, err);
	ck_assert_int_eq(lua_gettop(L), top + 1);
	ck_assert_msg(lua_type(L, -1) == LUA_TBOOLEAN && lua_toboolean(L, -1),
	    "%s: did not return true (got %s)", src, luaL_typename(L, -1));
	lua_pop(L, 1);
}

static void
write_file(const char *path, const void *data, size_t len)
{
	FILE *f = fopen(path, "wb");

	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fwrite(data, 1, len, f), len);
	ck_assert_int_eq(fclose(f), 0);
}

START_TEST(test_allowlist)
{
	static const char *const gone[] = {
		"io", "os", "package", "debug", "require", "load", "loadfile",
		"dofile", "collectgarbage", "string.dump", "coroutine",
		"loadstring", "module", "setfenv",
	};
	static const char *const kept[] = {
		"string.format", "string.rep", "table.concat", "table.sort",
		"math.floor", "math.maxinteger", "utf8.char", "pcall", "error",
		"setmetatable", "pairs", "ipairs", "tostring", "tonumber", "select",
		"type", "rawget",
	};
	struct sandbox *sb = sandbox_new(0, 0);
	char src[128];

	ck_assert_ptr_nonnull(sb);
	for (size_t i = 0; i < ARRAY_LEN(gone); i++) {
		snprintf(src, sizeof(src), "return %s == nil", gone[i]);
		run_true(sb, src);
	}
	for (size_t i = 0; i < ARRAY_LEN(kept); i++) {
		snprintf(src, sizeof(src), "return %s ~= nil", kept[i]);
		run_true(sb, src);
	}
	/* no way back to the removed functions through the string table */
	run_true(sb, "return ('').dump == nil");
	run_true(sb, "return string.format('%d-%s', 7, 'x') == '7-x'");
	ck_assert_uint_gt(sandbox_mem_used(sb), 0);
	sandbox_free(sb);
	sandbox_free(NULL);
}
END_TEST

START_TEST(test_string_metatable)
{
	struct sandbox *sb = sandbox_new(0, 0);

	run_true(sb, "return type(getmetatable('')) == 'string'");
	run_true(sb, "return getmetatable('').__index == nil");
	run_true(sb, "return not pcall(function() "
	    "getmetatable('').__index.upper = function() return 'pwned' end end)");
	run_true(sb, "return not pcall(setmetatable, '', {})");
	run_true(sb, "return ('abc'):upper() == 'ABC'");
	sandbox_free(sb);
}
END_TEST

START_TEST(test_insn_limit)
{
	struct sandbox *sb = sandbox_new(0, 1000000);
	char err[512];

	ck_assert_int_eq(run(sb, "local x = 0\nwhile true do x = x + 1 end",
	    err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, "t.lua:2: instruction limit (1000000) "
	    "exceeded") != NULL, "%s", err);
	/* the sandbox stays dead */
	ck_assert_int_eq(run(sb, "return 1", err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, "instruction limit") != NULL, "%s", err);
	sandbox_free(sb);
}
END_TEST

START_TEST(test_insn_limit_pcall)
{
	static const char *const src[] = {
		/* catch the limit and keep looping (bounded, so that a broken
		 * sandbox fails the test instead of hanging it) */
		"for i = 1, 100000 do\n  pcall(function() while true do end end)\nend",
		/* catch it and try to return normally */
		"for i = 1, 3 do pcall(function() while true do end end) end\n"
		"return 'escaped'",
		/* nested pcalls, error handler in xpcall */
		"local function spin() while true do end end\n"
		"xpcall(function() pcall(spin) pcall(spin) end, function() "
		"return 'handled' end)\nreturn 'escaped'",
	};
	char err[512];

	for (size_t i = 0; i < ARRAY_LEN(src); i++) {
		struct sandbox *sb = sandbox_new(0, 500000);
		ck_assert_msg(run(sb, src[i], err, sizeof(err)) == -1,
		    "script %zu escaped the instruction limit", i);
		ck_assert_msg(strstr(err, "instruction limit (500000) exceeded") != NULL,
		    "%zu: %s", i, err);
		ck_assert_msg(strncmp(err, "t.lua:", 6) == 0, "%s", err);
		sandbox_free(sb);
	}
}
END_TEST

START_TEST(test_memory_limit)
{
	static const struct {
		const char *src;
		const char *where;
	} bombs[] = {
		{ "local s = 'x'\nwhile true do s = s .. s end", "t.lua:2:" },
		{ "local t = {}\nlocal i = 0\nwhile true do\n  i = i + 1\n"
		  "  t[i] = { i }\nend", "t.lua:" },
		{ "return string.rep('x', 1 << 30)", "t.lua:1:" },
		{ "local ok = pcall(function()\n  local s = 'x'\n"
		  "  while true do s = s .. s end\nend)\nreturn 'escaped'", "t.lua:3:" },
		{ "local t = {}\nfor i = 1, 64 do\n  pcall(string.rep, 'x', 1 << 24)\n"
		  "  t[i] = string.rep('y', 1 << 20)\nend\nreturn t", "t.lua:" },
	};
	const size_t limit = 8u << 20;
	char err[512], want[64];

	snprintf(want, sizeof(want), "memory limit (%zu bytes) exceeded", limit);
	for (size_t i = 0; i < ARRAY_LEN(bombs); i++) {
		struct sandbox *sb = sandbox_new(limit, 0);
		ck_assert_ptr_nonnull(sb);
		ck_assert_msg(run(sb, bombs[i].src, err, sizeof(err)) == -1,
		    "bomb %zu did not fail", i);
		ck_assert_msg(strstr(err, want) != NULL, "bomb %zu: %s", i, err);
		ck_assert_msg(strncmp(err, bombs[i].where, strlen(bombs[i].where)) == 0,
		    "bomb %zu: %s", i, err);
		ck_assert_uint_le(sandbox_mem_used(sb), limit);
		/* the state is still usable once the garbage is gone */
		run_true(sb, "return 1 + 1 == 2");
		sandbox_free(sb);
	}
	/* too small for even the libraries: NULL, no crash */
	ck_assert_ptr_null(sandbox_new(1024, 0));
}
END_TEST

START_TEST(test_recursion)
{
	struct sandbox *sb = sandbox_new(0, 0);
	char err[512];

	ck_assert_int_eq(run(sb, "local function f(n)\n  return 1 + f(n + 1)\n"
	    "end\nreturn f(1)", err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, "stack overflow") != NULL ||
	    strstr(err, "memory limit") != NULL, "%s", err);
	ck_assert_msg(strncmp(err, "t.lua:2:", 8) == 0, "%s", err);
	/* recursion through C (string.gsub callbacks) */
	ck_assert_int_eq(run(sb, "local function g(s)\n  return (s:gsub('.', g))\n"
	    "end\nreturn g('x')", err, sizeof(err)), -1);
	ck_assert_msg(strncmp(err, "t.lua:", 6) == 0, "%s", err);
	run_true(sb, "return true");
	sandbox_free(sb);
}
END_TEST

static int
dump_writer(lua_State *L, const void *p, size_t n, void *ud)
{
	(void)L;
	buf_append(ud, p, n);
	return 0;
}

START_TEST(test_bytecode)
{
	struct sandbox *sb = sandbox_new(0, 0);
	lua_State *L = sandbox_lua(sb);
	struct buf b;
	char path[512], err[512];

	buf_init(&b);
	ck_assert_int_eq(sandbox_run_string(sb, "f.lua",
	    "return function() return 42 end", 31, err, sizeof(err)), 0);
	ck_assert_int_eq(lua_type(L, -1), LUA_TFUNCTION);
	ck_assert_int_eq(lua_dump(L, dump_writer, &b, 0), 0);
	lua_pop(L, 1);
	ck_assert_uint_gt(b.len, 4);
	snprintf(path, sizeof(path), "%s/bytecode.lua", tmpdir);
	write_file(path, b.data, b.len);
	ck_assert_int_eq(sandbox_run_file(sb, path, err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, "bytecode") != NULL, "%s", err);
	ck_assert_msg(strncmp(err, path, strlen(path)) == 0, "%s", err);
	/* any leading ESC is refused, not just a well-formed header */
	ck_assert_int_eq(sandbox_run_string(sb, "e.lua", "\033Lux", 4, err,
	    sizeof(err)), -1);
	ck_assert_msg(strstr(err, "e.lua:1:") != NULL, "%s", err);
	buf_free(&b);
	sandbox_free(sb);
}
END_TEST

START_TEST(test_error_positions)
{
	static const struct {
		const char *src;
		const char *want;
	} cases[] = {
		{ "local x = 1\n\nerror('boom')", "t.lua:3: boom" },
		{ "local x = 1\nerror('no position', 0)", "t.lua:2: no position" },
		{ "\n\nerror({})", "t.lua:3: (error object is a table value)" },
		{ "local t = nil\nreturn t.x", "t.lua:2: attempt to index" },
		{ "return {\n  a = 1,\n  b = = 2,\n}", "t.lua:3:" },
		{ "return string.rep()", "t.lua:1: bad argument #1 to 'rep'" },
		{ "error(setmetatable({}, { __tostring = function() "
		  "while true do end end }))", "t.lua:1: (error object is a table" },
	};
	struct sandbox *sb = sandbox_new(0, 0);
	char err[512];

	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		ck_assert_int_eq(run(sb, cases[i].src, err, sizeof(err)), -1);
		ck_assert_msg(strncmp(err, cases[i].want, strlen(cases[i].want)) == 0,
		    "case %zu: got \"%s\", want \"%s...\"", i, err, cases[i].want);
	}
	sandbox_free(sb);
}
END_TEST

START_TEST(test_files)
{
	struct sandbox *sb = sandbox_new(0, 0);
	lua_State *L = sandbox_lua(sb);
	char dir[512], path[700], err[1024];
	char *big;

	/* a path far longer than LUA_IDSIZE comes back whole */
	snprintf(dir, sizeof(dir), "%s/a-rather-long-folder-name-for-scenarios/"
	    "and-another-one-below-it", tmpdir);
	snprintf(path, sizeof(path), "mkdir -p '%s'", dir);
	ck_assert_int_eq(system(path), 0);
	snprintf(path, sizeof(path), "%s/long-file-name.lua", dir);
	ck_assert_uint_gt(strlen(path), LUA_IDSIZE);
	write_file(path, "local a = 1\nlocal b = a +\n", 26);
	ck_assert_int_eq(sandbox_run_file(sb, path, err, sizeof(err)), -1);
	ck_assert_msg(strncmp(err, path, strlen(path)) == 0 &&
	    strncmp(err + strlen(path), ":3:", 3) == 0, "%s", err);
	write_file(path, "local a = 1\n\nerror('here')\n", 26);
	ck_assert_int_eq(sandbox_run_file(sb, path, err, sizeof(err)), -1);
	ck_assert_msg(strncmp(err, path, strlen(path)) == 0 &&
	    strcmp(err + strlen(path), ":3: here") == 0, "%s", err);

	/* success leaves exactly the first return value */
	write_file(path, "return 'a', 'b'", 15);
	ck_assert_int_eq(sandbox_run_file(sb, path, err, sizeof(err)), 0);
	ck_assert_int_eq(lua_gettop(L), 1);
	ck_assert_str_eq(lua_tostring(L, -1), "a");
	lua_pop(L, 1);

	snprintf(path, sizeof(path), "%s/missing.lua", tmpdir);
	ck_assert_int_eq(sandbox_run_file(sb, path, err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, "missing.lua: No such file") != NULL, "%s", err);
	ck_assert_int_eq(sandbox_run_file(sb, tmpdir, err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, "not a regular file") != NULL, "%s", err);

	/* exactly 1 MiB loads (a comment), one byte more does not */
	big = xmalloc((1u << 20) + 1);
	memset(big, ' ', (1u << 20) + 1);
	memcpy(big, "return 5 --", 11);
	snprintf(path, sizeof(path), "%s/big.lua", tmpdir);
	write_file(path, big, 1u << 20);
	ck_assert_int_eq(sandbox_run_file(sb, path, err, sizeof(err)), 0);
	ck_assert_int_eq(lua_tointeger(L, -1), 5);
	lua_pop(L, 1);
	write_file(path, big, (1u << 20) + 1);
	ck_assert_int_eq(sandbox_run_file(sb, path, err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, "larger than") != NULL, "%s", err);
	free(big);
	ck_assert_int_eq(lua_gettop(L), 0);
	sandbox_free(sb);
}
END_TEST

static Suite *
sandbox_suite(void)
{
	Suite *s = suite_create("sandbox");
	TCase *tc = tcase_create("sandbox");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_allowlist);
	tcase_add_test(tc, test_string_metatable);
	tcase_add_test(tc, test_insn_limit);
	tcase_add_test(tc, test_insn_limit_pcall);
	tcase_add_test(tc, test_memory_limit);
	tcase_add_test(tc, test_recursion);
	tcase_add_test(tc, test_bytecode);
	tcase_add_test(tc, test_error_positions);
	tcase_add_test(tc, test_files);
	suite_add_tcase(s, tc);
	return s;
}

TEST_MAIN(sandbox_suite)
