/*
 * Tests of the LLM response cache and usage log, end to end against the
 * fake server with a real store: hits make no request, trials and
 * different params are separate entries, key order does not matter,
 * errors are never cached, --no-cache bypasses it, usage sums per
 * experiment, and stats/clear see what was stored.
 */
#define _POSIX_C_SOURCE 200809L
#include <check.h>
#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "fixtures.h"
#include "llm/llm.h"
#include "llm/llm_cache.h"
#include "llm_fixture.h"
#include "run_suite.h"
#include "store_fixture.h"
#include "base/util.h"

static char *db_path;
static sk_llm *llm;

static void setup(void)
{
    sk_store_fx_setup();
    sk_llm_fx_setup();
    sk_store *st = sk_store_fx_open();
    db_path = sk_xstrdup(sk_store_path(st));
    sk_store_close(st);
    cJSON *cfg = sk_llm_fx_config(
        "openai", "{\"max_retries\":0,\"prices\":{\"echo\":{\"input_per_mtok\":1000000,"
                  "\"output_per_mtok\":2000000}}}");
    char *err = NULL;
    ck_assert_msg(sk_llm_open(&llm, cfg, db_path, &err) == 0, "%s", err);
    cJSON_Delete(cfg);
}

static void teardown(void)
{
    sk_llm_close(llm);
    llm = NULL;
    free(db_path);
    sk_llm_fx_teardown();
    sk_store_fx_teardown();
}

/* Whom call() bills; NULL: nobody. */
static sk_llm_account *bill;

static sk_llm_reply call(const char *model, const char *text, unsigned trial, const char *params,
                         int no_cache)
{
    sk_llm_message m = {"user", text};
    sk_llm_request req = {.model = model,
                          .messages = &m,
                          .nmessages = 1,
                          .trial = trial,
                          .params_json = params,
                          .no_cache = no_cache,
                          .caller = "test",
                          .account = bill};
    sk_llm_reply r;
    char *err = NULL;
    ck_assert_msg(sk_llm_chat(llm, &req, &r, &err) == 0, "%s", err);
    return r;
}

START_TEST(hit_makes_no_request)
{
    sk_llm_reply a = call("echo", "12345678", 0, NULL, 0);
    ck_assert_int_eq(a.cached, 0);
    ck_assert_int_eq(a.attempts, 1);
    ck_assert(a.cost == 2 * 1 + 2 * 2); /* 2 prompt and 2 completion tokens */
    sk_llm_reply b = call("echo", "12345678", 0, NULL, 0);
    ck_assert_int_eq(b.cached, 1);
    ck_assert_int_eq(b.attempts, 0);
    ck_assert_str_eq(b.content, "12345678");
    ck_assert_int_eq(b.prompt_tokens, 2);
    ck_assert(b.cost == 0);
    ck_assert_int_eq(sk_llm_fx_stat("requests"), 1);
    sk_llm_reply_free(&a);
    sk_llm_reply_free(&b);
    sk_llm_counters c;
    sk_llm_counters_get(llm, &c);
    ck_assert_int_eq(c.cache_hits, 1);
    ck_assert_int_eq(c.cache_misses, 1);
    sk_store *st = sk_store_fx_open();
    ck_assert_int_eq(sk_store_fx_int(st, "SELECT hits FROM llm_cache"), 1);
    ck_assert_int_eq(sk_store_fx_int(st, "SELECT count(*) FROM llm_calls WHERE cached = 1"), 1);
    /* The key is a digest: the prompt is not readable from it. */
    ck_assert_int_eq(sk_store_fx_int(st, "SELECT length(key) FROM llm_cache"), 64);
    sk_store_close(st);
}
END_TEST

START_TEST(trials_are_independent)
{
    for (unsigned t = 0; t < 3; t++) {
        sk_llm_reply r = call("echo", "same", t, NULL, 0);
        ck_assert_int_eq(r.cached, 0);
        sk_llm_reply_free(&r);
    }
    ck_assert_int_eq(sk_llm_fx_stat("requests"), 3);
    for (unsigned t = 0; t < 3; t++) {
        sk_llm_reply r = call("echo", "same", t, NULL, 0);
        ck_assert_int_eq(r.cached, 1);
        sk_llm_reply_free(&r);
    }
    ck_assert_int_eq(sk_llm_fx_stat("requests"), 3);
}
END_TEST

START_TEST(key_covers_the_request)
{
    sk_llm_reply r = call("echo", "p", 0, "{\"temperature\":0,\"top_p\":1}", 0);
    sk_llm_reply_free(&r);
    r = call("echo", "p", 0, "{\"top_p\":1,\"temperature\":0}", 0);
    ck_assert_int_eq(r.cached, 1); /* same params, other order */
    sk_llm_reply_free(&r);
    r = call("echo", "p", 0, "{\"temperature\":0.7,\"top_p\":1}", 0);
    ck_assert_int_eq(r.cached, 0);
    sk_llm_reply_free(&r);
    r = call("text:p", "p", 0, "{\"temperature\":0,\"top_p\":1}", 0);
    ck_assert_int_eq(r.cached, 0); /* another model */
    sk_llm_reply_free(&r);
    r = call("echo", "p ", 0, "{\"temperature\":0,\"top_p\":1}", 0);
    ck_assert_int_eq(r.cached, 0); /* another message */
    sk_llm_reply_free(&r);
    ck_assert_int_eq(sk_llm_fx_stat("requests"), 4);
}
END_TEST

START_TEST(errors_are_never_cached)
{
    sk_llm_message m = {"user", "x"};
    sk_llm_request req = {.model = "status:500:1", .messages = &m, .nmessages = 1};
    sk_llm_reply r;
    char *err = NULL;
    ck_assert_int_eq(sk_llm_chat(llm, &req, &r, &err), SK_EIO);
    free(err);
    err = NULL;
    /* The server now answers: a real request, not a cached error. */
    ck_assert_int_eq(sk_llm_chat(llm, &req, &r, &err), 0);
    ck_assert_int_eq(r.cached, 0);
    sk_llm_reply_free(&r);
    ck_assert_int_eq(sk_llm_chat(llm, &req, &r, &err), 0);
    ck_assert_int_eq(r.cached, 1);
    sk_llm_reply_free(&r);
    req.model = "empty";
    for (int i = 0; i < 2; i++) {
        ck_assert_int_eq(sk_llm_chat(llm, &req, &r, &err), SK_EPARSE);
        free(err);
        err = NULL;
    }
    ck_assert_int_eq(sk_llm_fx_stat("requests"), 4);
    sk_store *st = sk_store_fx_open();
    ck_assert_int_eq(sk_store_fx_int(st, "SELECT count(*) FROM llm_cache"), 1);
    ck_assert_int_eq(sk_store_fx_int(st, "SELECT count(*) FROM llm_calls WHERE ok = 0"), 3);
    char *e = sk_store_fx_text(st, "SELECT error FROM llm_calls WHERE model = 'empty' LIMIT 1");
    sk_assert_has(e, "empty reply");
    free(e);
    sk_store_close(st);
}
END_TEST

START_TEST(no_cache_bypasses)
{
    sk_llm_reply r = call("echo", "x", 0, NULL, 0);
    sk_llm_reply_free(&r);
    r = call("echo", "x", 0, NULL, 1);
    ck_assert_int_eq(r.cached, 0);
    sk_llm_reply_free(&r);
    sk_llm_set_no_cache(llm, 1);
    r = call("echo", "x", 0, NULL, 0);
    ck_assert_int_eq(r.cached, 0);
    sk_llm_reply_free(&r);
    sk_llm_set_no_cache(llm, 0);
    r = call("echo", "x", 0, NULL, 0);
    ck_assert_int_eq(r.cached, 1);
    sk_llm_reply_free(&r);
    ck_assert_int_eq(sk_llm_fx_stat("requests"), 3);
}
END_TEST

START_TEST(tool_replies_cached)
{
    sk_llm_tool tool = {"v", NULL, "{\"type\":\"object\"}"};
    sk_llm_message m = {"user", "x"};
    sk_llm_request req = {.model = "tool:{\"a\":1}", .messages = &m, .nmessages = 1, .tool = &tool};
    sk_llm_reply r;
    char *err = NULL;
    for (int i = 0; i < 2; i++) {
        ck_assert_int_eq(sk_llm_chat(llm, &req, &r, &err), 0);
        ck_assert_int_eq(r.cached, i);
        ck_assert_str_eq(r.tool_args_json, "{\"a\":1}");
        ck_assert_ptr_null(r.content);
        sk_llm_reply_free(&r);
    }
    /* A plain request with the same messages is another entry. */
    req.tool = NULL;
    ck_assert_int_eq(sk_llm_chat(llm, &req, &r, &err), 0);
    ck_assert_int_eq(r.cached, 0);
    sk_llm_reply_free(&r);
}
END_TEST

START_TEST(usage_per_experiment)
{
    sk_llm_account exp1 = {"exp-1", {0}}, exp2 = {"exp-2", {0}};
    bill = &exp1;
    sk_llm_reply r = call("echo", "12345678", 0, NULL, 0); /* 2 + 2 tokens, cost 6 */
    sk_llm_reply_free(&r);
    r = call("echo", "12345678", 0, NULL, 0); /* cached: no tokens, no cost */
    sk_llm_reply_free(&r);
    r = call("echo", "1234567812345678", 0, NULL, 0); /* 4 + 4, cost 12 */
    sk_llm_reply_free(&r);
    bill = &exp2;
    r = call("echo", "abcd", 0, NULL, 0);
    sk_llm_reply_free(&r);
    bill = NULL;
    r = call("echo", "abcdefgh", 0, NULL, 0);
    sk_llm_reply_free(&r);
    sk_llm_usage u;
    char *err = NULL;
    sk_store *st = sk_store_fx_open();
    ck_assert_int_eq(sk_llm_usage_in(st, "exp-1", &u, &err), 0);
    ck_assert_int_eq(u.calls, 3);
    ck_assert_int_eq(u.cached, 1);
    ck_assert_int_eq(u.prompt_tokens, 6);
    ck_assert_int_eq(u.completion_tokens, 6);
    ck_assert(u.cost == 18);
    ck_assert_int_eq(sk_llm_usage_in(st, "exp-2", &u, &err), 0);
    ck_assert_int_eq(u.calls, 1);
    ck_assert_int_eq(sk_llm_usage_in(st, "none", &u, &err), 0);
    ck_assert_int_eq(u.calls, 0);
    ck_assert(u.cost == 0);
    ck_assert_int_eq(
        sk_store_fx_int(st, "SELECT count(*) FROM llm_calls WHERE experiment_id IS NULL"), 1);
    char *caller = sk_store_fx_text(st, "SELECT caller FROM llm_calls LIMIT 1");
    ck_assert_str_eq(caller, "test");
    free(caller);
    sk_store_close(st);
}
END_TEST

START_TEST(stats_and_clear)
{
    sk_llm_reply r = call("echo", "aaaa", 0, NULL, 0);
    sk_llm_reply_free(&r);
    r = call("echo", "aaaa", 0, NULL, 0);
    sk_llm_reply_free(&r);
    r = call("echo", "bbbbbbbb", 0, NULL, 0);
    sk_llm_reply_free(&r);
    r = call("text:hi", "c", 0, NULL, 0);
    sk_llm_reply_free(&r);
    sk_store *st = sk_store_fx_open();
    sk_llm_cache_stat *rows;
    size_t n;
    char *err = NULL;
    ck_assert_int_eq(sk_llm_cache_stats(st, &rows, &n, &err), 0);
    ck_assert_int_eq(n, 3);
    ck_assert_ptr_null(rows[0].model);
    ck_assert_int_eq(rows[0].entries, 3);
    ck_assert_int_eq(rows[0].bytes, 4 + 8 + 2);
    ck_assert_int_eq(rows[0].hits, 1);
    ck_assert_str_eq(rows[1].model, "echo");
    ck_assert_int_eq(rows[1].entries, 2);
    ck_assert_str_eq(rows[2].model, "text:hi");
    sk_llm_cache_stats_free(rows, n);
    sk_llm_calls_total tot;
    ck_assert_int_eq(sk_llm_calls_totals(st, &tot, &err), 0);
    ck_assert_int_eq(tot.calls, 4);
    ck_assert_int_eq(tot.cached, 1);
    long deleted;
    ck_assert_int_eq(sk_llm_cache_clear(st, "echo", 1, &deleted, &err), 0);
    ck_assert_int_eq(deleted, 0); /* stored today, not a day ago */
    sk_store_exec(st,
                  "UPDATE llm_cache SET created_at = '2020-01-01T00:00:00Z' "
                  "WHERE length(content) = 8",
                  "ageing", &err);
    ck_assert_int_eq(sk_llm_cache_clear(st, "echo", 1, &deleted, &err), 0);
    ck_assert_int_eq(deleted, 1);
    ck_assert_int_eq(sk_llm_cache_clear(st, NULL, -1, &deleted, &err), 0);
    ck_assert_int_eq(deleted, 2);
    ck_assert_int_eq(sk_store_fx_int(st, "SELECT count(*) FROM llm_cache"), 0);
    sk_store_close(st);
    r = call("echo", "aaaa", 0, NULL, 0);
    ck_assert_int_eq(r.cached, 0);
    sk_llm_reply_free(&r);
}
END_TEST

static Suite *cache_suite(void)
{
    Suite *s = suite_create("llm_cache");
    TCase *tc = tcase_create("cache");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, hit_makes_no_request);
    tcase_add_test(tc, trials_are_independent);
    tcase_add_test(tc, key_covers_the_request);
    tcase_add_test(tc, errors_are_never_cached);
    tcase_add_test(tc, no_cache_bypasses);
    tcase_add_test(tc, tool_replies_cached);
    tcase_add_test(tc, usage_per_experiment);
    tcase_add_test(tc, stats_and_clear);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return sk_run_suite(cache_suite());
}
