/*
 * What online rules made of the logs: each rule's verdicts on a log (one
 * row a scorer), and each rule's checkpoint, the last log (by seq) it has
 * read.  A batch's verdicts and the checkpoint move in one transaction, so
 * whatever crashes, a log is scored by a rule exactly once.
 */
#ifndef SK_LOG_SCORES_H
#define SK_LOG_SCORES_H

#include <stddef.h>
#include <stdint.h>

#include "store/store.h"

/* One verdict; every pointer borrowed.  kind is "score", "skipped" or
 * "error"; score NAN unless a score; has_threshold 0: none. */
typedef struct sk_log_score {
    const char *log_id, *scorer, *kind;
    double score;
    const char *rationale, *message;
    int has_threshold;
    double threshold;
} sk_log_score;

/* A rule's checkpoint (0 when it never ran), how many logs it has scored,
 * and why it is paused (caller frees; NULL when it is not). */
int sk_rule_state(sk_store *st, const char *rule, int64_t *seq, long long *scored, char **paused,
                  char **err);

/* In one transaction: v[0..n) stored, the checkpoint moved to seq and
 * `logs` added to the rule's count of scored logs.  A verdict already
 * stored for (rule, log, scorer) is an error (SK_EIO) and nothing is
 * written: the checkpoint guarantees it cannot happen. */
int sk_log_scores_commit(sk_store *st, const char *rule, const sk_log_score *v, size_t n,
                         int64_t seq, long long logs, char **err);

/* v[0..n) stored in one transaction, each unless a verdict for its (rule,
 * log, scorer) is there already (a stream entry scored again after its
 * worker died before acknowledging it); no checkpoint moves. */
int sk_log_scores_put(sk_store *st, const char *rule, const sk_log_score *v, size_t n, char **err);

/* Pause the rule with why (NULL: resume it). */
int sk_rule_pause(sk_store *st, const char *rule, const char *why, char **err);

/* One scored log, as `logs --rule R --lowest` lists it: strings borrowed
 * for the call. */
typedef struct sk_scored_log {
    const char *log_id, *time, *input_json, *output_json, *metadata_json, *trace_id;
    const char *scorer, *kind, *rationale, *message;
    const char *expected_json;
    double score; /* NAN unless kind is "score" */
    int has_threshold;
    double threshold;
} sk_scored_log;

/* The verdicts of rule (NULL: every rule) on logs at or after `since` (a
 * time as stored; NULL: all), lowest score first (errors last), at most
 * limit (0: all). */
int sk_log_scores_each(sk_store *st, const char *rule, const char *since, size_t limit,
                       int (*fn)(void *ud, const char *rule, const sk_scored_log *l), void *ud,
                       char **err);

/* The scorers of rule (NULL: every rule) that have verdicts, named
 * "RULE/SCORER", with the newest threshold each had. */
int sk_log_scores_each_scorer(sk_store *st, const char *rule,
                              int (*fn)(void *ud, const char *name, int has_threshold,
                                        double threshold),
                              void *ud, char **err);

/* One cell of `logs trend`: a rule's scorer over one window of log time
 * and one value of the grouping key (NULL: none, or the log lacks it). */
typedef struct sk_trend_cell {
    const char *rule, *scorer, *value;
    long long window; /* its start, unix seconds (a multiple of the window) */
    long long n;      /* scores */
    double sum, sumsq;
    long long passed, judged; /* against the threshold, of the scores that had one */
} sk_trend_cell;

/* The rule's (NULL: every rule's) scores of logs at or after since (NULL:
 * all), by rule, scorer, window of window_s seconds of the log's time and
 * value of the metadata path key_path ("$.version"; NULL: no grouping),
 * ordered by rule, scorer, window, value. */
int sk_log_scores_trend(sk_store *st, const char *rule, const char *key_path, long window_s,
                        const char *since, int (*fn)(void *ud, const sk_trend_cell *c), void *ud,
                        char **err);

/* The mean of the rule's scores given since unix time `from` (by when
 * they were scored), and how many; *n 0 when none. */
int sk_log_scores_recent(sk_store *st, const char *rule, long long from, double *mean, long long *n,
                         char **err);

/* Record that the rule's alert fired for the window starting at `window`;
 * 1 in *first when it had not yet (the caller then runs the command). */
int sk_rule_alert_once(sk_store *st, const char *rule, long long window, int *first, char **err);

struct sk_cell_score_row;
/* Every verdict of rule (NULL: every rule) as an experiment's cell would
 * read (store/experiment_read.h): row_id the log id, trial 0, the log's
 * texts, scorer "RULE/SCORER"; grouped by log, in the order they were
 * stored. */
int sk_log_scores_each_cell(sk_store *st, const char *rule,
                            int (*fn)(void *ud, const struct sk_cell_score_row *c), void *ud,
                            char **err);

#endif
