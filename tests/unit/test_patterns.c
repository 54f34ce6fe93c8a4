/*
 * Unit tests of the pattern scorers (valid_json, contains, icontains,
 * starts_with, regex, word_count), driven through the real host code: the
 * param check, open(), score() and the verdict rules.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "heuristic.h"
#include "sk_test.h"

/* ---- helpers ----------------------------------------------------------- */

#define has(hay, needle) (strstr((hay), (needle)) != NULL)

static void expect_score(const sk_scorer_def *def, const char *params, const char *out,
                         const char *exp, double want, const char *rationale_part)
{
    sk_test_result r = sk_test_score(def, params, out, exp);
    ck_assert_msg(r.kind == SK_VERDICT_SCORE, "%s %s on %.80s: expected a score, got kind %d: %s",
                  def->name, params ? params : "{}", out, (int)r.kind, r.message);
    ck_assert_msg(r.score == want, "%s %s on %.80s: score %g, want %g (rationale: %s)", def->name,
                  params ? params : "{}", out, r.score, want, r.rationale);
    if (rationale_part)
        ck_assert_msg(has(r.rationale, rationale_part),
                      "%s on %.80s: rationale \"%s\" lacks \"%s\"", def->name, out, r.rationale,
                      rationale_part);
}

#define PASS(def, params, out, exp)      expect_score(def, params, out, exp, 1.0, NULL)
#define FAIL(def, params, out, exp, why) expect_score(def, params, out, exp, 0.0, why)

static void expect_open_error(const sk_scorer_def *def, const char *params, const char *part)
{
    void *state = NULL;
    char err[1024];
    int rc = sk_test_open(def, params, &state, err, sizeof err);
    if (rc == 0)
        sk_test_close(def, state);
    ck_assert_msg(rc != 0, "%s opened with bad params %s", def->name, params);
    ck_assert_msg(has(err, part), "%s %s: error \"%s\" lacks \"%s\"", def->name, params, err, part);
}

static void *open_ok(const sk_scorer_def *def, const char *params)
{
    void *state = NULL;
    char err[1024];
    int rc = sk_test_open(def, params, &state, err, sizeof err);
    ck_assert_msg(rc == 0, "open %s %s: %s", def->name, params, err);
    return state;
}

/* Score a case whose texts are given raw, with explicit lengths: the only
 * way to get NUL bytes to a scorer (JSON decoding in the helpers stops at
 * them). */
static sk_test_result score_raw(const sk_scorer_def *def, void *state, const char *out,
                                size_t outlen, const char *exp, size_t explen)
{
    sk_case c = {0};
    c.size = sizeof c;
    c.id = "raw";
    c.input_json = c.input_text = "null";
    c.input_len = 4;
    c.output_json = "\"(raw text)\"";
    c.output_text = out;
    c.output_len = outlen;
    if (exp) {
        c.expected_json = "\"(raw text)\"";
        c.expected_text = exp;
        c.expected_len = explen;
    }
    sk_result r = {0};
    sk_result_reset(&r);
    int rc = def->score(sk_test_host(), state, &c, &r);
    sk_result_finish(&r, rc, def->name);
    sk_test_result t = {0};
    t.kind = r.kind;
    t.score = r.score;
    snprintf(t.message, sizeof t.message, "%s", r.message.data ? r.message.data : "");
    snprintf(t.rationale, sizeof t.rationale, "%s", r.rationale.data ? r.rationale.data : "");
    sk_result_free(&r);
    return t;
}

/* A JSON string of n copies of c followed by tail. */
static char *big_jstr(size_t n, char c, const char *tail)
{
    size_t tl = strlen(tail);
    char *text = malloc(n + tl + 1);
    memset(text, c, n);
    memcpy(text + n, tail, tl + 1);
    char *j = sk_test_jstr(text);
    free(text);
    return j;
}

/* ---- definitions ------------------------------------------------------- */

START_TEST(defs_are_complete)
{
    const sk_scorer_def *defs[] = {&sk_h_valid_json,  &sk_h_contains, &sk_h_icontains,
                                   &sk_h_starts_with, &sk_h_regex,    &sk_h_word_count};
    for (size_t i = 0; i < sizeof defs / sizeof defs[0]; i++) {
        const sk_scorer_def *d = defs[i];
        ck_assert_uint_eq(d->size, sizeof(sk_scorer_def));
        ck_assert_ptr_nonnull(d->summary);
        ck_assert_msg(strcmp(d->summary, "stub") != 0 && strlen(d->summary) > 10, "%s", d->name);
        ck_assert_msg(d->flags & SK_SCORER_THREAD_SAFE, "%s not thread-safe", d->name);
        ck_assert_msg(!(d->flags & SK_SCORER_NEEDS_EXPECTED), "%s needs expected", d->name);
        ck_assert_msg(d->accepts != 0, "%s", d->name);
        int has_not = 0;
        for (const sk_param_def *p = d->params; p && p->name; p++) {
            ck_assert_msg(p->doc && *p->doc, "%s.%s has no doc", d->name, p->name);
            if (strcmp(p->name, "not") == 0)
                has_not = p->type == SK_PARAM_BOOL && strcmp(p->default_json, "false") == 0;
        }
        ck_assert_msg(has_not, "%s lacks not=false", d->name);
    }
}
END_TEST

START_TEST(host_rejects_bad_params)
{
    expect_open_error(&sk_h_contains, "{\"valu\": \"x\"}", "unknown param \"valu\"");
    expect_open_error(&sk_h_contains, "{\"value\": 5}", "\"value\" must be of type string");
    expect_open_error(&sk_h_contains, "{\"values\": [\"a\", 1]}", "\"values\" must be");
    expect_open_error(&sk_h_regex, "{\"pattern\": \"a\", \"flags\": 1}", "\"flags\" must be");
    expect_open_error(&sk_h_regex, "{\"pattern\": \"a\", \"not\": \"yes\"}", "\"not\" must be");
    expect_open_error(&sk_h_regex, "{}", "\"pattern\" is required");
    expect_open_error(&sk_h_word_count, "{\"min\": \"3\"}", "\"min\" must be");
    expect_open_error(&sk_h_word_count, "{\"min\": 1.5}", "\"min\" must be of type integer");
    expect_open_error(&sk_h_valid_json, "{\"schema\": {}, \"strict\": true}",
                      "unknown param \"strict\"");
}
END_TEST

/* ---- valid_json without schema ---------------------------------------- */

START_TEST(valid_json_plain)
{
    const sk_scorer_def *d = &sk_h_valid_json;
    PASS(d, NULL, "\"{\\\"a\\\": [1, 2.5e3, -0, true, null, \\\"x\\\"]}\"", NULL);
    PASS(d, NULL, "\"  42 \\n\"", NULL);
    PASS(d, NULL, "\"\\\"just a string\\\"\"", NULL);
    PASS(d, NULL, "\"{\\\"s\\\": \\\"\\\\u00e9\\\\n\\\"}\"", NULL);
    /* Non-string outputs are JSON already. */
    PASS(d, NULL, "{\"a\": 1}", NULL);
    PASS(d, NULL, "[1, 2]", NULL);
    PASS(d, NULL, "3.5", NULL);
    PASS(d, NULL, "null", NULL);

    FAIL(d, NULL, "\"not json\"", NULL, "output is not valid JSON: line 1, column 1");
    FAIL(d, NULL, "\"\"", NULL, "empty");
    FAIL(d, NULL, "\"   \"", NULL, "whitespace");
    FAIL(d, NULL, "\"[1, 2,]\"", NULL, "trailing comma");
    FAIL(d, NULL, "\"{\\\"a\\\": 1,}\"", NULL, "trailing comma");
    FAIL(d, NULL, "\"{'a': 1}\"", NULL, "double quotes");
    FAIL(d, NULL, "\"01\"", NULL, "leading zero");
    FAIL(d, NULL, "\"+1\"", NULL, "cannot start with '+'");
    FAIL(d, NULL, "\".5\"", NULL, "digit before '.'");
    FAIL(d, NULL, "\"1.\"", NULL, "digit after '.'");
    FAIL(d, NULL, "\"1e\"", NULL, "exponent");
    FAIL(d, NULL, "\"NaN\"", NULL, "invalid literal 'NaN'");
    FAIL(d, NULL, "\"True\"", NULL, "lower case");
    FAIL(d, NULL, "\"[null, False]\"", NULL, "line 1, column 8: invalid literal 'False'");
    FAIL(d, NULL, "\"1 2\"", NULL, "only one value");
    FAIL(d, NULL, "\"{\\\"a\\\": 1} x\"", NULL, "only one value");
    FAIL(d, NULL, "\"[1, 2\"", NULL, "missing ']'");
    FAIL(d, NULL, "\"{\\\"a\\\": 1\"", NULL, "missing '}'");
    FAIL(d, NULL, "\"{\\\"a\\\" 1}\"", NULL, "expected ':'");
    FAIL(d, NULL, "\"[1 2]\"", NULL, "expected ',' or ']'");
    FAIL(d, NULL, "\"\\\"abc\"", NULL, "never closed");
    FAIL(d, NULL, "\"\\\"a\\\\qb\\\"\"", NULL, "invalid escape");
    FAIL(d, NULL, "\"\\\"\\\\u12G4\\\"\"", NULL, "4 hex digits");
    FAIL(d, NULL, "\"\\\"tab\\there\\\"\"", NULL, "U+0009");
    FAIL(d, NULL, "\"// c\\n{}\"", NULL, "comments are not allowed");
    FAIL(d, NULL, "\"\\ufeff{}\"", NULL, "byte order mark U+FEFF");
    FAIL(d, NULL, "\"{'a': 1}\"", NULL, "line 1, column 2");
    FAIL(d, NULL, "\"{\\n  \\\"a\\\": tru\\n}\"", NULL, "line 2, column 8");
    /* Columns count code points, not bytes: two before the error here. */
    FAIL(d, NULL, "\"[\\\"\\u00e9\\u20ac\\\" x]\"", NULL, "line 1, column 7");
    /* A text cut off at its end points just past the last byte. */
    FAIL(d, NULL, "\"{\\n  \\\"a\\\": [1,\"", NULL, "line 2, column 11: expected a value");
    FAIL(d, NULL, "\"```json\\n{\\\"a\\\": 1}\\n```\"", NULL, "code fence");
}
END_TEST

START_TEST(valid_json_raw_bytes)
{
    void *st = open_ok(&sk_h_valid_json, NULL);
    sk_test_result r = score_raw(&sk_h_valid_json, st, "{}\0", 3, NULL, 0);
    ck_assert_double_eq(r.score, 0);
    ck_assert_msg(has(r.rationale, "U+0000"), "%s", r.rationale);
    r = score_raw(&sk_h_valid_json, st, "[\"\0\"]", 5, NULL, 0);
    ck_assert_double_eq(r.score, 0);
    ck_assert_msg(has(r.rationale, "unescaped control character U+0000"), "%s", r.rationale);
    r = score_raw(&sk_h_valid_json, st, "\"\xff\"", 3, NULL, 0);
    ck_assert_double_eq(r.score, 0);
    ck_assert_msg(has(r.rationale, "invalid UTF-8"), "%s", r.rationale);
    r = score_raw(&sk_h_valid_json, st, "\"\xed\xa0\x80\"", 5, NULL, 0); /* a surrogate */
    ck_assert_double_eq(r.score, 0);
    r = score_raw(&sk_h_valid_json, st, "\"h\xc3\xa9\"", 5, NULL, 0);
    ck_assert_double_eq(r.score, 1);
    sk_test_close(&sk_h_valid_json, st);
}
END_TEST

START_TEST(valid_json_deep_nesting)
{
    /* The host's checker allows 512 levels, as for data files; deeper is
     * not valid JSON here, a 0 naming the limit, never a crash. */
    size_t depth = 200000;
    char *text = malloc(2 * depth + 1);
    memset(text, '[', depth);
    memset(text + depth, ']', depth);
    text[2 * depth] = '\0';
    char *j = sk_test_jstr(text);
    FAIL(&sk_h_valid_json, NULL, j, NULL, "line 1, column 513: nesting deeper than 512 levels");
    FAIL(&sk_h_valid_json, "{\"schema\": {\"type\": \"array\"}}", j, NULL, "deeper than 512");
    free(j);
    free(text);

    depth = 512;
    text = malloc(2 * depth + 1);
    memset(text, '[', depth);
    memset(text + depth, ']', depth);
    text[2 * depth] = '\0';
    j = sk_test_jstr(text);
    PASS(&sk_h_valid_json, NULL, j, NULL);
    PASS(&sk_h_valid_json, "{\"schema\": {\"type\": \"array\"}}", j, NULL);
    free(j);
    text[2 * depth - 1] = '\0';
    j = sk_test_jstr(text);
    FAIL(&sk_h_valid_json, NULL, j, NULL, "missing ']'");
    free(j);
    free(text);

    /* A lone surrogate escape is valid JSON (RFC 8259); for the schema it
     * reads as U+FFFD.  A number beyond a double is not scorekit's JSON. */
    PASS(&sk_h_valid_json, "{\"schema\": {\"type\": \"array\"}}", "\"[\\\"\\\\ud800\\\"]\"", NULL);
    PASS(&sk_h_valid_json, NULL, "\"[\\\"\\\\ud800\\\"]\"", NULL);
    FAIL(&sk_h_valid_json, NULL, "\"[1, 1e999]\"", NULL,
         "line 1, column 5: number 1e999 is too large for a double");
}
END_TEST

START_TEST(valid_json_not)
{
    FAIL(&sk_h_valid_json, "{\"not\": true}", "\"[1]\"", NULL, "not=true");
    PASS(&sk_h_valid_json, "{\"not\": true}", "\"nope\"", NULL);
    FAIL(&sk_h_valid_json, "{\"not\": true, \"schema\": {\"type\": \"array\"}}", "\"[1]\"", NULL,
         "matches the schema");
    PASS(&sk_h_valid_json, "{\"not\": true, \"schema\": {\"type\": \"object\"}}", "\"[1]\"", NULL);
}
END_TEST

/* ---- valid_json with a schema ----------------------------------------- */

#define SCHEMA(s) "{\"schema\": " s "}"

START_TEST(schema_type)
{
    const sk_scorer_def *d = &sk_h_valid_json;
    PASS(d, SCHEMA("{\"type\": \"object\"}"), "\"{}\"", NULL);
    PASS(d, SCHEMA("{\"type\": \"object\"}"), "{\"a\": 1}", NULL);
    FAIL(d, SCHEMA("{\"type\": \"object\"}"), "\"[]\"", NULL, "$: expected object, got array");
    FAIL(d, SCHEMA("{\"type\": \"object\"}"), "[1]", NULL, "expected object, got array");
    PASS(d, SCHEMA("{\"type\": \"integer\"}"), "\"1.0\"", NULL);
    FAIL(d, SCHEMA("{\"type\": \"integer\"}"), "\"1.5\"", NULL, "expected integer, got number 1.5");
    PASS(d, SCHEMA("{\"type\": \"number\"}"), "\"7\"", NULL);
    PASS(d, SCHEMA("{\"type\": [\"string\", \"null\"]}"), "\"null\"", NULL);
    PASS(d, SCHEMA("{\"type\": [\"string\", \"null\"]}"), "\"\\\"x\\\"\"", NULL);
    FAIL(d, SCHEMA("{\"type\": [\"string\", \"null\"]}"), "\"false\"", NULL,
         "expected string or null, got boolean");
    PASS(d, SCHEMA("true"), "\"[1]\"", NULL);
    FAIL(d, SCHEMA("false"), "\"[1]\"", NULL, "no value is allowed");
    /* Unknown and annotation keywords are ignored. */
    PASS(d, SCHEMA("{\"type\": \"string\", \"title\": \"t\", \"format\": \"email\", \"x-y\": 1}"),
         "\"\\\"not an email\\\"\"", NULL);
}
END_TEST

START_TEST(schema_objects)
{
    const sk_scorer_def *d = &sk_h_valid_json;
    const char *s = SCHEMA("{\"type\": \"object\", \"required\": [\"name\", \"user\"],"
                           " \"properties\": {\"name\": {\"type\": \"string\"},"
                           " \"user\": {\"type\": \"object\", \"properties\":"
                           " {\"age\": {\"type\": \"integer\", \"minimum\": 0}}},"
                           " \"odd key\": {\"type\": \"boolean\"}}}");
    PASS(d, s, "{\"name\": \"a\", \"user\": {\"age\": 3}, \"extra\": 1}", NULL);
    FAIL(d, s, "{\"user\": {}}", NULL, "$: missing required property \"name\"");
    FAIL(d, s, "{\"name\": 5, \"user\": {}}", NULL, "$.name: expected string, got integer");
    FAIL(d, s, "{\"name\": \"a\", \"user\": {\"age\": \"3\"}}", NULL,
         "$.user.age: expected integer, got string");
    FAIL(d, s, "{\"name\": \"a\", \"user\": {\"age\": -1}}", NULL,
         "$.user.age: -1 is less than the minimum 0");
    FAIL(d, s, "{\"name\": \"a\", \"user\": {}, \"odd key\": 1}", NULL,
         "$[\"odd key\"]: expected boolean");

    const char *closed = SCHEMA("{\"properties\": {\"a\": {}}, \"additionalProperties\": false}");
    PASS(d, closed, "{\"a\": 1}", NULL);
    FAIL(d, closed, "{\"a\": 1, \"b\": 2}", NULL,
         "$: property \"b\" is not allowed (additionalProperties is false)");
    const char *typed = SCHEMA("{\"additionalProperties\": {\"type\": \"number\"}}");
    PASS(d, typed, "{\"x\": 1, \"y\": 2.5}", NULL);
    FAIL(d, typed, "{\"x\": 1, \"y\": \"2\"}", NULL, "$.y: expected number, got string");
    PASS(d, SCHEMA("{\"additionalProperties\": true}"), "{\"x\": 1}", NULL);
    FAIL(d, SCHEMA("{\"properties\": {\"a\": false}}"), "{\"a\": 1}", NULL,
         "$.a: no value is allowed");
    /* Object keywords ignore other types. */
    PASS(d, SCHEMA("{\"required\": [\"a\"]}"), "[1]", NULL);
}
END_TEST

START_TEST(schema_arrays)
{
    const sk_scorer_def *d = &sk_h_valid_json;
    const char *s = SCHEMA("{\"type\": \"object\", \"properties\": {\"items\": {\"type\": "
                           "\"array\", \"items\": {\"type\": \"integer\"}, \"minItems\": 1,"
                           " \"maxItems\": 4}}}");
    PASS(d, s, "\"{\\\"items\\\": [1, 2, 3]}\"", NULL);
    FAIL(d, s, "\"{\\\"items\\\": [1, 2, \\\"3\\\"]}\"", NULL,
         "$.items[2]: expected integer, got string");
    FAIL(d, s, "{\"items\": []}", NULL, "$.items: expected at least 1 item, got 0");
    FAIL(d, s, "{\"items\": [1, 2, 3, 4, 5]}", NULL, "$.items: expected at most 4 items, got 5");
    const char *u = SCHEMA("{\"uniqueItems\": true}");
    PASS(d, u, "[1, 2, \"1\", [1], {\"a\": 1}, {\"a\": 2}]", NULL);
    FAIL(d, u, "[1, 2, 1.0]", NULL, "items 0 and 2 are equal (uniqueItems)");
    FAIL(d, u, "[{\"a\": [1, {\"b\": null}]}, {\"a\": [1, {\"b\": null}]}]", NULL, "items 0 and 1");
    PASS(d, SCHEMA("{\"uniqueItems\": false}"), "[1, 1]", NULL);
    /* Nested arrays build nested paths. */
    FAIL(d, SCHEMA("{\"items\": {\"items\": {\"type\": \"string\"}}}"), "[[\"a\"], [\"b\", 3]]",
         NULL, "$[1][1]: expected string, got integer");
}
END_TEST

START_TEST(schema_values)
{
    const sk_scorer_def *d = &sk_h_valid_json;
    const char *e = SCHEMA("{\"enum\": [\"red\", \"green\", 3, null]}");
    PASS(d, e, "\"\\\"green\\\"\"", NULL);
    PASS(d, e, "\"3.0\"", NULL);
    PASS(d, e, "\"null\"", NULL);
    FAIL(d, e, "\"\\\"blue\\\"\"", NULL, "$: \"blue\" is not one of the allowed values");
    PASS(d, SCHEMA("{\"const\": {\"a\": [1, 2]}}"), "{\"a\": [1, 2]}", NULL);
    FAIL(d, SCHEMA("{\"const\": {\"a\": [1, 2]}}"), "{\"a\": [2, 1]}", NULL,
         "expected {\"a\":[1,2]} (const), got {\"a\":[2,1]}");
    /* Numbers by their exact values: doubles cannot tell these apart. */
    const char *big = SCHEMA("{\"enum\": [9007199254740993, 1e2]}");
    PASS(d, big, "\"9007199254740993\"", NULL);
    PASS(d, big, "\"100.0\"", NULL);
    FAIL(d, big, "\"9007199254740992\"", NULL,
         "$: 9007199254740992 is not one of the allowed values");
    FAIL(d, SCHEMA("{\"const\": 12345678901234567890}"), "\"12345678901234567891\"", NULL,
         "expected 12345678901234567890 (const), got 12345678901234567891");
    PASS(d, SCHEMA("{\"const\": {\"id\": 12345678901234567890}}"),
         "{\"id\": 1.2345678901234567890e19}", NULL);

    const char *len = SCHEMA("{\"minLength\": 2, \"maxLength\": 5}");
    PASS(d, len, "\"\\\"h\\u00e9llo\\\"\"", NULL); /* 5 code points, 6 bytes */
    FAIL(d, len, "\"\\\"x\\\"\"", NULL, "expected at least 2 characters, got 1");
    FAIL(d, len, "\"\\\"abcdef\\\"\"", NULL, "expected at most 5 characters, got 6");

    const char *num = SCHEMA("{\"minimum\": 1, \"maximum\": 10}");
    PASS(d, num, "\"1\"", NULL);
    PASS(d, num, "\"10\"", NULL);
    FAIL(d, num, "\"0.5\"", NULL, "0.5 is less than the minimum 1");
    FAIL(d, num, "\"11\"", NULL, "11 is greater than the maximum 10");
    const char *ex = SCHEMA("{\"exclusiveMinimum\": 0, \"exclusiveMaximum\": 1}");
    PASS(d, ex, "\"0.5\"", NULL);
    FAIL(d, ex, "\"0\"", NULL, "exclusiveMinimum");
    FAIL(d, ex, "\"1\"", NULL, "exclusiveMaximum");
    FAIL(d, SCHEMA("{\"minimum\": 0, \"exclusiveMinimum\": true}"), "\"0\"", NULL,
         "exclusiveMinimum");
    /* Bounds by exact value too: one double above 2^53 is above it. */
    const char *top = SCHEMA("{\"maximum\": 9007199254740992}");
    PASS(d, top, "\"9007199254740992\"", NULL);
    PASS(d, top, "\"9007199254740992.0\"", NULL);
    FAIL(d, top, "\"9007199254740993\"", NULL,
         "9007199254740993 is greater than the maximum 9007199254740992");
    const char *low = SCHEMA("{\"exclusiveMinimum\": 0.1}");
    PASS(d, low, "\"0.1000000000000000000001\"", NULL);
    FAIL(d, low, "\"0.10\"", NULL, "0.10 must be greater than 0.1 (exclusiveMinimum)");
    FAIL(d, SCHEMA("{\"minimum\": -1e-30}"), "\"-1.0000000000000001e-30\"", NULL,
         "-1.0000000000000001e-30 is less than the minimum -1e-30");
    PASS(d, SCHEMA("{\"minimum\": -1e-30, \"maximum\": 0}"), "\"-0.0\"", NULL);
    /* String and number keywords ignore other types. */
    PASS(d, len, "\"[1, 2, 3, 4, 5, 6, 7]\"", NULL);
    PASS(d, num, "\"\\\"100\\\"\"", NULL);
}
END_TEST

START_TEST(schema_rejected_at_open)
{
    const sk_scorer_def *d = &sk_h_valid_json;
    expect_open_error(d, SCHEMA("{\"oneOf\": [{\"type\": \"string\"}]}"),
                      "keyword \"oneOf\" is not supported");
    expect_open_error(d, SCHEMA("{\"$ref\": \"#/$defs/x\"}"), "\"$ref\" is not supported");
    expect_open_error(d, SCHEMA("{\"anyOf\": []}"), "\"anyOf\" is not supported");
    expect_open_error(d, SCHEMA("{\"allOf\": []}"), "\"allOf\" is not supported");
    expect_open_error(d, SCHEMA("{\"not\": {}}"), "\"not\" is not supported");
    expect_open_error(d, SCHEMA("{\"properties\": {\"a/b\": {\"pattern\": \"^x\"}}}"),
                      "at #/properties/a~1b: keyword \"pattern\" is not supported");
    expect_open_error(d, SCHEMA("{\"items\": {\"items\": {\"anyOf\": []}}}"), "#/items/items");
    expect_open_error(d, SCHEMA("{\"type\": \"str\"}"), "unknown type \"str\"");
    expect_open_error(d, SCHEMA("{\"type\": []}"), "non-empty list");
    expect_open_error(d, SCHEMA("{\"items\": [{}, {}]}"), "tuple validation");
    expect_open_error(d, SCHEMA("{\"enum\": []}"), "\"enum\" must be a non-empty list");
    expect_open_error(d, SCHEMA("{\"required\": \"a\"}"), "\"required\" must be");
    expect_open_error(d, SCHEMA("{\"minItems\": -1}"), "\"minItems\" must be an integer");
    expect_open_error(d, SCHEMA("{\"maxLength\": 1.5}"), "\"maxLength\" must be an integer");
    expect_open_error(d, SCHEMA("{\"minimum\": \"1\"}"), "\"minimum\" must be a number");
    expect_open_error(d, SCHEMA("{\"minItems\": 3, \"maxItems\": 2}"), "no value could pass");
    expect_open_error(d, SCHEMA("{\"uniqueItems\": 1}"), "\"uniqueItems\" must be");
    expect_open_error(d, SCHEMA("5"), "must be an object (or true/false)");
    expect_open_error(d, SCHEMA("{\"properties\": []}"), "\"properties\" must be an object");

    /* A schema nested deeper than the limit is refused, not recursed into. */
    char deep[4096] = "{\"schema\": ";
    for (int i = 0; i < 80; i++)
        strcat(deep, "{\"items\": ");
    strcat(deep, "{}");
    for (int i = 0; i < 80; i++)
        strcat(deep, "}");
    strcat(deep, "}");
    expect_open_error(d, deep, "nested deeper than");
}
END_TEST

/* ---- contains, icontains, starts_with --------------------------------- */

START_TEST(contains_value)
{
    const sk_scorer_def *d = &sk_h_contains;
    PASS(d, "{\"value\": \"Paris\"}", "\"The capital is Paris.\"", NULL);
    FAIL(d, "{\"value\": \"Paris\"}", "\"The capital is Rome.\"", NULL,
         "output does not contain \"Paris\"");
    FAIL(d, "{\"value\": \"Paris\"}", "\"the capital is paris\"", NULL, "does not contain");
    PASS(d, "{\"value\": \"\\u00e9t\\u00e9\"}", "\"en \\u00e9t\\u00e9\"", NULL);
    /* A non-string output is matched as its JSON text. */
    PASS(d, "{\"value\": \"\\\"a\\\":1\"}", "{\"a\":1}", NULL);
    /* The value is used, not expected. */
    FAIL(d, "{\"value\": \"x\"}", "\"abc\"", "\"abc\"", "\"x\"");
    /* Overlapping partial matches must not hide a real one (KMP). */
    PASS(d, "{\"value\": \"aab\"}", "\"aaab\"", NULL);
    PASS(d, "{\"value\": \"abab\"}", "\"ababcababab\"", NULL);
    FAIL(d, "{\"value\": \"abac\"}", "\"ababab\"", NULL, NULL);
}
END_TEST

START_TEST(contains_not)
{
    const sk_scorer_def *d = &sk_h_contains;
    PASS(d, "{\"value\": \"sorry\", \"not\": true}", "\"Here you go.\"", NULL);
    FAIL(d, "{\"value\": \"sorry\", \"not\": true}", "\"I am sorry.\"", NULL,
         "output contains \"sorry\", and not=true requires the opposite");
    /* not inverts the whole check: with mode any, no value may appear. */
    const char *none = "{\"values\": [\"a\", \"b\"], \"mode\": \"any\", \"not\": true}";
    PASS(d, none, "\"xyz\"", NULL);
    FAIL(d, none, "\"xbz\"", NULL, "\"b\"");
}
END_TEST

START_TEST(contains_values)
{
    const sk_scorer_def *d = &sk_h_contains;
    const char *all = "{\"values\": [\"Paris\", \"France\", \"Seine\"]}";
    PASS(d, all, "\"Paris, France, on the Seine\"", NULL);
    FAIL(d, all, "\"Paris, France\"", NULL, "output does not contain 1 of 3 values: \"Seine\"");
    FAIL(d, all, "\"Lyon\"", NULL, "3 of 3 values: \"Paris\", \"France\", \"Seine\"");
    const char *any = "{\"values\": [\"Paris\", \"France\"], \"mode\": \"any\"}";
    PASS(d, any, "\"in France\"", NULL);
    expect_score(d, any, "\"in France\"", NULL, 1.0, "contains 1 of 2 values: \"France\"");
    FAIL(d, any, "\"in Spain\"", NULL, "does not contain any of 2 values");
    PASS(d, "{\"values\": [\"a\"], \"mode\": \"all\"}", "\"cat\"", NULL);
}
END_TEST

START_TEST(contains_expected)
{
    const sk_scorer_def *d = &sk_h_contains;
    PASS(d, NULL, "\"The answer is 42.\"", "\"42\"");
    PASS(d, NULL, "\"The answer is 42.\"", "42");
    FAIL(d, NULL, "\"The answer is 41.\"", "\"42\"", "does not contain \"42\"");
    sk_test_result r = sk_test_score(d, NULL, "\"anything\"", NULL);
    ck_assert_int_eq(r.kind, SK_VERDICT_SKIP);
    ck_assert_msg(has(r.message, "no expected"), "%s", r.message);
    r = sk_test_score(d, NULL, "\"anything\"", "null");
    ck_assert_int_eq(r.kind, SK_VERDICT_SKIP);
    r = sk_test_score(d, NULL, "\"anything\"", "\"\"");
    ck_assert_int_eq(r.kind, SK_VERDICT_SKIP);
    ck_assert_msg(has(r.message, "empty"), "%s", r.message);
    r = sk_test_score(&sk_h_starts_with, NULL, "\"x\"", NULL);
    ck_assert_int_eq(r.kind, SK_VERDICT_SKIP);
    PASS(&sk_h_icontains, NULL, "\"PARIS!\"", "\"paris\"");
    PASS(&sk_h_starts_with, NULL, "\"Yes, it is.\"", "\"Yes\"");
}
END_TEST

START_TEST(contains_open_errors)
{
    expect_open_error(&sk_h_contains, "{\"value\": \"a\", \"values\": [\"b\"]}", "not both");
    expect_open_error(&sk_h_contains, "{\"values\": []}", "\"values\" is an empty list");
    expect_open_error(&sk_h_contains, "{\"value\": \"\"}", "\"value\" is empty");
    expect_open_error(&sk_h_icontains, "{\"values\": [\"a\", \"\"]}", "\"values\"[1] is empty");
    expect_open_error(&sk_h_starts_with, "{\"value\": \"a\", \"mode\": \"some\"}",
                      "\"mode\" must be \"all\" or \"any\"");
}
END_TEST

START_TEST(contains_nul_bytes)
{
    void *st = open_ok(&sk_h_contains, "{\"value\": \"cd\"}");
    sk_test_result r = score_raw(&sk_h_contains, st, "ab\0cd", 5, NULL, 0);
    ck_assert_double_eq(r.score, 1);
    r = score_raw(&sk_h_contains, st, "ab\0c", 4, NULL, 0);
    ck_assert_double_eq(r.score, 0);
    ck_assert_msg(has(r.rationale, "\"cd\""), "%s", r.rationale);
    sk_test_close(&sk_h_contains, st);

    /* A value from expected may hold a NUL too. */
    st = open_ok(&sk_h_contains, NULL);
    r = score_raw(&sk_h_contains, st, "xx\0y", 4, "\0y", 2);
    ck_assert_double_eq(r.score, 1);
    r = score_raw(&sk_h_contains, st, "xx\0z", 4, "\0y", 2);
    ck_assert_double_eq(r.score, 0);
    ck_assert_msg(has(r.rationale, "\\x00y"), "%s", r.rationale);
    sk_test_close(&sk_h_contains, st);
}
END_TEST

START_TEST(contains_huge)
{
    char *j = big_jstr(1u << 20, 'a', "needle");
    PASS(&sk_h_contains, "{\"value\": \"needle\"}", j, NULL);
    PASS(&sk_h_icontains, "{\"value\": \"NEEDLE\"}", j, NULL);
    FAIL(&sk_h_contains, "{\"value\": \"needles\"}", j, NULL, "does not contain");
    /* The naive search's worst case: a near-match at every position. */
    char pat[1100] = "{\"value\": \"";
    memset(pat + strlen(pat), 'a', 1000);
    strcpy(pat + strlen(pat), "b\"}");
    FAIL(&sk_h_contains, pat, j, NULL, "does not contain \"aaaa");
    free(j);
}
END_TEST

START_TEST(icontains_case)
{
    const sk_scorer_def *d = &sk_h_icontains;
    PASS(d, "{\"value\": \"PaRiS\"}", "\"the capital is pARIs.\"", NULL);
    PASS(d, "{\"value\": \"paris\"}", "\"PARIS\"", NULL);
    FAIL(d, "{\"value\": \"paris\"}", "\"Rome\"", NULL,
         "does not contain \"paris\" (ignoring ASCII case)");
    /* Only ASCII folds. */
    FAIL(d, "{\"value\": \"\\u00c9t\\u00e9\"}", "\"\\u00e9t\\u00e9\"", NULL, NULL);
    PASS(d, "{\"values\": [\"ONE\", \"two\"], \"mode\": \"all\"}", "\"One, TWO\"", NULL);
    FAIL(d, "{\"value\": \"x\", \"not\": true}", "\"X\"", NULL, "not=true");
}
END_TEST

START_TEST(starts_with_value)
{
    const sk_scorer_def *d = &sk_h_starts_with;
    PASS(d, "{\"value\": \"Yes\"}", "\"Yes, it is.\"", NULL);
    FAIL(d, "{\"value\": \"Yes\"}", "\"No, it is not.\"", NULL,
         "output does not start with \"Yes\"; it starts with \"No, it is not.\"");
    FAIL(d, "{\"value\": \"Yes\"}", "\" Yes\"", NULL, "does not start with");
    FAIL(d, "{\"value\": \"Yes\"}", "\"yes\"", NULL, NULL);
    FAIL(d, "{\"value\": \"Yes!\"}", "\"Yes\"", NULL, NULL);
    PASS(d, "{\"values\": [\"Yes\", \"No\"], \"mode\": \"any\"}", "\"No.\"", NULL);
    FAIL(d, "{\"values\": [\"Yes\", \"No\"], \"mode\": \"any\"}", "\"Maybe\"", NULL,
         "does not start with any of 2 values");
    PASS(d, "{\"value\": \"Yes\", \"not\": true}", "\"No\"", NULL);
    FAIL(d, "{\"value\": \"Yes\", \"not\": true}", "\"Yes\"", NULL, "not=true");
}
END_TEST

/* ---- regex ------------------------------------------------------------- */

START_TEST(regex_match)
{
    const sk_scorer_def *d = &sk_h_regex;
    PASS(d, "{\"pattern\": \"\\\\d{3}-\\\\d{4}\"}", "\"call 555-1234 now\"", NULL);
    expect_score(d, "{\"pattern\": \"\\\\d{3}-\\\\d{4}\"}", "\"call 555-1234 now\"", NULL, 1,
                 "at byte 5: \"555-1234\"");
    FAIL(d, "{\"pattern\": \"\\\\d{3}-\\\\d{4}\"}", "\"call me\"", NULL,
         "output does not match /\\d{3}-\\d{4}/");
    FAIL(d, "{\"pattern\": \"^yes$\"}", "\"yes!\"", NULL, NULL);
    PASS(d, "{\"pattern\": \"\\\"a\\\":1\"}", "{\"a\":1}", NULL);
    PASS(d, "{\"pattern\": \"sorry\", \"not\": true}", "\"fine\"", NULL);
    FAIL(d, "{\"pattern\": \"sorry\", \"not\": true}", "\"so sorry\"", NULL, "not=true");
}
END_TEST

START_TEST(regex_flags)
{
    const sk_scorer_def *d = &sk_h_regex;
    FAIL(d, "{\"pattern\": \"paris\"}", "\"PARIS\"", NULL, NULL);
    PASS(d, "{\"pattern\": \"paris\", \"flags\": \"i\"}", "\"PARIS\"", NULL);
    FAIL(d, "{\"pattern\": \"^b$\"}", "\"a\\nb\\nc\"", NULL, NULL);
    PASS(d, "{\"pattern\": \"^b$\", \"flags\": \"m\"}", "\"a\\nb\\nc\"", NULL);
    FAIL(d, "{\"pattern\": \"a.c\"}", "\"a\\nc\"", NULL, NULL);
    PASS(d, "{\"pattern\": \"a.c\", \"flags\": \"s\"}", "\"a\\nc\"", NULL);
    FAIL(d, "{\"pattern\": \"a b # comment\"}", "\"ab\"", NULL, NULL);
    PASS(d, "{\"pattern\": \"a b # comment\", \"flags\": \"x\"}", "\"ab\"", NULL);
    PASS(d, "{\"pattern\": \"^A.C$\", \"flags\": \"ism\"}", "\"x\\na\\nc\\ny\"", NULL);
    expect_open_error(d, "{\"pattern\": \"a\", \"flags\": \"ig\"}", "unknown flag 'g'");
}
END_TEST

START_TEST(regex_bad_pattern)
{
    expect_open_error(&sk_h_regex, "{\"pattern\": \"(abc\"}",
                      "param \"pattern\" does not compile: missing closing parenthesis at offset "
                      "4 of /(abc/");
    expect_open_error(&sk_h_regex, "{\"pattern\": \"a{2,1}\"}", "does not compile");
    expect_open_error(&sk_h_regex, "{\"pattern\": \"[z-a]\"}", "offset");
}
END_TEST

START_TEST(regex_catastrophic)
{
    /* Exponential backtracking: must end with an error or a verdict. */
    sk_test_result r = sk_test_score(&sk_h_regex, "{\"pattern\": \"(a+)+$\"}",
                                     "\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaab\"", NULL);
    ck_assert_msg(r.kind == SK_VERDICT_ERROR || r.kind == SK_VERDICT_SCORE, "kind %d", (int)r.kind);
    if (r.kind == SK_VERDICT_ERROR)
        ck_assert_msg(has(r.message, "regex") && has(r.message, "limit"), "%s", r.message);
    else
        ck_assert_double_eq(r.score, 0); /* the b means $ can never follow an a */

    r = sk_test_score(&sk_h_regex, "{\"pattern\": \"^(\\\\w+\\\\s?)*$\"}",
                      "\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!\"",
                      NULL);
    ck_assert_msg(r.kind == SK_VERDICT_ERROR || r.kind == SK_VERDICT_SCORE, "kind %d", (int)r.kind);
    if (r.kind == SK_VERDICT_ERROR)
        ck_assert_msg(has(r.message, "regex:"), "%s", r.message);
    else
        ck_assert_double_eq(r.score, 0);
}
END_TEST

START_TEST(regex_bytes_and_unicode)
{
    void *st = open_ok(&sk_h_regex, "{\"pattern\": \"c$\"}");
    sk_test_result r = score_raw(&sk_h_regex, st, "ab\0c", 4, NULL, 0);
    ck_assert_double_eq(r.score, 1);
    sk_test_close(&sk_h_regex, st);

    st = open_ok(&sk_h_regex, "{\"pattern\": \"a\\\\x00b\"}");
    r = score_raw(&sk_h_regex, st, "xa\0b", 4, NULL, 0);
    ck_assert_double_eq(r.score, 1);
    ck_assert_msg(has(r.rationale, "\"a\\x00b\""), "%s", r.rationale);
    /* Invalid UTF-8 in the output never matches, and is not an error. */
    r = score_raw(&sk_h_regex, st, "\xff\xfe", 2, NULL, 0);
    ck_assert_int_eq(r.kind, SK_VERDICT_SCORE);
    ck_assert_double_eq(r.score, 0);
    r = score_raw(&sk_h_regex, st,
                  "\xff"
                  "a\0b",
                  4, NULL, 0);
    ck_assert_double_eq(r.score, 1);
    sk_test_close(&sk_h_regex, st);

    /* UTF-8 mode: one dot per code point. */
    PASS(&sk_h_regex, "{\"pattern\": \"^.{5}$\"}", "\"h\\u00e9llo\"", NULL);
    PASS(&sk_h_regex, "{\"pattern\": \"^h.llo$\"}", "\"h\\u00e9llo\"", NULL);
    PASS(&sk_h_regex, "{\"pattern\": \"\\u00c9T\\u00c9\", \"flags\": \"i\"}",
         "\"un \\u00e9t\\u00e9\"", NULL);
    PASS(&sk_h_regex, "{\"pattern\": \"\\u6771\\u4eac\"}", "\"\\u6771\\u4eac\\u90fd\"", NULL);
}
END_TEST

START_TEST(regex_huge)
{
    char *j = big_jstr(1u << 20, 'x', " the end");
    PASS(&sk_h_regex, "{\"pattern\": \"the end$\"}", j, NULL);
    FAIL(&sk_h_regex, "{\"pattern\": \"\\\\d{3}\"}", j, NULL, "does not match");
    PASS(&sk_h_regex, "{\"pattern\": \"^x+ the\"}", j, NULL);
    free(j);
}
END_TEST

typedef struct regex_job {
    void *state;
    int wrong;
} regex_job;

static void *regex_worker(void *arg)
{
    regex_job *job = arg;
    for (int i = 0; i < 300; i++) {
        const char *out = i % 2 ? "\"order 12345 shipped\"" : "\"no number here\"";
        sk_test_result r = sk_test_score_state(&sk_h_regex, job->state, out, NULL);
        if (r.kind != SK_VERDICT_SCORE || r.score != (i % 2 ? 1.0 : 0.0))
            job->wrong++;
    }
    return NULL;
}

START_TEST(regex_threads)
{
    void *st = open_ok(&sk_h_regex, "{\"pattern\": \"\\\\b\\\\d{5}\\\\b\"}");
    regex_job jobs[2] = {{st, 0}, {st, 0}};
    pthread_t t[2];
    for (int i = 0; i < 2; i++)
        ck_assert_int_eq(pthread_create(&t[i], NULL, regex_worker, &jobs[i]), 0);
    for (int i = 0; i < 2; i++)
        pthread_join(t[i], NULL);
    sk_test_close(&sk_h_regex, st);
    ck_assert_int_eq(jobs[0].wrong, 0);
    ck_assert_int_eq(jobs[1].wrong, 0);
}
END_TEST

/* ---- word_count -------------------------------------------------------- */

START_TEST(word_count_bounds)
{
    const sk_scorer_def *d = &sk_h_word_count;
    const char *b = "{\"min\": 2, \"max\": 4}";
    expect_score(d, b, "\"one two three\"", NULL, 1,
                 "output has 3 words; allowed: between 2 and 4");
    FAIL(d, b, "\"one\"", NULL, "output has 1 word; expected between 2 and 4");
    FAIL(d, b, "\"a b c d e\"", NULL, "output has 5 words");
    PASS(d, b, "\"  one \\n\\t two  \"", NULL);
    PASS(d, "{\"min\": 3}", "\"well-known, isn't it?\"", NULL);
    FAIL(d, "{\"min\": 4}", "\"well-known, isn't it?\"", NULL, "expected at least 4");
    PASS(d, "{\"max\": 0}", "\"\"", NULL);
    FAIL(d, "{\"max\": 1}", "\"a b\"", NULL, "expected at most 1");
    PASS(d, "{\"min\": 0, \"max\": 0}", "\"  \\n \"", NULL);
    PASS(d, "{\"min\": 3, \"max\": 3}", "[1, 2, 3]", NULL); /* JSON text "[1," "2," "3]" */
    PASS(d, "{\"max\": 3, \"not\": true}", "\"a b c d\"", NULL);
    FAIL(d, "{\"max\": 3, \"not\": true}", "\"a b c\"", NULL, "not=true");

    sk_test_result r = sk_test_score(d, b, "\"one two three\"", NULL);
    ck_assert_str_eq(r.meta, "{\"words\":3}");
}
END_TEST

START_TEST(word_count_unicode_spaces)
{
    const sk_scorer_def *d = &sk_h_word_count;
    /* NBSP, ideographic space, em space, narrow NBSP, line separator. */
    PASS(d, "{\"min\": 6, \"max\": 6}", "\"a\\u00a0b\\u3000c\\u2003d\\u202fe\\u2028f\"", NULL);
    /* A zero-width space joins; so does U+200B's neighbour U+200C. */
    PASS(d, "{\"min\": 1, \"max\": 1}", "\"a\\u200bb\\u200cc\"", NULL);
    PASS(d, "{\"min\": 2, \"max\": 2}", "\"\\u00e9t\\u00e9 \\u6771\\u4eac\"", NULL);

    void *st = open_ok(d, "{\"min\": 2, \"max\": 2}");
    sk_test_result r = score_raw(d, st, "a\0b c", 5, NULL, 0); /* NUL is not a space */
    ck_assert_double_eq(r.score, 1);
    r = score_raw(d, st, "a \xe2\x80", 4, NULL, 0); /* truncated sequence */
    ck_assert_double_eq(r.score, 1);
    sk_test_close(d, st);
}
END_TEST

START_TEST(word_count_bad_bounds)
{
    const sk_scorer_def *d = &sk_h_word_count;
    expect_open_error(d, NULL, "set \"min\", \"max\" or both");
    expect_open_error(d, "{\"min\": 5, \"max\": 2}", "\"min\" (5) is greater than \"max\" (2)");
    expect_open_error(d, "{\"min\": -1}", "\"min\" is -1");
    expect_open_error(d, "{\"max\": -3}", "\"max\" is -3");
}
END_TEST

/* ---- suite ------------------------------------------------------------- */

static Suite *patterns_suite(void)
{
    Suite *s = suite_create("patterns");
    struct {
        const char *name;
        const TTest *tests[12];
    } groups[] = {
        {"defs", {defs_are_complete, host_rejects_bad_params}},
        {"valid_json",
         {valid_json_plain, valid_json_raw_bytes, valid_json_deep_nesting, valid_json_not}},
        {"schema",
         {schema_type, schema_objects, schema_arrays, schema_values, schema_rejected_at_open}},
        {"contains",
         {contains_value, contains_not, contains_values, contains_expected, contains_open_errors,
          contains_nul_bytes, contains_huge, icontains_case, starts_with_value}},
        {"regex",
         {regex_match, regex_flags, regex_bad_pattern, regex_catastrophic, regex_bytes_and_unicode,
          regex_huge, regex_threads}},
        {"word_count", {word_count_bounds, word_count_unicode_spaces, word_count_bad_bounds}},
    };
    for (size_t g = 0; g < sizeof groups / sizeof groups[0]; g++) {
        TCase *tc = tcase_create(groups[g].name);
        tcase_set_timeout(tc, 60);
        for (size_t i = 0; groups[g].tests[i]; i++)
            tcase_add_test(tc, groups[g].tests[i]);
        suite_add_tcase(s, tc);
    }
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(patterns_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
