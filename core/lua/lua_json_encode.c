/*
 * Lua values -> JSON text (sk_lua_to_json; the mapping is in lua_json.h).
 *
 * Walks the value with raw access only (no metamethod can run) and writes
 * object members in byte order of their names, so the same table always
 * gives the same text whatever the state's hash seed.  It runs protected
 * (see lua_json_priv.h); errors name the path to the offending value.
 */
#include "lua/lua_json.h"

#include <lauxlib.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lua/lua_json_priv.h"

/* A marked array whose largest index is above SPARSE_MIN and more than
 * twice its number of elements is refused: it is almost surely a mistake,
 * and writing it would turn a tiny table into megabytes of nulls. */
#define SPARSE_MIN 1000

/* Where the walk is, for cycle detection and for saying where an error is:
 * the table at each level and which of its members is being written. */
typedef struct level {
    const void *table;
    const char *key; /* the member's name, or NULL for an array index */
    size_t keylen;
    lua_Integer index; /* 0 before the first member */
} level;

typedef struct encoder {
    sk_buf *out;
    const void *marker; /* the array marker metatable, NULL if none exists */
    int depth;
    int failed;
    char why[384]; /* room for where and what below */
    level path[SK_LUA_JSON_MAX_DEPTH];
} encoder;

/* One object member after sorting: its JSON name, and how to look it up
 * again (the Lua string is anchored in slot `slot` of a scratch table). */
typedef struct member {
    const char *s;
    size_t n;
    int isint;
    lua_Integer ikey;
    lua_Integer slot;
} member;

/* The path to the value being written, "$.a[3]"-style. */
static void path_text(const encoder *e, char *buf, size_t len)
{
    size_t used = (size_t)snprintf(buf, len, "$");
    for (int i = 0; i < e->depth && used < len; i++) {
        const level *lv = &e->path[i];
        int w;
        if (lv->key) {
            int cut = lv->keylen > 40 ? 40 : (int)lv->keylen;
            w = snprintf(buf + used, len - used, ".%.*s%s", cut, lv->key,
                         lv->keylen > 40 ? "..." : "");
        } else if (lv->index > 0) {
            w = snprintf(buf + used, len - used, "[%lld]", (long long)lv->index);
        } else {
            break; /* the table itself, before any member */
        }
        if (w < 0)
            break;
        used += (size_t)w;
    }
}

/* Record an error about the value at the current path and unwind to
 * sk_lua_to_json's lua_pcall.  Does not return.  [-0, +1, v] */
static void encode_fail(lua_State *L, encoder *e, const char *fmt, ...) SK_PRINTF(3, 4);

static void encode_fail(lua_State *L, encoder *e, const char *fmt, ...)
{
    char where[160], what[160];
    path_text(e, where, sizeof where);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    e->failed = 1;
    snprintf(e->why, sizeof e->why, "%s: %s", where, what);
    lua_pushlightuserdata(L, e);
    lua_error(L);
}

/* A finite float with the fewest of 15, 16 or 17 significant digits that
 * read back as the same double, always with a '.' or an exponent so it
 * reads back as a float: 1.0 -> "1.0", -0.0 -> "-0.0", 1e300 -> "1e+300".
 * Whatever the locale writes as its decimal point becomes '.'. */
static void add_float(sk_buf *b, double x)
{
    char buf[64];
    for (int prec = 15; prec <= 17; prec++) {
        snprintf(buf, sizeof buf, "%.*g", prec, x);
        if (strtod(buf, NULL) == x)
            break;
    }
    int has_point = 0;
    for (const char *q = buf; *q;) {
        if (lj_is_digit(*q) || *q == '-' || *q == '+' || *q == 'e') {
            has_point |= *q == 'e';
            sk_buf_addc(b, *q++);
            continue;
        }
        sk_buf_addc(b, '.'); /* the decimal point, one or more bytes */
        has_point = 1;
        while (*q && !lj_is_digit(*q))
            q++;
    }
    if (!has_point)
        sk_buf_add(b, ".0", 2);
}

static void encode_value(lua_State *L, encoder *e, int idx);

/* "boolean", "float 1.5", "table": how an unusable key is named.  [-0, +0] */
static void key_kind(lua_State *L, int idx, char *buf, size_t len)
{
    if (lua_type(L, idx) == LUA_TNUMBER)
        snprintf(buf, len, "float %.17g", (double)lua_tonumber(L, idx));
    else
        snprintf(buf, len, "%s", luaL_typename(L, idx));
}

/* [-0, +0, m] */
static void encode_array(lua_State *L, encoder *e, int idx, lua_Integer len)
{
    level *lv = &e->path[e->depth - 1];
    sk_buf_addc(e->out, '[');
    for (lua_Integer i = 1; i <= len; i++) {
        if (i > 1)
            sk_buf_addc(e->out, ',');
        lv->index = i;
        lua_rawgeti(L, idx, i); /* v */
        encode_value(L, e, lua_gettop(L));
        lua_pop(L, 1);
    }
    sk_buf_addc(e->out, ']');
}

static int member_cmp(const void *a, const void *b)
{
    const member *x = a, *y = b;
    int c = memcmp(x->s, y->s, x->n < y->n ? x->n : y->n);
    if (c)
        return c;
    return x->n < y->n ? -1 : x->n > y->n;
}

/* The table at idx, with `count` keys that are all strings or integers,
 * as an object sorted by member name.  [-0, +0, m] */
static void encode_object(lua_State *L, encoder *e, int idx, size_t count)
{
    level *lv = &e->path[e->depth - 1];
    if (count > (size_t)0x7fffffff / sizeof(member))
        encode_fail(L, e, "a table with %zu keys is too large to encode", count);
    lua_createtable(L, (int)count, 0); /* anchor */
    int anchor = lua_gettop(L);
    member *m = lua_newuserdatauv(L, count * sizeof *m, 0); /* anchor ms */
    size_t k = 0;
    lua_pushnil(L);            /* anchor ms nil */
    while (lua_next(L, idx)) { /* anchor ms key value */
        lua_pop(L, 1);         /* anchor ms key */
        if (k == count)
            encode_fail(L, e, "the table changed while it was being encoded");
        m[k].slot = (lua_Integer)k + 1;
        m[k].isint = lua_type(L, -1) != LUA_TSTRING;
        if (m[k].isint) {
            m[k].ikey = lua_tointeger(L, -1);
            lua_pushfstring(L, "%I", (LUAI_UACINT)m[k].ikey); /* anchor ms key name */
        } else {
            lua_pushvalue(L, -1); /* anchor ms key key */
        }
        /* a string, so no conversion; it stays valid while anchored */
        m[k].s = lua_tolstring(L, -1, &m[k].n);
        lua_rawseti(L, anchor, m[k].slot); /* anchor ms key */
        k++;
    }
    if (k != count)
        encode_fail(L, e, "the table changed while it was being encoded");
    qsort(m, count, sizeof *m, member_cmp);
    for (size_t i = 1; i < count; i++)
        if (member_cmp(&m[i - 1], &m[i]) == 0)
            encode_fail(L, e,
                        "the integer key %lld and the string key \"%s\" would both be "
                        "written as the member \"%s\"",
                        (long long)(m[i].isint ? m[i].ikey : m[i - 1].ikey), m[i].s, m[i].s);
    sk_buf_addc(e->out, '{');
    for (size_t i = 0; i < count; i++) {
        if (i)
            sk_buf_addc(e->out, ',');
        sk_buf_add_json_string(e->out, m[i].s, m[i].n);
        sk_buf_addc(e->out, ':');
        if (m[i].isint)
            lua_pushinteger(L, m[i].ikey); /* anchor ms key */
        else
            lua_rawgeti(L, anchor, m[i].slot); /* anchor ms key */
        lua_rawget(L, idx);                    /* anchor ms value */
        lv->key = m[i].s;
        lv->keylen = m[i].n;
        encode_value(L, e, lua_gettop(L));
        lua_pop(L, 1); /* anchor ms */
    }
    sk_buf_addc(e->out, '}');
    lua_pop(L, 2);
}

/* [-0, +0, m] */
static void encode_table(lua_State *L, encoder *e, int idx)
{
    const void *t = lua_topointer(L, idx);
    for (int i = 0; i < e->depth; i++)
        if (e->path[i].table == t)
            encode_fail(L, e, "a cycle: this table contains itself");
    if (e->depth >= SK_LUA_JSON_MAX_DEPTH)
        encode_fail(L, e, "nesting deeper than %d levels", SK_LUA_JSON_MAX_DEPTH);
    luaL_checkstack(L, 8, "JSON nesting");
    e->path[e->depth++] = (level){.table = t};

    int marked = 0;
    if (lua_getmetatable(L, idx)) { /* mt */
        marked = e->marker && lua_topointer(L, -1) == e->marker;
        lua_pop(L, 1);
    }
    /* One pass to learn the shape: key count, and whether the keys are
     * exactly the indices 1..max. */
    size_t count = 0;
    int all_index = 1;
    lua_Integer max = 0;
    lua_pushnil(L);            /* nil */
    while (lua_next(L, idx)) { /* key value */
        char kind[64];
        if (lua_isinteger(L, -2)) {
            lua_Integer k = lua_tointeger(L, -2);
            if (k < 1)
                all_index = 0;
            else if (k > max)
                max = k;
        } else if (lua_type(L, -2) == LUA_TSTRING) {
            all_index = 0;
        } else {
            key_kind(L, -2, kind, sizeof kind);
            encode_fail(L, e,
                        "a table key of type %s (JSON member names come from string or "
                        "integer keys)",
                        kind);
        }
        if (marked && !all_index) {
            if (lua_type(L, -2) == LUA_TSTRING)
                encode_fail(L, e,
                            "an sk.array table has the key \"%s\" (arrays hold only the "
                            "indices 1..n)",
                            lua_tostring(L, -2));
            encode_fail(L, e,
                        "an sk.array table has the key %lld (arrays hold only the "
                        "indices 1..n)",
                        (long long)lua_tointeger(L, -2));
        }
        count++;
        lua_pop(L, 1); /* key */
    }
    if (marked) {
        if (max > SPARSE_MIN && (lua_Unsigned)max / 2 > count)
            encode_fail(L, e,
                        "an sk.array table with %zu elements has the index %lld (too "
                        "sparse; use sk.null for missing elements)",
                        count, (long long)max);
        encode_array(L, e, idx, max); /* holes are written as null */
    } else if (count > 0 && all_index && (lua_Unsigned)max == count) {
        encode_array(L, e, idx, max);
    } else {
        encode_object(L, e, idx, count);
    }
    e->depth--;
}

/* [-0, +0, m] */
static void encode_value(lua_State *L, encoder *e, int idx)
{
    char buf[32];
    switch (lua_type(L, idx)) {
    case LUA_TNIL: sk_buf_add(e->out, "null", 4); return;
    case LUA_TBOOLEAN: sk_buf_adds(e->out, lua_toboolean(L, idx) ? "true" : "false"); return;
    case LUA_TNUMBER:
        if (lua_isinteger(L, idx)) {
            snprintf(buf, sizeof buf, LUA_INTEGER_FMT, (LUAI_UACINT)lua_tointeger(L, idx));
            sk_buf_adds(e->out, buf);
        } else {
            double x = (double)lua_tonumber(L, idx);
            if (isnan(x))
                encode_fail(L, e, "NaN is not a JSON number");
            if (isinf(x))
                encode_fail(L, e, "%s is not a JSON number", x > 0 ? "inf" : "-inf");
            add_float(e->out, x);
        }
        return;
    case LUA_TSTRING: {
        size_t n;
        const char *s = lua_tolstring(L, idx, &n);
        sk_buf_add_json_string(e->out, s, n);
        return;
    }
    case LUA_TLIGHTUSERDATA:
        if (lua_touserdata(L, idx) == SK_LUA_NULL) {
            sk_buf_add(e->out, "null", 4);
            return;
        }
        break;
    case LUA_TTABLE: encode_table(L, e, idx); return;
    }
    encode_fail(L, e, "a %s has no JSON form", luaL_typename(L, idx));
}

/* The protected body of sk_lua_to_json: the value is argument 1, the
 * encoder argument 2.  [-2, +0, m] */
static int encode_protected(lua_State *L)
{
    encoder *e = lua_touserdata(L, 2);
    lua_getfield(L, LUA_REGISTRYINDEX, MARKER); /* v e mt|nil */
    e->marker = lua_type(L, -1) == LUA_TTABLE ? lua_topointer(L, -1) : NULL;
    lua_pop(L, 1);
    encode_value(L, e, 1);
    return 0;
}

int sk_lua_to_json(lua_State *L, int idx, sk_buf *out, char *err, size_t errlen)
{
    set_err(err, errlen, "%s", "");
    idx = lua_absindex(L, idx);
    if (!lua_checkstack(L, 3)) {
        set_err(err, errlen, "Lua stack overflow");
        return -1;
    }
    encoder e = {.out = out};
    lua_pushcfunction(L, encode_protected); /* f */
    lua_pushvalue(L, idx);                  /* f v */
    lua_pushlightuserdata(L, &e);           /* f v e */
    int rc = lua_pcall(L, 2, 0, 0);         /* | error */
    if (rc == LUA_OK)
        return 0;
    if (e.failed)
        set_err(err, errlen, "%s", e.why);
    else
        pcall_message(L, rc, err, errlen);
    lua_pop(L, 1);
    return -1;
}
