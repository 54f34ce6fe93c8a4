/*
 * The project store: one database per project, by default the SQLite file
 * PROJECT/.scorekit/scorekit.db, or a schema of a PostgreSQL database the
 * team shares (store_location.h); the same schema and queries on both
 * (db.h).
 * This file owns opening it (the backends configure their connections the
 * same way every time) and bringing its schema up to date with forward
 * migrations, plus small helpers the concepts stored in it (dataset.c, …)
 * share for transactions and statements.
 *
 * Threads: an sk_store is one connection (SQLite's opened without its own
 * mutex).  Use one sk_store per thread and never share one, or a statement
 * prepared on it, between threads.  Several connections (threads,
 * processes, machines) may use the same database: readers run beside one
 * writer; a writer waits for another (SQLite up to SK_STORE_BUSY_MS,
 * PostgreSQL on the writers' advisory lock, db_pg.c).
 *
 * Schema changes: the schema is the ordered list of migrations in store.c.
 * Each is a SQL script that moves the database from version N-1 to N; it
 * runs in its own transaction together with the row that records version N
 * in the schema_version table, so a database is always at exactly one
 * version.  To change the schema, append a migration (never edit one that
 * has been released: databases out there already ran it).
 */
#ifndef SK_STORE_H
#define SK_STORE_H

#include <stddef.h>

#include "scorekit/plugin.h"

#include "store/db.h"
#include "store/store_location.h"

typedef struct sk_store sk_store;

/* How long a connection waits for another one's write lock. */
#define SK_STORE_BUSY_MS 10000

/* One forward migration: the SQL that takes the schema to `version`. */
/* The time now in SQL: UTC text in ISO 8601, which sorts as it reads. */
#define SK_SQL_NOW "(strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))"

typedef struct sk_migration {
    int version; /* 1, 2, 3, … in order */
    const char *name;
    const char *sql; /* one or more statements */
    /* PostgreSQL's own script for this version, when it differs by more
     * than the dialect (db_pg.c translates `sql` otherwise); NULL: `sql`. */
    const char *pg_sql;
} sk_migration;

/* The migrations this scorekit knows, in order; *n receives their number
 * (the highest schema version it can use). */
const sk_migration *sk_store_migrations(size_t *n);

/* Open the store of the project in `project_dir`, creating the .scorekit
 * folder and the database when missing, and migrate it to the newest
 * schema.  A database written by a newer scorekit (a higher schema version
 * than this one knows) is refused with SK_EINVAL.  Returns 0 and a store
 * the caller frees with sk_store_close, or a negative SK_E* code with *err
 * set (SK_EIO for database and file errors). */
int sk_store_open(sk_store **out, const char *project_dir, char **err);

/* Open the database file `db_path` (its folder must exist) with the given
 * migrations instead of the built-in ones: for tests and tools.  Each
 * migration whose version is above the database's runs in its own
 * transaction; when one fails, it is rolled back, the database stays at
 * the version before it, and the open fails with a message naming it. */
int sk_store_open_with(sk_store **out, const char *db_path, const sk_migration *migs, size_t n,
                       char **err);

/* Close the connection (rolling back an open transaction); NULL is allowed. */
void sk_store_close(sk_store *st);

/* The connection, for code that prepares its own statements; borrowed
 * until sk_store_close. */
sk_db *sk_store_db(sk_store *st);

/* The database file's path, or for PostgreSQL its URL (store_location.h);
 * borrowed until sk_store_close. */
const char *sk_store_path(const sk_store *st);

/* The database's schema version (0 for an empty database). */
int sk_store_schema_version(sk_store *st, int *version, char **err);

/* BEGIN IMMEDIATE: take the write lock now, so a transaction that reads
 * then writes cannot fail half way with SQLITE_BUSY (on PostgreSQL: the
 * writers' lock, so it sees no other writer between its read and its
 * write).  Transactions do not nest.  Returns 0, or SK_EIO with *err. */
int sk_store_begin(sk_store *st, char **err);
int sk_store_commit(sk_store *st, char **err);
/* Roll back the open transaction, if any.  Never fails: a failed rollback
 * leaves the database to roll back when the connection closes. */
void sk_store_rollback(sk_store *st);

/* Run SQL that returns no rows (one or more statements).  Returns 0, or
 * SK_EIO with "PATH: MESSAGE (while WHAT)" in *err. */
int sk_store_exec(sk_store *st, const char *sql, const char *what, char **err);

/* Prepare one statement; the caller finalizes it (sk_db_finalize).
 * Returns 0, or SK_EIO with the database's message in *err (PostgreSQL
 * parses a statement when it first runs: its errors come from the step). */
int sk_store_prepare(sk_store *st, sk_stmt **stmt, const char *sql, char **err);

/* The same for a query whose rows may not fit in memory at once (a whole
 * table, an experiment's every cell): read a piece at a time (SK_DB_LARGE). */
int sk_store_prepare_large(sk_store *st, sk_stmt **stmt, const char *sql, char **err);

/* A statement prepared once per connection: the first call with this
 * `sql` (compared by address, so pass a string literal) prepares it, later
 * calls return the same statement.  It stays owned by the store until
 * sk_store_close: never finalize it; reset it (sk_store_step_done does)
 * and clear its bindings after use.  Returns 0, or SK_EIO with *err. */
int sk_store_cached(sk_store *st, sk_stmt **stmt, const char *sql, char **err);

/* The same for an INSERT ... VALUES (...) whose steps are only checked for
 * errors: the backend may send its rows in batches (SK_DB_BATCH, db.h),
 * whose errors the next statement or the commit reports. */
int sk_store_cached_batch(sk_store *st, sk_stmt **stmt, const char *sql, char **err);

/* Step a statement that returns no rows and reset it for reuse.  Returns 0,
 * or SK_EIO with "PATH: MESSAGE (while WHAT)" in *err. */
int sk_store_step_done(sk_store *st, sk_stmt *stmt, const char *what, char **err);

/* Column i of the current row as a new string (caller frees), or NULL for
 * SQL NULL. */
char *sk_store_column_dup(sk_stmt *stmt, int i);

/* Step s to its end and finalize it, collecting one element of `size`
 * bytes per result row into a new array: fill() copies the row into the
 * zeroed element.  On a step error each element is given to clear() (may
 * be NULL), the array is freed, *out is NULL and *n 0, and the result is
 * sk_store_error's with WHAT.  The caller frees *out (and its elements). */
int sk_store_collect(sk_store *st, sk_stmt *s, size_t size, void (*fill)(sk_stmt *s, void *elem),
                     void (*clear)(void *elem), const char *what, void **out, size_t *n,
                     char **err);

/* Store "PATH: MESSAGE (while WHAT)" in *err, taking the message
 * from the connection's last error, and return SK_EIO.  A full disk
 * (SQLITE_FULL, or an I/O error with ENOSPC) reads "PATH: disk full: ...;
 * free some space ..." instead, here and in sk_store_open, sk_store_exec,
 * sk_store_prepare and sk_store_step_done. */
int sk_store_error(sk_store *st, const char *what, char **err);

#endif
