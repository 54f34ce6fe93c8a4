/*
 * UTF-8 decoding by the well-formedness table of the Unicode standard
 * (Table 3-7): the allowed range of the second byte depends on the lead
 * byte, which is what rules out overlongs, surrogates and values above
 * U+10FFFF without decoding first and checking after.
 */
#include "base/text/utf8.h"

#include <string.h>

static int is_cont(unsigned char c)
{
    return (c & 0xC0) == 0x80;
}

size_t sk_utf8_next(const char *s, size_t n, uint32_t *cp)
{
    const unsigned char *u = (const unsigned char *)s;
    unsigned char c = u[0];
    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    size_t need;
    unsigned char lo = 0x80, hi = 0xBF; /* allowed range of the second byte */
    uint32_t v;
    if (c >= 0xC2 && c <= 0xDF) {
        need = 2;
        v = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
        need = 3;
        v = c & 0x0F;
        if (c == 0xE0)
            lo = 0xA0; /* overlong below U+0800 */
        else if (c == 0xED)
            hi = 0x9F; /* surrogates */
    } else if (c >= 0xF0 && c <= 0xF4) {
        need = 4;
        v = c & 0x07;
        if (c == 0xF0)
            lo = 0x90; /* overlong below U+10000 */
        else if (c == 0xF4)
            hi = 0x8F; /* above U+10FFFF */
    } else {
        goto bad; /* 0x80..0xC1 and 0xF5..0xFF never start a sequence */
    }
    if (n < need || u[1] < lo || u[1] > hi)
        goto bad;
    v = (v << 6) | (u[1] & 0x3F);
    for (size_t i = 2; i < need; i++) {
        if (!is_cont(u[i]))
            goto bad;
        v = (v << 6) | (u[i] & 0x3F);
    }
    *cp = v;
    return need;
bad:
    *cp = SK_UTF8_REPLACEMENT;
    return 1;
}

size_t sk_utf8_decode(const char *s, size_t n, uint32_t *out)
{
    size_t i = 0, k = 0;
    while (i < n) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x80) {
            out[k++] = c;
            i++;
            continue;
        }
        i += sk_utf8_next(s + i, n - i, &out[k++]);
    }
    return k;
}

size_t sk_utf8_count(const char *s, size_t n)
{
    size_t i = 0, k = 0;
    while (i < n) {
        /* ASCII, the bulk of most text, a word at a time */
        for (; n - i >= 8; i += 8, k += 8) {
            uint64_t w;
            memcpy(&w, s + i, 8);
            if (w & 0x8080808080808080ull)
                break;
        }
        if (i == n)
            break;
        if ((unsigned char)s[i] < 0x80) {
            i++;
        } else {
            uint32_t cp;
            i += sk_utf8_next(s + i, n - i, &cp);
        }
        k++;
    }
    return k;
}

size_t sk_utf8_encode(uint32_t cp, char out[4])
{
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (char)(0xC0 | (cp >> 6));
        out[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if ((cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF)
        cp = SK_UTF8_REPLACEMENT;
    if (cp < 0x10000) {
        out[0] = (char)(0xE0 | (cp >> 12));
        out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        out[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    out[0] = (char)(0xF0 | (cp >> 18));
    out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    out[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

int sk_utf8_is_ascii(const char *s, size_t n)
{
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t w;
        memcpy(&w, s + i, 8); /* memcpy: s need not be aligned */
        if (w & 0x8080808080808080ull)
            return 0;
    }
    for (; i < n; i++)
        if ((unsigned char)s[i] & 0x80)
            return 0;
    return 1;
}

int sk_utf8_is_valid(const char *s, size_t n)
{
    for (size_t i = 0; i < n;) {
        if ((unsigned char)s[i] < 0x80) {
            i++;
            continue;
        }
        uint32_t cp;
        size_t used = sk_utf8_next(s + i, n - i, &cp);
        if (used == 1)
            return 0; /* a lead byte alone: invalid (a valid one is 2 to 4) */
        i += used;
    }
    return 1;
}

size_t sk_utf8_repair(const char *s, size_t n, char *out)
{
    size_t o = 0;
    for (size_t i = 0; i < n;) {
        uint32_t cp;
        size_t used = (unsigned char)s[i] < 0x80 ? 1 : sk_utf8_next(s + i, n - i, &cp);
        if (used == 1 && (unsigned char)s[i] >= 0x80) {
            memcpy(out + o, "\xEF\xBF\xBD", 3);
            o += 3;
        } else {
            memcpy(out + o, s + i, used);
            o += used;
        }
        i += used;
    }
    return o;
}
