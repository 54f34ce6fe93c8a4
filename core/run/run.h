/*
 * Running an experiment: every dataset row x trial goes through the task,
 * then every scorer of the pack; a pool of workers runs cells concurrently
 * while the calling thread feeds them and writes finished cells to the
 * store in batched transactions.  Resuming runs only the cells an
 * experiment does not have yet.
 */
#ifndef SK_RUN_H
#define SK_RUN_H

#include <signal.h>

#include "engine/pack.h"
#include "store/experiment.h"
#include "task/task.h"

typedef struct sk_run_opts {
    const char *project_dir;
    struct sk_llm *llm;      /* the model client (borrowed); NULL: no model configured */
    const char *name;        /* NULL: "run" */
    const char *dataset_ref; /* NAME[@VER] */
    const sk_pack *pack;     /* borrowed */
    const char *pack_path;   /* recorded in the snapshot (may be NULL) */
    const cJSON *task;       /* the task configuration (borrowed) */
    int trials;              /* >= 1 */
    int jobs;                /* <= 0: one per core */
    const char *resume_id;   /* resume this experiment instead of starting one */
    const char *origin;      /* rescoring: the experiment the outputs come from */
    void (*progress)(size_t done, size_t total, void *ud);
    void *progress_ud;
    volatile sig_atomic_t *cancel;
} sk_run_opts;

typedef struct sk_run_result {
    char *id;       /* the experiment */
    size_t cells;   /* rows x trials */
    size_t skipped; /* already done before this run (resume) */
    size_t ran;     /* cells run now */
    size_t task_errors;
    int interrupted;
    double seconds;
} sk_run_result;

/* Run (or resume) an experiment.  On success, and when interrupted
 * (SK_EINTR), *res describes what happened; caller frees res->id. */
int sk_run(sk_store *st, const sk_run_opts *o, sk_run_result *res, char **err);

/* The configuration snapshot an experiment records: task, pack (contents
 * and hash), pack path, dataset, trials.  Caller frees. */
char *sk_run_snapshot(const sk_run_opts *o, const char *dataset_ref, char **pack_hash);

/* Record experiment e (status running) with the scorers of pack, as
 * sk_experiment_create does; both borrowed. */
int sk_run_create_experiment(sk_store *st, const sk_experiment *e, const sk_pack *pack, char **err);

#endif
