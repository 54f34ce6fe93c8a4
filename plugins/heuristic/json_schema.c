/*
 * The JSON Schema subset valid_json applies (its `schema` param).
 *
 * Supported keywords, with JSON Schema's meaning:
 *   type                 a name or a non-empty list of names: object, array,
 *                        string, number, integer (a number with no
 *                        fractional part, so 1.0 is an integer), boolean,
 *                        null
 *   enum, const          the value equals one of the listed values / the
 *                        given value (numbers compare by value)
 *   properties           a schema per property name, applied when present
 *   required             property names that must be present
 *   additionalProperties false, or a schema for properties not listed in
 *                        properties
 *   items                one schema for every element of an array
 *   minItems, maxItems, uniqueItems
 *   minLength, maxLength counted in Unicode code points, not bytes
 *   minimum, maximum, exclusiveMinimum, exclusiveMaximum (a number, or
 *                        draft-4 style a boolean modifying minimum/maximum)
 * A schema may also be true (anything) or false (nothing).  Keywords that
 * only apply to one type (minLength, items, required, ...) pass values of
 * other types, as in JSON Schema: combine them with `type`.
 *
 * Keywords that would constrain the value but are not implemented ($ref,
 * allOf, anyOf, oneOf, not, if/then/else, pattern, patternProperties,
 * contains, multipleOf, min/maxProperties, propertyNames, dependencies,
 * prefixItems, items as a list, ...) are rejected by sk_schema_check, so a
 * schema is never silently checked more weakly than it reads.  Any other
 * keyword is ignored, as JSON Schema ignores unknown keywords: annotations
 * ($schema, $id, title, description, default, examples, $comment), `format`
 * (an annotation in current drafts) and $defs/definitions, which nothing
 * can reference without $ref.
 *
 * Recursion: checking walks the schema, which sk_schema_check limits to
 * MAX_DEPTH levels; validation only descends where the schema does, so an
 * output nested a thousand levels deep costs no more stack than the schema.
 * Value equality (enum, const, uniqueItems) has its own depth bound.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/json_tree.h"
#include "heuristic.h"
#include "patterns.h"

#define MAX_DEPTH 64
/* cJSON itself stops parsing at 1000 levels; this only guards equality
 * from a hand-built tree. */
#define EQUAL_MAX_DEPTH 1100

enum {
    T_OBJECT = 1u << 0,
    T_ARRAY = 1u << 1,
    T_STRING = 1u << 2,
    T_NUMBER = 1u << 3,
    T_INTEGER = 1u << 4,
    T_BOOLEAN = 1u << 5,
    T_NULL = 1u << 6
};

static const struct {
    const char *name;
    unsigned bit;
} type_names[] = {{"object", T_OBJECT}, {"array", T_ARRAY},     {"string", T_STRING},
                  {"number", T_NUMBER}, {"integer", T_INTEGER}, {"boolean", T_BOOLEAN},
                  {"null", T_NULL}};

/* clang-format off */
static const char *const unsupported[] = {
    "$ref", "$dynamicRef", "$recursiveRef", "allOf", "anyOf", "oneOf", "not", "if", "then",
    "else", "pattern", "patternProperties", "contains", "minContains", "maxContains",
    "multipleOf", "minProperties", "maxProperties", "propertyNames", "dependencies",
    "dependentRequired", "dependentSchemas", "prefixItems", "additionalItems",
    "unevaluatedProperties", "unevaluatedItems", NULL};
/* clang-format on */

#define SUPPORTED_LIST                                                                             \
    "type, enum, const, properties, required, additionalProperties, items, minItems, maxItems, "   \
    "uniqueItems, minLength, maxLength, minimum, maximum, exclusiveMinimum, exclusiveMaximum"

/* ---- paths ------------------------------------------------------------ */

/* A path being built while walking; too long a path is cut with "...". */
typedef struct path {
    char buf[256];
    size_t len;
} path;

static size_t path_push(path *p, const char *text)
{
    size_t mark = p->len, n = strlen(text);
    if (p->len + n + 4 > sizeof p->buf) {
        /* Cut once: later steps of a cut path add nothing. */
        if (p->len + 4 <= sizeof p->buf &&
            (p->len < 3 || strcmp(p->buf + p->len - 3, "...") != 0)) {
            memcpy(p->buf + p->len, "...", 4);
            p->len += 3;
        }
        return mark;
    }
    memcpy(p->buf + p->len, text, n + 1);
    p->len += n;
    return mark;
}

static void path_pop(path *p, size_t mark)
{
    p->len = mark;
    p->buf[mark] = '\0';
}

/* A JSON pointer segment (RFC 6901: ~ and / escaped) for schema errors. */
static size_t pointer_push(path *p, const char *kw, const char *key)
{
    char seg[160];
    snprintf(seg, sizeof seg, "/%s", kw);
    size_t mark = path_push(p, seg);
    if (key) {
        char esc[128];
        size_t o = 1;
        esc[0] = '/';
        for (const char *k = key; *k && o + 3 < sizeof esc; k++) {
            if (*k == '~' || *k == '/') {
                esc[o++] = '~';
                esc[o++] = *k == '~' ? '0' : '1';
            } else {
                esc[o++] = *k;
            }
        }
        esc[o] = '\0';
        path_push(p, esc);
    }
    return mark;
}

/* A JSONPath-style step for a property: .name, or ["odd name"]. */
static size_t member_push(path *p, const char *key)
{
    int ident =
        (key[0] == '_' || (key[0] >= 'a' && key[0] <= 'z') || (key[0] >= 'A' && key[0] <= 'Z'));
    for (const char *k = key; ident && *k; k++)
        ident = *k == '_' || (*k >= 'a' && *k <= 'z') || (*k >= 'A' && *k <= 'Z') ||
                (*k >= '0' && *k <= '9');
    char step[224];
    if (ident) {
        snprintf(step, sizeof step, ".%.*s", 200, key);
    } else {
        char q[200];
        sk_pattern_quote(q, sizeof q, key, strlen(key), 40);
        snprintf(step, sizeof step, "[%s]", q);
    }
    return path_push(p, step);
}

/* ---- checking the schema (open time) ---------------------------------- */

static int is_count(const cJSON *v)
{
    return cJSON_IsNumber(v) && v->valuedouble >= 0 && v->valuedouble == floor(v->valuedouble) &&
           v->valuedouble < 9007199254740992.0;
}

static int type_bit(const char *name, unsigned *bit)
{
    for (size_t i = 0; i < sizeof type_names / sizeof type_names[0]; i++)
        if (strcmp(type_names[i].name, name) == 0) {
            *bit = type_names[i].bit;
            return 1;
        }
    return 0;
}

static int bad(char *err, size_t errlen, const path *p, const char *fmt, ...) SK_PRINTF(4, 5);

static int bad(char *err, size_t errlen, const path *p, const char *fmt, ...)
{
    char what[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    snprintf(err, errlen, "valid_json: param \"schema\" at #%s: %s", p->buf, what);
    return -1;
}

static int check_node(const cJSON *s, path *p, int depth, char *err, size_t errlen);

static int check_type(const cJSON *t, const path *p, char *err, size_t errlen)
{
    unsigned bit;
    if (cJSON_IsString(t)) {
        if (!type_bit(t->valuestring, &bit))
            return bad(err, errlen, p,
                       "unknown type \"%s\"; use object, array, string, number, integer, boolean "
                       "or null",
                       t->valuestring);
        return 0;
    }
    if (!cJSON_IsArray(t) || cJSON_GetArraySize(t) == 0)
        return bad(err, errlen, p, "\"type\" must be a type name or a non-empty list of them");
    const cJSON *e;
    cJSON_ArrayForEach(e, t)
    {
        if (!cJSON_IsString(e))
            return bad(err, errlen, p, "\"type\" lists something that is not a type name");
        if (!type_bit(e->valuestring, &bit))
            return bad(err, errlen, p,
                       "unknown type \"%s\"; use object, array, string, number, integer, boolean "
                       "or null",
                       e->valuestring);
    }
    return 0;
}

static int check_pair(const cJSON *s, const char *lo, const char *hi, const path *p, char *err,
                      size_t errlen)
{
    const cJSON *a = cJSON_GetObjectItemCaseSensitive(s, lo);
    const cJSON *b = cJSON_GetObjectItemCaseSensitive(s, hi);
    if (cJSON_IsNumber(a) && cJSON_IsNumber(b) && a->valuedouble > b->valuedouble) {
        return bad(err, errlen, p, "\"%s\" (%g) is greater than \"%s\" (%g); no value could pass",
                   lo, a->valuedouble, hi, b->valuedouble);
    }
    return 0;
}

static int check_keyword(const cJSON *kw, path *p, int depth, char *err, size_t errlen)
{
    const char *k = kw->string;
    for (size_t i = 0; unsupported[i]; i++)
        if (strcmp(k, unsupported[i]) == 0)
            return bad(err, errlen, p,
                       "keyword \"%s\" is not supported by valid_json's JSON Schema subset "
                       "(supported: " SUPPORTED_LIST "); remove it or check that part another way",
                       k);

    if (strcmp(k, "type") == 0)
        return check_type(kw, p, err, errlen);
    if (strcmp(k, "properties") == 0) {
        if (!cJSON_IsObject(kw))
            return bad(err, errlen, p, "\"properties\" must be an object of schemas");
        const cJSON *prop;
        cJSON_ArrayForEach(prop, kw)
        {
            size_t mark = pointer_push(p, "properties", prop->string);
            int rc = check_node(prop, p, depth + 1, err, errlen);
            path_pop(p, mark);
            if (rc)
                return rc;
        }
        return 0;
    }
    if (strcmp(k, "required") == 0) {
        if (!cJSON_IsArray(kw))
            return bad(err, errlen, p, "\"required\" must be a list of property names");
        const cJSON *e;
        cJSON_ArrayForEach(e, kw)
        {
            if (!cJSON_IsString(e))
                return bad(err, errlen, p, "\"required\" must list property names (strings)");
        }
        return 0;
    }
    if (strcmp(k, "items") == 0) {
        if (cJSON_IsArray(kw))
            return bad(err, errlen, p,
                       "\"items\" as a list (tuple validation) is not supported; give one schema "
                       "for every item");
        size_t mark = pointer_push(p, "items", NULL);
        int rc = check_node(kw, p, depth + 1, err, errlen);
        path_pop(p, mark);
        return rc;
    }
    if (strcmp(k, "additionalProperties") == 0) {
        size_t mark = pointer_push(p, "additionalProperties", NULL);
        int rc = check_node(kw, p, depth + 1, err, errlen);
        path_pop(p, mark);
        return rc;
    }
    if (strcmp(k, "enum") == 0) {
        if (!cJSON_IsArray(kw) || cJSON_GetArraySize(kw) == 0)
            return bad(err, errlen, p, "\"enum\" must be a non-empty list of the allowed values");
        return 0;
    }
    if (strcmp(k, "uniqueItems") == 0) {
        if (!cJSON_IsBool(kw))
            return bad(err, errlen, p, "\"uniqueItems\" must be true or false");
        return 0;
    }
    if (strcmp(k, "minItems") == 0 || strcmp(k, "maxItems") == 0 || strcmp(k, "minLength") == 0 ||
        strcmp(k, "maxLength") == 0) {
        if (!is_count(kw))
            return bad(err, errlen, p, "\"%s\" must be an integer, 0 or more", k);
        return 0;
    }
    if (strcmp(k, "minimum") == 0 || strcmp(k, "maximum") == 0) {
        if (!cJSON_IsNumber(kw))
            return bad(err, errlen, p, "\"%s\" must be a number", k);
        return 0;
    }
    if (strcmp(k, "exclusiveMinimum") == 0 || strcmp(k, "exclusiveMaximum") == 0) {
        if (!cJSON_IsNumber(kw) && !cJSON_IsBool(kw))
            return bad(err, errlen, p, "\"%s\" must be a number (or, draft-4 style, a boolean)", k);
        return 0;
    }
    return 0; /* const takes any value; anything else is ignored */
}

static int check_node(const cJSON *s, path *p, int depth, char *err, size_t errlen)
{
    if (depth > MAX_DEPTH)
        return bad(err, errlen, p, "the schema is nested deeper than %d levels; flatten it",
                   MAX_DEPTH);
    if (cJSON_IsBool(s))
        return 0;
    if (!cJSON_IsObject(s))
        return bad(err, errlen, p, "a schema must be an object (or true/false)");
    const cJSON *kw;
    cJSON_ArrayForEach(kw, s)
    {
        int rc = check_keyword(kw, p, depth, err, errlen);
        if (rc)
            return rc;
    }
    if (check_pair(s, "minItems", "maxItems", p, err, errlen) ||
        check_pair(s, "minLength", "maxLength", p, err, errlen) ||
        check_pair(s, "minimum", "maximum", p, err, errlen))
        return -1;
    return 0;
}

int sk_schema_check(const cJSON *schema, char *err, size_t errlen)
{
    path p = {{0}, 0};
    return check_node(schema, &p, 0, err, errlen);
}

/* ---- validating a value (score time) ---------------------------------- */

static int is_integral(double d)
{
    return isfinite(d) && d == floor(d);
}

static const char *kind_of(const cJSON *v)
{
    if (cJSON_IsObject(v))
        return "object";
    if (cJSON_IsArray(v))
        return "array";
    if (cJSON_IsString(v))
        return "string";
    if (cJSON_IsNumber(v))
        return is_integral(v->valuedouble) ? "integer" : "number";
    if (cJSON_IsBool(v))
        return "boolean";
    return "null";
}

static int type_ok(unsigned mask, const cJSON *v)
{
    if (cJSON_IsObject(v))
        return mask & T_OBJECT;
    if (cJSON_IsArray(v))
        return mask & T_ARRAY;
    if (cJSON_IsString(v))
        return mask & T_STRING;
    if (cJSON_IsNumber(v))
        return (mask & T_NUMBER) || ((mask & T_INTEGER) && is_integral(v->valuedouble));
    if (cJSON_IsBool(v))
        return mask & T_BOOLEAN;
    return mask & T_NULL;
}

static unsigned type_mask(const cJSON *t)
{
    unsigned mask = 0, bit;
    if (cJSON_IsString(t) && type_bit(t->valuestring, &bit))
        return bit;
    const cJSON *e, *list = cJSON_IsArray(t) ? t : NULL;
    cJSON_ArrayForEach(e, list)
    {
        if (cJSON_IsString(e) && type_bit(e->valuestring, &bit))
            mask |= bit;
    }
    return mask;
}

static void type_list(char *out, size_t outsz, const cJSON *t)
{
    if (cJSON_IsString(t)) {
        snprintf(out, outsz, "%s", t->valuestring);
        return;
    }
    size_t o = 0;
    int n = cJSON_GetArraySize(t), i = 0;
    const cJSON *e;
    out[0] = '\0';
    cJSON_ArrayForEach(e, t)
    {
        const char *sep = i == 0 ? "" : i == n - 1 ? " or " : ", ";
        snprintf(out + o, outsz - o, "%s%s", sep, e->valuestring);
        o = strlen(out);
        i++;
    }
}

/* -1, 0 or 1 as a is below, at or above b: by exact decimal value when
 * both keep their literal (schema and output both come from sk_json_parse),
 * so 9007199254740993 is above 9007199254740992, which as doubles are one
 * number, and 1, 1.0 and 1e0 are one value; else as doubles. */
static int cmp_numbers(const cJSON *a, const cJSON *b)
{
    sk_hnum x, y;
    if (sk_hjson_number(a, &x) == 0) {
        int both = sk_hjson_number(b, &y) == 0;
        int c = both ? sk_hnum_cmp(&x, &y) : 0;
        sk_hnum_free(&x);
        if (both) {
            sk_hnum_free(&y);
            return c;
        }
    }
    return (a->valuedouble > b->valuedouble) - (a->valuedouble < b->valuedouble);
}

static int equal(const cJSON *a, const cJSON *b, int depth)
{
    if (depth > EQUAL_MAX_DEPTH)
        return 0;
    if (cJSON_IsNumber(a) && cJSON_IsNumber(b))
        return cmp_numbers(a, b) == 0;
    if ((a->type & 0xFF) != (b->type & 0xFF))
        return 0;
    if (cJSON_IsString(a))
        return strcmp(a->valuestring, b->valuestring) == 0;
    if (cJSON_IsArray(a)) {
        const cJSON *x = a->child, *y = b->child;
        for (; x && y; x = x->next, y = y->next)
            if (!equal(x, y, depth + 1))
                return 0;
        return !x && !y;
    }
    if (cJSON_IsObject(a)) {
        if (cJSON_GetArraySize(a) != cJSON_GetArraySize(b))
            return 0;
        const cJSON *x;
        cJSON_ArrayForEach(x, a)
        {
            const cJSON *y = cJSON_GetObjectItemCaseSensitive(b, x->string);
            if (!y || !equal(x, y, depth + 1))
                return 0;
        }
        return 1;
    }
    return 1; /* true, false, null: equal types are equal values */
}

/* Compact JSON of v for a message, cut to about max bytes; numbers as
 * written (sk_json_print), not as cJSON prints their doubles. */
static void show(char *out, size_t outsz, const cJSON *v, size_t max)
{
    char *text = sk_json_print(v);
    size_t n = strlen(text);
    if (n > max) {
        /* Cut on a UTF-8 boundary. */
        while (max > 0 && ((unsigned char)text[max] & 0xC0) == 0x80)
            max--;
        snprintf(out, outsz, "%.*s...", (int)max, text);
    } else {
        snprintf(out, outsz, "%s", text);
    }
    free(text);
}

static size_t code_points(const char *s)
{
    size_t n = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        n += (*p & 0xC0) != 0x80;
    return n;
}

static int fail(char *why, size_t whylen, const path *p, const char *fmt, ...) SK_PRINTF(4, 5);

static int fail(char *why, size_t whylen, const path *p, const char *fmt, ...)
{
    char what[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    snprintf(why, whylen, "%s: %s", p->buf, what);
    return 0;
}

static int validate(const cJSON *s, const cJSON *v, path *p, char *why, size_t whylen);

/* A number for a message: as written when known. */
static const char *num_text(const cJSON *v, char *buf, size_t n)
{
    if (v->valuestring)
        return v->valuestring;
    snprintf(buf, n, "%.17g", v->valuedouble);
    return buf;
}

static int validate_number(const cJSON *s, const cJSON *v, const path *p, char *why, size_t whylen)
{
    const cJSON *min = cJSON_GetObjectItemCaseSensitive(s, "minimum");
    const cJSON *max = cJSON_GetObjectItemCaseSensitive(s, "maximum");
    const cJSON *xmin = cJSON_GetObjectItemCaseSensitive(s, "exclusiveMinimum");
    const cJSON *xmax = cJSON_GetObjectItemCaseSensitive(s, "exclusiveMaximum");
    char a[40], b[40];
    if (cJSON_IsNumber(min)) {
        int c = cmp_numbers(v, min);
        if (cJSON_IsTrue(xmin) && c <= 0)
            return fail(why, whylen, p, "%s must be greater than %s (exclusiveMinimum)",
                        num_text(v, a, sizeof a), num_text(min, b, sizeof b));
        if (c < 0)
            return fail(why, whylen, p, "%s is less than the minimum %s", num_text(v, a, sizeof a),
                        num_text(min, b, sizeof b));
    }
    if (cJSON_IsNumber(max)) {
        int c = cmp_numbers(v, max);
        if (cJSON_IsTrue(xmax) && c >= 0)
            return fail(why, whylen, p, "%s must be less than %s (exclusiveMaximum)",
                        num_text(v, a, sizeof a), num_text(max, b, sizeof b));
        if (c > 0)
            return fail(why, whylen, p, "%s is greater than the maximum %s",
                        num_text(v, a, sizeof a), num_text(max, b, sizeof b));
    }
    if (cJSON_IsNumber(xmin) && cmp_numbers(v, xmin) <= 0)
        return fail(why, whylen, p, "%s must be greater than %s (exclusiveMinimum)",
                    num_text(v, a, sizeof a), num_text(xmin, b, sizeof b));
    if (cJSON_IsNumber(xmax) && cmp_numbers(v, xmax) >= 0)
        return fail(why, whylen, p, "%s must be less than %s (exclusiveMaximum)",
                    num_text(v, a, sizeof a), num_text(xmax, b, sizeof b));
    return 1;
}

static int validate_array(const cJSON *s, const cJSON *v, path *p, char *why, size_t whylen)
{
    const cJSON *min = cJSON_GetObjectItemCaseSensitive(s, "minItems");
    const cJSON *max = cJSON_GetObjectItemCaseSensitive(s, "maxItems");
    const cJSON *items = cJSON_GetObjectItemCaseSensitive(s, "items");
    size_t n = (size_t)cJSON_GetArraySize(v);
    if (cJSON_IsNumber(min) && (double)n < min->valuedouble)
        return fail(why, whylen, p, "expected at least %.0f item%s, got %zu", min->valuedouble,
                    min->valuedouble == 1 ? "" : "s", n);
    if (cJSON_IsNumber(max) && (double)n > max->valuedouble)
        return fail(why, whylen, p, "expected at most %.0f item%s, got %zu", max->valuedouble,
                    max->valuedouble == 1 ? "" : "s", n);
    if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(s, "uniqueItems"))) {
        size_t i = 0;
        for (const cJSON *a = v->child; a; a = a->next, i++) {
            size_t j = i + 1;
            for (const cJSON *b = a->next; b; b = b->next, j++)
                if (equal(a, b, 0))
                    return fail(why, whylen, p, "items %zu and %zu are equal (uniqueItems)", i, j);
        }
    }
    if (items) {
        size_t i = 0;
        for (const cJSON *e = v->child; e; e = e->next, i++) {
            char step[32];
            snprintf(step, sizeof step, "[%zu]", i);
            size_t mark = path_push(p, step);
            int ok = validate(items, e, p, why, whylen);
            path_pop(p, mark);
            if (!ok)
                return 0;
        }
    }
    return 1;
}

static int validate_object(const cJSON *s, const cJSON *v, path *p, char *why, size_t whylen)
{
    const cJSON *req = cJSON_GetObjectItemCaseSensitive(s, "required");
    const cJSON *props = cJSON_GetObjectItemCaseSensitive(s, "properties");
    const cJSON *extra = cJSON_GetObjectItemCaseSensitive(s, "additionalProperties");
    const cJSON *e;
    cJSON_ArrayForEach(e, req)
    {
        if (!cJSON_GetObjectItemCaseSensitive(v, e->valuestring)) {
            char q[200];
            sk_pattern_quote(q, sizeof q, e->valuestring, strlen(e->valuestring), 60);
            return fail(why, whylen, p, "missing required property %s", q);
        }
    }
    cJSON_ArrayForEach(e, v)
    {
        const cJSON *sub = props ? cJSON_GetObjectItemCaseSensitive(props, e->string) : NULL;
        if (!sub && cJSON_IsFalse(extra)) {
            char q[200];
            sk_pattern_quote(q, sizeof q, e->string, strlen(e->string), 60);
            return fail(why, whylen, p,
                        "property %s is not allowed (additionalProperties is false)", q);
        }
        if (!sub && cJSON_IsObject(extra))
            sub = extra;
        if (!sub)
            continue;
        size_t mark = member_push(p, e->string);
        int ok = validate(sub, e, p, why, whylen);
        path_pop(p, mark);
        if (!ok)
            return 0;
    }
    return 1;
}

static int validate(const cJSON *s, const cJSON *v, path *p, char *why, size_t whylen)
{
    if (cJSON_IsBool(s))
        return cJSON_IsTrue(s) ? 1
                               : fail(why, whylen, p, "no value is allowed here (schema false)");

    const cJSON *t = cJSON_GetObjectItemCaseSensitive(s, "type");
    if (t && !type_ok(type_mask(t), v)) {
        char want[128], got[64] = "";
        type_list(want, sizeof want, t);
        if (cJSON_IsNumber(v) && !is_integral(v->valuedouble))
            snprintf(got, sizeof got, " %.17g", v->valuedouble);
        return fail(why, whylen, p, "expected %s, got %s%s", want, kind_of(v), got);
    }
    const cJSON *c = cJSON_GetObjectItemCaseSensitive(s, "const");
    if (c && !equal(c, v, 0)) {
        char want[160], got[160];
        show(want, sizeof want, c, 60);
        show(got, sizeof got, v, 60);
        return fail(why, whylen, p, "expected %s (const), got %s", want, got);
    }
    const cJSON *en = cJSON_GetObjectItemCaseSensitive(s, "enum");
    if (en) {
        const cJSON *e;
        int any = 0;
        cJSON_ArrayForEach(e, en) any = any || equal(e, v, 0);
        if (!any) {
            char allowed[200], got[160];
            show(allowed, sizeof allowed, en, 120);
            show(got, sizeof got, v, 60);
            return fail(why, whylen, p, "%s is not one of the allowed values %s", got, allowed);
        }
    }
    if (cJSON_IsString(v)) {
        const cJSON *min = cJSON_GetObjectItemCaseSensitive(s, "minLength");
        const cJSON *max = cJSON_GetObjectItemCaseSensitive(s, "maxLength");
        if (cJSON_IsNumber(min) || cJSON_IsNumber(max)) {
            size_t n = code_points(v->valuestring);
            if (cJSON_IsNumber(min) && (double)n < min->valuedouble)
                return fail(why, whylen, p, "expected at least %.0f characters, got %zu",
                            min->valuedouble, n);
            if (cJSON_IsNumber(max) && (double)n > max->valuedouble)
                return fail(why, whylen, p, "expected at most %.0f characters, got %zu",
                            max->valuedouble, n);
        }
        return 1;
    }
    if (cJSON_IsNumber(v))
        return validate_number(s, v, p, why, whylen);
    if (cJSON_IsArray(v))
        return validate_array(s, v, p, why, whylen);
    if (cJSON_IsObject(v))
        return validate_object(s, v, p, why, whylen);
    return 1;
}

int sk_schema_validate(const cJSON *schema, const cJSON *v, char *why, size_t whylen)
{
    path p = {"$", 1};
    why[0] = '\0';
    return validate(schema, v, &p, why, whylen);
}
