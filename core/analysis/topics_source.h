/*
 * Where `scorekit topics` gets its rows, and how a run is kept: an
 * experiment (its dataset version's rows, the text its input or its first
 * trial's output, and its scores and verdicts as `failures` computes
 * them), a dataset version, or a JSONL file of logs or rows (read as
 * `dataset add --from-logs` reads one); and the run stored with every
 * row's values, so `dataset add --topic RUN:T` can take a topic's rows.
 */
#ifndef SK_TOPICS_SOURCE_H
#define SK_TOPICS_SOURCE_H

#include <cjson/cJSON.h>
#include <stddef.h>

#include "analysis/grow.h"
#include "analysis/topics.h"
#include "store/store.h"

typedef struct sk_topic_source {
    char *label;       /* "experiment ID", "dataset NAME@V" or "file PATH" */
    const char *kind;  /* "experiment", "dataset" or "file" (static) */
    const char *field; /* "input" or "output" (static) */
    sk_grow_set rows;  /* the rows' values, in the source's order */
    char **texts;      /* rows.n: the text clustered, "" when absent */
    size_t nscorers;   /* 0 unless an experiment */
    char **scorers;
    double *mean;          /* rows.n x nscorers, NAN: none */
    unsigned *pass, *fail; /* rows.n x nscorers: trials against the threshold */
    int *verdict;          /* rows.n, or NULL when no scorer has a threshold */
} sk_topic_source;

/* Read `source`: "dataset:NAME[@V]", a file that exists, an experiment id
 * (or a unique prefix), or else a dataset name.  field is "input" or
 * "output" (a dataset row's "output", a log's, or an experiment's first
 * trial's).  Errors say which of the three was tried and how to name
 * each; a malformed line of a file is FILE:LINE.  Free with
 * sk_topic_source_free. */
int sk_topic_source_load(sk_store *st, const char *source, const char *field, sk_topic_source *out,
                         char **err);
void sk_topic_source_free(sk_topic_source *s);

/* The scores of s as the analysis takes them (pointers into s). */
sk_topic_scores sk_topic_source_scores(const sk_topic_source *s);

/* Store topics t of source s (clustered with o) as a new run: *run_id
 * receives its id (caller frees).  extra (may be NULL; borrowed): its
 * members ("embeddings", "names": what the models did) join the run's
 * parameters as they are.  names (may be NULL): a name per topic of t
 * (each may be NULL), borrowed.  One transaction. */
int sk_topics_save(sk_store *st, const sk_topic_source *s, const sk_topic_opts *o,
                   const sk_topics *t, const cJSON *extra, const char *const *names, char **run_id,
                   char **err);

/* The rows of topic `topic` (1..) of stored run run_ref (an id or a
 * unique prefix), with provenance kind "topic" and source "topics RUN
 * topic T", appended to *out.  SK_ENOTFOUND for an unknown run or topic. */
int sk_grow_from_topic(sk_store *st, const char *run_ref, int topic, sk_grow_set *out, char **err);

#endif
