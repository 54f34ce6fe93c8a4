/*
 * The statement API of db.h: each call goes to the backend the connection
 * or statement was made by.
 */
#include "store/db.h"

#include <stdlib.h>
#include <string.h>

#include "base/text/utf8.h"
#include "base/util.h"

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

/* PostgreSQL refuses text that is not UTF-8 (a whole batch of a run with
 * it), which SQLite would store as it is: a task's stderr or a scorer's
 * message can hold any bytes.  Both backends store the same text: each
 * byte that is not part of a valid sequence becomes U+FFFD, as the JSON
 * writer and the text scorers read it. */
int sk_db_bind_text(sk_stmt *s, int i, const char *v, int n, int lifetime)
{
    size_t len = !v ? 0 : n < 0 ? strlen(v) : (size_t)n;
    if (!v || sk_utf8_is_ascii(v, len) || sk_utf8_is_valid(v, len))
        return s->ops->bind_text(s, i, v, n, lifetime);
    char *fixed = sk_xmalloc(3 * len + 1);
    size_t m = sk_utf8_repair(v, len, fixed);
    fixed[m] = '\0';
    int rc = s->ops->bind_text(s, i, fixed, (int)m, SK_DB_TRANSIENT);
    free(fixed);
    return rc;
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
