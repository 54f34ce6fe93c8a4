# base: what everything else (plugins included) may use: allocation and
# buffers, errors, files, the strict JSON/row scanner, hashes; and two small
# libraries the plugins link on their own: text algorithms and templates.
noinst_LTLIBRARIES += libsktext.la
libsktext_la_SOURCES = \
	core/base/text/utf8.c core/base/text/utf8.h \
	core/base/text/levenshtein.c core/base/text/levenshtein.h \
	core/base/text/suggest.c core/base/text/suggest.h

noinst_LTLIBRARIES += libsktemplate.la
libsktemplate_la_SOURCES = core/base/template.c core/base/template.h
libsktemplate_la_CPPFLAGS = $(AM_CPPFLAGS) $(CJSON_CFLAGS)
libsktemplate_la_LIBADD = $(CJSON_LIBS)

# The strict JSON scanner and the tree parser built on it (with the buffers,
# errors and hashes they use): a library of their own because the plugins
# link it too.  cJSON's parser writes a process-wide variable, so nothing
# that can run on a worker thread may call it (see json_tree.h).  Its users
# link libsktext.
noinst_LTLIBRARIES += libskjson.la
libskjson_la_SOURCES = core/base/row.c core/base/row.h core/base/json_tree.c \
	core/base/json_tree.h core/base/util.c core/base/util.h core/base/error.c \
	core/base/error.h core/base/hash.c core/base/hash.h
libskjson_la_CPPFLAGS = $(AM_CPPFLAGS) $(CJSON_CFLAGS)
libskjson_la_LIBADD = $(CJSON_LIBS)
libskcore_la_LIBADD += libskjson.la

libskcore_la_SOURCES += \
	core/base/fileutil.c core/base/fileutil.h \
	core/base/libload.c core/base/libload.h \
	core/base/json_keys.c core/base/json_keys.h \
	core/base/verdict.c core/base/verdict.h core/base/reducer.c core/base/reducer.h \
	core/base/binomial.c core/base/binomial.h \
	core/base/idcheck.c core/base/idcheck.h
# numbers as printf writes them, faster (export)
libskcore_la_SOURCES += core/base/numfmt.c core/base/numfmt.h
