/*
 * Tests for scorer packs (pack.c), against the heuristic plugin and the
 * misbehave test plugin loaded from the build tree.  Pack errors are checked
 * by their text: each must name the file, the scorer and what was wrong.
 * Scoring a row with a pack is tested in test_rowscore.c.
 */
#include <check.h>
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "fixtures.h"
#include "engine/pack.h"
#include "engine/registry.h"
#include "run_suite.h"
#include "tmpfile_util.h"
#include "base/util.h"
#include "sk_test.h"

static int parse(const char *text, sk_pack **out, char **err)
{
    *err = NULL;
    int rc = sk_pack_parse(out, text, strlen(text), "pack.json", sk_fixture_reg, err);
    if (rc) {
        ck_assert_ptr_null(*out);
        ck_assert_ptr_nonnull(*err);
    } else {
        ck_assert_ptr_nonnull(*out);
    }
    return rc;
}

/* Parse `text`, expect `code` and every NULL-ended string in the message. */
static void expect_pack_error(const char *text, int code, const char *const *want)
{
    sk_pack *p;
    char *err;
    int rc = parse(text, &p, &err);
    if (rc == SK_OK)
        sk_pack_free(p); /* before failing, so a failure leaks nothing under CK_FORK=no */
    ck_assert_msg(rc == code, "expected %d, got %d (%s) for %s", code, rc, err ? err : "", text);
    sk_assert_has(err, "pack.json");
    for (; *want; want++)
        sk_assert_has(err, *want);
    free(err);
}

static const char *valid_pack =
    "{\"name\": \"qa\", \"version\": \"2.1\", \"description\": \"test pack\",\n"
    " \"scorers\": [\n"
    "  {\"use\": \"answer\", \"as\": \"right\", \"params\": {\"answer\": \"yes\"},\n"
    "   \"threshold\": 0.8, \"weight\": 2},\n"
    "  {\"use\": \"misbehave/skipper\", \"as\": \"skip\", \"weight\": 0.5}\n"
    " ]}\n";

START_TEST(pack_valid_fields)
{
    sk_pack *p;
    char *err;
    ck_assert_int_eq(parse(valid_pack, &p, &err), SK_OK);
    ck_assert_str_eq(p->name, "qa");
    ck_assert_str_eq(p->version, "2.1");
    ck_assert_str_eq(p->path, "pack.json");
    ck_assert_uint_eq(p->n, 2);

    const sk_pack_entry *e = &p->entries[0];
    ck_assert_str_eq(e->name, "right");
    ck_assert_str_eq(e->use, "answer");
    cJSON *params = cJSON_Parse(e->params_json);
    ck_assert_ptr_nonnull(params);
    ck_assert_str_eq(cJSON_GetObjectItem(params, "answer")->valuestring, "yes");
    ck_assert(cJSON_IsFalse(cJSON_GetObjectItem(params, "fail_open"))); /* default filled */
    cJSON_Delete(params);
    ck_assert_int_eq(e->has_threshold, 1);
    ck_assert_double_eq(e->threshold, 0.8);
    ck_assert_double_eq(e->weight, 2);
    ck_assert_ptr_eq(e->ops, &sk_engine_plugin);
    ck_assert_str_eq(((const sk_scorer_def *)e->impl)->name, "answer");
    ck_assert_uint_eq(e->flags, SK_SCORER_THREAD_SAFE);
    ck_assert_str_eq(e->summary, "test scorer answer");
    sk_assert_has(e->origin, "plugin misbehave 1 (");
    sk_assert_has(e->origin, "misbehave.so)");

    e = &p->entries[1];
    ck_assert_str_eq(e->name, "skip");
    ck_assert_str_eq(e->use, "misbehave/skipper");
    ck_assert_str_eq(e->params_json, "{}");
    ck_assert_int_eq(e->has_threshold, 0);
    ck_assert_double_eq(e->weight, 0.5);
    sk_pack_free(p);
}
END_TEST

START_TEST(pack_defaults)
{
    sk_pack *p;
    char *err;
    ck_assert_int_eq(parse("{\"name\":\"n\",\"scorers\":[{\"use\":\"skipper\"},"
                           "{\"use\":\"nan\",\"threshold\":0},{\"use\":\"silent\",\"threshold\":1,"
                           "\"weight\":0}]}",
                           &p, &err),
                     SK_OK);
    ck_assert_str_eq(p->version, "0");
    ck_assert_uint_eq(p->n, 3);
    ck_assert_str_eq(p->entries[0].name, "skipper"); /* no "as": the use name */
    ck_assert_double_eq(p->entries[0].weight, 1);
    ck_assert_int_eq(p->entries[1].has_threshold, 1);
    ck_assert_double_eq(p->entries[1].threshold, 0);
    ck_assert_double_eq(p->entries[2].threshold, 1);
    ck_assert_double_eq(p->entries[2].weight, 0);
    sk_pack_free(p);
}
END_TEST

START_TEST(pack_malformed_json_line_col)
{
    /* the stray comma is on line 4; the parser stops at the '}' after it */
    const char *text = "{\n"
                       "  \"name\": \"x\",\n"
                       "  \"scorers\": [\n"
                       "    {\"use\": \"answer\",}\n"
                       "  ]\n"
                       "}\n";
    const char *want[] = {"pack.json:4:", "not valid JSON", NULL};
    expect_pack_error(text, SK_EPARSE, want);

    sk_pack *p;
    char *err;
    ck_assert_int_eq(parse("{\"name\": \"x\" \"scorers\": []}", &p, &err), SK_EPARSE);
    ck_assert_msg(strncmp(err, "pack.json:1:", 12) == 0, "%s", err);
    /* LINE:COL are numbers followed by ':' */
    unsigned line = 0, col = 0;
    ck_assert_int_eq(sscanf(err, "pack.json:%u:%u:", &line, &col), 2);
    ck_assert_uint_eq(line, 1);
    ck_assert_uint_ge(col, 13);
    ck_assert_uint_le(col, 15);
    free(err);
}
END_TEST

START_TEST(pack_trailing_text_is_refused)
{
    /* two objects pasted together, or a stray brace: not one pack */
    const char *want[] = {NULL};
    expect_pack_error("{\"name\":\"a\",\"scorers\":[{\"use\":\"skipper\"}]}\n}\n", SK_EPARSE, want);
    expect_pack_error("{\"name\":\"a\",\"scorers\":[{\"use\":\"skipper\"}]}"
                      "{\"name\":\"b\",\"scorers\":[{\"use\":\"nan\"}]}",
                      SK_EPARSE, want);
}
END_TEST

START_TEST(pack_unknown_top_key)
{
    const char *want[] = {"unknown key \"scorer\"", "name, version, description, scorers", NULL};
    expect_pack_error("{\"name\":\"x\",\"scorer\":[{\"use\":\"skipper\"}]}", SK_EINVAL, want);
}
END_TEST

START_TEST(pack_unknown_entry_key)
{
    const char *want[] = {"scorer #2", "unknown key \"treshold\"", "threshold", NULL};
    expect_pack_error("{\"name\":\"x\",\"scorers\":[{\"use\":\"skipper\"},"
                      "{\"use\":\"nan\",\"treshold\":0.5}]}",
                      SK_EINVAL, want);
}
END_TEST

START_TEST(pack_entry_shape)
{
    const char *use[] = {"scorer #1", "\"use\" must name a scorer", NULL};
    expect_pack_error("{\"name\":\"x\",\"scorers\":[{\"as\":\"a\"}]}", SK_EINVAL, use);
    expect_pack_error("{\"name\":\"x\",\"scorers\":[{\"use\":\"\"}]}", SK_EINVAL, use);
    expect_pack_error("{\"name\":\"x\",\"scorers\":[{\"use\":3}]}", SK_EINVAL, use);
    const char *obj[] = {"scorer #1", "must be an object", NULL};
    expect_pack_error("{\"name\":\"x\",\"scorers\":[\"skipper\"]}", SK_EINVAL, obj);
    const char *as[] = {"\"as\" must be a non-empty string", "skipper", NULL};
    expect_pack_error("{\"name\":\"x\",\"scorers\":[{\"use\":\"skipper\",\"as\":\"\"}]}", SK_EINVAL,
                      as);
    const char *params[] = {"scorer \"skipper\"", "\"params\" must be a JSON object", NULL};
    expect_pack_error("{\"name\":\"x\",\"scorers\":[{\"use\":\"skipper\",\"params\":[]}]}",
                      SK_EINVAL, params);
}
END_TEST

START_TEST(pack_top_level_shape)
{
    const char *obj[] = {"must be a JSON object", NULL};
    expect_pack_error("[1]", SK_EINVAL, obj);
    const char *name[] = {"\"name\" must be a non-empty string", NULL};
    expect_pack_error("{\"scorers\":[{\"use\":\"skipper\"}]}", SK_EINVAL, name);
    expect_pack_error("{\"name\":\"\",\"scorers\":[{\"use\":\"skipper\"}]}", SK_EINVAL, name);
    const char *version[] = {"\"version\" must be a string", NULL};
    expect_pack_error("{\"name\":\"x\",\"version\":1,\"scorers\":[{\"use\":\"skipper\"}]}",
                      SK_EINVAL, version);
    const char *scorers[] = {"\"scorers\" must be a non-empty array", NULL};
    expect_pack_error("{\"name\":\"x\",\"scorers\":[]}", SK_EINVAL, scorers);
    expect_pack_error("{\"name\":\"x\"}", SK_EINVAL, scorers);
    expect_pack_error("{\"name\":\"x\",\"scorers\":{\"use\":\"skipper\"}}", SK_EINVAL, scorers);
}
END_TEST

START_TEST(pack_bad_threshold)
{
    const char *want[] = {"scorer \"s\"", "\"threshold\" must be a number in [0,1]", NULL};
    expect_pack_error("{\"name\":\"x\",\"scorers\":[{\"use\":\"skipper\",\"as\":\"s\","
                      "\"threshold\":1.5}]}",
                      SK_EINVAL, want);
    expect_pack_error("{\"name\":\"x\",\"scorers\":[{\"use\":\"skipper\",\"as\":\"s\","
                      "\"threshold\":\"x\"}]}",
                      SK_EINVAL, want);
    expect_pack_error("{\"name\":\"x\",\"scorers\":[{\"use\":\"skipper\",\"as\":\"s\","
                      "\"threshold\":-0.01}]}",
                      SK_EINVAL, want);
}
END_TEST

START_TEST(pack_bad_weight)
{
    const char *want[] = {"scorer \"s\"", "\"weight\" must be a number >= 0", NULL};
    expect_pack_error("{\"name\":\"x\",\"scorers\":[{\"use\":\"skipper\",\"as\":\"s\","
                      "\"weight\":-1}]}",
                      SK_EINVAL, want);
    expect_pack_error("{\"name\":\"x\",\"scorers\":[{\"use\":\"skipper\",\"as\":\"s\","
                      "\"weight\":\"2\"}]}",
                      SK_EINVAL, want);
    /* A byte order mark (some editors write one) is not the pack's text;
     * lines count as in the file. */
    sk_pack *bom = NULL;
    const char bom_pack[] = "\xEF\xBB\xBF{\"name\":\"x\",\"scorers\":[{\"use\":\"skipper\"}]}";
    char *berr = NULL;
    ck_assert_msg(sk_pack_parse(&bom, bom_pack, strlen(bom_pack), "pack.json", sk_fixture_reg,
                                &berr) == SK_OK,
                  "%s", berr);
    sk_pack_free(bom);
    const char *bad_bom[] = {"pack.json:2:12: not valid JSON: expected a value, got", NULL};
    expect_pack_error("\xEF\xBB\xBF{\"name\":\"x\",\n\"scorers\":[}", SK_EPARSE, bad_bom);
    /* Beyond a double: read as cJSON reads it (inf), as packs were before
     * they were read strictly, and refused as a weight. */
    expect_pack_error("{\"name\":\"x\",\"scorers\":[{\"use\":\"skipper\",\"as\":\"s\","
                      "\"weight\":1e999}]}",
                      SK_EINVAL, want);
    /* So is a raw tab in a string, which strict JSON refuses. */
    sk_pack *tab = NULL;
    const char tab_pack[] = "{\"name\":\"x\",\"scorers\":[{\"use\":\"skipper\",\"as\":\"a\tb\"}]}";
    ck_assert_msg(sk_pack_parse(&tab, tab_pack, strlen(tab_pack), "pack.json", sk_fixture_reg,
                                &berr) == SK_OK,
                  "%s", berr);
    ck_assert_str_eq(tab->entries[0].name, "a\tb");
    sk_pack_free(tab);
}
END_TEST

START_TEST(pack_duplicate_names)
{
    const char *want[] = {"two scorers are named \"same\"", "\"as\"", NULL};
    expect_pack_error("{\"name\":\"x\",\"scorers\":[{\"use\":\"skipper\",\"as\":\"same\"},"
                      "{\"use\":\"nan\",\"as\":\"same\"}]}",
                      SK_EINVAL, want);
    const char *twice[] = {"two scorers are named \"skipper\"", NULL};
    expect_pack_error("{\"name\":\"x\",\"scorers\":[{\"use\":\"skipper\"},{\"use\":\"skipper\"}]}",
                      SK_EINVAL, twice);
    /* the same scorer twice under different names is fine */
    sk_pack *p;
    char *err;
    ck_assert_int_eq(parse("{\"name\":\"x\",\"scorers\":[{\"use\":\"skipper\"},"
                           "{\"use\":\"skipper\",\"as\":\"again\"}]}",
                           &p, &err),
                     SK_OK);
    sk_pack_free(p);
}
END_TEST

START_TEST(pack_unknown_scorer)
{
    const char *want[] = {"scorer \"nosuch\"", "no scorer named \"nosuch\"", NULL};
    expect_pack_error("{\"name\":\"x\",\"scorers\":[{\"use\":\"skipper\"},{\"use\":\"nosuch\"}]}",
                      SK_ENOTFOUND, want);
}
END_TEST

START_TEST(pack_bad_params)
{
    const char *unknown[] = {"scorer \"a\"", "unknown param \"colour\"", "answer, fail_open", NULL};
    expect_pack_error("{\"name\":\"x\",\"scorers\":[{\"use\":\"answer\",\"as\":\"a\","
                      "\"params\":{\"answer\":\"y\",\"colour\":1}}]}",
                      SK_EINVAL, unknown);
    const char *type[] = {"scorer \"a\"", "param \"fail_open\" must be", "bool", NULL};
    expect_pack_error("{\"name\":\"x\",\"scorers\":[{\"use\":\"answer\",\"as\":\"a\","
                      "\"params\":{\"answer\":\"y\",\"fail_open\":\"no\"}}]}",
                      SK_EINVAL, type);
    const char *required[] = {"scorer \"answer\"", "param \"answer\" is required", NULL};
    expect_pack_error("{\"name\":\"x\",\"scorers\":[{\"use\":\"answer\"}]}", SK_EINVAL, required);
    const char *none[] = {"scorer \"skipper\"", "unknown param \"x\"", "none", NULL};
    expect_pack_error("{\"name\":\"x\",\"scorers\":[{\"use\":\"skipper\",\"params\":{\"x\":1}}]}",
                      SK_EINVAL, none);
}
END_TEST

START_TEST(pack_load_file)
{
    char *path = sk_tmp_write(valid_pack, strlen(valid_pack));
    sk_pack *p = NULL;
    char *err = NULL;
    ck_assert_int_eq(sk_pack_load(&p, path, sk_fixture_reg, &err), SK_OK);
    ck_assert_str_eq(p->path, path);
    ck_assert_uint_eq(p->n, 2);
    sk_pack_free(p);
    sk_tmp_remove(path);

    const char *bad = "{\"name\": \"x\",\n\"scorers\": [\n{\"use\": \"skipper\"}\n}\n";
    path = sk_tmp_write(bad, strlen(bad));
    ck_assert_int_eq(sk_pack_load(&p, path, sk_fixture_reg, &err), SK_EPARSE);
    ck_assert_ptr_null(p);
    char *prefix = sk_asprintf("%s:4:", path);
    ck_assert_msg(strncmp(err, prefix, strlen(prefix)) == 0, "%s", err);
    free(prefix);
    free(err);
    err = NULL;
    sk_tmp_remove(path);

    ck_assert_int_lt(sk_pack_load(&p, "/nonexistent/pack.json", sk_fixture_reg, &err), 0);
    sk_assert_has(err, "/nonexistent/pack.json");
    free(err);
}
END_TEST

START_TEST(pack_empty_file)
{
    char *path = sk_tmp_write("", 0);
    sk_pack *p = NULL;
    char *err = NULL;
    ck_assert_int_eq(sk_pack_load(&p, path, sk_fixture_reg, &err), SK_EPARSE);
    sk_assert_has(err, path);
    free(err);
    sk_tmp_remove(path);
}
END_TEST

START_TEST(pack_open_failure_names_scorer)
{
    sk_pack *p;
    char *err;
    /* unsafe opens (and allocates) first: it must be closed again */
    ck_assert_int_eq(parse("{\"name\":\"x\",\"scorers\":[{\"use\":\"unsafe\"},"
                           "{\"use\":\"answer\",\"as\":\"picky\","
                           "\"params\":{\"answer\":\"y\",\"fail_open\":true}}]}",
                           &p, &err),
                     SK_OK);
    void *states[2] = {NULL, NULL};
    ck_assert_int_eq(sk_pack_open(p, sk_test_host_ctx(), states, &err), SK_ESCORER);
    sk_assert_has(err, "pack.json");
    sk_assert_has(err, "picky");
    sk_assert_has(err, "fail_open is set");
    free(err);
    sk_pack_free(p);
}
END_TEST

START_TEST(pack_open_and_close)
{
    sk_pack *p;
    char *err;
    ck_assert_int_eq(parse(valid_pack, &p, &err), SK_OK);
    void *states[2] = {NULL, NULL};
    ck_assert_int_eq(sk_pack_open(p, sk_test_host_ctx(), states, &err), SK_OK);
    ck_assert_ptr_nonnull(states[0]); /* answer keeps its state */
    ck_assert_ptr_null(states[1]);    /* skipper has no open() */
    sk_pack_close(p, sk_test_host_ctx(), states);
    sk_pack_free(p);
}
END_TEST

START_TEST(pack_from_names)
{
    sk_pack *p = NULL;
    char *err = NULL;
    const char *ok[] = {"skipper", "misbehave/nan"};
    ck_assert_int_eq(sk_pack_from_names(&p, ok, 2, sk_fixture_reg, &err), SK_OK);
    ck_assert_uint_eq(p->n, 2);
    ck_assert_str_eq(p->name, "command-line");
    ck_assert_ptr_null(p->path);
    ck_assert_str_eq(p->entries[1].name, "misbehave/nan");
    ck_assert_double_eq(p->entries[1].weight, 1);
    ck_assert_int_eq(p->entries[1].has_threshold, 0);
    sk_pack_free(p);

    const char *req[] = {"answer"};
    ck_assert_int_eq(sk_pack_from_names(&p, req, 1, sk_fixture_reg, &err), SK_EINVAL);
    ck_assert_ptr_null(p);
    sk_assert_has(err, "--scorer answer");
    sk_assert_has(err, "\"answer\" is required");
    const char *missing[] = {"skipper", "nope"};
    ck_assert_int_eq(sk_pack_from_names(&p, missing, 2, sk_fixture_reg, &err), SK_ENOTFOUND);
    sk_assert_has(err, "--scorer nope");
    const char *dup[] = {"skipper", "skipper"};
    ck_assert_int_eq(sk_pack_from_names(&p, dup, 2, sk_fixture_reg, &err), SK_EINVAL);
    sk_assert_has(err, "\"skipper\"");
    ck_assert_int_eq(sk_pack_from_names(&p, NULL, 0, sk_fixture_reg, &err), SK_EINVAL);
    sk_assert_has(err, "no scorers");
    free(err);
}
END_TEST

START_TEST(pack_describe_is_json)
{
    sk_pack *p;
    char *err;
    ck_assert_int_eq(parse(valid_pack, &p, &err), SK_OK);
    char *d = sk_pack_describe(p);
    ck_assert_ptr_nonnull(d);
    cJSON *v = cJSON_Parse(d);
    ck_assert_msg(v != NULL, "not JSON: %s", d);
    ck_assert_str_eq(cJSON_GetObjectItem(v, "name")->valuestring, "qa");
    ck_assert_str_eq(cJSON_GetObjectItem(v, "version")->valuestring, "2.1");
    const cJSON *arr = cJSON_GetObjectItem(v, "scorers");
    ck_assert_int_eq(cJSON_GetArraySize(arr), 2);
    const cJSON *e0 = cJSON_GetArrayItem(arr, 0), *e1 = cJSON_GetArrayItem(arr, 1);
    ck_assert_str_eq(cJSON_GetObjectItem(e0, "as")->valuestring, "right");
    ck_assert_str_eq(cJSON_GetObjectItem(e0, "use")->valuestring, "answer");
    ck_assert_str_eq(cJSON_GetObjectItem(e0, "engine")->valuestring, "plugin");
    const cJSON *params = cJSON_GetObjectItem(e0, "params");
    ck_assert(cJSON_IsObject(params));
    ck_assert_str_eq(cJSON_GetObjectItem(params, "answer")->valuestring, "yes");
    ck_assert_double_eq(cJSON_GetObjectItem(e0, "threshold")->valuedouble, 0.8);
    ck_assert_double_eq(cJSON_GetObjectItem(e0, "weight")->valuedouble, 2);
    ck_assert_ptr_null(cJSON_GetObjectItem(e1, "threshold"));
    ck_assert_double_eq(cJSON_GetObjectItem(e1, "weight")->valuedouble, 0.5);
    cJSON_Delete(v);

    /* canonical: the same content described twice is the same text */
    char *d2 = sk_pack_describe(p);
    ck_assert_str_eq(d, d2);
    free(d2);
    free(d);
    sk_pack_free(p);
}
END_TEST

static Suite *pack_suite(void)
{
    Suite *s = suite_create("pack");
    TCase *tc = tcase_create("pack");
    tcase_add_checked_fixture(tc, sk_fixture_setup, sk_fixture_teardown);
    tcase_add_test(tc, pack_valid_fields);
    tcase_add_test(tc, pack_defaults);
    tcase_add_test(tc, pack_malformed_json_line_col);
    tcase_add_test(tc, pack_trailing_text_is_refused);
    tcase_add_test(tc, pack_unknown_top_key);
    tcase_add_test(tc, pack_unknown_entry_key);
    tcase_add_test(tc, pack_entry_shape);
    tcase_add_test(tc, pack_top_level_shape);
    tcase_add_test(tc, pack_bad_threshold);
    tcase_add_test(tc, pack_bad_weight);
    tcase_add_test(tc, pack_duplicate_names);
    tcase_add_test(tc, pack_unknown_scorer);
    tcase_add_test(tc, pack_bad_params);
    tcase_add_test(tc, pack_load_file);
    tcase_add_test(tc, pack_empty_file);
    tcase_add_test(tc, pack_open_failure_names_scorer);
    tcase_add_test(tc, pack_open_and_close);
    tcase_add_test(tc, pack_from_names);
    tcase_add_test(tc, pack_describe_is_json);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return sk_run_suite(pack_suite());
}
