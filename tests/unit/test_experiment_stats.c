/*
 * Tests for an experiment's figures (experiment_stats.c) and for the
 * `stored` task provider (task_stored.c), which both read the cells an
 * experiment recorded.  Each test writes a small experiment into a real
 * store with sk_experiment_write_cells, then checks the figures against
 * values computed by hand, or the outputs the provider hands back.
 */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/dataset.h"
#include "base/error.h"
#include "store/experiment.h"
#include "run/run.h"
#include "store/experiment_read.h"
#include "store/experiment_stats.h"
#include "run_suite.h"
#include "store_fixture.h"
#include "task/task.h"
#include "base/util.h"

#define EPS 1e-12

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

/* Two scorers: A passes at 0.6, B has no threshold. */
static sk_pack_entry entries[] = {
    {.name = "A", .has_threshold = 1, .threshold = 0.6, .weight = 1},
    {.name = "B", .weight = 1},
};
static const sk_pack pack = {.name = "p", .n = 2, .entries = entries};

/* Record experiment `id` on a new dataset of the given rows. */
static void new_experiment(const char *id, const char *rows_jsonl, int trials)
{
    char *path = sk_store_fx_write("rows.jsonl", rows_jsonl);
    sk_dataset_version dv;
    char *err = NULL;
    ck_assert_int_eq(sk_dataset_import(st, "d", path, SK_DATASET_JSONL, &dv, &err), SK_OK);
    sk_experiment e = {0};
    e.id = (char *)id;
    e.name = "t";
    e.created_at = "2024-01-01T00:00:00Z";
    e.scorekit_version = "test";
    e.dataset_version_id = dv.id;
    e.dataset_ref = "d@1";
    e.trials = trials;
    e.pack_hash = "0";
    e.config_json = "{}";
    ck_assert_int_eq(sk_run_create_experiment(st, &e, &pack, &err), SK_OK);
    sk_dataset_version_clear(&dv);
    free(path);
}

/* One cell as a test writes it: a verdict per scorer ('s' score, 'k'
 * skipped, 'e' error), or a task error and no verdicts. */
typedef struct spec {
    const char *row;
    unsigned trial;
    const char *output, *task_error;
    double latency_ms;
    char kind[2];
    double score[2];
} spec;

static void write_cells(const char *exp_id, const spec *specs, size_t n)
{
    sk_cell **cells = sk_xcalloc(n, sizeof *cells);
    for (size_t i = 0; i < n; i++) {
        const spec *sp = &specs[i];
        sk_cell *c = cells[i] = sk_xcalloc(1, sizeof *c);
        c->row_id = sk_xstrdup(sp->row);
        c->trial = sp->trial;
        c->pos = (int64_t)i;
        c->latency_ms = sp->latency_ms;
        c->overall = NAN;
        if (sp->task_error) {
            c->task_error = sk_xstrdup(sp->task_error);
            continue;
        }
        c->output_json = sk_xstrdup(sp->output ? sp->output : "\"out\"");
        c->nscores = 2;
        c->scores = sk_xcalloc(2, sizeof *c->scores);
        for (int k = 0; k < 2; k++) {
            struct sk_cell_score *s = &c->scores[k];
            s->scorer = entries[k].name;
            s->kind = sp->kind[k] == 's'   ? SK_VERDICT_SCORE
                      : sp->kind[k] == 'k' ? SK_VERDICT_SKIP
                                           : SK_VERDICT_ERROR;
            s->score = sp->score[k];
            if (sp->kind[k] != 's')
                s->message = sk_xstrdup(sp->kind[k] == 'k' ? "not applicable" : "boom");
        }
    }
    char *err = NULL;
    ck_assert_int_eq(sk_experiment_write_cells(st, exp_id, cells, n, &err), SK_OK);
    for (size_t i = 0; i < n; i++)
        sk_cell_free(cells[i]);
    free(cells);
}

static const char two_rows[] = "{\"id\": \"r1\", \"input\": \"a\"}\n"
                               "{\"id\": \"r2\", \"input\": \"b\"}\n";

/* Two rows x three trials, with a skipped and an error verdict in r2.
 *
 *   A (threshold 0.6)          B (none)
 *   r1: 0.2 0.4 0.9            r1: 0.0 0.5 1.0
 *   r2: 1.0 skip err           r2: 0.3 0.6 0.9
 *
 * A: r1 mean 0.5, sample SD sqrt(((-.3)^2 + (-.1)^2 + .4^2) / 2) =
 *    sqrt(0.13); r2 mean 1.0 from one score, so no SD.  Mean over rows
 *    0.75; mean SD sqrt(0.13) (r1 alone); passing: r2 only (0.5 < 0.6).
 * B: r1 mean 0.5, SD 0.5; r2 mean 0.6, SD 0.3.  Mean 0.55, mean SD 0.4.
 */
static const spec two_by_three[] = {
    {"r1", 0, NULL, NULL, 10, {'s', 's'}, {0.2, 0.0}},
    {"r1", 1, NULL, NULL, 20, {'s', 's'}, {0.4, 0.5}},
    {"r1", 2, NULL, NULL, 30, {'s', 's'}, {0.9, 1.0}},
    {"r2", 0, NULL, NULL, 40, {'s', 's'}, {1.0, 0.3}},
    {"r2", 1, NULL, NULL, 50, {'k', 's'}, {0, 0.6}},
    {"r2", 2, NULL, NULL, 60, {'e', 's'}, {0, 0.9}},
};

START_TEST(means_and_sds_over_trials)
{
    new_experiment("exp1", two_rows, 3);
    write_cells("exp1", two_by_three, 6);
    sk_exp_stats s;
    char *err = NULL;
    ck_assert_int_eq(sk_experiment_stats(st, "exp1", &s, &err), SK_OK);
    ck_assert_uint_eq(s.cells, 6);
    ck_assert_uint_eq(s.task_errors, 0);
    ck_assert_double_eq_tol(s.mean_latency_ms, 35.0, EPS);
    ck_assert_uint_eq(s.nscorers, 2);

    const sk_exp_scorer_stats *a = &s.scorers[0], *b = &s.scorers[1];
    ck_assert_str_eq(a->name, "A");
    ck_assert_int_eq(a->has_threshold, 1);
    ck_assert_double_eq_tol(a->threshold, 0.6, EPS);
    ck_assert_uint_eq(a->rows, 2);
    ck_assert_double_eq_tol(a->mean, 0.75, EPS);
    ck_assert_double_eq_tol(a->mean_sd, sqrt(0.13), EPS);
    ck_assert_uint_eq(a->rows_passing, 1);
    ck_assert_uint_eq(a->scored, 4);
    ck_assert_uint_eq(a->skipped, 1);
    ck_assert_uint_eq(a->errors, 1);

    ck_assert_str_eq(b->name, "B");
    ck_assert_int_eq(b->has_threshold, 0);
    ck_assert_uint_eq(b->rows, 2);
    ck_assert_double_eq_tol(b->mean, 0.55, EPS);
    ck_assert_double_eq_tol(b->mean_sd, 0.4, EPS);
    ck_assert_uint_eq(b->rows_passing, 0);
    ck_assert_uint_eq(b->scored, 6);
    ck_assert_uint_eq(b->skipped, 0);
    ck_assert_uint_eq(b->errors, 0);
    /* Cells by verdict: r1's 0.2 and 0.4 fail A; r1's 0.9, r2's 1.0 and
     * r2's skip of A (B scored) pass; r2's error on A is no verdict. */
    ck_assert_uint_eq(s.passed, 3);
    ck_assert_uint_eq(s.failed, 2);
    ck_assert_uint_eq(s.no_verdict_errors, 1);
    ck_assert_uint_eq(s.no_verdict_no_score, 0);
    sk_exp_stats_clear(&s);
}
END_TEST

/* The summary's verdict counts follow the row verdict (rowscore.h): a task
 * error, or an error of a scorer without a threshold, is no verdict; so is
 * a cell every scorer skipped.  None of them is a pass. */
START_TEST(verdict_counts)
{
    new_experiment("v",
                   "{\"id\": \"r1\", \"input\": \"a\"}\n{\"id\": \"r2\", \"input\": \"b\"}\n"
                   "{\"id\": \"r3\", \"input\": \"c\"}\n{\"id\": \"r4\", \"input\": \"d\"}\n"
                   "{\"id\": \"r5\", \"input\": \"e\"}\n",
                   1);
    const spec cells[] = {{"r1", 0, NULL, NULL, 1, {'s', 's'}, {0.9, 0.1}},
                          {"r2", 0, NULL, NULL, 1, {'s', 's'}, {0.1, 1.0}},
                          {"r3", 0, NULL, "exit status 1", 1, {0, 0}, {0, 0}},
                          {"r4", 0, NULL, NULL, 1, {'k', 'k'}, {0, 0}},
                          {"r5", 0, NULL, NULL, 1, {'s', 'e'}, {0.9, 0}}};
    write_cells("v", cells, 5);
    sk_exp_stats s;
    char *err = NULL;
    ck_assert_int_eq(sk_experiment_stats(st, "v", &s, &err), SK_OK);
    ck_assert_uint_eq(s.passed, 1);              /* r1 */
    ck_assert_uint_eq(s.failed, 1);              /* r2 */
    ck_assert_uint_eq(s.no_verdict_errors, 2);   /* r3 (task), r5 (B, no threshold) */
    ck_assert_uint_eq(s.no_verdict_no_score, 1); /* r4 */
    sk_exp_stats_clear(&s);
}
END_TEST

/* A row whose every trial failed has no scores: it counts as task errors
 * and cells, never as a row of 0s. */
/* Scores are stored inside their cell as JSON: every digit comes back
 * through the scores view, and so do messages. */
START_TEST(scores_read_back_exactly)
{
    new_experiment("e1", two_rows, 1);
    const double third = 1.0 / 3.0, tiny = 0.1 + 0.2;
    const spec one[] = {{"r1", 0, NULL, NULL, 1, {'s', 's'}, {third, tiny}},
                        {"r2", 0, NULL, NULL, 1, {'e', 'k'}, {0, 0}}};
    write_cells("e1", one, 2);
    sk_stmt *q;
    ck_assert_int_eq(sk_db_prepare(sk_store_db(st),
                                   "SELECT scorer, kind, score, message FROM scores WHERE "
                                   "experiment_id = 'e1' ORDER BY row_id, scorer",
                                   0, &q),
                     SK_DB_OK);
    ck_assert_int_eq(sk_db_step(q), SK_DB_ROW);
    ck_assert_str_eq(sk_db_column_text(q, 0), "A");
    ck_assert(sk_db_column_double(q, 2) == third);
    ck_assert_int_eq(sk_db_step(q), SK_DB_ROW);
    ck_assert(sk_db_column_double(q, 2) == tiny);
    ck_assert_int_eq(sk_db_step(q), SK_DB_ROW);
    ck_assert_str_eq(sk_db_column_text(q, 1), "error");
    ck_assert_int_eq(sk_db_column_type(q, 2), SK_DB_NULL);
    ck_assert_str_eq(sk_db_column_text(q, 3), "boom");
    ck_assert_int_eq(sk_db_step(q), SK_DB_ROW);
    ck_assert_str_eq(sk_db_column_text(q, 1), "skipped");
    ck_assert_str_eq(sk_db_column_text(q, 3), "not applicable");
    ck_assert_int_eq(sk_db_step(q), SK_DB_DONE);
    sk_db_finalize(q);
}
END_TEST

START_TEST(task_errors_are_not_zeros)
{
    static const char rows[] = "{\"id\": \"r1\", \"input\": \"a\"}\n"
                               "{\"id\": \"r2\", \"input\": \"b\"}\n"
                               "{\"id\": \"r3\", \"input\": \"c\"}\n";
    static const spec cells[] = {
        {"r1", 0, NULL, NULL, 1, {'s', 's'}, {0.25, 1.0}},
        {"r2", 0, NULL, "exit status 1", 2, {0, 0}, {0, 0}},
        {"r3", 0, NULL, NULL, 3, {'e', 'k'}, {0, 0}},
    };
    new_experiment("exp2", rows, 1);
    write_cells("exp2", cells, 3);
    sk_exp_stats s;
    char *err = NULL;
    ck_assert_int_eq(sk_experiment_stats(st, "exp2", &s, &err), SK_OK);
    ck_assert_uint_eq(s.cells, 3);
    ck_assert_uint_eq(s.task_errors, 1);
    ck_assert_double_eq_tol(s.mean_latency_ms, 2.0, EPS);
    ck_assert_uint_eq(s.scorers[0].rows, 1);
    ck_assert_double_eq_tol(s.scorers[0].mean, 0.25, EPS);
    ck_assert(isnan(s.scorers[0].mean_sd)); /* one trial: no spread to show */
    ck_assert_uint_eq(s.scorers[0].errors, 1);
    ck_assert_uint_eq(s.scorers[0].rows_passing, 0);
    ck_assert_uint_eq(s.scorers[1].rows, 1);
    ck_assert_double_eq_tol(s.scorers[1].mean, 1.0, EPS);
    ck_assert_uint_eq(s.scorers[1].skipped, 1);
    sk_exp_stats_clear(&s);
}
END_TEST

START_TEST(no_cells_yet)
{
    new_experiment("exp3", two_rows, 2);
    sk_exp_stats s;
    char *err = NULL;
    ck_assert_int_eq(sk_experiment_stats(st, "exp3", &s, &err), SK_OK);
    ck_assert_uint_eq(s.cells, 0);
    ck_assert(isnan(s.mean_latency_ms));
    ck_assert_uint_eq(s.nscorers, 2);
    ck_assert_uint_eq(s.scorers[0].rows, 0);
    ck_assert(isnan(s.scorers[0].mean));
    ck_assert(isnan(s.scorers[0].mean_sd));
    sk_exp_stats_clear(&s);
}
END_TEST

/* ---- the stored task provider ------------------------------------------ */

static void *open_stored(const char *exp_id, char **err)
{
    cJSON *cfg = cJSON_CreateObject();
    cJSON_AddStringToObject(cfg, "provider", "stored");
    cJSON_AddStringToObject(cfg, "experiment", exp_id);
    ck_assert_ptr_eq(sk_task_find(cfg, err), &sk_task_stored);
    void *state = NULL;
    int rc = sk_task_stored.open(cfg, sk_store_fx_dir, NULL, &state, err);
    cJSON_Delete(cfg);
    return rc == SK_OK ? state : NULL;
}

/* Run the provider on row `id`, trial; returns output or error text
 * (caller frees), *failed whether it was a task error. */
static char *run_stored(void *state, const char *row_json, unsigned trial, int *failed,
                        double *latency)
{
    sk_task_result r = {0};
    sk_task_result_reset(&r);
    ck_assert_int_eq(sk_task_stored.run(state, row_json, trial, &r), 0);
    *failed = r.failed;
    *latency = r.latency_ms;
    char *text = sk_xstrdup(r.failed ? r.error.data : r.output.data);
    sk_task_result_free(&r);
    return text;
}

START_TEST(stored_hands_back_outputs_and_errors)
{
    static const char rows[] = "{\"id\": \"r\\\"1\", \"input\": \"a\"}\n"
                               "{\"id\": \"r2\", \"input\": \"b\"}\n";
    static const spec cells[] = {
        {"r\"1", 0, "{\"n\": 12345678901234567890}", NULL, 7.5, {'s', 's'}, {1, 1}},
        {"r\"1", 1, "\"second\"", NULL, 8, {'s', 's'}, {1, 1}},
        {"r2", 0, NULL, "exit status 2: boom", 9, {0, 0}, {0, 0}},
    };
    new_experiment("0123456789abc", rows, 2);
    write_cells("0123456789abc", cells, 3);
    char *err = NULL;
    void *state = open_stored("01234", &err); /* a prefix will do */
    ck_assert_msg(state != NULL, "%s", err ? err : "");

    int failed;
    double lat;
    char *t = run_stored(state, "{\"id\": \"r\\\"1\", \"input\": \"a\"}", 0, &failed, &lat);
    ck_assert_int_eq(failed, 0);
    ck_assert_str_eq(t, "{\"n\": 12345678901234567890}"); /* verbatim */
    ck_assert_double_eq_tol(lat, 7.5, EPS);
    free(t);
    t = run_stored(state, "{\"id\": \"r\\\"1\", \"input\": \"a\"}", 1, &failed, &lat);
    ck_assert_int_eq(failed, 0);
    ck_assert_str_eq(t, "\"second\"");
    free(t);
    t = run_stored(state, "{\"id\": \"r2\", \"input\": \"b\"}", 0, &failed, &lat);
    ck_assert_int_eq(failed, 1);
    ck_assert_str_eq(t, "exit status 2: boom"); /* the same message */
    free(t);
    /* The experiment never reached this cell. */
    t = run_stored(state, "{\"id\": \"r2\", \"input\": \"b\"}", 1, &failed, &lat);
    ck_assert_int_eq(failed, 1);
    sk_store_fx_has(t, "experiment 0123456789abc has no output for row \"r2\" trial 1");
    sk_store_fx_has(t, "scorekit run --resume 0123456789abc");
    free(t);
    sk_task_stored.close(state);
}
END_TEST

START_TEST(stored_config_errors)
{
    char *err = NULL;
    ck_assert_ptr_null(open_stored("nope", &err));
    sk_store_fx_has(err, "no experiment \"nope\"");

    void *state = NULL;
    cJSON *cfg = cJSON_Parse("{\"provider\": \"stored\"}");
    ck_assert_int_eq(sk_task_stored.open(cfg, sk_store_fx_dir, NULL, &state, &err), SK_EINVAL);
    sk_store_fx_has(err, "needs \"experiment\"");
    cJSON_Delete(cfg);
    cfg = cJSON_Parse("{\"provider\": \"stored\", \"experiment\": \"x\", \"field\": \"o\"}");
    ck_assert_int_eq(sk_task_stored.open(cfg, sk_store_fx_dir, NULL, &state, &err), SK_EINVAL);
    sk_store_fx_has(err, "unknown key \"field\"");
    cJSON_Delete(cfg);
    ck_assert_ptr_null(state);
    free(err);
}
END_TEST

/* Every figure of a and b, bit for bit (NAN equal to NAN). */
static void same_figures(const sk_exp_stats *a, const sk_exp_stats *b)
{
    ck_assert_uint_eq(a->cells, b->cells);
    ck_assert_uint_eq(a->task_errors, b->task_errors);
    ck_assert_uint_eq(a->passed, b->passed);
    ck_assert_uint_eq(a->failed, b->failed);
    ck_assert_uint_eq(a->no_verdict_errors, b->no_verdict_errors);
    ck_assert_uint_eq(a->no_verdict_no_score, b->no_verdict_no_score);
    ck_assert_int_eq(memcmp(&a->mean_latency_ms, &b->mean_latency_ms, sizeof(double)), 0);
    ck_assert_uint_eq(a->nscorers, b->nscorers);
    for (size_t i = 0; i < a->nscorers; i++) {
        const sk_exp_scorer_stats *x = &a->scorers[i], *y = &b->scorers[i];
        ck_assert_str_eq(x->name, y->name);
        ck_assert_int_eq(x->has_threshold, y->has_threshold);
        ck_assert_uint_eq(x->rows, y->rows);
        ck_assert_int_eq(isnan(x->mean), isnan(y->mean));
        if (!isnan(x->mean))
            ck_assert_int_eq(memcmp(&x->mean, &y->mean, sizeof(double)), 0);
        ck_assert_int_eq(isnan(x->mean_sd), isnan(y->mean_sd));
        if (!isnan(x->mean_sd))
            ck_assert_int_eq(memcmp(&x->mean_sd, &y->mean_sd, sizeof(double)), 0);
        ck_assert_uint_eq(x->rows_passing, y->rows_passing);
        ck_assert_uint_eq(x->scored, y->scored);
        ck_assert_uint_eq(x->skipped, y->skipped);
        ck_assert_uint_eq(x->errors, y->errors);
    }
}

static int count_error(void *ud, const sk_experiment_error *e)
{
    (void)e;
    ++*(int *)ud;
    return 0;
}

/* The end of a run stores the experiment's figures; they read back bit for
 * bit, are what listing reads (a changed stored figure shows), and writing
 * more cells (a resume) drops them until its run ends again. */
START_TEST(summary_stored_when_the_run_ends)
{
    new_experiment("s1", two_rows, 3);
    write_cells("s1", two_by_three, 5);
    sk_exp_stats live, stored;
    char *err = NULL;
    /* Running: computed, not stored. */
    ck_assert_int_eq(sk_experiment_stats(st, "s1", &live, &err), SK_OK);
    ck_assert_int_eq(sk_store_fx_int(st, "SELECT summary_cells IS NULL FROM experiments"), 1);
    sk_exp_stats_clear(&live);

    write_cells("s1", two_by_three + 5, 1);
    ck_assert_int_eq(sk_experiment_lease_release(st, "s1", "done", &err), SK_OK);
    ck_assert_int_eq(sk_store_fx_int(st, "SELECT summary_cells FROM experiments"), 6);
    ck_assert_int_eq(sk_store_fx_int(st, "SELECT summary_passed FROM experiments"), 3);
    ck_assert_int_eq(sk_store_fx_int(st, "SELECT summary_scored FROM experiment_scorers WHERE "
                                         "name = 'B'"),
                     6);
    /* Its errors are listed; with a summary that counts none, nothing is
     * read. */
    int nerr = 0;
    ck_assert_int_eq(sk_experiment_each_error(st, "s1", count_error, &nerr, &err), SK_OK);
    ck_assert_int_eq(nerr, 1);
    ck_assert_int_eq(sk_store_fx_int(st, "SELECT summary_score_errors FROM experiments"), 1);
    ck_assert_int_eq(
        sk_store_exec(st, "UPDATE experiments SET summary_score_errors = 0", "tampering", &err),
        SK_OK);
    nerr = 0;
    ck_assert_int_eq(sk_experiment_each_error(st, "s1", count_error, &nerr, &err), SK_OK);
    ck_assert_int_eq(nerr, 0);
    ck_assert_int_eq(
        sk_store_exec(st, "UPDATE experiments SET summary_score_errors = 1", "restoring", &err),
        SK_OK);

    ck_assert_int_eq(sk_experiment_stats(st, "s1", &stored, &err), SK_OK);
    /* The same figures computed from the cells. */
    ck_assert_int_eq(
        sk_store_exec(st, "UPDATE experiments SET summary_cells = NULL", "dropping", &err), SK_OK);
    ck_assert_int_eq(sk_store_exec(st, "UPDATE experiments SET status = 'running'", "hiding", &err),
                     SK_OK);
    ck_assert_int_eq(sk_experiment_stats(st, "s1", &live, &err), SK_OK);
    same_figures(&stored, &live);
    ck_assert_double_eq_tol(stored.scorers[0].mean_sd, sqrt(0.13), EPS);
    sk_exp_stats_clear(&stored);
    sk_exp_stats_clear(&live);

    /* Stored figures are read, not recomputed. */
    ck_assert_int_eq(sk_store_exec(st,
                                   "UPDATE experiments SET status = 'done', summary_cells = "
                                   "6, summary_passed = 99",
                                   "tampering", &err),
                     SK_OK);
    ck_assert_int_eq(sk_experiment_stats(st, "s1", &stored, &err), SK_OK);
    ck_assert_uint_eq(stored.passed, 99);
    sk_exp_stats_clear(&stored);

    /* New cells drop the summary: the figures count them. */
    const spec more = {"r3", 0, NULL, "exit status 1", 70, {0, 0}, {0, 0}};
    write_cells("s1", &more, 1);
    ck_assert_int_eq(sk_store_fx_int(st, "SELECT summary_cells IS NULL FROM experiments"), 1);
    ck_assert_int_eq(
        sk_store_exec(st, "UPDATE experiments SET status = 'running'", "resuming", &err), SK_OK);
    ck_assert_int_eq(sk_experiment_stats(st, "s1", &live, &err), SK_OK);
    ck_assert_uint_eq(live.cells, 7);
    ck_assert_uint_eq(live.passed, 3);
    ck_assert_uint_eq(live.task_errors, 1);
    sk_exp_stats_clear(&live);
}
END_TEST

/* An experiment recorded before summaries were stored (or whose run was
 * killed and then ended) gets its figures computed once and stored, when
 * its run is over; a running one's are computed every time. */
START_TEST(old_experiment_summary_computed_once)
{
    new_experiment("old", two_rows, 3);
    write_cells("old", two_by_three, 6);
    char *err = NULL;
    ck_assert_int_eq(sk_store_exec(st, "UPDATE experiments SET status = 'done'", "finishing", &err),
                     SK_OK);
    ck_assert_int_eq(sk_store_fx_int(st, "SELECT summary_cells IS NULL FROM experiments"), 1);
    sk_exp_stats s;
    ck_assert_int_eq(sk_experiment_stats(st, "old", &s, &err), SK_OK);
    ck_assert_uint_eq(s.cells, 6);
    ck_assert_double_eq_tol(s.scorers[0].mean, 0.75, EPS);
    sk_exp_stats_clear(&s);
    ck_assert_int_eq(sk_store_fx_int(st, "SELECT summary_cells FROM experiments"), 6);
    ck_assert_int_eq(sk_store_fx_int(st, "SELECT summary_errors FROM experiment_scorers WHERE "
                                         "name = 'A'"),
                     1);
}
END_TEST

/* Export walks cells in dataset order, then trial, then the pack's
 * order of scorers: through the dataset when every cell sits at its row's
 * position (as a run writes them), and by sorting when one does not. */
typedef struct order_log {
    sk_buf b;
} order_log;

static int log_export(void *ud, const sk_cell_score_row *r)
{
    order_log *o = ud;
    sk_buf_printf(&o->b, "%s/%d/%s/%s ", r->row_id, r->trial, r->scorer ? r->scorer : "-",
                  r->input_json ? r->input_json : "-");
    return 0;
}

START_TEST(export_in_dataset_order)
{
    new_experiment("x1",
                   "{\"id\": \"z\", \"input\": \"a\"}\n{\"id\": \"m\", \"input\": \"b\"}\n"
                   "{\"id\": \"a\", \"input\": \"c\"}\n",
                   2);
    /* Written out of order; positions as the dataset has them. */
    const spec cells[] = {{"a", 1, NULL, NULL, 1, {'s', 's'}, {1, 1}},
                          {"m", 0, NULL, "boom", 1, {0, 0}, {0, 0}},
                          {"z", 1, NULL, NULL, 1, {'s', 'k'}, {1, 0}},
                          {"a", 0, NULL, NULL, 1, {'s', 's'}, {1, 1}},
                          {"z", 0, NULL, NULL, 1, {'e', 's'}, {0, 1}}};
    write_cells("x1", cells, 5);
    char *err = NULL;
    ck_assert_int_eq(sk_store_exec(st,
                                   "UPDATE cells SET pos = CASE row_id WHEN 'z' THEN 0 WHEN 'm' "
                                   "THEN 1 ELSE 2 END",
                                   "placing", &err),
                     SK_OK);
    sk_experiment e;
    ck_assert_int_eq(sk_experiment_load(st, "x1", &e, &err), SK_OK);
    const char *want = "z/0/A/\"a\" z/0/B/\"a\" z/1/A/\"a\" z/1/B/\"a\" m/0/-/\"b\" "
                       "a/0/A/\"c\" a/0/B/\"c\" a/1/A/\"c\" a/1/B/\"c\" ";
    order_log o = {0};
    ck_assert_int_eq(
        sk_experiment_each_export(st, "x1", e.dataset_version_id, log_export, &o, &err), SK_OK);
    ck_assert_str_eq(o.b.data, want);
    /* A cell away from its row's position: sorted by the cells' own. */
    ck_assert_int_eq(
        sk_store_exec(st, "UPDATE cells SET pos = 5 WHERE row_id = 'z'", "moving", &err), SK_OK);
    sk_buf_reset(&o.b);
    ck_assert_int_eq(
        sk_experiment_each_export(st, "x1", e.dataset_version_id, log_export, &o, &err), SK_OK);
    ck_assert_str_eq(o.b.data, "m/0/-/\"b\" a/0/A/\"c\" a/0/B/\"c\" a/1/A/\"c\" a/1/B/\"c\" "
                               "z/0/A/\"a\" z/0/B/\"a\" z/1/A/\"a\" z/1/B/\"a\" ");
    sk_buf_free(&o.b);
    sk_experiment_clear(&e);
}
END_TEST

/* Export with the pack's order unlike the names' (B listed before A), a
 * scorer the pack does not list (C: first, as its place is NULL), a score
 * of no cell (left out) and a task error, through both walks: row ids in
 * dataset order (read side by side by id) and out of it (by position). */
static void export_pack_order(const char *exp, const char *rows, const char *first,
                              const char *last, const char *want)
{
    new_experiment(exp, rows, 2);
    const spec cells[] = {{last, 1, NULL, NULL, 1, {'s', 's'}, {1, 1}},
                          {"m", 0, NULL, "boom", 1, {0, 0}, {0, 0}},
                          {first, 1, NULL, NULL, 1, {'s', 'k'}, {1, 0}},
                          {last, 0, NULL, NULL, 1, {'s', 's'}, {1, 1}},
                          {first, 0, NULL, NULL, 1, {'e', 's'}, {0, 1}}};
    write_cells(exp, cells, 5);
    char *err = NULL;
    char *sql = sk_asprintf(
        "UPDATE cells SET pos = CASE row_id WHEN '%s' THEN 0 WHEN 'm' THEN 1 ELSE 2 END "
        "WHERE experiment_id = '%s';"
        "UPDATE experiment_scorers SET idx = idx + 10 WHERE experiment_id = '%s';"
        "UPDATE experiment_scorers SET idx = 11 - idx WHERE experiment_id = '%s';"
        "INSERT INTO scores (experiment_id, row_id, trial, scorer, kind, score) VALUES "
        "('%s', '%s', 0, 'C', 'score', 0.5), ('%s', '%s', 7, 'A', 'score', 1);",
        first, exp, exp, exp, exp, first, exp, first);
    ck_assert_msg(sk_store_exec(st, sql, "placing", &err) == SK_OK, "%s", err);
    free(sql);
    sk_experiment e;
    ck_assert_int_eq(sk_experiment_load(st, exp, &e, &err), SK_OK);
    order_log o = {0};
    ck_assert_int_eq(sk_experiment_each_export(st, exp, e.dataset_version_id, log_export, &o, &err),
                     SK_OK);
    ck_assert_str_eq(o.b.data, want);
    sk_buf_free(&o.b);
    sk_experiment_clear(&e);
}

START_TEST(export_in_pack_order)
{
    export_pack_order("y1",
                      "{\"id\": \"a\", \"input\": 1}\n{\"id\": \"m\", \"input\": 2}\n"
                      "{\"id\": \"z\", \"input\": 3}\n",
                      "a", "z",
                      "a/0/C/1 a/0/B/1 a/0/A/1 a/1/B/1 a/1/A/1 m/0/-/2 z/0/B/3 z/0/A/3 z/1/B/3 "
                      "z/1/A/3 ");
    export_pack_order("y2",
                      "{\"id\": \"z\", \"input\": 1}\n{\"id\": \"m\", \"input\": 2}\n"
                      "{\"id\": \"a\", \"input\": 3}\n",
                      "z", "a",
                      "z/0/C/1 z/0/B/1 z/0/A/1 z/1/B/1 z/1/A/1 m/0/-/2 a/0/B/3 a/0/A/3 a/1/B/3 "
                      "a/1/A/3 ");
}
END_TEST

static Suite *stats_suite(void)
{
    Suite *s = suite_create("experiment_stats");
    TCase *tc = tcase_create("stats");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, means_and_sds_over_trials);
    tcase_add_test(tc, verdict_counts);
    tcase_add_test(tc, scores_read_back_exactly);
    tcase_add_test(tc, task_errors_are_not_zeros);
    tcase_add_test(tc, no_cells_yet);
    tcase_add_test(tc, summary_stored_when_the_run_ends);
    tcase_add_test(tc, old_experiment_summary_computed_once);
    tcase_add_test(tc, export_in_dataset_order);
    tcase_add_test(tc, export_in_pack_order);
    suite_add_tcase(s, tc);

    tc = tcase_create("stored task");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, stored_hands_back_outputs_and_errors);
    tcase_add_test(tc, stored_config_errors);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return sk_run_suite(stats_suite());
}
