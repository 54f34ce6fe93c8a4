/*
 * Shared JSON helpers for the heuristic scorers: reading a case field with
 * the "string holding JSON" rule, a canonical dump (so that equal JSON
 * values have equal text and type-mismatch comparisons see the text
 * JSON.stringify would give), and the ASCII string normalisation behind
 * the ignore_case / normalize_whitespace params.  Contracts are in
 * heuristic.h.
 */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "heuristic.h"
#include "base/util.h"

/* ---- small growable buffer ---- */

typedef struct hbuf {
    char *p;
    size_t len, cap;
} hbuf;

static void hb_reserve(hbuf *b, size_t extra)
{
    if (b->len + extra + 1 <= b->cap)
        return;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < b->len + extra + 1)
        cap *= 2;
    b->p = sk_xrealloc(b->p, cap);
    b->cap = cap;
}

static void hb_add(hbuf *b, const char *s, size_t n)
{
    hb_reserve(b, n);
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}

static void hb_addc(hbuf *b, char c)
{
    hb_add(b, &c, 1);
}

/* ---- classification ---- */

static int json_ws(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static int norm_ws(unsigned char c)
{
    return c == ' ' || (c >= '\t' && c <= '\r');
}

static size_t skip_json_ws(const char *s, size_t n, size_t i)
{
    while (i < n && json_ws((unsigned char)s[i]))
        i++;
    return i;
}

static int starts_word(const char *s, size_t n, const char *w)
{
    size_t k = strlen(w);
    return n >= k && memcmp(s, w, k) == 0;
}

int sk_hjson_may_be_json(const char *s, size_t n)
{
    size_t i = skip_json_ws(s, n, 0);
    if (i >= n)
        return 0;
    char c = s[i];
    if (c == '{' || c == '[' || c == '"' || c == '-' || (c >= '0' && c <= '9'))
        return 1;
    return starts_word(s + i, n - i, "true") || starts_word(s + i, n - i, "false") ||
           starts_word(s + i, n - i, "null");
}

int sk_hjson_is_string(const char *json)
{
    if (!json)
        return 0;
    while (json_ws((unsigned char)*json))
        json++;
    return *json == '"';
}

/* ---- parsing ---- */

/* The core's parser rather than cJSON's, which writes a process-wide error
 * variable and so races between the worker threads scoring at once; it is
 * also strict ("007" and "1." are not numbers) and keeps each number's
 * literal for exact comparison. */
cJSON *sk_hjson_parse(const char *s, size_t n)
{
    return sk_json_parse(s, n);
}

cJSON *sk_hjson_unwrap(const char *s, size_t n, unsigned unwrap)
{
    if (unwrap == SK_HJSON_UNWRAP_NONE || !sk_hjson_may_be_json(s, n))
        return NULL;
    char c = s[skip_json_ws(s, n, 0)];
    int container = c == '{' || c == '[';
    if (unwrap == SK_HJSON_UNWRAP_ARRAYS && c != '[')
        return NULL;
    if (unwrap == SK_HJSON_UNWRAP_CONTAINERS && !container)
        return NULL;
    return sk_hjson_parse(s, n); /* its first character fixes its type */
}

cJSON *sk_hjson_field(const char *json, const char *text, size_t len, unsigned unwrap)
{
    if (!json)
        return NULL;
    if (text && sk_hjson_is_string(json)) {
        cJSON *v = sk_hjson_unwrap(text, len, unwrap);
        if (v)
            return v;
    }
    return sk_hjson_parse(json, strlen(json));
}

/* ---- members in canonical order ---- */

typedef struct member {
    const cJSON *item;
    size_t idx;
} member;

static int member_cmp(const void *pa, const void *pb)
{
    const member *a = pa, *b = pb;
    int c = strcmp(a->item->string ? a->item->string : "", b->item->string ? b->item->string : "");
    if (c)
        return c;
    return a->idx < b->idx ? -1 : a->idx > b->idx;
}

size_t sk_hjson_members(const cJSON *obj, const cJSON ***out)
{
    *out = NULL;
    size_t n = 0;
    for (const cJSON *e = obj ? obj->child : NULL; e; e = e->next)
        n++;
    if (n == 0)
        return 0;
    member *m = sk_xrealloc(NULL, n * sizeof *m);
    size_t i = 0;
    for (const cJSON *e = obj->child; e; e = e->next, i++) {
        m[i].item = e;
        m[i].idx = i;
    }
    qsort(m, n, sizeof *m, member_cmp);
    const cJSON **r = sk_xrealloc(NULL, n * sizeof *r);
    size_t k = 0;
    for (i = 0; i < n; i++) {
        /* Equal keys sort by position: keep the last of each run. */
        if (i + 1 < n && member_cmp(&(member){m[i].item, 0}, &(member){m[i + 1].item, 0}) == 0)
            continue;
        r[k++] = m[i].item;
    }
    free(m);
    *out = r;
    return k;
}

/* ---- normalisation ---- */

/* Reads s one normalised byte at a time, so comparisons need no copy. */
typedef struct nstream {
    const unsigned char *s;
    size_t n, i;
    unsigned norm;
} nstream;

static void ns_init(nstream *st, const char *s, size_t n, unsigned norm)
{
    st->s = (const unsigned char *)s;
    st->n = n;
    st->i = 0;
    st->norm = norm;
    if (norm & SK_HNORM_WHITESPACE)
        while (st->i < n && norm_ws(st->s[st->i]))
            st->i++;
}

static int ns_next(nstream *st)
{
    if (st->i >= st->n)
        return -1;
    unsigned char c = st->s[st->i];
    if ((st->norm & SK_HNORM_WHITESPACE) && norm_ws(c)) {
        while (st->i < st->n && norm_ws(st->s[st->i]))
            st->i++;
        return st->i < st->n ? ' ' : -1; /* a trailing run is trimmed */
    }
    st->i++;
    if ((st->norm & SK_HNORM_IGNORE_CASE) && c >= 'A' && c <= 'Z')
        c = (unsigned char)(c + 32);
    return c;
}

size_t sk_hjson_normalize(const char *s, size_t n, unsigned norm, char *out)
{
    if (!norm) {
        memmove(out, s, n);
        return n;
    }
    nstream st;
    ns_init(&st, s, n, norm);
    size_t k = 0;
    for (int c; (c = ns_next(&st)) >= 0;)
        out[k++] = (char)c;
    return k;
}

int sk_hjson_text_equal(const char *a, size_t na, const char *b, size_t nb, unsigned norm)
{
    if (!(norm & SK_HNORM_WHITESPACE) && na != nb)
        return 0;
    if (!norm)
        return memcmp(a, b, na) == 0;
    nstream x, y;
    ns_init(&x, a, na, norm);
    ns_init(&y, b, nb, norm);
    for (;;) {
        int ca = ns_next(&x), cb = ns_next(&y);
        if (ca != cb)
            return 0;
        if (ca < 0)
            return 1;
    }
}

/* ---- canonical dump ---- */

static void add_escaped(hbuf *b, int c)
{
    static const char hex[] = "0123456789abcdef";
    switch (c) {
    case '"': hb_add(b, "\\\"", 2); return;
    case '\\': hb_add(b, "\\\\", 2); return;
    case '\b': hb_add(b, "\\b", 2); return;
    case '\f': hb_add(b, "\\f", 2); return;
    case '\n': hb_add(b, "\\n", 2); return;
    case '\r': hb_add(b, "\\r", 2); return;
    case '\t': hb_add(b, "\\t", 2); return;
    }
    if (c < 0x20) {
        char u[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
        hb_add(b, u, 6);
        return;
    }
    hb_addc(b, (char)c);
}

static void dump_string(hbuf *b, const char *s, unsigned norm)
{
    nstream st;
    ns_init(&st, s, strlen(s), norm);
    hb_addc(b, '"');
    for (int c; (c = ns_next(&st)) >= 0;)
        add_escaped(b, c);
    hb_addc(b, '"');
}

size_t sk_hjson_format_number(double x, char *out)
{
    if (isnan(x))
        return (size_t)sprintf(out, "null");
    if (isinf(x))
        return (size_t)sprintf(out, x > 0 ? "1e999" : "-1e999");
    if (x == 0)
        return (size_t)sprintf(out, "0");

    /* The fewest significant digits that read back as x: printf rounds
     * correctly, so the first precision that round-trips is the shortest. */
    char e[40];
    for (int prec = 1; prec <= 17; prec++) {
        snprintf(e, sizeof e, "%.*e", prec - 1, x);
        if (strtod(e, NULL) == x)
            break;
    }
    /* e is [-]d[.ddd]e±XX; the decimal point may be a locale's comma. */
    char digits[20];
    int nd = 0, neg = 0;
    const char *p = e;
    if (*p == '-') {
        neg = 1;
        p++;
    }
    for (; *p && *p != 'e'; p++)
        if (isdigit((unsigned char)*p) && nd < (int)sizeof digits - 1)
            digits[nd++] = *p;
    int exp10 = atoi(p + 1);
    while (nd > 1 && digits[nd - 1] == '0')
        nd--;
    digits[nd] = '\0';

    /* JavaScript's Number::toString: point position k = exp10 + 1. */
    int k = exp10 + 1;
    char *o = out;
    if (neg)
        *o++ = '-';
    if (nd <= k && k <= 21) {
        memcpy(o, digits, (size_t)nd);
        o += nd;
        for (int i = nd; i < k; i++)
            *o++ = '0';
    } else if (0 < k && k <= 21) {
        memcpy(o, digits, (size_t)k);
        o += k;
        *o++ = '.';
        memcpy(o, digits + k, (size_t)(nd - k));
        o += nd - k;
    } else if (-6 < k && k <= 0) {
        *o++ = '0';
        *o++ = '.';
        for (int i = 0; i < -k; i++)
            *o++ = '0';
        memcpy(o, digits, (size_t)nd);
        o += nd;
    } else {
        *o++ = digits[0];
        if (nd > 1) {
            *o++ = '.';
            memcpy(o, digits + 1, (size_t)(nd - 1));
            o += nd - 1;
        }
        o += sprintf(o, "e%c%d", k - 1 < 0 ? '-' : '+', abs(k - 1));
    }
    *o = '\0';
    return (size_t)(o - out);
}

/* A number by its exact value when the parser kept its literal. */
static void dump_number(hbuf *b, const cJSON *v)
{
    sk_hnum x;
    if (sk_hjson_number(v, &x) == 0) {
        size_t n;
        char *t = sk_hnum_format(&x, &n);
        hb_add(b, t, n);
        free(t);
        sk_hnum_free(&x);
        return;
    }
    char num[32];
    hb_add(b, num, sk_hjson_format_number(v->valuedouble, num));
}

/* Recursion is bounded by the tree's depth, which the parser limits to
 * SK_JSON_MAX_DEPTH levels. */
static void dump_value(hbuf *b, const cJSON *v, unsigned norm)
{
    switch (v->type & 0xFF) {
    case cJSON_False: hb_add(b, "false", 5); return;
    case cJSON_True: hb_add(b, "true", 4); return;
    case cJSON_NULL: hb_add(b, "null", 4); return;
    case cJSON_Number: dump_number(b, v); return;
    case cJSON_String: dump_string(b, v->valuestring ? v->valuestring : "", norm); return;
    case cJSON_Raw:
        if (v->valuestring)
            hb_add(b, v->valuestring, strlen(v->valuestring));
        return;
    case cJSON_Array:
        hb_addc(b, '[');
        for (const cJSON *e = v->child; e; e = e->next) {
            dump_value(b, e, norm);
            if (e->next)
                hb_addc(b, ',');
        }
        hb_addc(b, ']');
        return;
    case cJSON_Object: {
        const cJSON **m;
        size_t n = sk_hjson_members(v, &m);
        hb_addc(b, '{');
        for (size_t i = 0; i < n; i++) {
            if (i)
                hb_addc(b, ',');
            dump_string(b, m[i]->string ? m[i]->string : "", 0);
            hb_addc(b, ':');
            dump_value(b, m[i], norm);
        }
        hb_addc(b, '}');
        free(m);
        return;
    }
    default: hb_add(b, "null", 4); return; /* cJSON_Invalid: not from a parse */
    }
}

char *sk_hjson_dump(const cJSON *v, unsigned norm, size_t *len)
{
    hbuf b = {0};
    hb_reserve(&b, 0);
    b.p[0] = '\0';
    if (v)
        dump_value(&b, v, norm);
    if (len)
        *len = b.len;
    return b.p;
}

/* ---- rationale helpers ---- */

void sk_hjson_snippet(const char *s, size_t n, size_t max, char *out, size_t outlen)
{
    /* Written straight into `out`: this runs for every mismatching row, so
     * no allocation and no printf. */
    static const char hex[] = "0123456789abcdef";
    size_t m = n, o = 0;
    if (m > max) {
        m = max;
        while (m > 0 && ((unsigned char)s[m] & 0xC0) == 0x80)
            m--; /* do not split a character */
    }
    if (outlen == 0)
        return;
#define PUT(ch)                                                                                    \
    do {                                                                                           \
        if (o + 1 < outlen)                                                                        \
            out[o++] = (ch);                                                                       \
    } while (0)
    PUT('"');
    for (size_t i = 0; i < m; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c != '"' && c != '\\') { /* nearly every byte */
            PUT((char)c);
            continue;
        }
        const char *esc = NULL;
        switch (c) {
        case '"': esc = "\\\""; break;
        case '\\': esc = "\\\\"; break;
        case '\b': esc = "\\b"; break;
        case '\f': esc = "\\f"; break;
        case '\n': esc = "\\n"; break;
        case '\r': esc = "\\r"; break;
        case '\t': esc = "\\t"; break;
        }
        if (esc) {
            PUT(esc[0]);
            PUT(esc[1]);
        } else if (c < 0x20) {
            PUT('\\');
            PUT('u');
            PUT('0');
            PUT('0');
            PUT(hex[c >> 4]);
            PUT(hex[c & 15]);
        } else
            PUT((char)c);
    }
    if (m < n) {
        PUT('.');
        PUT('.');
        PUT('.');
    }
    PUT('"');
#undef PUT
    out[o] = '\0';
}

const char *sk_hjson_type_name(const cJSON *v)
{
    if (!v)
        return "nothing";
    switch (v->type & 0xFF) {
    case cJSON_False:
    case cJSON_True: return "a boolean";
    case cJSON_NULL: return "null";
    case cJSON_Number: return "a number";
    case cJSON_String: return "a string";
    case cJSON_Array: return "an array";
    case cJSON_Object: return "an object";
    }
    return "an unknown value";
}

void sk_hjson_cat(char *out, size_t cap, size_t *at, const char *s)
{
    size_t n = strlen(s);
    if (*at + 1 >= cap)
        return;
    if (n > cap - 1 - *at)
        n = cap - 1 - *at;
    memcpy(out + *at, s, n);
    *at += n;
    out[*at] = '\0';
}

void sk_hjson_cat_uint(char *out, size_t cap, size_t *at, size_t v)
{
    char digits[24];
    size_t n = sizeof digits - 1;
    digits[n] = '\0';
    do {
        digits[--n] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    sk_hjson_cat(out, cap, at, digits + n);
}
