/* `scorekit dataset add | merge | diff` (cmd_dataset_add.c), and the
 * provenance `dataset show` prints. */
#ifndef SK_CMD_DATASET_ADD_H
#define SK_CMD_DATASET_ADD_H

#include <stdint.h>

#include "cli/cli.h"
#include "base/util.h"

int cmd_dataset_add(const cli_ctx *ctx, int argc, char **argv);
int cmd_dataset_merge(const cli_ctx *ctx, int argc, char **argv);
int cmd_dataset_diff(const cli_ctx *ctx, int argc, char **argv);

/* The provenance of version vid's rows: printed, or with json appended to
 * *b as `, "provenance": [...]`.  Returns 0 or a negative code with *err. */
int dataset_provenance_report(sk_store *st, int64_t vid, int json, sk_buf *b, char **err);

#endif
