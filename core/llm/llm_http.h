/*
 * One HTTP POST for the LLM client, over libcurl's easy interface.  libcurl
 * is loaded on the first POST (SCOREKIT_LIBCURL names another file to load
 * than the soname found at build time), so a process that calls no model
 * never maps it.  Each thread keeps its own easy handle (thread-local,
 * freed when the thread exits), so consecutive calls from a worker reuse
 * the connection instead of paying a TCP (and TLS) handshake each time.  No signals are used
 * (CURLOPT_NOSIGNAL), so it is safe from any thread.
 */
#ifndef SK_LLM_HTTP_H
#define SK_LLM_HTTP_H

#include <stddef.h>

typedef struct sk_llm_http_resp {
    long status; /* HTTP status, 0 when there was no response */
    char *body;  /* the response body, NUL-terminated; owned, freed by _free */
    size_t body_len;
    double retry_after_s; /* the Retry-After header in seconds, -1 without one */
    int timed_out;        /* 1: the per-request timeout expired */
    int no_transport;     /* 1: libcurl could not be loaded; retrying cannot help */
    char error[512];      /* with status 0: what went wrong on the way */
} sk_llm_http_resp;

/* POST body (JSON) to url with the extra headers ("Name: value"; borrowed),
 * waiting at most timeout_ms for the whole exchange.  Always fills *resp
 * (free with sk_llm_http_resp_free); returns 0 when a response arrived
 * (whatever its status), -1 when none did (resp->error says why). */
int sk_llm_http_post(const char *url, const char *const *headers, size_t nheaders, const char *body,
                     long timeout_ms, sk_llm_http_resp *resp);
void sk_llm_http_resp_free(sk_llm_http_resp *resp);

/* Free the calling thread's handle now (e.g. before the main thread's
 * final clean-up); it is recreated on the next POST. */
void sk_llm_http_thread_done(void);

#endif
