/*
 * The reports of `scorekit compare` (see compare_report.h): text for a
 * person, JSON with the same facts for tools, and JUnit XML for CI
 * servers.  The text leads with what changed between the two
 * configurations, because a difference means little until one knows what
 * caused it, then the per-scorer table, the notes that say when a
 * difference is noise, the segments, and the rows themselves.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/compare_report.h"
#include "base/fileutil.h"
#include "base/util.h"

#define CLIP      160 /* characters of an output, input or rationale shown */
#define IDS_SHOWN 10  /* ids listed of rows only one side has */

/* ---- small helpers ---------------------------------------------------------- */

/* At most CLIP bytes of s on one line (cut at a character boundary, control
 * characters shown as spaces), "..." when cut. */
static void put_clipped(FILE *f, const char *s)
{
    size_t n = strlen(s), max = n;
    if (n > CLIP) {
        max = CLIP;
        while (max > 0 && ((unsigned char)s[max] & 0xc0) == 0x80)
            max--;
    }
    for (size_t i = 0; i < max; i++)
        fputc((unsigned char)s[i] < 0x20 ? ' ' : s[i], f);
    if (max < n)
        fputs("...", f);
}

static const char *num(char *buf, size_t n, const char *fmt, double v)
{
    if (isnan(v))
        snprintf(buf, n, "-");
    else
        snprintf(buf, n, fmt, v);
    return buf;
}

static const char *interval(char *buf, size_t n, double lo, double hi)
{
    if (isnan(lo) || isnan(hi))
        snprintf(buf, n, "-");
    else
        snprintf(buf, n, "[%+.4f, %+.4f]", lo, hi);
    return buf;
}

static const char *verdict_text(sk_cmp_verdict v)
{
    switch (v) {
    case SK_CMP_IMPROVED: return "IMPROVED";
    case SK_CMP_REGRESSED: return "REGRESSED";
    case SK_CMP_NOISE: return "noise";
    case SK_CMP_UNCHANGED: return "unchanged";
    case SK_CMP_NONE: break;
    }
    return "no data";
}

static const char *plural(size_t n)
{
    return n == 1 ? "" : "s";
}

/* ---- configuration changes ------------------------------------------------ */

void cli_print_change(FILE *f, const sk_config_change *ch, const char *indent)
{
    fprintf(f, "%s%s: ", indent, ch->variable);
    if (ch->diff) {
        fprintf(f, "%s\n", !ch->before ? "(added)" : !ch->after ? "(removed)" : "text changed");
        for (const char *p = ch->diff; *p;) {
            const char *nl = strchr(p, '\n');
            size_t len = nl ? (size_t)(nl - p) : strlen(p);
            fprintf(f, "%s  | %.*s\n", indent, (int)len, p);
            p += len + (nl ? 1 : 0);
        }
    } else {
        put_clipped(f, ch->before ? ch->before : "(absent)");
        fputs(" -> ", f);
        put_clipped(f, ch->after ? ch->after : "(absent)");
        fputc('\n', f);
    }
    if (ch->note)
        fprintf(f, "%s  (%s)\n", indent, ch->note);
}

int cli_is_task_change(const sk_config_change *ch)
{
    return strcmp(ch->variable, "task") == 0 || strncmp(ch->variable, "task.", 5) == 0;
}

cJSON *cli_changes_json(const sk_config_diff *d)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "variables", (double)d->variables);
    cJSON_AddBoolToObject(o, "attributable", d->variables <= 1);
    cJSON *arr = cJSON_AddArrayToObject(o, "changes");
    for (size_t i = 0; i < d->n; i++) {
        const sk_config_change *ch = &d->v[i];
        cJSON *j = cJSON_CreateObject();
        cJSON_AddStringToObject(j, "variable", ch->variable);
        cli_json_raw(j, "before", ch->before);
        cli_json_raw(j, "after", ch->after);
        cli_json_str(j, "diff", ch->diff);
        cli_json_str(j, "note", ch->note);
        cJSON_AddBoolToObject(j, "counts", ch->counts);
        cJSON_AddItemToArray(arr, j);
    }
    return o;
}

cJSON *cli_staleness_json(const sk_baseline_staleness *s)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddBoolToObject(o, "stale", s->stale);
    cJSON_AddBoolToObject(o, "config_changed", s->config_changed);
    cJSON_AddBoolToObject(o, "too_old", s->too_old);
    cJSON_AddBoolToObject(o, "config_unknown", s->config_unknown);
    if (isnan(s->age_days))
        cJSON_AddNullToObject(o, "age_days");
    else
        cJSON_AddNumberToObject(o, "age_days", s->age_days);
    cJSON_AddNumberToObject(o, "max_age_days", s->max_age_days);
    cJSON_AddItemToObject(o, "changes", cli_changes_json(&s->changes));
    cJSON_AddNumberToObject(o, "task_changes", (double)s->task_changes);
    return o;
}

/* ---- text ----------------------------------------------------------------- */

static void print_experiment(const char *label, const sk_experiment *e)
{
    printf("%s %s \"%s\" (%s, %d trial%s, ran %s)", label, e->id, e->name, e->dataset_ref,
           e->trials, plural((size_t)e->trials), e->created_at);
}

static void print_header(const cli_compare_report *r)
{
    const sk_comparison *c = r->c;
    print_experiment("comparing", &c->new_);
    printf("\n");
    print_experiment("     with", &c->base);
    if (r->base_is_baseline)
        printf(", the baseline (set %s)", r->baseline->set_at);
    printf("\nrows: %zu paired, %zu only in the base, %zu only in the new experiment\n", c->both,
           c->only_base, c->only_new);
    for (int side = 0; side < 2; side++) {
        size_t count = side ? c->only_new : c->only_base, shown = 0;
        if (!count)
            continue;
        printf("  only in the %s: ", side ? "new" : "base");
        for (size_t i = 0; i < c->nrows && shown < IDS_SHOWN; i++) {
            const sk_cmp_row *row = &c->rows[i];
            if (side ? (row->in_new && !row->in_base) : (row->in_base && !row->in_new))
                printf("%s%s", shown++ ? ", " : "", row->id);
        }
        if (count > shown)
            printf(" and %zu more", count - shown);
        printf("\n");
    }
    /* What a change of model or prompt costs is part of whether it helped. */
    if (r->usage[0].calls || r->usage[1].calls)
        for (int side = 0; side < 2; side++)
            cli_llm_usage_line(side ? ", new " : ", base", &r->usage[side]);
    cli_corrected_print(&r->corrected[0], " (base)", 1);
    cli_corrected_print(&r->corrected[1], " (new)", r->corrected[0].n == 0);
}

static void print_changes(const sk_comparison *c)
{
    const sk_config_diff *d = &c->changes;
    printf("\n");
    if (d->variables > 1) {
        const char *bar = "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!"
                          "!!!!!!";
        printf("%s\n", bar);
        printf("!! %zu VARIABLES CHANGED between these experiments: the comparison cannot\n",
               d->variables);
        printf("!! attribute any difference below to one of them.  Change one thing at a\n");
        printf("!! time, or compare through an experiment that changes only one.\n");
        printf("%s\n", bar);
    } else if (d->variables == 1) {
        printf("changed: 1 variable (differences below are its effect, or noise)\n");
    } else {
        printf("changed: nothing that affects scores: differences below are the noise of the "
               "task and the scorers\n");
    }
    for (size_t i = 0; i < d->n; i++)
        cli_print_change(stdout, &d->v[i], "  ");
    for (size_t i = 0; i < c->nbase_only; i++)
        printf("  scorer %s: only in the base, not compared\n", c->base_only[i]);
    for (size_t i = 0; i < c->nnew_only; i++)
        printf("  scorer %s: only in the new experiment, not compared\n", c->new_only[i]);
}

static int name_width(const sk_comparison *c)
{
    int w = 6;
    for (size_t k = 0; k < c->nscorers; k++)
        if ((int)strlen(c->scorers[k].name) > w)
            w = (int)strlen(c->scorers[k].name);
    return w;
}

static void print_table_head(int w, const char *indent, double level)
{
    char ci[32];
    snprintf(ci, sizeof ci, "%g%% CI (bootstrap)", level * 100);
    printf("%s%-*s %7s %7s %8s  %-20s  %-20s %4s %4s %4s %4s %4s  %s\n", indent, w, "scorer",
           "base", "new", "delta", ci, "t-interval", "up", "down", "same", "p>f", "f>p", "verdict");
}

static void print_figures(const char *name, int w, const char *indent, const sk_cmp_figures *f)
{
    char b[16], n[16], d[16], ci[48], ti[48];
    printf("%s%-*s %7s %7s %8s  %-20s  %-20s %4zu %4zu %4zu %4zu %4zu  %s\n", indent, w, name,
           num(b, sizeof b, "%.4f", f->base_mean), num(n, sizeof n, "%.4f", f->new_mean),
           num(d, sizeof d, "%+.4f", f->diff), interval(ci, sizeof ci, f->boot_lo, f->boot_hi),
           interval(ti, sizeof ti, f->t_lo, f->t_hi), f->improved, f->regressed, f->unchanged,
           f->pass_to_fail, f->fail_to_pass, verdict_text(f->verdict));
}

/* How much more data would tell a difference of this size from noise. */
static void print_resolution(const sk_comparison *c, const sk_cmp_figures *f)
{
    if (isnan(f->rows_needed)) {
        printf("; too few rows to estimate how many would be needed");
        return;
    }
    if (isinf(f->rows_needed)) {
        printf("; the means are equal: there is no difference for more data to resolve");
        return;
    }
    printf("; resolving a difference of %.4f would take about %.0f rows (have %zu", fabs(f->diff),
           f->rows_needed, f->pairs);
    if (f->rows_needed > (double)f->pairs)
        printf(", %.0f more", f->rows_needed - (double)f->pairs);
    printf(")");
    if (!isnan(f->trials_needed) && !isinf(f->trials_needed))
        printf(", or %.0f trials per row on both sides with these rows", f->trials_needed);
    else if (isinf(f->trials_needed))
        printf("; more trials alone would not do: rows differ more than trials do");
    else if (c->base.trials == 1 && c->new_.trials == 1)
        printf("; with one trial a side, how much trials vary is unknown (--trials 3 tells)");
}

/* A significant change no row shows on its own. */
static int spread(const sk_cmp_figures *f)
{
    return f->improved + f->regressed == 0;
}

static void print_notes(const sk_comparison *c)
{
    int any = 0;
    for (size_t k = 0; k < c->nscorers; k++) {
        const sk_cmp_scorer *sc = &c->scorers[k];
        const sk_cmp_figures *f = &sc->fig;
        int small = f->small && f->verdict != SK_CMP_UNCHANGED && f->verdict != SK_CMP_NONE;
        int note =
            f->verdict == SK_CMP_NOISE || small || f->verdict == SK_CMP_NONE || f->unpaired ||
            f->no_verdict || f->flaky_base || f->flaky_new ||
            (f->regressed && f->verdict != SK_CMP_REGRESSED) ||
            (spread(f) && (f->verdict == SK_CMP_REGRESSED || f->verdict == SK_CMP_IMPROVED)) ||
            sc->base_has_threshold != sc->new_has_threshold ||
            (sc->base_has_threshold && sc->base_threshold != sc->new_threshold);
        if (!note)
            continue;
        if (!any++)
            printf("\nnotes:\n");
        printf("  %s: ", sc->name);
        if (f->verdict == SK_CMP_NONE) {
            printf("no row was scored on both sides (all skipped or errors)");
        } else if (f->verdict == SK_CMP_NOISE) {
            printf("not distinguishable from noise: the %g%% interval of the difference "
                   "(%+.4f) includes 0%s",
                   c->level * 100, f->diff, small ? ", and it is under 5 points" : "");
            print_resolution(c, f);
        } else if (small) {
            printf("the difference (%+.4f) is under 5 points, but both intervals exclude 0 over "
                   "%zu rows: small, and not noise",
                   f->diff, f->pairs);
        }
        if (spread(f) && (f->verdict == SK_CMP_REGRESSED || f->verdict == SK_CMP_IMPROVED))
            printf("%s%s, but no single row moved beyond its trial noise and epsilon: the change "
                   "is spread thinly over many rows",
                   small ? ". It " : "", f->verdict == SK_CMP_REGRESSED ? "regressed" : "improved");
        if (f->regressed && f->verdict != SK_CMP_REGRESSED)
            printf("%s%zu row%s regressed and %zu improved, but the mean did not fall beyond "
                   "noise: the rows are listed, the scorer did not regress",
                   f->verdict == SK_CMP_UNCHANGED ? "" : ". ", f->regressed, plural(f->regressed),
                   f->improved);
        /* What was said so far, so the next clause knows to start a sentence. */
        int said =
            f->verdict == SK_CMP_NONE || f->verdict == SK_CMP_NOISE || small ||
            (spread(f) && (f->verdict == SK_CMP_REGRESSED || f->verdict == SK_CMP_IMPROVED)) ||
            (f->regressed && f->verdict != SK_CMP_REGRESSED);
        if (f->unpaired)
            printf("%s%zu row%s scored on one side only (skipped or errors on the other) left "
                   "out",
                   said++ ? ". " : "", f->unpaired, plural(f->unpaired));
        if (f->no_verdict)
            printf("%s%zu row%s had no verdict on a side (an error, or no score): neither pass "
                   "nor fail, so not counted as flips",
                   said++ ? ". " : "", f->no_verdict, plural(f->no_verdict));
        if (f->flaky_base || f->flaky_new)
            printf("%s%zu row%s flaky in the new experiment, %zu in the base: their trials "
                   "disagree on pass/fail (row verdicts by the reducer \"%s\")",
                   said++ ? ". " : "", f->flaky_new, plural(f->flaky_new), f->flaky_base,
                   sk_reducer_name(sc->new_reducer));
        if (sc->base_has_threshold != sc->new_has_threshold ||
            (sc->base_has_threshold && sc->base_threshold != sc->new_threshold))
            printf("%sThe threshold changed; flips count each side against its own",
                   said ? ". " : "");
        printf("\n");
    }
}

static void print_segments(const cli_compare_report *r, int w)
{
    const sk_comparison *c = r->c;
    const char *key = NULL;
    for (size_t i = 0; i < c->nsegments; i++) {
        const sk_cmp_segment *sg = &c->segments[i];
        if (!key || strcmp(key, sg->key) != 0) {
            key = sg->key;
            printf("\nby metadata.%s%s:\n", key,
                   c->sort_regressions ? " (most regressions first)" : "");
        }
        printf("\n  %s=%s: %zu paired row%s, %zu regressed, %zu improved\n", key, sg->value,
               sg->rows, plural(sg->rows), sg->regressed, sg->improved);
        print_table_head(w, "    ", c->level);
        for (size_t k = 0; k < c->nscorers; k++)
            print_figures(c->scorers[k].name, w, "    ", &sg->fig[k]);
    }
}

static const char *change_name(unsigned char ch)
{
    return ch == SK_ROW_UP     ? "improved"
           : ch == SK_ROW_DOWN ? "regressed"
           : ch == SK_ROW_SAME ? "same"
                               : "n/a";
}

static void print_side(const char *label, const sk_cmp_trial *t)
{
    printf("    %-9s ", label);
    if (!t->present)
        printf("(no such row)");
    else if (t->task_error) {
        printf("task error: ");
        put_clipped(stdout, t->task_error);
    } else
        put_clipped(stdout, t->output_json ? t->output_json : "null");
    printf("\n");
}

static void print_verdict_line(const char *label, const struct sk_cmp_verdict_view *v)
{
    if (!v->kind)
        return;
    const char *text = strcmp(v->kind, "score") == 0 ? v->rationale : v->message;
    if (strcmp(v->kind, "score") != 0 || text) {
        printf("        %s: ", label);
        if (strcmp(v->kind, "score") != 0)
            printf("%s: ", v->kind);
        put_clipped(stdout, text ? text : "");
        printf("\n");
    }
}

static void print_row(const cli_compare_report *r, size_t idx, const sk_cmp_row_detail *d, int w)
{
    const sk_comparison *c = r->c;
    const sk_cmp_row *row = &c->rows[idx];
    printf("\n  %s", row->id);
    for (size_t k = 0; k < c->nby; k++)
        printf("  %s=%s", c->by[k], row->segment[k]);
    printf("\n");
    if (d->input_json) {
        printf("    %-9s ", "input:");
        put_clipped(stdout, d->input_json);
        printf("\n");
    }
    if (d->expected_json) {
        printf("    %-9s ", "expected:");
        put_clipped(stdout, d->expected_json);
        printf("\n");
    }
    print_side("base:", &d->base);
    print_side("new:", &d->new_);
    if (c->base.trials > 1 || c->new_.trials > 1)
        printf("    (scores are means over trials; outputs and rationales are of the first "
               "trial)\n");
    for (size_t k = 0; k < c->nscorers; k++) {
        const sk_cmp_side *b = &row->base[k], *n = &row->new_[k];
        char bs[16], ns[16], ds[16];
        printf("    %-*s %7s -> %-7s %8s  %s%s\n", w, c->scorers[k].name,
               num(bs, sizeof bs, "%.4f", b->scored ? b->mean : NAN),
               num(ns, sizeof ns, "%.4f", n->scored ? n->mean : NAN),
               num(ds, sizeof ds, "%+.4f", row->delta[k]), change_name(row->change[k]),
               row->hard[k] ? ", passed every base trial, fails every new one" : "");
        if (row->change[k] == SK_ROW_UP || row->change[k] == SK_ROW_DOWN) {
            print_verdict_line("base", &d->base.v[k]);
            print_verdict_line("new", &d->new_.v[k]);
        }
    }
}

static void print_rows(const cli_compare_report *r, int regressed, int w)
{
    size_t n = regressed ? r->nregressed : r->nimproved;
    const size_t *idx = regressed ? r->regressed : r->improved;
    const sk_cmp_row_detail *det = regressed ? r->reg_detail : r->imp_detail;
    size_t shown = n < r->shown ? n : r->shown;
    printf("\n%s rows: %zu", regressed ? "regressed" : "improved", n);
    if (n)
        printf(" (%s%s", regressed ? "worst first" : "best first",
               regressed && r->c->sort_regressions ? ", most scorers regressed first" : "");
    if (shown < n)
        printf("; %zu shown, --rows N for more", shown);
    printf("%s\n", n ? ")" : "");
    for (size_t i = 0; i < shown; i++)
        print_row(r, idx[i], &det[i], w);
}

/* Rows whose new trials disagree on pass/fail, with each flaky scorer's
 * passing trials of those scored. */
static void print_flaky(const cli_compare_report *r)
{
    const sk_comparison *c = r->c;
    if (!r->nflaky)
        return;
    printf("\nflaky rows (%zu; the new trials disagree on pass/fail):\n", r->nflaky);
    for (size_t i = 0; i < r->nflaky && i < r->shown; i++) {
        const sk_cmp_row *row = &c->rows[r->flaky[i]];
        printf("  %s:", row->id);
        for (size_t k = 0; k < c->nscorers; k++)
            if (row->flaky[k] & SK_FLAKY_NEW)
                printf("  %s passed %u of %u trials (%s)", c->scorers[k].name, row->new_[k].pass,
                       row->new_[k].pass + row->new_[k].fail,
                       sk_reducer_name(c->scorers[k].new_reducer));
        printf("\n");
    }
    if (r->nflaky > r->shown)
        printf("  ... and %zu more (--rows N shows more)\n", r->nflaky - r->shown);
}

void cli_compare_print_text(const cli_compare_report *r)
{
    const sk_comparison *c = r->c;
    print_header(r);
    print_changes(c);
    int w = name_width(c);
    printf("\n");
    print_table_head(w, "", c->level);
    for (size_t k = 0; k < c->nscorers; k++)
        print_figures(c->scorers[k].name, w, "", &c->scorers[k].fig);
    printf("(up/down/same: rows whose mean moved more than %g and more than their trial noise; "
           "p>f, f>p: rows crossing the threshold; a row with an error or no score on a side "
           "has no verdict and is no flip)\n",
           c->epsilon);
    print_notes(c);
    print_segments(r, w);
    print_rows(r, 1, w);
    print_rows(r, 0, w);
    print_flaky(r);
    if (r->gated) {
        printf("\ngate: %s\n", r->ngate_reasons ? "FAILED" : "passed");
        for (size_t i = 0; i < r->ngate_reasons; i++)
            printf("  %s\n", r->gate_reasons[i]);
    }
}

/* ---- JSON ----------------------------------------------------------------- */

static cJSON *experiment_json(const sk_experiment *e)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "id", e->id);
    cJSON_AddStringToObject(o, "name", e->name);
    cJSON_AddStringToObject(o, "created_at", e->created_at);
    cJSON_AddStringToObject(o, "status", e->status);
    cJSON_AddStringToObject(o, "dataset", e->dataset_ref);
    cJSON_AddNumberToObject(o, "trials", e->trials);
    return o;
}

static void add_figures(cJSON *o, const sk_cmp_figures *f)
{
    cJSON_AddNumberToObject(o, "pairs", (double)f->pairs);
    cJSON_AddNumberToObject(o, "unpaired", (double)f->unpaired);
    cli_json_num(o, "base_mean", f->base_mean);
    cli_json_num(o, "new_mean", f->new_mean);
    cli_json_num(o, "diff", f->diff);
    cli_json_num(o, "sd_diff", f->sd_diff);
    cJSON *ci = cJSON_AddArrayToObject(o, "ci_bootstrap");
    cJSON *ti = cJSON_AddArrayToObject(o, "ci_t");
    if (!isnan(f->boot_lo)) {
        cJSON_AddItemToArray(ci, cJSON_CreateNumber(f->boot_lo));
        cJSON_AddItemToArray(ci, cJSON_CreateNumber(f->boot_hi));
    }
    if (!isnan(f->t_lo)) {
        cJSON_AddItemToArray(ti, cJSON_CreateNumber(f->t_lo));
        cJSON_AddItemToArray(ti, cJSON_CreateNumber(f->t_hi));
    }
    cJSON_AddNumberToObject(o, "improved", (double)f->improved);
    cJSON_AddNumberToObject(o, "regressed", (double)f->regressed);
    cJSON_AddNumberToObject(o, "unchanged", (double)f->unchanged);
    cJSON_AddNumberToObject(o, "pass_to_fail", (double)f->pass_to_fail);
    cJSON_AddNumberToObject(o, "fail_to_pass", (double)f->fail_to_pass);
    cJSON_AddNumberToObject(o, "no_verdict", (double)f->no_verdict);
    cJSON_AddNumberToObject(o, "hard_regressions", (double)f->hard_regressions);
    cJSON_AddStringToObject(o, "verdict", sk_cmp_verdict_name(f->verdict));
    cJSON_AddBoolToObject(o, "small", f->small);
    cli_json_num(o, "rows_needed", f->rows_needed);
    cli_json_num(o, "trials_needed", f->trials_needed);
    cJSON_AddNumberToObject(o, "flaky_base", (double)f->flaky_base);
    cJSON_AddNumberToObject(o, "flaky_new", (double)f->flaky_new);
}

static cJSON *threshold_json(int has, double v)
{
    return has ? cJSON_CreateNumber(v) : cJSON_CreateNull();
}

static cJSON *trial_json(const sk_comparison *c, const sk_cmp_trial *t)
{
    if (!t->present)
        return cJSON_CreateNull();
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "trial", t->trial);
    cli_json_raw(o, "output", t->output_json);
    cli_json_str(o, "task_error", t->task_error);
    cJSON *sc = cJSON_AddObjectToObject(o, "scores");
    for (size_t k = 0; k < c->nscorers; k++) {
        const struct sk_cmp_verdict_view *v = &t->v[k];
        if (!v->kind)
            continue;
        cJSON *j = cJSON_CreateObject();
        if (strcmp(v->kind, "score") == 0) {
            cli_json_num(j, "score", v->score);
            if (v->rationale)
                cJSON_AddStringToObject(j, "rationale", v->rationale);
        } else {
            cli_json_str(j, strcmp(v->kind, "skipped") == 0 ? "skipped" : "error",
                         v->message ? v->message : "");
        }
        cJSON_AddItemToObject(sc, c->scorers[k].name, j);
    }
    return o;
}

static cJSON *row_json(const sk_comparison *c, size_t idx, const sk_cmp_row_detail *d)
{
    const sk_cmp_row *row = &c->rows[idx];
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "id", row->id);
    cJSON *seg = cJSON_AddObjectToObject(o, "segments");
    for (size_t k = 0; k < c->nby; k++)
        cJSON_AddStringToObject(seg, c->by[k], row->segment[k]);
    cJSON *sc = cJSON_AddObjectToObject(o, "scorers");
    for (size_t k = 0; k < c->nscorers; k++) {
        cJSON *j = cJSON_CreateObject();
        cli_json_num(j, "base", row->base[k].scored ? row->base[k].mean : NAN);
        cli_json_num(j, "new", row->new_[k].scored ? row->new_[k].mean : NAN);
        cli_json_num(j, "delta", row->delta[k]);
        cli_json_num(j, "base_sd", row->base[k].sd);
        cli_json_num(j, "new_sd", row->new_[k].sd);
        cJSON_AddStringToObject(j, "change", change_name(row->change[k]));
        cJSON_AddBoolToObject(j, "hard_regression", row->hard[k]);
        cJSON_AddItemToObject(sc, c->scorers[k].name, j);
    }
    if (d) {
        cli_json_raw(o, "input", d->input_json);
        cli_json_raw(o, "expected", d->expected_json);
        cJSON_AddItemToObject(o, "base", trial_json(c, &d->base));
        cJSON_AddItemToObject(o, "new", trial_json(c, &d->new_));
    }
    return o;
}

static void add_rows(cJSON *o, const char *key, const cli_compare_report *r, const size_t *idx,
                     size_t n, const sk_cmp_row_detail *det)
{
    cJSON *arr = cJSON_AddArrayToObject(o, key);
    size_t shown = n < r->shown ? n : r->shown;
    for (size_t i = 0; i < shown; i++)
        cJSON_AddItemToArray(arr, row_json(r->c, idx[i], &det[i]));
}

cJSON *cli_compare_json(const cli_compare_report *r)
{
    const sk_comparison *c = r->c;
    cJSON *o = cJSON_CreateObject();
    cJSON *base = experiment_json(&c->base);
    cJSON_AddBoolToObject(base, "baseline", r->base_is_baseline);
    if (r->base_is_baseline)
        cJSON_AddStringToObject(base, "baseline_set_at", r->baseline->set_at);
    cJSON_AddItemToObject(base, "llm_usage", cli_llm_usage_json(&r->usage[0]));
    cJSON_AddItemToObject(o, "base", base);
    cJSON *nw = experiment_json(&c->new_);
    cJSON_AddItemToObject(nw, "llm_usage", cli_llm_usage_json(&r->usage[1]));
    cJSON_AddItemToObject(o, "new", nw);
    cJSON *rows = cJSON_AddObjectToObject(o, "rows");
    cJSON_AddNumberToObject(rows, "paired", (double)c->both);
    cJSON_AddNumberToObject(rows, "only_base", (double)c->only_base);
    cJSON_AddNumberToObject(rows, "only_new", (double)c->only_new);
    cJSON *ob = cJSON_AddArrayToObject(rows, "only_base_ids");
    cJSON *on = cJSON_AddArrayToObject(rows, "only_new_ids");
    for (size_t i = 0; i < c->nrows; i++) {
        if (c->rows[i].in_base && !c->rows[i].in_new)
            cJSON_AddItemToArray(ob, cJSON_CreateString(c->rows[i].id));
        if (!c->rows[i].in_base && c->rows[i].in_new)
            cJSON_AddItemToArray(on, cJSON_CreateString(c->rows[i].id));
    }
    cJSON_AddItemToObject(o, "changes", cli_changes_json(&c->changes));
    cJSON *bo = cJSON_AddArrayToObject(o, "scorers_only_in_base");
    for (size_t i = 0; i < c->nbase_only; i++)
        cJSON_AddItemToArray(bo, cJSON_CreateString(c->base_only[i]));
    cJSON *no = cJSON_AddArrayToObject(o, "scorers_only_in_new");
    for (size_t i = 0; i < c->nnew_only; i++)
        cJSON_AddItemToArray(no, cJSON_CreateString(c->new_only[i]));
    cJSON *opt = cJSON_AddObjectToObject(o, "options");
    cJSON_AddNumberToObject(opt, "epsilon", c->epsilon);
    cJSON_AddNumberToObject(opt, "level", c->level);
    cJSON_AddNumberToObject(opt, "resamples", c->resamples);
    cJSON_AddNumberToObject(opt, "seed", (double)c->seed);

    cJSON *sc = cJSON_AddArrayToObject(o, "scorers");
    for (size_t k = 0; k < c->nscorers; k++) {
        const sk_cmp_scorer *s = &c->scorers[k];
        cJSON *j = cJSON_CreateObject();
        cJSON_AddStringToObject(j, "name", s->name);
        cJSON_AddItemToObject(j, "base_threshold",
                              threshold_json(s->base_has_threshold, s->base_threshold));
        cJSON_AddItemToObject(j, "new_threshold",
                              threshold_json(s->new_has_threshold, s->new_threshold));
        add_figures(j, &s->fig);
        cJSON_AddStringToObject(j, "base_reducer", sk_reducer_name(s->base_reducer));
        cJSON_AddStringToObject(j, "new_reducer", sk_reducer_name(s->new_reducer));
        const cli_corrected *cb = cli_corrected_find(&r->corrected[0], s->name);
        const cli_corrected *cn = cli_corrected_find(&r->corrected[1], s->name);
        if (cb || cn) {
            cJSON *cp = cJSON_AddObjectToObject(j, "corrected_pass_rate");
            cJSON_AddItemToObject(cp, "base", cb ? cli_corrected_json(cb) : cJSON_CreateNull());
            cJSON_AddItemToObject(cp, "new", cn ? cli_corrected_json(cn) : cJSON_CreateNull());
        }
        cJSON_AddItemToArray(sc, j);
    }
    cJSON *segs = cJSON_AddArrayToObject(o, "segments");
    for (size_t i = 0; i < c->nsegments; i++) {
        const sk_cmp_segment *sg = &c->segments[i];
        cJSON *j = cJSON_CreateObject();
        cJSON_AddStringToObject(j, "key", sg->key);
        cJSON_AddStringToObject(j, "value", sg->value);
        cJSON_AddNumberToObject(j, "rows", (double)sg->rows);
        cJSON_AddNumberToObject(j, "regressed", (double)sg->regressed);
        cJSON_AddNumberToObject(j, "improved", (double)sg->improved);
        cJSON *arr = cJSON_AddArrayToObject(j, "scorers");
        for (size_t k = 0; k < c->nscorers; k++) {
            cJSON *f = cJSON_CreateObject();
            cJSON_AddStringToObject(f, "name", c->scorers[k].name);
            add_figures(f, &sg->fig[k]);
            cJSON_AddItemToArray(arr, f);
        }
        cJSON_AddItemToArray(segs, j);
    }
    cJSON_AddNumberToObject(o, "regressed_count", (double)r->nregressed);
    add_rows(o, "regressed", r, r->regressed, r->nregressed, r->reg_detail);
    cJSON_AddNumberToObject(o, "improved_count", (double)r->nimproved);
    add_rows(o, "improved", r, r->improved, r->nimproved, r->imp_detail);
    if (r->stale)
        cJSON_AddItemToObject(o, "staleness", cli_staleness_json(r->stale));
    else
        cJSON_AddNullToObject(o, "staleness");
    cJSON *gate = cJSON_AddObjectToObject(o, "gate");
    cJSON_AddBoolToObject(gate, "asked", r->gated);
    cJSON_AddBoolToObject(gate, "fired", r->ngate_reasons > 0);
    cJSON *reasons = cJSON_AddArrayToObject(gate, "reasons");
    for (size_t i = 0; i < r->ngate_reasons; i++)
        cJSON_AddItemToArray(reasons, cJSON_CreateString(r->gate_reasons[i]));
    if (r->flaky) {
        cJSON_AddNumberToObject(o, "flaky_count", (double)r->nflaky);
        cJSON *fl = cJSON_AddArrayToObject(o, "flaky");
        for (size_t i = 0; i < r->nflaky; i++) {
            const sk_cmp_row *row = &c->rows[r->flaky[i]];
            cJSON *j = cJSON_CreateObject();
            cJSON_AddStringToObject(j, "id", row->id);
            cJSON *arr = cJSON_AddArrayToObject(j, "scorers");
            for (size_t k = 0; k < c->nscorers; k++) {
                if (!(row->flaky[k] & SK_FLAKY_NEW))
                    continue;
                cJSON *x = cJSON_CreateObject();
                cJSON_AddStringToObject(x, "name", c->scorers[k].name);
                cJSON_AddNumberToObject(x, "passed", row->new_[k].pass);
                cJSON_AddNumberToObject(x, "failed", row->new_[k].fail);
                cJSON_AddStringToObject(x, "reducer", sk_reducer_name(c->scorers[k].new_reducer));
                cJSON_AddItemToArray(arr, x);
            }
            cJSON_AddItemToArray(fl, j);
        }
    }
    return o;
}

/* ---- JUnit ---------------------------------------------------------------- */

static void xml_text(FILE *f, const char *s)
{
    for (; *s; s++) {
        unsigned char ch = (unsigned char)*s;
        switch (ch) {
        case '&': fputs("&amp;", f); break;
        case '<': fputs("&lt;", f); break;
        case '>': fputs("&gt;", f); break;
        case '"': fputs("&quot;", f); break;
        default:
            /* XML 1.0 allows no other control characters than these. */
            if (ch < 0x20 && ch != '\n' && ch != '\t' && ch != '\r')
                fputc(' ', f);
            else
                fputc(ch, f);
        }
    }
}

int cli_compare_junit(const cli_compare_report *r, const char *path, int row_cases)
{
    const sk_comparison *c = r->c;
    /* Written whole or not at all: a CI server must never read half a
     * report as a passing one. */
    sk_out_file out;
    char *err = NULL;
    if (sk_out_file_open(&out, path, &err) != 0) {
        cli_error("--junit %s", err);
        free(err);
        return -1;
    }
    FILE *f = out.f;
    size_t tests = c->nscorers, failures = 0;
    for (size_t k = 0; k < c->nscorers; k++) {
        failures += c->scorers[k].fig.verdict == SK_CMP_REGRESSED;
        if (row_cases) {
            tests += c->scorers[k].fig.hard_regressions;
            failures += c->scorers[k].fig.hard_regressions;
        }
    }
    fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    fprintf(f, "<testsuites name=\"scorekit compare\" tests=\"%zu\" failures=\"%zu\">\n", tests,
            failures);
    fprintf(f,
            "  <testsuite name=\"compare %s vs %s\" tests=\"%zu\" failures=\"%zu\" "
            "errors=\"0\">\n",
            c->new_.id, c->base.id, tests, failures);
    for (size_t k = 0; k < c->nscorers; k++) {
        const sk_cmp_figures *fg = &c->scorers[k].fig;
        char ci[48];
        fprintf(f, "    <testcase classname=\"scorekit.compare\" name=\"");
        xml_text(f, c->scorers[k].name);
        fprintf(f, "\">\n");
        char *summary = sk_asprintf(
            "%s: %.4f -> %.4f (%+.4f), %g%% CI %s over %zu rows; %zu regressed, %zu improved, "
            "%zu pass->fail, %zu fail->pass, %zu without a verdict",
            sk_cmp_verdict_name(fg->verdict), fg->base_mean, fg->new_mean, fg->diff, c->level * 100,
            interval(ci, sizeof ci, fg->boot_lo, fg->boot_hi), fg->pairs, fg->regressed,
            fg->improved, fg->pass_to_fail, fg->fail_to_pass, fg->no_verdict);
        if (fg->verdict == SK_CMP_REGRESSED) {
            fprintf(f, "      <failure message=\"");
            xml_text(f, summary);
            fprintf(f, "\" type=\"regression\"/>\n");
        } else {
            fprintf(f, "      <system-out>");
            xml_text(f, summary);
            fprintf(f, "</system-out>\n");
        }
        free(summary);
        fprintf(f, "    </testcase>\n");
    }
    for (size_t k = 0; row_cases && k < c->nscorers; k++)
        for (size_t i = 0; i < c->nrows; i++) {
            const sk_cmp_row *row = &c->rows[i];
            if (!row->hard[k])
                continue;
            fprintf(f, "    <testcase classname=\"scorekit.compare.rows\" name=\"");
            xml_text(f, c->scorers[k].name);
            fputc(' ', f);
            xml_text(f, row->id);
            fprintf(f, "\">\n      <failure message=\"");
            char *msg =
                sk_asprintf("row %s passed %s in every baseline trial (%u) and fails "
                            "it in every new trial (%u)",
                            row->id, c->scorers[k].name, row->base[k].trials, row->new_[k].trials);
            xml_text(f, msg);
            free(msg);
            fprintf(f, "\" type=\"row-regression\"/>\n    </testcase>\n");
        }
    fprintf(f, "  </testsuite>\n</testsuites>\n");
    if (sk_out_file_commit(&out, 0, &err) != 0) {
        cli_error("--junit %s", err);
        free(err);
        return -1;
    }
    return 0;
}
