/*
 * SQLite, loaded when the store first needs it.
 *
 * libsqlite3 is built with BIND_NOW and calls its own API through its PLT,
 * so linking it made every process resolve ~1,600 symbols at start-up:
 * three quarters of the instructions `scorekit version` ran, and paid again
 * by every `score` that opens no store.  So the core does not link it: the
 * SQLite functions it calls are defined here (hidden, so no other library
 * sees them) and forward to libsqlite3, dlopen'd on the first call.  The
 * store's code calls sqlite3_* as ever.  A function the core starts to use
 * goes in the list below, or the link fails naming it.
 *
 * A program that links libsqlite3 itself (some unit tests do) gets the same
 * library from dlopen, so both sides share one SQLite.
 */
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "base/libload.h"
#include "config.h"

#ifndef SK_SQLITE_SONAME
#define SK_SQLITE_SONAME "libsqlite3.so.0"
#endif

/* X(return type, name, parameters, arguments): the functions forwarded.
 * sqlite3_config, variadic, is written out below. */
#define SK_SQLITE_FUNCTIONS(X)                                                                     \
    X(int, sqlite3_bind_double, (sqlite3_stmt * s, int i, double v), (s, i, v))                    \
    X(int, sqlite3_bind_int, (sqlite3_stmt * s, int i, int v), (s, i, v))                          \
    X(int, sqlite3_bind_int64, (sqlite3_stmt * s, int i, sqlite3_int64 v), (s, i, v))              \
    X(int, sqlite3_bind_null, (sqlite3_stmt * s, int i), (s, i))                                   \
    X(int, sqlite3_bind_text, (sqlite3_stmt * s, int i, const char *v, int n, void (*d)(void *)),  \
      (s, i, v, n, d))                                                                             \
    X(int, sqlite3_busy_timeout, (sqlite3 * db, int ms), (db, ms))                                 \
    X(int, sqlite3_changes, (sqlite3 * db), (db))                                                  \
    X(int, sqlite3_clear_bindings, (sqlite3_stmt * s), (s))                                        \
    X(int, sqlite3_close_v2, (sqlite3 * db), (db))                                                 \
    X(int, sqlite3_column_bytes, (sqlite3_stmt * s, int i), (s, i))                                \
    X(double, sqlite3_column_double, (sqlite3_stmt * s, int i), (s, i))                            \
    X(int, sqlite3_column_int, (sqlite3_stmt * s, int i), (s, i))                                  \
    X(sqlite3_int64, sqlite3_column_int64, (sqlite3_stmt * s, int i), (s, i))                      \
    X(const unsigned char *, sqlite3_column_text, (sqlite3_stmt * s, int i), (s, i))               \
    X(int, sqlite3_column_type, (sqlite3_stmt * s, int i), (s, i))                                 \
    X(int, sqlite3_exec,                                                                           \
      (sqlite3 * db, const char *sql, int (*cb)(void *, int, char **, char **), void *ud,          \
       char **errmsg),                                                                             \
      (db, sql, cb, ud, errmsg))                                                                   \
    X(int, sqlite3_extended_errcode, (sqlite3 * db), (db))                                         \
    X(int, sqlite3_finalize, (sqlite3_stmt * s), (s))                                              \
    X(int, sqlite3_get_autocommit, (sqlite3 * db), (db))                                           \
    X(sqlite3_int64, sqlite3_last_insert_rowid, (sqlite3 * db), (db))                              \
    X(int, sqlite3_prepare_v2,                                                                     \
      (sqlite3 * db, const char *sql, int n, sqlite3_stmt **s, const char **tail),                 \
      (db, sql, n, s, tail))                                                                       \
    X(int, sqlite3_prepare_v3,                                                                     \
      (sqlite3 * db, const char *sql, int n, unsigned int flags, sqlite3_stmt **s,                 \
       const char **tail),                                                                         \
      (db, sql, n, flags, s, tail))                                                                \
    X(int, sqlite3_reset, (sqlite3_stmt * s), (s))                                                 \
    X(int, sqlite3_step, (sqlite3_stmt * s), (s))                                                  \
    X(int, sqlite3_system_errno, (sqlite3 * db), (db))

#define FIELD(ret, name, params, args) ret(*name) params;
static struct {
    SK_SQLITE_FUNCTIONS(FIELD)
    int (*sqlite3_config)(int, ...);
    int (*sqlite3_open_v2)(const char *, sqlite3 **, int, const char *);
    const char *(*sqlite3_errmsg)(sqlite3 *);
    void (*sqlite3_free)(void *);
} api;
#undef FIELD

static pthread_once_t once = PTHREAD_ONCE_INIT;
/* Empty when libsqlite3 loaded; else why not, for sqlite3_errmsg(NULL). */
static char load_error[512];

static const sk_lib sqlite = {"SQLite", "SCOREKIT_LIBSQLITE", SK_SQLITE_SONAME, "libsqlite3-0",
                              "SQLite 3.31"};

static void load(void)
{
    void *lib = sk_lib_open(&sqlite, load_error, sizeof load_error);
#define RESOLVE(ret, name, params, args)                                                           \
    if (!lib || sk_lib_resolve(&sqlite, lib, #name, &api.name, sizeof api.name, load_error,        \
                               sizeof load_error))                                                 \
        return;
    SK_SQLITE_FUNCTIONS(RESOLVE)
    RESOLVE(, sqlite3_config, , )
    RESOLVE(, sqlite3_open_v2, , )
    RESOLVE(, sqlite3_errmsg, , )
    RESOLVE(, sqlite3_free, , )
#undef RESOLVE
}

/* 1 when SQLite can be called. */
static int loaded(void)
{
    pthread_once(&once, load);
    return load_error[0] == '\0';
}

/* A handle comes only from sqlite3_open_v2, after a load that worked, but
 * a program linking SQLite itself may pass its own handles here first. */
#define FORWARD(ret, name, params, args)                                                           \
    ret name params                                                                                \
    {                                                                                              \
        loaded();                                                                                  \
        return api.name args;                                                                      \
    }
SK_SQLITE_FUNCTIONS(FORWARD)
#undef FORWARD

int sqlite3_open_v2(const char *path, sqlite3 **db, int flags, const char *vfs)
{
    *db = NULL;
    if (!loaded())
        return SQLITE_CANTOPEN;
    return api.sqlite3_open_v2(path, db, flags, vfs);
}

/* With no connection SQLite says "out of memory"; when SQLite itself could
 * not be loaded, that is the reason a connection is missing. */
const char *sqlite3_errmsg(sqlite3 *db)
{
    if (!loaded())
        return load_error;
    return api.sqlite3_errmsg(db);
}

void sqlite3_free(void *p)
{
    if (p && loaded())
        api.sqlite3_free(p);
}

/* Only the options taking one int are forwarded (the core sets
 * SQLITE_CONFIG_MEMSTATUS); the others cannot be passed on portably. */
int sqlite3_config(int op, ...)
{
    if (!loaded())
        return SQLITE_ERROR;
    switch (op) {
    case SQLITE_CONFIG_MEMSTATUS:
    case SQLITE_CONFIG_URI:
    case SQLITE_CONFIG_COVERING_INDEX_SCAN: {
        va_list ap;
        va_start(ap, op);
        int v = va_arg(ap, int);
        va_end(ap);
        return api.sqlite3_config(op, v);
    }
    default: return SQLITE_MISUSE;
    }
}
