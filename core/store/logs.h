/*
 * The logs table: production interactions ingested by `scorekit logs
 * ingest` and `scorekit serve`.  A log's id is its key: storing the same id
 * again is a no-op, counted as a duplicate.
 */
#ifndef SK_LOGS_H
#define SK_LOGS_H

#include <stddef.h>
#include <stdint.h>

#include "store/store.h"

/* One log.  Every string is owned by the struct (sk_log_clear frees them);
 * the *_json fields hold JSON text; NULL means absent.  Numbers that are
 * absent are negative (latency_ms, cost) or -1 (tokens). */
typedef struct sk_log {
    char *id;
    char *time; /* UTC, "YYYY-MM-DDTHH:MM:SS.mmmZ" */
    char *input_json, *output_json, *expected_json, *metadata_json;
    char *trace_id, *span_id; /* lowercase hex, or NULL */
    char *model;
    double latency_ms, cost;
    long long input_tokens, output_tokens;
    int64_t seq; /* the order logs were stored in, 1 up; 0 until stored */
} sk_log;

/* A log with every field absent. */
void sk_log_init(sk_log *l);
void sk_log_clear(sk_log *l);

/* Insert logs[0..n) unless their id is stored already, in the caller's
 * transaction (sk_store_begin) or each on its own.  *added receives how
 * many were new (the rest were duplicates).  Returns 0, or SK_EIO with
 * *err naming the log id. */
int sk_logs_insert(sk_store *st, const sk_log *logs, size_t n, size_t *added, char **err);

/* The logs at or after `since` (a time as stored; NULL: all), newest
 * first, at most `limit` (0: no limit).  *out receives an array the caller
 * frees with sk_logs_free. */
int sk_logs_list(sk_store *st, const char *since, size_t limit, sk_log **out, size_t *n,
                 char **err);
void sk_logs_free(sk_log *v, size_t n);

/* The logs stored after the one numbered seq (sk_log.seq), in the order
 * they were stored, at most limit (0: no limit). */
int sk_logs_after(sk_store *st, int64_t seq, size_t limit, sk_log **out, size_t *n, char **err);

/* How many logs are stored. */
int sk_logs_count(sk_store *st, long long *n, char **err);

#endif
