/*
 * Tests for the meta-evaluation (core/metaeval.c, metaeval_judge.c): each
 * check's arithmetic on made-up observations, threshold defaults, parsing
 * and overrides, case selection by what a scorer accepts, real runs of the
 * heuristic scorers and of deliberately broken Lua scorers, and the JSON
 * report.
 */
#include <check.h>
#include <cjson/cJSON.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "fixtures.h"
#include "validate/metacase.h"
#include "validate/metaeval.h"
#include "engine/pack.h"
#include "run_suite.h"
#include "tmpfile_util.h"
#include "base/util.h"

/* A scorer with hand-made results: add() appends one case with its
 * observed mean scores (NAN: that side only errored). */
typedef struct fake {
    sk_meta_scorer s;
    sk_metacase_set set;
} fake;

static void fake_init(fake *f, unsigned flags, int repeat)
{
    memset(f, 0, sizeof *f);
    sk_meta_thresholds_default(&f->s.th);
    f->s.flags = flags;
    f->s.repeat = repeat;
    f->s.results = sk_xcalloc(64, sizeof *f->s.results);
    f->set.items = sk_xcalloc(64, sizeof *f->set.items);
    f->set.cap = 64;
}

static sk_meta_result *add(fake *f, sk_mc_type type, sk_mc_bias bias, double a, double b)
{
    sk_metacase *m = &f->set.items[f->set.n++];
    m->type = type;
    m->bias = bias;
    m->tolerance = 0.1;
    sk_meta_result *r = &f->s.results[f->s.nresults++];
    r->mc = m;
    r->check = type == SK_MC_HIGH           ? SK_CHK_CORRECT
               : type == SK_MC_LOW          ? SK_CHK_WRONG
               : type == SK_MC_NUMBER       ? SK_CHK_NUMERIC
               : bias == SK_BIAS_VERBOSITY  ? SK_CHK_VERBOSITY
               : bias == SK_BIAS_FORMALITY  ? SK_CHK_FORMALITY
               : bias == SK_BIAS_CONFIDENCE ? SK_CHK_CONFIDENCE
                                            : SK_CHK_PAIRS;
    double v[2] = {a, b};
    for (int i = 0; i < 1 + (type == SK_MC_PAIR); i++) {
        sk_meta_obs *o = &r->obs[i];
        o->mean = o->min = o->max = v[i];
        if (isnan(v[i])) {
            o->errors = 1;
            f->s.errors++;
        } else {
            o->scored = 1;
            o->explained = 1;
        }
        f->s.calls++;
    }
    return r;
}

static void fake_free(fake *f)
{
    for (int k = 0; k < SK_CHK_COUNT; k++)
        free(f->s.checks[k].why);
    free(f->s.note);
    free(f->s.results);
    free(f->set.items);
}

START_TEST(correct_and_wrong_arithmetic)
{
    fake f;
    fake_init(&f, 0, 1);
    add(&f, SK_MC_HIGH, 0, 1.0, 0);
    add(&f, SK_MC_HIGH, 0, 0.9, 0);
    add(&f, SK_MC_HIGH, 0, 0.65, 0);
    add(&f, SK_MC_LOW, 0, 0.0, 0);
    add(&f, SK_MC_LOW, 0, 0.3, 0);
    add(&f, SK_MC_LOW, 0, NAN, 0); /* only errors: not a 0 */
    sk_meta_judge(&f.s);
    const sk_meta_check *c = &f.s.checks[SK_CHK_CORRECT];
    ck_assert_uint_eq(c->n, 3);
    ck_assert_double_eq_tol(c->mean, 2.55 / 3, 1e-12);
    ck_assert_double_eq_tol(c->min, 0.65, 1e-12);
    ck_assert_int_eq(c->status, SK_CHECK_PASS); /* 0.85 >= 0.8, none below 0.2 */
    ck_assert(f.s.results[2].failed);           /* 0.65 is below the high bar */
    c = &f.s.checks[SK_CHK_WRONG];
    ck_assert_uint_eq(c->n, 2);
    ck_assert_double_eq_tol(c->mean, 0.15, 1e-12);
    ck_assert_int_eq(c->status, SK_CHECK_PASS);
    ck_assert(f.s.results[4].failed);
    /* The error is counted, and fails the errors check. */
    c = &f.s.checks[SK_CHK_ERRORS];
    ck_assert_uint_eq(c->n, 6);
    ck_assert_uint_eq(c->hits, 1);
    ck_assert_int_eq(c->status, SK_CHECK_FAIL);
    ck_assert_int_eq(f.s.verdict, SK_CHECK_FAIL);
    sk_assert_has(c->why, "1 of 6 calls returned an error");
    /* With errors allowed, it passes. */
    f.s.th.max_error_rate = 0.2;
    sk_meta_judge(&f.s);
    ck_assert_int_eq(f.s.verdict, SK_CHECK_PASS);
    /* One correct answer below the low bar fails, whatever the mean. */
    f.s.results[2].obs[0].mean = 0.1;
    add(&f, SK_MC_HIGH, 0, 1.0, 0);
    add(&f, SK_MC_HIGH, 0, 1.0, 0);
    add(&f, SK_MC_HIGH, 0, 1.0, 0);
    sk_meta_judge(&f.s);
    c = &f.s.checks[SK_CHK_CORRECT];
    ck_assert_double_eq_tol(c->mean, 5.0 / 6, 1e-12);
    ck_assert_int_eq(c->status, SK_CHECK_FAIL);
    sk_assert_has(c->why, "scores 0.1, below the low bar 0.2");
    /* Raising the low bar fails the wrong check too. */
    f.s.th.low = 0.1;
    sk_meta_judge(&f.s);
    ck_assert_int_eq(f.s.checks[SK_CHK_WRONG].status, SK_CHECK_FAIL);
    sk_assert_has(f.s.checks[SK_CHK_WRONG].why, "0.15 on average, above the low bar 0.1");
    fake_free(&f);
}
END_TEST

START_TEST(bias_arithmetic)
{
    fake f;
    fake_init(&f, 0, 1);
    add(&f, SK_MC_PAIR, SK_BIAS_VERBOSITY, 1.0, 0.1);
    add(&f, SK_MC_PAIR, SK_BIAS_VERBOSITY, 1.0, 0.0);
    add(&f, SK_MC_PAIR, SK_BIAS_FORMALITY, 1.0, 1.0); /* a tie is not a win */
    add(&f, SK_MC_PAIR, SK_BIAS_FORMALITY, 0.9, 0.1);
    /* Wins every pair, but the confident wrong answer still scores 0.9. */
    add(&f, SK_MC_PAIR, SK_BIAS_CONFIDENCE, 1.0, 0.9);
    add(&f, SK_MC_PAIR, SK_BIAS_CONFIDENCE, 1.0, 0.0);
    sk_meta_result *g = add(&f, SK_MC_PAIR, SK_BIAS_NONE, 0.6, 0.5);
    sk_meta_judge(&f.s);
    const sk_meta_check *c = &f.s.checks[SK_CHK_VERBOSITY];
    ck_assert_uint_eq(c->n, 2);
    ck_assert_uint_eq(c->hits, 2);
    ck_assert_double_eq_tol(c->share, 1, 1e-12);
    ck_assert_double_eq_tol(c->mean, 0.05, 1e-12);
    ck_assert_int_eq(c->status, SK_CHECK_PASS);
    c = &f.s.checks[SK_CHK_FORMALITY];
    ck_assert_uint_eq(c->hits, 1);
    ck_assert_double_eq_tol(c->share, 0.5, 1e-12);
    ck_assert_int_eq(c->status, SK_CHECK_FAIL);
    sk_assert_has(c->why, "wins 1 of 2 pairs (50%; 100% needed)");
    c = &f.s.checks[SK_CHK_CONFIDENCE];
    ck_assert_uint_eq(c->hits, 2);
    ck_assert_double_eq_tol(c->mean, 0.45, 1e-12);
    ck_assert_double_eq_tol(c->max, 0.9, 1e-12);
    ck_assert_int_eq(c->status, SK_CHECK_FAIL);
    sk_assert_has(c->why, "confident wrong answers score 0.45 on average");
    ck_assert(f.s.results[4].failed);
    ck_assert(!f.s.results[5].failed);
    /* A plain pair needs no low worse score; a margin it must clear. */
    ck_assert_int_eq(f.s.checks[SK_CHK_PAIRS].status, SK_CHECK_PASS);
    ((sk_metacase *)g->mc)->margin = 0.2;
    f.s.th.bias_share = 0.5; /* override: half the bias pairs is enough */
    sk_meta_judge(&f.s);
    ck_assert_int_eq(f.s.checks[SK_CHK_PAIRS].status, SK_CHECK_FAIL);
    /* Half the formality pairs is now enough, but the tied wrong answer
     * scored 1: its mean (0.55) is still a bias. */
    ck_assert_int_eq(f.s.checks[SK_CHK_FORMALITY].status, SK_CHECK_FAIL);
    sk_assert_has(f.s.checks[SK_CHK_FORMALITY].why,
                  "formal, authoritative-sounding wrong answers score 0.55");
    ck_assert_int_eq(f.s.checks[SK_CHK_VERBOSITY].status, SK_CHECK_PASS);
    fake_free(&f);
}
END_TEST

START_TEST(numeric_consistency_rationale)
{
    fake f;
    fake_init(&f, SK_SCORER_USES_LLM | SK_SCORER_NONDETERMINISTIC, 3);
    sk_meta_result *r = add(&f, SK_MC_NUMBER, 0, 0.5, 0);
    ((sk_metacase *)r->mc)->expect = 0.45;
    r = add(&f, SK_MC_NUMBER, 0, 0.9, 0);
    ((sk_metacase *)r->mc)->expect = 0.7; /* 0.2 off: outside its 0.1 */
    sk_meta_judge(&f.s);
    const sk_meta_check *c = &f.s.checks[SK_CHK_NUMERIC];
    ck_assert_double_eq_tol(c->mean, 0.125, 1e-12);
    ck_assert_double_eq_tol(c->max, 0.2, 1e-12);
    ck_assert_uint_eq(c->hits, 1);
    ck_assert_int_eq(c->status, SK_CHECK_FAIL); /* MAE 0.125 > 0.1 */
    f.s.th.max_mae = 0.15;
    sk_meta_judge(&f.s);
    ck_assert_int_eq(c->status, SK_CHECK_WARN); /* within MAE, one out of tolerance */
    ck_assert_int_eq(f.s.verdict, SK_CHECK_WARN);
    /* Three repeats: one output spread 0.4 and flipping across 0.5. */
    sk_meta_obs *o = &f.s.results[0].obs[0];
    o->scored = 3;
    o->explained = 2; /* one repeat came without a rationale */
    o->min = 0.3;
    o->max = 0.7;
    o->flipped = 1;
    sk_meta_obs *o2 = &f.s.results[1].obs[0];
    o2->scored = 3;
    o2->explained = 3;
    o2->min = o2->max = 0.9;
    sk_meta_judge(&f.s);
    c = &f.s.checks[SK_CHK_CONSISTENCY];
    ck_assert_uint_eq(c->n, 2);
    ck_assert_uint_eq(c->hits, 1);
    ck_assert_double_eq_tol(c->max, 0.4, 1e-12);
    ck_assert_double_eq_tol(c->mean, 0.2, 1e-12);
    ck_assert_int_eq(c->status, SK_CHECK_FAIL);
    c = &f.s.checks[SK_CHK_RATIONALE];
    ck_assert_uint_eq(c->n, 6);
    ck_assert_uint_eq(c->hits, 5);
    ck_assert_int_eq(c->status, SK_CHECK_FAIL);
    sk_assert_has(c->why, "1 of 6 scores come without a rationale");
    f.s.th.max_flip_share = 0.5;
    o->explained = 3;
    sk_meta_judge(&f.s);
    ck_assert_int_eq(f.s.checks[SK_CHK_CONSISTENCY].status, SK_CHECK_PASS);
    ck_assert_int_eq(f.s.checks[SK_CHK_RATIONALE].status, SK_CHECK_PASS);
    /* Deterministic scorers: no consistency or rationale check. */
    f.s.repeat = 1;
    f.s.flags = 0;
    sk_meta_judge(&f.s);
    ck_assert_int_eq(f.s.checks[SK_CHK_CONSISTENCY].status, SK_CHECK_NA);
    ck_assert_int_eq(f.s.checks[SK_CHK_RATIONALE].status, SK_CHECK_NA);
    fake_free(&f);
}
END_TEST

START_TEST(nothing_applies_is_a_warning)
{
    fake f;
    fake_init(&f, 0, 1);
    sk_meta_judge(&f.s);
    ck_assert_int_eq(f.s.verdict, SK_CHECK_WARN);
    sk_assert_has(f.s.note, "no calibration case applies");
    for (int k = 0; k < SK_CHK_COUNT; k++)
        ck_assert_int_eq(f.s.checks[k].status, SK_CHECK_NA);
    /* A judge of its own criterion is told what fits it. */
    f.s.flags = SK_SCORER_USES_LLM;
    f.s.criterion = 1;
    sk_meta_judge(&f.s);
    ck_assert_int_eq(f.s.verdict, SK_CHECK_WARN);
    sk_assert_has(f.s.note, "no cases fit this criterion; add some");
    fake_free(&f);
}
END_TEST

/* A pairwise scorer's head-to-heads: the better answer must win in either
 * role and the worse lose outright; the correct-vs-wrong ones count for
 * the wrong check as pairs; and the position check reads how often the
 * two orders disagreed. */
START_TEST(pairwise_arithmetic)
{
    fake f;
    fake_init(&f, SK_SCORER_USES_LLM | SK_SCORER_PAIRWISE, 1);
    f.s.pairwise = 1;
    sk_meta_result *r = add(&f, SK_MC_PAIR, 0, 1.0, 0.0);
    ((sk_metacase *)r->mc)->versus = SK_MC_VS_WRONG;
    r->check = SK_CHK_WRONG;
    r->obs[0].positioned = r->obs[1].positioned = 1;
    r = add(&f, SK_MC_PAIR, SK_BIAS_VERBOSITY, 1.0, 0.0);
    ((sk_metacase *)r->mc)->versus = SK_MC_VS_PAIR;
    r->obs[0].positioned = r->obs[1].positioned = 1;
    sk_meta_judge(&f.s);
    const sk_meta_check *c = &f.s.checks[SK_CHK_WRONG];
    ck_assert(c->pairs);
    ck_assert_uint_eq(c->n, 1);
    ck_assert_uint_eq(c->hits, 1);
    ck_assert_int_eq(c->status, SK_CHECK_PASS);
    ck_assert_int_eq(f.s.checks[SK_CHK_CORRECT].status, SK_CHECK_NA);
    c = &f.s.checks[SK_CHK_POSITION];
    ck_assert_uint_eq(c->n, 4);
    ck_assert_uint_eq(c->hits, 0);
    ck_assert_int_eq(c->status, SK_CHECK_PASS);
    ck_assert_int_eq(f.s.verdict, SK_CHECK_PASS);
    /* A judge that always prefers the first answer: 0.5 either way, and
     * every comparison inconsistent. */
    for (size_t i = 0; i < f.s.nresults; i++)
        for (int side = 0; side < 2; side++) {
            sk_meta_obs *o = &f.s.results[i].obs[side];
            o->mean = o->min = o->max = 0.5;
            o->inconsistent = 1;
        }
    sk_meta_judge(&f.s);
    c = &f.s.checks[SK_CHK_POSITION];
    ck_assert_uint_eq(c->hits, 4);
    ck_assert_double_eq(c->share, 1.0);
    ck_assert_int_eq(c->status, SK_CHECK_FAIL);
    sk_assert_has(c->why, "the verdict follows the position, not the content");
    sk_assert_has(c->why, "in 4 of 4 comparisons (100%");
    ck_assert_int_eq(f.s.checks[SK_CHK_WRONG].status, SK_CHECK_FAIL);
    sk_assert_has(f.s.checks[SK_CHK_WRONG].why, "in 0 of 1 head-to-heads");
    ck_assert_int_eq(f.s.checks[SK_CHK_VERBOSITY].status, SK_CHECK_FAIL);
    /* One of the four allowed. */
    f.s.th.max_position = 0.25;
    f.s.results[0].obs[0].inconsistent = 0;
    f.s.results[0].obs[1].inconsistent = 0;
    f.s.results[1].obs[0].inconsistent = 0;
    sk_meta_judge(&f.s);
    ck_assert_int_eq(f.s.checks[SK_CHK_POSITION].status, SK_CHECK_PASS);
    /* The worse answer winning half its role is still not a loss. */
    f.s.results[0].obs[0].mean = 0.75;
    f.s.results[0].obs[1].mean = 0.25;
    sk_meta_judge(&f.s);
    ck_assert_int_eq(f.s.checks[SK_CHK_WRONG].status, SK_CHECK_FAIL);
    sk_assert_has(f.s.checks[SK_CHK_WRONG].why, "0.25 on average against the correct one");
    fake_free(&f);
}
END_TEST

/* An invalid verdict is counted as the judge's mistake, apart from failed
 * calls; a judge not asked for a rationale skips that check and says so. */
START_TEST(invalid_verdicts_and_skipped_rationale)
{
    fake f;
    fake_init(&f, SK_SCORER_USES_LLM, 1);
    add(&f, SK_MC_HIGH, 0, 1.0, 0);
    add(&f, SK_MC_LOW, 0, 0.0, 0);
    sk_meta_result *r = add(&f, SK_MC_LOW, 0, NAN, 0);
    r->obs[0].errors = 0;
    r->obs[0].invalid = 1;
    f.s.errors = 0;
    f.s.invalid = 1;
    sk_meta_judge(&f.s);
    const sk_meta_check *c = &f.s.checks[SK_CHK_ERRORS];
    ck_assert_uint_eq(c->hits, 0);
    ck_assert_uint_eq(c->invalid, 1);
    ck_assert_int_eq(c->status, SK_CHECK_FAIL);
    sk_assert_has(c->why, "1 of 3 verdicts were invalid: the model replied with a label it was "
                          "not offered");
    ck_assert(sk_meta_result_bad(r));
    f.s.name = f.s.use = f.s.engine = (char *)"j";
    sk_metacase *m = (sk_metacase *)r->mc;
    m->id = m->where = m->category = (char *)"c";
    m->case_json = (char *)"{}";
    m->output_json = (char *)"\"x\"";
    char *json = sk_meta_scorer_json(&f.s, 0);
    sk_assert_has(json, "\"errors\":{\"status\":\"FAIL\",\"n\":3,\"errors\":0,"
                        "\"invalid_verdicts\":1,");
    free(json);
    /* The rationale check: with cot on, scores without one fail it... */
    f.s.results[0].obs[0].explained = 0;
    f.s.results[1].obs[0].explained = 0;
    f.s.invalid = 0;
    r->obs[0].invalid = 0;
    f.s.calls = 2;
    f.s.nresults = 2;
    sk_meta_judge(&f.s);
    ck_assert_int_eq(f.s.checks[SK_CHK_RATIONALE].status, SK_CHECK_FAIL);
    ck_assert_int_eq(f.s.verdict, SK_CHECK_FAIL);
    /* ...with "cot": false it is skipped, and the report says why. */
    f.s.no_rationale = 1;
    sk_meta_judge(&f.s);
    c = &f.s.checks[SK_CHK_RATIONALE];
    ck_assert_int_eq(c->status, SK_CHECK_NA);
    sk_assert_has(c->skipped, "not asked for a rationale (\"cot\": false)");
    ck_assert_int_eq(f.s.verdict, SK_CHECK_PASS);
    json = sk_meta_scorer_json(&f.s, 0);
    sk_assert_has(json, "\"rationale\":{\"status\":\"n/a\",\"skipped\":\"skipped: the judge is "
                        "not asked for a rationale");
    free(json);
    fake_free(&f);
}
END_TEST

START_TEST(thresholds_parse_and_merge)
{
    sk_meta_thresholds t, over, cli;
    sk_meta_thresholds_default(&t);
    ck_assert_double_eq(t.high, 0.8);
    ck_assert_double_eq(t.low, 0.2);
    ck_assert_double_eq(t.bias_share, 1.0);
    sk_meta_thresholds_unset(&over);
    sk_metacase_set cases = {0};
    char *err = NULL;
    ck_assert_int_eq(sk_meta_thresholds_parse(&over,
                                              "{\"high\":0.9,\"bias_share\":0.75,\"repeat\":5,"
                                              "\"builtin\":false,\"cases\":[{\"case\":{\"output\":"
                                              "1},\"expect\":\"high\"}],\"criterion_kind\":"
                                              "\"correctness\",\"accepts\":[\"text\",\"list\"],"
                                              "\"max_position_inconsistency\":0.1}",
                                              "p.json", &cases, SK_MC_OWN, &err),
                     SK_OK);
    ck_assert_uint_eq(cases.n, 1);
    ck_assert_str_eq(cases.items[0].where, "p.json: validate.cases[1]");
    sk_meta_thresholds_merge(&t, &over);
    ck_assert_double_eq(t.high, 0.9);
    ck_assert_double_eq(t.low, 0.2); /* unset: kept */
    ck_assert_double_eq(t.bias_share, 0.75);
    ck_assert_int_eq(t.repeat, 5);
    ck_assert_int_eq(t.builtin, 0);
    ck_assert_int_eq(t.correctness, 1);
    ck_assert_uint_eq(t.accepts, SK_ACCEPT_TEXT | SK_ACCEPT_LIST);
    ck_assert_double_eq(t.max_position, 0.1);
    sk_meta_thresholds_unset(&cli);
    cli.low = 0.05;
    sk_meta_thresholds_merge(&t, &cli);
    ck_assert_double_eq(t.low, 0.05);
    ck_assert_double_eq(t.high, 0.9);
    static const char *const bad[][2] = {
        {"{\"high\":2}", "validate.high must be a number in [0,1]"},
        {"{\"hihg\":0.5}", "unknown key validate.hihg"},
        {"{\"repeat\":0}", "validate.repeat must be an integer"},
        {"{\"builtin\":1}", "validate.builtin must be true or false"},
        {"{\"criterion_kind\":\"politeness\"}", "validate.criterion_kind must be"},
        {"{\"accepts\":[]}", "validate.accepts must be a non-empty list"},
        {"{\"accepts\":[\"text\",\"prose\"]}", "\"text\", \"number\", \"json\", \"list\""},
        {"{\"max_position_inconsistency\":1.5}", "max_position_inconsistency must be"},
        {"{\"low\":0.9,\"high\":0.5}", "is above validate.high"},
        {"[]", "\"validate\" must be an object"},
        {"{\"cases\":[{\"expect\":\"high\"}]}", "p.json: validate.cases[1]: a meta-case needs"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        sk_meta_thresholds_unset(&over);
        ck_assert_int_ne(
            sk_meta_thresholds_parse(&over, bad[i][0], "p.json", &cases, SK_MC_OWN, &err), SK_OK);
        sk_assert_has(err, bad[i][1]);
        free(err);
        err = NULL;
    }
    ck_assert_uint_eq(cases.n, 1);
    sk_metacase_set_free(&cases);
}
END_TEST

START_TEST(selection_by_accepts)
{
    sk_metacase m = {0};
    m.kind = SK_ACCEPT_NUMBER;
    m.origin = SK_MC_BUILTIN;
    unsigned ref = SK_SCORER_NEEDS_EXPECTED;
    /* Built-in cases: scorers that compare with a reference or another
     * answer, by kind; a judge of its own criterion only when told. */
    ck_assert(sk_meta_selects(&m, "n", "numeric_diff", ref, SK_ACCEPT_NUMBER, -1));
    ck_assert(!sk_meta_selects(&m, "l", "levenshtein", ref, SK_ACCEPT_TEXT, -1));
    ck_assert(!sk_meta_selects(&m, "j", "closed_qa", SK_SCORER_USES_LLM, 0, -1));
    ck_assert(sk_meta_selects(&m, "j", "closed_qa", SK_SCORER_USES_LLM, 0, 1));
    ck_assert(sk_meta_selects(&m, "f", "factuality", SK_SCORER_USES_LLM | ref, 0, -1));
    ck_assert(sk_meta_selects(&m, "p", "pairwise", SK_SCORER_USES_LLM | SK_SCORER_PAIRWISE, 0, -1));
    ck_assert(!sk_meta_selects(&m, "v", "valid_json", 0, SK_ACCEPT_NUMBER, -1));
    ck_assert(sk_meta_selects(&m, "c", "contains", 0, SK_ACCEPT_NUMBER, 1)); /* forced */
    ck_assert(!sk_meta_selects(&m, "n", "numeric_diff", ref, SK_ACCEPT_NUMBER, 0));
    ck_assert(sk_meta_selects(&m, "any", "any", ref, 0, -1)); /* accepts anything */
    /* Extra cases: any scorer, by kind. */
    m.origin = SK_MC_EXTRA;
    ck_assert(sk_meta_selects(&m, "v", "valid_json", 0, SK_ACCEPT_NUMBER, -1));
    ck_assert(!sk_meta_selects(&m, "v", "valid_json", 0, SK_ACCEPT_JSON, -1));
    /* A scorer's own cases: always. */
    m.origin = SK_MC_OWN;
    ck_assert(sk_meta_selects(&m, "v", "valid_json", 0, SK_ACCEPT_JSON, -1));
    /* "scorers" decides alone. */
    char *names[] = {"similarity", NULL};
    m.scorers = names;
    m.origin = SK_MC_BUILTIN;
    ck_assert(sk_meta_selects(&m, "similarity", "levenshtein", 0, SK_ACCEPT_TEXT, 0));
    ck_assert(!sk_meta_selects(&m, "other", "numeric_diff", ref, SK_ACCEPT_NUMBER, 1));
}
END_TEST

static sk_metacase_set builtin;

static void setup(void)
{
    sk_fixture_setup();
    char *err = NULL;
    memset(&builtin, 0, sizeof builtin);
    ck_assert_msg(sk_metacase_load_dir(&builtin, sk_calibration_dir(), SK_MC_BUILTIN, &err) ==
                      SK_OK,
                  "%s", err);
}

static void teardown(void)
{
    sk_metacase_set_free(&builtin);
    sk_fixture_teardown();
}

static sk_meta_report *validate_pack(const char *pack_text, const char *const *only, size_t n)
{
    char *path = sk_tmp_write(pack_text, strlen(pack_text));
    sk_pack *pack = NULL;
    char *err = NULL;
    ck_assert_msg(sk_pack_load(&pack, path, sk_fixture_reg, &err) == SK_OK, "%s", err);
    sk_meta_opts o = {0};
    o.builtin = &builtin;
    o.reg = sk_fixture_reg;
    o.only = only;
    o.nonly = n;
    sk_meta_report *rep = NULL;
    ck_assert_msg(sk_meta_validate(pack, &o, &rep, &err) == SK_OK, "%s", err);
    sk_pack_free(pack);
    sk_tmp_remove(path);
    return rep;
}

static const sk_meta_scorer *find(const sk_meta_report *rep, const char *name)
{
    for (size_t i = 0; i < rep->n; i++)
        if (strcmp(rep->scorers[i].name, name) == 0)
            return &rep->scorers[i];
    ck_abort_msg("no scorer %s in the report", name);
    return NULL;
}

/* The heuristic scorers pass what applies to them; a format check gets no
 * correctness cases and says n/a. */
START_TEST(heuristics_pass)
{
    sk_meta_report *rep = validate_pack(
        "{\"name\":\"h\",\"scorers\":[{\"use\":\"exact_match\"},{\"use\":\"levenshtein\"},"
        "{\"use\":\"numeric_diff\"},{\"use\":\"json_diff\"},{\"use\":\"list_contains\"},"
        "{\"use\":\"valid_json\"}]}",
        NULL, 0);
    ck_assert_uint_eq(rep->n, 6);
    static const char *const pass[] = {"exact_match", "levenshtein", "numeric_diff", "json_diff",
                                       "list_contains"};
    for (size_t i = 0; i < 5; i++) {
        const sk_meta_scorer *s = find(rep, pass[i]);
        ck_assert_msg(s->verdict == SK_CHECK_PASS, "%s: %s", s->name,
                      sk_check_status_name(s->verdict));
        ck_assert_uint_gt(s->nresults, 0);
        ck_assert_uint_eq(s->errors, 0);
        ck_assert_int_eq(s->repeat, 1);
        ck_assert_int_eq(s->checks[SK_CHK_CONSISTENCY].status, SK_CHECK_NA);
        ck_assert_uint_eq(strlen(s->fingerprint), 16);
    }
    /* numeric_diff only gets numbers, levenshtein only text. */
    const sk_meta_scorer *nd = find(rep, "numeric_diff");
    for (size_t i = 0; i < nd->nresults; i++)
        ck_assert_uint_eq(nd->results[i].mc->kind, SK_ACCEPT_NUMBER);
    const sk_meta_scorer *lev = find(rep, "levenshtein");
    for (size_t i = 0; i < lev->nresults; i++)
        ck_assert_uint_eq(lev->results[i].mc->kind, SK_ACCEPT_TEXT);
    ck_assert_uint_eq(find(rep, "exact_match")->nresults, builtin.n);
    const sk_meta_scorer *vj = find(rep, "valid_json");
    ck_assert_uint_eq(vj->nresults, 0);
    ck_assert_int_eq(vj->verdict, SK_CHECK_WARN);
    ck_assert_int_eq(vj->checks[SK_CHK_CORRECT].status, SK_CHECK_NA);
    ck_assert_int_eq(rep->verdict, SK_CHECK_WARN);
    sk_meta_report_free(rep);
}
END_TEST

static char *fixture(const char *name)
{
    const char *src = getenv("SK_SRCDIR");
    ck_assert_msg(src && *src, "SK_SRCDIR is not set: run with `make check`");
    return sk_asprintf("%s/tests/fixtures/validate/%s", src, name);
}

/* Each broken scorer fails, and for its own reason. */
START_TEST(broken_scorers_fail_for_the_right_reason)
{
    char *p[6];
    static const char *const files[6] = {"length.lua", "confident.lua", "constant.lua",
                                         "random.lua", "inverted.lua",  "flaky.lua"};
    for (int i = 0; i < 6; i++)
        p[i] = fixture(files[i]);
    char *text = sk_asprintf(
        "{\"name\":\"b\",\"scorers\":[{\"use\":\"lua:%s\"},{\"use\":\"lua:%s\"},{\"use\":"
        "\"lua:%s\"},{\"use\":\"lua:%s\"},{\"use\":\"lua:%s\"},{\"use\":\"lua:%s\"}]}",
        p[0], p[1], p[2], p[3], p[4], p[5]);
    sk_meta_report *rep = validate_pack(text, NULL, 0);
    free(text);
    for (int i = 0; i < 6; i++)
        free(p[i]);
    ck_assert_int_eq(rep->verdict, SK_CHECK_FAIL);
    const sk_meta_scorer *s = find(rep, "length_lover");
    ck_assert_int_eq(s->verdict, SK_CHECK_FAIL);
    ck_assert_int_eq(s->checks[SK_CHK_VERBOSITY].status, SK_CHECK_FAIL);
    ck_assert_int_eq(s->checks[SK_CHK_CORRECT].status, SK_CHECK_PASS);
    ck_assert_int_eq(s->checks[SK_CHK_WRONG].status, SK_CHECK_PASS);
    ck_assert_int_eq(s->checks[SK_CHK_CONFIDENCE].status, SK_CHECK_PASS);

    s = find(rep, "confidence_lover");
    ck_assert_int_eq(s->checks[SK_CHK_CONFIDENCE].status, SK_CHECK_FAIL);
    ck_assert_int_eq(s->checks[SK_CHK_VERBOSITY].status, SK_CHECK_PASS);
    ck_assert_int_eq(s->checks[SK_CHK_WRONG].status, SK_CHECK_PASS);
    ck_assert_double_eq_tol(s->checks[SK_CHK_CONFIDENCE].mean, 0.9, 1e-9);

    s = find(rep, "constant");
    ck_assert_int_eq(s->checks[SK_CHK_CORRECT].status, SK_CHECK_FAIL);
    ck_assert_int_eq(s->checks[SK_CHK_WRONG].status, SK_CHECK_FAIL);
    ck_assert_double_eq_tol(s->checks[SK_CHK_CORRECT].mean, 0.7, 1e-9);
    ck_assert_uint_eq(s->checks[SK_CHK_VERBOSITY].hits, 0); /* ties never win */

    s = find(rep, "coin");
    ck_assert_int_eq(s->repeat, 3); /* nondeterministic: repeated */
    ck_assert_int_eq(s->checks[SK_CHK_CONSISTENCY].status, SK_CHECK_FAIL);
    ck_assert_uint_gt(s->checks[SK_CHK_CONSISTENCY].hits, 0);
    ck_assert_double_eq_tol(s->checks[SK_CHK_CONSISTENCY].share, 1.0, 0.5);

    s = find(rep, "inverted");
    ck_assert_double_eq(s->checks[SK_CHK_CORRECT].mean, 0);
    ck_assert_double_eq(s->checks[SK_CHK_WRONG].mean, 1);
    ck_assert_int_eq(s->checks[SK_CHK_FORMALITY].status, SK_CHECK_FAIL);

    s = find(rep, "flaky");
    ck_assert_int_eq(s->checks[SK_CHK_ERRORS].status, SK_CHECK_FAIL);
    ck_assert_uint_gt(s->errors, s->calls / 4);
    ck_assert_uint_lt(s->errors, s->calls * 3 / 4);
    /* Errors are not zeros: what did score is still right. */
    ck_assert_int_eq(s->checks[SK_CHK_CORRECT].status, SK_CHECK_PASS);
    ck_assert_double_eq(s->checks[SK_CHK_CORRECT].mean, 1);
    ck_assert_uint_lt(s->checks[SK_CHK_CORRECT].n, builtin.n / 5 / 2 + 20);
    sk_meta_report_free(rep);
}
END_TEST

/* Pack overrides: per pack and per scorer, own cases, builtin switch;
 * --scorer picks; the JSON report carries it all. */
START_TEST(pack_overrides_and_json)
{
    static const char *const only[] = {"strict", "numbers"};
    sk_meta_report *rep = validate_pack(
        "{\"name\":\"o\",\"validate\":{\"low\":0.05},\"scorers\":["
        "{\"use\":\"levenshtein\",\"as\":\"strict\",\"validate\":{\"low\":0.01,\"repeat\":2}},"
        "{\"use\":\"exact_match\",\"as\":\"skipped_one\"},"
        "{\"use\":\"numeric_diff\",\"as\":\"numbers\",\"validate\":{\"builtin\":false,\"cases\":["
        "{\"id\":\"close\",\"case\":{\"expected\":100,\"output\":90},\"expect\":0.5,"
        "\"tolerance\":0.01}]}}]}",
        only, 2);
    ck_assert_uint_eq(rep->n, 2);
    const sk_meta_scorer *s = find(rep, "strict");
    ck_assert_double_eq(s->th.low, 0.01);
    ck_assert_double_eq(s->th.high, 0.8);
    ck_assert_int_eq(s->repeat, 2);
    ck_assert_int_eq(s->checks[SK_CHK_WRONG].status, SK_CHECK_FAIL); /* 0.19 > 0.01 */
    ck_assert_int_eq(s->checks[SK_CHK_CONSISTENCY].status, SK_CHECK_PASS);
    const sk_meta_scorer *n = find(rep, "numbers");
    ck_assert_double_eq(n->th.low, 0.05);
    ck_assert_uint_eq(n->nresults, 1); /* builtin off: its own case only */
    ck_assert_int_eq(n->checks[SK_CHK_NUMERIC].status, SK_CHECK_FAIL);
    ck_assert_double_eq_tol(n->checks[SK_CHK_NUMERIC].mean, 0.947368 - 0.5, 1e-5);

    char *json = sk_meta_report_json(rep, 0);
    cJSON *root = cJSON_Parse(json);
    ck_assert_ptr_nonnull(root);
    ck_assert_str_eq(cJSON_GetObjectItem(root, "verdict")->valuestring, "FAIL");
    ck_assert_str_eq(cJSON_GetObjectItem(root, "pack")->valuestring, "o");
    const cJSON *arr = cJSON_GetObjectItem(root, "scorers");
    ck_assert_int_eq(cJSON_GetArraySize(arr), 2);
    const cJSON *num = cJSON_GetArrayItem(arr, 1);
    ck_assert_str_eq(cJSON_GetObjectItem(num, "name")->valuestring, "numbers");
    ck_assert_str_eq(cJSON_GetObjectItem(num, "verdict")->valuestring, "FAIL");
    const cJSON *chk = cJSON_GetObjectItem(cJSON_GetObjectItem(num, "checks"), "numeric");
    ck_assert_str_eq(cJSON_GetObjectItem(chk, "status")->valuestring, "FAIL");
    ck_assert_double_eq_tol(cJSON_GetObjectItem(chk, "mae")->valuedouble, 0.447368, 1e-6);
    const cJSON *na = cJSON_GetObjectItem(cJSON_GetObjectItem(num, "checks"), "verbosity");
    ck_assert_str_eq(cJSON_GetObjectItem(na, "status")->valuestring, "n/a");
    const cJSON *failing = cJSON_GetObjectItem(num, "failing");
    ck_assert_int_eq(cJSON_GetArraySize(failing), 1);
    const cJSON *fc = cJSON_GetArrayItem(failing, 0);
    ck_assert_str_eq(cJSON_GetObjectItem(fc, "id")->valuestring, "close");
    ck_assert_double_eq(
        cJSON_GetObjectItem(cJSON_GetObjectItem(fc, "result"), "output")->valuedouble, 90);
    ck_assert_double_eq_tol(
        cJSON_GetObjectItem(cJSON_GetObjectItem(fc, "result"), "score")->valuedouble, 0.947368,
        1e-6);
    const cJSON *reasons = cJSON_GetObjectItem(num, "reasons");
    sk_assert_has(cJSON_GetArrayItem(reasons, 0)->valuestring, "numeric: mean absolute error");
    ck_assert_double_eq_tol(
        cJSON_GetObjectItem(cJSON_GetObjectItem(num, "thresholds"), "low")->valuedouble, 0.05,
        1e-12);
    cJSON_Delete(root);
    free(json);
    /* --explain: every case, not only the failing. */
    json = sk_meta_report_json(rep, 1);
    root = cJSON_Parse(json);
    const cJSON *st = cJSON_GetArrayItem(cJSON_GetObjectItem(root, "scorers"), 0);
    ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(st, "cases")),
                     (int)find(rep, "strict")->nresults);
    cJSON_Delete(root);
    free(json);
    sk_meta_report_free(rep);
}
END_TEST

START_TEST(unknown_scorer_refused)
{
    const char *pt = "{\"name\":\"p\",\"scorers\":[{\"use\":\"exact_match\"}]}";
    char *path = sk_tmp_write(pt, strlen(pt));
    sk_pack *pack = NULL;
    char *err = NULL;
    ck_assert_int_eq(sk_pack_load(&pack, path, sk_fixture_reg, &err), SK_OK);
    static const char *const only[] = {"levenshtein"};
    sk_meta_opts o = {0};
    o.only = only;
    o.nonly = 1;
    sk_meta_report *rep = NULL;
    ck_assert_int_eq(sk_meta_validate(pack, &o, &rep, &err), SK_ENOTFOUND);
    ck_assert_ptr_null(rep);
    sk_assert_has(err, "--scorer levenshtein: the pack p has no such scorer (it has: exact_match)");
    free(err);
    sk_pack_free(pack);
    sk_tmp_remove(path);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("metaeval");
    TCase *t = tcase_create("arithmetic");
    tcase_add_test(t, correct_and_wrong_arithmetic);
    tcase_add_test(t, bias_arithmetic);
    tcase_add_test(t, numeric_consistency_rationale);
    tcase_add_test(t, nothing_applies_is_a_warning);
    tcase_add_test(t, pairwise_arithmetic);
    tcase_add_test(t, invalid_verdicts_and_skipped_rationale);
    tcase_add_test(t, thresholds_parse_and_merge);
    tcase_add_test(t, selection_by_accepts);
    suite_add_tcase(s, t);
    t = tcase_create("runs");
    tcase_add_checked_fixture(t, setup, teardown);
    tcase_set_timeout(t, 120);
    tcase_add_test(t, heuristics_pass);
    tcase_add_test(t, broken_scorers_fail_for_the_right_reason);
    tcase_add_test(t, pack_overrides_and_json);
    tcase_add_test(t, unknown_scorer_refused);
    suite_add_tcase(s, t);
    return s;
}

int main(void)
{
    return sk_run_suite(suite());
}
