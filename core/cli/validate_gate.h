/*
 * `scorekit validate` pieces other subcommands use: the check `scorekit
 * run` makes before it runs a pack (validate.c), and the report card
 * (validate_report.c).
 */
#ifndef SK_CLI_VALIDATE_GATE_H
#define SK_CLI_VALIDATE_GATE_H

#include <stdio.h>

#include "validate/metaeval.h"
#include "engine/pack.h"
#include "store/project.h"
#include "engine/registry.h"
#include "store/store.h"

/* Warn, per scorer of `pack`, when it was never validated, failed its
 * validation, or changed since; with `require` (or the project's
 * "require_validated") print those as errors and return CLI_FAIL.
 * Returns CLI_OK otherwise. */
int cli_validation_gate(sk_store *st, const sk_project *proj, const sk_pack *pack,
                        const sk_registry *reg, int require);

/* The report card: one line per scorer, then the reasons and failing
 * cases of those that did not pass; with `explain`, every case. */
void cli_validate_print(FILE *out, const sk_meta_report *rep, int explain);

#endif
