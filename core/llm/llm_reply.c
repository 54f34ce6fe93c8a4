/*
 * Request bodies and reply parsing for the LLM client (see llm_reply.h).
 *
 * OpenAI: POST {base}/chat/completions with messages as given, tools as
 * [{type: function, function: {name, description, parameters}}] and a
 * forced tool_choice; the reply is choices[0].message with content or
 * tool_calls[0].function.arguments (a JSON string).  Anthropic: POST
 * {base}/v1/messages with system messages moved to the top-level "system",
 * max_tokens required (1024 unless params give one), stop mapped to
 * stop_sequences and seed dropped (the API has none); the reply is a list
 * of content blocks, text or tool_use.
 */
#define _POSIX_C_SOURCE 200809L
#include "llm/llm_reply.h"

#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "base/util.h"
#include "base/json_tree.h"

static int cmp_keys(const void *a, const void *b)
{
    const cJSON *x = *(const cJSON *const *)a, *y = *(const cJSON *const *)b;
    return strcmp(x->string, y->string);
}

cJSON *sk_llm_json_canonical(const cJSON *v)
{
    if (cJSON_IsObject(v)) {
        size_t n = (size_t)cJSON_GetArraySize(v), i = 0;
        const cJSON **items = sk_xcalloc(n ? n : 1, sizeof *items);
        const cJSON *it;
        cJSON_ArrayForEach(it, v) items[i++] = it;
        qsort(items, n, sizeof *items, cmp_keys);
        cJSON *o = cJSON_CreateObject();
        for (i = 0; i < n; i++)
            cJSON_AddItemToObject(o, items[i]->string, sk_llm_json_canonical(items[i]));
        free(items);
        return o;
    }
    if (cJSON_IsArray(v)) {
        cJSON *a = cJSON_CreateArray();
        const cJSON *it;
        cJSON_ArrayForEach(it, v) cJSON_AddItemToArray(a, sk_llm_json_canonical(it));
        return a;
    }
    return cJSON_Duplicate(v, 1);
}

char *sk_llm_fallback_instruction(const sk_llm_tool *tool, const cJSON *schema)
{
    char *s = cJSON_PrintUnformatted(schema);
    char *text = sk_asprintf(
        "Reply with exactly one JSON object and nothing else (no prose, no code fence): the "
        "arguments of the function \"%s\"%s%s%s, matching this JSON Schema:\n%s",
        tool->name, tool->description && *tool->description ? " (" : "",
        tool->description ? tool->description : "",
        tool->description && *tool->description ? ")" : "", s);
    free(s);
    return text;
}

static const char *const reserved[] = {"model",       "messages", "system", "tools",
                                       "tool_choice", "stream",   NULL};

int sk_llm_build_body(sk_llm_api api, const char *model, const sk_llm_request *req,
                      const cJSON *params, const cJSON *schema, int native, cJSON **body,
                      char **err)
{
    *body = NULL;
    const cJSON *it;
    cJSON_ArrayForEach(it, params)
    {
        for (size_t i = 0; reserved[i]; i++)
            if (strcmp(it->string, reserved[i]) == 0)
                return sk_errf(err, SK_EINVAL, "llm: params may not set \"%s\"; the client sets it",
                               it->string);
    }
    char *instruction =
        req->tool && !native ? sk_llm_fallback_instruction(req->tool, schema) : NULL;
    cJSON *b = cJSON_CreateObject();
    cJSON_AddStringToObject(b, "model", model);
    cJSON *msgs = cJSON_CreateArray();
    sk_buf system = {0};
    for (size_t i = 0; i < req->nmessages; i++) {
        const sk_llm_message *m = &req->messages[i];
        if (api == SK_LLM_ANTHROPIC && strcmp(m->role, "system") == 0) {
            sk_buf_printf(&system, "%s%s", system.len ? "\n\n" : "", m->content);
            continue;
        }
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "role", m->role);
        cJSON_AddStringToObject(o, "content", m->content);
        cJSON_AddItemToArray(msgs, o);
    }
    if (instruction && api == SK_LLM_ANTHROPIC) {
        sk_buf_printf(&system, "%s%s", system.len ? "\n\n" : "", instruction);
    } else if (instruction) {
        /* Some chat templates want the system message first and only once:
         * extend the leading one, or put one in front. */
        cJSON *first = cJSON_GetArrayItem(msgs, 0);
        const char *role = cJSON_GetStringValue(cJSON_GetObjectItem(first, "role"));
        if (role && strcmp(role, "system") == 0) {
            const char *old = cJSON_GetStringValue(cJSON_GetObjectItem(first, "content"));
            char *merged = sk_asprintf("%s\n\n%s", old, instruction);
            cJSON_ReplaceItemInObject(first, "content", cJSON_CreateString(merged));
            free(merged);
        } else {
            cJSON *o = cJSON_CreateObject();
            cJSON_AddStringToObject(o, "role", "system");
            cJSON_AddStringToObject(o, "content", instruction);
            cJSON_InsertItemInArray(msgs, 0, o);
        }
    }
    free(instruction);
    if (system.len)
        cJSON_AddStringToObject(b, "system", system.data);
    sk_buf_free(&system);
    cJSON_AddItemToObject(b, "messages", msgs);
    if (req->tool && native) {
        cJSON *tools = cJSON_AddArrayToObject(b, "tools");
        cJSON *t = cJSON_CreateObject();
        const char *desc = req->tool->description ? req->tool->description : "";
        if (api == SK_LLM_ANTHROPIC) {
            cJSON_AddStringToObject(t, "name", req->tool->name);
            cJSON_AddStringToObject(t, "description", desc);
            cJSON_AddItemToObject(t, "input_schema", cJSON_Duplicate(schema, 1));
            cJSON *tc = cJSON_AddObjectToObject(b, "tool_choice");
            cJSON_AddStringToObject(tc, "type", "tool");
            cJSON_AddStringToObject(tc, "name", req->tool->name);
        } else {
            cJSON_AddStringToObject(t, "type", "function");
            cJSON *fn = cJSON_AddObjectToObject(t, "function");
            cJSON_AddStringToObject(fn, "name", req->tool->name);
            cJSON_AddStringToObject(fn, "description", desc);
            cJSON_AddItemToObject(fn, "parameters", cJSON_Duplicate(schema, 1));
            cJSON *tc = cJSON_AddObjectToObject(b, "tool_choice");
            cJSON_AddStringToObject(tc, "type", "function");
            cJSON_AddStringToObject(cJSON_AddObjectToObject(tc, "function"), "name",
                                    req->tool->name);
        }
        cJSON_AddItemToArray(tools, t);
    }
    cJSON_ArrayForEach(it, params)
    {
        if (api == SK_LLM_ANTHROPIC && strcmp(it->string, "seed") == 0)
            continue;
        if (api == SK_LLM_ANTHROPIC && strcmp(it->string, "stop") == 0) {
            cJSON *seq = cJSON_IsString(it) ? cJSON_CreateArray() : cJSON_Duplicate(it, 1);
            if (cJSON_IsString(it))
                cJSON_AddItemToArray(seq, cJSON_CreateString(it->valuestring));
            cJSON_AddItemToObject(b, "stop_sequences", seq);
            continue;
        }
        cJSON_AddItemToObject(b, it->string, cJSON_Duplicate(it, 1));
    }
    if (api == SK_LLM_ANTHROPIC && !cJSON_GetObjectItem(b, "max_tokens"))
        cJSON_AddNumberToObject(b, "max_tokens", 1024);
    *body = b;
    return 0;
}

/* ---- replies ------------------------------------------------------------ */

char *sk_llm_server_message(const char *body, size_t max)
{
    if (!body || !*body)
        return sk_xstrdup("(empty body)");
    cJSON *j = sk_json_parse_cstr(body);
    const char *m = NULL;
    const cJSON *e = cJSON_GetObjectItem(j, "error");
    if (cJSON_IsString(e))
        m = e->valuestring;
    else
        m = cJSON_GetStringValue(cJSON_GetObjectItem(e, "message"));
    if (!m)
        m = cJSON_GetStringValue(cJSON_GetObjectItem(j, "message"));
    if (!m)
        m = body;
    size_t n = strlen(m);
    char *out = sk_xstrndup(m, n > max ? max : n);
    for (char *p = out; *p; p++)
        if ((unsigned char)*p < 0x20)
            *p = ' ';
    if (n > max) {
        char *t = sk_asprintf("%s...", out);
        free(out);
        out = t;
    }
    cJSON_Delete(j);
    return out;
}

static char *preview(const char *s)
{
    return sk_llm_server_message(s, 120);
}

cJSON *sk_llm_json_object_reply(const char *text, char **err)
{
    const char *s = text, *e = text + strlen(text);
    while (s < e && isspace((unsigned char)*s))
        s++;
    while (e > s && isspace((unsigned char)e[-1]))
        e--;
    if (e - s >= 6 && strncmp(s, "```", 3) == 0) {
        if (strncmp(e - 3, "```", 3) != 0) {
            char *p = preview(text);
            sk_errf(err, SK_EPARSE, "the reply opens a code fence but does not end with one: %s",
                    p);
            free(p);
            return NULL;
        }
        s += 3;
        e -= 3;
        if (strncmp(s, "json", 4) == 0)
            s += 4;
        else if (strncmp(s, "JSON", 4) == 0)
            s += 4;
        while (s < e && (*s == ' ' || *s == '\t' || *s == '\r'))
            s++;
        if (s >= e || *s != '\n') {
            sk_errf(err, SK_EPARSE, "the reply's code fence is not a ```json block");
            return NULL;
        }
    }
    char *inner = sk_xstrndup(s, (size_t)(e - s));
    cJSON *o = sk_json_parse_cstr(inner);
    if (!cJSON_IsObject(o)) {
        char *p = preview(text);
        sk_errf(err, SK_EPARSE, "the reply is not exactly one JSON object (%s): %s",
                o ? "a JSON value of another type" : "not valid JSON, or text around it", p);
        free(p);
        cJSON_Delete(o);
        o = NULL;
    }
    free(inner);
    return o;
}

static int type_ok(const cJSON *v, const char *type)
{
    if (strcmp(type, "string") == 0)
        return cJSON_IsString(v);
    if (strcmp(type, "number") == 0)
        return cJSON_IsNumber(v);
    if (strcmp(type, "integer") == 0)
        return cJSON_IsNumber(v) && v->valuedouble == floor(v->valuedouble);
    if (strcmp(type, "boolean") == 0)
        return cJSON_IsBool(v);
    if (strcmp(type, "object") == 0)
        return cJSON_IsObject(v);
    if (strcmp(type, "array") == 0)
        return cJSON_IsArray(v);
    if (strcmp(type, "null") == 0)
        return cJSON_IsNull(v);
    return 1; /* a type this check does not know is not held against the reply */
}

int sk_llm_check_args(const cJSON *args, const cJSON *schema, char **err)
{
    if (!cJSON_IsObject(args))
        return sk_errf(err, SK_EPARSE, "the tool arguments are not a JSON object");
    const cJSON *req;
    cJSON_ArrayForEach(req, cJSON_GetObjectItem(schema, "required"))
    {
        if (cJSON_IsString(req) && !cJSON_GetObjectItemCaseSensitive(args, req->valuestring))
            return sk_errf(err, SK_EPARSE, "the tool arguments lack the required property \"%s\"",
                           req->valuestring);
    }
    const cJSON *prop;
    cJSON_ArrayForEach(prop, cJSON_GetObjectItem(schema, "properties"))
    {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(args, prop->string);
        if (!v)
            continue;
        const cJSON *type = cJSON_GetObjectItem(prop, "type");
        int ok = 1;
        if (cJSON_IsString(type)) {
            ok = type_ok(v, type->valuestring);
        } else if (cJSON_IsArray(type)) {
            ok = 0;
            const cJSON *t;
            cJSON_ArrayForEach(t, type) ok |= cJSON_IsString(t) && type_ok(v, t->valuestring);
        }
        if (!ok)
            return sk_errf(err, SK_EPARSE, "the tool argument \"%s\" has the wrong type",
                           prop->string);
        const cJSON *en = cJSON_GetObjectItem(prop, "enum");
        if (cJSON_IsArray(en)) {
            int in = 0;
            const cJSON *x;
            cJSON_ArrayForEach(x, en) in |= cJSON_Compare(x, v, 1);
            if (!in) {
                char *got = cJSON_PrintUnformatted(v);
                int rc = sk_errf(err, SK_EPARSE,
                                 "the tool argument \"%s\" is %.80s, not one of its enum values",
                                 prop->string, got);
                free(got);
                return rc;
            }
        }
    }
    return 0;
}

static long tokens(const cJSON *usage, const char *key)
{
    const cJSON *v = cJSON_GetObjectItem(usage, key);
    return cJSON_IsNumber(v) && v->valuedouble >= 0 ? (long)v->valuedouble : -1;
}

/* The tool arguments, validated; sets reply->tool_args_json.  With
 * `keep`, arguments that break the schema are kept too, and what is wrong
 * goes to reply->args_error. */
static int take_args(cJSON *args, const cJSON *schema, int keep, sk_llm_reply *reply, char **err)
{
    char *why = NULL;
    int rc = sk_llm_check_args(args, schema, &why);
    if (!rc || (keep && cJSON_IsObject(args)))
        reply->tool_args_json = cJSON_PrintUnformatted(args);
    if (rc && keep) {
        reply->args_error = why;
        rc = 0;
    } else if (rc) {
        sk_errf(err, rc, "%s", why);
        free(why);
    }
    cJSON_Delete(args);
    return rc;
}

/* A reply that arrived whole but whose call is missing or broken: the
 * model's answer, not a failed request.  With `keep` it is returned with
 * the reason in reply->args_error, else it is the call's error. */
static int bad_call(int keep, sk_llm_reply *reply, char **err, const char *fmt, ...)
    SK_PRINTF(4, 5);
static int bad_call(int keep, sk_llm_reply *reply, char **err, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *why = sk_vasprintf(fmt, ap);
    va_end(ap);
    if (keep) {
        free(reply->args_error);
        reply->args_error = why;
        return 0;
    }
    int rc = sk_errf(err, SK_EPARSE, "%s", why);
    free(why);
    return rc;
}

int sk_llm_parse_reply(sk_llm_api api, const char *body, const char *tool_name, const cJSON *schema,
                       int native, int keep_invalid, sk_llm_reply *reply, char **err)
{
    cJSON *j = sk_json_parse_cstr(body);
    int rc = 0;
    if (!cJSON_IsObject(j)) {
        char *p = preview(body);
        rc = sk_errf(err, SK_EPARSE, "the server's reply is not JSON: %s", p);
        free(p);
        goto out;
    }
    if (cJSON_GetObjectItem(j, "error")) {
        char *m = sk_llm_server_message(body, 300);
        rc = sk_errf(err, SK_EPARSE, "the server replied with an error: %s", m);
        free(m);
        goto out;
    }
    const char *text = NULL;
    sk_buf joined = {0};
    cJSON *tool_input = NULL; /* owned copy of the native call's arguments */
    int had_call = 0;
    if (api == SK_LLM_ANTHROPIC) {
        const cJSON *content = cJSON_GetObjectItem(j, "content");
        if (!cJSON_IsArray(content)) {
            rc = sk_errf(err, SK_EPARSE, "the reply has no \"content\" list of blocks");
            goto out;
        }
        const cJSON *block;
        cJSON_ArrayForEach(block, content)
        {
            const char *type = cJSON_GetStringValue(cJSON_GetObjectItem(block, "type"));
            if (type && strcmp(type, "text") == 0) {
                const char *t = cJSON_GetStringValue(cJSON_GetObjectItem(block, "text"));
                if (t)
                    sk_buf_adds(&joined, t);
            } else if (type && strcmp(type, "tool_use") == 0 && !had_call) {
                had_call = 1;
                const char *name = cJSON_GetStringValue(cJSON_GetObjectItem(block, "name"));
                if (tool_name && name && strcmp(name, tool_name) == 0)
                    tool_input = cJSON_Duplicate(cJSON_GetObjectItem(block, "input"), 1);
                else if (tool_name) {
                    rc = bad_call(keep_invalid, reply, err,
                                  "the model called \"%s\", not the tool \"%s\"",
                                  name ? name : "(no name)", tool_name);
                    goto out_text;
                }
            }
        }
        text = joined.data;
        reply->prompt_tokens = tokens(cJSON_GetObjectItem(j, "usage"), "input_tokens");
        reply->completion_tokens = tokens(cJSON_GetObjectItem(j, "usage"), "output_tokens");
    } else {
        const cJSON *msg = cJSON_GetObjectItem(
            cJSON_GetArrayItem(cJSON_GetObjectItem(j, "choices"), 0), "message");
        if (!cJSON_IsObject(msg)) {
            rc = sk_errf(err, SK_EPARSE, "the reply has no choices[0].message");
            goto out;
        }
        text = cJSON_GetStringValue(cJSON_GetObjectItem(msg, "content"));
        const cJSON *call = cJSON_GetArrayItem(cJSON_GetObjectItem(msg, "tool_calls"), 0);
        if (call) {
            had_call = 1;
            const cJSON *fn = cJSON_GetObjectItem(call, "function");
            const char *name = cJSON_GetStringValue(cJSON_GetObjectItem(fn, "name"));
            const cJSON *a = cJSON_GetObjectItem(fn, "arguments");
            if (tool_name && (!name || strcmp(name, tool_name) != 0)) {
                rc = bad_call(keep_invalid, reply, err,
                              "the model called \"%s\", not the tool \"%s\"",
                              name ? name : "(no name)", tool_name);
                goto out_text;
            }
            if (tool_name && cJSON_IsString(a)) {
                tool_input = sk_json_parse_cstr(a->valuestring);
                if (!tool_input) {
                    char *p = preview(a->valuestring);
                    rc = bad_call(keep_invalid, reply, err,
                                  "the arguments of the call of \"%s\" are not valid JSON: %s",
                                  tool_name, p);
                    free(p);
                    goto out_text;
                }
            } else if (tool_name && cJSON_IsObject(a)) {
                /* Some servers send the object itself rather than its text. */
                tool_input = cJSON_Duplicate(a, 1);
            }
        }
        reply->prompt_tokens = tokens(cJSON_GetObjectItem(j, "usage"), "prompt_tokens");
        reply->completion_tokens = tokens(cJSON_GetObjectItem(j, "usage"), "completion_tokens");
    }
    if (text && *text)
        reply->content = sk_xstrdup(text);
    if (!tool_name) {
        if (!reply->content)
            rc = sk_errf(err, SK_EPARSE, "the server returned an empty reply%s",
                         had_call ? " (a tool call nobody asked for)" : "");
        goto out_text;
    }
    if (native) {
        if (!tool_input) {
            char *p = preview(text ? text : "");
            rc = bad_call(keep_invalid, reply, err,
                          "the model did not call the tool \"%s\"%s%s; if this server has no tool "
                          "calling, set \"tools\": false for the provider to use the JSON reply",
                          tool_name, text && *text ? " and replied: " : "", text && *text ? p : "");
            free(p);
            goto out_text;
        }
        rc = take_args(tool_input, schema, keep_invalid, reply, err);
        tool_input = NULL;
    } else {
        if (!reply->content) {
            rc = bad_call(keep_invalid, reply, err,
                          "the server returned an empty reply; the JSON object "
                          "for \"%s\" was expected",
                          tool_name);
            goto out_text;
        }
        char *why = NULL;
        cJSON *args = sk_llm_json_object_reply(reply->content, &why);
        if (!args) {
            rc = bad_call(keep_invalid, reply, err, "%s", why);
            free(why);
            goto out_text;
        }
        rc = take_args(args, schema, keep_invalid, reply, err);
        if (!rc && !reply->args_error) {
            /* The text was only the arguments: it is not a reply of its own. */
            free(reply->content);
            reply->content = NULL;
        }
    }
out_text:
    cJSON_Delete(tool_input);
    sk_buf_free(&joined);
out:
    cJSON_Delete(j);
    if (rc) {
        free(reply->content);
        free(reply->tool_args_json);
        free(reply->args_error);
        reply->content = reply->tool_args_json = reply->args_error = NULL;
    }
    return rc;
}
