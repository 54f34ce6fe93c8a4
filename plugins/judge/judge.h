/*
 * The judge pack: scorers that ask a language model for a verdict through
 * host->llm_chat.  Every judge is a classifier underneath: a prompt
 * template rendered over the case, a fixed set of labelled choices each
 * worth a score, and a forced tool call whose arguments carry the model's
 * reasons (written first: chain of thought, on by default) and exactly one
 * choice.  A reply without a valid choice is an error with an excerpt of
 * the reply, never a score.
 *
 * The states are read-only after open, so every judge is thread-safe; all
 * are nondeterministic and use an LLM.
 */
#ifndef SK_JUDGE_H
#define SK_JUDGE_H

#include <stddef.h>

#include "scorekit/plugin.h"
#include "base/template.h"

extern const sk_scorer_def sk_j_classifier;
extern const sk_scorer_def sk_j_factuality;
extern const sk_scorer_def sk_j_closed_qa;
extern const sk_scorer_def sk_j_rubric;
extern const sk_scorer_def sk_j_pairwise;
extern const sk_scorer_def sk_j_embedding_similarity;

/* The built-in prompts, kept equal to plugins/judge/prompts/NAME.txt (a
 * unit test compares them); NULL for an unknown name. */
const char *sk_j_builtin_prompt(const char *name);

#define SK_J_FLAGS (SK_SCORER_THREAD_SAFE | SK_SCORER_NONDETERMINISTIC | SK_SCORER_USES_LLM)

/* The params every judge takes (first in each judge's table). */
// clang-format off
#define SK_J_COMMON_PARAMS \
    {"template", SK_PARAM_STRING, "null", \
     "prompt template file (relative to the project); default: the built-in prompt"}, \
    {"prompt", SK_PARAM_STRING, "null", "the prompt template inline, instead of a file"}, \
    {"cot", SK_PARAM_BOOL, "true", "ask for step-by-step reasons before the choice"}, \
    {"model", SK_PARAM_STRING, "null", "model name; default: the provider's model"}, \
    {"provider", SK_PARAM_STRING, "null", "configured LLM provider; default: the default one"}, \
    {"temperature", SK_PARAM_NUMBER, "0", "sampling temperature, 0 to 2"}, \
    {"params", SK_PARAM_JSON, "null", "more request parameters, e.g. {\"max_tokens\": 400}"}
// clang-format on

typedef struct sk_j_choice {
    char *label;
    double score;
} sk_j_choice;

/* One configured judge (a scorer's state, or part of it). */
typedef struct sk_j_judge {
    const char *name; /* the scorer's name (static) */
    char *prompt;     /* the template text */
    sk_j_choice *choices;
    size_t nchoices;
    int cot;
    int uses_expected; /* the template names {{expected}}: rows without one are skipped */
    char *model, *provider;
    char *params_json; /* request params: {"temperature": t, ...} */
    char *tool_json;   /* the tool, built once */
    char *system;      /* the instructions message, built once */
} sk_j_judge;

/* Read the common params into j and load its template (the `template`
 * file, the `prompt` text, or the built-in prompt `builtin`, which may be
 * NULL when the judge has none) and check that it names only `names`.
 * Choices must be set before calling (the tool lists them).  Returns 0, or
 * -1 with err set; on failure sk_j_judge_free(j) is still safe. */
int sk_j_judge_open(const sk_host *host, const char *params_json, const char *builtin,
                    const char *const *names, sk_j_judge *j, char *err, size_t errlen);
void sk_j_judge_free(sk_j_judge *j);

/* What one call decided. */
typedef struct sk_j_verdict {
    size_t choice; /* index into j->choices */
    char *reasons; /* malloc'd; "" when cot is off */
    char *model;   /* malloc'd; NULL when the host did not say */
    int cached;
    double cost;
    long prompt_tokens, completion_tokens; /* -1: unknown */
} sk_j_verdict;

void sk_j_verdict_free(sk_j_verdict *v);

/* sk_j_ask's return when the model replied but gave no valid verdict. */
#define SK_J_INVALID (-2)

/* Render the prompt over vars and ask the model.  Returns 0 with *v
 * filled; -1 with a message in err when the call failed (the template,
 * the client, the server); or SK_J_INVALID when the model's reply arrived
 * but is no valid verdict: no choice, a choice that is not one of the
 * labels (the message names the allowed ones), or no reasons while cot is
 * on; each message quotes the start of the reply.  An invalid verdict is
 * never retried: it is what the model said. */
int sk_j_ask(const sk_host *host, const sk_j_judge *j, const sk_tpl_var *vars, size_t nvars,
             unsigned trial, sk_j_verdict *v, char *err, size_t errlen);

/* Mark the error in r as an invalid verdict (metadata
 * {"invalid_verdict": true}), which validate counts apart from failed
 * calls.  Call after host->set_error. */
void sk_j_report_invalid(const sk_host *host, sk_result *r);

/* The four case values every template may name: input, output, expected,
 * metadata.  Fills vars[0..3]; returns 4. */
size_t sk_j_case_vars(const sk_case *c, sk_tpl_var *vars);

/* Report a single verdict: score = the choice's score, rationale = the
 * reasons, meta = {choice, model, cached, tokens, cost}. */
void sk_j_report(const sk_host *host, const sk_j_judge *j, const sk_j_verdict *v, sk_result *r);

/* Parse one reply (host->llm_chat's reply JSON) into v: exposed for the
 * unit tests of the choice rules.  Same errors as sk_j_ask. */
int sk_j_parse_reply(const sk_j_judge *j, const char *reply_json, sk_j_verdict *v, char *err,
                     size_t errlen);

/* Choices from a JSON object {"label": score, ...} (scores in [0,1],
 * labels non-empty, at least two).  Returns 0, or -1 with err. */
int sk_j_choices_from_json(const char *json, sk_j_choice **out, size_t *n, char *err,
                           size_t errlen);
void sk_j_choices_free(sk_j_choice *c, size_t n);

#endif
