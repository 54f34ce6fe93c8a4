/*
 * The bill for C work done on behalf of a Lua call.
 *
 * Lua's count hook never fires inside a C function, so an sk.* function
 * whose cost grows with its input (an edit distance over two long texts,
 * decoding a long JSON text) would run outside the call's instruction
 * budget.  Such a function charges its work to a meter instead, in the
 * same currency as VM instructions (one unit is roughly the time of one
 * instruction: a few nanoseconds), so "10M instructions" keeps meaning
 * about the same wall time whether a scorer loops in Lua or in C.
 *
 * The sandbox (lua_vm.c) owns the meter of its state: it adds the units to
 * the running call's count, stops the call once the count passes the
 * budget or the call has run past its time limit, and keeps stopping it
 * whatever the script's pcall catches.  Work that can take long charges
 * as it goes (every SK_LUA_METER_CHUNK units or so), not only when done.
 */
#ifndef SK_LUA_METER_H
#define SK_LUA_METER_H

#include <lua.h>

/* Units of work between two charges of a long computation. */
#define SK_LUA_METER_CHUNK 65536

typedef struct sk_lua_meter {
    /* Add units to the running call's bill.  Returns 0 while the call may
     * go on, nonzero once it must stop (budget spent, or out of time).
     * Never raises, so C code can free what it holds before stopping. */
    int (*charge)(void *ud, long long units);
    /* Raise the error that stops the call; `what` names the function
     * whose work ran out ("sk.text.levenshtein").  Does not return. */
    int (*stop)(lua_State *L, void *ud, const char *what);
    void *ud;
} sk_lua_meter;

/* Charge units to m (may be NULL: nothing is charged) and raise when the
 * call must stop.  [-0, +0, e] */
static inline void sk_lua_meter_pay(lua_State *L, const sk_lua_meter *m, long long units,
                                    const char *what)
{
    if (m && m->charge(m->ud, units))
        m->stop(L, m->ud, what);
}

#endif
