/*
 * The host side of the plugin ABI: the sk_host service table every scorer
 * receives, and sk_result, the verdict a scorer fills in.  The runner keeps
 * one sk_result per scorer per worker and reuses its buffers row after row.
 */
#ifndef SK_HOST_H
#define SK_HOST_H

#include "scorekit/plugin.h"
#include "base/util.h"
#include "base/verdict.h"

struct sk_result {
    sk_verdict kind;
    double score;
    sk_buf rationale; /* with a score */
    sk_buf message;   /* skip reason or error message */
    sk_buf meta;      /* JSON object text, with a score */
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

/* The process-wide host table; static storage. */
const sk_host *sk_host_get(void);

/* Where host->log goes.  The library never prints: with no logger, log
 * lines are dropped.  `fn` is called from worker threads and must be safe
 * there. */
typedef void (*sk_log_fn)(sk_log_level level, const char *scorer, const char *msg, void *ud);
void sk_host_set_logger(sk_log_fn fn, void *ud);

/* What host->project_dir returns (copied; NULL clears).  Set by the CLI
 * before any scorer opens, never while workers run. */
void sk_host_set_project_dir(const char *dir);

#endif
