/*
 * Tests of the JSON <-> Lua conversion (core/lua_json.c): round trips,
 * the cases a naive converter gets wrong ({} vs [], nulls in arrays, 64-bit
 * integers, -0.0, \u0000, invalid UTF-8), every error path (bad JSON with
 * its position, depth, cycles, unusable keys and values), the sk.json
 * functions as scripts see them, and states whose memory runs out, where
 * the C functions must return -1 rather than raise.
 */
#include <check.h>
#include <lauxlib.h>
#include <lualib.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "lua/lua_json.h"
#include "run_suite.h"

/* ---- helpers ---- */

/* A state with the standard libraries and the sk table as a global. */
static lua_State *new_state(void)
{
    lua_State *L = luaL_newstate();
    ck_assert_ptr_nonnull(L);
    luaL_openlibs(L);
    sk_lua_json_init(L);
    lua_newtable(L);
    sk_lua_json_open(L, NULL);
    lua_setglobal(L, "sk");
    return L;
}

/* Run Lua code that must succeed (it checks itself with assert). */
static void lua_ok(lua_State *L, const char *code)
{
    if (luaL_dostring(L, code) != LUA_OK)
        ck_abort_msg("%s\n  failed: %s", code, lua_tostring(L, -1));
    lua_settop(L, 0);
}

/* Decode json (checked) into the global v. */
static void decode_to_v(lua_State *L, const char *json)
{
    char err[256];
    int top = lua_gettop(L);
    int rc = sk_lua_push_json(L, json, strlen(json), 0, err, sizeof err);
    ck_assert_msg(rc == 0, "decoding %s: %s", json, err);
    ck_assert_int_eq(lua_gettop(L), top + 1);
    lua_setglobal(L, "v");
}

/* The JSON text of the value at the top (popped), or NULL with err set.
 * Caller frees. */
static char *encode_top(lua_State *L, char *err, size_t errlen)
{
    sk_buf out = {0};
    int top = lua_gettop(L);
    int rc = sk_lua_to_json(L, -1, &out, err, errlen);
    ck_assert_int_eq(lua_gettop(L), top);
    lua_pop(L, 1);
    if (rc != 0) {
        ck_assert_msg(err[0], "failed without a message");
        sk_buf_free(&out);
        return NULL;
    }
    char *s = strdup(out.data ? out.data : "");
    sk_buf_free(&out);
    return s;
}

/* Encode the value of a Lua expression. */
static char *encode_expr(lua_State *L, const char *expr, char *err, size_t errlen)
{
    char code[4096];
    snprintf(code, sizeof code, "return %s", expr);
    if (luaL_dostring(L, code) != LUA_OK)
        ck_abort_msg("%s: %s", code, lua_tostring(L, -1));
    return encode_top(L, err, errlen);
}

static void assert_encodes(lua_State *L, const char *expr, const char *want)
{
    char err[256];
    char *got = encode_expr(L, expr, err, sizeof err);
    ck_assert_msg(got, "encoding %s: %s", expr, err);
    ck_assert_msg(strcmp(got, want) == 0, "encoding %s: got %s, want %s", expr, got, want);
    free(got);
}

static void assert_encode_error(lua_State *L, const char *expr, const char *needle)
{
    char err[256];
    char *got = encode_expr(L, expr, err, sizeof err);
    ck_assert_msg(!got, "encoding %s: want an error, got %s", expr, got);
    ck_assert_msg(strstr(err, needle), "encoding %s: error \"%s\" lacks \"%s\"", expr, err, needle);
}

/* Decode, encode back, compare with want (the input itself when NULL). */
static void assert_roundtrip_n(const char *json, size_t len, const char *want)
{
    lua_State *L = new_state();
    char err[256];
    ck_assert_msg(sk_lua_push_json(L, json, len, 0, err, sizeof err) == 0, "decoding %s: %s", json,
                  err);
    char *got = encode_top(L, err, sizeof err);
    ck_assert_msg(got, "re-encoding %s: %s", json, err);
    ck_assert_msg(strcmp(got, want ? want : json) == 0, "%s came back as %s", json, got);
    ck_assert_int_eq(lua_gettop(L), 0);
    free(got);
    lua_close(L);
}

static void assert_roundtrip(const char *json, const char *want)
{
    assert_roundtrip_n(json, strlen(json), want);
}

/* Decoding must fail with an error containing needle, pushing nothing. */
static void assert_decode_error_n(const char *json, size_t len, int trusted, const char *needle)
{
    lua_State *L = new_state();
    char err[256];
    int rc = sk_lua_push_json(L, json, len, trusted, err, sizeof err);
    ck_assert_msg(rc == -1, "decoding %.60s: want an error", json);
    ck_assert_int_eq(lua_gettop(L), 0);
    ck_assert_msg(strstr(err, needle), "decoding %.60s: error \"%s\" lacks \"%s\"", json, err,
                  needle);
    lua_close(L);
}

static void assert_decode_error(const char *json, int trusted, const char *needle)
{
    assert_decode_error_n(json, strlen(json), trusted, needle);
}

/* n nested arrays around a 1: "[[[1]]]". Caller frees. */
static char *nested_arrays(size_t n)
{
    char *s = malloc(2 * n + 2);
    memset(s, '[', n);
    s[n] = '1';
    memset(s + n + 1, ']', n);
    s[2 * n + 1] = '\0';
    return s;
}

/* ---- round trips ---- */

START_TEST(roundtrip_nested)
{
    assert_roundtrip("{\"a\":[1,2,{\"b\":null,\"c\":[true,false]}],\"d\":{\"e\":\"x\",\"f\":{}}}",
                     NULL);
    assert_roundtrip("[[[]],[{}],[[1,[2,[3]]]]]", NULL);
    /* whitespace goes, members come out sorted by name */
    assert_roundtrip(" {\n \"b\" : 1 ,\t\"a\" : [ 1 , 2 ] }\r\n", "{\"a\":[1,2],\"b\":1}");
    assert_roundtrip("\"top\"", NULL);
    assert_roundtrip("42", NULL);
    assert_roundtrip("true", NULL);
    assert_roundtrip("null", NULL);
}
END_TEST

START_TEST(values_in_lua)
{
    lua_State *L = new_state();
    decode_to_v(L, "{\"s\":\"x\",\"i\":3,\"f\":2.5,\"t\":true,\"n\":null,\"a\":[1,\"two\"],"
                   "\"o\":{\"k\":\"v\"}}");
    lua_ok(L, "assert(v.s == 'x' and math.type(v.i) == 'integer' and v.i == 3)\n"
              "assert(math.type(v.f) == 'float' and v.f == 2.5)\n"
              "assert(v.t == true and v.n == sk.null and type(v.n) == 'userdata')\n"
              "assert(#v.a == 2 and v.a[1] == 1 and v.a[2] == 'two')\n"
              "assert(getmetatable(v.a) == 'sk.array' and getmetatable(v.o) == nil)\n"
              "assert(v.o.k == 'v')");
    /* a repeated key: the last one wins */
    decode_to_v(L, "{\"a\":1,\"b\":2,\"a\":3}");
    lua_ok(L, "assert(v.a == 3 and v.b == 2)");
    lua_close(L);
}
END_TEST

START_TEST(sorted_members)
{
    lua_State *L = new_state();
    assert_encodes(L, "{b = 1, a = 2, c = {z = 1, y = 2}, [''] = 0}",
                   "{\"\":0,\"a\":2,\"b\":1,\"c\":{\"y\":2,\"z\":1}}");
    /* byte order: "B" < "a" < "aa" < "b" */
    assert_encodes(L, "{b = 1, aa = 2, a = 3, B = 4}", "{\"B\":4,\"a\":3,\"aa\":2,\"b\":1}");
    lua_close(L);
}
END_TEST

START_TEST(empty_containers)
{
    assert_roundtrip("{}", NULL);
    assert_roundtrip("[]", NULL);
    assert_roundtrip("{\"a\":[],\"b\":{},\"c\":[[],{}]}", NULL);
    lua_State *L = new_state();
    assert_encodes(L, "{}", "{}");
    assert_encodes(L, "sk.array({})", "[]");
    assert_encodes(L, "{{}, sk.array{}}", "[{},[]]");
    lua_close(L);
}
END_TEST

START_TEST(nulls_keep_positions)
{
    assert_roundtrip("[1,null,3]", NULL);
    assert_roundtrip("[null]", NULL);
    assert_roundtrip("[null,null,\"x\",null]", NULL);
    assert_roundtrip("{\"a\":null}", NULL);
    lua_State *L = new_state();
    decode_to_v(L, "[1,null,3,null]");
    lua_ok(L, "assert(#v == 4 and v[2] == sk.null and v[4] == sk.null)");
    /* nil inside a marked array is written as null; trailing ones too when
     * the index was set */
    assert_encodes(L, "sk.array{1, nil, 3}", "[1,null,3]");
    assert_encodes(L, "(function() local t = sk.array{} t[3] = 'c' return t end)()",
                   "[null,null,\"c\"]");
    assert_encodes(L, "{1, sk.null, 3}", "[1,null,3]");
    assert_encodes(L, "nil", "null");
    assert_encodes(L, "sk.null", "null");
    lua_close(L);
}
END_TEST

/* ---- numbers ---- */

START_TEST(big_integers)
{
    static const char *const exact[] = {
        "9007199254740993", "9223372036854775807", "-9223372036854775808", "0", "-1",
        "1234567890123"};
    lua_State *L = new_state();
    char err[256];
    for (size_t i = 0; i < sizeof exact / sizeof exact[0]; i++) {
        ck_assert_int_eq(sk_lua_push_json(L, exact[i], strlen(exact[i]), 0, err, sizeof err), 0);
        ck_assert_msg(lua_isinteger(L, -1), "%s is not an integer", exact[i]);
        ck_assert_int_eq(lua_tointeger(L, -1), strtoll(exact[i], NULL, 10));
        char *back = encode_top(L, err, sizeof err);
        ck_assert_str_eq(back, exact[i]);
        free(back);
    }
    decode_to_v(L, "[9223372036854775807,-9223372036854775808]");
    lua_ok(L, "assert(v[1] == math.maxinteger and v[2] == math.mininteger)");
    /* one past either end is a float */
    ck_assert_int_eq(sk_lua_push_json(L, "9223372036854775808", 19, 0, err, sizeof err), 0);
    ck_assert(!lua_isinteger(L, -1));
    ck_assert(lua_tonumber(L, -1) == 9223372036854775808.0);
    lua_pop(L, 1);
    ck_assert_int_eq(sk_lua_push_json(L, "-9223372036854775809", 20, 0, err, sizeof err), 0);
    ck_assert(!lua_isinteger(L, -1));
    ck_assert(lua_tonumber(L, -1) == -9223372036854775808.0);
    lua_pop(L, 1);
    ck_assert_int_eq(sk_lua_push_json(L, "123456789012345678901234567890", 30, 0, err, sizeof err),
                     0);
    ck_assert(!lua_isinteger(L, -1));
    ck_assert(fabs(lua_tonumber(L, -1) - 1.2345678901234568e29) < 1e14);
    lua_pop(L, 1);
    assert_encodes(L, "math.maxinteger", "9223372036854775807");
    assert_encodes(L, "math.mininteger", "-9223372036854775808");
    lua_close(L);
}
END_TEST

/* Decode one number; return it as a double with *isint set. */
static double decode_number(lua_State *L, const char *json, int *isint)
{
    char err[256];
    ck_assert_msg(sk_lua_push_json(L, json, strlen(json), 0, err, sizeof err) == 0, "%s: %s", json,
                  err);
    *isint = lua_isinteger(L, -1);
    double x = (double)lua_tonumber(L, -1);
    lua_pop(L, 1);
    return x;
}

START_TEST(floats)
{
    lua_State *L = new_state();
    int isint;
    double x = decode_number(L, "0.1", &isint);
    ck_assert(!isint && x == 0.1);
    x = decode_number(L, "1e300", &isint);
    ck_assert(!isint && x == 1e300);
    x = decode_number(L, "-0.0", &isint);
    ck_assert(!isint && x == 0.0 && signbit(x));
    x = decode_number(L, "5e-324", &isint);
    ck_assert(!isint && x == 4.9406564584124654e-324);
    x = decode_number(L, "1E2", &isint);
    ck_assert(!isint && x == 100.0);
    x = decode_number(L, "1.0", &isint);
    ck_assert(!isint && x == 1.0);
    /* the documented choice: "-0" has integer syntax, so it is the integer 0 */
    x = decode_number(L, "-0", &isint);
    ck_assert(isint && x == 0.0);

    assert_roundtrip("0.1", NULL);
    assert_roundtrip("1e300", "1e+300");
    assert_roundtrip("-0.0", NULL);
    assert_roundtrip("-0", "0");
    assert_roundtrip("1.0", NULL);
    assert_roundtrip("1.5e3", "1500.0");
    assert_roundtrip("[0.5,-2.25,1e-07]", "[0.5,-2.25,1e-07]");
    assert_encodes(L, "3.0", "3.0");
    assert_encodes(L, "-0.0", "-0.0");
    assert_encodes(L, "0.1 + 0.2", "0.30000000000000004");
    assert_encodes(L, "2^53", "9007199254740992.0");
    assert_encodes(L, "1/3", "0.3333333333333333");

    /* every float reads back as the same double, and as a float */
    static const char *const exprs[] = {"5e-324",
                                        "1/3",
                                        "0.1",
                                        "1e300",
                                        "-1e-300",
                                        "2^63",
                                        "math.pi",
                                        "1e21",
                                        "123456789.123456789",
                                        "-0.0",
                                        "2.2250738585072014e-308"};
    char err[256];
    for (size_t i = 0; i < sizeof exprs / sizeof exprs[0]; i++) {
        char code[128];
        snprintf(code, sizeof code, "return %s", exprs[i]);
        ck_assert_int_eq(luaL_dostring(L, code), LUA_OK);
        double want = (double)lua_tonumber(L, -1);
        char *text = encode_top(L, err, sizeof err);
        ck_assert_msg(text, "%s: %s", exprs[i], err);
        x = decode_number(L, text, &isint);
        ck_assert_msg(!isint && x == want && !!signbit(x) == !!signbit(want), "%s -> %s -> %.17g",
                      exprs[i], text, x);
        free(text);
    }
    lua_close(L);
}
END_TEST

START_TEST(nan_and_inf)
{
    lua_State *L = new_state();
    assert_encode_error(L, "0/0", "NaN");
    assert_encode_error(L, "math.huge", "inf");
    assert_encode_error(L, "-math.huge", "-inf");
    assert_encode_error(L, "{x = {1, 0/0}}", "$.x[2]: NaN");
    lua_close(L);
    assert_decode_error("NaN", 0, "line 1, column 1");
    /* Beyond a double: an error, as in a data file, never an infinity. */
    assert_decode_error("[1, 1e400]", 0, "line 1, column 5: number 1e400 is too large");
    assert_decode_error("[Infinity]", 0, "line 1, column 2");
    assert_decode_error("-", 0, "line 1, column");
}
END_TEST

/* ---- strings ---- */

START_TEST(unicode_strings)
{
    lua_State *L = new_state();
    decode_to_v(L, "[\"caf\xc3\xa9\",\"caf\\u00e9\",\"\\u4e2d\\u6587\",\"\xe4\xb8\xad\","
                   "\"\\ud83d\\ude00\",\"a\\u0000b\",\"\\ud800x\",\"\\\"\\\\\\/\\b\\f\\n\\r\\t\"]");
    lua_ok(L, "assert(v[1] == 'caf\\u{e9}' and v[2] == v[1])\n"
              "assert(v[3] == '\\u{4e2d}\\u{6587}' and #v[3] == 6)\n"
              "assert(v[4] == '\\u{4e2d}')\n"
              "assert(v[5] == '\\u{1F600}' and #v[5] == 4)\n"
              "assert(#v[6] == 3 and v[6] == 'a\\0b')\n"
              "assert(v[7] == '\\u{FFFD}x')\n"
              "assert(v[8] == '\"\\\\/\\b\\f\\n\\r\\t')");
    /* text is written as UTF-8; only '"', '\\' and control characters are
     * escaped */
    assert_roundtrip("[\"caf\\u00e9\",\"\\ud83d\\ude00\",\"a\\u0000b\",\"\\u001f\\u007f\"]",
                     "[\"caf\xc3\xa9\",\"\xf0\x9f\x98\x80\",\"a\\u0000b\",\"\\u001f\x7f\"]");
    assert_encodes(L, "'q\"b\\\\n\\n\\t\\r\\b\\f\\1'", "\"q\\\"b\\\\n\\n\\t\\r\\b\\f\\u0001\"");
    lua_close(L);
}
END_TEST

START_TEST(invalid_utf8_becomes_fffd)
{
    lua_State *L = new_state();
    /* a stray byte, a truncated sequence, an overlong '/', a surrogate */
    assert_encodes(L, "'a\\xffb'",
                   "\"a\xef\xbf\xbd"
                   "b\"");
    assert_encodes(L, "'x\\xe2\\x82'", "\"x\xef\xbf\xbd\xef\xbf\xbd\"");
    assert_encodes(L, "'\\xc0\\xaf'", "\"\xef\xbf\xbd\xef\xbf\xbd\"");
    assert_encodes(L, "'\\xed\\xa0\\x80!'", "\"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd!\"");
    /* valid sequences, U+FFFD itself included, stay as they are */
    assert_encodes(L, "'\\u{FFFD}\\u{10FFFF}\\u{e9}'", "\"\xef\xbf\xbd\xf4\x8f\xbf\xbf\xc3\xa9\"");
    /* member names too */
    assert_encodes(L, "{['k\\xff'] = 1}", "{\"k\xef\xbf\xbd\":1}");
    lua_close(L);
}
END_TEST

/* ---- errors in decoding ---- */

START_TEST(invalid_json)
{
    assert_decode_error("[1,]", 0, "line 1, column 4");
    assert_decode_error("{\n  \"a\": tru\n}", 0, "line 2, column 8");
    assert_decode_error("", 0, "line 1, column 1");
    assert_decode_error("   ", 0, "line 1, column 4");
    assert_decode_error("[1] x", 0, "line 1, column 5");
    assert_decode_error("{\"a\" 1}", 0, "line 1, column 6");
    assert_decode_error("[01]", 0, "line 1, column");
    assert_decode_error("[\"abc", 0, "line 1, column");
    assert_decode_error("{'a': 1}", 0, "line 1, column 2");
    /* columns count characters, not bytes */
    assert_decode_error("[\"\xc3\xa9\xc3\xa9\", x]", 0, "line 1, column 8");
    /* invalid UTF-8 and raw control characters are refused when checked */
    assert_decode_error("\"a\xff\"", 0, "line 1, column 3");
    assert_decode_error("\"a\tb\"", 0, "line 1, column 3");
    assert_decode_error_n("[1,\0]", 5, 0, "line 1, column 4");
}
END_TEST

START_TEST(trusted_input)
{
    /* trusted text skips the strict check but is still parsed safely */
    lua_State *L = new_state();
    char err[256];
    const char *ok = "{\"a\":[1,2.5,\"x\\ny\"],\"b\":null}";
    ck_assert_int_eq(sk_lua_push_json(L, ok, strlen(ok), 1, err, sizeof err), 0);
    char *back = encode_top(L, err, sizeof err);
    ck_assert_str_eq(back, ok);
    free(back);
    lua_close(L);

    assert_decode_error("[1,", 1, "line 1, column 4: unexpected end");
    assert_decode_error("{\"a\" 1}", 1, "line 1, column 6: expected ':'");
    assert_decode_error("{1:2}", 1, "line 1, column 2: expected a string key");
    assert_decode_error("[1 2]", 1, "line 1, column 4: expected ',' or ']'");
    assert_decode_error("{\"a\":1 \"b\"}", 1, "expected ',' or '}'");
    assert_decode_error("[\"abc", 1, "line 1, column 2: unterminated string");
    assert_decode_error("[\"abc\\", 1, "unterminated string");
    assert_decode_error("[\"abc\\\"]", 1, "unterminated string");
    assert_decode_error("[tru]", 1, "invalid literal");
    assert_decode_error("[nul", 1, "invalid literal");
    assert_decode_error("-", 1, "expected a digit");
    assert_decode_error("1.", 1, "expected a digit after '.'");
    assert_decode_error("1e+", 1, "exponent");
    assert_decode_error("[1] 2", 1, "unexpected text after the value");
    assert_decode_error("@", 1, "unexpected character");
    assert_decode_error("", 1, "unexpected end");
}
END_TEST

START_TEST(decode_depth)
{
    lua_State *L = new_state();
    char err[256];
    char *ok = nested_arrays(SK_LUA_JSON_MAX_DEPTH);
    ck_assert_msg(sk_lua_push_json(L, ok, strlen(ok), 0, err, sizeof err) == 0, "%s", err);
    lua_setglobal(L, "v");
    lua_ok(L, "local d = 0 while type(v) == 'table' do v = v[1] d = d + 1 end\n"
              "assert(d == 200 and v == 1)");
    free(ok);
    lua_close(L);
    for (int trusted = 0; trusted <= 1; trusted++) {
        char *deep = nested_arrays(SK_LUA_JSON_MAX_DEPTH + 1);
        assert_decode_error(deep, trusted, "column 201: nesting deeper than 200");
        free(deep);
        /* past the strict checker's own limit too */
        deep = nested_arrays(600);
        assert_decode_error(deep, trusted, "nesting");
        free(deep);
        /* an object at the limit is the same */
        sk_buf b = {0};
        for (int i = 0; i <= SK_LUA_JSON_MAX_DEPTH; i++)
            sk_buf_adds(&b, "{\"k\":");
        sk_buf_adds(&b, "1");
        for (int i = 0; i <= SK_LUA_JSON_MAX_DEPTH; i++)
            sk_buf_adds(&b, "}");
        assert_decode_error(b.data, trusted, "nesting deeper than 200");
        sk_buf_free(&b);
    }
    /* a huge unchecked nesting is an error, not a stack overflow */
    char *huge = nested_arrays(200000);
    assert_decode_error(huge, 1, "nesting deeper than 200");
    free(huge);
}
END_TEST

/* ---- errors in encoding ---- */

START_TEST(encode_depth)
{
    lua_State *L = new_state();
    lua_ok(L, "function nest(n) local t = {} for i = 1, n do t = {t} end return t end");
    char err[256];
    /* nest(n) is n + 1 tables deep */
    char *text = encode_expr(L, "nest(199)", err, sizeof err);
    ck_assert_msg(text, "%s", err);
    ck_assert_int_eq(strlen(text), 199 * 2 + 2);
    free(text);
    assert_encode_error(L, "nest(200)", "nesting deeper than 200 levels");
    assert_encode_error(L, "nest(100000)", "nesting deeper than 200 levels");
    lua_close(L);
}
END_TEST

START_TEST(cycles)
{
    lua_State *L = new_state();
    lua_ok(L, "t = {} t.self = t\n"
              "u = {a = {b = {}}} u.a.b.up = u.a\n"
              "shared = {1} dag = {x = shared, y = {shared, shared}}\n"
              "arr = sk.array{} arr[1] = arr");
    assert_encode_error(L, "t", "$.self: a cycle");
    assert_encode_error(L, "u", "$.a.b.up: a cycle");
    assert_encode_error(L, "arr", "$[1]: a cycle");
    /* a table reached twice but not through itself is no cycle */
    assert_encodes(L, "dag", "{\"x\":[1],\"y\":[[1],[1]]}");
    lua_close(L);
}
END_TEST

START_TEST(bad_keys_and_values)
{
    lua_State *L = new_state();
    assert_encode_error(L, "{[true] = 1}", "key of type boolean");
    assert_encode_error(L, "{[print] = 1}", "key of type function");
    assert_encode_error(L, "{[{}] = 1}", "key of type table");
    assert_encode_error(L, "{[1.5] = 1}", "key of type float 1.5");
    assert_encode_error(L, "{a = {b = {[false] = 1}}}", "$.a.b: a table key of type boolean");
    assert_encode_error(L, "print", "a function has no JSON form");
    assert_encode_error(L, "{f = print}", "$.f: a function");
    assert_encode_error(L, "{1, 2, coroutine.create(print)}", "$[3]: a thread");
    assert_encode_error(L, "io.stdout", "a userdata");
    /* integer keys of a table that is no sequence become member names */
    assert_encodes(L, "{[1] = 'a', [3] = 'c'}", "{\"1\":\"a\",\"3\":\"c\"}");
    assert_encodes(L, "{[-1] = 'a', [0] = 'b', x = 1}", "{\"-1\":\"a\",\"0\":\"b\",\"x\":1}");
    assert_encodes(L, "{[2.0] = 'two'}", "{\"2\":\"two\"}");
    assert_encodes(L, "{1, 2, x = 3}", "{\"1\":1,\"2\":2,\"x\":3}");
    assert_encode_error(L, "{[1] = 'a', ['1'] = 'b'}", "would both be written as the member \"1\"");
    /* marked arrays hold indices only, and not absurdly sparse ones */
    assert_encode_error(L, "(function() local t = sk.array{1} t.n = 1 return t end)()",
                        "sk.array table has the key \"n\"");
    assert_encode_error(L, "(function() local t = sk.array{} t[0] = 1 return t end)()",
                        "has the key 0");
    assert_encode_error(L, "(function() local t = sk.array{} t[1e6] = 1 return t end)()",
                        "too sparse");
    lua_close(L);
}
END_TEST

/* ---- sk.json from scripts ---- */

START_TEST(lua_api)
{
    lua_State *L = new_state();
    lua_ok(L, "local v = sk.json.decode('{\"a\":[1,2,{\"b\":null}],\"n\":9007199254740993}')\n"
              "assert(v.a[3].b == sk.null and math.type(v.n) == 'integer')\n"
              "assert(v.n == 9007199254740993)\n"
              "assert(sk.json.encode(v) == '{\"a\":[1,2,{\"b\":null}],\"n\":9007199254740993}')\n"
              "assert(sk.json.encode({}) == '{}' and sk.json.encode(sk.array{}) == '[]')\n"
              "assert(sk.json.encode(sk.json.decode('[]')) == '[]')\n"
              "assert(sk.json.encode('x') == '\"x\"' and sk.json.encode(nil) == 'null')\n"
              "assert(sk.json.encode(1.5) == '1.5' and sk.json.encode(false) == 'false')");
    lua_ok(L, "local ok, e = pcall(sk.json.decode, '[1,')\n"
              "assert(not ok and e == 'sk.json.decode: line 1, column 4: ' ..\n"
              "  e:match('column 4: (.*)$'), e)\n"
              "ok, e = pcall(sk.json.decode, '{\"a\":\\n  x}')\n"
              "assert(not ok and e:find('^sk.json.decode: line 2, column 3: '), e)\n"
              "ok, e = pcall(sk.json.encode, print)\n"
              "assert(not ok and e == 'sk.json.encode: $: a function has no JSON form', e)\n"
              "ok, e = pcall(sk.json.encode, {x = 0/0})\n"
              "assert(not ok and e == 'sk.json.encode: $.x: NaN is not a JSON number', e)\n"
              "local t = {} t[1] = t\n"
              "ok, e = pcall(sk.json.encode, t)\n"
              "assert(not ok and e:find('cycle'), e)\n"
              "ok, e = pcall(sk.json.decode)\n"
              "assert(not ok and e:find('bad argument #1'), e)\n"
              "ok, e = pcall(sk.json.decode, {})\n"
              "assert(not ok and e:find('string expected'), e)\n"
              "ok, e = pcall(sk.json.encode)\n"
              "assert(not ok and e:find('bad argument #1'), e)");
    /* the errors do not disturb the state: it keeps working */
    lua_ok(L, "for i = 1, 100 do pcall(sk.json.encode, print) pcall(sk.json.decode, '[') end\n"
              "assert(sk.json.decode('[1]')[1] == 1)");
    ck_assert_int_eq(lua_gettop(L), 0);
    lua_close(L);
}
END_TEST

START_TEST(array_marker)
{
    lua_State *L = new_state();
    lua_ok(L, "local t = {}\n"
              "assert(sk.array(t) == t and getmetatable(t) == 'sk.array')\n"
              "assert(sk.json.encode(t) == '[]')\n"
              "assert(sk.array(t) == t)  -- marking twice is fine\n"
              "t[1] = 'a' t[2] = sk.null\n"
              "assert(sk.json.encode(t) == '[\"a\",null]')\n"
              "local ok, e = pcall(sk.array, 5)\n"
              "assert(not ok and e:find('table expected'), e)\n"
              "ok, e = pcall(sk.array, setmetatable({}, {}))\n"
              "assert(not ok and e:find('already has a metatable'), e)\n"
              "ok, e = pcall(setmetatable, t, {})\n"
              "assert(not ok and e:find('protected metatable'), e)\n"
              "assert(sk.json.decode('[]') ~= sk.json.decode('[]'))");
    /* the marker's __name is sk.array */
    luaL_getmetatable(L, "sk.array");
    ck_assert_int_eq(lua_getfield(L, -1, "__name"), LUA_TSTRING);
    ck_assert_str_eq(lua_tostring(L, -1), "sk.array");
    lua_settop(L, 0);
    /* init is idempotent: the marker stays the same table */
    luaL_getmetatable(L, "sk.array");
    const void *before = lua_topointer(L, -1);
    sk_lua_json_init(L);
    luaL_getmetatable(L, "sk.array");
    ck_assert_ptr_eq(lua_topointer(L, -1), before);
    lua_settop(L, 0);
    lua_close(L);
}
END_TEST

/* ---- running out of memory ---- */

typedef struct limit {
    size_t used, cap;
} limit;

/* A lua_Alloc that refuses to grow past cap bytes in all. */
static void *limited_alloc(void *ud, void *ptr, size_t osize, size_t nsize)
{
    limit *l = ud;
    size_t old = ptr ? osize : 0;
    if (nsize == 0) {
        free(ptr);
        l->used -= old;
        return NULL;
    }
    if (nsize > old && l->used - old + nsize > l->cap)
        return NULL;
    void *p = realloc(ptr, nsize);
    if (p)
        l->used = l->used - old + nsize;
    return p;
}

static lua_State *limited_state(limit *l)
{
    l->used = 0;
    l->cap = (size_t)-1;
    lua_State *L = lua_newstate(limited_alloc, l);
    ck_assert_ptr_nonnull(L);
    luaL_openlibs(L);
    sk_lua_json_init(L);
    lua_newtable(L);
    sk_lua_json_open(L, NULL);
    lua_setglobal(L, "sk");
    lua_gc(L, LUA_GCCOLLECT);
    return L;
}

START_TEST(out_of_memory)
{
    static const char json[] = "{\"a\":[1,2,3,{\"b\":\"a string long enough to be allocated "
                               "on its own, past the short-string limit\"}],\"c\":{\"d\":[]}}";
    limit l;
    lua_State *L = limited_state(&l);
    char err[256];
    sk_buf out = {0};

    /* no room at all: both directions fail cleanly */
    l.cap = l.used;
    ck_assert_int_eq(sk_lua_push_json(L, json, strlen(json), 0, err, sizeof err), -1);
    ck_assert_msg(strstr(err, "out of memory"), "%s", err);
    ck_assert_int_eq(lua_gettop(L), 0);

    l.cap = (size_t)-1;
    ck_assert_int_eq(sk_lua_push_json(L, json, strlen(json), 0, err, sizeof err), 0);
    l.cap = l.used;
    ck_assert_int_eq(sk_lua_to_json(L, -1, &out, err, sizeof err), -1);
    ck_assert_msg(strstr(err, "out of memory"), "%s", err);
    ck_assert_int_eq(lua_gettop(L), 1);
    lua_pop(L, 1);

    /* every budget between nothing and enough: each call either works or
     * fails with -1, and the state stays usable */
    int fails = 0, successes = 0;
    for (size_t extra = 0; extra < 8192; extra += 16) {
        l.cap = (size_t)-1;
        lua_gc(L, LUA_GCCOLLECT);
        l.cap = l.used + extra;
        int rc = sk_lua_push_json(L, json, strlen(json), 0, err, sizeof err);
        if (rc == 0) {
            sk_buf_reset(&out);
            int erc = sk_lua_to_json(L, -1, &out, err, sizeof err);
            if (erc == 0) {
                ck_assert_str_eq(out.data, "{\"a\":[1,2,3,{\"b\":\"a string long enough to be "
                                           "allocated on its own, past the short-string "
                                           "limit\"}],\"c\":{\"d\":[]}}");
                successes++;
            } else {
                ck_assert_msg(strstr(err, "out of memory"), "%s", err);
                fails++;
            }
            lua_pop(L, 1);
        } else {
            ck_assert_msg(strstr(err, "out of memory"), "%s", err);
            fails++;
        }
        ck_assert_int_eq(lua_gettop(L), 0);
    }
    ck_assert_int_gt(fails, 0);
    ck_assert_int_gt(successes, 0);

    /* deep values need a bigger stack, which also has to be allocated */
    l.cap = (size_t)-1;
    char *deep = nested_arrays(150);
    ck_assert_int_eq(sk_lua_push_json(L, deep, strlen(deep), 0, err, sizeof err), 0);
    lua_pop(L, 1);
    lua_gc(L, LUA_GCCOLLECT);
    lua_settop(L, 0);
    l.cap = l.used;
    ck_assert_int_eq(sk_lua_push_json(L, deep, strlen(deep), 0, err, sizeof err), -1);
    ck_assert_int_eq(lua_gettop(L), 0);
    free(deep);

    /* from a script, out of memory is an error pcall can catch */
    l.cap = (size_t)-1;
    lua_ok(L, "big = {} for i = 1, 50 do big['k' .. i] = {i, 'v' .. i} end");
    lua_gc(L, LUA_GCCOLLECT);
    luaL_loadstring(L, "return pcall(sk.json.encode, big)");
    l.cap = l.used + 256;
    int rc = lua_pcall(L, 0, 2, 0);
    l.cap = (size_t)-1;
    if (rc == LUA_OK) {
        ck_assert(!lua_toboolean(L, -2));
        ck_assert_msg(strstr(lua_tostring(L, -1), "memory"), "%s", lua_tostring(L, -1));
    } else {
        ck_assert_int_eq(rc, LUA_ERRMEM);
    }
    lua_settop(L, 0);
    lua_ok(L, "assert(#sk.json.encode(big) > 500)");

    sk_buf_free(&out);
    lua_close(L);
    ck_assert_int_eq(l.used, 0);
}
END_TEST

static Suite *lua_json_suite(void)
{
    Suite *s = suite_create("lua_json");
    TCase *t = tcase_create("roundtrip");
    tcase_add_test(t, roundtrip_nested);
    tcase_add_test(t, values_in_lua);
    tcase_add_test(t, sorted_members);
    tcase_add_test(t, empty_containers);
    tcase_add_test(t, nulls_keep_positions);
    suite_add_tcase(s, t);

    t = tcase_create("numbers");
    tcase_add_test(t, big_integers);
    tcase_add_test(t, floats);
    tcase_add_test(t, nan_and_inf);
    suite_add_tcase(s, t);

    t = tcase_create("strings");
    tcase_add_test(t, unicode_strings);
    tcase_add_test(t, invalid_utf8_becomes_fffd);
    suite_add_tcase(s, t);

    t = tcase_create("errors");
    tcase_add_test(t, invalid_json);
    tcase_add_test(t, trusted_input);
    tcase_add_test(t, decode_depth);
    tcase_add_test(t, encode_depth);
    tcase_add_test(t, cycles);
    tcase_add_test(t, bad_keys_and_values);
    suite_add_tcase(s, t);

    t = tcase_create("lua");
    tcase_add_test(t, lua_api);
    tcase_add_test(t, array_marker);
    suite_add_tcase(s, t);

    t = tcase_create("memory");
    tcase_set_timeout(t, 120);
    tcase_add_test(t, out_of_memory);
    suite_add_tcase(s, t);
    return s;
}

int main(void)
{
    return sk_run_suite(lua_json_suite());
}
