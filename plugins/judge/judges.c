/*
 * The single-call judges:
 *
 *   classifier   your prompt, your choices: {"choices": {"good": 1,
 *                "partly": 0.5, "bad": 0}, "template": "prompts/tone.txt"}
 *   factuality   does the output state the same facts as the expected
 *                answer?  A: a subset of them (0.4), B: a superset (0.6),
 *                C: the same (1), D: a contradiction (0), E: different
 *                but not in a way that matters (1).  Rows without an
 *                expected value are skipped.
 *   closed_qa    does the output meet {"criterion": "..."}?  Y 1, N 0.
 *   rubric       the output graded against {"criteria": "..."} on a scale
 *                of 1..N ("scale", default 5); k scores (k-1)/(N-1).
 *
 * Each is a classifier with a built-in prompt (plugins/judge/prompts/,
 * installed for copying) and fixed choices; the template, model, provider,
 * temperature and cot params work the same for all of them.
 */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "judge.h"
#include "base/json_tree.h"
#include "base/util.h"

/* A judge plus the extra values its template may name. */
typedef struct state {
    sk_j_judge j;
    sk_tpl_var extra[2];
    size_t nextra;
    char *text[2]; /* the extra values' text */
} state;

static const char *const case_names[] = {"input", "output", "expected", "metadata", NULL};

static void state_free(state *st)
{
    if (!st)
        return;
    sk_j_judge_free(&st->j);
    free(st->text[0]);
    free(st->text[1]);
    free(st);
}

static void close_state(const sk_host *host, void *s)
{
    (void)host;
    state_free(s);
}

static state *state_new(const char *name)
{
    state *st = sk_xcalloc(1, sizeof *st);
    st->j.name = name;
    return st;
}

/* A plain-text value the template can name, e.g. {{criterion}}. */
static void add_extra(state *st, const char *name, char *text)
{
    st->text[st->nextra] = text;
    st->extra[st->nextra] = (sk_tpl_var){name, NULL, text, strlen(text)};
    st->nextra++;
}

static void add_choice(sk_j_judge *j, const char *label, double score)
{
    j->choices = sk_xrealloc(j->choices, (j->nchoices + 1) * sizeof *j->choices);
    size_t n = strlen(label) + 1;
    char *copy = sk_xmalloc(n);
    j->choices[j->nchoices].label = memcpy(copy, label, n);
    j->choices[j->nchoices].score = score;
    j->nchoices++;
}

/* Open st's judge; on failure the message names the scorer and st is freed. */
static int finish_open(const sk_host *host, const char *params, const char *builtin,
                       const char *const *names, state *st, void **out, char *err, size_t errlen)
{
    char why[512];
    if (sk_j_judge_open(host, params, builtin, names, &st->j, why, sizeof why) != 0) {
        snprintf(err, errlen, "%s: %s", st->j.name, why);
        state_free(st);
        return -1;
    }
    *out = st;
    return 0;
}

static int score_one(const sk_host *host, void *s, const sk_case *c, sk_result *r)
{
    const state *st = s;
    if (st->j.uses_expected && !c->expected_json) {
        host->set_skip(r, "row has no expected value (the prompt uses {{expected}})");
        return 0;
    }
    sk_tpl_var vars[6];
    size_t n = sk_j_case_vars(c, vars);
    for (size_t i = 0; i < st->nextra; i++)
        vars[n++] = st->extra[i];
    sk_j_verdict v;
    char err[1024];
    int rc = sk_j_ask(host, &st->j, vars, n, c->trial, &v, err, sizeof err);
    if (rc != 0) {
        host->set_error(r, "%s: %s", st->j.name, err);
        if (rc == SK_J_INVALID)
            sk_j_report_invalid(host, r);
        return 0;
    }
    sk_j_report(host, &st->j, &v, r);
    sk_j_verdict_free(&v);
    return 0;
}

/* ---- classifier --------------------------------------------------------- */

static const sk_param_def classifier_params[] = {
    {"choices", SK_PARAM_JSON, NULL, "the labels the model picks from, with their scores"},
    SK_J_COMMON_PARAMS,
    {NULL, 0, NULL, NULL},
};

static int classifier_open(const sk_host *host, const char *params, void **out, char *err,
                           size_t errlen)
{
    state *st = state_new("classifier");
    cJSON *all = sk_json_parse_cstr(params);
    char *choices = cJSON_PrintUnformatted(cJSON_GetObjectItemCaseSensitive(all, "choices"));
    cJSON_Delete(all);
    char why[512];
    int rc = sk_j_choices_from_json(choices, &st->j.choices, &st->j.nchoices, why, sizeof why);
    free(choices);
    if (rc != 0) {
        snprintf(err, errlen, "classifier: %s", why);
        state_free(st);
        return -1;
    }
    return finish_open(host, params, NULL, case_names, st, out, err, errlen);
}

const sk_scorer_def sk_j_classifier = {
    .size = sizeof(sk_scorer_def),
    .name = "classifier",
    .summary = "an LLM picks one of your labelled choices with your prompt; score = its score",
    .flags = SK_J_FLAGS,
    .accepts = 0,
    .params = classifier_params,
    .open = classifier_open,
    .score = score_one,
    .close = close_state,
};

/* ---- factuality --------------------------------------------------------- */

static const sk_param_def common_params[] = {
    SK_J_COMMON_PARAMS,
    {NULL, 0, NULL, NULL},
};

static int factuality_open(const sk_host *host, const char *params, void **out, char *err,
                           size_t errlen)
{
    state *st = state_new("factuality");
    add_choice(&st->j, "A", 0.4); /* subset */
    add_choice(&st->j, "B", 0.6); /* superset */
    add_choice(&st->j, "C", 1.0); /* same */
    add_choice(&st->j, "D", 0.0); /* disagrees */
    add_choice(&st->j, "E", 1.0); /* differs, immaterially */
    return finish_open(host, params, sk_j_builtin_prompt("factuality"), case_names, st, out, err,
                       errlen);
}

const sk_scorer_def sk_j_factuality = {
    .size = sizeof(sk_scorer_def),
    .name = "factuality",
    .summary = "an LLM compares the facts of output and expected: subset, superset, same, "
               "contradiction, or an immaterial difference",
    .flags = SK_J_FLAGS | SK_SCORER_NEEDS_EXPECTED,
    .accepts = SK_ACCEPT_TEXT,
    .params = common_params,
    .open = factuality_open,
    .score = score_one,
    .close = close_state,
};

/* ---- closed_qa ---------------------------------------------------------- */

static const char *const closed_qa_names[] = {"input",    "output",    "expected",
                                              "metadata", "criterion", NULL};

static const sk_param_def closed_qa_params[] = {
    {"criterion", SK_PARAM_STRING, NULL, "what a good output does, e.g. \"names the capital\""},
    SK_J_COMMON_PARAMS,
    {NULL, 0, NULL, NULL},
};

static int closed_qa_open(const sk_host *host, const char *params, void **out, char *err,
                          size_t errlen)
{
    state *st = state_new("closed_qa");
    char *criterion = NULL;
    if (host->json_get_string(params, "criterion", &criterion) != 1 || !criterion[0]) {
        if (criterion)
            host->free(criterion);
        snprintf(err, errlen, "closed_qa: \"criterion\" must say what a good output does");
        state_free(st);
        return -1;
    }
    size_t n = strlen(criterion) + 1;
    char *copy = sk_xmalloc(n);
    memcpy(copy, criterion, n);
    host->free(criterion);
    add_extra(st, "criterion", copy);
    add_choice(&st->j, "Y", 1.0);
    add_choice(&st->j, "N", 0.0);
    return finish_open(host, params, sk_j_builtin_prompt("closed_qa"), closed_qa_names, st, out,
                       err, errlen);
}

const sk_scorer_def sk_j_closed_qa = {
    .size = sizeof(sk_scorer_def),
    .name = "closed_qa",
    .summary = "an LLM says whether the output meets a criterion: 1 yes, 0 no",
    .flags = SK_J_FLAGS,
    .accepts = SK_ACCEPT_TEXT,
    .params = closed_qa_params,
    .open = closed_qa_open,
    .score = score_one,
    .close = close_state,
};

/* ---- rubric ------------------------------------------------------------- */

#define SCALE_MAX 10

static const char *const rubric_names[] = {"input",    "output", "expected", "metadata",
                                           "criteria", "scale",  NULL};

static const sk_param_def rubric_params[] = {
    {"criteria", SK_PARAM_STRING, NULL, "the rubric: what the output is graded on"},
    {"scale", SK_PARAM_INTEGER, "5", "grades run 1..scale; grade k scores (k-1)/(scale-1)"},
    SK_J_COMMON_PARAMS,
    {NULL, 0, NULL, NULL},
};

static int rubric_open(const sk_host *host, const char *params, void **out, char *err,
                       size_t errlen)
{
    state *st = state_new("rubric");
    char *criteria = NULL;
    double scale = 5;
    host->json_get_number(params, "scale", &scale);
    if (host->json_get_string(params, "criteria", &criteria) != 1 || !criteria[0]) {
        snprintf(err, errlen, "rubric: \"criteria\" must say what the output is graded on");
    } else if (!(scale >= 2 && scale <= SCALE_MAX)) {
        snprintf(err, errlen, "rubric: \"scale\" must be from 2 to %d, got %g", SCALE_MAX, scale);
    } else {
        size_t n = strlen(criteria) + 1;
        char *copy = sk_xmalloc(n);
        char *max = sk_xmalloc(16);
        memcpy(copy, criteria, n);
        host->free(criteria);
        int k = (int)scale;
        snprintf(max, 16, "%d", k);
        add_extra(st, "criteria", copy);
        add_extra(st, "scale", max);
        for (int g = 1; g <= k; g++) {
            char label[16];
            snprintf(label, sizeof label, "%d", g);
            add_choice(&st->j, label, (double)(g - 1) / (double)(k - 1));
        }
        return finish_open(host, params, sk_j_builtin_prompt("rubric"), rubric_names, st, out, err,
                           errlen);
    }
    if (criteria)
        host->free(criteria);
    state_free(st);
    return -1;
}

const sk_scorer_def sk_j_rubric = {
    .size = sizeof(sk_scorer_def),
    .name = "rubric",
    .summary = "an LLM grades the output against your criteria on a 1..N scale, mapped to [0,1]",
    .flags = SK_J_FLAGS,
    .accepts = SK_ACCEPT_TEXT,
    .params = rubric_params,
    .open = rubric_open,
    .score = score_one,
    .close = close_state,
};
