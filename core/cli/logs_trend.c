/*
 * `scorekit logs trend`: each online rule's scores over time, per window
 * and (with --by) per value of a metadata key such as the app's version,
 * with intervals; a version (or, without --by, a window) that scores worse
 * than the one before it beyond noise is flagged: the "deployed changes
 * are monitored" step.
 */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/binomial.h"
#include "base/error.h"
#include "cli/cli.h"
#include "online/ingest.h"
#include "store/log_scores.h"

#define Z95 1.959963984540054

/* Totals of one group: a window, a value, or a value over every window. */
typedef struct tot {
    char *rule, *scorer, *value; /* value: NULL for none */
    long long window;            /* -1: every window */
    long long n, passed, judged;
    double sum, sumsq;
    long long first; /* the first window it appears in */
} tot;

typedef struct trend {
    tot *cells, *values;
    size_t ncells, capc, nvalues, capv;
    int by;
} trend;

static int same(const char *a, const char *b)
{
    return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

static int add_cell(void *ud, const sk_trend_cell *c)
{
    trend *t = ud;
    t->cells = sk_xgrow(t->cells, &t->capc, t->ncells + 1, sizeof *t->cells);
    t->cells[t->ncells++] = (tot){sk_xstrdup(c->rule),
                                  sk_xstrdup(c->scorer),
                                  c->value ? sk_xstrdup(c->value) : NULL,
                                  c->window,
                                  c->n,
                                  c->passed,
                                  c->judged,
                                  c->sum,
                                  c->sumsq,
                                  c->window};
    /* What is compared: each value over all windows with --by, else each
     * window. */
    size_t i = 0;
    if (t->by)
        while (i < t->nvalues &&
               !(strcmp(t->values[i].rule, c->rule) == 0 &&
                 strcmp(t->values[i].scorer, c->scorer) == 0 && same(t->values[i].value, c->value)))
            i++;
    else
        i = t->nvalues;
    if (i == t->nvalues) {
        t->values = sk_xgrow(t->values, &t->capv, t->nvalues + 1, sizeof *t->values);
        t->values[t->nvalues++] = (tot){sk_xstrdup(c->rule),
                                        sk_xstrdup(c->scorer),
                                        c->value ? sk_xstrdup(c->value) : NULL,
                                        t->by ? -1 : c->window,
                                        0,
                                        0,
                                        0,
                                        0,
                                        0,
                                        c->window};
    }
    tot *v = &t->values[i];
    v->n += c->n;
    v->passed += c->passed;
    v->judged += c->judged;
    v->sum += c->sum;
    v->sumsq += c->sumsq;
    return 0;
}

static double mean_of(const tot *x)
{
    return x->n ? x->sum / (double)x->n : NAN;
}

/* The variance of the mean (sample variance over n). */
static double var_of_mean(const tot *x)
{
    if (x->n < 2)
        return NAN;
    double m = mean_of(x);
    double var = (x->sumsq - (double)x->n * m * m) / (double)(x->n - 1);
    return (var > 0 ? var : 0) / (double)x->n;
}

static void iso(long long t, char out[32])
{
    time_t tt = (time_t)t;
    struct tm tm;
    gmtime_r(&tt, &tm);
    strftime(out, 32, "%Y-%m-%dT%H:%MZ", &tm);
}

static int by_first(const void *a, const void *b)
{
    const tot *x = a, *y = b;
    int c = strcmp(x->rule, y->rule);
    if (!c)
        c = strcmp(x->scorer, y->scorer);
    if (!c)
        c = (x->first > y->first) - (x->first < y->first);
    if (!c)
        c = strcmp(x->value ? x->value : "", y->value ? y->value : "");
    return c;
}

static void free_tots(tot *v, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(v[i].rule);
        free(v[i].scorer);
        free(v[i].value);
    }
    free(v);
}

static cJSON *tot_json(const tot *x, int with_window)
{
    cJSON *o = cJSON_CreateObject();
    if (with_window) {
        char w[32];
        iso(x->window, w);
        cJSON_AddStringToObject(o, "window", w);
    }
    cli_json_str(o, "value", x->value);
    cJSON_AddNumberToObject(o, "scores", (double)x->n);
    double m = mean_of(x), se = sqrt(var_of_mean(x));
    cli_json_num(o, "mean", m);
    cJSON *ci = cJSON_AddArrayToObject(o, "ci");
    cJSON_AddItemToArray(ci, cJSON_CreateNumber(isnan(se) ? m : m - Z95 * se));
    cJSON_AddItemToArray(ci, cJSON_CreateNumber(isnan(se) ? m : m + Z95 * se));
    if (x->judged) {
        double lo, hi;
        sk_wilson((long)x->passed, (long)x->judged, Z95, &lo, &hi);
        cJSON_AddNumberToObject(o, "pass_rate", (double)x->passed / (double)x->judged);
        cJSON *pc = cJSON_AddArrayToObject(o, "pass_rate_ci");
        cJSON_AddItemToArray(pc, cJSON_CreateNumber(lo));
        cJSON_AddItemToArray(pc, cJSON_CreateNumber(hi));
    }
    return o;
}

static void print_tot(const tot *x, const char *label)
{
    double m = mean_of(x), se = sqrt(var_of_mean(x));
    printf("  %-18s %-12s %7lld  %.3f", label, x->value ? x->value : "-", x->n, m);
    if (!isnan(se))
        printf(" [%.3f, %.3f]", m - Z95 * se, m + Z95 * se);
    else
        printf("               ");
    if (x->judged) {
        double lo, hi;
        sk_wilson((long)x->passed, (long)x->judged, Z95, &lo, &hi);
        printf("  pass %5.1f%% [%.1f, %.1f]", 100.0 * (double)x->passed / (double)x->judged,
               100 * lo, 100 * hi);
    }
    putchar('\n');
}

/* Welch's z of b against a: worse beyond noise when below -1.96. */
static int worse(const tot *a, const tot *b, double *diff, double *lo, double *hi)
{
    double va = var_of_mean(a), vb = var_of_mean(b);
    *diff = mean_of(b) - mean_of(a);
    if (isnan(va) || isnan(vb)) {
        *lo = *hi = NAN;
        return 0;
    }
    double se = sqrt(va + vb);
    *lo = *diff - Z95 * se;
    *hi = *diff + Z95 * se;
    return se > 0 ? *hi < 0 : *diff < 0;
}

int cli_logs_trend(const cli_ctx *ctx, int argc, char **argv)
{
    static const struct option opts[] = {
        {"rule", required_argument, NULL, 'r'},   {"by", required_argument, NULL, 'b'},
        {"window", required_argument, NULL, 'w'}, {"since", required_argument, NULL, 's'},
        {"json", no_argument, NULL, 'J'},         {NULL, 0, NULL, 0}};
    const char *rule = NULL, *by = NULL, *window = "1h", *since_arg = NULL;
    int json = 0, c;
    optind = 1;
    while ((c = cli_getopt(argc, argv, "", opts)) != -1) {
        switch (c) {
        case 'r': rule = optarg; break;
        case 'b': by = optarg; break;
        case 'w': window = optarg; break;
        case 's': since_arg = optarg; break;
        case 'J': json = 1; break;
        default: return CLI_USAGE;
        }
    }
    if (optind != argc) {
        cli_error("logs trend takes no arguments, got \"%s\"", argv[optind]);
        return CLI_USAGE;
    }
    double wsecs = sk_duration_parse(window);
    if (!(wsecs >= 1)) {
        cli_error("--window needs a duration like 15m, 1h or 1d, got \"%s\"", window);
        return CLI_USAGE;
    }
    if (by && (strncmp(by, "metadata.", 9) != 0 || !by[9])) {
        cli_error("--by takes metadata.KEY (like metadata.version), got \"%s\"", by);
        return CLI_USAGE;
    }
    char since[32];
    if (since_arg && cli_since(since_arg, since))
        return CLI_USAGE;
    char *path = by ? sk_asprintf("$.%s", by + 9) : NULL;
    sk_project *proj = NULL;
    sk_store *st = NULL;
    if (cli_open_store(ctx, &proj, &st)) {
        free(path);
        return CLI_FAIL;
    }
    trend t = {0};
    t.by = by != NULL;
    char *err = NULL;
    int rc = sk_log_scores_trend(st, rule, path, (long)wsecs, since_arg ? since : NULL, add_cell,
                                 &t, &err);
    sk_store_close(st);
    sk_project_free(proj);
    free(path);
    if (rc) {
        cli_error("%s", err);
        free(err);
        free_tots(t.cells, t.ncells);
        free_tots(t.values, t.nvalues);
        return CLI_FAIL;
    }
    qsort(t.values, t.nvalues, sizeof *t.values, by_first);
    cJSON *root = json ? cJSON_CreateObject() : NULL, *groups = NULL;
    if (root) {
        cli_json_str(root, "by", by);
        cJSON_AddNumberToObject(root, "window_seconds", wsecs);
        groups = cJSON_AddArrayToObject(root, "scorers");
    }
    if (!json && !t.ncells)
        printf("no scores yet%s%s: `scorekit watch` scores new logs by the online rules\n",
               rule ? " of rule " : "", rule ? rule : "");
    size_t ci = 0, vi = 0;
    while (ci < t.ncells) {
        const char *r = t.cells[ci].rule, *s = t.cells[ci].scorer;
        cJSON *g = NULL, *windows = NULL, *cmp = NULL;
        if (root) {
            g = cJSON_CreateObject();
            cJSON_AddStringToObject(g, "rule", r);
            cJSON_AddStringToObject(g, "scorer", s);
            windows = cJSON_AddArrayToObject(g, "windows");
            cmp = cJSON_AddArrayToObject(g, by ? "versions" : "changes");
            cJSON_AddItemToArray(groups, g);
        } else {
            printf("%s/%s (%s windows%s%s)\n", r, s, window, by ? ", by " : "", by ? by : "");
            printf("  %-18s %-12s %7s  %s\n", "window", by ? "value" : "", "scores",
                   "mean [95% interval]");
        }
        for (; ci < t.ncells && strcmp(t.cells[ci].rule, r) == 0 &&
               strcmp(t.cells[ci].scorer, s) == 0;
             ci++) {
            char w[32];
            iso(t.cells[ci].window, w);
            if (root)
                cJSON_AddItemToArray(windows, tot_json(&t.cells[ci], 1));
            else
                print_tot(&t.cells[ci], w);
        }
        /* Each compared group against the one before it. */
        const tot *prev = NULL;
        for (; vi < t.nvalues && strcmp(t.values[vi].rule, r) == 0 &&
               strcmp(t.values[vi].scorer, s) == 0;
             vi++) {
            const tot *x = &t.values[vi];
            double d = NAN, lo = NAN, hi = NAN;
            int bad = prev ? worse(prev, x, &d, &lo, &hi) : 0;
            if (root) {
                cJSON *o = tot_json(x, !by);
                if (prev) {
                    cli_json_num(o, "diff", d);
                    cli_json_num(o, "diff_lo", lo);
                    cli_json_num(o, "diff_hi", hi);
                    cJSON_AddBoolToObject(o, "worse", bad);
                }
                cJSON_AddItemToArray(cmp, o);
            } else if (by) {
                if (!prev)
                    printf("  versions, in the order they appeared:\n");
                printf("    %-14s %6lld scores, mean %.3f", x->value ? x->value : "(none)", x->n,
                       mean_of(x));
                if (prev && !isnan(lo))
                    printf("; %+.3f [%+.3f, %+.3f] against %s%s", d, lo, hi,
                           prev->value ? prev->value : "(none)", bad ? ": WORSE beyond noise" : "");
                putchar('\n');
            } else if (bad) {
                char w[32];
                iso(x->window, w);
                printf("  window %s: %+.3f [%+.3f, %+.3f] against the one before: WORSE beyond "
                       "noise\n",
                       w, d, lo, hi);
            }
            prev = x;
        }
    }
    if (root)
        cli_json_print(root);
    free_tots(t.cells, t.ncells);
    free_tots(t.values, t.nvalues);
    return CLI_OK;
}
