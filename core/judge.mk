# LLM judges and the openai task: prompt templates (a small library shared
# with the judge plugin), the JSON face of the LLM client behind
# host->llm_chat and Lua's sk.llm, the openai task provider, and the CLI's
# opening of the process-wide client.
noinst_LTLIBRARIES += libsktemplate.la
libsktemplate_la_SOURCES = core/template.c core/template.h
libsktemplate_la_CPPFLAGS = $(AM_CPPFLAGS) $(CJSON_CFLAGS)
libsktemplate_la_LIBADD = $(CJSON_LIBS)

libscorekit_la_SOURCES += core/host_llm.c core/host_llm.h \
	core/task_openai.c core/task_openai.h \
	core/lua_llm.c core/lua_llm.h
libscorekit_la_LIBADD += libsktemplate.la
scorekit_SOURCES += core/cli/llm_setup.c core/cli/llm_setup.h
EXTRA_DIST += bench/judge
