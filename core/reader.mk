libscorekit_la_SOURCES += core/jsonl.c core/jsonl.h core/row.c core/row.h
