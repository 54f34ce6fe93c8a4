/*
 * `scorekit label SOURCE --scorer S`: labelling rows one by one in the
 * terminal.  The rows most worth a person's time come first: on an
 * experiment, those whose trials disagree about pass/fail, then those whose
 * score is nearest the scorer's threshold.  The scorer's rationale stays
 * hidden until asked for (r), so it does not anchor the labeller.  Each
 * label is stored as it is given, so quitting (q, or closing the terminal)
 * loses nothing, and the next run goes on with the rows this person has
 * not labelled.
 */
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "base/error.h"
#include "cli/cli.h"
#include "cli/label_source.h"
#include "store/experiment_read.h"
#include "store/labels.h"

/* One row to label, with what the scorer said of it (experiments only). */
typedef struct item {
    char *id, *input, *expected, *output;
    double mean, lo, hi; /* over the trials; NAN when unscored */
    size_t scores;
    double worth; /* lower first: -1 trials on both sides of the cut, else the
                   * distance to it; INFINITY unscored */
} item;

typedef struct queue {
    item *v;
    size_t n, cap;
    const char *scorer;
    int has_threshold;
    double threshold;
    char *done; /* ",id,id," labelled already by this person */
} queue;

static int keep_row(void *ud, const cli_label_row *r)
{
    queue *q = ud;
    char *needle = sk_asprintf(",%s,", r->id);
    int labelled = q->done && strstr(q->done, needle);
    free(needle);
    if (labelled)
        return 0;
    q->v = sk_xgrow(q->v, &q->cap, q->n + 1, sizeof *q->v);
    q->v[q->n++] = (item){sk_xstrdup(r->id),
                          r->input ? sk_xstrdup(r->input) : NULL,
                          r->expected ? sk_xstrdup(r->expected) : NULL,
                          r->output ? sk_xstrdup(r->output) : NULL,
                          NAN,
                          NAN,
                          NAN,
                          0,
                          INFINITY};
    return 0;
}

static int cmp_id(const void *a, const void *b)
{
    return strcmp(((const item *)a)->id, ((const item *)b)->id);
}

static int add_score(void *ud, const sk_experiment_score *s)
{
    queue *q = ud;
    if (strcmp(s->scorer, q->scorer) != 0 || strcmp(s->kind, "score") != 0)
        return 0;
    item key = {(char *)s->row_id, NULL, NULL, NULL, 0, 0, 0, 0, 0};
    item *it = bsearch(&key, q->v, q->n, sizeof *q->v, cmp_id);
    if (!it)
        return 0;
    if (!it->scores++) {
        it->mean = it->lo = it->hi = s->score;
    } else {
        it->mean += s->score;
        it->lo = fmin(it->lo, s->score);
        it->hi = fmax(it->hi, s->score);
    }
    return 0;
}

static int find_threshold(void *ud, const char *name, int has_threshold, double threshold,
                          const char *reducer)
{
    (void)reducer;
    queue *q = ud;
    if (strcmp(name, q->scorer) == 0) {
        q->has_threshold = has_threshold;
        q->threshold = threshold;
    }
    return 0;
}

static double cut_of(const queue *q)
{
    return q->has_threshold ? q->threshold : 0.5;
}

/* Most worth labelling first; ties by id, so every run has one order. */
static int by_worth(const void *a, const void *b)
{
    const item *x = a, *y = b;
    if (x->worth != y->worth)
        return x->worth < y->worth ? -1 : 1;
    return strcmp(x->id, y->id);
}

typedef struct mine {
    sk_buf *ids;
    const char *who;
} mine;

/* This person's labels hide a row; other people's do not. */
static int collect_done(void *ud, const sk_label *l)
{
    mine *m = ud;
    if (strcmp(l->who, m->who) == 0) {
        sk_buf_adds(m->ids, l->row_id);
        sk_buf_addc(m->ids, ',');
    }
    return 0;
}

static int first_rationale(void *ud, const sk_cell_score_row *r)
{
    char **out = ((char **)ud);
    const char *scorer = out[1];
    if (!out[0] && r->scorer && strcmp(r->scorer, scorer) == 0 && r->rationale)
        out[0] = sk_xstrdup(r->rationale);
    return 0;
}

/* Raw keys when stdin is a terminal (restored at the end); a pipe is read
 * as it is, skipping white space, so the queue can also be scripted. */
typedef struct keys {
    int tty;
    struct termios saved;
} keys;

static void keys_open(keys *k)
{
    k->tty = isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &k->saved) == 0;
    if (k->tty) {
        struct termios raw = k->saved;
        /* ISIG off too: Ctrl-C comes as a key (quit), so the terminal is
         * always restored on the way out. */
        raw.c_lflag &= (tcflag_t) ~(ICANON | ECHO | ISIG);
        raw.c_cc[VMIN] = 1;
        raw.c_cc[VTIME] = 0;
        tcsetattr(STDIN_FILENO, TCSANOW, &raw);
    }
}

static void keys_close(keys *k)
{
    if (k->tty)
        tcsetattr(STDIN_FILENO, TCSANOW, &k->saved);
}

/* The next key, or -1 at the end of the input. */
static int key(void)
{
    unsigned char c;
    for (;;) {
        ssize_t r = read(STDIN_FILENO, &c, 1);
        if (r <= 0)
            return -1;
        if (c != ' ' && c != '\n' && c != '\r' && c != '\t')
            return c;
    }
}

static void field(const char *label, const char *json)
{
    printf("%s:\n", label);
    if (!json) {
        printf("  (none)\n");
        return;
    }
    /* A JSON string is shown as its text, anything else as JSON. */
    cJSON *v = cJSON_Parse(json);
    const char *text = cJSON_IsString(v) ? v->valuestring : json;
    size_t n = strlen(text), shown = n > 2000 ? 2000 : n;
    printf("  %.*s%s\n", (int)shown, text, n > shown ? " ..." : "");
    cJSON_Delete(v);
}

static void show(const queue *q, size_t i, size_t labelled, const char *source)
{
    const item *it = &q->v[i];
    printf("\033[H\033[2J");
    printf("== %s, scorer %s: row %s (%zu of %zu; %zu labelled this session) ==\n", source,
           q->scorer, it->id, i + 1, q->n, labelled);
    field("input", it->input);
    field("expected", it->expected);
    field("output", it->output);
    printf("\n[p] pass  [f] fail  [0-9] grade 0.0-0.9  [s] skip  [u] undo  [r] rationale  "
           "[q] quit\n");
    fflush(stdout);
}

int cli_label_queue(const cli_ctx *ctx, int argc, char **argv)
{
    static const struct option opts[] = {{"scorer", required_argument, NULL, 's'},
                                         {"who", required_argument, NULL, 'w'},
                                         {NULL, 0, NULL, 0}};
    const char *scorer = NULL, *who = cli_labeller();
    int c;
    optind = 1;
    while ((c = cli_getopt(argc, argv, "", opts)) != -1) {
        switch (c) {
        case 's': scorer = optarg; break;
        case 'w': who = optarg; break;
        default: return CLI_USAGE;
        }
    }
    if (optind + 1 != argc || !scorer) {
        cli_error("label takes one SOURCE and --scorer S: `scorekit label EXP --scorer S` "
                  "(see `scorekit label --help`)");
        return CLI_USAGE;
    }
    const char *source = argv[optind];
    sk_project *proj = NULL;
    sk_store *st = NULL;
    if (cli_open_store(ctx, &proj, &st))
        return CLI_FAIL;
    cli_label_source src;
    queue q = {0};
    q.scorer = scorer;
    sk_buf done = {0};
    char *err = NULL;
    sk_buf_addc(&done, ',');
    int rc = cli_label_source_open(st, source, &src, &err);
    mine m = {&done, who};
    if (rc == SK_OK)
        rc = sk_labels_each(st, src.key, scorer, collect_done, &m, &err);
    q.done = done.data;
    if (rc == SK_OK)
        rc = cli_label_each_row(st, &src, keep_row, &q, &err);
    if (rc == SK_OK && src.kind == CLI_LABELS_EXPERIMENT) {
        qsort(q.v, q.n, sizeof *q.v, cmp_id);
        rc = sk_experiment_each_score(st, src.exp_id, add_score, &q, &err);
        if (rc == SK_OK)
            rc = sk_experiment_each_scorer(st, src.exp_id, find_threshold, &q, &err);
        double cut = cut_of(&q);
        for (size_t i = 0; i < q.n; i++) {
            item *it = &q.v[i];
            if (!it->scores)
                continue;
            it->mean /= (double)it->scores;
            it->worth = it->lo < cut && it->hi >= cut ? -1 : fabs(it->mean - cut);
        }
        qsort(q.v, q.n, sizeof *q.v, by_worth);
    }
    if (rc) {
        cli_error("%s", err);
        free(err);
        goto out;
    }
    if (!q.n) {
        printf("nothing left to label: %s has no row %s has not labelled for %s\n", src.key, who,
               scorer);
        goto out;
    }
    keys k;
    keys_open(&k);
    size_t i = 0, labelled = 0;
    size_t *history = sk_xcalloc(q.n + 1, sizeof *history); /* rows labelled, in order */
    size_t nh = 0;
    int quit = 0;
    while (!quit && i < q.n) {
        show(&q, i, labelled, src.key);
        int ch = key();
        double label = NAN;
        switch (ch) {
        case -1:
        case 3: /* Ctrl-C */
        case 4: /* Ctrl-D */
        case 'q': quit = 1; break;
        case 'p': label = 1; break;
        case 'f': label = 0; break;
        case 's': i++; break;
        case 'r': {
            char *r[2] = {NULL, (char *)scorer};
            if (src.kind == CLI_LABELS_EXPERIMENT)
                sk_experiment_each_cell_score(st, src.exp_id, q.v[i].id, 1, first_rationale, r,
                                              NULL);
            printf("\nscore %.3f over %zu trial%s (cut %.2f); rationale: %s\n[press a key]",
                   q.v[i].mean, q.v[i].scores, q.v[i].scores == 1 ? "" : "s", cut_of(&q),
                   r[0] ? r[0] : "(none stored)");
            fflush(stdout);
            free(r[0]);
            if (key() == -1)
                quit = 1;
            break;
        }
        case 'u':
            if (nh) {
                i = history[--nh];
                if (sk_labels_delete(st, src.key, q.v[i].id, scorer, who, &err) != SK_OK) {
                    cli_error("%s", err);
                    free(err);
                    err = NULL;
                    quit = 1;
                } else {
                    labelled--;
                }
            }
            break;
        default:
            if (ch >= '0' && ch <= '9')
                label = (ch - '0') / 10.0;
            break;
        }
        if (!isnan(label)) {
            sk_label l = {src.key, q.v[i].id, scorer, who, label, NULL};
            if (sk_labels_put(st, &l, 1, &err) != SK_OK) {
                cli_error("%s", err);
                free(err);
                err = NULL;
                rc = SK_EIO;
                quit = 1;
            } else {
                history[nh++] = i++;
                labelled++;
            }
        }
    }
    keys_close(&k);
    free(history);
    printf("\n%zu label%s stored for %s (scorer %s, by %s)%s\n", labelled, labelled == 1 ? "" : "s",
           src.key, scorer, who,
           i < q.n ? "; run the same command to go on" : "; every row is labelled");
out:
    for (size_t j = 0; j < q.n; j++) {
        free(q.v[j].id);
        free(q.v[j].input);
        free(q.v[j].expected);
        free(q.v[j].output);
    }
    free(q.v);
    sk_buf_free(&done);
    cli_label_source_clear(&src);
    sk_store_close(st);
    sk_project_free(proj);
    return rc ? CLI_FAIL : CLI_OK;
}
