/*
 * Bit-parallel edit distance (Myers 1999, in Hyyrö's formulation for
 * global distance).  The shorter string is the "pattern": one bit per
 * pattern position, 64 per machine word, and the longer string is scanned
 * once; each text character updates every block of the column's vertical
 * deltas with a handful of word operations.
 *
 * Peq[c] is the bit mask of pattern positions holding character c.  ASCII
 * characters index a direct table laid out [c][block] so one text
 * character reads its masks for all blocks contiguously.  Other code
 * points go in a small open-addressing table per block: a block has at
 * most 64 distinct characters, so 128 slots keep probes short and always
 * leave an empty slot to stop at.  Per-block tables (rather than one row
 * per distinct character) keep memory linear in the pattern length even
 * for long texts with thousands of distinct CJK characters.
 *
 * Before any of that, the common prefix and suffix are stripped: they
 * never contribute to the distance, and near-identical strings (the usual
 * case when scoring) shrink to a small middle.  When the middle is still
 * several blocks long (edits scattered along it), the blocks are first
 * advanced only near the diagonal (Ukkonen's cut-off, see scan_band), and
 * in full only when the distance turns out to be beyond that band.
 *
 * The metered variants report their work as they go (the scan in slices
 * of about SK_LEV_TICK block steps), so a caller with a budget, a Lua
 * scorer's, can stop a distance between two long texts part-way.
 */
#include "base/text/levenshtein.h"

#include <stdlib.h>
#include <string.h>

#include "base/text/utf8.h"
#include "base/util.h"

#define SLOTS        128 /* hash slots per block; a power of two >= 2 * 64 */
#define STACK_BLOCKS 4   /* patterns up to 256 code points need no heap */
#define STACK_CPS    256 /* decode buffers on the stack, per string */

/* Whom to report work to; tick NULL: nobody. */
typedef struct meter {
    sk_lev_tick tick;
    void *ud;
} meter;

/* 1 when the caller asks to stop after `work` more units. */
static inline int report(const meter *mt, unsigned long long work)
{
    return mt->tick && work && mt->tick(mt->ud, work);
}

typedef struct peq {
    size_t nblocks;
    uint64_t *ascii; /* [128][nblocks] */
    uint32_t *keys;  /* [nblocks][SLOTS], 0 = empty; NULL when the pattern is ASCII */
    uint64_t *masks; /* [nblocks][SLOTS], valid where keys is set */
} peq;

static inline uint32_t fold(uint32_t c, unsigned flags)
{
    return ((flags & SK_LEV_IGNORE_CASE) && c - 'A' < 26u) ? c + 32 : c;
}

static inline size_t slot_of(uint32_t cp)
{
    return (size_t)((cp * 2654435761u) >> 25); /* top 7 bits: 0..127 */
}

static void peq_add(peq *p, uint32_t cp, size_t i)
{
    size_t b = i >> 6;
    uint64_t bit = 1ull << (i & 63);
    if (cp < 128) {
        p->ascii[cp * p->nblocks + b] |= bit;
        return;
    }
    uint32_t *k = p->keys + b * SLOTS;
    uint64_t *m = p->masks + b * SLOTS;
    size_t s = slot_of(cp);
    while (k[s] && k[s] != cp)
        s = (s + 1) & (SLOTS - 1);
    if (!k[s]) {
        k[s] = cp;
        m[s] = 0;
    }
    m[s] |= bit;
}

/* The masks of an ASCII pattern: all in the direct table, so no test per
 * character, and the case test made once rather than per character. */
static void peq_add_bytes(peq *p, const unsigned char *a, size_t na, unsigned flags)
{
    size_t nb = p->nblocks;
    if (flags & SK_LEV_IGNORE_CASE) {
        for (size_t i = 0; i < na; i++)
            p->ascii[fold(a[i], SK_LEV_IGNORE_CASE) * nb + (i >> 6)] |= 1ull << (i & 63);
    } else {
        for (size_t i = 0; i < na; i++)
            p->ascii[a[i] * nb + (i >> 6)] |= 1ull << (i & 63);
    }
}

static inline uint64_t peq_wide(const peq *p, uint32_t cp, size_t b)
{
    if (!p->keys)
        return 0;
    const uint32_t *k = p->keys + b * SLOTS;
    size_t s = slot_of(cp);
    while (k[s]) {
        if (k[s] == cp)
            return p->masks[b * SLOTS + s];
        s = (s + 1) & (SLOTS - 1);
    }
    return 0;
}

/* A sequence is either bytes (all ASCII) or decoded code points.  The
 * scans are forced inline where they are called with constant `bytes` and
 * `flags`, so each combination gets its own loop: left to itself, GCC keeps
 * one copy that tests both for every character of every text. */
#if defined(__GNUC__)
#define SPECIALISED inline __attribute__((always_inline))
#else
#define SPECIALISED inline
#endif

static inline uint32_t at(const void *s, size_t i, int bytes)
{
    return bytes ? ((const unsigned char *)s)[i] : ((const uint32_t *)s)[i];
}

/* The pattern mask of text character t in block b.  Bytes are ASCII, and
 * folding keeps them so: their masks are always in the direct table. */
static SPECIALISED uint64_t eq_of(const peq *p, uint32_t t, size_t b, int bytes)
{
    if (bytes || t < 128)
        return p->ascii[(size_t)t * p->nblocks + b];
    return peq_wide(p, t, b);
}

/* Text columns per report: about SK_LEV_TICK block steps. */
static inline size_t slice_of(size_t nblocks)
{
    size_t c = SK_LEV_TICK / nblocks;
    return c ? c : 1;
}

/* Pattern of 1..64 characters: one word, and the row-0 boundary (D[0][j] =
 * j) enters as a +1 horizontal delta at the bottom bit of every column.
 * SIZE_MAX when the meter stops it. */
static SPECIALISED size_t scan_single(const peq *p, size_t m, const void *text, size_t n, int bytes,
                                      unsigned flags, const meter *mt)
{
    uint64_t pv = ~0ull, mv = 0;
    unsigned last = (unsigned)(m - 1);
    size_t score = m;
    for (size_t j0 = 0, j1; j0 < n; j0 = j1) {
        j1 = n - j0 > SK_LEV_TICK ? j0 + SK_LEV_TICK : n;
        for (size_t j = j0; j < j1; j++) {
            uint64_t eq = eq_of(p, fold(at(text, j, bytes), flags), 0, bytes);
            uint64_t xv = eq | mv;
            uint64_t xh = (((eq & pv) + pv) ^ pv) | eq;
            uint64_t ph = mv | ~(xh | pv);
            uint64_t mh = pv & xh;
            score = score + ((ph >> last) & 1) - ((mh >> last) & 1); /* no branch to mispredict */
            ph = (ph << 1) | 1;
            mh <<= 1;
            pv = mh | ~(xv | ph);
            mv = ph & xv;
        }
        if (report(mt, j1 - j0))
            return SIZE_MAX;
    }
    return score;
}

/* The horizontal delta passed between blocks: +1, 0 or -1 as two bits
 * (each 0 or 1, never both 1), ready to OR into the next block's words. */
typedef struct carry {
    uint64_t pos, neg;
} carry;

/* One block's step for one text character: eq is the block's pattern mask,
 * c the delta passed up from the block below.  Returns the delta at row
 * `top` (0..63) of the block, for the block above.  Branch-free: the
 * deltas of random text are unpredictable. */
static inline carry advance_block(uint64_t eq, uint64_t *vp, uint64_t *vm, carry c, unsigned top)
{
    uint64_t pv = *vp, mv = *vm;
    uint64_t xv = eq | mv;
    eq |= c.neg;
    uint64_t xh = (((eq & pv) + pv) ^ pv) | eq;
    uint64_t ph = mv | ~(xh | pv);
    uint64_t mh = pv & xh;
    carry out = {(ph >> top) & 1, (mh >> top) & 1};
    ph = (ph << 1) | c.pos;
    mh = (mh << 1) | c.neg;
    *vp = mh | ~(xv | ph);
    *vm = ph & xv;
    return out;
}

/* Longer patterns: blocks of 64 rows, each passing its horizontal delta at
 * its top row (+1, 0 or -1) to the block above as that block's carry in.
 * SIZE_MAX when the meter stops it. */
static SPECIALISED size_t scan_blocks(const peq *p, size_t m, const void *text, size_t n, int bytes,
                                      unsigned flags, uint64_t *vp, uint64_t *vm, const meter *mt)
{
    size_t nb = p->nblocks, slice = slice_of(nb);
    unsigned last = (unsigned)((m - 1) & 63);
    size_t score = m;
    for (size_t b = 0; b < nb; b++) {
        vp[b] = ~0ull;
        vm[b] = 0;
    }
    for (size_t j0 = 0, j1; j0 < n; j0 = j1) {
        j1 = n - j0 > slice ? j0 + slice : n;
        for (size_t j = j0; j < j1; j++) {
            uint32_t t = fold(at(text, j, bytes), flags);
            carry c = {1, 0}; /* row 0: D[0][j] = j */
            size_t b = 0;
            for (; b + 1 < nb; b++) /* the top block's top row is the pattern's last */
                c = advance_block(eq_of(p, t, b, bytes), &vp[b], &vm[b], c, 63);
            c = advance_block(eq_of(p, t, b, bytes), &vp[b], &vm[b], c, last);
            score = score + c.pos - c.neg;
        }
        if (report(mt, (unsigned long long)(j1 - j0) * nb))
            return SIZE_MAX;
    }
    return score;
}

/* Ukkonen's cut-off on the block scan.  A path of cost <= k from the
 * start to the end never strays more than k rows from the diagonal, so at
 * text column j only the blocks holding rows j-k..j+k are advanced.  A
 * block not reached yet starts as if each of its rows were one more than
 * the row below, and the lowest advanced block takes +1 from below, as if
 * the row under it grew by one a column: both only ever overstate a cell
 * (a cell is at most one more than its neighbour).  So every value is at
 * least the true one, and the cells of a cheapest path are exact when it
 * costs <= k: a result <= k is the distance, and one above k says only
 * that the distance is above k.  SIZE_MAX when the meter stops it. */
static SPECIALISED size_t scan_band(const peq *p, size_t m, const void *text, size_t n, int bytes,
                                    unsigned flags, size_t k, uint64_t *vp, uint64_t *vm,
                                    const meter *mt)
{
    size_t nb = p->nblocks, slice = slice_of(nb);
    unsigned last = (unsigned)((m - 1) & 63);
    size_t lo = 0, hi = 0; /* blocks lo..hi-1 are advanced */
    size_t score = 0;      /* at the top row of block hi-1 */
    for (size_t j0 = 0, j1; j0 < n; j0 = j1) {
        j1 = n - j0 > slice ? j0 + slice : n;
        unsigned long long work = 0;
        for (size_t j = j0; j < j1; j++) {
            size_t col = j + 1; /* rows 1..m of column col; block b holds 64b+1..64b+64 */
            size_t want = (col + k + 63) / 64;
            for (; hi < (want < nb ? want : nb); hi++) {
                vp[hi] = ~0ull;
                vm[hi] = 0;
                score += hi + 1 == nb ? m - 64 * hi : 64;
            }
            while (lo + 1 < hi && col > k && 64 * (lo + 1) < col - k)
                lo++;
            uint32_t t = fold(at(text, j, bytes), flags);
            carry c = {1, 0};
            size_t b = lo;
            for (; b + 1 < hi; b++)
                c = advance_block(eq_of(p, t, b, bytes), &vp[b], &vm[b], c, 63);
            c = advance_block(eq_of(p, t, b, bytes), &vp[b], &vm[b], c, hi == nb ? last : 63);
            score = score + c.pos - c.neg;
            work += hi - lo;
        }
        if (report(mt, work))
            return SIZE_MAX;
    }
    return score;
}

/* The slack of the band over the difference in length: enough for the
 * few scattered edits of near-identical texts, scoring's usual case. */
#define BAND_SLACK 16

/* A pattern of several blocks: first within a band, when that is
 * narrower than the pattern, then, if the distance is beyond the band, in
 * full. */
static SPECIALISED size_t scan_multi(const peq *p, size_t m, const void *text, size_t n, int bytes,
                                     unsigned flags, uint64_t *vp, uint64_t *vm, const meter *mt)
{
    size_t k = n - m + BAND_SLACK; /* m <= n: the pattern is the shorter */
    if (2 * k + 65 < 64 * p->nblocks) {
        size_t d = scan_band(p, m, text, n, bytes, flags, k, vp, vm, mt);
        if (d <= k || d == SIZE_MAX)
            return d;
    }
    return scan_blocks(p, m, text, n, bytes, flags, vp, vm, mt);
}

/* The scan for a pattern of nb blocks, specialised for bytes and for
 * ASCII case folding (code points arrive folded already). */
static size_t scan_bytes(const peq *p, size_t m, const void *text, size_t n, unsigned flags,
                         uint64_t *vp, uint64_t *vm, const meter *mt)
{
    if (p->nblocks == 1)
        return flags & SK_LEV_IGNORE_CASE ? scan_single(p, m, text, n, 1, SK_LEV_IGNORE_CASE, mt)
                                          : scan_single(p, m, text, n, 1, 0, mt);
    return flags & SK_LEV_IGNORE_CASE ? scan_multi(p, m, text, n, 1, SK_LEV_IGNORE_CASE, vp, vm, mt)
                                      : scan_multi(p, m, text, n, 1, 0, vp, vm, mt);
}

static size_t scan_cps(const peq *p, size_t m, const void *text, size_t n, uint64_t *vp,
                       uint64_t *vm, const meter *mt)
{
    if (p->nblocks == 1)
        return scan_single(p, m, text, n, 0, 0, mt);
    return scan_multi(p, m, text, n, 0, 0, vp, vm, mt);
}

/* Distance between two sequences with no common prefix or suffix left to
 * strip (stripping more is harmless, just not needed); SIZE_MAX when the
 * meter stops it. */
static size_t distance(const void *a, size_t na, const void *b, size_t nb, int bytes,
                       unsigned flags, const meter *mt)
{
    if (na > nb) { /* the shorter one is the pattern */
        const void *t = a;
        a = b;
        b = t;
        size_t tn = na;
        na = nb;
        nb = tn;
    }
    if (na == 0)
        return nb;

    int wide = 0;
    if (!bytes)
        for (size_t i = 0; i < na && !wide; i++)
            wide = at(a, i, 0) >= 128;

    peq p;
    p.nblocks = (na + 63) / 64;
    uint64_t s_ascii[128 * STACK_BLOCKS], s_masks[SLOTS * STACK_BLOCKS];
    uint64_t s_vp[STACK_BLOCKS], s_vm[STACK_BLOCKS];
    uint32_t s_keys[SLOTS * STACK_BLOCKS];
    uint64_t *vp = s_vp, *vm = s_vm;
    void *heap = NULL;
    if (p.nblocks <= STACK_BLOCKS) {
        p.ascii = s_ascii;
        p.keys = wide ? s_keys : NULL;
        p.masks = s_masks;
    } else {
        size_t nbk = p.nblocks;
        size_t words = 128 * nbk + 2 * nbk + (wide ? SLOTS * nbk : 0);
        size_t bytes_needed =
            words * sizeof(uint64_t) + (wide ? SLOTS * nbk * sizeof(uint32_t) : 0);
        heap = sk_xmalloc(bytes_needed);
        uint64_t *w = heap;
        p.ascii = w;
        vp = w + 128 * nbk;
        vm = vp + nbk;
        p.masks = vm + nbk;
        p.keys = wide ? (uint32_t *)(p.masks + SLOTS * nbk) : NULL;
    }
    memset(p.ascii, 0, 128 * p.nblocks * sizeof(uint64_t));
    if (p.keys)
        memset(p.keys, 0, SLOTS * p.nblocks * sizeof(uint32_t));
    if (bytes)
        peq_add_bytes(&p, a, na, flags);
    else
        for (size_t i = 0; i < na; i++)
            peq_add(&p, fold(at(a, i, 0), flags), i);

    size_t d =
        bytes ? scan_bytes(&p, na, b, nb, flags, vp, vm, mt) : scan_cps(&p, na, b, nb, vp, vm, mt);
    free(heap);
    return d;
}

static size_t distance_cp(const uint32_t *a, size_t na, const uint32_t *b, size_t nb,
                          const meter *mt)
{
    size_t p = 0;
    while (p < na && p < nb && a[p] == b[p])
        p++;
    size_t s = 0;
    while (s < na - p && s < nb - p && a[na - 1 - s] == b[nb - 1 - s])
        s++;
    return distance(a + p, na - p - s, b + p, nb - p - s, 0, 0, mt);
}

size_t sk_levenshtein_cp(const uint32_t *a, size_t na, const uint32_t *b, size_t nb)
{
    meter none = {NULL, NULL};
    return distance_cp(a, na, b, nb, &none);
}

static inline int is_cont(unsigned char c)
{
    return (c & 0xC0) == 0x80;
}

static inline unsigned char fold_byte(unsigned char c, unsigned flags)
{
    return (unsigned char)fold(c, flags);
}

/* Bytes from the start of a and b that are equal (at most lim), folded
 * when flags ask.  Unfolded, they are compared a word at a time: when
 * scoring, texts are often identical or nearly, and the prefix long. */
static size_t common_prefix(const unsigned char *a, const unsigned char *b, size_t lim,
                            unsigned flags)
{
    size_t p = 0;
    if (!(flags & SK_LEV_IGNORE_CASE)) {
        for (; lim - p >= 8; p += 8) {
            uint64_t x, y;
            memcpy(&x, a + p, 8);
            memcpy(&y, b + p, 8);
            if (x != y)
                break;
        }
    }
    while (p < lim && fold_byte(a[p], flags) == fold_byte(b[p], flags))
        p++;
    return p;
}

/* The same for the bytes before the ends ae and be. */
static size_t common_suffix(const unsigned char *ae, const unsigned char *be, size_t lim,
                            unsigned flags)
{
    size_t s = 0;
    if (!(flags & SK_LEV_IGNORE_CASE)) {
        for (; lim - s >= 8; s += 8) {
            uint64_t x, y;
            memcpy(&x, ae - s - 8, 8);
            memcpy(&y, be - s - 8, 8);
            if (x != y)
                break;
        }
    }
    while (s < lim && fold_byte(*(ae - 1 - s), flags) == fold_byte(*(be - 1 - s), flags))
        s++;
    return s;
}

size_t sk_levenshtein_metered(const char *a, size_t na, const char *b, size_t nb, unsigned flags,
                              size_t *len_a, size_t *len_b, sk_lev_tick tick, void *ud)
{
    const meter mt = {tick, ud};
    const unsigned char *ua = (const unsigned char *)a, *ub = (const unsigned char *)b;
    size_t lim = na < nb ? na : nb;

    /* Common prefix and suffix, compared as bytes.  A cut must not split a
     * character: back off while the byte at the cut continues a sequence
     * in either string.  Then no sequence crosses the cut in either string,
     * so each part decodes the same alone as in the whole. */
    size_t p = common_prefix(ua, ub, lim, flags);
    while (p > 0 && ((p < na && is_cont(ua[p])) || (p < nb && is_cont(ub[p]))))
        p--;
    size_t s = common_suffix(ua + na, ub + nb, lim - p, flags);
    while (s > 0 && (is_cont(ua[na - s]) || is_cont(ub[nb - s])))
        s--;

    const char *ma = a + p, *mb = b + p;
    size_t mna = na - p - s, mnb = nb - p - s;
    /* The linear passes: the cuts, and each middle read once or twice. */
    if (report(&mt, (2 * (p + s) + 2 * (mna + mnb)) / 16))
        return SIZE_MAX;
    /* The cut parts are the same bytes in both (folding touches only
     * ASCII), so a all ASCII and b's middle ASCII is all of both: then a
     * byte is a character, and nothing needs counting. */
    int ascii = sk_utf8_is_ascii(a, na) && sk_utf8_is_ascii(mb, mnb);
    size_t common = p + s;
    if (!ascii && (len_a || len_b))
        common = sk_utf8_count(a, p) + sk_utf8_count(a + na - s, s);

    size_t d, la, lb;
    if (ascii || (sk_utf8_is_ascii(ma, mna) && sk_utf8_is_ascii(mb, mnb))) {
        d = distance(ma, mna, mb, mnb, 1, flags, &mt);
        la = mna;
        lb = mnb;
    } else {
        uint32_t s_a[STACK_CPS], s_b[STACK_CPS];
        uint32_t *ca = mna <= STACK_CPS ? s_a : sk_xmalloc(mna * sizeof(uint32_t));
        uint32_t *cb = mnb <= STACK_CPS ? s_b : sk_xmalloc(mnb * sizeof(uint32_t));
        la = sk_utf8_decode(ma, mna, ca);
        lb = sk_utf8_decode(mb, mnb, cb);
        if (flags & SK_LEV_IGNORE_CASE) {
            for (size_t i = 0; i < la; i++)
                ca[i] = fold(ca[i], flags);
            for (size_t i = 0; i < lb; i++)
                cb[i] = fold(cb[i], flags);
        }
        d = distance_cp(ca, la, cb, lb, &mt);
        if (ca != s_a)
            free(ca);
        if (cb != s_b)
            free(cb);
    }
    if (d == SIZE_MAX)
        return SIZE_MAX;
    if (len_a)
        *len_a = common + la;
    if (len_b)
        *len_b = common + lb;
    return d;
}

size_t sk_levenshtein_ex(const char *a, size_t na, const char *b, size_t nb, unsigned flags,
                         size_t *len_a, size_t *len_b)
{
    return sk_levenshtein_metered(a, na, b, nb, flags, len_a, len_b, NULL, NULL);
}

size_t sk_levenshtein(const char *a, size_t na, const char *b, size_t nb)
{
    return sk_levenshtein_ex(a, na, b, nb, 0, NULL, NULL);
}

double sk_levenshtein_similarity_metered(const char *a, size_t na, const char *b, size_t nb,
                                         unsigned flags, sk_lev_tick tick, void *ud)
{
    size_t la, lb;
    size_t d = sk_levenshtein_metered(a, na, b, nb, flags, &la, &lb, tick, ud);
    if (d == SIZE_MAX)
        return -1.0;
    size_t mx = la > lb ? la : lb;
    if (mx == 0)
        return 1.0;
    return 1.0 - (double)d / (double)mx;
}

double sk_levenshtein_similarity_ex(const char *a, size_t na, const char *b, size_t nb,
                                    unsigned flags)
{
    return sk_levenshtein_similarity_metered(a, na, b, nb, flags, NULL, NULL);
}

double sk_levenshtein_similarity(const char *a, size_t na, const char *b, size_t nb)
{
    return sk_levenshtein_similarity_ex(a, na, b, nb, 0);
}
