# Task providers: what turns a row's input into an output (column, exec,
# and stored: an experiment's outputs, for rescoring), and subprocess, the
# child-process runner behind exec.
libscorekit_la_SOURCES += core/task.c core/task.h core/task_exec.c core/task_stored.c \
	core/subprocess.c core/subprocess.h
