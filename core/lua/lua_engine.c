/*
 * The Lua scorer engine (see lua_engine.h): loading a script and checking
 * its table, per-worker states, turning cases into Lua values and Lua
 * results into verdicts.  Composition (sk.score) is in lua_compose.c.
 */
#include "lua/lua_engine.h"

#include <lauxlib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "base/fileutil.h"
#include "lua/lua_compose.h"
#include "lua/lua_json.h"
#include "base/util.h"

struct sk_lua_script {
    char *path, *display;
    char *source;
    size_t len;
    sk_lua_limits lim;
    sk_scorer_def def;
    sk_param_def *params; /* def.params; strings owned */
    char *name, *summary, *meta_cases;
    char **composes; /* what sk.score calls (lua_compose.h) */
    size_t ncomposes;
    const sk_engine_lookup *lookup; /* for sk.score; NULL outside a pack */
};

/* Per worker: a state with the script compiled and run once. */
typedef struct lstate {
    sk_lua_vm vm;
    const sk_lua_script *script;
    char *params_json;
    int score_ref;
    int params_ref;         /* the params table calls get */
    int pristine_ref;       /* the same params, never shown to the script */
    int case_ref;           /* the case table, emptied for each call */
    const sk_case *current; /* the case being scored, during score() only */
    sk_lua_compose compose;
} lstate;

/* The case's fields are converted when the script first reads them: a
 * scorer that looks at output and expected never pays for input and
 * metadata.  One case table per state is emptied and reused row after row
 * (see lua_engine.h). */
static const char *const lazy_fields[] = {"input", "output", "expected", "metadata"};

static const char *const script_keys[] = {
    "name",     "summary",        "params",   "score", "meta_cases", "accepts", "nondeterministic",
    "uses_llm", "needs_expected", "composes", NULL};

static int valid_name(const char *s)
{
    if (!*s)
        return 0;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
              *s == '_' || *s == '-' || *s == '.'))
            return 0;
    return 1;
}

/* ---- reading the script's table (at pack load) ---------------------- */

/* [-0, +0] table at -1: a string field, or NULL (absent); -1 wrong type. */
static int get_string(lua_State *L, const char *key, char **out)
{
    *out = NULL;
    lua_getfield(L, -1, key);
    int t = lua_type(L, -1);
    if (t == LUA_TSTRING)
        *out = sk_xstrdup(lua_tostring(L, -1));
    lua_pop(L, 1);
    return t == LUA_TSTRING || t == LUA_TNIL ? 0 : -1;
}

static int get_flag(lua_State *L, const char *key, unsigned bit, unsigned *flags)
{
    lua_getfield(L, -1, key);
    int t = lua_type(L, -1);
    if (lua_toboolean(L, -1))
        *flags |= bit;
    lua_pop(L, 1);
    return t == LUA_TBOOLEAN || t == LUA_TNIL ? 0 : -1;
}

static int type_from_name(const char *s, sk_param_type *t)
{
    static const struct {
        const char *name;
        sk_param_type t;
    } map[] = {{"bool", SK_PARAM_BOOL},     {"boolean", SK_PARAM_BOOL},
               {"number", SK_PARAM_NUMBER}, {"integer", SK_PARAM_INTEGER},
               {"string", SK_PARAM_STRING}, {"list", SK_PARAM_STRING_LIST},
               {"json", SK_PARAM_JSON}};
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        if (strcmp(map[i].name, s) == 0) {
            *t = map[i].t;
            return 0;
        }
    return -1;
}

/* The type a default implies: every number is a "number" (a default of 1
 * must not forbid 0.5; say type = "integer" for integers). */
static sk_param_type type_of_value(lua_State *L, int idx)
{
    switch (lua_type(L, idx)) {
    case LUA_TBOOLEAN: return SK_PARAM_BOOL;
    case LUA_TNUMBER: return SK_PARAM_NUMBER;
    case LUA_TSTRING: return SK_PARAM_STRING;
    case LUA_TTABLE: {
        lua_Integer n = (lua_Integer)lua_rawlen(L, idx);
        for (lua_Integer i = 1; i <= n; i++) {
            int t = lua_rawgeti(L, idx, i);
            lua_pop(L, 1);
            if (t != LUA_TSTRING)
                return SK_PARAM_JSON;
        }
        return SK_PARAM_STRING_LIST;
    }
    }
    return SK_PARAM_JSON;
}

/* A declaration is a table with only type/default/doc keys. */
static int is_declaration(lua_State *L, int idx)
{
    if (lua_type(L, idx) != LUA_TTABLE || lua_rawlen(L, idx) > 0)
        return 0;
    int any = 0, only = 1;
    lua_pushnil(L);
    while (lua_next(L, idx)) {
        lua_pop(L, 1);
        if (lua_type(L, -1) == LUA_TSTRING) {
            const char *k = lua_tostring(L, -1);
            if (!strcmp(k, "type") || !strcmp(k, "default") || !strcmp(k, "doc"))
                any = 1;
            else
                only = 0;
        } else
            only = 0;
    }
    return any && only;
}

static int cmp_param(const void *a, const void *b)
{
    return strcmp(((const sk_param_def *)a)->name, ((const sk_param_def *)b)->name);
}

/* params = { NAME = default | {type=, default=, doc=} } at -1. */
static int read_params(lua_State *L, sk_lua_script *s, char *err, size_t errlen)
{
    lua_getfield(L, -1, "params");
    if (lua_isnil(L, -1)) {
        lua_pop(L, 1);
        s->params = sk_xcalloc(1, sizeof *s->params);
        return 0;
    }
    if (!lua_istable(L, -1)) {
        snprintf(err, errlen,
                 "params must be a table of NAME = default or {type=, default=, doc=}");
        lua_pop(L, 1);
        return -1;
    }
    size_t n = 0, cap = 8;
    s->params = sk_xcalloc(cap + 1, sizeof *s->params);
    int t = lua_gettop(L);
    lua_pushnil(L);
    while (lua_next(L, t)) { /* [+2] key, value */
        if (lua_type(L, -2) != LUA_TSTRING || !valid_name(lua_tostring(L, -2))) {
            snprintf(err, errlen, "params: every key must be a name like max_words");
            lua_settop(L, t - 1);
            return -1;
        }
        const char *name = lua_tostring(L, -2);
        if (n == cap) {
            cap *= 2;
            s->params = sk_xrealloc(s->params, (cap + 1) * sizeof *s->params);
        }
        sk_param_def *p = &s->params[n];
        memset(p, 0, sizeof *p);
        p->name = sk_xstrdup(name);
        n++;
        s->params[n].name = NULL;
        int v = lua_gettop(L), dflt = v;
        int has_default = 1;
        if (is_declaration(L, v)) {
            lua_getfield(L, v, "doc");
            if (lua_type(L, -1) == LUA_TSTRING)
                p->doc = sk_xstrdup(lua_tostring(L, -1));
            lua_getfield(L, v, "type");
            if (!lua_isnil(L, -1) &&
                (!lua_isstring(L, -1) || type_from_name(lua_tostring(L, -1), &p->type))) {
                snprintf(err, errlen,
                         "params.%s: type must be one of bool, number, integer, string, list, "
                         "json",
                         name);
                lua_settop(L, t - 1);
                return -1;
            }
            lua_getfield(L, v, "default");
            dflt = lua_gettop(L);
            has_default = !lua_isnil(L, dflt);
            if (!p->type && !has_default) {
                snprintf(err, errlen, "params.%s: give a default or a type", name);
                lua_settop(L, t - 1);
                return -1;
            }
        }
        if (!p->type)
            p->type = type_of_value(L, dflt);
        if (has_default && p->type == SK_PARAM_STRING_LIST && lua_istable(L, dflt) &&
            lua_rawlen(L, dflt) == 0) {
            p->default_json = sk_xstrdup("[]"); /* an empty {} means an empty list here */
        } else if (has_default) {
            sk_buf b = {0};
            char why[256];
            if (sk_lua_to_json(L, dflt, &b, why, sizeof why) != 0) {
                snprintf(err, errlen, "params.%s: the default cannot be JSON: %s", name, why);
                sk_buf_free(&b);
                lua_settop(L, t - 1);
                return -1;
            }
            p->default_json = b.data;
        }
        if (!p->doc)
            p->doc = sk_xstrdup("");
        lua_settop(L, v - 1); /* keep the key */
    }
    lua_pop(L, 1);
    qsort(s->params, n, sizeof *s->params, cmp_param); /* pairs() order is random */
    return 0;
}

static void add_compose(sk_lua_script *s, const char *name)
{
    for (size_t i = 0; i < s->ncomposes; i++)
        if (strcmp(s->composes[i], name) == 0)
            return;
    s->composes = sk_xrealloc(s->composes, (s->ncomposes + 1) * sizeof *s->composes);
    s->composes[s->ncomposes++] = sk_xstrdup(name);
}

static int read_table(lua_State *L, sk_lua_script *s, char *err, size_t errlen)
{
    if (!lua_istable(L, -1)) {
        snprintf(err, errlen,
                 "the script must end with `return { name = ..., score = ... }`; it "
                 "returned a %s",
                 luaL_typename(L, -1));
        return -1;
    }
    lua_pushnil(L);
    while (lua_next(L, -2)) {
        int known = 0;
        if (lua_type(L, -2) == LUA_TSTRING)
            for (const char *const *k = script_keys; *k; k++)
                known |= strcmp(*k, lua_tostring(L, -2)) == 0;
        if (!known && lua_type(L, -1) != LUA_TFUNCTION) {
            snprintf(err, errlen,
                     "unknown field %s%s%s in the returned table (fields: name, "
                     "summary, params, score, meta_cases, accepts, nondeterministic, "
                     "uses_llm, needs_expected, composes)",
                     lua_type(L, -2) == LUA_TSTRING ? "\"" : "",
                     lua_type(L, -2) == LUA_TSTRING ? lua_tostring(L, -2) : "(not a name)",
                     lua_type(L, -2) == LUA_TSTRING ? "\"" : "");
            lua_pop(L, 2);
            return -1;
        }
        lua_pop(L, 1);
    }
    if (get_string(L, "name", &s->name) || !s->name || !valid_name(s->name)) {
        snprintf(err, errlen, "name must be a string of letters, digits, '_', '-' or '.'");
        return -1;
    }
    if (get_string(L, "summary", &s->summary)) {
        snprintf(err, errlen, "summary must be a string");
        return -1;
    }
    if (!s->summary)
        s->summary = sk_xstrdup("");
    lua_getfield(L, -1, "score");
    int fn = lua_isfunction(L, -1);
    lua_pop(L, 1);
    if (!fn) {
        snprintf(err, errlen, "score must be a function(case, params)");
        return -1;
    }
    unsigned flags = 0;
    if (get_flag(L, "nondeterministic", SK_SCORER_NONDETERMINISTIC, &flags) ||
        get_flag(L, "uses_llm", SK_SCORER_USES_LLM, &flags) ||
        get_flag(L, "needs_expected", SK_SCORER_NEEDS_EXPECTED, &flags)) {
        snprintf(err, errlen, "nondeterministic, uses_llm and needs_expected must be booleans");
        return -1;
    }
    unsigned accepts = 0;
    lua_getfield(L, -1, "accepts");
    if (lua_istable(L, -1)) {
        static const char *const kinds[] = {"text", "number", "json", "list"};
        lua_Integer n = (lua_Integer)lua_rawlen(L, -1);
        for (lua_Integer i = 1; i <= n; i++) {
            lua_rawgeti(L, -1, i);
            const char *k = lua_tostring(L, -1);
            int found = 0;
            for (unsigned j = 0; k && j < 4; j++)
                if (strcmp(k, kinds[j]) == 0)
                    accepts |= 1u << j, found = 1;
            lua_pop(L, 1);
            if (!found) {
                lua_pop(L, 1);
                snprintf(err, errlen, "accepts: each entry must be text, number, json or list");
                return -1;
            }
        }
    } else if (!lua_isnil(L, -1)) {
        lua_pop(L, 1);
        snprintf(err, errlen, "accepts must be a list such as {\"text\", \"json\"}");
        return -1;
    }
    lua_pop(L, 1);
    lua_getfield(L, -1, "meta_cases");
    if (!lua_isnil(L, -1)) {
        sk_buf b = {0};
        char why[256];
        if (!lua_istable(L, -1) || sk_lua_to_json(L, -1, &b, why, sizeof why) != 0) {
            snprintf(err, errlen, "meta_cases must be a list of cases that can be JSON");
            sk_buf_free(&b);
            lua_pop(L, 1);
            return -1;
        }
        s->meta_cases = b.data;
    }
    lua_pop(L, 1);
    lua_getfield(L, -1, "composes");
    if (lua_istable(L, -1)) {
        lua_Integer n = (lua_Integer)lua_rawlen(L, -1);
        for (lua_Integer i = 1; i <= n; i++) {
            lua_rawgeti(L, -1, i);
            const char *k = lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : NULL;
            if (!k || !*k) {
                lua_pop(L, 2);
                snprintf(err, errlen, "composes: each entry must be a scorer's name");
                return -1;
            }
            add_compose(s, k);
            lua_pop(L, 1);
        }
    } else if (!lua_isnil(L, -1)) {
        lua_pop(L, 1);
        snprintf(err, errlen,
                 "composes must be a list of the scorers sk.score calls, such as {\"tone\"}");
        return -1;
    }
    lua_pop(L, 1);
    if (read_params(L, s, err, errlen))
        return -1;
    s->def.size = sizeof s->def;
    s->def.name = s->name;
    s->def.summary = s->summary;
    s->def.flags = flags; /* never thread-safe: one state per worker */
    s->def.accepts = accepts;
    s->def.params = s->params;
    return 0;
}

/* Compile and run the script once in vm; leaves its table at the top. */
static int run_chunk(sk_lua_vm *vm, const sk_lua_script *s, char *err, size_t errlen)
{
    if (sk_lua_vm_load(vm, s->source, s->len, s->display) != LUA_OK) {
        /* A syntax error already reads "display:LINE: message". */
        snprintf(err, errlen, "%s",
                 vm->out_of_memory ? "out of memory compiling the script"
                                   : lua_tostring(vm->L, -1));
        lua_pop(vm->L, 1);
        return -1;
    }
    if (sk_lua_vm_pcall(vm, 0, 1) != LUA_OK) {
        sk_lua_vm_error(vm, s->display, err, errlen);
        lua_pop(vm->L, 1);
        return -1;
    }
    return 0;
}

int sk_lua_script_load(sk_lua_script **out, const char *path, const char *display,
                       const sk_lua_limits *lim, char **err)
{
    *out = NULL;
    sk_lua_script *s = sk_xcalloc(1, sizeof *s);
    s->path = sk_xstrdup(path);
    s->display = sk_xstrdup(display);
    s->lim = *lim;
    int rc = sk_read_file(path, &s->source, &s->len, err);
    if (rc) {
        sk_lua_script_free(s);
        return rc;
    }
    sk_lua_compose_scan(s->source, s->len, &s->composes, &s->ncomposes);
    sk_lua_vm vm = {0};
    vm.lim = *lim;
    vm.scorer = s->display;
    char msg[2048];
    if (sk_lua_vm_open(&vm, msg, sizeof msg) != 0 || run_chunk(&vm, s, msg, sizeof msg) != 0) {
        sk_lua_vm_close(&vm);
        sk_lua_script_free(s);
        return sk_errf(err, SK_EINVAL, "%s", msg);
    }
    rc = read_table(vm.L, s, msg, sizeof msg);
    sk_lua_vm_close(&vm);
    if (rc) {
        rc = sk_errf(err, SK_EINVAL, "%s: %s", display, msg);
        sk_lua_script_free(s);
        return rc;
    }
    *out = s;
    return SK_OK;
}

const sk_scorer_def *sk_lua_script_def(const sk_lua_script *s)
{
    return &s->def;
}

const char *sk_lua_script_path(const sk_lua_script *s)
{
    return s->path;
}

const char *sk_lua_script_meta_cases(const sk_lua_script *s)
{
    return s->meta_cases;
}

void sk_lua_script_bind(sk_lua_script *s, const sk_engine_lookup *lookup)
{
    s->lookup = lookup;
}

void sk_lua_script_free(sk_lua_script *s)
{
    if (!s)
        return;
    for (sk_param_def *p = s->params; p && p->name; p++) {
        free((char *)p->name);
        free((char *)p->default_json);
        free((char *)p->doc);
    }
    free(s->params);
    for (size_t i = 0; i < s->ncomposes; i++)
        free(s->composes[i]);
    free(s->composes);
    free(s->name);
    free(s->summary);
    free(s->meta_cases);
    free(s->source);
    free(s->path);
    free(s->display);
    free(s);
}

/* ---- the engine ------------------------------------------------------ */

/* A case field as a Lua value: a JSON string is the string itself (no
 * decoding needed), anything else goes through the JSON converter. */
static void push_field(lua_State *L, const char *json, const char *text, size_t len)
{
    if (!json) {
        lua_pushnil(L);
        return;
    }
    const char *j = json;
    while (*j == ' ' || *j == '\t' || *j == '\n' || *j == '\r')
        j++;
    if (*j == '"') {
        lua_pushlstring(L, text, len);
        return;
    }
    char why[256];
    if (sk_lua_push_json(L, json, strlen(json), 1, why, sizeof why) != 0)
        luaL_error(L, "cannot convert a case field to Lua: %s", why);
}

/* __index of the case table: convert a field on first use, keep it.
 * [-0, +1] */
static int l_case_index(lua_State *L)
{
    lstate *ls = ((sk_lua_vm *)*(void **)lua_getextraspace(L))->owner;
    const sk_case *c = ls->current;
    const char *k = lua_type(L, 2) == LUA_TSTRING ? lua_tostring(L, 2) : NULL;
    if (!c || !k) {
        lua_pushnil(L);
        return 1;
    }
    if (strcmp(k, "input") == 0)
        push_field(L, c->input_json, c->input_text, c->input_len);
    else if (strcmp(k, "output") == 0)
        push_field(L, c->output_json, c->output_text, c->output_len);
    else if (strcmp(k, "expected") == 0)
        push_field(L, c->expected_json, c->expected_text, c->expected_len);
    else if (strcmp(k, "metadata") == 0)
        push_field(L, c->metadata_json, c->metadata_json,
                   c->metadata_json ? strlen(c->metadata_json) : 0);
    else {
        lua_pushnil(L);
        return 1;
    }
    lua_pushvalue(L, 2);
    lua_pushvalue(L, -2);
    lua_rawset(L, 1); /* case[k] = value: converted once */
    return 1;
}

/* __pairs: load every field first, so iterating sees the whole case. */
static int l_case_pairs(lua_State *L)
{
    for (size_t i = 0; i < sizeof lazy_fields / sizeof lazy_fields[0]; i++) {
        lua_getfield(L, 1, lazy_fields[i]);
        lua_pop(L, 1);
    }
    lua_getglobal(L, "next");
    lua_pushvalue(L, 1);
    lua_pushnil(L);
    return 3;
}

/* [-0, +1] the case table's metatable.  __metatable protects it:
 * getmetatable(case) answers "sk.case", so neither setmetatable nor an
 * assignment through it can change what a later call's case does. */
static int make_case_metatable(lua_State *L)
{
    lua_createtable(L, 0, 4);
    lua_pushcfunction(L, l_case_index);
    lua_setfield(L, -2, "__index");
    lua_pushcfunction(L, l_case_pairs);
    lua_setfield(L, -2, "__pairs");
    lua_pushliteral(L, "sk.case");
    lua_setfield(L, -2, "__name");
    lua_pushliteral(L, "sk.case");
    lua_setfield(L, -2, "__metatable");
    return 1;
}

/* (Re)build a worker's state: compile, run, keep score and params. */
static int build(lstate *ls, char *err, size_t errlen)
{
    const sk_lua_script *s = ls->script;
    if (sk_lua_vm_open(&ls->vm, err, errlen) != 0)
        return -1;
    lua_State *L = ls->vm.L;
    if (run_chunk(&ls->vm, s, err, errlen) != 0)
        goto fail;
    if (!lua_istable(L, -1) || lua_getfield(L, -1, "score") != LUA_TFUNCTION) {
        snprintf(err, errlen, "%s: score is no longer a function on a second run", s->display);
        goto fail;
    }
    ls->score_ref = luaL_ref(L, LUA_REGISTRYINDEX); /* [-1] */
    lua_pop(L, 1);
    for (int k = 0; k < 2; k++) {
        if (sk_lua_push_json(L, ls->params_json, strlen(ls->params_json), 1, err, errlen) != 0)
            goto fail;
        *(k ? &ls->pristine_ref : &ls->params_ref) = luaL_ref(L, LUA_REGISTRYINDEX);
    }
    lua_pushcfunction(L, make_case_metatable);
    if (lua_pcall(L, 0, 1, 0) != LUA_OK) {
        snprintf(err, errlen, "%s: out of memory creating the case metatable", s->display);
        goto fail;
    }
    lua_createtable(L, 0, 8); /* the case table, kept (and emptied) from call to call */
    lua_insert(L, -2);
    lua_setmetatable(L, -2);
    ls->case_ref = luaL_ref(L, LUA_REGISTRYINDEX);
    if (sk_lua_compose_open(&ls->compose, L, s->lookup, s->display,
                            (const char *const *)s->composes, s->ncomposes) != 0) {
        snprintf(err, errlen, "%s: out of memory setting up sk.score", s->display);
        goto fail;
    }
    return 0;
fail:
    sk_lua_vm_close(&ls->vm);
    return -1;
}

static int l_open(sk_host_ctx *host, const void *impl, const char *name, const char *params_json,
                  void **state, char **err)
{
    const sk_lua_script *s = impl;
    lstate *ls = sk_xcalloc(1, sizeof *ls);
    ls->script = s;
    ls->vm.lim = s->lim;
    ls->vm.scorer = name;
    ls->vm.owner = ls;
    ls->vm.host = host;
    ls->params_json = sk_xstrdup(params_json);
    char msg[2048];
    if (build(ls, msg, sizeof msg) != 0) {
        free(ls->params_json);
        free(ls);
        return sk_errf(err, SK_ESCORER, "scorer %s could not open: %s", name, msg);
    }
    *state = ls;
    return SK_OK;
}

/* Whether the values at a and b are the same params: equal raw, or tables
 * with the same metatable and the same keys holding the same values.  The
 * walk follows b's structure, the params as the pack gave them (JSON: no
 * cycles, bounded depth), so whatever a script made of a it ends.  Reads
 * raw; allocates nothing but stack.  [-0, +0, m] */
static int same_value(lua_State *L, int a, int b)
{
    a = lua_absindex(L, a);
    b = lua_absindex(L, b);
    if (lua_type(L, a) != LUA_TTABLE || lua_type(L, b) != LUA_TTABLE)
        return lua_rawequal(L, a, b);
    luaL_checkstack(L, 4, "checking the params");
    int same_mt;
    int ma = lua_getmetatable(L, a), mb = lua_getmetatable(L, b);
    same_mt = ma == mb && (!ma || lua_rawequal(L, -1, -2));
    lua_pop(L, ma + mb);
    if (!same_mt)
        return 0;
    size_t na = 0, nb = 0;
    lua_pushnil(L);
    while (lua_next(L, a)) { /* k va */
        na++;
        lua_pushvalue(L, -2); /* k va k */
        lua_rawget(L, b);     /* k va vb */
        int same = !lua_isnil(L, -1) && same_value(L, -2, -1);
        lua_pop(L, 2); /* k */
        if (!same) {
            lua_pop(L, 1);
            return 0;
        }
    }
    lua_pushnil(L);
    while (lua_next(L, b)) {
        nb++;
        lua_pop(L, 1);
    }
    return na == nb;
}

/* Push a copy of the value at idx: tables (the params' objects and arrays)
 * are copied through, with their metatable (the array marker); anything
 * else is itself.  The params come from JSON, so there is no cycle and the
 * depth is at most SK_LUA_JSON_MAX_DEPTH.  [-0, +1, m] */
static void copy_value(lua_State *L, int idx)
{
    idx = lua_absindex(L, idx);
    if (lua_type(L, idx) != LUA_TTABLE) {
        lua_pushvalue(L, idx);
        return;
    }
    luaL_checkstack(L, 4, "copying the params");
    lua_createtable(L, (int)lua_rawlen(L, idx), 0); /* copy */
    lua_pushnil(L);
    while (lua_next(L, idx)) { /* copy k v */
        copy_value(L, -1);     /* copy k v v' */
        lua_remove(L, -2);     /* copy k v' */
        lua_pushvalue(L, -2);  /* copy k v' k */
        lua_insert(L, -2);     /* copy k k v' */
        lua_rawset(L, -4);     /* copy k */
    }
    if (lua_getmetatable(L, idx)) /* copy mt */
        lua_setmetatable(L, -2);
}

typedef struct call_args {
    lstate *ls;
    const sk_case *c;
    sk_result *r;
    const sk_host *host;
} call_args;

/* Inside the protected call: build the case, call score(case, params),
 * turn what it returns into the verdict.  Anything that can fail raises,
 * and the caller reports it. */
static int call_score(lua_State *L)
{
    call_args *a = lua_touserdata(L, 1);
    const sk_case *c = a->c;
    lstate *ls = a->ls;
    lua_settop(L, 0);
    lua_rawgeti(L, LUA_REGISTRYINDEX, ls->score_ref);
    /* Nothing a call stores in its case or params reaches a later call:
     * the case is emptied of every key (the last row's fields, a memo the
     * script set), and its metatable is protected (make_case_metatable);
     * the params are checked against the pack's, and copied afresh when
     * an earlier call changed them. */
    lua_rawgeti(L, LUA_REGISTRYINDEX, ls->case_ref); /* score case */
    lua_pushnil(L);
    while (lua_next(L, -2)) { /* score case k v */
        lua_pop(L, 1);
        lua_pushvalue(L, -1);
        lua_pushnil(L);
        lua_rawset(L, -4); /* score case k */
    }
    lua_pushstring(L, c->id ? c->id : "");
    lua_setfield(L, -2, "id");
    lua_pushinteger(L, (lua_Integer)c->trial);
    lua_setfield(L, -2, "trial");
    ls->current = c;
    lua_rawgeti(L, LUA_REGISTRYINDEX, ls->params_ref);   /* score case params */
    lua_rawgeti(L, LUA_REGISTRYINDEX, ls->pristine_ref); /* score case params pristine */
    if (!same_value(L, -2, -1)) {
        /* An earlier call changed its params: this one gets them as the
         * pack gave them. */
        copy_value(L, -1); /* score case params pristine copy */
        lua_pushvalue(L, -1);
        lua_rawseti(L, LUA_REGISTRYINDEX, ls->params_ref);
        lua_replace(L, -3); /* score case copy pristine */
    }
    lua_pop(L, 1);     /* score case params */
    lua_call(L, 2, 2); /* [-3, +2] */

    const sk_host *h = a->host;
    sk_result *r = a->r;
    switch (lua_type(L, 1)) {
    case LUA_TNUMBER: h->set_score(r, lua_tonumber(L, 1)); return 0;
    case LUA_TNIL:
        if (lua_type(L, 2) == LUA_TSTRING) {
            h->set_skip(r, "%s", lua_tostring(L, 2));
            return 0;
        }
        return luaL_error(L, "score() returned nothing; return a number in [0,1], a table "
                             "{score=, rationale=, meta=}, or nil and a reason to skip the row");
    case LUA_TTABLE: break;
    default:
        return luaL_error(L,
                          "score() returned a %s; return a number in [0,1], a table "
                          "{score=, rationale=, meta=}, or nil and a reason",
                          luaL_typename(L, 1));
    }
    lua_getfield(L, 1, "score");
    if (lua_type(L, -1) != LUA_TNUMBER)
        return luaL_error(L, "the table score() returned has no number in its score field");
    h->set_score(r, lua_tonumber(L, -1));
    lua_getfield(L, 1, "rationale");
    if (!lua_isnil(L, -1)) {
        size_t n;
        const char *t = lua_tolstring(L, -1, &n);
        if (!t)
            return luaL_error(L, "rationale must be a string");
        h->set_rationale_text(r, t, n);
    }
    lua_getfield(L, 1, "meta");
    if (!lua_isnil(L, -1)) {
        sk_buf b = {0};
        char why[256];
        int bad = !lua_istable(L, -1) || sk_lua_to_json(L, -1, &b, why, sizeof why) != 0;
        if (!bad)
            h->set_meta(r, b.data);
        sk_buf_free(&b);
        if (bad)
            return luaL_error(L, "meta must be a table that can be JSON");
    }
    return 0;
}

static int l_score(sk_host_ctx *host, const void *impl, void *state, const sk_case *c, sk_result *r)
{
    const sk_lua_script *s = impl;
    lstate *ls = state;
    const sk_host *h = &host->table;
    /* This worker's host: sk.llm bills the row being scored. */
    ls->vm.host = host;
    char msg[2048];
    if (!ls->vm.L && build(ls, msg, sizeof msg) != 0) {
        h->set_error(r, "scorer %s could not restart after a failure: %s", s->display, msg);
        return 0;
    }
    lua_State *L = ls->vm.L;
    call_args a = {ls, c, r, h};
    lua_pushcfunction(L, call_score);
    lua_pushlightuserdata(L, &a);
    int rc = sk_lua_vm_pcall(&ls->vm, 1, 0);
    ls->current = NULL; /* a case kept by the script reads as empty from now on */
    if (rc != LUA_OK) {
        sk_lua_vm_error(&ls->vm, s->display, msg, sizeof msg);
        h->set_error(r, "%s", msg);
        if (ls->vm.out_of_memory) {
            /* Whatever filled the memory may still be reachable: the next
             * row gets a fresh state. */
            sk_lua_compose_close(&ls->compose, host);
            sk_lua_vm_close(&ls->vm);
        }
    }
    if (ls->vm.L)
        lua_settop(ls->vm.L, 0);
    return 0;
}

static void l_close(sk_host_ctx *host, const void *impl, void *state)
{
    (void)impl;
    lstate *ls = state;
    if (!ls)
        return;
    ls->vm.host = host; /* what the script's finalizers may still call */
    sk_lua_compose_close(&ls->compose, host);
    sk_lua_vm_close(&ls->vm);
    free(ls->params_json);
    free(ls);
}

static const sk_scorer_def *l_def(const void *impl)
{
    return sk_lua_script_def(impl);
}

static void l_release(void *impl)
{
    sk_lua_script_free(impl);
}

/* "lua": {"max_instructions": N, "max_memory_mb": M, "max_seconds": S},
 * on the pack (for every Lua scorer) or on one entry (overriding the
 * pack's). */
static int parse_limits(const cJSON *j, const char *where, sk_lua_limits *lim, char **err)
{
    if (!j)
        return SK_OK;
    if (!cJSON_IsObject(j))
        return sk_errf(err, SK_EINVAL,
                       "%s: \"lua\" must be an object like {\"max_instructions\": 10000000, "
                       "\"max_memory_mb\": 64, \"max_seconds\": 10}",
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
        else if (cJSON_IsNumber(k) && v > 0 && v <= 86400 && strcmp(k->string, "max_seconds") == 0)
            lim->seconds = v;
        else
            return sk_errf(err, SK_EINVAL,
                           "%s: lua.%s: expected max_instructions (a count >= 1), "
                           "max_memory_mb (MiB, 1 to 65536) or max_seconds (seconds per call, "
                           "more than 0 and at most 86400)",
                           where, k->string);
    }
    return SK_OK;
}

static int l_check_options(const cJSON *options, const char *where, char **err)
{
    sk_lua_limits lim = {SK_LUA_DEFAULT_INSTRUCTIONS, SK_LUA_DEFAULT_MEMORY,
                         SK_LUA_DEFAULT_SECONDS};
    return parse_limits(options, where, &lim, err);
}

/* "lua:..." (see sk_lua_resolve): the script is loaded, and checked, now,
 * under the pack's limits overridden by the entry's. */
static int l_resolve(const sk_engine_entry *e, const void **impl, char **origin, char **err)
{
    sk_lua_limits lim = {SK_LUA_DEFAULT_INSTRUCTIONS, SK_LUA_DEFAULT_MEMORY,
                         SK_LUA_DEFAULT_SECONDS};
    int rc = parse_limits(e->pack_options, e->pack_path ? e->pack_path : e->where, &lim, err);
    if (rc == SK_OK)
        rc = parse_limits(e->entry_options, e->where, &lim, err);
    if (rc)
        return rc;
    char *msg = NULL;
    char *dir = NULL;
    if (e->pack_path) {
        const char *slash = strrchr(e->pack_path, '/');
        dir = slash ? sk_xstrndup(e->pack_path, (size_t)(slash - e->pack_path)) : sk_xstrdup(".");
    }
    char *path = sk_lua_resolve(e->use, e->pack_path, dir, &msg);
    free(dir);
    if (!path) {
        rc = sk_errf(err, SK_ENOTFOUND, "%s: %s", e->where, msg);
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
    rc = sk_lua_script_load(&script, path, display, &lim, &msg);
    free(display);
    if (rc) {
        rc = sk_errf(err, rc, "%s: %s", e->where, msg);
        free(msg);
        free(path);
        return rc;
    }
    *impl = script;
    *origin = sk_asprintf("lua script %s", path);
    free(path);
    return SK_OK;
}

static const char *l_source_file(const void *impl, const struct sk_registry *reg)
{
    (void)reg;
    return sk_lua_script_path(impl);
}

static const char *l_meta_cases(const void *impl)
{
    return sk_lua_script_meta_cases(impl);
}

static const char *const *l_calls(const void *impl, size_t *n)
{
    const sk_lua_script *s = impl;
    *n = s->ncomposes;
    return (const char *const *)s->composes;
}

static void l_bind(const void *impl, const sk_engine_lookup *lookup)
{
    sk_lua_script_bind((sk_lua_script *)impl, lookup);
}

const sk_engine_ops sk_engine_lua = {
    .kind = "lua",
    .prefix = "lua:",
    .options_key = "lua",
    .named_by_def = 1,
    .check_options = l_check_options,
    .resolve = l_resolve,
    .open = l_open,
    .score = l_score,
    .close = l_close,
    .def = l_def,
    .release = l_release,
    .source_file = l_source_file,
    .meta_cases = l_meta_cases,
    .bind = l_bind,
    .calls = l_calls,
};

char *sk_lua_resolve(const char *use, const char *base_file, const char *project_dir, char **err)
{
    const char *rest = use + 4; /* after "lua:" */
    size_t n = strlen(rest);
    if (n == 0) {
        sk_errf(err, SK_EINVAL, "\"%s\": name a script after lua:, e.g. lua:scorers/tone.lua", use);
        return NULL;
    }
    if (n > 4 && strcmp(rest + n - 4, ".lua") == 0) {
        char *path = sk_path_beside(base_file, rest);
        if (!sk_is_file(path)) {
            sk_errf(err, SK_ENOTFOUND, "\"%s\": no file %s", use, path);
            free(path);
            return NULL;
        }
        return path;
    }
    if (!valid_name(rest)) {
        sk_errf(err, SK_EINVAL,
                "\"%s\": a named Lua scorer is letters, digits, '_' and '-' (or give a path "
                "ending in .lua)",
                use);
        return NULL;
    }
    char *rel = sk_asprintf("scorers/%s.lua", rest);
    if (project_dir) {
        char *p = sk_asprintf("%s/%s", project_dir, rel);
        if (sk_is_file(p)) {
            free(rel);
            return p;
        }
        free(p);
    }
    char *found = sk_lua_find(rel);
    if (!found)
        sk_errf(err, SK_ENOTFOUND,
                "\"%s\": no %s in the project or on the Lua path (%s); give a path ending in "
                ".lua for a script elsewhere",
                use, rel, sk_lua_path());
    free(rel);
    return found;
}
