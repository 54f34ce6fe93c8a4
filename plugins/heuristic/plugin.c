/* The heuristic pack as a scorekit plugin: its table of scorers. */
#include "heuristic.h"

static const sk_scorer_def *const scorers[] = {
    &sk_h_exact_match,   &sk_h_levenshtein, &sk_h_numeric_diff, &sk_h_json_diff,
    &sk_h_list_contains, &sk_h_valid_json,  &sk_h_contains,     &sk_h_icontains,
    &sk_h_starts_with,   &sk_h_regex,       &sk_h_word_count,
};

SK_PLUGIN_DECLARE("heuristic", "1.0", scorers)
