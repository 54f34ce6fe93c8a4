/*
 * word_count: 1 when the number of words in the output text (a JSON
 * string's decoded text, else the output's JSON text) is within bounds.
 *
 * A word is a maximal run of bytes that are not whitespace.  Whitespace is
 * Unicode's White_Space set as UTF-8: the ASCII characters tab, line feed,
 * vertical tab, form feed, carriage return and space, plus U+0085, U+00A0
 * (no-break space), U+1680, U+2000-U+200A (the typographic spaces),
 * U+2028, U+2029, U+202F, U+205F and U+3000 (ideographic space).
 * Zero-width characters such as U+200B are not whitespace.  Punctuation is
 * part of the word it touches ("well-known," is one word), NUL bytes and
 * invalid UTF-8 are word characters, and text without spaces (Chinese,
 * Japanese) counts as one word per run.
 *
 * Params
 *   min  (integer, default null)  fewest words allowed.
 *   max  (integer, default null)  most words allowed.
 *   not  (bool, default false)    invert the verdict.
 * At least one bound is required, both must be >= 0 and min <= max; open()
 * rejects anything else.  The rationale and the metadata ({"words": n})
 * give the count.
 */
#include <stdio.h>
#include <string.h>

#include "heuristic.h"
#include "patterns.h"

typedef struct wc_state {
    const sk_host *host;
    long long min, max; /* -1: no bound */
    int negate;
} wc_state;

static const sk_param_def params[] = {
    {"min", SK_PARAM_INTEGER, "null", "fewest words allowed (>= 0)"},
    {"max", SK_PARAM_INTEGER, "null", "most words allowed (>= min)"},
    {"not", SK_PARAM_BOOL, "false", "invert the verdict"},
    {NULL, 0, NULL, NULL}};

/* Byte length of the whitespace character at p (n bytes left), or 0. */
static size_t space_len(const unsigned char *p, size_t n)
{
    unsigned char b = p[0];
    if (b == ' ' || (b >= '\t' && b <= '\r'))
        return 1;
    if (b == 0xC2 && n >= 2 && (p[1] == 0x85 || p[1] == 0xA0))
        return 2;
    if (n < 3)
        return 0;
    if (b == 0xE1 && p[1] == 0x9A && p[2] == 0x80)
        return 3;
    if (b == 0xE2 && p[1] == 0x80 && (p[2] <= 0x8A && p[2] >= 0x80))
        return 3;
    if (b == 0xE2 && p[1] == 0x80 && (p[2] == 0xA8 || p[2] == 0xA9 || p[2] == 0xAF))
        return 3;
    if (b == 0xE2 && p[1] == 0x81 && p[2] == 0x9F)
        return 3;
    if (b == 0xE3 && p[1] == 0x80 && p[2] == 0x80)
        return 3;
    return 0;
}

static size_t count_words(const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t words = 0, i = 0;
    int in_word = 0;
    while (i < n) {
        size_t k = space_len(p + i, n - i);
        if (k) {
            in_word = 0;
            i += k;
        } else {
            if (!in_word)
                words++;
            in_word = 1;
            i++;
        }
    }
    return words;
}

static int open_wc(const sk_host *host, const char *params_json, void **state, char *err,
                   size_t errlen)
{
    cJSON *p = sk_json_parse_cstr(params_json);
    if (!p) {
        snprintf(err, errlen, "word_count: params are not valid JSON (a host bug)");
        return -1;
    }
    const cJSON *jmin = cJSON_GetObjectItemCaseSensitive(p, "min");
    const cJSON *jmax = cJSON_GetObjectItemCaseSensitive(p, "max");
    long long min = cJSON_IsNumber(jmin) ? (long long)jmin->valuedouble : -1;
    long long max = cJSON_IsNumber(jmax) ? (long long)jmax->valuedouble : -1;
    int negate = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(p, "not"));
    int has_min = cJSON_IsNumber(jmin), has_max = cJSON_IsNumber(jmax);
    cJSON_Delete(p);

    if (!has_min && !has_max) {
        snprintf(err, errlen, "word_count: set \"min\", \"max\" or both (a word count bound)");
        return -1;
    }
    if (has_min && min < 0) {
        snprintf(err, errlen, "word_count: param \"min\" is %lld; it must be 0 or more", min);
        return -1;
    }
    if (has_max && max < 0) {
        snprintf(err, errlen, "word_count: param \"max\" is %lld; it must be 0 or more", max);
        return -1;
    }
    if (has_min && has_max && min > max) {
        snprintf(err, errlen,
                 "word_count: param \"min\" (%lld) is greater than \"max\" (%lld); no output "
                 "could pass, swap them",
                 min, max);
        return -1;
    }
    wc_state *st = host->alloc(sizeof *st);
    st->host = host;
    st->min = min;
    st->max = max;
    st->negate = negate;
    *state = st;
    return 0;
}

static void describe_bounds(char *out, size_t outsz, const wc_state *st)
{
    if (st->min >= 0 && st->max >= 0)
        snprintf(out, outsz, "between %lld and %lld", st->min, st->max);
    else if (st->min >= 0)
        snprintf(out, outsz, "at least %lld", st->min);
    else
        snprintf(out, outsz, "at most %lld", st->max);
}

static int score_wc(const sk_host *host, void *state, const sk_case *c, sk_result *r)
{
    const wc_state *st = state;
    size_t words = count_words(c->output_text, c->output_len);
    int pass = (st->min < 0 || words >= (unsigned long long)st->min) &&
               (st->max < 0 || words <= (unsigned long long)st->max);
    char bounds[96], fact[192], meta[48];
    describe_bounds(bounds, sizeof bounds, st);
    snprintf(fact, sizeof fact, "output has %zu word%s; %s %s", words, words == 1 ? "" : "s",
             pass ? "allowed:" : "expected", bounds);
    sk_pattern_verdict(host, r, pass, st->negate, fact);
    snprintf(meta, sizeof meta, "{\"words\":%zu}", words);
    host->set_meta(r, meta);
    return 0;
}

static void close_wc(const sk_host *host, void *state)
{
    (void)host;
    wc_state *st = state;
    if (st)
        st->host->free(st);
}

const sk_scorer_def sk_h_word_count = {sizeof(sk_scorer_def),
                                       "word_count",
                                       "1 when the output's word count is within min..max",
                                       SK_SCORER_THREAD_SAFE,
                                       SK_ACCEPT_TEXT,
                                       params,
                                       open_wc,
                                       score_wc,
                                       close_wc};
