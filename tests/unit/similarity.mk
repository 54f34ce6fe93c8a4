check_PROGRAMS += tests/unit/test_similarity
TESTS += tests/unit/test_similarity
tests_unit_test_similarity_SOURCES = tests/unit/test_similarity.c
tests_unit_test_similarity_CPPFLAGS = $(TEST_CPPFLAGS) -I$(top_srcdir)/plugins/heuristic
tests_unit_test_similarity_LDADD = libsktest.la $(TEST_LDADD)

check_PROGRAMS += tests/unit/test_text
TESTS += tests/unit/test_text
tests_unit_test_text_SOURCES = tests/unit/test_text.c
tests_unit_test_text_CPPFLAGS = $(TEST_CPPFLAGS)
tests_unit_test_text_LDADD = libsktext.la $(CHECK_LIBS)
