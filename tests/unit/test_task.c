/*
 * Tests for the task providers (task.c, task_exec.c).  The exec tests run
 * real child processes, mostly small /bin/sh scripts given with -c, so
 * they exercise the actual pipes, signals and process groups: output
 * forms, exit statuses and signals with the stderr tail, timeouts that
 * must leave no process behind, pipes full in both directions, a command
 * that never reads its input, and many calls from many threads at once
 * without leaking descriptors or zombies.
 */
#include <check.h>
#include <cjson/cJSON.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#include "run_suite.h"
#include "task/child_guard.h"
#include "task/task.h"
#include "task/task_openai.h"
#include "tmpfile_util.h"
#include "base/util.h"

/* ---- helpers ------------------------------------------------------------ */

static cJSON *parse(const char *json)
{
    cJSON *j = cJSON_Parse(json);
    ck_assert_msg(j != NULL, "bad test JSON: %s", json);
    return j;
}

/* {"provider": "exec", "command": ["/bin/sh", "-c", script, "sh", arg?],
 *  "timeout_s": timeout} */
static cJSON *sh_config(const char *script, const char *arg, double timeout)
{
    cJSON *c = cJSON_CreateObject();
    cJSON_AddStringToObject(c, "provider", "exec");
    cJSON *argv = cJSON_AddArrayToObject(c, "command");
    cJSON_AddItemToArray(argv, cJSON_CreateString("/bin/sh"));
    cJSON_AddItemToArray(argv, cJSON_CreateString("-c"));
    cJSON_AddItemToArray(argv, cJSON_CreateString(script));
    cJSON_AddItemToArray(argv, cJSON_CreateString("sh"));
    if (arg)
        cJSON_AddItemToArray(argv, cJSON_CreateString(arg));
    if (timeout > 0)
        cJSON_AddNumberToObject(c, "timeout_s", timeout);
    return c;
}

/* Open `ops` on config (taken over), failing the test on an error. */
static void *open_ok(const sk_task_ops *ops, cJSON *config, const char *project_dir)
{
    void *st = NULL;
    char *err = NULL;
    int rc = ops->open(config, project_dir, NULL, &st, &err);
    ck_assert_msg(rc == 0, "open failed: %s", err ? err : "(no message)");
    ck_assert_ptr_null(err);
    ck_assert_ptr_nonnull(st);
    cJSON_Delete(config);
    return st;
}

/* The error open() gives for config (taken over); caller frees. */
static char *open_err(const sk_task_ops *ops, cJSON *config, const char *project_dir)
{
    void *st = NULL;
    char *err = NULL;
    int rc = ops->open(config, project_dir, NULL, &st, &err);
    ck_assert_int_ne(rc, 0);
    ck_assert_ptr_null(st);
    ck_assert_ptr_nonnull(err);
    cJSON_Delete(config);
    return err;
}

/* Run once; the result must be an output, returned (caller frees). */
static char *run_output(const sk_task_ops *ops, void *st, const char *row, unsigned trial)
{
    sk_task_result r = {0};
    ck_assert_int_eq(ops->run(st, row, trial, &r), 0);
    ck_assert_msg(!r.failed, "task failed: %s", r.error.data);
    ck_assert_uint_eq(r.error.len, 0);
    char *out = sk_xstrndup(r.output.data ? r.output.data : "", r.output.len);
    ck_assert_uint_eq(strlen(out), r.output.len);
    sk_task_result_free(&r);
    return out;
}

/* Run once; the result must be a task error, returned (caller frees). */
static char *run_error(const sk_task_ops *ops, void *st, const char *row)
{
    sk_task_result r = {0};
    ck_assert_int_eq(ops->run(st, row, 0, &r), 0);
    ck_assert_msg(r.failed, "task did not fail; output: %s", r.output.data);
    ck_assert_uint_eq(r.output.len, 0);
    char *e = sk_xstrdup(r.error.data);
    sk_task_result_free(&r);
    return e;
}

/* The output of one sh script on row {"id":"1","input":"q"}. */
static char *sh_output(const char *script)
{
    void *st = open_ok(&sk_task_exec, sh_config(script, NULL, 10), NULL);
    char *out = run_output(&sk_task_exec, st, "{\"id\":\"1\",\"input\":\"q\"}", 0);
    sk_task_exec.close(st);
    return out;
}

static char *sh_error(const char *script, double timeout)
{
    void *st = open_ok(&sk_task_exec, sh_config(script, NULL, timeout), NULL);
    char *e = run_error(&sk_task_exec, st, "{\"id\":\"1\",\"input\":\"q\"}");
    sk_task_exec.close(st);
    return e;
}

#define ck_assert_output(script, expected)                                                         \
    do {                                                                                           \
        char *out_ = sh_output(script);                                                            \
        ck_assert_str_eq(out_, expected);                                                          \
        free(out_);                                                                                \
    } while (0)

#define ck_assert_error(script, timeout, expected)                                                 \
    do {                                                                                           \
        char *err_ = sh_error(script, timeout);                                                    \
        ck_assert_str_eq(err_, expected);                                                          \
        free(err_);                                                                                \
    } while (0)

/* A row {"id":"big","input":"xxx…"} of about n bytes. */
static char *big_row(size_t n)
{
    char *row = sk_xmalloc(n + 64);
    int k = sprintf(row, "{\"id\":\"big\",\"input\":\"");
    memset(row + k, 'x', n);
    strcpy(row + k + n, "\"}");
    return row;
}

static int count_fds(void)
{
    DIR *d = opendir("/proc/self/fd");
    ck_assert_ptr_nonnull(d);
    int n = 0;
    while (readdir(d))
        n++;
    closedir(d);
    return n;
}

/* No child of ours is left, reaped or not. */
static void assert_no_children(void)
{
    int status;
    errno = 0;
    ck_assert_int_eq(waitpid(-1, &status, WNOHANG), -1);
    ck_assert_int_eq(errno, ECHILD);
}

static pid_t read_pid(const char *path)
{
    FILE *f = fopen(path, "r");
    ck_assert_ptr_nonnull(f);
    long pid = 0;
    ck_assert_int_eq(fscanf(f, "%ld", &pid), 1);
    fclose(f);
    ck_assert_int_gt(pid, 1);
    return (pid_t)pid;
}

static char *make_tmpdir(void)
{
    char *dir = sk_xstrdup("/tmp/sk_task_XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(dir));
    return dir;
}

static void write_file(const char *path, const char *text, mode_t mode)
{
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fputs(text, f);
    fclose(f);
    ck_assert_int_eq(chmod(path, mode), 0);
}

/* ---- choosing a provider, and the column provider ----------------------- */

START_TEST(test_find)
{
    char *err = NULL;
    ck_assert_ptr_eq(sk_task_find(NULL, &err), &sk_task_column);
    cJSON *c = parse("{\"field\": \"x\"}");
    ck_assert_ptr_eq(sk_task_find(c, &err), &sk_task_column);
    cJSON_Delete(c);
    c = parse("{\"provider\": \"exec\"}");
    ck_assert_ptr_eq(sk_task_find(c, &err), &sk_task_exec);
    cJSON_Delete(c);
    ck_assert_ptr_null(err);

    c = parse("{\"provider\": \"openai\"}");
    ck_assert_ptr_eq(sk_task_find(c, &err), &sk_task_openai);
    cJSON_Delete(c);
    c = parse("{\"provider\": \"anthropic\"}");
    ck_assert_ptr_eq(sk_task_find(c, &err), &sk_task_anthropic);
    cJSON_Delete(c);
    c = parse("{\"provider\": \"nope\"}");
    ck_assert_ptr_null(sk_task_find(c, &err));
    ck_assert_str_eq(err, "task: unknown provider \"nope\" (known: column, exec, stored, openai, "
                          "anthropic)");
    cJSON_Delete(c);
    c = parse("{\"provider\": 1}");
    ck_assert_ptr_null(sk_task_find(c, &err));
    ck_assert_str_eq(
        err, "task: \"provider\" must be a string naming the provider (column, exec, stored, "
             "openai, anthropic)");
    cJSON_Delete(c);
    free(err);
}
END_TEST

START_TEST(test_result_reset)
{
    sk_task_result r = {0};
    sk_task_result_reset(&r); /* on a zeroed result too */
    sk_buf_adds(&r.output, "1");
    sk_buf_adds(&r.error, "e");
    r.failed = 1;
    r.latency_ms = 5;
    sk_task_result_reset(&r);
    ck_assert_uint_eq(r.output.len, 0);
    ck_assert_str_eq(r.output.data, "");
    ck_assert_uint_eq(r.error.len, 0);
    ck_assert_int_eq(r.failed, 0);
    ck_assert(r.latency_ms == 0);
    sk_task_result_free(&r);
    ck_assert_ptr_null(r.output.data);
    ck_assert_ptr_null(r.error.data);
}
END_TEST

START_TEST(test_column_output)
{
    void *st = open_ok(&sk_task_column, parse("{\"provider\": \"column\"}"), NULL);
    char *out = run_output(&sk_task_column, st,
                           "{\"id\":\"a\",\"input\":\"q\",\"output\": {\"x\": [1, 2]} }", 3);
    ck_assert_str_eq(out, "{\"x\": [1, 2]}");
    free(out);
    out = run_output(&sk_task_column, st, "{\"output\":\"Paris\\n\",\"id\":\"b\"}", 0);
    ck_assert_str_eq(out, "\"Paris\\n\"");
    free(out);
    sk_task_result r = {0};
    ck_assert_int_eq(sk_task_column.run(st, "{\"output\":12345678901234567890}", 0, &r), 0);
    ck_assert_str_eq(r.output.data, "12345678901234567890"); /* raw, so exact */
    ck_assert(r.latency_ms == 0);
    sk_task_result_free(&r);
    sk_task_column.close(st);

    /* A NULL config means the defaults. */
    st = open_ok(&sk_task_column, NULL, NULL);
    out = run_output(&sk_task_column, st, "{\"output\":null}", 0);
    ck_assert_str_eq(out, "null");
    free(out);
    sk_task_column.close(st);

    st = open_ok(&sk_task_column, parse("{\"provider\": \"column\", \"field\": \"answer\"}"), NULL);
    out = run_output(&sk_task_column, st, "{\"output\":1,\"ans\\u0077er\":[true]}", 0);
    ck_assert_str_eq(out, "[true]");
    free(out);
    sk_task_column.close(st);
}
END_TEST

START_TEST(test_column_missing)
{
    void *st = open_ok(&sk_task_column, parse("{}"), NULL);
    char *e = run_error(&sk_task_column, st, "{\"id\":\"a\",\"input\":\"q\"}");
    ck_assert_str_eq(e, "row has no \"output\" field (the column task reads the output from the "
                        "row)");
    free(e);
    sk_task_column.close(st);

    st = open_ok(&sk_task_column, parse("{\"field\": \"reply\"}"), NULL);
    e = run_error(&sk_task_column, st, "{\"output\":\"x\"}");
    ck_assert_str_eq(e, "row has no \"reply\" field (the column task reads the output from the "
                        "row)");
    free(e);

    /* A row that is not JSON is the runner's bug: a host error. */
    sk_task_result r = {0};
    ck_assert_int_ne(sk_task_column.run(st, "{\"reply\":", 0, &r), 0);
    ck_assert_int_eq(r.failed, 1);
    ck_assert_str_eq(r.error.data, "the row given to the column task is not valid JSON: column "
                                   "10: expected a value, got end of input (missing '}')");
    sk_task_result_free(&r);
    sk_task_column.close(st);
}
END_TEST

START_TEST(test_column_bad_config)
{
    char *e = open_err(&sk_task_column, parse("{\"provider\":\"column\",\"feild\":\"x\"}"), NULL);
    ck_assert_str_eq(e, "task: unknown key \"feild\" for the column provider; did you mean "
                        "\"field\"? (allowed: provider, field)");
    free(e);
    e = open_err(&sk_task_column, parse("{\"field\": 3}"), NULL);
    ck_assert_str_eq(e, "task: \"field\" must be the name of the row field that holds the "
                        "output, e.g. \"output\"");
    free(e);
    e = open_err(&sk_task_column, parse("{\"field\": \"\"}"), NULL);
    ck_assert_ptr_nonnull(strstr(e, "\"field\" must be the name"));
    free(e);
    e = open_err(&sk_task_column, parse("[]"), NULL);
    ck_assert_ptr_nonnull(strstr(e, "must be an object"));
    free(e);
}
END_TEST

/* ---- exec: outputs ------------------------------------------------------ */

START_TEST(test_exec_cat)
{
    const char *row =
        "{\"id\":\"r1\",\"input\":{\"q\":\"2+2?\",\"n\":[1,2.5e3]},\"expected\":\"4\"}";
    void *st = open_ok(&sk_task_exec, parse("{\"provider\":\"exec\",\"command\":[\"cat\"]}"), NULL);
    char *out = run_output(&sk_task_exec, st, row, 0);
    ck_assert_str_eq(out, row); /* the row came back, and is kept as JSON */
    free(out);
    sk_task_exec.close(st);
}
END_TEST

START_TEST(test_exec_output_forms)
{
    ck_assert_output("echo hello world", "\"hello world\"");
    ck_assert_output("printf '{\"a\": [1, 2]}\\n'", "{\"a\": [1, 2]}");
    ck_assert_output("printf '  {\"a\": 1}\\n\\n'", "{\"a\": 1}"); /* JSON: whitespace trimmed */
    ck_assert_output("echo 42", "42");
    ck_assert_output("echo '\"quoted\"'", "\"quoted\"");
    ck_assert_output("true", "\"\"");
    ck_assert_output("printf 'two\\n\\n'", "\"two\\n\""); /* only one newline trimmed */
    ck_assert_output("printf 'dos\\r\\n'", "\"dos\"");
    ck_assert_output("printf 'no newline'", "\"no newline\"");
    ck_assert_output("printf 'a \"b\"\\tc\\\\'", "\"a \\\"b\\\"\\tc\\\\\"");
    ck_assert_output("printf '{\"a\": 1,}'", "\"{\\\"a\\\": 1,}\""); /* not JSON: text */
    ck_assert_output("printf 'caf\\303\\251'", "\"caf\xC3\xA9\"");
    /* Bytes that are not UTF-8 become U+FFFD, so the output is valid JSON. */
    ck_assert_output("printf 'a\\377b\\303'", "\"a\xEF\xBF\xBD"
                                              "b\xEF\xBF\xBD\"");
    ck_assert_output("printf 'nul\\000byte'", "\"nul\\u0000byte\"");
}
END_TEST

START_TEST(test_exec_row_is_a_line)
{
    /* The row arrives as one line, so `read` in a shell gets it. */
    ck_assert_output("read -r line && printf '%s' \"$line\"", "{\"id\":\"1\",\"input\":\"q\"}");
    ck_assert_output("wc -c | tr -d ' '", "23");
}
END_TEST

/* ---- exec: failures ------------------------------------------------------ */

START_TEST(test_exec_exit_status)
{
    ck_assert_error("echo partial; echo 'something broke' >&2; exit 3", 10,
                    "exit status 3\nstderr: something broke");
    ck_assert_error("exit 1", 10, "exit status 1");
    ck_assert_error("echo line1 >&2; printf 'line2\\n\\n' >&2; exit 255", 10,
                    "exit status 255\nstderr: line1\nline2");
    ck_assert_error("printf 'bad \\377 byte' >&2; exit 2", 10,
                    "exit status 2\nstderr: bad \xEF\xBF\xBD byte");
}
END_TEST

START_TEST(test_exec_signal)
{
    ck_assert_error("echo dying >&2; kill -TERM $$", 10,
                    "killed by signal 15 (SIGTERM)\nstderr: dying");
    ck_assert_error("kill -KILL $$", 10, "killed by signal 9 (SIGKILL)");
    /* SIGPIPE is at its default in the child even though scorekit blocks
     * it: a pipeline in a script behaves as in a terminal. */
    ck_assert_error("kill -PIPE $$", 10, "killed by signal 13 (SIGPIPE)");
}
END_TEST

START_TEST(test_exec_stderr_tail)
{
    /* 10,000 bytes of stderr: only the last 2 KiB are kept. */
    char *e = sh_error("i=0; while [ $i -lt 1000 ]; do printf 'err %05d\\n' $i >&2; i=$((i+1)); "
                       "done; exit 4",
                       30);
    const char *head = "exit status 4\nstderr: \xE2\x80\xA6";
    ck_assert_msg(strncmp(e, head, strlen(head)) == 0, "got %s", e);
    ck_assert_uint_le(strlen(e), strlen(head) + 2048);
    ck_assert_uint_gt(strlen(e), strlen(head) + 2000);
    const char *end = "err 00998\nerr 00999";
    ck_assert_str_eq(e + strlen(e) - strlen(end), end);
    ck_assert_ptr_null(strstr(e, "err 00700"));
    free(e);
}
END_TEST

START_TEST(test_exec_timeout_kills)
{
    char *pidfile = sk_tmp_write("", 0);
    cJSON *c = sh_config("echo $$ > \"$1\"; echo started >&2; exec sleep 30", pidfile, 0.5);
    void *st = open_ok(&sk_task_exec, c, NULL);
    char *e = run_error(&sk_task_exec, st, "{}");
    ck_assert_str_eq(e, "timed out after 0.5 s\nstderr: started");
    free(e);
    /* The command led its own process group, now gone and reaped. */
    pid_t pgid = read_pid(pidfile);
    errno = 0;
    ck_assert_int_eq(kill(-pgid, 0), -1);
    ck_assert_int_eq(errno, ESRCH);
    sk_task_exec.close(st); /* and with it the guard, our child until then */
    assert_no_children();
    sk_tmp_remove(pidfile);
}
END_TEST

#ifdef __linux__
START_TEST(test_exec_timeout_kills_group)
{
    /* A script whose child keeps running: the kill must reach it too.  We
     * become the subreaper so the orphaned sleep is reparented to us and
     * can be reaped here, whatever PID 1 does. */
    ck_assert_int_eq(prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0), 0);
    char *pidfile = sk_tmp_write("", 0);
    void *st =
        open_ok(&sk_task_exec, sh_config("echo $$ > \"$1\"; sleep 30 & wait", pidfile, 0.5), NULL);
    char *e = run_error(&sk_task_exec, st, "{}");
    ck_assert_str_eq(e, "timed out after 0.5 s");
    free(e);
    pid_t pgid = read_pid(pidfile);
    int gone = 0;
    for (int i = 0; i < 500 && !gone; i++) { /* SIGKILL is sent; reaping may lag */
        while (waitpid(-1, NULL, WNOHANG) > 0)
            ;
        gone = kill(-pgid, 0) == -1 && errno == ESRCH;
        if (!gone)
            nanosleep(&(struct timespec){0, 10000000}, NULL);
    }
    ck_assert_msg(gone, "process group %d survived the timeout", (int)pgid);
    sk_task_exec.close(st);
    assert_no_children();
    ck_assert_int_eq(prctl(PR_SET_CHILD_SUBREAPER, 0, 0, 0, 0), 0);
    sk_tmp_remove(pidfile);
}
END_TEST
#endif

START_TEST(test_exec_timeout_after_close)
{
    /* Closing stdout and stderr is not the end: the timeout still applies
     * while we wait for the exit. */
    ck_assert_error("exec >&- 2>&-; exec sleep 30", 0.5, "timed out after 0.5 s");
    assert_no_children();
}
END_TEST

START_TEST(test_exec_output_too_big)
{
    ck_assert_error("echo big >&2; exec head -c 67108865 /dev/zero", 60,
                    "output larger than 64 MiB\nstderr: big");
    assert_no_children();
}
END_TEST

/* ---- exec: pipes -------------------------------------------------------- */

START_TEST(test_exec_writes_before_reading)
{
    /* 1 MiB out before reading 1 MiB in: both pipes fill up, so this only
     * finishes if stdin and stdout are served together. */
    char *row = big_row(1 << 20);
    void *st = open_ok(
        &sk_task_exec,
        sh_config("head -c 1048576 /dev/zero | tr '\\000' y; cat >/dev/null", NULL, 60), NULL);
    char *out = run_output(&sk_task_exec, st, row, 0);
    ck_assert_uint_eq(strlen(out), (1u << 20) + 2);
    ck_assert_int_eq(out[0], '"');
    ck_assert_int_eq(out[(1u << 20) + 1], '"');
    ck_assert_uint_eq(strspn(out + 1, "y"), 1u << 20);
    free(out);
    sk_task_exec.close(st);
    free(row);
}
END_TEST

START_TEST(test_exec_never_reads)
{
    /* The command exits without reading 1 MiB of input: our write gets
     * EPIPE, and the SIGPIPE must neither kill us nor stay pending. */
    char *row = big_row(1 << 20);
    void *st = open_ok(&sk_task_exec, sh_config("echo ok", NULL, 30), NULL);
    for (int i = 0; i < 3; i++) {
        char *out = run_output(&sk_task_exec, st, row, 0);
        ck_assert_str_eq(out, "\"ok\"");
        free(out);
    }
    sigset_t pending, mask;
    sigpending(&pending);
    ck_assert(!sigismember(&pending, SIGPIPE));
    pthread_sigmask(SIG_BLOCK, NULL, &mask);
    ck_assert(!sigismember(&mask, SIGPIPE)); /* the mask is restored */
    sk_task_exec.close(st);

    /* Reading part of the input and failing is an ordinary task error. */
    st = open_ok(&sk_task_exec, sh_config("head -c 10 >/dev/null; exit 7", NULL, 30), NULL);
    char *e = run_error(&sk_task_exec, st, row);
    ck_assert_str_eq(e, "exit status 7");
    free(e);
    sk_task_exec.close(st);
    free(row);
}
END_TEST

START_TEST(test_exec_huge_stdin)
{
    char *row = big_row(1 << 20);
    void *st = open_ok(&sk_task_exec, parse("{\"provider\":\"exec\",\"command\":[\"cat\"]}"), NULL);
    char *out = run_output(&sk_task_exec, st, row, 0);
    ck_assert_str_eq(out, row);
    free(out);
    sk_task_exec.close(st);

    st = open_ok(&sk_task_exec, sh_config("wc -c | tr -d ' '", NULL, 30), NULL);
    out = run_output(&sk_task_exec, st, row, 0);
    char want[32];
    snprintf(want, sizeof want, "%zu", strlen(row) + 1); /* with the '\n' */
    ck_assert_str_eq(out, want);
    free(out);
    sk_task_exec.close(st);
    free(row);
}
END_TEST

/* ---- exec: environment and working directory ---------------------------- */

START_TEST(test_exec_env)
{
    cJSON *c = sh_config("printf '%s|%s|%s|%s' \"$GREETING\" \"$SCOREKIT_TRIAL\" \"$HOME\" "
                         "\"${SK_TEST_INHERITED-unset}\"",
                         NULL, 10);
    cJSON *env = cJSON_AddObjectToObject(c, "env");
    cJSON_AddStringToObject(env, "GREETING", "hi there");
    cJSON_AddStringToObject(env, "HOME", "/nowhere");
    cJSON_AddStringToObject(env, "SCOREKIT_TRIAL", "ignored");
    setenv("SK_TEST_INHERITED", "from parent", 1);
    void *st = open_ok(&sk_task_exec, c, NULL);
    char *out = run_output(&sk_task_exec, st, "{}", 7);
    ck_assert_str_eq(out, "\"hi there|7|/nowhere|from parent\"");
    free(out);
    out = run_output(&sk_task_exec, st, "{}", 0);
    ck_assert_str_eq(out, "\"hi there|0|/nowhere|from parent\"");
    free(out);
    sk_task_exec.close(st);
    unsetenv("SK_TEST_INHERITED");

    /* A PATH given in "env" is the one argv[0] is looked up on. */
    char *dir = make_tmpdir();
    char *tool = sk_asprintf("%s/sk-test-tool", dir);
    write_file(tool, "#!/bin/sh\necho tool ran\n", 0755);
    c = parse("{\"command\": [\"sk-test-tool\"], \"env\": {}}");
    cJSON_AddStringToObject(cJSON_GetObjectItem(c, "env"), "PATH", dir);
    st = open_ok(&sk_task_exec, c, NULL);
    out = run_output(&sk_task_exec, st, "{}", 0);
    ck_assert_str_eq(out, "\"tool ran\"");
    free(out);
    sk_task_exec.close(st);
    unlink(tool);
    rmdir(dir);
    free(tool);
    free(dir);
}
END_TEST

START_TEST(test_exec_cwd)
{
    char *dir = make_tmpdir();
    char *sub = sk_asprintf("%s/sub", dir);
    ck_assert_int_eq(mkdir(sub, 0755), 0);
    char *tool = sk_asprintf("%s/tool.sh", sub);
    write_file(tool, "#!/bin/sh\nprintf '%s:%s' \"$(pwd -P)\" \"$(cat)\"\n", 0755);
    char *real = realpath(sub, NULL);
    ck_assert_ptr_nonnull(real);

    /* The command runs in "cwd", and a relative argv[0] starts there. */
    void *st =
        open_ok(&sk_task_exec, parse("{\"command\": [\"./tool.sh\"], \"cwd\": \"sub\"}"), dir);
    char *out = run_output(&sk_task_exec, st, "{}", 0);
    char *want = sk_asprintf("\"%s:{}\"", real);
    ck_assert_str_eq(out, want);
    free(out);
    free(want);
    sk_task_exec.close(st);

    /* Without "cwd", the project folder. */
    st = open_ok(&sk_task_exec, parse("{\"command\": [\"sub/tool.sh\"]}"), dir);
    ck_assert_ptr_nonnull(st);
    sk_task_exec.close(st);
    st = open_ok(&sk_task_exec, sh_config("pwd -P", NULL, 10), sub);
    out = run_output(&sk_task_exec, st, "{}", 0);
    want = sk_asprintf("\"%s\"", real);
    ck_assert_str_eq(out, want);
    free(out);
    free(want);
    sk_task_exec.close(st);

    unlink(tool);
    rmdir(sub);
    rmdir(dir);
    free(real);
    free(tool);
    free(sub);
    free(dir);
}
END_TEST

/* ---- exec: configuration errors ----------------------------------------- */

typedef struct bad_config {
    const char *json;
    const char *message; /* the whole message, or its start when prefix */
    int prefix;
} bad_config;

static const bad_config bad_configs[] = {
    {"{\"provider\":\"exec\"}",
     "task: the exec provider needs \"command\", the program and its arguments, e.g. "
     "\"command\": [\"python3\", \"app.py\"]",
     0},
    {"{\"command\":[]}",
     "task: \"command\" must be a non-empty array of strings (the program and its arguments; no "
     "shell), e.g. [\"python3\", \"app.py\"]",
     0},
    {"{\"command\":\"cat file\"}", "task: \"command\" must be a non-empty array of strings", 1},
    {"{\"command\":[\"sleep\", 30]}",
     "task: \"command\" element 2 is not a string; write every argument as a JSON string, e.g. "
     "\"30\" rather than 30",
     0},
    {"{\"command\":[\"\"]}", "task: \"command\" starts with an empty program name", 0},
    {"{\"command\":[\"cat\"],\"shell\":true}",
     "task: unknown key \"shell\" for the exec provider (allowed: provider, command, timeout_s, "
     "cwd, env)",
     0},
    {"{\"command\":[\"sk-no-such-command-xyz\", \"-v\"]}",
     "task: command \"sk-no-such-command-xyz\" was not found on PATH (", 1},
    {"{\"command\":[\"./no-such-script.sh\"]}",
     "task: command \"./no-such-script.sh\" (/tmp/no-such-script.sh) is not an executable file: "
     "No such file or directory; give the path of a program (relative paths start at the task's "
     "cwd, /tmp)",
     0},
    {"{\"command\":[\"/tmp\"]}",
     "task: command \"/tmp\" (/tmp) is not an executable file: Is a "
     "directory",
     1},
    {"{\"command\":[\"cat\"],\"timeout_s\":-1}",
     "task: \"timeout_s\" must be a number of seconds > 0, e.g. 30 or 0.5", 0},
    {"{\"command\":[\"cat\"],\"timeout_s\":0}", "task: \"timeout_s\" must be a number", 1},
    {"{\"command\":[\"cat\"],\"timeout_s\":\"30\"}", "task: \"timeout_s\" must be a number", 1},
    {"{\"command\":[\"cat\"],\"env\":[]}",
     "task: \"env\" must be an object of variable names to string values, e.g. {\"MODEL\": "
     "\"small\"}",
     0},
    {"{\"command\":[\"cat\"],\"env\":{\"N\":1}}",
     "task: \"env\" value of N is not a string; write it as a JSON string, e.g. \"1\"", 0},
    {"{\"command\":[\"cat\"],\"env\":{\"A=B\":\"x\"}}",
     "task: \"env\" has the variable name \"A=B\"; a name must be non-empty and contain no '='", 0},
    {"{\"command\":[\"cat\"],\"cwd\":\"sk-no-such-dir\"}",
     "task: the command's working directory /tmp/sk-no-such-dir cannot be used: No such file or "
     "directory; \"cwd\" is relative to the project folder",
     0},
    {"{\"command\":[\"cat\"],\"cwd\":7}", "task: \"cwd\" must be a directory name", 1},
};

START_TEST(test_exec_bad_config)
{
    const bad_config *b = &bad_configs[_i];
    char *e = open_err(&sk_task_exec, parse(b->json), "/tmp");
    if (b->prefix)
        ck_assert_msg(strncmp(e, b->message, strlen(b->message)) == 0, "%s: got %s", b->json, e);
    else
        ck_assert_str_eq(e, b->message);
    free(e);
}
END_TEST

START_TEST(test_exec_bad_config_more)
{
    char *e = open_err(&sk_task_exec, NULL, NULL);
    ck_assert_str_eq(e, "task: the exec provider needs an object like {\"provider\": \"exec\", "
                        "\"command\": [\"python3\", \"app.py\"]}");
    free(e);

    /* A file that exists but may not be executed. */
    char *dir = make_tmpdir();
    char *file = sk_asprintf("%s/data.txt", dir);
    write_file(file, "not a program\n", 0644);
    e = open_err(&sk_task_exec, parse("{\"command\": [\"./data.txt\"]}"), dir);
    ck_assert_ptr_nonnull(strstr(e, "is not an executable file: Permission denied"));
    free(e);
    /* A cwd that is a file. */
    e = open_err(&sk_task_exec, parse("{\"command\": [\"cat\"], \"cwd\": \"data.txt\"}"), dir);
    ck_assert_ptr_nonnull(strstr(e, "cannot be used: Not a directory"));
    free(e);
    unlink(file);
    rmdir(dir);
    free(file);
    free(dir);
}
END_TEST

/* ---- exec: many threads -------------------------------------------------- */

#define NTHREADS 16
#define NCALLS   200

typedef struct worker {
    void *st;
    int first; /* calls first, first + NTHREADS, ... */
    int failures;
    char message[512];
} worker;

static void *work(void *arg)
{
    worker *w = arg;
    for (int i = w->first; i < NCALLS; i += NTHREADS) {
        char row[64], want[128];
        snprintf(row, sizeof row, "{\"id\":\"r%d\",\"input\":%d}", i, i * 7);
        snprintf(want, sizeof want, "[%d,%s\n]", i, row);
        sk_task_result r = {0};
        int rc = sk_task_exec.run(w->st, row, (unsigned)i, &r);
        if (rc != 0 || r.failed || !r.output.data || strcmp(r.output.data, want) != 0) {
            if (!w->failures++)
                snprintf(w->message, sizeof w->message, "call %d: rc %d, %s", i, rc,
                         r.failed ? r.error.data : r.output.data);
        }
        sk_task_result_free(&r);
    }
    return NULL;
}

START_TEST(test_exec_concurrent)
{
    int fds_before = count_fds();
    void *st =
        open_ok(&sk_task_exec,
                sh_config("printf '[%s,' \"$SCOREKIT_TRIAL\"; cat; printf ']'", NULL, 60), NULL);
    pthread_t th[NTHREADS];
    worker w[NTHREADS];
    for (int t = 0; t < NTHREADS; t++) {
        w[t] = (worker){.st = st, .first = t};
        ck_assert_int_eq(pthread_create(&th[t], NULL, work, &w[t]), 0);
    }
    for (int t = 0; t < NTHREADS; t++)
        ck_assert_int_eq(pthread_join(th[t], NULL), 0);
    for (int t = 0; t < NTHREADS; t++)
        ck_assert_msg(w[t].failures == 0, "thread %d: %d failures; first: %s", t, w[t].failures,
                      w[t].message);
    sk_task_exec.close(st);
    ck_assert_int_eq(count_fds(), fds_before);
    assert_no_children();
}
END_TEST

/* ---- the guard: commands do not outlive their owner -------------------- */

#ifdef __linux__
/* A process group of one `sleep 30`, started by fork (the test's process
 * has no threads here). */
static pid_t start_sleeper(void)
{
    pid_t p = fork();
    ck_assert_int_ge(p, 0);
    if (p == 0) {
        setpgid(0, 0);
        execl("/bin/sleep", "sleep", "30", (char *)NULL);
        _exit(127);
    }
    setpgid(p, p); /* whichever of us gets there first */
    return p;
}

/* Reap what we inherit (we are the subreaper) until the group is gone. */
static int group_gone(pid_t pgid)
{
    for (int i = 0; i < 500; i++) {
        while (waitpid(-1, NULL, WNOHANG) > 0)
            ;
        if (kill(-pgid, 0) == -1 && errno == ESRCH)
            return 1;
        nanosleep(&(struct timespec){0, 10000000}, NULL);
    }
    return 0;
}

START_TEST(test_guard_owner_killed)
{
    /* The owner (a process of its own, as a run is) starts the guard and a
     * command, tells the guard, and is killed: the command goes too. */
    ck_assert_int_eq(prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0), 0);
    int fds[2];
    ck_assert_int_eq(pipe(fds), 0);
    pid_t owner = fork();
    ck_assert_int_ge(owner, 0);
    if (owner == 0) {
        close(fds[0]);
        sk_child_guard *g = NULL;
        char *err = NULL;
        if (sk_child_guard_start(&g, &err) != 0)
            _exit(2);
        pid_t p = start_sleeper();
        sk_child_guard_watch(g, p);
        if (write(fds[1], &p, sizeof p) != (ssize_t)sizeof p)
            _exit(3);
        pause(); /* until killed */
        _exit(4);
    }
    close(fds[1]);
    pid_t sleeper = 0;
    ck_assert_int_eq(read(fds[0], &sleeper, sizeof sleeper), (ssize_t)sizeof sleeper);
    close(fds[0]);
    ck_assert_int_eq(kill(-sleeper, 0), 0);
    ck_assert_int_eq(kill(owner, SIGKILL), 0);
    int status;
    ck_assert_int_eq(waitpid(owner, &status, 0), owner);
    ck_assert(WIFSIGNALED(status));
    ck_assert_msg(group_gone(sleeper), "the command outlived its owner");
    /* The guard, now ours, ends once it has done its work. */
    for (int i = 0; i < 500; i++) {
        errno = 0;
        if (waitpid(-1, NULL, WNOHANG) == -1 && errno == ECHILD)
            break;
        nanosleep(&(struct timespec){0, 10000000}, NULL);
    }
    assert_no_children();
    ck_assert_int_eq(prctl(PR_SET_CHILD_SUBREAPER, 0, 0, 0, 0), 0);
}
END_TEST

START_TEST(test_guard_forgets)
{
    /* A group forgotten (its command ended) is not killed when the guard
     * stops; one still watched is. */
    ck_assert_int_eq(prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0), 0);
    sk_child_guard *g = NULL;
    char *err = NULL;
    ck_assert_int_eq(sk_child_guard_start(&g, &err), 0);
    ck_assert_ptr_null(err);
    pid_t kept = start_sleeper(), ended = start_sleeper();
    sk_child_guard_watch(g, kept);
    sk_child_guard_watch(g, ended);
    sk_child_guard_forget(g, ended);
    sk_child_guard_stop(g);
    ck_assert_msg(group_gone(kept), "a watched command survived the guard's end");
    ck_assert_int_eq(kill(-ended, 0), 0);
    kill(-ended, SIGKILL);
    ck_assert(group_gone(ended));
    assert_no_children();
    ck_assert_int_eq(prctl(PR_SET_CHILD_SUBREAPER, 0, 0, 0, 0), 0);
}
END_TEST

START_TEST(test_guard_holds_no_descriptor)
{
    /* The guard keeps nothing of ours open: a pipe made before it started
     * still ends when we close our write end (a command's stdin would
     * otherwise never see its end). */
    int fds[2];
    ck_assert_int_eq(pipe(fds), 0);
    sk_child_guard *g = NULL;
    char *err = NULL;
    ck_assert_int_eq(sk_child_guard_start(&g, &err), 0);
    close(fds[1]);
    struct pollfd pf = {.fd = fds[0], .events = POLLIN};
    ck_assert_int_eq(poll(&pf, 1, 5000), 1);
    char c;
    ck_assert_int_eq(read(fds[0], &c, 1), 0);
    close(fds[0]);
    sk_child_guard_stop(g);
    assert_no_children();
}
END_TEST
#endif

static Suite *task_suite(void)
{
    Suite *s = suite_create("task");
    TCase *tc = tcase_create("column");
    tcase_add_test(tc, test_find);
    tcase_add_test(tc, test_result_reset);
    tcase_add_test(tc, test_column_output);
    tcase_add_test(tc, test_column_missing);
    tcase_add_test(tc, test_column_bad_config);
    suite_add_tcase(s, tc);

    tc = tcase_create("exec");
    /* Real processes, some killed only by a 0.5 s timeout, and valgrind. */
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_exec_cat);
    tcase_add_test(tc, test_exec_output_forms);
    tcase_add_test(tc, test_exec_row_is_a_line);
    tcase_add_test(tc, test_exec_exit_status);
    tcase_add_test(tc, test_exec_signal);
    tcase_add_test(tc, test_exec_stderr_tail);
    tcase_add_test(tc, test_exec_timeout_kills);
#ifdef __linux__
    tcase_add_test(tc, test_exec_timeout_kills_group);
#endif
    tcase_add_test(tc, test_exec_timeout_after_close);
    tcase_add_test(tc, test_exec_output_too_big);
    tcase_add_test(tc, test_exec_writes_before_reading);
    tcase_add_test(tc, test_exec_never_reads);
    tcase_add_test(tc, test_exec_huge_stdin);
    tcase_add_test(tc, test_exec_env);
    tcase_add_test(tc, test_exec_cwd);
    tcase_add_loop_test(tc, test_exec_bad_config, 0,
                        (int)(sizeof bad_configs / sizeof bad_configs[0]));
    tcase_add_test(tc, test_exec_bad_config_more);
    tcase_add_test(tc, test_exec_concurrent);
    suite_add_tcase(s, tc);

#ifdef __linux__
    tc = tcase_create("guard");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_guard_owner_killed);
    tcase_add_test(tc, test_guard_forgets);
    tcase_add_test(tc, test_guard_holds_no_descriptor);
    suite_add_tcase(s, tc);
#endif
    return s;
}

int main(void)
{
    return sk_run_suite(task_suite());
}
