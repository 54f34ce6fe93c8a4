/*
 * Experiments in the store: an experiment row with its configuration
 * snapshot, one cell per dataset row x trial (the task's output, latency
 * or error), and one score per cell x scorer.  Cells are written in
 * batches, each cell with its scores in the same transaction, so a run
 * killed at any instant leaves whole cells only and can be resumed.
 */
#ifndef SK_EXPERIMENT_H
#define SK_EXPERIMENT_H

#include <stdint.h>

#include "base/verdict.h"
#include "store/store.h"

typedef struct sk_experiment {
    char *id; /* short, unique, sortable by creation time */
    char *name;
    char *created_at, *finished_at; /* UTC ISO-8601; finished_at may be NULL */
    char *status;                   /* running, done, interrupted */
    char *git_commit;               /* NULL outside a git work tree */
    char *scorekit_version;
    int64_t dataset_version_id;
    char *dataset_ref; /* name@version */
    int trials;
    char *pack_hash;
    char *config_json; /* the configuration snapshot */
    char *origin;      /* the experiment rescored, or NULL */
} sk_experiment;

void sk_experiment_clear(sk_experiment *e);

/* A new id: time in milliseconds (base 36, fixed width) then randomness,
 * so ids sort by creation and never collide in practice.  Caller frees. */
char *sk_experiment_new_id(void);

/* A scorer as an experiment records it; every pointer borrowed. */
typedef struct sk_experiment_scorer {
    const char *name;
    int has_threshold;
    double threshold, weight;
} sk_experiment_scorer;

/* Record a new experiment (status running) and its n scorers, in one
 * transaction.  Everything is borrowed until the call returns. */
int sk_experiment_create(sk_store *st, const sk_experiment *e, const sk_experiment_scorer *scorers,
                         size_t n, char **err);

/* Load experiment `id` (or a unique prefix of one). */
int sk_experiment_load(sk_store *st, const char *id, sk_experiment *out, char **err);

/* Set status (and finished_at when done or interrupted). */
int sk_experiment_set_status(sk_store *st, const char *id, const char *status, char **err);

/* One finished cell, ready to be written. */
typedef struct sk_cell {
    char *row_id;
    unsigned trial;
    int64_t pos;
    char *output_json; /* NULL when the task failed */
    char *task_error;  /* NULL when it did not */
    double latency_ms;
    double overall;   /* NAN: nothing scored */
    sk_row_pass pass; /* stored as NULL when SK_ROW_NO_VERDICT or a task error */
    /* Model calls of the task and the judges for this cell (0 calls: none;
     * tokens and cost count calls not served from the cache). */
    long llm_calls, prompt_tokens, completion_tokens;
    double cost;
    size_t nscores;
    struct sk_cell_score {
        const char *scorer; /* borrowed from the caller (the pack) */
        sk_verdict kind;
        double score;
        char *message, *rationale, *meta_json; /* owned, may be NULL */
    } * scores;
} sk_cell;

void sk_cell_free(sk_cell *c);

/* A stored verdict kind ("score", "skipped", "error") as an sk_verdict;
 * anything else is an error. */
sk_verdict sk_verdict_from_name(const char *kind);

/* Write cells in one transaction. */
int sk_experiment_write_cells(sk_store *st, const char *exp_id, sk_cell *const *cells, size_t n,
                              char **err);

/* The (row_id, trial) pairs already done, as "ROWID\ttrial" strings sorted
 * for bsearch; caller frees each and the array. */
int sk_experiment_done_cells(sk_store *st, const char *exp_id, char ***out, size_t *n, char **err);

/* One stored cell's task result, borrowed for the callback only. */
typedef struct sk_cell_output {
    const char *row_id;
    size_t id_len;
    unsigned trial;
    const char *output_json; /* NULL when the task failed */
    size_t output_len;
    const char *task_error; /* NULL when it did not */
    double latency_ms;
} sk_cell_output;

/* Call fn for every cell of experiment exp_id (the full id), in no
 * particular order; a non-zero return from fn stops and is returned. */
int sk_experiment_each_output(sk_store *st, const char *exp_id,
                              int (*fn)(void *ud, const sk_cell_output *c), void *ud, char **err);

#endif
