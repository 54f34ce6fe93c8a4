/*
 * The sk.json library for Lua scorers (sk.json.decode, sk.json.encode,
 * sk.null, sk.array), and the state both directions need: the sk.null
 * sentinel and the array marker metatable.  The conversions themselves are
 * in lua_json_decode.c and lua_json_encode.c.
 */
#include "lua/lua_json.h"

#include <lauxlib.h>
#include <string.h>

#include "lua/lua_json_priv.h"

const char sk_lua_null_tag = 0;

#define BUFBOX "sk.json.buffer" /* metatable of encode's output box */

/* What a conversion costs in the budget's units (about one VM
 * instruction, see lua_meter.h), measured on this code: a byte of text
 * read or written costs about 1/BYTES_PER_UNIT of an instruction (a long
 * string is little more than a copy), and each value made or written
 * (a table, a key, a number...) about VALUE_UNITS instructions. */
#define BYTES_PER_UNIT 4
#define VALUE_UNITS    32

/* The values of a JSON text, near enough: its '{', '[', ',' and ':'
 * outside strings (one read of the text, cheap beside converting it). */
static size_t count_values(const char *s, size_t n)
{
    size_t count = 1;
    int in_string = 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (in_string) {
            if (c == '\\')
                i++;
            else if (c == '"')
                in_string = 0;
        } else if (c == '"')
            in_string = 1;
        else
            count += c == '{' || c == '[' || c == ',' || c == ':';
    }
    return count;
}

/* Charge converting the JSON text s[0..n) to the state's meter (upvalue
 * 1, may be NULL).  [-0, +0, e] */
static void pay_text(lua_State *L, const char *s, size_t n, const char *what)
{
    const sk_lua_meter *m = lua_touserdata(L, lua_upvalueindex(1));
    if (m)
        sk_lua_meter_pay(
            L, m, (long long)(n / BYTES_PER_UNIT) + (long long)count_values(s, n) * VALUE_UNITS,
            what);
}

/* sk.json.decode(text) -> value.  [-0, +1, e] */
static int l_json_decode(lua_State *L)
{
    size_t n;
    const char *s = luaL_checklstring(L, 1, &n);
    pay_text(L, s, n, "sk.json.decode");
    char err[256];
    if (sk_lua_push_json(L, s, n, 0, err, sizeof err) != 0)
        return luaL_error(L, "sk.json.decode: %s", err);
    return 1;
}

/* __gc of encode's output box: frees the text if a raise skipped it.
 * [-0, +0] */
static int l_json_buffer_gc(lua_State *L)
{
    sk_buf *b = lua_touserdata(L, 1);
    if (b)
        sk_buf_free(b);
    return 0;
}

/* sk.json.encode(value) -> text.  The text is built in a malloc'd buffer
 * owned by a collectable box, so pushing the result may raise
 * (out of memory) without leaking it.  [-0, +1, e] */
static int l_json_encode(lua_State *L)
{
    luaL_checkany(L, 1);
    lua_settop(L, 1);
    sk_buf *b = lua_newuserdatauv(L, sizeof *b, 0); /* v box */
    memset(b, 0, sizeof *b);
    luaL_setmetatable(L, BUFBOX);
    char err[256];
    if (sk_lua_to_json(L, 1, b, err, sizeof err) != 0) {
        sk_buf_free(b);
        return luaL_error(L, "sk.json.encode: %s", err);
    }
    lua_pushlstring(L, b->data ? b->data : "", b->len); /* v box text */
    sk_buf_free(b);
    size_t n;
    const char *text = lua_tolstring(L, -1, &n);
    pay_text(L, text, n, "sk.json.encode"); /* the box is empty: a raise leaks nothing */
    return 1;
}

/* sk.array(t) -> t, marked as an array (so an empty t encodes as []).
 * A table with a metatable of its own is refused rather than stripped of
 * it.  [-0, +1, e] */
static int l_json_array(lua_State *L)
{
    luaL_checktype(L, 1, LUA_TTABLE);
    lua_settop(L, 1);
    push_marker(L);               /* t mt */
    if (lua_getmetatable(L, 1)) { /* t mt old */
        if (!lua_rawequal(L, -1, -2))
            return luaL_argerror(L, 1, "the table already has a metatable");
        lua_pop(L, 1); /* t mt */
    }
    lua_setmetatable(L, 1); /* t */
    return 1;
}

void sk_lua_json_init(lua_State *L)
{
    push_marker(L); /* mt */
    lua_pop(L, 1);
}

void sk_lua_json_open(lua_State *L, const sk_lua_meter *meter)
{
    int t = lua_gettop(L);
    luaL_checkstack(L, 3, "sk.json");
    sk_lua_json_init(L);
    if (luaL_newmetatable(L, BUFBOX)) {         /* T boxmt */
        lua_pushcfunction(L, l_json_buffer_gc); /* T boxmt gc */
        lua_setfield(L, -2, "__gc");
    }
    lua_pop(L, 1);                           /* T */
    lua_createtable(L, 0, 2);                /* T json */
    lua_pushlightuserdata(L, (void *)meter); /* T json m */
    lua_pushcclosure(L, l_json_decode, 1);   /* T json f */
    lua_setfield(L, -2, "decode");           /* T json */
    lua_pushlightuserdata(L, (void *)meter); /* T json m */
    lua_pushcclosure(L, l_json_encode, 1);   /* T json f */
    lua_setfield(L, -2, "encode");           /* T json */
    lua_setfield(L, t, "json");              /* T */
    lua_pushlightuserdata(L, SK_LUA_NULL);   /* T null */
    lua_setfield(L, t, "null");              /* T */
    lua_pushcfunction(L, l_json_array);      /* T f */
    lua_setfield(L, t, "array");             /* T */
}
