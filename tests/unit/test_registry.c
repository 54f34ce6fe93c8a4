/*
 * Tests for the plugin registry (registry.c) against real shared objects:
 * the heuristic plugin, and the test plugins the host must refuse (an ABI
 * from the future, a library that is not a plugin, a table naming one
 * scorer twice).  Every refusal is checked by the text of its message, so a
 * test cannot pass because a file was simply missing.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/error.h"
#include "engine/registry.h"
#include "base/util.h"

/* A file under the build tree; fails the test when SK_BUILDDIR is unset. */
static char *built(const char *rel)
{
    const char *dir = getenv("SK_BUILDDIR");
    ck_assert_msg(dir && *dir, "SK_BUILDDIR is not set: run this test with `make check`");
    char *path = sk_asprintf("%s/%s", dir, rel);
    ck_assert_msg(access(path, R_OK) == 0, "%s is missing: was it built?", path);
    return path;
}

static char *test_plugin(const char *name)
{
    char *rel = sk_asprintf("tests/plugins/.libs/%s.so", name);
    char *path = built(rel);
    free(rel);
    return path;
}

static void assert_has(const char *text, const char *want)
{
    ck_assert_ptr_nonnull(text);
    ck_assert_msg(strstr(text, want) != NULL, "expected \"%s\" in: %s", want, text);
}

/* SCOREKIT_PLUGIN_PATH is process state: each test that sets it puts the
 * old value back, so tests also pass with CK_FORK=no. */
static char *saved_path;
static int had_path;

static void save_env(void)
{
    const char *v = getenv("SCOREKIT_PLUGIN_PATH");
    had_path = v != NULL;
    saved_path = v ? sk_xstrdup(v) : NULL;
}

static void restore_env(void)
{
    if (had_path)
        setenv("SCOREKIT_PLUGIN_PATH", saved_path, 1);
    else
        unsetenv("SCOREKIT_PLUGIN_PATH");
    free(saved_path);
    saved_path = NULL;
}

/* ---- loading one file --------------------------------------------------- */

START_TEST(load_heuristic)
{
    char *path = built("plugins/.libs/heuristic.so");
    sk_registry *reg = sk_registry_new();
    char *err = NULL;
    ck_assert_int_eq(sk_registry_count(reg), 0);
    int rc = sk_registry_load(reg, path, &err);
    ck_assert_msg(rc == SK_OK, "%s", err ? err : "");
    ck_assert_ptr_null(err);
    ck_assert_uint_eq(sk_registry_count(reg), 1);
    ck_assert_uint_eq(sk_registry_problem_count(reg), 0);
    const sk_plugin_info *info = sk_registry_get(reg, 0);
    ck_assert_str_eq(info->name, "heuristic");
    ck_assert_str_eq(info->version, "1.0");
    ck_assert_str_eq(info->path, path);
    ck_assert_int_eq(info->table->abi, SK_PLUGIN_ABI);
    ck_assert_uint_gt(info->table->nscorers, 0);
    ck_assert_ptr_null(sk_registry_get(reg, 1));
    ck_assert_ptr_null(sk_registry_problem_get(reg, 0));
    sk_registry_free(reg);
    free(path);
}
END_TEST

START_TEST(find_by_name_and_qualified)
{
    char *path = built("plugins/.libs/heuristic.so");
    char *mis = test_plugin("misbehave");
    sk_registry *reg = sk_registry_new();
    ck_assert_int_eq(sk_registry_load(reg, path, NULL), SK_OK);
    ck_assert_int_eq(sk_registry_load(reg, mis, NULL), SK_OK);
    ck_assert_uint_eq(sk_registry_count(reg), 2);

    const sk_scorer_def *def = NULL;
    const sk_plugin_info *info = NULL;
    char *err = NULL;
    ck_assert_int_eq(sk_registry_find(reg, "levenshtein", &def, &info, &err), SK_OK);
    ck_assert_str_eq(def->name, "levenshtein");
    ck_assert_str_eq(info->name, "heuristic");
    const sk_scorer_def *def2 = NULL;
    ck_assert_int_eq(sk_registry_find(reg, "heuristic/levenshtein", &def2, NULL, &err), SK_OK);
    ck_assert_ptr_eq(def2, def);
    ck_assert_int_eq(sk_registry_find(reg, "misbehave/answer", &def, &info, &err), SK_OK);
    ck_assert_str_eq(def->name, "answer");
    ck_assert_str_eq(info->name, "misbehave");
    ck_assert_str_eq(info->path, mis);
    ck_assert_ptr_null(err);

    /* the plugin part must match exactly: no prefix match, no other plugin */
    ck_assert_int_eq(sk_registry_find(reg, "misbehave/levenshtein", &def, NULL, &err),
                     SK_ENOTFOUND);
    assert_has(err, "\"misbehave/levenshtein\"");
    ck_assert_int_eq(sk_registry_find(reg, "heur/levenshtein", &def, NULL, &err), SK_ENOTFOUND);
    assert_has(err, "\"heur/levenshtein\"");
    ck_assert_int_eq(sk_registry_find(reg, "nosuch", &def, NULL, &err), SK_ENOTFOUND);
    assert_has(err, "no scorer named \"nosuch\"");
    assert_has(err, "SCOREKIT_PLUGIN_PATH");
    free(err);
    sk_registry_free(reg);
    free(path);
    free(mis);
}
END_TEST

START_TEST(refuse_future_abi)
{
    char *path = test_plugin("abi_future");
    sk_registry *reg = sk_registry_new();
    char *err = NULL;
    ck_assert_int_eq(sk_registry_load(reg, path, &err), SK_EABI);
    assert_has(err, path);
    assert_has(err, "ABI 2");
    assert_has(err, "ABI 1");
    assert_has(err, "rebuild");
    ck_assert_uint_eq(sk_registry_count(reg), 0);
    free(err);
    sk_registry_free(reg);
    free(path);
}
END_TEST

START_TEST(refuse_not_plugin)
{
    char *path = test_plugin("not_plugin");
    sk_registry *reg = sk_registry_new();
    char *err = NULL;
    ck_assert_int_eq(sk_registry_load(reg, path, &err), SK_EINVAL);
    assert_has(err, path);
    assert_has(err, "not a scorekit plugin");
    assert_has(err, "SK_PLUGIN_DECLARE");
    ck_assert_uint_eq(sk_registry_count(reg), 0);
    free(err);
    sk_registry_free(reg);
    free(path);
}
END_TEST

START_TEST(refuse_broken_table)
{
    char *path = test_plugin("broken_table");
    sk_registry *reg = sk_registry_new();
    char *err = NULL;
    ck_assert_int_eq(sk_registry_load(reg, path, &err), SK_EINVAL);
    assert_has(err, path);
    assert_has(err, "defines scorer twin twice");
    ck_assert_uint_eq(sk_registry_count(reg), 0);
    free(err);
    sk_registry_free(reg);
    free(path);
}
END_TEST

START_TEST(refuse_missing_file)
{
    sk_registry *reg = sk_registry_new();
    char *err = NULL;
    const char *path = "/nonexistent/dir/nothing.so";
    int rc = sk_registry_load(reg, path, &err);
    ck_assert_int_lt(rc, 0);
    assert_has(err, path);
    assert_has(err, "cannot load plugin");
    ck_assert_uint_eq(sk_registry_count(reg), 0);
    free(err);
    sk_registry_free(reg);
}
END_TEST

START_TEST(same_plugin_twice_is_shadowed)
{
    char *path = test_plugin("misbehave");
    sk_registry *reg = sk_registry_new();
    ck_assert_int_eq(sk_registry_load(reg, path, NULL), SK_OK);
    ck_assert_int_eq(sk_registry_load(reg, path, NULL), SK_OK);
    ck_assert_uint_eq(sk_registry_count(reg), 1);
    ck_assert_uint_eq(sk_registry_problem_count(reg), 1);
    const sk_registry_problem *pb = sk_registry_problem_get(reg, 0);
    ck_assert_str_eq(pb->path, path);
    assert_has(pb->message, "shadowed");
    /* the first copy still works */
    const sk_scorer_def *def;
    ck_assert_int_eq(sk_registry_find(reg, "skipper", &def, NULL, NULL), SK_OK);
    sk_registry_free(reg);
    free(path);
}
END_TEST

/* ---- scanning the search path ------------------------------------------ */

static int find_problem(const sk_registry *reg, const char *file, const char *want)
{
    for (size_t i = 0; i < sk_registry_problem_count(reg); i++) {
        const sk_registry_problem *p = sk_registry_problem_get(reg, i);
        if (strstr(p->path, file) && strstr(p->message, want))
            return 1;
    }
    return 0;
}

START_TEST(open_scans_path_and_reports_refusals)
{
    char *dir = built("tests/plugins/.libs");
    save_env();
    setenv("SCOREKIT_PLUGIN_PATH", dir, 1);
    sk_registry *reg = NULL;
    char *err = NULL;
    ck_assert_int_eq(sk_registry_open(&reg, NULL, &err), SK_OK);
    restore_env();
    ck_assert_ptr_nonnull(reg);

    /* the test folder comes first on the path (no project folder) */
    const char *sp = sk_registry_search_path(reg);
    ck_assert_msg(strncmp(sp, dir, strlen(dir)) == 0, "search path %s", sp);

    const sk_scorer_def *def;
    const sk_plugin_info *info;
    ck_assert_int_eq(sk_registry_find(reg, "answer", &def, &info, &err), SK_OK);
    ck_assert_str_eq(info->name, "misbehave");

    ck_assert(find_problem(reg, "abi_future.so", "ABI 2"));
    ck_assert(find_problem(reg, "not_plugin.so", "not a scorekit plugin"));
    ck_assert(find_problem(reg, "broken_table.so", "defines scorer twin twice"));

    /* "not found" never hides "found but broken" */
    ck_assert_int_eq(sk_registry_find(reg, "no_such_scorer", &def, NULL, &err), SK_ENOTFOUND);
    assert_has(err, "no scorer named \"no_such_scorer\"");
    assert_has(err, dir);
    assert_has(err, "refused");
    assert_has(err, "abi_future.so");
    assert_has(err, "ABI 2");
    assert_has(err, "not_plugin.so: not a scorekit plugin");
    assert_has(err, "broken_table.so: plugin broken defines scorer twin twice");
    free(err);
    sk_registry_free(reg);
    free(dir);
}
END_TEST

START_TEST(open_with_odd_path_entries)
{
    char *dir = built("tests/plugins/.libs");
    char *env = sk_asprintf("/nonexistent/one::%s:", dir);
    save_env();
    setenv("SCOREKIT_PLUGIN_PATH", env, 1);
    sk_registry *reg = NULL;
    ck_assert_int_eq(sk_registry_open(&reg, NULL, NULL), SK_OK);
    restore_env();
    const sk_scorer_def *def;
    ck_assert_int_eq(sk_registry_find(reg, "skipper", &def, NULL, NULL), SK_OK);
    ck_assert_ptr_nonnull(strstr(sk_registry_search_path(reg), "/nonexistent/one:"));
    sk_registry_free(reg);
    free(env);
    free(dir);
}
END_TEST

static void copy_file(const char *from, const char *to)
{
    FILE *in = fopen(from, "rb");
    ck_assert_ptr_nonnull(in);
    FILE *out = fopen(to, "wb");
    ck_assert_ptr_nonnull(out);
    char buf[8192];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, in)) > 0)
        ck_assert_uint_eq(fwrite(buf, 1, n, out), n);
    fclose(in);
    ck_assert_int_eq(fclose(out), 0);
}

START_TEST(project_plugins_come_first)
{
    char tmpl[] = "/tmp/sk_registry_XXXXXX";
    char *proj = mkdtemp(tmpl);
    ck_assert_ptr_nonnull(proj);
    char *pdir = sk_asprintf("%s/plugins", proj);
    ck_assert_int_eq(mkdir(pdir, 0700), 0);
    char *src = test_plugin("misbehave");
    char *copy = sk_asprintf("%s/misbehave.so", pdir);
    copy_file(src, copy);

    char *dir = built("tests/plugins/.libs");
    save_env();
    setenv("SCOREKIT_PLUGIN_PATH", dir, 1);
    sk_registry *reg = NULL;
    ck_assert_int_eq(sk_registry_open(&reg, proj, NULL), SK_OK);
    restore_env();

    const char *sp = sk_registry_search_path(reg);
    ck_assert_msg(strncmp(sp, pdir, strlen(pdir)) == 0 && sp[strlen(pdir)] == ':', "search path %s",
                  sp);
    const sk_scorer_def *def;
    const sk_plugin_info *info;
    ck_assert_int_eq(sk_registry_find(reg, "answer", &def, &info, NULL), SK_OK);
    ck_assert_str_eq(info->path, copy);
    ck_assert_int_eq(sk_registry_find(reg, "misbehave/unsafe", &def, &info, NULL), SK_OK);
    ck_assert_str_eq(info->path, copy);
    /* the copy on SCOREKIT_PLUGIN_PATH is shadowed, and says by what */
    ck_assert(find_problem(reg, src, "shadowed"));
    ck_assert(find_problem(reg, src, copy));

    sk_registry_free(reg);
    unlink(copy);
    rmdir(pdir);
    rmdir(proj);
    free(dir);
    free(copy);
    free(src);
    free(pdir);
}
END_TEST

START_TEST(open_project_without_plugins_folder)
{
    char tmpl[] = "/tmp/sk_registry_XXXXXX";
    char *proj = mkdtemp(tmpl);
    ck_assert_ptr_nonnull(proj);
    save_env();
    unsetenv("SCOREKIT_PLUGIN_PATH");
    sk_registry *reg = NULL;
    ck_assert_int_eq(sk_registry_open(&reg, proj, NULL), SK_OK);
    restore_env();
    /* a missing folder is not an error, but it is named in messages */
    ck_assert_ptr_nonnull(strstr(sk_registry_search_path(reg), proj));
    sk_registry_free(reg);
    rmdir(proj);
}
END_TEST

static Suite *registry_suite(void)
{
    Suite *s = suite_create("registry");
    TCase *tc = tcase_create("load");
    tcase_add_test(tc, load_heuristic);
    tcase_add_test(tc, find_by_name_and_qualified);
    tcase_add_test(tc, refuse_future_abi);
    tcase_add_test(tc, refuse_not_plugin);
    tcase_add_test(tc, refuse_broken_table);
    tcase_add_test(tc, refuse_missing_file);
    tcase_add_test(tc, same_plugin_twice_is_shadowed);
    suite_add_tcase(s, tc);

    tc = tcase_create("open");
    tcase_add_test(tc, open_scans_path_and_reports_refusals);
    tcase_add_test(tc, open_with_odd_path_entries);
    tcase_add_test(tc, project_plugins_come_first);
    tcase_add_test(tc, open_project_without_plugins_folder);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(registry_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
