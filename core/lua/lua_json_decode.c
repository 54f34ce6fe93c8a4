/*
 * JSON text -> Lua values (sk_lua_push_json; the mapping is in lua_json.h).
 *
 * A small recursive-descent parser that pushes values straight onto the
 * Lua stack, so 64-bit integers stay exact and nothing global is touched;
 * strict validation is left to sk_json_check, so scripts and rows accept
 * exactly the same texts.  It runs protected (see lua_json_priv.h).
 */
#include "lua/lua_json.h"

#include <lauxlib.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lua/lua_json_priv.h"
#include "base/row.h"

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
    else if (i < n && lj_is_digit(p[i]))
        while (i < n && lj_is_digit(p[i]))
            i++;
    else
        parse_fail(L, d, i, "invalid number: expected a digit");
    size_t digits_end = i;
    if (i < n && p[i] == '.') {
        integral = 0;
        if (++i >= n || !lj_is_digit(p[i]))
            parse_fail(L, d, i, "invalid number: expected a digit after '.'");
        while (i < n && lj_is_digit(p[i]))
            i++;
    }
    if (i < n && (p[i] == 'e' || p[i] == 'E')) {
        integral = 0;
        if (++i < n && (p[i] == '+' || p[i] == '-'))
            i++;
        if (i >= n || !lj_is_digit(p[i]))
            parse_fail(L, d, i, "invalid number: expected a digit in the exponent");
        while (i < n && lj_is_digit(p[i]))
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
    if (c == '-' || lj_is_digit(c))
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
