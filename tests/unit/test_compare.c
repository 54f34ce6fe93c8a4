/*
 * Tests for comparing experiments (compare.c, compare_rows.c) and for the
 * baseline (baseline.c).  Each test writes small experiments into a real
 * store with sk_experiment_write_cells, compares them, and checks the
 * figures against values worked out by hand in the comments: pairing with
 * rows missing on either side, trials averaged per row, the per-row noise
 * band and epsilon, a real regression against noise, different rows
 * failing at the same rate (which must not gate), flips, segments, the
 * gate, and the baseline's history and staleness.
 */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/baseline.h"
#include "analysis/compare.h"
#include "store/dataset.h"
#include "base/error.h"
#include "store/experiment.h"
#include "run/run.h"
#include "run_suite.h"
#include "store_fixture.h"
#include "base/util.h"

#define EPS 1e-12

static sk_store *st;

static void setup(void)
{
    sk_store_fx_setup();
    st = sk_store_fx_open();
}

static void teardown(void)
{
    sk_store_close(st);
    st = NULL;
    sk_store_fx_teardown();
}

/* A has a pass threshold of 0.5; B has none. */
static sk_pack_entry entries[] = {
    {.name = "A", .has_threshold = 1, .threshold = 0.5, .weight = 1},
    {.name = "B", .weight = 1},
};
static const sk_pack pack = {.name = "p", .n = 2, .entries = entries};

/* Import rows as a new version of dataset "d"; returns its id. */
static int64_t import(const char *jsonl)
{
    char *path = sk_store_fx_write("rows.jsonl", jsonl);
    sk_dataset_version dv;
    char *err = NULL;
    ck_assert_msg(sk_dataset_import(st, "d", path, SK_DATASET_JSONL, &dv, &err) == SK_OK, "%s",
                  err);
    int64_t id = dv.id;
    sk_dataset_version_clear(&dv);
    free(path);
    return id;
}

static void experiment(const char *id, int64_t version, int trials, const char *config)
{
    sk_experiment e = {0};
    e.id = (char *)id;
    e.name = "t";
    e.created_at = "2024-01-01T00:00:00Z";
    e.scorekit_version = "test";
    e.dataset_version_id = version;
    e.dataset_ref = "d@1";
    e.trials = trials;
    e.pack_hash = "0";
    e.config_json = (char *)(config ? config : "{\"dataset\":\"d@1\"}");
    char *err = NULL;
    ck_assert_msg(sk_run_create_experiment(st, &e, &pack, &err) == SK_OK, "%s", err);
}

/* One cell: A's and B's verdicts (a number in [0,1] is a score, -1 an
 * error, -2 skipped); a NULL output makes it a task error. */
typedef struct spec {
    const char *row;
    unsigned trial;
    double a, b;
    const char *output;
} spec;

static void cells(const char *exp_id, const spec *sp, size_t n)
{
    sk_cell **cs = sk_xcalloc(n, sizeof *cs);
    for (size_t i = 0; i < n; i++) {
        sk_cell *c = cs[i] = sk_xcalloc(1, sizeof *c);
        c->row_id = sk_xstrdup(sp[i].row);
        c->trial = sp[i].trial;
        c->pos = (int64_t)i;
        c->overall = NAN;
        if (sp[i].output && strcmp(sp[i].output, "TASK ERROR") == 0) {
            c->task_error = sk_xstrdup("exit status 1");
            continue;
        }
        c->output_json = sk_asprintf("\"%s\"", sp[i].output ? sp[i].output : "out");
        c->nscores = 2;
        c->scores = sk_xcalloc(2, sizeof *c->scores);
        double v[2] = {sp[i].a, sp[i].b};
        for (int k = 0; k < 2; k++) {
            struct sk_cell_score *s = &c->scores[k];
            s->scorer = entries[k].name;
            if (v[k] >= 0) {
                s->kind = SK_VERDICT_SCORE;
                s->score = v[k];
                s->rationale = sk_asprintf("%s says %g", entries[k].name, v[k]);
            } else {
                s->kind = v[k] == -1 ? SK_VERDICT_ERROR : SK_VERDICT_SKIP;
                s->message = sk_xstrdup(v[k] == -1 ? "boom" : "not applicable");
            }
        }
    }
    char *err = NULL;
    ck_assert_msg(sk_experiment_write_cells(st, exp_id, cs, n, &err) == SK_OK, "%s", err);
    for (size_t i = 0; i < n; i++)
        sk_cell_free(cs[i]);
    free(cs);
}

static sk_comparison *compare(const char *base, const char *new_, const sk_compare_opts *o)
{
    sk_comparison *c = NULL;
    char *err = NULL;
    ck_assert_msg(sk_compare(st, base, new_, o, &c, &err) == SK_OK, "%s", err);
    return c;
}

static const sk_cmp_row *row(const sk_comparison *c, const char *id)
{
    for (size_t i = 0; i < c->nrows; i++)
        if (strcmp(c->rows[i].id, id) == 0)
            return &c->rows[i];
    ck_abort_msg("no row %s", id);
    return NULL;
}

/* n rows "r00".. with metadata topic t0 for the first half, t1 after. */
static char *rows_jsonl(int n)
{
    sk_buf b = {0};
    for (int i = 0; i < n; i++)
        sk_buf_printf(&b,
                      "{\"id\": \"r%02d\", \"input\": \"q%d\", \"expected\": \"e%d\", "
                      "\"metadata\": {\"topic\": \"t%d\"}}\n",
                      i, i, i, i >= n / 2);
    return b.data;
}

static spec *specs(int n, double a)
{
    spec *s = sk_xcalloc((size_t)n, sizeof *s);
    static char ids[64][16];
    for (int i = 0; i < n; i++) {
        snprintf(ids[i], sizeof ids[i], "r%02d", i);
        s[i] = (spec){ids[i], 0, a, a, NULL};
    }
    return s;
}

/* ---- pairing ------------------------------------------------------------ */

START_TEST(pairs_rows_by_id)
{
    int64_t v1 = import("{\"id\":\"r1\",\"input\":1}\n{\"id\":\"r2\",\"input\":2}\n"
                        "{\"id\":\"r3\",\"input\":3}\n");
    int64_t v2 = import("{\"id\":\"r2\",\"input\":2}\n{\"id\":\"r3\",\"input\":3}\n"
                        "{\"id\":\"r4\",\"input\":4}\n");
    experiment("base", v1, 1, NULL);
    experiment("new", v2, 1, NULL);
    const spec b[] = {{"r1", 0, 1, 1, NULL}, {"r2", 0, 0.5, 1, NULL}, {"r3", 0, 1, 1, NULL}};
    const spec n[] = {{"r2", 0, 1, 1, NULL}, {"r3", 0, 1, 1, NULL}, {"r4", 0, 0, 0, NULL}};
    cells("base", b, 3);
    cells("new", n, 3);
    sk_comparison *c = compare("base", "new", NULL);
    ck_assert_uint_eq(c->nrows, 4);
    ck_assert_uint_eq(c->both, 2);
    ck_assert_uint_eq(c->only_base, 1);
    ck_assert_uint_eq(c->only_new, 1);
    /* Dataset order: the new side's rows, then those only the base has. */
    ck_assert_str_eq(c->rows[0].id, "r2");
    ck_assert_str_eq(c->rows[1].id, "r3");
    ck_assert_str_eq(c->rows[2].id, "r4");
    ck_assert_str_eq(c->rows[3].id, "r1");
    ck_assert(!row(c, "r1")->in_new && row(c, "r1")->in_base);
    ck_assert(isnan(row(c, "r4")->delta[0]));
    /* A over the two pairs: base (0.5 + 1) / 2 = 0.75, new 1: +0.25.  r1
     * and r4 take no part in the means. */
    const sk_cmp_figures *f = &c->scorers[0].fig;
    ck_assert_uint_eq(f->pairs, 2);
    ck_assert_double_eq_tol(f->base_mean, 0.75, EPS);
    ck_assert_double_eq_tol(f->new_mean, 1.0, EPS);
    ck_assert_double_eq_tol(f->diff, 0.25, EPS);
    ck_assert_uint_eq(f->improved, 1);
    ck_assert_uint_eq(f->unchanged, 1);
    /* r2 crossed A's threshold 0.5?  0.5 passes (>=), so no flip. */
    ck_assert_uint_eq(f->fail_to_pass, 0);
    ck_assert_uint_eq(c->changes.n, 0);
    sk_comparison_free(c);

    char *err = NULL;
    ck_assert_int_eq(sk_compare(st, "base", "nope", NULL, &c, &err), SK_ENOTFOUND);
    ck_assert_ptr_nonnull(strstr(err, "no experiment \"nope\""));
    free(err);
}
END_TEST

START_TEST(trials_are_averaged_and_noise_band)
{
    int64_t v = import("{\"id\":\"a\",\"input\":1}\n{\"id\":\"b\",\"input\":2}\n"
                       "{\"id\":\"c\",\"input\":3}\n");
    experiment("base", v, 2, NULL);
    experiment("new", v, 2, NULL);
    /* Row a: A 0.2, 0.4 (mean 0.3, SD sqrt(0.02)) -> 0.6, 0.8 (mean 0.7):
     *   delta 0.4; SE sqrt(0.02/2 + 0.02/2) = 0.1414; band 1.96 * 0.1414 =
     *   0.2772 < 0.4: improved.
     * Row b: A 1, 1 -> 0, 1 (mean 0.5, SD sqrt(0.5)): delta -0.5; SE
     *   sqrt(0.5/2) = 0.5, band 0.98 > 0.5: within its own trial noise,
     *   unchanged, even though it moved more than epsilon.
     * Row c: A 0.5, 0.5 -> 0.53, 0.53: delta 0.03, no trial noise: the
     *   band is epsilon, so improved at 0.01 and unchanged at 0.05. */
    const spec b[] = {{"a", 0, 0.2, 0, NULL}, {"a", 1, 0.4, 0, NULL}, {"b", 0, 1, 0, NULL},
                      {"b", 1, 1, 0, NULL},   {"c", 0, 0.5, 0, NULL}, {"c", 1, 0.5, 0, NULL}};
    const spec n[] = {{"a", 0, 0.6, 0, NULL}, {"a", 1, 0.8, 0, NULL},  {"b", 0, 0, 0, NULL},
                      {"b", 1, 1, 0, NULL},   {"c", 0, 0.53, 0, NULL}, {"c", 1, 0.53, 0, NULL}};
    cells("base", b, 6);
    cells("new", n, 6);
    sk_comparison *c = compare("base", "new", NULL);
    ck_assert_double_eq_tol(row(c, "a")->base[0].mean, 0.3, EPS);
    ck_assert_double_eq_tol(row(c, "a")->base[0].sd, sqrt(0.02), EPS);
    ck_assert_double_eq_tol(row(c, "a")->delta[0], 0.4, EPS);
    ck_assert_int_eq(row(c, "a")->change[0], SK_ROW_UP);
    ck_assert_double_eq_tol(row(c, "b")->new_[0].mean, 0.5, EPS);
    ck_assert_int_eq(row(c, "b")->change[0], SK_ROW_SAME);
    ck_assert_int_eq(row(c, "c")->change[0], SK_ROW_UP);
    /* B is 0 everywhere: every row unchanged, verdict unchanged. */
    ck_assert_int_eq(c->scorers[1].fig.verdict, SK_CMP_UNCHANGED);
    ck_assert_uint_eq(c->scorers[1].fig.unchanged, 3);
    /* b: base passes A (mean 1), new mean 0.5 still passes: no flip.  But
     * neither is a hard regression: b's new trial 1 passed. */
    ck_assert_uint_eq(c->scorers[0].fig.pass_to_fail, 0);
    ck_assert_int_eq(row(c, "b")->hard[0], 0);
    /* The trial noise: pooled within-row variances (0.02 and 0 and 0 on the
     * base, 0.02 and 0.5 and 0 on the new side) make trials_needed finite
     * or infinite, never unknown. */
    ck_assert(!isnan(c->scorers[0].fig.trials_needed));
    sk_comparison_free(c);

    sk_compare_opts o = {.epsilon = 0.05};
    c = compare("base", "new", &o);
    ck_assert_int_eq(row(c, "c")->change[0], SK_ROW_SAME);
    ck_assert_int_eq(row(c, "a")->change[0], SK_ROW_UP);
    sk_comparison_free(c);
}
END_TEST

/* ---- verdicts ----------------------------------------------------------- */

START_TEST(real_regression_and_noise)
{
    char *rows = rows_jsonl(30);
    int64_t v = import(rows);
    free(rows);
    experiment("base", v, 1, NULL);
    experiment("real", v, 1, NULL);
    experiment("noise", v, 1, NULL);
    spec *s = specs(30, 1.0);
    cells("base", s, 30);
    /* real: 10 rows fall from 1 to 0.5.  Differences: ten -0.5, twenty 0:
     * mean -1/6 = -0.166667, SD sqrt((10 (1/3)^2 + 20 (1/6)^2) / 29) =
     * 0.2397317; t(.975, 29) = 2.0452296421327, half width 0.0895173:
     * t-interval [-0.2561839, -0.0771494].  Both intervals lie below 0. */
    for (int i = 0; i < 10; i++)
        s[i].a = s[i].b = 0.5;
    cells("real", s, 30);
    /* noise: one row falls by 0.5: mean -1/60 = -0.016667, and the
     * bootstrap resamples without that row often enough (P = (29/30)^30 =
     * 0.36) that its interval reaches 0. */
    for (int i = 1; i < 10; i++)
        s[i].a = s[i].b = 1.0;
    cells("noise", s, 30);
    free(s);

    sk_comparison *c = compare("base", "real", NULL);
    const sk_cmp_figures *f = &c->scorers[0].fig;
    ck_assert_uint_eq(f->pairs, 30);
    ck_assert_double_eq_tol(f->diff, -1.0 / 6, EPS);
    ck_assert_double_eq_tol(f->sd_diff, 0.23973165074269195, 1e-12);
    ck_assert_double_eq_tol(f->t_lo, -0.2561839362291374, 1e-9);
    ck_assert_double_eq_tol(f->t_hi, -0.0771493971041959, 1e-9);
    ck_assert(f->boot_hi < 0 && f->boot_lo < f->boot_hi);
    ck_assert_int_eq(f->verdict, SK_CMP_REGRESSED);
    ck_assert_uint_eq(f->regressed, 10);
    ck_assert_uint_eq(f->unchanged, 20);
    /* 0.5 still meets A's threshold 0.5: no flips, no hard regressions. */
    ck_assert_uint_eq(f->pass_to_fail, 0);
    ck_assert_uint_eq(f->hard_regressions, 0);
    ck_assert_int_eq(f->small, 0);
    ck_assert_str_eq(sk_cmp_verdict_name(f->verdict), "regressed");
    /* The gate fires on it; not with a minimum effect above 1/6. */
    char **why;
    size_t nwhy;
    char *err = NULL;
    sk_cmp_gate any = {NULL, 0};
    ck_assert_int_eq(sk_compare_gate(c, &any, 1, 0, &why, &nwhy, &err), SK_OK);
    ck_assert_uint_eq(nwhy, 2); /* A and B */
    ck_assert_ptr_nonnull(strstr(why[0], "A regressed: mean 1.0000 -> 0.8333 (-0.1667"));
    for (size_t i = 0; i < nwhy; i++)
        free(why[i]);
    free(why);
    sk_cmp_gate big = {"A", 0.2};
    ck_assert_int_eq(sk_compare_gate(c, &big, 1, 0, &why, &nwhy, &err), SK_OK);
    ck_assert_uint_eq(nwhy, 0);
    free(why);
    sk_cmp_gate typo = {"C", 0};
    ck_assert_int_eq(sk_compare_gate(c, &typo, 1, 0, &why, &nwhy, &err), SK_ENOTFOUND);
    ck_assert_ptr_nonnull(strstr(err, "scorer \"C\""));
    ck_assert_ptr_nonnull(strstr(err, "they share: A, B"));
    free(err);
    /* Regressed rows, worst first (all -0.5: dataset order). */
    size_t n;
    size_t *idx = sk_compare_regressed_rows(c, &n);
    ck_assert_uint_eq(n, 10);
    ck_assert_str_eq(c->rows[idx[0]].id, "r00");
    free(idx);
    sk_comparison_free(c);

    c = compare("base", "noise", NULL);
    f = &c->scorers[0].fig;
    ck_assert_double_eq_tol(f->diff, -1.0 / 60, EPS);
    ck_assert_double_eq_tol(f->boot_hi, 0, EPS);
    ck_assert_int_eq(f->verdict, SK_CMP_NOISE);
    ck_assert_int_eq(f->small, 1);
    ck_assert_uint_eq(f->regressed, 1);
    /* Resolving it: the differences' SD is sqrt(((-0.5 + 1/60)^2 + 29
     * (1/60)^2) / 29) = sqrt(1/120) = 0.0912871, so ((1.959964 + 0.841621)
     * * 0.0912871 / (1/60))^2 = 15.34484^2 = 235.46: 236 rows. */
    ck_assert_double_eq_tol(f->sd_diff, sqrt(1.0 / 120), 1e-12);
    ck_assert_double_eq(f->rows_needed, 236);
    /* One trial a side: no trial noise known, so no trials estimate. */
    ck_assert(isnan(f->trials_needed));
    ck_assert_int_eq(sk_compare_gate(c, &any, 1, 0, &why, &nwhy, &err), SK_OK);
    ck_assert_uint_eq(nwhy, 0);
    free(why);
    sk_comparison_free(c);
}
END_TEST

START_TEST(different_rows_same_rate_does_not_gate)
{
    char *rows = rows_jsonl(20);
    int64_t v = import(rows);
    free(rows);
    experiment("base", v, 1, NULL);
    experiment("new", v, 1, NULL);
    /* Base fails A on r00, r01; new fails it on r02, r03 instead: the same
     * pass rate 18/20, the same mean, different rows. */
    spec *s = specs(20, 1.0);
    s[0].a = s[1].a = 0;
    cells("base", s, 20);
    s[0].a = s[1].a = 1;
    s[2].a = s[3].a = 0;
    cells("new", s, 20);
    free(s);
    sk_comparison *c = compare("base", "new", NULL);
    const sk_cmp_figures *f = &c->scorers[0].fig;
    ck_assert_double_eq_tol(f->diff, 0, EPS);
    ck_assert_int_eq(f->verdict, SK_CMP_NOISE);
    ck_assert_uint_eq(f->regressed, 2);
    ck_assert_uint_eq(f->improved, 2);
    ck_assert_uint_eq(f->pass_to_fail, 2);
    ck_assert_uint_eq(f->fail_to_pass, 2);
    ck_assert_uint_eq(f->hard_regressions, 2);
    ck_assert(isinf(f->rows_needed));
    size_t n;
    size_t *idx = sk_compare_regressed_rows(c, &n);
    ck_assert_uint_eq(n, 2);
    ck_assert_str_eq(c->rows[idx[0]].id, "r02");
    ck_assert_str_eq(c->rows[idx[1]].id, "r03");
    free(idx);
    idx = sk_compare_improved_rows(c, &n);
    ck_assert_uint_eq(n, 2);
    ck_assert_str_eq(c->rows[idx[0]].id, "r00");
    free(idx);
    /* The scorer gate stays quiet; the row gate does not. */
    char **why;
    size_t nwhy;
    sk_cmp_gate any = {NULL, 0};
    ck_assert_int_eq(sk_compare_gate(c, &any, 1, 0, &why, &nwhy, NULL), SK_OK);
    ck_assert_uint_eq(nwhy, 0);
    free(why);
    ck_assert_int_eq(sk_compare_gate(c, &any, 1, 1, &why, &nwhy, NULL), SK_OK);
    ck_assert_uint_eq(nwhy, 2);
    ck_assert_str_eq(why[0], "row r02: A passed in every baseline trial (1) and failed in every "
                             "new trial (1)");
    for (size_t i = 0; i < nwhy; i++)
        free(why[i]);
    free(why);
    /* Gating only B (no threshold) leaves no row to gate. */
    sk_cmp_gate onlyb = {"B", 0};
    ck_assert_int_eq(sk_compare_gate(c, &onlyb, 1, 1, &why, &nwhy, NULL), SK_OK);
    ck_assert_uint_eq(nwhy, 0);
    free(why);
    sk_comparison_free(c);
}
END_TEST

START_TEST(hard_regressions_need_every_trial)
{
    int64_t v = import("{\"id\":\"w\",\"input\":0}\n{\"id\":\"x\",\"input\":1}\n"
                       "{\"id\":\"y\",\"input\":2}\n{\"id\":\"z\",\"input\":3}\n");
    experiment("base", v, 2, NULL);
    experiment("new", v, 2, NULL);
    /* w: passes both base trials, scores under 0.5 in both new ones: hard.
     * x: the same, but new trial 1 is a scorer error: an error is no
     *    verdict, not a fail, so neither hard nor a flip.  y: one base
     *    trial failed: not hard, but its mean 0.55 -> 0.1 is a pass -> fail
     *    flip.  z: new trial 1 is a task error: no verdict either. */
    const spec b[] = {{"w", 0, 0.9, 1, NULL}, {"w", 1, 0.8, 1, NULL}, {"x", 0, 0.9, 1, NULL},
                      {"x", 1, 0.8, 1, NULL}, {"y", 0, 0.2, 1, NULL}, {"y", 1, 0.9, 1, NULL},
                      {"z", 0, 1, 1, NULL},   {"z", 1, 1, 1, NULL}};
    const spec n[] = {{"w", 0, 0.1, 1, NULL}, {"w", 1, 0.2, 1, NULL},      {"x", 0, 0.1, 1, NULL},
                      {"x", 1, -1, 1, NULL},  {"y", 0, 0.1, 1, NULL},      {"y", 1, 0.1, 1, NULL},
                      {"z", 0, 0.0, 1, NULL}, {"z", 1, 0, 0, "TASK ERROR"}};
    cells("base", b, 8);
    cells("new", n, 8);
    sk_comparison *c = compare("base", "new", NULL);
    ck_assert_int_eq(row(c, "w")->hard[0], 1);
    ck_assert_int_eq(row(c, "x")->hard[0], 0);
    ck_assert_int_eq(row(c, "y")->hard[0], 0);
    ck_assert_int_eq(row(c, "z")->hard[0], 0);
    ck_assert_uint_eq(row(c, "x")->new_[0].scored, 1);
    ck_assert_uint_eq(row(c, "x")->new_[0].fail, 1);
    ck_assert_uint_eq(row(c, "x")->new_[0].errors, 1);
    ck_assert_uint_eq(row(c, "z")->new_[0].trials, 2);
    ck_assert_uint_eq(row(c, "z")->new_[0].errors, 1);
    ck_assert_uint_eq(row(c, "z")->new_[1].errors, 1); /* B, without a threshold, too */
    const sk_cmp_figures *f = &c->scorers[0].fig;
    ck_assert_uint_eq(f->hard_regressions, 1);
    ck_assert_uint_eq(f->pass_to_fail, 2); /* w and y */
    ck_assert_uint_eq(f->no_verdict, 2);   /* x and z */
    /* B has no threshold: no flips, so no verdicts to miss either. */
    ck_assert_uint_eq(c->scorers[1].fig.no_verdict, 0);
    sk_comparison_free(c);
}
END_TEST

/* Flaky rows and reducers (issue 17): a row whose trials disagree on
 * pass/fail is counted and listed per side, and the scorer's recorded
 * reducer decides its pass/fail across trials, so flips follow it. */
START_TEST(flaky_rows_and_reducers)
{
    int64_t v = import("{\"id\":\"m\",\"input\":0}\n{\"id\":\"n\",\"input\":1}\n"
                       "{\"id\":\"s\",\"input\":2}\n");
    /* Base: every trial of every row passes A (0.9 >= 0.5). */
    experiment("base", v, 3, NULL);
    const spec b[] = {{"m", 0, 0.9, 1, NULL}, {"m", 1, 0.9, 1, NULL}, {"m", 2, 0.9, 1, NULL},
                      {"n", 0, 0.9, 1, NULL}, {"n", 1, 0.9, 1, NULL}, {"n", 2, 0.9, 1, NULL},
                      {"s", 0, 0.9, 1, NULL}, {"s", 1, 0.9, 1, NULL}, {"s", 2, 0.9, 1, NULL}};
    cells("base", b, 9);
    /* New: m passes 2 of 3 (mean 0.633), n passes 1 of 3 (mean 0.333), s all. */
    const spec n[] = {{"m", 0, 0.9, 1, NULL}, {"m", 1, 0.9, 1, NULL}, {"m", 2, 0.1, 1, NULL},
                      {"n", 0, 0.6, 1, NULL}, {"n", 1, 0.2, 1, NULL}, {"n", 2, 0.2, 1, NULL},
                      {"s", 0, 0.9, 1, NULL}, {"s", 1, 0.9, 1, NULL}, {"s", 2, 0.9, 1, NULL}};
    static const struct {
        const char *id;
        sk_reducer r;
        size_t pass_to_fail;
    } cases[] = {{"new-mean", SK_REDUCE_MEAN, 1},         /* n: mean under 0.5 */
                 {"new-majority", SK_REDUCE_MAJORITY, 1}, /* n: 1 of 3 */
                 {"new-min", SK_REDUCE_MIN, 2},           /* m and n: a failing trial each */
                 {"new-pass^k", SK_REDUCE_PASS_ALL, 2},
                 {"new-max", SK_REDUCE_MAX, 0}, /* each passes some trial */
                 {"new-pass@k", SK_REDUCE_PASS_ANY, 0}};
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        entries[0].reducer = cases[i].r;
        experiment(cases[i].id, v, 3, NULL);
        entries[0].reducer = SK_REDUCE_MEAN;
        cells(cases[i].id, n, 9);
        sk_comparison *c = compare("base", cases[i].id, NULL);
        const sk_cmp_figures *f = &c->scorers[0].fig;
        ck_assert_msg(f->pass_to_fail == cases[i].pass_to_fail, "%s: %zu flips", cases[i].id,
                      f->pass_to_fail);
        ck_assert_int_eq(c->scorers[0].base_reducer, SK_REDUCE_MEAN);
        ck_assert_int_eq(c->scorers[0].new_reducer, cases[i].r);
        ck_assert_uint_eq(f->flaky_new, 2);
        ck_assert_uint_eq(f->flaky_base, 0);
        ck_assert_uint_eq(c->scorers[1].fig.flaky_new, 0); /* B has no threshold */
        ck_assert_int_eq(row(c, "m")->flaky[0], SK_FLAKY_NEW);
        ck_assert_int_eq(row(c, "s")->flaky[0], 0);
        size_t nf;
        size_t *fl = sk_compare_flaky_rows(c, &nf);
        ck_assert_uint_eq(nf, 2);
        ck_assert_str_eq(c->rows[fl[0]].id, "m");
        ck_assert_str_eq(c->rows[fl[1]].id, "n");
        free(fl);
        /* The flaky gate fires with the rows named; without it, nothing. */
        char **reasons, *err = NULL;
        size_t nr;
        ck_assert_int_eq(sk_compare_gate(c, NULL, 0, SK_GATE_FLAKY, &reasons, &nr, &err), SK_OK);
        ck_assert_uint_eq(nr, 1);
        ck_assert_msg(strstr(reasons[0], "A: 2 rows flaky in the new experiment") &&
                          strstr(reasons[0], ": m, n"),
                      "%s", reasons[0]);
        free(reasons[0]);
        free(reasons);
        ck_assert_int_eq(sk_compare_gate(c, NULL, 0, 0, &reasons, &nr, &err), SK_OK);
        ck_assert_uint_eq(nr, 0);
        free(reasons);
        sk_comparison_free(c);
    }
    /* The verdicts themselves. */
    ck_assert_int_eq(sk_reducer_pass(SK_REDUCE_MAJORITY, 1, 1, 0.5, 0.5), 0); /* a tie fails */
    ck_assert_int_eq(sk_reducer_pass(SK_REDUCE_MEAN, 1, 1, 0.5, 0.5), 1);
    ck_assert_int_eq(sk_reducer_pass(SK_REDUCE_MIN, 0, 0, NAN, 0.5), 0);
    sk_reducer r;
    ck_assert_int_eq(sk_reducer_parse("pass@k", &r), 0);
    ck_assert_int_eq(r, SK_REDUCE_PASS_ANY);
    ck_assert_int_eq(sk_reducer_parse("average", &r), -1);
}
END_TEST

/* No verdict on one side is never a flip, in either direction (issue 11):
 * before, an error on the new side was a pass -> fail flip, and an error
 * on the base side made a fail -> pass flip out of a recovery. */
START_TEST(no_verdict_is_no_flip)
{
    int64_t v = import("{\"id\":\"p\",\"input\":1}\n{\"id\":\"q\",\"input\":2}\n"
                       "{\"id\":\"r\",\"input\":3}\n");
    experiment("base", v, 1, NULL);
    experiment("new", v, 1, NULL);
    /* p: pass -> error.  q: error -> pass.  r: pass -> task error. */
    const spec b[] = {{"p", 0, 0.9, 1, NULL}, {"q", 0, -1, 1, NULL}, {"r", 0, 0.9, 1, NULL}};
    const spec n[] = {{"p", 0, -1, 1, NULL}, {"q", 0, 0.9, 1, NULL}, {"r", 0, 0, 0, "TASK ERROR"}};
    cells("base", b, 3);
    cells("new", n, 3);
    sk_comparison *c = compare("base", "new", NULL);
    const sk_cmp_figures *f = &c->scorers[0].fig;
    ck_assert_uint_eq(f->pass_to_fail, 0);
    ck_assert_uint_eq(f->fail_to_pass, 0);
    ck_assert_uint_eq(f->hard_regressions, 0);
    ck_assert_uint_eq(f->no_verdict, 3);
    char **why = NULL;
    size_t nwhy = 0;
    ck_assert_int_eq(sk_compare_gate(c, NULL, 0, 1, &why, &nwhy, NULL), SK_OK);
    ck_assert_uint_eq(nwhy, 0); /* the row gate does not fire on errors */
    free(why);
    sk_comparison_free(c);
}
END_TEST

START_TEST(unpaired_and_scorers_on_one_side)
{
    int64_t v = import("{\"id\":\"x\",\"input\":1}\n{\"id\":\"y\",\"input\":2}\n");
    experiment("base", v, 1, NULL);
    /* The new experiment's pack has A and C, not B. */
    sk_pack_entry e2[] = {{.name = "A", .has_threshold = 1, .threshold = 0.7, .weight = 1},
                          {.name = "C", .weight = 1}};
    const sk_pack p2 = {.name = "p2", .n = 2, .entries = e2};
    sk_experiment e = {0};
    e.id = "new";
    e.name = "t";
    e.created_at = "2024-01-02T00:00:00Z";
    e.scorekit_version = "test";
    e.dataset_version_id = v;
    e.dataset_ref = "d@1";
    e.trials = 1;
    e.pack_hash = "1";
    e.config_json = "{}";
    char *err = NULL;
    ck_assert_int_eq(sk_run_create_experiment(st, &e, &p2, &err), SK_OK);
    const spec b[] = {{"x", 0, 0.6, 1, NULL}, {"y", 0, -2, 1, NULL}};
    cells("base", b, 2);
    /* cells() names its verdicts A and B; the new side's second is C's. */
    entries[1].name = "C";
    cells("new", b, 2);
    entries[1].name = "B";
    sk_comparison *c = compare("base", "new", NULL);
    ck_assert_uint_eq(c->nscorers, 1);
    ck_assert_str_eq(c->scorers[0].name, "A");
    ck_assert_uint_eq(c->nbase_only, 1);
    ck_assert_str_eq(c->base_only[0], "B");
    ck_assert_uint_eq(c->nnew_only, 1);
    ck_assert_str_eq(c->new_only[0], "C");
    /* x: 0.6 on both sides, but the threshold rose from 0.5 to 0.7: a flip
     * against each side's own threshold.  y: skipped both sides. */
    const sk_cmp_figures *f = &c->scorers[0].fig;
    ck_assert_uint_eq(f->pairs, 1);
    ck_assert_uint_eq(f->unpaired, 0);
    ck_assert_uint_eq(f->pass_to_fail, 1);
    ck_assert_double_eq_tol(c->scorers[0].base_threshold, 0.5, EPS);
    ck_assert_double_eq_tol(c->scorers[0].new_threshold, 0.7, EPS);
    ck_assert(isnan(f->boot_lo)); /* one pair: no interval */
    ck_assert_int_eq(f->verdict, SK_CMP_UNCHANGED);
    sk_comparison_free(c);

    /* Nothing in common: refused with a way out. */
    sk_pack_entry e3[] = {{.name = "Z", .weight = 1}};
    const sk_pack p3 = {.name = "p3", .n = 1, .entries = e3};
    e.id = "other";
    ck_assert_int_eq(sk_run_create_experiment(st, &e, &p3, &err), SK_OK);
    ck_assert_int_eq(sk_compare(st, "base", "other", NULL, &c, &err), SK_EINVAL);
    ck_assert_ptr_nonnull(strstr(err, "no scorer in common"));
    free(err);
}
END_TEST

/* ---- segments ----------------------------------------------------------- */

START_TEST(segments_by_metadata)
{
    char *rows = rows_jsonl(20); /* r00..r09 topic t0, r10..r19 topic t1 */
    int64_t v = import(rows);
    free(rows);
    experiment("base", v, 1, NULL);
    experiment("new", v, 1, NULL);
    spec *s = specs(20, 0.9);
    cells("base", s, 20);
    /* t1 rows all fall from 0.9 to 0.2: t0 is unchanged, and overall the
     * mean is 0.9 -> 0.55 (-0.35): the segment (-0.7) is what hides. */
    for (int i = 10; i < 20; i++)
        s[i].a = 0.2;
    cells("new", s, 20);
    free(s);
    const char *by[] = {"topic", "missing"};
    sk_compare_opts o = {.epsilon = -1, .by = by, .nby = 2};
    sk_comparison *c = compare("base", "new", &o);
    ck_assert_double_eq_tol(c->scorers[0].fig.diff, -0.35, EPS);
    ck_assert_uint_eq(c->nsegments, 3);
    ck_assert_str_eq(c->segments[0].key, "topic");
    ck_assert_str_eq(c->segments[0].value, "t0");
    ck_assert_uint_eq(c->segments[0].rows, 10);
    ck_assert_uint_eq(c->segments[0].regressed, 0);
    ck_assert_int_eq(c->segments[0].fig[0].verdict, SK_CMP_UNCHANGED);
    ck_assert_str_eq(c->segments[1].value, "t1");
    ck_assert_uint_eq(c->segments[1].regressed, 10);
    ck_assert_double_eq_tol(c->segments[1].fig[0].diff, -0.7, EPS);
    ck_assert_double_eq_tol(c->segments[1].fig[0].base_mean, 0.9, EPS);
    ck_assert_int_eq(c->segments[1].fig[0].verdict, SK_CMP_REGRESSED);
    ck_assert_str_eq(c->segments[2].key, "missing");
    ck_assert_str_eq(c->segments[2].value, "(none)");
    ck_assert_uint_eq(c->segments[2].rows, 20);
    ck_assert_str_eq(row(c, "r15")->segment[0], "t1");
    sk_comparison_free(c);

    /* Sorted by regressions: t1 first. */
    o.sort_regressions = 1;
    o.nby = 1;
    c = compare("base", "new", &o);
    ck_assert_str_eq(c->segments[0].value, "t1");
    ck_assert_str_eq(c->segments[1].value, "t0");
    sk_comparison_free(c);

    const char *empty[] = {""};
    sk_compare_opts bad = {.by = empty, .nby = 1};
    char *err = NULL;
    ck_assert_int_eq(sk_compare(st, "base", "new", &bad, &c, &err), SK_EINVAL);
    free(err);
}
END_TEST

START_TEST(row_detail_and_changes)
{
    int64_t v = import("{\"id\":\"x\",\"input\":\"2+2?\",\"expected\":\"4\"}\n");
    experiment("base", v, 1, "{\"task\":{\"field\":\"a\"},\"dataset\":\"d@1\"}");
    experiment("new", v, 1, "{\"task\":{\"field\":\"b\"},\"dataset\":\"d@1\",\"trials\":2}");
    const spec b[] = {{"x", 0, 1, -1, "4"}};
    const spec n[] = {{"x", 0, 0, 0.5, "5"}};
    cells("base", b, 1);
    cells("new", n, 1);
    sk_comparison *c = compare("base", "new", NULL);
    ck_assert_uint_eq(c->changes.variables, 2);
    sk_cmp_row_detail d;
    char *err = NULL;
    ck_assert_int_eq(sk_compare_row_detail(st, c, 0, &d, &err), SK_OK);
    ck_assert_str_eq(d.input_json, "\"2+2?\"");
    ck_assert_str_eq(d.expected_json, "\"4\"");
    ck_assert_str_eq(d.base.output_json, "\"4\"");
    ck_assert_str_eq(d.new_.output_json, "\"5\"");
    ck_assert_str_eq(d.base.v[0].kind, "score");
    ck_assert_str_eq(d.base.v[0].rationale, "A says 1");
    ck_assert_str_eq(d.base.v[1].kind, "error");
    ck_assert_str_eq(d.base.v[1].message, "boom");
    ck_assert_double_eq_tol(d.new_.v[1].score, 0.5, EPS);
    sk_cmp_row_detail_clear(c, &d);
    ck_assert_int_eq(sk_compare_row_detail(st, c, 9, &d, &err), SK_EINVAL);
    free(err);
    sk_comparison_free(c);
}
END_TEST

/* ---- baseline ----------------------------------------------------------- */

START_TEST(baseline_history)
{
    sk_baseline b;
    char *err = NULL;
    ck_assert_int_eq(sk_baseline_current(st, &b, &err), SK_ENOTFOUND);
    ck_assert_ptr_nonnull(strstr(err, "scorekit baseline set EXP"));
    free(err);
    err = NULL;
    int64_t v = import("{\"id\":\"x\",\"input\":1}\n");
    experiment("exp-one", v, 1, NULL);
    experiment("exp-two", v, 1, NULL);
    /* Still running: refused without force. */
    ck_assert_int_eq(sk_baseline_set(st, "exp-one", NULL, 0, &b, &err), SK_EINVAL);
    ck_assert_ptr_nonnull(strstr(err, "experiment exp-one is running"));
    free(err);
    err = NULL;
    ck_assert_int_eq(sk_experiment_set_status(st, "exp-one", "done", &err), SK_OK);
    ck_assert_int_eq(sk_baseline_set(st, "exp-o", "first", 0, &b, &err), SK_OK);
    ck_assert_str_eq(b.experiment_id, "exp-one");
    ck_assert_str_eq(b.note, "first");
    sk_baseline_clear(&b);
    ck_assert_int_eq(sk_baseline_set(st, "exp-two", NULL, 1, NULL, &err), SK_OK);
    ck_assert_int_eq(sk_baseline_current(st, &b, &err), SK_OK);
    ck_assert_str_eq(b.experiment_id, "exp-two");
    ck_assert_ptr_null(b.note);
    sk_baseline_clear(&b);
    sk_baseline *h;
    size_t n;
    ck_assert_int_eq(sk_baseline_history(st, &h, &n, &err), SK_OK);
    ck_assert_uint_eq(n, 2);
    ck_assert_str_eq(h[0].experiment_id, "exp-two");
    ck_assert_str_eq(h[1].experiment_id, "exp-one");
    ck_assert(h[0].id > h[1].id);
    sk_baseline_list_free(h, n);
    ck_assert_int_eq(sk_store_fx_int(st, "SELECT count(*) FROM baselines"), 2);
    ck_assert_int_eq(sk_baseline_set(st, "nope", NULL, 1, NULL, &err), SK_ENOTFOUND);
    free(err);
}
END_TEST

START_TEST(baseline_staleness)
{
    sk_experiment e = {0};
    e.id = "b";
    e.created_at = "2024-01-01T00:00:00Z";
    e.config_json = "{\"task\":{\"provider\":\"exec\",\"env\":{\"MODEL\":\"a\"}},"
                    "\"dataset\":\"qa@1\",\"trials\":1,\"pack_path\":\"/x\"}";
    time_t t0 = sk_parse_utc("2024-01-01T00:00:00Z");
    ck_assert(t0 != (time_t)-1);
    ck_assert_int_eq((long long)t0, 1704067200LL); /* date -d 2024-01-01Z +%s */
    ck_assert(sk_parse_utc("yesterday") == (time_t)-1);
    sk_baseline_staleness s;
    char *err = NULL;
    /* The same configuration (but for the pack's path) and 10 days old
     * with no limit: current. */
    ck_assert_int_eq(sk_baseline_check(&e,
                                       "{\"task\":{\"provider\":\"exec\",\"env\":{\"MODEL\":"
                                       "\"a\"}},\"dataset\":\"qa@1\",\"trials\":1,"
                                       "\"pack_path\":\"/y\"}",
                                       0, t0 + 10 * 86400, &s, &err),
                     SK_OK);
    ck_assert_int_eq(s.stale, 0);
    ck_assert_double_eq_tol(s.age_days, 10, EPS);
    sk_baseline_staleness_clear(&s);
    /* Older than 7 days allowed. */
    ck_assert_int_eq(sk_baseline_check(&e, NULL, 7, t0 + 10 * 86400, &s, &err), SK_OK);
    ck_assert_int_eq(s.too_old, 1);
    ck_assert_int_eq(s.stale, 1);
    ck_assert_int_eq(s.config_changed, 0);
    sk_baseline_staleness_clear(&s);
    /* Another model and a new dataset version: stale, saying what. */
    ck_assert_int_eq(sk_baseline_check(&e,
                                       "{\"task\":{\"provider\":\"exec\",\"env\":{\"MODEL\":"
                                       "\"b\"}},\"dataset\":\"qa@2\",\"trials\":1}",
                                       30, t0 + 86400, &s, &err),
                     SK_OK);
    ck_assert_int_eq(s.stale, 1);
    ck_assert_int_eq(s.too_old, 0);
    ck_assert_uint_eq(s.changes.variables, 2);
    ck_assert_str_eq(s.changes.v[0].variable, "task.env.MODEL");
    ck_assert_str_eq(s.changes.v[1].variable, "dataset version");
    sk_baseline_staleness_clear(&s);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("compare");
    TCase *tc = tcase_create("compare");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, pairs_rows_by_id);
    tcase_add_test(tc, trials_are_averaged_and_noise_band);
    tcase_add_test(tc, real_regression_and_noise);
    tcase_add_test(tc, different_rows_same_rate_does_not_gate);
    tcase_add_test(tc, hard_regressions_need_every_trial);
    tcase_add_test(tc, no_verdict_is_no_flip);
    tcase_add_test(tc, unpaired_and_scorers_on_one_side);
    tcase_add_test(tc, segments_by_metadata);
    tcase_add_test(tc, row_detail_and_changes);
    tcase_add_test(tc, baseline_history);
    tcase_add_test(tc, baseline_staleness);
    tcase_add_test(tc, flaky_rows_and_reducers);
    suite_add_tcase(s, tc);
    return sk_run_suite(s);
}
