# Lua scorers: the engine, its sandbox, and the sk library.
libscorekit_la_SOURCES += \
	core/lua_json.c core/lua_json.h core/lua_json_priv.h \
	core/lua_json_decode.c core/lua_json_encode.c \
	core/lua_text.c core/lua_text.h
libscorekit_la_SOURCES += \
	core/lua_vm.c core/lua_vm.h \
	core/lua_pattern.c core/lua_pattern.h \
	core/lua_engine.c core/lua_engine.h \
	core/lua_compose.c core/lua_compose.h
libscorekit_la_CPPFLAGS += -DSK_LUA_DIR='"$(pkgdatadir)/lua"'
