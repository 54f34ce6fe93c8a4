/*
 * Pass rates corrected for a scorer's known errors (Rogan-Gladen): where
 * `validate --labels` stored a scorer's confusion matrix against people,
 * `show` and `compare` give, beside the pass rate the scorer measured, the
 * rate people would have found, with an interval that includes the
 * uncertainty of the scorer's TPR and TNR (validate/agreement.h).
 */
#ifndef SK_CLI_CORRECTED_H
#define SK_CLI_CORRECTED_H

#include <cjson/cJSON.h>

#include "store/experiment_stats.h"
#include "store/store.h"
#include "validate/agreement.h"

/* One scorer's; strings owned. */
typedef struct cli_corrected {
    char *scorer;
    sk_corrected_rate rate; /* value NAN: not correctable (see why) */
    size_t labels;          /* rows its TPR and TNR were measured on */
    char *when;             /* the validation's time, UTC */
    char *why;              /* NULL, or why there is no corrected rate */
} cli_corrected;

typedef struct cli_corrected_set {
    cli_corrected *v;
    size_t n;
} cli_corrected_set;

/* Every scorer of s with a threshold and a stored agreement.  Returns 0,
 * or -1 with the error printed. */
int cli_corrected_of(sk_store *st, const sk_exp_stats *s, cli_corrected_set *out);
const cli_corrected *cli_corrected_find(const cli_corrected_set *c, const char *scorer);
void cli_corrected_free(cli_corrected_set *c);

/* {"value","ci":[lo,hi],"observed","tpr","tnr","labels","validated_at"}
 * (or {"value": null, "why"}). */
cJSON *cli_corrected_json(const cli_corrected *c);

/* "  NAME: 0.27 [0.19, 0.34], measured 0.30; ..." lines, when there are
 * any, after a heading when `heading`; label (may be "") follows the
 * scorer's name. */
void cli_corrected_print(const cli_corrected_set *c, const char *label, int heading);

#endif
