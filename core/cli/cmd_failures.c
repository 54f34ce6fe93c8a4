/* `scorekit failures [EXP]`: the failing rows and what they have in common. */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/failures.h"
#include "base/error.h"
#include "base/util.h"
#include "base/verdict.h"
#include "cli/cli.h"
#include "cli/failures_categorize.h"
#include "cli/llm_setup.h"
#include "store/experiment_read.h"

#define CLIP 160 /* characters of an input, output or rationale shown */

static void help(void)
{
    printf("usage: scorekit failures [EXP | --logs [--rule R]] [--scorer S --below X]\n"
           "                         [--by metadata.KEY]... [--limit N] [--q Q] [--terms N]\n"
           "                         [--json]\n"
           "\n"
           "The failing rows of experiment EXP (default: the newest), lowest first, and what\n"
           "they have in common, computed: each metadata value's failure rate against the\n"
           "rest (Fisher's exact test, Benjamini-Hochberg over every test; a value is a\n"
           "pattern when its q is at most Q and it fails more often), the same for traits of\n"
           "the texts (length, empty, refusal-like or JSON output, script), the words typical\n"
           "of failing inputs and outputs (weighted log-odds with an informative prior), and\n"
           "each metadata value's pass rate with a 95%% Wilson interval, worst first.\n"
           "\n"
           "A row fails when a scorer with a threshold fails it across its trials (by the\n"
           "scorer's \"reducer\", default the mean); a row with an error has no verdict and\n"
           "is left out of every figure.\n"
           "\n"
           "  --logs                the production logs the online rules scored (`scorekit\n"
           "                        watch`) instead of an experiment: each log a row, each\n"
           "                        rule's scorer a scorer named RULE/SCORER\n"
           "  --rule R              only rule R's verdicts (implies --logs)\n"
           "  --scorer S --below X  a row fails when S's mean over its trials is below X\n"
           "  --by metadata.KEY     only these keys (repeatable; \"a.b\" for nested keys);\n"
           "                        default: every top-level metadata key\n"
           "  --limit N             failing rows listed (default 10)\n"
           "  --q Q                 false discovery rate of a pattern (default 0.05)\n"
           "  --terms N             distinctive words listed per side (default 10)\n"
           "  --categorize          a model names each failing row's kind of failure (the first\n"
           "                        200, lowest first) and merges the names into groups;\n"
           "                        its calls are cached and their cost shown\n"
           "  --groups K            at most K groups (default 8)\n"
           "  --model M             the model --categorize asks (default: the provider's)\n"
           "  --json                everything as one JSON object\n"
           "\n"
           "exit status: 0 done, 1 bad input (unknown experiment or scorer), 64 usage.\n");
}

static void put_clipped(const char *s)
{
    cli_put_clipped(s, CLIP);
}

static void line(const char *label, const char *text)
{
    if (!text)
        return;
    printf("    %-9s ", label);
    put_clipped(text);
    putchar('\n');
}

static const char *plural(long n)
{
    return n == 1 ? "" : "s";
}

static void print_test(const sk_fail_test *t)
{
    printf("  %s = %s: fails %ld of %ld (%.1f%%) against %ld of %ld (%.1f%%)", t->key, t->value,
           t->fail_in, t->n_in, 100.0 * (double)t->fail_in / (double)t->n_in, t->fail_out, t->n_out,
           t->n_out ? 100.0 * (double)t->fail_out / (double)t->n_out : 0.0);
    if (!isnan(t->lift))
        printf(", lift %.2f", t->lift);
    printf(", p %.2g, q %.2g\n", t->p, t->q);
}

static void print_terms(const char *what, const sk_fail_term *t, size_t n)
{
    if (!n) {
        printf("  %s: no word is typical of the failing rows (z > 1.96, in 2+ of them)\n", what);
        return;
    }
    printf("  %s:\n", what);
    for (size_t i = 0; i < n; i++) {
        printf("    %-16s z %5.2f  in %ld failing, %ld passing  e.g.", t[i].term, t[i].z,
               t[i].in_fail, t[i].in_pass);
        for (size_t j = 0; j < t[i].nexamples; j++)
            printf(" %s", t[i].examples[j]);
        putchar('\n');
    }
}

static void print_text(const sk_failures *f, const sk_fail_opts *o, long limit,
                       const cli_categories *cat)
{
    size_t decided = f->nfailing + f->passing;
    printf("%s (%s, %d trial%s): %zu of %zu rows fail (%.1f%%), %zu pass, %zu no "
           "verdict\n",
           f->what, f->e.dataset_ref, f->e.trials, plural(f->e.trials), f->nfailing, decided,
           decided ? 100.0 * (double)f->nfailing / (double)decided : 0.0, f->passing,
           f->no_verdict);
    if (o->scorer)
        printf("a row fails when %s's mean is below %g\n", o->scorer, o->below);
    else {
        printf("a row fails when a scorer fails it:");
        for (size_t k = 0; k < f->nscorers; k++)
            if (f->has_threshold[k])
                printf(" %s (threshold %g, %s)", f->scorers[k], f->threshold[k],
                       sk_reducer_name(f->reducer[k]));
        putchar('\n');
    }
    if (!f->nfailing) {
        printf("\nno row fails.\n");
        return;
    }

    size_t npat = 0;
    while (npat < f->ntests && f->tests[npat].pattern)
        npat++;
    printf("\nwhat the failing rows have in common (Fisher's exact test, Benjamini-Hochberg "
           "over %zu tests, q <= %g):\n",
           f->ntests, f->q);
    if (!npat)
        printf("  no pattern: no metadata value or trait fails more often beyond chance\n");
    for (size_t i = 0; i < npat; i++)
        print_test(&f->tests[i]);
    if (f->ntests > npat) {
        printf("not distinguishable from chance:\n");
        size_t shown = 0;
        for (size_t i = npat; i < f->ntests && shown < 8; i++, shown++)
            print_test(&f->tests[i]);
        if (f->ntests - npat > shown)
            printf("  ... and %zu more (--json lists them)\n", f->ntests - npat - shown);
    }

    printf("\nwords typical of the failing rows (weighted log-odds, informative prior):\n");
    print_terms("inputs", f->in_terms, f->nin_terms);
    print_terms("outputs", f->out_terms, f->nout_terms);

    if (f->nsegments) {
        printf("\npass rate by segment, worst first (95%% Wilson interval):\n");
        const char *key = NULL;
        for (size_t i = 0; i < f->nsegments; i++) {
            const sk_fail_segment *s = &f->segments[i];
            if (!key || strcmp(key, s->key) != 0)
                printf("  %s\n", key = s->key);
            printf("    %-20s %4ld/%-4ld %5.1f%% [%.1f, %.1f]\n", s->value, s->pass, s->n,
                   s->n ? 100.0 * (double)s->pass / (double)s->n : 0.0, 100 * s->lo, 100 * s->hi);
        }
    }

    if (cat) {
        printf("\nfailure categories, named by a model (%zu row%s; %zu call%s, %zu cached, cost "
               "%.4f)%s:\n",
               cat->n, plural((long)cat->n), cat->calls, plural((long)cat->calls), cat->cached,
               cat->cost,
               cat->merged_by_model ? ""
                                    : " [the model's merge was unusable: the "
                                      "largest names are kept, the rest \"other\"]");
        for (size_t g = 0; g < cat->ngroups; g++) {
            printf("  %-40s %5zu  e.g.", cat->groups[g].name, cat->groups[g].rows);
            for (size_t i = 0; i < cat->groups[g].nids; i++)
                printf(" %s", cat->groups[g].ids[i]);
            putchar('\n');
        }
    }
    printf("\nfailing rows, lowest first (%zu of %zu):\n",
           limit < (long)f->nfailing ? (size_t)limit : f->nfailing, f->nfailing);
    for (size_t i = 0; i < f->nfailing && (long)i < limit; i++) {
        const sk_fail_row *r = &f->rows[f->failing[i]];
        printf("\n  %s", r->id);
        if (!isnan(r->overall))
            printf("  overall %.4f", r->overall);
        if (r->trials > 1)
            printf(" (trials %.4f-%.4f)", r->overall_min, r->overall_max);
        putchar('\n');
        if (cat && i < cat->n)
            printf("    %-9s %s (%s)\n", "category:", cat->category[i],
                   cat->groups[cat->group[i]].name);
        line("input:", r->input_json);
        line("output:", r->output_json);
        line("expected:", r->expected_json);
        for (size_t k = 0; k < f->nscorers; k++) {
            const sk_fail_score *s = &r->s[k];
            if (!s->scored)
                continue;
            printf("    %s %.4f", f->scorers[k], s->mean);
            if (s->scored > 1)
                printf(" (min %.4f, %u of %u trials pass)", s->min, s->pass, s->pass + s->fail);
            if (s->rationale) {
                fputs(": ", stdout);
                put_clipped(s->rationale);
            }
            putchar('\n');
        }
    }
}

static void add_raw(cJSON *o, const char *key, const char *json)
{
    cli_json_raw(o, key, json);
}

static cJSON *test_json(const sk_fail_test *t)
{
    cJSON *j = cJSON_CreateObject();
    cJSON_AddStringToObject(j, "key", t->key);
    cJSON_AddStringToObject(j, "value", t->value);
    cJSON_AddNumberToObject(j, "fail", (double)t->fail_in);
    cJSON_AddNumberToObject(j, "rows", (double)t->n_in);
    cJSON_AddNumberToObject(j, "fail_rest", (double)t->fail_out);
    cJSON_AddNumberToObject(j, "rows_rest", (double)t->n_out);
    cli_json_num(j, "lift", t->lift);
    cJSON_AddNumberToObject(j, "p", t->p);
    cJSON_AddNumberToObject(j, "q", t->q);
    return j;
}

static cJSON *terms_json(const sk_fail_term *t, size_t n)
{
    cJSON *a = cJSON_CreateArray();
    for (size_t i = 0; i < n; i++) {
        cJSON *j = cJSON_CreateObject();
        cJSON_AddStringToObject(j, "term", t[i].term);
        cJSON_AddNumberToObject(j, "z", t[i].z);
        cJSON_AddNumberToObject(j, "failing", (double)t[i].in_fail);
        cJSON_AddNumberToObject(j, "passing", (double)t[i].in_pass);
        cJSON *ex = cJSON_AddArrayToObject(j, "examples");
        for (size_t k = 0; k < t[i].nexamples; k++)
            cJSON_AddItemToArray(ex, cJSON_CreateString(t[i].examples[k]));
        cJSON_AddItemToArray(a, j);
    }
    return a;
}

static void print_json(const sk_failures *f, const sk_fail_opts *o, long limit,
                       const cli_categories *cat)
{
    cJSON *j = cJSON_CreateObject();
    cJSON_AddStringToObject(j, "experiment", f->e.id);
    cJSON_AddStringToObject(j, "source", f->what);
    cJSON_AddStringToObject(j, "dataset", f->e.dataset_ref);
    cJSON_AddNumberToObject(j, "trials", f->e.trials);
    cJSON *by = cJSON_AddObjectToObject(j, "fails_when");
    if (o->scorer) {
        cJSON_AddStringToObject(by, "scorer", o->scorer);
        cJSON_AddNumberToObject(by, "below", o->below);
    } else {
        cJSON *arr = cJSON_AddArrayToObject(by, "thresholds");
        for (size_t k = 0; k < f->nscorers; k++) {
            if (!f->has_threshold[k])
                continue;
            cJSON *x = cJSON_CreateObject();
            cJSON_AddStringToObject(x, "scorer", f->scorers[k]);
            cJSON_AddNumberToObject(x, "threshold", f->threshold[k]);
            cJSON_AddStringToObject(x, "reducer", sk_reducer_name(f->reducer[k]));
            cJSON_AddItemToArray(arr, x);
        }
    }
    cJSON_AddNumberToObject(j, "failing", (double)f->nfailing);
    cJSON_AddNumberToObject(j, "passing", (double)f->passing);
    cJSON_AddNumberToObject(j, "no_verdict", (double)f->no_verdict);
    cJSON_AddNumberToObject(j, "q", f->q);
    cJSON *pat = cJSON_AddArrayToObject(j, "patterns");
    cJSON *rest = cJSON_AddArrayToObject(j, "not_distinguishable");
    for (size_t i = 0; i < f->ntests; i++)
        cJSON_AddItemToArray(f->tests[i].pattern ? pat : rest, test_json(&f->tests[i]));
    cJSON *terms = cJSON_AddObjectToObject(j, "terms");
    cJSON_AddItemToObject(terms, "input", terms_json(f->in_terms, f->nin_terms));
    cJSON_AddItemToObject(terms, "output", terms_json(f->out_terms, f->nout_terms));
    cJSON *seg = cJSON_AddArrayToObject(j, "segments");
    for (size_t i = 0; i < f->nsegments; i++) {
        const sk_fail_segment *s = &f->segments[i];
        cJSON *x = cJSON_CreateObject();
        cJSON_AddStringToObject(x, "key", s->key);
        cJSON_AddStringToObject(x, "value", s->value);
        cJSON_AddNumberToObject(x, "pass", (double)s->pass);
        cJSON_AddNumberToObject(x, "rows", (double)s->n);
        cJSON_AddNumberToObject(x, "lo", s->lo);
        cJSON_AddNumberToObject(x, "hi", s->hi);
        cJSON_AddItemToArray(seg, x);
    }
    if (cat) {
        cJSON *c = cJSON_AddObjectToObject(j, "categories");
        cJSON_AddNumberToObject(c, "rows", (double)cat->n);
        cJSON_AddNumberToObject(c, "calls", (double)cat->calls);
        cJSON_AddNumberToObject(c, "cached", (double)cat->cached);
        cJSON_AddNumberToObject(c, "cost", cat->cost);
        cJSON_AddBoolToObject(c, "merged_by_model", cat->merged_by_model);
        cJSON *gs = cJSON_AddArrayToObject(c, "groups");
        for (size_t g = 0; g < cat->ngroups; g++) {
            cJSON *x = cJSON_CreateObject();
            cJSON_AddStringToObject(x, "name", cat->groups[g].name);
            cJSON_AddNumberToObject(x, "rows", (double)cat->groups[g].rows);
            cJSON *ex = cJSON_AddArrayToObject(x, "examples");
            for (size_t i = 0; i < cat->groups[g].nids; i++)
                cJSON_AddItemToArray(ex, cJSON_CreateString(cat->groups[g].ids[i]));
            cJSON_AddItemToArray(gs, x);
        }
    }
    cJSON *rows = cJSON_AddArrayToObject(j, "rows");
    for (size_t i = 0; i < f->nfailing && (long)i < limit; i++) {
        const sk_fail_row *r = &f->rows[f->failing[i]];
        cJSON *x = cJSON_CreateObject();
        cJSON_AddStringToObject(x, "id", r->id);
        if (cat && i < cat->n) {
            cJSON_AddStringToObject(x, "category", cat->category[i]);
            cJSON_AddStringToObject(x, "group", cat->groups[cat->group[i]].name);
        }
        cli_json_num(x, "overall", r->overall);
        cli_json_num(x, "overall_min", r->overall_min);
        cli_json_num(x, "overall_max", r->overall_max);
        add_raw(x, "input", r->input_json);
        add_raw(x, "output", r->output_json);
        add_raw(x, "expected", r->expected_json);
        add_raw(x, "metadata", r->metadata_json);
        cJSON *sc = cJSON_AddObjectToObject(x, "scores");
        for (size_t k = 0; k < f->nscorers; k++) {
            const sk_fail_score *s = &r->s[k];
            if (!s->scored)
                continue;
            cJSON *y = cJSON_CreateObject();
            cli_json_num(y, "mean", s->mean);
            cli_json_num(y, "min", s->min);
            cJSON_AddNumberToObject(y, "trials_pass", s->pass);
            cJSON_AddNumberToObject(y, "trials_fail", s->fail);
            cli_json_str(y, "rationale", s->rationale);
            cJSON_AddItemToObject(sc, f->scorers[k], y);
        }
        cJSON_AddItemToArray(rows, x);
    }
    cli_json_print(j);
}

static int parse_number(const char *opt, const char *s, double lo, double hi, double *out)
{
    char *end;
    *out = strtod(s, &end);
    if (*end || end == s || !(*out >= lo && *out <= hi)) {
        cli_error("%s needs a number from %g to %g, got \"%s\"", opt, lo, hi, s);
        return -1;
    }
    return 0;
}

int cmd_failures(const cli_ctx *ctx, int argc, char **argv)
{
    enum {
        O_SCORER = 256,
        O_BELOW,
        O_BY,
        O_LIMIT,
        O_Q,
        O_TERMS,
        O_JSON,
        O_LOGS,
        O_RULE,
        O_CATEGORIZE,
        O_GROUPS,
        O_MODEL
    };
    static const struct option opts[] = {{"scorer", required_argument, NULL, O_SCORER},
                                         {"below", required_argument, NULL, O_BELOW},
                                         {"by", required_argument, NULL, O_BY},
                                         {"limit", required_argument, NULL, O_LIMIT},
                                         {"q", required_argument, NULL, O_Q},
                                         {"terms", required_argument, NULL, O_TERMS},
                                         {"json", no_argument, NULL, O_JSON},
                                         {"logs", no_argument, NULL, O_LOGS},
                                         {"rule", required_argument, NULL, O_RULE},
                                         {"categorize", no_argument, NULL, O_CATEGORIZE},
                                         {"groups", required_argument, NULL, O_GROUPS},
                                         {"model", required_argument, NULL, O_MODEL},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    sk_fail_opts o = {0};
    int logs = 0, categorize = 0;
    const char *rule = NULL, *model = NULL;
    size_t groups = 8;
    const char **by = sk_xcalloc((size_t)argc + 1, sizeof *by);
    int json = 0, have_below = 0, c;
    double v;
    long limit = 10;
    optind = 1;
    int rc = CLI_OK;
    while (rc == CLI_OK && (c = cli_getopt(argc, argv, "h", opts)) != -1) {
        switch (c) {
        case O_SCORER: o.scorer = optarg; break;
        case O_BELOW:
            if (parse_number("--below", optarg, 0, 1, &o.below))
                rc = CLI_USAGE;
            have_below = 1;
            break;
        case O_BY:
            if (strncmp(optarg, "metadata.", 9) != 0 || !optarg[9]) {
                cli_error("--by takes metadata.KEY, got \"%s\"", optarg);
                rc = CLI_USAGE;
            } else
                by[o.nby++] = optarg + 9;
            break;
        case O_LIMIT:
            if (parse_number("--limit", optarg, 0, 1e6, &v) || v != floor(v))
                rc = CLI_USAGE;
            limit = (long)v;
            break;
        case O_Q:
            if (parse_number("--q", optarg, 1e-9, 1, &o.q))
                rc = CLI_USAGE;
            break;
        case O_TERMS:
            if (parse_number("--terms", optarg, 1, 1000, &v) || v != floor(v))
                rc = CLI_USAGE;
            o.terms = (size_t)v;
            break;
        case O_JSON: json = 1; break;
        case O_LOGS: logs = 1; break;
        case O_CATEGORIZE: categorize = 1; break;
        case O_MODEL: model = optarg; break;
        case O_GROUPS:
            if (parse_number("--groups", optarg, 2, 100, &v) || v != floor(v))
                rc = CLI_USAGE;
            groups = (size_t)v;
            break;
        case O_RULE:
            rule = optarg;
            logs = 1;
            break;
        case 'h':
            help();
            free(by);
            return CLI_OK;
        default: rc = CLI_USAGE;
        }
    }
    if (rc == CLI_OK && (o.scorer != NULL) != have_below) {
        cli_error("--scorer S and --below X go together: a row fails when S's mean is below X");
        rc = CLI_USAGE;
    }
    if (rc == CLI_OK && !categorize && model) {
        cli_error("--model names the model --categorize asks: give --categorize too");
        rc = CLI_USAGE;
    }
    if (rc == CLI_OK && logs && optind < argc) {
        cli_error("failures --logs looks at the online rules' verdicts on the logs, not at an "
                  "experiment (got \"%s\")",
                  argv[optind]);
        rc = CLI_USAGE;
    }
    if (rc == CLI_OK && argc - optind > 1) {
        cli_error("failures takes one experiment, got \"%s\" and \"%s\"", argv[optind],
                  argv[optind + 1]);
        rc = CLI_USAGE;
    }
    if (rc != CLI_OK) {
        free(by);
        return rc;
    }
    o.by = by;
    sk_project *proj = NULL;
    sk_store *st = NULL;
    if (cli_open_store(ctx, &proj, &st)) {
        free(by);
        return CLI_FAIL;
    }
    char *err = NULL, *exp = NULL;
    if (logs)
        ;
    else if (optind < argc)
        exp = sk_xstrdup(argv[optind]);
    else if (sk_experiment_newest_other(st, NULL, &exp, &err) || !exp) {
        cli_error("%s", err ? err : "the project has no experiment yet: `scorekit run` makes one");
        rc = CLI_FAIL;
    }
    sk_failures *f = NULL;
    if (rc == CLI_OK && (logs ? sk_failures_find_logs(st, rule, &o, &f, &err)
                              : sk_failures_find(st, exp, &o, &f, &err)) != SK_OK) {
        cli_error("%s", err);
        rc = CLI_FAIL;
    }
    /* Without a model the rest stands on its own: --categorize needs one. */
    cli_categories cat = {0};
    int have_cat = 0;
    if (rc == CLI_OK && categorize) {
        if (cli_llm_open(ctx, proj, 1, &err) != CLI_OK ||
            cli_failures_categorize(cli_llm_client(ctx), model, f, 200, groups, &cat, &err) !=
                SK_OK) {
            cli_error("%s", err);
            rc = CLI_FAIL;
        } else {
            have_cat = 1;
        }
    }
    if (rc == CLI_OK) {
        if (json)
            print_json(f, &o, limit, have_cat ? &cat : NULL);
        else
            print_text(f, &o, limit, have_cat ? &cat : NULL);
    }
    if (have_cat)
        cli_categories_free(&cat);
    sk_failures_free(f);
    free(err);
    free(exp);
    free(by);
    sk_store_close(st);
    sk_project_free(proj);
    return rc;
}
