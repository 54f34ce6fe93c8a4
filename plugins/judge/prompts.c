/*
 * The built-in prompts, compiled in so the judges work wherever the plugin
 * is loaded from (a build tree, an install moved elsewhere) without data
 * files.  Each string is a copy of plugins/judge/prompts/NAME.txt, the file
 * installed for users to copy and edit; test_judge fails when the two
 * differ, so edit both together.
 */
#include <string.h>

#include "judge.h"

static const char factuality_txt[] =
    "Compare the facts in a submitted answer with the facts in an expert answer to\n"
    "the same question. Judge only what the answers claim to be true: ignore\n"
    "wording, style, length, grammar and punctuation, and do not reward an answer\n"
    "for sounding confident or thorough.\n"
    "\n"
    "[Question]\n"
    "{{input}}\n"
    "\n"
    "[Expert answer]\n"
    "{{expected}}\n"
    "\n"
    "[Submitted answer]\n"
    "{{output}}\n"
    "\n"
    "Pick the one statement that describes the submitted answer best:\n"
    "(A) It states some of the expert answer's facts and nothing that contradicts\n"
    "    them, but leaves some out.\n"
    "(B) It states all of the expert answer's facts and adds others that do not\n"
    "    contradict them.\n"
    "(C) It states the same facts as the expert answer.\n"
    "(D) It contradicts the expert answer on at least one fact.\n"
    "(E) It differs from the expert answer, but none of the differences matter\n"
    "    to whether it is factually right.\n";

static const char closed_qa_txt[] =
    "Decide whether an answer meets a criterion. Judge only the criterion: an\n"
    "answer that is longer, more formal or more confident does not meet it any\n"
    "better.\n"
    "\n"
    "[Question]\n"
    "{{input}}\n"
    "\n"
    "[Answer]\n"
    "{{output}}\n"
    "\n"
    "[Criterion]\n"
    "{{criterion}}\n"
    "\n"
    "Does the answer meet the criterion?\n"
    "(Y) Yes.\n"
    "(N) No.\n";

static const char rubric_txt[] =
    "Grade an answer against the rubric below. Judge only what the rubric asks\n"
    "about: an answer that is longer, more formal or more confident is not better\n"
    "for that alone.\n"
    "\n"
    "[Question]\n"
    "{{input}}\n"
    "\n"
    "[Answer]\n"
    "{{output}}\n"
    "\n"
    "[Rubric]\n"
    "{{criteria}}\n"
    "\n"
    "Give a whole-number grade from 1 to {{scale}}: 1 when the answer meets none of\n"
    "the rubric, {{scale}} when it meets all of it fully, and the grades between in\n"
    "proportion.\n";

static const char pairwise_txt[] =
    "Two answers were given to the same question. Decide which one answers it\n"
    "better: more correct first, then more complete and more useful. The order in\n"
    "which the answers appear means nothing, and an answer is not better for being\n"
    "longer, more formal or more confident.\n"
    "\n"
    "[Question]\n"
    "{{input}}\n"
    "\n"
    "[Answer A]\n"
    "{{output_a}}\n"
    "\n"
    "[Answer B]\n"
    "{{output_b}}\n"
    "\n"
    "Which answer is better?\n"
    "(A) Answer A.\n"
    "(B) Answer B.\n"
    "(tie) Neither: they are equally good.\n";

static const struct {
    const char *name, *text;
} prompts[] = {
    {"factuality", factuality_txt},
    {"closed_qa", closed_qa_txt},
    {"rubric", rubric_txt},
    {"pairwise", pairwise_txt},
};

const char *sk_j_builtin_prompt(const char *name)
{
    for (size_t i = 0; i < sizeof prompts / sizeof prompts[0]; i++)
        if (strcmp(prompts[i].name, name) == 0)
            return prompts[i].text;
    return NULL;
}
