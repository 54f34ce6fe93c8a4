# The installed library's door, linked as a program links it.
check_PROGRAMS += tests/unit/test_api
TESTS += tests/unit/test_api
tests_unit_test_api_SOURCES = tests/unit/test_api.c
tests_unit_test_api_CPPFLAGS = $(TEST_CPPFLAGS)
tests_unit_test_api_LDADD = libsktest.la libscorekit.la $(CHECK_LIBS)
EXTRA_tests_unit_test_api_DEPENDENCIES = $(plugin_LTLIBRARIES) tests/llm/llm_server$(EXEEXT)
