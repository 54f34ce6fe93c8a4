/*
 * Numbers as printf writes them, without printf's cost.  `export` writes
 * three numbers per cell and printf's exact decimal conversion (with its
 * multi-precision arithmetic) was a fifth of its time.  These give the
 * same bytes as snprintf with "%.<prec>g" and "%.<decimals>f" for every
 * double, in the default rounding mode (ties to even): values whose
 * decimal digits follow exactly from a 128-bit product (the common ones:
 * scores, latencies, means) are converted here, every other value (huge,
 * tiny, non-finite, or needing an exponent) by snprintf itself.
 */
#ifndef SK_NUMFMT_H
#define SK_NUMFMT_H

#include <stddef.h>

/* Room for any result of the functions below, the NUL included. */
#define SK_NUMFMT_MAX 352

/* snprintf(out, SK_NUMFMT_MAX, "%.*g", prec, v) for prec in [1, 17];
 * returns the length written (out is NUL-terminated). */
size_t sk_fmt_g(char *out, double v, int prec);

/* snprintf(out, SK_NUMFMT_MAX, "%.*f", decimals, v) for decimals in
 * [0, 9]; returns the length written. */
size_t sk_fmt_f(char *out, double v, int decimals);

#endif
