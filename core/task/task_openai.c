/*
 * The `openai` and `anthropic` task providers: the application under test
 * is a chat model.  Each row's input goes through a prompt template into
 * one chat call, and the reply's text is the output.  The two differ only
 * in the provider of scorekit.json's "llm" they call: `openai` the default
 * one (or "llm_provider"), `anthropic` one that speaks Anthropic's Messages
 * API: "llm_provider", else the provider named "anthropic" (which, without
 * "providers", is ANTHROPIC_BASE_URL with the key in ANTHROPIC_API_KEY),
 * else the default provider when it speaks that API.
 *
 *   {"provider": "openai", "model": "gpt-4o-mini",
 *    "system": "You answer geography questions in one sentence.",
 *    "prompt": "Question: {{input}}",          (or "prompt_file": "prompt.txt")
 *    "params": {"temperature": 0.2, "max_tokens": 200},
 *    "llm_provider": "default",                (a provider of scorekit.json's "llm")
 *    "output": "text",                         ("json": keep a reply that parses as JSON)
 *    "cache": false}                           (true: replay the LLM cache's replies)
 *
 * The template may name {{input}}, {{input.FIELD}} and {{metadata.KEY}}
 * (never the expected answer: the application must not see it); the
 * default prompt is "{{input}}".  "model" is required so that the
 * experiment's configuration snapshot, which records this object as
 * written, always says which model ran; the system message, prompt and
 * params are in it for the same reason, so a comparison can tell which of
 * them changed.  A prompt file is read once at open, relative to the
 * project folder; sk_task_openai_describe gives the configuration with the
 * file's text in it, for a snapshot that must show the prompt itself.
 *
 * Calls go through the LLM client the task is opened with, which the CLI
 * opens from scorekit.json's "llm" object: its retries and limits apply.
 * Its cache does not, unless "cache" is true: a new run samples the model
 * under test anew, so two runs of one configuration show its
 * nondeterminism rather than replaying the first run's outputs.  With the
 * cache, each trial is a separate call (the trial is part of the key).
 * Each call is billed to the account of the result it fills.  A failed
 * call, or a reply without text, is the cell's task error, never an empty
 * output.  The state is read-only after open.
 */
#include "task/task_openai.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/error.h"
#include "base/fileutil.h"
#include "llm/llm.h"
#include "llm/llm_config.h"
#include "base/row.h"
#include "base/template.h"
#include "base/json_tree.h"

typedef struct openai_state {
    sk_llm *llm;          /* borrowed */
    const char *provider; /* "openai" or "anthropic": the task's provider */
    char *model, *system, *prompt, *params, *llm_provider;
    char *prompt_file; /* as written, or NULL */
    int json_output;
    int cache; /* "cache": true: calls may be served from the LLM cache */
} openai_state;

static const char *const allowed[] = {"provider", "model",        "system", "prompt", "prompt_file",
                                      "params",   "llm_provider", "output", "cache",  NULL};
static const char *const tpl_names[] = {"input", "metadata", NULL};

static void state_free(openai_state *st)
{
    if (!st)
        return;
    free(st->model);
    free(st->system);
    free(st->prompt);
    free(st->params);
    free(st->llm_provider);
    free(st->prompt_file);
    free(st);
}

/* A string member: copied to *out, NULL when absent; an error for any
 * other type or an empty string. */
static int get_text(const cJSON *config, const char *key, char **out, char **err)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(config, key);
    *out = NULL;
    if (!v)
        return 0;
    if (!cJSON_IsString(v) || !v->valuestring[0])
        return sk_errf(err, SK_EINVAL, "task: \"%s\" must be a non-empty string", key);
    *out = sk_xstrdup(v->valuestring);
    return 0;
}

/* The anthropic task's provider of the client: "llm_provider" when given
 * (it must speak Anthropic's API), else one named "anthropic", else the
 * default one when it speaks it.  Sets *name (borrowed, NULL: the
 * default) or returns an error. */
static int anthropic_provider(sk_llm *llm, const char *given, const char **name, char **err)
{
    const char *api = sk_llm_provider_api(llm, given ? given : "anthropic");
    if (given && !api)
        return sk_errf(err, SK_EINVAL,
                       "task: \"llm_provider\": no provider named \"%s\" in scorekit.json's "
                       "llm.providers",
                       given);
    if (given && strcmp(api, "anthropic") != 0)
        return sk_errf(err, SK_EINVAL,
                       "task: \"llm_provider\": provider \"%s\" speaks the %s API; the "
                       "anthropic task needs one with \"api\": \"anthropic\" (or use the "
                       "openai task)",
                       given, api);
    if (given || (api && strcmp(api, "anthropic") == 0)) {
        *name = given ? given : "anthropic";
        return 0;
    }
    const char *dflt = sk_llm_provider_api(llm, NULL);
    if (dflt && strcmp(dflt, "anthropic") == 0) {
        *name = NULL;
        return 0;
    }
    return sk_errf(err, SK_EINVAL,
                   "task: the anthropic provider found no provider with \"api\": \"anthropic\" "
                   "in scorekit.json's llm.providers; add one (or name it with \"llm_provider\")");
}

static int task_open(const char *provider, const cJSON *config, const char *project_dir,
                     sk_llm *llm, void **state, char **err)
{
    *state = NULL;
    if (!cJSON_IsObject(config))
        return sk_errf(err, SK_EINVAL,
                       "task: must be an object like {\"provider\": \"%s\", \"model\": "
                       "\"%s\", \"prompt\": \"{{input}}\"}",
                       provider,
                       strcmp(provider, "anthropic") == 0 ? SK_LLM_ANTHROPIC_MODEL
                                                          : SK_LLM_OPENAI_MODEL);
    int krc = sk_task_check_keys(strcmp(provider, "anthropic") == 0 ? &sk_task_anthropic
                                                                    : &sk_task_openai,
                                 config, NULL, NULL, err);
    if (krc)
        return krc;
    openai_state *st = sk_xcalloc(1, sizeof *st);
    st->provider = provider;
    int rc = get_text(config, "model", &st->model, err);
    if (!rc && !st->model)
        rc = sk_errf(err, SK_EINVAL,
                     "task: the %s provider needs \"model\" (the model under test; it is "
                     "recorded with every experiment)",
                     provider);
    if (!rc)
        rc = get_text(config, "system", &st->system, err);
    if (!rc)
        rc = get_text(config, "prompt", &st->prompt, err);
    if (!rc)
        rc = get_text(config, "prompt_file", &st->prompt_file, err);
    if (!rc)
        rc = get_text(config, "llm_provider", &st->llm_provider, err);
    char *output = NULL;
    if (!rc)
        rc = get_text(config, "output", &output, err);
    if (!rc && output && strcmp(output, "text") != 0 && strcmp(output, "json") != 0)
        rc = sk_errf(err, SK_EINVAL, "task: \"output\" must be \"text\" or \"json\", got \"%s\"",
                     output);
    st->json_output = output && strcmp(output, "json") == 0;
    free(output);
    const cJSON *cache = cJSON_GetObjectItemCaseSensitive(config, "cache");
    if (!rc && cache && !cJSON_IsBool(cache))
        rc = sk_errf(err, SK_EINVAL,
                     "task: \"cache\" must be true (replay the model's cached replies) or false");
    st->cache = cJSON_IsTrue(cache);
    if (!rc && st->prompt && st->prompt_file)
        rc = sk_errf(err, SK_EINVAL,
                     "task: give \"prompt\" (the template) or \"prompt_file\", not both");
    if (!rc && st->prompt_file) {
        char *path = st->prompt_file[0] == '/' || !project_dir
                         ? sk_xstrdup(st->prompt_file)
                         : sk_asprintf("%s/%s", project_dir, st->prompt_file);
        size_t len;
        char *msg = NULL;
        rc = sk_read_file(path, &st->prompt, &len, &msg);
        if (rc)
            rc = sk_errf(err, rc, "task: \"prompt_file\": %s", msg);
        else if (strlen(st->prompt) != len)
            rc = sk_errf(err, SK_EINVAL, "task: the prompt file %s holds a NUL byte", path);
        free(msg);
        free(path);
    }
    if (!rc && !st->prompt)
        st->prompt = sk_xstrdup("{{input}}");
    const cJSON *params = cJSON_GetObjectItemCaseSensitive(config, "params");
    if (!rc && params && !cJSON_IsObject(params))
        rc = sk_errf(err, SK_EINVAL,
                     "task: \"params\" must be an object like {\"temperature\": 0.2, "
                     "\"max_tokens\": 200}");
    if (!rc && params)
        st->params = cJSON_PrintUnformatted(params);
    char why[400];
    if (!rc && sk_tpl_check(st->prompt, tpl_names, why, sizeof why) != 0)
        rc = sk_errf(err, SK_EINVAL,
                     "task: the prompt%s%s: %s (the task sees only the input and "
                     "metadata)",
                     st->prompt_file ? " file " : "", st->prompt_file ? st->prompt_file : "", why);
    if (!rc && !llm)
        rc = sk_errf(err, SK_EINVAL,
                     "task: the %s provider needs the LLM client, which this command did not "
                     "open (configure \"llm\" in scorekit.json)",
                     provider);
    if (!rc && strcmp(provider, "anthropic") == 0) {
        const char *name = NULL;
        rc = anthropic_provider(llm, st->llm_provider, &name, err);
        if (!rc && !st->llm_provider && name)
            st->llm_provider = sk_xstrdup(name);
    }
    if (rc) {
        state_free(st);
        return rc;
    }
    st->llm = llm;
    *state = st;
    return 0;
}

static int openai_open(const cJSON *config, const char *project_dir, sk_llm *llm, void **state,
                       char **err)
{
    return task_open("openai", config, project_dir, llm, state, err);
}

static int anthropic_open(const cJSON *config, const char *project_dir, sk_llm *llm, void **state,
                          char **err)
{
    return task_open("anthropic", config, project_dir, llm, state, err);
}

/* The output: a JSON string of the text, or the text itself when JSON
 * output was asked for and it is JSON. */
static void set_output(const openai_state *st, const char *text, sk_task_result *res)
{
    if (st->json_output) {
        const char *p = text;
        while (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t')
            p++;
        size_t n = strlen(p);
        while (n && (p[n - 1] == ' ' || p[n - 1] == '\n' || p[n - 1] == '\r' || p[n - 1] == '\t'))
            n--;
        char why[64];
        if (n && sk_json_validate(p, n, why, sizeof why) == 0) {
            sk_buf_add(&res->output, p, n);
            return;
        }
    }
    sk_buf_add_json_string(&res->output, text, strlen(text));
}

static int openai_run(void *state, const char *row_json, unsigned trial, sk_task_result *res)
{
    const openai_state *st = state;
    cJSON *row = sk_json_parse_cstr(row_json);
    if (!cJSON_IsObject(row)) {
        cJSON_Delete(row);
        res->failed = 1;
        sk_buf_adds(&res->error, "the row given to the openai task is not a JSON object");
        return SK_EPARSE;
    }
    const cJSON *input = cJSON_GetObjectItemCaseSensitive(row, "input");
    const cJSON *meta = cJSON_GetObjectItemCaseSensitive(row, "metadata");
    char *input_json = input ? cJSON_PrintUnformatted(input) : NULL;
    char *meta_json = meta && !cJSON_IsNull(meta) ? cJSON_PrintUnformatted(meta) : NULL;
    sk_tpl_var vars[2] = {
        {"input", input_json, cJSON_IsString(input) ? input->valuestring : NULL,
         cJSON_IsString(input) ? strlen(input->valuestring) : 0},
        {"metadata", meta_json, NULL, 0},
    };
    char why[512];
    char *prompt = sk_tpl_render(st->prompt, vars, 2, why, sizeof why);
    free(input_json);
    free(meta_json);
    cJSON_Delete(row);
    if (!prompt) {
        res->failed = 1;
        sk_buf_printf(&res->error, "the prompt could not be filled in: %s", why);
        return 0;
    }
    sk_llm_message msgs[2];
    size_t n = 0;
    if (st->system)
        msgs[n++] = (sk_llm_message){"system", st->system};
    msgs[n++] = (sk_llm_message){"user", prompt};
    sk_llm_request req = {0};
    req.provider = st->llm_provider;
    req.model = st->model;
    req.messages = msgs;
    req.nmessages = n;
    req.params_json = st->params;
    req.trial = trial;
    req.caller = "task";
    req.no_cache = !st->cache;
    req.account = &res->account;
    sk_llm_reply rep = {0};
    char *err = NULL;
    double t0 = sk_now_ms();
    int rc = sk_llm_chat(st->llm, &req, &rep, &err);
    res->latency_ms = sk_now_ms() - t0;
    free(prompt);
    if (rc) {
        res->failed = 1;
        sk_buf_printf(&res->error, "the model call failed: %s", err ? err : sk_strerror(rc));
    } else if (!rep.content) {
        res->failed = 1;
        sk_buf_adds(&res->error, "the model returned no text");
    } else {
        set_output(st, rep.content, res);
    }
    free(err);
    sk_llm_reply_free(&rep);
    return 0;
}

static void openai_close(void *state)
{
    state_free(state);
}

char *sk_task_openai_describe(const void *state)
{
    const openai_state *st = state;
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "provider", st->provider);
    cJSON_AddStringToObject(o, "model", st->model);
    if (st->llm_provider)
        cJSON_AddStringToObject(o, "llm_provider", st->llm_provider);
    if (st->system)
        cJSON_AddStringToObject(o, "system", st->system);
    cJSON_AddStringToObject(o, "prompt", st->prompt);
    if (st->prompt_file)
        cJSON_AddStringToObject(o, "prompt_file", st->prompt_file);
    cJSON_AddItemToObject(o, "params",
                          st->params ? sk_json_parse_cstr(st->params) : cJSON_CreateObject());
    cJSON_AddStringToObject(o, "output", st->json_output ? "json" : "text");
    if (st->cache)
        cJSON_AddTrueToObject(o, "cache");
    char *text = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    return text;
}

/* The prompt file's text goes into the snapshot beside its name: editing
 * the file is a change of prompt a comparison must see. */
static char *openai_snapshot(const cJSON *config, const char *project_dir)
{
    const cJSON *pf = cJSON_GetObjectItemCaseSensitive(config, "prompt_file");
    if (!cJSON_IsString(pf))
        return NULL;
    char *path = pf->valuestring[0] == '/' || !project_dir
                     ? sk_xstrdup(pf->valuestring)
                     : sk_asprintf("%s/%s", project_dir, pf->valuestring);
    char *text = NULL, *msg = NULL;
    size_t len;
    char *out = NULL;
    if (sk_read_file(path, &text, &len, &msg) == SK_OK) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "prompt_file_text", text);
        out = cJSON_PrintUnformatted(o);
        cJSON_Delete(o);
    }
    free(text);
    free(msg);
    free(path);
    return out;
}

const sk_task_ops sk_task_openai = {
    .provider = "openai",
    .keys = allowed,
    .cheap = 0,
    .open = openai_open,
    .run = openai_run,
    .close = openai_close,
    .snapshot = openai_snapshot,
    .uses_llm = 1,
};

const sk_task_ops sk_task_anthropic = {
    .provider = "anthropic",
    .keys = allowed,
    .cheap = 0,
    .open = anthropic_open,
    .run = openai_run,
    .close = openai_close,
    .snapshot = openai_snapshot,
    .uses_llm = 1,
};
