/* Online scoring rules from scorekit.json (see rules.h). */
#include "online/rules.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "base/fileutil.h"
#include "base/hash.h"
#include "base/json_keys.h"
#include "base/util.h"
#include "online/ingest.h"
#include "store/logs.h"

static const char *const rule_keys[] = {"name",    "filter", "sample", "pack",
                                        "scorers", "alert",  NULL};
static const char *const alert_keys[] = {"below", "window", "command", NULL};

/* FILE:LINE:COLUMN of character `col` (1-based) of the filter of rule i:
 * the line of its "filter" key, the column of its value's first character
 * plus col (escapes in the JSON string are not counted). */
static char *filter_where(const sk_project *p, size_t i, size_t col)
{
    char ptr[32];
    snprintf(ptr, sizeof ptr, "/online/%zu", i);
    size_t line = sk_json_key_line(p->text, p->text_len, ptr, "filter");
    const char *s = p->text;
    for (size_t l = 1; l < line && s; l++) {
        s = memchr(s, '\n', (size_t)(p->text + p->text_len - s));
        s = s ? s + 1 : NULL;
    }
    size_t column = 0;
    if (s) {
        const char *k = strstr(s, "\"filter\"");
        const char *q = k ? strchr(k + 8, '"') : NULL;
        if (q)
            column = (size_t)(q - s) + 1 + col;
    }
    return column ? sk_asprintf("%s:%zu:%zu", p->path, line, column)
                  : sk_asprintf("%s:%zu", p->path, line);
}

static int name_ok(const char *s)
{
    if (!*s)
        return 0;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
              *s == '-' || *s == '_' || *s == '.'))
            return 0;
    return 1;
}

static int parse_rule(const sk_project *p, const cJSON *o, size_t i, sk_rule *r, char **err)
{
    sk_json_src src = {p->path, p->text, p->text_len};
    char ptr[32];
    snprintf(ptr, sizeof ptr, "/online/%zu", i);
    r->where = sk_json_where(&src, ptr, NULL);
    /* sk_json_where ends in ": "; keep "FILE:LINE". */
    size_t wl = strlen(r->where);
    if (wl >= 2 && r->where[wl - 2] == ':')
        r->where[wl - 2] = '\0';
    if (!cJSON_IsObject(o))
        return sk_errf(err, SK_EINVAL,
                       "%s: a rule is an object {\"name\", \"filter\", \"scorers\" or \"pack\"}",
                       r->where);
    int rc = sk_json_check_keys(o, rule_keys, NULL, "online rule", NULL, &src, ptr, err);
    if (rc)
        return rc;
    const cJSON *name = cJSON_GetObjectItemCaseSensitive(o, "name");
    if (!cJSON_IsString(name) || !name_ok(name->valuestring))
        return sk_errf(err, SK_EINVAL,
                       "%s: a rule needs a \"name\" of letters, digits, '-', '_' and '.'",
                       r->where);
    r->name = sk_xstrdup(name->valuestring);
    const cJSON *f = cJSON_GetObjectItemCaseSensitive(o, "filter");
    if (f && !cJSON_IsString(f))
        return sk_errf(err, SK_EINVAL, "%s: rule %s: \"filter\" must be a string", r->where,
                       r->name);
    if (f) {
        size_t col = 0;
        char *why = NULL;
        if (sk_filter_parse(f->valuestring, &r->filter, &col, &why) != SK_OK) {
            char *at = filter_where(p, i, col);
            /* why starts "column N: "; the place says it already. */
            const char *msg =
                strncmp(why, "column ", 7) == 0 && strchr(why, ':') ? strchr(why, ':') + 2 : why;
            rc = sk_errf(err, SK_EPARSE, "%s: rule %s: filter: %s", at, r->name, msg);
            free(at);
            free(why);
            return rc;
        }
        r->filter_text = sk_xstrdup(f->valuestring);
    }
    r->sample = 1;
    const cJSON *sm = cJSON_GetObjectItemCaseSensitive(o, "sample");
    if (sm) {
        if (!cJSON_IsNumber(sm) || !(sm->valuedouble > 0 && sm->valuedouble <= 1))
            return sk_errf(err, SK_EINVAL,
                           "%s: rule %s: \"sample\" must be a share of the logs in (0, 1], "
                           "like 0.1",
                           r->where, r->name);
        r->sample = sm->valuedouble;
    }
    const cJSON *pack = cJSON_GetObjectItemCaseSensitive(o, "pack");
    const cJSON *sc = cJSON_GetObjectItemCaseSensitive(o, "scorers");
    if (!!pack == !!sc)
        return sk_errf(err, SK_EINVAL,
                       "%s: rule %s needs its scorers: \"pack\": \"FILE\" or \"scorers\": "
                       "[{\"use\": ...}] (one of the two)",
                       r->where, r->name);
    if (pack) {
        if (!cJSON_IsString(pack) || !pack->valuestring[0])
            return sk_errf(err, SK_EINVAL, "%s: rule %s: \"pack\" must be a file name", r->where,
                           r->name);
        r->pack_path = sk_path_beside(p->path, pack->valuestring);
    } else {
        if (!cJSON_IsArray(sc) || !cJSON_GetArraySize(sc))
            return sk_errf(err, SK_EINVAL,
                           "%s: rule %s: \"scorers\" must be a list of pack entries", r->where,
                           r->name);
        cJSON *pk = cJSON_CreateObject();
        cJSON_AddStringToObject(pk, "name", r->name);
        cJSON_AddItemToObject(pk, "scorers", cJSON_Duplicate(sc, 1));
        r->pack_json = cJSON_PrintUnformatted(pk);
        cJSON_Delete(pk);
    }
    const cJSON *al = cJSON_GetObjectItemCaseSensitive(o, "alert");
    if (al) {
        char aptr[48];
        snprintf(aptr, sizeof aptr, "%s/alert", ptr);
        if (!cJSON_IsObject(al))
            return sk_errf(err, SK_EINVAL,
                           "%s: rule %s: \"alert\" is {\"below\", \"window\", \"command\"}",
                           r->where, r->name);
        if ((rc = sk_json_check_keys(al, alert_keys, NULL, "alert", NULL, &src, aptr, err)))
            return rc;
        const cJSON *b = cJSON_GetObjectItemCaseSensitive(al, "below");
        const cJSON *w = cJSON_GetObjectItemCaseSensitive(al, "window");
        const cJSON *c = cJSON_GetObjectItemCaseSensitive(al, "command");
        double secs = cJSON_IsString(w) ? sk_duration_parse(w->valuestring) : -1;
        if (!cJSON_IsNumber(b) || !cJSON_IsString(c) || !c->valuestring[0] || !(secs > 0))
            return sk_errf(err, SK_EINVAL,
                           "%s: rule %s: an alert needs \"below\" (a score), \"window\" (like "
                           "\"1h\") and \"command\"",
                           r->where, r->name);
        r->has_alert = 1;
        r->alert_below = b->valuedouble;
        r->alert_window_s = (long)secs;
        r->alert_command = sk_xstrdup(c->valuestring);
    }
    return SK_OK;
}

int sk_rules_load(const sk_project *p, sk_rules *out, char **err)
{
    memset(out, 0, sizeof *out);
    cJSON *root = cJSON_ParseWithLength(p->text, p->text_len);
    const cJSON *list = cJSON_GetObjectItemCaseSensitive(root, "online");
    int rc = SK_OK;
    if (list && !cJSON_IsArray(list))
        rc = sk_errf(err, SK_EINVAL, "%s: \"online\" must be a list of rules", p->path);
    size_t n = list && cJSON_IsArray(list) ? (size_t)cJSON_GetArraySize(list) : 0;
    out->v = sk_xcalloc(n + 1, sizeof *out->v);
    for (size_t i = 0; rc == SK_OK && i < n; i++) {
        rc = parse_rule(p, cJSON_GetArrayItem(list, (int)i), i, &out->v[i], err);
        out->n = i + 1;
        for (size_t k = 0; rc == SK_OK && k < i; k++)
            if (strcmp(out->v[k].name, out->v[i].name) == 0)
                rc = sk_errf(err, SK_EINVAL, "%s: a second rule named %s (the first is at %s)",
                             out->v[i].where, out->v[i].name, out->v[k].where);
    }
    cJSON_Delete(root);
    if (rc)
        sk_rules_free(out);
    return rc;
}

void sk_rules_free(sk_rules *r)
{
    for (size_t i = 0; i < r->n; i++) {
        sk_rule *x = &r->v[i];
        free(x->name);
        free(x->filter_text);
        sk_filter_free(x->filter);
        free(x->pack_path);
        free(x->pack_json);
        free(x->where);
        free(x->alert_command);
    }
    free(r->v);
    memset(r, 0, sizeof *r);
}

int sk_rule_samples(const sk_rule *r, const char *log_id)
{
    if (r->sample >= 1)
        return 1;
    uint64_t h = sk_fnv64(14695981039346656037ull, r->name, strlen(r->name));
    h = sk_fnv64(h, "\n", 1);
    h = sk_fnv64(h, log_id, strlen(log_id));
    /* Mixed: FNV's low bits follow the last bytes too closely. */
    h = (h ^ (h >> 30)) * 0xBF58476D1CE4E5B9ull;
    h = (h ^ (h >> 27)) * 0x94D049BB133111EBull;
    h ^= h >> 31;
    return (double)(h >> 11) / 9007199254740992.0 < r->sample;
}

cJSON *sk_log_fields(const sk_log *l)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "id", l->id);
    cJSON_AddStringToObject(o, "time", l->time);
    const char *names[] = {"input", "output", "expected", "metadata"};
    const char *texts[] = {l->input_json, l->output_json, l->expected_json, l->metadata_json};
    for (int i = 0; i < 4; i++) {
        cJSON *v = texts[i] ? cJSON_Parse(texts[i]) : NULL;
        if (v)
            cJSON_AddItemToObject(o, names[i], v);
    }
    if (l->trace_id)
        cJSON_AddStringToObject(o, "trace_id", l->trace_id);
    if (l->span_id)
        cJSON_AddStringToObject(o, "span_id", l->span_id);
    if (l->model)
        cJSON_AddStringToObject(o, "model", l->model);
    if (l->latency_ms >= 0)
        cJSON_AddNumberToObject(o, "latency_ms", l->latency_ms);
    if (l->input_tokens >= 0)
        cJSON_AddNumberToObject(o, "input_tokens", (double)l->input_tokens);
    if (l->output_tokens >= 0)
        cJSON_AddNumberToObject(o, "output_tokens", (double)l->output_tokens);
    if (l->cost >= 0)
        cJSON_AddNumberToObject(o, "cost", l->cost);
    return o;
}
