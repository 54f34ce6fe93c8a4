/*
 * What the pattern scorers share: every one of them is a pass/fail check
 * with a `not` param that inverts it, and every rationale quotes pieces of
 * text that may be long, multi-line or hold NUL bytes.  Keeping both here
 * makes the scorers word their verdicts the same way.
 */
#include <stdio.h>
#include <string.h>

#include "patterns.h"

void sk_pattern_verdict(const sk_host *host, sk_result *r, int pass, int negate, const char *fact)
{
    int ok = negate ? !pass : pass;
    host->set_score(r, ok ? 1.0 : 0.0);
    /* A failure of the inverted check is the fact holding; say so, or the
     * rationale reads like a pass. */
    if (!ok && negate)
        host->set_rationale(r, "%s, and not=true requires the opposite", fact);
    else
        host->set_rationale(r, "%s", fact);
}

/* Length of the UTF-8 sequence starting with byte b, or 1 for a byte that
 * cannot start one (it is then escaped as \xNN). */
static size_t seq_len(unsigned char b)
{
    if (b >= 0xF0 && b <= 0xF4)
        return 4;
    if (b >= 0xE0)
        return b <= 0xEF ? 3 : 1;
    if (b >= 0xC2)
        return 2;
    return 1;
}

static int valid_seq(const unsigned char *p, size_t k, size_t avail)
{
    if (k > avail)
        return 0;
    for (size_t i = 1; i < k; i++)
        if ((p[i] & 0xC0) != 0x80)
            return 0;
    return 1;
}

void sk_pattern_quote(char *out, size_t outsz, const char *s, size_t n, size_t max)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t o = 0, i = 0;
    /* Room kept for the closing quote, "..." and the NUL. */
    const size_t reserve = 5;
    if (outsz < reserve + 2) {
        if (outsz)
            out[0] = '\0';
        return;
    }
    out[o++] = '"';
    while (i < n && i < max) {
        char esc[8];
        size_t k = 1;
        const char *piece = esc;
        unsigned char b = p[i];
        switch (b) {
        case '"': memcpy(esc, "\\\"", 3); break;
        case '\\': memcpy(esc, "\\\\", 3); break;
        case '\n': memcpy(esc, "\\n", 3); break;
        case '\r': memcpy(esc, "\\r", 3); break;
        case '\t': memcpy(esc, "\\t", 3); break;
        default:
            if (b < 0x20 || b == 0x7F) {
                snprintf(esc, sizeof esc, "\\x%02X", b);
            } else if (b < 0x80) {
                esc[0] = (char)b;
                esc[1] = '\0';
            } else {
                k = seq_len(b);
                if (k > 1 && valid_seq(p + i, k, n - i)) {
                    piece = s + i;
                } else {
                    k = 1;
                    snprintf(esc, sizeof esc, "\\x%02X", b);
                }
            }
        }
        size_t plen = piece == esc ? strlen(esc) : k;
        if (o + plen + reserve > outsz)
            break;
        memcpy(out + o, piece, plen);
        o += plen;
        i += k;
    }
    out[o++] = '"';
    if (i < n) {
        memcpy(out + o, "...", 3);
        o += 3;
    }
    out[o] = '\0';
}
