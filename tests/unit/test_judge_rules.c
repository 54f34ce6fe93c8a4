/*
 * What the judges stand on, without a model: prompt templates (rendering,
 * missing values, syntax checks), the built-in prompts against the
 * installed files, and the rules that turn a reply into exactly one choice
 * or an error.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixtures.h"
#include "judge.h"
#include "run_suite.h"
#include "base/template.h"
#include "base/util.h"

/* ---- templates ------------------------------------------------------------ */

START_TEST(template_renders_values)
{
    sk_tpl_var vars[] = {
        {"input", "{\"q\":\"capital?\",\"n\":[1,2]}", NULL, 0},
        {"output", "\"Paris\"", "Paris", 5},
        {"metadata", "{\"topic\":\"geo\",\"deep\":{\"k\":true}}", NULL, 0},
    };
    char err[256];
    char *s = sk_tpl_render("Q={{input.q}} N={{ input.n }} O={{output}} T={{metadata.topic}} "
                            "K={{metadata.deep.k}} ALL={{input}}",
                            vars, 3, err, sizeof err);
    ck_assert_msg(s, "%s", err);
    ck_assert_str_eq(
        s, "Q=capital? N=[1,2] O=Paris T=geo K=true ALL={\"q\":\"capital?\",\"n\":[1,2]}");
    free(s);
    /* A JSON string without a text is decoded; inserted text is not scanned again. */
    sk_tpl_var v2[] = {{"output", "\"say \\\"{{input}}\\\"\"", NULL, 0}};
    s = sk_tpl_render("[{{output}}] {not a slot} }}", v2, 1, err, sizeof err);
    ck_assert_msg(s, "%s", err);
    ck_assert_str_eq(s, "[say \"{{input}}\"] {not a slot} }}");
    free(s);
}
END_TEST

START_TEST(template_values_as_written)
{
    /* A member goes in as its row wrote it: every digit of a number a
     * double cannot hold, an object with its spacing and its own numbers;
     * a string decoded, escapes and all. */
    sk_tpl_var vars[] = {
        {"expected",
         " {\"amount\": 12345678901234567890, \"rate\": 0.1000000000000000055511151,"
         " \"item\": {\"sku\": 9007199254740993, \"tags\": [1, 2]},"
         " \"note\": \"tab\\there \\u00e9 \\\"q\\\"\"} ",
         NULL, 0},
    };
    char err[256];
    char *s = sk_tpl_render("A={{expected.amount}} R={{expected.rate}} I={{expected.item}} "
                            "S={{expected.item.sku}} N={{expected.note}}",
                            vars, 1, err, sizeof err);
    ck_assert_msg(s, "%s", err);
    ck_assert_str_eq(s, "A=12345678901234567890 R=0.1000000000000000055511151 "
                        "I={\"sku\": 9007199254740993, \"tags\": [1, 2]} S=9007199254740993 "
                        "N=tab\there \xc3\xa9 \"q\"");
    free(s);
    /* A path through something that is not an object, or to null, names
     * what the row lacks. */
    sk_tpl_var v2[] = {{"metadata", "{\"a\": [1], \"n\": null, \"s\": \"x\"}", NULL, 0}};
    const char *const missing[] = {"{{metadata.a.b}}", "{{metadata.n}}", "{{metadata.s.t}}",
                                   "{{metadata.z}}"};
    for (size_t i = 0; i < sizeof missing / sizeof *missing; i++) {
        ck_assert_ptr_null(sk_tpl_render(missing[i], v2, 1, err, sizeof err));
        sk_assert_has(err, "the row has no metadata.");
    }
    /* The whole of a string value, decoded, as before. */
    sk_tpl_var v3[] = {{"output", " \"caf\\u00e9\" ", NULL, 0}};
    s = sk_tpl_render("{{output}}", v3, 1, err, sizeof err);
    ck_assert_msg(s, "%s", err);
    ck_assert_str_eq(s, "caf\xc3\xa9");
    free(s);
}
END_TEST

START_TEST(template_missing_values)
{
    sk_tpl_var vars[] = {
        {"expected", NULL, NULL, 0},
        {"metadata", "{\"a\":1}", NULL, 0},
        {"criterion", NULL, "be brief", 8},
    };
    char err[256];
    ck_assert_ptr_null(sk_tpl_render("x {{expected}}", vars, 3, err, sizeof err));
    sk_assert_has(err, "the row has no expected");
    ck_assert_ptr_null(sk_tpl_render("{{metadata.b}}", vars, 3, err, sizeof err));
    sk_assert_has(err, "the row has no metadata.b");
    ck_assert_ptr_null(sk_tpl_render("{{metadata.a.b}}", vars, 3, err, sizeof err));
    sk_assert_has(err, "the row has no metadata.a.b");
    ck_assert_ptr_null(sk_tpl_render("{{criterion.x}}", vars, 3, err, sizeof err));
    sk_assert_has(err, "criterion is text");
    char *s = sk_tpl_render("{{criterion}}", vars, 3, err, sizeof err);
    ck_assert_str_eq(s, "be brief");
    free(s);
}
END_TEST

START_TEST(template_check)
{
    static const char *const names[] = {"input", "output", NULL};
    char err[256];
    ck_assert_int_eq(sk_tpl_check("{{input}} and {{ output.x }}", names, err, sizeof err), 0);
    ck_assert_int_eq(sk_tpl_check("line\n{{inputs}}", names, err, sizeof err), -1);
    sk_assert_has(err, "line 2: {{inputs}} names no value (known: input, output)");
    ck_assert_int_eq(sk_tpl_check("{{input", names, err, sizeof err), -1);
    sk_assert_has(err, "without its");
    ck_assert_int_eq(sk_tpl_check("{{in put}}", names, err, sizeof err), -1);
    sk_assert_has(err, "is not a placeholder");
    ck_assert_int_eq(sk_tpl_check("{{}}", names, err, sizeof err), -1);
    ck_assert_int_eq(sk_tpl_check("{{input..a}}", names, err, sizeof err), -1);
    ck_assert_int_eq(sk_tpl_check("no slots at all", names, err, sizeof err), 0);
}
END_TEST

/* The compiled prompts are the installed files, byte for byte. */
START_TEST(builtin_prompts_match_files)
{
    static const char *const names[] = {"factuality", "closed_qa", "rubric", "pairwise"};
    for (size_t i = 0; i < 4; i++) {
        char *path = sk_asprintf("%s/plugins/judge/prompts/%s.txt", getenv("SK_SRCDIR"), names[i]);
        FILE *f = fopen(path, "rb");
        ck_assert_msg(f, "cannot open %s", path);
        char buf[8192];
        size_t n = fread(buf, 1, sizeof buf - 1, f);
        fclose(f);
        buf[n] = '\0';
        const char *compiled = sk_j_builtin_prompt(names[i]);
        ck_assert_ptr_nonnull(compiled);
        ck_assert_msg(strcmp(buf, compiled) == 0,
                      "%s differs from the copy in plugins/judge/prompts.c; update both", path);
        free(path);
    }
    ck_assert_ptr_null(sk_j_builtin_prompt("nope"));
}
END_TEST

/* ---- the choice rules ----------------------------------------------------- */

static sk_j_judge two_choices(int cot)
{
    sk_j_judge j = {0};
    j.name = "t";
    j.cot = cot;
    char err[128];
    ck_assert_int_eq(
        sk_j_choices_from_json("{\"A\": 1, \"B\": 0.25}", &j.choices, &j.nchoices, err, sizeof err),
        0);
    return j;
}

START_TEST(parse_reply_rules)
{
    sk_j_judge j = two_choices(1);
    sk_j_verdict v;
    char err[512];
    ck_assert_int_eq(
        sk_j_parse_reply(&j,
                         "{\"content\":null,\"tool_args\":{\"reasons\":\"r\",\"choice\""
                         ":\" B \"},\"model\":\"m\",\"cached\":true,\"usage\":{"
                         "\"prompt_tokens\":7,\"completion_tokens\":null,\"cost\":0.5}}",
                         &v, err, sizeof err),
        0);
    ck_assert_uint_eq(v.choice, 1);
    ck_assert_str_eq(v.reasons, "r");
    ck_assert_str_eq(v.model, "m");
    ck_assert_int_eq(v.cached, 1);
    ck_assert_int_eq(v.prompt_tokens, 7);
    ck_assert_int_eq(v.completion_tokens, -1);
    ck_assert_double_eq(v.cost, 0.5);
    sk_j_verdict_free(&v);

    struct {
        const char *reply, *want;
    } bad[] = {
        {"{\"tool_args\":{\"reasons\":\"r\",\"choice\":\"C\"}}",
         "chose \"C\", which is not one of the allowed labels (A, B): "
         "{\"reasons\":\"r\",\"choice\":\"C\"}"},
        {"{\"tool_args\":{\"reasons\":\"r\",\"choice\":\"a\"}}",
         "not one of the allowed labels (A, B)"},
        {"{\"tool_args\":{\"reasons\":\"r\",\"choice\":1}}", "has no \"choice\""},
        {"{\"tool_args\":{\"reasons\":\"r\"}}", "has no \"choice\""},
        {"{\"tool_args\":{\"choice\":\"A\"}}", "without the \"reasons\""},
        {"{\"tool_args\":{\"choice\":\"A\",\"reasons\":\"\"}}", "without the \"reasons\""},
        {"{\"content\":\"I pick A\",\"tool_args\":null}", "answered in text instead of choosing"},
        {"{\"content\":null,\"tool_args\":null}", "made no choice"},
        {"<html>", "not a JSON object: <html>"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        err[0] = '\0';
        ck_assert_msg(sk_j_parse_reply(&j, bad[i].reply, &v, err, sizeof err) == -1, "%s",
                      bad[i].reply);
        sk_assert_has(err, bad[i].want);
        ck_assert_ptr_null(v.reasons);
    }
    /* Without cot, reasons are not required. */
    j.cot = 0;
    ck_assert_int_eq(
        sk_j_parse_reply(&j, "{\"tool_args\":{\"choice\":\"A\"}}", &v, err, sizeof err), 0);
    ck_assert_str_eq(v.reasons, "");
    sk_j_verdict_free(&v);
    sk_j_judge_free(&j);
}
END_TEST

START_TEST(long_reply_excerpt)
{
    sk_j_judge j = two_choices(1);
    sk_buf b = {0};
    sk_buf_adds(&b, "{\"tool_args\":{\"choice\":\"Z\",\"reasons\":\"");
    for (int i = 0; i < 500; i++)
        sk_buf_adds(&b, "\xc3\xa9"); /* é: the cut must not split it */
    sk_buf_adds(&b, "\"}}");
    sk_j_verdict v;
    char err[1024];
    ck_assert_int_eq(sk_j_parse_reply(&j, b.data, &v, err, sizeof err), -1);
    ck_assert_msg(strlen(err) < 400, "excerpt not bounded: %zu bytes", strlen(err));
    sk_assert_has(err, "\xc3\xa9...");
    sk_buf_free(&b);
    sk_j_judge_free(&j);
}
END_TEST

START_TEST(choices_from_json)
{
    sk_j_choice *c;
    size_t n;
    char err[256];
    ck_assert_int_eq(sk_j_choices_from_json("{\"x\": 1}", &c, &n, err, sizeof err), -1);
    sk_assert_has(err, "at least two");
    ck_assert_int_eq(sk_j_choices_from_json("{\"x\": 1, \"y\": 2}", &c, &n, err, sizeof err), -1);
    sk_assert_has(err, "\"y\" must be a non-empty label with a score in [0,1]");
    ck_assert_int_eq(sk_j_choices_from_json("{\"x\": 1, \"y\": \"0\"}", &c, &n, err, sizeof err),
                     -1);
    ck_assert_int_eq(sk_j_choices_from_json("{\"x\": 1, \"x\": 0}", &c, &n, err, sizeof err), -1);
    sk_assert_has(err, "appears twice");
    ck_assert_int_eq(sk_j_choices_from_json("[1, 2]", &c, &n, err, sizeof err), -1);
}
END_TEST

static Suite *rules_suite(void)
{
    Suite *s = suite_create("judge_rules");
    TCase *tc = tcase_create("template");
    tcase_add_test(tc, template_renders_values);
    tcase_add_test(tc, template_values_as_written);
    tcase_add_test(tc, template_missing_values);
    tcase_add_test(tc, template_check);
    tcase_add_test(tc, builtin_prompts_match_files);
    suite_add_tcase(s, tc);
    tc = tcase_create("choices");
    tcase_add_test(tc, parse_reply_rules);
    tcase_add_test(tc, long_reply_excerpt);
    tcase_add_test(tc, choices_from_json);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return sk_run_suite(rules_suite());
}
