/* Every cell of an experiment with its dataset row and its scores, for
 * `export`, `failures` and `dataset add --from` (experiment_read.h).
 *
 * One query joining cells, scores and scorers sorted each cell's scores by
 * the scorer's place in the pack (a temporary b-tree per cell) and looked
 * up the scorer for every score: two thirds of an export's time.  Here two
 * queries walk the dataset in order side by side, one for the cells and
 * one for the scores (each read in the order of an index, without a
 * sort), the scorers are read once, and each cell's few scores are put in
 * the pack's order in memory.  The rows handed to the callback are the
 * ones the single query gave, in the same order. */
#include "store/experiment_read.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "base/util.h"

static const char *text(sk_stmt *s, int i)
{
    return sk_db_column_text(s, i);
}

static double num(sk_stmt *s, int i)
{
    return sk_db_column_type(s, i) == SK_DB_NULL ? NAN : sk_db_column_double(s, i);
}

/* The cell's own columns, which both index-ordered walks read from column
 * `at` on: output, latency, task error, overall, then the model calls. */
static void cell_columns(sk_stmt *c, int at, sk_cell_score_row *r)
{
    r->output_json = text(c, at);
    r->latency_ms = num(c, at + 1);
    r->task_error = text(c, at + 2);
    r->overall = num(c, at + 3);
    r->has_llm = sk_db_column_type(c, at + 4) != SK_DB_NULL;
    r->llm_calls = sk_db_column_int64(c, at + 4);
    r->prompt_tokens = sk_db_column_int64(c, at + 5);
    r->completion_tokens = sk_db_column_int64(c, at + 6);
    r->cost = sk_db_column_double(c, at + 7);
}

/* ---- the sorting query, for cells a run did not write ------------------- */

static int sorted_row(sk_stmt *s, const sk_cell_score_row *base,
                      int (*fn)(void *ud, const sk_cell_score_row *r), void *ud)
{
    sk_cell_score_row r = *base;
    r.row_id = text(s, 0);
    r.trial = sk_db_column_int(s, 1);
    r.input_json = text(s, 2);
    r.expected_json = text(s, 3);
    r.metadata_json = text(s, 4);
    r.output_json = text(s, 5);
    r.latency_ms = num(s, 6);
    r.task_error = text(s, 7);
    r.overall = num(s, 8);
    r.scorer = text(s, 10);
    r.kind = text(s, 11);
    r.score = num(s, 12);
    r.message = text(s, 13);
    r.rationale = text(s, 14);
    r.meta_json = text(s, 15);
    r.has_llm = sk_db_column_type(s, 16) != SK_DB_NULL;
    r.llm_calls = sk_db_column_int64(s, 16);
    r.prompt_tokens = sk_db_column_int64(s, 17);
    r.completion_tokens = sk_db_column_int64(s, 18);
    r.cost = sk_db_column_double(s, 19);
    r.has_threshold = sk_db_column_type(s, 20) != SK_DB_NULL;
    r.threshold = sk_db_column_double(s, 20);
    return fn(ud, &r);
}

/* Cells whose row is not in the version at their position (written by
 * hand, not by a run): one query, sorted, as export always did. */
static int each_sorted(sk_store *st, const char *exp_id, int64_t version_id,
                       int (*fn)(void *ud, const sk_cell_score_row *r), void *ud, char **err)
{
    sk_stmt *s = NULL;
    int rc = sk_store_prepare_large(
        st, &s,
        "SELECT c.row_id, c.trial, r.input_json, r.expected_json, r.metadata_json, c.output_json, "
        "c.latency_ms, c.task_error, c.overall, c.pass, s.scorer, s.kind, s.score, s.message, "
        "s.rationale, s.meta_json, c.llm_calls, c.prompt_tokens, c.completion_tokens, c.cost, "
        "es.threshold FROM cells c LEFT JOIN dataset_rows r ON r.version_id = ?2 AND r.row_id = "
        "c.row_id LEFT JOIN scores s ON s.experiment_id = c.experiment_id AND s.row_id = c.row_id "
        "AND s.trial = c.trial LEFT JOIN experiment_scorers es ON es.experiment_id = "
        "c.experiment_id AND es.name = s.scorer WHERE c.experiment_id = ?1 ORDER BY c.pos, "
        "c.trial, es.idx NULLS FIRST", /* where SQLite puts them; PostgreSQL, last */
        err);
    if (rc)
        return rc;
    sk_db_bind_text(s, 1, exp_id, -1, SK_DB_TRANSIENT);
    sk_db_bind_int64(s, 2, version_id);
    sk_cell_score_row base = {0};
    int step, stop = 0;
    while ((step = sk_db_step(s)) == SK_DB_ROW)
        if ((stop = sorted_row(s, &base, fn, ud)) != 0)
            break;
    rc = stop                 ? stop
         : step == SK_DB_DONE ? SK_OK
                              : sk_store_error(st, "reading the experiment's cells", err);
    sk_db_finalize(s);
    return rc;
}

/* ---- the two walks ------------------------------------------------------ */

/* A scorer of the pack. */
typedef struct ex_scorer {
    char *name;
    int64_t idx;
    int has_threshold;
    double threshold;
} ex_scorer;

/* One score of the current cell, its texts kept in the cell's arena (by
 * offset: the arena moves as it grows; NO_TEXT for NULL). */
#define NO_TEXT SIZE_MAX
typedef struct ex_score {
    size_t scorer, kind, message, rationale, meta;
    double score;
    const ex_scorer *def; /* NULL: a scorer the experiment does not list */
} ex_score;

typedef struct ex_walk {
    ex_scorer *scorers;
    size_t nscorers;
    ex_score *scores;
    size_t nscores, cap;
    sk_buf arena;
} ex_walk;

static void free_walk(ex_walk *w)
{
    for (size_t i = 0; i < w->nscorers; i++)
        free(w->scorers[i].name);
    free(w->scorers);
    free(w->scores);
    sk_buf_free(&w->arena);
}

static int load_scorers(sk_store *st, const char *exp_id, ex_walk *w, char **err)
{
    sk_stmt *s = NULL;
    int rc = sk_store_prepare(
        st, &s, "SELECT name, idx, threshold FROM experiment_scorers WHERE experiment_id = ?", err);
    if (rc)
        return rc;
    sk_db_bind_text(s, 1, exp_id, -1, SK_DB_TRANSIENT);
    int step;
    size_t cap = 0;
    while ((step = sk_db_step(s)) == SK_DB_ROW) {
        w->scorers = sk_xgrow(w->scorers, &cap, w->nscorers + 1, sizeof *w->scorers);
        ex_scorer *d = &w->scorers[w->nscorers++];
        d->name = sk_store_column_dup(s, 0);
        d->idx = sk_db_column_int64(s, 1);
        d->has_threshold = sk_db_column_type(s, 2) != SK_DB_NULL;
        d->threshold = sk_db_column_double(s, 2);
    }
    rc = step == SK_DB_DONE ? SK_OK : sk_store_error(st, "reading the experiment's scorers", err);
    sk_db_finalize(s);
    return rc;
}

static size_t keep(ex_walk *w, sk_stmt *s, int i)
{
    const char *t = text(s, i);
    if (!t)
        return NO_TEXT;
    size_t at = w->arena.len;
    sk_buf_add(&w->arena, t, (size_t)sk_db_column_bytes(s, i) + 1);
    return at;
}

/* Keep the scores query's current row as one of the cell's scores. */
static void add_score(ex_walk *w, sk_stmt *s)
{
    w->scores = sk_xgrow(w->scores, &w->cap, w->nscores + 1, sizeof *w->scores);
    ex_score *x = &w->scores[w->nscores++];
    const char *name = text(s, 2);
    x->def = NULL;
    for (size_t i = 0; name && i < w->nscorers; i++)
        if (w->scorers[i].name && strcmp(w->scorers[i].name, name) == 0)
            x->def = &w->scorers[i];
    x->scorer = keep(w, s, 2);
    x->kind = keep(w, s, 3);
    x->score = num(s, 4);
    x->message = keep(w, s, 5);
    x->rationale = keep(w, s, 6);
    x->meta = keep(w, s, 7);
}

/* The single query's order: the pack's (an unlisted scorer, idx NULL,
 * first), ties in the order they came (by name). */
static int before(const ex_score *a, const ex_score *b)
{
    if (!a->def || !b->def)
        return !a->def && b->def;
    return a->def->idx < b->def->idx;
}

static void sort_scores(ex_walk *w)
{
    for (size_t i = 1; i < w->nscores; i++) {
        ex_score x = w->scores[i];
        size_t j = i;
        for (; j > 0 && before(&x, &w->scores[j - 1]); j--)
            w->scores[j] = w->scores[j - 1];
        w->scores[j] = x;
    }
}

static const char *at(const ex_walk *w, size_t off)
{
    return off == NO_TEXT ? NULL : w->arena.data + off;
}

/* Hand the cell r (its scorer fields unset) to fn once per score, or once
 * with no scorer when it has none. */
static int emit_cell(const ex_walk *w, sk_cell_score_row r,
                     int (*fn)(void *, const sk_cell_score_row *), void *ud)
{
    if (w->nscores == 0)
        return fn(ud, &r);
    for (size_t i = 0; i < w->nscores; i++) {
        const ex_score *x = &w->scores[i];
        r.scorer = at(w, x->scorer);
        r.kind = at(w, x->kind);
        r.score = x->score;
        r.message = at(w, x->message);
        r.rationale = at(w, x->rationale);
        r.meta_json = at(w, x->meta);
        r.has_threshold = x->def && x->def->has_threshold;
        r.threshold = x->def ? x->def->threshold : 0;
        int stop = fn(ud, &r);
        if (stop)
            return stop;
    }
    return 0;
}

/* A row's place: (pos, trial), the first columns of both queries. */
typedef struct ex_key {
    int64_t pos;
    int trial;
} ex_key;

static ex_key key_of(sk_stmt *s, int trial_col)
{
    return (ex_key){sk_db_column_int64(s, 0), sk_db_column_int(s, trial_col)};
}

static int cmp_key(ex_key a, ex_key b)
{
    if (a.pos != b.pos)
        return a.pos < b.pos ? -1 : 1;
    return (a.trial > b.trial) - (a.trial < b.trial);
}

static int each_merged(sk_store *st, const char *exp_id, int64_t version_id,
                       int (*fn)(void *ud, const sk_cell_score_row *r), void *ud, char **err)
{
    ex_walk w = {0};
    sk_stmt *c = NULL, *s = NULL;
    int rc = load_scorers(st, exp_id, &w, err);
    if (rc == SK_OK)
        rc = sk_store_prepare_large(
            st, &c,
            "SELECT r.pos, c.row_id, c.trial, r.input_json, r.expected_json, "
            "r.metadata_json, c.output_json, c.latency_ms, c.task_error, "
            "c.overall, c.llm_calls, c.prompt_tokens, c.completion_tokens, "
            "c.cost FROM dataset_rows r CROSS JOIN cells c ON c.experiment_id "
            "= ?1 AND c.row_id = r.row_id WHERE r.version_id = ?2 ORDER BY "
            "r.pos, c.trial",
            err);
    if (rc == SK_OK)
        rc = sk_store_prepare_large(
            st, &s,
            "SELECT r.pos, s.trial, s.scorer, s.kind, s.score, s.message, "
            "s.rationale, s.meta_json FROM dataset_rows r CROSS JOIN scores s "
            "ON s.experiment_id = ?1 AND s.row_id = r.row_id WHERE "
            "r.version_id = ?2 ORDER BY r.pos, s.trial, s.scorer",
            err);
    if (rc == SK_OK) {
        sk_db_bind_text(c, 1, exp_id, -1, SK_DB_TRANSIENT);
        sk_db_bind_int64(c, 2, version_id);
        sk_db_bind_text(s, 1, exp_id, -1, SK_DB_TRANSIENT);
        sk_db_bind_int64(s, 2, version_id);
        int cstep = SK_DB_DONE, sstep = sk_db_step(s);
        ex_key sk = sstep == SK_DB_ROW ? key_of(s, 1) : (ex_key){0, 0};
        while (rc == SK_OK && (cstep = sk_db_step(c)) == SK_DB_ROW) {
            ex_key ck = key_of(c, 2);
            /* Scores of no cell are left out, as the join from cells did. */
            while (sstep == SK_DB_ROW && cmp_key(sk, ck) <= 0) {
                if (cmp_key(sk, ck) == 0)
                    add_score(&w, s);
                if ((sstep = sk_db_step(s)) == SK_DB_ROW)
                    sk = key_of(s, 1);
            }
            if (sstep != SK_DB_ROW && sstep != SK_DB_DONE)
                break;
            sort_scores(&w);
            sk_cell_score_row r = {
                .row_id = text(c, 1),
                .trial = sk_db_column_int(c, 2),
                .input_json = text(c, 3),
                .expected_json = text(c, 4),
                .metadata_json = text(c, 5),
                .score = NAN,
            };
            cell_columns(c, 6, &r);
            rc = emit_cell(&w, r, fn, ud);
            w.nscores = 0;
            sk_buf_reset(&w.arena);
        }
        if (rc == SK_OK && (cstep != SK_DB_DONE || (sstep != SK_DB_ROW && sstep != SK_DB_DONE)))
            rc = sk_store_error(st, "reading the experiment's cells", err);
    }
    sk_db_finalize(c);
    sk_db_finalize(s);
    free_walk(&w);
    return rc;
}

/* A text column, read once for its comparisons. */
typedef struct ex_text {
    const char *p;
    int n;
} ex_text;

static ex_text col_text(sk_stmt *s, int i)
{
    const char *p = text(s, i);
    return (ex_text){p ? p : "", sk_db_column_bytes(s, i)};
}

/* BINARY collation: bytes, then length. */
static int cmp_bytes(ex_text x, ex_text y)
{
    int d = memcmp(x.p, y.p, (size_t)(x.n < y.n ? x.n : y.n));
    return d ? d : (x.n > y.n) - (x.n < y.n);
}

static int cmp_text(sk_stmt *a, sk_stmt *b)
{
    return cmp_bytes(col_text(a, 0), col_text(b, 0));
}

/* *stray: whether a cell of the experiment is not in the version at its
 * position.  The cells (in their key's order, by row id) and the version's
 * rows (by row id, in their index) are read side by side: two scans, where
 * a seek per cell took twice as long. */
static int find_stray(sk_store *st, const char *exp_id, int64_t version_id, int *stray, int *by_id,
                      char **err)
{
    *stray = 0;
    *by_id = 1; /* whether the cells' positions rise with their row ids */
    int64_t last = INT64_MIN;
    sk_stmt *c = NULL, *r = NULL;
    int rc = sk_store_prepare_large(
        st, &c, "SELECT row_id, pos FROM cells WHERE experiment_id = ? ORDER BY row_id", err);
    if (rc == SK_OK)
        rc = sk_store_prepare_large(
            st, &r, "SELECT row_id, pos FROM dataset_rows WHERE version_id = ? ORDER BY row_id",
            err);
    if (rc == SK_OK) {
        sk_db_bind_text(c, 1, exp_id, -1, SK_DB_TRANSIENT);
        sk_db_bind_int64(r, 1, version_id);
        int cstep = SK_DB_DONE, rstep = sk_db_step(r), d = 0;
        while (!*stray && (rstep == SK_DB_ROW || rstep == SK_DB_DONE) &&
               (cstep = sk_db_step(c)) == SK_DB_ROW) {
            while (rstep == SK_DB_ROW && (d = cmp_text(r, c)) < 0)
                rstep = sk_db_step(r);
            if (rstep == SK_DB_ROW || rstep == SK_DB_DONE)
                *stray = rstep == SK_DB_DONE || d != 0 ||
                         sk_db_column_int64(r, 1) != sk_db_column_int64(c, 1);
            int64_t pos = sk_db_column_int64(c, 1);
            if (pos < last)
                *by_id = 0;
            last = pos;
        }
        int failed =
            (rstep != SK_DB_ROW && rstep != SK_DB_DONE) || (!*stray && cstep != SK_DB_DONE);
        if (failed)
            rc = sk_store_error(st, "checking the experiment's cells against its dataset", err);
    }
    sk_db_finalize(c);
    sk_db_finalize(r);
    return rc;
}

/* The same walk when the dataset's row ids are in its order (ids like
 * q-0001, q-0002): cells, rows and scores each read in the order of their
 * key, side by side, without a seek per row (the seeks on text keys were
 * half of the walk). */
static int each_by_row_id(sk_store *st, const char *exp_id, int64_t version_id,
                          int (*fn)(void *ud, const sk_cell_score_row *r), void *ud, char **err)
{
    ex_walk w = {0};
    sk_stmt *c = NULL, *r = NULL, *s = NULL;
    int rc = load_scorers(st, exp_id, &w, err);
    if (rc == SK_OK)
        rc = sk_store_prepare_large(
            st, &c,
            "SELECT row_id, trial, output_json, latency_ms, task_error, overall, "
            "llm_calls, prompt_tokens, completion_tokens, cost FROM cells WHERE "
            "experiment_id = ? ORDER BY row_id, trial",
            err);
    if (rc == SK_OK)
        rc = sk_store_prepare_large(st, &r,
                                    "SELECT row_id, input_json, expected_json, metadata_json FROM "
                                    "dataset_rows WHERE version_id = ? ORDER BY row_id",
                                    err);
    if (rc == SK_OK)
        rc =
            sk_store_prepare_large(st, &s,
                                   "SELECT row_id, trial, scorer, kind, score, message, rationale, "
                                   "meta_json FROM scores WHERE experiment_id = ? ORDER BY row_id, "
                                   "trial, scorer",
                                   err);
    if (rc == SK_OK) {
        sk_db_bind_text(c, 1, exp_id, -1, SK_DB_TRANSIENT);
        sk_db_bind_int64(r, 1, version_id);
        sk_db_bind_text(s, 1, exp_id, -1, SK_DB_TRANSIENT);
        int cstep = SK_DB_DONE, rstep = sk_db_step(r), sstep = sk_db_step(s);
        while (rc == SK_OK && (cstep = sk_db_step(c)) == SK_DB_ROW) {
            ex_text id = col_text(c, 0);
            int d = -1;
            while (rstep == SK_DB_ROW && (d = cmp_bytes(col_text(r, 0), id)) < 0)
                rstep = sk_db_step(r);
            int has_row = rstep == SK_DB_ROW && d == 0;
            int trial = sk_db_column_int(c, 1);
            for (; sstep == SK_DB_ROW; sstep = sk_db_step(s)) {
                int t = sk_db_column_int(s, 1);
                d = cmp_bytes(col_text(s, 0), id);
                d = d ? d : (t > trial) - (t < trial);
                if (d > 0)
                    break;
                if (d == 0) /* else a score of no cell: left out */
                    add_score(&w, s);
            }
            if ((rstep != SK_DB_ROW && rstep != SK_DB_DONE) ||
                (sstep != SK_DB_ROW && sstep != SK_DB_DONE))
                break;
            sort_scores(&w);
            sk_cell_score_row row = {
                .row_id = id.p,
                .trial = trial,
                .input_json = has_row ? text(r, 1) : NULL,
                .expected_json = has_row ? text(r, 2) : NULL,
                .metadata_json = has_row ? text(r, 3) : NULL,
                .score = NAN,
            };
            cell_columns(c, 2, &row);
            rc = emit_cell(&w, row, fn, ud);
            w.nscores = 0;
            sk_buf_reset(&w.arena);
        }
        if (rc == SK_OK && (cstep != SK_DB_DONE || (rstep != SK_DB_ROW && rstep != SK_DB_DONE) ||
                            (sstep != SK_DB_ROW && sstep != SK_DB_DONE)))
            rc = sk_store_error(st, "reading the experiment's cells", err);
    }
    sk_db_finalize(c);
    sk_db_finalize(r);
    sk_db_finalize(s);
    free_walk(&w);
    return rc;
}

int sk_experiment_each_export(sk_store *st, const char *exp_id, int64_t version_id,
                              int (*fn)(void *ud, const sk_cell_score_row *r), void *ud, char **err)
{
    /* A run writes each cell with its dataset row's position, so walking
     * the dataset in order and each row's cells by trial gives dataset
     * order without sorting every result row (with the texts it carries:
     * a sort that spilled to disk for large experiments). */
    int stray, by_id;
    int rc = find_stray(st, exp_id, version_id, &stray, &by_id, err);
    if (rc)
        return rc;
    if (stray)
        return each_sorted(st, exp_id, version_id, fn, ud, err);
    return by_id ? each_by_row_id(st, exp_id, version_id, fn, ud, err)
                 : each_merged(st, exp_id, version_id, fn, ud, err);
}
