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
#include "lua/lua_engine.h"
#include "engine/params.h"
#include "base/util.h"

/* "validate" (thresholds and meta-cases for `scorekit validate`) is read
 * by metaeval.c. */
static const char *const entry_keys[] = {"use",    "as",  "params",   "threshold",
                                         "weight", "lua", "validate", NULL};
static const char *const pack_keys[] = {"name", "version",  "description", "scorers",
                                        "lua",  "validate", NULL};

/* "lua": {"max_instructions": N, "max_memory_mb": M}, on the pack (for
 * every Lua scorer) or on one entry (overriding the pack's). */
static int parse_limits(const cJSON *j, const char *where, sk_lua_limits *lim, char **err)
{
    if (!j)
        return SK_OK;
    if (!cJSON_IsObject(j))
        return sk_errf(err, SK_EINVAL,
                       "%s: \"lua\" must be an object like {\"max_instructions\": 10000000, "
                       "\"max_memory_mb\": 64}",
                       where);
    const cJSON *k;
    cJSON_ArrayForEach(k, j)
    {
        double v = k->valuedouble;
        int ok = cJSON_IsNumber(k) && v >= 1 && v <= 1e15;
        if (ok && strcmp(k->string, "max_instructions") == 0)
            lim->instructions = (long long)v;
        else if (ok && strcmp(k->string, "max_memory_mb") == 0 && v <= 65536)
            lim->memory = (size_t)(v * 1024 * 1024);
        else
            return sk_errf(err, SK_EINVAL,
                           "%s: lua.%s: expected max_instructions (a count >= 1) or "
                           "max_memory_mb (MiB, 1 to 65536)",
                           where, k->string);
    }
    return SK_OK;
}

static int known(const char *const *keys, const char *k)
{
    for (; *keys; keys++)
        if (strcmp(*keys, k) == 0)
            return 1;
    return 0;
}

static int resolve_plugin(sk_pack_entry *e, const char *where, const cJSON *params,
                          const sk_registry *reg, char **err)
{
    const sk_scorer_def *def;
    const sk_plugin_info *info;
    char *msg = NULL;
    if (sk_registry_find(reg, e->use, &def, &info, &msg) != SK_OK) {
        int rc = sk_errf(err, SK_ENOTFOUND, "%s: %s", where, msg);
        free(msg);
        return rc;
    }
    int rc = sk_params_resolve(def, where, params, &e->params_json, err);
    if (rc)
        return rc;
    e->ops = &sk_engine_plugin;
    e->impl = def;
    e->flags = def->flags;
    e->summary = def->summary ? def->summary : "";
    e->origin = sk_asprintf("plugin %s %s (%s)", info->name, info->version, info->path);
    return SK_OK;
}

/* "lua:..." (see sk_lua_resolve): the script is loaded, and checked, now. */
static int resolve_lua(sk_pack_entry *e, const char *where, const cJSON *params,
                       const char *pack_path, const sk_lua_limits *lim, char **err)
{
    char *msg = NULL;
    char *dir = NULL;
    if (pack_path) {
        const char *slash = strrchr(pack_path, '/');
        dir = slash ? sk_xstrndup(pack_path, (size_t)(slash - pack_path)) : sk_xstrdup(".");
    }
    char *path = sk_lua_resolve(e->use, pack_path, dir, &msg);
    free(dir);
    if (!path) {
        int rc = sk_errf(err, SK_ENOTFOUND, "%s: %s", where, msg);
        free(msg);
        return rc;
    }
    sk_lua_script *script;
    /* Messages name the script as the pack wrote it ("scorers/tone.lua",
     * or "refusal.lua" for lua:refusal). */
    size_t n = strlen(e->use);
    char *display = n > 8 && strcmp(e->use + n - 4, ".lua") == 0
                        ? sk_xstrdup(e->use + 4)
                        : sk_asprintf("%s.lua", e->use + 4);
    int rc = sk_lua_script_load(&script, path, display, lim, &msg);
    free(display);
    if (rc) {
        rc = sk_errf(err, rc, "%s: %s", where, msg);
        free(msg);
        free(path);
        return rc;
    }
    e->ops = &sk_engine_lua;
    e->impl = script;
    const sk_scorer_def *def = sk_lua_script_def(script);
    e->flags = def->flags;
    e->summary = def->summary;
    e->origin = sk_asprintf("lua script %s", path);
    free(path);
    return sk_params_resolve(def, where, params, &e->params_json, err);
}

static int resolve_entry(sk_pack_entry *e, const char *where, const cJSON *params,
                         const char *pack_path, const sk_lua_limits *lim, const sk_registry *reg,
                         char **err)
{
    if (strncmp(e->use, "lua:", 4) == 0)
        return resolve_lua(e, where, params, pack_path, lim, err);
    return resolve_plugin(e, where, params, reg, err);
}

static int parse_entry(sk_pack_entry *e, const cJSON *j, size_t idx, const char *path,
                       sk_lua_limits lim, const sk_registry *reg, char **err)
{
    char where[512];
    snprintf(where, sizeof where, "%s: scorer #%zu", path, idx + 1);
    if (!cJSON_IsObject(j))
        return sk_errf(err, SK_EINVAL, "%s must be an object like {\"use\": \"levenshtein\"}",
                       where);
    const cJSON *k;
    cJSON_ArrayForEach(k, j)
    {
        if (!known(entry_keys, k->string))
            return sk_errf(err, SK_EINVAL,
                           "%s: unknown key \"%s\" (allowed: use, as, params, threshold, "
                           "weight, lua, validate)",
                           where, k->string);
    }
    const cJSON *use = cJSON_GetObjectItemCaseSensitive(j, "use");
    if (!cJSON_IsString(use) || !use->valuestring[0])
        return sk_errf(err, SK_EINVAL, "%s: \"use\" must name a scorer, e.g. \"levenshtein\"",
                       where);
    e->use = sk_xstrdup(use->valuestring);
    const cJSON *as = cJSON_GetObjectItemCaseSensitive(j, "as");
    if (as && (!cJSON_IsString(as) || !as->valuestring[0]))
        return sk_errf(err, SK_EINVAL, "%s (%s): \"as\" must be a non-empty string", where, e->use);
    e->name = sk_xstrdup(as ? as->valuestring : e->use);
    snprintf(where, sizeof where, "%s: scorer \"%s\"", path, e->name);

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
    int rc = parse_limits(cJSON_GetObjectItemCaseSensitive(j, "lua"), where, &lim, err);
    if (rc)
        return rc;
    rc = resolve_entry(e, where, cJSON_GetObjectItemCaseSensitive(j, "params"), path, &lim, reg,
                       err);
    if (rc == SK_OK && !as && e->ops == &sk_engine_lua) {
        /* A Lua scorer is shown by the name its script gives. */
        free(e->name);
        e->name = sk_xstrdup(e->ops->def(e->impl)->name);
    }
    return rc;
}

/* sk.score in a Lua scorer may call the pack's other scorers. */
static void set_lua_context(sk_pack *p, const sk_registry *reg)
{
    for (size_t i = 0; i < p->n; i++)
        if (p->entries[i].ops == &sk_engine_lua)
            sk_lua_script_set_context((sk_lua_script *)p->entries[i].impl, p, reg);
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

int sk_pack_parse(sk_pack **out, const char *text, size_t len, const char *path,
                  const sk_registry *reg, char **err)
{
    *out = NULL;
    const char *end = NULL;
    cJSON *root = cJSON_ParseWithLengthOpts(text, len, &end, 0);
    size_t off = end ? (size_t)(end - text) : 0;
    const char *what = "not valid JSON near here";
    if (root) {
        /* cJSON stops after the first value; anything but space after it
         * (a stray brace, two packs pasted together) is an error too. */
        while (off < len &&
               (text[off] == ' ' || text[off] == '\t' || text[off] == '\n' || text[off] == '\r'))
            off++;
        if (off < len) {
            cJSON_Delete(root);
            root = NULL;
            what = "unexpected text after the pack's closing brace";
        }
    }
    if (!root) {
        size_t line = 1, col = 1;
        for (size_t i = 0; i < off && i < len; i++, col++)
            if (text[i] == '\n')
                line++, col = 0;
        return sk_errf(err, SK_EPARSE, "%s:%zu:%zu: %s", path, line, col, what);
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
    const cJSON *k;
    cJSON_ArrayForEach(k, root)
    {
        if (!known(pack_keys, k->string)) {
            rc = sk_errf(err, SK_EINVAL,
                         "%s: unknown key \"%s\" (allowed: name, version, description, scorers, "
                         "lua, validate)",
                         path, k->string);
            goto out;
        }
    }
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
    sk_lua_limits lim = {SK_LUA_DEFAULT_INSTRUCTIONS, SK_LUA_DEFAULT_MEMORY};
    rc = parse_limits(cJSON_GetObjectItemCaseSensitive(root, "lua"), path, &lim, err);
    if (rc)
        goto out;
    p->entries = sk_xcalloc((size_t)cJSON_GetArraySize(scorers), sizeof *p->entries);
    const cJSON *s;
    cJSON_ArrayForEach(s, scorers)
    {
        rc = parse_entry(&p->entries[p->n], s, p->n, path, lim, reg, err);
        p->n++;
        if (rc)
            goto out;
    }
    rc = check_unique(p, path, err);
    if (rc == SK_OK)
        set_lua_context(p, reg);
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
        sk_lua_limits lim = {SK_LUA_DEFAULT_INSTRUCTIONS, SK_LUA_DEFAULT_MEMORY};
        rc = resolve_entry(e, where, NULL, NULL, &lim, reg, err);
        if (rc == SK_OK && e->ops == &sk_engine_lua) {
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

int sk_pack_open(const sk_pack *pack, void **states, char **err)
{
    for (size_t i = 0; i < pack->n; i++) {
        const sk_pack_entry *e = &pack->entries[i];
        char *msg = NULL;
        if (e->ops->open(e->impl, e->name, e->params_json, &states[i], &msg) != SK_OK) {
            int rc = sk_errf(err, SK_ESCORER, "%s%s%s", pack->path ? pack->path : "",
                             pack->path ? ": " : "", msg);
            free(msg);
            while (i-- > 0)
                pack->entries[i].ops->close(pack->entries[i].impl, states[i]);
            return rc;
        }
    }
    return SK_OK;
}

void sk_pack_close(const sk_pack *pack, void **states)
{
    for (size_t i = 0; i < pack->n; i++)
        pack->entries[i].ops->close(pack->entries[i].impl, states[i]);
}

int sk_pack_open_shared(const sk_pack *pack, void ***shared, char **err)
{
    *shared = sk_xcalloc(pack->n ? pack->n : 1, sizeof(void *));
    for (size_t i = 0; i < pack->n; i++) {
        const sk_pack_entry *e = &pack->entries[i];
        if (!(e->flags & SK_SCORER_THREAD_SAFE))
            continue;
        char *msg = NULL;
        if (e->ops->open(e->impl, e->name, e->params_json, &(*shared)[i], &msg) != SK_OK) {
            int rc = sk_errf(err, SK_ESCORER, "%s", msg);
            free(msg);
            while (i-- > 0)
                if (pack->entries[i].flags & SK_SCORER_THREAD_SAFE)
                    pack->entries[i].ops->close(pack->entries[i].impl, (*shared)[i]);
            free(*shared);
            *shared = NULL;
            return rc;
        }
    }
    return SK_OK;
}

int sk_pack_open_worker(const sk_pack *pack, void *const *shared, void **states, char **err)
{
    for (size_t i = 0; i < pack->n; i++) {
        const sk_pack_entry *e = &pack->entries[i];
        if (e->flags & SK_SCORER_THREAD_SAFE) {
            states[i] = shared[i];
            continue;
        }
        char *msg = NULL;
        if (e->ops->open(e->impl, e->name, e->params_json, &states[i], &msg) != SK_OK) {
            int rc = sk_errf(err, SK_ESCORER, "%s", msg);
            free(msg);
            while (i-- > 0)
                if (!(pack->entries[i].flags & SK_SCORER_THREAD_SAFE))
                    pack->entries[i].ops->close(pack->entries[i].impl, states[i]);
            return rc;
        }
    }
    return SK_OK;
}

void sk_pack_close_worker(const sk_pack *pack, void **states)
{
    for (size_t i = 0; i < pack->n; i++)
        if (!(pack->entries[i].flags & SK_SCORER_THREAD_SAFE))
            pack->entries[i].ops->close(pack->entries[i].impl, states[i]);
}

void sk_pack_close_shared(const sk_pack *pack, void **shared)
{
    if (!shared)
        return;
    for (size_t i = 0; i < pack->n; i++)
        if (pack->entries[i].flags & SK_SCORER_THREAD_SAFE)
            pack->entries[i].ops->close(pack->entries[i].impl, shared[i]);
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
