/*
 * The openai task provider against the fake LLM server: configuration
 * checks, the prompt template over the row, the system message and params
 * in the request, text and JSON outputs, failures as task errors, trials
 * as separate calls, and many workers at once.
 */
#include <check.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/error.h"
#include "fixtures.h"
#include "judge_fixture.h"
#include "run_suite.h"
#include "sk_test.h"
#include "task/task.h"
#include "task/task_openai.h"
#include "base/util.h"

/* Open the task from JSON text with the tests' client (the fixture's);
 * returns the error (caller frees) or NULL. */
static char *try_open(const char *config, const char *dir, void **state)
{
    cJSON *c = cJSON_Parse(config);
    ck_assert_msg(c, "bad test config %s", config);
    char *err = NULL;
    const sk_task_ops *ops = sk_task_find(c, &err);
    ck_assert_ptr_eq(ops, &sk_task_openai);
    *state = NULL;
    int rc = ops->open(c, dir, sk_test_host_ctx()->llm, state, &err);
    cJSON_Delete(c);
    if (rc) {
        ck_assert_ptr_null(*state);
        ck_assert_ptr_nonnull(err);
        return err;
    }
    return NULL;
}

static void *open_task(const char *config)
{
    void *st;
    char *err = try_open(config, NULL, &st);
    ck_assert_msg(!err, "%s", err);
    return st;
}

/* Run one row; the output (or error) text in *res. */
static void run_row(void *st, const char *row, unsigned trial, sk_task_result *res)
{
    sk_task_result_reset(res);
    ck_assert_int_eq(sk_task_openai.run(st, row, trial, res), 0);
}

START_TEST(registered)
{
    cJSON *c = cJSON_Parse("{\"provider\": \"nope\"}");
    char *err = NULL;
    ck_assert_ptr_null(sk_task_find(c, &err));
    sk_assert_has(err, "openai");
    free(err);
    cJSON_Delete(c);
    ck_assert_int_eq(sk_task_openai.cheap, 0);
}
END_TEST

START_TEST(prompt_system_params)
{
    void *st =
        open_task("{\"provider\": \"openai\", \"model\": \"echo\", \"system\": \"Be brief.\", "
                  "\"prompt\": \"Q: {{input.q}} in {{metadata.lang}}\", "
                  "\"params\": {\"temperature\": 0.2, \"max_tokens\": 50}}");
    sk_task_result res = {0};
    run_row(st,
            "{\"id\":\"r1\",\"input\":{\"q\":\"capital?\"},\"expected\":\"Paris\","
            "\"metadata\":{\"lang\":\"fr\"}}",
            0, &res);
    ck_assert_int_eq(res.failed, 0);
    ck_assert_str_eq(res.output.data, "\"Q: capital? in fr\"");
    ck_assert(res.latency_ms >= 0);
    char *body = sk_jf_last_body();
    sk_assert_has(body, "{\"role\":\"system\",\"content\":\"Be brief.\"}");
    sk_assert_has(body, "\"temperature\":0.2");
    sk_assert_has(body, "\"max_tokens\":50");
    sk_assert_has(body, "\"model\":\"echo\"");
    ck_assert_ptr_null(strstr(body, "Paris")); /* the task never sees expected */
    free(body);
    /* A row without the metadata the prompt needs: a task error. */
    run_row(st, "{\"id\":\"r2\",\"input\":{\"q\":\"x\"}}", 0, &res);
    ck_assert_int_eq(res.failed, 1);
    sk_assert_has(res.error.data, "the row has no metadata");
    sk_task_result_free(&res);
    sk_task_openai.close(st);
}
END_TEST

START_TEST(default_prompt_is_input)
{
    void *st = open_task("{\"provider\": \"openai\", \"model\": \"echo\"}");
    sk_task_result res = {0};
    run_row(st, "{\"id\":\"r\",\"input\":\"What is 2+2?\"}", 0, &res);
    ck_assert_str_eq(res.output.data, "\"What is 2+2?\"");
    /* A non-string input goes in as JSON. */
    run_row(st, "{\"id\":\"r\",\"input\":{\"a\":[1,2]}}", 0, &res);
    ck_assert_str_eq(res.output.data, "\"{\\\"a\\\":[1,2]}\"");
    sk_task_result_free(&res);
    sk_task_openai.close(st);
}
END_TEST

START_TEST(json_output)
{
    sk_task_result res = {0};
    void *st = open_task("{\"provider\": \"openai\", \"model\": \"text: {\\\"a\\\": 1}\\n\", "
                         "\"output\": \"json\"}");
    run_row(st, "{\"id\":\"r\",\"input\":\"x\"}", 0, &res);
    ck_assert_str_eq(res.output.data, "{\"a\": 1}");
    sk_task_openai.close(st);
    st = open_task("{\"provider\": \"openai\", \"model\": \"text:{\\\"a\\\": 1}\"}");
    run_row(st, "{\"id\":\"r\",\"input\":\"x\"}", 0, &res);
    ck_assert_str_eq(res.output.data, "\"{\\\"a\\\": 1}\"");
    sk_task_openai.close(st);
    st =
        open_task("{\"provider\": \"openai\", \"model\": \"text:not json\", \"output\": \"json\"}");
    run_row(st, "{\"id\":\"r\",\"input\":\"x\"}", 0, &res);
    ck_assert_str_eq(res.output.data, "\"not json\"");
    sk_task_openai.close(st);
    sk_task_result_free(&res);
}
END_TEST

START_TEST(failures_are_task_errors)
{
    sk_task_result res = {0};
    void *st = open_task("{\"provider\": \"openai\", \"model\": \"status:500:100\"}");
    long before = sk_llm_fx_stat("chat");
    run_row(st, "{\"id\":\"r\",\"input\":\"x\"}", 0, &res);
    ck_assert_int_eq(res.failed, 1);
    ck_assert_uint_eq(res.output.len, 0);
    sk_assert_has(res.error.data, "the model call failed");
    sk_assert_has(res.error.data, "500");
    ck_assert_int_eq(sk_llm_fx_stat("chat") - before, 3);
    sk_task_openai.close(st);
    st = open_task("{\"provider\": \"openai\", \"model\": \"garbage\"}");
    run_row(st, "{\"id\":\"r\",\"input\":\"x\"}", 0, &res);
    ck_assert_int_eq(res.failed, 1);
    sk_task_openai.close(st);
    /* A transient failure is retried, then answers. */
    st = open_task("{\"provider\": \"openai\", \"model\": \"status:503:1\"}");
    run_row(st, "{\"id\":\"r\",\"input\":\"hello\"}", 0, &res);
    ck_assert_int_eq(res.failed, 0);
    ck_assert_str_eq(res.output.data, "\"hello\"");
    sk_task_openai.close(st);
    /* A row the runner should never give: a host error. */
    st = open_task("{\"provider\": \"openai\", \"model\": \"echo\"}");
    sk_task_result_reset(&res);
    ck_assert_int_ne(sk_task_openai.run(st, "[1]", 0, &res), 0);
    ck_assert_int_eq(res.failed, 1);
    sk_task_openai.close(st);
    sk_task_result_free(&res);
}
END_TEST

static const struct {
    const char *config, *want;
} bad_configs[] = {
    {"{\"provider\": \"openai\"}", "needs \"model\""},
    {"{\"provider\": \"openai\", \"model\": \"\"}", "\"model\" must be a non-empty string"},
    {"{\"provider\": \"openai\", \"model\": \"m\", \"temperature\": 1}",
     "unknown key \"temperature\""},
    {"{\"provider\": \"openai\", \"model\": \"m\", \"prompt\": \"a\", \"prompt_file\": \"b\"}",
     "not both"},
    {"{\"provider\": \"openai\", \"model\": \"m\", \"output\": \"xml\"}", "\"text\" or \"json\""},
    {"{\"provider\": \"openai\", \"model\": \"m\", \"params\": [1]}",
     "\"params\" must be an object"},
    {"{\"provider\": \"openai\", \"model\": \"m\", \"prompt\": \"{{expected}}\"}",
     "{{expected}} names no value (known: input, metadata)"},
    {"{\"provider\": \"openai\", \"model\": \"m\", \"prompt\": \"{{input\"}", "without its"},
    {"{\"provider\": \"openai\", \"model\": \"m\", \"prompt_file\": \"/nonexistent/p.txt\"}",
     "/nonexistent/p.txt"},
    {"{\"provider\": \"openai\", \"model\": \"m\", \"system\": 3}", "\"system\" must be"},
};

START_TEST(bad_config)
{
    void *st;
    char *err = try_open(bad_configs[_i].config, NULL, &st);
    ck_assert_msg(err, "opened: %s", bad_configs[_i].config);
    sk_assert_has(err, bad_configs[_i].want);
    free(err);
}
END_TEST

START_TEST(needs_a_client)
{
    sk_test_host_ctx()->llm = NULL;
    void *st;
    char *err = try_open("{\"provider\": \"openai\", \"model\": \"m\"}", NULL, &st);
    sk_assert_has(err, "needs the LLM client");
    free(err);
    sk_test_host_ctx()->llm = sk_jf_llm;
}
END_TEST

/* A prompt file is read at open, relative to the project folder; the
 * description carries its text for the experiment's snapshot. */
START_TEST(prompt_file_and_describe)
{
    char dir[] = "/tmp/sk-openai-task.XXXXXX";
    ck_assert_ptr_nonnull(mkdtemp(dir));
    char *file = sk_asprintf("%s/prompt.txt", dir);
    FILE *f = fopen(file, "w");
    fputs("Answer: {{input}}", f);
    fclose(f);
    void *st;
    char *err = try_open("{\"provider\": \"openai\", \"model\": \"echo\", \"prompt_file\": "
                         "\"prompt.txt\", \"params\": {\"seed\": 7}}",
                         dir, &st);
    ck_assert_msg(!err, "%s", err);
    sk_task_result res = {0};
    run_row(st, "{\"id\":\"r\",\"input\":\"hi\"}", 0, &res);
    ck_assert_str_eq(res.output.data, "\"Answer: hi\"");
    char *d = sk_task_openai_describe(st);
    ck_assert_str_eq(d, "{\"provider\":\"openai\",\"model\":\"echo\",\"prompt\":\"Answer: "
                        "{{input}}\",\"prompt_file\":\"prompt.txt\",\"params\":{\"seed\":7},"
                        "\"output\":\"text\"}");
    free(d);
    sk_task_openai.close(st);
    sk_task_result_free(&res);
    unlink(file);
    rmdir(dir);
    free(file);
}
END_TEST

/* A task asks its model anew by default, cache or no cache; with "cache":
 * true trials are separate calls: a repeated trial is served from the
 * cache and another trial is asked again. */
START_TEST(trials_and_cache)
{
    char dir[] = "/tmp/sk-openai-cache.XXXXXX";
    ck_assert_ptr_nonnull(mkdtemp(dir));
    char *db = sk_asprintf("%s/scorekit.db", dir);
    sk_llm *cached = sk_jf_client(db);
    sk_test_host_ctx()->llm = cached;
    void *st = open_task("{\"provider\": \"openai\", \"model\": \"echo\"}");
    sk_task_result res = {0};
    long before = sk_llm_fx_stat("chat");
    run_row(st, "{\"id\":\"r\",\"input\":\"same\"}", 0, &res);
    run_row(st, "{\"id\":\"r\",\"input\":\"same\"}", 0, &res);
    ck_assert_int_eq(sk_llm_fx_stat("chat") - before, 2);
    sk_task_openai.close(st);
    st = open_task("{\"provider\": \"openai\", \"model\": \"echo\", \"cache\": true}");
    before = sk_llm_fx_stat("chat");
    run_row(st, "{\"id\":\"r\",\"input\":\"same\"}", 0, &res);
    run_row(st, "{\"id\":\"r\",\"input\":\"same\"}", 0, &res);
    ck_assert_int_eq(sk_llm_fx_stat("chat") - before, 1);
    run_row(st, "{\"id\":\"r\",\"input\":\"same\"}", 1, &res);
    ck_assert_int_eq(sk_llm_fx_stat("chat") - before, 2);
    ck_assert_str_eq(res.output.data, "\"same\"");
    sk_task_openai.close(st);
    sk_task_result_free(&res);
    sk_test_host_ctx()->llm = sk_jf_llm;
    sk_llm_close(cached);
    char *cmd = sk_asprintf("rm -rf '%s'", dir);
    ck_assert_int_eq(system(cmd), 0);
    free(cmd);
    free(db);
}
END_TEST

typedef struct warg {
    void *st;
    int id, ok;
} warg;

static void *worker(void *p)
{
    warg *a = p;
    sk_task_result res = {0};
    for (int i = 0; i < 5; i++) {
        char *row = sk_asprintf("{\"id\":\"r\",\"input\":\"w%d-%d\"}", a->id, i);
        char *want = sk_asprintf("\"w%d-%d\"", a->id, i);
        sk_task_result_reset(&res);
        if (sk_task_openai.run(a->st, row, 0, &res) == 0 && !res.failed &&
            strcmp(res.output.data, want) == 0)
            a->ok++;
        free(row);
        free(want);
    }
    sk_task_result_free(&res);
    return NULL;
}

START_TEST(concurrent_rows)
{
    void *st = open_task("{\"provider\": \"openai\", \"model\": \"echo\"}");
    enum { N = 6 };
    pthread_t th[N];
    warg a[N];
    for (int i = 0; i < N; i++) {
        a[i] = (warg){st, i, 0};
        ck_assert_int_eq(pthread_create(&th[i], NULL, worker, &a[i]), 0);
    }
    for (int i = 0; i < N; i++) {
        pthread_join(th[i], NULL);
        ck_assert_int_eq(a[i].ok, 5);
    }
    sk_task_openai.close(st);
}
END_TEST

static Suite *openai_suite(void)
{
    Suite *s = suite_create("task_openai");
    TCase *tc = tcase_create("openai");
    tcase_set_timeout(tc, 120);
    tcase_add_checked_fixture(tc, sk_jf_setup, sk_jf_teardown);
    tcase_add_test(tc, registered);
    tcase_add_test(tc, prompt_system_params);
    tcase_add_test(tc, default_prompt_is_input);
    tcase_add_test(tc, json_output);
    tcase_add_test(tc, failures_are_task_errors);
    tcase_add_loop_test(tc, bad_config, 0, (int)(sizeof bad_configs / sizeof bad_configs[0]));
    tcase_add_test(tc, needs_a_client);
    tcase_add_test(tc, prompt_file_and_describe);
    tcase_add_test(tc, trials_and_cache);
    tcase_add_test(tc, concurrent_rows);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return sk_run_suite(openai_suite());
}
