/*
 * The duplicate-id check of `score` and `dataset import` in bounded memory.
 *
 * Ids are checked exactly while they fit a window (a hash table with the
 * ids' bytes): a duplicate is reported as its line is added, as before.
 * When the window fills, its entries (64-bit hash, line) are sorted and
 * written to a temporary file as a run, with the ids beside them, and the
 * check of later lines is deferred to sk_idcheck_finish, which merges the
 * runs and compares the ids of equal hashes byte for byte, so a hash
 * collision is never a duplicate.  Memory stays near the window's size
 * whatever the number of rows; the disk holds ~24 bytes plus the id per row.
 */
#ifndef SK_IDCHECK_H
#define SK_IDCHECK_H

#include <stddef.h>
#include <stdint.h>

#include "base/util.h"

typedef struct sk_idcheck sk_idcheck;

typedef uint64_t (*sk_idcheck_hash)(const void *id, size_t len);

typedef struct sk_iddup {
    size_t line;  /* the repeated id's line */
    size_t first; /* the line it was first on */
    uint64_t ref; /* where its bytes are, for sk_idcheck_dup_id */
} sk_iddup;

/* window: ids held in memory before spilling (0: the default, 16384).
 * hash: NULL for FNV-1a; tests pass one that collides.  Free with
 * sk_idcheck_free. */
sk_idcheck *sk_idcheck_new(size_t window, sk_idcheck_hash hash);
void sk_idcheck_free(sk_idcheck *c);

/* Add the id of `line` (lines ascending).  *first is the line an equal id
 * was added on when that is known now, else 0 (and the id is kept).
 * Returns 0 or SK_EIO with *err (the temporary file). */
int sk_idcheck_add(sk_idcheck *c, const char *id, size_t len, size_t line, size_t *first,
                   char **err);

/* Whether some check was deferred to sk_idcheck_finish. */
int sk_idcheck_deferred(const sk_idcheck *c);

/* Find the deferred duplicates among every id added: *dups (owned by c,
 * valid until sk_idcheck_free) is ascending by line.  Call once, after the
 * last add.  Returns 0 or SK_EIO with *err. */
int sk_idcheck_finish(sk_idcheck *c, const sk_iddup **dups, size_t *n, char **err);

/* Append the bytes of a duplicate's id to out.  Returns 0 or SK_EIO. */
int sk_idcheck_dup_id(sk_idcheck *c, const sk_iddup *d, sk_buf *out, char **err);

#endif
