/* Allocation and string helpers (see util.h). */
#include "base/util.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/text/utf8.h"

static void oom(size_t n)
{
    fprintf(stderr, "scorekit: out of memory allocating %zu bytes\n", n);
    abort();
}

void *sk_xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p)
        oom(n);
    return p;
}

void *sk_xcalloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size ? size : 1);
    if (!p)
        oom(n * size);
    return p;
}

void *sk_xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (!q)
        oom(n);
    return q;
}

void *sk_xgrow(void *p, size_t *cap, size_t need, size_t size)
{
    if (need <= *cap)
        return p;
    size_t c = *cap ? *cap : 8;
    while (c < need)
        c *= 2;
    if (size && c > SIZE_MAX / size)
        oom(SIZE_MAX);
    *cap = c;
    return sk_xrealloc(p, c * size);
}

char *sk_xstrndup(const char *s, size_t n)
{
    char *p = sk_xmalloc(n + 1);
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

char *sk_xstrdup(const char *s)
{
    return sk_xstrndup(s, strlen(s));
}

char *sk_vasprintf(const char *fmt, va_list ap)
{
    va_list ap2;
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap2);
    va_end(ap2);
    if (n < 0)
        return sk_xstrdup("(unformattable message)");
    char *p = sk_xmalloc((size_t)n + 1);
    vsnprintf(p, (size_t)n + 1, fmt, ap);
    return p;
}

char *sk_asprintf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *p = sk_vasprintf(fmt, ap);
    va_end(ap);
    return p;
}

void sk_buf_reserve(sk_buf *b, size_t extra)
{
    if (b->len + extra + 1 <= b->cap)
        return;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < b->len + extra + 1)
        cap *= 2;
    b->data = sk_xrealloc(b->data, cap);
    b->cap = cap;
}

void sk_buf_add(sk_buf *b, const void *p, size_t n)
{
    if (b->len + n + 1 > b->cap) /* the call only to grow: adds are many loops' inner step */
        sk_buf_reserve(b, n);
    if (n)
        memcpy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len] = '\0';
}

void sk_buf_adds(sk_buf *b, const char *s)
{
    sk_buf_add(b, s, strlen(s));
}

void sk_buf_addc(sk_buf *b, char c)
{
    if (b->len + 2 > b->cap)
        sk_buf_reserve(b, 1);
    b->data[b->len++] = c;
    b->data[b->len] = '\0';
}

void sk_buf_printf(sk_buf *b, const char *fmt, ...)
{
    /* Formatted once into the room there is; a second time only when it
     * did not fit. */
    va_list ap, ap2;
    va_start(ap, fmt);
    va_copy(ap2, ap);
    size_t room = b->cap > b->len ? b->cap - b->len : 0;
    int n = vsnprintf(room ? b->data + b->len : NULL, room, fmt, ap2);
    va_end(ap2);
    if (n > 0 && (size_t)n >= room) {
        sk_buf_reserve(b, (size_t)n);
        vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    }
    if (n > 0)
        b->len += (size_t)n;
    else if (room)
        b->data[b->len] = '\0'; /* as it was: nothing added */
    va_end(ap);
}

/* The one JSON string escaper (see util.h).  Valid UTF-8 is copied as it
 * is; each byte that is not part of a valid sequence becomes U+FFFD, as the
 * text scorers read it (text/utf8.h), so what is written is always valid
 * JSON and the same text always becomes the same JSON, whoever writes it. */
void sk_buf_add_json_string(sk_buf *b, const char *s, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    sk_buf_reserve(b, n + 2);
    sk_buf_addc(b, '"');
    size_t run = 0; /* start of the bytes not yet copied */
    size_t i = 0;
    while (i < n) {
        /* Eight bytes at a time past plain ASCII (none under 0x20, none
         * '"' or '\\', none from 0x80): the bulk of every text. */
        const uint64_t ones = 0x0101010101010101ULL, highs = 0x8080808080808080ULL;
        while (n - i >= 8) {
            uint64_t x;
            memcpy(&x, s + i, 8);
            if (x & highs)
                break;
            /* With every byte under 0x80, (v - ones) & highs is non-zero
             * exactly when a byte of v is 0, and (x - 0x20 * ones) & highs
             * when a byte of x is under 0x20. */
            uint64_t q = x ^ (ones * '"'), bs = x ^ (ones * '\\');
            if (((x - ones * 0x20) | (q - ones) | (bs - ones)) & highs)
                break;
            i += 8;
        }
        if (i >= n)
            break;
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x80) {
            uint32_t cp;
            size_t used = sk_utf8_next(s + i, n - i, &cp);
            if (used > 1) { /* valid: an invalid byte decodes alone */
                i += used;
                continue;
            }
            sk_buf_add(b, s + run, i - run);
            sk_buf_add(b, "\xEF\xBF\xBD", 3);
            run = ++i;
            continue;
        }
        if (c >= 0x20 && c != '"' && c != '\\') {
            i++;
            continue;
        }
        sk_buf_add(b, s + run, i - run);
        run = ++i;
        switch (c) {
        case '"': sk_buf_add(b, "\\\"", 2); break;
        case '\\': sk_buf_add(b, "\\\\", 2); break;
        case '\n': sk_buf_add(b, "\\n", 2); break;
        case '\r': sk_buf_add(b, "\\r", 2); break;
        case '\t': sk_buf_add(b, "\\t", 2); break;
        case '\b': sk_buf_add(b, "\\b", 2); break;
        case '\f': sk_buf_add(b, "\\f", 2); break;
        default: {
            char u[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
            sk_buf_add(b, u, 6);
        }
        }
    }
    sk_buf_add(b, s + run, n - run);
    sk_buf_addc(b, '"');
}

void sk_buf_reset(sk_buf *b)
{
    b->len = 0;
    if (b->data)
        b->data[0] = '\0';
}

void sk_buf_free(sk_buf *b)
{
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}

double sk_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

char *sk_now_utc(void)
{
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    char buf[32];
    strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return sk_xstrdup(buf);
}
