/* The judge tests' fixture (see judge_fixture.h). */
#include "judge_fixture.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>

#include "engine/host.h"
#include "sk_test.h"

sk_llm *sk_jf_llm;

sk_llm *sk_jf_client(const char *db_path)
{
    char text[1024];
    snprintf(text, sizeof text,
             "{\"provider\": \"default\", \"cache\": %s, \"providers\": {"
             "\"default\": {\"api\": \"openai\", \"base_url\": \"%s/v1\", "
             "\"api_key_env\": \"SK_TEST_LLM_KEY\", \"model\": \"echo\", \"max_retries\": 2, "
             "\"retry_base_ms\": 1, \"retry_cap_ms\": 5, \"timeout_s\": 20},"
             "\"fallback\": {\"api\": \"openai\", \"base_url\": \"%s/v1\", "
             "\"api_key_env\": \"SK_TEST_LLM_KEY\", \"tools\": false, \"max_retries\": 2, "
             "\"retry_base_ms\": 1, \"retry_cap_ms\": 5, \"timeout_s\": 20}}}",
             db_path ? "true" : "false", sk_llm_fx_url, sk_llm_fx_url);
    cJSON *config = cJSON_Parse(text);
    ck_assert_ptr_nonnull(config);
    sk_llm *llm = NULL;
    char *err = NULL;
    int rc = sk_llm_open(&llm, config, db_path, &err);
    cJSON_Delete(config);
    ck_assert_msg(rc == 0, "sk_llm_open: %s", err ? err : "?");
    free(err);
    return llm;
}

void sk_jf_setup(void)
{
    sk_llm_fx_start(NULL);
    sk_jf_llm = sk_jf_client(NULL);
    sk_test_host_ctx()->llm = sk_jf_llm;
}

void sk_jf_teardown(void)
{
    sk_test_host_ctx()->llm = NULL;
    sk_test_host_ctx()->project_dir = NULL;
    sk_llm_close(sk_jf_llm);
    sk_jf_llm = NULL;
    sk_llm_fx_stop();
}

char *sk_jf_last_body(void)
{
    char *text = sk_llm_fx_get("/last");
    cJSON *o = cJSON_Parse(text);
    free(text);
    const cJSON *body = cJSON_GetObjectItemCaseSensitive(o, "body");
    ck_assert_msg(body != NULL, "no last request");
    char *out = cJSON_PrintUnformatted(body);
    cJSON_Delete(o);
    return out;
}
