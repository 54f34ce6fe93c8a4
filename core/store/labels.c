/* Human labels in the store (see labels.h). */
#include "store/labels.h"

#include <math.h>

#include "base/error.h"

int sk_labels_put(sk_store *st, const sk_label *v, size_t n, char **err)
{
    for (size_t i = 0; i < n; i++)
        if (!(v[i].label >= 0 && v[i].label <= 1))
            return sk_errf(err, SK_EINVAL,
                           "row %s, scorer %s: label %g is outside [0,1] (pass is 1, fail 0)",
                           v[i].row_id, v[i].scorer, v[i].label);
    int rc = sk_store_begin(st, err);
    if (rc)
        return rc;
    sk_stmt *s;
    rc = sk_store_prepare(st, &s,
                          "INSERT INTO labels (source, row_id, scorer, label, who) "
                          "VALUES (?,?,?,?,?) ON CONFLICT (source, row_id, scorer, who) "
                          "DO UPDATE SET label = excluded.label, labelled_at = " SK_SQL_NOW,
                          err);
    for (size_t i = 0; rc == SK_OK && i < n; i++) {
        sk_db_reset(s);
        sk_db_bind_text(s, 1, v[i].source, -1, SK_DB_STATIC);
        sk_db_bind_text(s, 2, v[i].row_id, -1, SK_DB_STATIC);
        sk_db_bind_text(s, 3, v[i].scorer, -1, SK_DB_STATIC);
        sk_db_bind_double(s, 4, v[i].label);
        sk_db_bind_text(s, 5, v[i].who, -1, SK_DB_STATIC);
        rc = sk_store_step_done(st, s, "storing a label", err);
    }
    if (rc == SK_OK)
        sk_db_finalize(s);
    if (rc == SK_OK)
        return sk_store_commit(st, err);
    sk_store_rollback(st);
    return rc;
}

int sk_labels_delete(sk_store *st, const char *source, const char *row_id, const char *scorer,
                     const char *who, char **err)
{
    sk_stmt *s;
    int rc = sk_store_prepare(
        st, &s, "DELETE FROM labels WHERE source = ? AND row_id = ? AND scorer = ? AND who = ?",
        err);
    if (rc)
        return rc;
    sk_db_bind_text(s, 1, source, -1, SK_DB_STATIC);
    sk_db_bind_text(s, 2, row_id, -1, SK_DB_STATIC);
    sk_db_bind_text(s, 3, scorer, -1, SK_DB_STATIC);
    sk_db_bind_text(s, 4, who, -1, SK_DB_STATIC);
    rc = sk_store_step_done(st, s, "removing a label", err);
    sk_db_finalize(s);
    return rc;
}

int sk_labels_each(sk_store *st, const char *source, const char *scorer,
                   int (*fn)(void *ud, const sk_label *l), void *ud, char **err)
{
    sk_stmt *s;
    int rc = sk_store_prepare(st, &s,
                              "SELECT source, row_id, scorer, label, who, labelled_at FROM labels "
                              "WHERE source = ?1 AND (?2 IS NULL OR scorer = ?2) "
                              "ORDER BY scorer, row_id, who",
                              err);
    if (rc)
        return rc;
    sk_db_bind_text(s, 1, source, -1, SK_DB_STATIC);
    if (scorer)
        sk_db_bind_text(s, 2, scorer, -1, SK_DB_STATIC);
    int step;
    while ((step = sk_db_step(s)) == SK_DB_ROW) {
        sk_label l = {sk_db_column_text(s, 0), sk_db_column_text(s, 1),   sk_db_column_text(s, 2),
                      sk_db_column_text(s, 4), sk_db_column_double(s, 3), sk_db_column_text(s, 5)};
        if ((rc = fn(ud, &l)) != 0)
            break;
    }
    if (rc == 0 && step != SK_DB_DONE)
        rc = sk_store_error(st, "reading labels", err);
    sk_db_finalize(s);
    return rc;
}

int sk_labels_each_source(sk_store *st, int (*fn)(void *ud, const char *source), void *ud,
                          char **err)
{
    sk_stmt *s;
    int rc = sk_store_prepare(st, &s, "SELECT DISTINCT source FROM labels ORDER BY source", err);
    if (rc)
        return rc;
    int step;
    while ((step = sk_db_step(s)) == SK_DB_ROW)
        if ((rc = fn(ud, sk_db_column_text(s, 0))) != 0)
            break;
    if (rc == 0 && step != SK_DB_DONE)
        rc = sk_store_error(st, "reading labels", err);
    sk_db_finalize(s);
    return rc;
}
