/*
 * The `scorekit` command: shared pieces of the subcommands.  Only the CLI
 * prints; library calls hand back codes and messages.
 */
#ifndef SK_CLI_H
#define SK_CLI_H

#include <cjson/cJSON.h>
#include <getopt.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>

#include "store/experiment.h"
#include "store/experiment_stats.h"
#include "llm/llm.h"
#include "engine/pack.h"
#include "store/project.h"
#include "engine/registry.h"
#include "scorekit/plugin.h"

/* Exit statuses. */
enum {
    CLI_OK = 0,
    CLI_FAIL = 1,          /* bad input, configuration or usage */
    CLI_SCORER_ERRORS = 2, /* the command ran, but some scorers reported errors */
    CLI_USAGE = 64,
    CLI_INTERRUPTED = 130
};

struct cli_llm;

typedef struct cli_ctx {
    const char *dir; /* -C DIR, or "." */
    int dir_given;
    struct cli_llm *llm; /* the command's model client (llm_setup.h); main owns it */
} cli_ctx;

void cli_error(const char *fmt, ...) SK_PRINTF(1, 2);
void cli_warn(const char *fmt, ...) SK_PRINTF(1, 2);

/* The project in ctx->dir; *proj is NULL (no error) when there is none,
 * unless `required`. */
int cli_project(const cli_ctx *ctx, int required, sk_project **proj);

/* Load the registry and the pack to use: --scorer names if any, else
 * --pack FILE, else the project's pack.  Prints its own errors. */
int cli_pack(const cli_ctx *ctx, const sk_project *proj, const char *pack_file,
             const char *const *scorers, size_t nscorers, sk_registry **reg, sk_pack **pack);

/* JSON output: o[key] = s, or null for NULL; the JSON text `json` as it
 * is (values the store keeps as JSON keep every digit), or null; v, or
 * null when it is NaN or infinite (cJSON would write invalid JSON). */
void cli_json_str(cJSON *o, const char *key, const char *s);
void cli_json_raw(cJSON *o, const char *key, const char *json);
void cli_json_num(cJSON *o, const char *key, double v);

/* The command being run ("compare"), for messages; main sets it. */
extern const char *cli_command;

/* getopt_long for the commands: the same options and results, but an
 * unknown option is reported here with the nearest known one ("unknown
 * option --by-topic; did you mean --by?") and a missing value names its
 * option; both return '?'. */
int cli_getopt(int argc, char **argv, const char *shortopts, const struct option *longopts);

/* At most max bytes of s on stdout, on one line (cut at a character
 * boundary, control characters shown as spaces), "..." when cut. */
void cli_put_clipped(const char *s, size_t max);

/* The options of a command whose only ones are --json and --help.  Sets
 * *json; returns -1 to go on (optind at the first argument), else the
 * status to exit with: CLI_OK after printing help_text, CLI_USAGE after a
 * bad option. */
int cli_json_opts(int argc, char **argv, const char *help_text, int *json);

/* --listen HOST:PORT into *host (caller frees) and *port; -1 after
 * printing what is wrong. */
int cli_parse_listen(const char *s, char **host, unsigned *port);

/* --since D (90s, 15m, 1h, 7d) as the stored time that long ago; -1 after
 * printing what is wrong. */
int cli_since(const char *arg, char out[32]);

/* Remove every `flag` from argv (before getopt sees it; argv[0] is kept);
 * returns 1 when there was one. */
int cli_take_flag(int *argc, char **argv, const char *flag);

int cmd_score(const cli_ctx *ctx, int argc, char **argv);
int cmd_scorers(const cli_ctx *ctx, int argc, char **argv);
int cmd_init(const cli_ctx *ctx, int argc, char **argv);
int cmd_try(const cli_ctx *ctx, int argc, char **argv);
int cmd_new(const cli_ctx *ctx, int argc, char **argv);
int cmd_run(const cli_ctx *ctx, int argc, char **argv);
int cmd_dataset(const cli_ctx *ctx, int argc, char **argv);
int cmd_experiments(const cli_ctx *ctx, int argc, char **argv);
int cmd_exp_show(const cli_ctx *ctx, int argc, char **argv);
int cmd_exp_export(const cli_ctx *ctx, int argc, char **argv);
int cmd_rescore(const cli_ctx *ctx, int argc, char **argv);
int cmd_baseline(const cli_ctx *ctx, int argc, char **argv);
int cmd_compare(const cli_ctx *ctx, int argc, char **argv);
int cmd_failures(const cli_ctx *ctx, int argc, char **argv);
int cmd_topics(const cli_ctx *ctx, int argc, char **argv);
int cmd_validate(const cli_ctx *ctx, int argc, char **argv);
int cmd_cache(const cli_ctx *ctx, int argc, char **argv);
int cmd_report(const cli_ctx *ctx, int argc, char **argv);
/* `validate --html FILE` (cmd_report.c): whether argv asks for it, and the
 * command run with --json in place of it, its JSON made into the page. */
int cli_html_wanted(int argc, char **argv);
int cli_validate_html(const cli_ctx *ctx, int argc, char **argv);
int cmd_logs(const cli_ctx *ctx, int argc, char **argv);
int cmd_serve(const cli_ctx *ctx, int argc, char **argv);
int cmd_view(const cli_ctx *ctx, int argc, char **argv);
int cmd_watch(const cli_ctx *ctx, int argc, char **argv);
struct sk_filter;
/* `logs --lowest [--rule R]` (logs_lowest.c): the online rules' verdicts,
 * lowest first; since (a stored time) and f may be NULL. */
/* `topics diff A B` (topics_diff.c). */
int cli_topics_diff(const cli_ctx *ctx, const char *a_ref, const char *b_ref, int json);
int cli_logs_trend(const cli_ctx *ctx, int argc, char **argv);
int cli_logs_lowest(const cli_ctx *ctx, const char *rule, const char *since, size_t limit,
                    const struct sk_filter *f, int json);
int cmd_label(const cli_ctx *ctx, int argc, char **argv);
int cmd_store(const cli_ctx *ctx, int argc, char **argv);
/* `label SOURCE --scorer S` (label_queue.c): the labelling queue. */
int cli_label_queue(const cli_ctx *ctx, int argc, char **argv);

/* ---- pages made of the commands' own JSON (cmd_report.c) ---- */

typedef int (*cli_cmd_fn)(const cli_ctx *ctx, int argc, char **argv);

/* A stream (stdout, stderr) sent to a temporary file until _end, which
 * restores it and returns what was written (caller frees; NULL when it
 * cannot be read back).  _begin prints its error and returns -1. */
typedef struct cli_redirect {
    FILE *tf;
    int fd, saved;
} cli_redirect;
int cli_redirect_begin(cli_redirect *r, FILE *stream);
char *cli_redirect_end(cli_redirect *r, FILE *stream);

/* Run a command with its stdout in *out and, unless errout is NULL, its
 * stderr in *errout (both the caller's to free).  Returns the command's
 * exit status, or -1 when the output could not be kept. */
int cli_capture(cli_cmd_fn fn, const cli_ctx *ctx, int argc, char **argv, char **out,
                char **errout);

/* The report page of experiment exp (an id or a prefix) appended to page:
 * `show --json`, and `compare --json` with base (NULL: the baseline, when
 * it is another experiment) segmented by by[0..nby), rows regressed and
 * improved rows; card (may be NULL) the validation card, nav (may be
 * NULL) the viewer's links, both JSON.  Returns CLI_OK, else CLI_FAIL
 * with the commands' errors printed. */
int cli_report_page(const cli_ctx *ctx, sk_store *st, const char *exp, const char *base,
                    char *const *by, size_t nby, const char *rows, const char *card,
                    const char *nav, sk_buf *page);

/* The validation card of the project's pack from the stored verdicts
 * (validation_card.c): validate --json's shape, each scorer with its
 * latest verdict, when, and whether it still holds ("current", "changed
 * since", "never validated").  NULL (a warning printed) when the pack
 * cannot be loaded; caller frees. */
char *cli_validation_card(const cli_ctx *ctx, const sk_project *proj, sk_store *st);

/* Presenting experiments (experiment_view.c). */

/* The project in ctx->dir (required) and its store; prints its own
 * errors.  The caller frees both. */
int cli_open_store(const cli_ctx *ctx, sk_project **proj, sk_store **st);

/* The cells an experiment has when complete: its dataset version's rows
 * x trials. */
size_t cli_experiment_cells(sk_store *st, const sk_experiment *e);

/* The model calls an experiment made (task and judges): tokens, cost.
 * Prints a warning and returns -1 (usage zeroed) when it cannot be read. */
int cli_llm_usage(sk_store *st, const char *exp_id, sk_llm_usage *u);
/* "model calls: ..." after a summary, when there were any. */
void cli_llm_usage_print(const sk_llm_usage *u);
/* The line itself, "model calls<label>: ...". */
void cli_llm_usage_line(const char *label, const sk_llm_usage *u);
cJSON *cli_llm_usage_json(const sk_llm_usage *u);

/* Task errors plus every scorer's errors. */
size_t cli_stats_errors(const sk_exp_stats *s);

/* What the summary says about a run that just happened (NULL when looking
 * at a recorded experiment). */
typedef struct cli_run_info {
    size_t skipped, ran; /* cells done before (resume), and now */
    double seconds;
} cli_run_info;

/* The summary: cells, latency, task errors, and per scorer the mean over
 * rows, the within-row SD when trials > 1, pass rate and verdict counts. */
void cli_summary_print(const char *exp_id, const sk_exp_stats *s, size_t total_cells, int trials,
                       const cli_run_info *run);

/* How many of n rows (or cells: `unit`) passed, failed, or have no verdict,
 * those by why (see sk_row_verdict): three lines, the form `score`, `run`
 * and `show` share. */
void cli_verdict_counts(FILE *f, const char *unit, size_t n, size_t passed, size_t failed,
                        size_t with_errors, size_t no_score);

/* Load the figures and print the summary; returns the number of task and
 * scorer errors, or -1 (message printed) when they cannot be read. */
long cli_summary_report(sk_store *st, const char *exp_id, size_t total_cells, int trials,
                        const cli_run_info *run);

/* The summary's figures as a JSON object; caller deletes. */
cJSON *cli_summary_json(const sk_exp_stats *s, size_t total_cells, int trials);

/* Append one stored verdict (kind "score", "skipped" or "error") in the
 * form `scorekit score` writes: {"score": x, "rationale"?, "meta"?},
 * {"skipped": why} or {"error": message}.  meta_json is written verbatim. */
void cli_verdict_json(sk_buf *b, const char *kind, double score, const char *message,
                      const char *rationale, const char *meta_json);

/* Ctrl-C during a long command: cli_interrupted becomes 1 (the library's
 * cancel flag) instead of killing the process.  Release restores the
 * handler that was there before. */
extern volatile sig_atomic_t cli_interrupted;
void cli_catch_sigint(struct sigaction *old);
void cli_release_sigint(const struct sigaction *old);

struct sk_run_opts;
struct sk_run_result;
/* sk_run with Ctrl-C caught (o->cancel is set here) and the progress bar
 * ended: what both reports below start with. */
int cli_run_caught(sk_store *st, struct sk_run_opts *o, struct sk_run_result *res, char **err);

/* Run (or resume) an experiment with Ctrl-C caught, print its summary and,
 * after it, `note` (may be NULL), then say what went wrong or how to resume.
 * o->cancel is set here; o->progress is the caller's.  Returns the exit
 * status. */
int cli_run_and_report(sk_store *st, struct sk_run_opts *o, int trials, const char *note);

/* The --json form of cli_run_and_report (json_report.c): nothing but one
 * object on stdout, {"id", "status" (done, interrupted, failed), "error",
 * "cells", "ran", "skipped", "seconds", "store", "origin" (rescore), "summary",
 * "llm_usage"},
 * once an experiment was begun; messages on stderr.  Same exit status. */
int cli_run_json(sk_store *st, struct sk_run_opts *o, int trials);

/* Print o as one line of JSON on stdout, and delete it. */
void cli_json_print(cJSON *o);

/* Progress bar on stderr (TTY only). */
typedef struct cli_progress {
    int enabled;
    double start, last_draw;
    const char *what;
    sk_llm *llm; /* borrowed; when set, the line shows its in-flight limit */
} cli_progress;
void cli_progress_init(cli_progress *p, int enabled, const char *what);
void cli_progress_cb(size_t done, size_t total, void *ud);
void cli_progress_end(cli_progress *p);

double cli_now(void);

#endif
