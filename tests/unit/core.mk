# Unit tests of the core: host rules and params, the plugin registry, packs
# and row scoring, and the score pipeline.  The registry, pack and score
# tests dlopen the test plugins, so they depend on them being built.
check_PROGRAMS += tests/unit/test_core tests/unit/test_registry tests/unit/test_pack \
	tests/unit/test_rowscore tests/unit/test_score tests/unit/test_pool
TESTS += tests/unit/test_core tests/unit/test_registry tests/unit/test_pack \
	tests/unit/test_rowscore tests/unit/test_score tests/unit/test_pool

tests_unit_test_core_SOURCES = tests/unit/test_core.c
tests_unit_test_core_CPPFLAGS = $(TEST_CPPFLAGS)
tests_unit_test_core_LDADD = libsktest.la $(TEST_LDADD) $(CJSON_LIBS)

tests_unit_test_registry_SOURCES = tests/unit/test_registry.c
tests_unit_test_registry_CPPFLAGS = $(TEST_CPPFLAGS)
tests_unit_test_registry_LDADD = libsktest.la $(TEST_LDADD) $(CJSON_LIBS)
EXTRA_tests_unit_test_registry_DEPENDENCIES = $(check_LTLIBRARIES) $(plugin_LTLIBRARIES)

tests_unit_test_pack_SOURCES = tests/unit/test_pack.c
tests_unit_test_pack_CPPFLAGS = $(TEST_CPPFLAGS)
tests_unit_test_pack_LDADD = libsktest.la $(TEST_LDADD) $(CJSON_LIBS)
EXTRA_tests_unit_test_pack_DEPENDENCIES = $(check_LTLIBRARIES) $(plugin_LTLIBRARIES)

tests_unit_test_rowscore_SOURCES = tests/unit/test_rowscore.c
tests_unit_test_rowscore_CPPFLAGS = $(TEST_CPPFLAGS)
tests_unit_test_rowscore_LDADD = libsktest.la $(TEST_LDADD) $(CJSON_LIBS)
EXTRA_tests_unit_test_rowscore_DEPENDENCIES = $(check_LTLIBRARIES) $(plugin_LTLIBRARIES)

tests_unit_test_score_SOURCES = tests/unit/test_score.c
tests_unit_test_score_CPPFLAGS = $(TEST_CPPFLAGS)
tests_unit_test_score_LDADD = libsktest.la $(TEST_LDADD) $(CJSON_LIBS)
EXTRA_tests_unit_test_score_DEPENDENCIES = $(check_LTLIBRARIES) $(plugin_LTLIBRARIES)

tests_unit_test_pool_SOURCES = tests/unit/test_pool.c
tests_unit_test_pool_CPPFLAGS = $(TEST_CPPFLAGS)
tests_unit_test_pool_LDADD = libsktest.la $(TEST_LDADD)
