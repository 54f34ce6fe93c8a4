# Unit tests of the core: host rules and params, the plugin registry, packs
# and row scoring, and the score pipeline.  The registry, pack and score
# tests dlopen the test plugins, so they depend on them being built.
check_PROGRAMS += tests/unit/test_core tests/unit/test_registry tests/unit/test_pack \
	tests/unit/test_rowscore tests/unit/test_score tests/unit/test_pool
TESTS += tests/unit/test_core tests/unit/test_registry tests/unit/test_pack \
	tests/unit/test_rowscore tests/unit/test_score tests/unit/test_pool

# printf's %g and %f without printf (base/numfmt.c), against snprintf.
check_PROGRAMS += tests/unit/test_numfmt
TESTS += tests/unit/test_numfmt
