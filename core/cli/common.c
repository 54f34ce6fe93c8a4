/* Shared helpers of the subcommands: messages, project and pack loading. */
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "online/ingest.h"
#include "cli/llm_setup.h"
#include "base/error.h"
#include "base/text/suggest.h"
#include "run/engines.h"
#include "run/project_check.h"

void cli_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("scorekit: error: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

void cli_warn(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("scorekit: warning: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

double cli_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int cli_project(const cli_ctx *ctx, int required, sk_project **proj)
{
    char *err = NULL;
    *proj = NULL;
    int rc = sk_project_load(proj, ctx->dir, &err);
    if (rc == SK_ENOTFOUND && !required && !ctx->dir_given) {
        free(err);
        return SK_OK;
    }
    if (rc == SK_OK && (rc = sk_project_check(*proj, &err)) != SK_OK) {
        sk_project_free(*proj);
        *proj = NULL;
    }
    if (rc) {
        cli_error("%s", err);
        free(err);
    }
    return rc;
}

int cli_pack(const cli_ctx *ctx, const sk_project *proj, const char *pack_file,
             const char *const *scorers, size_t nscorers, sk_registry **reg, sk_pack **pack)
{
    char *err = NULL;
    *pack = NULL;
    *reg = NULL;
    sk_engines_open(reg, proj ? proj->dir : (ctx->dir_given ? ctx->dir : NULL), &err);
    int rc;
    if (nscorers)
        rc = sk_pack_from_names(pack, scorers, nscorers, *reg, &err);
    else if (pack_file)
        rc = sk_pack_load(pack, pack_file, *reg, &err);
    else if (proj && proj->pack)
        rc = sk_pack_load(pack, proj->pack, *reg, &err);
    else
        rc = sk_errf(&err, SK_EINVAL,
                     "no scorers to run: pass --pack FILE or --scorer NAME, or run inside a "
                     "project whose %s names a pack (`scorekit init` makes one)",
                     SK_PROJECT_FILE);
    /* Before any scorer opens: judges check the client when they do. */
    if (rc == SK_OK && cli_llm_open(ctx, proj, cli_pack_uses_llm(*pack), &err) != CLI_OK) {
        sk_pack_free(*pack);
        *pack = NULL;
        rc = CLI_FAIL;
    }
    if (rc) {
        cli_error("%s", err);
        free(err);
        sk_registry_free(*reg);
        *reg = NULL;
    }
    return rc;
}

const char *cli_command = "";

void cli_put_clipped(const char *s, size_t max)
{
    size_t n = strlen(s), end = n;
    if (n > max) {
        end = max;
        while (end > 0 && ((unsigned char)s[end] & 0xc0) == 0x80)
            end--;
    }
    for (size_t i = 0; i < end; i++)
        putchar((unsigned char)s[i] < 0x20 ? ' ' : s[i]);
    if (end < n)
        fputs("...", stdout);
}

int cli_json_opts(int argc, char **argv, const char *help_text, int *json)
{
    static const struct option opts[] = {
        {"json", no_argument, NULL, 'J'}, {"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}};
    int c;
    *json = 0;
    optind = 1;
    while ((c = cli_getopt(argc, argv, "h", opts)) != -1) {
        if (c == 'J')
            *json = 1;
        else if (c == 'h') {
            fputs(help_text, stdout);
            return CLI_OK;
        } else
            return CLI_USAGE;
    }
    return -1;
}

int cli_getopt(int argc, char **argv, const char *shortopts, const struct option *longopts)
{
    /* ':' first: a missing value returns ':' rather than '?', so the two
     * mistakes get their own messages. */
    char *shorts = sk_asprintf(":%s", shortopts);
    opterr = 0;
    int prev = optind;
    int c = getopt_long(argc, argv, shorts, longopts, NULL);
    free(shorts);
    if (c != '?' && c != ':')
        return c;
    /* The word at fault: getopt has moved past it. */
    char word[128];
    if (optopt > 0 && optopt < 256)
        snprintf(word, sizeof word, "-%c", optopt);
    else {
        const char *arg = optind > prev && optind <= argc ? argv[optind - 1] : "?";
        snprintf(word, sizeof word, "%.*s", (int)strcspn(arg, "="), arg);
    }
    if (c == ':') {
        cli_error("option %s needs a value (`scorekit %s --help` says what it takes)", word,
                  cli_command);
        return '?';
    }
    /* Compared without the dashes: "by" and "by-topic" share their first
     * word. */
    size_t n = 0;
    while (longopts && longopts[n].name)
        n++;
    const char **names = sk_xcalloc(n + 1, sizeof *names);
    for (size_t i = 0; i < n; i++)
        names[i] = longopts[i].name;
    const char *near = strncmp(word, "--", 2) == 0 ? sk_suggest(word + 2, names, n) : NULL;
    if (near)
        cli_error("unknown option %s; did you mean --%s? (`scorekit %s --help` lists the options)",
                  word, near, cli_command);
    else
        cli_error("unknown option %s (`scorekit %s --help` lists the options)", word, cli_command);
    free(names);
    return '?';
}

int cli_take_flag(int *argc, char **argv, const char *flag)
{
    int found = 0, j = 0;
    for (int i = 0; i < *argc; i++) {
        if (i > 0 && strcmp(argv[i], "--") == 0) {
            while (i < *argc)
                argv[j++] = argv[i++];
            break;
        }
        if (i > 0 && strcmp(argv[i], flag) == 0)
            found = 1;
        else
            argv[j++] = argv[i];
    }
    *argc = j;
    argv[j] = NULL;
    return found;
}

void cli_json_str(cJSON *o, const char *key, const char *s)
{
    if (s)
        cJSON_AddStringToObject(o, key, s);
    else
        cJSON_AddNullToObject(o, key);
}

void cli_json_raw(cJSON *o, const char *key, const char *json)
{
    if (json)
        cJSON_AddRawToObject(o, key, json);
    else
        cJSON_AddNullToObject(o, key);
}

void cli_json_num(cJSON *o, const char *key, double v)
{
    if (isnan(v) || isinf(v))
        cJSON_AddNullToObject(o, key);
    else
        cJSON_AddNumberToObject(o, key, v);
}

volatile sig_atomic_t cli_interrupted;

/* The first Ctrl-C asks the command to stop at its next clean point (a
 * run lets the cells under way finish and records them; score prints what
 * it has).  A cell can take minutes (a model, an agent script), so a second
 * Ctrl-C stops at once: the default action, the process ends as Ctrl-C
 * ends it, and the commands a run started go with it (task/child_guard.h);
 * --resume runs the cells not yet recorded. */
static void on_sigint(int sig)
{
    if (__atomic_load_n(&cli_interrupted, __ATOMIC_RELAXED)) {
        signal(sig, SIG_DFL);
        raise(sig);
        return;
    }
    /* Atomic: worker threads read it (run.c); lock-free, so safe here. */
    __atomic_store_n(&cli_interrupted, 1, __ATOMIC_RELAXED);
    static const char msg[] =
        "\nscorekit: stopping once the work under way is done; Ctrl-C again to stop at once\n";
    ssize_t w = write(STDERR_FILENO, msg, sizeof msg - 1);
    (void)w;
}

void cli_catch_sigint(struct sigaction *old)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_sigint;
    sigaction(SIGINT, &sa, old);
}

void cli_release_sigint(const struct sigaction *old)
{
    sigaction(SIGINT, old, NULL);
}

int cli_parse_listen(const char *s, char **host, unsigned *port)
{
    const char *colon = strrchr(s, ':');
    char *end;
    unsigned long p = colon ? strtoul(colon + 1, &end, 10) : 0;
    if (!colon || colon == s || !colon[1] || *end || p > 65535) {
        cli_error("--listen needs HOST:PORT (like 127.0.0.1:8318; port 0: any free one), got "
                  "\"%s\"",
                  s);
        return -1;
    }
    *host = sk_xstrndup(s, (size_t)(colon - s));
    *port = (unsigned)p;
    return 0;
}

int cli_since(const char *arg, char out[32])
{
    double secs = sk_duration_parse(arg);
    if (secs < 0) {
        cli_error("--since needs a duration like 90s, 15m, 1h or 7d, got \"%s\"", arg);
        return -1;
    }
    sk_logs_time_ago(secs, out);
    return 0;
}
