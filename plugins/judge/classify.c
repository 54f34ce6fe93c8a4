/*
 * The machinery every judge shares (see judge.h): reading the common
 * params, loading and checking the template, building the forced tool
 * call, asking the model through host->llm_chat, and turning its reply
 * into exactly one of the judge's choices, or an error.
 *
 * The instructions (call the tool, reasons first, pick one label) go in a
 * system message built here, and the rendered template is the user
 * message: a template the user copies and edits only has to say what to
 * judge, never how to answer.
 */
#include <cjson/cJSON.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "judge.h"
#include "base/json_tree.h"
#include "base/util.h"

#define TOOL_NAME   "select_choice"
#define EXCERPT_MAX 240 /* bytes of a bad reply quoted in an error */

static void fail(char *err, size_t errlen, const char *fmt, ...) SK_PRINTF(3, 4);
static void fail(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

static char *xstrdup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *p = sk_xmalloc(n);
    return memcpy(p, s, n);
}

void sk_j_choices_free(sk_j_choice *c, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(c[i].label);
    free(c);
}

int sk_j_choices_from_json(const char *json, sk_j_choice **out, size_t *n, char *err, size_t errlen)
{
    *out = NULL;
    *n = 0;
    cJSON *o = json ? sk_json_parse_cstr(json) : NULL;
    if (!cJSON_IsObject(o) || cJSON_GetArraySize(o) < 2) {
        fail(err, errlen,
             "\"choices\" must be an object of at least two labels with their scores, e.g. "
             "{\"Y\": 1, \"N\": 0}");
        cJSON_Delete(o);
        return -1;
    }
    size_t cap = (size_t)cJSON_GetArraySize(o);
    sk_j_choice *c = sk_xcalloc(cap, sizeof *c);
    const cJSON *e;
    cJSON_ArrayForEach(e, o)
    {
        if (!e->string[0] || !cJSON_IsNumber(e) || !(e->valuedouble >= 0 && e->valuedouble <= 1)) {
            fail(err, errlen, "\"choices\": \"%s\" must be a non-empty label with a score in [0,1]",
                 e->string);
            sk_j_choices_free(c, *n);
            cJSON_Delete(o);
            return -1;
        }
        for (size_t i = 0; i < *n; i++)
            if (strcmp(c[i].label, e->string) == 0) {
                fail(err, errlen, "\"choices\": the label \"%s\" appears twice", e->string);
                sk_j_choices_free(c, *n);
                cJSON_Delete(o);
                return -1;
            }
        c[*n].label = xstrdup(e->string);
        c[*n].score = e->valuedouble;
        (*n)++;
    }
    cJSON_Delete(o);
    *out = c;
    return 0;
}

/* A param that may be absent: a copy, or NULL. */
static char *get_string(const sk_host *host, const char *params, const char *key)
{
    char *v = NULL;
    if (host->json_get_string(params, key, &v) != 1)
        return NULL;
    char *copy = xstrdup(v);
    host->free(v);
    return copy;
}

static int read_file(const char *path, char **out, char *err, size_t errlen)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fail(err, errlen, "cannot read the template %s; check the \"template\" param", path);
        return -1;
    }
    size_t cap = 4096, len = 0;
    char *buf = sk_xmalloc(cap);
    size_t got;
    while ((got = fread(buf + len, 1, cap - len - 1, f)) > 0) {
        len += got;
        if (cap - len - 1 == 0) {
            cap *= 2;
            buf = sk_xrealloc(buf, cap);
        }
    }
    int bad = ferror(f);
    fclose(f);
    buf[len] = '\0';
    if (bad || strlen(buf) != len) {
        fail(err, errlen, "the template %s %s", path,
             bad ? "could not be read" : "holds a NUL byte; it must be text");
        free(buf);
        return -1;
    }
    *out = buf;
    return 0;
}

/* The project folder of the run that opens us; hosts older than
 * project_folder only have the table-less project_dir. */
static const char *project_folder(const sk_host *host)
{
    if (SK_HAS_FIELD(host, sk_host, project_folder) && host->project_folder)
        return host->project_folder(host);
    if (SK_HAS_FIELD(host, sk_host, project_dir) && host->project_dir)
        return host->project_dir();
    return NULL;
}

/* The `template` param: absolute, or relative to the project folder (the
 * current folder when scorekit runs without a project). */
static int load_template(const sk_host *host, const char *params, const char *builtin,
                         sk_j_judge *j, char *err, size_t errlen)
{
    char *file = get_string(host, params, "template");
    char *inline_text = get_string(host, params, "prompt");
    int rc = 0;
    if (file && inline_text) {
        fail(err, errlen, "give either \"template\" (a file) or \"prompt\" (the text), not both");
        rc = -1;
    } else if (file) {
        const char *dir = project_folder(host);
        char *path;
        if (file[0] == '/' || !dir) {
            path = xstrdup(file);
        } else {
            size_t n = strlen(dir) + strlen(file) + 2;
            path = sk_xmalloc(n);
            snprintf(path, n, "%s/%s", dir, file);
        }
        rc = read_file(path, &j->prompt, err, errlen);
        free(path);
    } else if (inline_text) {
        j->prompt = inline_text;
        inline_text = NULL;
    } else if (builtin) {
        j->prompt = xstrdup(builtin);
    } else {
        fail(err, errlen,
             "needs a prompt: \"template\" (a file, e.g. a copy of an installed prompt) or "
             "\"prompt\" (the text), with {{input}}, {{output}}, {{expected}} or "
             "{{metadata.KEY}} where the case goes");
        rc = -1;
    }
    free(file);
    free(inline_text);
    return rc;
}

/* Does the template name {{expected}} or {{expected.x}}? */
static int names_expected(const char *tpl)
{
    for (const char *p = strstr(tpl, "{{"); p; p = strstr(p + 2, "{{")) {
        const char *q = p + 2;
        while (*q == ' ' || *q == '\t')
            q++;
        if (strncmp(q, "expected", 8) == 0 && (q[8] == '}' || q[8] == '.' || q[8] == ' '))
            return 1;
    }
    return 0;
}

static void build_call(sk_j_judge *j)
{
    cJSON *tool = cJSON_CreateObject();
    cJSON_AddStringToObject(tool, "name", TOOL_NAME);
    cJSON_AddStringToObject(tool, "description",
                            j->cot ? "Record the verdict: the reasons first, then the choice."
                                   : "Record the verdict: the choice.");
    cJSON *schema = cJSON_AddObjectToObject(tool, "parameters");
    cJSON_AddStringToObject(schema, "type", "object");
    cJSON *props = cJSON_AddObjectToObject(schema, "properties");
    cJSON *req = cJSON_AddArrayToObject(schema, "required");
    if (j->cot) {
        cJSON *r = cJSON_AddObjectToObject(props, "reasons");
        cJSON_AddStringToObject(r, "type", "string");
        cJSON_AddStringToObject(r, "description",
                                "Step-by-step reasoning that leads to the choice, written before "
                                "choosing.");
        cJSON_AddItemToArray(req, cJSON_CreateString("reasons"));
    }
    cJSON *c = cJSON_AddObjectToObject(props, "choice");
    cJSON_AddStringToObject(c, "type", "string");
    cJSON *en = cJSON_AddArrayToObject(c, "enum");
    for (size_t i = 0; i < j->nchoices; i++)
        cJSON_AddItemToArray(en, cJSON_CreateString(j->choices[i].label));
    cJSON_AddItemToArray(req, cJSON_CreateString("choice"));
    j->tool_json = cJSON_PrintUnformatted(tool);
    cJSON_Delete(tool);

    size_t cap = 512;
    for (size_t i = 0; i < j->nchoices; i++)
        cap += strlen(j->choices[i].label) + 4;
    j->system = sk_xmalloc(cap);
    size_t n = (size_t)snprintf(
        j->system, cap,
        "You are a careful, impartial evaluator. Read the task in the user's message and answer "
        "only by calling the function %s. %sSet \"choice\" to exactly one of these labels: ",
        TOOL_NAME,
        j->cot ? "First think it through step by step and write that reasoning in \"reasons\"; "
                 "only then decide. "
               : "");
    for (size_t i = 0; i < j->nchoices && n < cap; i++)
        n += (size_t)snprintf(j->system + n, cap - n, "%s%s", i ? ", " : "", j->choices[i].label);
    if (n < cap)
        snprintf(j->system + n, cap - n, ".");
}

int sk_j_judge_open(const sk_host *host, const char *params, const char *builtin,
                    const char *const *names, sk_j_judge *j, char *err, size_t errlen)
{
    if (!SK_HAS_FIELD(host, sk_host, llm_chat) || !host->llm_chat) {
        fail(err, errlen, "this scorekit has no LLM client (host too old for judges)");
        return -1;
    }
    int cot = 1;
    host->json_get_bool(params, "cot", &cot);
    j->cot = cot;
    j->model = get_string(host, params, "model");
    j->provider = get_string(host, params, "provider");
    double temp = 0;
    host->json_get_number(params, "temperature", &temp);
    if (!(temp >= 0 && temp <= 2)) {
        fail(err, errlen, "\"temperature\" must be from 0 to 2, got %g", temp);
        return -1;
    }
    /* "params" as given, with the temperature param on top. */
    cJSON *all = sk_json_parse_cstr(params);
    cJSON *extra = cJSON_DetachItemFromObjectCaseSensitive(all, "params");
    cJSON_Delete(all);
    if (extra && cJSON_IsNull(extra)) {
        cJSON_Delete(extra);
        extra = NULL;
    }
    if (extra && !cJSON_IsObject(extra)) {
        cJSON_Delete(extra);
        fail(err, errlen, "\"params\" must be an object like {\"max_tokens\": 400}");
        return -1;
    }
    if (!extra)
        extra = cJSON_CreateObject();
    cJSON_DeleteItemFromObjectCaseSensitive(extra, "temperature");
    cJSON_AddNumberToObject(extra, "temperature", temp);
    j->params_json = cJSON_PrintUnformatted(extra);
    cJSON_Delete(extra);

    if (load_template(host, params, builtin, j, err, errlen) != 0)
        return -1;
    char why[400];
    if (sk_tpl_check(j->prompt, names, why, sizeof why) != 0) {
        fail(err, errlen, "prompt template: %s", why);
        return -1;
    }
    j->uses_expected = names_expected(j->prompt);
    build_call(j);
    return 0;
}

void sk_j_judge_free(sk_j_judge *j)
{
    free(j->prompt);
    sk_j_choices_free(j->choices, j->nchoices);
    free(j->model);
    free(j->provider);
    free(j->params_json);
    free(j->tool_json);
    free(j->system);
    memset(j, 0, sizeof *j);
}

void sk_j_verdict_free(sk_j_verdict *v)
{
    free(v->reasons);
    free(v->model);
    memset(v, 0, sizeof *v);
}

size_t sk_j_case_vars(const sk_case *c, sk_tpl_var *vars)
{
    vars[0] = (sk_tpl_var){"input", c->input_json, c->input_text, c->input_len};
    vars[1] = (sk_tpl_var){"output", c->output_json, c->output_text, c->output_len};
    vars[2] = (sk_tpl_var){"expected", c->expected_json, c->expected_text, c->expected_len};
    vars[3] = (sk_tpl_var){"metadata", c->metadata_json, NULL, 0};
    return 4;
}

/* The start of a reply for an error message, cut on a character boundary. */
static void excerpt(const char *s, char *out, size_t outlen)
{
    size_t n = strlen(s);
    size_t max = outlen - 4 < EXCERPT_MAX ? outlen - 4 : EXCERPT_MAX;
    if (n <= max) {
        memcpy(out, s, n + 1);
        return;
    }
    while (max > 0 && ((unsigned char)s[max] & 0xC0) == 0x80)
        max--;
    memcpy(out, s, max);
    memcpy(out + max, "...", 4);
}

static long count_of(const cJSON *usage, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(usage, key);
    return cJSON_IsNumber(v) ? (long)v->valuedouble : -1;
}

int sk_j_parse_reply(const sk_j_judge *j, const char *reply_json, sk_j_verdict *v, char *err,
                     size_t errlen)
{
    memset(v, 0, sizeof *v);
    char ex[EXCERPT_MAX + 4];
    cJSON *r = sk_json_parse_cstr(reply_json);
    if (!cJSON_IsObject(r)) {
        excerpt(reply_json, ex, sizeof ex);
        fail(err, errlen, "the LLM reply is not a JSON object: %s", ex);
        cJSON_Delete(r);
        return -1;
    }
    const cJSON *args = cJSON_GetObjectItemCaseSensitive(r, "tool_args");
    const cJSON *content = cJSON_GetObjectItemCaseSensitive(r, "content");
    int rc = -1;
    if (!cJSON_IsObject(args)) {
        if (cJSON_IsString(content)) {
            excerpt(content->valuestring, ex, sizeof ex);
            fail(err, errlen, "the model answered in text instead of choosing: \"%s\"", ex);
        } else {
            fail(err, errlen, "the model made no choice (no tool call, no text)");
        }
        goto done;
    }
    char *args_text = cJSON_PrintUnformatted(args);
    excerpt(args_text, ex, sizeof ex);
    free(args_text);
    const cJSON *choice = cJSON_GetObjectItemCaseSensitive(args, "choice");
    const cJSON *reasons = cJSON_GetObjectItemCaseSensitive(args, "reasons");
    if (!cJSON_IsString(choice)) {
        fail(err, errlen, "the model's reply has no \"choice\": %s", ex);
        goto done;
    }
    /* Exact labels only ("A", not "a" or "(A)"), but surrounding spaces
     * are not a different answer. */
    const char *s = choice->valuestring;
    size_t n = strlen(s);
    while (n && (*s == ' ' || *s == '\t' || *s == '\n')) {
        s++;
        n--;
    }
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\n'))
        n--;
    size_t k = 0;
    while (k < j->nchoices &&
           !(strlen(j->choices[k].label) == n && memcmp(j->choices[k].label, s, n) == 0))
        k++;
    if (k == j->nchoices) {
        char labels[256];
        size_t m = 0;
        labels[0] = '\0';
        for (size_t i = 0; i < j->nchoices && m < sizeof labels; i++)
            m += (size_t)snprintf(labels + m, sizeof labels - m, "%s%s", i ? ", " : "",
                                  j->choices[i].label);
        fail(err, errlen, "the model chose \"%s\", which is not one of the allowed labels (%s): %s",
             choice->valuestring, labels, ex);
        goto done;
    }
    if (j->cot && (!cJSON_IsString(reasons) || !reasons->valuestring[0])) {
        fail(err, errlen, "the model chose without the \"reasons\" it was asked for: %s", ex);
        goto done;
    }
    /* What the client found wrong that the rules above do not cover (a
     * property of the wrong type). */
    const cJSON *bad = cJSON_GetObjectItemCaseSensitive(r, "args_error");
    if (cJSON_IsString(bad)) {
        fail(err, errlen, "the model's call does not fit the tool (%s): %s", bad->valuestring, ex);
        goto done;
    }
    v->choice = k;
    v->reasons = xstrdup(cJSON_IsString(reasons) ? reasons->valuestring : "");
    const cJSON *model = cJSON_GetObjectItemCaseSensitive(r, "model");
    v->model = cJSON_IsString(model) ? xstrdup(model->valuestring) : NULL;
    v->cached = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(r, "cached"));
    const cJSON *usage = cJSON_GetObjectItemCaseSensitive(r, "usage");
    v->prompt_tokens = count_of(usage, "prompt_tokens");
    v->completion_tokens = count_of(usage, "completion_tokens");
    const cJSON *cost = cJSON_GetObjectItemCaseSensitive(usage, "cost");
    v->cost = cJSON_IsNumber(cost) ? cost->valuedouble : 0;
    rc = 0;
done:
    cJSON_Delete(r);
    return rc;
}

/* The request: instructions, the rendered prompt, the tool. */
static char *build_request(const sk_j_judge *j, const char *prompt, unsigned trial)
{
    cJSON *req = cJSON_CreateObject();
    if (j->provider)
        cJSON_AddStringToObject(req, "provider", j->provider);
    if (j->model)
        cJSON_AddStringToObject(req, "model", j->model);
    cJSON *msgs = cJSON_AddArrayToObject(req, "messages");
    cJSON *m = cJSON_CreateObject();
    cJSON_AddStringToObject(m, "role", "system");
    cJSON_AddStringToObject(m, "content", j->system);
    cJSON_AddItemToArray(msgs, m);
    m = cJSON_CreateObject();
    cJSON_AddStringToObject(m, "role", "user");
    cJSON_AddStringToObject(m, "content", prompt);
    cJSON_AddItemToArray(msgs, m);
    cJSON_AddItemToObject(req, "params", sk_json_parse_cstr(j->params_json));
    cJSON_AddItemToObject(req, "tool", sk_json_parse_cstr(j->tool_json));
    cJSON_AddNumberToObject(req, "trial", trial);
    /* A reply with a label outside the choices is this judge's invalid
     * verdict, reported as such below, not a failed call. */
    cJSON_AddTrueToObject(req, "keep_invalid_args");
    char caller[128];
    snprintf(caller, sizeof caller, "scorer:%s", j->name);
    cJSON_AddStringToObject(req, "caller", caller);
    char *text = cJSON_PrintUnformatted(req);
    cJSON_Delete(req);
    return text;
}

int sk_j_ask(const sk_host *host, const sk_j_judge *j, const sk_tpl_var *vars, size_t nvars,
             unsigned trial, sk_j_verdict *v, char *err, size_t errlen)
{
    memset(v, 0, sizeof *v);
    char why[512];
    char *prompt = sk_tpl_render(j->prompt, vars, nvars, why, sizeof why);
    if (!prompt) {
        fail(err, errlen, "prompt template: %s", why);
        return -1;
    }
    char *req = build_request(j, prompt, trial);
    free(prompt);
    char *reply = NULL;
    char msg[1024];
    msg[0] = '\0';
    int rc = host->llm_chat(host, req, &reply, msg, sizeof msg);
    free(req);
    if (rc != 0 || !reply) {
        fail(err, errlen, "the LLM call failed: %s", msg[0] ? msg : "no reason given");
        if (reply)
            host->free(reply);
        return -1;
    }
    rc = sk_j_parse_reply(j, reply, v, msg, sizeof msg);
    host->free(reply);
    if (rc != 0) {
        fail(err, errlen, "invalid verdict: %s", msg);
        return SK_J_INVALID;
    }
    return 0;
}

void sk_j_report_invalid(const sk_host *host, sk_result *r)
{
    host->set_meta(r, "{\"invalid_verdict\":true}");
}

void sk_j_report(const sk_host *host, const sk_j_judge *j, const sk_j_verdict *v, sk_result *r)
{
    host->set_score(r, j->choices[v->choice].score);
    if (v->reasons && v->reasons[0])
        host->set_rationale_text(r, v->reasons, strlen(v->reasons));
    cJSON *m = cJSON_CreateObject();
    cJSON_AddStringToObject(m, "choice", j->choices[v->choice].label);
    cJSON_AddItemToObject(m, "model", v->model ? cJSON_CreateString(v->model) : cJSON_CreateNull());
    cJSON_AddBoolToObject(m, "cached", v->cached);
    if (v->prompt_tokens >= 0)
        cJSON_AddNumberToObject(m, "prompt_tokens", (double)v->prompt_tokens);
    if (v->completion_tokens >= 0)
        cJSON_AddNumberToObject(m, "completion_tokens", (double)v->completion_tokens);
    cJSON_AddNumberToObject(m, "cost", v->cost);
    char *text = cJSON_PrintUnformatted(m);
    cJSON_Delete(m);
    host->set_meta(r, text);
    free(text);
}
