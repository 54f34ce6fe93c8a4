/*
 * The services a scorer plugin gets from scorekit (see host.h and
 * <scorekit/plugin.h>).  Everything here may be called from several worker
 * threads at once; the logger pointer is the only state of the process,
 * the rest belongs to the run whose table was called.
 */
#include "engine/host.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "llm/host_llm.h"
#include "base/row.h"
#include "base/json_tree.h"

static sk_log_fn log_fn;
static void *log_ud;

void sk_host_set_logger(sk_log_fn fn, void *ud)
{
    log_fn = fn;
    log_ud = ud;
}

/* One vsnprintf when the text fits the buffer's capacity, which after the
 * first rows it nearly always does: this runs once per scored row. */
static void vset_text(sk_buf *b, const char *fmt, va_list ap)
{
    va_list ap2;
    va_copy(ap2, ap);
    int n = vsnprintf(b->data, b->data ? b->cap : 0, fmt, ap2);
    va_end(ap2);
    if (n < 0) {
        sk_buf_reset(b);
        sk_buf_adds(b, "(unformattable message)");
        return;
    }
    if ((size_t)n >= b->cap) {
        b->len = 0;
        sk_buf_reserve(b, (size_t)n);
        vsnprintf(b->data, (size_t)n + 1, fmt, ap);
    }
    b->len = (size_t)n;
}

void sk_result_reset(sk_result *r)
{
    r->kind = SK_VERDICT_NONE;
    r->score = 0;
    sk_buf_reset(&r->rationale);
    sk_buf_reset(&r->message);
    sk_buf_reset(&r->meta);
}

void sk_result_free(sk_result *r)
{
    sk_buf_free(&r->rationale);
    sk_buf_free(&r->message);
    sk_buf_free(&r->meta);
}

void sk_result_errorf(sk_result *r, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vset_text(&r->message, fmt, ap);
    va_end(ap);
    r->kind = SK_VERDICT_ERROR;
}

void sk_result_skipf(sk_result *r, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vset_text(&r->message, fmt, ap);
    va_end(ap);
    r->kind = SK_VERDICT_SKIP;
}

void sk_result_finish(sk_result *r, int rc, const char *scorer)
{
    if (r->kind == SK_VERDICT_ERROR)
        return;
    if (rc != 0) {
        sk_result_errorf(r, "scorer %s failed (returned %d) without a message", scorer, rc);
        return;
    }
    switch (r->kind) {
    case SK_VERDICT_NONE:
        sk_result_errorf(r, "scorer %s returned no verdict (no score, skip or error)", scorer);
        break;
    case SK_VERDICT_SCORE:
        if (isnan(r->score) || r->score < 0.0 || r->score > 1.0) {
            double s = r->score;
            sk_result_errorf(r, "scorer %s returned score %g, outside [0,1]; fix the scorer",
                             scorer, s);
        } else if (r->meta.len && r->meta.data[0] == '!') {
            /* set_meta flagged bad metadata; see h_set_meta */
            char *why = sk_xstrdup(r->meta.data + 1);
            sk_result_errorf(r, "scorer %s returned metadata that %s", scorer, why);
            free(why);
        }
        break;
    default: break;
    }
}

void sk_host_log(sk_log_level level, const char *scorer, const char *fmt, ...)
{
    if (!log_fn)
        return;
    va_list ap;
    va_start(ap, fmt);
    char *msg = sk_vasprintf(fmt, ap);
    va_end(ap);
    log_fn(level, scorer, msg, log_ud);
    free(msg);
}

static void h_set_score(sk_result *r, double score)
{
    r->kind = SK_VERDICT_SCORE;
    r->score = score;
}

static void h_set_skip(sk_result *r, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vset_text(&r->message, fmt, ap);
    va_end(ap);
    r->kind = SK_VERDICT_SKIP;
}

static void h_set_error(sk_result *r, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vset_text(&r->message, fmt, ap);
    va_end(ap);
    r->kind = SK_VERDICT_ERROR;
}

static void h_set_rationale(sk_result *r, const char *fmt, ...)
{
    if (r->no_rationale)
        return;
    va_list ap;
    va_start(ap, fmt);
    vset_text(&r->rationale, fmt, ap);
    va_end(ap);
}

static void h_set_rationale_text(sk_result *r, const char *text, size_t len)
{
    if (r->no_rationale)
        return;
    sk_buf_reset(&r->rationale);
    sk_buf_add(&r->rationale, text, len);
}

static int h_wants_rationale(const sk_result *r)
{
    return !r->no_rationale;
}

/* Metadata is checked here, where the text is at hand, and a failure is
 * remembered with a leading '!' so sk_result_finish can name the scorer.
 * The row scanner's validator is used rather than cJSON, whose parser
 * writes a process-wide error variable and so races between workers. */
static void h_set_meta(sk_result *r, const char *json)
{
    sk_buf_reset(&r->meta);
    if (!json)
        return;
    char msg[128];
    size_t n = strlen(json);
    if (sk_json_validate(json, n, msg, sizeof msg) != 0) {
        sk_buf_adds(&r->meta, "!is not valid JSON (");
        sk_buf_adds(&r->meta, msg);
        sk_buf_adds(&r->meta, ")");
        return;
    }
    size_t i = 0;
    while (json[i] == ' ' || json[i] == '\t' || json[i] == '\n' || json[i] == '\r')
        i++;
    if (json[i] != '{') {
        sk_buf_adds(&r->meta, "!is not a JSON object");
        return;
    }
    /* Compact it: drop whitespace outside strings (the text is valid). */
    sk_buf_reserve(&r->meta, n);
    int in_str = 0;
    for (; i < n; i++) {
        char c = json[i];
        if (in_str) {
            if (c == '\\') {
                sk_buf_addc(&r->meta, c);
                c = json[++i];
            } else if (c == '"')
                in_str = 0;
        } else if (c == ' ' || c == '\t' || c == '\n' || c == '\r')
            continue;
        else if (c == '"')
            in_str = 1;
        sk_buf_addc(&r->meta, c);
    }
}

/* Resolve a dotted path; *root is set to the parsed document to delete. */
static int lookup(const char *json, const char *path, cJSON **root, cJSON **out)
{
    *out = NULL;
    *root = json ? sk_json_parse_cstr(json) : NULL;
    if (!*root)
        return json ? -1 : 0;
    cJSON *v = *root;
    const char *p = path ? path : "";
    while (*p) {
        const char *dot = strchr(p, '.');
        size_t n = dot ? (size_t)(dot - p) : strlen(p);
        if (!cJSON_IsObject(v))
            return 0;
        cJSON *child = NULL;
        cJSON_ArrayForEach(child, v)
        {
            if (child->string && strlen(child->string) == n && memcmp(child->string, p, n) == 0)
                break;
        }
        if (!child)
            return 0;
        v = child;
        p += n + (dot ? 1 : 0);
    }
    if (cJSON_IsNull(v))
        return 0;
    *out = v;
    return 1;
}

static int h_json_get_bool(const char *json, const char *path, int *out)
{
    cJSON *root, *v;
    int rc = lookup(json, path, &root, &v);
    if (rc == 1) {
        if (cJSON_IsBool(v))
            *out = cJSON_IsTrue(v);
        else
            rc = -1;
    }
    cJSON_Delete(root);
    return rc;
}

static int h_json_get_number(const char *json, const char *path, double *out)
{
    cJSON *root, *v;
    int rc = lookup(json, path, &root, &v);
    if (rc == 1) {
        if (cJSON_IsNumber(v))
            *out = v->valuedouble;
        else
            rc = -1;
    }
    cJSON_Delete(root);
    return rc;
}

static int h_json_get_string(const char *json, const char *path, char **out)
{
    cJSON *root, *v;
    int rc = lookup(json, path, &root, &v);
    if (rc == 1) {
        if (cJSON_IsString(v))
            *out = sk_xstrdup(v->valuestring);
        else
            rc = -1;
    }
    cJSON_Delete(root);
    return rc;
}

/* The row scanner's checker: one JSON grammar in the whole code base, and
 * like set_meta's check it touches no shared state, so workers may call it
 * at once. */
static int h_json_check(const char *text, size_t len, size_t *at, char *why, size_t whylen)
{
    size_t where = 0;
    int rc = sk_json_check(text ? text : "", text ? len : 0, &where, why, whylen);
    if (at)
        *at = where;
    return rc == 0;
}

/* The run a thread is calling a scorer for, for project_dir() and the
 * entry point's table (see host.h): nothing else looks at it. */
static _Thread_local sk_host_ctx *acting;

sk_host_ctx *sk_host_enter(sk_host_ctx *h)
{
    sk_host_ctx *prev = acting;
    acting = h;
    return prev;
}

void sk_host_leave(sk_host_ctx *prev)
{
    acting = prev;
}

/* The context a table's services act for: its own, or for the entry
 * point's table the run the thread is calling a scorer for (NULL: none). */
static sk_host_ctx *acts_for(const sk_host *table)
{
    sk_host_ctx *h = sk_host_ctx_of(table);
    return h->stand_in ? acting : h;
}

int sk_host_llm_chat(sk_host_ctx *h, const char *request_json, const char *caller,
                     char **reply_json, char **err)
{
    return sk_llm_chat_json(h ? h->llm : NULL, request_json, caller, h ? &h->account : NULL,
                            reply_json, err);
}

/* The caller is "plugin" unless the request names itself. */
static int h_llm_chat(const sk_host *table, const char *request_json, char **reply_json, char *err,
                      size_t errlen)
{
    char *msg = NULL;
    int rc = sk_host_llm_chat(acts_for(table), request_json, "plugin", reply_json, &msg);
    if (rc)
        snprintf(err, errlen, "%s", msg ? msg : "the LLM call failed");
    free(msg);
    return rc;
}

static int h_llm_embed(const sk_host *table, const char *request_json, char **reply_json, char *err,
                       size_t errlen)
{
    sk_host_ctx *h = acts_for(table);
    char *msg = NULL;
    int rc = sk_llm_embed_json(h ? h->llm : NULL, request_json, "plugin", h ? &h->account : NULL,
                               reply_json, &msg);
    if (rc)
        snprintf(err, errlen, "%s", msg ? msg : "the embedding call failed");
    free(msg);
    return rc;
}

static const char *h_project_dir(void)
{
    return acting ? acting->project_dir : NULL;
}

static const char *h_project_folder(const sk_host *table)
{
    const sk_host_ctx *h = acts_for(table);
    return h ? h->project_dir : NULL;
}

static void *h_alloc(size_t n)
{
    return sk_xmalloc(n);
}

static void h_free(void *p)
{
    free(p);
}

static const sk_host services = {
    .size = sizeof(sk_host),
    .abi = SK_PLUGIN_ABI,
    .version = PACKAGE_VERSION,
    .log = sk_host_log,
    .set_score = h_set_score,
    .set_skip = h_set_skip,
    .set_error = h_set_error,
    .set_rationale = h_set_rationale,
    .set_meta = h_set_meta,
    .json_get_bool = h_json_get_bool,
    .json_get_number = h_json_get_number,
    .json_get_string = h_json_get_string,
    .alloc = h_alloc,
    .free = h_free,
    .set_rationale_text = h_set_rationale_text,
    .json_check = h_json_check,
    .llm_chat = h_llm_chat,
    .project_dir = h_project_dir,
    .project_folder = h_project_folder,
    .wants_rationale = h_wants_rationale,
    .llm_embed = h_llm_embed,
};

void sk_host_init(sk_host_ctx *h, struct sk_llm *llm, const char *project_dir,
                  const char *experiment)
{
    memset(h, 0, sizeof *h);
    h->table = services;
    h->llm = llm;
    h->project_dir = project_dir;
    h->account.experiment = experiment;
}
