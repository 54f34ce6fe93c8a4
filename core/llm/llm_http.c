/*
 * libcurl transport of the LLM client (see llm_http.h).
 *
 * libcurl is dlopen'd on the first POST rather than linked: linked, it made
 * every command, `scorekit version` included, map and relocate libcurl and
 * the ~30 libraries it needs (TLS, Kerberos, LDAP, IDN...) and run their
 * constructors, most of the start-up of a command that calls no model.  The
 * ten entry points are resolved once, under pthread_once together with
 * curl_global_init.  Loading libcurl itself (an ABI stable under one
 * soname since 2006) was chosen over a transport module of our own: there
 * is no second file to install, find from the build tree, the install
 * prefix and libscorekit alike, or keep in step with the core.
 *
 * The per-thread easy handle lives under a pthread key whose destructor
 * cleans it up when the worker exits.  libcurl is never unloaded: handles
 * of threads still running need it.
 */
#define _POSIX_C_SOURCE 200809L
#include "llm/llm_http.h"

#include <ctype.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <curl/curl.h>

#include "base/libload.h"
#include "config.h"
#include "llm/llm_retry.h"
#include "base/util.h"

/* configure sets the soname the link against libcurl would have recorded. */
#ifndef SK_CURL_SONAME
#define SK_CURL_SONAME "libcurl.so.4"
#endif

/* A reply bigger than this is not a chat completion; stop reading. */
#define MAX_BODY (64u << 20)

/* The entry points used, typed as curl.h declares them (LOAD checks). */
static struct {
    CURLcode (*global_init)(long);
    CURL *(*easy_init)(void);
    CURLcode (*easy_setopt)(CURL *, CURLoption, ...);
    CURLcode (*easy_perform)(CURL *);
    CURLcode (*easy_getinfo)(CURL *, CURLINFO, ...);
    void (*easy_reset)(CURL *);
    void (*easy_cleanup)(CURL *);
    const char *(*easy_strerror)(CURLcode);
    struct curl_slist *(*slist_append)(struct curl_slist *, const char *);
    void (*slist_free_all)(struct curl_slist *);
} curl;

static pthread_once_t once = PTHREAD_ONCE_INIT;
static pthread_key_t handle_key;
/* Set once init_once has run: the key exists (and so may hold handles). */
static atomic_int initialised;
/* Empty when libcurl loaded; else why not, for every POST to report. */
static char load_error[512];

static const sk_lib libcurl = {"libcurl", "SCOREKIT_LIBCURL", SK_CURL_SONAME, "libcurl4",
                               "libcurl 7.68"};

/* Resolve one entry point.  The comparison, never evaluated, fails the
 * build when curl.h declares the function with another type than its
 * field, and references no libcurl symbol. */
#define LOAD(field, fn)                                                                            \
    do {                                                                                           \
        (void)sizeof(curl.field == fn);                                                            \
        if (sk_lib_resolve(&libcurl, lib, #fn, &curl.field, sizeof curl.field, load_error,         \
                           sizeof load_error))                                                     \
            return;                                                                                \
    } while (0)

static void load_curl(void)
{
    void *lib = sk_lib_open(&libcurl, load_error, sizeof load_error);
    if (!lib)
        return;
    LOAD(global_init, curl_global_init);
    LOAD(easy_init, curl_easy_init);
    LOAD(easy_setopt, curl_easy_setopt);
    LOAD(easy_perform, curl_easy_perform);
    LOAD(easy_getinfo, curl_easy_getinfo);
    LOAD(easy_reset, curl_easy_reset);
    LOAD(easy_cleanup, curl_easy_cleanup);
    LOAD(easy_strerror, curl_easy_strerror);
    LOAD(slist_append, curl_slist_append);
    LOAD(slist_free_all, curl_slist_free_all);
    curl.global_init(CURL_GLOBAL_DEFAULT);
}

static void free_handle(void *h)
{
    curl.easy_cleanup(h);
}

static void init_once(void)
{
    load_curl();
    pthread_key_create(&handle_key, free_handle);
    atomic_store(&initialised, 1);
}

static CURL *thread_handle(void)
{
    CURL *h = pthread_getspecific(handle_key);
    if (h) {
        /* Reset options but keep the connection cache and DNS cache. */
        curl.easy_reset(h);
        return h;
    }
    h = curl.easy_init();
    if (h)
        pthread_setspecific(handle_key, h);
    return h;
}

void sk_llm_http_thread_done(void)
{
    /* A thread that never POSTed has no handle: do not load libcurl to
     * find that out.  One that did has run init_once itself. */
    if (!atomic_load(&initialised))
        return;
    CURL *h = pthread_getspecific(handle_key);
    if (h) {
        curl.easy_cleanup(h);
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
    pthread_once(&once, init_once);
    if (load_error[0]) {
        snprintf(resp->error, sizeof resp->error, "%s", load_error);
        resp->no_transport = 1;
        return -1;
    }
    CURL *h = thread_handle();
    if (!h) {
        snprintf(resp->error, sizeof resp->error, "libcurl could not create a handle");
        return -1;
    }
    struct curl_slist *hl = NULL;
    hl = curl.slist_append(hl, "Content-Type: application/json");
    /* Without this, curl waits for "100 Continue" before sending big bodies. */
    hl = curl.slist_append(hl, "Expect:");
    for (size_t i = 0; i < nheaders; i++)
        hl = curl.slist_append(hl, headers[i]);
    sk_buf b = {0};
    char errbuf[CURL_ERROR_SIZE] = "";
    curl.easy_setopt(h, CURLOPT_URL, url);
    curl.easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl.easy_setopt(h, CURLOPT_POST, 1L);
    curl.easy_setopt(h, CURLOPT_POSTFIELDS, body);
    curl.easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)strlen(body));
    curl.easy_setopt(h, CURLOPT_HTTPHEADER, hl);
    curl.easy_setopt(h, CURLOPT_TIMEOUT_MS, timeout_ms);
    curl.easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, timeout_ms < 30000 ? timeout_ms : 30000L);
    curl.easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
    curl.easy_setopt(h, CURLOPT_WRITEDATA, &b);
    curl.easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
    curl.easy_setopt(h, CURLOPT_HEADERDATA, resp);
    curl.easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
    curl.easy_setopt(h, CURLOPT_ACCEPT_ENCODING, "");
    curl.easy_setopt(h, CURLOPT_USERAGENT, "scorekit");
    CURLcode rc = curl.easy_perform(h);
    curl.slist_free_all(hl);
    if (rc != CURLE_OK) {
        sk_buf_free(&b);
        resp->timed_out = rc == CURLE_OPERATION_TIMEDOUT;
        snprintf(resp->error, sizeof resp->error, "%s",
                 errbuf[0] ? errbuf : curl.easy_strerror(rc));
        resp->retry_after_s = -1;
        return -1;
    }
    curl.easy_getinfo(h, CURLINFO_RESPONSE_CODE, &resp->status);
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
