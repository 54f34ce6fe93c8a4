# llm: the LLM client. Chat Completions and Anthropic Messages over libcurl,
# with retries, shared limits, a response cache and a usage log in the
# store, and the JSON face of the client behind host->llm_chat.
libskcore_la_SOURCES += \
	core/llm/llm.c core/llm/llm.h core/llm/llm_types.h \
	core/llm/llm_reply.c core/llm/llm_reply.h \
	core/llm/llm_config.c core/llm/llm_config.h \
	core/llm/llm_http.c core/llm/llm_http.h \
	core/llm/llm_retry.c core/llm/llm_retry.h \
	core/llm/llm_limit.c core/llm/llm_limit.h \
	core/llm/llm_cache.c core/llm/llm_cache.h \
	core/llm/host_llm.c core/llm/host_llm.h
