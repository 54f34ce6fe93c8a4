/*
 * Tests of the text library: UTF-8 decoding rules, and the bit-parallel
 * edit distance checked against a plain O(nm) dynamic programme on
 * thousands of random pairs, the 64-bit block boundaries, and inputs long
 * enough that only the fast algorithm finishes.
 */
#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/text/levenshtein.h"
#include "base/text/utf8.h"

/* ---- reference implementation and random input ---- */

static size_t dp_distance(const uint32_t *a, size_t na, const uint32_t *b, size_t nb)
{
    size_t *row = malloc((nb + 1) * sizeof *row);
    for (size_t j = 0; j <= nb; j++)
        row[j] = j;
    for (size_t i = 1; i <= na; i++) {
        size_t diag = row[0];
        row[0] = i;
        for (size_t j = 1; j <= nb; j++) {
            size_t up = row[j];
            size_t best = diag + (a[i - 1] != b[j - 1]);
            if (up + 1 < best)
                best = up + 1;
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            row[j] = best;
            diag = up;
        }
    }
    size_t d = row[nb];
    free(row);
    return d;
}

static uint64_t rng_state = 0x9E3779B97F4A7C15ull;

static uint32_t rnd(uint32_t n)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return (uint32_t)(rng_state % n);
}

/* Alphabets: small ones make matches likely, so the distance is not just
 * max(n, m); the wide one mixes 1- to 4-byte characters. */
static const uint32_t ascii_alpha[] = {'a', 'b', 'c', 'd', 'A', 'B', ' ', '\0'};
static const uint32_t wide_alpha[] = {'a',    'b',    'x',     0xE9,    0x3A3,    0x4E2D,
                                      0x6587, 0xAC00, 0x1F600, 0x1F601, 0x10FFFF, 'B'};

static size_t random_cps(uint32_t *out, size_t n, const uint32_t *alpha, size_t nalpha)
{
    for (size_t i = 0; i < n; i++)
        out[i] = alpha[rnd((uint32_t)nalpha)];
    return n;
}

/* A copy of src with k random edits, so pairs are similar, as in scoring. */
static size_t mutate(const uint32_t *src, size_t n, uint32_t *out, size_t k, const uint32_t *alpha,
                     size_t nalpha)
{
    size_t m = n;
    memcpy(out, src, n * sizeof *out);
    for (size_t e = 0; e < k; e++) {
        uint32_t op = rnd(3);
        if (op == 0 || m == 0) { /* insert */
            size_t at = rnd((uint32_t)m + 1);
            memmove(out + at + 1, out + at, (m - at) * sizeof *out);
            out[at] = alpha[rnd((uint32_t)nalpha)];
            m++;
        } else if (op == 1) { /* delete */
            size_t at = rnd((uint32_t)m);
            memmove(out + at, out + at + 1, (m - at - 1) * sizeof *out);
            m--;
        } else {
            out[rnd((uint32_t)m)] = alpha[rnd((uint32_t)nalpha)];
        }
    }
    return m;
}

static size_t encode_all(const uint32_t *cps, size_t n, char *out)
{
    size_t len = 0;
    for (size_t i = 0; i < n; i++)
        len += sk_utf8_encode(cps[i], out + len);
    return len;
}

static uint32_t fold_ascii(uint32_t c)
{
    return c >= 'A' && c <= 'Z' ? c + 32 : c;
}

/* Check every entry point on one pair against the reference. */
static void check_pair(const uint32_t *a, size_t na, const uint32_t *b, size_t nb)
{
    char *sa = malloc(4 * na + 1), *sb = malloc(4 * nb + 1);
    size_t la = encode_all(a, na, sa), lb = encode_all(b, nb, sb);
    size_t want = dp_distance(a, na, b, nb);

    ck_assert_uint_eq(sk_levenshtein_cp(a, na, b, nb), want);
    ck_assert_uint_eq(sk_levenshtein_cp(b, nb, a, na), want);
    size_t ca = 0, cb = 0;
    ck_assert_uint_eq(sk_levenshtein_ex(sa, la, sb, lb, 0, &ca, &cb), want);
    ck_assert_uint_eq(ca, na);
    ck_assert_uint_eq(cb, nb);
    ck_assert_uint_eq(sk_levenshtein(sb, lb, sa, la), want);

    uint32_t *fa = malloc((na + 1) * sizeof *fa), *fb = malloc((nb + 1) * sizeof *fb);
    for (size_t i = 0; i < na; i++)
        fa[i] = fold_ascii(a[i]);
    for (size_t i = 0; i < nb; i++)
        fb[i] = fold_ascii(b[i]);
    ck_assert_uint_eq(sk_levenshtein_ex(sa, la, sb, lb, SK_LEV_IGNORE_CASE, NULL, NULL),
                      dp_distance(fa, na, fb, nb));
    free(fa);
    free(fb);
    free(sa);
    free(sb);
}

/* ---- UTF-8 ---- */

static size_t decode_str(const char *s, size_t n, uint32_t *out)
{
    size_t k = sk_utf8_decode(s, n, out);
    ck_assert_uint_eq(sk_utf8_count(s, n), k);
    return k;
}

START_TEST(utf8_valid)
{
    uint32_t out[16];
    /* a, é, 中, 😀 */
    const char *s = "a\xC3\xA9\xE4\xB8\xAD\xF0\x9F\x98\x80";
    ck_assert_uint_eq(decode_str(s, strlen(s), out), 4);
    ck_assert_uint_eq(out[0], 'a');
    ck_assert_uint_eq(out[1], 0xE9);
    ck_assert_uint_eq(out[2], 0x4E2D);
    ck_assert_uint_eq(out[3], 0x1F600);
    /* The boundaries of each length. */
    const char *edges =
        "\x7F\xC2\x80\xDF\xBF\xE0\xA0\x80\xEF\xBF\xBF\xF0\x90\x80\x80\xF4\x8F\xBF\xBF";
    ck_assert_uint_eq(decode_str(edges, strlen(edges), out), 7);
    ck_assert_uint_eq(out[0], 0x7F);
    ck_assert_uint_eq(out[1], 0x80);
    ck_assert_uint_eq(out[2], 0x7FF);
    ck_assert_uint_eq(out[3], 0x800);
    ck_assert_uint_eq(out[4], 0xFFFF);
    ck_assert_uint_eq(out[5], 0x10000);
    ck_assert_uint_eq(out[6], 0x10FFFF);
    /* A NUL byte is an ordinary character. */
    ck_assert_uint_eq(decode_str("a\0b", 3, out), 3);
    ck_assert_uint_eq(out[1], 0);
}
END_TEST

START_TEST(utf8_invalid)
{
    uint32_t out[16];
    static const struct {
        const char *s;
        size_t n;
    } bad[] = {
        {"\xC0\x80", 2},         /* overlong NUL */
        {"\xC1\xBF", 2},         /* overlong */
        {"\xE0\x80\x80", 3},     /* overlong 3-byte */
        {"\xED\xA0\x80", 3},     /* surrogate U+D800 */
        {"\xF0\x80\x80\x80", 4}, /* overlong 4-byte */
        {"\xF4\x90\x80\x80", 4}, /* above U+10FFFF */
        {"\xF5\x80\x80\x80", 4}, /* never a lead byte */
        {"\x80\xBF", 2},         /* lone continuations */
        {"\xFF\xFE", 2},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        size_t k = decode_str(bad[i].s, bad[i].n, out);
        ck_assert_uint_eq(k, bad[i].n); /* one U+FFFD per byte */
        for (size_t j = 0; j < k; j++)
            ck_assert_uint_eq(out[j], SK_UTF8_REPLACEMENT);
    }
    /* Truncated sequences: each byte on its own, then the next char. */
    ck_assert_uint_eq(decode_str("\xE2\x82"
                                 "a",
                                 3, out),
                      3);
    ck_assert_uint_eq(out[0], SK_UTF8_REPLACEMENT);
    ck_assert_uint_eq(out[1], SK_UTF8_REPLACEMENT);
    ck_assert_uint_eq(out[2], 'a');
    ck_assert_uint_eq(decode_str("\xF0\x9F\x98", 3, out), 3);
    ck_assert_uint_eq(decode_str("", 0, out), 0);
}
END_TEST

START_TEST(utf8_encode_roundtrip)
{
    static const uint32_t cps[] = {0,    'A',    0x7F,    0x80,    0x7FF,   0x800,
                                   0xE9, 0xFFFF, 0x10000, 0x1F600, 0x10FFFF};
    for (size_t i = 0; i < sizeof cps / sizeof cps[0]; i++) {
        char buf[4];
        uint32_t back;
        size_t n = sk_utf8_encode(cps[i], buf);
        ck_assert_uint_eq(sk_utf8_next(buf, n, &back), n);
        ck_assert_uint_eq(back, cps[i]);
    }
    char buf[4];
    uint32_t back;
    ck_assert_uint_eq(sk_utf8_encode(0xD800, buf), 3); /* a surrogate becomes U+FFFD */
    sk_utf8_next(buf, 3, &back);
    ck_assert_uint_eq(back, SK_UTF8_REPLACEMENT);
    ck_assert_uint_eq(sk_utf8_encode(0x110000, buf), 3);
}
END_TEST

START_TEST(utf8_ascii_check)
{
    char buf[40];
    memset(buf, 'x', sizeof buf);
    ck_assert_int_eq(sk_utf8_is_ascii(buf, sizeof buf), 1);
    ck_assert_int_eq(sk_utf8_is_ascii(buf, 0), 1);
    for (size_t i = 0; i < sizeof buf; i++) {
        buf[i] = (char)0x80;
        ck_assert_int_eq(sk_utf8_is_ascii(buf, sizeof buf), 0);
        ck_assert_int_eq(sk_utf8_is_ascii(buf, i), 1);
        buf[i] = 'x';
    }
}
END_TEST

/* Validity and repair agree with decoding: a text is valid when it
 * decodes without a replacement it did not spell, and its repair decodes
 * to the same code points. */
START_TEST(utf8_valid_and_repair)
{
    static const struct {
        const char *s;
        size_t n;
        int valid;
        const char *fixed;
    } cases[] = {
        {"", 0, 1, ""},
        {"plain", 5, 1, "plain"},
        {"caf\xC3\xA9 \xF0\x9F\x98\x80", 10, 1, "caf\xC3\xA9 \xF0\x9F\x98\x80"},
        {"\xEF\xBF\xBD", 3, 1, "\xEF\xBF\xBD"}, /* U+FFFD itself is valid */
        {"bad \xFF\xFE bytes", 12, 0, "bad \xEF\xBF\xBD\xEF\xBF\xBD bytes"},
        {"\xC0\x80", 2, 0, "\xEF\xBF\xBD\xEF\xBF\xBD"},                 /* overlong NUL */
        {"\xED\xA0\x80", 3, 0, "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD"}, /* surrogate */
        {"tail \xE2\x82", 7, 0, "tail \xEF\xBF\xBD\xEF\xBF\xBD"},       /* truncated */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        ck_assert_int_eq(sk_utf8_is_valid(cases[i].s, cases[i].n), cases[i].valid);
        char out[64];
        size_t m = sk_utf8_repair(cases[i].s, cases[i].n, out);
        ck_assert_uint_eq(m, strlen(cases[i].fixed));
        ck_assert(memcmp(out, cases[i].fixed, m) == 0);
        ck_assert_int_eq(sk_utf8_is_valid(out, m), 1);
        uint32_t a[64], b[64];
        ck_assert_uint_eq(sk_utf8_decode(cases[i].s, cases[i].n, a), sk_utf8_decode(out, m, b));
        ck_assert(memcmp(a, b, sk_utf8_decode(out, m, b) * sizeof *a) == 0);
    }
}
END_TEST

/* The count skips ASCII a word at a time: a sequence (or a stray byte) at
 * every offset, and ASCII runs on both sides of it, must count the same. */
START_TEST(utf8_count_words)
{
    char buf[40];
    for (size_t i = 0; i + 2 <= sizeof buf; i++) {
        memset(buf, 'x', sizeof buf);
        memcpy(buf + i, "\xC3\xA9", 2); /* é */
        ck_assert_uint_eq(sk_utf8_count(buf, sizeof buf), sizeof buf - 1);
        ck_assert_uint_eq(sk_utf8_count(buf, i + 1), i + 1); /* cut inside: one U+FFFD */
        buf[i] = (char)0x80;                                 /* two stray continuations */
        ck_assert_uint_eq(sk_utf8_count(buf, sizeof buf), sizeof buf);
    }
}
END_TEST

/* ---- edit distance ---- */

static size_t lev_str(const char *a, const char *b)
{
    return sk_levenshtein(a, strlen(a), b, strlen(b));
}

START_TEST(lev_small)
{
    ck_assert_uint_eq(lev_str("", ""), 0);
    ck_assert_uint_eq(lev_str("", "abc"), 3);
    ck_assert_uint_eq(lev_str("kitten", "sitting"), 3);
    ck_assert_uint_eq(lev_str("flaw", "lawn"), 2);
    ck_assert_uint_eq(lev_str("caf\xC3\xA9", "cafe"), 1);  /* é is one char */
    ck_assert_uint_eq(lev_str("\xC3\xA9", "\xC3\xA8"), 1); /* é vs è share a lead byte */
    ck_assert_uint_eq(lev_str("\xF0\x9F\x98\x80", "\xF0\x9F\x98\x81"), 1); /* 😀 vs 😁 */
    ck_assert_uint_eq(lev_str("\xE4\xB8\xAD\xE6\x96\x87", "\xE4\xB8\xAD"), 1);
    /* Invalid bytes count as one U+FFFD each, also across the cut. */
    ck_assert_uint_eq(sk_levenshtein("\xC3", 1, "\xC3\xA9", 2), 1);
    ck_assert_uint_eq(sk_levenshtein("\xC3"
                                     "A",
                                     2, "\xC3\xA9", 2),
                      2);
    ck_assert_uint_eq(sk_levenshtein("\x80\x80", 2, "\x80", 1), 1);
    ck_assert_uint_eq(sk_levenshtein("a\0b", 3, "a\0c", 3), 1);

    size_t la, lb;
    ck_assert_uint_eq(sk_levenshtein_ex("Hello", 5, "hELLO", 5, SK_LEV_IGNORE_CASE, &la, &lb), 0);
    ck_assert_uint_eq(la, 5);
    ck_assert_uint_eq(sk_levenshtein_ex("\xC3\x89t\xC3\xA9", 5, "\xC3\xA9T\xC3\xA9", 5,
                                        SK_LEV_IGNORE_CASE, &la, &lb),
                      1); /* É/é is not ASCII: not folded */
    ck_assert_uint_eq(la, 3);
    ck_assert_uint_eq(lb, 3);
}
END_TEST

START_TEST(lev_similarity)
{
    ck_assert_double_eq(sk_levenshtein_similarity("", 0, "", 0), 1.0);
    ck_assert_double_eq(sk_levenshtein_similarity("", 0, "a", 1), 0.0);
    ck_assert_double_eq(sk_levenshtein_similarity("ab", 2, "ac", 2), 0.5);
    /* Same floating-point steps as autoevals: 1 - 18/20 exactly as it has it. */
    const char *o = "Found new su", *e = "Set back took light?";
    ck_assert_double_eq(sk_levenshtein_similarity(o, strlen(o), e, strlen(e)), 1.0 - 18.0 / 20.0);
    ck_assert_double_eq(sk_levenshtein_similarity_ex("AB", 2, "ab", 2, SK_LEV_IGNORE_CASE), 1.0);
}
END_TEST

enum { MAXN = 300 };

START_TEST(lev_random_ascii)
{
    uint32_t a[MAXN + 64], b[MAXN + 128];
    size_t na_alpha = sizeof ascii_alpha / sizeof ascii_alpha[0];
    for (int iter = 0; iter < 2500; iter++) {
        size_t na = random_cps(a, rnd(MAXN + 1), ascii_alpha, na_alpha - (iter & 1));
        size_t nb;
        if (iter % 3 == 0)
            nb = random_cps(b, rnd(MAXN + 1), ascii_alpha, na_alpha);
        else
            nb = mutate(a, na, b, rnd(40), ascii_alpha, na_alpha);
        check_pair(a, na, b, nb);
    }
}
END_TEST

START_TEST(lev_random_wide)
{
    uint32_t a[MAXN + 64], b[MAXN + 128];
    size_t nw = sizeof wide_alpha / sizeof wide_alpha[0];
    for (int iter = 0; iter < 2500; iter++) {
        size_t na = random_cps(a, rnd(MAXN + 1), wide_alpha, nw);
        size_t nb;
        if (iter % 3 == 0)
            nb = random_cps(b, rnd(MAXN + 1), wide_alpha, nw);
        else
            nb = mutate(a, na, b, rnd(40), wide_alpha, nw);
        check_pair(a, na, b, nb);
    }
}
END_TEST

/* Many distinct wide characters in one block exercise the hash probing. */
START_TEST(lev_random_many_distinct)
{
    uint32_t alpha[200];
    for (size_t i = 0; i < 200; i++)
        alpha[i] = (i % 4 == 0) ? 'a' + (uint32_t)(i % 26) : 0x4E00 + (uint32_t)i * 7;
    uint32_t a[MAXN + 64], b[MAXN + 128];
    for (int iter = 0; iter < 500; iter++) {
        size_t na = random_cps(a, rnd(MAXN + 1), alpha, 200);
        size_t nb = iter & 1 ? mutate(a, na, b, rnd(60), alpha, 200)
                             : random_cps(b, rnd(MAXN + 1), alpha, 200);
        check_pair(a, na, b, nb);
    }
}
END_TEST

/* Patterns of several blocks with a few edits, where the scan first tries
 * a band around the diagonal: distances inside it, at its edge and beyond
 * it (then the full scan) must all be exact. */
START_TEST(lev_band)
{
    uint32_t a[400], b[400 + 40];
    for (int iter = 0; iter < 600; iter++) {
        const uint32_t *alpha = iter & 1 ? wide_alpha : ascii_alpha;
        size_t nal = iter & 1 ? sizeof wide_alpha / sizeof wide_alpha[0]
                              : sizeof ascii_alpha / sizeof ascii_alpha[0];
        size_t na = random_cps(a, 65 + rnd(300), alpha, nal - (iter & 2 ? 4 : 0));
        size_t nb = mutate(a, na, b, rnd(36), alpha, nal);
        check_pair(a, na, b, nb);
    }
}
END_TEST

START_TEST(lev_block_boundaries)
{
    static const size_t lens[] = {1, 63, 64, 65, 127, 128, 129, 191, 192, 193, 256, 257};
    size_t nl = sizeof lens / sizeof lens[0];
    uint32_t a[300], b[400];
    size_t nw = sizeof wide_alpha / sizeof wide_alpha[0];
    for (size_t i = 0; i < nl; i++)
        for (size_t j = 0; j < nl; j++)
            for (int rep = 0; rep < 4; rep++) {
                const uint32_t *alpha = rep & 1 ? wide_alpha : ascii_alpha;
                size_t nal = rep & 1 ? nw : sizeof ascii_alpha / sizeof ascii_alpha[0];
                random_cps(a, lens[i], alpha, nal);
                random_cps(b, lens[j], alpha, nal);
                check_pair(a, lens[i], b, lens[j]);
            }
    /* Identical but for one character at each boundary position. */
    for (size_t i = 0; i < nl; i++) {
        random_cps(a, lens[i], ascii_alpha, 4);
        for (size_t k = 0; k < lens[i]; k += (k < 2 || k + 3 > lens[i]) ? 1 : 31) {
            memcpy(b, a, lens[i] * sizeof *a);
            b[k] = 'z';
            check_pair(a, lens[i], b, lens[i]);
        }
    }
}
END_TEST

/* 100k code points each way: O(nm) would take minutes; this must finish.
 * The distance is bounded by the edits made, and both directions agree. */
START_TEST(lev_long)
{
    enum { N = 100000, EDITS = 500 };
    uint32_t *a = malloc(N * sizeof *a), *b = malloc((N + EDITS) * sizeof *b);
    size_t nw = sizeof wide_alpha / sizeof wide_alpha[0];
    random_cps(a, N, wide_alpha, nw);
    size_t nb = mutate(a, N, b, EDITS, wide_alpha, nw);
    size_t d = sk_levenshtein_cp(a, N, b, nb);
    ck_assert_uint_le(d, EDITS);
    ck_assert_uint_gt(d, 0);
    ck_assert_uint_eq(sk_levenshtein_cp(b, nb, a, N), d);

    char *sa = malloc(4 * N), *sb = malloc(4 * (N + EDITS));
    size_t la = encode_all(a, N, sa), lb = encode_all(b, nb, sb);
    ck_assert_uint_eq(sk_levenshtein(sa, la, sb, lb), d);

    /* ASCII, unrelated strings: the distance is at least the length gap. */
    for (size_t i = 0; i < N; i++) {
        sa[i] = (char)('a' + rnd(26));
        sb[i] = (char)('a' + rnd(26));
    }
    d = sk_levenshtein(sa, N, sb, N - 1000);
    ck_assert_uint_ge(d, 1000);
    ck_assert_uint_le(d, N);
    free(a);
    free(b);
    free(sa);
    free(sb);
}
END_TEST

/* The metered variant: the same distances over texts long enough to be
 * scanned in many slices, every unit of work reported (a text character
 * against each 64-character block of the pattern, plus the linear
 * passes), and a computation abandoned when the tick says stop. */
typedef struct tally {
    unsigned long long work;
    unsigned long long stop_after; /* stop once work passes this; 0: never */
    size_t reports;
} tally;

static int count_work(void *ud, unsigned long long work)
{
    tally *t = ud;
    t->work += work;
    t->reports++;
    return t->stop_after && t->work > t->stop_after;
}

START_TEST(lev_metered)
{
    enum { N = 150000 };
    static const size_t pats[] = {50, 300};
    uint32_t *a = malloc(300 * sizeof *a), *b = malloc(N * sizeof *b);
    char *sa = malloc(301), *sb = malloc(N + 1);
    for (size_t k = 0; k < 2; k++) {
        size_t na = pats[k];
        random_cps(a, na, ascii_alpha, 4);
        random_cps(b, N, ascii_alpha, 4);
        b[0] = 'z'; /* no common prefix or suffix: the scan is over the whole text */
        b[N - 1] = 'z';
        size_t la = encode_all(a, na, sa), lb = encode_all(b, N, sb);
        tally t = {0, 0, 0};
        size_t d = sk_levenshtein_metered(sa, la, sb, lb, 0, NULL, NULL, count_work, &t);
        ck_assert_uint_eq(d, dp_distance(a, na, b, N));
        unsigned long long scan = (unsigned long long)((na + 63) / 64) * N;
        ck_assert_uint_ge(t.work, scan);
        ck_assert_uint_le(t.work, scan + (la + lb) / 4 + 1);
        ck_assert_uint_ge(t.reports, scan / SK_LEV_TICK);

        tally stop = {0, 100000, 0};
        ck_assert_uint_eq(sk_levenshtein_metered(sa, la, sb, lb, 0, NULL, NULL, count_work, &stop),
                          SIZE_MAX);
        ck_assert_uint_le(stop.work, 100000 + SK_LEV_TICK + (la + lb) / 4);
        stop = (tally){0, 100000, 0};
        ck_assert(sk_levenshtein_similarity_metered(sa, la, sb, lb, 0, count_work, &stop) < 0);
    }
    free(a);
    free(b);
    free(sa);
    free(sb);
}
END_TEST

static Suite *text_suite(void)
{
    Suite *s = suite_create("text");
    TCase *u = tcase_create("utf8");
    tcase_add_test(u, utf8_valid);
    tcase_add_test(u, utf8_invalid);
    tcase_add_test(u, utf8_encode_roundtrip);
    tcase_add_test(u, utf8_ascii_check);
    tcase_add_test(u, utf8_valid_and_repair);
    tcase_add_test(u, utf8_count_words);
    suite_add_tcase(s, u);
    TCase *l = tcase_create("levenshtein");
    tcase_set_timeout(l, 600); /* valgrind runs are slow; no test asserts on time */
    tcase_add_test(l, lev_small);
    tcase_add_test(l, lev_similarity);
    tcase_add_test(l, lev_random_ascii);
    tcase_add_test(l, lev_random_wide);
    tcase_add_test(l, lev_random_many_distinct);
    tcase_add_test(l, lev_band);
    tcase_add_test(l, lev_block_boundaries);
    tcase_add_test(l, lev_long);
    tcase_add_test(l, lev_metered);
    suite_add_tcase(s, l);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(text_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
