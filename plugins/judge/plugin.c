/* The judge pack as a scorekit plugin: its table of scorers. */
#include "judge.h"

static const sk_scorer_def *const scorers[] = {
    &sk_j_classifier, &sk_j_factuality, &sk_j_closed_qa,
    &sk_j_rubric,     &sk_j_pairwise,   &sk_j_embedding_similarity,
};

SK_PLUGIN_DECLARE("judge", "1.0", scorers)
