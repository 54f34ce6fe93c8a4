/*
 * Tests for numfmt.c: every result must be the bytes snprintf writes with
 * the same format, the C library being the independent reference; and a
 * few hand-checked values, ties (rounded to even) among them, so a C
 * library that rounded otherwise would show here too.
 */
#include <check.h>
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "base/numfmt.h"
#include "run_suite.h"

static uint64_t state = 12345;

static uint64_t next(void)
{
    uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static void same_as_printf(double v)
{
    char want[SK_NUMFMT_MAX], got[SK_NUMFMT_MAX];
    static const int precs[] = {15, 17, 6, 1, 3};
    for (size_t i = 0; i < sizeof precs / sizeof *precs; i++) {
        int n = snprintf(want, sizeof want, "%.*g", precs[i], v);
        size_t m = sk_fmt_g(got, v, precs[i]);
        ck_assert_msg(strcmp(got, want) == 0 && m == (size_t)n, "%%.%dg of %a: %s, printf %s",
                      precs[i], v, got, want);
    }
    for (int d = 0; d <= 9; d += 3) {
        int n = snprintf(want, sizeof want, "%.*f", d, v);
        size_t m = sk_fmt_f(got, v, d);
        ck_assert_msg(strcmp(got, want) == 0 && m == (size_t)n, "%%.%df of %a: %s, printf %s", d, v,
                      got, want);
    }
}

START_TEST(by_hand)
{
    char b[SK_NUMFMT_MAX];
    sk_fmt_g(b, 0.935483870967742, 15);
    ck_assert_str_eq(b, "0.935483870967742");
    sk_fmt_g(b, 29.0 / 31.0, 15); /* 0.93548387096774193... */
    ck_assert_str_eq(b, "0.935483870967742");
    sk_fmt_g(b, 1.0, 15);
    ck_assert_str_eq(b, "1");
    sk_fmt_g(b, 0.5, 15);
    ck_assert_str_eq(b, "0.5");
    sk_fmt_g(b, -0.25, 15);
    ck_assert_str_eq(b, "-0.25");
    sk_fmt_g(b, 1e-5, 15); /* below 1e-4: an exponent */
    ck_assert_str_eq(b, "1e-05");
    sk_fmt_g(b, 0.0001, 15);
    ck_assert_str_eq(b, "0.0001");
    sk_fmt_g(b, 0.9999999999999999, 15); /* rounds up to the next power */
    ck_assert_str_eq(b, "1");
    sk_fmt_g(b, 123456.5, 6); /* a tie: to the even 123456 */
    ck_assert_str_eq(b, "123456");
    sk_fmt_g(b, 123457.5, 6); /* to the even 123458 */
    ck_assert_str_eq(b, "123458");
    sk_fmt_f(b, 0.0, 3);
    ck_assert_str_eq(b, "0.000");
    sk_fmt_f(b, 2.5, 0); /* ties to even */
    ck_assert_str_eq(b, "2");
    sk_fmt_f(b, 3.5, 0);
    ck_assert_str_eq(b, "4");
    sk_fmt_f(b, 0.0625, 3); /* 0.0625 exactly: the tie goes to 0.062 */
    ck_assert_str_eq(b, "0.062");
    sk_fmt_f(b, 0.1875, 3); /* to 0.188 */
    ck_assert_str_eq(b, "0.188");
    sk_fmt_f(b, 12.3456, 3);
    ck_assert_str_eq(b, "12.346");
    sk_fmt_f(b, -0.0001, 3);
    ck_assert_str_eq(b, "-0.000");
}
END_TEST

START_TEST(special_values)
{
    const double v[] = {0.0,
                        -0.0,
                        NAN,
                        -NAN,
                        INFINITY,
                        -INFINITY,
                        DBL_MAX,
                        -DBL_MAX,
                        DBL_MIN,
                        DBL_TRUE_MIN,
                        9007199254740992.0,
                        9007199254740993.0,
                        1e15,
                        999999999999999.9,
                        1e-4,
                        9.99999999999999e-5,
                        0.1,
                        0.3};
    for (size_t i = 0; i < sizeof v / sizeof *v; i++)
        same_as_printf(v[i]);
}
END_TEST

START_TEST(random_values)
{
    for (int i = 0; i < 200000; i++) {
        uint64_t r = next();
        double v;
        switch (i % 6) {
        case 0: /* any bit pattern */ memcpy(&v, &r, sizeof v); break;
        case 1: /* a score in [0, 1] */ v = (double)(r >> 11) / 9007199254740992.0; break;
        case 2: /* a fraction a/b, as a mean of trials or an edit ratio */
            v = (double)(r % 1000) / (double)(1 + (r >> 32) % 999);
            break;
        case 3: /* few binary digits: decimal ties */
            v = ldexp((double)(r % 4096), -(int)((r >> 20) % 40));
            break;
        case 4: /* milliseconds */
            v = (double)(r % 100000000) / 1000.0 * ((r >> 40) % 2 ? 1 : -1);
            break;
        default: /* wide magnitudes */
            v = ldexp(1.0 + (double)(r >> 12) / 4503599627370496.0, (int)(r % 200) - 100);
            break;
        }
        same_as_printf(v);
    }
}
END_TEST

int main(void)
{
    Suite *s = suite_create("numfmt");
    TCase *tc = tcase_create("numfmt");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, by_hand);
    tcase_add_test(tc, special_values);
    tcase_add_test(tc, random_values);
    suite_add_tcase(s, tc);
    return sk_run_suite(s);
}
