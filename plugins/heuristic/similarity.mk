libskheuristic_la_SOURCES += \
	plugins/heuristic/exact_match.c \
	plugins/heuristic/json_number.c \
	plugins/heuristic/levenshtein.c \
	plugins/heuristic/numeric_diff.c \
	plugins/heuristic/json_diff.c \
	plugins/heuristic/list_contains.c
