/* Checking scorer params against their declarations (see params.h). */
#include "engine/params.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "base/text/suggest.h"
#include "base/util.h"
#include "base/json_tree.h"

const char *sk_param_type_name(sk_param_type t)
{
    switch (t) {
    case SK_PARAM_BOOL: return "bool";
    case SK_PARAM_NUMBER: return "number";
    case SK_PARAM_INTEGER: return "integer";
    case SK_PARAM_STRING: return "string";
    case SK_PARAM_STRING_LIST: return "list of strings";
    case SK_PARAM_JSON: return "JSON value";
    }
    return "unknown";
}

static int type_ok(sk_param_type t, const cJSON *v)
{
    switch (t) {
    case SK_PARAM_BOOL: return cJSON_IsBool(v);
    case SK_PARAM_NUMBER: return cJSON_IsNumber(v);
    case SK_PARAM_INTEGER:
        return cJSON_IsNumber(v) && v->valuedouble == floor(v->valuedouble) &&
               fabs(v->valuedouble) < 9007199254740992.0;
    case SK_PARAM_STRING: return cJSON_IsString(v);
    case SK_PARAM_STRING_LIST: {
        if (!cJSON_IsArray(v))
            return 0;
        const cJSON *e;
        cJSON_ArrayForEach(e, v)
        {
            if (!cJSON_IsString(e))
                return 0;
        }
        return 1;
    }
    case SK_PARAM_JSON: return 1;
    }
    return 0;
}

static const sk_param_def *find(const sk_scorer_def *def, const char *name)
{
    for (const sk_param_def *p = def->params; p && p->name; p++)
        if (strcmp(p->name, name) == 0)
            return p;
    return NULL;
}

static char *known_list(const sk_scorer_def *def)
{
    sk_buf b = {0};
    for (const sk_param_def *p = def->params; p && p->name; p++) {
        if (b.len)
            sk_buf_adds(&b, ", ");
        sk_buf_adds(&b, p->name);
    }
    if (!b.len)
        sk_buf_adds(&b, "none");
    return b.data;
}

/* Exactly one value by the strict grammar (cJSON_Parse would take "1.2.3"
 * as 1.2), and safe on the worker threads where sk.score resolves params. */
static cJSON *parse_strict(const char *text)
{
    return sk_json_parse_cstr(text);
}

int sk_params_check_defs(const sk_scorer_def *def, const char *where, char **err)
{
    for (const sk_param_def *p = def->params; p && p->name; p++) {
        if (p->type < SK_PARAM_BOOL || p->type > SK_PARAM_JSON)
            return sk_errf(err, SK_EINVAL, "%s: scorer %s: param %s has unknown type %d", where,
                           def->name, p->name, (int)p->type);
        if (!p->default_json)
            continue;
        cJSON *v = parse_strict(p->default_json);
        int ok = v && (type_ok(p->type, v) || cJSON_IsNull(v));
        cJSON_Delete(v);
        if (!ok)
            return sk_errf(err, SK_EINVAL,
                           "%s: scorer %s: the default of param %s (%s) is not a JSON %s; this "
                           "is a bug in the scorer",
                           where, def->name, p->name, p->default_json, sk_param_type_name(p->type));
    }
    return SK_OK;
}

int sk_params_resolve(const sk_scorer_def *def, const char *where, const cJSON *given, char **out,
                      char **err)
{
    *out = NULL;
    if (given && !cJSON_IsObject(given) && !cJSON_IsNull(given))
        return sk_errf(err, SK_EINVAL, "%s: \"params\" must be a JSON object", where);

    const cJSON *g;
    if (given && cJSON_IsObject(given)) {
        cJSON_ArrayForEach(g, given)
        {
            const sk_param_def *p = find(def, g->string);
            if (!p) {
                char *known = known_list(def);
                size_t n = 0;
                for (const sk_param_def *q = def->params; q && q->name; q++)
                    n++;
                const char **names = sk_xcalloc(n + 1, sizeof *names);
                for (size_t i = 0; i < n; i++)
                    names[i] = def->params[i].name;
                const char *near = sk_suggest(g->string, names, n);
                char *hint = near ? sk_asprintf(" (did you mean \"%s\"?)", near) : sk_xstrdup("");
                int rc =
                    sk_errf(err, SK_EINVAL, "%s: unknown param \"%s\"%s; this scorer takes: %s",
                            where, g->string, hint, known);
                free(hint);
                free(names);
                free(known);
                return rc;
            }
            int unset = cJSON_IsNull(g) && p->default_json && strcmp(p->default_json, "null") == 0;
            if (!type_ok(p->type, g) && !unset)
                return sk_errf(err, SK_EINVAL, "%s: param \"%s\" must be of type %s", where,
                               g->string, sk_param_type_name(p->type));
        }
    }

    cJSON *full = cJSON_CreateObject();
    for (const sk_param_def *p = def->params; p && p->name; p++) {
        const cJSON *v = given ? cJSON_GetObjectItemCaseSensitive(given, p->name) : NULL;
        cJSON *copy = NULL;
        if (v) {
            copy = cJSON_Duplicate(v, 1);
        } else if (p->default_json) {
            copy = parse_strict(p->default_json);
            if (copy && !type_ok(p->type, copy) && !cJSON_IsNull(copy)) {
                cJSON_Delete(copy);
                copy = NULL;
            }
            if (!copy) {
                cJSON_Delete(full);
                return sk_errf(err, SK_EINVAL,
                               "%s: the scorer's default for \"%s\" (%s) is not one JSON %s; "
                               "this is a bug in the scorer",
                               where, p->name, p->default_json, sk_param_type_name(p->type));
            }
        } else {
            cJSON_Delete(full);
            return sk_errf(err, SK_EINVAL, "%s: param \"%s\" is required (%s)", where, p->name,
                           p->doc ? p->doc : sk_param_type_name(p->type));
        }
        cJSON_AddItemToObject(full, p->name, copy);
    }
    /* Numbers as the pack wrote them: a schema's enum of 19-digit ids
     * must reach the scorer whole, not as doubles. */
    *out = sk_json_print(full);
    cJSON_Delete(full);
    return SK_OK;
}
