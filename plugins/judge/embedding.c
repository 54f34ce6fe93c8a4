/*
 * embedding_similarity: how close the output is to the expected answer in
 * meaning, by the cosine similarity of their embeddings (host->llm_embed),
 * rescaled as autoevals' EmbeddingSimilarity does so that unrelated texts,
 * whose embeddings are rarely far apart, score 0:
 *
 *   score = clamp((cos - expected_min) / (1 - expected_min), 0, 1)
 *
 * with expected_min 0.7 by default; "prefix" is put before both texts
 * (some embedding models want an instruction there).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "judge.h"
#include "base/json_tree.h"
#include "base/util.h"

typedef struct emb_state {
    char *model, *provider, *prefix;
    double expected_min;
} emb_state;

static const sk_param_def params[] = {
    {"model", SK_PARAM_STRING, "\"text-embedding-3-small\"", "the embedding model"},
    {"provider", SK_PARAM_STRING, "\"\"", "the llm provider (default: the project's)"},
    {"expected_min", SK_PARAM_NUMBER, "0.7",
     "the cosine similarity that scores 0; 1 scores 1, linear between"},
    {"prefix", SK_PARAM_STRING, "\"\"", "text put before the output and the expected"},
    {NULL, 0, NULL, NULL}};

static char *param(const sk_host *host, const char *json, const char *key)
{
    char *v = NULL;
    char *copy = sk_xstrdup(host->json_get_string(json, key, &v) == 1 && v ? v : "");
    if (v)
        host->free(v);
    return copy;
}

static int emb_open(const sk_host *host, const char *params_json, void **state, char *err,
                    size_t errlen)
{
    if (!SK_HAS_FIELD(host, sk_host, llm_embed) || !host->llm_embed) {
        snprintf(err, errlen, "this scorekit has no embeddings (host->llm_embed); upgrade it");
        return -1;
    }
    emb_state *s = sk_xcalloc(1, sizeof *s);
    s->model = param(host, params_json, "model");
    s->provider = param(host, params_json, "provider");
    s->prefix = param(host, params_json, "prefix");
    s->expected_min = 0.7;
    host->json_get_number(params_json, "expected_min", &s->expected_min);
    if (!(s->expected_min >= 0 && s->expected_min < 1) || !s->model[0]) {
        snprintf(err, errlen, "%s",
                 !s->model[0] ? "\"model\" must name an embedding model"
                              : "\"expected_min\" must be at least 0 and below 1");
        free(s->model);
        free(s->provider);
        free(s->prefix);
        free(s);
        return -1;
    }
    *state = s;
    return 0;
}

static void emb_close(const sk_host *host, void *state)
{
    (void)host;
    emb_state *s = state;
    if (s) {
        free(s->model);
        free(s->provider);
        free(s->prefix);
        free(s);
    }
}

/* text's embedding into *v (*n numbers; caller frees), or -1 with err. */
static int embed(const sk_host *host, const emb_state *s, const char *text, size_t len, double **v,
                 size_t *n, char *err, size_t errlen)
{
    cJSON *req = cJSON_CreateObject();
    cJSON_AddStringToObject(req, "model", s->model);
    if (s->provider[0])
        cJSON_AddStringToObject(req, "provider", s->provider);
    char *input = sk_asprintf("%s%.*s", s->prefix, (int)len, text);
    cJSON_AddStringToObject(req, "input", input);
    free(input);
    cJSON_AddStringToObject(req, "caller", "scorer:embedding_similarity");
    char *body = cJSON_PrintUnformatted(req);
    cJSON_Delete(req);
    char *reply = NULL;
    int rc = host->llm_embed(host, body, &reply, err, errlen);
    free(body);
    if (rc)
        return -1;
    cJSON *r = sk_json_parse_cstr(reply);
    host->free(reply);
    const cJSON *a = cJSON_GetObjectItemCaseSensitive(r, "embedding");
    int dim = cJSON_IsArray(a) ? cJSON_GetArraySize(a) : 0;
    *v = sk_xcalloc(dim > 0 ? (size_t)dim : 1, sizeof **v);
    *n = 0;
    for (const cJSON *x = a ? a->child : NULL; x; x = x->next)
        (*v)[(*n)++] = x->valuedouble;
    cJSON_Delete(r);
    return 0;
}

static int emb_score(const sk_host *host, void *state, const sk_case *c, sk_result *r)
{
    emb_state *s = state;
    char err[512];
    double *a = NULL, *b = NULL;
    size_t na = 0, nb = 0;
    if (embed(host, s, c->output_text, c->output_len, &a, &na, err, sizeof err) ||
        embed(host, s, c->expected_text, c->expected_len, &b, &nb, err, sizeof err)) {
        host->set_error(r, "%s", err);
        free(a);
        free(b);
        return 0;
    }
    if (na != nb || na == 0) {
        host->set_error(r, "the embeddings of the output and the expected have %zu and %zu numbers",
                        na, nb);
        free(a);
        free(b);
        return 0;
    }
    double dot = 0, aa = 0, bb = 0;
    for (size_t i = 0; i < na; i++) {
        dot += a[i] * b[i];
        aa += a[i] * a[i];
        bb += b[i] * b[i];
    }
    free(a);
    free(b);
    if (aa == 0 || bb == 0) {
        host->set_error(r, "an embedding is all zeros: no direction to compare");
        return 0;
    }
    double cosine = dot / (sqrt(aa) * sqrt(bb));
    double score = (cosine - s->expected_min) / (1 - s->expected_min);
    score = score < 0 ? 0 : score > 1 ? 1 : score;
    host->set_score(r, score);
    if (!SK_HAS_FIELD(host, sk_host, wants_rationale) || host->wants_rationale(r))
        host->set_rationale(r, "cosine similarity %.4f of the embeddings (%s); %.4f scores 0",
                            cosine, s->model, s->expected_min);
    char meta[64];
    snprintf(meta, sizeof meta, "{\"cosine\":%.6f}", cosine);
    host->set_meta(r, meta);
    return 0;
}

const sk_scorer_def sk_j_embedding_similarity = {
    .size = sizeof(sk_scorer_def),
    .name = "embedding_similarity",
    .summary = "closeness in meaning to expected: cosine of embeddings, rescaled (autoevals')",
    .flags = SK_SCORER_THREAD_SAFE | SK_SCORER_NEEDS_EXPECTED | SK_SCORER_USES_LLM,
    .params = params,
    .open = emb_open,
    .score = emb_score,
    .close = emb_close,
};
