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
 * Running the child (pipes, timeout, process group, SIGPIPE, many threads
 * at once) is subprocess.c's job; this file turns configuration and rows
 * into its spec and its result into the task's output or error.  The state
 * is read-only after open, so run() needs no locks.
 */
#define _GNU_SOURCE /* the GNU strerror_r */

#include "task/task.h"

#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/error.h"
#include "base/row.h"
#include "task/subprocess.h"
#include "base/text/utf8.h"

extern char **environ;

#define OUTPUT_MAX      ((size_t)64 << 20) /* bytes of stdout kept at most */
#define DEFAULT_TIMEOUT 60.0               /* seconds */
#define DEFAULT_PATH    "/usr/local/bin:/usr/bin:/bin"

typedef struct exec_state {
    char *path;  /* argv[0] resolved at open to an absolute file name */
    char **argv; /* as configured (argv[0] as written), NULL-terminated */
    char *cwd;   /* absolute */
    char **env;  /* the environment without SCOREKIT_TRIAL, NULL-terminated */
    size_t nenv;
    double timeout_s;
    sk_child_guard *guard; /* kills the commands still running if we die */
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
    sk_child_guard_stop(st->guard);
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

static int exec_open(const cJSON *config, const char *project_dir, struct sk_llm *llm, void **state,
                     char **err)
{
    (void)llm;
    *state = NULL;
    if (!cJSON_IsObject(config))
        return sk_errf(err, SK_EINVAL,
                       "task: the exec provider needs an object like {\"provider\": \"exec\", "
                       "\"command\": [\"python3\", \"app.py\"]}");
    int krc = sk_task_check_keys(&sk_task_exec, config, NULL, NULL, err);
    if (krc)
        return krc;
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
    if (!rc)
        rc = sk_child_guard_start(&st->guard, err);
    if (rc) {
        exec_close(st);
        return rc;
    }
    *state = st;
    return 0;
}

/* ---- run: one child process, via subprocess.c -------------------------- */

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
static void add_tail(sk_buf *b, const sk_subprocess_result *r)
{
    const char *p = r->tail;
    size_t n = r->tail_len;
    if (r->tail_cut) /* the cut may have split a character: start at the next one */
        while (n && ((unsigned char)*p & 0xC0) == 0x80)
            p++, n--;
    while (n && (p[n - 1] == '\n' || p[n - 1] == '\r' || p[n - 1] == ' ' || p[n - 1] == '\t'))
        n--;
    if (!n)
        return;
    sk_buf_adds(b, r->tail_cut ? "\nstderr: \xE2\x80\xA6" : "\nstderr: ");
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

static int exec_run(void *state, const char *row_json, unsigned trial, sk_task_result *res)
{
    const exec_state *st = state;
    char eb[128];
    char trial_var[40];
    snprintf(trial_var, sizeof trial_var, "SCOREKIT_TRIAL=%u", trial);
    char **envp = sk_xcalloc(st->nenv + 2, sizeof *envp);
    memcpy(envp, st->env, st->nenv * sizeof *envp);
    envp[st->nenv] = trial_var;
    sk_subprocess_spec spec = {.path = st->path,
                               .argv = st->argv,
                               .envp = envp,
                               .cwd = st->cwd,
                               .stdout_max = OUTPUT_MAX,
                               .guard = st->guard};
    /* The row is one line, so `read line` gets it. */
    sk_buf in = {0};
    sk_buf_adds(&in, row_json);
    sk_buf_addc(&in, '\n');
    sk_subprocess_result r;
    int rc = sk_subprocess_run(&spec, in.data, in.len, st->timeout_s, &res->output, &r);
    sk_buf_free(&in);
    free(envp);
    res->latency_ms = r.elapsed_ms;

    int ret = 0;
    if (rc == SK_SUBPROCESS_NOSTART) {
        res->failed = 1;
        sk_buf_printf(&res->error, "could not start %s: %s", st->path,
                      errtext(r.sys_errno, eb, sizeof eb));
    } else if (rc != SK_SUBPROCESS_OK) {
        res->failed = 1;
        sk_buf_printf(&res->error, "could not %s: %s", r.sys_what,
                      errtext(r.sys_errno, eb, sizeof eb));
        ret = SK_EIO;
    } else if (r.too_big) {
        res->failed = 1;
        sk_buf_adds(&res->error, "output larger than 64 MiB");
    } else if (r.timed_out) {
        res->failed = 1;
        sk_buf_printf(&res->error, "timed out after %g s", st->timeout_s);
    } else if (WIFEXITED(r.status) && WEXITSTATUS(r.status) != 0) {
        res->failed = 1;
        sk_buf_printf(&res->error, "exit status %d", WEXITSTATUS(r.status));
    } else if (WIFSIGNALED(r.status)) {
        int sig = WTERMSIG(r.status);
        const char *name = signal_name(sig);
        res->failed = 1;
        sk_buf_printf(&res->error, "killed by signal %d%s%s%s", sig, name ? " (" : "",
                      name ? name : "", name ? ")" : "");
    }
    if (res->failed) {
        add_tail(&res->error, &r);
        sk_buf_reset(&res->output);
        return ret;
    }
    set_output(&res->output);
    return 0;
}

const sk_task_ops sk_task_exec = {
    .provider = "exec",
    .keys = allowed_keys,
    .open = exec_open,
    .run = exec_run,
    .close = exec_close,
};
