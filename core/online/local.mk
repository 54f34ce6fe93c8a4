# online: production traffic: logs read from rows and OTLP traces (and,
# later, the rules that score them continuously).
libskcore_la_SOURCES += \
	core/online/log_parse.c core/online/log_parse.h core/online/otlp.c \
	core/online/ingest.c core/online/ingest.h
