/*
 * Tests for the lease a run holds on its experiment (experiment_lease.c):
 * the status shown for a running experiment whose holder is alive, killed,
 * replaced by a reused pid, or silent on another host; take-over of a
 * stale lease and refusal of a live one; a holder that lost its lease;
 * and several processes racing for one lease, of which exactly one wins.
 * Holders are real processes (forked children), the store a real file.
 */
#include <check.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "base/error.h"
#include "base/util.h"
#include "run_suite.h"
#include "store/dataset.h"
#include "store/experiment.h"
#include "store_fixture.h"

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

static void sql(const char *fmt, ...) SK_PRINTF(1, 2);
static void sql(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *q = sk_vasprintf(fmt, ap);
    va_end(ap);
    int rc = sk_db_exec(sk_store_db(st), q);
    ck_assert_msg(rc == SK_DB_OK, "%s: %s", q, sk_db_errmsg(sk_store_db(st)));
    free(q);
}

/* The status `show` and `experiments` give. */
static char *shown(void)
{
    sk_experiment e;
    char *err = NULL;
    ck_assert_int_eq(sk_experiment_load(st, "e1", &e, &err), SK_OK);
    char *s = sk_xstrdup(e.status);
    sk_experiment_clear(&e);
    return s;
}

static void shown_is(const char *want)
{
    char *s = shown();
    ck_assert_str_eq(s, want);
    free(s);
}

static char *my_host(void)
{
    char h[256] = "";
    ck_assert_int_eq(gethostname(h, sizeof h - 1), 0);
    return sk_xstrdup(h);
}

/* A live process that is not this one, until stop_child.  Children exec
 * at once, so none runs on with a copy of this test's heap (and valgrind
 * has no copy to report). */
static pid_t live_child(void)
{
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        execlp("sleep", "sleep", "600", (char *)NULL);
        _exit(127);
    }
    return pid;
}

static void stop_child(pid_t pid)
{
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
}

/* A pid that belonged to a process, now exited and reaped. */
static pid_t dead_pid(void)
{
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        execlp("true", "true", (char *)NULL);
        _exit(0);
    }
    waitpid(pid, NULL, 0);
    return pid;
}

START_TEST(run_holds_renews_and_releases)
{
    sk_store_fx_experiment(st, "e1");
    shown_is("running");
    ck_assert_int_eq(sk_store_fx_int(st, "SELECT lease_pid FROM experiments"), getpid());
    char *token = sk_store_fx_text(st, "SELECT lease_token FROM experiments");
    ck_assert_uint_eq(strlen(token), 32);
    free(token);
    char *err = NULL;
    sql("UPDATE experiments SET lease_heartbeat = 5");
    ck_assert_int_eq(sk_experiment_lease_renew(st, "e1", &err), SK_OK);
    ck_assert_int_ge(sk_store_fx_int(st, "SELECT lease_heartbeat FROM experiments"),
                     (long long)time(NULL) - 5);
    ck_assert_int_eq(sk_experiment_lease_release(st, "e1", "done", &err), SK_OK);
    shown_is("done");
    ck_assert_int_eq(sk_store_fx_int(st, "SELECT count(*) FROM experiments WHERE lease_token "
                                         "IS NULL AND lease_pid IS NULL AND finished_at "
                                         "IS NOT NULL"),
                     1);
    /* Released: nothing to renew, and a finished run is resumable again. */
    ck_assert_int_eq(sk_experiment_lease_renew(st, "e1", &err), SK_EBUSY);
    sk_store_fx_has(err, "experiment e1 is no longer held by this run");
    free(err);
    err = NULL;
    ck_assert_int_eq(sk_experiment_lease_take(st, "e1", &err), SK_OK);
    shown_is("running");
}
END_TEST

START_TEST(killed_holder_shows_interrupted_and_is_taken_over)
{
    sk_store_fx_experiment(st, "e1");
    pid_t gone = dead_pid();
    sql("UPDATE experiments SET lease_pid = %d, lease_token = 'killed'", (int)gone);
    shown_is("interrupted");
    /* The stored status is unchanged until someone takes it. */
    char *stored = sk_store_fx_text(st, "SELECT status FROM experiments");
    ck_assert_str_eq(stored, "running");
    free(stored);
    char *err = NULL;
    ck_assert_int_eq(sk_experiment_lease_take(st, "e1", &err), SK_OK);
    ck_assert_ptr_null(err);
    shown_is("running");
    ck_assert_int_eq(sk_store_fx_int(st, "SELECT lease_pid FROM experiments"), getpid());
    ck_assert_int_eq(sk_store_fx_int(st, "SELECT lease_token <> 'killed' FROM experiments"), 1);
}
END_TEST

START_TEST(nobody_holding_a_running_experiment_is_interrupted)
{
    /* A run recorded before leases existed, or one that failed to end. */
    sk_store_fx_experiment(st, "e1");
    sql("UPDATE experiments SET lease_pid = NULL, lease_host = NULL, lease_token = NULL, "
        "lease_start = NULL, lease_heartbeat = NULL");
    shown_is("interrupted");
    char *err = NULL;
    ck_assert_int_eq(sk_experiment_lease_take(st, "e1", &err), SK_OK);
    shown_is("running");
}
END_TEST

START_TEST(live_holder_refuses_a_second_run)
{
    sk_store_fx_experiment(st, "e1");
    pid_t other = live_child();
    /* Its start unknown (NULL): the live pid is the whole answer. */
    sql("UPDATE experiments SET lease_pid = %d, lease_token = 'other', lease_start = NULL, "
        "lease_heartbeat = 0",
        (int)other);
    shown_is("running"); /* however old its heartbeat: the process is there */
    char *err = NULL;
    ck_assert_int_eq(sk_experiment_lease_take(st, "e1", &err), SK_EBUSY);
    char *host = my_host();
    char *want = sk_asprintf("experiment e1 is being run by pid %d on %s", (int)other, host);
    sk_store_fx_has(err, want);
    free(want);
    want = sk_asprintf("stop it (kill %d) and resume again", (int)other);
    sk_store_fx_has(err, want);
    free(want);
    free(err);
    err = NULL;
    ck_assert_int_eq(sk_store_fx_int(st, "SELECT lease_token = 'other' FROM experiments"), 1);
    /* The same pid, but a process that started at another time: the pid
     * was reused, and the holder is gone. */
    sql("UPDATE experiments SET lease_start = 'another-boot/1'");
    shown_is("interrupted");
    ck_assert_int_eq(sk_experiment_lease_take(st, "e1", &err), SK_OK);
    shown_is("running");
    stop_child(other);
    free(host);
}
END_TEST

START_TEST(other_host_goes_by_heartbeat)
{
    sk_store_fx_experiment(st, "e1");
    long long now = (long long)time(NULL);
    sql("UPDATE experiments SET lease_pid = 1, lease_host = 'elsewhere.example', "
        "lease_token = 'far', lease_start = NULL, lease_heartbeat = %lld",
        now - 5);
    shown_is("running");
    char *err = NULL;
    ck_assert_int_eq(sk_experiment_lease_take(st, "e1", &err), SK_EBUSY);
    sk_store_fx_has(err, "being run by pid 1 on elsewhere.example");
    sk_store_fx_has(err, "stop it (on elsewhere.example; a run whose heartbeat is older than 30 s "
                         "counts as gone)");
    free(err);
    err = NULL;
    sql("UPDATE experiments SET lease_heartbeat = %lld", now - SK_LEASE_TIMEOUT_S - 2);
    shown_is("interrupted");
    ck_assert_int_eq(sk_experiment_lease_take(st, "e1", &err), SK_OK);
    ck_assert_int_eq(sk_store_fx_int(st, "SELECT lease_host <> 'elsewhere.example' FROM "
                                         "experiments"),
                     1);
}
END_TEST

START_TEST(a_holder_that_lost_its_lease_stops)
{
    sk_store_fx_experiment(st, "e1");
    pid_t other = live_child();
    sql("UPDATE experiments SET lease_pid = %d, lease_token = 'thief', lease_start = NULL",
        (int)other);
    char *err = NULL;
    ck_assert_int_eq(sk_experiment_lease_renew(st, "e1", &err), SK_EBUSY);
    char *want = sk_asprintf("experiment e1 was taken over by pid %d on ", (int)other);
    sk_store_fx_has(err, want);
    free(want);
    free(err);
    err = NULL;
    /* Its end changes nothing: the experiment is the new holder's. */
    ck_assert_int_eq(sk_experiment_lease_release(st, "e1", "done", &err), SK_EBUSY);
    free(err);
    shown_is("running");
    stop_child(other);
}
END_TEST

/* Several processes take a stale lease at once: exactly one wins, and
 * the others refuse naming it.  Each child keeps living until all have
 * tried, so a winner is alive when the others look. */
START_TEST(racing_take_overs_have_one_winner)
{
    enum { N = 4 };
    sk_store_fx_experiment(st, "e1");
    sql("UPDATE experiments SET lease_pid = %d, lease_token = 'killed'", (int)dead_pid());
    /* No SQLite connection may cross a fork: each child opens its own. */
    sk_store_close(st);
    st = NULL;
    int results[2], release[2];
    ck_assert_int_eq(pipe(results), 0);
    ck_assert_int_eq(pipe(release), 0);
    pid_t kids[N];
    for (int i = 0; i < N; i++) {
        kids[i] = fork();
        ck_assert_int_ge(kids[i], 0);
        if (kids[i] == 0) {
            close(results[0]);
            close(release[1]);
            sk_store *mine = NULL;
            char *err = NULL;
            int rc = sk_store_open(&mine, sk_store_fx_dir, &err);
            if (rc == SK_OK)
                rc = sk_experiment_lease_take(mine, "e1", &err);
            char line[16];
            int n = snprintf(line, sizeof line, "%d\n", rc);
            if (write(results[1], line, (size_t)n) != n)
                _exit(2);
            char c;
            (void)read(release[0], &c, 1); /* until the parent has every answer */
            sk_store_close(mine);
            free(err);
            _exit(0);
        }
    }
    close(results[1]);
    close(release[0]);
    FILE *f = fdopen(results[0], "r");
    int ok = 0, busy = 0, other = 0, rc;
    for (int i = 0; i < N && fscanf(f, "%d", &rc) == 1; i++)
        rc == SK_OK ? ok++ : rc == SK_EBUSY ? busy++ : other++;
    fclose(f);
    close(release[1]);
    for (int i = 0; i < N; i++)
        waitpid(kids[i], NULL, 0);
    ck_assert_int_eq(ok, 1);
    ck_assert_int_eq(busy, N - 1);
    ck_assert_int_eq(other, 0);
    st = sk_store_fx_open();
    ck_assert_int_eq(sk_store_fx_int(st, "SELECT lease_token <> 'killed' FROM experiments"), 1);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("experiment_lease");
    TCase *tc = tcase_create("lease");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, run_holds_renews_and_releases);
    tcase_add_test(tc, killed_holder_shows_interrupted_and_is_taken_over);
    tcase_add_test(tc, nobody_holding_a_running_experiment_is_interrupted);
    tcase_add_test(tc, live_holder_refuses_a_second_run);
    tcase_add_test(tc, other_host_goes_by_heartbeat);
    tcase_add_test(tc, a_holder_that_lost_its_lease_stops);
    tcase_add_test(tc, racing_take_overs_have_one_winner);
    suite_add_tcase(s, tc);
    return sk_run_suite(s);
}
