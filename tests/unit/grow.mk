# Growing datasets (issue 14): the --where parser, the content key and the
# deduplication against a stored version (test_grow); the CLI test drives
# `dataset add`, `merge` and `diff` end to end.
check_PROGRAMS += tests/unit/test_grow
TESTS += tests/unit/test_grow
CLI_TESTS += tests/cli/dataset_grow.sh
