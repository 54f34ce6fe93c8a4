/*
 * Diffing two configuration snapshots into changed variables (see
 * config_diff.h).  Objects are walked key by key so each leaf is its own
 * variable; arrays (a command line, a message list) are one value each,
 * since their items mean nothing apart.  Scorers are matched by their
 * display name, not their place in the pack, so reordering a pack is not
 * a change.
 */
#include "analysis/config_diff.h"

#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "base/util.h"

#define DIFF_MAX_LINES 2000

void sk_config_diff_clear(sk_config_diff *d)
{
    for (size_t i = 0; i < d->n; i++) {
        free(d->v[i].variable);
        free(d->v[i].before);
        free(d->v[i].after);
        free(d->v[i].diff);
        free(d->v[i].note);
    }
    free(d->v);
    memset(d, 0, sizeof *d);
}

/* ---- line diff ------------------------------------------------------------ */

typedef struct lines {
    const char **s;
    size_t *len;
    size_t n;
} lines;

static void split_lines(const char *t, lines *out)
{
    size_t cap = 8;
    out->s = sk_xmalloc(cap * sizeof *out->s);
    out->len = sk_xmalloc(cap * sizeof *out->len);
    out->n = 0;
    while (*t) {
        const char *nl = strchr(t, '\n');
        size_t n = nl ? (size_t)(nl - t) : strlen(t);
        if (out->n == cap) {
            cap *= 2;
            out->s = sk_xrealloc(out->s, cap * sizeof *out->s);
            out->len = sk_xrealloc(out->len, cap * sizeof *out->len);
        }
        out->s[out->n] = t;
        out->len[out->n++] = n;
        t += n + (nl ? 1 : 0);
    }
}

static int line_eq(const lines *a, size_t i, const lines *b, size_t j)
{
    return a->len[i] == b->len[j] && memcmp(a->s[i], b->s[j], a->len[i]) == 0;
}

/* One diff line: op is ' ', '-' or '+'. */
typedef struct op {
    char kind;
    const char *s;
    size_t len;
} op;

static void emit(sk_buf *b, const op *o)
{
    sk_buf_addc(b, o->kind == ' ' ? ' ' : o->kind);
    sk_buf_addc(b, ' ');
    sk_buf_add(b, o->s, o->len);
    sk_buf_addc(b, '\n');
}

char *sk_line_diff(const char *before, const char *after)
{
    lines a, b;
    split_lines(before ? before : "", &a);
    split_lines(after ? after : "", &b);
    op *ops = sk_xmalloc((a.n + b.n + 1) * sizeof *ops);
    size_t nops = 0;
    if (a.n > DIFF_MAX_LINES || b.n > DIFF_MAX_LINES) {
        for (size_t i = 0; i < a.n; i++)
            ops[nops++] = (op){'-', a.s[i], a.len[i]};
        for (size_t j = 0; j < b.n; j++)
            ops[nops++] = (op){'+', b.s[j], b.len[j]};
    } else {
        /* lcs[i][j]: the longest common subsequence of a[i..] and b[j..]. */
        size_t w = b.n + 1;
        unsigned *lcs = sk_xcalloc((a.n + 1) * w, sizeof *lcs);
        for (size_t i = a.n; i-- > 0;)
            for (size_t j = b.n; j-- > 0;)
                lcs[i * w + j] = line_eq(&a, i, &b, j) ? lcs[(i + 1) * w + j + 1] + 1
                                                       : (lcs[(i + 1) * w + j] >= lcs[i * w + j + 1]
                                                              ? lcs[(i + 1) * w + j]
                                                              : lcs[i * w + j + 1]);
        size_t i = 0, j = 0;
        while (i < a.n || j < b.n) {
            if (i < a.n && j < b.n && line_eq(&a, i, &b, j)) {
                ops[nops++] = (op){' ', a.s[i], a.len[i]};
                i++;
                j++;
            } else if (j == b.n || (i < a.n && lcs[(i + 1) * w + j] >= lcs[i * w + j + 1])) {
                ops[nops++] = (op){'-', a.s[i], a.len[i]};
                i++;
            } else {
                ops[nops++] = (op){'+', b.s[j], b.len[j]};
                j++;
            }
        }
        free(lcs);
    }
    /* Long stretches of kept lines say nothing: keep one line of context
     * on each side of a change. */
    sk_buf out = {0};
    sk_buf_adds(&out, "");
    for (size_t k = 0; k < nops;) {
        if (ops[k].kind != ' ') {
            emit(&out, &ops[k++]);
            continue;
        }
        size_t end = k;
        while (end < nops && ops[end].kind == ' ')
            end++;
        size_t run = end - k;
        int lead = k > 0, trail = end < nops; /* a change before / after the run */
        size_t keep = (size_t)lead + (size_t)trail;
        if (run <= keep + 1) {
            for (; k < end; k++)
                emit(&out, &ops[k]);
        } else {
            if (lead)
                emit(&out, &ops[k]);
            sk_buf_adds(&out, "  ...\n");
            if (trail)
                emit(&out, &ops[end - 1]);
            k = end;
        }
    }
    free(ops);
    free(a.s);
    free(a.len);
    free(b.s);
    free(b.len);
    return out.data;
}

/* ---- snapshot diff ------------------------------------------------------- */

static char *dump(const cJSON *v)
{
    return v ? cJSON_PrintUnformatted(v) : NULL;
}

static sk_config_change *add(sk_config_diff *d, char *variable, const cJSON *before,
                             const cJSON *after, int counts)
{
    d->v = sk_xrealloc(d->v, (d->n + 1) * sizeof *d->v);
    sk_config_change *c = &d->v[d->n++];
    memset(c, 0, sizeof *c);
    c->variable = variable;
    c->before = dump(before);
    c->after = dump(after);
    c->counts = counts;
    if (counts)
        d->variables++;
    return c;
}

/* Keys whose text is prose worth a line diff even on one line. */
static int is_text_key(const char *key)
{
    static const char *const keys[] = {"prompt",       "system", "system_prompt", "template",
                                       "instructions", "user",   "user_prompt"};
    for (size_t i = 0; i < sizeof keys / sizeof *keys; i++)
        if (strcmp(key, keys[i]) == 0)
            return 1;
    return 0;
}

static int equal(const cJSON *a, const cJSON *b)
{
    if (!a || !b)
        return a == b;
    return cJSON_Compare(a, b, 1);
}

/* Walk a and b (either may be NULL: absent) below `path`, adding a change
 * per differing leaf.  `key` is the last part of the path. */
static void diff_value(sk_config_diff *d, const char *path, const char *key, const cJSON *a,
                       const cJSON *b, int counts)
{
    if (equal(a, b))
        return;
    int ao = !a || cJSON_IsObject(a), bo = !b || cJSON_IsObject(b);
    if (ao && bo) {
        const cJSON *k;
        cJSON_ArrayForEach(k, a)
        {
            char *p = sk_asprintf("%s.%s", path, k->string);
            diff_value(d, p, k->string, k, cJSON_GetObjectItemCaseSensitive(b, k->string), counts);
            free(p);
        }
        cJSON_ArrayForEach(k, b)
        {
            if (cJSON_GetObjectItemCaseSensitive(a, k->string))
                continue;
            char *p = sk_asprintf("%s.%s", path, k->string);
            diff_value(d, p, k->string, NULL, k, counts);
            free(p);
        }
        return;
    }
    sk_config_change *c = add(d, sk_xstrdup(path), a, b, counts);
    const char *ta = cJSON_IsString(a) ? a->valuestring : NULL;
    const char *tb = cJSON_IsString(b) ? b->valuestring : NULL;
    if ((ta || tb) && (!a || ta) && (!b || tb) &&
        ((ta && strchr(ta, '\n')) || (tb && strchr(tb, '\n')) || (key && is_text_key(key))))
        c->diff = sk_line_diff(ta, tb);
}

static const cJSON *item(const cJSON *o, const char *key)
{
    return cJSON_GetObjectItemCaseSensitive(o, key);
}

static const cJSON *find_scorer(const cJSON *scorers, const char *as)
{
    const cJSON *s;
    cJSON_ArrayForEach(s, scorers)
    {
        const cJSON *n = item(s, "as");
        if (cJSON_IsString(n) && strcmp(n->valuestring, as) == 0)
            return s;
    }
    return NULL;
}

static const char *scorer_name(const cJSON *s)
{
    const cJSON *n = item(s, "as");
    return cJSON_IsString(n) ? n->valuestring : "?";
}

static void diff_pack(sk_config_diff *d, const cJSON *a, const cJSON *b)
{
    static const char *const labels[] = {"name", "version"};
    for (size_t i = 0; i < 2; i++)
        if (!equal(item(a, labels[i]), item(b, labels[i]))) {
            sk_config_change *c = add(d, sk_asprintf("pack.%s", labels[i]), item(a, labels[i]),
                                      item(b, labels[i]), 0);
            c->note = sk_xstrdup("a label: scores do not depend on it");
        }
    const cJSON *sa = item(a, "scorers"), *sb = item(b, "scorers"), *s;
    cJSON_ArrayForEach(s, sa)
    {
        const char *name = scorer_name(s);
        const cJSON *t = find_scorer(sb, name);
        char *path = sk_asprintf("pack.%s", name);
        if (!t) {
            sk_config_change *c = add(d, path, s, NULL, 0);
            c->note = sk_xstrdup("scorer removed: not compared");
            continue;
        }
        if (!equal(item(s, "use"), item(t, "use"))) {
            /* Another scorer under the same name: its params and engine
             * differ as a consequence, not as variables of their own. */
            sk_config_change *c = add(d, path, s, t, 1);
            path = NULL;
            char *u1 = dump(item(s, "use")), *u2 = dump(item(t, "use"));
            c->note = sk_asprintf("another scorer under this name: %s, was %s", u2, u1);
            free(u1);
            free(u2);
        } else {
            diff_value(d, path, NULL, s, t, 1);
        }
        free(path);
    }
    cJSON_ArrayForEach(s, sb)
    {
        const char *name = scorer_name(s);
        if (find_scorer(sa, name))
            continue;
        sk_config_change *c = add(d, sk_asprintf("pack.%s", name), NULL, s, 0);
        c->note = sk_xstrdup("scorer added: not compared");
    }
}

/* "qa@1" and "qa@2" are one dataset in two versions; other pairs are two
 * datasets. */
static void diff_dataset(sk_config_diff *d, const cJSON *a, const cJSON *b)
{
    if (equal(a, b))
        return;
    const char *ta = cJSON_IsString(a) ? a->valuestring : NULL;
    const char *tb = cJSON_IsString(b) ? b->valuestring : NULL;
    const char *ata = ta ? strrchr(ta, '@') : NULL, *atb = tb ? strrchr(tb, '@') : NULL;
    int same_name = ata && atb && ata - ta == atb - tb && strncmp(ta, tb, (size_t)(ata - ta)) == 0;
    add(d, sk_xstrdup(same_name ? "dataset version" : "dataset"), a, b, 1);
}

int sk_config_diff_compute(const char *before_json, const char *after_json, sk_config_diff *out,
                           char **err)
{
    memset(out, 0, sizeof *out);
    cJSON *a = cJSON_Parse(before_json ? before_json : "");
    cJSON *b = cJSON_Parse(after_json ? after_json : "");
    if (!cJSON_IsObject(a) || !cJSON_IsObject(b)) {
        int rc = sk_errf(err, SK_EPARSE,
                         "the %s configuration snapshot is not a JSON object; the experiment's "
                         "record is damaged",
                         !cJSON_IsObject(a) ? "first" : "second");
        cJSON_Delete(a);
        cJSON_Delete(b);
        return rc;
    }
    diff_value(out, "task", "task", item(a, "task"), item(b, "task"), 1);
    diff_pack(out, item(a, "pack"), item(b, "pack"));
    diff_dataset(out, item(a, "dataset"), item(b, "dataset"));
    if (!equal(item(a, "trials"), item(b, "trials")))
        add(out, sk_xstrdup("trials"), item(a, "trials"), item(b, "trials"), 1);
    if (!equal(item(a, "scorekit"), item(b, "scorekit"))) {
        sk_config_change *c =
            add(out, sk_xstrdup("scorekit version"), item(a, "scorekit"), item(b, "scorekit"), 1);
        c->note = sk_xstrdup("scorers may behave differently between versions");
    }
    if (!equal(item(a, "pack_path"), item(b, "pack_path"))) {
        sk_config_change *c =
            add(out, sk_xstrdup("pack file"), item(a, "pack_path"), item(b, "pack_path"), 0);
        c->note = sk_xstrdup("where the pack was read from; its contents are compared above");
    }
    /* Keys a later scorekit may record: each is a variable. */
    static const char *const known[] = {"task",   "pack",     "pack_hash", "pack_path",
                                        "trials", "scorekit", "dataset"};
    const cJSON *k;
    for (int side = 0; side < 2; side++) {
        const cJSON *obj = side ? b : a;
        cJSON_ArrayForEach(k, obj)
        {
            int skip = side && item(a, k->string) != NULL;
            for (size_t i = 0; !skip && i < sizeof known / sizeof *known; i++)
                skip = strcmp(k->string, known[i]) == 0;
            if (!skip)
                diff_value(out, k->string, k->string, item(a, k->string), item(b, k->string), 1);
        }
    }
    cJSON_Delete(a);
    cJSON_Delete(b);
    return SK_OK;
}
