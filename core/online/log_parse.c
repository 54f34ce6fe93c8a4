/* Log rows, times and whole bodies (see log_parse.h). */
#include "online/log_parse.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/error.h"
#include "base/row.h"
#include "base/util.h"

void sk_log_vec_free(sk_log_vec *lv)
{
    sk_logs_free(lv->v, lv->n);
    memset(lv, 0, sizeof *lv);
}

enum {
    K_ID,
    K_TIME,
    K_INPUT,
    K_OUTPUT,
    K_EXPECTED,
    K_METADATA,
    K_TRACE,
    K_SPAN,
    K_MODEL,
    K_LATENCY,
    K_IN_TOK,
    K_OUT_TOK,
    K_COST,
    K_N
};

const char *const sk_log_row_keys[] = {
    "id",      "time",  "input",      "output",       "expected",      "metadata", "trace_id",
    "span_id", "model", "latency_ms", "input_tokens", "output_tokens", "cost",     NULL};

static int digits(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!isdigit((unsigned char)s[i]))
            return 0;
    return 1;
}

static int num(const char *s, size_t n)
{
    int v = 0;
    for (size_t i = 0; i < n; i++)
        v = v * 10 + (s[i] - '0');
    return v;
}

/* Through a buffer wide enough for any int, so the compiler can see no
 * truncation; the years a time_t of our logs reach fit in 32 bytes. */
static void format_time(const struct tm *u, int ms, char out[32])
{
    char buf[96];
    snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", u->tm_year + 1900,
             u->tm_mon + 1, u->tm_mday, u->tm_hour, u->tm_min, u->tm_sec, ms);
    memcpy(out, buf, 31);
    out[31] = 0;
}

int sk_log_time_parse(const char *s, size_t n, char out[32])
{
    /* YYYY-MM-DDTHH:MM:SS is 19 bytes, then fraction and zone. */
    if (n < 20 || !digits(s, 4) || s[4] != '-' || !digits(s + 5, 2) || s[7] != '-' ||
        !digits(s + 8, 2) || (s[10] != 'T' && s[10] != 't' && s[10] != ' ') || !digits(s + 11, 2) ||
        s[13] != ':' || !digits(s + 14, 2) || s[16] != ':' || !digits(s + 17, 2))
        return -1;
    size_t i = 19;
    int ms = 0, scale = 100;
    if (s[i] == '.') {
        size_t j = ++i;
        while (i < n && isdigit((unsigned char)s[i])) {
            ms += (s[i] - '0') * scale;
            scale /= 10;
            i++;
        }
        if (i == j)
            return -1;
    }
    long off = 0;
    if (i + 1 == n && (s[i] == 'Z' || s[i] == 'z')) {
        off = 0;
    } else if (i + 6 == n && (s[i] == '+' || s[i] == '-') && digits(s + i + 1, 2) &&
               s[i + 3] == ':' && digits(s + i + 4, 2)) {
        off = (num(s + i + 1, 2) * 60L + num(s + i + 4, 2)) * 60L;
        if (s[i] == '-')
            off = -off;
    } else {
        return -1;
    }
    struct tm tm = {0};
    tm.tm_year = num(s, 4) - 1900;
    tm.tm_mon = num(s + 5, 2) - 1;
    tm.tm_mday = num(s + 8, 2);
    tm.tm_hour = num(s + 11, 2);
    tm.tm_min = num(s + 14, 2);
    tm.tm_sec = num(s + 17, 2);
    if (tm.tm_mon > 11 || tm.tm_mday < 1 || tm.tm_mday > 31 || tm.tm_hour > 23 || tm.tm_min > 59 ||
        tm.tm_sec > 60)
        return -1;
    time_t t = timegm(&tm) - off;
    struct tm u;
    gmtime_r(&t, &u);
    format_time(&u, ms, out);
    return 0;
}

void sk_log_time_from_ns(unsigned long long ns, char out[32])
{
    time_t t = (time_t)(ns / 1000000000ULL);
    int ms = (int)(ns / 1000000ULL % 1000);
    struct tm u;
    gmtime_r(&t, &u);
    format_time(&u, ms, out);
}

static char *span_dup(sk_span s)
{
    return s.p ? sk_xstrndup(s.p, s.n) : NULL;
}

/* A JSON string's decoded text, or NULL (with *err) when not a string. */
static char *string_field(sk_span s, const char *key, char **err)
{
    if (!sk_span_is_string(s)) {
        sk_errf(err, SK_EPARSE, "\"%s\" must be a string", key);
        return NULL;
    }
    sk_buf b = {0};
    sk_json_string_decode(s.p, s.n, &b);
    if (!b.data)
        sk_buf_adds(&b, "");
    if (strlen(b.data) != b.len) {
        sk_buf_free(&b);
        sk_errf(err, SK_EPARSE, "\"%s\" holds a NUL character", key);
        return NULL;
    }
    return b.data;
}

/* A hex id (trace or span), lowercased; n_hex its length. */
static char *hex_field(sk_span s, const char *key, size_t n_hex, char **err)
{
    char *v = string_field(s, key, err);
    if (!v)
        return NULL;
    size_t n = strlen(v);
    int ok = n == n_hex;
    for (size_t i = 0; ok && i < n; i++) {
        ok = isxdigit((unsigned char)v[i]);
        v[i] = (char)tolower((unsigned char)v[i]);
    }
    if (!ok) {
        sk_errf(err, SK_EPARSE, "\"%s\" must be %zu hex digits, got \"%s\"", key, n_hex, v);
        free(v);
        return NULL;
    }
    return v;
}

/* A number >= 0 (whole when `whole`); -1 with *err when not. */
static double number_field(sk_span s, const char *key, int whole, char **err)
{
    char buf[64];
    if (s.n == 0 || s.n >= sizeof buf || !(s.p[0] == '-' || isdigit((unsigned char)s.p[0]))) {
        sk_errf(err, SK_EPARSE, "\"%s\" must be a number", key);
        return -1;
    }
    memcpy(buf, s.p, s.n);
    buf[s.n] = 0;
    double v = strtod(buf, NULL);
    if (v < 0 || (whole && (strpbrk(buf, ".eE") || v > 9e15))) {
        sk_errf(err, SK_EPARSE, "\"%s\" must be a %s >= 0, got %s", key,
                whole ? "whole number" : "number", buf);
        return -1;
    }
    return v;
}

static int is_null(sk_span s)
{
    return s.p && s.n == 4 && memcmp(s.p, "null", 4) == 0;
}

static sk_log *vec_push(sk_log_vec *out)
{
    if (out->n == out->cap) {
        out->cap = out->cap ? out->cap * 2 : 16;
        out->v = sk_xrealloc(out->v, out->cap * sizeof *out->v);
    }
    sk_log *l = &out->v[out->n++];
    sk_log_init(l);
    return l;
}

int sk_log_row_parse(const char *line, size_t len, sk_log_vec *out, char **err)
{
    sk_span v[K_N], unknown;
    char msg[256];
    if (sk_row_scan_known(line, len, sk_log_row_keys, K_N, v, &unknown, msg, sizeof msg))
        return sk_errf(err, SK_EPARSE, "%s", msg);
    if (unknown.p)
        return sk_errf(err, SK_EPARSE,
                       "unknown field %.*s; a log has id, time, input, output, expected, "
                       "metadata, trace_id, span_id, model, latency_ms, input_tokens, "
                       "output_tokens and cost",
                       (int)unknown.n, unknown.p);
    for (int k = 0; k < K_N; k++)
        if (k != K_OUTPUT && is_null(v[k]))
            v[k] = (sk_span){NULL, 0};
    if (!v[K_TIME].p)
        return sk_errf(err, SK_EPARSE, "a log needs \"time\" (UTC, e.g. \"2026-12-04T12:00:00Z\")");
    if (!v[K_INPUT].p)
        return sk_errf(err, SK_EPARSE, "a log needs \"input\"");
    if (v[K_METADATA].p && v[K_METADATA].p[0] != '{')
        return sk_errf(err, SK_EPARSE, "\"metadata\" must be an object");
    sk_log l;
    sk_log_init(&l);
    int rc = SK_OK;
    char *t = string_field(v[K_TIME], "time", err);
    char tbuf[32];
    if (!t) {
        rc = SK_EPARSE;
    } else if (sk_log_time_parse(t, strlen(t), tbuf)) {
        rc = sk_errf(err, SK_EPARSE,
                     "\"time\" must be an ISO 8601 time with a zone, like "
                     "\"2026-12-04T12:00:00Z\"; got \"%s\"",
                     t);
    } else {
        l.time = sk_xstrdup(tbuf);
    }
    free(t);
    if (rc == SK_OK && v[K_ID].p) {
        l.id = string_field(v[K_ID], "id", err);
        if (!l.id)
            rc = SK_EPARSE;
        else if (!*l.id)
            rc = sk_errf(err, SK_EPARSE, "\"id\" is empty; give each log a unique id, or none");
    } else if (rc == SK_OK) {
        /* The line's own hash: ingesting the same file twice adds nothing. */
        sk_buf id = {0};
        sk_row_derive_id(&id, (sk_span){line, len}, (sk_span){NULL, 0});
        l.id = id.data;
    }
    if (rc == SK_OK && v[K_TRACE].p && !(l.trace_id = hex_field(v[K_TRACE], "trace_id", 32, err)))
        rc = SK_EPARSE;
    if (rc == SK_OK && v[K_SPAN].p && !(l.span_id = hex_field(v[K_SPAN], "span_id", 16, err)))
        rc = SK_EPARSE;
    if (rc == SK_OK && v[K_MODEL].p && !(l.model = string_field(v[K_MODEL], "model", err)))
        rc = SK_EPARSE;
    if (rc == SK_OK && v[K_LATENCY].p &&
        (l.latency_ms = number_field(v[K_LATENCY], "latency_ms", 0, err)) < 0)
        rc = SK_EPARSE;
    if (rc == SK_OK && v[K_COST].p && (l.cost = number_field(v[K_COST], "cost", 0, err)) < 0)
        rc = SK_EPARSE;
    if (rc == SK_OK && v[K_IN_TOK].p &&
        (l.input_tokens = (long long)number_field(v[K_IN_TOK], "input_tokens", 1, err)) < 0)
        rc = SK_EPARSE;
    if (rc == SK_OK && v[K_OUT_TOK].p &&
        (l.output_tokens = (long long)number_field(v[K_OUT_TOK], "output_tokens", 1, err)) < 0)
        rc = SK_EPARSE;
    if (rc) {
        sk_log_clear(&l);
        return rc;
    }
    l.input_json = span_dup(v[K_INPUT]);
    l.output_json = span_dup(v[K_OUTPUT]);
    l.expected_json = span_dup(v[K_EXPECTED]);
    l.metadata_json = span_dup(v[K_METADATA]);
    *vec_push(out) = l;
    return SK_OK;
}

/* Whether the object text has a top-level "resourceSpans". */
static int is_otlp(const char *p, size_t n)
{
    static const char *const keys[] = {"resourceSpans"};
    sk_span s;
    return sk_row_scan(p, n, keys, 1, &s, NULL, 0) == 0 && s.p;
}

static int one_object(const char *p, size_t n, sk_log_vec *out, char **err)
{
    return is_otlp(p, n) ? sk_otlp_parse(p, n, out, err) : sk_log_row_parse(p, n, out, err);
}

static size_t line_of(const char *text, size_t at)
{
    size_t line = 1;
    for (size_t i = 0; i < at; i++)
        line += text[i] == '\n';
    return line;
}

/* A JSON array of rows: each element is checked on its own text. */
static int parse_array(const char *text, size_t len, const char *name, sk_log_vec *out, char **err)
{
    size_t i = 1, elem = 0;
    while (i < len) {
        while (i < len && strchr(" \t\r\n,", text[i]))
            i++;
        if (i >= len || text[i] == ']')
            break;
        /* The element's end: the scanner validated the whole array, so
         * braces balance outside strings. */
        size_t j = i, depth = 0;
        int in_str = 0;
        for (; j < len; j++) {
            char c = text[j];
            if (in_str) {
                if (c == '\\')
                    j++;
                else if (c == '"')
                    in_str = 0;
            } else if (c == '"') {
                in_str = 1;
            } else if (c == '{' || c == '[') {
                depth++;
            } else if (c == '}' || c == ']') {
                if (depth-- == 0)
                    break;
                if (depth == 0) {
                    j++;
                    break;
                }
            } else if (depth == 0 && c == ',') {
                break;
            }
        }
        char *e = NULL;
        if (one_object(text + i, j - i, out, &e)) {
            int rc =
                sk_errf(err, SK_EPARSE, "%s:%zu: element %zu: %s", name, line_of(text, i), elem, e);
            free(e);
            return rc;
        }
        elem++;
        i = j;
    }
    return SK_OK;
}

int sk_logs_parse_text(const char *text, size_t len, const char *name, size_t max_logs,
                       sk_log_vec *out, char **err)
{
    size_t start = out->n;
    size_t k = 0;
    while (k < len && strchr(" \t\r\n", text[k]))
        k++;
    int rc = SK_OK;
    /* One JSON value in the whole text (pretty-printed OTLP, an array)? */
    if (k < len && sk_json_check(text, len, NULL, NULL, 0) == 0) {
        char *e = NULL;
        if (text[k] == '[')
            rc = parse_array(text + k, len - k, name, out, err);
        else if (text[k] == '{' && (rc = one_object(text, len, out, &e)) != SK_OK) {
            sk_errf(err, rc, "%s:%zu: %s", name, line_of(text, k), e);
            free(e);
        } else if (text[k] != '{') {
            rc = sk_errf(err, SK_EPARSE,
                         "%s:%zu: a body is a JSON object, an array of them, or JSONL", name,
                         line_of(text, k));
        }
    } else {
        size_t lineno = 0;
        for (size_t p = 0; p < len && rc == SK_OK;) {
            const char *nl = memchr(text + p, '\n', len - p);
            size_t e = nl ? (size_t)(nl - text) : len;
            lineno++;
            size_t q = p, end = e;
            while (q < end && strchr(" \t\r", text[q]))
                q++;
            while (end > q && strchr(" \t\r", text[end - 1]))
                end--;
            if (q < end) {
                char *m = NULL;
                if (one_object(text + q, end - q, out, &m)) {
                    rc = sk_errf(err, SK_EPARSE, "%s:%zu: %s", name, lineno, m);
                    free(m);
                }
            }
            p = e + 1;
        }
    }
    if (rc == SK_OK && max_logs && out->n - start > max_logs)
        rc = sk_errf(err, SK_EINVAL, "%s: %zu logs, more than the %zu allowed at once; split it",
                     name, out->n - start, max_logs);
    if (rc) {
        for (size_t i = start; i < out->n; i++)
            sk_log_clear(&out->v[i]);
        out->n = start;
    }
    return rc;
}
