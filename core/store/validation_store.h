/*
 * Stored verdicts of `scorekit validate`: one row per scorer per
 * validation, with the scorer's fingerprint (fingerprint.h), so `scorekit
 * run` can tell a scorer that passed from one that failed, was never
 * validated, or changed since it was.
 */
#ifndef SK_VALIDATION_STORE_H
#define SK_VALIDATION_STORE_H

#include "store/store.h"

typedef enum sk_validation_state {
    SK_VALIDATION_NEVER = 0, /* no verdict for this scorer name */
    SK_VALIDATION_PASSED,    /* latest verdict for this fingerprint: PASS */
    SK_VALIDATION_WARNED,    /* ... WARN */
    SK_VALIDATION_FAILED,    /* ... FAIL */
    SK_VALIDATION_CHANGED    /* verdicts exist for the name, none for this fingerprint */
} sk_validation_state;

/* Record one verdict ("PASS", "WARN" or "FAIL") with its report (JSON text
 * of the scorer's part; may be NULL) and, when it was measured against
 * human labels, its confusion matrix (JSON text, see schema.c; NULL
 * otherwise).  Returns 0 or SK_EIO with *err. */
int sk_validation_record(sk_store *st, const char *scorer, const char *fingerprint,
                         const char *verdict, const char *report_json, const char *agreement_json,
                         char **err);

/* The newest confusion matrix of scorer `name` against human labels
 * (JSON text) and when it was measured, both the caller's to free; both
 * NULL when it never was. */
int sk_validation_agreement(sk_store *st, const char *name, char **agreement_json, char **when,
                            char **err);

/* The state of scorer `name` with fingerprint `fp`.  *when (optional)
 * receives the time of the verdict it is based on, "YYYY-MM-DD HH:MM:SS"
 * UTC, or NULL; caller frees.  Returns 0 or SK_EIO with *err. */
int sk_validation_state_of(sk_store *st, const char *name, const char *fp,
                           sk_validation_state *state, char **when, char **err);

/* The newest stored verdict of scorer `name`: for fingerprint fp when
 * there is one, else for any (then *same is 0: the scorer changed since).
 * Every string is the caller's to free; all NULL (and *same 0) when the
 * scorer was never validated.  when is "YYYY-MM-DD HH:MM:SS" UTC; report
 * the scorer's part of `validate --json` (may be NULL). */
typedef struct sk_validation_card {
    char *verdict, *report, *when, *fingerprint;
    int same;
} sk_validation_card;

int sk_validation_latest(sk_store *st, const char *name, const char *fp, sk_validation_card *out,
                         char **err);
void sk_validation_card_clear(sk_validation_card *c);

#endif
