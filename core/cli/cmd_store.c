/*
 * `scorekit store`: where the project's store is, and copying its whole
 * history to another store (store_copy.h).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "base/util.h"
#include "cli/cli.h"
#include "store/store_copy.h"

static const char usage_text[] =
    "usage: scorekit store [where] [--json]\n"
    "       scorekit store copy --to URL|FILE [--json]\n"
    "       scorekit store copy --from URL|FILE [--json]\n"
    "\n"
    "The project's store holds its datasets, experiments, baselines, verdicts, LLM\n"
    "cache, logs and labels: by default the SQLite file .scorekit/scorekit.db; for a\n"
    "team, a PostgreSQL database named by SCOREKIT_STORE or scorekit.json's \"store\":\n"
    "postgres://USER@HOST:PORT/DATABASE?schema=NAME (the password from PGPASSWORD or\n"
    "~/.pgpass, never the URL; schema=auto: one derived from the project folder).\n"
    "\n"
    "  where          print where the store is (the file, or the URL) and its schema\n"
    "                 version\n"
    "  copy --to X    copy the project's store into X (a postgres:// URL or a SQLite\n"
    "                 file), table by table, each in one transaction; every table is\n"
    "                 verified by its row count and a checksum of its rows.  Stopped\n"
    "                 half way, run it again: tables already copied are checked and\n"
    "                 skipped.  A table of X holding other rows stops the copy.\n"
    "  copy --from X  the other way: X into the project's store\n"
    "\n"
    "exit status: 0 done, 1 error (what was copied is kept and verified), 64 usage.\n";

/* Open X: a URL (schema=auto: the project's), or a SQLite file. */
static int open_other(sk_store **st, const char *x, const char *project_dir, char **err)
{
    size_t n;
    const sk_migration *migs = sk_store_migrations(&n);
    if (!sk_store_is_url(x))
        return sk_store_open_with(st, x, migs, n, err);
    sk_store_location loc;
    int rc = sk_store_parse_url(&loc, x, project_dir, err);
    if (rc)
        return rc;
    rc = sk_store_open_with(st, loc.display, migs, n, err);
    sk_store_location_free(&loc);
    return rc;
}

typedef struct {
    int json;
    cJSON *tables;
} copy_out;

static void progress(void *ud, const sk_copy_table *t)
{
    copy_out *o = ud;
    char sum[20];
    snprintf(sum, sizeof sum, "%016llx", t->checksum);
    if (o->json) {
        cJSON *e = cJSON_CreateObject();
        cJSON_AddStringToObject(e, "table", t->name);
        cJSON_AddNumberToObject(e, "rows", (double)t->rows);
        cJSON_AddStringToObject(e, "checksum", sum);
        cJSON_AddBoolToObject(e, "already_there", t->skipped);
        cJSON_AddItemToArray(o->tables, e);
    } else {
        printf("  %-20s %9lld rows  %s  %s\n", t->name, t->rows, sum,
               !t->rows     ? "empty"
               : t->skipped ? "already there, verified"
                            : "copied, verified");
        fflush(stdout);
    }
}

static int cmd_copy(const cli_ctx *ctx, int argc, char **argv)
{
    static const struct option opts[] = {{"to", required_argument, NULL, 't'},
                                         {"from", required_argument, NULL, 'f'},
                                         {"json", no_argument, NULL, 'J'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    const char *to = NULL, *from = NULL;
    int json = 0, c;
    optind = 1;
    while ((c = cli_getopt(argc, argv, "h", opts)) != -1) {
        switch (c) {
        case 't': to = optarg; break;
        case 'f': from = optarg; break;
        case 'J': json = 1; break;
        case 'h': fputs(usage_text, stdout); return CLI_OK;
        default: return CLI_USAGE;
        }
    }
    if (!to == !from || optind != argc) {
        cli_error("store copy takes one of --to X or --from X (see scorekit help store)");
        return CLI_USAGE;
    }
    sk_project *proj = NULL;
    sk_store *mine = NULL, *other = NULL;
    if (cli_open_store(ctx, &proj, &mine))
        return CLI_FAIL;
    char *err = NULL;
    int rc = open_other(&other, to ? to : from, proj->dir, &err);
    sk_store *src = to ? mine : other, *dst = to ? other : mine;
    copy_out o = {json, json ? cJSON_CreateArray() : NULL};
    if (!rc) {
        if (!json)
            printf("copying %s\n     to %s\n", sk_store_path(src), sk_store_path(dst));
        rc = sk_store_copy(src, dst, progress, &o, &err);
    }
    if (rc) {
        cli_error("%s", err);
    } else if (json) {
        cJSON *root = cJSON_CreateObject();
        cJSON_AddStringToObject(root, "from", sk_store_path(src));
        cJSON_AddStringToObject(root, "to", sk_store_path(dst));
        cJSON_AddItemToObject(root, "tables", o.tables);
        o.tables = NULL;
        char *text = cJSON_PrintUnformatted(root);
        puts(text);
        free(text);
        cJSON_Delete(root);
    } else {
        printf("done: every table verified (rows and checksum)\n");
    }
    cJSON_Delete(o.tables);
    free(err);
    sk_store_close(other);
    sk_store_close(mine);
    sk_project_free(proj);
    return rc ? CLI_FAIL : CLI_OK;
}

static int cmd_where(const cli_ctx *ctx, int json)
{
    sk_project *proj = NULL;
    sk_store *st = NULL;
    if (cli_open_store(ctx, &proj, &st))
        return CLI_FAIL;
    int version = 0;
    char *err = NULL;
    int rc = sk_store_schema_version(st, &version, &err);
    int pg = sk_db_dialect(sk_store_db(st)) == SK_DIALECT_POSTGRES;
    if (rc) {
        cli_error("%s", err);
    } else if (json) {
        cJSON *root = cJSON_CreateObject();
        cJSON_AddStringToObject(root, "store", sk_store_path(st));
        cJSON_AddStringToObject(root, "backend", pg ? "postgres" : "sqlite");
        cJSON_AddNumberToObject(root, "schema_version", version);
        char *text = cJSON_PrintUnformatted(root);
        puts(text);
        free(text);
        cJSON_Delete(root);
    } else {
        printf("%s\n%s, schema version %d\n", sk_store_path(st), pg ? "PostgreSQL" : "SQLite",
               version);
    }
    free(err);
    sk_store_close(st);
    sk_project_free(proj);
    return rc ? CLI_FAIL : CLI_OK;
}

int cmd_store(const cli_ctx *ctx, int argc, char **argv)
{
    if (argc >= 2 && strcmp(argv[1], "copy") == 0)
        return cmd_copy(ctx, argc - 1, argv + 1);
    int json = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--json") == 0)
            json = 1;
        else if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
            fputs(usage_text, stdout);
            return CLI_OK;
        } else if (strcmp(argv[i], "where") != 0) {
            cli_error("unknown argument %s (see scorekit help store)", argv[i]);
            return CLI_USAGE;
        }
    }
    return cmd_where(ctx, json);
}
