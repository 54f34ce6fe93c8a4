/*
 * Tests of the similarity scorers (exact_match, levenshtein, numeric_diff,
 * json_diff, list_contains) driven through the real host code: the
 * reference values of Braintrust autoevals, edge cases (empty, Unicode,
 * nesting, huge inputs), shape errors, param checking, and two threads
 * sharing one state.
 */
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "heuristic.h"
#include "sk_test.h"
#include "base/text/levenshtein.h"

/* Scores are compared after rounding to 6 places, as the references are. */
#define ASSERT_SCORE(def, params, out, exp, want)                                                  \
    do {                                                                                           \
        double got_ = sk_test_value(def, params, out, exp);                                        \
        ck_assert_msg(fabs(round(got_ * 1e6) / 1e6 - (want)) < 1e-6,                               \
                      "%s(%s, %s) = %.9f, want %.6f", (def)->name, out, exp, got_,                 \
                      (double)(want));                                                             \
    } while (0)

static sk_test_result run(const sk_scorer_def *def, const char *params, const char *out,
                          const char *exp)
{
    return sk_test_score(def, params, out, exp);
}

static void assert_error(const sk_scorer_def *def, const char *params, const char *out,
                         const char *exp, const char *needle)
{
    sk_test_result r = run(def, params, out, exp);
    ck_assert_msg(r.kind == SK_VERDICT_ERROR, "%s(%s, %s): want an error, got kind %d (%f)",
                  def->name, out, exp, (int)r.kind, r.score);
    ck_assert_msg(strstr(r.message, needle), "%s: error \"%s\" lacks \"%s\"", def->name, r.message,
                  needle);
}

/* A wrong answer: score 0 with a rationale containing needle. */
static void assert_zero_because(const sk_scorer_def *def, const char *params, const char *out,
                                const char *exp, const char *needle)
{
    sk_test_result r = run(def, params, out, exp);
    ck_assert_msg(r.kind == SK_VERDICT_SCORE && r.score == 0.0, "%s(%s, %s): want score 0",
                  def->name, out, exp);
    ck_assert_msg(strstr(r.rationale, needle), "%s: rationale \"%s\" lacks \"%s\"", def->name,
                  r.rationale, needle);
}

static const sk_scorer_def *const all[] = {&sk_h_exact_match, &sk_h_levenshtein, &sk_h_numeric_diff,
                                           &sk_h_json_diff, &sk_h_list_contains};
enum { NALL = sizeof all / sizeof all[0] };

/* ---- definitions and params ---- */

START_TEST(definitions)
{
    for (size_t i = 0; i < NALL; i++) {
        const sk_scorer_def *d = all[i];
        ck_assert_uint_eq(d->size, sizeof(sk_scorer_def));
        ck_assert_ptr_nonnull(d->name);
        ck_assert_ptr_nonnull(d->summary);
        ck_assert_uint_gt(strlen(d->summary), 10);
        ck_assert_uint_eq(d->flags, SK_SCORER_THREAD_SAFE | SK_SCORER_NEEDS_EXPECTED);
        ck_assert_uint_ne(d->accepts, 0);
        const sk_param_def *p = d->params; /* NULL: takes no params */
        while (p && p->name) {
            ck_assert_ptr_nonnull(p->default_json);
            ck_assert_ptr_nonnull(p->doc);
            p++;
        }
        ck_assert_ptr_nonnull(d->score);
    }
}
END_TEST

START_TEST(params_rejected)
{
    void *st;
    char err[512];
    for (size_t i = 0; i < NALL; i++) {
        ck_assert_int_ne(sk_test_open(all[i], "{\"no_such_param\": true}", &st, err, sizeof err),
                         0);
        ck_assert_msg(strstr(err, "no_such_param"), "%s: error \"%s\" does not name the key",
                      all[i]->name, err);
    }
    ck_assert_int_ne(
        sk_test_open(&sk_h_levenshtein, "{\"ignore_case\": \"yes\"}", &st, err, sizeof err), 0);
    ck_assert_int_ne(
        sk_test_open(&sk_h_exact_match, "{\"normalize_whitespace\": 1}", &st, err, sizeof err), 0);
    ck_assert_int_ne(
        sk_test_open(&sk_h_list_contains, "{\"allow_extra\": null}", &st, err, sizeof err), 0);
    /* And the right types open. */
    ck_assert_int_eq(sk_test_open(&sk_h_exact_match,
                                  "{\"ignore_case\": true, \"normalize_whitespace\": true}", &st,
                                  err, sizeof err),
                     0);
    sk_test_close(&sk_h_exact_match, st);
}
END_TEST

START_TEST(no_expected_skips)
{
    for (size_t i = 0; i < NALL; i++) {
        sk_test_result r = run(all[i], NULL, "\"a\"", NULL);
        ck_assert_msg(r.kind == SK_VERDICT_SKIP, "%s without expected: kind %d", all[i]->name,
                      (int)r.kind);
    }
}
END_TEST

/* ---- levenshtein ---- */

START_TEST(lev_reference)
{
    const sk_scorer_def *d = &sk_h_levenshtein;
    ASSERT_SCORE(d, NULL, "\"ab\"", "\"ac\"", 0.5);
    ASSERT_SCORE(d, NULL, "\"abc\"", "\"axc\"", 0.666667);
    ASSERT_SCORE(d, NULL, "\"xabxcdxxefxgx\"", "\"1ab2cd34ef5g6\"", 0.538462);
    ASSERT_SCORE(d, NULL, "\"\"", "\"\"", 1.0);
    ASSERT_SCORE(d, NULL, "\"\"", "\"a\"", 0.0);
    ASSERT_SCORE(d, NULL, "\"a\"", "\"\"", 0.0);
}
END_TEST

/* Rows from autoevals' own tests: bit-identical doubles. */
START_TEST(lev_autoevals_parity)
{
    const sk_scorer_def *d = &sk_h_levenshtein;
    ck_assert_double_eq(sk_test_value(d, NULL, "\"Found new su\"", "\"Set back took light?\""),
                        0.09999999999999998);
    ck_assert_double_eq(sk_test_value(d, NULL, "\"Through below same told be day\"",
                                      "\"Through below same told be day,\""),
                        0.967741935483871);
    ck_assert_double_eq(
        sk_test_value(d, NULL,
                      "\" May right between words left why secovnd are same not what life sin\"",
                      "\"May right between words left why second are same not what life sin\""),
        0.9705882352941176);
}
END_TEST

START_TEST(lev_unicode)
{
    const sk_scorer_def *d = &sk_h_levenshtein;
    ASSERT_SCORE(d, NULL, "\"caf\xC3\xA9\"", "\"cafe\"", 0.75); /* precomposed é: one char */
    ASSERT_SCORE(d, NULL, "\"caf\\u00e9\"", "\"caf\xC3\xA9\"", 1.0);
    ASSERT_SCORE(d, NULL, "\"\xE4\xB8\xAD\xE6\x96\x87\"", "\"\xE4\xB8\xAD\"", 0.5); /* 中文 vs 中 */
    ASSERT_SCORE(d, NULL, "\"\xF0\x9F\x98\x80\"", "\"\xF0\x9F\x98\x81\"", 0.0); /* 😀 vs 😁 */
    ASSERT_SCORE(d, NULL, "\"a\xF0\x9F\x98\x80\"", "\"a\xF0\x9F\x98\x81\"", 0.5);
    /* Decomposed e + U+0301 is two characters: no Unicode normalisation. */
    ASSERT_SCORE(d, NULL, "\"e\\u0301\"", "\"\xC3\xA9\"", 0.0);
}
END_TEST

START_TEST(lev_params_and_text)
{
    const sk_scorer_def *d = &sk_h_levenshtein;
    ASSERT_SCORE(d, NULL, "\"Hello\"", "\"hello\"", 0.8);
    ASSERT_SCORE(d, "{\"ignore_case\": true}", "\"Hello\"", "\"hELLO\"", 1.0);
    ASSERT_SCORE(d, "{\"ignore_case\": true}", "\"\xC3\x89t\xC3\xA9\"", "\"\xC3\xA9t\xC3\xA9\"",
                 0.666667); /* É is not ASCII: not folded */
    /* Non-string values compare by their JSON text. */
    ASSERT_SCORE(d, NULL, "42", "\"42\"", 1.0);
    ASSERT_SCORE(d, NULL, "[1,2]", "\"[1,2]\"", 1.0);
    sk_test_result r = run(d, NULL, "\"ab\"", "\"ac\"");
    ck_assert_str_eq(r.rationale, "edit distance 1 over 2 characters");
    r = run(d, NULL, "\"ab\"", "\"ab\"");
    ck_assert_str_eq(r.rationale, "");
}
END_TEST

/* Strings with a known distance: k substitutions by a character that the
 * other string never holds cost exactly k. */
static char *spaced_edits(size_t n, const char *alpha_utf8[], size_t nalpha, const char *mark,
                          size_t edits, char **other)
{
    size_t cap = n * 4 + 3;
    char *a = malloc(cap), *b = malloc(cap);
    size_t la = 0, lb = 0;
    a[la++] = b[lb++] = '"';
    for (size_t i = 0; i < n; i++) {
        const char *c = alpha_utf8[(i * 7 + i / 13) % nalpha];
        size_t cl = strlen(c);
        memcpy(a + la, c, cl);
        la += cl;
        const char *cb = (i % (n / edits) == n / edits / 2) ? mark : c;
        memcpy(b + lb, cb, strlen(cb));
        lb += strlen(cb);
    }
    a[la++] = b[lb++] = '"';
    a[la] = b[lb] = '\0';
    *other = b;
    return a;
}

START_TEST(lev_long)
{
    static const char *ascii[] = {"a", "b", "c", "d", "e", " "};
    static const char *wide[] = {"\xE4\xB8\xAD", "\xE6\x96\x87", "\xC3\xA9", "x", "\xEA\xB0\x80"};
    char *b;
    char *a = spaced_edits(20000, ascii, 6, "Z", 10, &b);
    ASSERT_SCORE(&sk_h_levenshtein, NULL, a, b, 1.0 - 10.0 / 20000.0);
    free(a);
    free(b);
    a = spaced_edits(20000, wide, 5, "\xF0\x9F\x98\x80", 10, &b);
    ASSERT_SCORE(&sk_h_levenshtein, NULL, a, b, 1.0 - 10.0 / 20000.0);
    free(a);
    free(b);
}
END_TEST

/* ---- exact_match ---- */

START_TEST(em_text)
{
    const sk_scorer_def *d = &sk_h_exact_match;
    ASSERT_SCORE(d, NULL, "\"Paris\"", "\"Paris\"", 1.0);
    ASSERT_SCORE(d, NULL, "\"Paris\"", "\"paris\"", 0.0);
    ASSERT_SCORE(d, NULL, "\"\"", "\"\"", 1.0);
    ASSERT_SCORE(d, NULL, "\"\"", "\"a\"", 0.0);
    ASSERT_SCORE(d, NULL, "\"caf\xC3\xA9\"", "\"caf\\u00e9\"", 1.0);
    ASSERT_SCORE(d, NULL, "\"e\\u0301\"", "\"\xC3\xA9\"", 0.0); /* no Unicode normalisation */
    ASSERT_SCORE(d, NULL, "\"\xF0\x9F\x98\x80\"", "\"\xF0\x9F\x98\x80\"", 1.0);
    ASSERT_SCORE(d, NULL, "\" Paris\"", "\"Paris\"", 0.0);
    sk_test_result r = run(d, NULL, "\"the cat sat\"", "\"the cat sits\"");
    ck_assert_msg(strstr(r.rationale, "character 10"), "rationale: %s", r.rationale);
    ck_assert_msg(strstr(r.rationale, "\"at\""), "rationale: %s", r.rationale);
}
END_TEST

START_TEST(em_params)
{
    const sk_scorer_def *d = &sk_h_exact_match;
    const char *ic = "{\"ignore_case\": true}";
    const char *ws = "{\"normalize_whitespace\": true}";
    const char *both = "{\"ignore_case\": true, \"normalize_whitespace\": true}";
    ASSERT_SCORE(d, ic, "\"PaRiS\"", "\"paris\"", 1.0);
    ASSERT_SCORE(d, ic, "\" paris\"", "\"paris\"", 0.0);
    ASSERT_SCORE(d, ws, "\"  the\\t\\ncat  sat \"", "\"the cat sat\"", 1.0);
    ASSERT_SCORE(d, ws, "\"The cat\"", "\"the cat\"", 0.0);
    ASSERT_SCORE(d, both, "\" THE   Cat \"", "\"the cat\"", 1.0);
    ASSERT_SCORE(d, ws, "\"   \"", "\"\"", 1.0);
    ASSERT_SCORE(d, ic, "\"\xC3\x89\"", "\"\xC3\xA9\"", 0.0); /* ASCII folding only */
    /* Inside JSON: string values are normalised, keys are not. */
    ASSERT_SCORE(d, both, "{\"a\": [\" X  y\"]}", "{\"a\": [\"x y\"]}", 1.0);
    ASSERT_SCORE(d, ic, "{\"A\": 1}", "{\"a\": 1}", 0.0);
    /* JSON words stay case-sensitive: "TRUE" is text. */
    ASSERT_SCORE(d, ic, "\"TRUE\"", "true", 0.0);
    sk_test_result r = run(d, ws, "\"a  b\"", "\"a c\"");
    ck_assert_msg(strstr(r.rationale, "normalisation"), "rationale: %s", r.rationale);
}
END_TEST

START_TEST(em_json)
{
    const sk_scorer_def *d = &sk_h_exact_match;
    ASSERT_SCORE(d, NULL, "\"{\\\"a\\\":1}\"", "{\"a\":1}", 1.0);
    ASSERT_SCORE(d, NULL, "\"42\"", "42", 1.0);
    ASSERT_SCORE(d, NULL, "42", "\"42\"", 1.0);
    ASSERT_SCORE(d, NULL, "1", "1.0", 1.0);
    ASSERT_SCORE(d, NULL, "1e0", "1", 1.0);
    ASSERT_SCORE(d, NULL, "\"1.0\"", "\" 1 \"", 1.0);
    ASSERT_SCORE(d, NULL, "-0", "0", 1.0);
    ASSERT_SCORE(d, NULL, "0.1", "0.10000000000000001", 0.0); /* one double, two values */
    ASSERT_SCORE(d, NULL, "1", "2", 0.0);
    ASSERT_SCORE(d, NULL, "\"007\"", "7", 0.0); /* not a strict JSON number: text */
    ASSERT_SCORE(d, NULL, "\"true\"", "true", 1.0);
    ASSERT_SCORE(d, NULL, "\"null\"", "null", 1.0);
    ASSERT_SCORE(d, NULL, "null", "null", 1.0);
    ASSERT_SCORE(d, NULL, "\"\\\"hi\\\"\"", "\"hi\"", 1.0); /* a string holding "hi" */
    ASSERT_SCORE(d, NULL, "{\"a\":1,\"b\":[1,{\"c\":2,\"d\":3}]}",
                 "{ \"b\" : [1.0, {\"d\":3, \"c\":2e0}], \"a\" : 1 }", 1.0);
    ASSERT_SCORE(d, NULL, "{\"a\":1,\"a\":2}", "{\"a\":2}", 1.0); /* last key wins */
    ASSERT_SCORE(d, NULL, "[1,2]", "[2,1]", 0.0);
    ASSERT_SCORE(d, NULL, "{\"a\":1}", "{\"a\":1,\"b\":null}", 0.0);
    ASSERT_SCORE(d, NULL, "\"[1, 2\"", "[1,2]", 0.0); /* not JSON: text */
    ASSERT_SCORE(d, NULL, "\"-5 apples\"", "\"-5 apples\"", 1.0);
    sk_test_result r = run(d, NULL, "{\"a\":1}", "{\"a\":2}");
    ck_assert_msg(strstr(r.rationale, "canonical JSON"), "rationale: %s", r.rationale);
    r = run(d, NULL, "\"hello\"", "5");
    ck_assert_str_eq(r.rationale, "output is text, expected is a number");
}
END_TEST

/* Numbers by their exact decimal value, not as doubles. */
START_TEST(em_exact_numbers)
{
    const sk_scorer_def *d = &sk_h_exact_match;
    static const char *const same[][2] = {
        {"1.50", "15e-1"},
        {"1.5", "1.50"},
        {"-0", "0"},
        {"-0.0e5", "0"},
        {"100", "1e2"},
        {"0.001", "1E-3"},
        {"123456789012345678901234567890123", "1.23456789012345678901234567890123e32"},
        {"[1.50, {\"a\": -0}]", "[15e-1, {\"a\": 0.0}]"},
        {"\"9007199254740993\"", "9007199254740993"}, /* a string holding the number */
    };
    static const char *const differ[][2] = {
        {"9007199254740993", "9007199254740992"}, /* one double */
        {"\"9007199254740993\"", "\"9007199254740992\""},
        {"123456789012345678901234567890123", "123456789012345678901234567890124"},
        {"0.1", "0.10000000000000001"},
        {"1e-400", "2e-400"}, /* both 0 as doubles */
        {"[9007199254740993]", "[9007199254740992]"},
        {"{\"n\": {\"m\": 123456789012345678901234567890123}}",
         "{\"n\": {\"m\": 123456789012345678901234567890124}}"},
    };
    for (size_t i = 0; i < sizeof same / sizeof same[0]; i++) {
        ck_assert_msg(sk_test_value(d, NULL, same[i][0], same[i][1]) == 1.0, "%s vs %s", same[i][0],
                      same[i][1]);
        ck_assert_msg(sk_test_value(d, NULL, same[i][1], same[i][0]) == 1.0, "%s vs %s", same[i][1],
                      same[i][0]);
    }
    for (size_t i = 0; i < sizeof differ / sizeof differ[0]; i++)
        ck_assert_msg(sk_test_value(d, NULL, differ[i][0], differ[i][1]) == 0.0, "%s vs %s",
                      differ[i][0], differ[i][1]);
    sk_test_result r = run(d, NULL, "[9007199254740993]", "[9007199254740992]");
    ck_assert_str_eq(r.rationale, "the values (as canonical JSON) differ at character 17: output "
                                  "has \"3]\", expected \"2]\"");
}
END_TEST

START_TEST(em_huge)
{
    enum { N = 1 << 20 };
    char *a = malloc(N + 3), *b = malloc(N + 3);
    a[0] = b[0] = '"';
    memset(a + 1, 'x', N);
    memset(b + 1, 'x', N);
    a[N + 1] = b[N + 1] = '"';
    a[N + 2] = b[N + 2] = '\0';
    ASSERT_SCORE(&sk_h_exact_match, NULL, a, b, 1.0);
    ASSERT_SCORE(&sk_h_exact_match, "{\"ignore_case\": true, \"normalize_whitespace\": true}", a, b,
                 1.0);
    b[N] = 'y';
    ASSERT_SCORE(&sk_h_exact_match, NULL, a, b, 0.0);
    /* A 1 MB JSON document, too. */
    a[0] = b[0] = '[';
    for (size_t i = 1; i <= N; i++)
        a[i] = b[i] = (i % 2) ? '1' : ',';
    a[N + 1] = b[N + 1] = ']';
    a[N] = b[N] = '1';
    ASSERT_SCORE(&sk_h_exact_match, NULL, a, b, 1.0);
    free(a);
    free(b);
}
END_TEST

/* ---- numeric_diff ---- */

START_TEST(nd_reference)
{
    const sk_scorer_def *d = &sk_h_numeric_diff;
    ASSERT_SCORE(d, NULL, "1", "2", 0.666667);
    ASSERT_SCORE(d, NULL, "-1", "2", 0.0);
    ASSERT_SCORE(d, NULL, "105", "100", 0.97561);
    ASSERT_SCORE(d, NULL, "0", "0", 1.0);
    ASSERT_SCORE(d, NULL, "0", "5", 0.0);
    ASSERT_SCORE(d, NULL, "2.5", "2.5", 1.0);
    ASSERT_SCORE(d, NULL, "1e308", "1e308", 1.0);
    ASSERT_SCORE(d, NULL, "1e308", "-1e308", 0.0); /* |e|+|o| overflows: still defined */
    ASSERT_SCORE(d, NULL, "1.7e308", "1e308", 1.0 - 0.7 / 2.7);
    sk_test_result r = run(d, NULL, "105", "100");
    ck_assert_str_eq(r.rationale, "output 105 vs expected 100 (difference 5)");
}
END_TEST

/* sk_hnum_cmp orders numbers by exact value: against doubles (17
 * significant digits name one double, so their texts keep its order) on
 * random pairs, and where doubles cannot tell. */
START_TEST(hnum_cmp_orders)
{
    static const struct {
        const char *a, *b;
        int want;
    } cases[] = {
        {"0", "-0.0", 0},
        {"1.50", "15e-1", 0},
        {"-1", "1", -1},
        {"-2", "-1", -1},
        {"0", "1e-400", -1},
        {"-1e-400", "0", -1},
        {"10", "9.99", 1},
        {"100", "1e2", 0},
        {"9007199254740993", "9007199254740992", 1},
        {"0.1", "0.1000000000000000000001", -1},
        {"-0.1", "-0.1000000000000000000001", 1},
        {"12345", "123450e-1", 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        sk_hnum x, y;
        ck_assert_int_eq(sk_hnum_read(cases[i].a, strlen(cases[i].a), &x), 0);
        ck_assert_int_eq(sk_hnum_read(cases[i].b, strlen(cases[i].b), &y), 0);
        ck_assert_msg(sk_hnum_cmp(&x, &y) == cases[i].want && sk_hnum_cmp(&y, &x) == -cases[i].want,
                      "%s vs %s", cases[i].a, cases[i].b);
        sk_hnum_free(&x);
        sk_hnum_free(&y);
    }
    unsigned long long state = 88172645463325252ULL;
    for (int i = 0; i < 20000; i++) {
        double d[2];
        char t[2][40];
        sk_hnum h[2];
        for (int k = 0; k < 2; k++) {
            state ^= state << 13, state ^= state >> 7, state ^= state << 17;
            /* Mostly ordinary magnitudes, both signs, some equal pairs. */
            double m = (double)(state >> 11) / 9007199254740992.0;
            int e = (int)((state >> 3) % 41) - 20;
            d[k] = ((state & 1) ? -m : m) * pow(10, e);
            if (k == 1 && (state & 6) == 0)
                d[1] = d[0];
            snprintf(t[k], sizeof t[k], "%.17g", d[k]);
            ck_assert_int_eq(sk_hnum_read(t[k], strlen(t[k]), &h[k]), 0);
        }
        int want = (d[0] > d[1]) - (d[0] < d[1]);
        ck_assert_msg(sk_hnum_cmp(&h[0], &h[1]) == want, "%s vs %s", t[0], t[1]);
        sk_hnum_free(&h[0]);
        sk_hnum_free(&h[1]);
    }
}
END_TEST

/* A difference a double cannot hold is still a difference. */
START_TEST(nd_exact_numbers)
{
    const sk_scorer_def *d = &sk_h_numeric_diff;
    const double below_one = nextafter(1.0, 0.0);
    sk_test_result r = run(d, NULL, "9007199254740993", "9007199254740992");
    ck_assert_int_eq(r.kind, SK_VERDICT_SCORE);
    ck_assert_msg(r.score == below_one, "score %.17g", r.score);
    ck_assert_str_eq(r.rationale,
                     "output 9007199254740993 vs expected 9007199254740992 (difference 1)");
    r = run(d, NULL, "\"9007199254740993\"", "\"9007199254740992\"");
    ck_assert(r.score == below_one);
    r = run(d, NULL, "123456789012345678901234567890123", "123456789012345678901234567890124");
    ck_assert(r.score == below_one);
    ck_assert_msg(strstr(r.rationale, "(difference 1)"), "rationale: %s", r.rationale);
    r = run(d, NULL, "0.3", "0.30000000000000001");
    ck_assert(r.score == below_one);
    ck_assert_msg(strstr(r.rationale, "(difference 1e-17)"), "rationale: %s", r.rationale);
    /* Equal values, however written, are exactly 1. */
    ck_assert(sk_test_value(d, NULL, "123456789012345678901234567890123",
                            "\"1.23456789012345678901234567890123e32\"") == 1.0);
    ck_assert(sk_test_value(d, NULL, "1.50", "15e-1") == 1.0);
    ck_assert(sk_test_value(d, NULL, "-0", "0") == 1.0);
    /* Doubles would see 0 and 0 here. */
    ASSERT_SCORE(d, NULL, "1e-400", "2e-400", 0.666667);
    r = run(d, NULL, "-2", "3");
    ck_assert_str_eq(r.rationale, "output -2 vs expected 3 (difference 5)");
    /* Thousands of digits apart: compared as doubles, still never 1. */
    ASSERT_SCORE(d, NULL, "1", "1e-5000", 0.0);
    enum { Z = 5000 };
    char *longer = malloc(Z + 8);
    strcpy(longer, "\"1.");
    memset(longer + 3, '0', Z);
    strcpy(longer + 3 + Z, "1\"");
    r = run(d, NULL, longer, "1");
    ck_assert(r.score == below_one);
    free(longer);
    /* json_diff's numbers follow the same rule. */
    r = run(&sk_h_json_diff, NULL, "{\"a\": 9007199254740993}", "{\"a\": 9007199254740992}");
    ck_assert(r.score == below_one);
    ck_assert_msg(strstr(r.rationale, "(0.99999999999999989)"), "rationale: %s", r.rationale);
    ck_assert(sk_test_value(&sk_h_json_diff, NULL, "[1.50]", "[15e-1]") == 1.0);
    ck_assert(sk_test_value(&sk_h_list_contains, NULL, "[9007199254740993]", "[9007199254740992]") <
              1.0);
}
END_TEST

START_TEST(nd_strings)
{
    const sk_scorer_def *d = &sk_h_numeric_diff;
    ASSERT_SCORE(d, NULL, "\"3.5\"", "3.5", 1.0);
    ASSERT_SCORE(d, NULL, "\" 42\\n\"", "\"42\"", 1.0);
    ASSERT_SCORE(d, NULL, "\"1e3\"", "1000", 1.0);
    ASSERT_SCORE(d, NULL, "\"-1\"", "\"2\"", 0.0);
    assert_zero_because(d, NULL, "\"3.5 kg\"", "3.5", "not a number");
    assert_zero_because(d, NULL, "\"abc\"", "1", "the string \"abc\"");
    assert_zero_because(d, NULL, "\"\"", "1", "not a number");
    assert_zero_because(d, NULL, "\"1e999\"", "1", "too large");
    assert_zero_because(d, NULL, "\"nan\"", "1", "not a number");
    assert_zero_because(d, NULL, "{\"a\":1}", "1", "an object");
    assert_zero_because(d, NULL, "[1]", "1", "an array");
    assert_zero_because(d, NULL, "true", "1", "a boolean");
    assert_zero_because(d, NULL, "null", "1", "null");
}
END_TEST

START_TEST(nd_bad_expected)
{
    const sk_scorer_def *d = &sk_h_numeric_diff;
    assert_error(d, NULL, "1", "\"abc\"", "expected is not a number");
    assert_error(d, NULL, "1", "\"abc\"", "fix the row");
    assert_error(d, NULL, "1", "[1]", "an array");
    assert_error(d, NULL, "1", "\"\xE4\xB8\xAD\"", "expected is not a number");
    assert_error(d, NULL, "\"abc\"", "true", "a boolean"); /* expected is checked first */
}
END_TEST

/* ---- json_diff ---- */

START_TEST(jd_reference)
{
    const sk_scorer_def *d = &sk_h_json_diff;
    ASSERT_SCORE(d, NULL, "{\"a\":1}", "{\"a\":2}", 0.666667);
    ASSERT_SCORE(d, NULL, "{\"a\":1}", "[\"a\",1]", 0.571429);
    ASSERT_SCORE(d, NULL, "{\"a\":1}", "{\"b\":{\"a\":1}}", 0.0);
    ASSERT_SCORE(d, NULL, "[1,2]", "[2,1]", 0.666667);
    ASSERT_SCORE(d, NULL, "\"{\\\"x\\\": 1, \\\"y\\\": 2}\"", "\"{\\\"x\\\": 1, \\\"z\\\": 2}\"",
                 0.333333);
}
END_TEST

START_TEST(jd_types)
{
    const sk_scorer_def *d = &sk_h_json_diff;
    ASSERT_SCORE(d, NULL, "null", "null", 1.0);
    ASSERT_SCORE(d, NULL, "null", "1", 0.0);
    ASSERT_SCORE(d, NULL, "{}", "null", 0.0);
    ASSERT_SCORE(d, NULL, "true", "true", 1.0);
    ASSERT_SCORE(d, NULL, "true", "false", 0.0);
    ASSERT_SCORE(d, NULL, "true", "1", 0.0); /* "true" vs "1" by text */
    ASSERT_SCORE(d, NULL, "{}", "{}", 1.0);
    ASSERT_SCORE(d, NULL, "[]", "[]", 1.0);
    ASSERT_SCORE(d, NULL, "[]", "[1]", 0.0);
    ASSERT_SCORE(d, NULL, "{}", "[]", 0.0);
    ASSERT_SCORE(d, NULL, "{\"a\":null}", "{}", 0.0); /* a missing key scores 0 */
    ASSERT_SCORE(d, NULL, "{\"a\":null}", "{\"a\":null}", 1.0);
    ASSERT_SCORE(d, NULL, "\"ab\"", "\"ac\"", 0.5);
    ASSERT_SCORE(d, NULL, "\"42\"", "42", 0.5); /* a type mismatch: "\"42\"" vs "42" */
    ASSERT_SCORE(d, NULL, "[1,2,3]", "[1,2]", 0.666667);
    ASSERT_SCORE(d, NULL, "{\"a\":\"x\",\"b\":[1,{\"c\":true}]}",
                 "{\"b\":[1,{\"c\":true}],\"a\":\"x\"}", 1.0);
    ASSERT_SCORE(d, NULL, "{\"k\":\"\xF0\x9F\x98\x80\"}", "{\"k\":\"\xF0\x9F\x98\x81\"}", 0.0);
    ASSERT_SCORE(d, NULL, "{\"k\":\"caf\xC3\xA9\"}", "{\"k\":\"cafe\"}", 0.75);
}
END_TEST

START_TEST(jd_nested_strings)
{
    const sk_scorer_def *d = &sk_h_json_diff;
    /* Strings holding objects or arrays are parsed at any depth. */
    ASSERT_SCORE(d, NULL, "{\"a\":\"{\\\"b\\\":1}\"}", "{\"a\":{\"b\":1}}", 1.0);
    ASSERT_SCORE(d, NULL, "\"[1,2]\"", "[1,2]", 1.0);
    ASSERT_SCORE(d, NULL, "[\"[1, 2]\"]", "[[1,2]]", 1.0);
    /* A string that only looks like JSON stays a string. */
    ASSERT_SCORE(d, NULL, "\"[1, 2\"", "\"[1, 2\"", 1.0);
    sk_test_result r = run(d, NULL, "{\"a\":1}", "{\"a\":2}");
    ck_assert_msg(strstr(r.rationale, "1 of 1 values differ"), "rationale: %s", r.rationale);
    ck_assert_msg(strstr(r.rationale, "$.a"), "rationale: %s", r.rationale);
    r = run(d, NULL, "{\"a\":1}", "{\"b\":{\"a\":1}}");
    ck_assert_msg(strstr(r.rationale, "$.a: not in expected"), "rationale: %s", r.rationale);
    r = run(d, NULL, "{\"a\":1}", "{\"a\":1,\"b\":2}");
    ck_assert_str_eq(r.rationale, "1 of 2 values differ; lowest at $.b: missing in output");
    r = run(d, NULL, "{\"x\":[1,{\"y\":\"abc\"}]}", "{\"x\":[1,{\"y\":\"abd\"}]}");
    ck_assert_msg(strstr(r.rationale, "$.x[1].y"), "rationale: %s", r.rationale);
}
END_TEST

static char *nested_array(size_t depth, const char *leaf)
{
    size_t ll = strlen(leaf);
    char *s = malloc(2 * depth + ll + 1);
    memset(s, '[', depth);
    memcpy(s + depth, leaf, ll);
    memset(s + depth + ll, ']', depth);
    s[2 * depth + ll] = '\0';
    return s;
}

START_TEST(jd_deep)
{
    const sk_scorer_def *d = &sk_h_json_diff;
    char *a = nested_array(500, "1"), *b = nested_array(500, "2");
    ASSERT_SCORE(d, NULL, a, b, 0.666667);
    free(a);
    free(b);
    /* Deeper than the parser's limit (512, as for rows): never a crash, an
     * error for bad JSON. */
    a = nested_array(5000, "1");
    b = nested_array(5000, "1");
    sk_test_result r = run(d, NULL, a, b);
    ck_assert_int_eq(r.kind, SK_VERDICT_ERROR);
    free(a);
    free(b);
    /* A string holding JSON holding a string holding JSON ... */
    char *s = strdup("1");
    for (int level = 0; level < 12; level++) {
        char *lit = sk_test_jstr(s);
        size_t n = strlen(lit) + 3;
        char *arr = malloc(n);
        snprintf(arr, n, "[%s]", lit);
        free(lit);
        free(s);
        s = arr;
    }
    ASSERT_SCORE(d, NULL, s, s, 1.0);
    free(s);
}
END_TEST

START_TEST(jd_big)
{
    enum { N = 20000 };
    char *a = malloc(N * 8 + 3), *b = malloc(N * 8 + 3);
    size_t la = 0, lb = 0;
    a[la++] = b[lb++] = '[';
    for (int i = 0; i < N; i++) {
        la += (size_t)sprintf(a + la, "%s%d", i ? "," : "", i + 1);
        lb += (size_t)sprintf(b + lb, "%s%d", i ? "," : "", i < N / 2 ? i + 1 : -(i + 1));
    }
    a[la++] = b[lb++] = ']';
    a[la] = b[lb] = '\0';
    ASSERT_SCORE(&sk_h_json_diff, NULL, a, b, 0.5);
    free(a);
    free(b);
}
END_TEST

/* ---- list_contains ---- */

START_TEST(lc_reference)
{
    const sk_scorer_def *d = &sk_h_list_contains;
    ASSERT_SCORE(d, NULL, "[\"a\"]", "[\"a\",\"b\"]", 0.5);
    ASSERT_SCORE(d, NULL, "[]", "[]", 1.0);
    ASSERT_SCORE(d, NULL, "[]", "[\"a\"]", 0.0);
    ASSERT_SCORE(d, NULL, "[\"a\"]", "[]", 0.0);
    ASSERT_SCORE(d, NULL, "[\"b\",\"a\"]", "[\"a\",\"b\"]", 1.0);
    ASSERT_SCORE(d, NULL, "[\"a\",\"b\",\"c\"]", "[\"a\",\"b\"]", 0.666667);
    ASSERT_SCORE(d, "{\"allow_extra\": true}", "[\"a\",\"b\",\"c\"]", "[\"a\",\"b\"]", 1.0);
    ASSERT_SCORE(d, "{\"allow_extra\": true}", "[\"a\"]", "[\"a\",\"b\"]", 0.5);
    ASSERT_SCORE(d, NULL, "[\"ab\"]", "[\"ac\"]", 0.5);
    /* Non-string items by canonical JSON text; strings holding arrays. */
    ASSERT_SCORE(d, NULL, "[1, 2]", "[\"2\", \"1\"]", 1.0);
    ASSERT_SCORE(d, NULL, "[{\"b\":2,\"a\":1}]", "[{\"a\":1,\"b\":2}]", 1.0);
    ASSERT_SCORE(d, NULL, "\"[\\\"a\\\", \\\"b\\\"]\"", "[\"b\",\"a\"]", 1.0);
    ASSERT_SCORE(d, NULL, "[\"b\",\"a\"]", "\"[\\\"a\\\", \\\"b\\\"]\"", 1.0);
    ASSERT_SCORE(d, NULL, "[\"\xF0\x9F\x98\x80\"]", "[\"\xF0\x9F\x98\x81\"]", 0.0);
    ASSERT_SCORE(d, NULL, "[\"caf\xC3\xA9\", \"\xE4\xB8\xAD\"]", "[\"\xE4\xB8\xAD\", \"cafe\"]",
                 0.875);
}
END_TEST

START_TEST(lc_shapes)
{
    const sk_scorer_def *d = &sk_h_list_contains;
    assert_zero_because(d, NULL, "\"a, b\"", "[\"a\",\"b\"]", "output is not a list");
    assert_zero_because(d, NULL, "{\"a\":1}", "[\"a\"]", "an object");
    assert_zero_because(d, NULL, "\"{\\\"a\\\":1}\"", "[\"a\"]", "a string");
    assert_zero_because(d, NULL, "3", "[3]", "a number");
    assert_error(d, NULL, "[\"a\"]", "\"a\"", "expected is not a list");
    assert_error(d, NULL, "[\"a\"]", "{\"a\":1}", "an object");
    assert_error(d, NULL, "[\"a\"]", "7", "fix the row");

    /* Past the size limit: an error naming it. */
    size_t n = 1001;
    char *big = malloc(n * 2 + 3);
    size_t k = 0;
    big[k++] = '[';
    for (size_t i = 0; i < n; i++) {
        if (i)
            big[k++] = ',';
        big[k++] = '1';
    }
    big[k++] = ']';
    big[k] = '\0';
    assert_error(d, NULL, big, "[1]", "at most 1000 items");
    assert_error(d, NULL, "[1]", big, "expected has 1001 items");
    free(big);
}
END_TEST

START_TEST(lc_rationale)
{
    const sk_scorer_def *d = &sk_h_list_contains;
    sk_test_result r = run(d, NULL, "[\"apple\", \"pear\"]", "[\"apple\", \"zzz\", \"peach\"]");
    ck_assert_msg(strstr(r.rationale, "1 of 3 expected items matched exactly"), "%s", r.rationale);
    ck_assert_msg(strstr(r.rationale, "unmatched: \"zzz\""), "%s", r.rationale);
    ck_assert_msg(strstr(r.rationale, "expected \"peach\" ~ output \"pear\""), "%s", r.rationale);
    r = run(d, NULL, "[\"a\", \"b\", \"c\"]", "[\"a\"]");
    ck_assert_msg(strstr(r.rationale, "2 extra output items"), "%s", r.rationale);
}
END_TEST

/* The matching must be optimal, not greedy: compare with brute force over
 * all one-to-one pairings on random small lists. */
static double brute(const char **o, size_t no, const char **e, size_t ne, int *used, size_t i)
{
    if (i == no)
        return 0.0;
    double best = brute(o, no, e, ne, used, i + 1); /* o[i] left unpaired */
    for (size_t j = 0; j < ne; j++) {
        if (used[j])
            continue;
        used[j] = 1;
        double s = sk_levenshtein_similarity(o[i], strlen(o[i]), e[j], strlen(e[j])) +
                   brute(o, no, e, ne, used, i + 1);
        used[j] = 0;
        if (s > best)
            best = s;
    }
    return best;
}

START_TEST(lc_optimal)
{
    static const char *words[] = {"ab", "abc", "abcd", "b", "bc", "bcd", "cd", "a", "xyz", "axc"};
    unsigned seed = 12345;
    /* Greedy pairs "abc" with "abc" first and is left with "ab" ~ "bc" (0):
     * 0.5.  The best pairing is "ab" ~ "abc" and "abc" ~ "bc": 2/3 each. */
    ASSERT_SCORE(&sk_h_list_contains, NULL, "[\"ab\", \"abc\"]", "[\"abc\", \"bc\"]", 0.666667);
    for (int iter = 0; iter < 300; iter++) {
        const char *o[6], *e[6];
        size_t no = 1 + (seed = seed * 1103515245 + 12345) / 65536 % 6;
        size_t ne = 1 + (seed = seed * 1103515245 + 12345) / 65536 % 6;
        char oj[256] = "[", ej[256] = "[";
        for (size_t i = 0; i < no; i++) {
            o[i] = words[(seed = seed * 1103515245 + 12345) / 65536 % 10];
            snprintf(oj + strlen(oj), sizeof oj - strlen(oj), "%s\"%s\"", i ? "," : "", o[i]);
        }
        for (size_t i = 0; i < ne; i++) {
            e[i] = words[(seed = seed * 1103515245 + 12345) / 65536 % 10];
            snprintf(ej + strlen(ej), sizeof ej - strlen(ej), "%s\"%s\"", i ? "," : "", e[i]);
        }
        strcat(oj, "]");
        strcat(ej, "]");
        int used[6] = {0};
        double want = brute(o, no, e, ne, used, 0) / (double)(no > ne ? no : ne);
        double got = sk_test_value(&sk_h_list_contains, NULL, oj, ej);
        ck_assert_msg(fabs(got - want) < 1e-9, "%s vs %s: %f, brute force %f", oj, ej, got, want);
    }
}
END_TEST

START_TEST(lc_large)
{
    enum { N = 300 };
    char *a = malloc(N * 16), *b = malloc(N * 16);
    size_t la = 0, lb = 0;
    a[la++] = b[lb++] = '[';
    for (int i = 0; i < N; i++) {
        la += (size_t)sprintf(a + la, "%s\"item %d\"", i ? "," : "", i);
        lb += (size_t)sprintf(b + lb, "%s\"item %d\"", i ? "," : "", N - 1 - i);
    }
    a[la++] = b[lb++] = ']';
    a[la] = b[lb] = '\0';
    ASSERT_SCORE(&sk_h_list_contains, NULL, a, b, 1.0);
    free(a);
    free(b);
}
END_TEST

/* ---- thread safety: two threads, one state per scorer ---- */

typedef struct tcase {
    const sk_scorer_def *def;
    const char *out, *exp;
    double want;
} tcase;

static const tcase tcases[] = {
    {&sk_h_levenshtein, "\"xabxcdxxefxgx\"", "\"1ab2cd34ef5g6\"", 0.538462},
    {&sk_h_levenshtein, "\"\xE4\xB8\xAD\xE6\x96\x87\"", "\"\xE4\xB8\xAD\"", 0.5},
    {&sk_h_exact_match, "\"{\\\"a\\\":1}\"", "{\"a\":1}", 1.0},
    {&sk_h_exact_match, "\"Paris\"", "\"paris\"", 0.0},
    {&sk_h_numeric_diff, "105", "100", 0.97561},
    {&sk_h_json_diff, "{\"a\":1}", "[\"a\",1]", 0.571429},
    {&sk_h_json_diff, "[1,2]", "[2,1]", 0.666667},
    {&sk_h_list_contains, "[\"a\"]", "[\"a\",\"b\"]", 0.5},
    {&sk_h_list_contains, "[\"ab\", \"abc\"]", "[\"abc\", \"bc\"]", 0.666667},
};
enum { NT = sizeof tcases / sizeof tcases[0] };

static void *states[NALL];

static void *state_of(const sk_scorer_def *d)
{
    for (size_t i = 0; i < NALL; i++)
        if (all[i] == d)
            return states[i];
    return NULL;
}

static void *worker(void *arg)
{
    size_t *bad = arg;
    for (int iter = 0; iter < 300; iter++)
        for (size_t k = 0; k < NT; k++) {
            const tcase *t = &tcases[(k + (size_t)iter) % NT];
            sk_test_result r = sk_test_score_state(t->def, state_of(t->def), t->out, t->exp);
            if (r.kind != SK_VERDICT_SCORE || fabs(round(r.score * 1e6) / 1e6 - t->want) > 1e-6)
                (*bad)++;
        }
    return NULL;
}

START_TEST(threads)
{
    char err[256];
    for (size_t i = 0; i < NALL; i++)
        ck_assert_int_eq(sk_test_open(all[i], NULL, &states[i], err, sizeof err), 0);
    pthread_t th[2];
    size_t bad[2] = {0, 0};
    for (int i = 0; i < 2; i++)
        ck_assert_int_eq(pthread_create(&th[i], NULL, worker, &bad[i]), 0);
    for (int i = 0; i < 2; i++)
        pthread_join(th[i], NULL);
    for (size_t i = 0; i < NALL; i++)
        sk_test_close(all[i], states[i]);
    ck_assert_uint_eq(bad[0], 0);
    ck_assert_uint_eq(bad[1], 0);
}
END_TEST

static Suite *similarity_suite(void)
{
    Suite *s = suite_create("similarity");
    TCase *t = tcase_create("common");
    tcase_add_test(t, definitions);
    tcase_add_test(t, params_rejected);
    tcase_add_test(t, no_expected_skips);
    suite_add_tcase(s, t);

    t = tcase_create("levenshtein");
    tcase_set_timeout(t, 300);
    tcase_add_test(t, lev_reference);
    tcase_add_test(t, lev_autoevals_parity);
    tcase_add_test(t, lev_unicode);
    tcase_add_test(t, lev_params_and_text);
    tcase_add_test(t, lev_long);
    suite_add_tcase(s, t);

    t = tcase_create("exact_match");
    tcase_set_timeout(t, 300);
    tcase_add_test(t, em_text);
    tcase_add_test(t, em_params);
    tcase_add_test(t, em_json);
    tcase_add_test(t, em_exact_numbers);
    tcase_add_test(t, em_huge);
    suite_add_tcase(s, t);

    t = tcase_create("numeric_diff");
    tcase_add_test(t, nd_reference);
    tcase_add_test(t, nd_exact_numbers);
    tcase_add_test(t, hnum_cmp_orders);
    tcase_add_test(t, nd_strings);
    tcase_add_test(t, nd_bad_expected);
    suite_add_tcase(s, t);

    t = tcase_create("json_diff");
    tcase_set_timeout(t, 300);
    tcase_add_test(t, jd_reference);
    tcase_add_test(t, jd_types);
    tcase_add_test(t, jd_nested_strings);
    tcase_add_test(t, jd_deep);
    tcase_add_test(t, jd_big);
    suite_add_tcase(s, t);

    t = tcase_create("list_contains");
    tcase_set_timeout(t, 300);
    tcase_add_test(t, lc_reference);
    tcase_add_test(t, lc_shapes);
    tcase_add_test(t, lc_rationale);
    tcase_add_test(t, lc_optimal);
    tcase_add_test(t, lc_large);
    suite_add_tcase(s, t);

    t = tcase_create("threads");
    tcase_set_timeout(t, 300);
    tcase_add_test(t, threads);
    suite_add_tcase(s, t);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(similarity_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
