/*
 * SQLite's dialect to PostgreSQL's (pg_sql.h): a scan over the text that
 * copies string literals, quoted names and comments as they are and looks
 * at the words between them.
 */
#include "store/pg_sql.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/util.h"

/* Whole phrases SQLite spells its own way, replaced before the scan. */
static const struct {
    const char *sqlite, *pg;
} phrases[] = {
    {"strftime('%Y-%m-%dT%H:%M:%SZ', 'now')",
     "to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"},
    {"datetime('now')", "to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS')"},
};

static char *replace_phrases(const char *sql)
{
    sk_buf b = {0};
    const char *p = sql;
    while (*p) {
        size_t i = 0, n = sizeof phrases / sizeof phrases[0];
        for (; i < n; i++)
            if (strncmp(p, phrases[i].sqlite, strlen(phrases[i].sqlite)) == 0)
                break;
        if (i < n) {
            sk_buf_adds(&b, phrases[i].pg);
            p += strlen(phrases[i].sqlite);
        } else {
            sk_buf_addc(&b, *p++);
        }
    }
    return b.data ? b.data : sk_xstrdup("");
}

typedef struct {
    const char *p;
    size_t n;
    int word; /* a bare word (keyword or name) */
} token;

/* The next token from *s: a word, a number, a literal, a quoted name, a
 * comment, a parameter, blank space or one punctuation character. */
static token next(const char **s)
{
    const char *p = *s, *q = p;
    token t = {p, 0, 0};
    if (!*q)
        return t;
    if (isalpha((unsigned char)*q) || *q == '_') {
        while (isalnum((unsigned char)*q) || *q == '_')
            q++;
        t.word = 1;
    } else if (*q == '\'' || *q == '"') {
        char c = *q++;
        while (*q && !(*q == c && q[1] != c))
            q += *q == c ? 2 : 1;
        if (*q)
            q++;
    } else if (q[0] == '-' && q[1] == '-') {
        while (*q && *q != '\n')
            q++;
    } else if (isspace((unsigned char)*q)) {
        while (isspace((unsigned char)*q))
            q++;
    } else if (*q == '?') {
        q++;
        while (isdigit((unsigned char)*q))
            q++;
    } else {
        q++;
    }
    t.n = (size_t)(q - p);
    *s = q;
    return t;
}

static int is(token t, const char *w)
{
    return t.word && strlen(w) == t.n && strncasecmp(t.p, w, t.n) == 0;
}

/* The next word of s after blanks, without consuming it. */
static token peek_word(const char *s)
{
    token t;
    do
        t = next(&s);
    while (t.n && isspace((unsigned char)t.p[0]));
    return t;
}

/* Skip s past the next word (and the blanks before it). */
static const char *past_word(const char *s)
{
    token t;
    do
        t = next(&s);
    while (t.n && isspace((unsigned char)t.p[0]));
    return s;
}

char *sk_pg_sql(const char *sql, int *nparams, int *writes)
{
    char *text = replace_phrases(sql);
    sk_buf b = {0};
    const char *s = text;
    int k = 0, max = 0;
    int first = 1;       /* the next word starts a statement */
    int ddl = 0;         /* in CREATE TABLE / ALTER TABLE */
    int drop = 0;        /* in a PRAGMA: copy nothing */
    int on_conflict = 0; /* INSERT OR IGNORE: add ON CONFLICT DO NOTHING */
    *writes = 0;
    for (;;) {
        token t = next(&s);
        if (!t.n || (t.n == 1 && *t.p == ';')) {
            if (on_conflict)
                sk_buf_adds(&b, " ON CONFLICT DO NOTHING");
            if (t.n && !drop)
                sk_buf_addc(&b, ';');
            if (!t.n)
                break;
            first = 1, ddl = 0, drop = 0, on_conflict = 0;
            continue;
        }
        if (t.word && first) {
            first = 0;
            drop = is(t, "PRAGMA");
            if (is(t, "INSERT") || is(t, "UPDATE") || is(t, "DELETE"))
                *writes = 1;
            if (is(t, "CREATE") || is(t, "ALTER")) {
                token u = peek_word(s);
                ddl = is(u, "TABLE");
            }
        }
        if (drop)
            continue;
        if (*t.p == '?') {
            int n = t.n > 1 ? atoi(t.p + 1) : ++k;
            if (n > max)
                max = n;
            /* "? IS NULL" alone cannot tell PostgreSQL the parameter's type. */
            token u = peek_word(s);
            token v = peek_word(past_word(s));
            if (is(u, "IS") && (is(v, "NULL") || is(v, "NOT")))
                sk_buf_printf(&b, "CAST($%d AS TEXT)", n);
            else
                sk_buf_printf(&b, "$%d", n);
            continue;
        }
        if (!t.word) {
            sk_buf_add(&b, t.p, t.n);
            continue;
        }
        if (is(t, "INSERT") && is(peek_word(s), "OR")) {
            const char *after_or = past_word(s);
            if (is(peek_word(after_or), "IGNORE")) {
                on_conflict = 1;
                s = past_word(after_or);
            }
            sk_buf_adds(&b, "INSERT");
            continue;
        }
        if (is(t, "IS")) {
            token u = peek_word(s);
            if (is(u, "NOT")) {
                token v = peek_word(past_word(s));
                if (!is(v, "NULL")) {
                    sk_buf_adds(&b, "IS DISTINCT FROM");
                    s = past_word(s);
                    continue;
                }
            } else if (!is(u, "NULL") && !is(u, "TRUE") && !is(u, "FALSE")) {
                sk_buf_adds(&b, "IS NOT DISTINCT FROM");
                continue;
            }
        }
        if (is(t, "CROSS") && is(peek_word(s), "JOIN")) {
            sk_buf_adds(&b, "INNER"); /* SQLite's join-order hint, always with ON here */
            continue;
        }
        if (is(t, "INTEGER")) {
            if (ddl && is(peek_word(s), "PRIMARY"))
                sk_buf_adds(&b, "BIGINT GENERATED BY DEFAULT AS IDENTITY");
            else
                sk_buf_adds(&b, "BIGINT");
            continue;
        }
        if (is(t, "REAL")) {
            sk_buf_adds(&b, "DOUBLE PRECISION");
            continue;
        }
        if (ddl && is(t, "TEXT")) {
            sk_buf_adds(&b, "TEXT COLLATE \"C\"");
            continue;
        }
        if (ddl && is(t, "WITHOUT") && is(peek_word(s), "ROWID")) {
            s = past_word(s);
            continue;
        }
        sk_buf_add(&b, t.p, t.n);
    }
    free(text);
    *nparams = max;
    return b.data ? b.data : sk_xstrdup("");
}
