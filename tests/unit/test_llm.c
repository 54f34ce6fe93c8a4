/*
 * Tests of the LLM client against the fake server (tests/llm/llm_server):
 * both protocols, native tool calls and the JSON-reply fallback, every
 * failure path (garbage, empty, 4xx, 5xx, 429 with Retry-After, timeouts,
 * dropped and refused connections), retries and their limits, the API key
 * staying out of messages, many threads at once, and the configuration.
 */
#define _POSIX_C_SOURCE 200809L
#include <check.h>
#include <cjson/cJSON.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "fixtures.h"
#include "llm/llm.h"
#include "llm_fixture.h"
#include "run_suite.h"
#include "base/util.h"

static const char *const verdict_schema =
    "{\"type\":\"object\",\"properties\":{\"reasons\":{\"type\":\"string\"},"
    "\"choice\":{\"type\":\"string\",\"enum\":[\"A\",\"B\"]}},\"required\":[\"choice\"]}";

static sk_llm *open_llm(const char *api, const char *extra)
{
    cJSON *cfg = sk_llm_fx_config(api, extra);
    sk_llm *llm = NULL;
    char *err = NULL;
    int rc = sk_llm_open(&llm, cfg, NULL, &err);
    ck_assert_msg(rc == 0, "open: %s", err ? err : "?");
    cJSON_Delete(cfg);
    return llm;
}

/* One user message (and a system one when sys is given). */
static int chat(sk_llm *llm, const char *model, const char *sys, const char *user,
                const sk_llm_tool *tool, sk_llm_reply *r, char **err)
{
    sk_llm_message m[2];
    size_t n = 0;
    if (sys)
        m[n++] = (sk_llm_message){"system", sys};
    m[n++] = (sk_llm_message){"user", user};
    sk_llm_request req = {
        .model = model, .messages = m, .nmessages = n, .tool = tool, .caller = "test"};
    return sk_llm_chat(llm, &req, r, err);
}

static cJSON *last_body(void)
{
    char *text = sk_llm_fx_get("/last");
    cJSON *j = cJSON_Parse(text);
    free(text);
    ck_assert_ptr_nonnull(j);
    return j;
}

START_TEST(openai_plain_text)
{
    sk_llm *llm = open_llm("openai", NULL);
    sk_llm_reply r;
    char *err = NULL;
    ck_assert_int_eq(chat(llm, "echo", "be brief", "hello world!", NULL, &r, &err), 0);
    ck_assert_str_eq(r.content, "hello world!");
    ck_assert_ptr_null(r.tool_args_json);
    ck_assert_int_eq(r.prompt_tokens, (8 + 12) / 4);
    ck_assert_int_eq(r.completion_tokens, 12 / 4);
    ck_assert_int_eq(r.attempts, 1);
    ck_assert_int_eq(r.cached, 0);
    ck_assert(r.cost == 0);
    sk_llm_reply_free(&r);
    cJSON *last = last_body();
    ck_assert_str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(last, "path")),
                     "/v1/chat/completions");
    cJSON *msgs = cJSON_GetObjectItem(cJSON_GetObjectItem(last, "body"), "messages");
    ck_assert_int_eq(cJSON_GetArraySize(msgs), 2);
    ck_assert_str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(cJSON_GetArrayItem(msgs, 0), "role")),
                     "system");
    cJSON_Delete(last);
    ck_assert_int_eq(chat(llm, "text:fixed reply", NULL, "x", NULL, &r, &err), 0);
    ck_assert_str_eq(r.content, "fixed reply");
    sk_llm_reply_free(&r);
    sk_llm_close(llm);
}
END_TEST

START_TEST(anthropic_plain_text_and_headers)
{
    setenv("SK_TEST_ANTHROPIC_KEY", "sk-ant-test-123", 1);
    sk_llm *llm = open_llm("anthropic", "{\"api_key_env\":\"SK_TEST_ANTHROPIC_KEY\"}");
    sk_llm_reply r;
    char *err = NULL;
    sk_llm_message m[3] = {{"system", "rule one"}, {"user", "hi there"}, {"system", "rule two"}};
    sk_llm_request req = {.model = "echo",
                          .messages = m,
                          .nmessages = 3,
                          .params_json = "{\"temperature\":0,\"seed\":3,\"stop\":\"END\"}"};
    ck_assert_int_eq(sk_llm_chat(llm, &req, &r, &err), 0);
    ck_assert_str_eq(r.content, "hi there");
    ck_assert_int_eq(r.prompt_tokens, (8 + 8 + 8) / 4);
    sk_llm_reply_free(&r);
    cJSON *last = last_body();
    ck_assert_str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(last, "path")), "/v1/messages");
    cJSON *h = cJSON_GetObjectItem(last, "headers");
    ck_assert_str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(h, "x-api-key")), "sk-ant-test-123");
    ck_assert_str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(h, "anthropic-version")),
                     "2023-06-01");
    cJSON *b = cJSON_GetObjectItem(last, "body");
    ck_assert_str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(b, "system")),
                     "rule one\n\nrule two");
    ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(b, "messages")), 1);
    ck_assert_int_eq((int)cJSON_GetNumberValue(cJSON_GetObjectItem(b, "max_tokens")), 1024);
    ck_assert_ptr_null(cJSON_GetObjectItem(b, "seed"));
    ck_assert_ptr_null(cJSON_GetObjectItem(b, "stop"));
    ck_assert_str_eq(
        cJSON_GetStringValue(cJSON_GetArrayItem(cJSON_GetObjectItem(b, "stop_sequences"), 0)),
        "END");
    cJSON_Delete(last);
    sk_llm_close(llm);
    unsetenv("SK_TEST_ANTHROPIC_KEY");
}
END_TEST

START_TEST(native_tool_calls_both_apis)
{
    const char *apis[] = {"openai", "anthropic"};
    sk_llm_tool tool = {"verdict", "say which", verdict_schema};
    for (int i = 0; i < 2; i++) {
        sk_llm *llm = open_llm(apis[i], NULL);
        sk_llm_reply r;
        char *err = NULL;
        ck_assert_int_eq(
            chat(llm, "tool:{\"choice\":\"B\",\"reasons\":\"ok\"}", NULL, "q", &tool, &r, &err), 0);
        ck_assert_ptr_null(r.content);
        cJSON *a = cJSON_Parse(r.tool_args_json);
        ck_assert_str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(a, "choice")), "B");
        cJSON_Delete(a);
        sk_llm_reply_free(&r);
        cJSON *last = last_body();
        cJSON *b = cJSON_GetObjectItem(last, "body");
        ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(b, "tools")), 1);
        cJSON *tc = cJSON_GetObjectItem(b, "tool_choice");
        if (i == 0)
            ck_assert_str_eq(cJSON_GetStringValue(
                                 cJSON_GetObjectItem(cJSON_GetObjectItem(tc, "function"), "name")),
                             "verdict");
        else
            ck_assert_str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(tc, "name")), "verdict");
        cJSON_Delete(last);
        /* The judge model picks the label after ANSWER:. */
        ck_assert_int_eq(chat(llm, "judge", NULL, "text ANSWER: B", &tool, &r, &err), 0);
        a = cJSON_Parse(r.tool_args_json);
        ck_assert_str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(a, "choice")), "B");
        ck_assert_str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(a, "reasons")), "picked B");
        cJSON_Delete(a);
        sk_llm_reply_free(&r);
        sk_llm_close(llm);
    }
}
END_TEST

START_TEST(native_tool_missing_is_an_error)
{
    sk_llm *llm = open_llm("openai", NULL);
    sk_llm_tool tool = {"verdict", NULL, verdict_schema};
    sk_llm_reply r;
    char *err = NULL;
    ck_assert_int_eq(chat(llm, "json:{\"choice\":\"A\"}", NULL, "q", &tool, &r, &err), SK_EPARSE);
    sk_assert_has(err, "did not call the tool \"verdict\"");
    sk_assert_has(err, "\"tools\": false");
    ck_assert_ptr_null(r.content);
    free(err);
    err = NULL;
    /* Arguments outside the schema are refused, not passed on. */
    ck_assert_int_eq(chat(llm, "tool:{\"choice\":\"C\"}", NULL, "q", &tool, &r, &err), SK_EPARSE);
    sk_assert_has(err, "\"choice\" is \"C\", not one of its enum values");
    free(err);
    err = NULL;
    ck_assert_int_eq(chat(llm, "tool:{\"reasons\":\"x\"}", NULL, "q", &tool, &r, &err), SK_EPARSE);
    sk_assert_has(err, "lack the required property \"choice\"");
    free(err);
    err = NULL;
    ck_assert_int_eq(chat(llm, "tool:[1,2]", NULL, "q", &tool, &r, &err), SK_EPARSE);
    free(err);
    sk_llm_close(llm);
}
END_TEST

START_TEST(json_fallback)
{
    const char *apis[] = {"openai", "anthropic"};
    sk_llm_tool tool = {"verdict", "pick one", verdict_schema};
    for (int i = 0; i < 2; i++) {
        sk_llm *llm = open_llm(apis[i], "{\"tools\":false}");
        sk_llm_reply r;
        char *err = NULL;
        ck_assert_int_eq(chat(llm, "json:{\"choice\":\"A\"}", "sys", "q", &tool, &r, &err), 0);
        ck_assert_str_eq(r.tool_args_json, "{\"choice\":\"A\"}");
        ck_assert_ptr_null(r.content);
        sk_llm_reply_free(&r);
        cJSON *last = last_body();
        cJSON *b = cJSON_GetObjectItem(last, "body");
        ck_assert_ptr_null(cJSON_GetObjectItem(b, "tools"));
        char *text = cJSON_PrintUnformatted(b);
        sk_assert_has(text, "Reply with exactly one JSON object");
        sk_assert_has(text, "sys\\n\\nReply");
        free(text);
        cJSON_Delete(last);
        /* The `tool:` model without tools in the request answers in text. */
        ck_assert_int_eq(chat(llm, "tool:{\"choice\":\"B\"}", NULL, "q", &tool, &r, &err), 0);
        ck_assert_str_eq(r.tool_args_json, "{\"choice\":\"B\"}");
        sk_llm_reply_free(&r);
        ck_assert_int_eq(
            chat(llm, "text:```json\n{\"choice\": \"B\"}\n```", NULL, "q", &tool, &r, &err), 0);
        ck_assert_str_eq(r.tool_args_json, "{\"choice\":\"B\"}");
        sk_llm_reply_free(&r);
        /* The judge finds the schema in the prompt. */
        ck_assert_int_eq(chat(llm, "judge", NULL, "ANSWER: B", &tool, &r, &err), 0);
        sk_assert_has(r.tool_args_json, "\"choice\":\"B\"");
        sk_llm_reply_free(&r);
        const char *bad[] = {"text:Sure! {\"choice\":\"A\"}",
                             "text:{\"choice\":\"A\"} done",
                             "text:[{\"choice\":\"A\"}]",
                             "text:```json\n{\"choice\":\"A\"}",
                             "text:{\"choice\":\"A\"}{\"choice\":\"B\"}",
                             "empty"};
        for (size_t k = 0; k < sizeof bad / sizeof *bad; k++) {
            ck_assert_msg(chat(llm, bad[k], NULL, "q", &tool, &r, &err) == SK_EPARSE, "%s", bad[k]);
            ck_assert_ptr_nonnull(err);
            free(err);
            err = NULL;
        }
        sk_llm_close(llm);
    }
}
END_TEST

START_TEST(garbage_and_empty_replies)
{
    sk_llm *llm = open_llm("openai", NULL);
    sk_llm_reply r;
    char *err = NULL;
    ck_assert_int_eq(chat(llm, "garbage", NULL, "q", NULL, &r, &err), SK_EPARSE);
    sk_assert_has(err, "not JSON: <html>");
    sk_assert_has(err, "(model garbage)");
    free(err);
    err = NULL;
    ck_assert_int_eq(chat(llm, "empty", NULL, "q", NULL, &r, &err), SK_EPARSE);
    sk_assert_has(err, "empty reply");
    free(err);
    sk_llm_close(llm);
}
END_TEST

START_TEST(retries_on_5xx_then_succeeds)
{
    sk_llm *llm = open_llm("openai", "{\"max_retries\":3}");
    sk_llm_reply r;
    char *err = NULL;
    ck_assert_int_eq(chat(llm, "status:500:2", NULL, "again", NULL, &r, &err), 0);
    ck_assert_str_eq(r.content, "again");
    ck_assert_int_eq(r.attempts, 3);
    sk_llm_reply_free(&r);
    ck_assert_int_eq(chat(llm, "status:503:3", NULL, "x", NULL, &r, &err), 0);
    ck_assert_int_eq(r.attempts, 4);
    sk_llm_reply_free(&r);
    sk_llm_counters c;
    sk_llm_counters_get(llm, &c);
    ck_assert_int_eq(c.requests, 7);
    ck_assert_int_eq(c.retries, 5);
    ck_assert_int_eq(sk_llm_fx_stat("requests"), 7);
    sk_llm_close(llm);
}
END_TEST

START_TEST(retries_run_out)
{
    sk_llm *llm = open_llm("openai", "{\"max_retries\":2}");
    sk_llm_reply r;
    char *err = NULL;
    ck_assert_int_eq(chat(llm, "status:500:9", NULL, "x", NULL, &r, &err), SK_EIO);
    sk_assert_has(err, "llm: POST http://127.0.0.1:");
    sk_assert_has(err, "/v1/chat/completions (model status:500:9): HTTP 500 after 3 attempts");
    sk_assert_has(err, "test server: status 500 (3 of 9)");
    sk_assert_has(err, "raise max_retries");
    ck_assert_ptr_null(r.content);
    ck_assert_int_eq(r.attempts, 0); /* a failed reply is zeroed */
    free(err);
    err = NULL;
    /* A 400 is the request's fault: no retry. */
    ck_assert_int_eq(chat(llm, "status:400:1", NULL, "x", NULL, &r, &err), SK_EIO);
    sk_assert_has(err, "HTTP 400 after 1 attempt over");
    free(err);
    ck_assert_int_eq(sk_llm_fx_stat("requests"), 4);
    sk_llm_close(llm);
}
END_TEST

START_TEST(retry_after_is_honoured)
{
    sk_llm *llm = open_llm("openai", "{\"max_retries\":3,\"retry_budget_s\":2}");
    sk_llm_reply r;
    char *err = NULL;
    ck_assert_int_eq(chat(llm, "status:429:2:0", NULL, "x", NULL, &r, &err), 0);
    ck_assert_int_eq(r.attempts, 3);
    sk_llm_reply_free(&r);
    /* A Retry-After beyond the budget ends the call at once. */
    ck_assert_int_eq(chat(llm, "status:429:1:30", NULL, "x", NULL, &r, &err), SK_EIO);
    sk_assert_has(err, "HTTP 429 after 1 attempt");
    sk_assert_has(err, "Retry-After exceeds the retry budget");
    free(err);
    sk_llm_close(llm);
}
END_TEST

START_TEST(timeouts_and_drops)
{
    sk_llm *llm = open_llm("openai", "{\"max_retries\":1,\"timeout_s\":0.2}");
    sk_llm_reply r;
    char *err = NULL;
    ck_assert_int_eq(chat(llm, "slow:1500", NULL, "x", NULL, &r, &err), SK_EIO);
    sk_assert_has(err, "no reply within timeout_s = 0.2 s");
    sk_assert_has(err, "after 2 attempts");
    free(err);
    err = NULL;
    ck_assert_int_eq(chat(llm, "slow:10", NULL, "quick", NULL, &r, &err), 0);
    ck_assert_str_eq(r.content, "quick");
    sk_llm_reply_free(&r);
    long before = sk_llm_fx_stat("requests");
    ck_assert_int_eq(chat(llm, "drop:1", NULL, "after a drop", NULL, &r, &err), 0);
    ck_assert_str_eq(r.content, "after a drop");
    /* curl itself resends once when a reused connection dies without a
     * reply, so the second request may not count as our attempt. */
    ck_assert_int_eq(sk_llm_fx_stat("requests") - before, 2);
    sk_llm_reply_free(&r);
    ck_assert_int_eq(chat(llm, "drop:5", NULL, "x", NULL, &r, &err), SK_EIO);
    sk_assert_has(err, "after 2 attempts");
    free(err);
    sk_llm_close(llm);
}
END_TEST

START_TEST(connection_refused)
{
    /* The fixture's server is stopped: nothing listens on its port. */
    cJSON *cfg = sk_llm_fx_config("openai", "{\"max_retries\":2}");
    sk_llm_fx_stop();
    sk_llm *llm = NULL;
    char *err = NULL;
    ck_assert_int_eq(sk_llm_open(&llm, cfg, NULL, &err), 0);
    cJSON_Delete(cfg);
    sk_llm_reply r;
    ck_assert_int_eq(chat(llm, "echo", NULL, "x", NULL, &r, &err), SK_EIO);
    sk_assert_has(err, "after 3 attempts");
    free(err);
    sk_llm_close(llm);
}
END_TEST

START_TEST(api_key_sent_and_never_shown)
{
    sk_llm_fx_stop();
    const char *args[] = {"--api-key", "right-key-42", NULL};
    sk_llm_fx_start(args);
    sk_llm *llm = open_llm("openai", "{\"api_key_env\":\"SK_TEST_OPENAI_KEY\"}");
    sk_llm_reply r;
    char *err = NULL;
    setenv("SK_TEST_OPENAI_KEY", "right-key-42", 1);
    ck_assert_int_eq(chat(llm, "echo", NULL, "x", NULL, &r, &err), 0);
    sk_llm_reply_free(&r);
    cJSON *last = last_body();
    ck_assert_str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(cJSON_GetObjectItem(last, "headers"),
                                                              "authorization")),
                     "Bearer right-key-42");
    cJSON_Delete(last);
    /* The key is read at call time. */
    setenv("SK_TEST_OPENAI_KEY", "wrong-key-secret", 1);
    ck_assert_int_eq(chat(llm, "echo", NULL, "x", NULL, &r, &err), SK_EIO);
    sk_assert_has(err, "HTTP 401 after 1 attempt");
    sk_assert_has(err, "api_key_env");
    ck_assert_ptr_null(strstr(err, "wrong-key-secret"));
    free(err);
    err = NULL;
    /* A key the server echoes back is redacted. */
    setenv("SK_TEST_OPENAI_KEY", "status:404:1", 1);
    ck_assert_int_eq(chat(llm, "status:404:1", NULL, "x", NULL, &r, &err), SK_EIO);
    ck_assert_ptr_null(strstr(err, "status:404:1"));
    free(err);
    unsetenv("SK_TEST_OPENAI_KEY");
    sk_llm_close(llm);
}
END_TEST

START_TEST(bad_requests)
{
    sk_llm *llm = open_llm("openai", NULL);
    sk_llm_reply r;
    char *err = NULL;
    sk_llm_message m = {"user", "x"};
    sk_llm_request req = {.provider = "nope", .model = "echo", .messages = &m, .nmessages = 1};
    ck_assert_int_eq(sk_llm_chat(llm, &req, &r, &err), SK_EINVAL);
    sk_assert_has(err, "no provider named \"nope\"");
    req.provider = NULL;
    req.model = NULL;
    ck_assert_int_eq(sk_llm_chat(llm, &req, &r, &err), SK_EINVAL);
    sk_assert_has(err, "no model for provider \"t\"");
    req.model = "echo";
    req.params_json = "[1]";
    ck_assert_int_eq(sk_llm_chat(llm, &req, &r, &err), SK_EINVAL);
    sk_assert_has(err, "params must be a JSON object");
    req.params_json = "{\"model\":\"other\"}";
    ck_assert_int_eq(sk_llm_chat(llm, &req, &r, &err), SK_EINVAL);
    sk_assert_has(err, "params may not set \"model\"");
    req.params_json = NULL;
    sk_llm_message bad = {"robot", "x"};
    req.messages = &bad;
    ck_assert_int_eq(sk_llm_chat(llm, &req, &r, &err), SK_EINVAL);
    sk_assert_has(err, "role \"robot\"");
    req.messages = &m;
    sk_llm_tool tool = {"t", NULL, "not json"};
    req.tool = &tool;
    ck_assert_int_eq(sk_llm_chat(llm, &req, &r, &err), SK_EINVAL);
    sk_assert_has(err, "must be a JSON Schema object");
    free(err);
    ck_assert_int_eq(sk_llm_fx_stat("requests"), 0);
    sk_llm_close(llm);
}
END_TEST

START_TEST(params_merged)
{
    sk_llm *llm = open_llm("openai", "{\"model\":\"echo\"}");
    sk_llm_reply r;
    char *err = NULL;
    sk_llm_message m = {"user", "x"};
    sk_llm_request req = {.messages = &m,
                          .nmessages = 1,
                          .params_json = "{\"temperature\":0.5,\"max_tokens\":7,\"seed\":1}"};
    ck_assert_int_eq(sk_llm_chat(llm, &req, &r, &err), 0);
    sk_llm_reply_free(&r);
    ck_assert_str_eq(sk_llm_default_model(llm, NULL), "echo");
    cJSON *last = last_body();
    cJSON *b = cJSON_GetObjectItem(last, "body");
    ck_assert_str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(b, "model")), "echo");
    ck_assert(cJSON_GetNumberValue(cJSON_GetObjectItem(b, "temperature")) == 0.5);
    ck_assert(cJSON_GetNumberValue(cJSON_GetObjectItem(b, "max_tokens")) == 7);
    ck_assert(cJSON_GetNumberValue(cJSON_GetObjectItem(b, "seed")) == 1);
    cJSON_Delete(last);
    sk_llm_close(llm);
}
END_TEST

typedef struct worker {
    sk_llm *llm;
    int id, ok;
} worker;

static void *work(void *ud)
{
    worker *w = ud;
    for (int i = 0; i < 10; i++) {
        char text[64];
        snprintf(text, sizeof text, "worker %d call %d", w->id, i);
        sk_llm_reply r;
        char *err = NULL;
        if (chat(w->llm, i % 3 == 0 ? "status:500:1" : "echo", NULL, text, NULL, &r, &err) == 0 &&
            strcmp(r.content, text) == 0)
            w->ok++;
        sk_llm_reply_free(&r);
        free(err);
    }
    return NULL;
}

START_TEST(many_threads_share_limits_and_connections)
{
    cJSON *cfg = sk_llm_fx_config("openai", "{\"max_retries\":2}");
    cJSON_AddNumberToObject(cfg, "max_in_flight", 3);
    sk_llm *llm = NULL;
    char *err = NULL;
    ck_assert_int_eq(sk_llm_open(&llm, cfg, NULL, &err), 0);
    cJSON_Delete(cfg);
    enum { N = 6 };
    pthread_t t[N];
    worker w[N];
    for (int i = 0; i < N; i++) {
        w[i] = (worker){llm, i, 0};
        pthread_create(&t[i], NULL, work, &w[i]);
    }
    for (int i = 0; i < N; i++) {
        pthread_join(t[i], NULL);
        ck_assert_int_eq(w[i].ok, 10);
    }
    /* 60 calls, 24 of them failing once (status:500:1) before succeeding. */
    ck_assert_int_eq(sk_llm_fx_stat("requests"), 60 + 24);
    /* Each worker keeps its connection: at most one per thread, plus the
     * two the /stats calls here opened. */
    ck_assert_int_le(sk_llm_fx_stat("connections"), N + 2);
    sk_llm_close(llm);
}
END_TEST

START_TEST(sequential_calls_reuse_one_connection)
{
    sk_llm *llm = open_llm("anthropic", NULL);
    for (int i = 0; i < 20; i++) {
        sk_llm_reply r;
        char *err = NULL;
        ck_assert_int_eq(chat(llm, "echo", NULL, "x", NULL, &r, &err), 0);
        sk_llm_reply_free(&r);
    }
    ck_assert_int_eq(sk_llm_fx_stat("messages"), 20);
    /* One for the 20 calls, one for each /stats call here. */
    ck_assert_int_eq(sk_llm_fx_stat("connections"), 3);
    sk_llm_close(llm);
}
END_TEST

START_TEST(environment_defaults)
{
    char *base = sk_asprintf("%s/v1", sk_llm_fx_url);
    setenv("OPENAI_BASE_URL", base, 1);
    free(base);
    sk_llm *llm = NULL;
    char *err = NULL;
    unsetenv("OPENAI_MODEL");
    unsetenv("ANTHROPIC_MODEL");
    ck_assert_int_eq(sk_llm_open(&llm, NULL, NULL, &err), 0);
    /* A judge that names no model still has one: the documented default. */
    ck_assert_str_eq(sk_llm_default_model(llm, NULL), "gpt-4o-mini");
    ck_assert_str_eq(sk_llm_default_model(llm, "anthropic"), "claude-haiku-4-5");
    sk_llm_close(llm);
    setenv("OPENAI_MODEL", "from-env", 1);
    ck_assert_int_eq(sk_llm_open(&llm, NULL, NULL, &err), 0);
    ck_assert_str_eq(sk_llm_default_model(llm, NULL), "from-env");
    unsetenv("OPENAI_MODEL");
    sk_llm_reply r;
    ck_assert_int_eq(chat(llm, "echo", NULL, "from env", NULL, &r, &err), 0);
    ck_assert_str_eq(r.content, "from env");
    sk_llm_reply_free(&r);
    ck_assert_int_eq(sk_llm_fx_stat("chat"), 1);
    sk_llm_close(llm);
    unsetenv("OPENAI_BASE_URL");
}
END_TEST

START_TEST(config_is_strict)
{
    struct {
        const char *json, *want;
    } cases[] = {
        {"{\"providers\":{\"a\":{\"api\":\"openai\",\"timeout\":3}}}",
         "llm.providers.a: unknown key \"timeout\""},
        {"{\"max_inflight\":3}", "llm: unknown key \"max_inflight\""},
        {"{\"providers\":{\"a\":{\"api\":\"gemini\"}}}", "llm.providers.a.api: must be"},
        {"{\"provider\":\"b\",\"providers\":{\"a\":{}}}", "no provider named \"b\""},
        {"{\"providers\":{\"a\":{\"base_url\":\"ftp://x\"}}}", "must start with http://"},
        {"{\"providers\":{\"a\":{\"max_retries\":1.5}}}", "max_retries: must be an integer"},
        {"{\"providers\":{\"a\":{\"prices\":{\"m\":{\"input\":1}}}}}",
         "llm.providers.a.prices.m: unknown key \"input\""},
        {"{\"cache\":\"yes\"}", "llm.cache: must be true or false"},
        {"{\"max_in_flight\":0}", "llm.max_in_flight: must be an integer between 1"},
        {"{\"providers\":{}}", "at least one provider"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        cJSON *cfg = cJSON_Parse(cases[i].json);
        sk_llm *llm = NULL;
        char *err = NULL;
        ck_assert_int_eq(sk_llm_open(&llm, cfg, NULL, &err), SK_EINVAL);
        ck_assert_ptr_null(llm);
        sk_assert_has(err, cases[i].want);
        free(err);
        cJSON_Delete(cfg);
    }
    cJSON *cfg = cJSON_Parse("{\"provider\":\"b\",\"providers\":{\"a\":{},\"b\":{\"api\":"
                             "\"anthropic\",\"model\":\"m1\"}},\"requests_per_minute\":600}");
    sk_llm *llm = NULL;
    char *err = NULL;
    ck_assert_int_eq(sk_llm_open(&llm, cfg, NULL, &err), 0);
    ck_assert_str_eq(sk_llm_default_model(llm, NULL), "m1");
    ck_assert_ptr_null(sk_llm_default_model(llm, "a"));
    ck_assert_ptr_null(sk_llm_default_model(llm, "zzz"));
    sk_llm_close(llm);
    cJSON_Delete(cfg);
}
END_TEST

static Suite *llm_suite(void)
{
    Suite *s = suite_create("llm");
    TCase *tc = tcase_create("server");
    tcase_add_checked_fixture(tc, sk_llm_fx_setup, sk_llm_fx_teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, openai_plain_text);
    tcase_add_test(tc, anthropic_plain_text_and_headers);
    tcase_add_test(tc, native_tool_calls_both_apis);
    tcase_add_test(tc, native_tool_missing_is_an_error);
    tcase_add_test(tc, json_fallback);
    tcase_add_test(tc, garbage_and_empty_replies);
    tcase_add_test(tc, retries_on_5xx_then_succeeds);
    tcase_add_test(tc, retries_run_out);
    tcase_add_test(tc, retry_after_is_honoured);
    tcase_add_test(tc, timeouts_and_drops);
    tcase_add_test(tc, connection_refused);
    tcase_add_test(tc, api_key_sent_and_never_shown);
    tcase_add_test(tc, bad_requests);
    tcase_add_test(tc, params_merged);
    tcase_add_test(tc, many_threads_share_limits_and_connections);
    tcase_add_test(tc, sequential_calls_reuse_one_connection);
    tcase_add_test(tc, environment_defaults);
    tcase_add_test(tc, config_is_strict);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return sk_run_suite(llm_suite());
}
