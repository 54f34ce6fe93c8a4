/*
 * The `scorekit score` pipeline (see score.h).  The calling thread reads
 * lines into batches and consumes finished batches in file order; workers
 * of the pool (run/pool.h) process batches.  The same pool runs both passes: first every line is
 * validated (in parallel, so checking the whole file before scoring costs
 * little), then, from the start again, every row is scored.  At most `ring`
 * batches exist at once, which bounds memory whatever the file's length.
 */
#include "run/score.h"

#include <errno.h>
#include <math.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/error.h"
#include "base/idcheck.h"
#include "run/jobs.h"
#include "run/pool.h"
#include "run/rowscore.h"
#include "store/dataset_file.h"
#include "store/jsonl.h"

#define BATCH_ROWS  256
#define BATCH_BYTES (256u << 10)
#define SNIPPET     60

typedef struct batch {
    size_t seq;
    size_t n;
    sk_buf text; /* the lines, each NUL-terminated */
    size_t off[BATCH_ROWS], len[BATCH_ROWS], lineno[BATCH_ROWS];
    /* A CSV record the reader refused: its text is the message. */
    unsigned char prebad[BATCH_ROWS];
    /* A CSV record without an id: the line carries the one derived. */
    unsigned char csv_derived[BATCH_ROWS];
    /* validating pass: each good row's id, for the duplicate check */
    sk_buf ids, scratch;
    size_t id_off[BATCH_ROWS], id_len[BATCH_ROWS];
    unsigned char derived[BATCH_ROWS];
    /* results, filled by a worker */
    unsigned char bad[BATCH_ROWS], pass[BATCH_ROWS], err[BATCH_ROWS];
    double overall[BATCH_ROWS];
    unsigned char *kind; /* n * nscorers */
    double *score;       /* n * nscorers */
    sk_buf strs;         /* per row: id '\0' output snippet '\0' why '\0' */
    size_t str_off[BATCH_ROWS];
    sk_buf bad_notes;     /* one message per bad row, NUL-separated */
    sk_buf err_notes;     /* first-error messages, NUL-separated */
    long *err_at;         /* n * nscorers: the error's offset in err_notes, -1 none */
    unsigned char *noted; /* per scorer: an error of this batch has its note */
    sk_buf out;           /* per-row JSONL */
} batch;

typedef struct worker {
    sk_host_ctx host; /* this worker's: its scorers' model calls */
    void **states;
    sk_rowscore rs;
} worker;

typedef struct runner {
    const sk_pack *pack;
    const sk_score_opts *opts;
    const char *path;
    size_t ring;
    batch *batches;
    sk_pool *pool; /* ordered: batches come back in file order */
    worker *workers;
    sk_host_ctx host; /* the run's: opens and closes the shared states */
    void **shared;    /* states of thread-safe scorers, shared by every worker */
    const char *keys[SK_F_COUNT];
    int validating; /* the pass: 1 validate (and score, when one_pass), 0 score */
    int one_pass;   /* rows are checked and scored in one read (see sk_score_file) */
    /* Rationales are built only for rows that may be listed among the
     * worst: a row scoring below worst_cut (the last listed row's score,
     * once the list is full) is scored again with them. */
    int lazy_why;
    /* One pass does not know how many rows there are: the progress total
     * is estimated from the bytes read so far of a file this long. */
    double size, bytes;
    _Atomic double worst_cut;
    size_t batch_rows; /* rows per batch when scoring */
    /* the input: JSONL lines, or a CSV's records read as `dataset import`
     * reads them and handed on as JSON lines */
    sk_jsonl *jsonl;
    sk_dataset_file *csv;
    sk_buf csv_line;
    /* validating pass results: the ids (duplicates are bad rows, as in an
     * import), and the lines of the bad rows, ascending, which the scoring
     * pass skips (--skip-bad) */
    size_t total, bad;
    sk_idcheck *ids;
    size_t ex_line[5]; /* the lines of the report's bad_examples */
    size_t *bad_list, nbad_list, bad_cap, bad_next;
} runner;

static void score_row(runner *run, worker *w, batch *b, size_t i, const sk_span spans[SK_F_COUNT]);

/* The validating pass: every line must be a row as `dataset import` would
 * take it, with an output (sk_dataset_row_check); ids are kept for the
 * duplicate check, which needs file order and so is done in consume.  In
 * one pass, a good row is scored from the values the check found. */
static void validate_batch(runner *run, worker *w, batch *b)
{
    sk_buf_reset(&b->bad_notes);
    sk_buf_reset(&b->ids);
    for (size_t i = 0; i < b->n; i++) {
        char msg[512];
        const char *line = b->text.data + b->off[i];
        b->str_off[i] = b->strs.len;
        if (b->prebad[i]) {
            b->bad[i] = 1;
            sk_buf_add(&b->bad_notes, line, b->len[i] + 1);
            continue;
        }
        int derived = 0;
        sk_span spans[SK_F_COUNT];
        b->bad[i] =
            sk_dataset_row_check_spans(line, b->len[i], run->keys[SK_F_OUTPUT], 1, &b->scratch,
                                       &derived, spans, msg, sizeof msg) != SK_OK;
        if (b->bad[i]) {
            sk_buf_printf(&b->bad_notes, "%s:%zu: %s", run->path, b->lineno[i], msg);
            sk_buf_addc(&b->bad_notes, '\0');
            continue;
        }
        b->id_off[i] = b->ids.len;
        b->id_len[i] = b->scratch.len;
        b->derived[i] = (unsigned char)(derived || b->csv_derived[i]);
        sk_buf_add(&b->ids, b->scratch.data, b->scratch.len);
        if (run->one_pass)
            score_row(run, w, b, i, spans);
    }
}

static void add_bad_line(runner *run, size_t line)
{
    run->bad_list =
        sk_xgrow(run->bad_list, &run->bad_cap, run->nbad_list + 1, sizeof *run->bad_list);
    run->bad_list[run->nbad_list++] = line;
}

/* Whether the validating pass refused `line`; lines come in ascending
 * order, so a cursor does. */
static int is_bad_line(runner *run, size_t line)
{
    while (run->bad_next < run->nbad_list && run->bad_list[run->bad_next] < line)
        run->bad_next++;
    return run->bad_next < run->nbad_list && run->bad_list[run->bad_next] == line;
}

static void consume_row(runner *run, sk_score_report *rep, const batch *b, size_t i);

/* The check's own errors (its temporary file) name the input too. */
static int ids_error(const runner *run, int rc, char **err)
{
    if (err && *err) {
        char *e = *err;
        *err = NULL;
        sk_errf(err, rc, "%s: %s", run->path, e);
        free(e);
    }
    return rc;
}

static int dup_message(runner *run, const sk_iddup *d, sk_buf *out, char **err)
{
    sk_buf id = {0};
    int rc = sk_idcheck_dup_id(run->ids, d, &id, err);
    if (rc == SK_OK) {
        sk_buf_printf(out, "%s:%zu: ", run->path, d->line);
        sk_id_dup_message(out, id.data, id.len, d->first, 0);
    }
    sk_buf_free(&id);
    return rc ? ids_error(run, rc, err) : rc;
}

/* The duplicates found once every id was seen, as if found on their lines:
 * without --skip-bad the first is the error; with it they join the bad
 * lines (rep, or NULL: fail on any). */
static int deferred_dups(runner *run, sk_score_report *rep, char **err)
{
    const sk_iddup *d;
    size_t n;
    int rc = sk_idcheck_finish(run->ids, &d, &n, err);
    if (rc != SK_OK || n == 0)
        return rc ? ids_error(run, rc, err) : rc;
    sk_buf msg = {0};
    if (!rep || !run->opts->skip_bad) {
        rc = dup_message(run, &d[0], &msg, err);
        if (rc == SK_OK)
            rc = sk_errf(err, SK_EPARSE,
                         "%s\n(nothing was scored; fix the line, or pass --skip-bad to skip "
                         "malformed lines)",
                         msg.data);
        sk_buf_free(&msg);
        return rc;
    }
    /* Both lists ascend: merge the lines, then the first five messages. */
    size_t nb = run->nbad_list, *lines = sk_xmalloc((nb + n) * sizeof *lines);
    for (size_t i = 0, j = 0, k = 0; k < nb + n; k++)
        lines[k] =
            j == n || (i < nb && run->bad_list[i] < d[j].line) ? run->bad_list[i++] : d[j++].line;
    free(run->bad_list);
    run->bad_list = lines;
    run->nbad_list = run->bad_cap = nb + n;
    char *ex[5] = {0};
    size_t exl[5], have = rep->bad_lines < 5 ? rep->bad_lines : 5, nex = 0, i = 0;
    for (size_t j = 0; nex < 5 && (i < have || j < n) && rc == SK_OK; nex++) {
        if (j == n || (i < have && run->ex_line[i] < d[j].line)) {
            exl[nex] = run->ex_line[i];
            ex[nex] = rep->bad_examples[i++];
            continue;
        }
        sk_buf_reset(&msg);
        rc = dup_message(run, &d[j], &msg, err);
        exl[nex] = d[j++].line;
        ex[nex] = sk_xstrdup(msg.data ? msg.data : "");
    }
    for (; i < have; i++) /* pushed out by earlier duplicates */
        free(rep->bad_examples[i]);
    for (size_t k = 0; k < 5; k++) {
        rep->bad_examples[k] = k < nex ? ex[k] : NULL;
        run->ex_line[k] = k < nex ? exl[k] : 0;
    }
    sk_buf_free(&msg);
    rep->bad_lines += n;
    run->bad += n;
    run->total -= n;
    return rc;
}

static int consume_validated(runner *run, sk_score_report *rep, const batch *b, char **err)
{
    const char *note = b->bad_notes.data;
    sk_buf dup = {0};
    int rc = SK_OK;
    for (size_t i = 0; i < b->n && rc == SK_OK; i++) {
        const char *why = NULL;
        if (b->bad[i]) {
            why = note;
            note += strlen(note) + 1;
        } else if (!b->derived[i]) {
            /* Given ids only: rows of logs may repeat an input (and so a
             * derived id) with another output. */
            size_t first;
            rc = sk_idcheck_add(run->ids, b->ids.data + b->id_off[i], b->id_len[i], b->lineno[i],
                                &first, err);
            if (rc != SK_OK) {
                ids_error(run, rc, err);
                break;
            }
            if (first) {
                sk_buf_reset(&dup);
                sk_buf_printf(&dup, "%s:%zu: ", run->path, b->lineno[i]);
                sk_id_dup_message(&dup, b->ids.data + b->id_off[i], b->id_len[i], first,
                                  b->derived[i]);
                why = dup.data;
            }
        }
        if (!why) {
            run->total++;
            if (run->one_pass)
                consume_row(run, rep, b, i);
            continue;
        }
        if (!run->opts->skip_bad) {
            /* Ids past the window are checked at the end: one of them may
             * repeat an earlier one before this line. */
            if (sk_idcheck_deferred(run->ids) && (rc = deferred_dups(run, NULL, err)) != SK_OK)
                break;
            rc = sk_errf(err, SK_EPARSE,
                         "%s\n(nothing was scored; fix the line, or pass --skip-bad to skip "
                         "malformed lines)",
                         why);
            break;
        }
        if (rep->bad_lines < 5) {
            run->ex_line[rep->bad_lines] = b->lineno[i];
            rep->bad_examples[rep->bad_lines] = sk_xstrdup(why);
        }
        rep->bad_lines++;
        run->bad++;
        add_bad_line(run, b->lineno[i]);
    }
    sk_buf_free(&dup);
    return rc;
}

/* Why a row scored low, for the worst-rows list: the rationale (or error)
 * of its lowest-scoring scorer, cut to a line. */
static void add_why(sk_buf *out, const sk_pack *pack, const sk_result *res)
{
    const sk_result *low = NULL;
    size_t at = 0;
    for (size_t s = 0; s < pack->n; s++) {
        const sk_result *r = &res[s];
        if (r->kind == SK_VERDICT_ERROR) {
            low = r;
            at = s;
            break;
        }
        if (r->kind == SK_VERDICT_SCORE && r->score < 1.0 && r->rationale.len &&
            (!low || r->score < low->score)) {
            low = r;
            at = s;
        }
    }
    if (low) {
        const sk_buf *t = low->kind == SK_VERDICT_ERROR ? &low->message : &low->rationale;
        sk_buf_adds(out, pack->entries[at].name);
        sk_buf_adds(out, low->kind == SK_VERDICT_ERROR ? " failed: " : ": ");
        size_t n = t->len < 160 ? t->len : 160;
        while (n < t->len && n > 0 && ((unsigned char)t->data[n] & 0xC0) == 0x80)
            n--; /* do not split a character */
        sk_buf_add(out, t->data, n);
        if (n < t->len)
            sk_buf_adds(out, "...");
    }
    sk_buf_addc(out, '\0');
}

/* Score row i of b, whose values are spans, and keep what consume needs. */
static void score_row(runner *run, worker *w, batch *b, size_t i, const sk_span spans[SK_F_COUNT])
{
    const size_t ns = run->pack->n;
    b->bad[i] = 0;
    sk_rowscore *rs = &w->rs;
    sk_rowscore_run(rs, spans, 0);
    if (run->lazy_why && run->opts->worst && rs->overall < 1.0 &&
        rs->overall < atomic_load_explicit(&run->worst_cut, memory_order_relaxed)) {
        /* The cut only falls, so a stale one lets in more rows, never
         * fewer; and the scorers are deterministic, so the scores are the
         * same the second time. */
        rs->rationales = 1;
        sk_rowscore_run(rs, spans, 0);
        rs->rationales = 0;
    }
    b->overall[i] = rs->overall;
    b->pass[i] = (unsigned char)rs->verdict.pass;
    b->err[i] = rs->verdict.errors > 0;
    for (size_t s = 0; s < ns; s++) {
        const sk_result *r = &rs->results[s];
        b->kind[i * ns + s] = (unsigned char)r->kind;
        b->score[i * ns + s] = r->kind == SK_VERDICT_SCORE ? r->score : NAN;
        b->err_at[i * ns + s] = -1;
        /* Only a scorer's first error is reported: one note per batch,
         * unless a row scored here may yet be dropped as a duplicate. */
        if (r->kind == SK_VERDICT_ERROR &&
            (!b->noted[s] || (run->one_pass && run->opts->skip_bad))) {
            b->noted[s] = 1;
            b->err_at[i * ns + s] = (long)b->err_notes.len;
            sk_buf_printf(&b->err_notes, "row %s (line %zu): %s", rs->c.id, b->lineno[i],
                          r->message.data ? r->message.data : "");
            sk_buf_addc(&b->err_notes, '\0');
        }
    }
    sk_buf_add(&b->strs, rs->c.id, strlen(rs->c.id) + 1);
    size_t sn = rs->c.output_len < SNIPPET ? rs->c.output_len : SNIPPET;
    sk_buf_add(&b->strs, rs->c.output_text, sn);
    sk_buf_addc(&b->strs, '\0');
    add_why(&b->strs, run->pack, rs->results);
    if (run->opts->rows_out)
        sk_rowscore_json(rs, b->lineno[i], &b->out);
}

static void score_batch_reset(runner *run, batch *b)
{
    memset(b->noted, 0, run->pack->n ? run->pack->n : 1);
    sk_buf_reset(&b->strs);
    sk_buf_reset(&b->err_notes);
    sk_buf_reset(&b->out);
}

static void score_batch(runner *run, worker *w, batch *b)
{
    if (run->validating) {
        if (run->one_pass)
            score_batch_reset(run, b);
        validate_batch(run, w, b);
        return;
    }
    sk_buf_reset(&b->bad_notes);
    score_batch_reset(run, b);
    for (size_t i = 0; i < b->n; i++) {
        sk_span spans[SK_F_COUNT];
        char msg[512];
        const char *line = b->text.data + b->off[i];
        b->str_off[i] = b->strs.len;
        /* Only rows the validating pass accepted get here. */
        int rc = sk_row_parse_trusted(line, b->len[i], run->keys, spans, msg, sizeof msg);
        if (rc != SK_OK) {
            b->bad[i] = 1;
            sk_buf_printf(&b->bad_notes, "%s:%zu: %s", run->path, b->lineno[i], msg);
            sk_buf_addc(&b->bad_notes, '\0');
            sk_buf_add(&b->strs, "\0\0\0", 3);
            continue;
        }
        score_row(run, w, b, i, spans);
    }
}

static void pool_fn(void *ud, int worker_index, void *item)
{
    runner *run = ud;
    score_batch(run, &run->workers[worker_index], item);
}

static void add_line(batch *b, const char *line, size_t len, size_t lineno, int prebad,
                     int csv_derived)
{
    b->off[b->n] = b->text.len;
    b->len[b->n] = len;
    b->lineno[b->n] = lineno;
    b->prebad[b->n] = (unsigned char)prebad;
    b->csv_derived[b->n] = (unsigned char)csv_derived;
    sk_buf_add(&b->text, line, len);
    sk_buf_addc(&b->text, '\0');
    b->n++;
}

static void add_member(sk_buf *out, const char *key, sk_span v)
{
    if (!v.p)
        return;
    sk_buf_addc(out, ',');
    sk_buf_add_json_string(out, key, strlen(key));
    sk_buf_addc(out, ':');
    sk_buf_add(out, v.p, v.n);
}

/* The next CSV record as a JSON line (its output column under the output
 * key, its id derived when *derived), or a refused record as its message.
 * 1, 0 at the end, or < 0. */
static int next_csv_line(runner *run, const char **line, size_t *len, size_t *lineno, int *prebad,
                         int *derived, char **err)
{
    for (;;) {
        sk_dataset_file_row row;
        char *e = NULL;
        int rc = sk_dataset_file_next(run->csv, &row, &e);
        if (rc == 0)
            return 0;
        /* A refused record (a row error, with its line) is a bad row like a
         * malformed JSONL line; anything else stops the run. */
        int row_error = rc == SK_EPARSE && row.line > 0;
        if (rc < 0 && (!row_error || !run->validating)) {
            if (rc == SK_EPARSE && row_error && is_bad_line(run, row.line)) {
                free(e); /* refused in the validating pass: skipped */
                continue;
            }
            if (err)
                *err = e;
            else
                free(e);
            return rc;
        }
        if (!run->validating && is_bad_line(run, row.line))
            continue;
        sk_buf *b = &run->csv_line;
        sk_buf_reset(b);
        *lineno = row.line;
        *prebad = rc < 0;
        *derived = rc >= 0 && row.id_derived;
        if (rc < 0) {
            sk_buf_adds(b, e);
            free(e);
        } else {
            sk_buf_adds(b, "{\"id\":");
            sk_buf_add_json_string(b, row.id, row.id_len);
            add_member(b, "input", row.input);
            add_member(b, run->keys[SK_F_OUTPUT], row.output);
            add_member(b, "expected", row.expected);
            add_member(b, "metadata", row.metadata);
            add_member(b, "tags", row.tags);
            sk_buf_addc(b, '}');
        }
        *line = b->data;
        *len = b->len;
        return 1;
    }
}

/* Fill b with the next lines (the scoring pass skips the bad ones);
 * returns the number read, or < 0 on error. */
static int fill_batch(runner *run, batch *b, size_t max_rows, char **err)
{
    b->n = 0;
    sk_buf_reset(&b->text);
    while (b->n < max_rows && b->text.len < BATCH_BYTES) {
        const char *line;
        size_t len, lineno;
        int prebad = 0, csv_derived = 0;
        int rc = run->csv ? next_csv_line(run, &line, &len, &lineno, &prebad, &csv_derived, err)
                          : sk_jsonl_next(run->jsonl, &line, &len, &lineno, err);
        if (rc < 0)
            return rc;
        if (rc == 0)
            break;
        if (!run->validating && !run->csv && is_bad_line(run, lineno))
            continue;
        add_line(b, line, len, lineno, prebad, csv_derived);
        run->bytes += (double)len + 1;
    }
    return (int)b->n;
}

/* Keep the `worst` lowest-scoring imperfect rows, ascending by overall
 * score. */
static void keep_worst(sk_score_report *rep, size_t cap, const batch *b, size_t i, size_t ns)
{
    double o = b->overall[i];
    if (isnan(o) || o >= 1.0 || cap == 0)
        return; /* perfect rows are not worth listing */
    if (rep->nworst == cap && o >= rep->worst[cap - 1].overall)
        return;
    size_t pos = rep->nworst < cap ? rep->nworst++ : cap - 1;
    sk_row_digest *d = &rep->worst[pos];
    free(d->id);
    free(d->output);
    free(d->why);
    free(d->scores);
    const char *id = b->strs.data + b->str_off[i];
    d->id = sk_xstrdup(id);
    const char *output = id + strlen(id) + 1;
    d->output = sk_xstrdup(output);
    d->why = sk_xstrdup(output + strlen(output) + 1);
    d->line = b->lineno[i];
    d->overall = o;
    d->scores = sk_xmalloc(ns * sizeof(double));
    memcpy(d->scores, &b->score[i * ns], ns * sizeof(double));
    /* insertion step: stable, so earlier rows stay first among equals */
    while (pos > 0 && rep->worst[pos - 1].overall > rep->worst[pos].overall) {
        sk_row_digest t = rep->worst[pos - 1];
        rep->worst[pos - 1] = rep->worst[pos];
        rep->worst[pos] = t;
        pos--;
    }
}

/* Add scored row i of b to the report. */
static void consume_row(runner *run, sk_score_report *rep, const batch *b, size_t i)
{
    const size_t ns = run->pack->n;
    rep->rows++;
    rep->rows_passed += b->pass[i] == SK_ROW_PASS;
    rep->rows_failed += b->pass[i] == SK_ROW_FAIL;
    if (b->pass[i] == SK_ROW_NO_VERDICT) {
        rep->rows_no_verdict++;
        rep->rows_with_errors += b->err[i];
        rep->rows_no_score += !b->err[i];
    }
    for (size_t s = 0; s < ns; s++) {
        sk_scorer_stats *st = &rep->stats[s];
        switch (b->kind[i * ns + s]) {
        case SK_VERDICT_SCORE: {
            double v = b->score[i * ns + s];
            st->scored++;
            st->sum += v;
            const sk_pack_entry *e = &run->pack->entries[s];
            if (!e->has_threshold || v >= e->threshold)
                st->passed++;
            break;
        }
        case SK_VERDICT_SKIP: st->skipped++; break;
        default:
            st->errors++;
            if (!st->first_error && b->err_at[i * ns + s] >= 0)
                st->first_error = sk_xstrdup(b->err_notes.data + b->err_at[i * ns + s]);
            break;
        }
    }
    keep_worst(rep, run->opts->worst, b, i, ns);
    if (run->opts->worst && rep->nworst == run->opts->worst)
        atomic_store_explicit(&run->worst_cut, rep->worst[rep->nworst - 1].overall,
                              memory_order_relaxed);
}

static int consume(runner *run, sk_score_report *rep, batch *b, char **err)
{
    if (run->opts->rows_out && b->out.len &&
        fwrite(b->out.data, 1, b->out.len, run->opts->rows_out) != b->out.len)
        return sk_errf(err, SK_EIO, "cannot write per-row results: %s", strerror(errno));
    for (size_t i = 0; i < b->n; i++) {
        if (b->bad[i]) /* it was checked: the file changed between the passes */
            return sk_errf(err, SK_EPARSE, "%s (the file changed while it was being scored)",
                           b->bad_notes.data);
        consume_row(run, rep, b, i);
    }
    return SK_OK;
}

/* One pass over the input through the pool: read batches, hand them to
 * workers (which work here when single-threaded), consume finished ones in
 * file order. */
static int run_pass(runner *run, sk_score_report *rep, char **err)
{
    const sk_score_opts *opts = run->opts;
    size_t next_read = 0;
    int eof = 0, rc = SK_OK;
    while (rc == SK_OK) {
        /* On every turn, not only while feeding: a file that fits in the
         * ring is fed whole at once (40 rows for a judge at -j 4).  The
         * batches under way finish and count; the others are dropped. */
        if (opts->cancel && __atomic_load_n(opts->cancel, __ATOMIC_RELAXED) && !rep->interrupted) {
            eof = 1;
            rep->interrupted = 1;
            sk_pool_cancel(run->pool);
        }
        while (!eof && sk_pool_has_room(run->pool)) {
            batch *b = &run->batches[next_read % run->ring];
            int n = fill_batch(run, b, run->validating ? BATCH_ROWS : run->batch_rows, err);
            if (n < 0) {
                rc = n;
                break;
            }
            if (n == 0) {
                eof = 1;
                break;
            }
            b->seq = next_read++;
            sk_pool_submit(run->pool, b);
            if (!sk_pool_threads(run->pool))
                break; /* done already: consume at once, one batch in flight */
        }
        void *item;
        int ran;
        if (rc != SK_OK || !sk_pool_outstanding(run->pool))
            break;
        /* A while at a time, so a Ctrl-C is seen while a slow batch runs. */
        if (!sk_pool_collect(run->pool, &item, &ran, 100))
            continue;
        if (!ran)
            continue; /* dropped by the cancel: in order, after every batch that ran */
        batch *b = item;
        rc = run->validating ? consume_validated(run, rep, b, err) : consume(run, rep, b, err);
        if (!run->validating && opts->progress)
            opts->progress(rep->rows, run->total, opts->progress_ud);
        else if (run->one_pass && opts->progress) {
            double est = run->size > run->bytes && run->bytes > 0
                             ? (double)run->total * run->size / run->bytes
                             : (double)run->total;
            opts->progress(rep->rows, est > (double)rep->rows ? (size_t)est : rep->rows,
                           opts->progress_ud);
        }
    }
    /* After an error, batches still in flight finish before anyone reuses
     * them; those not started are dropped. */
    if (sk_pool_outstanding(run->pool)) {
        void *item;
        sk_pool_cancel(run->pool);
        while (sk_pool_collect(run->pool, &item, NULL, -1))
            ;
    }
    return rc;
}

static sk_score_report *report_new(const sk_pack *pack, const sk_score_opts *opts, const char *path)
{
    sk_score_report *rep = sk_xcalloc(1, sizeof *rep);
    rep->path = sk_xstrdup(path);
    rep->nscorers = pack->n;
    rep->stats = sk_xcalloc(pack->n ? pack->n : 1, sizeof *rep->stats);
    rep->worst = sk_xcalloc(opts->worst ? opts->worst : 1, sizeof *rep->worst);
    return rep;
}

static void batches_new(runner *run, size_t ns)
{
    run->batches = sk_xcalloc(run->ring, sizeof *run->batches);
    for (size_t i = 0; i < run->ring; i++) {
        run->batches[i].kind = sk_xmalloc(BATCH_ROWS * (ns ? ns : 1));
        run->batches[i].score = sk_xmalloc(BATCH_ROWS * (ns ? ns : 1) * sizeof(double));
        run->batches[i].err_at = sk_xmalloc(BATCH_ROWS * (ns ? ns : 1) * sizeof(long));
        run->batches[i].noted = sk_xmalloc(ns ? ns : 1);
    }
}

static void batches_free(runner *run)
{
    for (size_t i = 0; i < run->ring; i++) {
        batch *b = &run->batches[i];
        sk_buf_free(&b->text);
        sk_buf_free(&b->strs);
        sk_buf_free(&b->bad_notes);
        sk_buf_free(&b->ids);
        sk_buf_free(&b->scratch);
        sk_buf_free(&b->err_notes);
        sk_buf_free(&b->out);
        free(b->kind);
        free(b->score);
        free(b->err_at);
        free(b->noted);
    }
    free(run->batches);
}

/* A file without a single row to score is an error, not an empty report:
 * an empty export or a wrong path should not pass for a clean run. */
static int no_rows(const runner *run, char **err)
{
    if (run->bad)
        return sk_errf(err, SK_EPARSE, "%s: no rows to score: all %zu were malformed (skipped)",
                       run->path, run->bad);
    if (run->csv)
        return sk_errf(err, SK_EPARSE,
                       "%s: no rows; a CSV to score has a header row (input, output, expected, "
                       "...) and then one row per record",
                       run->path);
    return sk_errf(err, SK_EPARSE,
                   "%s: no rows; `scorekit score` reads one JSON object per line, like "
                   "{\"input\": ..., \"%s\": ..., \"expected\": ...}",
                   run->path, run->keys[SK_F_OUTPUT]);
}

int sk_score_file(const char *path, const sk_pack *pack, const sk_score_opts *opts,
                  sk_score_report **out, char **err)
{
    *out = NULL;
    double t0 = (sk_now_ms() / 1e3);
    runner run = {0};
    int rc;
    /* A CSV is read as `dataset import` reads it; anything else is JSONL. */
    if (strcmp(path, "-") != 0 && sk_dataset_format_of(path) == SK_DATASET_CSV) {
        rc = sk_dataset_file_open(&run.csv, path, SK_DATASET_CSV, err);
        if (rc)
            return rc;
        sk_dataset_file_unchecked_ids(run.csv);   /* checked as a JSONL file's are */
        run.path = sk_dataset_file_name(run.csv); /* borrowed until closed */
    } else {
        rc = sk_jsonl_open(&run.jsonl, path, err);
        if (rc)
            return rc;
        run.path = sk_jsonl_path(run.jsonl); /* borrowed: valid until sk_jsonl_close */
    }
    run.pack = pack;
    run.opts = opts;
    run.ids = sk_idcheck_new(opts->id_window, NULL);
    for (int k = 0; k < SK_F_COUNT; k++)
        run.keys[k] = sk_row_keys[k];
    if (opts->output_field)
        run.keys[SK_F_OUTPUT] = opts->output_field;
    int jobs = opts->jobs > 0 ? opts->jobs : sk_jobs_default(pack, 0, opts->llm);
    if (jobs > 256)
        jobs = 256;

    /* Every scorer is opened before the first line is read, so bad params
     * fail before anything else happens.  Thread-safe ones once, shared. */
    sk_host_init(&run.host, opts->llm, opts->project_dir, NULL);
    rc = sk_pack_open_shared(pack, &run.host, &run.shared, err);
    if (rc) {
        sk_idcheck_free(run.ids);
        sk_jsonl_close(run.jsonl);
        sk_dataset_file_close(run.csv);
        return rc;
    }
    worker *workers = sk_xcalloc((size_t)jobs, sizeof *workers);
    int opened = 0;
    for (; opened < jobs && rc == SK_OK; opened++) {
        worker *w = &workers[opened];
        sk_host_init(&w->host, opts->llm, opts->project_dir, NULL);
        w->states = sk_xcalloc(pack->n ? pack->n : 1, sizeof(void *));
        rc = sk_pack_open_worker(pack, &w->host, run.shared, w->states, err);
        if (rc) {
            free(w->states);
            break;
        }
        sk_rowscore_init(&w->rs, pack, &w->host, w->states);
    }

    sk_score_report *rep = report_new(pack, opts, run.path);
    /* A scorer that waits on a model takes hundreds of milliseconds a row:
     * batches of one keep every worker's call in flight (a batch of 256
     * would leave all but one or two workers idle), and a longer ring lets
     * workers go on past a row whose call is being retried. */
    int uses_llm = 0;
    for (size_t i = 0; i < pack->n; i++)
        uses_llm |= (pack->entries[i].flags & SK_SCORER_USES_LLM) != 0;
    run.batch_rows = uses_llm ? 1 : BATCH_ROWS;
    if (rc == SK_OK) {
        run.ring = (size_t)jobs * (uses_llm ? 8 : 2) + 2;
        batches_new(&run, pack->n);
        run.workers = workers;
        /* One thread: no pool thread, the work is done here. */
        run.pool = sk_pool_new(jobs > 1 ? jobs : 0, run.ring, SK_POOL_ORDERED, pool_fn, &run);

        /* Rows are read once, checked and scored together, unless a row
         * would cost something before a later line turned out bad: a
         * model call, or a line of per-row output.  Then every line is
         * checked first and the file read again to score.  A bad line
         * found in one pass discards what was scored: the same outcome. */
        run.one_pass = !uses_llm && !opts->rows_out;
        /* Without per-row output only the listed rows' rationales are
         * read; they can be made again later when scoring is repeatable. */
        int repeatable = 1;
        for (size_t i = 0; i < pack->n; i++)
            repeatable &=
                !(pack->entries[i].flags & (SK_SCORER_USES_LLM | SK_SCORER_NONDETERMINISTIC));
        run.lazy_why = repeatable && !opts->rows_out;
        atomic_init(&run.worst_cut, INFINITY);
        for (int i = 0; i < opened; i++)
            workers[i].rs.rationales = !run.lazy_why;
        run.validating = 1;
        rep->passes = 1;
        struct stat sb;
        if (run.one_pass && run.jsonl && strcmp(path, "-") != 0 && stat(path, &sb) == 0 &&
            S_ISREG(sb.st_mode))
            run.size = (double)sb.st_size;
        rc = run_pass(&run, rep, err);
        size_t bad0 = run.bad;
        if (rc == SK_OK && sk_idcheck_deferred(run.ids))
            rc = deferred_dups(&run, rep, err);
        if (rc == SK_OK && run.bad > bad0 && run.one_pass && !rep->interrupted) {
            /* Rows repeating an id past the window were scored before they
             * were known to be duplicates: score the file again without
             * them, as the two-pass path does. */
            sk_score_report *fresh = report_new(pack, opts, run.path);
            fresh->bad_lines = rep->bad_lines;
            memcpy(fresh->bad_examples, rep->bad_examples, sizeof rep->bad_examples);
            memset(rep->bad_examples, 0, sizeof rep->bad_examples);
            sk_score_report_free(rep);
            rep = fresh;
            rep->passes = 1;
            run.one_pass = 0;
            atomic_store(&run.worst_cut, INFINITY);
        }
        if (rc == SK_OK && run.one_pass && opts->progress && rep->rows)
            opts->progress(rep->rows, rep->rows, opts->progress_ud); /* the estimate ends exact */
        if (rc == SK_OK && !rep->interrupted && run.total == 0)
            rc = no_rows(&run, err);
        if (rc == SK_OK && !rep->interrupted && !run.one_pass)
            rc = run.csv ? sk_dataset_file_rewind(run.csv, err) : sk_jsonl_rewind(run.jsonl, err);
        if (rc == SK_OK && !rep->interrupted && !run.one_pass) {
            /* Every line left is known good: the scoring pass only needs
             * the spans, and skips the lines the first pass refused. */
            run.validating = 0;
            run.bad_next = 0;
            rep->passes = 2;
            rc = run_pass(&run, rep, err);
        }
        sk_pool_free(run.pool);
        batches_free(&run);
    }

    for (int i = 0; i < opened; i++) {
        sk_rowscore_free(&workers[i].rs);
        sk_pack_close_worker(pack, &workers[i].host, workers[i].states);
        free(workers[i].states);
    }
    free(workers);
    sk_pack_close_shared(pack, &run.host, run.shared);
    sk_jsonl_close(run.jsonl);
    sk_dataset_file_close(run.csv);
    sk_buf_free(&run.csv_line);
    sk_idcheck_free(run.ids);
    free(run.bad_list);
    rep->seconds = (sk_now_ms() / 1e3) - t0;

    if (rc != SK_OK) {
        sk_score_report_free(rep);
        return rc;
    }
    *out = rep;
    if (rep->interrupted && run.one_pass && rep->rows)
        return sk_errf(err, SK_EINTR, "interrupted after %zu rows, before the end of %s", rep->rows,
                       rep->path);
    if (rep->interrupted && run.validating)
        return sk_errf(err, SK_EINTR,
                       "interrupted while checking %s (%zu lines checked); no row was scored",
                       rep->path, run.total + run.bad);
    if (rep->interrupted)
        return sk_errf(err, SK_EINTR, "interrupted after %zu of %zu rows", rep->rows, run.total);
    return SK_OK;
}

void sk_score_report_free(sk_score_report *rep)
{
    if (!rep)
        return;
    for (size_t i = 0; i < rep->nscorers; i++)
        free(rep->stats[i].first_error);
    for (size_t i = 0; i < rep->nworst; i++) {
        free(rep->worst[i].id);
        free(rep->worst[i].output);
        free(rep->worst[i].why);
        free(rep->worst[i].scores);
    }
    for (size_t i = 0; i < 5; i++)
        free(rep->bad_examples[i]);
    free(rep->worst);
    free(rep->stats);
    free(rep->path);
    free(rep);
}
