/*
 * Deliberately misbehaving scorers, to test that the host turns every kind
 * of bad verdict into an error naming the scorer, and keeps the run going.
 */
#include <math.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "scorekit/plugin.h"

static int s_out_of_range(const sk_host *h, void *st, const sk_case *c, sk_result *r)
{
    (void)st;
    (void)c;
    h->set_score(r, 1.5);
    return 0;
}

static int s_nan(const sk_host *h, void *st, const sk_case *c, sk_result *r)
{
    (void)st;
    (void)c;
    h->set_score(r, NAN);
    return 0;
}

static int s_silent(const sk_host *h, void *st, const sk_case *c, sk_result *r)
{
    (void)h;
    (void)st;
    (void)c;
    (void)r;
    return 0;
}

static int s_failing(const sk_host *h, void *st, const sk_case *c, sk_result *r)
{
    (void)h;
    (void)st;
    (void)c;
    (void)r;
    return -1;
}

static int s_bad_meta(const sk_host *h, void *st, const sk_case *c, sk_result *r)
{
    (void)st;
    (void)c;
    h->set_score(r, 0.5);
    h->set_meta(r, "[1,2]");
    return 0;
}

/* Scores 1 when the output's text equals params.answer, with metadata. */
typedef struct answer_state {
    char *answer;
} answer_state;

static const sk_param_def answer_params[] = {
    {"answer", SK_PARAM_STRING, NULL, "the one right answer"},
    {"fail_open", SK_PARAM_BOOL, "false", "make open() fail (for tests)"},
    {NULL, 0, NULL, NULL}};

static int o_answer(const sk_host *h, const char *params, void **state, char *err, size_t n)
{
    int fail = 0;
    h->json_get_bool(params, "fail_open", &fail);
    if (fail) {
        strncpy(err, "fail_open is set", n - 1);
        err[n - 1] = '\0';
        return -1;
    }
    answer_state *s = h->alloc(sizeof *s);
    if (h->json_get_string(params, "answer", &s->answer) != 1) {
        h->free(s);
        strncpy(err, "answer must be a string", n - 1);
        err[n - 1] = '\0';
        return -1;
    }
    *state = s;
    return 0;
}

static int s_answer(const sk_host *h, void *st, const sk_case *c, sk_result *r)
{
    answer_state *s = st;
    int ok = strcmp(c->output_text, s->answer) == 0;
    h->set_score(r, ok ? 1 : 0);
    if (!ok)
        h->set_rationale(r, "expected \"%s\"", s->answer);
    h->set_meta(r, ok ? "{\"match\":true}" : "{\"match\":false}");
    return 0;
}

static void c_answer(const sk_host *h, void *st)
{
    answer_state *s = st;
    h->free(s->answer);
    h->free(s);
}

/* Not thread-safe: its state notices being used by two threads at once. */
typedef struct unsafe_state {
    atomic_int busy;
} unsafe_state;

static int o_unsafe(const sk_host *h, const char *params, void **state, char *err, size_t n)
{
    (void)params;
    (void)err;
    (void)n;
    unsafe_state *s = h->alloc(sizeof *s);
    atomic_init(&s->busy, 0);
    *state = s;
    return 0;
}

static int s_unsafe(const sk_host *h, void *st, const sk_case *c, sk_result *r)
{
    unsafe_state *s = st;
    if (atomic_fetch_add(&s->busy, 1) != 0) {
        atomic_fetch_sub(&s->busy, 1);
        h->set_error(r, "state shared between threads");
        return 0;
    }
    volatile unsigned x = 0;
    for (unsigned i = 0; i < 2000; i++) /* widen the window for a clash */
        x += i;
    (void)x;
    h->set_score(r, c->output_len % 2 ? 1 : 0);
    atomic_fetch_sub(&s->busy, 1);
    return 0;
}

static void c_unsafe(const sk_host *h, void *st)
{
    h->free(st);
}

static int s_skipper(const sk_host *h, void *st, const sk_case *c, sk_result *r)
{
    (void)st;
    (void)c;
    h->set_skip(r, "not applicable to %s", c->id);
    return 0;
}

#define DEF(n, o, s, c, f, p)                                                                      \
    static const sk_scorer_def d_##n = {                                                           \
        sizeof(sk_scorer_def), #n, "test scorer " #n, f, 0, p, o, s, c};
DEF(out_of_range, NULL, s_out_of_range, NULL, SK_SCORER_THREAD_SAFE, NULL)
DEF(nan, NULL, s_nan, NULL, SK_SCORER_THREAD_SAFE, NULL)
DEF(silent, NULL, s_silent, NULL, SK_SCORER_THREAD_SAFE, NULL)
DEF(failing, NULL, s_failing, NULL, SK_SCORER_THREAD_SAFE, NULL)
DEF(bad_meta, NULL, s_bad_meta, NULL, SK_SCORER_THREAD_SAFE, NULL)
DEF(answer, o_answer, s_answer, c_answer, SK_SCORER_THREAD_SAFE, answer_params)
DEF(unsafe, o_unsafe, s_unsafe, c_unsafe, 0, NULL)
DEF(skipper, NULL, s_skipper, NULL, SK_SCORER_THREAD_SAFE, NULL)

static const sk_scorer_def *const scorers[] = {&d_out_of_range, &d_nan,    &d_silent, &d_failing,
                                               &d_bad_meta,     &d_answer, &d_unsafe, &d_skipper};

SK_PLUGIN_DECLARE("misbehave", "1", scorers)
