/* Traits of a text that failures are tested against (see text_traits.h). */
#include "analysis/text_traits.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "base/json_tree.h"
#include "base/util.h"

/* The text of a JSON value: a string's contents, else the JSON itself.
 * Caller frees. */
char *sk_text_of_json(const char *json)
{
    if (!json)
        return sk_xstrdup("");
    if (json[0] != '"')
        return sk_xstrdup(json);
    cJSON *v = sk_json_parse_cstr(json);
    char *t = sk_xstrdup(cJSON_IsString(v) ? v->valuestring : json);
    cJSON_Delete(v);
    return t;
}

size_t sk_text_words(const char *t)
{
    size_t n = 0;
    int in = 0;
    for (; *t; t++) {
        int sp = isspace((unsigned char)*t);
        n += !sp && !in;
        in = !sp;
    }
    return n;
}

const char *sk_text_length_bucket(size_t w)
{
    return w == 0     ? "0 words"
           : w <= 5   ? "1-5 words"
           : w <= 20  ? "6-20 words"
           : w <= 100 ? "21-100 words"
                      : "over 100 words";
}

int sk_text_refusal_like(const char *t)
{
    static const char *const phrases[] = {
        "i can't",     "i cannot", "i'm sorry",  "i am sorry",   "as an ai",      "i'm unable",
        "i am unable", "i won't",  "i will not", "i'm not able", "i am not able", NULL};
    size_t n = strlen(t);
    char *low = sk_xmalloc(n + 1);
    for (size_t i = 0; i <= n; i++)
        low[i] = (char)tolower((unsigned char)t[i]);
    int hit = 0;
    for (size_t i = 0; phrases[i] && !hit; i++)
        hit = strstr(low, phrases[i]) != NULL;
    free(low);
    return hit;
}

int sk_text_json_shaped(const char *t)
{
    while (isspace((unsigned char)*t))
        t++;
    if (*t != '{' && *t != '[')
        return 0;
    cJSON *v = sk_json_parse_cstr(t);
    int ok = v != NULL;
    cJSON_Delete(v);
    return ok;
}

/* The script most of the letters are in. */
const char *sk_text_script(const char *t)
{
    long latin = 0, cyr = 0, cjk = 0, arabic = 0, other = 0;
    const unsigned char *p = (const unsigned char *)t;
    while (*p) {
        unsigned cp = *p;
        int len = 1;
        if (cp >= 0xf0 && p[1] && p[2] && p[3])
            cp = ((cp & 7u) << 18) | ((p[1] & 63u) << 12) | ((p[2] & 63u) << 6) | (p[3] & 63u),
            len = 4;
        else if (cp >= 0xe0 && p[1] && p[2])
            cp = ((cp & 15u) << 12) | ((p[1] & 63u) << 6) | (p[2] & 63u), len = 3;
        else if (cp >= 0xc0 && p[1])
            cp = ((cp & 31u) << 6) | (p[1] & 63u), len = 2;
        if (cp < 0x80)
            latin += isalpha((int)cp) != 0;
        else if (cp < 0x250)
            latin++;
        else if (cp >= 0x400 && cp < 0x530)
            cyr++;
        else if (cp >= 0x600 && cp < 0x700)
            arabic++;
        else if ((cp >= 0x3040 && cp < 0x30ff) || (cp >= 0x4e00 && cp < 0xa000) ||
                 (cp >= 0xac00 && cp < 0xd7b0))
            cjk++;
        else if (cp >= 0x250)
            other++;
        p += len;
    }
    long best = latin;
    const char *name = latin ? "Latin" : "none";
    if (cyr > best)
        best = cyr, name = "Cyrillic";
    if (cjk > best)
        best = cjk, name = "CJK";
    if (arabic > best)
        best = arabic, name = "Arabic";
    if (other > best)
        name = "other";
    return name;
}
