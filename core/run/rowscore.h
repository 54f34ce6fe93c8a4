/*
 * Scoring one row with every scorer of a pack: turning the raw JSON spans
 * of a row into an sk_case, running each scorer, applying the verdict rules,
 * and combining the verdicts into the row's overall score and pass/fail.
 * One sk_rowscore per worker thread; it reuses its buffers row after row.
 * The pass/fail rule itself is sk_row_verdict (base/verdict.h), shared
 * with every reader of stored results.
 */
#ifndef SK_ROWSCORE_H
#define SK_ROWSCORE_H

#include "engine/pack.h"
#include "base/row.h"
#include "base/util.h"
#include "base/verdict.h"

/* The top-level keys of a row, in the order of the spans arrays below. */
enum { SK_F_ID, SK_F_INPUT, SK_F_OUTPUT, SK_F_EXPECTED, SK_F_METADATA, SK_F_COUNT };
extern const char *const sk_row_keys[SK_F_COUNT];

/* Scan and check one line as a row with the given keys (normally
 * sk_row_keys; the output key can differ): a JSON object, output present, "id" a
 * string or number, "metadata" an object).  On failure writes the reason,
 * without file or line, into msg and returns SK_EPARSE. */
int sk_row_parse(const char *line, size_t len, const char *const keys[SK_F_COUNT],
                 sk_span spans[SK_F_COUNT], char *msg, size_t msglen);

/* The same for a line that sk_row_parse accepted before (see
 * sk_row_scan_trusted). */
int sk_row_parse_trusted(const char *line, size_t len, const char *const keys[SK_F_COUNT],
                         sk_span spans[SK_F_COUNT], char *msg, size_t msglen);

typedef struct sk_rowscore {
    const sk_pack *pack;
    sk_host_ctx *host;  /* borrowed: this thread's, which the scorers' model calls bill */
    void **states;      /* borrowed: one per pack entry, opened for this thread */
    sk_result *results; /* one per pack entry */
    sk_case c;
    sk_buf id, scratch;
    /* 1 (the default): scorers write rationales; 0: they may skip them
     * (see wants_rationale in plugin.h), for rows nobody will read. */
    int rationales;
    /* after sk_rowscore_run */
    double overall;         /* weighted mean of scores; NAN when nothing scored */
    sk_row_verdict verdict; /* pass, fail or no verdict, with the reason */
} sk_rowscore;

void sk_rowscore_init(sk_rowscore *rs, const sk_pack *pack, sk_host_ctx *host, void **states);
void sk_rowscore_free(sk_rowscore *rs);

/* Score the row whose spans were filled by sk_row_parse. */
void sk_rowscore_run(sk_rowscore *rs, const sk_span spans[SK_F_COUNT], unsigned trial);

/* Append the row's results as one JSON line (with '\n'). */
void sk_rowscore_json(const sk_rowscore *rs, size_t lineno, sk_buf *out);

/* Append a number as JSON: 15 significant digits, null for NAN. */
void sk_buf_add_score(sk_buf *b, double v);

#endif
