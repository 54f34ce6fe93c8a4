/*
 * The project store (see store.h): opening the SQLite database and running
 * the migrations (schema.c), and the transaction and statement helpers.
 */
#include "store/store.h"

#include <errno.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "base/error.h"
#include "base/fileutil.h"
#include "base/util.h"

/* Statements kept prepared for the life of the connection, keyed by the
 * address of their SQL text (a string literal of the caller's): the
 * statements a run executes once per batch are compiled once per run. */
#define STMT_CACHE 16

struct sk_store {
    sqlite3 *db;
    char *path;
    struct {
        const char *sql;
        sqlite3_stmt *stmt;
    } cache[STMT_CACHE];
};

/* ---- helpers ------------------------------------------------------------ */

char *sk_store_column_dup(sqlite3_stmt *stmt, int i)
{
    const unsigned char *t = sqlite3_column_text(stmt, i);
    return t ? sk_xstrdup((const char *)t) : NULL;
}

/* A full disk reaches us as SQLITE_FULL, or as an I/O error whose system
 * error is ENOSPC (a failed write of the WAL index or of a journal); its
 * message, "database or disk is full" or "disk I/O error", hides the one
 * thing to do about it. */
static int disk_full(sqlite3 *db)
{
    int code = sqlite3_extended_errcode(db) & 0xff;
    return code == SQLITE_FULL || (code == SQLITE_IOERR && sqlite3_system_errno(db) == ENOSPC);
}

/* The message for the connection's last error, `msg` its SQLite text. */
static int fail(sk_store *st, const char *msg, const char *while_, const char *what, char **err)
{
    if (st->db && disk_full(st->db))
        return sk_errf(err, SK_EIO,
                       "%s: disk full: the store cannot write (%s, while %s%s); free some "
                       "space on that disk and run the command again",
                       st->path, msg, while_, what);
    return sk_errf(err, SK_EIO, "%s: %s (while %s%s)", st->path, msg, while_, what);
}

int sk_store_collect(sk_store *st, sqlite3_stmt *s, size_t size,
                     void (*fill)(sqlite3_stmt *s, void *elem), void (*clear)(void *elem),
                     const char *what, void **out, size_t *n, char **err)
{
    char *v = NULL;
    size_t len = 0, cap = 0;
    int step;
    while ((step = sqlite3_step(s)) == SQLITE_ROW) {
        v = sk_xgrow(v, &cap, len + 1, size);
        memset(v + len * size, 0, size);
        fill(s, v + len++ * size);
    }
    int rc = step == SQLITE_DONE ? SK_OK : sk_store_error(st, what, err);
    sqlite3_finalize(s);
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
    return fail(st, sqlite3_errmsg(st->db), "", what, err);
}

int sk_store_exec(sk_store *st, const char *sql, const char *what, char **err)
{
    char *msg = NULL;
    if (sqlite3_exec(st->db, sql, NULL, NULL, &msg) == SQLITE_OK)
        return SK_OK;
    int rc = fail(st, msg ? msg : sqlite3_errmsg(st->db), "", what, err);
    sqlite3_free(msg);
    return rc;
}

int sk_store_prepare(sk_store *st, sqlite3_stmt **stmt, const char *sql, char **err)
{
    *stmt = NULL;
    if (sqlite3_prepare_v2(st->db, sql, -1, stmt, NULL) == SQLITE_OK)
        return SK_OK;
    return fail(st, sqlite3_errmsg(st->db), "preparing: ", sql, err);
}

int sk_store_cached(sk_store *st, sqlite3_stmt **stmt, const char *sql, char **err)
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
    if (sqlite3_prepare_v3(st->db, sql, -1, SQLITE_PREPARE_PERSISTENT, stmt, NULL) != SQLITE_OK)
        return fail(st, sqlite3_errmsg(st->db), "preparing: ", sql, err);
    st->cache[i].sql = sql;
    st->cache[i].stmt = *stmt;
    return SK_OK;
}

int sk_store_step_done(sk_store *st, sqlite3_stmt *stmt, const char *what, char **err)
{
    int rc = sqlite3_step(stmt);
    int ret = rc == SQLITE_DONE ? SK_OK : sk_store_error(st, what, err);
    sqlite3_reset(stmt);
    return ret;
}

int sk_store_begin(sk_store *st, char **err)
{
    if (!sqlite3_get_autocommit(st->db))
        return sk_errf(err, SK_EINVAL, "%s: a transaction is already open", st->path);
    return sk_store_exec(st, "BEGIN IMMEDIATE", "starting a transaction", err);
}

int sk_store_commit(sk_store *st, char **err)
{
    return sk_store_exec(st, "COMMIT", "committing a transaction", err);
}

void sk_store_rollback(sk_store *st)
{
    if (!sqlite3_get_autocommit(st->db))
        sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
}

sqlite3 *sk_store_db(sk_store *st)
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
    sqlite3_stmt *s;
    int rc = sk_store_prepare(st, &s, sql, err);
    if (rc)
        return rc;
    if (sqlite3_step(s) == SQLITE_ROW)
        *out = sqlite3_column_int(s, 0);
    else
        rc = sk_store_error(st, "reading the schema version", err);
    sqlite3_finalize(s);
    return rc;
}

int sk_store_schema_version(sk_store *st, int *version, char **err)
{
    int has_table = 0;
    *version = 0;
    int rc = query_int(st,
                       "SELECT count(*) FROM sqlite_master "
                       "WHERE type = 'table' AND name = 'schema_version'",
                       &has_table, err);
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
    if (!rc)
        rc = sk_store_exec(st, m->sql, what, err);
    sqlite3_stmt *s = NULL;
    if (!rc)
        rc = sk_store_prepare(st, &s, "INSERT INTO schema_version (version, name) VALUES (?, ?)",
                              err);
    if (!rc) {
        sqlite3_bind_int(s, 1, m->version);
        sqlite3_bind_text(s, 2, m->name, -1, SQLITE_STATIC);
        rc = sk_store_step_done(st, s, what, err);
    }
    sqlite3_finalize(s);
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

static int configure(sk_store *st, char **err)
{
    sqlite3_busy_timeout(st->db, SK_STORE_BUSY_MS);
    /* The journal mode is a property of the file, and the answer says
     * whether it took: some file systems (network mounts) cannot do WAL. */
    sqlite3_stmt *s;
    int rc = sk_store_prepare(st, &s, "PRAGMA journal_mode = WAL", err);
    if (rc)
        return rc;
    if (sqlite3_step(s) != SQLITE_ROW) {
        rc = sk_store_error(st, "setting the journal mode", err);
    } else {
        const char *mode = (const char *)sqlite3_column_text(s, 0);
        if (!mode || strcmp(mode, "wal") != 0)
            rc = sk_errf(err, SK_EIO,
                         "%s: the database cannot use the WAL journal (it stays \"%s\"); keep "
                         "the project on a local file system",
                         st->path, mode ? mode : "?");
    }
    sqlite3_finalize(s);
    if (rc)
        return rc;
    return sk_store_exec(st, "PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL",
                         "configuring the connection", err);
}

/* SQLite counts every allocation under one process-wide mutex unless told
 * not to; nothing here reads those counts.  This must run before SQLite
 * initialises, so the first store opened does it; if the program used
 * SQLite before, the call fails harmlessly and counting stays on. */
static void tune_sqlite(void)
{
    sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

int sk_store_open_with(sk_store **out, const char *db_path, const sk_migration *migs, size_t n,
                       char **err)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, tune_sqlite);
    *out = NULL;
    sk_store *st = sk_xcalloc(1, sizeof *st);
    st->path = sk_xstrdup(db_path);
    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
    int rc;
    if (sqlite3_open_v2(db_path, &st->db, flags, NULL) != SQLITE_OK) {
        if (st->db && disk_full(st->db))
            rc = fail(st, sqlite3_errmsg(st->db), "", "opening the database", err);
        else
            rc = sk_errf(err, SK_EIO, "%s: cannot open the database: %s", db_path,
                         sqlite3_errmsg(st->db)); /* says why there is no st->db */
    } else {
        rc = configure(st, err);
        if (!rc)
            rc = migrate(st, migs, n, err);
    }
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
    char *dir = sk_asprintf("%s/%s", project_dir, SK_STORE_DIR);
    int e = mkdir(dir, 0777) == 0 ? 0 : errno;
    if (e && !(e == EEXIST && sk_is_dir(dir))) {
        int rc = sk_errf(err, SK_EIO, "%s: cannot create the store's folder: %s", dir,
                         e == EEXIST ? "a file of that name is in the way" : strerror(e));
        free(dir);
        return rc;
    }
    char *path = sk_asprintf("%s/%s", dir, SK_STORE_FILE);
    size_t n;
    const sk_migration *migs = sk_store_migrations(&n);
    int rc = sk_store_open_with(out, path, migs, n, err);
    free(path);
    free(dir);
    return rc;
}

void sk_store_close(sk_store *st)
{
    if (!st)
        return;
    if (st->db) {
        sk_store_rollback(st);
        for (size_t i = 0; i < STMT_CACHE && st->cache[i].sql; i++)
            sqlite3_finalize(st->cache[i].stmt);
        sqlite3_close_v2(st->db);
    }
    free(st->path);
    free(st);
}
