check_PROGRAMS += tests/unit/test_parity
TESTS += tests/unit/test_parity
tests_unit_test_parity_SOURCES = tests/unit/test_parity.c
tests_unit_test_parity_CPPFLAGS = $(TEST_CPPFLAGS) -I$(top_srcdir)/plugins/heuristic
tests_unit_test_parity_LDADD = libsktest.la $(TEST_LDADD) $(CJSON_LIBS)
EXTRA_DIST += tests/fixtures/levenshtein_parity.jsonl
