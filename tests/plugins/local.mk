# Plugins built by the tests: one that works badly on purpose, one that
# calls the model from threads of its own, and three the host must refuse.
# -rpath makes libtool build a real shared object.
TEST_PLUGIN_LDFLAGS = -module -avoid-version -shared -rpath /nowhere
check_LTLIBRARIES += tests/plugins/misbehave.la tests/plugins/fanout.la \
	tests/plugins/abi_future.la tests/plugins/not_plugin.la tests/plugins/broken_table.la
tests_plugins_misbehave_la_SOURCES = tests/plugins/misbehave.c
tests_plugins_misbehave_la_LDFLAGS = $(TEST_PLUGIN_LDFLAGS)
tests_plugins_misbehave_la_LIBADD = -lm
tests_plugins_fanout_la_SOURCES = tests/plugins/fanout.c
tests_plugins_fanout_la_LDFLAGS = $(TEST_PLUGIN_LDFLAGS)
tests_plugins_fanout_la_LIBADD = -lpthread
tests_plugins_abi_future_la_SOURCES = tests/plugins/abi_future.c
tests_plugins_abi_future_la_LDFLAGS = $(TEST_PLUGIN_LDFLAGS)
tests_plugins_not_plugin_la_SOURCES = tests/plugins/not_plugin.c
tests_plugins_not_plugin_la_LDFLAGS = $(TEST_PLUGIN_LDFLAGS)
tests_plugins_broken_table_la_SOURCES = tests/plugins/broken_table.c
tests_plugins_broken_table_la_LDFLAGS = $(TEST_PLUGIN_LDFLAGS)
