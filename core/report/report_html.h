/*
 * The HTML report: one self-contained page (inline CSS, JS and SVG, no
 * network request) that renders JSON documents embedded in it.  The
 * figures are not computed here: the caller embeds the JSON that `show
 * --json`, `compare --json` and `validate --json` print, and the page's
 * script lays them out.
 */
#ifndef SK_REPORT_HTML_H
#define SK_REPORT_HTML_H

#include <stddef.h>

#include "base/util.h"
#include "store/store.h"

/* One JSON document of the page: `id` names it for the script ("show",
 * "compare", "scores", "base_scores", "validate"; and for the viewer's
 * pages "nav", "experiments", "configs", "datasets", "dataset", "logs",
 * "problem"); `json` is its text, or
 * NULL for none (written as null).  Both borrowed. */
typedef struct sk_report_part {
    const char *id;
    const char *json;
} sk_report_part;

/* Append the page to `out`: `title` escaped for HTML, each part inside a
 * <script type="application/json"> with every "</" written "<\/" (and
 * "<!--" broken), so no text of a row can end the script or start markup. */
void sk_report_html(sk_buf *out, const char *title, const sk_report_part *parts, size_t nparts);

/* `s` escaped for HTML text and attribute values (& < > " '). */
void sk_report_escape(sk_buf *out, const char *s);

/* The stored scores of an experiment, compactly, for the histograms and the
 * spread across trials: {"rows":[id,...],"scorers":{NAME:[[s,...],...]}},
 * one array per row (in the order of "rows") of its scores over the trials
 * (null for an error or a skip), each rounded to 4 decimals.  Appends to
 * `out`; returns SK_OK or a negative SK_E* code with *err (caller frees). */
int sk_report_scores_json(sk_store *st, const char *exp_id, sk_buf *out, char **err);

/* The page's stylesheet and script (report_page.c), and the script of the
 * viewer's list pages (view_page.c), which runs after it and marks the
 * page rendered. */
extern const char sk_report_css[];
extern const char sk_report_js[];
extern const char sk_view_js[];

#endif
