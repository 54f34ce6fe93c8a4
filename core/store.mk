# The project store (SQLite) and the datasets kept in it.
libscorekit_la_SOURCES += core/store.c core/store.h core/dataset.c core/dataset.h \
	core/dataset_file.c core/dataset_file.h core/csv.c core/csv.h
libscorekit_la_SOURCES += core/experiment.c core/experiment.h core/run.c core/run.h \
	core/experiment_stats.c core/experiment_stats.h
