/* `scorekit cache stats|clear`: what the LLM response cache in the
 * project's store holds (entries, bytes, hits, per model, and the usage
 * log's totals), and removing entries by model or age. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "base/error.h"
#include "llm/llm_cache.h"
#include "base/util.h"

static void help(void)
{
    printf("usage: scorekit cache stats [--json]\n"
           "       scorekit cache clear [--model M] [--older-than DAYS]\n"
           "\n"
           "The LLM response cache lives in the project's store. A reply is cached per\n"
           "provider, base URL, model, full request and trial, so repeated trials stay\n"
           "independent calls; errors and empty replies are never cached.\n"
           "\n"
           "  stats             entries, bytes and hits, in total and per model, and the\n"
           "                    usage log's calls, cache hits, failures and cost\n"
           "    --json          the same as one JSON object\n"
           "  clear             remove entries (all of them by default)\n"
           "    --model M       only the entries of model M\n"
           "    --older-than D  only entries stored more than D days ago\n"
           "\n"
           "`scorekit run --no-cache` bypasses the cache for one run.\n");
}

static int stats(sk_store *st, int json)
{
    sk_llm_cache_stat *rows = NULL;
    size_t n = 0;
    sk_llm_calls_total tot;
    char *err = NULL;
    if (sk_llm_cache_stats(st, &rows, &n, &err) || sk_llm_calls_totals(st, &tot, &err)) {
        cli_error("%s", err);
        free(err);
        sk_llm_cache_stats_free(rows, n);
        return CLI_FAIL;
    }
    if (json) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddNumberToObject(o, "entries", (double)rows[0].entries);
        cJSON_AddNumberToObject(o, "bytes", (double)rows[0].bytes);
        cJSON_AddNumberToObject(o, "hits", (double)rows[0].hits);
        cJSON *models = cJSON_AddArrayToObject(o, "models");
        for (size_t i = 1; i < n; i++) {
            cJSON *m = cJSON_CreateObject();
            cJSON_AddStringToObject(m, "model", rows[i].model ? rows[i].model : "");
            cJSON_AddNumberToObject(m, "entries", (double)rows[i].entries);
            cJSON_AddNumberToObject(m, "bytes", (double)rows[i].bytes);
            cJSON_AddNumberToObject(m, "hits", (double)rows[i].hits);
            cJSON_AddItemToArray(models, m);
        }
        cJSON *c = cJSON_AddObjectToObject(o, "calls");
        cJSON_AddNumberToObject(c, "ok", (double)tot.calls);
        cJSON_AddNumberToObject(c, "cached", (double)tot.cached);
        cJSON_AddNumberToObject(c, "failed", (double)tot.failed);
        cJSON_AddNumberToObject(c, "cost", tot.cost);
        char *text = cJSON_PrintUnformatted(o);
        printf("%s\n", text);
        free(text);
        cJSON_Delete(o);
    } else {
        printf("LLM cache: %ld entr%s, %ld bytes, %ld hit%s\n", rows[0].entries,
               rows[0].entries == 1 ? "y" : "ies", rows[0].bytes, rows[0].hits,
               rows[0].hits == 1 ? "" : "s");
        if (n > 1)
            printf("  %-40s %8s %12s %8s\n", "model", "entries", "bytes", "hits");
        for (size_t i = 1; i < n; i++)
            printf("  %-40s %8ld %12ld %8ld\n", rows[i].model ? rows[i].model : "", rows[i].entries,
                   rows[i].bytes, rows[i].hits);
        printf("LLM calls logged: %ld ok (%ld from the cache), %ld failed, cost %.6g\n", tot.calls,
               tot.cached, tot.failed, tot.cost);
    }
    sk_llm_cache_stats_free(rows, n);
    return CLI_OK;
}

static int clear(sk_store *st, const char *model, double days)
{
    long deleted = 0;
    char *err = NULL;
    if (sk_llm_cache_clear(st, model, days, &deleted, &err)) {
        cli_error("%s", err);
        free(err);
        return CLI_FAIL;
    }
    printf("removed %ld cache entr%s\n", deleted, deleted == 1 ? "y" : "ies");
    return CLI_OK;
}

int cmd_cache(const cli_ctx *ctx, int argc, char **argv)
{
    static const struct option opts[] = {{"json", no_argument, NULL, 'J'},
                                         {"model", required_argument, NULL, 'm'},
                                         {"older-than", required_argument, NULL, 'o'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    int json = 0, c;
    const char *model = NULL;
    double days = -1;
    optind = 1;
    while ((c = cli_getopt(argc, argv, "h", opts)) != -1) {
        switch (c) {
        case 'J': json = 1; break;
        case 'm': model = optarg; break;
        case 'o': {
            char *end;
            days = strtod(optarg, &end);
            if (*end || end == optarg || days < 0) {
                cli_error("--older-than needs a number of days (0 or more), got \"%s\"", optarg);
                return CLI_USAGE;
            }
            break;
        }
        case 'h': help(); return CLI_OK;
        default: return CLI_USAGE;
        }
    }
    if (optind == argc) {
        cli_error("cache needs a command: stats or clear (see scorekit cache --help)");
        return CLI_USAGE;
    }
    const char *sub = argv[optind];
    int is_stats = strcmp(sub, "stats") == 0, is_clear = strcmp(sub, "clear") == 0;
    if (!is_stats && !is_clear) {
        cli_error("cache: unknown command \"%s\"; use stats or clear", sub);
        return CLI_USAGE;
    }
    if (optind + 1 < argc) {
        cli_error("cache %s: unexpected argument \"%s\"", sub, argv[optind + 1]);
        return CLI_USAGE;
    }
    if (is_stats && (model || days >= 0)) {
        cli_error("cache stats takes only --json (--model and --older-than are for clear)");
        return CLI_USAGE;
    }
    if (is_clear && json) {
        cli_error("cache clear takes --model and --older-than, not --json");
        return CLI_USAGE;
    }
    sk_project *proj;
    sk_store *st;
    if (cli_open_store(ctx, &proj, &st))
        return CLI_FAIL;
    int rc = is_stats ? stats(st, json) : clear(st, model, days);
    sk_store_close(st);
    sk_project_free(proj);
    return rc;
}
