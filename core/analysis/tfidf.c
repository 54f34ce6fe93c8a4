/* Texts as TF-IDF vectors (see tfidf.h). */
#include "analysis/tfidf.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/hash.h"
#include "base/util.h"

/* ---- cutting a text into terms ---- */

enum { SEP, WORD, UNSPACED };

/* The code point at p (n bytes left) and its length; a byte that starts no
 * valid sequence is taken alone (as a letter: it is not punctuation). */
static uint32_t utf8_next(const unsigned char *p, size_t n, size_t *len)
{
    unsigned c = p[0];
    size_t need = c >= 0xF0 && c < 0xF8 ? 4 : c >= 0xE0 ? 3 : c >= 0xC2 && c < 0xE0 ? 2 : 1;
    if (c < 0x80 || need == 1 || need > n) {
        *len = 1;
        return c < 0x80 ? c : 0xFFFD;
    }
    uint32_t cp = c & (0x7F >> need);
    for (size_t i = 1; i < need; i++) {
        if ((p[i] & 0xC0) != 0x80) {
            *len = 1;
            return 0xFFFD;
        }
        cp = cp << 6 | (p[i] & 0x3F);
    }
    *len = need;
    return cp;
}

static int char_class(uint32_t c)
{
    if (c < 0x80)
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ? WORD
                                                                                          : SEP;
    /* Punctuation and symbols of Latin-1, General Punctuation, CJK
     * punctuation and the full-width forms' punctuation. */
    if ((c >= 0x80 && c <= 0xBF) || c == 0xD7 || c == 0xF7 || (c >= 0x2000 && c <= 0x206F) ||
        (c >= 0x3000 && c <= 0x303F) || (c >= 0xFF00 && c <= 0xFF0F) ||
        (c >= 0xFF1A && c <= 0xFF20) || (c >= 0xFF3B && c <= 0xFF40) ||
        (c >= 0xFF5B && c <= 0xFF65))
        return SEP;
    /* Scripts written without spaces between words. */
    if ((c >= 0x0E00 && c <= 0x0EFF) || /* Thai, Lao */
        (c >= 0x1000 && c <= 0x109F) || /* Myanmar */
        (c >= 0x1780 && c <= 0x17FF) || /* Khmer */
        (c >= 0x3040 && c <= 0x30FF) || /* kana */
        (c >= 0x3400 && c <= 0x4DBF) || /* CJK extension A */
        (c >= 0x4E00 && c <= 0x9FFF) || /* CJK unified ideographs */
        (c >= 0xF900 && c <= 0xFAFF) || /* CJK compatibility */
        (c >= 0x20000 && c <= 0x2FFFF)) /* CJK extensions B.. */
        return UNSPACED;
    return WORD;
}

static int stopword(const char *s, size_t n)
{
    static const char *const words[] = {"the",  "an",   "of",  "to",  "in",   "is",  "and", "or",
                                        "for",  "on",   "it",  "be",  "as",   "at",  "by",  "this",
                                        "that", "with", "are", "was", "what", "how", NULL};
    for (size_t i = 0; words[i]; i++)
        if (strlen(words[i]) == n && memcmp(words[i], s, n) == 0)
            return 1;
    return 0;
}

typedef struct cutter {
    void (*fn)(void *ud, const char *s, size_t len);
    void *ud;
    sk_buf word, prev, pair;
    int has_prev;
} cutter;

static void end_word(cutter *c)
{
    size_t n = c->word.len;
    if (n >= 2 && n <= 40 && !stopword(c->word.data, n)) {
        c->fn(c->ud, c->word.data, n);
        if (c->has_prev) {
            sk_buf_reset(&c->pair);
            sk_buf_add(&c->pair, c->prev.data, c->prev.len);
            sk_buf_addc(&c->pair, ' ');
            sk_buf_add(&c->pair, c->word.data, n);
            c->fn(c->ud, c->pair.data, c->pair.len);
        }
        sk_buf_reset(&c->prev);
        sk_buf_add(&c->prev, c->word.data, n);
        c->has_prev = 1;
    }
    sk_buf_reset(&c->word);
}

/* A run of characters of a script without spaces: starts[0..n] are the
 * byte offsets of its characters (starts[n] its end). */
static void emit_ngrams(cutter *c, const char *text, const size_t *starts, size_t n)
{
    if (n == 1)
        c->fn(c->ud, text + starts[0], starts[1] - starts[0]);
    for (size_t g = 2; g <= 3; g++)
        for (size_t i = 0; i + g <= n; i++)
            c->fn(c->ud, text + starts[i], starts[i + g] - starts[i]);
    c->has_prev = 0; /* a word pair does not reach across it */
}

void sk_tfidf_each_term(const char *text, void (*fn)(void *ud, const char *s, size_t len), void *ud)
{
    cutter c = {.fn = fn, .ud = ud};
    const unsigned char *p = (const unsigned char *)text;
    size_t n = strlen(text), i = 0;
    size_t *starts = NULL, nstarts = 0, cap = 0;
    while (i < n) {
        size_t len;
        uint32_t cp = utf8_next(p + i, n - i, &len);
        int cls = char_class(cp);
        if (cls != UNSPACED && nstarts) {
            starts = sk_xgrow(starts, &cap, nstarts + 1, sizeof *starts);
            starts[nstarts] = i;
            emit_ngrams(&c, text, starts, nstarts);
            nstarts = 0;
        }
        if (cls == WORD) {
            if (len == 1 && cp >= 'A' && cp <= 'Z')
                sk_buf_addc(&c.word, (char)(cp - 'A' + 'a'));
            else
                sk_buf_add(&c.word, p + i, len);
        } else {
            if (c.word.len)
                end_word(&c);
            if (cls == UNSPACED) {
                starts = sk_xgrow(starts, &cap, nstarts + 2, sizeof *starts);
                starts[nstarts++] = i;
            }
        }
        i += len;
    }
    if (nstarts) {
        starts = sk_xgrow(starts, &cap, nstarts + 1, sizeof *starts);
        starts[nstarts] = n;
        emit_ngrams(&c, text, starts, nstarts);
    }
    if (c.word.len)
        end_word(&c);
    free(starts);
    sk_buf_free(&c.word);
    sk_buf_free(&c.prev);
    sk_buf_free(&c.pair);
}

/* ---- every term seen, numbered by first appearance ---- */

typedef struct vocab {
    sk_buf text;      /* the terms, each NUL-terminated */
    size_t *off;      /* term -> its text */
    uint32_t *df;     /* term -> texts holding it */
    uint32_t *hashes; /* term -> low bits of its hash, to skip most compares */
    uint32_t *seen;   /* term -> 1 + the last text that had it */
    size_t *at;       /* term -> where that text's count of it is */
    size_t n, cap;
    uint32_t *slots; /* term + 1; 0 empty */
    size_t nslots;
} vocab;

static void vocab_rehash(vocab *v)
{
    size_t ns = v->nslots ? v->nslots * 2 : 4096;
    uint32_t *slots = sk_xcalloc(ns, sizeof *slots);
    for (size_t t = 0; t < v->n; t++) {
        size_t h = v->hashes[t] & (ns - 1);
        while (slots[h])
            h = (h + 1) & (ns - 1);
        slots[h] = (uint32_t)t + 1;
    }
    free(v->slots);
    v->slots = slots;
    v->nslots = ns;
}

static uint32_t vocab_get(vocab *v, const char *s, size_t len)
{
    if ((v->n + 1) * 2 > v->nslots)
        vocab_rehash(v);
    uint32_t hv = (uint32_t)sk_fnv64(SK_FNV64_INIT, s, len);
    size_t h = hv & (v->nslots - 1);
    while (v->slots[h]) {
        uint32_t t = v->slots[h] - 1;
        const char *x = v->text.data + v->off[t];
        if (v->hashes[t] == hv && strncmp(x, s, len) == 0 && x[len] == '\0')
            return t;
        h = (h + 1) & (v->nslots - 1);
    }
    if (v->n == v->cap) {
        v->cap = v->cap ? 2 * v->cap : 4096;
        v->off = sk_xrealloc(v->off, v->cap * sizeof *v->off);
        v->df = sk_xrealloc(v->df, v->cap * sizeof *v->df);
        v->hashes = sk_xrealloc(v->hashes, v->cap * sizeof *v->hashes);
        v->seen = sk_xrealloc(v->seen, v->cap * sizeof *v->seen);
        v->at = sk_xrealloc(v->at, v->cap * sizeof *v->at);
    }
    v->seen[v->n] = 0;
    v->off[v->n] = v->text.len;
    sk_buf_add(&v->text, s, len);
    sk_buf_addc(&v->text, '\0');
    v->df[v->n] = 0;
    v->hashes[v->n] = hv;
    v->slots[h] = (uint32_t)v->n + 1;
    return (uint32_t)v->n++;
}

/* One text's terms with their counts, then every text's after another. */
typedef struct counts {
    vocab *v;
    uint32_t *id, *tf; /* all texts' (term, count) pairs */
    size_t n, cap;
    uint32_t doc; /* the current text */
} counts;

static void count_term(void *ud, const char *s, size_t len)
{
    counts *c = ud;
    uint32_t t = vocab_get(c->v, s, len);
    if (c->v->seen[t] == c->doc + 1) {
        c->tf[c->v->at[t]]++;
        return;
    }
    c->v->seen[t] = c->doc + 1;
    c->v->at[t] = c->n;
    if (c->n == c->cap) {
        c->cap = c->cap ? 2 * c->cap : 1024;
        c->id = sk_xrealloc(c->id, c->cap * sizeof *c->id);
        c->tf = sk_xrealloc(c->tf, c->cap * sizeof *c->tf);
    }
    c->id[c->n] = t;
    c->tf[c->n++] = 1;
    c->v->df[t]++;
}

static int by_idx(const void *a, const void *b)
{
    const uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

void sk_tfidf_build(const char *const *texts, size_t n, size_t min_df, size_t max_terms,
                    sk_tfidf *out)
{
    memset(out, 0, sizeof *out);
    if (!min_df)
        min_df = 2;
    if (!max_terms)
        max_terms = 20000;
    vocab v = {0};
    counts c = {.v = &v};
    size_t *doc_off = sk_xmalloc((n + 1) * sizeof *doc_off);
    for (size_t i = 0; i < n; i++) {
        doc_off[i] = c.n;
        c.doc = (uint32_t)i;
        sk_tfidf_each_term(texts[i], count_term, &c);
    }
    doc_off[n] = c.n;
    free(v.slots);
    free(v.hashes);
    free(v.seen);
    free(v.at);

    /* Which terms stay, most common first. */
    /* Sorted as (UINT32_MAX - df, term): most texts first, ties by first
     * appearance. */
    uint64_t *order = sk_xmalloc((v.n ? v.n : 1) * sizeof *order);
    size_t kept = 0;
    for (size_t t = 0; t < v.n; t++)
        if (v.df[t] >= min_df)
            order[kept++] = (uint64_t)(UINT32_MAX - v.df[t]) << 32 | t;
    qsort(order, kept, sizeof *order, by_idx);
    if (kept > max_terms)
        kept = max_terms;
    uint32_t *newid = sk_xmalloc((v.n ? v.n : 1) * sizeof *newid);
    for (size_t t = 0; t < v.n; t++)
        newid[t] = UINT32_MAX;
    sk_buf terms = {0};
    out->nterms = kept;
    out->term_off = sk_xmalloc((kept ? kept : 1) * sizeof *out->term_off);
    out->df = sk_xmalloc((kept ? kept : 1) * sizeof *out->df);
    out->idf = sk_xmalloc((kept ? kept : 1) * sizeof *out->idf);
    for (size_t r = 0; r < kept; r++) {
        uint32_t t = (uint32_t)order[r];
        newid[t] = (uint32_t)r;
        out->term_off[r] = terms.len;
        sk_buf_adds(&terms, v.text.data + v.off[t]);
        sk_buf_addc(&terms, '\0');
        out->df[r] = v.df[t];
        out->idf[r] = log((1.0 + (double)n) / (1.0 + (double)v.df[t])) + 1.0;
    }
    out->terms = terms.data ? terms.data : sk_xstrdup("");
    free(order);
    sk_buf_free(&v.text);
    free(v.off);
    free(v.df);

    /* The vectors: kept terms only, by term number, scaled to length 1. */
    out->ndocs = n;
    out->off = sk_xmalloc((n + 1) * sizeof *out->off);
    size_t total = 0;
    for (size_t i = 0; i < c.n; i++)
        total += newid[c.id[i]] != UINT32_MAX;
    out->idx = sk_xmalloc((total ? total : 1) * sizeof *out->idx);
    out->val = sk_xmalloc((total ? total : 1) * sizeof *out->val);
    uint64_t *pairs = NULL;
    size_t pcap = 0, at = 0;
    for (size_t d = 0; d < n; d++) {
        out->off[d] = at;
        size_t np = 0;
        for (size_t i = doc_off[d]; i < doc_off[d + 1]; i++) {
            uint32_t t = newid[c.id[i]];
            if (t == UINT32_MAX)
                continue;
            pairs = sk_xgrow(pairs, &pcap, np + 1, sizeof *pairs);
            pairs[np++] = (uint64_t)t << 32 | c.tf[i];
        }
        qsort(pairs, np, sizeof *pairs, by_idx);
        double norm = 0;
        for (size_t i = 0; i < np; i++) {
            uint32_t t = (uint32_t)(pairs[i] >> 32), tf = (uint32_t)pairs[i];
            double w = (1.0 + log((double)tf)) * out->idf[t];
            out->idx[at + i] = t;
            out->val[at + i] = w;
            norm += w * w;
        }
        norm = sqrt(norm);
        for (size_t i = 0; i < np && norm > 0; i++)
            out->val[at + i] /= norm;
        at += np;
    }
    out->off[n] = at;
    free(pairs);
    free(newid);
    free(doc_off);
    free(c.id);
    free(c.tf);
}

void sk_tfidf_free(sk_tfidf *t)
{
    free(t->off);
    free(t->idx);
    free(t->val);
    free(t->terms);
    free(t->term_off);
    free(t->df);
    free(t->idf);
    memset(t, 0, sizeof *t);
}

long sk_tfidf_find(const sk_tfidf *t, const char *s)
{
    for (size_t i = 0; i < t->nterms; i++)
        if (strcmp(sk_tfidf_term(t, i), s) == 0)
            return (long)i;
    return -1;
}
