/*
 * Scorer parameters: a pack's "params" object checked against the
 * parameters a scorer declares (sk_param_def), with defaults filled in.
 * Done by the host so every scorer rejects unknown keys and wrong types the
 * same way, before any row is scored.
 */
#ifndef SK_PARAMS_H
#define SK_PARAMS_H

#include <cjson/cJSON.h>

#include "scorekit/plugin.h"

/* Check `given` (a JSON object or NULL) against def->params and store in
 * *out the JSON text of the full params object.  `where` names the scorer
 * in messages ("pack.json: scorer \"lev\" (levenshtein)").  `given` is
 * borrowed; the caller frees *out. */
int sk_params_resolve(const sk_scorer_def *def, const char *where, const cJSON *given, char **out,
                      char **err);

/* Check a scorer's param table: known types, and defaults that are one
 * JSON value of the declared type (or null: "not set").  Done when a
 * plugin loads, so open() only ever sees declared types.  `where` names the
 * plugin file. */
int sk_params_check_defs(const sk_scorer_def *def, const char *where, char **err);

/* Human-readable type name ("bool", "number", ...). */
const char *sk_param_type_name(sk_param_type t);

#endif
