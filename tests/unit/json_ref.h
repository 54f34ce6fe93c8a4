/*
 * A reference JSON checker (RFC 8259), independent of row.c, that the row
 * scanner's randomized tests use as the judge of what is valid JSON.
 */
#ifndef SK_JSON_REF_H
#define SK_JSON_REF_H

#include <stddef.h>

/* 1 if the n bytes at p are one valid JSON text (surrounding whitespace
 * allowed, nesting up to 512 levels and numbers within the range of a
 * double, as row.c allows), 0 if not. */
int sk_ref_json_valid(const char *p, size_t n);

#endif
