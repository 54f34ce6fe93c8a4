/*
 * Human labels on the command line: where labelled rows live (a dataset,
 * an experiment, the logs, or a file of rows carrying their own
 * "labels"), reading label files, and labelled rows made into validate's
 * cases (label_source.c); the `label` command (cmd_label.c).
 */
#ifndef SK_CLI_LABEL_SOURCE_H
#define SK_CLI_LABEL_SOURCE_H

#include "cli/cli.h"
#include "store/store.h"
#include "validate/metacase.h"

/* A label as people write it: true/false, "pass"/"fail", 1/0, or a grade
 * in [0,1] (a number, or a string holding one).  Returns 0 with *out,
 * else -1 with what is wrong in why. */
int cli_label_value(const cJSON *v, double *out, char *why, size_t whylen);

enum { CLI_LABELS_DATASET = 1, CLI_LABELS_EXPERIMENT, CLI_LABELS_LOGS };

/* A source of labelled rows in the store.  Every string owned. */
typedef struct cli_label_source {
    int kind;
    char *key;    /* as labels are stored: "dataset:NAME", "experiment:ID", "logs" */
    int64_t vid;  /* the dataset version whose rows are walked (dataset, experiment) */
    char *exp_id; /* experiment */
} cli_label_source;

/* "logs", "dataset:NAME" (its newest version) or an experiment id or
 * prefix.  SK_ENOTFOUND (saying what SOURCE may be) otherwise. */
int cli_label_source_open(sk_store *st, const char *s, cli_label_source *out, char **err);
void cli_label_source_clear(cli_label_source *s);

/* One row of a source, everything borrowed for the call; JSON texts, NULL
 * when absent.  An experiment's output is its first trial's. */
typedef struct cli_label_row {
    const char *id, *input, *expected, *output, *metadata;
} cli_label_row;
typedef int (*cli_label_row_fn)(void *ud, const cli_label_row *r);

/* Every row of the source, in its order.  A non-zero return from fn stops
 * the walk and is returned. */
int cli_label_each_row(sk_store *st, const cli_label_source *s, cli_label_row_fn fn, void *ud,
                       char **err);

/* A labels file: CSV with the columns id, scorer, label and (optionally)
 * who; or JSONL, a line {"id","scorer","label","who"} or {"id","labels":
 * {"SCORER": LABEL, ...},"who"} (a labelled row's own fields may come
 * along).  who is the labeller when a line names none.  All or nothing:
 * errors say FILE:LINE. */
typedef struct cli_file_label {
    char *id, *scorer, *who;
    double label;
    long line;
} cli_file_label;
typedef struct cli_label_file {
    cli_file_label *v;
    size_t n, cap;
} cli_label_file;

int cli_label_file_read(const char *path, const char *who, cli_label_file *out, char **err);
void cli_label_file_free(cli_label_file *f);

/* The labelled rows of SOURCE as cases of `validate` (origin
 * SK_MC_LABELS, one per row and scorer, the label the mean over the people
 * who gave one), appended to *set.  SOURCE is a JSONL file of rows with a
 * "labels" object, or a source in the project's store.  Prints its
 * errors; returns CLI_OK or CLI_FAIL.  *nlabels receives how many labels
 * were read. */
int cli_label_cases(const cli_ctx *ctx, const char *source, sk_metacase_set *set, size_t *nlabels);

/* The labeller's name when none is given: $SCOREKIT_LABELLER, else $USER,
 * else "someone".  Static or the environment's. */
const char *cli_labeller(void);

/* validate without --labels in a project: the labelled rows of every
 * source that has labels in the store.  A source that cannot be used (its
 * rows are gone, or have no output) is left out with a warning.  Returns
 * CLI_OK, or CLI_FAIL when the store cannot be read. */
int cli_label_cases_stored(const cli_ctx *ctx, sk_metacase_set *set, size_t *nlabels);

#endif
