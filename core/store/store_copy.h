/*
 * `scorekit store copy`: a project's whole history from one store to
 * another (SQLite to PostgreSQL and back, or between two of either).
 *
 * Table by table, parents first, each in one transaction of the
 * destination, so an interrupted copy leaves whole tables; copying again
 * skips each table the destination already holds identically and copies
 * the rest.  A table of the destination that holds other rows stops the
 * copy (nothing of a team's store is overwritten).  Every table is then
 * verified: its row count and a checksum of its rows (the sum of a hash
 * of each row's values, so neither side's order matters) must be equal on
 * both sides.
 */
#ifndef SK_STORE_COPY_H
#define SK_STORE_COPY_H

#include "store/store.h"

typedef struct sk_copy_table {
    const char *name; /* static */
    long long rows;
    unsigned long long checksum;
    int skipped; /* already there, identical */
} sk_copy_table;

/* Copy every table of `from` into `to` (both open, at the same schema
 * version) and verify them.  progress (may be NULL) is called after each
 * table.  Returns 0, or a negative SK_E* code with *err naming the table. */
int sk_store_copy(sk_store *from, sk_store *to, void (*progress)(void *ud, const sk_copy_table *t),
                  void *ud, char **err);

#endif
