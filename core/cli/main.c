/* scorekit: the command line.  Dispatches to one file per subcommand. */
#include <stdio.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/llm_setup.h"
#include "config.h"
#include "engine/host.h"

static void usage(FILE *f)
{
    fprintf(f, "usage: scorekit [-C DIR] COMMAND [ARGS]\n"
               "\n"
               "Score and evaluate LLM outputs with packs of validated scorers.\n"
               "\n"
               "commands:\n"
               "  score [FILE.jsonl]   score rows that already hold outputs\n"
               "  scorers              list the scorers available (or in a pack)\n"
               "  init [DIR]           create a project that works immediately\n"
               "  try SCORER           score one case and show score, rationale, meta, time\n"
               "  new scorer NAME      write a working scorer (Lua, or C with --c)\n"
               "  run                  run an experiment: dataset x task x pack x trials\n"
               "  experiments          list the experiments, newest first\n"
               "  show EXP             an experiment's summary, errors and lowest-scoring rows\n"
               "  export EXP           an experiment's cells as JSONL\n"
               "  rescore EXP          score an experiment's stored outputs with another pack\n"
               "  dataset CMD          import, list, show and export the project's datasets\n"
               "  baseline CMD         set, show and list the baseline experiment\n"
               "  compare [EXP]        compare an experiment with the baseline (or --base EXP)\n"
               "  validate             test the scorers on calibration cases (meta-evaluation)\n"
               "  cache CMD            statistics and clearing of the LLM response cache\n"
               "  version              print the version\n"
               "\n"
               "options:\n"
               "  -C DIR               run in the project folder DIR\n"
               "\n"
               "score, try, run, rescore and validate also take --no-cache: call the model\n"
               "for every judgement instead of reusing the LLM replies cached in the store.\n"
               "\n"
               "`scorekit COMMAND --help` describes each command.\n");
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
static int run_command(const cli_ctx *ctxp, int sub_argc, char **sub_argv)
{
    const cli_ctx ctx = *ctxp;
    const char *cmd = sub_argv[0];
    static const char *const model_cmds[] = {"score", "try", "run", "rescore", "validate"};
    for (size_t i = 0; i < sizeof model_cmds / sizeof *model_cmds; i++)
        if (strcmp(cmd, model_cmds[i]) == 0)
            ctx.llm->no_cache = cli_take_flag(&sub_argc, sub_argv, "--no-cache");
    if (strcmp(cmd, "score") == 0)
        return cmd_score(&ctx, sub_argc, sub_argv);
    if (strcmp(cmd, "scorers") == 0)
        return cmd_scorers(&ctx, sub_argc, sub_argv);
    if (strcmp(cmd, "init") == 0)
        return cmd_init(&ctx, sub_argc, sub_argv);
    if (strcmp(cmd, "try") == 0)
        return cmd_try(&ctx, sub_argc, sub_argv);
    if (strcmp(cmd, "new") == 0)
        return cmd_new(&ctx, sub_argc, sub_argv);
    if (strcmp(cmd, "run") == 0)
        return cmd_run(&ctx, sub_argc, sub_argv);
    if (strcmp(cmd, "dataset") == 0)
        return cmd_dataset(&ctx, sub_argc, sub_argv);
    if (strcmp(cmd, "experiments") == 0)
        return cmd_experiments(&ctx, sub_argc, sub_argv);
    if (strcmp(cmd, "show") == 0)
        return cmd_exp_show(&ctx, sub_argc, sub_argv);
    if (strcmp(cmd, "export") == 0)
        return cmd_exp_export(&ctx, sub_argc, sub_argv);
    if (strcmp(cmd, "rescore") == 0)
        return cmd_rescore(&ctx, sub_argc, sub_argv);
    if (strcmp(cmd, "baseline") == 0)
        return cmd_baseline(&ctx, sub_argc, sub_argv);
    if (strcmp(cmd, "compare") == 0)
        return cmd_compare(&ctx, sub_argc, sub_argv);
    if (strcmp(cmd, "validate") == 0)
        return cmd_validate(&ctx, sub_argc, sub_argv);
    if (strcmp(cmd, "cache") == 0)
        return cmd_cache(&ctx, sub_argc, sub_argv);
    if (strcmp(cmd, "version") == 0) {
        printf("scorekit %s (plugin ABI %d)\n", PACKAGE_VERSION, SK_PLUGIN_ABI);
        return CLI_OK;
    }
    if (strcmp(cmd, "help") == 0) {
        usage(stdout);
        return CLI_OK;
    }
    cli_error("unknown command \"%s\"", cmd);
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
            printf("scorekit %s (plugin ABI %d)\n", PACKAGE_VERSION, SK_PLUGIN_ABI);
            return CLI_OK;
        } else {
            cli_error("unknown option %s before the command", argv[i]);
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
