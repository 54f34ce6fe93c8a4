/* What dataset.c shares with the other writers of dataset versions
 * (dataset_grow.c), and nothing else includes.  All run inside the
 * caller's transaction. */
#ifndef SK_DATASET_PRIV_H
#define SK_DATASET_PRIV_H

#include <stddef.h>
#include <stdint.h>

#include "store/dataset.h"

/* The id of dataset `name`, made when new; -1 with *err on failure. */
int64_t sk_dataset__id(sk_store *st, const char *name, char **err);

/* A new version of dataset ds, numbered next; its id, or -1 with *err. */
int64_t sk_dataset__add_version(sk_store *st, int64_t ds, const char *source, size_t count,
                                const char *meta_keys, char **err);

/* Version vid as sk_dataset_resolve describes it (clear *out). */
int sk_dataset__load_version(sk_store *st, int64_t vid, sk_dataset_version *out, char **err);

/* Copy to version vid the provenance (dataset_grow.h) the dataset's
 * previous version had for every row vid holds with the same id, input
 * and expected: an import of a file `dataset add` appended to keeps it. */
int sk_dataset__carry_provenance(sk_store *st, int64_t vid, char **err);

#endif
