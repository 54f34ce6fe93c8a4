# Unit tests (Check) link the core and scorer libraries directly; CLI tests
# are shell scripts that drive the built `scorekit` as a user would.
TEST_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tests/unit $(CHECK_CFLAGS) $(CJSON_CFLAGS)
TEST_LDADD = libskheuristic.la libskcore.la $(CHECK_LIBS)
AM_TESTS_ENVIRONMENT = \
	SK_SRCDIR='$(abs_top_srcdir)'; SK_BUILDDIR='$(abs_top_builddir)'; \
	SCOREKIT_PLUGIN_PATH='$(abs_top_builddir)/plugins/.libs'; \
	SCOREKIT_LUA_PATH='$(abs_top_srcdir)/lua'; \
	SCOREKIT_CALIBRATION_PATH='$(abs_top_srcdir)/core/validate/calibration'; \
	export SK_SRCDIR SK_BUILDDIR SCOREKIT_PLUGIN_PATH SCOREKIT_LUA_PATH SCOREKIT_CALIBRATION_PATH;

check_LTLIBRARIES += libsktest.la
libsktest_la_SOURCES = tests/unit/sk_test.c tests/unit/sk_test.h tests/unit/fixtures.c tests/unit/fixtures.h tests/unit/tmpfile_util.c tests/unit/tmpfile_util.h tests/unit/run_suite.c tests/unit/run_suite.h
libsktest_la_CPPFLAGS = $(TEST_CPPFLAGS)

include tests/unit/similarity.mk
include tests/unit/patterns.mk
include tests/unit/reader.mk
include tests/plugins/local.mk
include tests/cli/local.mk
include tests/unit/core.mk
include tests/unit/parity.mk
include tests/unit/lua.mk
include tests/unit/pattern.mk
include tests/unit/store.mk
include tests/unit/task.mk
include tests/unit/compare.mk
include tests/unit/validate.mk
include tests/unit/llm.mk
include tests/unit/judge.mk

# The floor plan: includes point down the folder order, no circles.
TESTS += tests/layout/layers.sh tests/layout/configure.sh
EXTRA_DIST += tests/layout/layers.sh tests/layout/configure.sh
include tests/unit/api.mk
