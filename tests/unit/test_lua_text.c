/*
 * Tests of sk.text, the text library of Lua scorers, driven from Lua code
 * as a script would call it: reference distances and similarities (code
 * points, not bytes), ignore_case, normalize's options and their errors,
 * tokens and its array marker, contains, words, NUL bytes inside strings,
 * argument errors that name the function, and 100k-character inputs.
 */
#include <check.h>
#include <lauxlib.h>
#include <lua.h>
#include <lualib.h>
#include <math.h>
#include <string.h>

#include "lua/lua_text.h"
#include "run_suite.h"

static lua_State *L;

/* A state as a scorer sees it for these purposes: the standard libraries,
 * the array marker sk.json would create, and sk.text. */
static lua_State *new_state(int with_marker)
{
    lua_State *s = luaL_newstate();
    ck_assert_ptr_nonnull(s);
    luaL_openlibs(s);
    if (with_marker) {
        luaL_newmetatable(s, "sk.array");
        lua_pop(s, 1);
    }
    lua_newtable(s); /* sk */
    sk_lua_text_open(s, NULL);
    ck_assert_int_eq(lua_gettop(s), 1); /* open is [-0, +0] */
    lua_setglobal(s, "sk");
    return s;
}

static void setup(void)
{
    L = new_state(1);
}

static void teardown(void)
{
    lua_close(L);
    L = NULL;
}

/* Evaluate the Lua expression expr and leave its value on the stack. */
static void eval(const char *expr)
{
    lua_settop(L, 0);
    lua_pushfstring(L, "return %s", expr);
    int rc = luaL_loadstring(L, lua_tostring(L, -1));
    if (rc == LUA_OK)
        rc = lua_pcall(L, 0, 1, 0);
    ck_assert_msg(rc == LUA_OK, "%s: %s", expr, lua_tostring(L, -1));
}

static lua_Integer int_of(const char *expr)
{
    eval(expr);
    ck_assert_msg(lua_isinteger(L, -1), "%s: want an integer, got %s", expr, luaL_typename(L, -1));
    return lua_tointeger(L, -1);
}

static double float_of(const char *expr)
{
    eval(expr);
    ck_assert_msg(lua_type(L, -1) == LUA_TNUMBER && !lua_isinteger(L, -1),
                  "%s: want a float, got %s", expr, luaL_typename(L, -1));
    return lua_tonumber(L, -1);
}

static int bool_of(const char *expr)
{
    eval(expr);
    ck_assert_msg(lua_isboolean(L, -1), "%s: want a boolean, got %s", expr, luaL_typename(L, -1));
    return lua_toboolean(L, -1);
}

/* expr must give the string want[0..len): compared by length, so NUL
 * bytes count. */
static void assert_bytes(const char *expr, const char *want, size_t len)
{
    eval(expr);
    ck_assert_msg(lua_type(L, -1) == LUA_TSTRING, "%s: want a string, got %s", expr,
                  luaL_typename(L, -1));
    size_t n;
    const char *got = lua_tolstring(L, -1, &n);
    ck_assert_msg(n == len && memcmp(got, want, len) == 0, "%s = \"%s\" (%zu bytes), want \"%s\"",
                  expr, got, n, want);
}

#define ASSERT_STR(expr, want) assert_bytes(expr, want, strlen(want))

/* Run the statement stmt under pcall in Lua: it must fail with a message
 * containing needle. */
static void assert_error(const char *stmt, const char *needle)
{
    lua_settop(L, 0);
    lua_pushfstring(L, "local ok, e = pcall(function() %s end) return ok, tostring(e)", stmt);
    int rc = luaL_loadstring(L, lua_tostring(L, -1));
    if (rc == LUA_OK)
        rc = lua_pcall(L, 0, 2, 0);
    ck_assert_msg(rc == LUA_OK, "%s: %s", stmt, lua_tostring(L, -1));
    ck_assert_msg(!lua_toboolean(L, -2), "%s: want an error, it succeeded", stmt);
    const char *msg = lua_tostring(L, -1);
    ck_assert_msg(strstr(msg, needle), "%s: error \"%s\" lacks \"%s\"", stmt, msg, needle);
}

/* Run Lua statements that must succeed (setting up globals for later). */
static void run(const char *code)
{
    lua_settop(L, 0);
    int rc = luaL_dostring(L, code);
    ck_assert_msg(rc == LUA_OK, "%s: %s", code, lua_tostring(L, -1));
}

#define ASSERT_NEAR(got, want)                                                                     \
    ck_assert_msg(fabs((got) - (want)) < 1e-12, "%.17g != %.17g", got, want)

/* ---- levenshtein and similarity ---- */

START_TEST(levenshtein_reference)
{
    ck_assert_int_eq(int_of("sk.text.levenshtein('kitten', 'sitting')"), 3);
    ck_assert_int_eq(int_of("sk.text.levenshtein('', '')"), 0);
    ck_assert_int_eq(int_of("sk.text.levenshtein('', 'abc')"), 3);
    ck_assert_int_eq(int_of("sk.text.levenshtein('flaw', 'lawn')"), 2);
    /* Code points, not bytes: é is 2 bytes, an emoji 4. */
    ck_assert_int_eq(int_of("sk.text.levenshtein('é', 'e')"), 1);
    ck_assert_int_eq(int_of("sk.text.levenshtein('😀', '😁')"), 1);
    ck_assert_int_eq(int_of("sk.text.levenshtein('naïve café', 'naive cafe')"), 2);
    ck_assert_int_eq(int_of("sk.text.levenshtein('中文', '中国文')"), 1);
    /* Numbers are strings where strings are expected, as in Lua itself. */
    ck_assert_int_eq(int_of("sk.text.levenshtein(123, 124)"), 1);
    ck_assert_int_eq(int_of("sk.text.levenshtein('a', 'b', nil)"), 1);
}
END_TEST

START_TEST(similarity_reference)
{
    ASSERT_NEAR(float_of("sk.text.similarity('ab', 'ac')"), 0.5);
    ASSERT_NEAR(float_of("sk.text.similarity('', '')"), 1.0);
    ASSERT_NEAR(float_of("sk.text.similarity('abc', 'abc')"), 1.0);
    ASSERT_NEAR(float_of("sk.text.similarity('abc', '')"), 0.0);
    ASSERT_NEAR(float_of("sk.text.similarity('kitten', 'sitting')"), 1.0 - 3.0 / 7.0);
    ASSERT_NEAR(float_of("sk.text.similarity('é', 'e')"), 0.0);
    ASSERT_NEAR(float_of("sk.text.similarity('héllo', 'hello')"), 0.8);
    ASSERT_NEAR(float_of("sk.text.similarity('😀a', '😁a')"), 0.5);
}
END_TEST

START_TEST(compare_ignore_case)
{
    ck_assert_int_eq(int_of("sk.text.levenshtein('ABC', 'abc')"), 3);
    ck_assert_int_eq(int_of("sk.text.levenshtein('ABC', 'abc', {ignore_case = true})"), 0);
    ck_assert_int_eq(int_of("sk.text.levenshtein('ABC', 'abc', {ignore_case = false})"), 3);
    ck_assert_int_eq(int_of("sk.text.levenshtein('ABC', 'abc', {})"), 3);
    ASSERT_NEAR(float_of("sk.text.similarity('Hello', 'hello', {ignore_case = true})"), 1.0);
    ASSERT_NEAR(float_of("sk.text.similarity('Hello', 'hello')"), 0.8);
    /* ASCII only: É and é are different code points. */
    ck_assert_int_eq(int_of("sk.text.levenshtein('ÉA', 'éa', {ignore_case = true})"), 1);
    assert_error("sk.text.similarity('a', 'b', {ignorecase = true})",
                 "sk.text.similarity: unknown option 'ignorecase' (options: ignore_case)");
    assert_error("sk.text.levenshtein('a', 'b', {ignore_case = 1})",
                 "sk.text.levenshtein: option 'ignore_case' must be true or false, not a number");
}
END_TEST

/* ---- normalize ---- */

START_TEST(normalize_options)
{
    run("s = '  Hello,\\tWORLD!\\n  How  are you? '");
    ASSERT_STR("sk.text.normalize(s)", "hello, world! how are you?");
    ASSERT_STR("sk.text.normalize(s, {})", "hello, world! how are you?");
    ASSERT_STR("sk.text.normalize(s, nil)", "hello, world! how are you?");
    ASSERT_STR("sk.text.normalize(s, {case = false})", "Hello, WORLD! How are you?");
    ASSERT_STR("sk.text.normalize(s, {space = false})", "  hello,\tworld!\n  how  are you? ");
    ASSERT_STR("sk.text.normalize(s, {punct = true})", "hello world how are you");
    ASSERT_STR("sk.text.normalize(s, {case = false, space = false, punct = false})",
               "  Hello,\tWORLD!\n  How  are you? ");
    ASSERT_STR("sk.text.normalize(s, {case = false, space = false, punct = true})",
               "  Hello\tWORLD\n  How  are you ");
    /* Dropped punctuation does not leave a double space behind. */
    ASSERT_STR("sk.text.normalize('a , b - c', {punct = true})", "a b c");
    ASSERT_STR("sk.text.normalize(\"Don't!\", {punct = true})", "dont");
    ASSERT_STR("sk.text.normalize('')", "");
    ASSERT_STR("sk.text.normalize(' \\t\\r\\n\\v\\f ')", "");
    ASSERT_STR("sk.text.normalize('!?.', {punct = true})", "");
    /* Non-ASCII bytes are kept as they are, even next to punctuation. */
    ASSERT_STR("sk.text.normalize('ÉCOLE  ¿Qué?', {punct = true})", "École ¿qué");
}
END_TEST

START_TEST(normalize_option_errors)
{
    assert_error("sk.text.normalize('x', {x = true})", "sk.text.normalize: unknown option 'x'");
    assert_error("sk.text.normalize('x', {lower = true})",
                 "sk.text.normalize: unknown option 'lower' (options: case, space, punct)");
    assert_error("sk.text.normalize('x', {case = 0})",
                 "sk.text.normalize: option 'case' must be true or false, not a number");
    assert_error("sk.text.normalize('x', {space = 'no'})", "option 'space' must be true or false");
    assert_error("sk.text.normalize('x', {true})",
                 "sk.text.normalize: option names are strings, not number keys");
    assert_error("sk.text.normalize('x', 5)",
                 "bad argument #2 to 'normalize' (table expected, got number)");
    /* A well-formed call still works after the failures. */
    ASSERT_STR("sk.text.normalize('A  B')", "a b");
}
END_TEST

/* ---- tokens ---- */

START_TEST(tokens_mixed)
{
    run("t = sk.text.tokens(\"Hello, World! It's 2024-01-05 (v2.0).\")");
    ck_assert_int_eq(int_of("#t"), 9);
    ASSERT_STR("table.concat(t, '|')", "hello|world|it|s|2024|01|05|v2|0");
}
END_TEST

START_TEST(tokens_words_and_marker)
{
    run("t = sk.text.tokens('  The QUICK brown\\tfox\\n')");
    ck_assert_int_eq(int_of("#t"), 4);
    ASSERT_STR("table.concat(t, '|')", "the|quick|brown|fox");
    ck_assert(bool_of("getmetatable(t) == debug.getregistry()['sk.array']"));
    ck_assert(bool_of("getmetatable(t) ~= nil"));
    /* Already lower-case text takes the no-copy path. */
    ASSERT_STR("table.concat(sk.text.tokens('a bc  def'), '|')", "a|bc|def");
}
END_TEST

START_TEST(tokens_unicode)
{
    run("t = sk.text.tokens('Ünïcode FAÇADE — naïve 😀ok 中文')");
    ASSERT_STR("table.concat(t, '|')", "Ünïcode|faÇade|—|naïve|😀ok|中文");
    ck_assert_int_eq(int_of("#t"), 6);
}
END_TEST

START_TEST(tokens_empty)
{
    ck_assert_int_eq(int_of("#sk.text.tokens('')"), 0);
    ck_assert_int_eq(int_of("#sk.text.tokens(' ,.;!? \\t')"), 0);
    /* Still marked, so an empty result encodes as [] rather than {}. */
    ck_assert(bool_of("getmetatable(sk.text.tokens('')) == debug.getregistry()['sk.array']"));
}
END_TEST

START_TEST(tokens_without_marker)
{
    lua_close(L);
    L = new_state(0);
    ck_assert(bool_of("getmetatable(sk.text.tokens('a b')) == nil"));
    ck_assert_int_eq(int_of("#sk.text.tokens('a b')"), 2);
}
END_TEST

/* ---- contains and words ---- */

START_TEST(contains_basic)
{
    ck_assert(bool_of("sk.text.contains('Hello World', 'World')"));
    ck_assert(!bool_of("sk.text.contains('Hello World', 'world')"));
    ck_assert(bool_of("sk.text.contains('Hello World', 'world', {ignore_case = true})"));
    ck_assert(!bool_of("sk.text.contains('Hello World', 'world', {ignore_case = false})"));
    ck_assert(bool_of("sk.text.contains('HELLO', 'hello', {ignore_case = true})"));
    ck_assert(bool_of("sk.text.contains('abc', '')"));
    ck_assert(bool_of("sk.text.contains('', '')"));
    ck_assert(!bool_of("sk.text.contains('', 'a')"));
    ck_assert(!bool_of("sk.text.contains('ab', 'abc')"));
    ck_assert(bool_of("sk.text.contains('abc', 'abc')"));
    /* Partial matches that must fall back correctly. */
    ck_assert(bool_of("sk.text.contains('aaaaab', 'aaab')"));
    ck_assert(bool_of("sk.text.contains('abababc', 'ababc')"));
    ck_assert(!bool_of("sk.text.contains('abababd', 'ababc')"));
    ck_assert(bool_of("sk.text.contains('xAbAbC', 'ababc', {ignore_case = true})"));
    /* Only ASCII folds. */
    ck_assert(!bool_of("sk.text.contains('ÉCOLE', 'école', {ignore_case = true})"));
    ck_assert(bool_of("sk.text.contains('ÉCOLE', 'Écol', {ignore_case = true})"));
    assert_error("sk.text.contains('a', 'a', {ignorecase = true})",
                 "sk.text.contains: unknown option 'ignorecase'");
}
END_TEST

START_TEST(contains_long)
{
    /* Needles past the 64-byte stack table, and a haystack that makes a
     * naive search quadratic. */
    run("n = string.rep('ab', 100) .. 'c'");
    ck_assert(bool_of("sk.text.contains(string.rep('ab', 1000) .. 'c', n)"));
    ck_assert(!bool_of("sk.text.contains(string.rep('ab', 1000) .. 'd', n)"));
    ck_assert(bool_of("sk.text.contains(string.rep('AB', 1000) .. 'C', n, {ignore_case = true})"));
    run("hay = string.rep('a', 100000)");
    ck_assert(!bool_of("sk.text.contains(hay, string.rep('a', 50000) .. 'b')"));
    ck_assert(bool_of("sk.text.contains(hay .. 'b', string.rep('a', 50000) .. 'b')"));
}
END_TEST

START_TEST(words_count)
{
    ck_assert_int_eq(int_of("sk.text.words('')"), 0);
    ck_assert_int_eq(int_of("sk.text.words(' \\t\\n ')"), 0);
    ck_assert_int_eq(int_of("sk.text.words('one')"), 1);
    ck_assert_int_eq(int_of("sk.text.words(' one  two\\tthree\\nfour ')"), 4);
    ck_assert_int_eq(int_of("sk.text.words('a,b c-d')"), 2);
    ck_assert_int_eq(int_of("sk.text.words('héllo wörld 😀')"), 3);
}
END_TEST

/* ---- NUL bytes ---- */

START_TEST(nul_bytes)
{
    ck_assert_int_eq(int_of("sk.text.levenshtein('a\\0b', 'a\\0c')"), 1);
    ck_assert_int_eq(int_of("sk.text.levenshtein('a\\0b', 'ab')"), 1);
    ck_assert_int_eq(int_of("sk.text.levenshtein('\\0\\0', '')"), 2);
    ASSERT_NEAR(float_of("sk.text.similarity('\\0', '\\0')"), 1.0);
    ASSERT_NEAR(float_of("sk.text.similarity('a\\0', 'a\\1')"), 0.5);
    assert_bytes("sk.text.normalize('A\\0B  C')", "a\0b c", 5);
    assert_bytes("sk.text.normalize('\\0 \\0', {punct = true})", "\0 \0", 3);
    ck_assert(bool_of("sk.text.contains('x\\0y', '\\0y')"));
    ck_assert(!bool_of("sk.text.contains('x\\0y', '\\0z')"));
    ck_assert(bool_of("sk.text.contains('X\\0Y', 'x\\0y', {ignore_case = true})"));
    ck_assert_int_eq(int_of("sk.text.words('a\\0b c')"), 2);
    ASSERT_STR("table.concat(sk.text.tokens('a\\0B'), '|')", "a|b");
}
END_TEST

/* ---- argument errors ---- */

START_TEST(argument_errors)
{
    /* Called by name, as scripts do: Lua names the function. */
    assert_error("local r = sk.text.levenshtein(nil, 'a')",
                 "bad argument #1 to 'levenshtein' (string expected, got nil)");
    assert_error("local r = sk.text.levenshtein('a', {})",
                 "bad argument #2 to 'levenshtein' (string expected, got table)");
    assert_error("local r = sk.text.levenshtein('a', 'b', 5)",
                 "bad argument #3 to 'levenshtein' (table expected, got number)");
    assert_error("local r = sk.text.similarity('a')",
                 "bad argument #2 to 'similarity' (string expected, got no value)");
    assert_error("local r = sk.text.similarity('a', 'b', 'ignore_case')",
                 "bad argument #3 to 'similarity' (table expected, got string)");
    assert_error("local r = sk.text.normalize(true)",
                 "bad argument #1 to 'normalize' (string expected, got boolean)");
    assert_error("local r = sk.text.tokens()",
                 "bad argument #1 to 'tokens' (string expected, got no value)");
    assert_error("local r = sk.text.contains('a')",
                 "bad argument #2 to 'contains' (string expected, got no value)");
    assert_error("local r = sk.text.contains('a', 'b', true)",
                 "bad argument #3 to 'contains' (table expected, got boolean)");
    assert_error("local r = sk.text.words(print)",
                 "bad argument #1 to 'words' (string expected, got function)");
    assert_error("return sk.text.similarity(1, nil)", "similarity' (string expected, got nil)");
    /* No name at the call site (pcall(f, ...)): the loaded module entry
     * still lets Lua name it. */
    assert_error("local ok, e = pcall(sk.text.tokens, {}) error(e, 0)",
                 "bad argument #1 to 'sk.text.tokens' (string expected, got table)");
    ck_assert(bool_of("package.loaded['sk.text'] == sk.text"));
}
END_TEST

/* ---- long inputs ---- */

START_TEST(long_ascii)
{
    /* 100k characters each; every 'e' of a must be edited (b has none),
     * and substituting them is enough: distance 20000. */
    run("a = string.rep('abcde', 20000) b = string.rep('abcdf', 20000)");
    ck_assert_int_eq(int_of("#a"), 100000);
    ck_assert_int_eq(int_of("sk.text.levenshtein(a, b)"), 20000);
    ASSERT_NEAR(float_of("sk.text.similarity(a, b)"), 0.8);
    ASSERT_NEAR(float_of("sk.text.similarity(a, a:upper(), {ignore_case = true})"), 1.0);
    ASSERT_NEAR(float_of("sk.text.similarity(a, '')"), 0.0);
    ck_assert_int_eq(int_of("#sk.text.tokens(string.rep('Word ', 20000))"), 20000);
    ck_assert_int_eq(int_of("sk.text.words(string.rep('Word ', 20000))"), 20000);
    ck_assert_int_eq(int_of("#sk.text.normalize(string.rep(' A ', 50000))"), 99999);
}
END_TEST

START_TEST(long_unicode)
{
    /* 100k code points (150k bytes) each; every é of a must be edited. */
    run("a = string.rep('aé', 50000) b = string.rep('aè', 50000)");
    ck_assert_int_eq(int_of("utf8.len(a)"), 100000);
    ck_assert_int_eq(int_of("sk.text.levenshtein(a, b)"), 50000);
    ASSERT_NEAR(float_of("sk.text.similarity(a, b)"), 0.5);
    /* One edit in the middle of 100k code points. */
    run("c = string.rep('é', 50000) .. 'x' .. string.rep('😀', 49999)"
        " d = string.rep('é', 50000) .. 'y' .. string.rep('😀', 49999)");
    ASSERT_NEAR(float_of("sk.text.similarity(c, d)"), 1.0 - 1.0 / 100000.0);
}
END_TEST

static Suite *lua_text_suite(void)
{
    Suite *s = suite_create("lua_text");
    TCase *tc = tcase_create("sk.text");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 120); /* the long inputs under valgrind */
    tcase_add_test(tc, levenshtein_reference);
    tcase_add_test(tc, similarity_reference);
    tcase_add_test(tc, compare_ignore_case);
    tcase_add_test(tc, normalize_options);
    tcase_add_test(tc, normalize_option_errors);
    tcase_add_test(tc, tokens_mixed);
    tcase_add_test(tc, tokens_words_and_marker);
    tcase_add_test(tc, tokens_unicode);
    tcase_add_test(tc, tokens_empty);
    tcase_add_test(tc, tokens_without_marker);
    tcase_add_test(tc, contains_basic);
    tcase_add_test(tc, contains_long);
    tcase_add_test(tc, words_count);
    tcase_add_test(tc, nul_bytes);
    tcase_add_test(tc, argument_errors);
    tcase_add_test(tc, long_ascii);
    tcase_add_test(tc, long_unicode);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return sk_run_suite(lua_text_suite());
}
