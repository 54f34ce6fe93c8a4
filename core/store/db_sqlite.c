/*
 * The SQLite backend of db.h: a thin wrapper over SQLite's own API (loaded
 * on first use, sqlite_load.c).  A connection is opened the same way every
 * time: WAL journal, foreign keys on, synchronous=NORMAL, a busy timeout.
 */
#include <errno.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "store/db.h"

typedef struct {
    sk_db base;
    sqlite3 *db;
} lite_db;

typedef struct {
    sk_stmt base;
    sqlite3_stmt *s;
} lite_stmt;

static const sk_db_ops lite_ops;

#define DB(d)   (((lite_db *)(d))->db)
#define STMT(s) (((lite_stmt *)(s))->s)

static int code(int rc)
{
    if (rc == SQLITE_ROW || rc == SQLITE_DONE || rc == SQLITE_OK)
        return rc == SQLITE_OK ? SK_DB_OK : rc == SQLITE_ROW ? SK_DB_ROW : SK_DB_DONE;
    return SK_DB_ERROR;
}

static int lite_prepare(sk_db *db, const char *sql, int flags, sk_stmt **out)
{
    sqlite3_stmt *s = NULL;
    int rc = flags & SK_DB_PERSISTENT
                 ? sqlite3_prepare_v3(DB(db), sql, -1, SQLITE_PREPARE_PERSISTENT, &s, NULL)
                 : sqlite3_prepare_v2(DB(db), sql, -1, &s, NULL);
    if (rc != SQLITE_OK)
        return SK_DB_ERROR;
    lite_stmt *w = sk_xmalloc(sizeof *w);
    w->base.ops = &lite_ops;
    w->s = s;
    *out = &w->base;
    return SK_DB_OK;
}

static int lite_exec(sk_db *db, const char *sql)
{
    return code(sqlite3_exec(DB(db), sql, NULL, NULL, NULL));
}

static const char *lite_errmsg(sk_db *db)
{
    return sqlite3_errmsg(DB(db));
}

/* A full disk reaches us as SQLITE_FULL, or as an I/O error whose system
 * error is ENOSPC (a failed write of the WAL index or of a journal). */
static int full(sqlite3 *db)
{
    int c = sqlite3_extended_errcode(db) & 0xff;
    return c == SQLITE_FULL || (c == SQLITE_IOERR && sqlite3_system_errno(db) == ENOSPC);
}

static int lite_errkind(sk_db *db)
{
    if (full(DB(db)))
        return SK_DB_EFULL;
    if (sqlite3_extended_errcode(DB(db)) == SQLITE_CONSTRAINT_UNIQUE ||
        sqlite3_extended_errcode(DB(db)) == SQLITE_CONSTRAINT_PRIMARYKEY)
        return SK_DB_EUNIQUE;
    return SK_DB_EOTHER;
}

static sk_int64 lite_changes(sk_db *db)
{
    return sqlite3_changes(DB(db));
}

static sk_int64 lite_last_insert_id(sk_db *db)
{
    return sqlite3_last_insert_rowid(DB(db));
}

static int lite_in_transaction(sk_db *db)
{
    return !sqlite3_get_autocommit(DB(db));
}

static void lite_close(sk_db *db)
{
    sqlite3_close_v2(DB(db));
    free(db);
}

static int lite_bind_text(sk_stmt *s, int i, const char *v, int n, int lifetime)
{
    return code(sqlite3_bind_text(STMT(s), i, v, n,
                                  lifetime == SK_DB_STATIC ? SQLITE_STATIC : SQLITE_TRANSIENT));
}

static int lite_bind_int64(sk_stmt *s, int i, sk_int64 v)
{
    return code(sqlite3_bind_int64(STMT(s), i, v));
}

static int lite_bind_double(sk_stmt *s, int i, double v)
{
    return code(sqlite3_bind_double(STMT(s), i, v));
}

static int lite_bind_null(sk_stmt *s, int i)
{
    return code(sqlite3_bind_null(STMT(s), i));
}

static int lite_clear_bindings(sk_stmt *s)
{
    return code(sqlite3_clear_bindings(STMT(s)));
}

static int lite_step(sk_stmt *s)
{
    return code(sqlite3_step(STMT(s)));
}

static int lite_reset(sk_stmt *s)
{
    return code(sqlite3_reset(STMT(s)));
}

static int lite_finalize(sk_stmt *s)
{
    int rc = sqlite3_finalize(STMT(s));
    free(s);
    return code(rc);
}

static int lite_column_type(sk_stmt *s, int i)
{
    return sqlite3_column_type(STMT(s), i); /* db.h numbers types as SQLite does */
}

static const char *lite_column_text(sk_stmt *s, int i)
{
    return (const char *)sqlite3_column_text(STMT(s), i);
}

static int lite_column_bytes(sk_stmt *s, int i)
{
    return sqlite3_column_bytes(STMT(s), i);
}

static sk_int64 lite_column_int64(sk_stmt *s, int i)
{
    return sqlite3_column_int64(STMT(s), i);
}

static double lite_column_double(sk_stmt *s, int i)
{
    return sqlite3_column_double(STMT(s), i);
}

static const sk_db_ops lite_ops = {
    SK_DIALECT_SQLITE, lite_prepare,        lite_exec,           lite_errmsg,
    lite_errkind,      lite_changes,        lite_last_insert_id, lite_in_transaction,
    lite_close,        lite_bind_text,      lite_bind_int64,     lite_bind_double,
    lite_bind_null,    lite_clear_bindings, lite_step,           lite_reset,
    lite_finalize,     lite_column_type,    lite_column_text,    lite_column_bytes,
    lite_column_int64, lite_column_double,
};

/* SQLite counts every allocation under one process-wide mutex unless told
 * not to; nothing here reads those counts.  This must run before SQLite
 * initialises, so the first store opened does it; if the program used
 * SQLite before, the call fails harmlessly and counting stays on. */
static void tune(void)
{
    sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

/* The journal mode is a property of the file, and the answer says whether
 * it took: some file systems (network mounts) cannot do WAL. */
static char *configure(sqlite3 *db, int busy_ms)
{
    sqlite3_busy_timeout(db, busy_ms);
    sqlite3_stmt *s = NULL;
    char *why = NULL;
    if (sqlite3_prepare_v2(db, "PRAGMA journal_mode = WAL", -1, &s, NULL) != SQLITE_OK ||
        sqlite3_step(s) != SQLITE_ROW) {
        why = sk_asprintf("%s (while setting the journal mode)", sqlite3_errmsg(db));
    } else {
        const char *mode = (const char *)sqlite3_column_text(s, 0);
        if (!mode || strcmp(mode, "wal") != 0)
            why = sk_asprintf("the database cannot use the WAL journal (it stays \"%s\"); keep "
                              "the project on a local file system",
                              mode ? mode : "?");
    }
    sqlite3_finalize(s);
    if (!why && sqlite3_exec(db, "PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL", NULL,
                             NULL, NULL) != SQLITE_OK)
        why = sk_asprintf("%s (while configuring the connection)", sqlite3_errmsg(db));
    return why;
}

int sk_db_open_sqlite(sk_db **out, const char *path, int busy_ms, char **why, int *is_full)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, tune);
    *out = NULL;
    *why = NULL;
    *is_full = 0;
    sqlite3 *db = NULL;
    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
    if (sqlite3_open_v2(path, &db, flags, NULL) != SQLITE_OK) {
        *is_full = db && full(db);
        *why = sk_asprintf("cannot open the database: %s", sqlite3_errmsg(db));
    } else {
        *why = configure(db, busy_ms);
        *is_full = *why && full(db);
    }
    if (*why) {
        if (db) /* none when SQLite could not be loaded */
            sqlite3_close_v2(db);
        return SK_DB_ERROR;
    }
    lite_db *w = sk_xmalloc(sizeof *w);
    w->base.ops = &lite_ops;
    w->db = db;
    *out = &w->base;
    return SK_DB_OK;
}
