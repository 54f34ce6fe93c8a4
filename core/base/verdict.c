/* A row's verdict from its results (see verdict.h). */
#include "base/verdict.h"

void sk_row_verdict_begin(sk_row_verdict *v)
{
    v->pass = SK_ROW_NO_VERDICT;
    v->scored = v->errors = 0;
    v->below = 0;
    sk_buf_reset(&v->reason);
}

/* The first error names the reason; later ones are counted in _end. */
static void note_error(sk_row_verdict *v, const char *what, const char *name, const char *message)
{
    if (v->errors++ == 0) {
        sk_buf_reset(&v->reason);
        sk_buf_adds(&v->reason, what);
        if (name)
            sk_buf_adds(&v->reason, name);
        if (message && *message) {
            sk_buf_adds(&v->reason, ": ");
            sk_buf_adds(&v->reason, message);
        }
    }
}

void sk_row_verdict_task_error(sk_row_verdict *v, const char *message)
{
    note_error(v, "task error", NULL, message);
}

void sk_row_verdict_add(sk_row_verdict *v, const char *scorer, sk_verdict kind, double score,
                        int has_threshold, double threshold, const char *message)
{
    switch (kind) {
    case SK_VERDICT_SCORE:
        v->scored++;
        if (has_threshold && score < threshold)
            v->below = 1;
        break;
    case SK_VERDICT_SKIP: break;
    default: note_error(v, "error in scorer ", scorer, message); break;
    }
}

sk_row_pass sk_row_verdict_end(sk_row_verdict *v)
{
    if (v->errors) {
        if (v->errors > 1)
            sk_buf_printf(&v->reason, " (and %zu more error%s)", v->errors - 1,
                          v->errors > 2 ? "s" : "");
        v->pass = SK_ROW_NO_VERDICT;
    } else if (!v->scored) {
        sk_buf_reset(&v->reason);
        sk_buf_adds(&v->reason, "no scorer gave a score");
        v->pass = SK_ROW_NO_VERDICT;
    } else {
        sk_buf_reset(&v->reason);
        v->pass = v->below ? SK_ROW_FAIL : SK_ROW_PASS;
    }
    return v->pass;
}

void sk_row_verdict_json(const sk_row_verdict *v, sk_buf *out)
{
    if (v->pass != SK_ROW_NO_VERDICT) {
        sk_buf_adds(out, v->pass == SK_ROW_PASS ? "\"pass\":true" : "\"pass\":false");
        return;
    }
    sk_buf_adds(out, "\"pass\":null,\"reason\":");
    sk_buf_add_json_string(out, v->reason.data ? v->reason.data : "", v->reason.len);
}

const char *sk_row_pass_name(sk_row_pass p)
{
    return p == SK_ROW_PASS ? "pass" : p == SK_ROW_FAIL ? "fail" : "no verdict";
}

void sk_row_verdict_free(sk_row_verdict *v)
{
    sk_buf_free(&v->reason);
}
