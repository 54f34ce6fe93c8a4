/*
 * Starting and stopping the fake LLM server for unit tests (see
 * llm_fixture.h).  The control routes are called with libcurl directly, so
 * the fixture does not depend on the client it helps to test.
 */
#define _POSIX_C_SOURCE 200809L
#include "llm_fixture.h"

#include <check.h>
#include <cjson/cJSON.h>
#include <curl/curl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "base/util.h"

int sk_llm_fx_port;
char sk_llm_fx_url[64];
static pid_t server_pid;
static char port_file[64];

static void nap_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

void sk_llm_fx_start(const char *const *extra_args)
{
    const char *build = getenv("SK_BUILDDIR");
    ck_assert_msg(build != NULL, "SK_BUILDDIR is not set; run the tests through make check");
    char *bin = sk_asprintf("%s/tests/llm/llm_server", build);
    ck_assert_msg(access(bin, X_OK) == 0, "no test server at %s; run make check", bin);
    snprintf(port_file, sizeof port_file, "/tmp/sk_llm_port.%ld", (long)getpid());
    unlink(port_file);
    char *argv[16];
    size_t n = 0;
    argv[n++] = bin;
    argv[n++] = "--port-file";
    argv[n++] = port_file;
    for (size_t i = 0; extra_args && extra_args[i] && n < 15; i++)
        argv[n++] = (char *)extra_args[i];
    argv[n] = NULL;
    pid_t pid = fork();
    ck_assert_msg(pid >= 0, "fork failed");
    if (pid == 0) {
        execv(bin, argv);
        _exit(127);
    }
    server_pid = pid;
    free(bin);
    int port = 0;
    for (int i = 0; i < 1000 && !port; i++) {
        FILE *f = fopen(port_file, "r");
        if (f) {
            if (fscanf(f, "%d", &port) != 1)
                port = 0;
            fclose(f);
        }
        if (!port) {
            int status;
            ck_assert_msg(waitpid(pid, &status, WNOHANG) == 0, "the test server exited early");
            nap_ms(10);
        }
    }
    ck_assert_msg(port > 0, "the test server wrote no port to %s", port_file);
    sk_llm_fx_port = port;
    snprintf(sk_llm_fx_url, sizeof sk_llm_fx_url, "http://127.0.0.1:%d", port);
}

void sk_llm_fx_stop(void)
{
    if (server_pid > 0) {
        kill(server_pid, SIGTERM);
        int status;
        waitpid(server_pid, &status, 0);
        server_pid = 0;
        unlink(port_file);
    }
    sk_llm_fx_port = 0;
    sk_llm_fx_url[0] = '\0';
}

void sk_llm_fx_setup(void)
{
    sk_llm_fx_start(NULL);
}

void sk_llm_fx_teardown(void)
{
    sk_llm_fx_stop();
}

static size_t collect(char *p, size_t size, size_t n, void *ud)
{
    sk_buf_add(ud, p, size * n);
    return size * n;
}

static char *control(const char *path, int post)
{
    ck_assert_msg(sk_llm_fx_port > 0, "the test server is not running");
    CURL *h = curl_easy_init();
    ck_assert_ptr_nonnull(h);
    char *url = sk_asprintf("%s%s", sk_llm_fx_url, path);
    sk_buf b = {0};
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, 10000L);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, collect);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &b);
    if (post)
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, "");
    CURLcode rc = curl_easy_perform(h);
    curl_easy_cleanup(h);
    free(url);
    ck_assert_msg(rc == CURLE_OK, "test server %s: %s", path, curl_easy_strerror(rc));
    sk_buf_adds(&b, "");
    return b.data;
}

char *sk_llm_fx_get(const char *path)
{
    return control(path, 0);
}

char *sk_llm_fx_post(const char *path)
{
    return control(path, 1);
}

long sk_llm_fx_stat(const char *key)
{
    char *text = sk_llm_fx_get("/stats");
    cJSON *j = cJSON_Parse(text);
    const cJSON *v = cJSON_GetObjectItem(j, key);
    ck_assert_msg(cJSON_IsNumber(v), "no %s in /stats: %s", key, text);
    long n = (long)v->valuedouble;
    cJSON_Delete(j);
    free(text);
    return n;
}

void *sk_llm_fx_config(const char *api, const char *extra_json)
{
    cJSON *c = cJSON_CreateObject();
    cJSON_AddStringToObject(c, "provider", "t");
    cJSON *p = cJSON_AddObjectToObject(cJSON_AddObjectToObject(c, "providers"), "t");
    int anthropic = strcmp(api, "anthropic") == 0;
    cJSON_AddStringToObject(p, "api", api);
    char *base = sk_asprintf("%s%s", sk_llm_fx_url, anthropic ? "" : "/v1");
    cJSON_AddStringToObject(p, "base_url", base);
    free(base);
    cJSON_AddNumberToObject(p, "retry_base_ms", 10);
    cJSON_AddNumberToObject(p, "timeout_s", 10);
    if (extra_json) {
        cJSON *extra = cJSON_Parse(extra_json);
        ck_assert_msg(cJSON_IsObject(extra), "bad extra_json: %s", extra_json);
        cJSON *it = extra->child;
        while (it) {
            cJSON *next = it->next;
            cJSON *item = cJSON_DetachItemViaPointer(extra, it);
            cJSON_DeleteItemFromObjectCaseSensitive(p, item->string);
            cJSON_AddItemToObject(p, item->string, item);
            it = next;
        }
        cJSON_Delete(extra);
    }
    return c;
}
