/*
 * Tests for the CSV reader (csv.c): RFC 4180 quoting, line breaks inside
 * quotes and the line numbers after them, CRLF, a byte order mark, empty
 * fields and lines, records that cross read buffers, the errors and their
 * FILE:LINE, and rewinding.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "store/csv.h"
#include "base/error.h"
#include "run_suite.h"
#include "store_fixture.h"
#include "base/util.h"

/* Every record as "LINE:f1|f2|...\n"; a quoted field is shown in <>, and
 * CR, LF and NUL inside fields as \r, \n and \0.  Returns the final rc of
 * sk_csv_next; *err gets its message. */
static int read_all(const char *data, size_t n, sk_buf *out, char **err)
{
    char *path = sk_store_fx_write_n("t.csv", data, n);
    sk_csv *c;
    ck_assert_int_eq(sk_csv_open(&c, path, err), 0);
    sk_buf_adds(out, "");
    const sk_csv_field *f;
    size_t nf, line;
    int rc;
    while ((rc = sk_csv_next(c, &f, &nf, &line, err)) == 1) {
        sk_buf_printf(out, "%zu:", line);
        for (size_t i = 0; i < nf; i++) {
            ck_assert_int_eq(f[i].p[f[i].n], '\0');
            sk_buf_adds(out, i ? "|" : "");
            sk_buf_adds(out, f[i].quoted ? "<" : "");
            for (size_t k = 0; k < f[i].n; k++) {
                char ch = f[i].p[k];
                if (ch == '\n')
                    sk_buf_adds(out, "\\n");
                else if (ch == '\r')
                    sk_buf_adds(out, "\\r");
                else if (ch == '\0')
                    sk_buf_adds(out, "\\0");
                else
                    sk_buf_addc(out, ch);
            }
            sk_buf_adds(out, f[i].quoted ? ">" : "");
        }
        sk_buf_addc(out, '\n');
    }
    sk_csv_close(c);
    free(path);
    return rc;
}

static void check_csv(const char *data, size_t n, const char *want)
{
    sk_buf out = {0};
    char *err = NULL;
    int rc = read_all(data, n, &out, &err);
    ck_assert_msg(rc == 0, "rc %d: %s", rc, err ? err : "");
    ck_assert_str_eq(out.data, want);
    sk_buf_free(&out);
}

#define CHECK(lit, want) check_csv(lit, sizeof(lit) - 1, want)

static void check_error(const char *data, const char *want_err, const char *want_before)
{
    sk_buf out = {0};
    char *err = NULL;
    ck_assert_int_eq(read_all(data, strlen(data), &out, &err), SK_EPARSE);
    char *want = sk_asprintf("%s/t.csv:%s", sk_store_fx_dir, want_err);
    ck_assert_str_eq(err, want);
    ck_assert_str_eq(out.data, want_before);
    free(want);
    free(err);
    sk_buf_free(&out);
}

START_TEST(plain_records)
{
    CHECK("a,b,c\n1,2,3\n", "1:a|b|c\n2:1|2|3\n");
    CHECK("a,b\n1,2", "1:a|b\n2:1|2\n"); /* no newline at the end */
    CHECK("one\n", "1:one\n");
    CHECK("", "");
    CHECK("\n\n", "");
    /* Spaces belong to the field. */
    CHECK(" a , b \n", "1: a | b \n");
}
END_TEST

START_TEST(empty_fields)
{
    CHECK("a,,c\n", "1:a||c\n");
    CHECK("a,\n", "1:a|\n");
    CHECK(",\n", "1:|\n");
    CHECK("a,", "1:a|\n");
    CHECK("\"\",x\n", "1:<>|x\n");
    /* Blank lines between records are skipped; the numbers still count. */
    CHECK("a\n\nb\n\n\nc\n", "1:a\n3:b\n6:c\n");
}
END_TEST

START_TEST(quoted_fields)
{
    CHECK("\"a,b\",c\n", "1:<a,b>|c\n");
    CHECK("\"say \"\"hi\"\"\",x\n", "1:<say \"hi\">|x\n");
    CHECK("\"\"\"\"\n", "1:<\">\n");
    CHECK("x,\"last\"", "1:x|<last>\n");
    /* A quote inside an unquoted field is text. */
    CHECK("5\" screen,b\n", "1:5\" screen|b\n");
}
END_TEST

START_TEST(newlines_inside_quotes)
{
    CHECK("id,text\n1,\"two\nlines\"\n2,\"three\n\nlines\"\n3,x\n",
          "1:id|text\n2:1|<two\\nlines>\n4:2|<three\\n\\nlines>\n7:3|x\n");
    CHECK("\"a\r\nb\"\r\nc\r\n", "1:<a\\r\\nb>\n3:c\n");
}
END_TEST

START_TEST(crlf_and_bom)
{
    CHECK("a,b\r\n1,2\r\n", "1:a|b\n2:1|2\n");
    CHECK("\xef\xbb\xbf"
          "a,b\r\n1,2",
          "1:a|b\n2:1|2\n");
    CHECK("\xef\xbb\xbf", "");
    /* Only a whole BOM at the very start is dropped. */
    CHECK("\xef\xbb"
          "x\n",
          "1:\xef\xbbx\n");
    CHECK("a\n\xef\xbb\xbf"
          "b\n",
          "1:a\n2:\xef\xbb\xbf"
          "b\n");
    /* A lone CR is data, not a line end. */
    CHECK("a\rb,c\n", "1:a\\rb|c\n");
    /* NUL bytes pass through, counted by length. */
    CHECK("a\0b,c\n", "1:a\\0b|c\n");
}
END_TEST

START_TEST(bad_quotes)
{
    check_error("a,b\n\"open,\nx\n", "2: a quoted field that starts on this line is never closed",
                "1:a|b\n");
    check_error("a\n\"x\"y,z\n",
                "2: unexpected 'y' after the closing quote of field 1; inside quotes, write a "
                "quote as two quotes (\"\")",
                "1:a\n");
    check_error("\"a\nb\"c\n",
                "2: unexpected 'c' after the closing quote of field 1; inside quotes, write a "
                "quote as two quotes (\"\")",
                "");
}
END_TEST

START_TEST(errors_are_sticky_until_rewind)
{
    char *path = sk_store_fx_write("t.csv", "a\n\"x\"y\n");
    sk_csv *c;
    char *err = NULL;
    ck_assert_int_eq(sk_csv_open(&c, path, &err), 0);
    const sk_csv_field *f;
    size_t n, line;
    ck_assert_int_eq(sk_csv_next(c, &f, &n, &line, &err), 1);
    ck_assert_int_eq(sk_csv_next(c, &f, &n, &line, &err), SK_EPARSE);
    ck_assert_int_eq(sk_csv_next(c, &f, &n, &line, &err), SK_EPARSE);
    sk_store_fx_has(err, "reading stopped at an earlier error");
    free(err);
    err = NULL;
    ck_assert_int_eq(sk_csv_rewind(c, &err), 0);
    ck_assert_int_eq(sk_csv_next(c, &f, &n, &line, &err), 1);
    ck_assert_str_eq(f[0].p, "a");
    ck_assert_uint_eq(line, 1);
    sk_csv_close(c);
    free(path);
}
END_TEST

START_TEST(rewind_replays)
{
    char *path = sk_store_fx_write("t.csv", "\xef\xbb\xbfh1,h2\n\"x\ny\",2\nz,3\n");
    sk_csv *c;
    char *err = NULL;
    ck_assert_int_eq(sk_csv_open(&c, path, &err), 0);
    ck_assert_str_eq(sk_csv_path(c), path);
    for (int pass = 0; pass < 2; pass++) {
        const sk_csv_field *f;
        size_t n, line;
        ck_assert_int_eq(sk_csv_next(c, &f, &n, &line, &err), 1);
        ck_assert_str_eq(f[0].p, "h1"); /* the BOM is skipped on every pass */
        ck_assert_int_eq(sk_csv_next(c, &f, &n, &line, &err), 1);
        ck_assert_str_eq(f[0].p, "x\ny");
        ck_assert_uint_eq(line, 2);
        ck_assert_int_eq(sk_csv_next(c, &f, &n, &line, &err), 1);
        ck_assert_uint_eq(line, 4);
        ck_assert_int_eq(sk_csv_next(c, &f, &n, &line, &err), 0);
        ck_assert_int_eq(sk_csv_rewind(c, &err), 0);
    }
    sk_csv_close(c);
    free(path);
}
END_TEST

START_TEST(big_records_cross_buffers)
{
    /* Fields of 200 KB, quoted and not, span several 64 KB reads. */
    size_t big = 200000;
    sk_buf data = {0};
    for (int r = 0; r < 3; r++) {
        sk_buf_adds(&data, "\"");
        for (size_t i = 0; i < big; i++)
            sk_buf_addc(&data, i % 1000 == 999 ? '\n' : (char)('a' + i % 26));
        sk_buf_adds(&data, "\",");
        for (size_t i = 0; i < big; i++)
            sk_buf_addc(&data, (char)('A' + i % 26));
        sk_buf_adds(&data, "\r\n");
    }
    char *path = sk_store_fx_write_n("t.csv", data.data, data.len);
    sk_csv *c;
    char *err = NULL;
    ck_assert_int_eq(sk_csv_open(&c, path, &err), 0);
    const sk_csv_field *f;
    size_t n, line, want_line = 1;
    for (int r = 0; r < 3; r++) {
        ck_assert_int_eq(sk_csv_next(c, &f, &n, &line, &err), 1);
        ck_assert_uint_eq(n, 2);
        ck_assert_uint_eq(line, want_line);
        ck_assert_uint_eq(f[0].n, big);
        ck_assert_uint_eq(f[1].n, big);
        ck_assert_int_eq(f[0].p[big - 1], '\n'); /* i % 1000 == 999 */
        ck_assert_int_eq(f[0].p[big - 2], 'a' + (big - 2) % 26);
        ck_assert_int_eq(f[1].p[big - 1], 'A' + (big - 1) % 26);
        want_line += big / 1000 + 1;
    }
    ck_assert_int_eq(sk_csv_next(c, &f, &n, &line, &err), 0);

    /* The record limit. */
    ck_assert_int_eq(sk_csv_rewind(c, &err), 0);
    sk_csv_set_max_record(c, 1000);
    ck_assert_int_eq(sk_csv_next(c, &f, &n, &line, &err), SK_EPARSE);
    char *want = sk_asprintf("%s:1: record is longer than 1000 bytes", path);
    ck_assert_str_eq(err, want);
    free(want);
    free(err);
    sk_csv_close(c);
    free(path);
    sk_buf_free(&data);
}
END_TEST

START_TEST(open_errors)
{
    sk_csv *c = (sk_csv *)1;
    char *err = NULL;
    char *path = sk_asprintf("%s/missing.csv", sk_store_fx_dir);
    ck_assert_int_eq(sk_csv_open(&c, path, &err), SK_ENOTFOUND);
    ck_assert_ptr_null(c);
    sk_store_fx_has(err, "missing.csv: cannot open: No such file or directory");
    free(err);
    free(path);
    sk_csv_close(NULL);
}
END_TEST

static Suite *csv_suite(void)
{
    Suite *s = suite_create("csv");
    TCase *tc = tcase_create("read");
    tcase_add_checked_fixture(tc, sk_store_fx_setup, sk_store_fx_teardown);
    tcase_add_test(tc, plain_records);
    tcase_add_test(tc, empty_fields);
    tcase_add_test(tc, quoted_fields);
    tcase_add_test(tc, newlines_inside_quotes);
    tcase_add_test(tc, crlf_and_bom);
    tcase_add_test(tc, bad_quotes);
    tcase_add_test(tc, errors_are_sticky_until_rewind);
    tcase_add_test(tc, rewind_replays);
    tcase_add_test(tc, big_records_cross_buffers);
    tcase_add_test(tc, open_errors);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return sk_run_suite(csv_suite());
}
