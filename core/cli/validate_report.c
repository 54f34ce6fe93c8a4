/* The report card of `scorekit validate`: one line per scorer with the
 * figures behind each check, then why a scorer did not pass and the cases
 * it got wrong, with outputs, scores and rationales. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "base/util.h"
#include "cli/validate_gate.h"

#define SHOW_FAILING  5 /* failing cases shown per check without --explain */
#define SHOW_MESSAGES 5 /* error messages listed per scorer */

/* A scorer's error messages, each once with the calls that got it: a judge
 * that cannot reach its model fails every call the same way, and the cases
 * below then refer to the message by its number instead of repeating it. */
typedef struct msg_count {
    const char *text; /* borrowed from the results */
    size_t calls, cases;
} msg_count;

typedef struct msg_table {
    msg_count *m;
    size_t n;
} msg_table;

static void count_message(msg_table *t, const sk_meta_obs *o)
{
    if (!(o->errors || o->invalid) || !o->message)
        return;
    size_t i = 0;
    while (i < t->n && strcmp(t->m[i].text, o->message) != 0)
        i++;
    if (i == t->n)
        t->m[t->n++] = (msg_count){o->message, 0, 0};
    t->m[i].calls += o->errors + o->invalid;
    t->m[i].cases++;
}

static int by_calls(const void *a, const void *b)
{
    const msg_count *x = a, *y = b;
    return x->calls != y->calls ? (x->calls < y->calls ? 1 : -1) : strcmp(x->text, y->text);
}

/* The number (from 1) of a message listed above, or 0. */
static size_t message_number(const msg_table *t, const char *text)
{
    for (size_t i = 0; text && i < t->n && i < SHOW_MESSAGES; i++)
        if (t->m[i].cases > 1 && strcmp(t->m[i].text, text) == 0)
            return i + 1;
    return 0;
}

/* One cell: "!" marks a failed check, "~" a warning. */
static void cell(char *buf, size_t n, const sk_meta_scorer *s, int k)
{
    const sk_meta_check *c = &s->checks[k];
    if (c->status == SK_CHECK_NA) {
        snprintf(buf, n, "%s", c->skipped ? "skipped" : "n/a");
        return;
    }
    const char *mark = c->status == SK_CHECK_FAIL ? "!" : c->status == SK_CHECK_WARN ? "~" : "";
    switch (k == SK_CHK_WRONG && c->pairs ? SK_CHK_PAIRS : k) {
    case SK_CHK_CORRECT:
    case SK_CHK_WRONG: snprintf(buf, n, "%s%.2f/%zu", mark, c->mean, c->n); break;
    case SK_CHK_NUMERIC: snprintf(buf, n, "%smae%.2f/%zu", mark, c->mean, c->n); break;
    case SK_CHK_CONSISTENCY: snprintf(buf, n, "%s%zuflip/%zu", mark, c->hits, c->n); break;
    case SK_CHK_ERRORS: snprintf(buf, n, "%s%zu/%zu", mark, c->hits + c->invalid, c->n); break;
    case SK_CHK_POSITION:
    case SK_CHK_RATIONALE: snprintf(buf, n, "%s%zu/%zu", mark, c->hits, c->n); break;
    case SK_CHK_AGREEMENT: snprintf(buf, n, "%sk%.2f/%zu", mark, c->mean, c->n); break;
    default: snprintf(buf, n, "%s%zu/%zu", mark, c->hits, c->n); break;
    }
}

static void print_value(FILE *out, const char *json)
{
    size_t n = strlen(json);
    if (n <= 90)
        fputs(json, out);
    else
        fprintf(out, "%.87s...", json);
}

static void print_obs(FILE *out, const char *label, const char *output, const sk_meta_obs *o,
                      const msg_table *msgs)
{
    size_t num = message_number(msgs, o->message);
    fprintf(out, "      %s ", label);
    print_value(out, output);
    if (o->scored)
        fprintf(out, "\n        score %.3g", o->mean);
    if (o->scored > 1 && o->max > o->min)
        fprintf(out, " (%.3g to %.3g over %zu repeats%s)", o->min, o->max, o->scored,
                o->flipped ? ", flips" : "");
    if ((o->errors || o->invalid) && num)
        fprintf(out, "\n        error: message %zu above", num);
    else if (o->errors || o->invalid)
        fprintf(out, "\n        error: %s", o->message ? o->message : "");
    else if (o->skipped && !o->scored)
        fprintf(out, "\n        skipped: %s", o->message ? o->message : "");
    if (o->rationale)
        fprintf(out, "\n        rationale: %s", o->rationale);
    fputc('\n', out);
}

static void print_case(FILE *out, const sk_meta_result *r, const msg_table *msgs)
{
    const sk_metacase *m = r->mc;
    int bad = sk_meta_result_bad(r);
    fprintf(out, "    %s [%s] %s (%s)", bad ? "x" : "-", sk_check_name(r->check), m->id, m->where);
    if (m->type == SK_MC_HIGH || m->type == SK_MC_LOW)
        fprintf(out, ": expect %s\n", m->type == SK_MC_HIGH ? "high" : "low");
    else if (m->type == SK_MC_NUMBER)
        fprintf(out, ": expect %.3g +- %.3g\n", m->expect, m->tolerance);
    else if (m->versus)
        fprintf(out, ": head to head, better must win in either role, worse must score low\n");
    else
        fprintf(out, ": better must win%s%s\n", m->margin > 0 ? " by a margin" : "",
                m->bias ? ", worse must score low" : "");
    if (m->versus) {
        print_obs(out, "better vs worse:", m->better_json, &r->obs[0], msgs);
        print_obs(out, "worse vs better:", m->worse_json, &r->obs[1], msgs);
    } else if (m->type == SK_MC_PAIR) {
        print_obs(out, "better:", m->better_json, &r->obs[0], msgs);
        print_obs(out, "worse: ", m->worse_json, &r->obs[1], msgs);
    } else {
        print_obs(out, "output:", m->output_json, &r->obs[0], msgs);
    }
}

static void print_details(FILE *out, const sk_meta_scorer *s, int explain)
{
    fprintf(out,
            "\n%s: %s (%s %s, fingerprint %s, %zu cases x %d, %zu calls, %zu skipped, %zu "
            "errors, %zu invalid verdicts)\n",
            s->name, sk_check_status_name(s->verdict), s->engine, s->use,
            s->fingerprint[0] ? s->fingerprint : "-", s->nresults, s->repeat, s->calls, s->skipped,
            s->errors, s->invalid);
    if (s->problem)
        fprintf(out, "  %s\n", s->problem);
    if (s->note)
        fprintf(out, "  %s\n", s->note);
    for (int k = 0; k < SK_CHK_COUNT; k++)
        if (s->checks[k].why)
            fprintf(out, "  %s %s: %s\n", sk_check_status_name(s->checks[k].status),
                    sk_check_name(k), s->checks[k].why);
    msg_table msgs = {sk_xcalloc(2 * s->nresults + 1, sizeof *msgs.m), 0};
    for (size_t i = 0; i < s->nresults; i++)
        for (int side = 0; side < 2; side++)
            count_message(&msgs, &s->results[i].obs[side]);
    qsort(msgs.m, msgs.n, sizeof *msgs.m, by_calls);
    if (msgs.n)
        fprintf(out, "  errors by message (calls, message):\n");
    for (size_t i = 0; i < msgs.n && i < SHOW_MESSAGES; i++)
        fprintf(out, "    %zu. %6zu  %s\n", i + 1, msgs.m[i].calls, msgs.m[i].text);
    if (msgs.n > SHOW_MESSAGES)
        fprintf(out, "    ... and %zu more messages (--json lists every case)\n",
                msgs.n - SHOW_MESSAGES);
    size_t shown[SK_CHK_COUNT] = {0}, hidden = 0;
    for (size_t i = 0; i < s->nresults; i++) {
        const sk_meta_result *r = &s->results[i];
        int bad = sk_meta_result_bad(r);
        if (!explain && !bad)
            continue;
        if (!explain && shown[r->check]++ >= SHOW_FAILING) {
            hidden++;
            continue;
        }
        print_case(out, r, &msgs);
    }
    free(msgs.m);
    if (hidden)
        fprintf(out, "    ... and %zu more failing cases (--json or --explain shows them all)\n",
                hidden);
}

/* What every reader of the table needs, whatever the verdict: a pairwise
 * judge's accuracy per kind of pair and position inconsistency, and the
 * checks skipped on purpose. */
static void print_notes(FILE *out, const sk_meta_scorer *s)
{
    if (s->pairwise) {
        static const char *const kinds[SK_CHK_COUNT] = {[SK_CHK_WRONG] = "vs wrong",
                                                        [SK_CHK_VERBOSITY] = "vs verbose wrong",
                                                        [SK_CHK_FORMALITY] = "vs formal wrong",
                                                        [SK_CHK_CONFIDENCE] = "vs confident wrong",
                                                        [SK_CHK_PAIRS] = "other pairs"};
        fprintf(out, "%s: pairwise accuracy (correct answer preferred in both roles):", s->name);
        int any = 0;
        for (int k = SK_CHK_WRONG; k <= SK_CHK_PAIRS; k++) {
            const sk_meta_check *c = &s->checks[k];
            if (c->n && c->pairs)
                fprintf(out, "%s %s %zu/%zu", any++ ? "," : "", kinds[k], c->hits, c->n);
        }
        const sk_meta_check *p = &s->checks[SK_CHK_POSITION];
        if (p->n)
            fprintf(out, "%s position inconsistency %zu/%zu (%.0f%%)", any ? ";" : "", p->hits,
                    p->n, 100 * p->share);
        else if (!any)
            fprintf(out, " no comparisons");
        fputc('\n', out);
    }
    for (int k = 0; k < SK_CHK_COUNT; k++)
        if (s->checks[k].skipped)
            fprintf(out, "%s: %s %s\n", s->name, sk_check_name(k), s->checks[k].skipped);
    const sk_agreement *g = &s->agreement;
    if (g->n) {
        fprintf(out,
                "%s: against %zu human labels at cut %.2f: kappa %.2f [%.2f, %.2f], accuracy "
                "%.2f, TPR %.2f [%.2f, %.2f], TNR %.2f [%.2f, %.2f], precision %.2f; confusion "
                "tp %zu fp %zu fn %zu tn %zu\n",
                s->name, g->n, g->cut, g->kappa, g->kappa_lo, g->kappa_hi, g->accuracy, g->tpr,
                g->tpr_lo, g->tpr_hi, g->tnr, g->tnr_lo, g->tnr_hi, g->precision, g->tp, g->fp,
                g->fn, g->tn);
        if (g->graded)
            fprintf(out,
                    "%s: graded labels: Spearman %.2f, Pearson %.2f, mean absolute error %.3f\n",
                    s->name, g->spearman, g->pearson, g->mae);
        fprintf(out,
                "%s: the cut that agrees best: %.3g (kappa %.2f); by Youden's J: %.3g (J %.2f); "
                "now %.3g (kappa %.2f, J %.2f)\n",
                s->name, g->best_kappa_cut, g->best_kappa, g->best_j_cut, g->best_j, g->cut,
                g->kappa, g->tpr + g->tnr - 1);
    }
}

void cli_validate_print(FILE *out, const sk_meta_report *rep, int explain)
{
    size_t w = 6, counts[4] = {0};
    for (size_t i = 0; i < rep->n; i++) {
        size_t l = strlen(rep->scorers[i].name);
        if (l > w)
            w = l;
        counts[rep->scorers[i].verdict]++;
    }
    fprintf(out, "validate %s: %zu scorer%s: %zu PASS, %zu WARN, %zu FAIL\n\n", rep->pack, rep->n,
            rep->n == 1 ? "" : "s", counts[SK_CHECK_PASS], counts[SK_CHECK_WARN],
            counts[SK_CHECK_FAIL]);
    fprintf(out, "%-*s  %-7s", (int)w, "scorer", "verdict");
    static const int widths[SK_CHK_COUNT] = {9, 9, 10, 10, 10, 7, 10, 12, 9, 9, 9, 10};
    for (int k = 0; k < SK_CHK_COUNT; k++)
        fprintf(out, " %-*s", widths[k], sk_check_name(k));
    fputc('\n', out);
    for (size_t i = 0; i < rep->n; i++) {
        const sk_meta_scorer *s = &rep->scorers[i];
        fprintf(out, "%-*s  %-7s", (int)w, s->name, sk_check_status_name(s->verdict));
        for (int k = 0; k < SK_CHK_COUNT; k++) {
            char buf[32];
            cell(buf, sizeof buf, s, k);
            fprintf(out, " %-*s", widths[k], buf);
        }
        fputc('\n', out);
    }
    fprintf(out, "\ncells: mean score/cases (correct, wrong), pairs won/pairs, mean absolute "
                 "error/cases,\nflipping outputs/outputs, position-inconsistent/comparisons, "
                 "scores with a rationale/scores,\nerrors and invalid verdicts/calls; ! failed, "
                 "~ warning\n");
    for (size_t i = 0; i < rep->n; i++)
        print_notes(out, &rep->scorers[i]);
    for (size_t i = 0; i < rep->n; i++) {
        const sk_meta_scorer *s = &rep->scorers[i];
        if (explain || s->verdict != SK_CHECK_PASS)
            print_details(out, s, explain);
    }
}
