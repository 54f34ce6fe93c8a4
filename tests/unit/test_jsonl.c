/*
 * Tests for the JSONL line reader (jsonl.c) on real files and pipes: BOMs,
 * line endings, blank lines, lines that cross read buffers, the line length
 * limit, rewinding (also of a pipe, which the reader replays), and open
 * errors.  The JSON in each line is tested in test_row.c.
 */
#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/error.h"
#include "store/jsonl.h"
#include "base/row.h"
#include "run_suite.h"
#include "tmpfile_util.h"
#include "base/util.h"

/* ---- helpers ---------------------------------------------------------- */

/* Read every line as "LINENO:TEXT\n" into out; returns the final rc. */
static int collect(sk_jsonl *r, sk_buf *out, size_t max_lines, char **err)
{
    const char *line;
    size_t len, lineno;
    int rc;
    size_t count = 0;
    while (count < max_lines && (rc = sk_jsonl_next(r, &line, &len, &lineno, err)) == 1) {
        ck_assert_uint_eq(strlen(line), len); /* NUL-terminated right after */
        sk_buf_printf(out, "%zu:", lineno);
        sk_buf_add(out, line, len);
        sk_buf_addc(out, '\n');
        count++;
    }
    return count == max_lines ? 1 : rc;
}

/* All lines of a file given as bytes, as collect() formats them. */
static char *lines_of(const char *data, size_t n)
{
    char *path = sk_tmp_write(data, n);
    sk_jsonl *r;
    char *err = NULL;
    ck_assert_int_eq(sk_jsonl_open(&r, path, &err), 0);
    sk_buf out = {0};
    sk_buf_adds(&out, "");
    ck_assert_int_eq(collect(r, &out, SIZE_MAX, &err), 0);
    ck_assert_ptr_null(err);
    sk_jsonl_close(r);
    sk_tmp_remove(path);
    return out.data;
}

#define LINES(lit) lines_of(lit, sizeof(lit) - 1)

static void check_lines(const char *data, size_t n, const char *want)
{
    char *got = lines_of(data, n);
    ck_assert_str_eq(got, want);
    free(got);
}

/* ---- the line reader -------------------------------------------------- */

START_TEST(test_bom_crlf_blank)
{
    const char bom[] = "\xEF\xBB\xBF{\"a\":1}\n{\"b\":2}\n";
    check_lines(bom, sizeof bom - 1, "1:{\"a\":1}\n2:{\"b\":2}\n");
    /* A BOM later in the file is not special. */
    const char bom2[] = "{}\n\xEF\xBB\xBF{}\n";
    check_lines(bom2, sizeof bom2 - 1, "1:{}\n2:\xEF\xBB\xBF{}\n");
    const char crlf[] = "{\"a\":1}\r\n\r\n{\"b\":2}\r\n";
    check_lines(crlf, sizeof crlf - 1, "1:{\"a\":1}\n3:{\"b\":2}\n");
    const char blank[] = "\n   \n\t \r\n{\"a\":1}\n\n \t{\"b\":2} \n\n";
    check_lines(blank, sizeof blank - 1, "4:{\"a\":1}\n6: \t{\"b\":2} \n");
    const char nonl[] = "{\"a\":1}\n{\"b\":2}";
    check_lines(nonl, sizeof nonl - 1, "1:{\"a\":1}\n2:{\"b\":2}\n");
    const char nonl_cr[] = "{\"a\":1}\r";
    check_lines(nonl_cr, sizeof nonl_cr - 1, "1:{\"a\":1}\n");
    check_lines("", 0, "");
    check_lines("\n\n  \n\t", 4, "");
    check_lines("\xEF\xBB\xBF", 3, "");
    check_lines("\xEF\xBB\xBF\r\n{}", 7, "2:{}\n");
}
END_TEST

START_TEST(test_many_lines_cross_buffer)
{
    /* Lines of varied length crossing many 64 KiB read boundaries. */
    sk_buf data = {0}, want = {0};
    for (size_t i = 1; i <= 40000; i++) {
        size_t pad = (i * 7919) % 300;
        sk_buf_printf(&data, "{\"i\":%zu,\"p\":\"", i);
        sk_buf_printf(&want, "%zu:{\"i\":%zu,\"p\":\"", i, i);
        for (size_t k = 0; k < pad; k++) {
            sk_buf_addc(&data, 'x');
            sk_buf_addc(&want, 'x');
        }
        sk_buf_adds(&data, i % 3 ? "\"}\n" : "\"}\r\n");
        sk_buf_adds(&want, "\"}\n");
    }
    check_lines(data.data, data.len, want.data);
    sk_buf_free(&data);
    sk_buf_free(&want);
}
END_TEST

START_TEST(test_long_line)
{
    size_t big = (size_t)10 << 20;
    sk_buf data = {0};
    sk_buf_adds(&data, "{\"a\":1}\n{\"output\":\"");
    sk_buf_reserve(&data, big);
    memset(data.data + data.len, 'y', big);
    data.len += big;
    sk_buf_adds(&data, "\"}\n{\"b\":2}\n");
    char *path = sk_tmp_write(data.data, data.len);

    sk_jsonl *r;
    char *err = NULL;
    const char *line;
    size_t len, lineno;
    ck_assert_int_eq(sk_jsonl_open(&r, path, &err), 0);
    ck_assert_str_eq(sk_jsonl_path(r), path);
    ck_assert_int_eq(sk_jsonl_next(r, &line, &len, &lineno, &err), 1);
    ck_assert_int_eq(sk_jsonl_next(r, &line, &len, &lineno, &err), 1);
    ck_assert_uint_eq(len, big + 13);
    ck_assert_uint_eq(lineno, 2);
    ck_assert_int_eq(line[len], '\0');
    const char *keys[] = {"output"};
    sk_span sp[1];
    char msg[200];
    ck_assert_int_eq(sk_row_scan(line, len, keys, 1, sp, msg, sizeof msg), 0);
    ck_assert_uint_eq(sp[0].n, big + 2);
    ck_assert_int_eq(sk_jsonl_next(r, &line, &len, &lineno, &err), 1);
    ck_assert_str_eq(line, "{\"b\":2}");
    ck_assert_uint_eq(lineno, 3);
    ck_assert_int_eq(sk_jsonl_next(r, &line, &len, &lineno, &err), 0);

    /* The limit: the same file with a 1 MiB cap fails on line 2. */
    ck_assert_int_eq(sk_jsonl_rewind(r, &err), 0);
    sk_jsonl_set_max_line(r, (size_t)1 << 20);
    ck_assert_int_eq(sk_jsonl_next(r, &line, &len, &lineno, &err), 1);
    ck_assert_int_eq(sk_jsonl_next(r, &line, &len, &lineno, &err), SK_EPARSE);
    char *want = sk_asprintf("%s:2: line is longer than 1048576 bytes", path);
    ck_assert_str_eq(err, want);
    /* Sticky until rewind. */
    free(err);
    err = NULL;
    ck_assert_int_eq(sk_jsonl_next(r, &line, &len, &lineno, &err), SK_EPARSE);
    ck_assert_str_eq(err, want);
    free(want);
    free(err);
    err = NULL;
    ck_assert_int_eq(sk_jsonl_rewind(r, &err), 0);
    ck_assert_int_eq(sk_jsonl_next(r, &line, &len, &lineno, &err), 1);
    ck_assert_str_eq(line, "{\"a\":1}");
    sk_jsonl_close(r);
    sk_tmp_remove(path);
    sk_buf_free(&data);
}
END_TEST

START_TEST(test_max_line_exact)
{
    /* A line of exactly the limit passes, CR and BOM not counted; one more
     * byte fails, also on an unterminated last line. */
    const char data[] = "\xEF\xBB\xBF"
                        "0123456789\r\n"
                        "\n"
                        "0123456789A";
    char *path = sk_tmp_write(data, sizeof data - 1);
    sk_jsonl *r;
    char *err = NULL;
    const char *line;
    size_t len, lineno;
    ck_assert_int_eq(sk_jsonl_open(&r, path, &err), 0);
    sk_jsonl_set_max_line(r, 10);
    ck_assert_int_eq(sk_jsonl_next(r, &line, &len, &lineno, &err), 1);
    ck_assert_str_eq(line, "0123456789");
    ck_assert_int_eq(sk_jsonl_next(r, &line, &len, &lineno, &err), SK_EPARSE);
    char *want = sk_asprintf("%s:3: line is longer than 10 bytes", path);
    ck_assert_str_eq(err, want);
    free(want);
    free(err);
    sk_jsonl_close(r);
    sk_tmp_remove(path);
}
END_TEST

START_TEST(test_rewind_file)
{
    const char data[] = "{\"a\":1}\n\n{\"b\":2}\n{\"c\":3}";
    char *path = sk_tmp_write(data, sizeof data - 1);
    sk_jsonl *r;
    char *err = NULL;
    ck_assert_int_eq(sk_jsonl_open(&r, path, &err), 0);
    sk_buf a = {0}, b = {0};
    ck_assert_int_eq(collect(r, &a, 2, &err), 1);
    ck_assert_int_eq(sk_jsonl_rewind(r, &err), 0);
    ck_assert_int_eq(collect(r, &b, SIZE_MAX, &err), 0);
    ck_assert_str_eq(a.data, "1:{\"a\":1}\n3:{\"b\":2}\n");
    ck_assert_str_eq(b.data, "1:{\"a\":1}\n3:{\"b\":2}\n4:{\"c\":3}\n");
    /* Rewinding at the end works too, and repeatedly. */
    sk_buf_reset(&b);
    ck_assert_int_eq(sk_jsonl_rewind(r, &err), 0);
    ck_assert_int_eq(collect(r, &b, SIZE_MAX, &err), 0);
    ck_assert_str_eq(b.data, "1:{\"a\":1}\n3:{\"b\":2}\n4:{\"c\":3}\n");
    sk_buf_free(&a);
    sk_buf_free(&b);
    sk_jsonl_close(r);
    sk_tmp_remove(path);
}
END_TEST

/* A pipe fed by a child process, as stdin would be. */
static int pipe_from_child(const char *data, size_t n, pid_t *pid)
{
    int fds[2];
    ck_assert_int_eq(pipe(fds), 0);
    *pid = fork();
    ck_assert_int_ge(*pid, 0);
    if (*pid == 0) {
        close(fds[0]);
        /* Odd-sized chunks so lines straddle reads. */
        size_t off = 0, chunk = 777;
        while (off < n) {
            size_t k = n - off < chunk ? n - off : chunk;
            ssize_t w = write(fds[1], data + off, k);
            if (w <= 0)
                _exit(1);
            off += (size_t)w;
            chunk = chunk * 3 % 100003 + 1;
        }
        _exit(0);
    }
    close(fds[1]);
    return fds[0];
}

static void reap(pid_t pid)
{
    int status;
    ck_assert_int_eq(waitpid(pid, &status, 0), pid);
    ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

START_TEST(test_pipe_rewind)
{
    sk_buf data = {0}, want = {0};
    sk_buf_adds(&data, "\xEF\xBB\xBF");
    for (size_t i = 1; i <= 20000; i++) {
        if (i % 1000 == 0) {
            sk_buf_adds(&data, "  \r\n");
            continue;
        }
        sk_buf_printf(&data, "{\"i\":%zu,\"t\":\"%0*zu\"}\n", i, (int)(i % 97), i);
        sk_buf_printf(&want, "%zu:{\"i\":%zu,\"t\":\"%0*zu\"}\n", i, i, (int)(i % 97), i);
    }

    /* Whole pass, rewind, whole pass again. */
    pid_t pid;
    int fd = pipe_from_child(data.data, data.len, &pid);
    sk_jsonl *r;
    char *err = NULL;
    ck_assert_int_eq(sk_jsonl_open_fd(&r, fd, "<pipe>", &err), 0);
    ck_assert_str_eq(sk_jsonl_path(r), "<pipe>");
    sk_buf got = {0};
    ck_assert_int_eq(collect(r, &got, SIZE_MAX, &err), 0);
    ck_assert_str_eq(got.data, want.data);
    for (int pass = 0; pass < 2; pass++) {
        sk_buf_reset(&got);
        ck_assert_int_eq(sk_jsonl_rewind(r, &err), 0);
        ck_assert_int_eq(collect(r, &got, SIZE_MAX, &err), 0);
        ck_assert_str_eq(got.data, want.data);
    }
    sk_jsonl_close(r);
    close(fd);
    reap(pid);

    /* Rewind in the middle: the replay joins the rest of the pipe. */
    fd = pipe_from_child(data.data, data.len, &pid);
    ck_assert_int_eq(sk_jsonl_open_fd(&r, fd, "<pipe>", &err), 0);
    sk_buf_reset(&got);
    ck_assert_int_eq(collect(r, &got, 5000, &err), 1);
    ck_assert_int_eq(strncmp(got.data, want.data, got.len), 0);
    sk_buf_reset(&got);
    ck_assert_int_eq(sk_jsonl_rewind(r, &err), 0);
    ck_assert_int_eq(collect(r, &got, SIZE_MAX, &err), 0);
    ck_assert_str_eq(got.data, want.data);
    sk_jsonl_close(r);
    close(fd);
    reap(pid);

    ck_assert_ptr_null(err);
    sk_buf_free(&got);
    sk_buf_free(&data);
    sk_buf_free(&want);
}
END_TEST

START_TEST(test_open_errors)
{
    sk_jsonl *r = (sk_jsonl *)1;
    char *err = NULL;
    ck_assert_int_eq(sk_jsonl_open(&r, "/tmp/sk-no-such-dir/rows.jsonl", &err), SK_ENOTFOUND);
    ck_assert_ptr_null(r);
    ck_assert_str_eq(err, "cannot open /tmp/sk-no-such-dir/rows.jsonl: No such file or directory");
    ck_assert_int_eq(sk_jsonl_open(&r, "/tmp", &err), SK_EIO);
    ck_assert_str_eq(err, "cannot read /tmp: it is a directory, not a JSONL file");
    free(err);

    /* "-" is stdin, shown as <stdin> and not closed. */
    err = NULL;
    ck_assert_int_eq(sk_jsonl_open(&r, "-", &err), 0);
    ck_assert_str_eq(sk_jsonl_path(r), "<stdin>");
    sk_jsonl_close(r);
    sk_jsonl_close(NULL);
}
END_TEST

static Suite *jsonl_suite(void)
{
    Suite *s = suite_create("jsonl");
    TCase *tc = tcase_create("jsonl");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_bom_crlf_blank);
    tcase_add_test(tc, test_many_lines_cross_buffer);
    tcase_add_test(tc, test_long_line);
    tcase_add_test(tc, test_max_line_exact);
    tcase_add_test(tc, test_rewind_file);
    tcase_add_test(tc, test_pipe_rewind);
    tcase_add_test(tc, test_open_errors);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return sk_run_suite(jsonl_suite());
}
