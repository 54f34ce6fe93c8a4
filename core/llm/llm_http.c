/*
 * libcurl transport of the LLM client (see llm_http.h).  The process-wide
 * curl_global_init runs once through pthread_once; the per-thread easy
 * handle lives under a pthread key whose destructor cleans it up when the
 * worker exits.
 */
#define _POSIX_C_SOURCE 200809L
#include "llm/llm_http.h"

#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <curl/curl.h>

#include "llm/llm_retry.h"
#include "base/util.h"

/* A reply bigger than this is not a chat completion; stop reading. */
#define MAX_BODY (64u << 20)

static pthread_once_t once = PTHREAD_ONCE_INIT;
static pthread_key_t handle_key;

static void free_handle(void *h)
{
    curl_easy_cleanup(h);
}

static void init_once(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
    pthread_key_create(&handle_key, free_handle);
}

static CURL *thread_handle(void)
{
    pthread_once(&once, init_once);
    CURL *h = pthread_getspecific(handle_key);
    if (h) {
        /* Reset options but keep the connection cache and DNS cache. */
        curl_easy_reset(h);
        return h;
    }
    h = curl_easy_init();
    if (h)
        pthread_setspecific(handle_key, h);
    return h;
}

void sk_llm_http_thread_done(void)
{
    pthread_once(&once, init_once);
    CURL *h = pthread_getspecific(handle_key);
    if (h) {
        curl_easy_cleanup(h);
        pthread_setspecific(handle_key, NULL);
    }
}

static size_t on_body(char *p, size_t size, size_t n, void *ud)
{
    sk_buf *b = ud;
    size_t len = size * n;
    if (b->len + len > MAX_BODY)
        return 0; /* makes curl fail with CURLE_WRITE_ERROR */
    sk_buf_add(b, p, len);
    return len;
}

static size_t on_header(char *p, size_t size, size_t n, void *ud)
{
    sk_llm_http_resp *r = ud;
    size_t len = size * n;
    static const char name[] = "retry-after:";
    if (len > sizeof name - 1 && strncasecmp(p, name, sizeof name - 1) == 0) {
        char value[128];
        size_t vl = len - (sizeof name - 1);
        if (vl >= sizeof value)
            vl = sizeof value - 1;
        memcpy(value, p + sizeof name - 1, vl);
        value[vl] = '\0';
        while (vl > 0 && isspace((unsigned char)value[vl - 1]))
            value[--vl] = '\0';
        double s;
        if (sk_llm_retry_after_parse(value, time(NULL), &s) == 0)
            r->retry_after_s = s;
    }
    return len;
}

int sk_llm_http_post(const char *url, const char *const *headers, size_t nheaders, const char *body,
                     long timeout_ms, sk_llm_http_resp *resp)
{
    memset(resp, 0, sizeof *resp);
    resp->retry_after_s = -1;
    CURL *h = thread_handle();
    if (!h) {
        snprintf(resp->error, sizeof resp->error, "libcurl could not create a handle");
        return -1;
    }
    struct curl_slist *hl = NULL;
    hl = curl_slist_append(hl, "Content-Type: application/json");
    /* Without this, curl waits for "100 Continue" before sending big bodies. */
    hl = curl_slist_append(hl, "Expect:");
    for (size_t i = 0; i < nheaders; i++)
        hl = curl_slist_append(hl, headers[i]);
    sk_buf b = {0};
    char errbuf[CURL_ERROR_SIZE] = "";
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_POST, 1L);
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)strlen(body));
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, hl);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, timeout_ms);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, timeout_ms < 30000 ? timeout_ms : 30000L);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &b);
    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(h, CURLOPT_HEADERDATA, resp);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
    curl_easy_setopt(h, CURLOPT_ACCEPT_ENCODING, "");
    curl_easy_setopt(h, CURLOPT_USERAGENT, "scorekit");
    CURLcode rc = curl_easy_perform(h);
    curl_slist_free_all(hl);
    if (rc != CURLE_OK) {
        sk_buf_free(&b);
        resp->timed_out = rc == CURLE_OPERATION_TIMEDOUT;
        snprintf(resp->error, sizeof resp->error, "%s",
                 errbuf[0] ? errbuf : curl_easy_strerror(rc));
        resp->retry_after_s = -1;
        return -1;
    }
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &resp->status);
    if (!b.data)
        sk_buf_adds(&b, "");
    resp->body = b.data;
    resp->body_len = b.len;
    return 0;
}

void sk_llm_http_resp_free(sk_llm_http_resp *resp)
{
    if (!resp)
        return;
    free(resp->body);
    resp->body = NULL;
    resp->body_len = 0;
}
