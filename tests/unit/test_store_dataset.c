/*
 * Tests for datasets in the store (dataset.c, dataset_file.c) on real
 * database files: versions, all-or-nothing imports and their FILE:LINE
 * messages, ids (given, derived as `scorekit score` derives them, unique),
 * JSONL and CSV rows, exporting back to JSONL, and NAME@VER references.
 * Each test checks what the database holds afterwards, not only the return
 * code.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/dataset.h"
#include "base/error.h"
#include "base/row.h"
#include "run/rowscore.h"
#include "run_suite.h"
#include "store_fixture.h"
#include "base/util.h"

static sk_store *st;

static void setup(void)
{
    sk_store_fx_setup();
    st = sk_store_fx_open();
}

static void teardown(void)
{
    sk_store_close(st);
    st = NULL;
    sk_store_fx_teardown();
}

/* Import text as a file called `file` into dataset `name`; returns the rc,
 * *err the message (the file's path replaced by FILE). */
static int import_as(const char *name, const char *file, const char *text, char **err)
{
    char *path = sk_store_fx_write(file, text);
    sk_dataset_version v;
    int rc = sk_dataset_import(st, name, path, SK_DATASET_AUTO, &v, err);
    if (rc == 0) {
        ck_assert_str_eq(v.name, name);
        ck_assert_str_eq(v.source, path);
        ck_assert_int_eq(v.version, v.latest);
    } else if (*err && strncmp(*err, path, strlen(path)) == 0) {
        char *short_msg = sk_asprintf("FILE%s", *err + strlen(path));
        free(*err);
        *err = short_msg;
    }
    sk_dataset_version_clear(&v);
    free(path);
    return rc;
}

/* Import that must succeed; returns the new version number. */
static int import_ok(const char *name, const char *file, const char *text)
{
    char *err = NULL;
    int rc = import_as(name, file, text, &err);
    ck_assert_msg(rc == 0, "import failed: %s", err ? err : "?");
    sk_dataset_version v;
    ck_assert_int_eq(sk_dataset_resolve(st, name, &v, &err), 0);
    int version = v.version;
    sk_dataset_version_clear(&v);
    return version;
}

/* Import that must fail with exactly this message (path shown as FILE). */
static void import_fails(const char *name, const char *file, const char *text, int want_rc,
                         const char *want_err)
{
    char *err = NULL;
    ck_assert_int_eq(import_as(name, file, text, &err), want_rc);
    ck_assert_str_eq(err, want_err);
    free(err);
}

/* The export of NAME[@VER] as one string. */
static char *export_of(const char *ref)
{
    sk_dataset_version v;
    char *err = NULL;
    ck_assert_int_eq(sk_dataset_resolve(st, ref, &v, &err), 0);
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    ck_assert_int_eq(sk_dataset_export(st, v.id, f, &err), 0);
    fclose(f);
    sk_dataset_version_clear(&v);
    return buf;
}

/* The ids of NAME[@VER], comma-separated. */
static char *ids_of(const char *ref)
{
    sk_dataset_version v;
    char *err = NULL;
    ck_assert_int_eq(sk_dataset_resolve(st, ref, &v, &err), 0);
    sk_dataset_iter *it;
    ck_assert_int_eq(sk_dataset_iter_open(&it, st, v.id, &err), 0);
    sk_buf b = {0};
    sk_buf_adds(&b, "");
    sk_dataset_row row;
    int64_t want_pos = 0;
    while (sk_dataset_iter_next(it, &row, &err) == 1) {
        ck_assert_int_eq(row.pos, want_pos++);
        if (b.len)
            sk_buf_addc(&b, ',');
        sk_buf_add(&b, row.id, row.id_len);
    }
    ck_assert_int_eq(want_pos, v.rows);
    sk_dataset_iter_close(it);
    sk_dataset_version_clear(&v);
    return b.data;
}

static void counts_are(long long datasets, long long versions, long long rows)
{
    ck_assert_int_eq(sk_store_fx_int(st, "SELECT count(*) FROM datasets"), datasets);
    ck_assert_int_eq(sk_store_fx_int(st, "SELECT count(*) FROM dataset_versions"), versions);
    ck_assert_int_eq(sk_store_fx_int(st, "SELECT count(*) FROM dataset_rows"), rows);
}

static const char qa1[] = "{\"id\": \"q1\", \"input\": \"2+2\", \"expected\": \"4\"}\n"
                          "{\"id\": \"q2\", \"input\": \"3+3\", \"expected\": \"6\", "
                          "\"metadata\": {\"topic\": \"math\"}}\n";
static const char qa2[] = "{\"id\": \"q1\", \"input\": \"2+2\", \"expected\": \"four\"}\n"
                          "{\"id\": \"q2\", \"input\": \"3+3\", \"expected\": \"6\"}\n"
                          "{\"id\": \"q3\", \"input\": \"4+4\", \"expected\": \"8\", "
                          "\"metadata\": {\"level\": 2, \"topic\": \"math\"}}\n";

/* ---- versions ------------------------------------------------------------- */

START_TEST(imports_make_versions)
{
    ck_assert_int_eq(import_ok("qa", "a.jsonl", qa1), 1);
    char *v1 = export_of("qa");
    ck_assert_str_eq(v1, qa1);
    ck_assert_int_eq(import_ok("qa", "b.jsonl", qa2), 2);
    counts_are(1, 2, 5);

    /* Version 1 is still there, unchanged; NAME alone is the newest. */
    char *again = export_of("qa@1");
    ck_assert_str_eq(again, v1);
    char *v2 = export_of("qa");
    ck_assert_str_eq(v2, qa2);
    char *v2b = export_of("qa@2");
    ck_assert_str_eq(v2b, qa2);

    sk_dataset_version v;
    char *err = NULL;
    ck_assert_int_eq(sk_dataset_resolve(st, "qa@1", &v, &err), 0);
    ck_assert_int_eq(v.version, 1);
    ck_assert_int_eq(v.latest, 2);
    ck_assert_int_eq(v.rows, 2);
    ck_assert_str_eq(v.metadata_keys, "[\"topic\"]");
    ck_assert_int_eq(strlen(v.created_at), 20); /* 2024-05-01T12:00:00Z */
    ck_assert_int_eq(v.created_at[10], 'T');
    sk_store_fx_has(v.source, "/a.jsonl");
    sk_dataset_version_clear(&v);
    ck_assert_int_eq(sk_dataset_resolve(st, "qa", &v, &err), 0);
    ck_assert_int_eq(v.version, 2);
    ck_assert_int_eq(v.rows, 3);
    ck_assert_str_eq(v.metadata_keys, "[\"level\", \"topic\"]");
    sk_dataset_version_clear(&v);
    free(v1);
    free(again);
    free(v2);
    free(v2b);
}
END_TEST

/* sync: a new version only when the file's rows differ from the newest
 * one (ids, values, order, count); a malformed file writes nothing. */
static int sync_file(const char *file, const char *text, int *imported, char **err)
{
    char *path = sk_store_fx_write(file, text);
    sk_dataset_version v;
    int rc = sk_dataset_sync(st, "qa", path, SK_DATASET_AUTO, &v, imported, err);
    int version = rc == 0 ? v.version : rc;
    sk_dataset_version_clear(&v);
    free(path);
    return version;
}

START_TEST(sync_imports_only_changes)
{
    char *err = NULL;
    int imported = -1;
    ck_assert_int_eq(sync_file("d.jsonl", qa1, &imported, &err), 1);
    ck_assert_int_eq(imported, 1);
    ck_assert_int_eq(sync_file("d.jsonl", qa1, &imported, &err), 1);
    ck_assert_int_eq(imported, 0);
    /* The same rows under another file name are still the same rows. */
    ck_assert_int_eq(sync_file("other.jsonl", qa1, &imported, &err), 1);
    ck_assert_int_eq(imported, 0);
    ck_assert_int_eq(sync_file("d.jsonl", qa2, &imported, &err), 2);
    ck_assert_int_eq(imported, 1);
    /* Back to the first rows: a third version, not a pointer to the first. */
    ck_assert_int_eq(sync_file("d.jsonl", qa1, &imported, &err), 3);
    ck_assert_int_eq(sync_file("d.jsonl",
                               "{\"id\": \"q2\", \"input\": \"3+3\", \"expected\": \"6\", "
                               "\"metadata\": {\"topic\": \"math\"}}\n"
                               "{\"id\": \"q1\", \"input\": \"2+2\", \"expected\": \"4\"}\n",
                               &imported, &err),
                     4); /* order matters */
    ck_assert_int_eq(sync_file("d.jsonl",
                               "{\"id\": \"q2\", \"input\": \"3+3\", \"expected\": \"6\", "
                               "\"metadata\": {\"topic\": \"math\"}}\n",
                               &imported, &err),
                     5); /* a row fewer */
    ck_assert_int_eq(sync_file("d.jsonl",
                               "{\"id\": \"q2\", \"input\": \"3+3\", \"expected\": \"6\", "
                               "\"metadata\": {\"topic\": \"maths\"}}\n",
                               &imported, &err),
                     6); /* metadata */
    ck_assert_int_eq(imported, 1);

    ck_assert_int_eq(
        sync_file("d.jsonl", "{\"id\": \"q1\", \"input\": 1}\n{oops\n", &imported, &err),
        SK_EPARSE);
    ck_assert_int_eq(imported, 0);
    sk_store_fx_has(err, "d.jsonl:2:");
    free(err);
    counts_are(1, 6, 2 + 3 + 2 + 2 + 1 + 1);
}
END_TEST

START_TEST(list_shows_newest_versions)
{
    sk_dataset_version *v;
    size_t n = 99;
    char *err = NULL;
    ck_assert_int_eq(sk_dataset_list(st, &v, &n, &err), 0);
    ck_assert_uint_eq(n, 0);
    sk_dataset_list_free(v, n);

    import_ok("zeta", "z.jsonl", qa1);
    import_ok("alpha", "a.jsonl", qa1);
    import_ok("alpha", "a2.jsonl", qa2);
    ck_assert_int_eq(sk_dataset_list(st, &v, &n, &err), 0);
    ck_assert_uint_eq(n, 2);
    ck_assert_str_eq(v[0].name, "alpha");
    ck_assert_int_eq(v[0].version, 2);
    ck_assert_int_eq(v[0].latest, 2);
    ck_assert_int_eq(v[0].rows, 3);
    sk_store_fx_has(v[0].source, "/a2.jsonl");
    ck_assert_str_eq(v[1].name, "zeta");
    ck_assert_int_eq(v[1].version, 1);
    ck_assert_int_eq(v[1].rows, 2);
    sk_dataset_list_free(v, n);
}
END_TEST

START_TEST(another_connection_sees_the_import)
{
    import_ok("qa", "a.jsonl", qa1);
    sk_store *other = sk_store_fx_open();
    sk_dataset_version v;
    char *err = NULL;
    ck_assert_int_eq(sk_dataset_resolve(other, "qa", &v, &err), 0);
    ck_assert_int_eq(v.rows, 2);
    /* A reader in the middle of a version is not disturbed by a new one. */
    sk_dataset_iter *it;
    ck_assert_int_eq(sk_dataset_iter_open(&it, other, v.id, &err), 0);
    sk_dataset_row row;
    ck_assert_int_eq(sk_dataset_iter_next(it, &row, &err), 1);
    ck_assert_str_eq(row.id, "q1");
    ck_assert_int_eq(import_ok("qa", "b.jsonl", qa2), 2);
    ck_assert_int_eq(sk_dataset_iter_next(it, &row, &err), 1);
    ck_assert_str_eq(row.id, "q2");
    ck_assert_int_eq(sk_dataset_iter_next(it, &row, &err), 0);
    sk_dataset_iter_close(it);
    sk_dataset_version_clear(&v);
    sk_store_close(other);
}
END_TEST

/* ---- all or nothing ------------------------------------------------------- */

START_TEST(malformed_line_writes_nothing)
{
    const char bad[] = "{\"input\": 1}\n{\"input\": 2}\n{\"input\": 3\n{\"input\": 4}\n";
    import_fails("qa", "bad.jsonl", bad, SK_EPARSE,
                 "FILE:3: column 12: input ends inside an object (missing '}')");
    counts_are(0, 0, 0);

    /* Nor a new version of an existing dataset. */
    import_ok("qa", "a.jsonl", qa1);
    import_fails("qa", "bad.jsonl", bad, SK_EPARSE,
                 "FILE:3: column 12: input ends inside an object (missing '}')");
    counts_are(1, 1, 2);
    sk_dataset_version v;
    char *err = NULL;
    ck_assert_int_eq(sk_dataset_resolve(st, "qa", &v, &err), 0);
    ck_assert_int_eq(v.version, 1);
    sk_dataset_version_clear(&v);
}
END_TEST

START_TEST(store_failure_rolls_back)
{
    /* The failure half way is a trigger in SQLite's syntax: this check
     * runs on SQLite only. */
    if (getenv("SCOREKIT_STORE"))
        return;
    /* A trigger makes the store refuse the third row, after two were
     * written in the same transaction. */
    char *err = NULL;
    ck_assert_int_eq(sk_store_exec(st,
                                   "CREATE TRIGGER boom BEFORE INSERT ON dataset_rows "
                                   "WHEN NEW.row_id = 'c' BEGIN SELECT RAISE(ABORT, 'no c'); END",
                                   "adding a trigger", &err),
                     0);
    ck_assert_int_eq(import_as("qa", "x.jsonl",
                               "{\"id\": \"a\", \"input\": 1}\n{\"id\": \"b\", \"input\": 2}\n"
                               "{\"id\": \"c\", \"input\": 3}\n",
                               &err),
                     SK_EIO);
    char *want = sk_asprintf("%s: no c (while writing a dataset row)", sk_store_path(st));
    ck_assert_str_eq(err, want);
    free(want);
    free(err);
    counts_are(0, 0, 0);
}
END_TEST

START_TEST(empty_and_missing_files)
{
    import_fails("qa", "e.jsonl", "\n  \n", SK_EPARSE, "FILE: no rows to import");
    import_fails("qa", "e.csv", "input,expected\n", SK_EPARSE, "FILE: no rows to import");
    import_fails("qa", "e2.csv", "", SK_EPARSE,
                 "FILE: the file is empty; a CSV dataset starts with a header row naming its "
                 "columns (input, expected, ...)");
    char *err = NULL;
    char *gone = sk_asprintf("%s/gone.jsonl", sk_store_fx_dir);
    ck_assert_int_eq(sk_dataset_import(st, "qa", gone, SK_DATASET_AUTO, NULL, &err), SK_ENOTFOUND);
    sk_store_fx_has(err, "gone.jsonl");
    free(err);
    free(gone);
    counts_are(0, 0, 0);
}
END_TEST

/* ---- ids ------------------------------------------------------------------ */

static char *derived(const char *input, const char *expected)
{
    sk_buf id = {0};
    sk_row_derive_id(&id, (sk_span){input, strlen(input)},
                     expected ? (sk_span){expected, strlen(expected)} : (sk_span){NULL, 0});
    return id.data;
}

START_TEST(duplicate_ids_name_both_lines)
{
    import_fails("qa", "d.jsonl",
                 "{\"id\": \"q1\", \"input\": 1}\n{\"id\": \"q3\", \"input\": 2}\n"
                 "{\"id\": \"q4\", \"input\": 3}\n\n{\"id\": \"q2\", \"input\": 4}\n"
                 "{\"id\": \"q5\", \"input\": 5}\n{\"id\": \"q3\", \"input\": 6}\n",
                 SK_EPARSE, "FILE:7: duplicate id \"q3\" (first on line 2)");
    /* A number id and the same text as a string are the same id. */
    import_fails("qa", "d.jsonl", "{\"id\": 7, \"input\": 1}\n{\"id\": \"7\", \"input\": 2}\n",
                 SK_EPARSE, "FILE:2: duplicate id \"7\" (first on line 1)");
    /* Two rows without ids and with the same content derive the same id;
     * the message says so. */
    char *id = derived("\"x\"", NULL);
    char *want = sk_asprintf("FILE:2: duplicate id \"%s\" (first on line 1); a row without "
                             "\"id\" gets one from its input and expected, so these rows are "
                             "the same case: give each an \"id\", or drop one",
                             id);
    import_fails("qa", "d.jsonl", "{\"input\": \"x\"}\n{\"input\": \"x\", \"expected\": null}\n",
                 SK_EPARSE, want);
    free(want);
    free(id);
    import_fails("qa", "d.csv", "id,input\na,1\nb,2\na,3\n", SK_EPARSE,
                 "FILE:4: duplicate id \"a\" (first on line 2)");
    counts_are(0, 0, 0);
}
END_TEST

START_TEST(derived_ids_match_score_and_are_stable)
{
    import_ok("qa", "a.jsonl",
              "{\"input\": \"What?\", \"expected\": \"This.\"}\n"
              "{\"input\": {\"q\": [1, 2]}}\n"
              "{\"input\": \"What?\", \"expected\": null, \"id\": null}\n"
              "{\"id\": 12, \"input\": 0}\n");
    char *a = derived("\"What?\"", "\"This.\"");
    char *b = derived("{\"q\": [1, 2]}", NULL);
    char *c = derived("\"What?\"", NULL);
    char *want = sk_asprintf("%s,%s,%s,12", a, b, c);
    ck_assert_int_eq(a[0], 'h');
    ck_assert_int_eq(strlen(a), 17);
    char *got = ids_of("qa");
    ck_assert_str_eq(got, want);
    free(got);

    /* The same rows in another file, order and dataset get the same ids. */
    import_ok("other", "b.jsonl",
              "{\"id\": 12, \"input\": 0}\n"
              "{\"expected\": \"This.\", \"input\": \"What?\"}\n");
    got = ids_of("other");
    char *want2 = sk_asprintf("12,%s", a);
    ck_assert_str_eq(got, want2);
    free(got);
    import_ok("qa", "c.jsonl",
              "{\"input\": \"What?\", \"expected\": \"This.\"}\n"
              "{\"input\": {\"q\": [1, 2]}}\n"
              "{\"input\": \"What?\", \"expected\": null, \"id\": null}\n"
              "{\"id\": 12, \"input\": 0}\n");
    got = ids_of("qa@2");
    ck_assert_str_eq(got, want);
    free(got);

    /* A CSV row derives from its cells as JSON strings, as its export
     * would be scored. */
    import_ok("csv", "c.csv", "input,expected\nWhat?,This.\n");
    got = ids_of("csv");
    ck_assert_str_eq(got, a);
    free(got);
    free(a);
    free(b);
    free(c);
    free(want);
    free(want2);
}
END_TEST

START_TEST(id_forms)
{
    import_ok("qa", "a.jsonl",
              "{\"id\": \"caf\\u00e9 \\\"1\\\"\", \"input\": 1}\n"
              "{\"id\": -3.5e2, \"input\": 2}\n");
    char *got = ids_of("qa");
    ck_assert_str_eq(got, "caf\xc3\xa9 \"1\",-3.5e2");
    free(got);
    char *out = export_of("qa");
    ck_assert_str_eq(out, "{\"id\": \"caf\xc3\xa9 \\\"1\\\"\", \"input\": 1}\n"
                          "{\"id\": \"-3.5e2\", \"input\": 2}\n");
    free(out);
    import_fails("qa", "b.jsonl", "{\"id\": \"\", \"input\": 1}\n", SK_EPARSE,
                 "FILE:1: \"id\" is empty; give a non-empty id or none");
    import_fails("qa", "b.jsonl", "{\"id\": true, \"input\": 1}\n", SK_EPARSE,
                 "FILE:1: \"id\" must be a string or a number");
}
END_TEST

/* ---- JSONL rows ----------------------------------------------------------- */

START_TEST(jsonl_row_rules)
{
    import_fails("qa", "r.jsonl", "{\"input\": 1}\n{\"expected\": 2}\n", SK_EPARSE,
                 "FILE:2: row has no \"input\"; a dataset row is {\"input\": ..., \"expected\": "
                 "...} with optional id, output, metadata and tags");
    import_fails("qa", "r.jsonl", "{\"input\": null}\n", SK_EPARSE,
                 "FILE:1: row has no \"input\"; a dataset row is {\"input\": ..., \"expected\": "
                 "...} with optional id, output, metadata and tags");
    import_fails("qa", "r.jsonl", "{\"input\": 1, \"category\": \"x\"}\n", SK_EPARSE,
                 "FILE:1: unknown field \"category\"; a dataset row has id, input, expected, "
                 "output, metadata and tags (put other values in metadata)");
    import_fails("qa", "r.jsonl", "{\"input\": 1, \"metadata\": [1]}\n", SK_EPARSE,
                 "FILE:1: \"metadata\" must be a JSON object");
    import_fails("qa", "r.jsonl", "{\"input\": 1, \"tags\": [\"a\", 2]}\n", SK_EPARSE,
                 "FILE:1: \"tags\" must be an array of strings");
    import_fails("qa", "r.jsonl", "{\"input\": 1, \"tags\": \"a\"}\n", SK_EPARSE,
                 "FILE:1: \"tags\" must be an array of strings");
    import_fails("qa", "r.jsonl", "[1, 2]\n", SK_EPARSE,
                 "FILE:1: column 1: a row must be a JSON object, got an array");
    import_fails("qa", "r.jsonl", "{\"input\": 1, \"input\": 2}\n", SK_EPARSE,
                 "FILE:1: column 14: duplicate key \"input\"");
    counts_are(0, 0, 0);
}
END_TEST

START_TEST(values_are_kept_verbatim)
{
    /* Big numbers, exponents, escapes, nesting and unicode survive byte for
     * byte; null counts as absent; a BOM, CRLF and blank lines are fine. */
    const char in[] =
        "\xef\xbb\xbf{\"input\": 123456789012345678901234567890, \"expected\": 1.50e+300, "
        "\"output\": null, \"tags\": [\"a\\u00e9\", \"b\"]}\r\n"
        "\n"
        "   {\"tags\": [], \"metadata\": {\"n\": {\"deep\": [true, false, null]}}, "
        "\"input\": \"\\ud83d\\ude00 \\\"q\\\" \\\\ \\/\", \"output\": {\"text\": \"\"}}  \n";
    import_ok("qa", "v.jsonl", in);
    char *out = export_of("qa");
    char *ids = ids_of("qa");
    char *id0 = strndup(ids, strchr(ids, ',') - ids);
    char *id1 = strdup(strchr(ids, ',') + 1);
    char *want =
        sk_asprintf("{\"id\": \"%s\", \"input\": 123456789012345678901234567890, \"expected\": "
                    "1.50e+300, \"tags\": [\"a\\u00e9\", \"b\"]}\n"
                    "{\"id\": \"%s\", \"input\": \"\\ud83d\\ude00 \\\"q\\\" \\\\ \\/\", "
                    "\"output\": {\"text\": \"\"}, \"metadata\": {\"n\": {\"deep\": [true, false, "
                    "null]}}, \"tags\": []}\n",
                    id0, id1);
    ck_assert_str_eq(out, want);
    char *keys = sk_store_fx_text(st, "SELECT metadata_keys FROM dataset_versions");
    ck_assert_str_eq(keys, "[\"n\"]");

    /* And an export imports again to the same export. */
    char *path = sk_store_fx_write("again.jsonl", out);
    char *err = NULL;
    ck_assert_int_eq(sk_dataset_import(st, "qa", path, SK_DATASET_JSONL, NULL, &err), 0);
    char *out2 = export_of("qa@2");
    ck_assert_str_eq(out2, out);
    free(out2);
    free(path);
    free(keys);
    free(want);
    free(id0);
    free(id1);
    free(ids);
    free(out);
}
END_TEST

START_TEST(example_round_trip)
{
    /* The example project's data, exported, is the same file. */
    const char *src = getenv("SK_SRCDIR");
    ck_assert_ptr_nonnull(src);
    char *path = sk_asprintf("%s/examples/qa/data.jsonl", src);
    char *err = NULL;
    sk_dataset_version v;
    ck_assert_int_eq(sk_dataset_import(st, "qa", path, SK_DATASET_AUTO, &v, &err), 0);
    ck_assert_int_ge(v.rows, 5);
    FILE *f = fopen(path, "rb");
    ck_assert_ptr_nonnull(f);
    sk_buf file = {0};
    char chunk[4096];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        sk_buf_add(&file, chunk, n);
    fclose(f);
    char *out = export_of("qa");
    ck_assert_str_eq(out, file.data);
    free(out);
    sk_buf_free(&file);
    sk_dataset_version_clear(&v);
    free(path);
}
END_TEST

/* ---- CSV rows ------------------------------------------------------------- */

START_TEST(csv_rows)
{
    import_ok("c", "d.csv",
              "\xef\xbb\xbfid,input,expected,output,tags,metadata.topic,metadata.level\r\n"
              "q1,\"Say \"\"hi\"\", then\nleave\",hi,,\"math, easy ,\",algebra,2\r\n"
              "q2,plain,,out,\"[\"\"x\"\", \"\"y\"\"]\",,\r\n"
              "q3,é ü,\"\",,,,\r\n");
    char *out = export_of("c");
    ck_assert_str_eq(out,
                     "{\"id\": \"q1\", \"input\": \"Say \\\"hi\\\", then\\nleave\", \"expected\": "
                     "\"hi\", \"metadata\": {\"topic\": \"algebra\", \"level\": \"2\"}, \"tags\": "
                     "[\"math\", \"easy\"]}\n"
                     "{\"id\": \"q2\", \"input\": \"plain\", \"output\": \"out\", \"tags\": "
                     "[\"x\", \"y\"]}\n"
                     "{\"id\": \"q3\", \"input\": \"é ü\"}\n");
    free(out);
    char *keys = sk_store_fx_text(st, "SELECT metadata_keys FROM dataset_versions");
    ck_assert_str_eq(keys, "[\"level\", \"topic\"]");
    free(keys);
}
END_TEST

START_TEST(csv_metadata_column)
{
    import_ok("c", "m.csv",
              "input,metadata,metadata.src\n"
              "a,\"{\"\"n\"\": 12345678901234567890}\",web\n"
              "b,\" { } \",\n"
              "c,,log\n"
              "d,\"{\"\"k\"\": 1 }\",\n");
    char *out = export_of("c");
    char *ids[4];
    for (int i = 0; i < 4; i++) {
        char in[4] = {'"', (char)('a' + i), '"', '\0'};
        ids[i] = derived(in, NULL);
    }
    char *want = sk_asprintf(
        "{\"id\": \"%s\", \"input\": \"a\", \"metadata\": {\"n\": 12345678901234567890, "
        "\"src\": \"web\"}}\n"
        "{\"id\": \"%s\", \"input\": \"b\", \"metadata\": { }}\n"
        "{\"id\": \"%s\", \"input\": \"c\", \"metadata\": {\"src\": \"log\"}}\n"
        "{\"id\": \"%s\", \"input\": \"d\", \"metadata\": {\"k\": 1 }}\n",
        ids[0], ids[1], ids[2], ids[3]);
    ck_assert_str_eq(out, want);
    for (int i = 0; i < 4; i++)
        free(ids[i]);
    free(want);
    free(out);
}
END_TEST

START_TEST(csv_errors)
{
    import_fails("c", "e.csv", "input,answer,notes\nx,1,2\n", SK_EPARSE,
                 "FILE:1: unknown columns \"answer\", \"notes\"; the columns can be id, input, "
                 "expected, output, metadata and tags, and metadata.KEY for a metadata field KEY");
    import_fails("c", "e.csv", "input,expected,output,id\nx,1,2\ny,1,2,3\n", SK_EPARSE,
                 "FILE:2: 3 fields, the header has 4");
    import_fails("c", "e.csv", "input,expected\n\"multi\nline\",1\nx\n", SK_EPARSE,
                 "FILE:4: 1 field, the header has 2");
    import_fails("c", "e.csv", "expected,id\n1,2\n", SK_EPARSE,
                 "FILE:1: the header has no \"input\" column; a dataset row needs an input");
    import_fails("c", "e.csv", "input,expected,input\n1,2,3\n", SK_EPARSE,
                 "FILE:1: column \"input\" appears twice (columns 1 and 3)");
    import_fails("c", "e.csv", "input,expected\n,2\n", SK_EPARSE,
                 "FILE:2: the input is empty; a dataset row needs an input");
    import_fails("c", "e.csv", "input,metadata\nx,[1]\n", SK_EPARSE,
                 "FILE:2: metadata must be a JSON object");
    import_fails(
        "c", "e.csv", "input,metadata\nx,{nope}\n", SK_EPARSE,
        "FILE:2: metadata: column 2: expected a double-quoted key or '}' in object, got 'n'");
    import_fails("c", "e.csv", "input,metadata,metadata.k\nx,\"{\"\"k\"\": 1}\",2\n", SK_EPARSE,
                 "FILE:2: column \"metadata.k\" sets metadata field \"k\", which the metadata "
                 "column sets too");
    import_fails("c", "e.csv", "input,tags\nx,\"[1]\"\n", SK_EPARSE,
                 "FILE:2: \"tags\" must be an array of strings");
    import_fails("c", "e.csv", "input\n\xff\n", SK_EPARSE,
                 "FILE:2: column \"input\" is not valid UTF-8");
    import_fails("c", "e.csv", "input,x\"y\n1,\"2\"3\n", SK_EPARSE,
                 "FILE:1: unknown column \"x\"y\"; the columns can be id, input, expected, "
                 "output, metadata and tags, and metadata.KEY for a metadata field KEY");
    import_fails("c", "e.csv", "input\n\"open\n", SK_EPARSE,
                 "FILE:2: a quoted field that starts on this line is never closed");
    counts_are(0, 0, 0);
}
END_TEST

/* ---- names and references ------------------------------------------------- */

START_TEST(references)
{
    import_ok("qa", "a.jsonl", qa1);
    import_ok("qa", "b.jsonl", qa2);
    sk_dataset_version v;
    char *err = NULL;
    ck_assert_int_eq(sk_dataset_resolve(st, "nope", &v, &err), SK_ENOTFOUND);
    ck_assert_str_eq(err, "no dataset \"nope\" in this project; `scorekit dataset list` shows the "
                          "datasets, `scorekit dataset import nope FILE` makes one");
    free(err);
    err = NULL;
    ck_assert_int_eq(sk_dataset_resolve(st, "qa@3", &v, &err), SK_ENOTFOUND);
    ck_assert_str_eq(err, "dataset \"qa\" has no version 3; its versions are 1 to 2");
    free(err);
    err = NULL;
    import_ok("one", "a.jsonl", qa1);
    ck_assert_int_eq(sk_dataset_resolve(st, "one@2", &v, &err), SK_ENOTFOUND);
    ck_assert_str_eq(err, "dataset \"one\" has no version 2; its only version is 1");
    free(err);
    err = NULL;

    static const char *const bad[] = {"qa@",   "qa@0",  "qa@x",           "qa@1@2",
                                      "qa@-1", "qa@01", "qa@99999999999", "qa@ 1"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        ck_assert_int_eq(sk_dataset_resolve(st, bad[i], &v, &err), SK_EINVAL);
        char *want = sk_asprintf("bad dataset reference \"%s\": write NAME for the newest "
                                 "version or NAME@VERSION, where VERSION is 1, 2, ...",
                                 bad[i]);
        ck_assert_str_eq(err, want);
        free(want);
        free(err);
        err = NULL;
    }
    ck_assert_int_eq(sk_dataset_resolve(st, "@1", &v, &err), SK_EINVAL);
    sk_store_fx_has(err, "bad dataset name \"\"");
    free(err);
    err = NULL;

    char *name;
    int ver;
    ck_assert_int_eq(sk_dataset_parse_ref("my-set.v2_x@12", &name, &ver, &err), 0);
    ck_assert_str_eq(name, "my-set.v2_x");
    ck_assert_int_eq(ver, 12);
    free(name);
    ck_assert_int_eq(sk_dataset_parse_ref("qa", &name, &ver, &err), 0);
    ck_assert_int_eq(ver, 0);
    free(name);
}
END_TEST

START_TEST(names)
{
    char *err = NULL;
    ck_assert_int_eq(sk_dataset_check_name("a", &err), 0);
    ck_assert_int_eq(sk_dataset_check_name("9lives.v1-final_2", &err), 0);
    static const char *const bad[] = {"", "-x", ".x", "a b", "a/b", "a@b", "caf\xc3\xa9"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        ck_assert_int_eq(sk_dataset_check_name(bad[i], &err), SK_EINVAL);
        char *want = sk_asprintf("bad dataset name \"%s\": use 1 to 100 letters, digits, '.', "
                                 "'_' and '-', starting with a letter or digit",
                                 bad[i]);
        ck_assert_str_eq(err, want);
        free(want);
        free(err);
        err = NULL;
    }
    char long_name[102];
    memset(long_name, 'a', 101);
    long_name[101] = '\0';
    ck_assert_int_eq(sk_dataset_check_name(long_name, &err), SK_EINVAL);
    free(err);
    long_name[100] = '\0';
    ck_assert_int_eq(sk_dataset_check_name(long_name, NULL), 0);

    import_fails("a b", "a.jsonl", qa1, SK_EINVAL,
                 "bad dataset name \"a b\": use 1 to 100 letters, digits, '.', '_' and '-', "
                 "starting with a letter or digit");
    counts_are(0, 0, 0);
}
END_TEST

static Suite *dataset_suite(void)
{
    Suite *s = suite_create("dataset");
    TCase *tc = tcase_create("versions");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, imports_make_versions);
    tcase_add_test(tc, sync_imports_only_changes);
    tcase_add_test(tc, list_shows_newest_versions);
    tcase_add_test(tc, another_connection_sees_the_import);
    suite_add_tcase(s, tc);

    tc = tcase_create("all_or_nothing");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, malformed_line_writes_nothing);
    tcase_add_test(tc, store_failure_rolls_back);
    tcase_add_test(tc, empty_and_missing_files);
    suite_add_tcase(s, tc);

    tc = tcase_create("ids");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, duplicate_ids_name_both_lines);
    tcase_add_test(tc, derived_ids_match_score_and_are_stable);
    tcase_add_test(tc, id_forms);
    suite_add_tcase(s, tc);

    tc = tcase_create("jsonl");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, jsonl_row_rules);
    tcase_add_test(tc, values_are_kept_verbatim);
    tcase_add_test(tc, example_round_trip);
    suite_add_tcase(s, tc);

    tc = tcase_create("csv");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, csv_rows);
    tcase_add_test(tc, csv_metadata_column);
    tcase_add_test(tc, csv_errors);
    suite_add_tcase(s, tc);

    tc = tcase_create("references");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, references);
    tcase_add_test(tc, names);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return sk_run_suite(dataset_suite());
}
