check_PROGRAMS += tests/unit/test_parity
TESTS += tests/unit/test_parity
tests_unit_test_parity_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/plugins/heuristic
EXTRA_DIST += tests/fixtures/levenshtein_parity.jsonl
