/*
 * Opening the process-wide LLM client for a command (llm_setup.c).  The
 * lead may fold these two declarations into cli.h.
 */
#ifndef SK_CLI_LLM_SETUP_H
#define SK_CLI_LLM_SETUP_H

#include "cli/cli.h"

/* Open the LLM client from the project's "llm" settings (environment
 * defaults without a project or without "llm"), with its cache and usage
 * log in the project's store when the store exists or `need_store` asks
 * for it (a command that needs no model leaves no store behind), and make it the one
 * host->llm_chat, Lua's sk.llm and the openai task use.  Also tells plugins the project folder
 * (host->project_dir).  Call once, before the pack is opened (judges check
 * the client at open) and before any worker starts.  Returns 0, or
 * CLI_FAIL with *err set (caller frees; nothing printed). */
int cli_llm_open(const cli_ctx *ctx, const sk_project *proj, int need_store, char **err);

/* Does the pack hold a scorer flagged uses-llm (so the cache is worth a
 * store)? */
int cli_pack_uses_llm(const sk_pack *pack);

/* --no-cache: the client opened next neither reads nor writes its cache. */
void cli_llm_set_no_cache(int no_cache);

/* Close what cli_llm_open opened; safe when it was not called. */
void cli_llm_close(void);

#endif
