/* `scorekit serve`: the HTTP ingestion endpoint (core/online/server.c),
 * run until SIGTERM or SIGINT, which drain it: requests in progress are
 * answered and their logs committed before the exit. */
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "base/util.h"
#include "cli/cli.h"
#include "online/log_queue.h"
#include "online/server.h"
#include "online/watch.h"
#include "run/engines.h"
#include "cli/llm_setup.h"
#include "store/store.h"

static void help(void)
{
    printf("usage: scorekit serve [--listen HOST:PORT] [--max-body BYTES] [--max-rows N]\n"
           "                      [--queue N] [--max-conns N] [--watch]\n"
           "\n"
           "Receive production logs over HTTP and store them in the project:\n"
           "  POST /v1/logs     log rows (as `scorekit logs ingest`): a JSON object, an\n"
           "                    array of them, or JSONL\n"
           "  POST /v1/traces   OpenTelemetry traces, OTLP/HTTP JSON\n"
           "  GET  /healthz     200 while serving\n"
           "A POST needs \"Authorization: Bearer TOKEN\", the token being\n"
           "SCOREKIT_INGEST_TOKEN or scorekit.json's \"ingest_token\" (401 otherwise).\n"
           "200 {\"read\",\"added\",\"duplicates\"} is sent once the logs are committed;\n"
           "400 a malformed body (with its line and column), 413 one too large, 503\n"
           "with Retry-After when the write queue is full.  SIGTERM or SIGINT finish\n"
           "the requests in progress, then exit 0.\n"
           "\n"
           "  --listen H:P     address (default 127.0.0.1:8318); port 0 picks a free one;\n"
           "                   the URL is printed on stdout once listening\n"
           "  --max-body B     largest body in bytes (default 8388608)\n"
           "  --max-rows N     most logs in one request (default 10000)\n"
           "  --queue N        most logs waiting to be written (default 100000; also\n"
           "                   SCOREKIT_SERVE_QUEUE)\n"
           "  --max-conns N    most connections at once (default 256)\n"
           "  --sink URL       also append each committed log to the Redis stream\n"
           "                   redis://HOST:PORT/STREAM, for `watch --source` workers\n"
           "  --watch          also score the new logs by the online rules, as `scorekit\n"
           "                   watch` does, in this process\n"
           "\n"
           "exit status: 0 stopped by a signal, 1 cannot serve, 64 usage.\n");
}

static int parse_size(const char *opt, const char *s, size_t min, size_t *out)
{
    char *end;
    unsigned long long v = strtoull(s, &end, 10);
    if (*end || end == s || s[0] == '-' || v < min) {
        cli_error("%s needs a whole number >= %zu, got \"%s\"", opt, min, s);
        return -1;
    }
    *out = (size_t)v;
    return 0;
}

/* `serve --watch`: the online rules score new logs on a thread of their
 * own, with their own store connection, until the server stops. */
typedef struct watcher {
    pthread_t thread;
    sk_store *st;
    sk_rules rules;
    sk_registry *reg;
    sk_watch_opts o;
    atomic_int stop;
    int rc;
    char *err;
} watcher;

static void on_watch_event(void *ud, const sk_watch_event *e)
{
    (void)ud;
    if (e->kind == SK_WATCH_PAUSED)
        fprintf(stderr, "scorekit serve: rule %s is paused: %s\n", e->rule, e->message);
    else if (e->kind == SK_WATCH_BACKOFF)
        fprintf(stderr, "scorekit serve: rule %s: the model is overloaded; retrying later\n",
                e->rule);
}

static void *watch_main(void *ud)
{
    watcher *w = ud;
    w->rc = sk_watch_run(w->st, &w->o, &w->err);
    return NULL;
}

static int watch_start(const cli_ctx *ctx, const sk_project *proj, watcher *w)
{
    char *err = NULL;
    int rc = sk_rules_load(proj, &w->rules, &err);
    if (rc == SK_OK)
        rc = sk_engines_open(&w->reg, proj->dir, &err);
    if (rc == SK_OK && cli_llm_open(ctx, proj, 1, &err) != CLI_OK)
        rc = SK_EINVAL;
    if (rc == SK_OK)
        rc = sk_store_open(&w->st, proj->dir, &err);
    if (rc == SK_OK) {
        w->o.rules = &w->rules;
        w->o.reg = w->reg;
        w->o.llm = cli_llm_client(ctx);
        w->o.project_dir = proj->dir;
        w->o.stop = &w->stop;
        w->o.event = on_watch_event;
        if (pthread_create(&w->thread, NULL, watch_main, w) != 0)
            rc = sk_errf(&err, SK_EIO, "cannot start the watch thread");
    }
    if (rc) {
        cli_error("serve --watch: %s", err ? err : "cannot start");
        free(err);
        sk_store_close(w->st);
        sk_registry_free(w->reg);
        sk_rules_free(&w->rules);
        return -1;
    }
    return 0;
}

/* Stop after the batch in progress; -1 when the watch had failed. */
static int watch_stop(watcher *w)
{
    atomic_store(&w->stop, 1);
    pthread_join(w->thread, NULL);
    if (w->rc)
        cli_error("serve --watch: %s", w->err ? w->err : "the watch failed");
    int rc = w->rc ? -1 : 0;
    free(w->err);
    sk_store_close(w->st);
    sk_registry_free(w->reg);
    sk_rules_free(&w->rules);
    return rc;
}

int cmd_serve(const cli_ctx *ctx, int argc, char **argv)
{
    static const struct option opts[] = {{"listen", required_argument, NULL, 'l'},
                                         {"max-body", required_argument, NULL, 'b'},
                                         {"max-rows", required_argument, NULL, 'r'},
                                         {"queue", required_argument, NULL, 'q'},
                                         {"max-conns", required_argument, NULL, 'c'},
                                         {"watch", no_argument, NULL, 'w'},
                                         {"sink", required_argument, NULL, 's'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    const char *listen = "127.0.0.1:8318";
    size_t max_body = 8u << 20, max_rows = 10000, queue = 100000, conns = 256;
    int watch = 0;
    const char *sink = NULL;
    const char *env_q = getenv("SCOREKIT_SERVE_QUEUE");
    if (env_q && *env_q && parse_size("SCOREKIT_SERVE_QUEUE", env_q, 1, &queue))
        return CLI_USAGE;
    int c;
    optind = 1;
    while ((c = cli_getopt(argc, argv, "h", opts)) != -1) {
        int bad = 0;
        switch (c) {
        case 'l': listen = optarg; break;
        case 'b': bad = parse_size("--max-body", optarg, 1, &max_body); break;
        case 'r': bad = parse_size("--max-rows", optarg, 1, &max_rows); break;
        case 'q': bad = parse_size("--queue", optarg, 1, &queue); break;
        case 'c': bad = parse_size("--max-conns", optarg, 1, &conns); break;
        case 'w': watch = 1; break;
        case 's': sink = optarg; break;
        case 'h': help(); return CLI_OK;
        default: return CLI_USAGE;
        }
        if (bad)
            return CLI_USAGE;
    }
    if (optind != argc) {
        cli_error("serve takes no arguments, got \"%s\"", argv[optind]);
        return CLI_USAGE;
    }
    char *host = NULL;
    unsigned port = 0;
    if (cli_parse_listen(listen, &host, &port))
        return CLI_USAGE;
    sk_project *proj = NULL;
    if (cli_project(ctx, 1, &proj)) {
        free(host);
        return CLI_FAIL;
    }
    const char *token = getenv("SCOREKIT_INGEST_TOKEN");
    if (!token || !*token)
        token = proj->ingest_token;

    /* The signals are taken by sigwait below, so every thread started
     * from here on inherits them blocked. */
    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGTERM);
    sigaddset(&stop, SIGINT);
    pthread_sigmask(SIG_BLOCK, &stop, NULL);
    signal(SIGPIPE, SIG_IGN);

    char *err = NULL;
    sk_log_queue *q = NULL;
    sk_server *srv = NULL;
    int rc = sk_log_queue_open(&q, proj->dir, queue, &err);
    if (rc == SK_OK) {
        sk_server_opts o = {host, port, token, max_body, max_rows, (unsigned)conns, 30, q, sink};
        rc = sk_server_start(&srv, &o, &err);
    }
    if (rc) {
        cli_error("%s", err);
        free(err);
        sk_log_queue_close(q);
        sk_project_free(proj);
        free(host);
        return CLI_FAIL;
    }
    watcher w = {0};
    if (watch && watch_start(ctx, proj, &w)) {
        sk_server_stop(srv);
        sk_log_queue_close(q);
        sk_project_free(proj);
        free(host);
        return CLI_FAIL;
    }
    printf("listening on http://%s:%u\n", host, sk_server_port(srv));
    fflush(stdout);
    int sig = 0;
    sigwait(&stop, &sig);
    fprintf(stderr, "scorekit serve: %s: finishing the requests in progress\n",
            sig == SIGINT ? "SIGINT" : "SIGTERM");
    sk_server_stop(srv);
    if (watch && watch_stop(&w))
        rc = SK_EIO;
    sk_log_queue_close(q);
    sk_project_free(proj);
    free(host);
    return rc ? CLI_FAIL : CLI_OK;
}
