/*
 * Datasets in the store (see dataset.h).  An import reads its file twice
 * (dataset_file.c): the first pass checks every row and every id without
 * writing anything; the second pass writes the rows in one transaction.
 * So a bad file costs no partial version, and the write lock is held only
 * while rows known to be good are inserted.
 */
#include "store/dataset.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "base/idcheck.h"
#include "store/dataset_priv.h"
#include "store/id_set.h"

/* ---- names and references ------------------------------------------------- */

int sk_dataset_check_name(const char *name, char **err)
{
    size_t n = strlen(name);
    int ok = n > 0 && n <= SK_DATASET_NAME_MAX && isalnum((unsigned char)name[0]);
    for (size_t i = 0; ok && i < n; i++) {
        unsigned char c = (unsigned char)name[i];
        ok = c < 0x80 && (isalnum(c) || c == '.' || c == '_' || c == '-');
    }
    if (ok)
        return SK_OK;
    return sk_errf(err, SK_EINVAL,
                   "bad dataset name \"%s\": use 1 to %d letters, digits, '.', '_' and '-', "
                   "starting with a letter or digit",
                   name, SK_DATASET_NAME_MAX);
}

int sk_dataset_parse_ref(const char *ref, char **name, int *version, char **err)
{
    *name = NULL;
    *version = 0;
    const char *at = strchr(ref, '@');
    char *n = at ? sk_xstrndup(ref, (size_t)(at - ref)) : sk_xstrdup(ref);
    int rc = sk_dataset_check_name(n, err);
    if (rc) {
        free(n);
        return rc;
    }
    if (at) {
        const char *v = at + 1;
        long val = 0;
        int ok = *v >= '1' && *v <= '9';
        for (; ok && *v; v++) {
            ok = isdigit((unsigned char)*v) && val <= (INT_MAX - 9) / 10;
            val = val * 10 + (*v - '0');
        }
        if (!ok) {
            free(n);
            return sk_errf(err, SK_EINVAL,
                           "bad dataset reference \"%s\": write NAME for the newest version or "
                           "NAME@VERSION, where VERSION is 1, 2, ...",
                           ref);
        }
        *version = (int)val;
    }
    *name = n;
    return SK_OK;
}

/* ---- versions ------------------------------------------------------------- */

#define VERSION_COLUMNS                                                                            \
    "SELECT v.id, d.name, v.version, v.row_count, v.created_at, v.source, v.metadata_keys, "       \
    "(SELECT max(version) FROM dataset_versions WHERE dataset_id = d.id) "                         \
    "FROM datasets d JOIN dataset_versions v ON v.dataset_id = d.id "

static void version_from(sk_stmt *s, sk_dataset_version *v)
{
    v->id = sk_db_column_int64(s, 0);
    v->dropped = NULL;
    v->name = sk_store_column_dup(s, 1);
    v->version = sk_db_column_int(s, 2);
    v->rows = sk_db_column_int64(s, 3);
    v->created_at = sk_store_column_dup(s, 4);
    v->source = sk_store_column_dup(s, 5);
    v->metadata_keys = sk_store_column_dup(s, 6);
    v->latest = sk_db_column_int(s, 7);
}

void sk_dataset_version_clear(sk_dataset_version *v)
{
    if (!v)
        return;
    free(v->name);
    free(v->created_at);
    free(v->source);
    free(v->metadata_keys);
    free(v->dropped);
    memset(v, 0, sizeof *v);
}

int sk_dataset_version_rows(sk_store *st, int64_t version_id, int64_t *rows, char **err)
{
    *rows = 0;
    sk_stmt *s = NULL;
    int rc = sk_store_prepare(st, &s, "SELECT row_count FROM dataset_versions WHERE id = ?", err);
    if (rc)
        return rc;
    sk_db_bind_int64(s, 1, version_id);
    int step = sk_db_step(s);
    if (step == SK_DB_ROW)
        *rows = sk_db_column_int64(s, 0);
    else if (step != SK_DB_DONE)
        rc = sk_store_error(st, "counting a dataset version's rows", err);
    sk_db_finalize(s);
    return rc;
}

int sk_dataset_versions_diff(sk_store *st, int64_t a, int64_t b, int64_t *only_a, int64_t *only_b,
                             int64_t *changed, char **err)
{
    *only_a = *only_b = *changed = 0;
    sk_stmt *s = NULL;
    int rc = sk_store_prepare(
        st, &s,
        "SELECT (SELECT count(*) FROM dataset_rows x WHERE x.version_id = ?1 AND NOT EXISTS "
        "(SELECT 1 FROM dataset_rows y WHERE y.version_id = ?2 AND y.row_id = x.row_id)), "
        "(SELECT count(*) FROM dataset_rows y WHERE y.version_id = ?2 AND NOT EXISTS "
        "(SELECT 1 FROM dataset_rows x WHERE x.version_id = ?1 AND x.row_id = y.row_id)), "
        "(SELECT count(*) FROM dataset_rows x JOIN dataset_rows y ON y.version_id = ?2 AND "
        "y.row_id = x.row_id WHERE x.version_id = ?1 AND (x.input_json IS NOT y.input_json OR "
        "x.expected_json IS NOT y.expected_json OR x.output_json IS NOT y.output_json OR "
        "x.metadata_json IS NOT y.metadata_json OR x.tags_json IS NOT y.tags_json))",
        err);
    if (rc)
        return rc;
    sk_db_bind_int64(s, 1, a);
    sk_db_bind_int64(s, 2, b);
    if (sk_db_step(s) == SK_DB_ROW) {
        *only_a = sk_db_column_int64(s, 0);
        *only_b = sk_db_column_int64(s, 1);
        *changed = sk_db_column_int64(s, 2);
    } else {
        rc = sk_store_error(st, "comparing two dataset versions", err);
    }
    sk_db_finalize(s);
    return rc;
}

int sk_dataset_row_texts(sk_store *st, int64_t version_id, const char *row_id, char **input,
                         char **expected, char **err)
{
    *input = *expected = NULL;
    sk_stmt *s = NULL;
    int rc = sk_store_prepare(st, &s,
                              "SELECT input_json, expected_json FROM dataset_rows WHERE "
                              "version_id = ? AND row_id = ?",
                              err);
    if (rc)
        return rc;
    sk_db_bind_int64(s, 1, version_id);
    sk_db_bind_text(s, 2, row_id, -1, SK_DB_TRANSIENT);
    int step = sk_db_step(s);
    if (step == SK_DB_ROW) {
        *input = sk_store_column_dup(s, 0);
        *expected = sk_store_column_dup(s, 1);
    } else if (step != SK_DB_DONE) {
        rc = sk_store_error(st, "reading a dataset row", err);
    }
    sk_db_finalize(s);
    return rc;
}

int sk_dataset_each_metadata(sk_store *st, int64_t version_id,
                             int (*fn)(void *ud, const char *row_id, const char *metadata_json),
                             void *ud, char **err)
{
    sk_stmt *s = NULL;
    int rc = sk_store_prepare(st, &s,
                              "SELECT row_id, metadata_json FROM dataset_rows WHERE version_id = "
                              "? ORDER BY row_id",
                              err);
    if (rc)
        return rc;
    sk_db_bind_int64(s, 1, version_id);
    int step;
    while ((step = sk_db_step(s)) == SK_DB_ROW)
        if ((rc = fn(ud, sk_db_column_text(s, 0), sk_db_column_text(s, 1))) != 0)
            break;
    if (rc == 0 && step != SK_DB_DONE)
        rc = sk_store_error(st, "reading the rows' metadata", err);
    sk_db_finalize(s);
    return rc;
}

/* The dataset's newest version number, 0 when there is no such dataset. */
static int latest_version(sk_store *st, const char *name, int *latest, char **err)
{
    sk_stmt *s;
    int rc = sk_store_prepare(st, &s,
                              "SELECT coalesce(max(v.version), 0) FROM datasets d "
                              "LEFT JOIN dataset_versions v ON v.dataset_id = d.id "
                              "WHERE d.name = ?",
                              err);
    if (rc)
        return rc;
    sk_db_bind_text(s, 1, name, -1, SK_DB_STATIC);
    int step = sk_db_step(s);
    *latest = step == SK_DB_ROW ? sk_db_column_int(s, 0) : 0;
    if (step != SK_DB_ROW && step != SK_DB_DONE)
        rc = sk_store_error(st, "looking up a dataset", err);
    sk_db_finalize(s);
    return rc;
}

int sk_dataset_resolve(sk_store *st, const char *ref, sk_dataset_version *out, char **err)
{
    memset(out, 0, sizeof *out);
    char *name;
    int want;
    int rc = sk_dataset_parse_ref(ref, &name, &want, err);
    if (rc)
        return rc;
    int latest = 0;
    if ((rc = latest_version(st, name, &latest, err)) != 0)
        goto done;
    if (latest == 0) {
        rc = sk_errf(err, SK_ENOTFOUND,
                     "no dataset \"%s\" in this project; `scorekit dataset list` shows the "
                     "datasets, `scorekit dataset import %s FILE` makes one",
                     name, name);
        goto done;
    }
    if (want > latest) {
        rc = sk_errf(err, SK_ENOTFOUND, "dataset \"%s\" has no version %d; %s %d", name, want,
                     latest > 1 ? "its versions are 1 to" : "its only version is", latest);
        goto done;
    }
    sk_stmt *s;
    if ((rc = sk_store_prepare(st, &s, VERSION_COLUMNS "WHERE d.name = ? AND v.version = ?",
                               err)) != 0)
        goto done;
    sk_db_bind_text(s, 1, name, -1, SK_DB_STATIC);
    sk_db_bind_int(s, 2, want ? want : latest);
    if (sk_db_step(s) == SK_DB_ROW)
        version_from(s, out);
    else
        rc = sk_store_error(st, "reading a dataset version", err);
    sk_db_finalize(s);
done:
    free(name);
    return rc;
}

int sk_dataset__load_version(sk_store *st, int64_t vid, sk_dataset_version *out, char **err)
{
    sk_stmt *s;
    int rc = sk_store_prepare(st, &s, VERSION_COLUMNS "WHERE v.id = ?", err);
    if (rc)
        return rc;
    sk_db_bind_int64(s, 1, vid);
    if (sk_db_step(s) == SK_DB_ROW)
        version_from(s, out);
    else
        rc = sk_store_error(st, "reading a dataset version", err);
    sk_db_finalize(s);
    return rc;
}

static void version_fill(sk_stmt *s, void *elem)
{
    version_from(s, elem);
}

static void version_clear(void *elem)
{
    sk_dataset_version_clear(elem);
}

int sk_dataset_list(sk_store *st, sk_dataset_version **out, size_t *n, char **err)
{
    *out = NULL;
    *n = 0;
    sk_stmt *s;
    int rc = sk_store_prepare(st, &s,
                              VERSION_COLUMNS "WHERE v.version = (SELECT max(version) FROM "
                                              "dataset_versions WHERE dataset_id = d.id) "
                                              "ORDER BY d.name",
                              err);
    if (rc)
        return rc;
    return sk_store_collect(st, s, sizeof **out, version_fill, version_clear, "listing datasets",
                            (void **)out, n, err);
}

void sk_dataset_list_free(sk_dataset_version *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        sk_dataset_version_clear(&v[i]);
    free(v);
}

/* ---- import --------------------------------------------------------------- */

/* A repeated id as the reader says it: "FILE:LINE: duplicate id ...". */
static int dup_error(sk_dataset_file *f, size_t line, const char *id, size_t len, size_t first,
                     int derived, char **err)
{
    sk_buf msg = {0};
    sk_id_dup_message(&msg, id, len, first, derived);
    int rc = sk_errf(err, SK_EPARSE, "%s:%zu: %s", sk_dataset_file_name(f), line, msg.data);
    sk_buf_free(&msg);
    return rc;
}

/* The check's own failure (its temporary file), named for the file. */
static int ids_error(sk_dataset_file *f, int rc, char **err)
{
    char *e = err ? *err : NULL;
    if (e) {
        *err = NULL;
        sk_errf(err, rc, "%s: %s", sk_dataset_file_name(f), e);
        free(e);
    }
    return rc;
}

/* Pass 1: check every row and every id; count the rows.  Ids go through
 * the bounded check `score` uses (base/idcheck.h), not a set of them all:
 * a repeat within its window is found on its line, one beyond it once
 * every id was seen, so memory stays flat however long the file. */
static int check_file(sk_dataset_file *f, size_t *count, char **err)
{
    sk_dataset_file_row row;
    int rc;
    *count = 0;
    sk_dataset_file_unchecked_ids(f);
    sk_idcheck *ids = sk_idcheck_new(0, NULL);
    while ((rc = sk_dataset_file_next(f, &row, err)) == 1) {
        size_t first = 0;
        rc = sk_idcheck_add(ids, row.id, row.id_len, row.line, &first, err);
        if (rc) {
            rc = ids_error(f, rc, err);
            break;
        }
        if (first) {
            rc = dup_error(f, row.line, row.id, row.id_len, first, row.id_derived, err);
            break;
        }
        (*count)++;
    }
    if (rc == 0 && sk_idcheck_deferred(ids)) {
        const sk_iddup *d;
        size_t n;
        rc = sk_idcheck_finish(ids, &d, &n, err);
        if (rc)
            rc = ids_error(f, rc, err);
        else if (n) {
            sk_buf id = {0};
            rc = sk_idcheck_dup_id(ids, &d[0], &id, err);
            rc = rc ? ids_error(f, rc, err)
                    : dup_error(f, d[0].line, id.data, id.len, d[0].first, 0, err);
            sk_buf_free(&id);
        }
    }
    sk_idcheck_free(ids);
    if (rc == 0 && *count == 0)
        rc = sk_errf(err, SK_EPARSE, "%s: no rows to import", sk_dataset_file_name(f));
    return rc;
}

static void bind_span(sk_stmt *s, int i, sk_span v)
{
    if (v.p)
        sk_db_bind_text(s, i, v.p, (int)v.n, SK_DB_STATIC);
    else
        sk_db_bind_null(s, i);
}

int64_t sk_dataset__id(sk_store *st, const char *name, char **err)
{
    sk_stmt *s;
    if (sk_store_prepare(st, &s, "INSERT OR IGNORE INTO datasets (name) VALUES (?)", err))
        return -1;
    sk_db_bind_text(s, 1, name, -1, SK_DB_STATIC);
    int rc = sk_store_step_done(st, s, "adding a dataset", err);
    sk_db_finalize(s);
    if (rc || sk_store_prepare(st, &s, "SELECT id FROM datasets WHERE name = ?", err))
        return -1;
    sk_db_bind_text(s, 1, name, -1, SK_DB_STATIC);
    int64_t id = -1;
    if (sk_db_step(s) == SK_DB_ROW)
        id = sk_db_column_int64(s, 0);
    else
        sk_store_error(st, "looking up a dataset", err);
    sk_db_finalize(s);
    return id;
}

/* A new version row, its number the dataset's next. */
int64_t sk_dataset__add_version(sk_store *st, int64_t ds, const char *source, size_t count,
                                const char *meta_keys, char **err)
{
    sk_stmt *s;
    if (sk_store_prepare(st, &s,
                         "INSERT INTO dataset_versions "
                         "(dataset_id, version, source, row_count, metadata_keys) "
                         "SELECT ?1, coalesce(max(version), 0) + 1, ?2, ?3, ?4 "
                         "FROM dataset_versions WHERE dataset_id = ?1",
                         err))
        return -1;
    sk_db_bind_int64(s, 1, ds);
    sk_db_bind_text(s, 2, source, -1, SK_DB_STATIC);
    sk_db_bind_int64(s, 3, (sk_int64)count);
    sk_db_bind_text(s, 4, meta_keys, -1, SK_DB_STATIC);
    int rc = sk_store_step_done(st, s, "adding a dataset version", err);
    sk_db_finalize(s);
    return rc ? -1 : sk_db_last_insert_id(sk_store_db(st));
}

int sk_dataset__carry_provenance(sk_store *st, int64_t vid, char **err)
{
    sk_stmt *s;
    int rc = sk_store_prepare(
        st, &s,
        "INSERT OR IGNORE INTO dataset_provenance SELECT ?1, p.row_id, p.kind, p.source, "
        "p.experiment_id, p.trial, p.file, p.line, p.log_id, p.note, p.added_at "
        "FROM dataset_versions nv JOIN dataset_versions pv "
        "  ON pv.dataset_id = nv.dataset_id AND pv.version = nv.version - 1 "
        "JOIN dataset_provenance p ON p.version_id = pv.id "
        "JOIN dataset_rows o ON o.version_id = pv.id AND o.row_id = p.row_id "
        "JOIN dataset_rows n ON n.version_id = nv.id AND n.row_id = p.row_id "
        "WHERE nv.id = ?1 AND ?2 = ?2 AND n.input_json = o.input_json "
        "  AND n.expected_json IS o.expected_json",
        err);
    if (rc)
        return rc;
    sk_db_bind_int64(s, 1, vid);
    sk_db_bind_int64(s, 2, 0);
    rc = sk_store_step_done(st, s, "carrying provenance over", err);
    sk_db_finalize(s);
    return rc;
}

/* Pass 2, inside the transaction. */
static int write_rows(sk_store *st, sk_dataset_file *f, int64_t vid, size_t count, char **err)
{
    sk_stmt *s;
    int rc = sk_store_prepare(st, &s,
                              "INSERT INTO dataset_rows (version_id, pos, row_id, input_json, "
                              "expected_json, output_json, metadata_json, tags_json) "
                              "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                              err);
    if (rc)
        return rc;
    sk_dataset_file_row row;
    size_t pos = 0;
    while (pos <= count && (rc = sk_dataset_file_next(f, &row, err)) == 1) {
        if (pos == count)
            break; /* a row more than the first pass saw */
        sk_db_bind_int64(s, 1, vid);
        sk_db_bind_int64(s, 2, (sk_int64)pos++);
        sk_db_bind_text(s, 3, row.id, (int)row.id_len, SK_DB_STATIC);
        bind_span(s, 4, row.input);
        bind_span(s, 5, row.expected);
        bind_span(s, 6, row.output);
        bind_span(s, 7, row.metadata);
        bind_span(s, 8, row.tags);
        if ((rc = sk_store_step_done(st, s, "writing a dataset row", err)) != 0)
            break;
    }
    sk_db_finalize(s);
    if (rc == 1 || (rc == 0 && pos != count))
        rc = sk_errf(err, SK_EIO, "%s: the file changed while it was imported; import it again",
                     sk_dataset_file_name(f));
    return rc;
}

int sk_dataset_import(sk_store *st, const char *name, const char *path, sk_dataset_format fmt,
                      sk_dataset_version *out, char **err)
{
    if (out)
        memset(out, 0, sizeof *out);
    int rc = sk_dataset_check_name(name, err);
    if (rc)
        return rc;
    sk_dataset_file *f;
    if ((rc = sk_dataset_file_open(&f, path, fmt, err)) != 0)
        return rc;
    size_t count;
    if ((rc = check_file(f, &count, err)) != 0 || (rc = sk_dataset_file_rewind(f, err)) != 0) {
        sk_dataset_file_close(f);
        return rc;
    }
    const char *meta = sk_dataset_file_meta_keys(f);
    if ((rc = sk_store_begin(st, err)) == 0) {
        int64_t ds = sk_dataset__id(st, name, err);
        int64_t vid =
            ds < 0 ? -1
                   : sk_dataset__add_version(st, ds, sk_dataset_file_name(f), count, meta, err);
        rc = vid < 0 ? SK_EIO : write_rows(st, f, vid, count, err);
        if (!rc) /* rows `dataset add` put in the file keep where they came from */
            rc = sk_dataset__carry_provenance(st, vid, err);
        if (!rc)
            rc = sk_store_commit(st, err);
        if (rc)
            sk_store_rollback(st);
        else if (out)
            rc = sk_dataset__load_version(st, vid, out, err);
        if (!rc && out && sk_dataset_file_dropped(f))
            out->dropped = sk_xstrdup(sk_dataset_file_dropped(f));
    }
    sk_dataset_file_close(f);
    return rc;
}

/* A value read from a file against the same value as stored. */
static int span_is(sk_span v, const char *stored)
{
    if (!v.p || !stored)
        return !v.p && !stored;
    return strlen(stored) == v.n && memcmp(v.p, stored, v.n) == 0;
}

/* Does the checked file `f` (count rows, rewound) hold exactly the rows of
 * version `vid`, in order?  Returns 1, 0, or a negative SK_E* code. */
static int same_rows(sk_store *st, sk_dataset_file *f, size_t count, int64_t vid, int64_t rows,
                     char **err)
{
    if ((int64_t)count != rows)
        return 0;
    sk_dataset_iter *it;
    int rc = sk_dataset_iter_open(&it, st, vid, err);
    if (rc)
        return rc;
    sk_dataset_file_row fr;
    sk_dataset_row sr;
    int same = 1;
    while (same && (rc = sk_dataset_file_next(f, &fr, err)) == 1) {
        rc = sk_dataset_iter_next(it, &sr, err);
        if (rc < 0)
            break;
        same = rc == 1 && fr.id_len == sr.id_len && memcmp(fr.id, sr.id, fr.id_len) == 0 &&
               span_is(fr.input, sr.input_json) && span_is(fr.expected, sr.expected_json) &&
               span_is(fr.output, sr.output_json) && span_is(fr.metadata, sr.metadata_json) &&
               span_is(fr.tags, sr.tags_json);
    }
    sk_dataset_iter_close(it);
    return rc < 0 ? rc : same;
}

char *sk_dataset_name_for_file(const char *path)
{
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    const char *dot = strrchr(base, '.');
    return sk_xstrndup(base, dot && dot != base ? (size_t)(dot - base) : strlen(base));
}

int sk_dataset_file_current(sk_store *st, const char *name, const char *path, sk_dataset_format fmt,
                            sk_dataset_version *newest, int *same, char **err)
{
    memset(newest, 0, sizeof *newest);
    *same = 0;
    int rc = sk_dataset_check_name(name, err);
    if (rc)
        return rc;
    sk_dataset_file *f;
    size_t count;
    if ((rc = sk_dataset_file_open(&f, path, fmt, err)) != 0)
        return rc;
    rc = check_file(f, &count, err);
    char *msg = NULL;
    if (rc == 0 && sk_dataset_resolve(st, name, newest, &msg) == SK_OK) {
        rc = sk_dataset_file_rewind(f, err);
        if (rc == 0)
            rc = same_rows(st, f, count, newest->id, newest->rows, err);
        if (rc >= 0) {
            *same = rc;
            rc = SK_OK;
        }
    }
    free(msg);
    sk_dataset_file_close(f);
    return rc;
}

int sk_dataset_sync(sk_store *st, const char *name, const char *path, sk_dataset_format fmt,
                    sk_dataset_version *out, int *imported, char **err)
{
    *imported = 0;
    int same = 0;
    int rc = sk_dataset_file_current(st, name, path, fmt, out, &same, err);
    if (rc || same)
        return rc;
    sk_dataset_version_clear(out);
    rc = sk_dataset_import(st, name, path, fmt, out, err);
    *imported = rc == SK_OK;
    return rc;
}

/* ---- reading rows back ---------------------------------------------------- */

struct sk_dataset_iter {
    sk_store *st;
    sk_stmt *s;
};

int sk_dataset_iter_open(sk_dataset_iter **out, sk_store *st, int64_t version_id, char **err)
{
    *out = NULL;
    sk_stmt *s;
    int rc = sk_store_prepare_large(st, &s,
                                    "SELECT pos, row_id, input_json, expected_json, output_json, "
                                    "metadata_json, tags_json FROM dataset_rows "
                                    "WHERE version_id = ? ORDER BY pos",
                                    err);
    if (rc)
        return rc;
    sk_db_bind_int64(s, 1, version_id);
    sk_dataset_iter *it = sk_xcalloc(1, sizeof *it);
    it->st = st;
    it->s = s;
    *out = it;
    return SK_OK;
}

int sk_dataset_iter_next(sk_dataset_iter *it, sk_dataset_row *row, char **err)
{
    int rc = sk_db_step(it->s);
    if (rc == SK_DB_DONE)
        return 0;
    if (rc != SK_DB_ROW)
        return sk_store_error(it->st, "reading dataset rows", err);
    sk_stmt *s = it->s;
    row->pos = sk_db_column_int64(s, 0);
    row->id = sk_db_column_text(s, 1);
    row->id_len = (size_t)sk_db_column_bytes(s, 1);
    row->input_json = sk_db_column_text(s, 2);
    row->expected_json = sk_db_column_text(s, 3);
    row->output_json = sk_db_column_text(s, 4);
    row->metadata_json = sk_db_column_text(s, 5);
    row->tags_json = sk_db_column_text(s, 6);
    return 1;
}

void sk_dataset_iter_close(sk_dataset_iter *it)
{
    if (!it)
        return;
    sk_db_finalize(it->s);
    free(it);
}

void sk_dataset_row_json(const sk_dataset_row *row, sk_buf *out)
{
    sk_buf_adds(out, "{\"id\": ");
    sk_buf_add_json_string(out, row->id, row->id_len);
    const char *const vals[] = {row->input_json, row->output_json, row->expected_json,
                                row->metadata_json, row->tags_json};
    static const char *const keys[] = {"input", "output", "expected", "metadata", "tags"};
    /* Appended, not printf'd: a run builds one of these per cell. */
    for (int i = 0; i < 5; i++)
        if (vals[i]) {
            sk_buf_adds(out, ", \"");
            sk_buf_adds(out, keys[i]);
            sk_buf_adds(out, "\": ");
            sk_buf_adds(out, vals[i]);
        }
    sk_buf_addc(out, '}');
}

int sk_dataset_export(sk_store *st, int64_t version_id, FILE *f, char **err)
{
    sk_dataset_iter *it;
    int rc = sk_dataset_iter_open(&it, st, version_id, err);
    if (rc)
        return rc;
    sk_buf line = {0};
    sk_dataset_row row;
    while ((rc = sk_dataset_iter_next(it, &row, err)) == 1) {
        sk_buf_reset(&line);
        sk_dataset_row_json(&row, &line);
        sk_buf_addc(&line, '\n');
        if (fwrite(line.data, 1, line.len, f) != line.len) {
            rc = sk_errf(err, SK_EIO, "cannot write the export: %s", strerror(errno));
            break;
        }
    }
    if (rc == 0 && fflush(f) != 0)
        rc = sk_errf(err, SK_EIO, "cannot write the export: %s", strerror(errno));
    sk_buf_free(&line);
    sk_dataset_iter_close(it);
    return rc;
}
