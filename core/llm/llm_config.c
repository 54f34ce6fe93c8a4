/*
 * Parsing and checking the "llm" configuration (see llm_config.h).
 * Without a config, or without "providers" in it, two providers exist:
 * "openai" (OPENAI_BASE_URL or api.openai.com, key in OPENAI_API_KEY) and
 * "anthropic" (ANTHROPIC_BASE_URL or api.anthropic.com, key in
 * ANTHROPIC_API_KEY); the default is openai unless only ANTHROPIC_API_KEY
 * is set.  Their models come from OPENAI_MODEL and ANTHROPIC_MODEL, else
 * SK_LLM_OPENAI_MODEL and SK_LLM_ANTHROPIC_MODEL: the two variables of the
 * README must be enough for a judge to run.  A provider of "providers"
 * names its own model (it may be any server, where no default fits).
 */
#define _POSIX_C_SOURCE 200809L
#include "llm/llm_config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "base/json_keys.h"
#include "base/util.h"

static const char *const top_keys[] = {
    "provider", "providers", "max_in_flight", "adaptive_in_flight", "requests_per_minute",
    "cache",    NULL};
static const char *const provider_keys[] = {
    "api",         "base_url",       "api_key_env",   "model",        "tools",  "timeout_s",
    "max_retries", "retry_budget_s", "retry_base_ms", "retry_cap_ms", "prices", NULL};
static const char *const price_keys[] = {"input_per_mtok", "output_per_mtok", NULL};

static int check_keys(const cJSON *obj, const char *const *known, const char *where, char **err)
{
    return sk_json_check_keys(obj, known, NULL, where, NULL, NULL, NULL, err);
}

int sk_llm_config_check_keys(const cJSON *config, const sk_json_src *src, const char *ptr,
                             char **err)
{
    int rc = sk_json_check_keys(config, top_keys, NULL, "llm", NULL, src, ptr, err);
    const cJSON *providers = cJSON_GetObjectItemCaseSensitive(config, "providers");
    const cJSON *p;
    const cJSON *provs = cJSON_IsObject(providers) ? providers : NULL;
    cJSON_ArrayForEach(p, provs)
    {
        if (rc)
            break;
        char *where = sk_asprintf("llm.providers.%s", p->string);
        char *pp = sk_asprintf("%s/providers/%s", ptr, p->string);
        rc = sk_json_check_keys(p, provider_keys, NULL, where, NULL, src, pp, err);
        const cJSON *prices = cJSON_GetObjectItemCaseSensitive(p, "prices");
        const cJSON *m;
        const cJSON *ps = cJSON_IsObject(prices) ? prices : NULL;
        cJSON_ArrayForEach(m, ps)
        {
            if (rc)
                break;
            char *mw = sk_asprintf("%s.prices.%s", where, m->string);
            char *mp = sk_asprintf("%s/prices/%s", pp, m->string);
            rc = sk_json_check_keys(m, price_keys, NULL, mw, NULL, src, mp, err);
            free(mw);
            free(mp);
        }
        free(where);
        free(pp);
    }
    return rc;
}

static int get_string(const cJSON *obj, const char *key, const char *where, char **out, char **err)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    if (!v)
        return 0;
    if (!cJSON_IsString(v) || !v->valuestring[0])
        return sk_errf(err, SK_EINVAL, "%s.%s: must be a non-empty string", where, key);
    free(*out);
    *out = sk_xstrdup(v->valuestring);
    return 0;
}

static int get_number(const cJSON *obj, const char *key, const char *where, double min, double max,
                      int integer, double *out, char **err)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    if (!v)
        return 0;
    if (!cJSON_IsNumber(v) || !isfinite(v->valuedouble) || v->valuedouble < min ||
        v->valuedouble > max || (integer && v->valuedouble != floor(v->valuedouble)))
        return sk_errf(err, SK_EINVAL, "%s.%s: must be %s between %g and %g", where, key,
                       integer ? "an integer" : "a number", min, max);
    *out = v->valuedouble;
    return 0;
}

static int get_bool(const cJSON *obj, const char *key, const char *where, int *out, char **err)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    if (!v)
        return 0;
    if (!cJSON_IsBool(v))
        return sk_errf(err, SK_EINVAL, "%s.%s: must be true or false", where, key);
    *out = cJSON_IsTrue(v);
    return 0;
}

static const char *env_or(const char *name, const char *fallback)
{
    const char *v = getenv(name);
    return v && *v ? v : fallback;
}

static void provider_defaults(sk_llm_provider *p, const char *name, sk_llm_api api)
{
    memset(p, 0, sizeof *p);
    p->name = sk_xstrdup(name);
    p->api = api;
    if (api == SK_LLM_ANTHROPIC) {
        p->base_url = sk_xstrdup(env_or("ANTHROPIC_BASE_URL", "https://api.anthropic.com"));
        p->api_key_env = sk_xstrdup("ANTHROPIC_API_KEY");
    } else {
        p->base_url = sk_xstrdup(env_or("OPENAI_BASE_URL", "https://api.openai.com/v1"));
        p->api_key_env = sk_xstrdup("OPENAI_API_KEY");
    }
    p->tools = 1;
    p->timeout_s = 60;
    p->max_retries = 5;
    p->retry_budget_s = 120;
    p->retry_base_ms = 500;
    p->retry_cap_ms = 30000;
}

static void provider_free(sk_llm_provider *p)
{
    free(p->name);
    free(p->base_url);
    free(p->api_key_env);
    free(p->model);
    for (size_t i = 0; i < p->nprices; i++)
        free(p->prices[i].model);
    free(p->prices);
}

static int parse_prices(sk_llm_provider *p, const cJSON *prices, const char *where, char **err)
{
    char *w = sk_asprintf("%s.prices", where);
    int rc = 0;
    if (!cJSON_IsObject(prices)) {
        rc = sk_errf(err, SK_EINVAL,
                     "%s: must be an object of model: {input_per_mtok, "
                     "output_per_mtok}",
                     w);
        goto out;
    }
    p->prices = sk_xcalloc((size_t)cJSON_GetArraySize(prices) + 1, sizeof *p->prices);
    const cJSON *m;
    cJSON_ArrayForEach(m, prices)
    {
        char *mw = sk_asprintf("%s.%s", w, m->string);
        sk_llm_price *pr = &p->prices[p->nprices++];
        pr->model = sk_xstrdup(m->string);
        if (!cJSON_IsObject(m))
            rc = sk_errf(err, SK_EINVAL, "%s: must be an object {input_per_mtok, output_per_mtok}",
                         mw);
        if (!rc)
            rc = check_keys(m, price_keys, mw, err);
        if (!rc)
            rc = get_number(m, "input_per_mtok", mw, 0, 1e9, 0, &pr->input_per_mtok, err);
        if (!rc)
            rc = get_number(m, "output_per_mtok", mw, 0, 1e9, 0, &pr->output_per_mtok, err);
        free(mw);
        if (rc)
            break;
    }
out:
    free(w);
    return rc;
}

static int parse_provider(sk_llm_provider *p, const char *name, const cJSON *obj, char **err)
{
    char *where = sk_asprintf("llm.providers.%s", name);
    int rc = 0;
    memset(p, 0, sizeof *p);
    if (!cJSON_IsObject(obj)) {
        p->name = sk_xstrdup(name);
        rc = sk_errf(err, SK_EINVAL, "%s: must be an object", where);
        goto out;
    }
    sk_llm_api api = SK_LLM_OPENAI;
    const cJSON *a = cJSON_GetObjectItemCaseSensitive(obj, "api");
    if (a) {
        if (cJSON_IsString(a) && strcmp(a->valuestring, "openai") == 0)
            api = SK_LLM_OPENAI;
        else if (cJSON_IsString(a) && strcmp(a->valuestring, "anthropic") == 0)
            api = SK_LLM_ANTHROPIC;
        else {
            p->name = sk_xstrdup(name);
            rc = sk_errf(err, SK_EINVAL, "%s.api: must be \"openai\" or \"anthropic\"", where);
            goto out;
        }
    }
    provider_defaults(p, name, api);
    double v;
    if ((rc = check_keys(obj, provider_keys, where, err)) ||
        (rc = get_string(obj, "base_url", where, &p->base_url, err)) ||
        (rc = get_string(obj, "api_key_env", where, &p->api_key_env, err)) ||
        (rc = get_string(obj, "model", where, &p->model, err)) ||
        (rc = get_bool(obj, "tools", where, &p->tools, err)) ||
        (rc = get_number(obj, "timeout_s", where, 0.001, 86400, 0, &p->timeout_s, err)) ||
        (rc = get_number(obj, "retry_budget_s", where, 0, 86400, 0, &p->retry_budget_s, err)) ||
        (rc = get_number(obj, "retry_base_ms", where, 0, 3600000, 0, &p->retry_base_ms, err)) ||
        (rc = get_number(obj, "retry_cap_ms", where, 0, 3600000, 0, &p->retry_cap_ms, err)))
        goto out;
    v = p->max_retries;
    if ((rc = get_number(obj, "max_retries", where, 0, 100, 1, &v, err)))
        goto out;
    p->max_retries = (int)v;
    if (strncmp(p->base_url, "http://", 7) != 0 && strncmp(p->base_url, "https://", 8) != 0) {
        rc = sk_errf(err, SK_EINVAL, "%s.base_url: \"%s\" must start with http:// or https://",
                     where, p->base_url);
        goto out;
    }
    size_t n = strlen(p->base_url);
    while (n > 0 && p->base_url[n - 1] == '/')
        p->base_url[--n] = '\0';
    const cJSON *prices = cJSON_GetObjectItemCaseSensitive(obj, "prices");
    if (prices)
        rc = parse_prices(p, prices, where, err);
out:
    free(where);
    return rc;
}

static void env_providers(sk_llm_config *c)
{
    c->providers = sk_xcalloc(2, sizeof *c->providers);
    provider_defaults(&c->providers[0], "openai", SK_LLM_OPENAI);
    provider_defaults(&c->providers[1], "anthropic", SK_LLM_ANTHROPIC);
    c->providers[0].model = sk_xstrdup(env_or("OPENAI_MODEL", SK_LLM_OPENAI_MODEL));
    c->providers[1].model = sk_xstrdup(env_or("ANTHROPIC_MODEL", SK_LLM_ANTHROPIC_MODEL));
    c->nproviders = 2;
    int openai = getenv("OPENAI_API_KEY") || getenv("OPENAI_BASE_URL");
    c->default_provider = !openai && getenv("ANTHROPIC_API_KEY") ? 1 : 0;
}

int sk_llm_config_parse(sk_llm_config *out, const cJSON *config, char **err)
{
    memset(out, 0, sizeof *out);
    out->max_in_flight = 16;
    out->adaptive_in_flight = 1;
    out->cache = 1;
    if (config && !cJSON_IsObject(config))
        return sk_errf(err, SK_EINVAL, "llm: must be an object");
    int rc;
    if (config && (rc = check_keys(config, top_keys, "llm", err)))
        return rc;
    const cJSON *providers = cJSON_GetObjectItemCaseSensitive(config, "providers");
    if (!providers) {
        env_providers(out);
    } else {
        if (!cJSON_IsObject(providers) || cJSON_GetArraySize(providers) == 0)
            return sk_errf(err, SK_EINVAL,
                           "llm.providers: must be an object of name: {api, base_url, ...} "
                           "with at least one provider");
        out->providers = sk_xcalloc((size_t)cJSON_GetArraySize(providers), sizeof *out->providers);
        const cJSON *p;
        cJSON_ArrayForEach(p, providers)
        {
            rc = parse_provider(&out->providers[out->nproviders++], p->string, p, err);
            if (rc)
                return rc;
        }
        out->default_provider = 0;
    }
    char *dflt = NULL;
    double v;
    if ((rc = get_string(config, "provider", "llm", &dflt, err)))
        return rc;
    if (dflt) {
        size_t i = 0;
        while (i < out->nproviders && strcmp(out->providers[i].name, dflt) != 0)
            i++;
        if (i == out->nproviders) {
            rc = sk_errf(err, SK_EINVAL, "llm.provider: no provider named \"%s\" in llm.providers",
                         dflt);
            free(dflt);
            return rc;
        }
        out->default_provider = i;
        free(dflt);
    }
    v = out->max_in_flight;
    if ((rc = get_number(config, "max_in_flight", "llm", 1, 4096, 1, &v, err)))
        return rc;
    out->max_in_flight = (int)v;
    if ((rc = get_number(config, "requests_per_minute", "llm", 0, 1e7, 0, &out->requests_per_minute,
                         err)) ||
        (rc = get_bool(config, "cache", "llm", &out->cache, err)) ||
        (rc = get_bool(config, "adaptive_in_flight", "llm", &out->adaptive_in_flight, err)))
        return rc;
    return 0;
}

void sk_llm_config_free(sk_llm_config *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < c->nproviders; i++)
        provider_free(&c->providers[i]);
    free(c->providers);
    memset(c, 0, sizeof *c);
}

const sk_llm_provider *sk_llm_config_provider(const sk_llm_config *c, const char *name)
{
    if (!name)
        return c->nproviders ? &c->providers[c->default_provider] : NULL;
    for (size_t i = 0; i < c->nproviders; i++)
        if (strcmp(c->providers[i].name, name) == 0)
            return &c->providers[i];
    return NULL;
}

const sk_llm_price *sk_llm_config_price(const sk_llm_provider *p, const char *model)
{
    for (size_t i = 0; model && i < p->nprices; i++)
        if (strcmp(p->prices[i].model, model) == 0)
            return &p->prices[i];
    return NULL;
}
