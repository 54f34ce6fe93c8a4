/*
 * The database under the store: one statement API, shaped after SQLite's
 * (prepare, bind, step, read columns, finalize), with two backends behind
 * it.  Every query of the store is written once, in SQLite's dialect, and
 * runs on either:
 *
 *   db_sqlite.c   SQLite, the project's file (the default);
 *   db_pg.c       PostgreSQL over libpq, a team's shared store; it rewrites
 *                 the few constructs the dialects spell differently
 *                 (pg_sql.c) and runs each statement when first stepped.
 *
 * A query that cannot be written for both asks sk_db_dialect() and carries
 * one text per dialect; there are few, and each says why.
 *
 * Codes: functions returning int return SK_DB_OK, SK_DB_ROW or SK_DB_DONE
 * (step), or SK_DB_ERROR with the reason in sk_db_errmsg(db).  Column
 * values are borrowed until the next step, reset or finalize.  A
 * connection and its statements belong to one thread at a time.
 */
#ifndef SK_DB_H
#define SK_DB_H

#include <stddef.h>

typedef long long sk_int64;
typedef struct sk_db sk_db;
typedef struct sk_stmt sk_stmt;

enum { SK_DB_OK = 0, SK_DB_ERROR = 1, SK_DB_ROW = 100, SK_DB_DONE = 101 };

/* Column types, as SQLite numbers them. */
enum { SK_DB_INTEGER = 1, SK_DB_FLOAT = 2, SK_DB_TEXT = 3, SK_DB_NULL = 5 };

/* bind_text's lifetime of the text: STATIC when it outlives the statement's
 * next step (a literal, or the caller's until then), TRANSIENT to copy. */
enum { SK_DB_STATIC = 0, SK_DB_TRANSIENT = 1 };

/* What kind of failure the last error was, where callers act on it. */
enum { SK_DB_EOTHER = 0, SK_DB_EUNIQUE, SK_DB_EFULL, SK_DB_ECONNECTION };

enum { SK_DIALECT_SQLITE = 0, SK_DIALECT_POSTGRES };

/* sk_db_prepare's flags.  PERSISTENT: kept for the connection's life (the
 * backend may plan it once).  BATCH: an INSERT ... VALUES (...) whose step
 * nobody reads a result or a count of: the backend may hold its rows and
 * send many in one statement, before the next other statement or COMMIT,
 * which then report its errors (db_pg.c).  LARGE: a query that may return
 * more rows than fit in memory at once (an export, a copy): a server
 * backend reads them a piece at a time (SQLite always does). */
enum { SK_DB_PERSISTENT = 1, SK_DB_BATCH = 2, SK_DB_LARGE = 4 };

/* The backend's functions: a connection and a statement start with a
 * pointer to them (struct sk_db / sk_stmt below), which db.c calls. */
typedef struct sk_db_ops {
    int dialect;
    int (*prepare)(sk_db *db, const char *sql, int flags, sk_stmt **out);
    int (*exec)(sk_db *db, const char *sql);
    const char *(*errmsg)(sk_db *db);
    int (*errkind)(sk_db *db);
    sk_int64 (*changes)(sk_db *db);
    sk_int64 (*last_insert_id)(sk_db *db);
    int (*in_transaction)(sk_db *db);
    void (*close)(sk_db *db);

    int (*bind_text)(sk_stmt *s, int i, const char *v, int n, int lifetime);
    int (*bind_int64)(sk_stmt *s, int i, sk_int64 v);
    int (*bind_double)(sk_stmt *s, int i, double v);
    int (*bind_null)(sk_stmt *s, int i);
    int (*clear_bindings)(sk_stmt *s);
    int (*step)(sk_stmt *s);
    int (*reset)(sk_stmt *s);
    int (*finalize)(sk_stmt *s);
    int (*column_type)(sk_stmt *s, int i);
    const char *(*column_text)(sk_stmt *s, int i);
    int (*column_bytes)(sk_stmt *s, int i);
    sk_int64 (*column_int64)(sk_stmt *s, int i);
    double (*column_double)(sk_stmt *s, int i);
} sk_db_ops;

struct sk_db {
    const sk_db_ops *ops;
};
struct sk_stmt {
    const sk_db_ops *ops;
};

/* Open the SQLite database file `path` (created when missing), configured
 * as the store wants it (WAL, foreign keys, a busy timeout).  Returns
 * SK_DB_OK and a connection, or SK_DB_ERROR with *db NULL and *why a new
 * message (caller frees); *full is set when the reason is a full disk. */
int sk_db_open_sqlite(sk_db **db, const char *path, int busy_ms, char **why, int *full);

/* Connect to PostgreSQL: `conninfo` is a libpq URL or key=value string,
 * `schema` the schema to work in (created when missing; NULL for the
 * server's default).  Returns as sk_db_open_sqlite. */
int sk_db_open_postgres(sk_db **db, const char *conninfo, const char *schema, char **why);

/* Connection.  sk_db_close takes NULL. */
static inline int sk_db_dialect(sk_db *db)
{
    return db->ops->dialect;
}
int sk_db_prepare(sk_db *db, const char *sql, int flags, sk_stmt **out);
int sk_db_exec(sk_db *db, const char *sql); /* one or more statements, no rows */
const char *sk_db_errmsg(sk_db *db);        /* borrowed until the next call */
int sk_db_errkind(sk_db *db);
sk_int64 sk_db_changes(sk_db *db); /* rows the last INSERT/UPDATE/DELETE changed */
sk_int64 sk_db_last_insert_id(sk_db *db);
int sk_db_in_transaction(sk_db *db);
void sk_db_close(sk_db *db);

/* Statements.  Parameters count from 1, columns from 0; sk_db_finalize
 * takes NULL. */
int sk_db_bind_text(sk_stmt *s, int i, const char *v, int n, int lifetime);
int sk_db_bind_int64(sk_stmt *s, int i, sk_int64 v);
int sk_db_bind_int(sk_stmt *s, int i, int v);
int sk_db_bind_double(sk_stmt *s, int i, double v);
int sk_db_bind_null(sk_stmt *s, int i);
int sk_db_clear_bindings(sk_stmt *s);
int sk_db_step(sk_stmt *s);
int sk_db_reset(sk_stmt *s);
int sk_db_finalize(sk_stmt *s);
int sk_db_column_type(sk_stmt *s, int i);
const char *sk_db_column_text(sk_stmt *s, int i); /* NULL for NULL */
int sk_db_column_bytes(sk_stmt *s, int i);
sk_int64 sk_db_column_int64(sk_stmt *s, int i);
int sk_db_column_int(sk_stmt *s, int i);
double sk_db_column_double(sk_stmt *s, int i);

#endif
