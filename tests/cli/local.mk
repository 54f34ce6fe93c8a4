CLI_TESTS = tests/cli/score_example.sh tests/cli/score_errors.sh tests/cli/score_memory.sh tests/cli/init_scorers.sh \
	tests/cli/lua.sh tests/cli/run.sh tests/cli/run_lease.sh tests/cli/run_killed.sh tests/cli/pg_store.sh tests/cli/full_disk.sh \
	tests/cli/plugin_template.sh tests/cli/dataset.sh tests/cli/experiments.sh \
	tests/cli/config_keys.sh tests/cli/did_you_mean.sh tests/cli/docs.sh \
	tests/cli/json_out.sh tests/cli/readme.sh tests/cli/llm_adaptive.sh tests/cli/panel.sh tests/cli/embedding.sh
CLI_TESTS += tests/cli/report.sh tests/cli/view.sh
CLI_TESTS += tests/cli/logs.sh tests/cli/serve.sh tests/cli/watch.sh tests/cli/stream.sh
TESTS += $(CLI_TESTS)
EXTRA_DIST += $(CLI_TESTS) tests/cli/lib.sh

# tests/cli/report.sh and view.sh keep their screenshots of the report in the build
# folder, for CI to pick up; `make clean` removes it.
CLEANFILES += report.png view.png
