/* An experiment's per-scorer figures (see experiment_stats.h). */
#include "store/experiment_stats.h"

#include <math.h>
#include <sqlite3.h>
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

/* Each cell's verdict from its stored results and the thresholds the
 * experiment recorded (so older experiments are counted by today's rule). */
static int count_verdicts(sk_store *st, const char *exp_id, sk_exp_stats *out, char **err)
{
    sqlite3_stmt *s = NULL;
    int rc = sk_store_prepare(
        st, &s,
        "SELECT c.row_id, c.trial, c.task_error, s.scorer, s.kind, s.score FROM cells c "
        "LEFT JOIN scores s ON s.experiment_id = c.experiment_id AND s.row_id = c.row_id AND "
        "s.trial = c.trial WHERE c.experiment_id = ? ORDER BY c.row_id, c.trial",
        err);
    if (rc)
        return rc;
    sqlite3_bind_text(s, 1, exp_id, -1, SQLITE_TRANSIENT);
    sk_row_verdict v = {0};
    char *cur = NULL;
    int cur_trial = -1, step;
    while ((step = sqlite3_step(s)) == SQLITE_ROW) {
        const char *row = (const char *)sqlite3_column_text(s, 0);
        int trial = sqlite3_column_int(s, 1);
        if (!cur || trial != cur_trial || strcmp(cur, row) != 0) {
            if (cur)
                count_verdict(out, &v);
            free(cur);
            cur = sk_xstrdup(row);
            cur_trial = trial;
            sk_row_verdict_begin(&v);
            if (sqlite3_column_type(s, 2) != SQLITE_NULL)
                sk_row_verdict_task_error(&v, NULL);
        }
        const char *scorer = (const char *)sqlite3_column_text(s, 3);
        if (!scorer)
            continue; /* the task failed: no results */
        const sk_exp_scorer_stats *sc = NULL;
        for (size_t i = 0; i < out->nscorers && !sc; i++)
            if (strcmp(out->scorers[i].name, scorer) == 0)
                sc = &out->scorers[i];
        sk_row_verdict_add(
            &v, scorer, sk_verdict_from_name((const char *)sqlite3_column_text(s, 4)),
            sqlite3_column_double(s, 5), sc && sc->has_threshold, sc ? sc->threshold : 0, NULL);
    }
    if (cur)
        count_verdict(out, &v);
    free(cur);
    sk_row_verdict_free(&v);
    sqlite3_finalize(s);
    return step == SQLITE_DONE ? SK_OK : sk_store_error(st, "reading the cells' verdicts", err);
}

/* The task error most of exp_id's cells share, and their count, into out
 * (top_task_error stays NULL when no cell has one). */
static int top_task_error(sk_store *st, const char *exp_id, sk_exp_stats *out, char **err)
{
    sqlite3_stmt *s = NULL;
    int rc = sk_store_prepare(st, &s,
                              "SELECT task_error, count(*) AS n FROM cells WHERE experiment_id = ? "
                              "AND task_error IS NOT NULL GROUP BY task_error "
                              "ORDER BY n DESC, task_error LIMIT 1",
                              err);
    if (rc)
        return rc;
    sqlite3_bind_text(s, 1, exp_id, -1, SQLITE_TRANSIENT);
    int step = sqlite3_step(s);
    if (step == SQLITE_ROW) {
        out->top_task_error = sk_xstrdup((const char *)sqlite3_column_text(s, 0));
        out->top_task_error_cells = (size_t)sqlite3_column_int64(s, 1);
    }
    sqlite3_finalize(s);
    if (step != SQLITE_ROW && step != SQLITE_DONE)
        return sk_store_error(st, "reading the task errors", err);
    return SK_OK;
}

int sk_experiment_stats(sk_store *st, const char *exp_id, sk_exp_stats *out, char **err)
{
    memset(out, 0, sizeof *out);
    sqlite3_stmt *s = NULL;
    int rc = sk_store_prepare(st, &s,
                              "SELECT count(*), count(task_error), avg(latency_ms) FROM cells "
                              "WHERE experiment_id = ?",
                              err);
    if (rc)
        return rc;
    sqlite3_bind_text(s, 1, exp_id, -1, SQLITE_TRANSIENT);
    int step = sqlite3_step(s);
    if (step != SQLITE_ROW) {
        sqlite3_finalize(s);
        return sk_store_error(st, "counting cells", err);
    }
    {
        out->cells = (size_t)sqlite3_column_int64(s, 0);
        out->task_errors = (size_t)sqlite3_column_int64(s, 1);
        out->mean_latency_ms =
            sqlite3_column_type(s, 2) == SQLITE_NULL ? NAN : sqlite3_column_double(s, 2);
    }
    sqlite3_finalize(s);

    /* A run that mostly failed leads its summary with why. */
    if (out->task_errors && (rc = top_task_error(st, exp_id, out, err)) != SK_OK)
        return rc;

    rc = sk_store_prepare(st, &s,
                          "SELECT name, threshold FROM experiment_scorers WHERE experiment_id = ? "
                          "ORDER BY idx",
                          err);
    if (rc) {
        sk_exp_stats_clear(out);
        return rc;
    }
    sqlite3_bind_text(s, 1, exp_id, -1, SQLITE_TRANSIENT);
    size_t cap = 0;
    while ((step = sqlite3_step(s)) == SQLITE_ROW) {
        if (out->nscorers == cap) {
            cap = cap ? cap * 2 : 8;
            out->scorers = sk_xrealloc(out->scorers, cap * sizeof *out->scorers);
        }
        sk_exp_scorer_stats *sc = &out->scorers[out->nscorers++];
        memset(sc, 0, sizeof *sc);
        sc->name = sk_xstrdup((const char *)sqlite3_column_text(s, 0));
        sc->has_threshold = sqlite3_column_type(s, 1) != SQLITE_NULL;
        sc->threshold = sqlite3_column_double(s, 1);
        sc->mean = sc->mean_sd = NAN;
    }
    sqlite3_finalize(s);
    if (step != SQLITE_DONE) {
        sk_exp_stats_clear(out);
        return sk_store_error(st, "reading the experiment's scorers", err);
    }

    rc = sk_store_prepare(st, &s,
                          "SELECT row_id, kind, score FROM scores WHERE experiment_id = ? AND "
                          "scorer = ? ORDER BY row_id",
                          err);
    if (rc) {
        sk_exp_stats_clear(out);
        return rc;
    }
    for (size_t i = 0; i < out->nscorers; i++) {
        sk_exp_scorer_stats *sc = &out->scorers[i];
        sqlite3_bind_text(s, 1, exp_id, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(s, 2, sc->name, -1, SQLITE_TRANSIENT);
        acc a = {0, 0, 0};
        char *cur = NULL;
        double sum_means = 0, sum_sds = 0;
        size_t n_sds = 0;
        while ((step = sqlite3_step(s)) == SQLITE_ROW) {
            const char *row = (const char *)sqlite3_column_text(s, 0);
            const char *kind = (const char *)sqlite3_column_text(s, 1);
            if (!cur || strcmp(cur, row) != 0) {
                close_row(sc, &a, &sum_means, &sum_sds, &n_sds);
                free(cur);
                cur = sk_xstrdup(row);
            }
            if (strcmp(kind, "score") == 0) {
                double v = sqlite3_column_double(s, 2);
                a.sum += v;
                a.sumsq += v * v;
                a.n++;
                sc->scored++;
            } else if (strcmp(kind, "skipped") == 0)
                sc->skipped++;
            else
                sc->errors++;
        }
        close_row(sc, &a, &sum_means, &sum_sds, &n_sds);
        free(cur);
        sqlite3_reset(s);
        if (step != SQLITE_DONE) {
            sqlite3_finalize(s);
            sk_exp_stats_clear(out);
            return sk_store_error(st, "reading scores", err);
        }
        if (sc->rows)
            sc->mean = sum_means / (double)sc->rows;
        if (n_sds)
            sc->mean_sd = sum_sds / (double)n_sds;
    }
    sqlite3_finalize(s);
    rc = count_verdicts(st, exp_id, out, err);
    if (rc)
        sk_exp_stats_clear(out);
    return rc;
}
