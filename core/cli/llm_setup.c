/*
 * The CLI's side of the LLM client: one client per command, opened from
 * scorekit.json's "llm" object with the project's store as its cache and
 * usage log, and handed by the command to what it runs.  The subcommands
 * that score or run (run, rescore, score, try, validate) call cli_llm_open
 * after loading the project; main closes it after the command.
 */
#include "cli/llm_setup.h"

#include <stdlib.h>

#include "base/error.h"
#include "base/fileutil.h"
#include "llm/llm.h"
#include "store/store.h"
#include "base/util.h"

sk_llm *cli_llm_client(const cli_ctx *ctx)
{
    return ctx->llm ? ctx->llm->client : NULL;
}

int cli_pack_uses_llm(const sk_pack *pack)
{
    for (size_t i = 0; pack && i < pack->n; i++)
        if (pack->entries[i].flags & SK_SCORER_USES_LLM)
            return 1;
    return 0;
}

int cli_llm_open(const cli_ctx *ctx, const sk_project *proj, int need_store, char **err)
{
    cli_llm_close(ctx->llm);
    cJSON *config = NULL;
    char *db_path = NULL;
    if (proj && proj->llm_json) {
        config = cJSON_Parse(proj->llm_json);
        if (!config) {
            sk_errf(err, SK_EINVAL, "%s: \"llm\" could not be read", proj->path);
            return CLI_FAIL;
        }
    }
    if (proj && !need_store) {
        char *path = sk_asprintf("%s/%s/%s", proj->dir, SK_STORE_DIR, SK_STORE_FILE);
        need_store = sk_is_file(path);
        free(path);
    }
    if (proj && need_store) {
        /* The store holds the cache tables; opening it creates and
         * migrates it, so the client finds them. */
        sk_store *st = NULL;
        int rc = sk_store_open(&st, proj->dir, err);
        if (rc == SK_OK)
            db_path = sk_xstrdup(sk_store_path(st));
        sk_store_close(st);
        if (rc != SK_OK) {
            cJSON_Delete(config);
            return CLI_FAIL;
        }
    }
    char *msg = NULL;
    sk_llm *opened = NULL;
    int rc = sk_llm_open(&opened, config, db_path, &msg);
    cJSON_Delete(config);
    free(db_path);
    if (rc != SK_OK) {
        sk_errf(err, rc, "%s%s%s", proj ? proj->path : "", proj ? ": \"llm\": " : "", msg);
        free(msg);
        return CLI_FAIL;
    }
    sk_llm_set_no_cache(opened, ctx->llm->no_cache);
    ctx->llm->client = opened;
    return CLI_OK;
}

void cli_llm_close(cli_llm *l)
{
    if (!l)
        return;
    sk_llm_close(l->client);
    l->client = NULL;
}
