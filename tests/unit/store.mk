# Unit tests of the project store: opening and migrating the SQLite
# database (test_store), the CSV reader (test_store_csv), and datasets:
# import, versions, ids, export (test_store_dataset).  They share a fixture
# that gives each test its own project folder.
check_PROGRAMS += tests/unit/test_store tests/unit/test_store_csv tests/unit/test_store_dataset
TESTS += tests/unit/test_store tests/unit/test_store_csv tests/unit/test_store_dataset

# An experiment's figures (means over rows of per-row trial means, within-row
# SDs) and the `stored` task provider that rescoring reads them back with.
check_PROGRAMS += tests/unit/test_experiment_stats
TESTS += tests/unit/test_experiment_stats

# The lease a run holds on its experiment: who runs it, take-over of a
# killed run's lease, refusal of a live one, racing processes.
check_PROGRAMS += tests/unit/test_experiment_lease
TESTS += tests/unit/test_experiment_lease

# The store's SQL rewritten for PostgreSQL (store/pg_sql.c).
check_PROGRAMS += tests/unit/test_pg_sql
TESTS += tests/unit/test_pg_sql

# Where a project's store is: URLs, schemas, passwords refused.
check_PROGRAMS += tests/unit/test_store_location
TESTS += tests/unit/test_store_location

# The thread that records a run's cells (run/cell_writer.c): every cell
# once, an error that stops the writing, the lease kept while idle.
check_PROGRAMS += tests/unit/test_cell_writer
TESTS += tests/unit/test_cell_writer

# Queries read a piece at a time (SK_DB_LARGE: a cursor on PostgreSQL).
check_PROGRAMS += tests/unit/test_db_large
TESTS += tests/unit/test_db_large
