/*
 * sk.score(name, case [, params]): a Lua scorer calling another scorer —
 * one of its pack's scorers by display name, or any plugin scorer — and
 * getting back  score, rationale, meta  (or nil, reason when skipped; an
 * error raises).  The called scorers' states are opened on first use, with
 * the calling state's host, and kept for the life of the calling state.
 * Calls may nest (a Lua scorer composing a Lua scorer) up to
 * SK_LUA_COMPOSE_DEPTH deep.
 */
#ifndef SK_LUA_COMPOSE_H
#define SK_LUA_COMPOSE_H

#include <lua.h>

#include "engine/engine.h"

#define SK_LUA_COMPOSE_DEPTH 8

struct compose_entry;

typedef struct sk_lua_compose {
    const sk_engine_lookup *lookup; /* borrowed; NULL: nothing to call */
    const char *caller;             /* borrowed: the calling script, for messages */
    struct compose_entry *open;     /* opened scorers */
    size_t n, cap;
} sk_lua_compose;

/* Set sk.score in L's sk table.  Returns 0, or -1 when out of memory. */
int sk_lua_compose_open(sk_lua_compose *c, lua_State *L, const sk_engine_lookup *lookup,
                        const char *caller);

/* Close every scorer opened through c (idempotent), with `host`, a host
 * of the run that opened them. */
void sk_lua_compose_close(sk_lua_compose *c, sk_host_ctx *host);

#endif
