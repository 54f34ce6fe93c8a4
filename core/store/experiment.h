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
    char *status;                   /* running, done, interrupted (as shown: see
                                     * sk_experiment_status_at) */
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
    const char *reducer; /* base/reducer.h's name; NULL: "mean" */
} sk_experiment_scorer;

/* Record a new experiment (status running, its lease held by this
 * process: see below) and its n scorers, in one transaction.  Everything
 * is borrowed until the call returns. */
int sk_experiment_create(sk_store *st, const sk_experiment *e, const sk_experiment_scorer *scorers,
                         size_t n, char **err);

/* Load experiment `id` (or a unique prefix of one).  out->status is the
 * status as shown (sk_experiment_status_at). */
int sk_experiment_load(sk_store *st, const char *id, sk_experiment *out, char **err);

/* Set status (and finished_at when done or interrupted). */
int sk_experiment_set_status(sk_store *st, const char *id, const char *status, char **err);

/* ---- who runs an experiment (experiment_lease.c) ----
 *
 * A run holds a lease on its experiment while it writes cells: the
 * holder's pid, host name and process start time, a random token made
 * once per process, and a heartbeat (unix seconds) renewed every
 * SK_LEASE_BEAT_S.  A killed run leaves status "running" and its lease
 * behind; the holder counts as gone when, on this host, its pid no longer
 * exists (or belongs to a process that started at another time: a reused
 * pid), and on another host when its heartbeat is older than
 * SK_LEASE_TIMEOUT_S.  Clocks of hosts sharing a store are assumed to
 * agree to well within that. */
#define SK_LEASE_BEAT_S    2
#define SK_LEASE_TIMEOUT_S 30

/* The columns sk_experiment_status_at reads, in order, from `experiments`. */
#define SK_EXPERIMENT_STATUS_COLUMNS                                                               \
    "status, lease_pid, lease_host, lease_token, lease_start, lease_heartbeat"

/* The status to show for the row whose columns col, col+1, ... are
 * SK_EXPERIMENT_STATUS_COLUMNS: the stored one, except "interrupted" for a
 * running experiment whose holder is gone (or that nobody holds).  Caller
 * frees; NULL for a NULL status. */
char *sk_experiment_status_at(sk_stmt *s, int col);

/* Take the lease of experiment id for this process, in one transaction,
 * setting its status back to running: when nobody holds it, or its holder
 * is gone (a take-over, conditional on the old holder's token, so two
 * processes never both win).  SK_EBUSY, naming the holder and what to do,
 * while a live run holds it; SK_ENOTFOUND for no such experiment (a full
 * id, not a prefix). */
int sk_experiment_lease_take(sk_store *st, const char *id, char **err);

/* The same for a row just inserted, inside the caller's transaction. */
int sk_experiment_lease_claim_new(sk_store *st, const char *id, char **err);

/* Renew this process's heartbeat on experiment id.  SK_EBUSY (naming the
 * new holder) when another run took the lease over: stop writing. */
int sk_experiment_lease_renew(sk_store *st, const char *id, char **err);

/* End this process's run of experiment id: set its status (and
 * finished_at) and drop the lease, only if this process still holds it
 * (SK_EBUSY otherwise, and nothing changes). */
int sk_experiment_lease_release(sk_store *st, const char *id, const char *status, char **err);

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
