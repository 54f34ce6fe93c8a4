# The pattern scorers of the heuristic pack (valid_json, contains,
# icontains, starts_with, regex, word_count) and what they share.
libskheuristic_la_SOURCES += \
	plugins/heuristic/patterns.h \
	plugins/heuristic/pattern_util.c \
	plugins/heuristic/valid_json.c \
	plugins/heuristic/json_schema.c \
	plugins/heuristic/text_match.c \
	plugins/heuristic/regex.c \
	plugins/heuristic/word_count.c
