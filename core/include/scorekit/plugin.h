/*
 * scorekit plugin ABI, version 1.
 *
 * A scorer plugin is a shared object that exports two symbols, both made by
 * SK_PLUGIN_DECLARE():
 *
 *     const int scorekit_plugin_abi;                 the ABI it was built for
 *     const sk_plugin *scorekit_plugin_v1(const sk_host *host);
 *
 * The host reads scorekit_plugin_abi before anything else and refuses a
 * plugin built for another major version, naming both versions.
 *
 * This header depends on libc alone: no cJSON, Lua or curl type crosses the
 * ABI.  Values reach a plugin as JSON text, plus the plain text of fields
 * that are JSON strings.  Host services (logging, results, small JSON
 * look-ups) come in the sk_host table.
 *
 * ABI policy
 *   - SK_PLUGIN_ABI is a major version.  It changes only when an existing
 *     field, function or meaning changes; the entry symbol's name changes
 *     with it, so an old host never calls a new plugin's table.
 *   - Within one major version structs only grow at the end.  Each struct
 *     that can grow starts with `size`; read a field only when
 *     `size > offsetof(struct, field)` (SK_HAS_FIELD does this).
 *   - Flags and enums only gain values.  Unknown flags are ignored.
 *
 * Host tables
 *   - Each run (an experiment, a `scorekit score`, a validation) has its
 *     own sk_host table, and each of its worker threads a table of that
 *     run: the same services, project and model client, but the model calls
 *     made through a worker's table are billed to the row that worker is
 *     scoring.  open() and close() get a table of the run; score() gets the
 *     table of the worker scoring the case (a SK_SCORER_THREAD_SAFE state,
 *     opened once, is scored through every worker's).  So call
 *     host->llm_chat through the table score() received, not one kept
 *     from open().
 *   - The table given to the entry point lives as long as the plugin is
 *     loaded; it belongs to no run, and its llm_chat and project_folder act
 *     for the run whose scorer the calling thread is running.
 *
 * Ownership
 *   - Everything the host passes (sk_host, sk_case and its strings, the
 *     params text) is borrowed: valid until the call that received it
 *     returns, except sk_host: a run's tables live as long as any state
 *     opened with them, the entry point's as long as the plugin is loaded.
 *   - Everything a plugin exports (sk_plugin, scorer definitions, names,
 *     param tables) must stay valid while the plugin is loaded; use static
 *     storage.
 *   - A plugin never frees host memory except strings returned by
 *     host->json_get_string and host->llm_chat, which it frees with
 *     host->free.
 *   - Result text (rationale, error, metadata) is copied by the host.
 */
#ifndef SCOREKIT_PLUGIN_H
#define SCOREKIT_PLUGIN_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

#define SK_PLUGIN_ABI 1

#if defined(__GNUC__)
#define SK_PLUGIN_EXPORT __attribute__((visibility("default")))
#define SK_PRINTF(f, a)  __attribute__((format(printf, f, a)))
#else
#define SK_PLUGIN_EXPORT
#define SK_PRINTF(f, a)
#endif

/* True when struct pointer `p` (with a leading size field) carries `field`. */
#define SK_HAS_FIELD(p, type, field) ((p)->size > offsetof(type, field))

/* Scorer flags (sk_scorer_def.flags). */
enum {
    SK_SCORER_THREAD_SAFE = 1u << 0,      /* one state may serve many threads at once */
    SK_SCORER_NONDETERMINISTIC = 1u << 1, /* the same case can score differently */
    SK_SCORER_NEEDS_EXPECTED = 1u << 2,   /* rows without `expected` are skipped by the host */
    SK_SCORER_USES_LLM = 1u << 3,         /* calls a model; costs money and time */
    /* Compares the output with another answer to the same input: the row's
     * `expected`, or the field its "other" param names ("expected" or
     * "metadata.KEY").  `scorekit validate` gives it pairs of different
     * answers, each in both roles, instead of an answer and its reference. */
    SK_SCORER_PAIRWISE = 1u << 4
};

/* What kinds of output a scorer is meant for (sk_scorer_def.accepts).  Used
 * to pick calibration cases; 0 means "anything". */
enum {
    SK_ACCEPT_TEXT = 1u << 0,
    SK_ACCEPT_NUMBER = 1u << 1,
    SK_ACCEPT_JSON = 1u << 2,
    SK_ACCEPT_LIST = 1u << 3
};

/* Parameter types for sk_param_def.type. */
typedef enum sk_param_type {
    SK_PARAM_BOOL = 1,
    SK_PARAM_NUMBER,
    SK_PARAM_INTEGER,
    SK_PARAM_STRING,
    SK_PARAM_STRING_LIST, /* JSON array of strings */
    SK_PARAM_JSON         /* any JSON value; the scorer checks it */
} sk_param_type;

/* One declared parameter.  Tables end with an entry whose name is NULL.
 * The host rejects unknown keys and wrong types before open() is called, so
 * open() only checks what types cannot say (ranges, regex syntax, ...). */
typedef struct sk_param_def {
    const char *name;
    sk_param_type type;
    const char *default_json; /* JSON text of the default, or NULL: required */
    const char *doc;          /* one line */
} sk_param_def;

/* One case to score.  Every *_json field is a NUL-terminated JSON text; a
 * field the row does not have is NULL (input and output are never NULL:
 * "null" when absent).  Every *_text field is the decoded string when the
 * JSON value is a string, otherwise the JSON text itself; *_len counts its
 * bytes (a decoded string may hold NUL bytes).  Strings are UTF-8. */
typedef struct sk_case {
    size_t size;
    const char *id;
    const char *input_json;
    const char *output_json;
    const char *expected_json; /* NULL: the row has no expected value */
    const char *metadata_json; /* NULL: no metadata */
    const char *input_text;
    const char *output_text;
    const char *expected_text; /* NULL when expected_json is NULL */
    size_t input_len, output_len, expected_len;
    unsigned trial; /* 0-based trial index */
} sk_case;

/* Opaque: a scorer reports its verdict through host->set_* below. */
typedef struct sk_result sk_result;

typedef enum sk_log_level { SK_LOG_DEBUG, SK_LOG_INFO, SK_LOG_WARN, SK_LOG_ERROR } sk_log_level;

typedef struct sk_host {
    size_t size;
    int abi;             /* SK_PLUGIN_ABI of the host */
    const char *version; /* scorekit version, e.g. "0.1.0" */

    void (*log)(sk_log_level level, const char *scorer, const char *fmt, ...) SK_PRINTF(3, 4);

    /* A verdict is exactly one of score, skip or error; the last call wins.
     * A scorer that returns without any of them gets an error.  A score
     * outside [0,1] or NaN becomes an error naming the scorer: it is never
     * clamped.  Rationale and metadata go with a score (metadata must be a
     * JSON object, or the verdict becomes an error).  One metadata key
     * goes with an error: {"invalid_verdict": true} says the scorer's
     * model replied, but with no valid verdict (a label it was not
     * offered), so `scorekit validate` counts it as the scorer's mistake,
     * not as a failed call. */
    void (*set_score)(sk_result *r, double score);
    void (*set_skip)(sk_result *r, const char *fmt, ...) SK_PRINTF(2, 3);
    void (*set_error)(sk_result *r, const char *fmt, ...) SK_PRINTF(2, 3);
    void (*set_rationale)(sk_result *r, const char *fmt, ...) SK_PRINTF(2, 3);
    void (*set_meta)(sk_result *r, const char *json_object);

    /* Look-ups in a JSON text (params or a case field) by a dotted path of
     * object keys ("a.b"); "" is the value itself.  Return 1 when found
     * with the right type, 0 when absent or null, -1 on a type mismatch or
     * malformed JSON. */
    int (*json_get_bool)(const char *json, const char *path, int *out);
    int (*json_get_number)(const char *json, const char *path, double *out);
    /* *out is a NUL-terminated copy; the caller frees it with host->free. */
    int (*json_get_string)(const char *json, const char *path, char **out);

    void *(*alloc)(size_t n); /* never NULL: the host aborts on exhaustion */
    void (*free)(void *p);

    /* set_rationale without formatting: copies len bytes.  For text that
     * may hold '%', and for hot paths where printf costs more than the
     * scoring itself. */
    void (*set_rationale_text)(sk_result *r, const char *text, size_t len);

    /* Check that text (len bytes) is exactly one JSON value, strictly (RFC 8259;
     * nesting up to 512 levels).  Returns 1 when it is; 0 when not, with *at the
     * byte offset of the problem and the reason, without a position, in why
     * (whylen bytes, always NUL-terminated). */
    int (*json_check)(const char *text, size_t len, size_t *at, char *why, size_t whylen);

    /* One chat call through scorekit's LLM client (its providers, limits,
     * retries, cache and usage log).  request_json:
     *   {"provider"?, "model"?, "messages": [{"role", "content"}, ...],
     *    "params"?: {"temperature": 0, ...}, "tool"?: {"name", "description",
     *    "parameters": {JSON Schema}}, "trial"?: n, "no_cache"?: bool,
     *    "caller"?: "scorer:NAME", "keep_invalid_args"?: bool}
     * With a tool the model must call it; its arguments come back in
     * "tool_args".  On success returns 0 and *reply_json (free with
     * host->free):
     *   {"content": str|null, "tool_args": obj|null, "model": str|null,
     *    "usage": {"prompt_tokens", "completion_tokens", "cost"},
     *    "cached": bool, "attempts": n, "latency_ms": x, "args_error"?: str}
     * With "keep_invalid_args": true, a reply whose tool call is missing or
     * breaks the schema (a value outside an enum) is not a failed call: it
     * comes back with "args_error" saying what is wrong and "tool_args" as
     * the model sent them, for the caller to report as its model's
     * mistake.  Such a reply is neither retried nor cached.
     * On failure (after retries) returns non-zero with err filled: never a
     * made-up reply.  The call is billed to the run and row of `host` (see
     * Host tables).  Thread-safe: a scorer may make several calls at once
     * from threads of its own through the table it was given.  Check
     * SK_HAS_FIELD(host, sk_host, llm_chat) first. */
    int (*llm_chat)(const struct sk_host *host, const char *request_json, char **reply_json,
                    char *err, size_t errlen);
    /* Superseded by project_folder, and kept for plugins built before it:
     * taking no table, it cannot know which run asks, so it answers for the
     * run whose scorer the calling thread is running (inside open, score
     * or close), and NULL on any other thread. */
    const char *(*project_dir)(void);
    /* The folder of the project `host` runs for (where scorekit.json is),
     * for resolving files named in params; NULL when there is none.  The
     * text lives as long as the table.  Check SK_HAS_FIELD(host, sk_host,
     * project_folder) first, and fall back to project_dir on older hosts. */
    const char *(*project_folder)(const struct sk_host *host);
    /* 0 when nothing will show or keep r's rationale (a `scorekit score`
     * summary that lists no row for it): a scorer may skip building the
     * text, and set_rationale ignores it anyway.  The score must not
     * depend on the answer.  Check SK_HAS_FIELD(host, sk_host,
     * wants_rationale) first; older hosts always want one. */
    int (*wants_rationale)(const sk_result *r);
    /* One text's embedding from an OpenAI-compatible /embeddings endpoint,
     * as llm_chat does a chat call (limits, retries, cache, billing to the
     * row).  Request {"provider"?, "model", "input": "text", "caller"?,
     * "no_cache"?}; *reply_json (free with host->free) is {"embedding":
     * [numbers], "model", "usage": {"prompt_tokens", "cost"}, "cached",
     * "attempts", "latency_ms"}.  On failure returns non-zero with err
     * filled.  Check SK_HAS_FIELD(host, sk_host, llm_embed) first. */
    int (*llm_embed)(const struct sk_host *host, const char *request_json, char **reply_json,
                     char *err, size_t errlen);
} sk_host;

typedef struct sk_scorer_def {
    size_t size; /* sizeof(sk_scorer_def) */
    const char *name;
    const char *summary;        /* one line, shown by `scorekit scorers` */
    unsigned flags;             /* SK_SCORER_* */
    unsigned accepts;           /* SK_ACCEPT_*, 0 = anything */
    const sk_param_def *params; /* NULL or a table ending with {NULL} */

    /* params_json is a JSON object holding every declared param (defaults
     * filled in).  Store a state in *state (may stay NULL).  On failure
     * return non-zero with a message in err (errlen bytes, always > 0). */
    int (*open)(const sk_host *host, const char *params_json, void **state, char *err,
                size_t errlen);
    /* Report the verdict through host->set_*.  A non-zero return without a
     * set_error call is reported as a generic error.  `host` is a table of
     * the same run as open()'s: the one of the worker scoring this case,
     * which bills the case's model calls to its row (see Host tables). */
    int (*score)(const sk_host *host, void *state, const sk_case *c, sk_result *r);
    /* Free a state from open(); may be NULL.  `host` is a table of the same
     * run as open()'s, so memory from host->alloc can go back through
     * host->free. */
    void (*close)(const sk_host *host, void *state);
} sk_scorer_def;

typedef struct sk_plugin {
    size_t size; /* sizeof(sk_plugin) */
    int abi;     /* SK_PLUGIN_ABI */
    const char *name;
    const char *version;
    size_t nscorers;
    const sk_scorer_def *const *scorers;
} sk_plugin;

typedef const sk_plugin *(*sk_plugin_entry_fn)(const sk_host *host);

#define SK_PLUGIN_ENTRY_SYMBOL "scorekit_plugin_v1"
#define SK_PLUGIN_ABI_SYMBOL   "scorekit_plugin_abi"

/* Define a plugin's two exported symbols.  `scorer_array` is an array of
 * `const sk_scorer_def *`.  Use once per shared object. */
#define SK_PLUGIN_DECLARE(plugin_name, plugin_version, scorer_array)                               \
    SK_PLUGIN_EXPORT const int scorekit_plugin_abi = SK_PLUGIN_ABI;                                \
    SK_PLUGIN_EXPORT const sk_plugin *scorekit_plugin_v1(const sk_host *host);                     \
    const sk_plugin *scorekit_plugin_v1(const sk_host *host)                                       \
    {                                                                                              \
        static const sk_plugin p = {sizeof(sk_plugin),                                             \
                                    SK_PLUGIN_ABI,                                                 \
                                    plugin_name,                                                   \
                                    plugin_version,                                                \
                                    sizeof(scorer_array) / sizeof((scorer_array)[0]),              \
                                    scorer_array};                                                 \
        (void)host;                                                                                \
        return &p;                                                                                 \
    }

#ifdef __cplusplus
}
#endif
#endif
