/*
 * The baselines table: the history of the project's baseline experiment
 * (see analysis/baseline.h for what a baseline is for and when it goes
 * stale).  Setting one appends an entry; the current baseline is the
 * latest.  Every function takes a store opened by the calling thread.
 */
#ifndef SK_BASELINE_STORE_H
#define SK_BASELINE_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "store/store.h"

/* One entry of the history.  Strings are owned; clear with
 * sk_baseline_clear. */
typedef struct sk_baseline {
    int64_t id; /* increasing: the highest is the current baseline */
    char *experiment_id;
    char *set_at; /* UTC ISO-8601 */
    char *note;   /* may be NULL */
} sk_baseline;

void sk_baseline_clear(sk_baseline *b);

/* Make experiment `exp_ref` (an id or a unique prefix) the baseline, with
 * an optional note.  An experiment that is not done (still running, or
 * interrupted) is refused with SK_EINVAL unless `force`, since its figures
 * cover only part of the dataset.  *out (may be NULL) receives the new
 * entry. */
int sk_baseline_set(sk_store *st, const char *exp_ref, const char *note, int force,
                    sk_baseline *out, char **err);

/* The current baseline.  SK_ENOTFOUND with *err when none was ever set. */
int sk_baseline_current(sk_store *st, sk_baseline *out, char **err);

/* Every entry, newest first: *out is an array of *n entries; free with
 * sk_baseline_list_free. */
int sk_baseline_history(sk_store *st, sk_baseline **out, size_t *n, char **err);
void sk_baseline_list_free(sk_baseline *v, size_t n);

#endif
