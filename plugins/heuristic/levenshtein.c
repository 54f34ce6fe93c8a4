/*
 * levenshtein: how close the output's text is to the expected text, by
 * edit distance.
 *
 *   score = 1 - d / max(len(output), len(expected))
 *
 * where d is the Levenshtein distance (the fewest insertions, deletions
 * and substitutions of one character each that turn one text into the
 * other) and lengths count Unicode code points.  Both texts empty score 1;
 * exactly one empty scores 0.
 *
 * The texts are the case's output_text and expected_text: a JSON string's
 * content, or for any other value its JSON text as the row has it (the
 * number 42 is the text "42").
 *
 * Parity with Braintrust autoevals' Levenshtein: the same formula and the
 * same floating-point steps, so scores are bit-identical for text in the
 * Basic Multilingual Plane.  autoevals (JavaScript) counts UTF-16 code
 * units, so an astral-plane character (an emoji, a rare CJK ideograph)
 * counts 2 there and 1 here: "😀" vs "😁" scores 0 here and 0.5 there.
 *
 * Params: ignore_case (bool, default false) folds ASCII A-Z to a-z before
 * comparing; it is ASCII-only, so "É" and "é" still differ.
 *
 * Cost: O(ceil(m/64) * n) word operations (bit-parallel Myers/Hyyrö) after
 * stripping the common prefix and suffix; no allocation below 256
 * characters.  See core/text/levenshtein.h.
 */
#include <stdio.h>
#include <stdlib.h>

#include "heuristic.h"
#include "base/text/levenshtein.h"

typedef struct lev_state {
    unsigned flags; /* SK_LEV_* */
} lev_state;

static const sk_param_def params[] = {
    {"ignore_case", SK_PARAM_BOOL, "false", "fold ASCII letters to lower case before comparing"},
    {NULL, 0, NULL, NULL},
};

static int lev_open(const sk_host *host, const char *params_json, void **state, char *err,
                    size_t errlen)
{
    int ic = 0;
    host->json_get_bool(params_json, "ignore_case", &ic);
    lev_state *st = malloc(sizeof *st);
    if (!st) {
        snprintf(err, errlen, "levenshtein: out of memory");
        return -1;
    }
    st->flags = ic ? SK_LEV_IGNORE_CASE : 0;
    *state = st;
    return 0;
}

static void lev_close(const sk_host *host, void *state)
{
    (void)host;
    free(state);
}

static int lev_score(const sk_host *host, void *state, const sk_case *c, sk_result *r)
{
    const lev_state *st = state;
    if (!c->expected_json || !c->expected_text) {
        host->set_skip(r, "no expected value to compare with");
        return 0;
    }
    size_t lo, le;
    size_t d = sk_levenshtein_ex(c->output_text, c->output_len, c->expected_text, c->expected_len,
                                 st->flags, &lo, &le);
    size_t mx = lo > le ? lo : le;
    double score = mx ? 1.0 - (double)d / (double)mx : 1.0;
    host->set_score(r, score);
    if (d && sk_h_wants_rationale(host, r)) {
        char out[96];
        size_t at = 0;
        sk_hjson_cat(out, sizeof out, &at, "edit distance ");
        sk_hjson_cat_uint(out, sizeof out, &at, d);
        sk_hjson_cat(out, sizeof out, &at, " over ");
        sk_hjson_cat_uint(out, sizeof out, &at, mx);
        sk_hjson_cat(out, sizeof out, &at, " characters");
        host->set_rationale_text(r, out, at);
    }
    return 0;
}

const sk_scorer_def sk_h_levenshtein = {
    sizeof(sk_scorer_def),
    "levenshtein",
    "1 - edit distance / longer length, in characters (autoevals Levenshtein)",
    SK_SCORER_THREAD_SAFE | SK_SCORER_NEEDS_EXPECTED,
    SK_ACCEPT_TEXT,
    params,
    lev_open,
    lev_score,
    lev_close,
};
