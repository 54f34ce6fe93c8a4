/*
 * Tasks: what turns a row's input into an output.  Each provider is an
 * engine behind this vtable, so `openai` and `lua` slot in beside `column`
 * and `exec` without the runner knowing the difference.
 *
 * A task is configured by the "task" object of scorekit.json (plus
 * --set overrides), e.g.
 *   {"provider": "column", "field": "output"}
 *   {"provider": "exec", "command": ["python3", "app.py"], "timeout_s": 30}
 *
 * Thread safety: one state may be used by many worker threads at once
 * (providers keep per-call data on the stack or lock what they share).
 */
#ifndef SK_TASK_H
#define SK_TASK_H

#include <cjson/cJSON.h>
#include <stddef.h>

#include "base/json_keys.h"
#include "base/util.h"
#include "llm/llm_types.h"

struct sk_llm;

/* What one run of the task produced.  Exactly one of output / error. */
typedef struct sk_task_result {
    sk_buf output;     /* the output as JSON text (a string output is a JSON string) */
    sk_buf error;      /* the task error, e.g. "exit status 2: <stderr tail>" */
    int failed;        /* 1: error holds why; output is empty */
    double latency_ms; /* wall time of the call */
    /* Whom the run's model calls are billed to: the caller names the
     * experiment (account.experiment, borrowed, may be NULL), and a task
     * that calls a model adds what its calls used to account.usage. */
    sk_llm_account account;
} sk_task_result;

typedef struct sk_task_ops {
    const char *provider; /* "column", "exec", ... */
    /* Every key the configuration object may hold (NULL-terminated): any
     * other is refused by sk_task_check_keys, with a suggestion. */
    const char *const *keys;
    /* Check the configuration and prepare.  `config` is the task object
     * (borrowed); `project_dir` resolves relative paths; `llm` is the model
     * client for tasks that call one (borrowed for as long as the state
     * lives; NULL: no model configured).  Errors name the bad key and say
     * what to do. */
    int (*open)(const cJSON *config, const char *project_dir, struct sk_llm *llm, void **state,
                char **err);
    /* Run the task on one row (the row as JSON text: {id, input, expected?,
     * metadata?, output?}) for trial `trial`.  Fills *res (reset by the
     * caller).  Returns 0 even when the task failed (res->failed); non-zero
     * only for host problems (pipes or memory exhausted, a row that is not
     * JSON), and then res->failed is set and res->error says what broke. */
    int (*run)(void *state, const char *row_json, unsigned trial, sk_task_result *res);
    void (*close)(void *state);
    /* 1 when a call costs microseconds (it only reads memory): the runner
     * then hands workers many rows at a time.  0 for tasks that wait on a
     * process or a model, where every worker should hold one row. */
    int cheap;
    /* Optional: what the configuration refers to but does not hold, for
     * the experiment's snapshot, so a comparison sees it change: e.g. the
     * text of a prompt file.  A JSON object recorded as "task_refs" beside
     * the task (caller frees), or NULL.  Reads files relative to project_dir; never
     * fails (an unreadable file is the run's error, reported by open). */
    char *(*snapshot)(const cJSON *config, const char *project_dir);
    /* 1 when each call waits on the model client: the runner then starts
     * as many workers as the client lets requests be in flight. */
    int uses_llm;
} sk_task_ops;

/* The provider named by config's "provider" ("column" when absent), or
 * NULL with *err naming the known ones. */
const sk_task_ops *sk_task_find(const cJSON *config, char **err);

/* Refuse a key of config that ops does not know: "task: unknown key "K"
 * for the P provider; did you mean ...".  With src, config is the object
 * at the JSON pointer ptr in src's text and the message starts FILE:LINE
 * (see base/json_keys.h); src may be NULL. */
int sk_task_check_keys(const sk_task_ops *ops, const cJSON *config, const sk_json_src *src,
                       const char *ptr, char **err);

/* sk_task_find, then sk_task_check_keys: what a project check does with
 * the "task" of scorekit.json before anything runs. */
int sk_task_check(const cJSON *config, const sk_json_src *src, const char *ptr, char **err);

/* Empty both buffers (keeping their memory) and clear failed, latency
 * and the account's usage (not its experiment), ready for the next run. */
void sk_task_result_reset(sk_task_result *r);
/* Release the buffers; the result is zeroed and may be reused. */
void sk_task_result_free(sk_task_result *r);

extern const sk_task_ops sk_task_column;
extern const sk_task_ops sk_task_exec;
extern const sk_task_ops sk_task_stored; /* an experiment's stored outputs (rescore) */

#endif
