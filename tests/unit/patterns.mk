# Unit tests of the pattern scorers (valid_json, contains, icontains,
# starts_with, regex, word_count).
check_PROGRAMS += tests/unit/test_patterns
TESTS += tests/unit/test_patterns
tests_unit_test_patterns_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/plugins/heuristic
