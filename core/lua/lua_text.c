/*
 * sk.text: the Lua bindings of the text helpers (contract in lua_text.h).
 * The edit distance is the C code the heuristic plugins use (core/text),
 * so `sk.text.similarity` in a script scores exactly as the levenshtein
 * plugin does; the rest are short byte loops over ASCII classes.
 *
 * Every binding reads its arguments with luaL_check* (strings by length:
 * NUL bytes are ordinary characters) and keeps scratch memory on the Lua
 * stack (luaL_Buffer, userdata), so an error raised half-way through,
 * out-of-memory included, leaks nothing.  Character classes are written
 * out rather than taken from <ctype.h>, whose answers depend on the
 * process locale.
 */
#include "lua/lua_text.h"

#include <lauxlib.h>
#include <limits.h>
#include <string.h>

#include "base/text/levenshtein.h"

/* What a call costs, in the budget's units (about one VM instruction, a
 * few nanoseconds: see lua_meter.h), as measured on these loops: a pass
 * over n bytes costs n * RATE / 8 units, RATE being per function (the
 * class test loops of words and tokens, KMP's reads of both strings,
 * normalize's copy), and each word tokens() makes a Lua string of costs
 * WORD_UNITS more. */
#define RATE_WORDS     2
#define RATE_CONTAINS  3
#define RATE_NORMALIZE 6
#define WORD_UNITS     16
/* The meter of the state (upvalue 1 of every function), or NULL. */
static const sk_lua_meter *meter_of(lua_State *L)
{
    return lua_touserdata(L, lua_upvalueindex(1));
}

/* Pay for a pass over n bytes at `rate` (units per 8 bytes), before
 * making it.  [-0, +0, e] */
static void pay_bytes(lua_State *L, size_t n, int rate, const char *what)
{
    sk_lua_meter_pay(L, meter_of(L), 1 + (long long)(n / 8) * rate, what);
}

/* The edit distance's progress report: the meter says when to stop. */
static int lev_tick(void *ud, unsigned long long work)
{
    const sk_lua_meter *m = ud;
    return m->charge(m->ud, (long long)work);
}

/* ---- ASCII character classes ---- */

static inline unsigned char fold(unsigned char c)
{
    return (unsigned)c - 'A' < 26u ? (unsigned char)(c + 32) : c;
}

static inline int is_space(unsigned char c)
{
    return c == ' ' || (c >= '\t' && c <= '\r'); /* \t \n \v \f \r */
}

static inline int is_punct(unsigned char c)
{
    return (c >= '!' && c <= '/') || (c >= ':' && c <= '@') || (c >= '[' && c <= '`') ||
           (c >= '{' && c <= '~');
}

/* Word characters for tokens(): ASCII letters and digits, and every byte
 * of a multi-byte UTF-8 sequence, so "naïve" stays one word without any
 * Unicode tables. */
static inline int is_word(unsigned char c)
{
    return c >= 0x80 || (c >= '0' && c <= '9') || (unsigned)fold(c) - 'a' < 26u;
}

/* ---- options tables ---- */

/* One boolean option: its name, and its value (the default until read). */
typedef struct bool_opt {
    const char *name;
    int on;
} bool_opt;

/* Raise "sk.text.<fn>: unknown option '<key>'", listing the known ones so
 * the message says what to write instead.  Never returns.  [-0, +1, v] */
static int unknown_option(lua_State *L, const char *fn, const char *key, const bool_opt *opts,
                          size_t n)
{
    luaL_Buffer b;
    luaL_buffinit(L, &b);
    for (size_t i = 0; i < n; i++) {
        if (i)
            luaL_addstring(&b, ", ");
        luaL_addstring(&b, opts[i].name);
    }
    luaL_pushresult(&b); /* ..., known */
    return luaL_error(L, "sk.text.%s: unknown option '%s' (options: %s)", fn, key,
                      lua_tostring(L, -1));
}

/* Read the optional options table at stack index arg (> 0) into
 * opts[0..n).  None or nil keeps the defaults.  Each key must name an
 * option and each value be a boolean: a typo ({ignorecase = true}) or a
 * truthy number ({case = 0}, true in Lua) is an error rather than a
 * setting silently different from the one meant.  fn names the function
 * in messages.  [-0, +0, e] */
static void read_opts(lua_State *L, int arg, const char *fn, bool_opt *opts, size_t n)
{
    if (lua_isnoneornil(L, arg))
        return;
    luaL_checktype(L, arg, LUA_TTABLE);
    lua_pushnil(L);            /* ..., nil (first key) */
    while (lua_next(L, arg)) { /* ..., key, value */
        /* Only a string key may be read with lua_tolstring: converting a
         * number key in place would break lua_next. */
        if (lua_type(L, -2) != LUA_TSTRING)
            luaL_error(L, "sk.text.%s: option names are strings, not %s keys", fn,
                       luaL_typename(L, -2));
        size_t klen;
        const char *key = lua_tolstring(L, -2, &klen);
        bool_opt *o = NULL;
        for (size_t i = 0; i < n && !o; i++)
            if (strlen(opts[i].name) == klen && memcmp(opts[i].name, key, klen) == 0)
                o = &opts[i];
        if (!o) {
            unknown_option(L, fn, key, opts, n);
            return; /* not reached: unknown_option raises */
        }
        if (!lua_isboolean(L, -1))
            luaL_error(L, "sk.text.%s: option '%s' must be true or false, not a %s", fn, o->name,
                       luaL_typename(L, -1));
        o->on = lua_toboolean(L, -1);
        lua_pop(L, 1); /* ..., key */
    }
}

/* The SK_LEV_* flags of the opts argument of levenshtein/similarity.
 * [-0, +0, e] */
static unsigned compare_flags(lua_State *L, int arg, const char *fn)
{
    bool_opt opts[] = {{"ignore_case", 0}};
    read_opts(L, arg, fn, opts, sizeof opts / sizeof opts[0]);
    return opts[0].on ? SK_LEV_IGNORE_CASE : 0u;
}

/* ---- substring search ---- */

static inline unsigned char key_of(unsigned char c, int fold_case)
{
    return fold_case ? fold(c) : c;
}

/* 1 when needle occurs in hay, comparing ASCII-folded bytes when
 * fold_case.  Knuth-Morris-Pratt, so the time is linear in any input: an
 * instruction budget cannot interrupt a C function, and a naive search
 * over crafted text ("aaa...a" for "aa...ab") would stall the worker.
 * Needles past 64 bytes keep their failure table in a userdata.
 * [-0, +(0|1), m] */
static int find(lua_State *L, const char *hay, size_t nh, const char *needle, size_t nn,
                int fold_case)
{
    if (nn == 0)
        return 1;
    if (nn > nh)
        return 0;
    const unsigned char *h = (const unsigned char *)hay;
    const unsigned char *p = (const unsigned char *)needle;
    size_t small[64];
    size_t *border = nn <= 64 ? small : lua_newuserdatauv(L, nn * sizeof *border, 0);
    /* border[i]: length of the longest proper prefix of p[0..i] that is
     * also a suffix of it, i.e. where to resume after a mismatch. */
    border[0] = 0;
    for (size_t i = 1, k = 0; i < nn; i++) {
        while (k > 0 && key_of(p[i], fold_case) != key_of(p[k], fold_case))
            k = border[k - 1];
        if (key_of(p[i], fold_case) == key_of(p[k], fold_case))
            k++;
        border[i] = k;
    }
    for (size_t i = 0, k = 0; i < nh; i++) {
        while (k > 0 && key_of(h[i], fold_case) != key_of(p[k], fold_case))
            k = border[k - 1];
        if (key_of(h[i], fold_case) == key_of(p[k], fold_case) && ++k == nn)
            return 1;
    }
    return 0;
}

/* ---- the bindings ---- */

/* sk.text.levenshtein(a, b [, opts]) -> integer.  [-0, +1, e] */
static int l_text_levenshtein(lua_State *L)
{
    size_t na, nb;
    const char *a = luaL_checklstring(L, 1, &na);
    const char *b = luaL_checklstring(L, 2, &nb);
    unsigned flags = compare_flags(L, 3, "levenshtein");
    const sk_lua_meter *m = meter_of(L);
    size_t d =
        sk_levenshtein_metered(a, na, b, nb, flags, NULL, NULL, m ? lev_tick : NULL, (void *)m);
    if (d == SIZE_MAX)
        return m->stop(L, m->ud, "sk.text.levenshtein");
    lua_pushinteger(L, (lua_Integer)d); /* ..., d */
    return 1;
}

/* sk.text.similarity(a, b [, opts]) -> float in [0, 1].  [-0, +1, e] */
static int l_text_similarity(lua_State *L)
{
    size_t na, nb;
    const char *a = luaL_checklstring(L, 1, &na);
    const char *b = luaL_checklstring(L, 2, &nb);
    unsigned flags = compare_flags(L, 3, "similarity");
    const sk_lua_meter *m = meter_of(L);
    double sim =
        sk_levenshtein_similarity_metered(a, na, b, nb, flags, m ? lev_tick : NULL, (void *)m);
    if (sim < 0)
        return m->stop(L, m->ud, "sk.text.similarity");
    lua_pushnumber(L, (lua_Number)sim); /* ..., s */
    return 1;
}

/* sk.text.normalize(s [, opts]) -> string.  One pass: dropped punctuation
 * is skipped before whitespace is looked at, so "a , b" becomes "a b" and
 * never "a  b".  [-0, +1, e] */
static int l_text_normalize(lua_State *L)
{
    size_t n;
    const char *s = luaL_checklstring(L, 1, &n);
    bool_opt opts[] = {{"case", 1}, {"space", 1}, {"punct", 0}};
    read_opts(L, 2, "normalize", opts, sizeof opts / sizeof opts[0]);
    pay_bytes(L, n, RATE_NORMALIZE, "sk.text.normalize");
    const int lower = opts[0].on, space = opts[1].on, punct = opts[2].on;

    luaL_Buffer b;
    /* Never longer than s: each space written stands for at least one
     * whitespace byte read. */
    char *out = luaL_buffinitsize(L, &b, n); /* ..., [box] */
    size_t len = 0;
    int gap = 0; /* whitespace seen since the last byte written */
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (punct && is_punct(c))
            continue;
        if (space && is_space(c)) {
            gap = len > 0; /* leading whitespace is trimmed */
            continue;
        }
        if (gap) {
            out[len++] = ' ';
            gap = 0;
        }
        out[len++] = (char)(lower ? fold(c) : c);
    }
    luaL_pushresultsize(&b, len); /* ..., result */
    return 1;
}

/* sk.text.tokens(s) -> array of lower-cased words.  [-0, +1, e] */
static int l_text_tokens(lua_State *L)
{
    size_t n;
    const char *s = luaL_checklstring(L, 1, &n);
    const unsigned char *u = (const unsigned char *)s;
    pay_bytes(L, n, RATE_WORDS, "sk.text.tokens");
    size_t count = 0;
    int upper = 0;
    for (size_t i = 0; i < n; i++) {
        count += is_word(u[i]) && (i == 0 || !is_word(u[i - 1]));
        upper |= fold(u[i]) != u[i];
    }
    /* Then the rest of the work: a fold and a string per word. */
    sk_lua_meter_pay(L, meter_of(L),
                     (long long)(n / 8) * RATE_WORDS + (long long)count * WORD_UNITS,
                     "sk.text.tokens");

    /* Fold the whole string once and cut the words out of that copy: one
     * buffer however many words, and none at all for lower-case text. */
    const char *low = s;
    if (upper) {
        luaL_Buffer b;
        char *out = luaL_buffinitsize(L, &b, n); /* ..., [box] */
        for (size_t i = 0; i < n; i++)
            out[i] = (char)fold(u[i]);
        luaL_pushresultsize(&b, n); /* ..., low */
        low = lua_tostring(L, -1);  /* out may have been freed with the box */
    }

    lua_createtable(L, count > INT_MAX ? INT_MAX : (int)count, 0); /* ..., [low], t */
    lua_Integer k = 0;
    for (size_t i = 0; i < n;) {
        if (!is_word(u[i])) {
            i++;
            continue;
        }
        size_t start = i;
        while (i < n && is_word(u[i]))
            i++;
        lua_pushlstring(L, low + start, i - start); /* ..., t, word */
        lua_rawseti(L, -2, ++k);                    /* ..., t */
    }
    if (luaL_getmetatable(L, "sk.array") == LUA_TTABLE) /* ..., t, mt */
        lua_setmetatable(L, -2);                        /* ..., t */
    else
        lua_pop(L, 1); /* ..., t: no marker when sk.json is not set up */
    return 1;
}

/* sk.text.contains(s, needle [, opts]) -> boolean.  [-0, +1, e] */
static int l_text_contains(lua_State *L)
{
    size_t nh, nn;
    const char *hay = luaL_checklstring(L, 1, &nh);
    const char *needle = luaL_checklstring(L, 2, &nn);
    bool_opt opts[] = {{"ignore_case", 0}};
    read_opts(L, 3, "contains", opts, sizeof opts / sizeof opts[0]);
    pay_bytes(L, nh + nn, RATE_CONTAINS, "sk.text.contains");
    int found = find(L, hay, nh, needle, nn, opts[0].on); /* ..., [scratch] */
    lua_pushboolean(L, found);                            /* ..., [scratch], found */
    return 1;
}

/* sk.text.words(s) -> integer: the number of whitespace-separated runs.
 * [-0, +1, e] */
static int l_text_words(lua_State *L)
{
    size_t n;
    const char *s = luaL_checklstring(L, 1, &n);
    const unsigned char *u = (const unsigned char *)s;
    pay_bytes(L, n, RATE_WORDS, "sk.text.words");
    lua_Integer count = 0;
    for (size_t i = 0; i < n; i++)
        count += !is_space(u[i]) && (i == 0 || is_space(u[i - 1]));
    lua_pushinteger(L, count); /* ..., count */
    return 1;
}

static const luaL_Reg text_funcs[] = {
    {"levenshtein", l_text_levenshtein},
    {"similarity", l_text_similarity},
    {"normalize", l_text_normalize},
    {"tokens", l_text_tokens},
    {"contains", l_text_contains},
    {"words", l_text_words},
    {NULL, NULL},
};

/* [-0, +0, m] */
void sk_lua_text_open(lua_State *L, const sk_lua_meter *meter)
{
    luaL_newlibtable(L, text_funcs);         /* sk, text */
    lua_pushlightuserdata(L, (void *)meter); /* sk, text, meter */
    luaL_setfuncs(L, text_funcs, 1);         /* sk, text */
    /* Also loaded module "sk.text", as luaL_requiref would leave it: when
     * the call site gives no name (pcall(sk.text.tokens, x), a function
     * passed as a callback), luaL_argerror looks the function up there, so
     * the message says "bad argument #1 to 'sk.text.tokens'" rather than
     * "to '?'". */
    luaL_getsubtable(L, LUA_REGISTRYINDEX, LUA_LOADED_TABLE); /* sk, text, loaded */
    lua_pushvalue(L, -2);                                     /* sk, text, loaded, text */
    lua_setfield(L, -2, "sk.text");                           /* sk, text, loaded */
    lua_pop(L, 1);                                            /* sk, text */
    lua_setfield(L, -2, "text");                              /* sk */
}
