/* Scoring one row with every scorer of a pack (see rowscore.h). */
#include "run/rowscore.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "base/numfmt.h"

const char *const sk_row_keys[SK_F_COUNT] = {"id", "input", "output", "expected", "metadata"};

static int span_is(sk_span s, char first)
{
    return s.p && s.n > 0 && s.p[0] == first;
}

static int span_is_null(sk_span s)
{
    return s.p && s.n == 4 && memcmp(s.p, "null", 4) == 0;
}

static int row_parse(const char *line, size_t len, const char *const keys[SK_F_COUNT],
                     sk_span spans[SK_F_COUNT], char *msg, size_t msglen, int trusted)
{
    int rc = trusted ? sk_row_scan_trusted(line, len, keys, SK_F_COUNT, spans, msg, msglen)
                     : sk_row_scan(line, len, keys, SK_F_COUNT, spans, msg, msglen);
    if (rc != 0)
        return SK_EPARSE;
    if (!spans[SK_F_OUTPUT].p) {
        snprintf(msg, msglen,
                 "row has no \"%s\" field; `scorekit score` needs rows like "
                 "{\"input\": ..., \"%s\": ..., \"expected\": ...}",
                 keys[SK_F_OUTPUT], keys[SK_F_OUTPUT]);
        return SK_EPARSE;
    }
    sk_span id = spans[SK_F_ID];
    if (span_is_null(id))
        spans[SK_F_ID].p = NULL, id.p = NULL; /* like expected and metadata: null is absent */
    if (id.p && !span_is(id, '"') && !(id.p[0] == '-' || (id.p[0] >= '0' && id.p[0] <= '9'))) {
        snprintf(msg, msglen, "\"id\" must be a string or a number");
        return SK_EPARSE;
    }
    sk_span md = spans[SK_F_METADATA];
    if (md.p && !span_is(md, '{') && !span_is_null(md)) {
        snprintf(msg, msglen, "\"metadata\" must be a JSON object");
        return SK_EPARSE;
    }
    return SK_OK;
}

int sk_row_parse(const char *line, size_t len, const char *const keys[SK_F_COUNT],
                 sk_span spans[SK_F_COUNT], char *msg, size_t msglen)
{
    return row_parse(line, len, keys, spans, msg, msglen, 0);
}

int sk_row_parse_trusted(const char *line, size_t len, const char *const keys[SK_F_COUNT],
                         sk_span spans[SK_F_COUNT], char *msg, size_t msglen)
{
    return row_parse(line, len, keys, spans, msg, msglen, 1);
}

void sk_rowscore_init(sk_rowscore *rs, const sk_pack *pack, sk_host_ctx *host, void **states)
{
    memset(rs, 0, sizeof *rs);
    rs->pack = pack;
    rs->host = host;
    rs->states = states;
    rs->results = sk_xcalloc(pack->n ? pack->n : 1, sizeof *rs->results);
    rs->rationales = 1;
}

void sk_rowscore_free(sk_rowscore *rs)
{
    for (size_t i = 0; i < rs->pack->n; i++)
        sk_result_free(&rs->results[i]);
    free(rs->results);
    sk_row_verdict_free(&rs->verdict);
    sk_buf_free(&rs->id);
    sk_buf_free(&rs->scratch);
}

/* Layout of the scratch buffer: for each present field its JSON text and,
 * for strings, the decoded text, each NUL-terminated.  Offsets first,
 * pointers after, because appending may move the buffer. */
typedef struct field_at {
    size_t json, text, text_len;
    int present;
} field_at;

/* The room put_field may take for s: its JSON text, the decoded text (never
 * longer) and their NULs. */
static size_t field_room(sk_span s)
{
    return s.p ? 2 * s.n + 2 : 0;
}

/* Append s to b, which has field_room(s) bytes free: reserved once per
 * row by build_case, so each field is plain copies. */
static field_at put_field(sk_buf *b, sk_span s)
{
    field_at f = {0, 0, 0, 0};
    if (!s.p)
        return f;
    f.present = 1;
    f.json = b->len;
    memcpy(b->data + b->len, s.p, s.n);
    b->len += s.n;
    b->data[b->len++] = '\0';
    if (sk_span_is_string(s)) {
        f.text = b->len;
        size_t before = b->len;
        if (s.p[s.n - 1] == '"' && !memchr(s.p + 1, '\\', s.n - 2)) {
            /* No escape, the usual string: its text is its body.  Copied
             * here, not by the decoder's three calls for a field. */
            memcpy(b->data + b->len, s.p + 1, s.n - 2);
            b->len += s.n - 2;
        } else {
            sk_json_string_decode(s.p, s.n, b);
        }
        f.text_len = b->len - before;
        b->data[b->len++] = '\0';
    } else {
        f.text = f.json;
        f.text_len = s.n;
    }
    return f;
}

static void build_case(sk_rowscore *rs, const sk_span spans[SK_F_COUNT], unsigned trial)
{
    sk_buf *b = &rs->scratch;
    sk_buf_reset(b);
    sk_buf_reset(&rs->id);
    sk_span expected = spans[SK_F_EXPECTED];
    if (span_is_null(expected))
        expected.p = NULL; /* "expected": null means the row has none */
    sk_span metadata = spans[SK_F_METADATA];
    if (span_is_null(metadata))
        metadata.p = NULL;
    static const sk_span null_span = {"null", 4};
    sk_span input = spans[SK_F_INPUT].p ? spans[SK_F_INPUT] : null_span;

    sk_buf_reserve(b, field_room(input) + field_room(spans[SK_F_OUTPUT]) + field_room(expected) +
                          field_room(metadata));
    field_at in = put_field(b, input);
    field_at out = put_field(b, spans[SK_F_OUTPUT]);
    field_at ex = put_field(b, expected);
    field_at md = put_field(b, metadata);

    sk_span id = spans[SK_F_ID];
    if (sk_span_is_string(id))
        sk_json_string_decode(id.p, id.n, &rs->id);
    else if (id.p)
        sk_buf_add(&rs->id, id.p, id.n);
    else
        sk_row_derive_id(&rs->id, input, expected);
    sk_buf_addc(&rs->id, '\0');

    sk_case *c = &rs->c;
    memset(c, 0, sizeof *c);
    c->size = sizeof *c;
    c->id = rs->id.data;
    c->input_json = b->data + in.json;
    c->input_text = b->data + in.text;
    c->input_len = in.text_len;
    c->output_json = b->data + out.json;
    c->output_text = b->data + out.text;
    c->output_len = out.text_len;
    if (ex.present) {
        c->expected_json = b->data + ex.json;
        c->expected_text = b->data + ex.text;
        c->expected_len = ex.text_len;
    }
    c->metadata_json = md.present ? b->data + md.json : NULL;
    c->trial = trial;
}

void sk_rowscore_run(sk_rowscore *rs, const sk_span spans[SK_F_COUNT], unsigned trial)
{
    build_case(rs, spans, trial);
    double wsum = 0, wtot = 0;
    sk_row_verdict_begin(&rs->verdict);
    for (size_t i = 0; i < rs->pack->n; i++) {
        const sk_pack_entry *e = &rs->pack->entries[i];
        sk_result *r = &rs->results[i];
        sk_result_reset(r);
        r->no_rationale = !rs->rationales;
        if ((e->flags & SK_SCORER_NEEDS_EXPECTED) && !rs->c.expected_json) {
            sk_result_skipf(r, "row has no expected value");
        } else {
            int rc = e->ops->score(rs->host, e->impl, rs->states[i], &rs->c, r);
            sk_result_finish(r, rc, e->name);
        }
        if (r->kind == SK_VERDICT_SCORE) {
            wsum += e->weight * r->score;
            wtot += e->weight;
        }
        sk_row_verdict_add(&rs->verdict, e->name, r->kind, r->score, e->has_threshold, e->threshold,
                           r->message.data);
    }
    sk_row_verdict_end(&rs->verdict);
    rs->overall = wtot > 0 ? wsum / wtot : NAN;
}

void sk_buf_add_score(sk_buf *b, double v)
{
    if (isnan(v))
        sk_buf_adds(b, "null");
    else {
        char num[SK_NUMFMT_MAX];
        sk_buf_add(b, num, sk_fmt_g(num, v, 15)); /* "%.15g", faster */
    }
}

void sk_rowscore_json(const sk_rowscore *rs, size_t lineno, sk_buf *out)
{
    sk_buf_adds(out, "{\"id\":");
    sk_buf_add_json_string(out, rs->id.data, strlen(rs->id.data));
    sk_buf_printf(out, ",\"line\":%zu,\"overall\":", lineno);
    sk_buf_add_score(out, rs->overall);
    sk_buf_addc(out, ',');
    sk_row_verdict_json(&rs->verdict, out);
    sk_buf_adds(out, ",\"scores\":{");
    for (size_t i = 0; i < rs->pack->n; i++) {
        const sk_result *r = &rs->results[i];
        const char *name = rs->pack->entries[i].name;
        if (i)
            sk_buf_addc(out, ',');
        sk_buf_add_json_string(out, name, strlen(name));
        switch (r->kind) {
        case SK_VERDICT_SCORE:
            sk_buf_adds(out, ":{\"score\":");
            sk_buf_add_score(out, r->score);
            if (r->rationale.len) {
                sk_buf_adds(out, ",\"rationale\":");
                sk_buf_add_json_string(out, r->rationale.data, r->rationale.len);
            }
            if (r->meta.len) {
                sk_buf_adds(out, ",\"meta\":");
                sk_buf_add(out, r->meta.data, r->meta.len);
            }
            sk_buf_addc(out, '}');
            break;
        case SK_VERDICT_SKIP:
            sk_buf_adds(out, ":{\"skipped\":");
            sk_buf_add_json_string(out, r->message.data ? r->message.data : "", r->message.len);
            sk_buf_addc(out, '}');
            break;
        default:
            sk_buf_adds(out, ":{\"error\":");
            sk_buf_add_json_string(out, r->message.data ? r->message.data : "", r->message.len);
            sk_buf_addc(out, '}');
            break;
        }
    }
    sk_buf_adds(out, "}}\n");
}
