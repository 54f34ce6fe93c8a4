# The judge pack: LLM judges (classifier, factuality, closed_qa, rubric,
# pairwise) over host->llm_chat.  As with the heuristic pack, the scorers
# are a convenience library so the unit tests can reach their internals;
# judge.la wraps them as a plugin.  The prompts are installed for users to
# copy and edit (a copy is compiled in: prompts.c).
noinst_LTLIBRARIES += libskjudge.la
libskjudge_la_SOURCES = plugins/judge/judge.h plugins/judge/classify.c plugins/judge/judges.c \
	plugins/judge/pairwise.c plugins/judge/prompts.c plugins/judge/embedding.c
libskjudge_la_CPPFLAGS = $(AM_CPPFLAGS) $(CJSON_CFLAGS)
libskjudge_la_LIBADD = libsktemplate.la libskjson.la libsktext.la $(CJSON_LIBS) -lm

plugin_LTLIBRARIES += plugins/judge.la
plugins_judge_la_SOURCES = plugins/judge/plugin.c
plugins_judge_la_CPPFLAGS = $(AM_CPPFLAGS)
plugins_judge_la_LDFLAGS = -module -avoid-version -shared
plugins_judge_la_LIBADD = libskjudge.la

judgepromptsdir = $(pkgdatadir)/prompts
dist_judgeprompts_DATA = plugins/judge/prompts/factuality.txt plugins/judge/prompts/closed_qa.txt \
	plugins/judge/prompts/rubric.txt plugins/judge/prompts/pairwise.txt
