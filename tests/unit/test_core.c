/*
 * Tests for the host side of the plugin ABI: the verdict rules that turn a
 * misbehaving scorer's report into an error naming it (host.c), the JSON
 * look-ups, JSON check and logger in the host table, parameter checking
 * against a scorer's declarations (params.c), and the error-code helpers
 * (error.c).
 * Scorers here are driven through a host table exactly as plugins see it.
 */
#include <check.h>
#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "engine/host.h"
#include "engine/params.h"
#include "sk_test.h"
#include "base/util.h"

/* ---- host verdict rules ----------------------------------------------- */

static void assert_error_naming(const sk_result *r, const char *scorer, const char *also)
{
    ck_assert_int_eq(r->kind, SK_VERDICT_ERROR);
    ck_assert_ptr_nonnull(r->message.data);
    ck_assert_msg(strstr(r->message.data, scorer), "message does not name %s: %s", scorer,
                  r->message.data);
    if (also)
        ck_assert_msg(strstr(r->message.data, also), "message lacks \"%s\": %s", also,
                      r->message.data);
}

START_TEST(score_above_one_is_error)
{
    const sk_host *h = sk_test_host();
    sk_result r = {0};
    sk_result_reset(&r);
    h->set_score(&r, 1.5);
    sk_result_finish(&r, 0, "too_high");
    assert_error_naming(&r, "too_high", "1.5");
    ck_assert_ptr_nonnull(strstr(r.message.data, "[0,1]"));
    sk_result_free(&r);
}
END_TEST

START_TEST(score_below_zero_is_error)
{
    const sk_host *h = sk_test_host();
    sk_result r = {0};
    sk_result_reset(&r);
    h->set_score(&r, -0.1);
    sk_result_finish(&r, 0, "too_low");
    assert_error_naming(&r, "too_low", "-0.1");
    sk_result_free(&r);
}
END_TEST

START_TEST(score_nan_is_error)
{
    const sk_host *h = sk_test_host();
    sk_result r = {0};
    sk_result_reset(&r);
    h->set_score(&r, NAN);
    sk_result_finish(&r, 0, "not_a_number");
    assert_error_naming(&r, "not_a_number", "nan");
    sk_result_free(&r);
}
END_TEST

START_TEST(score_bounds_are_kept)
{
    const sk_host *h = sk_test_host();
    sk_result r = {0};
    const double ok[] = {0.0, 1.0, 0.5, 1e-300};
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        sk_result_reset(&r);
        h->set_score(&r, ok[i]);
        sk_result_finish(&r, 0, "edge");
        ck_assert_int_eq(r.kind, SK_VERDICT_SCORE);
        ck_assert_double_eq(r.score, ok[i]);
    }
    sk_result_free(&r);
}
END_TEST

START_TEST(no_verdict_is_error)
{
    sk_result r = {0};
    sk_result_reset(&r);
    sk_result_finish(&r, 0, "silent_one");
    assert_error_naming(&r, "silent_one", "no verdict");
    sk_result_free(&r);
}
END_TEST

START_TEST(nonzero_rc_without_message_is_error)
{
    sk_result r = {0};
    sk_result_reset(&r);
    sk_result_finish(&r, -1, "failing_one");
    assert_error_naming(&r, "failing_one", "-1");

    /* A non-zero return wins over a score that was set before failing. */
    sk_result_reset(&r);
    sk_test_host()->set_score(&r, 0.5);
    sk_result_finish(&r, 3, "half_done");
    assert_error_naming(&r, "half_done", "3");
    sk_result_free(&r);
}
END_TEST

START_TEST(error_message_is_kept)
{
    const sk_host *h = sk_test_host();
    sk_result r = {0};
    sk_result_reset(&r);
    h->set_error(&r, "bad row %d", 7);
    sk_result_finish(&r, -1, "explained");
    ck_assert_int_eq(r.kind, SK_VERDICT_ERROR);
    ck_assert_str_eq(r.message.data, "bad row 7");
    sk_result_free(&r);
}
END_TEST

START_TEST(meta_not_object_is_error)
{
    const sk_host *h = sk_test_host();
    sk_result r = {0};
    sk_result_reset(&r);
    h->set_score(&r, 0.5);
    h->set_meta(&r, "[1,2]");
    sk_result_finish(&r, 0, "bad_meta");
    assert_error_naming(&r, "bad_meta", "not a JSON object");

    sk_result_reset(&r);
    h->set_score(&r, 0.5);
    h->set_meta(&r, "{\"a\":");
    sk_result_finish(&r, 0, "broken_meta");
    assert_error_naming(&r, "broken_meta", "not valid JSON");

    /* Metadata set before the score counts too (order does not matter). */
    sk_result_reset(&r);
    h->set_meta(&r, "42");
    h->set_score(&r, 0.5);
    sk_result_finish(&r, 0, "early_meta");
    assert_error_naming(&r, "early_meta", "not a JSON object");
    sk_result_free(&r);
}
END_TEST

START_TEST(valid_score_keeps_rationale_and_meta)
{
    const sk_host *h = sk_test_host();
    sk_result r = {0};
    sk_result_reset(&r);
    h->set_score(&r, 0.75);
    h->set_rationale(&r, "%d of %d words", 3, 4);
    h->set_meta(&r, "{ \"matched\" : [1, 2],\n \"why\": \"x\" }");
    sk_result_finish(&r, 0, "good");
    ck_assert_int_eq(r.kind, SK_VERDICT_SCORE);
    ck_assert_double_eq(r.score, 0.75);
    ck_assert_str_eq(r.rationale.data, "3 of 4 words");
    ck_assert_uint_eq(r.rationale.len, strlen("3 of 4 words"));
    /* stored compact, so it can be pasted into a JSON line as is */
    ck_assert_str_eq(r.meta.data, "{\"matched\":[1,2],\"why\":\"x\"}");
    ck_assert_uint_eq(r.meta.len, strlen(r.meta.data));
    ck_assert_uint_eq(r.message.len, 0);
    sk_result_free(&r);
}
END_TEST

START_TEST(last_verdict_wins)
{
    const sk_host *h = sk_test_host();
    sk_result r = {0};
    sk_result_reset(&r);
    h->set_error(&r, "first");
    h->set_score(&r, 0.25);
    sk_result_finish(&r, 0, "changed_mind");
    ck_assert_int_eq(r.kind, SK_VERDICT_SCORE);
    ck_assert_double_eq(r.score, 0.25);

    sk_result_reset(&r);
    h->set_score(&r, 0.25);
    h->set_skip(&r, "not for %s", "me");
    sk_result_finish(&r, 0, "skipper");
    ck_assert_int_eq(r.kind, SK_VERDICT_SKIP);
    ck_assert_str_eq(r.message.data, "not for me");
    sk_result_free(&r);
}
END_TEST

START_TEST(reset_reuses_buffers)
{
    const sk_host *h = sk_test_host();
    sk_result r = {0};
    sk_result_reset(&r);
    h->set_score(&r, 0.5);
    h->set_rationale(&r, "a long enough rationale to allocate a buffer");
    h->set_meta(&r, "{\"k\":\"a long enough value to allocate\"}");
    h->set_skip(&r, "and a message");
    char *rat = r.rationale.data, *meta = r.meta.data, *msg = r.message.data;
    ck_assert_ptr_nonnull(rat);
    ck_assert_ptr_nonnull(meta);
    ck_assert_ptr_nonnull(msg);

    sk_result_reset(&r);
    ck_assert_int_eq(r.kind, SK_VERDICT_NONE);
    ck_assert_double_eq(r.score, 0);
    ck_assert_uint_eq(r.rationale.len, 0);
    ck_assert_uint_eq(r.meta.len, 0);
    ck_assert_uint_eq(r.message.len, 0);
    ck_assert_str_eq(r.rationale.data, "");

    h->set_score(&r, 0.5);
    h->set_rationale(&r, "short");
    h->set_meta(&r, "{}");
    h->set_skip(&r, "again");
    ck_assert_ptr_eq(r.rationale.data, rat);
    ck_assert_ptr_eq(r.meta.data, meta);
    ck_assert_ptr_eq(r.message.data, msg);
    ck_assert_str_eq(r.rationale.data, "short");
    ck_assert_str_eq(r.meta.data, "{}");
    ck_assert_str_eq(r.message.data, "again");
    sk_result_free(&r);
    ck_assert_ptr_null(r.rationale.data);
}
END_TEST

START_TEST(host_errorf_and_skipf)
{
    sk_result r = {0};
    sk_result_reset(&r);
    sk_result_skipf(&r, "no %s", "expected");
    ck_assert_int_eq(r.kind, SK_VERDICT_SKIP);
    ck_assert_str_eq(r.message.data, "no expected");
    sk_result_errorf(&r, "host says %d", 5);
    sk_result_finish(&r, 0, "x");
    ck_assert_int_eq(r.kind, SK_VERDICT_ERROR);
    ck_assert_str_eq(r.message.data, "host says 5");
    sk_result_free(&r);
}
END_TEST

START_TEST(host_table)
{
    const sk_host *h = sk_test_host();
    ck_assert_uint_eq(h->size, sizeof(sk_host));
    ck_assert_int_eq(h->abi, SK_PLUGIN_ABI);
    ck_assert_ptr_nonnull(h->version);
    ck_assert_uint_gt(strlen(h->version), 0);
    ck_assert_ptr_eq(sk_test_host(), h);
    void *p = h->alloc(16);
    ck_assert_ptr_nonnull(p);
    h->free(p);
}
END_TEST

START_TEST(host_json_lookups)
{
    const sk_host *h = sk_test_host();
    const char *j = "{\"a\":{\"b\":true,\"n\":2.5,\"s\":\"x\\u00e9\"},\"z\":null,\"t\":\"str\"}";
    int b = -1;
    double d = -1;
    char *s = NULL;
    ck_assert_int_eq(h->json_get_bool(j, "a.b", &b), 1);
    ck_assert_int_eq(b, 1);
    ck_assert_int_eq(h->json_get_number(j, "a.n", &d), 1);
    ck_assert_double_eq(d, 2.5);
    ck_assert_int_eq(h->json_get_string(j, "a.s", &s), 1);
    ck_assert_str_eq(s, "x\xc3\xa9");
    h->free(s);
    /* absent or null: 0; wrong type or not JSON: -1 */
    ck_assert_int_eq(h->json_get_bool(j, "a.nope", &b), 0);
    ck_assert_int_eq(h->json_get_bool(j, "z", &b), 0);
    ck_assert_int_eq(h->json_get_bool(j, "t.deeper", &b), 0);
    ck_assert_int_eq(h->json_get_number(j, "t", &d), -1);
    ck_assert_int_eq(h->json_get_string(j, "a.n", &s), -1);
    ck_assert_int_eq(h->json_get_bool("{oops", "a", &b), -1);
    ck_assert_int_eq(h->json_get_number(NULL, "a", &d), 0);
    /* "" is the value itself: how a plugin reads a case field */
    ck_assert_int_eq(h->json_get_string("\"whole\"", "", &s), 1);
    ck_assert_str_eq(s, "whole");
    h->free(s);
    ck_assert_int_eq(h->json_get_number("3", "", &d), 1);
    ck_assert_double_eq(d, 3);
}
END_TEST

START_TEST(host_json_check)
{
    const sk_host *h = sk_test_host();
    ck_assert(SK_HAS_FIELD(h, sk_host, json_check));
    size_t at = 99;
    char why[128] = "x";
    const char *ok = "{\"a\": [1, 2.5, \"x\\u00e9\", true, null]}";
    ck_assert_int_eq(h->json_check(ok, strlen(ok), &at, why, sizeof why), 1);
    ck_assert_str_eq(why, "");
    const char *str = " \"just a string\" ";
    ck_assert_int_eq(h->json_check(str, strlen(str), &at, why, sizeof why), 1);

    /* The offset is a byte offset; the reason carries no position. */
    const char *bad = "{\"a\": [1, 2,]}";
    ck_assert_int_eq(h->json_check(bad, strlen(bad), &at, why, sizeof why), 0);
    ck_assert_uint_eq(at, 12);
    ck_assert_str_eq(why, "trailing comma in array");
    ck_assert_int_eq(h->json_check("[1] [2]", 7, &at, why, sizeof why), 0);
    ck_assert_uint_eq(at, 4);
    ck_assert_int_eq(h->json_check("{\"a\": 1", 7, &at, why, sizeof why), 0);
    ck_assert_uint_eq(at, 7);
    ck_assert_str_eq(why, "input ends inside an object (missing '}')");
    /* len is honoured: the text need not be NUL-terminated. */
    ck_assert_int_eq(h->json_check("[1]garbage", 3, &at, why, sizeof why), 1);

    /* A short buffer still gets a terminated reason. */
    char small[6];
    ck_assert_int_eq(h->json_check("tru", 3, &at, small, sizeof small), 0);
    ck_assert_uint_eq(at, 0);
    ck_assert_str_eq(small, "inval");
    ck_assert_int_eq(h->json_check("", 0, &at, why, sizeof why), 0);
    ck_assert_uint_eq(at, 0);
}
END_TEST

typedef struct log_seen {
    int calls;
    sk_log_level level;
    char scorer[64];
    char msg[128];
} log_seen;

static void test_logger(sk_log_level level, const char *scorer, const char *msg, void *ud)
{
    log_seen *seen = ud;
    seen->calls++;
    seen->level = level;
    snprintf(seen->scorer, sizeof seen->scorer, "%s", scorer ? scorer : "(null)");
    snprintf(seen->msg, sizeof seen->msg, "%s", msg);
}

START_TEST(host_logger)
{
    const sk_host *h = sk_test_host();
    log_seen seen = {0};
    h->log(SK_LOG_WARN, "quiet", "dropped %d", 1); /* no logger: dropped, no crash */
    sk_host_set_logger(test_logger, &seen);
    h->log(SK_LOG_WARN, "lev", "value %d of %s", 3, "x");
    sk_host_set_logger(NULL, NULL);
    h->log(SK_LOG_ERROR, "lev", "after");
    ck_assert_int_eq(seen.calls, 1);
    ck_assert_int_eq(seen.level, SK_LOG_WARN);
    ck_assert_str_eq(seen.scorer, "lev");
    ck_assert_str_eq(seen.msg, "value 3 of x");
}
END_TEST

/* ---- params ------------------------------------------------------------ */

static const sk_param_def all_params[] = {
    {"flag", SK_PARAM_BOOL, "true", "a bool"},
    {"ratio", SK_PARAM_NUMBER, "0.5", "a number"},
    {"count", SK_PARAM_INTEGER, "3", "an integer"},
    {"label", SK_PARAM_STRING, "\"x\"", "a string"},
    {"words", SK_PARAM_STRING_LIST, "[\"a\"]", "a list"},
    {"extra", SK_PARAM_JSON, "null", "anything"},
    {"needed", SK_PARAM_STRING, NULL, "the one you must give"},
    {NULL, 0, NULL, NULL}};

static const sk_param_def optional_params[] = {{"flag", SK_PARAM_BOOL, "false", "a bool"},
                                               {NULL, 0, NULL, NULL}};

static const sk_param_def bad_default[] = {{"broken", SK_PARAM_NUMBER, "{", "oops"},
                                           {NULL, 0, NULL, NULL}};
/* Valid JSON prefix followed by junk: "1.2" then ".3". */
static const sk_param_def junk_default[] = {{"broken", SK_PARAM_NUMBER, "1.2.3", "oops"},
                                            {NULL, 0, NULL, NULL}};
/* Valid JSON of the wrong type for the declaration. */
static const sk_param_def mistyped_default[] = {{"flag", SK_PARAM_BOOL, "\"yes\"", "oops"},
                                                {NULL, 0, NULL, NULL}};

#define DEF(var, nm, tbl)                                                                          \
    static const sk_scorer_def var = {                                                             \
        sizeof(sk_scorer_def), nm, "test", 0, 0, tbl, NULL, NULL, NULL}
DEF(def_all, "all", all_params);
DEF(def_optional, "optional", optional_params);
DEF(def_none, "none", NULL);
DEF(def_bad_default, "bad_default", bad_default);
DEF(def_junk_default, "junk_default", junk_default);
DEF(def_mistyped_default, "mistyped_default", mistyped_default);

/* Resolve `given` (JSON text or NULL); returns rc, fills *out / *err. */
static int resolve(const sk_scorer_def *def, const char *given, char **out, char **err)
{
    cJSON *g = NULL;
    if (given) {
        g = cJSON_Parse(given);
        ck_assert_msg(g != NULL, "test bug: not JSON: %s", given);
    }
    *out = NULL;
    *err = NULL;
    int rc = sk_params_resolve(def, "pack.json: scorer \"s\" (all)", g, out, err);
    cJSON_Delete(g);
    if (rc) {
        ck_assert_ptr_null(*out);
        ck_assert_ptr_nonnull(*err);
    } else {
        ck_assert_ptr_nonnull(*out);
    }
    return rc;
}

/* Expect an EINVAL whose message holds every string in `want` (NULL-ended). */
static void expect_param_error(const sk_scorer_def *def, const char *given, const char *const *want)
{
    char *out, *err;
    int rc = resolve(def, given, &out, &err);
    if (rc == SK_OK)
        free(out); /* before failing, so a failure leaks nothing under CK_FORK=no */
    ck_assert_msg(rc == SK_EINVAL, "params %s: expected SK_EINVAL, got %d: %s", given, rc,
                  rc == SK_OK ? "accepted" : err);
    ck_assert_msg(strstr(err, "pack.json: scorer \"s\" (all)"), "message lacks where: %s", err);
    for (; *want; want++)
        ck_assert_msg(strstr(err, *want), "params %s: message lacks \"%s\": %s", given, *want, err);
    free(err);
}

START_TEST(params_defaults_filled)
{
    char *out, *err;
    ck_assert_int_eq(resolve(&def_all, "{\"needed\":\"n\",\"count\":7}", &out, &err), SK_OK);
    cJSON *v = cJSON_Parse(out);
    ck_assert_ptr_nonnull(v);
    ck_assert_int_eq(cJSON_GetArraySize(v), 7);
    ck_assert(cJSON_IsTrue(cJSON_GetObjectItem(v, "flag")));
    ck_assert_double_eq(cJSON_GetObjectItem(v, "ratio")->valuedouble, 0.5);
    ck_assert_double_eq(cJSON_GetObjectItem(v, "count")->valuedouble, 7);
    ck_assert_str_eq(cJSON_GetObjectItem(v, "label")->valuestring, "x");
    const cJSON *words = cJSON_GetObjectItem(v, "words");
    ck_assert(cJSON_IsArray(words));
    ck_assert_str_eq(cJSON_GetArrayItem(words, 0)->valuestring, "a");
    ck_assert(cJSON_IsNull(cJSON_GetObjectItem(v, "extra")));
    ck_assert_str_eq(cJSON_GetObjectItem(v, "needed")->valuestring, "n");
    cJSON_Delete(v);
    free(out);
}
END_TEST

START_TEST(params_null_given)
{
    char *out, *err;
    /* NULL and JSON null both mean "no params": defaults only */
    ck_assert_int_eq(resolve(&def_optional, NULL, &out, &err), SK_OK);
    ck_assert_str_eq(out, "{\"flag\":false}");
    free(out);
    ck_assert_int_eq(resolve(&def_optional, "null", &out, &err), SK_OK);
    ck_assert_str_eq(out, "{\"flag\":false}");
    free(out);
    ck_assert_int_eq(resolve(&def_none, NULL, &out, &err), SK_OK);
    ck_assert_str_eq(out, "{}");
    free(out);
    ck_assert_int_eq(resolve(&def_none, "{}", &out, &err), SK_OK);
    ck_assert_str_eq(out, "{}");
    free(out);
    /* ...but a required param still has to be given */
    const char *want[] = {"\"needed\"", "required", "the one you must give", NULL};
    expect_param_error(&def_all, NULL, want);
}
END_TEST

START_TEST(params_required_missing)
{
    const char *want[] = {"param \"needed\" is required", NULL};
    expect_param_error(&def_all, "{\"flag\":false}", want);
}
END_TEST

START_TEST(params_unknown_key_lists_known)
{
    const char *want[] = {"unknown param \"colour\"",
                          "flag, ratio, count, label, words, extra, needed", NULL};
    expect_param_error(&def_all, "{\"needed\":\"n\",\"colour\":\"red\"}", want);
    const char *none[] = {"unknown param \"x\"", "none", NULL};
    expect_param_error(&def_none, "{\"x\":1}", none);
    /* keys are case-sensitive */
    const char *caps[] = {"unknown param \"Flag\"", NULL};
    expect_param_error(&def_all, "{\"needed\":\"n\",\"Flag\":true}", caps);
}
END_TEST

START_TEST(params_not_an_object)
{
    const char *want[] = {"\"params\" must be a JSON object", NULL};
    expect_param_error(&def_all, "[1,2]", want);
    expect_param_error(&def_all, "\"needed\"", want);
}
END_TEST

START_TEST(params_wrong_types)
{
    static const struct {
        const char *given, *name, *type;
    } cases[] = {
        {"{\"needed\":\"n\",\"flag\":\"yes\"}", "flag", "bool"},
        {"{\"needed\":\"n\",\"flag\":1}", "flag", "bool"},
        {"{\"needed\":\"n\",\"ratio\":\"0.5\"}", "ratio", "number"},
        {"{\"needed\":\"n\",\"ratio\":true}", "ratio", "number"},
        {"{\"needed\":\"n\",\"count\":\"3\"}", "count", "integer"},
        {"{\"needed\":\"n\",\"count\":2.5}", "count", "integer"},
        {"{\"needed\":\"n\",\"count\":1e300}", "count", "integer"},
        {"{\"needed\":\"n\",\"label\":5}", "label", "string"},
        {"{\"needed\":\"n\",\"label\":null}", "label", "string"},
        {"{\"needed\":\"n\",\"label\":[\"x\"]}", "label", "string"},
        {"{\"needed\":\"n\",\"words\":\"a\"}", "words", "list of strings"},
        {"{\"needed\":\"n\",\"words\":[\"a\",1]}", "words", "list of strings"},
        {"{\"needed\":\"n\",\"words\":{}}", "words", "list of strings"},
        {"{\"needed\":7}", "needed", "string"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char quoted[64];
        snprintf(quoted, sizeof quoted, "param \"%s\" must be", cases[i].name);
        const char *want[] = {quoted, cases[i].type, NULL};
        expect_param_error(&def_all, cases[i].given, want);
    }
}
END_TEST

START_TEST(params_right_types)
{
    char *out, *err;
    const char *ok[] = {
        "{\"needed\":\"\",\"count\":2.0}",             /* an integral number is an integer */
        "{\"needed\":\"n\",\"count\":-4,\"ratio\":7}", /* an integer is a number */
        "{\"needed\":\"n\",\"count\":9007199254740991}",
        "{\"needed\":\"n\",\"words\":[]}",
        "{\"needed\":\"n\",\"extra\":{\"any\":[1,\"x\",null]}}",
        "{\"needed\":\"n\",\"extra\":\"text\"}",
    };
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        int rc = resolve(&def_all, ok[i], &out, &err);
        ck_assert_msg(rc == SK_OK, "%s: %s", ok[i], err ? err : "");
        free(out);
    }
    ck_assert_int_eq(resolve(&def_all, "{\"needed\":\"n\",\"count\":2.0}", &out, &err), SK_OK);
    cJSON *v = cJSON_Parse(out);
    ck_assert_double_eq(cJSON_GetObjectItem(v, "count")->valuedouble, 2);
    cJSON_Delete(v);
    free(out);
}
END_TEST

START_TEST(params_bad_default_is_scorer_bug)
{
    const char *want[] = {"\"broken\"", "is not one JSON", "bug in the scorer", NULL};
    expect_param_error(&def_bad_default, NULL, want);
}
END_TEST

/* A default with junk after a JSON prefix must not be read as the prefix. */
START_TEST(params_default_with_trailing_junk)
{
    const char *want[] = {"\"broken\"", "1.2.3", "bug in the scorer", NULL};
    expect_param_error(&def_junk_default, NULL, want);
}
END_TEST

/* open() is promised values of the declared type, defaults included. */
START_TEST(params_default_of_wrong_type)
{
    const char *want[] = {"\"flag\"", "bool", "bug in the scorer", NULL};
    expect_param_error(&def_mistyped_default, NULL, want);
}
END_TEST

START_TEST(param_type_names)
{
    ck_assert_str_eq(sk_param_type_name(SK_PARAM_BOOL), "bool");
    ck_assert_str_eq(sk_param_type_name(SK_PARAM_NUMBER), "number");
    ck_assert_str_eq(sk_param_type_name(SK_PARAM_INTEGER), "integer");
    ck_assert_str_eq(sk_param_type_name(SK_PARAM_STRING), "string");
    ck_assert_str_eq(sk_param_type_name(SK_PARAM_STRING_LIST), "list of strings");
    ck_assert_str_eq(sk_param_type_name(SK_PARAM_JSON), "JSON value");
    ck_assert_str_eq(sk_param_type_name((sk_param_type)99), "unknown");
}
END_TEST

/* ---- errors ------------------------------------------------------------ */

START_TEST(error_helpers)
{
    const int codes[] = {SK_OK,        SK_ENOMEM, SK_EIO,     SK_EPARSE, SK_EINVAL,
                         SK_ENOTFOUND, SK_EABI,   SK_ESCORER, SK_EINTR};
    for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++) {
        ck_assert_ptr_nonnull(sk_strerror(codes[i]));
        ck_assert_str_ne(sk_strerror(codes[i]), "unknown error");
    }
    ck_assert_str_eq(sk_strerror(-99), "unknown error");
    ck_assert_str_eq(sk_strerror(SK_EABI), "plugin ABI mismatch");

    char *err = NULL;
    ck_assert_int_eq(sk_errf(NULL, SK_EIO, "ignored %d", 1), SK_EIO);
    ck_assert_int_eq(sk_errf(&err, SK_EINVAL, "first %s", "one"), SK_EINVAL);
    ck_assert_str_eq(err, "first one");
    ck_assert_int_eq(sk_errf(&err, SK_EPARSE, "second"), SK_EPARSE); /* frees the first */
    ck_assert_str_eq(err, "second");
    free(err);
}
END_TEST

static Suite *core_suite(void)
{
    Suite *s = suite_create("core");
    TCase *tc = tcase_create("host");
    tcase_add_test(tc, score_above_one_is_error);
    tcase_add_test(tc, score_below_zero_is_error);
    tcase_add_test(tc, score_nan_is_error);
    tcase_add_test(tc, score_bounds_are_kept);
    tcase_add_test(tc, no_verdict_is_error);
    tcase_add_test(tc, nonzero_rc_without_message_is_error);
    tcase_add_test(tc, error_message_is_kept);
    tcase_add_test(tc, meta_not_object_is_error);
    tcase_add_test(tc, valid_score_keeps_rationale_and_meta);
    tcase_add_test(tc, last_verdict_wins);
    tcase_add_test(tc, reset_reuses_buffers);
    tcase_add_test(tc, host_errorf_and_skipf);
    tcase_add_test(tc, host_table);
    tcase_add_test(tc, host_json_lookups);
    tcase_add_test(tc, host_json_check);
    tcase_add_test(tc, host_logger);
    suite_add_tcase(s, tc);

    tc = tcase_create("params");
    tcase_add_test(tc, params_defaults_filled);
    tcase_add_test(tc, params_null_given);
    tcase_add_test(tc, params_required_missing);
    tcase_add_test(tc, params_unknown_key_lists_known);
    tcase_add_test(tc, params_not_an_object);
    tcase_add_test(tc, params_wrong_types);
    tcase_add_test(tc, params_right_types);
    tcase_add_test(tc, params_bad_default_is_scorer_bug);
    tcase_add_test(tc, params_default_with_trailing_junk);
    tcase_add_test(tc, params_default_of_wrong_type);
    tcase_add_test(tc, param_type_names);
    suite_add_tcase(s, tc);

    tc = tcase_create("errors");
    tcase_add_test(tc, error_helpers);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(core_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
