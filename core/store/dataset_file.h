/*
 * Reading a dataset file, JSONL or CSV, row by row: each row is checked and
 * turned into its values as JSON text plus its id, the same for both
 * formats.  An import reads a file twice (see dataset.c): the first pass
 * checks everything, ids unique across the file included, and collects the
 * metadata keys; after sk_dataset_file_rewind the second pass hands out the
 * same rows again without checking them twice.
 *
 * JSONL rows are objects with "input" (any JSON, required) and optional
 * "id" (string or number), "expected", "output" (any JSON), "metadata" (an
 * object) and "tags" (an array of strings); null counts as absent, and other
 * fields are an error, except in a line `scorekit export` wrote (see
 * sk_dataset_file_dropped).  Values are kept as the bytes of the line.
 *
 * CSV files start with a header naming the columns: input (required), id,
 * expected, output (text, stored as JSON strings), tags (comma-separated
 * words, or a JSON array of strings), metadata (a JSON object) and
 * metadata.KEY (text stored as the string field KEY of the metadata).  Other
 * columns are an error.  An empty cell is an absent value; every record has
 * as many fields as the header.  Text must be UTF-8.
 *
 * A row without an id gets sk_row_derive_id's, computed from the JSON text
 * of input and expected, as `scorekit score` does.  `scorekit score` checks
 * its rows by the same rules (sk_dataset_row_check, id_set.h), with the
 * output required instead of the input.
 */
#ifndef SK_DATASET_FILE_H
#define SK_DATASET_FILE_H

#include <stddef.h>

#include "base/row.h"
#include "store/id_set.h"

typedef enum sk_dataset_format {
    SK_DATASET_AUTO,  /* CSV for a name ending in .csv, else JSONL */
    SK_DATASET_JSONL, /* one row object per line */
    SK_DATASET_CSV    /* a header row, then one row per record */
} sk_dataset_format;

/* The format SK_DATASET_AUTO picks for `path`: CSV for a name ending in
 * .csv (any case), else JSONL. */
sk_dataset_format sk_dataset_format_of(const char *path);

typedef struct sk_dataset_file sk_dataset_file;

/* One row as read.  Values are JSON text, {NULL, 0} when absent (input
 * never is); all borrowed until the next call on the file. */
typedef struct sk_dataset_file_row {
    size_t line; /* where the row starts, for FILE:LINE messages (set for a bad
                  * row too; 0 when the error is not a row's) */
    const char *id;
    size_t id_len;
    int id_derived; /* the file gave no id: it is a hash of the row */
    sk_span input, expected, output, metadata, tags;
} sk_dataset_file_row;

/* Open `path` ("-": JSONL on standard input) and, for CSV, read and check
 * its header.  Returns 0 and a reader the caller frees with
 * sk_dataset_file_close, or a negative SK_E* code with *err set
 * ("FILE:LINE: what is wrong" for a bad header). */
int sk_dataset_file_open(sk_dataset_file **out, const char *path, sk_dataset_format fmt,
                         char **err);

/* The next row: 1 with *row filled, 0 at the end, or a negative SK_E* code
 * with *err set: SK_EPARSE and "FILE:LINE: what is wrong" for a bad row or
 * a duplicate id ("FILE:7: duplicate id \"q3\" (first on line 2)"), SK_EIO
 * for a read error. */
int sk_dataset_file_next(sk_dataset_file *f, sk_dataset_file_row *row, char **err);

/* Leave the duplicate-id check to the caller: the reader then keeps no id
 * (a set of every id grows with the file) and row->id_derived tells given
 * ids from derived ones.  Call before the first row. */
void sk_dataset_file_unchecked_ids(sk_dataset_file *f);

/* Start the second pass.  Returns 0, or a negative code with *err. */
int sk_dataset_file_rewind(sk_dataset_file *f, char **err);

/* The file's name for messages: the path, or "<stdin>".  Borrowed for the
 * reader's lifetime. */
const char *sk_dataset_file_name(const sk_dataset_file *f);

/* The top-level metadata keys the first pass saw, sorted, as a JSON array
 * of strings.  Borrowed until the next call on the file. */
const char *sk_dataset_file_meta_keys(sk_dataset_file *f);

/* What the first pass dropped from lines `scorekit export` writes (a
 * JSONL line with "trial" and "scores"): the cell's fields, each with the
 * rows that had it ("trial (4 rows), scores (4 rows), output (4 rows)"),
 * and the lines of trials after the first, which are skipped (the row is
 * the same).  NULL when nothing was dropped.  Borrowed until the next
 * call on the file. */
const char *sk_dataset_file_dropped(sk_dataset_file *f);

/* NULL is allowed. */
void sk_dataset_file_close(sk_dataset_file *f);

/* The checks an import makes on one JSONL row (the rules above), for any
 * reader of rows: `scorekit score` checks its lines with them, in
 * parallel.  `output_key` names the field that holds the output (NULL:
 * "output"; a row may then have "output" too).  With `need_output` the row
 * must have that field and may lack "input" (a missing input is null);
 * otherwise it must have "input".  On success writes the row's id, given
 * or derived (sk_row_derive_id), into *id (reset first; NUL-terminated but
 * may hold NUL bytes: use id->len) and sets *derived (may be NULL) when it
 * was derived.  On failure writes the reason, without file or line, into
 * msg and returns SK_EPARSE.  Thread-safe. */
int sk_dataset_row_check(const char *line, size_t len, const char *output_key, int need_output,
                         sk_buf *id, int *derived, char *msg, size_t msglen);

/* sk_dataset_row_check that also gives, on success, where the row's values
 * lie in `line` (borrowed from it), so a reader that checks a row need not
 * scan it again: values[] is id, input, the output (output_key's field),
 * expected and metadata, in that order; {NULL, 0} when absent.  An output
 * of null keeps its span ("null"); the others' nulls are absent. */
int sk_dataset_row_check_spans(const char *line, size_t len, const char *output_key,
                               int need_output, sk_buf *id, int *derived, sk_span values[5],
                               char *msg, size_t msglen);

#endif
