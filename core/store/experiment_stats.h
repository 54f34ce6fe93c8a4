/*
 * An experiment's figures, computed from the store: per scorer, the mean
 * over rows of each row's mean over its trials, and with several trials
 * the mean within-row standard deviation, so nondeterminism is visible;
 * and per cell the row verdict: passed, failed, or no verdict.
 */
#ifndef SK_EXPERIMENT_STATS_H
#define SK_EXPERIMENT_STATS_H

#include <stddef.h>

#include "store/store.h"

typedef struct sk_exp_scorer_stats {
    char *name;
    int has_threshold;
    double threshold;
    size_t rows;         /* rows with at least one score */
    double mean;         /* mean over those rows of the row means; NAN when none */
    double mean_sd;      /* mean within-row sample SD over rows with 2+ scores; NAN when none */
    size_t rows_passing; /* rows whose mean meets the threshold */
    size_t scored, skipped, errors; /* cells */
} sk_exp_scorer_stats;

typedef struct sk_exp_stats {
    size_t cells, task_errors;
    /* Cells by their verdict (sk_row_verdict in rowscore.h), recomputed
     * from the stored results and thresholds: passed, failed, and no
     * verdict because of an error (the task's or a scorer's) or because no
     * scorer gave a score. */
    size_t passed, failed, no_verdict_errors, no_verdict_no_score;
    double mean_latency_ms;
    size_t score_errors; /* error verdicts of any scorer, listed or not; only
                          * when computed from the cells, else 0 */
    /* The task error most cells share (ties: the first by text), owned,
     * NULL when no cell has one; and how many cells have it. */
    char *top_task_error;
    size_t top_task_error_cells;
    size_t nscorers;
    sk_exp_scorer_stats *scorers;
} sk_exp_stats;

/* The figures of experiment exp_id (the full id) into *out (caller frees
 * with sk_exp_stats_clear).  They are read from the summary stored when
 * its run ended; an experiment without one (recorded by an older scorekit,
 * or one whose run was killed) has them computed from its cells, and
 * stored then unless its stored status is "running" or a transaction is
 * open on st (the figures are returned even when storing them fails: a
 * read-only store computes them every time). */
int sk_experiment_stats(sk_store *st, const char *exp_id, sk_exp_stats *out, char **err);
void sk_exp_stats_clear(sk_exp_stats *s);

/* Compute the figures of experiment exp_id from its cells and store them
 * as its summary.  Run inside the caller's transaction, so the summary
 * counts exactly the cells committed with it.  (Writing cells,
 * sk_experiment_write_cells, drops a stored summary.) */
int sk_experiment_summary_store(sk_store *st, const char *exp_id, char **err);

#endif
