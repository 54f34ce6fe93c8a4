/*
 * A streaming CSV reader (RFC 4180).  It hands out one record at a time as
 * an array of fields in a reusable buffer, so memory follows the longest
 * record, not the file.  Accepted: fields in double quotes (which may hold
 * commas, doubled quotes and line breaks), LF or CRLF line endings, a UTF-8
 * byte order mark at the start, a last record without a line ending.  Lines
 * that are completely empty are skipped.  A quote inside an unquoted field
 * is kept as text (common in hand-written files); anything but a comma or a
 * line ending after a closing quote is an error, as is a quote never closed.
 * The reader does not interpret the bytes: checking the text is the
 * caller's business.
 */
#ifndef SK_CSV_H
#define SK_CSV_H

#include <stddef.h>

typedef struct sk_csv sk_csv;

/* One field of a record: its bytes (NUL-terminated, but may hold NUL bytes:
 * use n) and whether it was quoted. */
typedef struct sk_csv_field {
    const char *p;
    size_t n;
    int quoted;
} sk_csv_field;

/* The default limit on one record's size in bytes. */
#define SK_CSV_MAX_RECORD ((size_t)256 << 20)

/* Open `path` for reading.  Returns 0 and a reader the caller frees with
 * sk_csv_close, or SK_ENOTFOUND / SK_EIO with *err set. */
int sk_csv_open(sk_csv **out, const char *path, char **err);

/* The next record.  *fields points at *nfields fields, borrowed until the
 * next call on `c`; *lineno is the 1-based line the record starts on.
 * Returns 1 for a record, 0 at the end of the input, or a negative SK_E*
 * code with *err set ("FILE:LINE: what is wrong"): SK_EPARSE for a bad
 * quote or a record over the limit, SK_EIO for a read error.  An error is
 * sticky until sk_csv_rewind. */
int sk_csv_next(sk_csv *c, const sk_csv_field **fields, size_t *nfields, size_t *lineno,
                char **err);

/* Start again from the first record.  Returns 0, or SK_EIO with *err. */
int sk_csv_rewind(sk_csv *c, char **err);

/* The longest accepted record in bytes (default SK_CSV_MAX_RECORD). */
void sk_csv_set_max_record(sk_csv *c, size_t max);

/* The path, for messages; borrowed for the reader's lifetime. */
const char *sk_csv_path(const sk_csv *c);

/* Close and free; NULL is allowed. */
void sk_csv_close(sk_csv *c);

#endif
