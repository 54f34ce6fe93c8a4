/*
 * Which rows `scorekit dataset add` adds: the selection from an
 * experiment (failing rows, a --where comparison on one scorer, or ids),
 * from a log file or a row file, and the deduplication against the
 * dataset by content.  The store writes what this decides
 * (store/dataset_grow.h).
 */
#ifndef SK_GROW_H
#define SK_GROW_H

#include <stddef.h>
#include <stdint.h>

#include "store/dataset_grow.h"

/* ---- --where 'SCORER OP NUMBER' ---- */

typedef enum sk_where_op { SK_LT, SK_LE, SK_GT, SK_GE, SK_EQ, SK_NE } sk_where_op;

typedef struct sk_where {
    char *scorer; /* owned */
    sk_where_op op;
    double value;
} sk_where;

/* Parse "SCORER OP NUMBER" (OP one of < <= > >= == !=; spaces optional
 * around OP; SCORER letters, digits, '_', '-', '.', ':' and '/').  On error
 * SK_EINVAL with *err naming the 1-based column and what was expected
 * there.  Free with sk_where_free. */
int sk_where_parse(const char *expr, sk_where *out, char **err);
int sk_where_test(const sk_where *w, double score);
void sk_where_free(sk_where *w);

/* ---- content ---- */

/* The key two rows share when they hold the same content: their input and
 * expected (NULL: absent) with the JSON whitespace removed, so `{"q": 1}`
 * and `{"q":1}` are one row; key order and number spelling still count.
 * Appended to *out (not reset), NUL-terminated. */
void sk_content_key(const char *input, const char *expected, sk_buf *out);

/* ---- rows to add, owning their texts ---- */

typedef struct sk_grow_set {
    sk_grow_row *rows;
    size_t n, cap;
    char **strs; /* every string the rows point at */
    size_t nstrs, capstrs;
} sk_grow_set;

void sk_grow_set_free(sk_grow_set *s);
/* A new row at the end of s (zeroed, trial -1), valid until the next add;
 * and a copy of p kept by s (NULL for NULL), for the row to point at. */
sk_grow_row *sk_grow_set_add(sk_grow_set *s);
const char *sk_grow_set_keep(sk_grow_set *s, const char *p);

typedef enum sk_select_mode { SK_SELECT_FAILING, SK_SELECT_WHERE, SK_SELECT_IDS } sk_select_mode;

/* Rows of experiment exp_ref (an id or a prefix of one) into *out, in
 * dataset order, each with its dataset values (input, expected, output,
 * metadata, tags as its dataset version holds them) and provenance
 * (kind experiment, the experiment and the first trial that matched):
 *   FAILING: a trial whose verdict (base/verdict.h) is fail;
 *   WHERE:   a trial whose score from where->scorer satisfies it (an
 *            unknown scorer is an error that lists the experiment's);
 *   IDS:     the rows named in ids[0..nids) (an id the experiment lacks is
 *            an error).
 * SK_ENOTFOUND for an unknown experiment. */
int sk_grow_from_experiment(sk_store *st, const char *exp_ref, sk_select_mode mode,
                            const sk_where *where, char *const *ids, size_t nids, sk_grow_set *out,
                            char **err);

/* The rows of a JSONL log file: dataset rows plus "time" and optionally
 * "log_id" or "trace_id" (either becomes the provenance's log id);
 * provenance kind logs, FILE:LINE.  Any other key is an error. */
int sk_grow_from_logs(const char *path, sk_grow_set *out, char **err);

/* Logs the online rule `rule` scored (`scorekit watch`): the `lowest` logs
 * with the lowest score it gave them (0: all), or with failing set only
 * those it failed (a score under its threshold), lowest first;
 * provenance kind logs, source "rule R" with the log id (and trace id).
 * SK_ENOTFOUND when the rule has no verdicts. */
int sk_grow_from_rule(sk_store *st, const char *rule, size_t lowest, int failing, sk_grow_set *out,
                      char **err);

/* The rows of a row file (JSONL or CSV, checked as an import checks it);
 * provenance kind file, FILE:LINE. */
int sk_grow_from_file(const char *path, sk_grow_set *out, char **err);

/* The rows of version src_vid, provenance kind merge, source `label`
 * ("merged from SRC v3"). */
int sk_grow_from_version(sk_store *st, int64_t src_vid, const char *label, sk_grow_set *out,
                         char **err);

/* Drop from *set the rows whose content (sk_content_key) version base_vid
 * (0: none) holds or an earlier row of the set holds; *skipped counts
 * them.  A kept row whose id the base (or an earlier kept row) has with
 * other content is an error (SK_EINVAL) naming the id and where the row
 * came from: give it another id. */
int sk_grow_dedup(sk_store *st, int64_t base_vid, sk_grow_set *set, size_t *skipped, char **err);

#endif
