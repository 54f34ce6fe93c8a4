/* OTLP/JSON traces to logs by the GenAI semantic conventions (see
 * log_parse.h).  A model call is a span whose gen_ai.operation.name is
 * chat, text_completion or generate_content; its messages come from the
 * gen_ai.input.messages / gen_ai.output.messages attributes (JSON text),
 * the older gen_ai.prompt / gen_ai.completion, or the per-message events
 * (gen_ai.system.message, gen_ai.user.message, …, gen_ai.choice). */
#include <cjson/cJSON.h>
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "base/json_tree.h"
#include "base/util.h"
#include "online/log_parse.h"

/* The value of attribute `key` in an OTLP attribute list, or NULL. */
static const cJSON *attr(const cJSON *attrs, const char *key)
{
    const cJSON *a;
    cJSON_ArrayForEach(a, attrs)
    {
        const cJSON *k = cJSON_GetObjectItemCaseSensitive(a, "key");
        if (cJSON_IsString(k) && strcmp(k->valuestring, key) == 0)
            return cJSON_GetObjectItemCaseSensitive(a, "value");
    }
    return NULL;
}

static const char *attr_str(const cJSON *attrs, const char *key)
{
    const cJSON *s = cJSON_GetObjectItemCaseSensitive(attr(attrs, key), "stringValue");
    return cJSON_IsString(s) ? s->valuestring : NULL;
}

/* intValue is a string in OTLP/JSON (64-bit), but accept a number. */
static long long attr_int(const cJSON *attrs, const char *key)
{
    const cJSON *v = attr(attrs, key), *i = cJSON_GetObjectItemCaseSensitive(v, "intValue");
    if (cJSON_IsString(i) && isdigit((unsigned char)i->valuestring[0]))
        return strtoll(i->valuestring, NULL, 10);
    if (cJSON_IsNumber(i) && i->valuedouble >= 0)
        return (long long)i->valuedouble;
    return -1;
}

static int nanos(const cJSON *v, unsigned long long *out)
{
    if (cJSON_IsString(v) && isdigit((unsigned char)v->valuestring[0])) {
        *out = strtoull(v->valuestring, NULL, 10);
        return 0;
    }
    if (cJSON_IsNumber(v) && v->valuedouble >= 0) {
        *out = (unsigned long long)v->valuedouble;
        return 0;
    }
    return -1;
}

/* A hex id of n digits, lowercased, or NULL. */
static char *hex_id(const cJSON *v, size_t n)
{
    if (!cJSON_IsString(v) || strlen(v->valuestring) != n)
        return NULL;
    char *s = sk_xstrdup(v->valuestring);
    for (size_t i = 0; i < n; i++) {
        if (!isxdigit((unsigned char)s[i])) {
            free(s);
            return NULL;
        }
        s[i] = (char)tolower((unsigned char)s[i]);
    }
    return s;
}

/* An OTLP AnyValue as a JSON tree (structured messages), or NULL. */
static cJSON *any_json(const cJSON *v, int depth)
{
    const cJSON *x;
    if (!v || depth > 64)
        return NULL;
    if (cJSON_IsString(x = cJSON_GetObjectItemCaseSensitive(v, "stringValue")))
        return cJSON_CreateString(x->valuestring);
    if (cJSON_IsBool(x = cJSON_GetObjectItemCaseSensitive(v, "boolValue")))
        return cJSON_CreateBool(cJSON_IsTrue(x));
    if ((x = cJSON_GetObjectItemCaseSensitive(v, "intValue")))
        return cJSON_IsString(x) ? cJSON_CreateNumber(strtod(x->valuestring, NULL))
                                 : cJSON_CreateNumber(x->valuedouble);
    if (cJSON_IsNumber(x = cJSON_GetObjectItemCaseSensitive(v, "doubleValue")))
        return cJSON_CreateNumber(x->valuedouble);
    const cJSON *e;
    if ((x = cJSON_GetObjectItemCaseSensitive(v, "arrayValue"))) {
        cJSON *a = cJSON_CreateArray();
        cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(x, "values"))
        {
            cJSON *j = any_json(e, depth + 1);
            cJSON_AddItemToArray(a, j ? j : cJSON_CreateNull());
        }
        return a;
    }
    if ((x = cJSON_GetObjectItemCaseSensitive(v, "kvlistValue"))) {
        cJSON *o = cJSON_CreateObject();
        cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(x, "values"))
        {
            const cJSON *k = cJSON_GetObjectItemCaseSensitive(e, "key");
            if (!cJSON_IsString(k))
                continue;
            cJSON *j = any_json(cJSON_GetObjectItemCaseSensitive(e, "value"), depth + 1);
            cJSON_AddItemToObject(o, k->valuestring, j ? j : cJSON_CreateNull());
        }
        return o;
    }
    return NULL;
}

/* Attribute text that should hold JSON (the messages): the JSON itself
 * when it parses, else the text as a JSON string. */
static char *json_of_text(const char *text)
{
    cJSON *t = sk_json_parse_cstr(text);
    if (!t) {
        cJSON *s = cJSON_CreateString(text);
        char *r = cJSON_PrintUnformatted(s);
        cJSON_Delete(s);
        return r;
    }
    char *r = cJSON_PrintUnformatted(t);
    cJSON_Delete(t);
    return r;
}

/* One output message's text, when it is only text: {"content": "…"} or
 * {"parts": [{"type": "text", "content": "…"}]}. */
static const char *message_text(const cJSON *m)
{
    const cJSON *c = cJSON_GetObjectItemCaseSensitive(m, "content");
    if (cJSON_IsString(c))
        return c->valuestring;
    const cJSON *parts = cJSON_GetObjectItemCaseSensitive(m, "parts");
    if (cJSON_GetArraySize(parts) == 1) {
        const cJSON *p = cJSON_GetArrayItem(parts, 0);
        const cJSON *ty = cJSON_GetObjectItemCaseSensitive(p, "type");
        const cJSON *pc = cJSON_GetObjectItemCaseSensitive(p, "content");
        if (cJSON_IsString(ty) && strcmp(ty->valuestring, "text") == 0 && cJSON_IsString(pc))
            return pc->valuestring;
    }
    return NULL;
}

/* The output as scorers want it: one text message becomes its text. */
static char *output_of(const char *messages_text)
{
    cJSON *t = sk_json_parse_cstr(messages_text);
    if (!t)
        return json_of_text(messages_text);
    const cJSON *m = cJSON_IsArray(t) && cJSON_GetArraySize(t) == 1 ? cJSON_GetArrayItem(t, 0)
                     : cJSON_IsObject(t)                            ? t
                                                                    : NULL;
    const char *text = m ? message_text(m) : NULL;
    char *r;
    if (text) {
        cJSON *s = cJSON_CreateString(text);
        r = cJSON_PrintUnformatted(s);
        cJSON_Delete(s);
    } else {
        r = cJSON_PrintUnformatted(t);
    }
    cJSON_Delete(t);
    return r;
}

/* The messages attribute `key` as JSON text: a JSON string value parsed,
 * a structured value converted; NULL when absent.  As output, one text
 * message becomes its text. */
static char *messages_attr(const cJSON *attrs, const char *key, int as_output)
{
    const cJSON *v = attr(attrs, key);
    if (!v)
        return NULL;
    const char *text = attr_str(attrs, key);
    if (text)
        return as_output ? output_of(text) : json_of_text(text);
    cJSON *j = any_json(v, 0);
    if (!j)
        return NULL;
    char *r = cJSON_PrintUnformatted(j);
    cJSON_Delete(j);
    if (as_output) {
        char *o = output_of(r);
        free(r);
        r = o;
    }
    return r;
}

static const char *const message_events[][2] = {{"gen_ai.system.message", "system"},
                                                {"gen_ai.user.message", "user"},
                                                {"gen_ai.assistant.message", "assistant"},
                                                {"gen_ai.tool.message", "tool"}};

/* Messages from the span's events: input (the conversation) and output
 * (gen_ai.choice). */
static void from_events(const cJSON *events, char **input, char **output)
{
    cJSON *in = NULL;
    const cJSON *ev;
    cJSON_ArrayForEach(ev, events)
    {
        const cJSON *name = cJSON_GetObjectItemCaseSensitive(ev, "name");
        const cJSON *attrs = cJSON_GetObjectItemCaseSensitive(ev, "attributes");
        if (!cJSON_IsString(name))
            continue;
        /* The older events carrying the whole prompt or completion. */
        if (strcmp(name->valuestring, "gen_ai.content.prompt") == 0 && !*input) {
            *input = messages_attr(attrs, "gen_ai.prompt", 0);
            continue;
        }
        if (strcmp(name->valuestring, "gen_ai.content.completion") == 0 && !*output) {
            *output = messages_attr(attrs, "gen_ai.completion", 1);
            continue;
        }
        if (strcmp(name->valuestring, "gen_ai.choice") == 0 && !*output) {
            *output = messages_attr(attrs, "message", 1);
            const char *content = attr_str(attrs, "content");
            if (!*output && content) {
                cJSON *s = cJSON_CreateString(content);
                *output = cJSON_PrintUnformatted(s);
                cJSON_Delete(s);
            }
            continue;
        }
        for (size_t i = 0; i < sizeof message_events / sizeof message_events[0]; i++) {
            if (strcmp(name->valuestring, message_events[i][0]) != 0)
                continue;
            const char *content = attr_str(attrs, "content");
            if (!in)
                in = cJSON_CreateArray();
            cJSON *m = cJSON_CreateObject();
            cJSON_AddStringToObject(m, "role", message_events[i][1]);
            if (content)
                cJSON_AddStringToObject(m, "content", content);
            cJSON_AddItemToArray(in, m);
        }
    }
    if (in && !*input)
        *input = cJSON_PrintUnformatted(in);
    cJSON_Delete(in);
}

static int is_model_call(const char *op)
{
    return op && (strcmp(op, "chat") == 0 || strcmp(op, "text_completion") == 0 ||
                  strcmp(op, "generate_content") == 0);
}

/* One span to a log; SK_EPARSE with the reason when it cannot be. */
static int span_log(const cJSON *span, const char *service, sk_log *l, char **err)
{
    const cJSON *attrs = cJSON_GetObjectItemCaseSensitive(span, "attributes");
    const char *op = attr_str(attrs, "gen_ai.operation.name");
    l->trace_id = hex_id(cJSON_GetObjectItemCaseSensitive(span, "traceId"), 32);
    l->span_id = hex_id(cJSON_GetObjectItemCaseSensitive(span, "spanId"), 16);
    if (!l->trace_id || !l->span_id)
        return sk_errf(err, SK_EPARSE,
                       "a model-call span needs \"traceId\" (32 hex digits) and \"spanId\" (16)");
    unsigned long long start, end;
    if (nanos(cJSON_GetObjectItemCaseSensitive(span, "startTimeUnixNano"), &start))
        return sk_errf(err, SK_EPARSE, "span %s has no \"startTimeUnixNano\"", l->span_id);
    char t[32];
    sk_log_time_from_ns(start, t);
    l->time = sk_xstrdup(t);
    if (nanos(cJSON_GetObjectItemCaseSensitive(span, "endTimeUnixNano"), &end) == 0 && end >= start)
        l->latency_ms = (double)(end - start) / 1e6;
    l->id = sk_asprintf("%s-%s", l->trace_id, l->span_id);
    const char *model = attr_str(attrs, "gen_ai.response.model");
    if (!model)
        model = attr_str(attrs, "gen_ai.request.model");
    l->model = model ? sk_xstrdup(model) : NULL;
    l->input_tokens = attr_int(attrs, "gen_ai.usage.input_tokens");
    l->output_tokens = attr_int(attrs, "gen_ai.usage.output_tokens");
    l->input_json = messages_attr(attrs, "gen_ai.input.messages", 0);
    if (!l->input_json)
        l->input_json = messages_attr(attrs, "gen_ai.prompt", 0);
    l->output_json = messages_attr(attrs, "gen_ai.output.messages", 1);
    if (!l->output_json)
        l->output_json = messages_attr(attrs, "gen_ai.completion", 1);
    from_events(cJSON_GetObjectItemCaseSensitive(span, "events"), &l->input_json, &l->output_json);
    if (!l->input_json)
        l->input_json = sk_xstrdup("null"); /* content capture was off */
    cJSON *meta = cJSON_CreateObject();
    cJSON_AddStringToObject(meta, "operation", op);
    const cJSON *name = cJSON_GetObjectItemCaseSensitive(span, "name");
    if (cJSON_IsString(name))
        cJSON_AddStringToObject(meta, "span_name", name->valuestring);
    if (service)
        cJSON_AddStringToObject(meta, "service", service);
    const char *sys = attr_str(attrs, "gen_ai.provider.name");
    if (!sys)
        sys = attr_str(attrs, "gen_ai.system");
    if (sys)
        cJSON_AddStringToObject(meta, "provider", sys);
    l->metadata_json = cJSON_PrintUnformatted(meta);
    cJSON_Delete(meta);
    return SK_OK;
}

static const cJSON *array_of(const cJSON *o, const char *key, int *bad)
{
    const cJSON *a = cJSON_GetObjectItemCaseSensitive(o, key);
    if (a && !cJSON_IsArray(a))
        *bad = 1;
    return a;
}

int sk_otlp_parse(const char *text, size_t len, sk_log_vec *out, char **err)
{
    cJSON *doc = sk_json_parse(text, len);
    if (!doc)
        return sk_errf(err, SK_EPARSE, "not valid JSON");
    size_t start = out->n;
    int rc = SK_OK, bad = 0;
    size_t ri = 0;
    const cJSON *rs;
    const cJSON *rss = array_of(doc, "resourceSpans", &bad);
    if (bad)
        rc = sk_errf(err, SK_EPARSE, "\"resourceSpans\" must be an array");
    cJSON_ArrayForEach(rs, rss)
    {
        if (rc)
            break;
        const cJSON *res = cJSON_GetObjectItemCaseSensitive(rs, "resource");
        const char *service =
            attr_str(cJSON_GetObjectItemCaseSensitive(res, "attributes"), "service.name");
        const cJSON *ss, *sss = array_of(rs, "scopeSpans", &bad);
        size_t si = 0;
        if (bad)
            rc = sk_errf(err, SK_EPARSE, "resourceSpans[%zu].scopeSpans must be an array", ri);
        cJSON_ArrayForEach(ss, sss)
        {
            if (rc)
                break;
            const cJSON *sp, *sps = array_of(ss, "spans", &bad);
            size_t pi = 0;
            if (bad)
                rc = sk_errf(err, SK_EPARSE,
                             "resourceSpans[%zu].scopeSpans[%zu].spans must be an array", ri, si);
            cJSON_ArrayForEach(sp, sps)
            {
                if (rc)
                    break;
                const char *op = attr_str(cJSON_GetObjectItemCaseSensitive(sp, "attributes"),
                                          "gen_ai.operation.name");
                if (is_model_call(op)) {
                    sk_log l;
                    sk_log_init(&l);
                    char *e = NULL;
                    if ((rc = span_log(sp, service, &l, &e)) != SK_OK) {
                        sk_errf(err, rc, "resourceSpans[%zu].scopeSpans[%zu].spans[%zu]: %s", ri,
                                si, pi, e);
                        free(e);
                        sk_log_clear(&l);
                    } else {
                        if (out->n == out->cap) {
                            out->cap = out->cap ? out->cap * 2 : 16;
                            out->v = sk_xrealloc(out->v, out->cap * sizeof *out->v);
                        }
                        out->v[out->n++] = l;
                    }
                }
                pi++;
            }
            si++;
        }
        ri++;
    }
    cJSON_Delete(doc);
    if (rc) {
        for (size_t i = start; i < out->n; i++)
            sk_log_clear(&out->v[i]);
        out->n = start;
    }
    return rc;
}
