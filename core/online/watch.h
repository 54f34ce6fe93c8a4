/*
 * Scoring new logs by every online rule, continuously (`scorekit watch`).
 *
 * Each rule reads the logs stored after its checkpoint, in the order they
 * were stored, a batch at a time; keeps those its filter and its sample
 * take; scores them with its scorers on a few threads; and writes the
 * verdicts and the new checkpoint in one transaction.  Killed at any
 * instant, it loses no verdict and writes none twice: a batch is committed
 * whole or read again.
 *
 * A model that is overloaded (429, 503 after the client's own retries) is
 * not an answer: the batch is dropped uncommitted and read again after a
 * pause.  A model that refuses the key (401, 403) pauses the rule, stored
 * with the reason, so its backlog waits instead of turning into errors;
 * `scorekit watch --resume-rule R` lifts it.  Any other error is that
 * scorer's verdict on that log.
 *
 * A rule with an alert checks, after each batch, the mean of the scores it
 * gave in the current window (of wall-clock time, by when they were
 * given); below the bar, the alert's command runs (sh -c) with the
 * window's summary as JSON on stdin, once a window, across restarts.
 */
#ifndef SK_WATCH_H
#define SK_WATCH_H

#include <signal.h>
#include <stdatomic.h>
#include <stddef.h>

#include "engine/registry.h"
#include "online/rules.h"
#include "store/store.h"

struct sk_llm;

typedef struct sk_watch_event {
    const char *rule;
    enum {
        SK_WATCH_BATCH,
        SK_WATCH_PAUSED,
        SK_WATCH_BACKOFF,
        SK_WATCH_IDLE,
        SK_WATCH_ALERT,
        SK_WATCH_BAD
    } kind;
    size_t read, scored; /* BATCH: logs read, logs scored (filter and sample took) */
    const char *message; /* PAUSED, BACKOFF: why; ALERT: the summary sent; BAD: a stream
                          * entry that is not a log, and whether it went to STREAM:dead */
} sk_watch_event;

typedef struct sk_watch_opts {
    const sk_rules *rules;
    const char *only; /* score only this rule; NULL: every rule */
    const sk_registry *reg;
    struct sk_llm *llm;      /* NULL: no model configured (judges then error) */
    const char *project_dir; /* the project's folder (its store, params' files) */
    int jobs;                /* threads per rule; <= 0: 4 */
    size_t batch;            /* logs read at once; 0: 256 */
    int once;                /* stop when every rule has caught up */
    unsigned poll_ms;        /* between looks when caught up; 0: 500 */
    unsigned backoff_ms;     /* after an overloaded model; 0: 2000 */
    atomic_int *stop;        /* set (by a signal handler or another thread) to stop after the batch
                              * in progress; lock-free, so a handler may store to it */
    void (*event)(void *ud, const sk_watch_event *e); /* may be NULL */
    void *event_ud;
} sk_watch_opts;

/* Run until stopped (or caught up, with once).  Returns 0, or a negative
 * SK_E* code with *err: the store failed, a rule's pack cannot be
 * loaded, no rule (or no rule named only). */
int sk_watch_run(sk_store *st, const sk_watch_opts *o, char **err);

/* `watch --source redis://HOST:PORT/STREAM`: a consumer of group `group`
 * (made when missing) of a Redis stream of logs (online/stream.h).  Each
 * entry's log is stored (its id is its key), scored by every rule, the
 * verdicts written unless already there, then the entry acknowledged; an
 * entry another consumer left pending for idle_ms is claimed; one that
 * cannot be read max_failures times goes to STREAM:dead.  With o->once it
 * stops when nothing is left to read.  An overloaded or refusing model
 * leaves the batch unacknowledged, to be claimed again after idle_ms. */
typedef struct sk_watch_stream_opts {
    const char *url, *group, *consumer;
    long idle_ms;      /* 0: 30000 */
    long max_failures; /* 0: 3 */
} sk_watch_stream_opts;

int sk_watch_stream(sk_store *st, const sk_watch_opts *o, const sk_watch_stream_opts *so,
                    char **err);

#endif
