/* Corrected pass rates (see corrected.h). */
#include "cli/corrected.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "cli/cli.h"
#include "store/validation_store.h"

static size_t count(const cJSON *o, const char *k)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
    return cJSON_IsNumber(v) && v->valuedouble > 0 ? (size_t)v->valuedouble : 0;
}

int cli_corrected_of(sk_store *st, const sk_exp_stats *s, cli_corrected_set *out)
{
    memset(out, 0, sizeof *out);
    out->v = sk_xcalloc(s->nscorers + 1, sizeof *out->v);
    for (size_t i = 0; i < s->nscorers; i++) {
        const sk_exp_scorer_stats *sc = &s->scorers[i];
        char *agree = NULL, *when = NULL, *err = NULL;
        if (!sc->has_threshold)
            continue;
        if (sk_validation_agreement(st, sc->name, &agree, &when, &err) != SK_OK) {
            cli_error("%s", err);
            free(err);
            cli_corrected_free(out);
            return -1;
        }
        if (!agree)
            continue;
        cJSON *a = cJSON_Parse(agree);
        cli_corrected *c = &out->v[out->n++];
        c->scorer = sk_xstrdup(sc->name);
        c->when = when;
        size_t tp = count(a, "tp"), fp = count(a, "fp"), fn = count(a, "fn"), tn = count(a, "tn");
        const cJSON *cut = cJSON_GetObjectItemCaseSensitive(a, "cut");
        c->labels = tp + fp + fn + tn;
        sk_rogan_gladen(sc->rows_passing, sc->rows, tp, tp + fn, tn, tn + fp, &c->rate);
        if (cJSON_IsNumber(cut) && fabs(cut->valuedouble - sc->threshold) > 1e-9) {
            c->rate.value = c->rate.lo = c->rate.hi = NAN;
            c->why = sk_asprintf("its agreement with people was measured at the cut %g; the "
                                 "threshold here is %g: validate --labels it again",
                                 cut->valuedouble, sc->threshold);
        } else if (isnan(c->rate.value)) {
            c->why = sk_xstrdup(!(tp + fn) || !(tn + fp)
                                    ? "its labels are all of one kind: TPR or TNR is unknown"
                                    : "against people it is no better than chance (TPR + TNR "
                                      "<= 1): nothing to correct");
        }
        cJSON_Delete(a);
        free(agree);
    }
    return 0;
}

const cli_corrected *cli_corrected_find(const cli_corrected_set *c, const char *scorer)
{
    for (size_t i = 0; c && i < c->n; i++)
        if (strcmp(c->v[i].scorer, scorer) == 0)
            return &c->v[i];
    return NULL;
}

void cli_corrected_free(cli_corrected_set *c)
{
    for (size_t i = 0; i < c->n; i++) {
        free(c->v[i].scorer);
        free(c->v[i].when);
        free(c->v[i].why);
    }
    free(c->v);
    memset(c, 0, sizeof *c);
}

cJSON *cli_corrected_json(const cli_corrected *c)
{
    cJSON *o = cJSON_CreateObject();
    cli_json_num(o, "value", c->rate.value);
    if (!isnan(c->rate.value)) {
        cJSON *ci = cJSON_AddArrayToObject(o, "ci");
        cJSON_AddItemToArray(ci, cJSON_CreateNumber(c->rate.lo));
        cJSON_AddItemToArray(ci, cJSON_CreateNumber(c->rate.hi));
    }
    cli_json_num(o, "observed", c->rate.observed);
    cli_json_num(o, "tpr", c->rate.tpr);
    cli_json_num(o, "tnr", c->rate.tnr);
    cJSON_AddNumberToObject(o, "labels", (double)c->labels);
    cli_json_str(o, "validated_at", c->when);
    if (c->why)
        cJSON_AddStringToObject(o, "why", c->why);
    return o;
}

void cli_corrected_print(const cli_corrected_set *c, const char *label, int heading)
{
    if (!c->n)
        return;
    if (heading)
        printf("\npass rates corrected for each scorer's errors against people (Rogan-Gladen, "
               "95%%):\n");
    for (size_t i = 0; i < c->n; i++) {
        const cli_corrected *x = &c->v[i];
        if (x->why)
            printf("  %s%s: none: %s\n", x->scorer, label, x->why);
        else
            printf("  %s%s: %.3f [%.3f, %.3f], measured %.3f; TPR %.2f, TNR %.2f on %zu labels "
                   "(%s)\n",
                   x->scorer, label, x->rate.value, x->rate.lo, x->rate.hi, x->rate.observed,
                   x->rate.tpr, x->rate.tnr, x->labels, x->when ? x->when : "?");
    }
}
