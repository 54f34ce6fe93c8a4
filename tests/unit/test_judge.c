/*
 * Every judge driven through the real host (the built judge.so,
 * host->llm_chat, the LLM client) against the fake LLM server,
 * whose model names script the replies: `tool:{...}` calls the tool with
 * those arguments, `judge` picks the first label found after "ANSWER:",
 * `status:500:K` fails K times, `garbage` is not JSON.
 */
#include <check.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/error.h"
#include "fixtures.h"
#include "engine/host.h"
#include "judge.h"
#include "judge_fixture.h"
#include "engine/params.h"
#include "engine/registry.h"
#include "run_suite.h"
#include "sk_test.h"
#include "base/util.h"

static sk_registry *reg;

static void setup(void)
{
    sk_jf_setup();
    reg = sk_registry_new();
    char *path = sk_asprintf("%s/plugins/.libs/judge.so", getenv("SK_BUILDDIR"));
    char *err = NULL;
    ck_assert_msg(sk_registry_load(reg, path, &err) == SK_OK, "load %s: %s", path, err);
    free(path);
}

static void teardown(void)
{
    sk_registry_free(reg);
    sk_jf_teardown();
}

/* ---- driving one judge through the host ---------------------------------- */

typedef struct jt {
    const sk_scorer_def *def;
    void *state;
    sk_result r;
    char *texts[3];
} jt;

/* Open `use` with params (JSON text, NULL: {}); returns the open error
 * (caller frees) or NULL. */
static char *jt_try_open(jt *t, const char *use, const char *params)
{
    memset(t, 0, sizeof *t);
    char *err = NULL;
    ck_assert_msg(sk_registry_find(reg, use, &t->def, NULL, &err) == SK_OK, "%s", err);
    cJSON *given = params ? cJSON_Parse(params) : NULL;
    ck_assert_msg(!params || given, "bad test params %s", params);
    char *resolved = NULL;
    int rc = sk_params_resolve(t->def, use, given, &resolved, &err);
    cJSON_Delete(given);
    if (rc)
        return err;
    char buf[1024] = "";
    rc = t->def->open(sk_test_host(), resolved, &t->state, buf, sizeof buf);
    free(resolved);
    if (rc)
        return sk_xstrdup(buf);
    return NULL;
}

static void jt_open(jt *t, const char *use, const char *params)
{
    char *err = jt_try_open(t, use, params);
    ck_assert_msg(!err, "open %s: %s", use, err);
}

static void jt_close(jt *t)
{
    if (t->def && t->def->close)
        t->def->close(sk_test_host(), t->state);
    sk_result_free(&t->r);
    for (int i = 0; i < 3; i++)
        free(t->texts[i]);
}

/* The decoded text of a JSON string, else the JSON itself. */
static const char *text_of(jt *t, int i, const char *json, size_t *len)
{
    free(t->texts[i]);
    t->texts[i] = NULL;
    if (!json) {
        *len = 0;
        return NULL;
    }
    cJSON *v = cJSON_Parse(json);
    t->texts[i] = sk_xstrdup(cJSON_IsString(v) ? v->valuestring : json);
    cJSON_Delete(v);
    *len = strlen(t->texts[i]);
    return t->texts[i];
}

/* Score one case (JSON texts; expected and metadata may be NULL). */
static const sk_result *jt_score(jt *t, const char *input, const char *output, const char *expected,
                                 const char *metadata)
{
    sk_case c = {0};
    c.size = sizeof c;
    c.id = "row-1";
    c.input_json = input;
    c.output_json = output;
    c.expected_json = expected;
    c.metadata_json = metadata;
    c.input_text = text_of(t, 0, input, &c.input_len);
    c.output_text = text_of(t, 1, output, &c.output_len);
    c.expected_text = text_of(t, 2, expected, &c.expected_len);
    sk_result_reset(&t->r);
    int rc = t->def->score(sk_test_host(), t->state, &c, &t->r);
    sk_result_finish(&t->r, rc, t->def->name);
    return &t->r;
}

static void assert_score(const sk_result *r, double want)
{
    ck_assert_msg(r->kind == SK_VERDICT_SCORE, "wanted score %g, got kind %d: %s", want, r->kind,
                  r->message.data ? r->message.data : "");
    ck_assert_double_eq_tol(r->score, want, 1e-9);
}

static void assert_error(const sk_result *r, const char *want)
{
    ck_assert_msg(r->kind == SK_VERDICT_ERROR, "wanted an error with \"%s\", got kind %d (%g)",
                  want, r->kind, r->score);
    sk_assert_has(r->message.data, want);
}

/* A factuality pack entry whose model replies with these tool arguments. */
static char *tool_model(const char *args_json)
{
    cJSON *o = cJSON_CreateObject();
    char *model = sk_asprintf("tool:%s", args_json);
    cJSON_AddStringToObject(o, "model", model);
    free(model);
    char *text = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    return text;
}

/* ---- the judges through the host and the server ---------------------------- */

START_TEST(flags_and_names)
{
    static const char *const uses[] = {"classifier", "factuality", "closed_qa", "rubric",
                                       "pairwise"};
    for (size_t i = 0; i < 5; i++) {
        const sk_scorer_def *def;
        char *err = NULL;
        ck_assert_int_eq(sk_registry_find(reg, uses[i], &def, NULL, &err), SK_OK);
        ck_assert_uint_eq(def->flags & SK_SCORER_USES_LLM, SK_SCORER_USES_LLM);
        ck_assert_uint_eq(def->flags & SK_SCORER_NONDETERMINISTIC, SK_SCORER_NONDETERMINISTIC);
        ck_assert_uint_eq(def->flags & SK_SCORER_THREAD_SAFE, SK_SCORER_THREAD_SAFE);
        ck_assert_uint_eq(def->flags & SK_SCORER_NEEDS_EXPECTED,
                          strcmp(uses[i], "factuality") == 0 ? SK_SCORER_NEEDS_EXPECTED : 0);
    }
}
END_TEST

START_TEST(factuality_one_request)
{
    jt t;
    char *p = tool_model("{\"reasons\":\"both say Paris\",\"choice\":\"C\"}");
    jt_open(&t, "factuality", p);
    long before = sk_llm_fx_stat("chat");
    const sk_result *r = jt_score(&t, "\"capital of France?\"", "\"Paris\"", "\"Paris.\"", NULL);
    assert_score(r, 1.0);
    ck_assert_int_eq(sk_llm_fx_stat("chat") - before, 1);
    ck_assert_str_eq(r->rationale.data, "both say Paris");
    sk_assert_has(r->meta.data, "\"choice\":\"C\"");
    sk_assert_has(r->meta.data, "\"model\":\"tool:{");
    sk_assert_has(r->meta.data, "\"cached\":false");
    /* What the model saw: instructions, then the case in the built-in prompt;
     * a tool with reasons before choice, forced. */
    char *body = sk_jf_last_body();
    cJSON *b = cJSON_Parse(body);
    const cJSON *msgs = cJSON_GetObjectItem(b, "messages");
    ck_assert_int_eq(cJSON_GetArraySize(msgs), 2);
    ck_assert_str_eq(cJSON_GetObjectItem(cJSON_GetArrayItem(msgs, 0), "role")->valuestring,
                     "system");
    const char *user = cJSON_GetObjectItem(cJSON_GetArrayItem(msgs, 1), "content")->valuestring;
    sk_assert_has(user, "[Question]\ncapital of France?\n");
    sk_assert_has(user, "[Expert answer]\nParis.\n");
    sk_assert_has(user, "[Submitted answer]\nParis\n");
    const cJSON *tool = cJSON_GetArrayItem(cJSON_GetObjectItem(b, "tools"), 0);
    const cJSON *props = cJSON_GetObjectItem(
        cJSON_GetObjectItem(cJSON_GetObjectItem(tool, "function"), "parameters"), "properties");
    ck_assert_str_eq(props->child->string, "reasons");
    ck_assert_str_eq(props->child->next->string, "choice");
    char *en = cJSON_PrintUnformatted(cJSON_GetObjectItem(props->child->next, "enum"));
    ck_assert_str_eq(en, "[\"A\",\"B\",\"C\",\"D\",\"E\"]");
    free(en);
    ck_assert_double_eq(cJSON_GetObjectItem(b, "temperature")->valuedouble, 0);
    cJSON_Delete(b);
    free(body);
    free(p);
    jt_close(&t);
}
END_TEST

static const struct {
    const char *choice;
    double score;
} fact_scores[] = {{"A", 0.4}, {"B", 0.6}, {"C", 1}, {"D", 0}, {"E", 1}};

START_TEST(factuality_choice_scores)
{
    jt t;
    char *args = sk_asprintf("{\"reasons\":\"r\",\"choice\":\"%s\"}", fact_scores[_i].choice);
    char *p = tool_model(args);
    jt_open(&t, "factuality", p);
    assert_score(jt_score(&t, "\"q\"", "\"a\"", "\"b\"", NULL), fact_scores[_i].score);
    free(args);
    free(p);
    jt_close(&t);
}
END_TEST

START_TEST(factuality_bad_replies)
{
    static const struct {
        const char *model, *want;
    } cases[] = {
        /* The client or the judge refuses it: either way an error. */
        {"tool:{\"reasons\":\"r\",\"choice\":\"F\"}", "not one of"},
        {"tool:{\"reasons\":\"r\"}", "\"choice\""},
        {"tool:{\"choice\":\"A\"}", "\"reasons\""},
        {"garbage", "factuality: the LLM call failed"},
        {"empty", "factuality: "},
        {"text:I think it is A", "factuality: "},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        jt t;
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "model", cases[i].model);
        char *p = cJSON_PrintUnformatted(o);
        cJSON_Delete(o);
        jt_open(&t, "factuality", p);
        assert_error(jt_score(&t, "\"q\"", "\"a\"", "\"b\"", NULL), cases[i].want);
        free(p);
        jt_close(&t);
    }
}
END_TEST

/* A server that keeps failing: after the retries, an error, never a 0. */
START_TEST(server_500_is_an_error)
{
    jt t;
    jt_open(&t, "factuality", "{\"model\": \"status:500:100\"}");
    long before = sk_llm_fx_stat("chat");
    const sk_result *r = jt_score(&t, "\"q\"", "\"a\"", "\"b\"", NULL);
    assert_error(r, "500");
    ck_assert_int_eq(sk_llm_fx_stat("chat") - before, 3); /* 1 + max_retries 2 */
    jt_close(&t);
}
END_TEST

START_TEST(factuality_skips_without_expected)
{
    jt t;
    jt_open(&t, "factuality", "{\"model\": \"judge\"}");
    long before = sk_llm_fx_stat("chat");
    const sk_result *r = jt_score(&t, "\"q\"", "\"a\"", NULL, NULL);
    ck_assert_int_eq(r->kind, SK_VERDICT_SKIP);
    sk_assert_has(r->message.data, "no expected");
    ck_assert_int_eq(sk_llm_fx_stat("chat") - before, 0);
    jt_close(&t);
}
END_TEST

/* A provider without tool calling: the JSON-reply fallback. */
START_TEST(json_fallback)
{
    jt t;
    jt_open(&t, "factuality",
            "{\"provider\": \"fallback\", \"model\": \"json:{\\\"reasons\\\":\\\"more\\\","
            "\\\"choice\\\":\\\"B\\\"}\"}");
    const sk_result *r = jt_score(&t, "\"q\"", "\"a\"", "\"b\"", NULL);
    assert_score(r, 0.6);
    ck_assert_str_eq(r->rationale.data, "more");
    char *body = sk_jf_last_body();
    ck_assert_ptr_null(strstr(body, "\"tools\""));
    free(body);
    jt_close(&t);
    /* The fallback's reply must still name a valid choice. */
    jt_open(&t, "factuality",
            "{\"provider\": \"fallback\", \"model\": \"json:{\\\"reasons\\\":\\\"x\\\","
            "\\\"choice\\\":\\\"Q\\\"}\"}");
    assert_error(jt_score(&t, "\"q\"", "\"a\"", "\"b\"", NULL), "not one of");
    jt_close(&t);
}
END_TEST

START_TEST(cot_off)
{
    jt t;
    jt_open(&t, "factuality",
            "{\"cot\": false, \"model\": \"tool:{\\\"choice\\\":\\\"D\\\"}\", "
            "\"temperature\": 0.5, \"params\": {\"max_tokens\": 9}}");
    const sk_result *r = jt_score(&t, "\"q\"", "\"a\"", "\"b\"", NULL);
    assert_score(r, 0);
    ck_assert_uint_eq(r->rationale.len, 0);
    char *body = sk_jf_last_body();
    ck_assert_ptr_null(strstr(body, "\"reasons\""));
    sk_assert_has(body, "\"max_tokens\":9");
    sk_assert_has(body, "\"temperature\":0.5");
    free(body);
    jt_close(&t);
}
END_TEST

START_TEST(closed_qa_criterion)
{
    jt t;
    const char *p = "{\"criterion\": \"names the capital\", \"model\": \"judge\", "
                    "\"prompt\": \"Criterion: {{criterion}}\\nANSWER: {{output}}\"}";
    jt_open(&t, "closed_qa", p);
    const sk_result *r = jt_score(&t, "\"q\"", "\"No idea\"", NULL, NULL);
    assert_score(r, 0);
    ck_assert_str_eq(r->rationale.data, "picked N");
    char *body = sk_jf_last_body();
    sk_assert_has(body, "Criterion: names the capital");
    free(body);
    assert_score(jt_score(&t, "\"q\"", "\"Yes, Paris\"", NULL, NULL), 1);
    jt_close(&t);
    /* The built-in prompt names the criterion too. */
    jt_open(&t, "closed_qa", "{\"criterion\": \"is polite\", \"model\": \"judge\"}");
    jt_score(&t, "\"q\"", "\"a\"", NULL, NULL);
    body = sk_jf_last_body();
    sk_assert_has(body, "[Criterion]\\nis polite");
    free(body);
    jt_close(&t);
    char *err = jt_try_open(&t, "closed_qa", "{}");
    sk_assert_has(err, "criterion");
    free(err);
}
END_TEST

START_TEST(rubric_scale)
{
    jt t;
    jt_open(&t, "rubric",
            "{\"criteria\": \"cites a source\", \"model\": "
            "\"tool:{\\\"reasons\\\":\\\"r\\\",\\\"choice\\\":\\\"4\\\"}\"}");
    assert_score(jt_score(&t, "\"q\"", "\"a\"", NULL, NULL), 0.75);
    char *body = sk_jf_last_body();
    sk_assert_has(body, "[Rubric]\\ncites a source");
    sk_assert_has(body, "from 1 to 5");
    sk_assert_has(body, "[\"1\",\"2\",\"3\",\"4\",\"5\"]");
    free(body);
    jt_close(&t);
    jt_open(&t, "rubric",
            "{\"criteria\": \"c\", \"scale\": 3, \"model\": "
            "\"tool:{\\\"reasons\\\":\\\"r\\\",\\\"choice\\\":\\\"4\\\"}\"}");
    assert_error(jt_score(&t, "\"q\"", "\"a\"", NULL, NULL),
                 "chose \"4\", which is not one of the allowed labels (1, 2, 3)");
    jt_close(&t);
    jt_open(&t, "rubric",
            "{\"criteria\": \"c\", \"scale\": 3, \"model\": "
            "\"tool:{\\\"reasons\\\":\\\"r\\\",\\\"choice\\\":\\\"2\\\"}\"}");
    assert_score(jt_score(&t, "\"q\"", "\"a\"", NULL, NULL), 0.5);
    jt_close(&t);
    char *err = jt_try_open(&t, "rubric", "{\"criteria\": \"c\", \"scale\": 1}");
    sk_assert_has(err, "\"scale\" must be from 2 to 10");
    free(err);
}
END_TEST

START_TEST(classifier_choices_and_templates)
{
    jt t;
    jt_open(&t, "classifier",
            "{\"choices\": {\"good\": 1, \"meh\": 0.5, \"bad\": 0}, "
            "\"model\": \"judge\", \"prompt\": \"Topic {{metadata.topic}}. "
            "ANSWER: {{output}}\"}");
    assert_score(jt_score(&t, "\"q\"", "\"rather meh\"", NULL, "{\"topic\":\"geo\"}"), 0.5);
    sk_assert_has(t.r.meta.data, "\"choice\":\"meh\"");
    /* A row without the metadata the prompt needs: an error, not a guess. */
    assert_error(jt_score(&t, "\"q\"", "\"meh\"", NULL, NULL), "the row has no metadata");
    jt_close(&t);

    /* A template file, relative to the project folder. */
    char dir[] = "/tmp/sk-judge-tpl.XXXXXX";
    ck_assert_ptr_nonnull(mkdtemp(dir));
    char *file = sk_asprintf("%s/tone.txt", dir);
    FILE *f = fopen(file, "w");
    fputs("Is this rude? ANSWER: {{output}}\n", f);
    fclose(f);
    sk_test_host_ctx()->project_dir = dir;
    jt_open(&t, "classifier",
            "{\"choices\": {\"rude\": 0, \"fine\": 1}, \"model\": \"judge\", "
            "\"template\": \"tone.txt\"}");
    assert_score(jt_score(&t, "\"q\"", "\"that is fine\"", NULL, NULL), 1);
    jt_close(&t);

    char *err = jt_try_open(&t, "classifier",
                            "{\"choices\": {\"a\": 0, \"b\": 1}, \"template\": "
                            "\"missing.txt\"}");
    sk_assert_has(err, "missing.txt");
    free(err);
    err = jt_try_open(&t, "classifier", "{\"choices\": {\"a\": 0, \"b\": 1}}");
    sk_assert_has(err, "needs a prompt");
    free(err);
    err = jt_try_open(&t, "classifier",
                      "{\"choices\": {\"a\": 0, \"b\": 1}, \"prompt\": \"{{outptu}}\"}");
    sk_assert_has(err, "{{outptu}} names no value");
    free(err);
    err = jt_try_open(&t, "classifier",
                      "{\"choices\": {\"a\": 0, \"b\": 1}, \"prompt\": \"x\", "
                      "\"template\": \"tone.txt\"}");
    sk_assert_has(err, "not both");
    free(err);
    err = jt_try_open(&t, "classifier", "{\"choices\": {\"a\": 3, \"b\": 1}, \"prompt\": \"x\"}");
    sk_assert_has(err, "score in [0,1]");
    free(err);
    err = jt_try_open(&t, "classifier", "{\"prompt\": \"x\"}");
    ck_assert_ptr_nonnull(err);
    free(err);
    err = jt_try_open(&t, "factuality", "{\"temperature\": 3}");
    sk_assert_has(err, "temperature");
    free(err);
    unlink(file);
    rmdir(dir);
    free(file);
}
END_TEST

START_TEST(pairwise_position_inconsistent)
{
    jt t;
    jt_open(&t, "pairwise",
            "{\"model\": \"tool:{\\\"reasons\\\":\\\"the first one\\\","
            "\\\"choice\\\":\\\"A\\\"}\"}");
    long before = sk_llm_fx_stat("chat");
    const sk_result *r = jt_score(&t, "\"q\"", "\"mine\"", "\"theirs\"", NULL);
    assert_score(r, 0.5);
    ck_assert_int_eq(sk_llm_fx_stat("chat") - before, 2);
    sk_assert_has(r->meta.data, "\"ab\":\"A\",\"ba\":\"A\",\"position_consistent\":false");
    sk_assert_has(r->rationale.data, "output as answer A: the first one");
    sk_assert_has(r->rationale.data, "output as answer B: the first one");
    jt_close(&t);
}
END_TEST

START_TEST(pairwise_consistent)
{
    jt t;
    /* `judge` reads the label after ANSWER:, which is answer A's text. */
    jt_open(&t, "pairwise",
            "{\"model\": \"judge\", \"prompt\": \"{{output_b}} ANSWER: "
            "{{output_a}}\", \"other\": \"metadata.output_b\"}");
    const sk_result *r = jt_score(&t, "\"q\"", "\"A\"", NULL, "{\"output_b\":\"B\"}");
    assert_score(r, 1);
    sk_assert_has(r->meta.data, "\"ab\":\"A\",\"ba\":\"B\",\"position_consistent\":true");
    r = jt_score(&t, "\"q\"", "\"B\"", NULL, "{\"output_b\":\"A\"}");
    assert_score(r, 0);
    sk_assert_has(r->meta.data, "\"position_consistent\":true");
    r = jt_score(&t, "\"q\"", "\"tie\"", NULL, "{\"output_b\":\"tie\"}");
    assert_score(r, 0.5);
    sk_assert_has(r->meta.data, "\"ab\":\"tie\",\"ba\":\"tie\",\"position_consistent\":true");
    r = jt_score(&t, "\"q\"", "\"A\"", "\"B\"", "{\"other\":1}");
    ck_assert_int_eq(r->kind, SK_VERDICT_SKIP);
    sk_assert_has(r->message.data, "metadata.output_b");
    jt_close(&t);
    char *err = jt_try_open(&t, "pairwise", "{\"other\": \"input\"}");
    sk_assert_has(err, "\"other\" must be");
    free(err);
    /* The default compares with expected, in the built-in prompt. */
    jt_open(&t, "pairwise",
            "{\"model\": \"tool:{\\\"reasons\\\":\\\"r\\\","
            "\\\"choice\\\":\\\"B\\\"}\"}");
    ck_assert_int_eq(jt_score(&t, "\"q\"", "\"x\"", NULL, NULL)->kind, SK_VERDICT_SKIP);
    assert_score(jt_score(&t, "\"q\"", "\"mine\"", "\"ref\"", NULL), 0.5);
    char *body = sk_jf_last_body();
    sk_assert_has(body, "[Answer A]\\nref\\n\\n[Answer B]\\nmine");
    free(body);
    jt_close(&t);
}
END_TEST

/* A reply naming an unknown label is an error, whichever order it is in. */
START_TEST(pairwise_bad_choice)
{
    jt t;
    jt_open(&t, "pairwise",
            "{\"model\": \"tool:{\\\"reasons\\\":\\\"r\\\","
            "\\\"choice\\\":\\\"C\\\"}\"}");
    assert_error(jt_score(&t, "\"q\"", "\"a\"", "\"b\"", NULL), "pairwise (output first)");
    jt_close(&t);
}
END_TEST

START_TEST(no_client_is_an_error)
{
    jt t;
    jt_open(&t, "factuality", "{\"model\": \"judge\"}");
    sk_test_host_ctx()->llm = NULL;
    assert_error(jt_score(&t, "\"q\"", "\"a\"", "\"b\"", NULL), "no LLM client is open");
    sk_test_host_ctx()->llm = sk_jf_llm;
    jt_close(&t);
}
END_TEST

/* With the cache on, the same judgement a second time makes no request;
 * another trial is another call. */
START_TEST(cached_judgement)
{
    char dir[] = "/tmp/sk-judge-cache.XXXXXX";
    ck_assert_ptr_nonnull(mkdtemp(dir));
    char *db = sk_asprintf("%s/scorekit.db", dir);
    sk_llm *cached = sk_jf_client(db);
    sk_test_host_ctx()->llm = cached;
    jt t;
    jt_open(&t, "factuality",
            "{\"model\": \"tool:{\\\"reasons\\\":\\\"r\\\","
            "\\\"choice\\\":\\\"C\\\"}\"}");
    long before = sk_llm_fx_stat("chat");
    assert_score(jt_score(&t, "\"q\"", "\"a\"", "\"b\"", NULL), 1);
    sk_assert_has(t.r.meta.data, "\"cached\":false");
    assert_score(jt_score(&t, "\"q\"", "\"a\"", "\"b\"", NULL), 1);
    sk_assert_has(t.r.meta.data, "\"cached\":true");
    ck_assert_str_eq(t.r.rationale.data, "r");
    ck_assert_int_eq(sk_llm_fx_stat("chat") - before, 1);
    jt_close(&t);
    sk_test_host_ctx()->llm = sk_jf_llm;
    sk_llm_close(cached);
    char *cmd = sk_asprintf("rm -rf '%s'", dir);
    ck_assert_int_eq(system(cmd), 0);
    free(cmd);
    free(db);
}
END_TEST

/* A label outside the choices is the judge's invalid verdict: the message
 * names the allowed labels and what the model said, the error is marked
 * invalid_verdict (validate counts it apart from failed calls), it is not
 * retried like a failed request, and it is not cached. */
START_TEST(invalid_label_is_the_judges_error)
{
    char dir[] = "/tmp/sk-judge-invalid.XXXXXX";
    ck_assert_ptr_nonnull(mkdtemp(dir));
    char *db = sk_asprintf("%s/scorekit.db", dir);
    sk_llm *cached = sk_jf_client(db);
    sk_test_host_ctx()->llm = cached;
    jt t;
    jt_open(&t, "factuality",
            "{\"model\": \"tool:{\\\"reasons\\\":\\\"the same facts\\\","
            "\\\"choice\\\":\\\"(C)\\\"}\"}");
    for (int k = 0; k < 2; k++) {
        long before = sk_llm_fx_stat("chat");
        const sk_result *r = jt_score(&t, "\"q\"", "\"a\"", "\"b\"", NULL);
        assert_error(r, "factuality: invalid verdict: the model chose \"(C)\", which is not one "
                        "of the allowed labels (A, B, C, D, E)");
        sk_assert_has(r->message.data, "\"reasons\":\"the same facts\"");
        ck_assert_ptr_null(strstr(r->message.data, "the LLM call failed"));
        ck_assert_str_eq(r->meta.data, "{\"invalid_verdict\":true}");
        /* One request each time: neither retried nor served from the cache. */
        ck_assert_int_eq(sk_llm_fx_stat("chat") - before, 1);
    }
    jt_close(&t);
    /* Pairwise says which order it was. */
    jt_open(&t, "pairwise",
            "{\"model\": \"tool:{\\\"reasons\\\":\\\"r\\\","
            "\\\"choice\\\":\\\"first\\\"}\"}");
    const sk_result *r = jt_score(&t, "\"q\"", "\"a\"", "\"b\"", NULL);
    assert_error(r, "pairwise (output first): invalid verdict: the model chose \"first\", which "
                    "is not one of the allowed labels (A, B, tie)");
    ck_assert_str_eq(r->meta.data, "{\"invalid_verdict\":true}");
    jt_close(&t);
    /* A failed call is not marked. */
    jt_open(&t, "factuality", "{\"model\": \"status:500:100\"}");
    r = jt_score(&t, "\"q\"", "\"a\"", "\"b\"", NULL);
    assert_error(r, "the LLM call failed");
    ck_assert_uint_eq(r->meta.len, 0);
    jt_close(&t);
    sk_test_host_ctx()->llm = sk_jf_llm;
    sk_llm_close(cached);
    char *cmd = sk_asprintf("rm -rf '%s'", dir);
    ck_assert_int_eq(system(cmd), 0);
    free(cmd);
    free(db);
}
END_TEST

/* The JSON face itself: bad requests name what is wrong; the reply has
 * the documented shape. */
START_TEST(host_llm_chat_requests)
{
    const sk_host *h = sk_test_host();
    ck_assert(SK_HAS_FIELD(h, sk_host, llm_chat));
    char err[512];
    char *reply = NULL;
    ck_assert_int_eq(h->llm_chat(h,
                                 "{\"model\": \"text:hi\", \"messages\": [{\"role\": \"user\", "
                                 "\"content\": \"x\"}], \"trial\": 2}",
                                 &reply, err, sizeof err),
                     0);
    cJSON *o = cJSON_Parse(reply);
    ck_assert_str_eq(cJSON_GetObjectItem(o, "content")->valuestring, "hi");
    ck_assert(cJSON_IsNull(cJSON_GetObjectItem(o, "tool_args")));
    ck_assert_str_eq(cJSON_GetObjectItem(o, "model")->valuestring, "text:hi");
    ck_assert(cJSON_IsFalse(cJSON_GetObjectItem(o, "cached")));
    const cJSON *u = cJSON_GetObjectItem(o, "usage");
    ck_assert(cJSON_IsNumber(cJSON_GetObjectItem(u, "prompt_tokens")));
    ck_assert(cJSON_IsNumber(cJSON_GetObjectItem(u, "cost")));
    cJSON_Delete(o);
    h->free(reply);
    /* No model: the provider's default (echo). */
    ck_assert_int_eq(h->llm_chat(h, "{\"messages\": [{\"role\": \"user\", \"content\": \"ping\"}]}",
                                 &reply, err, sizeof err),
                     0);
    sk_assert_has(reply, "\"content\":\"ping\"");
    sk_assert_has(reply, "\"model\":\"echo\"");
    h->free(reply);
    /* keep_invalid_args: a call outside the schema comes back, marked. */
    static const char tool_req[] =
        "{\"model\": \"tool:{\\\"choice\\\":\\\"(C)\\\"}\", \"messages\": [{\"role\": "
        "\"user\", \"content\": \"x\"}], \"tool\": {\"name\": \"pick\", \"parameters\": "
        "{\"type\": \"object\", \"properties\": {\"choice\": {\"type\": \"string\", "
        "\"enum\": [\"C\"]}}, \"required\": [\"choice\"]}}%s}";
    char *req = sk_asprintf(tool_req, "");
    ck_assert_int_ne(h->llm_chat(h, req, &reply, err, sizeof err), 0);
    sk_assert_has(err, "the tool argument \"choice\" is \"(C)\", not one of its enum values");
    free(req);
    req = sk_asprintf(tool_req, ", \"keep_invalid_args\": true");
    ck_assert_int_eq(h->llm_chat(h, req, &reply, err, sizeof err), 0);
    sk_assert_has(reply, "\"tool_args\":{\"choice\":\"(C)\"}");
    sk_assert_has(reply, "\"args_error\":\"the tool argument \\\"choice\\\" is "
                         "\\\"(C)\\\", not one of its enum values\"");
    h->free(reply);
    free(req);
    req = sk_asprintf(tool_req, ", \"keep_invalid_args\": 1");
    ck_assert_int_ne(h->llm_chat(h, req, &reply, err, sizeof err), 0);
    sk_assert_has(err, "\"keep_invalid_args\" must be true or false");
    free(req);

    static const struct {
        const char *req, *want;
    } bad[] = {
        {"{\"messages\": []}", "\"messages\" must be a non-empty array"},
        {"{\"messages\": [{\"role\": \"bot\", \"content\": \"x\"}]}",
         "use system, user or assistant"},
        {"{\"messages\": [{\"role\": \"user\"}]}", "messages[0] must be"},
        {"{\"mesages\": []}", "unknown key \"mesages\""},
        {"{\"messages\": [{\"role\": \"user\", \"content\": \"x\"}], \"tool\": {\"name\": \"t\"}}",
         "\"parameters\""},
        {"{\"messages\": [{\"role\": \"user\", \"content\": \"x\"}], \"trial\": -1}", "\"trial\""},
        {"{\"messages\": [{\"role\": \"user\", \"content\": \"x\"}], \"params\": 3}", "\"params\""},
        {"{\"messages\": [{\"role\": \"user\", \"content\": \"x\"}], \"no_cache\": 1}", "no_cache"},
        {"{\"messages\": [{\"role\": \"user\", \"content\": \"x\"}], \"provider\": \"nope\"}",
         "nope"},
        {"{\"messages\": ", "not valid JSON at byte"},
        {"[1]", "must be a JSON object"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        reply = NULL;
        err[0] = '\0';
        ck_assert_msg(h->llm_chat(h, bad[i].req, &reply, err, sizeof err) != 0, "%s", bad[i].req);
        ck_assert_ptr_null(reply);
        sk_assert_has(err, bad[i].want);
    }
}
END_TEST

/* Many workers judging at once through one shared state: every row gets
 * its own verdict and exactly one request. */
typedef struct worker_arg {
    jt *t;
    const sk_scorer_def *def;
    void *state;
    int ok;
} worker_arg;

static void *judge_rows(void *p)
{
    worker_arg *a = p;
    jt local = {0};
    local.def = a->def;
    local.state = a->state;
    a->ok = 0;
    for (int i = 0; i < 5; i++) {
        const char *out = i % 2 ? "\"D\"" : "\"C\"";
        const sk_result *r = jt_score(&local, "\"q\"", out, "\"e\"", NULL);
        double want = i % 2 ? 0 : 1;
        if (r->kind == SK_VERDICT_SCORE && r->score == want)
            a->ok++;
    }
    sk_result_free(&local.r);
    for (int i = 0; i < 3; i++)
        free(local.texts[i]);
    return NULL;
}

START_TEST(concurrent_judges)
{
    jt t;
    jt_open(&t, "factuality",
            "{\"model\": \"judge\", \"prompt\": \"ANSWER: {{output}} "
            "({{expected}})\"}");
    long before = sk_llm_fx_stat("chat");
    enum { N = 6 };
    pthread_t th[N];
    worker_arg args[N];
    for (int i = 0; i < N; i++) {
        args[i] = (worker_arg){&t, t.def, t.state, 0};
        ck_assert_int_eq(pthread_create(&th[i], NULL, judge_rows, &args[i]), 0);
    }
    for (int i = 0; i < N; i++) {
        pthread_join(th[i], NULL);
        ck_assert_int_eq(args[i].ok, 5);
    }
    ck_assert_int_eq(sk_llm_fx_stat("chat") - before, N * 5);
    jt_close(&t);
}
END_TEST

static Suite *judge_suite(void)
{
    Suite *s = suite_create("judge");
    TCase *tc = tcase_create("judges");
    tcase_set_timeout(tc, 120); /* valgrind */
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, flags_and_names);
    tcase_add_test(tc, factuality_one_request);
    tcase_add_loop_test(tc, factuality_choice_scores, 0,
                        (int)(sizeof fact_scores / sizeof fact_scores[0]));
    tcase_add_test(tc, factuality_bad_replies);
    tcase_add_test(tc, server_500_is_an_error);
    tcase_add_test(tc, factuality_skips_without_expected);
    tcase_add_test(tc, json_fallback);
    tcase_add_test(tc, cot_off);
    tcase_add_test(tc, closed_qa_criterion);
    tcase_add_test(tc, rubric_scale);
    tcase_add_test(tc, classifier_choices_and_templates);
    tcase_add_test(tc, pairwise_position_inconsistent);
    tcase_add_test(tc, pairwise_consistent);
    tcase_add_test(tc, pairwise_bad_choice);
    tcase_add_test(tc, no_client_is_an_error);
    tcase_add_test(tc, cached_judgement);
    tcase_add_test(tc, invalid_label_is_the_judges_error);
    tcase_add_test(tc, host_llm_chat_requests);
    tcase_add_test(tc, concurrent_judges);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return sk_run_suite(judge_suite());
}
