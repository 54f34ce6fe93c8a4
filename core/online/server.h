/*
 * The ingestion endpoint of `scorekit serve`, over libmicrohttpd:
 *   POST /v1/logs    log rows: a JSON object, an array of them, or JSONL
 *   POST /v1/traces  OTLP/HTTP JSON (an ExportTraceServiceRequest)
 *   GET  /healthz    200 while serving (no token needed)
 * Every POST needs "Authorization: Bearer TOKEN" (401 otherwise, compared
 * in constant time).  A body over max_body bytes gets 413, over max_rows
 * logs 413, malformed 400 with its line and column; a full write queue 503
 * with Retry-After.  200 is sent only once the logs are committed.
 * Each connection has its own thread (at most max_conns), so a slow client
 * holds only its own.
 */
#ifndef SK_SERVER_H
#define SK_SERVER_H

#include <stddef.h>

#include "online/log_queue.h"

typedef struct sk_server_opts {
    const char *host;  /* numeric IPv4 address to listen on */
    unsigned port;     /* 0: any free port */
    const char *token; /* borrowed for the server's life */
    size_t max_body, max_rows;
    unsigned max_conns, timeout_s;
    sk_log_queue *queue; /* borrowed; outlives the server */
    const char *sink;    /* redis://HOST:PORT/STREAM: committed logs are also appended
                          * there (online/stream.h); NULL: none */
} sk_server_opts;

typedef struct sk_server sk_server;

/* Start listening.  Returns 0, or SK_EINVAL / SK_EIO with *err. */
int sk_server_start(sk_server **out, const sk_server_opts *o, char **err);

/* The port listened on (the one picked when opts.port was 0). */
unsigned sk_server_port(const sk_server *s);

/* Stop accepting, finish the requests in progress (their commits
 * included), and free.  NULL is allowed. */
void sk_server_stop(sk_server *s);

#endif
