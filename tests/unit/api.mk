# The installed library's door, linked as a program links it.
check_PROGRAMS += tests/unit/test_api
TESTS += tests/unit/test_api
tests_unit_test_api_LDADD = libsktest.la libscorekit.la $(CHECK_LIBS)
