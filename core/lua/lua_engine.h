/*
 * Lua scorers: a script that returns a table
 *
 *   return {
 *     name = "tone", summary = "...",
 *     params = { max_words = 50,                          -- shorthand: a default
 *                banned = { type = "list", default = {}, doc = "..." } },
 *     score = function(case, params) return 1 end,       -- or {score=, rationale=, meta=}
 *                                                         -- or nil, "reason" (skipped)
 *     meta_cases = { ... },                               -- optional, for `scorekit validate`
 *     composes = { "tone" },                              -- optional: scorers sk.score calls
 *                                                         -- by a name the script computes
 *     nondeterministic = false, uses_llm = false, needs_expected = false,
 *   }
 *
 * is loaded once when the pack loads (a syntax error, a missing score
 * function or a bad params declaration fails the pack, before any row), and
 * then once per worker: every worker has its own sandboxed state (see
 * lua_vm.h), compiled once and reused row after row.
 *
 * What survives from one call to the next is the script's own doing:
 * its module-level locals, globals and whatever tables it keeps.  Nothing
 * a call does to its `case` or `params` reaches a later call: the case
 * table is emptied of every key before each call and its metatable (which
 * converts the fields on first read) can be neither changed nor reached;
 * the params are checked against the pack's before each call and given
 * afresh when a call changed them.
 *
 * The script's metadata is exposed as an ordinary sk_scorer_def, so params
 * are checked by the same code as a C plugin's and the scorer lists and
 * composes like any other.
 */
#ifndef SK_LUA_ENGINE_H
#define SK_LUA_ENGINE_H

#include "engine/engine.h"
#include "lua/lua_vm.h"

typedef struct sk_lua_script sk_lua_script;

/* Load the script at path; `display` names it in messages (usually its
 * file name).  Caller frees with sk_lua_script_free (or through the pack,
 * which owns the scripts it loads). */
int sk_lua_script_load(sk_lua_script **out, const char *path, const char *display,
                       const sk_lua_limits *lim, char **err);

/* The script as a scorer definition (name, summary, flags, params).
 * Borrowed; valid until the script is freed. */
const sk_scorer_def *sk_lua_script_def(const sk_lua_script *s);

const char *sk_lua_script_path(const sk_lua_script *s);

/* The meta_cases table as JSON text, or NULL when the script has none. */
const char *sk_lua_script_meta_cases(const sk_lua_script *s);

/* What sk.score(name, ...) may call from this script (normally: the
 * scorers of its pack, then every plugin scorer).  Borrowed; it must
 * outlive the script's states. */
void sk_lua_script_bind(sk_lua_script *s, const sk_engine_lookup *lookup);

void sk_lua_script_free(sk_lua_script *s);

/* The engine for Lua scorers; impl is a `sk_lua_script *`. */
extern const sk_engine_ops sk_engine_lua;

/* Resolve a pack's "lua:..." use: "lua:PATH.lua" is a file relative to
 * `base_file` (the pack; NULL: the current folder); "lua:NAME" is a
 * shipped or project scorer, found as scorers/NAME.lua in the project
 * folder `project_dir` (may be NULL), then on the Lua path.  Caller frees;
 * NULL with *err when not found. */
char *sk_lua_resolve(const char *use, const char *base_file, const char *project_dir, char **err);

#endif
