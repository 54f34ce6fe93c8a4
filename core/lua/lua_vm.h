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
 * cannot swallow it.  The hook cannot stop C code, so the C work done for
 * the script is charged to the same budget: string.find, match, gmatch and
 * gsub are the counting ones of lua_pattern.h, and the sk.* functions
 * whose cost grows with their input pay through the state's meter
 * (lua_meter.h), long ones as they go.  Every call also has a wall-clock
 * limit (lim.seconds, on the monotonic clock), checked by the same
 * charges, for whatever still runs too long; time spent waiting for a
 * model (sk.llm.chat) does not count.  No kind of failure harms the
 * process: the call fails, and the next call runs normally.
 */
#ifndef SK_LUA_VM_H
#define SK_LUA_VM_H

#include <lua.h>
#include <stddef.h>

#include "lua/lua_meter.h"

#define SK_LUA_DEFAULT_INSTRUCTIONS 10000000LL
#define SK_LUA_DEFAULT_MEMORY       (64u << 20)
#define SK_LUA_DEFAULT_SECONDS      10.0

typedef struct sk_lua_limits {
    long long instructions; /* per call */
    size_t memory;          /* per state, bytes */
    double seconds;         /* per call, wall clock; 0: SK_LUA_DEFAULT_SECONDS */
} sk_lua_limits;

typedef struct sk_lua_vm {
    lua_State *L;
    sk_lua_limits lim;
    const char *scorer; /* for log lines and messages (borrowed) */
    void *owner;        /* the engine's per-state data (for sk.score) */
    /* The host of the call in progress (open, score, close), for sk.llm and
     * sk.score; NULL while a script is only loaded.  Borrowed. */
    struct sk_host_ctx *host;
    size_t mem;         /* bytes allocated now */
    long long used;     /* instructions (and units of C work) in the current call */
    double deadline;    /* sk_lua_clock() time the current call must end by */
    long long clock_at; /* `used` at which the clock is read next */
    /* over_budget: the call must stop, for good (the budget is spent, or
     * over_time: the call ran past lim.seconds). */
    int over_budget, over_time, out_of_memory;
    const char *over_in; /* the C work that was running then, or NULL: Lua code */
    sk_lua_meter meter;  /* what sk.* functions charge; ud is this vm */
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

/* The monotonic clock, in seconds. */
double sk_lua_clock(void);

/* Create the sandboxed state (vm->L).  vm->lim, scorer and owner are set
 * by the caller; vm must not move while the state lives (the state keeps
 * its address).  Returns 0, or -1 with a message in err. */
int sk_lua_vm_open(sk_lua_vm *vm, char *err, size_t errlen);

/* Close vm->L (idempotent). */
void sk_lua_vm_close(sk_lua_vm *vm);

/* lua_pcall with the instruction budget armed and a message handler that
 * adds a traceback.  Takes the function and nargs arguments from the top
 * of the stack; leaves nres results, or on failure one error string.
 * Returns the lua_pcall status; vm->over_budget / out_of_memory say why a
 * call failed when it was the limits.  [-(nargs+1), +(nres|1)] */
int sk_lua_vm_pcall(sk_lua_vm *vm, int nargs, int nres);

/* Charge `units` of work done for the running call of the sandboxed
 * state L outside its own Lua code (what a scorer it composes used), and
 * raise the error that stops the call when the budget or the time is
 * spent; `what` names the work.  Call only from a C function running in
 * such a call.  [-0, +0, e] */
void sk_lua_vm_pay(lua_State *L, long long units, const char *what);

/* The instructions (and units of C work) of the last call made through
 * sk_lua_vm_pcall on this thread that ended since the last take (0 when
 * none did), and forget it.  sk.score bills what a composed Lua scorer
 * used to its caller with it. */
long long sk_lua_vm_take_last(void);

/* Give the running call of the sandboxed state L `seconds` more before
 * its time limit: time spent waiting on something that is not the
 * script's work (a model's reply). */
void sk_lua_vm_extend(lua_State *L, double seconds);

/* Load a chunk of Lua text (never bytecode) named "@display".
 * [-0, +1] the function, or an error string; returns the load status. */
int sk_lua_vm_load(sk_lua_vm *vm, const char *text, size_t len, const char *display);

/* The message of a failed sk_lua_vm_pcall, made for people: the budget
 * and memory cases are named, and the traceback keeps only the script's
 * own frames.  Writes into out (outlen bytes).  [-0, +0] */
void sk_lua_vm_error(sk_lua_vm *vm, const char *display, char *out, size_t outlen);

#endif
