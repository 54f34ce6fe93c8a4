/* Growing a dataset version by version, and its provenance (see
 * dataset_grow.h). */
#include "store/dataset_grow.h"

#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "store/dataset_priv.h"

static void bind_opt(sk_stmt *s, int i, const char *v)
{
    if (v)
        sk_db_bind_text(s, i, v, -1, SK_DB_STATIC);
    else
        sk_db_bind_null(s, i);
}

/* Run one statement with the version bound to ?1 and ?2 (base, new). */
static int exec2(sk_store *st, const char *sql, int64_t a, int64_t b, const char *what, char **err)
{
    sk_stmt *s;
    int rc = sk_store_prepare(st, &s, sql, err);
    if (rc)
        return rc;
    sk_db_bind_int64(s, 1, a);
    sk_db_bind_int64(s, 2, b);
    rc = sk_store_step_done(st, s, what, err);
    sk_db_finalize(s);
    return rc;
}

static int insert_new(sk_store *st, int64_t vid, int64_t pos0, const sk_grow_row *rows, size_t n,
                      const char *note, char **err)
{
    sk_stmt *r, *p;
    int rc = sk_store_prepare(st, &r,
                              "INSERT INTO dataset_rows (version_id, pos, row_id, input_json, "
                              "expected_json, output_json, metadata_json, tags_json) "
                              "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                              err);
    if (rc)
        return rc;
    if ((rc = sk_store_prepare(st, &p,
                               "INSERT INTO dataset_provenance VALUES "
                               "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                               err)) != 0) {
        sk_db_finalize(r);
        return rc;
    }
    char *now = sk_now_utc();
    for (size_t i = 0; i < n && !rc; i++) {
        const sk_grow_row *g = &rows[i];
        sk_db_bind_int64(r, 1, vid);
        sk_db_bind_int64(r, 2, pos0 + (int64_t)i);
        sk_db_bind_text(r, 3, g->id, -1, SK_DB_STATIC);
        sk_db_bind_text(r, 4, g->input, -1, SK_DB_STATIC);
        bind_opt(r, 5, g->expected);
        bind_opt(r, 6, g->output);
        bind_opt(r, 7, g->metadata);
        bind_opt(r, 8, g->tags);
        if ((rc = sk_store_step_done(st, r, "writing a dataset row", err)) != 0) {
            if (sk_db_errkind(sk_store_db(st)) == SK_DB_EUNIQUE) {
                free(*err);
                *err = NULL;
                rc = sk_errf(err, SK_EINVAL, "row id \"%s\" is in the dataset already", g->id);
            }
            break;
        }
        sk_db_bind_int64(p, 1, vid);
        sk_db_bind_text(p, 2, g->id, -1, SK_DB_STATIC);
        sk_db_bind_text(p, 3, g->kind, -1, SK_DB_STATIC);
        sk_db_bind_text(p, 4, g->source, -1, SK_DB_STATIC);
        bind_opt(p, 5, g->experiment_id);
        if (g->trial >= 0)
            sk_db_bind_int(p, 6, g->trial);
        else
            sk_db_bind_null(p, 6);
        bind_opt(p, 7, g->file);
        if (g->line)
            sk_db_bind_int64(p, 8, g->line);
        else
            sk_db_bind_null(p, 8);
        bind_opt(p, 9, g->log_id);
        bind_opt(p, 10, note);
        sk_db_bind_text(p, 11, now, -1, SK_DB_STATIC);
        rc = sk_store_step_done(st, p, "writing a row's provenance", err);
    }
    free(now);
    sk_db_finalize(r);
    sk_db_finalize(p);
    return rc;
}

static int grow_in_txn(sk_store *st, const char *name, int64_t base_vid, const char *label,
                       const sk_grow_row *rows, size_t n, const char *note, int64_t *vid,
                       char **err)
{
    int64_t base_rows = 0;
    int rc = base_vid ? sk_dataset_version_rows(st, base_vid, &base_rows, err) : 0;
    if (rc)
        return rc;
    int64_t ds = sk_dataset__id(st, name, err);
    if (ds < 0)
        return SK_EIO;
    *vid = sk_dataset__add_version(st, ds, label, (size_t)base_rows + n, "[]", err);
    if (*vid < 0)
        return SK_EIO;
    if (base_vid &&
        ((rc =
              exec2(st,
                    "INSERT INTO dataset_rows SELECT ?2, pos, row_id, input_json, expected_json, "
                    "output_json, metadata_json, tags_json FROM dataset_rows WHERE version_id = ?1",
                    base_vid, *vid, "copying the dataset's rows", err)) != 0 ||
         (rc = exec2(st,
                     "INSERT INTO dataset_provenance SELECT ?2, row_id, kind, source, "
                     "experiment_id, trial, file, line, log_id, note, added_at "
                     "FROM dataset_provenance WHERE version_id = ?1",
                     base_vid, *vid, "copying the rows' provenance", err)) != 0))
        return rc;
    if ((rc = insert_new(st, *vid, base_rows, rows, n, note, err)) != 0)
        return rc;
    /* The metadata keys of every row, as an import collects them. */
    return exec2(
        st,
        sk_db_dialect(sk_store_db(st)) == SK_DIALECT_POSTGRES
            ? "UPDATE dataset_versions SET metadata_keys = (SELECT coalesce('[' || "
              "string_agg(CAST(to_json(k) AS TEXT), ',' ORDER BY k) || ']', '[]') FROM (SELECT "
              "DISTINCT jsonb_object_keys(CAST(r.metadata_json AS jsonb)) "
              "COLLATE \"C\" AS k FROM dataset_rows r WHERE r.version_id = ?1 AND "
              "jsonb_typeof(CAST(r.metadata_json AS jsonb)) = 'object') AS m) WHERE id = ?1 AND "
              "?2 = ?2"
            : "UPDATE dataset_versions SET metadata_keys = (SELECT coalesce(json_group_array(k), "
              "'[]') FROM (SELECT DISTINCT j.key AS k FROM dataset_rows r, "
              "json_each(r.metadata_json) j WHERE r.version_id = ?1 "
              "AND json_type(r.metadata_json) = 'object' ORDER BY 1)) WHERE id = ?1 AND ?2 = ?2",
        *vid, 0, "listing the metadata keys", err);
}

int sk_dataset_grow(sk_store *st, const char *name, int64_t base_vid, const char *label,
                    const sk_grow_row *rows, size_t n, const char *note, sk_dataset_version *out,
                    char **err)
{
    if (out)
        memset(out, 0, sizeof *out);
    int rc = sk_dataset_check_name(name, err);
    if (rc || (rc = sk_store_begin(st, err)) != 0)
        return rc;
    int64_t vid = 0;
    rc = grow_in_txn(st, name, base_vid, label, rows, n, note, &vid, err);
    if (!rc)
        rc = sk_store_commit(st, err);
    if (rc)
        sk_store_rollback(st);
    else if (out)
        rc = sk_dataset__load_version(st, vid, out, err);
    return rc;
}

static const char *col(sk_stmt *s, int i)
{
    return sk_db_column_text(s, i);
}

int sk_dataset_each_provenance(sk_store *st, int64_t vid,
                               int (*fn)(void *ud, const sk_provenance *p), void *ud, char **err)
{
    sk_stmt *s;
    int rc = sk_store_prepare(st, &s,
                              "SELECT p.row_id, kind, source, experiment_id, file, log_id, note, "
                              "added_at, coalesce(trial, -1), coalesce(line, 0) "
                              "FROM dataset_provenance p JOIN dataset_rows r "
                              "ON r.version_id = p.version_id AND r.row_id = p.row_id "
                              "WHERE p.version_id = ? ORDER BY r.pos",
                              err);
    if (rc)
        return rc;
    sk_db_bind_int64(s, 1, vid);
    int step;
    while ((step = sk_db_step(s)) == SK_DB_ROW) {
        sk_provenance p = {col(s, 0),
                           col(s, 1),
                           col(s, 2),
                           col(s, 3),
                           col(s, 4),
                           col(s, 5),
                           col(s, 6),
                           col(s, 7),
                           sk_db_column_int(s, 8),
                           (long)sk_db_column_int64(s, 9)};
        if ((rc = fn(ud, &p)) != 0)
            break;
    }
    if (!rc && step != SK_DB_DONE)
        rc = sk_store_error(st, "reading the rows' provenance", err);
    sk_db_finalize(s);
    return rc;
}

int sk_dataset_each_change(sk_store *st, int64_t a, int64_t b,
                           int (*fn)(void *ud, const char *change, const char *row_id), void *ud,
                           char **err)
{
    static const char *const sql[3] = {
        "SELECT 'removed', x.row_id FROM dataset_rows x WHERE x.version_id = ?1 AND NOT EXISTS "
        "(SELECT 1 FROM dataset_rows y WHERE y.version_id = ?2 AND y.row_id = x.row_id) "
        "ORDER BY x.pos",
        "SELECT 'added', y.row_id FROM dataset_rows y WHERE y.version_id = ?2 AND NOT EXISTS "
        "(SELECT 1 FROM dataset_rows x WHERE x.version_id = ?1 AND x.row_id = y.row_id) "
        "ORDER BY y.pos",
        "SELECT 'changed', y.row_id FROM dataset_rows y JOIN dataset_rows x "
        "ON x.version_id = ?1 AND x.row_id = y.row_id WHERE y.version_id = ?2 AND "
        "(x.input_json IS NOT y.input_json OR x.expected_json IS NOT y.expected_json OR "
        "x.output_json IS NOT y.output_json OR x.metadata_json IS NOT y.metadata_json OR "
        "x.tags_json IS NOT y.tags_json) ORDER BY y.pos"};
    int rc = 0;
    for (int i = 0; i < 3 && !rc; i++) {
        sk_stmt *s;
        if ((rc = sk_store_prepare(st, &s, sql[i], err)) != 0)
            break;
        sk_db_bind_int64(s, 1, a);
        sk_db_bind_int64(s, 2, b);
        int step;
        while ((step = sk_db_step(s)) == SK_DB_ROW)
            if ((rc = fn(ud, col(s, 0), col(s, 1))) != 0)
                break;
        if (!rc && step != SK_DB_DONE)
            rc = sk_store_error(st, "comparing dataset versions", err);
        sk_db_finalize(s);
    }
    return rc;
}
