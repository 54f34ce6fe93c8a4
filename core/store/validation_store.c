/* Stored verdicts of `scorekit validate` (see validation_store.h). */
#include "store/validation_store.h"

#include <stdlib.h>
#include <string.h>

#include "base/error.h"

int sk_validation_record(sk_store *st, const char *scorer, const char *fingerprint,
                         const char *verdict, const char *report_json, const char *agreement_json,
                         char **err)
{
    sk_stmt *s;
    int rc = sk_store_prepare(
        st, &s,
        "INSERT INTO validations (scorer, fingerprint, verdict, report, agreement) "
        "VALUES (?,?,?,?,?)",
        err);
    if (rc)
        return rc;
    sk_db_bind_text(s, 1, scorer, -1, SK_DB_STATIC);
    sk_db_bind_text(s, 2, fingerprint, -1, SK_DB_STATIC);
    sk_db_bind_text(s, 3, verdict, -1, SK_DB_STATIC);
    if (report_json)
        sk_db_bind_text(s, 4, report_json, -1, SK_DB_STATIC);
    else
        sk_db_bind_null(s, 4);
    if (agreement_json)
        sk_db_bind_text(s, 5, agreement_json, -1, SK_DB_STATIC);
    else
        sk_db_bind_null(s, 5);
    rc = sk_store_step_done(st, s, "recording a validation verdict", err);
    sk_db_finalize(s);
    return rc;
}

int sk_validation_state_of(sk_store *st, const char *name, const char *fp,
                           sk_validation_state *state, char **when, char **err)
{
    *state = SK_VALIDATION_NEVER;
    if (when)
        *when = NULL;
    sk_stmt *s;
    /* The newest verdict for this fingerprint, else the newest for the
     * name at all (which then means "changed since"). */
    int rc = sk_store_prepare(st, &s,
                              "SELECT verdict, created_at, fingerprint = ?2 AS same "
                              "FROM validations WHERE scorer = ?1 "
                              "ORDER BY same DESC, id DESC LIMIT 1",
                              err);
    if (rc)
        return rc;
    sk_db_bind_text(s, 1, name, -1, SK_DB_STATIC);
    sk_db_bind_text(s, 2, fp, -1, SK_DB_STATIC);
    int step = sk_db_step(s);
    if (step == SK_DB_ROW) {
        const char *v = sk_db_column_text(s, 0);
        if (!sk_db_column_int(s, 2))
            *state = SK_VALIDATION_CHANGED;
        else if (v && strcmp(v, "PASS") == 0)
            *state = SK_VALIDATION_PASSED;
        else if (v && strcmp(v, "WARN") == 0)
            *state = SK_VALIDATION_WARNED;
        else
            *state = SK_VALIDATION_FAILED;
        if (when)
            *when = sk_store_column_dup(s, 1);
    } else if (step != SK_DB_DONE) {
        rc = sk_store_error(st, "reading validation verdicts", err);
    }
    sk_db_finalize(s);
    return rc;
}

int sk_validation_latest(sk_store *st, const char *name, const char *fp, sk_validation_card *out,
                         char **err)
{
    memset(out, 0, sizeof *out);
    sk_stmt *s;
    int rc = sk_store_prepare(st, &s,
                              "SELECT verdict, report, created_at, fingerprint, fingerprint = ?2 "
                              "AS same FROM validations WHERE scorer = ?1 "
                              "ORDER BY same DESC, id DESC LIMIT 1",
                              err);
    if (rc)
        return rc;
    sk_db_bind_text(s, 1, name, -1, SK_DB_STATIC);
    sk_db_bind_text(s, 2, fp, -1, SK_DB_STATIC);
    int step = sk_db_step(s);
    if (step == SK_DB_ROW) {
        out->verdict = sk_store_column_dup(s, 0);
        out->report = sk_store_column_dup(s, 1);
        out->when = sk_store_column_dup(s, 2);
        out->fingerprint = sk_store_column_dup(s, 3);
        out->same = sk_db_column_int(s, 4);
    } else if (step != SK_DB_DONE) {
        rc = sk_store_error(st, "reading validation verdicts", err);
    }
    sk_db_finalize(s);
    return rc;
}

void sk_validation_card_clear(sk_validation_card *c)
{
    free(c->verdict);
    free(c->report);
    free(c->when);
    free(c->fingerprint);
    memset(c, 0, sizeof *c);
}

int sk_validation_agreement(sk_store *st, const char *name, char **agreement_json, char **when,
                            char **err)
{
    *agreement_json = *when = NULL;
    sk_stmt *s;
    int rc = sk_store_prepare(st, &s,
                              "SELECT agreement, created_at FROM validations "
                              "WHERE scorer = ? AND agreement IS NOT NULL ORDER BY id DESC LIMIT 1",
                              err);
    if (rc)
        return rc;
    sk_db_bind_text(s, 1, name, -1, SK_DB_STATIC);
    int step = sk_db_step(s);
    if (step == SK_DB_ROW) {
        *agreement_json = sk_store_column_dup(s, 0);
        *when = sk_store_column_dup(s, 1);
    } else if (step != SK_DB_DONE) {
        rc = sk_store_error(st, "reading validation verdicts", err);
    }
    sk_db_finalize(s);
    return rc;
}
