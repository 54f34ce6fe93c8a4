/*
 * Copying a store (store_copy.h).
 */
#include "store/store_copy.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "base/hash.h"
#include "base/text/utf8.h"
#include "base/util.h"

/* Every table, parents before the tables that reference them.  A table a
 * migration adds goes here too: a copy refuses a source with a table this
 * list lacks, rather than leave it behind. */
static const char *const tables[] = {
    "datasets",    "dataset_versions",   "dataset_rows", "dataset_provenance",
    "experiments", "experiment_scorers", "cells",        "scores",
    "baselines",   "llm_cache",          "llm_calls",    "validations",
    "logs",        "log_scores",         "rule_state",   "labels",
    "topic_runs",  "topic_labels",       "topic_rows",   NULL};

static int known(const char *name)
{
    for (size_t i = 0; tables[i]; i++)
        if (strcmp(tables[i], name) == 0)
            return 1;
    return strcmp(name, "schema_version") == 0;
}

static int check_tables(sk_store *st, char **err)
{
    int pg = sk_db_dialect(sk_store_db(st)) == SK_DIALECT_POSTGRES;
    sk_stmt *s;
    int rc = sk_store_prepare(st, &s,
                              pg ? "SELECT table_name FROM information_schema.tables WHERE "
                                   "table_schema = current_schema() ORDER BY 1"
                                 : "SELECT name FROM sqlite_master WHERE type = 'table' AND name "
                                   "NOT LIKE 'sqlite_%' ORDER BY 1",
                              err);
    int step;
    while (!rc && (step = sk_db_step(s)) == SK_DB_ROW)
        if (!known(sk_db_column_text(s, 0)))
            rc = sk_errf(err, SK_EINVAL,
                         "%s: table %s is not one `store copy` knows; use the scorekit that "
                         "made this store",
                         sk_store_path(st), sk_db_column_text(s, 0));
    if (!rc && step != SK_DB_DONE)
        rc = sk_store_error(st, "listing the tables", err);
    sk_db_finalize(s);
    return rc;
}

/* The table's columns, as the source has them: "a, b, c". */
static int columns(sk_store *st, const char *table, char **out, int *n, char **err)
{
    int pg = sk_db_dialect(sk_store_db(st)) == SK_DIALECT_POSTGRES;
    sk_stmt *s;
    *out = NULL;
    *n = 0;
    int rc = sk_store_prepare(st, &s,
                              pg ? "SELECT column_name FROM information_schema.columns WHERE "
                                   "table_schema = current_schema() AND table_name = ? ORDER BY "
                                   "ordinal_position"
                                 : "SELECT name FROM pragma_table_info(?) ORDER BY cid",
                              err);
    if (rc)
        return rc;
    sk_db_bind_text(s, 1, table, -1, SK_DB_STATIC);
    sk_buf b = {0};
    int step;
    while ((step = sk_db_step(s)) == SK_DB_ROW) {
        if (b.len)
            sk_buf_adds(&b, ", ");
        sk_buf_adds(&b, sk_db_column_text(s, 0));
        (*n)++;
    }
    if (step != SK_DB_DONE)
        rc = sk_store_error(st, "listing a table's columns", err);
    sk_db_finalize(s);
    if (rc || !*n) {
        sk_buf_free(&b);
        return rc ? rc
                  : sk_errf(err, SK_EINVAL, "%s: no table %s; is it a scorekit store?",
                            sk_store_path(st), table);
    }
    *out = b.data;
    return SK_OK;
}

/* One row's hash: each value as text with its kind, so 1, 1.0 and "1"
 * differ but a double reads the same from either backend. */
static uint64_t row_hash(sk_stmt *s, int ncol)
{
    uint64_t h = SK_FNV64_INIT;
    char num[40];
    for (int i = 0; i < ncol; i++) {
        int type = sk_db_column_type(s, i);
        const char *v = NULL;
        if (type == SK_DB_INTEGER) {
            snprintf(num, sizeof num, "i%lld", sk_db_column_int64(s, i));
            v = num;
        } else if (type == SK_DB_FLOAT) {
            double d = sk_db_column_double(s, i);
            if (d == (double)(long long)d && d > -9e15 && d < 9e15)
                snprintf(num, sizeof num, "i%lld", (long long)d);
            else
                snprintf(num, sizeof num, "f%.17g", d);
            v = num;
        }
        if (v)
            h = sk_fnv64(h, v, strlen(v) + 1);
        else if (type == SK_DB_NULL)
            h = sk_fnv64(h, "n", 2);
        else {
            /* As the destination stores it: an older SQLite store may hold
             * bytes that are not UTF-8, which writing makes U+FFFD (db.c). */
            const char *t = sk_db_column_text(s, i);
            size_t n = strlen(t);
            h = sk_fnv64(h, "t", 1);
            if (sk_utf8_is_valid(t, n)) {
                h = sk_fnv64(h, t, n + 1);
            } else {
                char *fixed = sk_xmalloc(3 * n + 1);
                size_t m = sk_utf8_repair(t, n, fixed);
                fixed[m] = '\0';
                h = sk_fnv64(h, fixed, m + 1);
                free(fixed);
            }
        }
    }
    return h;
}

/* Count and checksum of a table's rows. */
static int summarize(sk_store *st, const char *table, const char *cols, int ncol, long long *rows,
                     uint64_t *sum, char **err)
{
    char *sql = sk_asprintf("SELECT %s FROM %s", cols, table);
    sk_stmt *s;
    int rc = sk_store_prepare_large(st, &s, sql, err);
    free(sql);
    if (rc)
        return rc;
    *rows = 0;
    *sum = 0;
    int step;
    while ((step = sk_db_step(s)) == SK_DB_ROW) {
        (*rows)++;
        *sum += row_hash(s, ncol);
    }
    if (step != SK_DB_DONE)
        rc = sk_store_error(st, "reading a table to verify it", err);
    sk_db_finalize(s);
    return rc;
}

static int bind_value(sk_stmt *dst, int i, sk_stmt *src, int col)
{
    switch (sk_db_column_type(src, col)) {
    case SK_DB_NULL: return sk_db_bind_null(dst, i);
    case SK_DB_INTEGER: return sk_db_bind_int64(dst, i, sk_db_column_int64(src, col));
    case SK_DB_FLOAT: return sk_db_bind_double(dst, i, sk_db_column_double(src, col));
    default: return sk_db_bind_text(dst, i, sk_db_column_text(src, col), -1, SK_DB_TRANSIENT);
    }
}

static int catch_up_identity(sk_store *to, const char *table, const char *what, char **err)
{
    sk_stmt *q;
    int rc = sk_store_prepare(to, &q,
                              "SELECT pg_get_serial_sequence(?, 'id') FROM "
                              "information_schema.columns WHERE table_schema = current_schema() "
                              "AND table_name = ?1 AND column_name = 'id' AND is_identity = 'YES'",
                              err);
    if (rc)
        return rc;
    sk_db_bind_text(q, 1, table, -1, SK_DB_STATIC);
    char *seq = sk_db_step(q) == SK_DB_ROW ? sk_store_column_dup(q, 0) : NULL;
    sk_db_finalize(q);
    if (seq) {
        char *sql = sk_asprintf("SELECT setval('%s', (SELECT max(id) FROM %s))", seq, table);
        rc = sk_store_exec(to, sql, what, err);
        free(sql);
        free(seq);
    }
    return rc;
}

/* Copy one table's rows, in one transaction of `to`. */
static int copy_rows(sk_store *from, sk_store *to, const char *table, const char *cols, int ncol,
                     char **err)
{
    char *sel = sk_asprintf("SELECT %s FROM %s", cols, table);
    sk_buf ins = {0};
    sk_buf_printf(&ins, "INSERT INTO %s (%s) VALUES (", table, cols);
    for (int i = 0; i < ncol; i++)
        sk_buf_adds(&ins, i ? ", ?" : "?");
    sk_buf_addc(&ins, ')');
    sk_stmt *s = NULL, *w = NULL;
    int rc = sk_store_prepare_large(from, &s, sel, err);
    if (!rc)
        rc = sk_store_begin(to, err);
    if (!rc && sk_db_prepare(sk_store_db(to), ins.data, SK_DB_BATCH, &w) != SK_DB_OK)
        rc = sk_store_error(to, "preparing the copy", err);
    char *what = sk_asprintf("copying table %s", table);
    int step = SK_DB_DONE;
    while (!rc && (step = sk_db_step(s)) == SK_DB_ROW) {
        for (int i = 0; i < ncol; i++)
            bind_value(w, i + 1, s, i);
        rc = sk_store_step_done(to, w, what, err);
        sk_db_clear_bindings(w);
    }
    if (!rc && step != SK_DB_DONE)
        rc = sk_store_error(from, what, err);
    /* Ids given explicitly leave PostgreSQL's identity sequences behind. */
    if (!rc && sk_db_dialect(sk_store_db(to)) == SK_DIALECT_POSTGRES)
        rc = catch_up_identity(to, table, what, err);
    sk_db_finalize(w);
    if (!rc)
        rc = sk_store_commit(to, err);
    if (rc)
        sk_store_rollback(to);
    sk_db_finalize(s);
    free(what);
    free(sel);
    sk_buf_free(&ins);
    return rc;
}

int sk_store_copy(sk_store *from, sk_store *to, void (*progress)(void *ud, const sk_copy_table *t),
                  void *ud, char **err)
{
    int rc = check_tables(from, err);
    int va = 0, vb = 0;
    if (!rc)
        rc = sk_store_schema_version(from, &va, err);
    if (!rc)
        rc = sk_store_schema_version(to, &vb, err);
    if (!rc && va != vb)
        return sk_errf(err, SK_EINVAL,
                       "the stores are at schema versions %d and %d; open both with this "
                       "scorekit first",
                       va, vb);
    for (size_t i = 0; !rc && tables[i]; i++) {
        const char *t = tables[i];
        char *cols = NULL;
        int ncol = 0;
        long long n_from = 0, n_to = 0;
        uint64_t sum_from = 0, sum_to = 0;
        sk_copy_table info = {t, 0, 0, 0};
        rc = columns(from, t, &cols, &ncol, err);
        if (!rc)
            rc = summarize(from, t, cols, ncol, &n_from, &sum_from, err);
        if (!rc)
            rc = summarize(to, t, cols, ncol, &n_to, &sum_to, err);
        if (!rc && n_to && (n_to != n_from || sum_to != sum_from))
            rc = sk_errf(err, SK_EINVAL,
                         "%s: table %s already holds %lld rows that differ from the %lld to "
                         "copy; copy into an empty store (a new schema, ?schema=NAME, or a new "
                         "project folder)",
                         sk_store_path(to), t, n_to, n_from);
        info.skipped = !rc && n_to && n_from;
        if (!rc && !n_to && n_from) {
            rc = copy_rows(from, to, t, cols, ncol, err);
            if (!rc)
                rc = summarize(to, t, cols, ncol, &n_to, &sum_to, err);
            if (!rc && (n_to != n_from || sum_to != sum_from))
                rc = sk_errf(err, SK_EIO,
                             "%s: table %s does not verify after the copy (%lld rows, checksum "
                             "%016llx; the source has %lld, %016llx)",
                             sk_store_path(to), t, n_to, (unsigned long long)sum_to, n_from,
                             (unsigned long long)sum_from);
        }
        info.rows = n_from;
        info.checksum = sum_from;
        if (!rc && progress)
            progress(ud, &info);
        free(cols);
    }
    return rc;
}
