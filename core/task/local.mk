# task: what turns a row's input into an output (column, exec, openai and
# anthropic, stored: an experiment's outputs, for rescoring), and
# subprocess, the child-process runner behind exec, with child_guard, which
# stops the commands still running when we die.
libskcore_la_SOURCES += \
	core/task/task.c core/task/task.h core/task/providers.c \
	core/task/task_exec.c core/task/task_stored.c \
	core/task/task_openai.c core/task/task_openai.h \
	core/task/subprocess.c core/task/subprocess.h \
	core/task/child_guard.c core/task/child_guard.h
