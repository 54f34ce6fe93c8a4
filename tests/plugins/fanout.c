/*
 * A judge that asks the model from threads of its own: each case's output
 * goes to the model twice at once, both calls through the table score()
 * received.  The host must bill both to the case's row, whatever threads
 * make them.  Thread-safe, so one state serves every worker and the table
 * score() gets is not the one open() got.
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "scorekit/plugin.h"

typedef struct ask {
    const sk_host *h;
    const char *request;
    int rc;
    char err[512];
} ask;

static void *ask_main(void *p)
{
    ask *a = p;
    char *reply = NULL;
    a->rc = a->h->llm_chat(a->h, a->request, &reply, a->err, sizeof a->err);
    if (a->rc == 0)
        a->h->free(reply);
    return NULL;
}

static int s_fanout(const sk_host *h, void *st, const sk_case *c, sk_result *r)
{
    (void)st;
    if (!SK_HAS_FIELD(h, sk_host, llm_chat)) {
        h->set_error(r, "this host has no llm_chat");
        return 0;
    }
    /* output_json is the content: the case's output must be a string. */
    size_t n = strlen(c->output_json) + 128;
    char *request = h->alloc(n);
    snprintf(request, n,
             "{\"model\": \"echo\", \"caller\": \"scorer:fanout\", \"messages\": "
             "[{\"role\": \"user\", \"content\": %s}]}",
             c->output_json);
    ask a[2];
    pthread_t t[2];
    int started[2];
    for (int i = 0; i < 2; i++) {
        a[i] = (ask){h, request, 0, ""};
        started[i] = pthread_create(&t[i], NULL, ask_main, &a[i]) == 0;
        if (!started[i])
            ask_main(&a[i]);
    }
    for (int i = 0; i < 2; i++)
        if (started[i])
            pthread_join(t[i], NULL);
    h->free(request);
    for (int i = 0; i < 2; i++)
        if (a[i].rc) {
            h->set_error(r, "fanout: %s", a[i].err);
            return 0;
        }
    h->set_score(r, 1);
    return 0;
}

static const sk_scorer_def d_fanout = {sizeof(sk_scorer_def),
                                       "fanout",
                                       "asks the model twice at once, from two threads",
                                       SK_SCORER_THREAD_SAFE | SK_SCORER_USES_LLM,
                                       0,
                                       NULL,
                                       NULL,
                                       s_fanout,
                                       NULL};

static const sk_scorer_def *const scorers[] = {&d_fanout};

SK_PLUGIN_DECLARE("fanout", "1", scorers)
