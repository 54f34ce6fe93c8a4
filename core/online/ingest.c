/* Storing logs in one transaction (see ingest.h). */
#include "online/ingest.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/error.h"
#include "store/logs.h"

int sk_logs_store(sk_store *st, const sk_log *logs, size_t n, size_t *added, char **err)
{
    *added = 0;
    int rc = sk_store_begin(st, err);
    if (rc)
        return rc;
    rc = sk_logs_insert(st, logs, n, added, err);
    if (rc == SK_OK)
        rc = sk_store_commit(st, err);
    if (rc) {
        sk_store_rollback(st);
        *added = 0;
    }
    return rc;
}

void sk_logs_time_ago(double ago, char out[32])
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    double now = (double)ts.tv_sec + ts.tv_nsec / 1e9 - ago;
    sk_log_time_from_ns(now > 0 ? (unsigned long long)(now * 1e9) : 0, out);
}

double sk_duration_parse(const char *s)
{
    char *end;
    double v = strtod(s, &end);
    if (end == s || v < 0 || end[0] == 0 || end[1] != 0)
        return -1;
    switch (end[0]) {
    case 's': return v;
    case 'm': return v * 60;
    case 'h': return v * 3600;
    case 'd': return v * 86400;
    default: return -1;
    }
}

static void add_text(sk_buf *b, const char *key, const char *s)
{
    if (!s)
        return;
    sk_buf_printf(b, ",\"%s\":", key);
    sk_buf_add_json_string(b, s, strlen(s));
}

static void add_raw(sk_buf *b, const char *key, const char *json)
{
    if (json)
        sk_buf_printf(b, ",\"%s\":%s", key, json);
}

void sk_log_to_json(const sk_log *l, sk_buf *out)
{
    sk_buf_adds(out, "{\"id\":");
    sk_buf_add_json_string(out, l->id, strlen(l->id));
    add_text(out, "time", l->time);
    add_raw(out, "input", l->input_json);
    add_raw(out, "output", l->output_json);
    add_raw(out, "expected", l->expected_json);
    add_raw(out, "metadata", l->metadata_json);
    add_text(out, "trace_id", l->trace_id);
    add_text(out, "span_id", l->span_id);
    add_text(out, "model", l->model);
    if (l->latency_ms >= 0)
        sk_buf_printf(out, ",\"latency_ms\":%.17g", l->latency_ms);
    if (l->input_tokens >= 0)
        sk_buf_printf(out, ",\"input_tokens\":%lld", l->input_tokens);
    if (l->output_tokens >= 0)
        sk_buf_printf(out, ",\"output_tokens\":%lld", l->output_tokens);
    if (l->cost >= 0)
        sk_buf_printf(out, ",\"cost\":%.17g", l->cost);
    sk_buf_addc(out, '}');
}
