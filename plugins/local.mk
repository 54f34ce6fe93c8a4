# The heuristic scorer pack.  The scorers are a convenience library so the
# unit tests can call them directly; heuristic.la wraps them as a plugin.
noinst_LTLIBRARIES += libskheuristic.la
libskheuristic_la_SOURCES = plugins/heuristic/heuristic.h plugins/heuristic/json_util.c
libskheuristic_la_CPPFLAGS = $(AM_CPPFLAGS) $(CJSON_CFLAGS) $(PCRE2_CFLAGS)
libskheuristic_la_LIBADD = libsktext.la libskjson.la $(CJSON_LIBS) $(PCRE2_LIBS)
include plugins/heuristic/similarity.mk
include plugins/heuristic/patterns.mk

plugin_LTLIBRARIES += plugins/heuristic.la
plugins_heuristic_la_SOURCES = plugins/heuristic/plugin.c
plugins_heuristic_la_CPPFLAGS = $(AM_CPPFLAGS)
plugins_heuristic_la_LDFLAGS = -module -avoid-version -shared
plugins_heuristic_la_LIBADD = libskheuristic.la
include plugins/judge/judge.mk
