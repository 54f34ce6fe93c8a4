# online: production traffic: logs read from rows and OTLP traces (and,
# later, the rules that score them continuously).
libskcore_la_SOURCES += \
	core/online/log_parse.c core/online/log_parse.h core/online/otlp.c \
	core/online/ingest.c core/online/ingest.h \
	core/online/filter.c core/online/filter.h \
	core/online/rules.c core/online/rules.h core/online/watch.c core/online/watch.h
# The ingestion server: its bounded write queue and, over libmicrohttpd,
# the HTTP endpoint.
libskcore_la_SOURCES += \
	core/online/log_queue.c core/online/log_queue.h core/online/server.c core/online/server.h \
	core/online/mhd_load.c core/online/mhd_load.h \
	core/online/stream.c core/online/stream.h core/online/stream_load.c
# The headers only: the library is dlopen'd when a server starts.
libskcore_la_CPPFLAGS += $(MHD_CFLAGS) $(HIREDIS_CFLAGS)
