/*
 * The LLM client's tables in the project store, as plain data: the
 * response cache (llm_cache: one row per distinct request and trial,
 * holding a successful, non-empty reply) and the usage log (llm_calls: one
 * row per call, cached or not, with tokens, cost and the experiment it
 * belongs to).  The client (llm/llm_cache.c) wraps an sk_llm_store in its
 * own lock; the store knows nothing of requests or providers beyond the
 * strings it is given.
 */
#ifndef SK_LLM_STORE_H
#define SK_LLM_STORE_H

#include <stddef.h>

#include "store/store.h"

/* One connection to the store with the cache's statements prepared.  Like
 * an sk_store, one thread at a time. */
typedef struct sk_llm_store sk_llm_store;

/* Open (and migrate) the store at db_path.  Caller frees with
 * sk_llm_store_close.  Returns 0 or SK_E* with *err. */
int sk_llm_store_open(sk_llm_store **out, const char *db_path, char **err);
void sk_llm_store_close(sk_llm_store *s); /* NULL is allowed */

/* What the cache holds for one request; strings owned by the entry. */
typedef struct sk_llm_cached {
    char *content, *tool_args_json;
    long prompt_tokens, completion_tokens; /* -1: unknown */
    double cost;
} sk_llm_cached;
void sk_llm_cached_clear(sk_llm_cached *e);

/* Look key up: returns 0 with *found 1 and *e filled (and the entry's hit
 * counted) or *found 0; SK_EIO with *err on a database error. */
int sk_llm_store_get(sk_llm_store *s, const char *key, sk_llm_cached *e, int *found, char **err);

/* Store a successful reply under key (replacing an entry already there).
 * Everything is borrowed for the call. */
typedef struct sk_llm_cache_entry {
    const char *key, *provider, *base_url, *model;
    unsigned trial;
    const sk_llm_cached *reply;
} sk_llm_cache_entry;
int sk_llm_store_put(sk_llm_store *s, const sk_llm_cache_entry *e, char **err);

/* One row of the usage log; everything borrowed for the call. */
typedef struct sk_llm_call_log {
    const char *experiment_id, *caller, *provider, *model; /* any may be NULL */
    int ok, cached, attempts;
    long prompt_tokens, completion_tokens; /* -1: unknown */
    double cost, latency_ms;
    const char *error; /* with ok 0 */
} sk_llm_call_log;
int sk_llm_store_log(sk_llm_store *s, const sk_llm_call_log *l, char **err);

/* The successful calls logged against experiment exp_id: how many, how
 * many came from the cache, and the tokens and cost of the others. */
typedef struct sk_llm_logged_usage {
    long calls, cached, prompt_tokens, completion_tokens;
    double cost;
} sk_llm_logged_usage;
int sk_llm_store_usage(sk_store *st, const char *exp_id, sk_llm_logged_usage *out, char **err);

/* `scorekit cache stats`: per model, entries, bytes of stored replies and
 * hits; the model is NULL in the total row.  Caller frees with
 * sk_llm_cache_stats_free. */
typedef struct sk_llm_cache_stat {
    char *model;
    long entries, bytes, hits;
} sk_llm_cache_stat;
int sk_llm_cache_stats(sk_store *st, sk_llm_cache_stat **rows, size_t *n, char **err);
void sk_llm_cache_stats_free(sk_llm_cache_stat *rows, size_t n);

/* Totals of the usage log: successful calls, those served from the cache,
 * failed calls, and the cost of the uncached ones. */
typedef struct sk_llm_calls_total {
    long calls, cached, failed;
    double cost;
} sk_llm_calls_total;
int sk_llm_calls_totals(sk_store *st, sk_llm_calls_total *out, char **err);

/* `scorekit cache clear`: delete the entries of `model` (NULL: all) that
 * were stored more than older_than_days ago (< 0: any age); *deleted gets
 * how many went. */
int sk_llm_cache_clear(sk_store *st, const char *model, double older_than_days, long *deleted,
                       char **err);

#endif
