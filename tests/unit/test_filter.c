/*
 * The filter language of online rules (online/filter.c): what matches,
 * precedence, missing fields, functions, and where a bad filter is wrong.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "online/filter.h"
#include "run_suite.h"

static const char row_json[] =
    "{\"id\": \"l1\", \"input\": \"Please cancel my order\", \"output\": \"Done, café\","
    " \"metadata\": {\"route\": \"refund\", \"user\": {\"plan\": \"pro\"}, \"tags\": [\"a\", "
    "\"b\"]},"
    " \"model\": \"gpt-4o-mini\", \"latency_ms\": 1500, \"cost\": 0.002}";

static int match(const char *expr)
{
    cJSON *row = cJSON_Parse(row_json);
    sk_filter *f = NULL;
    size_t col = 0;
    char *err = NULL;
    ck_assert_msg(sk_filter_parse(expr, &f, &col, &err) == 0, "%s: %s", expr, err);
    int m = sk_filter_match(f, row);
    sk_filter_free(f);
    cJSON_Delete(row);
    return m;
}

/* The column and message of a filter that does not parse. */
static void bad(const char *expr, size_t want_col, const char *want_msg)
{
    sk_filter *f = NULL;
    size_t col = 0;
    char *err = NULL;
    ck_assert_msg(sk_filter_parse(expr, &f, &col, &err) != 0, "%s parsed", expr);
    ck_assert_ptr_null(f);
    ck_assert_msg(col == want_col, "%s: column %zu, want %zu (%s)", expr, col, want_col, err);
    ck_assert_msg(strstr(err, want_msg), "%s: \"%s\" lacks \"%s\"", expr, err, want_msg);
    free(err);
}

START_TEST(matches)
{
    ck_assert(match("metadata.route == \"refund\" and len(output) > 0"));
    ck_assert(!match("metadata.route == 'billing'"));
    ck_assert(match("contains(input, \"cancel\")"));
    ck_assert(!match("contains(input, \"Cancel\")"));
    ck_assert(match("icontains(input, 'CANCEL')"));
    ck_assert(match("startswith(model, 'gpt-') and endswith(model, 'mini')"));
    ck_assert(match("metadata.user.plan == 'pro'"));
    ck_assert(match("contains(metadata.tags, 'b') and not contains(metadata.tags, 'c')"));
    ck_assert(match("latency_ms >= 1500 and latency_ms < 1501 and cost > 0.001"));
    /* len counts characters: "Done, café" is 10. */
    ck_assert(match("len(output) == 10"));
    ck_assert(match("len(metadata.tags) == 2 and len(metadata) == 3"));
    /* Missing fields are null: equal to null, not ordered, not truthy. */
    ck_assert(match("expected == null and metadata.nope == null"));
    ck_assert(!match("metadata.nope > 0"));
    ck_assert(!match("trace_id"));
    ck_assert(match("not trace_id"));
    /* not binds tighter than and, and tighter than or. */
    ck_assert(match("not metadata.route == 'x' and model == 'gpt-4o-mini'"));
    ck_assert(match("model == 'x' or model == 'y' or latency_ms == 1500"));
    ck_assert(!match("model == 'x' and model == 'y' or latency_ms == 1"));
    ck_assert(match("(model == 'x' or latency_ms == 1500) and id == 'l1'"));
    /* Strings order by bytes; a string and a number do not order. */
    ck_assert(match("model > 'gpt'"));
    ck_assert(!match("model > 5"));
    ck_assert(match("model != 5"));
}
END_TEST

START_TEST(errors)
{
    bad("metadata.route = 'refund'", 16, "\"==\" to compare");
    bad("len(output) > 0 && x", 17, "\"and\" (not \"&&\")");
    bad("contains(input)", 1, "contains takes 2 arguments, not 1");
    bad("lower(input) == 'x'", 1, "unknown function lower");
    bad("outptu == 'x'", 1, "unknown field outptu");
    bad("input == 'abc", 10, "a string that is never closed");
    bad("input ==", 9, "the expression ends too early");
    bad("(input == 'a'", 14, "\")\"");
    bad("metadata. == 1", 10, "a key after \".\"");
}
END_TEST

int main(void)
{
    Suite *s = suite_create("filter");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, matches);
    tcase_add_test(tc, errors);
    suite_add_tcase(s, tc);
    return sk_run_suite(s);
}
