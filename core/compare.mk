# Baselines and comparisons: the baseline history and its staleness, the
# diff of two configuration snapshots, the statistics (t and bootstrap
# intervals, sample sizes), and comparing two experiments row by row;
# `scorekit baseline` and `scorekit compare` with its text, JSON and JUnit
# reports.
libscorekit_la_SOURCES += core/baseline.c core/baseline.h core/compare.c core/compare.h \
	core/compare_rows.c core/compare_stats.c core/compare_stats.h \
	core/config_diff.c core/config_diff.h
scorekit_SOURCES += core/cli/baseline.c core/cli/compare.c core/cli/compare_report.c \
	core/cli/compare_report.h
