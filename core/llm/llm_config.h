/*
 * The "llm" object of scorekit.json, checked strictly (an unknown key or a
 * value of the wrong type is an error naming it, since a typo in a price
 * table or a timeout would otherwise be silently ignored), with defaults
 * from the conventional environment variables when it is absent.
 */
#ifndef SK_LLM_CONFIG_H
#define SK_LLM_CONFIG_H

#include <stddef.h>

#include <cjson/cJSON.h>

typedef enum { SK_LLM_OPENAI, SK_LLM_ANTHROPIC } sk_llm_api;

/* The models of the environment's providers when OPENAI_MODEL and
 * ANTHROPIC_MODEL are unset (the README names them). */
#define SK_LLM_OPENAI_MODEL    "gpt-4o-mini"
#define SK_LLM_ANTHROPIC_MODEL "claude-haiku-4-5"

typedef struct sk_llm_price {
    char *model;
    double input_per_mtok, output_per_mtok; /* currency units per million tokens */
} sk_llm_price;

typedef struct sk_llm_provider {
    char *name;
    sk_llm_api api;
    char *base_url;        /* without a trailing slash */
    char *api_key_env;     /* the variable holding the key; the key itself is never stored */
    char *model;           /* default model, may be NULL */
    int tools;             /* 1: native tool calling; 0: the JSON-reply fallback */
    double timeout_s;      /* per HTTP request */
    int max_retries;       /* retries after the first attempt */
    double retry_budget_s; /* no retry starts after this long since the first attempt */
    double retry_base_ms, retry_cap_ms; /* backoff: first ceiling and largest wait */
    sk_llm_price *prices;
    size_t nprices;
} sk_llm_provider;

typedef struct sk_llm_config {
    sk_llm_provider *providers;
    size_t nproviders;
    size_t default_provider;
    int max_in_flight;          /* the ceiling of the adaptive limit */
    int adaptive_in_flight;     /* lower it on 429/503/529 (default 1) */
    double requests_per_minute; /* 0: unlimited */
    int cache;
} sk_llm_config;

/* Fill *out from config (NULL: environment defaults).  Returns 0, or
 * SK_EINVAL with *err naming the key ("llm.providers.x.timeout_s: ...").
 * Free with sk_llm_config_free (also after a failure). */
int sk_llm_config_parse(sk_llm_config *out, const cJSON *config, char **err);
void sk_llm_config_free(sk_llm_config *c);

struct sk_json_src;
/* Only the keys of config (and of its providers and prices), with
 * FILE:LINE from src (config is at the JSON pointer ptr in its text; src
 * may be NULL): a project check before the client opens. */
int sk_llm_config_check_keys(const cJSON *config, const struct sk_json_src *src, const char *ptr,
                             char **err);

/* The provider named `name` (NULL: the default one), or NULL. */
const sk_llm_provider *sk_llm_config_provider(const sk_llm_config *c, const char *name);

/* The price of `model` at provider p, or NULL when the table has none. */
const sk_llm_price *sk_llm_config_price(const sk_llm_provider *p, const char *model);

#endif
