/* Verdicts of online rules and their checkpoints (see log_scores.h). */
#include "store/log_scores.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/error.h"
#include "base/util.h"
#include "store/experiment_read.h"

int sk_rule_state(sk_store *st, const char *rule, int64_t *seq, long long *scored, char **paused,
                  char **err)
{
    *seq = 0;
    *scored = 0;
    *paused = NULL;
    sk_stmt *s;
    int rc =
        sk_store_prepare(st, &s, "SELECT seq, scored, paused FROM rule_state WHERE rule = ?", err);
    if (rc)
        return rc;
    sk_db_bind_text(s, 1, rule, -1, SK_DB_STATIC);
    int step = sk_db_step(s);
    if (step == SK_DB_ROW) {
        *seq = sk_db_column_int64(s, 0);
        *scored = sk_db_column_int64(s, 1);
        *paused = sk_store_column_dup(s, 2);
    } else if (step != SK_DB_DONE) {
        rc = sk_store_error(st, "reading a rule's checkpoint", err);
    }
    sk_db_finalize(s);
    return rc;
}

static int upsert_state(sk_store *st, const char *rule, int64_t seq, long long logs, char **err)
{
    sk_stmt *s;
    int rc = sk_store_cached(
        st, &s,
        "INSERT INTO rule_state (rule, seq, scored) VALUES (?1, ?2, ?3) "
        "ON CONFLICT (rule) DO UPDATE SET seq = ?2, scored = rule_state.scored + ?3, "
        "updated_at = " SK_SQL_NOW,
        err);
    if (rc)
        return rc;
    sk_db_bind_text(s, 1, rule, -1, SK_DB_STATIC);
    sk_db_bind_int64(s, 2, seq);
    sk_db_bind_int64(s, 3, logs);
    rc = sk_store_step_done(st, s, "moving a rule's checkpoint", err);
    sk_db_clear_bindings(s);
    return rc;
}

/* The verdicts, in the caller's transaction; ignore: skip those there. */
static int insert_all(sk_store *st, const char *rule, const sk_log_score *v, size_t n, int ignore,
                      char **err)
{
    sk_stmt *s = NULL;
    int rc = SK_OK;
    if (n)
        rc = sk_store_cached(st, &s,
                             ignore
                                 ? "INSERT OR IGNORE INTO log_scores (rule, log_id, scorer, kind, "
                                   "score, rationale, message, threshold) VALUES (?,?,?,?,?,?,?,?)"
                                 : "INSERT INTO log_scores (rule, log_id, scorer, kind, score, "
                                   "rationale, message, threshold) VALUES (?,?,?,?,?,?,?,?)",
                             err);
    for (size_t i = 0; rc == SK_OK && i < n; i++) {
        sk_db_bind_text(s, 1, rule, -1, SK_DB_STATIC);
        sk_db_bind_text(s, 2, v[i].log_id, -1, SK_DB_STATIC);
        sk_db_bind_text(s, 3, v[i].scorer, -1, SK_DB_STATIC);
        sk_db_bind_text(s, 4, v[i].kind, -1, SK_DB_STATIC);
        if (isnan(v[i].score))
            sk_db_bind_null(s, 5);
        else
            sk_db_bind_double(s, 5, v[i].score);
        if (v[i].rationale)
            sk_db_bind_text(s, 6, v[i].rationale, -1, SK_DB_STATIC);
        else
            sk_db_bind_null(s, 6);
        if (v[i].message)
            sk_db_bind_text(s, 7, v[i].message, -1, SK_DB_STATIC);
        else
            sk_db_bind_null(s, 7);
        if (v[i].has_threshold)
            sk_db_bind_double(s, 8, v[i].threshold);
        else
            sk_db_bind_null(s, 8);
        rc = sk_store_step_done(st, s, "storing a rule's verdict on a log", err);
    }
    if (s)
        sk_db_clear_bindings(s);
    return rc;
}

int sk_log_scores_commit(sk_store *st, const char *rule, const sk_log_score *v, size_t n,
                         int64_t seq, long long logs, char **err)
{
    int rc = sk_store_begin(st, err);
    if (rc)
        return rc;
    rc = insert_all(st, rule, v, n, 0, err);
    if (rc == SK_OK)
        rc = upsert_state(st, rule, seq, logs, err);
    if (rc == SK_OK)
        return sk_store_commit(st, err);
    sk_store_rollback(st);
    return rc;
}

int sk_log_scores_put(sk_store *st, const char *rule, const sk_log_score *v, size_t n, char **err)
{
    int rc = sk_store_begin(st, err);
    if (rc)
        return rc;
    rc = insert_all(st, rule, v, n, 1, err);
    if (rc == SK_OK)
        return sk_store_commit(st, err);
    sk_store_rollback(st);
    return rc;
}

int sk_rule_pause(sk_store *st, const char *rule, const char *why, char **err)
{
    sk_stmt *s;
    int rc =
        sk_store_prepare(st, &s,
                         "INSERT INTO rule_state (rule, paused) VALUES (?1, ?2) "
                         "ON CONFLICT (rule) DO UPDATE SET paused = ?2, updated_at = " SK_SQL_NOW,
                         err);
    if (rc)
        return rc;
    sk_db_bind_text(s, 1, rule, -1, SK_DB_STATIC);
    if (why)
        sk_db_bind_text(s, 2, why, -1, SK_DB_STATIC);
    else
        sk_db_bind_null(s, 2);
    rc = sk_store_step_done(st, s, "pausing a rule", err);
    sk_db_finalize(s);
    return rc;
}

int sk_log_scores_each(sk_store *st, const char *rule, const char *since, size_t limit,
                       int (*fn)(void *ud, const char *rule, const sk_scored_log *l), void *ud,
                       char **err)
{
    sk_stmt *s;
    int rc = sk_store_prepare(
        st, &s,
        "SELECT v.rule, l.id, l.time, l.input_json, l.output_json, l.metadata_json, l.trace_id, "
        "v.scorer, v.kind, v.score, v.rationale, v.message, v.threshold, l.expected_json "
        "FROM log_scores AS v JOIN logs AS l ON l.id = v.log_id "
        "WHERE (?1 IS NULL OR v.rule = ?1) AND l.time >= ?2 "
        "ORDER BY v.kind = 'score' DESC, v.score, l.time DESC, l.id LIMIT ?3",
        err);
    if (rc)
        return rc;
    if (rule)
        sk_db_bind_text(s, 1, rule, -1, SK_DB_STATIC);
    sk_db_bind_text(s, 2, since ? since : "", -1, SK_DB_STATIC);
    sk_db_bind_int64(s, 3, limit ? (sk_int64)limit : INT64_MAX); /* no limit */
    int step;
    while ((step = sk_db_step(s)) == SK_DB_ROW) {
        sk_scored_log l = {sk_db_column_text(s, 1),
                           sk_db_column_text(s, 2),
                           sk_db_column_text(s, 3),
                           sk_db_column_text(s, 4),
                           sk_db_column_text(s, 5),
                           sk_db_column_text(s, 6),
                           sk_db_column_text(s, 7),
                           sk_db_column_text(s, 8),
                           sk_db_column_text(s, 10),
                           sk_db_column_text(s, 11),
                           sk_db_column_text(s, 13),
                           sk_db_column_type(s, 9) == SK_DB_NULL ? NAN : sk_db_column_double(s, 9),
                           sk_db_column_type(s, 12) != SK_DB_NULL,
                           sk_db_column_double(s, 12)};
        if ((rc = fn(ud, sk_db_column_text(s, 0), &l)) != 0)
            break;
    }
    if (rc == 0 && step != SK_DB_DONE && step != SK_DB_ROW)
        rc = sk_store_error(st, "reading the verdicts of online rules", err);
    sk_db_finalize(s);
    return rc;
}

int sk_log_scores_each_scorer(sk_store *st, const char *rule,
                              int (*fn)(void *ud, const char *name, int has_threshold,
                                        double threshold),
                              void *ud, char **err)
{
    sk_stmt *s;
    /* The threshold of each scorer's newest verdict. */
    int rc = sk_store_prepare(st, &s,
                              "SELECT v.rule || '/' || v.scorer, (SELECT x.threshold FROM "
                              "log_scores x WHERE x.rule = v.rule AND x.scorer = v.scorer ORDER "
                              "BY x.scored_at DESC, x.log_id DESC LIMIT 1), max(v.scored_at) "
                              "FROM log_scores v WHERE ?1 IS NULL OR v.rule = ?1 "
                              "GROUP BY v.rule, v.scorer ORDER BY v.rule, v.scorer",
                              err);
    if (rc)
        return rc;
    if (rule)
        sk_db_bind_text(s, 1, rule, -1, SK_DB_STATIC);
    int step;
    while ((step = sk_db_step(s)) == SK_DB_ROW)
        if ((rc = fn(ud, sk_db_column_text(s, 0), sk_db_column_type(s, 1) != SK_DB_NULL,
                     sk_db_column_double(s, 1))) != 0)
            break;
    if (rc == 0 && step != SK_DB_DONE && step != SK_DB_ROW)
        rc = sk_store_error(st, "reading the online rules' scorers", err);
    sk_db_finalize(s);
    return rc;
}

int sk_log_scores_each_cell(sk_store *st, const char *rule,
                            int (*fn)(void *ud, const struct sk_cell_score_row *c), void *ud,
                            char **err)
{
    sk_stmt *s;
    int rc = sk_store_prepare(
        st, &s,
        "SELECT l.id, l.input_json, l.expected_json, l.metadata_json, l.output_json, "
        "v.rule || '/' || v.scorer, v.kind, v.score, v.message, v.rationale, v.threshold "
        "FROM log_scores AS v JOIN logs AS l ON l.id = v.log_id "
        "WHERE ?1 IS NULL OR v.rule = ?1 ORDER BY l.seq, v.rule, v.scorer",
        err);
    if (rc)
        return rc;
    if (rule)
        sk_db_bind_text(s, 1, rule, -1, SK_DB_STATIC);
    int step;
    while ((step = sk_db_step(s)) == SK_DB_ROW) {
        sk_cell_score_row c;
        memset(&c, 0, sizeof c);
        c.row_id = sk_db_column_text(s, 0);
        c.trial = 0;
        c.input_json = sk_db_column_text(s, 1);
        c.expected_json = sk_db_column_text(s, 2);
        c.metadata_json = sk_db_column_text(s, 3);
        c.output_json = sk_db_column_text(s, 4);
        c.latency_ms = c.overall = NAN;
        c.scorer = sk_db_column_text(s, 5);
        c.kind = sk_db_column_text(s, 6);
        c.score = sk_db_column_type(s, 7) == SK_DB_NULL ? NAN : sk_db_column_double(s, 7);
        c.message = sk_db_column_text(s, 8);
        c.rationale = sk_db_column_text(s, 9);
        c.has_threshold = sk_db_column_type(s, 10) != SK_DB_NULL;
        c.threshold = sk_db_column_double(s, 10);
        if ((rc = fn(ud, &c)) != 0)
            break;
    }
    if (rc == 0 && step != SK_DB_DONE && step != SK_DB_ROW)
        rc = sk_store_error(st, "reading the online rules' verdicts", err);
    sk_db_finalize(s);
    return rc;
}

int sk_log_scores_trend(sk_store *st, const char *rule, const char *key_path, long window_s,
                        const char *since, int (*fn)(void *ud, const sk_trend_cell *c), void *ud,
                        char **err)
{
    /* The metadata value and the window's start are spelt per dialect:
     * SQLite's json_extract and strftime, PostgreSQL's jsonb path and
     * epoch. */
    int pg = sk_db_dialect(sk_store_db(st)) == SK_DIALECT_POSTGRES;
    sk_stmt *s;
    int rc = sk_store_prepare(
        st, &s,
        pg ? "SELECT v.rule, v.scorer, CAST(l.metadata_json AS jsonb) #>> CAST(?2 AS TEXT[]) AS "
             "val, (CAST(extract(epoch FROM CAST(substr(l.time, 1, 19) AS timestamp)) AS BIGINT) "
             "/ ?3) * ?3 AS w, "
             "count(*), sum(v.score), sum(v.score * v.score), "
             "count(CASE WHEN v.score >= v.threshold THEN 1 END), count(v.threshold) "
             "FROM log_scores AS v JOIN logs AS l ON l.id = v.log_id "
             "WHERE v.kind = 'score' AND (?1 IS NULL OR v.rule = ?1) AND l.time >= ?4 "
             "GROUP BY v.rule, v.scorer, w, val ORDER BY v.rule, v.scorer, w, val"
           : "SELECT v.rule, v.scorer, "
             "CASE WHEN ?2 IS NULL THEN NULL ELSE CAST(json_extract(l.metadata_json, ?2) AS TEXT) "
             "END AS val, (CAST(strftime('%s', substr(l.time, 1, 19)) AS INTEGER) / ?3) * ?3 AS w, "
             "count(*), sum(v.score), sum(v.score * v.score), "
             "count(CASE WHEN v.score >= v.threshold THEN 1 END), count(v.threshold) "
             "FROM log_scores AS v JOIN logs AS l ON l.id = v.log_id "
             "WHERE v.kind = 'score' AND (?1 IS NULL OR v.rule = ?1) AND l.time >= ?4 "
             "GROUP BY v.rule, v.scorer, w, val ORDER BY v.rule, v.scorer, w, val",
        err);
    char *pg_path = NULL; /* "$.a.b" as a jsonb path: "{a,b}" */
    if (pg && key_path) {
        pg_path =
            sk_asprintf("{%s}", key_path[0] == '$' && key_path[1] == '.' ? key_path + 2 : key_path);
        for (char *p = pg_path; *p; p++)
            if (*p == '.')
                *p = ',';
        key_path = pg_path;
    }
    if (rc) {
        free(pg_path);
        return rc;
    }
    if (rule)
        sk_db_bind_text(s, 1, rule, -1, SK_DB_STATIC);
    if (key_path)
        sk_db_bind_text(s, 2, key_path, -1, SK_DB_STATIC);
    sk_db_bind_int64(s, 3, window_s);
    sk_db_bind_text(s, 4, since ? since : "", -1, SK_DB_STATIC);
    int step;
    while ((step = sk_db_step(s)) == SK_DB_ROW) {
        sk_trend_cell t = {
            sk_db_column_text(s, 0),   sk_db_column_text(s, 1),  sk_db_column_text(s, 2),
            sk_db_column_int64(s, 3),  sk_db_column_int64(s, 4), sk_db_column_double(s, 5),
            sk_db_column_double(s, 6), sk_db_column_int64(s, 7), sk_db_column_int64(s, 8)};
        if ((rc = fn(ud, &t)) != 0)
            break;
    }
    if (rc == 0 && step != SK_DB_DONE && step != SK_DB_ROW)
        rc = sk_store_error(st, "reading the online rules' trend", err);
    sk_db_finalize(s);
    free(pg_path);
    return rc;
}

int sk_log_scores_recent(sk_store *st, const char *rule, long long from, double *mean, long long *n,
                         char **err)
{
    *mean = NAN;
    *n = 0;
    sk_stmt *s;
    int rc = sk_store_prepare(st, &s,
                              "SELECT avg(score), count(*) FROM log_scores WHERE rule = ?1 AND "
                              "kind = 'score' AND scored_at >= ?2",
                              err);
    if (rc)
        return rc;
    /* scored_at is ISO 8601 UTC text, which sorts as it reads. */
    char at[32];
    time_t t = (time_t)from;
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(at, sizeof at, "%Y-%m-%dT%H:%M:%SZ", &tm);
    sk_db_bind_text(s, 1, rule, -1, SK_DB_STATIC);
    sk_db_bind_text(s, 2, at, -1, SK_DB_TRANSIENT);
    if (sk_db_step(s) == SK_DB_ROW) {
        *n = sk_db_column_int64(s, 1);
        if (*n)
            *mean = sk_db_column_double(s, 0);
    } else {
        rc = sk_store_error(st, "reading a rule's recent scores", err);
    }
    sk_db_finalize(s);
    return rc;
}

int sk_rule_alert_once(sk_store *st, const char *rule, long long window, int *first, char **err)
{
    *first = 0;
    sk_stmt *s;
    int rc = sk_store_prepare(st, &s,
                              "UPDATE rule_state SET alerted_window = ?2 WHERE rule = ?1 AND "
                              "(alerted_window IS NULL OR alerted_window <> ?2)",
                              err);
    if (rc)
        return rc;
    sk_db_bind_text(s, 1, rule, -1, SK_DB_STATIC);
    sk_db_bind_int64(s, 2, window);
    rc = sk_store_step_done(st, s, "recording an alert", err);
    if (rc == SK_OK)
        *first = sk_db_changes(sk_store_db(st)) > 0;
    sk_db_finalize(s);
    return rc;
}
