/*
 * Commands that do not outlive us.  A run killed with SIGKILL (or by a
 * crash, or a closed terminal) runs no code of its own, so the commands
 * it started would run on: an agent script calling a paid model for
 * minutes, with nobody to read its answer.  The guard is a small process
 * forked for the purpose; it holds one end of a socket whose other end
 * only we hold, is told each command's process group as it starts and
 * ends, and when the socket says we are gone it kills the groups still
 * running, then exits.  Interrupt, hang-up and termination signals are
 * ignored by it, so what reaches our process group does not take the
 * guard with it.
 */
#ifndef SK_CHILD_GUARD_H
#define SK_CHILD_GUARD_H

#include <sys/types.h>

typedef struct sk_child_guard sk_child_guard;

/* Fork the guard.  *out is owned by the caller (sk_child_guard_stop); on
 * failure it is NULL and *err (caller frees) says why: a system that
 * cannot fork one process would not start the commands either. */
int sk_child_guard_start(sk_child_guard **out, char **err);

/* A command's process group (the pid of its leader) started, or is about
 * to be reaped: call forget while the unreaped leader still holds the id,
 * so the guard never kills a group that reused it.  Safe from any thread;
 * a NULL guard or one whose process is gone is ignored. */
void sk_child_guard_watch(sk_child_guard *g, pid_t pgid);
void sk_child_guard_forget(sk_child_guard *g, pid_t pgid);

/* End the guard (any group still watched is killed) and wait for it;
 * NULL is a no-op. */
void sk_child_guard_stop(sk_child_guard *g);

#endif
