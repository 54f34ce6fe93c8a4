/*
 * Tests for the diff of configuration snapshots (config_diff.c): one
 * variable per task key and per model param, prompt text as a line diff,
 * pack scorers added, removed and changed, dataset versions, trials, and
 * what does not count as a variable.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/config_diff.h"
#include "base/error.h"
#include "run_suite.h"

static sk_config_diff d;

static void teardown(void)
{
    sk_config_diff_clear(&d);
}

static void diff(const char *a, const char *b)
{
    char *err = NULL;
    ck_assert_int_eq(sk_config_diff_compute(a, b, &d, &err), SK_OK);
    ck_assert_ptr_null(err);
}

/* The change of variable `name`; fails the test when there is none. */
static const sk_config_change *change(const char *name)
{
    for (size_t i = 0; i < d.n; i++)
        if (strcmp(d.v[i].variable, name) == 0)
            return &d.v[i];
    ck_abort_msg("no change of %s (of %zu)", name, d.n);
    return NULL;
}

#define PACK                                                                                       \
    "\"pack\":{\"name\":\"p\",\"version\":\"1\",\"scorers\":["                                     \
    "{\"as\":\"exact\",\"use\":\"exact_match\",\"engine\":\"plugin\",\"params\":{\"ignore_case\":" \
    "false},\"threshold\":1,\"weight\":1},"                                                        \
    "{\"as\":\"sim\",\"use\":\"levenshtein\",\"engine\":\"plugin\",\"params\":{\"ignore_case\":"   \
    "false},\"threshold\":0.7,\"weight\":1}]}"

START_TEST(identical_snapshots)
{
    const char *s = "{\"task\":{\"provider\":\"column\",\"field\":\"output\"}," PACK
                    ",\"pack_hash\":\"x\",\"dataset\":\"qa@1\",\"trials\":1,\"scorekit\":\"0.1\"}";
    diff(s, s);
    ck_assert_uint_eq(d.n, 0);
    ck_assert_uint_eq(d.variables, 0);
}
END_TEST

START_TEST(one_env_variable)
{
    diff("{\"task\":{\"provider\":\"exec\",\"command\":[\"./app\"],\"env\":{\"MODEL\":\"small\"}},"
         "\"dataset\":\"qa@1\",\"trials\":1}",
         "{\"task\":{\"provider\":\"exec\",\"command\":[\"./app\"],\"env\":{\"MODEL\":\"big\"}},"
         "\"dataset\":\"qa@1\",\"trials\":1}");
    ck_assert_uint_eq(d.n, 1);
    ck_assert_uint_eq(d.variables, 1);
    const sk_config_change *c = change("task.env.MODEL");
    ck_assert_str_eq(c->before, "\"small\"");
    ck_assert_str_eq(c->after, "\"big\"");
    ck_assert_int_eq(c->counts, 1);
    ck_assert_ptr_null(c->diff);
}
END_TEST

START_TEST(model_and_each_param)
{
    diff("{\"task\":{\"provider\":\"openai\",\"model\":\"a\",\"params\":{\"temperature\":0}}}",
         "{\"task\":{\"provider\":\"openai\",\"model\":\"b\",\"params\":{\"temperature\":0.7,"
         "\"max_tokens\":100}}}");
    ck_assert_uint_eq(d.variables, 3);
    ck_assert_str_eq(change("task.model")->after, "\"b\"");
    ck_assert_str_eq(change("task.params.temperature")->before, "0");
    ck_assert_str_eq(change("task.params.temperature")->after, "0.7");
    ck_assert_ptr_null(change("task.params.max_tokens")->before);
    ck_assert_str_eq(change("task.params.max_tokens")->after, "100");
    /* An array is one value: a command line means nothing item by item. */
    sk_config_diff_clear(&d);
    diff("{\"task\":{\"command\":[\"./app\",\"-v\"]}}", "{\"task\":{\"command\":[\"./app\"]}}");
    ck_assert_uint_eq(d.variables, 1);
    ck_assert_str_eq(change("task.command")->before, "[\"./app\",\"-v\"]");
}
END_TEST

START_TEST(prompt_line_diff)
{
    diff("{\"task\":{\"prompt\":\"You are helpful.\\nAnswer briefly.\\nCite sources.\"}}",
         "{\"task\":{\"prompt\":\"You are helpful.\\nAnswer in one word.\\nCite sources.\"}}");
    ck_assert_uint_eq(d.variables, 1);
    const sk_config_change *c = change("task.prompt");
    ck_assert_str_eq(c->diff, "  You are helpful.\n- Answer briefly.\n+ Answer in one word.\n"
                              "  Cite sources.\n");
    /* A one-line system prompt is prose too. */
    sk_config_diff_clear(&d);
    diff("{\"task\":{\"system\":\"Be terse.\"}}", "{\"task\":{\"system\":\"Be kind.\"}}");
    ck_assert_str_eq(change("task.system")->diff, "- Be terse.\n+ Be kind.\n");
    /* A short value that is not prose gets no diff. */
    sk_config_diff_clear(&d);
    diff("{\"task\":{\"field\":\"a\"}}", "{\"task\":{\"field\":\"b\"}}");
    ck_assert_ptr_null(change("task.field")->diff);
}
END_TEST

START_TEST(line_diff_context)
{
    /* Lines 1..10, the 5th changed: one kept line of context each side,
     * the rest of each run folded. */
    char *t = sk_line_diff("1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n", "1\n2\n3\n4\nfive\n6\n7\n8\n9\n10\n");
    ck_assert_str_eq(t, "  ...\n  4\n- 5\n+ five\n  6\n  ...\n");
    free(t);
    t = sk_line_diff("a\nb", "a\nb");
    ck_assert_str_eq(t, "  ...\n");
    free(t);
    t = sk_line_diff(NULL, "new\ntext");
    ck_assert_str_eq(t, "+ new\n+ text\n");
    free(t);
    /* Insertions keep the common lines. */
    t = sk_line_diff("a\nc", "a\nb\nc");
    ck_assert_str_eq(t, "  a\n+ b\n  c\n");
    free(t);
}
END_TEST

START_TEST(pack_changes)
{
    const char *a = "{" PACK "}";
    /* sim's threshold and a param change; exact is removed; judge added;
     * the version label moves; the order of the scorers changes. */
    const char *b =
        "{\"pack\":{\"name\":\"p\",\"version\":\"2\",\"scorers\":["
        "{\"as\":\"judge\",\"use\":\"lua:judge\",\"engine\":\"lua\",\"params\":{}, \"weight\":1},"
        "{\"as\":\"sim\",\"use\":\"levenshtein\",\"engine\":\"plugin\",\"params\":{\"ignore_case\":"
        "true},\"threshold\":0.8,\"weight\":1}]}}";
    diff(a, b);
    ck_assert_uint_eq(d.variables, 2);
    ck_assert_str_eq(change("pack.sim.threshold")->before, "0.7");
    ck_assert_str_eq(change("pack.sim.threshold")->after, "0.8");
    ck_assert_str_eq(change("pack.sim.params.ignore_case")->after, "true");
    ck_assert_int_eq(change("pack.exact")->counts, 0);
    ck_assert_ptr_null(change("pack.exact")->after);
    ck_assert_str_eq(change("pack.exact")->note, "scorer removed: not compared");
    ck_assert_int_eq(change("pack.judge")->counts, 0);
    ck_assert_ptr_null(change("pack.judge")->before);
    ck_assert_int_eq(change("pack.version")->counts, 0);
    ck_assert_uint_eq(d.n, 5);
}
END_TEST

START_TEST(scorer_swapped_under_one_name)
{
    diff("{\"pack\":{\"scorers\":[{\"as\":\"s\",\"use\":\"levenshtein\",\"engine\":\"plugin\","
         "\"params\":{\"ignore_case\":false}}]}}",
         "{\"pack\":{\"scorers\":[{\"as\":\"s\",\"use\":\"lua:sim\",\"engine\":\"lua\","
         "\"params\":{\"n\":2}}]}}");
    /* One variable, not one per consequence (params, engine). */
    ck_assert_uint_eq(d.n, 1);
    ck_assert_uint_eq(d.variables, 1);
    ck_assert_str_eq(change("pack.s")->note,
                     "another scorer under this name: \"lua:sim\", was \"levenshtein\"");
}
END_TEST

START_TEST(dataset_trials_and_labels)
{
    diff("{\"dataset\":\"qa@1\",\"trials\":1,\"pack_path\":\"/a/pack.json\",\"pack_hash\":\"1\","
         "\"scorekit\":\"0.1\"}",
         "{\"dataset\":\"qa@2\",\"trials\":3,\"pack_path\":\"/b/pack.json\",\"pack_hash\":\"2\","
         "\"scorekit\":\"0.2\"}");
    ck_assert_str_eq(change("dataset version")->before, "\"qa@1\"");
    ck_assert_str_eq(change("dataset version")->after, "\"qa@2\"");
    ck_assert_str_eq(change("trials")->after, "3");
    ck_assert_int_eq(change("scorekit version")->counts, 1);
    ck_assert_int_eq(change("pack file")->counts, 0);
    /* The hash follows from the pack's contents, compared on their own. */
    ck_assert_uint_eq(d.n, 4);
    ck_assert_uint_eq(d.variables, 3);
    sk_config_diff_clear(&d);
    diff("{\"dataset\":\"qa@1\"}", "{\"dataset\":\"qa2@1\"}");
    ck_assert_str_eq(change("dataset")->after, "\"qa2@1\"");
    /* A key a later scorekit records is a variable too. */
    sk_config_diff_clear(&d);
    diff("{\"seed\":1}", "{\"seed\":2,\"region\":\"eu\"}");
    ck_assert_uint_eq(d.variables, 2);
    ck_assert_ptr_null(change("region")->before);
}
END_TEST

START_TEST(bad_snapshot)
{
    char *err = NULL;
    ck_assert_int_eq(sk_config_diff_compute("{}", "[1]", &d, &err), SK_EPARSE);
    ck_assert_ptr_nonnull(strstr(err, "second configuration snapshot is not a JSON object"));
    free(err);
    err = NULL;
    sk_config_diff_clear(&d);
    ck_assert_int_eq(sk_config_diff_compute(NULL, "{}", &d, &err), SK_EPARSE);
    ck_assert_ptr_nonnull(strstr(err, "first"));
    free(err);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("config_diff");
    TCase *tc = tcase_create("diff");
    tcase_add_checked_fixture(tc, NULL, teardown);
    tcase_add_test(tc, identical_snapshots);
    tcase_add_test(tc, one_env_variable);
    tcase_add_test(tc, model_and_each_param);
    tcase_add_test(tc, prompt_line_diff);
    tcase_add_test(tc, line_diff_context);
    tcase_add_test(tc, pack_changes);
    tcase_add_test(tc, scorer_swapped_under_one_name);
    tcase_add_test(tc, dataset_trials_and_labels);
    tcase_add_test(tc, bad_snapshot);
    suite_add_tcase(s, tc);
    return sk_run_suite(s);
}
