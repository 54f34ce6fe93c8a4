/*
 * Who pays for a model call.  One client serves every run of the process;
 * each call is billed to the host table (and so the experiment and the
 * row) it was made through, never to the thread that made it: tables used
 * in turn on one thread bill their own experiments, two experiments run at
 * once on one client each get exactly their calls, and a judge that asks
 * from threads of its own bills the row it is scoring.  Against the fake
 * LLM server, with a real store and the real runner.
 */
#include <check.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "base/util.h"
#include "engine/host.h"
#include "engine/pack.h"
#include "fixtures.h"
#include "llm/llm.h"
#include "llm/llm_cache.h"
#include "llm_fixture.h"
#include "run/engines.h"
#include "run/run.h"
#include "run_suite.h"
#include "store/dataset.h"
#include "store_fixture.h"

/* Every call here asks "echo" for 8 bytes: 2 prompt and 2 completion
 * tokens, so 2 x 1 + 2 x 2 = 6 at these prices. */
#define TOKENS   2
#define PER_CALL 6.0

static sk_llm *llm;

static void setup(void)
{
    sk_store_fx_setup();
    static const char *const slow[] = {"--latency-ms", "20", NULL};
    sk_llm_fx_start(slow);
    sk_store *st = sk_store_fx_open();
    char *db = sk_xstrdup(sk_store_path(st));
    sk_store_close(st);
    /* No cache: two runs asking the same thing must both be billed. */
    cJSON *cfg = sk_llm_fx_config("openai", "{\"max_retries\":0,\"prices\":{\"echo\":"
                                            "{\"input_per_mtok\":1000000,"
                                            "\"output_per_mtok\":2000000}}}");
    cJSON_AddFalseToObject(cfg, "cache");
    char *err = NULL;
    ck_assert_msg(sk_llm_open(&llm, cfg, db, &err) == 0, "%s", err);
    cJSON_Delete(cfg);
    free(db);
}

static void teardown(void)
{
    sk_llm_close(llm);
    llm = NULL;
    sk_llm_fx_stop();
    sk_store_fx_teardown();
}

static sk_llm_usage logged(const char *exp_id)
{
    sk_store *st = sk_store_fx_open();
    sk_llm_usage u;
    char *err = NULL;
    ck_assert_msg(sk_llm_usage_in(st, exp_id, &u, &err) == 0, "%s", err);
    sk_store_close(st);
    return u;
}

static void ask(const sk_host *h, const char *text)
{
    char *req = sk_asprintf("{\"model\": \"echo\", \"messages\": [{\"role\": \"user\", "
                            "\"content\": \"%s\"}]}",
                            text);
    char *reply = NULL, err[512] = "";
    ck_assert_msg(h->llm_chat(h, req, &reply, err, sizeof err) == 0, "%s", err);
    h->free(reply);
    free(req);
}

static void assert_usage(const sk_llm_usage *u, long calls)
{
    ck_assert_int_eq(u->calls, calls);
    ck_assert_int_eq(u->cached, 0);
    ck_assert_int_eq(u->prompt_tokens, calls * TOKENS);
    ck_assert_int_eq(u->completion_tokens, calls * TOKENS);
    ck_assert_double_eq_tol(u->cost, calls * PER_CALL, 1e-9);
}

/* Two runs' tables used in turn on one thread: each bills its own
 * experiment, in its account and in the usage log. */
START_TEST(tables_bill_their_own_experiment)
{
    sk_host_ctx a, b;
    sk_host_init(&a, llm, NULL, "exp-a");
    sk_host_init(&b, llm, NULL, "exp-b");
    ask(&a.table, "aaaaaaaa");
    ask(&b.table, "bbbbbbbb");
    ask(&a.table, "aaaaaaab");
    ask(&a.table, "aaaaaaac");
    ask(&b.table, "bbbbbbbc");
    assert_usage(&a.account.usage, 3);
    assert_usage(&b.account.usage, 2);
    sk_llm_usage la = logged("exp-a"), lb = logged("exp-b");
    assert_usage(&la, 3);
    assert_usage(&lb, 2);
}
END_TEST

/* The services a table cannot answer from its arguments, kept for plugins
 * built before project_folder (plugin.h): project_dir() and the entry
 * point's table act for the run the thread is calling a scorer for. */
START_TEST(old_services_act_for_the_calling_run)
{
    sk_host_ctx run, loader;
    sk_host_init(&run, llm, "/projects/one", "exp-run");
    sk_host_init(&loader, NULL, NULL, NULL);
    loader.stand_in = 1;
    const sk_host *h = &loader.table;
    ck_assert_ptr_null(h->project_dir());
    ck_assert_ptr_null(h->project_folder(h));
    ck_assert_str_eq(run.table.project_folder(&run.table), "/projects/one");
    sk_host_ctx *prev = sk_host_enter(&run);
    ck_assert_str_eq(h->project_dir(), "/projects/one");
    ck_assert_str_eq(h->project_folder(h), "/projects/one");
    ask(h, "cccccccc");
    sk_host_leave(prev);
    ck_assert_ptr_null(h->project_dir());
    assert_usage(&run.account.usage, 1);
    sk_llm_usage l = logged("exp-run");
    assert_usage(&l, 1);
    /* Outside any call the entry point's table has no client to use. */
    char *reply = NULL, err[256] = "";
    ck_assert_int_ne(h->llm_chat(h,
                                 "{\"model\": \"echo\", \"messages\": [{\"role\": \"user\", "
                                 "\"content\": \"x\"}]}",
                                 &reply, err, sizeof err),
                     0);
    ck_assert_ptr_null(reply);
    sk_assert_has(err, "no LLM client is open");
}
END_TEST

/* ---- two experiments at once on one client ------------------------------ */

#define ROWS 6

/* A Lua judge: one call of its own per row, through sk.llm. */
static const char lua_judge[] =
    "return { name = \"asks\", uses_llm = true,\n"
    "  score = function(case)\n"
    "    local r = sk.llm.chat{model = \"echo\", messages = {{role = \"user\", content = "
    "case.output}}}\n"
    "    return r.content == case.output and 1 or 0\n"
    "  end }\n";

typedef struct run_arg {
    const sk_pack *pack;
    cJSON *task;
    char *id;
    int rc;
    char *err;
} run_arg;

static void *run_one(void *p)
{
    run_arg *a = p;
    sk_store *st = NULL;
    a->rc = sk_store_open(&st, sk_store_fx_dir, &a->err);
    if (a->rc)
        return NULL;
    sk_run_opts o = {0};
    o.project_dir = sk_store_fx_dir;
    o.llm = llm;
    o.dataset_ref = "d";
    o.pack = a->pack;
    o.task = a->task;
    o.trials = 1;
    o.jobs = 3;
    sk_run_result res;
    a->rc = sk_run(st, &o, &res, &a->err);
    a->id = res.id;
    sk_store_close(st);
    return NULL;
}

static long long count(sk_store *st, const char *fmt, const char *id)
{
    char *sql = sk_asprintf(fmt, id);
    long long n = sk_store_fx_int(st, sql);
    free(sql);
    return n;
}

/* Each cell: the openai task's call, the fanout judge's two (made on
 * threads of its own), the Lua judge's one.  Both experiments run at once
 * through one client; each is billed exactly its calls, cell by cell. */
START_TEST(concurrent_runs_bill_their_cells)
{
    sk_buf rows = {0};
    for (int i = 0; i < ROWS; i++)
        sk_buf_printf(&rows, "{\"id\": \"r%d\", \"input\": \"in-%05d\"}\n", i, i);
    char *data = sk_store_fx_write("d.jsonl", rows.data);
    sk_buf_free(&rows);
    char *lua = sk_store_fx_write("asks.lua", lua_judge);
    sk_store *st = sk_store_fx_open();
    char *err = NULL;
    ck_assert_msg(sk_dataset_import(st, "d", data, SK_DATASET_JSONL, NULL, &err) == SK_OK, "%s",
                  err);

    sk_registry *reg = sk_registry_new();
    sk_engines_add(reg);
    char *so = sk_asprintf("%s/tests/plugins/.libs/fanout.so", getenv("SK_BUILDDIR"));
    ck_assert_msg(sk_registry_load(reg, so, &err) == SK_OK, "%s", err);
    char *pack_text = sk_asprintf(
        "{\"name\": \"b\", \"scorers\": [{\"use\": \"fanout\"}, {\"use\": \"lua:%s\"}]}", lua);
    sk_pack *pack = NULL;
    ck_assert_msg(sk_pack_parse(&pack, pack_text, strlen(pack_text), "b.json", reg, &err) == SK_OK,
                  "%s", err);
    cJSON *task = cJSON_Parse("{\"provider\": \"openai\", \"model\": \"echo\"}");

    run_arg a[2] = {{pack, task, NULL, 0, NULL}, {pack, task, NULL, 0, NULL}};
    pthread_t t[2];
    for (int i = 0; i < 2; i++)
        ck_assert_int_eq(pthread_create(&t[i], NULL, run_one, &a[i]), 0);
    for (int i = 0; i < 2; i++)
        pthread_join(t[i], NULL);

    for (int i = 0; i < 2; i++) {
        ck_assert_msg(a[i].rc == SK_OK, "run %d: %s", i, a[i].err ? a[i].err : "");
        const char *id = a[i].id;
        /* Every judgement was made: the calls below are the real ones. */
        ck_assert_int_eq(count(st,
                               "SELECT count(*) FROM scores WHERE experiment_id = '%s' "
                               "AND kind = 'score' AND score = 1",
                               id),
                         2 * ROWS);
        ck_assert_int_eq(count(st,
                               "SELECT count(*) FROM cells WHERE experiment_id = '%s' AND "
                               "llm_calls = 4 AND prompt_tokens = 8 AND completion_tokens = 8 "
                               "AND abs(cost - 24) < 1e-9",
                               id),
                         ROWS);
        sk_llm_usage u = logged(id);
        assert_usage(&u, 4 * ROWS);
    }
    ck_assert_int_eq(sk_store_fx_int(st, "SELECT count(*) FROM llm_calls WHERE experiment_id IS "
                                         "NULL"),
                     0);

    for (int i = 0; i < 2; i++)
        free(a[i].id);
    cJSON_Delete(task);
    sk_pack_free(pack);
    sk_registry_free(reg);
    free(pack_text);
    free(so);
    sk_store_close(st);
    free(lua);
    free(data);
}
END_TEST

static Suite *billing_suite(void)
{
    Suite *s = suite_create("billing");
    TCase *tc = tcase_create("billing");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, tables_bill_their_own_experiment);
    tcase_add_test(tc, old_services_act_for_the_calling_run);
    tcase_add_test(tc, concurrent_runs_bill_their_cells);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return sk_run_suite(billing_suite());
}
