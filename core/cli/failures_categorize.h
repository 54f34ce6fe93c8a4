/*
 * `failures --categorize`: a model names what went wrong with each
 * failing row in a few words, then merges those names into at most K
 * groups.  Its calls go through the project's LLM client, so they are
 * cached (a second run asks nothing) and their cost is counted.  Nothing
 * else of `failures` depends on it.
 */
#ifndef SK_CLI_FAILURES_CATEGORIZE_H
#define SK_CLI_FAILURES_CATEGORIZE_H

#include "analysis/failures.h"

struct sk_llm;

typedef struct cli_fail_group {
    char *name;
    size_t rows;
    char **ids; /* the first 5 rows' ids */
    size_t nids;
} cli_fail_group;

typedef struct cli_categories {
    size_t n;               /* rows categorized: the failing rows, at most max */
    char **category;        /* per failing row (f->failing order), its own name */
    size_t *group;          /* per failing row, its group */
    cli_fail_group *groups; /* largest first */
    size_t ngroups;
    int merged_by_model; /* 0: the model's merge was unusable, the largest names were kept */
    size_t calls, cached;
    double cost;
} cli_categories;

/* Categorize the first `max` failing rows of f (lowest first) with
 * `model` (NULL: the provider's), into at most k groups (k >= 2).
 * Returns 0, or a negative SK_E* code with *err (a model call failed). */
int cli_failures_categorize(struct sk_llm *llm, const char *model, const sk_failures *f, size_t max,
                            size_t k, cli_categories *out, char **err);
void cli_categories_free(cli_categories *c);

#endif
