# The core: libskcore, the convenience library every part links (one folder
# a subsystem, each with its local.mk that appends its files), the installed
# libscorekit (core/api) and the `scorekit` command (core/cli).  Folders are
# listed bottom-up, in the order dependencies may point (docs/architecture.md).
noinst_LTLIBRARIES += libskcore.la
libskcore_la_SOURCES =
libskcore_la_CPPFLAGS = $(AM_CPPFLAGS) -DSK_PLUGIN_DIR='"$(plugindir)"' \
	$(CJSON_CFLAGS) $(PCRE2_CFLAGS) $(LUA_CFLAGS) $(SQLITE_CFLAGS) $(CURL_CFLAGS)
# Not $(CURL_LIBS) nor $(SQLITE_LIBS): core/llm/llm_http.c loads libcurl
# when a model is first called, core/store/sqlite_load.c SQLite when a
# database is first opened, so commands that need neither start without.
libskcore_la_LIBADD = libsktext.la libsktemplate.la $(CJSON_LIBS) $(PCRE2_LIBS) $(LUA_LIBS)

bin_PROGRAMS += scorekit
scorekit_SOURCES =
scorekit_CPPFLAGS = $(AM_CPPFLAGS) $(CJSON_CFLAGS) $(LUA_CFLAGS) $(SQLITE_CFLAGS)
scorekit_LDADD = libskcore.la

scorekitinclude_HEADERS += core/include/scorekit/plugin.h core/include/scorekit/scorekit.h

include core/base/local.mk
include core/store/local.mk
include core/llm/local.mk
include core/engine/local.mk
include core/lua/local.mk
include core/task/local.mk
include core/run/local.mk
include core/validate/local.mk
include core/analysis/local.mk
include core/online/local.mk
include core/report/local.mk
include core/api/local.mk
include core/cli/local.mk
