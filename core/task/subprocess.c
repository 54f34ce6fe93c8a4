/*
 * Running one child process to completion (see subprocess.h).  Many
 * worker threads run commands at once, which shapes the code:
 *  - every descriptor is created O_CLOEXEC, so a child spawned by another
 *    thread never inherits our pipe ends (a leaked stdin write end would
 *    keep our child waiting for EOF forever);
 *  - posix_spawn, not fork: no async-signal-safety rules to break in a
 *    child of a threaded process, and glibc spawns without copying memory;
 *  - stdin, stdout and stderr are served together by one poll() loop, so a
 *    command that prints a lot before it reads cannot deadlock with us;
 *  - each command runs in its own process group, so the timeout kills what
 *    it started too (a shell script's children), and Ctrl-C on the
 *    terminal reaches scorekit alone, which decides what to stop; the
 *    spec's guard (child_guard.h) kills the group if we die first;
 *  - SIGPIPE (a command that exits without reading its stdin) is blocked in
 *    the calling thread around the call and a pending one consumed, rather
 *    than ignored process-wide: a library should not change the
 *    disposition of a signal for the whole program.
 */
#define _GNU_SOURCE /* pipe2, posix_spawn_file_actions_addchdir_np, addclosefrom_np */

#include "task/subprocess.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* Keep the last SK_SUBPROCESS_TAIL_MAX bytes the command wrote to stderr. */
static void tail_add(sk_subprocess_result *t, const char *p, size_t n)
{
    if (n >= SK_SUBPROCESS_TAIL_MAX) {
        t->tail_cut |= t->tail_len > 0 || n > SK_SUBPROCESS_TAIL_MAX;
        memcpy(t->tail, p + n - SK_SUBPROCESS_TAIL_MAX, SK_SUBPROCESS_TAIL_MAX);
        t->tail_len = SK_SUBPROCESS_TAIL_MAX;
        return;
    }
    if (t->tail_len + n > SK_SUBPROCESS_TAIL_MAX) {
        size_t drop = t->tail_len + n - SK_SUBPROCESS_TAIL_MAX;
        memmove(t->tail, t->tail + drop, t->tail_len - drop);
        t->tail_len -= drop;
        t->tail_cut = 1;
    }
    memcpy(t->tail + t->tail_len, p, n);
    t->tail_len += n;
}

/* A pipe whose ends are close-on-exec and above 2 (so the dup2 onto the
 * child's 0/1/2 really makes a copy without FD_CLOEXEC, even when our own
 * stdio is closed), with the parent's end non-blocking. */
static int make_pipe(int fds[2], int parent_end)
{
    if (pipe2(fds, O_CLOEXEC) != 0)
        return -1;
    for (int i = 0; i < 2; i++) {
        if (fds[i] > 2)
            continue;
        int fd = fcntl(fds[i], F_DUPFD_CLOEXEC, 3);
        if (fd < 0) {
            close(fds[0]);
            close(fds[1]);
            return -1;
        }
        close(fds[i]);
        fds[i] = fd;
    }
    int fl = fcntl(fds[parent_end], F_GETFL);
    if (fl < 0 || fcntl(fds[parent_end], F_SETFL, fl | O_NONBLOCK) != 0) {
        close(fds[0]);
        close(fds[1]);
        return -1;
    }
    return 0;
}

static void close_fd(int *fd)
{
    if (*fd >= 0)
        close(*fd);
    *fd = -1;
}

/* One call in flight: the child's pipes and what came back. */
typedef struct call {
    pid_t pid;
    int in, out, err; /* parent ends, -1 once closed */
    const char *data; /* for stdin */
    size_t len, sent;
    size_t output_max;
    sk_buf *output;
    sk_subprocess_result *res; /* too_big, sys_errno, sys_what, the tail */
    int epipe;                 /* the command closed its stdin early */
} call;

static void send_stdin(call *c)
{
    while (c->sent < c->len) {
        ssize_t n = write(c->in, c->data + c->sent, c->len - c->sent);
        if (n > 0) {
            c->sent += (size_t)n;
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            return;
        /* EPIPE: the command does not want (the rest of) its input, which
         * is its business; its exit status says whether that was fine. */
        if (n < 0 && errno == EPIPE)
            c->epipe = 1;
        else {
            c->res->sys_errno = errno;
            c->res->sys_what = "write the row to the command's stdin";
        }
        break;
    }
    close_fd(&c->in);
}

static void drain_stdout(call *c)
{
    for (;;) {
        sk_buf_reserve(c->output, 65536);
        size_t room = c->output->cap - c->output->len - 1;
        if (room > c->output_max + 1 - c->output->len)
            room = c->output_max + 1 - c->output->len;
        ssize_t n = read(c->out, c->output->data + c->output->len, room);
        if (n > 0) {
            c->output->len += (size_t)n;
            c->output->data[c->output->len] = '\0';
            if (c->output->len > c->output_max) {
                c->res->too_big = 1;
                return;
            }
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            return;
        if (n < 0) {
            c->res->sys_errno = errno;
            c->res->sys_what = "read the command's stdout";
        }
        close_fd(&c->out);
        return;
    }
}

static void drain_stderr(call *c)
{
    char chunk[4096];
    for (;;) {
        ssize_t n = read(c->err, chunk, sizeof chunk);
        if (n > 0) {
            tail_add(c->res, chunk, (size_t)n);
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            return;
        close_fd(&c->err); /* EOF, or an error: the tail is only a courtesy */
        return;
    }
}

/* Serve the three pipes until stdout and stderr end.  Returns 0, or 1 when
 * the deadline passed first. */
static int pump(call *c, double deadline)
{
    while (!c->res->too_big && !c->res->sys_errno && (c->in >= 0 || c->out >= 0 || c->err >= 0)) {
        double left = deadline - sk_now_ms();
        if (left <= 0)
            return 1;
        struct pollfd fds[3];
        nfds_t n = 0;
        int *which[3];
        if (c->in >= 0)
            which[n] = &c->in, fds[n++] = (struct pollfd){c->in, POLLOUT, 0};
        if (c->out >= 0)
            which[n] = &c->out, fds[n++] = (struct pollfd){c->out, POLLIN, 0};
        if (c->err >= 0)
            which[n] = &c->err, fds[n++] = (struct pollfd){c->err, POLLIN, 0};
        int ms = left > INT_MAX ? INT_MAX : (int)ceil(left);
        int r = poll(fds, n, ms);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            c->res->sys_errno = errno;
            c->res->sys_what = "poll the command's pipes";
            return 0;
        }
        for (nfds_t i = 0; i < n; i++) {
            if (!fds[i].revents)
                continue;
            if (which[i] == &c->in)
                send_stdin(c);
            else if (which[i] == &c->out)
                drain_stdout(c);
            else
                drain_stderr(c);
        }
    }
    return 0;
}

/* Reap the child: the guard forgets its group first, while the unreaped
 * leader keeps the id from being reused. */
static void reap(pid_t pid, int *status, sk_child_guard *guard)
{
    sk_child_guard_forget(guard, pid);
    while (waitpid(pid, status, 0) < 0 && errno == EINTR)
        ;
}

/* Reap the child once it exits, giving up at the deadline (a command may
 * close its stdout and keep running).  Returns 0 with *status, 1 on
 * timeout, or -1 with errno. */
static int wait_until(pid_t pid, double deadline, int *status, sk_child_guard *guard)
{
    long delay_ns = 50000;
    for (;;) {
        siginfo_t si;
        si.si_pid = 0;
        /* WNOWAIT: exited, but not reaped yet. */
        int r = waitid(P_PID, (id_t)pid, &si, WEXITED | WNOHANG | WNOWAIT);
        if (r == 0 && si.si_pid == pid) {
            reap(pid, status, guard);
            return 0;
        }
        if (r < 0 && errno != EINTR) {
            sk_child_guard_forget(guard, pid);
            return -1;
        }
        double left = deadline - sk_now_ms();
        if (left <= 0)
            return 1;
        /* Usually the child is already exiting when its pipes close, so
         * start with a short nap and back off. */
        long ns = delay_ns;
        if (left * 1e6 < (double)ns)
            ns = (long)(left * 1e6) + 1;
        nanosleep(&(struct timespec){0, ns}, NULL);
        if (delay_ns < 10000000)
            delay_ns *= 2;
    }
}

static void kill_and_reap(pid_t pid, int *status, sk_child_guard *guard)
{
    /* The group first, while the unreaped leader keeps its id taken. */
    kill(-pid, SIGKILL);
    reap(pid, status, guard);
}

static int spawn(const sk_subprocess_spec *spec, call *c, int child_in, int child_out,
                 int child_err)
{
    posix_spawn_file_actions_t fa;
    posix_spawnattr_t attr;
    int rc = posix_spawn_file_actions_init(&fa);
    if (rc)
        return rc;
    if ((rc = posix_spawnattr_init(&attr)) != 0) {
        posix_spawn_file_actions_destroy(&fa);
        return rc;
    }
    sigset_t none, all;
    sigemptyset(&none);
    sigfillset(&all);
    if (!rc)
        rc = posix_spawn_file_actions_addchdir_np(&fa, spec->cwd);
    if (!rc)
        rc = posix_spawn_file_actions_adddup2(&fa, child_in, 0);
    if (!rc)
        rc = posix_spawn_file_actions_adddup2(&fa, child_out, 1);
    if (!rc)
        rc = posix_spawn_file_actions_adddup2(&fa, child_err, 2);
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 34))
    /* Also descriptors someone else opened without O_CLOEXEC. */
    if (!rc)
        rc = posix_spawn_file_actions_addclosefrom_np(&fa, 3);
#endif
    /* Own process group; default signal handling and an empty mask, since
     * ignored signals and the mask survive exec and we block SIGPIPE. */
    if (!rc)
        rc = posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK |
                                                 POSIX_SPAWN_SETSIGDEF);
    if (!rc)
        rc = posix_spawnattr_setpgroup(&attr, 0);
    if (!rc)
        rc = posix_spawnattr_setsigmask(&attr, &none);
    if (!rc)
        rc = posix_spawnattr_setsigdefault(&attr, &all);
    if (!rc)
        rc = posix_spawn(&c->pid, spec->path, &fa, &attr, spec->argv, spec->envp);
    posix_spawnattr_destroy(&attr);
    posix_spawn_file_actions_destroy(&fa);
    return rc;
}

int sk_subprocess_run(const sk_subprocess_spec *spec, const char *stdin_data, size_t stdin_len,
                      double timeout_s, sk_buf *out, sk_subprocess_result *res)
{
    double t0 = sk_now_ms();
    double deadline = t0 + timeout_s * 1e3;
    memset(res, 0, sizeof *res);
    call c = {.pid = -1,
              .in = -1,
              .out = -1,
              .err = -1,
              .data = stdin_data,
              .len = stdin_len,
              .output_max = spec->stdout_max,
              .output = out,
              .res = res};
    int in[2] = {-1, -1}, outp[2] = {-1, -1}, err[2] = {-1, -1};
    if (make_pipe(in, 1) != 0 || make_pipe(outp, 0) != 0 || make_pipe(err, 0) != 0) {
        res->sys_errno = errno;
        res->sys_what = "create pipes for the command";
        for (int i = 0; i < 2; i++)
            close_fd(&in[i]), close_fd(&outp[i]), close_fd(&err[i]);
        res->elapsed_ms = sk_now_ms() - t0;
        return SK_SUBPROCESS_NOPIPES;
    }
    c.in = in[1], c.out = outp[0], c.err = err[0];

    sigset_t pipe_set, old_mask, pending;
    sigemptyset(&pipe_set);
    sigaddset(&pipe_set, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipe_set, &old_mask);
    sigpending(&pending);
    int pipe_was_pending = sigismember(&pending, SIGPIPE);

    int rc = spawn(spec, &c, in[0], outp[1], err[1]);
    close_fd(&in[0]), close_fd(&outp[1]), close_fd(&err[1]);
    if (rc != 0) {
        res->sys_errno = rc;
    } else {
        sk_child_guard_watch(spec->guard, c.pid);
        res->timed_out = pump(&c, deadline);
        if (!res->timed_out && !res->too_big && !res->sys_errno) {
            int w = wait_until(c.pid, deadline, &res->status, spec->guard);
            if (w < 0) {
                res->sys_errno = errno;
                res->sys_what = "wait for the command";
            }
            if (w <= 0) /* reaped, or beyond reach (ECHILD): never kill its id */
                c.pid = -1;
            res->timed_out = w == 1;
        }
        if (c.pid > 0)
            kill_and_reap(c.pid, &res->status, spec->guard);
    }
    close_fd(&c.in), close_fd(&c.out), close_fd(&c.err);

    /* A SIGPIPE our write raised is pending on this thread: take it before
     * unblocking, unless one was pending already (then it is not ours). */
    if (c.epipe && !pipe_was_pending) {
        sigpending(&pending);
        if (sigismember(&pending, SIGPIPE))
            sigtimedwait(&pipe_set, NULL, &(struct timespec){0, 0});
    }
    pthread_sigmask(SIG_SETMASK, &old_mask, NULL);
    res->elapsed_ms = sk_now_ms() - t0;
    if (rc != 0)
        return SK_SUBPROCESS_NOSTART;
    return res->sys_errno ? SK_SUBPROCESS_BROKEN : SK_SUBPROCESS_OK;
}
