/*
 * regex: 1 when a PCRE2 pattern matches somewhere in the output text (a
 * JSON string's decoded text, else the output's JSON text), searched with
 * its byte length so NUL bytes are ordinary characters.
 *
 * Params
 *   pattern  (string, required)  a PCRE2 pattern, compiled in UTF-8 mode.
 *            Anchor it (^...$) to match the whole output.  \w, \d, \b and
 *            POSIX classes are ASCII-only; case-insensitive matching (flag
 *            i) folds Unicode case.  Invalid UTF-8 in an output never
 *            matches but is not an error.
 *   flags    (string, default "")  any of: i (ignore case), m (^ and $
 *            match at line breaks), s (. matches newlines), x (extended:
 *            whitespace and #-comments in the pattern are ignored).
 *   not      (bool, default false)  invert the verdict: 1 when no match.
 *
 * The pattern is compiled (and JIT-compiled when PCRE2 can, except under
 * valgrind) once, at open(); a bad pattern is an open() error with PCRE2's message and the
 * offset.  Each match is bounded by a match limit, a depth limit and a heap
 * limit, so a pattern that backtracks catastrophically on some output (say
 * "(a+)+$" on "aaaa...b") gets an error for that row instead of hanging the
 * run.
 *
 * Thread safety: the compiled code and the match context are only read
 * while scoring; match data, the one thing pcre2_match writes, is created
 * per call.
 */
#define PCRE2_CODE_UNIT_WIDTH 8

#include <pcre2.h>
#include <stdio.h>
#include <string.h>

#include "heuristic.h"
#include "patterns.h"

/* JIT-compiled matchers scan with vector loads that may read a few bytes
 * past the end of the subject (harmless: never across a page), which
 * memcheck reports as invalid reads.  The interpreter gives the same
 * answers, so under valgrind the JIT is skipped to keep memcheck runs
 * meaningful. */
#if defined(__has_include)
#if __has_include(<valgrind/valgrind.h>)
#include <valgrind/valgrind.h>
#define UNDER_VALGRIND() RUNNING_ON_VALGRIND
#endif
#endif
#ifndef UNDER_VALGRIND
#define UNDER_VALGRIND() 0
#endif

/* Generous for real patterns on megabyte outputs, small enough that a
 * runaway pattern gives up in well under a second. */
#define MATCH_LIMIT    10000000u
#define DEPTH_LIMIT    100000u
#define HEAP_LIMIT_KIB (64u * 1024u)

#define QUOTE_MAX 60

typedef struct regex_state {
    const sk_host *host;
    pcre2_code *code;
    pcre2_match_context *mctx;
    int negate;
    char shown[QUOTE_MAX * 4 + 16]; /* the pattern as /.../ for rationales */
} regex_state;

static const sk_param_def params[] = {
    {"pattern", SK_PARAM_STRING, NULL, "PCRE2 pattern searched for in the output"},
    {"flags", SK_PARAM_STRING, "\"\"", "any of i (ignore case), m (multiline), s (dotall), x"},
    {"not", SK_PARAM_BOOL, "false", "invert the verdict: pass when the pattern does not match"},
    {NULL, 0, NULL, NULL}};

/* The pattern as /.../ for messages: shown as written, since escaping its
 * backslashes would make it read as another pattern; only control bytes are
 * escaped, and a long pattern is cut at a UTF-8 boundary. */
static void show_pattern(char *out, size_t outsz, const char *pat)
{
    size_t o = 0, n = strlen(pat), limit = QUOTE_MAX * 2;
    out[o++] = '/';
    for (size_t i = 0; i < n; i++) {
        unsigned char b = (unsigned char)pat[i];
        if ((o + 8 >= outsz || i >= limit) && (b & 0xC0) != 0x80) {
            memcpy(out + o, "...", 3);
            o += 3;
            break;
        }
        if (b < 0x20 || b == 0x7F)
            o += (size_t)snprintf(out + o, outsz - o, "\\x%02X", b);
        else
            out[o++] = (char)b;
    }
    out[o++] = '/';
    out[o] = '\0';
}

static void close_regex(const sk_host *host, void *state)
{
    (void)host;
    regex_state *st = state;
    if (!st)
        return;
    pcre2_match_context_free(st->mctx);
    pcre2_code_free(st->code);
    st->host->free(st);
}

static int parse_flags(const char *flags, uint32_t *opts, char *err, size_t errlen)
{
    for (const char *f = flags; *f; f++) {
        switch (*f) {
        case 'i': *opts |= PCRE2_CASELESS; break;
        case 'm': *opts |= PCRE2_MULTILINE; break;
        case 's': *opts |= PCRE2_DOTALL; break;
        case 'x': *opts |= PCRE2_EXTENDED; break;
        default:
            snprintf(err, errlen,
                     "regex: param \"flags\" has an unknown flag '%c' in \"%s\"; use any of i "
                     "(ignore case), m (multiline), s (dot matches newline), x (extended)",
                     *f, flags);
            return -1;
        }
    }
    return 0;
}

static int open_regex(const sk_host *host, const char *params_json, void **state, char *err,
                      size_t errlen)
{
    cJSON *p = sk_json_parse_cstr(params_json);
    if (!p) {
        snprintf(err, errlen, "regex: params are not valid JSON (a host bug)");
        return -1;
    }
    const cJSON *pattern = cJSON_GetObjectItemCaseSensitive(p, "pattern");
    const cJSON *flags = cJSON_GetObjectItemCaseSensitive(p, "flags");
    int rc = -1;
    uint32_t opts = PCRE2_UTF;
#ifdef PCRE2_MATCH_INVALID_UTF
    opts |= PCRE2_MATCH_INVALID_UTF;
#endif
    if (!cJSON_IsString(pattern)) {
        snprintf(err, errlen, "regex: param \"pattern\" is required: give a PCRE2 pattern");
        goto out;
    }
    if (cJSON_IsString(flags) && parse_flags(flags->valuestring, &opts, err, errlen))
        goto out;

    int code_err;
    PCRE2_SIZE offset;
    pcre2_code *code = pcre2_compile((PCRE2_SPTR)pattern->valuestring, PCRE2_ZERO_TERMINATED, opts,
                                     &code_err, &offset, NULL);
    if (!code) {
        PCRE2_UCHAR msg[256];
        if (pcre2_get_error_message(code_err, msg, sizeof msg) < 0)
            snprintf((char *)msg, sizeof msg, "PCRE2 error %d", code_err);
        char shown[QUOTE_MAX * 4 + 16];
        show_pattern(shown, sizeof shown, pattern->valuestring);
        snprintf(err, errlen,
                 "regex: param \"pattern\" does not compile: %s at offset %zu of %s; fix the "
                 "pattern (PCRE2 syntax)",
                 (const char *)msg, (size_t)offset, shown);
        goto out;
    }
    /* JIT is an optimisation: where it is missing or fails, the
     * interpreter gives the same answers. */
    if (!UNDER_VALGRIND())
        (void)pcre2_jit_compile(code, PCRE2_JIT_COMPLETE);

    pcre2_match_context *mctx = pcre2_match_context_create(NULL);
    if (!mctx) {
        pcre2_code_free(code);
        snprintf(err, errlen, "regex: out of memory creating the match context");
        goto out;
    }
    pcre2_set_match_limit(mctx, MATCH_LIMIT);
    pcre2_set_depth_limit(mctx, DEPTH_LIMIT);
    pcre2_set_heap_limit(mctx, HEAP_LIMIT_KIB);

    regex_state *st = host->alloc(sizeof *st);
    memset(st, 0, sizeof *st);
    st->host = host;
    st->code = code;
    st->mctx = mctx;
    st->negate = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(p, "not"));
    show_pattern(st->shown, sizeof st->shown, pattern->valuestring);
    *state = st;
    rc = 0;
out:
    cJSON_Delete(p);
    return rc;
}

static int score_regex(const sk_host *host, void *state, const sk_case *c, sk_result *r)
{
    regex_state *st = state;
    pcre2_match_data *md = pcre2_match_data_create_from_pattern(st->code, NULL);
    if (!md) {
        host->set_error(r, "regex: out of memory creating match data");
        return 0;
    }
    PCRE2_SPTR subject = (PCRE2_SPTR)c->output_text;
    int m = pcre2_match(st->code, subject, c->output_len, 0, 0, md, st->mctx);
    /* The JIT runs on a small fixed stack; a pattern that needs more is
     * retried by the interpreter, which is bounded by the heap limit. */
    if (m == PCRE2_ERROR_JIT_STACKLIMIT)
        m = pcre2_match(st->code, subject, c->output_len, 0, PCRE2_NO_JIT, md, st->mctx);

    if (m >= 0 || m == PCRE2_ERROR_NOMATCH) {
        char fact[1024];
        if (m >= 0) {
            PCRE2_SIZE *ov = pcre2_get_ovector_pointer(md);
            size_t start = ov[0], end = ov[1];
            /* \K in a lookbehind can put the end before the start. */
            size_t mlen = end > start ? end - start : 0;
            char q[QUOTE_MAX * 4 + 16];
            sk_pattern_quote(q, sizeof q, c->output_text + start, mlen, QUOTE_MAX);
            snprintf(fact, sizeof fact, "output matches %s at byte %zu: %s", st->shown, start, q);
        } else {
            snprintf(fact, sizeof fact, "output does not match %s", st->shown);
        }
        sk_pattern_verdict(host, r, m >= 0, st->negate, fact);
    } else if (m == PCRE2_ERROR_MATCHLIMIT || m == PCRE2_ERROR_DEPTHLIMIT ||
               m == PCRE2_ERROR_HEAPLIMIT) {
        host->set_error(r,
                        "regex: pattern %s gave up on this output (%s limit reached): it "
                        "backtracks too much, typically from nested quantifiers like (a+)+; "
                        "simplify the pattern or anchor it",
                        st->shown,
                        m == PCRE2_ERROR_MATCHLIMIT   ? "match"
                        : m == PCRE2_ERROR_DEPTHLIMIT ? "depth"
                                                      : "heap");
    } else {
        PCRE2_UCHAR msg[256];
        if (pcre2_get_error_message(m, msg, sizeof msg) < 0)
            snprintf((char *)msg, sizeof msg, "PCRE2 error %d", m);
        host->set_error(r, "regex: matching %s failed: %s", st->shown, (const char *)msg);
    }
    pcre2_match_data_free(md);
    return 0;
}

const sk_scorer_def sk_h_regex = {sizeof(sk_scorer_def),
                                  "regex",
                                  "1 when a PCRE2 pattern matches the output",
                                  SK_SCORER_THREAD_SAFE,
                                  SK_ACCEPT_TEXT,
                                  params,
                                  open_regex,
                                  score_regex,
                                  close_regex};
