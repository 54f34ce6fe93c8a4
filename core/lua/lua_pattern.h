/*
 * Lua 5.4 string patterns whose matching can be stopped: string.find,
 * string.match, string.gmatch and string.gsub with the semantics of the
 * reference manual (sections 6.4 and 6.4.1), reimplemented so that every
 * step of a match is counted and paid for.
 *
 * Lua's own matcher runs in C, where a count hook never fires, so a
 * backtracking pattern such as ('.-'):rep(5) .. 'b' against a long subject
 * runs for hours whatever the sandbox's instruction budget says.  These
 * functions count one step for each attempt to match a pattern item at a
 * subject position and for each backtrack (long items, back-references, %b
 * scans and plain searches count in proportion to the bytes they touch),
 * and hand the steps to a payer that may stop the match by raising an
 * error.  The sandbox (lua_vm.c) pays with its instruction budget.
 */
#ifndef SK_LUA_PATTERN_H
#define SK_LUA_PATTERN_H

#include <lua.h>

/* Steps a match may take between two calls of its payer. */
#define SK_LUA_PATTERN_CHUNK 1024

/* Pays for steps: called with the steps taken since the last call, every
 * SK_LUA_PATTERN_CHUNK steps while a match runs and once when a call of
 * find/match/gsub or a gmatch iteration ends.  To stop the match it raises
 * a Lua error (and does not return).  ud is the pointer given to
 * sk_lua_pattern_install.  The matcher holds no resources a raised error
 * could leak. */
typedef void (*sk_lua_pattern_pay)(lua_State *L, void *ud, long steps);

/* Replace find, match, gmatch and gsub in the table at index idx (the
 * string library's table; strings' methods go through it) with the
 * counting ones.  pay may be NULL: steps are counted and nothing stops
 * them.  ud is borrowed for as long as the state lives.  Raises on memory
 * errors, so call it from a protected call.  [-0, +0, m] */
void sk_lua_pattern_install(lua_State *L, int idx, sk_lua_pattern_pay pay, void *ud);

#endif
