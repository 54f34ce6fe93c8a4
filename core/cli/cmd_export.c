/* `scorekit export EXP`: every cell of an experiment as JSONL on stdout, in
 * dataset order then trial, with the row it ran on, the task's output and
 * each scorer's verdict in the form `scorekit score` writes.  Values the
 * store keeps as JSON text (input, expected, metadata, output, meta) are
 * written verbatim, so nothing is lost in a round trip through a parser. */
#include <errno.h>
#include <getopt.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "base/error.h"
#include "run/rowscore.h"
#include "base/util.h"

static void help(void)
{
    printf(
        "usage: scorekit export EXP\n"
        "\n"
        "Write every cell of experiment EXP (its id, or the start of it) as one JSON line:\n"
        "  {\"id\", \"trial\", \"input\", \"expected\", \"metadata\", \"output\", \"latency_ms\",\n"
        "   \"task_error\" (when the task failed), \"overall\", \"pass\" (true, false, or null\n"
        "   with a \"reason\" when the cell has no verdict: an error, or no score),\n"
        "   \"scores\": {NAME: {\"score\", \"rationale\"?, \"meta\"?} | {\"skipped\"} | "
        "{\"error\"}}}\n"
        "in dataset order, then by trial.\n");
}

static const char *text(sqlite3_stmt *s, int i)
{
    return (const char *)sqlite3_column_text(s, i);
}

static void add_raw(sk_buf *b, const char *key, const char *json)
{
    sk_buf_printf(b, ",\"%s\":%s", key, json ? json : "null");
}

/* The cell's own fields, from the first result row of the cell. */
static void begin_cell(sk_buf *b, sqlite3_stmt *s)
{
    const char *id = text(s, 0);
    sk_buf_adds(b, "{\"id\":");
    sk_buf_add_json_string(b, id, strlen(id));
    sk_buf_printf(b, ",\"trial\":%d", sqlite3_column_int(s, 1));
    add_raw(b, "input", text(s, 2));
    add_raw(b, "expected", text(s, 3));
    add_raw(b, "metadata", text(s, 4));
    add_raw(b, "output", text(s, 5));
    if (sqlite3_column_type(s, 6) == SQLITE_NULL)
        sk_buf_adds(b, ",\"latency_ms\":null");
    else
        sk_buf_printf(b, ",\"latency_ms\":%.3f", sqlite3_column_double(s, 6));
    if (text(s, 7)) {
        sk_buf_adds(b, ",\"task_error\":");
        sk_buf_add_json_string(b, text(s, 7), strlen(text(s, 7)));
    }
    if (sqlite3_column_type(s, 16) != SQLITE_NULL) /* the cell's model calls */
        sk_buf_printf(b,
                      ",\"llm\":{\"calls\":%lld,\"prompt_tokens\":%lld,\"completion_tokens\":%lld,"
                      "\"cost\":%.6g}",
                      (long long)sqlite3_column_int64(s, 16),
                      (long long)sqlite3_column_int64(s, 17),
                      (long long)sqlite3_column_int64(s, 18), sqlite3_column_double(s, 19));
    sk_buf_adds(b, ",\"overall\":");
    if (sqlite3_column_type(s, 8) == SQLITE_NULL)
        sk_buf_adds(b, "null");
    else
        sk_buf_add_score(b, sqlite3_column_double(s, 8));
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
    if (*ok && fwrite(b->data, 1, b->len, out) != b->len)
        *ok = 0;
}

static int export(sk_store *st, const sk_experiment *e, FILE *out, char **err)
{
    sqlite3_stmt *s = NULL;
    int rc = sk_store_prepare(
        st, &s,
        "SELECT c.row_id, c.trial, r.input_json, r.expected_json, r.metadata_json, "
        "c.output_json, c.latency_ms, c.task_error, c.overall, c.pass, s.scorer, s.kind, "
        "s.score, s.message, s.rationale, s.meta_json, c.llm_calls, c.prompt_tokens, "
        "c.completion_tokens, c.cost, es.threshold FROM cells c "
        "LEFT JOIN dataset_rows r ON r.version_id = ?2 AND r.row_id = c.row_id "
        "LEFT JOIN scores s ON s.experiment_id = c.experiment_id AND s.row_id = c.row_id AND "
        "s.trial = c.trial "
        "LEFT JOIN experiment_scorers es ON es.experiment_id = c.experiment_id AND es.name = "
        "s.scorer WHERE c.experiment_id = ?1 ORDER BY c.pos, c.trial, es.idx",
        err);
    if (rc)
        return rc;
    sqlite3_bind_text(s, 1, e->id, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(s, 2, e->dataset_version_id);
    sk_buf line = {0}, scores = {0};
    sk_row_verdict v = {0};
    char *cur_id = NULL;
    int cur_trial = -1, nscores = 0, step = SQLITE_DONE, ok = 1;
    while (ok && (step = sqlite3_step(s)) == SQLITE_ROW) {
        const char *id = text(s, 0);
        int trial = sqlite3_column_int(s, 1);
        if (!cur_id || trial != cur_trial || strcmp(cur_id, id) != 0) {
            if (cur_id)
                end_cell(&line, &v, &scores, out, &ok);
            sk_buf_reset(&line);
            sk_buf_reset(&scores);
            free(cur_id);
            cur_id = sk_xstrdup(id);
            cur_trial = trial;
            nscores = 0;
            begin_cell(&line, s);
            sk_row_verdict_begin(&v);
            if (text(s, 7))
                sk_row_verdict_task_error(&v, text(s, 7));
        }
        const char *scorer = text(s, 10);
        if (!scorer)
            continue; /* the task failed: no verdicts */
        if (nscores++)
            sk_buf_addc(&scores, ',');
        sk_buf_add_json_string(&scores, scorer, strlen(scorer));
        sk_buf_addc(&scores, ':');
        cli_verdict_json(&scores, text(s, 11), sqlite3_column_double(s, 12), text(s, 13),
                         text(s, 14), text(s, 15));
        sk_row_verdict_add(&v, scorer, sk_verdict_from_name(text(s, 11)),
                           sqlite3_column_double(s, 12), sqlite3_column_type(s, 20) != SQLITE_NULL,
                           sqlite3_column_double(s, 20), text(s, 13));
    }
    if (ok && step == SQLITE_DONE && cur_id)
        end_cell(&line, &v, &scores, out, &ok);
    free(cur_id);
    sk_buf_free(&line);
    sk_buf_free(&scores);
    sk_row_verdict_free(&v);
    sqlite3_finalize(s);
    if (ok && step != SQLITE_DONE)
        return sk_store_error(st, "reading the experiment's cells", err);
    if (fflush(out) != 0 || ferror(out))
        return sk_errf(err, SK_EIO, "cannot write the export: %s", strerror(errno));
    return SK_OK;
}

int cmd_exp_export(const cli_ctx *ctx, int argc, char **argv)
{
    static const struct option opts[] = {{"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}};
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        if (c == 'h') {
            help();
            return CLI_OK;
        }
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
    if (rc == SK_OK) {
        rc = export(st, &e, stdout, &err);
        sk_experiment_clear(&e);
    }
    if (rc) {
        cli_error("%s", err);
        free(err);
    }
    sk_store_close(st);
    sk_project_free(proj);
    return rc ? CLI_FAIL : CLI_OK;
}
