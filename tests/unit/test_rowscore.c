/*
 * Tests for scoring one row with a pack (rowscore.c): parsing the row
 * (sk_row_parse), the verdict kinds, the weighted overall score, pass/fail,
 * the derived ids and the JSON line written per row.  The scorers are the
 * heuristic plugin and the misbehave test plugin loaded from the build tree.
 */
#include <check.h>
#include <cjson/cJSON.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "fixtures.h"
#include "engine/pack.h"
#include "run/rowscore.h"
#include "run_suite.h"
#include "base/util.h"
#include "sk_test.h"

/* A pack opened for one thread, with its rowscore. */
typedef struct fixture {
    sk_pack *pack;
    void **states;
    sk_rowscore rs;
} fixture;

static void fx_open(fixture *f, const char *pack_json)
{
    char *err = NULL;
    int rc = sk_pack_parse(&f->pack, pack_json, strlen(pack_json), "t.json", sk_fixture_reg, &err);
    ck_assert_msg(rc == SK_OK, "%s", err ? err : "");
    f->states = sk_xcalloc(f->pack->n, sizeof(void *));
    ck_assert_int_eq(sk_pack_open(f->pack, sk_test_host_ctx(), f->states, &err), SK_OK);
    sk_rowscore_init(&f->rs, f->pack, sk_test_host_ctx(), f->states);
}

static void fx_close(fixture *f)
{
    sk_rowscore_free(&f->rs);
    sk_pack_close(f->pack, sk_test_host_ctx(), f->states);
    free(f->states);
    sk_pack_free(f->pack);
}

/* Parse `line` with the standard keys and score it. */
static void fx_run(fixture *f, const char *line)
{
    sk_span spans[SK_F_COUNT];
    char msg[256];
    int rc = sk_row_parse(line, strlen(line), sk_row_keys, spans, msg, sizeof msg);
    ck_assert_msg(rc == SK_OK, "row %s: %s", line, msg);
    sk_rowscore_run(&f->rs, spans, 0);
}

static size_t entry_index(const fixture *f, const char *name)
{
    for (size_t i = 0; i < f->pack->n; i++)
        if (strcmp(f->pack->entries[i].name, name) == 0)
            return i;
    ck_abort_msg("no entry %s", name);
    return 0;
}

static const sk_result *result_of(const fixture *f, const char *name)
{
    return &f->rs.results[entry_index(f, name)];
}

static const char *every_kind_pack =
    "{\"name\":\"every\",\"scorers\":["
    "{\"use\":\"out_of_range\"},{\"use\":\"nan\"},{\"use\":\"silent\"},{\"use\":\"failing\"},"
    "{\"use\":\"bad_meta\"},{\"use\":\"skipper\",\"threshold\":0.9},{\"use\":\"unsafe\"},"
    "{\"use\":\"answer\",\"as\":\"a_yes\",\"params\":{\"answer\":\"yes\"},\"threshold\":0.5,"
    "\"weight\":3},"
    "{\"use\":\"answer\",\"as\":\"a_no\",\"params\":{\"answer\":\"no\"},\"weight\":1}]}";

/* Rows nobody reads get no rationale: the heuristics skip building one
 * (wants_rationale), and a plugin's set_rationale is ignored; the scores
 * are the same either way. */
START_TEST(rowscore_rationales_only_when_wanted)
{
    fixture f;
    fx_open(&f, "{\"name\":\"w\",\"scorers\":[{\"use\":\"exact_match\"},"
                "{\"use\":\"levenshtein\"},{\"use\":\"answer\",\"params\":{\"answer\":\"no\"}}]}");
    const char *row = "{\"id\":\"r1\",\"output\":\"kitten\",\"expected\":\"sitting\"}";
    ck_assert_int_eq(f.rs.rationales, 1); /* the default */
    fx_run(&f, row);
    double scores[3];
    for (size_t i = 0; i < 3; i++) {
        ck_assert_int_eq(f.rs.results[i].kind, SK_VERDICT_SCORE);
        ck_assert_uint_gt(f.rs.results[i].rationale.len, 0);
        scores[i] = f.rs.results[i].score;
    }
    sk_assert_has(result_of(&f, "exact_match")->rationale.data, "differ at character 1");
    sk_assert_has(result_of(&f, "levenshtein")->rationale.data, "edit distance 3 over 7");

    f.rs.rationales = 0;
    fx_run(&f, row);
    for (size_t i = 0; i < 3; i++) {
        ck_assert_int_eq(f.rs.results[i].kind, SK_VERDICT_SCORE);
        ck_assert_uint_eq(f.rs.results[i].rationale.len, 0);
        ck_assert_double_eq(f.rs.results[i].score, scores[i]);
    }

    f.rs.rationales = 1;
    fx_run(&f, row);
    sk_assert_has(result_of(&f, "exact_match")->rationale.data, "differ at character 1");
    fx_close(&f);
}
END_TEST

START_TEST(rowscore_verdict_kinds)
{
    fixture f;
    fx_open(&f, every_kind_pack);
    fx_run(&f, "{\"id\":\"r1\",\"input\":\"q\",\"output\":\"yes\",\"expected\":\"yes\"}");
    const char *errors[] = {"out_of_range", "nan", "silent", "failing", "bad_meta"};
    for (size_t i = 0; i < 5; i++) {
        const sk_result *r = result_of(&f, errors[i]);
        ck_assert_msg(r->kind == SK_VERDICT_ERROR, "%s: kind %d", errors[i], r->kind);
        sk_assert_has(r->message.data, errors[i]);
    }
    ck_assert_int_eq(result_of(&f, "skipper")->kind, SK_VERDICT_SKIP);
    ck_assert_str_eq(result_of(&f, "skipper")->message.data, "not applicable to r1");
    ck_assert_int_eq(result_of(&f, "unsafe")->kind, SK_VERDICT_SCORE);
    ck_assert_double_eq(result_of(&f, "unsafe")->score, 1); /* "yes" has an odd length */
    ck_assert_int_eq(result_of(&f, "a_yes")->kind, SK_VERDICT_SCORE);
    ck_assert_double_eq(result_of(&f, "a_yes")->score, 1);
    ck_assert_int_eq(result_of(&f, "a_no")->kind, SK_VERDICT_SCORE);
    ck_assert_double_eq(result_of(&f, "a_no")->score, 0);
    ck_assert_str_eq(result_of(&f, "a_no")->rationale.data, "expected \"no\"");
    ck_assert_str_eq(result_of(&f, "a_no")->meta.data, "{\"match\":false}");

    /* scored only, weighted: (1*1 + 3*1 + 1*0) / (1 + 3 + 1); errors and
     * the skip do not count as zeros */
    ck_assert_double_eq_tol(f.rs.overall, 4.0 / 5.0, 1e-12);
    /* a_yes met its threshold and the erroring scorers have none, but an
     * error leaves the row without a verdict: never a pass */
    ck_assert_int_eq(f.rs.verdict.pass, SK_ROW_NO_VERDICT);
    ck_assert_uint_eq(f.rs.verdict.errors, 5);
    ck_assert_str_eq(f.rs.verdict.reason.data,
                     "error in scorer out_of_range: scorer out_of_range returned score 1.5, "
                     "outside [0,1]; fix the scorer (and 4 more errors)");
    ck_assert_str_eq(f.rs.c.id, "r1");
    fx_close(&f);
}
END_TEST

START_TEST(rowscore_threshold_fails_row)
{
    fixture f;
    fx_open(&f, every_kind_pack);
    fx_run(&f, "{\"id\":\"r2\",\"input\":\"q\",\"output\":\"no\"}");
    ck_assert_double_eq(result_of(&f, "a_yes")->score, 0);
    /* a_yes 0 < 0.5, but the errors decide: no verdict */
    ck_assert_int_eq(f.rs.verdict.pass, SK_ROW_NO_VERDICT);
    /* (unsafe 0 (even length) + 3*0 + 1*1) / 5 */
    ck_assert_double_eq_tol(f.rs.overall, 1.0 / 5.0, 1e-12);
    /* the buffers are reused: a score after a score keeps no old text */
    ck_assert_uint_eq(result_of(&f, "a_no")->rationale.len, 0);
    ck_assert_str_eq(result_of(&f, "a_no")->meta.data, "{\"match\":true}");
    ck_assert_uint_eq(result_of(&f, "a_yes")->rationale.len, strlen("expected \"yes\""));
    fx_close(&f);
}
END_TEST

/* The row verdict: a score under a threshold fails the row; a skipped
 * scorer's threshold neither passes nor fails it. */
START_TEST(rowscore_threshold_fails_row_without_errors)
{
    fixture f;
    fx_open(&f, "{\"name\":\"t\",\"scorers\":["
                "{\"use\":\"answer\",\"params\":{\"answer\":\"yes\"},\"threshold\":0.5},"
                "{\"use\":\"skipper\",\"threshold\":0.9}]}");
    fx_run(&f, "{\"output\":\"no\"}");
    ck_assert_int_eq(f.rs.verdict.pass, SK_ROW_FAIL);
    ck_assert_uint_eq(f.rs.verdict.reason.len, 0);
    fx_run(&f, "{\"output\":\"yes\"}");
    ck_assert_int_eq(f.rs.verdict.pass, SK_ROW_PASS);
    sk_buf out = {0};
    sk_rowscore_json(&f.rs, 1, &out);
    sk_assert_has(out.data, "\"overall\":1,\"pass\":true,\"scores\":{");
    sk_buf_free(&out);
    fx_close(&f);
}
END_TEST

/* An error is no verdict, with or without a threshold on the scorer, even
 * when another scorer passed: the reason names the scorer and the error. */
START_TEST(rowscore_error_is_no_verdict)
{
    const char *packs[] = {"{\"name\":\"e\",\"scorers\":["
                           "{\"use\":\"answer\",\"params\":{\"answer\":\"yes\"},"
                           "\"threshold\":0.5},{\"use\":\"failing\",\"threshold\":0.1}]}",
                           "{\"name\":\"e\",\"scorers\":["
                           "{\"use\":\"answer\",\"params\":{\"answer\":\"yes\"},"
                           "\"threshold\":0.5},{\"use\":\"failing\"}]}"};
    for (size_t p = 0; p < 2; p++) {
        fixture f;
        fx_open(&f, packs[p]);
        fx_run(&f, "{\"output\":\"yes\"}");
        ck_assert_int_eq(result_of(&f, "answer")->kind, SK_VERDICT_SCORE);
        ck_assert_int_eq(result_of(&f, "failing")->kind, SK_VERDICT_ERROR);
        ck_assert_int_eq(f.rs.verdict.pass, SK_ROW_NO_VERDICT);
        ck_assert_uint_eq(f.rs.verdict.errors, 1);
        ck_assert_str_eq(f.rs.verdict.reason.data,
                         "error in scorer failing: scorer failing failed (returned -1) without "
                         "a message");
        ck_assert_double_eq(f.rs.overall, 1);
        sk_buf out = {0};
        sk_rowscore_json(&f.rs, 3, &out);
        cJSON *v = cJSON_Parse(out.data);
        ck_assert_ptr_nonnull(v);
        ck_assert(cJSON_IsNull(cJSON_GetObjectItem(v, "pass")));
        ck_assert_str_eq(cJSON_GetObjectItem(v, "reason")->valuestring, f.rs.verdict.reason.data);
        cJSON_Delete(v);
        sk_buf_free(&out);
        fx_close(&f);
    }
}
END_TEST

/* Every scorer skipped: no verdict, not a pass; an error among skips says
 * so instead. */
START_TEST(rowscore_nothing_scored)
{
    fixture f;
    fx_open(&f, "{\"name\":\"e\",\"scorers\":[{\"use\":\"skipper\"},{\"use\":\"nan\"}]}");
    fx_run(&f, "{\"output\":\"x\"}");
    ck_assert(isnan(f.rs.overall));
    ck_assert_int_eq(f.rs.verdict.pass, SK_ROW_NO_VERDICT);
    sk_assert_has(f.rs.verdict.reason.data, "error in scorer nan: ");
    sk_buf out = {0};
    sk_rowscore_json(&f.rs, 9, &out);
    cJSON *v = cJSON_Parse(out.data);
    ck_assert_ptr_nonnull(v);
    ck_assert(cJSON_IsNull(cJSON_GetObjectItem(v, "overall")));
    ck_assert(cJSON_IsNull(cJSON_GetObjectItem(v, "pass")));
    cJSON_Delete(v);
    sk_buf_free(&out);
    fx_close(&f);

    fx_open(&f, "{\"name\":\"e\",\"scorers\":[{\"use\":\"skipper\",\"threshold\":0.5}]}");
    fx_run(&f, "{\"output\":\"x\"}");
    ck_assert_int_eq(f.rs.verdict.pass, SK_ROW_NO_VERDICT);
    ck_assert_uint_eq(f.rs.verdict.errors, 0);
    ck_assert_str_eq(f.rs.verdict.reason.data, "no scorer gave a score");
    sk_rowscore_json(&f.rs, 9, &out);
    sk_assert_has(out.data,
                  "\"overall\":null,\"pass\":null,\"reason\":\"no scorer gave a score\",");
    sk_buf_free(&out);
    fx_close(&f);
}
END_TEST

/* The verdict alone, as the store's readers feed it: a task error, the
 * count of further errors, and reuse from row to row. */
START_TEST(row_verdict_rules)
{
    sk_row_verdict v = {0};
    sk_row_verdict_begin(&v);
    sk_row_verdict_task_error(&v, "exit status 1");
    ck_assert_int_eq(sk_row_verdict_end(&v), SK_ROW_NO_VERDICT);
    ck_assert_str_eq(v.reason.data, "task error: exit status 1");

    sk_row_verdict_begin(&v);
    sk_row_verdict_add(&v, "a", SK_VERDICT_SCORE, 0.2, 1, 0.5, NULL);
    sk_row_verdict_add(&v, "b", SK_VERDICT_ERROR, 0, 0, 0, "boom");
    sk_row_verdict_add(&v, "c", SK_VERDICT_ERROR, 0, 1, 0.5, NULL);
    sk_row_verdict_add(&v, "d", SK_VERDICT_ERROR, 0, 1, 0.5, "bang");
    ck_assert_int_eq(sk_row_verdict_end(&v), SK_ROW_NO_VERDICT);
    ck_assert_str_eq(v.reason.data, "error in scorer b: boom (and 2 more errors)");

    sk_row_verdict_begin(&v);
    sk_row_verdict_add(&v, "a", SK_VERDICT_SCORE, 0.5, 1, 0.5, NULL); /* at the threshold */
    sk_row_verdict_add(&v, "b", SK_VERDICT_SCORE, 0.0, 0, 0, NULL);   /* no threshold */
    sk_row_verdict_add(&v, "c", SK_VERDICT_SKIP, 0, 1, 0.9, "n/a");
    ck_assert_int_eq(sk_row_verdict_end(&v), SK_ROW_PASS);
    ck_assert_uint_eq(v.reason.len, 0);
    sk_buf out = {0};
    sk_row_verdict_json(&v, &out);
    ck_assert_str_eq(out.data, "\"pass\":true");

    sk_row_verdict_begin(&v);
    sk_row_verdict_add(&v, "a", SK_VERDICT_SCORE, 0.49, 1, 0.5, NULL);
    ck_assert_int_eq(sk_row_verdict_end(&v), SK_ROW_FAIL);
    sk_buf_reset(&out);
    sk_row_verdict_json(&v, &out);
    ck_assert_str_eq(out.data, "\"pass\":false");

    sk_row_verdict_begin(&v);
    ck_assert_int_eq(sk_row_verdict_end(&v), SK_ROW_NO_VERDICT);
    sk_buf_reset(&out);
    sk_row_verdict_json(&v, &out);
    ck_assert_str_eq(out.data, "\"pass\":null,\"reason\":\"no scorer gave a score\"");
    ck_assert_str_eq(sk_row_pass_name(SK_ROW_NO_VERDICT), "no verdict");
    sk_buf_free(&out);
    sk_row_verdict_free(&v);
}
END_TEST

START_TEST(rowscore_zero_weight)
{
    fixture f;
    fx_open(&f, "{\"name\":\"w\",\"scorers\":["
                "{\"use\":\"answer\",\"as\":\"y\",\"params\":{\"answer\":\"yes\"},\"weight\":0},"
                "{\"use\":\"answer\",\"as\":\"n\",\"params\":{\"answer\":\"no\"}}]}");
    fx_run(&f, "{\"output\":\"yes\"}");
    ck_assert_double_eq(f.rs.overall, 0); /* only n counts */
    fx_close(&f);
}
END_TEST

/* The host skips NEEDS_EXPECTED scorers itself; forced on here so the rule
 * is tested whatever the heuristic plugin declares. */
START_TEST(rowscore_needs_expected_host_rule)
{
    fixture f;
    fx_open(&f, "{\"name\":\"e\",\"scorers\":[{\"use\":\"answer\",\"params\":{\"answer\":\"yes\"}},"
                "{\"use\":\"unsafe\"}]}");
    f.pack->entries[0].flags |= SK_SCORER_NEEDS_EXPECTED;
    fx_run(&f, "{\"output\":\"yes\"}");
    ck_assert_int_eq(result_of(&f, "answer")->kind, SK_VERDICT_SKIP);
    sk_assert_has(result_of(&f, "answer")->message.data, "expected");
    ck_assert_double_eq(f.rs.overall, 1); /* unsafe alone */
    fx_run(&f, "{\"output\":\"yes\",\"expected\":null}");
    ck_assert_int_eq(result_of(&f, "answer")->kind, SK_VERDICT_SKIP);
    ck_assert_ptr_null(f.rs.c.expected_json);
    ck_assert_ptr_null(f.rs.c.expected_text);
    fx_run(&f, "{\"output\":\"yes\",\"expected\":\"\"}");
    ck_assert_int_eq(result_of(&f, "answer")->kind, SK_VERDICT_SCORE);
    fx_close(&f);
}
END_TEST

START_TEST(rowscore_needs_expected_levenshtein)
{
    fixture f;
    fx_open(&f, "{\"name\":\"e\",\"scorers\":[{\"use\":\"levenshtein\"}]}");
    ck_assert_msg(f.pack->entries[0].flags & SK_SCORER_NEEDS_EXPECTED,
                  "heuristic levenshtein does not declare SK_SCORER_NEEDS_EXPECTED");
    fx_run(&f, "{\"output\":\"kitten\"}");
    ck_assert_int_eq(f.rs.results[0].kind, SK_VERDICT_SKIP);
    fx_run(&f, "{\"output\":\"kitten\",\"expected\":null}");
    ck_assert_int_eq(f.rs.results[0].kind, SK_VERDICT_SKIP);
    fx_run(&f, "{\"output\":\"kitten\",\"expected\":\"kitten\"}");
    ck_assert_msg(f.rs.results[0].kind == SK_VERDICT_SCORE, "levenshtein: %s",
                  f.rs.results[0].message.data ? f.rs.results[0].message.data : "");
    ck_assert_double_eq(f.rs.results[0].score, 1);
    fx_close(&f);
}
END_TEST

/* The id the row gets from `line`; caller frees. */
static char *id_of(fixture *f, const char *line)
{
    fx_run(f, line);
    return sk_xstrdup(f->rs.c.id);
}

START_TEST(rowscore_derived_ids)
{
    fixture f;
    fx_open(&f, "{\"name\":\"e\",\"scorers\":[{\"use\":\"skipper\"}]}");
    char *a = id_of(&f, "{\"input\":\"q\",\"output\":\"a\",\"expected\":\"e\"}");
    ck_assert_uint_eq(strlen(a), 17);
    ck_assert_int_eq(a[0], 'h');
    ck_assert_uint_eq(strspn(a + 1, "0123456789abcdef"), 16);
    /* output, metadata, key order and spacing do not change it */
    char *b = id_of(&f, "{\"expected\": \"e\", \"output\": \"other\", \"input\": \"q\", "
                        "\"metadata\": {\"k\": 1}}");
    ck_assert_str_eq(a, b);
    /* input or expected do */
    char *c = id_of(&f, "{\"input\":\"q2\",\"output\":\"a\",\"expected\":\"e\"}");
    char *d = id_of(&f, "{\"input\":\"q\",\"output\":\"a\",\"expected\":\"e2\"}");
    char *e = id_of(&f, "{\"input\":\"q\",\"output\":\"a\"}");
    char *g = id_of(&f, "{\"input\":\"q\",\"output\":\"a\",\"expected\":null}");
    char *h = id_of(&f, "{\"input\":\"qe\",\"output\":\"a\"}");
    ck_assert_str_ne(a, c);
    ck_assert_str_ne(a, d);
    ck_assert_str_ne(c, d);
    ck_assert_str_ne(a, e);
    ck_assert_str_eq(e, g); /* "expected": null is no expected */
    ck_assert_str_ne(e, h);
    /* ...and it is stable: the same after other rows */
    char *a2 = id_of(&f, "{\"input\":\"q\",\"output\":\"zzz\",\"expected\":\"e\"}");
    ck_assert_str_eq(a, a2);
    free(a);
    free(b);
    free(c);
    free(d);
    free(e);
    free(g);
    free(h);
    free(a2);
    fx_close(&f);
}
END_TEST

START_TEST(rowscore_given_ids)
{
    fixture f;
    fx_open(&f, "{\"name\":\"e\",\"scorers\":[{\"use\":\"skipper\"}]}");
    fx_run(&f, "{\"id\":42,\"output\":\"a\"}");
    ck_assert_str_eq(f.rs.c.id, "42");
    fx_run(&f, "{\"id\":-1.50,\"output\":\"a\"}");
    ck_assert_str_eq(f.rs.c.id, "-1.50"); /* kept as written */
    fx_run(&f, "{\"id\":\"r\\u0031\",\"output\":\"a\"}");
    ck_assert_str_eq(f.rs.c.id, "r1");
    sk_buf out = {0};
    fx_run(&f, "{\"id\":12345678901234567890,\"output\":\"a\"}");
    sk_rowscore_json(&f.rs, 1, &out);
    cJSON *v = cJSON_Parse(out.data);
    ck_assert(cJSON_IsString(cJSON_GetObjectItem(v, "id")));
    ck_assert_str_eq(cJSON_GetObjectItem(v, "id")->valuestring, "12345678901234567890");
    cJSON_Delete(v);
    sk_buf_free(&out);
    fx_close(&f);
}
END_TEST

START_TEST(rowscore_case_fields)
{
    fixture f;
    fx_open(&f, "{\"name\":\"e\",\"scorers\":[{\"use\":\"skipper\"}]}");
    fx_run(&f, "{\"output\":\"a\\nb\",\"expected\":[1, 2],\"metadata\":{\"k\":\"v\"}}");
    const sk_case *c = &f.rs.c;
    ck_assert_uint_ge(c->size, sizeof(sk_case));
    ck_assert_str_eq(c->input_json, "null"); /* absent input */
    ck_assert_str_eq(c->output_json, "\"a\\nb\"");
    ck_assert_str_eq(c->output_text, "a\nb");
    ck_assert_uint_eq(c->output_len, 3);
    ck_assert_str_eq(c->expected_json, "[1, 2]");
    ck_assert_str_eq(c->expected_text, "[1, 2]"); /* not a string: the JSON text */
    ck_assert_uint_eq(c->expected_len, 6);
    ck_assert_str_eq(c->metadata_json, "{\"k\":\"v\"}");
    ck_assert_uint_eq(c->trial, 0);
    /* a NUL inside a string is kept, and counted */
    fx_run(&f, "{\"input\":\"x\\u0000y\",\"output\":7}");
    ck_assert_uint_eq(c->input_len, 3);
    ck_assert_int_eq(memcmp(c->input_text, "x\0y", 3), 0);
    ck_assert_str_eq(c->output_text, "7");
    ck_assert_ptr_null(c->expected_json);
    ck_assert_ptr_null(c->metadata_json);
    fx_run(&f, "{\"output\":\"x\",\"metadata\":null}");
    ck_assert_ptr_null(c->metadata_json);
    /* strings without escapes, the empty one too: the text is the body */
    fx_run(&f, "{\"input\":\"plain\",\"output\":\"\",\"expected\":\"q\"}");
    ck_assert_str_eq(c->input_text, "plain");
    ck_assert_uint_eq(c->input_len, 5);
    ck_assert_str_eq(c->input_json, "\"plain\"");
    ck_assert_str_eq(c->output_text, "");
    ck_assert_uint_eq(c->output_len, 0);
    ck_assert_str_eq(c->expected_text, "q");
    ck_assert_uint_eq(c->expected_len, 1);
    fx_close(&f);
}
END_TEST

START_TEST(rowscore_json_line)
{
    fixture f;
    fx_open(&f, every_kind_pack);
    fx_run(&f, "{\"id\":\"r\\\"1\",\"input\":\"q\",\"output\":\"yes\",\"expected\":\"yes\"}");
    sk_buf out = {0};
    sk_buf_adds(&out, "kept|");
    sk_rowscore_json(&f.rs, 17, &out);
    ck_assert_int_eq(strncmp(out.data, "kept|", 5), 0); /* appends */
    ck_assert_int_eq(out.data[out.len - 1], '\n');
    ck_assert_ptr_null(memchr(out.data, '\n', out.len - 1)); /* one line */
    cJSON *v = cJSON_Parse(out.data + 5);
    ck_assert_msg(v != NULL, "not JSON: %s", out.data);
    ck_assert_str_eq(cJSON_GetObjectItem(v, "id")->valuestring, "r\"1");
    ck_assert_double_eq(cJSON_GetObjectItem(v, "line")->valuedouble, 17);
    ck_assert_double_eq_tol(cJSON_GetObjectItem(v, "overall")->valuedouble, 0.8, 1e-12);
    ck_assert(cJSON_IsNull(cJSON_GetObjectItem(v, "pass"))); /* scorers failed */
    sk_assert_has(cJSON_GetObjectItem(v, "reason")->valuestring, "error in scorer out_of_range: ");
    const cJSON *scores = cJSON_GetObjectItem(v, "scores");
    ck_assert_int_eq(cJSON_GetArraySize(scores), 9);
    /* in pack order */
    ck_assert_str_eq(cJSON_GetArrayItem(scores, 0)->string, "out_of_range");
    ck_assert_str_eq(cJSON_GetArrayItem(scores, 8)->string, "a_no");

    const cJSON *s = cJSON_GetObjectItem(scores, "nan");
    sk_assert_has(cJSON_GetObjectItem(s, "error")->valuestring, "nan");
    ck_assert_ptr_null(cJSON_GetObjectItem(s, "score"));
    s = cJSON_GetObjectItem(scores, "bad_meta");
    sk_assert_has(cJSON_GetObjectItem(s, "error")->valuestring, "not a JSON object");
    s = cJSON_GetObjectItem(scores, "skipper");
    ck_assert_str_eq(cJSON_GetObjectItem(s, "skipped")->valuestring, "not applicable to r\"1");
    s = cJSON_GetObjectItem(scores, "a_yes");
    ck_assert_double_eq(cJSON_GetObjectItem(s, "score")->valuedouble, 1);
    ck_assert_ptr_null(cJSON_GetObjectItem(s, "rationale"));
    ck_assert(cJSON_IsTrue(cJSON_GetObjectItem(cJSON_GetObjectItem(s, "meta"), "match")));
    s = cJSON_GetObjectItem(scores, "a_no");
    ck_assert_double_eq(cJSON_GetObjectItem(s, "score")->valuedouble, 0);
    ck_assert_str_eq(cJSON_GetObjectItem(s, "rationale")->valuestring, "expected \"no\"");
    ck_assert(cJSON_IsFalse(cJSON_GetObjectItem(cJSON_GetObjectItem(s, "meta"), "match")));
    s = cJSON_GetObjectItem(scores, "unsafe");
    ck_assert_double_eq(cJSON_GetObjectItem(s, "score")->valuedouble, 1);
    ck_assert_ptr_null(cJSON_GetObjectItem(s, "meta"));
    cJSON_Delete(v);
    sk_buf_free(&out);
    fx_close(&f);
}
END_TEST

START_TEST(score_number_format)
{
    sk_buf b = {0};
    sk_buf_add_score(&b, 0.1);
    sk_buf_addc(&b, ' ');
    sk_buf_add_score(&b, 1.0 / 3.0);
    sk_buf_addc(&b, ' ');
    sk_buf_add_score(&b, NAN);
    sk_buf_addc(&b, ' ');
    sk_buf_add_score(&b, 1);
    ck_assert_str_eq(b.data, "0.1 0.333333333333333 null 1");
    sk_buf_free(&b);
}
END_TEST

/* ---- sk_row_parse ------------------------------------------------------ */

static int row_parse(const char *line, const char *const *keys, sk_span *spans, char *msg)
{
    msg[0] = '\0';
    return sk_row_parse(line, strlen(line), keys, spans, msg, 256);
}

START_TEST(row_parse_rejects)
{
    sk_span spans[SK_F_COUNT];
    char msg[256];
    ck_assert_int_eq(row_parse("{\"input\":\"q\",\"expected\":\"e\"}", sk_row_keys, spans, msg),
                     SK_EPARSE);
    sk_assert_has(msg, "no \"output\" field");
    ck_assert_int_eq(row_parse("{\"id\":{\"a\":1},\"output\":\"x\"}", sk_row_keys, spans, msg),
                     SK_EPARSE);
    sk_assert_has(msg, "\"id\" must be a string or a number");
    ck_assert_int_eq(row_parse("{\"id\":true,\"output\":\"x\"}", sk_row_keys, spans, msg),
                     SK_EPARSE);
    sk_assert_has(msg, "\"id\"");
    ck_assert_int_eq(row_parse("{\"id\":[1],\"output\":\"x\"}", sk_row_keys, spans, msg),
                     SK_EPARSE);
    ck_assert_int_eq(row_parse("{\"output\":\"x\",\"metadata\":[1]}", sk_row_keys, spans, msg),
                     SK_EPARSE);
    sk_assert_has(msg, "\"metadata\" must be a JSON object");
    ck_assert_int_eq(row_parse("{\"output\":\"x\",\"metadata\":\"m\"}", sk_row_keys, spans, msg),
                     SK_EPARSE);
    sk_assert_has(msg, "\"metadata\"");
    ck_assert_int_eq(row_parse("[1,2]", sk_row_keys, spans, msg), SK_EPARSE);
    ck_assert_uint_gt(strlen(msg), 0);
    ck_assert_int_eq(row_parse("{\"output\":\"x\",}", sk_row_keys, spans, msg), SK_EPARSE);
    sk_assert_has(msg, "column");
}
END_TEST

START_TEST(row_parse_accepts)
{
    sk_span spans[SK_F_COUNT];
    char msg[256];
    ck_assert_int_eq(row_parse("{\"output\":null}", sk_row_keys, spans, msg), SK_OK);
    ck_assert_ptr_null(spans[SK_F_ID].p);
    ck_assert_ptr_null(spans[SK_F_INPUT].p);
    ck_assert_uint_eq(spans[SK_F_OUTPUT].n, 4);
    ck_assert_int_eq(row_parse("{\"id\":\"a\",\"input\":{},\"output\":[],\"expected\":1,"
                               "\"metadata\":null,\"tags\":[\"x\"]}",
                               sk_row_keys, spans, msg),
                     SK_OK);
    ck_assert_int_eq(
        row_parse("{\"id\":-3,\"output\":\"x\",\"metadata\":{}}", sk_row_keys, spans, msg), SK_OK);
}
END_TEST

START_TEST(row_parse_custom_output_key)
{
    const char *keys[SK_F_COUNT];
    memcpy(keys, sk_row_keys, sizeof keys);
    keys[SK_F_OUTPUT] = "completion";
    sk_span spans[SK_F_COUNT];
    char msg[256];
    ck_assert_int_eq(row_parse("{\"input\":\"q\",\"completion\":\"yes\"}", keys, spans, msg),
                     SK_OK);
    ck_assert_uint_eq(spans[SK_F_OUTPUT].n, 5);
    ck_assert_int_eq(memcmp(spans[SK_F_OUTPUT].p, "\"yes\"", 5), 0);
    /* "output" is then just another key, and the message names the one wanted */
    ck_assert_int_eq(row_parse("{\"input\":\"q\",\"output\":\"yes\"}", keys, spans, msg),
                     SK_EPARSE);
    sk_assert_has(msg, "no \"completion\" field");

    /* and the row scores with it */
    fixture f;
    fx_open(&f,
            "{\"name\":\"e\",\"scorers\":[{\"use\":\"answer\",\"params\":{\"answer\":\"yes\"}}]}");
    ck_assert_int_eq(row_parse("{\"completion\":\"yes\"}", keys, spans, msg), SK_OK);
    sk_rowscore_run(&f.rs, spans, 2);
    ck_assert_double_eq(f.rs.results[0].score, 1);
    ck_assert_uint_eq(f.rs.c.trial, 2);
    fx_close(&f);
}
END_TEST

static Suite *rowscore_suite(void)
{
    Suite *s = suite_create("rowscore");
    TCase *tc = tcase_create("rowscore");
    tcase_add_checked_fixture(tc, sk_fixture_setup, sk_fixture_teardown);
    tcase_add_test(tc, rowscore_verdict_kinds);
    tcase_add_test(tc, rowscore_rationales_only_when_wanted);
    tcase_add_test(tc, rowscore_threshold_fails_row);
    tcase_add_test(tc, rowscore_threshold_fails_row_without_errors);
    tcase_add_test(tc, rowscore_error_is_no_verdict);
    tcase_add_test(tc, rowscore_nothing_scored);
    tcase_add_test(tc, row_verdict_rules);
    tcase_add_test(tc, rowscore_zero_weight);
    tcase_add_test(tc, rowscore_needs_expected_host_rule);
    tcase_add_test(tc, rowscore_needs_expected_levenshtein);
    tcase_add_test(tc, rowscore_derived_ids);
    tcase_add_test(tc, rowscore_given_ids);
    tcase_add_test(tc, rowscore_case_fields);
    tcase_add_test(tc, rowscore_json_line);
    tcase_add_test(tc, score_number_format);
    tcase_add_test(tc, row_parse_rejects);
    tcase_add_test(tc, row_parse_accepts);
    tcase_add_test(tc, row_parse_custom_output_key);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return sk_run_suite(rowscore_suite());
}
