# `scorekit validate`: meta-case parsing and the shipped calibration set
# (test_metacase), the checks' arithmetic, thresholds, case selection, runs
# of real and deliberately broken scorers and the JSON report
# (test_metaeval), and scorer fingerprints (test_fingerprint).
check_PROGRAMS += tests/unit/test_metacase tests/unit/test_metaeval tests/unit/test_fingerprint
TESTS += tests/unit/test_metacase tests/unit/test_metaeval tests/unit/test_fingerprint

CLI_TESTS += tests/cli/validate.sh tests/cli/validate_judges.sh
EXTRA_DIST += tests/fixtures/validate/length.lua tests/fixtures/validate/confident.lua \
	tests/fixtures/validate/constant.lua tests/fixtures/validate/random.lua \
	tests/fixtures/validate/inverted.lua tests/fixtures/validate/flaky.lua \
	tests/fixtures/validate/broken_pack.json tests/fixtures/validate/heuristic_pack.json
