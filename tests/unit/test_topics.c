/*
 * The pieces of `scorekit topics` against values worked out by hand (the
 * TF-IDF weights of a three-text corpus, silhouettes of points on a line,
 * adjusted Rand indices of small contingency tables, as sklearn's
 * adjusted_rand_score documents them) and a planted partition k-means must
 * find.
 */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/kmeans.h"
#include "analysis/tfidf.h"
#include "analysis/topics.h"
#include "base/error.h"
#include "base/util.h"
#include "base/verdict.h"
#include "run_suite.h"

static void near(double got, double want, double tol)
{
    ck_assert_msg(fabs(got - want) <= tol, "got %.17g, want %.17g", got, want);
}

/* The weight of term s in text d, 0 when absent. */
static double weight(const sk_tfidf *t, size_t d, const char *s)
{
    long term = sk_tfidf_find(t, s);
    for (size_t p = t->off[d]; term >= 0 && p < t->off[d + 1]; p++)
        if (t->idx[p] == (uint32_t)term)
            return t->val[p];
    return 0;
}

START_TEST(tfidf_by_hand)
{
    /* df: banana 3, apple 2, cherry 2, "banana cherry" 2; every other term
     * (date, "apple banana", "banana apple", "cherry apple") is in one
     * text and dropped.  idf(2) = ln(4/3) + 1 = 1.2876820724517808,
     * idf(3) = 1; text 0 has apple twice: (1 + ln 2) idf(2).  Each vector
     * then divided by its length. */
    const char *texts[] = {"Apple banana, the APPLE", "banana cherry apple date", "banana cherry"};
    sk_tfidf t;
    sk_tfidf_build(texts, 3, 0, 0, &t);
    ck_assert_uint_eq(t.nterms, 4);
    ck_assert_str_eq(sk_tfidf_term(&t, 0), "banana"); /* most texts first */
    ck_assert_str_eq(sk_tfidf_term(&t, 1), "apple");  /* then first seen */
    ck_assert_int_eq(sk_tfidf_find(&t, "date"), -1);
    ck_assert_int_eq(sk_tfidf_find(&t, "the"), -1);
    ck_assert_int_eq(sk_tfidf_find(&t, "banana apple"), -1);
    near(t.idf[1], 1.2876820724517808, 1e-15);
    near(t.idf[0], 1.0, 1e-15);
    near(weight(&t, 0, "apple"), 0.9089502251190739, 1e-12);
    near(weight(&t, 0, "banana"), 0.4169046512765058, 1e-12);
    near(weight(&t, 0, "cherry"), 0, 0);
    near(weight(&t, 1, "banana"), 0.40912286076708654, 1e-12);
    near(weight(&t, 1, "cherry"), 0.5268201732399633, 1e-12);
    near(weight(&t, 1, "apple"), 0.5268201732399633, 1e-12);
    near(weight(&t, 1, "banana cherry"), 0.5268201732399633, 1e-12);
    near(weight(&t, 2, "banana"), 0.48133416873660545, 1e-12);
    near(weight(&t, 2, "banana cherry"), 0.6198053799406072, 1e-12);
    /* Terms of each vector in increasing order. */
    for (size_t d = 0; d < 3; d++)
        for (size_t p = t.off[d] + 1; p < t.off[d + 1]; p++)
            ck_assert(t.idx[p - 1] < t.idx[p]);
    sk_tfidf_free(&t);
}
END_TEST

static void collect(void *ud, const char *s, size_t len)
{
    sk_buf *b = ud;
    sk_buf_add(b, s, len);
    sk_buf_addc(b, '|');
}

START_TEST(terms_of_scripts)
{
    sk_buf b = {0};
    /* A run of Han characters gives its bigrams and trigrams; a lone one
     * itself; Latin words and their pairs as usual, across punctuation. */
    sk_tfidf_each_term("東京都に住む Refund-policy 。x 猫", collect, &b);
    ck_assert_str_eq(b.data, "東京|京都|都に|に住|住む|東京都|京都に|都に住|に住む|refund|policy|"
                             "refund policy|猫|");
    sk_buf_free(&b);
}
END_TEST

/* Nine unit vectors around three axes, three each. */
static const size_t off9[] = {0, 2, 4, 6, 8, 10, 12, 14, 16, 18};
static const uint32_t idx9[] = {0, 1, 0, 1, 0, 2, 1, 2, 1, 0, 1, 2, 2, 0, 2, 1, 0, 2};

START_TEST(kmeans_planted)
{
    double a = cos(0.1), b = sin(0.1), c = cos(0.2), d = sin(0.2);
    /* Rows 0-2 near axis 0, 3-5 near axis 1, 6-8 near axis 2. */
    double val[] = {a, b, c, d, a, b, a, b, c, d, a, b, a, b, c, d, b, a};
    /* Row 8 is (b at 0, a at 2): still near axis 2. */
    sk_vecs x = {9, 3, off9, idx9, val};
    uint32_t lab[9];
    for (uint64_t seed = 1; seed <= 20; seed++) {
        double fit;
        sk_kmeans(&x, NULL, 9, 3, seed, 30, lab, NULL, &fit);
        for (int g = 0; g < 3; g++) {
            ck_assert_uint_eq(lab[3 * g], lab[3 * g + 1]);
            ck_assert_uint_eq(lab[3 * g], lab[3 * g + 2]);
        }
        ck_assert(lab[0] != lab[3] && lab[0] != lab[6] && lab[3] != lab[6]);
        ck_assert(fit > 8.9);
    }
    /* An all-zero vector has nothing to compare: group k. */
    static const size_t off2[] = {0, 1, 1};
    static const uint32_t idx2[] = {0};
    static const double val2[] = {1};
    sk_vecs y = {2, 1, off2, idx2, val2};
    uint32_t l2[2];
    sk_kmeans(&y, NULL, 2, 1, 7, 30, l2, NULL, NULL);
    ck_assert_uint_eq(l2[0], 0);
    ck_assert_uint_eq(l2[1], 1);
}
END_TEST

START_TEST(silhouette_by_hand)
{
    /* Points 0, 1, 4, 5 on a line, distance |x - y|. */
    const double pos[] = {0, 1, 4, 5};
    double dist[16];
    for (int i = 0; i < 4; i++)
        for (int j = 0; j < 4; j++)
            dist[i * 4 + j] = fabs(pos[i] - pos[j]);
    /* {0,1} {4,5}: s = 3.5/4.5, 2.5/3.5, 2.5/3.5, 3.5/4.5: mean 47/63. */
    const uint32_t two[] = {0, 0, 1, 1};
    near(sk_silhouette(dist, 4, two, 2), 47.0 / 63.0, 1e-12);
    /* {0,1,4} {5}: 0.5, 0.5, (1 - 3.5)/3.5, and 0 for the lone point:
     * mean 1/14. */
    const uint32_t lone[] = {0, 0, 0, 1};
    near(sk_silhouette(dist, 4, lone, 2), 1.0 / 14.0, 1e-12);
    /* One cluster: no silhouette; a label >= k is left out. */
    const uint32_t one[] = {0, 0, 0, 0};
    ck_assert(isnan(sk_silhouette(dist, 4, one, 1)));
    const uint32_t out[] = {0, 0, 1, 2};
    /* Without point 5: {0,1} {4}: (4 - 1)/4, (3 - 1)/3, 0: mean
     * (3/4 + 2/3) / 3. */
    near(sk_silhouette(dist, 4, out, 2), (3.0 / 4.0 + 2.0 / 3.0) / 3.0, 1e-12);
}
END_TEST

START_TEST(ari_known)
{
    const uint32_t a[] = {0, 0, 1, 1}, b[] = {0, 0, 1, 2}, c[] = {0, 1, 0, 1}, d[] = {5, 5, 3, 3};
    near(sk_ari(a, b, 4), 0.5714285714285715, 1e-12); /* = 4/7 */
    near(sk_ari(a, c, 4), -0.5, 1e-12);
    near(sk_ari(a, d, 4), 1.0, 0); /* labels' names do not matter */
    /* {0,0,0,1,1,1} vs {0,0,1,1,2,2}: index 2, expected 6 * 3 / 15, max
     * 4.5: (2 - 1.2) / (4.5 - 1.2) = 8/33. */
    const uint32_t e[] = {0, 0, 0, 1, 1, 1}, f[] = {0, 0, 1, 1, 2, 2};
    near(sk_ari(e, f, 6), 8.0 / 33.0, 1e-12);
}
END_TEST

START_TEST(topics_with_scores)
{
    const char *texts[] = {"refund order late",    "late refund for order", "password reset login",
                           "order refund missing", "login password broken", "reset password login"};
    /* Refund rows fail 2 of 3 (and score 0.2, 0.4, 0.9); password rows
     * pass (0.8, 1.0, 0.9). */
    const double mean[] = {0.2, 0.4, 0.8, 0.9, 1.0, 0.9};
    const int verdict[] = {SK_ROW_FAIL, SK_ROW_FAIL, SK_ROW_PASS,
                           SK_ROW_PASS, SK_ROW_PASS, SK_ROW_NO_VERDICT};
    const unsigned pass[] = {0, 0, 1, 1, 1, 1}, fail[] = {1, 1, 0, 0, 0, 0};
    sk_topic_scores sc = {1, mean, pass, fail, verdict};
    sk_topic_opts o = {.k = 2, .seed = 3};
    sk_topics *r = NULL;
    char *err = NULL;
    ck_assert_int_eq(sk_topics_find(texts, 6, &o, &sc, &r, &err), 0);
    ck_assert_uint_eq(r->ntopics, 2);
    /* The refund topic first: it fails 2 of its 3. */
    const sk_topic *t = &r->topics[0];
    ck_assert_uint_eq(t->size, 3);
    ck_assert_uint_eq(r->assign[0], 0);
    ck_assert_uint_eq(r->assign[1], 0);
    ck_assert_uint_eq(r->assign[3], 0);
    near(t->fail_rate, 2.0 / 3.0, 1e-12);
    near(t->mean[0], (0.2 + 0.4 + 0.9) / 3, 1e-12);
    near(t->scorer_fail[0], 2.0 / 3.0, 1e-12);
    ck_assert(strstr(t->label, "refund") || strstr(t->label, "order"));
    ck_assert(t->example == 0 || t->example == 1 || t->example == 3);
    /* The password topic: 2 rows with a verdict, none failing. */
    t = &r->topics[1];
    ck_assert_uint_eq(t->judged, 2);
    near(t->fail_rate, 0, 0);
    near(t->mean[0], 0.9, 1e-12);
    ck_assert(strstr(t->label, "password") || strstr(t->label, "login") ||
              strstr(t->label, "reset"));
    sk_topics_free(r);

    /* Too many topics, too few rows to choose. */
    o.k = 7;
    ck_assert_int_eq(sk_topics_find(texts, 6, &o, NULL, &r, &err), SK_EINVAL);
    ck_assert_ptr_nonnull(strstr(err, "more topics than the 6 rows"));
    free(err);
    err = NULL;
    o.k = 0;
    ck_assert_int_eq(sk_topics_find(texts, 3, &o, NULL, &r, &err), SK_EINVAL);
    ck_assert_ptr_nonnull(strstr(err, "give -k"));
    free(err);
}
END_TEST

START_TEST(topics_chosen_k)
{
    /* Two topics of 6 rows each, alike within (the words each row has
     * alone are dropped): with k = 2 every point sits on its cluster's
     * others (a = 0, b = 1), so its silhouette is 1, and no other k does
     * as well. */
    const char *texts[] = {"refund order alpha",    "refund order bravo",   "refund order charlie",
                           "refund order delta",    "refund order echo",    "refund order foxtrot",
                           "password reset golf",   "password reset hotel", "password reset india",
                           "password reset juliet", "password reset kilo",  "password reset lima"};
    sk_topic_opts o = {.seed = 1};
    sk_topics *r = NULL;
    char *err = NULL;
    ck_assert_int_eq(sk_topics_find(texts, 12, &o, NULL, &r, &err), 0);
    ck_assert_int_eq(r->k_chosen, 1);
    ck_assert_uint_eq(r->k, 2);
    ck_assert_uint_eq(r->kmax, 6);
    near(r->silhouette, 1.0, 1e-12);
    ck_assert(r->silhouettes[1] < 1.0); /* k = 3 */
    ck_assert_uint_eq(r->topics[0].size, 6);
    ck_assert_uint_eq(r->topics[1].size, 6);
    for (size_t i = 1; i < 12; i++)
        ck_assert_uint_eq(r->assign[i], r->assign[i < 6 ? 0 : 6]);
    sk_topics_free(r);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("topics");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, tfidf_by_hand);
    tcase_add_test(tc, terms_of_scripts);
    tcase_add_test(tc, kmeans_planted);
    tcase_add_test(tc, silhouette_by_hand);
    tcase_add_test(tc, ari_known);
    tcase_add_test(tc, topics_with_scores);
    tcase_add_test(tc, topics_chosen_k);
    suite_add_tcase(s, tc);
    return sk_run_suite(s);
}
