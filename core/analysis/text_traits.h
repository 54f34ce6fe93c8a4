/*
 * Traits of a text (an input or an output) that `scorekit failures` tests
 * against the failure rate: its length in words, whether it reads like a
 * refusal, whether it is a JSON object or array, and the script most of
 * its letters are in.
 */
#ifndef SK_TEXT_TRAITS_H
#define SK_TEXT_TRAITS_H

#include <stddef.h>

/* The text of a JSON value: a string's contents, else the JSON text itself
 * ("" for NULL).  Caller frees. */
char *sk_text_of_json(const char *json);
/* Words: runs of non-space bytes. */
size_t sk_text_words(const char *t);
/* "0 words", "1-5 words", "6-20 words", "21-100 words", "over 100 words". */
const char *sk_text_length_bucket(size_t words);
/* 1 when it holds a refusal's usual phrasing ("I can't", "as an AI"...). */
int sk_text_refusal_like(const char *t);
/* 1 when it is a JSON object or array (surrounding spaces allowed). */
int sk_text_json_shaped(const char *t);
/* "Latin", "Cyrillic", "CJK", "Arabic", "other" or "none" (no letter). */
const char *sk_text_script(const char *t);

#endif
