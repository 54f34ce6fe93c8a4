# analysis: the statistics (t and bootstrap intervals, sample sizes), the
# diff of two configuration snapshots, comparing two experiments row by
# row, and the baseline and its staleness.
libskcore_la_SOURCES += \
	core/analysis/stats.c core/analysis/stats.h \
	core/analysis/config_diff.c core/analysis/config_diff.h \
	core/analysis/compare.c core/analysis/compare.h core/analysis/compare_rows.c \
	core/analysis/baseline.c core/analysis/baseline.h \
	core/analysis/grow.c core/analysis/grow.h
