/*
 * Tests for meta-case parsing (core/metacase.c): calibration records expand
 * into their five checks, meta-cases into one, every malformed line is
 * refused with FILE:LINE and the reason, and the shipped calibration set
 * is complete (>= 60 records, all five answers each, every kind).
 */
#include <check.h>
#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "fixtures.h"
#include "validate/metacase.h"
#include "run_suite.h"
#include "tmpfile_util.h"
#include "base/util.h"

static int parse(sk_metacase_set *set, const char *line, char **err)
{
    return sk_metacase_parse(set, line, strlen(line), "t.jsonl:7", SK_MC_EXTRA, err);
}

/* Parse a line that must be refused; its message must contain want. */
static void refused(const char *line, const char *want)
{
    sk_metacase_set set = {0};
    char *err = NULL;
    ck_assert_int_ne(parse(&set, line, &err), SK_OK);
    ck_assert_uint_eq(set.n, 0);
    sk_assert_has(err, "t.jsonl:7: ");
    sk_assert_has(err, want);
    free(err);
    sk_metacase_set_free(&set);
}

START_TEST(record_expands_into_five)
{
    sk_metacase_set set = {0};
    char *err = NULL;
    ck_assert_int_eq(parse(&set,
                           "{\"id\":\"cap\",\"category\":\"factual\",\"input\":\"Capital of "
                           "France?\",\"expected\":\"Paris\",\"metadata\":{\"t\":1},"
                           "\"correct\":\"Paris\",\"wrong\":\"Lyon\",\"verbose_wrong\":\"long "
                           "Lyon\",\"formal_wrong\":\"formal Lyon\",\"confident_wrong\":\"sure "
                           "Lyon\"}",
                           &err),
                     SK_OK);
    ck_assert_uint_eq(set.n, 5);
    ck_assert_str_eq(set.items[0].id, "cap/correct");
    ck_assert_int_eq(set.items[0].type, SK_MC_HIGH);
    ck_assert_str_eq(set.items[0].output_json, "\"Paris\"");
    ck_assert_int_eq(set.items[1].type, SK_MC_LOW);
    ck_assert_str_eq(set.items[1].output_json, "\"Lyon\"");
    static const sk_mc_bias bias[3] = {SK_BIAS_VERBOSITY, SK_BIAS_FORMALITY, SK_BIAS_CONFIDENCE};
    static const char *const worse[3] = {"\"long Lyon\"", "\"formal Lyon\"", "\"sure Lyon\""};
    for (int i = 0; i < 3; i++) {
        const sk_metacase *m = &set.items[2 + i];
        ck_assert_int_eq(m->type, SK_MC_PAIR);
        ck_assert_int_eq(m->bias, bias[i]);
        ck_assert_str_eq(m->better_json, "\"Paris\"");
        ck_assert_str_eq(m->worse_json, worse[i]);
    }
    for (size_t i = 0; i < 5; i++) {
        ck_assert_uint_eq(set.items[i].kind, SK_ACCEPT_TEXT); /* inferred from "Paris" */
        ck_assert_str_eq(set.items[i].where, "t.jsonl:7");
        ck_assert_str_eq(set.items[i].category, "factual");
        ck_assert_int_eq(set.items[i].has_expected, 1);
        ck_assert_str_eq(set.items[i].case_json,
                         "{\"input\":\"Capital of France?\",\"expected\":\"Paris\","
                         "\"metadata\":{\"t\":1}}");
    }
    sk_metacase_set_free(&set);
}
END_TEST

START_TEST(meta_case_forms)
{
    sk_metacase_set set = {0};
    char *err = NULL;
    /* The form Lua scripts' meta_cases use. */
    ck_assert_int_eq(
        parse(&set, "{\"case\":{\"input\":\"q\",\"output\":\"Paris.\"},\"expect\":\"high\"}", &err),
        SK_OK);
    ck_assert_int_eq(
        parse(&set,
              "{\"id\":\"n\",\"case\":{\"expected\":100,\"output\":90},\"expect\":0.947,"
              "\"tolerance\":0.01}",
              &err),
        SK_OK);
    ck_assert_int_eq(
        parse(&set,
              "{\"case\":{\"expected\":[1,2]},\"better\":[1,2],\"worse\":[3],"
              "\"margin\":0.25,\"bias\":\"verbosity\",\"scorers\":[\"list_contains\"]}",
              &err),
        SK_OK);
    ck_assert_uint_eq(set.n, 3);
    ck_assert_int_eq(set.items[0].type, SK_MC_HIGH);
    ck_assert_str_eq(set.items[0].id, "t.jsonl:7"); /* no id: named by its place */
    ck_assert_int_eq(set.items[0].has_expected, 0);
    ck_assert_str_eq(set.items[0].case_json, "{\"input\":\"q\"}");
    ck_assert_int_eq(set.items[1].type, SK_MC_NUMBER);
    ck_assert_double_eq_tol(set.items[1].expect, 0.947, 1e-12);
    ck_assert_double_eq_tol(set.items[1].tolerance, 0.01, 1e-12);
    ck_assert_uint_eq(set.items[1].kind, SK_ACCEPT_NUMBER);
    ck_assert_str_eq(set.items[1].case_json, "{\"input\":null,\"expected\":100}");
    ck_assert_int_eq(set.items[2].type, SK_MC_PAIR);
    ck_assert_uint_eq(set.items[2].kind, SK_ACCEPT_LIST);
    ck_assert_double_eq_tol(set.items[2].margin, 0.25, 1e-12);
    ck_assert_int_eq(set.items[2].bias, SK_BIAS_VERBOSITY);
    ck_assert(sk_metacase_for(&set.items[2], "x", "list_contains"));
    ck_assert(!sk_metacase_for(&set.items[2], "json_diff", "json_diff"));
    ck_assert(sk_metacase_for(&set.items[0], "anything", NULL));
    /* A default tolerance of 0.1 for a numeric expectation. */
    ck_assert_int_eq(
        parse(&set, "{\"case\":{\"output\":1},\"expect\":0.5,\"kind\":\"json\"}", &err), SK_OK);
    ck_assert_double_eq_tol(set.items[3].tolerance, 0.1, 1e-12);
    ck_assert_uint_eq(set.items[3].kind, SK_ACCEPT_JSON); /* "kind" wins over inference */
    sk_metacase_set_free(&set);
}
END_TEST

START_TEST(bad_lines_refused)
{
    refused("{\"id\":", "not valid JSON");
    refused("[1]", "must be a JSON object");
    refused(
        "{\"id\":\"a\",\"input\":1,\"expected\":1,\"correct\":1,\"wrong\":2,\"verbose_wrong\":3,"
        "\"formal_wrong\":4}",
        "needs \"confident_wrong\"");
    refused("{\"input\":1,\"expected\":1,\"correct\":1,\"wrong\":2,\"verbose_wrong\":3,"
            "\"formal_wrong\":4,\"confident_wrong\":5}",
            "non-empty string \"id\"");
    refused("{\"id\":\"a\",\"input\":1,\"correct\":1,\"wrong\":2,\"verbose_wrong\":3,"
            "\"formal_wrong\":4,\"confident_wrong\":5}",
            "needs an \"expected\"");
    refused("{\"id\":\"a\",\"expected\":1,\"correct\":1,\"wrong\":2,\"verbose_wrong\":3,"
            "\"formal_wrong\":4,\"confident_wrong\":5,\"colour\":1}",
            "unknown key \"colour\"");
    refused("{\"case\":{\"output\":1},\"expect\":\"great\"}", "\"high\", \"low\" or a score");
    refused("{\"case\":{\"output\":1},\"expect\":1.5}", "\"high\", \"low\" or a score");
    refused("{\"case\":{},\"expect\":\"high\"}", "needs the output");
    refused("{\"case\":{\"output\":1},\"expect\":\"high\",\"tolerance\":0.1}",
            "numeric \"expect\"");
    refused("{\"case\":{\"output\":1},\"better\":1,\"worse\":2}", "remove \"output\"");
    refused("{\"case\":{},\"better\":1,\"worse\":2,\"bias\":\"length\"}", "\"verbosity\"");
    refused("{\"case\":{},\"better\":1,\"worse\":2,\"margin\":-1}", "\"margin\"");
    refused("{\"case\":{},\"better\":1}", "needs \"expect\"");
    refused("{\"case\":{\"output\":1},\"expect\":\"high\",\"better\":1,\"worse\":2}", "not both");
    refused("{\"case\":{\"output\":1,\"outptu\":2},\"expect\":\"high\"}", "unknown key \"outptu\"");
    refused("{\"case\":{\"output\":1,\"metadata\":[1]},\"expect\":\"high\"}",
            "\"metadata\" must be an object");
    refused("{\"case\":{\"output\":1},\"expect\":\"high\",\"kind\":\"image\"}", "\"kind\" must be");
    refused("{\"case\":{\"output\":1},\"expect\":\"high\",\"scorers\":[]}", "\"scorers\"");
    refused("\"case\"", "must be a JSON object");
}
END_TEST

START_TEST(file_errors_name_the_line)
{
    const char text[] = "# a comment\n\n{\"case\":{\"output\":1},\"expect\":\"high\"}\n"
                        "{\"case\":{\"output\":1},\"expect\":\"hihg\"}\n";
    char *path = sk_tmp_write(text, sizeof text - 1);
    sk_metacase_set set = {0};
    char *err = NULL;
    ck_assert_int_eq(sk_metacase_load_file(&set, path, SK_MC_EXTRA, &err), SK_EINVAL);
    ck_assert_uint_eq(set.n, 0); /* all or nothing */
    char *want = sk_asprintf("%s:4: \"expect\" must be", path);
    sk_assert_has(err, want);
    free(want);
    free(err);
    err = NULL;
    sk_tmp_remove(path);

    const char good[] = "{\"case\":{\"output\":1},\"expect\":\"high\"}\r\n  # indented comment\n"
                        "{\"case\":{\"output\":1},\"expect\":\"low\"}";
    path = sk_tmp_write(good, sizeof good - 1);
    err = NULL;
    ck_assert_int_eq(sk_metacase_load_file(&set, path, SK_MC_EXTRA, &err), SK_OK);
    ck_assert_uint_eq(set.n, 2);
    want = sk_asprintf("%s:3", path);
    ck_assert_str_eq(set.items[1].where, want);
    free(want);
    sk_tmp_remove(path);
    ck_assert_int_eq(sk_metacase_load_file(&set, "/nonexistent/x.jsonl", SK_MC_EXTRA, &err),
                     SK_EIO);
    sk_assert_has(err, "/nonexistent/x.jsonl");
    free(err);
    err = NULL;
    ck_assert_int_eq(sk_metacase_load_dir(&set, "/nonexistent", SK_MC_BUILTIN, &err), SK_ENOTFOUND);
    sk_assert_has(err, "SCOREKIT_CALIBRATION_PATH");
    free(err);
    ck_assert_uint_eq(set.n, 2);
    sk_metacase_set_free(&set);
}
END_TEST

START_TEST(array_of_cases)
{
    sk_metacase_set set = {0};
    char *err = NULL;
    ck_assert_int_eq(sk_metacase_parse_array(&set,
                                             "[{\"case\":{\"output\":\"a\"},\"expect\":\"high\"},"
                                             "{\"case\":{\"output\":\"b\"},\"expect\":\"low\"}]",
                                             "x.lua meta_cases", SK_MC_OWN, &err),
                     SK_OK);
    ck_assert_uint_eq(set.n, 2);
    ck_assert_str_eq(set.items[1].where, "x.lua meta_cases[2]");
    ck_assert_int_eq(set.items[1].origin, SK_MC_OWN);
    ck_assert_int_eq(sk_metacase_parse_array(&set,
                                             "[{\"case\":{\"output\":\"a\"},\"expect\":\"high\"},"
                                             "{\"case\":{\"output\":\"b\"},\"expect\":2}]",
                                             "p.json", SK_MC_OWN, &err),
                     SK_EINVAL);
    sk_assert_has(err, "p.json[2]: ");
    ck_assert_uint_eq(set.n, 2);
    free(err);
    err = NULL;
    ck_assert_int_eq(sk_metacase_parse_array(&set, "{}", "p.json", SK_MC_OWN, &err), SK_EINVAL);
    free(err);
    sk_metacase_set_free(&set);
}
END_TEST

/* The shipped set: at least 60 records, each expanding into the five
 * checks, over every kind of answer and the seven categories. */
START_TEST(builtin_set_is_complete)
{
    const char *dir = getenv("SCOREKIT_CALIBRATION_PATH");
    ck_assert_msg(dir && *dir, "SCOREKIT_CALIBRATION_PATH is not set: run with `make check`");
    ck_assert_str_eq(sk_calibration_dir(), dir);
    sk_metacase_set set = {0};
    char *err = NULL;
    ck_assert_msg(sk_metacase_load_dir(&set, dir, SK_MC_BUILTIN, &err) == SK_OK, "%s", err);
    ck_assert_uint_ge(set.n, 300);
    ck_assert_uint_eq(set.n % 5, 0);
    size_t per_type[5] = {0}, per_bias[4] = {0};
    unsigned kinds = 0;
    const char *cats[] = {"factual", "number", "json", "list", "label", "explanation", "refusal"};
    size_t per_cat[7] = {0};
    for (size_t i = 0; i < set.n; i++) {
        const sk_metacase *m = &set.items[i];
        per_type[m->type]++;
        per_bias[m->bias]++;
        kinds |= m->kind;
        ck_assert(m->has_expected);
        for (int c = 0; c < 7; c++)
            per_cat[c] += strcmp(m->category, cats[c]) == 0;
        /* A wrong answer never quotes the expected text: it would be
         * half right. */
        if (m->type != SK_MC_HIGH) {
            cJSON *c = cJSON_Parse(m->case_json);
            const cJSON *ex = cJSON_GetObjectItemCaseSensitive(c, "expected");
            const char *w = m->type == SK_MC_PAIR ? m->worse_json : m->output_json;
            if (cJSON_IsString(ex)) {
                char *lw = sk_xstrdup(w), *le = sk_xstrdup(ex->valuestring);
                for (char *p = lw; *p; p++)
                    *p = (char)(*p >= 'A' && *p <= 'Z' ? *p + 32 : *p);
                for (char *p = le; *p; p++)
                    *p = (char)(*p >= 'A' && *p <= 'Z' ? *p + 32 : *p);
                ck_assert_msg(!strstr(lw, le), "%s: the wrong answer contains \"%s\"", m->id, le);
                free(lw);
                free(le);
            }
            cJSON_Delete(c);
        }
    }
    size_t records = set.n / 5;
    ck_assert_uint_ge(records, 60);
    ck_assert_uint_eq(per_type[SK_MC_HIGH], records);
    ck_assert_uint_eq(per_type[SK_MC_LOW], records);
    ck_assert_uint_eq(per_bias[SK_BIAS_VERBOSITY], records);
    ck_assert_uint_eq(per_bias[SK_BIAS_FORMALITY], records);
    ck_assert_uint_eq(per_bias[SK_BIAS_CONFIDENCE], records);
    ck_assert_uint_eq(kinds, SK_ACCEPT_TEXT | SK_ACCEPT_NUMBER | SK_ACCEPT_JSON | SK_ACCEPT_LIST);
    for (int c = 0; c < 7; c++)
        ck_assert_msg(per_cat[c] >= 5 * 8, "only %zu cases of %s", per_cat[c] / 5, cats[c]);
    sk_metacase_set_free(&set);
}
END_TEST

/* What a pairwise scorer gets: different answers head to head, the other
 * answer placed where the scorer reads it; never an answer against itself. */
START_TEST(pairwise_head_to_heads)
{
    sk_metacase_set set = {0}, pw = {0};
    char *err = NULL;
    ck_assert_int_eq(
        parse(&set,
              "{\"id\": \"cap\", \"input\": \"Capital of France?\", \"expected\": "
              "\"Paris\", \"correct\": \"Paris\", \"wrong\": \"Lyon\", "
              "\"verbose_wrong\": \"Well... Lyon\", \"formal_wrong\": \"Hereby: Lyon\", "
              "\"confident_wrong\": \"Surely Lyon\"}",
              &err),
        SK_OK);
    ck_assert_int_eq(parse(&set,
                           "{\"id\": \"mine\", \"case\": {\"input\": \"q\", \"metadata\": "
                           "{\"k\": 1}, \"output\": \"o\"}, \"expect\": \"high\"}",
                           &err),
                     SK_OK);
    ck_assert_uint_eq(set.n, 6);
    size_t added = 0;
    for (size_t i = 0; i < set.n; i++)
        added += (size_t)sk_metacase_add_for_pairwise(&pw, &set.items[i], "expected");
    /* The record's correct answer adds nothing; its wrong answer and three
     * biased ones meet the correct one; the single case is kept as is. */
    ck_assert_uint_eq(added, 5);
    ck_assert_uint_eq(pw.n, 5);
    const sk_metacase *m = &pw.items[0];
    ck_assert_str_eq(m->id, "cap/wrong");
    ck_assert_int_eq(m->type, SK_MC_PAIR);
    ck_assert_int_eq(m->versus, SK_MC_VS_WRONG);
    ck_assert_str_eq(m->better_json, "\"Paris\"");
    ck_assert_str_eq(m->worse_json, "\"Lyon\"");
    ck_assert_str_eq(m->case_json, "{\"input\":\"Capital of France?\",\"expected\":\"Lyon\"}");
    ck_assert_str_eq(m->worse_case_json,
                     "{\"input\":\"Capital of France?\",\"expected\":\"Paris\"}");
    m = &pw.items[1];
    ck_assert_str_eq(m->id, "cap/verbosity");
    ck_assert_int_eq(m->versus, SK_MC_VS_PAIR);
    ck_assert_int_eq(m->bias, SK_BIAS_VERBOSITY);
    ck_assert_str_eq(m->case_json,
                     "{\"input\":\"Capital of France?\",\"expected\":\"Well... Lyon\"}");
    m = &pw.items[4];
    ck_assert_str_eq(m->id, "mine");
    ck_assert_int_eq(m->type, SK_MC_HIGH);
    ck_assert_int_eq(m->versus, 0);
    ck_assert_ptr_null(m->worse_case_json);
    sk_metacase_set_free(&pw);
    /* Another field: metadata.KEY, made where missing, the rest kept. */
    sk_metacase_add_for_pairwise(&pw, &set.items[2], "metadata.b.answer");
    ck_assert_str_eq(pw.items[0].case_json,
                     "{\"input\":\"Capital of France?\",\"expected\":\"Paris\",\"metadata\":"
                     "{\"b\":{\"answer\":\"Well... Lyon\"}}}");
    ck_assert_str_eq(pw.items[0].worse_case_json,
                     "{\"input\":\"Capital of France?\",\"expected\":\"Paris\",\"metadata\":"
                     "{\"b\":{\"answer\":\"Paris\"}}}");
    /* Copies keep it all. */
    sk_metacase_append_copy(&pw, &pw.items[0]);
    ck_assert_str_eq(pw.items[1].worse_case_json, pw.items[0].worse_case_json);
    ck_assert_int_eq(pw.items[1].versus, SK_MC_VS_PAIR);
    sk_metacase_set_free(&pw);
    sk_metacase_set_free(&set);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("metacase");
    TCase *t = tcase_create("metacase");
    tcase_add_test(t, record_expands_into_five);
    tcase_add_test(t, meta_case_forms);
    tcase_add_test(t, bad_lines_refused);
    tcase_add_test(t, file_errors_name_the_line);
    tcase_add_test(t, array_of_cases);
    tcase_add_test(t, builtin_set_is_complete);
    tcase_add_test(t, pairwise_head_to_heads);
    suite_add_tcase(s, t);
    return s;
}

int main(void)
{
    return sk_run_suite(suite());
}
