/*
 * JSON text <-> Lua values for Lua scorers (the mapping is in lua_json.h).
 *
 * Decoding is a small recursive-descent parser that pushes values straight
 * onto the Lua stack, so 64-bit integers stay exact and nothing global is
 * touched; strict validation is left to sk_json_check, so scripts and rows
 * accept exactly the same texts.  Encoding walks the value with raw access
 * only (no metamethod can run) and writes object members in byte order of
 * their names, so the same table always gives the same text whatever the
 * state's hash seed.
 *
 * Both directions run inside lua_pcall of a C function: creating a table or
 * growing the stack raises on out-of-memory, and the host must get -1 back
 * rather than a longjmp out of its own frames.  Our own errors are raised
 * with a light userdata (raising allocates nothing) after the message was
 * written into the context, and whatever the protected part mallocs lives
 * in that context, owned by the caller, so an error half-way leaks nothing.
 */
#include "lua_json.h"

#include <lauxlib.h>
#include <locale.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "row.h"
#include "text/utf8.h"

const char sk_lua_null_tag = 0;

#define MARKER "sk.array"
#define BUFBOX "sk.json.buffer" /* metatable of encode's output box */

/* A marked array whose largest index is above SPARSE_MIN and more than
 * twice its number of elements is refused: it is almost surely a mistake,
 * and writing it would turn a tiny table into megabytes of nulls. */
#define SPARSE_MIN 1000

/* ---- shared ---- */

static void set_err(char *err, size_t errlen, const char *fmt, ...) SK_PRINTF(3, 4);

static void set_err(char *err, size_t errlen, const char *fmt, ...)
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
static void push_marker(lua_State *L)
{
    if (luaL_newmetatable(L, MARKER)) { /* mt */
        lua_pushliteral(L, MARKER);     /* mt "sk.array" */
        lua_setfield(L, -2, "__metatable");
    }
}

/* The message for a lua_pcall that failed with something other than our
 * own light userdata: out of memory, a stack overflow.  The error object
 * stays on the stack.  [-0, +0] */
static void pcall_message(lua_State *L, int rc, char *err, size_t errlen)
{
    if (rc == LUA_ERRMEM)
        set_err(err, errlen, "out of memory (the Lua state's memory limit was reached)");
    else if (lua_type(L, -1) == LUA_TSTRING)
        set_err(err, errlen, "%s", lua_tostring(L, -1));
    else
        set_err(err, errlen, "Lua error %d", rc);
}

/* ---- decoding ---- */

typedef struct decoder {
    const char *p;
    size_t n, pos;
    int marker;     /* stack index of the array marker */
    sk_buf scratch; /* unescaped strings, long numbers; the caller frees it */
    int failed;     /* 1 when the error was ours: at and why are set */
    size_t at;
    char why[96];
} decoder;

/* Record a syntax error at byte `at` and unwind to sk_lua_push_json's
 * lua_pcall.  Does not return.  [-0, +1, v] */
static void parse_fail(lua_State *L, decoder *d, size_t at, const char *why)
{
    d->failed = 1;
    d->at = at;
    snprintf(d->why, sizeof d->why, "%s", why);
    lua_pushlightuserdata(L, d);
    lua_error(L);
}

static void skip_ws(decoder *d)
{
    while (d->pos < d->n && (d->p[d->pos] == ' ' || d->p[d->pos] == '\n' || d->p[d->pos] == '\r' ||
                             d->p[d->pos] == '\t'))
        d->pos++;
}

/* Consume c (after whitespace) if it is next. */
static int eat(decoder *d, char c)
{
    skip_ws(d);
    if (d->pos < d->n && d->p[d->pos] == c) {
        d->pos++;
        return 1;
    }
    return 0;
}

static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* The string literal at d->pos.  Text without a backslash is pushed as it
 * stands; escapes go through the core's decoder.  [-0, +1, m] */
static void parse_string(lua_State *L, decoder *d)
{
    size_t start = d->pos++;
    int escaped = 0;
    for (;;) {
        if (d->pos >= d->n)
            parse_fail(L, d, start, "unterminated string");
        char c = d->p[d->pos];
        if (c == '"')
            break;
        if (c == '\\') {
            escaped = 1;
            d->pos++; /* the escaped byte, whatever it is, cannot end the string */
        }
        d->pos++;
    }
    d->pos++; /* the closing quote */
    if (!escaped) {
        lua_pushlstring(L, d->p + start + 1, d->pos - start - 2);
        return;
    }
    sk_buf_reset(&d->scratch);
    if (sk_json_string_decode(d->p + start, d->pos - start, &d->scratch) != 0)
        parse_fail(L, d, start, "invalid string");
    lua_pushlstring(L, d->scratch.data ? d->scratch.data : "", d->scratch.len);
}

/* strtod of the validated number s[0..n), in any locale: numbers are tried
 * as written first, and only if that stops short at the '.' (a locale with
 * a decimal comma) again with the locale's decimal point, as Lua does. */
static double to_double(decoder *d, const char *s, size_t n)
{
    sk_buf_reset(&d->scratch);
    sk_buf_add(&d->scratch, s, n);
    char *end;
    double x = strtod(d->scratch.data, &end);
    if (end == d->scratch.data + n)
        return x;
    const char *dot = memchr(s, '.', n);
    if (!dot)
        return x;
    sk_buf_reset(&d->scratch);
    sk_buf_add(&d->scratch, s, (size_t)(dot - s));
    sk_buf_adds(&d->scratch, localeconv()->decimal_point);
    sk_buf_add(&d->scratch, dot + 1, n - (size_t)(dot - s) - 1);
    return strtod(d->scratch.data, NULL);
}

/* The number at d->pos: an integer when written without fraction or
 * exponent and within int64 ("-0" is the integer 0), else a float (out of
 * range: +-inf or 0, as strtod rounds).  [-0, +1] */
static void parse_number(lua_State *L, decoder *d)
{
    const char *p = d->p;
    size_t start = d->pos, i = d->pos, n = d->n;
    int neg = 0, integral = 1;
    if (p[i] == '-') {
        neg = 1;
        i++;
    }
    size_t digits = i;
    if (i < n && p[i] == '0')
        i++;
    else if (i < n && is_digit(p[i]))
        while (i < n && is_digit(p[i]))
            i++;
    else
        parse_fail(L, d, i, "invalid number: expected a digit");
    size_t digits_end = i;
    if (i < n && p[i] == '.') {
        integral = 0;
        if (++i >= n || !is_digit(p[i]))
            parse_fail(L, d, i, "invalid number: expected a digit after '.'");
        while (i < n && is_digit(p[i]))
            i++;
    }
    if (i < n && (p[i] == 'e' || p[i] == 'E')) {
        integral = 0;
        if (++i < n && (p[i] == '+' || p[i] == '-'))
            i++;
        if (i >= n || !is_digit(p[i]))
            parse_fail(L, d, i, "invalid number: expected a digit in the exponent");
        while (i < n && is_digit(p[i]))
            i++;
    }
    d->pos = i;
    if (integral) {
        lua_Unsigned limit = (lua_Unsigned)LUA_MAXINTEGER + (lua_Unsigned)neg, v = 0;
        size_t k = digits;
        for (; k < digits_end; k++) {
            lua_Unsigned dig = (lua_Unsigned)(p[k] - '0');
            if (v > (limit - dig) / 10)
                break;
            v = v * 10 + dig;
        }
        if (k == digits_end) {
            /* -v would overflow for 2^63, which is exactly LUA_MININTEGER */
            lua_Integer x = !neg                                    ? (lua_Integer)v
                            : v == (lua_Unsigned)LUA_MAXINTEGER + 1 ? LUA_MININTEGER
                                                                    : -(lua_Integer)v;
            lua_pushinteger(L, x);
            return;
        }
    }
    lua_pushnumber(L, (lua_Number)to_double(d, p + start, i - start));
}

/* true, false or null, whose spelling is `word`.  [-0, +1] */
static void parse_word(lua_State *L, decoder *d, const char *word)
{
    size_t len = strlen(word);
    if (d->n - d->pos < len || memcmp(d->p + d->pos, word, len) != 0)
        parse_fail(L, d, d->pos, "invalid literal (expected true, false or null)");
    d->pos += len;
    if (word[0] == 'n')
        lua_pushlightuserdata(L, SK_LUA_NULL);
    else
        lua_pushboolean(L, word[0] == 't');
}

static void parse_value(lua_State *L, decoder *d, int depth);

/* Fail unless one more container fits under the nesting limit, and make
 * room on the stack for it, a key and a value.  [-0, +0, m] */
static void enter(lua_State *L, decoder *d, int depth)
{
    if (depth > SK_LUA_JSON_MAX_DEPTH) {
        char why[64];
        snprintf(why, sizeof why, "nesting deeper than %d levels", SK_LUA_JSON_MAX_DEPTH);
        parse_fail(L, d, d->pos, why);
    }
    luaL_checkstack(L, 4, "JSON nesting");
}

/* [-0, +1, m] */
static void parse_object(lua_State *L, decoder *d, int depth)
{
    enter(L, d, depth);
    lua_newtable(L); /* t */
    d->pos++;        /* '{' */
    if (eat(d, '}'))
        return;
    for (;;) {
        skip_ws(d);
        if (d->pos >= d->n || d->p[d->pos] != '"')
            parse_fail(L, d, d->pos, "expected a string key");
        parse_string(L, d); /* t key */
        if (!eat(d, ':'))
            parse_fail(L, d, d->pos, "expected ':' after the key");
        parse_value(L, d, depth); /* t key value */
        lua_rawset(L, -3);        /* t: a repeated key overwrites, so the last wins */
        if (eat(d, ','))
            continue;
        if (eat(d, '}'))
            return;
        parse_fail(L, d, d->pos, "expected ',' or '}' after an object member");
    }
}

/* [-0, +1, m] */
static void parse_array(lua_State *L, decoder *d, int depth)
{
    enter(L, d, depth);
    lua_newtable(L);             /* a */
    lua_pushvalue(L, d->marker); /* a mt */
    lua_setmetatable(L, -2);     /* a */
    d->pos++;                    /* '[' */
    if (eat(d, ']'))
        return;
    for (lua_Integer i = 1;; i++) {
        parse_value(L, d, depth); /* a v */
        lua_rawseti(L, -2, i);    /* a */
        if (eat(d, ','))
            continue;
        if (eat(d, ']'))
            return;
        parse_fail(L, d, d->pos, "expected ',' or ']' after an array element");
    }
}

/* The value at d->pos inside `depth` containers.  [-0, +1, m] */
static void parse_value(lua_State *L, decoder *d, int depth)
{
    skip_ws(d);
    if (d->pos >= d->n)
        parse_fail(L, d, d->pos, "unexpected end of text, expected a value");
    char c = d->p[d->pos];
    switch (c) {
    case '{': parse_object(L, d, depth + 1); return;
    case '[': parse_array(L, d, depth + 1); return;
    case '"': parse_string(L, d); return;
    case 't': parse_word(L, d, "true"); return;
    case 'f': parse_word(L, d, "false"); return;
    case 'n': parse_word(L, d, "null"); return;
    }
    if (c == '-' || is_digit(c))
        parse_number(L, d);
    else
        parse_fail(L, d, d->pos, "unexpected character, expected a value");
}

/* The protected body of sk_lua_push_json: the decoder is argument 1.
 * [-1, +1, m] */
static int decode_protected(lua_State *L)
{
    decoder *d = lua_touserdata(L, 1);
    push_marker(L); /* d mt */
    d->marker = lua_gettop(L);
    parse_value(L, d, 0); /* d mt value */
    skip_ws(d);
    if (d->pos < d->n)
        parse_fail(L, d, d->pos, "unexpected text after the value");
    return 1;
}

/* "line L, column C: why" for byte `at` of p[0..n); columns count code
 * points, as an editor does. */
static void position_message(char *err, size_t errlen, const char *p, size_t n, size_t at,
                             const char *why)
{
    if (at > n)
        at = n;
    size_t line = 1, col = 1;
    for (size_t i = 0; i < at; i++) {
        if (p[i] == '\n') {
            line++;
            col = 1;
        } else if (((unsigned char)p[i] & 0xC0) != 0x80) {
            col++;
        }
    }
    set_err(err, errlen, "line %zu, column %zu: %s", line, col, why);
}

int sk_lua_push_json(lua_State *L, const char *json, size_t len, int trusted, char *err,
                     size_t errlen)
{
    if (err && errlen)
        err[0] = '\0'; /* not set_err: this runs for every case field */
    if (!json)
        json = "";
    if (!trusted) {
        size_t at;
        char why[128];
        if (sk_json_check(json, len, &at, why, sizeof why) != 0) {
            position_message(err, errlen, json, len, at, why);
            return -1;
        }
    }
    if (!lua_checkstack(L, 2)) {
        set_err(err, errlen, "Lua stack overflow");
        return -1;
    }
    decoder d = {.p = json, .n = len};
    lua_pushcfunction(L, decode_protected); /* f */
    lua_pushlightuserdata(L, &d);           /* f d */
    int rc = lua_pcall(L, 1, 1, 0);         /* value | error */
    sk_buf_free(&d.scratch);
    if (rc == LUA_OK)
        return 0;
    if (d.failed)
        position_message(err, errlen, json, len, d.at, d.why);
    else
        pcall_message(L, rc, err, errlen);
    lua_pop(L, 1);
    return -1;
}

/* ---- encoding ---- */

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

/* s[0..n) as a JSON string literal.  Valid UTF-8 is copied as it is; each
 * byte that is not part of a valid sequence becomes U+FFFD, as the text
 * scorers read it (text/utf8.h). */
static void add_string(sk_buf *b, const char *s, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    sk_buf_reserve(b, n + 2);
    sk_buf_addc(b, '"');
    size_t run = 0; /* start of the bytes not yet copied */
    size_t i = 0;
    while (i < n) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x80) {
            uint32_t cp;
            size_t used = sk_utf8_next(s + i, n - i, &cp);
            if (used > 1) { /* valid: an invalid byte decodes alone */
                i += used;
                continue;
            }
            sk_buf_add(b, s + run, i - run);
            sk_buf_add(b, "\xEF\xBF\xBD", 3);
            run = ++i;
            continue;
        }
        if (c >= 0x20 && c != '"' && c != '\\') {
            i++;
            continue;
        }
        sk_buf_add(b, s + run, i - run);
        run = ++i;
        switch (c) {
        case '"': sk_buf_add(b, "\\\"", 2); break;
        case '\\': sk_buf_add(b, "\\\\", 2); break;
        case '\n': sk_buf_add(b, "\\n", 2); break;
        case '\r': sk_buf_add(b, "\\r", 2); break;
        case '\t': sk_buf_add(b, "\\t", 2); break;
        case '\b': sk_buf_add(b, "\\b", 2); break;
        case '\f': sk_buf_add(b, "\\f", 2); break;
        default: {
            char u[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
            sk_buf_add(b, u, 6);
        }
        }
    }
    sk_buf_add(b, s + run, n - run);
    sk_buf_addc(b, '"');
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
        if (is_digit(*q) || *q == '-' || *q == '+' || *q == 'e') {
            has_point |= *q == 'e';
            sk_buf_addc(b, *q++);
            continue;
        }
        sk_buf_addc(b, '.'); /* the decimal point, one or more bytes */
        has_point = 1;
        while (*q && !is_digit(*q))
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
        add_string(e->out, m[i].s, m[i].n);
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
        add_string(e->out, s, n);
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

/* ---- the sk.json library ---- */

/* sk.json.decode(text) -> value.  [-0, +1, e] */
static int l_json_decode(lua_State *L)
{
    size_t n;
    const char *s = luaL_checklstring(L, 1, &n);
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

void sk_lua_json_open(lua_State *L)
{
    int t = lua_gettop(L);
    luaL_checkstack(L, 3, "sk.json");
    sk_lua_json_init(L);
    if (luaL_newmetatable(L, BUFBOX)) {         /* T boxmt */
        lua_pushcfunction(L, l_json_buffer_gc); /* T boxmt gc */
        lua_setfield(L, -2, "__gc");
    }
    lua_pop(L, 1);                         /* T */
    lua_createtable(L, 0, 2);              /* T json */
    lua_pushcfunction(L, l_json_decode);   /* T json f */
    lua_setfield(L, -2, "decode");         /* T json */
    lua_pushcfunction(L, l_json_encode);   /* T json f */
    lua_setfield(L, -2, "encode");         /* T json */
    lua_setfield(L, t, "json");            /* T */
    lua_pushlightuserdata(L, SK_LUA_NULL); /* T null */
    lua_setfield(L, t, "null");            /* T */
    lua_pushcfunction(L, l_json_array);    /* T f */
    lua_setfield(L, t, "array");           /* T */
}
