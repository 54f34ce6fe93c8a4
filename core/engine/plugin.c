/* The engine for C plugin scorers: calls through the sk_scorer_def table. */
#include "engine/engine.h"

#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "base/util.h"
#include "engine/registry.h"

static int p_resolve(const sk_engine_entry *e, const void **impl, char **origin, char **err)
{
    const sk_scorer_def *def;
    const sk_plugin_info *info;
    char *msg = NULL;
    if (sk_registry_find(e->reg, e->use, &def, &info, &msg) != SK_OK) {
        int rc = sk_errf(err, SK_ENOTFOUND, "%s: %s", e->where, msg);
        free(msg);
        return rc;
    }
    *impl = def;
    *origin = sk_asprintf("plugin %s %s (%s)", info->name, info->version, info->path);
    return SK_OK;
}

/* Each call says which run the thread works for (sk_host_enter): old
 * plugins find their project through project_dir(), which has no table. */
static int p_open(sk_host_ctx *host, const void *impl, const char *name, const char *params_json,
                  void **state, char **err)
{
    const sk_scorer_def *def = impl;
    *state = NULL;
    if (!def->open)
        return SK_OK;
    char msg[1024] = "";
    sk_host_ctx *prev = sk_host_enter(host);
    int rc = def->open(&host->table, params_json, state, msg, sizeof msg);
    sk_host_leave(prev);
    if (rc != 0)
        return sk_errf(err, SK_ESCORER, "scorer %s could not open: %s", name,
                       msg[0] ? msg : "(the plugin gave no reason)");
    return SK_OK;
}

static int p_score(sk_host_ctx *host, const void *impl, void *state, const sk_case *c, sk_result *r)
{
    const sk_scorer_def *def = impl;
    sk_host_ctx *prev = sk_host_enter(host);
    int rc = def->score(&host->table, state, c, r);
    sk_host_leave(prev);
    return rc;
}

static void p_close(sk_host_ctx *host, const void *impl, void *state)
{
    const sk_scorer_def *def = impl;
    if (!def->close)
        return;
    sk_host_ctx *prev = sk_host_enter(host);
    def->close(&host->table, state);
    sk_host_leave(prev);
}

static const sk_scorer_def *p_def(const void *impl)
{
    return impl;
}

static const char *p_source_file(const void *impl, const struct sk_registry *reg)
{
    const sk_plugin_info *info = sk_registry_info_of(reg, impl);
    return info ? info->path : NULL;
}

const sk_engine_ops sk_engine_plugin = {
    .kind = "plugin",
    .resolve = p_resolve,
    .open = p_open,
    .score = p_score,
    .close = p_close,
    .def = p_def,
    .source_file = p_source_file,
};
