/*
 * Parity with autoevals: Levenshtein scores of 40 rows of the W1 benchmark
 * (30 ASCII, every non-ASCII row of the first 200) against the scores
 * autoevals 0.0.132 computed for them (tests/fixtures/levenshtein_parity.jsonl,
 * field autoevals_levenshtein).  autoevals counts UTF-16 units and scorekit
 * code points; the two agree except on astral-plane characters (emoji),
 * which are one code point but two UTF-16 units.
 */
#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/fileutil.h"
#include "heuristic.h"
#include "run_suite.h"
#include "sk_test.h"

static int has_astral(const char *s)
{
    for (; *s; s++)
        if (((unsigned char)*s & 0xF8) == 0xF0)
            return 1;
    return 0;
}

START_TEST(levenshtein_matches_autoevals)
{
    const char *src = getenv("SK_SRCDIR");
    ck_assert_msg(src != NULL, "SK_SRCDIR is not set; run through make check");
    char *path = NULL, *text = NULL, *err = NULL;
    size_t len;
    path = malloc(strlen(src) + 64);
    sprintf(path, "%s/tests/fixtures/levenshtein_parity.jsonl", src);
    ck_assert_msg(sk_read_file(path, &text, &len, &err) == 0, "%s", err);
    size_t rows = 0, same = 0, astral = 0, non_ascii = 0;
    for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
        cJSON *row = cJSON_Parse(line);
        ck_assert_ptr_nonnull(row);
        const char *id = cJSON_GetObjectItem(row, "id")->valuestring;
        const char *out = cJSON_GetObjectItem(row, "output")->valuestring;
        const char *exp = cJSON_GetObjectItem(row, "expected")->valuestring;
        double ref = cJSON_GetObjectItem(row, "autoevals_levenshtein")->valuedouble;
        char *jo = sk_test_jstr(out), *je = sk_test_jstr(exp);
        double ours = sk_test_value(&sk_h_levenshtein, NULL, jo, je);
        int wide = has_astral(out) || has_astral(exp);
        int na = 0;
        for (const char *p = out; *p; p++)
            na |= (unsigned char)*p >= 0x80;
        for (const char *p = exp; *p; p++)
            na |= (unsigned char)*p >= 0x80;
        non_ascii += (size_t)na;
        if (wide) {
            astral++;
            ck_assert_msg(fabs(ours - ref) > 1e-9,
                          "%s: expected the documented UTF-16 difference, got equal %.17g", id,
                          ours);
        } else {
            ck_assert_msg(fabs(ours - ref) < 1e-12, "%s: scorekit %.17g, autoevals %.17g", id, ours,
                          ref);
            same++;
        }
        rows++;
        free(jo);
        free(je);
        cJSON_Delete(row);
    }
    ck_assert_uint_eq(rows, 40);
    ck_assert_uint_eq(non_ascii, 10);
    ck_assert_uint_eq(astral, 1); /* w1-00133 */
    ck_assert_uint_eq(same, 39);
    free(text);
    free(path);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("parity");
    TCase *tc = tcase_create("autoevals");
    tcase_add_test(tc, levenshtein_matches_autoevals);
    suite_add_tcase(s, tc);
    return sk_run_suite(s);
}
