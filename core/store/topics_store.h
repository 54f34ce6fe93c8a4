/*
 * Topic runs as stored (`scorekit topics`): the run, each topic's label,
 * size, example and scores, and every row's topic with the row's values,
 * so a topic can be shown again and pulled into a dataset later
 * (`dataset add --topic RUN:T`).  Topics are numbered from 1, worst (or
 * largest) first, as the analysis sorted them.
 */
#ifndef SK_TOPICS_STORE_H
#define SK_TOPICS_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "store/store.h"

/* A run.  Writing: every pointer borrowed for the call.  Reading: every
 * string owned (sk_topic_run_clear frees them). */
typedef struct sk_topic_run {
    char *id;
    char *source; /* the human form: "experiment ID", "dataset NAME@V", "file PATH" */
    char *kind;   /* "experiment", "dataset" or "file" */
    char *field;  /* "input" or "output" */
    int k;        /* topics clustered into */
    int64_t rows;
    char *created_at;
    char *params_json; /* {"seed", "k_chosen", "silhouette", "terms", ...} */
} sk_topic_run;

void sk_topic_run_clear(sk_topic_run *r);

/* One topic; strings borrowed (for the call when writing, for the
 * callback when reading).  fail_rate NAN and scores_json NULL without
 * scores. */
typedef struct sk_topic_label {
    int topic; /* 1.. */
    const char *label;
    int64_t size;
    const char *example_row, *example_text;
    int64_t judged, failed;
    double fail_rate;
    const char *scores_json; /* {"SCORER": {"mean": M, "fail_rate": F}, ...} */
    const char *name;        /* a model's name for it (--label), or NULL */
} sk_topic_label;

/* One row of a run, in the source's order; strings borrowed likewise,
 * JSON texts NULL when absent (input never is); file NULL and line 0
 * unless the rows came from a file. */
typedef struct sk_topic_row {
    int topic;
    const char *row_id;
    const char *input, *expected, *output, *metadata, *tags;
    const char *file;
    long line;
} sk_topic_row;

/* Store run r (r->id new; created_at NULL: now) with its topics and rows
 * in one transaction: on error nothing is written. */
int sk_topic_run_save(sk_store *st, const sk_topic_run *r, const sk_topic_label *labels,
                      size_t nlabels, const sk_topic_row *rows, size_t nrows, char **err);

/* Load run `ref` (its id or a unique prefix) into *out.  SK_ENOTFOUND for
 * no such run, SK_EINVAL for a prefix of several. */
int sk_topic_run_load(sk_store *st, const char *ref, sk_topic_run *out, char **err);

/* Every run, newest first. */
int sk_topic_each_run(sk_store *st, int (*fn)(void *ud, const sk_topic_run *r), void *ud,
                      char **err);

/* The topics of run run_id, 1 first. */
int sk_topic_each_label(sk_store *st, const char *run_id,
                        int (*fn)(void *ud, const sk_topic_label *t), void *ud, char **err);

/* The rows of topic `topic` of run run_id (0: every row), in the source's
 * order.  A non-zero return from fn stops the walk and is returned. */
int sk_topic_each_row(sk_store *st, const char *run_id, int topic,
                      int (*fn)(void *ud, const sk_topic_row *r), void *ud, char **err);

#endif
