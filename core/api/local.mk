# api: libscorekit, the installed library (<scorekit/scorekit.h>): the core
# behind a small door.  Only SCOREKIT_API symbols are exported (the build
# hides the rest), so the core can change without breaking programs.
lib_LTLIBRARIES += libscorekit.la
libscorekit_la_SOURCES = core/api/scorekit.c
libscorekit_la_CPPFLAGS = $(AM_CPPFLAGS) $(CJSON_CFLAGS) $(LUA_CFLAGS) $(SQLITE_CFLAGS)
libscorekit_la_LIBADD = libskcore.la
libscorekit_la_LDFLAGS = -version-info 0:0:0 -no-undefined
