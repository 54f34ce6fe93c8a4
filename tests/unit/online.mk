# Online scoring: log rows and OTLP traces read into logs, and stored with
# duplicates counted.
check_PROGRAMS += tests/unit/test_online_logs
TESTS += tests/unit/test_online_logs

# The filter language of online rules.
check_PROGRAMS += tests/unit/test_filter
TESTS += tests/unit/test_filter
