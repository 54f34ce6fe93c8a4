/*
 * Tests of the counting pattern matcher (core/lua_pattern.c) against stock
 * Lua 5.4: two plain states, one with the stock string library and one
 * with find/match/gmatch/gsub replaced, run the same calls and must give
 * the same results -- values, their types and number, and error messages.
 * A hand-written corpus covers every feature and edge of the manual's
 * patterns; a seeded fuzz of short subjects and patterns covers the
 * combinations nobody thinks of.  Then the payer: a pattern that would
 * backtrack for hours is stopped within one chunk of its limit.
 *
 * SK_PATTERN_BENCH=1 also times typical calls, stock against counting
 * (printed only; no test depends on wall time).
 */
#include <check.h>
#include <lauxlib.h>
#include <lualib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lua/lua_pattern.h"
#include "run_suite.h"

/* Helpers defined in both states: G collects a gmatch iteration (each
 * call's values with their types, up to 40 calls); R shows what a gsub
 * replacement function receives. */
static const char *prelude =
    "function G(s, p, init)\n"
    "  local it = string.gmatch(s, p, init)\n"
    "  local out = {}\n"
    "  for _ = 1, 40 do\n"
    "    local r = table.pack(it())\n"
    "    if r.n == 0 or r[1] == nil then out[#out + 1] = 'end' .. r.n break end\n"
    "    for j = 1, r.n do\n"
    "      out[#out + 1] = (math.type(r[j]) or type(r[j])) .. ':' .. tostring(r[j])\n"
    "    end\n"
    "    out[#out + 1] = '/'\n"
    "  end\n"
    "  return table.concat(out, ' ')\n"
    "end\n"
    "function R(...)\n"
    "  local t = table.pack(...)\n"
    "  local o = {}\n"
    "  for i = 1, t.n do o[i] = tostring(t[i]) .. ':' .. (math.type(t[i]) or type(t[i])) end\n"
    "  return '<' .. table.concat(o, ',') .. '>'\n"
    "end\n"
    "T = { a = 'A', b = false, c = 3, ['1'] = 'one' }\n";

/* Run a chunk; the lua_pcall status (luaL_dostring only says 0 or 1). */
static int run(lua_State *L, const char *chunk)
{
    int rc = luaL_loadstring(L, chunk);
    return rc != LUA_OK ? rc : lua_pcall(L, 0, LUA_MULTRET, 0);
}

typedef struct budget {
    long long used, limit;
    long calls;
} budget;

static void test_pay(lua_State *L, void *ud, long steps)
{
    budget *b = ud;
    b->used += steps;
    b->calls++;
    if (b->used > b->limit)
        luaL_error(L, "test budget exceeded after %d steps", (int)b->used);
}

static lua_State *new_state(int counting, budget *b)
{
    lua_State *L = luaL_newstate();
    ck_assert_ptr_nonnull(L);
    luaL_openlibs(L);
    if (counting) {
        lua_getglobal(L, "string");
        sk_lua_pattern_install(L, -1, b ? test_pay : NULL, b);
        lua_pop(L, 1);
    }
    ck_assert_int_eq(run(L, prelude), LUA_OK);
    return L;
}

/* Whether string.find in L is the counting one (a C closure with the payer
 * as upvalue; the stock one has none): a differential test comparing stock
 * with stock would pass for nothing. */
static int is_counting(lua_State *L)
{
    lua_getglobal(L, "string");
    lua_getfield(L, -1, "find");
    const char *up = lua_getupvalue(L, -1, 1);
    if (up)
        lua_pop(L, 1);
    lua_pop(L, 2);
    return up != NULL;
}

/* A growing text of what a call returned. */
typedef struct text {
    char *p;
    size_t n, cap;
} text;

static void put(text *t, const char *s, size_t n)
{
    if (t->n + n + 1 > t->cap) {
        t->cap = (t->n + n + 1) * 2;
        t->p = realloc(t->p, t->cap);
        ck_assert_ptr_nonnull(t->p);
    }
    memcpy(t->p + t->n, s, n);
    t->n += n;
    t->p[t->n] = '\0';
}

static void puts_(text *t, const char *s)
{
    put(t, s, strlen(s));
}

/* Describe the status and the values from index base to the top, strings
 * with their bytes escaped, numbers with their subtype. */
static void describe(lua_State *L, int base, int rc, text *t)
{
    t->n = 0;
    puts_(t, rc == LUA_OK ? "ok" : "ERR");
    char num[64];
    snprintf(num, sizeof num, " n=%d", lua_gettop(L) - base + 1);
    puts_(t, num);
    for (int i = base; i <= lua_gettop(L); i++) {
        puts_(t, " ");
        switch (lua_type(L, i)) {
        case LUA_TSTRING: {
            size_t len;
            const char *s = lua_tolstring(L, i, &len);
            puts_(t, "\"");
            for (size_t k = 0; k < len; k++) {
                unsigned char c = (unsigned char)s[k];
                if (c >= 32 && c < 127 && c != '\\' && c != '"') {
                    put(t, (const char *)&c, 1);
                } else {
                    snprintf(num, sizeof num, "\\%u", c);
                    puts_(t, num);
                }
            }
            puts_(t, "\"");
            break;
        }
        case LUA_TNUMBER:
            if (lua_isinteger(L, i))
                snprintf(num, sizeof num, "i%lld", (long long)lua_tointeger(L, i));
            else
                snprintf(num, sizeof num, "f%.17g", lua_tonumber(L, i));
            puts_(t, num);
            break;
        case LUA_TBOOLEAN: puts_(t, lua_toboolean(L, i) ? "true" : "false"); break;
        default: puts_(t, luaL_typename(L, i)); break;
        }
    }
}

/* Run `return EXPR` in L and describe the outcome into t. */
static void eval(lua_State *L, const char *expr, text *t)
{
    char *chunk = malloc(strlen(expr) + 8);
    ck_assert_ptr_nonnull(chunk);
    sprintf(chunk, "return %s", expr);
    int base = lua_gettop(L) + 1;
    int rc = luaL_loadbuffer(L, chunk, strlen(chunk), "=case");
    free(chunk);
    ck_assert_msg(rc == LUA_OK, "corpus case does not compile: %s", expr);
    rc = lua_pcall(L, 0, LUA_MULTRET, 0);
    describe(L, base, rc, t);
    lua_settop(L, base - 1);
}

/* Every feature and edge of Lua 5.4 patterns and of the four functions. */
static const char *const corpus[] = {
    /* find: plain and pattern, init, plain flag */
    "('hello world'):find('o w')",
    "('hello world'):find('o', 6)",
    "('hello'):find('l', -2)",
    "('hello'):find('l', -10)",
    "('hello'):find('', 10)",
    "('hello'):find('', 6)",
    "('hello'):find('', 5)",
    "('hello'):find('', 0)",
    "('hello'):find('h', 0)",
    "('hello'):find('o', -1)",
    "('hello'):find('lo', math.mininteger)",
    "('hello'):find('l', math.maxinteger)",
    "('a.b'):find('.', 1, true)",
    "('a.b'):find('.')",
    "('a.b'):find('%.')",
    "('a+b'):find('+', 1, true)",
    "('a+b'):find('a+', 1, 'yes')",
    "('abc'):find('b', 1, false)",
    "('abc'):find('b', 1, nil)",
    "('abc'):find('b()')",
    "('abc'):find(')')",
    "('a)c'):find(')')",
    "('a]c'):find(']')",
    "('abc'):find('x[')",
    "('xbc'):find('x[')",
    "('abc'):find('x%')",
    "('x'):find('x%')",
    "('abc'):find('abcd', 1, true)",
    "('abc'):find('c', 3, true)",
    "('abc'):find('c', 4, true)",
    "('aaab'):find('aab', 1, true)",
    "('abc'):find('(b)()')",
    "('abc'):find('^', 2)",
    "('abc'):find('^b', 2)",
    /* match and character classes */
    "('abc'):match('%a+')",
    "('ab12cd'):match('%d+')",
    "('  x y  '):match('^%s*(.-)%s*$')",
    "('Hello World'):gsub('%u', '_')",
    "('Hello World'):gsub('%l', '_')",
    "('a\\tb\\nc\\0'):gsub('%c', '?')",
    "('a,b;c!'):gsub('%p', '')",
    "('a1_b2'):gsub('%w', 'x')",
    "('a1_b2'):gsub('%W', 'x')",
    "('deadBEEFxyz'):match('%x+')",
    "('deadBEEFxyz'):match('%X+')",
    "('a b\\tc'):gsub('%S+', '[%0]')",
    "('abc~ \\1'):gsub('%g', '.')",
    "('abc~ \\1'):gsub('%G', '.')",
    "('12ab'):match('%D+')",
    "('AbC'):match('%U+')",
    "('AbC'):match('%L+')",
    "('a\\1b'):match('%C+')",
    "('a,b'):match('%P+')",
    "('a b'):match('%s')",
    "('a.b'):gsub('%.', '%%')",
    "('a%b'):find('%%')",
    "('a]b'):find('%]')",
    "('abc'):find('%z')",
    "('xyz'):find('%z')",
    "('xyZ'):find('%Z')",
    "('a\\233b'):match('%a+')",
    "('\\200\\201x'):match('.+')",
    /* sets */
    "('hello'):match('[aeiou]+')",
    "('hello'):match('[^aeiou]+')",
    "('a-b'):match('[a-]+')",
    "('a-b'):match('[-a]+')",
    "('x]y'):match('[]x]+')",
    "('x]y^'):match('[^]x]+')",
    "('a^b'):match('[b^]+')",
    "('abcxyz'):match('[b-y]+')",
    "('a1b2'):gsub('[%d]', '#')",
    "('a1 b2'):gsub('[%a%s]', '')",
    "('a%b'):gsub('[%%]', 'pct')",
    "('a]b'):gsub('[%]]', '!')",
    "('abc'):match('[z-a]')",
    "('a-z'):match('[%a-z]+')",
    "('a-%'):match('[a-%%]+')",
    "('\\200\\201x'):match('[\\128-\\255]+')",
    "('abc'):match('[^%a]')",
    "('ab'):match('[^%A]+')",
    "('abc'):match('[a')",
    "('abc'):match('[]')",
    "('abc'):match('[^]')",
    "('abc'):match('[%')",
    "('a'):match('[a%]')",
    "('ab'):match('[a-%]')",
    "('abc'):match('[^')",
    "('-'):match('[a-]')",
    "('b'):match('[a-c-e]')",
    "('-'):match('[a-c-e]')",
    /* quantifiers */
    "('aaab'):match('a*')",
    "('baaa'):match('a*')",
    "('aaab'):match('a+b')",
    "('b'):match('a+b')",
    "('aaab'):match('a-b')",
    "('aaab'):match('a-')",
    "('ab'):match('a?b')",
    "('b'):match('a?b')",
    "('aab'):match('a?ab')",
    "('<a><b>'):match('<.->')",
    "('<a><b>'):match('<.*>')",
    "('x'):match('x**')",
    "('x*'):match('x**')",
    "('+'):match('+')",
    "('a'):match('*')",
    "('*'):match('*')",
    "('-'):find('-')",
    "('?x'):match('?x')",
    "('ab'):match('a-b-')",
    "('aaa'):match('a-$')",
    "('aaa'):match('(a-)(a*)')",
    "('abc'):match('.-c')",
    "('abcabc'):match('.*c')",
    "('abcabc'):match('.-b(.*)')",
    "('x'):rep(60):find(('x*'):rep(3) .. 'y')",
    /* anchors */
    "('abc'):find('^b')",
    "('abc'):find('^a')",
    "('abc'):find('c$')",
    "('abc'):find('b$')",
    "('a$c'):find('$c')",
    "('a$'):find('$', 1, true)",
    "('a$'):find('%$')",
    "('a^'):find('a^')",
    "('abc'):match('^(%a+)$')",
    "('abc'):gsub('^', '>')",
    "('abc'):gsub('$', '<')",
    "('abc'):gsub('^a', '')",
    "('aaa'):gsub('^a', 'b')",
    "('abc'):gsub('^x', 'b')",
    "('abc'):match('^$')",
    "(''):match('^$')",
    "(''):find('')",
    "(''):find('', 2)",
    "(''):match('.')",
    "(''):match('.*')",
    "('abc'):match('$$')",
    "('ab$'):match('b$$')",
    /* captures */
    "('key=val'):match('(%w+)=(%w+)')",
    "('key=val'):find('(%w+)=(%w+)')",
    "('abc'):match('()b()')",
    "('abc'):find('()')",
    "('hello'):match('(h)(e)(l)(l)(o)')",
    "('abc'):match('((a)(b))')",
    "('abc'):match('(a')",
    "('abc'):match('a)')",
    "('abc'):find('(x')",
    "('abc'):match('(()a)')",
    "(('a'):rep(33)):match(('(a)'):rep(33))",
    "select('#', (('a'):rep(32)):match(('(a)'):rep(32)))",
    "('aXa'):match('(a)X%1')",
    "('aXb'):match('(a)X%1')",
    "('abab'):match('(ab)%1')",
    "('abc'):match('%1')",
    "('abc'):match('(a%1)')",
    "('abc'):match('(a)%2')",
    "('abc'):match('%0')",
    "('aa'):match('()a%1')",
    "('x\"y\"z'):match('([\"\\'])(.-)%1')",
    "('abcabc'):match('(a(b)c)%1%2?')",
    /* %b */
    "('f(a(b)c)d'):match('%b()')",
    "('f(a(b c'):match('%b()')",
    "('[[x]]'):match('%b[]')",
    "('xx'):match('%bxx')",
    "('abc'):match('%b')",
    "('abc'):match('%b(')",
    "('(a)'):gsub('%b()', '')",
    "('if (a and (b)) then'):find('%b()')",
    "('((a)'):find('%b()')",
    "('(a)b'):match('%b()(.)')",
    "('(a)'):match('%b()*')",
    /* %f */
    "('THE (quick) fox'):gsub('%f[%a]%a+', 'W')",
    "('hello world'):gsub('%f[%w]%w+', string.upper)",
    "('abc'):find('%f[%a]')",
    "('abc'):find('%f[%A]')",
    "('abc'):find('%f')",
    "('abc'):find('%fa')",
    "('abc'):find('%f[a')",
    "('THE END'):match('%f[%l]')",
    "('x1'):find('%f[%d]')",
    "('a\\0b'):find('%f[%z]')",
    "('ab'):find('%f[^a]')",
    /* gmatch */
    "G('one two three', '%a+')",
    "G('k1=v1, k2=v2', '(%w+)=(%w+)')",
    "G('abc', '')",
    "G('abc', '()')",
    "G('abc', '%a*')",
    "G('abc', 'b*')",
    "G('hello world', '%a+', 3)",
    "G('hello world', '%a+', -5)",
    "G('hello', 'l', 10)",
    "G('abc', '', 4)",
    "G('abc', '', 5)",
    "G('abc', '', -100)",
    "G('^a^a', '^a')",
    "G('aaa', 'a-')",
    "G('aaa', 'a?')",
    "G('abc', '(a')",
    "G('a,b,,c', '([^,]*)')",
    "G('abc', '()(.)')",
    "G('abc', '$')",
    "G('a\\nb', '[^\\n]+')",
    "G('abc', '[')",
    "string.gmatch()",
    "string.gmatch('a', 'a', 'z')",
    "string.gmatch('a')",
    /* gsub: strings, counts, max n */
    "('hello world'):gsub('o', '0')",
    "('hello world'):gsub('o', '0', 1)",
    "('hello world'):gsub('o', '0', 0)",
    "('hello world'):gsub('o', '0', -1)",
    "('hello'):gsub('', '-')",
    "('hello'):gsub('l*', '-')",
    "('abc'):gsub('x', 'y')",
    "('abc'):gsub('', '')",
    "string.gsub('abc', 'b', '%0%0', 2.0)",
    "('a b c'):gsub(' ', '', 1)",
    "('a.b.c'):gsub('%.', '%%%%')",
    "('x=1, y=2'):gsub('(%w+)=(%w+)', '%2=%1')",
    "('abc'):gsub('%w', '%1')",
    "('abc'):gsub('%w', '%2')",
    "('abc'):gsub('(%w)', '%2')",
    "('abc'):gsub('%w', '%')",
    "('abc'):gsub('%w', '%x')",
    "('abc'):gsub('%w', 'a%')",
    "('abc'):gsub('b', '%%')",
    "('abc'):gsub('()b', '%1')",
    "('abc'):gsub('b', '[%0%0]')",
    "('abc'):gsub('(b)', '%0%1%%')",
    "('abc'):gsub('(b', 'x')",
    "('abc'):gsub('%w', 7)",
    "('abc'):gsub('%w', 1.5)",
    "('abc'):gsub('%w', 2^63)",
    /* gsub: tables and functions; false and nil keep the match */
    "('abc'):gsub('%w', {a = '1', b = true})",
    "('abc'):gsub('%w', {a = '1', b = false})",
    "('abc'):gsub('%w', {a = 1, c = 2.5})",
    "('abc'):gsub('(%w)(%w)', {a = 'X'})",
    "('abc'):gsub('.', {})",
    "('abc'):gsub('()', {})",
    "('abc'):gsub('()', {[1] = 'one', [2] = 'two'})",
    "('abc'):gsub('%w', setmetatable({}, {__index = function(_, k) return k:upper() end}))",
    "('abc'):gsub('%w', function(c) if c == 'b' then return nil end return c:upper() end)",
    "('abc'):gsub('%w', function(c) if c == 'b' then return false end return c:upper() end)",
    "('abc'):gsub('%w', function() return {} end)",
    "('abc'):gsub('%w', function() return end)",
    "('abc'):gsub('%w', function() return 1, 2 end)",
    "('abc'):gsub('%w', function() error('boom') end)",
    "('abc'):gsub('%w', R)",
    "('abc'):gsub('(a)(b)()', R)",
    "('abc'):gsub('()', R)",
    "('abc'):gsub('', R)",
    "('abc'):gsub('%w', T)",
    "('abc'):gsub('%w', R, 2)",
    /* argument errors */
    "('abc'):gsub('%w')",
    "('abc'):gsub('%w', true)",
    "('abc'):gsub('%w', 'x', 'y')",
    "('abc'):gsub('%w', 'x', 1.5)",
    "('abc'):gsub('%w', nil, 'y')",
    "string.gsub()",
    "string.find()",
    "string.find('a')",
    "string.find('a', {})",
    "string.match('abc', 'b', 'x')",
    "('abc'):find('b', 1.5)",
    "('abc'):find('b', '2')",
    "string.find(123, 2)",
    "string.match(12.5, '%d+')",
    "string.gsub(100, 0, 1)",
    "string.find(nil, 'x')",
    /* nesting limits, captures in depth, long subjects */
    "('a'):rep(300):match(('a?'):rep(150) .. ('a'):rep(150))",
    "('a'):rep(300):match(('a?'):rep(250))",
    "('a'):rep(300):match(('a?'):rep(198))",
    "('a'):rep(300):match(('a?'):rep(199))",
    "('a'):rep(300):match(('a?'):rep(200))",
    "('a'):rep(300):match(('a*'):rep(199))",
    "('a'):rep(300):match(('a*'):rep(200))",
    "('b'):rep(300):match(('a*'):rep(300) .. 'b')",
    "('a'):rep(40):match(('(a)'):rep(20) .. ('%1'):rep(3))",
    "#(('a'):rep(5000)):match('.-$')",
    "(('a'):rep(5000)):find('b', 1, true)",
    "(('ab'):rep(3000) .. 'c'):find('abc', 1, true)",
    "(('x'):rep(100) .. '%b()' .. ('y'):rep(100)):find('%b()', 1, true)",
    /* embedded zeros */
    "('a\\0b'):find('\\0')",
    "('a\\0b'):find('\\0', 1, true)",
    "('a\\0b'):match('[\\0]')",
    "('a\\0b\\0'):gsub('%c', '0')",
    "('a\\0b'):match('.+')",
    "('a\\0b'):find('\\0b')",
    "('\\0\\0\\0x'):match('\\0*x')",
    "('a\\0b'):match('a[^%z]b')",
    "('%'):find('%', 1, true)",
    "('abc'):find('[%w_]+$')",
    "('a\\0'):match('%b\\0\\0')",
};

START_TEST(corpus_matches_stock)
{
    lua_State *stock = new_state(0, NULL), *mine = new_state(1, NULL);
    ck_assert(!is_counting(stock));
    ck_assert(is_counting(mine));
    text a = {0}, b = {0};
    size_t n = sizeof corpus / sizeof corpus[0], bad = 0;
    ck_assert_uint_ge(n, 150);
    for (size_t i = 0; i < n; i++) {
        eval(stock, corpus[i], &a);
        eval(mine, corpus[i], &b);
        if (strcmp(a.p, b.p) != 0) {
            fprintf(stderr, "case %zu: %s\n  stock:    %s\n  counting: %s\n", i, corpus[i], a.p,
                    b.p);
            bad++;
        }
    }
    free(a.p);
    free(b.p);
    lua_close(stock);
    lua_close(mine);
    ck_assert_msg(bad == 0, "%zu of %zu corpus cases differ from stock Lua (see stderr)", bad, n);
}
END_TEST

/* The corpus must really exercise errors and matches, or agreement means
 * little: count what stock Lua does with it. */
START_TEST(corpus_covers_errors_and_matches)
{
    lua_State *L = new_state(0, NULL);
    text t = {0};
    size_t errs = 0, fails = 0;
    for (size_t i = 0; i < sizeof corpus / sizeof corpus[0]; i++) {
        eval(L, corpus[i], &t);
        errs += strncmp(t.p, "ERR", 3) == 0;
        fails += strcmp(t.p, "ok n=1 nil") == 0;
    }
    free(t.p);
    lua_close(L);
    ck_assert_uint_ge(errs, 40);
    ck_assert_uint_ge(fails, 20);
}
END_TEST

/* ---- fuzz -------------------------------------------------------------- */

static unsigned long long rng_state;

static unsigned rnd(unsigned n)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return (unsigned)(rng_state % n);
}

static void random_subject(char *s, size_t *len)
{
    static const char alphabet[] = "aaabbc1 (%)[]^$-.x\0";
    size_t n = rnd(13);
    for (size_t i = 0; i < n; i++)
        s[i] = alphabet[rnd(sizeof alphabet - 1)];
    s[n] = '\0';
    *len = n;
}

/* A piece of a pattern: bytes and length (some hold NUL bytes). */
typedef struct piece {
    const char *s;
    size_t n;
} piece;
#define P(lit)                                                                                     \
    {                                                                                              \
        lit, sizeof lit - 1                                                                        \
    }

/* A pattern of at most 8 items from a small grammar, with at most 4
 * quantified ones so stock Lua's own backtracking stays small; now and
 * then malformed. */
static void random_pattern(char *p, size_t *len)
{
    static const piece atoms[] = {
        P("a"),     P("b"),     P("c"),    P("x"),     P("1"),     P(" "),     P("."),
        P("."),     P("%a"),    P("%d"),   P("%s"),    P("%w"),    P("%p"),    P("%A"),
        P("%S"),    P("%%"),    P("%."),   P("%("),    P("%)"),    P("[ab]"),  P("[^a]"),
        P("[a-c]"), P("[%d_]"), P("[]a]"), P("[^%s]"), P("[%a-]"), P("[^]b]"), P("$"),
        P("^"),     P("-"),     P("\0"),   P("[\0a]"), P("%z"),    P("%Z"),    P("%x"),
        P("%c"),    P("[%]]"),  P("[)(]"), P("]"),     P("%]")};
    static const piece specials[] = {P("()"),     P("%b()"), P("%bab"), P("%f[%w]"),
                                     P("%f[^a]"), P("%1"),   P("%2"),   P("%b"),
                                     P("[a"),     P("%f"),   P("%0"),   P("%f[")};
    static const char quants[] = "*+-?";
    size_t n = 0;
    int open = 0, quantified = 0;
    if (rnd(5) == 0)
        p[n++] = '^';
    unsigned items = 1 + rnd(8);
    for (unsigned i = 0; i < items; i++) {
        unsigned r = rnd(20);
        const piece *item;
        if (r < 2) {
            p[n++] = '(';
            open++;
            continue;
        } else if (r < 4 && open > 0) {
            p[n++] = ')';
            open--;
            continue;
        } else if (r < 6) {
            item = &specials[rnd(sizeof specials / sizeof specials[0])];
        } else {
            item = &atoms[rnd(sizeof atoms / sizeof atoms[0])];
        }
        memcpy(p + n, item->s, item->n);
        n += item->n;
        if (rnd(3) == 0 && quantified < 4) {
            p[n++] = quants[rnd(4)];
            quantified++;
        }
    }
    while (open > 0 && rnd(4) != 0) {
        p[n++] = ')';
        open--;
    }
    if (rnd(6) == 0)
        p[n++] = rnd(3) ? '$' : '%'; /* an anchor, or a malformed end */
    p[n] = '\0';
    *len = n;
}

/* Call string.NAME (or the global helper G) in L with the arguments
 * described by kinds: 's' subject, 'p' pattern, 'i' an integer, 'b' true,
 * 'r' the string template, 'R' the function R, 'T' the table T. */
static void call(lua_State *L, const char *name, const char *kinds, const char *s, size_t sl,
                 const char *p, size_t pl, lua_Integer i, const char *tmpl, text *out)
{
    int base = lua_gettop(L) + 1;
    if (strcmp(name, "G") == 0) {
        lua_getglobal(L, "G");
    } else {
        lua_getglobal(L, "string");
        lua_getfield(L, -1, name);
        lua_remove(L, -2);
    }
    for (const char *k = kinds; *k; k++) {
        switch (*k) {
        case 's': lua_pushlstring(L, s, sl); break;
        case 'p': lua_pushlstring(L, p, pl); break;
        case 'i': lua_pushinteger(L, i); break;
        case 'b': lua_pushboolean(L, 1); break;
        case 'r': lua_pushstring(L, tmpl); break;
        case 'R': lua_getglobal(L, "R"); break;
        case 'T': lua_getglobal(L, "T"); break;
        }
    }
    int rc = lua_pcall(L, (int)strlen(kinds), LUA_MULTRET, 0);
    describe(L, base, rc, out);
    lua_settop(L, base - 1);
}

static void printable(const char *s, size_t n, char *out)
{
    size_t o = 0;
    for (size_t i = 0; i < n; i++)
        o += (size_t)(s[i] ? sprintf(out + o, "%c", s[i]) : sprintf(out + o, "\\0"));
    out[o] = '\0';
}

START_TEST(fuzz_matches_stock)
{
    static const struct {
        const char *name, *kinds, *tmpl;
    } calls[] = {
        {"find", "sp", NULL},  {"find", "spi", NULL},   {"find", "spib", NULL},
        {"match", "sp", NULL}, {"match", "spi", NULL},  {"G", "sp", NULL},
        {"G", "spi", NULL},    {"gsub", "spr", "<%0>"}, {"gsub", "spr", "%1"},
        {"gsub", "spR", NULL}, {"gsub", "spT", NULL},   {"gsub", "spri", "x"},
    };
    lua_State *stock = new_state(0, NULL), *mine = new_state(1, NULL);
    ck_assert(is_counting(mine));
    text a = {0}, b = {0};
    rng_state = 0x5eed5eed12345678ULL;
    size_t bad = 0, errs = 0, hits = 0, total = 0;
    /* SK_PATTERN_FUZZ_ROUNDS shortens the fuzz where every call is slow
     * (CI's valgrind pass); the full 20,000 rounds run in `make check`. */
    const char *env = getenv("SK_PATTERN_FUZZ_ROUNDS");
    int rounds = env && atoi(env) > 0 ? atoi(env) : 20000;
    for (int round = 0; round < rounds; round++) {
        char s[16], p[64];
        size_t sl, pl;
        random_subject(s, &sl);
        random_pattern(p, &pl);
        lua_Integer init = (lua_Integer)rnd(29) - 14;
        for (size_t c = 0; c < sizeof calls / sizeof calls[0]; c++) {
            lua_Integer arg =
                calls[c].tmpl && strcmp(calls[c].tmpl, "x") == 0 ? (lua_Integer)rnd(5) - 1 : init;
            call(stock, calls[c].name, calls[c].kinds, s, sl, p, pl, arg, calls[c].tmpl, &a);
            call(mine, calls[c].name, calls[c].kinds, s, sl, p, pl, arg, calls[c].tmpl, &b);
            total++;
            errs += strncmp(a.p, "ERR", 3) == 0;
            hits += strncmp(a.p, "ok n=1 nil", 10) != 0;
            if (strcmp(a.p, b.p) != 0 && bad++ < 20) {
                char ps[140], ss[40];
                printable(p, pl, ps);
                printable(s, sl, ss);
                fprintf(stderr, "%s(%s) s=\"%s\" p=\"%s\" i=%lld\n  stock:    %s\n  counting: %s\n",
                        calls[c].name, calls[c].kinds, ss, ps, (long long)arg, a.p, b.p);
            }
        }
    }
    free(a.p);
    free(b.p);
    lua_close(stock);
    lua_close(mine);
    ck_assert_msg(bad == 0, "%zu of %zu fuzz calls differ from stock Lua (see stderr)", bad, total);
    if (getenv("SK_PATTERN_BENCH"))
        fprintf(stderr, "fuzz: %zu calls, %zu errors, %zu not a plain nil\n", total, errs, hits);
    /* the fuzz must reach both errors and successful matches */
    ck_assert_uint_gt(errs, total / 50);
    ck_assert_uint_gt(hits, total / 5);
}
END_TEST

/* ---- the payer --------------------------------------------------------- */

START_TEST(budget_stops_backtracking)
{
    budget bud = {0, 1000000, 0};
    lua_State *L = new_state(1, &bud);
    int rc = run(L, "return ('a'):rep(20000):find('.-.-.-.-.-b')");
    ck_assert_int_eq(rc, LUA_ERRRUN);
    char want[80]; /* payments come in whole chunks */
    snprintf(want, sizeof want, "test budget exceeded after %lld steps",
             (bud.limit / SK_LUA_PATTERN_CHUNK + 1) * SK_LUA_PATTERN_CHUNK);
    const char *msg = lua_tostring(L, -1);
    ck_assert_msg(strlen(msg) > strlen(want) && strcmp(msg + strlen(msg) - strlen(want), want) == 0,
                  "%s", msg);
    lua_pop(L, 1);
    ck_assert_int_ge(bud.used, bud.limit);
    ck_assert_int_lt(bud.used, bud.limit + SK_LUA_PATTERN_CHUNK + 1);

    /* The state is fine afterwards, and small calls pay small sums. */
    bud.used = 0;
    bud.calls = 0;
    rc = run(L, "return ('hello world'):find('o w?o')");
    ck_assert_int_eq(rc, LUA_OK);
    ck_assert_int_eq(lua_tointeger(L, -2), 5);
    ck_assert_int_eq(lua_tointeger(L, -1), 8);
    lua_pop(L, 2);
    ck_assert_int_eq(bud.calls, 1);
    ck_assert_int_gt(bud.used, 5);
    ck_assert_int_lt(bud.used, 100);
    lua_close(L);
}
END_TEST

/* Every function pays, and so does each kind of expensive step: %b scans,
 * back-references, long sets and plain searches. */
START_TEST(budget_every_function)
{
    static const char *const costly[] = {
        "return ('a'):rep(30000):match('.-.-.-b')",
        "for _ in ('a'):rep(30000):gmatch('.-.-.-b') do end",
        "return ('a'):rep(30000):gsub('.-.-.-b', '')",
        "return ('('):rep(30000):find('%b()')",
        "return ('a'):rep(30000):find('(a*)%1b')",
        "return ('a'):rep(3000):find('[' .. ('b'):rep(100000) .. ']')",
        "return ('a'):rep(100000):find(('a'):rep(50000) .. 'b', 1, true)",
        "return ('a'):rep(30000):find(('a?'):rep(150) .. 'b')",
    };
    for (size_t i = 0; i < sizeof costly / sizeof costly[0]; i++) {
        budget bud = {0, 2000000, 0};
        lua_State *L = new_state(1, &bud);
        int rc = run(L, costly[i]);
        ck_assert_msg(rc == LUA_ERRRUN, "%s: not stopped", costly[i]);
        ck_assert_msg(strstr(lua_tostring(L, -1), "test budget exceeded") != NULL, "%s: %s",
                      costly[i], lua_tostring(L, -1));
        ck_assert_int_lt(bud.used, bud.limit + 4 * SK_LUA_PATTERN_CHUNK);
        lua_close(L);
    }
}
END_TEST

/* A NULL payer never stops anything (tests and tools may use it): this
 * search takes about 4M steps, four times what stops it in the test above,
 * and kept small so the valgrind pass stays quick. */
START_TEST(no_payer_no_limit)
{
    lua_State *L = new_state(1, NULL);
    int rc = run(L, "return ('a'):rep(100):find('.-.-.-b')");
    ck_assert_int_eq(rc, LUA_OK);
    ck_assert(lua_isnil(L, -1));
    lua_close(L);
}
END_TEST

/* ---- speed (printed, never asserted) ------------------------------------ */

static double seconds(lua_State *L, const char *loop)
{
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    ck_assert_int_eq(run(L, loop), LUA_OK);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    return (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
}

START_TEST(bench)
{
    if (!getenv("SK_PATTERN_BENCH"))
        return;
    static const char *const loops[] = {
        "local s = 'The answer is 42, give or take  a  few.' "
        "for _ = 1, 1000000 do s:find('%d+') end",
        "local s = 'The answer is 42, give or take  a  few.' "
        "for _ = 1, 1000000 do s:gsub('%s+', ' ') end",
        "local s = 'The answer is 42, give or take  a  few.' "
        "for _ = 1, 1000000 do s:match('^(%a+)%s+(.-)$') end",
        "local s = 'The answer is 42, give or take  a  few.' "
        "for _ = 1, 300000 do for w in s:gmatch('%a+') do end end",
        "local s = 'The answer is 42, give or take  a  few.' "
        "for _ = 1, 1000000 do s:find('take', 1, true) end",
    };
    budget bud = {0, (long long)1 << 62, 0};
    lua_State *stock = new_state(0, NULL), *mine = new_state(1, &bud);
    for (size_t i = 0; i < sizeof loops / sizeof loops[0]; i++) {
        double a = seconds(stock, loops[i]), b = seconds(mine, loops[i]);
        fprintf(stderr, "bench %zu: stock %.3fs counting %.3fs ratio %.2f  [%s]\n", i, a, b, b / a,
                strstr(loops[i], "do ") + 3);
    }
    lua_close(stock);
    lua_close(mine);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("lua_pattern");
    TCase *tc = tcase_create("differential");
    tcase_set_timeout(tc, 600); /* the fuzz under valgrind */
    tcase_add_test(tc, corpus_matches_stock);
    tcase_add_test(tc, corpus_covers_errors_and_matches);
    tcase_add_test(tc, fuzz_matches_stock);
    suite_add_tcase(s, tc);

    tc = tcase_create("budget");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, budget_stops_backtracking);
    tcase_add_test(tc, budget_every_function);
    tcase_add_test(tc, no_payer_no_limit);
    tcase_add_test(tc, bench);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return sk_run_suite(suite());
}
