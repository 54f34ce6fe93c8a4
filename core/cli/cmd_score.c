/* `scorekit score`: score a JSONL file whose rows already hold outputs. */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/llm_setup.h"
#include "base/error.h"
#include "run/score.h"
#include "base/util.h"

static void help(void)
{
    printf("usage: scorekit score [FILE.jsonl|FILE.csv|-] [options]\n"
           "\n"
           "Score rows that already hold outputs: {id?, input, output, expected?, metadata?,\n"
           "tags?}.  FILE defaults to the project's dataset; - reads JSONL from stdin; a .csv\n"
           "is read as `dataset import` reads it (its output column is the output).  Every\n"
           "row is checked as an import checks it (unknown keys, duplicate ids) before\n"
           "anything is scored; a file without rows is an error.\n"
           "\n"
           "  --pack FILE      use this pack instead of the project's\n"
           "  --scorer NAME    score with NAME (repeatable; instead of a pack)\n"
           "  -j, --jobs N     worker threads (default: the project's \"jobs\", else cores,\n"
           "                   or the LLM's max_in_flight (16) when a judge waits on a model)\n"
           "  --json           per-row results as JSONL on stdout (summary on stderr)\n"
           "  --skip-bad       skip malformed rows (counted) instead of failing\n"
           "  --worst N        show the N lowest-scoring rows (default 5)\n"
           "  --output-field K the row key holding the output (default: project, else output)\n"
           "  --no-progress    no progress bar even on a terminal\n"
           "  --model M        the model of every judge of the pack (= --set judge.model=M)\n"
           "  --set judge.K=V  param K of every judge of the pack (V is JSON, else text)\n"
           "\n"
           "exit status: 0 ok, 1 bad input or configuration, 2 some scorers reported errors,\n"
           "130 interrupted.\n");
}

static void print_summary(FILE *f, const sk_pack *pack, const sk_score_report *rep)
{
    fprintf(f, "%s: %zu rows scored with pack \"%s\" in %.2fs", rep->path, rep->rows, pack->name,
            rep->seconds);
    if (rep->seconds > 0)
        fprintf(f, " (%.0f rows/s)", (double)rep->rows / rep->seconds);
    fputs("\n\n", f);
    size_t w = strlen("scorer");
    for (size_t i = 0; i < pack->n; i++)
        if (strlen(pack->entries[i].name) > w)
            w = strlen(pack->entries[i].name);
    fprintf(f, "%-*s  %7s  %7s  %7s  %7s  %7s\n", (int)w, "scorer", "mean", "pass", "scored",
            "skipped", "errors");
    for (size_t i = 0; i < pack->n; i++) {
        const sk_pack_entry *e = &pack->entries[i];
        const sk_scorer_stats *s = &rep->stats[i];
        char mean[16] = "-", pass[16] = "-";
        if (s->scored)
            snprintf(mean, sizeof mean, "%.4f", s->sum / (double)s->scored);
        if (s->scored && e->has_threshold)
            snprintf(pass, sizeof pass, "%.1f%%", 100.0 * (double)s->passed / (double)s->scored);
        fprintf(f, "%-*s  %7s  %7s  %7zu  %7zu  %7zu\n", (int)w, e->name, mean, pass, s->scored,
                s->skipped, s->errors);
    }
    fputc('\n', f);
    if (rep->rows)
        cli_verdict_counts(f, "rows", rep->rows, rep->rows_passed, rep->rows_failed,
                           rep->rows_with_errors, rep->rows_no_score);
    if (rep->bad_lines) {
        fprintf(f, "malformed lines skipped: %zu\n", rep->bad_lines);
        for (size_t i = 0; i < rep->bad_lines && i < 5; i++)
            fprintf(f, "  %s\n", rep->bad_examples[i]);
    }
    for (size_t i = 0; i < pack->n; i++)
        if (rep->stats[i].first_error)
            fprintf(f, "first error of %s: %s\n", pack->entries[i].name, rep->stats[i].first_error);
    if (rep->nworst) {
        fprintf(f, "\nlowest-scoring rows:\n");
        for (size_t i = 0; i < rep->nworst; i++) {
            const sk_row_digest *d = &rep->worst[i];
            fprintf(f, "  %.4f  %s (line %zu) ", d->overall, d->id, d->line);
            for (size_t s = 0; s < pack->n; s++) {
                if (isnan(d->scores[s]))
                    fprintf(f, " %s=-", pack->entries[s].name);
                else
                    fprintf(f, " %s=%.3g", pack->entries[s].name, d->scores[s]);
            }
            fputs("\n      output: \"", f);
            for (const char *p = d->output; *p; p++)
                fputc(*p == '\n' || *p == '\r' || *p == '\t' ? ' ' : *p, f);
            fputs("\"\n", f);
            if (d->why[0]) {
                fputs("      why: ", f);
                for (const char *p = d->why; *p; p++)
                    fputc(*p == '\n' || *p == '\r' || *p == '\t' ? ' ' : *p, f);
                fputc('\n', f);
            }
        }
    }
}

int cmd_score(const cli_ctx *ctx, int argc, char **argv)
{
    enum {
        O_PACK = 256,
        O_SCORER,
        O_JSON,
        O_SKIP_BAD,
        O_WORST,
        O_NO_PROGRESS,
        O_FIELD,
        O_MODEL,
        O_SET
    };
    static const struct option opts[] = {{"pack", required_argument, NULL, O_PACK},
                                         {"scorer", required_argument, NULL, O_SCORER},
                                         {"jobs", required_argument, NULL, 'j'},
                                         {"json", no_argument, NULL, O_JSON},
                                         {"skip-bad", no_argument, NULL, O_SKIP_BAD},
                                         {"worst", required_argument, NULL, O_WORST},
                                         {"no-progress", no_argument, NULL, O_NO_PROGRESS},
                                         {"output-field", required_argument, NULL, O_FIELD},
                                         {"model", required_argument, NULL, O_MODEL},
                                         {"set", required_argument, NULL, O_SET},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    const char *pack_file = NULL, *field = NULL, *model = NULL;
    const char **scorers = calloc((size_t)argc, sizeof *scorers);
    const char **sets = calloc((size_t)argc, sizeof *sets);
    size_t nscorers = 0, nsets = 0;
    int jobs = 0, json = 0, skip_bad = 0, progress = 1;
    long worst = 5;
    int c, rc = CLI_OK;
    optind = 1;
    while ((c = cli_getopt(argc, argv, "j:h", opts)) != -1) {
        char *end;
        switch (c) {
        case O_PACK: pack_file = optarg; break;
        case O_SCORER: scorers[nscorers++] = optarg; break;
        case 'j':
            jobs = (int)strtol(optarg, &end, 10);
            if (*end || jobs < 1 || jobs > 1024) {
                cli_error("-j needs a number of threads from 1 to 1024, got \"%s\"", optarg);
                free(scorers);
                free(sets);
                return CLI_USAGE;
            }
            break;
        case O_JSON: json = 1; break;
        case O_SKIP_BAD: skip_bad = 1; break;
        case O_WORST:
            worst = strtol(optarg, &end, 10);
            if (*end || worst < 0 || worst > 10000) {
                cli_error("--worst needs a number from 0 to 10000, got \"%s\"", optarg);
                free(scorers);
                free(sets);
                return CLI_USAGE;
            }
            break;
        case O_NO_PROGRESS: progress = 0; break;
        case O_FIELD: field = optarg; break;
        case O_MODEL: model = optarg; break;
        case O_SET: sets[nsets++] = optarg; break;
        case 'h':
            help();
            free(scorers);
            free(sets);
            return CLI_OK;
        default:
            free(scorers);
            free(sets);
            return CLI_USAGE;
        }
    }
    if (argc - optind > 1) {
        cli_error("score takes one file; got %d", argc - optind);
        free(scorers);
        free(sets);
        return CLI_USAGE;
    }

    sk_project *proj = NULL;
    sk_registry *reg = NULL;
    sk_pack *pack = NULL;
    if (cli_project(ctx, 0, &proj)) {
        free(scorers);
        free(sets);
        return CLI_FAIL;
    }
    const char *file = optind < argc ? argv[optind] : (proj ? proj->dataset : NULL);
    if (!file) {
        cli_error("no file to score: give FILE.jsonl (or - for stdin), or run inside a project "
                  "whose %s names a dataset",
                  SK_PROJECT_FILE);
        sk_project_free(proj);
        free(scorers);
        free(sets);
        return CLI_USAGE;
    }
    if (cli_pack(ctx, proj, pack_file, scorers, nscorers, &reg, &pack)) {
        sk_project_free(proj);
        free(scorers);
        free(sets);
        return CLI_FAIL;
    }
    if (cli_judge_sets(pack, model, sets, nsets)) {
        sk_pack_free(pack);
        sk_registry_free(reg);
        sk_project_free(proj);
        free(scorers);
        free(sets);
        return CLI_USAGE;
    }

    cli_progress bar;
    cli_progress_init(&bar, progress, "rows");
    bar.llm = cli_llm_client(ctx);
    sk_score_opts o = {0};
    o.llm = cli_llm_client(ctx);
    o.project_dir = proj ? proj->dir : NULL;
    o.jobs = jobs ? jobs : (proj ? proj->jobs : 0);
    o.skip_bad = skip_bad;
    o.rows_out = json ? stdout : NULL;
    o.worst = (size_t)worst;
    o.output_field = field ? field : (proj ? proj->task_field : NULL);
    o.progress = cli_progress_cb;
    o.progress_ud = &bar;
    o.cancel = &cli_interrupted;
    struct sigaction old;
    cli_catch_sigint(&old);

    sk_score_report *rep = NULL;
    char *err = NULL;
    int src = sk_score_file(file, pack, &o, &rep, &err);
    cli_release_sigint(&old);
    cli_progress_end(&bar);
    if (src == SK_OK && json && fflush(stdout) != 0) {
        free(err);
        err = sk_asprintf("cannot write the per-row results to stdout: %s", strerror(errno));
        src = SK_EIO;
    }
    if (rep)
        print_summary(json ? stderr : stdout, pack, rep);
    if (src == SK_EINTR) {
        cli_error("%s; the summary above covers the rows scored so far", err);
        rc = CLI_INTERRUPTED;
    } else if (src) {
        cli_error("%s", err);
        rc = CLI_FAIL;
    } else {
        for (size_t i = 0; i < pack->n; i++)
            if (rep->stats[i].errors)
                rc = CLI_SCORER_ERRORS;
    }
    free(err);
    sk_score_report_free(rep);
    sk_pack_free(pack);
    sk_registry_free(reg);
    sk_project_free(proj);
    free(scorers);
    free(sets);
    return rc;
}
