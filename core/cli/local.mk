# cli: the `scorekit` command: main and its command table, one cmd_*.c per
# command, and the reports they print (text, JSON, JUnit).
scorekit_SOURCES += core/cli/main.c core/cli/cli.h core/cli/common.c core/cli/progress.c \
	core/cli/llm_setup.c core/cli/llm_setup.h \
	core/cli/experiment_view.c core/cli/json_report.c \
	core/cli/compare_report.c core/cli/compare_report.h \
	core/cli/validate_report.c core/cli/validate_gate.h \
	core/cli/cmd_score.c core/cli/cmd_scorers.c core/cli/cmd_init.c core/cli/cmd_try.c \
	core/cli/cmd_new.c core/cli/cmd_dataset.c core/cli/cmd_run.c core/cli/cmd_experiments.c \
	core/cli/cmd_show.c core/cli/cmd_export.c core/cli/cmd_rescore.c core/cli/cmd_cache.c \
	core/cli/cmd_baseline.c core/cli/cmd_compare.c core/cli/cmd_validate.c \
	core/cli/cmd_failures.c core/cli/failures_categorize.c core/cli/failures_categorize.h \
	core/cli/cmd_dataset_add.c core/cli/cmd_dataset_add.h \
	core/cli/cmd_report.c core/cli/validation_card.c core/cli/cmd_view.c \
	core/cli/cmd_store.c core/cli/cmd_label.c core/cli/label_source.c core/cli/label_source.h core/cli/label_queue.c \
	core/cli/corrected.c core/cli/corrected.h \
	core/cli/cmd_logs.c core/cli/cmd_serve.c core/cli/cmd_watch.c core/cli/logs_lowest.c core/cli/logs_trend.c \
	core/cli/cmd_topics.c core/cli/topics_diff.c
EXTRA_DIST += bench/judge

# The man page and the bash completion, made from the command table and
# each command's --help by the built command itself (gen-docs.sh), so they
# cannot drift from it.  Not distributed: every build makes its own.
bashcompletiondir = $(datadir)/bash-completion/completions
nodist_man1_MANS = scorekit.1
nodist_bashcompletion_DATA = completions/scorekit
CLEANFILES += scorekit.1 completions/scorekit
EXTRA_DIST += core/cli/gen-docs.sh
scorekit.1: scorekit$(EXEEXT) $(srcdir)/core/cli/gen-docs.sh
	$(AM_V_GEN)$(SHELL) $(srcdir)/core/cli/gen-docs.sh man ./scorekit$(EXEEXT) \
		$(PACKAGE_VERSION) >$@.tmp && mv $@.tmp $@
completions/scorekit: scorekit$(EXEEXT) $(srcdir)/core/cli/gen-docs.sh
	$(AM_V_GEN)mkdir -p completions && \
		$(SHELL) $(srcdir)/core/cli/gen-docs.sh bash ./scorekit$(EXEEXT) >$@.tmp && mv $@.tmp $@
EXTRA_DIST += bench/topics
# export: the store's walk and the JSON on two threads
scorekit_SOURCES += core/cli/cell_pipe.c core/cli/cell_pipe.h
