/*
 * sk_json_parse (see json_tree.h): the row scanner's checker validates the
 * text, then one pass over it builds the tree.  Only valid text reaches the
 * builder, so it needs no error paths of its own and the grammar lives in
 * one place (row.c).  Containers are tracked on an explicit stack, never by
 * recursion, so nesting cannot overflow a worker thread's C stack.
 */
#include "base/json_tree.h"

#include <stdlib.h>
#include <string.h>

#include "base/row.h"
#include "base/util.h"

static cJSON *need(cJSON *v)
{
    if (!v)
        abort(); /* house policy: out of memory is not recoverable */
    return v;
}

static const char *skip_ws(const char *p, const char *end)
{
    while (p < end && (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t'))
        p++;
    return p;
}

/* The byte after the string literal whose opening quote is at p. */
static const char *string_end(const char *p, const char *end)
{
    for (p++; p < end && *p != '"'; p++)
        if (*p == '\\')
            p++;
    return p < end ? p + 1 : end;
}

static int number_char(char c)
{
    return (c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E';
}

static cJSON *number(const char *p, size_t n)
{
    char small[64], *buf = n < sizeof small ? small : sk_xmalloc(n + 1);
    memcpy(buf, p, n);
    buf[n] = '\0';
    cJSON *v = need(cJSON_CreateNumber(strtod(buf, NULL)));
    if (buf != small)
        free(buf);
    /* cJSON's allocator, since cJSON_Delete frees it. */
    v->valuestring = cJSON_malloc(n + 1);
    if (!v->valuestring)
        abort();
    memcpy(v->valuestring, p, n);
    v->valuestring[n] = '\0';
    return v;
}

cJSON *sk_json_parse(const char *text, size_t len)
{
    if (!text || sk_json_check(text, len, NULL, NULL, 0) != 0)
        return NULL;
    cJSON *stack[SK_JSON_MAX_DEPTH];
    size_t depth = 0;
    cJSON *root = NULL;
    sk_buf key = {0}, str = {0};
    int have_key = 0; /* the current object's next member name is in key */
    const char *p = text, *end = text + len;
    while ((p = skip_ws(p, end)) < end) {
        cJSON *v;
        switch (*p) {
        case ',':
        case ':': p++; continue;
        case '}':
        case ']':
            depth--;
            p++;
            continue;
        case '{':
            v = need(cJSON_CreateObject());
            p++;
            break;
        case '[':
            v = need(cJSON_CreateArray());
            p++;
            break;
        case '"': {
            const char *q = string_end(p, end);
            int is_key = depth && cJSON_IsObject(stack[depth - 1]) && !have_key;
            sk_buf *b = is_key ? &key : &str;
            sk_buf_reset(b);
            sk_buf_reserve(b, 0);
            sk_json_string_decode(p, (size_t)(q - p), b);
            p = q;
            if (is_key) {
                have_key = 1;
                continue;
            }
            v = need(cJSON_CreateString(str.data));
            break;
        }
        case 't':
            v = need(cJSON_CreateTrue());
            p += 4;
            break;
        case 'f':
            v = need(cJSON_CreateFalse());
            p += 5;
            break;
        case 'n':
            v = need(cJSON_CreateNull());
            p += 4;
            break;
        default: {
            const char *q = p;
            while (q < end && number_char(*q))
                q++;
            v = number(p, (size_t)(q - p));
            p = q;
        }
        }
        if (depth == 0) {
            root = v;
        } else if (cJSON_IsObject(stack[depth - 1])) {
            if (!cJSON_AddItemToObject(stack[depth - 1], key.data, v))
                abort();
            have_key = 0;
        } else if (!cJSON_AddItemToArray(stack[depth - 1], v)) {
            abort();
        }
        if (cJSON_IsObject(v) || cJSON_IsArray(v))
            stack[depth++] = v;
    }
    sk_buf_free(&key);
    sk_buf_free(&str);
    return root;
}

/* A key or a string value: the core's one JSON string writer (util.h),
 * which escapes as cJSON does and writes an invalid UTF-8 byte as U+FFFD. */
static void print_string(sk_buf *b, const char *s)
{
    sk_buf_add_json_string(b, s ? s : "", s ? strlen(s) : 0);
}

static void print_scalar(sk_buf *b, const cJSON *v)
{
    switch (v->type & 0xFF) {
    case cJSON_False: sk_buf_adds(b, "false"); break;
    case cJSON_True: sk_buf_adds(b, "true"); break;
    case cJSON_String: print_string(b, v->valuestring); break;
    case cJSON_Raw: sk_buf_adds(b, v->valuestring ? v->valuestring : ""); break;
    case cJSON_Number:
        if (v->valuestring) {
            sk_buf_adds(b, v->valuestring); /* as written */
        } else {
            /* A number made by cJSON, as cJSON writes it (one node alone:
             * its siblings are not printed). */
            char *n = cJSON_PrintUnformatted(v);
            if (!n)
                abort(); /* house policy: out of memory is not recoverable */
            sk_buf_adds(b, n);
            cJSON_free(n);
        }
        break;
    default: sk_buf_adds(b, "null"); break;
    }
}

/* Without recursion, like the parser: a container is pushed when entered
 * and closed when its last member is printed. */
char *sk_json_print(const cJSON *v)
{
    sk_buf b = {0};
    const cJSON **stack = NULL;
    size_t depth = 0, cap = 0;
    const cJSON *cur = v;
    while (cur) {
        if (depth && cJSON_IsObject(stack[depth - 1])) {
            print_string(&b, cur->string);
            sk_buf_addc(&b, ':');
        }
        int object = cJSON_IsObject(cur);
        if (object || cJSON_IsArray(cur)) {
            sk_buf_addc(&b, object ? '{' : '[');
            if (cur->child) {
                stack = sk_xgrow(stack, &cap, depth + 1, sizeof *stack);
                stack[depth++] = cur;
                cur = cur->child;
                continue;
            }
            sk_buf_addc(&b, object ? '}' : ']');
        } else {
            print_scalar(&b, cur);
        }
        while (depth && !cur->next) {
            cur = stack[--depth];
            sk_buf_addc(&b, cJSON_IsObject(cur) ? '}' : ']');
        }
        if (!depth)
            break;
        sk_buf_addc(&b, ',');
        cur = cur->next;
    }
    free(stack);
    if (!v)
        sk_buf_adds(&b, "null");
    return b.data;
}
