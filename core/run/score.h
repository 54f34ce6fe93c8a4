/*
 * Scoring a JSONL file whose rows already hold outputs (pre-generated
 * outputs, production logs): {id?, input, output, expected?, metadata?}.
 *
 * A malformed line (FILE:LINE: what is wrong), by the rules of `dataset
 * import` (sk_dataset_row_check, duplicate given ids included), fails the
 * whole file and nothing is reported scored.  When no scorer calls a model
 * and no per-row output is asked for, each row is read once: checked and
 * scored together, the scores dropped if a later line is bad.  Otherwise
 * the file is read twice: a validating pass before any scorer runs, then
 * the scoring pass.  Both stream: memory is bounded by the batches in
 * flight, plus the set of given ids.  A .csv is read as an import reads it
 * and scored the same way; a file without rows is an error.
 * Rows are scored by a pool of worker threads and their results consumed in
 * file order, so summaries and per-row output are deterministic.
 */
#ifndef SK_SCORE_H
#define SK_SCORE_H

#include <signal.h>
#include <stdio.h>

#include "engine/pack.h"

typedef struct sk_score_opts {
    struct sk_llm *llm;       /* the model client for judges (borrowed); NULL: none */
    const char *project_dir;  /* where params' relative files are; NULL: none */
    int jobs;                 /* worker threads; <= 0 means one per core */
    int skip_bad;             /* skip and count malformed lines instead of failing */
    FILE *rows_out;           /* per-row results as JSONL (borrowed), or NULL */
    size_t worst;             /* how many lowest-scoring rows to report */
    const char *output_field; /* the row key holding the output; NULL: "output" */
    /* Called from the calling thread after each batch; total is the number
     * of rows the validating pass found. */
    void (*progress)(size_t done, size_t total, void *ud);
    void *progress_ud;
    volatile sig_atomic_t *cancel; /* set non-zero (e.g. by SIGINT) to stop */
    /* Given ids checked for duplicates in memory before the check spills to
     * a temporary file (base/idcheck.h); 0: the default.  Tests set it small. */
    size_t id_window;
} sk_score_opts;

typedef struct sk_scorer_stats {
    size_t scored, skipped, errors;
    size_t passed;     /* scored rows meeting the threshold (when there is one) */
    double sum;        /* of scores */
    char *first_error; /* "row ID (line N): message", or NULL */
} sk_scorer_stats;

typedef struct sk_row_digest {
    char *id;
    size_t line;
    double overall;
    double *scores; /* per scorer; NAN when not scored */
    char *output;   /* the output's first characters */
    char *why;      /* "scorer: rationale" of its lowest score, or "" */
} sk_row_digest;

typedef struct sk_score_report {
    char *path;
    size_t rows;           /* rows scored */
    size_t bad_lines;      /* malformed rows skipped (--skip-bad), duplicates included */
    char *bad_examples[5]; /* the first of them, "FILE:LINE: message" */
    /* Rows by their verdict (see sk_row_verdict in rowscore.h). */
    size_t rows_passed;      /* a score, and every thresholded score met its threshold */
    size_t rows_failed;      /* a thresholded score fell short, and no error */
    size_t rows_no_verdict;  /* rows_with_errors + rows_no_score */
    size_t rows_with_errors; /* at least one scorer error: no verdict */
    size_t rows_no_score;    /* no error, but no scorer gave a score: no verdict */
    size_t nscorers;
    sk_scorer_stats *stats; /* per pack entry */
    size_t nworst;
    sk_row_digest *worst; /* ascending overall score */
    int interrupted;
    unsigned passes; /* times the input was read: 1, or 2 when it was checked first */
    double seconds;
} sk_score_report;

/* Score every row of path ("-" = stdin) with every scorer of pack.  On
 * success *out is the report (caller frees with sk_score_report_free).
 * A malformed line without skip_bad fails with SK_EPARSE before any row is
 * scored, and so does a file without rows ("FILE: no rows").  When cancelled, returns SK_EINTR and
 * still sets *out to the report of the rows scored so far. */
int sk_score_file(const char *path, const sk_pack *pack, const sk_score_opts *opts,
                  sk_score_report **out, char **err);

void sk_score_report_free(sk_score_report *rep);

#endif
