/* The baselines table (see baseline_store.h). */
#include "store/baseline_store.h"

#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "base/util.h"
#include "store/experiment.h"

void sk_baseline_clear(sk_baseline *b)
{
    free(b->experiment_id);
    free(b->set_at);
    free(b->note);
    memset(b, 0, sizeof *b);
}

void sk_baseline_list_free(sk_baseline *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        sk_baseline_clear(&v[i]);
    free(v);
}

int sk_baseline_set(sk_store *st, const char *exp_ref, const char *note, int force,
                    sk_baseline *out, char **err)
{
    if (out)
        memset(out, 0, sizeof *out);
    sk_experiment e;
    int rc = sk_experiment_load(st, exp_ref, &e, err);
    if (rc)
        return rc;
    if (!force && strcmp(e.status, "done") != 0) {
        rc = sk_errf(err, SK_EINVAL,
                     "experiment %s is %s: its figures cover only the cells it recorded. "
                     "Finish it first (scorekit run --resume %s), or pass --force",
                     e.id, e.status, e.id);
        sk_experiment_clear(&e);
        return rc;
    }
    sk_stmt *s = NULL;
    rc = sk_store_prepare(
        st, &s, "INSERT INTO baselines (experiment_id, set_at, note) VALUES (?, ?, ?)", err);
    char *now = sk_now_utc();
    if (rc == SK_OK) {
        sk_db_bind_text(s, 1, e.id, -1, SK_DB_TRANSIENT);
        sk_db_bind_text(s, 2, now, -1, SK_DB_TRANSIENT);
        if (note)
            sk_db_bind_text(s, 3, note, -1, SK_DB_TRANSIENT);
        else
            sk_db_bind_null(s, 3);
        rc = sk_store_step_done(st, s, "recording the baseline", err);
    }
    sk_db_finalize(s);
    if (rc == SK_OK && out) {
        out->id = sk_db_last_insert_id(sk_store_db(st));
        out->experiment_id = sk_xstrdup(e.id);
        out->set_at = now;
        out->note = note ? sk_xstrdup(note) : NULL;
        now = NULL;
    }
    free(now);
    sk_experiment_clear(&e);
    return rc;
}

static void baseline_from(sk_stmt *s, void *elem)
{
    sk_baseline *b = elem;
    b->id = sk_db_column_int64(s, 0);
    b->experiment_id = sk_store_column_dup(s, 1);
    b->set_at = sk_store_column_dup(s, 2);
    b->note = sk_store_column_dup(s, 3);
}

static void baseline_clear(void *elem)
{
    sk_baseline_clear(elem);
}

static int query(sk_store *st, const char *sql, sk_baseline **out, size_t *n, char **err)
{
    *out = NULL;
    *n = 0;
    sk_stmt *s = NULL;
    int rc = sk_store_prepare(st, &s, sql, err);
    if (rc)
        return rc;
    return sk_store_collect(st, s, sizeof **out, baseline_from, baseline_clear,
                            "reading the baselines", (void **)out, n, err);
}

int sk_baseline_current(sk_store *st, sk_baseline *out, char **err)
{
    memset(out, 0, sizeof *out);
    sk_baseline *v;
    size_t n;
    int rc = query(st,
                   "SELECT id, experiment_id, set_at, note FROM baselines ORDER BY id DESC "
                   "LIMIT 1",
                   &v, &n, err);
    if (rc)
        return rc;
    if (n == 0) {
        free(v);
        return sk_errf(err, SK_ENOTFOUND,
                       "no baseline set: choose the experiment that stands for production "
                       "with `scorekit baseline set EXP`, or pass --base EXP");
    }
    *out = v[0];
    free(v);
    return SK_OK;
}

int sk_baseline_history(sk_store *st, sk_baseline **out, size_t *n, char **err)
{
    return query(st, "SELECT id, experiment_id, set_at, note FROM baselines ORDER BY id DESC", out,
                 n, err);
}
