/*
 * The heuristic scorer pack: deterministic, thread-safe scorers that need
 * no model.  Each scorer lives in its own file and exports its definition;
 * plugin.c lists them in the plugin's table.
 */
#ifndef SK_HEURISTIC_H
#define SK_HEURISTIC_H

#include <cjson/cJSON.h>

#include "scorekit/plugin.h"

/* similarity scorers */
extern const sk_scorer_def sk_h_exact_match;
extern const sk_scorer_def sk_h_levenshtein;
extern const sk_scorer_def sk_h_numeric_diff;
extern const sk_scorer_def sk_h_json_diff;
extern const sk_scorer_def sk_h_list_contains;

/* pattern scorers */
extern const sk_scorer_def sk_h_valid_json;
extern const sk_scorer_def sk_h_contains;
extern const sk_scorer_def sk_h_icontains;
extern const sk_scorer_def sk_h_starts_with;
extern const sk_scorer_def sk_h_regex;
extern const sk_scorer_def sk_h_word_count;

/* --- shared JSON helpers (json_util.c) --- */

#endif
