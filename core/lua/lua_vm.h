/*
 * One sandboxed Lua 5.4 state for one Lua scorer on one worker thread.
 *
 * The sandbox is an allow-list: base (without dofile, loadfile and
 * collectgarbage control; load compiles text only), string (without dump),
 * table, math, utf8, and the sk library.  require() loads only "sk" and
 * "sk.NAME" modules (lua/sk/NAME.lua on the Lua search path).  The string
 * metatable is hidden from scripts.
 *
 * Every state has a memory cap, enforced by its allocator, and every call
 * made through sk_lua_vm_pcall an instruction budget, enforced by a count
 * hook that keeps firing once the budget is spent, so a script's own pcall
 * cannot swallow it.  string.find, match, gmatch and gsub are the counting
 * ones of lua_pattern.h, whose steps are charged to the same budget (the
 * hook cannot stop C code).  Neither kind of failure harms the process:
 * the call fails, and sk_lua_vm_reset gives the scorer a fresh state.
 */
#ifndef SK_LUA_VM_H
#define SK_LUA_VM_H

#include <lua.h>
#include <stddef.h>

#define SK_LUA_DEFAULT_INSTRUCTIONS 10000000LL
#define SK_LUA_DEFAULT_MEMORY       (64u << 20)

typedef struct sk_lua_limits {
    long long instructions; /* per call */
    size_t memory;          /* per state, bytes */
} sk_lua_limits;

typedef struct sk_lua_vm {
    lua_State *L;
    sk_lua_limits lim;
    const char *scorer; /* for log lines and messages (borrowed) */
    void *owner;        /* the engine's per-state data (for sk.score) */
    /* The host of the call in progress (open, score, close), for sk.llm and
     * sk.score; NULL while a script is only loaded.  Borrowed. */
    struct sk_host_ctx *host;
    size_t mem;     /* bytes allocated now */
    long long used; /* instructions in the current call */
    int over_budget, out_of_memory;
    int over_in_pattern; /* the budget ran out inside a string pattern match */
} sk_lua_vm;

/* The vm whose state L is (set by sk_lua_vm_open). */
static inline sk_lua_vm *sk_lua_vm_of(lua_State *L)
{
    return *(sk_lua_vm **)lua_getextraspace(L);
}

/* The folders searched for "sk.NAME" modules and named scorers, joined by
 * ':': SCOREKIT_LUA_PATH, then the install folder.  Static storage. */
const char *sk_lua_path(void);

/* Find NAME (a relative file such as "sk/text.lua") on the Lua search
 * path.  Caller frees the result; NULL when not found. */
char *sk_lua_find(const char *relpath);

/* Create the sandboxed state (vm->L).  vm->lim, scorer and owner are set
 * by the caller.  Returns 0, or -1 with a message in err. */
int sk_lua_vm_open(sk_lua_vm *vm, char *err, size_t errlen);

/* Close vm->L (idempotent). */
void sk_lua_vm_close(sk_lua_vm *vm);

/* lua_pcall with the instruction budget armed and a message handler that
 * adds a traceback.  Takes the function and nargs arguments from the top
 * of the stack; leaves nres results, or on failure one error string.
 * Returns the lua_pcall status; vm->over_budget / out_of_memory say why a
 * call failed when it was the limits.  [-(nargs+1), +(nres|1)] */
int sk_lua_vm_pcall(sk_lua_vm *vm, int nargs, int nres);

/* Load a chunk of Lua text (never bytecode) named "@display".
 * [-0, +1] the function, or an error string; returns the load status. */
int sk_lua_vm_load(sk_lua_vm *vm, const char *text, size_t len, const char *display);

/* The message of a failed sk_lua_vm_pcall, made for people: the budget
 * and memory cases are named, and the traceback keeps only the script's
 * own frames.  Writes into out (outlen bytes).  [-0, +0] */
void sk_lua_vm_error(sk_lua_vm *vm, const char *display, char *out, size_t outlen);

#endif
