# Unit tests of the task providers: `column`, and `exec` with real child
# processes (/bin/sh scripts, cat, sleep): output forms, exit statuses,
# signals, timeouts that kill the process group, big pipes in both
# directions, and many calls from many threads at once.
check_PROGRAMS += tests/unit/test_task
TESTS += tests/unit/test_task
