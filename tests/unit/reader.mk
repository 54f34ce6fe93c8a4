# Unit tests of reading rows: the JSONL line reader (test_jsonl) and the JSON
# row scanner (test_row), which checks itself against the reference checker
# in json_ref.c.
check_PROGRAMS += tests/unit/test_jsonl tests/unit/test_row
TESTS += tests/unit/test_jsonl tests/unit/test_row

tests_unit_test_jsonl_SOURCES = tests/unit/test_jsonl.c
tests_unit_test_jsonl_CPPFLAGS = $(TEST_CPPFLAGS)
tests_unit_test_jsonl_LDADD = libsktest.la $(TEST_LDADD) $(CJSON_LIBS)

tests_unit_test_row_SOURCES = tests/unit/test_row.c tests/unit/json_ref.c tests/unit/json_ref.h
tests_unit_test_row_CPPFLAGS = $(TEST_CPPFLAGS)
tests_unit_test_row_LDADD = libsktest.la $(TEST_LDADD) $(CJSON_LIBS)
