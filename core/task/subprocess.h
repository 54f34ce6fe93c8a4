/*
 * Running one child process to completion: start a program with an exact
 * argv and environment, feed it stdin, collect its stdout and the tail of
 * its stderr, and stop it (with everything it started) at a deadline.
 * Safe to call from many threads at once; see subprocess.c for how.
 * The exec task provider (task_exec.c) builds on it; it knows nothing of
 * JSON or tasks, only that stdin carries "the row" in one message.
 */
#ifndef SK_SUBPROCESS_H
#define SK_SUBPROCESS_H

#include <stddef.h>

#include "base/util.h"
#include "task/child_guard.h"

/* Bytes of stderr kept: the last ones, where the reason usually is. */
#define SK_SUBPROCESS_TAIL_MAX 2048

/* What to run.  Every pointer is borrowed for the duration of the call. */
typedef struct sk_subprocess_spec {
    const char *path;      /* the program file, not searched on PATH */
    char *const *argv;     /* NULL-terminated; argv[0] as the program should see it */
    char *const *envp;     /* NULL-terminated: the child's whole environment */
    const char *cwd;       /* the child's working directory */
    size_t stdout_max;     /* bytes of stdout accepted (< SIZE_MAX); more stops the child */
    sk_child_guard *guard; /* told of the child's process group, or NULL */
} sk_subprocess_spec;

/* How the run ended (the return value of sk_subprocess_run). */
typedef enum sk_subprocess_rc {
    SK_SUBPROCESS_OK = 0,  /* it ran: see timed_out, too_big and status */
    SK_SUBPROCESS_NOPIPES, /* the pipes could not be made: nothing was started */
    SK_SUBPROCESS_NOSTART, /* posix_spawn failed (sys_errno): nothing was started */
    /* poll, read, write or waitpid failed while it ran; the child was
     * killed and reaped, or was beyond reach (waitpid failed) */
    SK_SUBPROCESS_BROKEN,
} sk_subprocess_rc;

/* What came back.  Filled by every call, whatever it returns. */
typedef struct sk_subprocess_result {
    int status;    /* the waitpid status, when OK and neither flag below is set */
    int timed_out; /* the deadline passed; the process group was killed */
    int too_big;   /* stdout passed spec->stdout_max; the process group was killed */
    int sys_errno; /* with NOPIPES, NOSTART, BROKEN: the errno of the failure */
    /* With NOPIPES and BROKEN: what failed, a static string that fits
     * "could not %s", e.g. "poll the command's pipes". */
    const char *sys_what;
    char tail[SK_SUBPROCESS_TAIL_MAX]; /* the end of stderr, raw bytes (not NUL-terminated) */
    size_t tail_len;
    int tail_cut;      /* earlier stderr bytes were dropped (a character may be split) */
    double elapsed_ms; /* wall time of the whole call */
} sk_subprocess_result;

/* Run spec's program in its own process group with stdin_data[0..stdin_len)
 * on its stdin (then EOF), its stdout appended to *out (caller-owned; pass
 * it empty: spec->stdout_max counts its whole length) and its stderr's tail
 * in res, until it exits or timeout_s seconds have passed.  The child is
 * always reaped before return: on timeout, too much output or a failure
 * mid-run its process group is killed first.  SIGPIPE from a command that
 * does not read its stdin is absorbed in the calling thread; signal
 * dispositions are not changed.  Returns an sk_subprocess_rc; on anything
 * but OK, *out holds whatever arrived before the failure. */
int sk_subprocess_run(const sk_subprocess_spec *spec, const char *stdin_data, size_t stdin_len,
                      double timeout_s, sk_buf *out, sk_subprocess_result *res);

#endif
