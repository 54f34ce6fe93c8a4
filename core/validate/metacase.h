/*
 * Meta-cases: the calibration cases `scorekit validate` scores a scorer on
 * to find out whether it measures what it claims.
 *
 * Format: JSONL, one JSON object a line; blank lines and lines starting
 * with '#' are skipped.  A line is one of two things.
 *
 * 1. A calibration record (what core/validate/calibration/ ships): one question with
 *    five answers, expanded into five checks.
 *
 *      {"id": "capital-fr", "category": "factual", "kind": "text",
 *       "input": "What is the capital of France?", "expected": "Paris",
 *       "metadata": {...},                         optional
 *       "correct": "Paris",                        must score high
 *       "wrong": "Lyon",                           must score low
 *       "verbose_wrong": "...long, padded, wrong...",
 *       "formal_wrong": "...authoritative-sounding, wrong...",
 *       "confident_wrong": "Definitely Lyon. I am certain."}
 *
 *    Each *_wrong answer is paired with "correct", which must score
 *    strictly higher (verbosity, formality and confidence bias), and must
 *    itself score low.  Answers are any JSON values: numbers as numbers,
 *    objects and lists as JSON.
 *
 * 2. A meta-case: one case and an expectation.
 *
 *      {"id": "...", "case": {"input": ..., "expected": ..., "metadata": ...,
 *                             "output": ...},
 *       "expect": "high" | "low" | 0.75, "tolerance": 0.1}
 *      {"id": "...", "case": {...}, "better": OUTPUT, "worse": OUTPUT,
 *       "margin": 0, "bias": "verbosity" | "formality" | "confidence"}
 *
 *    "tolerance" (default 0.1) goes with a numeric "expect"; a pair needs
 *    better > worse + margin (margin >= 0, default 0).  A pair with a
 *    "bias" also needs its worse output to score low.
 *
 * Both forms take "kind" ("text", "number", "json", "list": which scorers
 * the answers fit, by what they accept; inferred from the answers' JSON
 * type when absent) and "scorers" (a list of scorer names or uses the line
 * is for; absent: any scorer it fits).  Unknown keys are refused, so a typo
 * never silently drops a check.  Scripts' `meta_cases` and a pack's
 * "validate": {"cases": [...]} are lists of the same objects.
 */
#ifndef SK_METACASE_H
#define SK_METACASE_H

#include <stddef.h>

#include "scorekit/plugin.h"

typedef enum sk_mc_type {
    SK_MC_HIGH = 1, /* output must score >= the high bar */
    SK_MC_LOW,      /* output must score <= the low bar */
    SK_MC_NUMBER,   /* output must score expect +- tolerance */
    SK_MC_PAIR,     /* better must outscore worse by more than margin */
    SK_MC_LABEL     /* output scored against a person's label (expect, in [0,1]) */
} sk_mc_type;

typedef enum sk_mc_bias {
    SK_BIAS_NONE = 0,
    SK_BIAS_VERBOSITY,
    SK_BIAS_FORMALITY,
    SK_BIAS_CONFIDENCE
} sk_mc_bias;

typedef enum sk_mc_origin {
    SK_MC_BUILTIN = 1, /* the shipped calibration set */
    SK_MC_OWN,         /* the scorer's own: its script's meta_cases, its pack entry */
    SK_MC_EXTRA,       /* --cases FILE, the pack's own list */
    SK_MC_LABELS       /* validate --labels: rows people labelled for one scorer */
} sk_mc_origin;

typedef struct sk_metacase {
    char *id;        /* "capital-fr/correct" */
    char *where;     /* "FILE:LINE" or "refusal.lua meta_cases[2]" */
    char *category;  /* "factual", "json", ...; "" when not given */
    unsigned kind;   /* SK_ACCEPT_* (one bit), 0 when unknown */
    char *case_json; /* {"input":...,"expected":...,"metadata":...}: no output */
    sk_mc_type type;
    sk_mc_bias bias;
    char *output_json;              /* HIGH, LOW, NUMBER: the output scored */
    char *better_json, *worse_json; /* PAIR */
    double expect, tolerance;       /* NUMBER */
    double margin;                  /* PAIR */
    char **scorers;                 /* NULL-terminated names/uses it is for, or NULL: any */
    int has_expected;
    sk_mc_origin origin;
    char *record_correct_json; /* expanded from a calibration record: its correct answer */
    /* A pairwise scorer's head-to-head (sk_metacase_add_for_pairwise): a
     * PAIR whose better output is scored in case_json, where the other
     * answer is the worse one, and whose worse output in worse_case_json,
     * where the other answer is the better one. */
    int versus; /* 0, SK_MC_VS_PAIR, or SK_MC_VS_WRONG (correct against an obvious-wrong answer) */
    char *worse_case_json;
} sk_metacase;

enum { SK_MC_VS_PAIR = 1, SK_MC_VS_WRONG };

/* A growable list of meta-cases; zero-initialise, free with
 * sk_metacase_set_free.  Items are owned by the set. */
typedef struct sk_metacase_set {
    size_t n, cap;
    sk_metacase *items;
} sk_metacase_set;

/* Parse one line (a record or a meta-case) and append what it expands to
 * (five meta-cases for a record, one otherwise), tagged with origin.
 * `where` names the line in messages and in each meta-case ("FILE:LINE").
 * Returns 0, or SK_EPARSE/SK_EINVAL with *err = "WHERE: what is wrong";
 * nothing is appended then. */
int sk_metacase_parse(sk_metacase_set *set, const char *text, size_t len, const char *where,
                      sk_mc_origin origin, char **err);

/* Every line of a JSONL file.  All or nothing: on failure *err says
 * FILE:LINE and the set is as it was. */
int sk_metacase_load_file(sk_metacase_set *set, const char *path, sk_mc_origin origin, char **err);

/* Every *.jsonl file of a folder, in name order. */
int sk_metacase_load_dir(sk_metacase_set *set, const char *dir, sk_mc_origin origin, char **err);

/* A JSON array of meta-cases or records (a script's meta_cases, a pack's
 * "cases"); each is named "WHERE[i]" (1-based). */
int sk_metacase_parse_array(sk_metacase_set *set, const char *json, const char *where,
                            sk_mc_origin origin, char **err);

/* A labelled row for scorer `scorer`: case_json ({"input", "expected",
 * "metadata"}) and output_json (JSON texts), the label in [0,1]; id and
 * where name it in reports ("row-7", "dataset:qa row-7").  Every argument
 * is copied. */
void sk_metacase_add_label(sk_metacase_set *set, const char *id, const char *where,
                           const char *case_json, const char *output_json, const char *scorer,
                           double label);

/* Copy item `m` onto the end of `set`. */
void sk_metacase_append_copy(sk_metacase_set *set, const sk_metacase *m);

/* What a pairwise scorer (SK_SCORER_PAIRWISE) is tested on for m,
 * appended to set.  Comparing an answer with itself tells nothing, so a
 * pairwise scorer gets pairs of different answers, each in both roles:
 * a pair (better, worse) becomes a head-to-head, and so does a record's
 * wrong answer against the record's correct one (SK_MC_VS_WRONG); a
 * record's correct answer adds nothing (the wrong ones are measured
 * against it); any other case is copied as it is.  `other` is where the
 * scorer reads the other answer: "expected" or "metadata.KEY[.KEY...]".
 * Returns the number of items appended (0 or 1). */
int sk_metacase_add_for_pairwise(sk_metacase_set *set, const sk_metacase *m, const char *other);

/* Does meta-case m name scorer `name` (used as `use`) or name none? */
int sk_metacase_for(const sk_metacase *m, const char *name, const char *use);

/* The folder of the built-in calibration set: $SCOREKIT_CALIBRATION_PATH
 * when set, else the installed one.  Static storage or the environment. */
const char *sk_calibration_dir(void);

/* Names for messages and reports ("verbosity", "text", ...). */
const char *sk_mc_bias_name(sk_mc_bias b);
const char *sk_mc_kind_name(unsigned kind);

void sk_metacase_set_free(sk_metacase_set *set);

#endif
