/*
 * Known keys of configuration objects.  Every configuration file
 * (scorekit.json, packs, task and llm objects, calibration cases) names
 * its keys in a table and checks each object against it here, so a typo
 * ("require_validatd") is an error with the file, the line and the key it
 * probably meant, never a setting silently ignored.
 */
#ifndef SK_JSON_KEYS_H
#define SK_JSON_KEYS_H

#include <stddef.h>

#include <cjson/cJSON.h>

/* Where a JSON text came from, for FILE:LINE in messages.  All borrowed. */
typedef struct sk_json_src {
    const char *file; /* the path as messages show it */
    const char *text; /* the whole text, as parsed */
    size_t len;
} sk_json_src;

/* The 1-based line of the member `key` of the object that the JSON pointer
 * `ptr` names in text ("" the top level, "/task", "/scorers/2/params";
 * array elements by index, no escapes), or 0 when there is none; with key
 * NULL, the line where the value at ptr itself starts.  text must be valid
 * JSON (it was parsed). */
size_t sk_json_key_line(const char *text, size_t len, const char *ptr, const char *key);

/* Check that every member of the object o is one of keys[] or extra[]
 * (both NULL-terminated; extra may be NULL).  On the first that is not,
 * returns SK_EINVAL with *err (caller frees):
 *   FILE:LINE: WHERE: unknown key "K"IN; did you mean "X"? (allowed: ...)
 * FILE:LINE when src is given (o is at ptr in src->text), WHERE when where
 * is neither NULL nor "", the suggestion
 * when one is near (sk_suggest), IN (" for the exec provider") when in is
 * not NULL.  o not an object is not checked here: 0. */
int sk_json_check_keys(const cJSON *o, const char *const *keys, const char *const *extra,
                       const char *where, const char *in, const sk_json_src *src, const char *ptr,
                       char **err);

/* "FILE:LINE: " for the member key of the object at ptr, or "FILE: " when
 * the line is not found, or "" when src is NULL.  Caller frees. */
char *sk_json_where(const sk_json_src *src, const char *ptr, const char *key);

#endif
