#!/bin/sh
# The store's tests again, on PostgreSQL: starts a private server
# (server.sh), points every project of the tests at it (SCOREKIT_STORE,
# schema=auto: a schema per project folder), runs the store's unit tests
# and the CLI tests of the commands that use the store, and stops it.
# Tests that inspect the SQLite file itself run on SQLite only.
#   tests/pg/check.sh            (from the build folder, after make check)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
dir=$(mktemp -d "${TMPDIR:-/tmp}/sk-pgcheck.XXXXXX")
trap '"$here/server.sh" stop "$dir"' EXIT
url=$("$here/server.sh" start "$dir")
. "$dir/env"
SCOREKIT_STORE="$url?schema=auto"
export SCOREKIT_STORE
# Every CLI test of a command that opens the store; not those of `score`
# and the other store-less commands, nor full_disk.sh and startup.sh,
# which are about the SQLite file and library themselves.
make -s -j"$(nproc)" check TESTS="tests/unit/test_store_dataset tests/unit/test_experiment_stats \
tests/unit/test_experiment_lease tests/unit/test_cell_writer tests/unit/test_db_large tests/cli/run.sh tests/cli/run_lease.sh tests/cli/dataset.sh \
tests/cli/dataset_grow.sh tests/cli/experiments.sh tests/cli/validate.sh tests/cli/compare.sh \
tests/cli/llm_cache.sh tests/cli/labels.sh tests/cli/label_queue.sh tests/cli/failures.sh \
tests/cli/run_task_errors.sh tests/cli/judge.sh tests/cli/judge_env.sh tests/cli/panel.sh \
tests/cli/topics.sh tests/cli/topics_embed.sh tests/cli/embedding.sh tests/cli/task_cache.sh \
tests/cli/task_anthropic.sh tests/cli/llm_adaptive.sh tests/cli/validate_judges.sh \
tests/cli/validate_progress.sh tests/cli/json_out.sh tests/cli/report.sh tests/cli/view.sh \
tests/cli/logs.sh tests/cli/serve.sh tests/cli/watch.sh tests/cli/stream.sh"
