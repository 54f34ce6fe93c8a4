/*
 * Helpers for unit tests of scorers: resolve params and open a scorer the
 * way the host does, then score one case given as JSON texts.
 */
#ifndef SK_TEST_H
#define SK_TEST_H

#include <check.h>

#include "engine/host.h"
#include "scorekit/plugin.h"

typedef struct sk_test_result {
    sk_verdict kind;
    double score;
    char message[1024]; /* skip reason or error */
    char rationale[1024];
    char meta[1024];
} sk_test_result;

/* The host tests drive scorers through, as a run gives one to its scorers:
 * no model client and no project folder until a test sets them
 * (sk_test_host_ctx()->llm = ...).  One per test process. */
sk_host_ctx *sk_test_host_ctx(void);
const sk_host *sk_test_host(void);

/* Resolve params_json (NULL means {}) and open def.  Returns 0, or non-zero
 * with the message (param check or open error) in err. */
int sk_test_open(const sk_scorer_def *def, const char *params_json, void **state, char *err,
                 size_t errlen);
void sk_test_close(const sk_scorer_def *def, void *state);

/* Score one case on an open state.  output_json and expected_json are JSON
 * texts (expected_json may be NULL: no expected); the *_text fields are
 * derived as the host derives them. */
sk_test_result sk_test_score_state(const sk_scorer_def *def, void *state, const char *output_json,
                                   const char *expected_json);

/* Open, score one case, close.  An open failure fails the test. */
sk_test_result sk_test_score(const sk_scorer_def *def, const char *params_json,
                             const char *output_json, const char *expected_json);

/* Shorthand: the score; fails the test unless the verdict is a score. */
double sk_test_value(const sk_scorer_def *def, const char *params_json, const char *output_json,
                     const char *expected_json);

/* Build a JSON string literal from plain text (for tests with raw text). */
char *sk_test_jstr(const char *text); /* caller frees */

#endif
