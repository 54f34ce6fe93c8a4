/* Loading and opening scorer packs (see pack.h). */
#include "engine/pack.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "base/fileutil.h"
#include "base/json_keys.h"
#include "base/json_tree.h"
#include "base/row.h"
#include "engine/params.h"
#include "base/util.h"

/* "validate" (thresholds and meta-cases for `scorekit validate`) is read
 * by metaeval.c. */
static const char *const entry_keys[] = {"use",    "as",      "params", "threshold",
                                         "weight", "reducer", NULL};
static const char *const pack_keys[] = {"name", "version", "description", "scorers", NULL};

/* An entry's engine resolves it: the engine its "use" prefix names, else
 * the plugin engine.  root is the pack (NULL for --scorer) and j the entry
 * (NULL for --scorer), for the engine's options. */
static int resolve_entry(sk_pack_entry *e, const char *where, const cJSON *params,
                         const char *pack_path, const cJSON *root, const cJSON *j,
                         const sk_registry *reg, char **err)
{
    const sk_engine_ops *ops = sk_registry_engine_for(reg, e->use);
    const char *key = ops->options_key;
    sk_engine_entry ee = {
        .use = e->use,
        .where = where,
        .pack_path = pack_path,
        .pack_options = key && root ? cJSON_GetObjectItemCaseSensitive(root, key) : NULL,
        .entry_options = key && j ? cJSON_GetObjectItemCaseSensitive(j, key) : NULL,
        .params = params,
        .reg = reg,
    };
    const void *impl = NULL;
    int rc = ops->resolve(&ee, &impl, &e->origin, err);
    if (rc)
        return rc;
    e->ops = ops;
    e->impl = impl;
    const sk_scorer_def *def = ops->def(impl);
    e->flags = def->flags;
    e->summary = def->summary ? def->summary : "";
    return sk_params_resolve(def, where, params, &e->params_json, err);
}

static size_t entry_line(const char *t, size_t n, size_t idx);

/* The keys a pack and its entries may hold beside their own: each
 * engine's options key ("lua") and "validate".  NULL-terminated; the
 * strings are borrowed; caller frees the array. */
static const char **extra_keys(const sk_registry *reg)
{
    size_t n = 0;
    while (sk_registry_engine_get(reg, n))
        n++;
    const char **keys = sk_xcalloc(n + 2, sizeof *keys);
    size_t k = 0;
    const sk_engine_ops *ops;
    for (size_t i = 0; (ops = sk_registry_engine_get(reg, i)) != NULL; i++)
        if (ops->options_key)
            keys[k++] = ops->options_key;
    keys[k] = "validate";
    return keys;
}

static int parse_entry(sk_pack_entry *e, const cJSON *j, size_t idx, const sk_json_src *src,
                       const cJSON *root, const sk_registry *reg, char **err)
{
    const char *path = src->file;
    char where[512], ptr[64];
    snprintf(ptr, sizeof ptr, "/scorers/%zu", idx);
    snprintf(where, sizeof where, "scorer #%zu", idx + 1);
    const char **extra = extra_keys(reg);
    int krc = sk_json_check_keys(j, entry_keys, extra, where, NULL, src, ptr, err);
    free(extra);
    if (krc)
        return krc;
    /* Every later message of the entry starts at the entry's line. */
    size_t line = entry_line(src->text, src->len, idx);
    char at[64] = "";
    if (line)
        snprintf(at, sizeof at, ":%zu", line);
    snprintf(where, sizeof where, "%s%s: scorer #%zu", path, at, idx + 1);
    if (!cJSON_IsObject(j))
        return sk_errf(err, SK_EINVAL, "%s must be an object like {\"use\": \"levenshtein\"}",
                       where);
    const cJSON *use = cJSON_GetObjectItemCaseSensitive(j, "use");
    if (!cJSON_IsString(use) || !use->valuestring[0])
        return sk_errf(err, SK_EINVAL, "%s: \"use\" must name a scorer, e.g. \"levenshtein\"",
                       where);
    e->use = sk_xstrdup(use->valuestring);
    const cJSON *as = cJSON_GetObjectItemCaseSensitive(j, "as");
    if (as && (!cJSON_IsString(as) || !as->valuestring[0]))
        return sk_errf(err, SK_EINVAL, "%s (%s): \"as\" must be a non-empty string", where, e->use);
    e->name = sk_xstrdup(as ? as->valuestring : e->use);
    snprintf(where, sizeof where, "%s%s: scorer \"%s\"", path, at, e->name);

    const cJSON *t = cJSON_GetObjectItemCaseSensitive(j, "threshold");
    if (t) {
        if (!cJSON_IsNumber(t) || !(t->valuedouble >= 0 && t->valuedouble <= 1))
            return sk_errf(err, SK_EINVAL, "%s: \"threshold\" must be a number in [0,1]", where);
        e->has_threshold = 1;
        e->threshold = t->valuedouble;
    }
    const cJSON *w = cJSON_GetObjectItemCaseSensitive(j, "weight");
    e->weight = 1.0;
    if (w) {
        if (!cJSON_IsNumber(w) || !(w->valuedouble >= 0) || !isfinite(w->valuedouble))
            return sk_errf(err, SK_EINVAL, "%s: \"weight\" must be a number >= 0", where);
        e->weight = w->valuedouble;
    }
    const cJSON *red = cJSON_GetObjectItemCaseSensitive(j, "reducer");
    if (red && (!cJSON_IsString(red) || sk_reducer_parse(red->valuestring, &e->reducer)))
        return sk_errf(err, SK_EINVAL,
                       "%s: \"reducer\" must be one of %s (how its trials add up "
                       "to the row's pass/fail)",
                       where, sk_reducer_names());
    if (red && !e->has_threshold && e->reducer != SK_REDUCE_MEAN)
        return sk_errf(err, SK_EINVAL,
                       "%s: \"reducer\": \"%s\" decides pass/fail, which needs a \"threshold\"",
                       where, red->valuestring);
    int rc = resolve_entry(e, where, cJSON_GetObjectItemCaseSensitive(j, "params"), path, root, j,
                           reg, err);
    if (rc == SK_OK && !as && e->ops->named_by_def) {
        /* A Lua scorer is shown by the name its script gives. */
        free(e->name);
        e->name = sk_xstrdup(e->ops->def(e->impl)->name);
    }
    return rc;
}

/* The pack's scorers by display name, then every plugin scorer. */
static int lookup_find(const void *ud, const char *name, const sk_engine_ops **ops,
                       const void **impl, const char **params_json, char **err)
{
    const sk_pack *p = ud;
    for (size_t i = 0; i < p->n; i++)
        if (strcmp(p->entries[i].name, name) == 0) {
            *ops = p->entries[i].ops;
            *impl = p->entries[i].impl;
            *params_json = p->entries[i].params_json;
            return 0;
        }
    const sk_scorer_def *def;
    if (!p->reg || sk_registry_find(p->reg, name, &def, NULL, err) != 0) {
        if (!p->reg)
            *err = sk_asprintf("no scorer named \"%s\" in the pack", name);
        return -1;
    }
    *ops = &sk_engine_plugin;
    *impl = def;
    *params_json = NULL;
    return 0;
}

/* A scorer may call the pack's other scorers (sk.score in Lua). */
static void bind_entries(sk_pack *p, const sk_registry *reg)
{
    p->reg = reg;
    p->lookup.find = lookup_find;
    p->lookup.ud = p;
    for (size_t i = 0; i < p->n; i++)
        if (p->entries[i].ops->bind) {
            p->entries[i].ops->bind(p->entries[i].impl, &p->lookup);
            /* What a scorer does may follow from whom it calls (a panel of
             * judges calls a model). */
            p->entries[i].flags = p->entries[i].ops->def(p->entries[i].impl)->flags;
        }
}

static int check_unique(const sk_pack *p, const char *path, char **err)
{
    for (size_t i = 0; i < p->n; i++)
        for (size_t j = 0; j < i; j++)
            if (strcmp(p->entries[i].name, p->entries[j].name) == 0)
                return sk_errf(err, SK_EINVAL,
                               "%s: two scorers are named \"%s\"; give one of them a different "
                               "\"as\" name",
                               path, p->entries[i].name);
    return SK_OK;
}

/* ---- scorers that compose themselves ----------------------------------- */

/* The line where entry idx of the top-level "scorers" array starts, or 0:
 * cJSON keeps no positions, so the text is walked again. */
static size_t entry_line(const char *t, size_t n, size_t idx)
{
    char ptr[40];
    snprintf(ptr, sizeof ptr, "/scorers/%zu", idx);
    return sk_json_key_line(t, n, ptr, NULL);
}

/* The entry a scorer of the pack calls by `name` (the pack's scorer of
 * that name, as the lookup finds it first), or -1 (a plugin scorer outside
 * the pack, or none: those call nothing back). */
static long callee(const sk_pack *p, const char *name)
{
    for (size_t i = 0; i < p->n; i++)
        if (strcmp(p->entries[i].name, name) == 0)
            return (long)i;
    return -1;
}

/* Depth-first search from entry i; state 1 on the path, 2 done.  On a
 * cycle, fills path[0..*len) with it (first entry repeated at the end)
 * and returns 1. */
static int find_cycle(const sk_pack *p, size_t i, int *state, size_t *stack, size_t depth,
                      size_t *path, size_t *len)
{
    state[i] = 1;
    stack[depth] = i;
    size_t n = 0;
    const sk_pack_entry *e = &p->entries[i];
    const char *const *names = e->ops->calls ? e->ops->calls(e->impl, &n) : NULL;
    for (size_t k = 0; k < n; k++) {
        long j = callee(p, names[k]);
        if (j < 0 || state[j] == 2)
            continue;
        if (state[j] == 1) {
            size_t from = 0;
            while (stack[from] != (size_t)j)
                from++;
            *len = 0;
            for (size_t d = from; d <= depth; d++)
                path[(*len)++] = stack[d];
            path[(*len)++] = (size_t)j;
            return 1;
        }
        if (find_cycle(p, (size_t)j, state, stack, depth + 1, path, len))
            return 1;
    }
    state[i] = 2;
    return 0;
}

/* Refuse a pack whose scorers call themselves, directly or through each
 * other, naming the chain.  What each calls is known before any row (the
 * engine's calls op: for Lua, from the script's source), so this holds
 * for every row. */
static int check_cycles(const sk_pack *p, const char *text, size_t len, char **err)
{
    int *state = sk_xcalloc(p->n, sizeof *state);
    size_t *stack = sk_xcalloc(p->n, sizeof *stack);
    size_t *path = sk_xcalloc(p->n + 1, sizeof *path);
    size_t plen = 0;
    int rc = SK_OK;
    for (size_t i = 0; i < p->n && rc == SK_OK; i++) {
        if (!p->entries[i].ops->calls || state[i])
            continue;
        if (!find_cycle(p, i, state, stack, 0, path, &plen))
            continue;
        sk_buf chain = {0};
        for (size_t k = 0; k < plen; k++)
            sk_buf_printf(&chain, "%s%s", k ? " -> " : "", p->entries[path[k]].name);
        char where[32] = "";
        size_t line = entry_line(text, len, path[0]);
        if (line)
            snprintf(where, sizeof where, ":%zu", line);
        rc = sk_errf(err, SK_EINVAL,
                     "%s%s: scorer \"%s\" composes itself through %s; a scorer may not call "
                     "itself, directly or through others: remove one of these sk.score calls",
                     p->path, where, p->entries[path[0]].name, chain.data);
        sk_buf_free(&chain);
    }
    free(state);
    free(stack);
    free(path);
    return rc;
}

/* What cJSON takes and strict JSON does not (a raw tab or line break in a
 * string, a number like .5) was a pack before packs were read strictly,
 * and still is, with its numbers as doubles as before; NULL when cJSON
 * refuses it too, or finds more than space after the value. */
static cJSON *lenient(const char *text, size_t len)
{
    const char *end = NULL;
    cJSON *root = cJSON_ParseWithLengthOpts(text, len, &end, 0);
    size_t off = root && end ? (size_t)(end - text) : len;
    while (off < len &&
           (text[off] == ' ' || text[off] == '\t' || text[off] == '\n' || text[off] == '\r'))
        off++;
    if (root && off < len) {
        cJSON_Delete(root);
        root = NULL;
    }
    return root;
}

int sk_pack_parse(sk_pack **out, const char *text, size_t len, const char *path,
                  const sk_registry *reg, char **err)
{
    *out = NULL;
    /* The strict grammar of rows, and a tree that keeps each number as
     * written (json_tree.h), so params reach their scorers digit for digit. */
    size_t bom = len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0; /* an editor's mark */
    size_t off = 0;
    char why[160];
    cJSON *root = NULL;
    if (sk_json_check(text + bom, len - bom, &off, why, sizeof why) == 0)
        root = sk_json_parse(text + bom, len - bom);
    else
        root = lenient(text + bom, len - bom);
    if (!root) {
        size_t line = 1, col = 1;
        for (size_t i = bom; i < bom + off && i < len; i++, col++)
            if (text[i] == '\n')
                line++, col = 0;
        return sk_errf(err, SK_EPARSE, "%s:%zu:%zu: not valid JSON: %s", path, line, col, why);
    }
    int rc = SK_OK;
    sk_pack *p = sk_xcalloc(1, sizeof *p);
    p->path = sk_xstrdup(path);
    if (!cJSON_IsObject(root)) {
        rc = sk_errf(err, SK_EINVAL,
                     "%s: a pack must be a JSON object with \"name\" and "
                     "\"scorers\"",
                     path);
        goto out;
    }
    sk_json_src src = {path, text + bom, len - bom};
    const char **extra = extra_keys(reg);
    rc = sk_json_check_keys(root, pack_keys, extra, NULL, NULL, &src, "", err);
    free(extra);
    if (rc)
        goto out;
    const cJSON *name = cJSON_GetObjectItemCaseSensitive(root, "name");
    const cJSON *version = cJSON_GetObjectItemCaseSensitive(root, "version");
    const cJSON *scorers = cJSON_GetObjectItemCaseSensitive(root, "scorers");
    if (!cJSON_IsString(name) || !name->valuestring[0]) {
        rc = sk_errf(err, SK_EINVAL, "%s: \"name\" must be a non-empty string", path);
        goto out;
    }
    if (version && !cJSON_IsString(version)) {
        rc = sk_errf(err, SK_EINVAL, "%s: \"version\" must be a string such as \"1.0\"", path);
        goto out;
    }
    if (!cJSON_IsArray(scorers) || cJSON_GetArraySize(scorers) == 0) {
        rc = sk_errf(err, SK_EINVAL, "%s: \"scorers\" must be a non-empty array", path);
        goto out;
    }
    p->name = sk_xstrdup(name->valuestring);
    p->version = sk_xstrdup(version ? version->valuestring : "0");
    const sk_engine_ops *ops;
    for (size_t i = 0; (ops = sk_registry_engine_get(reg, i)) != NULL; i++) {
        const cJSON *o =
            ops->options_key ? cJSON_GetObjectItemCaseSensitive(root, ops->options_key) : NULL;
        if (o && ops->check_options && (rc = ops->check_options(o, path, err)) != SK_OK)
            goto out;
    }
    p->entries = sk_xcalloc((size_t)cJSON_GetArraySize(scorers), sizeof *p->entries);
    const cJSON *s;
    cJSON_ArrayForEach(s, scorers)
    {
        rc = parse_entry(&p->entries[p->n], s, p->n, &src, root, reg, err);
        p->n++;
        if (rc)
            goto out;
    }
    rc = check_unique(p, path, err);
    if (rc == SK_OK)
        rc = check_cycles(p, text + bom, len - bom, err);
    if (rc == SK_OK)
        bind_entries(p, reg);
out:
    cJSON_Delete(root);
    if (rc)
        sk_pack_free(p);
    else
        *out = p;
    return rc;
}

int sk_pack_load(sk_pack **out, const char *path, const sk_registry *reg, char **err)
{
    size_t len;
    char *text;
    int rc = sk_read_file(path, &text, &len, err);
    if (rc)
        return rc;
    rc = sk_pack_parse(out, text, len, path, reg, err);
    free(text);
    return rc;
}

int sk_pack_from_names(sk_pack **out, const char *const *uses, size_t n, const sk_registry *reg,
                       char **err)
{
    *out = NULL;
    sk_pack *p = sk_xcalloc(1, sizeof *p);
    p->name = sk_xstrdup("command-line");
    p->version = sk_xstrdup("0");
    p->entries = sk_xcalloc(n ? n : 1, sizeof *p->entries);
    int rc = SK_OK;
    for (size_t i = 0; i < n && !rc; i++) {
        sk_pack_entry *e = &p->entries[p->n++];
        e->use = sk_xstrdup(uses[i]);
        e->name = sk_xstrdup(uses[i]);
        e->weight = 1.0;
        char *where = sk_asprintf("--scorer %s", uses[i]);
        rc = resolve_entry(e, where, NULL, NULL, NULL, NULL, reg, err);
        if (rc == SK_OK && e->ops->named_by_def) {
            free(e->name);
            e->name = sk_xstrdup(e->ops->def(e->impl)->name);
        }
        free(where);
    }
    if (!rc && n == 0)
        rc = sk_errf(err, SK_EINVAL, "no scorers given");
    if (!rc)
        rc = check_unique(p, "--scorer", err);
    if (rc)
        sk_pack_free(p);
    else
        *out = p;
    return rc;
}

int sk_pack_open(const sk_pack *pack, sk_host_ctx *host, void **states, char **err)
{
    for (size_t i = 0; i < pack->n; i++) {
        const sk_pack_entry *e = &pack->entries[i];
        char *msg = NULL;
        if (e->ops->open(host, e->impl, e->name, e->params_json, &states[i], &msg) != SK_OK) {
            int rc = sk_errf(err, SK_ESCORER, "%s%s%s", pack->path ? pack->path : "",
                             pack->path ? ": " : "", msg);
            free(msg);
            while (i-- > 0)
                pack->entries[i].ops->close(host, pack->entries[i].impl, states[i]);
            return rc;
        }
    }
    return SK_OK;
}

void sk_pack_close(const sk_pack *pack, sk_host_ctx *host, void **states)
{
    for (size_t i = 0; i < pack->n; i++)
        pack->entries[i].ops->close(host, pack->entries[i].impl, states[i]);
}

int sk_pack_open_shared(const sk_pack *pack, sk_host_ctx *host, void ***shared, char **err)
{
    *shared = sk_xcalloc(pack->n ? pack->n : 1, sizeof(void *));
    for (size_t i = 0; i < pack->n; i++) {
        const sk_pack_entry *e = &pack->entries[i];
        if (!(e->flags & SK_SCORER_THREAD_SAFE))
            continue;
        char *msg = NULL;
        if (e->ops->open(host, e->impl, e->name, e->params_json, &(*shared)[i], &msg) != SK_OK) {
            int rc = sk_errf(err, SK_ESCORER, "%s", msg);
            free(msg);
            while (i-- > 0)
                if (pack->entries[i].flags & SK_SCORER_THREAD_SAFE)
                    pack->entries[i].ops->close(host, pack->entries[i].impl, (*shared)[i]);
            free(*shared);
            *shared = NULL;
            return rc;
        }
    }
    return SK_OK;
}

int sk_pack_open_worker(const sk_pack *pack, sk_host_ctx *host, void *const *shared, void **states,
                        char **err)
{
    for (size_t i = 0; i < pack->n; i++) {
        const sk_pack_entry *e = &pack->entries[i];
        if (e->flags & SK_SCORER_THREAD_SAFE) {
            states[i] = shared[i];
            continue;
        }
        char *msg = NULL;
        if (e->ops->open(host, e->impl, e->name, e->params_json, &states[i], &msg) != SK_OK) {
            int rc = sk_errf(err, SK_ESCORER, "%s", msg);
            free(msg);
            while (i-- > 0)
                if (!(pack->entries[i].flags & SK_SCORER_THREAD_SAFE))
                    pack->entries[i].ops->close(host, pack->entries[i].impl, states[i]);
            return rc;
        }
    }
    return SK_OK;
}

void sk_pack_close_worker(const sk_pack *pack, sk_host_ctx *host, void **states)
{
    for (size_t i = 0; i < pack->n; i++)
        if (!(pack->entries[i].flags & SK_SCORER_THREAD_SAFE))
            pack->entries[i].ops->close(host, pack->entries[i].impl, states[i]);
}

void sk_pack_close_shared(const sk_pack *pack, sk_host_ctx *host, void **shared)
{
    if (!shared)
        return;
    for (size_t i = 0; i < pack->n; i++)
        if (pack->entries[i].flags & SK_SCORER_THREAD_SAFE)
            pack->entries[i].ops->close(host, pack->entries[i].impl, shared[i]);
    free(shared);
}

char *sk_pack_describe(const sk_pack *pack)
{
    cJSON *root = cJSON_CreateObject();
    cJSON_AddStringToObject(root, "name", pack->name);
    cJSON_AddStringToObject(root, "version", pack->version);
    cJSON *arr = cJSON_AddArrayToObject(root, "scorers");
    for (size_t i = 0; i < pack->n; i++) {
        const sk_pack_entry *e = &pack->entries[i];
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "as", e->name);
        cJSON_AddStringToObject(o, "use", e->use);
        cJSON_AddStringToObject(o, "engine", e->ops->kind);
        cJSON_AddItemToObject(o, "params", cJSON_Parse(e->params_json));
        if (e->has_threshold)
            cJSON_AddNumberToObject(o, "threshold", e->threshold);
        cJSON_AddNumberToObject(o, "weight", e->weight);
        /* Only when not the default, so packs written before keep their hash. */
        if (e->reducer != SK_REDUCE_MEAN)
            cJSON_AddStringToObject(o, "reducer", sk_reducer_name(e->reducer));
        cJSON_AddItemToArray(arr, o);
    }
    char *s = cJSON_PrintUnformatted(root);
    cJSON_Delete(root);
    return s;
}

void sk_pack_free(sk_pack *pack)
{
    if (!pack)
        return;
    for (size_t i = 0; i < pack->n; i++) {
        if (pack->entries[i].ops && pack->entries[i].ops->release)
            pack->entries[i].ops->release((void *)pack->entries[i].impl);
        free(pack->entries[i].name);
        free(pack->entries[i].use);
        free(pack->entries[i].params_json);
        free(pack->entries[i].origin);
    }
    free(pack->entries);
    free(pack->name);
    free(pack->version);
    free(pack->path);
    free(pack);
}
