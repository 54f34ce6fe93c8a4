# Unit tests of reading rows: the JSONL line reader (test_jsonl) and the JSON
# row scanner (test_row), which checks itself against the reference checker
# in json_ref.c.
check_PROGRAMS += tests/unit/test_jsonl tests/unit/test_row
TESTS += tests/unit/test_jsonl tests/unit/test_row
