/*
 * One interface for every kind of scorer.  The runner does not care whether
 * a scorer is a C plugin or a Lua script (LLM judges are C plugins over
 * host->llm_chat): each kind is an engine behind this vtable, and a pack
 * entry pairs an engine with the engine's description of one scorer
 * (`impl`).
 *
 * Engines are registered with the scorer registry (sk_registry_add_engine)
 * by the layer that knows them all; a pack finds the engine of an entry by
 * the prefix of its "use" ("lua:tone"), and the plugin engine takes every
 * other use.  Nothing outside an engine compares engine pointers: what a
 * caller needs to know (the file that is the scorer, its own calibration
 * cases, whom it may call) is an op, NULL when the engine has none.
 */
#ifndef SK_ENGINE_H
#define SK_ENGINE_H

#include <cjson/cJSON.h>

#include "engine/host.h"

struct sk_registry;
typedef struct sk_engine_ops sk_engine_ops;

/* How a scorer finds the scorers it may call (Lua's sk.score): the pack
 * that holds it first, then every plugin scorer.  find() fills the three
 * outputs (params_json may be NULL: the scorer's defaults), borrowed for as
 * long as the pack lives, or returns non-zero with *err (caller frees). */
typedef struct sk_engine_lookup {
    int (*find)(const void *ud, const char *name, const sk_engine_ops **ops, const void **impl,
                const char **params_json, char **err);
    const void *ud;
} sk_engine_lookup;

/* A pack entry to resolve; every pointer borrowed for the call. */
typedef struct sk_engine_entry {
    const char *use;            /* as written: "lua:tone", "levenshtein" */
    const char *where;          /* names the entry in messages */
    const char *pack_path;      /* the pack file; NULL for --scorer */
    const cJSON *pack_options;  /* the pack's object under options_key, or NULL */
    const cJSON *entry_options; /* the entry's, overriding the pack's, or NULL */
    const cJSON *params;        /* the entry's "params" as written, or NULL */
    const struct sk_registry *reg;
} sk_engine_entry;

struct sk_engine_ops {
    const char *kind;        /* "plugin", "lua" */
    const char *prefix;      /* the uses it claims ("lua:"); NULL: every other use */
    const char *options_key; /* its key in packs and entries ("lua"), or NULL */
    int named_by_def;        /* 1: an entry without "as" shows the def's name */
    /* Check a pack's options object (also when no entry uses the engine). */
    int (*check_options)(const cJSON *options, const char *where, char **err);
    /* Resolve an entry to *impl (released with release()); *origin says
     * where it came from ("lua script /p/tone.lua"), caller frees. */
    int (*resolve)(const sk_engine_entry *e, const void **impl, char **origin, char **err);
    /* Open one instance with the resolved params.  *err is set on failure.
     * `host` is the run's (or a worker's) context, borrowed: the scorer
     * may keep it for as long as the state lives. */
    int (*open)(sk_host_ctx *host, const void *impl, const char *name, const char *params_json,
                void **state, char **err);
    /* Score one case into r (reset by the caller); returns the scorer's rc.
     * `host` is the context of the worker scoring it, of the same run as
     * open()'s: its model calls are billed to host->account. */
    int (*score)(sk_host_ctx *host, const void *impl, void *state, const sk_case *c, sk_result *r);
    /* Close a state; `host` is of the same run as open()'s. */
    void (*close)(sk_host_ctx *host, const void *impl, void *state);
    /* The scorer's definition: name, summary, flags, declared params. */
    const sk_scorer_def *(*def)(const void *impl);
    /* Free impl when its pack is freed; NULL when the engine does not own
     * it (plugin tables belong to the registry). */
    void (*release)(void *impl);
    /* The file that is the scorer, hashed into its fingerprint, or NULL
     * when reg (may be NULL) does not know it. */
    const char *(*source_file)(const void *impl, const struct sk_registry *reg);
    /* The scorer's own calibration cases as a JSON array text; NULL. */
    const char *(*meta_cases)(const void *impl);
    /* Tell the scorer whom it may call; the lookup outlives its states. */
    void (*bind)(const void *impl, const sk_engine_lookup *lookup);
    /* The names of the scorers it may call (through bind's lookup), all
     * of them, known before any row, so a pack can refuse a cycle when it
     * loads; *n of them, borrowed from impl.  NULL: it calls none. */
    const char *const *(*calls)(const void *impl, size_t *n);
};

/* The engine for C plugin scorers; impl is a `const sk_scorer_def *`. */
extern const sk_engine_ops sk_engine_plugin;

#endif
