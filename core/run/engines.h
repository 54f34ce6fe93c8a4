/*
 * Every kind of scorer this build has, in one registry: the C plugins on
 * the search path (and the project's plugins/ folder) and the Lua engine.
 * The engine folder cannot name the Lua engine (it sits above it), so the
 * registry of a run is put together here.
 */
#ifndef SK_ENGINES_H
#define SK_ENGINES_H

#include "engine/registry.h"

/* sk_registry_open (project_dir may be NULL), with every engine added.
 * Caller frees with sk_registry_free. */
int sk_engines_open(sk_registry **out, const char *project_dir, char **err);

/* Add every engine but plugins to reg (a registry made by hand). */
void sk_engines_add(sk_registry *reg);

#endif
