/* Whole-file reads and writes, and path helpers, for configuration files
 * and the files the command writes (projects, scorer templates, reports). */
#ifndef SK_FILEUTIL_H
#define SK_FILEUTIL_H

#include <stddef.h>
#include <stdio.h>

/* Read the whole file (NUL-terminated; *len excludes the NUL).  Caller
 * frees *out.  Files over 64 MiB are refused: configuration, not data. */
int sk_read_file(const char *path, char **out, size_t *len, char **err);

/* A file being written: text goes to a temporary file beside the target
 * (same folder, so the final rename never crosses file systems), which
 * replaces the target only once it is complete and on disk.  A crash or
 * a full disk leaves the old file (or none), never a part of one. */
typedef struct sk_out_file {
    FILE *f;    /* write here; owned by the sk_out_file */
    char *path; /* the target */
    char *tmp;  /* the temporary file */
    char *buf;  /* what was written to f, until commit */
    size_t len;
} sk_out_file;

/* SK_WRITE_NEW: refuse (SK_EINVAL, nothing written) when the target
 * exists, decided atomically when the target is put in place. */
#define SK_WRITE_NEW 1u

/* Create the temporary file for `path`.  On failure nothing is left
 * behind and *err names the file and the system's reason. */
int sk_out_file_open(sk_out_file *o, const char *path, char **err);

/* Flush, fsync and close the temporary file, then put it in place
 * (rename; with SK_WRITE_NEW a link that fails when the target exists).
 * On failure, or when writing to o->f failed earlier, the temporary file
 * is removed, the target is untouched, and *err says why ("No space left
 * on device").  Either way `o` is finished with: do not abort it after. */
int sk_out_file_commit(sk_out_file *o, unsigned flags, char **err);

/* Give up: close and remove the temporary file.  Safe on a zeroed or
 * finished sk_out_file. */
void sk_out_file_abort(sk_out_file *o);

/* Write len bytes to path through sk_out_file (see above). */
int sk_write_file(const char *path, const void *data, size_t len, unsigned flags, char **err);

/* `rel` resolved against the folder holding `base_file` (absolute `rel`
 * is returned as is).  Caller frees. */
char *sk_path_beside(const char *base_file, const char *rel);

/* 1 when path exists and is a regular file / a directory. */
int sk_is_file(const char *path);
int sk_is_dir(const char *path);

#endif
