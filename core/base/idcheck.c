/*
 * The duplicate-id check in bounded memory: see idcheck.h.
 */
#include "base/idcheck.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/error.h"
#include "base/hash.h"

#define DEFAULT_WINDOW 16384
#define BYTES_PER_ID   64 /* the window's id bytes: window x this */
#define READ_ENTRIES   128

/* off: into the arena while in the window, into the ids file once spilled;
 * there each id is a 4-byte length and its bytes. */
typedef struct entry {
    uint64_t hash, line, off;
} entry;

typedef struct cursor {
    uint64_t pos, end; /* entries of the run still in the file */
    entry buf[READ_ENTRIES];
    size_t at, n;
} cursor;

struct sk_idcheck {
    size_t window;
    sk_idcheck_hash hash;
    entry *e, *tmp; /* tmp: for sorting, from the first spill */
    size_t n;
    uint32_t *slots; /* until the first spill: entry index + 1, 0 empty */
    size_t mask;
    sk_buf arena;
    int spilled, finished;
    int runs_fd, ids_fd;
    uint64_t runs_len, ids_len; /* entries, bytes written */
    uint64_t *run_end;          /* entry index where each run ends */
    size_t nruns, runs_cap;
    sk_iddup *dups;
    size_t ndups, dups_cap;
};

static uint64_t fnv(const void *id, size_t len)
{
    return sk_fnv64(SK_FNV64_INIT, id, len);
}

sk_idcheck *sk_idcheck_new(size_t window, sk_idcheck_hash hash)
{
    sk_idcheck *c = sk_xcalloc(1, sizeof *c);
    c->window = window ? window : DEFAULT_WINDOW;
    c->hash = hash ? hash : fnv;
    c->e = sk_xmalloc(c->window * sizeof *c->e);
    size_t ns = 4;
    while (ns < 2 * c->window)
        ns *= 2;
    c->slots = sk_xcalloc(ns, sizeof *c->slots);
    c->mask = ns - 1;
    c->runs_fd = c->ids_fd = -1;
    return c;
}

void sk_idcheck_free(sk_idcheck *c)
{
    if (!c)
        return;
    free(c->e);
    free(c->tmp);
    free(c->slots);
    sk_buf_free(&c->arena);
    if (c->runs_fd >= 0)
        close(c->runs_fd);
    if (c->ids_fd >= 0)
        close(c->ids_fd);
    free(c->run_end);
    free(c->dups);
    free(c);
}

static int io_error(char **err, const char *what, int e)
{
    return sk_errf(err, SK_EIO,
                   "cannot %s the temporary file of the duplicate-id check (more ids than it "
                   "holds in memory): %s; set TMPDIR to a writable directory with free space",
                   what, strerror(e));
}

/* An unlinked file in $TMPDIR: nothing is left behind, even on a crash. */
static int open_tmp(int *fd, char **err)
{
    const char *dir = getenv("TMPDIR");
    char *path = sk_asprintf("%s/scorekit-ids-XXXXXX", dir && *dir ? dir : "/tmp");
    *fd = mkstemp(path);
    int e = errno;
    if (*fd >= 0)
        unlink(path);
    int rc = SK_OK;
    if (*fd < 0) {
        char *what = sk_asprintf("create %s for", path);
        rc = io_error(err, what, e);
        free(what);
    }
    free(path);
    return rc;
}

static int write_all(int fd, const void *p, size_t n, char **err)
{
    const char *s = p;
    while (n) {
        ssize_t w = write(fd, s, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return io_error(err, "write", w < 0 ? errno : ENOSPC);
        s += w;
        n -= (size_t)w;
    }
    return SK_OK;
}

static int read_at(int fd, void *p, size_t n, uint64_t off, char **err)
{
    char *s = p;
    while (n) {
        ssize_t r = pread(fd, s, n, (off_t)off);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return io_error(err, "read", r < 0 ? errno : EIO);
        s += r;
        n -= (size_t)r;
        off += (uint64_t)r;
    }
    return SK_OK;
}

static int entry_cmp(const void *a, const void *b)
{
    const entry *x = a, *y = b;
    if (x->hash != y->hash)
        return x->hash < y->hash ? -1 : 1;
    return (x->line > y->line) - (x->line < y->line);
}

/* Sort e by (hash, line): entries come in line order, so a stable radix
 * sort of the hashes, a byte a pass, is enough, and several times cheaper
 * than qsort's comparisons.  A pass whose byte is the same everywhere is
 * skipped. */
static void sort_entries(entry *e, entry *tmp, size_t n)
{
    entry *from = e, *to = tmp;
    for (int shift = 0; shift < 64; shift += 8) {
        size_t count[256] = {0};
        for (size_t i = 0; i < n; i++)
            count[(from[i].hash >> shift) & 0xff]++;
        if (count[(from[0].hash >> shift) & 0xff] == n)
            continue;
        size_t at = 0;
        for (int b = 0; b < 256; b++) {
            size_t c = count[b];
            count[b] = at;
            at += c;
        }
        for (size_t i = 0; i < n; i++)
            to[count[(from[i].hash >> shift) & 0xff]++] = from[i];
        entry *t = from;
        from = to;
        to = t;
    }
    if (from != e)
        memcpy(e, from, n * sizeof *e);
}

/* Write the window as one sorted run, its ids after those written before. */
static int spill(sk_idcheck *c, char **err)
{
    int rc = SK_OK;
    if (c->runs_fd < 0 && ((rc = open_tmp(&c->runs_fd, err)) || (rc = open_tmp(&c->ids_fd, err))))
        return rc;
    if (!c->tmp)
        c->tmp = sk_xmalloc(c->window * sizeof *c->tmp);
    if (c->n)
        sort_entries(c->e, c->tmp, c->n);
    for (size_t i = 0; i < c->n; i++)
        c->e[i].off += c->ids_len;
    if ((rc = write_all(c->runs_fd, c->e, c->n * sizeof *c->e, err)) ||
        (rc = write_all(c->ids_fd, c->arena.data, c->arena.len, err)))
        return rc;
    c->ids_len += c->arena.len;
    c->runs_len += c->n;
    c->run_end = sk_xgrow(c->run_end, &c->runs_cap, c->nruns + 1, sizeof *c->run_end);
    c->run_end[c->nruns++] = c->runs_len;
    c->n = 0;
    sk_buf_reset(&c->arena);
    c->spilled = 1;
    free(c->slots); /* later lines are only checked at the end */
    c->slots = NULL;
    return SK_OK;
}

int sk_idcheck_add(sk_idcheck *c, const char *id, size_t len, size_t line, size_t *first,
                   char **err)
{
    *first = 0;
    if (len > UINT32_MAX)
        len = UINT32_MAX; /* not a row anyone writes; compared by its start */
    uint64_t h = c->hash(id, len);
    size_t slot = 0;
    if (c->slots) {
        for (slot = h & c->mask; c->slots[slot]; slot = (slot + 1) & c->mask) {
            const entry *x = &c->e[c->slots[slot] - 1];
            uint32_t xl;
            memcpy(&xl, c->arena.data + x->off, sizeof xl);
            if (x->hash == h && xl == len && memcmp(c->arena.data + x->off + 4, id, len) == 0) {
                *first = (size_t)x->line;
                return SK_OK;
            }
        }
    }
    if (c->n == c->window || c->arena.len >= c->window * BYTES_PER_ID) {
        int rc = spill(c, err);
        if (rc)
            return rc;
    }
    entry *x = &c->e[c->n++];
    x->hash = h;
    x->line = line;
    x->off = c->arena.len;
    uint32_t l32 = (uint32_t)len;
    sk_buf_add(&c->arena, &l32, sizeof l32);
    sk_buf_add(&c->arena, id, len);
    if (c->slots)
        c->slots[slot] = (uint32_t)c->n;
    return SK_OK;
}

int sk_idcheck_deferred(const sk_idcheck *c)
{
    return c->spilled;
}

static int read_id(sk_idcheck *c, uint64_t off, sk_buf *out, char **err)
{
    uint32_t len;
    int rc = read_at(c->ids_fd, &len, sizeof len, off, err);
    if (rc)
        return rc;
    sk_buf_reserve(out, len);
    rc = read_at(c->ids_fd, out->data + out->len, len, off + sizeof len, err);
    if (rc)
        return rc;
    out->len += len;
    out->data[out->len] = '\0';
    return SK_OK;
}

int sk_idcheck_dup_id(sk_idcheck *c, const sk_iddup *d, sk_buf *out, char **err)
{
    return read_id(c, d->ref, out, err);
}

static int cursor_next(sk_idcheck *c, cursor *k, char **err)
{
    if (k->at < k->n)
        return SK_OK;
    size_t want = k->end - k->pos < READ_ENTRIES ? (size_t)(k->end - k->pos) : READ_ENTRIES;
    k->at = k->n = 0;
    if (!want)
        return SK_OK;
    int rc = read_at(c->runs_fd, k->buf, want * sizeof(entry), k->pos * sizeof(entry), err);
    if (rc)
        return rc;
    k->pos += want;
    k->n = want;
    return SK_OK;
}

static int heap_less(cursor *ks, size_t a, size_t b)
{
    return entry_cmp(&ks[a].buf[ks[a].at], &ks[b].buf[ks[b].at]) < 0;
}

static void sift_down(cursor *ks, size_t *heap, size_t n, size_t i)
{
    for (;;) {
        size_t l = 2 * i + 1, m = i;
        if (l < n && heap_less(ks, heap[l], heap[m]))
            m = l;
        if (l + 1 < n && heap_less(ks, heap[l + 1], heap[m]))
            m = l + 1;
        if (m == i)
            return;
        size_t t = heap[i];
        heap[i] = heap[m];
        heap[m] = t;
        i = m;
    }
}

/* The ids of one hash seen so far, distinct, each with its first line. */
typedef struct group {
    uint64_t hash;
    entry pending; /* the first, read only when a second comes */
    int size;
    sk_buf bytes;
    size_t *line, *at, *len, n, cap;
} group;

static void group_keep(group *g, size_t line, size_t at, size_t len)
{
    if (g->n == g->cap) {
        g->cap = g->cap ? 2 * g->cap : 4;
        g->line = sk_xrealloc(g->line, g->cap * sizeof *g->line);
        g->at = sk_xrealloc(g->at, g->cap * sizeof *g->at);
        g->len = sk_xrealloc(g->len, g->cap * sizeof *g->len);
    }
    g->line[g->n] = line;
    g->at[g->n] = at;
    g->len[g->n] = len;
    g->n++;
}

static int group_add(sk_idcheck *c, group *g, const entry *x, char **err)
{
    int rc;
    if (!g->size || x->hash != g->hash) {
        g->hash = x->hash;
        g->pending = *x;
        g->size = 1;
        g->n = 0;
        sk_buf_reset(&g->bytes);
        return SK_OK;
    }
    if (g->size == 1) {
        if ((rc = read_id(c, g->pending.off, &g->bytes, err)))
            return rc;
        group_keep(g, (size_t)g->pending.line, 0, g->bytes.len);
        g->size = 2;
    }
    size_t at = g->bytes.len;
    if ((rc = read_id(c, x->off, &g->bytes, err)))
        return rc;
    size_t len = g->bytes.len - at;
    for (size_t i = 0; i < g->n; i++) {
        if (g->len[i] == len && memcmp(g->bytes.data + g->at[i], g->bytes.data + at, len) == 0) {
            g->bytes.len = at; /* a repeat: its bytes are already there */
            c->dups = sk_xgrow(c->dups, &c->dups_cap, c->ndups + 1, sizeof *c->dups);
            c->dups[c->ndups++] = (sk_iddup){(size_t)x->line, g->line[i], x->off};
            return SK_OK;
        }
    }
    group_keep(g, (size_t)x->line, at, len); /* a collision, not a duplicate */
    return SK_OK;
}

static int dup_cmp(const void *a, const void *b)
{
    const sk_iddup *x = a, *y = b;
    return (x->line > y->line) - (x->line < y->line);
}

int sk_idcheck_finish(sk_idcheck *c, const sk_iddup **dups, size_t *n, char **err)
{
    *dups = NULL;
    *n = 0;
    if (c->finished || !c->spilled) {
        *dups = c->dups;
        *n = c->ndups;
        return SK_OK;
    }
    c->finished = 1;
    int rc = c->n ? spill(c, err) : SK_OK;
    if (rc)
        return rc;
    /* The runs are merged in (hash, line) order with one small buffer each. */
    cursor *ks = sk_xcalloc(c->nruns, sizeof *ks);
    size_t *heap = sk_xmalloc(c->nruns * sizeof *heap), nh = 0;
    group g = {0};
    for (size_t i = 0; i < c->nruns && rc == SK_OK; i++) {
        ks[i].pos = i ? c->run_end[i - 1] : 0;
        ks[i].end = c->run_end[i];
        rc = cursor_next(c, &ks[i], err);
        if (rc == SK_OK && ks[i].n)
            heap[nh++] = i;
    }
    for (size_t i = nh; i-- > 0;)
        sift_down(ks, heap, nh, i);
    while (rc == SK_OK && nh) {
        cursor *k = &ks[heap[0]];
        rc = group_add(c, &g, &k->buf[k->at++], err);
        if (rc == SK_OK)
            rc = cursor_next(c, k, err);
        if (rc == SK_OK && !k->n)
            heap[0] = heap[--nh];
        sift_down(ks, heap, nh, 0);
    }
    sk_buf_free(&g.bytes);
    free(g.line);
    free(g.at);
    free(g.len);
    free(heap);
    free(ks);
    if (rc)
        return rc;
    if (c->ndups)
        qsort(c->dups, c->ndups, sizeof *c->dups, dup_cmp);
    *dups = c->dups;
    *n = c->ndups;
    return SK_OK;
}
