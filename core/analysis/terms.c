/* Words typical of failing texts (see terms.h). */
#include "analysis/terms.h"

#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/tests2x2.h"
#include "base/hash.h"
#include "base/util.h"

typedef struct term_count {
    char *term;
    long fail, pass;
    char *examples[3];
    size_t nex;
} term_count;

struct sk_terms {
    term_count *t;
    size_t n, cap;
    long total[2]; /* words counted in passing [0] and failing [1] texts */
    size_t *slots; /* open addressing: index + 1, 0 empty */
    size_t nslots;
};
typedef struct sk_terms term_table;

static uint64_t term_hash(const char *s, size_t n)
{
    return sk_fnv64(SK_FNV64_INIT, s, n);
}

static void table_grow(term_table *tt)
{
    size_t ns = tt->nslots ? tt->nslots * 2 : 1024;
    size_t *slots = sk_xcalloc(ns, sizeof *slots);
    for (size_t i = 0; i < tt->n; i++) {
        size_t h = (size_t)term_hash(tt->t[i].term, strlen(tt->t[i].term)) & (ns - 1);
        while (slots[h])
            h = (h + 1) & (ns - 1);
        slots[h] = i + 1;
    }
    free(tt->slots);
    tt->slots = slots;
    tt->nslots = ns;
}

static term_count *term_get(term_table *tt, const char *s, size_t n)
{
    if ((tt->n + 1) * 2 > tt->nslots)
        table_grow(tt);
    size_t h = (size_t)term_hash(s, n) & (tt->nslots - 1);
    while (tt->slots[h]) {
        term_count *t = &tt->t[tt->slots[h] - 1];
        if (strlen(t->term) == n && memcmp(t->term, s, n) == 0)
            return t;
        h = (h + 1) & (tt->nslots - 1);
    }
    tt->t = sk_xgrow(tt->t, &tt->cap, tt->n + 1, sizeof *tt->t);
    term_count *t = &tt->t[tt->n];
    memset(t, 0, sizeof *t);
    t->term = sk_xstrndup(s, n);
    tt->slots[h] = ++tt->n;
    return t;
}

void sk_terms_free(sk_terms *tt)
{
    if (!tt)
        return;
    for (size_t i = 0; i < tt->n; i++) {
        free(tt->t[i].term);
        for (size_t j = 0; j < tt->t[i].nex; j++)
            free(tt->t[i].examples[j]);
    }
    free(tt->t);
    free(tt->slots);
    free(tt);
}

sk_terms *sk_terms_new(void)
{
    return sk_xcalloc(1, sizeof(sk_terms));
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

/* Each distinct word of text once: counted for its row's group. */
void sk_terms_add(sk_terms *tt, const char *text, int failed, const char *id)
{
    size_t n = strlen(text);
    char *low = sk_xmalloc(n + 1);
    for (size_t i = 0; i <= n; i++)
        low[i] = (char)tolower((unsigned char)text[i]);
    /* Words seen in this text already (by index: the table may move), so a
     * repeated word counts once. */
    size_t *seen = NULL;
    size_t nseen = 0, cap = 0;
    size_t i = 0;
    while (i < n) {
        unsigned char c = (unsigned char)low[i];
        if (!(isalnum(c) || c >= 0x80)) {
            i++;
            continue;
        }
        size_t j = i;
        while (j < n && (isalnum((unsigned char)low[j]) || (unsigned char)low[j] >= 0x80))
            j++;
        if (j - i >= 2 && j - i <= 40 && !stopword(low + i, j - i)) {
            size_t idx = (size_t)(term_get(tt, low + i, j - i) - tt->t);
            int dup = 0;
            for (size_t k = 0; k < nseen && !dup; k++)
                dup = seen[k] == idx;
            if (!dup) {
                seen = sk_xgrow(seen, &cap, nseen + 1, sizeof *seen);
                seen[nseen++] = idx;
            }
        }
        i = j;
    }
    for (size_t k = 0; k < nseen; k++) {
        term_count *t = &tt->t[seen[k]];
        if (failed) {
            t->fail++;
            if (t->nex < 3)
                t->examples[t->nex++] = sk_xstrdup(id);
        } else {
            t->pass++;
        }
        tt->total[failed != 0]++;
    }
    free(seen);
    free(low);
}

static int cmp_terms(const void *a, const void *b)
{
    const sk_fail_term *x = a, *y = b;
    if (x->z != y->z)
        return x->z > y->z ? -1 : 1;
    return strcmp(x->term, y->term);
}

/* The words of failing texts against passing ones (see failures.h): the
 * prior of a word is its count over both groups, and the prior's total
 * all words' counts (Monroe et al.'s informative Dirichlet prior with the
 * experiment itself as the background).  Kept: z above 1.96, in two or
 * more failing rows. */
void sk_terms_distinctive(const sk_terms *tt, size_t want, sk_fail_term **out, size_t *nout)
{
    long n_fail = tt->total[1], n_pass = tt->total[0];
    double a0 = (double)(n_fail + n_pass);
    sk_fail_term *v = NULL;
    size_t n = 0;
    for (size_t i = 0; i < tt->n; i++) {
        const term_count *t = &tt->t[i];
        if (t->fail < 2)
            continue;
        double z = sk_logodds_z((double)t->fail, (double)n_fail, (double)t->pass, (double)n_pass,
                                (double)(t->fail + t->pass), a0);
        if (!(z > 1.959963984540054))
            continue;
        v = sk_xrealloc(v, (n + 1) * sizeof *v);
        sk_fail_term *x = &v[n++];
        memset(x, 0, sizeof *x);
        x->term = sk_xstrdup(t->term);
        x->in_fail = t->fail;
        x->in_pass = t->pass;
        x->z = z;
        for (size_t j = 0; j < t->nex; j++)
            x->examples[x->nexamples++] = sk_xstrdup(t->examples[j]);
    }
    if (n)
        qsort(v, n, sizeof *v, cmp_terms);
    for (size_t i = want; i < n; i++) {
        free(v[i].term);
        for (size_t j = 0; j < v[i].nexamples; j++)
            free(v[i].examples[j]);
    }
    *out = v;
    *nout = n < want ? n : want;
}
