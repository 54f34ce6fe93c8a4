libskheuristic_la_SOURCES += \
	plugins/heuristic/valid_json.c \
	plugins/heuristic/text_match.c
