/* printf's %g and %f for the common doubles (see numfmt.h).  A finite
 * v > 0 is exactly M * 2^e with M < 2^53; for e < 0, v * 10^k is exactly
 * M * 10^k / 2^-e, and while M * 10^k fits in 128 bits its integer part
 * and remainder, hence the correctly rounded decimal digits (ties to even,
 * as glibc rounds), come from one multiplication and one shift. */
#include "base/numfmt.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

typedef unsigned __int128 u128;

static const uint64_t POW10[20] = {1ULL,
                                   10ULL,
                                   100ULL,
                                   1000ULL,
                                   10000ULL,
                                   100000ULL,
                                   1000000ULL,
                                   10000000ULL,
                                   100000000ULL,
                                   1000000000ULL,
                                   10000000000ULL,
                                   100000000000ULL,
                                   1000000000000ULL,
                                   10000000000000ULL,
                                   100000000000000ULL,
                                   1000000000000000ULL,
                                   10000000000000000ULL,
                                   100000000000000000ULL,
                                   1000000000000000000ULL,
                                   10000000000000000000ULL};

/* 10^k for k <= 22, which with M < 2^53 keeps M * 10^k under 2^127. */
static u128 pow10_128(int k)
{
    return k < 20 ? POW10[k] : (u128)POW10[19] * POW10[k - 19];
}

/* v * 10^k for finite v > 0 and 0 <= k <= 22: *fl its integer part and *q
 * that rounded to nearest, ties to even.  0 when out of reach (v an
 * integer of 2^53 or more, or too small for a shift under 128 bits). */
static int scaled(double v, int k, u128 *fl, u128 *q)
{
    uint64_t bits;
    memcpy(&bits, &v, sizeof bits);
    int biased = (int)(bits >> 52 & 0x7ff);
    if (biased == 0) /* subnormal: far below any shift here */
        return 0;
    uint64_t m = (bits & ((1ULL << 52) - 1)) | 1ULL << 52;
    int s = 1075 - biased; /* v = m / 2^s */
    if (s <= 0 || s >= 127)
        return 0;
    u128 p = (u128)m * pow10_128(k);
    u128 whole = p >> s, rem = p & (((u128)1 << s) - 1), half = (u128)1 << (s - 1);
    *fl = whole;
    *q = whole + (rem > half || (rem == half && (whole & 1)));
    return 1;
}

/* The decimal digits of x (x < 10^19) at out, most significant first;
 * returns how many. */
static size_t digits(char *out, uint64_t x)
{
    char tmp[24];
    size_t n = 0;
    do {
        tmp[n++] = (char)('0' + x % 10);
        x /= 10;
    } while (x);
    for (size_t i = 0; i < n; i++)
        out[i] = tmp[n - 1 - i];
    return n;
}

size_t sk_fmt_f(char *out, double v, int decimals)
{
    u128 fl = 0, q = 0;
    if (!isfinite(v) || decimals < 0 || decimals > 9 ||
        (v != 0 && (!scaled(fabs(v), decimals, &fl, &q) || q >= POW10[19])))
        return (size_t)snprintf(out, SK_NUMFMT_MAX, "%.*f", decimals, v);
    size_t n = 0;
    if (signbit(v)) /* -0.0 too, as printf writes it */
        out[n++] = '-';
    uint64_t x = (uint64_t)q, unit = POW10[decimals];
    n += digits(out + n, x / unit);
    if (decimals) {
        out[n++] = '.';
        uint64_t frac = x % unit;
        for (int i = decimals - 1; i >= 0; i--, frac /= 10)
            out[n + (size_t)i] = (char)('0' + frac % 10);
        n += (size_t)decimals;
    }
    out[n] = '\0';
    return n;
}

size_t sk_fmt_g(char *out, double v, int prec)
{
    if (!isfinite(v) || prec < 1 || prec > 17)
        return (size_t)snprintf(out, SK_NUMFMT_MAX, "%.*g", prec, v);
    if (v == 0) {
        size_t n = signbit(v) ? 2 : 1;
        memcpy(out, signbit(v) ? "-0" : "0", n + 1);
        return n;
    }
    double a = fabs(v);
    /* x: the decimal exponent of a, guessed, then made exact by the
     * digits: prec of them before the point of a * 10^k. */
    uint64_t bits;
    memcpy(&bits, &a, sizeof bits);
    /* log10(2) = 0.30103, so this is floor(log10(a)) or one less. */
    int x = (int)floor(((int)(bits >> 52 & 0x7ff) - 1023) * 0.30103), k = 0;
    u128 fl = 0, q = 0;
    int ok = 0;
    for (int tries = 0; tries < 4; tries++) {
        k = prec - 1 - x;
        if (k < 0 || k > 22 || !scaled(a, k, &fl, &q))
            break;
        if (fl >= POW10[prec])
            x++;
        else if (fl < POW10[prec - 1])
            x--;
        else {
            ok = 1;
            break;
        }
    }
    if (ok && q == POW10[prec]) { /* 9.99... rounded up to 10.0... */
        q = POW10[prec - 1];
        x++;
    }
    /* %g writes x < -4 and x >= prec with an exponent: snprintf's part. */
    if (!ok || x < -4 || x >= prec)
        return (size_t)snprintf(out, SK_NUMFMT_MAX, "%.*g", prec, v);
    char d[24];
    size_t nd = digits(d, (uint64_t)q); /* prec digits */
    while (nd > 1 && d[nd - 1] == '0' && (int)nd > x + 1)
        nd--; /* %g drops the fraction's trailing zeros */
    size_t n = 0;
    if (v < 0)
        out[n++] = '-';
    if (x >= 0) {
        memcpy(out + n, d, (size_t)x + 1);
        n += (size_t)x + 1;
        if (nd > (size_t)x + 1) {
            out[n++] = '.';
            memcpy(out + n, d + x + 1, nd - (size_t)x - 1);
            n += nd - (size_t)x - 1;
        }
    } else {
        out[n++] = '0';
        out[n++] = '.';
        for (int i = 0; i < -x - 1; i++)
            out[n++] = '0';
        memcpy(out + n, d, nd);
        n += nd;
    }
    out[n] = '\0';
    return n;
}
