/*
 * Agreement with people (validate/agreement.c) against references computed
 * independently: kappa by hand, its standard error by the delta method
 * with a numerical gradient under multinomial sampling (Python), Pearson
 * and Spearman from their definitions (Python), the Rogan-Gladen estimate
 * and interval from the formula; and the interval's coverage over 200
 * seeded simulations of a judge with known TPR and TNR.
 */
#include <check.h>
#include <math.h>
#include <stdint.h>

#include "run_suite.h"
#include "validate/agreement.h"

static void near(double got, double want, double tol)
{
    ck_assert_msg(fabs(got - want) <= tol, "got %.17g, want %.17g", got, want);
}

START_TEST(kappa_and_se)
{
    double k, se;
    /* po = 35/50, pe = (25*30 + 25*20)/2500 = 0.5: kappa 0.4. */
    sk_kappa(20, 5, 10, 15, &k, &se);
    near(k, 0.4, 1e-12);
    near(se, 0.12699606293594112, 1e-6);
    sk_kappa(40, 3, 7, 50, &k, &se);
    near(k, 0.7983057684550222, 1e-12);
    near(se, 0.06030134567462061, 1e-6);
    /* Everyone always says pass: no agreement beyond chance to measure. */
    sk_kappa(10, 0, 0, 0, &k, &se);
    ck_assert(isnan(k));
}
END_TEST

START_TEST(correlations)
{
    double x[] = {0.1, 0.4, 0.35, 0.8, 0.9, 0.6}, y[] = {0.0, 0.5, 0.5, 1.0, 0.7, 0.6};
    near(sk_pearson(x, y, 6), 0.8826875275182606, 1e-12);
    near(sk_spearman(x, y, 6), 0.9276336570439175, 1e-12);
    double c[] = {1, 1, 1};
    ck_assert(isnan(sk_pearson(c, y, 3)));
}
END_TEST

START_TEST(confusion_and_cuts)
{
    /* Cut 0.5.  People pass rows 0-3, fail 4-7.  The scorer passes 0-2
     * and 4 (0.55): tp 3, fn 1, fp 1, tn 3. */
    sk_agree_pair p[] = {{0.9, 1},  {0.8, 1}, {0.7, 1}, {0.45, 1},
                         {0.55, 0}, {0.3, 0}, {0.2, 0}, {0.1, 0}};
    sk_agreement a;
    sk_agreement_compute(p, 8, 0.5, &a);
    ck_assert_uint_eq(a.tp, 3);
    ck_assert_uint_eq(a.fn, 1);
    ck_assert_uint_eq(a.fp, 1);
    ck_assert_uint_eq(a.tn, 3);
    near(a.accuracy, 0.75, 1e-12);
    near(a.kappa, 0.5, 1e-12); /* po 0.75, pe 0.5 */
    near(a.tpr, 0.75, 1e-12);
    near(a.tnr, 0.75, 1e-12);
    near(a.precision, 0.75, 1e-12);
    ck_assert(!a.graded);
    ck_assert(isnan(a.pearson));
    /* A cut of 0.45 passes rows 0-4 (tp 4, fp 1): kappa 0.75, J 0.75;
     * every cut in (0.45, 0.55] does the same, and none does better. */
    near(a.best_kappa, 0.75, 1e-12);
    near(a.best_kappa_cut, 0.45, 1e-12);
    near(a.best_j, 0.75, 1e-12);
    near(a.best_j_cut, 0.45, 1e-12);
    /* Wilson for 3 of 4. */
    near(a.tpr_lo, 0.30064184258240184, 1e-9);
    near(a.tpr_hi, 0.9544127391902995, 1e-9);
}
END_TEST

START_TEST(rogan_gladen)
{
    sk_corrected_rate r;
    sk_rogan_gladen(300, 1000, 85, 100, 90, 100, &r);
    near(r.observed, 0.3, 1e-12);
    near(r.value, 0.2666666666666666, 1e-12);
    near(r.lo, 0.19131962913085196, 1e-9);
    near(r.hi, 0.34201370420248123, 1e-9);
    /* A judge no better than chance corrects nothing. */
    sk_rogan_gladen(300, 1000, 50, 100, 50, 100, &r);
    ck_assert(isnan(r.value));
}
END_TEST

/* splitmix64: the simulations' own generator, the same on every libc. */
static uint64_t next(uint64_t *s)
{
    uint64_t z = (*s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static int draw(uint64_t *s, double p)
{
    return (double)(next(s) >> 11) / 9007199254740992.0 < p;
}

START_TEST(coverage_of_corrected_rate)
{
    /* A judge with TPR 0.85 and TNR 0.90 on a population passing 30%:
     * labels on 150 passing and 150 failing rows give its TPR and TNR,
     * then it judges 600 rows.  The interval must cover 0.30 in at least
     * 90% of 200 seeds (it is a 95% interval). */
    const double truth = 0.30, tpr = 0.85, tnr = 0.90;
    int covered = 0;
    for (uint64_t seed = 1; seed <= 200; seed++) {
        uint64_t s = seed * 1000003u;
        size_t tp = 0, tn = 0, passed = 0;
        for (int i = 0; i < 150; i++) {
            tp += draw(&s, tpr);
            tn += draw(&s, tnr);
        }
        for (int i = 0; i < 600; i++) {
            int good = draw(&s, truth);
            passed += good ? draw(&s, tpr) : !draw(&s, tnr);
        }
        sk_corrected_rate r;
        sk_rogan_gladen(passed, 600, tp, 150, tn, 150, &r);
        covered += r.lo <= truth && truth <= r.hi;
    }
    ck_assert_msg(covered >= 180, "covered %d of 200", covered);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("agreement");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, kappa_and_se);
    tcase_add_test(tc, correlations);
    tcase_add_test(tc, confusion_and_cuts);
    tcase_add_test(tc, rogan_gladen);
    tcase_add_test(tc, coverage_of_corrected_rate);
    suite_add_tcase(s, tc);
    return sk_run_suite(s);
}
