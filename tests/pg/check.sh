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
make -s check TESTS="tests/unit/test_store_dataset tests/unit/test_experiment_stats \
tests/unit/test_experiment_lease tests/cli/run.sh tests/cli/run_lease.sh tests/cli/dataset_grow.sh \
tests/cli/experiments.sh tests/cli/validate.sh tests/cli/compare.sh tests/cli/llm_cache.sh \
tests/cli/labels.sh tests/cli/failures.sh tests/cli/run_task_errors.sh tests/cli/judge.sh \
tests/cli/topics.sh tests/cli/task_cache.sh tests/cli/report.sh"
