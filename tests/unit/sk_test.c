/* Test helpers: drive a scorer through the real host code paths. */
#include "sk_test.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/json_tree.h"
#include "engine/params.h"
#include "base/util.h"

static sk_host_ctx test_host;
static int test_host_ready;

sk_host_ctx *sk_test_host_ctx(void)
{
    if (!test_host_ready) {
        sk_host_init(&test_host, NULL, NULL, NULL);
        test_host_ready = 1;
    }
    return &test_host;
}

const sk_host *sk_test_host(void)
{
    return &sk_test_host_ctx()->table;
}

int sk_test_open(const sk_scorer_def *def, const char *params_json, void **state, char *err,
                 size_t errlen)
{
    cJSON *given = NULL;
    if (params_json) {
        given = sk_json_parse_cstr(params_json); /* as a pack's are */
        if (!given) {
            snprintf(err, errlen, "test bug: params are not JSON: %s", params_json);
            return -1;
        }
    }
    char *full = NULL, *msg = NULL;
    int rc = sk_params_resolve(def, def->name, given, &full, &msg);
    cJSON_Delete(given);
    if (rc) {
        snprintf(err, errlen, "%s", msg);
        free(msg);
        return rc;
    }
    *state = NULL;
    err[0] = '\0';
    rc = def->open ? def->open(sk_test_host(), full, state, err, errlen) : 0; /* NULL: stateless */
    free(full);
    return rc;
}

void sk_test_close(const sk_scorer_def *def, void *state)
{
    if (def->close)
        def->close(sk_test_host(), state);
}

/* The host passes a JSON string's decoded text, else the JSON text. */
static char *text_of(const char *json, size_t *len)
{
    cJSON *v = cJSON_Parse(json);
    char *t;
    if (v && cJSON_IsString(v))
        t = sk_xstrdup(v->valuestring);
    else
        t = sk_xstrdup(json);
    cJSON_Delete(v);
    *len = strlen(t);
    return t;
}

sk_test_result sk_test_score_state(const sk_scorer_def *def, void *state, const char *output_json,
                                   const char *expected_json)
{
    sk_case c = {0};
    c.size = sizeof c;
    c.id = "test";
    c.input_json = "null";
    c.input_text = "null";
    c.input_len = 4;
    c.output_json = output_json;
    char *ot = text_of(output_json, &c.output_len);
    c.output_text = ot;
    char *et = NULL;
    if (expected_json) {
        c.expected_json = expected_json;
        et = text_of(expected_json, &c.expected_len);
        c.expected_text = et;
    }

    sk_result r = {0};
    sk_result_reset(&r);
    int rc = def->score(sk_test_host(), state, &c, &r);
    sk_result_finish(&r, rc, def->name);

    sk_test_result out = {0};
    out.kind = r.kind;
    out.score = r.score;
    snprintf(out.message, sizeof out.message, "%s", r.message.data ? r.message.data : "");
    snprintf(out.rationale, sizeof out.rationale, "%s", r.rationale.data ? r.rationale.data : "");
    snprintf(out.meta, sizeof out.meta, "%s", r.meta.data ? r.meta.data : "");
    sk_result_free(&r);
    free(ot);
    free(et);
    return out;
}

sk_test_result sk_test_score(const sk_scorer_def *def, const char *params_json,
                             const char *output_json, const char *expected_json)
{
    void *state = NULL;
    char err[1024];
    int rc = sk_test_open(def, params_json, &state, err, sizeof err);
    ck_assert_msg(rc == 0, "open %s with %s failed: %s", def->name,
                  params_json ? params_json : "{}", err);
    sk_test_result r = sk_test_score_state(def, state, output_json, expected_json);
    sk_test_close(def, state);
    return r;
}

double sk_test_value(const sk_scorer_def *def, const char *params_json, const char *output_json,
                     const char *expected_json)
{
    sk_test_result r = sk_test_score(def, params_json, output_json, expected_json);
    ck_assert_msg(r.kind == SK_VERDICT_SCORE, "%s(%s, %s): expected a score, got kind %d: %s",
                  def->name, output_json, expected_json ? expected_json : "(none)", (int)r.kind,
                  r.message);
    return r.score;
}

char *sk_test_jstr(const char *text)
{
    sk_buf b = {0};
    sk_buf_add_json_string(&b, text, strlen(text));
    return b.data;
}
