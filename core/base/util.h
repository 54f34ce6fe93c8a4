/*
 * Small allocation and string helpers shared by the core.  Allocation
 * failure aborts: a scorer run cannot do anything useful without memory,
 * and checking every small allocation would hide the real error paths.
 */
#ifndef SK_UTIL_H
#define SK_UTIL_H

#include <stdarg.h>
#include <stddef.h>

#include "scorekit/plugin.h"

void *sk_xmalloc(size_t n);
void *sk_xcalloc(size_t n, size_t size);
void *sk_xrealloc(void *p, size_t n);
char *sk_xstrdup(const char *s);
/* p grown so that `need` elements of `size` bytes fit: *cap doubles (from 8)
 * until it holds them.  Returns the block, possibly moved; p may be NULL. */
void *sk_xgrow(void *p, size_t *cap, size_t need, size_t size);
char *sk_xstrndup(const char *s, size_t n);
/* Caller frees the result. */
char *sk_asprintf(const char *fmt, ...) SK_PRINTF(1, 2);
char *sk_vasprintf(const char *fmt, va_list ap);

/* A growable byte buffer, always NUL-terminated once anything was added.
 * Zero-initialise it; free with sk_buf_free. */
typedef struct sk_buf {
    char *data;
    size_t len, cap;
} sk_buf;

void sk_buf_reserve(sk_buf *b, size_t extra);
void sk_buf_add(sk_buf *b, const void *p, size_t n);
void sk_buf_adds(sk_buf *b, const char *s);
void sk_buf_addc(sk_buf *b, char c);
void sk_buf_printf(sk_buf *b, const char *fmt, ...) SK_PRINTF(2, 3);
/* Append s as a JSON string literal (quotes included): control characters
 * escaped, each invalid UTF-8 byte as U+FFFD.  Every JSON the core writes
 * by hand goes through it, so one text always becomes the same JSON. */
void sk_buf_add_json_string(sk_buf *b, const char *s, size_t n);
void sk_buf_reset(sk_buf *b);
void sk_buf_free(sk_buf *b);

/* A monotonic clock in milliseconds, for durations and deadlines. */
double sk_now_ms(void);

/* The UTC time now, ISO-8601 ("2026-12-03T23:59:59Z").  Caller frees. */
char *sk_now_utc(void);

#endif
