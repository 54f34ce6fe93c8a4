/*
 * sk.score(name, case [, params]): a Lua scorer calling another scorer —
 * one of its pack's scorers by display name, or any plugin scorer — and
 * getting back  score, rationale, meta  (or nil, reason when skipped; an
 * error raises).  The called scorers' states are opened on first use, with
 * the calling state's host, and kept for the life of the calling state.
 * Calls may nest (a Lua scorer composing a Lua scorer) up to
 * SK_LUA_COMPOSE_DEPTH deep.
 *
 * Which scorers a script composes is known before any row: the names
 * written as literals in its sk.score calls (sk_lua_compose_scan), and
 * those it declares in `composes = {...}` for names it computes.  The pack
 * refuses a cycle among its Lua scorers when it loads (pack.c), and
 * sk.score refuses to call a Lua scorer of the pack the script does not
 * name, so no cycle can get past that check.
 *
 * What a composed scorer costs is the caller's too: a Lua scorer's
 * instructions, and the conversion of the case, are charged to the
 * calling call's budget (lua_vm.h) when sk.score returns; time spent in a
 * scorer that waits for a model does not count against max_seconds.
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
    const char *const *names;       /* borrowed: the scorers the caller composes */
    size_t nnames;
    struct compose_entry *open; /* opened scorers */
    size_t n, cap;
} sk_lua_compose;

/* Set sk.score in L's sk table (L is a sandboxed state, lua_vm.h).  names
 * (nnames of them) are what the calling script composes, as
 * sk_lua_compose_scan and its `composes` field give them.  Everything is
 * borrowed for the life of c.  Returns 0, or -1 when out of memory. */
int sk_lua_compose_open(sk_lua_compose *c, lua_State *L, const sk_engine_lookup *lookup,
                        const char *caller, const char *const *names, size_t nnames);

/* The scorer names a Lua script's source passes as a literal string to
 * sk.score: `sk.score("name", ...)` or with single quotes, outside
 * comments and other strings.  Appends each name once to *names (a
 * malloc'd array of malloc'd strings, *n of them; the caller frees both). */
void sk_lua_compose_scan(const char *src, size_t len, char ***names, size_t *n);

/* Close every scorer opened through c (idempotent), with `host`, a host
 * of the run that opened them. */
void sk_lua_compose_close(sk_lua_compose *c, sk_host_ctx *host);

#endif
