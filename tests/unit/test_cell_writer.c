/*
 * Tests for the thread that records a run's cells (run/cell_writer.c):
 * every cell handed over is written once, in batches, and counted; a
 * store error stops the writing, is returned by every later call, and
 * the cells handed over after it are freed unwritten; an idle writer
 * still renews the run's lease.  The store is a real SQLite file.
 */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/error.h"
#include "base/util.h"
#include "run/cell_writer.h"
#include "run_suite.h"
#include "store/dataset.h"
#include "store/experiment.h"
#include "store_fixture.h"

static sk_store *st;

static void setup(void)
{
    sk_store_fx_setup();
    st = sk_store_fx_open();
}

static void teardown(void)
{
    sk_store_close(st);
    st = NULL;
    sk_store_fx_teardown();
}

/* n cells r<first>… ; every seventh a task error, the others scored. */
static sk_cell **cells(size_t first, size_t n)
{
    sk_cell **c = sk_xcalloc(n, sizeof *c);
    for (size_t i = 0; i < n; i++) {
        sk_cell *x = c[i] = sk_xcalloc(1, sizeof *x);
        x->row_id = sk_asprintf("r%05zu", first + i);
        x->pos = (int64_t)(first + i);
        if ((first + i) % 7 == 0) {
            x->task_error = sk_xstrdup("boom");
            x->overall = NAN;
            x->pass = SK_ROW_NO_VERDICT;
            continue;
        }
        x->output_json = sk_xstrdup("\"out\"");
        x->overall = 0.5;
        x->pass = SK_ROW_PASS;
        x->nscores = 1;
        x->scores = sk_xcalloc(1, sizeof *x->scores);
        x->scores[0].scorer = "A";
        x->scores[0].kind = SK_VERDICT_SCORE;
        x->scores[0].score = 0.5;
    }
    return c;
}

START_TEST(every_cell_once)
{
    sk_store_fx_experiment(st, "e1");
    sk_cell_writer *w;
    char *err = NULL;
    ck_assert_int_eq(sk_cell_writer_start(&w, st, "e1", &err), SK_OK);
    /* More than two transactions' worth, handed over unevenly. */
    size_t sizes[] = {1, 700, 0, 299, 513};
    size_t at = 0;
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        ck_assert_int_eq(sk_cell_writer_put(w, cells(at, sizes[i]), sizes[i], &err), SK_OK);
        at += sizes[i];
    }
    size_t written, task_errors;
    ck_assert_int_eq(sk_cell_writer_finish(w, &written, &task_errors, &err), SK_OK);
    ck_assert_uint_eq(written, at);
    ck_assert_uint_eq(task_errors, (at + 6) / 7);
    ck_assert_int_eq(sk_store_fx_int(st, "SELECT count(*) FROM cells WHERE experiment_id = 'e1'"),
                     (long long)at);
    ck_assert_int_eq(
        sk_store_fx_int(st, "SELECT count(DISTINCT row_id) FROM cells WHERE experiment_id = 'e1'"),
        (long long)at);
    ck_assert_int_eq(sk_store_fx_int(st, "SELECT count(*) FROM cells WHERE task_error IS NOT NULL"),
                     (long long)task_errors);
    ck_assert_int_eq(sk_store_fx_int(st, "SELECT count(*) FROM scores"),
                     (long long)(at - task_errors));
}
END_TEST

/* The key's error: SQLite's, or the check PostgreSQL runs per statement
 * (schema 18). */
static void key_error(const char *err)
{
    ck_assert_msg(err && (strstr(err, "FOREIGN KEY") || strstr(err, "names experiment \"nosuch\"")),
                  "not the key's error: %s", err ? err : "(none)");
}

/* Cells of an experiment the store does not have: the first batch fails
 * (its key), and so does everything after it. */
START_TEST(an_error_stops_the_writing)
{
    sk_store_fx_experiment(st, "e1");
    sk_cell_writer *w;
    char *err = NULL;
    ck_assert_int_eq(sk_cell_writer_start(&w, st, "nosuch", &err), SK_OK);
    sk_cell_writer_put(w, cells(0, 10), 10, &err);
    free(err);
    err = NULL;
    /* The error is the writer's to find: wait for it (bounded). */
    int rc = SK_OK;
    for (int i = 0; i < 1000 && (rc = sk_cell_writer_error(w, &err)) == SK_OK; i++)
        usleep(10000);
    ck_assert_int_ne(rc, SK_OK);
    key_error(err);
    free(err);
    err = NULL;
    ck_assert_int_ne(sk_cell_writer_put(w, cells(10, 600), 600, &err), SK_OK);
    key_error(err);
    free(err);
    err = NULL;
    size_t written, task_errors;
    ck_assert_int_ne(sk_cell_writer_finish(w, &written, &task_errors, &err), SK_OK);
    key_error(err);
    free(err);
    ck_assert_uint_eq(written, 0);
    ck_assert_uint_eq(task_errors, 0);
    ck_assert_int_eq(sk_store_fx_int(st, "SELECT count(*) FROM cells"), 0);
}
END_TEST

/* A writer with nothing to write still says the run is alive. */
START_TEST(an_idle_writer_renews_the_lease)
{
    sk_store_fx_experiment(st, "e1");
    sk_store *other = sk_store_fx_open();
    char *err = NULL;
    ck_assert_int_eq(sk_db_exec(sk_store_db(other),
                                "UPDATE experiments SET lease_heartbeat = 1 WHERE id = 'e1'"),
                     SK_DB_OK);
    sk_cell_writer *w;
    ck_assert_int_eq(sk_cell_writer_start(&w, st, "e1", &err), SK_OK);
    long long beat = 1;
    for (int i = 0; i < 200 && beat == 1; i++) {
        usleep(50000);
        beat = sk_store_fx_int(other, "SELECT lease_heartbeat FROM experiments WHERE id = 'e1'");
    }
    size_t written, task_errors;
    ck_assert_int_eq(sk_cell_writer_finish(w, &written, &task_errors, &err), SK_OK);
    ck_assert_int_gt(beat, 1);
    ck_assert_uint_eq(written, 0);
    sk_store_close(other);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("cell_writer");
    TCase *tc = tcase_create("writer");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, every_cell_once);
    tcase_add_test(tc, an_error_stops_the_writing);
    tcase_add_test(tc, an_idle_writer_renews_the_lease);
    suite_add_tcase(s, tc);
    return sk_run_suite(s);
}
