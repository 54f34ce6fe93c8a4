/*
 * hiredis, loaded when a stream is first opened: like libmicrohttpd
 * (mhd_load.c), the few functions stream.c calls are defined here and
 * forward to the library, so no other command maps it.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hiredis/hiredis.h>

#include "base/libload.h"
#include "config.h"

#ifndef SK_HIREDIS_SONAME
#define SK_HIREDIS_SONAME "libhiredis.so.0.14"
#endif

const char *sk_hiredis_load(void);

#define SK_REDIS_FUNCTIONS(X)                                                                      \
    X(redisContext *, redisConnectWithTimeout,                                                     \
      (const char *ip, int port, const struct timeval tv), (ip, port, tv))                         \
    X(void *, redisCommandArgv,                                                                    \
      (redisContext * c, int argc, const char **argv, const size_t *len), (c, argc, argv, len))    \
    X(int, redisSetTimeout, (redisContext * c, const struct timeval tv), (c, tv))                  \
    X(void, freeReplyObject, (void *reply), (reply))                                               \
    X(void, redisFree, (redisContext * c), (c))

#define FIELD(ret, name, params, args) ret(*name) params;
static struct {
    SK_REDIS_FUNCTIONS(FIELD)
} api;
#undef FIELD

static pthread_once_t once = PTHREAD_ONCE_INIT;
static char load_error[512];

static const sk_lib hiredis = {"hiredis", "SCOREKIT_LIBHIREDIS", SK_HIREDIS_SONAME,
                               "libhiredis0.14", "hiredis 0.14"};

static void load(void)
{
    void *lib = sk_lib_open(&hiredis, load_error, sizeof load_error);
#define RESOLVE(ret, name, params, args)                                                           \
    if (!lib || sk_lib_resolve(&hiredis, lib, #name, &api.name, sizeof api.name, load_error,       \
                               sizeof load_error))                                                 \
        return;
    SK_REDIS_FUNCTIONS(RESOLVE)
#undef RESOLVE
}

const char *sk_hiredis_load(void)
{
    pthread_once(&once, load);
    return load_error[0] ? load_error : NULL;
}

/* Only sk_hiredis_load's success lets a context be made. */
#define FORWARD(ret, name, params, args)                                                           \
    ret name params                                                                                \
    {                                                                                              \
        return api.name args;                                                                      \
    }
SK_REDIS_FUNCTIONS(FORWARD)
#undef FORWARD
