/*
 * The schema of the store: every migration, in order, in one place.  A
 * migration runs once, in its own transaction, and is numbered by its place
 * in the list.  Append new migrations at the end; never edit one that has
 * been released, since databases in the field have run it.
 */
#include "store/store.h"

/* 1: datasets.  A dataset is a name; each import adds a version, which owns
 * a full copy of its rows, so a version never changes once written.  Row
 * values are stored as the JSON text they were read as, so numbers keep
 * every digit.  `pos` keeps the file's order; metadata_keys (a JSON array
 * of the top-level metadata keys any row has, sorted) saves a scan of the
 * rows for `dataset show`. */
static const char migration_datasets[] =
    "CREATE TABLE datasets (\n"
    "    id INTEGER PRIMARY KEY,\n"
    "    name TEXT NOT NULL UNIQUE,\n"
    "    created_at TEXT NOT NULL DEFAULT " SK_SQL_NOW "\n"
    ");\n"
    "CREATE TABLE dataset_versions (\n"
    "    id INTEGER PRIMARY KEY,\n"
    "    dataset_id INTEGER NOT NULL REFERENCES datasets(id) ON DELETE CASCADE,\n"
    "    version INTEGER NOT NULL CHECK (version >= 1),\n"
    "    created_at TEXT NOT NULL DEFAULT " SK_SQL_NOW ",\n"
    "    source TEXT,\n"
    "    row_count INTEGER NOT NULL,\n"
    "    metadata_keys TEXT NOT NULL DEFAULT '[]',\n"
    "    UNIQUE (dataset_id, version)\n"
    ");\n"
    "CREATE TABLE dataset_rows (\n"
    "    version_id INTEGER NOT NULL REFERENCES dataset_versions(id) ON DELETE CASCADE,\n"
    "    pos INTEGER NOT NULL,\n"
    "    row_id TEXT NOT NULL,\n"
    "    input_json TEXT NOT NULL,\n"
    "    expected_json TEXT,\n"
    "    output_json TEXT,\n"
    "    metadata_json TEXT,\n"
    "    tags_json TEXT,\n"
    "    PRIMARY KEY (version_id, pos),\n"
    "    UNIQUE (version_id, row_id)\n"
    ");\n";

/* 2: experiments: one row per run, one cell per row x trial with the task's
 * output, and one score per cell x scorer.  A cell and its scores are
 * written in one transaction, so a killed run leaves only whole cells. */
static const char migration_experiments[] =
    "CREATE TABLE experiments ("
    "  id TEXT PRIMARY KEY,"
    "  name TEXT NOT NULL,"
    "  created_at TEXT NOT NULL,"
    "  finished_at TEXT,"
    "  status TEXT NOT NULL CHECK (status IN ('running', 'done', 'interrupted')),"
    "  git_commit TEXT,"
    "  scorekit_version TEXT NOT NULL,"
    "  dataset_version_id INTEGER NOT NULL REFERENCES dataset_versions(id),"
    "  dataset_ref TEXT NOT NULL,"
    "  trials INTEGER NOT NULL CHECK (trials >= 1),"
    "  pack_hash TEXT NOT NULL,"
    "  config_json TEXT NOT NULL,"
    "  origin TEXT"
    ");"
    "CREATE TABLE experiment_scorers ("
    "  experiment_id TEXT NOT NULL REFERENCES experiments(id) ON DELETE CASCADE,"
    "  idx INTEGER NOT NULL,"
    "  name TEXT NOT NULL,"
    "  threshold REAL,"
    "  weight REAL NOT NULL,"
    "  PRIMARY KEY (experiment_id, idx),"
    "  UNIQUE (experiment_id, name)"
    ");"
    "CREATE TABLE cells ("
    "  experiment_id TEXT NOT NULL REFERENCES experiments(id) ON DELETE CASCADE,"
    "  row_id TEXT NOT NULL,"
    "  trial INTEGER NOT NULL,"
    "  pos INTEGER NOT NULL,"
    "  output_json TEXT,"
    "  task_error TEXT,"
    "  latency_ms REAL,"
    "  overall REAL,"
    "  pass INTEGER,"
    "  completed_at TEXT NOT NULL,"
    "  PRIMARY KEY (experiment_id, row_id, trial)"
    ");"
    "CREATE TABLE scores ("
    "  experiment_id TEXT NOT NULL,"
    "  row_id TEXT NOT NULL,"
    "  trial INTEGER NOT NULL,"
    "  scorer TEXT NOT NULL,"
    "  kind TEXT NOT NULL CHECK (kind IN ('score', 'skipped', 'error')),"
    "  score REAL,"
    "  message TEXT,"
    "  rationale TEXT,"
    "  meta_json TEXT,"
    "  PRIMARY KEY (experiment_id, row_id, trial, scorer),"
    "  FOREIGN KEY (experiment_id, row_id, trial)"
    "    REFERENCES cells(experiment_id, row_id, trial) ON DELETE CASCADE"
    ");";

/* 3: cells and scores clustered on their keys (WITHOUT ROWID): one b-tree
 * per table instead of a table plus its primary-key index, which halves
 * the cost of recording a run.  Scores no longer reference their cell:
 * both are written in one transaction by one function, and both still go
 * when their experiment is deleted. */
static const char migration_cells_clustered[] =
    "CREATE TABLE cells_new ("
    "  experiment_id TEXT NOT NULL REFERENCES experiments(id) ON DELETE CASCADE,"
    "  row_id TEXT NOT NULL,"
    "  trial INTEGER NOT NULL,"
    "  pos INTEGER NOT NULL,"
    "  output_json TEXT,"
    "  task_error TEXT,"
    "  latency_ms REAL,"
    "  overall REAL,"
    "  pass INTEGER,"
    "  completed_at TEXT NOT NULL,"
    "  PRIMARY KEY (experiment_id, row_id, trial)"
    ") WITHOUT ROWID;"
    "CREATE TABLE scores_new ("
    "  experiment_id TEXT NOT NULL REFERENCES experiments(id) ON DELETE CASCADE,"
    "  row_id TEXT NOT NULL,"
    "  trial INTEGER NOT NULL,"
    "  scorer TEXT NOT NULL,"
    "  kind TEXT NOT NULL CHECK (kind IN ('score', 'skipped', 'error')),"
    "  score REAL,"
    "  message TEXT,"
    "  rationale TEXT,"
    "  meta_json TEXT,"
    "  PRIMARY KEY (experiment_id, row_id, trial, scorer)"
    ") WITHOUT ROWID;"
    "INSERT INTO cells_new SELECT experiment_id, row_id, trial, pos, output_json, task_error,"
    "  latency_ms, overall, pass, completed_at FROM cells;"
    "INSERT INTO scores_new SELECT experiment_id, row_id, trial, scorer, kind, score, message,"
    "  rationale, meta_json FROM scores;"
    "DROP TABLE scores;"
    "DROP TABLE cells;"
    "ALTER TABLE cells_new RENAME TO cells;"
    "ALTER TABLE scores_new RENAME TO scores;";

/* 4: the LLM response cache, keyed by a hash of the canonical request, and
 * the log of every call (usage and cost per experiment). */
static const char migration_llm[] =
    "CREATE TABLE llm_cache (\n"
    "    key TEXT PRIMARY KEY,\n" /* hex SHA-256 of the canonical request */
    "    provider TEXT NOT NULL,\n"
    "    base_url TEXT NOT NULL,\n"
    "    model TEXT NOT NULL,\n"
    "    trial INTEGER NOT NULL,\n"
    "    content TEXT,\n"
    "    tool_args TEXT,\n"
    "    prompt_tokens INTEGER,\n"
    "    completion_tokens INTEGER,\n"
    "    cost REAL NOT NULL DEFAULT 0,\n"
    "    bytes INTEGER NOT NULL,\n"
    "    hits INTEGER NOT NULL DEFAULT 0,\n"
    "    created_at TEXT NOT NULL DEFAULT " SK_SQL_NOW ",\n"
    "    last_hit_at TEXT\n"
    ");\n"
    "CREATE INDEX llm_cache_model ON llm_cache (model, created_at);\n"
    "CREATE TABLE llm_calls (\n"
    "    id INTEGER PRIMARY KEY,\n"
    "    experiment_id TEXT,\n" /* no foreign key: the log outlives deleted experiments */
    "    at TEXT NOT NULL DEFAULT " SK_SQL_NOW ",\n"
    "    caller TEXT,\n"
    "    provider TEXT,\n"
    "    model TEXT,\n"
    "    ok INTEGER NOT NULL,\n"
    "    cached INTEGER NOT NULL,\n"
    "    attempts INTEGER NOT NULL,\n"
    "    prompt_tokens INTEGER,\n"
    "    completion_tokens INTEGER,\n"
    "    cost REAL NOT NULL DEFAULT 0,\n"
    "    latency_ms REAL NOT NULL DEFAULT 0,\n"
    "    error TEXT\n"
    ");\n"
    "CREATE INDEX llm_calls_experiment ON llm_calls (experiment_id);\n";

/* 5: the verdicts of `scorekit validate`, per scorer fingerprint. */
static const char migration_validations[] =
    "CREATE TABLE validations (\n"
    "  id INTEGER PRIMARY KEY,\n"
    "  scorer TEXT NOT NULL,\n"
    "  fingerprint TEXT NOT NULL,\n"
    "  verdict TEXT NOT NULL CHECK (verdict IN ('PASS', 'WARN', 'FAIL')),\n"
    "  created_at TEXT NOT NULL DEFAULT (datetime('now')),\n"
    "  report TEXT\n"
    ");\n"
    "CREATE INDEX validations_by_scorer ON validations (scorer, fingerprint, id);\n";

/* 6: the history of baselines; the current one is the highest
 * id.  Deleting an experiment takes its entries with it, so the baseline
 * falls back to the one set before. */
static const char migration_baselines[] =
    "CREATE TABLE baselines ("
    "  id INTEGER PRIMARY KEY,"
    "  experiment_id TEXT NOT NULL REFERENCES experiments(id) ON DELETE CASCADE,"
    "  set_at TEXT NOT NULL,"
    "  note TEXT"
    ");"
    "CREATE INDEX baselines_experiment ON baselines(experiment_id);";

/* 7: what a cell's model calls (its task's and its judges') used; NULL for a
 * cell that made none. */
static const char migration_cell_usage[] = "ALTER TABLE cells ADD COLUMN llm_calls INTEGER;"
                                           "ALTER TABLE cells ADD COLUMN prompt_tokens INTEGER;"
                                           "ALTER TABLE cells ADD COLUMN completion_tokens INTEGER;"
                                           "ALTER TABLE cells ADD COLUMN cost REAL;";

/* 8: the lease of the run that writes an experiment (experiment_lease.c);
 * NULL when nobody holds it. */
static const char migration_leases[] =
    "ALTER TABLE experiments ADD COLUMN lease_pid INTEGER;"
    "ALTER TABLE experiments ADD COLUMN lease_host TEXT;"
    "ALTER TABLE experiments ADD COLUMN lease_token TEXT;"
    "ALTER TABLE experiments ADD COLUMN lease_start TEXT;"
    "ALTER TABLE experiments ADD COLUMN lease_heartbeat INTEGER;";

/* 9: the scores table again, its kind checked with `=` and OR: SQLite
 * builds a temporary table for every `IN (...)` check it evaluates, which
 * was a tenth of the work of recording a run.  The same rows, the same
 * allowed kinds. */
static const char migration_scores_kind_check[] =
    "CREATE TABLE scores_new ("
    "  experiment_id TEXT NOT NULL REFERENCES experiments(id) ON DELETE CASCADE,"
    "  row_id TEXT NOT NULL,"
    "  trial INTEGER NOT NULL,"
    "  scorer TEXT NOT NULL,"
    "  kind TEXT NOT NULL CHECK (kind = 'score' OR kind = 'skipped' OR kind = 'error'),"
    "  score REAL,"
    "  message TEXT,"
    "  rationale TEXT,"
    "  meta_json TEXT,"
    "  PRIMARY KEY (experiment_id, row_id, trial, scorer)"
    ") WITHOUT ROWID;"
    "INSERT INTO scores_new SELECT experiment_id, row_id, trial, scorer, kind, score, message,"
    "  rationale, meta_json FROM scores;"
    "DROP TABLE scores;"
    "ALTER TABLE scores_new RENAME TO scores;";

/* 10: each experiment's figures (experiment_stats.h), stored when its run
 * ends, so listing and showing experiments reads one row per experiment
 * and per scorer instead of every cell (summary_score_errors counts the
 * error verdicts of every scorer, listed or not, so `show` knows when
 * there are none to list).  summary_cells is NULL while no summary is
 * stored: writing cells clears it. */
static const char migration_summaries[] =
    "ALTER TABLE experiments ADD COLUMN summary_cells INTEGER;"
    "ALTER TABLE experiments ADD COLUMN summary_task_errors INTEGER;"
    "ALTER TABLE experiments ADD COLUMN summary_passed INTEGER;"
    "ALTER TABLE experiments ADD COLUMN summary_failed INTEGER;"
    "ALTER TABLE experiments ADD COLUMN summary_no_verdict_errors INTEGER;"
    "ALTER TABLE experiments ADD COLUMN summary_no_verdict_no_score INTEGER;"
    "ALTER TABLE experiments ADD COLUMN summary_latency_ms REAL;"
    "ALTER TABLE experiments ADD COLUMN summary_score_errors INTEGER;"
    "ALTER TABLE experiment_scorers ADD COLUMN summary_rows INTEGER;"
    "ALTER TABLE experiment_scorers ADD COLUMN summary_mean REAL;"
    "ALTER TABLE experiment_scorers ADD COLUMN summary_mean_sd REAL;"
    "ALTER TABLE experiment_scorers ADD COLUMN summary_rows_passing INTEGER;"
    "ALTER TABLE experiment_scorers ADD COLUMN summary_scored INTEGER;"
    "ALTER TABLE experiment_scorers ADD COLUMN summary_skipped INTEGER;"
    "ALTER TABLE experiment_scorers ADD COLUMN summary_errors INTEGER;";

/* 11: a scorer's reducer (NULL: "mean"), how its trials add up to a row's
 * pass/fail in `compare` (base/reducer.h). */
static const char migration_reducers[] = "ALTER TABLE experiment_scorers ADD COLUMN reducer TEXT;";

/* 12: where a dataset row came from, when `dataset add` or `merge` put it
 * there: a side table keyed by (version, row id) rather than columns on
 * dataset_rows, because most rows (imported from a file) have none, and a
 * version's copy of the earlier rows carries their provenance forward with
 * one INSERT ... SELECT, as it copies the rows.  kind is experiment, logs,
 * file or merge; source is the human form ("EXP trial 2", "FILE:LINE",
 * "merged from SRC v3"). */
static const char migration_dataset_provenance[] =
    "CREATE TABLE dataset_provenance ("
    "  version_id INTEGER NOT NULL REFERENCES dataset_versions(id) ON DELETE CASCADE,"
    "  row_id TEXT NOT NULL,"
    "  kind TEXT NOT NULL,"
    "  source TEXT NOT NULL,"
    "  experiment_id TEXT,"
    "  trial INTEGER,"
    "  file TEXT,"
    "  line INTEGER,"
    "  log_id TEXT,"
    "  note TEXT,"
    "  added_at TEXT NOT NULL,"
    "  PRIMARY KEY (version_id, row_id)"
    ") WITHOUT ROWID;";

/* 13: logs: production interactions, one row a log, from `scorekit logs
 * ingest` and `scorekit serve`.  The log's own id is the key, so ingesting
 * it again changes nothing.  JSON values are kept as their text, like
 * dataset rows; `time` is UTC ISO 8601 with milliseconds, so it sorts. */
static const char migration_logs[] = "CREATE TABLE logs (\n"
                                     "    id TEXT PRIMARY KEY,\n"
                                     "    time TEXT NOT NULL,\n"
                                     "    input_json TEXT NOT NULL,\n"
                                     "    output_json TEXT,\n"
                                     "    expected_json TEXT,\n"
                                     "    metadata_json TEXT,\n"
                                     "    trace_id TEXT,\n"
                                     "    span_id TEXT,\n"
                                     "    model TEXT,\n"
                                     "    latency_ms REAL,\n"
                                     "    input_tokens INTEGER,\n"
                                     "    output_tokens INTEGER,\n"
                                     "    cost REAL,\n"
                                     "    ingested_at TEXT NOT NULL DEFAULT " SK_SQL_NOW "\n"
                                     ") WITHOUT ROWID;\n"
                                     "CREATE INDEX logs_time ON logs (time);\n";

/* 14: human labels (store/labels.h), and beside a validation verdict the
 * confusion matrix of the scorer against them, when `validate --labels`
 * measured one: {"n","tp","fp","fn","tn","cut"}, which `show` and
 * `compare` correct pass rates with. */
static const char migration_labels[] =
    "CREATE TABLE labels (\n"
    "    source TEXT NOT NULL,\n"
    "    row_id TEXT NOT NULL,\n"
    "    scorer TEXT NOT NULL,\n"
    "    label REAL NOT NULL CHECK (label >= 0 AND label <= 1),\n"
    "    who TEXT NOT NULL,\n"
    "    labelled_at TEXT NOT NULL DEFAULT " SK_SQL_NOW ",\n"
    "    PRIMARY KEY (source, row_id, scorer, who)\n"
    ") WITHOUT ROWID;\n"
    "ALTER TABLE validations ADD COLUMN agreement TEXT;\n";

/* 15: online scoring.  Logs get the order they were stored in (seq: a
 * rule's checkpoint is the last seq it has read, so a restart goes on
 * exactly there); log_scores holds each rule's verdicts on a log, one row a
 * scorer, written with the checkpoint in one transaction so a log is scored
 * once by a rule whatever crashes; rule_state is each rule's checkpoint and
 * why it is paused (a model refusing its key), if it is. */
static const char migration_online[] =
    "ALTER TABLE logs ADD COLUMN seq INTEGER;\n"
    "UPDATE logs SET seq = (SELECT count(*) FROM logs AS o WHERE o.ingested_at < logs.ingested_at "
    "OR (o.ingested_at = logs.ingested_at AND o.id <= logs.id));\n"
    "CREATE UNIQUE INDEX logs_seq ON logs (seq);\n"
    "CREATE TABLE log_scores (\n"
    "    rule TEXT NOT NULL,\n"
    "    log_id TEXT NOT NULL,\n"
    "    scorer TEXT NOT NULL,\n"
    "    kind TEXT NOT NULL,\n"
    "    score REAL,\n"
    "    rationale TEXT,\n"
    "    message TEXT,\n"
    "    threshold REAL,\n"
    "    scored_at TEXT NOT NULL DEFAULT " SK_SQL_NOW ",\n"
    "    PRIMARY KEY (rule, log_id, scorer)\n"
    ") WITHOUT ROWID;\n"
    "CREATE INDEX log_scores_low ON log_scores (rule, scorer, score);\n"
    "CREATE TABLE rule_state (\n"
    "    rule TEXT PRIMARY KEY,\n"
    "    seq INTEGER NOT NULL DEFAULT 0,\n"
    "    scored INTEGER NOT NULL DEFAULT 0,\n"
    "    paused TEXT,\n"
    "    updated_at TEXT NOT NULL DEFAULT " SK_SQL_NOW "\n"
    ") WITHOUT ROWID;\n";

/* 16: topic runs (`scorekit topics`): a run's source and parameters, each
 * topic's label, size, example and scores (worst first: topic 1 is the
 * worst; name: a model's, with --label), and every row's topic.  A row keeps its dataset values
 * (input, expected, output, metadata, tags, and for a file its line), so `dataset add --topic
 * RUN:T` needs neither the experiment, the dataset version nor the file to be there still or
 * unchanged. */
static const char migration_topics[] =
    "CREATE TABLE topic_runs ("
    "  id TEXT PRIMARY KEY,"
    "  source TEXT NOT NULL,"
    "  kind TEXT NOT NULL,"
    "  field TEXT NOT NULL,"
    "  k INTEGER NOT NULL,"
    "  rows INTEGER NOT NULL,"
    "  created_at TEXT NOT NULL,"
    "  params_json TEXT NOT NULL"
    ") WITHOUT ROWID;"
    "CREATE TABLE topic_labels ("
    "  run_id TEXT NOT NULL REFERENCES topic_runs(id) ON DELETE CASCADE,"
    "  topic INTEGER NOT NULL,"
    "  label TEXT NOT NULL,"
    "  size INTEGER NOT NULL,"
    "  example_row TEXT NOT NULL,"
    "  example_text TEXT NOT NULL,"
    "  judged INTEGER NOT NULL,"
    "  failed INTEGER NOT NULL,"
    "  fail_rate REAL,"
    "  scores_json TEXT,"
    "  name TEXT,"
    "  PRIMARY KEY (run_id, topic)"
    ") WITHOUT ROWID;"
    "CREATE TABLE topic_rows ("
    "  run_id TEXT NOT NULL REFERENCES topic_runs(id) ON DELETE CASCADE,"
    "  pos INTEGER NOT NULL,"
    "  row_id TEXT NOT NULL,"
    "  topic INTEGER NOT NULL,"
    "  input_json TEXT NOT NULL,"
    "  expected_json TEXT,"
    "  output_json TEXT,"
    "  metadata_json TEXT,"
    "  tags_json TEXT,"
    "  file TEXT,"
    "  line INTEGER,"
    "  PRIMARY KEY (run_id, pos)"
    ") WITHOUT ROWID;"
    "CREATE INDEX topic_rows_topic ON topic_rows (run_id, topic, pos);";

/* 17: which window a rule's alert last fired for, so it fires once a
 * window whatever restarts. */
static const char migration_rule_alerts[] =
    "ALTER TABLE rule_state ADD COLUMN alerted_window INTEGER;";

/* 18: on PostgreSQL, the experiment of the rows a statement adds to cells
 * and scores is checked once per statement rather than once per row.  A
 * foreign key runs a query and locks the experiment for every row: two
 * thirds of the time a run's COPY took.  The statement-level triggers
 * below keep what the keys gave: the rows' experiments are locked FOR KEY
 * SHARE, as a key locks them, so none is deleted before the rows commit;
 * a row naming no experiment fails its statement with the error a key
 * raises (23503); and deleting an experiment deletes its cells and
 * scores.  The other keys stay: their tables take a few rows a run.
 * SQLite checks its keys cheaply and keeps them: nothing changes there. */
static const char migration_keys_per_statement_pg[] =
    "DO $$ DECLARE k record; BEGIN\n"
    "  FOR k IN SELECT conrelid::regclass AS tab, conname FROM pg_constraint\n"
    "      WHERE contype = 'f' AND confrelid = 'experiments'::regclass\n"
    "        AND conrelid IN ('cells'::regclass, 'scores'::regclass) LOOP\n"
    "    EXECUTE format('ALTER TABLE %s DROP CONSTRAINT %I', k.tab, k.conname);\n"
    "  END LOOP;\n"
    "END $$;\n"
    "CREATE FUNCTION sk_check_experiment() RETURNS trigger LANGUAGE plpgsql AS $$\n"
    "DECLARE missing text;\n"
    "BEGIN\n"
    "  PERFORM 1 FROM experiments WHERE id IN (SELECT DISTINCT experiment_id FROM added)\n"
    "    FOR KEY SHARE;\n"
    "  SELECT a.experiment_id INTO missing FROM (SELECT DISTINCT experiment_id FROM added) a\n"
    "    WHERE NOT EXISTS (SELECT 1 FROM experiments e WHERE e.id = a.experiment_id) LIMIT 1;\n"
    "  IF FOUND THEN\n"
    "    RAISE EXCEPTION 'insert or update on table \"%\" names experiment \"%\", which is not "
    "in experiments', TG_TABLE_NAME, missing USING ERRCODE = 'foreign_key_violation';\n"
    "  END IF;\n"
    "  RETURN NULL;\n"
    "END $$;\n"
    "CREATE TRIGGER cells_experiment_added AFTER INSERT ON cells REFERENCING NEW TABLE AS added\n"
    "  FOR EACH STATEMENT EXECUTE FUNCTION sk_check_experiment();\n"
    "CREATE TRIGGER cells_experiment_changed AFTER UPDATE ON cells REFERENCING NEW TABLE AS added\n"
    "  FOR EACH STATEMENT EXECUTE FUNCTION sk_check_experiment();\n"
    "CREATE TRIGGER scores_experiment_added AFTER INSERT ON scores REFERENCING NEW TABLE AS added\n"
    "  FOR EACH STATEMENT EXECUTE FUNCTION sk_check_experiment();\n"
    "CREATE TRIGGER scores_experiment_changed AFTER UPDATE ON scores REFERENCING NEW TABLE AS\n"
    "  added FOR EACH STATEMENT EXECUTE FUNCTION sk_check_experiment();\n"
    "CREATE FUNCTION sk_delete_experiment_cells() RETURNS trigger LANGUAGE plpgsql AS $$\n"
    "BEGIN\n"
    "  DELETE FROM scores WHERE experiment_id IN (SELECT id FROM gone);\n"
    "  DELETE FROM cells WHERE experiment_id IN (SELECT id FROM gone);\n"
    "  RETURN NULL;\n"
    "END $$;\n"
    "CREATE TRIGGER experiments_gone AFTER DELETE ON experiments REFERENCING OLD TABLE AS gone\n"
    "  FOR EACH STATEMENT EXECUTE FUNCTION sk_delete_experiment_cells();\n";

static const sk_migration migrations[] = {
    {1, "datasets", migration_datasets, NULL},
    {2, "experiments", migration_experiments, NULL},
    {3, "cells clustered", migration_cells_clustered, NULL},
    {4, "llm", migration_llm, NULL},
    {5, "validations", migration_validations, NULL},
    {6, "baselines", migration_baselines, NULL},
    {7, "cell usage", migration_cell_usage, NULL},
    {8, "experiment leases", migration_leases, NULL},
    {9, "scores kind check", migration_scores_kind_check, NULL},
    {10, "experiment summaries", migration_summaries, NULL},
    {11, "scorer reducers", migration_reducers, NULL},
    {12, "dataset provenance", migration_dataset_provenance, NULL},
    {13, "logs", migration_logs, NULL},
    {14, "labels", migration_labels, NULL},
    {15, "online scoring", migration_online, NULL},
    {16, "topics", migration_topics, NULL},
    {17, "rule alerts", migration_rule_alerts, NULL},
    {18, "experiment keys per statement", "", migration_keys_per_statement_pg},
};

const sk_migration *sk_store_migrations(size_t *n)
{
    *n = sizeof migrations / sizeof migrations[0];
    return migrations;
}
