/*
 * Tests for the project store (store.c) on real database files: what a
 * fresh open creates, that reopening changes nothing, that a database from
 * a newer scorekit is refused, that migrations run in order and each one
 * all or nothing, and the transaction and statement helpers' messages.
 */
#include <check.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/error.h"
#include "run_suite.h"
#include "store/store.h"
#include "store_fixture.h"
#include "base/util.h"

static char *db_path(void)
{
    return sk_asprintf("%s/.scorekit/scorekit.db", sk_store_fx_dir);
}

/* A database made by hand, outside the store code. */
static void make_db(const char *sql)
{
    char *dir = sk_asprintf("%s/.scorekit", sk_store_fx_dir);
    ck_assert_int_eq(mkdir(dir, 0777), 0);
    char *path = db_path();
    sqlite3 *db;
    ck_assert_int_eq(sqlite3_open(path, &db), SQLITE_OK);
    ck_assert_int_eq(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
    free(path);
    free(dir);
}

static int table_exists(sk_store *st, const char *name)
{
    char *sql = sk_asprintf("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND "
                            "name = '%s'",
                            name);
    int n = (int)sk_store_fx_int(st, sql);
    free(sql);
    return n;
}

/* ---- opening -------------------------------------------------------------- */

START_TEST(fresh_open_creates_wal_db_at_version_1)
{
    sk_store *st = sk_store_fx_open();
    char *path = db_path();
    struct stat sb;
    ck_assert_int_eq(stat(path, &sb), 0);
    ck_assert_str_eq(sk_store_path(st), path);

    char *mode = sk_store_fx_text(st, "PRAGMA journal_mode");
    ck_assert_str_eq(mode, "wal");
    free(mode);
    ck_assert_int_eq(sk_store_fx_int(st, "PRAGMA foreign_keys"), 1);
    ck_assert_int_eq(sk_store_fx_int(st, "PRAGMA synchronous"), 1); /* NORMAL */

    /* A new database comes up at the newest schema, every migration recorded. */
    int v = -1;
    ck_assert_int_eq(sk_store_schema_version(st, &v, NULL), 0);
    size_t n;
    sk_store_migrations(&n);
    ck_assert_int_eq(v, (int)n);
    ck_assert_int_eq(sk_store_fx_int(st, "SELECT count(*) FROM schema_version"), (int)n);
    char *name = sk_store_fx_text(st, "SELECT name FROM schema_version WHERE version = 1");
    ck_assert_str_eq(name, "datasets");
    free(name);
    name = sk_store_fx_text(st, "SELECT name FROM schema_version WHERE version = 2");
    ck_assert_str_eq(name, "experiments");
    free(name);
    ck_assert_int_eq(table_exists(st, "experiments"), 1);
    ck_assert_int_eq(table_exists(st, "cells"), 1);
    ck_assert_int_eq(table_exists(st, "scores"), 1);
    ck_assert_int_eq(table_exists(st, "datasets"), 1);
    ck_assert_int_eq(table_exists(st, "dataset_versions"), 1);
    ck_assert_int_eq(table_exists(st, "dataset_rows"), 1);
    sk_store_close(st);
    free(path);
}
END_TEST

START_TEST(reopening_is_idempotent)
{
    sk_store *st = sk_store_fx_open();
    char *err = NULL;
    ck_assert_int_eq(
        sk_store_exec(st, "INSERT INTO datasets (name) VALUES ('kept')", "adding", &err), 0);
    sk_store_close(st);
    size_t n;
    sk_store_migrations(&n);
    for (int i = 0; i < 2; i++) {
        st = sk_store_fx_open();
        ck_assert_int_eq(sk_store_fx_int(st, "SELECT count(*) FROM schema_version"), (int)n);
        ck_assert_int_eq(sk_store_fx_int(st, "SELECT max(version) FROM schema_version"), (int)n);
        char *name = sk_store_fx_text(st, "SELECT name FROM datasets");
        ck_assert_str_eq(name, "kept");
        free(name);
        sk_store_close(st);
    }
}
END_TEST

START_TEST(newer_database_is_refused)
{
    make_db("CREATE TABLE schema_version (version INTEGER PRIMARY KEY, name TEXT NOT NULL, "
            "applied_at TEXT NOT NULL DEFAULT '');"
            "INSERT INTO schema_version (version, name) VALUES (99, 'future')");
    sk_store *st = (sk_store *)1;
    char *err = NULL;
    ck_assert_int_eq(sk_store_open(&st, sk_store_fx_dir, &err), SK_EINVAL);
    ck_assert_ptr_null(st);
    char *path = db_path();
    size_t n;
    sk_store_migrations(&n);
    char *want = sk_asprintf("%s: this database has schema version 99, this scorekit knows up "
                             "to %zu; upgrade scorekit",
                             path, n);
    ck_assert_str_eq(err, want);
    free(want);
    free(err);

    /* Nothing of ours was added to it. */
    sk_migration none[1];
    err = NULL;
    ck_assert_int_eq(sk_store_open_with(&st, path, none, 0, &err), SK_EINVAL);
    sk_store_fx_has(err, "schema version 99, this scorekit knows up to 0");
    free(err);
    sqlite3 *db;
    ck_assert_int_eq(sqlite3_open(path, &db), SQLITE_OK);
    sqlite3_stmt *s;
    sqlite3_prepare_v2(db, "SELECT count(*) FROM sqlite_master WHERE name = 'datasets'", -1, &s,
                       NULL);
    ck_assert_int_eq(sqlite3_step(s), SQLITE_ROW);
    ck_assert_int_eq(sqlite3_column_int(s, 0), 0);
    sqlite3_finalize(s);
    sqlite3_close(db);
    free(path);
}
END_TEST

START_TEST(not_a_database)
{
    char *dir = sk_asprintf("%s/.scorekit", sk_store_fx_dir);
    ck_assert_int_eq(mkdir(dir, 0777), 0);
    free(sk_store_fx_write(".scorekit/scorekit.db",
                           "this is a text file, long enough to look like a header......"
                           "................................................................"));
    sk_store *st;
    char *err = NULL;
    ck_assert_int_eq(sk_store_open(&st, sk_store_fx_dir, &err), SK_EIO);
    sk_store_fx_has(err, "scorekit.db: ");
    sk_store_fx_has(err, "file is not a database");
    free(err);
    free(dir);
}
END_TEST

START_TEST(missing_folder_and_blocked_store_folder)
{
    sk_store *st;
    char *err = NULL;
    char *gone = sk_asprintf("%s/nope", sk_store_fx_dir);
    ck_assert_int_eq(sk_store_open(&st, gone, &err), SK_ENOTFOUND);
    char *want = sk_asprintf("%s: no such folder", gone);
    ck_assert_str_eq(err, want);
    free(want);
    free(err);
    free(gone);

    free(sk_store_fx_write(".scorekit", "a file where the folder goes"));
    err = NULL;
    ck_assert_int_eq(sk_store_open(&st, sk_store_fx_dir, &err), SK_EIO);
    sk_store_fx_has(err, ".scorekit: cannot create the store's folder: a file of that name is in "
                         "the way");
    free(err);
}
END_TEST

/* ---- migrations ----------------------------------------------------------- */

static const sk_migration three[] = {
    {1, "a", "CREATE TABLE a (x INTEGER); INSERT INTO a VALUES (1);", NULL},
    {2, "b", "CREATE TABLE b (y INTEGER); INSERT INTO b SELECT x + 1 FROM a;", NULL},
    {3, "c", "ALTER TABLE a ADD COLUMN z TEXT; UPDATE a SET z = (SELECT y FROM b);", NULL},
};

static sk_store *open_with(const sk_migration *m, size_t n, char **err)
{
    char *dir = sk_asprintf("%s/.scorekit", sk_store_fx_dir);
    mkdir(dir, 0777);
    free(dir);
    char *path = db_path();
    sk_store *st = NULL;
    sk_store_open_with(&st, path, m, n, err);
    free(path);
    return st;
}

START_TEST(migrations_run_in_order)
{
    char *err = NULL;
    sk_store *st = open_with(three, 2, &err);
    ck_assert_ptr_nonnull(st);
    ck_assert_int_eq(sk_store_fx_int(st, "SELECT max(version) FROM schema_version"), 2);
    ck_assert_int_eq(sk_store_fx_int(st, "SELECT y FROM b"), 2);
    sk_store_close(st);

    /* A newer scorekit adds migration 3: only it runs. */
    st = open_with(three, 3, &err);
    ck_assert_ptr_nonnull(st);
    ck_assert_ptr_null(err);
    ck_assert_int_eq(sk_store_fx_int(st, "SELECT count(*) FROM schema_version"), 3);
    ck_assert_int_eq(sk_store_fx_int(st, "SELECT count(*) FROM a"), 1); /* not run twice */
    char *z = sk_store_fx_text(st, "SELECT z FROM a");
    ck_assert_str_eq(z, "2");
    free(z);
    char *names = sk_store_fx_text(st, "SELECT group_concat(name, ',') FROM "
                                       "(SELECT name FROM schema_version ORDER BY version)");
    ck_assert_str_eq(names, "a,b,c");
    free(names);
    sk_store_close(st);

    /* The older scorekit now meets a database newer than it. */
    st = open_with(three, 2, &err);
    ck_assert_ptr_null(st);
    sk_store_fx_has(err, "this database has schema version 3, this scorekit knows up to 2; "
                         "upgrade scorekit");
    free(err);
}
END_TEST

START_TEST(failing_migration_leaves_nothing_partial)
{
    const sk_migration bad[] = {
        three[0],
        {2, "broken",
         "CREATE TABLE b (y INTEGER); INSERT INTO b VALUES (7); "
         "INSERT INTO nosuch VALUES (1);",
         NULL},
    };
    char *err = NULL;
    sk_store *st = open_with(bad, 2, &err);
    ck_assert_ptr_null(st);
    char *path = db_path();
    char *want = sk_asprintf("%s: no such table: nosuch (while running migration 2 (broken)); "
                             "the database is unchanged at schema version 1",
                             path);
    ck_assert_str_eq(err, want);
    free(want);
    free(path);
    free(err);
    err = NULL;

    /* Migration 1 stayed; nothing of migration 2 did. */
    st = open_with(three, 1, &err);
    ck_assert_ptr_nonnull(st);
    ck_assert_int_eq(sk_store_fx_int(st, "SELECT max(version) FROM schema_version"), 1);
    ck_assert_int_eq(table_exists(st, "a"), 1);
    ck_assert_int_eq(table_exists(st, "b"), 0);
    sk_store_close(st);
}
END_TEST

START_TEST(failing_first_migration_leaves_an_empty_database)
{
    const sk_migration bad[] = {{1, "oops", "CREATE TABLE a (x); CREATE TABLE a (x);", NULL}};
    char *err = NULL;
    ck_assert_ptr_null(open_with(bad, 1, &err));
    sk_store_fx_has(err, "table a already exists (while running migration 1 (oops)); the "
                         "database is unchanged at schema version 0");
    free(err);
    err = NULL;
    sk_store *st = open_with(bad, 0, &err);
    ck_assert_ptr_nonnull(st);
    ck_assert_int_eq(sk_store_fx_int(st, "SELECT count(*) FROM sqlite_master"), 0);
    int v = -1;
    ck_assert_int_eq(sk_store_schema_version(st, &v, NULL), 0);
    ck_assert_int_eq(v, 0);
    sk_store_close(st);
}
END_TEST

START_TEST(misnumbered_migrations_are_refused)
{
    const sk_migration bad[] = {three[0], three[2]};
    char *err = NULL;
    ck_assert_ptr_null(open_with(bad, 2, &err));
    sk_store_fx_has(err, "migration 2 (c) is numbered 3, not 2");
    free(err);
}
END_TEST

/* ---- helpers -------------------------------------------------------------- */

/* Migration 3 rebuilds cells and scores clustered on their keys: a
 * database written at version 2 keeps every cell and score, and deleting
 * an experiment still takes both with it. */
START_TEST(clustered_cells_keep_old_results)
{
    size_t n;
    const sk_migration *all = sk_store_migrations(&n);
    ck_assert_uint_ge(n, 3);
    make_db("SELECT 1");
    char *path = db_path();
    sk_store *st = NULL;
    char *err = NULL;
    ck_assert_int_eq(sk_store_open_with(&st, path, all, 2, &err), 0);
    ck_assert_int_eq(
        sk_store_exec(st,
                      "INSERT INTO datasets (name) VALUES ('d');"
                      "INSERT INTO dataset_versions (id, dataset_id, version, row_count) "
                      "VALUES (1, 1, 1, 2);"
                      "INSERT INTO experiments (id, name, created_at, status, scorekit_version, "
                      "dataset_version_id, dataset_ref, trials, pack_hash, config_json) VALUES "
                      "('e1', 'run', 'now', 'done', '0', 1, 'd@1', 1, 'h', '{}');"
                      "INSERT INTO cells VALUES ('e1', 'r1', 0, 0, '\"a\"', NULL, 1.5, 0.25, 0, "
                      "'now');"
                      "INSERT INTO cells VALUES ('e1', 'r2', 0, 1, NULL, 'boom', 2, NULL, NULL, "
                      "'now');"
                      "INSERT INTO scores VALUES ('e1', 'r1', 0, 'exact', 'score', 0.25, NULL, "
                      "'differs', '{\"k\": 1}');"
                      "INSERT INTO scores VALUES ('e1', 'r1', 0, 'regex', 'error', NULL, 'bad', "
                      "NULL, NULL);",
                      "writing a version 2 experiment", &err),
        0);
    sk_store_close(st);

    st = sk_store_fx_open();
    ck_assert_int_eq(sk_store_fx_int(st, "SELECT max(version) FROM schema_version"), (int)n);
    ck_assert_int_eq(sk_store_fx_int(st, "SELECT count(*) FROM cells"), 2);
    ck_assert_int_eq(sk_store_fx_int(st, "SELECT count(*) FROM scores"), 2);
    char *t = sk_store_fx_text(st, "SELECT output_json || '|' || latency_ms || '|' || overall || "
                                   "'|' || pass FROM cells WHERE row_id = 'r1'");
    ck_assert_str_eq(t, "\"a\"|1.5|0.25|0");
    free(t);
    t = sk_store_fx_text(st, "SELECT task_error FROM cells WHERE row_id = 'r2'");
    ck_assert_str_eq(t, "boom");
    free(t);
    t = sk_store_fx_text(st, "SELECT kind || '|' || score || '|' || rationale || '|' || meta_json "
                             "FROM scores WHERE scorer = 'exact'");
    ck_assert_str_eq(t, "score|0.25|differs|{\"k\": 1}");
    free(t);
    t = sk_store_fx_text(st, "SELECT kind || '|' || message FROM scores WHERE scorer = 'regex'");
    ck_assert_str_eq(t, "error|bad");
    free(t);
    ck_assert_int_eq(sk_store_fx_int(st, "SELECT count(*) FROM sqlite_master WHERE name = "
                                         "'cells' AND sql LIKE '%WITHOUT ROWID%'"),
                     1);

    ck_assert_int_eq(sk_store_exec(st, "DELETE FROM experiments WHERE id = 'e1'", "deleting", &err),
                     0);
    ck_assert_int_eq(sk_store_fx_int(st, "SELECT count(*) FROM cells"), 0);
    ck_assert_int_eq(sk_store_fx_int(st, "SELECT count(*) FROM scores"), 0);
    sk_store_close(st);
    free(path);
}
END_TEST

/* Migration 9 rebuilds scores with its kind checked by `=` and OR (an IN
 * list made SQLite build a temporary table per insert), and 10 adds the
 * stored summaries: a database written at version 8 keeps every score,
 * still refuses an unknown kind, and starts with no summary stored. */
START_TEST(scores_kind_check_rewritten_keeps_old_results)
{
    size_t n;
    const sk_migration *all = sk_store_migrations(&n);
    ck_assert_uint_ge(n, 10);
    make_db("SELECT 1");
    char *path = db_path();
    sk_store *st = NULL;
    char *err = NULL;
    ck_assert_int_eq(sk_store_open_with(&st, path, all, 8, &err), 0);
    ck_assert_int_eq(
        sk_store_exec(st,
                      "INSERT INTO datasets (name) VALUES ('d');"
                      "INSERT INTO dataset_versions (id, dataset_id, version, row_count) "
                      "VALUES (1, 1, 1, 2);"
                      "INSERT INTO experiments (id, name, created_at, status, scorekit_version, "
                      "dataset_version_id, dataset_ref, trials, pack_hash, config_json) VALUES "
                      "('e1', 'run', 'now', 'done', '0', 1, 'd@1', 1, 'h', '{}');"
                      "INSERT INTO experiment_scorers VALUES ('e1', 0, 'exact', 0.5, 1);"
                      "INSERT INTO cells (experiment_id, row_id, trial, pos, output_json, "
                      "latency_ms, overall, pass, completed_at) VALUES ('e1', 'r1', 0, 0, "
                      "'\"a\"', 1.5, 0.25, 0, 'now');"
                      "INSERT INTO scores VALUES ('e1', 'r1', 0, 'exact', 'score', 0.25, NULL, "
                      "'differs', '{\"k\": 1}');"
                      "INSERT INTO scores VALUES ('e1', 'r1', 0, 'regex', 'error', NULL, 'bad', "
                      "NULL, NULL);"
                      "INSERT INTO scores VALUES ('e1', 'r1', 0, 'skip', 'skipped', NULL, NULL, "
                      "NULL, NULL);",
                      "writing a version 8 experiment", &err),
        0);
    ck_assert_int_eq(sk_store_fx_int(st, "SELECT count(*) FROM sqlite_master WHERE name = "
                                         "'scores' AND sql LIKE '%kind IN (%'"),
                     1);
    sk_store_close(st);

    st = sk_store_fx_open();
    ck_assert_int_eq(sk_store_fx_int(st, "SELECT max(version) FROM schema_version"), (int)n);
    ck_assert_int_eq(sk_store_fx_int(st, "SELECT count(*) FROM sqlite_master WHERE name = "
                                         "'scores' AND sql LIKE '%kind IN (%'"),
                     0);
    ck_assert_int_eq(sk_store_fx_int(st, "SELECT count(*) FROM sqlite_master WHERE name = "
                                         "'scores' AND sql LIKE '%WITHOUT ROWID%'"),
                     1);
    char *t = sk_store_fx_text(st, "SELECT group_concat(scorer || ':' || kind || ':' || "
                                   "coalesce(score, '-') || ':' || coalesce(message, '-') || ':' "
                                   "|| coalesce(rationale, '-') || ':' || coalesce(meta_json, "
                                   "'-'), ' ') FROM (SELECT * FROM scores ORDER BY scorer)");
    ck_assert_str_eq(t, "exact:score:0.25:-:differs:{\"k\": 1} regex:error:-:bad:-:- "
                        "skip:skipped:-:-:-:-");
    free(t);
    ck_assert_int_ne(sk_store_exec(st,
                                   "INSERT INTO scores VALUES ('e1', 'r1', 0, 'x', 'bogus', NULL, "
                                   "NULL, NULL, NULL)",
                                   "writing a bad kind", &err),
                     0);
    sk_store_fx_has(err, "CHECK constraint failed");
    free(err);
    err = NULL;
    ck_assert_int_eq(sk_store_fx_int(st, "SELECT count(*) FROM experiments WHERE summary_cells "
                                         "IS NULL"),
                     1);
    /* Deleting the experiment still takes its scores. */
    ck_assert_int_eq(sk_store_exec(st, "DELETE FROM experiments WHERE id = 'e1'", "deleting", &err),
                     0);
    ck_assert_int_eq(sk_store_fx_int(st, "SELECT count(*) FROM scores"), 0);
    sk_store_close(st);
    free(path);
}
END_TEST

START_TEST(transactions)
{
    sk_store *st = sk_store_fx_open();
    char *err = NULL;
    ck_assert_int_eq(sk_store_begin(st, &err), 0);
    ck_assert_int_eq(sk_store_begin(st, &err), SK_EINVAL);
    sk_store_fx_has(err, "a transaction is already open");
    free(err);
    err = NULL;
    ck_assert_int_eq(sk_store_exec(st, "INSERT INTO datasets (name) VALUES ('gone')", "x", &err),
                     0);
    sk_store_rollback(st);
    sk_store_rollback(st); /* no transaction: nothing happens */
    ck_assert_int_eq(sk_store_fx_int(st, "SELECT count(*) FROM datasets"), 0);

    ck_assert_int_eq(sk_store_begin(st, &err), 0);
    ck_assert_int_eq(sk_store_exec(st, "INSERT INTO datasets (name) VALUES ('kept')", "x", &err),
                     0);
    ck_assert_int_eq(sk_store_commit(st, &err), 0);
    ck_assert_ptr_null(err);
    sk_store_close(st);

    /* Another connection sees the commit. */
    st = sk_store_fx_open();
    ck_assert_int_eq(sk_store_fx_int(st, "SELECT count(*) FROM datasets"), 1);

    /* An open transaction is rolled back when the store closes. */
    ck_assert_int_eq(sk_store_begin(st, &err), 0);
    ck_assert_int_eq(sk_store_exec(st, "DELETE FROM datasets", "x", &err), 0);
    sk_store_close(st);
    st = sk_store_fx_open();
    ck_assert_int_eq(sk_store_fx_int(st, "SELECT count(*) FROM datasets"), 1);
    sk_store_close(st);
}
END_TEST

START_TEST(error_messages_carry_sqlite_text)
{
    sk_store *st = sk_store_fx_open();
    char *err = NULL;
    ck_assert_int_eq(sk_store_exec(st, "SELECT * FROM nosuch", "reading things", &err), SK_EIO);
    char *want = sk_asprintf("%s: no such table: nosuch (while reading things)", sk_store_path(st));
    ck_assert_str_eq(err, want);
    free(want);
    free(err);
    err = NULL;

    sk_stmt *s = (sk_stmt *)1;
    ck_assert_int_eq(sk_store_prepare(st, &s, "SELEC 1", &err), SK_EIO);
    ck_assert_ptr_null(s);
    sk_store_fx_has(err, "near \"SELEC\": syntax error (while preparing: SELEC 1)");
    free(err);
    err = NULL;

    /* A constraint failure in a step, and the statement is reusable after. */
    ck_assert_int_eq(sk_store_prepare(st, &s, "INSERT INTO datasets (name) VALUES (?)", &err), 0);
    sk_db_bind_text(s, 1, "x", -1, SK_DB_STATIC);
    ck_assert_int_eq(sk_store_step_done(st, s, "adding x", &err), 0);
    ck_assert_int_eq(sk_store_step_done(st, s, "adding x again", &err), SK_EIO);
    sk_store_fx_has(err, "UNIQUE constraint failed: datasets.name (while adding x again)");
    free(err);
    err = NULL;
    sk_db_bind_text(s, 1, "y", -1, SK_DB_STATIC);
    ck_assert_int_eq(sk_store_step_done(st, s, "adding y", &err), 0);
    sk_db_finalize(s);

    /* Foreign keys are enforced. */
    ck_assert_int_eq(sk_store_exec(st,
                                   "INSERT INTO dataset_versions (dataset_id, version, row_count) "
                                   "VALUES (42, 1, 0)",
                                   "adding an orphan", &err),
                     SK_EIO);
    sk_store_fx_has(err, "FOREIGN KEY constraint failed");
    free(err);
    sk_store_close(st);
}
END_TEST

static Suite *store_suite(void)
{
    Suite *s = suite_create("store");
    TCase *tc = tcase_create("open");
    tcase_add_checked_fixture(tc, sk_store_fx_setup, sk_store_fx_teardown);
    tcase_add_test(tc, fresh_open_creates_wal_db_at_version_1);
    tcase_add_test(tc, reopening_is_idempotent);
    tcase_add_test(tc, newer_database_is_refused);
    tcase_add_test(tc, not_a_database);
    tcase_add_test(tc, missing_folder_and_blocked_store_folder);
    suite_add_tcase(s, tc);

    tc = tcase_create("migrations");
    tcase_add_checked_fixture(tc, sk_store_fx_setup, sk_store_fx_teardown);
    tcase_add_test(tc, migrations_run_in_order);
    tcase_add_test(tc, failing_migration_leaves_nothing_partial);
    tcase_add_test(tc, failing_first_migration_leaves_an_empty_database);
    tcase_add_test(tc, misnumbered_migrations_are_refused);
    tcase_add_test(tc, clustered_cells_keep_old_results);
    tcase_add_test(tc, scores_kind_check_rewritten_keeps_old_results);
    suite_add_tcase(s, tc);

    tc = tcase_create("helpers");
    tcase_add_checked_fixture(tc, sk_store_fx_setup, sk_store_fx_teardown);
    tcase_add_test(tc, transactions);
    tcase_add_test(tc, error_messages_carry_sqlite_text);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return sk_run_suite(store_suite());
}
