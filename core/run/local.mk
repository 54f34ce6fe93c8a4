# run: scoring rows with a pack (rowscore), `score` over a file, and `run`:
# experiments of dataset x task x trials x scorers, recorded as they go.
libskcore_la_SOURCES += \
	core/run/engines.c core/run/engines.h \
	core/run/rowscore.c core/run/rowscore.h \
	core/run/pool.c core/run/pool.h \
	core/run/score.c core/run/score.h \
	core/run/run.c core/run/run.h \
	core/run/cell_writer.c core/run/cell_writer.h \
	core/run/plan.c core/run/plan.h \
	core/run/jobs.c core/run/jobs.h \
	core/run/project_check.c core/run/project_check.h
