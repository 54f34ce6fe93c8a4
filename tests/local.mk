# Unit tests (Check) link the core and scorer libraries directly; CLI tests
# are shell scripts that drive the built `scorekit` as a user would.
#
# Every unit test program links the same libraries (LDADD is the default of
# every program without its own) and builds from tests/unit/NAME.c, so a
# new test is two lines in its .mk: `check_PROGRAMS +=` and `TESTS +=`.
# make check builds all check_* targets (test plugins, the fake LLM
# server) before it runs a test.
LDADD = libsktest.la libskjudge.la libskheuristic.la libskcore.la $(CHECK_LIBS) \
	$(CJSON_LIBS) $(LUA_LIBS) $(SQLITE_LIBS) $(CURL_LIBS) -lm -lpthread
AM_TESTS_ENVIRONMENT = \
	SK_SRCDIR='$(abs_top_srcdir)'; SK_BUILDDIR='$(abs_top_builddir)'; \
	SCOREKIT_PLUGIN_PATH='$(abs_top_builddir)/plugins/.libs'; \
	SCOREKIT_LUA_PATH='$(abs_top_srcdir)/lua'; \
	SCOREKIT_CALIBRATION_PATH='$(abs_top_srcdir)/core/validate/calibration'; \
	export SK_SRCDIR SK_BUILDDIR SCOREKIT_PLUGIN_PATH SCOREKIT_LUA_PATH SCOREKIT_CALIBRATION_PATH;

# The fixtures every test may use: assertions and suites (sk_test,
# run_suite), registries and packs (fixtures), temporary files, a project
# store per test (store_fixture), the fake LLM server (llm_fixture), judge
# hosts (judge_fixture), Lua scripts (lua_fixture), and the reference JSON
# checker the row scanner is tested against (json_ref).
check_LTLIBRARIES += libsktest.la
libsktest_la_SOURCES = tests/unit/sk_test.c tests/unit/sk_test.h tests/unit/fixtures.c \
	tests/unit/fixtures.h tests/unit/tmpfile_util.c tests/unit/tmpfile_util.h \
	tests/unit/run_suite.c tests/unit/run_suite.h tests/unit/store_fixture.c \
	tests/unit/store_fixture.h tests/unit/llm_fixture.c tests/unit/llm_fixture.h \
	tests/unit/judge_fixture.c tests/unit/judge_fixture.h tests/unit/lua_fixture.c \
	tests/unit/lua_fixture.h tests/unit/json_ref.c tests/unit/json_ref.h

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
include tests/unit/api.mk
include tests/unit/online.mk

# The floor plan: includes point down the folder order, no circles.
TESTS += tests/layout/layers.sh tests/layout/configure.sh
EXTRA_DIST += tests/layout/layers.sh tests/layout/configure.sh tests/pg/server.sh tests/pg/check.sh
include tests/unit/grow.mk
include tests/unit/topics.mk
