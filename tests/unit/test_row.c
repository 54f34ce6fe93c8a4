/*
 * Tests for the JSON row scanner (row.c): every malformed-JSON class with
 * its column and message, sk_json_check (the same scan with the position
 * kept apart), nesting depth, the spans of wanted keys, duplicate keys and
 * string decoding.  A randomized cross-check compares the scanner
 * with a plain recursive reference checker (json_ref.c), and with cJSON where
 * cJSON is strict.
 */
#include <check.h>
#include <cjson/cJSON.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "base/json_tree.h"
#include "json_ref.h"
#include "base/row.h"
#include "run_suite.h"
#include "base/util.h"

/* ---- the row scanner: errors ------------------------------------------ */

typedef struct bad_case {
    const char *json;
    size_t len; /* 0: strlen */
    const char *message;
} bad_case;

static const bad_case bad_json[] = {
    {"{\"a\":1,}", 0, "column 8: trailing comma in object"},
    {"[1,2,]", 0, "column 6: trailing comma in array"},
    {"[1,2 , ]", 0, "column 8: trailing comma in array"},
    {"{\"a\":1 \"b\":2}", 0, "column 8: expected ',' or '}' after object member, got '\"'"},
    {"{\"a\":1", 0, "column 7: input ends inside an object (missing '}')"},
    {"[1 2]", 0, "column 4: expected ',' or ']' after array element, got '2'"},
    {"[1", 0, "column 3: input ends inside an array (missing ']')"},
    {"[{\"a\":[]}", 0, "column 10: input ends inside an array (missing ']')"},
    {"[1,", 0, "column 4: expected a value, got end of input (missing ']')"},
    {"{\"a\":[1],\"b\":", 0, "column 14: expected a value, got end of input (missing '}')"},
    {"{", 0,
     "column 2: expected a double-quoted key or '}' in object, got end of input (missing '}')"},
    {"{\"a\"", 0, "column 5: expected ':' after object key, got end of input (missing '}')"},
    {"[1.", 0, "column 4: expected a digit after '.' in number, got end of input (missing ']')"},
    {"{'a':1}", 0,
     "column 2: expected a double-quoted key or '}' in object, got '''; JSON strings use double "
     "quotes"},
    {"{\"a\":1, 'b':2}", 0,
     "column 9: expected a double-quoted key after ',' in object, got '''; JSON strings use double "
     "quotes"},
    {"{\"a\" 1}", 0, "column 6: expected ':' after object key, got '1'"},
    {"{a:1}", 0, "column 2: expected a double-quoted key or '}' in object, got 'a'"},
    {"{\"a\":1, b:2}", 0, "column 9: expected a double-quoted key after ',' in object, got 'b'"},
    {"{\"a\":}", 0, "column 6: expected a value, got '}'"},
    {"[,1]", 0, "column 2: expected a value, got ','"},
    {"", 0, "column 1: expected a value, got end of input"},
    {"  \t ", 0, "column 5: expected a value, got end of input"},
    {"{\"a\":1} // note", 0,
     "column 9: unexpected '/' after the end of the JSON value (only one value allowed)"},
    {"{\"a\":1}x", 0,
     "column 8: unexpected 'x' after the end of the JSON value (only one value allowed)"},
    {"{} {}", 0,
     "column 4: unexpected '{' after the end of the JSON value (only one value allowed)"},
    {"{\"a\":/* c */1}", 0, "column 6: comments are not allowed in JSON"},
    {"{\"a\":'x'}", 0, "column 6: expected a value, got '''; JSON strings use double quotes"},
    {"{\"a\":NaN}", 0,
     "column 6: invalid literal 'NaN' (JSON has only true, false and null; strings need double "
     "quotes)"},
    {"[Infinity]", 0,
     "column 2: invalid literal 'Infinity' (JSON has only true, false and null; strings need "
     "double quotes)"},
    {"[-Infinity]", 0, "column 3: expected a digit after '-' in number, got 'I'"},
    {"[True]", 0, "column 2: invalid literal 'True' (true, false and null are lower case)"},
    {"{\"a\":FALSE}", 0, "column 6: invalid literal 'FALSE' (true, false and null are lower case)"},
    {"[Null]", 0, "column 2: invalid literal 'Null' (true, false and null are lower case)"},
    {"[tru]", 0,
     "column 2: invalid literal 'tru' (JSON has only true, false and null; strings need double "
     "quotes)"},
    {"[nullnullnullnullnullnull]", 0,
     "column 2: invalid literal 'nullnullnullnullnull...' (JSON has only true, false and null; "
     "strings need double quotes)"},
    {"{\"a\":01}", 0, "column 6: leading zero in number (write 7, not 07)"},
    {"[-007]", 0, "column 3: leading zero in number (write 7, not 07)"},
    {"[1.]", 0, "column 4: expected a digit after '.' in number, got ']'"},
    {"[1.e5]", 0, "column 4: expected a digit after '.' in number, got 'e'"},
    {"[1e]", 0, "column 4: expected a digit in the exponent of number, got ']'"},
    {"[1e+]", 0, "column 5: expected a digit in the exponent of number, got ']'"},
    {"[-]", 0, "column 3: expected a digit after '-' in number, got ']'"},
    {"[+1]", 0, "column 2: a number cannot start with '+'"},
    {"[.5]", 0, "column 2: a number needs a digit before '.'"},
    {"[0x1F]", 0, "column 3: expected ',' or ']' after array element, got 'x'"},
    {"{\"a\":\"x\\qy\"}", 0,
     "column 8: invalid escape \\q in string: a backslash must be followed by one of \" \\ / b f n "
     "r t u"},
    {"[\"\\\xC3\xA9\"]", 0,
     "column 3: invalid escape in string: a backslash must be followed by one of \" \\ / b f n r "
     "t u"},
    {"[\"\\u12G4\"]", 0,
     "column 3: invalid escape in string: \\u must be followed by 4 hex digits"},
    {"[\"\\u12\"]", 0, "column 3: invalid escape in string: \\u must be followed by 4 hex digits"},
    {"[\"\\u12", 0, "column 2: string never closed (missing '\"')"},
    {"[\"abc\\", 0, "column 2: string never closed (missing '\"')"},
    {"{\"a\":\"ab", 0, "column 6: string never closed (missing '\"')"},
    {"{\"ab", 0, "column 2: string never closed (missing '\"')"},
    {"[\"a\tb\"]", 0,
     "column 4: unescaped control character U+0009 in string (write it as \\u0009)"},
    {"[\"a\nb\"]", 0,
     "column 4: unescaped control character U+000A in string (write it as \\u000A)"},
    {"[\"a\0b\"]", 7,
     "column 4: unescaped control character U+0000 in string (write it as \\u0000)"},
    {"[\xC3\xA9]", 0, "column 2: expected a value, got character U+00E9"},
    {"[\xC3]", 0, "column 2: expected a value, got byte 0xC3 (invalid UTF-8)"},
    {"\xEF\xBB\xBF{}", 0, "column 1: expected a value, got byte order mark U+FEFF"},
    {"[1]\x01", 0,
     "column 4: unexpected character U+0001 after the end of the JSON value (only one value "
     "allowed)"},
    {"[1] \xF0\x9F\x98\x80", 0,
     "column 5: unexpected character U+1F600 after the end of the JSON value (only one value "
     "allowed)"},
    {"[1 ]\x7F", 0,
     "column 5: unexpected character U+007F after the end of the JSON value (only one value "
     "allowed)"},
    {"[\"\xC0\xAF\"]", 0, "column 3: invalid UTF-8 in string: overlong encoding (lead byte 0xC0)"},
    {"[\"\xC1\xBF\"]", 0, "column 3: invalid UTF-8 in string: overlong encoding (lead byte 0xC1)"},
    {"[\"\xE0\x80\xAF\"]", 0, "column 3: invalid UTF-8 in string: overlong encoding"},
    {"[\"\xE0\x9F\xBF\"]", 0, "column 3: invalid UTF-8 in string: overlong encoding"},
    {"[\"\xF0\x80\x80\xAF\"]", 0, "column 3: invalid UTF-8 in string: overlong encoding"},
    {"[\"\xF0\x8F\xBF\xBF\"]", 0, "column 3: invalid UTF-8 in string: overlong encoding"},
    {"[\"\xED\xA0\x80\"]", 0,
     "column 3: invalid UTF-8 in string: UTF-16 surrogate code point encoded as UTF-8"},
    {"[\"ab\xED\xBF\xBF\"]", 0,
     "column 5: invalid UTF-8 in string: UTF-16 surrogate code point encoded as UTF-8"},
    {"[\"\xF4\x90\x80\x80\"]", 0, "column 3: invalid UTF-8 in string: code point above U+10FFFF"},
    {"[\"\xF5\x80\x80\x80\"]", 0,
     "column 3: invalid UTF-8 in string: byte 0xF5 never occurs in UTF-8"},
    {"[\"\xFF\"]", 0, "column 3: invalid UTF-8 in string: byte 0xFF never occurs in UTF-8"},
    {"[\"\x80\"]", 0, "column 3: invalid UTF-8 in string: unexpected continuation byte 0x80"},
    {"[\"\xE2\x82\"]", 0, "column 3: invalid UTF-8 in string: truncated 3-byte sequence"},
    {"[\"\xE2\x82", 0, "column 3: invalid UTF-8 in string: truncated 3-byte sequence"},
    {"[\"\xF0\x9F\x98", 0, "column 3: invalid UTF-8 in string: truncated 4-byte sequence"},
    {"[\"\xC3\"]", 0, "column 3: invalid UTF-8 in string: truncated 2-byte sequence"},
    {"[\"\xC3", 0, "column 3: invalid UTF-8 in string: truncated 2-byte sequence"},
    /* Numbers beyond the range of a double, which strtod makes infinite. */
    {"[1e999]", 0,
     "column 2: number 1e999 is too large for a double (the limit is about 1.8e308); write it as "
     "a string to keep it"},
    {"{\"a\": -1E+400}", 0,
     "column 7: number -1E+400 is too large for a double (the limit is about 1.8e308); write it "
     "as a string to keep it"},
    {"[1.7976931348623159e308]", 0,
     "column 2: number 1.7976931348623159e308 is too large for a double (the limit is about "
     "1.8e308); write it as a string to keep it"},
    {"[0.01e311]", 0,
     "column 2: number 0.01e311 is too large for a double (the limit is about 1.8e308); write it "
     "as a string to keep it"},
    {"[1000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
     "000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
     "000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
     "0000000000000000000000000000000000000000000000000000]",
     0,
     "column 2: number 100000000000000000000000... is too large for a double (the limit is about "
     "1.8e308); write it as a string to keep it"},
    {"[1e99999999999999999999999]", 0,
     "column 2: number 1e9999999999999999999999... is too large for a double (the limit is about "
     "1.8e308); write it as a string to keep it"},
    /* A long plain run before the error exercises the 8-byte skip. */
    {"{\"k\":\"0123456789abcdefghijklmnopqrstuvwxyz\x01\"}", 0,
     "column 43: unescaped control character U+0001 in string (write it as \\u0001)"},
    {"{\"k\":\"0123456789abcdefghijklmnopqrstuvwxyz", 0,
     "column 6: string never closed (missing '\"')"},
};

START_TEST(test_bad_json)
{
    const bad_case *c = &bad_json[_i];
    size_t n = c->len ? c->len : strlen(c->json);
    char msg[256] = "";
    ck_assert_msg(sk_json_validate(c->json, n, msg, sizeof msg) == SK_EPARSE,
                  "accepted case %d: %s", _i, c->json);
    ck_assert_str_eq(msg, c->message);
}
END_TEST

typedef struct good_case {
    const char *json;
    size_t len;
} good_case;

static const good_case good_json[] = {
    {"{}", 0},
    {" [ ] ", 0},
    {"\t\r\n{\"a\" : [ 1 , 2 ] }\n", 0},
    {"0", 0},
    {"-0", 0},
    {"-0.0e-0", 0},
    {"1E+10", 0},
    {"12345678901234567890123", 0},
    /* The edges of the double range, and numbers that only look large. */
    {"[1.7976931348623157e308, -1.7976931348623157E+308, 1.7976931348623158e308]", 0},
    {"[0.001e311, 0e999999, -0.0000e400, 1e-999999, 5e-324, 1e-400]", 0},
    {"[0.000000000000000000000000000000000000000000000000000000000000001e370]", 0},
    {"true", 0},
    {"null", 0},
    {"\"\"", 0},
    {"\"\\\"\\\\\\/\\b\\f\\n\\r\\t\\u00e9\\uD83D\\uDE00\\ud800\"", 0},
    {"\"\x7F\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80\xF4\x8F\xBF\xBF\xED\x9F\xBF\xEE\x80\x80\xEF\xBF"
     "\xBF\"",
     0},
    {"[\"a\\u0000b\"]", 0},
    {"{\"a\":{\"a\":{\"a\":[[],{},\"\"]}},\"a\":1}", 0},
};

START_TEST(test_good_json)
{
    const good_case *c = &good_json[_i];
    size_t n = c->len ? c->len : strlen(c->json);
    char msg[256] = "";
    ck_assert_msg(sk_json_validate(c->json, n, msg, sizeof msg) == 0, "case %d %s: %s", _i, c->json,
                  msg);
}
END_TEST

START_TEST(test_row_not_object)
{
    static const struct {
        const char *row, *message;
    } cases[] = {
        {"[1,2]", "column 1: a row must be a JSON object, got an array"},
        {"[1,2,", "column 1: a row must be a JSON object, got an array"},
        {"  \"x\"", "column 3: a row must be a JSON object, got a string"},
        {"-42", "column 1: a row must be a JSON object, got a number"},
        {"true", "column 1: a row must be a JSON object, got true"},
        {"false", "column 1: a row must be a JSON object, got false"},
        {" null ", "column 2: a row must be a JSON object, got null"},
        {"", "column 1: a row must be a JSON object, got an empty line"},
        {"nul", "column 1: invalid literal 'nul' (JSON has only true, false and null; strings need "
                "double quotes)"},
        {"hello", "column 1: invalid literal 'hello' (JSON has only true, false and null; strings "
                  "need double quotes)"},
        {"<html>", "column 1: expected a value, got '<'"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char msg[256] = "";
        const char *keys[] = {"id"};
        sk_span sp[1] = {{"x", 1}};
        ck_assert_int_eq(
            sk_row_scan(cases[i].row, strlen(cases[i].row), keys, 1, sp, msg, sizeof msg),
            SK_EPARSE);
        ck_assert_str_eq(msg, cases[i].message);
        ck_assert_ptr_null(sp[0].p);
    }
    /* Truncated messages stay NUL-terminated; no buffer at all is fine. */
    char small[12];
    ck_assert_int_eq(sk_row_scan("[1]", 3, NULL, 0, NULL, small, sizeof small), SK_EPARSE);
    ck_assert_str_eq(small, "column 1: a");
    ck_assert_int_eq(sk_row_scan("[1]", 3, NULL, 0, NULL, NULL, 0), SK_EPARSE);
}
END_TEST

static char *nested(size_t depth, char open, char close, const char *inner)
{
    sk_buf b = {0};
    for (size_t i = 0; i < depth; i++) {
        sk_buf_addc(&b, open);
        if (open == '{')
            sk_buf_adds(&b, "\"k\":");
    }
    sk_buf_adds(&b, inner);
    for (size_t i = 0; i < depth; i++)
        sk_buf_addc(&b, close);
    return b.data;
}

START_TEST(test_depth)
{
    char msg[256];
    char *s = nested(512, '[', ']', "1");
    ck_assert_int_eq(sk_json_validate(s, strlen(s), msg, sizeof msg), 0);
    free(s);
    s = nested(513, '[', ']', "1");
    ck_assert_int_eq(sk_json_validate(s, strlen(s), msg, sizeof msg), SK_EPARSE);
    ck_assert_str_eq(msg, "column 513: nesting deeper than 512 levels");
    free(s);
    s = nested(512, '{', '}', "{}");
    ck_assert_int_eq(sk_json_validate(s, strlen(s), msg, sizeof msg), SK_EPARSE);
    ck_assert_str_eq(msg, "column 2561: nesting deeper than 512 levels");
    free(s);
    s = nested(511, '{', '}', "{}");
    const char *keys[] = {"k"};
    sk_span sp[1];
    ck_assert_int_eq(sk_row_scan(s, strlen(s), keys, 1, sp, msg, sizeof msg), 0);
    ck_assert_uint_eq(sp[0].n, strlen(s) - 6);
    free(s);

    /* Far too deep: rejected at level 513, no stack exhaustion. */
    size_t n = 100000;
    char *deep = sk_xmalloc(2 * n);
    memset(deep, '[', n);
    memset(deep + n, ']', n);
    ck_assert_int_eq(sk_json_validate(deep, 2 * n, msg, sizeof msg), SK_EPARSE);
    ck_assert_str_eq(msg, "column 513: nesting deeper than 512 levels");
    ck_assert_int_eq(sk_json_validate(deep, n, msg, sizeof msg), SK_EPARSE);
    free(deep);
}
END_TEST

/* ---- sk_json_check: the same grammar, position apart ------------------ */

START_TEST(test_json_check_matches_validate)
{
    /* Every malformed case: the offset is the column less one and the
     * reason is the message without its "column N: " prefix. */
    const bad_case *c = &bad_json[_i];
    size_t n = c->len ? c->len : strlen(c->json);
    char msg[256] = "", why[256] = "x";
    size_t at = 12345;
    ck_assert_int_eq(sk_json_validate(c->json, n, msg, sizeof msg), SK_EPARSE);
    ck_assert_int_eq(sk_json_check(c->json, n, &at, why, sizeof why), SK_EPARSE);
    char want[300];
    snprintf(want, sizeof want, "column %zu: %s", at + 1, why);
    ck_assert_str_eq(msg, want);
    ck_assert_uint_le(at, n);
}
END_TEST

START_TEST(test_json_check)
{
    char why[128] = "x";
    size_t at = 99;
    const char *ok = " [1, {\"a\": null, \"b\": \"\\u00e9\"}, -0.5e3] \n";
    ck_assert_int_eq(sk_json_check(ok, strlen(ok), &at, why, sizeof why), 0);
    ck_assert_str_eq(why, "");
    ck_assert_uint_eq(at, 0);
    for (size_t i = 0; i < sizeof good_json / sizeof good_json[0]; i++) {
        const good_case *c = &good_json[i];
        size_t n = c->len ? c->len : strlen(c->json);
        ck_assert_int_eq(sk_json_check(c->json, n, &at, why, sizeof why), 0);
    }

    /* Cut off inside a container: the offset is the end of the text. */
    ck_assert_int_eq(sk_json_check("[1, 2", 5, &at, why, sizeof why), SK_EPARSE);
    ck_assert_uint_eq(at, 5);
    ck_assert_str_eq(why, "input ends inside an array (missing ']')");
    ck_assert_int_eq(sk_json_check("{\"a\": [1,", 9, &at, why, sizeof why), SK_EPARSE);
    ck_assert_uint_eq(at, 9);
    ck_assert_str_eq(why, "expected a value, got end of input (missing ']')");
    ck_assert_int_eq(sk_json_check("", 0, &at, why, sizeof why), SK_EPARSE);
    ck_assert_uint_eq(at, 0);
    ck_assert_str_eq(why, "expected a value, got end of input");
    /* Any top-level type, and only one value. */
    ck_assert_int_eq(sk_json_check("\"s\"", 3, &at, why, sizeof why), 0);
    ck_assert_int_eq(sk_json_check("1 2", 3, &at, why, sizeof why), SK_EPARSE);
    ck_assert_uint_eq(at, 2);
    ck_assert_str_eq(why,
                     "unexpected '2' after the end of the JSON value (only one value allowed)");

    /* The same depth limit. */
    char *s = nested(512, '[', ']', "1");
    ck_assert_int_eq(sk_json_check(s, strlen(s), &at, why, sizeof why), 0);
    free(s);
    s = nested(513, '[', ']', "1");
    ck_assert_int_eq(sk_json_check(s, strlen(s), &at, why, sizeof why), SK_EPARSE);
    ck_assert_uint_eq(at, 512);
    ck_assert_str_eq(why, "nesting deeper than 512 levels");
    free(s);

    /* A short buffer is still terminated; at and why may be NULL. */
    char small[8];
    ck_assert_int_eq(sk_json_check("[1,]", 4, &at, small, sizeof small), SK_EPARSE);
    ck_assert_str_eq(small, "trailin");
    ck_assert_uint_eq(at, 3);
    ck_assert_int_eq(sk_json_check("[1,]", 4, NULL, NULL, 0), SK_EPARSE);
    ck_assert_int_eq(sk_json_check("[1]", 3, NULL, NULL, 0), 0);
}
END_TEST

/* ---- the row scanner: spans ------------------------------------------- */

static void assert_span(sk_span s, const char *want)
{
    if (!want) {
        ck_assert_ptr_null(s.p);
        ck_assert_uint_eq(s.n, 0);
        return;
    }
    ck_assert_ptr_nonnull(s.p);
    ck_assert_uint_eq(s.n, strlen(want));
    ck_assert_int_eq(memcmp(s.p, want, s.n), 0);
}

START_TEST(test_spans)
{
    const char *row = " { \"id\" : 12345678901234567890123 , \"input\":{\"q\":[1,{\"x\":\"}\"}],"
                      "\"output\":\"no\"},\"output\":\"he said \\\"hi\\\" \xC3\xA9\","
                      "\"metadata\":{}, \"expected\" :\tnull\t, \"other\":[\"output\"] } ";
    const char *keys[] = {"id", "input", "output", "expected", "metadata", "absent"};
    sk_span sp[6];
    char msg[256] = "";
    ck_assert_int_eq(sk_row_scan(row, strlen(row), keys, 6, sp, msg, sizeof msg), 0);
    assert_span(sp[0], "12345678901234567890123");
    assert_span(sp[1], "{\"q\":[1,{\"x\":\"}\"}],\"output\":\"no\"}");
    assert_span(sp[2], "\"he said \\\"hi\\\" \xC3\xA9\"");
    assert_span(sp[3], "null");
    assert_span(sp[4], "{}");
    assert_span(sp[5], NULL);
    ck_assert(sk_span_is_string(sp[2]));
    ck_assert(!sk_span_is_string(sp[0]));
    ck_assert(!sk_span_is_string(sp[5]));
    ck_assert(sp[0].p >= row && sp[0].p < row + strlen(row));

    sk_buf out = {0};
    ck_assert_int_eq(sk_json_string_decode(sp[2].p, sp[2].n, &out), 0);
    ck_assert_str_eq(out.data, "he said \"hi\" \xC3\xA9");
    sk_buf_free(&out);

    /* No keys wanted: plain validation of an object. */
    ck_assert_int_eq(sk_row_scan(row, strlen(row), NULL, 0, NULL, msg, sizeof msg), 0);
}
END_TEST

START_TEST(test_keys)
{
    const char *keys[] = {"output", "id", ""};
    sk_span sp[3];
    char msg[256] = "";
    const char *row = "{\"\\u006fut\\u0070ut\":\"x\",\"i\\u0064\":7,\"out\\\"put\":1}";
    ck_assert_int_eq(sk_row_scan(row, strlen(row), keys, 3, sp, msg, sizeof msg), 0);
    assert_span(sp[0], "\"x\"");
    assert_span(sp[1], "7");
    assert_span(sp[2], NULL);

    row = "{\"\":[],\"outputs\":1,\"outpu\":2,\"OUTPUT\":3,\"output\\u0000\":4}";
    ck_assert_int_eq(sk_row_scan(row, strlen(row), keys, 3, sp, msg, sizeof msg), 0);
    assert_span(sp[0], NULL);
    assert_span(sp[2], "[]");

    /* A key longer than the decode buffer on the stack. */
    sk_buf b = {0};
    sk_buf_adds(&b, "{\"");
    for (int i = 0; i < 200; i++)
        sk_buf_adds(&b, "\\u0041");
    sk_buf_adds(&b, "\":1,\"id\":2}");
    ck_assert_int_eq(sk_row_scan(b.data, b.len, keys, 3, sp, msg, sizeof msg), 0);
    assert_span(sp[1], "2");
    sk_buf_free(&b);

    /* Duplicates: an error for a wanted key (also when spelled with escapes),
     * allowed otherwise, and the inner "output" is a different key. */
    row = "{\"output\":1,\"output\":2}";
    ck_assert_int_eq(sk_row_scan(row, strlen(row), keys, 3, sp, msg, sizeof msg), SK_EPARSE);
    ck_assert_str_eq(msg, "column 13: duplicate key \"output\"");
    assert_span(sp[0], NULL);
    row = "{\"output\":1, \"\\u006futput\":2}";
    ck_assert_int_eq(sk_row_scan(row, strlen(row), keys, 3, sp, msg, sizeof msg), SK_EPARSE);
    ck_assert_str_eq(msg, "column 14: duplicate key \"output\"");
    row = "{\"x\":1,\"x\":2,\"meta\":{\"output\":0,\"output\":0},\"output\":3}";
    ck_assert_int_eq(sk_row_scan(row, strlen(row), keys, 3, sp, msg, sizeof msg), 0);
    assert_span(sp[0], "3");
    /* A later syntax error clears spans already found. */
    row = "{\"output\":1,\"id\":2,}";
    ck_assert_int_eq(sk_row_scan(row, strlen(row), keys, 3, sp, msg, sizeof msg), SK_EPARSE);
    ck_assert_str_eq(msg, "column 20: trailing comma in object");
    assert_span(sp[0], NULL);
    assert_span(sp[1], NULL);
}
END_TEST

/* sk_row_scan_known: the first top-level key that is not wanted, as
 * written; escaped spellings of wanted keys and nested keys are not
 * unknown. */
START_TEST(test_unknown_key)
{
    const char *keys[] = {"output", "id"};
    sk_span sp[2], unknown;
    char msg[256] = "";
    const char *row = "{\"\\u006futput\":1,\"meta\":{\"deep\":1},\"x\\n\":2,\"y\":3}";
    ck_assert_int_eq(sk_row_scan_known(row, strlen(row), keys, 2, sp, &unknown, msg, sizeof msg),
                     0);
    assert_span(sp[0], "1");
    assert_span(unknown, "\"meta\"");
    row = "{\"id\":1,\"output\":{\"z\":1}}";
    ck_assert_int_eq(sk_row_scan_known(row, strlen(row), keys, 2, sp, &unknown, msg, sizeof msg),
                     0);
    assert_span(unknown, NULL);
    row = "{\"z\":1,}";
    ck_assert_int_eq(sk_row_scan_known(row, strlen(row), keys, 2, sp, &unknown, msg, sizeof msg),
                     SK_EPARSE);
    assert_span(unknown, NULL);
}
END_TEST

/* ---- string decoding ---------------------------------------------------- */

static void assert_decodes(const char *lit, const char *want, size_t want_len)
{
    sk_buf out = {0};
    sk_buf_adds(&out, "<");
    ck_assert_int_eq(sk_json_validate(lit, strlen(lit), NULL, 0), 0);
    ck_assert_int_eq(sk_json_string_decode(lit, strlen(lit), &out), 0);
    ck_assert_uint_eq(out.len, want_len + 1);
    ck_assert_int_eq(memcmp(out.data + 1, want, want_len), 0);
    ck_assert_int_eq(out.data[out.len], '\0');
    sk_buf_free(&out);
}

#define DECODES(lit, want) assert_decodes(lit, want, sizeof(want) - 1)

START_TEST(test_decode)
{
    DECODES("\"\"", "");
    DECODES("\"plain \xC3\xA9\"", "plain \xC3\xA9");
    DECODES("\"\\\"\\\\\\/\\b\\f\\n\\r\\t\"", "\"\\/\b\f\n\r\t");
    DECODES("\"\\u0041\\u00e9\\u20AC\\uffff\"", "A\xC3\xA9\xE2\x82\xAC\xEF\xBF\xBF");
    DECODES("\"\\ud83d\\ude00!\"", "\xF0\x9F\x98\x80!");
    DECODES("\"\\uDBFF\\uDFFF\"", "\xF4\x8F\xBF\xBF");
    DECODES("\"\\ud83dx\"", "\xEF\xBF\xBDx");
    DECODES("\"\\ude00\"", "\xEF\xBF\xBD");
    DECODES("\"\\ud83d\\u0041\"", "\xEF\xBF\xBD"
                                  "A");
    DECODES("\"\\ud83d\\ud83d\\ude00\"", "\xEF\xBF\xBD\xF0\x9F\x98\x80");
    DECODES("\"\\ud83d\"", "\xEF\xBF\xBD");
    DECODES("\"a\\u0000b\"", "a\0b");

    sk_buf out = {0};
    ck_assert_int_eq(sk_json_string_decode("123", 3, &out), -1);
    ck_assert_int_eq(sk_json_string_decode("\"", 1, &out), -1);
    ck_assert_int_eq(sk_json_string_decode(NULL, 0, &out), -1);
    ck_assert_ptr_null(out.data);
    ck_assert_int_eq(sk_json_string_decode("\"\"", 2, &out), 0);
    ck_assert_ptr_nonnull(out.data);
    ck_assert_str_eq(out.data, "");
    sk_buf_free(&out);
}
END_TEST

/* ---- randomized cross-check ------------------------------------------- */

/* Deterministic xorshift so a failure reproduces. */
static uint64_t rng_state = 0x9E3779B97F4A7C15ULL;

static uint32_t rnd(uint32_t n)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return (uint32_t)((rng_state >> 11) % n);
}

static const char *pick(const char *const *v, size_t n)
{
    return v[rnd((uint32_t)n)];
}

#define PICK(v) pick(v, sizeof v / sizeof v[0])

static void gen_ws(sk_buf *b)
{
    static const char *const ws[] = {"", "", "", " ", "\t", "\r\n", "  "};
    sk_buf_adds(b, PICK(ws));
}

static void gen_string(sk_buf *b)
{
    static const char *const parts[] = {"a",
                                        "hello",
                                        " ",
                                        "\\\"",
                                        "\\\\",
                                        "\\/",
                                        "\\n",
                                        "\\t",
                                        "\\u00e9",
                                        "\\uD83D\\uDE00",
                                        "\\ud800",
                                        "\xC3\xA9",
                                        "\xE2\x82\xAC",
                                        "\xF0\x9F\x98\x80",
                                        "\x7F",
                                        "}",
                                        "]",
                                        ",",
                                        ":",
                                        "output",
                                        "{\\\"x\\\":1}"};
    sk_buf_addc(b, '"');
    for (uint32_t i = rnd(5); i > 0; i--)
        sk_buf_adds(b, PICK(parts));
    sk_buf_addc(b, '"');
}

static void gen_value(sk_buf *b, int depth)
{
    static const char *const nums[] = {"0",       "-0",       "7",
                                       "-12",     "3.25",     "1e5",
                                       "2E-3",    "-0.5e+10", "12345678901234567890123",
                                       "100",     "1e-400",   "1.7e308",
                                       "0.18e310"};
    static const char *const keys[] = {"\"id\"", "\"input\"", "\"output\"", "\"\\u006futput\"",
                                       "\"x\"",  "\"\"",      "\"meta\""};
    uint32_t k = rnd(depth > 4 ? 6 : 9);
    gen_ws(b);
    switch (k) {
    case 0: sk_buf_adds(b, "true"); break;
    case 1: sk_buf_adds(b, "false"); break;
    case 2: sk_buf_adds(b, "null"); break;
    case 3:
    case 4: sk_buf_adds(b, PICK(nums)); break;
    case 5: gen_string(b); break;
    case 6:
    case 7: {
        sk_buf_addc(b, '{');
        for (uint32_t i = rnd(4), first = 1; i > 0; i--, first = 0) {
            if (!first)
                sk_buf_addc(b, ',');
            gen_ws(b);
            sk_buf_adds(b, PICK(keys));
            gen_ws(b);
            sk_buf_addc(b, ':');
            gen_value(b, depth + 1);
        }
        gen_ws(b);
        sk_buf_addc(b, '}');
        break;
    }
    default: {
        sk_buf_addc(b, '[');
        for (uint32_t i = rnd(4), first = 1; i > 0; i--, first = 0) {
            if (!first)
                sk_buf_addc(b, ',');
            gen_value(b, depth + 1);
        }
        gen_ws(b);
        sk_buf_addc(b, ']');
    }
    }
    gen_ws(b);
}

static void mutate(sk_buf *b)
{
    static const unsigned char bytes[] = "{}[],:\"\\0123456789.-+eEtrufalsn ' \t/x";
    static const unsigned char odd[] = {0x00, 0x01, 0x1F, 0x80, 0xBF, 0xC0, 0xC3, 0xE0,
                                        0xED, 0xF0, 0xF4, 0xF5, 0xFF, 0xA0, 0x9F, 0x8F};
    if (b->len == 0)
        return;
    size_t at = rnd((uint32_t)b->len);
    unsigned char c = rnd(4) ? bytes[rnd(sizeof bytes - 1)] : odd[rnd(sizeof odd)];
    switch (rnd(4)) {
    case 0: /* delete */
        memmove(b->data + at, b->data + at + 1, b->len - at - 1);
        b->len--;
        break;
    case 1: /* replace */ b->data[at] = (char)c; break;
    case 2: /* insert */
        sk_buf_reserve(b, 1);
        memmove(b->data + at + 1, b->data + at, b->len - at);
        b->data[at] = (char)c;
        b->len++;
        break;
    default: /* truncate */ b->len = at; break;
    }
    b->data[b->len] = '\0';
}

/* cJSON is lenient in ways row.c is not, so its verdict is compared only on
 * ASCII text without \u escapes and without control characters other than
 * JSON whitespace (cJSON accepts any bytes in strings, treats every byte <=
 * 0x20 as whitespace, and rejects lone surrogates that RFC 8259 allows).  A
 * disagreement is still allowed where row.c rejected a number (cJSON hands
 * numbers to strtod, which takes leading zeros, "1." and "-.5") or a raw tab
 * or newline inside a string. */
static int cjson_comparable(const sk_buf *b)
{
    for (size_t i = 0; i < b->len; i++) {
        unsigned char c = (unsigned char)b->data[i];
        if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c > 0x7E)
            return 0;
        if (c == '\\' && i + 1 < b->len && b->data[i + 1] == 'u')
            return 0;
    }
    return 1;
}

START_TEST(test_random_cross_check)
{
    int valid = 0, invalid = 0, compared = 0;
    const char *keys[] = {"id", "input", "output"};
    for (int iter = 0; iter < 6000; iter++) {
        sk_buf b = {0};
        sk_buf_adds(&b, "");
        gen_value(&b, 0);
        if (iter % 3 != 0)
            for (uint32_t m = 1 + rnd(3); m > 0; m--)
                mutate(&b);

        char msg[256] = "";
        int ours = sk_json_validate(b.data, b.len, msg, sizeof msg) == 0;
        int want = sk_ref_json_valid(b.data, b.len);
        ck_assert_msg(ours == want, "validator says %d, reference %d for [%s] (%s)", ours, want,
                      b.data, msg);
        ck_assert(ours || strncmp(msg, "column ", 7) == 0);
        /* sk_json_check is the same scan with the position kept apart. */
        size_t at = 0;
        char why[256], both[300];
        ck_assert_int_eq(sk_json_check(b.data, b.len, &at, why, sizeof why) == 0, ours);
        snprintf(both, sizeof both, "column %zu: %s", at + 1, why);
        ck_assert(ours || strcmp(both, msg) == 0);
        ours ? valid++ : invalid++;

        if (cjson_comparable(&b)) {
            /* Passing the NUL makes cJSON reject trailing garbage. */
            cJSON *j = cJSON_ParseWithLengthOpts(b.data, b.len + 1, NULL, 1);
            int theirs = j != NULL;
            cJSON_Delete(j);
            int lenient = strstr(msg, "number") || strstr(msg, "control character");
            if (!(theirs && !ours && lenient))
                ck_assert_msg(ours == theirs, "validator says %d, cJSON %d for [%s] (%s)", ours,
                              theirs, b.data, msg);
            compared++;
        }

        /* Every valid object is a valid row, with spans that lie in the line
         * and are themselves valid JSON. */
        if (ours && b.data[strspn(b.data, " \t\r\n")] == '{') {
            sk_span sp[3];
            int rc = sk_row_scan(b.data, b.len, keys, 3, sp, msg, sizeof msg);
            ck_assert_msg(rc == 0 || strstr(msg, "duplicate key"), "[%s]: %s", b.data, msg);
            for (int i = 0; rc == 0 && i < 3; i++) {
                if (!sp[i].p)
                    continue;
                ck_assert(sp[i].p > b.data && sp[i].p + sp[i].n < b.data + b.len);
                ck_assert(sk_ref_json_valid(sp[i].p, sp[i].n));
                ck_assert(!strchr(" \t\r\n", sp[i].p[0]) &&
                          !strchr(" \t\r\n", sp[i].p[sp[i].n - 1]));
            }
        }
        sk_buf_free(&b);
    }
    /* The generator must exercise both outcomes to mean anything. */
    ck_assert_int_gt(valid, 1500);
    ck_assert_int_gt(invalid, 1500);
    ck_assert_int_gt(compared, 1000);
}
END_TEST

START_TEST(test_string_positions)
{
    /* Each interesting byte at every offset around the 16- and 8-byte
     * skips, with the reference checker as the judge. */
    static const char *const inserts[] = {
        "\"",   "\\",       "\\n",  "\\u0041",      "\x01",         "\x1F",
        "\x7F", "\xC3\xA9", "\xC3", "\xE2\x82\xAC", "\xED\xA0\x80", "\xF0\x9F\x98\x80",
        "\xFF", " "};
    for (size_t ins = 0; ins < sizeof inserts / sizeof inserts[0]; ins++) {
        for (size_t before = 0; before < 40; before++) {
            for (size_t after = 0; after < 20; after++) {
                sk_buf b = {0};
                sk_buf_adds(&b, "[\"");
                for (size_t i = 0; i < before; i++)
                    sk_buf_addc(&b, (char)('a' + i % 26));
                sk_buf_adds(&b, inserts[ins]);
                for (size_t i = 0; i < after; i++)
                    sk_buf_addc(&b, (char)('A' + i % 26));
                sk_buf_adds(&b, "\"]");
                char msg[256] = "";
                int ours = sk_json_validate(b.data, b.len, msg, sizeof msg) == 0;
                ck_assert_msg(ours == sk_ref_json_valid(b.data, b.len), "[%s]: %s", b.data, msg);
                if (!ours && ins > 0 && !strstr(msg, "never closed")) {
                    /* The error points at the inserted bytes (a quote ends
                     * the string early instead). */
                    char want[32];
                    snprintf(want, sizeof want, "column %zu: ", before + 3);
                    ck_assert_msg(strncmp(msg, want, strlen(want)) == 0, "[%s]: %s", b.data, msg);
                }
                sk_buf_free(&b);
            }
        }
    }
}
END_TEST

/* sk_json_print writes what cJSON_PrintUnformatted writes for a tree of
 * cJSON's own (numbers without their literal), byte for byte. */
START_TEST(test_print_as_cjson)
{
    const good_case *c = &good_json[_i];
    size_t n = c->len ? c->len : strlen(c->json);
    cJSON *v = cJSON_ParseWithLength(c->json, n);
    if (!v)
        return; /* a lone surrogate, which cJSON refuses */
    char *want = cJSON_PrintUnformatted(v);
    char *got = sk_json_print(v);
    ck_assert_str_eq(got, want);
    free(got);
    cJSON_free(want);
    cJSON_Delete(v);
}
END_TEST

START_TEST(test_print_keeps_literals)
{
    const char *in =
        " {\"id\": 12345678901234567890, \"x\": [1.50, -0, 1e2, 0.1000000000000000055511151],"
        " \"s\": \"a\\u0001\\\"b\", \"o\": {}, \"e\": [], \"t\": [true, false, null]} ";
    cJSON *v = sk_json_parse(in, strlen(in));
    ck_assert_ptr_nonnull(v);
    char *got = sk_json_print(v);
    ck_assert_str_eq(got,
                     "{\"id\":12345678901234567890,\"x\":[1.50,-0,1e2,0.1000000000000000055511151],"
                     "\"s\":\"a\\u0001\\\"b\",\"o\":{},\"e\":[],\"t\":[true,false,null]}");
    free(got);
    /* A copy keeps them too; a number made afresh is printed as cJSON would. */
    cJSON *copy = cJSON_Duplicate(v, 1);
    cJSON_AddItemToObject(copy, "n", cJSON_CreateNumber(0.1));
    got = sk_json_print(cJSON_GetObjectItem(copy, "id"));
    ck_assert_str_eq(got, "12345678901234567890");
    free(got);
    got = sk_json_print(cJSON_GetObjectItem(copy, "n"));
    ck_assert_str_eq(got, "0.1");
    free(got);
    cJSON_Delete(copy);
    cJSON_Delete(v);
    got = sk_json_print(NULL);
    ck_assert_str_eq(got, "null");
    free(got);
}
END_TEST

START_TEST(test_print_deep)
{
    /* No recursion: nesting far beyond what the parser takes. */
    enum { DEEP = 200000 };
    cJSON *root = cJSON_CreateArray(), *cur = root;
    for (int i = 1; i < DEEP; i++) {
        cJSON *a = cJSON_CreateArray();
        cJSON_AddItemToArray(cur, a);
        cur = a;
    }
    cJSON_AddItemToArray(cur, cJSON_CreateNumber(7));
    char *got = sk_json_print(root);
    ck_assert_uint_eq(strlen(got), 2 * (size_t)DEEP + 1);
    ck_assert_int_eq(got[DEEP], '7');
    free(got);
    /* cJSON_Delete recurses: take the chain apart from the bottom. */
    cJSON **chain = malloc(sizeof *chain * DEEP);
    cur = root;
    for (int i = 0; i < DEEP; i++) {
        chain[i] = cur;
        cur = cur->child;
    }
    for (int i = DEEP - 1; i >= 0; i--)
        cJSON_Delete(chain[i]->child), chain[i]->child = NULL;
    cJSON_Delete(root);
    free(chain);
}
END_TEST

static Suite *row_suite(void)
{
    Suite *s = suite_create("row");
    TCase *tc = tcase_create("row");
    tcase_set_timeout(tc, 60);
    tcase_add_loop_test(tc, test_bad_json, 0, (int)(sizeof bad_json / sizeof bad_json[0]));
    tcase_add_loop_test(tc, test_good_json, 0, (int)(sizeof good_json / sizeof good_json[0]));
    tcase_add_test(tc, test_row_not_object);
    tcase_add_test(tc, test_depth);
    tcase_add_loop_test(tc, test_json_check_matches_validate, 0,
                        (int)(sizeof bad_json / sizeof bad_json[0]));
    tcase_add_test(tc, test_json_check);
    tcase_add_test(tc, test_spans);
    tcase_add_test(tc, test_keys);
    tcase_add_test(tc, test_unknown_key);
    tcase_add_test(tc, test_decode);
    tcase_add_test(tc, test_string_positions);
    tcase_add_test(tc, test_random_cross_check);
    tcase_add_loop_test(tc, test_print_as_cjson, 0, (int)(sizeof good_json / sizeof good_json[0]));
    tcase_add_test(tc, test_print_keeps_literals);
    tcase_add_test(tc, test_print_deep);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return sk_run_suite(row_suite());
}
