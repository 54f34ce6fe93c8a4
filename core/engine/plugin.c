/* The engine for C plugin scorers: calls through the sk_scorer_def table. */
#include "engine/engine.h"

#include <string.h>

#include "base/error.h"

static int p_open(const void *impl, const char *name, const char *params_json, void **state,
                  char **err)
{
    const sk_scorer_def *def = impl;
    *state = NULL;
    if (!def->open)
        return SK_OK;
    char msg[1024] = "";
    if (def->open(sk_host_get(), params_json, state, msg, sizeof msg) != 0)
        return sk_errf(err, SK_ESCORER, "scorer %s could not open: %s", name,
                       msg[0] ? msg : "(the plugin gave no reason)");
    return SK_OK;
}

static int p_score(const void *impl, void *state, const sk_case *c, sk_result *r)
{
    const sk_scorer_def *def = impl;
    return def->score(sk_host_get(), state, c, r);
}

static void p_close(const void *impl, void *state)
{
    const sk_scorer_def *def = impl;
    if (def->close)
        def->close(sk_host_get(), state);
}

static const sk_scorer_def *p_def(const void *impl)
{
    return impl;
}

const sk_engine_ops sk_engine_plugin = {"plugin", p_open, p_score, p_close, p_def, NULL};
