/* Logs: the log row's checks, times, whole bodies (object, array, JSONL,
 * with the line of an error), the OTLP/JSON mapping by the GenAI semantic
 * conventions, and storing with duplicates counted. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "base/util.h"
#include "online/ingest.h"
#include "online/log_parse.h"
#include "run_suite.h"
#include "store_fixture.h"

static int parse(const char *text, sk_log_vec *lv, char **err)
{
    return sk_logs_parse_text(text, strlen(text), "body", 0, lv, err);
}

/* The error a text gets, which must be one, and nothing kept. */
static char *error_of(const char *text)
{
    sk_log_vec lv = {0};
    char *err = NULL;
    ck_assert_int_ne(parse(text, &lv, &err), 0);
    ck_assert_uint_eq(lv.n, 0);
    ck_assert_ptr_nonnull(err);
    sk_log_vec_free(&lv);
    return err;
}

static void assert_error(const char *text, const char *want)
{
    char *err = error_of(text);
    if (!strstr(err, want))
        ck_abort_msg("error \"%s\" lacks \"%s\"", err, want);
    free(err);
}

START_TEST(times_are_normalised_to_utc_milliseconds)
{
    char t[32];
    ck_assert_int_eq(sk_log_time_parse("2026-12-04T10:00:00Z", 20, t), 0);
    ck_assert_str_eq(t, "2026-12-04T10:00:00.000Z");
    /* 23:30 at +01:00 is 22:30 UTC; digits beyond milliseconds dropped. */
    const char *off = "2026-12-31T23:30:05.1239+01:00";
    ck_assert_int_eq(sk_log_time_parse(off, strlen(off), t), 0);
    ck_assert_str_eq(t, "2026-12-31T22:30:05.123Z");
    const char *west = "2026-12-31T23:30:00-02:30";
    ck_assert_int_eq(sk_log_time_parse(west, strlen(west), t), 0);
    ck_assert_str_eq(t, "2027-01-01T02:00:00.000Z");
    ck_assert_int_eq(sk_log_time_parse("2026-12-04T10:00:00", 19, t), -1); /* no zone */
    ck_assert_int_eq(sk_log_time_parse("2026-13-04T10:00:00Z", 20, t), -1);
    ck_assert_int_eq(sk_log_time_parse("2026-12-04T10:00:00.Z", 21, t), -1);
    /* 1764849600 s is 2025-12-04T12:00:00Z; 1.25 s later. */
    sk_log_time_from_ns(1764849601250000000ULL, t);
    ck_assert_str_eq(t, "2025-12-04T12:00:01.250Z");
}
END_TEST

START_TEST(a_log_row_keeps_every_field)
{
    sk_log_vec lv = {0};
    char *err = NULL;
    ck_assert_int_eq(parse("{\"id\":\"l1\",\"time\":\"2026-12-04T10:00:00Z\",\"input\":{\"q\":1},"
                           "\"output\":\"ok\",\"expected\":\"ok\",\"metadata\":{\"route\":\"r\"},"
                           "\"trace_id\":\"0AF7651916CD43DD8448EB211C80319C\","
                           "\"span_id\":\"b7ad6b7169203331\",\"model\":\"m\",\"latency_ms\":12.5,"
                           "\"input_tokens\":3,\"output_tokens\":40,\"cost\":0.002}",
                           &lv, &err),
                     0);
    ck_assert_uint_eq(lv.n, 1);
    sk_log *l = &lv.v[0];
    ck_assert_str_eq(l->id, "l1");
    ck_assert_str_eq(l->time, "2026-12-04T10:00:00.000Z");
    ck_assert_str_eq(l->input_json, "{\"q\":1}");
    ck_assert_str_eq(l->output_json, "\"ok\"");
    ck_assert_str_eq(l->expected_json, "\"ok\"");
    ck_assert_str_eq(l->metadata_json, "{\"route\":\"r\"}");
    ck_assert_str_eq(l->trace_id, "0af7651916cd43dd8448eb211c80319c");
    ck_assert_str_eq(l->span_id, "b7ad6b7169203331");
    ck_assert_str_eq(l->model, "m");
    ck_assert_double_eq(l->latency_ms, 12.5);
    ck_assert_int_eq(l->input_tokens, 3);
    ck_assert_int_eq(l->output_tokens, 40);
    ck_assert_double_eq(l->cost, 0.002);
    sk_log_vec_free(&lv);
}
END_TEST

START_TEST(a_log_without_id_gets_the_same_derived_id_each_time)
{
    const char *row = "{\"time\":\"2026-12-04T10:00:00Z\",\"input\":\"x\"}\n";
    sk_log_vec a = {0}, b = {0};
    ck_assert_int_eq(parse(row, &a, NULL), 0);
    ck_assert_int_eq(parse(row, &b, NULL), 0);
    ck_assert_str_eq(a.v[0].id, b.v[0].id);
    ck_assert_int_eq(a.v[0].id[0], 'h');
    ck_assert_uint_eq(strlen(a.v[0].id), 17);
    ck_assert_ptr_null(a.v[0].output_json);
    ck_assert_double_eq(a.v[0].latency_ms, -1);
    ck_assert_int_eq(a.v[0].input_tokens, -1);
    sk_log_vec_free(&a);
    sk_log_vec_free(&b);
}
END_TEST

START_TEST(bad_log_rows_are_refused_with_their_line)
{
    const char *ok = "{\"id\":\"a\",\"time\":\"2026-12-04T10:00:00Z\",\"input\":1}\n";
    char text[512];
    snprintf(text, sizeof text, "%s\n%s{\"id\":\"b\",\"input\":1}\n", ok, ok);
    assert_error(text, "body:4: a log needs \"time\""); /* line 2 is empty */
    snprintf(text, sizeof text, "%s{\"id\":\"b\",\"time\":\"2026-12-04T10:00:00Z\"}\n", ok);
    assert_error(text, "body:2: a log needs \"input\"");
    snprintf(text, sizeof text, "%s{\"id\":\"b\",\"time\":\"yesterday\",\"input\":1}\n", ok);
    assert_error(text, "body:2: \"time\" must be an ISO 8601 time");
    assert_error("{\"id\":\"b\",\"time\":\"2026-12-04T10:00:00Z\",\"input\":1,\"inptu\":2}",
                 "body:1: unknown field \"inptu\"");
    assert_error("{\"time\":\"2026-12-04T10:00:00Z\",\"input\":1,\"trace_id\":\"abc\"}",
                 "\"trace_id\" must be 32 hex digits, got \"abc\"");
    assert_error("{\"time\":\"2026-12-04T10:00:00Z\",\"input\":1,\"input_tokens\":1.5}",
                 "\"input_tokens\" must be a whole number >= 0, got 1.5");
    assert_error("{\"time\":\"2026-12-04T10:00:00Z\",\"input\":1,\"cost\":-1}",
                 "\"cost\" must be a number >= 0, got -1");
    assert_error("{\"time\":\"2026-12-04T10:00:00Z\",\"input\":1,\"metadata\":[1]}",
                 "\"metadata\" must be an object");
    assert_error("{\"id\":\"\",\"time\":\"2026-12-04T10:00:00Z\",\"input\":1}", "\"id\" is empty");
    snprintf(text, sizeof text, "%s%s{\"id\":\"c\",\n", ok, ok);
    assert_error(text, "body:3: column 11:");
}
END_TEST

START_TEST(an_array_of_rows_is_read_and_its_errors_placed)
{
    sk_log_vec lv = {0};
    char *err = NULL;
    ck_assert_int_eq(
        parse("[{\"id\":\"a\",\"time\":\"2026-12-04T10:00:00Z\",\"input\":[1,{\"x\":\"]\"}]},"
              "\n {\"id\":\"b\",\"time\":\"2026-12-04T11:00:00Z\",\"input\":2}]",
              &lv, &err),
        0);
    ck_assert_uint_eq(lv.n, 2);
    ck_assert_str_eq(lv.v[0].input_json, "[1,{\"x\":\"]\"}]");
    ck_assert_str_eq(lv.v[1].id, "b");
    sk_log_vec_free(&lv);
    assert_error("[{\"id\":\"a\",\"time\":\"2026-12-04T10:00:00Z\",\"input\":1},\n"
                 "{\"id\":\"b\",\"input\":2}]",
                 "body:2: element 1: a log needs \"time\"");
    assert_error("[1]", "element 0:");
}
END_TEST

START_TEST(the_row_limit_is_kept)
{
    sk_log_vec lv = {0};
    char *err = NULL;
    const char *two = "{\"id\":\"a\",\"time\":\"2026-12-04T10:00:00Z\",\"input\":1}\n"
                      "{\"id\":\"b\",\"time\":\"2026-12-04T10:00:00Z\",\"input\":1}\n";
    ck_assert_int_eq(sk_logs_parse_text(two, strlen(two), "body", 1, &lv, &err), SK_EINVAL);
    ck_assert_uint_eq(lv.n, 0);
    ck_assert_str_eq(err, "body: 2 logs, more than the 1 allowed at once; split it");
    free(err);
    ck_assert_int_eq(sk_logs_parse_text(two, strlen(two), "body", 2, &lv, NULL), 0);
    ck_assert_uint_eq(lv.n, 2);
    sk_log_vec_free(&lv);
}
END_TEST

/* A trace: one chat span with messages as attributes (JSON text), a tool
 * span (not a model call), a chat span with messages as events and a
 * structured choice, and an embeddings span. */
static const char otlp[] =
    "{\"resourceSpans\":[{\"resource\":{\"attributes\":[{\"key\":\"service.name\","
    "\"value\":{\"stringValue\":\"shop\"}}]},\"scopeSpans\":[{\"spans\":["
    "{\"traceId\":\"5B8EFFF798038103D269B633813FC60C\",\"spanId\":\"EEE19B7EC3C1B174\","
    "\"name\":\"chat gpt-4o\",\"startTimeUnixNano\":\"1764849600000000000\","
    "\"endTimeUnixNano\":\"1764849601250000000\",\"attributes\":["
    "{\"key\":\"gen_ai.operation.name\",\"value\":{\"stringValue\":\"chat\"}},"
    "{\"key\":\"gen_ai.request.model\",\"value\":{\"stringValue\":\"gpt-4o\"}},"
    "{\"key\":\"gen_ai.response.model\",\"value\":{\"stringValue\":\"gpt-4o-2024\"}},"
    "{\"key\":\"gen_ai.usage.input_tokens\",\"value\":{\"intValue\":\"12\"}},"
    "{\"key\":\"gen_ai.usage.output_tokens\",\"value\":{\"intValue\":8}},"
    "{\"key\":\"gen_ai.input.messages\",\"value\":{\"stringValue\":"
    "\"[{\\\"role\\\":\\\"user\\\",\\\"parts\\\":[{\\\"type\\\":\\\"text\\\",\\\"content\\\":"
    "\\\"Hello\\\"}]}]\"}},"
    "{\"key\":\"gen_ai.output.messages\",\"value\":{\"stringValue\":"
    "\"[{\\\"role\\\":\\\"assistant\\\",\\\"parts\\\":[{\\\"type\\\":\\\"text\\\",\\\"content\\\":"
    "\\\"Hi!\\\"}]}]\"}}]},"
    "{\"traceId\":\"5b8efff798038103d269b633813fc60c\",\"spanId\":\"0000000000000001\","
    "\"startTimeUnixNano\":\"1764849600000000000\",\"attributes\":[{\"key\":"
    "\"gen_ai.operation.name\",\"value\":{\"stringValue\":\"execute_tool\"}}]},"
    "{\"traceId\":\"5b8efff798038103d269b633813fc60c\",\"spanId\":\"0000000000000002\","
    "\"name\":\"chat\",\"startTimeUnixNano\":\"1764849602000000000\","
    "\"attributes\":[{\"key\":\"gen_ai.operation.name\",\"value\":{\"stringValue\":\"chat\"}},"
    "{\"key\":\"gen_ai.request.model\",\"value\":{\"stringValue\":\"m1\"}}],\"events\":["
    "{\"name\":\"gen_ai.system.message\",\"attributes\":[{\"key\":\"content\",\"value\":"
    "{\"stringValue\":\"Be brief.\"}}]},"
    "{\"name\":\"gen_ai.user.message\",\"attributes\":[{\"key\":\"content\",\"value\":"
    "{\"stringValue\":\"cancel\"}}]},"
    "{\"name\":\"gen_ai.choice\",\"attributes\":[{\"key\":\"message\",\"value\":{\"kvlistValue\":"
    "{\"values\":[{\"key\":\"role\",\"value\":{\"stringValue\":\"assistant\"}},{\"key\":"
    "\"content\",\"value\":{\"stringValue\":\"Done.\"}}]}}}]}]},"
    "{\"traceId\":\"5b8efff798038103d269b633813fc60c\",\"spanId\":\"0000000000000003\","
    "\"startTimeUnixNano\":\"1764849600000000000\",\"attributes\":[{\"key\":"
    "\"gen_ai.operation.name\",\"value\":{\"stringValue\":\"embeddings\"}}]}"
    "]}]}]}";

START_TEST(otlp_model_call_spans_become_logs)
{
    sk_log_vec lv = {0};
    char *err = NULL;
    ck_assert_int_eq(parse(otlp, &lv, &err), 0);
    ck_assert_uint_eq(lv.n, 2);
    sk_log *a = &lv.v[0], *b = &lv.v[1];
    ck_assert_str_eq(a->id, "5b8efff798038103d269b633813fc60c-eee19b7ec3c1b174");
    ck_assert_str_eq(a->trace_id, "5b8efff798038103d269b633813fc60c");
    ck_assert_str_eq(a->span_id, "eee19b7ec3c1b174");
    ck_assert_str_eq(a->time, "2025-12-04T12:00:00.000Z");
    ck_assert_double_eq(a->latency_ms, 1250);
    ck_assert_str_eq(a->model, "gpt-4o-2024"); /* the response's model wins */
    ck_assert_int_eq(a->input_tokens, 12);
    ck_assert_int_eq(a->output_tokens, 8);
    ck_assert_str_eq(a->input_json,
                     "[{\"role\":\"user\",\"parts\":[{\"type\":\"text\",\"content\":\"Hello\"}]}]");
    ck_assert_str_eq(a->output_json, "\"Hi!\"");
    ck_assert_str_eq(a->metadata_json,
                     "{\"operation\":\"chat\",\"span_name\":\"chat gpt-4o\",\"service\":\"shop\"}");
    ck_assert_str_eq(b->id, "5b8efff798038103d269b633813fc60c-0000000000000002");
    ck_assert_str_eq(b->model, "m1");
    ck_assert_double_eq(b->latency_ms, -1); /* no end time */
    ck_assert_int_eq(b->input_tokens, -1);
    ck_assert_str_eq(b->input_json, "[{\"role\":\"system\",\"content\":\"Be brief.\"},"
                                    "{\"role\":\"user\",\"content\":\"cancel\"}]");
    ck_assert_str_eq(b->output_json, "\"Done.\"");
    sk_log_vec_free(&lv);
}
END_TEST

START_TEST(otlp_errors_name_the_span)
{
    assert_error(
        "{\"resourceSpans\":[{\"scopeSpans\":[{\"spans\":[{\"spanId\":\"0000000000000002\","
        "\"attributes\":[{\"key\":\"gen_ai.operation.name\",\"value\":{\"stringValue\":"
        "\"chat\"}}]}]}]}]}",
        "body:1: resourceSpans[0].scopeSpans[0].spans[0]: a model-call span needs "
        "\"traceId\"");
    assert_error("{\"resourceSpans\":{}}", "\"resourceSpans\" must be an array");
    /* A span that is no model call needs nothing. */
    sk_log_vec lv = {0};
    ck_assert_int_eq(parse("{\"resourceSpans\":[{\"scopeSpans\":[{\"spans\":[{}]}]}]}", &lv, NULL),
                     0);
    ck_assert_uint_eq(lv.n, 0);
    sk_log_vec_free(&lv);
}
END_TEST

START_TEST(storing_counts_duplicates_and_is_all_or_nothing)
{
    sk_store *st = sk_store_fx_open();
    sk_log_vec lv = {0};
    ck_assert_int_eq(parse("{\"id\":\"a\",\"time\":\"2026-12-04T10:00:00Z\",\"input\":1}\n"
                           "{\"id\":\"b\",\"time\":\"2026-12-04T11:00:00Z\",\"input\":2}\n"
                           "{\"id\":\"a\",\"time\":\"2026-12-04T12:00:00Z\",\"input\":3}\n",
                           &lv, NULL),
                     0);
    size_t added = 99;
    char *err = NULL;
    ck_assert_int_eq(sk_logs_store(st, lv.v, lv.n, &added, &err), 0);
    ck_assert_uint_eq(added, 2);
    ck_assert_int_eq(sk_store_fx_int(st, "SELECT count(*) FROM logs"), 2);
    /* The first of an id wins. */
    ck_assert_int_eq(sk_store_fx_int(st, "SELECT input_json FROM logs WHERE id = 'a'"), 1);
    ck_assert_int_eq(sk_logs_store(st, lv.v, lv.n, &added, &err), 0);
    ck_assert_uint_eq(added, 0);
    sk_log *v = NULL;
    size_t n = 0;
    ck_assert_int_eq(sk_logs_list(st, "2026-12-04T10:30:00.000Z", 0, &v, &n, &err), 0);
    ck_assert_uint_eq(n, 1);
    ck_assert_str_eq(v[0].id, "b");
    sk_logs_free(v, n);
    ck_assert_int_eq(sk_logs_list(st, NULL, 0, &v, &n, &err), 0);
    ck_assert_uint_eq(n, 2);
    ck_assert_str_eq(v[0].id, "b"); /* newest first */
    ck_assert_str_eq(v[1].id, "a");
    sk_logs_free(v, n);
    /* A failing insert (NULL time breaks NOT NULL) rolls back the new one
     * before it. */
    free(lv.v[1].time);
    lv.v[1].time = NULL;
    free(lv.v[0].id);
    lv.v[0].id = sk_xstrdup("new");
    ck_assert_int_eq(sk_logs_store(st, lv.v, 2, &added, &err), SK_EIO);
    ck_assert_ptr_nonnull(strstr(err, "storing log b"));
    free(err);
    ck_assert_int_eq(sk_store_fx_int(st, "SELECT count(*) FROM logs"), 2);
    sk_log_vec_free(&lv);
    sk_store_close(st);
}
END_TEST

START_TEST(durations)
{
    ck_assert_double_eq(sk_duration_parse("90s"), 90);
    ck_assert_double_eq(sk_duration_parse("15m"), 900);
    ck_assert_double_eq(sk_duration_parse("1h"), 3600);
    ck_assert_double_eq(sk_duration_parse("7d"), 604800);
    ck_assert_double_eq(sk_duration_parse("1"), -1);
    ck_assert_double_eq(sk_duration_parse("1w"), -1);
    ck_assert_double_eq(sk_duration_parse("h"), -1);
}
END_TEST

static Suite *logs_suite(void)
{
    Suite *s = suite_create("online_logs");
    TCase *tc = tcase_create("parse");
    tcase_add_test(tc, times_are_normalised_to_utc_milliseconds);
    tcase_add_test(tc, a_log_row_keeps_every_field);
    tcase_add_test(tc, a_log_without_id_gets_the_same_derived_id_each_time);
    tcase_add_test(tc, bad_log_rows_are_refused_with_their_line);
    tcase_add_test(tc, an_array_of_rows_is_read_and_its_errors_placed);
    tcase_add_test(tc, the_row_limit_is_kept);
    tcase_add_test(tc, otlp_model_call_spans_become_logs);
    tcase_add_test(tc, otlp_errors_name_the_span);
    tcase_add_test(tc, durations);
    suite_add_tcase(s, tc);
    tc = tcase_create("store");
    tcase_add_checked_fixture(tc, sk_store_fx_setup, sk_store_fx_teardown);
    tcase_add_test(tc, storing_counts_duplicates_and_is_all_or_nothing);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return sk_run_suite(logs_suite());
}
