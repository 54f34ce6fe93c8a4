/*
 * The LLM client (see llm.h): builds the request body for the provider's
 * API, consults the cache, sends it under the shared limits with retries,
 * parses the reply (a native tool call, or the strict JSON-reply fallback
 * for servers without tool calling), prices it and logs it.
 *
 * Nothing here guesses: a reply that lacks the tool call, or a fallback
 * reply that is not exactly one JSON object (a ```json fence aside), is an
 * error for that call.  Errors name the URL and model, never the API key.
 */
#define _POSIX_C_SOURCE 200809L
#include "llm/llm.h"

#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/error.h"
#include "llm/llm_cache.h"
#include "llm/llm_config.h"
#include "base/hash.h"
#include "llm/llm_http.h"
#include "llm/llm_limit.h"
#include "llm/llm_reply.h"
#include "llm/llm_retry.h"
#include "base/util.h"
#include "base/json_tree.h"

struct sk_llm {
    sk_llm_config cfg;
    sk_llm_limit *limit;
    sk_llm_cache *cache; /* NULL: no store */
    pthread_mutex_t mu;  /* guards no_cache, counters, rng and the accounts of requests */
    int no_cache;
    uint64_t rng;
    sk_llm_counters counters;
};

static void sleep_ms(double ms)
{
    if (ms <= 0)
        return;
    struct timespec ts;
    ts.tv_sec = (time_t)(ms / 1000);
    ts.tv_nsec = (long)((ms - (double)ts.tv_sec * 1000) * 1e6);
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

int sk_llm_open(sk_llm **out, const cJSON *config, const char *db_path, char **err)
{
    *out = NULL;
    sk_llm *llm = sk_xcalloc(1, sizeof *llm);
    pthread_mutex_init(&llm->mu, NULL);
    int rc = sk_llm_config_parse(&llm->cfg, config, err);
    if (!rc && db_path && llm->cfg.cache)
        rc = sk_llm_cache_open(&llm->cache, db_path, err);
    else if (!rc && db_path)
        /* The usage log is still wanted with the cache off. */
        rc = sk_llm_cache_open(&llm->cache, db_path, err);
    if (rc) {
        sk_llm_close(llm);
        return rc;
    }
    llm->limit = sk_llm_limit_new(llm->cfg.max_in_flight, llm->cfg.requests_per_minute,
                                  llm->cfg.adaptive_in_flight);
    llm->rng = (uint64_t)time(NULL) ^ (uint64_t)(uintptr_t)llm;
    *out = llm;
    return 0;
}

void sk_llm_close(sk_llm *llm)
{
    if (!llm)
        return;
    sk_llm_cache_close(llm->cache);
    sk_llm_limit_free(llm->limit);
    sk_llm_config_free(&llm->cfg);
    pthread_mutex_destroy(&llm->mu);
    free(llm);
    sk_llm_http_thread_done();
}

void sk_llm_usage_add(sk_llm_usage *to, const sk_llm_usage *from)
{
    to->calls += from->calls;
    to->cached += from->cached;
    to->prompt_tokens += from->prompt_tokens;
    to->completion_tokens += from->completion_tokens;
    to->cost += from->cost;
}

void sk_llm_set_no_cache(sk_llm *llm, int no_cache)
{
    pthread_mutex_lock(&llm->mu);
    llm->no_cache = no_cache;
    pthread_mutex_unlock(&llm->mu);
}

void sk_llm_counters_get(sk_llm *llm, sk_llm_counters *out)
{
    pthread_mutex_lock(&llm->mu);
    *out = llm->counters;
    pthread_mutex_unlock(&llm->mu);
}

const char *sk_llm_default_model(sk_llm *llm, const char *provider)
{
    const sk_llm_provider *p = sk_llm_config_provider(&llm->cfg, provider);
    return p ? p->model : NULL;
}

const char *sk_llm_provider_api(sk_llm *llm, const char *provider)
{
    const sk_llm_provider *p = sk_llm_config_provider(&llm->cfg, provider);
    return !p ? NULL : p->api == SK_LLM_ANTHROPIC ? "anthropic" : "openai";
}

const char *sk_llm_default_provider(sk_llm *llm)
{
    const sk_llm_provider *p = sk_llm_config_provider(&llm->cfg, NULL);
    return p ? p->name : NULL;
}

int sk_llm_max_in_flight(sk_llm *llm)
{
    return llm->cfg.max_in_flight;
}

int sk_llm_in_flight_limit(sk_llm *llm)
{
    return sk_llm_limit_current(llm->limit);
}

void sk_llm_reply_free(sk_llm_reply *reply)
{
    if (!reply)
        return;
    free(reply->content);
    free(reply->tool_args_json);
    free(reply->args_error);
    memset(reply, 0, sizeof *reply);
}

/* ---- the cache key ------------------------------------------------------ */

/* Everything that decides the reply, in one canonical JSON text: object
 * keys sorted at every depth, so {"a":1,"b":2} and {"b":2,"a":1} share an
 * entry. */
static void hash_request(const sk_llm_provider *p, const char *model, const sk_llm_request *req,
                         const cJSON *params, const cJSON *schema, int native, char hex[65])
{
    cJSON *k = cJSON_CreateObject();
    cJSON_AddStringToObject(k, "api", p->api == SK_LLM_ANTHROPIC ? "anthropic" : "openai");
    cJSON_AddStringToObject(k, "base_url", p->base_url);
    cJSON_AddStringToObject(k, "model", model);
    cJSON *msgs = cJSON_AddArrayToObject(k, "messages");
    for (size_t i = 0; i < req->nmessages; i++) {
        cJSON *m = cJSON_CreateArray();
        cJSON_AddItemToArray(m, cJSON_CreateString(req->messages[i].role));
        cJSON_AddItemToArray(m, cJSON_CreateString(req->messages[i].content));
        cJSON_AddItemToArray(msgs, m);
    }
    cJSON_AddItemToObject(k, "params", params ? sk_llm_json_canonical(params) : cJSON_CreateNull());
    if (req->tool) {
        cJSON *t = cJSON_AddObjectToObject(k, "tool");
        cJSON_AddStringToObject(t, "name", req->tool->name);
        cJSON_AddStringToObject(t, "description",
                                req->tool->description ? req->tool->description : "");
        cJSON_AddItemToObject(t, "parameters", sk_llm_json_canonical(schema));
        cJSON_AddBoolToObject(t, "native", native);
    } else {
        cJSON_AddNullToObject(k, "tool");
    }
    cJSON_AddNumberToObject(k, "trial", req->trial);
    char *text = cJSON_PrintUnformatted(k);
    cJSON_Delete(k);
    sk_sha256_hex(text, strlen(text), hex);
    free(text);
}

/* ---- sending ------------------------------------------------------------ */

/* Replace every occurrence of the key in msg with "***" (a server may echo
 * it back in an error). */
static void redact(char *msg, const char *key)
{
    if (!msg || !key || strlen(key) < 4)
        return;
    size_t kl = strlen(key);
    char *at;
    while ((at = strstr(msg, key))) {
        memcpy(at, "***", 3);
        memmove(at + 3, at + kl, strlen(at + kl) + 1);
    }
}

typedef struct attempt_result {
    sk_llm_http_resp resp;
    int attempts;
    double elapsed_s;
} attempt_result;

/* Send until a success, a failure not worth retrying, or the retries or the
 * budget run out.  Returns 0 with a 2xx response in r->resp, or an error. */
static int send_with_retries(sk_llm *llm, const sk_llm_provider *p, const char *url,
                             const char *model, const char *body, attempt_result *r, char **err)
{
    memset(r, 0, sizeof *r);
    const char *key = p->api_key_env ? getenv(p->api_key_env) : NULL;
    char *hdr_key = NULL, *hdr_version = NULL;
    const char *headers[2];
    size_t nh = 0;
    if (key && *key) {
        hdr_key = p->api == SK_LLM_ANTHROPIC ? sk_asprintf("x-api-key: %s", key)
                                             : sk_asprintf("Authorization: Bearer %s", key);
        headers[nh++] = hdr_key;
    }
    if (p->api == SK_LLM_ANTHROPIC) {
        hdr_version = sk_xstrdup("anthropic-version: 2023-06-01");
        headers[nh++] = hdr_version;
    }
    double start = sk_now_ms();
    long timeout_ms = (long)ceil(p->timeout_s * 1000);
    int rc = 0;
    for (;;) {
        unsigned long ticket = sk_llm_limit_acquire(llm->limit);
        sk_llm_http_resp_free(&r->resp);
        int sent = sk_llm_http_post(url, headers, nh, body, timeout_ms, &r->resp);
        long status = sent == 0 ? r->resp.status : 0;
        sk_llm_limit_release(llm->limit, ticket,
                             status >= 200 && status < 300 ? SK_LLM_DONE_OK
                             : status == 429 || status == 503 || status == 529
                                 ? SK_LLM_DONE_OVERLOADED
                                 : SK_LLM_DONE_OTHER);
        r->attempts++;
        pthread_mutex_lock(&llm->mu);
        llm->counters.requests++;
        pthread_mutex_unlock(&llm->mu);
        if (status >= 200 && status < 300)
            break;
        double elapsed = sk_now_ms() - start;
        int retries_left = r->attempts <= p->max_retries;
        double wait = 0;
        if (retries_left && !r->resp.no_transport && sk_llm_retryable(status)) {
            pthread_mutex_lock(&llm->mu);
            wait = sk_llm_retry_wait_ms(r->attempts, r->resp.retry_after_s, p->retry_base_ms,
                                        p->retry_cap_ms, &llm->rng);
            pthread_mutex_unlock(&llm->mu);
            if (elapsed + wait <= p->retry_budget_s * 1000) {
                pthread_mutex_lock(&llm->mu);
                llm->counters.retries++;
                pthread_mutex_unlock(&llm->mu);
                sleep_ms(wait);
                continue;
            }
        }
        /* Give up: say what happened last and what to do. */
        sk_buf what = {0};
        if (sent != 0 && r->resp.timed_out)
            sk_buf_printf(&what, "no reply within timeout_s = %g s (%s)", p->timeout_s,
                          r->resp.error);
        else if (sent != 0)
            sk_buf_printf(&what, "%s", r->resp.error);
        else
            sk_buf_printf(&what, "HTTP %ld", status);
        sk_buf_printf(&what, " after %d attempt%s over %.1f s", r->attempts,
                      r->attempts == 1 ? "" : "s", elapsed / 1000);
        if (sent == 0) {
            char *m = sk_llm_server_message(r->resp.body, 300);
            sk_buf_printf(&what, ": %s", m);
            free(m);
        }
        const char *hint;
        if (r->resp.no_transport)
            hint = "model calls need libcurl"; /* the message says how to get it */
        else if (status == 401 || status == 403)
            hint = "check the API key in the environment variable named by api_key_env";
        else if (status == 404)
            hint = "check base_url and the model name";
        else if (sk_llm_retryable(status) && !retries_left)
            hint = "check the server or raise max_retries";
        else if (sk_llm_retryable(status))
            hint = wait > 0 && r->resp.retry_after_s >= 0
                       ? "the server's Retry-After exceeds the retry budget; raise retry_budget_s"
                       : "check the server or raise retry_budget_s";
        else
            hint = "check the request (model, params, tool schema)";
        char *msg = sk_asprintf("llm: POST %s (model %s): %s; %s", url, model, what.data, hint);
        sk_buf_free(&what);
        redact(msg, key);
        rc = sk_errf(err, SK_EIO, "%s", msg);
        free(msg);
        break;
    }
    r->elapsed_s = (sk_now_ms() - start) / 1000;
    free(hdr_key);
    free(hdr_version);
    return rc;
}

/* ---- one call ----------------------------------------------------------- */

static void count(sk_llm *llm, long *field)
{
    pthread_mutex_lock(&llm->mu);
    (*field)++;
    pthread_mutex_unlock(&llm->mu);
}

/* Bill the call to the request's account and record it in the usage log. */
static void log_call(sk_llm *llm, const sk_llm_request *req, const sk_llm_provider *p,
                     const char *model, const sk_llm_reply *reply, const char *error)
{
    sk_llm_account *acct = req->account;
    if (!error && acct) {
        pthread_mutex_lock(&llm->mu);
        sk_llm_usage *u = &acct->usage;
        u->calls++;
        if (reply->cached) {
            u->cached++;
        } else {
            u->prompt_tokens += reply->prompt_tokens > 0 ? reply->prompt_tokens : 0;
            u->completion_tokens += reply->completion_tokens > 0 ? reply->completion_tokens : 0;
            u->cost += reply->cost;
        }
        pthread_mutex_unlock(&llm->mu);
    }
    if (!llm->cache)
        return;
    sk_llm_call_log l = {
        .experiment_id = acct ? acct->experiment : NULL,
        .caller = req->caller,
        .provider = p ? p->name : req->provider,
        .model = model,
        .ok = error == NULL,
        .cached = reply->cached,
        .attempts = reply->attempts,
        .prompt_tokens = reply->prompt_tokens,
        .completion_tokens = reply->completion_tokens,
        .cost = reply->cost,
        .latency_ms = reply->latency_ms,
        .error = error,
    };
    char *e = NULL;
    /* A failed log write must not fail a call whose reply is good. */
    sk_llm_cache_log(llm->cache, &l, &e);
    free(e);
}

static int check_request(const sk_llm_request *req, const sk_llm_provider *p, const char *model,
                         char **err)
{
    if (!p)
        return sk_errf(err, SK_EINVAL,
                       "llm: no provider named \"%s\"; define it under llm.providers in "
                       "scorekit.json",
                       req->provider ? req->provider : "(default)");
    if (!model)
        return sk_errf(err, SK_EINVAL,
                       "llm: no model for provider \"%s\"; give one in the request or set "
                       "llm.providers.%s.model",
                       p->name, p->name);
    if (!req->messages || req->nmessages == 0)
        return sk_errf(err, SK_EINVAL, "llm: a request needs at least one message");
    for (size_t i = 0; i < req->nmessages; i++) {
        const sk_llm_message *m = &req->messages[i];
        if (!m->role ||
            (strcmp(m->role, "system") && strcmp(m->role, "user") && strcmp(m->role, "assistant")))
            return sk_errf(err, SK_EINVAL,
                           "llm: message %zu has role \"%s\"; use system, user or assistant", i + 1,
                           m->role ? m->role : "(none)");
        if (!m->content)
            return sk_errf(err, SK_EINVAL, "llm: message %zu has no content", i + 1);
    }
    if (req->tool && (!req->tool->name || !req->tool->name[0]))
        return sk_errf(err, SK_EINVAL, "llm: the tool has no name");
    return 0;
}

int sk_llm_chat(sk_llm *llm, const sk_llm_request *req, sk_llm_reply *reply, char **err)
{
    memset(reply, 0, sizeof *reply);
    reply->prompt_tokens = reply->completion_tokens = -1;
    double start = sk_now_ms();
    const sk_llm_provider *p = sk_llm_config_provider(&llm->cfg, req->provider);
    const char *model = req->model ? req->model : p ? p->model : NULL;
    cJSON *params = NULL, *schema = NULL, *body = NULL;
    char *body_text = NULL, *url = NULL, *msg = NULL;
    int rc = check_request(req, p, model, &msg);
    if (!rc && req->params_json) {
        params = sk_json_parse_cstr(req->params_json);
        if (!cJSON_IsObject(params))
            rc = sk_errf(&msg, SK_EINVAL, "llm: params must be a JSON object, not: %.80s",
                         req->params_json);
    }
    if (!rc && req->tool) {
        schema = sk_json_parse_cstr(req->tool->parameters_json ? req->tool->parameters_json : "");
        if (!cJSON_IsObject(schema))
            rc = sk_errf(&msg, SK_EINVAL,
                         "llm: the parameters of tool \"%s\" must be a JSON Schema object",
                         req->tool->name);
    }
    int native = p && p->tools;
    if (!rc)
        rc = sk_llm_build_body(p->api, model, req, params, schema, native, &body, &msg);
    if (rc)
        goto fail;

    pthread_mutex_lock(&llm->mu);
    int use_cache = llm->cache && llm->cfg.cache && !llm->no_cache && !req->no_cache;
    pthread_mutex_unlock(&llm->mu);
    char key[65];
    if (use_cache) {
        hash_request(p, model, req, params, schema, native, key);
        sk_llm_cached hit;
        int found = 0;
        char *cerr = NULL;
        /* An unreadable cache is a miss, not a failed call. */
        if (sk_llm_cache_get(llm->cache, key, &hit, &found, &cerr) == 0 && found) {
            reply->content = hit.content;
            reply->tool_args_json = hit.tool_args_json;
            reply->prompt_tokens = hit.prompt_tokens;
            reply->completion_tokens = hit.completion_tokens;
            reply->cost = 0; /* nothing was spent on this call */
            reply->cached = 1;
            reply->latency_ms = sk_now_ms() - start;
            count(llm, &llm->counters.cache_hits);
            count(llm, &llm->counters.calls_ok);
            log_call(llm, req, p, model, reply, NULL);
            goto done;
        }
        free(cerr);
        count(llm, &llm->counters.cache_misses);
    }

    url = sk_asprintf("%s%s", p->base_url,
                      p->api == SK_LLM_ANTHROPIC ? "/v1/messages" : "/chat/completions");
    body_text = cJSON_PrintUnformatted(body);
    attempt_result ar;
    rc = send_with_retries(llm, p, url, model, body_text, &ar, &msg);
    reply->attempts = ar.attempts;
    if (!rc) {
        rc = sk_llm_parse_reply(p->api, ar.resp.body, req->tool ? req->tool->name : NULL, schema,
                                native, req->tool && req->keep_invalid_args, reply, &msg);
        if (rc) {
            char *full = sk_asprintf("llm: POST %s (model %s): %s", url, model, msg);
            free(msg);
            msg = full;
        }
    }
    sk_llm_http_resp_free(&ar.resp);
    if (rc)
        goto fail;
    const sk_llm_price *price = sk_llm_config_price(p, model);
    if (price)
        reply->cost = (reply->prompt_tokens > 0 ? (double)reply->prompt_tokens : 0) / 1e6 *
                          price->input_per_mtok +
                      (reply->completion_tokens > 0 ? (double)reply->completion_tokens : 0) / 1e6 *
                          price->output_per_mtok;
    reply->latency_ms = sk_now_ms() - start;
    /* A call that broke its schema is the model's answer to this request,
     * but a later run should ask again rather than be served it. */
    if (use_cache && !reply->args_error) {
        sk_llm_cached c = {reply->content, reply->tool_args_json, reply->prompt_tokens,
                           reply->completion_tokens, reply->cost};
        sk_llm_cache_entry e = {key, p->name, p->base_url, model, req->trial, &c};
        char *cerr = NULL;
        sk_llm_cache_put(llm->cache, &e, &cerr); /* a failed write only loses a future hit */
        free(cerr);
    }
    count(llm, &llm->counters.calls_ok);
    log_call(llm, req, p, model, reply, NULL);
done:
    cJSON_Delete(params);
    cJSON_Delete(schema);
    cJSON_Delete(body);
    free(body_text);
    free(url);
    return 0;

fail:
    count(llm, &llm->counters.calls_failed);
    {
        int attempts = reply->attempts;
        sk_llm_reply_free(reply);
        reply->attempts = attempts;
        reply->prompt_tokens = reply->completion_tokens = -1;
        reply->latency_ms = sk_now_ms() - start;
        log_call(llm, req, p, model, reply, msg);
        memset(reply, 0, sizeof *reply);
    }
    if (err) {
        free(*err);
        *err = msg;
    } else {
        free(msg);
    }
    cJSON_Delete(params);
    cJSON_Delete(schema);
    cJSON_Delete(body);
    free(body_text);
    free(url);
    return rc;
}

/* ---- embeddings ----------------------------------------------------------- */

void sk_llm_embedding_free(sk_llm_embedding *e)
{
    if (e) {
        free(e->v);
        memset(e, 0, sizeof *e);
    }
}

/* The vector of a JSON array of numbers into out; -1 when it is not one. */
static int vector_from(const cJSON *a, sk_llm_embedding *out)
{
    int n = cJSON_IsArray(a) ? cJSON_GetArraySize(a) : 0;
    if (n <= 0)
        return -1;
    out->v = sk_xmalloc((size_t)n * sizeof *out->v);
    out->dim = 0;
    for (const cJSON *x = a->child; x; x = x->next) {
        if (!cJSON_IsNumber(x) || !isfinite(x->valuedouble)) {
            free(out->v);
            out->v = NULL;
            return -1;
        }
        out->v[out->dim++] = x->valuedouble;
    }
    return 0;
}

static char *vector_json(const sk_llm_embedding *e)
{
    sk_buf b = {0};
    sk_buf_addc(&b, '[');
    for (size_t i = 0; i < e->dim; i++)
        sk_buf_printf(&b, "%s%.17g", i ? "," : "", e->v[i]);
    sk_buf_addc(&b, ']');
    return b.data;
}

int sk_llm_embed(sk_llm *llm, const sk_llm_embed_request *req, sk_llm_embedding *out, char **err)
{
    memset(out, 0, sizeof *out);
    out->prompt_tokens = -1;
    double start = sk_now_ms();
    const sk_llm_provider *p = sk_llm_config_provider(&llm->cfg, req->provider);
    /* The usage log and billing speak of requests. */
    sk_llm_request lr = {.provider = req->provider, .caller = req->caller, .account = req->account};
    sk_llm_reply rep = {0};
    char *msg = NULL, *url = NULL, *body = NULL;
    int rc = 0;
    if (!p)
        rc = sk_errf(&msg, SK_EINVAL,
                     "llm: no provider named \"%s\"; define it under llm.providers in "
                     "scorekit.json",
                     req->provider ? req->provider : "(default)");
    else if (p->api == SK_LLM_ANTHROPIC)
        rc = sk_errf(&msg, SK_EINVAL,
                     "llm: provider \"%s\" speaks the Anthropic API, which has no embeddings; "
                     "name an OpenAI-compatible provider",
                     p->name);
    else if (!req->model || !req->model[0])
        rc = sk_errf(&msg, SK_EINVAL, "llm: an embedding request needs a model");
    else if (!req->input)
        rc = sk_errf(&msg, SK_EINVAL, "llm: an embedding request needs an input text");
    if (rc)
        goto fail;

    pthread_mutex_lock(&llm->mu);
    int use_cache = llm->cache && llm->cfg.cache && !llm->no_cache && !req->no_cache;
    pthread_mutex_unlock(&llm->mu);
    cJSON *k = cJSON_CreateObject();
    cJSON_AddStringToObject(k, "api", "openai-embeddings");
    cJSON_AddStringToObject(k, "base_url", p->base_url);
    cJSON_AddStringToObject(k, "model", req->model);
    cJSON_AddStringToObject(k, "input", req->input);
    char *ktext = cJSON_PrintUnformatted(k);
    cJSON_Delete(k);
    char key[65];
    sk_sha256_hex(ktext, strlen(ktext), key);
    free(ktext);
    if (use_cache) {
        sk_llm_cached hit;
        int found = 0;
        char *cerr = NULL;
        if (sk_llm_cache_get(llm->cache, key, &hit, &found, &cerr) == 0 && found) {
            cJSON *a = sk_json_parse_cstr(hit.content ? hit.content : "");
            int bad = vector_from(a, out);
            cJSON_Delete(a);
            out->prompt_tokens = hit.prompt_tokens;
            free(hit.content);
            free(hit.tool_args_json);
            if (!bad) {
                out->cached = 1;
                out->latency_ms = sk_now_ms() - start;
                rep.cached = 1;
                rep.prompt_tokens = out->prompt_tokens;
                rep.latency_ms = out->latency_ms;
                count(llm, &llm->counters.cache_hits);
                count(llm, &llm->counters.calls_ok);
                log_call(llm, &lr, p, req->model, &rep, NULL);
                return 0;
            }
        }
        free(cerr);
        count(llm, &llm->counters.cache_misses);
    }

    url = sk_asprintf("%s/embeddings", p->base_url);
    cJSON *b = cJSON_CreateObject();
    cJSON_AddStringToObject(b, "model", req->model);
    cJSON_AddStringToObject(b, "input", req->input);
    body = cJSON_PrintUnformatted(b);
    cJSON_Delete(b);
    attempt_result ar;
    rc = send_with_retries(llm, p, url, req->model, body, &ar, &msg);
    out->attempts = rep.attempts = ar.attempts;
    if (!rc) {
        cJSON *r = sk_json_parse_cstr(ar.resp.body ? ar.resp.body : "");
        const cJSON *d = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(r, "data"), 0);
        const cJSON *u = cJSON_GetObjectItemCaseSensitive(r, "usage");
        const cJSON *pt = cJSON_GetObjectItemCaseSensitive(u, "prompt_tokens");
        if (vector_from(cJSON_GetObjectItemCaseSensitive(d, "embedding"), out))
            rc = sk_errf(&msg, SK_EPARSE,
                         "llm: POST %s (model %s): the reply has no data[0].embedding array of "
                         "numbers; is this an OpenAI-compatible embeddings server?",
                         url, req->model);
        if (cJSON_IsNumber(pt))
            out->prompt_tokens = (long)pt->valuedouble;
        cJSON_Delete(r);
    }
    sk_llm_http_resp_free(&ar.resp);
    if (rc)
        goto fail;
    const sk_llm_price *price = sk_llm_config_price(p, req->model);
    if (price && out->prompt_tokens > 0)
        out->cost = (double)out->prompt_tokens / 1e6 * price->input_per_mtok;
    out->latency_ms = sk_now_ms() - start;
    if (use_cache) {
        char *vj = vector_json(out);
        sk_llm_cached c = {vj, NULL, out->prompt_tokens, 0, out->cost};
        sk_llm_cache_entry e = {key, p->name, p->base_url, req->model, 0, &c};
        char *cerr = NULL;
        sk_llm_cache_put(llm->cache, &e, &cerr); /* a failed write only loses a future hit */
        free(cerr);
        free(vj);
    }
    rep.prompt_tokens = out->prompt_tokens;
    rep.completion_tokens = 0;
    rep.cost = out->cost;
    rep.latency_ms = out->latency_ms;
    count(llm, &llm->counters.calls_ok);
    log_call(llm, &lr, p, req->model, &rep, NULL);
    free(url);
    free(body);
    return 0;

fail:
    count(llm, &llm->counters.calls_failed);
    rep.prompt_tokens = rep.completion_tokens = -1;
    rep.latency_ms = sk_now_ms() - start;
    log_call(llm, &lr, p, req->model, &rep, msg);
    sk_llm_embedding_free(out);
    if (err) {
        free(*err);
        *err = msg;
    } else {
        free(msg);
    }
    free(url);
    free(body);
    return rc;
}

#define EMBED_BATCH 64

/* The cache key of one input's embedding (see sk_llm_embed). */
static void embed_key(const sk_llm_provider *p, const char *model, const char *input, char key[65])
{
    cJSON *k = cJSON_CreateObject();
    cJSON_AddStringToObject(k, "api", "openai-embeddings");
    cJSON_AddStringToObject(k, "base_url", p->base_url);
    cJSON_AddStringToObject(k, "model", model);
    cJSON_AddStringToObject(k, "input", input);
    char *t = cJSON_PrintUnformatted(k);
    cJSON_Delete(k);
    sk_sha256_hex(t, strlen(t), key);
    free(t);
}

/* One request for inputs idx[0..m): fills outs[idx[j]]. */
static int embed_request(sk_llm *llm, const sk_llm_provider *p, const sk_llm_embed_request *req,
                         const char *const *inputs, const size_t *idx, size_t m,
                         sk_llm_embedding *outs, int use_cache, char **msg)
{
    double start = sk_now_ms();
    sk_llm_request lr = {.provider = req->provider, .caller = req->caller, .account = req->account};
    sk_llm_reply rep = {0};
    char *url = sk_asprintf("%s/embeddings", p->base_url);
    cJSON *b = cJSON_CreateObject(), *arr;
    cJSON_AddStringToObject(b, "model", req->model);
    arr = cJSON_AddArrayToObject(b, "input");
    for (size_t j = 0; j < m; j++)
        cJSON_AddItemToArray(arr, cJSON_CreateString(inputs[idx[j]]));
    char *body = cJSON_PrintUnformatted(b);
    cJSON_Delete(b);
    attempt_result ar;
    int rc = send_with_retries(llm, p, url, req->model, body, &ar, msg);
    long tokens = -1;
    if (!rc) {
        cJSON *r = sk_json_parse_cstr(ar.resp.body ? ar.resp.body : "");
        const cJSON *data = cJSON_GetObjectItemCaseSensitive(r, "data");
        const cJSON *pt = cJSON_GetObjectItemCaseSensitive(
            cJSON_GetObjectItemCaseSensitive(r, "usage"), "prompt_tokens");
        if (cJSON_IsNumber(pt))
            tokens = (long)pt->valuedouble;
        for (size_t j = 0; !rc && j < m; j++) {
            /* "index" says which input; without it, the order does. */
            const cJSON *d = cJSON_GetArrayItem(data, (int)j);
            const cJSON *ix = cJSON_GetObjectItemCaseSensitive(d, "index");
            size_t at = cJSON_IsNumber(ix) && ix->valuedouble >= 0 && ix->valuedouble < (double)m
                            ? (size_t)ix->valuedouble
                            : j;
            sk_llm_embedding *o = &outs[idx[at]];
            if (o->v || vector_from(cJSON_GetObjectItemCaseSensitive(d, "embedding"), o))
                rc = sk_errf(msg, SK_EPARSE,
                             "llm: POST %s (model %s): the reply has no data[%zu].embedding array "
                             "of numbers for its input %zu; is this an OpenAI-compatible "
                             "embeddings server?",
                             url, req->model, j, at);
        }
        cJSON_Delete(r);
    }
    sk_llm_http_resp_free(&ar.resp);
    rep.attempts = ar.attempts;
    rep.latency_ms = sk_now_ms() - start;
    if (rc) {
        count(llm, &llm->counters.calls_failed);
        rep.prompt_tokens = rep.completion_tokens = -1;
        log_call(llm, &lr, p, req->model, &rep, *msg);
        free(url);
        free(body);
        return rc;
    }
    const sk_llm_price *price = sk_llm_config_price(p, req->model);
    double cost = price && tokens > 0 ? (double)tokens / 1e6 * price->input_per_mtok : 0;
    for (size_t j = 0; j < m; j++) {
        sk_llm_embedding *o = &outs[idx[j]];
        o->prompt_tokens = tokens > 0 ? tokens / (long)m : -1;
        o->cost = cost / (double)m;
        o->attempts = ar.attempts;
        o->latency_ms = rep.latency_ms;
        if (use_cache) {
            char key[65], *vj = vector_json(o), *cerr = NULL;
            embed_key(p, req->model, inputs[idx[j]], key);
            sk_llm_cached cc = {vj, NULL, o->prompt_tokens, 0, o->cost};
            sk_llm_cache_entry e = {key, p->name, p->base_url, req->model, 0, &cc};
            sk_llm_cache_put(llm->cache, &e, &cerr);
            free(cerr);
            free(vj);
        }
    }
    rep.prompt_tokens = tokens;
    rep.cost = cost;
    count(llm, &llm->counters.calls_ok);
    log_call(llm, &lr, p, req->model, &rep, NULL);
    free(url);
    free(body);
    return 0;
}

int sk_llm_embed_many(sk_llm *llm, const sk_llm_embed_request *req, const char *const *inputs,
                      size_t n, sk_llm_embedding *outs, size_t *requests, char **err)
{
    memset(outs, 0, n * sizeof *outs);
    if (requests)
        *requests = 0;
    const sk_llm_provider *p = sk_llm_config_provider(&llm->cfg, req->provider);
    char *msg = NULL;
    int rc = 0;
    if (!p || p->api == SK_LLM_ANTHROPIC || !req->model || !req->model[0]) {
        /* The one-input path says what is wrong, in its words. */
        sk_llm_embed_request one = *req;
        one.input = n ? inputs[0] : "";
        sk_llm_embedding e;
        rc = sk_llm_embed(llm, &one, &e, err);
        sk_llm_embedding_free(&e);
        return rc ? rc : sk_errf(err, SK_EINVAL, "llm: cannot embed");
    }
    pthread_mutex_lock(&llm->mu);
    int use_cache = llm->cache && llm->cfg.cache && !llm->no_cache && !req->no_cache;
    pthread_mutex_unlock(&llm->mu);
    size_t *miss = sk_xcalloc(n + 1, sizeof *miss), nmiss = 0;
    for (size_t i = 0; i < n; i++) {
        outs[i].prompt_tokens = -1;
        int hit = 0;
        if (use_cache) {
            char key[65], *cerr = NULL;
            sk_llm_cached c;
            int found = 0;
            embed_key(p, req->model, inputs[i], key);
            if (sk_llm_cache_get(llm->cache, key, &c, &found, &cerr) == 0 && found) {
                cJSON *a = sk_json_parse_cstr(c.content ? c.content : "");
                hit = !vector_from(a, &outs[i]);
                cJSON_Delete(a);
                outs[i].prompt_tokens = c.prompt_tokens;
                free(c.content);
                free(c.tool_args_json);
            }
            free(cerr);
            count(llm, hit ? &llm->counters.cache_hits : &llm->counters.cache_misses);
        }
        if (hit) {
            outs[i].cached = 1;
            count(llm, &llm->counters.calls_ok);
        } else {
            miss[nmiss++] = i;
        }
    }
    for (size_t s = 0; !rc && s < nmiss; s += EMBED_BATCH) {
        size_t m = nmiss - s < EMBED_BATCH ? nmiss - s : EMBED_BATCH;
        rc = embed_request(llm, p, req, inputs, miss + s, m, outs, use_cache, &msg);
        if (requests)
            (*requests)++;
    }
    free(miss);
    if (rc) {
        for (size_t i = 0; i < n; i++)
            sk_llm_embedding_free(&outs[i]);
        if (err) {
            free(*err);
            *err = msg;
        } else {
            free(msg);
        }
    }
    return rc;
}
