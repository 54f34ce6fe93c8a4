/*
 * What changed between two experiments' configuration snapshots (the
 * config_json `scorekit run` records: task, pack contents, dataset
 * name@version, trials, scorekit version), as a list of variables, each
 * with its value before and after.  A comparison can only attribute an
 * effect to a cause when exactly one variable changed, so the list is as
 * fine-grained as the snapshot allows: every task key on its own (each
 * model param, each environment variable), every scorer's params,
 * threshold and weight on their own, the dataset version, the trials.
 * Long or multi-line text (prompts, system messages, templates) comes
 * with a line diff.
 *
 * Not every difference can move a score: the pack's name, version and
 * file path are labels, and a scorer only one side has is simply not
 * compared.  Those are listed with `counts` 0 and left out of the count
 * of changed variables.
 */
#ifndef SK_CONFIG_DIFF_H
#define SK_CONFIG_DIFF_H

#include <stddef.h>

typedef struct sk_config_change {
    char *variable; /* "task.model", "task.params.temperature", "dataset version",
                       "trials", "pack.similarity.threshold", "pack.similarity", ... */
    char *before;   /* the value as compact JSON; NULL when absent before */
    char *after;    /* likewise after */
    char *diff;     /* for text values: a line diff ("- old\n+ new\n  kept\n"), else NULL */
    char *note;     /* a short explanation ("scorer added: not compared"), or NULL */
    int counts;     /* 1: can change outputs or scores; 0: a label */
} sk_config_change;

typedef struct sk_config_diff {
    sk_config_change *v;
    size_t n;
    size_t variables; /* entries with counts == 1 */
} sk_config_diff;

/* Diff two snapshots (JSON texts, borrowed).  Fills *out (clear it with
 * sk_config_diff_clear, also after a failure).  Returns 0, or SK_EPARSE
 * with *err naming the side that is not a JSON object. */
int sk_config_diff_compute(const char *before_json, const char *after_json, sk_config_diff *out,
                           char **err);

void sk_config_diff_clear(sk_config_diff *d);

/* A line diff of two texts: every line of the longest common subsequence
 * prefixed "  ", removed lines "- ", added lines "+ ", each ending in a
 * newline; runs of more than two unchanged lines between changes shrink
 * to their first and last line around a "  ..." line.  Texts of more than
 * 2000 lines each are shown as all removed then all added.  Caller frees. */
char *sk_line_diff(const char *before, const char *after);

#endif
