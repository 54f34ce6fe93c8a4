/*
 * A reference JSON checker for the row scanner's randomized tests, written
 * straight from the RFC 8259 grammar and as differently from row.c as is
 * reasonable: recursive descent, and UTF-8 checked by computing each code
 * point.  It only says yes or no; a disagreement with row.c is the bug
 * report.
 */
#include "json_ref.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct ref {
    const unsigned char *p, *end;
    int depth;
} ref;

static int ref_value(ref *r);

static void ref_ws(ref *r)
{
    while (r->p < r->end && strchr(" \t\n\r", *r->p) && *r->p)
        r->p++;
}

static int ref_utf8(ref *r)
{
    unsigned c = *r->p;
    int n;
    unsigned long cp, min;
    if (c >= 0xC0 && c < 0xE0) {
        n = 1, cp = c & 0x1F, min = 0x80;
    } else if (c >= 0xE0 && c < 0xF0) {
        n = 2, cp = c & 0x0F, min = 0x800;
    } else if (c >= 0xF0 && c < 0xF8) {
        n = 3, cp = c & 0x07, min = 0x10000;
    } else {
        return 0;
    }
    if (r->end - r->p <= n)
        return 0;
    for (int i = 1; i <= n; i++) {
        if ((r->p[i] & 0xC0) != 0x80)
            return 0;
        cp = cp << 6 | (r->p[i] & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    r->p += n + 1;
    return 1;
}

static int ref_string(ref *r)
{
    r->p++;
    for (;;) {
        if (r->p >= r->end)
            return 0;
        unsigned char c = *r->p;
        if (c == '"') {
            r->p++;
            return 1;
        }
        if (c < 0x20)
            return 0;
        if (c == '\\') {
            if (r->end - r->p < 2)
                return 0;
            c = r->p[1];
            if (c == 'u') {
                if (r->end - r->p < 6)
                    return 0;
                for (int i = 2; i < 6; i++)
                    if (!strchr("0123456789abcdefABCDEF", r->p[i]) || !r->p[i])
                        return 0;
                r->p += 6;
            } else if (c && strchr("\"\\/bfnrt", c)) {
                r->p += 2;
            } else {
                return 0;
            }
        } else if (c < 0x80) {
            r->p++;
        } else if (!ref_utf8(r)) {
            return 0;
        }
    }
}

static int ref_digits(ref *r)
{
    const unsigned char *s = r->p;
    while (r->p < r->end && *r->p >= '0' && *r->p <= '9')
        r->p++;
    return r->p > s;
}

/* Beyond the range of a double: scorekit's own limit, not RFC 8259's, and
 * judged here by strtod alone. */
static int ref_too_large(const unsigned char *p, size_t n)
{
    char *s = malloc(n + 1);
    if (!s)
        abort();
    memcpy(s, p, n);
    s[n] = '\0';
    int inf = isinf(strtod(s, NULL));
    free(s);
    return inf;
}

static int ref_number(ref *r)
{
    const unsigned char *start = r->p;
    if (*r->p == '-')
        r->p++;
    if (r->p < r->end && *r->p == '0')
        r->p++;
    else if (!ref_digits(r))
        return 0;
    if (r->p < r->end && *r->p == '.') {
        r->p++;
        if (!ref_digits(r))
            return 0;
    }
    if (r->p < r->end && (*r->p == 'e' || *r->p == 'E')) {
        r->p++;
        if (r->p < r->end && (*r->p == '+' || *r->p == '-'))
            r->p++;
        if (!ref_digits(r))
            return 0;
    }
    return !ref_too_large(start, (size_t)(r->p - start));
}

static int ref_lit(ref *r, const char *w)
{
    size_t n = strlen(w);
    if ((size_t)(r->end - r->p) < n || memcmp(r->p, w, n) != 0)
        return 0;
    r->p += n;
    return 1;
}

static int ref_value(ref *r)
{
    ref_ws(r);
    if (r->p >= r->end)
        return 0;
    switch (*r->p) {
    case '{':
    case '[': {
        char close = *r->p == '{' ? '}' : ']';
        int obj = close == '}';
        if (++r->depth > 512)
            return 0;
        r->p++;
        ref_ws(r);
        if (r->p < r->end && *r->p == close) {
            r->p++;
            r->depth--;
            return 1;
        }
        for (;;) {
            if (obj) {
                ref_ws(r);
                if (r->p >= r->end || *r->p != '"' || !ref_string(r))
                    return 0;
                ref_ws(r);
                if (r->p >= r->end || *r->p != ':')
                    return 0;
                r->p++;
            }
            if (!ref_value(r))
                return 0;
            ref_ws(r);
            if (r->p >= r->end)
                return 0;
            if (*r->p == close) {
                r->p++;
                r->depth--;
                return 1;
            }
            if (*r->p != ',')
                return 0;
            r->p++;
        }
    }
    case '"': return ref_string(r);
    case 't': return ref_lit(r, "true");
    case 'f': return ref_lit(r, "false");
    case 'n': return ref_lit(r, "null");
    default:
        if (*r->p == '-' || (*r->p >= '0' && *r->p <= '9'))
            return ref_number(r);
        return 0;
    }
}

int sk_ref_json_valid(const char *p, size_t n)
{
    ref r = {(const unsigned char *)p, (const unsigned char *)p + n, 0};
    if (!ref_value(&r))
        return 0;
    ref_ws(&r);
    return r.p == r.end;
}
