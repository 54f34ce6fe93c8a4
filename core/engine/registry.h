/*
 * Finding and loading scorer plugins.  A registry holds every plugin found
 * on the search path, in this order (the first scorer of a name wins):
 *   1. the project's own plugins/ folder,
 *   2. each folder of SCOREKIT_PLUGIN_PATH (colon-separated),
 *   3. the install folder ($(pkglibdir)/plugins).
 * A plugin that cannot be loaded (not a plugin, ABI mismatch, bad table)
 * is refused and its reason kept: a lookup of a missing scorer reports the
 * refusals, so "not found" never hides "found but broken".
 */
#ifndef SK_REGISTRY_H
#define SK_REGISTRY_H

#include <stddef.h>

#include "engine/engine.h"
#include "scorekit/plugin.h"

typedef struct sk_registry sk_registry;

typedef struct sk_plugin_info {
    const char *name;    /* plugin name from its table */
    const char *version; /* plugin version */
    const char *path;    /* file it was loaded from */
    const sk_plugin *table;
} sk_plugin_info;

typedef struct sk_registry_problem {
    const char *path;
    const char *message;
} sk_registry_problem;

/* Scan the search path.  project_dir may be NULL (no project folder).
 * A missing folder is not an error.  Caller frees with sk_registry_free,
 * which unloads the plugins: definitions found through the registry are
 * valid until then. */
int sk_registry_open(sk_registry **out, const char *project_dir, char **err);

/* An empty registry (for tests and explicit loading). */
sk_registry *sk_registry_new(void);

/* Load one plugin file.  Returns SK_EABI for an ABI mismatch, SK_EINVAL
 * for a file that is not a valid plugin, with *err naming the file. */
int sk_registry_load(sk_registry *reg, const char *path, char **err);

/* Find the scorer `use`: "name" or "plugin/name".  On success *def and
 * (optionally) *info are borrowed from the registry. */
int sk_registry_find(const sk_registry *reg, const char *use, const sk_scorer_def **def,
                     const sk_plugin_info **info, char **err);

/* The plugin that holds def, or NULL (also for a NULL registry). */
const sk_plugin_info *sk_registry_info_of(const sk_registry *reg, const sk_scorer_def *def);

size_t sk_registry_count(const sk_registry *reg);
const sk_plugin_info *sk_registry_get(const sk_registry *reg, size_t i);
size_t sk_registry_problem_count(const sk_registry *reg);
const sk_registry_problem *sk_registry_problem_get(const sk_registry *reg, size_t i);

/* The folders searched, in order, joined by ':' (for messages; borrowed). */
const char *sk_registry_search_path(const sk_registry *reg);

/* Engines other than plugins (Lua, ...), added by the layer that knows
 * them; ops is borrowed for the registry's life (a static table).  At most
 * eight; adding one twice is harmless. */
void sk_registry_add_engine(sk_registry *reg, const sk_engine_ops *ops);

/* The engine whose prefix starts `use`, else the plugin engine. */
const sk_engine_ops *sk_registry_engine_for(const sk_registry *reg, const char *use);

/* Engine i of those added, or NULL past the last. */
const sk_engine_ops *sk_registry_engine_get(const sk_registry *reg, size_t i);

void sk_registry_free(sk_registry *reg);

#endif
