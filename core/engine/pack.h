/*
 * Scorer packs: a JSON manifest naming scorers, their params, pass
 * thresholds and weights.
 *
 *   {"name": "qa", "version": "1", "description": "...",
 *    "scorers": [{"use": "levenshtein", "as": "similarity",
 *                 "params": {...}, "threshold": 0.8, "weight": 2}, ...]}
 *
 * Loading resolves every entry against the registry and checks its params,
 * so a pack that loads can be opened; opening (sk_pack_open) runs each
 * scorer's own open() so bad params fail before any row is scored.
 */
#ifndef SK_PACK_H
#define SK_PACK_H

#include <stddef.h>

#include "base/reducer.h"
#include "engine/engine.h"
#include "engine/registry.h"

typedef struct sk_pack_entry {
    char *name;        /* display name: "as", else "use" */
    char *use;         /* as written in the pack */
    char *params_json; /* complete params, defaults filled in */
    int has_threshold;
    double threshold;   /* in [0,1] when has_threshold */
    double weight;      /* >= 0, default 1 */
    sk_reducer reducer; /* "reducer": the row's verdict across trials */
    const sk_engine_ops *ops;
    const void *impl; /* engine's scorer description (borrowed from the registry) */
    unsigned flags;   /* SK_SCORER_* */
    const char *summary;
    char *origin; /* "plugin heuristic 1.0 (/path/heuristic.so)" */
} sk_pack_entry;

typedef struct sk_pack {
    char *name, *version, *path; /* path is NULL for an ad hoc pack */
    size_t n;
    sk_pack_entry *entries;
    const sk_registry *reg;  /* borrowed: what the pack was loaded with */
    sk_engine_lookup lookup; /* the scorers its scorers may call */
} sk_pack;

/* Load the pack file at path.  Errors say FILE:LINE or FILE: scorer #N
 * (name).  The registry must outlive the pack.  Free with sk_pack_free. */
int sk_pack_load(sk_pack **out, const char *path, const sk_registry *reg, char **err);

/* Parse a pack from JSON text; `path` names it in messages. */
int sk_pack_parse(sk_pack **out, const char *text, size_t len, const char *path,
                  const sk_registry *reg, char **err);

/* An ad hoc pack of scorers by name with default params (`--scorer`). */
int sk_pack_from_names(sk_pack **out, const char *const *uses, size_t n, const sk_registry *reg,
                       char **err);

/* Open instance i of every entry with `host` (borrowed; it must outlive
 * the states): states[i] receives entry i's state.  On failure every
 * state opened so far is closed. */
int sk_pack_open(const sk_pack *pack, sk_host_ctx *host, void **states, char **err);
void sk_pack_close(const sk_pack *pack, sk_host_ctx *host, void **states);

/* States for running the pack on several threads.  Thread-safe scorers
 * are opened once with the run's host and shared (sk_pack_open_shared:
 * *shared gets one slot per entry, NULL for the others); every worker then
 * gets its own states for the rest, opened with its own host
 * (sk_pack_open_worker fills states[i] for each entry, borrowing the
 * shared ones).  Close each with the host it was opened with.  On failure
 * nothing stays open. */
int sk_pack_open_shared(const sk_pack *pack, sk_host_ctx *host, void ***shared, char **err);
int sk_pack_open_worker(const sk_pack *pack, sk_host_ctx *host, void *const *shared, void **states,
                        char **err);
void sk_pack_close_worker(const sk_pack *pack, sk_host_ctx *host, void **states);
void sk_pack_close_shared(const sk_pack *pack, sk_host_ctx *host, void **shared);

/* The pack's content as canonical JSON (for hashing and snapshots); caller
 * frees. */
char *sk_pack_describe(const sk_pack *pack);

void sk_pack_free(sk_pack *pack);

#endif
