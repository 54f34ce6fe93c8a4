/*
 * The CSV reader (see csv.h).  A byte-at-a-time state machine over large
 * fread()s: the states are the four places a byte can land in RFC 4180
 * (start of a field, inside an unquoted field, inside quotes, just after a
 * quote inside quotes).  Fields are appended to one growable buffer, each
 * NUL-terminated, and their offsets kept, because the buffer may move while
 * the record grows; the field array is built when the record ends.
 */
#include "store/csv.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "base/util.h"

#define CHUNK ((size_t)64 << 10)

typedef struct field_pos {
    size_t off, n;
    int quoted;
} field_pos;

struct sk_csv {
    FILE *f;
    char *path;
    char *in; /* read buffer */
    size_t in_pos, in_len;
    int eof;
    size_t line; /* current physical line, 1-based */
    size_t max;
    int failed; /* sticky error code */

    sk_buf rec; /* the fields' bytes, each NUL-terminated */
    field_pos *pos;
    sk_csv_field *fields;
    size_t nfields, cap;
};

enum { AT_START, UNQUOTED, QUOTED, QUOTE_SEEN };

/* -1 at the end of the input or on a read error (c->failed tells). */
static int get_byte(sk_csv *c, char **err)
{
    if (c->in_pos == c->in_len) {
        if (c->eof)
            return -1;
        c->in_len = fread(c->in, 1, CHUNK, c->f);
        c->in_pos = 0;
        if (c->in_len == 0) {
            c->eof = 1;
            if (ferror(c->f))
                c->failed = sk_errf(err, SK_EIO, "%s: cannot read: %s", c->path, strerror(errno));
            return -1;
        }
    }
    return (unsigned char)c->in[c->in_pos++];
}

static int peek_byte(sk_csv *c, char **err)
{
    int ch = get_byte(c, err);
    if (ch >= 0)
        c->in_pos--;
    return ch;
}

static int start(sk_csv *c, char **err)
{
    c->in_pos = c->in_len = 0;
    c->eof = 0;
    c->line = 1;
    c->failed = 0;
    /* Skip a byte order mark: spreadsheet programs write one. */
    static const unsigned char bom[3] = {0xef, 0xbb, 0xbf};
    int i = 0;
    while (i < 3 && peek_byte(c, err) == bom[i]) {
        c->in_pos++;
        i++;
    }
    if (c->failed)
        return c->failed;
    if (i > 0 && i < 3)
        c->in_pos -= (size_t)i; /* not a whole BOM: the first chunk holds those bytes */
    return SK_OK;
}

int sk_csv_open(sk_csv **out, const char *path, char **err)
{
    *out = NULL;
    FILE *f = fopen(path, "rb");
    if (!f)
        return sk_errf(err, errno == ENOENT ? SK_ENOTFOUND : SK_EIO, "%s: cannot open: %s", path,
                       strerror(errno));
    sk_csv *c = sk_xcalloc(1, sizeof *c);
    c->f = f;
    c->path = sk_xstrdup(path);
    c->in = sk_xmalloc(CHUNK);
    c->max = SK_CSV_MAX_RECORD;
    int rc = start(c, err);
    if (rc) {
        sk_csv_close(c);
        return rc;
    }
    *out = c;
    return SK_OK;
}

int sk_csv_rewind(sk_csv *c, char **err)
{
    clearerr(c->f);
    if (fseek(c->f, 0, SEEK_SET) != 0)
        return c->failed = sk_errf(err, SK_EIO, "%s: cannot rewind: %s", c->path, strerror(errno));
    return start(c, err);
}

void sk_csv_set_max_record(sk_csv *c, size_t max)
{
    c->max = max;
}

const char *sk_csv_path(const sk_csv *c)
{
    return c->path;
}

void sk_csv_close(sk_csv *c)
{
    if (!c)
        return;
    fclose(c->f);
    free(c->path);
    free(c->in);
    sk_buf_free(&c->rec);
    free(c->pos);
    free(c->fields);
    free(c);
}

static void begin_field(sk_csv *c, int quoted)
{
    if (c->nfields == c->cap) {
        c->cap = c->cap ? 2 * c->cap : 16;
        c->pos = sk_xrealloc(c->pos, c->cap * sizeof *c->pos);
        c->fields = sk_xrealloc(c->fields, c->cap * sizeof *c->fields);
    }
    c->pos[c->nfields++] = (field_pos){c->rec.len, 0, quoted};
}

static void end_field(sk_csv *c)
{
    field_pos *f = &c->pos[c->nfields - 1];
    f->n = c->rec.len - f->off;
    sk_buf_addc(&c->rec, '\0');
}

static int add_byte(sk_csv *c, int ch, size_t lineno, char **err)
{
    if (c->rec.len >= c->max)
        return c->failed = sk_errf(err, SK_EPARSE, "%s:%zu: record is longer than %zu bytes",
                                   c->path, lineno, c->max);
    if (c->rec.len + 2 > c->rec.cap)
        sk_buf_reserve(&c->rec, 1); /* doubles: amortised O(1) per byte */
    c->rec.data[c->rec.len++] = (char)ch;
    return SK_OK;
}

/* Consume the LF of a CRLF; a lone CR is data. */
static int is_line_end(sk_csv *c, int ch, char **err)
{
    if (ch == '\n')
        return 1;
    if (ch == '\r' && peek_byte(c, err) == '\n') {
        c->in_pos++;
        return 1;
    }
    return 0;
}

int sk_csv_next(sk_csv *c, const sk_csv_field **fields, size_t *nfields, size_t *lineno, char **err)
{
    if (c->failed)
        return sk_errf(err, c->failed, "%s: reading stopped at an earlier error", c->path);
    sk_buf_reset(&c->rec);
    c->nfields = 0;
    int state = AT_START;
    size_t rec_line = c->line, quote_line = 0;
    for (;;) {
        int ch = get_byte(c, err);
        if (c->failed)
            return c->failed;
        if (ch < 0) {
            if (state == QUOTED)
                return c->failed = sk_errf(err, SK_EPARSE,
                                           "%s:%zu: a quoted field that starts on this line is "
                                           "never closed",
                                           c->path, quote_line);
            if (c->nfields == 0 && state == AT_START)
                return 0;
            if (state == AT_START)
                begin_field(c, 0); /* "a,<EOF>": the empty last field */
            end_field(c);
            break;
        }
        if (state == QUOTED) {
            if (ch == '"') {
                state = QUOTE_SEEN;
                continue;
            }
            if (ch == '\n')
                c->line++;
            if (add_byte(c, ch, rec_line, err))
                return c->failed;
            continue;
        }
        if (state == QUOTE_SEEN && ch == '"') {
            state = QUOTED; /* a doubled quote is one quote */
            if (add_byte(c, ch, rec_line, err))
                return c->failed;
            continue;
        }
        if (is_line_end(c, ch, err)) {
            c->line++;
            if (state == AT_START && c->nfields == 0) {
                rec_line = c->line; /* an empty line: no record */
                continue;
            }
            if (state == AT_START)
                begin_field(c, 0);
            end_field(c);
            break;
        }
        if (ch == ',') {
            if (state == AT_START)
                begin_field(c, 0);
            end_field(c);
            state = AT_START;
            continue;
        }
        if (state == QUOTE_SEEN)
            return c->failed =
                       sk_errf(err, SK_EPARSE,
                               "%s:%zu: unexpected '%c' after the closing quote of field "
                               "%zu; inside quotes, write a quote as two quotes (\"\")",
                               c->path, c->line, ch >= 0x20 && ch < 0x7f ? ch : '?', c->nfields);
        if (state == AT_START) {
            if (ch == '"') {
                begin_field(c, 1);
                state = QUOTED;
                quote_line = c->line;
                continue;
            }
            begin_field(c, 0);
            state = UNQUOTED;
        }
        if (add_byte(c, ch, rec_line, err))
            return c->failed;
    }
    for (size_t i = 0; i < c->nfields; i++)
        c->fields[i] = (sk_csv_field){c->rec.data + c->pos[i].off, c->pos[i].n, c->pos[i].quoted};
    *fields = c->fields;
    *nfields = c->nfields;
    *lineno = rec_line;
    return 1;
}
