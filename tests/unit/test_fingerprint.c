/*
 * Tests for scorer fingerprints (core/fingerprint.c): FNV-1a against its
 * published test values, and a fingerprint that changes when a script's
 * content, the params or the scorer used change, but not when the script
 * is only touched.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <utime.h>

#include "base/error.h"
#include "validate/fingerprint.h"
#include "fixtures.h"
#include "engine/pack.h"
#include "run_suite.h"
#include "tmpfile_util.h"
#include "base/util.h"

START_TEST(fnv1a_vectors)
{
    ck_assert_uint_eq(sk_fnv64(SK_FNV64_INIT, "", 0), 0xcbf29ce484222325ULL);
    ck_assert_uint_eq(sk_fnv64(SK_FNV64_INIT, "a", 1), 0xaf63dc4c8601ec8cULL);
    ck_assert_uint_eq(sk_fnv64(SK_FNV64_INIT, "foobar", 6), 0x85944171f73967e8ULL);
    /* Hashing in pieces is hashing the whole. */
    ck_assert_uint_eq(sk_fnv64(sk_fnv64(SK_FNV64_INIT, "foo", 3), "bar", 3), 0x85944171f73967e8ULL);
    char *path = sk_tmp_write("foobar", 6);
    uint64_t h = SK_FNV64_INIT;
    ck_assert_int_eq(sk_fnv64_file(&h, path, NULL), SK_OK);
    ck_assert_uint_eq(h, 0x85944171f73967e8ULL);
    sk_tmp_remove(path);
    char *err = NULL;
    ck_assert_int_eq(sk_fnv64_file(&h, "/nonexistent/f", &err), SK_EIO);
    ck_assert_ptr_nonnull(strstr(err, "/nonexistent/f"));
    free(err);
}
END_TEST

static const char script_a[] = "return { name = \"fp\", summary = \"s\", params = { n = 1 },\n"
                               "  score = function() return 1 end }\n";
static const char script_b[] = "return { name = \"fp\", summary = \"s\", params = { n = 1 },\n"
                               "  score = function() return 0 end }\n";

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fputs(text, f);
    fclose(f);
}

/* The fingerprint of the single scorer of the pack `text`. */
static void fp_of(const char *text, char out[17])
{
    char *path = sk_tmp_write(text, strlen(text));
    sk_pack *pack = NULL;
    char *err = NULL;
    ck_assert_msg(sk_pack_load(&pack, path, sk_fixture_reg, &err) == SK_OK, "%s", err);
    ck_assert_msg(sk_fingerprint_entry(&pack->entries[0], sk_fixture_reg, NULL, out, &err) == SK_OK,
                  "%s", err);
    ck_assert_uint_eq(strlen(out), 16);
    sk_pack_free(pack);
    sk_tmp_remove(path);
}

START_TEST(script_fingerprint)
{
    char *script = sk_tmp_write(script_a, sizeof script_a - 1);
    char *full = sk_asprintf("%s.lua", script);
    ck_assert_int_eq(rename(script, full), 0);
    char *pack = sk_asprintf("{\"name\":\"p\",\"scorers\":[{\"use\":\"lua:%s\"}]}", full);
    char *pack2 = sk_asprintf(
        "{\"name\":\"p\",\"scorers\":[{\"use\":\"lua:%s\",\"params\":{\"n\":2}}]}", full);
    char a[17], b[17], c[17], d[17], e[17];
    fp_of(pack, a);
    fp_of(pack, b);
    ck_assert_str_eq(a, b); /* stable */
    /* Touched (a new mtime, same bytes): unchanged. */
    struct utimbuf t = {time(NULL) - 3600, time(NULL) - 3600};
    ck_assert_int_eq(utime(full, &t), 0);
    fp_of(pack, c);
    ck_assert_str_eq(a, c);
    /* Other params: changed. */
    fp_of(pack2, d);
    ck_assert_str_ne(a, d);
    /* One byte of the script changed: changed; changed back: as before. */
    write_file(full, script_b);
    fp_of(pack, e);
    ck_assert_str_ne(a, e);
    write_file(full, script_a);
    fp_of(pack, e);
    ck_assert_str_eq(a, e);
    remove(full);
    free(full);
    free(script);
    free(pack);
    free(pack2);
}
END_TEST

START_TEST(plugin_fingerprint)
{
    char a[17], b[17], c[17], d[17];
    fp_of("{\"name\":\"p\",\"scorers\":[{\"use\":\"levenshtein\"}]}", a);
    fp_of("{\"name\":\"p\",\"scorers\":[{\"use\":\"levenshtein\"}]}", b);
    fp_of("{\"name\":\"p\",\"scorers\":[{\"use\":\"levenshtein\",\"params\":{\"ignore_case\":true}}"
          "]}",
          c);
    fp_of("{\"name\":\"p\",\"scorers\":[{\"use\":\"exact_match\"}]}", d);
    ck_assert_str_eq(a, b);
    ck_assert_str_ne(a, c);
    ck_assert_str_ne(a, d);
    /* Params keep their numbers as written; how one is spelt is no change
     * (validations recorded before that stay valid), its value is. */
    char n1[17], n2[17], n3[17];
    fp_of("{\"name\":\"p\",\"scorers\":[{\"use\":\"word_count\",\"params\":{\"min\":2}}]}", n1);
    fp_of("{\"name\":\"p\",\"scorers\":[{\"use\":\"word_count\",\"params\":{\"min\":2.0}}]}", n2);
    fp_of("{\"name\":\"p\",\"scorers\":[{\"use\":\"word_count\",\"params\":{\"min\":3}}]}", n3);
    ck_assert_str_eq(n1, n2);
    ck_assert_str_ne(n1, n3);
    /* The plugin file is part of it: the hash differs from one of the
     * same scorer description without the file. */
    sk_pack *pack = NULL;
    const char *t = "{\"name\":\"p\",\"scorers\":[{\"use\":\"levenshtein\"}]}";
    ck_assert_int_eq(sk_pack_parse(&pack, t, strlen(t), "p.json", sk_fixture_reg, NULL), SK_OK);
    char *err = NULL;
    char x[17];
    ck_assert_int_eq(sk_fingerprint_entry(&pack->entries[0], NULL, NULL, x, &err), SK_OK);
    ck_assert_str_ne(a, x);
    sk_pack_free(pack);
}
END_TEST

/* A judge's prompt template is a file its params name: editing the file
 * changes the fingerprint, touching it does not. */
START_TEST(template_file_fingerprint)
{
    static const char script[] = "return { name = \"judgelike\", params = { template = \"\" },\n"
                                 "  score = function() return 1 end }\n";
    char *tmp = sk_tmp_write(script, sizeof script - 1);
    char *lua = sk_asprintf("%s.lua", tmp);
    ck_assert_int_eq(rename(tmp, lua), 0);
    char *tpl = sk_tmp_write("Compare {{output}} with {{expected}}.\n", 38);
    char *pack = sk_asprintf("{\"name\":\"p\",\"scorers\":[{\"use\":\"lua:%s\",\"params\":"
                             "{\"template\":\"%s\"}}]}",
                             lua, tpl);
    char a[17], b[17], c[17];
    fp_of(pack, a);
    struct utimbuf t = {time(NULL) - 3600, time(NULL) - 3600};
    ck_assert_int_eq(utime(tpl, &t), 0);
    fp_of(pack, b);
    ck_assert_str_eq(a, b);
    write_file(tpl, "Compare {{output}} with {{expected}}!\n");
    fp_of(pack, c);
    ck_assert_str_ne(a, c);
    sk_tmp_remove(tpl);
    remove(lua);
    free(lua);
    free(tmp);
    free(pack);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("fingerprint");
    TCase *t = tcase_create("fingerprint");
    tcase_add_checked_fixture(t, sk_fixture_setup, sk_fixture_teardown);
    tcase_add_test(t, fnv1a_vectors);
    tcase_add_test(t, script_fingerprint);
    tcase_add_test(t, plugin_fingerprint);
    tcase_add_test(t, template_file_fingerprint);
    suite_add_tcase(s, t);
    return s;
}

int main(void)
{
    return sk_run_suite(suite());
}
