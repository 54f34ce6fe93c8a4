/*
 * The store tests' fixture (see store_fixture.h).  Each test gets its own
 * mkdtemp folder, so parallel runs never share a database.
 */
#define _XOPEN_SOURCE 700
#include "store_fixture.h"

#include <check.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/error.h"
#include "base/util.h"
#include "store/dataset.h"
#include "store/experiment.h"

char *sk_store_fx_dir;

void sk_store_fx_setup(void)
{
    sk_store_fx_dir = sk_xstrdup("/tmp/sk_store_XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(sk_store_fx_dir));
}

static int remove_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    return remove(path);
}

void sk_store_fx_teardown(void)
{
    if (!sk_store_fx_dir)
        return;
    nftw(sk_store_fx_dir, remove_one, 16, FTW_DEPTH | FTW_PHYS);
    free(sk_store_fx_dir);
    sk_store_fx_dir = NULL;
}

char *sk_store_fx_write_n(const char *name, const char *data, size_t n)
{
    char *path = sk_asprintf("%s/%s", sk_store_fx_dir, name);
    FILE *f = fopen(path, "wb");
    ck_assert_ptr_nonnull(f);
    ck_assert_uint_eq(fwrite(data, 1, n, f), n);
    ck_assert_int_eq(fclose(f), 0);
    return path;
}

char *sk_store_fx_write(const char *name, const char *text)
{
    return sk_store_fx_write_n(name, text, strlen(text));
}

sk_store *sk_store_fx_open(void)
{
    sk_store *st = NULL;
    char *err = NULL;
    int rc = sk_store_open(&st, sk_store_fx_dir, &err);
    ck_assert_msg(rc == 0, "sk_store_open: %s", err ? err : "?");
    ck_assert_ptr_null(err);
    return st;
}

static sk_stmt *query(sk_store *st, const char *sql)
{
    sk_stmt *s = NULL;
    int rc = sk_db_prepare(sk_store_db(st), sql, 0, &s);
    ck_assert_msg(rc == SK_DB_OK, "%s: %s", sql, sk_db_errmsg(sk_store_db(st)));
    rc = sk_db_step(s);
    ck_assert_msg(rc == SK_DB_ROW || rc == SK_DB_DONE, "%s: %s", sql,
                  sk_db_errmsg(sk_store_db(st)));
    return s;
}

long long sk_store_fx_int(sk_store *st, const char *sql)
{
    sk_stmt *s = query(st, sql);
    long long v = sk_db_column_int64(s, 0);
    sk_db_finalize(s);
    return v;
}

char *sk_store_fx_text(sk_store *st, const char *sql)
{
    sk_stmt *s = query(st, sql);
    const char *t = sk_db_column_text(s, 0);
    char *v = t ? sk_xstrdup(t) : NULL;
    sk_db_finalize(s);
    return v;
}

void sk_store_fx_has(const char *text, const char *want)
{
    ck_assert_msg(text && strstr(text, want), "\"%s\" lacks \"%s\"", text ? text : "(null)", want);
}

void sk_store_fx_experiment(sk_store *st, const char *id)
{
    static const sk_experiment_scorer scorers[] = {{.name = "A", .weight = 1}};
    char *path = sk_store_fx_write("rows.jsonl", "{\"id\": \"r1\", \"input\": \"a\"}\n");
    sk_dataset_version dv;
    char *err = NULL;
    ck_assert_int_eq(sk_dataset_import(st, "d", path, SK_DATASET_JSONL, &dv, &err), SK_OK);
    sk_experiment e = {0};
    char *copy = sk_xstrdup(id);
    e.id = copy;
    e.name = "t";
    e.created_at = "2024-01-01T00:00:00Z";
    e.scorekit_version = "test";
    e.dataset_version_id = dv.id;
    e.dataset_ref = "d@1";
    e.trials = 1;
    e.pack_hash = "0";
    e.config_json = "{}";
    ck_assert_int_eq(sk_experiment_create(st, &e, scorers, 1, &err), SK_OK);
    sk_dataset_version_clear(&dv);
    free(copy);
    free(path);
}
