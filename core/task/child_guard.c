/* Commands that do not outlive us (see child_guard.h). */
#define _GNU_SOURCE /* close_range */

#include "task/child_guard.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/error.h"
#include "base/util.h"

/* Groups the guard keeps at once: a run has at most 1,024 workers, each
 * running one command. */
#define GUARD_MAX 4096

struct sk_child_guard {
    int fd; /* our end: a message per group, + to watch, - to forget */
    pid_t pid;
};

/* Below the fork only async-signal-safe calls: the other threads of the
 * process that forked are gone in this copy of it, with whatever locks
 * they held (malloc's among them). */
static void close_all_but(int keep) /* keep > 3 */
{
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 34))
    if (close_range(3, (unsigned)keep - 1, 0) == 0 && close_range((unsigned)keep + 1, ~0U, 0) == 0)
        return;
#endif
    for (int fd = 3; fd < 65536; fd++)
        if (fd != keep)
            close(fd);
}

static _Noreturn void guard_main(int sock)
{
    struct sigaction ign;
    memset(&ign, 0, sizeof ign);
    ign.sa_handler = SIG_IGN;
    sigemptyset(&ign.sa_mask);
    static const int quiet[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGPIPE, SIGTSTP};
    for (size_t i = 0; i < sizeof quiet / sizeof *quiet; i++)
        sigaction(quiet[i], &ign, NULL);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    /* Out of our process group, so a signal to the whole job (the
     * terminal's, or kill -- -PGID) leaves the guard to do its work. */
    setpgid(0, 0);

    /* Above the standard descriptors (closed ones included), which go to
     * /dev/null: a guard holding our stdout open would keep a pipe's
     * reader waiting after we exit. */
    int fd = fcntl(sock, F_DUPFD, 10);
    if (fd < 0)
        _exit(1);
    int nul = open("/dev/null", O_RDWR);
    for (int i = 0; i < 3 && nul >= 0; i++)
        if (nul != i)
            dup2(nul, i);
    /* Every other descriptor closed: one of ours still open here (the pipe
     * to a command's stdin) would keep its reader from seeing the end. */
    close_all_but(fd);

    pid_t live[GUARD_MAX];
    size_t n = 0;
    for (;;) {
        int32_t m;
        ssize_t k = recv(fd, &m, sizeof m, 0);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            break; /* every copy of our end is closed: we are gone */
        if (k != (ssize_t)sizeof m || m == 0 || m == INT32_MIN)
            continue;
        if (m > 0) {
            if (n < GUARD_MAX)
                live[n++] = m;
            continue;
        }
        for (size_t i = 0; i < n; i++)
            if (live[i] == -m) {
                live[i] = live[--n];
                break;
            }
    }
    for (size_t i = 0; i < n; i++)
        kill(-live[i], SIGKILL);
    _exit(0);
}

int sk_child_guard_start(sk_child_guard **out, char **err)
{
    *out = NULL;
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) != 0)
        return sk_errf(err, SK_EIO,
                       "cannot make the socket that watches the commands run by this process: "
                       "%s; the process is out of descriptors or memory: raise `ulimit -n` or "
                       "free some, then run again",
                       strerror(errno));
    pid_t pid = fork();
    if (pid < 0) {
        int e = errno;
        close(sv[0]);
        close(sv[1]);
        return sk_errf(err, SK_EIO,
                       "cannot start the process that stops the commands if this one dies: %s; "
                       "the system is out of processes or memory: end some, then run again",
                       strerror(e));
    }
    if (pid == 0) {
        close(sv[0]);
        guard_main(sv[1]);
    }
    close(sv[1]);
    sk_child_guard *g = sk_xcalloc(1, sizeof *g);
    g->fd = sv[0];
    g->pid = pid;
    *out = g;
    return SK_OK;
}

static void tell(sk_child_guard *g, int32_t m)
{
    if (!g || m == 0)
        return;
    /* One message per call, atomic whatever the threads; a gone guard is
     * an error here (EPIPE without the signal), not a reason to stop. */
    while (send(g->fd, &m, sizeof m, MSG_NOSIGNAL) < 0 && errno == EINTR)
        ;
}

void sk_child_guard_watch(sk_child_guard *g, pid_t pgid)
{
    tell(g, (int32_t)pgid);
}

void sk_child_guard_forget(sk_child_guard *g, pid_t pgid)
{
    tell(g, -(int32_t)pgid);
}

void sk_child_guard_stop(sk_child_guard *g)
{
    if (!g)
        return;
    close(g->fd);
    while (waitpid(g->pid, NULL, 0) < 0 && errno == EINTR)
        ;
    free(g);
}
