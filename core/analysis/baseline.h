/*
 * The baseline: the project's pointer to the experiment that stands for
 * what is in production, which `scorekit compare` compares against when
 * given no --base.  Setting one appends to a history (the `baselines`
 * table), so the current baseline is the latest entry and earlier ones
 * stay listed.
 *
 * A baseline goes stale when it no longer measures what production
 * measures: its dataset version is older than the current one, the pack or
 * a scorer changed, or the measurement is older than the age limit.  A
 * changed task (prompt, model, params) is the change under test, not
 * staleness.  sk_baseline_check says which, and what differs.
 *
 * All functions take a store opened by the calling thread (see store.h).
 */
#ifndef SK_BASELINE_H
#define SK_BASELINE_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "analysis/config_diff.h"
#include "store/experiment.h"
#include "engine/pack.h"
#include "store/project.h"
#include "store/baseline_store.h"
#include "store/store.h"

/* The snapshot `scorekit run` would record now for the project: its task
 * (scorekit.json, no --set), `pack` (borrowed; loaded by the caller from
 * the project's pack file, whose absolute path is `pack_path`, may be
 * NULL), the newest version of its dataset, and `trials` (not part of the
 * project's configuration: pass the baseline's).  The dataset is the
 * project's "dataset" when the store has it, else `fallback_dataset`
 * (NAME or NAME@VER; the baseline's).  Caller frees. */
char *sk_baseline_current_snapshot(sk_store *st, const sk_project *proj, const sk_pack *pack,
                                   const char *pack_path, int trials, const char *fallback_dataset,
                                   char **err);

typedef struct sk_baseline_staleness {
    sk_config_diff changes; /* baseline snapshot -> current; empty when current is NULL */
    size_t task_changes;    /* changes of the task: the variable under test, not staleness */
    int config_changed;     /* a change other than the task's: the dataset version, the
                               pack, a scorer, the scorekit version */
    int config_unknown;     /* no current snapshot to compare with: not checked */
    double age_days;        /* since the baseline experiment was created; NAN if unknown */
    int max_age_days;       /* as given; 0: no limit */
    int too_old;
    int stale; /* config_changed || too_old */
} sk_baseline_staleness;

/* Is experiment `base` (the baseline) stale against `current_snapshot`
 * (from sk_baseline_current_snapshot; NULL skips that check) or older
 * than max_age_days (0: no limit) at time `now`?  Clear *out with
 * sk_baseline_staleness_clear. */
int sk_baseline_check(const sk_experiment *base, const char *current_snapshot, int max_age_days,
                      time_t now, sk_baseline_staleness *out, char **err);
void sk_baseline_staleness_clear(sk_baseline_staleness *s);

/* Seconds since the epoch of a UTC "YYYY-MM-DDTHH:MM:SSZ" time, or -1. */
time_t sk_parse_utc(const char *iso);

#endif
