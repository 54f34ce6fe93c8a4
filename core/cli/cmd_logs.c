/* `scorekit logs` and `scorekit logs ingest`: production interactions in
 * the store. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/error.h"
#include "base/fileutil.h"
#include "base/util.h"
#include "cli/cli.h"
#include "online/ingest.h"
#include "online/log_parse.h"
#include "online/rules.h"
#include "store/logs.h"

static void help(void)
{
    printf("usage: scorekit logs [--since DURATION] [--limit N] [--where EXPR] [--json]\n"
           "       scorekit logs --lowest [--rule R] [--since D] [--limit N] [--where EXPR]\n"
           "       scorekit logs ingest FILE|- [--json]\n"
           "       scorekit logs trend [--rule R] [--by metadata.KEY] [--window 1h] [--since D]\n"
           "                           [--json]\n"
           "\n"
           "Logs are production interactions kept in the project's store, for online\n"
           "scoring.  A log's id is its key: ingesting it again stores nothing new.\n"
           "\n"
           "  (no command)     list the logs, newest first\n"
           "  --since D        only those of the last D (90s, 15m, 1h, 7d)\n"
           "  --limit N        at most N (default 20; 0: all)\n"
           "  --where EXPR     only the logs EXPR takes (the filter language of online\n"
           "                   rules: metadata.route == 'refund' and len(output) > 0)\n"
           "  --lowest         the verdicts of the online rules (`scorekit watch`), lowest\n"
           "                   score first, errors last, with rationales\n"
           "  --rule R         only rule R's verdicts (implies --lowest)\n"
           "  ingest FILE|-    store the logs in FILE (or stdin), all or none: JSONL\n"
           "                   rows (the dataset row format plus \"time\", UTC ISO 8601,\n"
           "                   and trace_id, span_id, model, latency_ms, input_tokens,\n"
           "                   output_tokens, cost), or OpenTelemetry traces as OTLP/JSON\n"
           "                   (one log per model-call span, GenAI semantic conventions)\n"
           "  trend            each rule's scores per window (and per value of --by, such\n"
           "                   as the app's version) with 95%% intervals; a version that\n"
           "                   scores worse than the one before it beyond noise (Welch) is\n"
           "                   flagged, or without --by a window worse than the last\n"
           "  --json           one JSON object on stdout\n"
           "\n"
           "exit status: 0 done, 1 bad input, 64 usage.\n");
}

/* Read FILE or stdin ("-") whole. */
static int read_input(const char *path, char **text, size_t *len)
{
    char *err = NULL;
    if (strcmp(path, "-") != 0) {
        if (sk_read_file(path, text, len, &err) == SK_OK)
            return 0;
        cli_error("%s", err);
        free(err);
        return -1;
    }
    sk_buf b = {0};
    char chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, stdin)) > 0)
        sk_buf_add(&b, chunk, n);
    if (ferror(stdin)) {
        cli_error("cannot read stdin");
        sk_buf_free(&b);
        return -1;
    }
    if (!b.data)
        sk_buf_adds(&b, "");
    *text = b.data;
    *len = b.len;
    return 0;
}

static int do_ingest(const cli_ctx *ctx, int argc, char **argv)
{
    static const struct option opts[] = {
        {"json", no_argument, NULL, 'J'}, {"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}};
    int json = 0, c;
    optind = 1;
    while ((c = cli_getopt(argc, argv, "h", opts)) != -1) {
        switch (c) {
        case 'J': json = 1; break;
        case 'h': help(); return CLI_OK;
        default: return CLI_USAGE;
        }
    }
    if (optind + 1 != argc) {
        cli_error("logs ingest needs one FILE (or - for stdin)");
        return CLI_USAGE;
    }
    const char *path = argv[optind];
    char *text = NULL, *err = NULL;
    size_t len = 0;
    if (read_input(path, &text, &len))
        return CLI_FAIL;
    sk_log_vec lv = {0};
    int rc = sk_logs_parse_text(text, len, strcmp(path, "-") ? path : "stdin", 0, &lv, &err);
    free(text);
    if (rc) {
        cli_error("%s; nothing was stored", err);
        free(err);
        return CLI_FAIL;
    }
    sk_project *proj = NULL;
    sk_store *st = NULL;
    if (cli_open_store(ctx, &proj, &st)) {
        sk_log_vec_free(&lv);
        return CLI_FAIL;
    }
    size_t added = 0;
    rc = sk_logs_store(st, lv.v, lv.n, &added, &err);
    size_t total = lv.n;
    sk_log_vec_free(&lv);
    sk_store_close(st);
    sk_project_free(proj);
    if (rc) {
        cli_error("%s; nothing was stored", err);
        free(err);
        return CLI_FAIL;
    }
    if (json) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddNumberToObject(o, "read", (double)total);
        cJSON_AddNumberToObject(o, "added", (double)added);
        cJSON_AddNumberToObject(o, "duplicates", (double)(total - added));
        cli_json_print(o);
    } else {
        printf("%zu log%s read: %zu added, %zu duplicate%s (already stored)\n", total,
               total == 1 ? "" : "s", added, total - added, total - added == 1 ? "" : "s");
    }
    return CLI_OK;
}

static cJSON *log_json(const sk_log *l)
{
    cJSON *o = cJSON_CreateObject();
    cli_json_str(o, "id", l->id);
    cli_json_str(o, "time", l->time);
    cli_json_raw(o, "input", l->input_json);
    cli_json_raw(o, "output", l->output_json);
    cli_json_raw(o, "expected", l->expected_json);
    cli_json_raw(o, "metadata", l->metadata_json);
    cli_json_str(o, "trace_id", l->trace_id);
    cli_json_str(o, "span_id", l->span_id);
    cli_json_str(o, "model", l->model);
    if (l->latency_ms >= 0)
        cli_json_num(o, "latency_ms", l->latency_ms);
    else
        cJSON_AddNullToObject(o, "latency_ms");
    if (l->input_tokens >= 0)
        cJSON_AddNumberToObject(o, "input_tokens", (double)l->input_tokens);
    else
        cJSON_AddNullToObject(o, "input_tokens");
    if (l->output_tokens >= 0)
        cJSON_AddNumberToObject(o, "output_tokens", (double)l->output_tokens);
    else
        cJSON_AddNullToObject(o, "output_tokens");
    if (l->cost >= 0)
        cli_json_num(o, "cost", l->cost);
    else
        cJSON_AddNullToObject(o, "cost");
    return o;
}

/* Text of at most `max` bytes, on one line, cut at a character. */
static void print_short(const char *s, size_t max)
{
    size_t n = 0;
    for (; s && s[n] && n < max; n++)
        ;
    while (n > 0 && s[n] && ((unsigned char)s[n] & 0xC0) == 0x80)
        n--;
    for (size_t i = 0; i < n; i++)
        putchar(s[i] == '\n' || s[i] == '\t' ? ' ' : s[i]);
    if (s && s[n])
        fputs("…", stdout);
}

static int do_list(const cli_ctx *ctx, int argc, char **argv)
{
    static const struct option opts[] = {
        {"since", required_argument, NULL, 's'}, {"limit", required_argument, NULL, 'l'},
        {"json", no_argument, NULL, 'J'},        {"where", required_argument, NULL, 'w'},
        {"rule", required_argument, NULL, 'r'},  {"lowest", no_argument, NULL, 'L'},
        {"help", no_argument, NULL, 'h'},        {NULL, 0, NULL, 0}};
    int json = 0, c, lowest = 0;
    const char *since_arg = NULL, *where = NULL, *rule = NULL;
    long limit = 20;
    optind = 1;
    while ((c = cli_getopt(argc, argv, "h", opts)) != -1) {
        switch (c) {
        case 'J': json = 1; break;
        case 's': since_arg = optarg; break;
        case 'w': where = optarg; break;
        case 'r':
            rule = optarg;
            lowest = 1;
            break;
        case 'L': lowest = 1; break;
        case 'l': {
            char *end;
            limit = strtol(optarg, &end, 10);
            if (*end || end == optarg || limit < 0) {
                cli_error("--limit needs a whole number >= 0 (0: all), got \"%s\"", optarg);
                return CLI_USAGE;
            }
            break;
        }
        case 'h': help(); return CLI_OK;
        default: return CLI_USAGE;
        }
    }
    if (optind != argc) {
        cli_error("unknown logs command \"%s\"; the commands are ingest (or none: list)",
                  argv[optind]);
        return CLI_USAGE;
    }
    char since[32];
    if (since_arg && cli_since(since_arg, since))
        return CLI_USAGE;
    sk_filter *f = NULL;
    if (where) {
        size_t col;
        char *why = NULL;
        if (sk_filter_parse(where, &f, &col, &why) != SK_OK) {
            cli_error("--where: %s", why);
            free(why);
            return CLI_USAGE;
        }
    }
    if (lowest) {
        int r = cli_logs_lowest(ctx, rule, since_arg ? since : NULL, (size_t)limit, f, json);
        sk_filter_free(f);
        return r;
    }
    sk_project *proj = NULL;
    sk_store *st = NULL;
    if (cli_open_store(ctx, &proj, &st)) {
        sk_filter_free(f);
        return CLI_FAIL;
    }
    sk_log *v = NULL;
    size_t n = 0;
    long long total = 0;
    char *err = NULL;
    int rc = sk_logs_list(st, since_arg ? since : NULL, f ? 0 : (size_t)limit, &v, &n, &err);
    if (rc == SK_OK && f) {
        /* Filtered here: keep the first `limit` that match, newest first. */
        size_t w = 0;
        for (size_t i = 0; i < n; i++) {
            cJSON *row = sk_log_fields(&v[i]);
            int keep = sk_filter_match(f, row) && (!limit || w < (size_t)limit);
            cJSON_Delete(row);
            if (keep) {
                sk_log t = v[w];
                v[w++] = v[i];
                v[i] = t;
            }
        }
        for (size_t i = w; i < n; i++)
            sk_log_clear(&v[i]);
        n = w;
    }
    sk_filter_free(f);
    if (rc == SK_OK)
        rc = sk_logs_count(st, &total, &err);
    sk_store_close(st);
    sk_project_free(proj);
    if (rc) {
        cli_error("%s", err);
        free(err);
        sk_logs_free(v, n);
        return CLI_FAIL;
    }
    if (json) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddNumberToObject(o, "stored", (double)total);
        cJSON *a = cJSON_AddArrayToObject(o, "logs");
        for (size_t i = 0; i < n; i++)
            cJSON_AddItemToArray(a, log_json(&v[i]));
        cli_json_print(o);
    } else if (n == 0) {
        printf("no logs%s; store some with `scorekit logs ingest FILE` or `scorekit serve`\n",
               since_arg ? " in that time" : "");
    } else {
        for (size_t i = 0; i < n; i++) {
            printf("%s  %s  ", v[i].time, v[i].id);
            print_short(v[i].input_json, 40);
            fputs("  ->  ", stdout);
            print_short(v[i].output_json ? v[i].output_json : "(no output)", 40);
            putchar('\n');
        }
        printf("%zu of %lld log%s shown\n", n, total, total == 1 ? "" : "s");
    }
    sk_logs_free(v, n);
    return CLI_OK;
}

int cmd_logs(const cli_ctx *ctx, int argc, char **argv)
{
    if (argc >= 2 && strcmp(argv[1], "ingest") == 0)
        return do_ingest(ctx, argc - 1, argv + 1);
    if (argc >= 2 && strcmp(argv[1], "trend") == 0)
        return cli_logs_trend(ctx, argc - 1, argv + 1);
    return do_list(ctx, argc, argv);
}
