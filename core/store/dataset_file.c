/*
 * Reading a dataset file (see dataset_file.h).  Both formats end in the
 * same place: a row's values as JSON text, pointing into the JSONL line as
 * read, or into a buffer where a CSV record's cells were written out as
 * JSON.  The first pass checks each row in full and keeps every id in a
 * hash set (with its line, for the duplicate message) and the metadata keys
 * in a sorted set; the second pass trusts what the first one checked.
 */
#include "store/dataset_file.h"

#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "store/csv.h"
#include "base/error.h"
#include "store/jsonl.h"
#include "base/row.h"
#include "base/text/utf8.h"
#include "base/util.h"

/* ---- small JSON helpers --------------------------------------------------- */

/* Walks the members of a JSON object or array whose text is known to be
 * valid (the row scanner checked it): no error handling needed. */
typedef struct walk {
    const char *p, *end; /* end: the closing bracket */
} walk;

static void walk_init(walk *w, sk_span s)
{
    w->p = s.p + 1;
    w->end = s.p + s.n - 1;
}

static const char *skip_ws(const char *p, const char *end)
{
    while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
        p++;
    return p;
}

static const char *skip_string(const char *p)
{
    for (p++; *p != '"'; p++)
        if (*p == '\\')
            p++;
    return p + 1;
}

static const char *skip_value(const char *p, const char *end)
{
    if (*p == '"')
        return skip_string(p);
    if (*p == '{' || *p == '[') {
        int depth = 0;
        do {
            if (*p == '"') {
                p = skip_string(p);
                continue;
            }
            if (*p == '{' || *p == '[')
                depth++;
            else if (*p == '}' || *p == ']')
                depth--;
            p++;
        } while (depth > 0);
        return p;
    }
    while (p < end && *p != ',' && *p != ' ' && *p != '\t' && *p != '\r' && *p != '\n')
        p++;
    return p;
}

/* The next member: *key (objects only: the string literal) and *val. */
static int walk_next(walk *w, int object, sk_span *key, sk_span *val)
{
    const char *p = skip_ws(w->p, w->end);
    if (p < w->end && *p == ',')
        p = skip_ws(p + 1, w->end);
    if (p >= w->end)
        return 0;
    if (object) {
        const char *k = p;
        p = skip_string(p);
        *key = (sk_span){k, (size_t)(p - k)};
        p = skip_ws(p, w->end) + 1; /* the colon */
        p = skip_ws(p, w->end);
    }
    const char *v = p;
    p = skip_value(p, w->end);
    *val = (sk_span){v, (size_t)(p - v)};
    w->p = p;
    return 1;
}

static int span_is_null(sk_span s)
{
    return s.p && s.n == 4 && memcmp(s.p, "null", 4) == 0;
}

static int utf8_valid(const char *p, size_t n)
{
    if (sk_utf8_is_ascii(p, n))
        return 1;
    for (size_t i = 0; i < n;) {
        uint32_t cp;
        size_t used = sk_utf8_next(p + i, n - i, &cp);
        if (cp == SK_UTF8_REPLACEMENT && used == 1)
            return 0;
        i += used;
    }
    return 1;
}

/* ---- the set of metadata keys ---------------------------------------------- */

/* Metadata keys, kept sorted and unique: few distinct keys, many rows. */
typedef struct key_set {
    char **keys;
    size_t n, cap;
} key_set;

static void key_add(key_set *s, const char *key)
{
    size_t lo = 0, hi = s->n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        int c = strcmp(s->keys[mid], key);
        if (c == 0)
            return;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    s->keys = sk_xgrow(s->keys, &s->cap, s->n + 1, sizeof *s->keys);
    memmove(s->keys + lo + 1, s->keys + lo, (s->n - lo) * sizeof *s->keys);
    s->keys[lo] = sk_xstrdup(key);
    s->n++;
}

static void key_set_free(key_set *s)
{
    for (size_t i = 0; i < s->n; i++)
        free(s->keys[i]);
    free(s->keys);
}

/* ---- reading rows from a file --------------------------------------------- */

enum { F_ID, F_INPUT, F_EXPECTED, F_OUTPUT, F_METADATA, F_TAGS, F_COUNT };
static const char *const field_names[F_COUNT] = {"id",     "input",    "expected",
                                                 "output", "metadata", "tags"};
#define FIELDS_ALLOWED "id, input, expected, output, metadata and tags"

/* The fields of a line `scorekit export` writes that a dataset row does
 * not have: the cell's.  A line with "trial" and "scores" is an export
 * line; these are dropped from it (and "output", the task's output, is
 * not the row's), and only its first trial (0) is kept.  Any other
 * unknown key is still an error. */
enum {
    X_TRIAL,
    X_SCORES,
    X_OUTPUT,
    X_LATENCY,
    X_TASK_ERROR,
    X_LLM,
    X_OVERALL,
    X_PASS,
    X_REASON,
    X_COUNT
};
static const char *const export_names[X_COUNT] = {
    "trial", "scores", "output", "latency_ms", "task_error", "llm", "overall", "pass", "reason"};

/* A CSV column: one of the fields, or metadata.KEY (F_COUNT). */
typedef struct column {
    int field;
    char *meta_key; /* for metadata.KEY: KEY as a JSON string literal */
    char *name;
} column;

/* A row while it is read: values by field (v[F_ID] is unused). */
typedef struct in_row {
    size_t line;
    sk_span v[F_COUNT];
} in_row;

typedef struct sk_dataset_file reader;

struct sk_dataset_file {
    const char *name; /* for messages */
    sk_jsonl *jsonl;
    sk_csv *csv;
    column *cols;
    size_t ncols;
    sk_buf json; /* the JSON built for a CSV record */
    sk_buf id;
    int second_pass;
    int id_derived;    /* the last row's id was derived */
    int unchecked_ids; /* see sk_dataset_file_unchecked_ids */
    sk_id_set ids;
    key_set meta_keys;
    char *meta_keys_json;
    size_t dropped[X_COUNT]; /* export lines: rows that had each dropped field */
    size_t repeated;         /* export lines of trials after the first, skipped */
    char *dropped_text;
};

static int row_error(const reader *r, size_t line, char **err, const char *fmt, ...)
    SK_PRINTF(4, 5);

static int row_error(const reader *r, size_t line, char **err, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *what = sk_vasprintf(fmt, ap);
    va_end(ap);
    int rc = sk_errf(err, SK_EPARSE, "%s:%zu: %s", r->name, line, what);
    free(what);
    return rc;
}

static void collect_meta_keys(reader *r, sk_span md)
{
    if (r->second_pass || !md.p)
        return;
    walk w;
    walk_init(&w, md);
    sk_span k, v;
    sk_buf key = {0};
    while (walk_next(&w, 1, &k, &v)) {
        sk_buf_reset(&key);
        sk_json_string_decode(k.p, k.n, &key);
        sk_buf_addc(&key, '\0');
        key_add(&r->meta_keys, key.data);
    }
    sk_buf_free(&key);
}

/* The id, given or derived, into r->id. */
static int resolve_id(reader *r, in_row *row, sk_span given, char **err)
{
    sk_buf_reset(&r->id);
    if (given.p) {
        if (sk_span_is_string(given))
            sk_json_string_decode(given.p, given.n, &r->id);
        else
            sk_buf_add(&r->id, given.p, given.n);
        if (r->id.len == 0)
            return row_error(r, row->line, err, "\"id\" is empty; give a non-empty id or none");
    } else {
        sk_row_derive_id(&r->id, row->v[F_INPUT], row->v[F_EXPECTED]);
    }
    r->id_derived = !given.p;
    sk_buf_addc(&r->id, '\0');
    r->id.len--;
    return SK_OK;
}

static int tags_ok(sk_span tags)
{
    if (tags.n == 0 || tags.p[0] != '[')
        return 0;
    walk w;
    walk_init(&w, tags);
    sk_span k, v;
    while (walk_next(&w, 0, &k, &v))
        if (!sk_span_is_string(v))
            return 0;
    return 1;
}

#define TAGS_MSG "\"tags\" must be an array of strings"

/* The first-pass checks of a JSONL row (see sk_dataset_row_check): names
 * are the wanted keys (field_names, plus an output key of another name at
 * index out_at), s receives their values with null as absent.  The id,
 * given or derived, goes into *id with a NUL after it (not counted). */
static int check_row(const char *line, size_t len, const char *const *names, size_t nnames,
                     size_t out_at, int need_output, sk_span *s, sk_buf *id, int *derived,
                     sk_span *output, char *msg, size_t msglen)
{
    sk_span unknown;
    if (sk_row_scan_known(line, len, names, nnames, s, &unknown, msg, msglen))
        return SK_EPARSE;
    /* An output of null is still an output to score (a reply that never
     * came); it is checked before null becomes absent. */
    if (need_output && !s[out_at].p) {
        snprintf(msg, msglen,
                 "row has no \"%s\" field; `scorekit score` needs rows like "
                 "{\"input\": ..., \"%s\": ..., \"expected\": ...}",
                 names[out_at], names[out_at]);
        return SK_EPARSE;
    }
    if (output)
        *output = s[out_at]; /* before null becomes absent */
    for (size_t i = 0; i < nnames; i++)
        if (span_is_null(s[i]))
            s[i].p = NULL, s[i].n = 0; /* null is the same as absent */
    if (!need_output && !s[F_INPUT].p) {
        snprintf(msg, msglen,
                 "row has no \"input\"; a dataset row is {\"input\": ..., \"expected\": ...} "
                 "with optional id, output, metadata and tags");
        return SK_EPARSE;
    }
    if (unknown.p) {
        snprintf(msg, msglen,
                 "unknown field %.*s; a %s row has " FIELDS_ALLOWED "%s%s (put other values in "
                 "metadata)",
                 (int)unknown.n, unknown.p, need_output ? "scored" : "dataset",
                 nnames > F_COUNT ? ", and " : "", nnames > F_COUNT ? names[F_COUNT] : "");
        return SK_EPARSE;
    }
    sk_span given = s[F_ID];
    if (given.p && !sk_span_is_string(given) &&
        !(given.p[0] == '-' || isdigit((unsigned char)given.p[0]))) {
        snprintf(msg, msglen, "\"id\" must be a string or a number");
        return SK_EPARSE;
    }
    if (s[F_METADATA].p && s[F_METADATA].p[0] != '{') {
        snprintf(msg, msglen, "\"metadata\" must be a JSON object");
        return SK_EPARSE;
    }
    if (s[F_TAGS].p && !tags_ok(s[F_TAGS])) {
        snprintf(msg, msglen, TAGS_MSG);
        return SK_EPARSE;
    }
    sk_buf_reset(id);
    if (given.p) {
        if (sk_span_is_string(given))
            sk_json_string_decode(given.p, given.n, id);
        else
            sk_buf_add(id, given.p, given.n);
        if (id->len == 0) {
            snprintf(msg, msglen, "\"id\" is empty; give a non-empty id or none");
            return SK_EPARSE;
        }
    } else {
        /* A scored row may lack an input: its id hashes the text null, as
         * `scorekit score` hands the scorers a null input. */
        static const sk_span null_span = {"null", 4};
        sk_row_derive_id(id, s[F_INPUT].p ? s[F_INPUT] : null_span, s[F_EXPECTED]);
    }
    *derived = !given.p;
    sk_buf_addc(id, '\0');
    id->len--;
    return SK_OK;
}

int sk_dataset_row_check(const char *line, size_t len, const char *output_key, int need_output,
                         sk_buf *id, int *derived, char *msg, size_t msglen)
{
    return sk_dataset_row_check_spans(line, len, output_key, need_output, id, derived, NULL, msg,
                                      msglen);
}

int sk_dataset_row_check_spans(const char *line, size_t len, const char *output_key,
                               int need_output, sk_buf *id, int *derived, sk_span values[5],
                               char *msg, size_t msglen)
{
    const char *names[F_COUNT + 1];
    size_t nnames = F_COUNT, out_at = F_OUTPUT;
    memcpy(names, field_names, sizeof field_names);
    if (output_key && strcmp(output_key, "output") != 0)
        names[out_at = nnames++] = output_key;
    sk_span s[F_COUNT + 1], output = {NULL, 0};
    int d = 0;
    int rc =
        check_row(line, len, names, nnames, out_at, need_output, s, id, &d, &output, msg, msglen);
    if (derived)
        *derived = d;
    if (values && rc == SK_OK) {
        values[0] = s[F_ID];
        values[1] = s[F_INPUT];
        values[2] = output;
        values[3] = s[F_EXPECTED];
        values[4] = s[F_METADATA];
    }
    return rc;
}

/* 1 when `line` (checked on the first pass) is an export line, with the
 * row's values in s[] (output dropped); 2 when it is one of a later
 * trial, to skip; 0 when it is not an export line. */
static int export_line(reader *r, const char *line, size_t len, sk_span *s)
{
    const char *names[F_COUNT + X_COUNT];
    memcpy(names, field_names, sizeof field_names);
    for (int i = 0; i < X_COUNT; i++)
        names[F_COUNT + i] =
            i == X_OUTPUT ? "output " /* never a key: see below */ : export_names[i];
    sk_span v[F_COUNT + X_COUNT], unknown;
    char msg[64];
    int bad =
        r->second_pass
            ? sk_row_scan_trusted(line, len, names, F_COUNT + X_COUNT, v, msg, sizeof msg)
            : sk_row_scan_known(line, len, names, F_COUNT + X_COUNT, v, &unknown, msg, sizeof msg);
    if (bad || !v[F_COUNT + X_TRIAL].p || !v[F_COUNT + X_SCORES].p ||
        (!r->second_pass && unknown.p))
        return 0;
    sk_span trial = v[F_COUNT + X_TRIAL];
    if (!(trial.n == 1 && trial.p[0] == '0')) {
        r->repeated += !r->second_pass;
        return 2;
    }
    if (!r->second_pass) {
        for (int i = 0; i < X_COUNT; i++)
            r->dropped[i] += i == X_OUTPUT ? v[F_OUTPUT].p != NULL : v[F_COUNT + i].p != NULL;
    }
    memcpy(s, v, F_COUNT * sizeof *s);
    s[F_OUTPUT].p = NULL, s[F_OUTPUT].n = 0; /* the task's output, not the row's */
    for (int i = 0; i < F_COUNT; i++)
        if (span_is_null(s[i]))
            s[i].p = NULL, s[i].n = 0;
    return 1;
}

static int jsonl_row(reader *r, const char *line, size_t len, size_t lineno, in_row *row,
                     char **err)
{
    sk_span s[F_COUNT];
    char msg[512];
    row->line = lineno;
    if (!r->second_pass) {
        if (check_row(line, len, field_names, F_COUNT, F_OUTPUT, 0, s, &r->id, &r->id_derived, NULL,
                      msg, sizeof msg)) {
            /* Only a line of the right shape is read as an export line;
             * a stray key in a row file is still refused. */
            int x = strstr(msg, "unknown field") ? export_line(r, line, len, s) : 0;
            if (x == 2)
                return 2;
            if (x == 0)
                return row_error(r, lineno, err, "%s", msg);
            memcpy(row->v, s, sizeof s);
            collect_meta_keys(r, s[F_METADATA]);
            return resolve_id(r, row, s[F_ID], err);
        }
        memcpy(row->v, s, sizeof s);
        collect_meta_keys(r, s[F_METADATA]);
        return SK_OK;
    }
    int x = r->repeated || r->dropped[X_TRIAL] ? export_line(r, line, len, s) : 0;
    if (x == 2)
        return 2;
    if (x == 1) {
        memcpy(row->v, s, sizeof s);
        return resolve_id(r, row, s[F_ID], err);
    }
    if (sk_row_scan_trusted(line, len, field_names, F_COUNT, s, msg, sizeof msg))
        return row_error(r, lineno, err, "%s", msg);
    for (int i = 0; i < F_COUNT; i++)
        if (span_is_null(s[i]))
            s[i].p = NULL, s[i].n = 0; /* null is the same as absent */
    memcpy(row->v, s, sizeof s);
    return resolve_id(r, row, s[F_ID], err);
}

/* ---- CSV: the header, and records turned into JSON ------------------------ */

static void trim(const char **p, size_t *n)
{
    while (*n && isspace((unsigned char)(*p)[0]))
        (*p)++, (*n)--;
    while (*n && isspace((unsigned char)(*p)[*n - 1]))
        (*n)--;
}

static int csv_header(reader *r, char **err)
{
    const sk_csv_field *f;
    size_t n, line;
    int rc = sk_csv_next(r->csv, &f, &n, &line, err);
    if (rc < 0)
        return rc;
    if (rc == 0)
        return sk_errf(err, SK_EPARSE,
                       "%s: the file is empty; a CSV dataset starts with a header row naming "
                       "its columns (input, expected, ...)",
                       r->name);
    r->cols = sk_xcalloc(n, sizeof *r->cols);
    r->ncols = n;
    sk_buf unknown = {0};
    int has_input = 0;
    for (size_t i = 0; i < n; i++) {
        const char *p = f[i].p;
        size_t len = f[i].n;
        trim(&p, &len);
        column *c = &r->cols[i];
        c->name = sk_xstrndup(p, len);
        c->field = -1;
        if (!utf8_valid(p, len)) {
            sk_buf_free(&unknown);
            return row_error(r, line, err, "column %zu's name is not valid UTF-8", i + 1);
        }
        for (int k = 0; k < F_COUNT; k++)
            if (strlen(field_names[k]) == len && memcmp(field_names[k], p, len) == 0)
                c->field = k;
        if (c->field < 0 && len > 9 && memcmp(p, "metadata.", 9) == 0) {
            sk_buf key = {0};
            sk_buf_add_json_string(&key, p + 9, len - 9);
            c->field = F_COUNT;
            c->meta_key = key.data;
        }
        if (c->field < 0) {
            sk_buf_printf(&unknown, "%s\"%s\"", unknown.len ? ", " : "", c->name);
            continue;
        }
        has_input |= c->field == F_INPUT;
        for (size_t j = 0; j < i; j++)
            if (strcmp(r->cols[j].name, c->name) == 0) {
                sk_buf_free(&unknown);
                return row_error(r, line, err, "column \"%s\" appears twice (columns %zu and %zu)",
                                 c->name, j + 1, i + 1);
            }
    }
    if (unknown.len) {
        rc = row_error(r, line, err,
                       "unknown column%s %s; the columns can be " FIELDS_ALLOWED
                       ", and metadata.KEY for a metadata field KEY",
                       strchr(unknown.data, ',') ? "s" : "", unknown.data);
        sk_buf_free(&unknown);
        return rc;
    }
    if (!has_input)
        return row_error(r, line, err,
                         "the header has no \"input\" column; a dataset row needs an input");
    return SK_OK;
}

/* Offsets into r->json while it grows. */
typedef struct piece {
    size_t off, n;
    int present;
} piece;

static void piece_begin(reader *r, piece *pc)
{
    pc->off = r->json.len;
    pc->present = 1;
}

static void piece_end(reader *r, piece *pc)
{
    pc->n = r->json.len - pc->off;
    sk_buf_addc(&r->json, '\0');
}

/* tags: a JSON array kept as written, or comma-separated words. */
static int csv_tags(reader *r, size_t line, const char *p, size_t n, piece *pc, char **err)
{
    if (p[0] == '[') {
        char msg[160];
        if (sk_json_validate(p, n, msg, sizeof msg) != 0)
            return row_error(r, line, err, "tags: %s", msg);
        if (!tags_ok((sk_span){p, n}))
            return row_error(r, line, err, TAGS_MSG);
        piece_begin(r, pc);
        sk_buf_add(&r->json, p, n);
        piece_end(r, pc);
        return SK_OK;
    }
    size_t count = 0;
    piece_begin(r, pc);
    sk_buf_addc(&r->json, '[');
    while (n) {
        const char *comma = memchr(p, ',', n);
        size_t len = comma ? (size_t)(comma - p) : n;
        const char *t = p;
        size_t tn = len;
        trim(&t, &tn);
        if (tn) {
            if (count++)
                sk_buf_adds(&r->json, ", ");
            sk_buf_add_json_string(&r->json, t, tn);
        }
        p += len + (comma != NULL);
        n -= len + (comma != NULL);
    }
    sk_buf_addc(&r->json, ']');
    piece_end(r, pc);
    if (count == 0)
        pc->present = 0;
    return SK_OK;
}

/* metadata: the metadata column's object, with each metadata.KEY column's
 * text added as field KEY. */
static int csv_metadata(reader *r, size_t line, const sk_csv_field *f, piece *pc, char **err)
{
    int md_col = -1;
    size_t extra = 0;
    for (size_t i = 0; i < r->ncols; i++) {
        if (r->cols[i].field == F_METADATA && f[i].n)
            md_col = (int)i;
        if (r->cols[i].field == F_COUNT && f[i].n)
            extra++;
    }
    if (md_col < 0 && extra == 0)
        return SK_OK;
    sk_span obj = {"{}", 2};
    if (md_col >= 0) {
        obj = (sk_span){f[md_col].p, f[md_col].n};
        trim(&obj.p, &obj.n);
        char msg[160];
        if (sk_json_validate(obj.p, obj.n, msg, sizeof msg) != 0)
            return row_error(r, line, err, "metadata: %s", msg);
        if (obj.p[0] != '{')
            return row_error(r, line, err, "metadata must be a JSON object");
    }
    piece_begin(r, pc);
    if (extra == 0) {
        sk_buf_add(&r->json, obj.p, obj.n);
        piece_end(r, pc);
        return SK_OK;
    }
    walk w;
    walk_init(&w, obj);
    sk_span k, v;
    size_t members = 0;
    while (walk_next(&w, 1, &k, &v))
        members++;
    sk_buf_add(&r->json, obj.p, obj.n - 1); /* without the closing brace */
    while (r->json.len > pc->off + 1 && isspace((unsigned char)r->json.data[r->json.len - 1]))
        r->json.len--;
    for (size_t i = 0; i < r->ncols; i++) {
        if (r->cols[i].field != F_COUNT || !f[i].n)
            continue;
        const char *key = r->cols[i].name + 9; /* after "metadata." */
        walk_init(&w, obj);
        while (walk_next(&w, 1, &k, &v)) {
            sk_buf_reset(&r->id); /* free as scratch until the id is read */
            sk_json_string_decode(k.p, k.n, &r->id);
            if (r->id.len == strlen(key) && memcmp(r->id.data, key, r->id.len) == 0)
                return row_error(r, line, err,
                                 "column \"%s\" sets metadata field \"%s\", which the metadata "
                                 "column sets too",
                                 r->cols[i].name, key);
        }
        sk_buf_printf(&r->json, "%s%s: ", members++ ? ", " : "", r->cols[i].meta_key);
        sk_buf_add_json_string(&r->json, f[i].p, f[i].n);
    }
    sk_buf_addc(&r->json, '}');
    piece_end(r, pc);
    return SK_OK;
}

static int csv_row(reader *r, const sk_csv_field *f, size_t n, size_t line, in_row *row, char **err)
{
    if (n != r->ncols)
        return row_error(r, line, err, "%zu field%s, the header has %zu", n, n == 1 ? "" : "s",
                         r->ncols);
    sk_buf_reset(&r->json);
    piece pc[F_COUNT];
    memset(pc, 0, sizeof pc);
    int rc;
    sk_span id = {NULL, 0};
    for (size_t i = 0; i < n; i++) {
        const column *c = &r->cols[i];
        if (!utf8_valid(f[i].p, f[i].n))
            return row_error(r, line, err, "column \"%s\" is not valid UTF-8", c->name);
        if (c->field == F_INPUT && f[i].n == 0)
            return row_error(r, line, err, "the input is empty; a dataset row needs an input");
        if (f[i].n == 0)
            continue; /* an empty cell is an absent value */
        switch (c->field) {
        case F_ID: id = (sk_span){f[i].p, f[i].n}; break;
        case F_INPUT:
        case F_EXPECTED:
        case F_OUTPUT:
            piece_begin(r, &pc[c->field]);
            sk_buf_add_json_string(&r->json, f[i].p, f[i].n);
            piece_end(r, &pc[c->field]);
            break;
        case F_TAGS: {
            const char *p = f[i].p;
            size_t len = f[i].n;
            trim(&p, &len);
            if (len && (rc = csv_tags(r, line, p, len, &pc[F_TAGS], err)) != 0)
                return rc;
            break;
        }
        default: break; /* metadata: below, from every column that feeds it */
        }
    }
    if ((rc = csv_metadata(r, line, f, &pc[F_METADATA], err)) != 0)
        return rc;
    row->line = line;
    for (int k = 0; k < F_COUNT; k++)
        row->v[k] =
            pc[k].present ? (sk_span){r->json.data + pc[k].off, pc[k].n} : (sk_span){NULL, 0};
    collect_meta_keys(r, row->v[F_METADATA]);
    /* A CSV id is the cell's text as it is. */
    sk_buf_reset(&r->id);
    if (!id.p)
        return resolve_id(r, row, id, err);
    sk_buf_add(&r->id, id.p, id.n);
    sk_buf_addc(&r->id, '\0');
    r->id.len--;
    r->id_derived = 0;
    return SK_OK;
}

static int read_row(reader *r, in_row *row, char **err)
{
    size_t line;
    if (r->jsonl) {
        const char *text;
        size_t len;
        int rc;
        do { /* 2: an export line of a later trial, skipped */
            if ((rc = sk_jsonl_next(r->jsonl, &text, &len, &line, err)) <= 0)
                return rc;
            rc = jsonl_row(r, text, len, line, row, err);
        } while (rc == 2);
        return rc ? rc : 1;
    }
    const sk_csv_field *f;
    size_t n;
    int rc = sk_csv_next(r->csv, &f, &n, &line, err);
    if (rc <= 0)
        return rc;
    row->line = line;
    rc = csv_row(r, f, n, line, row, err);
    return rc ? rc : 1;
}

int sk_dataset_file_next(sk_dataset_file *r, sk_dataset_file_row *out, char **err)
{
    in_row row = {0};
    int rc = read_row(r, &row, err);
    out->line = row.line; /* also for a bad row */
    if (rc <= 0)
        return rc;
    if (!r->second_pass && !r->unchecked_ids) {
        size_t first = sk_id_set_add(&r->ids, r->id.data, r->id.len, row.line);
        if (first) {
            sk_buf msg = {0};
            sk_id_dup_message(&msg, r->id.data, r->id.len, first, r->id_derived);
            rc = row_error(r, row.line, err, "%s", msg.data);
            sk_buf_free(&msg);
            return rc;
        }
    }
    out->line = row.line;
    out->id = r->id.data;
    out->id_len = r->id.len;
    out->id_derived = r->id_derived;
    out->input = row.v[F_INPUT];
    out->expected = row.v[F_EXPECTED];
    out->output = row.v[F_OUTPUT];
    out->metadata = row.v[F_METADATA];
    out->tags = row.v[F_TAGS];
    return 1;
}

sk_dataset_format sk_dataset_format_of(const char *path)
{
    size_t len = strlen(path);
    return len > 4 && strcasecmp(path + len - 4, ".csv") == 0 ? SK_DATASET_CSV : SK_DATASET_JSONL;
}

static int reader_open(reader *r, const char *path, sk_dataset_format fmt, char **err)
{
    if (fmt == SK_DATASET_AUTO)
        fmt = sk_dataset_format_of(path);
    if (fmt == SK_DATASET_JSONL) {
        int rc = sk_jsonl_open(&r->jsonl, path, err);
        if (!rc)
            r->name = sk_jsonl_path(r->jsonl);
        return rc;
    }
    if (strcmp(path, "-") == 0)
        return sk_errf(err, SK_EINVAL,
                       "CSV cannot be read from standard input; save it to a file first");
    int rc = sk_csv_open(&r->csv, path, err);
    if (rc)
        return rc;
    r->name = sk_csv_path(r->csv);
    return csv_header(r, err);
}

int sk_dataset_file_open(sk_dataset_file **out, const char *path, sk_dataset_format fmt, char **err)
{
    reader *r = sk_xcalloc(1, sizeof *r);
    int rc = reader_open(r, path, fmt, err);
    if (rc) {
        sk_dataset_file_close(r);
        r = NULL;
    }
    *out = r;
    return rc;
}

int sk_dataset_file_rewind(sk_dataset_file *r, char **err)
{
    r->second_pass = 1;
    if (r->jsonl)
        return sk_jsonl_rewind(r->jsonl, err);
    int rc = sk_csv_rewind(r->csv, err);
    if (rc)
        return rc;
    /* Skip the header again (it was checked on the first pass). */
    const sk_csv_field *f;
    size_t n, line;
    rc = sk_csv_next(r->csv, &f, &n, &line, err);
    return rc < 0 ? rc : SK_OK;
}

const char *sk_dataset_file_dropped(sk_dataset_file *f)
{
    sk_buf b = {0};
    for (int i = 0; i < X_COUNT; i++)
        if (f->dropped[i])
            sk_buf_printf(&b, "%s%s (%zu row%s)", b.len ? ", " : "", export_names[i], f->dropped[i],
                          f->dropped[i] == 1 ? "" : "s");
    if (f->repeated)
        sk_buf_printf(&b, "%slater trials (%zu line%s)", b.len ? ", " : "", f->repeated,
                      f->repeated == 1 ? "" : "s");
    free(f->dropped_text);
    f->dropped_text = b.data;
    return b.data;
}

void sk_dataset_file_unchecked_ids(sk_dataset_file *f)
{
    f->unchecked_ids = 1;
}

const char *sk_dataset_file_name(const sk_dataset_file *f)
{
    return f->name;
}

const char *sk_dataset_file_meta_keys(sk_dataset_file *f)
{
    sk_buf b = {0};
    sk_buf_addc(&b, '[');
    for (size_t i = 0; i < f->meta_keys.n; i++) {
        if (i)
            sk_buf_adds(&b, ", ");
        sk_buf_add_json_string(&b, f->meta_keys.keys[i], strlen(f->meta_keys.keys[i]));
    }
    sk_buf_addc(&b, ']');
    free(f->meta_keys_json);
    f->meta_keys_json = b.data;
    return b.data;
}

void sk_dataset_file_close(sk_dataset_file *r)
{
    if (!r)
        return;
    sk_jsonl_close(r->jsonl);
    sk_csv_close(r->csv);
    for (size_t i = 0; i < r->ncols; i++) {
        free(r->cols[i].name);
        free(r->cols[i].meta_key);
    }
    free(r->cols);
    sk_buf_free(&r->json);
    sk_buf_free(&r->id);
    sk_id_set_free(&r->ids);
    free(r->dropped_text);
    key_set_free(&r->meta_keys);
    free(r->meta_keys_json);
    free(r);
}
