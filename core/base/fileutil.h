/* Whole-file reads and path helpers for configuration files. */
#ifndef SK_FILEUTIL_H
#define SK_FILEUTIL_H

#include <stddef.h>

/* Read the whole file (NUL-terminated; *len excludes the NUL).  Caller
 * frees *out.  Files over 64 MiB are refused: configuration, not data. */
int sk_read_file(const char *path, char **out, size_t *len, char **err);

/* `rel` resolved against the folder holding `base_file` (absolute `rel`
 * is returned as is).  Caller frees. */
char *sk_path_beside(const char *base_file, const char *rel);

/* 1 when path exists and is a regular file / a directory. */
int sk_is_file(const char *path);
int sk_is_dir(const char *path);

#endif
