/*
 * What the two halves of the JSON <-> Lua conversion (lua_json_decode.c,
 * lua_json_encode.c) and the sk.json library (lua_json.c) share: the
 * array marker, error messages, and a digit test.
 *
 * Both directions run inside lua_pcall of a C function: creating a table or
 * growing the stack raises on out-of-memory, and the host must get -1 back
 * rather than a longjmp out of its own frames.  Our own errors are raised
 * with a light userdata (raising allocates nothing) after the message was
 * written into the context, and whatever the protected part mallocs lives
 * in that context, owned by the caller, so an error half-way leaks nothing.
 * pcall_message covers the errors that are not ours.
 */
#ifndef SK_LUA_JSON_PRIV_H
#define SK_LUA_JSON_PRIV_H

#include <lauxlib.h>
#include <stdarg.h>
#include <stdio.h>

#include "lua/lua_json.h"

/* The registry key, __name and __metatable of the array marker. */
#define MARKER "sk.array"

static inline void set_err(char *err, size_t errlen, const char *fmt, ...) SK_PRINTF(3, 4);

static inline void set_err(char *err, size_t errlen, const char *fmt, ...)
{
    if (!err || !errlen)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

/* Push the array marker metatable, creating it on first use.  __name comes
 * from luaL_newmetatable; __metatable protects the one table all arrays
 * share: getmetatable(a) answers "sk.array" and scripts cannot edit it.
 * [-0, +1, m] */
static inline void push_marker(lua_State *L)
{
    if (luaL_newmetatable(L, MARKER)) { /* mt */
        lua_pushliteral(L, MARKER);     /* mt "sk.array" */
        lua_setfield(L, -2, "__metatable");
    }
}

/* The message for a lua_pcall that failed with something other than our
 * own light userdata: out of memory, a stack overflow.  The error object
 * stays on the stack.  [-0, +0] */
static inline void pcall_message(lua_State *L, int rc, char *err, size_t errlen)
{
    if (rc == LUA_ERRMEM)
        set_err(err, errlen, "out of memory (the Lua state's memory limit was reached)");
    else if (lua_type(L, -1) == LUA_TSTRING)
        set_err(err, errlen, "%s", lua_tostring(L, -1));
    else
        set_err(err, errlen, "Lua error %d", rc);
}

static inline int lj_is_digit(char c)
{
    return c >= '0' && c <= '9';
}

#endif
