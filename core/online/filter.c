/* The filter language of online rules (see filter.h): a recursive-descent
 * parser to a small tree, and its evaluation against one log. */
#include "online/filter.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/error.h"
#include "base/util.h"

static const char *const fields[] = {
    "id",      "time",  "input",      "output",       "expected",      "metadata", "trace_id",
    "span_id", "model", "latency_ms", "input_tokens", "output_tokens", "cost",     NULL};

typedef enum { N_LIT, N_PATH, N_CALL, N_NOT, N_AND, N_OR, N_CMP } node_kind;
typedef enum { F_LEN, F_CONTAINS, F_ICONTAINS, F_STARTS, F_ENDS } func;
typedef enum { C_EQ, C_NE, C_LT, C_LE, C_GT, C_GE } cmp_op;

typedef struct node {
    node_kind kind;
    cJSON *lit;             /* N_LIT */
    char **path;            /* N_PATH: NULL-terminated segments */
    func fn;                /* N_CALL */
    cmp_op op;              /* N_CMP */
    struct node *a, *b, *c; /* operands; a call's arguments in order */
} node;

struct sk_filter {
    node *root;
};

/* ---- parsing ---- */

typedef struct parser {
    const char *s, *p;
    char *err;
    size_t col;
} parser;

static void fail(parser *ps, const char *at, const char *fmt, const char *what)
{
    if (ps->err)
        return;
    ps->col = (size_t)(at - ps->s) + 1;
    ps->err = sk_asprintf(fmt, what);
}

static void skip_ws(parser *ps)
{
    while (isspace((unsigned char)*ps->p))
        ps->p++;
}

static int is_word_start(char c)
{
    return isalpha((unsigned char)c) || c == '_';
}

static int is_word(char c)
{
    return isalnum((unsigned char)c) || c == '_';
}

/* The keyword kw at the cursor, as a whole word. */
static int keyword(parser *ps, const char *kw)
{
    skip_ws(ps);
    size_t n = strlen(kw);
    if (strncmp(ps->p, kw, n) == 0 && !is_word(ps->p[n])) {
        ps->p += n;
        return 1;
    }
    return 0;
}

static node *new_node(node_kind k)
{
    node *n = sk_xcalloc(1, sizeof *n);
    n->kind = k;
    return n;
}

static void free_node(node *n)
{
    if (!n)
        return;
    cJSON_Delete(n->lit);
    for (char **s = n->path; s && *s; s++)
        free(*s);
    free(n->path);
    free_node(n->a);
    free_node(n->b);
    free_node(n->c);
    free(n);
}

static node *parse_or(parser *ps);

static node *parse_string(parser *ps)
{
    char q = *ps->p;
    const char *start = ps->p++;
    sk_buf b = {0};
    while (*ps->p && *ps->p != q) {
        if (*ps->p == '\\' && ps->p[1]) {
            ps->p++;
            char c = *ps->p;
            sk_buf_addc(&b, c == 'n' ? '\n' : c == 't' ? '\t' : c);
        } else {
            sk_buf_addc(&b, *ps->p);
        }
        ps->p++;
    }
    if (*ps->p != q) {
        sk_buf_free(&b);
        fail(ps, start, "%s", "a string that is never closed");
        return NULL;
    }
    ps->p++;
    node *n = new_node(N_LIT);
    n->lit = cJSON_CreateString(b.data ? b.data : "");
    sk_buf_free(&b);
    return n;
}

static const struct {
    const char *name;
    func fn;
    int arity;
} funcs[] = {{"len", F_LEN, 1},
             {"contains", F_CONTAINS, 2},
             {"icontains", F_ICONTAINS, 2},
             {"startswith", F_STARTS, 2},
             {"endswith", F_ENDS, 2}};

static node *parse_call(parser *ps, const char *name, const char *at)
{
    size_t k = 0;
    while (k < sizeof funcs / sizeof funcs[0] && strcmp(funcs[k].name, name) != 0)
        k++;
    if (k == sizeof funcs / sizeof funcs[0]) {
        fail(ps, at,
             "unknown function %s (there are len, contains, icontains, startswith and endswith)",
             name);
        return NULL;
    }
    ps->p++; /* ( */
    node *n = new_node(N_CALL);
    n->fn = funcs[k].fn;
    node **slot[] = {&n->a, &n->b, &n->c};
    int argc = 0;
    skip_ws(ps);
    if (*ps->p != ')') {
        for (;;) {
            node *arg = parse_or(ps);
            if (!arg)
                break;
            if (argc < 3)
                *slot[argc] = arg;
            else
                free_node(arg);
            argc++;
            skip_ws(ps);
            if (*ps->p != ',')
                break;
            ps->p++;
        }
    }
    skip_ws(ps);
    if (!ps->err && *ps->p != ')')
        fail(ps, ps->p, "%s", "\",\" or \")\" in the function's arguments");
    else if (!ps->err)
        ps->p++;
    if (!ps->err && argc != funcs[k].arity) {
        char what[80];
        snprintf(what, sizeof what, "%s takes %d argument%s, not %d", name, funcs[k].arity,
                 funcs[k].arity == 1 ? "" : "s", argc);
        fail(ps, at, "%s", what);
    }
    if (ps->err) {
        free_node(n);
        return NULL;
    }
    return n;
}

static node *parse_primary(parser *ps)
{
    skip_ws(ps);
    const char *at = ps->p;
    char c = *ps->p;
    if (c == '(') {
        ps->p++;
        node *n = parse_or(ps);
        skip_ws(ps);
        if (n && *ps->p != ')') {
            fail(ps, ps->p, "%s", "\")\"");
            free_node(n);
            return NULL;
        }
        ps->p++;
        return n;
    }
    if (c == '"' || c == '\'')
        return parse_string(ps);
    if (isdigit((unsigned char)c) || ((c == '-' || c == '.') && isdigit((unsigned char)ps->p[1]))) {
        char *end;
        double v = strtod(ps->p, &end);
        ps->p = end;
        node *n = new_node(N_LIT);
        n->lit = cJSON_CreateNumber(v);
        return n;
    }
    if (!is_word_start(c)) {
        fail(ps, at, "%s",
             c ? "a value: a field, a string, a number or a function call"
               : "more: the expression ends too early");
        return NULL;
    }
    const char *w = ps->p;
    while (is_word(*ps->p))
        ps->p++;
    char *word = sk_xstrndup(w, (size_t)(ps->p - w));
    node *n = NULL;
    if (strcmp(word, "true") == 0 || strcmp(word, "false") == 0 || strcmp(word, "null") == 0) {
        n = new_node(N_LIT);
        n->lit = word[0] == 'n' ? cJSON_CreateNull() : cJSON_CreateBool(word[0] == 't');
    } else if (*ps->p == '(') {
        n = parse_call(ps, word, at);
    } else {
        int known = 0;
        for (int i = 0; fields[i] && !known; i++)
            known = strcmp(fields[i], word) == 0;
        if (!known) {
            fail(ps, at,
                 "unknown field %s (a log has id, time, input, output, expected, metadata, "
                 "trace_id, span_id, model, latency_ms, input_tokens, output_tokens, cost)",
                 word);
        } else {
            size_t cap = 4, len = 0;
            char **path = sk_xcalloc(cap, sizeof *path);
            path[len++] = word;
            word = NULL;
            while (*ps->p == '.') {
                const char *seg = ++ps->p;
                while (is_word(*ps->p) || *ps->p == '-')
                    ps->p++;
                if (ps->p == seg) {
                    fail(ps, seg, "%s", "a key after \".\"");
                    break;
                }
                if (len + 2 > cap)
                    path = sk_xgrow(path, &cap, len + 2, sizeof *path);
                path[len++] = sk_xstrndup(seg, (size_t)(ps->p - seg));
            }
            path[len] = NULL;
            n = new_node(N_PATH);
            n->path = path;
            if (ps->err) {
                free_node(n);
                n = NULL;
            }
        }
    }
    free(word);
    return n;
}

static node *parse_cmp(parser *ps)
{
    node *l = parse_primary(ps);
    if (!l)
        return NULL;
    skip_ws(ps);
    static const struct {
        const char *s;
        cmp_op op;
    } ops[] = {{"==", C_EQ}, {"!=", C_NE}, {"<=", C_LE}, {">=", C_GE}, {"<", C_LT}, {">", C_GT}};
    for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++) {
        size_t n = strlen(ops[i].s);
        if (strncmp(ps->p, ops[i].s, n) != 0)
            continue;
        ps->p += n;
        node *r = parse_primary(ps);
        if (!r) {
            free_node(l);
            return NULL;
        }
        node *c = new_node(N_CMP);
        c->op = ops[i].op;
        c->a = l;
        c->b = r;
        return c;
    }
    if (*ps->p == '=') {
        fail(ps, ps->p, "%s", "\"==\" to compare (\"=\" alone is not an operator)");
        free_node(l);
        return NULL;
    }
    return l;
}

static node *parse_not(parser *ps)
{
    if (keyword(ps, "not")) {
        node *x = parse_not(ps);
        if (!x)
            return NULL;
        node *n = new_node(N_NOT);
        n->a = x;
        return n;
    }
    return parse_cmp(ps);
}

static node *parse_and(parser *ps)
{
    node *l = parse_not(ps);
    while (l && keyword(ps, "and")) {
        node *r = parse_not(ps);
        if (!r) {
            free_node(l);
            return NULL;
        }
        node *n = new_node(N_AND);
        n->a = l;
        n->b = r;
        l = n;
    }
    return l;
}

static node *parse_or(parser *ps)
{
    node *l = parse_and(ps);
    while (l && keyword(ps, "or")) {
        node *r = parse_and(ps);
        if (!r) {
            free_node(l);
            return NULL;
        }
        node *n = new_node(N_OR);
        n->a = l;
        n->b = r;
        l = n;
    }
    return l;
}

int sk_filter_parse(const char *text, sk_filter **out, size_t *col, char **err)
{
    *out = NULL;
    *col = 0;
    parser ps = {text, text, NULL, 0};
    node *root = parse_or(&ps);
    skip_ws(&ps);
    if (root && *ps.p) {
        const char *what = strncmp(ps.p, "&&", 2) == 0   ? "\"and\" (not \"&&\")"
                           : strncmp(ps.p, "||", 2) == 0 ? "\"or\" (not \"||\")"
                                                         : "\"and\", \"or\" or the end";
        fail(&ps, ps.p, "%s", what);
    }
    if (ps.err) {
        free_node(root);
        *col = ps.col;
        char *m = sk_asprintf("column %zu: expected %s", ps.col, ps.err);
        if (strncmp(ps.err, "unknown", 7) == 0 || strstr(ps.err, " takes ") ||
            strncmp(ps.err, "a string that", 13) == 0) {
            free(m);
            m = sk_asprintf("column %zu: %s", ps.col, ps.err);
        }
        free(ps.err);
        *err = m;
        return SK_EPARSE;
    }
    sk_filter *f = sk_xcalloc(1, sizeof *f);
    f->root = root;
    *out = f;
    return SK_OK;
}

void sk_filter_free(sk_filter *f)
{
    if (!f)
        return;
    free_node(f->root);
    free(f);
}

/* ---- evaluation ---- */

/* A value: borrowed JSON from the row or the tree, or a number made here
 * (len, comparisons), kept in `own`. */
typedef struct value {
    const cJSON *j; /* NULL: null */
    cJSON own;      /* a number or a bool made here; j points at it */
} value;

static void set_num(value *v, double d)
{
    memset(&v->own, 0, sizeof v->own);
    v->own.type = cJSON_Number;
    v->own.valuedouble = d;
    v->own.valueint = (int)d;
    v->j = &v->own;
}

static void set_bool(value *v, int b)
{
    memset(&v->own, 0, sizeof v->own);
    v->own.type = b ? cJSON_True : cJSON_False;
    v->j = &v->own;
}

static int truthy(const cJSON *j)
{
    if (!j || cJSON_IsNull(j) || cJSON_IsFalse(j))
        return 0;
    if (cJSON_IsNumber(j))
        return j->valuedouble != 0;
    if (cJSON_IsString(j))
        return j->valuestring[0] != 0;
    return 1;
}

static size_t utf8_len(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        n += ((unsigned char)*s & 0xC0) != 0x80;
    return n;
}

static const char *istrstr(const char *h, const char *n)
{
    size_t k = strlen(n);
    for (; *h; h++)
        if (strncasecmp(h, n, k) == 0)
            return h;
    return k ? NULL : h;
}

static void eval(const node *n, const cJSON *row, value *out);

static int has_item(const cJSON *list, const cJSON *x)
{
    const cJSON *e;
    cJSON_ArrayForEach(e, list)
    {
        if (x && cJSON_Compare(e, x, 1))
            return 1;
    }
    return 0;
}

static void call(const node *n, const cJSON *row, value *out)
{
    value a, b;
    eval(n->a, row, &a);
    if (n->fn == F_LEN) {
        const cJSON *j = a.j;
        set_num(out, !j || cJSON_IsNull(j)                   ? 0
                     : cJSON_IsString(j)                     ? (double)utf8_len(j->valuestring)
                     : cJSON_IsArray(j) || cJSON_IsObject(j) ? (double)cJSON_GetArraySize(j)
                                                             : 0);
        return;
    }
    eval(n->b, row, &b);
    const cJSON *h = a.j, *x = b.j;
    int r = 0;
    if (cJSON_IsArray(h) && (n->fn == F_CONTAINS || n->fn == F_ICONTAINS)) {
        r = has_item(h, x);
    } else if (cJSON_IsString(h) && cJSON_IsString(x)) {
        const char *hs = h->valuestring, *xs = x->valuestring;
        size_t hn = strlen(hs), xn = strlen(xs);
        switch (n->fn) {
        case F_CONTAINS: r = strstr(hs, xs) != NULL; break;
        case F_ICONTAINS: r = istrstr(hs, xs) != NULL; break;
        case F_STARTS: r = strncmp(hs, xs, xn) == 0; break;
        case F_ENDS: r = hn >= xn && strcmp(hs + hn - xn, xs) == 0; break;
        default: break;
        }
    }
    set_bool(out, r);
}

static int compare(cmp_op op, const cJSON *a, const cJSON *b)
{
    int an = !a || cJSON_IsNull(a), bn = !b || cJSON_IsNull(b);
    if (op == C_EQ || op == C_NE) {
        int eq = an || bn                                 ? an && bn
                 : cJSON_IsNumber(a) && cJSON_IsNumber(b) ? a->valuedouble == b->valuedouble
                                                          : cJSON_Compare(a, b, 1);
        return op == C_EQ ? eq : !eq;
    }
    int c;
    if (cJSON_IsNumber(a) && cJSON_IsNumber(b))
        c = (a->valuedouble > b->valuedouble) - (a->valuedouble < b->valuedouble);
    else if (cJSON_IsString(a) && cJSON_IsString(b))
        c = strcmp(a->valuestring, b->valuestring);
    else
        return 0; /* an order between other kinds (or a missing field) is false */
    switch (op) {
    case C_LT: return c < 0;
    case C_LE: return c <= 0;
    case C_GT: return c > 0;
    default: return c >= 0;
    }
}

static void eval(const node *n, const cJSON *row, value *out)
{
    value a, b;
    switch (n->kind) {
    case N_LIT: out->j = n->lit; break;
    case N_PATH: {
        const cJSON *j = row;
        for (char **s = n->path; j && *s; s++)
            j = cJSON_IsObject(j) ? cJSON_GetObjectItemCaseSensitive(j, *s) : NULL;
        out->j = j;
        break;
    }
    case N_CALL: call(n, row, out); break;
    case N_NOT:
        eval(n->a, row, &a);
        set_bool(out, !truthy(a.j));
        break;
    case N_AND:
        eval(n->a, row, &a);
        if (!truthy(a.j)) {
            set_bool(out, 0);
            break;
        }
        eval(n->b, row, &b);
        set_bool(out, truthy(b.j));
        break;
    case N_OR:
        eval(n->a, row, &a);
        if (truthy(a.j)) {
            set_bool(out, 1);
            break;
        }
        eval(n->b, row, &b);
        set_bool(out, truthy(b.j));
        break;
    case N_CMP:
        eval(n->a, row, &a);
        eval(n->b, row, &b);
        set_bool(out, compare(n->op, a.j, b.j));
        break;
    }
}

int sk_filter_match(const sk_filter *f, const cJSON *row)
{
    value v;
    eval(f->root, row, &v);
    return truthy(v.j);
}
