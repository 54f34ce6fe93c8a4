/* `scorekit export EXP`: every cell of an experiment as JSONL on stdout, in
 * dataset order then trial, with the row it ran on, the task's output and
 * each scorer's verdict in the form `scorekit score` writes.  Values the
 * store keeps as JSON text (input, expected, metadata, output, meta) are
 * written verbatim, so nothing is lost in a round trip through a parser. */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/cell_pipe.h"
#include "base/error.h"
#include "base/numfmt.h"
#include "run/rowscore.h"
#include "base/util.h"
#include "store/dataset.h"
#include "store/experiment_read.h"

static void help(void)
{
    printf(
        "usage: scorekit export EXP [--rows-only] [--output FILE [--json]]\n"
        "\n"
        "Write every cell of experiment EXP (its id, or the start of it) as one JSON line:\n"
        "  {\"id\", \"trial\", \"input\", \"expected\", \"metadata\", \"output\", \"latency_ms\",\n"
        "   \"task_error\" (when the task failed), \"overall\", \"pass\" (true, false, or null\n"
        "   with a \"reason\" when the cell has no verdict: an error, or no score),\n"
        "   \"scores\": {NAME: {\"score\", \"rationale\"?, \"meta\"?} | {\"skipped\"} | "
        "{\"error\"}}}\n"
        "in dataset order, then by trial.\n"
        "\n"
        "  --rows-only    write the dataset rows the experiment ran on instead, one per\n"
        "                 row: {\"id\", \"input\", \"output\"?, \"expected\"?, \"metadata\"?,\n"
        "                 \"tags\"?} as its dataset version holds them (the row's own\n"
        "                 output, not the task's), for `scorekit dataset import`\n"
        "  --output FILE  write the lines to FILE (replaced whole when complete), and\n"
        "                 print how many cells were written\n"
        "  --json         with --output: print only {\"experiment\", \"path\", \"cells\",\n"
        "                 \"task_errors\"}\n");
}

/* Appended, not printf'd: four per cell. */
static void add_raw(sk_buf *b, const char *key, const char *json)
{
    sk_buf_adds(b, ",\"");
    sk_buf_adds(b, key);
    sk_buf_adds(b, "\":");
    sk_buf_adds(b, json ? json : "null");
}

/* The cell's own fields, from the first result row of the cell. */
static void begin_cell(sk_buf *b, const sk_cell_score_row *r)
{
    sk_buf_adds(b, "{\"id\":");
    sk_buf_add_json_string(b, r->row_id, strlen(r->row_id));
    char num[SK_NUMFMT_MAX];
    sk_buf_adds(b, ",\"trial\":");
    sk_buf_add(b, num, sk_fmt_f(num, r->trial, 0)); /* "%d" */
    add_raw(b, "input", r->input_json);
    add_raw(b, "expected", r->expected_json);
    add_raw(b, "metadata", r->metadata_json);
    add_raw(b, "output", r->output_json);
    if (isnan(r->latency_ms))
        sk_buf_adds(b, ",\"latency_ms\":null");
    else {
        sk_buf_adds(b, ",\"latency_ms\":");
        sk_buf_add(b, num, sk_fmt_f(num, r->latency_ms, 3)); /* "%.3f", faster */
    }
    if (r->task_error) {
        sk_buf_adds(b, ",\"task_error\":");
        sk_buf_add_json_string(b, r->task_error, strlen(r->task_error));
    }
    if (r->has_llm) /* the cell's model calls */
        sk_buf_printf(b,
                      ",\"llm\":{\"calls\":%lld,\"prompt_tokens\":%lld,\"completion_tokens\":%lld,"
                      "\"cost\":%.6g}",
                      r->llm_calls, r->prompt_tokens, r->completion_tokens, r->cost);
    sk_buf_adds(b, ",\"overall\":");
    if (isnan(r->overall))
        sk_buf_adds(b, "null");
    else
        sk_buf_add_score(b, r->overall);
}

/* The cell's verdict, decided from its results as `score` decides it (not
 * read from the stored pass, which older versions wrote by another rule),
 * then its scores. */
static void end_cell(sk_buf *b, sk_row_verdict *v, const sk_buf *scores, FILE *out, int *ok)
{
    sk_row_verdict_end(v);
    sk_buf_addc(b, ',');
    sk_row_verdict_json(v, b);
    sk_buf_adds(b, ",\"scores\":{");
    if (scores->len)
        sk_buf_add(b, scores->data, scores->len);
    sk_buf_adds(b, "}}\n");
    if (*ok == 1 && fwrite(b->data, 1, b->len, out) != b->len)
        *ok = -errno; /* errno is the writing thread's */
}

typedef struct exporter {
    FILE *out;
    sk_buf line, scores;
    sk_row_verdict v;
    char *cur_id;
    int cur_trial, nscores;
    int ok; /* 1; else 0 or -errno: the output could not be written */
    size_t cells, task_errors;
} exporter;

static int export_row(void *ud, const sk_cell_score_row *r)
{
    exporter *x = ud;
    if (!x->cur_id || r->trial != x->cur_trial || strcmp(x->cur_id, r->row_id) != 0) {
        if (x->cur_id)
            end_cell(&x->line, &x->v, &x->scores, x->out, &x->ok);
        sk_buf_reset(&x->line);
        sk_buf_reset(&x->scores);
        free(x->cur_id);
        x->cur_id = sk_xstrdup(r->row_id);
        x->cur_trial = r->trial;
        x->nscores = 0;
        begin_cell(&x->line, r);
        x->cells++;
        x->task_errors += r->task_error != NULL;
        sk_row_verdict_begin(&x->v);
        if (r->task_error)
            sk_row_verdict_task_error(&x->v, r->task_error);
    }
    if (r->scorer) { /* none when the task failed */
        /* A score the store lacks counts as 0, as export always wrote it. */
        double score = isnan(r->score) ? 0.0 : r->score;
        if (x->nscores++)
            sk_buf_addc(&x->scores, ',');
        sk_buf_add_json_string(&x->scores, r->scorer, strlen(r->scorer));
        sk_buf_addc(&x->scores, ':');
        cli_verdict_json(&x->scores, r->kind, score, r->message, r->rationale, r->meta_json);
        sk_row_verdict_add(&x->v, r->scorer, sk_verdict_from_name(r->kind), score, r->has_threshold,
                           r->threshold, r->message);
    }
    return x->ok == 1 ? 0 : 1; /* 1: stop, the output cannot be written */
}

static int export(sk_store *st, const sk_experiment *e, FILE *out, size_t *cells,
                  size_t *task_errors, char **err)
{
    exporter x = {.out = out, .cur_trial = -1, .ok = 1};
    /* The store's walk here, the JSON on the pipe's thread. */
    cell_pipe *pipe = cell_pipe_start(export_row, &x);
    int rc = sk_experiment_each_export(st, e->id, e->dataset_version_id, cell_pipe_push, pipe, err);
    cell_pipe_finish(pipe);
    if (rc == SK_OK && x.cur_id)
        end_cell(&x.line, &x.v, &x.scores, out, &x.ok);
    free(x.cur_id);
    *cells = x.cells;
    *task_errors = x.task_errors;
    sk_buf_free(&x.line);
    sk_buf_free(&x.scores);
    sk_row_verdict_free(&x.v);
    if (rc < 0)
        return rc;
    if (x.ok != 1 || fflush(out) != 0 || ferror(out))
        return sk_errf(err, SK_EIO, "cannot write the export: %s",
                       strerror(x.ok < 0 ? -x.ok : errno));
    return SK_OK;
}

int cmd_exp_export(const cli_ctx *ctx, int argc, char **argv)
{
    static const struct option opts[] = {{"output", required_argument, NULL, 'o'},
                                         {"json", no_argument, NULL, 'J'},
                                         {"rows-only", no_argument, NULL, 'R'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    int c, json = 0, rows_only = 0;
    const char *path = NULL;
    optind = 1;
    while ((c = cli_getopt(argc, argv, "h", opts)) != -1) {
        if (c == 'R') {
            rows_only = 1;
            continue;
        }
        if (c == 'o') {
            path = optarg;
            continue;
        }
        if (c == 'J') {
            json = 1;
            continue;
        }
        if (c == 'h') {
            help();
            return CLI_OK;
        }
        return CLI_USAGE;
    }
    if (json && !path) {
        /* Standard output is the cells; the summary needs it to itself. */
        cli_error("export --json needs --output FILE: the cells go to FILE, the JSON summary "
                  "to standard output");
        return CLI_USAGE;
    }
    if (optind == argc) {
        cli_error("export needs an experiment id (`scorekit experiments` lists them)");
        return CLI_USAGE;
    }
    if (optind + 1 < argc) {
        cli_error("export takes one experiment id (got \"%s\" too)", argv[optind + 1]);
        return CLI_USAGE;
    }
    sk_project *proj;
    sk_store *st;
    if (cli_open_store(ctx, &proj, &st))
        return CLI_FAIL;
    sk_experiment e;
    char *err = NULL;
    int rc = sk_experiment_load(st, argv[optind], &e, &err);
    size_t cells = 0, task_errors = 0;
    char *tmp = path ? sk_asprintf("%s.tmp", path) : NULL;
    if (rc == SK_OK) {
        FILE *out = path ? fopen(tmp, "w") : stdout;
        /* Nothing is written to it yet: fewer, larger writes (glibc takes
         * the size only with a buffer; static, as stdout outlives this). */
        static char outbuf[1 << 16];
        if (out)
            setvbuf(out, outbuf, _IOFBF, sizeof outbuf);
        if (!out)
            rc = sk_errf(&err, SK_EIO, "%s: cannot write: %s", tmp, strerror(errno));
        else if (rows_only) { /* cells: here the rows written */
            int64_t rows = 0;
            rc = sk_dataset_export(st, e.dataset_version_id, out, &err);
            if (rc == SK_OK)
                rc = sk_dataset_version_rows(st, e.dataset_version_id, &rows, &err);
            cells = (size_t)rows;
        } else {
            rc = export(st, &e, out, &cells, &task_errors, &err);
        }
        /* Whole or not at all: a half-written file must not pass for the
         * experiment. */
        if (out && path && fclose(out) != 0 && rc == SK_OK)
            rc = sk_errf(&err, SK_EIO, "%s: cannot write: %s", tmp, strerror(errno));
        if (path && rc == SK_OK && rename(tmp, path) != 0)
            rc = sk_errf(&err, SK_EIO, "%s: cannot write: %s", path, strerror(errno));
        if (path && rc != SK_OK)
            unlink(tmp);
        if (rc == SK_OK && json) {
            cJSON *o = cJSON_CreateObject();
            cJSON_AddStringToObject(o, "experiment", e.id);
            cJSON_AddStringToObject(o, "path", path);
            cJSON_AddNumberToObject(o, "cells", (double)cells);
            cJSON_AddNumberToObject(o, "task_errors", (double)task_errors);
            cli_json_print(o);
        } else if (rc == SK_OK && path) {
            printf("wrote %zu %s%s of %s to %s\n", cells, rows_only ? "row" : "cell",
                   cells == 1 ? "" : "s", e.id, path);
        }
        sk_experiment_clear(&e);
    }
    free(tmp);
    if (rc) {
        cli_error("%s", err);
        free(err);
    }
    sk_store_close(st);
    sk_project_free(proj);
    return rc ? CLI_FAIL : CLI_OK;
}
