/* `scorekit init [DIR]`: scaffold a project that scores immediately. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"

static const char help_text[] =
    "usage: scorekit init [DIR] [--json]\n\n"
    "Create DIR (default: the current folder) with scorekit.json, a starter\n"
    "pack.json and a small data.jsonl.  Existing files are never overwritten.\n"
    "--json prints only {\"dir\", \"created\": [paths]}.\n";

int cmd_init(const cli_ctx *ctx, int argc, char **argv)
{
    int json, c = cli_json_opts(argc, argv, help_text, &json);
    if (c >= 0)
        return c;
    if (argc - optind > 1) {
        cli_error("init takes at most one folder");
        return CLI_USAGE;
    }
    const char *dir = optind < argc ? argv[optind] : ctx->dir;
    char *created = NULL, *err = NULL;
    if (sk_project_init(dir, &created, &err)) {
        cli_error("%s", err);
        free(err);
        return CLI_FAIL;
    }
    if (json) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "dir", dir);
        cJSON *list = cJSON_AddArrayToObject(o, "created");
        for (char *line = strtok(created, "\n"); line; line = strtok(NULL, "\n"))
            cJSON_AddItemToArray(list, cJSON_CreateString(line));
        cli_json_print(o);
        free(created);
        return CLI_OK;
    }
    printf("created:\n%s\nnext: cd %s, then\n"
           "  scorekit score      score the outputs in data.jsonl with pack.json\n"
           "  scorekit validate   check the pack's scorers on calibration cases\n"
           "  scorekit run        record an experiment, to compare later ones with\n",
           created, dir);
    free(created);
    return CLI_OK;
}
