/*
 * sandbox: a Lua 5.4 state for untrusted scenario files.
 *
 * Allow-list: base library without load, loadfile, dofile, require,
 * collectgarbage, and with string, table, math, utf8.  No io, os, package,
 * debug, string.dump.  A counting allocator caps memory and a count hook
 * (which pcall cannot swallow) caps instructions.  Errors come back as
 * "file:line: message".
 */
#ifndef MXSIM_SANDBOX_H
#define MXSIM_SANDBOX_H

#include <stddef.h>
#include <stdint.h>
#include <lua.h>

struct sandbox;

#define SANDBOX_MEM_DEFAULT (64u << 20)
#define SANDBOX_INSNS_DEFAULT 50000000u

struct sandbox *sandbox_new(size_t mem_limit, uint64_t insn_limit);
void sandbox_free(struct sandbox *sb);
lua_State *sandbox_lua(struct sandbox *sb);

/* Load and run a file (text only, no bytecode) in the sandbox.  On success
 * returns 0 with the chunk's first return value on the stack top.  On error
 * returns -1 and writes "path:line: message" to err. */
int sandbox_run_file(struct sandbox *sb, const char *path, char *err,
	size_t errlen) __attribute__((warn_unused_result));
/* Same for a string; name is used in messages. */
int sandbox_run_string(struct sandbox *sb, const char *name, const char *src,
	size_t len, char *err, size_t errlen) __attribute__((warn_unused_result));

size_t sandbox_mem_used(const struct sandbox *sb);

#endif
