/*
 * How the command line presents an experiment, shared by `run`, `rescore`,
 * `show` and `experiments`: the summary table (one layout whether a run
 * just finished or is looked at later), the same figures as JSON, one
 * scorer's verdict as JSON (the form `scorekit score` writes), and opening
 * the project's store.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "llm/llm.h"
#include "llm/llm_cache.h"
#include "base/error.h"
#include "store/dataset.h"
#include "run/rowscore.h"
#include "run/run.h"

int cli_open_store(const cli_ctx *ctx, sk_project **proj, sk_store **st)
{
    *st = NULL;
    if (cli_project(ctx, 1, proj))
        return -1;
    char *err = NULL;
    if (sk_store_open(st, (*proj)->dir, &err) != SK_OK) {
        cli_error("%s", err);
        free(err);
        sk_project_free(*proj);
        *proj = NULL;
        return -1;
    }
    return 0;
}

size_t cli_experiment_cells(sk_store *st, const sk_experiment *e)
{
    int64_t rows = 0;
    if (sk_dataset_version_rows(st, e->dataset_version_id, &rows, NULL))
        return 0;
    return (size_t)rows * (size_t)(e->trials > 0 ? e->trials : 1);
}

size_t cli_stats_errors(const sk_exp_stats *s)
{
    size_t n = s->task_errors;
    for (size_t i = 0; i < s->nscorers; i++)
        n += s->scorers[i].errors;
    return n;
}

void cli_verdict_counts(FILE *f, const char *unit, size_t n, size_t passed, size_t failed,
                        size_t with_errors, size_t no_score)
{
    fprintf(f, "%s passing every threshold: %zu of %zu (%.1f%%)\n", unit, passed, n,
            n ? 100.0 * (double)passed / (double)n : 0.0);
    fprintf(f, "%s failing a threshold: %zu\n", unit, failed);
    fprintf(f, "%s with no verdict: %zu", unit, with_errors + no_score);
    if (with_errors + no_score)
        fprintf(f, " (%zu with errors, %zu where no scorer gave a score)", with_errors, no_score);
    fputc('\n', f);
}

/* A message on the rest of a line: its line breaks as spaces, at most max
 * bytes of it. */
static void print_message_line(const char *msg, size_t max)
{
    size_t n = strlen(msg);
    while (max < n && max > 0 && ((unsigned char)msg[max] & 0xC0) == 0x80)
        max--; /* not in the middle of a UTF-8 character */
    for (size_t i = 0; i < n && i < max; i++)
        putchar(msg[i] == '\n' || msg[i] == '\r' || msg[i] == '\t' ? ' ' : msg[i]);
    if (n > max)
        fputs("...", stdout);
}

void cli_summary_print(const char *exp_id, const sk_exp_stats *s, size_t total_cells, int trials,
                       const cli_run_info *run)
{
    printf("experiment %s: %zu of %zu cells", exp_id, s->cells, total_cells);
    if (run && run->skipped)
        printf(" (%zu from before, %zu now)", run->skipped, run->ran);
    if (run)
        printf(" in %.2fs", run->seconds);
    if (!isnan(s->mean_latency_ms))
        printf(", task latency %.1f ms mean", s->mean_latency_ms);
    printf("\n");
    /* Cells whose task failed have no output to score: the scores below
     * describe only the others, which can be a few of many. */
    if (s->task_errors) {
        printf("task errors: %zu of %zu cells (%.1f%%)", s->task_errors, s->cells,
               100.0 * (double)s->task_errors / (double)s->cells);
        if (s->top_task_error) {
            printf("; the most common, in %zu: ", s->top_task_error_cells);
            print_message_line(s->top_task_error, 240);
        }
        printf("\n\nscores over %zu of %zu cells (the others have no output)\n",
               s->cells - s->task_errors, s->cells);
    } else {
        printf("\n");
    }
    printf("%-18s %7s %7s %7s %7s %7s %7s\n", "scorer", "mean", trials > 1 ? "±sd" : "", "pass",
           "scored", "skipped", "errors");
    for (size_t i = 0; i < s->nscorers; i++) {
        const sk_exp_scorer_stats *sc = &s->scorers[i];
        char mean[16] = "-", sd[16] = "", pass[16] = "-";
        if (!isnan(sc->mean))
            snprintf(mean, sizeof mean, "%.4f", sc->mean);
        if (trials > 1)
            snprintf(sd, sizeof sd, isnan(sc->mean_sd) ? "-" : "%.4f", sc->mean_sd);
        if (sc->has_threshold && sc->rows)
            snprintf(pass, sizeof pass, "%.1f%%",
                     100.0 * (double)sc->rows_passing / (double)sc->rows);
        printf("%-18s %7s %7s %7s %7zu %7zu %7zu\n", sc->name, mean, sd, pass, sc->scored,
               sc->skipped, sc->errors);
    }
    if (trials > 1)
        printf("\nmeans are over rows of each row's mean over %d trials; ±sd is the mean "
               "within-row standard deviation\n",
               trials);
    if (s->cells) {
        putchar('\n');
        cli_verdict_counts(stdout, trials > 1 ? "cells" : "rows", s->cells, s->passed, s->failed,
                           s->no_verdict_errors, s->no_verdict_no_score);
    }
}

int cli_llm_usage(sk_store *st, const char *exp_id, sk_llm_usage *u)
{
    char *err = NULL;
    if (sk_llm_usage_in(st, exp_id, u, &err) == SK_OK)
        return 0;
    cli_warn("%s", err);
    free(err);
    memset(u, 0, sizeof *u);
    return -1;
}

void cli_llm_usage_line(const char *label, const sk_llm_usage *u)
{
    printf("model calls%s: %ld (%ld from the cache), tokens %ld in + %ld out", label, u->calls,
           u->cached, u->prompt_tokens, u->completion_tokens);
    if (u->cost > 0)
        printf(", cost %.4f", u->cost);
    printf("\n");
}

void cli_llm_usage_print(const sk_llm_usage *u)
{
    if (u->calls == 0)
        return;
    printf("\n");
    cli_llm_usage_line("", u);
}

cJSON *cli_llm_usage_json(const sk_llm_usage *u)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "calls", (double)u->calls);
    cJSON_AddNumberToObject(o, "cached", (double)u->cached);
    cJSON_AddNumberToObject(o, "prompt_tokens", (double)u->prompt_tokens);
    cJSON_AddNumberToObject(o, "completion_tokens", (double)u->completion_tokens);
    cJSON_AddNumberToObject(o, "cost", u->cost);
    return o;
}

long cli_summary_report(sk_store *st, const char *exp_id, size_t total_cells, int trials,
                        const cli_run_info *run)
{
    sk_exp_stats s;
    char *err = NULL;
    if (sk_experiment_stats(st, exp_id, &s, &err) != SK_OK) {
        cli_error("%s", err);
        free(err);
        return -1;
    }
    cli_summary_print(exp_id, &s, total_cells, trials, run);
    sk_llm_usage u;
    if (cli_llm_usage(st, exp_id, &u) == 0)
        cli_llm_usage_print(&u);
    long errors = (long)cli_stats_errors(&s);
    sk_exp_stats_clear(&s);
    return errors;
}

cJSON *cli_summary_json(const sk_exp_stats *s, size_t total_cells, int trials)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "cells", (double)s->cells);
    cJSON_AddNumberToObject(o, "expected_cells", (double)total_cells);
    cJSON_AddNumberToObject(o, "trials", trials);
    cJSON_AddNumberToObject(o, "task_errors", (double)s->task_errors);
    cJSON_AddNumberToObject(o, "errors", (double)cli_stats_errors(s));
    if (s->top_task_error) {
        cJSON *t = cJSON_AddObjectToObject(o, "most_common_task_error");
        cJSON_AddStringToObject(t, "message", s->top_task_error);
        cJSON_AddNumberToObject(t, "cells", (double)s->top_task_error_cells);
    }
    cli_json_num(o, "mean_latency_ms", s->mean_latency_ms);
    cJSON *v = cJSON_AddObjectToObject(o, "verdicts"); /* of cells */
    cJSON_AddNumberToObject(v, "pass", (double)s->passed);
    cJSON_AddNumberToObject(v, "fail", (double)s->failed);
    cJSON_AddNumberToObject(v, "no_verdict",
                            (double)(s->no_verdict_errors + s->no_verdict_no_score));
    cJSON_AddNumberToObject(v, "no_verdict_errors", (double)s->no_verdict_errors);
    cJSON_AddNumberToObject(v, "no_verdict_no_score", (double)s->no_verdict_no_score);
    cJSON *arr = cJSON_AddArrayToObject(o, "scorers");
    for (size_t i = 0; i < s->nscorers; i++) {
        const sk_exp_scorer_stats *sc = &s->scorers[i];
        cJSON *j = cJSON_CreateObject();
        cJSON_AddStringToObject(j, "name", sc->name);
        cli_json_num(j, "mean", sc->mean);
        cli_json_num(j, "sd", sc->mean_sd);
        if (sc->has_threshold) {
            cJSON_AddNumberToObject(j, "threshold", sc->threshold);
            cli_json_num(j, "pass_rate",
                         sc->rows ? (double)sc->rows_passing / (double)sc->rows : NAN);
        } else {
            cJSON_AddNullToObject(j, "threshold");
            cJSON_AddNullToObject(j, "pass_rate");
        }
        cJSON_AddNumberToObject(j, "rows", (double)sc->rows);
        cJSON_AddNumberToObject(j, "scored", (double)sc->scored);
        cJSON_AddNumberToObject(j, "skipped", (double)sc->skipped);
        cJSON_AddNumberToObject(j, "errors", (double)sc->errors);
        cJSON_AddItemToArray(arr, j);
    }
    return o;
}

void cli_verdict_json(sk_buf *b, const char *kind, double score, const char *message,
                      const char *rationale, const char *meta_json)
{
    if (strcmp(kind, "score") == 0) {
        sk_buf_adds(b, "{\"score\":");
        sk_buf_add_score(b, score);
        if (rationale && *rationale) {
            sk_buf_adds(b, ",\"rationale\":");
            sk_buf_add_json_string(b, rationale, strlen(rationale));
        }
        if (meta_json && *meta_json) {
            sk_buf_adds(b, ",\"meta\":");
            sk_buf_adds(b, meta_json);
        }
    } else {
        sk_buf_adds(b, strcmp(kind, "skipped") == 0 ? "{\"skipped\":" : "{\"error\":");
        sk_buf_add_json_string(b, message ? message : "", message ? strlen(message) : 0);
    }
    sk_buf_addc(b, '}');
}

int cli_run_caught(sk_store *st, sk_run_opts *o, sk_run_result *res, char **err)
{
    o->cancel = &cli_interrupted;
    struct sigaction old;
    cli_catch_sigint(&old);
    int r = sk_run(st, o, res, err);
    cli_release_sigint(&old);
    cli_progress_end(o->progress_ud);
    return r;
}

int cli_run_and_report(sk_store *st, sk_run_opts *o, int trials, const char *note)
{
    sk_run_result res;
    char *err = NULL;
    int r = cli_run_caught(st, o, &res, &err);

    int rc = CLI_OK;
    long errors = 0;
    if (res.id && (r == SK_OK || r == SK_EINTR)) {
        cli_run_info info = {res.skipped, res.ran, res.seconds};
        errors = cli_summary_report(st, res.id, res.cells, trials, &info);
        if (note)
            printf("\n%s\n", note);
    }
    if (r == SK_EINTR) {
        cli_error("interrupted: %zu cells recorded; finish with: scorekit run --resume %s",
                  res.skipped + res.ran, res.id);
        rc = CLI_INTERRUPTED;
    } else if (r) {
        cli_error("%s", err);
        if (res.id)
            fprintf(stderr,
                    "(the cells finished so far are recorded; resume with: scorekit run "
                    "--resume %s)\n",
                    res.id);
        rc = CLI_FAIL;
    } else if (errors != 0) {
        rc = errors < 0 ? CLI_FAIL : CLI_SCORER_ERRORS;
    }
    free(res.id);
    free(err);
    return rc;
}
