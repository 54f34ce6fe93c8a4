/*
 * The library's door (see <scorekit/scorekit.h>): a project, a registry of
 * every engine, a loaded pack with its scorers open, and an LLM client when
 * a scorer or the task calls a model.  Everything behind it is the code the
 * command runs; this file only wires it and turns results into JSON text.
 */
#include "config.h"
#include "scorekit/scorekit.h"

#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "base/fileutil.h"
#include "base/util.h"
#include "engine/host.h"
#include "engine/pack.h"
#include "llm/llm.h"
#include "run/engines.h"
#include "run/project_check.h"
#include "run/plan.h"
#include "run/rowscore.h"
#include "run/run.h"
#include "store/dataset.h"
#include "store/project.h"
#include "store/store.h"

struct scorekit {
    sk_project *proj; /* NULL without a project */
    sk_registry *reg;
    sk_pack *pack;
    void **states; /* one per pack entry, opened */
    sk_rowscore rs;
    sk_llm *llm;      /* NULL until a scorer or task needs a model */
    sk_host_ctx host; /* this handle's: two handles in a process never share one */
    size_t cases;
};

const char *scorekit_version(void)
{
    return PACKAGE_VERSION;
}

void scorekit_free(void *p)
{
    free(p);
}

static int uses_llm(const sk_pack *pack)
{
    for (size_t i = 0; i < pack->n; i++)
        if (pack->entries[i].flags & SK_SCORER_USES_LLM)
            return 1;
    return 0;
}

/* The client from the project's "llm" object (else the environment), with
 * the project's store as its cache and usage log. */
static int open_llm(scorekit *sk, char **err)
{
    if (sk->llm)
        return SK_OK;
    cJSON *config = NULL;
    char *db_path = NULL;
    int rc = SK_OK;
    if (sk->proj && sk->proj->llm_json && !(config = cJSON_Parse(sk->proj->llm_json)))
        return sk_errf(err, SK_EINVAL, "%s: \"llm\" could not be read", sk->proj->path);
    if (sk->proj) {
        sk_store *st = NULL;
        rc = sk_store_open(&st, sk->proj->dir, err);
        if (rc == SK_OK)
            db_path = sk_xstrdup(sk_store_path(st));
        sk_store_close(st);
    }
    if (rc == SK_OK)
        rc = sk_llm_open(&sk->llm, config, db_path, err);
    if (rc == SK_OK)
        sk->host.llm = sk->llm;
    cJSON_Delete(config);
    free(db_path);
    return rc;
}

int scorekit_open(scorekit **out, const char *project_dir, const char *pack_path, char **err)
{
    *out = NULL;
    scorekit *sk = sk_xcalloc(1, sizeof *sk);
    int rc = SK_OK;
    if (project_dir)
        rc = sk_project_load(&sk->proj, project_dir, err);
    if (rc == SK_OK && sk->proj)
        rc = sk_project_check(sk->proj, err);
    sk_host_init(&sk->host, NULL, sk->proj ? sk->proj->dir : NULL, NULL);
    const char *pp = pack_path ? pack_path : (sk->proj ? sk->proj->pack : NULL);
    if (rc == SK_OK && !pp)
        rc = sk_errf(err, SK_EINVAL,
                     "scorekit_open: no pack: pass a pack file, or a project whose "
                     "scorekit.json names one (\"pack\")");
    if (rc == SK_OK)
        rc = sk_engines_open(&sk->reg, sk->proj ? sk->proj->dir : NULL, err);
    if (rc == SK_OK)
        rc = sk_pack_load(&sk->pack, pp, sk->reg, err);
    if (rc == SK_OK && uses_llm(sk->pack))
        rc = open_llm(sk, err);
    if (rc == SK_OK) {
        sk->states = sk_xcalloc(sk->pack->n ? sk->pack->n : 1, sizeof *sk->states);
        rc = sk_pack_open(sk->pack, &sk->host, sk->states, err);
        if (rc) {
            free(sk->states);
            sk->states = NULL;
        }
    }
    if (rc) {
        scorekit_close(sk);
        return rc;
    }
    sk_rowscore_init(&sk->rs, sk->pack, &sk->host, sk->states);
    *out = sk;
    return SK_OK;
}

size_t scorekit_scorer_count(const scorekit *sk)
{
    return sk->pack->n;
}

const char *scorekit_scorer_name(const scorekit *sk, size_t i)
{
    return i < sk->pack->n ? sk->pack->entries[i].name : NULL;
}

int scorekit_score(scorekit *sk, const char *case_json, size_t len, char **result_json, char **err)
{
    *result_json = NULL;
    if (!case_json)
        return sk_errf(err, SK_EINVAL, "scorekit_score: no case given");
    if (len == 0)
        len = strlen(case_json);
    sk_span spans[SK_F_COUNT];
    char msg[512];
    if (sk_row_parse(case_json, len, sk_row_keys, spans, msg, sizeof msg) != SK_OK)
        return sk_errf(err, SK_EPARSE, "scorekit_score: case %zu: %s", sk->cases + 1, msg);
    sk->cases++;
    sk_rowscore_run(&sk->rs, spans, 0);
    sk_buf out = {0};
    sk_rowscore_json(&sk->rs, sk->cases, &out);
    while (out.len && out.data[out.len - 1] == '\n')
        out.data[--out.len] = '\0';
    *result_json = out.data;
    return SK_OK;
}

/* The dataset to run on: a file is brought into the store (a new version
 * only when its rows changed); anything else is a stored NAME[@VER]. */
static int dataset_ref(sk_store *st, const char *dataset, const char *path, char **ref, char **err)
{
    if (!sk_is_file(path)) {
        *ref = sk_xstrdup(dataset);
        return SK_OK;
    }
    char *name = sk_dataset_name_for_file(path);
    int rc = sk_plan_sync_dataset(st, name, path, ref, NULL, NULL, err);
    free(name);
    return rc;
}

int scorekit_run(scorekit *sk, const scorekit_run_opts *opts, char **experiment_id, char **err)
{
    *experiment_id = NULL;
    scorekit_run_opts o = {0};
    if (opts)
        memcpy(&o, opts, opts->size && opts->size < sizeof o ? opts->size : sizeof o);
    if (!sk->proj)
        return sk_errf(err, SK_EINVAL,
                       "scorekit_run: experiments are kept in a project's store: open the "
                       "handle with a project folder");
    const char *dataset = o.dataset ? o.dataset : sk->proj->dataset_name;
    if (!dataset)
        return sk_errf(err, SK_EINVAL,
                       "scorekit_run: no dataset: pass one, or set \"dataset\" in %s",
                       sk->proj->path);
    /* A file named relative to the project, as scorekit.json names it. */
    char *path = o.dataset ? sk_xstrdup(o.dataset)
                           : (sk->proj->dataset ? sk_xstrdup(sk->proj->dataset) : NULL);
    const char *task_text = o.task_json ? o.task_json : sk->proj->task_json;
    cJSON *task = task_text ? cJSON_Parse(task_text) : cJSON_CreateObject();
    sk_store *st = NULL;
    char *ref = NULL;
    int rc = SK_OK;
    if (!task || !cJSON_IsObject(task))
        rc = sk_errf(err, SK_EINVAL, "scorekit_run: the task is not a JSON object");
    if (rc == SK_OK)
        rc = sk_store_open(&st, sk->proj->dir, err);
    if (rc == SK_OK)
        rc = dataset_ref(st, dataset, path ? path : dataset, &ref, err);
    /* A task that calls a model needs the client too. */
    if (rc == SK_OK && !sk->llm) {
        const sk_task_ops *ops = sk_task_find(task, NULL);
        if (ops && ops->uses_llm)
            rc = open_llm(sk, err);
    }
    if (rc == SK_OK) {
        sk_run_opts ro = {0};
        ro.project_dir = sk->proj->dir;
        ro.llm = sk->llm;
        ro.name = o.name;
        ro.dataset_ref = ref;
        ro.pack = sk->pack;
        ro.pack_path = sk->pack->path;
        ro.task = task;
        ro.trials = o.trials > 0 ? o.trials : 1;
        ro.jobs = o.jobs > 0 ? o.jobs : sk->proj->jobs;
        sk_run_result res = {0};
        rc = sk_run(st, &ro, &res, err);
        if (rc == SK_OK)
            *experiment_id = res.id;
        else
            free(res.id);
    }
    sk_store_close(st);
    cJSON_Delete(task);
    free(ref);
    free(path);
    return rc;
}

void scorekit_close(scorekit *sk)
{
    if (!sk)
        return;
    if (sk->states) {
        sk_rowscore_free(&sk->rs);
        sk_pack_close(sk->pack, &sk->host, sk->states);
        free(sk->states);
    }
    sk_pack_free(sk->pack);
    sk_registry_free(sk->reg);
    sk_llm_close(sk->llm);
    sk_project_free(sk->proj);
    free(sk);
}
