/*
 * `scorekit report EXP [--base EXP] [--by metadata.KEY]... -o FILE`: one
 * self-contained HTML page.  Its figures are the JSON that `show --json`
 * and `compare --json` print: this command runs those commands' own code
 * with stdout captured, so the page cannot disagree with them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/fileutil.h"
#include "cli/cli.h"
#include "report/report_html.h"
#include "store/baseline_store.h"
#include "store/experiment_read.h"

static void help(void)
{
    printf("usage: scorekit report EXP [--base EXP] [--by metadata.KEY]... -o FILE\n"
           "\n"
           "Write one self-contained HTML page about experiment EXP: the summary per\n"
           "scorer, score histograms, the spread across trials, and, compared with\n"
           "--base EXP (default: the baseline, if set), the segments, what changed and\n"
           "the regressed and improved rows side by side.  It opens from disk and\n"
           "makes no network request.\n"
           "\n"
           "  --base EXP          the experiment to compare with (default: the baseline)\n"
           "  --by metadata.KEY   segment the comparison by a metadata field (repeatable)\n"
           "  --rows N            regressed and improved rows shown (default 50)\n"
           "  -o FILE             where to write the page (required)\n");
}

typedef int (*cmd_fn)(const cli_ctx *, int, char **);

/* Run a command with its stdout in *out (caller frees); its stderr passes
 * through.  Returns the command's exit status, or -1. */
static int capture(cmd_fn fn, const cli_ctx *ctx, int argc, char **argv, char **out)
{
    *out = NULL;
    FILE *tf = tmpfile();
    if (!tf) {
        cli_error("cannot make a temporary file for the report: %m");
        return -1;
    }
    fflush(stdout);
    int saved = dup(STDOUT_FILENO);
    if (saved < 0 || dup2(fileno(tf), STDOUT_FILENO) < 0) {
        cli_error("cannot redirect the output for the report: %m");
        if (saved >= 0)
            close(saved);
        fclose(tf);
        return -1;
    }
    int rc = fn(ctx, argc, argv);
    fflush(stdout);
    dup2(saved, STDOUT_FILENO);
    close(saved);
    long n = ftell(tf);
    if (n < 0 || fseek(tf, 0, SEEK_SET) != 0) {
        fclose(tf);
        return -1;
    }
    char *s = sk_xmalloc((size_t)n + 1);
    size_t got = fread(s, 1, (size_t)n, tf);
    s[got] = '\0';
    fclose(tf);
    *out = s;
    return rc;
}

static int add_scores(sk_store *st, const char *id, char **out)
{
    sk_buf b = {0};
    char *err = NULL;
    if (sk_report_scores_json(st, id, &b, &err) != 0) {
        cli_error("%s", err);
        free(err);
        sk_buf_free(&b);
        return -1;
    }
    *out = b.data;
    return 0;
}

/* The "base" experiment's id from compare's JSON, or NULL. */
static char *base_id(const char *compare_json)
{
    cJSON *j = compare_json ? cJSON_Parse(compare_json) : NULL;
    const cJSON *b = cJSON_GetObjectItemCaseSensitive(j, "base");
    const cJSON *id = cJSON_GetObjectItemCaseSensitive(b, "id");
    char *s = cJSON_IsString(id) ? sk_xstrdup(id->valuestring) : NULL;
    cJSON_Delete(j);
    return s;
}

int cmd_report(const cli_ctx *ctx, int argc, char **argv)
{
    static const struct option opts[] = {{"base", required_argument, NULL, 'b'},
                                         {"by", required_argument, NULL, 'y'},
                                         {"rows", required_argument, NULL, 'r'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    const char *base = NULL, *outfile = NULL, *rows = "50";
    char **cargv = sk_xcalloc((size_t)argc * 2 + 8, sizeof *cargv);
    int cargc = 0, c;
    cargv[cargc++] = "compare";
    optind = 1;
    while ((c = cli_getopt(argc, argv, "ho:", opts)) != -1) {
        switch (c) {
        case 'b': base = optarg; break;
        case 'y':
            cargv[cargc++] = "--by";
            cargv[cargc++] = optarg;
            break;
        case 'r': rows = optarg; break;
        case 'o': outfile = optarg; break;
        case 'h':
            help();
            free(cargv);
            return CLI_OK;
        default: free(cargv); return CLI_USAGE;
        }
    }
    if (optind + 1 != argc || !outfile) {
        cli_error(optind == argc ? "report needs an experiment id (`scorekit experiments` lists "
                                   "them) and -o FILE"
                  : !outfile     ? "report needs -o FILE: where to write the page"
                                 : "report takes one experiment id (got \"%s\" too)",
                  optind + 1 < argc ? argv[optind + 1] : "");
        free(cargv);
        return CLI_USAGE;
    }
    const char *exp = argv[optind];
    char *show = NULL, *cmp = NULL, *sc = NULL, *bsc = NULL, *bid = NULL;
    char *sargv[] = {"show", "--json", "--worst", "0", (char *)exp, NULL};
    int rc = capture(cmd_exp_show, ctx, 5, sargv, &show) == CLI_OK ? CLI_OK : CLI_FAIL;

    /* compare only when there is something to compare with. */
    sk_project *proj = NULL;
    sk_store *st = NULL;
    if (rc == CLI_OK && cli_open_store(ctx, &proj, &st))
        rc = CLI_FAIL;
    int compare = base != NULL;
    if (rc == CLI_OK && !compare) {
        sk_baseline bl = {0};
        if (sk_baseline_current(st, &bl, NULL) == 0) {
            compare = strcmp(bl.experiment_id, exp) != 0;
            sk_baseline_clear(&bl);
        }
    }
    if (rc == CLI_OK && compare) {
        if (base) {
            cargv[cargc++] = "--base";
            cargv[cargc++] = (char *)base;
        }
        cargv[cargc++] = "--rows";
        cargv[cargc++] = (char *)rows;
        cargv[cargc++] = "--json";
        cargv[cargc++] = (char *)exp;
        int crc = capture(cmd_compare, ctx, cargc, cargv, &cmp);
        if (crc != CLI_OK && crc != 3 /* compare's gate */)
            rc = CLI_FAIL;
        bid = base_id(cmp);
    }
    if (rc == CLI_OK && add_scores(st, exp, &sc))
        rc = CLI_FAIL;
    if (rc == CLI_OK && bid && add_scores(st, bid, &bsc))
        rc = CLI_FAIL;
    if (rc == CLI_OK) {
        char title[256];
        snprintf(title, sizeof title, "scorekit report: %s%s%s", exp, bid ? " vs " : "",
                 bid ? bid : "");
        sk_report_part parts[] = {
            {"show", show}, {"compare", cmp}, {"scores", sc}, {"base_scores", bsc}};
        sk_buf page = {0};
        sk_report_html(&page, title, parts, sizeof parts / sizeof parts[0]);
        char *err = NULL;
        if (sk_write_file(outfile, page.data, page.len, 0, &err) != 0) {
            cli_error("%s", err);
            free(err);
            rc = CLI_FAIL;
        } else {
            fprintf(stderr, "wrote %s (%zu bytes)\n", outfile, page.len);
        }
        sk_buf_free(&page);
    }
    free(show);
    free(cmp);
    free(sc);
    free(bsc);
    free(bid);
    free(cargv);
    sk_store_close(st);
    sk_project_free(proj);
    return rc;
}

int cli_html_wanted(int argc, char **argv)
{
    for (int i = 1; i < argc && strcmp(argv[i], "--") != 0; i++)
        if (strcmp(argv[i], "--html") == 0 || strncmp(argv[i], "--html=", 7) == 0)
            return 1;
    return 0;
}

int cli_validate_html(const cli_ctx *ctx, int argc, char **argv)
{
    const char *file = NULL;
    char **v = sk_xcalloc((size_t)argc + 2, sizeof *v);
    int n = 0, json = 0;
    for (int i = 0; i < argc; i++) {
        if (strcmp(argv[i], "--html") == 0 && i + 1 < argc)
            file = argv[++i];
        else if (strncmp(argv[i], "--html=", 7) == 0)
            file = argv[i] + 7;
        else if (strcmp(argv[i], "--html") == 0)
            file = "";
        else {
            json |= strcmp(argv[i], "--json") == 0;
            v[n++] = argv[i];
        }
    }
    if (!file || !*file) {
        cli_error("--html needs a FILE: where to write the report card");
        free(v);
        return CLI_USAGE;
    }
    v[n++] = "--json";
    char *out = NULL;
    int rc = capture(cmd_validate, ctx, n, v, &out);
    free(v);
    /* A report, passing or failing (exit 3), becomes the page; usage and
     * input errors are already printed. */
    if (out && *out == '{') {
        if (json)
            fputs(out, stdout);
        sk_report_part part = {"validate", out};
        sk_buf page = {0};
        sk_report_html(&page, "scorekit validate: report card", &part, 1);
        char *err = NULL;
        if (sk_write_file(file, page.data, page.len, 0, &err) != 0) {
            cli_error("%s", err);
            free(err);
            rc = CLI_FAIL;
        } else {
            fprintf(stderr, "wrote %s (%zu bytes)\n", file, page.len);
        }
        sk_buf_free(&page);
    }
    free(out);
    return rc;
}
