/*
 * Tests for growing datasets (analysis/grow.c, store/dataset_grow.c): the
 * --where parser with its error columns, the content key, and the
 * deduplication of new rows against a version in a real store, with the
 * rows and provenance the new version then holds.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/grow.h"
#include "base/error.h"
#include "run_suite.h"
#include "store_fixture.h"

static void parse_ok(const char *expr, const char *scorer, sk_where_op op, double v)
{
    sk_where w;
    char *err = NULL;
    ck_assert_int_eq(sk_where_parse(expr, &w, &err), SK_OK);
    ck_assert_ptr_null(err);
    ck_assert_str_eq(w.scorer, scorer);
    ck_assert_int_eq(w.op, op);
    ck_assert_double_eq(w.value, v);
    sk_where_free(&w);
}

/* The error names the column (1-based) and what was wanted there. */
static void parse_bad(const char *expr, const char *want)
{
    sk_where w;
    char *err = NULL;
    ck_assert_int_eq(sk_where_parse(expr, &w, &err), SK_EINVAL);
    ck_assert_ptr_null(w.scorer);
    ck_assert_msg(err && strstr(err, want), "\"%s\": %s lacks %s", expr, err, want);
    free(err);
}

START_TEST(where_parses)
{
    parse_ok("accuracy < 0.5", "accuracy", SK_LT, 0.5);
    parse_ok("accuracy<0.5", "accuracy", SK_LT, 0.5);
    parse_ok("  judge:f1 <= 1", "judge:f1", SK_LE, 1.0);
    parse_ok("a.b > -2", "a.b", SK_GT, -2.0);
    parse_ok("x_y >= .25 ", "x_y", SK_GE, 0.25);
    parse_ok("s == 1e-1", "s", SK_EQ, 0.1);
    parse_ok("s-2 != 0", "s-2", SK_NE, 0.0);
}
END_TEST

START_TEST(where_errors_point_at_the_column)
{
    parse_bad("", "at column 1: expected a scorer name");
    parse_bad("< 0.5", "at column 1: expected a scorer name");
    parse_bad("acc 0.5", "at column 5: expected a comparison (< <= > >= == !=)");
    parse_bad("acc", "at column 4: expected a comparison after the scorer name");
    parse_bad("acc << 0.5", "at column 6: expected a number");
    parse_bad("acc = 0.5", "at column 5: expected a comparison");
    parse_bad("acc < x", "at column 7: expected a number");
    parse_bad("acc < 0.5 and", "at column 11: unexpected text after the number");
    parse_bad("acc < nan", "at column 7: expected a number");
    parse_bad("acc < inf", "at column 7: expected a number");
}
END_TEST

START_TEST(where_tests)
{
    sk_where w = {NULL, SK_LT, 0.5};
    ck_assert(sk_where_test(&w, 0.4));
    ck_assert(!sk_where_test(&w, 0.5));
    w.op = SK_LE;
    ck_assert(sk_where_test(&w, 0.5));
    w.op = SK_GT;
    ck_assert(!sk_where_test(&w, 0.5));
    ck_assert(sk_where_test(&w, 0.6));
    w.op = SK_GE;
    ck_assert(sk_where_test(&w, 0.5));
    w.op = SK_EQ;
    ck_assert(sk_where_test(&w, 0.5));
    ck_assert(!sk_where_test(&w, 0.51));
    w.op = SK_NE;
    ck_assert(sk_where_test(&w, 0.51));
}
END_TEST

static char *key(const char *input, const char *expected)
{
    sk_buf b = {0};
    sk_content_key(input, expected, &b);
    return b.data;
}

static int same(const char *i1, const char *e1, const char *i2, const char *e2)
{
    char *a = key(i1, e1), *b = key(i2, e2);
    int r = strcmp(a, b) == 0;
    free(a);
    free(b);
    return r;
}

START_TEST(content_key)
{
    char *k = key("{ \"q\" : [1, 2] }", "\"a b\"");
    ck_assert_str_eq(k, "{\"q\":[1,2]}\x01\"a b\"");
    free(k);
    /* Whitespace between tokens does not count; inside strings it does. */
    ck_assert(same("{\"q\": 1}", NULL, "{\n\t\"q\":1 }", NULL));
    ck_assert(!same("\"a b\"", NULL, "\"ab\"", NULL));
    ck_assert(same("\"say \\\" x\"", NULL, "\"say \\\" x\"", NULL));
    ck_assert(!same("\"say \\\" x\"", NULL, "\"say \\\"x\"", NULL));
    /* The expected counts, and cannot run into the input. */
    ck_assert(!same("\"q\"", "\"a\"", "\"q\"", "\"b\""));
    ck_assert(!same("\"q\"", NULL, "\"q\"", "\"a\""));
    ck_assert(!same("[1,", "2]", "[1,2]", NULL));
    /* Key order and number spelling count. */
    ck_assert(!same("{\"a\":1,\"b\":2}", NULL, "{\"b\":2,\"a\":1}", NULL));
    ck_assert(!same("1.0", NULL, "1", NULL));
}
END_TEST

static sk_grow_row row(const char *id, const char *input, const char *expected)
{
    sk_grow_row r = {
        .id = id, .input = input, .expected = expected, .kind = "file", .source = id, .trial = -1};
    return r;
}

START_TEST(dedup_against_a_version)
{
    sk_store *st = sk_store_fx_open();
    char *path =
        sk_store_fx_write("d.jsonl", "{\"id\": \"a\", \"input\": {\"q\": 1}}\n"
                                     "{\"id\": \"b\", \"input\": \"x\", \"expected\": \"y\"}\n");
    char *err = NULL;
    sk_dataset_version v;
    ck_assert_int_eq(sk_dataset_import(st, "d", path, SK_DATASET_AUTO, &v, &err), SK_OK);
    sk_grow_set set = {0};
    sk_grow_row rows[] = {
        row("c", "{ \"q\":1 }", NULL), /* a's content: skipped */
        row("d", "\"x\"", "\"z\""),    /* new */
        row("e", "\"x\"", "\"y\""),    /* b's content: skipped */
        row("f", "\"x\"", "\"z\""),    /* d's content, earlier in the set: skipped */
        row("g", "\"new\"", NULL),     /* new */
    };
    set.rows = sk_xcalloc(5, sizeof *set.rows);
    memcpy(set.rows, rows, sizeof rows);
    set.n = set.cap = 5;
    size_t skipped;
    ck_assert_int_eq(sk_grow_dedup(st, v.id, &set, &skipped, &err), SK_OK);
    ck_assert_uint_eq(skipped, 3);
    ck_assert_uint_eq(set.n, 2);
    ck_assert_str_eq(set.rows[0].id, "d");
    ck_assert_str_eq(set.rows[1].id, "g");
    sk_dataset_version out;
    ck_assert_int_eq(sk_dataset_grow(st, "d", v.id, "test", set.rows, set.n, "n1", &out, &err),
                     SK_OK);
    ck_assert_int_eq(out.version, 2);
    ck_assert_int_eq(out.rows, 4);
    char *ids =
        sk_store_fx_text(st, "SELECT group_concat(row_id, ',') FROM (SELECT row_id FROM "
                             "dataset_rows r JOIN dataset_versions v ON v.id = r.version_id "
                             "WHERE v.version = 2 ORDER BY pos)");
    ck_assert_str_eq(ids, "a,b,d,g");
    free(ids);
    ck_assert_int_eq(sk_store_fx_int(st, "SELECT count(*) FROM dataset_provenance WHERE note = "
                                         "'n1' AND kind = 'file' AND trial IS NULL"),
                     2);
    /* An id the dataset holds with other content is refused. */
    sk_grow_set clash = {0};
    clash.rows = sk_xcalloc(1, sizeof *clash.rows);
    clash.rows[0] = row("a", "\"other\"", NULL);
    clash.n = clash.cap = 1;
    ck_assert_int_eq(sk_grow_dedup(st, out.id, &clash, &skipped, &err), SK_EINVAL);
    sk_store_fx_has(err, "row \"a\" (a) has the id of a row the dataset already holds");
    free(err);
    free(clash.rows);
    free(set.rows);
    free(path);
    sk_dataset_version_clear(&v);
    sk_dataset_version_clear(&out);
    sk_store_close(st);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("grow");
    TCase *tc = tcase_create("where");
    tcase_add_test(tc, where_parses);
    tcase_add_test(tc, where_errors_point_at_the_column);
    tcase_add_test(tc, where_tests);
    tcase_add_test(tc, content_key);
    suite_add_tcase(s, tc);
    TCase *db = tcase_create("store");
    tcase_add_checked_fixture(db, sk_store_fx_setup, sk_store_fx_teardown);
    tcase_add_test(db, dedup_against_a_version);
    suite_add_tcase(s, db);
    return sk_run_suite(s);
}
