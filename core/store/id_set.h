/*
 * The ids of a file's rows so far, each with the line it was first seen on:
 * the duplicate check `dataset import` and `scorekit score` share, with one
 * message for both ("duplicate id \"q3\" (first on line 2)").
 */
#ifndef SK_ID_SET_H
#define SK_ID_SET_H

#include <stddef.h>

#include "base/util.h"

/* Zero-initialise; free with sk_id_set_free.  Holds a copy of every id
 * (in blocks owned by the set). */
typedef struct sk_id_set {
    struct sk_id_entry *slots;
    size_t cap, count;
    char **blocks; /* the ids' bytes */
    size_t nblocks, block_used, block_size;
} sk_id_set;

/* Add `id` (len bytes, may hold NUL) seen on `line` (> 0).  Returns 0 when
 * it is new, else the line it was first seen on (and adds nothing). */
size_t sk_id_set_add(sk_id_set *s, const char *id, size_t len, size_t line);
void sk_id_set_free(sk_id_set *s);

/* Append the message for a duplicate: duplicate id "q3" (first on line 2),
 * and when the id was derived, why two rows without ids collide. */
void sk_id_dup_message(sk_buf *out, const char *id, size_t len, size_t first_line, int derived);

#endif
