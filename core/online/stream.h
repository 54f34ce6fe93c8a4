/*
 * Redis Streams, for online scoring on several machines: `serve --sink`
 * appends each ingested log to a stream, and `watch --source` workers read
 * it as consumers of one group.  A worker reads with XREADGROUP, scores,
 * commits the verdicts, then XACKs; entries a dead consumer left pending
 * are claimed (XAUTOCLAIM) once idle; an entry that fails N times moves to
 * STREAM:dead with the reason.  hiredis is loaded when a stream is first
 * opened (stream_load.c), like libcurl and SQLite.
 */
#ifndef SK_STREAM_H
#define SK_STREAM_H

#include <stddef.h>

typedef struct sk_stream sk_stream;

/* Connect to redis://HOST:PORT/STREAM.  SK_EINVAL for a bad URL, SK_EIO
 * when hiredis is missing or the server cannot be reached. */
int sk_stream_open(sk_stream **out, const char *url, char **err);
void sk_stream_close(sk_stream *s);
const char *sk_stream_name(const sk_stream *s);

/* Append one log (JSON text) as an entry {log: JSON}. */
int sk_stream_add(sk_stream *s, const char *json, char **err);

/* Make the consumer group (reading from the start) unless it exists. */
int sk_stream_group(sk_stream *s, const char *group, char **err);

typedef struct sk_stream_entry {
    char *id, *json; /* json NULL when the entry has no "log" field */
} sk_stream_entry;

/* Up to n entries for consumer: first those pending for idle_ms or more
 * (a dead consumer's), else new ones, waiting up to block_ms (0: not at
 * all).  *got 0: none. */
int sk_stream_read(sk_stream *s, const char *group, const char *consumer, size_t n, long block_ms,
                   long idle_ms, sk_stream_entry **out, size_t *got, char **err);
void sk_stream_entries_free(sk_stream_entry *v, size_t n);

int sk_stream_ack(sk_stream *s, const char *group, const char *id, char **err);

/* An entry that could not be scored: counted; at max_failures it goes to
 * STREAM:dead with why, and is acknowledged (*dead 1). */
int sk_stream_fail(sk_stream *s, const char *group, const sk_stream_entry *e, const char *why,
                   long max_failures, int *dead, char **err);

#endif
