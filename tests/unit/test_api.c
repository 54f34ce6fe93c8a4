/*
 * Tests of the installed library's door (<scorekit/scorekit.h>), linked
 * against libscorekit as a program would be: only the exported functions
 * are reachable.  A project is written to a fresh folder with a heuristic
 * pack, scored case by case, and run as an experiment into its store.
 * Two handles with judges share a process against the fake LLM server.
 */
#include <check.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "run_suite.h"
#include "scorekit/scorekit.h"

static char dir[] = "/tmp/sk_api_XXXXXX";

static void put(const char *name, const char *text)
{
    char path[256];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fputs(text, f);
    fclose(f);
}

static void setup(void)
{
    strcpy(dir, "/tmp/sk_api_XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(dir));
    put("scorekit.json",
        "{\"name\": \"api\", \"dataset\": \"data.jsonl\", \"pack\": \"pack.json\"}\n");
    put("pack.json", "{\"name\": \"p\", \"scorers\": [{\"use\": \"exact_match\", \"threshold\": 1},"
                     " {\"use\": \"levenshtein\", \"as\": \"sim\"}]}\n");
    put("data.jsonl",
        "{\"id\": \"a\", \"input\": \"q\", \"output\": \"Paris\", \"expected\": \"Paris\"}\n"
        "{\"id\": \"b\", \"input\": \"q\", \"output\": \"Lyon\", \"expected\": \"Paris\"}\n");
}

static void teardown(void)
{
    char cmd[512];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    ck_assert_int_eq(system(cmd), 0);
}

START_TEST(open_and_score)
{
    scorekit *sk = NULL;
    char *err = NULL, *res = NULL;
    ck_assert_msg(scorekit_open(&sk, dir, NULL, &err) == 0, "%s", err);
    ck_assert_uint_eq(scorekit_scorer_count(sk), 2);
    ck_assert_str_eq(scorekit_scorer_name(sk, 0), "exact_match");
    ck_assert_str_eq(scorekit_scorer_name(sk, 1), "sim");
    ck_assert_ptr_null(scorekit_scorer_name(sk, 2));

    ck_assert_int_eq(
        scorekit_score(sk, "{\"output\": \"Paris\", \"expected\": \"Paris\"}", 0, &res, &err), 0);
    ck_assert_ptr_nonnull(strstr(res, "\"pass\":true"));
    ck_assert_ptr_nonnull(strstr(res, "\"exact_match\":{\"score\":1}"));
    ck_assert_ptr_null(strchr(res, '\n'));
    scorekit_free(res);

    /* len bounds the case: the text after it is not read. */
    const char *two = "{\"output\": \"Pariss\", \"expected\": \"Paris\"}garbage";
    ck_assert_int_eq(scorekit_score(sk, two, strlen(two) - 7, &res, &err), 0);
    ck_assert_ptr_nonnull(strstr(res, "\"pass\":false"));
    ck_assert_ptr_nonnull(strstr(res, "\"sim\":{\"score\":0.8"));
    scorekit_free(res);

    /* A malformed case is refused with its number, and nothing is handed out. */
    ck_assert_int_eq(scorekit_score(sk, "{\"output\": ", 0, &res, &err), SCOREKIT_EPARSE);
    ck_assert_ptr_null(res);
    ck_assert_ptr_nonnull(strstr(err, "case 3"));
    scorekit_free(err);
    scorekit_close(sk);
}
END_TEST

START_TEST(bad_pack_is_refused)
{
    put("bad.json", "{\"name\": \"p\", \"scorers\": [{\"use\": \"no_such_scorer\"}]}");
    char path[256];
    snprintf(path, sizeof path, "%s/bad.json", dir);
    scorekit *sk = (scorekit *)1;
    char *err = NULL;
    ck_assert_int_eq(scorekit_open(&sk, dir, path, &err), SCOREKIT_ENOTFOUND);
    ck_assert_ptr_null(sk);
    ck_assert_ptr_nonnull(strstr(err, "no_such_scorer"));
    scorekit_free(err);
    /* No project and no pack: told what to pass. */
    err = NULL;
    ck_assert_int_eq(scorekit_open(&sk, NULL, NULL, &err), SCOREKIT_EINVAL);
    ck_assert_ptr_nonnull(strstr(err, "no pack"));
    scorekit_free(err);
}
END_TEST

START_TEST(run_records_an_experiment)
{
    scorekit *sk = NULL;
    char *err = NULL, *id = NULL;
    ck_assert_msg(scorekit_open(&sk, dir, NULL, &err) == 0, "%s", err);
    scorekit_run_opts o = {sizeof o, "from-api", NULL, NULL, 2, 1};
    ck_assert_msg(scorekit_run(sk, &o, &id, &err) == 0, "%s", err);
    ck_assert_uint_eq(strlen(id), 13);
    char db[256];
    snprintf(db, sizeof db, "%s/.scorekit/scorekit.db", dir);
    struct stat sb;
    ck_assert_int_eq(stat(db, &sb), 0);
    /* Two rows x two trials, named as asked, read back by the command. */
    char cmd[1024];
    snprintf(cmd, sizeof cmd,
             "sqlite3 '%s' \"SELECT name || ' ' || (SELECT count(*) FROM cells WHERE "
             "experiment_id = '%s') FROM experiments WHERE id = '%s'\"",
             db, id, id);
    FILE *p = popen(cmd, "r");
    char line[128] = "";
    ck_assert_ptr_nonnull(fgets(line, sizeof line, p));
    pclose(p);
    ck_assert_str_eq(line, "from-api 4\n");
    scorekit_free(id);
    /* A dataset that does not exist is the run's error, with no id. */
    o.dataset = "nope";
    ck_assert_int_eq(scorekit_run(sk, &o, &id, &err), SCOREKIT_ENOTFOUND);
    ck_assert_ptr_null(id);
    ck_assert_ptr_nonnull(strstr(err, "nope"));
    scorekit_free(err);
    scorekit_close(sk);
}
END_TEST

/* The fake LLM server (tests/llm/llm_server) on a free port, started by
 * hand: the fixture the other tests use needs the core's internals, which
 * this program cannot reach.  Returns its pid; *port is its port. */
static pid_t start_server(int *port)
{
    char bin[512], file[64];
    snprintf(bin, sizeof bin, "%s/tests/llm/llm_server", getenv("SK_BUILDDIR"));
    snprintf(file, sizeof file, "%s/port", dir);
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        execl(bin, bin, "--port-file", file, (char *)NULL);
        _exit(127);
    }
    *port = 0;
    for (int i = 0; i < 1000 && !*port; i++) {
        FILE *f = fopen(file, "r");
        if (!f || fscanf(f, "%d", port) != 1) {
            struct timespec ts = {0, 10 * 1000000L};
            nanosleep(&ts, NULL);
        }
        if (f)
            fclose(f);
    }
    ck_assert_msg(*port > 0, "the test server at %s wrote no port", bin);
    return pid;
}

/* Two handles in one process, each with its own model client: closing one
 * leaves the other's judges theirs (there is no process-wide client). */
START_TEST(two_handles_keep_their_clients)
{
    int port;
    pid_t server = start_server(&port);
    char text[1024];
    snprintf(
        text, sizeof text,
        "{\"name\": \"api\", \"pack\": \"judge.json\", \"llm\": {\"provider\": \"t\", "
        "\"cache\": false, \"providers\": {\"t\": {\"api\": \"openai\", \"base_url\": "
        "\"http://127.0.0.1:%d/v1\", \"model\": \"tool:{\\\"reasons\\\":\\\"r\\\",\\\"choice\\\":"
        "\\\"C\\\"}\"}}}}\n",
        port);
    put("scorekit.json", text);
    put("judge.json", "{\"name\": \"j\", \"scorers\": [{\"use\": \"factuality\"}]}\n");
    scorekit *a = NULL, *b = NULL;
    char *err = NULL, *res = NULL;
    ck_assert_msg(scorekit_open(&a, dir, NULL, &err) == 0, "%s", err);
    ck_assert_msg(scorekit_open(&b, dir, NULL, &err) == 0, "%s", err);
    scorekit_close(b);
    const char *c = "{\"input\": \"q\", \"output\": \"a\", \"expected\": \"b\"}";
    ck_assert_int_eq(scorekit_score(a, c, 0, &res, &err), 0);
    ck_assert_msg(strstr(res, "\"factuality\":{\"score\":1") != NULL, "%s", res);
    scorekit_free(res);
    scorekit_close(a);
    kill(server, SIGTERM);
    waitpid(server, NULL, 0);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("api");
    TCase *tc = tcase_create("api");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, open_and_score);
    tcase_add_test(tc, bad_pack_is_refused);
    tcase_add_test(tc, run_records_an_experiment);
    tcase_add_test(tc, two_handles_keep_their_clients);
    tcase_set_timeout(tc, 60);
    suite_add_tcase(s, tc);
    return sk_run_suite(s);
}
