/* Judge panels (see panel.h). */
#include "engine/panel.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "base/util.h"
#include "engine/params.h"

enum { REDUCE_MAJORITY, REDUCE_MEAN };

typedef struct panel_def {
    sk_scorer_def def;
    char **judges;
    size_t n;
    int reduce;
    double pass_at;
    const sk_engine_lookup *lookup; /* from bind; outlives the states */
} panel_def;

typedef struct member {
    const char *name; /* borrowed from the def */
    const sk_engine_ops *ops;
    const void *impl;
    unsigned flags;
    void *state;
} member;

typedef struct panel_state {
    member *m;
    size_t n;
} panel_state;

/* Declared so that they are checked, defaulted and part of params_json,
 * hence of the pack's hash and the panel's fingerprint, like any
 * scorer's params. */
static const sk_param_def params[] = {
    {"judges", SK_PARAM_STRING_LIST, NULL, "the pack's scorers (by name) that vote: two or more"},
    {"reduce", SK_PARAM_STRING, "\"majority\"", "majority (1 when more than half pass) or mean"},
    {"pass_at", SK_PARAM_NUMBER, "0.5", "the score at which a judge votes pass (majority)"},
    {NULL, 0, NULL, NULL}};

static void release(void *impl)
{
    panel_def *p = impl;
    if (!p)
        return;
    for (size_t i = 0; i < p->n; i++)
        free(p->judges[i]);
    free(p->judges);
    free(p);
}

static int resolve(const sk_engine_entry *e, const void **impl, char **origin, char **err)
{
    if (strcmp(e->use, "panel") != 0)
        return sk_errf(err, SK_EINVAL,
                       "%s: unknown scorer \"%s\" (a judge panel is \"use\": \"panel\")", e->where,
                       e->use);
    const cJSON *o = e->params;
    const char *shape = "\"params\": {\"judges\": [\"NAME\", \"NAME\", ...], \"reduce\": "
                        "\"majority\"}";
    if (!cJSON_IsObject(o))
        return sk_errf(err, SK_EINVAL, "%s: a panel needs %s", e->where, shape);
    const cJSON *j = cJSON_GetObjectItemCaseSensitive(o, "judges");
    int nj = cJSON_IsArray(j) ? cJSON_GetArraySize(j) : -1;
    if (nj < 2)
        return sk_errf(err, SK_EINVAL, "%s: \"judges\" must list two or more scorers by name: %s",
                       e->where, shape);
    panel_def *p = sk_xcalloc(1, sizeof *p);
    p->reduce = REDUCE_MAJORITY;
    p->pass_at = 0.5;
    const cJSON *r = cJSON_GetObjectItemCaseSensitive(o, "reduce");
    const cJSON *pa = cJSON_GetObjectItemCaseSensitive(o, "pass_at");
    int rc = SK_OK;
    if (r && !(cJSON_IsString(r) &&
               (strcmp(r->valuestring, "majority") == 0 || strcmp(r->valuestring, "mean") == 0)))
        rc = sk_errf(err, SK_EINVAL, "%s: \"reduce\" must be \"majority\" or \"mean\"", e->where);
    else if (r && strcmp(r->valuestring, "mean") == 0)
        p->reduce = REDUCE_MEAN;
    if (!rc && pa) {
        if (!cJSON_IsNumber(pa) || !(pa->valuedouble >= 0 && pa->valuedouble <= 1))
            rc = sk_errf(err, SK_EINVAL, "%s: \"pass_at\" must be a number in [0,1]", e->where);
        else
            p->pass_at = pa->valuedouble;
    }
    p->judges = sk_xcalloc((size_t)nj, sizeof *p->judges);
    for (const cJSON *x = j->child; !rc && x; x = x->next) {
        if (!cJSON_IsString(x) || !x->valuestring[0]) {
            rc = sk_errf(err, SK_EINVAL, "%s: every judge is a scorer's name", e->where);
            break;
        }
        for (size_t i = 0; i < p->n; i++)
            if (strcmp(p->judges[i], x->valuestring) == 0)
                rc = sk_errf(err, SK_EINVAL, "%s: judge \"%s\" is listed twice", e->where,
                             x->valuestring);
        if (!rc)
            p->judges[p->n++] = sk_xstrdup(x->valuestring);
    }
    if (rc) {
        release(p);
        return rc;
    }
    p->def.size = sizeof p->def;
    p->def.name = "panel";
    p->def.summary = "votes several of the pack's judges and reduces their verdicts to one";
    p->def.params = params;
    *impl = p;
    *origin = sk_asprintf("panel of %zu judges (%s)", p->n,
                          p->reduce == REDUCE_MEAN ? "mean" : "majority");
    return SK_OK;
}

static const sk_scorer_def *def(const void *impl)
{
    return &((const panel_def *)impl)->def;
}

/* The judges are known once the pack is: a panel calls a model, needs an
 * expected value and so on when one of its judges does. */
static void bind(const void *impl, const sk_engine_lookup *lookup)
{
    panel_def *p = (panel_def *)impl;
    p->lookup = lookup;
    unsigned any = 0, all = ~0u;
    for (size_t i = 0; i < p->n; i++) {
        const sk_engine_ops *ops;
        const void *mi;
        const char *params;
        char *err = NULL;
        unsigned f = 0;
        if (lookup->find(lookup->ud, p->judges[i], &ops, &mi, &params, &err) == 0)
            f = ops->def(mi)->flags;
        free(err); /* an unknown judge is refused when the panel opens */
        any |= f;
        all &= f;
    }
    /* It needs an expected value when every judge does (else some vote). */
    p->def.flags = (any & (SK_SCORER_USES_LLM | SK_SCORER_NONDETERMINISTIC)) |
                   (all & SK_SCORER_NEEDS_EXPECTED);
}

static const char *const *calls(const void *impl, size_t *n)
{
    const panel_def *p = impl;
    *n = p->n;
    return (const char *const *)p->judges;
}

static void close_state(sk_host_ctx *host, const void *impl, void *state)
{
    (void)impl;
    panel_state *s = state;
    if (!s)
        return;
    for (size_t i = 0; i < s->n; i++)
        s->m[i].ops->close(host, s->m[i].impl, s->m[i].state);
    free(s->m);
    free(s);
}

static int open_state(sk_host_ctx *host, const void *impl, const char *name,
                      const char *params_json, void **state, char **err)
{
    (void)params_json;
    const panel_def *p = impl;
    if (!p->lookup)
        return sk_errf(err, SK_EINVAL, "panel \"%s\": opened outside a pack", name);
    panel_state *s = sk_xcalloc(1, sizeof *s);
    s->m = sk_xcalloc(p->n, sizeof *s->m);
    int rc = SK_OK;
    for (size_t i = 0; i < p->n && !rc; i++) {
        member *m = &s->m[i];
        const char *params = NULL;
        char *why = NULL;
        m->name = p->judges[i];
        if (p->lookup->find(p->lookup->ud, m->name, &m->ops, &m->impl, &params, &why)) {
            rc = sk_errf(err, SK_EINVAL, "panel \"%s\": judge \"%s\": %s", name, m->name, why);
            free(why);
            break;
        }
        char *resolved = NULL;
        if (!params) {
            char *where = sk_asprintf("panel \"%s\": judge \"%s\"", name, m->name);
            rc = sk_params_resolve(m->ops->def(m->impl), where, NULL, &resolved, err);
            free(where);
            if (rc)
                break;
            params = resolved;
        }
        m->flags = m->ops->def(m->impl)->flags;
        rc = m->ops->open(host, m->impl, m->name, params, &m->state, &why);
        free(resolved);
        if (rc) {
            rc = sk_errf(err, SK_EINVAL, "panel \"%s\": judge \"%s\": %s", name, m->name,
                         why ? why : "failed to open");
            free(why);
            break;
        }
        s->n++;
    }
    if (rc) {
        close_state(host, impl, s);
        return rc;
    }
    *state = s;
    return SK_OK;
}

static int score(sk_host_ctx *host, const void *impl, void *state, const sk_case *c, sk_result *r)
{
    const panel_def *p = impl;
    panel_state *s = state;
    sk_buf why = {0}, meta = {0};
    size_t voted = 0, pass = 0, listed = 0;
    double sum = 0;
    sk_buf_adds(&meta, "{\"judges\":{");
    for (size_t i = 0; i < s->n; i++) {
        member *m = &s->m[i];
        sk_result mr = {0};
        sk_result_reset(&mr);
        mr.no_rationale = r->no_rationale;
        if ((m->flags & SK_SCORER_NEEDS_EXPECTED) && !c->expected_json)
            sk_result_skipf(&mr, "the case has no expected value");
        else
            sk_result_finish(&mr, m->ops->score(host, m->impl, m->state, c, &mr), m->name);
        if (mr.kind == SK_VERDICT_ERROR) {
            sk_result_errorf(r, "judge %s: %s", m->name, mr.message.data ? mr.message.data : "");
            sk_result_free(&mr);
            sk_buf_free(&why);
            sk_buf_free(&meta);
            return SK_OK;
        }
        if (listed++)
            sk_buf_addc(&meta, ',');
        sk_buf_add_json_string(&meta, m->name, strlen(m->name));
        if (mr.kind == SK_VERDICT_SKIP) {
            sk_buf_adds(&meta, ":null");
            sk_buf_printf(&why, "%s%s skipped", why.len ? "\n" : "", m->name);
        } else {
            voted++;
            sum += mr.score;
            pass += mr.score >= p->pass_at;
            sk_buf_printf(&meta, ":%.15g", mr.score);
            sk_buf_printf(&why, "%s%s %.4g%s%.*s", why.len ? "\n" : "", m->name, mr.score,
                          mr.rationale.len ? ": " : "", (int)mr.rationale.len,
                          mr.rationale.data ? mr.rationale.data : "");
        }
        sk_result_free(&mr);
    }
    sk_buf_printf(&meta, "},\"voted\":%zu,\"pass\":%zu}", voted, pass);
    if (!voted) {
        sk_result_skipf(r, "every judge of the panel skipped the case");
    } else {
        r->kind = SK_VERDICT_SCORE;
        r->score = p->reduce == REDUCE_MEAN ? sum / (double)voted : 2 * pass > voted ? 1 : 0;
        if (!r->no_rationale) {
            sk_buf_reset(&r->rationale);
            if (p->reduce == REDUCE_MEAN)
                sk_buf_printf(&r->rationale, "mean of %zu judges\n%s", voted, why.data);
            else
                sk_buf_printf(&r->rationale, "%zu of %zu judges pass (score >= %g)\n%s", pass,
                              voted, p->pass_at, why.data);
        }
        sk_buf_reset(&r->meta);
        sk_buf_add(&r->meta, meta.data, meta.len);
    }
    sk_buf_free(&why);
    sk_buf_free(&meta);
    return SK_OK;
}

const sk_engine_ops sk_engine_panel = {
    .kind = "panel",
    .prefix = "panel",
    .resolve = resolve,
    .open = open_state,
    .score = score,
    .close = close_state,
    .def = def,
    .release = release,
    .bind = bind,
    .calls = calls,
};
