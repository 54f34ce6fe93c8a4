/*
 * The PostgreSQL backend of db.h, over libpq (loaded on first use,
 * pg_load.c).
 *
 * A statement's SQL is rewritten once, at prepare (pg_sql.h), and run when
 * first stepped with its parameters sent as text (integers and doubles
 * typed, text left for the server to infer from where it is used); its
 * rows are then read from the result.
 *
 * Writers take the store's write lock, as SQLite's writers do: BEGIN
 * IMMEDIATE takes a transaction-scoped advisory lock keyed by the schema,
 * and a write outside a transaction runs in one of its own that takes it.
 * So every read-then-write the store does (the next version number, the
 * next log seq, a lease) sees no other writer between its read and its
 * write, on one machine or several.  Readers never wait.
 *
 * Batches: a statement prepared with SK_DB_BATCH (an INSERT … VALUES
 * whose result nobody reads: a run's cells and scores) only queues its
 * rows on step; they go to the server as one multi-row INSERT when the
 * queue is full, before any other statement runs, and at COMMIT.  ROLLBACK
 * drops them.  An error of theirs is reported by the statement or COMMIT
 * that sent them, and the transaction fails as a whole.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "base/hash.h"
#include "base/util.h"
#include "store/db.h"
#include "store/pg_sql.h"

const char *sk_libpq_load(void);

#define INT8OID    20
#define FLOAT8OID  701
#define BOOLOID    16
#define INT2OID    21
#define INT4OID    23
#define FLOAT4OID  700
#define NUMERICOID 1700

/* Rows and parameters a multi-row INSERT carries at most (the protocol
 * allows 65,535 parameters). */
#define BATCH_ROWS   2000
#define BATCH_PARAMS 60000
#define MAX_QUEUED   4
#define ANALYZE_ROWS 10000
/* Rows a LARGE query's cursor fetches at a time. */
#define FETCH_ROWS 2000

typedef struct pg_stmt pg_stmt;

typedef struct {
    sk_db base;
    PGconn *conn;
    char *err; /* the last error's message */
    int errkind;
    sk_int64 changes;
    char *where;    /* HOST:PORT/DB, for messages */
    long long lock; /* the advisory lock key of this store's writers */
    /* The batch statements with rows waiting, in the order they first
     * queued one (a run's cells, then its scores). */
    pg_stmt *queued[MAX_QUEUED];
    int nqueued;
    int batch_failed; /* a finalized batch statement's rows failed to go */
    /* A COPY was sent and its result is not read yet: the server inserts
     * its rows while the run makes the next batch. */
    int copying;
    unsigned cursors; /* LARGE queries' cursors opened, to name the next */
    /* Rows batches added to each table since it was last analysed. */
    struct {
        char name[64];
        long long rows;
    } grown[MAX_QUEUED];
} pg_db;

struct pg_stmt {
    sk_stmt base;
    pg_db *db;
    char *sql;
    int nparams, writes, batch;
    char **vals; /* bound values as text (owned), NULL for NULL */
    Oid *types;
    PGresult *res;
    int row, rows, executed;
    /* SK_DB_LARGE: the cursor its rows come from (0: none open), and
     * whether the last fetch filled up (more may follow). */
    int large, more, cursor_in_txn;
    unsigned cursor;
    /* SK_DB_BATCH: the multi-row form is head + tuple × rows + tail, and the
     * queued rows' values and types */
    char *head, *tuple, *tail;
    char **qvals;
    Oid *qtypes;
    int qrows;
};

static const sk_db_ops pg_ops;

static void set_err(pg_db *db, int kind, const char *fmt, const char *a, const char *b)
{
    free(db->err);
    db->err = sk_asprintf(fmt, a, b);
    db->errkind = kind;
}

/* The message of a failed result (or of the connection when there is no
 * result), and what kind of failure it is. */
static void result_err(pg_db *db, PGresult *r)
{
    if (PQstatus(db->conn) == CONNECTION_BAD) {
        const char *m = PQerrorMessage(db->conn);
        set_err(db, SK_DB_ECONNECTION,
                "lost the connection to the PostgreSQL server at %s (%s); what was committed "
                "is kept: check the server is running and reachable, then run the command "
                "again (a run: with --resume)",
                db->where, m && *m ? m : "no answer");
    } else {
        const char *state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
        /* The server's sentence alone, as SQLite's messages read, not
         * libpq's "ERROR:  ...\nLINE 1: ..." report. */
        const char *m = r ? PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY) : NULL;
        if (!m || !*m)
            m = r ? PQresultErrorMessage(r) : PQerrorMessage(db->conn);
        int kind = SK_DB_EOTHER;
        if (state && strcmp(state, "23505") == 0)
            kind = SK_DB_EUNIQUE;
        else if (state && strcmp(state, "53100") == 0)
            kind = SK_DB_EFULL;
        set_err(db, kind, "%s%s", m && *m ? m : "the server gave no reason", "");
    }
    /* libpq's messages end in a newline (and may span lines). */
    size_t n = strlen(db->err);
    while (n && (db->err[n - 1] == '\n' || db->err[n - 1] == ' '))
        db->err[--n] = '\0';
    for (char *p = db->err; *p; p++)
        if (*p == '\n')
            *p = ' ';
}

/* Read the result of the COPY in flight, if any; 0, or -1 with the error
 * set when its rows did not go in (the transaction has then failed). */
static int settle(pg_db *db)
{
    if (!db->copying)
        return 0;
    db->copying = 0;
    int ok = 1;
    PGresult *r;
    while ((r = PQgetResult(db->conn)) != NULL) {
        if (ok && PQresultStatus(r) != PGRES_COMMAND_OK) {
            result_err(db, r);
            ok = 0;
        }
        PQclear(r);
    }
    if (ok && PQstatus(db->conn) == CONNECTION_BAD) {
        result_err(db, NULL);
        ok = 0;
    }
    return ok ? 0 : -1;
}

/* Run text with no parameters; 0 or -1 with the error set. */
static int run(pg_db *db, const char *sql)
{
    if (settle(db))
        return -1;
    PGresult *r = PQexec(db->conn, sql);
    ExecStatusType s = r ? PQresultStatus(r) : PGRES_FATAL_ERROR;
    int ok = s == PGRES_COMMAND_OK || s == PGRES_TUPLES_OK || s == PGRES_EMPTY_QUERY;
    if (!ok)
        result_err(db, r);
    PQclear(r);
    return ok ? 0 : -1;
}

static int in_txn(pg_db *db)
{
    return PQtransactionStatus(db->conn) != PQTRANS_IDLE;
}

/* End the failed transaction; the error that failed it stays the one
 * reported. */
static void rollback_keeping_error(pg_db *db)
{
    char *keep = db->err;
    int kind = db->errkind;
    db->err = NULL;
    run(db, "ROLLBACK");
    free(db->err);
    db->err = keep;
    db->errkind = kind;
}

/* BEGIN, and wait for the writers' lock: one round trip. */
static int begin_writing(pg_db *db)
{
    char sql[96];
    snprintf(sql, sizeof sql, "BEGIN; SELECT pg_advisory_xact_lock(%lld)", db->lock);
    return run(db, sql);
}

/* ---- batches ------------------------------------------------------------- */

static void drop_queue(pg_stmt *s)
{
    for (int i = 0; i < s->qrows * s->nparams; i++)
        free(s->qvals[i]);
    s->qrows = 0;
    pg_db *db = s->db;
    for (int i = 0; i < db->nqueued; i++)
        if (db->queued[i] == s) {
            memmove(db->queued + i, db->queued + i + 1,
                    (size_t)(db->nqueued - i - 1) * sizeof *db->queued);
            db->nqueued--;
            break;
        }
}

static void drop_all(pg_db *db)
{
    while (db->nqueued)
        drop_queue(db->queued[0]);
}

/* Count the rows a batch added to its table ("INSERT INTO name (..."). */
static void note_growth(pg_db *db, const char *head, int rows)
{
    const char *t = head + strlen("INSERT INTO ");
    size_t n = strcspn(t, " (");
    if (strncmp(head, "INSERT INTO ", 12) != 0 || n == 0 || n >= sizeof db->grown[0].name)
        return;
    int i = 0;
    for (; i < MAX_QUEUED && db->grown[i].name[0]; i++)
        if (strlen(db->grown[i].name) == n && strncmp(db->grown[i].name, t, n) == 0)
            break;
    if (i == MAX_QUEUED)
        return;
    memcpy(db->grown[i].name, t, n);
    db->grown[i].name[n] = '\0';
    db->grown[i].rows += rows;
}

/* A query right after a run wrote 20,000 cells is planned from statistics
 * that have not seen them (autovacuum analyses later): on a table that was
 * nearly empty when last analysed, a nested loop planned for "no rows"
 * took minutes.  So a table that batches grew by ANALYZE_ROWS, and by more
 * than a tenth of what its statistics know, is analysed before the next
 * query reads.  A table already large plans well from the statistics it
 * has, and one never analysed is planned from its size on disk: both are
 * left to autovacuum. */
static void analyse_grown(pg_db *db)
{
    for (int i = 0; i < MAX_QUEUED && db->grown[i].name[0]; i++) {
        if (db->grown[i].rows < ANALYZE_ROWS)
            continue;
        char sql[160];
        snprintf(sql, sizeof sql, "SELECT reltuples FROM pg_class WHERE oid = to_regclass('%s')",
                 db->grown[i].name);
        PGresult *r = PQexec(db->conn, sql);
        double known = r && PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1
                           ? strtod(PQgetvalue(r, 0, 0), NULL)
                           : 0;
        PQclear(r);
        if (known >= 0 && (double)db->grown[i].rows * 10 > known) {
            /* A sample of 300 rows (not 30,000) is enough to count the
             * rows and their experiments by, in a fifth of the time. */
            snprintf(sql, sizeof sql,
                     "SET default_statistics_target = 1; ANALYZE %s; RESET "
                     "default_statistics_target",
                     db->grown[i].name);
            run(db, sql); /* only a plan is at stake: an error here is not the query's */
        }
        db->grown[i].rows = 0;
    }
}

/* COPY's text format: a row a line, values split by tabs, \N for NULL,
 * and a backslash before a tab, newline, carriage return or backslash. */
static void copy_value(sk_buf *b, const char *v)
{
    if (!v) {
        sk_buf_adds(b, "\\N");
        return;
    }
    for (; *v; v++) {
        switch (*v) {
        case '\\': sk_buf_adds(b, "\\\\"); break;
        case '\t': sk_buf_adds(b, "\\t"); break;
        case '\n': sk_buf_adds(b, "\\n"); break;
        case '\r': sk_buf_adds(b, "\\r"); break;
        default: sk_buf_addc(b, *v);
        }
    }
}

/* Send a plain batch by COPY, several times faster for the server than
 * the same rows as one INSERT (no statement to parse, no parameters).
 * Its result is left to settle(): the server works through these rows
 * while the caller goes on. */
static int copy_rows(pg_db *db, pg_stmt *s)
{
    sk_buf data = {0};
    for (int row = 0; row < s->qrows; row++)
        for (int i = 0; i < s->nparams; i++) {
            copy_value(&data, s->qvals[row * s->nparams + i]);
            sk_buf_addc(&data, i + 1 < s->nparams ? '\t' : '\n');
        }
    sk_buf b = {0};
    sk_buf_adds(&b, "COPY ");
    sk_buf_adds(&b, s->head + strlen("INSERT INTO "));
    b.len -= strlen(" VALUES ");
    b.data[b.len] = '\0';
    sk_buf_adds(&b, " FROM STDIN");
    int ok = settle(db) == 0;
    if (ok) {
        PGresult *r = PQexec(db->conn, b.data);
        ok = r && PQresultStatus(r) == PGRES_COPY_IN;
        if (!ok)
            result_err(db, r);
        PQclear(r);
    }
    if (ok) {
        ok = PQputCopyData(db->conn, data.data, (int)data.len) == 1 &&
             PQputCopyEnd(db->conn, NULL) == 1;
        db->copying = 1; /* even on failure: its result says why */
        if (!ok) {
            result_err(db, NULL);
            settle(db);
        }
    }
    sk_buf_free(&b);
    sk_buf_free(&data);
    return ok ? 0 : -1;
}

/* The tuple is "($1, $2, …, $n)" in order and nothing follows it: COPY
 * can carry the rows. */
static int copyable(const pg_stmt *s)
{
    size_t h = strlen(s->head);
    if (s->tail[strspn(s->tail, " ;")] != '\0' || strncmp(s->head, "INSERT INTO ", 12) != 0 ||
        h < 20 || strcmp(s->head + h - 8, " VALUES ") != 0)
        return 0;
    const char *p = s->tuple + 1;
    for (int i = 1; i <= s->nparams; i++) {
        p += strspn(p, " ");
        char *end;
        if (*p != '$' || strtol(p + 1, &end, 10) != i)
            return 0;
        p = end + strspn(end, " ");
        if (*p != (i < s->nparams ? ',' : ')'))
            return 0;
        p++;
    }
    return *p == '\0';
}

static int flush_one(pg_db *db, pg_stmt *s)
{
    if (copyable(s)) {
        int ok = copy_rows(db, s) == 0;
        if (ok)
            note_growth(db, s->head, s->qrows);
        drop_queue(s);
        return ok ? 0 : -1;
    }
    sk_buf sql = {0};
    sk_buf_adds(&sql, s->head);
    for (int r = 0; r < s->qrows; r++) {
        if (r)
            sk_buf_addc(&sql, ',');
        for (const char *p = s->tuple; *p; p++) {
            if (*p == '$') {
                int n = (int)strtol(p + 1, (char **)&p, 10);
                sk_buf_printf(&sql, "$%d", r * s->nparams + n);
                p--;
            } else {
                sk_buf_addc(&sql, *p);
            }
        }
    }
    sk_buf_adds(&sql, s->tail);
    if (settle(db)) {
        sk_buf_free(&sql);
        drop_queue(s);
        return -1;
    }
    int n = s->qrows * s->nparams;
    PGresult *r = PQexecParams(db->conn, sql.data, n, s->qtypes, (const char *const *)s->qvals,
                               NULL, NULL, 0);
    int ok = r && PQresultStatus(r) == PGRES_COMMAND_OK;
    if (!ok)
        result_err(db, r);
    PQclear(r);
    sk_buf_free(&sql);
    if (ok)
        note_growth(db, s->head, s->qrows);
    drop_queue(s);
    return ok ? 0 : -1;
}

/* Send every queued row, in order; on an error the rest are dropped (the
 * transaction has failed).  The last COPY may still be in flight. */
static int send_queued(pg_db *db)
{
    while (db->nqueued)
        if (flush_one(db, db->queued[0])) {
            drop_all(db);
            return -1;
        }
    return 0;
}

/* Send every queued row and wait until the server has them. */
static int flush(pg_db *db)
{
    return send_queued(db) ? -1 : settle(db);
}

static int is_queued(const pg_db *db, const pg_stmt *s)
{
    for (int i = 0; i < db->nqueued; i++)
        if (db->queued[i] == s)
            return 1;
    return 0;
}

/* Split a batch statement "INSERT … VALUES (tuple) tail" into its parts. */
static int split_batch(pg_stmt *s)
{
    const char *v = strstr(s->sql, " VALUES ");
    const char *open = v ? strchr(v, '(') : NULL;
    if (!open)
        return -1;
    int depth = 0;
    const char *close = open;
    for (; *close; close++) {
        if (*close == '\'')
            for (close++; *close && *close != '\''; close++)
                ;
        depth += *close == '(' ? 1 : *close == ')' ? -1 : 0;
        if (!depth)
            break;
    }
    if (!*close)
        return -1;
    s->head = sk_xstrndup(s->sql, (size_t)(open - s->sql));
    s->tuple = sk_xstrndup(open, (size_t)(close - open + 1));
    s->tail = sk_xstrdup(close + 1);
    int rows = BATCH_PARAMS / (s->nparams ? s->nparams : 1);
    if (rows > BATCH_ROWS)
        rows = BATCH_ROWS;
    s->qvals = sk_xcalloc((size_t)rows * (size_t)s->nparams + 1, sizeof *s->qvals);
    s->qtypes = sk_xcalloc((size_t)rows * (size_t)s->nparams + 1, sizeof *s->qtypes);
    return 0;
}

static int batch_capacity(const pg_stmt *s)
{
    int rows = BATCH_PARAMS / (s->nparams ? s->nparams : 1);
    return rows > BATCH_ROWS ? BATCH_ROWS : rows;
}

static int queue_row(pg_stmt *s)
{
    pg_db *db = s->db;
    if (s->qrows == batch_capacity(s) && send_queued(db))
        return SK_DB_ERROR;
    if (!is_queued(db, s)) {
        if (db->nqueued == MAX_QUEUED && send_queued(db))
            return SK_DB_ERROR;
        db->queued[db->nqueued++] = s;
    }
    for (int i = 0; i < s->nparams; i++) {
        int k = s->qrows * s->nparams + i;
        s->qvals[k] = s->vals[i] ? sk_xstrdup(s->vals[i]) : NULL;
        s->qtypes[k] = s->types[i];
    }
    s->qrows++;
    db->changes = 1;
    return SK_DB_DONE;
}

/* ---- connection ---------------------------------------------------------- */

static int pg_prepare(sk_db *d, const char *sql, int flags, sk_stmt **out)
{
    pg_db *db = (pg_db *)d;
    pg_stmt *s = sk_xcalloc(1, sizeof *s);
    s->base.ops = &pg_ops;
    s->db = db;
    s->sql = sk_pg_sql(sql, &s->nparams, &s->writes);
    s->vals = sk_xcalloc((size_t)s->nparams + 1, sizeof *s->vals);
    s->types = sk_xcalloc((size_t)s->nparams + 1, sizeof *s->types);
    s->large = (flags & SK_DB_LARGE) && !s->writes;
    if ((flags & SK_DB_BATCH) && s->nparams) {
        s->batch = 1;
        if (split_batch(s)) {
            set_err(db, SK_DB_EOTHER, "not an INSERT ... VALUES (...) statement: %s%s", sql, "");
            s->base.ops->finalize(&s->base);
            return SK_DB_ERROR;
        }
    }
    *out = &s->base;
    return SK_DB_OK;
}

static int pg_exec(sk_db *d, const char *sql)
{
    pg_db *db = (pg_db *)d;
    if (strcmp(sql, "ROLLBACK") == 0) {
        db->batch_failed = 0;
        drop_all(db);
        settle(db); /* whatever its rows did, they are rolled back */
        return run(db, sql) ? SK_DB_ERROR : SK_DB_OK;
    }
    int commit = strcmp(sql, "COMMIT") == 0;
    if (flush(db)) {
        /* The rows this COMMIT was to send did not go in: the transaction
         * has failed, and ends here, as PostgreSQL ends a failed one at
         * COMMIT. */
        if (commit && in_txn(db))
            rollback_keeping_error(db);
        return SK_DB_ERROR;
    }
    /* PostgreSQL answers COMMIT of a failed transaction by rolling it
     * back without an error: say it failed. */
    if (commit && PQtransactionStatus(db->conn) == PQTRANS_INERROR) {
        if (!db->batch_failed || !db->err)
            set_err(db, SK_DB_EOTHER, "%s%s",
                    "the transaction failed before COMMIT and was rolled back", "");
        db->batch_failed = 0;
        run(db, "ROLLBACK");
        return SK_DB_ERROR;
    }
    if (strcmp(sql, "BEGIN IMMEDIATE") == 0)
        return begin_writing(db) ? SK_DB_ERROR : SK_DB_OK;
    int n, writes;
    char *text = sk_pg_sql(sql, &n, &writes);
    /* What PostgreSQL has no use for (a PRAGMA) is not sent at all. */
    int rc = text[strspn(text, " \t\n;")] ? run(db, text) : 0;
    free(text);
    return rc ? SK_DB_ERROR : SK_DB_OK;
}

static const char *pg_errmsg(sk_db *d)
{
    pg_db *db = (pg_db *)d;
    return db->err ? db->err : "not an error";
}

static int pg_errkind(sk_db *d)
{
    return ((pg_db *)d)->errkind;
}

static sk_int64 pg_changes(sk_db *d)
{
    return ((pg_db *)d)->changes;
}

static sk_int64 pg_last_insert_id(sk_db *d)
{
    pg_db *db = (pg_db *)d;
    if (flush(db))
        return 0;
    PGresult *r = PQexec(db->conn, "SELECT lastval()");
    sk_int64 v = r && PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1
                     ? strtoll(PQgetvalue(r, 0, 0), NULL, 10)
                     : 0;
    PQclear(r);
    return v;
}

static int pg_in_transaction(sk_db *d)
{
    return in_txn((pg_db *)d);
}

static void pg_close(sk_db *d)
{
    pg_db *db = (pg_db *)d;
    drop_all(db);
    PQfinish(db->conn);
    free(db->err);
    free(db->where);
    free(db);
}

/* ---- statements ---------------------------------------------------------- */

static int bind(pg_stmt *s, int i, char *v, Oid type)
{
    if (i < 1 || i > s->nparams) {
        free(v);
        return SK_DB_ERROR;
    }
    free(s->vals[i - 1]);
    s->vals[i - 1] = v;
    s->types[i - 1] = type;
    return SK_DB_OK;
}

static int pg_bind_text(sk_stmt *st, int i, const char *v, int n, int lifetime)
{
    (void)lifetime; /* always copied: the statement may run after the caller's text is gone */
    return bind((pg_stmt *)st, i, n < 0 ? sk_xstrdup(v) : sk_xstrndup(v, (size_t)n), 0);
}

static int pg_bind_int64(sk_stmt *st, int i, sk_int64 v)
{
    return bind((pg_stmt *)st, i, sk_asprintf("%lld", v), INT8OID);
}

static int pg_bind_double(sk_stmt *st, int i, double v)
{
    char *t = v != v                  ? sk_xstrdup("NaN")
              : v > 0 && v * 0.5 == v ? sk_xstrdup("Infinity")
              : v < 0 && v * 0.5 == v ? sk_xstrdup("-Infinity")
                                      : sk_asprintf("%.17g", v);
    return bind((pg_stmt *)st, i, t, FLOAT8OID);
}

static int pg_bind_null(sk_stmt *st, int i)
{
    return bind((pg_stmt *)st, i, NULL, 0);
}

static int pg_clear_bindings(sk_stmt *st)
{
    pg_stmt *s = (pg_stmt *)st;
    for (int i = 0; i < s->nparams; i++) {
        free(s->vals[i]);
        s->vals[i] = NULL;
        s->types[i] = 0;
    }
    return SK_DB_OK;
}

/* The next FETCH_ROWS rows of a LARGE query's cursor. */
static int fetch(pg_stmt *s)
{
    char sql[64];
    snprintf(sql, sizeof sql, "FETCH FORWARD %d FROM sk_cursor_%u", FETCH_ROWS, s->cursor);
    PQclear(s->res);
    s->res = NULL;
    s->rows = s->row = 0;
    PGresult *r = PQexec(s->db->conn, sql);
    if (!r || PQresultStatus(r) != PGRES_TUPLES_OK) {
        result_err(s->db, r);
        PQclear(r);
        return -1;
    }
    s->res = r;
    s->rows = PQntuples(r);
    s->more = s->rows == FETCH_ROWS;
    return 0;
}

/* CLOSE fails for a cursor that is gone, and would fail the transaction
 * it is sent in: one opened in a transaction that was since rolled back
 * is gone with it, so such a cursor is looked for first.  (In a failed
 * transaction nothing runs; the cursor ends with the connection.) */
static void close_cursor(pg_stmt *s)
{
    if (!s->cursor || settle(s->db))
        return;
    PGconn *c = s->db->conn;
    char name[32], sql[48];
    snprintf(name, sizeof name, "sk_cursor_%u", s->cursor);
    s->cursor = 0;
    if (s->cursor_in_txn) {
        const char *v[1] = {name};
        PGresult *r =
            PQexecParams(c, "SELECT 1 FROM pg_cursors WHERE name = $1", 1, NULL, v, NULL, NULL, 0);
        int there = r && PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1;
        PQclear(r);
        if (!there)
            return;
    }
    snprintf(sql, sizeof sql, "CLOSE %s", name);
    PQclear(PQexec(c, sql));
}

/* A LARGE query runs as a cursor, its rows fetched a piece at a time, so
 * the client holds one piece, not the whole result; WITH HOLD, so it
 * outlives the transaction it was opened in (outside one, the server
 * keeps its rows until CLOSE). */
static int open_cursor(pg_stmt *s)
{
    pg_db *db = s->db;
    unsigned n = ++db->cursors;
    char *sql = sk_asprintf("DECLARE sk_cursor_%u NO SCROLL CURSOR WITH HOLD FOR %s", n, s->sql);
    PGresult *r = PQexecParams(db->conn, sql, s->nparams, s->types, (const char *const *)s->vals,
                               NULL, NULL, 0);
    free(sql);
    int ok = r && PQresultStatus(r) == PGRES_COMMAND_OK;
    if (!ok)
        result_err(db, r);
    PQclear(r);
    if (!ok)
        return -1;
    s->cursor = n;
    s->cursor_in_txn = in_txn(db);
    if (fetch(s))
        return -1;
    s->executed = 1;
    return 0;
}

static int execute(pg_stmt *s)
{
    pg_db *db = s->db;
    if (flush(db))
        return -1;
    if (!s->writes)
        analyse_grown(db);
    if (s->large)
        return open_cursor(s);
    int own = s->writes && !in_txn(db);
    if (own && begin_writing(db)) {
        if (in_txn(db))
            run(db, "ROLLBACK");
        return -1;
    }
    PGresult *r = PQexecParams(db->conn, s->sql, s->nparams, s->types, (const char *const *)s->vals,
                               NULL, NULL, 0);
    ExecStatusType st = r ? PQresultStatus(r) : PGRES_FATAL_ERROR;
    if (st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK) {
        result_err(db, r);
        PQclear(r);
        if (own && in_txn(db))
            rollback_keeping_error(db);
        return -1;
    }
    if (own && run(db, "COMMIT")) {
        PQclear(r);
        return -1;
    }
    if (s->writes)
        db->changes = strtoll(PQcmdTuples(r), NULL, 10);
    s->res = r;
    s->rows = PQntuples(r);
    s->row = 0;
    s->executed = 1;
    return 0;
}

static int pg_step(sk_stmt *st)
{
    pg_stmt *s = (pg_stmt *)st;
    if (s->batch)
        return queue_row(s);
    if (!s->executed) {
        if (execute(s))
            return SK_DB_ERROR;
    } else if (s->row < s->rows) {
        s->row++;
        if (s->row == s->rows && s->more && (settle(s->db) || fetch(s)))
            return SK_DB_ERROR;
    }
    return s->row < s->rows ? SK_DB_ROW : SK_DB_DONE;
}

static int pg_reset(sk_stmt *st)
{
    pg_stmt *s = (pg_stmt *)st;
    close_cursor(s);
    PQclear(s->res);
    s->res = NULL;
    s->executed = s->more = 0;
    s->row = s->rows = 0;
    return SK_DB_OK;
}

static int pg_finalize(sk_stmt *st)
{
    pg_stmt *s = (pg_stmt *)st;
    /* Its rows were stepped, so they are sent; should that fail, the
     * transaction has failed and COMMIT says so (pg_exec). */
    if (is_queued(s->db, s) && flush(s->db))
        s->db->batch_failed = 1;
    pg_reset(st);
    pg_clear_bindings(st);
    free(s->vals);
    free(s->types);
    free(s->qvals);
    free(s->qtypes);
    free(s->head);
    free(s->tuple);
    free(s->tail);
    free(s->sql);
    free(s);
    return SK_DB_OK;
}

static int have(pg_stmt *s, int i)
{
    return s->res && s->row < s->rows && i >= 0 && i < PQnfields(s->res) &&
           !PQgetisnull(s->res, s->row, i);
}

static int pg_column_type(sk_stmt *st, int i)
{
    pg_stmt *s = (pg_stmt *)st;
    if (!have(s, i))
        return SK_DB_NULL;
    switch (PQftype(s->res, i)) {
    case INT8OID:
    case INT4OID:
    case INT2OID:
    case BOOLOID: return SK_DB_INTEGER;
    case FLOAT4OID:
    case FLOAT8OID: return SK_DB_FLOAT;
    case NUMERICOID: /* sum() of integers is numeric */
        return strchr(PQgetvalue(s->res, s->row, i), '.') ? SK_DB_FLOAT : SK_DB_INTEGER;
    default: return SK_DB_TEXT;
    }
}

static const char *pg_column_text(sk_stmt *st, int i)
{
    pg_stmt *s = (pg_stmt *)st;
    if (!have(s, i))
        return NULL;
    const char *v = PQgetvalue(s->res, s->row, i);
    if (PQftype(s->res, i) == BOOLOID) /* as SQLite writes a truth value */
        return *v == 't' ? "1" : "0";
    return v;
}

static int pg_column_bytes(sk_stmt *st, int i)
{
    const char *v = pg_column_text(st, i);
    return v ? (int)strlen(v) : 0;
}

static double pg_column_double(sk_stmt *st, int i)
{
    const char *v = pg_column_text(st, i);
    return v ? strtod(v, NULL) : 0.0;
}

static sk_int64 pg_column_int64(sk_stmt *st, int i)
{
    const char *v = pg_column_text(st, i);
    if (!v)
        return 0;
    if (strpbrk(v, ".eE"))
        return (sk_int64)strtod(v, NULL);
    return strtoll(v, NULL, 10);
}

static const sk_db_ops pg_ops = {
    SK_DIALECT_POSTGRES,
    pg_prepare,
    pg_exec,
    pg_errmsg,
    pg_errkind,
    pg_changes,
    pg_last_insert_id,
    pg_in_transaction,
    pg_close,
    pg_bind_text,
    pg_bind_int64,
    pg_bind_double,
    pg_bind_null,
    pg_clear_bindings,
    pg_step,
    pg_reset,
    pg_finalize,
    pg_column_type,
    pg_column_text,
    pg_column_bytes,
    pg_column_int64,
    pg_column_double,
};

static void quiet(void *arg, const char *message)
{
    (void)arg;
    (void)message; /* NOTICEs ("already exists, skipping") are not for users */
}

int sk_db_open_postgres(sk_db **out, const char *conninfo, const char *schema, char **why)
{
    *out = NULL;
    *why = NULL;
    const char *load = sk_libpq_load();
    if (load) {
        *why = sk_xstrdup(load);
        return SK_DB_ERROR;
    }
    pg_db *db = sk_xcalloc(1, sizeof *db);
    db->base.ops = &pg_ops;
    db->conn = PQconnectdb(conninfo);
    if (!db->conn || PQstatus(db->conn) != CONNECTION_OK) {
        const char *m = db->conn ? PQerrorMessage(db->conn) : "out of memory";
        *why = sk_asprintf("cannot connect to PostgreSQL: %s; check that the server runs and "
                           "that the URL's host, port, database and user are right (the "
                           "password comes from PGPASSWORD or ~/.pgpass)",
                           m);
        for (size_t n = strlen(*why); n && strchr("\n ", (*why)[n - 1]); n--)
            (*why)[n - 1] = '\0';
        for (char *p = *why; *p; p++)
            if (*p == '\n')
                *p = ' ';
        PQfinish(db->conn);
        free(db);
        return SK_DB_ERROR;
    }
    PQsetNoticeProcessor(db->conn, quiet, NULL);
    const char *host = PQhost(db->conn);
    db->where = sk_asprintf("%s:%s/%s", host && *host ? host : "localhost", PQport(db->conn),
                            PQdb(db->conn));
    const char *space = schema ? schema : "public";
    char key[80];
    snprintf(key, sizeof key, "scorekit writers %s", space);
    db->lock = (long long)sk_fnv64(SK_FNV64_INIT, key, strlen(key));
    int rc = run(db, "SET client_min_messages = warning");
    if (!rc && schema) {
        /* Two first opens at once would both try to create it. */
        char *sql = sk_asprintf("BEGIN; SELECT pg_advisory_xact_lock(%lld); "
                                "CREATE SCHEMA IF NOT EXISTS %s; COMMIT; SET search_path = %s",
                                db->lock, schema, schema);
        rc = run(db, sql);
        free(sql);
    }
    if (rc) {
        *why = sk_asprintf("%s (while choosing the schema)", db->err);
        pg_close(&db->base);
        return SK_DB_ERROR;
    }
    *out = &db->base;
    return SK_DB_OK;
}
