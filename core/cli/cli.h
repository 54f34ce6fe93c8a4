/*
 * The `scorekit` command: shared pieces of the subcommands.  Only the CLI
 * prints; library calls hand back codes and messages.
 */
#ifndef SK_CLI_H
#define SK_CLI_H

#include <stddef.h>

#include "pack.h"
#include "project.h"
#include "registry.h"
#include "scorekit/plugin.h"

/* Exit statuses. */
enum {
    CLI_OK = 0,
    CLI_FAIL = 1,          /* bad input, configuration or usage */
    CLI_SCORER_ERRORS = 2, /* the command ran, but some scorers reported errors */
    CLI_USAGE = 64,
    CLI_INTERRUPTED = 130
};

typedef struct cli_ctx {
    const char *dir; /* -C DIR, or "." */
    int dir_given;
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

int cmd_score(const cli_ctx *ctx, int argc, char **argv);
int cmd_scorers(const cli_ctx *ctx, int argc, char **argv);
int cmd_init(const cli_ctx *ctx, int argc, char **argv);
int cmd_try(const cli_ctx *ctx, int argc, char **argv);
int cmd_new(const cli_ctx *ctx, int argc, char **argv);
int cmd_dataset(const cli_ctx *ctx, int argc, char **argv);

/* Progress bar on stderr (TTY only). */
typedef struct cli_progress {
    int enabled;
    double start, last_draw;
    const char *what;
} cli_progress;
void cli_progress_init(cli_progress *p, int enabled, const char *what);
void cli_progress_cb(size_t done, size_t total, void *ud);
void cli_progress_end(cli_progress *p);

double cli_now(void);

#endif
