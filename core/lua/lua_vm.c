/*
 * Sandboxed Lua states for Lua scorers (see lua_vm.h): the allocator that
 * caps memory, the count hook and the meter that cap instructions and
 * time, the allow-listed globals, and require() for the sk modules.
 */
#include "lua/lua_vm.h"

#include <lauxlib.h>
#include <lualib.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "config.h"
#include "base/fileutil.h"
#include "engine/host.h"
#include "lua/lua_json.h"
#include "lua/lua_llm.h"
#include "lua/lua_pattern.h"
#include "lua/lua_text.h"
#include "base/util.h"

#ifndef SK_LUA_DIR
#define SK_LUA_DIR "/usr/local/share/scorekit/lua"
#endif

/* The hook runs every HOOK_STEP VM instructions: often enough to stop a
 * runaway loop within microseconds, rarely enough to cost nothing. */
#define HOOK_STEP 1000

/* The clock is read once per CLOCK_STEP units charged: a few hundred
 * microseconds of work, so a call stops within about that much of its
 * time limit, and reading the clock costs nothing measurable. */
#define CLOCK_STEP 65536

static sk_lua_vm *vm_of(lua_State *L)
{
    return *(sk_lua_vm **)lua_getextraspace(L);
}

/* Lua's allocator contract: free on nsize 0; a failing shrink is not
 * allowed, so a shrink that realloc refuses keeps the old block. */
static void *l_alloc(void *ud, void *ptr, size_t osize, size_t nsize)
{
    sk_lua_vm *vm = ud;
    size_t old = ptr ? osize : 0;
    if (nsize == 0) {
        free(ptr);
        vm->mem -= old;
        return NULL;
    }
    if (nsize > old && vm->mem - old + nsize > vm->lim.memory) {
        vm->out_of_memory = 1;
        return NULL;
    }
    void *p = realloc(ptr, nsize);
    if (!p) {
        if (nsize <= old)
            return ptr;
        vm->out_of_memory = 1;
        return NULL;
    }
    vm->mem = vm->mem - old + nsize;
    return p;
}

double sk_lua_clock(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Add units to the call's count; 1 when the call must stop.  Once it must,
 * it must for good: every later charge says so again, so a script's own
 * pcall cannot catch the error and keep going. */
static int charge(sk_lua_vm *vm, long long units)
{
    if (vm->over_budget)
        return 1;
    vm->used += units;
    if (vm->used > vm->lim.instructions)
        return vm->over_budget = 1;
    if (vm->used >= vm->clock_at) {
        vm->clock_at = vm->used + CLOCK_STEP;
        if (sk_lua_clock() > vm->deadline)
            return vm->over_budget = vm->over_time = 1;
    }
    return 0;
}

/* Raise the error of a stopped call.  The text is for a script that looks
 * at it in a pcall it cannot leave; the row's message is sk_lua_vm_error's.
 * [-0, +1, v] */
static int raise_stop(lua_State *L, sk_lua_vm *vm, const char *what)
{
    if (!vm->over_in)
        vm->over_in = what;
    return luaL_error(L, "%s",
                      vm->over_time ? "time limit exceeded" : "instruction budget exceeded");
}

static void count_hook(lua_State *L, lua_Debug *ar)
{
    (void)ar;
    sk_lua_vm *vm = vm_of(L);
    if (charge(vm, HOOK_STEP))
        raise_stop(L, vm, NULL);
}

#define IN_PATTERN "a string pattern match (find/match/gmatch/gsub)"

/* The payer of string patterns (lua_pattern.h): a step costs one
 * instruction of the same budget, so a pattern that backtracks for ages is
 * stopped like a loop, and a script's pcall cannot catch that either. */
static void pattern_pay(lua_State *L, void *ud, long steps)
{
    sk_lua_vm *vm = ud;
    if (charge(vm, steps))
        raise_stop(L, vm, IN_PATTERN);
}

/* The meter of sk.* functions (lua_meter.h). */
static int meter_charge(void *ud, long long units)
{
    return charge(ud, units);
}

static int meter_stop(lua_State *L, void *ud, const char *what)
{
    return raise_stop(L, ud, what);
}

void sk_lua_vm_pay(lua_State *L, long long units, const char *what)
{
    sk_lua_vm *vm = vm_of(L);
    if (charge(vm, units))
        raise_stop(L, vm, what);
}

static _Thread_local long long last_used;

long long sk_lua_vm_take_last(void)
{
    long long n = last_used;
    last_used = 0;
    return n;
}

void sk_lua_vm_extend(lua_State *L, double seconds)
{
    vm_of(L)->deadline += seconds;
}

/* sk.llm.chat, timed out of the call: the wait for the model (its own
 * timeouts and retries bound it) moves the deadline instead of eating
 * max_seconds, which is for the script's own work. */
static int l_untimed(lua_State *L)
{
    double t0 = sk_lua_clock();
    lua_pushvalue(L, lua_upvalueindex(1)); /* [+1] the function */
    lua_insert(L, 1);
    int rc = lua_pcall(L, lua_gettop(L) - 1, LUA_MULTRET, 0);
    sk_lua_vm_extend(L, sk_lua_clock() - t0);
    if (rc != LUA_OK)
        return lua_error(L);
    return lua_gettop(L);
}

/* print(...) goes to the run's log, as sk.log does. */
static int l_sk_log(lua_State *L)
{
    int n = lua_gettop(L);
    luaL_Buffer b;
    luaL_buffinit(L, &b);
    for (int i = 1; i <= n; i++) {
        if (i > 1)
            luaL_addchar(&b, '\t');
        luaL_tolstring(L, i, NULL); /* [+1] */
        luaL_addvalue(&b);          /* [-1] */
    }
    luaL_pushresult(&b);
    sk_lua_vm *vm = vm_of(L);
    sk_host_log(SK_LOG_INFO, vm->scorer, "%s", lua_tostring(L, -1));
    return 0;
}

/* collectgarbage("count") only: scripts may look at memory, not steer the
 * collector (stopping it would turn the memory cap into a crash course). */
static int l_collectgarbage(lua_State *L)
{
    const char *opt = luaL_optstring(L, 1, "count");
    if (strcmp(opt, "count") != 0)
        return luaL_error(L,
                          "collectgarbage(\"%s\") is not allowed in a scorer; only "
                          "collectgarbage(\"count\")",
                          opt);
    lua_pushnumber(L, (lua_Number)lua_gc(L, LUA_GCCOUNT, 0) +
                          (lua_Number)lua_gc(L, LUA_GCCOUNTB, 0) / 1024.0);
    return 1;
}

/* load(chunk [, name [, mode [, env]]]) that compiles text only: bytecode
 * can break the VM's invariants. */
static int l_load(lua_State *L)
{
    int n = lua_gettop(L);
    lua_pushvalue(L, lua_upvalueindex(1)); /* the original load */
    lua_pushvalue(L, 1);
    if (n >= 2)
        lua_pushvalue(L, 2);
    else
        lua_pushnil(L);
    lua_pushliteral(L, "t");
    if (n >= 4)
        lua_pushvalue(L, 4);
    lua_call(L, n >= 4 ? 4 : 3, LUA_MULTRET);
    return lua_gettop(L) - n;
}

/* xpcall's message handler.  Lua calls it from inside the count hook for
 * the budget's own error, where hooks are off: a looping handler could
 * never be stopped there, so once the budget is spent it is skipped. */
static int l_handler_guard(lua_State *L)
{
    if (vm_of(L)->over_budget)
        return 1; /* the message as it is */
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_insert(L, 1);
    lua_call(L, lua_gettop(L) - 1, 1);
    return 1;
}

/* setmetatable without __gc: finalizers run with hooks off (and at
 * lua_close, after the call), where the budget cannot stop them. */
static int l_setmetatable(lua_State *L)
{
    /* The case's metatable is protected (lua_engine.c); say why. */
    int t = luaL_getmetafield(L, 1, "__name"); /* [+(0|1)] */
    if (t != LUA_TNIL) {
        int is_case = t == LUA_TSTRING && strcmp(lua_tostring(L, -1), "sk.case") == 0;
        lua_pop(L, 1);
        if (is_case)
            return luaL_error(L, "setmetatable: the case table's metatable cannot be changed "
                                 "(it reads the row's fields); copy the fields into a table of "
                                 "your own");
    }
    if (lua_type(L, 2) == LUA_TTABLE) {
        lua_pushliteral(L, "__gc");
        if (lua_rawget(L, 2) != LUA_TNIL)
            return luaL_error(L, "setmetatable: a __gc metamethod is not allowed in a scorer");
        lua_pop(L, 1);
    }
    lua_pushvalue(L, lua_upvalueindex(1)); /* the original setmetatable */
    lua_insert(L, 1);
    lua_call(L, lua_gettop(L) - 1, 1);
    return 1;
}

/* pcall and xpcall that cannot swallow a spent budget: once the hook has
 * fired, the error goes on up to the host whatever the script catches. */
static int l_pcall_guard(lua_State *L)
{
    int n = lua_gettop(L);
    if (lua_toboolean(L, lua_upvalueindex(2)) && lua_isfunction(L, 2)) {
        lua_pushvalue(L, 2); /* xpcall: the script's handler, guarded */
        lua_pushcclosure(L, l_handler_guard, 1);
        lua_replace(L, 2);
    }
    lua_pushvalue(L, lua_upvalueindex(1)); /* the original pcall or xpcall */
    lua_insert(L, 1);
    lua_call(L, n, LUA_MULTRET);
    if (vm_of(L)->over_budget)
        return raise_stop(L, vm_of(L), NULL);
    /* A memory error the script caught is not why a later call fails. */
    vm_of(L)->out_of_memory = 0;
    return lua_gettop(L);
}

/* require("sk") and require("sk.NAME"); nothing else. */
static int l_require(lua_State *L)
{
    size_t len;
    const char *name = luaL_checklstring(L, 1, &len);
    lua_getfield(L, LUA_REGISTRYINDEX, "sk.loaded"); /* [+1] cache */
    lua_getfield(L, -1, name);                       /* [+1] */
    if (!lua_isnil(L, -1))
        return 1;
    lua_pop(L, 1);
    if (strcmp(name, "sk") == 0) {
        lua_getglobal(L, "sk");
        return 1;
    }
    int ok = len > 3 && strncmp(name, "sk.", 3) == 0;
    for (size_t i = 3; ok && i < len; i++)
        ok = (name[i] >= 'a' && name[i] <= 'z') || (name[i] >= '0' && name[i] <= '9') ||
             name[i] == '_';
    if (!ok)
        return luaL_error(L,
                          "require(\"%s\"): scorers may only require \"sk\" and \"sk.NAME\" "
                          "modules (lowercase NAME)",
                          name);
    char rel[128];
    snprintf(rel, sizeof rel, "sk/%s.lua", name + 3);
    char *path = sk_lua_find(rel);
    if (!path)
        return luaL_error(L, "require(\"%s\"): no %s on the Lua path (%s)", name, rel,
                          sk_lua_path());
    char *text = NULL, *err = NULL;
    size_t n;
    int rc = sk_read_file(path, &text, &n, &err);
    free(path);
    if (rc) {
        lua_pushstring(L, err);
        free(err);
        return lua_error(L);
    }
    char chunk[160];
    snprintf(chunk, sizeof chunk, "@%s", rel);
    rc = luaL_loadbufferx(L, text, n, chunk, "t"); /* [+1] */
    free(text);
    if (rc != LUA_OK)
        return lua_error(L);
    lua_pushstring(L, name);
    lua_call(L, 1, 1); /* [-2, +1] the module */
    if (lua_isnil(L, -1)) {
        lua_pop(L, 1);
        lua_pushboolean(L, 1);
    }
    lua_pushvalue(L, -1);
    lua_setfield(L, -3, name); /* cache[name] = module */
    return 1;
}

static char lua_path[4096];
static pthread_once_t lua_path_once = PTHREAD_ONCE_INIT;

static void init_lua_path(void)
{
    const char *env = getenv("SCOREKIT_LUA_PATH");
    snprintf(lua_path, sizeof lua_path, "%s%s%s", env && *env ? env : "", env && *env ? ":" : "",
             SK_LUA_DIR);
}

const char *sk_lua_path(void)
{
    pthread_once(&lua_path_once, init_lua_path); /* workers may ask first */
    return lua_path;
}

char *sk_lua_find(const char *relpath)
{
    const char *p = sk_lua_path();
    while (*p) {
        const char *colon = strchr(p, ':');
        size_t n = colon ? (size_t)(colon - p) : strlen(p);
        if (n) {
            char *cand = sk_asprintf("%.*s/%s", (int)n, p, relpath);
            if (sk_is_file(cand))
                return cand;
            free(cand);
        }
        p += n + (colon ? 1 : 0);
    }
    return NULL;
}

/* Build the globals inside a protected call: any allocation may fail. */
static int setup(lua_State *L)
{
    static const luaL_Reg libs[] = {
        {LUA_GNAME, luaopen_base},       {LUA_STRLIBNAME, luaopen_string},
        {LUA_TABLIBNAME, luaopen_table}, {LUA_MATHLIBNAME, luaopen_math},
        {LUA_UTF8LIBNAME, luaopen_utf8}, {NULL, NULL}};
    for (const luaL_Reg *lib = libs; lib->func; lib++) {
        luaL_requiref(L, lib->name, lib->func, 1);
        lua_pop(L, 1);
    }
    static const char *const removed[] = {"dofile", "loadfile", NULL};
    for (const char *const *r = removed; *r; r++) {
        lua_pushnil(L);
        lua_setglobal(L, *r);
    }
    lua_getglobal(L, "string");
    lua_pushnil(L);
    lua_setfield(L, -2, "dump"); /* bytecode out means bytecode in */
    /* find/match/gmatch/gsub whose backtracking the budget can stop */
    sk_lua_pattern_install(L, -1, pattern_pay, vm_of(L));
    lua_pop(L, 1);

    /* Hide the string metatable: with it a script could change how every
     * string in the state behaves. */
    lua_pushliteral(L, "");
    lua_getmetatable(L, -1);
    lua_pushboolean(L, 0);
    lua_setfield(L, -2, "__metatable");
    lua_pop(L, 2);

    lua_getglobal(L, "load");
    lua_pushcclosure(L, l_load, 1);
    lua_setglobal(L, "load");
    static const char *const guarded[] = {"pcall", "xpcall", NULL};
    for (const char *const *g = guarded; *g; g++) {
        lua_getglobal(L, *g);
        lua_pushboolean(L, g != guarded); /* xpcall: guard its handler too */
        lua_pushcclosure(L, l_pcall_guard, 2);
        lua_setglobal(L, *g);
    }
    lua_getglobal(L, "setmetatable");
    lua_pushcclosure(L, l_setmetatable, 1);
    lua_setglobal(L, "setmetatable");
    lua_register(L, "collectgarbage", l_collectgarbage);
    lua_register(L, "print", l_sk_log);
    lua_register(L, "require", l_require);

    lua_newtable(L);
    lua_setfield(L, LUA_REGISTRYINDEX, "sk.loaded");

    sk_lua_json_init(L);
    lua_newtable(L); /* sk */
    sk_lua_json_open(L, &vm_of(L)->meter);
    sk_lua_text_open(L, &vm_of(L)->meter);
    sk_lua_llm_open(L, &vm_of(L)->host);
    lua_getfield(L, -1, "llm");
    lua_getfield(L, -1, "chat");
    lua_pushcclosure(L, l_untimed, 1);
    lua_setfield(L, -2, "chat");
    lua_pop(L, 1);
    lua_pushcfunction(L, l_sk_log);
    lua_setfield(L, -2, "log");
    lua_pushstring(L, PACKAGE_VERSION);
    lua_setfield(L, -2, "version");
    /* The C parts of sk are required like the Lua ones: require("sk.text"). */
    lua_getfield(L, LUA_REGISTRYINDEX, "sk.loaded");
    lua_getfield(L, -2, "json");
    lua_setfield(L, -2, "sk.json");
    lua_getfield(L, -2, "text");
    lua_setfield(L, -2, "sk.text");
    lua_pop(L, 1);
    lua_setglobal(L, "sk");
    return 0;
}

int sk_lua_vm_open(sk_lua_vm *vm, char *err, size_t errlen)
{
    vm->mem = 0;
    vm->used = 0;
    vm->over_budget = vm->over_time = vm->out_of_memory = 0;
    vm->over_in = NULL;
    if (!(vm->lim.seconds > 0))
        vm->lim.seconds = SK_LUA_DEFAULT_SECONDS;
    vm->meter = (sk_lua_meter){meter_charge, meter_stop, vm};
    vm->L = lua_newstate(l_alloc, vm);
    if (!vm->L) {
        snprintf(err, errlen, "cannot create a Lua state within the memory cap of %zu MiB",
                 vm->lim.memory >> 20);
        return -1;
    }
    *(sk_lua_vm **)lua_getextraspace(vm->L) = vm;
    lua_pushcfunction(vm->L, setup);
    if (lua_pcall(vm->L, 0, 0, 0) != LUA_OK) {
        snprintf(err, errlen, "cannot set up the Lua sandbox: %s",
                 vm->out_of_memory ? "memory cap too small"
                                   : (lua_tostring(vm->L, -1) ? lua_tostring(vm->L, -1) : "?"));
        sk_lua_vm_close(vm);
        return -1;
    }
    return 0;
}

void sk_lua_vm_close(sk_lua_vm *vm)
{
    if (vm->L)
        lua_close(vm->L);
    vm->L = NULL;
}

static int on_error(lua_State *L)
{
    const char *msg = lua_tostring(L, 1);
    if (!msg) {
        if (luaL_callmeta(L, 1, "__tostring") && lua_type(L, -1) == LUA_TSTRING)
            msg = lua_tostring(L, -1);
        else
            msg = lua_pushfstring(L, "(error object is a %s value)", luaL_typename(L, 1));
    }
    luaL_traceback(L, L, msg, 1);
    return 1;
}

int sk_lua_vm_pcall(sk_lua_vm *vm, int nargs, int nres)
{
    lua_State *L = vm->L;
    int base = lua_gettop(L) - nargs; /* the function's slot */
    lua_pushcfunction(L, on_error);
    lua_insert(L, base);
    vm->used = 0;
    vm->over_budget = vm->over_time = vm->out_of_memory = 0;
    vm->over_in = NULL;
    vm->clock_at = CLOCK_STEP;
    vm->deadline = sk_lua_clock() + vm->lim.seconds;
    lua_sethook(L, count_hook, LUA_MASKCOUNT, HOOK_STEP);
    int rc = lua_pcall(L, nargs, nres, base);
    lua_sethook(L, NULL, 0, 0);
    last_used = vm->used;
    lua_remove(L, base);
    return rc;
}

int sk_lua_vm_load(sk_lua_vm *vm, const char *text, size_t len, const char *display)
{
    char chunk[512];
    snprintf(chunk, sizeof chunk, "@%s", display);
    return luaL_loadbufferx(vm->L, text, len, chunk, "t");
}

/* Whether a traceback line (indent skipped, n bytes) is a frame of the
 * script: Lua names its chunk by display, or by "..." and the tail of
 * display when that is long. */
static int own_frame(const char *t, size_t n, const char *display)
{
    size_t dl = strlen(display);
    if (n > dl && memcmp(t, display, dl) == 0 && t[dl] == ':')
        return 1;
    if (n < 4 || memcmp(t, "...", 3) != 0)
        return 0;
    const char *colon = memchr(t + 3, ':', n - 3);
    size_t sl = colon ? (size_t)(colon - (t + 3)) : 0;
    return sl > 0 && sl <= dl && memcmp(t + 3, display + dl - sl, sl) == 0;
}

/* Keep the traceback's frames that are the script's own ("name.lua:12:
 * in ..."): the C frames and the host's own wrappers only add noise. */
static void clean_traceback(const char *in, const char *display, char *out, size_t outlen)
{
    size_t o = 0;
    const char *tb = strstr(in, "\nstack traceback:");
    size_t head = tb ? (size_t)(tb - in) : strlen(in);
    o = (size_t)snprintf(out, outlen, "%.*s", (int)head, in);
    if (!tb || o >= outlen)
        return;
    int any = 0;
    for (const char *line = tb + 1; *line;) {
        const char *nl = strchr(line, '\n');
        size_t n = nl ? (size_t)(nl - line) : strlen(line);
        const char *t = line;
        while (t < line + n && (*t == '\t' || *t == ' '))
            t++;
        if (own_frame(t, (size_t)(line + n - t), display) && o + n + 24 < outlen) {
            o += (size_t)snprintf(out + o, outlen - o, "%s\n  %.*s",
                                  any ? "" : "\nstack traceback:", (int)(line + n - t), t);
            any = 1;
        }
        line += n + (nl ? 1 : 0);
    }
}

void sk_lua_vm_error(sk_lua_vm *vm, const char *display, char *out, size_t outlen)
{
    if (vm->over_time) {
        snprintf(out, outlen,
                 "scorer %s ran longer than its %g s time limit%s%s; make it do less or raise "
                 "\"max_seconds\" in the pack's \"lua\" limits",
                 display, vm->lim.seconds, vm->over_in ? " in " : "",
                 vm->over_in ? vm->over_in : "");
        return;
    }
    if (vm->over_budget) {
        long long m = vm->lim.instructions;
        char budget[64];
        if (m % 1000000 == 0)
            snprintf(budget, sizeof budget, "%lldM", m / 1000000);
        else
            snprintf(budget, sizeof budget, "%lld", m);
        if (!vm->over_in)
            snprintf(out, outlen, "scorer %s exceeded its %s instruction budget", display, budget);
        else if (strcmp(vm->over_in, IN_PATTERN) == 0)
            snprintf(out, outlen,
                     "scorer %s exceeded its %s instruction budget in %s; simplify the pattern "
                     "or raise \"max_instructions\" in the pack's \"lua\" limits",
                     display, budget, vm->over_in);
        else
            snprintf(out, outlen,
                     "scorer %s exceeded its %s instruction budget in %s, whose work "
                     "counts against it in proportion to its input; give it less input or "
                     "raise \"max_instructions\" in the pack's \"lua\" limits",
                     display, budget, vm->over_in);
        return;
    }
    if (vm->out_of_memory) {
        /* Lua skips the message handler on a memory error: say it here. */
        snprintf(out, outlen, "scorer %s exceeded its memory cap of %zu MiB", display,
                 vm->lim.memory >> 20);
        return;
    }
    const char *msg = vm->L ? lua_tostring(vm->L, -1) : NULL;
    char clean[2048];
    clean_traceback(msg ? msg : "(no message)", display, clean, sizeof clean);
    snprintf(out, outlen, "scorer %s failed: %s", display, clean);
}
