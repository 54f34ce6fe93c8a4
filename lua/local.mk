# The Lua side: helper modules scripts may require ("sk.NAME") and the Lua
# scorers that ship with scorekit (usable in a pack as "lua:NAME").
luaskdir = $(pkgdatadir)/lua/sk
luask_DATA = lua/sk/checks.lua
luascorersdir = $(pkgdatadir)/lua/scorers
luascorers_DATA = lua/scorers/refusal.lua lua/scorers/keywords.lua \
	lua/scorers/length_sanity.lua lua/scorers/format.lua
EXTRA_DIST += $(luask_DATA) $(luascorers_DATA)
