/*
 * `scorekit topics diff A B`: two stored topic runs compared by their rows
 * (by id): each topic of A and the topic of B that holds most of its rows,
 * with the overlap (Jaccard); the topics of B that match none of A (new
 * ones); and the rows only one run has.  Runs over a dataset before and
 * after it grew, or over this week's logs and last week's, show which
 * topics appeared, grew or went away.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "cli/cli.h"
#include "store/topics_store.h"

/* A new topic of B: no topic of A shares this much of it. */
#define NEW_BELOW 0.2

typedef struct row_topic {
    char *id;
    int topic;
} row_topic;

typedef struct side {
    sk_topic_run run;
    row_topic *rows;
    size_t n, cap;
    char **labels; /* 1-based topic -> label */
    int ntopics;
} side;

static int add_row(void *ud, const sk_topic_row *r)
{
    side *s = ud;
    s->rows = sk_xgrow(s->rows, &s->cap, s->n + 1, sizeof *s->rows);
    s->rows[s->n++] = (row_topic){sk_xstrdup(r->row_id), r->topic};
    return 0;
}

static int add_label(void *ud, const sk_topic_label *t)
{
    side *s = ud;
    if (t->topic > s->ntopics) {
        s->labels = sk_xrealloc(s->labels, (size_t)(t->topic + 1) * sizeof *s->labels);
        for (int i = s->ntopics + 1; i <= t->topic; i++)
            s->labels[i] = NULL;
        s->ntopics = t->topic;
    }
    s->labels[t->topic] = sk_xstrdup(t->name ? t->name : t->label);
    return 0;
}

static int by_id(const void *a, const void *b)
{
    return strcmp(((const row_topic *)a)->id, ((const row_topic *)b)->id);
}

static int load(sk_store *st, const char *ref, side *s, char **err)
{
    memset(s, 0, sizeof *s);
    int rc = sk_topic_run_load(st, ref, &s->run, err);
    if (!rc)
        rc = sk_topic_each_label(st, s->run.id, add_label, s, err);
    if (!rc)
        rc = sk_topic_each_row(st, s->run.id, 0, add_row, s, err);
    if (!rc)
        qsort(s->rows, s->n, sizeof *s->rows, by_id);
    return rc;
}

static void side_free(side *s)
{
    for (size_t i = 0; i < s->n; i++)
        free(s->rows[i].id);
    free(s->rows);
    for (int i = 1; i <= s->ntopics; i++)
        free(s->labels[i]);
    free(s->labels);
    sk_topic_run_clear(&s->run);
}

static const char *label_of(const side *s, int t)
{
    return t >= 1 && t <= s->ntopics && s->labels[t] ? s->labels[t] : "(no shared terms)";
}

int cli_topics_diff(const cli_ctx *ctx, const char *a_ref, const char *b_ref, int json)
{
    sk_project *proj = NULL;
    sk_store *st = NULL;
    if (cli_open_store(ctx, &proj, &st))
        return CLI_FAIL;
    side a, b;
    char *err = NULL;
    int rc = load(st, a_ref, &a, &err);
    if (!rc)
        rc = load(st, b_ref, &b, &err);
    else
        memset(&b, 0, sizeof b);
    sk_store_close(st);
    sk_project_free(proj);
    if (rc) {
        cli_error("%s", err);
        free(err);
        side_free(&a);
        side_free(&b);
        return CLI_FAIL;
    }
    /* Topics are 1..ntopics, plus ntopics + 1 for rows with no shared
     * terms: the matrix of shared rows, and each side's sizes. */
    int ka = a.ntopics + 2, kb = b.ntopics + 2;
    long *m = sk_xcalloc((size_t)ka * (size_t)kb, sizeof *m);
    long *sa = sk_xcalloc((size_t)ka, sizeof *sa), *sb = sk_xcalloc((size_t)kb, sizeof *sb);
    long only_a = 0, only_b = 0, both = 0;
    size_t i = 0, j = 0;
    while (i < a.n || j < b.n) {
        int c = i == a.n ? 1 : j == b.n ? -1 : strcmp(a.rows[i].id, b.rows[j].id);
        int ta = i < a.n ? a.rows[i].topic : 0, tb = j < b.n ? b.rows[j].topic : 0;
        ta = ta < 1 || ta >= ka ? ka - 1 : ta;
        tb = tb < 1 || tb >= kb ? kb - 1 : tb;
        if (c < 0) {
            sa[ta]++;
            only_a++;
            i++;
        } else if (c > 0) {
            sb[tb]++;
            only_b++;
            j++;
        } else {
            sa[ta]++;
            sb[tb]++;
            m[(size_t)ta * (size_t)kb + (size_t)tb]++;
            both++;
            i++;
            j++;
        }
    }
    cJSON *root = json ? cJSON_CreateObject() : NULL, *arr = NULL, *fresh = NULL;
    if (root) {
        cJSON_AddStringToObject(root, "a", a.run.id);
        cJSON_AddStringToObject(root, "b", b.run.id);
        cJSON_AddNumberToObject(root, "rows_both", (double)both);
        cJSON_AddNumberToObject(root, "rows_only_a", (double)only_a);
        cJSON_AddNumberToObject(root, "rows_only_b", (double)only_b);
        arr = cJSON_AddArrayToObject(root, "topics");
        fresh = cJSON_AddArrayToObject(root, "new_in_b");
    } else {
        printf("topics %s (%s, %lld rows) against %s (%s, %lld rows): %ld rows in both, %ld only "
               "in %s, %ld only in %s\n\n",
               a.run.id, a.run.source, (long long)a.run.rows, b.run.id, b.run.source,
               (long long)b.run.rows, both, only_a, a.run.id, only_b, b.run.id);
        printf("  %-4s %-34s %6s  ->  %-4s %-34s %6s %6s %7s\n", "A", "topic", "rows", "B", "topic",
               "rows", "shared", "jaccard");
    }
    for (int ta = 1; ta < ka; ta++) {
        if (!sa[ta])
            continue;
        int best = 0;
        for (int tb = 1; tb < kb; tb++)
            if (!best ||
                m[(size_t)ta * (size_t)kb + (size_t)tb] > m[(size_t)ta * (size_t)kb + (size_t)best])
                best = tb;
        long shared = m[(size_t)ta * (size_t)kb + (size_t)best];
        double jac = shared ? (double)shared / (double)(sa[ta] + sb[best] - shared) : 0;
        if (root) {
            cJSON *o = cJSON_CreateObject();
            cJSON_AddNumberToObject(o, "a_topic", ta);
            cJSON_AddStringToObject(o, "a_label", label_of(&a, ta));
            cJSON_AddNumberToObject(o, "a_rows", (double)sa[ta]);
            if (shared) {
                cJSON_AddNumberToObject(o, "b_topic", best);
                cJSON_AddStringToObject(o, "b_label", label_of(&b, best));
                cJSON_AddNumberToObject(o, "b_rows", (double)sb[best]);
            }
            cJSON_AddNumberToObject(o, "shared", (double)shared);
            cJSON_AddNumberToObject(o, "jaccard", jac);
            cJSON_AddItemToArray(arr, o);
        } else if (shared) {
            printf("  %-4d %-34.34s %6ld  ->  %-4d %-34.34s %6ld %6ld %7.2f\n", ta,
                   label_of(&a, ta), sa[ta], best, label_of(&b, best), sb[best], shared, jac);
        } else {
            printf("  %-4d %-34.34s %6ld  ->  none of its rows is in %s\n", ta, label_of(&a, ta),
                   sa[ta], b.run.id);
        }
    }
    /* B's topics that no topic of A explains. */
    int any = 0;
    for (int tb = 1; tb < kb; tb++) {
        if (!sb[tb])
            continue;
        double best = 0;
        for (int ta = 1; ta < ka; ta++) {
            long shared = m[(size_t)ta * (size_t)kb + (size_t)tb];
            double jac = shared ? (double)shared / (double)(sa[ta] + sb[tb] - shared) : 0;
            if (jac > best)
                best = jac;
        }
        if (best >= NEW_BELOW)
            continue;
        if (root) {
            cJSON *o = cJSON_CreateObject();
            cJSON_AddNumberToObject(o, "b_topic", tb);
            cJSON_AddStringToObject(o, "b_label", label_of(&b, tb));
            cJSON_AddNumberToObject(o, "b_rows", (double)sb[tb]);
            cJSON_AddNumberToObject(o, "best_jaccard", best);
            cJSON_AddItemToArray(fresh, o);
        } else {
            if (!any++)
                printf("\nnew in %s (no topic of %s shares %.0f%% of it):\n", b.run.id, a.run.id,
                       100 * NEW_BELOW);
            printf("  %-4d %-34.34s %6ld rows\n", tb, label_of(&b, tb), sb[tb]);
        }
    }
    if (root)
        cli_json_print(root);
    free(m);
    free(sa);
    free(sb);
    side_free(&a);
    side_free(&b);
    return CLI_OK;
}
