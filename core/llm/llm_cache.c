/*
 * The response cache and usage log of the LLM client (see llm_cache.h): the
 * store's tables (store/llm_store.c) behind one lock, so the client's
 * worker threads can share one connection.
 */
#define _POSIX_C_SOURCE 200809L
#include "llm/llm_cache.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "base/util.h"

struct sk_llm_cache {
    pthread_mutex_t mu;
    sk_llm_store *s;
};

int sk_llm_cache_open(sk_llm_cache **out, const char *db_path, char **err)
{
    *out = NULL;
    sk_llm_store *s = NULL;
    int rc = sk_llm_store_open(&s, db_path, err);
    if (rc)
        return rc;
    sk_llm_cache *c = sk_xcalloc(1, sizeof *c);
    pthread_mutex_init(&c->mu, NULL);
    c->s = s;
    *out = c;
    return 0;
}

void sk_llm_cache_close(sk_llm_cache *c)
{
    if (!c)
        return;
    sk_llm_store_close(c->s);
    pthread_mutex_destroy(&c->mu);
    free(c);
}

int sk_llm_cache_get(sk_llm_cache *c, const char *key, sk_llm_cached *e, int *found, char **err)
{
    pthread_mutex_lock(&c->mu);
    int rc = sk_llm_store_get(c->s, key, e, found, err);
    pthread_mutex_unlock(&c->mu);
    return rc;
}

int sk_llm_cache_put(sk_llm_cache *c, const sk_llm_cache_entry *e, char **err)
{
    pthread_mutex_lock(&c->mu);
    int rc = sk_llm_store_put(c->s, e, err);
    pthread_mutex_unlock(&c->mu);
    return rc;
}

int sk_llm_cache_log(sk_llm_cache *c, const sk_llm_call_log *l, char **err)
{
    pthread_mutex_lock(&c->mu);
    int rc = sk_llm_store_log(c->s, l, err);
    pthread_mutex_unlock(&c->mu);
    return rc;
}

int sk_llm_usage_in(sk_store *st, const char *exp_id, sk_llm_usage *out, char **err)
{
    sk_llm_logged_usage u;
    int rc = sk_llm_store_usage(st, exp_id, &u, err);
    memset(out, 0, sizeof *out);
    if (rc == SK_OK) {
        out->calls = u.calls;
        out->cached = u.cached;
        out->prompt_tokens = u.prompt_tokens;
        out->completion_tokens = u.completion_tokens;
        out->cost = u.cost;
    }
    return rc;
}
