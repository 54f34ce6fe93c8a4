check_PROGRAMS += tests/unit/test_reader
TESTS += tests/unit/test_reader
tests_unit_test_reader_SOURCES = tests/unit/test_reader.c
tests_unit_test_reader_CPPFLAGS = $(TEST_CPPFLAGS)
tests_unit_test_reader_LDADD = libsktest.la $(TEST_LDADD) $(CJSON_LIBS)
