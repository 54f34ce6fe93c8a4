/*
 * One interface for every kind of scorer.  The runner does not care whether
 * a scorer is a C plugin, a Lua script or an LLM judge: each kind is an
 * engine behind this vtable, and a pack entry pairs an engine with the
 * engine's description of one scorer (`impl`).
 */
#ifndef SK_ENGINE_H
#define SK_ENGINE_H

#include "engine/host.h"

typedef struct sk_engine_ops {
    const char *kind; /* "plugin", "lua", "judge" */
    /* Open one instance with the resolved params.  *err is set on failure. */
    int (*open)(const void *impl, const char *name, const char *params_json, void **state,
                char **err);
    /* Score one case into r (reset by the caller); returns the scorer's rc. */
    int (*score)(const void *impl, void *state, const sk_case *c, sk_result *r);
    void (*close)(const void *impl, void *state);
    /* The scorer's definition: name, summary, flags, declared params. */
    const sk_scorer_def *(*def)(const void *impl);
    /* Free impl when its pack is freed; NULL when the engine does not own
     * it (plugin tables belong to the registry). */
    void (*release)(void *impl);
} sk_engine_ops;

/* The engine for C plugin scorers; impl is a `const sk_scorer_def *`. */
extern const sk_engine_ops sk_engine_plugin;

#endif
