/*
 * Unit tests of the LLM client's pieces that need no server: SHA-256
 * against the FIPS test vectors, Retry-After parsing, jittered backoff
 * bounds, the token bucket (with the clock passed in, so no waiting), the
 * in-flight limit under threads, and the JSON-reply fallback's strictness.
 */
#define _POSIX_C_SOURCE 200809L
#include <check.h>
#include <cjson/cJSON.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/error.h"
#include "fixtures.h"
#include "base/hash.h"
#include "llm/llm_limit.h"
#include "llm/llm_reply.h"
#include "llm/llm_retry.h"
#include "run_suite.h"
#include "base/util.h"

START_TEST(sha256_vectors)
{
    char hex[65];
    sk_sha256_hex("abc", 3, hex);
    ck_assert_str_eq(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    sk_sha256_hex("", 0, hex);
    ck_assert_str_eq(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    const char *two = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    sk_sha256_hex(two, strlen(two), hex);
    ck_assert_str_eq(hex, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    /* A million 'a', fed in uneven pieces. */
    sk_sha256 c;
    unsigned char d[32];
    char *a = sk_xmalloc(1000000);
    memset(a, 'a', 1000000);
    sk_sha256_init(&c);
    for (size_t off = 0, step = 1; off < 1000000; off += step, step = step * 3 % 1000 + 1)
        sk_sha256_update(&c, a + off, off + step > 1000000 ? 1000000 - off : step);
    sk_sha256_final(&c, d);
    free(a);
    ck_assert_int_eq(d[0], 0xcd);
    ck_assert_int_eq(d[1], 0xc7);
    ck_assert_int_eq(d[31], 0xd0);
}
END_TEST

START_TEST(retry_after_forms)
{
    double s;
    ck_assert_int_eq(sk_llm_retry_after_parse("120", 0, &s), 0);
    ck_assert(s == 120);
    ck_assert_int_eq(sk_llm_retry_after_parse(" 0 ", 0, &s), 0);
    ck_assert(s == 0);
    /* Wed, 21 Oct 2015 07:28:00 GMT is 1445412480. */
    ck_assert_int_eq(sk_llm_retry_after_parse("Wed, 21 Oct 2015 07:28:00 GMT", 1445412480 - 30, &s),
                     0);
    ck_assert(s == 30);
    ck_assert_int_eq(sk_llm_retry_after_parse("Wed, 21 Oct 2015 07:28:00 GMT", 1445412480 + 5, &s),
                     0);
    ck_assert(s == 0);
    ck_assert_int_eq(sk_llm_retry_after_parse("soon", 0, &s), -1);
    ck_assert_int_eq(sk_llm_retry_after_parse("12abc", 0, &s), -1);
    ck_assert_int_eq(sk_llm_retry_after_parse("Wed, 21 Foo 2015 07:28:00 GMT", 0, &s), -1);
    ck_assert_int_eq(sk_llm_retry_after_parse(NULL, 0, &s), -1);
}
END_TEST

START_TEST(backoff_bounds)
{
    uint64_t rng = 42;
    double max_seen[6] = {0};
    for (int i = 0; i < 2000; i++) {
        for (int retry = 1; retry <= 6; retry++) {
            double w = sk_llm_backoff_ms(retry, 100, 1000, &rng);
            double ceiling = retry == 1   ? 100
                             : retry == 2 ? 200
                             : retry == 3 ? 400
                             : retry == 4 ? 800
                                          : 1000;
            ck_assert(w >= 0 && w <= ceiling);
            if (w > max_seen[retry - 1])
                max_seen[retry - 1] = w;
        }
    }
    /* Full jitter spreads over the whole range. */
    ck_assert(max_seen[0] > 90 && max_seen[3] > 700 && max_seen[5] > 900);
    ck_assert(sk_llm_retry_wait_ms(3, 2.5, 100, 1000, &rng) == 2500);
    ck_assert(sk_llm_retryable(429) && sk_llm_retryable(500) && sk_llm_retryable(0));
    ck_assert(!sk_llm_retryable(400) && !sk_llm_retryable(401) && !sk_llm_retryable(404));
}
END_TEST

START_TEST(token_bucket)
{
    sk_llm_bucket b;
    sk_llm_bucket_init(&b, 60); /* one a second, holds one */
    ck_assert(sk_llm_bucket_reserve(&b, 100.0) == 0);
    ck_assert(sk_llm_bucket_reserve(&b, 100.0) == 1);
    ck_assert(sk_llm_bucket_reserve(&b, 100.0) == 2);
    /* Queued reservations are paid back before new tokens accrue. */
    ck_assert(sk_llm_bucket_reserve(&b, 103.0) == 0 || sk_llm_bucket_reserve(&b, 103.0) >= 0);
    sk_llm_bucket_init(&b, 600); /* ten a second, holds ten */
    for (int i = 0; i < 10; i++)
        ck_assert(sk_llm_bucket_reserve(&b, 5.0) == 0);
    double w = sk_llm_bucket_reserve(&b, 5.0);
    ck_assert(w > 0.099 && w < 0.101);
    /* An idle second refills it, but only up to its capacity. */
    for (int i = 0; i < 9; i++)
        ck_assert(sk_llm_bucket_reserve(&b, 60.0) == 0);
    ck_assert(sk_llm_bucket_reserve(&b, 60.0) == 0);
    ck_assert(sk_llm_bucket_reserve(&b, 60.0) > 0);
}
END_TEST

typedef struct lim_arg {
    sk_llm_limit *l;
    pthread_mutex_t *mu;
    int *now, *max;
} lim_arg;

static void *hold(void *ud)
{
    lim_arg *a = ud;
    for (int i = 0; i < 20; i++) {
        unsigned long ticket = sk_llm_limit_acquire(a->l);
        pthread_mutex_lock(a->mu);
        (*a->now)++;
        if (*a->now > *a->max)
            *a->max = *a->now;
        pthread_mutex_unlock(a->mu);
        struct timespec ts = {0, 200000};
        nanosleep(&ts, NULL);
        pthread_mutex_lock(a->mu);
        (*a->now)--;
        pthread_mutex_unlock(a->mu);
        sk_llm_limit_release(a->l, ticket, SK_LLM_DONE_OK);
    }
    return NULL;
}

START_TEST(in_flight_limit)
{
    sk_llm_limit *l = sk_llm_limit_new(3, 0, 1);
    pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
    int now = 0, max = 0;
    lim_arg a = {l, &mu, &now, &max};
    pthread_t t[8];
    for (int i = 0; i < 8; i++)
        pthread_create(&t[i], NULL, hold, &a);
    for (int i = 0; i < 8; i++)
        pthread_join(t[i], NULL);
    ck_assert_int_le(max, 3);
    ck_assert_int_le(sk_llm_limit_peak(l), 3);
    ck_assert_int_ge(sk_llm_limit_peak(l), 1);
    sk_llm_limit_free(l);
}
END_TEST

/* The adaptive limit step by step: halved once by the 429s of requests
 * sent together, never below one, raised by 1/N a success, never above the
 * ceiling. */
START_TEST(adaptive_limit_steps)
{
    sk_llm_aimd a;
    sk_llm_aimd_init(&a, 16);
    ck_assert_int_eq(sk_llm_aimd_slots(&a), 16);
    unsigned long t0 = a.epoch;
    /* Sixteen requests sent under the first limit all come back 429: one
     * halving, not sixteen. */
    for (int i = 0; i < 16; i++)
        sk_llm_aimd_done(&a, t0, SK_LLM_DONE_OVERLOADED);
    ck_assert_int_eq(sk_llm_aimd_slots(&a), 8);
    ck_assert_uint_eq(a.epoch, t0 + 1);
    /* A request sent after it is refused too: halved again. */
    sk_llm_aimd_done(&a, a.epoch, SK_LLM_DONE_OVERLOADED);
    ck_assert_int_eq(sk_llm_aimd_slots(&a), 4);
    /* Other failures (a 500, a timeout) say nothing about load. */
    sk_llm_aimd_done(&a, a.epoch, SK_LLM_DONE_OTHER);
    ck_assert_int_eq(sk_llm_aimd_slots(&a), 4);
    /* Four successes at 4 raise it by about one: 4 + 1/4 + 1/4.25 + ... */
    for (int i = 0; i < 4; i++)
        sk_llm_aimd_done(&a, a.epoch, SK_LLM_DONE_OK);
    ck_assert(a.cur > 4.9 && a.cur < 5.0);
    ck_assert_int_eq(sk_llm_aimd_slots(&a), 4);
    sk_llm_aimd_done(&a, a.epoch, SK_LLM_DONE_OK);
    ck_assert_int_eq(sk_llm_aimd_slots(&a), 5);
    /* Never below one. */
    for (int i = 0; i < 10; i++)
        sk_llm_aimd_done(&a, a.epoch, SK_LLM_DONE_OVERLOADED);
    ck_assert(a.cur == 1);
    ck_assert_int_eq(sk_llm_aimd_slots(&a), 1);
    /* Never above the ceiling: 16 from 1 takes about (16^2 - 1) / 2 successes. */
    int n = 0;
    while (sk_llm_aimd_slots(&a) < 16 && n < 1000) {
        sk_llm_aimd_done(&a, a.epoch, SK_LLM_DONE_OK);
        n++;
    }
    ck_assert_int_ge(n, 120);
    ck_assert_int_le(n, 135);
    for (int i = 0; i < 100; i++)
        sk_llm_aimd_done(&a, a.epoch, SK_LLM_DONE_OK);
    ck_assert(a.cur == 16);
}
END_TEST

/* Through the limit: a 429 lowers what acquire lets through; with
 * adaptive off it stays. */
START_TEST(adaptive_limit_acquire)
{
    sk_llm_limit *l = sk_llm_limit_new(8, 0, 1);
    unsigned long t = sk_llm_limit_acquire(l);
    sk_llm_limit_release(l, t, SK_LLM_DONE_OVERLOADED);
    ck_assert_int_eq(sk_llm_limit_current(l), 4);
    ck_assert_int_eq((int)sk_llm_limit_decreases(l), 1);
    /* An old ticket (sent before the decrease) does not lower it again. */
    t = sk_llm_limit_acquire(l);
    sk_llm_limit_release(l, t - 1, SK_LLM_DONE_OVERLOADED);
    ck_assert_int_eq(sk_llm_limit_current(l), 4);
    sk_llm_limit_free(l);
    l = sk_llm_limit_new(8, 0, 0);
    t = sk_llm_limit_acquire(l);
    sk_llm_limit_release(l, t, SK_LLM_DONE_OVERLOADED);
    ck_assert_int_eq(sk_llm_limit_current(l), 8);
    sk_llm_limit_free(l);
}
END_TEST

START_TEST(fallback_is_strict)
{
    const char *good[] = {"{\"a\":1}", "  {\"a\": 1}\n", "```json\n{\"a\":1}\n```",
                          "```\n{\"a\":1}\n```", "\n```json\n{\"a\":1}\n```\n"};
    for (size_t i = 0; i < sizeof good / sizeof *good; i++) {
        char *err = NULL;
        cJSON *o = sk_llm_json_object_reply(good[i], &err);
        ck_assert_msg(o != NULL, "%s: %s", good[i], err);
        ck_assert_int_eq((int)cJSON_GetNumberValue(cJSON_GetObjectItem(o, "a")), 1);
        cJSON_Delete(o);
    }
    const char *bad[] = {"Here: {\"a\":1}",
                         "{\"a\":1} hope this helps",
                         "[{\"a\":1}]",
                         "42",
                         "```python\n{\"a\":1}\n```",
                         "```json\n{\"a\":1}",
                         "{\"a\":1}\n```",
                         "{\"a\":1}{\"b\":2}",
                         "",
                         "```json\n```",
                         "{\"a\":}"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        char *err = NULL;
        cJSON *o = sk_llm_json_object_reply(bad[i], &err);
        ck_assert_msg(o == NULL, "accepted: %s", bad[i]);
        ck_assert_ptr_nonnull(err);
        free(err);
    }
}
END_TEST

START_TEST(args_checked_against_schema)
{
    cJSON *schema = cJSON_Parse(
        "{\"type\":\"object\",\"required\":[\"choice\",\"n\"],\"properties\":{\"choice\":{"
        "\"type\":\"string\",\"enum\":[\"A\",\"B\"]},\"n\":{\"type\":\"integer\"},\"x\":{"
        "\"type\":[\"string\",\"null\"]}}}");
    struct {
        const char *args, *want;
    } cases[] = {
        {"{\"choice\":\"A\",\"n\":2}", NULL},
        {"{\"choice\":\"A\",\"n\":2,\"x\":null,\"extra\":1}", NULL},
        {"{\"choice\":\"C\",\"n\":2}", "\"choice\" is \"C\""},
        {"{\"n\":2}", "required property \"choice\""},
        {"{\"choice\":\"A\",\"n\":2.5}", "\"n\" has the wrong type"},
        {"{\"choice\":\"A\",\"n\":2,\"x\":3}", "\"x\" has the wrong type"},
        {"[]", "not a JSON object"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        cJSON *a = cJSON_Parse(cases[i].args);
        char *err = NULL;
        int rc = sk_llm_check_args(a, schema, &err);
        if (cases[i].want) {
            ck_assert_int_eq(rc, SK_EPARSE);
            sk_assert_has(err, cases[i].want);
        } else {
            ck_assert_msg(rc == 0, "%s: %s", cases[i].args, err);
        }
        free(err);
        cJSON_Delete(a);
    }
    cJSON_Delete(schema);
}
END_TEST

START_TEST(canonical_json_and_messages)
{
    cJSON *a = cJSON_Parse("{\"b\":[{\"y\":1,\"x\":2}],\"a\":null}");
    cJSON *c = sk_llm_json_canonical(a);
    char *t = cJSON_PrintUnformatted(c);
    ck_assert_str_eq(t, "{\"a\":null,\"b\":[{\"x\":2,\"y\":1}]}");
    free(t);
    cJSON_Delete(a);
    cJSON_Delete(c);
    char *m = sk_llm_server_message("{\"error\":{\"message\":\"rate\\nlimited\"}}", 100);
    ck_assert_str_eq(m, "rate limited");
    free(m);
    m = sk_llm_server_message("<html>0123456789</html>", 10);
    ck_assert_str_eq(m, "<html>0123...");
    free(m);
    m = sk_llm_server_message("", 10);
    ck_assert_str_eq(m, "(empty body)");
    free(m);
}
END_TEST

static Suite *retry_suite(void)
{
    Suite *s = suite_create("llm_units");
    TCase *tc = tcase_create("units");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, sha256_vectors);
    tcase_add_test(tc, retry_after_forms);
    tcase_add_test(tc, backoff_bounds);
    tcase_add_test(tc, token_bucket);
    tcase_add_test(tc, in_flight_limit);
    tcase_add_test(tc, adaptive_limit_steps);
    tcase_add_test(tc, adaptive_limit_acquire);
    tcase_add_test(tc, fallback_is_strict);
    tcase_add_test(tc, args_checked_against_schema);
    tcase_add_test(tc, canonical_json_and_messages);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return sk_run_suite(retry_suite());
}
