/*
 * The counting pattern matcher behind the sandbox's string.find, match,
 * gmatch and gsub (see lua_pattern.h), written from the Lua 5.4 reference
 * manual: a backtracking walk over the pattern text, one item at a time.
 *
 * Malformed patterns are reported when the walk reaches the bad item, not
 * up front, because that is what stock Lua does: ("abc"):find("x[") is nil
 * there (no 'x', so the '[' is never read), and a script must get the same
 * answer here.  For the same reason the nesting limit ("pattern too
 * complex") counts the same recursions stock Lua counts: a quantified item
 * that matched, and every capture.
 *
 * Coupling to the budget: a step is charged as one VM instruction against
 * the budget of the call that is running (lua_vm.c adds the steps to the
 * instructions the count hook has counted).  A step costs a few
 * nanoseconds, about what an instruction costs, so one currency keeps the
 * limit a pack author sets meaningful ("10M instructions" stays roughly
 * the same wall time whether a scorer loops in Lua or backtracks in a
 * pattern), and a scorer that does both cannot get twice the budget.  The
 * steps are handed over every SK_LUA_PATTERN_CHUNK steps, so the check
 * costs one decrement per step.
 */
#include "lua/lua_pattern.h"

#include <ctype.h>
#include <lauxlib.h>
#include <stddef.h>
#include <string.h>

#define MAX_CAPTURES 32  /* as stock Lua (LUA_MAXCAPTURES) */
#define MAX_NESTING  200 /* recursions before "pattern too complex", as stock */

/* The length of a capture that is still open, or that is a position. */
#define CAP_OPEN (-1)
#define CAP_POS  (-2)

#define U(c) ((unsigned char)(c))

/* Whom to pay (the upvalue of every installed function). */
typedef struct payer {
    sk_lua_pattern_pay pay;
    void *ud;
} payer;

typedef struct capture {
    const char *at;
    ptrdiff_t len; /* >= 0 once closed, CAP_OPEN or CAP_POS */
} capture;

typedef struct matcher {
    lua_State *L;
    const payer *payer;
    long left;              /* steps before the next payment */
    const char *s0, *s_end; /* the subject */
    const char *p_end;      /* the pattern */
    int nesting;            /* recursions still allowed */
    int ncap;               /* captures opened on the current path */
    capture cap[MAX_CAPTURES];
} matcher;

static void pay_chunk(matcher *m)
{
    if (m->payer->pay)
        m->payer->pay(m->L, m->payer->ud, SK_LUA_PATTERN_CHUNK - m->left);
    m->left = SK_LUA_PATTERN_CHUNK;
}

/* Count n steps; pays (and may be stopped) once a chunk is used up. */
static inline void steps(matcher *m, long n)
{
    m->left -= n;
    if (m->left <= 0)
        pay_chunk(m);
}

/* Pay for what the call has used since the last payment. */
static void settle(matcher *m)
{
    if (m->left < SK_LUA_PATTERN_CHUNK)
        pay_chunk(m);
}

/* A cost that grows with the bytes an operation touches: one step per
 * item, one more per 32 bytes of a long set or a long comparison. */
static inline long cost(ptrdiff_t bytes)
{
    return 1 + (long)(bytes >> 5);
}

static void matcher_init(matcher *m, lua_State *L, const payer *py, const char *s, size_t sl,
                         const char *p_end)
{
    m->L = L;
    m->payer = py;
    m->left = SK_LUA_PATTERN_CHUNK;
    m->s0 = s;
    m->s_end = s + sl;
    m->p_end = p_end;
    m->nesting = MAX_NESTING;
    m->ncap = 0;
}

/* ---- single-character items ------------------------------------------ */

/* Whether c is in class letter cls (%a, %d, ...); an upper-case letter is
 * the complement; any other character stands for itself. */
static int in_class(int cls, int c)
{
    int yes;
    switch (tolower(cls)) {
    case 'a': yes = isalpha(c); break;
    case 'c': yes = iscntrl(c); break;
    case 'd': yes = isdigit(c); break;
    case 'g': yes = isgraph(c); break;
    case 'l': yes = islower(c); break;
    case 'p': yes = ispunct(c); break;
    case 's': yes = isspace(c); break;
    case 'u': yes = isupper(c); break;
    case 'w': yes = isalnum(c); break;
    case 'x': yes = isxdigit(c); break;
    case 'z': yes = c == 0; break; /* deprecated in the manual, kept by 5.4 */
    default: return cls == c;
    }
    return isupper(cls) ? !yes : yes != 0;
}

/* Whether c is in the set whose '[' is at open and whose ']' is at close. */
static int in_set(const char *open, const char *close, int c)
{
    const char *q = open + 1;
    int found = 1; /* what finding c means: 0 for a "[^...]" set */
    if (*q == '^') {
        found = 0;
        q++;
    }
    while (q < close) {
        if (*q == '%') { /* a class, or an escaped character */
            if (in_class(U(q[1]), c))
                return found;
            q += 2;
        } else if (q[1] == '-' && q + 2 < close) { /* a range x-y */
            if (U(q[0]) <= c && c <= U(q[2]))
                return found;
            q += 3;
        } else {
            if (U(*q) == c)
                return found;
            q++;
        }
    }
    return !found;
}

/* One past the end of the single-character item at p (p < p_end): a
 * character, '.', %x, or a set. */
static const char *item_end(matcher *m, const char *p)
{
    if (*p == '%') {
        if (p + 1 >= m->p_end)
            luaL_error(m->L, "malformed pattern (ends with '%%')");
        return p + 2;
    }
    if (*p != '[')
        return p + 1;
    const char *q = p + 1;
    if (q < m->p_end && *q == '^')
        q++;
    for (;;) { /* one member per turn; the first may be ']' itself */
        if (q >= m->p_end)
            luaL_error(m->L, "malformed pattern (missing ']')");
        q += (*q == '%' && q + 1 < m->p_end) ? 2 : 1;
        if (q < m->p_end && *q == ']')
            return q + 1;
    }
}

/* Whether the item p..ep accepts the subject byte at s (s < s_end). */
static inline int item_accepts(const char *p, const char *ep, const char *s)
{
    int c = U(*s);
    switch (*p) {
    case '.': return 1;
    case '%': return in_class(U(p[1]), c);
    case '[': return in_set(p, ep - 1, c);
    default: return U(*p) == c;
    }
}

/* ---- the walk ---------------------------------------------------------- */

static const char *walk(matcher *m, const char *s, const char *p);

/* The walk one recursion deeper: the limit keeps the C stack bounded. */
static const char *descend(matcher *m, const char *s, const char *p)
{
    if (m->nesting-- == 0)
        luaL_error(m->L, "pattern too complex");
    const char *e = walk(m, s, p);
    m->nesting++;
    return e;
}

/* Item p..ep repeated as often as it matches from s, then the rest of the
 * pattern; gives back one repetition at a time until the rest matches. */
static const char *longest(matcher *m, const char *s, const char *p, const char *ep)
{
    long c = cost(ep - p);
    ptrdiff_t n = 0;
    while (s + n < m->s_end && item_accepts(p, ep, s + n)) {
        steps(m, c);
        n++;
    }
    for (; n >= 0; n--) {
        const char *e = descend(m, s + n, ep + 1);
        if (e)
            return e;
    }
    return NULL;
}

/* Item p..ep repeated as few times as lets the rest match. */
static const char *shortest(matcher *m, const char *s, const char *p, const char *ep)
{
    long c = cost(ep - p);
    for (;;) {
        const char *e = descend(m, s, ep + 1);
        if (e)
            return e;
        steps(m, c);
        if (s < m->s_end && item_accepts(p, ep, s))
            s++;
        else
            return NULL;
    }
}

static const char *open_capture(matcher *m, const char *s, const char *p, ptrdiff_t kind)
{
    if (m->ncap >= MAX_CAPTURES)
        luaL_error(m->L, "too many captures");
    m->cap[m->ncap].at = s;
    m->cap[m->ncap].len = kind;
    m->ncap++;
    const char *e = descend(m, s, p);
    if (!e)
        m->ncap--; /* this path failed: the capture never happened */
    return e;
}

static const char *close_capture(matcher *m, const char *s, const char *p)
{
    int i = m->ncap - 1;
    while (i >= 0 && m->cap[i].len != CAP_OPEN)
        i--;
    if (i < 0)
        luaL_error(m->L, "invalid pattern capture");
    m->cap[i].len = s - m->cap[i].at;
    const char *e = descend(m, s, p);
    if (!e)
        m->cap[i].len = CAP_OPEN;
    return e;
}

/* %bxy at s, with x and y at p[0] and p[1]. */
static const char *balanced(matcher *m, const char *s, const char *p)
{
    if (p + 1 >= m->p_end)
        luaL_error(m->L, "malformed pattern (missing arguments to '%%b')");
    if (s >= m->s_end || *s != p[0])
        return NULL;
    int depth = 1;
    for (const char *t = s + 1; t < m->s_end; t++) {
        steps(m, 1);
        if (*t == p[1]) {
            if (--depth == 0)
                return t + 1;
        } else if (*t == p[0]) {
            depth++;
        }
    }
    return NULL;
}

/* %N at s: the text capture N matched, again.  A position capture has no
 * text and never matches (as in stock Lua). */
static const char *backref(matcher *m, const char *s, int digit)
{
    int i = digit - '1';
    if (i < 0 || i >= m->ncap || m->cap[i].len == CAP_OPEN)
        luaL_error(m->L, "invalid capture index %%%d", i + 1);
    ptrdiff_t len = m->cap[i].len;
    if (len < 0)
        return NULL;
    steps(m, cost(len));
    if (m->s_end - s >= len && memcmp(m->cap[i].at, s, (size_t)len) == 0)
        return s + len;
    return NULL;
}

/* Match the pattern from p against the subject from s.  Returns where the
 * match ends, or NULL.  Items that need no backtracking loop here; the
 * others recurse through descend. */
static const char *walk(matcher *m, const char *s, const char *p)
{
    const char *end = m->p_end;
    while (p < end) {
        steps(m, 1);
        switch (*p) {
        case '(':
            if (p + 1 < end && p[1] == ')')
                return open_capture(m, s, p + 2, CAP_POS);
            return open_capture(m, s, p + 1, CAP_OPEN);
        case ')': return close_capture(m, s, p + 1);
        case '$':
            if (p + 1 == end)
                return s == m->s_end ? s : NULL;
            break; /* elsewhere '$' is an ordinary character */
        case '%':
            if (p + 1 >= end)
                break; /* item_end reports it */
            if (p[1] == 'b') {
                s = balanced(m, s, p + 2);
                if (!s)
                    return NULL;
                p += 4;
                continue;
            }
            if (p[1] == 'f') {
                const char *set = p + 2;
                if (set >= end || *set != '[')
                    luaL_error(m->L, "missing '[' after '%%f' in pattern");
                const char *ep = item_end(m, set);
                int before = s > m->s0 ? U(s[-1]) : 0;
                int here = s < m->s_end ? U(*s) : 0;
                steps(m, cost(ep - set));
                if (in_set(set, ep - 1, before) || !in_set(set, ep - 1, here))
                    return NULL;
                p = ep;
                continue;
            }
            if (isdigit(U(p[1]))) {
                s = backref(m, s, p[1]);
                if (!s)
                    return NULL;
                p += 2;
                continue;
            }
            break;
        default: break;
        }

        /* A single-character item, maybe with a quantifier. */
        const char *ep = item_end(m, p);
        if (ep - p > 32)
            steps(m, cost(ep - p)); /* reading a long set is work too */
        int hit = s < m->s_end && item_accepts(p, ep, s);
        int q = ep < end ? *ep : 0;
        switch (q) {
        case '?':
            if (hit) {
                const char *e = descend(m, s + 1, ep + 1);
                if (e)
                    return e;
            }
            p = ep + 1;
            continue;
        case '*':
            if (hit)
                return longest(m, s, p, ep);
            p = ep + 1;
            continue;
        case '-':
            if (hit)
                return shortest(m, s, p, ep);
            p = ep + 1;
            continue;
        case '+': return hit ? longest(m, s + 1, p, ep) : NULL;
        default:
            if (!hit)
                return NULL;
            s++;
            p = ep;
            continue;
        }
    }
    return s;
}

/* ---- captures out ------------------------------------------------------ */

/* Capture i of the match s..e: its text in *at and its length, or CAP_POS
 * for a position capture.  With no captures, "capture 0" is the whole
 * match. */
static ptrdiff_t capture_get(matcher *m, int i, const char *s, const char *e, const char **at)
{
    if (i >= m->ncap) {
        if (i != 0)
            luaL_error(m->L, "invalid capture index %%%d", i + 1);
        *at = s;
        return e - s;
    }
    if (m->cap[i].len == CAP_OPEN)
        luaL_error(m->L, "unfinished capture");
    *at = m->cap[i].at;
    return m->cap[i].len;
}

/* [-0, +1] */
static void push_capture(matcher *m, int i, const char *s, const char *e)
{
    const char *at;
    ptrdiff_t len = capture_get(m, i, s, e, &at);
    if (len == CAP_POS)
        lua_pushinteger(m->L, (lua_Integer)(at - m->s0) + 1);
    else
        lua_pushlstring(m->L, at, (size_t)len);
}

/* Push the captures of the match s..e (the whole match when there are
 * none, unless s is NULL).  Returns how many.  [-0, +n] */
static int push_captures(matcher *m, const char *s, const char *e)
{
    int n = (m->ncap == 0 && s) ? 1 : m->ncap;
    luaL_checkstack(m->L, n, "too many captures");
    for (int i = 0; i < n; i++)
        push_capture(m, i, s, e);
    return n;
}

/* ---- the library functions --------------------------------------------- */

/* The 0-based start of a search from Lua's init argument (1-based,
 * negative counting from the end, clamped at the start).  May be past the
 * end; the callers decide what that means. */
static size_t start_offset(lua_Integer init, size_t len)
{
    if (init > 0)
        return (size_t)init - 1;
    if (init == 0 || init < -(lua_Integer)len)
        return 0;
    return len - (size_t)(-init);
}

/* Whether a pattern uses anything but plain characters (the characters
 * stock Lua checks before it falls back to a plain search). */
static int has_magic(const char *p, size_t pl)
{
    for (size_t i = 0; i < pl; i++)
        if (memchr("^$*+?.([%-", p[i], 10))
            return 1;
    return 0;
}

/* The first occurrence of needle in hay, or NULL; counts its steps. */
static const char *plain_search(matcher *m, const char *hay, size_t hl, const char *needle,
                                size_t nl)
{
    if (nl == 0)
        return hay;
    if (nl > hl)
        return NULL;
    const char *last = hay + (hl - nl); /* the last place it could start */
    long c = cost((ptrdiff_t)nl);
    for (const char *h = hay; h <= last; h++) {
        h = memchr(h, needle[0], (size_t)(last - h) + 1);
        if (!h)
            return NULL;
        steps(m, c);
        if (memcmp(h + 1, needle + 1, nl - 1) == 0)
            return h;
    }
    return NULL;
}

static int find_or_match(lua_State *L, int find)
{
    size_t sl, pl;
    const char *s = luaL_checklstring(L, 1, &sl);
    const char *p = luaL_checklstring(L, 2, &pl);
    size_t init = start_offset(luaL_optinteger(L, 3, 1), sl);
    if (init > sl) {
        luaL_pushfail(L);
        return 1;
    }
    matcher m;
    matcher_init(&m, L, lua_touserdata(L, lua_upvalueindex(1)), s, sl, p + pl);
    if (find && (lua_toboolean(L, 4) || !has_magic(p, pl))) {
        const char *at = plain_search(&m, s + init, sl - init, p, pl);
        settle(&m);
        if (!at) {
            luaL_pushfail(L);
            return 1;
        }
        lua_pushinteger(L, (lua_Integer)(at - s) + 1);
        lua_pushinteger(L, (lua_Integer)(at - s) + (lua_Integer)pl);
        return 2;
    }
    int anchored = pl > 0 && *p == '^';
    if (anchored)
        p++;
    for (const char *at = s + init;; at++) {
        m.ncap = 0;
        const char *e = descend(&m, at, p);
        if (e) {
            settle(&m);
            if (!find)
                return push_captures(&m, at, e);
            lua_pushinteger(L, (lua_Integer)(at - s) + 1);
            lua_pushinteger(L, (lua_Integer)(e - s));
            return 2 + push_captures(&m, NULL, NULL);
        }
        if (anchored || at >= m.s_end)
            break;
    }
    settle(&m);
    luaL_pushfail(L);
    return 1;
}

/* string.find(s, pattern [, init [, plain]]) */
static int l_pattern_find(lua_State *L)
{
    return find_or_match(L, 1);
}

/* string.match(s, pattern [, init]) */
static int l_pattern_match(lua_State *L)
{
    return find_or_match(L, 0);
}

/* Where a gmatch iteration resumes, and where the last match ended (an
 * empty match there would repeat it). */
typedef struct gmatch_state {
    size_t next;
    ptrdiff_t last; /* -1: none yet */
} gmatch_state;

/* The iterator: upvalues subject, pattern, state, payer. */
static int gmatch_next(lua_State *L)
{
    size_t sl, pl;
    const char *s = lua_tolstring(L, lua_upvalueindex(1), &sl);
    const char *p = lua_tolstring(L, lua_upvalueindex(2), &pl);
    gmatch_state *g = lua_touserdata(L, lua_upvalueindex(3));
    matcher m;
    matcher_init(&m, L, lua_touserdata(L, lua_upvalueindex(4)), s, sl, p + pl);
    for (size_t at = g->next; at <= sl; at++) {
        m.ncap = 0;
        const char *e = descend(&m, s + at, p);
        if (e && e - s != g->last) {
            settle(&m);
            g->next = (size_t)(e - s);
            g->last = e - s;
            return push_captures(&m, s + at, e);
        }
    }
    g->next = sl + 1; /* nothing more: later calls stay empty */
    settle(&m);
    return 0;
}

/* string.gmatch(s, pattern [, init]).  A leading '^' is an ordinary
 * character here: an anchor would stop the iteration. */
static int l_pattern_gmatch(lua_State *L)
{
    size_t sl;
    luaL_checklstring(L, 1, &sl);
    luaL_checkstring(L, 2);
    size_t init = start_offset(luaL_optinteger(L, 3, 1), sl);
    lua_settop(L, 2);
    gmatch_state *g = lua_newuserdatauv(L, sizeof *g, 0); /* [+1] */
    g->next = init > sl ? sl + 1 : init;
    g->last = -1;
    lua_pushvalue(L, lua_upvalueindex(1)); /* [+1] the payer */
    lua_pushcclosure(L, gmatch_next, 4);   /* [-4, +1] */
    return 1;
}

/* gsub's replacement string for the match s..e: %0 the match, %1-%9 its
 * captures, %% a '%'.  The template is argument 3 (a string or number). */
static void expand_template(matcher *m, luaL_Buffer *b, const char *s, const char *e)
{
    size_t tl;
    const char *t = lua_tolstring(m->L, 3, &tl);
    const char *t_end = t + tl;
    while (t < t_end) {
        const char *pc = memchr(t, '%', (size_t)(t_end - t));
        if (!pc) {
            luaL_addlstring(b, t, (size_t)(t_end - t));
            return;
        }
        luaL_addlstring(b, t, (size_t)(pc - t));
        int c = pc + 1 < t_end ? U(pc[1]) : 0;
        if (c == '%') {
            luaL_addchar(b, '%');
        } else if (c == '0') {
            luaL_addlstring(b, s, (size_t)(e - s));
        } else if (isdigit(c)) {
            const char *at;
            ptrdiff_t len = capture_get(m, c - '1', s, e, &at);
            if (len == CAP_POS) {
                lua_pushinteger(m->L, (lua_Integer)(at - m->s0) + 1);
                luaL_addvalue(b);
            } else {
                luaL_addlstring(b, at, (size_t)len);
            }
        } else {
            luaL_error(m->L, "invalid use of '%%' in replacement string");
        }
        t = pc + 2;
    }
}

/* Add the replacement of the match s..e to b.  Returns whether it changed
 * anything: a function or table giving false or nil keeps the match. */
static int replace(matcher *m, luaL_Buffer *b, const char *s, const char *e, int kind)
{
    lua_State *L = m->L;
    if (kind == LUA_TSTRING || kind == LUA_TNUMBER) {
        expand_template(m, b, s, e);
        return 1;
    }
    if (kind == LUA_TFUNCTION) {
        lua_pushvalue(L, 3);            /* [+1] */
        int n = push_captures(m, s, e); /* [+n] */
        lua_call(L, n, 1);              /* [-(n+1), +1] */
    } else {
        push_capture(m, 0, s, e); /* [+1] */
        lua_gettable(L, 3);       /* [-1, +1] */
    }
    if (!lua_toboolean(L, -1)) {
        lua_pop(L, 1); /* [-1] */
        luaL_addlstring(b, s, (size_t)(e - s));
        return 0;
    }
    if (!lua_isstring(L, -1))
        return luaL_error(L, "invalid replacement value (a %s)", luaL_typename(L, -1));
    luaL_addvalue(b); /* [-1] */
    return 1;
}

/* string.gsub(s, pattern, repl [, n]) */
static int l_pattern_gsub(lua_State *L)
{
    size_t sl, pl;
    const char *s = luaL_checklstring(L, 1, &sl);
    const char *p = luaL_checklstring(L, 2, &pl);
    int kind = lua_type(L, 3);
    lua_Integer max = luaL_optinteger(L, 4, (lua_Integer)sl + 1);
    luaL_argexpected(L,
                     kind == LUA_TNUMBER || kind == LUA_TSTRING || kind == LUA_TFUNCTION ||
                         kind == LUA_TTABLE,
                     3, "string/function/table");
    matcher m;
    matcher_init(&m, L, lua_touserdata(L, lua_upvalueindex(1)), s, sl, p + pl);
    int anchored = pl > 0 && *p == '^';
    if (anchored)
        p++;
    luaL_Buffer b;
    luaL_buffinit(L, &b);
    const char *at = s, *last = NULL;
    lua_Integer n = 0;
    int changed = 0;
    while (n < max) {
        m.ncap = 0;
        const char *e = descend(&m, at, p);
        if (e && e != last) {
            n++;
            changed |= replace(&m, &b, at, e, kind);
            at = last = e;
        } else if (at < m.s_end) {
            luaL_addchar(&b, *at++);
        } else {
            break;
        }
        if (anchored)
            break;
    }
    settle(&m);
    if (!changed) {
        lua_pushvalue(L, 1); /* [+1] nothing replaced: the subject itself */
    } else {
        luaL_addlstring(&b, at, (size_t)(m.s_end - at));
        luaL_pushresult(&b); /* [+1] */
    }
    lua_pushinteger(L, n);
    return 2;
}

void sk_lua_pattern_install(lua_State *L, int idx, sk_lua_pattern_pay pay, void *ud)
{
    static const luaL_Reg fns[] = {{"find", l_pattern_find},
                                   {"match", l_pattern_match},
                                   {"gmatch", l_pattern_gmatch},
                                   {"gsub", l_pattern_gsub},
                                   {NULL, NULL}};
    idx = lua_absindex(L, idx);
    payer *py = lua_newuserdatauv(L, sizeof *py, 0); /* [+1] */
    py->pay = pay;
    py->ud = ud;
    for (const luaL_Reg *f = fns; f->name; f++) {
        lua_pushvalue(L, -1);            /* [+1] */
        lua_pushcclosure(L, f->func, 1); /* [-1, +1] */
        lua_setfield(L, idx, f->name);   /* [-1] */
    }
    lua_pop(L, 1); /* [-1] */
}
