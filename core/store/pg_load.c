/*
 * libpq, loaded when a PostgreSQL store is first opened: like SQLite
 * (sqlite_load.c), the functions db_pg.c calls are defined here and forward
 * to the library, so a project on SQLite never maps it.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "base/libload.h"
#include "config.h"

#ifndef SK_PQ_SONAME
#define SK_PQ_SONAME "libpq.so.5"
#endif

const char *sk_libpq_load(void);

#define SK_PQ_FUNCTIONS(X)                                                                         \
    X(PGconn *, PQconnectdb, (const char *conninfo), (conninfo))                                   \
    X(ConnStatusType, PQstatus, (const PGconn *c), (c))                                            \
    X(char *, PQerrorMessage, (const PGconn *c), (c))                                              \
    X(void, PQfinish, (PGconn * c), (c))                                                           \
    X(PGresult *, PQexec, (PGconn * c, const char *q), (c, q))                                     \
    X(PGresult *, PQexecParams,                                                                    \
      (PGconn * c, const char *q, int n, const Oid *types, const char *const *values,              \
       const int *lengths, const int *formats, int result_format),                                 \
      (c, q, n, types, values, lengths, formats, result_format))                                   \
    X(ExecStatusType, PQresultStatus, (const PGresult *r), (r))                                    \
    X(char *, PQresultErrorField, (const PGresult *r, int code), (r, code))                        \
    X(char *, PQresultErrorMessage, (const PGresult *r), (r))                                      \
    X(void, PQclear, (PGresult * r), (r))                                                          \
    X(int, PQntuples, (const PGresult *r), (r))                                                    \
    X(int, PQnfields, (const PGresult *r), (r))                                                    \
    X(char *, PQgetvalue, (const PGresult *r, int row, int col), (r, row, col))                    \
    X(int, PQgetisnull, (const PGresult *r, int row, int col), (r, row, col))                      \
    X(Oid, PQftype, (const PGresult *r, int col), (r, col))                                        \
    X(char *, PQcmdTuples, (PGresult * r), (r))                                                    \
    X(PGTransactionStatusType, PQtransactionStatus, (const PGconn *c), (c))                        \
    X(PQnoticeProcessor, PQsetNoticeProcessor, (PGconn * c, PQnoticeProcessor f, void *arg),       \
      (c, f, arg))                                                                                 \
    X(char *, PQhost, (const PGconn *c), (c))                                                      \
    X(char *, PQport, (const PGconn *c), (c))                                                      \
    X(char *, PQdb, (const PGconn *c), (c))                                                        \
    X(int, PQputCopyData, (PGconn * c, const char *buf, int n), (c, buf, n))                       \
    X(int, PQputCopyEnd, (PGconn * c, const char *msg), (c, msg))                                  \
    X(PGresult *, PQgetResult, (PGconn * c), (c))

#define FIELD(ret, name, params, args) ret(*name) params;
static struct {
    SK_PQ_FUNCTIONS(FIELD)
} api;
#undef FIELD

static pthread_once_t once = PTHREAD_ONCE_INIT;
static char load_error[512];

static const sk_lib libpq = {"libpq", "SCOREKIT_LIBPQ", SK_PQ_SONAME, "libpq5", "libpq 13"};

static void load(void)
{
    void *lib = sk_lib_open(&libpq, load_error, sizeof load_error);
#define RESOLVE(ret, name, params, args)                                                           \
    if (!lib || sk_lib_resolve(&libpq, lib, #name, &api.name, sizeof api.name, load_error,         \
                               sizeof load_error))                                                 \
        return;
    SK_PQ_FUNCTIONS(RESOLVE)
#undef RESOLVE
}

const char *sk_libpq_load(void)
{
    pthread_once(&once, load);
    return load_error[0] ? load_error : NULL;
}

/* Only sk_libpq_load's success lets a connection be made. */
#define FORWARD(ret, name, params, args)                                                           \
    ret name params                                                                                \
    {                                                                                              \
        return api.name args;                                                                      \
    }
SK_PQ_FUNCTIONS(FORWARD)
#undef FORWARD
