/*
 * The JSON row scanner (see row.h).  One pass over the bytes with an explicit
 * stack of open containers (never recursion, so a hostile line cannot
 * overflow the C stack), remembering the byte range of each wanted top-level
 * member.  Strings dominate a row's bytes, so runs of plain string bytes are
 * skipped sixteen (SSE2) or eight at a time; only bytes >= 0x80 go through
 * UTF-8 validation.
 */
#include "base/row.h"

#include <float.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "base/error.h"
#include "base/hash.h"

typedef const unsigned char *cursor;

typedef struct scanner {
    cursor begin, end;
    char *err;
    size_t errlen;
    size_t at;    /* byte offset of the error fail() reported last */
    char got[32]; /* the text of the last describe() */
    int trusted;  /* the text was validated before: only find the spans */
    int bare;     /* sk_json_check: messages carry no "column N: " prefix */
    /* the first top-level key not wanted (sk_row_scan_known) */
    sk_span unknown;
} scanner;

static int fail(scanner *s, cursor at, const char *fmt, ...) SK_PRINTF(3, 4);
static size_t decode_raw(cursor p, cursor end, unsigned char *o);

static int fail(scanner *s, cursor at, const char *fmt, ...)
{
    s->at = (size_t)(at - s->begin);
    if (s->err && s->errlen) {
        int n = s->bare ? 0 : snprintf(s->err, s->errlen, "column %zu: ", s->at + 1);
        if (n >= 0 && (size_t)n < s->errlen) {
            va_list ap;
            va_start(ap, fmt);
            vsnprintf(s->err + n, s->errlen - (size_t)n, fmt, ap);
            va_end(ap);
        }
    }
    return SK_EPARSE;
}

static inline cursor skip_ws(cursor p, cursor end)
{
    while (p < end && (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t'))
        p++;
    return p;
}

/* 1 for bytes that end a run of plain string bytes: control characters,
 * '"', '\\', and everything >= 0x80 (UTF-8, checked separately). */
// clang-format off
#define ALL1 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1
#define ALL0 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0
static const unsigned char stop_byte[256] = {
    ALL1, ALL1,                                     /* 0x00-0x1f */
    0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* 0x20-0x2f: '"' */
    ALL0, ALL0,                                     /* 0x30-0x4f */
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, /* 0x50-0x5f: '\\' */
    ALL0, ALL0,                                     /* 0x60-0x7f */
    ALL1, ALL1, ALL1, ALL1, ALL1, ALL1, ALL1, ALL1, /* 0x80-0xff */
};
// clang-format on

#define ONES  0x0101010101010101ULL
#define HIGHS 0x8080808080808080ULL

/* Non-zero when any of the 8 bytes in v is a stop byte.  The classic
 * "has a zero byte" trick may flag extra bytes next to a real hit, but never
 * flags a word without one, which is all a skip test needs. */
static inline uint64_t has_stop(uint64_t v)
{
    uint64_t q = v ^ (ONES * '"');
    uint64_t b = v ^ (ONES * '\\');
    uint64_t lt = (v - ONES * 0x20) & ~v;
    uint64_t zq = (q - ONES) & ~q;
    uint64_t zb = (b - ONES) & ~b;
    return ((lt | zq | zb) & HIGHS) | (v & HIGHS);
}

/* How many bytes of the word precede its first stop byte, given has_stop's
 * result.  The false flags only ever follow a real hit (a borrow moves up
 * from it), so on a little-endian machine the lowest flag is exact; other
 * machines let the byte loop after it find the stop. */
static inline size_t first_stop(uint64_t hit)
{
#if defined(__GNUC__) && defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    return (size_t)__builtin_ctzll(hit) / 8;
#else
    (void)hit;
    return 0;
#endif
}

/* The first stop byte in [p, end), or end.  Sixteen bytes at a time where
 * SSE2 is (every x86-64): as signed bytes, controls and everything >= 0x80
 * are both below 0x20, so three compares find every stop byte. */
static inline cursor skip_plain(cursor p, cursor end)
{
#ifdef __SSE2__
    const __m128i space = _mm_set1_epi8(0x20), quote = _mm_set1_epi8('"');
    const __m128i backslash = _mm_set1_epi8('\\');
    while (end - p >= 16) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);
        __m128i stop =
            _mm_or_si128(_mm_cmplt_epi8(v, space),
                         _mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, backslash)));
        unsigned mask = (unsigned)_mm_movemask_epi8(stop);
        if (mask)
            return p + __builtin_ctz(mask);
        p += 16;
    }
#endif
    while (end - p >= 8) {
        uint64_t v;
        memcpy(&v, p, 8);
        uint64_t hit = has_stop(v);
        if (hit) {
            p += first_stop(hit);
            break;
        }
        p += 8;
    }
    while (p < end && !stop_byte[*p])
        p++;
    return p;
}

static inline int is_cont(unsigned char c)
{
    return (c & 0xC0) == 0x80;
}

/* What is wrong with the UTF-8 sequence at a lead byte >= 0x80. */
enum utf8_fault {
    U8_OK,
    U8_CONTINUATION, /* a continuation byte where a sequence should start */
    U8_OVERLONG_LEAD,
    U8_NEVER, /* 0xF5-0xFF */
    U8_TRUNCATED,
    U8_OVERLONG,
    U8_SURROGATE,
    U8_TOO_BIG
};

/* Classify the sequence whose lead byte (>= 0x80) is at p.  *len receives
 * its length: the length it should have when it is truncated.  Inline: it
 * runs for every non-ASCII character in a file. */
static inline enum utf8_fault utf8_fault(cursor p, cursor end, size_t *len)
{
    unsigned c = p[0];
    size_t left = (size_t)(end - p);
    *len = 1;
    if (c < 0xC0)
        return U8_CONTINUATION;
    if (c < 0xC2)
        return U8_OVERLONG_LEAD;
    size_t need;
    unsigned lo = 0x80, hi = 0xBF; /* allowed range of the second byte */
    if (c < 0xE0) {
        need = 1;
    } else if (c < 0xF0) {
        need = 2;
        if (c == 0xE0)
            lo = 0xA0;
        else if (c == 0xED)
            hi = 0x9F;
    } else if (c < 0xF5) {
        need = 3;
        if (c == 0xF0)
            lo = 0x90;
        else if (c == 0xF4)
            hi = 0x8F;
    } else {
        return U8_NEVER;
    }
    *len = need + 1;
    for (size_t i = 1; i <= need; i++)
        if (i >= left || !is_cont(p[i]))
            return U8_TRUNCATED;
    if (p[1] < lo)
        return U8_OVERLONG;
    if (p[1] > hi)
        return c == 0xED ? U8_SURROGATE : U8_TOO_BIG;
    return U8_OK;
}

/* Validate the UTF-8 sequence whose lead byte (>= 0x80) is at p.  Returns the
 * byte after it, or NULL after reporting the error. */
static cursor check_utf8(scanner *s, cursor p)
{
    size_t len;
    const char *why = NULL;
    switch (utf8_fault(p, s->end, &len)) {
    case U8_OK: return p + len;
    case U8_CONTINUATION:
        fail(s, p, "invalid UTF-8 in string: unexpected continuation byte 0x%02X", p[0]);
        return NULL;
    case U8_OVERLONG_LEAD:
        fail(s, p, "invalid UTF-8 in string: overlong encoding (lead byte 0x%02X)", p[0]);
        return NULL;
    case U8_NEVER:
        fail(s, p, "invalid UTF-8 in string: byte 0x%02X never occurs in UTF-8", p[0]);
        return NULL;
    case U8_TRUNCATED:
        fail(s, p, "invalid UTF-8 in string: truncated %zu-byte sequence", len);
        return NULL;
    case U8_OVERLONG: why = "overlong encoding"; break;
    case U8_SURROGATE: why = "UTF-16 surrogate code point encoded as UTF-8"; break;
    case U8_TOO_BIG: why = "code point above U+10FFFF"; break;
    }
    fail(s, p, "invalid UTF-8 in string: %s", why);
    return NULL;
}

/* What the user wrote at `p`, for "expected X, got Y" messages.  Anything
 * but printable ASCII is named by its code point, as editors show it. */
static const char *describe(scanner *s, cursor p)
{
    size_t len;
    if (p >= s->end) {
        snprintf(s->got, sizeof s->got, "end of input");
    } else if (*p >= 0x20 && *p < 0x7f) {
        snprintf(s->got, sizeof s->got, "'%c'", *p);
    } else if (*p < 0x80) {
        snprintf(s->got, sizeof s->got, "character U+%04X", *p);
    } else if (utf8_fault(p, s->end, &len) != U8_OK) {
        snprintf(s->got, sizeof s->got, "byte 0x%02X (invalid UTF-8)", *p);
    } else {
        unsigned long cp = p[0] & (0x7Fu >> len);
        for (size_t i = 1; i < len; i++)
            cp = cp << 6 | (p[i] & 0x3Fu);
        if (cp == 0xFEFF) /* often pasted in front of a whole text */
            snprintf(s->got, sizeof s->got, "byte order mark U+FEFF");
        else
            snprintf(s->got, sizeof s->got, "character U+%04lX", cp);
    }
    return s->got;
}

static int hexval(unsigned char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c |= 0x20;
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

/* The value of 4 hex digits at p (with p + 4 <= end checked by the caller),
 * or -1. */
static long hex4(cursor p)
{
    long v = 0;
    for (int i = 0; i < 4; i++) {
        int h = hexval(p[i]);
        if (h < 0)
            return -1;
        v = v * 16 + h;
    }
    return v;
}

/* For text validated before: the closing quote is the first one not
 * preceded by an odd run of backslashes, and memchr finds candidates far
 * faster than a byte loop.  Still bounded by `end`, so text that changed
 * since it was validated fails cleanly rather than overruns. */
static cursor skip_string_trusted(scanner *s, cursor q, int *escaped)
{
    cursor p = q + 1, end = s->end;
    for (;;) {
        cursor c = memchr(p, '"', (size_t)(end - p));
        if (!c)
            break;
        size_t bs = 0;
        while (c - bs > q + 1 && c[-1 - (ptrdiff_t)bs] == '\\')
            bs++;
        if (bs)
            *escaped = 1;
        if (bs % 2 == 0) {
            if (!*escaped && memchr(q + 1, '\\', (size_t)(c - q - 1)))
                *escaped = 1;
            return c + 1;
        }
        p = c + 1;
    }
    fail(s, q, "string never closed (missing '\"')");
    return NULL;
}

/* scan_string from p, a byte inside the string whose opening quote is at
 * q: escapes, UTF-8 and errors. */
static cursor scan_string_rest(scanner *s, cursor q, cursor p, int *escaped)
{
    cursor end = s->end;
    for (;;) {
        p = skip_plain(p, end);
        if (p == end)
            break;
        unsigned char c = *p;
        if (c == '"')
            return p + 1;
        if (c == '\\') {
            *escaped = 1;
            if (end - p < 2)
                break;
            switch (p[1]) {
            case '"':
            case '\\':
            case '/':
            case 'b':
            case 'f':
            case 'n':
            case 'r':
            case 't': p += 2; continue;
            case 'u': {
                size_t avail = (size_t)(end - p) - 2;
                if (avail > 4)
                    avail = 4;
                for (size_t i = 0; i < avail; i++) {
                    if (hexval(p[2 + i]) < 0) {
                        fail(s, p,
                             "invalid escape in string: \\u must be followed by 4 hex digits");
                        return NULL;
                    }
                }
                if (avail < 4)
                    break;
                p += 6;
                continue;
            }
            default:
                if (p[1] > 0x20 && p[1] < 0x7f)
                    fail(s, p,
                         "invalid escape \\%c in string: a backslash must be followed by one of "
                         "\" \\ / b f n r t u",
                         p[1]);
                else
                    fail(s, p,
                         "invalid escape in string: a backslash must be followed by one of "
                         "\" \\ / b f n r t u");
                return NULL;
            }
            break; /* a \u cut short by the end of input */
        }
        if (c < 0x20) {
            fail(s, p, "unescaped control character U+%04X in string (write it as \\u%04X)", c, c);
            return NULL;
        }
        p = check_utf8(s, p);
        if (!p)
            return NULL;
    }
    fail(s, q, "string never closed (missing '\"')");
    return NULL;
}

/* Scan the string whose opening quote is at q.  Returns the byte after the
 * closing quote, or NULL after reporting the error; *escaped tells whether
 * the string holds a backslash. */
static inline cursor scan_string(scanner *s, cursor q, int *escaped)
{
    if (s->trusted)
        return skip_string_trusted(s, q, escaped);
    /* Most strings are plain bytes up to the closing quote: found inline,
     * without a call. */
    cursor p = skip_plain(q + 1, s->end);
    if (p < s->end && *p == '"')
        return p + 1;
    return scan_string_rest(s, q, p, escaped);
}

static inline int is_digit(unsigned char c)
{
    return c >= '0' && c <= '9';
}

/* 1 when the number literal [p, end) (valid by the grammar) is beyond the
 * range of a double.  Its decimal exponent is known from the digits alone
 * except within one power of ten of the limit, where strtod decides. */
static int number_overflows(cursor p, cursor end, cursor int_end, long exp)
{
    cursor q = p + (*p == '-');
    long long mag; /* the value lies in [10^(mag-1), 10^mag) */
    cursor first = q;
    while (first < int_end && *first == '0')
        first++;
    if (first < int_end) {
        mag = (long long)(int_end - first) + exp;
    } else {
        first = int_end < end && *int_end == '.' ? int_end + 1 : int_end;
        cursor d = first;
        while (d < end && *d == '0')
            d++;
        if (d == end || !is_digit(*d))
            return 0; /* zero, whatever its exponent */
        mag = -(long long)(d - first) + exp;
    }
    if (mag <= DBL_MAX_10_EXP)
        return 0;
    if (mag > DBL_MAX_10_EXP + 1)
        return 1;
    size_t n = (size_t)(end - p);
    char small[64], *buf = n < sizeof small ? small : sk_xmalloc(n + 1);
    memcpy(buf, p, n);
    buf[n] = '\0';
    int over = isinf(strtod(buf, NULL));
    if (buf != small)
        free(buf);
    return over;
}

static cursor scan_number(scanner *s, cursor p)
{
    cursor end = s->end, start = p, int_end;
    long exp = 0;
    if (*p == '-') {
        p++;
        if (p == end || !is_digit(*p)) {
            fail(s, p, "expected a digit after '-' in number, got %s", describe(s, p));
            return NULL;
        }
    }
    if (*p == '0') {
        if (p + 1 < end && is_digit(p[1])) {
            fail(s, p, "leading zero in number (write 7, not 07)");
            return NULL;
        }
        p++;
    } else {
        while (p < end && is_digit(*p))
            p++;
    }
    int_end = p;
    if (p < end && *p == '.') {
        p++;
        if (p == end || !is_digit(*p)) {
            fail(s, p, "expected a digit after '.' in number, got %s", describe(s, p));
            return NULL;
        }
        while (p < end && is_digit(*p))
            p++;
    }
    if (p < end && (*p == 'e' || *p == 'E')) {
        p++;
        int neg = p < end && *p == '-';
        if (p < end && (*p == '+' || *p == '-'))
            p++;
        if (p == end || !is_digit(*p)) {
            fail(s, p, "expected a digit in the exponent of number, got %s", describe(s, p));
            return NULL;
        }
        for (; p < end && is_digit(*p); p++)
            if (exp < 100000000) /* far beyond any double; saturating keeps it exact enough */
                exp = exp * 10 + (*p - '0');
        if (neg)
            exp = -exp;
    }
    /* Only a number with an exponent or over 308 digits can be out of range. */
    if ((exp || int_end - start > DBL_MAX_10_EXP) && number_overflows(start, p, int_end, exp)) {
        size_t n = (size_t)(p - start);
        fail(s, start,
             "number %.*s%s is too large for a double (the limit is about 1.8e308); write it as a "
             "string to keep it",
             (int)(n > 24 ? 24 : n), (const char *)start, n > 24 ? "..." : "");
        return NULL;
    }
    return p;
}

static inline int is_letter(unsigned char c)
{
    c |= 0x20;
    return c >= 'a' && c <= 'z';
}

/* 1 when the n letters at p spell `word` (lower case) in any case. */
static int spells(cursor p, size_t n, const char *word)
{
    if (strlen(word) != n)
        return 0;
    for (size_t i = 0; i < n; i++)
        if ((p[i] | 0x20) != (unsigned char)word[i])
            return 0;
    return 1;
}

/* A bare word: only true, false and null are JSON. */
static cursor scan_word(scanner *s, cursor p)
{
    cursor q = p;
    while (q < s->end && is_letter(*q))
        q++;
    size_t n = (size_t)(q - p);
    if ((n == 4 && memcmp(p, "true", 4) == 0) || (n == 4 && memcmp(p, "null", 4) == 0) ||
        (n == 5 && memcmp(p, "false", 5) == 0))
        return q;
    /* True, FALSE, Null: what Python and some YAML write. */
    if (spells(p, n, "true") || spells(p, n, "false") || spells(p, n, "null")) {
        fail(s, p, "invalid literal '%.*s' (true, false and null are lower case)", (int)n,
             (const char *)p);
        return NULL;
    }
    fail(s, p,
         "invalid literal '%.*s%s' (JSON has only true, false and null; strings need double "
         "quotes)",
         (int)(n > 20 ? 20 : n), (const char *)p, n > 20 ? "..." : "");
    return NULL;
}

static int value_error(scanner *s, cursor p)
{
    if (p < s->end) {
        switch (*p) {
        case '\'': return fail(s, p, "expected a value, got '''; JSON strings use double quotes");
        case '/': return fail(s, p, "comments are not allowed in JSON");
        case '+': return fail(s, p, "a number cannot start with '+'");
        case '.': return fail(s, p, "a number needs a digit before '.'");
        }
    }
    return fail(s, p, "expected a value, got %s", describe(s, p));
}

/* 1 when the C string w is the n bytes at k.  A loop, not strlen and
 * memcmp: keys are a few bytes, and this runs for every member of a row. */
static inline int key_is(const char *w, cursor k, size_t n)
{
    size_t j = 0;
    while (j < n && w[j] && (unsigned char)w[j] == k[j]) /* a key may hold a NUL (\u0000) */
        j++;
    return j == n && w[j] == '\0';
}

/* Index of the wanted key equal to the key text k[0..n) (raw, between the
 * quotes), or nkeys. */
static size_t find_key(cursor k, size_t n, int escaped, const char *const *keys, size_t nkeys)
{
    unsigned char small[256], *tmp = NULL;
    if (escaped) {
        unsigned char *out = n <= sizeof small ? small : (tmp = sk_xmalloc(n));
        n = decode_raw(k, k + n, out);
        k = out;
    }
    size_t i;
    for (i = 0; i < nkeys && !key_is(keys[i], k, n); i++)
        ;
    if (tmp)
        free(tmp);
    return i;
}

/* For a quote where a key should be: single quotes are the usual slip. */
static const char *key_hint(scanner *s, cursor p)
{
    return p < s->end && *p == '\'' ? "; JSON strings use double quotes" : "";
}

/* After an error at the end of the input inside a container, name the
 * closing bracket that is missing (the innermost one). */
static void note_missing(scanner *s, unsigned char object)
{
    if (!s->err || !s->errlen)
        return;
    size_t n = strlen(s->err);
    snprintf(s->err + n, s->errlen - n, " (missing '%c')", object ? '}' : ']');
}

#define NONE ((size_t)-1)

/* Report an error in scan_text and leave through its one exit. */
#define FAIL(...)                                                                                  \
    do {                                                                                           \
        fail(s, __VA_ARGS__);                                                                      \
        goto error;                                                                                \
    } while (0)

static int scan_text(scanner *s, const char *const *keys, size_t nkeys, sk_span *spans)
{
    unsigned char stack[SK_JSON_MAX_DEPTH]; /* 1: object, 0: array */
    size_t depth = 0;
    cursor p = s->begin, end = s->end;
    size_t want = NONE; /* the wanted key whose value is being scanned */
    cursor vstart = NULL;

value:
    p = skip_ws(p, end);
    if (want != NONE && depth == 1)
        vstart = p;
    if (p == end) {
        value_error(s, p);
        goto error;
    }
    switch (*p) {
    case '{':
        if (depth == SK_JSON_MAX_DEPTH)
            FAIL(p, "nesting deeper than %d levels", SK_JSON_MAX_DEPTH);
        stack[depth++] = 1;
        p = skip_ws(p + 1, end);
        if (p < end && *p == '}') {
            p++;
            depth--;
            goto after;
        }
        if (p < end && *p == '"')
            goto key;
        FAIL(p, "expected a double-quoted key or '}' in object, got %s%s", describe(s, p),
             key_hint(s, p));
    case '[':
        if (depth == SK_JSON_MAX_DEPTH)
            FAIL(p, "nesting deeper than %d levels", SK_JSON_MAX_DEPTH);
        stack[depth++] = 0;
        p = skip_ws(p + 1, end);
        if (p < end && *p == ']') {
            p++;
            depth--;
            goto after;
        }
        goto value;
    case '"': {
        int esc = 0;
        p = scan_string(s, p, &esc);
        if (!p)
            goto error;
        goto after;
    }
    case '-':
    case '0':
    case '1':
    case '2':
    case '3':
    case '4':
    case '5':
    case '6':
    case '7':
    case '8':
    case '9':
        p = scan_number(s, p);
        if (!p)
            goto error;
        goto after;
    default:
        if (!is_letter(*p)) {
            value_error(s, p);
            goto error;
        }
        p = scan_word(s, p);
        if (!p)
            goto error;
        goto after;
    }

key : {
    /* p is at the opening quote of a member name. */
    cursor q = p;
    int esc = 0;
    p = scan_string(s, q, &esc);
    if (!p)
        goto error;
    if (depth == 1 && nkeys) {
        size_t i = find_key(q + 1, (size_t)(p - q) - 2, esc, keys, nkeys);
        if (i < nkeys) {
            if (spans[i].p)
                FAIL(q, "duplicate key \"%s\"", keys[i]);
            want = i;
        } else if (!s->unknown.p) {
            s->unknown = (sk_span){(const char *)q, (size_t)(p - q)};
        }
    }
    p = skip_ws(p, end);
    if (p == end || *p != ':')
        FAIL(p, "expected ':' after object key, got %s", describe(s, p));
    p++;
    goto value;
}

after:
    if (want != NONE && depth == 1) {
        spans[want].p = (const char *)vstart;
        spans[want].n = (size_t)(p - vstart);
        want = NONE;
    }
    if (depth == 0)
        goto done;
    p = skip_ws(p, end);
    if (p == end) {
        /* Said plainly rather than "expected ',' or ']', got end of input":
         * a cut-off output is the usual cause. */
        return fail(s, p, "input ends inside %s (missing '%c')",
                    stack[depth - 1] ? "an object" : "an array", stack[depth - 1] ? '}' : ']');
    }
    if (stack[depth - 1]) {
        if (p < end && *p == ',') {
            p = skip_ws(p + 1, end);
            if (p < end && *p == '"')
                goto key;
            if (p < end && *p == '}')
                FAIL(p, "trailing comma in object");
            FAIL(p, "expected a double-quoted key after ',' in object, got %s%s", describe(s, p),
                 key_hint(s, p));
        }
        if (p < end && *p == '}') {
            p++;
            depth--;
            goto after;
        }
        FAIL(p, "expected ',' or '}' after object member, got %s", describe(s, p));
    }
    if (p < end && *p == ',') {
        p = skip_ws(p + 1, end);
        if (p < end && *p == ']')
            FAIL(p, "trailing comma in array");
        goto value;
    }
    if (p < end && *p == ']') {
        p++;
        depth--;
        goto after;
    }
    FAIL(p, "expected ',' or ']' after array element, got %s", describe(s, p));

done:
    p = skip_ws(p, end);
    if (p != end)
        FAIL(p, "unexpected %s after the end of the JSON value (only one value allowed)",
             describe(s, p));
    return 0;

error:
    if (depth && s->at == (size_t)(end - s->begin))
        note_missing(s, stack[depth - 1]);
    return SK_EPARSE;
}

#undef FAIL

int sk_json_validate(const char *p, size_t n, char *err, size_t errlen)
{
    scanner s = {.begin = (cursor)p, .end = (cursor)p + n, .err = err, .errlen = errlen};
    return scan_text(&s, NULL, 0, NULL);
}

int sk_json_check(const char *p, size_t n, size_t *at, char *why, size_t whylen)
{
    scanner s = {.begin = (cursor)p, .end = (cursor)p + n, .err = why, .errlen = whylen, .bare = 1};
    if (why && whylen)
        why[0] = '\0';
    int rc = scan_text(&s, NULL, 0, NULL);
    if (at)
        *at = rc ? s.at : 0;
    return rc;
}

/* The JSON type a value starting at p would be, for the "must be an object"
 * message; NULL for a bare word (true, false, null or a typo), which the full
 * scan then tells apart. */
static const char *kind_of(cursor p)
{
    switch (*p) {
    case '[': return "an array";
    case '"': return "a string";
    }
    if (*p == '-' || is_digit(*p))
        return "a number";
    return NULL;
}

static int row_scan(const char *line, size_t len, const char *const *keys, size_t nkeys,
                    sk_span *spans, char *err, size_t errlen, int trusted, sk_span *unknown)
{
    scanner s = {.begin = (cursor)line,
                 .end = (cursor)line + len,
                 .err = err,
                 .errlen = errlen,
                 .trusted = trusted};
    if (unknown)
        *unknown = (sk_span){NULL, 0};
    for (size_t i = 0; i < nkeys; i++)
        spans[i] = (sk_span){NULL, 0};
    /* Say "not an object" before any syntax error further on: a row that is
     * an array is wrong whatever its contents. */
    cursor p = skip_ws(s.begin, s.end);
    if (p == s.end)
        return fail(&s, p, "a row must be a JSON object, got an empty line");
    if (*p != '{') {
        const char *kind = kind_of(p);
        if (kind)
            return fail(&s, p, "a row must be a JSON object, got %s", kind);
    }
    int rc = scan_text(&s, keys, nkeys, spans);
    if (rc == 0 && *p != '{') /* a valid bare true, false or null */
        rc = fail(&s, p, "a row must be a JSON object, got %s",
                  *p == 't'   ? "true"
                  : *p == 'f' ? "false"
                              : "null");
    if (rc)
        for (size_t i = 0; i < nkeys; i++)
            spans[i] = (sk_span){NULL, 0};
    else if (unknown)
        *unknown = s.unknown;
    return rc;
}

int sk_row_scan(const char *line, size_t len, const char *const *keys, size_t nkeys, sk_span *spans,
                char *err, size_t errlen)
{
    return row_scan(line, len, keys, nkeys, spans, err, errlen, 0, NULL);
}

int sk_row_scan_known(const char *line, size_t len, const char *const *keys, size_t nkeys,
                      sk_span *spans, sk_span *unknown, char *err, size_t errlen)
{
    return row_scan(line, len, keys, nkeys, spans, err, errlen, 0, unknown);
}

int sk_row_scan_trusted(const char *line, size_t len, const char *const *keys, size_t nkeys,
                        sk_span *spans, char *err, size_t errlen)
{
    return row_scan(line, len, keys, nkeys, spans, err, errlen, 1, NULL);
}

static unsigned char *put_utf8(unsigned char *o, unsigned long u)
{
    if (u < 0x80) {
        *o++ = (unsigned char)u;
    } else if (u < 0x800) {
        *o++ = (unsigned char)(0xC0 | (u >> 6));
        *o++ = (unsigned char)(0x80 | (u & 0x3F));
    } else if (u < 0x10000) {
        *o++ = (unsigned char)(0xE0 | (u >> 12));
        *o++ = (unsigned char)(0x80 | ((u >> 6) & 0x3F));
        *o++ = (unsigned char)(0x80 | (u & 0x3F));
    } else {
        *o++ = (unsigned char)(0xF0 | (u >> 18));
        *o++ = (unsigned char)(0x80 | ((u >> 12) & 0x3F));
        *o++ = (unsigned char)(0x80 | ((u >> 6) & 0x3F));
        *o++ = (unsigned char)(0x80 | (u & 0x3F));
    }
    return o;
}

/* Decode the string body [p, end) into o, which has room for end - p bytes:
 * no escape decodes to more bytes than it is written with.  Malformed escapes
 * (impossible after validation) are copied as they are. */
static size_t decode_raw(cursor p, cursor end, unsigned char *o)
{
    unsigned char *o0 = o;
    while (p < end) {
        cursor bs = memchr(p, '\\', (size_t)(end - p));
        size_t run = (size_t)((bs ? bs : end) - p);
        memcpy(o, p, run);
        o += run;
        p += run;
        if (!bs)
            break;
        if (end - p < 2) {
            *o++ = *p++;
            continue;
        }
        unsigned char c = p[1];
        switch (c) {
        case 'b': c = '\b'; break;
        case 'f': c = '\f'; break;
        case 'n': c = '\n'; break;
        case 'r': c = '\r'; break;
        case 't': c = '\t'; break;
        case '"':
        case '\\':
        case '/': break;
        case 'u': {
            long u = end - p >= 6 ? hex4(p + 2) : -1;
            if (u < 0) {
                *o++ = *p++;
                continue;
            }
            p += 6;
            if (u >= 0xD800 && u <= 0xDBFF) {
                long lo = end - p >= 6 && p[0] == '\\' && p[1] == 'u' ? hex4(p + 2) : -1;
                if (lo >= 0xDC00 && lo <= 0xDFFF) {
                    u = 0x10000 + ((u - 0xD800) << 10) + (lo - 0xDC00);
                    p += 6;
                } else {
                    u = 0xFFFD;
                }
            } else if (u >= 0xDC00 && u <= 0xDFFF) {
                u = 0xFFFD;
            }
            o = put_utf8(o, (unsigned long)u);
            continue;
        }
        default: *o++ = *p++; continue;
        }
        *o++ = c;
        p += 2;
    }
    return (size_t)(o - o0);
}

int sk_json_string_decode(const char *p, size_t n, sk_buf *out)
{
    if (!p || n < 2 || p[0] != '"' || p[n - 1] != '"')
        return -1;
    sk_buf_reserve(out, n - 2);
    out->len += decode_raw((cursor)p + 1, (cursor)p + n - 1, (unsigned char *)out->data + out->len);
    out->data[out->len] = '\0';
    return 0;
}

/* FNV-1a over input and expected (see row.h), so the same case gets
 * the same id in every file and in the dataset store. */
void sk_row_derive_id(sk_buf *id, sk_span input, sk_span expected)
{
    static const unsigned char sep = 0xff; /* ("ab","") != ("a","b") */
    uint64_t h = SK_FNV64_LEGACY_INIT;
    const sk_span parts[2] = {input, expected};
    for (int k = 0; k < 2; k++) {
        if (parts[k].p)
            h = sk_fnv64(h, parts[k].p, parts[k].n);
        h = sk_fnv64(h, &sep, 1);
    }
    sk_buf_printf(id, "h%016llx", (unsigned long long)h);
}
