/* Redis Streams for online scoring (see stream.h). */
#include "online/stream.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#include <hiredis/hiredis.h>

#include "base/error.h"
#include "base/util.h"

const char *sk_hiredis_load(void);

struct sk_stream {
    redisContext *c;
    char *name, *where; /* the stream; "HOST:PORT/STREAM" for messages */
};

const char *sk_stream_name(const sk_stream *s)
{
    return s->name;
}

int sk_stream_open(sk_stream **out, const char *url, char **err)
{
    *out = NULL;
    const char *p = strncmp(url, "redis://", 8) == 0 ? url + 8 : NULL;
    const char *colon = p ? strchr(p, ':') : NULL, *slash = p ? strchr(p, '/') : NULL;
    char *end = NULL;
    long port = colon && slash && colon < slash ? strtol(colon + 1, &end, 10) : 0;
    if (!p || !colon || !slash || end != slash || port < 1 || port > 65535 || colon == p ||
        !slash[1])
        return sk_errf(err, SK_EINVAL,
                       "\"%s\" is not a stream: write redis://HOST:PORT/STREAM (like "
                       "redis://127.0.0.1:6379/logs)",
                       url);
    const char *why = sk_hiredis_load();
    if (why)
        return sk_errf(err, SK_EIO, "%s", why);
    char *host = sk_xstrndup(p, (size_t)(colon - p));
    struct timeval tv = {5, 0};
    redisContext *c = redisConnectWithTimeout(host, (int)port, tv);
    if (!c || c->err) {
        int rc = sk_errf(err, SK_EIO,
                         "cannot reach Redis at %s:%ld (%s): is redis-server running there?", host,
                         port, c ? c->errstr : "out of memory");
        if (c)
            redisFree(c);
        free(host);
        return rc;
    }
    sk_stream *s = sk_xcalloc(1, sizeof *s);
    s->c = c;
    s->name = sk_xstrdup(slash + 1);
    s->where = sk_asprintf("%s:%ld/%s", host, port, s->name);
    free(host);
    *out = s;
    return SK_OK;
}

void sk_stream_close(sk_stream *s)
{
    if (!s)
        return;
    redisFree(s->c);
    free(s->name);
    free(s->where);
    free(s);
}

/* Run a command; the reply (caller frees with freeReplyObject) or NULL
 * with *err.  An error reply is returned as it is. */
static redisReply *cmd(sk_stream *s, int argc, const char **argv, char **err)
{
    redisReply *r = redisCommandArgv(s->c, argc, argv, NULL);
    if (!r)
        sk_errf(err, SK_EIO, "Redis %s: %s: %s", s->where, argv[0],
                s->c->errstr[0] ? s->c->errstr : "no reply");
    return r;
}

static int simple(sk_stream *s, int argc, const char **argv, char **err)
{
    redisReply *r = cmd(s, argc, argv, err);
    if (!r)
        return SK_EIO;
    int rc = SK_OK;
    if (r->type == REDIS_REPLY_ERROR)
        rc = sk_errf(err, SK_EIO, "Redis %s: %s: %s", s->where, argv[0], r->str);
    freeReplyObject(r);
    return rc;
}

int sk_stream_add(sk_stream *s, const char *json, char **err)
{
    const char *argv[] = {"XADD", s->name, "*", "log", json};
    return simple(s, 5, argv, err);
}

int sk_stream_group(sk_stream *s, const char *group, char **err)
{
    const char *argv[] = {"XGROUP", "CREATE", s->name, group, "0", "MKSTREAM"};
    redisReply *r = cmd(s, 6, argv, err);
    if (!r)
        return SK_EIO;
    int rc = SK_OK;
    if (r->type == REDIS_REPLY_ERROR && strncmp(r->str, "BUSYGROUP", 9) != 0)
        rc = sk_errf(err, SK_EIO, "Redis %s: XGROUP CREATE %s: %s", s->where, group, r->str);
    freeReplyObject(r);
    return rc;
}

/* Entries of a reply's array of [id, [field, value, ...]]. */
static void take_entries(const redisReply *arr, sk_stream_entry **out, size_t *got)
{
    if (!arr || arr->type != REDIS_REPLY_ARRAY)
        return;
    for (size_t i = 0; i < arr->elements; i++) {
        const redisReply *e = arr->element[i];
        if (e->type != REDIS_REPLY_ARRAY || e->elements < 2 ||
            e->element[0]->type != REDIS_REPLY_STRING)
            continue; /* a claimed entry deleted meanwhile comes as nil */
        const redisReply *f = e->element[1];
        char *json = NULL;
        for (size_t k = 0; f->type == REDIS_REPLY_ARRAY && k + 1 < f->elements; k += 2)
            if (f->element[k]->type == REDIS_REPLY_STRING && strcmp(f->element[k]->str, "log") == 0)
                json = sk_xstrndup(f->element[k + 1]->str, f->element[k + 1]->len);
        *out = sk_xrealloc(*out, (*got + 1) * sizeof **out);
        (*out)[*got].id = sk_xstrdup(e->element[0]->str);
        (*out)[(*got)++].json = json;
    }
}

int sk_stream_read(sk_stream *s, const char *group, const char *consumer, size_t n, long block_ms,
                   long idle_ms, sk_stream_entry **out, size_t *got, char **err)
{
    *out = NULL;
    *got = 0;
    char count[32], idle[32], block[32];
    snprintf(count, sizeof count, "%zu", n);
    snprintf(idle, sizeof idle, "%ld", idle_ms);
    snprintf(block, sizeof block, "%ld", block_ms);
    /* A dead consumer's entries first: reply [next-id, [entries], ...]. */
    const char *claim[] = {"XAUTOCLAIM", s->name, group, consumer, idle, "0-0", "COUNT", count};
    redisReply *r = cmd(s, 8, claim, err);
    if (!r)
        return SK_EIO;
    if (r->type == REDIS_REPLY_ERROR) {
        int rc = sk_errf(err, SK_EIO, "Redis %s: XAUTOCLAIM: %s", s->where, r->str);
        freeReplyObject(r);
        return rc;
    }
    if (r->type == REDIS_REPLY_ARRAY && r->elements >= 2)
        take_entries(r->element[1], out, got);
    freeReplyObject(r);
    if (*got)
        return SK_OK;
    const char *read[] = {"XREADGROUP", "GROUP", group,     consumer, "COUNT", count,
                          "BLOCK",      block,   "STREAMS", s->name,  ">"};
    int argc = block_ms > 0 ? 11 : 9;
    if (block_ms <= 0) {
        read[6] = "STREAMS";
        read[7] = s->name;
        read[8] = ">";
    }
    r = cmd(s, argc, read, err);
    if (!r)
        return SK_EIO;
    int rc = SK_OK;
    if (r->type == REDIS_REPLY_ERROR)
        rc = sk_errf(err, SK_EIO, "Redis %s: XREADGROUP: %s", s->where, r->str);
    else if (r->type == REDIS_REPLY_ARRAY && r->elements && r->element[0]->elements >= 2)
        take_entries(r->element[0]->element[1], out, got);
    freeReplyObject(r);
    return rc;
}

void sk_stream_entries_free(sk_stream_entry *v, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(v[i].id);
        free(v[i].json);
    }
    free(v);
}

int sk_stream_ack(sk_stream *s, const char *group, const char *id, char **err)
{
    const char *argv[] = {"XACK", s->name, group, id};
    return simple(s, 4, argv, err);
}

int sk_stream_fail(sk_stream *s, const char *group, const sk_stream_entry *e, const char *why,
                   long max_failures, int *dead, char **err)
{
    *dead = 0;
    char *key = sk_asprintf("%s:failures", s->name);
    const char *incr[] = {"HINCRBY", key, e->id, "1"};
    redisReply *r = cmd(s, 4, incr, err);
    long long n = r && r->type == REDIS_REPLY_INTEGER ? r->integer : -1;
    if (r)
        freeReplyObject(r);
    int rc = n < 0 ? sk_errf(err, SK_EIO, "Redis %s: HINCRBY failed", s->where) : SK_OK;
    if (rc == SK_OK && n >= max_failures) {
        char *dead_stream = sk_asprintf("%s:dead", s->name);
        const char *add[] = {"XADD", dead_stream, "*",   "log", e->json ? e->json : "",
                             "id",   e->id,       "why", why};
        rc = simple(s, 9, add, err);
        if (rc == SK_OK)
            rc = sk_stream_ack(s, group, e->id, err);
        if (rc == SK_OK) {
            const char *del[] = {"HDEL", key, e->id};
            rc = simple(s, 3, del, err);
            *dead = 1;
        }
        free(dead_stream);
    }
    free(key);
    return rc;
}
