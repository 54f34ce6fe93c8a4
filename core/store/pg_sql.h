/*
 * The store's SQL, written in SQLite's dialect, as PostgreSQL reads it
 * (for db_pg.c).  What is rewritten:
 *
 *   ?  ?N                        $1, $2, …  ($N; cast to text before IS
 *                                [NOT] NULL, which alone gives no type)
 *   INSERT OR IGNORE …           INSERT … ON CONFLICT DO NOTHING
 *   a IS b, a IS NOT b           IS [NOT] DISTINCT FROM (b not NULL)
 *   INTEGER, REAL                BIGINT, DOUBLE PRECISION (SQLite's are
 *                                64-bit integers and doubles)
 *   in CREATE/ALTER TABLE:       INTEGER PRIMARY KEY is an identity column,
 *                                TEXT compares bytewise (COLLATE "C", as in
 *                                SQLite), WITHOUT ROWID goes
 *   strftime/datetime of 'now'   to_char of now() in UTC, the same text
 *   PRAGMA …                     dropped (SQLite's own settings)
 *   CROSS JOIN … ON              INNER JOIN (in SQLite, a join-order hint)
 *
 * Anything else passes through: a query that needs more is written per
 * dialect where it is (db.h).
 */
#ifndef SK_PG_SQL_H
#define SK_PG_SQL_H

/* The PostgreSQL text of `sql` (one or more statements; caller frees).
 * *nparams receives the highest parameter number, *writes 1 when a
 * statement inserts, updates or deletes. */
char *sk_pg_sql(const char *sql, int *nparams, int *writes);

#endif
