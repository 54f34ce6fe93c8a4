/*
 * What a scorer said about one case: a score, skipped (not applicable), or
 * an error.  The store records it, the engine produces it, the analysis
 * counts it; so the kinds live below all three.
 *
 * And what a row's results add up to: pass, fail, or no verdict.  This is
 * the one definition: `score` and `run` apply it to the results just made,
 * the experiment summary, `show`, `export` and `compare` to the results
 * the store kept (so older experiments read by today's rule).
 */
#ifndef SK_VERDICT_H
#define SK_VERDICT_H

#include <stddef.h>

#include "base/util.h"

typedef enum sk_verdict {
    SK_VERDICT_NONE = 0, /* the scorer reported nothing (becomes an error) */
    SK_VERDICT_SCORE,
    SK_VERDICT_SKIP,
    SK_VERDICT_ERROR
} sk_verdict;

/* A row's verdict (one row x trial):
 *   - no verdict when the task failed or any scorer reported an error (an
 *     error is never a pass, and never a fail either: the row was not
 *     judged), or when no scorer gave a score (every one skipped);
 *   - else pass when every scorer with a threshold that gave a score met
 *     it, fail when one fell short.  A skipped scorer does not apply to the
 *     row, so its threshold neither passes nor fails it. */
typedef enum sk_row_pass { SK_ROW_FAIL = 0, SK_ROW_PASS = 1, SK_ROW_NO_VERDICT = 2 } sk_row_pass;

/* The verdict built up from a row's results, one scorer at a time.
 * Zero-initialise it (or sk_row_verdict_begin); free with
 * sk_row_verdict_free.  Reusable row after row. */
typedef struct sk_row_verdict {
    sk_row_pass pass; /* after sk_row_verdict_end */
    size_t scored;    /* scorers that gave a score */
    size_t errors;    /* errors: the task's and the scorers' */
    int below;        /* a thresholded score fell short */
    sk_buf reason;    /* with SK_ROW_NO_VERDICT after _end: why, NUL-terminated
                       * ("error in scorer judge: ...", "task error: ...",
                       * "no scorer gave a score"); empty otherwise */
} sk_row_verdict;

/* Start a row (keeps the buffer). */
void sk_row_verdict_begin(sk_row_verdict *v);
/* The task failed with `message` (may be NULL): the row has no verdict. */
void sk_row_verdict_task_error(sk_row_verdict *v, const char *message);
/* One scorer's result.  `message` is the error's text (may be NULL);
 * strings are borrowed for the call only. */
void sk_row_verdict_add(sk_row_verdict *v, const char *scorer, sk_verdict kind, double score,
                        int has_threshold, double threshold, const char *message);
/* Decide; also sets v->pass. */
sk_row_pass sk_row_verdict_end(sk_row_verdict *v);
/* Append `"pass":true`, `"pass":false`, or `"pass":null,"reason":"..."`
 * (the form `score` and `export` write; no leading comma). */
void sk_row_verdict_json(const sk_row_verdict *v, sk_buf *out);
/* "pass", "fail" or "no verdict". */
const char *sk_row_pass_name(sk_row_pass p);
void sk_row_verdict_free(sk_row_verdict *v);

#endif
