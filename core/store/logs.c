/* The logs table (see logs.h). */
#include "store/logs.h"

#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "base/util.h"

void sk_log_init(sk_log *l)
{
    memset(l, 0, sizeof *l);
    l->latency_ms = -1;
    l->cost = -1;
    l->input_tokens = -1;
    l->output_tokens = -1;
}

void sk_log_clear(sk_log *l)
{
    free(l->id);
    free(l->time);
    free(l->input_json);
    free(l->output_json);
    free(l->expected_json);
    free(l->metadata_json);
    free(l->trace_id);
    free(l->span_id);
    free(l->model);
    sk_log_init(l);
}

void sk_logs_free(sk_log *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        sk_log_clear(&v[i]);
    free(v);
}

static void bind_text(sk_stmt *s, int i, const char *v)
{
    if (v)
        sk_db_bind_text(s, i, v, -1, SK_DB_STATIC);
    else
        sk_db_bind_null(s, i);
}

static void bind_real(sk_stmt *s, int i, double v)
{
    if (v >= 0)
        sk_db_bind_double(s, i, v);
    else
        sk_db_bind_null(s, i);
}

static void bind_count(sk_stmt *s, int i, long long v)
{
    if (v >= 0)
        sk_db_bind_int64(s, i, v);
    else
        sk_db_bind_null(s, i);
}

static const char insert_sql[] =
    "INSERT INTO logs (id, time, input_json, output_json, expected_json, metadata_json, "
    "trace_id, span_id, model, latency_ms, input_tokens, output_tokens, cost, seq) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
    "(SELECT coalesce(max(seq), 0) + 1 FROM logs)) ON CONFLICT (id) DO NOTHING";

int sk_logs_insert(sk_store *st, const sk_log *logs, size_t n, size_t *added, char **err)
{
    *added = 0;
    sk_stmt *s = NULL;
    int rc = sk_store_cached(st, &s, insert_sql, err);
    for (size_t i = 0; rc == SK_OK && i < n; i++) {
        const sk_log *l = &logs[i];
        bind_text(s, 1, l->id);
        bind_text(s, 2, l->time);
        bind_text(s, 3, l->input_json);
        bind_text(s, 4, l->output_json);
        bind_text(s, 5, l->expected_json);
        bind_text(s, 6, l->metadata_json);
        bind_text(s, 7, l->trace_id);
        bind_text(s, 8, l->span_id);
        bind_text(s, 9, l->model);
        bind_real(s, 10, l->latency_ms);
        bind_count(s, 11, l->input_tokens);
        bind_count(s, 12, l->output_tokens);
        bind_real(s, 13, l->cost);
        char *what = sk_asprintf("storing log %s", l->id);
        rc = sk_store_step_done(st, s, what, err);
        free(what);
        if (rc == SK_OK)
            *added += (size_t)sk_db_changes(sk_store_db(st));
    }
    if (s)
        sk_db_clear_bindings(s);
    return rc;
}

#define LOG_COLUMNS                                                                                \
    "id, time, input_json, output_json, expected_json, metadata_json, trace_id, span_id, model, "  \
    "latency_ms, input_tokens, output_tokens, cost, seq"

static const char list_sql[] = "SELECT " LOG_COLUMNS " FROM logs "
                               "WHERE time >= ?1 ORDER BY time DESC, id DESC LIMIT ?2";

static const char after_sql[] = "SELECT " LOG_COLUMNS " FROM logs "
                                "WHERE seq > ?1 ORDER BY seq LIMIT ?2";

static double col_real(sk_stmt *s, int i)
{
    return sk_db_column_type(s, i) == SK_DB_NULL ? -1 : sk_db_column_double(s, i);
}

static long long col_count(sk_stmt *s, int i)
{
    return sk_db_column_type(s, i) == SK_DB_NULL ? -1 : sk_db_column_int64(s, i);
}

/* The logs a statement with LOG_COLUMNS selects, bound already. */
static int read_logs(sk_store *st, sk_stmt *s, sk_log **out, size_t *n, char **err)
{
    int rc = SK_OK;
    size_t cap = 0;
    int step;
    while ((step = sk_db_step(s)) == SK_DB_ROW) {
        if (*n == cap) {
            cap = cap ? cap * 2 : 16;
            *out = sk_xrealloc(*out, cap * sizeof **out);
        }
        sk_log *l = &(*out)[(*n)++];
        sk_log_init(l);
        l->id = sk_store_column_dup(s, 0);
        l->time = sk_store_column_dup(s, 1);
        l->input_json = sk_store_column_dup(s, 2);
        l->output_json = sk_store_column_dup(s, 3);
        l->expected_json = sk_store_column_dup(s, 4);
        l->metadata_json = sk_store_column_dup(s, 5);
        l->trace_id = sk_store_column_dup(s, 6);
        l->span_id = sk_store_column_dup(s, 7);
        l->model = sk_store_column_dup(s, 8);
        l->latency_ms = col_real(s, 9);
        l->input_tokens = col_count(s, 10);
        l->output_tokens = col_count(s, 11);
        l->cost = col_real(s, 12);
        l->seq = sk_db_column_int64(s, 13);
    }
    if (step != SK_DB_DONE) {
        rc = sk_store_error(st, "listing logs", err);
        sk_logs_free(*out, *n);
        *out = NULL;
        *n = 0;
    }
    return rc;
}

int sk_logs_list(sk_store *st, const char *since, size_t limit, sk_log **out, size_t *n, char **err)
{
    *out = NULL;
    *n = 0;
    sk_stmt *s = NULL;
    int rc = sk_store_prepare(st, &s, list_sql, err);
    if (rc)
        return rc;
    sk_db_bind_text(s, 1, since ? since : "", -1, SK_DB_STATIC);
    sk_db_bind_int64(s, 2, limit ? (sk_int64)limit : INT64_MAX); /* no limit */
    rc = read_logs(st, s, out, n, err);
    sk_db_finalize(s);
    return rc;
}

int sk_logs_after(sk_store *st, int64_t seq, size_t limit, sk_log **out, size_t *n, char **err)
{
    *out = NULL;
    *n = 0;
    sk_stmt *s = NULL;
    int rc = sk_store_prepare(st, &s, after_sql, err);
    if (rc)
        return rc;
    sk_db_bind_int64(s, 1, seq);
    sk_db_bind_int64(s, 2, limit ? (sk_int64)limit : INT64_MAX); /* no limit */
    rc = read_logs(st, s, out, n, err);
    sk_db_finalize(s);
    return rc;
}

int sk_logs_count(sk_store *st, long long *n, char **err)
{
    sk_stmt *s = NULL;
    int rc = sk_store_prepare(st, &s, "SELECT count(*) FROM logs", err);
    if (rc)
        return rc;
    if (sk_db_step(s) == SK_DB_ROW)
        *n = sk_db_column_int64(s, 0);
    else
        rc = sk_store_error(st, "counting logs", err);
    sk_db_finalize(s);
    return rc;
}
