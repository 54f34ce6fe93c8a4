/*
 * Storing parsed logs: all of them in one transaction, or none.  Shared by
 * `scorekit logs ingest` and the writer thread of `scorekit serve`.
 */
#ifndef SK_INGEST_H
#define SK_INGEST_H

#include <stddef.h>

#include "base/util.h"
#include "online/log_parse.h"
#include "store/store.h"

/* Insert logs[0..n) in one transaction; *added receives how many were new
 * (n - *added were duplicates, by id, of stored logs or of each other).
 * Returns 0, or a negative SK_E* code with *err, having written nothing. */
int sk_logs_store(sk_store *st, const sk_log *logs, size_t n, size_t *added, char **err);

/* The time `ago` seconds before now, as the logs table stores times. */
void sk_logs_time_ago(double ago, char out[32]);

/* A duration "90s", "15m", "1h", "7d" in seconds; -1 when it is none. */
double sk_duration_parse(const char *s);

/* The log as one line of the log row format (absent fields left out), the
 * form `logs ingest` reads and a stream entry carries.  Appended to out. */
void sk_log_to_json(const sk_log *l, sk_buf *out);

#endif
