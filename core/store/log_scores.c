/* Verdicts of online rules and their checkpoints (see log_scores.h). */
#include "store/log_scores.h"

#include <math.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "store/experiment_read.h"

int sk_rule_state(sk_store *st, const char *rule, int64_t *seq, long long *scored, char **paused,
                  char **err)
{
    *seq = 0;
    *scored = 0;
    *paused = NULL;
    sqlite3_stmt *s;
    int rc =
        sk_store_prepare(st, &s, "SELECT seq, scored, paused FROM rule_state WHERE rule = ?", err);
    if (rc)
        return rc;
    sqlite3_bind_text(s, 1, rule, -1, SQLITE_STATIC);
    int step = sqlite3_step(s);
    if (step == SQLITE_ROW) {
        *seq = sqlite3_column_int64(s, 0);
        *scored = sqlite3_column_int64(s, 1);
        *paused = sk_store_column_dup(s, 2);
    } else if (step != SQLITE_DONE) {
        rc = sk_store_error(st, "reading a rule's checkpoint", err);
    }
    sqlite3_finalize(s);
    return rc;
}

static int upsert_state(sk_store *st, const char *rule, int64_t seq, long long logs, char **err)
{
    sqlite3_stmt *s;
    int rc = sk_store_cached(st, &s,
                             "INSERT INTO rule_state (rule, seq, scored) VALUES (?1, ?2, ?3) "
                             "ON CONFLICT (rule) DO UPDATE SET seq = ?2, scored = scored + ?3, "
                             "updated_at = " SK_SQL_NOW,
                             err);
    if (rc)
        return rc;
    sqlite3_bind_text(s, 1, rule, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 2, seq);
    sqlite3_bind_int64(s, 3, logs);
    rc = sk_store_step_done(st, s, "moving a rule's checkpoint", err);
    sqlite3_clear_bindings(s);
    return rc;
}

/* The verdicts, in the caller's transaction; ignore: skip those there. */
static int insert_all(sk_store *st, const char *rule, const sk_log_score *v, size_t n, int ignore,
                      char **err)
{
    sqlite3_stmt *s = NULL;
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
        sqlite3_bind_text(s, 1, rule, -1, SQLITE_STATIC);
        sqlite3_bind_text(s, 2, v[i].log_id, -1, SQLITE_STATIC);
        sqlite3_bind_text(s, 3, v[i].scorer, -1, SQLITE_STATIC);
        sqlite3_bind_text(s, 4, v[i].kind, -1, SQLITE_STATIC);
        if (isnan(v[i].score))
            sqlite3_bind_null(s, 5);
        else
            sqlite3_bind_double(s, 5, v[i].score);
        if (v[i].rationale)
            sqlite3_bind_text(s, 6, v[i].rationale, -1, SQLITE_STATIC);
        else
            sqlite3_bind_null(s, 6);
        if (v[i].message)
            sqlite3_bind_text(s, 7, v[i].message, -1, SQLITE_STATIC);
        else
            sqlite3_bind_null(s, 7);
        if (v[i].has_threshold)
            sqlite3_bind_double(s, 8, v[i].threshold);
        else
            sqlite3_bind_null(s, 8);
        rc = sk_store_step_done(st, s, "storing a rule's verdict on a log", err);
    }
    if (s)
        sqlite3_clear_bindings(s);
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
    sqlite3_stmt *s;
    int rc =
        sk_store_prepare(st, &s,
                         "INSERT INTO rule_state (rule, paused) VALUES (?1, ?2) "
                         "ON CONFLICT (rule) DO UPDATE SET paused = ?2, updated_at = " SK_SQL_NOW,
                         err);
    if (rc)
        return rc;
    sqlite3_bind_text(s, 1, rule, -1, SQLITE_STATIC);
    if (why)
        sqlite3_bind_text(s, 2, why, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(s, 2);
    rc = sk_store_step_done(st, s, "pausing a rule", err);
    sqlite3_finalize(s);
    return rc;
}

int sk_log_scores_each(sk_store *st, const char *rule, const char *since, size_t limit,
                       int (*fn)(void *ud, const char *rule, const sk_scored_log *l), void *ud,
                       char **err)
{
    sqlite3_stmt *s;
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
        sqlite3_bind_text(s, 1, rule, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, since ? since : "", -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 3, limit ? (sqlite3_int64)limit : -1);
    int step;
    while ((step = sqlite3_step(s)) == SQLITE_ROW) {
        sk_scored_log l = {(const char *)sqlite3_column_text(s, 1),
                           (const char *)sqlite3_column_text(s, 2),
                           (const char *)sqlite3_column_text(s, 3),
                           (const char *)sqlite3_column_text(s, 4),
                           (const char *)sqlite3_column_text(s, 5),
                           (const char *)sqlite3_column_text(s, 6),
                           (const char *)sqlite3_column_text(s, 7),
                           (const char *)sqlite3_column_text(s, 8),
                           (const char *)sqlite3_column_text(s, 10),
                           (const char *)sqlite3_column_text(s, 11),
                           (const char *)sqlite3_column_text(s, 13),
                           sqlite3_column_type(s, 9) == SQLITE_NULL ? NAN
                                                                    : sqlite3_column_double(s, 9),
                           sqlite3_column_type(s, 12) != SQLITE_NULL,
                           sqlite3_column_double(s, 12)};
        if ((rc = fn(ud, (const char *)sqlite3_column_text(s, 0), &l)) != 0)
            break;
    }
    if (rc == 0 && step != SQLITE_DONE && step != SQLITE_ROW)
        rc = sk_store_error(st, "reading the verdicts of online rules", err);
    sqlite3_finalize(s);
    return rc;
}

int sk_log_scores_each_scorer(sk_store *st, const char *rule,
                              int (*fn)(void *ud, const char *name, int has_threshold,
                                        double threshold),
                              void *ud, char **err)
{
    sqlite3_stmt *s;
    /* The threshold of each scorer's newest verdict (SQLite's bare columns
     * take the row of max()). */
    int rc = sk_store_prepare(st, &s,
                              "SELECT rule || '/' || scorer, threshold, max(scored_at) "
                              "FROM log_scores WHERE ?1 IS NULL OR rule = ?1 "
                              "GROUP BY rule, scorer ORDER BY rule, scorer",
                              err);
    if (rc)
        return rc;
    if (rule)
        sqlite3_bind_text(s, 1, rule, -1, SQLITE_STATIC);
    int step;
    while ((step = sqlite3_step(s)) == SQLITE_ROW)
        if ((rc = fn(ud, (const char *)sqlite3_column_text(s, 0),
                     sqlite3_column_type(s, 1) != SQLITE_NULL, sqlite3_column_double(s, 1))) != 0)
            break;
    if (rc == 0 && step != SQLITE_DONE && step != SQLITE_ROW)
        rc = sk_store_error(st, "reading the online rules' scorers", err);
    sqlite3_finalize(s);
    return rc;
}

int sk_log_scores_each_cell(sk_store *st, const char *rule,
                            int (*fn)(void *ud, const struct sk_cell_score_row *c), void *ud,
                            char **err)
{
    sqlite3_stmt *s;
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
        sqlite3_bind_text(s, 1, rule, -1, SQLITE_STATIC);
    int step;
    while ((step = sqlite3_step(s)) == SQLITE_ROW) {
        sk_cell_score_row c;
        memset(&c, 0, sizeof c);
        c.row_id = (const char *)sqlite3_column_text(s, 0);
        c.trial = 0;
        c.input_json = (const char *)sqlite3_column_text(s, 1);
        c.expected_json = (const char *)sqlite3_column_text(s, 2);
        c.metadata_json = (const char *)sqlite3_column_text(s, 3);
        c.output_json = (const char *)sqlite3_column_text(s, 4);
        c.latency_ms = c.overall = NAN;
        c.scorer = (const char *)sqlite3_column_text(s, 5);
        c.kind = (const char *)sqlite3_column_text(s, 6);
        c.score = sqlite3_column_type(s, 7) == SQLITE_NULL ? NAN : sqlite3_column_double(s, 7);
        c.message = (const char *)sqlite3_column_text(s, 8);
        c.rationale = (const char *)sqlite3_column_text(s, 9);
        c.has_threshold = sqlite3_column_type(s, 10) != SQLITE_NULL;
        c.threshold = sqlite3_column_double(s, 10);
        if ((rc = fn(ud, &c)) != 0)
            break;
    }
    if (rc == 0 && step != SQLITE_DONE && step != SQLITE_ROW)
        rc = sk_store_error(st, "reading the online rules' verdicts", err);
    sqlite3_finalize(s);
    return rc;
}

int sk_log_scores_trend(sk_store *st, const char *rule, const char *key_path, long window_s,
                        const char *since, int (*fn)(void *ud, const sk_trend_cell *c), void *ud,
                        char **err)
{
    sqlite3_stmt *s;
    int rc = sk_store_prepare(
        st, &s,
        "SELECT v.rule, v.scorer, "
        "CASE WHEN ?2 IS NULL THEN NULL ELSE CAST(json_extract(l.metadata_json, ?2) AS TEXT) END "
        "AS val, (CAST(strftime('%s', substr(l.time, 1, 19)) AS INTEGER) / ?3) * ?3 AS w, "
        "count(*), sum(v.score), sum(v.score * v.score), "
        "sum(v.threshold IS NOT NULL AND v.score >= v.threshold), sum(v.threshold IS NOT NULL) "
        "FROM log_scores AS v JOIN logs AS l ON l.id = v.log_id "
        "WHERE v.kind = 'score' AND (?1 IS NULL OR v.rule = ?1) AND l.time >= ?4 "
        "GROUP BY v.rule, v.scorer, w, val ORDER BY v.rule, v.scorer, w, val",
        err);
    if (rc)
        return rc;
    if (rule)
        sqlite3_bind_text(s, 1, rule, -1, SQLITE_STATIC);
    if (key_path)
        sqlite3_bind_text(s, 2, key_path, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 3, window_s);
    sqlite3_bind_text(s, 4, since ? since : "", -1, SQLITE_STATIC);
    int step;
    while ((step = sqlite3_step(s)) == SQLITE_ROW) {
        sk_trend_cell t = {(const char *)sqlite3_column_text(s, 0),
                           (const char *)sqlite3_column_text(s, 1),
                           (const char *)sqlite3_column_text(s, 2),
                           sqlite3_column_int64(s, 3),
                           sqlite3_column_int64(s, 4),
                           sqlite3_column_double(s, 5),
                           sqlite3_column_double(s, 6),
                           sqlite3_column_int64(s, 7),
                           sqlite3_column_int64(s, 8)};
        if ((rc = fn(ud, &t)) != 0)
            break;
    }
    if (rc == 0 && step != SQLITE_DONE && step != SQLITE_ROW)
        rc = sk_store_error(st, "reading the online rules' trend", err);
    sqlite3_finalize(s);
    return rc;
}

int sk_log_scores_recent(sk_store *st, const char *rule, long long from, double *mean, long long *n,
                         char **err)
{
    *mean = NAN;
    *n = 0;
    sqlite3_stmt *s;
    int rc = sk_store_prepare(st, &s,
                              "SELECT avg(score), count(*) FROM log_scores WHERE rule = ?1 AND "
                              "kind = 'score' AND CAST(strftime('%s', scored_at) AS INTEGER) >= ?2",
                              err);
    if (rc)
        return rc;
    sqlite3_bind_text(s, 1, rule, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 2, from);
    if (sqlite3_step(s) == SQLITE_ROW) {
        *n = sqlite3_column_int64(s, 1);
        if (*n)
            *mean = sqlite3_column_double(s, 0);
    } else {
        rc = sk_store_error(st, "reading a rule's recent scores", err);
    }
    sqlite3_finalize(s);
    return rc;
}

int sk_rule_alert_once(sk_store *st, const char *rule, long long window, int *first, char **err)
{
    *first = 0;
    sqlite3_stmt *s;
    int rc = sk_store_prepare(st, &s,
                              "UPDATE rule_state SET alerted_window = ?2 WHERE rule = ?1 AND "
                              "(alerted_window IS NULL OR alerted_window <> ?2)",
                              err);
    if (rc)
        return rc;
    sqlite3_bind_text(s, 1, rule, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 2, window);
    rc = sk_store_step_done(st, s, "recording an alert", err);
    if (rc == SK_OK)
        *first = sqlite3_changes(sk_store_db(st)) > 0;
    sqlite3_finalize(s);
    return rc;
}
