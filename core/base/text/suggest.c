/* The "did you mean" suggester (see suggest.h). */
#include "base/text/suggest.h"

#include <string.h>

/* How far apart two names may be and still look like a typo of each
 * other: a third of the longer, so "compre" finds "compare" but "nope"
 * does not find "mode". */
static size_t max_edits(size_t a, size_t b)
{
    size_t m = (a > b ? a : b) / 3;
    return m < 1 ? 1 : m > 3 ? 3 : m;
}

#define NAME_MAX_LEN 64

static int fold(int c)
{
    return c >= 'A' && c <= 'Z' ? c + 32 : c;
}

/* Edit distance where swapping two neighbours is one edit, not two
 * (optimal string alignment): "feild" is one typo away from "field".
 * Names are short ASCII words; SIZE_MAX past NAME_MAX_LEN. */
static size_t typo_distance(const char *a, size_t na, const char *b, size_t nb)
{
    if (na > NAME_MAX_LEN || nb > NAME_MAX_LEN)
        return (size_t)-1;
    size_t d[NAME_MAX_LEN + 1][NAME_MAX_LEN + 1];
    for (size_t i = 0; i <= na; i++)
        d[i][0] = i;
    for (size_t j = 0; j <= nb; j++)
        d[0][j] = j;
    for (size_t i = 1; i <= na; i++)
        for (size_t j = 1; j <= nb; j++) {
            size_t cost = fold((unsigned char)a[i - 1]) != fold((unsigned char)b[j - 1]);
            size_t v = d[i - 1][j - 1] + cost;
            if (d[i - 1][j] + 1 < v)
                v = d[i - 1][j] + 1;
            if (d[i][j - 1] + 1 < v)
                v = d[i][j - 1] + 1;
            if (i > 1 && j > 1 && fold((unsigned char)a[i - 1]) == fold((unsigned char)b[j - 2]) &&
                fold((unsigned char)a[i - 2]) == fold((unsigned char)b[j - 1]) &&
                d[i - 2][j - 2] + 1 < v)
                v = d[i - 2][j - 2] + 1;
            d[i][j] = v;
        }
    return d[na][nb];
}

/* shorter is longer's first word: "by" of "by-topic", "max_age" of
 * "max_age_days". */
static int first_words(const char *shorter, size_t ns, const char *longer)
{
    return ns >= 2 && strncmp(shorter, longer, ns) == 0 &&
           (longer[ns] == '-' || longer[ns] == '_' || longer[ns] == '.');
}

const char *sk_suggest(const char *word, const char *const *cands, size_t n)
{
    if (!word || !word[0])
        return NULL;
    size_t nw = strlen(word);
    const char *best = NULL;
    size_t best_d = (size_t)-1;
    for (size_t i = 0; i < n; i++) {
        if (!cands[i] || !cands[i][0] || strcmp(cands[i], word) == 0)
            continue;
        size_t nc = strlen(cands[i]);
        size_t d = typo_distance(word, nw, cands[i], nc);
        if (d > max_edits(nw, nc)) {
            /* A flag with a word too many (--by-topic for --by) is far in
             * edits but plainly meant: rank it after every real typo. */
            if (!(nc < nw ? first_words(cands[i], nc, word) : first_words(word, nw, cands[i])))
                continue;
            d = 4 + (nc > nw ? nc - nw : nw - nc);
        }
        if (d < best_d) {
            best_d = d;
            best = cands[i];
        }
    }
    return best;
}

const char *sk_suggest_nt(const char *word, const char *const *cands)
{
    size_t n = 0;
    while (cands[n])
        n++;
    return sk_suggest(word, cands, n);
}
