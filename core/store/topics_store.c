/* Topic runs in the store (see topics_store.h). */
#include "store/topics_store.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "base/util.h"

void sk_topic_run_clear(sk_topic_run *r)
{
    free(r->id);
    free(r->source);
    free(r->kind);
    free(r->field);
    free(r->created_at);
    free(r->params_json);
    memset(r, 0, sizeof *r);
}

static void bind_opt(sk_stmt *s, int i, const char *v)
{
    if (v)
        sk_db_bind_text(s, i, v, -1, SK_DB_STATIC);
    else
        sk_db_bind_null(s, i);
}

static int save_in_txn(sk_store *st, const sk_topic_run *r, const sk_topic_label *labels,
                       size_t nlabels, const sk_topic_row *rows, size_t nrows, char **err)
{
    sk_stmt *s;
    int rc = sk_store_prepare(st, &s,
                              "INSERT INTO topic_runs (id, source, kind, field, k, rows, "
                              "created_at, params_json) VALUES (?, ?, ?, ?, ?, ?, "
                              "coalesce(?, " SK_SQL_NOW "), ?)",
                              err);
    if (rc)
        return rc;
    sk_db_bind_text(s, 1, r->id, -1, SK_DB_STATIC);
    sk_db_bind_text(s, 2, r->source, -1, SK_DB_STATIC);
    sk_db_bind_text(s, 3, r->kind, -1, SK_DB_STATIC);
    sk_db_bind_text(s, 4, r->field, -1, SK_DB_STATIC);
    sk_db_bind_int(s, 5, r->k);
    sk_db_bind_int64(s, 6, r->rows);
    bind_opt(s, 7, r->created_at);
    sk_db_bind_text(s, 8, r->params_json, -1, SK_DB_STATIC);
    rc = sk_store_step_done(st, s, "recording the topic run", err);
    sk_db_finalize(s);
    if (rc || (rc = sk_store_prepare(st, &s,
                                     "INSERT INTO topic_labels VALUES (?, ?, ?, ?, ?, ?, ?, ?, "
                                     "?, ?, ?)",
                                     err)) != 0)
        return rc;
    for (size_t i = 0; i < nlabels && !rc; i++) {
        const sk_topic_label *t = &labels[i];
        sk_db_bind_text(s, 1, r->id, -1, SK_DB_STATIC);
        sk_db_bind_int(s, 2, t->topic);
        sk_db_bind_text(s, 3, t->label, -1, SK_DB_STATIC);
        sk_db_bind_int64(s, 4, t->size);
        sk_db_bind_text(s, 5, t->example_row, -1, SK_DB_STATIC);
        sk_db_bind_text(s, 6, t->example_text, -1, SK_DB_STATIC);
        sk_db_bind_int64(s, 7, t->judged);
        sk_db_bind_int64(s, 8, t->failed);
        if (isnan(t->fail_rate))
            sk_db_bind_null(s, 9);
        else
            sk_db_bind_double(s, 9, t->fail_rate);
        bind_opt(s, 10, t->scores_json);
        bind_opt(s, 11, t->name);
        rc = sk_store_step_done(st, s, "recording a topic", err);
    }
    sk_db_finalize(s);
    if (rc || (rc = sk_store_prepare(st, &s,
                                     "INSERT INTO topic_rows VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, "
                                     "?, ?)",
                                     err)) != 0)
        return rc;
    for (size_t i = 0; i < nrows && !rc; i++) {
        const sk_topic_row *w = &rows[i];
        sk_db_bind_text(s, 1, r->id, -1, SK_DB_STATIC);
        sk_db_bind_int64(s, 2, (int64_t)i);
        sk_db_bind_text(s, 3, w->row_id, -1, SK_DB_STATIC);
        sk_db_bind_int(s, 4, w->topic);
        sk_db_bind_text(s, 5, w->input, -1, SK_DB_STATIC);
        bind_opt(s, 6, w->expected);
        bind_opt(s, 7, w->output);
        bind_opt(s, 8, w->metadata);
        bind_opt(s, 9, w->tags);
        bind_opt(s, 10, w->file);
        if (w->line)
            sk_db_bind_int64(s, 11, w->line);
        else
            sk_db_bind_null(s, 11);
        rc = sk_store_step_done(st, s, "recording a row's topic", err);
    }
    sk_db_finalize(s);
    return rc;
}

int sk_topic_run_save(sk_store *st, const sk_topic_run *r, const sk_topic_label *labels,
                      size_t nlabels, const sk_topic_row *rows, size_t nrows, char **err)
{
    int rc = sk_store_begin(st, err);
    if (rc)
        return rc;
    rc = save_in_txn(st, r, labels, nlabels, rows, nrows, err);
    if (!rc)
        rc = sk_store_commit(st, err);
    if (rc)
        sk_store_rollback(st);
    return rc;
}

#define RUN_COLUMNS "id, source, kind, field, k, rows, created_at, params_json"

static void read_run(sk_stmt *s, sk_topic_run *r)
{
    r->id = sk_store_column_dup(s, 0);
    r->source = sk_store_column_dup(s, 1);
    r->kind = sk_store_column_dup(s, 2);
    r->field = sk_store_column_dup(s, 3);
    r->k = sk_db_column_int(s, 4);
    r->rows = sk_db_column_int64(s, 5);
    r->created_at = sk_store_column_dup(s, 6);
    r->params_json = sk_store_column_dup(s, 7);
}

int sk_topic_run_load(sk_store *st, const char *ref, sk_topic_run *out, char **err)
{
    memset(out, 0, sizeof *out);
    sk_stmt *s;
    int rc = sk_store_prepare(st, &s,
                              "SELECT " RUN_COLUMNS " FROM topic_runs WHERE "
                              "substr(id, 1, length(?1)) = ?1 ORDER BY id = ?1 DESC LIMIT 2",
                              err);
    if (rc)
        return rc;
    sk_db_bind_text(s, 1, ref, -1, SK_DB_STATIC);
    int found = 0, exact = 0;
    while ((rc = sk_db_step(s)) == SK_DB_ROW)
        if (++found == 1) {
            read_run(s, out);
            exact = strcmp(out->id, ref) == 0;
        }
    int bad = rc != SK_DB_DONE;
    sk_db_finalize(s);
    if (bad) {
        sk_topic_run_clear(out);
        return sk_store_error(st, "reading the topic run", err);
    }
    if (!found || !*ref)
        return sk_errf(err, SK_ENOTFOUND, "no topic run \"%s\" (`scorekit topics list` lists them)",
                       ref);
    if (found > 1 && !exact) {
        sk_topic_run_clear(out);
        return sk_errf(err, SK_EINVAL,
                       "\"%s\" is the start of several topic run ids; give more of it", ref);
    }
    return SK_OK;
}

int sk_topic_each_run(sk_store *st, int (*fn)(void *ud, const sk_topic_run *r), void *ud,
                      char **err)
{
    sk_stmt *s;
    int rc =
        sk_store_prepare(st, &s, "SELECT " RUN_COLUMNS " FROM topic_runs ORDER BY id DESC", err);
    if (rc)
        return rc;
    int step;
    while ((step = sk_db_step(s)) == SK_DB_ROW) {
        sk_topic_run r;
        read_run(s, &r);
        rc = fn(ud, &r);
        sk_topic_run_clear(&r);
        if (rc)
            break;
    }
    if (!rc && step != SK_DB_DONE)
        rc = sk_store_error(st, "listing the topic runs", err);
    sk_db_finalize(s);
    return rc;
}

static const char *col(sk_stmt *s, int i)
{
    return sk_db_column_text(s, i);
}

int sk_topic_each_label(sk_store *st, const char *run_id,
                        int (*fn)(void *ud, const sk_topic_label *t), void *ud, char **err)
{
    sk_stmt *s;
    int rc =
        sk_store_prepare(st, &s,
                         "SELECT topic, label, size, example_row, example_text, judged, "
                         "failed, fail_rate, scores_json, name FROM topic_labels WHERE run_id = ? "
                         "ORDER BY topic",
                         err);
    if (rc)
        return rc;
    sk_db_bind_text(s, 1, run_id, -1, SK_DB_STATIC);
    int step;
    while ((step = sk_db_step(s)) == SK_DB_ROW) {
        sk_topic_label t = {sk_db_column_int(s, 0),
                            col(s, 1),
                            sk_db_column_int64(s, 2),
                            col(s, 3),
                            col(s, 4),
                            sk_db_column_int64(s, 5),
                            sk_db_column_int64(s, 6),
                            sk_db_column_type(s, 7) == SK_DB_NULL ? NAN : sk_db_column_double(s, 7),
                            col(s, 8),
                            col(s, 9)};
        if ((rc = fn(ud, &t)) != 0)
            break;
    }
    if (!rc && step != SK_DB_DONE)
        rc = sk_store_error(st, "reading the topics", err);
    sk_db_finalize(s);
    return rc;
}

int sk_topic_each_row(sk_store *st, const char *run_id, int topic,
                      int (*fn)(void *ud, const sk_topic_row *r), void *ud, char **err)
{
    sk_stmt *s;
    int rc = sk_store_prepare(st, &s,
                              "SELECT topic, row_id, input_json, expected_json, output_json, "
                              "metadata_json, tags_json, file, coalesce(line, 0) FROM topic_rows "
                              "WHERE run_id = ?1 AND (?2 = 0 OR topic = ?2) ORDER BY pos",
                              err);
    if (rc)
        return rc;
    sk_db_bind_text(s, 1, run_id, -1, SK_DB_STATIC);
    sk_db_bind_int(s, 2, topic);
    int step;
    while ((step = sk_db_step(s)) == SK_DB_ROW) {
        sk_topic_row r = {sk_db_column_int(s, 0),
                          col(s, 1),
                          col(s, 2),
                          col(s, 3),
                          col(s, 4),
                          col(s, 5),
                          col(s, 6),
                          col(s, 7),
                          (long)sk_db_column_int64(s, 8)};
        if ((rc = fn(ud, &r)) != 0)
            break;
    }
    if (!rc && step != SK_DB_DONE)
        rc = sk_store_error(st, "reading the topic's rows", err);
    sk_db_finalize(s);
    return rc;
}
