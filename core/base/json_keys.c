/* Known keys of configuration objects (see json_keys.h). */
#include "base/json_keys.h"

#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "base/text/suggest.h"
#include "base/util.h"

static size_t skip_ws(const char *t, size_t n, size_t i)
{
    while (i < n && (t[i] == ' ' || t[i] == '\t' || t[i] == '\n' || t[i] == '\r'))
        i++;
    return i;
}

/* Past the JSON value (or string) at t[i]; the text is valid JSON. */
static size_t skip_value(const char *t, size_t n, size_t i)
{
    int depth = 0;
    do {
        if (t[i] == '"') {
            for (i++; i < n && t[i] != '"'; i++)
                if (t[i] == '\\')
                    i++;
            i++;
        } else if (t[i] == '{' || t[i] == '[') {
            depth++, i++;
        } else if (t[i] == '}' || t[i] == ']') {
            depth--, i++;
        } else if (depth > 0) {
            i++;
        } else {
            while (i < n && !strchr(",]} \t\r\n", t[i]))
                i++;
        }
    } while (i < n && depth > 0);
    return i;
}

/* The offset of the value of member name[0..nn) of the object at t[i], or
 * of its key when `at_key`; n when absent. */
static size_t member(const char *t, size_t n, size_t i, const char *name, size_t nn, int at_key)
{
    if (i >= n || t[i] != '{')
        return n;
    for (i = skip_ws(t, n, i + 1); i < n && t[i] == '"';) {
        size_t key = i;
        i = skip_value(t, n, i);
        int match = i - key == nn + 2 && memcmp(t + key + 1, name, nn) == 0;
        i = skip_ws(t, n, skip_ws(t, n, i) + 1); /* past ':' */
        if (match)
            return at_key ? key : i;
        i = skip_ws(t, n, skip_value(t, n, i));
        if (i >= n || t[i] != ',')
            return n;
        i = skip_ws(t, n, i + 1);
    }
    return n;
}

/* The offset of element k of the array at t[i], or n. */
static size_t element(const char *t, size_t n, size_t i, size_t k)
{
    if (i >= n || t[i] != '[')
        return n;
    i = skip_ws(t, n, i + 1);
    for (size_t j = 0; i < n && t[i] != ']'; j++) {
        if (j == k)
            return i;
        i = skip_ws(t, n, skip_value(t, n, i));
        if (i >= n || t[i] != ',')
            return n;
        i = skip_ws(t, n, i + 1);
    }
    return n;
}

size_t sk_json_key_line(const char *text, size_t len, const char *ptr, const char *key)
{
    if (!text)
        return 0;
    size_t i = skip_ws(text, len, 0);
    while (ptr && *ptr == '/' && i < len) {
        const char *seg = ptr + 1;
        size_t ns = strcspn(seg, "/");
        ptr = seg + ns;
        if (text[i] == '[') {
            char *end;
            unsigned long k = strtoul(seg, &end, 10);
            i = end == seg + ns ? element(text, len, i, k) : len;
        } else {
            i = member(text, len, i, seg, ns, 0);
        }
    }
    if (key)
        i = member(text, len, i, key, strlen(key), 1);
    if (i >= len)
        return 0;
    size_t line = 1;
    for (size_t j = 0; j < i; j++)
        line += text[j] == '\n';
    return line;
}

char *sk_json_where(const sk_json_src *src, const char *ptr, const char *key)
{
    if (!src || !src->file)
        return sk_xstrdup("");
    size_t line = sk_json_key_line(src->text, src->len, ptr, key);
    return line ? sk_asprintf("%s:%zu: ", src->file, line) : sk_asprintf("%s: ", src->file);
}

static int listed(const char *const *keys, const char *k)
{
    for (; keys && *keys; keys++)
        if (strcmp(*keys, k) == 0)
            return 1;
    return 0;
}

int sk_json_check_keys(const cJSON *o, const char *const *keys, const char *const *extra,
                       const char *where, const char *in, const sk_json_src *src, const char *ptr,
                       char **err)
{
    if (!cJSON_IsObject(o))
        return SK_OK;
    const cJSON *k;
    cJSON_ArrayForEach(k, o)
    {
        if (listed(keys, k->string) || listed(extra, k->string))
            continue;
        size_t nk = 0, ne = 0;
        while (keys && keys[nk])
            nk++;
        while (extra && extra[ne])
            ne++;
        const char **all = sk_xcalloc(nk + ne + 1, sizeof *all);
        sk_buf allowed = {0};
        for (size_t i = 0; i < nk + ne; i++) {
            all[i] = i < nk ? keys[i] : extra[i - nk];
            sk_buf_printf(&allowed, "%s%s", i ? ", " : "", all[i]);
        }
        const char *near = sk_suggest(k->string, all, nk + ne);
        char *loc = sk_json_where(src, ptr, k->string);
        char *hint = near ? sk_asprintf("; did you mean \"%s\"?", near) : sk_xstrdup("");
        int rc = sk_errf(err, SK_EINVAL, "%s%s%sunknown key \"%s\"%s%s (allowed: %s)", loc,
                         where ? where : "", where && where[0] ? ": " : "", k->string, in ? in : "",
                         hint, nk + ne ? allowed.data : "none");
        free(hint);
        free(loc);
        sk_buf_free(&allowed);
        free(all);
        return rc;
    }
    return SK_OK;
}
