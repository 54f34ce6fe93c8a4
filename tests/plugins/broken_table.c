/* A plugin whose table is wrong (two scorers with one name): refused at
 * load with a reason, never half-used. */
#include "scorekit/plugin.h"

static int score(const sk_host *host, void *state, const sk_case *c, sk_result *r)
{
    (void)state;
    (void)c;
    host->set_score(r, 1);
    return 0;
}

static const sk_scorer_def twin = {
    sizeof(sk_scorer_def), "twin", "twin", 0, 0, NULL, NULL, score, NULL};
static const sk_scorer_def *const scorers[] = {&twin, &twin};

SK_PLUGIN_DECLARE("broken", "1", scorers)
