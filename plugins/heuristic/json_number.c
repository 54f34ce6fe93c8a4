/*
 * Numbers by their exact decimal value, for exact_match, numeric_diff and
 * json_diff.  A double holds 15 to 17 significant digits, so integers past
 * 2^53 (9007199254740993 reads as 9007199254740992) and long decimals
 * collapse into one value; comparing the written digits does not.  A number
 * is kept as sign, significant digits and the position of the decimal point,
 * which makes 1.50, 1.5 and 15e-1 one value and -0 the same as 0.
 * Contracts are in heuristic.h.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "heuristic.h"
#include "base/util.h"

/* Exponents beyond this are not read exactly (such a number is 0 or
 * infinite as a double anyway); callers fall back to doubles. */
#define EXP_LIMIT 1000000000LL

/* Widest aligned pair of numbers compared digit by digit: 1.5 vs 1e-9
 * needs 10 digits, 1 vs 1e-5000 needs 5001.  Wider pairs fall back to
 * doubles. */
#define WIDTH_LIMIT 4096

static int digit(char c)
{
    return c >= '0' && c <= '9';
}

int sk_hnum_read(const char *s, size_t n, sk_hnum *out)
{
    memset(out, 0, sizeof *out);
    size_t i = 0;
    int neg = 0;
    if (i < n && (s[i] == '+' || s[i] == '-'))
        neg = s[i++] == '-';
    size_t ib = i;
    while (i < n && digit(s[i]))
        i++;
    size_t ie = i, fb = i, fe = i;
    if (i < n && s[i] == '.') {
        fb = ++i;
        while (i < n && digit(s[i]))
            i++;
        fe = i;
    }
    if (ie == ib && fe == fb)
        return -1;
    long long exp = 0;
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        int eneg = i < n && s[i] == '-';
        if (i < n && (s[i] == '+' || s[i] == '-'))
            i++;
        size_t eb = i;
        for (; i < n && digit(s[i]); i++) {
            exp = exp * 10 + (s[i] - '0');
            if (exp > EXP_LIMIT)
                return -1;
        }
        if (i == eb)
            return -1;
        if (eneg)
            exp = -exp;
    }
    if (i != n)
        return -1;

    char *d = sk_xmalloc((ie - ib) + (fe - fb) + 1);
    size_t nd = 0;
    long long point = (long long)(ie - ib) + exp;
    for (size_t k = ib; k < ie; k++)
        d[nd++] = s[k];
    for (size_t k = fb; k < fe; k++)
        d[nd++] = s[k];
    size_t lead = 0;
    while (lead < nd && d[lead] == '0')
        lead++;
    point -= (long long)lead;
    memmove(d, d + lead, nd - lead);
    nd -= lead;
    while (nd > 0 && d[nd - 1] == '0')
        nd--;
    d[nd] = '\0';
    out->neg = nd ? neg : 0;
    out->digits = d;
    out->n = nd;
    out->point = nd ? point : 0;
    return 0;
}

void sk_hnum_free(sk_hnum *x)
{
    free(x->digits);
    x->digits = NULL;
}

int sk_hnum_equal(const sk_hnum *a, const sk_hnum *b)
{
    return a->neg == b->neg && a->point == b->point && a->n == b->n &&
           memcmp(a->digits, b->digits, a->n) == 0;
}

int sk_hnum_cmp(const sk_hnum *a, const sk_hnum *b)
{
    int sa = a->n == 0 ? 0 : a->neg ? -1 : 1, sb = b->n == 0 ? 0 : b->neg ? -1 : 1;
    if (sa != sb)
        return sa < sb ? -1 : 1;
    if (sa == 0)
        return 0;
    /* |a| against |b|: digits start nonzero, so the larger point is the
     * larger magnitude; at one point, the digits decide, and with no
     * trailing zeros the longer of two equal prefixes is larger. */
    int mag;
    if (a->point != b->point) {
        mag = a->point < b->point ? -1 : 1;
    } else {
        size_t n = a->n < b->n ? a->n : b->n;
        int c = memcmp(a->digits, b->digits, n);
        mag = c ? (c < 0 ? -1 : 1) : (a->n > b->n) - (a->n < b->n);
    }
    return sa > 0 ? mag : -mag;
}

char *sk_hnum_format(const sk_hnum *x, size_t *len)
{
    /* Room for the digits, up to 21 zeros or 6 after "0.", sign, point and
     * an exponent. */
    char *out = sk_xmalloc(x->n + 48), *o = out;
    long long k = x->point, nd = (long long)x->n;
    if (nd == 0) {
        *o++ = '0';
    } else {
        if (x->neg)
            *o++ = '-';
        if (nd <= k && k <= 21) {
            memcpy(o, x->digits, (size_t)nd);
            o += nd;
            for (long long i = nd; i < k; i++)
                *o++ = '0';
        } else if (0 < k && k <= 21) {
            memcpy(o, x->digits, (size_t)k);
            o += k;
            *o++ = '.';
            memcpy(o, x->digits + k, (size_t)(nd - k));
            o += nd - k;
        } else if (-6 < k && k <= 0) {
            *o++ = '0';
            *o++ = '.';
            for (long long i = 0; i < -k; i++)
                *o++ = '0';
            memcpy(o, x->digits, (size_t)nd);
            o += nd;
        } else {
            *o++ = x->digits[0];
            if (nd > 1) {
                *o++ = '.';
                memcpy(o, x->digits + 1, (size_t)(nd - 1));
                o += nd - 1;
            }
            o += sprintf(o, "e%c%lld", k - 1 < 0 ? '-' : '+', llabs(k - 1));
        }
    }
    *o = '\0';
    if (len)
        *len = (size_t)(o - out);
    return out;
}

/* |a| vs |b|: -1, 0 or 1. */
static int cmp_abs(const sk_hnum *a, const sk_hnum *b)
{
    if (a->n == 0 || b->n == 0)
        return (a->n != 0) - (b->n != 0);
    if (a->point != b->point)
        return a->point < b->point ? -1 : 1;
    size_t m = a->n < b->n ? a->n : b->n;
    int c = memcmp(a->digits, b->digits, m);
    if (c)
        return c < 0 ? -1 : 1;
    return (a->n > m) - (b->n > m);
}

/* The digits of x placed in w cells whose first one has place value
 * 10^(top-1), as numbers 0-9. */
static void place(const sk_hnum *x, long long top, unsigned char *cells, size_t w)
{
    memset(cells, 0, w);
    for (size_t i = 0; i < x->n; i++)
        cells[(size_t)(top - x->point) + i] = (unsigned char)(x->digits[i] - '0');
}

/* A number from w cells of digits 0-9 whose first has place value
 * 10^(top-1). */
static void from_cells(const unsigned char *cells, size_t w, long long top, sk_hnum *out)
{
    size_t lead = 0;
    while (lead < w && cells[lead] == 0)
        lead++;
    size_t end = w;
    while (end > lead && cells[end - 1] == 0)
        end--;
    out->neg = 0;
    out->n = end - lead;
    out->digits = sk_xmalloc(out->n + 1);
    for (size_t i = 0; i < out->n; i++)
        out->digits[i] = (char)('0' + cells[lead + i]);
    out->digits[out->n] = '\0';
    out->point = out->n ? top - (long long)lead : 0;
}

/* |a| + |b| (add) or ||a| - |b|| with |a| >= |b| (subtract), exactly.
 * Returns -1 when the pair is wider than WIDTH_LIMIT digits. */
static int combine(const sk_hnum *a, const sk_hnum *b, int add, sk_hnum *out)
{
    long long top = a->point > b->point ? a->point : b->point;
    long long bot_a = a->point - (long long)a->n, bot_b = b->point - (long long)b->n;
    long long bottom = bot_a < bot_b ? bot_a : bot_b;
    if (top - bottom > WIDTH_LIMIT)
        return -1;
    size_t w = (size_t)(top - bottom) + 1; /* one more cell in front for a carry */
    top++;
    unsigned char *x = sk_xmalloc(w), *y = sk_xmalloc(w);
    place(a, top, x, w);
    place(b, top, y, w);
    int carry = 0;
    for (size_t i = w; i-- > 0;) {
        int v = add ? x[i] + y[i] + carry : x[i] - y[i] - carry;
        carry = add ? v >= 10 : v < 0;
        x[i] = (unsigned char)(add ? v % 10 : (v + 10) % 10);
    }
    from_cells(x, w, top, out);
    free(x);
    free(y);
    return 0;
}

/* 0.D x 10^shift as a double (0 when it underflows). */
static double scaled(const sk_hnum *x, long long shift)
{
    char buf[80];
    snprintf(buf, sizeof buf, "0.%.40se%lld", x->digits, shift);
    return strtod(buf, NULL);
}

double sk_hnum_similarity(const sk_hnum *a, const sk_hnum *b, char **difference)
{
    if (difference)
        *difference = NULL;
    if (sk_hnum_equal(a, b)) {
        if (difference) {
            *difference = sk_xmalloc(2);
            memcpy(*difference, "0", 2);
        }
        return 1.0;
    }
    const sk_hnum *big = cmp_abs(a, b) >= 0 ? a : b, *small = big == a ? b : a;
    sk_hnum s, d;
    if (combine(big, small, 1, &s) != 0)
        return -1.0;
    if (a->neg != b->neg || !a->n || !b->n) {
        /* Opposite signs, or one is 0: |a - b| is |a| + |b|, a ratio of 1. */
        if (difference)
            *difference = sk_hnum_format(&s, NULL);
        sk_hnum_free(&s);
        return 0.0;
    }
    combine(big, small, 0, &d); /* never wider than the sum */
    /* 0 < d <= s: the ratio is d's mantissa over s's, scaled by their
     * difference in magnitude (a difference too small for a double is 0). */
    double r = scaled(&d, d.point - s.point) / scaled(&s, 0);
    double score = 1.0 - r;
    if (score < 0)
        score = 0.0;
    if (score >= 1.0)
        score = nextafter(1.0, 0.0); /* they differ: never a match */
    if (difference)
        *difference = sk_hnum_format(&d, NULL);
    sk_hnum_free(&d);
    sk_hnum_free(&s);
    return score;
}

double sk_hjson_numeric_similarity(double a, double b)
{
    if (a == 0 && b == 0)
        return 1.0;
    double num = fabs(a - b), den = fabs(a) + fabs(b);
    if (isinf(num) || isinf(den)) { /* halving is exact for such large values */
        num = fabs(a / 2 - b / 2);
        den = fabs(a / 2) + fabs(b / 2);
    }
    double s = 1.0 - num / den;
    return s > 0 ? s : 0.0;
}

int sk_hjson_number(const cJSON *v, sk_hnum *out)
{
    if (!cJSON_IsNumber(v) || !v->valuestring)
        return -1;
    return sk_hnum_read(v->valuestring, strlen(v->valuestring), out);
}

double sk_hjson_number_similarity(const cJSON *a, const cJSON *b)
{
    sk_hnum x, y;
    int known = 0, equal = 0;
    double s = -1.0;
    if (sk_hjson_number(a, &x) == 0) {
        if (sk_hjson_number(b, &y) == 0) {
            known = 1;
            equal = sk_hnum_equal(&x, &y);
            s = sk_hnum_similarity(&x, &y, NULL);
            sk_hnum_free(&y);
        }
        sk_hnum_free(&x);
    }
    if (s >= 0)
        return s;
    double p = a->valuedouble, q = b->valuedouble;
    if (isfinite(p) && isfinite(q))
        s = sk_hjson_numeric_similarity(p, q);
    else
        s = p == q ? 1.0 : 0.0;
    if (known && !equal && s >= 1.0)
        s = nextafter(1.0, 0.0);
    return s;
}
