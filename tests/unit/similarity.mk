check_PROGRAMS += tests/unit/test_similarity
TESTS += tests/unit/test_similarity
tests_unit_test_similarity_SOURCES = tests/unit/test_similarity.c
tests_unit_test_similarity_CPPFLAGS = $(TEST_CPPFLAGS)
tests_unit_test_similarity_LDADD = libsktest.la $(TEST_LDADD)
