/* `scorekit topics`: cluster rows into topics and keep the run; `topics
 * show RUN` and `topics list` read kept runs back. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/kmeans.h"
#include "analysis/topics.h"
#include "analysis/topics_source.h"
#include "base/error.h"
#include "base/json_tree.h"
#include "base/util.h"
#include "cli/cli.h"
#include "cli/llm_setup.h"
#include "store/topics_store.h"

#define CLIP    120 /* characters of an example shown */
#define K_LIMIT 200

static const char help_text[] =
    "usage: scorekit topics SOURCE [-k K] [--field input|output] [--seed N]\n"
    "                       [--embeddings MODEL] [--label [--model M]]\n"
    "                       [--truth metadata.KEY] [--json]\n"
    "       scorekit topics show RUN [--json]\n"
    "       scorekit topics list [--json]\n"
    "       scorekit topics diff A B [--json]   two runs by their rows: where A's topics\n"
    "                                        went in B, B's new topics, rows added\n"
    "\n"
    "Cluster the rows of SOURCE by their text into topics, and keep the run (an id)\n"
    "so a topic's rows can be added to a dataset: `scorekit dataset add NAME --topic\n"
    "RUN:T`.  SOURCE is an experiment (id or prefix; its rows' scores and verdicts\n"
    "give each topic its failure rate, and topics are listed worst first), a dataset\n"
    "(dataset:NAME[@V], or a NAME no experiment has), or a JSONL file of rows or\n"
    "logs (id, input, expected, output, metadata, tags, time, log_id, trace_id).\n"
    "\n"
    "Texts are TF-IDF vectors of their words and word pairs (character bigrams and\n"
    "trigrams for scripts written without spaces), clustered by spherical k-means\n"
    "(cosine) with k-means++ seeding from the seed, best of 10 starts (4 on more than\n"
    "20000 rows).  Each topic: a label (its centre's top terms), its size, the row\n"
    "nearest its centre.\n"
    "\n"
    "  -k K              topics to make (1..200); default: chosen in 2..min(20, rows/2)\n"
    "                    by the mean silhouette on a sample of 1000 rows\n"
    "  --field F         input (default) or output (an experiment's first trial's)\n"
    "  --seed N          the seed (default 1): the same seed, the same topics\n"
    "  --embeddings MODEL\n"
    "                    cluster the texts' embeddings from the provider's /embeddings\n"
    "                    (OpenAI-compatible; cached in the store like chat calls, cost\n"
    "                    counted) instead of their TF-IDF vectors, which then only\n"
    "                    label the topics; texts are sent 64 to a request\n"
    "  --label           ask a model for a short name of each topic (one call a topic,\n"
    "                    cached; from a few of its texts and its top terms)\n"
    "  --model M         the model --label asks (default: the provider's)\n"
    "  --truth metadata.KEY\n"
    "                    also print the adjusted Rand index of the topics against the\n"
    "                    rows' values of KEY (how well they recover a known grouping)\n"
    "  --json            the run as one JSON object\n"
    "\n"
    "exit status: 0 done, 1 bad input (unknown source or run), 64 usage.\n";

/* ---- printing a kept run ---- */

typedef struct shower {
    int json;
    cJSON *topics;
    const sk_topic_run *run;
} shower;

static void print_scores(const char *scores_json)
{
    cJSON *o = scores_json ? sk_json_parse_cstr(scores_json) : NULL;
    if (!o)
        return;
    printf("     scores:");
    const cJSON *s;
    cJSON_ArrayForEach(s, o)
    {
        const cJSON *m = cJSON_GetObjectItemCaseSensitive(s, "mean");
        const cJSON *f = cJSON_GetObjectItemCaseSensitive(s, "fail_rate");
        printf(" %s ", s->string);
        if (cJSON_IsNumber(m))
            printf("%.3f", m->valuedouble);
        else
            printf("-");
        if (cJSON_IsNumber(f))
            printf(" (fails %.1f%%)", 100 * f->valuedouble);
    }
    putchar('\n');
    cJSON_Delete(o);
}

static int show_topic(void *ud, const sk_topic_label *t)
{
    shower *sh = ud;
    if (sh->json) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddNumberToObject(o, "topic", t->topic);
        cJSON_AddStringToObject(o, "label", t->label);
        if (t->name)
            cJSON_AddStringToObject(o, "name", t->name);
        cJSON_AddNumberToObject(o, "size", (double)t->size);
        cJSON *ex = cJSON_AddObjectToObject(o, "example");
        cJSON_AddStringToObject(ex, "id", t->example_row);
        cJSON_AddStringToObject(ex, "text", t->example_text);
        if (t->scores_json) {
            cJSON_AddNumberToObject(o, "judged", (double)t->judged);
            cJSON_AddNumberToObject(o, "failed", (double)t->failed);
            cli_json_num(o, "fail_rate", t->fail_rate);
            cli_json_raw(o, "scores", t->scores_json);
        }
        cJSON_AddItemToArray(sh->topics, o);
        return 0;
    }
    printf("%3d  %6" PRId64 "  ", t->topic, t->size);
    if (!isnan(t->fail_rate))
        printf("%5.1f%%  ", 100 * t->fail_rate);
    else if (t->scores_json)
        printf("    -   ");
    if (t->name)
        printf("%s (%s)\n     e.g. %s: ", t->name, t->label, t->example_row);
    else
        printf("%s\n     e.g. %s: ", t->label, t->example_row);
    cli_put_clipped(t->example_text, CLIP);
    putchar('\n');
    print_scores(t->scores_json);
    return 0;
}

static cJSON *run_json(const sk_topic_run *r)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "id", r->id);
    cJSON_AddStringToObject(o, "source", r->source);
    cJSON_AddStringToObject(o, "kind", r->kind);
    cJSON_AddStringToObject(o, "field", r->field);
    cJSON_AddNumberToObject(o, "k", r->k);
    cJSON_AddNumberToObject(o, "rows", (double)r->rows);
    cJSON_AddStringToObject(o, "created_at", r->created_at);
    cli_json_raw(o, "params", r->params_json);
    return o;
}

/* The run's header and topics; extra (may be NULL) joins the JSON. */
static int show_run(sk_store *st, const sk_topic_run *r, int json, cJSON *extra, char **err)
{
    shower sh = {.json = json, .run = r};
    cJSON *o = NULL;
    if (json) {
        o = run_json(r);
        sh.topics = cJSON_AddArrayToObject(o, "topics");
    } else {
        cJSON *p = sk_json_parse_cstr(r->params_json);
        const cJSON *chosen = cJSON_GetObjectItemCaseSensitive(p, "k_chosen");
        const cJSON *sil = cJSON_GetObjectItemCaseSensitive(p, "silhouette");
        printf("topic run %s: %" PRId64 " rows of %s by their %s, k %d", r->id, r->rows, r->source,
               r->field, r->k);
        if (cJSON_IsTrue(chosen) && cJSON_IsNumber(sil))
            printf(" (chosen by silhouette, %.3f)", sil->valuedouble);
        else
            printf(" (given)");
        printf("\n\n  #    rows  %slabel\n", strcmp(r->kind, "experiment") == 0 ? " fails  " : "");
        cJSON_Delete(p);
    }
    int rc = sk_topic_each_label(st, r->id, show_topic, &sh, err);
    if (rc) {
        cJSON_Delete(o);
        return rc;
    }
    if (json) {
        if (extra) {
            cJSON *it = extra->child;
            while (it) {
                cJSON *next = it->next;
                cJSON_AddItemToObject(o, it->string, cJSON_DetachItemViaPointer(extra, it));
                it = next;
            }
        }
        cli_json_print(o);
    } else {
        printf("\n`scorekit dataset add NAME --topic %s:T` adds topic T's rows to a dataset\n",
               r->id);
    }
    return 0;
}

/* ---- topics SOURCE ---- */

static int parse_count(const char *opt, const char *s, unsigned long long max,
                       unsigned long long *out)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (!*s || *end || errno || s[0] == '-' || s[0] == '+' || v < 1 || v > max) {
        cli_error("%s \"%s\": give a whole number from 1 to %llu", opt, s, max);
        return -1;
    }
    *out = v;
    return 0;
}

/* The metadata value of `key` ("a.b") of each row, numbered by first
 * appearance ("(missing)" one value too). */
static uint32_t *truth_labels(const sk_topic_source *s, const char *key)
{
    uint32_t *lab = sk_xmalloc((s->rows.n ? s->rows.n : 1) * sizeof *lab);
    char **seen = NULL;
    size_t nseen = 0;
    for (size_t i = 0; i < s->rows.n; i++) {
        const char *m = s->rows.rows[i].metadata;
        cJSON *o = m ? sk_json_parse_cstr(m) : NULL;
        const cJSON *v = o;
        char *k = sk_xstrdup(key), *save = NULL;
        for (char *part = strtok_r(k, ".", &save); part && v; part = strtok_r(NULL, ".", &save))
            v = cJSON_IsObject(v) ? cJSON_GetObjectItemCaseSensitive(v, part) : NULL;
        free(k);
        char *text = v ? sk_json_print(v) : sk_xstrdup("(missing)");
        size_t j = 0;
        while (j < nseen && strcmp(seen[j], text) != 0)
            j++;
        if (j == nseen) {
            seen = sk_xrealloc(seen, (nseen + 1) * sizeof *seen);
            seen[nseen++] = text;
        } else {
            free(text);
        }
        lab[i] = (uint32_t)j;
        cJSON_Delete(o);
    }
    for (size_t j = 0; j < nseen; j++)
        free(seen[j]);
    free(seen);
    return lab;
}

/* Every text's embedding from `model` into *out (n x *dim; caller frees),
 * an empty text all zeros.  *usage is {"model", "texts", "cached",
 * "prompt_tokens", "cost"} (caller deletes). */
static int embed_texts(sk_llm *llm, const char *model, const sk_topic_source *s, double **out,
                       size_t *dim, cJSON **usage, char **err)
{
    size_t n = s->rows.n, cached = 0, texts = 0, requests = 0;
    long tokens = 0;
    double cost = 0, *v = NULL;
    *dim = 0;
    /* The non-empty texts, asked for in batches (the rest stay zeros). */
    const char **in = sk_xcalloc(n + 1, sizeof *in);
    size_t *row = sk_xcalloc(n + 1, sizeof *row);
    for (size_t i = 0; i < n; i++)
        if (s->texts[i][0]) {
            in[texts] = s->texts[i];
            row[texts++] = i;
        }
    if (!texts) {
        free(in);
        free(row);
        return sk_errf(err, SK_EINVAL, "%s: every text is empty; nothing to embed", s->label);
    }
    sk_llm_embedding *e = sk_xcalloc(texts, sizeof *e);
    sk_llm_embed_request req = {.model = model, .caller = "topics"};
    char *why = NULL;
    int rc = sk_llm_embed_many(llm, &req, in, texts, e, &requests, &why);
    if (rc) {
        rc = sk_errf(err, rc, "%s", why);
        free(why);
    }
    for (size_t j = 0; !rc && j < texts; j++) {
        const char *id = s->rows.rows[row[j]].id;
        if (!*dim) {
            *dim = e[j].dim;
            v = sk_xcalloc(n * e[j].dim + 1, sizeof *v);
        }
        if (e[j].dim != *dim || !e[j].dim)
            rc = sk_errf(err, SK_EPARSE,
                         "row \"%s\": its embedding from %s has %zu numbers, the earlier ones %zu",
                         id, model, e[j].dim, *dim);
        else
            memcpy(v + row[j] * e[j].dim, e[j].v, e[j].dim * sizeof *v);
        cached += e[j].cached != 0;
        tokens += e[j].prompt_tokens > 0 ? e[j].prompt_tokens : 0;
        cost += e[j].cost;
    }
    for (size_t j = 0; j < texts; j++)
        sk_llm_embedding_free(&e[j]);
    free(e);
    free(in);
    free(row);
    if (rc) {
        free(v);
        return rc;
    }
    *out = v;
    *usage = cJSON_CreateObject();
    cJSON_AddStringToObject(*usage, "model", model);
    cJSON_AddNumberToObject(*usage, "texts", (double)texts);
    cJSON_AddNumberToObject(*usage, "cached", (double)cached);
    cJSON_AddNumberToObject(*usage, "requests", (double)requests);
    cJSON_AddNumberToObject(*usage, "prompt_tokens", (double)tokens);
    cJSON_AddNumberToObject(*usage, "cost", cost);
    return SK_OK;
}

/* A model's short name for each topic of t, from its top terms and up to
 * five of its texts: (*names)[i] (caller frees each and the array; NULL
 * for an empty reply).  *usage: {"model", "calls", "cached", "cost"}. */
static int name_topics(sk_llm *llm, const char *model, const sk_topic_source *s, const sk_topics *t,
                       char ***names, cJSON **usage, char **err)
{
    *names = sk_xcalloc(t->ntopics + 1, sizeof **names);
    size_t cached = 0;
    double cost = 0;
    sk_buf prompt = {0};
    int rc = 0;
    for (size_t i = 0; i < t->ntopics && !rc; i++) {
        sk_buf_reset(&prompt);
        sk_buf_printf(&prompt,
                      "These texts were grouped together; the words typical of the group: %s.\n\n",
                      t->topics[i].label);
        for (size_t r = 0, shown = 0; r < t->n && shown < 5; r++)
            if (t->assign[r] == i) {
                sk_buf_printf(&prompt, "- %.300s\n", s->texts[r]);
                shown++;
            }
        sk_buf_adds(&prompt, "\nName what they are about in 2 to 5 words. Reply with the name "
                             "only.");
        sk_llm_message m = {"user", prompt.data};
        sk_llm_request req = {.model = model, .messages = &m, .nmessages = 1, .caller = "topics"};
        sk_llm_reply rep;
        char *why = NULL;
        if ((rc = sk_llm_chat(llm, &req, &rep, &why)) != 0) {
            rc = sk_errf(err, rc, "naming topic %zu: %s", i + 1, why);
            free(why);
            break;
        }
        /* The first line, without quotes or spaces around it. */
        const char *c = rep.content ? rep.content : "";
        while (*c == ' ' || *c == '\n' || *c == '"' || *c == '\'')
            c++;
        size_t len = strcspn(c, "\r\n");
        while (len &&
               (c[len - 1] == ' ' || c[len - 1] == '"' || c[len - 1] == '\'' || c[len - 1] == '.'))
            len--;
        (*names)[i] = len ? sk_xstrndup(c, len > 80 ? 80 : len) : NULL;
        cached += rep.cached != 0;
        cost += rep.cost;
        sk_llm_reply_free(&rep);
    }
    sk_buf_free(&prompt);
    *usage = cJSON_CreateObject();
    cJSON_AddStringToObject(*usage, "model", model ? model : "(default)");
    cJSON_AddNumberToObject(*usage, "calls", (double)t->ntopics);
    cJSON_AddNumberToObject(*usage, "cached", (double)cached);
    cJSON_AddNumberToObject(*usage, "cost", cost);
    return rc;
}

static int run_topics(const cli_ctx *ctx, const char *source, const sk_topic_opts *o0,
                      const char *field, const char *truth, const char *embed,
                      const char *label_model, int label, int json)
{
    sk_topic_opts opts = *o0, *o = &opts;
    sk_project *proj;
    sk_store *st;
    if (cli_open_store(ctx, &proj, &st))
        return CLI_FAIL;
    char *err = NULL, *run_id = NULL;
    sk_topic_source src;
    sk_topics *t = NULL;
    sk_topic_run run = {0};
    cJSON *extra = NULL;
    double ari = NAN;
    double *emb = NULL;
    cJSON *usage = NULL, *naming = NULL, *params = cJSON_CreateObject();
    char **names = NULL;
    int rc = sk_topic_source_load(st, source, field, &src, &err);
    if (!rc && (embed || label)) {
        char *why = NULL;
        if (cli_llm_open(ctx, proj, 1, &why) != CLI_OK) {
            rc = sk_errf(&err, SK_EINVAL, "%s", why ? why : "cannot open the model client");
            free(why);
        }
    }
    if (!rc && embed) {
        rc = embed_texts(cli_llm_client(ctx), embed, &src, &emb, &o->dim, &usage, &err);
        o->embeddings = emb;
        if (!rc)
            cJSON_AddItemReferenceToObject(params, "embeddings", usage);
    }
    if (!rc) {
        sk_topic_scores sc = sk_topic_source_scores(&src);
        rc = sk_topics_find((const char *const *)src.texts, src.rows.n, o,
                            src.nscorers ? &sc : NULL, &t, &err);
    }
    if (!rc)
        rc = label ? name_topics(cli_llm_client(ctx), label_model, &src, t, &names, &naming, &err)
                   : 0;
    if (!rc && naming)
        cJSON_AddItemReferenceToObject(params, "names", naming);
    if (!rc)
        rc = sk_topics_save(st, &src, o, t, params, (const char *const *)names, &run_id, &err);
    if (!rc)
        rc = sk_topic_run_load(st, run_id, &run, &err);
    if (!rc && truth) {
        uint32_t *lab = truth_labels(&src, truth);
        ari = sk_ari(t->assign, lab, t->n);
        free(lab);
        if (json) {
            extra = cJSON_CreateObject();
            cJSON *tr = cJSON_AddObjectToObject(extra, "truth");
            cJSON_AddStringToObject(tr, "key", truth);
            cli_json_num(tr, "ari", ari);
        }
    }
    if (!rc)
        rc = show_run(st, &run, json, extra, &err);
    if (!rc && usage && !json)
        printf("embeddings: %s, %.0f texts (%.0f cached), %.0f prompt tokens, cost $%.4f\n", embed,
               cJSON_GetObjectItem(usage, "texts")->valuedouble,
               cJSON_GetObjectItem(usage, "cached")->valuedouble,
               cJSON_GetObjectItem(usage, "prompt_tokens")->valuedouble,
               cJSON_GetObjectItem(usage, "cost")->valuedouble);
    if (!rc && naming && !json)
        printf("names: %s, %.0f calls (%.0f cached), cost $%.4f\n",
               cJSON_GetObjectItem(naming, "model")->valuestring,
               cJSON_GetObjectItem(naming, "calls")->valuedouble,
               cJSON_GetObjectItem(naming, "cached")->valuedouble,
               cJSON_GetObjectItem(naming, "cost")->valuedouble);
    if (!rc && truth && !json)
        printf("adjusted Rand index of the topics against metadata.%s: %.4f\n", truth, ari);
    if (rc) {
        cli_error("%s", err);
        if (!run_id)
            cli_error("no topic run was stored");
    }
    cJSON_Delete(extra);
    cJSON_Delete(params);
    cJSON_Delete(usage);
    cJSON_Delete(naming);
    for (size_t i = 0; names && t && i < t->ntopics; i++)
        free(names[i]);
    free(names);
    free(emb);
    free(err);
    free(run_id);
    sk_topic_run_clear(&run);
    sk_topics_free(t);
    sk_topic_source_free(&src);
    sk_store_close(st);
    sk_project_free(proj);
    return rc ? CLI_FAIL : CLI_OK;
}

/* ---- show, list ---- */

static int cmd_topics_show(const cli_ctx *ctx, const char *ref, int json)
{
    sk_project *proj;
    sk_store *st;
    if (cli_open_store(ctx, &proj, &st))
        return CLI_FAIL;
    char *err = NULL;
    sk_topic_run run;
    int rc = sk_topic_run_load(st, ref, &run, &err);
    if (!rc)
        rc = show_run(st, &run, json, NULL, &err);
    if (rc)
        cli_error("%s", err);
    free(err);
    sk_topic_run_clear(&run);
    sk_store_close(st);
    sk_project_free(proj);
    return rc ? CLI_FAIL : CLI_OK;
}

typedef struct lister {
    int json;
    cJSON *runs;
    size_t n;
} lister;

static int list_one(void *ud, const sk_topic_run *r)
{
    lister *l = ud;
    l->n++;
    if (l->json)
        cJSON_AddItemToArray(l->runs, run_json(r));
    else
        printf("%s  %s  k %-2d %7" PRId64 " rows  %s (%s)\n", r->id, r->created_at, r->k, r->rows,
               r->source, r->field);
    return 0;
}

static int cmd_topics_list(const cli_ctx *ctx, int json)
{
    sk_project *proj;
    sk_store *st;
    if (cli_open_store(ctx, &proj, &st))
        return CLI_FAIL;
    char *err = NULL;
    lister l = {.json = json};
    cJSON *o = NULL;
    if (json) {
        o = cJSON_CreateObject();
        l.runs = cJSON_AddArrayToObject(o, "runs");
    }
    int rc = sk_topic_each_run(st, list_one, &l, &err);
    if (rc) {
        cli_error("%s", err);
        cJSON_Delete(o);
    } else if (json) {
        cli_json_print(o); /* deletes it */
    } else if (!l.n) {
        printf("no topic runs yet; `scorekit topics SOURCE` makes one\n");
    }
    free(err);
    sk_store_close(st);
    sk_project_free(proj);
    return rc ? CLI_FAIL : CLI_OK;
}

int cmd_topics(const cli_ctx *ctx, int argc, char **argv)
{
    static const struct option opts[] = {{"field", required_argument, NULL, 'f'},
                                         {"seed", required_argument, NULL, 's'},
                                         {"truth", required_argument, NULL, 't'},
                                         {"json", no_argument, NULL, 'J'},
                                         {"embeddings", required_argument, NULL, 'e'},
                                         {"label", no_argument, NULL, 'L'},
                                         {"model", required_argument, NULL, 'm'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    sk_topic_opts o = {.seed = 1};
    const char *field = "input", *truth = NULL, *embed = NULL, *model = NULL;
    int json = 0, label = 0, c;
    unsigned long long v;
    optind = 1;
    while ((c = cli_getopt(argc, argv, "hk:", opts)) != -1) {
        switch (c) {
        case 'k':
            if (parse_count("-k", optarg, K_LIMIT, &v))
                return CLI_USAGE;
            o.k = (size_t)v;
            break;
        case 'f':
            if (strcmp(optarg, "input") != 0 && strcmp(optarg, "output") != 0) {
                cli_error("--field \"%s\": give input or output", optarg);
                return CLI_USAGE;
            }
            field = optarg;
            break;
        case 's':
            if (parse_count("--seed", optarg, UINT64_MAX, &v))
                return CLI_USAGE;
            o.seed = v;
            break;
        case 't':
            truth = strncmp(optarg, "metadata.", 9) == 0 ? optarg + 9 : optarg;
            if (!*truth) {
                cli_error("--truth \"%s\": give metadata.KEY", optarg);
                return CLI_USAGE;
            }
            break;
        case 'e': embed = optarg; break;
        case 'L': label = 1; break;
        case 'm': model = optarg; break;
        case 'J': json = 1; break;
        case 'h': fputs(help_text, stdout); return CLI_OK;
        default: return CLI_USAGE;
        }
    }
    int nargs = argc - optind;
    const char *first = nargs ? argv[optind] : NULL;
    if (first && strcmp(first, "show") == 0) {
        if (nargs != 2 || o.k || truth || embed || label || model || strcmp(field, "input") != 0) {
            cli_error("topics show takes one run and --json only: scorekit topics show RUN");
            return CLI_USAGE;
        }
        return cmd_topics_show(ctx, argv[optind + 1], json);
    }
    if (first && strcmp(first, "diff") == 0) {
        if (nargs != 3 || o.k || truth || embed || label || model) {
            cli_error("topics diff takes two runs and --json only: scorekit topics diff A B");
            return CLI_USAGE;
        }
        return cli_topics_diff(ctx, argv[optind + 1], argv[optind + 2], json);
    }
    if (first && strcmp(first, "list") == 0) {
        if (nargs != 1 || o.k || truth || embed || label || model) {
            cli_error("topics list takes --json only");
            return CLI_USAGE;
        }
        return cmd_topics_list(ctx, json);
    }
    if (nargs != 1) {
        cli_error("topics takes one source: scorekit topics SOURCE (an experiment, "
                  "dataset:NAME or a JSONL file); see `scorekit topics --help`");
        return CLI_USAGE;
    }
    if (model && !label) {
        cli_error("--model names the model --label asks: give --label too");
        return CLI_USAGE;
    }
    return run_topics(ctx, first, &o, field, truth, embed, model, label, json);
}
