/*
 * "Did you mean": the candidate closest to a word that was not recognised
 * (a command, a flag, a config key, a scorer name), by edit distance with
 * swaps (levenshtein.h is the scorers' distance, without them).  One
 * suggester for the whole program, so every "unknown X" message picks its
 * suggestion the same way.
 */
#ifndef SK_TEXT_SUGGEST_H
#define SK_TEXT_SUGGEST_H

#include <stddef.h>

/* The candidate (borrowed from cands) nearest to word, or NULL when none is
 * near enough to be a likely typo: at most a third of the longer of the two
 * lengths apart (at least 1, at most 3 edits; an edit is an insertion, a
 * deletion, a substitution or a swap of neighbours), ASCII case ignored,
 * names of at most 64 bytes; among
 * equals, the first.  A candidate that is word's first words (or the other
 * way round), split at '-', '_' or '.', counts as near too, after every
 * typo: "by-topic" suggests "by".  n counts the candidates; NULL entries are
 * skipped. */
const char *sk_suggest(const char *word, const char *const *cands, size_t n);

/* sk_suggest over a NULL-terminated list. */
const char *sk_suggest_nt(const char *word, const char *const *cands);

#endif
