/*
 * sandbox_int: what the sandbox's files share (not for other modules).
 */
#ifndef MXSIM_SANDBOX_INT_H
#define MXSIM_SANDBOX_INT_H

#include <lua.h>

/* Worst-case steps of one pattern-matching call (core/sandbox_str.c). */
#define SANDBOX_PATTERN_COST 100000000.0
/* Elements one table.move may copy (more cannot fit the memory cap). */
#define SANDBOX_MOVE_MAX (1 << 24)

/* [-0, +0, m] Replaces string.find, match, gmatch and gsub with versions
 * that refuse calls whose worst case is over SANDBOX_PATTERN_COST, and
 * table.move with one that refuses more than SANDBOX_MOVE_MAX elements,
 * and setmetatable with one that refuses __gc (finalizers run unhooked). */
void sandbox_guard_strings(lua_State *L);

#endif
