/*
 * Prompt templates (see template.h).  A template is scanned once per use:
 * prompts are a few kilobytes and a model call takes hundreds of
 * milliseconds, so a compiled form would buy nothing.
 */
#include "base/template.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/row.h"
#include "base/util.h"

/* A growable text; aborts on exhaustion like the rest of scorekit. */
typedef struct text {
    char *p;
    size_t len, cap;
} text;

static void add(text *t, const char *s, size_t n)
{
    if (t->len + n + 1 > t->cap) {
        size_t cap = t->cap ? t->cap : 256;
        while (cap < t->len + n + 1)
            cap *= 2;
        t->p = sk_xrealloc(t->p, cap);
        t->cap = cap;
    }
    memcpy(t->p + t->len, s, n);
    t->len += n;
    t->p[t->len] = '\0';
}

static void fail(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

static int line_of(const char *tpl, const char *at)
{
    int line = 1;
    for (const char *p = tpl; p < at; p++)
        line += *p == '\n';
    return line;
}

/* One placeholder: the name between the braces, trimmed. */
typedef struct slot {
    const char *start; /* the first '{' */
    const char *end;   /* just past the closing '}}' */
    const char *name;
    size_t n;
    size_t root; /* bytes of the first name (before any '.') */
} slot;

static int is_name_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-' || c == '.';
}

/* Find the next placeholder at or after p.  Returns 1 with *s filled, 0
 * when there is none, -1 on a syntax error (message in err). */
static int next_slot(const char *tpl, const char *p, slot *s, char *err, size_t errlen)
{
    const char *open = strstr(p, "{{");
    if (!open)
        return 0;
    const char *close = strstr(open + 2, "}}");
    const char *nl = strchr(open + 2, '\n');
    if (!close || (nl && nl < close)) {
        fail(err, errlen, "line %d: \"{{\" without its \"}}\" on the same line",
             line_of(tpl, open));
        return -1;
    }
    const char *a = open + 2, *b = close;
    while (a < b && (*a == ' ' || *a == '\t'))
        a++;
    while (b > a && (b[-1] == ' ' || b[-1] == '\t'))
        b--;
    s->start = open;
    s->end = close + 2;
    s->name = a;
    s->n = (size_t)(b - a);
    int ok = s->n > 0 && a[0] != '.' && b[-1] != '.';
    for (const char *q = a; ok && q < b; q++)
        ok = is_name_char(*q) && !(q[0] == '.' && q + 1 < b && q[1] == '.');
    if (!ok) {
        fail(err, errlen,
             "line %d: \"%.*s\" is not a placeholder; write {{input}}, {{output}}, "
             "{{expected}} or {{metadata.KEY}}",
             line_of(tpl, open), (int)(s->end - s->start), s->start);
        return -1;
    }
    const char *dot = memchr(a, '.', s->n);
    s->root = dot ? (size_t)(dot - a) : s->n;
    return 1;
}

int sk_tpl_check(const char *tpl, const char *const *names, char *err, size_t errlen)
{
    slot s;
    int r;
    for (const char *p = tpl; (r = next_slot(tpl, p, &s, err, errlen)) == 1; p = s.end) {
        int known = 0;
        for (const char *const *n = names; *n && !known; n++)
            known = strlen(*n) == s.root && memcmp(*n, s.name, s.root) == 0;
        if (!known) {
            text list = {0};
            for (const char *const *n = names; *n; n++) {
                if (n != names)
                    add(&list, ", ", 2);
                add(&list, *n, strlen(*n));
            }
            fail(err, errlen, "line %d: {{%.*s}} names no value (known: %s)", line_of(tpl, s.start),
                 (int)s.n, s.name, list.p ? list.p : "none");
            free(list.p);
            return -1;
        }
    }
    return r;
}

/* {{root.a.b}}: walk the path in var's JSON text, member by member.  The
 * value found goes in as written, like a whole value: a number keeps every
 * digit it has (a trip through a double would print 12345678901234567890
 * as 1.2345678901234567e+19), an object its members; a string is decoded. */
static int add_path(text *out, const sk_tpl_var *var, const slot *s, char *err, size_t errlen)
{
    const char *path = s->name + s->root + 1;
    size_t plen = s->n - s->root - 1;
    if (!var->json) {
        if (var->text)
            fail(err, errlen, "{{%.*s}}: %s is text, not an object with fields", (int)s->n, s->name,
                 var->name);
        else
            fail(err, errlen, "{{%.*s}}: the row has no %.*s", (int)s->n, s->name, (int)s->n,
                 s->name);
        return -1;
    }
    sk_span v = {var->json, strlen(var->json)};
    sk_buf key = {0};
    int rc = 0;
    while (plen && rc == 0) {
        const char *dot = memchr(path, '.', plen);
        size_t k = dot ? (size_t)(dot - path) : plen;
        while (v.n && (*v.p == ' ' || *v.p == '\t' || *v.p == '\n' || *v.p == '\r'))
            v.p++, v.n--;
        sk_span member = {NULL, 0};
        if (v.n && *v.p == '{') {
            sk_buf_reset(&key);
            sk_buf_add(&key, path, k);
            const char *keys[1] = {key.data};
            char why[128];
            if (sk_row_scan(v.p, v.n, keys, 1, &member, why, sizeof why) != 0) {
                fail(err, errlen, "{{%.*s}}: %s is not valid JSON (%s)", (int)s->n, s->name,
                     var->name, why);
                rc = -1;
                break;
            }
        }
        if (!member.p || (member.n == 4 && memcmp(member.p, "null", 4) == 0)) {
            fail(err, errlen, "{{%.*s}}: the row has no %.*s", (int)s->n, s->name, (int)s->n,
                 s->name);
            rc = -1;
            break;
        }
        v = member;
        path += k + (dot ? 1 : 0);
        plen -= k + (dot ? 1 : 0);
    }
    if (rc == 0 && sk_span_is_string(v)) {
        sk_buf_reset(&key);
        sk_json_string_decode(v.p, v.n, &key);
        add(out, key.data, strlen(key.data));
    } else if (rc == 0) {
        add(out, v.p, v.n);
    }
    sk_buf_free(&key);
    return rc;
}

static int add_whole(text *out, const sk_tpl_var *var, const slot *s, char *err, size_t errlen)
{
    if (var->text) {
        add(out, var->text, var->text_len);
        return 0;
    }
    if (!var->json) {
        fail(err, errlen, "{{%.*s}}: the row has no %s value", (int)s->n, s->name, var->name);
        return -1;
    }
    /* Only a JSON string needs decoding; anything else goes in as written. */
    const char *j = var->json;
    while (*j == ' ' || *j == '\t' || *j == '\n' || *j == '\r')
        j++;
    if (*j != '"') {
        add(out, j, strlen(j));
        return 0;
    }
    size_t n = strlen(j);
    while (n && (j[n - 1] == ' ' || j[n - 1] == '\t' || j[n - 1] == '\n' || j[n - 1] == '\r'))
        n--;
    sk_buf b = {0};
    if (sk_json_validate(j, n, NULL, 0) != 0 || sk_json_string_decode(j, n, &b) != 0) {
        fail(err, errlen, "{{%.*s}}: %s is not valid JSON", (int)s->n, s->name, var->name);
        sk_buf_free(&b);
        return -1;
    }
    add(out, b.data, strlen(b.data));
    sk_buf_free(&b);
    return 0;
}

char *sk_tpl_render(const char *tpl, const sk_tpl_var *vars, size_t nvars, char *err, size_t errlen)
{
    text out = {0};
    add(&out, "", 0);
    slot s;
    int r;
    const char *p = tpl;
    while ((r = next_slot(tpl, p, &s, err, errlen)) == 1) {
        add(&out, p, (size_t)(s.start - p));
        const sk_tpl_var *var = NULL;
        for (size_t i = 0; i < nvars && !var; i++)
            if (strlen(vars[i].name) == s.root && memcmp(vars[i].name, s.name, s.root) == 0)
                var = &vars[i];
        if (!var) {
            fail(err, errlen, "line %d: {{%.*s}} names no value", line_of(tpl, s.start), (int)s.n,
                 s.name);
            r = -1;
            break;
        }
        if ((s.root < s.n ? add_path(&out, var, &s, err, errlen)
                          : add_whole(&out, var, &s, err, errlen)) != 0) {
            r = -1;
            break;
        }
        p = s.end;
    }
    if (r < 0) {
        free(out.p);
        return NULL;
    }
    add(&out, p, strlen(p));
    return out.p;
}
