/*
 * Datasets in the project store: named, versioned sets of rows
 *
 *   {"id": ..., "input": ..., "expected": ..., "output": ...,
 *    "metadata": {...}, "tags": [...]}
 *
 * Every import of a file makes the next version of its dataset (1 for a
 * new one), and a version never changes once written, so an experiment can
 * name the exact rows it ran on as NAME@VERSION.  Values are kept as the
 * JSON text they were read as (big numbers keep every digit).  A row's id
 * is the one it gives, or one derived from its input and expected exactly
 * as `scorekit score` derives it (sk_row_derive_id).
 *
 * All functions take a store opened by this thread (see store.h).
 */
#ifndef SK_DATASET_H
#define SK_DATASET_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "store/dataset_file.h"
#include "store/store.h"
#include "base/util.h"

/* The longest dataset name. */
#define SK_DATASET_NAME_MAX 100

/* One version of a dataset, as listed or resolved.  Strings are owned;
 * free with sk_dataset_version_clear. */
typedef struct sk_dataset_version {
    int64_t id; /* the store's key of this version: what experiments record */
    char *name;
    int version;
    int latest; /* the dataset's newest version */
    int64_t rows;
    char *created_at;    /* UTC, "2024-05-01T12:00:00Z" */
    char *source;        /* the file it was imported from, as given */
    char *metadata_keys; /* JSON array of the metadata keys rows have, sorted */
    char *dropped;       /* set by an import that dropped the cell fields of
                          * export lines: sk_dataset_file_dropped; else NULL */
} sk_dataset_version;

void sk_dataset_version_clear(sk_dataset_version *v);

/* 0 when `name` can name a dataset: 1 to SK_DATASET_NAME_MAX letters,
 * digits, '.', '_' or '-', starting with a letter or digit (so NAME@VER
 * reads one way).  Else SK_EINVAL with *err saying what is allowed. */
int sk_dataset_check_name(const char *name, char **err);

/* Split "NAME" or "NAME@VER" into a name (caller frees) and a version (0
 * for "the newest").  SK_EINVAL with *err for anything else. */
int sk_dataset_parse_ref(const char *ref, char **name, int *version, char **err);

/* Import the rows of `path` ("-": JSONL on standard input) as the next
 * version of dataset `name`, created when new.  The whole file is read and
 * checked first; the rows are then written in one transaction, so on any
 * error nothing is written.  Errors name the place: "FILE:LINE: what is
 * wrong" (SK_EPARSE), or SK_EIO for the file or the store.
 *
 * The formats, and what a row may hold, are in dataset_file.h.
 *
 * On success *out (may be NULL) describes the new version. */
int sk_dataset_import(sk_store *st, const char *name, const char *path, sk_dataset_format fmt,
                      sk_dataset_version *out, char **err);

/* The newest version of dataset `name` when it holds exactly the rows of
 * the file at `path` (same ids, values and order), else a new version
 * imported from it as sk_dataset_import does (all or nothing).  This is
 * how a project whose scorekit.json names a file keeps its store in step:
 * an unchanged file costs a read, never a duplicate version.  *imported
 * says which happened.  Clear *out with sk_dataset_version_clear. */
int sk_dataset_sync(sk_store *st, const char *name, const char *path, sk_dataset_format fmt,
                    sk_dataset_version *out, int *imported, char **err);

/* The read-only half of sk_dataset_sync: check the file (errors as an
 * import gives them), then *same = 1 when the newest version of `name`
 * holds exactly its rows.  *newest is that version (id 0 when the dataset
 * does not exist yet); clear it with sk_dataset_version_clear. */
int sk_dataset_file_current(sk_store *st, const char *name, const char *path, sk_dataset_format fmt,
                            sk_dataset_version *newest, int *same, char **err);

/* The dataset a file is kept as when scorekit.json names it: its name
 * without folder and extension ("data/qa.jsonl" -> "qa").  Caller frees. */
char *sk_dataset_name_for_file(const char *path);

/* The version named by `ref` ("NAME" for the newest, or "NAME@VER").
 * SK_ENOTFOUND with *err for an unknown dataset or version, SK_EINVAL for a
 * malformed ref.  Clear *out with sk_dataset_version_clear. */
int sk_dataset_resolve(sk_store *st, const char *ref, sk_dataset_version *out, char **err);

/* The number of rows of version version_id into *rows (0 when there is no
 * such version). */
int sk_dataset_version_rows(sk_store *st, int64_t version_id, int64_t *rows, char **err);

/* Two versions a and b row by row id: *only_a rows of a are not in b,
 * *only_b rows of b are not in a, *changed rows are in both with any field
 * (input, expected, output, metadata, tags) different. */
int sk_dataset_versions_diff(sk_store *st, int64_t a, int64_t b, int64_t *only_a, int64_t *only_b,
                             int64_t *changed, char **err);

/* Row row_id of version version_id: its input and expected JSON texts into
 * *input and *expected (caller frees each; NULL when absent, both NULL when
 * there is no such row). */
int sk_dataset_row_texts(sk_store *st, int64_t version_id, const char *row_id, char **input,
                         char **expected, char **err);

/* Every row of version version_id by row id (strcmp order): fn gets its
 * id and metadata JSON text (NULL when none), borrowed for the call.  A
 * non-zero return from fn stops the walk and is returned. */
int sk_dataset_each_metadata(sk_store *st, int64_t version_id,
                             int (*fn)(void *ud, const char *row_id, const char *metadata_json),
                             void *ud, char **err);

/* Every dataset's newest version, sorted by name.  *out is an array of *n
 * (possibly zero) entries; free with sk_dataset_list_free. */
int sk_dataset_list(sk_store *st, sk_dataset_version **out, size_t *n, char **err);
void sk_dataset_list_free(sk_dataset_version *v, size_t n);

/* One stored row.  The JSON texts are NULL when absent (input never is).
 * Everything is borrowed until the next sk_dataset_iter_next or
 * sk_dataset_iter_close. */
typedef struct sk_dataset_row {
    int64_t pos; /* 0-based place in the imported file */
    const char *id;
    size_t id_len;
    const char *input_json;
    const char *expected_json;
    const char *output_json;
    const char *metadata_json;
    const char *tags_json;
} sk_dataset_row;

typedef struct sk_dataset_iter sk_dataset_iter;

/* Walk the rows of version `version_id` (sk_dataset_version.id) in their
 * original order, one at a time from the database (not loaded up front).
 * The iterator reads one consistent snapshot, whatever other connections
 * write meanwhile.  Close it before closing the store. */
int sk_dataset_iter_open(sk_dataset_iter **out, sk_store *st, int64_t version_id, char **err);

/* 1 with *row filled, 0 after the last row, or SK_EIO with *err. */
int sk_dataset_iter_next(sk_dataset_iter *it, sk_dataset_row *row, char **err);

/* NULL is allowed. */
void sk_dataset_iter_close(sk_dataset_iter *it);

/* Append the row as one JSONL line without the newline:
 * {"id": ..., "input": ..., "output": ..., "expected": ..., "metadata": ...,
 *  "tags": ...}, absent fields left out, values as stored. */
void sk_dataset_row_json(const sk_dataset_row *row, sk_buf *out);

/* Write every row of the version to `f` as JSONL (sk_dataset_row_json and
 * a newline each).  SK_EIO with *err when writing fails. */
int sk_dataset_export(sk_store *st, int64_t version_id, FILE *f, char **err);

#endif
