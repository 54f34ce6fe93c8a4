# store: the project's SQLite store, its schema and every query; datasets
# and their file readers (JSONL, CSV); experiments and their figures; the
# stored validation verdicts; the project folder.
libskcore_la_SOURCES += \
	core/store/store.c core/store/store.h core/store/schema.c \
	core/store/store_location.c core/store/store_location.h \
	core/store/store_copy.c core/store/store_copy.h \
	core/store/db.c core/store/db.h core/store/db_sqlite.c core/store/sqlite_load.c \
	core/store/db_pg.c core/store/pg_load.c core/store/pg_sql.c core/store/pg_sql.h \
	core/store/project.c core/store/project.h \
	core/store/jsonl.c core/store/jsonl.h \
	core/store/csv.c core/store/csv.h \
	core/store/dataset.c core/store/dataset.h \
	core/store/dataset_file.c core/store/dataset_file.h \
	core/store/dataset_grow.c core/store/dataset_grow.h core/store/dataset_priv.h \
	core/store/id_set.c core/store/id_set.h \
	core/store/experiment.c core/store/experiment.h core/store/experiment_lease.c \
	core/store/experiment_read.c core/store/experiment_read.h \
	core/store/experiment_stats.c core/store/experiment_stats.h \
	core/store/validation_store.c core/store/validation_store.h \
	core/store/baseline_store.c core/store/baseline_store.h \
	core/store/llm_store.c core/store/llm_store.h \
	core/store/logs.c core/store/logs.h \
	core/store/labels.c core/store/labels.h \
	core/store/log_scores.c core/store/log_scores.h \
	core/store/topics_store.c core/store/topics_store.h
libskcore_la_CPPFLAGS += $(PQ_CFLAGS)
# export's walk of an experiment's cells (split from experiment_read.c)
libskcore_la_SOURCES += core/store/experiment_export.c
