/* Experiments, cells and scores in the store (see experiment.h). */
#include "store/experiment.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/error.h"
#include "base/fileutil.h"
#include "base/util.h"

void sk_experiment_clear(sk_experiment *e)
{
    free(e->id);
    free(e->name);
    free(e->created_at);
    free(e->finished_at);
    free(e->status);
    free(e->git_commit);
    free(e->scorekit_version);
    free(e->dataset_ref);
    free(e->pack_hash);
    free(e->config_json);
    free(e->origin);
    memset(e, 0, sizeof *e);
}

static void base36(char *out, size_t width, unsigned long long v)
{
    static const char digits[] = "0123456789abcdefghijklmnopqrstuvwxyz";
    for (size_t i = width; i-- > 0;) {
        out[i] = digits[v % 36];
        v /= 36;
    }
}

char *sk_experiment_new_id(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    unsigned long long ms =
        (unsigned long long)ts.tv_sec * 1000 + (unsigned long long)ts.tv_nsec / 1000000;
    /* Randomness from the clock's nanoseconds and the pid: two runs in the
     * same millisecond still differ. */
    unsigned long long r =
        ((unsigned long long)ts.tv_nsec * 2654435761u) ^ ((unsigned long long)getpid() << 16);
    char id[14];
    base36(id, 9, ms); /* 9 digits of base 36 last until the year 5188 */
    base36(id + 9, 4, r % (36ULL * 36 * 36 * 36));
    id[13] = '\0';
    return sk_xstrdup(id);
}

static void bind_text(sk_stmt *s, int i, const char *t)
{
    if (t)
        sk_db_bind_text(s, i, t, -1, SK_DB_TRANSIENT);
    else
        sk_db_bind_null(s, i);
}

/* Text that stays put until the statement is stepped and its bindings
 * cleared: no copy. */
static void bind_static(sk_stmt *s, int i, const char *t)
{
    if (t)
        sk_db_bind_text(s, i, t, -1, SK_DB_STATIC);
    else
        sk_db_bind_null(s, i);
}

int sk_experiment_create(sk_store *st, const sk_experiment *e, const sk_experiment_scorer *scorers,
                         size_t n, char **err)
{
    int rc = sk_store_begin(st, err);
    if (rc)
        return rc;
    sk_stmt *s = NULL;
    rc =
        sk_store_prepare(st, &s,
                         "INSERT INTO experiments (id, name, created_at, status, git_commit, "
                         "scorekit_version, dataset_version_id, dataset_ref, trials, pack_hash, "
                         "config_json, origin) VALUES (?, ?, ?, 'running', ?, ?, ?, ?, ?, ?, ?, ?)",
                         err);
    if (rc == SK_OK) {
        bind_text(s, 1, e->id);
        bind_text(s, 2, e->name);
        bind_text(s, 3, e->created_at);
        bind_text(s, 4, e->git_commit);
        bind_text(s, 5, e->scorekit_version);
        sk_db_bind_int64(s, 6, e->dataset_version_id);
        bind_text(s, 7, e->dataset_ref);
        sk_db_bind_int(s, 8, e->trials);
        bind_text(s, 9, e->pack_hash);
        bind_text(s, 10, e->config_json);
        bind_text(s, 11, e->origin);
        rc = sk_store_step_done(st, s, "recording the experiment", err);
    }
    sk_db_finalize(s);
    s = NULL;
    if (rc == SK_OK) /* from its first instant, so it never looks abandoned */
        rc = sk_experiment_lease_claim_new(st, e->id, err);
    if (rc == SK_OK)
        rc = sk_store_prepare(st, &s,
                              "INSERT INTO experiment_scorers (experiment_id, idx, name, "
                              "threshold, weight, reducer) VALUES (?, ?, ?, ?, ?, ?)",
                              err);
    for (size_t i = 0; rc == SK_OK && i < n; i++) {
        const sk_experiment_scorer *pe = &scorers[i];
        bind_text(s, 1, e->id);
        sk_db_bind_int(s, 2, (int)i);
        bind_text(s, 3, pe->name);
        if (pe->has_threshold)
            sk_db_bind_double(s, 4, pe->threshold);
        else
            sk_db_bind_null(s, 4);
        sk_db_bind_double(s, 5, pe->weight);
        bind_text(s, 6, pe->reducer);
        rc = sk_store_step_done(st, s, "recording the experiment's scorers", err);
    }
    sk_db_finalize(s);
    if (rc == SK_OK)
        return sk_store_commit(st, err);
    sk_store_rollback(st);
    return rc;
}

int sk_experiment_load(sk_store *st, const char *id, sk_experiment *out, char **err)
{
    memset(out, 0, sizeof *out);
    sk_stmt *s = NULL;
    int rc = sk_store_prepare(st, &s,
                              "SELECT id, name, created_at, finished_at, status, git_commit, "
                              "scorekit_version, dataset_version_id, dataset_ref, trials, "
                              "pack_hash, config_json, origin, " SK_EXPERIMENT_STATUS_COLUMNS
                              " FROM experiments "
                              "WHERE substr(id, 1, length(?1)) = ?1 ORDER BY id = ?1 DESC LIMIT 2",
                              err);
    if (rc)
        return rc;
    sk_db_bind_text(s, 1, id, -1, SK_DB_TRANSIENT);
    int found = 0, exact = 0;
    while ((rc = sk_db_step(s)) == SK_DB_ROW) {
        found++;
        if (found == 1) {
            out->id = sk_store_column_dup(s, 0);
            exact = strcmp(out->id, id) == 0;
            out->name = sk_store_column_dup(s, 1);
            out->created_at = sk_store_column_dup(s, 2);
            out->finished_at = sk_store_column_dup(s, 3);
            out->status = sk_experiment_status_at(s, 13);
            out->git_commit = sk_store_column_dup(s, 5);
            out->scorekit_version = sk_store_column_dup(s, 6);
            out->dataset_version_id = sk_db_column_int64(s, 7);
            out->dataset_ref = sk_store_column_dup(s, 8);
            out->trials = sk_db_column_int(s, 9);
            out->pack_hash = sk_store_column_dup(s, 10);
            out->config_json = sk_store_column_dup(s, 11);
            out->origin = sk_store_column_dup(s, 12);
        }
    }
    int bad = rc != SK_DB_DONE;
    sk_db_finalize(s);
    if (bad) {
        sk_experiment_clear(out);
        return sk_store_error(st, "reading the experiment", err);
    }
    if (found == 0)
        return sk_errf(err, SK_ENOTFOUND,
                       "no experiment \"%s\" (`scorekit experiments` lists them)", id);
    if (found > 1 && !exact) {
        sk_experiment_clear(out);
        return sk_errf(err, SK_EINVAL,
                       "\"%s\" is the start of several experiment ids; give more "
                       "of it",
                       id);
    }
    return SK_OK;
}

int sk_experiment_set_status(sk_store *st, const char *id, const char *status, char **err)
{
    sk_stmt *s = NULL;
    int rc = sk_store_prepare(st, &s,
                              "UPDATE experiments SET status = ?, finished_at = CASE WHEN ? = "
                              "'running' THEN NULL ELSE ? END WHERE id = ?",
                              err);
    if (rc)
        return rc;
    char *now = sk_now_utc();
    bind_text(s, 1, status);
    bind_text(s, 2, status);
    bind_text(s, 3, now);
    bind_text(s, 4, id);
    rc = sk_store_step_done(st, s, "updating the experiment's status", err);
    sk_db_finalize(s);
    free(now);
    return rc;
}

void sk_cell_free(sk_cell *c)
{
    if (!c)
        return;
    free(c->row_id);
    free(c->output_json);
    free(c->task_error);
    for (size_t i = 0; i < c->nscores; i++) {
        free(c->scores[i].message);
        free(c->scores[i].rationale);
        free(c->scores[i].meta_json);
    }
    free(c->scores);
    free(c);
}

static const char *kind_name(sk_verdict k)
{
    return k == SK_VERDICT_SCORE ? "score" : k == SK_VERDICT_SKIP ? "skipped" : "error";
}

sk_verdict sk_verdict_from_name(const char *kind)
{
    if (kind && strcmp(kind, "score") == 0)
        return SK_VERDICT_SCORE;
    if (kind && strcmp(kind, "skipped") == 0)
        return SK_VERDICT_SKIP;
    return SK_VERDICT_ERROR;
}

/* The statements of a batch, prepared once per connection (sk_store_cached
 * keys them by these arrays' addresses).  Plain INSERT: a cell is written
 * once (a resume runs only the cells the experiment lacks, and its lease
 * keeps one writer), so a second write of one is a bug to report, not to
 * overwrite; and OR REPLACE cost 8% of a run's instructions. */
static const char sql_put_cell[] =
    "INSERT INTO cells (experiment_id, row_id, trial, pos, output_json, task_error, "
    "latency_ms, overall, pass, completed_at, llm_calls, prompt_tokens, completion_tokens, cost) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
static const char sql_put_score[] =
    "INSERT INTO scores (experiment_id, row_id, trial, scorer, kind, score, message, "
    "rationale, meta_json) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)";

static const char sql_drop_summary[] =
    "UPDATE experiments SET summary_cells = NULL WHERE id = ? AND summary_cells IS NOT NULL";

static int drop_summary(sk_store *st, const char *exp_id, char **err)
{
    sk_stmt *s = NULL;
    int rc = sk_store_cached(st, &s, sql_drop_summary, err);
    if (rc)
        return rc;
    sk_db_bind_text(s, 1, exp_id, -1, SK_DB_TRANSIENT);
    return sk_store_step_done(st, s, "dropping the experiment's stored summary", err);
}

int sk_experiment_write_cells(sk_store *st, const char *exp_id, sk_cell *const *cells, size_t n,
                              char **err)
{
    if (n == 0)
        return SK_OK;
    /* A page cache of up to 32 MiB on the connection that records (SQLite's
     * default is 2): a run of 20,000 rows touches more pages than that, and
     * every page evicted is read again by the next batch.  Only here:
     * commands that read a large experiment once would only pay for
     * allocating the pages. */
    int rc = sk_store_exec(st, "PRAGMA cache_size = -32768", "sizing the page cache", err);
    if (rc)
        return rc;
    rc = sk_store_begin(st, err);
    if (rc)
        return rc;
    sk_stmt *c = NULL, *s = NULL;
    rc = sk_store_cached_batch(st, &c, sql_put_cell, err);
    if (rc == SK_OK)
        rc = sk_store_cached_batch(st, &s, sql_put_score, err);
    /* The stored summary no longer counts every cell: the end of the run
     * stores a new one (sk_experiment_summary_store in experiment_stats.c). */
    if (rc == SK_OK)
        rc = drop_summary(st, exp_id, err);
    char *now = sk_now_utc();
    /* Bound once: the same for every cell of the batch. */
    if (rc == SK_OK) {
        sk_db_bind_text(c, 1, exp_id, -1, SK_DB_STATIC);
        sk_db_bind_text(c, 10, now, -1, SK_DB_STATIC);
        sk_db_bind_text(s, 1, exp_id, -1, SK_DB_STATIC);
    }
    for (size_t i = 0; rc == SK_OK && i < n; i++) {
        const sk_cell *cell = cells[i];
        sk_db_bind_text(c, 2, cell->row_id, -1, SK_DB_STATIC);
        sk_db_bind_int(c, 3, (int)cell->trial);
        sk_db_bind_int64(c, 4, cell->pos);
        bind_static(c, 5, cell->output_json);
        bind_static(c, 6, cell->task_error);
        sk_db_bind_double(c, 7, cell->latency_ms);
        if (isnan(cell->overall))
            sk_db_bind_null(c, 8);
        else
            sk_db_bind_double(c, 8, cell->overall);
        if (cell->task_error || cell->pass == SK_ROW_NO_VERDICT)
            sk_db_bind_null(c, 9);
        else
            sk_db_bind_int(c, 9, cell->pass == SK_ROW_PASS);
        if (cell->llm_calls > 0) {
            sk_db_bind_int64(c, 11, cell->llm_calls);
            sk_db_bind_int64(c, 12, cell->prompt_tokens);
            sk_db_bind_int64(c, 13, cell->completion_tokens);
            sk_db_bind_double(c, 14, cell->cost);
        } else {
            for (int k = 11; k <= 14; k++)
                sk_db_bind_null(c, k);
        }
        rc = sk_store_step_done(st, c, "writing a cell", err);
        if (cell->nscores) {
            sk_db_bind_text(s, 2, cell->row_id, -1, SK_DB_STATIC);
            sk_db_bind_int(s, 3, (int)cell->trial);
        }
        for (size_t j = 0; rc == SK_OK && j < cell->nscores; j++) {
            const struct sk_cell_score *sc = &cell->scores[j];
            sk_db_bind_text(s, 4, sc->scorer, -1, SK_DB_STATIC);
            sk_db_bind_text(s, 5, kind_name(sc->kind), -1, SK_DB_STATIC);
            if (sc->kind == SK_VERDICT_SCORE)
                sk_db_bind_double(s, 6, sc->score);
            else
                sk_db_bind_null(s, 6);
            bind_static(s, 7, sc->message);
            bind_static(s, 8, sc->rationale);
            bind_static(s, 9, sc->meta_json);
            rc = sk_store_step_done(st, s, "writing a score", err);
        }
    }
    /* The bindings point into this batch's memory: drop them with it. */
    if (c)
        sk_db_clear_bindings(c);
    if (s)
        sk_db_clear_bindings(s);
    free(now);
    if (rc == SK_OK)
        rc = sk_store_commit(st, err);
    if (rc != SK_OK)
        sk_store_rollback(st); /* a failed COMMIT too: nothing of the batch stays */
    return rc;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int sk_experiment_done_cells(sk_store *st, const char *exp_id, char ***out, size_t *n, char **err)
{
    *out = NULL;
    *n = 0;
    sk_stmt *s = NULL;
    int rc =
        sk_store_prepare(st, &s, "SELECT row_id, trial FROM cells WHERE experiment_id = ?", err);
    if (rc)
        return rc;
    bind_text(s, 1, exp_id);
    size_t cap = 0;
    while ((rc = sk_db_step(s)) == SK_DB_ROW) {
        *out = sk_xgrow(*out, &cap, *n + 1, sizeof **out);
        (*out)[(*n)++] = sk_asprintf("%s\t%d", sk_db_column_text(s, 0), sk_db_column_int(s, 1));
    }
    sk_db_finalize(s);
    if (rc != SK_DB_DONE) {
        for (size_t i = 0; i < *n; i++)
            free((*out)[i]);
        free(*out);
        *out = NULL;
        *n = 0;
        return sk_store_error(st, "reading the finished cells", err);
    }
    if (*n) /* none when a killed run committed no cell: *out is NULL */
        qsort(*out, *n, sizeof **out, cmp_str);
    return SK_OK;
}

int sk_experiment_each_output(sk_store *st, const char *exp_id,
                              int (*fn)(void *ud, const sk_cell_output *c), void *ud, char **err)
{
    sk_stmt *q = NULL;
    int rc = sk_store_prepare(st, &q,
                              "SELECT row_id, trial, output_json, task_error, latency_ms FROM "
                              "cells WHERE experiment_id = ?",
                              err);
    if (rc)
        return rc;
    sk_db_bind_text(q, 1, exp_id, -1, SK_DB_TRANSIENT);
    int step;
    while ((step = sk_db_step(q)) == SK_DB_ROW) {
        const char *id = sk_db_column_text(q, 0);
        sk_cell_output c = {
            .row_id = id ? id : "",
            .id_len = id ? (size_t)sk_db_column_bytes(q, 0) : 0,
            .trial = (unsigned)sk_db_column_int(q, 1),
            .output_json = sk_db_column_text(q, 2),
            .output_len = (size_t)sk_db_column_bytes(q, 2),
            .task_error = sk_db_column_text(q, 3),
            .latency_ms = sk_db_column_double(q, 4),
        };
        if ((rc = fn(ud, &c)) != SK_OK)
            break;
    }
    sk_db_finalize(q);
    if (rc == SK_OK && step != SK_DB_DONE)
        rc = sk_store_error(st, "reading the stored outputs", err);
    return rc;
}
