/*
 * Presenting comparisons and baselines (compare_report.c, baseline.c): the
 * text report, the same facts as JSON, the JUnit file, and the staleness
 * check of the baseline that `compare` and `baseline show` share.
 */
#ifndef SK_CLI_COMPARE_REPORT_H
#define SK_CLI_COMPARE_REPORT_H

#include <cjson/cJSON.h>
#include <stdio.h>

#include "analysis/baseline.h"
#include "cli/cli.h"
#include "cli/corrected.h"
#include "analysis/compare.h"

/* Everything a report shows, gathered before printing. */
typedef struct cli_compare_report {
    const sk_comparison *c;
    int base_is_baseline;
    const sk_baseline *baseline;        /* when base_is_baseline */
    const sk_baseline_staleness *stale; /* NULL: not checked */
    size_t *regressed, nregressed;      /* row indices, worst first */
    size_t *improved, nimproved;
    size_t *flaky, nflaky;         /* rows flaky on the new side (NULL: not listed) */
    size_t shown;                  /* rows shown per list (--rows) */
    sk_cmp_row_detail *reg_detail; /* for the first min(shown, nregressed) */
    sk_cmp_row_detail *imp_detail; /* likewise */
    char **gate_reasons;
    size_t ngate_reasons;
    int gated;                      /* a gate was asked for */
    sk_llm_usage usage[2];          /* model calls of the base [0] and the new [1] experiment */
    cli_corrected_set corrected[2]; /* pass rates corrected against people, base and new */
} cli_compare_report;

void cli_compare_print_text(const cli_compare_report *r);
cJSON *cli_compare_json(const cli_compare_report *r);
/* Write the JUnit XML file; returns 0, or -1 with the error printed. */
int cli_compare_junit(const cli_compare_report *r, const char *path, int row_cases);

/* One configuration change as text lines, each starting with `indent`. */
void cli_print_change(FILE *f, const sk_config_change *ch, const char *indent);
/* The changes as a JSON object {"variables": n, "changes": [...]}. */
cJSON *cli_changes_json(const sk_config_diff *d);

/* Check the baseline experiment `base` against the project's current
 * configuration and age.  max_age_days < 0: the project's
 * "baseline_max_age_days" (0 there: no limit).  A check that cannot be
 * made (the pack no longer loads) is a warning, and *out then covers age
 * only.  Returns 0, or -1 with the error printed. */
int cli_baseline_staleness(const cli_ctx *ctx, const sk_project *proj, sk_store *st,
                           const sk_experiment *base, int max_age_days, sk_baseline_staleness *out);
/* Warn on stderr when stale, saying what differs; quiet otherwise. */
void cli_staleness_warn(const sk_experiment *base, const sk_baseline_staleness *s);
cJSON *cli_staleness_json(const sk_baseline_staleness *s);
/* Whether a change is of the task (the variable a baseline is compared on). */
int cli_is_task_change(const sk_config_change *ch);

#endif
