/*
 * Tests for queries prepared SK_DB_LARGE (store/db.h): on PostgreSQL their
 * rows come from a cursor, a piece at a time (db_pg.c), and must read as
 * any query's do: every row once and in order across the pieces, several
 * such queries stepped in turn, a transaction committed and rows written
 * while one is open, a reset that starts it again.  On SQLite (the
 * default) the same assertions hold trivially; tests/pg/check.sh runs
 * them on a real PostgreSQL server.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>

#include "base/error.h"
#include "run_suite.h"
#include "store/db.h"
#include "store_fixture.h"

#define N 5000 /* more than two of db_pg.c's pieces */

static sk_store *st;
static sk_db *db;

static void setup(void)
{
    sk_store_fx_setup();
    st = sk_store_fx_open();
    db = sk_store_db(st);
    ck_assert_int_eq(sk_db_exec(db, "CREATE TABLE t (i INTEGER PRIMARY KEY, v TEXT NOT NULL)"),
                     SK_DB_OK);
    ck_assert_int_eq(sk_db_exec(db, "CREATE TABLE u (i INTEGER NOT NULL)"), SK_DB_OK);
    ck_assert_int_eq(sk_db_exec(db, "BEGIN IMMEDIATE"), SK_DB_OK);
    sk_stmt *s;
    ck_assert_int_eq(sk_db_prepare(db, "INSERT INTO t (i, v) VALUES (?, ?)", SK_DB_BATCH, &s),
                     SK_DB_OK);
    for (int i = 1; i <= N; i++) {
        char v[16];
        snprintf(v, sizeof v, "v%d", i);
        sk_db_bind_int(s, 1, i);
        sk_db_bind_text(s, 2, v, -1, SK_DB_TRANSIENT);
        ck_assert_int_eq(sk_db_step(s), SK_DB_DONE);
        sk_db_reset(s);
    }
    sk_db_finalize(s);
    ck_assert_int_eq(sk_db_exec(db, "COMMIT"), SK_DB_OK);
}

static void teardown(void)
{
    sk_store_close(st);
    st = NULL;
    sk_store_fx_teardown();
}

static sk_stmt *large(const char *sql)
{
    sk_stmt *s;
    ck_assert_int_eq(sk_db_prepare(db, sql, SK_DB_LARGE, &s), SK_DB_OK);
    return s;
}

static void next_is(sk_stmt *s, int want)
{
    int rc = sk_db_step(s);
    ck_assert_msg(rc == SK_DB_ROW, "wanted row %d, got %d: %s", want, rc, sk_db_errmsg(db));
    ck_assert_int_eq(sk_db_column_int(s, 0), want);
}

START_TEST(every_row_in_order_side_by_side)
{
    sk_stmt *up = large("SELECT i, v FROM t ORDER BY i");
    sk_stmt *down = large("SELECT i FROM t ORDER BY i DESC");
    for (int i = 1; i <= N; i++) {
        next_is(up, i);
        char v[16];
        snprintf(v, sizeof v, "v%d", i);
        ck_assert_str_eq(sk_db_column_text(up, 1), v);
        next_is(down, N + 1 - i);
    }
    ck_assert_int_eq(sk_db_step(up), SK_DB_DONE);
    ck_assert_int_eq(sk_db_step(down), SK_DB_DONE);
    sk_db_finalize(up);
    sk_db_finalize(down);
}
END_TEST

START_TEST(open_across_writes_and_commits)
{
    sk_stmt *up = large("SELECT i FROM t ORDER BY i");
    sk_stmt *ins;
    ck_assert_int_eq(sk_db_prepare(db, "INSERT INTO u (i) VALUES (?)", SK_DB_BATCH, &ins),
                     SK_DB_OK);
    for (int i = 1; i <= N; i++) {
        next_is(up, i);
        if (i % 1500 == 0) { /* a transaction of batched writes, between two pieces */
            ck_assert_int_eq(sk_db_exec(db, "BEGIN IMMEDIATE"), SK_DB_OK);
            for (int k = 0; k < 10; k++) {
                sk_db_bind_int(ins, 1, i + k);
                ck_assert_int_eq(sk_db_step(ins), SK_DB_DONE);
                sk_db_reset(ins);
            }
            ck_assert_int_eq(sk_db_exec(db, "COMMIT"), SK_DB_OK);
        }
    }
    ck_assert_int_eq(sk_db_step(up), SK_DB_DONE);
    sk_db_finalize(ins);
    sk_db_finalize(up);
    ck_assert_int_eq(sk_store_fx_int(st, "SELECT count(*) FROM u"), 30);
    /* Begun inside a transaction, read on after its COMMIT. */
    ck_assert_int_eq(sk_db_exec(db, "BEGIN IMMEDIATE"), SK_DB_OK);
    up = large("SELECT i FROM t ORDER BY i");
    next_is(up, 1);
    ck_assert_int_eq(sk_db_exec(db, "COMMIT"), SK_DB_OK);
    for (int i = 2; i <= N; i++)
        next_is(up, i);
    ck_assert_int_eq(sk_db_step(up), SK_DB_DONE);
    sk_db_finalize(up);
    /* Begun in a transaction that is rolled back, and let go in the next
     * one: that one still commits. */
    ck_assert_int_eq(sk_db_exec(db, "BEGIN IMMEDIATE"), SK_DB_OK);
    up = large("SELECT i FROM t ORDER BY i");
    next_is(up, 1);
    ck_assert_int_eq(sk_db_exec(db, "ROLLBACK"), SK_DB_OK);
    ck_assert_int_eq(sk_db_exec(db, "BEGIN IMMEDIATE"), SK_DB_OK);
    sk_db_finalize(up);
    ck_assert_int_eq(sk_db_exec(db, "INSERT INTO u (i) VALUES (-1)"), SK_DB_OK);
    ck_assert_int_eq(sk_db_exec(db, "COMMIT"), SK_DB_OK);
    ck_assert_int_eq(sk_store_fx_int(st, "SELECT count(*) FROM u WHERE i = -1"), 1);
}
END_TEST

START_TEST(reset_and_parameters)
{
    sk_stmt *s = large("SELECT i FROM t WHERE i > ? ORDER BY i");
    sk_db_bind_int(s, 1, 0);
    for (int i = 1; i <= 2500; i++)
        next_is(s, i);
    sk_db_reset(s); /* mid-way: starts again, with a new parameter */
    sk_db_bind_int(s, 1, N - 3);
    for (int i = N - 2; i <= N; i++)
        next_is(s, i);
    ck_assert_int_eq(sk_db_step(s), SK_DB_DONE);
    sk_db_reset(s);
    sk_db_bind_int(s, 1, N);
    ck_assert_int_eq(sk_db_step(s), SK_DB_DONE);
    sk_db_finalize(s);
    /* A query that fails says so (SQLite when it is prepared, PostgreSQL
     * at its first step). */
    s = NULL;
    if (sk_db_prepare(db, "SELECT nosuch FROM t", SK_DB_LARGE, &s) == SK_DB_OK)
        ck_assert_int_eq(sk_db_step(s), SK_DB_ERROR);
    sk_db_finalize(s);
    ck_assert_int_eq(sk_store_fx_int(st, "SELECT count(*) FROM t"), N);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("db_large");
    TCase *tc = tcase_create("large");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, every_row_in_order_side_by_side);
    tcase_add_test(tc, open_across_writes_and_commits);
    tcase_add_test(tc, reset_and_parameters);
    suite_add_tcase(s, tc);
    return sk_run_suite(s);
}
