/*
 * The CLI's side of the LLM client: one client per command, opened from
 * scorekit.json's "llm" object with the project's store as its cache and
 * usage log, and handed by the command to what it runs.  The subcommands
 * that score or run (run, rescore, score, try, validate) call cli_llm_open
 * after loading the project; main closes it after the command.
 */
#include "cli/llm_setup.h"

#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "base/fileutil.h"
#include "base/json_tree.h"
#include "engine/params.h"
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

/* Does def declare a param named `name`? */
static int declares(const sk_scorer_def *def, const char *name)
{
    for (const sk_param_def *p = def ? def->params : NULL; p && p->name; p++)
        if (strcmp(p->name, name) == 0)
            return 1;
    return 0;
}

static int judge_set(sk_pack *pack, const char *kv, int as_text, char **err)
{
    const char *eq = strchr(kv, '=');
    if (strncmp(kv, "judge.", 6) != 0 || !eq || eq == kv + 6)
        return sk_errf(err, CLI_USAGE,
                       "--set \"%s\": here --set takes judge.PARAM=VALUE, a param of every judge "
                       "of the pack (e.g. judge.model=gpt-4o-mini)",
                       kv);
    char *name = sk_xstrndup(kv + 6, (size_t)(eq - kv - 6));
    cJSON *value = as_text ? NULL : cJSON_Parse(eq + 1);
    if (!value)
        value = cJSON_CreateString(eq + 1);
    char *flag = as_text ? sk_xstrdup("--model") : sk_asprintf("--set judge.%s", name);
    size_t judges = 0, changed = 0;
    const char *a_judge = NULL;
    int rc = 0;
    for (size_t i = 0; i < pack->n && !rc; i++) {
        sk_pack_entry *e = &pack->entries[i];
        if (!(e->flags & SK_SCORER_USES_LLM))
            continue;
        judges++;
        const sk_scorer_def *def = e->ops->def(e->impl);
        a_judge = e->name;
        if (!declares(def, name))
            continue;
        cJSON *params = sk_json_parse_cstr(e->params_json ? e->params_json : "{}");
        if (!cJSON_IsObject(params)) {
            cJSON_Delete(params);
            params = cJSON_CreateObject();
        }
        cJSON_DeleteItemFromObjectCaseSensitive(params, name);
        cJSON_AddItemToObject(params, name, cJSON_Duplicate(value, 1));
        char *where = sk_asprintf("%s: scorer \"%s\" (%s)", flag, e->name, e->use);
        char *resolved = NULL;
        rc = sk_params_resolve(def, where, params, &resolved, err);
        if (!rc) {
            free(e->params_json);
            e->params_json = resolved;
            changed++;
        } else {
            rc = CLI_USAGE;
        }
        free(where);
        cJSON_Delete(params);
    }
    cJSON_Delete(value);
    if (!rc && judges == 0)
        cli_warn("%s: the pack %s has no scorer that calls a model; nothing to set", flag,
                 pack->name);
    else if (!rc && changed == 0)
        rc = sk_errf(err, CLI_USAGE,
                     "%s: no judge of the pack %s takes \"%s\" (`scorekit scorers` lists the "
                     "params of %s)",
                     flag, pack->name, name, a_judge);
    free(flag);
    free(name);
    return rc;
}

int cli_judge_sets(sk_pack *pack, const char *model, const char *const *sets, size_t n)
{
    char *err = NULL;
    int rc = 0;
    if (model) {
        char *kv = sk_asprintf("judge.model=%s", model);
        rc = judge_set(pack, kv, 1, &err);
        free(kv);
    }
    for (size_t i = 0; i < n && !rc; i++)
        rc = judge_set(pack, sets[i], 0, &err);
    if (rc)
        cli_error("%s", err);
    free(err);
    return rc ? CLI_USAGE : CLI_OK;
}

void cli_llm_close(cli_llm *l)
{
    if (!l)
        return;
    sk_llm_close(l->client);
    l->client = NULL;
}
