/* STUB */
#include "utf8.h"
size_t sk_utf8_decode(const char *s, size_t n, uint32_t *out) { for (size_t i = 0; i < n; i++) out[i] = (unsigned char)s[i]; return n; }
size_t sk_utf8_count(const char *s, size_t n) { (void)s; return n; }
size_t sk_utf8_encode(uint32_t cp, char out[4]) { out[0] = (char)cp; return 1; }
