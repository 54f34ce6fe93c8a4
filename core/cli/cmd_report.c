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

int cli_redirect_begin(cli_redirect *r, FILE *stream)
{
    r->fd = fileno(stream);
    r->saved = -1;
    if (!(r->tf = tmpfile())) {
        cli_error("cannot make a temporary file for the page: %m");
        return -1;
    }
    fflush(stream);
    r->saved = dup(r->fd);
    if (r->saved < 0 || dup2(fileno(r->tf), r->fd) < 0) {
        cli_error("cannot redirect the output for the page: %m");
        if (r->saved >= 0)
            close(r->saved);
        fclose(r->tf);
        return -1;
    }
    return 0;
}

char *cli_redirect_end(cli_redirect *r, FILE *stream)
{
    fflush(stream);
    dup2(r->saved, r->fd);
    close(r->saved);
    char *s = NULL;
    long n = ftell(r->tf);
    if (n >= 0 && fseek(r->tf, 0, SEEK_SET) == 0) {
        s = sk_xmalloc((size_t)n + 1);
        s[fread(s, 1, (size_t)n, r->tf)] = '\0';
    }
    fclose(r->tf);
    return s;
}

int cli_capture(cli_cmd_fn fn, const cli_ctx *ctx, int argc, char **argv, char **out, char **errout)
{
    *out = NULL;
    if (errout)
        *errout = NULL;
    cli_redirect o, e;
    if (cli_redirect_begin(&o, stdout))
        return -1;
    if (errout && cli_redirect_begin(&e, stderr)) {
        free(cli_redirect_end(&o, stdout));
        return -1;
    }
    int rc = fn(ctx, argc, argv);
    if (errout)
        *errout = cli_redirect_end(&e, stderr);
    *out = cli_redirect_end(&o, stdout);
    return *out ? rc : -1;
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

int cli_report_page(const cli_ctx *ctx, sk_store *st, const char *exp, const char *base,
                    char *const *by, size_t nby, const char *rows, const char *card,
                    const char *nav, sk_buf *page)
{
    char *show = NULL, *cmp = NULL, *sc = NULL, *bsc = NULL, *bid = NULL;
    char *sargv[] = {"show", "--json", "--worst", "0", (char *)exp, NULL};
    int rc = cli_capture(cmd_exp_show, ctx, 5, sargv, &show, NULL) == CLI_OK ? CLI_OK : CLI_FAIL;

    /* compare only when there is something to compare with. */
    int compare = base != NULL;
    if (rc == CLI_OK && !compare) {
        sk_baseline bl = {0};
        if (sk_baseline_current(st, &bl, NULL) == 0) {
            compare = strcmp(bl.experiment_id, exp) != 0;
            sk_baseline_clear(&bl);
        }
    }
    if (rc == CLI_OK && compare) {
        char **cargv = sk_xcalloc(2 * nby + 10, sizeof *cargv);
        int cargc = 0;
        cargv[cargc++] = "compare";
        for (size_t i = 0; i < nby; i++) {
            cargv[cargc++] = "--by";
            cargv[cargc++] = by[i];
        }
        if (base) {
            cargv[cargc++] = "--base";
            cargv[cargc++] = (char *)base;
        }
        cargv[cargc++] = "--rows";
        cargv[cargc++] = (char *)rows;
        cargv[cargc++] = "--json";
        cargv[cargc++] = (char *)exp;
        int crc = cli_capture(cmd_compare, ctx, cargc, cargv, &cmp, NULL);
        if (crc != CLI_OK && crc != 3 /* compare's gate */)
            rc = CLI_FAIL;
        bid = base_id(cmp);
        free(cargv);
    }
    if (rc == CLI_OK && add_scores(st, exp, &sc))
        rc = CLI_FAIL;
    if (rc == CLI_OK && bid && add_scores(st, bid, &bsc))
        rc = CLI_FAIL;
    if (rc == CLI_OK) {
        char title[256];
        snprintf(title, sizeof title, "scorekit report: %s%s%s", exp, bid ? " vs " : "",
                 bid ? bid : "");
        sk_report_part parts[] = {{"show", show},       {"compare", cmp},   {"scores", sc},
                                  {"base_scores", bsc}, {"validate", card}, {"nav", nav}};
        sk_report_html(page, title, parts, sizeof parts / sizeof parts[0]);
    }
    free(show);
    free(cmp);
    free(sc);
    free(bsc);
    free(bid);
    return rc;
}

int cmd_report(const cli_ctx *ctx, int argc, char **argv)
{
    static const struct option opts[] = {{"base", required_argument, NULL, 'b'},
                                         {"by", required_argument, NULL, 'y'},
                                         {"rows", required_argument, NULL, 'r'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    const char *base = NULL, *outfile = NULL, *rows = "50";
    char **by = sk_xcalloc((size_t)argc + 1, sizeof *by);
    size_t nby = 0;
    int c;
    optind = 1;
    while ((c = cli_getopt(argc, argv, "ho:", opts)) != -1) {
        switch (c) {
        case 'b': base = optarg; break;
        case 'y': by[nby++] = optarg; break;
        case 'r': rows = optarg; break;
        case 'o': outfile = optarg; break;
        case 'h':
            help();
            free(by);
            return CLI_OK;
        default: free(by); return CLI_USAGE;
        }
    }
    if (optind + 1 != argc || !outfile) {
        cli_error(optind == argc ? "report needs an experiment id (`scorekit experiments` lists "
                                   "them) and -o FILE"
                  : !outfile     ? "report needs -o FILE: where to write the page"
                                 : "report takes one experiment id (got \"%s\" too)",
                  optind + 1 < argc ? argv[optind + 1] : "");
        free(by);
        return CLI_USAGE;
    }
    sk_project *proj = NULL;
    sk_store *st = NULL;
    char *card = NULL;
    sk_buf page = {0};
    int rc = cli_open_store(ctx, &proj, &st) ? CLI_FAIL : CLI_OK;
    if (rc == CLI_OK)
        card = cli_validation_card(ctx, proj, st);
    if (rc == CLI_OK)
        rc = cli_report_page(ctx, st, argv[optind], base, by, nby, rows, card, NULL, &page);
    if (rc == CLI_OK) {
        char *err = NULL;
        if (sk_write_file(outfile, page.data, page.len, 0, &err) != 0) {
            cli_error("%s", err);
            free(err);
            rc = CLI_FAIL;
        } else {
            fprintf(stderr, "wrote %s (%zu bytes)\n", outfile, page.len);
        }
    }
    sk_buf_free(&page);
    free(card);
    free(by);
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
    int rc = cli_capture(cmd_validate, ctx, n, v, &out, NULL);
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
