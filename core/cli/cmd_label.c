/*
 * `scorekit label`: human labels, per row and scorer, that `validate
 * --labels` measures scorers against.
 *   label import FILE --to SOURCE [--who NAME]   a labels file, all or none
 *   label list SOURCE [--json]                   what is labelled, by scorer
 *   label SOURCE --scorer S                      the labelling queue (label_queue.c)
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "cli/cli.h"
#include "cli/label_source.h"
#include "store/labels.h"

static const char usage_text[] =
    "usage: scorekit label import FILE --to SOURCE [--who NAME] [--json]\n"
    "       scorekit label list SOURCE [--json]\n"
    "       scorekit label SOURCE --scorer S [--who NAME]\n"
    "\n"
    "Human labels: a person's verdict on a row for a scorer, pass/fail or a grade\n"
    "from 0 to 1, kept with who gave it and when.  `scorekit validate --labels\n"
    "SOURCE` measures each scorer against them (Cohen's kappa, TPR and TNR, ...).\n"
    "SOURCE is \"dataset:NAME\" (its rows, by id, across versions), an experiment\n"
    "id (its rows and their outputs), or \"logs\".\n"
    "\n"
    "  import FILE   store the labels of FILE, all or none: CSV with the columns\n"
    "                id, scorer, label and (optionally) who, or JSONL lines\n"
    "                {\"id\", \"scorer\", \"label\", \"who\"} or {\"id\", \"labels\":\n"
    "                {\"SCORER\": LABEL, ...}}; a label is pass/fail, true/false, 1/0\n"
    "                or a grade from 0 to 1.  Every id must be a row of SOURCE.\n"
    "                A person labelling a row again replaces the label.\n"
    "  list SOURCE   the labels per scorer: rows, pass, fail, graded, people\n"
    "  SOURCE --scorer S\n"
    "                label rows one by one in the terminal: the rows nearest the\n"
    "                scorer's threshold first; keys p pass, f fail, 0-9 a grade,\n"
    "                s skip, u undo, r show the scorer's rationale, q quit\n"
    "                (run it again to go on where you stopped)\n"
    "  --who NAME    the labeller (default $SCOREKIT_LABELLER, else $USER)\n"
    "\n"
    "exit status: 0 done, 1 bad input (nothing stored), 64 usage.\n";

typedef struct id_list {
    char **v;
    size_t n, cap;
} id_list;

static int add_id(void *ud, const cli_label_row *r)
{
    id_list *l = ud;
    l->v = sk_xgrow(l->v, &l->cap, l->n + 1, sizeof *l->v);
    l->v[l->n++] = sk_xstrdup(r->id);
    return 0;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int cmd_import(const cli_ctx *ctx, int argc, char **argv)
{
    static const struct option opts[] = {{"to", required_argument, NULL, 't'},
                                         {"who", required_argument, NULL, 'w'},
                                         {"json", no_argument, NULL, 'J'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    const char *to = NULL, *who = cli_labeller();
    int json = 0, c;
    optind = 1;
    while ((c = cli_getopt(argc, argv, "h", opts)) != -1) {
        switch (c) {
        case 't': to = optarg; break;
        case 'w': who = optarg; break;
        case 'J': json = 1; break;
        case 'h': fputs(usage_text, stdout); return CLI_OK;
        default: return CLI_USAGE;
        }
    }
    if (optind + 1 != argc || !to) {
        cli_error("label import takes one FILE and --to SOURCE (\"dataset:NAME\", an experiment "
                  "id, or \"logs\")");
        return CLI_USAGE;
    }
    const char *file = argv[optind];
    cli_label_file lf;
    char *err = NULL;
    if (cli_label_file_read(file, who, &lf, &err)) {
        cli_error("%s", err);
        free(err);
        return CLI_FAIL;
    }
    sk_project *proj = NULL;
    sk_store *st = NULL;
    if (cli_open_store(ctx, &proj, &st)) {
        cli_label_file_free(&lf);
        return CLI_FAIL;
    }
    cli_label_source src;
    id_list ids = {0};
    int rc = cli_label_source_open(st, to, &src, &err);
    if (rc == SK_OK)
        rc = cli_label_each_row(st, &src, add_id, &ids, &err);
    if (rc == SK_OK) {
        qsort(ids.v, ids.n, sizeof *ids.v, cmp_str);
        for (size_t i = 0; rc == SK_OK && i < lf.n; i++) {
            char *key = lf.v[i].id;
            if (!bsearch(&key, ids.v, ids.n, sizeof *ids.v, cmp_str))
                rc = sk_errf(&err, SK_ENOTFOUND,
                             "%s:%ld: row \"%s\" is not a row of %s; nothing was stored", file,
                             lf.v[i].line, key, to);
        }
    }
    if (rc == SK_OK) {
        sk_label *v = sk_xcalloc(lf.n + 1, sizeof *v);
        for (size_t i = 0; i < lf.n; i++)
            v[i] =
                (sk_label){src.key, lf.v[i].id, lf.v[i].scorer, lf.v[i].who, lf.v[i].label, NULL};
        rc = sk_labels_put(st, v, lf.n, &err);
        free(v);
    }
    if (rc) {
        cli_error("%s", err);
    } else if (json) {
        printf("{\"source\":\"%s\",\"labels\":%zu}\n", src.key, lf.n);
    } else {
        printf("%zu label%s stored for %s\n", lf.n, lf.n == 1 ? "" : "s", src.key);
    }
    free(err);
    for (size_t i = 0; i < ids.n; i++)
        free(ids.v[i]);
    free(ids.v);
    cli_label_source_clear(&src);
    cli_label_file_free(&lf);
    sk_store_close(st);
    sk_project_free(proj);
    return rc ? CLI_FAIL : CLI_OK;
}

/* Per scorer: rows, passes, fails, graded, and the people. */
typedef struct tally {
    char *scorer;
    size_t n, pass, fail, graded;
    sk_buf who; /* ",a,b," */
} tally;

typedef struct tallies {
    tally *v;
    size_t n, cap;
} tallies;

static int count_label(void *ud, const sk_label *l)
{
    tallies *t = ud;
    if (!t->n || strcmp(t->v[t->n - 1].scorer, l->scorer) != 0) {
        t->v = sk_xgrow(t->v, &t->cap, t->n + 1, sizeof *t->v);
        t->v[t->n++] = (tally){sk_xstrdup(l->scorer), 0, 0, 0, 0, {0}};
        sk_buf_addc(&t->v[t->n - 1].who, ',');
    }
    tally *x = &t->v[t->n - 1];
    x->n++;
    if (l->label == 1)
        x->pass++;
    else if (l->label == 0)
        x->fail++;
    else
        x->graded++;
    char *needle = sk_asprintf(",%s,", l->who);
    if (!strstr(x->who.data, needle)) {
        sk_buf_adds(&x->who, l->who);
        sk_buf_addc(&x->who, ',');
    }
    free(needle);
    return 0;
}

static int cmd_list(const cli_ctx *ctx, int argc, char **argv)
{
    int json = 0, c = cli_json_opts(argc, argv, usage_text, &json);
    if (c >= 0)
        return c;
    if (optind + 1 != argc) {
        cli_error("label list takes one SOURCE (\"dataset:NAME\", an experiment id, or \"logs\")");
        return CLI_USAGE;
    }
    sk_project *proj = NULL;
    sk_store *st = NULL;
    if (cli_open_store(ctx, &proj, &st))
        return CLI_FAIL;
    cli_label_source src;
    tallies t = {0};
    char *err = NULL;
    int rc = cli_label_source_open(st, argv[optind], &src, &err);
    if (rc == SK_OK)
        rc = sk_labels_each(st, src.key, NULL, count_label, &t, &err);
    if (rc) {
        cli_error("%s", err);
    } else if (json) {
        cJSON *o = cJSON_CreateObject(), *a = cJSON_AddArrayToObject(o, "scorers");
        cJSON_AddStringToObject(o, "source", src.key);
        for (size_t i = 0; i < t.n; i++) {
            cJSON *x = cJSON_CreateObject();
            cJSON_AddStringToObject(x, "scorer", t.v[i].scorer);
            cJSON_AddNumberToObject(x, "labels", (double)t.v[i].n);
            cJSON_AddNumberToObject(x, "pass", (double)t.v[i].pass);
            cJSON_AddNumberToObject(x, "fail", (double)t.v[i].fail);
            cJSON_AddNumberToObject(x, "graded", (double)t.v[i].graded);
            cJSON_AddItemToArray(a, x);
        }
        char *s = cJSON_PrintUnformatted(o);
        puts(s);
        free(s);
        cJSON_Delete(o);
    } else if (!t.n) {
        printf("%s: no labels yet\n", src.key);
    } else {
        printf("%s:\n", src.key);
        for (size_t i = 0; i < t.n; i++) {
            const char *w = t.v[i].who.data + 1;
            printf("  %s: %zu label%s (%zu pass, %zu fail, %zu graded) by %.*s\n", t.v[i].scorer,
                   t.v[i].n, t.v[i].n == 1 ? "" : "s", t.v[i].pass, t.v[i].fail, t.v[i].graded,
                   (int)strlen(w) - 1, w);
        }
    }
    for (size_t i = 0; i < t.n; i++) {
        free(t.v[i].scorer);
        sk_buf_free(&t.v[i].who);
    }
    free(t.v);
    free(err);
    cli_label_source_clear(&src);
    sk_store_close(st);
    sk_project_free(proj);
    return rc ? CLI_FAIL : CLI_OK;
}

int cmd_label(const cli_ctx *ctx, int argc, char **argv)
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
    if (strcmp(sub, "-h") == 0 || strcmp(sub, "--help") == 0 || strcmp(sub, "help") == 0) {
        fputs(usage_text, stdout);
        return CLI_OK;
    }
    return cli_label_queue(ctx, argc, argv);
}
