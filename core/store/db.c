/*
 * The statement API of db.h: each call goes to the backend the connection
 * or statement was made by.
 */
#include "store/db.h"

int sk_db_prepare(sk_db *db, const char *sql, int flags, sk_stmt **out)
{
    *out = NULL;
    return db->ops->prepare(db, sql, flags, out);
}

int sk_db_exec(sk_db *db, const char *sql)
{
    return db->ops->exec(db, sql);
}

const char *sk_db_errmsg(sk_db *db)
{
    return db->ops->errmsg(db);
}

int sk_db_errkind(sk_db *db)
{
    return db->ops->errkind(db);
}

sk_int64 sk_db_changes(sk_db *db)
{
    return db->ops->changes(db);
}

sk_int64 sk_db_last_insert_id(sk_db *db)
{
    return db->ops->last_insert_id(db);
}

int sk_db_in_transaction(sk_db *db)
{
    return db->ops->in_transaction(db);
}

void sk_db_close(sk_db *db)
{
    if (db)
        db->ops->close(db);
}

int sk_db_bind_text(sk_stmt *s, int i, const char *v, int n, int lifetime)
{
    return s->ops->bind_text(s, i, v, n, lifetime);
}

int sk_db_bind_int64(sk_stmt *s, int i, sk_int64 v)
{
    return s->ops->bind_int64(s, i, v);
}

int sk_db_bind_int(sk_stmt *s, int i, int v)
{
    return s->ops->bind_int64(s, i, v);
}

int sk_db_bind_double(sk_stmt *s, int i, double v)
{
    return s->ops->bind_double(s, i, v);
}

int sk_db_bind_null(sk_stmt *s, int i)
{
    return s->ops->bind_null(s, i);
}

int sk_db_clear_bindings(sk_stmt *s)
{
    return s->ops->clear_bindings(s);
}

int sk_db_step(sk_stmt *s)
{
    return s->ops->step(s);
}

int sk_db_reset(sk_stmt *s)
{
    return s->ops->reset(s);
}

int sk_db_finalize(sk_stmt *s)
{
    return s ? s->ops->finalize(s) : SK_DB_OK;
}

int sk_db_column_type(sk_stmt *s, int i)
{
    return s->ops->column_type(s, i);
}

const char *sk_db_column_text(sk_stmt *s, int i)
{
    return s->ops->column_text(s, i);
}

int sk_db_column_bytes(sk_stmt *s, int i)
{
    return s->ops->column_bytes(s, i);
}

sk_int64 sk_db_column_int64(sk_stmt *s, int i)
{
    return s->ops->column_int64(s, i);
}

int sk_db_column_int(sk_stmt *s, int i)
{
    return (int)s->ops->column_int64(s, i);
}

double sk_db_column_double(sk_stmt *s, int i)
{
    return s->ops->column_double(s, i);
}
