/*
 * Reading logs: the log row (the dataset row format plus `time` and the
 * log fields) and OpenTelemetry traces as OTLP/JSON, mapped to logs by the
 * GenAI semantic conventions.  `scorekit logs ingest` and `scorekit serve`
 * both read through here, so a body means the same thing to both.
 */
#ifndef SK_LOG_PARSE_H
#define SK_LOG_PARSE_H

#include <stddef.h>

#include "store/logs.h"

/* A growable array of logs; zero-initialise, free with sk_log_vec_free. */
typedef struct sk_log_vec {
    sk_log *v;
    size_t n, cap;
} sk_log_vec;

void sk_log_vec_free(sk_log_vec *lv);

/* The fields a log row may have. */
extern const char *const sk_log_row_keys[];

/* Parse the time `s` (n bytes): ISO 8601 "YYYY-MM-DDTHH:MM:SS[.fff…]Z" or
 * with an offset "+HH:MM", into UTC "YYYY-MM-DDTHH:MM:SS.mmmZ" in out.
 * Returns 0, or -1 when it is not such a time. */
int sk_log_time_parse(const char *s, size_t n, char out[32]);

/* Unix nanoseconds to the stored time. */
void sk_log_time_from_ns(unsigned long long ns, char out[32]);

/* Check one JSON object (line, len bytes) as a log row and append it to
 * *out.  Returns 0, or SK_EPARSE with the reason (a "column N: " prefix
 * when it is the JSON) and no file or line in *err. */
int sk_log_row_parse(const char *line, size_t len, sk_log_vec *out, char **err);

/* Map an OTLP/JSON ExportTraceServiceRequest (text, len bytes, already
 * valid JSON) to logs: one per model-call span (gen_ai.operation.name chat,
 * text_completion or generate_content), appended to *out.  Returns 0, or
 * SK_EPARSE with *err naming the span ("resourceSpans[0].scopeSpans[1].
 * spans[2]: ...").  Appends nothing on error. */
int sk_otlp_parse(const char *text, size_t len, sk_log_vec *out, char **err);

/* A whole body or file: one JSON object (a log row, or OTLP when it has
 * "resourceSpans"), a JSON array of log rows, or JSONL whose lines are
 * either.  Empty lines are skipped.  At most max_logs logs (0: no limit).
 * Errors read "NAME:LINE: reason" (the line of the body); *out then holds
 * nothing new.  Returns 0 or SK_EPARSE (SK_EINVAL over max_logs). */
int sk_logs_parse_text(const char *text, size_t len, const char *name, size_t max_logs,
                       sk_log_vec *out, char **err);

#endif
