/* `failures --categorize` (see failures_categorize.h). */
#include "cli/failures_categorize.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "base/util.h"
#include "llm/llm.h"

/* The first line of a reply, without quotes, spaces or a final dot, at
 * most 60 bytes; NULL when empty. */
static char *first_line(const char *s)
{
    s = s ? s : "";
    while (*s == ' ' || *s == '\n' || *s == '"' || *s == '\'' || *s == '-' || *s == '*')
        s++;
    size_t n = strcspn(s, "\r\n");
    while (n && (s[n - 1] == ' ' || s[n - 1] == '"' || s[n - 1] == '\'' || s[n - 1] == '.'))
        n--;
    if (n > 60) {
        n = 60;
        while (n && ((unsigned char)s[n] & 0xC0) == 0x80)
            n--;
    }
    return n ? sk_xstrndup(s, n) : NULL;
}

/* The lowest score's rationale (or error) of a failing row: why it failed. */
static const char *why_failed(const sk_failures *f, const sk_fail_row *r)
{
    const char *why = NULL;
    double low = INFINITY;
    for (size_t k = 0; k < f->nscorers; k++) {
        const sk_fail_score *s = &r->s[k];
        if (s->scored && s->min < low && s->rationale) {
            low = s->min;
            why = s->rationale;
        }
    }
    return why ? why : r->task_error;
}

static int ask(struct sk_llm *llm, const char *model, const char *prompt, char **reply,
               cli_categories *c, char **err)
{
    sk_llm_message m = {"user", prompt};
    sk_llm_request req = {.model = model, .messages = &m, .nmessages = 1, .caller = "failures"};
    sk_llm_reply rep;
    char *why = NULL;
    int rc = sk_llm_chat(llm, &req, &rep, &why);
    if (rc) {
        rc = sk_errf(err, rc, "--categorize: %s", why);
        free(why);
        return rc;
    }
    c->calls++;
    c->cached += rep.cached != 0;
    c->cost += rep.cost;
    *reply = rep.content ? sk_xstrdup(rep.content) : NULL;
    sk_llm_reply_free(&rep);
    return SK_OK;
}

typedef struct name_count {
    const char *name;
    size_t rows;
} name_count;

static int by_rows(const void *a, const void *b)
{
    const name_count *x = a, *y = b;
    if (x->rows != y->rows)
        return x->rows < y->rows ? 1 : -1;
    return strcmp(x->name, y->name);
}

static size_t group_of(cli_categories *c, const char *name)
{
    for (size_t g = 0; g < c->ngroups; g++)
        if (strcmp(c->groups[g].name, name) == 0)
            return g;
    c->groups = sk_xrealloc(c->groups, (c->ngroups + 1) * sizeof *c->groups);
    c->groups[c->ngroups] = (cli_fail_group){sk_xstrdup(name), 0, NULL, 0};
    return c->ngroups++;
}

/* The model's merge: {"GROUP": ["name", ...], ...}; names it leaves out,
 * and a reply that is not such an object, fall back to "other" and to
 * the largest names. */
static void merge(cli_categories *c, name_count *names, size_t nn, size_t k, const char *reply)
{
    const char *open = reply ? strchr(reply, '{') : NULL;
    cJSON *o = open ? cJSON_Parse(open) : NULL;
    int usable =
        cJSON_IsObject(o) && cJSON_GetArraySize(o) > 0 && (size_t)cJSON_GetArraySize(o) <= k;
    for (size_t i = 0; i < c->n; i++) {
        const char *name = c->category[i], *into = NULL;
        if (usable) {
            const cJSON *g;
            cJSON_ArrayForEach(g, o)
            {
                const cJSON *e;
                cJSON_ArrayForEach(e, g)
                {
                    if (cJSON_IsString(e) && strcmp(e->valuestring, name) == 0)
                        into = g->string;
                }
            }
            into = into ? into : "other";
        } else {
            /* The k-1 largest names keep theirs; the rest are "other". */
            size_t r = 0;
            while (r < nn && strcmp(names[r].name, name) != 0)
                r++;
            into = r < k - 1 ? name : "other";
        }
        c->group[i] = group_of(c, into);
    }
    c->merged_by_model = usable;
    cJSON_Delete(o);
}

static int cmp_groups(const void *a, const void *b)
{
    const cli_fail_group *x = a, *y = b;
    if (x->rows != y->rows)
        return x->rows < y->rows ? 1 : -1;
    return strcmp(x->name, y->name);
}

int cli_failures_categorize(struct sk_llm *llm, const char *model, const sk_failures *f, size_t max,
                            size_t k, cli_categories *out, char **err)
{
    memset(out, 0, sizeof *out);
    out->n = f->nfailing < max ? f->nfailing : max;
    out->category = sk_xcalloc(out->n + 1, sizeof *out->category);
    out->group = sk_xcalloc(out->n + 1, sizeof *out->group);
    sk_buf p = {0};
    int rc = SK_OK;
    for (size_t i = 0; i < out->n && rc == SK_OK; i++) {
        const sk_fail_row *r = &f->rows[f->failing[i]];
        sk_buf_reset(&p);
        const char *why = why_failed(f, r);
        sk_buf_printf(&p,
                      "What went wrong: %.300s\n\nAn LLM application's answer failed a check.\n"
                      "Question: %.600s\nExpected: %.300s\nAnswer: %.600s\n\nName the kind of "
                      "failure in 2 to 6 words (like \"wrong date format\" or \"refused to "
                      "answer\"). Reply with the name only.",
                      why ? why : "(no reason recorded)", r->input_json,
                      r->expected_json ? r->expected_json : "(none)",
                      r->output_json ? r->output_json : "(no output)");
        char *reply = NULL;
        rc = ask(llm, model, p.data, &reply, out, err);
        char *name = first_line(reply);
        out->category[i] = name ? name : sk_xstrdup("unnamed");
        free(reply);
    }
    if (rc == SK_OK && out->n) {
        /* Distinct names and their rows. */
        name_count *names = sk_xcalloc(out->n, sizeof *names);
        size_t nn = 0;
        for (size_t i = 0; i < out->n; i++) {
            size_t j = 0;
            while (j < nn && strcmp(names[j].name, out->category[i]) != 0)
                j++;
            if (j == nn)
                names[nn++] = (name_count){out->category[i], 0};
            names[j].rows++;
        }
        qsort(names, nn, sizeof *names, by_rows);
        if (nn <= k) {
            for (size_t i = 0; i < out->n; i++)
                out->group[i] = group_of(out, out->category[i]);
            out->merged_by_model = 1;
        } else {
            sk_buf_reset(&p);
            sk_buf_printf(&p,
                          "Merge these names of failures into at most %zu groups, each with a "
                          "short name. Reply with JSON only: {\"GROUP NAME\": [\"name\", ...], "
                          "...}, every name below in one group.\n\n",
                          k);
            for (size_t j = 0; j < nn; j++)
                sk_buf_printf(&p, "- %s (%zu rows)\n", names[j].name, names[j].rows);
            char *reply = NULL;
            rc = ask(llm, model, p.data, &reply, out, err);
            if (rc == SK_OK)
                merge(out, names, nn, k, reply);
            free(reply);
        }
        free(names);
        for (size_t i = 0; rc == SK_OK && i < out->n; i++) {
            cli_fail_group *g = &out->groups[out->group[i]];
            g->rows++;
            if (g->nids < 5) {
                g->ids = sk_xrealloc(g->ids, (g->nids + 1) * sizeof *g->ids);
                g->ids[g->nids++] = sk_xstrdup(f->rows[f->failing[i]].id);
            }
        }
        if (rc == SK_OK) {
            /* Sorted by size: remap each row's group index. */
            size_t *order = sk_xcalloc(out->ngroups, sizeof *order);
            cli_fail_group *sorted = sk_xcalloc(out->ngroups, sizeof *sorted);
            memcpy(sorted, out->groups, out->ngroups * sizeof *sorted);
            qsort(sorted, out->ngroups, sizeof *sorted, cmp_groups);
            for (size_t g = 0; g < out->ngroups; g++)
                for (size_t h = 0; h < out->ngroups; h++)
                    if (sorted[h].name == out->groups[g].name)
                        order[g] = h;
            for (size_t i = 0; i < out->n; i++)
                out->group[i] = order[out->group[i]];
            free(out->groups);
            out->groups = sorted;
            free(order);
        }
    }
    sk_buf_free(&p);
    if (rc)
        cli_categories_free(out);
    return rc;
}

void cli_categories_free(cli_categories *c)
{
    for (size_t i = 0; i < c->n; i++)
        free(c->category[i]);
    free(c->category);
    free(c->group);
    for (size_t g = 0; g < c->ngroups; g++) {
        free(c->groups[g].name);
        for (size_t i = 0; i < c->groups[g].nids; i++)
            free(c->groups[g].ids[i]);
        free(c->groups[g].ids);
    }
    free(c->groups);
    memset(c, 0, sizeof *c);
}
