/* sk.score: scorers calling scorers (see lua_compose.h). */
#include "lua/lua_compose.h"

#include <lauxlib.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "base/util.h"
#include "base/json_tree.h"
#include "engine/host.h"
#include "engine/params.h"
#include "lua/lua_json.h"
#include "lua/lua_vm.h"

struct compose_entry {
    char *key; /* name '\n' params_json */
    const sk_engine_ops *ops;
    const void *impl;
    void *state;
};

/* Nesting across every state of this thread: a script that composes
 * itself would otherwise recurse until the stack ends.  Per thread by
 * nature, not per run or state: each level is a new state, and what runs
 * out is this thread's C stack. */
static _Thread_local int depth;

static int l_sk_score(lua_State *L);

static int install(lua_State *L)
{
    sk_lua_compose *c = lua_touserdata(L, 1);
    lua_getglobal(L, "sk");
    lua_pushlightuserdata(L, c);
    lua_pushcclosure(L, l_sk_score, 1);
    lua_setfield(L, -2, "score");
    return 0;
}

int sk_lua_compose_open(sk_lua_compose *c, lua_State *L, const sk_engine_lookup *lookup,
                        const char *caller, const char *const *names, size_t nnames)
{
    memset(c, 0, sizeof *c);
    c->lookup = lookup;
    c->caller = caller;
    c->names = names;
    c->nnames = nnames;
    lua_pushcfunction(L, install);
    lua_pushlightuserdata(L, c);
    return lua_pcall(L, 1, 0, 0) == LUA_OK ? 0 : (lua_pop(L, 1), -1);
}

void sk_lua_compose_close(sk_lua_compose *c, sk_host_ctx *host)
{
    for (size_t i = 0; i < c->n; i++) {
        c->open[i].ops->close(host, c->open[i].impl, c->open[i].state);
        free(c->open[i].key);
    }
    free(c->open);
    c->open = NULL;
    c->n = c->cap = 0;
}

/* ---- what a script composes, read from its source -------------------- */

/* The end of the long bracket [[...]] or [==[...]==] that opens at s[i],
 * or i when none opens there (len when it never closes). */
static size_t long_bracket_end(const char *s, size_t len, size_t i)
{
    size_t j = i + 1, level = 0;
    while (j < len && s[j] == '=')
        j++, level++;
    if (j >= len || s[j] != '[')
        return i;
    for (j++; j < len; j++) {
        if (s[j] != ']')
            continue;
        size_t k = j + 1, l = 0;
        while (k < len && s[k] == '=')
            k++, l++;
        if (l == level && k < len && s[k] == ']')
            return k + 1;
    }
    return len;
}

static int is_name_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

/* A token of the scan: kinds NAME, STRING (a quoted string without
 * escapes; other strings are OTHER), a punctuation byte, or OTHER. */
enum { T_NAME = 256, T_STRING, T_OTHER };
typedef struct token {
    int kind;
    const char *at;
    size_t len; /* a NAME's or STRING's text */
} token;

static int token_is(const token *t, const char *name)
{
    return t->kind == T_NAME && t->len == strlen(name) && memcmp(t->at, name, t->len) == 0;
}

static void add_name(char ***names, size_t *n, const char *at, size_t len)
{
    for (size_t i = 0; i < *n; i++)
        if (strlen((*names)[i]) == len && memcmp((*names)[i], at, len) == 0)
            return;
    *names = sk_xrealloc(*names, (*n + 1) * sizeof **names);
    (*names)[(*n)++] = sk_xstrndup(at, len);
}

void sk_lua_compose_scan(const char *s, size_t len, char ***names, size_t *n)
{
    token last[6] = {{0}}; /* the last tokens, newest at [5] */
    size_t i = 0;
    while (i < len) {
        char ch = s[i];
        token t = {T_OTHER, s + i, 0};
        if (ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r' || ch == '\f' || ch == '\v') {
            i++;
            continue;
        }
        if (ch == '-' && i + 1 < len && s[i + 1] == '-') { /* a comment: no token */
            size_t e = i + 2 < len && s[i + 2] == '[' ? long_bracket_end(s, len, i + 2) : i + 2;
            if (e == i + 2)
                while (e < len && s[e] != '\n')
                    e++;
            i = e;
            continue;
        }
        if (is_name_char(ch) && !(ch >= '0' && ch <= '9')) {
            size_t e = i;
            while (e < len && is_name_char(s[e]))
                e++;
            t = (token){T_NAME, s + i, e - i};
            i = e;
        } else if ((ch >= '0' && ch <= '9') ||
                   (ch == '.' && i + 1 < len && s[i + 1] >= '0' && s[i + 1] <= '9')) {
            size_t e = i;
            while (e < len && (is_name_char(s[e]) || s[e] == '.' ||
                               ((s[e] == '+' || s[e] == '-') && strchr("eEpP", s[e - 1]) != NULL)))
                e++;
            i = e;
        } else if (ch == '"' || ch == '\'') {
            size_t e = i + 1;
            int plain = 1;
            while (e < len && s[e] != ch && s[e] != '\n') {
                if (s[e] == '\\') {
                    plain = 0;
                    e++;
                }
                e++;
            }
            if (plain && e < len && s[e] == ch)
                t = (token){T_STRING, s + i + 1, e - i - 1};
            i = e < len ? e + 1 : len;
        } else if (ch == '[' && long_bracket_end(s, len, i) != i) {
            i = long_bracket_end(s, len, i);
        } else if (ch == '.' && i + 1 < len && s[i + 1] == '.') {
            while (i < len && s[i] == '.') /* .. and ... are not field access */
                i++;
        } else {
            t.kind = (unsigned char)ch;
            i++;
        }
        memmove(last, last + 1, 5 * sizeof *last);
        last[5] = t;
        /* sk . score ( "name", not as a field of something else (x.sk) */
        if (last[5].kind == T_STRING && last[5].len > 0 && last[4].kind == '(' &&
            token_is(&last[3], "score") && last[2].kind == '.' && token_is(&last[1], "sk") &&
            last[0].kind != '.' && last[0].kind != ':')
            add_name(names, n, last[5].at, last[5].len);
    }
}

/* Whether the calling script names `name` among the scorers it composes. */
static int names_it(const sk_lua_compose *c, const char *name)
{
    for (size_t i = 0; i < c->nnames; i++)
        if (strcmp(c->names[i], name) == 0)
            return 1;
    return 0;
}

/* What `name` refers to: a scorer of the pack, else a plugin scorer. */
static int find(const sk_lua_compose *c, const char *name, const sk_engine_ops **ops,
                const void **impl, const char **params_json, char **err)
{
    if (!c->lookup) {
        *err = sk_asprintf("no scorer named \"%s\" in the pack", name);
        return -1;
    }
    return c->lookup->find(c->lookup->ud, name, ops, impl, params_json, err);
}

/* A case field from the Lua table at idx: a string is its own text; any
 * other value is converted to JSON. */
typedef struct field {
    sk_buf json;
    const char *text;
    size_t len;
    int present;
} field;

static const char *get_field(lua_State *L, int idx, const char *key, field *f, char *why,
                             size_t whylen)
{
    memset(f, 0, sizeof *f);
    lua_getfield(L, idx, key);
    if (lua_isnil(L, -1)) {
        lua_pop(L, 1);
        return NULL;
    }
    f->present = 1;
    if (lua_type(L, -1) == LUA_TSTRING) {
        f->text = lua_tolstring(L, -1, &f->len); /* stays on the stack */
        sk_buf_add_json_string(&f->json, f->text, f->len);
        return NULL;
    }
    if (sk_lua_to_json(L, -1, &f->json, why, whylen) != 0)
        return key;
    sk_buf_addc(&f->json, '\0');
    f->json.len--;
    f->text = f->json.data;
    f->len = f->json.len;
    return NULL;
}

static int l_sk_score(lua_State *L)
{
    sk_lua_compose *c = lua_touserdata(L, lua_upvalueindex(1));
    /* The called scorer runs for the same row, so on the same host. */
    sk_host_ctx *host = sk_lua_vm_of(L)->host;
    const char *name = luaL_checkstring(L, 1);
    luaL_checktype(L, 2, LUA_TTABLE);
    if (!lua_isnoneornil(L, 3))
        luaL_checktype(L, 3, LUA_TTABLE);
    if (depth >= SK_LUA_COMPOSE_DEPTH)
        return luaL_error(L,
                          "sk.score(\"%s\"): scorers call each other more than %d deep; "
                          "shorten the chain",
                          name, SK_LUA_COMPOSE_DEPTH);

    const sk_engine_ops *ops;
    const void *impl;
    const char *pack_params;
    char *err = NULL;
    if (find(c, name, &ops, &impl, &pack_params, &err) != 0) {
        lua_pushfstring(L, "sk.score(\"%s\"): %s", name, err);
        free(err);
        return lua_error(L);
    }
    /* A scorer that can call others could call back: only those the
     * script names were checked for a cycle when the pack loaded. */
    if (ops->calls && !names_it(c, name))
        return luaL_error(L,
                          "sk.score(\"%s\"): \"%s\" is a scorer of the pack that may call others "
                          "(a Lua scorer), and %s does not name it, so the pack could not check "
                          "it for a cycle when it loaded; write the name out in the call "
                          "(sk.score(\"%s\", case)) or list it in the script's composes = {...}",
                          name, name, c->caller, name);

    /* Params: the pack's for a pack scorer, unless the call gives its own,
     * which are checked like a pack's. */
    char *params = NULL;
    if (!lua_isnoneornil(L, 3) || !pack_params) {
        cJSON *given = NULL;
        if (!lua_isnoneornil(L, 3)) {
            sk_buf b = {0};
            char why[256];
            if (sk_lua_to_json(L, 3, &b, why, sizeof why) != 0) {
                sk_buf_free(&b);
                return luaL_error(L, "sk.score(\"%s\"): params: %s", name, why);
            }
            given = sk_json_parse_cstr(b.data);
            sk_buf_free(&b);
        }
        char *where = sk_asprintf("sk.score(\"%s\") in %s", name, c->caller);
        int rc = sk_params_resolve(ops->def(impl), where, given, &params, &err);
        free(where);
        cJSON_Delete(given);
        if (rc) {
            lua_pushstring(L, err);
            free(err);
            return lua_error(L);
        }
    } else
        params = sk_xstrdup(pack_params);

    char *key = sk_asprintf("%s\n%s", name, params);
    struct compose_entry *e = NULL;
    for (size_t i = 0; i < c->n && !e; i++)
        if (strcmp(c->open[i].key, key) == 0)
            e = &c->open[i];
    if (!e) {
        void *state = NULL;
        int rc = ops->open(host, impl, name, params, &state, &err);
        if (rc) {
            free(key);
            free(params);
            lua_pushfstring(L, "sk.score(\"%s\"): %s", name, err);
            free(err);
            return lua_error(L);
        }
        c->open = sk_xgrow(c->open, &c->cap, c->n + 1, sizeof *c->open);
        e = &c->open[c->n++];
        e->key = key;
        e->ops = ops;
        e->impl = impl;
        e->state = state;
    } else
        free(key);
    free(params);

    /* The case, from the table the script passed. */
    static const char *const keys[] = {"input", "output", "expected", "metadata"};
    field f[4];
    char why[256];
    int top = lua_gettop(L);
    for (int i = 0; i < 4; i++) {
        const char *bad = get_field(L, 2, keys[i], &f[i], why, sizeof why);
        if (bad) {
            for (int j = 0; j <= i; j++)
                sk_buf_free(&f[j].json);
            return luaL_error(L, "sk.score(\"%s\"): case.%s: %s", name, bad, why);
        }
    }
    lua_getfield(L, 2, "id");
    sk_case cs = {0};
    cs.size = sizeof cs;
    cs.id = lua_isstring(L, -1) ? lua_tostring(L, -1) : "";
    cs.input_json = f[0].present ? f[0].json.data : "null";
    cs.input_text = f[0].present ? f[0].text : "null";
    cs.input_len = f[0].present ? f[0].len : 4;
    cs.output_json = f[1].present ? f[1].json.data : "null";
    cs.output_text = f[1].present ? f[1].text : "null";
    cs.output_len = f[1].present ? f[1].len : 4;
    if (f[2].present) {
        cs.expected_json = f[2].json.data;
        cs.expected_text = f[2].text;
        cs.expected_len = f[2].len;
    }
    cs.metadata_json = f[3].present ? f[3].json.data : NULL;

    sk_result r = {0};
    sk_result_reset(&r);
    unsigned flags = ops->def(impl)->flags;
    /* The caller pays for the case's conversion and for a Lua scorer's
     * instructions (charged below, once nothing here needs freeing). */
    long long units = 1;
    for (int i = 0; i < 4; i++)
        units += (long long)(f[i].json.len / 4);
    double t0 = sk_lua_clock();
    sk_lua_vm_take_last();
    depth++;
    if ((flags & SK_SCORER_NEEDS_EXPECTED) && !cs.expected_json)
        sk_result_skipf(&r, "the case has no expected value");
    else {
        sk_result_finish(&r, e->ops->score(host, e->impl, e->state, &cs, &r), name);
        units += sk_lua_vm_take_last(); /* a Lua scorer's own call; 0 for a plugin */
    }
    depth--;
    if (flags & SK_SCORER_USES_LLM) /* waiting for a model is not the script's time */
        sk_lua_vm_extend(L, sk_lua_clock() - t0);
    for (int i = 0; i < 4; i++)
        sk_buf_free(&f[i].json);
    lua_settop(L, top);

    int nres;
    switch (r.kind) {
    case SK_VERDICT_SCORE:
        lua_pushnumber(L, r.score);
        if (r.rationale.len)
            lua_pushlstring(L, r.rationale.data, r.rationale.len);
        else
            lua_pushnil(L);
        if (r.meta.len == 0 ||
            sk_lua_push_json(L, r.meta.data, r.meta.len, 1, why, sizeof why) != 0)
            lua_pushnil(L);
        nres = 3;
        break;
    case SK_VERDICT_SKIP:
        lua_pushnil(L);
        lua_pushlstring(L, r.message.data ? r.message.data : "", r.message.len);
        nres = 2;
        break;
    default:
        lua_pushfstring(L, "sk.score(\"%s\"): %s", name, r.message.data ? r.message.data : "");
        sk_result_free(&r);
        return lua_error(L);
    }
    sk_result_free(&r);
    sk_lua_vm_pay(L, units, "sk.score");
    return nres;
}
