# The strict JSON scanner and the tree parser built on it (with the buffer
# helpers they use), a library of their own because the plugins link it too:
# cJSON's parser writes a process-wide variable, so nothing that can run on
# a worker thread may call it (see core/json_tree.h).
noinst_LTLIBRARIES += libskjson.la
libskjson_la_SOURCES = core/row.c core/row.h core/json_tree.c core/json_tree.h \
	core/util.c core/util.h
libskjson_la_CPPFLAGS = $(AM_CPPFLAGS) $(CJSON_CFLAGS)
libskjson_la_LIBADD = $(CJSON_LIBS)
libscorekit_la_LIBADD += libskjson.la
libscorekit_la_SOURCES += core/jsonl.c core/jsonl.h
