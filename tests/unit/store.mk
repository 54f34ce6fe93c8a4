# Unit tests of the project store: opening and migrating the SQLite
# database (test_store), the CSV reader (test_store_csv), and datasets:
# import, versions, ids, export (test_store_dataset).  They share a fixture
# that gives each test its own project folder.
check_PROGRAMS += tests/unit/test_store tests/unit/test_store_csv tests/unit/test_store_dataset
TESTS += tests/unit/test_store tests/unit/test_store_csv tests/unit/test_store_dataset

STORE_TEST_SOURCES = tests/unit/store_fixture.c tests/unit/store_fixture.h
STORE_TEST_CPPFLAGS = $(TEST_CPPFLAGS) $(SQLITE_CFLAGS)
STORE_TEST_LDADD = libsktest.la $(TEST_LDADD) $(SQLITE_LIBS)

tests_unit_test_store_SOURCES = tests/unit/test_store.c $(STORE_TEST_SOURCES)
tests_unit_test_store_CPPFLAGS = $(STORE_TEST_CPPFLAGS)
tests_unit_test_store_LDADD = $(STORE_TEST_LDADD)

tests_unit_test_store_csv_SOURCES = tests/unit/test_store_csv.c $(STORE_TEST_SOURCES)
tests_unit_test_store_csv_CPPFLAGS = $(STORE_TEST_CPPFLAGS)
tests_unit_test_store_csv_LDADD = $(STORE_TEST_LDADD)

tests_unit_test_store_dataset_SOURCES = tests/unit/test_store_dataset.c $(STORE_TEST_SOURCES)
tests_unit_test_store_dataset_CPPFLAGS = $(STORE_TEST_CPPFLAGS)
tests_unit_test_store_dataset_LDADD = $(STORE_TEST_LDADD)

# An experiment's figures (means over rows of per-row trial means, within-row
# SDs) and the `stored` task provider that rescoring reads them back with.
check_PROGRAMS += tests/unit/test_experiment_stats
TESTS += tests/unit/test_experiment_stats
tests_unit_test_experiment_stats_SOURCES = tests/unit/test_experiment_stats.c $(STORE_TEST_SOURCES)
tests_unit_test_experiment_stats_CPPFLAGS = $(STORE_TEST_CPPFLAGS)
tests_unit_test_experiment_stats_LDADD = $(STORE_TEST_LDADD) -lm

# The lease a run holds on its experiment: who runs it, take-over of a
# killed run's lease, refusal of a live one, racing processes.
check_PROGRAMS += tests/unit/test_experiment_lease
TESTS += tests/unit/test_experiment_lease
tests_unit_test_experiment_lease_SOURCES = tests/unit/test_experiment_lease.c $(STORE_TEST_SOURCES)
tests_unit_test_experiment_lease_CPPFLAGS = $(STORE_TEST_CPPFLAGS)
tests_unit_test_experiment_lease_LDADD = $(STORE_TEST_LDADD)
