/*
 * length_ratio: a template scorer plugin.  Copy this folder, rename the
 * scorer, and change score().
 *
 * It checks answer-length sanity against the expected answer: 1 when the
 * output's length (in bytes) is within [min_ratio, max_ratio] times the
 * expected's, falling linearly to 0 at half the lower bound and at twice the
 * upper bound.  Useful to catch padded or truncated answers that a
 * similarity scorer would half-reward.
 *
 * A plugin needs nothing but <scorekit/plugin.h>: params and cases arrive
 * as JSON text, and the host's json_get_* helpers read them.
 */
#include <stdio.h>
#include <string.h>

#include <scorekit/plugin.h>

typedef struct state {
    double min_ratio, max_ratio;
} state;

static const sk_param_def params[] = {
    {"min_ratio", SK_PARAM_NUMBER, "0.5", "shortest acceptable output, times expected's length"},
    {"max_ratio", SK_PARAM_NUMBER, "2.0", "longest acceptable output, times expected's length"},
    {NULL, 0, NULL, NULL}};

/* The host has already rejected unknown keys and wrong types, and filled
 * in defaults; open() checks what types cannot say. */
static int lr_open(const sk_host *host, const char *params_json, void **out, char *err,
                   size_t errlen)
{
    state s;
    host->json_get_number(params_json, "min_ratio", &s.min_ratio);
    host->json_get_number(params_json, "max_ratio", &s.max_ratio);
    if (!(s.min_ratio > 0) || !(s.max_ratio >= s.min_ratio)) {
        snprintf(err, errlen, "need 0 < min_ratio <= max_ratio, got min_ratio %g, max_ratio %g",
                 s.min_ratio, s.max_ratio);
        return -1;
    }
    state *p = host->alloc(sizeof *p);
    *p = s;
    *out = p;
    return 0;
}

static int lr_score(const sk_host *host, void *st, const sk_case *c, sk_result *r)
{
    const state *s = st;
    if (c->expected_len == 0) {
        host->set_skip(r, "expected is empty: no length to compare with");
        return 0;
    }
    double ratio = (double)c->output_len / (double)c->expected_len;
    double score = 1.0;
    if (ratio < s->min_ratio)
        score = ratio <= s->min_ratio / 2 ? 0.0 : (ratio - s->min_ratio / 2) / (s->min_ratio / 2);
    else if (ratio > s->max_ratio)
        score = ratio >= s->max_ratio * 2 ? 0.0 : (s->max_ratio * 2 - ratio) / s->max_ratio;
    host->set_score(r, score);
    if (score < 1.0)
        host->set_rationale(r, "output is %.2f times as long as expected (accepted: %g to %g)",
                            ratio, s->min_ratio, s->max_ratio);
    return 0;
}

static void lr_close(const sk_host *host, void *st)
{
    host->free(st); /* it came from host->alloc */
}

static const sk_scorer_def length_ratio = {
    .size = sizeof(sk_scorer_def),
    .name = "length_ratio",
    .summary = "output length within a ratio of the expected length",
    .flags = SK_SCORER_THREAD_SAFE | SK_SCORER_NEEDS_EXPECTED,
    .accepts = SK_ACCEPT_TEXT,
    .params = params,
    .open = lr_open,
    .score = lr_score,
    .close = lr_close,
};

static const sk_scorer_def *const scorers[] = {&length_ratio};

SK_PLUGIN_DECLARE("template", "1.0", scorers)
