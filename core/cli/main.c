/* scorekit: the command line.  A table of commands, one file each (cmd_*.c). */
#include <stdio.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/llm_setup.h"
#include "config.h"
#include "base/text/suggest.h"
#include "base/util.h"
#include "engine/host.h"

static int cmd_version(const cli_ctx *ctx, int argc, char **argv)
{
    (void)ctx, (void)argc, (void)argv;
    printf("scorekit %s (plugin ABI %d)\n", PACKAGE_VERSION, SK_PLUGIN_ABI);
    return CLI_OK;
}

static int cmd_help(const cli_ctx *ctx, int argc, char **argv);

/* Every command: its name, how it is called, one line for the usage,
 * whether it takes --no-cache (it may call a model), and its subcommands.
 * The usage text, `help CMD`, the man page and the shell completion are
 * all made from this table (`help --commands` hands it to
 * core/cli/gen-docs.sh), so none of them can disagree. */
static const struct command {
    const char *name, *args, *summary;
    int (*fn)(const cli_ctx *ctx, int argc, char **argv);
    int model;
    const char *subs; /* space-separated, or NULL */
} commands[] = {
    {"score", " [FILE.jsonl]", "score rows that already hold outputs", cmd_score, 1, NULL},
    {"scorers", "", "list the scorers available (or in a pack)", cmd_scorers, 0, NULL},
    {"init", " [DIR]", "create a project that works immediately", cmd_init, 0, NULL},
    {"try", " SCORER", "score one case and show score, rationale, meta, time", cmd_try, 1, NULL},
    {"new", " scorer NAME", "write a working scorer (Lua, or C with --c)", cmd_new, 0, NULL},
    {"run", "", "run an experiment: dataset x task x pack x trials", cmd_run, 1, NULL},
    {"experiments", "", "list the experiments, newest first", cmd_experiments, 0, NULL},
    {"show", " EXP", "an experiment's summary, errors and lowest-scoring rows", cmd_exp_show, 0,
     NULL},
    {"export", " EXP", "an experiment's cells as JSONL", cmd_exp_export, 0, NULL},
    {"rescore", " EXP", "score an experiment's stored outputs with another pack", cmd_rescore, 1,
     NULL},
    {"dataset", " CMD", "import, list, show and export the project's datasets", cmd_dataset, 0,
     "import list show export add merge diff"},
    {"baseline", " CMD", "set, show and list the baseline experiment", cmd_baseline, 0,
     "set show history"},
    {"compare", " [EXP]", "compare an experiment with the baseline (or --base EXP)", cmd_compare, 0,
     NULL},
    {"failures", " [EXP]", "the failing rows and what they have in common", cmd_failures, 1, NULL},
    {"topics", " SOURCE", "cluster rows into topics (and show, list, diff the runs kept)",
     cmd_topics, 1, "show list"},
    {"report", " EXP", "one self-contained HTML page: summary, histograms, comparison", cmd_report,
     0, NULL},
    {"validate", "", "test the scorers on calibration cases (meta-evaluation)", cmd_validate, 1,
     NULL},
    {"cache", " CMD", "statistics and clearing of the LLM response cache", cmd_cache, 0,
     "stats clear"},
    {"logs", " [CMD]", "list the production logs, or ingest rows and OTLP traces", cmd_logs, 0,
     "ingest trend"},
    {"serve", "", "receive logs and traces over HTTP into the store", cmd_serve, 1, NULL},
    {"watch", "", "score new logs by the online rules, continuously, checkpointed", cmd_watch, 1,
     NULL},
    {"label", " CMD", "human labels per row and scorer: import, list, or label in the terminal",
     cmd_label, 0, "import list"},
    {"view", "", "a read-only web viewer of the store: experiments, reports, datasets, logs",
     cmd_view, 0, NULL},
    {"store", " [CMD]", "where the store is, and copying it whole to another (PostgreSQL, SQLite)",
     cmd_store, 0, "where copy"},
    {"version", "", "print the version", cmd_version, 0, NULL},
    {"help", " [CMD]", "this text, or CMD's own help", cmd_help, 0, NULL},
};
#define NCOMMANDS (sizeof commands / sizeof commands[0])

static void usage(FILE *f)
{
    fprintf(f, "usage: scorekit [-C DIR] COMMAND [ARGS]\n"
               "\n"
               "Score and evaluate LLM outputs with packs of validated scorers.\n"
               "\n"
               "commands:\n");
    sk_buf models = {0};
    for (size_t i = 0; i < NCOMMANDS; i++) {
        const struct command *c = &commands[i];
        int w = (int)(strlen(c->name) + strlen(c->args));
        fprintf(f, "  %s%s%*s%s\n", c->name, c->args, w < 21 ? 21 - w : 1, "", c->summary);
        if (c->model)
            sk_buf_printf(&models, "%s%s", models.len ? ", " : "", c->name);
    }
    fprintf(f,
            "\n"
            "options:\n"
            "  -C DIR               run in the project folder DIR\n"
            "\n"
            "%s also take --no-cache: call the model\n"
            "for every judgement instead of reusing the LLM replies cached in the store.\n"
            "\n"
            "`scorekit help COMMAND` (or `scorekit COMMAND --help`) describes each command.\n",
            models.data);
    sk_buf_free(&models);
}

static int run_command(const cli_ctx *ctx, int argc, char **argv);

/* `help`: the usage; `help CMD [SUB]`: that command's own --help;
 * `help --commands`: the table, one command a line (name|args|summary|
 * subcommands|--no-cache when it takes it), for the man page and the
 * completion (gen-docs.sh). */
static int cmd_help(const cli_ctx *ctx, int argc, char **argv)
{
    if (argc < 2) {
        usage(stdout);
        return CLI_OK;
    }
    if (strcmp(argv[1], "--commands") == 0) {
        for (size_t i = 0; i < NCOMMANDS; i++)
            printf("%s|%s|%s|%s|%s\n", commands[i].name,
                   commands[i].args[0] == ' ' ? commands[i].args + 1 : commands[i].args,
                   commands[i].summary, commands[i].subs ? commands[i].subs : "",
                   commands[i].model ? "--no-cache" : "");
        return CLI_OK;
    }
    if (strcmp(argv[1], "help") == 0 || strcmp(argv[1], "--help") == 0 ||
        strcmp(argv[1], "-h") == 0) {
        usage(stdout);
        return CLI_OK;
    }
    /* `help dataset import` is `dataset import --help`. */
    char **sub = sk_xcalloc((size_t)argc + 1, sizeof *sub);
    for (int i = 1; i < argc; i++)
        sub[i - 1] = argv[i];
    sub[argc - 1] = "--help";
    int rc = run_command(ctx, argc, sub);
    free(sub);
    return rc;
}

static void log_to_stderr(sk_log_level level, const char *scorer, const char *msg, void *ud)
{
    (void)ud;
    static const char *const names[] = {"debug", "info", "warning", "error"};
    if (level == SK_LOG_DEBUG && !getenv("SCOREKIT_DEBUG"))
        return;
    fprintf(stderr, "scorekit: %s: %s: %s\n", names[level], scorer ? scorer : "-", msg);
}

/* The command's exit status; argv[0] is the command's name. */
static int run_command(const cli_ctx *ctx, int argc, char **argv)
{
    for (size_t i = 0; i < NCOMMANDS; i++) {
        const struct command *c = &commands[i];
        if (strcmp(argv[0], c->name) != 0)
            continue;
        cli_command = c->name;
        if (c->model)
            ctx->llm->no_cache = cli_take_flag(&argc, argv, "--no-cache");
        return c->fn(ctx, argc, argv);
    }
    const char *names[NCOMMANDS];
    for (size_t i = 0; i < NCOMMANDS; i++)
        names[i] = commands[i].name;
    const char *near = sk_suggest(argv[0], names, NCOMMANDS);
    if (near) {
        /* The one likely command, not the whole usage to search. */
        cli_error("unknown command \"%s\"; did you mean \"%s\"? (`scorekit help` lists the "
                  "commands)",
                  argv[0], near);
        return CLI_USAGE;
    }
    cli_error("unknown command \"%s\"", argv[0]);
    usage(stderr);
    return CLI_USAGE;
}

int main(int argc, char **argv)
{
#ifdef __GLIBC__
    /* Workers allocate cells and the writing thread frees them.  glibc
     * then trims each worker's heap back to the kernel after nearly every
     * batch and grows it again for the next, and the unmapping interrupts
     * every core: that doubled the time of recording a 20k-row run.  Keep
     * up to 64 MiB of freed heap instead. */
    mallopt(M_TRIM_THRESHOLD, 64 << 20);
    mallopt(M_TOP_PAD, 16 << 20);
#endif
    cli_llm llm = {0};
    cli_ctx ctx = {".", 0, &llm};
    int i = 1;
    while (i < argc && argv[i][0] == '-') {
        if (strcmp(argv[i], "-C") == 0 && i + 1 < argc) {
            ctx.dir = argv[i + 1];
            ctx.dir_given = 1;
            i += 2;
        } else if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
            usage(stdout);
            return CLI_OK;
        } else if (strcmp(argv[i], "--version") == 0) {
            return cmd_version(&ctx, 0, argv);
        } else {
            cli_error("unknown option %s before the command (only -C DIR, --help and "
                      "--version go there)",
                      argv[i]);
            usage(stderr);
            return CLI_USAGE;
        }
    }
    if (i >= argc) {
        usage(stderr);
        return CLI_USAGE;
    }
    /* Log lines go to this process's stderr, whichever run they come from. */
    sk_host_set_logger(log_to_stderr, NULL);
    int rc = run_command(&ctx, argc - i, argv + i);
    cli_llm_close(&llm); /* before exit, so no worker of the client outlives it */
    return rc;
}
