/*
 * The result helpers every provider shares, and the simplest provider,
 * `column`: the output is already in the row (pre-generated outputs,
 * production logs), so running the task is finding one field of the row and
 * handing its JSON on unchanged.
 */
#include "task/task.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "base/row.h"

void sk_task_result_reset(sk_task_result *r)
{
    sk_buf_reset(&r->output);
    sk_buf_reset(&r->error);
    r->failed = 0;
    r->latency_ms = 0;
    memset(&r->account.usage, 0, sizeof r->account.usage);
}

void sk_task_result_free(sk_task_result *r)
{
    sk_buf_free(&r->output);
    sk_buf_free(&r->error);
    r->failed = 0;
    r->latency_ms = 0;
    memset(&r->account, 0, sizeof r->account);
}

int sk_task_check_keys(const sk_task_ops *ops, const cJSON *config, const sk_json_src *src,
                       const char *ptr, char **err)
{
    char *in = sk_asprintf(" for the %s provider", ops->provider);
    int rc = sk_json_check_keys(config, ops->keys, NULL, "task", in, src, ptr, err);
    free(in);
    return rc;
}

/* ---- the column provider ---------------------------------------------- */

typedef struct column_state {
    char *field; /* the row member that holds the output */
} column_state;

static int column_open(const cJSON *config, const char *project_dir, struct sk_llm *llm,
                       void **state, char **err)
{
    (void)project_dir;
    (void)llm;
    *state = NULL;
    const char *field = "output";
    if (config) {
        if (!cJSON_IsObject(config))
            return sk_errf(err, SK_EINVAL,
                           "task: must be an object like {\"provider\": \"column\", \"field\": "
                           "\"output\"}");
        int rc = sk_task_check_keys(&sk_task_column, config, NULL, NULL, err);
        if (rc)
            return rc;
        const cJSON *f = cJSON_GetObjectItemCaseSensitive(config, "field");
        if (f && (!cJSON_IsString(f) || !f->valuestring[0]))
            return sk_errf(err, SK_EINVAL,
                           "task: \"field\" must be the name of the row field that holds the "
                           "output, e.g. \"output\"");
        if (f)
            field = f->valuestring;
    }
    column_state *st = sk_xcalloc(1, sizeof *st);
    st->field = sk_xstrdup(field);
    *state = st;
    return 0;
}

static int column_run(void *state, const char *row_json, unsigned trial, sk_task_result *res)
{
    (void)trial;
    const column_state *st = state;
    const char *keys[] = {st->field};
    sk_span span;
    char why[256];
    res->latency_ms = 0;
    /* The runner builds the row, so a row that does not scan is our bug,
     * not the task's: a host problem. */
    if (sk_row_scan(row_json, strlen(row_json), keys, 1, &span, why, sizeof why) != 0) {
        res->failed = 1;
        sk_buf_printf(&res->error, "the row given to the column task is not valid JSON: %s", why);
        return SK_EPARSE;
    }
    if (!span.p) {
        res->failed = 1;
        sk_buf_printf(&res->error,
                      "row has no \"%s\" field (the column task reads the output from the row)",
                      st->field);
        return 0;
    }
    sk_buf_add(&res->output, span.p, span.n);
    return 0;
}

static void column_close(void *state)
{
    column_state *st = state;
    if (!st)
        return;
    free(st->field);
    free(st);
}

static const char *const column_keys[] = {"provider", "field", NULL};

const sk_task_ops sk_task_column = {
    .provider = "column",
    .keys = column_keys,
    .cheap = 1,
    .open = column_open,
    .run = column_run,
    .close = column_close,
};
