/* `scorekit rescore EXP`: score the outputs an experiment stored with
 * another pack, without running the task again, as a new experiment that
 * records EXP as its origin.  The cheapest way to iterate on scorers: the
 * outputs (and their task errors) stay exactly those EXP recorded.
 *
 * It is an ordinary run whose task is the `stored` provider reading EXP's
 * cells, on EXP's dataset version with EXP's trials, so everything a run
 * does (batched writes, Ctrl-C, `run --resume`) holds here too. */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/llm_setup.h"
#include "base/error.h"
#include "run/run.h"
#include "base/util.h"

static void help(void)
{
    printf("usage: scorekit rescore EXP [--pack P] [--name N] [-j N] [--no-progress] [--json]\n"
           "\n"
           "Score the outputs stored by experiment EXP (its id, or the start of it) again\n"
           "with another pack, without running the task, and record the result as a new\n"
           "experiment whose origin is EXP.  Cells whose task failed in EXP stay task errors.\n"
           "\n"
           "  --pack P   the pack to score with (default: the project's pack)\n"
           "  --name N   the new experiment's name (default: \"rescore\")\n"
           "  -j N       cells scored at once (default: scorekit.json's \"jobs\" or the cores)\n"
           "  --json     print only one JSON object: the new experiment's id, its origin,\n"
           "             status, cell counts, summary and store path\n"
           "\n"
           "exit status: 0 done, 1 bad input, 2 some cells had task or scorer errors,\n"
           "130 interrupted.\n");
}

/* Run the new experiment and print its summary; returns the exit status. */
static int rescore(const cli_ctx *ctx, const sk_project *proj, sk_store *st,
                   const sk_experiment *from, const sk_pack *pack, const char *name, long jobs,
                   int progress, int json)
{
    cJSON *task = cJSON_CreateObject();
    cJSON_AddStringToObject(task, "provider", "stored");
    cJSON_AddStringToObject(task, "experiment", from->id);
    char *abs_pack = pack->path ? realpath(pack->path, NULL) : NULL;
    cli_progress bar;
    cli_progress_init(&bar, progress, "cells");
    bar.llm = cli_llm_client(ctx);
    sk_run_opts o = {0};
    o.project_dir = proj->dir;
    o.llm = cli_llm_client(ctx);
    o.name = name ? name : "rescore";
    o.dataset_ref = from->dataset_ref;
    o.pack = pack;
    o.pack_path = abs_pack ? abs_pack : pack->path;
    o.task = task;
    o.trials = from->trials;
    o.jobs = jobs ? (int)jobs : proj->jobs;
    o.origin = from->id;
    o.progress = cli_progress_cb;
    o.progress_ud = &bar;
    char *note = sk_asprintf("origin: %s (%s); its stored outputs were scored with %s", from->id,
                             from->name, pack->path ? pack->path : "the pack");
    int rc =
        json ? cli_run_json(st, &o, from->trials) : cli_run_and_report(st, &o, from->trials, note);
    free(note);
    free(abs_pack);
    cJSON_Delete(task);
    return rc;
}

int cmd_rescore(const cli_ctx *ctx, int argc, char **argv)
{
    enum { O_NAME = 256, O_PACK, O_NO_PROGRESS, O_JSON };
    static const struct option opts[] = {{"name", required_argument, NULL, O_NAME},
                                         {"pack", required_argument, NULL, O_PACK},
                                         {"jobs", required_argument, NULL, 'j'},
                                         {"no-progress", no_argument, NULL, O_NO_PROGRESS},
                                         {"json", no_argument, NULL, O_JSON},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    const char *name = NULL, *pack_file = NULL;
    long jobs = 0;
    int progress = 1, json = 0, c;
    optind = 1;
    while ((c = cli_getopt(argc, argv, "j:h", opts)) != -1) {
        switch (c) {
        case O_NAME: name = optarg; break;
        case O_PACK: pack_file = optarg; break;
        case O_NO_PROGRESS: progress = 0; break;
        case O_JSON: json = 1; break;
        case 'j': {
            char *end;
            jobs = strtol(optarg, &end, 10);
            if (*end || end == optarg || jobs < 1 || jobs > 1024) {
                cli_error("-j needs a number from 1 to 1024, got \"%s\"", optarg);
                return CLI_USAGE;
            }
            break;
        }
        case 'h': help(); return CLI_OK;
        default: return CLI_USAGE;
        }
    }
    if (optind == argc) {
        cli_error("rescore needs the id of the experiment whose outputs to score "
                  "(`scorekit experiments` lists them)");
        return CLI_USAGE;
    }
    if (optind + 1 < argc) {
        cli_error("rescore takes one experiment id (got \"%s\" too)", argv[optind + 1]);
        return CLI_USAGE;
    }

    sk_project *proj;
    sk_store *st;
    if (cli_open_store(ctx, &proj, &st))
        return CLI_FAIL;
    sk_experiment from;
    char *err = NULL;
    int rc = CLI_FAIL;
    if (sk_experiment_load(st, argv[optind], &from, &err) != SK_OK) {
        cli_error("%s", err);
        free(err);
    } else {
        if (strcmp(from.status, "done") != 0)
            cli_warn("experiment %s is %s, not done: the cells it lacks become task errors "
                     "(`scorekit run --resume %s` completes it first)",
                     from.id, from.status, from.id);
        sk_registry *reg = NULL;
        sk_pack *pack = NULL;
        if (cli_pack(ctx, proj, pack_file, NULL, 0, &reg, &pack) == 0)
            rc = rescore(ctx, proj, st, &from, pack, name, jobs, progress, json);
        sk_pack_free(pack);
        sk_registry_free(reg);
        sk_experiment_clear(&from);
    }
    sk_store_close(st);
    sk_project_free(proj);
    return rc;
}
