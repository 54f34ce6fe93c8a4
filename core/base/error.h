/*
 * Error codes and messages.  Library functions return 0 or a negative SK_E*
 * code and, when the caller passed a non-NULL `char **err`, a message that
 * says what was wrong, where, and what to do.  The caller frees *err.
 */
#ifndef SK_ERROR_H
#define SK_ERROR_H

#include "scorekit/plugin.h"

enum {
    SK_OK = 0,
    SK_ENOMEM = -1,
    SK_EIO = -2,       /* a file could not be read or written */
    SK_EPARSE = -3,    /* malformed input */
    SK_EINVAL = -4,    /* a bad argument, param or configuration */
    SK_ENOTFOUND = -5, /* a named scorer, plugin or file does not exist */
    SK_EABI = -6,      /* a plugin built for another ABI */
    SK_ESCORER = -7,   /* a scorer failed to open */
    SK_EINTR = -8,     /* interrupted by a signal */
    SK_EBUSY = -9      /* held by another process (a running experiment) */
};

/* Static text for a code; never NULL. */
const char *sk_strerror(int code);

/* Store a formatted message in *err (when err is not NULL; a previous
 * message is freed) and return code. */
int sk_errf(char **err, int code, const char *fmt, ...) SK_PRINTF(3, 4);

#endif
