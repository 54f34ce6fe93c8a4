/*
 * The host side of the plugin ABI: the sk_host service table every scorer
 * receives, and sk_result, the verdict a scorer fills in.  The runner keeps
 * one sk_result per scorer per worker and reuses its buffers row after row.
 *
 * There is no process-wide table: a run makes its own sk_host_ctx (the
 * table plus what its services act for: the model client, the project, the
 * experiment) and one per worker, so a worker's table bills the model
 * calls made through it to the row that worker scores (plugin.h, "Host
 * tables").
 */
#ifndef SK_HOST_H
#define SK_HOST_H

#include "scorekit/plugin.h"
#include "base/util.h"
#include "base/verdict.h"
#include "llm/llm_types.h"

struct sk_llm;

struct sk_result {
    sk_verdict kind;
    double score;
    sk_buf rationale; /* with a score */
    sk_buf message;   /* skip reason or error message */
    sk_buf meta;      /* JSON object text, with a score */
    /* Set by the caller before scoring: no rationale will be shown or
     * kept, so set_rationale is ignored and scorers may skip building one
     * (wants_rationale).  sk_result_reset leaves it. */
    int no_rationale;
};

/* `r` must be zeroed or previously initialised. */
void sk_result_reset(sk_result *r);
void sk_result_free(sk_result *r);

/* Apply the verdict rules after a scorer returned `rc`: no verdict, a
 * non-zero return, a score outside [0,1] or NaN, each become an error that
 * names `scorer`. */
void sk_result_finish(sk_result *r, int rc, const char *scorer);

/* Error helpers for the host's own checks (same rules as host->set_error). */
void sk_result_errorf(sk_result *r, const char *fmt, ...) SK_PRINTF(2, 3);
void sk_result_skipf(sk_result *r, const char *fmt, ...) SK_PRINTF(2, 3);

/* One run's host (or one worker's of that run).  `table` comes first, so
 * the `const sk_host *` a plugin hands back to llm_chat leads to its
 * context (sk_host_ctx_of).  The fields may change while no call through
 * the table is in progress (a runner that opens its scorers before it
 * records the experiment names it then).  No log function: see
 * sk_host_set_logger. */
typedef struct sk_host_ctx {
    sk_host table;
    struct sk_llm *llm;      /* borrowed; NULL: no model configured (llm_chat says so) */
    const char *project_dir; /* borrowed; NULL: none */
    /* account.experiment (borrowed) is what the usage log records the
     * calls against (NULL: none); account.usage sums the successful calls
     * made through this table, by any thread. */
    sk_llm_account account;
    /* 1: the registry's table for entry points, which belongs to no run and
     * acts for the one the thread is calling a scorer for (sk_host_enter) */
    int stand_in;
} sk_host_ctx;

/* Fill h: the table, llm, project_dir and experiment (all borrowed; any
 * may be NULL), a zero usage. */
void sk_host_init(sk_host_ctx *h, struct sk_llm *llm, const char *project_dir,
                  const char *experiment);

/* The context of a table made by sk_host_init. */
static inline sk_host_ctx *sk_host_ctx_of(const sk_host *table)
{
    return (sk_host_ctx *)table;
}

/* host->llm_chat with the C calling convention: billed to h's account;
 * `caller` names the caller in the usage log when the request does not.
 * h NULL: an error saying no client is open.  See sk_llm_chat_json. */
int sk_host_llm_chat(sk_host_ctx *h, const char *request_json, const char *caller,
                     char **reply_json, char **err);

/* Around every call into a scorer (open, score, close): says which run the
 * thread is working for, for what cannot tell from its arguments
 * (plugin.h): project_dir(), which takes no table and is kept only for
 * plugins built before project_folder, and a stand_in table.  Nothing else
 * is attributed by thread.  Returns what to hand sk_host_leave. */
sk_host_ctx *sk_host_enter(sk_host_ctx *h);
void sk_host_leave(sk_host_ctx *prev);

/* Where host->log goes.  The library never prints: with no logger, log
 * lines are dropped.  `fn` is called from worker threads and must be safe
 * there.  One for the whole process, on purpose: log() takes no table, so
 * it cannot tell runs apart, and where lines go (the CLI's stderr) is the
 * process's business, not a run's. */
typedef void (*sk_log_fn)(sk_log_level level, const char *scorer, const char *msg, void *ud);
void sk_host_set_logger(sk_log_fn fn, void *ud);

/* host->log for the core's own callers (Lua's print). */
void sk_host_log(sk_log_level level, const char *scorer, const char *fmt, ...) SK_PRINTF(3, 4);

#endif
