# engine: one interface for every kind of scorer (engine.h), the host
# table plugins see, params, the plugin registry (dlopen, ABI check) and
# packs.
libskcore_la_SOURCES += \
	core/engine/engine.h core/engine/plugin.c \
	core/engine/host.c core/engine/host.h \
	core/engine/params.c core/engine/params.h \
	core/engine/registry.c core/engine/registry.h \
	core/engine/pack.c core/engine/pack.h core/engine/panel.c core/engine/panel.h
