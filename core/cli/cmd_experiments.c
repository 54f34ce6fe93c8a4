/* `scorekit experiments`: the project's experiments, newest first, each
 * with its dataset, cells, errors and the mean score of every scorer. */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "base/error.h"
#include "base/util.h"
#include "store/experiment_read.h"

static const char help_text[] =
    "usage: scorekit experiments [--json]\n"
    "\n"
    "List the project's experiments, newest first: id, name, when it started, status\n"
    "(running, done, or interrupted: stopped, killed or failed; `run --resume` ends it),\n"
    "dataset@version, cells recorded (of the total when incomplete), task and scorer\n"
    "errors, the experiment it rescored (origin), each scorer's mean score, and the\n"
    "model calls it made (with their cost, when the project prices its models).\n"
    "\n"
    "  --json   one JSON array of objects\n";

typedef struct listed {
    char *id, *name, *created_at, *finished_at, *status, *dataset, *origin;
    int trials;
    size_t total; /* cells when complete */
    sk_exp_stats stats;
    sk_llm_usage usage; /* its model calls */
} listed;

static void listed_free(listed *v, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(v[i].id);
        free(v[i].name);
        free(v[i].created_at);
        free(v[i].finished_at);
        free(v[i].status);
        free(v[i].dataset);
        free(v[i].origin);
        sk_exp_stats_clear(&v[i].stats);
    }
    free(v);
}

typedef struct listing {
    listed *v;
    size_t n, cap;
} listing;

/* A copy of a borrowed string that may be NULL. */
static char *dup_or_null(const char *s)
{
    return s ? sk_xstrdup(s) : NULL;
}

static int add_listed(void *ud, const sk_experiment_listed *e)
{
    listing *ls = ud;
    ls->v = sk_xgrow(ls->v, &ls->cap, ls->n + 1, sizeof *ls->v);
    listed *l = &ls->v[ls->n++];
    memset(l, 0, sizeof *l);
    l->id = dup_or_null(e->id);
    l->name = dup_or_null(e->name);
    l->created_at = dup_or_null(e->created_at);
    l->finished_at = dup_or_null(e->finished_at);
    l->dataset = dup_or_null(e->dataset_ref);
    l->origin = dup_or_null(e->origin);
    l->trials = e->trials;
    l->total = (size_t)e->dataset_rows * (size_t)(l->trials > 0 ? l->trials : 1);
    l->status = dup_or_null(e->status); /* "interrupted" once its run is gone */
    return 0;
}

static int load(sk_store *st, listed **out, size_t *n, char **err)
{
    listing ls = {0};
    int rc = sk_experiment_each_listed(st, add_listed, &ls, err);
    *out = ls.v;
    *n = ls.n;
    for (size_t i = 0; rc == SK_OK && i < *n; i++) {
        rc = sk_experiment_stats(st, (*out)[i].id, &(*out)[i].stats, err);
        if (rc == SK_OK)
            cli_llm_usage(st, (*out)[i].id, &(*out)[i].usage);
    }
    if (rc) {
        listed_free(*out, *n);
        *out = NULL;
        *n = 0;
    }
    return rc;
}

static void print_json(const listed *v, size_t n)
{
    cJSON *arr = cJSON_CreateArray();
    for (size_t i = 0; i < n; i++) {
        const listed *l = &v[i];
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "id", l->id);
        cJSON_AddStringToObject(o, "name", l->name);
        cJSON_AddStringToObject(o, "created_at", l->created_at);
        cli_json_str(o, "finished_at", l->finished_at);
        cJSON_AddStringToObject(o, "status", l->status);
        cJSON_AddStringToObject(o, "dataset", l->dataset);
        cJSON_AddNumberToObject(o, "trials", l->trials);
        cJSON_AddNumberToObject(o, "cells", (double)l->stats.cells);
        cJSON_AddNumberToObject(o, "expected_cells", (double)l->total);
        cJSON_AddNumberToObject(o, "task_errors", (double)l->stats.task_errors);
        cJSON_AddNumberToObject(o, "errors", (double)cli_stats_errors(&l->stats));
        cli_json_str(o, "origin", l->origin);
        cJSON *means = cJSON_AddObjectToObject(o, "means");
        for (size_t k = 0; k < l->stats.nscorers; k++) {
            const sk_exp_scorer_stats *sc = &l->stats.scorers[k];
            if (isnan(sc->mean))
                cJSON_AddNullToObject(means, sc->name);
            else
                cJSON_AddNumberToObject(means, sc->name, sc->mean);
        }
        cJSON_AddItemToObject(o, "llm_usage", cli_llm_usage_json(&l->usage));
        cJSON_AddItemToArray(arr, o);
    }
    char *text = cJSON_PrintUnformatted(arr);
    puts(text);
    free(text);
    cJSON_Delete(arr);
}

static void widen(int *w, const char *s)
{
    if (s && (int)strlen(s) > *w)
        *w = (int)strlen(s);
}

static void print_table(const listed *v, size_t n)
{
    int wid = 6, wname = 4, wds = 7, wstat = 6;
    for (size_t i = 0; i < n; i++) {
        widen(&wid, v[i].id);
        widen(&wname, v[i].name);
        widen(&wds, v[i].dataset);
        widen(&wstat, v[i].status);
    }
    printf("%-*s  %-*s  %-20s  %-*s  %-*s  %9s  %6s  %-*s  %s\n", wid, "id", wname, "name",
           "created", wstat, "status", wds, "dataset", "cells", "errors", wid, "origin", "means");
    for (size_t i = 0; i < n; i++) {
        const listed *l = &v[i];
        char cells[48];
        if (l->stats.cells == l->total)
            snprintf(cells, sizeof cells, "%zu", l->stats.cells);
        else
            snprintf(cells, sizeof cells, "%zu/%zu", l->stats.cells, l->total);
        sk_buf means = {0};
        for (size_t k = 0; k < l->stats.nscorers; k++) {
            const sk_exp_scorer_stats *sc = &l->stats.scorers[k];
            sk_buf_printf(&means, "%s%s=", k ? " " : "", sc->name);
            if (isnan(sc->mean))
                sk_buf_adds(&means, "-");
            else
                sk_buf_printf(&means, "%.2f", sc->mean);
        }
        if (l->usage.calls) { /* what the experiment's model calls cost */
            sk_buf_printf(&means, "  (%ld model calls", l->usage.calls);
            if (l->usage.cost > 0)
                sk_buf_printf(&means, ", cost %.4f", l->usage.cost);
            sk_buf_addc(&means, ')');
        }
        printf("%-*s  %-*s  %-20s  %-*s  %-*s  %9s  %6zu  %-*s  %s\n", wid, l->id, wname, l->name,
               l->created_at, wstat, l->status, wds, l->dataset, cells, cli_stats_errors(&l->stats),
               wid, l->origin ? l->origin : "-", means.data ? means.data : "");
        sk_buf_free(&means);
    }
}

int cmd_experiments(const cli_ctx *ctx, int argc, char **argv)
{
    int json, c = cli_json_opts(argc, argv, help_text, &json);
    if (c >= 0)
        return c;
    if (optind < argc) {
        cli_error("experiments takes no arguments (got \"%s\"); `scorekit show EXP` shows one",
                  argv[optind]);
        return CLI_USAGE;
    }
    sk_project *proj;
    sk_store *st;
    if (cli_open_store(ctx, &proj, &st))
        return CLI_FAIL;
    listed *v;
    size_t n;
    char *err = NULL;
    int rc = load(st, &v, &n, &err);
    sk_store_close(st);
    sk_project_free(proj);
    if (rc) {
        cli_error("%s", err);
        free(err);
        return CLI_FAIL;
    }
    if (json)
        print_json(v, n);
    else if (n == 0)
        printf("no experiments yet; `scorekit run` records one\n");
    else
        print_table(v, n);
    listed_free(v, n);
    return CLI_OK;
}
