/*
 * The arithmetic of the meta-evaluation (see metaeval.h): from a scorer's
 * observed scores to the status of each check and its verdict, and the
 * report as JSON.  Kept apart from the running so tests can feed it
 * made-up observations and check every figure.
 */
#include <cjson/cJSON.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "validate/metaeval.h"
#include "base/util.h"

static const char *const check_names[SK_CHK_COUNT] = {
    "correct", "wrong",       "verbosity", "formality", "confidence", "pairs",
    "numeric", "consistency", "position",  "rationale", "errors",     "agreement"};

const char *sk_check_name(int check)
{
    return check >= 0 && check < SK_CHK_COUNT ? check_names[check] : "?";
}

const char *sk_check_status_name(sk_check_status s)
{
    switch (s) {
    case SK_CHECK_PASS: return "PASS";
    case SK_CHECK_WARN: return "WARN";
    case SK_CHECK_FAIL: return "FAIL";
    default: return "n/a";
    }
}

static void set(sk_meta_check *c, sk_check_status st, const char *fmt, ...) SK_PRINTF(3, 4);
static void set(sk_meta_check *c, sk_check_status st, const char *fmt, ...)
{
    c->status = st;
    free(c->why);
    c->why = NULL;
    if (fmt) {
        va_list ap;
        va_start(ap, fmt);
        c->why = sk_vasprintf(fmt, ap);
        va_end(ap);
    }
}

/* Running figures of one check. */
static void add(sk_meta_check *c, double v)
{
    if (c->n == 0)
        c->min = c->max = v, c->mean = 0;
    c->mean += v;
    if (v < c->min)
        c->min = v;
    if (v > c->max)
        c->max = v;
    c->n++;
}

static void finish(sk_meta_check *c)
{
    if (c->n)
        c->mean /= (double)c->n;
    else
        c->mean = c->min = c->max = NAN;
}

int sk_meta_result_bad(const sk_meta_result *r)
{
    return r->failed || r->obs[0].errors || r->obs[1].errors || r->obs[0].invalid ||
           r->obs[1].invalid;
}

static int is_bias(int chk)
{
    return chk == SK_CHK_VERBOSITY || chk == SK_CHK_FORMALITY || chk == SK_CHK_CONFIDENCE;
}

void sk_meta_judge(sk_meta_scorer *s)
{
    const sk_meta_thresholds *t = &s->th;
    for (int i = 0; i < SK_CHK_COUNT; i++) {
        free(s->checks[i].why);
        memset(&s->checks[i], 0, sizeof s->checks[i]);
    }
    sk_meta_check *ck = s->checks;
    size_t with_rationale = 0, judged_scores = 0, outputs = 0, flips = 0;
    size_t positioned = 0, inconsistent = 0, nlab = 0;
    sk_meta_check spread = {0};
    sk_agree_pair *lab = sk_xcalloc(s->nresults + 1, sizeof *lab);
    for (size_t i = 0; i < s->nresults; i++) {
        sk_meta_result *r = &s->results[i];
        const sk_meta_obs *a = &r->obs[0], *b = &r->obs[1];
        int pair = r->mc->type == SK_MC_PAIR;
        r->failed = 0;
        for (int side = 0; side < 1 + pair; side++) {
            const sk_meta_obs *o = &r->obs[side];
            judged_scores += o->scored;
            with_rationale += o->explained;
            positioned += o->positioned;
            inconsistent += o->inconsistent;
            if (o->scored >= 2) {
                outputs++;
                add(&spread, o->max - o->min);
                if (o->flipped)
                    flips++, r->failed = 1;
            }
        }
        if (!a->scored || (pair && !b->scored))
            continue; /* only skipped or errors: nothing to judge */
        sk_meta_check *c = &ck[r->check];
        switch (pair ? -1 : r->check) {
        case SK_CHK_CORRECT:
            add(c, a->mean);
            r->failed |= a->mean < t->high;
            break;
        case SK_CHK_WRONG:
            add(c, a->mean);
            r->failed |= a->mean > t->low;
            break;
        case SK_CHK_AGREEMENT:
            lab[nlab++] = (sk_agree_pair){a->mean, r->mc->expect};
            /* A row the scorer and people see differently is worth reading. */
            r->failed |= (a->mean >= s->cut) != (r->mc->expect >= s->cut);
            break;
        case SK_CHK_NUMERIC: {
            double d = fabs(a->mean - r->mc->expect);
            add(c, d);
            if (d <= r->mc->tolerance + 1e-12)
                c->hits++;
            else
                r->failed = 1;
            break;
        }
        default: { /* pairs */
            int won = a->mean > b->mean + r->mc->margin;
            add(c, b->mean);
            c->hits += won;
            c->pairs = 1;
            /* A head-to-head's worse answer must lose outright, as a biased
             * wrong answer must. */
            r->failed |= !won || ((is_bias(r->check) || r->mc->versus) && b->mean > t->low);
            break;
        }
        }
    }
    for (int i = 0; i < SK_CHK_COUNT; i++)
        finish(&ck[i]);

    sk_meta_check *c = &ck[SK_CHK_CORRECT];
    if (c->n) {
        if (c->mean < t->high)
            set(c, SK_CHECK_FAIL,
                "obvious-correct answers score %.3g on average, below the high "
                "bar %.3g",
                c->mean, t->high);
        else if (c->min < t->low)
            set(c, SK_CHECK_FAIL, "an obvious-correct answer scores %.3g, below the low bar %.3g",
                c->min, t->low);
        else
            set(c, SK_CHECK_PASS, NULL);
    }
    c = &ck[SK_CHK_WRONG];
    if (c->n && c->pairs) {
        c->share = (double)c->hits / (double)c->n;
        if (c->share + 1e-12 < t->bias_share)
            set(c, SK_CHECK_FAIL,
                "the correct answer beats an obvious-wrong one in %zu of %zu head-to-heads "
                "(%.0f%%; %.0f%% needed)",
                c->hits, c->n, 100 * c->share, 100 * t->bias_share);
        else if (c->mean > t->low)
            set(c, SK_CHECK_FAIL,
                "obvious-wrong answers score %.3g on average against the correct one, above the "
                "low bar %.3g",
                c->mean, t->low);
        else
            set(c, SK_CHECK_PASS, NULL);
    } else if (c->n) {
        if (c->mean > t->low)
            set(c, SK_CHECK_FAIL,
                "obvious-wrong answers score %.3g on average, above the low "
                "bar %.3g",
                c->mean, t->low);
        else
            set(c, SK_CHECK_PASS, NULL);
    }
    for (int k = SK_CHK_VERBOSITY; k <= SK_CHK_PAIRS; k++) {
        c = &ck[k];
        if (!c->n)
            continue;
        c->share = (double)c->hits / (double)c->n;
        if (c->share + 1e-12 < t->bias_share)
            set(c, SK_CHECK_FAIL, "the better answer wins %zu of %zu pairs (%.0f%%; %.0f%% needed)",
                c->hits, c->n, 100 * c->share, 100 * t->bias_share);
        else if ((k != SK_CHK_PAIRS || s->pairwise) && c->mean > t->low)
            set(c, SK_CHECK_FAIL, "%s wrong answers score %.3g on average, above the low bar %.3g",
                k == SK_CHK_VERBOSITY   ? "long, padded"
                : k == SK_CHK_FORMALITY ? "formal, authoritative-sounding"
                : k == SK_CHK_PAIRS     ? "the worse"
                                        : "confident",
                c->mean, t->low);
        else
            set(c, SK_CHECK_PASS, NULL);
    }
    c = &ck[SK_CHK_NUMERIC];
    if (c->n) {
        c->share = (double)c->hits / (double)c->n;
        if (c->mean > t->max_mae)
            set(c, SK_CHECK_FAIL,
                "mean absolute error %.3g against the expected scores, above "
                "%.3g",
                c->mean, t->max_mae);
        else if (c->hits < c->n)
            set(c, SK_CHECK_WARN, "%zu of %zu scores are outside their tolerance", c->n - c->hits,
                c->n);
        else
            set(c, SK_CHECK_PASS, NULL);
    }
    c = &ck[SK_CHK_CONSISTENCY];
    if (s->repeat > 1 && outputs) {
        finish(&spread);
        c->n = outputs;
        c->hits = flips;
        c->mean = spread.mean;
        c->min = spread.min;
        c->max = spread.max;
        c->share = (double)flips / (double)outputs;
        if (c->share > t->max_flip_share + 1e-12)
            set(c, SK_CHECK_FAIL,
                "the verdict flips across %d repeats on %zu of %zu outputs (max spread %.3g)",
                s->repeat, flips, outputs, c->max);
        else
            set(c, SK_CHECK_PASS, NULL);
    }
    c = &ck[SK_CHK_POSITION];
    if (positioned) {
        c->n = positioned;
        c->hits = inconsistent;
        c->share = (double)inconsistent / (double)positioned;
        if (c->share > t->max_position + 1e-12)
            set(c, SK_CHECK_FAIL,
                "the verdict follows the position, not the content: the two orders prefer "
                "different answers in %zu of %zu comparisons (%.0f%%; at most %.0f%% allowed)",
                inconsistent, positioned, 100 * c->share, 100 * t->max_position);
        else
            set(c, SK_CHECK_PASS, NULL);
    }
    c = &ck[SK_CHK_RATIONALE];
    if ((s->flags & SK_SCORER_USES_LLM) && s->no_rationale) {
        c->skipped = "skipped: the judge is not asked for a rationale (\"cot\": false)";
    } else if ((s->flags & SK_SCORER_USES_LLM) && judged_scores) {
        c->n = judged_scores;
        c->hits = with_rationale;
        c->share = (double)c->hits / (double)c->n;
        if (c->hits < c->n)
            set(c, SK_CHECK_FAIL, "%zu of %zu scores come without a rationale", c->n - c->hits,
                c->n);
        else
            set(c, SK_CHECK_PASS, NULL);
    }
    c = &ck[SK_CHK_AGREEMENT];
    sk_agreement_compute(lab, nlab, s->cut, &s->agreement);
    free(lab);
    if (nlab) {
        const sk_agreement *g = &s->agreement;
        c->n = nlab;
        c->hits = g->tp + g->tn;
        c->share = g->accuracy;
        c->mean = g->kappa;
        if (isnan(g->kappa))
            set(c, SK_CHECK_WARN,
                "kappa is undefined: the scorer and the people each gave one verdict to every "
                "one of the %zu labelled rows; label rows of both kinds",
                nlab);
        else if (g->kappa + 1e-12 < t->min_kappa)
            set(c, SK_CHECK_FAIL,
                "Cohen's kappa against people is %.2f [%.2f, %.2f] over %zu labelled rows, below "
                "the bar %.2f (TPR %.2f, TNR %.2f)",
                g->kappa, g->kappa_lo, g->kappa_hi, nlab, t->min_kappa, g->tpr, g->tnr);
        else
            set(c, SK_CHECK_PASS, NULL);
    }
    c = &ck[SK_CHK_ERRORS];
    if (s->calls) {
        c->n = s->calls;
        c->hits = s->errors;
        c->invalid = s->invalid;
        c->share = (double)(s->errors + s->invalid) / (double)s->calls;
        if (c->share > t->max_error_rate + 1e-12 && s->invalid && s->errors)
            set(c, SK_CHECK_FAIL,
                "%zu of %zu calls returned an error and %zu gave an invalid verdict (a label "
                "it was not offered) (%.0f%% in all)",
                s->errors, s->calls, s->invalid, 100 * c->share);
        else if (c->share > t->max_error_rate + 1e-12 && s->invalid)
            set(c, SK_CHECK_FAIL,
                "%zu of %zu verdicts were invalid: the model replied with a label it was not "
                "offered (%.0f%%)",
                s->invalid, s->calls, 100 * c->share);
        else if (c->share > t->max_error_rate + 1e-12)
            set(c, SK_CHECK_FAIL, "%zu of %zu calls returned an error (%.0f%%)", s->errors,
                s->calls, 100 * c->share);
        else
            set(c, SK_CHECK_PASS, NULL);
    }

    s->verdict = SK_CHECK_PASS;
    int judged = 0;
    for (int k = 0; k < SK_CHK_COUNT; k++) {
        if (ck[k].status > s->verdict)
            s->verdict = ck[k].status;
        if ((k <= SK_CHK_NUMERIC || k == SK_CHK_AGREEMENT) && ck[k].status != SK_CHECK_NA)
            judged = 1;
    }
    free(s->note);
    s->note = NULL;
    if (s->problem)
        s->verdict = SK_CHECK_FAIL;
    else if (!judged && s->verdict == SK_CHECK_PASS && s->criterion) {
        s->verdict = SK_CHECK_WARN;
        s->note = sk_xstrdup(
            "no cases fit this criterion; add some: the judge decides a criterion of its own, "
            "with no reference answer in its prompt, so the built-in correctness cases do not "
            "fit it.  Give it cases that say what meets the criterion (the pack entry's "
            "\"validate\": {\"cases\": [...]}, or --cases FILE), or, when the criterion is "
            "whether the answer is right, say \"validate\": {\"criterion_kind\": "
            "\"correctness\"}");
    } else if (!judged && s->verdict == SK_CHECK_PASS) {
        s->verdict = SK_CHECK_WARN;
        s->note = sk_xstrdup(
            "no calibration case applies to it, so nothing says whether it measures what it "
            "claims (the built-in set is for scorers that compare against an expected answer "
            "or another answer); give it meta-cases: a script's meta_cases, the pack entry's "
            "\"validate\": {\"cases\": [...]}, or --cases FILE");
    }
}

/* JSON */

static void add_num(cJSON *o, const char *k, double v)
{
    if (isnan(v))
        cJSON_AddNullToObject(o, k);
    else
        cJSON_AddNumberToObject(o, k, round(v * 1e6) / 1e6);
}

static cJSON *obs_json(const sk_meta_obs *o, const char *output_json)
{
    cJSON *j = cJSON_CreateObject();
    cJSON *out = cJSON_Parse(output_json);
    cJSON_AddItemToObject(j, "output", out ? out : cJSON_CreateNull());
    add_num(j, "score", o->scored ? o->mean : NAN);
    if (o->scored > 1) {
        add_num(j, "min", o->min);
        add_num(j, "max", o->max);
    }
    if (o->rationale)
        cJSON_AddStringToObject(j, "rationale", o->rationale);
    cJSON *meta = o->meta ? cJSON_Parse(o->meta) : NULL;
    if (meta)
        cJSON_AddItemToObject(j, "meta", meta);
    if (o->positioned)
        cJSON_AddNumberToObject(j, "position_inconsistent", (double)o->inconsistent);
    if (o->invalid)
        cJSON_AddNumberToObject(j, "invalid_verdicts", (double)o->invalid);
    if (o->skipped)
        cJSON_AddNumberToObject(j, "skipped", (double)o->skipped);
    if (o->errors)
        cJSON_AddNumberToObject(j, "errors", (double)o->errors);
    if (o->message)
        cJSON_AddStringToObject(j, o->errors || o->invalid ? "error" : "skip", o->message);
    if (o->flipped)
        cJSON_AddTrueToObject(j, "flipped");
    return j;
}

static void interval(cJSON *o, const char *k, double lo, double hi)
{
    cJSON *a = cJSON_AddArrayToObject(o, k);
    cJSON_AddItemToArray(a, isnan(lo) ? cJSON_CreateNull()
                                      : cJSON_CreateNumber(round(lo * 1e6) / 1e6));
    cJSON_AddItemToArray(a, isnan(hi) ? cJSON_CreateNull()
                                      : cJSON_CreateNumber(round(hi * 1e6) / 1e6));
}

static void agreement_json(cJSON *j, const sk_agreement *g, double bar)
{
    add_num(j, "cut", g->cut);
    add_num(j, "accuracy", g->accuracy);
    add_num(j, "kappa", g->kappa);
    interval(j, "kappa_ci", g->kappa_lo, g->kappa_hi);
    add_num(j, "min_kappa", bar);
    add_num(j, "tpr", g->tpr);
    interval(j, "tpr_ci", g->tpr_lo, g->tpr_hi);
    add_num(j, "tnr", g->tnr);
    interval(j, "tnr_ci", g->tnr_lo, g->tnr_hi);
    add_num(j, "precision", g->precision);
    add_num(j, "recall", g->tpr);
    cJSON *m = cJSON_AddObjectToObject(j, "confusion");
    cJSON_AddNumberToObject(m, "tp", (double)g->tp);
    cJSON_AddNumberToObject(m, "fp", (double)g->fp);
    cJSON_AddNumberToObject(m, "fn", (double)g->fn);
    cJSON_AddNumberToObject(m, "tn", (double)g->tn);
    if (g->graded) {
        add_num(j, "spearman", g->spearman);
        add_num(j, "pearson", g->pearson);
        add_num(j, "mae", g->mae);
    }
    cJSON *b = cJSON_AddObjectToObject(j, "best_cut");
    cJSON *bk = cJSON_AddObjectToObject(b, "kappa");
    add_num(bk, "cut", g->best_kappa_cut);
    add_num(bk, "kappa", g->best_kappa);
    cJSON *bj = cJSON_AddObjectToObject(b, "youden");
    add_num(bj, "cut", g->best_j_cut);
    add_num(bj, "j", g->best_j);
}

char *sk_meta_agreement_counts(const sk_meta_scorer *s)
{
    const sk_agreement *g = &s->agreement;
    if (!g->n)
        return NULL;
    return sk_asprintf("{\"n\":%zu,\"tp\":%zu,\"fp\":%zu,\"fn\":%zu,\"tn\":%zu,\"cut\":%.17g}",
                       g->n, g->tp, g->fp, g->fn, g->tn, g->cut);
}

static cJSON *result_json(const sk_meta_result *r)
{
    const sk_metacase *m = r->mc;
    cJSON *j = cJSON_CreateObject();
    cJSON_AddStringToObject(j, "id", m->id);
    cJSON_AddStringToObject(j, "where", m->where);
    cJSON_AddStringToObject(j, "check", sk_check_name(r->check));
    cJSON_AddStringToObject(j, "kind", sk_mc_kind_name(m->kind));
    if (m->category[0])
        cJSON_AddStringToObject(j, "category", m->category);
    cJSON_AddBoolToObject(j, "failed", sk_meta_result_bad(r));
    cJSON *c = cJSON_Parse(m->case_json);
    cJSON_AddItemToObject(j, "case", c ? c : cJSON_CreateNull());
    if (m->type == SK_MC_PAIR) {
        if (m->versus)
            cJSON_AddTrueToObject(j, "head_to_head");
        if (m->margin > 0)
            add_num(j, "margin", m->margin);
        cJSON_AddItemToObject(j, "better", obs_json(&r->obs[0], m->better_json));
        cJSON_AddItemToObject(j, "worse", obs_json(&r->obs[1], m->worse_json));
    } else {
        if (m->type == SK_MC_NUMBER) {
            add_num(j, "expect", m->expect);
            add_num(j, "tolerance", m->tolerance);
        } else if (m->type == SK_MC_LABEL)
            add_num(j, "label", m->expect);
        else
            cJSON_AddStringToObject(j, "expect", m->type == SK_MC_HIGH ? "high" : "low");
        cJSON_AddItemToObject(j, "result", obs_json(&r->obs[0], m->output_json));
    }
    return j;
}

static cJSON *check_json(int k, const sk_meta_check *c)
{
    cJSON *j = cJSON_CreateObject();
    const char *st = sk_check_status_name(c->status);
    cJSON_AddStringToObject(j, "status", c->status == SK_CHECK_NA ? "n/a" : st);
    if (c->skipped)
        cJSON_AddStringToObject(j, "skipped", c->skipped);
    if (c->status == SK_CHECK_NA)
        return j;
    cJSON_AddNumberToObject(j, "n", (double)c->n);
    switch (k == SK_CHK_WRONG && c->pairs ? SK_CHK_PAIRS : k) {
    case SK_CHK_CORRECT:
    case SK_CHK_WRONG:
        add_num(j, "mean", c->mean);
        add_num(j, "min", c->min);
        add_num(j, "max", c->max);
        break;
    case SK_CHK_NUMERIC:
        add_num(j, "mae", c->mean);
        add_num(j, "max_error", c->max);
        cJSON_AddNumberToObject(j, "within_tolerance", (double)c->hits);
        break;
    case SK_CHK_CONSISTENCY:
        add_num(j, "mean_spread", c->mean);
        add_num(j, "max_spread", c->max);
        cJSON_AddNumberToObject(j, "flips", (double)c->hits);
        break;
    case SK_CHK_POSITION:
        cJSON_AddNumberToObject(j, "inconsistent", (double)c->hits);
        add_num(j, "rate", c->share);
        break;
    case SK_CHK_RATIONALE: cJSON_AddNumberToObject(j, "with_rationale", (double)c->hits); break;
    case SK_CHK_AGREEMENT: break; /* scorer_json adds the figures */
    case SK_CHK_ERRORS:
        cJSON_AddNumberToObject(j, "errors", (double)c->hits);
        cJSON_AddNumberToObject(j, "invalid_verdicts", (double)c->invalid);
        add_num(j, "rate", c->share);
        break;
    default:
        cJSON_AddNumberToObject(j, "won", (double)c->hits);
        add_num(j, "share", c->share);
        add_num(j, "worse_mean", c->mean);
        add_num(j, "worse_max", c->max);
        break;
    }
    if (c->why)
        cJSON_AddStringToObject(j, "why", c->why);
    return j;
}

static cJSON *scorer_json(const sk_meta_scorer *s, int explain)
{
    cJSON *j = cJSON_CreateObject();
    cJSON_AddStringToObject(j, "name", s->name);
    cJSON_AddStringToObject(j, "use", s->use);
    cJSON_AddStringToObject(j, "engine", s->engine);
    cJSON_AddStringToObject(j, "fingerprint", s->fingerprint);
    cJSON_AddStringToObject(j, "verdict", sk_check_status_name(s->verdict));
    if (s->problem)
        cJSON_AddStringToObject(j, "problem", s->problem);
    cJSON_AddNumberToObject(j, "repeat", s->repeat);
    cJSON_AddNumberToObject(j, "ncases", (double)s->nresults);
    cJSON_AddNumberToObject(j, "calls", (double)s->calls);
    cJSON_AddNumberToObject(j, "skipped", (double)s->skipped);
    cJSON_AddNumberToObject(j, "errors", (double)s->errors);
    cJSON_AddNumberToObject(j, "invalid_verdicts", (double)s->invalid);
    if (s->pairwise) {
        /* A pairwise judge's figures under the names its users know. */
        cJSON *pw = cJSON_AddObjectToObject(j, "pairwise");
        cJSON *acc = cJSON_AddObjectToObject(pw, "accuracy");
        for (int k = SK_CHK_WRONG; k <= SK_CHK_PAIRS; k++)
            if (s->checks[k].n && s->checks[k].pairs)
                add_num(acc, check_names[k], s->checks[k].share);
        const sk_meta_check *pc = &s->checks[SK_CHK_POSITION];
        add_num(pw, "position_inconsistency", pc->n ? pc->share : NAN);
    }
    cJSON *th = cJSON_AddObjectToObject(j, "thresholds");
    add_num(th, "high", s->th.high);
    add_num(th, "low", s->th.low);
    add_num(th, "bias_share", s->th.bias_share);
    add_num(th, "max_mae", s->th.max_mae);
    add_num(th, "max_error_rate", s->th.max_error_rate);
    add_num(th, "max_flip_share", s->th.max_flip_share);
    add_num(th, "max_position_inconsistency", s->th.max_position);
    add_num(th, "min_kappa", s->th.min_kappa);
    cJSON *checks = cJSON_AddObjectToObject(j, "checks");
    for (int k = 0; k < SK_CHK_COUNT; k++)
        cJSON_AddItemToObject(checks, check_names[k], check_json(k, &s->checks[k]));
    if (s->agreement.n)
        agreement_json(cJSON_GetObjectItemCaseSensitive(checks, "agreement"), &s->agreement,
                       s->th.min_kappa);
    cJSON *reasons = cJSON_AddArrayToObject(j, "reasons");
    if (s->problem)
        cJSON_AddItemToArray(reasons, cJSON_CreateString(s->problem));
    if (s->note)
        cJSON_AddItemToArray(reasons, cJSON_CreateString(s->note));
    for (int k = 0; k < SK_CHK_COUNT; k++)
        if (s->checks[k].why) {
            char *t = sk_asprintf("%s: %s", check_names[k], s->checks[k].why);
            cJSON_AddItemToArray(reasons, cJSON_CreateString(t));
            free(t);
        }
    cJSON *arr = cJSON_AddArrayToObject(j, explain ? "cases" : "failing");
    for (size_t i = 0; i < s->nresults; i++) {
        const sk_meta_result *r = &s->results[i];
        if (explain || sk_meta_result_bad(r))
            cJSON_AddItemToArray(arr, result_json(r));
    }
    return j;
}

char *sk_meta_scorer_json(const sk_meta_scorer *s, int explain)
{
    cJSON *j = scorer_json(s, explain);
    char *t = cJSON_PrintUnformatted(j);
    cJSON_Delete(j);
    return t;
}

char *sk_meta_report_json(const sk_meta_report *rep, int explain)
{
    cJSON *root = cJSON_CreateObject();
    cJSON_AddStringToObject(root, "pack", rep->pack);
    cJSON_AddStringToObject(root, "verdict", sk_check_status_name(rep->verdict));
    cJSON *arr = cJSON_AddArrayToObject(root, "scorers");
    for (size_t i = 0; i < rep->n; i++)
        cJSON_AddItemToArray(arr, scorer_json(&rep->scorers[i], explain));
    char *s = cJSON_PrintUnformatted(root);
    cJSON_Delete(root);
    return s;
}
