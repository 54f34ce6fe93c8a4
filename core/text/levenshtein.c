/* STUB */
#include "levenshtein.h"
size_t sk_levenshtein_cp(const uint32_t *a, size_t na, const uint32_t *b, size_t nb) { (void)a; (void)b; return na > nb ? na : nb; }
size_t sk_levenshtein(const char *a, size_t na, const char *b, size_t nb) { (void)a; (void)b; return na > nb ? na : nb; }
double sk_levenshtein_similarity(const char *a, size_t na, const char *b, size_t nb) { (void)a; (void)b; (void)na; (void)nb; return 0; }
