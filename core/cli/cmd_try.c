/* `scorekit try SCORER`: score one case and show everything, so a scorer
 * can be iterated on in seconds. */
#include <cjson/cJSON.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/llm_setup.h"
#include "base/error.h"
#include "run/engines.h"
#include "base/fileutil.h"
#include "base/json_tree.h"
#include "run/rowscore.h"
#include "base/util.h"

static void help(void)
{
    printf("usage: scorekit try SCORER [--output TEXT] [--expected TEXT] [--input TEXT]\n"
           "                    [--case FILE.json] [--params JSON] [--pack FILE] [--json]\n"
           "                    [--model M] [--set judge.K=V]...\n"
           "\n"
           "Score one case and print the score, rationale, metadata and time.  SCORER is a\n"
           "scorer of the pack (by its name), a plugin scorer (levenshtein), or a Lua\n"
           "script (lua:scorers/tone.lua, relative to the current folder; lua:refusal for\n"
           "a shipped one).\n"
           "\n"
           "  --output/--expected/--input TEXT  the case's fields, as text\n"
           "  --case FILE.json   a case {input, output, expected, metadata} (any JSON values)\n"
           "  --params JSON      params for the scorer (instead of the pack's)\n"
           "  --json             print the result as JSON\n"
           "  --model M          the judge's model (= --set judge.model=M)\n"
           "  --set judge.K=V    the judge's param K (V is JSON, else text)\n"
           "\n"
           "exit status: 0 scored or skipped, 2 the scorer reported an error, 1 bad usage.\n");
}

/* The case as one JSON row, from --case and the text flags (flags win). */
static char *build_row(const char *case_file, const char *const fields[3], char **err)
{
    cJSON *row = NULL;
    if (case_file) {
        char *text;
        size_t len;
        if (sk_read_file(case_file, &text, &len, err))
            return NULL;
        row = cJSON_ParseWithLength(text, len);
        free(text);
        if (!cJSON_IsObject(row)) {
            cJSON_Delete(row);
            sk_errf(err, SK_EPARSE,
                    "%s: a case must be a JSON object like {\"output\": ..., \"expected\": ...}",
                    case_file);
            return NULL;
        }
    } else
        row = cJSON_CreateObject();
    static const char *const names[3] = {"input", "output", "expected"};
    for (int i = 0; i < 3; i++)
        if (fields[i]) {
            cJSON_DeleteItemFromObjectCaseSensitive(row, names[i]);
            cJSON_AddStringToObject(row, names[i], fields[i]);
        }
    if (!cJSON_GetObjectItemCaseSensitive(row, "output")) {
        cJSON_Delete(row);
        sk_errf(err, SK_EINVAL, "give the output to score: --output TEXT or --case FILE.json");
        return NULL;
    }
    if (!cJSON_GetObjectItemCaseSensitive(row, "id"))
        cJSON_AddStringToObject(row, "id", "try");
    char *line = cJSON_PrintUnformatted(row);
    cJSON_Delete(row);
    return line;
}

/* A one-scorer pack for SCORER: the pack's own entry when it has one of
 * that name (and no --params), else SCORER used directly. */
static int one_scorer_pack(const cli_ctx *ctx, const sk_project *proj, const char *pack_file,
                           const char *scorer, const char *params, sk_registry **reg, sk_pack **out)
{
    char *err = NULL;
    *out = NULL;
    sk_engines_open(reg, proj ? proj->dir : (ctx->dir_given ? ctx->dir : NULL), &err);
    free(err);
    err = NULL;
    const char *pf = pack_file ? pack_file : (proj ? proj->pack : NULL);
    /* Made of the command line, not read from a file: relative paths are
     * the current folder's, and its errors have no file:line to show. */
    static const char made[] = "./try";
    const char *use = scorer, *base = made;
    sk_pack *full = NULL;
    if (pf && sk_pack_load(&full, pf, *reg, &err) == SK_OK) {
        for (size_t i = 0; i < full->n; i++)
            if (strcmp(full->entries[i].name, scorer) == 0) {
                use = full->entries[i].use;
                base = pf;
                if (!params)
                    params = full->entries[i].params_json;
            }
    } else if (pack_file) {
        cli_error("%s", err);
        free(err);
        return CLI_FAIL;
    }
    free(err);
    err = NULL;
    cJSON *root = cJSON_CreateObject();
    cJSON_AddStringToObject(root, "name", "try");
    cJSON *arr = cJSON_AddArrayToObject(root, "scorers");
    cJSON *e = cJSON_CreateObject();
    cJSON_AddStringToObject(e, "use", use);
    if (strcmp(use, scorer) != 0)
        cJSON_AddStringToObject(e, "as", scorer);
    int rc = SK_OK;
    if (params) {
        cJSON *p = sk_json_parse_cstr(params); /* numbers kept as written */
        if (!p)
            rc = sk_errf(&err, SK_EINVAL, "--params: not valid JSON: %s", params);
        else
            cJSON_AddItemToObject(e, "params", p);
    }
    cJSON_AddItemToArray(arr, e);
    char *text = sk_json_print(root);
    cJSON_Delete(root);
    if (rc == SK_OK)
        rc = sk_pack_parse(out, text, strlen(text), base, *reg, &err);
    free(text);
    sk_pack_free(full);
    if (rc) {
        const char *msg = err;
        size_t n = strlen(made);
        if (base == made && strncmp(msg, made, n) == 0 && strncmp(msg + n, ":1: ", 4) == 0)
            msg += n + 4;
        cli_error("%s", msg);
        free(err);
        return CLI_FAIL;
    }
    return CLI_OK;
}

int cmd_try(const cli_ctx *ctx, int argc, char **argv)
{
    enum { O_OUTPUT = 256, O_EXPECTED, O_INPUT, O_CASE, O_PARAMS, O_PACK, O_JSON, O_MODEL, O_SET };
    static const struct option opts[] = {{"output", required_argument, NULL, O_OUTPUT},
                                         {"expected", required_argument, NULL, O_EXPECTED},
                                         {"input", required_argument, NULL, O_INPUT},
                                         {"case", required_argument, NULL, O_CASE},
                                         {"params", required_argument, NULL, O_PARAMS},
                                         {"pack", required_argument, NULL, O_PACK},
                                         {"json", no_argument, NULL, O_JSON},
                                         {"model", required_argument, NULL, O_MODEL},
                                         {"set", required_argument, NULL, O_SET},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    const char *fields[3] = {NULL, NULL, NULL}; /* input, output, expected */
    const char *case_file = NULL, *params = NULL, *pack_file = NULL, *model = NULL;
    const char *sets[64];
    size_t nsets = 0;
    int json = 0, c;
    optind = 1;
    while ((c = cli_getopt(argc, argv, "h", opts)) != -1) {
        switch (c) {
        case O_INPUT: fields[0] = optarg; break;
        case O_OUTPUT: fields[1] = optarg; break;
        case O_EXPECTED: fields[2] = optarg; break;
        case O_CASE: case_file = optarg; break;
        case O_PARAMS: params = optarg; break;
        case O_PACK: pack_file = optarg; break;
        case O_JSON: json = 1; break;
        case O_MODEL: model = optarg; break;
        case O_SET:
            if (nsets == sizeof sets / sizeof *sets) {
                cli_error("--set: at most %zu settings", sizeof sets / sizeof *sets);
                return CLI_USAGE;
            }
            sets[nsets++] = optarg;
            break;
        case 'h': help(); return CLI_OK;
        default: return CLI_USAGE;
        }
    }
    if (argc - optind != 1) {
        cli_error("try takes one scorer, e.g. scorekit try levenshtein --output a --expected b");
        return CLI_USAGE;
    }
    const char *scorer = argv[optind];
    char *err = NULL;
    char *line = build_row(case_file, fields, &err);
    if (!line) {
        cli_error("%s", err);
        free(err);
        return CLI_USAGE;
    }
    sk_project *proj = NULL;
    sk_registry *reg = NULL;
    sk_pack *pack = NULL;
    int rc = cli_project(ctx, 0, &proj) ? CLI_FAIL : CLI_OK;
    if (rc == CLI_OK)
        rc = one_scorer_pack(ctx, proj, pack_file, scorer, params, &reg, &pack);
    if (rc == CLI_OK)
        rc = cli_judge_sets(pack, model, sets, nsets);
    /* Judges check the LLM client when they open. */
    if (rc == CLI_OK && cli_llm_open(ctx, proj, cli_pack_uses_llm(pack), &err) != CLI_OK) {
        cli_error("%s", err);
        free(err);
        rc = CLI_FAIL;
    }
    sk_host_ctx host;
    sk_host_init(&host, cli_llm_client(ctx), proj ? proj->dir : NULL, NULL);
    void *state = NULL;
    if (rc == CLI_OK && sk_pack_open(pack, &host, &state, &err) != SK_OK) {
        cli_error("%s", err);
        free(err);
        rc = CLI_FAIL;
    }
    if (rc == CLI_OK) {
        sk_span spans[SK_F_COUNT];
        char msg[512];
        sk_row_parse(line, strlen(line), sk_row_keys, spans, msg, sizeof msg);
        sk_rowscore rs;
        sk_rowscore_init(&rs, pack, &host, &state);
        double t0 = cli_now();
        sk_rowscore_run(&rs, spans, 0);
        double ms = (cli_now() - t0) * 1000;
        const sk_result *r = &rs.results[0];
        if (json) {
            sk_buf b = {0};
            sk_rowscore_json(&rs, 1, &b);
            fputs(b.data, stdout);
            sk_buf_free(&b);
        } else {
            printf("%s: ", pack->entries[0].name);
            /* Six digits would round a score just below 1 up to "1", which
             * reads as a match: such a score is shown in full. */
            if (r->kind == SK_VERDICT_SCORE)
                printf(r->score < 1 && r->score >= 0.9999995 ? "score %.17g\n" : "score %.6g\n",
                       r->score);
            else
                printf("%s: %s\n", r->kind == SK_VERDICT_SKIP ? "skipped" : "error",
                       r->message.data ? r->message.data : "");
            if (r->kind == SK_VERDICT_SCORE && r->rationale.len)
                printf("  rationale: %s\n", r->rationale.data);
            if (r->kind == SK_VERDICT_SCORE && r->meta.len)
                printf("  meta: %s\n", r->meta.data);
            printf("  time: %.3f ms\n", ms);
        }
        if (r->kind == SK_VERDICT_ERROR)
            rc = CLI_SCORER_ERRORS;
        sk_rowscore_free(&rs);
        sk_pack_close(pack, &host, &state);
    }
    free(line);
    sk_pack_free(pack);
    sk_registry_free(reg);
    sk_project_free(proj);
    return rc;
}
