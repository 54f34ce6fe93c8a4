/*
 * pairwise: is the output better than another answer to the same input?
 *
 * The other answer is a field of the row named by the "other" param:
 * "expected" (the default: the reference answer) or "metadata.KEY" (e.g.
 * "metadata.output_b", a second system's answer stored beside the row).
 * Rows without it are skipped.
 *
 * Models favour an answer for its position, so the question is asked
 * twice, once with the output as answer A and once as answer B.  Each
 * order gives a preference for the output (1 better, 0 worse, 0.5 a tie)
 * and the score is their mean.  The two orders are reported as they came,
 * not reconciled: meta {"ab": choice with the output first, "ba": choice
 * with it second, "position_consistent": whether both orders preferred the
 * same answer}, and the rationale holds both sets of reasons.  A judge that
 * always picks "A" scores 0.5 with position_consistent false, which says
 * what happened instead of looking like a tie.
 */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "judge.h"
#include "base/json_tree.h"
#include "base/util.h"

typedef struct pw_state {
    sk_j_judge j;
    char *other; /* "expected" or "metadata.KEY..." */
} pw_state;

static const char *const names[] = {"input",    "output",   "expected", "metadata",
                                    "output_a", "output_b", NULL};

static const sk_param_def params[] = {
    {"other", SK_PARAM_STRING, "\"expected\"",
     "the answer to compare with: \"expected\" or \"metadata.KEY\""},
    SK_J_COMMON_PARAMS,
    {NULL, 0, NULL, NULL},
};

static void pw_close(const sk_host *host, void *s)
{
    (void)host;
    pw_state *st = s;
    if (!st)
        return;
    sk_j_judge_free(&st->j);
    free(st->other);
    free(st);
}

static int pw_open(const sk_host *host, const char *params_json, void **out, char *err,
                   size_t errlen)
{
    pw_state *st = sk_xcalloc(1, sizeof *st);
    st->j.name = "pairwise";
    char *other = NULL;
    host->json_get_string(params_json, "other", &other);
    if (!other || !(strcmp(other, "expected") == 0 ||
                    (strncmp(other, "metadata.", 9) == 0 && other[9] && other[9] != '.'))) {
        snprintf(err, errlen,
                 "pairwise: \"other\" must be \"expected\" or \"metadata.KEY\", got \"%s\"",
                 other ? other : "");
        if (other)
            host->free(other);
        free(st);
        return -1;
    }
    size_t n = strlen(other) + 1;
    st->other = sk_xmalloc(n);
    memcpy(st->other, other, n);
    host->free(other);
    /* Scores are the preference for answer A; the "ba" order flips them. */
    static const struct {
        const char *label;
        double score;
    } choices[] = {{"A", 1.0}, {"B", 0.0}, {"tie", 0.5}};
    st->j.nchoices = 3;
    st->j.choices = sk_xcalloc(3, sizeof *st->j.choices);
    for (size_t i = 0; i < 3; i++) {
        size_t m = strlen(choices[i].label) + 1;
        st->j.choices[i].label = sk_xmalloc(m);
        memcpy(st->j.choices[i].label, choices[i].label, m);
        st->j.choices[i].score = choices[i].score;
    }
    char why[512];
    if (sk_j_judge_open(host, params_json, sk_j_builtin_prompt("pairwise"), names, &st->j, why,
                        sizeof why) != 0) {
        snprintf(err, errlen, "pairwise: %s", why);
        pw_close(host, st);
        return -1;
    }
    *out = st;
    return 0;
}

/* The other answer's JSON, or NULL when the row has none; *text gets its
 * plain text when it is a string (caller frees both). */
static char *other_value(const pw_state *st, const sk_case *c, char **text)
{
    *text = NULL;
    if (strcmp(st->other, "expected") == 0) {
        if (!c->expected_json)
            return NULL;
        size_t n = strlen(c->expected_json) + 1;
        char *j = sk_xmalloc(n);
        return memcpy(j, c->expected_json, n);
    }
    cJSON *root = c->metadata_json ? sk_json_parse_cstr(c->metadata_json) : NULL;
    const cJSON *v = root;
    const char *p = st->other + 9;
    while (v && *p) {
        const char *dot = strchr(p, '.');
        size_t k = dot ? (size_t)(dot - p) : strlen(p);
        const cJSON *child = NULL;
        if (cJSON_IsObject(v))
            cJSON_ArrayForEach(child, v)
            {
                if (strlen(child->string) == k && memcmp(child->string, p, k) == 0)
                    break;
            }
        v = child;
        p += k + (dot ? 1 : 0);
    }
    char *json = v && !cJSON_IsNull(v) ? cJSON_PrintUnformatted(v) : NULL;
    if (json && cJSON_IsString(v)) {
        size_t n = strlen(v->valuestring) + 1;
        *text = sk_xmalloc(n);
        memcpy(*text, v->valuestring, n);
    }
    cJSON_Delete(root);
    return json;
}

/* The preference for the output in one order: ab = output is answer A. */
static double preference(const pw_state *st, const sk_j_verdict *v, int ab)
{
    double a = st->j.choices[v->choice].score;
    return ab ? a : 1.0 - a;
}

static int pw_score(const sk_host *host, void *s, const sk_case *c, sk_result *r)
{
    const pw_state *st = s;
    char *other_text = NULL;
    char *other = other_value(st, c, &other_text);
    if (!other) {
        host->set_skip(r, "row has no %s to compare the output with", st->other);
        return 0;
    }
    sk_tpl_var vars[6];
    size_t n = sk_j_case_vars(c, vars);
    sk_tpl_var out = {"", c->output_json, c->output_text, c->output_len};
    sk_tpl_var oth = {"", other, other_text, other_text ? strlen(other_text) : 0};
    sk_j_verdict v[2];
    char err[1024];
    int failed = 0;
    for (int k = 0; k < 2 && !failed; k++) {
        sk_tpl_var a = k == 0 ? out : oth, b = k == 0 ? oth : out;
        a.name = "output_a";
        b.name = "output_b";
        vars[n] = a;
        vars[n + 1] = b;
        int rc = sk_j_ask(host, &st->j, vars, n + 2, c->trial, &v[k], err, sizeof err);
        if (rc != 0) {
            host->set_error(r, "pairwise (%s first): %s", k == 0 ? "output" : st->other, err);
            if (rc == SK_J_INVALID)
                sk_j_report_invalid(host, r);
            failed = 1;
            if (k == 1)
                sk_j_verdict_free(&v[0]);
        }
    }
    free(other);
    free(other_text);
    if (failed)
        return 0;
    double p_ab = preference(st, &v[0], 1), p_ba = preference(st, &v[1], 0);
    host->set_score(r, (p_ab + p_ba) / 2);
    host->set_rationale(r, "output as answer A: %s\noutput as answer B: %s",
                        v[0].reasons[0] ? v[0].reasons : "(no reasons)",
                        v[1].reasons[0] ? v[1].reasons : "(no reasons)");
    cJSON *m = cJSON_CreateObject();
    cJSON_AddStringToObject(m, "ab", st->j.choices[v[0].choice].label);
    cJSON_AddStringToObject(m, "ba", st->j.choices[v[1].choice].label);
    cJSON_AddBoolToObject(m, "position_consistent", p_ab == p_ba);
    cJSON_AddItemToObject(m, "model",
                          v[0].model ? cJSON_CreateString(v[0].model) : cJSON_CreateNull());
    cJSON_AddBoolToObject(m, "cached", v[0].cached && v[1].cached);
    if (v[0].prompt_tokens >= 0 && v[1].prompt_tokens >= 0)
        cJSON_AddNumberToObject(m, "prompt_tokens",
                                (double)(v[0].prompt_tokens + v[1].prompt_tokens));
    if (v[0].completion_tokens >= 0 && v[1].completion_tokens >= 0)
        cJSON_AddNumberToObject(m, "completion_tokens",
                                (double)(v[0].completion_tokens + v[1].completion_tokens));
    cJSON_AddNumberToObject(m, "cost", v[0].cost + v[1].cost);
    char *text = cJSON_PrintUnformatted(m);
    cJSON_Delete(m);
    host->set_meta(r, text);
    free(text);
    sk_j_verdict_free(&v[0]);
    sk_j_verdict_free(&v[1]);
    return 0;
}

const sk_scorer_def sk_j_pairwise = {
    .size = sizeof(sk_scorer_def),
    .name = "pairwise",
    .summary = "an LLM compares the output with another answer in both orders; reports "
               "position inconsistency",
    .flags = SK_J_FLAGS | SK_SCORER_PAIRWISE,
    .accepts = SK_ACCEPT_TEXT,
    .params = params,
    .open = pw_open,
    .score = pw_score,
    .close = pw_close,
};
