/* Reading an experiment back: the queries behind `experiments`, `show`,
 * `export` and `compare` (experiment_read.h). */
#include "store/experiment_read.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "base/util.h"
#include "store/experiment.h"

static const char *text(sk_stmt *s, int i)
{
    return sk_db_column_text(s, i);
}

static double num(sk_stmt *s, int i)
{
    return sk_db_column_type(s, i) == SK_DB_NULL ? NAN : sk_db_column_double(s, i);
}

/* The caller's callback, one of the four shapes, and its data. */
typedef struct walk {
    void *ud;
    int (*listed)(void *ud, const sk_experiment_listed *e);
    int (*error)(void *ud, const sk_experiment_error *e);
    int (*lowest)(void *ud, const char *row_id, double mean);
    int (*cell)(void *ud, const sk_cell_score_row *r);
    int (*scorer)(void *ud, const char *name, int has_threshold, double threshold,
                  const char *reducer);
    int (*score)(void *ud, const sk_experiment_score *s);
    int (*flaky)(void *ud, const sk_experiment_flaky *f);
    const char *row_id; /* each_row_score's and each_cell_score's row */
    int trial;          /* each_cell_score's trial */
} walk;

/* Step s to its end, handing each result row to row(), or until that
 * returns non-zero (returned as is); finalizes s. */
static int each(sk_store *st, sk_stmt *s, const char *what, char **err,
                int (*row)(sk_stmt *s, const walk *w), const walk *w)
{
    int step, stop = 0;
    while ((step = sk_db_step(s)) == SK_DB_ROW)
        if ((stop = row(s, w)) != 0)
            break;
    int rc = stop ? stop : step == SK_DB_DONE ? SK_OK : sk_store_error(st, what, err);
    sk_db_finalize(s);
    return rc;
}

static int listed_row(sk_stmt *s, const walk *w)
{
    char *status = sk_experiment_status_at(s, 8); /* "interrupted" once its run is gone */
    sk_experiment_listed e = {
        .id = text(s, 0),
        .name = text(s, 1),
        .created_at = text(s, 2),
        .finished_at = text(s, 3),
        .dataset_ref = text(s, 4),
        .origin = text(s, 5),
        .trials = sk_db_column_int(s, 6),
        .dataset_rows = sk_db_column_int64(s, 7),
        .status = status,
    };
    int rc = w->listed(w->ud, &e);
    free(status);
    return rc;
}

int sk_experiment_each_listed(sk_store *st, int (*fn)(void *ud, const sk_experiment_listed *e),
                              void *ud, char **err)
{
    sk_stmt *s = NULL;
    int rc = sk_store_prepare(
        st, &s,
        "SELECT e.id, e.name, e.created_at, e.finished_at, "
        "e.dataset_ref, e.origin, e.trials, coalesce(v.row_count, 0), " SK_EXPERIMENT_STATUS_COLUMNS
        " FROM experiments e LEFT JOIN dataset_versions v ON v.id = "
        "e.dataset_version_id ORDER BY e.id DESC",
        err);
    if (rc)
        return rc;
    walk w = {.ud = ud, .listed = fn};
    return each(st, s, "listing the experiments", err, listed_row, &w);
}

int sk_experiment_newest_other(sk_store *st, const char *not_id, char **id, char **err)
{
    *id = NULL;
    sk_stmt *s = NULL;
    int rc = sk_store_prepare(st, &s,
                              "SELECT id FROM experiments WHERE id <> ? ORDER BY created_at DESC, "
                              "id DESC LIMIT 1",
                              err);
    if (rc)
        return rc;
    sk_db_bind_text(s, 1, not_id ? not_id : "", -1, SK_DB_TRANSIENT);
    int step = sk_db_step(s);
    if (step == SK_DB_ROW)
        *id = sk_store_column_dup(s, 0);
    else if (step != SK_DB_DONE)
        rc = sk_store_error(st, "finding the newest experiment", err);
    sk_db_finalize(s);
    return rc;
}

static int error_row(sk_stmt *s, const walk *w)
{
    sk_experiment_error e = {
        .idx = sk_db_column_int(s, 0),
        .scorer = text(s, 1),
        .message = text(s, 2) ? text(s, 2) : "",
        .row_id = text(s, 3),
        .pos = sk_db_column_int64(s, 4),
        .trial = sk_db_column_int(s, 5),
    };
    return w->error(w->ud, &e);
}

static int flaky_row(sk_stmt *s, const walk *w)
{
    sk_experiment_flaky f = {text(s, 0), text(s, 1), (unsigned)sk_db_column_int(s, 2),
                             (unsigned)sk_db_column_int(s, 3)};
    return w->flaky(w->ud, &f);
}

int sk_experiment_each_flaky(sk_store *st, const char *exp_id,
                             int (*fn)(void *ud, const sk_experiment_flaky *f), void *ud,
                             char **err)
{
    sk_stmt *s = NULL;
    int rc = sk_store_prepare(
        st, &s,
        "SELECT s.row_id, s.scorer, count(CASE WHEN s.score >= es.threshold THEN 1 END), "
        "count(CASE WHEN s.score < es.threshold THEN 1 END) FROM scores s JOIN "
        "experiment_scorers es ON es.experiment_id = s.experiment_id AND es.name = s.scorer "
        "WHERE s.experiment_id = ?1 AND s.kind = 'score' AND es.threshold IS NOT NULL GROUP BY "
        "s.row_id, s.scorer HAVING count(CASE WHEN s.score >= es.threshold THEN 1 END) > 0 AND "
        "count(CASE WHEN s.score < es.threshold THEN 1 END) > 0 ORDER BY (SELECT min(pos) FROM "
        "cells c WHERE c.experiment_id = "
        "?1 AND c.row_id = s.row_id), s.row_id, min(es.idx)",
        err);
    if (rc)
        return rc;
    sk_db_bind_text(s, 1, exp_id, -1, SK_DB_TRANSIENT);
    walk w = {.ud = ud, .flaky = fn};
    return each(st, s, "reading the experiment's flaky rows", err, flaky_row, &w);
}

int sk_experiment_each_error(sk_store *st, const char *exp_id,
                             int (*fn)(void *ud, const sk_experiment_error *e), void *ud,
                             char **err)
{
    /* The stored summary (experiment_stats.h) knows when there is none:
     * no need to read every score to find out. */
    sk_stmt *s = NULL;
    int rc = sk_store_prepare(st, &s,
                              "SELECT summary_cells IS NOT NULL AND summary_task_errors = 0 AND "
                              "summary_score_errors = 0 FROM experiments WHERE id = ?",
                              err);
    if (rc)
        return rc;
    sk_db_bind_text(s, 1, exp_id, -1, SK_DB_TRANSIENT);
    int step = sk_db_step(s), none = step == SK_DB_ROW && sk_db_column_int(s, 0);
    sk_db_finalize(s);
    if (step != SK_DB_ROW && step != SK_DB_DONE)
        return sk_store_error(st, "reading the experiment's summary", err);
    if (none)
        return SK_OK;
    rc = sk_store_prepare(
        st, &s,
        "SELECT -1, NULL, task_error, row_id, pos, trial FROM cells WHERE experiment_id = ?1 "
        "AND task_error IS NOT NULL "
        "UNION ALL "
        "SELECT coalesce(es.idx, 1 << 30), s.scorer, coalesce(s.message, ''), s.row_id, c.pos, "
        "s.trial FROM scores s JOIN cells c ON c.experiment_id = s.experiment_id AND c.row_id = "
        "s.row_id AND c.trial = s.trial LEFT JOIN experiment_scorers es ON es.experiment_id = "
        "s.experiment_id AND es.name = s.scorer WHERE s.experiment_id = ?1 AND s.kind = 'error' "
        "ORDER BY 1, 2, 3, 5, 6",
        err);
    if (rc)
        return rc;
    sk_db_bind_text(s, 1, exp_id, -1, SK_DB_TRANSIENT);
    walk w = {.ud = ud, .error = fn};
    return each(st, s, "reading the errors", err, error_row, &w);
}

static int lowest_row(sk_stmt *s, const walk *w)
{
    return w->lowest(w->ud, text(s, 0), num(s, 1));
}

int sk_experiment_each_lowest(sk_store *st, const char *exp_id, long n,
                              int (*fn)(void *ud, const char *row_id, double mean), void *ud,
                              char **err)
{
    sk_stmt *s = NULL;
    int rc = sk_store_prepare(st, &s,
                              "SELECT row_id, avg(overall) AS m, min(pos) AS p FROM cells WHERE "
                              "experiment_id = ? AND overall IS NOT NULL GROUP BY row_id "
                              "ORDER BY m, p LIMIT ?",
                              err);
    if (rc)
        return rc;
    sk_db_bind_text(s, 1, exp_id, -1, SK_DB_TRANSIENT);
    sk_db_bind_int64(s, 2, n);
    walk w = {.ud = ud, .lowest = fn};
    return each(st, s, "finding the lowest-scoring rows", err, lowest_row, &w);
}

static int row_score_row(sk_stmt *s, const walk *w)
{
    sk_cell_score_row r = {
        .row_id = w->row_id,
        .trial = sk_db_column_int(s, 0),
        .output_json = text(s, 1),
        .task_error = text(s, 2),
        .overall = num(s, 3),
        .latency_ms = num(s, 4),
        .scorer = text(s, 5),
        .kind = text(s, 6),
        .score = num(s, 7),
        .message = text(s, 8),
        .rationale = text(s, 9),
        .meta_json = text(s, 10),
        .has_threshold = sk_db_column_type(s, 11) != SK_DB_NULL,
        .threshold = sk_db_column_double(s, 11),
    };
    return w->cell(w->ud, &r);
}

int sk_experiment_each_row_score(sk_store *st, const char *exp_id, const char *row_id,
                                 int (*fn)(void *ud, const sk_cell_score_row *r), void *ud,
                                 char **err)
{
    sk_stmt *s = NULL;
    int rc = sk_store_prepare(
        st, &s,
        "SELECT c.trial, c.output_json, c.task_error, c.overall, c.latency_ms, s.scorer, s.kind, "
        "s.score, s.message, s.rationale, s.meta_json, es.threshold FROM cells c LEFT JOIN "
        "scores s ON s.experiment_id = c.experiment_id AND s.row_id = c.row_id AND s.trial = "
        "c.trial LEFT JOIN experiment_scorers es ON es.experiment_id = c.experiment_id AND "
        "es.name = s.scorer WHERE c.experiment_id = ?1 AND c.row_id = ?2 ORDER BY c.trial, es.idx",
        err);
    if (rc)
        return rc;
    sk_db_bind_text(s, 1, exp_id, -1, SK_DB_TRANSIENT);
    sk_db_bind_text(s, 2, row_id, -1, SK_DB_TRANSIENT);
    walk w = {.ud = ud, .cell = fn, .row_id = row_id};
    return each(st, s, "reading a row's cells", err, row_score_row, &w);
}

int sk_experiment_first_cell(sk_store *st, const char *exp_id, const char *row_id, int *found,
                             int *trial, char **output_json, char **task_error, char **err)
{
    *found = 0;
    *trial = 0;
    *output_json = *task_error = NULL;
    sk_stmt *s = NULL;
    int rc = sk_store_prepare(st, &s,
                              "SELECT trial, output_json, task_error FROM cells WHERE "
                              "experiment_id = ? AND row_id = ? ORDER BY trial LIMIT 1",
                              err);
    if (rc)
        return rc;
    sk_db_bind_text(s, 1, exp_id, -1, SK_DB_TRANSIENT);
    sk_db_bind_text(s, 2, row_id, -1, SK_DB_TRANSIENT);
    int step = sk_db_step(s);
    if (step == SK_DB_ROW) {
        *found = 1;
        *trial = sk_db_column_int(s, 0);
        *output_json = sk_store_column_dup(s, 1);
        *task_error = sk_store_column_dup(s, 2);
    }
    sk_db_finalize(s);
    if (step != SK_DB_ROW && step != SK_DB_DONE)
        return sk_store_error(st, "reading a row's cell", err);
    return SK_OK;
}

static int cell_score_row(sk_stmt *s, const walk *w)
{
    sk_cell_score_row r = {
        .row_id = w->row_id,
        .trial = w->trial,
        .scorer = text(s, 0),
        .kind = text(s, 1),
        .score = num(s, 2),
        .message = text(s, 3),
        .rationale = text(s, 4),
    };
    return w->cell(w->ud, &r);
}

int sk_experiment_each_cell_score(sk_store *st, const char *exp_id, const char *row_id, int trial,
                                  int (*fn)(void *ud, const sk_cell_score_row *r), void *ud,
                                  char **err)
{
    sk_stmt *s = NULL;
    int rc = sk_store_prepare(st, &s,
                              "SELECT scorer, kind, score, message, rationale FROM scores WHERE "
                              "experiment_id = ? AND row_id = ? AND trial = ?",
                              err);
    if (rc)
        return rc;
    sk_db_bind_text(s, 1, exp_id, -1, SK_DB_TRANSIENT);
    sk_db_bind_text(s, 2, row_id, -1, SK_DB_TRANSIENT);
    sk_db_bind_int(s, 3, trial);
    walk w = {.ud = ud, .cell = fn, .row_id = row_id, .trial = trial};
    return each(st, s, "reading a row's scores", err, cell_score_row, &w);
}

static int scorer_row(sk_stmt *s, const walk *w)
{
    return w->scorer(w->ud, text(s, 0), sk_db_column_type(s, 1) != SK_DB_NULL,
                     sk_db_column_double(s, 1), text(s, 2));
}

int sk_experiment_each_scorer(sk_store *st, const char *exp_id,
                              int (*fn)(void *ud, const char *name, int has_threshold,
                                        double threshold, const char *reducer),
                              void *ud, char **err)
{
    sk_stmt *s = NULL;
    int rc = sk_store_prepare(st, &s,
                              "SELECT name, threshold, reducer FROM experiment_scorers WHERE "
                              "experiment_id = ? ORDER BY idx",
                              err);
    if (rc)
        return rc;
    sk_db_bind_text(s, 1, exp_id, -1, SK_DB_TRANSIENT);
    walk w = {.ud = ud, .scorer = fn};
    return each(st, s, "reading the experiment's scorers", err, scorer_row, &w);
}

int sk_experiment_each_row_cells(sk_store *st, const char *exp_id,
                                 int (*fn)(void *ud, const sk_experiment_row_cells *r), void *ud,
                                 char **err)
{
    /* Grouped here rather than by GROUP BY, which copied every key and ran
     * three aggregates through the VM: half again the time of the scan. */
    sk_stmt *s = NULL;
    int rc = sk_store_prepare(st, &s,
                              "SELECT row_id, pos, task_error IS NOT NULL FROM cells "
                              "WHERE experiment_id = ? ORDER BY row_id",
                              err);
    if (rc)
        return rc;
    sk_db_bind_text(s, 1, exp_id, -1, SK_DB_TRANSIENT);
    sk_buf id = {0};
    sk_experiment_row_cells r = {0};
    int step, stop = 0, open = 0;
    while ((step = sk_db_step(s)) == SK_DB_ROW) {
        const char *row_id = text(s, 0);
        size_t n = (size_t)sk_db_column_bytes(s, 0);
        int64_t pos = sk_db_column_int64(s, 1);
        if (!open || n != id.len || memcmp(row_id, id.data, n) != 0) {
            if (open && (stop = fn(ud, &r)) != 0)
                break;
            sk_buf_reset(&id);
            sk_buf_add(&id, row_id ? row_id : "", n);
            r = (sk_experiment_row_cells){.row_id = id.data, .pos = pos};
            open = 1;
        }
        if (pos < r.pos)
            r.pos = pos;
        r.cells++;
        r.task_errors += sk_db_column_int(s, 2) != 0;
    }
    if (!stop && step == SK_DB_DONE && open)
        stop = fn(ud, &r);
    rc = stop                 ? stop
         : step == SK_DB_DONE ? SK_OK
                              : sk_store_error(st, "reading the experiment's cells", err);
    sk_db_finalize(s);
    sk_buf_free(&id);
    return rc;
}

static int score_row(sk_stmt *s, const walk *w)
{
    sk_experiment_score r = {
        .row_id = text(s, 0),
        .scorer = text(s, 1),
        .kind = text(s, 2),
        .score = sk_db_column_double(s, 3),
    };
    return w->score(w->ud, &r);
}

int sk_experiment_each_score(sk_store *st, const char *exp_id,
                             int (*fn)(void *ud, const sk_experiment_score *s), void *ud,
                             char **err)
{
    sk_stmt *s = NULL;
    int rc = sk_store_prepare(st, &s,
                              "SELECT row_id, scorer, kind, score FROM scores WHERE "
                              "experiment_id = ? ORDER BY row_id",
                              err);
    if (rc)
        return rc;
    sk_db_bind_text(s, 1, exp_id, -1, SK_DB_TRANSIENT);
    walk w = {.ud = ud, .score = fn};
    return each(st, s, "reading the experiment's scores", err, score_row, &w);
}
