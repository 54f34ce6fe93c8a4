/*
 * The run plan: what is decided before an experiment runs, so every front
 * end (the command, the library) decides it the same way.
 *
 *   - the task: the project's task object with --set overrides applied
 *     (provider switches first, so a switch never clears a later key);
 *   - the dataset: a dataset file named by the project is brought into the
 *     store (a new version only when its rows changed) and run on;
 *   - resuming: the experiment's recorded pack file, task and trials, and
 *     the check that the pack is still the one it ran with.
 *
 * Messages are returned, never printed.
 */
#ifndef SK_PLAN_H
#define SK_PLAN_H

#include <cjson/cJSON.h>

#include "engine/pack.h"
#include "store/dataset.h"
#include "store/experiment.h"
#include "store/store.h"

/* Apply one override "KEY=VALUE" (KEY may start with "task."; VALUE is
 * JSON, else text) to the task object.  Setting another provider clears
 * the old provider's keys.  SK_EINVAL with *err when kv is not KEY=VALUE. */
int sk_plan_set(cJSON *task, const char *kv, char **err);

/* Apply n overrides, every provider switch before the other keys. */
int sk_plan_apply_sets(cJSON *task, const char *const *sets, size_t n, char **err);

/* Bring dataset `name` in step with the file at path and give the version
 * to run on as "NAME@VER" in *ref (caller frees).  *v (may be NULL)
 * receives the version, *imported whether a new one was made (clear *v
 * with sk_dataset_version_clear). */
int sk_plan_sync_dataset(sk_store *st, const char *name, const char *path, char **ref,
                         sk_dataset_version *v, int *imported, char **err);

/* What resuming experiment `id` needs.  Owned; clear with
 * sk_plan_resume_clear. */
typedef struct sk_resume_plan {
    sk_experiment e;
    char *pack_path; /* the pack file it recorded */
    cJSON *task;     /* the task it recorded */
} sk_resume_plan;

/* Load experiment `id` (or a unique prefix) and what it recorded.
 * SK_EINVAL with *err when it recorded no pack file. */
int sk_plan_resume_load(sk_store *st, const char *id, sk_resume_plan *out, char **err);

/* SK_EINVAL with *err when `pack` (loaded from out->pack_path) is not the
 * pack the experiment ran with: resuming would mix two packs. */
int sk_plan_resume_check(const sk_resume_plan *p, const sk_pack *pack, char **err);

void sk_plan_resume_clear(sk_resume_plan *p);

#endif
