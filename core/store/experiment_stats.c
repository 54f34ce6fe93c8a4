/* An experiment's per-scorer figures (see experiment_stats.h). */
#include "store/experiment_stats.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "base/util.h"
#include "base/verdict.h"
#include "store/experiment.h"

void sk_exp_stats_clear(sk_exp_stats *s)
{
    for (size_t i = 0; i < s->nscorers; i++)
        free(s->scorers[i].name);
    free(s->scorers);
    free(s->top_task_error);
    memset(s, 0, sizeof *s);
}

/* One row of one scorer: its trials' scores. */
typedef struct acc {
    double sum, sumsq;
    size_t n;
} acc;

static void close_row(sk_exp_scorer_stats *sc, acc *a, double *sum_means, double *sum_sds,
                      size_t *n_sds)
{
    if (a->n == 0)
        return;
    double mean = a->sum / (double)a->n;
    sc->rows++;
    *sum_means += mean;
    if (sc->has_threshold && mean >= sc->threshold)
        sc->rows_passing++;
    if (a->n >= 2) {
        double var = (a->sumsq - a->sum * mean) / (double)(a->n - 1);
        *sum_sds += sqrt(var > 0 ? var : 0);
        (*n_sds)++;
    }
    memset(a, 0, sizeof *a);
}

static void count_verdict(sk_exp_stats *out, sk_row_verdict *v)
{
    switch (sk_row_verdict_end(v)) {
    case SK_ROW_PASS: out->passed++; break;
    case SK_ROW_FAIL: out->failed++; break;
    default:
        if (v->errors)
            out->no_verdict_errors++;
        else
            out->no_verdict_no_score++;
        break;
    }
}

/* The experiment's scorers in the pack's order, with their stored
 * figures when `stored` (else mean and mean_sd NAN, counts 0). */
static int load_scorers(sk_store *st, const char *exp_id, int stored, sk_exp_stats *out, char **err)
{
    sk_stmt *s = NULL;
    int rc = sk_store_prepare(st, &s,
                              "SELECT name, threshold, summary_rows, summary_mean, "
                              "summary_mean_sd, summary_rows_passing, summary_scored, "
                              "summary_skipped, summary_errors FROM experiment_scorers WHERE "
                              "experiment_id = ? ORDER BY idx",
                              err);
    if (rc)
        return rc;
    sk_db_bind_text(s, 1, exp_id, -1, SK_DB_TRANSIENT);
    size_t cap = 0;
    int step;
    while ((step = sk_db_step(s)) == SK_DB_ROW) {
        out->scorers = sk_xgrow(out->scorers, &cap, out->nscorers + 1, sizeof *out->scorers);
        sk_exp_scorer_stats *sc = &out->scorers[out->nscorers++];
        memset(sc, 0, sizeof *sc);
        sc->name = sk_xstrdup(sk_db_column_text(s, 0));
        sc->has_threshold = sk_db_column_type(s, 1) != SK_DB_NULL;
        sc->threshold = sk_db_column_double(s, 1);
        sc->mean = sc->mean_sd = NAN;
        if (stored) {
            sc->rows = (size_t)sk_db_column_int64(s, 2);
            if (sk_db_column_type(s, 3) != SK_DB_NULL)
                sc->mean = sk_db_column_double(s, 3);
            if (sk_db_column_type(s, 4) != SK_DB_NULL)
                sc->mean_sd = sk_db_column_double(s, 4);
            sc->rows_passing = (size_t)sk_db_column_int64(s, 5);
            sc->scored = (size_t)sk_db_column_int64(s, 6);
            sc->skipped = (size_t)sk_db_column_int64(s, 7);
            sc->errors = (size_t)sk_db_column_int64(s, 8);
        }
    }
    sk_db_finalize(s);
    return step == SK_DB_DONE ? SK_OK : sk_store_error(st, "reading the experiment's scorers", err);
}

/* Where the key (row id, trial) of a score falls against a cell's: the
 * byte order both backends sort TEXT in (SQLite's BINARY, PostgreSQL's
 * COLLATE "C"), then the trial. */
static int key_cmp(const char *r, size_t rn, int t, const sk_buf *cur_row, int cur_trial)
{
    size_t n = rn < cur_row->len ? rn : cur_row->len;
    int c = n ? memcmp(r, cur_row->data, n) : 0;
    if (c == 0)
        c = rn < cur_row->len ? -1 : rn > cur_row->len;
    return c ? c : (t > cur_trial) - (t < cur_trial);
}

/* Everything but the totals of compute() in one pass over the cells and
 * their scores, by row then trial: each scorer's row means (its trials'
 * scores summed in trial order, rows in row-id order) and each cell's
 * verdict from its stored results and the thresholds the experiment
 * recorded (so older experiments are counted by today's rule).  The cells
 * and the scores are read side by side, each in its primary key's order,
 * and merged here: no join, no sort for the database to make. */
static int scan(sk_store *st, const char *exp_id, sk_exp_stats *out, char **err)
{
    sk_stmt *c = NULL, *s = NULL;
    int rc = sk_store_prepare_large(st, &c,
                                    "SELECT row_id, trial, task_error IS NOT NULL FROM cells "
                                    "WHERE experiment_id = ? ORDER BY row_id, trial",
                                    err);
    if (rc == SK_OK)
        rc = sk_store_prepare_large(st, &s,
                                    "SELECT row_id, trial, scorer, kind, score FROM scores WHERE "
                                    "experiment_id = ? ORDER BY row_id, trial",
                                    err);
    if (rc) {
        sk_db_finalize(c);
        return rc;
    }
    sk_db_bind_text(c, 1, exp_id, -1, SK_DB_TRANSIENT);
    sk_db_bind_text(s, 1, exp_id, -1, SK_DB_TRANSIENT);
    size_t n = out->nscorers ? out->nscorers : 1;
    acc *a = sk_xcalloc(n, sizeof *a);
    double *sum_means = sk_xcalloc(n, sizeof *sum_means), *sum_sds = sk_xcalloc(n, sizeof *sum_sds);
    size_t *n_sds = sk_xcalloc(n, sizeof *n_sds);
    sk_row_verdict v = {0};
    sk_buf cur = {0};
    int have = 0, cur_trial = -1;
    size_t last = 0; /* the scorer found last: scores come in the pack's order */
    int cstep = sk_db_step(c), sstep = sk_db_step(s);
    for (; cstep == SK_DB_ROW; cstep = sk_db_step(c)) {
        const char *row = sk_db_column_text(c, 0);
        size_t row_len = (size_t)sk_db_column_bytes(c, 0);
        int trial = sk_db_column_int(c, 1);
        int new_row = !have || row_len != cur.len || memcmp(cur.data, row, row_len) != 0;
        if (have)
            count_verdict(out, &v);
        if (new_row) {
            for (size_t k = 0; k < out->nscorers; k++)
                close_row(&out->scorers[k], &a[k], &sum_means[k], &sum_sds[k], &n_sds[k]);
            sk_buf_reset(&cur);
            sk_buf_add(&cur, row, row_len);
        }
        have = 1;
        cur_trial = trial;
        sk_row_verdict_begin(&v);
        if (sk_db_column_int(c, 2))
            sk_row_verdict_task_error(&v, NULL);
        /* This cell's scores; one whose cell is missing (none a run
         * writes) is passed over, as the join left it out. */
        for (; sstep == SK_DB_ROW; sstep = sk_db_step(s)) {
            int cmp = key_cmp(sk_db_column_text(s, 0), (size_t)sk_db_column_bytes(s, 0),
                              sk_db_column_int(s, 1), &cur, cur_trial);
            if (cmp > 0)
                break;
            if (cmp < 0)
                continue;
            const char *scorer = sk_db_column_text(s, 2);
            size_t k = out->nscorers;
            for (size_t i = 0; i < out->nscorers && k == out->nscorers; i++) {
                size_t j = (last + i) % out->nscorers;
                if (strcmp(out->scorers[j].name, scorer) == 0)
                    k = last = j;
            }
            sk_exp_scorer_stats *sc = k < out->nscorers ? &out->scorers[k] : NULL;
            sk_verdict vk = sk_verdict_from_name(sk_db_column_text(s, 3));
            out->score_errors += vk == SK_VERDICT_ERROR;
            double score = sk_db_column_double(s, 4);
            sk_row_verdict_add(&v, scorer, vk, score, sc && sc->has_threshold,
                               sc ? sc->threshold : 0, NULL);
            if (!sc)
                continue;
            if (vk == SK_VERDICT_SCORE) {
                a[k].sum += score;
                a[k].sumsq += score * score;
                a[k].n++;
                sc->scored++;
            } else if (vk == SK_VERDICT_SKIP)
                sc->skipped++;
            else
                sc->errors++;
        }
    }
    if (have)
        count_verdict(out, &v);
    for (size_t k = 0; k < out->nscorers; k++) {
        sk_exp_scorer_stats *sc = &out->scorers[k];
        close_row(sc, &a[k], &sum_means[k], &sum_sds[k], &n_sds[k]);
        if (sc->rows)
            sc->mean = sum_means[k] / (double)sc->rows;
        if (n_sds[k])
            sc->mean_sd = sum_sds[k] / (double)n_sds[k];
    }
    sk_buf_free(&cur);
    sk_row_verdict_free(&v);
    free(a);
    free(sum_means);
    free(sum_sds);
    free(n_sds);
    int ok = cstep == SK_DB_DONE && (sstep == SK_DB_DONE || sstep == SK_DB_ROW);
    rc = ok ? SK_OK : sk_store_error(st, "reading the cells' results", err);
    sk_db_finalize(c);
    sk_db_finalize(s);
    return rc;
}

/* The figures from the cells; out->scorers is loaded, without figures. */
static int compute(sk_store *st, const char *exp_id, sk_exp_stats *out, char **err)
{
    sk_stmt *s = NULL;
    int rc = sk_store_prepare(st, &s,
                              "SELECT count(*), count(task_error), avg(latency_ms) FROM cells "
                              "WHERE experiment_id = ?",
                              err);
    if (rc)
        return rc;
    sk_db_bind_text(s, 1, exp_id, -1, SK_DB_TRANSIENT);
    int step = sk_db_step(s);
    if (step != SK_DB_ROW) {
        sk_db_finalize(s);
        return sk_store_error(st, "counting cells", err);
    }
    out->cells = (size_t)sk_db_column_int64(s, 0);
    out->task_errors = (size_t)sk_db_column_int64(s, 1);
    out->mean_latency_ms = sk_db_column_type(s, 2) == SK_DB_NULL ? NAN : sk_db_column_double(s, 2);
    sk_db_finalize(s);

    return scan(st, exp_id, out, err);
}

static void bind_num(sk_stmt *s, int i, double v)
{
    if (isnan(v))
        sk_db_bind_null(s, i);
    else
        sk_db_bind_double(s, i, v);
}

/* Store *f as experiment exp_id's summary. */
static int save(sk_store *st, const char *exp_id, const sk_exp_stats *f, char **err)
{
    sk_stmt *s = NULL;
    int rc = sk_store_prepare(st, &s,
                              "UPDATE experiments SET summary_cells = ?2, summary_task_errors = "
                              "?3, summary_passed = ?4, summary_failed = ?5, "
                              "summary_no_verdict_errors = ?6, summary_no_verdict_no_score = ?7, "
                              "summary_latency_ms = ?8, summary_score_errors = ?9 WHERE id = ?1",
                              err);
    if (rc)
        return rc;
    sk_db_bind_text(s, 1, exp_id, -1, SK_DB_TRANSIENT);
    sk_db_bind_int64(s, 2, (sk_int64)f->cells);
    sk_db_bind_int64(s, 3, (sk_int64)f->task_errors);
    sk_db_bind_int64(s, 4, (sk_int64)f->passed);
    sk_db_bind_int64(s, 5, (sk_int64)f->failed);
    sk_db_bind_int64(s, 6, (sk_int64)f->no_verdict_errors);
    sk_db_bind_int64(s, 7, (sk_int64)f->no_verdict_no_score);
    bind_num(s, 8, f->mean_latency_ms);
    sk_db_bind_int64(s, 9, (sk_int64)f->score_errors);
    rc = sk_store_step_done(st, s, "storing the experiment's summary", err);
    sk_db_finalize(s);
    if (rc)
        return rc;
    rc = sk_store_prepare(st, &s,
                          "UPDATE experiment_scorers SET summary_rows = ?3, summary_mean = ?4, "
                          "summary_mean_sd = ?5, summary_rows_passing = ?6, summary_scored = ?7, "
                          "summary_skipped = ?8, summary_errors = ?9 WHERE experiment_id = ?1 "
                          "AND name = ?2",
                          err);
    for (size_t i = 0; rc == SK_OK && i < f->nscorers; i++) {
        const sk_exp_scorer_stats *sc = &f->scorers[i];
        sk_db_bind_text(s, 1, exp_id, -1, SK_DB_TRANSIENT);
        sk_db_bind_text(s, 2, sc->name, -1, SK_DB_TRANSIENT);
        sk_db_bind_int64(s, 3, (sk_int64)sc->rows);
        bind_num(s, 4, sc->mean);
        bind_num(s, 5, sc->mean_sd);
        sk_db_bind_int64(s, 6, (sk_int64)sc->rows_passing);
        sk_db_bind_int64(s, 7, (sk_int64)sc->scored);
        sk_db_bind_int64(s, 8, (sk_int64)sc->skipped);
        sk_db_bind_int64(s, 9, (sk_int64)sc->errors);
        rc = sk_store_step_done(st, s, "storing the experiment's summary", err);
    }
    sk_db_finalize(s);
    return rc;
}

/* Whether experiment exp_id has a stored summary (read into *out's
 * totals), and whether its stored status is "running" (or it is not
 * there: nothing to store then). */
static int load_head(sk_store *st, const char *exp_id, sk_exp_stats *out, int *stored, int *running,
                     char **err)
{
    *stored = 0;
    *running = 1;
    sk_stmt *s = NULL;
    int rc = sk_store_prepare(st, &s,
                              "SELECT status, summary_cells, summary_task_errors, "
                              "summary_passed, summary_failed, summary_no_verdict_errors, "
                              "summary_no_verdict_no_score, summary_latency_ms FROM experiments "
                              "WHERE id = ?",
                              err);
    if (rc)
        return rc;
    sk_db_bind_text(s, 1, exp_id, -1, SK_DB_TRANSIENT);
    int step = sk_db_step(s);
    if (step == SK_DB_ROW) {
        const char *status = sk_db_column_text(s, 0);
        *running = !status || strcmp(status, "running") == 0;
        *stored = sk_db_column_type(s, 1) != SK_DB_NULL;
        if (*stored) {
            out->cells = (size_t)sk_db_column_int64(s, 1);
            out->task_errors = (size_t)sk_db_column_int64(s, 2);
            out->passed = (size_t)sk_db_column_int64(s, 3);
            out->failed = (size_t)sk_db_column_int64(s, 4);
            out->no_verdict_errors = (size_t)sk_db_column_int64(s, 5);
            out->no_verdict_no_score = (size_t)sk_db_column_int64(s, 6);
            out->mean_latency_ms =
                sk_db_column_type(s, 7) == SK_DB_NULL ? NAN : sk_db_column_double(s, 7);
        }
    }
    sk_db_finalize(s);
    return step == SK_DB_ROW || step == SK_DB_DONE
               ? SK_OK
               : sk_store_error(st, "reading the experiment's summary", err);
}

/* The task error most of exp_id's cells share, and their count, into out
 * (top_task_error stays NULL when no cell has one). */
static int top_task_error(sk_store *st, const char *exp_id, sk_exp_stats *out, char **err)
{
    sk_stmt *s = NULL;
    int rc = sk_store_prepare(st, &s,
                              "SELECT task_error, count(*) AS n FROM cells WHERE experiment_id = ? "
                              "AND task_error IS NOT NULL GROUP BY task_error "
                              "ORDER BY n DESC, task_error LIMIT 1",
                              err);
    if (rc)
        return rc;
    sk_db_bind_text(s, 1, exp_id, -1, SK_DB_TRANSIENT);
    int step = sk_db_step(s);
    if (step == SK_DB_ROW) {
        out->top_task_error = sk_xstrdup(sk_db_column_text(s, 0));
        out->top_task_error_cells = (size_t)sk_db_column_int64(s, 1);
    }
    sk_db_finalize(s);
    if (step != SK_DB_ROW && step != SK_DB_DONE)
        return sk_store_error(st, "reading the task errors", err);
    return SK_OK;
}

int sk_experiment_stats(sk_store *st, const char *exp_id, sk_exp_stats *out, char **err)
{
    memset(out, 0, sizeof *out);
    out->mean_latency_ms = NAN;
    int stored, running;
    int rc = load_head(st, exp_id, out, &stored, &running, err);
    if (rc == SK_OK)
        rc = load_scorers(st, exp_id, stored, out, err);
    if (rc == SK_OK && !stored) {
        /* Computed under the write lock, so what is stored counts exactly
         * the cells committed before it; cells written later drop it. */
        char *ignored = NULL;
        int txn = !running && !sk_db_in_transaction(sk_store_db(st)) &&
                  sk_store_begin(st, &ignored) == SK_OK;
        rc = compute(st, exp_id, out, err);
        if (txn) {
            if (rc == SK_OK && save(st, exp_id, out, &ignored) == SK_OK &&
                sk_store_commit(st, &ignored) == SK_OK)
                txn = 0;
            if (txn)
                sk_store_rollback(st);
        }
        free(ignored);
    }
    /* A run that mostly failed leads its summary with why (not stored:
     * one grouped query, and only when there are task errors). */
    if (rc == SK_OK && out->task_errors)
        rc = top_task_error(st, exp_id, out, err);
    if (rc)
        sk_exp_stats_clear(out);
    return rc;
}

int sk_experiment_summary_store(sk_store *st, const char *exp_id, char **err)
{
    sk_exp_stats f;
    memset(&f, 0, sizeof f);
    int rc = load_scorers(st, exp_id, 0, &f, err);
    if (rc == SK_OK)
        rc = compute(st, exp_id, &f, err);
    if (rc == SK_OK)
        rc = save(st, exp_id, &f, err);
    sk_exp_stats_clear(&f);
    return rc;
}
