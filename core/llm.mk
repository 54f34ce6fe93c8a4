# The LLM client: Chat Completions and Anthropic Messages over libcurl,
# with retries, shared limits, a response cache and a usage log in the
# store; and `scorekit cache`.
libscorekit_la_SOURCES += core/llm.c core/llm.h \
	core/llm_reply.c core/llm_reply.h \
	core/llm_config.c core/llm_config.h \
	core/llm_http.c core/llm_http.h \
	core/llm_retry.c core/llm_retry.h \
	core/llm_limit.c core/llm_limit.h \
	core/llm_hash.c core/llm_hash.h \
	core/llm_cache.c core/llm_cache.h
scorekit_SOURCES += core/cli/cache.c
