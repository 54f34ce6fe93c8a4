/*
 * Opening the command's LLM client (llm_setup.c).  The lead may fold these
 * declarations into cli.h.
 */
#ifndef SK_CLI_LLM_SETUP_H
#define SK_CLI_LLM_SETUP_H

#include "cli/cli.h"

/* The client of one command: main makes it, cli_llm_open fills it, the
 * command hands `client` to what it runs, main closes it. */
typedef struct cli_llm {
    sk_llm *client; /* NULL until cli_llm_open */
    int no_cache;   /* --no-cache: the client neither reads nor writes its cache */
} cli_llm;

/* Open ctx->llm's client from the project's "llm" settings (environment
 * defaults without a project or without "llm"), with its cache and usage
 * log in the project's store when the store exists or `need_store` asks
 * for it (a command that needs no model leaves no store behind).  The
 * command gives it (cli_llm_client) to the runs that use a model: judges'
 * host->llm_chat, Lua's sk.llm, the openai task.  Call before the pack is
 * opened (judges check the client at open).  Returns 0, or CLI_FAIL with
 * *err set (caller frees; nothing printed). */
int cli_llm_open(const cli_ctx *ctx, const sk_project *proj, int need_store, char **err);

/* The client cli_llm_open opened, or NULL (borrowed until cli_llm_close). */
sk_llm *cli_llm_client(const cli_ctx *ctx);

/* Does the pack hold a scorer flagged uses-llm (so the cache is worth a
 * store)? */
int cli_pack_uses_llm(const sk_pack *pack);

/* Apply --model M (judge.model=M) and then each `judge.PARAM=VALUE` of
 * sets (--set on score, try and validate) to every scorer of the pack that
 * calls a model and declares PARAM, over what the pack says: VALUE is JSON
 * when it parses, else text (a model is always text).  The params are
 * checked again as loading the pack checks them, and so are in every
 * fingerprint.  A pack without such scorers is left as it is, with a
 * warning; a PARAM no judge of the pack declares is an error.  model may be
 * NULL.  Call before the pack is opened.  Returns 0, or CLI_USAGE having
 * printed why. */
int cli_judge_sets(sk_pack *pack, const char *model, const char *const *sets, size_t n);

/* Close what cli_llm_open opened; safe when it was not called. */
void cli_llm_close(cli_llm *l);

#endif
