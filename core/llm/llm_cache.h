/*
 * The LLM client's response cache and usage log, over the store's tables
 * (store/llm_store.h, which also declares the cache's plain types and the
 * reports `scorekit cache` prints).  The client keeps one SQLite connection
 * for both behind a mutex, so any number of worker threads may use one
 * sk_llm_cache.
 */
#ifndef SK_LLM_CACHE_H
#define SK_LLM_CACHE_H

#include <stddef.h>

#include "llm/llm_types.h"
#include "store/llm_store.h"
#include "store/store.h"

typedef struct sk_llm_cache sk_llm_cache;

/* Open (and migrate) the store at db_path.  Caller frees with
 * sk_llm_cache_close.  Returns 0 or SK_E* with *err. */
int sk_llm_cache_open(sk_llm_cache **out, const char *db_path, char **err);
void sk_llm_cache_close(sk_llm_cache *c);

/* Look key up: returns 0 with *found 1 and *e filled (and the entry's hit
 * counted) or *found 0; SK_EIO with *err on a database error. */
int sk_llm_cache_get(sk_llm_cache *c, const char *key, sk_llm_cached *e, int *found, char **err);

/* Store a successful reply under key (replacing an entry already there). */
int sk_llm_cache_put(sk_llm_cache *c, const sk_llm_cache_entry *e, char **err);

/* Append one row to the usage log. */
int sk_llm_cache_log(sk_llm_cache *c, const sk_llm_call_log *l, char **err);

/* The usage recorded for an experiment (see sk_llm_usage), read on a store
 * the caller has open. */
int sk_llm_usage_in(sk_store *st, const char *exp_id, sk_llm_usage *out, char **err);

#endif
