/*
 * The project store (see store.h): opening the SQLite database and running
 * the migrations (schema.c), and the transaction and statement helpers.
 */
#include "store/store.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "base/error.h"
#include "base/fileutil.h"
#include "base/util.h"
#include "store/project.h"
#include "store/store_location.h"

/* Statements kept prepared for the life of the connection, keyed by the
 * address of their SQL text (a string literal of the caller's): the
 * statements a run executes once per batch are compiled once per run. */
#define STMT_CACHE 16

struct sk_store {
    sk_db *db;
    char *path; /* the file, or the server's URL without its credentials */
    struct {
        const char *sql;
        sk_stmt *stmt;
    } cache[STMT_CACHE];
};

/* ---- helpers ------------------------------------------------------------ */

char *sk_store_column_dup(sk_stmt *stmt, int i)
{
    const char *t = sk_db_column_text(stmt, i);
    return t ? sk_xstrdup(t) : NULL;
}

/* The message for the connection's last error, `msg` its SQLite text. */
static int fail(sk_store *st, const char *msg, const char *while_, const char *what, char **err)
{
    if (st->db && sk_db_errkind(st->db) == SK_DB_EFULL)
        return sk_errf(err, SK_EIO,
                       "%s: disk full: the store cannot write (%s, while %s%s); free some "
                       "space on that disk and run the command again",
                       st->path, msg, while_, what);
    return sk_errf(err, SK_EIO, "%s: %s (while %s%s)", st->path, msg, while_, what);
}

int sk_store_collect(sk_store *st, sk_stmt *s, size_t size, void (*fill)(sk_stmt *s, void *elem),
                     void (*clear)(void *elem), const char *what, void **out, size_t *n, char **err)
{
    char *v = NULL;
    size_t len = 0, cap = 0;
    int step;
    while ((step = sk_db_step(s)) == SK_DB_ROW) {
        v = sk_xgrow(v, &cap, len + 1, size);
        memset(v + len * size, 0, size);
        fill(s, v + len++ * size);
    }
    int rc = step == SK_DB_DONE ? SK_OK : sk_store_error(st, what, err);
    sk_db_finalize(s);
    if (rc) {
        for (size_t i = 0; clear && i < len; i++)
            clear(v + i * size);
        free(v);
        v = NULL;
        len = 0;
    }
    *out = v;
    *n = len;
    return rc;
}

int sk_store_error(sk_store *st, const char *what, char **err)
{
    return fail(st, sk_db_errmsg(st->db), "", what, err);
}

int sk_store_exec(sk_store *st, const char *sql, const char *what, char **err)
{
    if (sk_db_exec(st->db, sql) == SK_DB_OK)
        return SK_OK;
    return fail(st, sk_db_errmsg(st->db), "", what, err);
}

static int prepare(sk_store *st, sk_stmt **stmt, const char *sql, int flags, char **err)
{
    *stmt = NULL;
    if (sk_db_prepare(st->db, sql, flags, stmt) == SK_DB_OK)
        return SK_OK;
    return fail(st, sk_db_errmsg(st->db), "preparing: ", sql, err);
}

int sk_store_prepare(sk_store *st, sk_stmt **stmt, const char *sql, char **err)
{
    return prepare(st, stmt, sql, 0, err);
}

int sk_store_prepare_large(sk_store *st, sk_stmt **stmt, const char *sql, char **err)
{
    return prepare(st, stmt, sql, SK_DB_LARGE, err);
}

static int cached(sk_store *st, sk_stmt **stmt, const char *sql, int flags, char **err)
{
    *stmt = NULL;
    size_t i = 0;
    for (; i < STMT_CACHE && st->cache[i].sql; i++)
        if (st->cache[i].sql == sql) {
            *stmt = st->cache[i].stmt;
            return SK_OK;
        }
    if (i == STMT_CACHE) /* a programming error: raise STMT_CACHE */
        return sk_errf(err, SK_EINVAL, "%s: more than %d cached statements (while preparing %s)",
                       st->path, STMT_CACHE, sql);
    if (sk_db_prepare(st->db, sql, SK_DB_PERSISTENT | flags, stmt) != SK_DB_OK)
        return fail(st, sk_db_errmsg(st->db), "preparing: ", sql, err);
    st->cache[i].sql = sql;
    st->cache[i].stmt = *stmt;
    return SK_OK;
}

int sk_store_cached(sk_store *st, sk_stmt **stmt, const char *sql, char **err)
{
    return cached(st, stmt, sql, 0, err);
}

int sk_store_cached_batch(sk_store *st, sk_stmt **stmt, const char *sql, char **err)
{
    return cached(st, stmt, sql, SK_DB_BATCH, err);
}

int sk_store_step_done(sk_store *st, sk_stmt *stmt, const char *what, char **err)
{
    int rc = sk_db_step(stmt);
    int ret = rc == SK_DB_DONE ? SK_OK : sk_store_error(st, what, err);
    sk_db_reset(stmt);
    return ret;
}

int sk_store_begin(sk_store *st, char **err)
{
    if (sk_db_in_transaction(st->db))
        return sk_errf(err, SK_EINVAL, "%s: a transaction is already open", st->path);
    return sk_store_exec(st, "BEGIN IMMEDIATE", "starting a transaction", err);
}

int sk_store_commit(sk_store *st, char **err)
{
    return sk_store_exec(st, "COMMIT", "committing a transaction", err);
}

void sk_store_rollback(sk_store *st)
{
    if (sk_db_in_transaction(st->db))
        sk_db_exec(st->db, "ROLLBACK");
}

sk_db *sk_store_db(sk_store *st)
{
    return st->db;
}

const char *sk_store_path(const sk_store *st)
{
    return st->path;
}

/* One integer from a query that returns one row. */
static int query_int(sk_store *st, const char *sql, int *out, char **err)
{
    sk_stmt *s;
    int rc = sk_store_prepare(st, &s, sql, err);
    if (rc)
        return rc;
    if (sk_db_step(s) == SK_DB_ROW)
        *out = sk_db_column_int(s, 0);
    else
        rc = sk_store_error(st, "reading the schema version", err);
    sk_db_finalize(s);
    return rc;
}

int sk_store_schema_version(sk_store *st, int *version, char **err)
{
    int has_table = 0;
    *version = 0;
    const char *sql =
        sk_db_dialect(st->db) == SK_DIALECT_POSTGRES
            ? "SELECT count(*) FROM information_schema.tables "
              "WHERE table_schema = current_schema() AND table_name = 'schema_version'"
            : "SELECT count(*) FROM sqlite_master "
              "WHERE type = 'table' AND name = 'schema_version'";
    int rc = query_int(st, sql, &has_table, err);
    if (rc || !has_table)
        return rc;
    return query_int(st, "SELECT coalesce(max(version), 0) FROM schema_version", version, err);
}

/* ---- opening and migrating ---------------------------------------------- */

static int too_new(sk_store *st, int have, size_t known, char **err)
{
    return sk_errf(err, SK_EINVAL,
                   "%s: this database has schema version %d, this scorekit knows up to %zu; "
                   "upgrade scorekit",
                   st->path, have, known);
}

/* Run one migration with its version row, all or nothing.  The version is
 * read again under the write lock: another process may have migrated the
 * database since we looked. */
static int apply(sk_store *st, const sk_migration *m, size_t known, char **err)
{
    int rc = sk_store_begin(st, err);
    if (rc)
        return rc;
    int have = 0;
    rc = sk_store_schema_version(st, &have, err);
    if (!rc && have > (int)known)
        rc = too_new(st, have, known, err);
    if (rc || have >= m->version) {
        sk_store_rollback(st);
        return rc;
    }
    char *what = sk_asprintf("running migration %d (%s)", m->version, m->name);
    rc = sk_store_exec(st,
                       "CREATE TABLE IF NOT EXISTS schema_version (\n"
                       "    version INTEGER PRIMARY KEY,\n"
                       "    name TEXT NOT NULL,\n"
                       "    applied_at TEXT NOT NULL DEFAULT " SK_SQL_NOW "\n"
                       ")",
                       what, err);
    const char *sql =
        m->pg_sql && sk_db_dialect(st->db) == SK_DIALECT_POSTGRES ? m->pg_sql : m->sql;
    if (!rc && *sql)
        rc = sk_store_exec(st, sql, what, err);
    sk_stmt *s = NULL;
    if (!rc)
        rc = sk_store_prepare(st, &s, "INSERT INTO schema_version (version, name) VALUES (?, ?)",
                              err);
    if (!rc) {
        sk_db_bind_int(s, 1, m->version);
        sk_db_bind_text(s, 2, m->name, -1, SK_DB_STATIC);
        rc = sk_store_step_done(st, s, what, err);
    }
    sk_db_finalize(s);
    if (!rc)
        rc = sk_store_commit(st, err);
    if (rc) {
        sk_store_rollback(st);
        char *msg = sk_asprintf("%s; the database is unchanged at schema version %d",
                                err && *err ? *err : "migration failed", have);
        sk_errf(err, rc, "%s", msg);
        free(msg);
    }
    free(what);
    return rc;
}

static int migrate(sk_store *st, const sk_migration *migs, size_t n, char **err)
{
    for (size_t i = 0; i < n; i++)
        if (migs[i].version != (int)i + 1)
            return sk_errf(err, SK_EINVAL, "%s: migration %zu (%s) is numbered %d, not %zu",
                           st->path, i + 1, migs[i].name, migs[i].version, i + 1);
    int have = 0;
    int rc = sk_store_schema_version(st, &have, err);
    if (rc)
        return rc;
    if (have > (int)n)
        return too_new(st, have, n, err);
    for (size_t i = (size_t)have; i < n; i++)
        if ((rc = apply(st, &migs[i], n, err)) != 0)
            return rc;
    return SK_OK;
}

int sk_store_open_with(sk_store **out, const char *db_path, const sk_migration *migs, size_t n,
                       char **err)
{
    *out = NULL;
    sk_store *st = sk_xcalloc(1, sizeof *st);
    char *why = NULL;
    int rc = SK_OK;
    if (sk_store_is_url(db_path)) {
        sk_store_location loc;
        rc = sk_store_parse_url(&loc, db_path, NULL, err);
        if (!rc) {
            st->path = sk_xstrdup(loc.display);
            if (sk_db_open_postgres(&st->db, loc.conninfo, loc.schema, &why) != SK_DB_OK)
                rc = sk_errf(err, SK_EIO, "%s: %s", st->path, why);
            sk_store_location_free(&loc);
        }
    } else {
        int full = 0;
        st->path = sk_xstrdup(db_path);
        if (sk_db_open_sqlite(&st->db, db_path, SK_STORE_BUSY_MS, &why, &full) != SK_DB_OK)
            rc = full ? sk_errf(err, SK_EIO,
                                "%s: disk full: the store cannot write (%s, while opening the "
                                "database); free some space on that disk and run the command again",
                                db_path, why)
                      : sk_errf(err, SK_EIO, "%s: %s", db_path, why);
    }
    free(why);
    if (!rc)
        rc = migrate(st, migs, n, err);
    if (rc) {
        sk_store_close(st);
        return rc;
    }
    *out = st;
    return SK_OK;
}

int sk_store_open(sk_store **out, const char *project_dir, char **err)
{
    *out = NULL;
    if (!sk_is_dir(project_dir))
        return sk_errf(err, SK_ENOTFOUND, "%s: no such folder", project_dir);
    /* The project's scorekit.json may name a shared store; a folder
     * without one (tests, tools) uses the file. */
    sk_project *proj = NULL;
    char *ignored = NULL;
    sk_project_load(&proj, project_dir, &ignored);
    free(ignored);
    char *where = NULL;
    int rc = sk_store_where(&where, project_dir, proj ? proj->store : NULL, err);
    sk_project_free(proj);
    if (rc)
        return rc;
    if (!sk_store_is_url(where)) {
        char *dir = sk_asprintf("%s/%s", project_dir, SK_STORE_DIR);
        int e = mkdir(dir, 0777) == 0 ? 0 : errno;
        if (e && !(e == EEXIST && sk_is_dir(dir)))
            rc = sk_errf(err, SK_EIO, "%s: cannot create the store's folder: %s", dir,
                         e == EEXIST ? "a file of that name is in the way" : strerror(e));
        free(dir);
    }
    size_t n;
    const sk_migration *migs = sk_store_migrations(&n);
    if (!rc)
        rc = sk_store_open_with(out, where, migs, n, err);
    free(where);
    return rc;
}

void sk_store_close(sk_store *st)
{
    if (!st)
        return;
    if (st->db) {
        sk_store_rollback(st);
        for (size_t i = 0; i < STMT_CACHE && st->cache[i].sql; i++)
            sk_db_finalize(st->cache[i].stmt);
        sk_db_close(st->db);
    }
    free(st->path);
    free(st);
}
