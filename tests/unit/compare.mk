# Baselines and comparisons: the statistics against independently computed
# references (test_compare_stats), the diff of configuration snapshots
# (test_config_diff), and comparing experiments written into a real store,
# with the baseline's history and staleness (test_compare); the CLI test
# drives `scorekit baseline` and `scorekit compare` on a fixture project.
check_PROGRAMS += tests/unit/test_compare_stats tests/unit/test_config_diff tests/unit/test_compare
TESTS += tests/unit/test_compare_stats tests/unit/test_config_diff tests/unit/test_compare

# `scorekit failures`: its statistics against independent references; the
# CLI test finds a planted pattern in a fixture experiment.
check_PROGRAMS += tests/unit/test_failures_stats
TESTS += tests/unit/test_failures_stats
CLI_TESTS += tests/cli/failures.sh

CLI_TESTS += tests/cli/compare.sh
EXTRA_DIST += tests/fixtures/compare/scorekit.json tests/fixtures/compare/pack.json \
	tests/fixtures/compare/base.jsonl tests/fixtures/compare/real.jsonl \
	tests/fixtures/compare/swap.jsonl tests/fixtures/compare/noise.jsonl \
	tests/fixtures/compare/app.sh

# Agreement with human labels (kappa, TPR/TNR, correlations, the best cut)
# and the Rogan-Gladen corrected pass rate, with its coverage simulated.
check_PROGRAMS += tests/unit/test_agreement
TESTS += tests/unit/test_agreement
CLI_TESTS += tests/cli/labels.sh tests/cli/label_queue.sh
