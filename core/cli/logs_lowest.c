/* `scorekit logs --lowest [--rule R]`: what the online rules found, the
 * lowest-scoring interactions first, with each verdict's rationale. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "cli/cli.h"
#include "online/filter.h"
#include "online/rules.h"
#include "store/log_scores.h"
#include "store/logs.h"

typedef struct lister {
    const sk_filter *f;
    int json;
    size_t shown, limit;
    cJSON *arr;
} lister;

static int keep(const lister *ls, const sk_scored_log *l)
{
    if (!ls->f)
        return 1;
    sk_log log;
    sk_log_init(&log);
    log.id = (char *)l->log_id;
    log.time = (char *)l->time;
    log.input_json = (char *)l->input_json;
    log.output_json = (char *)l->output_json;
    log.metadata_json = (char *)l->metadata_json;
    log.trace_id = (char *)l->trace_id;
    cJSON *row = sk_log_fields(&log);
    int in = sk_filter_match(ls->f, row);
    cJSON_Delete(row);
    return in;
}

static void clip(const char *s, size_t max)
{
    cli_put_clipped(s ? s : "", max);
}

static int one(void *ud, const char *rule, const sk_scored_log *l)
{
    lister *ls = ud;
    if (!keep(ls, l))
        return 0;
    if (ls->limit && ls->shown >= ls->limit)
        return 1;
    ls->shown++;
    if (ls->json) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "rule", rule);
        cJSON_AddStringToObject(o, "log_id", l->log_id);
        cJSON_AddStringToObject(o, "time", l->time);
        cli_json_str(o, "trace_id", l->trace_id);
        cJSON_AddStringToObject(o, "scorer", l->scorer);
        cJSON_AddStringToObject(o, "kind", l->kind);
        cli_json_num(o, "score", l->score);
        if (l->has_threshold)
            cJSON_AddBoolToObject(o, "pass", !isnan(l->score) && l->score >= l->threshold);
        cli_json_str(o, "rationale", l->rationale);
        cli_json_str(o, "message", l->message);
        cli_json_raw(o, "input", l->input_json);
        cli_json_raw(o, "output", l->output_json);
        cJSON_AddItemToArray(ls->arr, o);
        return 0;
    }
    if (isnan(l->score))
        printf("%-7s", strcmp(l->kind, "error") == 0 ? "error" : "skipped");
    else
        printf("%-7.3f", l->score);
    printf(" %s/%s  %s  %s\n    input   ", rule, l->scorer, l->time, l->log_id);
    clip(l->input_json, 100);
    printf("\n    output  ");
    clip(l->output_json, 100);
    const char *why = l->rationale ? l->rationale : l->message;
    if (why) {
        printf("\n    %s ", l->rationale ? "why    " : "message");
        clip(why, 160);
    }
    putchar('\n');
    return 0;
}

int cli_logs_lowest(const cli_ctx *ctx, const char *rule, const char *since, size_t limit,
                    const sk_filter *f, int json)
{
    sk_project *proj = NULL;
    sk_store *st = NULL;
    if (cli_open_store(ctx, &proj, &st))
        return CLI_FAIL;
    lister ls = {f, json, 0, limit, json ? cJSON_CreateArray() : NULL};
    char *err = NULL;
    /* A filter decides after the store: read them all, stop at limit. */
    int rc = sk_log_scores_each(st, rule, since, f ? 0 : limit, one, &ls, &err);
    if (rc == 1)
        rc = SK_OK;
    sk_store_close(st);
    sk_project_free(proj);
    if (rc) {
        cli_error("%s", err);
        free(err);
        cJSON_Delete(ls.arr);
        return CLI_FAIL;
    }
    if (json) {
        cJSON *o = cJSON_CreateObject();
        cli_json_str(o, "rule", rule);
        cJSON_AddItemToObject(o, "verdicts", ls.arr);
        char *text = cJSON_PrintUnformatted(o);
        puts(text);
        free(text);
        cJSON_Delete(o);
    } else if (!ls.shown) {
        printf("no verdicts%s%s yet: `scorekit watch` scores new logs by the rules of "
               "scorekit.json's \"online\"\n",
               rule ? " of rule " : "", rule ? rule : "");
    }
    return CLI_OK;
}
