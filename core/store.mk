# The project store (SQLite) and the datasets kept in it.
libscorekit_la_SOURCES += core/store.c core/store.h core/dataset.c core/dataset.h \
	core/dataset_file.c core/dataset_file.h core/csv.c core/csv.h
