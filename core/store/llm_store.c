/*
 * The LLM client's tables: cache, usage log and their reports (see
 * llm_store.h).  Cache rows are keyed by the SHA-256 of a canonical form of
 * the request (computed by the client), so the key says nothing readable
 * about the prompt; provider, base URL and model are kept beside it for
 * stats and clearing.
 */
#include "store/llm_store.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/error.h"
#include "base/util.h"

struct sk_llm_store {
    sk_store *st;
    sk_stmt *get, *hit, *put, *log;
};

static int open_store(sk_store **st, const char *db_path, char **err)
{
    size_t n;
    const sk_migration *migs = sk_store_migrations(&n);
    return sk_store_open_with(st, db_path, migs, n, err);
}

int sk_llm_store_open(sk_llm_store **out, const char *db_path, char **err)
{
    *out = NULL;
    sk_llm_store *c = sk_xcalloc(1, sizeof *c);
    int rc = open_store(&c->st, db_path, err);
    if (!rc)
        rc = sk_store_prepare(c->st, &c->get,
                              "SELECT content, tool_args, prompt_tokens, completion_tokens, cost "
                              "FROM llm_cache WHERE key = ?",
                              err);
    if (!rc)
        rc = sk_store_prepare(c->st, &c->hit,
                              "UPDATE llm_cache SET hits = hits + 1, last_hit_at = " SK_SQL_NOW
                              " WHERE key = ?",
                              err);
    if (!rc)
        rc = sk_store_prepare(c->st, &c->put,
                              /* A fresh entry replaces an old one whole. */
                              "INSERT INTO llm_cache (key, provider, base_url, model, trial, "
                              "content, tool_args, prompt_tokens, completion_tokens, cost, bytes) "
                              "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (key) DO "
                              "UPDATE SET provider = excluded.provider, base_url = "
                              "excluded.base_url, model = excluded.model, trial = excluded.trial, "
                              "content = excluded.content, tool_args = excluded.tool_args, "
                              "prompt_tokens = excluded.prompt_tokens, completion_tokens = "
                              "excluded.completion_tokens, cost = excluded.cost, bytes = "
                              "excluded.bytes, hits = 0, created_at = excluded.created_at, "
                              "last_hit_at = NULL",
                              err);
    if (!rc)
        rc = sk_store_prepare(c->st, &c->log,
                              "INSERT INTO llm_calls (experiment_id, caller, provider, model, ok, "
                              "cached, attempts, prompt_tokens, completion_tokens, cost, "
                              "latency_ms, error) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                              err);
    if (rc) {
        sk_llm_store_close(c);
        return rc;
    }
    *out = c;
    return 0;
}

void sk_llm_store_close(sk_llm_store *c)
{
    if (!c)
        return;
    sk_db_finalize(c->get);
    sk_db_finalize(c->hit);
    sk_db_finalize(c->put);
    sk_db_finalize(c->log);
    sk_store_close(c->st);
    free(c);
}

void sk_llm_cached_clear(sk_llm_cached *e)
{
    free(e->content);
    free(e->tool_args_json);
    memset(e, 0, sizeof *e);
}

static void bind_text(sk_stmt *s, int i, const char *v)
{
    if (v)
        sk_db_bind_text(s, i, v, -1, SK_DB_TRANSIENT);
    else
        sk_db_bind_null(s, i);
}

static void bind_tokens(sk_stmt *s, int i, long v)
{
    if (v >= 0)
        sk_db_bind_int64(s, i, v);
    else
        sk_db_bind_null(s, i);
}

static long column_tokens(sk_stmt *s, int i)
{
    return sk_db_column_type(s, i) == SK_DB_NULL ? -1 : (long)sk_db_column_int64(s, i);
}

int sk_llm_store_get(sk_llm_store *c, const char *key, sk_llm_cached *e, int *found, char **err)
{
    memset(e, 0, sizeof *e);
    *found = 0;
    sk_db_bind_text(c->get, 1, key, -1, SK_DB_TRANSIENT);
    int step = sk_db_step(c->get);
    int rc = 0;
    if (step == SK_DB_ROW) {
        e->content = sk_store_column_dup(c->get, 0);
        e->tool_args_json = sk_store_column_dup(c->get, 1);
        e->prompt_tokens = column_tokens(c->get, 2);
        e->completion_tokens = column_tokens(c->get, 3);
        e->cost = sk_db_column_double(c->get, 4);
        *found = 1;
    } else if (step != SK_DB_DONE) {
        rc = sk_store_error(c->st, "reading the LLM cache", err);
    }
    sk_db_reset(c->get);
    sk_db_clear_bindings(c->get);
    if (*found) {
        sk_db_bind_text(c->hit, 1, key, -1, SK_DB_TRANSIENT);
        rc = sk_store_step_done(c->st, c->hit, "counting an LLM cache hit", err);
        sk_db_clear_bindings(c->hit);
    }
    if (rc)
        sk_llm_cached_clear(e), *found = 0;
    return rc;
}

int sk_llm_store_put(sk_llm_store *c, const sk_llm_cache_entry *e, char **err)
{
    const sk_llm_cached *r = e->reply;
    size_t bytes =
        (r->content ? strlen(r->content) : 0) + (r->tool_args_json ? strlen(r->tool_args_json) : 0);
    sk_stmt *s = c->put;
    bind_text(s, 1, e->key);
    bind_text(s, 2, e->provider);
    bind_text(s, 3, e->base_url);
    bind_text(s, 4, e->model);
    sk_db_bind_int64(s, 5, e->trial);
    bind_text(s, 6, r->content);
    bind_text(s, 7, r->tool_args_json);
    bind_tokens(s, 8, r->prompt_tokens);
    bind_tokens(s, 9, r->completion_tokens);
    sk_db_bind_double(s, 10, r->cost);
    sk_db_bind_int64(s, 11, (sk_int64)bytes);
    int rc = sk_store_step_done(c->st, s, "writing the LLM cache", err);
    sk_db_clear_bindings(s);
    return rc;
}

int sk_llm_store_log(sk_llm_store *c, const sk_llm_call_log *l, char **err)
{
    sk_stmt *s = c->log;
    bind_text(s, 1, l->experiment_id);
    bind_text(s, 2, l->caller);
    bind_text(s, 3, l->provider);
    bind_text(s, 4, l->model);
    sk_db_bind_int(s, 5, l->ok);
    sk_db_bind_int(s, 6, l->cached);
    sk_db_bind_int(s, 7, l->attempts);
    bind_tokens(s, 8, l->prompt_tokens);
    bind_tokens(s, 9, l->completion_tokens);
    sk_db_bind_double(s, 10, l->cost);
    sk_db_bind_double(s, 11, l->latency_ms);
    bind_text(s, 12, l->error);
    int rc = sk_store_step_done(c->st, s, "writing the LLM usage log", err);
    sk_db_clear_bindings(s);
    return rc;
}

int sk_llm_store_usage(sk_store *st, const char *exp_id, sk_llm_logged_usage *out, char **err)
{
    memset(out, 0, sizeof *out);
    sk_stmt *s = NULL;
    int rc =
        sk_store_prepare(st, &s,
                         "SELECT count(*), coalesce(sum(cached), 0), "
                         "coalesce(sum(CASE WHEN cached <> 0 THEN 0 ELSE prompt_tokens END), 0), "
                         "coalesce(sum(CASE WHEN cached <> 0 THEN 0 ELSE completion_tokens END), "
                         "0), coalesce(sum(CASE WHEN cached <> 0 THEN 0 ELSE cost END), 0) "
                         "FROM llm_calls WHERE experiment_id = ? AND ok = 1",
                         err);
    if (!rc) {
        sk_db_bind_text(s, 1, exp_id, -1, SK_DB_TRANSIENT);
        if (sk_db_step(s) == SK_DB_ROW) {
            out->calls = (long)sk_db_column_int64(s, 0);
            out->cached = (long)sk_db_column_int64(s, 1);
            out->prompt_tokens = (long)sk_db_column_int64(s, 2);
            out->completion_tokens = (long)sk_db_column_int64(s, 3);
            out->cost = sk_db_column_double(s, 4);
        } else {
            rc = sk_store_error(st, "reading the LLM usage log", err);
        }
    }
    sk_db_finalize(s);
    return rc;
}

static void cache_stat_from(sk_stmt *s, void *elem)
{
    sk_llm_cache_stat *r = elem;
    r->model = sk_store_column_dup(s, 0);
    r->entries = (long)sk_db_column_int64(s, 1);
    r->bytes = (long)sk_db_column_int64(s, 2);
    r->hits = (long)sk_db_column_int64(s, 3);
}

static void cache_stat_clear(void *elem)
{
    free(((sk_llm_cache_stat *)elem)->model);
}

int sk_llm_cache_stats(sk_store *st, sk_llm_cache_stat **rows, size_t *n, char **err)
{
    *rows = NULL;
    *n = 0;
    sk_stmt *s = NULL;
    /* The total first (model NULL), then each model by size. */
    int rc = sk_store_prepare(st, &s,
                              "SELECT NULL, count(*), coalesce(sum(bytes), 0), "
                              "coalesce(sum(hits), 0) FROM llm_cache "
                              "UNION ALL SELECT * FROM (SELECT model, count(*), sum(bytes), "
                              "sum(hits) FROM llm_cache GROUP BY model ORDER BY 3 DESC, 1) AS m",
                              err);
    if (rc)
        return rc;
    return sk_store_collect(st, s, sizeof **rows, cache_stat_from, cache_stat_clear,
                            "reading the LLM cache", (void **)rows, n, err);
}

void sk_llm_cache_stats_free(sk_llm_cache_stat *rows, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(rows[i].model);
    free(rows);
}

int sk_llm_calls_totals(sk_store *st, sk_llm_calls_total *out, char **err)
{
    memset(out, 0, sizeof *out);
    sk_stmt *s = NULL;
    int rc = sk_store_prepare(st, &s,
                              "SELECT coalesce(sum(ok), 0), "
                              "coalesce(sum(CASE WHEN ok <> 0 AND cached <> 0 THEN 1 END), 0), "
                              "coalesce(sum(CASE WHEN ok = 0 THEN 1 END), 0), "
                              "coalesce(sum(CASE WHEN ok <> 0 AND cached = 0 THEN cost END), 0) "
                              "FROM llm_calls",
                              err);
    if (rc)
        return rc;
    if (sk_db_step(s) == SK_DB_ROW) {
        out->calls = (long)sk_db_column_int64(s, 0);
        out->cached = (long)sk_db_column_int64(s, 1);
        out->failed = (long)sk_db_column_int64(s, 2);
        out->cost = sk_db_column_double(s, 3);
    } else {
        rc = sk_store_error(st, "reading the LLM usage log", err);
    }
    sk_db_finalize(s);
    return rc;
}

int sk_llm_cache_clear(sk_store *st, const char *model, double older_than_days, long *deleted,
                       char **err)
{
    *deleted = 0;
    sk_stmt *s = NULL;
    int rc = sk_store_prepare(st, &s,
                              "DELETE FROM llm_cache WHERE (?1 IS NULL OR model = ?1) AND "
                              "(?2 IS NULL OR created_at <= ?2)",
                              err);
    if (rc)
        return rc;
    bind_text(s, 1, model);
    /* The cut-off as the same ISO 8601 text created_at holds, which
     * sorts as it reads. */
    if (older_than_days >= 0) {
        char cut[32];
        time_t t = time(NULL) - (time_t)(older_than_days * 86400.0);
        struct tm tm;
        gmtime_r(&t, &tm);
        strftime(cut, sizeof cut, "%Y-%m-%dT%H:%M:%SZ", &tm);
        sk_db_bind_text(s, 2, cut, -1, SK_DB_TRANSIENT);
    } else {
        sk_db_bind_null(s, 2);
    }
    rc = sk_store_step_done(st, s, "clearing the LLM cache", err);
    if (!rc)
        *deleted = (long)sk_db_changes(sk_store_db(st));
    sk_db_finalize(s);
    return rc;
}
