/*
 * The --json form of the commands that make something (run, rescore,
 * init, new, dataset import, baseline set, export): one JSON object on
 * stdout with what a script needs next (the id, counts, errors, paths),
 * and nothing else there; messages and progress stay on stderr.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli/cli.h"
#include "base/error.h"
#include "base/util.h"
#include "run/run.h"

void cli_json_print(cJSON *o)
{
    char *s = cJSON_PrintUnformatted(o);
    puts(s);
    fflush(stdout);
    free(s);
    cJSON_Delete(o);
}

int cli_run_json(sk_store *st, struct sk_run_opts *o, int trials)
{
    sk_run_result res;
    char *err = NULL;
    int r = cli_run_caught(st, o, &res, &err);

    int rc = r == SK_EINTR ? CLI_INTERRUPTED : r ? CLI_FAIL : CLI_OK;
    if (r && r != SK_EINTR)
        cli_error("%s", err);
    if (!res.id) {
        free(err);
        return rc; /* nothing was begun: the message says why */
    }
    cJSON *j = cJSON_CreateObject();
    cJSON_AddStringToObject(j, "id", res.id);
    cJSON_AddStringToObject(j, "status", r == SK_EINTR ? "interrupted" : r ? "failed" : "done");
    cli_json_str(j, "error", r && r != SK_EINTR ? err : NULL);
    cJSON_AddNumberToObject(j, "cells", (double)res.cells);
    cJSON_AddNumberToObject(j, "ran", (double)res.ran);
    cJSON_AddNumberToObject(j, "skipped", (double)res.skipped);
    cli_json_num(j, "seconds", res.seconds);
    cJSON_AddStringToObject(j, "store", sk_store_path(st));
    if (o->origin)
        cJSON_AddStringToObject(j, "origin", o->origin);
    sk_exp_stats s;
    char *serr = NULL;
    if (sk_experiment_stats(st, res.id, &s, &serr) == SK_OK) {
        long errors = (long)cli_stats_errors(&s);
        cJSON_AddItemToObject(j, "summary", cli_summary_json(&s, res.cells, trials));
        sk_exp_stats_clear(&s);
        if (rc == CLI_OK && errors)
            rc = CLI_SCORER_ERRORS;
    } else {
        cli_error("%s", serr);
        cJSON_AddNullToObject(j, "summary");
        rc = rc == CLI_OK ? CLI_FAIL : rc;
    }
    free(serr);
    sk_llm_usage u;
    if (cli_llm_usage(st, res.id, &u) == 0)
        cJSON_AddItemToObject(j, "llm_usage", cli_llm_usage_json(&u));
    if (r) {
        char *resume = sk_asprintf("scorekit run --resume %s", res.id);
        cJSON_AddStringToObject(j, "resume", resume);
        free(resume);
    }
    cli_json_print(j);
    free(res.id);
    free(err);
    return rc;
}
