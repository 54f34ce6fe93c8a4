/*
 * Growing a dataset from rows that are not a file: `dataset add` (rows of
 * an experiment, of a log file, of a row file) and `dataset merge`.  Each
 * call makes the dataset's next version: the base version's rows, in
 * their order, then the new ones, and records where each new row came
 * from (its provenance).  Earlier rows keep the provenance they had, and
 * so does a row an import of the dataset's file carries over unchanged.
 * Which rows to add (selection, deduplication) is decided above the store
 * (analysis/grow.h); this file only writes and reads.
 */
#ifndef SK_DATASET_GROW_H
#define SK_DATASET_GROW_H

#include <stddef.h>
#include <stdint.h>

#include "store/dataset.h"

/* One row to add with its provenance.  Every pointer is borrowed for the
 * call.  JSON texts are NULL when absent (input never is). */
typedef struct sk_grow_row {
    const char *id;
    const char *input, *expected, *output, *metadata, *tags;
    const char *kind;          /* "experiment", "logs", "file", "merge" or "topic" */
    const char *source;        /* the human form: "EXP trial 2", "FILE:LINE", ... */
    const char *experiment_id; /* NULL unless kind is experiment */
    int trial;                 /* the experiment's trial number; -1: none */
    const char *file;          /* NULL unless from a file */
    long line;                 /* 0: none */
    const char *log_id;        /* a log line's id or trace id, or NULL */
} sk_grow_row;

/* Make the next version of dataset `name` (created when new): the rows of
 * version base_vid (0: none) then rows[0..n), with `label` as the
 * version's source and `note` (may be NULL) on every new row's
 * provenance.  One transaction: on error nothing is written.  The ids
 * must be unique across base and new rows (the caller checks: a clash is
 * SK_EINVAL from the store's constraint).  On success *out (may be NULL)
 * describes the new version; clear it with sk_dataset_version_clear. */
int sk_dataset_grow(sk_store *st, const char *name, int64_t base_vid, const char *label,
                    const sk_grow_row *rows, size_t n, const char *note, sk_dataset_version *out,
                    char **err);

/* One row's provenance, as stored; strings borrowed for the call, NULL
 * when absent. */
typedef struct sk_provenance {
    const char *row_id, *kind, *source, *experiment_id, *file, *log_id, *note, *added_at;
    int trial; /* -1: none */
    long line; /* 0: none */
} sk_provenance;

/* The provenance of every row of version vid that has one, in row order.
 * A non-zero return from fn stops the walk and is returned. */
int sk_dataset_each_provenance(sk_store *st, int64_t vid,
                               int (*fn)(void *ud, const sk_provenance *p), void *ud, char **err);

/* Versions a and b by row id: fn gets "removed" for each row of a not in
 * b (a's order), then "added" for each of b not in a, then "changed" for
 * each in both with any value different (b's order). */
int sk_dataset_each_change(sk_store *st, int64_t a, int64_t b,
                           int (*fn)(void *ud, const char *change, const char *row_id), void *ud,
                           char **err);

#endif
