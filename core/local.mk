# Text algorithms shared by the core and the heuristic plugin.
noinst_LTLIBRARIES += libsktext.la
libsktext_la_SOURCES = \
	core/text/utf8.c core/text/utf8.h \
	core/text/levenshtein.c core/text/levenshtein.h

# The library behind the `scorekit` command (not installed: the installed
# SDK is the plugin header).
noinst_LTLIBRARIES += libscorekit.la
libscorekit_la_SOURCES = \
	core/error.c core/error.h \
	core/host.c core/host.h \
	core/params.c core/params.h \
	core/engine.h core/engine_plugin.c \
	core/registry.c core/registry.h \
	core/pack.c core/pack.h \
	core/fileutil.c core/fileutil.h \
	core/project.c core/project.h \
	core/rowscore.c core/rowscore.h \
	core/score.c core/score.h
libscorekit_la_CPPFLAGS = $(AM_CPPFLAGS) -DSK_PLUGIN_DIR='"$(plugindir)"' \
	$(CJSON_CFLAGS) $(PCRE2_CFLAGS) $(LUA_CFLAGS) $(SQLITE_CFLAGS) $(CURL_CFLAGS)
libscorekit_la_LIBADD = libsktext.la $(CJSON_LIBS) $(PCRE2_LIBS) $(LUA_LIBS) $(SQLITE_LIBS) \
	$(CURL_LIBS)

bin_PROGRAMS += scorekit
scorekit_SOURCES = core/cli/main.c core/cli/cli.h core/cli/common.c core/cli/progress.c \
	core/cli/score.c core/cli/scorers.c core/cli/init.c core/cli/try.c core/cli/new.c \
	core/cli/dataset.c core/cli/run.c core/cli/experiment_view.c core/cli/experiments.c \
	core/cli/show.c core/cli/export.c core/cli/rescore.c
scorekit_CPPFLAGS = $(AM_CPPFLAGS) $(CJSON_CFLAGS) $(LUA_CFLAGS) $(SQLITE_CFLAGS)
scorekit_LDADD = libscorekit.la

scorekitinclude_HEADERS += core/include/scorekit/plugin.h
include core/reader.mk
include core/lua.mk
include core/store.mk
include core/task.mk
include core/compare.mk
include core/validate.mk
include core/llm.mk
include core/judge.mk
