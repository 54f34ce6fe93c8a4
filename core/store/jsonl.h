/*
 * A streaming line reader for JSONL files.  It hands out one row's bytes at
 * a time from a single reusable buffer, so memory follows the longest line,
 * not the file, and it can rewind any input (a pipe included) for commands
 * that validate a whole file before scoring it.
 */
#ifndef SK_JSONL_H
#define SK_JSONL_H

#include <stddef.h>

typedef struct sk_jsonl sk_jsonl;

/* The default limit on one line's length (bytes, without the line ending). */
#define SK_JSONL_MAX_LINE ((size_t)256 << 20)

/* Open `path` for reading; "-" means standard input (which is not closed by
 * sk_jsonl_close).  A non-seekable input (pipe, FIFO, terminal) is spooled to
 * an anonymous temporary file as it is first read, so sk_jsonl_rewind works
 * on every input.  Returns 0 and a reader the caller frees with
 * sk_jsonl_close, or SK_ENOTFOUND (no such file) / SK_EIO with *err set. */
int sk_jsonl_open(sk_jsonl **out, const char *path, char **err);

/* Same, on an already open descriptor, read from its current offset.  `fd`
 * is borrowed: the caller closes it after sk_jsonl_close.  `name` is used in
 * messages (copied). */
int sk_jsonl_open_fd(sk_jsonl **out, int fd, const char *name, char **err);

/* The next non-blank line.  *line points at its bytes, NUL-terminated and
 * borrowed until the next call on `r`; *len is its length without the line
 * ending (a trailing CR is removed too).  A UTF-8 byte order mark at the start
 * of the input is skipped, and lines made only of spaces and tabs are skipped.
 * *lineno is the 1-based physical line number (blank lines count) for
 * FILE:LINE messages.  A last line without a newline is still returned.
 * Returns 1 for a line, 0 at the end of the input, or a negative SK_E* code
 * with *err set: SK_EIO for a read error, SK_EPARSE for a line longer than
 * the limit.  An error is sticky until sk_jsonl_rewind. */
int sk_jsonl_next(sk_jsonl *r, const char **line, size_t *len, size_t *lineno, char **err);

/* Start again from the first line (for a second pass after validating).
 * Returns 0, or SK_EIO with *err set. */
int sk_jsonl_rewind(sk_jsonl *r, char **err);

/* The longest accepted line (default SK_JSONL_MAX_LINE); a longer one is an
 * SK_EPARSE error "FILE:LINE: line is longer than N bytes". */
void sk_jsonl_set_max_line(sk_jsonl *r, size_t max);

/* The name used in messages: the path, or "<stdin>" for "-".  Borrowed for
 * the reader's lifetime. */
const char *sk_jsonl_path(const sk_jsonl *r);

/* Close the reader and free it; NULL is allowed. */
void sk_jsonl_close(sk_jsonl *r);

#endif
