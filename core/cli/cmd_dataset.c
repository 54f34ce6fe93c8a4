/* `scorekit dataset`: import, list, show and export the project's datasets. */
#include <cjson/cJSON.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/cmd_dataset_add.h"
#include "store/dataset.h"
#include "base/error.h"
#include "base/util.h"

static const char usage_text[] =
    "usage: scorekit dataset import NAME FILE    add FILE (.jsonl or .csv) as NAME's next version\n"
    "       scorekit dataset list [--json]       the datasets, newest versions\n"
    "       scorekit dataset show NAME[@VER] [--json] [--rows N]\n"
    "                                            a version's summary and first N rows (5)\n"
    "       scorekit dataset export NAME[@VER]   the rows as JSONL on standard output\n"
    "       scorekit dataset add NAME SOURCE     add rows (from an experiment, logs, a file)\n"
    "       scorekit dataset merge SRC INTO      add SRC's rows INTO lacks\n"
    "       scorekit dataset diff A B            rows added, removed, changed\n"
    "\n"
    "Datasets live in the project's store (.scorekit/scorekit.db).  Every import\n"
    "makes a new version and old versions stay readable; NAME alone is the newest.\n"
    "An import writes nothing unless the whole file is good.\n"
    "\n"
    "import options:\n"
    "  --format jsonl|csv   the file's format (default: from its name; \"-\" is JSONL)\n"
    "  --json               print only one JSON object: name, version, ref, rows, source\n"
    "\n"
    "JSONL rows: {\"id\"?, \"input\", \"expected\"?, \"output\"?, \"metadata\"?, \"tags\"?}.\n"
    "Lines of `scorekit export` (with \"trial\" and \"scores\") are read as rows: the\n"
    "cell's fields (trial, scores, the task's output, ...) are dropped and counted,\n"
    "and trials after the first are skipped.\n"
    "CSV: a header row naming the columns: input, id, expected, output, tags\n"
    "(comma-separated), metadata (a JSON object), metadata.KEY (one metadata field).\n";

/* The project's store; prints its own errors. */
static int open_store(const cli_ctx *ctx, sk_store **st)
{
    sk_project *proj = NULL;
    char *err = NULL;
    int rc = sk_project_load(&proj, ctx->dir, &err);
    if (rc == SK_ENOTFOUND) {
        cli_error("%s: no %s here; datasets are kept in a project, so run `scorekit init` first "
                  "(or use -C DIR to point at one)",
                  ctx->dir, SK_PROJECT_FILE);
    } else if (rc) {
        cli_error("%s", err);
    } else if ((rc = sk_store_open(st, proj->dir, &err)) != 0) {
        cli_error("%s", err);
    }
    free(err);
    sk_project_free(proj);
    return rc;
}

/* A JSON value shortened for a terminal, without cutting a UTF-8 sequence. */
static void print_short(const char *label, const char *json)
{
    if (!json)
        return;
    size_t n = strlen(json), max = 100;
    if (n > max) {
        while (max > 0 && ((unsigned char)json[max] & 0xc0) == 0x80)
            max--;
        printf("    %-9s %.*s...\n", label, (int)max, json);
    } else {
        printf("    %-9s %s\n", label, json);
    }
}

static int cmd_import(const cli_ctx *ctx, int argc, char **argv)
{
    static const struct option opts[] = {{"format", required_argument, NULL, 'f'},
                                         {"json", no_argument, NULL, 'J'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    sk_dataset_format fmt = SK_DATASET_AUTO;
    int c, json = 0;
    optind = 1;
    while ((c = cli_getopt(argc, argv, "h", opts)) != -1) {
        if (c == 'J') {
            json = 1;
            continue;
        }
        if (c == 'h') {
            fputs(usage_text, stdout);
            return CLI_OK;
        }
        if (c == 'f' && strcmp(optarg, "jsonl") == 0) {
            fmt = SK_DATASET_JSONL;
        } else if (c == 'f' && strcmp(optarg, "csv") == 0) {
            fmt = SK_DATASET_CSV;
        } else {
            if (c == 'f')
                cli_error("unknown format \"%s\"; use jsonl or csv", optarg);
            return CLI_USAGE;
        }
    }
    if (argc - optind != 2) {
        cli_error("dataset import takes a name and a file: scorekit dataset import NAME FILE");
        return CLI_USAGE;
    }
    const char *name = argv[optind], *file = argv[optind + 1];
    char *err = NULL;
    if (sk_dataset_check_name(name, &err)) {
        cli_error("%s", err);
        free(err);
        return CLI_USAGE;
    }
    sk_store *st;
    if (open_store(ctx, &st))
        return CLI_FAIL;
    sk_dataset_version v;
    int rc = sk_dataset_import(st, name, file, fmt, &v, &err);
    if (rc) {
        cli_error("%s", err);
        cli_error("nothing was imported");
        free(err);
    } else if (json) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "name", v.name);
        cJSON_AddNumberToObject(o, "version", v.version);
        char *ref = sk_asprintf("%s@%d", v.name, v.version);
        cJSON_AddStringToObject(o, "ref", ref);
        free(ref);
        cJSON_AddNumberToObject(o, "rows", (double)v.rows);
        cli_json_str(o, "source", v.source);
        cli_json_str(o, "created_at", v.created_at);
        cli_json_raw(o, "metadata_keys", v.metadata_keys);
        cli_json_str(o, "dropped_fields", v.dropped);
        cli_json_print(o);
        sk_dataset_version_clear(&v);
    } else {
        printf("imported %lld row%s from %s as %s@%d\n", (long long)v.rows, v.rows == 1 ? "" : "s",
               v.source, v.name, v.version);
        if (v.dropped) /* the file was `scorekit export` output */
            printf("dropped fields: %s\n", v.dropped);
        sk_dataset_version_clear(&v);
    }
    sk_store_close(st);
    return rc ? CLI_FAIL : CLI_OK;
}

static int cmd_list(const cli_ctx *ctx, int argc, char **argv)
{
    int json, c = cli_json_opts(argc, argv, usage_text, &json);
    if (c >= 0)
        return c;
    if (optind != argc) {
        cli_error("dataset list takes no arguments");
        return CLI_USAGE;
    }
    sk_store *st;
    if (open_store(ctx, &st))
        return CLI_FAIL;
    sk_dataset_version *v;
    size_t n;
    char *err = NULL;
    int rc = sk_dataset_list(st, &v, &n, &err);
    sk_store_close(st);
    if (rc) {
        cli_error("%s", err);
        free(err);
        return CLI_FAIL;
    }
    if (json) {
        sk_buf b = {0};
        sk_buf_addc(&b, '[');
        for (size_t i = 0; i < n; i++) {
            sk_buf_adds(&b, i ? ",\n {\"name\": " : "{\"name\": ");
            sk_buf_add_json_string(&b, v[i].name, strlen(v[i].name));
            sk_buf_printf(&b, ", \"version\": %d, \"rows\": %lld, \"created_at\": \"%s\"",
                          v[i].version, (long long)v[i].rows, v[i].created_at);
            sk_buf_adds(&b, ", \"source\": ");
            if (v[i].source)
                sk_buf_add_json_string(&b, v[i].source, strlen(v[i].source));
            else
                sk_buf_adds(&b, "null");
            sk_buf_addc(&b, '}');
        }
        sk_buf_adds(&b, "]\n");
        fputs(b.data, stdout);
        sk_buf_free(&b);
    } else if (n == 0) {
        printf("no datasets yet; `scorekit dataset import NAME FILE.jsonl` adds one\n");
    } else {
        int w = 7;
        for (size_t i = 0; i < n; i++)
            if ((int)strlen(v[i].name) > w)
                w = (int)strlen(v[i].name);
        printf("%-*s  %7s  %7s  %-20s  %s\n", w, "dataset", "version", "rows", "created", "source");
        for (size_t i = 0; i < n; i++)
            printf("%-*s  %7d  %7lld  %-20s  %s\n", w, v[i].name, v[i].version,
                   (long long)v[i].rows, v[i].created_at, v[i].source ? v[i].source : "-");
    }
    sk_dataset_list_free(v, n);
    return CLI_OK;
}

/* The summary and first rows of one version. */
static int show(sk_store *st, const sk_dataset_version *v, long nrows, int json, char **err)
{
    sk_dataset_iter *it;
    int rc = sk_dataset_iter_open(&it, st, v->id, err);
    if (rc)
        return rc;
    sk_buf b = {0};
    if (json) {
        sk_buf_adds(&b, "{\"name\": ");
        sk_buf_add_json_string(&b, v->name, strlen(v->name));
        sk_buf_printf(&b,
                      ", \"version\": %d, \"latest\": %d, \"rows\": %lld, \"created_at\": \"%s\""
                      ", \"source\": ",
                      v->version, v->latest, (long long)v->rows, v->created_at);
        if (v->source)
            sk_buf_add_json_string(&b, v->source, strlen(v->source));
        else
            sk_buf_adds(&b, "null");
        sk_buf_printf(&b, ", \"metadata_keys\": %s, \"first_rows\": [", v->metadata_keys);
    } else {
        printf("dataset:   %s@%d", v->name, v->version);
        if (v->latest != v->version)
            printf(" (the newest is %s@%d)", v->name, v->latest);
        printf("\nrows:      %lld\ncreated:   %s\nsource:    %s\n", (long long)v->rows,
               v->created_at, v->source ? v->source : "-");
        /* The keys are stored as a JSON array of strings: show a plain list. */
        cJSON *keys = cJSON_Parse(v->metadata_keys);
        printf("metadata:  ");
        int nkeys = 0;
        const cJSON *k;
        cJSON_ArrayForEach(k, keys)
        {
            if (cJSON_IsString(k))
                printf("%s%s", nkeys++ ? ", " : "", k->valuestring);
        }
        printf("%s\n", nkeys ? "" : "(none)");
        cJSON_Delete(keys);
        long long shown = nrows < v->rows ? nrows : v->rows;
        if (shown > 0)
            printf("\nfirst %lld row%s:\n", shown, shown == 1 ? "" : "s");
    }
    sk_dataset_row row;
    for (long i = 0; i < nrows && (rc = sk_dataset_iter_next(it, &row, err)) == 1; i++) {
        if (json) {
            if (i)
                sk_buf_adds(&b, ",\n  ");
            sk_dataset_row_json(&row, &b);
            continue;
        }
        sk_buf_reset(&b);
        sk_buf_add_json_string(&b, row.id, row.id_len);
        printf("  %s\n", b.data);
        print_short("input:", row.input_json);
        print_short("expected:", row.expected_json);
        print_short("output:", row.output_json);
        print_short("metadata:", row.metadata_json);
        print_short("tags:", row.tags_json);
    }
    if (rc >= 0)
        rc = 0;
    if (json && !rc)
        sk_buf_adds(&b, "]");
    if (!rc)
        rc = dataset_provenance_report(st, v->id, json, &b, err);
    if (json && !rc) {
        sk_buf_adds(&b, "}\n");
        fputs(b.data, stdout);
    }
    sk_buf_free(&b);
    sk_dataset_iter_close(it);
    return rc;
}

/* show and export: one NAME[@VER] argument, resolved. */
static int cmd_show(const cli_ctx *ctx, int argc, char **argv, int export)
{
    static const struct option opts[] = {{"json", no_argument, NULL, 'j'},
                                         {"rows", required_argument, NULL, 'n'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    int json = 0, c;
    long nrows = 5;
    optind = 1;
    while ((c = cli_getopt(argc, argv, "h", export ? opts + 2 : opts)) != -1) {
        if (c == 'h') {
            fputs(usage_text, stdout);
            return CLI_OK;
        }
        if (c == 'j') {
            json = 1;
        } else if (c == 'n') {
            char *end;
            nrows = strtol(optarg, &end, 10);
            if (*optarg == '\0' || *end || nrows < 0) {
                cli_error("--rows takes a whole number (0 or more), not \"%s\"", optarg);
                return CLI_USAGE;
            }
        } else {
            return CLI_USAGE;
        }
    }
    if (argc - optind != 1) {
        cli_error("dataset %s takes one dataset: NAME or NAME@VERSION", argv[0]);
        return CLI_USAGE;
    }
    sk_store *st;
    if (open_store(ctx, &st))
        return CLI_FAIL;
    char *err = NULL;
    sk_dataset_version v;
    int rc = sk_dataset_resolve(st, argv[optind], &v, &err);
    if (!rc)
        rc = export ? sk_dataset_export(st, v.id, stdout, &err) : show(st, &v, nrows, json, &err);
    if (rc) {
        cli_error("%s", err);
        free(err);
    }
    sk_dataset_version_clear(&v);
    sk_store_close(st);
    return rc == SK_EINVAL ? CLI_USAGE : rc ? CLI_FAIL : CLI_OK;
}

int cmd_dataset(const cli_ctx *ctx, int argc, char **argv)
{
    if (argc < 2) {
        fputs(usage_text, stderr);
        return CLI_USAGE;
    }
    const char *sub = argv[1];
    if (strcmp(sub, "import") == 0)
        return cmd_import(ctx, argc - 1, argv + 1);
    if (strcmp(sub, "list") == 0)
        return cmd_list(ctx, argc - 1, argv + 1);
    if (strcmp(sub, "show") == 0)
        return cmd_show(ctx, argc - 1, argv + 1, 0);
    if (strcmp(sub, "export") == 0)
        return cmd_show(ctx, argc - 1, argv + 1, 1);
    if (strcmp(sub, "add") == 0)
        return cmd_dataset_add(ctx, argc - 1, argv + 1);
    if (strcmp(sub, "merge") == 0)
        return cmd_dataset_merge(ctx, argc - 1, argv + 1);
    if (strcmp(sub, "diff") == 0)
        return cmd_dataset_diff(ctx, argc - 1, argv + 1);
    if (strcmp(sub, "-h") == 0 || strcmp(sub, "--help") == 0 || strcmp(sub, "help") == 0) {
        fputs(usage_text, stdout);
        return CLI_OK;
    }
    cli_error("unknown dataset command \"%s\"; use import, list, show, export, add, merge or diff",
              sub);
    fputs(usage_text, stderr);
    return CLI_USAGE;
}
