# analysis: the statistics (t and bootstrap intervals, sample sizes), the
# diff of two configuration snapshots, comparing two experiments row by
# row, and the baseline and its staleness.
libskcore_la_SOURCES += \
	core/analysis/stats.c core/analysis/stats.h \
	core/analysis/config_diff.c core/analysis/config_diff.h \
	core/analysis/compare.c core/analysis/compare.h core/analysis/compare_rows.c \
	core/analysis/baseline.c core/analysis/baseline.h \
	core/analysis/tests2x2.c core/analysis/tests2x2.h \
	core/analysis/failures.c core/analysis/failures.h \
	core/analysis/terms.c core/analysis/terms.h \
	core/analysis/text_traits.c core/analysis/text_traits.h \
	core/analysis/grow.c core/analysis/grow.h
libskcore_la_SOURCES += \
	core/analysis/tfidf.c core/analysis/tfidf.h \
	core/analysis/kmeans.c core/analysis/kmeans.h \
	core/analysis/topics.c core/analysis/topics.h \
	core/analysis/topics_source.c core/analysis/topics_source.h
