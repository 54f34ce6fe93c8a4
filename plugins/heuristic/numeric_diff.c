/*
 * numeric_diff: how close the output's number is to the expected number,
 * relative to their size.
 *
 *   score = max(0, 1 - |e - o| / (|e| + |o|)),   both 0 scoring 1
 *
 * as Braintrust autoevals' NumericDiff computes it (105 vs 100 scores
 * 0.97561; numbers of opposite signs score 0).
 *
 * Numbers written in decimal are compared by their exact value, not as
 * doubles, which hold 15-17 digits: the difference is computed digit by
 * digit, so 9007199254740993 vs 9007199254740992 (one double) differ by 1,
 * and so do two 33-digit integers that differ in the last digit.  The
 * score is then 1 - 1/18014398509481985, which rounds to 1 as a double; a
 * score of 1 would say "equal", so a pair that differs by less than a
 * double can tell from 1 scores the largest double below 1 (1 - 2^-53)
 * instead.  1 means equal, always.  The rationale gives the exact
 * difference.  (Hex strings such as "0x1A", and numbers thousands of digits
 * apart, are compared as doubles, with the same rule.)
 *
 * A number is a JSON number, or a string holding one: the content with
 * surrounding whitespace trimmed must be read completely by C's strtod
 * (so "3.5", " 1e3 " and "0x1A" count; "3.5 kg" does not) and be finite.
 * strtod follows LC_NUMERIC, which scorekit leaves as "C".
 *
 * An output that is not a number is a wrong answer: it scores 0 with a
 * rationale saying what it is.  An expected value that is not a number is
 * a dataset problem: an error saying what to fix.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "heuristic.h"
#include "base/util.h"

static int space(unsigned char c)
{
    return c == ' ' || (c >= '\t' && c <= '\r');
}

/* A number from a case field: its double, and its exact value when it is
 * written in decimal. */
typedef struct number {
    double v;
    int exact;
    sk_hnum x; /* when exact; free with sk_hnum_free */
} number;

/* Read a number from a case field.  Returns 1 and sets *out, or 0 and
 * describes what the value is instead in why. */
static int read_number(const char *json, const char *text, size_t len, number *out, char *why,
                       size_t whylen)
{
    out->exact = 0;
    int is_str = sk_hjson_is_string(json);
    const char *s = is_str ? text : json;
    size_t n = is_str ? len : strlen(json);
    size_t i = 0;
    while (i < n && space((unsigned char)s[i]))
        i++;
    while (n > i && space((unsigned char)s[n - 1]))
        n--;
    if (i < n) {
        /* A NUL-terminated copy: *_text need not end in NUL, and strtod
         * must not read past n. */
        char small[64], *buf = n - i < sizeof small ? small : sk_xmalloc(n - i + 1);
        memcpy(buf, s + i, n - i);
        buf[n - i] = '\0';
        char *end;
        double v = strtod(buf, &end);
        int whole = end == buf + (n - i);
        if (buf != small)
            free(buf);
        if (whole && isfinite(v)) {
            out->v = v;
            out->exact = sk_hnum_read(s + i, n - i, &out->x) == 0;
            return 1;
        }
        if (whole && isinf(v)) {
            snprintf(why, whylen, "a number too large for a double");
            return 0;
        }
    }
    if (is_str) {
        char snip[80];
        sk_hjson_snippet(text, len, 40, snip, sizeof snip);
        snprintf(why, whylen, "the string %s", snip);
    } else {
        cJSON *v = sk_hjson_parse(json, strlen(json));
        snprintf(why, whylen, "%s", sk_hjson_type_name(v));
        cJSON_Delete(v);
    }
    return 0;
}

/* The number's text for a rationale: exact when it was read exactly. */
static char *show(const number *x)
{
    if (x->exact)
        return sk_hnum_format(&x->x, NULL);
    char *t = sk_xmalloc(32);
    sk_hjson_format_number(x->v, t);
    return t;
}

static int nd_score(const sk_host *host, void *state, const sk_case *c, sk_result *r)
{
    (void)state;
    if (!c->expected_json || !c->expected_text) {
        host->set_skip(r, "no expected value to compare with");
        return 0;
    }
    number e, o;
    char why[160];
    if (!read_number(c->expected_json, c->expected_text, c->expected_len, &e, why, sizeof why)) {
        host->set_error(r,
                        "expected is not a number (it is %s); numeric_diff needs a JSON number "
                        "or a string holding one, such as 42 or \"3.5\": fix the row's expected "
                        "value or use a text scorer",
                        why);
        return 0;
    }
    if (!read_number(c->output_json, c->output_text, c->output_len, &o, why, sizeof why)) {
        if (e.exact)
            sk_hnum_free(&e.x);
        host->set_score(r, 0.0);
        host->set_rationale(r, "output is not a number: it is %s", why);
        return 0;
    }
    char *diff = NULL;
    double s = e.exact && o.exact ? sk_hnum_similarity(&e.x, &o.x, &diff) : -1.0;
    if (s < 0) {
        s = sk_hjson_numeric_similarity(e.v, o.v);
        if (s >= 1.0 && e.exact && o.exact && !sk_hnum_equal(&e.x, &o.x))
            s = nextafter(1.0, 0.0); /* too far apart to subtract, yet different */
    }
    host->set_score(r, s);
    if (s < 1.0) {
        char *so = show(&o), *se = show(&e);
        if (diff)
            host->set_rationale(r, "output %s vs expected %s (difference %s)", so, se, diff);
        else
            host->set_rationale(r, "output %s vs expected %s", so, se);
        free(so);
        free(se);
    }
    free(diff);
    if (e.exact)
        sk_hnum_free(&e.x);
    if (o.exact)
        sk_hnum_free(&o.x);
    return 0;
}

const sk_scorer_def sk_h_numeric_diff = {
    sizeof(sk_scorer_def),
    "numeric_diff",
    "1 - |expected - output| / (|expected| + |output|), floored at 0 (autoevals NumericDiff)",
    SK_SCORER_THREAD_SAFE | SK_SCORER_NEEDS_EXPECTED,
    SK_ACCEPT_NUMBER,
    NULL, /* no params */
    NULL, /* no state */
    nd_score,
    NULL,
};
