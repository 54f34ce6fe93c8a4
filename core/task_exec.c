/*
 * The `exec` task provider: one child process per row, in any language.
 * The command is an argv array (no shell, so no quoting surprises), the row
 * goes to its stdin as one line of JSON, and whatever it prints on stdout is
 * the output: kept as JSON when it parses, else taken as text.  A non-zero
 * exit, a signal or the timeout make a task error that ends with the tail
 * of the command's stderr, which is usually where the reason is.
 *
 *   {"provider": "exec", "command": ["python3", "app.py"], "timeout_s": 30,
 *    "cwd": "app", "env": {"MODEL": "small"}}
 *
 * argv[0] is found at open (on the PATH the child will see; a name with a
 * '/' relative to cwd, which is relative to the project folder), so a typo
 * fails once rather than on every row.  The child gets our environment as
 * it was at open, plus "env", plus SCOREKIT_TRIAL=<trial>.  The row is
 * followed by a newline, so `read line` or a line loop gets it.  stdout is
 * kept up to 64 MiB, stderr's last 2 KiB.
 *
 * Many worker threads run commands at once, which shapes the code:
 *  - every descriptor is created O_CLOEXEC, so a child spawned by another
 *    thread never inherits our pipe ends (a leaked stdin write end would
 *    keep our child waiting for EOF forever);
 *  - posix_spawn, not fork: no async-signal-safety rules to break in a
 *    child of a threaded process, and glibc spawns without copying memory;
 *  - stdin, stdout and stderr are served together by one poll() loop, so a
 *    command that prints a lot before it reads cannot deadlock with us;
 *  - each command runs in its own process group, so the timeout kills what
 *    it started too (a shell script's children), and Ctrl-C on the
 *    terminal reaches scorekit alone, which decides what to stop;
 *  - SIGPIPE (a command that exits without reading its stdin) is blocked in
 *    the calling thread around the call and a pending one consumed, rather
 *    than ignored process-wide: a library should not change the
 *    disposition of a signal for the whole program.
 * The state is read-only after open, so run() needs no locks.
 */
#define _GNU_SOURCE /* posix_spawn_file_actions_addchdir_np, addclosefrom_np */

#include "task.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "error.h"
#include "row.h"
#include "text/utf8.h"

extern char **environ;

#define OUTPUT_MAX      ((size_t)64 << 20) /* bytes of stdout kept at most */
#define TAIL_MAX        2048               /* bytes of stderr kept (the last ones) */
#define DEFAULT_TIMEOUT 60.0               /* seconds */
#define DEFAULT_PATH    "/usr/local/bin:/usr/bin:/bin"

typedef struct exec_state {
    char *path;  /* argv[0] resolved at open to an absolute file name */
    char **argv; /* as configured (argv[0] as written), NULL-terminated */
    char *cwd;   /* absolute */
    char **env;  /* the environment without SCOREKIT_TRIAL, NULL-terminated */
    size_t nenv;
    double timeout_s;
} exec_state;

static const char *const allowed_keys[] = {"provider", "command", "timeout_s", "cwd", "env", NULL};

/* strerror is not guaranteed thread-safe; strerror_r has two signatures. */
static const char *errtext(int e, char *buf, size_t n)
{
#if defined(__GLIBC__)
    return strerror_r(e, buf, n);
#else
    return strerror_r(e, buf, n) == 0 ? buf : "unknown error";
#endif
}

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* ---- open: check the configuration and find the program --------------- */

static void free_strv(char **v)
{
    if (!v)
        return;
    for (char **p = v; *p; p++)
        free(*p);
    free(v);
}

static void exec_close(void *state)
{
    exec_state *st = state;
    if (!st)
        return;
    free(st->path);
    free_strv(st->argv);
    free(st->cwd);
    free_strv(st->env);
    free(st);
}

static int is_executable_file(const char *path, int *why)
{
    struct stat sb;
    if (stat(path, &sb) != 0) {
        *why = errno;
        return 0;
    }
    if (!S_ISREG(sb.st_mode)) {
        *why = S_ISDIR(sb.st_mode) ? EISDIR : EACCES;
        return 0;
    }
    if (access(path, X_OK) != 0) {
        *why = errno;
        return 0;
    }
    return 1;
}

static char *join_path(const char *dir, const char *name)
{
    if (name[0] == '/')
        return sk_xstrdup(name);
    while (name[0] == '.' && name[1] == '/') /* "./app.sh": tidier messages */
        for (name += 2; *name == '/'; name++)
            ;
    return sk_asprintf("%s%s%s", dir, dir[strlen(dir) - 1] == '/' ? "" : "/", name);
}

/* The PATH the command will see: from "env" when it sets one. */
static const char *child_path(const cJSON *env)
{
    const cJSON *p = env ? cJSON_GetObjectItemCaseSensitive(env, "PATH") : NULL;
    if (cJSON_IsString(p))
        return p->valuestring;
    const char *s = getenv("PATH");
    return s ? s : DEFAULT_PATH;
}

/* Resolve argv[0] the way execvp would in the child: a name with a '/' is
 * taken relative to the command's cwd, any other is looked up on PATH. */
static int resolve_program(exec_state *st, const char *name, const cJSON *env, char **err)
{
    char eb[128];
    int why = 0;
    if (strchr(name, '/')) {
        char *full = join_path(st->cwd, name);
        if (!is_executable_file(full, &why)) {
            int rc = sk_errf(err, SK_ENOTFOUND,
                             "task: command \"%s\" (%s) is not an executable file: %s; give the "
                             "path of a program (relative paths start at the task's cwd, %s)",
                             name, full, errtext(why, eb, sizeof eb), st->cwd);
            free(full);
            return rc;
        }
        st->path = full;
        return 0;
    }
    const char *path = child_path(env);
    const char *p = path;
    for (;;) {
        const char *colon = strchr(p, ':');
        size_t n = colon ? (size_t)(colon - p) : strlen(p);
        /* An empty PATH entry means the current directory, as for execvp. */
        char *dir = n ? sk_xstrndup(p, n) : sk_xstrdup(".");
        char *absdir = join_path(st->cwd, dir);
        char *full = join_path(absdir, name);
        free(dir);
        free(absdir);
        if (is_executable_file(full, &why)) {
            st->path = full;
            return 0;
        }
        free(full);
        if (!colon)
            break;
        p = colon + 1;
    }
    return sk_errf(err, SK_ENOTFOUND,
                   "task: command \"%s\" was not found on PATH (%s); install it, or give its "
                   "full path in \"command\"",
                   name, path);
}

static int parse_command(exec_state *st, const cJSON *cmd, char **err)
{
    if (!cmd)
        return sk_errf(err, SK_EINVAL,
                       "task: the exec provider needs \"command\", the program and its "
                       "arguments, e.g. \"command\": [\"python3\", \"app.py\"]");
    int n = cJSON_IsArray(cmd) ? cJSON_GetArraySize(cmd) : 0;
    if (n == 0)
        return sk_errf(err, SK_EINVAL,
                       "task: \"command\" must be a non-empty array of strings (the program "
                       "and its arguments; no shell), e.g. [\"python3\", \"app.py\"]");
    st->argv = sk_xcalloc((size_t)n + 1, sizeof *st->argv);
    int i = 0;
    const cJSON *a;
    cJSON_ArrayForEach(a, cmd)
    {
        if (!cJSON_IsString(a))
            return sk_errf(err, SK_EINVAL,
                           "task: \"command\" element %d is not a string; write every argument "
                           "as a JSON string, e.g. \"30\" rather than 30",
                           i + 1);
        st->argv[i++] = sk_xstrdup(a->valuestring);
    }
    if (!st->argv[0][0])
        return sk_errf(err, SK_EINVAL, "task: \"command\" starts with an empty program name");
    return 0;
}

static int parse_cwd(exec_state *st, const cJSON *cwd, const char *project_dir, char **err)
{
    if (cwd && (!cJSON_IsString(cwd) || !cwd->valuestring[0]))
        return sk_errf(err, SK_EINVAL,
                       "task: \"cwd\" must be a directory name (relative to the project "
                       "folder)");
    const char *base = project_dir && project_dir[0] ? project_dir : ".";
    char *dir = cwd ? join_path(base, cwd->valuestring) : sk_xstrdup(base);
    char eb[128];
    /* Absolute, so the child's working directory does not depend on ours. */
    st->cwd = realpath(dir, NULL);
    int why = errno;
    struct stat sb;
    if (st->cwd && stat(st->cwd, &sb) == 0 && !S_ISDIR(sb.st_mode))
        why = ENOTDIR;
    else if (st->cwd)
        why = 0;
    if (why) {
        int rc = sk_errf(err, SK_ENOTFOUND,
                         "task: the command's working directory %s cannot be used: %s; \"cwd\" "
                         "is relative to the project folder",
                         dir, errtext(why, eb, sizeof eb));
        free(dir);
        return rc;
    }
    free(dir);
    return 0;
}

/* 1 when the environment entry "NAME=value" names a variable that "env"
 * sets or run() adds, so the parent's value must not be passed on. */
static int overridden(const char *entry, const cJSON *env)
{
    const char *eq = strchr(entry, '=');
    size_t len = eq ? (size_t)(eq - entry) : strlen(entry);
    if (len == 14 && strncmp(entry, "SCOREKIT_TRIAL", 14) == 0)
        return 1;
    const cJSON *e;
    cJSON_ArrayForEach(e, env)
    {
        if (strlen(e->string) == len && strncmp(entry, e->string, len) == 0)
            return 1;
    }
    return 0;
}

/* The parent's environment as it is now, with the "env" entries replacing
 * or adding variables.  SCOREKIT_TRIAL is left out: run() adds it. */
static int build_env(exec_state *st, const cJSON *env, char **err)
{
    int nadd = 0;
    const cJSON *e;
    if (env) {
        if (!cJSON_IsObject(env))
            return sk_errf(err, SK_EINVAL,
                           "task: \"env\" must be an object of variable names to string values, "
                           "e.g. {\"MODEL\": \"small\"}");
        cJSON_ArrayForEach(e, env)
        {
            if (!e->string[0] || strchr(e->string, '='))
                return sk_errf(err, SK_EINVAL,
                               "task: \"env\" has the variable name \"%s\"; a name must be "
                               "non-empty and contain no '='",
                               e->string);
            if (!cJSON_IsString(e))
                return sk_errf(err, SK_EINVAL,
                               "task: \"env\" value of %s is not a string; write it as a JSON "
                               "string, e.g. \"1\"",
                               e->string);
            nadd++;
        }
    }
    size_t nparent = 0;
    for (char **p = environ; p && *p; p++)
        nparent++;
    st->env = sk_xcalloc(nparent + (size_t)nadd + 1, sizeof *st->env);
    size_t n = 0;
    for (char **p = environ; p && *p; p++)
        if (!overridden(*p, env))
            st->env[n++] = sk_xstrdup(*p);
    cJSON_ArrayForEach(e, env)
    {
        st->env[n++] = sk_asprintf("%s=%s", e->string, e->valuestring);
    }
    st->nenv = n;
    return 0;
}

static int exec_open(const cJSON *config, const char *project_dir, void **state, char **err)
{
    *state = NULL;
    if (!cJSON_IsObject(config))
        return sk_errf(err, SK_EINVAL,
                       "task: the exec provider needs an object like {\"provider\": \"exec\", "
                       "\"command\": [\"python3\", \"app.py\"]}");
    const cJSON *k;
    cJSON_ArrayForEach(k, config)
    {
        int ok = 0;
        for (const char *const *a = allowed_keys; *a; a++)
            ok |= strcmp(*a, k->string) == 0;
        if (!ok)
            return sk_errf(err, SK_EINVAL,
                           "task: unknown key \"%s\" for the exec provider (allowed: provider, "
                           "command, timeout_s, cwd, env)",
                           k->string);
    }
    exec_state *st = sk_xcalloc(1, sizeof *st);
    st->timeout_s = DEFAULT_TIMEOUT;
    const cJSON *t = cJSON_GetObjectItemCaseSensitive(config, "timeout_s");
    const cJSON *env = cJSON_GetObjectItemCaseSensitive(config, "env");
    int rc = 0;
    if (t && (!cJSON_IsNumber(t) || !(t->valuedouble > 0) || !isfinite(t->valuedouble)))
        rc = sk_errf(err, SK_EINVAL,
                     "task: \"timeout_s\" must be a number of seconds > 0, e.g. 30 or 0.5");
    else if (t)
        st->timeout_s = t->valuedouble;
    if (!rc)
        rc = parse_command(st, cJSON_GetObjectItemCaseSensitive(config, "command"), err);
    if (!rc)
        rc = build_env(st, env, err);
    if (!rc)
        rc = parse_cwd(st, cJSON_GetObjectItemCaseSensitive(config, "cwd"), project_dir, err);
    if (!rc)
        rc = resolve_program(st, st->argv[0], env, err);
    if (rc) {
        exec_close(st);
        return rc;
    }
    *state = st;
    return 0;
}

/* ---- run: one child process -------------------------------------------- */

/* The last TAIL_MAX bytes of what the command wrote to stderr. */
typedef struct tail {
    char buf[TAIL_MAX];
    size_t len;
    int cut; /* earlier bytes were dropped */
} tail;

static void tail_add(tail *t, const char *p, size_t n)
{
    if (n >= TAIL_MAX) {
        t->cut |= t->len > 0 || n > TAIL_MAX;
        memcpy(t->buf, p + n - TAIL_MAX, TAIL_MAX);
        t->len = TAIL_MAX;
        return;
    }
    if (t->len + n > TAIL_MAX) {
        size_t drop = t->len + n - TAIL_MAX;
        memmove(t->buf, t->buf + drop, t->len - drop);
        t->len -= drop;
        t->cut = 1;
    }
    memcpy(t->buf + t->len, p, n);
    t->len += n;
}

/* Append p[0..n) with every invalid UTF-8 byte replaced by U+FFFD, so the
 * text can go into JSON (an output string, an error message). */
static void add_utf8(sk_buf *b, const char *p, size_t n)
{
    size_t i = 0, run = 0;
    while (i < n) {
        uint32_t cp;
        size_t k = sk_utf8_next(p + i, n - i, &cp);
        if (cp == SK_UTF8_REPLACEMENT && k == 1) { /* a real U+FFFD takes 3 bytes */
            sk_buf_add(b, p + run, i - run);
            sk_buf_adds(b, "\xEF\xBF\xBD");
            run = i + 1;
        }
        i += k;
    }
    sk_buf_add(b, p + run, n - run);
}

/* "\nstderr: <tail>" when the command wrote anything to stderr. */
static void add_tail(sk_buf *b, const tail *t)
{
    const char *p = t->buf;
    size_t n = t->len;
    if (t->cut) /* the cut may have split a character: start at the next one */
        while (n && ((unsigned char)*p & 0xC0) == 0x80)
            p++, n--;
    while (n && (p[n - 1] == '\n' || p[n - 1] == '\r' || p[n - 1] == ' ' || p[n - 1] == '\t'))
        n--;
    if (!n)
        return;
    sk_buf_adds(b, t->cut ? "\nstderr: \xE2\x80\xA6" : "\nstderr: ");
    add_utf8(b, p, n);
}

static const char *signal_name(int sig)
{
    switch (sig) {
    case SIGHUP: return "SIGHUP";
    case SIGINT: return "SIGINT";
    case SIGQUIT: return "SIGQUIT";
    case SIGILL: return "SIGILL";
    case SIGTRAP: return "SIGTRAP";
    case SIGABRT: return "SIGABRT";
    case SIGBUS: return "SIGBUS";
    case SIGFPE: return "SIGFPE";
    case SIGKILL: return "SIGKILL";
    case SIGUSR1: return "SIGUSR1";
    case SIGSEGV: return "SIGSEGV";
    case SIGUSR2: return "SIGUSR2";
    case SIGPIPE: return "SIGPIPE";
    case SIGALRM: return "SIGALRM";
    case SIGTERM: return "SIGTERM";
    case SIGXCPU: return "SIGXCPU";
    case SIGXFSZ: return "SIGXFSZ";
    }
    return NULL;
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
    const char *row;
    size_t row_len, sent; /* the row plus a '\n' */
    sk_buf *output;
    tail tail;
    int epipe;     /* the command closed its stdin early */
    int too_big;   /* stdout passed OUTPUT_MAX */
    int sys_errno; /* a host failure (poll, read, write) */
    const char *sys_what;
} call;

static void send_row(call *c)
{
    while (c->sent < c->row_len + 1) {
        ssize_t n = c->sent < c->row_len ? write(c->in, c->row + c->sent, c->row_len - c->sent)
                                         : write(c->in, "\n", 1);
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
            c->sys_errno = errno;
            c->sys_what = "write the row to the command's stdin";
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
        if (room > OUTPUT_MAX + 1 - c->output->len)
            room = OUTPUT_MAX + 1 - c->output->len;
        ssize_t n = read(c->out, c->output->data + c->output->len, room);
        if (n > 0) {
            c->output->len += (size_t)n;
            c->output->data[c->output->len] = '\0';
            if (c->output->len > OUTPUT_MAX) {
                c->too_big = 1;
                return;
            }
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            return;
        if (n < 0) {
            c->sys_errno = errno;
            c->sys_what = "read the command's stdout";
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
            tail_add(&c->tail, chunk, (size_t)n);
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
    while (!c->too_big && !c->sys_errno && (c->in >= 0 || c->out >= 0 || c->err >= 0)) {
        double left = deadline - now_ms();
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
            c->sys_errno = errno;
            c->sys_what = "poll the command's pipes";
            return 0;
        }
        for (nfds_t i = 0; i < n; i++) {
            if (!fds[i].revents)
                continue;
            if (which[i] == &c->in)
                send_row(c);
            else if (which[i] == &c->out)
                drain_stdout(c);
            else
                drain_stderr(c);
        }
    }
    return 0;
}

/* Reap the child once it exits, giving up at the deadline (a command may
 * close its stdout and keep running).  Returns 0 with *status, 1 on
 * timeout, or -1 with errno. */
static int wait_until(pid_t pid, double deadline, int *status)
{
    long delay_ns = 50000;
    for (;;) {
        pid_t r = waitpid(pid, status, WNOHANG);
        if (r == pid)
            return 0;
        if (r < 0 && errno != EINTR)
            return -1;
        double left = deadline - now_ms();
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

static void kill_and_reap(pid_t pid, int *status)
{
    /* The group first, while the unreaped leader keeps its id taken. */
    kill(-pid, SIGKILL);
    while (waitpid(pid, status, 0) < 0 && errno == EINTR)
        ;
}

/* Set the output from what the command printed. */
static void set_output(sk_buf *out)
{
    size_t n = out->len;
    if (n && out->data[n - 1] == '\n') {
        n--;
        if (n && out->data[n - 1] == '\r')
            n--;
    }
    const char *p = out->data ? out->data : "";
    size_t a = 0, b = n;
    while (a < b && strchr(" \t\r\n", p[a]))
        a++;
    while (b > a && strchr(" \t\r\n", p[b - 1]))
        b--;
    if (a < b && sk_json_check(p + a, b - a, NULL, NULL, 0) == 0) {
        memmove(out->data, p + a, b - a);
        out->len = b - a;
        out->data[out->len] = '\0';
        return;
    }
    sk_buf text = {0};
    add_utf8(&text, p, n);
    sk_buf_reset(out);
    sk_buf_add_json_string(out, text.data ? text.data : "", text.len);
    sk_buf_free(&text);
}

static int spawn(const exec_state *st, call *c, int child_in, int child_out, int child_err,
                 unsigned trial)
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
        rc = posix_spawn_file_actions_addchdir_np(&fa, st->cwd);
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
    if (!rc) {
        char **envp = sk_xcalloc(st->nenv + 2, sizeof *envp);
        char trial_var[40];
        snprintf(trial_var, sizeof trial_var, "SCOREKIT_TRIAL=%u", trial);
        memcpy(envp, st->env, st->nenv * sizeof *envp);
        envp[st->nenv] = trial_var;
        rc = posix_spawn(&c->pid, st->path, &fa, &attr, st->argv, envp);
        free(envp);
    }
    posix_spawnattr_destroy(&attr);
    posix_spawn_file_actions_destroy(&fa);
    return rc;
}

static int exec_run(void *state, const char *row_json, unsigned trial, sk_task_result *res)
{
    const exec_state *st = state;
    double t0 = now_ms();
    double deadline = t0 + st->timeout_s * 1e3;
    char eb[128];
    call c = {.pid = -1,
              .in = -1,
              .out = -1,
              .err = -1,
              .row = row_json,
              .row_len = strlen(row_json),
              .output = &res->output};
    int in[2] = {-1, -1}, out[2] = {-1, -1}, err[2] = {-1, -1};
    if (make_pipe(in, 1) != 0 || make_pipe(out, 0) != 0 || make_pipe(err, 0) != 0) {
        int e = errno;
        for (int i = 0; i < 2; i++)
            close_fd(&in[i]), close_fd(&out[i]), close_fd(&err[i]);
        res->failed = 1;
        sk_buf_printf(&res->error, "could not create pipes for the command: %s",
                      errtext(e, eb, sizeof eb));
        res->latency_ms = now_ms() - t0;
        return SK_EIO;
    }
    c.in = in[1], c.out = out[0], c.err = err[0];

    sigset_t pipe_set, old_mask, pending;
    sigemptyset(&pipe_set);
    sigaddset(&pipe_set, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipe_set, &old_mask);
    sigpending(&pending);
    int pipe_was_pending = sigismember(&pending, SIGPIPE);

    int rc = spawn(st, &c, in[0], out[1], err[1], trial);
    close_fd(&in[0]), close_fd(&out[1]), close_fd(&err[1]);
    int status = 0, timed_out = 0, ret = 0;
    if (rc != 0) {
        res->failed = 1;
        sk_buf_printf(&res->error, "could not start %s: %s", st->path, errtext(rc, eb, sizeof eb));
    } else {
        timed_out = pump(&c, deadline);
        if (!timed_out && !c.too_big && !c.sys_errno) {
            int w = wait_until(c.pid, deadline, &status);
            if (w < 0) {
                c.sys_errno = errno;
                c.sys_what = "wait for the command";
            }
            if (w <= 0) /* reaped, or beyond reach (ECHILD): never kill its id */
                c.pid = -1;
            timed_out = w == 1;
        }
        if (c.pid > 0)
            kill_and_reap(c.pid, &status);
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
    res->latency_ms = now_ms() - t0;
    if (rc != 0)
        return 0;

    if (c.sys_errno) {
        res->failed = 1;
        sk_buf_printf(&res->error, "could not %s: %s", c.sys_what,
                      errtext(c.sys_errno, eb, sizeof eb));
        ret = SK_EIO;
    } else if (c.too_big) {
        res->failed = 1;
        sk_buf_adds(&res->error, "output larger than 64 MiB");
    } else if (timed_out) {
        res->failed = 1;
        sk_buf_printf(&res->error, "timed out after %g s", st->timeout_s);
    } else if (WIFEXITED(status) && WEXITSTATUS(status) != 0) {
        res->failed = 1;
        sk_buf_printf(&res->error, "exit status %d", WEXITSTATUS(status));
    } else if (WIFSIGNALED(status)) {
        int sig = WTERMSIG(status);
        const char *name = signal_name(sig);
        res->failed = 1;
        sk_buf_printf(&res->error, "killed by signal %d%s%s%s", sig, name ? " (" : "",
                      name ? name : "", name ? ")" : "");
    }
    if (res->failed) {
        add_tail(&res->error, &c.tail);
        sk_buf_reset(&res->output);
        return ret;
    }
    set_output(&res->output);
    return 0;
}

const sk_task_ops sk_task_exec = {
    .provider = "exec",
    .open = exec_open,
    .run = exec_run,
    .close = exec_close,
};
