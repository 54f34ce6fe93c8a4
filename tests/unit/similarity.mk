check_PROGRAMS += tests/unit/test_similarity
TESTS += tests/unit/test_similarity
tests_unit_test_similarity_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/plugins/heuristic

check_PROGRAMS += tests/unit/test_text
TESTS += tests/unit/test_text
