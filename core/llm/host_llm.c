/*
 * host->llm_chat and sk.llm.chat: a request in JSON becomes an
 * sk_llm_request, the reply becomes JSON (see host_llm.h).  The request is
 * checked strictly here, where a plugin author can be told which key was
 * wrong; what the server makes of "params" is the server's business.
 */
#include "llm/host_llm.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "base/row.h"
#include "base/util.h"
#include "base/json_tree.h"

static const char *const request_keys[] = {
    "provider", "model",  "messages",          "params", "tool", "trial",
    "no_cache", "caller", "keep_invalid_args", NULL};

static int known(const char *const *keys, const char *k)
{
    for (; *keys; keys++)
        if (strcmp(*keys, k) == 0)
            return 1;
    return 0;
}

/* A string member, or NULL when absent or null; -1 on a wrong type. */
static int opt_string(const cJSON *o, const char *key, const char *where, const char **out,
                      char **err)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    *out = NULL;
    if (!v || cJSON_IsNull(v))
        return 0;
    if (!cJSON_IsString(v) || !v->valuestring[0])
        return sk_errf(err, SK_EINVAL, "llm request: %s\"%s\" must be a non-empty string", where,
                       key);
    *out = v->valuestring;
    return 0;
}

typedef struct parsed {
    sk_llm_request req;
    sk_llm_message *msgs;
    sk_llm_tool tool;
    char *params;      /* owned JSON text */
    char *tool_params; /* owned JSON text */
} parsed;

static void parsed_free(parsed *p)
{
    free(p->msgs);
    free(p->params);
    free(p->tool_params);
}

static int parse_messages(const cJSON *m, parsed *p, char **err)
{
    if (!cJSON_IsArray(m) || cJSON_GetArraySize(m) == 0)
        return sk_errf(err, SK_EINVAL,
                       "llm request: \"messages\" must be a non-empty array of "
                       "{\"role\": \"user\", \"content\": \"...\"}");
    size_t n = (size_t)cJSON_GetArraySize(m), i = 0;
    p->msgs = sk_xcalloc(n, sizeof *p->msgs);
    const cJSON *e;
    cJSON_ArrayForEach(e, m)
    {
        const cJSON *role = cJSON_GetObjectItemCaseSensitive(e, "role");
        const cJSON *content = cJSON_GetObjectItemCaseSensitive(e, "content");
        if (!cJSON_IsObject(e) || !cJSON_IsString(role) || !cJSON_IsString(content))
            return sk_errf(err, SK_EINVAL,
                           "llm request: messages[%zu] must be {\"role\": \"system\"|\"user\"|"
                           "\"assistant\", \"content\": \"text\"}",
                           i);
        if (strcmp(role->valuestring, "system") != 0 && strcmp(role->valuestring, "user") != 0 &&
            strcmp(role->valuestring, "assistant") != 0)
            return sk_errf(err, SK_EINVAL,
                           "llm request: messages[%zu].role is \"%s\"; use system, user or "
                           "assistant",
                           i, role->valuestring);
        p->msgs[i].role = role->valuestring;
        p->msgs[i].content = content->valuestring;
        i++;
    }
    p->req.messages = p->msgs;
    p->req.nmessages = n;
    return 0;
}

static int parse_tool(const cJSON *t, parsed *p, char **err)
{
    if (!cJSON_IsObject(t))
        return sk_errf(err, SK_EINVAL,
                       "llm request: \"tool\" must be {\"name\", \"description\", "
                       "\"parameters\": {JSON Schema}}");
    const cJSON *k;
    cJSON_ArrayForEach(k, t)
    {
        if (strcmp(k->string, "name") != 0 && strcmp(k->string, "description") != 0 &&
            strcmp(k->string, "parameters") != 0)
            return sk_errf(err, SK_EINVAL,
                           "llm request: unknown key \"tool.%s\" (allowed: name, description, "
                           "parameters)",
                           k->string);
    }
    int rc = opt_string(t, "name", "tool.", &p->tool.name, err);
    if (!rc)
        rc = opt_string(t, "description", "tool.", &p->tool.description, err);
    if (rc)
        return rc;
    const cJSON *params = cJSON_GetObjectItemCaseSensitive(t, "parameters");
    if (!p->tool.name || !cJSON_IsObject(params))
        return sk_errf(err, SK_EINVAL,
                       "llm request: \"tool\" needs a \"name\" and \"parameters\" (a JSON Schema "
                       "object)");
    p->tool_params = cJSON_PrintUnformatted(params);
    p->tool.parameters_json = p->tool_params;
    if (!p->tool.description)
        p->tool.description = "";
    p->req.tool = &p->tool;
    return 0;
}

static int parse_request(const cJSON *r, parsed *p, char **err)
{
    if (!cJSON_IsObject(r))
        return sk_errf(err, SK_EINVAL, "llm request: must be a JSON object with \"messages\"");
    const cJSON *k;
    cJSON_ArrayForEach(k, r)
    {
        if (!known(request_keys, k->string))
            return sk_errf(err, SK_EINVAL,
                           "llm request: unknown key \"%s\" (allowed: provider, model, messages, "
                           "params, tool, trial, no_cache, caller, keep_invalid_args)",
                           k->string);
    }
    int rc = opt_string(r, "provider", "", &p->req.provider, err);
    if (!rc)
        rc = opt_string(r, "model", "", &p->req.model, err);
    if (!rc)
        rc = opt_string(r, "caller", "", &p->req.caller, err);
    if (!rc)
        rc = parse_messages(cJSON_GetObjectItemCaseSensitive(r, "messages"), p, err);
    if (rc)
        return rc;
    const cJSON *params = cJSON_GetObjectItemCaseSensitive(r, "params");
    if (params && !cJSON_IsNull(params)) {
        if (!cJSON_IsObject(params))
            return sk_errf(err, SK_EINVAL,
                           "llm request: \"params\" must be an object like {\"temperature\": 0}");
        p->params = cJSON_PrintUnformatted(params);
        p->req.params_json = p->params;
    }
    const cJSON *tool = cJSON_GetObjectItemCaseSensitive(r, "tool");
    if (tool && !cJSON_IsNull(tool) && (rc = parse_tool(tool, p, err)) != 0)
        return rc;
    const cJSON *trial = cJSON_GetObjectItemCaseSensitive(r, "trial");
    if (trial && !cJSON_IsNull(trial)) {
        double t = cJSON_IsNumber(trial) ? trial->valuedouble : -1;
        if (!(t >= 0 && t <= 1e9 && t == floor(t)))
            return sk_errf(err, SK_EINVAL, "llm request: \"trial\" must be an integer >= 0");
        p->req.trial = (unsigned)t;
    }
    const cJSON *nc = cJSON_GetObjectItemCaseSensitive(r, "no_cache");
    if (nc && !cJSON_IsNull(nc)) {
        if (!cJSON_IsBool(nc))
            return sk_errf(err, SK_EINVAL, "llm request: \"no_cache\" must be true or false");
        p->req.no_cache = cJSON_IsTrue(nc);
    }
    const cJSON *keep = cJSON_GetObjectItemCaseSensitive(r, "keep_invalid_args");
    if (keep && !cJSON_IsNull(keep)) {
        if (!cJSON_IsBool(keep))
            return sk_errf(err, SK_EINVAL,
                           "llm request: \"keep_invalid_args\" must be true or false");
        p->req.keep_invalid_args = cJSON_IsTrue(keep);
    }
    return 0;
}

static cJSON *count_or_null(long n)
{
    return n >= 0 ? cJSON_CreateNumber((double)n) : cJSON_CreateNull();
}

static char *reply_to_json(sk_llm *llm, const sk_llm_request *req, const sk_llm_reply *rep)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddItemToObject(o, "content",
                          rep->content ? cJSON_CreateString(rep->content) : cJSON_CreateNull());
    cJSON *args = rep->tool_args_json ? sk_json_parse_cstr(rep->tool_args_json) : NULL;
    cJSON_AddItemToObject(o, "tool_args", args ? args : cJSON_CreateNull());
    if (rep->args_error)
        cJSON_AddStringToObject(o, "args_error", rep->args_error);
    const char *model = req->model ? req->model : sk_llm_default_model(llm, req->provider);
    cJSON_AddItemToObject(o, "model", model ? cJSON_CreateString(model) : cJSON_CreateNull());
    cJSON *u = cJSON_AddObjectToObject(o, "usage");
    cJSON_AddItemToObject(u, "prompt_tokens", count_or_null(rep->prompt_tokens));
    cJSON_AddItemToObject(u, "completion_tokens", count_or_null(rep->completion_tokens));
    cJSON_AddNumberToObject(u, "cost", rep->cost);
    cJSON_AddBoolToObject(o, "cached", rep->cached != 0);
    cJSON_AddNumberToObject(o, "attempts", rep->attempts);
    cJSON_AddNumberToObject(o, "latency_ms", rep->latency_ms);
    char *text = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    return text;
}

/* The request's tree into *r, once there is a client to run it: the strict
 * checker first, as it says where the text goes wrong, and a text it
 * accepts never makes cJSON fail.  `what` names the request in messages. */
static int open_request(sk_llm *llm, const char *request_json, const char *what, cJSON **r,
                        char **err)
{
    if (!llm)
        return sk_errf(err, SK_EINVAL,
                       "no LLM client is open for this run: scorekit opens one from the "
                       "project's \"llm\" settings for run, score, rescore, try and validate");
    if (!request_json)
        return sk_errf(err, SK_EINVAL, "%s: no request given", what);
    char why[128];
    size_t at = 0;
    if (sk_json_check(request_json, strlen(request_json), &at, why, sizeof why) != 0)
        return sk_errf(err, SK_EPARSE, "%s: not valid JSON at byte %zu: %s", what, at, why);
    *r = sk_json_parse_cstr(request_json);
    return 0;
}

int sk_llm_chat_json(sk_llm *llm, const char *request_json, const char *caller,
                     sk_llm_account *account, char **reply_json, char **err)
{
    *reply_json = NULL;
    cJSON *r = NULL;
    int rc0 = open_request(llm, request_json, "llm request", &r, err);
    if (rc0)
        return rc0;
    parsed p = {0};
    int rc = parse_request(r, &p, err);
    if (rc == 0) {
        if (!p.req.caller)
            p.req.caller = caller;
        p.req.account = account;
        sk_llm_reply rep = {0};
        rc = sk_llm_chat(llm, &p.req, &rep, err);
        if (rc == 0)
            *reply_json = reply_to_json(llm, &p.req, &rep);
        sk_llm_reply_free(&rep);
    }
    parsed_free(&p);
    cJSON_Delete(r);
    return rc;
}

static const char *const embed_keys[] = {"provider", "model", "input", "caller", "no_cache", NULL};

int sk_llm_embed_json(sk_llm *llm, const char *request_json, const char *caller,
                      sk_llm_account *account, char **reply_json, char **err)
{
    *reply_json = NULL;
    cJSON *r = NULL;
    int rc0 = open_request(llm, request_json, "embedding request", &r, err);
    if (rc0)
        return rc0;
    sk_llm_embed_request req = {.caller = caller, .account = account};
    int rc = cJSON_IsObject(r) ? 0
                               : sk_errf(err, SK_EINVAL,
                                         "embedding request: must be a JSON object with \"model\" "
                                         "and \"input\"");
    const cJSON *k;
    for (k = r && !rc ? r->child : NULL; k && !rc; k = k->next)
        if (!known(embed_keys, k->string))
            rc = sk_errf(err, SK_EINVAL,
                         "embedding request: unknown key \"%s\" (allowed: provider, model, "
                         "input, caller, no_cache)",
                         k->string);
    const char *caller_given = NULL;
    if (!rc)
        rc = opt_string(r, "provider", "", &req.provider, err);
    if (!rc)
        rc = opt_string(r, "model", "", &req.model, err);
    if (!rc)
        rc = opt_string(r, "caller", "", &caller_given, err);
    const cJSON *in = cJSON_GetObjectItemCaseSensitive(r, "input");
    if (!rc && !cJSON_IsString(in))
        rc = sk_errf(err, SK_EINVAL, "embedding request: \"input\" must be a string");
    const cJSON *nc = cJSON_GetObjectItemCaseSensitive(r, "no_cache");
    if (!rc && nc && !cJSON_IsNull(nc)) {
        if (!cJSON_IsBool(nc))
            rc = sk_errf(err, SK_EINVAL, "embedding request: \"no_cache\" must be true or false");
        req.no_cache = cJSON_IsTrue(nc);
    }
    if (!rc) {
        req.input = in->valuestring;
        if (caller_given)
            req.caller = caller_given;
        sk_llm_embedding e;
        rc = sk_llm_embed(llm, &req, &e, err);
        if (!rc) {
            cJSON *o = cJSON_CreateObject();
            cJSON_AddItemToObject(o, "embedding", cJSON_CreateDoubleArray(e.v, (int)e.dim));
            cJSON_AddStringToObject(o, "model", req.model);
            cJSON *u = cJSON_AddObjectToObject(o, "usage");
            cJSON_AddItemToObject(u, "prompt_tokens", count_or_null(e.prompt_tokens));
            cJSON_AddNumberToObject(u, "cost", e.cost);
            cJSON_AddBoolToObject(o, "cached", e.cached);
            cJSON_AddNumberToObject(o, "attempts", e.attempts);
            cJSON_AddNumberToObject(o, "latency_ms", e.latency_ms);
            *reply_json = cJSON_PrintUnformatted(o);
            cJSON_Delete(o);
            sk_llm_embedding_free(&e);
        }
    }
    cJSON_Delete(r);
    return rc;
}
