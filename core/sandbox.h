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

/*
 * Calling back into a loaded scenario (attack hooks, DNS answer hooks).
 *
 * A scenario that keeps functions keeps its sandbox: sandbox_ref pins the
 * function at idx in the registry (the ref lives until sandbox_free) and
 * returns its ref (> 0), or 0 when idx is not a function.
 *
 * sandbox_call calls the function ref with the nargs values on top of the
 * stack (pushed by the caller, popped by the call) and leaves exactly
 * nres results on the stack on success (return 0).  Each call gets its
 * own instruction budget insns (0: SANDBOX_CALL_INSNS), enforced like the
 * load's (pcall cannot swallow it); the memory cap is the sandbox's.  On
 * error it returns -1 with "path:line: message" in err (the position is
 * that of the innermost function of the last loaded chunk), keeps the
 * first failure (sandbox_error) and refuses every later call at once:
 * a scenario whose hook failed is failed, and the caller falls back to
 * doing nothing.  what names the hook in messages ("on_client_line").
 */
#define SANDBOX_CALL_INSNS 1000000u

int sandbox_ref(struct sandbox *sb, int idx);
int sandbox_call(struct sandbox *sb, int ref, int nargs, int nres,
	uint64_t insns, const char *what, char *err, size_t errlen)
	__attribute__((warn_unused_result));
/* The first error of a call, or NULL while none failed. */
const char *sandbox_error(const struct sandbox *sb);
/* Record a failure found by the caller (a hook returned a value of the
 * wrong type): kept if it is the first, and later calls are refused. */
void sandbox_fail(struct sandbox *sb, const char *msg);

#endif
