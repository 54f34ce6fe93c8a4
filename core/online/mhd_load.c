/*
 * libmicrohttpd, loaded when `scorekit serve` first starts a server.
 *
 * Debian's libmicrohttpd links GnuTLS, which brings ten more libraries
 * (p11-kit, nettle, gmp, idn2, ...): linked, every scorekit process mapped
 * and relocated them at start-up, `version` and `score` included.  So, as
 * with SQLite (store/sqlite_load.c), the core does not link it: the MHD_*
 * functions the server calls are defined here (hidden) and forward to the
 * library, dlopen'd on the first call.  A function the server starts to
 * use goes in the list below, or the link fails naming it.
 */
#include "online/mhd_load.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <microhttpd.h>

#include "base/libload.h"
#include "config.h"

#ifndef SK_MHD_SONAME
#define SK_MHD_SONAME "libmicrohttpd.so.12"
#endif

#define SK_MHD_FUNCTIONS(X)                                                                        \
    X(enum MHD_Result, MHD_add_response_header,                                                    \
      (struct MHD_Response * r, const char *header, const char *content), (r, header, content))    \
    X(struct MHD_Response *, MHD_create_response_from_buffer,                                      \
      (size_t size, void *buffer, enum MHD_ResponseMemoryMode mode), (size, buffer, mode))         \
    X(void, MHD_destroy_response, (struct MHD_Response * r), (r))                                  \
    X(const char *, MHD_lookup_connection_value,                                                   \
      (struct MHD_Connection * c, enum MHD_ValueKind kind, const char *key), (c, kind, key))       \
    X(enum MHD_Result, MHD_queue_response,                                                         \
      (struct MHD_Connection * c, unsigned int status, struct MHD_Response *r), (c, status, r))    \
    X(MHD_socket, MHD_quiesce_daemon, (struct MHD_Daemon * d), (d))                                \
    X(void, MHD_stop_daemon, (struct MHD_Daemon * d), (d))

#define FIELD(ret, name, params, args) ret(*name) params;
static struct {
    SK_MHD_FUNCTIONS(FIELD)
    struct MHD_Daemon *(*MHD_start_daemon_va)(unsigned int, uint16_t, MHD_AcceptPolicyCallback,
                                              void *, MHD_AccessHandlerCallback, void *, va_list);
    const union MHD_DaemonInfo *(*MHD_get_daemon_info)(struct MHD_Daemon *, enum MHD_DaemonInfoType,
                                                       ...);
} api;
#undef FIELD

static pthread_once_t once = PTHREAD_ONCE_INIT;
static char load_error[512]; /* empty once loaded */

static const sk_lib mhd = {"libmicrohttpd", "SCOREKIT_LIBMICROHTTPD", SK_MHD_SONAME,
                           "libmicrohttpd12", "libmicrohttpd 0.9.71"};

static void load(void)
{
    void *lib = sk_lib_open(&mhd, load_error, sizeof load_error);
#define RESOLVE(ret, name, params, args)                                                           \
    if (!lib || sk_lib_resolve(&mhd, lib, #name, &api.name, sizeof api.name, load_error,           \
                               sizeof load_error))                                                 \
        return;
    SK_MHD_FUNCTIONS(RESOLVE)
    RESOLVE(, MHD_start_daemon_va, , )
    RESOLVE(, MHD_get_daemon_info, , )
#undef RESOLVE
}

const char *sk_mhd_load(void)
{
    pthread_once(&once, load);
    return load_error[0] ? load_error : NULL;
}

/* Only sk_mhd_load's success lets a daemon start, and every other call
 * needs one of its daemons, responses or connections. */
#define FORWARD(ret, name, params, args)                                                           \
    ret name params                                                                                \
    {                                                                                              \
        return api.name args;                                                                      \
    }
SK_MHD_FUNCTIONS(FORWARD)
#undef FORWARD

struct MHD_Daemon *MHD_start_daemon(unsigned int flags, uint16_t port, MHD_AcceptPolicyCallback apc,
                                    void *apc_cls, MHD_AccessHandlerCallback dh, void *dh_cls, ...)
{
    if (sk_mhd_load())
        return NULL;
    va_list ap;
    va_start(ap, dh_cls);
    struct MHD_Daemon *d = api.MHD_start_daemon_va(flags, port, apc, apc_cls, dh, dh_cls, ap);
    va_end(ap);
    return d;
}

/* The server asks only for infos that take no further argument. */
const union MHD_DaemonInfo *MHD_get_daemon_info(struct MHD_Daemon *d,
                                                enum MHD_DaemonInfoType info_type, ...)
{
    return api.MHD_get_daemon_info(d, info_type);
}
