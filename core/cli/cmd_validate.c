/* `scorekit validate`: test every scorer of a pack on calibration cases
 * and print its report card (see core/metaeval.h); and the check
 * `scorekit run` makes against the stored verdicts. */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/llm_setup.h"
#include "base/error.h"
#include "validate/fingerprint.h"
#include "validate/metacase.h"
#include "validate/metaeval.h"
#include "store/store.h"
#include "base/util.h"
#include "cli/label_source.h"
#include "cli/validate_gate.h"
#include "store/validation_store.h"

enum { VALIDATE_FAILED = 3 }; /* some scorer failed: the CI gate */

static void help(void)
{
    printf("usage: scorekit validate [--pack P] [--scorer NAME]... [--cases FILE]...\n"
           "                         [--repeat K] [-j N] [--high X] [--low X] [--bias-share X]\n"
           "                         [--no-builtin] [--json] [--explain] [--model M]\n"
           "                         [--set judge.K=V]... [--no-progress]\n"
           "                         [--labels SOURCE] [--min-kappa X]\n"
           "\n"
           "Test each scorer of the pack on calibration cases before trusting it: obvious-\n"
           "correct answers must score high, obvious-wrong ones low, a short correct answer\n"
           "must beat a long, a formal and a confident wrong one, repeats must agree, judges\n"
           "must explain (unless run with \"cot\": false), a pairwise judge must not follow\n"
           "the position.  Prints a report card; in a project, stores each verdict so\n"
           "`scorekit run` can warn about scorers never validated or changed since.\n"
           "\n"
           "  --pack P          the pack (default: the project's); --scorer NAME picks\n"
           "                    scorers of it, or names scorers to use when there is no pack\n"
           "  --cases FILE      more meta-cases (JSONL; see the README)\n"
           "  --repeat K        score each case K times (default 3 for nondeterministic\n"
           "                    scorers, 1 otherwise)\n"
           "  -j N              score N cases at once per scorer (default 8 for scorers that\n"
           "                    use a model, 1 otherwise)\n"
           "  --high/--low X    the bars (default 0.8 and 0.2); --bias-share X the share of\n"
           "                    bias pairs that must be won (default 1)\n"
           "  --no-builtin      leave out the built-in calibration set\n"
           "  --json            the whole report as JSON\n"
           "  --html FILE       also the report card as one HTML page, with the failing cases\n"
           "  --explain         every case with its score, not only the failing ones\n"
           "  --model M         the model of every judge of the pack (= --set judge.model=M)\n"
           "  --set judge.K=V   param K of every judge of the pack (V is JSON, else text)\n"
           "  --no-progress     no progress bar even on a terminal (a pipe never gets one)\n"
           "  --labels SOURCE   also score the rows people labelled and measure agreement:\n"
           "                    accuracy, Cohen's kappa with its interval, TPR, TNR,\n"
           "                    precision, the confusion matrix (graded labels: Spearman,\n"
           "                    Pearson, MAE) and the cut that agrees best.  SOURCE is\n"
           "                    \"dataset:NAME\", an experiment id, \"logs\" (labels from\n"
           "                    `scorekit label`) or a JSONL file of rows with \"labels\":\n"
           "                    {\"SCORER\": LABEL}.  The agreement is stored with the verdict,\n"
           "                    and `show` and `compare` correct pass rates with it\n"
           "  --min-kappa X     the agreement a scorer needs to PASS (default 0.6; also\n"
           "                    \"validate\": {\"min_kappa\": X} in the pack)\n"
           "\n"
           "exit status: 0 every scorer PASS or WARN, 3 some scorer FAIL, 1 bad usage or\n"
           "input.\n");
}

static int parse_unit(const char *opt, const char *s, double *out)
{
    char *end;
    double v = strtod(s, &end);
    if (*end || !(v >= 0 && v <= 1)) {
        cli_error("%s needs a number from 0 to 1, got \"%s\"", opt, s);
        return -1;
    }
    *out = v;
    return 0;
}

/* Store each scorer's verdict in the project's store. */
static int store_verdicts(const sk_project *proj, const sk_meta_report *rep)
{
    sk_store *st = NULL;
    char *err = NULL;
    int rc = sk_store_open(&st, proj->dir, &err);
    if (rc == SK_OK)
        rc = sk_store_begin(st, &err);
    for (size_t i = 0; rc == SK_OK && i < rep->n; i++) {
        const sk_meta_scorer *s = &rep->scorers[i];
        if (!s->fingerprint[0])
            continue;
        char *json = sk_meta_scorer_json(s, 0), *agree = sk_meta_agreement_counts(s);
        rc = sk_validation_record(st, s->name, s->fingerprint, sk_check_status_name(s->verdict),
                                  json, agree, &err);
        free(json);
        free(agree);
    }
    if (rc == SK_OK)
        rc = sk_store_commit(st, &err);
    if (rc) {
        sk_store_rollback(st);
        cli_error("the verdicts were not stored: %s", err);
    }
    free(err);
    sk_store_close(st);
    return rc;
}

int cmd_validate(const cli_ctx *ctx, int argc, char **argv)
{
    if (cli_html_wanted(argc, argv))
        return cli_validate_html(ctx, argc, argv);
    enum {
        O_PACK = 256,
        O_SCORER,
        O_CASES,
        O_REPEAT,
        O_JSON,
        O_EXPLAIN,
        O_NO_BUILTIN,
        O_HIGH,
        O_LOW,
        O_BIAS,
        O_MODEL,
        O_SET,
        O_NO_PROGRESS,
        O_LABELS,
        O_MIN_KAPPA
    };
    static const struct option opts[] = {{"pack", required_argument, NULL, O_PACK},
                                         {"scorer", required_argument, NULL, O_SCORER},
                                         {"cases", required_argument, NULL, O_CASES},
                                         {"repeat", required_argument, NULL, O_REPEAT},
                                         {"json", no_argument, NULL, O_JSON},
                                         {"explain", no_argument, NULL, O_EXPLAIN},
                                         {"no-builtin", no_argument, NULL, O_NO_BUILTIN},
                                         {"high", required_argument, NULL, O_HIGH},
                                         {"low", required_argument, NULL, O_LOW},
                                         {"bias-share", required_argument, NULL, O_BIAS},
                                         {"model", required_argument, NULL, O_MODEL},
                                         {"set", required_argument, NULL, O_SET},
                                         {"no-progress", no_argument, NULL, O_NO_PROGRESS},
                                         {"labels", required_argument, NULL, O_LABELS},
                                         {"min-kappa", required_argument, NULL, O_MIN_KAPPA},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    const char *pack_file = NULL, *model = NULL, *labels = NULL;
    const char **scorers = sk_xcalloc((size_t)argc + 1, sizeof *scorers);
    const char **cases = sk_xcalloc((size_t)argc + 1, sizeof *cases);
    const char **sets = sk_xcalloc((size_t)argc + 1, sizeof *sets);
    size_t nscorers = 0, ncases = 0, nsets = 0;
    int json = 0, explain = 0, builtin = 1, c, rc = CLI_OK, jobs = 0, progress = 1;
    sk_meta_thresholds cli;
    sk_meta_thresholds_unset(&cli);
    optind = 1;
    while (rc == CLI_OK && (c = cli_getopt(argc, argv, "hj:", opts)) != -1) {
        switch (c) {
        case O_PACK: pack_file = optarg; break;
        case O_SCORER: scorers[nscorers++] = optarg; break;
        case O_CASES: cases[ncases++] = optarg; break;
        case O_MODEL: model = optarg; break;
        case O_SET: sets[nsets++] = optarg; break;
        case O_NO_PROGRESS: progress = 0; break;
        case O_LABELS: labels = optarg; break;
        case O_MIN_KAPPA:
            if (parse_unit("--min-kappa", optarg, &cli.min_kappa))
                rc = CLI_FAIL;
            break;
        case O_JSON: json = 1; break;
        case O_EXPLAIN: explain = 1; break;
        case O_NO_BUILTIN: builtin = 0; break;
        case O_HIGH:
            if (parse_unit("--high", optarg, &cli.high))
                rc = CLI_FAIL;
            break;
        case O_LOW:
            if (parse_unit("--low", optarg, &cli.low))
                rc = CLI_FAIL;
            break;
        case O_BIAS:
            if (parse_unit("--bias-share", optarg, &cli.bias_share))
                rc = CLI_FAIL;
            break;
        case O_REPEAT: {
            char *end;
            long v = strtol(optarg, &end, 10);
            if (*end || v < 1 || v > 100) {
                cli_error("--repeat needs a number from 1 to 100, got \"%s\"", optarg);
                rc = CLI_FAIL;
            }
            cli.repeat = (int)v;
            break;
        }
        case 'j': {
            char *end;
            long v = strtol(optarg, &end, 10);
            if (*end || v < 1 || v > 256) {
                cli_error("-j needs a number from 1 to 256, got \"%s\"", optarg);
                rc = CLI_FAIL;
            }
            jobs = (int)v;
            break;
        }
        case 'h':
            help();
            free(scorers);
            free(cases);
            free(sets);
            return CLI_OK;
        default: rc = CLI_FAIL; break;
        }
    }
    if (rc == CLI_OK && optind < argc) {
        cli_error("validate takes no positional arguments (got \"%s\"); name scorers with "
                  "--scorer NAME",
                  argv[optind]);
        rc = CLI_FAIL;
    }
    if (rc == CLI_OK && explain && nscorers == 0 && !json)
        cli_warn("--explain prints every case of every scorer; --scorer NAME narrows it");

    sk_project *proj = NULL;
    sk_registry *reg = NULL;
    sk_pack *pack = NULL;
    sk_metacase_set builtin_set = {0}, extra = {0};
    sk_meta_report *rep = NULL;
    char *err = NULL;
    if (rc == CLI_OK && cli_project(ctx, 0, &proj))
        rc = CLI_FAIL;
    /* With a pack, --scorer picks from it; without one, --scorer names
     * the scorers to validate with their default params. */
    int have_pack = pack_file || (proj && proj->pack);
    if (rc == CLI_OK && cli_pack(ctx, proj, pack_file, have_pack ? NULL : scorers,
                                 have_pack ? 0 : nscorers, &reg, &pack))
        rc = CLI_FAIL;
    if (rc == CLI_OK && cli_judge_sets(pack, model, sets, nsets))
        rc = CLI_FAIL;
    if (rc == CLI_OK && builtin &&
        sk_metacase_load_dir(&builtin_set, sk_calibration_dir(), SK_MC_BUILTIN, &err) != SK_OK)
        rc = CLI_FAIL;
    for (size_t i = 0; rc == CLI_OK && i < ncases; i++)
        if (sk_metacase_load_file(&extra, cases[i], SK_MC_EXTRA, &err) != SK_OK)
            rc = CLI_FAIL;
    size_t nlabels = 0;
    if (rc == CLI_OK && labels && cli_label_cases(ctx, labels, &extra, &nlabels) != CLI_OK)
        rc = CLI_FAIL;
    /* Labels people gave are used whenever there are some. */
    if (rc == CLI_OK && !labels && proj && cli_label_cases_stored(ctx, &extra, &nlabels) != CLI_OK)
        rc = CLI_FAIL;
    if (rc == CLI_OK) {
        sk_meta_opts o = {0};
        o.builtin = builtin ? &builtin_set : NULL;
        o.extra = &extra;
        o.cli = &cli;
        o.only = have_pack && nscorers ? scorers : NULL;
        o.nonly = have_pack ? nscorers : 0;
        o.reg = reg;
        o.llm = cli_llm_client(ctx);
        o.project_dir = proj ? proj->dir : NULL;
        o.jobs = jobs;
        cli_progress bar;
        cli_progress_init(&bar, progress, "calls");
        bar.llm = cli_llm_client(ctx);
        o.progress = cli_progress_cb;
        o.progress_ud = &bar;
        if (sk_meta_validate(pack, &o, &rep, &err) != SK_OK)
            rc = CLI_FAIL;
        cli_progress_end(&bar);
    }
    if (rc == CLI_FAIL && err)
        cli_error("%s", err);
    if (rc == CLI_OK) {
        if (json) {
            char *text = sk_meta_report_json(rep, explain);
            puts(text);
            free(text);
        } else {
            cli_validate_print(stdout, rep, explain);
        }
        if (proj && store_verdicts(proj, rep))
            rc = CLI_FAIL;
        else if (rep->verdict == SK_CHECK_FAIL)
            rc = VALIDATE_FAILED;
    }
    free(err);
    sk_meta_report_free(rep);
    sk_metacase_set_free(&builtin_set);
    sk_metacase_set_free(&extra);
    sk_pack_free(pack);
    sk_registry_free(reg);
    sk_project_free(proj);
    free(scorers);
    free(cases);
    free(sets);
    return rc;
}

int cli_validation_gate(sk_store *st, const sk_project *proj, const sk_pack *pack,
                        const sk_registry *reg, int require)
{
    require |= proj && proj->require_validated;
    size_t bad = 0;
    for (size_t i = 0; i < pack->n; i++) {
        const sk_pack_entry *e = &pack->entries[i];
        char fp[17], *err = NULL, *when = NULL;
        sk_validation_state state = SK_VALIDATION_NEVER;
        if (sk_fingerprint_entry(e, reg, proj ? proj->dir : NULL, fp, &err) != SK_OK ||
            sk_validation_state_of(st, e->name, fp, &state, &when, &err) != SK_OK) {
            cli_error("%s", err);
            free(err);
            return CLI_FAIL;
        }
        void (*say)(const char *, ...) = require ? cli_error : cli_warn;
        switch (state) {
        case SK_VALIDATION_NEVER:
            say("scorer %s was never validated; run `scorekit validate --scorer %s`", e->name,
                e->name);
            bad++;
            break;
        case SK_VALIDATION_FAILED:
            say("scorer %s FAILED its validation (%s UTC); `scorekit validate --scorer %s` says "
                "why",
                e->name, when ? when : "?", e->name);
            bad++;
            break;
        case SK_VALIDATION_CHANGED:
            say("scorer %s changed since it was validated (its code or params differ); run "
                "`scorekit validate --scorer %s` again",
                e->name, e->name);
            bad++;
            break;
        default: break;
        }
        free(when);
    }
    if (bad && require) {
        cli_error("refusing to run: %zu scorer%s not validated (--require-validated, or "
                  "\"require_validated\" in %s)",
                  bad, bad == 1 ? " is" : "s are", SK_PROJECT_FILE);
        return CLI_FAIL;
    }
    return CLI_OK;
}
