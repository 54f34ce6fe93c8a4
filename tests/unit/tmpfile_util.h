/*
 * Temporary files for tests of code that reads real files (packs, JSONL
 * rows): write the bytes to a fresh file under /tmp, hand back its path,
 * and remove it again when the test is done.
 */
#ifndef SK_TMPFILE_UTIL_H
#define SK_TMPFILE_UTIL_H

#include <stddef.h>

/* Write n bytes of data to a new file under /tmp and return its path; a
 * failure fails the test.  Give the path to sk_tmp_remove when done. */
char *sk_tmp_write(const void *data, size_t n);

/* Unlink the file and free the path. */
void sk_tmp_remove(char *path);

#endif
