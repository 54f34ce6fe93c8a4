# lua: the Lua scorer engine, its sandbox (instruction budget, memory cap,
# a counting pattern matcher) and the sk.* library (json, text, llm,
# composing other scorers).
libskcore_la_SOURCES += \
	core/lua/lua_json.c core/lua/lua_json.h core/lua/lua_json_priv.h \
	core/lua/lua_json_decode.c core/lua/lua_json_encode.c \
	core/lua/lua_text.c core/lua/lua_text.h \
	core/lua/lua_vm.c core/lua/lua_vm.h core/lua/lua_meter.h \
	core/lua/lua_pattern.c core/lua/lua_pattern.h \
	core/lua/lua_engine.c core/lua/lua_engine.h \
	core/lua/lua_compose.c core/lua/lua_compose.h \
	core/lua/lua_llm.c core/lua/lua_llm.h
libskcore_la_CPPFLAGS += -DSK_LUA_DIR='"$(pkgdatadir)/lua"'
