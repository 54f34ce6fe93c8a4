/* Error codes and the caller-owned message convention (see error.h). */
#include "base/error.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "base/util.h"

const char *sk_strerror(int code)
{
    switch (code) {
    case SK_OK: return "success";
    case SK_ENOMEM: return "out of memory";
    case SK_EIO: return "input/output error";
    case SK_EPARSE: return "malformed input";
    case SK_EINVAL: return "invalid argument";
    case SK_ENOTFOUND: return "not found";
    case SK_EABI: return "plugin ABI mismatch";
    case SK_ESCORER: return "scorer failed to open";
    case SK_EINTR: return "interrupted";
    case SK_EBUSY: return "in use by another process";
    }
    return "unknown error";
}

int sk_errf(char **err, int code, const char *fmt, ...)
{
    if (err) {
        va_list ap;
        va_start(ap, fmt);
        char *msg = sk_vasprintf(fmt, ap);
        va_end(ap);
        free(*err);
        *err = msg;
    }
    return code;
}
