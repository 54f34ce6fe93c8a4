/*
 * scorekit: the library, for programs that embed the engine instead of
 * running the `scorekit` command.  Open the scorers of a pack, score cases
 * with them, and run experiments into a project's store: the same code the
 * command runs, behind a small door.
 *
 *   scorekit *sk;
 *   char *err = NULL, *result = NULL;
 *   if (scorekit_open(&sk, "myproject", NULL, &err) != 0) { ...; scorekit_free(err); }
 *   scorekit_score(sk, "{\"output\": \"Paris\", \"expected\": \"Paris\"}", 0, &result, &err);
 *   ... result is {"id":...,"line":1,"overall":1,"pass":true,"scores":{...}} ...
 *   scorekit_free(result);
 *   scorekit_close(sk);
 *
 * Link with `pkg-config --cflags --libs scorekit`.
 *
 * Rules for every function:
 *   - It returns 0, or a negative error code with *err set to a message
 *     saying what was wrong, where and what to do (err may be NULL).  The
 *     library never prints and never exits.
 *   - Strings it hands out (*err, results, ids) belong to the caller, who
 *     frees them with scorekit_free.  Arguments are borrowed for the call.
 *   - A handle is used by one thread at a time; open one handle per thread
 *     to score in parallel (scorekit_run uses its own worker threads).
 *   - Each handle has its own model client: handles whose scorers (or
 *     task) call a model may be open at once, and each is billed its calls.
 *
 * Scorer plugins need only <scorekit/plugin.h>, not this library.
 */
#ifndef SCOREKIT_H
#define SCOREKIT_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__)
#define SCOREKIT_API __attribute__((visibility("default")))
#else
#define SCOREKIT_API
#endif

/* Error codes: the core's own, so a message and its code always agree. */
#define SCOREKIT_ENOMEM    (-1)
#define SCOREKIT_EIO       (-2) /* a file or the store could not be read or written */
#define SCOREKIT_EPARSE    (-3) /* malformed input */
#define SCOREKIT_EINVAL    (-4) /* a bad argument, param or configuration */
#define SCOREKIT_ENOTFOUND (-5) /* a named scorer, plugin, dataset or file does not exist */
#define SCOREKIT_EABI      (-6) /* a plugin built for another ABI */
#define SCOREKIT_ESCORER   (-7) /* a scorer failed to open */
#define SCOREKIT_EINTR     (-8) /* interrupted */
#define SCOREKIT_EBUSY     (-9) /* another live run holds the experiment */

typedef struct scorekit scorekit;

/* The library's version, e.g. "0.1.0"; static. */
SCOREKIT_API const char *scorekit_version(void);

/* Open a pack's scorers.  project_dir: a folder with scorekit.json, or NULL
 * for none (scorers are then found on the plugin and Lua search paths
 * only).  pack_path: a pack file, or NULL for the project's pack.  A judge
 * (or a task) that calls a model uses the project's "llm" settings, else
 * OPENAI_BASE_URL / OPENAI_API_KEY.  Every scorer is opened now, so bad
 * params fail here, not on the first case.  Free with scorekit_close. */
SCOREKIT_API int scorekit_open(scorekit **out, const char *project_dir, const char *pack_path,
                               char **err);

/* The scorers of the pack, in pack order; names borrowed from sk. */
SCOREKIT_API size_t scorekit_scorer_count(const scorekit *sk);
SCOREKIT_API const char *scorekit_scorer_name(const scorekit *sk, size_t i);

/* Score one case with every scorer.  case_json (len bytes; 0: up to the
 * NUL) is a row: {"input", "output", "expected"?, "metadata"?, "id"?}.
 * *result_json gets the row's verdicts as one JSON object, as
 * `scorekit score --json` prints them: each scorer's score, skip or
 * error, the weighted overall and pass (true, false, or null with a
 * "reason" when the row has no verdict: a scorer error, or no score).  A
 * scorer that fails is an error inside the result, not a failed call; a
 * malformed case is SCOREKIT_EPARSE. */
SCOREKIT_API int scorekit_score(scorekit *sk, const char *case_json, size_t len, char **result_json,
                                char **err);

typedef struct scorekit_run_opts {
    size_t size;           /* sizeof(scorekit_run_opts): fields are only ever added */
    const char *name;      /* NULL: "run" */
    const char *dataset;   /* a .jsonl/.csv file (imported as a new version when its rows
                              changed) or NAME[@VER] of a stored dataset; NULL: the project's */
    const char *task_json; /* the task object; NULL: the project's ("column" when none) */
    int trials;            /* 0: 1 */
    int jobs;              /* 0: the project's setting, else one per core */
} scorekit_run_opts;

/* Run an experiment with the pack of sk on a dataset of the project (sk
 * must have been opened with a project_dir); it is recorded in the
 * project's store as `scorekit run` records it.  *experiment_id gets its
 * id.  A cell whose task fails is recorded with its error. */
SCOREKIT_API int scorekit_run(scorekit *sk, const scorekit_run_opts *opts, char **experiment_id,
                              char **err);

/* Close the scorers and free sk (NULL allowed). */
SCOREKIT_API void scorekit_close(scorekit *sk);

/* Free a string the library handed out (NULL allowed). */
SCOREKIT_API void scorekit_free(void *p);

#ifdef __cplusplus
}
#endif
#endif
