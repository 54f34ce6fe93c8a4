/*
 * Tests for the score pipeline (score.c) on real temporary files: the same
 * report and byte-identical per-row JSONL whatever the number of worker
 * threads, a scorer that is not thread-safe never sharing a state, the
 * validating pass refusing a malformed line before anything is written,
 * --skip-bad accounting, cancellation, and error statistics.
 */
#include <check.h>
#include <cjson/cJSON.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/error.h"
#include "engine/pack.h"
#include "engine/registry.h"
#include "base/idcheck.h"
#include "run/score.h"
#include "base/util.h"

/* ---- fixture ------------------------------------------------------------ */

static sk_registry *reg;

static void setup(void)
{
    const char *dir = getenv("SK_BUILDDIR");
    ck_assert_msg(dir && *dir, "SK_BUILDDIR is not set: run this test with `make check`");
    reg = sk_registry_new();
    const char *rel[] = {"plugins/.libs/heuristic.so", "tests/plugins/.libs/misbehave.so"};
    for (size_t i = 0; i < 2; i++) {
        char *path = sk_asprintf("%s/%s", dir, rel[i]), *err = NULL;
        int rc = sk_registry_load(reg, path, &err);
        ck_assert_msg(rc == SK_OK, "cannot load %s: %s", path, err ? err : "");
        free(path);
    }
}

static void teardown(void)
{
    sk_registry_free(reg);
    reg = NULL;
}

static void assert_has(const char *text, const char *want)
{
    ck_assert_ptr_nonnull(text);
    ck_assert_msg(strstr(text, want) != NULL, "expected \"%s\" in: %s", want, text);
}

static sk_pack *make_pack(const char *json)
{
    sk_pack *p = NULL;
    char *err = NULL;
    int rc = sk_pack_parse(&p, json, strlen(json), "pack.json", reg, &err);
    ck_assert_msg(rc == SK_OK, "%s", err ? err : "");
    return p;
}

static char *write_tmp(const char *text, size_t n)
{
    char *path = sk_xstrdup("/tmp/sk_score_XXXXXX");
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(write(fd, text, n), (ssize_t)n);
    close(fd);
    return path;
}

static void remove_tmp(char *path)
{
    unlink(path);
    free(path);
}

/* Everything written to f, as a NUL-terminated string; caller frees. */
static char *slurp(FILE *f, size_t *len)
{
    fflush(f);
    long n = ftell(f);
    ck_assert_int_ge(n, 0);
    rewind(f);
    char *s = sk_xmalloc((size_t)n + 1);
    ck_assert_uint_eq(fread(s, 1, (size_t)n, f), (size_t)n);
    s[n] = '\0';
    *len = (size_t)n;
    return s;
}

/* The file of the determinism tests: row i has id "r<i>" and output "yes"
 * when i % 3 == 0, else "no<i>" (so output lengths, and the unsafe scorer's
 * verdicts, vary). */
static char *thousand_rows(void)
{
    sk_buf b = {0};
    for (int i = 0; i < 1000; i++) {
        if (i % 3 == 0)
            sk_buf_printf(&b,
                          "{\"id\":\"r%d\",\"input\":\"q%d\",\"output\":\"yes\","
                          "\"expected\":\"yes\"}\n",
                          i, i);
        else
            sk_buf_printf(&b, "{\"id\":\"r%d\",\"input\":\"q%d\",\"output\":\"no%d\"}\n", i, i, i);
    }
    char *path = write_tmp(b.data, b.len);
    sk_buf_free(&b);
    return path;
}

static const char *main_pack = "{\"name\":\"main\",\"scorers\":["
                               "{\"use\":\"answer\",\"params\":{\"answer\":\"yes\"},"
                               "\"threshold\":0.5,\"weight\":2},"
                               "{\"use\":\"unsafe\"},"
                               "{\"use\":\"skipper\"},"
                               "{\"use\":\"failing\"}]}";

/* Same scores, NAN equal to NAN. */
static int same_score(double a, double b)
{
    return (isnan(a) && isnan(b)) || a == b;
}

static void assert_same_report(const sk_score_report *a, const sk_score_report *b)
{
    ck_assert_uint_eq(a->rows, b->rows);
    ck_assert_uint_eq(a->bad_lines, b->bad_lines);
    ck_assert_uint_eq(a->rows_passed, b->rows_passed);
    ck_assert_uint_eq(a->rows_failed, b->rows_failed);
    ck_assert_uint_eq(a->rows_no_verdict, b->rows_no_verdict);
    ck_assert_uint_eq(a->rows_with_errors, b->rows_with_errors);
    ck_assert_uint_eq(a->rows_no_score, b->rows_no_score);
    ck_assert_uint_eq(a->nscorers, b->nscorers);
    ck_assert_int_eq(a->interrupted, b->interrupted);
    for (size_t i = 0; i < a->nscorers; i++) {
        const sk_scorer_stats *x = &a->stats[i], *y = &b->stats[i];
        ck_assert_uint_eq(x->scored, y->scored);
        ck_assert_uint_eq(x->skipped, y->skipped);
        ck_assert_uint_eq(x->errors, y->errors);
        ck_assert_uint_eq(x->passed, y->passed);
        ck_assert(x->sum == y->sum); /* same order of additions: exact */
        ck_assert_int_eq(!x->first_error, !y->first_error);
        if (x->first_error)
            ck_assert_str_eq(x->first_error, y->first_error);
    }
    ck_assert_uint_eq(a->nworst, b->nworst);
    for (size_t i = 0; i < a->nworst; i++) {
        const sk_row_digest *x = &a->worst[i], *y = &b->worst[i];
        ck_assert_str_eq(x->id, y->id);
        ck_assert_uint_eq(x->line, y->line);
        ck_assert(same_score(x->overall, y->overall));
        ck_assert_str_eq(x->output, y->output);
        for (size_t s = 0; s < a->nscorers; s++)
            ck_assert(same_score(x->scores[s], y->scores[s]));
    }
}

/* Score path with opts, return code in *rc; the report or NULL. */
static sk_score_report *score_with(const char *path, const sk_pack *pack, sk_score_opts *opts,
                                   int *rc, char **err)
{
    sk_score_report *rep = NULL;
    *rc = sk_score_file(path, pack, opts, &rep, err);
    return rep;
}

/* Rows read once (no model, no per-row output) give the report of rows
 * checked first and scored on a second read. */
START_TEST(one_read_when_nothing_is_spent)
{
    char *path = thousand_rows();
    sk_pack *pack = make_pack(main_pack);
    for (int jobs = 1; jobs <= 3; jobs += 2) {
        sk_score_opts once = {0}, twice = {0};
        once.jobs = twice.jobs = jobs;
        once.worst = twice.worst = 7;
        twice.rows_out = tmpfile();
        int rc1, rc2;
        char *e1 = NULL, *e2 = NULL;
        sk_score_report *a = score_with(path, pack, &once, &rc1, &e1);
        sk_score_report *b = score_with(path, pack, &twice, &rc2, &e2);
        ck_assert_int_eq(rc1, SK_OK);
        ck_assert_int_eq(rc2, SK_OK);
        ck_assert_uint_eq(a->passes, 1);
        ck_assert_uint_eq(b->passes, 2);
        ck_assert_uint_eq(a->rows, 1000);
        assert_same_report(a, b);
        for (size_t i = 0; i < a->nworst; i++)
            ck_assert_str_eq(a->worst[i].why, b->worst[i].why);
        fclose(twice.rows_out);
        sk_score_report_free(a);
        sk_score_report_free(b);
    }
    sk_pack_free(pack);
    remove_tmp(path);
}
END_TEST

/* Read once, a bad line at the very end still fails the file with no
 * report; with --skip-bad a duplicate id (found after its row was scored)
 * is left out, its error included. */
START_TEST(one_read_bad_line_last)
{
    sk_buf b = {0};
    for (int i = 0; i < 600; i++)
        sk_buf_printf(&b, "{\"id\":\"r%d\",\"output\":\"%s\"}\n", i, i % 2 ? "yes" : "no");
    size_t good = b.len;
    sk_buf_adds(&b, "{\"id\":\"r1\",\"output\":\"no\"}\n"); /* line 601: a duplicate */
    sk_buf_adds(&b, "{\"id\":\"r700\",\"output\":}\n");     /* line 602: malformed */
    char *path = write_tmp(b.data, b.len);
    char *clean = write_tmp(b.data, good);
    sk_buf_free(&b);
    sk_pack *pack = make_pack(main_pack);

    sk_score_opts o = {0};
    o.jobs = 2;
    o.worst = 5;
    int rc;
    char *err = NULL;
    sk_score_report *rep = score_with(path, pack, &o, &rc, &err);
    ck_assert_int_eq(rc, SK_EPARSE);
    ck_assert_ptr_null(rep);
    assert_has(err, ":601: ");
    assert_has(err, "nothing was scored");
    free(err);
    err = NULL;

    o.skip_bad = 1;
    rep = score_with(path, pack, &o, &rc, &err);
    ck_assert_int_eq(rc, SK_OK);
    ck_assert_uint_eq(rep->passes, 1);
    ck_assert_uint_eq(rep->bad_lines, 2);
    ck_assert_uint_eq(rep->rows, 600);
    sk_score_opts c = {0};
    c.jobs = 2;
    c.worst = 5;
    char *err2 = NULL;
    sk_score_report *ref = score_with(clean, pack, &c, &rc, &err2);
    ck_assert_int_eq(rc, SK_OK);
    ref->bad_lines = rep->bad_lines;
    assert_same_report(rep, ref);
    sk_score_report_free(rep);
    sk_score_report_free(ref);
    sk_pack_free(pack);
    remove_tmp(path);
    remove_tmp(clean);
}
END_TEST

static uint64_t same_hash(const void *id, size_t len)
{
    (void)id;
    (void)len;
    return 42;
}

/* Past its window the id check spills sorted runs and finds repeats across
 * them at the end, by the ids' bytes: with every hash equal, only the true
 * repeats are reported, each with the line its id was first on. */
START_TEST(idcheck_spills_and_confirms)
{
    static const char *ids[] = {"a", "b", "b", "c", "d", "a", "e",
                                "a", "f", "g", "h", "e", "x", "a"};
    sk_idcheck_hash hashes[] = {same_hash, NULL};
    for (int h = 0; h < 2; h++) {
        sk_idcheck *c = sk_idcheck_new(4, hashes[h]);
        size_t online[14];
        char *err = NULL;
        for (size_t i = 0; i < 14; i++)
            ck_assert_int_eq(sk_idcheck_add(c, ids[i], strlen(ids[i]), i + 1, &online[i], &err),
                             SK_OK);
        /* in the window (lines 1-6): at once */
        ck_assert_uint_eq(online[2], 2);
        ck_assert_uint_eq(online[5], 1);
        for (size_t i = 6; i < 14; i++)
            ck_assert_uint_eq(online[i], 0);
        ck_assert(sk_idcheck_deferred(c));
        const sk_iddup *d;
        size_t n;
        ck_assert_int_eq(sk_idcheck_finish(c, &d, &n, &err), SK_OK);
        ck_assert_uint_eq(n, 3);
        size_t want[3][2] = {{8, 1}, {12, 7}, {14, 1}};
        const char *want_id[3] = {"a", "e", "a"};
        for (size_t i = 0; i < 3; i++) {
            ck_assert_uint_eq(d[i].line, want[i][0]);
            ck_assert_uint_eq(d[i].first, want[i][1]);
            sk_buf id = {0};
            ck_assert_int_eq(sk_idcheck_dup_id(c, &d[i], &id, &err), SK_OK);
            ck_assert_str_eq(id.data, want_id[i]);
            sk_buf_free(&id);
        }
        sk_idcheck_free(c);
    }
}
END_TEST

/* Duplicates past the id window: the same errors as within it.  Without
 * --skip-bad the first bad line in file order is the error (a duplicate
 * before a malformed line); with it they are left out and the rows scored
 * again, to the report of the file without them. */
START_TEST(dups_past_the_id_window)
{
    sk_buf b = {0};
    for (int i = 0; i < 600; i++)
        sk_buf_printf(&b, "{\"id\":\"r%d\",\"output\":\"%s\"}\n", i, i % 2 ? "yes" : "no");
    size_t good = b.len;
    sk_buf_adds(&b, "{\"id\":\"r1\",\"output\":\"no\"}\n"); /* line 601: r1 again */
    char *one_dup = write_tmp(b.data, b.len);
    sk_buf_adds(&b, "{\"id\":\"r700\",\"output\":}\n");       /* line 602: malformed */
    sk_buf_adds(&b, "{\"id\":\"r300\",\"output\":\"no\"}\n"); /* line 603: r300 again */
    char *path = write_tmp(b.data, b.len);
    char *clean = write_tmp(b.data, good);
    sk_buf_free(&b);
    sk_pack *pack = make_pack(main_pack);

    sk_score_opts o = {0};
    o.jobs = 2;
    o.worst = 5;
    o.id_window = 8;
    int rc;
    char *err = NULL;
    const char *files[] = {one_dup, path};
    for (int f = 0; f < 2; f++) {
        sk_score_report *rep = score_with(files[f], pack, &o, &rc, &err);
        ck_assert_int_eq(rc, SK_EPARSE);
        ck_assert_ptr_null(rep);
        char *want = sk_asprintf("%s:601: duplicate id \"r1\" (first on line 2)", files[f]);
        assert_has(err, want);
        assert_has(err, "nothing was scored");
        free(want);
        free(err);
        err = NULL;
    }

    o.skip_bad = 1;
    sk_score_report *rep = score_with(path, pack, &o, &rc, &err);
    ck_assert_int_eq(rc, SK_OK);
    ck_assert_uint_eq(rep->passes, 2);
    ck_assert_uint_eq(rep->bad_lines, 3);
    ck_assert_uint_eq(rep->rows, 600);
    assert_has(rep->bad_examples[0], ":601: duplicate id \"r1\" (first on line 2)");
    assert_has(rep->bad_examples[1], ":602: ");
    assert_has(rep->bad_examples[2], ":603: duplicate id \"r300\" (first on line 301)");
    ck_assert_ptr_null(rep->bad_examples[3]);
    sk_score_opts c = {0};
    c.jobs = 2;
    c.worst = 5;
    sk_score_report *ref = score_with(clean, pack, &c, &rc, &err);
    ck_assert_int_eq(rc, SK_OK);
    ref->bad_lines = rep->bad_lines;
    assert_same_report(rep, ref);
    sk_score_report_free(rep);
    sk_score_report_free(ref);
    sk_pack_free(pack);
    remove_tmp(path);
    remove_tmp(clean);
    remove_tmp(one_dup);
}
END_TEST

/* The worst rows' reasons are the same whether rationales were made for
 * every row (per-row output asked for) or only for rows that may be
 * listed. */
START_TEST(worst_reasons_made_lazily)
{
    sk_buf b = {0};
    for (int i = 0; i < 3000; i++)
        sk_buf_printf(&b, "{\"id\":\"r%d\",\"output\":\"abc%dxyz\",\"expected\":\"abd%dxy\"}\n", i,
                      i % 97, (i * 7) % 89);
    char *path = write_tmp(b.data, b.len);
    sk_buf_free(&b);
    sk_pack *pack = make_pack("{\"name\":\"h\",\"scorers\":[{\"use\":\"exact_match\"},"
                              "{\"use\":\"levenshtein\"}]}");
    for (int jobs = 1; jobs <= 3; jobs += 2) {
        sk_score_opts lazy = {0}, all = {0};
        lazy.jobs = all.jobs = jobs;
        lazy.worst = all.worst = 25;
        all.rows_out = tmpfile();
        int rc1, rc2;
        char *e1 = NULL, *e2 = NULL;
        sk_score_report *a = score_with(path, pack, &lazy, &rc1, &e1);
        sk_score_report *r = score_with(path, pack, &all, &rc2, &e2);
        ck_assert_int_eq(rc1, SK_OK);
        ck_assert_int_eq(rc2, SK_OK);
        assert_same_report(a, r);
        ck_assert_uint_eq(a->nworst, 25);
        for (size_t i = 0; i < a->nworst; i++) {
            ck_assert_str_eq(a->worst[i].why, r->worst[i].why);
            assert_has(a->worst[i].why, "exact_match: the texts differ at character");
        }
        fclose(all.rows_out);
        sk_score_report_free(a);
        sk_score_report_free(r);
    }
    sk_pack_free(pack);
    remove_tmp(path);
}
END_TEST

typedef struct progress_seen {
    size_t calls, last_done, last_total;
    int backwards;
} progress_seen;

static void on_progress(size_t done, size_t total, void *ud)
{
    progress_seen *p = ud;
    if (p->calls && done < p->last_done)
        p->backwards = 1;
    p->calls++;
    p->last_done = done;
    p->last_total = total;
}

/* on_progress that also checks the total is never below done. */
static void on_progress_total(size_t done, size_t total, void *ud)
{
    if (total < done)
        ((progress_seen *)ud)->backwards = 1;
    on_progress(done, total, ud);
}

/* Score `path` with `jobs` workers; rows go to a new tmpfile() returned in
 * *rows (caller closes).  Fails the test unless rc is SK_OK. */
static sk_score_report *run_jobs(const char *path, const sk_pack *pack, int jobs, size_t worst,
                                 FILE **rows, progress_seen *seen)
{
    sk_score_opts opts = {0};
    opts.jobs = jobs;
    opts.worst = worst;
    opts.rows_out = *rows = tmpfile();
    ck_assert_ptr_nonnull(opts.rows_out);
    if (seen) {
        opts.progress = on_progress;
        opts.progress_ud = seen;
    }
    sk_score_report *rep = NULL;
    char *err = NULL;
    int rc = sk_score_file(path, pack, &opts, &rep, &err);
    ck_assert_msg(rc == SK_OK, "jobs=%d: %s", jobs, err ? err : "");
    ck_assert_ptr_nonnull(rep);
    return rep;
}

/* ---- determinism and threads ------------------------------------------ */

START_TEST(jobs_give_identical_results)
{
    char *path = thousand_rows();
    sk_pack *pack = make_pack(main_pack);
    FILE *f1, *f4;
    progress_seen seen = {0};
    sk_score_report *r1 = run_jobs(path, pack, 1, 5, &f1, NULL);
    sk_score_report *r4 = run_jobs(path, pack, 4, 5, &f4, &seen);

    assert_same_report(r1, r4);
    size_t n1, n4;
    char *o1 = slurp(f1, &n1), *o4 = slurp(f4, &n4);
    ck_assert_uint_gt(n1, 0);
    ck_assert_uint_eq(n1, n4);
    ck_assert_msg(memcmp(o1, o4, n1) == 0, "rows_out differs between jobs=1 and jobs=4");

    /* the values themselves */
    ck_assert_str_eq(r1->path, path);
    ck_assert_uint_eq(r1->rows, 1000);
    ck_assert_uint_eq(r1->bad_lines, 0);
    ck_assert_uint_eq(r1->nscorers, 4);
    const sk_scorer_stats *answer = &r1->stats[0], *skip = &r1->stats[2], *fail = &r1->stats[3];
    ck_assert_uint_eq(answer->scored, 1000);
    ck_assert_uint_eq(answer->passed, 334); /* ids 0, 3, ..., 999 */
    ck_assert_double_eq(answer->sum, 334);
    ck_assert_uint_eq(answer->errors, 0);
    ck_assert_ptr_null(answer->first_error);
    ck_assert_uint_eq(skip->skipped, 1000);
    ck_assert_uint_eq(skip->scored, 0);
    ck_assert_uint_eq(fail->errors, 1000);
    /* "failing" errs on every row: no row has a verdict, though 334 met
     * answer's threshold */
    ck_assert_uint_eq(r1->rows_passed, 0);
    ck_assert_uint_eq(r1->rows_failed, 0);
    ck_assert_uint_eq(r1->rows_no_verdict, 1000);
    ck_assert_uint_eq(r1->rows_with_errors, 1000);
    ck_assert_uint_eq(r1->rows_no_score, 0);

    /* one JSON line per row, in file order */
    size_t lines = 0;
    for (char *line = o1, *nl; (nl = strchr(line, '\n')); line = nl + 1, lines++) {
        *nl = '\0';
        cJSON *v = cJSON_Parse(line);
        ck_assert_msg(v != NULL, "line %zu of rows_out is not JSON: %s", lines + 1, line);
        char want[16];
        snprintf(want, sizeof want, "r%zu", lines);
        ck_assert_str_eq(cJSON_GetObjectItem(v, "id")->valuestring, want);
        ck_assert_double_eq(cJSON_GetObjectItem(v, "line")->valuedouble, (double)(lines + 1));
        cJSON_Delete(v);
    }
    ck_assert_uint_eq(lines, 1000);

    /* progress: never backwards, ends at the total */
    {
        /* read once, the total is an estimate, never below what is done */
        progress_seen once = {0};
        sk_score_opts o = {0};
        o.jobs = 2;
        o.progress = on_progress_total;
        o.progress_ud = &once;
        sk_score_report *r = NULL;
        char *e = NULL;
        ck_assert_int_eq(sk_score_file(path, pack, &o, &r, &e), SK_OK);
        ck_assert_uint_eq(r->passes, 1);
        ck_assert_uint_gt(once.calls, 1);
        ck_assert_int_eq(once.backwards, 0);
        ck_assert_uint_eq(once.last_done, 1000);
        ck_assert_uint_eq(once.last_total, 1000);
        sk_score_report_free(r);
    }
    ck_assert_uint_gt(seen.calls, 0);
    ck_assert_int_eq(seen.backwards, 0);
    ck_assert_uint_eq(seen.last_done, 1000);
    ck_assert_uint_eq(seen.last_total, 1000);

    free(o1);
    free(o4);
    fclose(f1);
    fclose(f4);
    sk_score_report_free(r1);
    sk_score_report_free(r4);
    sk_pack_free(pack);
    remove_tmp(path);
}
END_TEST

START_TEST(unsafe_scorer_never_shares_state)
{
    char *path = thousand_rows();
    sk_pack *pack = make_pack("{\"name\":\"u\",\"scorers\":[{\"use\":\"unsafe\"}]}");
    for (int round = 0; round < 3; round++) {
        FILE *f;
        sk_score_report *rep = run_jobs(path, pack, 4, 0, &f, NULL);
        ck_assert_uint_eq(rep->stats[0].errors, 0);
        ck_assert_msg(rep->stats[0].first_error == NULL, "%s", rep->stats[0].first_error);
        ck_assert_uint_eq(rep->stats[0].scored, 1000);
        size_t n;
        char *out = slurp(f, &n);
        ck_assert_ptr_null(strstr(out, "state shared between threads"));
        free(out);
        fclose(f);
        sk_score_report_free(rep);
    }
    sk_pack_free(pack);
    remove_tmp(path);
}
END_TEST

START_TEST(default_jobs_and_tiny_file)
{
    const char *text = "{\"output\":\"yes\"}\n{\"output\":\"no\"}\n";
    char *path = write_tmp(text, strlen(text));
    sk_pack *pack = make_pack(main_pack);
    FILE *f;
    sk_score_report *rep = run_jobs(path, pack, 0, 5, &f, NULL); /* one per core */
    ck_assert_uint_eq(rep->rows, 2);
    ck_assert_uint_eq(rep->nworst, 1); /* a perfect row is not listed */
    ck_assert_uint_eq(rep->worst[0].line, 2);
    fclose(f);
    sk_score_report_free(rep);
    rep = run_jobs(path, pack, 64, 5, &f, NULL); /* more workers than rows */
    ck_assert_uint_eq(rep->rows, 2);
    fclose(f);
    sk_score_report_free(rep);
    sk_pack_free(pack);
    remove_tmp(path);
}
END_TEST

/* ---- worst rows --------------------------------------------------------- */

START_TEST(worst_rows_ascending_and_bounded)
{
    char *path = thousand_rows();
    sk_pack *pack = make_pack(main_pack);
    FILE *f;
    sk_score_report *rep = run_jobs(path, pack, 2, 5, &f, NULL);
    ck_assert_uint_eq(rep->nworst, 5);
    for (size_t i = 1; i < rep->nworst; i++)
        ck_assert(rep->worst[i - 1].overall <= rep->worst[i].overall);
    /* the lowest overall is 0 (answer 0, even-length output): rows 10..99
     * not divisible by 3; among equals the earliest rows are kept */
    const char *ids[] = {"r10", "r11", "r13", "r14", "r16"};
    for (size_t i = 0; i < 5; i++) {
        ck_assert_str_eq(rep->worst[i].id, ids[i]);
        ck_assert_double_eq(rep->worst[i].overall, 0);
    }
    ck_assert_uint_eq(rep->worst[0].line, 11);
    ck_assert_str_eq(rep->worst[0].output, "no10");
    ck_assert_double_eq(rep->worst[0].scores[0], 0); /* answer */
    ck_assert_double_eq(rep->worst[0].scores[1], 0); /* unsafe */
    ck_assert(isnan(rep->worst[0].scores[2]));       /* skipped */
    ck_assert(isnan(rep->worst[0].scores[3]));       /* error */
    fclose(f);
    sk_score_report_free(rep);

    rep = run_jobs(path, pack, 1, 0, &f, NULL);
    ck_assert_uint_eq(rep->nworst, 0);
    fclose(f);
    sk_score_report_free(rep);

    /* more wanted than there are rows: every imperfect row, none of the
     * 334 perfect ones */
    rep = run_jobs(path, pack, 1, 2000, &f, NULL);
    ck_assert_uint_eq(rep->nworst, 666);
    for (size_t i = 1; i < rep->nworst; i++)
        ck_assert(rep->worst[i - 1].overall <= rep->worst[i].overall);
    ck_assert_double_eq_tol(rep->worst[665].overall, 1.0 / 3.0, 1e-12);
    ck_assert_str_eq(rep->worst[665].id, "r998"); /* last of the ties */
    fclose(f);
    sk_score_report_free(rep);
    sk_pack_free(pack);
    remove_tmp(path);
}
END_TEST

START_TEST(worst_snippet_is_short)
{
    sk_buf b = {0};
    sk_buf_adds(&b, "{\"id\":\"long\",\"output\":\"");
    for (int i = 0; i < 500; i++)
        sk_buf_addc(&b, 'x');
    sk_buf_adds(&b, "\"}\n");
    char *path = write_tmp(b.data, b.len);
    sk_buf_free(&b);
    sk_pack *pack = make_pack(main_pack);
    FILE *f;
    sk_score_report *rep = run_jobs(path, pack, 1, 3, &f, NULL);
    ck_assert_uint_eq(rep->nworst, 1);
    ck_assert_str_eq(rep->worst[0].id, "long");
    ck_assert_uint_gt(strlen(rep->worst[0].output), 0);
    ck_assert_uint_lt(strlen(rep->worst[0].output), 500);
    fclose(f);
    sk_score_report_free(rep);
    sk_pack_free(pack);
    remove_tmp(path);
}
END_TEST

/* ---- malformed lines ---------------------------------------------------- */

static const char *with_bad_line3 = "{\"id\":\"a\",\"output\":\"yes\"}\n"
                                    "{\"id\":\"b\",\"output\":\"no\"}\n"
                                    "{\"id\":\"c\",\"output\":\"yes\",}\n"
                                    "{\"id\":\"d\",\"output\":\"no\"}\n";

START_TEST(bad_line_fails_before_scoring)
{
    char *path = write_tmp(with_bad_line3, strlen(with_bad_line3));
    sk_pack *pack = make_pack(main_pack);
    for (int jobs = 1; jobs <= 4; jobs += 3) {
        sk_score_opts opts = {0};
        opts.jobs = jobs;
        opts.worst = 5;
        opts.rows_out = tmpfile();
        sk_score_report *rep = (sk_score_report *)1;
        char *err = NULL;
        ck_assert_int_eq(sk_score_file(path, pack, &opts, &rep, &err), SK_EPARSE);
        ck_assert_ptr_null(rep);
        char *where = sk_asprintf("%s:3:", path);
        assert_has(err, where);
        assert_has(err, "nothing was scored");
        free(where);
        free(err);
        fflush(opts.rows_out);
        ck_assert_int_eq(ftell(opts.rows_out), 0);
        fclose(opts.rows_out);
    }
    sk_pack_free(pack);
    remove_tmp(path);
}
END_TEST

START_TEST(row_without_output_fails)
{
    const char *text = "{\"output\":\"yes\"}\n\n{\"input\":\"q\",\"answer\":\"yes\"}\n";
    char *path = write_tmp(text, strlen(text));
    sk_pack *pack = make_pack(main_pack);
    sk_score_opts opts = {0};
    opts.jobs = 1;
    sk_score_report *rep = NULL;
    char *err = NULL;
    ck_assert_int_eq(sk_score_file(path, pack, &opts, &rep, &err), SK_EPARSE);
    ck_assert_ptr_null(rep);
    char *where = sk_asprintf("%s:3:", path); /* blank lines count */
    assert_has(err, where);
    assert_has(err, "\"output\"");
    free(where);
    free(err);

    /* the same file with the output in "answer" */
    opts.output_field = "answer";
    err = NULL;
    ck_assert_int_eq(sk_score_file(path, pack, &opts, &rep, &err), SK_EPARSE);
    where = sk_asprintf("%s:1:", path); /* now line 1 lacks it */
    assert_has(err, where);
    assert_has(err, "\"answer\"");
    free(where);
    free(err);
    sk_pack_free(pack);
    remove_tmp(path);
}
END_TEST

START_TEST(custom_output_field)
{
    const char *text =
        "{\"id\":\"x\",\"completion\":\"yes\"}\n{\"id\":\"y\",\"completion\":\"no\"}\n";
    char *path = write_tmp(text, strlen(text));
    sk_pack *pack = make_pack(main_pack);
    sk_score_opts opts = {0};
    opts.jobs = 1;
    opts.output_field = "completion";
    sk_score_report *rep = NULL;
    char *err = NULL;
    ck_assert_int_eq(sk_score_file(path, pack, &opts, &rep, &err), SK_OK);
    ck_assert_uint_eq(rep->rows, 2);
    ck_assert_double_eq(rep->stats[0].sum, 1);
    sk_score_report_free(rep);
    sk_pack_free(pack);
    remove_tmp(path);
}
END_TEST

START_TEST(skip_bad_counts_lines)
{
    char *path = write_tmp(with_bad_line3, strlen(with_bad_line3));
    sk_pack *pack = make_pack("{\"name\":\"s\",\"scorers\":["
                              "{\"use\":\"answer\",\"params\":{\"answer\":\"yes\"}}]}");
    sk_score_opts opts = {0};
    opts.jobs = 1;
    opts.skip_bad = 1;
    opts.worst = 5;
    opts.rows_out = tmpfile();
    sk_score_report *rep = NULL;
    char *err = NULL;
    ck_assert_int_eq(sk_score_file(path, pack, &opts, &rep, &err), SK_OK);
    ck_assert_uint_eq(rep->rows, 3);
    ck_assert_uint_eq(rep->bad_lines, 1);
    char *where = sk_asprintf("%s:3:", path);
    ck_assert_ptr_nonnull(rep->bad_examples[0]);
    ck_assert_msg(strncmp(rep->bad_examples[0], where, strlen(where)) == 0, "%s",
                  rep->bad_examples[0]);
    ck_assert_ptr_null(rep->bad_examples[1]);
    free(where);
    size_t n;
    char *out = slurp(opts.rows_out, &n);
    ck_assert_ptr_null(strstr(out, "\"c\""));
    ck_assert_ptr_nonnull(strstr(out, "\"id\":\"d\",\"line\":4"));
    free(out);
    fclose(opts.rows_out);
    sk_score_report_free(rep);
    sk_pack_free(pack);
    remove_tmp(path);
}
END_TEST

START_TEST(skip_bad_keeps_first_five)
{
    sk_buf b = {0};
    for (int i = 1; i <= 20; i++)
        sk_buf_adds(&b, i % 3 == 0 ? "{\"output\": nope}\n" : "{\"output\":\"yes\"}\n");
    char *path = write_tmp(b.data, b.len);
    sk_buf_free(&b);
    sk_pack *pack = make_pack("{\"name\":\"s\",\"scorers\":[{\"use\":\"skipper\"}]}");
    sk_score_opts opts = {0};
    opts.jobs = 2;
    opts.skip_bad = 1;
    sk_score_report *rep = NULL;
    char *err = NULL;
    ck_assert_int_eq(sk_score_file(path, pack, &opts, &rep, &err), SK_OK);
    ck_assert_uint_eq(rep->bad_lines, 6);
    ck_assert_uint_eq(rep->rows, 14);
    for (int i = 0; i < 5; i++) {
        char *where = sk_asprintf("%s:%d:", path, 3 * (i + 1));
        ck_assert_ptr_nonnull(rep->bad_examples[i]);
        ck_assert_msg(strncmp(rep->bad_examples[i], where, strlen(where)) == 0,
                      "bad_examples[%d] = %s, want %s...", i, rep->bad_examples[i], where);
        free(where);
    }
    sk_score_report_free(rep);
    sk_pack_free(pack);
    remove_tmp(path);
}
END_TEST

/* A scorer error on row 1 and a malformed line 3 in one batch: the bad-line
 * example must still be the bad line's message. */
START_TEST(skip_bad_example_with_scorer_errors)
{
    char *path = write_tmp(with_bad_line3, strlen(with_bad_line3));
    sk_pack *pack = make_pack(main_pack); /* has "failing" */
    sk_score_opts opts = {0};
    opts.jobs = 1;
    opts.skip_bad = 1;
    sk_score_report *rep = NULL;
    char *err = NULL;
    ck_assert_int_eq(sk_score_file(path, pack, &opts, &rep, &err), SK_OK);
    /* copied out and freed first, so a failure leaks nothing under CK_FORK=no */
    char want[128], got[256], first_error[256];
    size_t bad_lines = rep->bad_lines;
    snprintf(want, sizeof want, "%s:3: ", path);
    snprintf(got, sizeof got, "%s", rep->bad_examples[0] ? rep->bad_examples[0] : "(none)");
    snprintf(first_error, sizeof first_error, "%s",
             rep->stats[3].first_error ? rep->stats[3].first_error : "(none)");
    sk_score_report_free(rep);
    sk_pack_free(pack);
    remove_tmp(path);

    ck_assert_uint_eq(bad_lines, 1);
    ck_assert_msg(strncmp(got, want, strlen(want)) == 0, "bad_examples[0] = \"%s\", want \"%s...\"",
                  got, want);
    /* and the first error is still the first error */
    ck_assert_str_eq(first_error,
                     "row a (line 1): scorer failing failed (returned -1) without a message");
}
END_TEST

/* ---- edge cases --------------------------------------------------------- */

/* A file with no row is an error (issue 11): an empty export or a wrong
 * file must not pass for a clean run; nothing is written. */
START_TEST(empty_file)
{
    const char *texts[] = {"", "\n\n  \n"};
    sk_pack *pack = make_pack(main_pack);
    for (size_t t = 0; t < 2; t++) {
        char *path = write_tmp(texts[t], strlen(texts[t]));
        for (int jobs = 1; jobs <= 4; jobs += 3) {
            sk_score_opts opts = {0};
            opts.jobs = jobs;
            opts.rows_out = tmpfile();
            sk_score_report *rep = NULL;
            char *err = NULL;
            ck_assert_int_eq(sk_score_file(path, pack, &opts, &rep, &err), SK_EPARSE);
            ck_assert_ptr_null(rep);
            char *want = sk_asprintf("%s: no rows;", path);
            ck_assert_msg(strncmp(err, want, strlen(want)) == 0, "%s", err);
            free(want);
            free(err);
            fflush(opts.rows_out);
            ck_assert_int_eq(ftell(opts.rows_out), 0);
            fclose(opts.rows_out);
        }
        remove_tmp(path);
    }
    /* Every line malformed and skipped: no rows either. */
    char *path = write_tmp("{\"output\": nope}\n", 17);
    sk_score_opts opts = {0};
    opts.skip_bad = 1;
    sk_score_report *rep = NULL;
    char *err = NULL;
    ck_assert_int_eq(sk_score_file(path, pack, &opts, &rep, &err), SK_EPARSE);
    assert_has(err, "no rows to score: all 1 were malformed (skipped)");
    free(err);
    remove_tmp(path);
    sk_pack_free(pack);
}
END_TEST

/* The row checks of `dataset import` (issue 11): unknown keys, a bad id or
 * tags, and a duplicate given id naming both lines, all before any row is
 * scored; --skip-bad skips them like malformed lines.  Rows without ids may
 * repeat (an input asked twice, other outputs). */
START_TEST(import_row_checks)
{
    sk_pack *pack = make_pack(main_pack);
    const struct {
        const char *text, *want;
    } cases[] = {
        {"{\"id\":\"a\",\"output\":\"x\"}\n{\"id\":\"b\",\"output\":\"y\"}\n"
         "{\"id\":\"a\",\"output\":\"z\"}\n",
         ":3: duplicate id \"a\" (first on line 1)"},
        {"{\"id\":7,\"output\":\"x\"}\n{\"id\":\"7\",\"output\":\"y\"}\n",
         ":2: duplicate id \"7\" (first on line 1)"},
        {"{\"output\":\"x\",\"timestamp\":1}\n", ":1: unknown field \"timestamp\""},
        {"{\"id\":\"\",\"output\":\"x\"}\n", ":1: \"id\" is empty"},
        {"{\"output\":\"x\",\"tags\":[1]}\n", ":1: \"tags\" must be an array of strings"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char *path = write_tmp(cases[i].text, strlen(cases[i].text));
        for (int jobs = 1; jobs <= 4; jobs += 3) {
            sk_score_opts opts = {0};
            opts.jobs = jobs;
            sk_score_report *rep = NULL;
            char *err = NULL;
            ck_assert_int_eq(sk_score_file(path, pack, &opts, &rep, &err), SK_EPARSE);
            ck_assert_ptr_null(rep);
            char *want = sk_asprintf("%s%s", path, cases[i].want);
            assert_has(err, want);
            assert_has(err, "nothing was scored");
            free(want);
            free(err);
        }
        remove_tmp(path);
    }

    /* --skip-bad: the second "a" is skipped and counted, the rest scored. */
    const char *text = "{\"id\":\"a\",\"output\":\"yes\"}\n{\"output\":\"no\"}\n"
                       "{\"output\":\"no\"}\n{\"id\":\"a\",\"output\":\"no\"}\n"
                       "{\"id\":\"b\",\"output\":null}\n";
    char *path = write_tmp(text, strlen(text));
    for (int jobs = 1; jobs <= 4; jobs += 3) {
        sk_score_opts opts = {0};
        opts.jobs = jobs;
        opts.skip_bad = 1;
        opts.rows_out = tmpfile();
        sk_score_report *rep = NULL;
        char *err = NULL;
        ck_assert_int_eq(sk_score_file(path, pack, &opts, &rep, &err), SK_OK);
        ck_assert_uint_eq(rep->rows, 4); /* a null output is still an output */
        ck_assert_uint_eq(rep->bad_lines, 1);
        char *want = sk_asprintf("%s:4: duplicate id \"a\" (first on line 1)", path);
        ck_assert_str_eq(rep->bad_examples[0], want);
        free(want);
        size_t n;
        char *rows = slurp(opts.rows_out, &n);
        ck_assert_ptr_null(strstr(rows, "\"line\":4,")); /* the duplicate was not scored */
        assert_has(rows, "\"line\":5,");
        free(rows);
        fclose(opts.rows_out);
        sk_score_report_free(rep);
    }
    remove_tmp(path);
    sk_pack_free(pack);
}
END_TEST

/* A CSV is read as `dataset import` reads it (issue 11): a header, quoted
 * fields across lines, metadata.KEY columns; a bad record is FILE:LINE. */
START_TEST(csv_file)
{
    const char *text = "id,input,output,expected,metadata.topic\n"
                       "a,q1,yes,yes,geo\n"
                       "b,q2,\"no,\nreally\",yes,math\n"
                       "c,q3,yes,,geo\n";
    char *dir = sk_xstrdup("/tmp/sk_score_csv_XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(dir));
    char *path = sk_asprintf("%s/rows.CSV", dir);
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fputs(text, f);
    fclose(f);
    sk_pack *pack = make_pack(main_pack);
    for (int jobs = 1; jobs <= 4; jobs += 3) {
        sk_score_opts opts = {0};
        opts.jobs = jobs;
        opts.rows_out = tmpfile();
        sk_score_report *rep = NULL;
        char *err = NULL;
        ck_assert_msg(sk_score_file(path, pack, &opts, &rep, &err) == SK_OK, "%s", err);
        ck_assert_uint_eq(rep->rows, 3);
        ck_assert_uint_eq(rep->stats[0].scored, 3);
        ck_assert_double_eq(rep->stats[0].sum, 2); /* "yes", "no,\nreally", "yes" */
        size_t n;
        char *rows = slurp(opts.rows_out, &n);
        assert_has(rows, "{\"id\":\"a\",\"line\":2,");
        assert_has(rows, "{\"id\":\"b\",\"line\":3,");
        assert_has(rows, "{\"id\":\"c\",\"line\":5,"); /* after the two-line record */
        free(rows);
        fclose(opts.rows_out);
        sk_score_report_free(rep);
    }
    /* A record of the wrong width, a duplicate id: FILE:LINE, as import. */
    f = fopen(path, "w");
    fputs("id,input,output\na,q,yes\nb,q\na,q,no\n", f);
    fclose(f);
    sk_score_opts opts = {0};
    sk_score_report *rep = NULL;
    char *err = NULL;
    ck_assert_int_eq(sk_score_file(path, pack, &opts, &rep, &err), SK_EPARSE);
    char *want = sk_asprintf("%s:3: 2 fields, the header has 3", path);
    assert_has(err, want);
    free(want);
    free(err);
    opts.skip_bad = 1;
    err = NULL;
    ck_assert_msg(sk_score_file(path, pack, &opts, &rep, &err) == SK_OK, "%s", err);
    ck_assert_uint_eq(rep->rows, 1);
    ck_assert_uint_eq(rep->bad_lines, 2);
    want = sk_asprintf("%s:4: duplicate id \"a\" (first on line 2)", path);
    ck_assert_str_eq(rep->bad_examples[1], want);
    free(want);
    sk_score_report_free(rep);
    /* A header only: no rows. */
    f = fopen(path, "w");
    fputs("input,output\n", f);
    fclose(f);
    opts.skip_bad = 0;
    err = NULL;
    ck_assert_int_eq(sk_score_file(path, pack, &opts, &rep, &err), SK_EPARSE);
    assert_has(err, "no rows");
    free(err);
    unlink(path);
    rmdir(dir);
    free(path);
    free(dir);
    sk_pack_free(pack);
}
END_TEST

START_TEST(missing_file)
{
    sk_pack *pack = make_pack(main_pack);
    sk_score_opts opts = {0};
    sk_score_report *rep = NULL;
    char *err = NULL;
    ck_assert_int_eq(sk_score_file("/nonexistent/rows.jsonl", pack, &opts, &rep, &err),
                     SK_ENOTFOUND);
    ck_assert_ptr_null(rep);
    assert_has(err, "/nonexistent/rows.jsonl");
    free(err);
    sk_pack_free(pack);
}
END_TEST

START_TEST(cancel_before_start)
{
    char *path = thousand_rows();
    sk_pack *pack = make_pack(main_pack);
    for (int jobs = 1; jobs <= 4; jobs += 3) {
        volatile sig_atomic_t cancel = 1;
        sk_score_opts opts = {0};
        opts.jobs = jobs;
        opts.worst = 5;
        opts.cancel = &cancel;
        opts.rows_out = tmpfile();
        sk_score_report *rep = NULL;
        char *err = NULL;
        ck_assert_int_eq(sk_score_file(path, pack, &opts, &rep, &err), SK_EINTR);
        ck_assert_ptr_nonnull(rep);
        ck_assert_int_eq(rep->interrupted, 1);
        ck_assert_uint_lt(rep->rows, 1000);
        ck_assert_uint_eq(rep->stats[0].scored, rep->rows);
        /* Cancelled while the input was still being checked. */
        assert_has(err, "interrupted while checking");
        assert_has(err, "no row was scored");
        fflush(opts.rows_out);
        ck_assert_int_eq(ftell(opts.rows_out) > 0, rep->rows > 0);
        free(err);
        fclose(opts.rows_out);
        sk_score_report_free(rep);
    }
    sk_pack_free(pack);
    remove_tmp(path);
}
END_TEST

/* Cancels from the progress callback, after the first batch. */
static void cancel_on_progress(size_t done, size_t total, void *ud)
{
    (void)total;
    if (done > 0)
        *(volatile sig_atomic_t *)ud = 1;
}

START_TEST(cancel_midway)
{
    char *path = thousand_rows();
    sk_pack *pack = make_pack(main_pack);
    volatile sig_atomic_t cancel = 0;
    sk_score_opts opts = {0};
    opts.jobs = 1;
    opts.cancel = &cancel;
    opts.progress = cancel_on_progress;
    opts.progress_ud = (void *)&cancel;
    opts.rows_out = tmpfile();
    sk_score_report *rep = NULL;
    char *err = NULL;
    ck_assert_int_eq(sk_score_file(path, pack, &opts, &rep, &err), SK_EINTR);
    ck_assert_ptr_nonnull(rep);
    ck_assert_int_eq(rep->interrupted, 1);
    ck_assert_uint_gt(rep->rows, 0);
    ck_assert_uint_lt(rep->rows, 1000);
    /* what was reported is what was written */
    size_t n, lines = 0;
    char *out = slurp(opts.rows_out, &n);
    for (size_t i = 0; i < n; i++)
        lines += out[i] == '\n';
    ck_assert_uint_eq(lines, rep->rows);
    free(out);
    free(err);
    fclose(opts.rows_out);
    sk_score_report_free(rep);
    sk_pack_free(pack);
    remove_tmp(path);
}
END_TEST

START_TEST(scorer_errors_counted_not_scored)
{
    /* a blank first line: error messages give physical line numbers */
    const char *text = "\n{\"id\":\"first\",\"output\":\"yes\"}\n{\"id\":7,\"output\":\"no\"}\n";
    char *path = write_tmp(text, strlen(text));
    sk_pack *pack = make_pack("{\"name\":\"e\",\"scorers\":["
                              "{\"use\":\"answer\",\"params\":{\"answer\":\"yes\"}},"
                              "{\"use\":\"out_of_range\",\"threshold\":0.5},"
                              "{\"use\":\"bad_meta\",\"weight\":100}]}");
    for (int jobs = 1; jobs <= 4; jobs += 3) {
        FILE *f;
        sk_score_report *rep = run_jobs(path, pack, jobs, 5, &f, NULL);
        ck_assert_uint_eq(rep->rows, 2);
        for (size_t s = 1; s <= 2; s++) {
            const sk_scorer_stats *st = &rep->stats[s];
            ck_assert_uint_eq(st->errors, 2);
            ck_assert_uint_eq(st->scored, 0);
            ck_assert_uint_eq(st->passed, 0);
            ck_assert_double_eq(st->sum, 0);
            ck_assert_ptr_nonnull(st->first_error);
            ck_assert_msg(strncmp(st->first_error, "row first (line 2): ", 20) == 0, "%s",
                          st->first_error);
            assert_has(st->first_error, s == 1 ? "out_of_range" : "bad_meta");
        }
        ck_assert_uint_eq(rep->stats[0].scored, 2);
        ck_assert_double_eq(rep->stats[0].sum, 1);
        ck_assert_uint_eq(rep->rows_with_errors, 2);
        ck_assert_uint_eq(rep->rows_passed, 0); /* error on a thresholded scorer */
        /* overall is answer's alone: bad_meta's weight does not count, so
         * row "first" is perfect (not listed) and row 7 is 0 */
        ck_assert_uint_eq(rep->nworst, 1);
        ck_assert_str_eq(rep->worst[0].id, "7");
        ck_assert_uint_eq(rep->worst[0].line, 3);
        ck_assert_double_eq(rep->worst[0].overall, 0);
        fclose(f);
        sk_score_report_free(rep);
    }
    sk_pack_free(pack);
    remove_tmp(path);
}
END_TEST

START_TEST(open_failure_stops_run)
{
    char *path = thousand_rows();
    sk_pack *pack = make_pack("{\"name\":\"e\",\"scorers\":[{\"use\":\"unsafe\"},"
                              "{\"use\":\"answer\",\"params\":{\"answer\":\"y\","
                              "\"fail_open\":true}}]}");
    sk_score_opts opts = {0};
    opts.jobs = 4;
    opts.rows_out = tmpfile();
    sk_score_report *rep = NULL;
    char *err = NULL;
    ck_assert_int_eq(sk_score_file(path, pack, &opts, &rep, &err), SK_ESCORER);
    ck_assert_ptr_null(rep);
    assert_has(err, "answer");
    assert_has(err, "fail_open is set");
    fflush(opts.rows_out);
    ck_assert_int_eq(ftell(opts.rows_out), 0);
    fclose(opts.rows_out);
    free(err);
    sk_pack_free(pack);
    remove_tmp(path);
}
END_TEST

/* first_error is promised for every scorer, not only the first 64. */
START_TEST(first_error_for_every_scorer)
{
    sk_buf b = {0};
    sk_buf_adds(&b, "{\"name\":\"many\",\"scorers\":[");
    for (int i = 0; i < 70; i++)
        sk_buf_printf(&b, "%s{\"use\":\"failing\",\"as\":\"f%d\"}", i ? "," : "", i);
    sk_buf_adds(&b, "]}");
    sk_pack *pack = make_pack(b.data);
    sk_buf_free(&b);
    const char *text = "{\"id\":\"only\",\"output\":\"x\"}\n";
    char *path = write_tmp(text, strlen(text));
    sk_score_opts opts = {0};
    opts.jobs = 1;
    sk_score_report *rep = NULL;
    char *err = NULL;
    ck_assert_int_eq(sk_score_file(path, pack, &opts, &rep, &err), SK_OK);
    size_t missing = 0, first_missing = 0;
    for (size_t i = 0; i < 70; i++) {
        ck_assert_uint_eq(rep->stats[i].errors, 1);
        if (!rep->stats[i].first_error && !missing++)
            first_missing = i;
    }
    sk_score_report_free(rep);
    sk_pack_free(pack);
    remove_tmp(path);
    ck_assert_msg(missing == 0, "%zu scorers with errors have no first_error, from #%zu", missing,
                  first_missing);
}
END_TEST

/* Results that cannot be written must not be reported as a success. */
START_TEST(rows_out_write_error_is_reported)
{
    char *path = thousand_rows();
    sk_pack *pack = make_pack(main_pack);
    sk_score_opts opts = {0};
    opts.jobs = 1;
    opts.rows_out = fopen(path, "r"); /* every write fails */
    ck_assert_ptr_nonnull(opts.rows_out);
    sk_score_report *rep = NULL;
    char *err = NULL;
    int rc = sk_score_file(path, pack, &opts, &rep, &err);
    sk_score_report_free(rep);
    fclose(opts.rows_out);
    sk_pack_free(pack);
    remove_tmp(path);
    ck_assert_msg(rc == SK_EIO, "rows_out write failures were ignored (rc %d)", rc);
    free(err);
}
END_TEST

static Suite *score_suite(void)
{
    Suite *s = suite_create("score");
    TCase *tc = tcase_create("pipeline");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 120); /* valgrind is slow */
    tcase_add_test(tc, jobs_give_identical_results);
    tcase_add_test(tc, unsafe_scorer_never_shares_state);
    tcase_add_test(tc, default_jobs_and_tiny_file);
    tcase_add_test(tc, worst_rows_ascending_and_bounded);
    tcase_add_test(tc, worst_snippet_is_short);
    tcase_add_test(tc, bad_line_fails_before_scoring);
    tcase_add_test(tc, row_without_output_fails);
    tcase_add_test(tc, custom_output_field);
    tcase_add_test(tc, skip_bad_counts_lines);
    tcase_add_test(tc, skip_bad_keeps_first_five);
    tcase_add_test(tc, skip_bad_example_with_scorer_errors);
    tcase_add_test(tc, empty_file);
    tcase_add_test(tc, import_row_checks);
    tcase_add_test(tc, csv_file);
    tcase_add_test(tc, missing_file);
    tcase_add_test(tc, cancel_before_start);
    tcase_add_test(tc, cancel_midway);
    tcase_add_test(tc, scorer_errors_counted_not_scored);
    tcase_add_test(tc, open_failure_stops_run);
    tcase_add_test(tc, first_error_for_every_scorer);
    tcase_add_test(tc, rows_out_write_error_is_reported);
    tcase_add_test(tc, one_read_when_nothing_is_spent);
    tcase_add_test(tc, one_read_bad_line_last);
    tcase_add_test(tc, idcheck_spills_and_confirms);
    tcase_add_test(tc, dups_past_the_id_window);
    tcase_add_test(tc, worst_reasons_made_lazily);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(score_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
