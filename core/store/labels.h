/*
 * Human labels: a person's verdict on one row for one scorer, pass/fail
 * (1/0) or a grade in [0,1], kept with who gave it and when.  A label
 * belongs to a source: a dataset's rows ("dataset:NAME", by row id, across
 * its versions), an experiment's rows ("experiment:ID") or the logs
 * ("logs", by log id).  A person labels a row once per scorer: labelling
 * it again replaces the label.
 */
#ifndef SK_LABELS_H
#define SK_LABELS_H

#include <stddef.h>

#include "store/store.h"

/* One label; every pointer borrowed for the call.  labelled_at is set by
 * the store (NULL when writing). */
typedef struct sk_label {
    const char *source, *row_id, *scorer, *who;
    double label;
    const char *labelled_at;
} sk_label;

/* Store v[0..n) in one transaction (all or none), replacing a person's
 * earlier label of the same row and scorer.  SK_EINVAL for a label outside
 * [0,1]; SK_EIO with *err. */
int sk_labels_put(sk_store *st, const sk_label *v, size_t n, char **err);

/* Remove one person's label of a row for a scorer (the queue's undo). */
int sk_labels_delete(sk_store *st, const char *source, const char *row_id, const char *scorer,
                     const char *who, char **err);

/* Every label of a source (scorer NULL: of every scorer), by scorer, row
 * id and who.  A non-zero return from fn stops the walk and is returned. */
int sk_labels_each(sk_store *st, const char *source, const char *scorer,
                   int (*fn)(void *ud, const sk_label *l), void *ud, char **err);

/* Every source that has labels, in name order; fn gets each (borrowed). */
int sk_labels_each_source(sk_store *st, int (*fn)(void *ud, const char *source), void *ud,
                          char **err);

#endif
