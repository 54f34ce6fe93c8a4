/*
 * The bounded write queue of `scorekit serve`: request threads hand it
 * their parsed logs and wait; one writer thread, with its own store
 * connection, commits whatever is queued in one transaction and wakes each
 * request with its own count.  A request is told it was stored only after
 * the commit.  The queue holds at most `capacity` logs (queued or being
 * written): past that a submit is refused at once (SK_EBUSY) rather than
 * held in memory.
 */
#ifndef SK_LOG_QUEUE_H
#define SK_LOG_QUEUE_H

#include <stddef.h>

#include "online/log_parse.h"

typedef struct sk_log_queue sk_log_queue;

/* Open the store of the project in project_dir on the writer's own
 * connection and start the writer.  Returns 0, or a negative SK_E* code
 * with *err.  Free with sk_log_queue_close. */
int sk_log_queue_open(sk_log_queue **out, const char *project_dir, size_t capacity, char **err);

/* Queue lv's logs and wait until they are committed.  The queue takes the
 * logs (lv is left empty) whatever the outcome.  Returns 0 with *added (new
 * logs; the rest were duplicates), SK_EBUSY when the queue has no room for
 * them (nothing queued), or another SK_E* code with *err when the commit
 * failed (nothing stored). */
int sk_log_queue_submit(sk_log_queue *q, sk_log_vec *lv, size_t *added, char **err);

/* Commit what is queued, stop the writer and close its store.  NULL is
 * allowed.  Call once no thread submits any more. */
void sk_log_queue_close(sk_log_queue *q);

#endif
