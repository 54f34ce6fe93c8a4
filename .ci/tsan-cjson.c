/*
 * Preloaded into the ThreadSanitizer pass of .ci/run so that it sees cJSON's
 * hidden shared state.  Every cJSON_Parse* call writes the library's static
 * `global_error`, so two threads parsing at once race; but the system
 * libcjson is not instrumented, and TSan cannot see writes it makes.  Each
 * wrapper below makes the same write where TSan can see it (an annotation,
 * as TSan's manual suggests for uninstrumented libraries), then calls the
 * real function.  In a process without TSan (the shell, grep, sqlite3 the
 * tests run) the weak __tsan_write8 is NULL and the wrappers only forward.
 */
#define _GNU_SOURCE
#include <cjson/cJSON.h>
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>

extern void __tsan_write8(void *addr) __attribute__((weak));

/* Stands for cJSON's global_error. */
static long parse_error_state;

static void touch(void)
{
    if (__tsan_write8)
        __tsan_write8(&parse_error_state);
}

static void *real(const char *name)
{
    void *f = dlsym(RTLD_NEXT, name);
    if (!f) {
        fprintf(stderr, "tsan-cjson: %s not found after the preload\n", name);
        abort();
    }
    return f;
}

cJSON *cJSON_ParseWithLengthOpts(const char *value, size_t len, const char **end, cJSON_bool nul)
{
    touch();
    cJSON *(*f)(const char *, size_t, const char **, cJSON_bool) =
        (cJSON * (*)(const char *, size_t, const char **, cJSON_bool)) real(__func__);
    return f(value, len, end, nul);
}

cJSON *cJSON_ParseWithOpts(const char *value, const char **end, cJSON_bool nul)
{
    touch();
    cJSON *(*f)(const char *, const char **, cJSON_bool) =
        (cJSON * (*)(const char *, const char **, cJSON_bool)) real(__func__);
    return f(value, end, nul);
}

cJSON *cJSON_ParseWithLength(const char *value, size_t len)
{
    touch();
    cJSON *(*f)(const char *, size_t) = (cJSON * (*)(const char *, size_t)) real(__func__);
    return f(value, len);
}

cJSON *cJSON_Parse(const char *value)
{
    touch();
    cJSON *(*f)(const char *) = (cJSON * (*)(const char *)) real(__func__);
    return f(value);
}
