/* `scorekit run`: an experiment = dataset x task x pack x trials, recorded
 * in the project's store; `--resume EXP` finishes an interrupted one. */
#include <cjson/cJSON.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/llm_setup.h"
#include "store/dataset.h"
#include "base/error.h"
#include "base/fileutil.h"
#include "run/plan.h"
#include "run/run.h"
#include "base/util.h"
#include "cli/validate_gate.h"

static void help(void)
{
    printf("usage: scorekit run [--name N] [--dataset NAME[@VER]] [--pack P] [--trials K]\n"
           "                    [-j N] [--set key=value]... [--cache] [--no-progress]\n"
           "                    [--json]\n"
           "       scorekit run --resume EXP\n"
           "\n"
           "Run every dataset row x trial through the project's task, score each output with\n"
           "every scorer of the pack, and record it all as an experiment in the project's\n"
           "store (.scorekit/scorekit.db).  Ctrl-C stops cleanly once the cells under way\n"
           "are done (a second Ctrl-C stops at once); --resume runs only the missing cells\n"
           "of an interrupted or killed run.\n"
           "\n"
           "  --dataset REF   a dataset of the store (default: scorekit.json's \"dataset\"; when\n"
           "                  that names a file, it is imported first if its rows changed)\n"
           "  --set K=V       override the task's configuration (V is JSON, else text)\n"
           "  --cache         let the task's model calls be served from the LLM cache (the\n"
           "                  same as --set cache=true; by default a run asks the model\n"
           "                  under test anew, while judges reuse their replies per trial)\n"
           "  --json          print only one JSON object: the experiment's id, status, cell\n"
           "                  counts, summary and store path\n"
           "  --no-cache      call the model for every task and judge call, ignoring the\n"
           "                  LLM replies cached in the store\n"
           "  --require-validated  refuse scorers that did not pass `scorekit validate`, or\n"
           "                  changed since (also \"require_validated\": true in scorekit.json)\n"
           "\n"
           "exit status: 0 done, 1 bad input, 2 some cells had task or scorer errors,\n"
           "130 interrupted.\n");
}

/* The pack to resume with: the one the experiment recorded, unchanged. */
static int resume_pack(const cli_ctx *ctx, const sk_project *proj, sk_store *st, const char *id,
                       sk_registry **reg, sk_pack **pack, cJSON **task, int *trials)
{
    sk_resume_plan p;
    char *err = NULL;
    int rc = sk_plan_resume_load(st, id, &p, &err);
    if (rc == SK_OK && cli_pack(ctx, proj, p.pack_path, NULL, 0, reg, pack) != 0)
        rc = SK_EINVAL; /* cli_pack said why */
    else if (rc == SK_OK)
        rc = sk_plan_resume_check(&p, *pack, &err);
    if (rc == SK_OK) {
        *task = p.task;
        p.task = NULL;
        *trials = p.e.trials;
    } else if (err) {
        cli_error("%s", err);
    }
    free(err);
    sk_plan_resume_clear(&p);
    return rc == SK_OK ? 0 : -1;
}

/* scorekit.json names a file as the dataset: bring the store in step with
 * it (a new version only when the rows changed) and run on that version.
 * The dataset is named after the file ("data.jsonl" -> "data"). */
static int sync_dataset(sk_store *st, const sk_project *proj, char **ref)
{
    char *name = sk_dataset_name_for_file(proj->dataset);
    char *err = NULL;
    sk_dataset_version v;
    int imported = 0;
    int rc = sk_plan_sync_dataset(st, name, proj->dataset, ref, &v, &imported, &err);
    if (rc == SK_OK) {
        if (imported)
            fprintf(stderr, "scorekit: %s: imported %lld rows as %s%s\n", proj->dataset_name,
                    (long long)v.rows, *ref,
                    v.version > 1 ? " (the file changed since the last version)" : "");
        sk_dataset_version_clear(&v);
    } else if (rc == SK_EINVAL && sk_dataset_check_name(name, NULL) != SK_OK) {
        cli_error("%s: the dataset file %s gives no usable dataset name (\"%s\"): rename the "
                  "file, or import it yourself (scorekit dataset import NAME %s) and set "
                  "\"dataset\" to NAME",
                  proj->path, proj->dataset_name, name, proj->dataset_name);
    } else {
        cli_error("%s", err);
    }
    free(err);
    free(name);
    return rc == SK_OK ? 0 : -1;
}

int cmd_run(const cli_ctx *ctx, int argc, char **argv)
{
    enum {
        O_NAME = 256,
        O_DATASET,
        O_PACK,
        O_TRIALS,
        O_SET,
        O_RESUME,
        O_NO_PROGRESS,
        O_CACHE,
        O_JSON
    };
    static const struct option opts[] = {{"name", required_argument, NULL, O_NAME},
                                         {"dataset", required_argument, NULL, O_DATASET},
                                         {"pack", required_argument, NULL, O_PACK},
                                         {"trials", required_argument, NULL, O_TRIALS},
                                         {"jobs", required_argument, NULL, 'j'},
                                         {"set", required_argument, NULL, O_SET},
                                         {"resume", required_argument, NULL, O_RESUME},
                                         {"no-progress", no_argument, NULL, O_NO_PROGRESS},
                                         {"cache", no_argument, NULL, O_CACHE},
                                         {"json", no_argument, NULL, O_JSON},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    const char *name = NULL, *dataset = NULL, *pack_file = NULL, *resume = NULL;
    char *synced = NULL;
    const char **sets = calloc((size_t)argc + 1, sizeof *sets);
    size_t nsets = 0;
    long trials = 1, jobs = 0;
    int progress = 1, cache = 0, json = 0, c;
    int require_validated = cli_take_flag(&argc, argv, "--require-validated"); /* validate.c */
    optind = 1;
    while ((c = cli_getopt(argc, argv, "j:h", opts)) != -1) {
        char *end;
        switch (c) {
        case O_NAME: name = optarg; break;
        case O_DATASET: dataset = optarg; break;
        case O_PACK: pack_file = optarg; break;
        case O_SET: sets[nsets++] = optarg; break;
        case O_RESUME: resume = optarg; break;
        case O_NO_PROGRESS: progress = 0; break;
        case O_CACHE: cache = 1; break;
        case O_JSON: json = 1; break;
        case O_TRIALS:
        case 'j': {
            long v = strtol(optarg, &end, 10);
            if (*end || v < 1 || v > 1024) {
                cli_error("%s needs a number from 1 to 1024, got \"%s\"",
                          c == 'j' ? "-j" : "--trials", optarg);
                free(sets);
                return CLI_USAGE;
            }
            *(c == 'j' ? &jobs : &trials) = v;
            break;
        }
        case 'h':
            help();
            free(sets);
            return CLI_OK;
        default: free(sets); return CLI_USAGE;
        }
    }
    if (optind < argc) {
        cli_error("run takes no positional arguments (got \"%s\")", argv[optind]);
        free(sets);
        return CLI_USAGE;
    }
    if (cache && resume) {
        cli_error("--cache: a resumed run keeps the task its experiment recorded");
        free(sets);
        return CLI_USAGE;
    }

    sk_project *proj = NULL;
    if (cli_project(ctx, 1, &proj)) {
        free(sets);
        return CLI_FAIL;
    }
    char *err = NULL;
    sk_store *st = NULL;
    sk_registry *reg = NULL;
    sk_pack *pack = NULL;
    cJSON *task = NULL;
    int rc = CLI_OK;
    /* A new run loads its pack before it touches the store, so a pack that
     * is refused (a syntax error, a scorer composing itself) leaves the
     * store as it was: no dataset imported, no experiment begun. */
    if (!resume && cli_pack(ctx, proj, pack_file, NULL, 0, &reg, &pack))
        rc = CLI_FAIL;
    else if (sk_store_open(&st, proj->dir, &err) != SK_OK) {
        cli_error("%s", err);
        rc = CLI_FAIL;
    } else if (resume) {
        int t = 1;
        if (resume_pack(ctx, proj, st, resume, &reg, &pack, &task, &t))
            rc = CLI_FAIL;
        trials = t;
    } else {
        if (!dataset && proj->dataset_name && !sk_is_file(proj->dataset))
            dataset = proj->dataset_name;
        if (!dataset && proj->dataset && sk_is_file(proj->dataset)) {
            if (sync_dataset(st, proj, &synced))
                rc = CLI_FAIL;
            dataset = synced;
        } else if (!dataset) {
            cli_error("no dataset: pass --dataset NAME[@VER] or set \"dataset\" in %s", proj->path);
            rc = CLI_USAGE;
        }
        if (rc == CLI_OK) {
            task = proj->task_json ? cJSON_Parse(proj->task_json) : cJSON_CreateObject();
            if (sk_plan_apply_sets(task, sets, nsets, &err) != SK_OK) {
                cli_error("%s", err);
                rc = CLI_USAGE;
            }
        }
        if (rc == CLI_OK && cache) {
            /* In the task, so the experiment records that its outputs may
             * be replayed ones. */
            const sk_task_ops *ops = sk_task_find(task, NULL);
            if (ops && ops->uses_llm) {
                cJSON_DeleteItemFromObjectCaseSensitive(task, "cache");
                cJSON_AddTrueToObject(task, "cache");
            } else if (ops) {
                cli_warn("--cache: the %s task calls no model; nothing to cache", ops->provider);
            }
        }
    }

    if (rc == CLI_OK && cli_validation_gate(st, proj, pack, reg, require_validated))
        rc = CLI_FAIL;
    /* The client was opened with the pack, maybe before the store existed:
     * a task that calls a model is billed and cached in the store too. */
    const sk_task_ops *task_ops = rc == CLI_OK ? sk_task_find(task, NULL) : NULL;
    if (task_ops && task_ops->uses_llm && cli_llm_open(ctx, proj, 1, &err) != CLI_OK) {
        cli_error("%s", err);
        rc = CLI_FAIL;
    }
    if (rc == CLI_OK) {
        char *abs_pack = NULL;
        const char *pp = resume ? pack->path : (pack_file ? pack_file : proj->pack);
        if (pp)
            abs_pack = realpath(pp, NULL);
        cli_progress bar;
        cli_progress_init(&bar, progress, "cells");
        bar.llm = cli_llm_client(ctx);
        sk_run_opts o = {0};
        o.project_dir = proj->dir;
        o.llm = cli_llm_client(ctx);
        o.name = name;
        o.dataset_ref = dataset;
        o.pack = pack;
        o.pack_path = abs_pack;
        o.task = task;
        o.trials = (int)trials;
        o.jobs = jobs ? (int)jobs : proj->jobs;
        o.resume_id = resume;
        o.progress = cli_progress_cb;
        o.progress_ud = &bar;
        rc = json ? cli_run_json(st, &o, (int)trials)
                  : cli_run_and_report(st, &o, (int)trials, NULL);
        free(abs_pack);
    }
    free(err);
    free(synced);
    cJSON_Delete(task);
    sk_pack_free(pack);
    sk_registry_free(reg);
    sk_store_close(st);
    sk_project_free(proj);
    free(sets);
    return rc;
}
