/*
 * Reading an experiment back for the command line: the listing, the newest
 * other experiment, its errors, its lowest-scoring rows, one row's cells
 * with their scores, and every cell for an export.  The SQL lives here so
 * the commands above only arrange and print what these return.
 *
 * The each_* functions stream: they call fn once per result row, in the
 * order stated, with every pointer in the row borrowed for that call only
 * (copy what you keep).  A non-zero return from fn stops the walk and is
 * returned; otherwise they return 0, or SK_EIO with *err.
 */
#ifndef SK_EXPERIMENT_READ_H
#define SK_EXPERIMENT_READ_H

#include <stdint.h>

#include "store/store.h"

/* One experiment as `experiments` lists it. */
typedef struct sk_experiment_listed {
    const char *id, *name, *created_at;
    const char *finished_at; /* NULL while not finished */
    const char *status;      /* as shown: sk_experiment_status_at */
    const char *dataset_ref;
    const char *origin; /* NULL unless rescored */
    int trials;
    int64_t dataset_rows; /* rows of its dataset version; 0 when gone */
} sk_experiment_listed;

/* Every experiment, newest first (by id, which starts with the creation
 * time in milliseconds: finer than created_at's seconds). */
int sk_experiment_each_listed(sk_store *st, int (*fn)(void *ud, const sk_experiment_listed *e),
                              void *ud, char **err);

/* The id of the newest experiment (by created_at, then id) other than
 * `not` (NULL: any), into *id (caller frees; NULL when there is none). */
int sk_experiment_newest_other(sk_store *st, const char *not_id, char **id, char **err);

/* One failed cell: a task error, or one scorer's error on a cell. */
typedef struct sk_experiment_error {
    int idx;             /* the scorer's place in the pack; -1 for task errors;
                          * 1 << 30 for a scorer the experiment does not list */
    const char *scorer;  /* NULL for task errors */
    const char *message; /* never NULL ("" when none was stored) */
    const char *row_id;
    int64_t pos; /* the row's place in the dataset */
    int trial;
} sk_experiment_error;

/* Every task error and scorer error of experiment exp_id (the full id),
 * ordered by idx, scorer, message, pos, trial: each message's cells
 * consecutive, then in dataset order. */
int sk_experiment_each_error(sk_store *st, const char *exp_id,
                             int (*fn)(void *ud, const sk_experiment_error *e), void *ud,
                             char **err);

/* A row whose scored trials disagree on one scorer's pass/fail: `passed`
 * at or above its threshold, `failed` below (both > 0).  Strings borrowed
 * for the call. */
typedef struct sk_experiment_flaky {
    const char *row_id, *scorer;
    unsigned passed, failed;
} sk_experiment_flaky;

/* Every flaky row x scorer of experiment exp_id (the full id), in dataset
 * order, then the pack's order of scorers. */
int sk_experiment_each_flaky(sk_store *st, const char *exp_id,
                             int (*fn)(void *ud, const sk_experiment_flaky *f), void *ud,
                             char **err);

/* The n rows of experiment exp_id whose overall score, averaged over their
 * scored trials, is lowest, lowest first, ties in dataset order.  Rows with
 * no overall score at all are left out.  row_id is borrowed for the call. */
int sk_experiment_each_lowest(sk_store *st, const char *exp_id, long n,
                              int (*fn)(void *ud, const char *row_id, double mean), void *ud,
                              char **err);

/* One cell joined with one of its scores (or with none: scorer NULL, when
 * the task failed).  Numbers that are NULL in the store read NAN; the JSON
 * texts and messages are NULL when absent. */
typedef struct sk_cell_score_row {
    const char *row_id;
    int trial;
    /* The dataset row's; only sk_experiment_each_export fills these. */
    const char *input_json, *expected_json, *metadata_json;
    const char *output_json;
    const char *task_error;
    double latency_ms, overall;
    /* The cell's model calls; only sk_experiment_each_export fills these,
     * and has_llm is 0 when none were recorded. */
    int has_llm;
    long long llm_calls, prompt_tokens, completion_tokens;
    double cost;
    const char *scorer, *kind;
    double score;
    const char *message, *rationale, *meta_json;
    int has_threshold;
    double threshold;
} sk_cell_score_row;

/* The cells of row row_id in experiment exp_id with their scores, by trial
 * then the scorer's place in the pack. */
int sk_experiment_each_row_score(sk_store *st, const char *exp_id, const char *row_id,
                                 int (*fn)(void *ud, const sk_cell_score_row *r), void *ud,
                                 char **err);

/* Every cell of the experiment (exp_id the full id, version_id its dataset
 * version) with its dataset row and its scores, in dataset order, then
 * trial, then the scorer's place in the pack.  One row at a time from the
 * database: memory stays flat however many cells there are. */
int sk_experiment_each_export(sk_store *st, const char *exp_id, int64_t version_id,
                              int (*fn)(void *ud, const sk_cell_score_row *r), void *ud,
                              char **err);

/* ---- for comparing two experiments (analysis/compare.c) ---- */

/* The first trial (the lowest number) of row row_id in experiment exp_id:
 * *found 0 when the experiment has no cell for the row; else *trial, and
 * *output_json and *task_error (caller frees each; NULL when absent). */
int sk_experiment_first_cell(sk_store *st, const char *exp_id, const char *row_id, int *found,
                             int *trial, char **output_json, char **task_error, char **err);

/* The scores of one cell of experiment exp_id, in no particular order: of
 * the row passed to fn, row_id, trial, scorer, kind, score (NAN when the
 * store has none), message and rationale are filled. */
int sk_experiment_each_cell_score(sk_store *st, const char *exp_id, const char *row_id, int trial,
                                  int (*fn)(void *ud, const sk_cell_score_row *r), void *ud,
                                  char **err);

/* The experiment's scorers in the pack's order: name, and its threshold
 * when it has one (has_threshold 0: threshold is 0), and its reducer's name
 * (NULL: "mean").  Strings are borrowed for the call. */
int sk_experiment_each_scorer(sk_store *st, const char *exp_id,
                              int (*fn)(void *ud, const char *name, int has_threshold,
                                        double threshold, const char *reducer),
                              void *ud, char **err);

/* One dataset row as the experiment ran it: its first position, its cells
 * (trials) and how many of them the task failed. */
typedef struct sk_experiment_row_cells {
    const char *row_id;
    int64_t pos;
    unsigned cells, task_errors;
} sk_experiment_row_cells;

/* Every row the experiment has cells for, by row id (strcmp order). */
int sk_experiment_each_row_cells(sk_store *st, const char *exp_id,
                                 int (*fn)(void *ud, const sk_experiment_row_cells *r), void *ud,
                                 char **err);

/* One stored score, in brief. */
typedef struct sk_experiment_score {
    const char *row_id, *scorer, *kind; /* kind: "score", "skipped", "error" */
    double score;                       /* 0 when the store has none */
} sk_experiment_score;

/* Every score of the experiment, by row id (within a row, any order). */
int sk_experiment_each_score(sk_store *st, const char *exp_id,
                             int (*fn)(void *ud, const sk_experiment_score *s), void *ud,
                             char **err);

#endif
