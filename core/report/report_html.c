/*
 * The page writer: the skeleton, the escaping of everything that comes from
 * a user (titles, and inside the embedded JSON every row's text), and the
 * compact score arrays the histograms are drawn from.
 */
#include "report/report_html.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "store/experiment_read.h"

void sk_report_escape(sk_buf *out, const char *s)
{
    for (; s && *s; s++) {
        switch (*s) {
        case '&': sk_buf_adds(out, "&amp;"); break;
        case '<': sk_buf_adds(out, "&lt;"); break;
        case '>': sk_buf_adds(out, "&gt;"); break;
        case '"': sk_buf_adds(out, "&quot;"); break;
        case '\'': sk_buf_adds(out, "&#39;"); break;
        default: sk_buf_addc(out, *s);
        }
    }
}

/* JSON inside <script>: the HTML parser ends the element at "</" and
 * treats "<!--" specially; "<\/" and "<\!--" are the same JSON strings
 * only inside strings, which is the only place JSON text can hold a '<'. */
static void add_script_json(sk_buf *out, const char *json)
{
    if (!json) {
        sk_buf_adds(out, "null");
        return;
    }
    for (const char *p = json; *p; p++) {
        if (p[0] == '<' && (p[1] == '/' || p[1] == '!')) {
            sk_buf_adds(out, "\\u003c");
            continue;
        }
        sk_buf_addc(out, *p);
    }
}

void sk_report_html(sk_buf *out, const char *title, const sk_report_part *parts, size_t nparts)
{
    sk_buf_adds(out, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
                     "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
                     "style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:\">\n"
                     "<title>");
    sk_report_escape(out, title);
    sk_buf_adds(out, "</title>\n<style>\n");
    sk_buf_adds(out, sk_report_css);
    sk_buf_adds(out, "</style></head>\n<body>\n<header><h1>");
    sk_report_escape(out, title);
    sk_buf_adds(out, "</h1><input id=\"filter\" type=\"search\" placeholder=\"filter rows and "
                     "tables\"></header>\n<main id=\"main\"><noscript>This report needs "
                     "JavaScript.</noscript></main>\n");
    for (size_t i = 0; i < nparts; i++) {
        sk_buf_adds(out, "<script type=\"application/json\" id=\"data-");
        sk_report_escape(out, parts[i].id);
        sk_buf_adds(out, "\">");
        add_script_json(out, parts[i].json);
        sk_buf_adds(out, "</script>\n");
    }
    sk_buf_adds(out, "<script>\n");
    sk_buf_adds(out, sk_report_js);
    sk_buf_adds(out, sk_view_js);
    sk_buf_adds(out, "</script>\n</body></html>\n");
}

/* The scores of one scorer, row after row. */
typedef struct scorer_col {
    char *name;
    sk_buf b;
    size_t rows; /* rows written (closed) so far */
    int open;    /* an array for the current row is open */
} scorer_col;

typedef struct scores_acc {
    scorer_col *cols;
    size_t ncols;
    char *row;    /* the current row id */
    size_t nrows; /* rows closed */
    sk_buf ids;
} scores_acc;

static void close_row(scores_acc *a)
{
    if (!a->row)
        return;
    for (size_t i = 0; i < a->ncols; i++) {
        scorer_col *c = &a->cols[i];
        while (c->rows < a->nrows) { /* rows before the scorer first appeared */
            sk_buf_adds(&c->b, c->rows ? ",[]" : "[]");
            c->rows++;
        }
        if (c->open)
            sk_buf_addc(&c->b, ']');
        else
            sk_buf_adds(&c->b, c->rows ? ",[]" : "[]");
        c->open = 0;
        c->rows++;
    }
    sk_buf_adds(&a->ids, a->nrows ? "," : "");
    sk_buf_add_json_string(&a->ids, a->row, strlen(a->row));
    a->nrows++;
    free(a->row);
    a->row = NULL;
}

static int add_score(void *ud, const sk_experiment_score *s)
{
    scores_acc *a = ud;
    if (a->row && strcmp(a->row, s->row_id) != 0)
        close_row(a);
    if (!a->row)
        a->row = sk_xstrdup(s->row_id);
    scorer_col *c = NULL;
    for (size_t i = 0; i < a->ncols && !c; i++)
        if (strcmp(a->cols[i].name, s->scorer) == 0)
            c = &a->cols[i];
    if (!c) {
        a->cols = sk_xrealloc(a->cols, (a->ncols + 1) * sizeof *a->cols);
        c = &a->cols[a->ncols++];
        memset(c, 0, sizeof *c);
        c->name = sk_xstrdup(s->scorer);
    }
    while (c->rows < a->nrows) {
        sk_buf_adds(&c->b, c->rows ? ",[]" : "[]");
        c->rows++;
    }
    sk_buf_adds(&c->b, c->open ? "," : (c->rows ? ",[" : "["));
    c->open = 1;
    if (strcmp(s->kind, "score") == 0 && isfinite(s->score))
        sk_buf_printf(&c->b, "%.4g", s->score);
    else
        sk_buf_adds(&c->b, "null");
    return 0;
}

int sk_report_scores_json(sk_store *st, const char *exp_id, sk_buf *out, char **err)
{
    scores_acc a;
    memset(&a, 0, sizeof a);
    int rc = sk_experiment_each_score(st, exp_id, add_score, &a, err);
    if (rc == SK_OK) {
        close_row(&a);
        sk_buf_adds(out, "{\"rows\":[");
        if (a.ids.data)
            sk_buf_adds(out, a.ids.data);
        sk_buf_adds(out, "],\"scorers\":{");
        for (size_t i = 0; i < a.ncols; i++) {
            sk_buf_adds(out, i ? "," : "");
            sk_buf_add_json_string(out, a.cols[i].name, strlen(a.cols[i].name));
            sk_buf_adds(out, ":[");
            if (a.cols[i].b.data)
                sk_buf_adds(out, a.cols[i].b.data);
            sk_buf_addc(out, ']');
        }
        sk_buf_adds(out, "}}");
    }
    for (size_t i = 0; i < a.ncols; i++) {
        free(a.cols[i].name);
        sk_buf_free(&a.cols[i].b);
    }
    free(a.cols);
    free(a.row);
    sk_buf_free(&a.ids);
    return rc;
}
