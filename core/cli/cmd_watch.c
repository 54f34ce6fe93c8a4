/*
 * `scorekit watch`: score new production logs by the project's online
 * rules, continuously (core/online/watch.h), until SIGTERM or SIGINT,
 * which finish the batch in progress; --once stops when every rule has
 * caught up.
 */
#include <getopt.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/error.h"
#include "cli/cli.h"
#include "cli/llm_setup.h"
#include "online/watch.h"
#include "run/engines.h"
#include "store/log_scores.h"

static void help(void)
{
    printf("usage: scorekit watch [--rule R] [--once] [-j N] [--batch N] [--poll-ms N]\n"
           "                      [--resume-rule R] [--quiet]\n"
           "       scorekit watch --source redis://HOST:PORT/STREAM --group G [--consumer C]\n"
           "                      [--idle-ms N] [--max-failures N] [--once] ...\n"
           "\n"
           "Score the logs stored in the project (`logs ingest`, `serve`) by every rule\n"
           "of scorekit.json's \"online\" list, as they come: each rule takes the logs\n"
           "its filter and its sample select, scores them with its scorers, and keeps\n"
           "its verdicts with a checkpoint, so a backlog is caught up and a log is\n"
           "scored once by a rule however the process ends (kill -9 included).  An\n"
           "overloaded model (429) makes it wait and try the batch again; a refused key\n"
           "(401, 403) pauses the rule, its backlog kept, until --resume-rule.\n"
           "`scorekit logs --lowest` lists what they found.\n"
           "\n"
           "  --rule R         only rule R\n"
           "  --once           stop when every rule has caught up (default: keep\n"
           "                   watching until SIGTERM or SIGINT)\n"
           "  -j N             scoring threads per rule (default 4)\n"
           "  --batch N        logs read at a time (default 256)\n"
           "  --poll-ms N      how often to look for new logs when caught up (default 500)\n"
           "  --resume-rule R  lift rule R's pause, then watch\n"
           "  --quiet          no line per batch on stderr\n"
           "  --source URL     read the logs from a Redis stream (`serve --sink URL` fills\n"
           "                   it) as consumer C (default: HOST-PID) of group G, store and\n"
           "                   score each, then acknowledge it; several workers share the\n"
           "                   stream; entries a dead worker left pending for --idle-ms\n"
           "                   (default 30000) are claimed; an entry that cannot be read\n"
           "                   --max-failures times (default 3) goes to STREAM:dead\n"
           "\n"
           "exit status: 0 stopped, or caught up with --once; 1 bad rules or the store\n"
           "failed; 64 usage.\n");
}

static atomic_int stopping;

static void on_signal(int sig)
{
    (void)sig;
    atomic_store(&stopping, 1);
}

static void on_event(void *ud, const sk_watch_event *e)
{
    int quiet = *(int *)ud;
    switch (e->kind) {
    case SK_WATCH_BATCH:
        if (!quiet)
            fprintf(stderr, "scorekit watch: rule %s: %zu log%s read, %zu scored\n", e->rule,
                    e->read, e->read == 1 ? "" : "s", e->scored);
        break;
    case SK_WATCH_PAUSED:
        fprintf(stderr, "scorekit watch: rule %s is paused: %s\n", e->rule, e->message);
        break;
    case SK_WATCH_BACKOFF:
        fprintf(stderr,
                "scorekit watch: rule %s: the model is overloaded; the batch is tried again "
                "after a pause (%s)\n",
                e->rule, e->message);
        break;
    case SK_WATCH_BAD:
        fprintf(stderr, "scorekit watch: stream %s: %s\n", e->rule, e->message);
        break;
    case SK_WATCH_ALERT:
        fprintf(stderr, "scorekit watch: rule %s: ALERT: %s\n", e->rule, e->message);
        break;
    default: break;
    }
}

static long number(const char *opt, const char *s, long min, long max)
{
    char *end;
    long v = strtol(s, &end, 10);
    if (*end || end == s || v < min || v > max) {
        cli_error("%s needs a whole number from %ld to %ld, got \"%s\"", opt, min, max, s);
        return -1;
    }
    return v;
}

int cmd_watch(const cli_ctx *ctx, int argc, char **argv)
{
    static const struct option opts[] = {{"rule", required_argument, NULL, 'r'},
                                         {"once", no_argument, NULL, 'o'},
                                         {"batch", required_argument, NULL, 'b'},
                                         {"poll-ms", required_argument, NULL, 'p'},
                                         {"resume-rule", required_argument, NULL, 'R'},
                                         {"quiet", no_argument, NULL, 'q'},
                                         {"source", required_argument, NULL, 'S'},
                                         {"group", required_argument, NULL, 'G'},
                                         {"consumer", required_argument, NULL, 'C'},
                                         {"idle-ms", required_argument, NULL, 'I'},
                                         {"max-failures", required_argument, NULL, 'M'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    sk_watch_opts o = {0};
    sk_watch_stream_opts so = {0};
    const char *resume = NULL;
    int quiet = 0, c;
    long v;
    optind = 1;
    while ((c = cli_getopt(argc, argv, "hj:", opts)) != -1) {
        switch (c) {
        case 'r': o.only = optarg; break;
        case 'o': o.once = 1; break;
        case 'R': resume = optarg; break;
        case 'q': quiet = 1; break;
        case 'S': so.url = optarg; break;
        case 'G': so.group = optarg; break;
        case 'C': so.consumer = optarg; break;
        case 'I':
            if ((v = number("--idle-ms", optarg, 1, 86400000)) < 0)
                return CLI_USAGE;
            so.idle_ms = v;
            break;
        case 'M':
            if ((v = number("--max-failures", optarg, 1, 1000)) < 0)
                return CLI_USAGE;
            so.max_failures = v;
            break;
        case 'j':
            if ((v = number("-j", optarg, 1, 256)) < 0)
                return CLI_USAGE;
            o.jobs = (int)v;
            break;
        case 'b':
            if ((v = number("--batch", optarg, 1, 100000)) < 0)
                return CLI_USAGE;
            o.batch = (size_t)v;
            break;
        case 'p':
            if ((v = number("--poll-ms", optarg, 1, 3600000)) < 0)
                return CLI_USAGE;
            o.poll_ms = (unsigned)v;
            break;
        case 'h': help(); return CLI_OK;
        default: return CLI_USAGE;
        }
    }
    if (optind != argc) {
        cli_error("watch takes no arguments, got \"%s\"", argv[optind]);
        return CLI_USAGE;
    }
    if (!!so.url != !!so.group) {
        cli_error("--source URL and --group G go together: the workers of one group share the "
                  "stream");
        return CLI_USAGE;
    }
    char consumer[128];
    if (so.url && !so.consumer) {
        char host[64] = "host";
        gethostname(host, sizeof host - 1);
        snprintf(consumer, sizeof consumer, "%s-%ld", host, (long)getpid());
        so.consumer = consumer;
    }
    sk_project *proj = NULL;
    sk_store *st = NULL;
    if (cli_open_store(ctx, &proj, &st))
        return CLI_FAIL;
    sk_rules rules = {0};
    sk_registry *reg = NULL;
    char *err = NULL;
    int rc = sk_rules_load(proj, &rules, &err);
    if (rc == SK_OK)
        rc = sk_engines_open(&reg, proj->dir, &err);
    /* One model client for every rule: its limits are shared, and judges
     * check it when they open. */
    if (rc == SK_OK && cli_llm_open(ctx, proj, 1, &err) != CLI_OK)
        rc = SK_EINVAL;
    if (rc == SK_OK && resume) {
        int known = 0;
        for (size_t i = 0; i < rules.n; i++)
            known |= strcmp(rules.v[i].name, resume) == 0;
        rc = known ? sk_rule_pause(st, resume, NULL, &err)
                   : sk_errf(&err, SK_EINVAL, "--resume-rule: no online rule named %s", resume);
        if (rc == SK_OK)
            fprintf(stderr, "scorekit watch: rule %s resumed\n", resume);
    }
    if (rc == SK_OK) {
        struct sigaction sa, old_int, old_term;
        memset(&sa, 0, sizeof sa);
        sa.sa_handler = on_signal;
        sigaction(SIGINT, &sa, &old_int);
        sigaction(SIGTERM, &sa, &old_term);
        o.rules = &rules;
        o.reg = reg;
        o.llm = cli_llm_client(ctx);
        o.project_dir = proj->dir;
        o.stop = &stopping;
        o.event = on_event;
        o.event_ud = &quiet;
        rc = so.url ? sk_watch_stream(st, &o, &so, &err) : sk_watch_run(st, &o, &err);
        sigaction(SIGINT, &old_int, NULL);
        sigaction(SIGTERM, &old_term, NULL);
    }
    if (rc == SK_OK && !so.url) {
        for (size_t i = 0; i < rules.n; i++) {
            int64_t seq;
            long long scored;
            char *paused = NULL;
            if (o.only && strcmp(o.only, rules.v[i].name) != 0)
                continue;
            if (sk_rule_state(st, rules.v[i].name, &seq, &scored, &paused, &err) != SK_OK)
                break;
            printf("rule %s: %lld log%s scored, checkpoint %lld%s%s\n", rules.v[i].name, scored,
                   scored == 1 ? "" : "s", (long long)seq, paused ? "; PAUSED: " : "",
                   paused ? paused : "");
            free(paused);
        }
    }
    if (rc || err) {
        cli_error("%s", err ? err : "the watch failed");
        rc = rc ? rc : SK_EIO;
    }
    free(err);
    sk_registry_free(reg);
    sk_rules_free(&rules);
    sk_store_close(st);
    sk_project_free(proj);
    return rc ? CLI_FAIL : CLI_OK;
}
