/* The set of a file's row ids, for the duplicate check (see id_set.h). */
#include "store/id_set.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/hash.h"

/* Ids with the line each was first seen on (see id_set.h).  Open
 * addressing; ids may hold NUL bytes (from \u0000), so lengths count. */
struct sk_id_entry {
    const char *id; /* in the set's arena; not NUL-terminated */
    uint32_t len;   /* a record is at most SK_CSV_MAX_RECORD bytes */
    uint32_t hash;  /* compared first, so most probes never touch the arena */
    size_t line;
};
typedef struct sk_id_entry id_entry;

/* h: the id's hash; its 32 bits place the entry (no set has 2^32 slots) and
 * spare the growth a second hashing. */
static id_entry *id_find(sk_id_set *s, const char *id, size_t len, uint32_t h)
{
    size_t i = (size_t)h & (s->cap - 1);
    for (;; i = (i + 1) & (s->cap - 1)) {
        id_entry *e = &s->slots[i];
        if (!e->id || (e->hash == h && e->len == len && memcmp(e->id, id, len) == 0))
            return e;
    }
}

/* A copy of the id in the set's arena: one allocation per 64 KiB of ids,
 * not one per id (a file to score can hold millions). */
static char *id_copy(sk_id_set *s, const char *id, size_t len)
{
    if (!s->blocks || s->block_used + len > s->block_size) {
        size_t size = len > 65536 ? len : 65536;
        s->blocks = sk_xrealloc(s->blocks, (s->nblocks + 1) * sizeof *s->blocks);
        s->blocks[s->nblocks++] = sk_xmalloc(size);
        s->block_used = 0;
        s->block_size = size;
    }
    char *p = s->blocks[s->nblocks - 1] + s->block_used;
    memcpy(p, id, len);
    s->block_used += len;
    return p;
}

size_t sk_id_set_add(sk_id_set *s, const char *id, size_t len, size_t line)
{
    if (2 * (s->count + 1) > s->cap) {
        size_t cap = s->cap ? 2 * s->cap : 64;
        id_entry *slots = sk_xcalloc(cap, sizeof(id_entry));
        sk_id_set bigger = *s;
        bigger.slots = slots;
        bigger.cap = cap;
        for (size_t i = 0; i < s->cap; i++) {
            const id_entry *o = &s->slots[i];
            if (o->id)
                *id_find(&bigger, o->id, o->len, o->hash) = *o;
        }
        free(s->slots);
        s->slots = slots;
        s->cap = cap;
    }
    uint64_t h64 = sk_fnv64(SK_FNV64_INIT, id, len);
    uint32_t h = (uint32_t)(h64 ^ (h64 >> 32));
    id_entry *e = id_find(s, id, len, h);
    if (e->id)
        return e->line;
    *e = (id_entry){id_copy(s, id, len), (uint32_t)len, h, line};
    s->count++;
    return 0;
}

void sk_id_set_free(sk_id_set *s)
{
    for (size_t i = 0; i < s->nblocks; i++)
        free(s->blocks[i]);
    free(s->blocks);
    free(s->slots);
    memset(s, 0, sizeof *s);
}

void sk_id_dup_message(sk_buf *out, const char *id, size_t len, size_t first_line, int derived)
{
    sk_buf_adds(out, "duplicate id ");
    sk_buf_add_json_string(out, id, len);
    sk_buf_printf(out, " (first on line %zu)", first_line);
    if (derived)
        sk_buf_adds(out, "; a row without \"id\" gets one from its input and expected, so "
                         "these rows are the same case: give each an \"id\", or drop one");
}
