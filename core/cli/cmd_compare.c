/* `scorekit compare [EXP] [--base EXP]`: an experiment against the
 * baseline (or another experiment), with the CI gate.  The figures come
 * from the library (compare.c); this file reads the options, checks the
 * baseline's staleness, runs the gate and hands everything to the report
 * (compare_report.c). */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/compare_report.h"
#include "base/error.h"
#include "base/util.h"
#include "store/experiment_read.h"

enum { CLI_GATE = 3 }; /* a --fail-on-* gate fired */
enum { FLAKY_REPORT, FLAKY_FAIL, FLAKY_IGNORE };

static void help(void)
{
    printf(
        "usage: scorekit compare [EXP] [--base EXP] [--by metadata.KEY]... [--sort regressions]\n"
        "                        [--epsilon X] [--rows N] [--max-age DAYS] [--json]\n"
        "                        [--junit FILE] [--fail-on-regression[=SCORER[:MIN]]]...\n"
        "                        [--min-effect X] [--fail-on-row-regression]\n"
        "                        [--flaky report|fail|ignore]\n"
        "\n"
        "Compare experiment EXP (default: the newest) with the baseline (or --base EXP).\n"
        "Rows are paired by id and each row's trials averaged; per scorer: both means, the\n"
        "difference with a 95%% bootstrap interval (and a paired t-interval), rows improved,\n"
        "regressed and unchanged, pass/fail flips, and a verdict: improved, regressed, or\n"
        "noise when an interval includes 0 (with how many rows or trials would tell).\n"
        "Lists what changed between the two configurations, loudly when more than one\n"
        "thing did, then the regressed rows (worst first) and the improved ones.\n"
        "\n"
        "  --base EXP             compare against EXP instead of the baseline\n"
        "  --by metadata.KEY      every figure per value of the rows' metadata KEY\n"
        "                         (repeatable)\n"
        "  --sort regressions     segments and rows with the most regressions first\n"
        "  --epsilon X            a row changed only when its mean moved more than X (default\n"
        "                         %.2f) and more than 1.96 standard errors of its trials\n"
        "  --rows N               regressed and improved rows shown in detail (default 10)\n"
        "  --max-age DAYS         warn when the baseline is older (default: scorekit.json's\n"
        "                         \"baseline_max_age_days\"; 0: no limit)\n"
        "  --json                 everything as one JSON object\n"
        "  --junit FILE           a JUnit XML report: a testcase per scorer (failing when\n"
        "                         regressed), and per row regression with\n"
        "                         --fail-on-row-regression\n"
        "  --fail-on-regression[=SCORER[:MIN]]\n"
        "                         exit 3 when a scorer's verdict is regressed (only SCORER's,\n"
        "                         and only by at least MIN); repeatable\n"
        "  --min-effect X         the MIN of gates that give none (default 0)\n"
        "  --fail-on-row-regression\n"
        "                         also exit 3 when a row passed a scorer's threshold in every\n"
        "                         baseline trial and fails it in every new trial (by a score\n"
        "                         below it: an error is no verdict, not a fail)\n"
        "  --flaky report|fail|ignore\n"
        "                         rows whose new trials disagree on pass/fail: listed\n"
        "                         (report, the default), also exit 3 (fail), or not\n"
        "                         listed (ignore).  A scorer's \"reducer\" in the pack decides\n"
        "                         a row's pass/fail across its trials (default: the mean)\n"
        "\n"
        "exit status: 0 compared (whatever the verdicts), 1 bad input (unknown experiment,\n"
        "no baseline, nothing in common), 3 a --fail-on-* gate fired, 64 usage.\n",
        SK_COMPARE_EPSILON);
}

static int parse_num(const char *opt, const char *s, double lo, double hi, double *out)
{
    char *end;
    double v = strtod(s, &end);
    if (*end || end == s || !(v >= lo && v <= hi)) {
        cli_error("%s needs a number from %g to %g, got \"%s\"", opt, lo, hi, s);
        return -1;
    }
    *out = v;
    return 0;
}

static int parse_whole(const char *opt, const char *s, double hi, double *out)
{
    if (parse_num(opt, s, 0, hi, out))
        return -1;
    if (*out != floor(*out)) {
        cli_error("%s needs a whole number, got \"%s\"", opt, s);
        return -1;
    }
    return 0;
}

/* The newest experiment other than `not`, or NULL (caller frees). */
static char *newest_experiment(sk_store *st, const char * not )
{
    char *id = NULL;
    if (sk_experiment_newest_other(st, not, &id, NULL))
        return NULL;
    return id;
}

typedef struct opts {
    const char *exp, *base, *junit;
    const char **by;
    size_t nby;
    sk_cmp_gate *gates;
    size_t ngates;
    char **gate_names; /* owned copies behind gates[].scorer */
    double epsilon, min_effect;
    long rows;
    int max_age, json, sort_regressions, row_gate;
    int flaky; /* FLAKY_* */
} opts;

static void opts_free(opts *o)
{
    for (size_t i = 0; i < o->ngates; i++)
        free(o->gate_names[i]);
    free(o->gate_names);
    free(o->gates);
    free(o->by);
}

/* --fail-on-regression[=SCORER[:MIN]] */
static int add_gate(opts *o, const char *arg)
{
    o->gates = sk_xrealloc(o->gates, (o->ngates + 1) * sizeof *o->gates);
    o->gate_names = sk_xrealloc(o->gate_names, (o->ngates + 1) * sizeof *o->gate_names);
    sk_cmp_gate *g = &o->gates[o->ngates];
    char *name = NULL;
    g->min_effect = NAN; /* the --min-effect default, filled in later */
    if (arg && *arg) {
        const char *colon = strrchr(arg, ':');
        name = colon ? sk_xstrndup(arg, (size_t)(colon - arg)) : sk_xstrdup(arg);
        if (colon &&
            parse_num("--fail-on-regression=SCORER:MIN", colon + 1, 0, 1, &g->min_effect)) {
            free(name);
            return -1;
        }
        if (!*name) {
            free(name);
            name = NULL;
        }
    }
    g->scorer = name;
    o->gate_names[o->ngates++] = name;
    return 0;
}

static int parse_opts(int argc, char **argv, opts *o)
{
    enum {
        O_BASE = 256,
        O_BY,
        O_SORT,
        O_EPS,
        O_ROWS,
        O_MAXAGE,
        O_JSON,
        O_JUNIT,
        O_FAIL,
        O_MIN,
        O_ROWFAIL,
        O_FLAKY
    };
    static const struct option lopts[] = {{"base", required_argument, NULL, O_BASE},
                                          {"by", required_argument, NULL, O_BY},
                                          {"sort", required_argument, NULL, O_SORT},
                                          {"epsilon", required_argument, NULL, O_EPS},
                                          {"rows", required_argument, NULL, O_ROWS},
                                          {"max-age", required_argument, NULL, O_MAXAGE},
                                          {"json", no_argument, NULL, O_JSON},
                                          {"junit", required_argument, NULL, O_JUNIT},
                                          {"fail-on-regression", optional_argument, NULL, O_FAIL},
                                          {"min-effect", required_argument, NULL, O_MIN},
                                          {"fail-on-row-regression", no_argument, NULL, O_ROWFAIL},
                                          {"flaky", required_argument, NULL, O_FLAKY},
                                          {"help", no_argument, NULL, 'h'},
                                          {NULL, 0, NULL, 0}};
    memset(o, 0, sizeof *o);
    o->epsilon = SK_COMPARE_EPSILON;
    o->rows = 10;
    o->max_age = -1;
    o->by = sk_xcalloc((size_t)argc + 1, sizeof *o->by);
    int c;
    double v;
    optind = 1;
    while ((c = cli_getopt(argc, argv, "h", lopts)) != -1) {
        switch (c) {
        case O_BASE: o->base = optarg; break;
        case O_BY:
            if (strncmp(optarg, "metadata.", 9) == 0)
                o->by[o->nby++] = optarg + 9;
            else if (strchr(optarg, '.') || !*optarg) {
                cli_error("--by takes metadata.KEY (a key of the rows' metadata), got \"%s\"",
                          optarg);
                return CLI_USAGE;
            } else {
                o->by[o->nby++] = optarg;
            }
            if (!*o->by[o->nby - 1]) {
                cli_error("--by metadata.KEY needs a KEY");
                return CLI_USAGE;
            }
            break;
        case O_SORT:
            if (strcmp(optarg, "regressions") != 0) {
                cli_error("--sort knows only \"regressions\", got \"%s\"", optarg);
                return CLI_USAGE;
            }
            o->sort_regressions = 1;
            break;
        case O_EPS:
            if (parse_num("--epsilon", optarg, 0, 0.99, &o->epsilon))
                return CLI_USAGE;
            break;
        case O_ROWS:
            if (parse_whole("--rows", optarg, 100000, &v))
                return CLI_USAGE;
            o->rows = (long)v;
            break;
        case O_MAXAGE:
            if (parse_whole("--max-age", optarg, 36500, &v))
                return CLI_USAGE;
            o->max_age = (int)v;
            break;
        case O_JSON: o->json = 1; break;
        case O_JUNIT: o->junit = optarg; break;
        case O_FAIL:
            if (add_gate(o, optarg))
                return CLI_USAGE;
            break;
        case O_MIN:
            if (parse_num("--min-effect", optarg, 0, 1, &o->min_effect))
                return CLI_USAGE;
            break;
        case O_ROWFAIL: o->row_gate = 1; break;
        case O_FLAKY:
            if (strcmp(optarg, "report") == 0)
                o->flaky = FLAKY_REPORT;
            else if (strcmp(optarg, "fail") == 0)
                o->flaky = FLAKY_FAIL;
            else if (strcmp(optarg, "ignore") == 0)
                o->flaky = FLAKY_IGNORE;
            else {
                cli_error("--flaky takes report, fail or ignore, got \"%s\"", optarg);
                return CLI_USAGE;
            }
            break;
        case 'h': help(); return -1;
        default: return CLI_USAGE;
        }
    }
    for (size_t i = 0; i < o->ngates; i++)
        if (isnan(o->gates[i].min_effect))
            o->gates[i].min_effect = o->min_effect;
    if (optind < argc)
        o->exp = argv[optind++];
    if (optind < argc) {
        cli_error("compare takes one experiment (got \"%s\" too); the other is --base EXP",
                  argv[optind]);
        return CLI_USAGE;
    }
    return CLI_OK;
}

/* Details of the first `shown` rows of a list. */
static int load_details(sk_store *st, const sk_comparison *c, const size_t *idx, size_t n,
                        size_t shown, sk_cmp_row_detail **out)
{
    size_t m = n < shown ? n : shown;
    *out = sk_xcalloc(m ? m : 1, sizeof **out);
    for (size_t i = 0; i < m; i++) {
        char *err = NULL;
        if (sk_compare_row_detail(st, c, idx[i], &(*out)[i], &err) != SK_OK) {
            cli_error("%s", err);
            free(err);
            return -1;
        }
    }
    return 0;
}

static void free_details(const sk_comparison *c, sk_cmp_row_detail *d, size_t n, size_t shown)
{
    size_t m = n < shown ? n : shown;
    for (size_t i = 0; d && i < m; i++)
        sk_cmp_row_detail_clear(c, &d[i]);
    free(d);
}

int cmd_compare(const cli_ctx *ctx, int argc, char **argv)
{
    opts o;
    int rc = parse_opts(argc, argv, &o);
    if (rc) {
        opts_free(&o);
        return rc < 0 ? CLI_OK : rc;
    }
    sk_project *proj;
    sk_store *st;
    if (cli_open_store(ctx, &proj, &st)) {
        opts_free(&o);
        return CLI_FAIL;
    }
    char *err = NULL, *base_id = NULL, *new_id = NULL;
    sk_baseline bl = {0};
    int have_baseline = 0;
    if (o.base) {
        base_id = sk_xstrdup(o.base);
    } else if (sk_baseline_current(st, &bl, &err) == SK_OK) {
        have_baseline = 1;
        base_id = sk_xstrdup(bl.experiment_id);
    } else {
        cli_error("%s", err);
        rc = CLI_FAIL;
    }
    if (rc == CLI_OK) {
        new_id = o.exp ? sk_xstrdup(o.exp) : newest_experiment(st, base_id);
        if (!new_id) {
            cli_error("no experiment to compare with %s: run one (scorekit run) or name it",
                      base_id);
            rc = CLI_FAIL;
        }
    }
    sk_comparison *c = NULL;
    if (rc == CLI_OK) {
        sk_compare_opts co = {0};
        co.epsilon = o.epsilon;
        co.by = o.by;
        co.nby = o.nby;
        co.sort_regressions = o.sort_regressions;
        if (sk_compare(st, base_id, new_id, &co, &c, &err) != SK_OK) {
            cli_error("%s", err);
            rc = CLI_FAIL;
        }
    }
    if (rc == CLI_OK && strcmp(c->base.id, c->new_.id) == 0)
        cli_warn("comparing experiment %s with itself", c->base.id);

    cli_compare_report r;
    memset(&r, 0, sizeof r);
    if (rc == CLI_OK) {
        cli_llm_usage(st, c->base.id, &r.usage[0]);
        cli_llm_usage(st, c->new_.id, &r.usage[1]);
        const char *ids[2] = {c->base.id, c->new_.id};
        for (int side = 0; rc == CLI_OK && side < 2; side++) {
            sk_exp_stats s;
            if (sk_experiment_stats(st, ids[side], &s, &err) != SK_OK) {
                cli_error("%s", err);
                rc = CLI_FAIL;
                break;
            }
            if (cli_corrected_of(st, &s, &r.corrected[side]))
                rc = CLI_FAIL;
            sk_exp_stats_clear(&s);
        }
    }
    sk_baseline_staleness stale;
    memset(&stale, 0, sizeof stale);
    int stale_checked = 0;
    /* Staleness concerns the baseline: also when --base names it. */
    if (rc == CLI_OK && !have_baseline) {
        sk_baseline cur;
        if (sk_baseline_current(st, &cur, NULL) == SK_OK) {
            if (strcmp(cur.experiment_id, c->base.id) == 0) {
                bl = cur;
                have_baseline = 1;
            } else {
                sk_baseline_clear(&cur);
            }
        }
    }
    if (rc == CLI_OK && have_baseline && strcmp(bl.experiment_id, c->base.id) == 0) {
        if (cli_baseline_staleness(ctx, proj, st, &c->base, o.max_age, &stale) == 0)
            stale_checked = 1;
        r.base_is_baseline = 1;
        r.baseline = &bl;
    }
    if (rc == CLI_OK) {
        r.c = c;
        r.stale = stale_checked ? &stale : NULL;
        r.shown = (size_t)o.rows;
        r.regressed = sk_compare_regressed_rows(c, &r.nregressed);
        r.improved = sk_compare_improved_rows(c, &r.nimproved);
        if (o.flaky != FLAKY_IGNORE)
            r.flaky = sk_compare_flaky_rows(c, &r.nflaky);
        if (load_details(st, c, r.regressed, r.nregressed, r.shown, &r.reg_detail) ||
            load_details(st, c, r.improved, r.nimproved, r.shown, &r.imp_detail))
            rc = CLI_FAIL;
    }
    if (rc == CLI_OK) {
        r.gated = o.ngates || o.row_gate || o.flaky == FLAKY_FAIL;
        unsigned checks =
            (o.row_gate ? SK_GATE_ROWS : 0) | (o.flaky == FLAKY_FAIL ? SK_GATE_FLAKY : 0);
        if (sk_compare_gate(c, o.gates, o.ngates, checks, &r.gate_reasons, &r.ngate_reasons,
                            &err) != SK_OK) {
            cli_error("%s", err);
            rc = CLI_FAIL;
        }
    }
    if (rc == CLI_OK) {
        if (o.json) {
            cJSON *j = cli_compare_json(&r);
            char *text = cJSON_PrintUnformatted(j);
            puts(text);
            free(text);
            cJSON_Delete(j);
        } else {
            cli_compare_print_text(&r);
        }
        if (stale_checked)
            cli_staleness_warn(&c->base, &stale);
        if (o.junit && cli_compare_junit(&r, o.junit, o.row_gate))
            rc = CLI_FAIL;
        if (c->changes.variables > 1)
            cli_warn("%zu variables changed between %s and %s: the comparison cannot attribute "
                     "the differences to any one of them",
                     c->changes.variables, c->base.id, c->new_.id);
        if (rc == CLI_OK && r.ngate_reasons) {
            for (size_t i = 0; i < r.ngate_reasons; i++)
                fprintf(stderr, "scorekit: gate: %s\n", r.gate_reasons[i]);
            cli_error("the regression gate fired (%zu reason%s): exit 3", r.ngate_reasons,
                      r.ngate_reasons == 1 ? "" : "s");
            rc = CLI_GATE;
        }
    }
    if (c) {
        free_details(c, r.reg_detail, r.nregressed, r.shown);
        free_details(c, r.imp_detail, r.nimproved, r.shown);
    }
    cli_corrected_free(&r.corrected[0]);
    cli_corrected_free(&r.corrected[1]);
    free(r.regressed);
    free(r.improved);
    free(r.flaky);
    for (size_t i = 0; i < r.ngate_reasons; i++)
        free(r.gate_reasons[i]);
    free(r.gate_reasons);
    sk_baseline_staleness_clear(&stale);
    sk_comparison_free(c);
    sk_baseline_clear(&bl);
    free(err);
    free(base_id);
    free(new_id);
    sk_store_close(st);
    sk_project_free(proj);
    opts_free(&o);
    return rc;
}
